//! Today (今日): the acting user's open warnings (red first), then their inspections (returned,
//! overdue, due soon, to review), for a reviewer the classification proposals they may decide,
//! above their follow-ups that are overdue or due soon. Specialists see their own; supervisors
//! and managers the team's. A disposal block — the user's overdue actions, most overdue first,
//! and for managers the cases needing an emergency plan — and a legal clocks block — clocks
//! ending within their warn-ahead days or run out, soonest first — show only when they have
//! rows.

use super::loans::LoanPane;
use crate::domain::Role;
use crate::domain::legal::LegalClockRules;
use crate::domain::text::{display, pad_right, truncate};
use crate::i18n::Lang;
use crate::store::{
    ActionRow, CaseRow, ClockRow, InspectionQuery, PageFrom, ProposalQuery, ProposalRow,
    TodayInspectionRow, TodayInspections, TodayPart, WarningQuery, WarningRow,
};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::widgets::loan_list::{self, Column, LoanList};
use crate::tui::widgets::warning_cells::{self, count_spans};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The Today pane: the warnings block and the inspections block over the follow-ups list. It
/// reads like its list (`today.total`).
pub struct Today {
    pub loans: LoanPane,
    /// "My open warnings": the query, its first rows (red first) and counts per level.
    pub mine_query: WarningQuery,
    pub mine: Vec<WarningRow>,
    pub mine_counts: [u64; 3],
    /// Rows of the warnings block, and of the inspections block (set from the terminal size).
    pub mine_rows: u16,
    /// "My inspections": what the block counts, its first rows (the parts in order) and the
    /// count of each part (in `TodayPart::ALL` order).
    pub insp_query: TodayInspections,
    pub insp: Vec<TodayInspectionRow>,
    pub insp_counts: [u64; 4],
    /// "Proposals to decide" (reviewers only): the query, how many, the first rows.
    pub prop_query: Option<ProposalQuery>,
    pub props: Vec<ProposalRow>,
    pub props_count: u64,
    /// The disposal block: the acting user's overdue actions (most overdue first) and, for a
    /// manager, the cases needing an emergency plan; each with its count.
    pub disp_user: String,
    pub disp_manager: bool,
    pub overdue: Vec<ActionRow>,
    pub overdue_count: u64,
    pub emergency: Vec<CaseRow>,
    pub emergency_count: u64,
    /// The legal clocks block: the first [`CLOCK_ROWS`] clocks due (the user's loans, the
    /// team's for a supervisor or manager), how many in all, and the selected row while the
    /// block has the keys.
    pub clock_rules: LegalClockRules,
    pub clocks: Vec<ClockRow>,
    pub clocks_count: usize,
    pub clock_sel: Option<usize>,
    /// Rows of the whole body (below the pane bar, above the hint and status lines).
    body: u64,
    /// The block is the team's (a supervisor or manager), not the user's own.
    team: bool,
}

impl Today {
    pub fn new(
        list: LoanList,
        mine_query: WarningQuery,
        insp_query: TodayInspections,
        prop_query: Option<ProposalQuery>,
        team: bool,
    ) -> Today {
        Today {
            loans: LoanPane::new(list),
            mine_query,
            mine: Vec::new(),
            mine_counts: [0; 3],
            mine_rows: 3,
            insp_query,
            insp: Vec::new(),
            insp_counts: [0; 4],
            prop_query,
            props: Vec::new(),
            props_count: 0,
            disp_user: String::new(),
            disp_manager: false,
            overdue: Vec::new(),
            overdue_count: 0,
            emergency: Vec::new(),
            emergency_count: 0,
            clock_rules: LegalClockRules::default(),
            clocks: Vec::new(),
            clocks_count: 0,
            clock_sel: None,
            body: 1,
            team,
        }
    }

    /// Whose overdue actions the disposal block lists, and whether they see the cases
    /// needing an emergency plan (a manager approves those plans).
    pub fn with_disposal(mut self, user: &str, manager: bool) -> Today {
        self.disp_user = user.to_string();
        self.disp_manager = manager;
        self
    }

    /// The `[legal_clocks]` rules the clocks block reads with.
    pub fn with_clocks(mut self, rules: LegalClockRules) -> Today {
        self.clock_rules = rules;
        self
    }

    /// Lines of the clocks block: none while no clock is due; else the count line, its rows
    /// and a blank line.
    pub fn clock_block_height(&self) -> u16 {
        if self.clocks.is_empty() {
            return 0;
        }
        self.clocks.len() as u16 + 2
    }

    /// The clocks block: how many clocks are due as of today, and the first few, soonest
    /// first (counted by the store, not read whole).
    fn reload_clocks(&mut self, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        let officer = (!self.team).then_some(self.disp_user.as_str());
        let (count, first) = crate::workflow::outcomes::clocks_due_first(
            ctx.store,
            ctx.today,
            officer,
            &self.clock_rules,
            CLOCK_ROWS,
        )?;
        self.clocks_count = count;
        self.clocks = first;
        self.clock_sel = self
            .clock_sel
            .filter(|_| !self.clocks.is_empty())
            .map(|i| i.min(self.clocks.len() - 1));
        self.fit();
        Ok(())
    }

    /// Lines of the disposal block: none while it has nothing to say; else the count line,
    /// its rows and a blank line.
    pub fn disp_block_height(&self) -> u16 {
        let n = self.overdue.len() + self.emergency.len();
        if n == 0 {
            return 0;
        }
        (n as u16).clamp(1, self.props_rows()) + 2
    }

    /// The disposal block: counts and the first rows of each part.
    fn reload_disposal(&mut self, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        let rows = usize::from(self.props_rows());
        self.overdue_count = ctx.store.overdue_action_count(&self.disp_user, ctx.today)?;
        self.overdue = if self.overdue_count > 0 {
            ctx.store
                .overdue_actions(&self.disp_user, ctx.today, rows)?
        } else {
            Vec::new()
        };
        (self.emergency_count, self.emergency) = if self.disp_manager {
            let n = ctx.store.emergency_case_count()?;
            let left = rows.saturating_sub(self.overdue.len().min(rows - 1));
            let rows = if n > 0 {
                ctx.store.emergency_cases(left.max(1))?
            } else {
                Vec::new()
            };
            (n, rows)
        } else {
            (0, Vec::new())
        };
        self.fit();
        Ok(())
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

    /// Lines of the inspections block: the count line, its rows (one line when there are
    /// none) and a blank line.
    pub fn insp_block_height(&self) -> u16 {
        (self.insp.len() as u16).clamp(1, self.mine_rows.max(1)) + 2
    }

    /// Lines of the proposals block (reviewers only): the count line, its rows (one line when
    /// there are none) and a blank line; none for anyone else.
    pub fn props_block_height(&self) -> u16 {
        if self.prop_query.is_none() {
            return 0;
        }
        (self.props.len() as u16).clamp(1, self.props_rows()) + 2
    }

    /// The proposals block shows fewer rows than the others on a small terminal.
    fn props_rows(&self) -> u16 {
        self.mine_rows.saturating_sub(1).max(1)
    }

    /// The follow-ups get the body below the warnings, inspections and proposals blocks.
    fn fit(&mut self) {
        let blocks = self.mine_block_height()
            + self.insp_block_height()
            + self.props_block_height()
            + self.disp_block_height()
            + self.clock_block_height();
        self.loans.list.height = self.body.saturating_sub(u64::from(blocks)).max(1);
    }

    /// The inspections block: the count of each part and the first rows.
    fn reload_inspections(&mut self, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.insp_counts = ctx.store.today_inspection_counts(&self.insp_query)?;
        self.insp = ctx
            .store
            .today_inspection_rows(&self.insp_query, usize::from(self.mine_rows))?;
        self.fit();
        Ok(())
    }

    /// The proposals block: how many the reviewer may decide, and the first ones.
    fn reload_proposals(&mut self, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        if let Some(q) = &self.prop_query {
            let (n, rows) = ctx
                .store
                .proposals_to_decide(q, usize::from(self.props_rows()))?;
            self.props_count = n;
            self.props = rows;
        }
        self.fit();
        Ok(())
    }

    /// Whether the acting user reviews reports (the block counts "to review").
    fn reviews(&self) -> bool {
        matches!(self.insp_query.role, Role::Supervisor | Role::Manager)
    }

    /// The Inspections pane's query for what this block counts.
    pub fn inspections_query(&self) -> InspectionQuery {
        InspectionQuery {
            today_of: Some(Box::new(self.insp_query.clone())),
            active: true,
            ..InspectionQuery::default()
        }
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

impl Today {
    /// The inspections block: a count line, then at most `mine_rows` inspections (returned,
    /// overdue, due, to review), then a blank line.
    fn inspections_block(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let (lang, theme) = (view.lang, view.theme);
        let title = if self.team {
            lang.t("today_inspections.title_team")
        } else {
            lang.t("today_inspections.title_mine")
        };
        let mut spans = vec![Span::styled(format!(" {title}  "), theme.title)];
        let mut first = true;
        // Counted as the issue words it (overdue first); listed below returned first.
        for part in [
            TodayPart::Overdue,
            TodayPart::Due,
            TodayPart::Returned,
            TodayPart::ToReview,
        ] {
            if part == TodayPart::ToReview && !self.reviews() {
                continue;
            }
            if !first {
                spans.push(Span::styled(" · ", theme.muted));
            }
            first = false;
            let n = self.insp_counts[part as usize];
            let style = match part {
                TodayPart::Overdue if n > 0 => theme.danger,
                TodayPart::Returned | TodayPart::ToReview if n > 0 => theme.warning,
                _ => Style::new(),
            };
            spans.push(Span::styled(
                lang.tf(&format!("today_inspections.{}", part.code()), &[("n", &n)]),
                style,
            ));
        }
        let Some(rows) = block_rows(
            frame,
            area,
            spans,
            (Action::MyInspections, "today_inspections.more"),
            self.insp.is_empty().then_some("today_inspections.none"),
            view,
        ) else {
            return;
        };
        let buf = frame.buffer_mut();
        for (i, row) in self.insp.iter().enumerate() {
            let y = rows.y + i as u16;
            if y >= rows.y + rows.height {
                break;
            }
            let style = match row.part {
                _ if is_overdue(row, view.today) => theme.danger,
                TodayPart::Returned | TodayPart::ToReview => theme.warning,
                _ => Style::new(),
            };
            let text = inspection_line(row, rows.width, view.today, lang);
            set_row(buf, rows.x, y, rows.width, &text, style);
        }
    }
}

/// A block's head and body: its count line `spans` (the jump key's hint added when the key
/// is bound), and the rows area below it, or None when the block is empty (`none`: the
/// translation key of the line said instead).
fn block_rows(
    frame: &mut Frame<'_>,
    area: Rect,
    mut spans: Vec<Span<'static>>,
    (jump, more): (Action, &str),
    none: Option<&str>,
    view: &View<'_>,
) -> Option<Rect> {
    let (lang, theme) = (view.lang, view.theme);
    if let Some(key) = view.keymap.first_key(Section::Today, jump) {
        spans.push(Span::styled(
            format!("   {}", lang.tf(more, &[("key", &key)])),
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
    if let Some(none) = none {
        buf.set_line(
            rows.x + 2,
            rows.y,
            &Line::styled(lang.t(none), theme.muted),
            rows.width.saturating_sub(2),
        );
        return None;
    }
    Some(rows)
}

impl Today {
    /// The proposals block: a count line, then the first proposals the reviewer may decide
    /// (longest waiting first), then a blank line.
    fn proposals_block(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let (lang, theme) = (view.lang, view.theme);
        let n = self.props_count;
        let spans = vec![
            Span::styled(
                format!(" {}  ", lang.t("today_proposals.title")),
                theme.title,
            ),
            Span::styled(
                lang.tf("today_proposals.count", &[("n", &n)]),
                if n > 0 { theme.warning } else { Style::new() },
            ),
        ];
        let Some(rows) = block_rows(
            frame,
            area,
            spans,
            (Action::MyProposals, "today_proposals.more"),
            self.props.is_empty().then_some("today_proposals.none"),
            view,
        ) else {
            return;
        };
        let buf = frame.buffer_mut();
        for (i, row) in self.props.iter().enumerate() {
            let y = rows.y + i as u16;
            if y >= rows.y + rows.height {
                break;
            }
            let style = if row.proposed.is_non_performing() {
                theme.class(row.proposed)
            } else {
                Style::new()
            };
            set_row(
                buf,
                rows.x,
                y,
                rows.width,
                &proposal_line(row, rows.width, lang),
                style,
            );
        }
    }
}

impl Today {
    /// The disposal block: a count line (overdue actions; emergency plans needed for a
    /// manager), then the most overdue actions and the cases waiting longest for a plan.
    fn disposal_block(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let (lang, theme) = (view.lang, view.theme);
        let mut spans = vec![
            Span::styled(
                format!(" {}  ", lang.t("today_disposal.title")),
                theme.title,
            ),
            Span::styled(
                lang.tf("today_disposal.overdue", &[("n", &self.overdue_count)]),
                if self.overdue_count > 0 {
                    theme.danger
                } else {
                    Style::new()
                },
            ),
        ];
        if self.disp_manager {
            spans.push(Span::styled(" · ", theme.muted));
            spans.push(Span::styled(
                lang.tf("today_disposal.emergency", &[("n", &self.emergency_count)]),
                if self.emergency_count > 0 {
                    theme.danger
                } else {
                    Style::new()
                },
            ));
        }
        let Some(rows) = block_rows(
            frame,
            area,
            spans,
            (Action::MyDisposal, "today_disposal.more"),
            None,
            view,
        ) else {
            return;
        };
        let buf = frame.buffer_mut();
        let w = usize::from(rows.width);
        let lines = self
            .overdue
            .iter()
            .map(|a| overdue_line(a, w, view.today, lang))
            .chain(
                self.emergency
                    .iter()
                    .map(|c| emergency_line(c, w, view.today, lang)),
            );
        for (i, text) in lines.enumerate() {
            let y = rows.y + i as u16;
            if y >= rows.y + rows.height {
                break;
            }
            set_row(buf, rows.x, y, rows.width, &text, theme.danger);
        }
    }
}

impl Today {
    /// The clocks block: a count line (with "+N more" past the rows shown), then the clocks
    /// soonest first, run-out ones marked, the selected one highlighted.
    fn clocks_block(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let (lang, theme) = (view.lang, view.theme);
        let mut spans = vec![Span::styled(
            format!(
                " {}",
                lang.tf("today_clocks.title", &[("n", &self.clocks_count)])
            ),
            theme.title,
        )];
        if self.clocks_count > self.clocks.len() {
            spans.push(Span::styled(
                format!(
                    "  {}",
                    lang.tf(
                        "today_clocks.more",
                        &[("n", &(self.clocks_count - self.clocks.len()))]
                    )
                ),
                theme.muted,
            ));
        }
        let Some(rows) = block_rows(
            frame,
            area,
            spans,
            (Action::MyClocks, "today_clocks.select"),
            None,
            view,
        ) else {
            return;
        };
        let buf = frame.buffer_mut();
        for (i, c) in self.clocks.iter().enumerate() {
            let y = rows.y + i as u16;
            if y >= rows.y + rows.height {
                break;
            }
            let over = c.clock.days_left(view.today) < 0;
            let mut style = if over { theme.danger } else { theme.warning };
            if self.clock_sel == Some(i) {
                style = theme.selected;
            }
            let text = clock_line(c, view.today, lang);
            let mark = if self.clock_sel == Some(i) {
                "> "
            } else if over {
                "! "
            } else {
                "  "
            };
            set_row(buf, rows.x, y, rows.width, &format!("{mark}{text}"), style);
        }
    }
}

/// One clock of the Today block: contract, borrower, which clock, its end and days left.
pub fn clock_line(c: &ClockRow, today: chrono::NaiveDate, lang: Lang) -> String {
    lang.tf(
        "today_clocks.line",
        &[
            ("contract", &display(&c.contract_no)),
            ("borrower", &display(&c.borrower_name)),
            ("clock", &lang.code_name("clock_kind", c.clock.kind.code())),
            ("ends", &c.clock.ends_on),
            ("days", &super::outcomes::days_text(&c.clock, today, lang)),
        ],
    )
}

/// Clocks the Today block lists (soonest first; the rest are counted).
pub const CLOCK_ROWS: usize = 5;

/// One overdue action of the disposal block: `! #12 CZ2026-000001 PL… 追加担保 逾期 5 天 标题`.
pub fn overdue_line(a: &ActionRow, w: usize, today: chrono::NaiveDate, lang: Lang) -> String {
    let text = lang.tf(
        "today_disposal.action_line",
        &[
            ("id", &a.id),
            ("case", &display(&a.case_number)),
            (
                "contract",
                &a.contract_no.as_deref().map(display).unwrap_or_default(),
            ),
            ("kind", &lang.code_name("action_kind", a.kind.code())),
            ("days", &a.overdue_days(today)),
            (
                "title",
                &display(&a.title)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ],
    );
    truncate(&format!("! {text}"), w)
}

/// One case of the disposal block needing an emergency plan.
pub fn emergency_line(c: &CaseRow, w: usize, today: chrono::NaiveDate, lang: Lang) -> String {
    let text = lang.tf(
        "today_disposal.case_line",
        &[
            ("case", &display(&c.number)),
            ("borrower", &display(&c.borrower_name)),
            (
                "exposure",
                &crate::domain::money::format_money(c.exposure, "CNY"),
            ),
            ("days", &c.age_days(today)),
        ],
    );
    truncate(&format!("! {text}"), w)
}

/// One row of the proposals block fitted to `width`: id, contract, borrower, now → proposed,
/// then the reason (the proposer's words or the floor).
pub fn proposal_line(row: &ProposalRow, width_cols: u16, lang: Lang) -> String {
    let w = usize::from(width_cols);
    let reason_w = if w >= 110 { 40 } else { 24 };
    let change = format!(
        "{} → {}",
        lang.code_name("class", row.current.code()),
        lang.code_name("class", row.proposed.code())
    );
    let cells: Vec<(String, usize)> = vec![
        (row.id.to_string(), 5),
        (display(&row.contract_no), 12),
        (display(&row.borrower_name), 0),
        (change, 14),
    ];
    let fixed: usize = cells.iter().map(|(_, n)| n + 1).sum::<usize>() + 2 + reason_w;
    let rest = w.saturating_sub(fixed).max(6);
    let mut line = String::from("  ");
    for (text, n) in cells {
        let n = if n == 0 { rest } else { n };
        line.push_str(&pad_right(&truncate(&text, n), n));
        line.push(' ');
    }
    let reason = super::classification::reason_text(lang, row);
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    line.push_str(&truncate(&reason, reason_w));
    line
}

fn set_row(buf: &mut Buffer, x: u16, y: u16, w: u16, text: &str, style: Style) {
    buf.set_line(
        x,
        y,
        &Line::styled(truncate(text, usize::from(w)), style),
        w,
    );
}

/// What a row of the inspections block says after its due date: days overdue or to go and
/// the status, the start of the return comment, or which approval it waits for.
pub fn inspection_tag(row: &TodayInspectionRow, today: chrono::NaiveDate, lang: Lang) -> String {
    let status = lang.code_name("inspection_status", row.row.status.code());
    let days = (row.row.due_on - today).num_days();
    match row.part {
        TodayPart::Returned => {
            let comment: String = display(&row.return_comment)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            lang.tf("today_inspections.returned_tag", &[("comment", &comment)])
        }
        TodayPart::ToReview if row.approvals_done >= 1 => {
            lang.t("today_inspections.review_second").to_string()
        }
        TodayPart::ToReview => lang.t("today_inspections.review_first").to_string(),
        TodayPart::Overdue | TodayPart::Due => {
            let when = if days < 0 {
                lang.tf("today_inspections.days_overdue", &[("days", &-days)])
            } else if days == 0 {
                lang.t("today_inspections.due_today").to_string()
            } else {
                lang.tf("today_inspections.due_in", &[("days", &days)])
            };
            format!("{when} · {status}")
        }
    }
}

/// One row of the inspections block fitted to `width`: number, contract, borrower, kind, due
/// date (from 110 columns), then the tag; the borrower takes what is left.
pub fn inspection_line(
    row: &TodayInspectionRow,
    width_cols: u16,
    today: chrono::NaiveDate,
    lang: Lang,
) -> String {
    let w = usize::from(width_cols);
    let wide = w >= 110;
    let tag_w = if wide { 30 } else { 23 };
    let kind = lang.code_name("inspection_kind", row.row.kind.code());
    let mut cells: Vec<(String, usize)> = vec![
        (display(&row.row.number), 13),
        (display(&row.row.contract_no), 12),
        (display(&row.row.borrower_name), 0),
        (kind, 8),
    ];
    if wide {
        cells.push((row.row.due_on.to_string(), 10));
    }
    let fixed: usize = cells.iter().map(|(_, n)| n + 1).sum::<usize>() + 2 + tag_w;
    let rest = w.saturating_sub(fixed).max(6);
    let mut line = String::from("  ");
    if is_overdue(row, today) {
        // The mark tells overdue rows apart without colour too.
        line.replace_range(0..1, "!");
    }
    for (text, n) in cells {
        let n = if n == 0 { rest } else { n };
        line.push_str(&pad_right(&truncate(&text, n), n));
        line.push(' ');
    }
    let tag = inspection_tag(row, today, lang);
    line.push_str(&truncate(&tag, tag_w));
    line
}

/// An overdue row: one of the overdue part, or a returned report past its due date.
fn is_overdue(row: &TodayInspectionRow, today: chrono::NaiveDate) -> bool {
    row.row.due_on < today && matches!(row.part, TodayPart::Overdue | TodayPart::Returned)
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
        if action == Action::MyProposals {
            // The classification pane, filtered to what the proposals block counts.
            let Some(q) = &self.prop_query else {
                return Ok(Outcome::Unchanged);
            };
            let q = ProposalQuery {
                from_today: true,
                ..q.clone()
            };
            return Ok(Outcome::Consumed(vec![Effect::ShowProposals(Box::new(q))]));
        }
        if action == Action::MyDisposal {
            // The disposal pane: the overdue actions, else the red cases.
            let jump = if self.overdue_count > 0 || !self.disp_manager {
                super::disposal::DisposalJump::Overdue
            } else {
                super::disposal::DisposalJump::Red
            };
            return Ok(Outcome::Consumed(vec![Effect::ShowDisposal(jump)]));
        }
        if action == Action::MyClocks {
            self.clock_sel = match self.clock_sel {
                None if !self.clocks.is_empty() => Some(0),
                None => return Ok(Outcome::Unchanged),
                Some(_) => None,
            };
            return Ok(Outcome::Consumed(Vec::new()));
        }
        if let Some(i) = self.clock_sel {
            // While the clocks block has the keys, j/k move in it and Enter opens the loan.
            match action {
                Action::Down => {
                    self.clock_sel = Some((i + 1).min(self.clocks.len().saturating_sub(1)));
                    return Ok(Outcome::Consumed(Vec::new()));
                }
                Action::Up => {
                    self.clock_sel = Some(i.saturating_sub(1));
                    return Ok(Outcome::Consumed(Vec::new()));
                }
                Action::Open => {
                    return Ok(match self.clocks.get(i) {
                        Some(c) => Outcome::Consumed(vec![Effect::OpenLoanDisposal(c.loan_id)]),
                        None => Outcome::Unchanged,
                    });
                }
                Action::Back => {
                    self.clock_sel = None;
                    return Ok(Outcome::Consumed(Vec::new()));
                }
                _ => {}
            }
        }
        if action == Action::MyInspections {
            // The Inspections pane, filtered to what the inspections block counts.
            let q = self.inspections_query();
            return Ok(Outcome::Consumed(vec![Effect::ShowInspections(Box::new(
                q,
            ))]));
        }
        self.loans.handle(action, ctx.store)
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        if changed.any(Changed::LOANS | Changed::WARNINGS) {
            self.reload_mine(ctx)?;
        }
        if changed.any(Changed::LOANS | Changed::INSPECTIONS) {
            self.reload_inspections(ctx)?;
        }
        if changed.any(Changed::LOANS | Changed::CLASSES) {
            self.reload_proposals(ctx)?;
        }
        if changed.any(Changed::DISPOSAL | Changed::WARNINGS) {
            self.reload_disposal(ctx)?;
        }
        if changed.any(Changed::DISPOSAL | Changed::LOANS) {
            self.reload_clocks(ctx)?;
        }
        // The list's height follows the blocks above it.
        if changed.any(
            Changed::LOANS
                | Changed::WARNINGS
                | Changed::INSPECTIONS
                | Changed::CLASSES
                | Changed::DISPOSAL,
        ) {
            self.loans.list.reload(ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let block = self.mine_block_height().min(area.height);
        self.warnings_block(frame, Rect::new(area.x, area.y, area.width, block), view);
        let area = Rect::new(area.x, area.y + block, area.width, area.height - block);
        let block = self.insp_block_height().min(area.height);
        self.inspections_block(frame, Rect::new(area.x, area.y, area.width, block), view);
        let area = Rect::new(area.x, area.y + block, area.width, area.height - block);
        let block = self.props_block_height().min(area.height);
        if block > 0 {
            self.proposals_block(frame, Rect::new(area.x, area.y, area.width, block), view);
        }
        let area = Rect::new(area.x, area.y + block, area.width, area.height - block);
        let block = self.disp_block_height().min(area.height);
        if block > 0 {
            self.disposal_block(frame, Rect::new(area.x, area.y, area.width, block), view);
        }
        let area = Rect::new(area.x, area.y + block, area.width, area.height - block);
        let block = self.clock_block_height().min(area.height);
        if block > 0 {
            self.clocks_block(frame, Rect::new(area.x, area.y, area.width, block), view);
        }
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
