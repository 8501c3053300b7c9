//! The disposal pane (处置, pane 6): the open risk cases by level, then next deadline, and —
//! a key away — every open action by deadline, overdue first; both paged from the store by
//! keyset (never the whole book). Filters: level, owner, status and "mine"; `x` clears them.
//! Enter opens the case. The case rows are shared with the board's by-borrower view.

use crate::domain::disposal::ActionStatus;
use crate::domain::money::format_money;
use crate::domain::text::{display, pad_left, pad_right, truncate};
use crate::domain::warning::Level;
use crate::i18n::Lang;
use crate::store::{
    ActionFilter, ActionRow, CaseFilter, CaseRow, PageFrom, PageKey, Store, StoreError, Total,
};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::theme::Theme;
use crate::tui::widgets::paged::{PageSource, PagedList};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

impl PageSource for CaseFilter {
    type Row = CaseRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        Ok(Total::exact(store.case_count(self)?))
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.case_count(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<CaseRow>, StoreError> {
        store.cases_page(self, from, limit)
    }
    fn key(row: &CaseRow) -> PageKey {
        row.key()
    }
}

impl PageSource for ActionFilter {
    type Row = ActionRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        Ok(Total::exact(store.action_count(self)?))
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.action_count(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<ActionRow>, StoreError> {
        store.actions_page(self, from, limit)
    }
    fn key(row: &ActionRow) -> PageKey {
        row.key()
    }
}

/// Which list the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisposalList {
    Cases,
    Actions,
}

/// What Today's jump key asks the pane to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisposalJump {
    /// The acting user's overdue actions.
    Overdue,
    /// The red cases (where "emergency plan needed" is).
    Red,
}

/// The pane: both lists (each keeps its place), the open cases per level, who is looking.
#[derive(Debug, Clone)]
pub struct DisposalPane {
    pub shown: DisposalList,
    pub cases: PagedList<CaseFilter>,
    pub actions: PagedList<ActionFilter>,
    pub counts: [u64; 3],
    pub user: String,
    pub today: NaiveDate,
}

/// The action statuses the status filter steps through (None: the open ones).
const STATUS_CYCLE: [Option<ActionStatus>; 6] = [
    None,
    Some(ActionStatus::Planned),
    Some(ActionStatus::InProgress),
    Some(ActionStatus::Done),
    Some(ActionStatus::Failed),
    Some(ActionStatus::Cancelled),
];

/// Rows of a list: the body less the header line and the column header.
pub fn list_rows(body_rows: u16) -> u64 {
    u64::from(body_rows.saturating_sub(2)).max(1)
}

/// All → red → orange → yellow → all.
pub fn next_level(level: Option<Level>) -> Option<Level> {
    match level {
        None => Some(Level::Red),
        Some(Level::Red) => Some(Level::Orange),
        Some(Level::Orange) => Some(Level::Yellow),
        Some(Level::Yellow) => None,
    }
}

impl DisposalPane {
    pub fn new(user: &str, today: NaiveDate) -> DisposalPane {
        DisposalPane {
            shown: DisposalList::Cases,
            cases: PagedList::new(CaseFilter::default()),
            actions: PagedList::new(ActionFilter::default()),
            counts: [0; 3],
            user: user.to_string(),
            today,
        }
    }

    pub fn set_height(&mut self, rows: u64) {
        self.cases.height = rows;
        self.actions.height = rows;
    }

    /// Reads the counts and the list in view again (the cursor kept where it can be); the
    /// other list is read when switched to.
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.counts = store.case_level_counts()?;
        match self.shown {
            DisposalList::Cases => self.cases.reload(store),
            DisposalList::Actions => self.actions.reload(store),
        }
    }

    fn restart(&mut self, store: &Store) -> Result<(), StoreError> {
        fn top<Q: PageSource>(l: &mut PagedList<Q>) {
            l.cursor = 0;
            l.scroll = 0;
            l.window.clear();
        }
        match self.shown {
            DisposalList::Cases => top(&mut self.cases),
            DisposalList::Actions => top(&mut self.actions),
        }
        self.reload(store)
    }

    /// Cases ↔ actions.
    pub fn switch(&mut self, store: &Store) -> Result<(), StoreError> {
        self.shown = match self.shown {
            DisposalList::Cases => DisposalList::Actions,
            DisposalList::Actions => DisposalList::Cases,
        };
        self.reload(store)
    }

    /// Shows what Today's jump key asks for, from the top.
    pub fn jump(&mut self, store: &Store, jump: &DisposalJump) -> Result<(), StoreError> {
        match jump {
            DisposalJump::Overdue => {
                self.shown = DisposalList::Actions;
                self.actions.query = ActionFilter {
                    mine: Some(self.user.clone()),
                    overdue_on: Some(self.today),
                    ..ActionFilter::default()
                };
            }
            DisposalJump::Red => {
                self.shown = DisposalList::Cases;
                self.cases.query = CaseFilter {
                    level: Some(Level::Red),
                    ..CaseFilter::default()
                };
            }
        }
        self.restart(store)
    }

    fn cycle_level(&mut self, store: &Store) -> Result<(), StoreError> {
        match self.shown {
            DisposalList::Cases => self.cases.query.level = next_level(self.cases.query.level),
            DisposalList::Actions => {
                self.actions.query.level = next_level(self.actions.query.level)
            }
        }
        self.restart(store)
    }

    fn toggle_mine(&mut self, store: &Store) -> Result<(), StoreError> {
        let me = Some(self.user.clone());
        match self.shown {
            DisposalList::Cases => {
                let q = &mut self.cases.query;
                q.officer = if q.officer.is_some() { None } else { me };
            }
            DisposalList::Actions => {
                let q = &mut self.actions.query;
                q.mine = if q.mine.is_some() { None } else { me };
            }
        }
        self.restart(store)
    }

    /// Actions only: the selected action's owner, or everyone's again.
    fn toggle_owner(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.shown != DisposalList::Actions {
            return Ok(false);
        }
        let q = &mut self.actions.query;
        if q.owner.is_some() {
            q.owner = None;
        } else {
            let Some(row) = self.actions.selected() else {
                return Ok(false);
            };
            self.actions.query.owner = Some(row.owner.clone());
        }
        self.restart(store)?;
        Ok(true)
    }

    /// Actions only: open → planned → in progress → done → failed → cancelled → open.
    fn cycle_status(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.shown != DisposalList::Actions {
            return Ok(false);
        }
        let q = &mut self.actions.query;
        let i = STATUS_CYCLE
            .iter()
            .position(|s| *s == q.status)
            .unwrap_or(0);
        q.status = STATUS_CYCLE[(i + 1) % STATUS_CYCLE.len()];
        self.restart(store)?;
        Ok(true)
    }

    /// Back to the open cases / open actions of everyone; whether anything changed.
    pub fn clear_filters(&mut self, store: &Store) -> Result<bool, StoreError> {
        let cleared = match self.shown {
            DisposalList::Cases => {
                let was = std::mem::take(&mut self.cases.query);
                was != self.cases.query
            }
            DisposalList::Actions => {
                let was = std::mem::take(&mut self.actions.query);
                was != self.actions.query
            }
        };
        if cleared {
            self.restart(store)?;
        }
        Ok(cleared)
    }

    /// The active filters in words: `级别 红色 · 我的 · 逾期`; "all" when none.
    pub fn filter_text(&self, lang: Lang) -> String {
        let mut parts = Vec::new();
        let level = match self.shown {
            DisposalList::Cases => self.cases.query.level,
            DisposalList::Actions => self.actions.query.level,
        };
        if let Some(l) = level {
            parts.push(lang.tf(
                "disposal_pane.filter_level",
                &[("level", &lang.code_name("level", l.code()))],
            ));
        }
        match self.shown {
            DisposalList::Cases => {
                if self.cases.query.officer.is_some() {
                    parts.push(lang.t("disposal_pane.filter_mine").to_string());
                }
            }
            DisposalList::Actions => {
                let q = &self.actions.query;
                if let Some(o) = &q.owner {
                    parts.push(lang.tf("disposal_pane.filter_owner", &[("owner", &display(o))]));
                }
                if let Some(s) = q.status {
                    parts.push(lang.tf(
                        "disposal_pane.filter_status",
                        &[("status", &lang.code_name("action_status", s.code()))],
                    ));
                }
                if q.mine.is_some() {
                    parts.push(lang.t("disposal_pane.filter_mine").to_string());
                }
                if q.overdue_on.is_some() {
                    parts.push(lang.t("disposal_pane.filter_overdue").to_string());
                }
            }
        }
        if parts.is_empty() {
            return lang.t("disposal_pane.filter_none").to_string();
        }
        let mut text = parts.join(" · ");
        text.push_str("  ");
        text.push_str(lang.t("disposal_pane.clear_hint"));
        text
    }

    /// The list in view's cursor, total and total as said.
    pub fn position(&self) -> (u64, u64, String) {
        match self.shown {
            DisposalList::Cases => (self.cases.cursor, self.cases.total, self.cases.total_text()),
            DisposalList::Actions => (
                self.actions.cursor,
                self.actions.total,
                self.actions.total_text(),
            ),
        }
    }
}

/// A column of the case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseCol {
    Number,
    Level,
    Borrower,
    Signals,
    Loans,
    Exposure,
    Officer,
    Age,
    NextDeadline,
}

impl CaseCol {
    fn title_key(self) -> &'static str {
        match self {
            CaseCol::Number => "disposal_pane.col_case",
            CaseCol::Level => "disposal_pane.col_level",
            CaseCol::Borrower => "disposal_pane.col_borrower",
            CaseCol::Signals => "disposal_pane.col_signals",
            CaseCol::Loans => "disposal_pane.col_loans",
            CaseCol::Exposure => "disposal_pane.col_exposure",
            CaseCol::Officer => "disposal_pane.col_officer",
            CaseCol::Age => "disposal_pane.col_age",
            CaseCol::NextDeadline => "disposal_pane.col_next_deadline",
        }
    }

    fn right(self) -> bool {
        matches!(
            self,
            CaseCol::Signals | CaseCol::Loans | CaseCol::Exposure | CaseCol::Age
        )
    }

    fn text(self, row: &CaseRow, today: NaiveDate, lang: Lang) -> String {
        match self {
            CaseCol::Number => display(&row.number),
            CaseCol::Level => lang.code_name("level", row.level.code()),
            CaseCol::Borrower => display(&row.borrower_name),
            CaseCol::Signals => row.warnings.to_string(),
            CaseCol::Loans => row.loans.to_string(),
            CaseCol::Exposure => format_money(row.exposure, "CNY"),
            CaseCol::Officer => display(&row.officer),
            CaseCol::Age => lang.tf("disposal_pane.days", &[("n", &row.age_days(today))]),
            CaseCol::NextDeadline => row
                .next_deadline
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".to_string()),
        }
    }
}

/// The case columns that fit `width`, each with its width; the borrower takes what is left.
pub fn case_columns(width: u16) -> Vec<(CaseCol, usize)> {
    let w = usize::from(width);
    let mut cols = vec![
        (CaseCol::Number, 13),
        (CaseCol::Level, 6),
        (CaseCol::Borrower, 0),
        (CaseCol::Signals, 4),
        (CaseCol::Loans, 4),
        (CaseCol::Exposure, 17),
    ];
    if w >= 110 {
        cols.push((CaseCol::Officer, 11));
        cols.push((CaseCol::Age, 6));
    }
    cols.push((CaseCol::NextDeadline, 10));
    fit(cols, w, CaseCol::Borrower)
}

/// Gives the flexible column what the fixed ones leave of `w` (two columns of margin, one
/// between cells).
fn fit<C: Copy + PartialEq>(mut cols: Vec<(C, usize)>, w: usize, flex: C) -> Vec<(C, usize)> {
    let fixed: usize = cols.iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
    let rest = w.saturating_sub(fixed).max(6);
    for c in &mut cols {
        if c.0 == flex {
            c.1 = rest;
        }
    }
    cols
}

fn cell(text: &str, w: usize, right: bool) -> String {
    let t = truncate(text, w);
    if right {
        pad_left(&t, w)
    } else {
        pad_right(&t, w)
    }
}

/// A case row's text: two columns of margin (the selection mark in the second), then cells.
pub fn case_line(row: &CaseRow, cols: &[(CaseCol, usize)], today: NaiveDate, lang: Lang) -> String {
    let mut s = String::from("  ");
    for (c, w) in cols {
        s.push_str(&cell(&c.text(row, today, lang), *w, c.right()));
        s.push(' ');
    }
    s
}

pub fn case_header(cols: &[(CaseCol, usize)], lang: Lang) -> String {
    let mut s = String::from("  ");
    for (c, w) in cols {
        s.push_str(&cell(lang.t(c.title_key()), *w, c.right()));
        s.push(' ');
    }
    s
}

/// Draws one row in three runs: the mark and the number (reversed when selected, so a
/// one-row move rewrites two short runs), the level in its colour, the rest plain. An
/// emergency plan needed is marked `!` without colour too.
fn put_row(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    text: &str,
    (head_w, head_style): (usize, Style),
    (level_w, level_style): (usize, Style),
) {
    let line = truncate(text, usize::from(area.width));
    let chars: Vec<char> = line.chars().collect();
    let head: String = chars.iter().take(head_w).collect();
    let lvl: String = chars.iter().skip(head_w).take(level_w).collect();
    let rest: String = chars.iter().skip(head_w + level_w).collect();
    buf.set_line(
        area.x,
        y,
        &Line::from(vec![
            Span::styled(head, head_style),
            Span::styled(lvl, level_style),
            Span::raw(rest),
        ]),
        area.width,
    );
}

/// Draws the case rows of `list` under a column header at `area`'s top.
pub fn render_cases(
    list: &PagedList<CaseFilter>,
    buf: &mut Buffer,
    area: Rect,
    today: NaiveDate,
    lang: Lang,
    theme: &Theme,
) {
    if area.height == 0 {
        return;
    }
    let cols = case_columns(area.width);
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(
            truncate(&case_header(&cols, lang), usize::from(area.width)),
            theme.header,
        ),
        area.width,
    );
    let level_w = cols.get(1).map_or(0, |(_, w)| *w + 1);
    for (i, (index, row)) in list.visible().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let mut text = case_line(row, &cols, today, lang);
        if row.emergency_needed {
            text.replace_range(0..1, "!");
        }
        let selected = index == list.cursor;
        if selected {
            text.replace_range(1..2, ">");
        }
        let head_style = if selected {
            theme.selected
        } else {
            Style::new()
        };
        put_row(
            buf,
            area,
            y,
            &text,
            (2 + cols.first().map_or(0, |(_, w)| *w + 1), head_style),
            (level_w, theme.level(row.level)),
        );
    }
    if list.total == 0 {
        buf.set_line(
            area.x + 2,
            area.y + 1,
            &Line::styled(lang.t("disposal_pane.no_cases"), theme.muted),
            area.width.saturating_sub(2),
        );
    }
}

/// A column of the action list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActCol {
    Case,
    Level,
    Contract,
    Kind,
    Title,
    Owner,
    Deadline,
    Overdue,
    Status,
}

impl ActCol {
    fn title_key(self) -> &'static str {
        match self {
            ActCol::Case => "disposal_pane.col_case",
            ActCol::Level => "disposal_pane.col_level",
            ActCol::Contract => "disposal_pane.col_contract",
            ActCol::Kind => "disposal_pane.col_kind",
            ActCol::Title => "disposal_pane.col_title",
            ActCol::Owner => "disposal_pane.col_owner",
            ActCol::Deadline => "disposal_pane.col_deadline",
            ActCol::Overdue => "disposal_pane.col_overdue",
            ActCol::Status => "disposal_pane.col_status",
        }
    }

    fn text(self, row: &ActionRow, today: NaiveDate, lang: Lang) -> String {
        match self {
            ActCol::Case => display(&row.case_number),
            ActCol::Level => lang.code_name("level", row.case_level.code()),
            ActCol::Contract => row.contract_no.as_deref().map(display).unwrap_or_default(),
            ActCol::Kind => lang.code_name("action_kind", row.kind.code()),
            ActCol::Title => display(&row.title),
            ActCol::Owner => display(&row.owner),
            ActCol::Deadline => row.deadline.to_string(),
            ActCol::Overdue => match row.overdue_days(today) {
                0 => String::new(),
                n => lang.tf("disposal_pane.days", &[("n", &n)]),
            },
            ActCol::Status => lang.code_name("action_status", row.status.code()),
        }
    }
}

fn action_columns(width: u16) -> Vec<(ActCol, usize)> {
    let w = usize::from(width);
    let mut cols = vec![(ActCol::Case, 13)];
    if w >= 110 {
        cols.push((ActCol::Level, 6));
    }
    cols.extend([
        (ActCol::Contract, 11),
        (ActCol::Kind, 0),
        (ActCol::Owner, 10),
        (ActCol::Deadline, 10),
        (ActCol::Overdue, 6),
        (ActCol::Status, 6),
    ]);
    if w >= 110 {
        cols.push((ActCol::Title, 24));
        for c in &mut cols {
            if c.0 == ActCol::Status {
                c.1 = 8;
            }
        }
    }
    fit(cols, w, ActCol::Kind)
}

/// Draws the action rows of `list` under a column header; overdue rows are marked `!` and
/// in the danger style.
fn render_actions(
    list: &PagedList<ActionFilter>,
    buf: &mut Buffer,
    area: Rect,
    today: NaiveDate,
    lang: Lang,
    theme: &Theme,
) {
    if area.height == 0 {
        return;
    }
    let cols = action_columns(area.width);
    let mut header = String::from("  ");
    for (c, w) in &cols {
        header.push_str(&cell(lang.t(c.title_key()), *w, false));
        header.push(' ');
    }
    buf.set_line(
        area.x,
        area.y,
        &Line::styled(truncate(&header, usize::from(area.width)), theme.header),
        area.width,
    );
    for (i, (index, row)) in list.visible().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let mut text = String::from("  ");
        for (c, w) in &cols {
            text.push_str(&cell(&c.text(row, today, lang), *w, false));
            text.push(' ');
        }
        let overdue = row.overdue_days(today) > 0;
        if overdue {
            text.replace_range(0..1, "!");
        }
        let selected = index == list.cursor;
        if selected {
            text.replace_range(1..2, ">");
        }
        let level_w = if cols.iter().any(|(c, _)| *c == ActCol::Level) {
            7
        } else {
            0
        };
        let rest_style = if overdue { theme.danger } else { Style::new() };
        let line = truncate(&text, usize::from(area.width));
        let chars: Vec<char> = line.chars().collect();
        let head_w = 2 + 14;
        let head: String = chars.iter().take(head_w).collect();
        let lvl: String = chars.iter().skip(head_w).take(level_w).collect();
        let rest: String = chars.iter().skip(head_w + level_w).collect();
        buf.set_line(
            area.x,
            y,
            &Line::from(vec![
                Span::styled(
                    head,
                    if selected {
                        rest_style.patch(theme.selected)
                    } else {
                        rest_style
                    },
                ),
                Span::styled(lvl, theme.level(row.case_level)),
                Span::styled(rest, rest_style),
            ]),
            area.width,
        );
    }
    if list.total == 0 {
        buf.set_line(
            area.x + 2,
            area.y + 1,
            &Line::styled(lang.t("disposal_pane.no_actions"), theme.muted),
            area.width.saturating_sub(2),
        );
    }
}

/// `红色 12  橙色 30  黄色 55`, each in its level's colour.
pub fn level_counts(counts: &[u64; 3], lang: Lang, theme: &Theme) -> Vec<Span<'static>> {
    crate::tui::widgets::warning_cells::count_spans(counts, lang, theme)
}

pub fn render(pane: &DisposalPane, frame: &mut Frame<'_>, area: Rect, lang: Lang, theme: &Theme) {
    if area.height < 3 {
        return;
    }
    // The title says what the list holds: open actions unless a status filter shows others.
    let title = match (pane.shown, pane.actions.query.status) {
        (DisposalList::Cases, _) => {
            lang.tf("disposal_pane.cases", &[("n", &pane.cases.total_text())])
        }
        (DisposalList::Actions, None) => lang.tf(
            "disposal_pane.actions",
            &[("n", &pane.actions.total_text())],
        ),
        (DisposalList::Actions, Some(s)) => lang.tf(
            "disposal_pane.actions_status",
            &[
                ("status", &lang.code_name("action_status", s.code())),
                ("n", &pane.actions.total_text()),
            ],
        ),
    };
    let mut head = vec![
        Span::raw(" "),
        Span::styled(title, theme.title),
        Span::raw("  "),
    ];
    // The level counts are the open cases': shown over the cases, not over the actions.
    if pane.shown == DisposalList::Cases {
        head.extend(level_counts(&pane.counts, lang, theme));
    }
    head.push(Span::styled(pane.filter_text(lang), theme.muted));
    let buf = frame.buffer_mut();
    buf.set_line(area.x, area.y, &Line::from(head), area.width);
    let rest = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    match pane.shown {
        DisposalList::Cases => render_cases(&pane.cases, buf, rest, pane.today, lang, theme),
        DisposalList::Actions => render_actions(&pane.actions, buf, rest, pane.today, lang, theme),
    }
}

/// The footer's commands (after the position).
const HINTS: &[Hint] = &[
    Hint::One(Section::Disposal, Action::SwitchList),
    Hint::Group(
        Section::Disposal,
        &[
            Action::FilterLevel,
            Action::FilterOwner,
            Action::FilterStatus,
            Action::FilterMine,
        ],
        "hint.filters",
    ),
    Hint::One(Section::List, Action::Open),
    Hint::One(Section::Disposal, Action::RecordRecovery),
    Hint::One(Section::Disposal, Action::RecordDemand),
    Hint::One(Section::Global, Action::Help),
];

impl Component for DisposalPane {
    fn sections(&self) -> &'static [Section] {
        &[Section::Disposal, Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        HINTS
    }

    fn ignores(&self) -> &'static [Action] {
        // The list has no text filter or sort.
        &[
            Action::Filter,
            Action::SortNext,
            Action::SortPrev,
            Action::SortReverse,
        ]
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let store = ctx.store;
        self.today = ctx.today;
        let changed = |moved: bool| {
            if moved {
                Outcome::Consumed(Vec::new())
            } else {
                Outcome::Unchanged
            }
        };
        let moved = |pane: &mut DisposalPane,
                     f: &dyn Fn(&mut dyn Mover) -> Result<bool, StoreError>| {
            match pane.shown {
                DisposalList::Cases => f(&mut pane.cases),
                DisposalList::Actions => f(&mut pane.actions),
            }
        };
        Ok(match action {
            Action::Down => changed(moved(self, &|l| l.by(store, 1))?),
            Action::Up => changed(moved(self, &|l| l.by(store, -1))?),
            Action::PageDown => changed(moved(self, &|l| l.by(store, l.page()))?),
            Action::PageUp => changed(moved(self, &|l| l.by(store, -l.page()))?),
            Action::Top => changed(moved(self, &|l| l.top(store))?),
            Action::Bottom => changed(moved(self, &|l| l.bottom(store))?),
            Action::ClearFilter => changed(self.clear_filters(store)?),
            Action::SwitchList => {
                self.switch(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterLevel => {
                self.cycle_level(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterMine => {
                self.toggle_mine(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterOwner => changed(self.toggle_owner(store)?),
            Action::FilterStatus => changed(self.cycle_status(store)?),
            Action::Open | Action::RecordRecovery | Action::RecordDemand => {
                let number = match self.shown {
                    DisposalList::Cases => self.cases.selected().map(|r| r.number.clone()),
                    DisposalList::Actions => self.actions.selected().map(|r| r.case_number.clone()),
                };
                match number {
                    // A recovery or a demand is recorded on the case screen, over it.
                    Some(n) if action != Action::Open => {
                        Outcome::Consumed(vec![Effect::OpenCase(n), Effect::CaseAction(action)])
                    }
                    Some(n) => Outcome::Consumed(vec![Effect::OpenCase(n)]),
                    None => Outcome::Unchanged,
                }
            }
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        if changed.any(Changed::DISPOSAL | Changed::WARNINGS | Changed::LOANS) {
            DisposalPane::reload(self, ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view.lang, view.theme);
    }
}

/// The moves of either list, so one key handler serves both.
pub trait Mover {
    fn by(&mut self, store: &Store, delta: i64) -> Result<bool, StoreError>;
    fn top(&mut self, store: &Store) -> Result<bool, StoreError>;
    fn bottom(&mut self, store: &Store) -> Result<bool, StoreError>;
    fn page(&self) -> i64;
}

impl<Q: PageSource> Mover for PagedList<Q> {
    fn by(&mut self, store: &Store, delta: i64) -> Result<bool, StoreError> {
        self.move_by(store, delta)
    }
    fn top(&mut self, store: &Store) -> Result<bool, StoreError> {
        self.to_top(store)
    }
    fn bottom(&mut self, store: &Store) -> Result<bool, StoreError> {
        self.to_bottom(store)
    }
    fn page(&self) -> i64 {
        self.height.max(1) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_the_width() {
        for w in [80u16, 100, 120, 200] {
            let used: usize = case_columns(w).iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
            assert!(used <= usize::from(w), "cases {w}: {used}");
            let used: usize = action_columns(w).iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
            assert!(used <= usize::from(w), "actions {w}: {used}");
        }
        assert!(
            case_columns(120)
                .iter()
                .any(|(c, _)| *c == CaseCol::Officer)
        );
        assert!(!case_columns(80).iter().any(|(c, _)| *c == CaseCol::Officer));
    }

    #[test]
    fn the_level_filter_goes_round() {
        let mut l = None;
        let mut seen = Vec::new();
        for _ in 0..4 {
            l = next_level(l);
            seen.push(l);
        }
        assert_eq!(
            seen,
            vec![
                Some(Level::Red),
                Some(Level::Orange),
                Some(Level::Yellow),
                None
            ]
        );
    }
}
