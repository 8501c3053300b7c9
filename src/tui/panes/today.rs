//! Today (今日): the acting user's open warnings (red first) above their follow-ups that are
//! overdue or due soon. Specialists see their own; supervisors and managers the team's.

use super::loans::LoanPane;
use crate::store::{PageFrom, WarningQuery, WarningRow};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::widgets::loan_list::{self, Column, LoanList};
use crate::tui::widgets::warning_cells::{self, count_spans};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The Today pane: the warnings block over the follow-ups list. It reads like its list
/// (`today.total`).
pub struct Today {
    pub loans: LoanPane,
    /// "My open warnings": the query, its first rows (red first) and counts per level.
    pub mine_query: WarningQuery,
    pub mine: Vec<WarningRow>,
    pub mine_counts: [u64; 3],
    /// Rows of the warnings block (set from the terminal size).
    pub mine_rows: u16,
    /// Rows of the whole body (below the pane bar, above the hint and status lines).
    body: u64,
    /// The block is the team's (a supervisor or manager), not the user's own.
    team: bool,
}

impl Today {
    pub fn new(list: LoanList, mine_query: WarningQuery, team: bool) -> Today {
        Today {
            loans: LoanPane::new(list),
            mine_query,
            mine: Vec::new(),
            mine_counts: [0; 3],
            mine_rows: 3,
            body: 1,
            team,
        }
    }

    /// Fits the pane to a terminal of `rows` rows.
    pub fn resize(&mut self, rows: u16) {
        self.body = u64::from(rows.saturating_sub(4)).max(1);
        self.mine_rows = match rows {
            40.. => 5,
            30..40 => 4,
            _ => 3,
        };
        self.fit();
    }

    /// Lines of the warnings block: the count line, its rows (one line when there are none)
    /// and a blank line.
    pub fn mine_block_height(&self) -> u16 {
        (self.mine.len() as u16).clamp(1, self.mine_rows.max(1)) + 2
    }

    /// The follow-ups get the body below the warnings block.
    fn fit(&mut self) {
        self.loans.list.height = self
            .body
            .saturating_sub(u64::from(self.mine_block_height()))
            .max(1);
    }

    /// The warnings block: the first rows of the acting user's active warnings.
    fn reload_mine(&mut self, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.mine_counts = ctx.store.warning_level_counts(&self.mine_query)?;
        self.mine = ctx.store.warning_page(
            &self.mine_query,
            &PageFrom::Start,
            usize::from(self.mine_rows),
        )?;
        self.fit();
        Ok(())
    }
}

impl Today {
    /// The warnings block: a count line, then at most `mine_rows` warnings, then a blank line.
    fn warnings_block(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let (lang, theme) = (view.lang, view.theme);
        let title = if self.team {
            lang.t("warning.today_team")
        } else {
            lang.t("warning.today_mine")
        };
        let mut spans = vec![Span::styled(format!(" {title}  "), theme.title)];
        spans.extend(count_spans(&self.mine_counts, lang, theme));
        // The key comes from the bindings in force; no key bound, no hint.
        if let Some(key) = view.keymap.first_key(Section::Today, Action::MyWarnings) {
            spans.push(Span::styled(
                lang.tf("warning.today_more", &[("key", &key)]),
                theme.muted,
            ));
        }
        let buf = frame.buffer_mut();
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
        let rows = Rect::new(
            area.x,
            area.y + 1,
            area.width,
            area.height.saturating_sub(2),
        );
        if self.mine.is_empty() {
            buf.set_line(
                rows.x + 2,
                rows.y,
                &Line::styled(lang.t("warning.today_none"), theme.muted),
                rows.width.saturating_sub(2),
            );
            return;
        }
        warning_cells::render_rows(
            self.mine.iter(),
            None,
            &warning_cells::columns(area.width, true),
            false,
            rows,
            buf,
            lang,
            theme,
        );
    }
}

impl std::ops::Deref for Today {
    type Target = LoanList;
    fn deref(&self) -> &LoanList {
        &self.loans.list
    }
}

impl std::ops::DerefMut for Today {
    fn deref_mut(&mut self) -> &mut LoanList {
        &mut self.loans.list
    }
}

impl Component for Today {
    fn sections(&self) -> &'static [Section] {
        &[Section::Today, Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        super::loans::HINTS
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        if action == Action::MyWarnings {
            // The board, filtered to the warnings this block counts.
            let q = WarningQuery {
                officer: self.mine_query.officer.clone(),
                ..WarningQuery::default()
            };
            return Ok(Outcome::Consumed(vec![Effect::ShowWarnings(Box::new(q))]));
        }
        self.loans.handle(action, ctx.store)
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        if changed.any(Changed::LOANS | Changed::WARNINGS) {
            self.reload_mine(ctx)?;
            self.loans.list.reload(ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let block = self.mine_block_height().min(area.height);
        self.warnings_block(frame, Rect::new(area.x, area.y, area.width, block), view);
        let area = Rect::new(area.x, area.y + block, area.width, area.height - block);
        loan_list::render(
            &self.loans.list,
            columns(area.width),
            area,
            frame.buffer_mut(),
            view.lang,
            view.theme,
            view.today,
            false,
        );
    }
}

pub fn columns(width: u16) -> &'static [Column] {
    if width >= 110 {
        &[
            Column::DaysLate,
            Column::NextFollowup,
            Column::ContractNo,
            Column::Borrower,
            Column::Outstanding,
            Column::Class,
            Column::Dpd,
            Column::Officer,
        ]
    } else {
        &[
            Column::DaysLate,
            Column::NextFollowup,
            Column::ContractNo,
            Column::Borrower,
            Column::Class,
            Column::Dpd,
        ]
    }
}
