//! The warning board (预警): every active warning, red first, then orange, then yellow, oldest
//! first within a level; counts per level and the filters on top, paged from the store. A key
//! turns it to the by-borrower view: one row per open risk case (level, signals, loans,
//! exposure, officer, age, next deadline), paged the same way; Enter there opens the case.

use crate::domain::warning::{ManualSignal, WarningStatus};
use crate::engine::rules::Indicator;
use crate::i18n::Lang;
use crate::store::{CaseFilter, Store, StoreError, WarningQuery};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::widgets::paged::PagedList;
use crate::tui::widgets::warning_cells::{self, count_spans, indicator_name};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The board's list.
pub type WarningList = PagedList<WarningQuery>;

/// The status filter's steps: every active status, each status alone, then everything.
const STATUS_CYCLE: [(Option<WarningStatus>, bool); 7] = [
    (None, false),
    (Some(WarningStatus::Open), false),
    (Some(WarningStatus::Acknowledged), false),
    (Some(WarningStatus::InDisposal), false),
    (Some(WarningStatus::Resolved), false),
    (Some(WarningStatus::Dismissed), false),
    (None, true),
];

/// The board: its list and the counts per level of what the filters (except level) match.
#[derive(Debug, Clone)]
pub struct Board {
    pub list: WarningList,
    pub counts: [u64; 3],
    /// The by-borrower view is shown: one row per open risk case.
    pub by_case: bool,
    pub cases: PagedList<CaseFilter>,
    /// Open cases per level (the by-borrower view's count line).
    pub case_counts: [u64; 3],
}

impl Board {
    pub fn new(query: WarningQuery) -> Board {
        Board {
            list: PagedList::new(query),
            counts: [0; 3],
            by_case: false,
            cases: PagedList::new(CaseFilter::default()),
            case_counts: [0; 3],
        }
    }

    /// Reads the view in front again (the other when it is turned to).
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        if self.by_case {
            self.case_counts = store.case_level_counts()?;
            return self.cases.reload(store);
        }
        self.counts = store.warning_level_counts(&self.list.query)?;
        self.list.reload(store)
    }

    /// Per signal ↔ by borrower.
    pub fn toggle_by_case(&mut self, store: &Store) -> Result<(), StoreError> {
        self.by_case = !self.by_case;
        self.reload(store)
    }

    /// The by-borrower view's keys: its moves, the level and "mine" filters, Enter.
    fn handle_cases(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let store = ctx.store;
        let page = self.cases.height.max(1) as i64;
        let changed = |moved: bool| {
            if moved {
                Outcome::Consumed(Vec::new())
            } else {
                Outcome::Unchanged
            }
        };
        let restart = |b: &mut Board| -> Result<Outcome, StoreError> {
            b.cases.cursor = 0;
            b.cases.scroll = 0;
            b.cases.window.clear();
            b.reload(store)?;
            Ok(Outcome::Consumed(Vec::new()))
        };
        Ok(match action {
            Action::Down => changed(self.cases.move_by(store, 1)?),
            Action::Up => changed(self.cases.move_by(store, -1)?),
            Action::PageDown => changed(self.cases.move_by(store, page)?),
            Action::PageUp => changed(self.cases.move_by(store, -page)?),
            Action::Top => changed(self.cases.to_top(store)?),
            Action::Bottom => changed(self.cases.to_bottom(store)?),
            Action::ByBorrower => {
                self.toggle_by_case(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterLevel => {
                self.cases.query.level = super::disposal::next_level(self.cases.query.level);
                restart(self)?
            }
            Action::FilterMine => {
                self.cases.query.officer = match self.cases.query.officer {
                    Some(_) => None,
                    None => Some(ctx.user.to_string()),
                };
                restart(self)?
            }
            Action::ClearFilter if self.cases.query != CaseFilter::default() => {
                self.cases.query = CaseFilter::default();
                restart(self)?
            }
            Action::Open | Action::OpenWarning => match self.cases.selected() {
                Some(row) => Outcome::Consumed(vec![Effect::OpenCase(row.number.clone())]),
                None => Outcome::Unchanged,
            },
            a if Section::Board.actions().contains(&a) || Section::List.actions().contains(&a) => {
                Outcome::Unchanged
            }
            _ => Outcome::NotMine,
        })
    }

    /// The by-borrower view's filters in words.
    pub fn case_filter_text(&self, lang: Lang) -> String {
        let q = &self.cases.query;
        let level = q
            .level
            .map(|l| lang.code_name("level", l.code()))
            .unwrap_or_else(|| lang.t("warning.filter_all").to_string());
        let scope = if q.officer.is_some() {
            lang.t("warning.filter_mine")
        } else {
            lang.t("warning.filter_everyone")
        };
        lang.tf(
            "disposal_pane.by_borrower_filters",
            &[("level", &level), ("scope", &scope)],
        )
    }

    /// Runs the changed query from the top.
    fn restart(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.cursor = 0;
        self.list.scroll = 0;
        self.list.window.clear();
        self.reload(store)
    }

    /// Replaces the whole query (Today's `w`: the acting user's warnings).
    pub fn set_query(&mut self, store: &Store, query: WarningQuery) -> Result<(), StoreError> {
        self.list.query = query;
        self.restart(store)
    }

    /// All → red → orange → yellow → all.
    pub fn cycle_level(&mut self, store: &Store) -> Result<(), StoreError> {
        use crate::domain::warning::Level;
        let q = &mut self.list.query;
        q.level = match q.level {
            None => Some(Level::Red),
            Some(Level::Red) => Some(Level::Orange),
            Some(Level::Orange) => Some(Level::Yellow),
            Some(Level::Yellow) => None,
        };
        self.restart(store)
    }

    pub fn cycle_status(&mut self, store: &Store) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        let now = (q.status, q.status.is_none() && q.include_closed);
        let i = STATUS_CYCLE.iter().position(|s| *s == now).unwrap_or(0);
        let (status, closed) = STATUS_CYCLE[(i + 1) % STATUS_CYCLE.len()];
        q.status = status;
        q.include_closed = closed;
        self.restart(store)
    }

    /// Only `user`'s warnings, or everyone's.
    pub fn toggle_mine(&mut self, store: &Store, user: &str) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        q.officer = match q.officer {
            Some(_) => None,
            None => Some(user.to_string()),
        };
        self.restart(store)
    }

    /// All → each indicator → each manual signal → the inspection score → all.
    pub fn cycle_indicator(&mut self, store: &Store) -> Result<(), StoreError> {
        let codes: Vec<&str> = Indicator::ALL
            .iter()
            .map(|i| i.code())
            .chain(ManualSignal::ALL.iter().map(|s| s.code()))
            .chain([crate::workflow::inspection_checklist::INDICATOR])
            .collect();
        let q = &mut self.list.query;
        let next = match &q.indicator {
            None => codes.first().copied(),
            Some(c) => codes
                .iter()
                .position(|x| x == c)
                .and_then(|i| codes.get(i + 1).copied()),
        };
        q.indicator = next.map(str::to_string);
        self.restart(store)
    }

    /// Back to every active warning of everyone.
    pub fn clear_filters(&mut self, store: &Store) -> Result<bool, StoreError> {
        let q = &mut self.list.query;
        let base = WarningQuery::default();
        if *q == base {
            return Ok(false);
        }
        *q = base;
        self.restart(store)?;
        Ok(true)
    }

    /// The filters in words: `级别 全部 · 状态 未关闭 · 我的 · 信号 全部`.
    pub fn filter_text(&self, lang: Lang) -> String {
        let q = &self.list.query;
        let all = lang.t("warning.filter_all");
        let level = q
            .level
            .map(|l| lang.code_name("level", l.code()))
            .unwrap_or_else(|| all.to_string());
        let status = match (q.status, q.include_closed) {
            (Some(s), _) => lang.code_name("wstatus", s.code()),
            (None, true) => all.to_string(),
            (None, false) => lang.t("warning.filter_active").to_string(),
        };
        let scope = if q.officer.is_some() {
            lang.t("warning.filter_mine")
        } else {
            lang.t("warning.filter_everyone")
        };
        let signal = match &q.indicator {
            Some(code) => {
                let manual =
                    ManualSignal::parse(code).is_some() && Indicator::parse(code).is_none();
                indicator_name(if manual { "manual" } else { "system" }, code, lang)
            }
            None => all.to_string(),
        };
        lang.tf(
            "warning.filters",
            &[
                ("level", &level),
                ("status", &status),
                ("scope", &scope),
                ("signal", &signal),
            ],
        )
    }
}

/// Rows of the board's list: the body minus the counts line and the column header.
pub fn list_rows(body_rows: u16) -> u64 {
    u64::from(body_rows.saturating_sub(2)).max(1)
}

pub fn render(board: &Board, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
    let (lang, theme) = (view.lang, view.theme);
    if area.height < 3 {
        return;
    }
    if board.by_case {
        let mut spans = vec![
            Span::raw(" "),
            Span::styled(
                lang.tf(
                    "disposal_pane.by_borrower",
                    &[("n", &board.cases.total_text())],
                ),
                theme.title,
            ),
            Span::raw("  "),
        ];
        spans.extend(count_spans(&board.case_counts, lang, theme));
        spans.push(Span::styled(board.case_filter_text(lang), theme.muted));
        let buf = frame.buffer_mut();
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
        let rest = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
        super::disposal::render_cases(&board.cases, buf, rest, view.today, lang, theme);
        return;
    }
    let mut spans = vec![Span::raw(" ")];
    spans.extend(count_spans(&board.counts, lang, theme));
    spans.push(Span::styled(board.filter_text(lang), theme.muted));
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    let list_area = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    let cols = warning_cells::columns(area.width, true);
    let list = &board.list;
    let cursor = list.cursor.checked_sub(list.scroll).map(|c| c as usize);
    warning_cells::render_rows(
        list.visible().map(|(_, r)| r),
        cursor,
        &cols,
        true,
        list_area,
        buf,
        lang,
        theme,
    );
    if list.total == 0 {
        buf.set_line(
            area.x + 2,
            area.y + 2,
            &Line::styled(lang.t("warning.board_empty"), theme.muted),
            area.width.saturating_sub(2),
        );
    }
}

/// The footer's commands (after the position and the legend).
const BOARD_HINTS: &[Hint] = &[
    Hint::Group(
        Section::Board,
        &[
            Action::FilterLevel,
            Action::FilterStatus,
            Action::FilterMine,
            Action::FilterIndicator,
        ],
        "hint.filters",
    ),
    Hint::One(Section::Board, Action::Acknowledge),
    Hint::One(Section::Board, Action::WriteCause),
    Hint::One(Section::Board, Action::IssueNotice),
    Hint::One(Section::Board, Action::RaiseManual),
    Hint::One(Section::Board, Action::ByBorrower),
    Hint::One(Section::Board, Action::OpenWarning),
    Hint::One(Section::Global, Action::Help),
];

/// The footer of the by-borrower view: only what works there (level and mine filters, back
/// to the signals, open the case); the per-signal keys act on one warning and do nothing here.
const CASE_VIEW_HINTS: &[Hint] = &[
    Hint::Group(
        Section::Board,
        &[Action::FilterLevel, Action::FilterMine],
        "hint.filters",
    ),
    Hint::One(Section::Board, Action::ByBorrower),
    Hint::One(Section::List, Action::Open),
    Hint::One(Section::Global, Action::Help),
];

impl Component for Board {
    fn sections(&self) -> &'static [Section] {
        &[Section::Board, Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        if self.by_case {
            CASE_VIEW_HINTS
        } else {
            BOARD_HINTS
        }
    }

    fn ignores(&self) -> &'static [Action] {
        // The board's list has no text filter or sort, and its Enter is its own (the
        // warning); the list's Open is not used.
        &[
            Action::Open,
            Action::Filter,
            Action::SortNext,
            Action::SortPrev,
            Action::SortReverse,
        ]
    }

    /// The list's keys and filters change the board; the rest acts on the selected warning.
    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        if self.by_case {
            return self.handle_cases(action, ctx);
        }
        let store = ctx.store;
        let page = self.list.height.max(1) as i64;
        let changed = |moved: bool| {
            if moved {
                Outcome::Consumed(Vec::new())
            } else {
                Outcome::Unchanged
            }
        };
        let selected = self.list.selected().cloned();
        Ok(match action {
            Action::Down => changed(self.list.move_by(store, 1)?),
            Action::Up => changed(self.list.move_by(store, -1)?),
            Action::PageDown => changed(self.list.move_by(store, page)?),
            Action::PageUp => changed(self.list.move_by(store, -page)?),
            Action::Top => changed(self.list.to_top(store)?),
            Action::Bottom => changed(self.list.to_bottom(store)?),
            Action::ClearFilter => changed(self.clear_filters(store)?),
            Action::ByBorrower => {
                self.toggle_by_case(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterLevel => {
                self.cycle_level(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterStatus => {
                self.cycle_status(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterMine => {
                self.toggle_mine(store, ctx.user)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterIndicator => {
                self.cycle_indicator(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::Open | Action::OpenWarning => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::OpenWarning(row.id)]),
                None => Outcome::Unchanged,
            },
            Action::RaiseManual => Outcome::Consumed(vec![Effect::RaiseWarning(
                selected.map(|r| r.contract_no).unwrap_or_default(),
            )]),
            Action::OpenLoan => Outcome::Consumed(vec![Effect::OpenLoanOfWarning]),
            Action::StartInspection => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::StartInspection {
                    contract: row.contract_no,
                    planned: None,
                    warning: Some(row.number),
                }]),
                None => Outcome::Unchanged,
            },
            Action::Acknowledge
            | Action::StartDisposal
            | Action::Resolve
            | Action::Dismiss
            | Action::WriteCause
            | Action::IssueNotice => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::WarningCommand(Box::new(row), action)]),
                None => Outcome::Unchanged,
            },
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        if changed.any(Changed::WARNINGS | Changed::LOANS | Changed::DISPOSAL) {
            Board::reload(self, ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view);
    }
}
