//! The Inspections pane (检查, pane 4): the inspections not yet approved, by due date with the
//! overdue ones first and marked, paged from the store by keyset; filters for mine, kind and
//! status; Enter opens the report editor, `n` starts the selected planned inspection.

use crate::domain::inspection::{InspectionKind, InspectionStatus};
use crate::domain::text::{display, pad_right, truncate};
use crate::i18n::Lang;
use crate::store::{InspectionQuery, InspectionRow, PageFrom, PageKey, Store, StoreError, Total};
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

impl PageSource for InspectionQuery {
    type Row = InspectionRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        Ok(Total::exact(store.inspection_count(self)?))
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.inspection_count(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<InspectionRow>, StoreError> {
        store.inspection_page(self, from, limit)
    }
    fn key(row: &InspectionRow) -> PageKey {
        row.key()
    }
}

/// The pane's list.
pub type InspectionList = PagedList<InspectionQuery>;

/// The query the pane opens with: every inspection not yet approved, everyone's.
pub fn default_query() -> InspectionQuery {
    InspectionQuery {
        active: true,
        ..InspectionQuery::default()
    }
}

/// The status filter's steps: every one not yet approved, each status alone, then everything.
const STATUS_CYCLE: [(Option<InspectionStatus>, bool); 7] = [
    (None, true),
    (Some(InspectionStatus::Planned), false),
    (Some(InspectionStatus::Draft), false),
    (Some(InspectionStatus::Submitted), false),
    (Some(InspectionStatus::Returned), false),
    (Some(InspectionStatus::Approved), false),
    (None, false),
];

/// The pane: its list, and the day that decides what is overdue.
#[derive(Debug, Clone)]
pub struct InspectionsPane {
    pub list: InspectionList,
    pub today: NaiveDate,
}

impl InspectionsPane {
    pub fn new(today: NaiveDate) -> InspectionsPane {
        InspectionsPane {
            list: PagedList::new(default_query()),
            today,
        }
    }

    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.reload(store)
    }

    /// Runs the changed query from the top.
    fn restart(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.cursor = 0;
        self.list.scroll = 0;
        self.list.window.clear();
        self.reload(store)
    }

    /// Not approved → each status alone → everything → not approved.
    pub fn cycle_status(&mut self, store: &Store) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        let now = (q.status, q.status.is_none() && q.active);
        let i = STATUS_CYCLE.iter().position(|s| *s == now).unwrap_or(0);
        let (status, active) = STATUS_CYCLE[(i + 1) % STATUS_CYCLE.len()];
        q.status = status;
        q.active = active;
        self.restart(store)
    }

    /// All → each kind → all.
    pub fn cycle_kind(&mut self, store: &Store) -> Result<(), StoreError> {
        let kinds = InspectionKind::ALL;
        let q = &mut self.list.query;
        q.kind = match q.kind {
            None => kinds.first().copied(),
            Some(k) => kinds
                .iter()
                .position(|x| *x == k)
                .and_then(|i| kinds.get(i + 1).copied()),
        };
        self.restart(store)
    }

    /// Only those `user` is the officer, author or reviewer of, or everyone's.
    pub fn toggle_mine(&mut self, store: &Store, user: &str) -> Result<(), StoreError> {
        let q = &mut self.list.query;
        q.mine = match q.mine {
            Some(_) => None,
            None => Some(user.to_string()),
        };
        self.restart(store)
    }

    /// Shows `query` from the top (Today's "my inspections"; `x` goes back to the default).
    pub fn set_query(&mut self, store: &Store, query: InspectionQuery) -> Result<(), StoreError> {
        self.list.query = query;
        self.restart(store)
    }

    /// Back to the default view; whether anything changed.
    pub fn clear_filters(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.list.query == default_query() {
            return Ok(false);
        }
        self.list.query = default_query();
        self.restart(store)?;
        Ok(true)
    }

    /// The filters in words: `状态 未审批 · 类型 全部 · 全部人员`.
    pub fn filter_text(&self, lang: Lang) -> String {
        let q = &self.list.query;
        let all = lang.t("warning.filter_all");
        let status = match (q.status, q.active) {
            (Some(s), _) => lang.code_name("inspection_status", s.code()),
            (None, true) => lang.t("inspections_pane.filter_active").to_string(),
            (None, false) => all.to_string(),
        };
        let kind = q
            .kind
            .map(|k| lang.code_name("inspection_kind", k.code()))
            .unwrap_or_else(|| all.to_string());
        let scope = if q.mine.is_some() {
            lang.t("warning.filter_mine")
        } else {
            lang.t("warning.filter_everyone")
        };
        let mut text = lang.tf(
            "inspections_pane.filters",
            &[("status", &status), ("kind", &kind), ("scope", &scope)],
        );
        // A filter the keys here do not cycle (Today's jump): named, so missing rows are
        // explained; `x` clears it.
        if q.today_of.is_some() || q.to_review_by.is_some() || q.returned_for.is_some() {
            text.push_str(" · ");
            text.push_str(lang.t("today_inspections.filter"));
        }
        text
    }

    /// Whether `row` is overdue: still to be done, and due before today.
    pub fn overdue(&self, row: &InspectionRow) -> bool {
        is_overdue(row, self.today)
    }
}

/// Still to be done (planned, draft, returned) and due before `today`.
pub fn is_overdue(row: &InspectionRow, today: NaiveDate) -> bool {
    matches!(
        row.status,
        InspectionStatus::Planned | InspectionStatus::Draft | InspectionStatus::Returned
    ) && row.due_on < today
}

/// Rows of the list: the body minus the filter line and the column header.
pub fn list_rows(body_rows: u16) -> u64 {
    u64::from(body_rows.saturating_sub(2)).max(1)
}

/// A column of the list and its title's translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Number,
    Contract,
    Borrower,
    Kind,
    Mode,
    Due,
    Status,
    Inspector,
    Reviewer,
}

impl Col {
    fn title_key(self) -> &'static str {
        match self {
            Col::Number => "inspections_cli.col_number",
            Col::Contract => "inspections_cli.col_contract_no",
            Col::Borrower => "inspections_cli.col_borrower",
            Col::Kind => "inspections_cli.col_kind",
            Col::Mode => "inspections_cli.col_mode",
            Col::Due => "inspections_cli.col_due_on",
            Col::Status => "inspections_cli.col_status",
            Col::Inspector => "inspections_cli.col_inspector",
            Col::Reviewer => "inspections_cli.col_reviewer",
        }
    }

    /// The cell's text (data made fit for the screen; codes in the user's language).
    fn text(self, row: &InspectionRow, lang: Lang) -> String {
        match self {
            Col::Number => display(&row.number),
            Col::Contract => display(&row.contract_no),
            Col::Borrower => display(&row.borrower_name),
            Col::Kind => lang.code_name("inspection_kind", row.kind.code()),
            Col::Mode => lang.code_name("inspection_mode", row.mode.code()),
            Col::Due => row.due_on.to_string(),
            Col::Status => lang.code_name("inspection_status", row.status.code()),
            Col::Inspector => display(row.author.as_deref().unwrap_or(&row.officer)),
            Col::Reviewer => display(row.reviewer.as_deref().unwrap_or("")),
        }
    }
}

/// The columns that fit `width`, each with its width; the borrower takes what is left.
fn columns(width: u16) -> Vec<(Col, usize)> {
    let w = usize::from(width);
    let mut cols = vec![
        (Col::Number, 13),
        (Col::Contract, 13),
        (Col::Borrower, 0),
        (Col::Kind, 9),
        (Col::Mode, 8),
        (Col::Due, 11),
        (Col::Status, 8),
    ];
    if w >= 110 {
        cols.push((Col::Inspector, 10));
        cols.push((Col::Reviewer, 10));
    }
    if w < 90 {
        cols.retain(|(c, _)| *c != Col::Mode);
    }
    // Two columns of margin on the left (the cursor mark), one between columns.
    let fixed: usize = cols.iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
    let rest = w.saturating_sub(fixed).max(8);
    for c in &mut cols {
        if c.0 == Col::Borrower {
            c.1 = rest;
        }
    }
    cols
}

fn row_line(cells: &[(String, usize)]) -> String {
    let mut s = String::from("  ");
    for (text, w) in cells {
        s.push_str(&pad_right(&truncate(text, *w), *w));
        s.push(' ');
    }
    s
}

fn set(buf: &mut Buffer, area: Rect, y: u16, text: &str, style: Style) {
    buf.set_line(
        area.x,
        y,
        &Line::styled(truncate(text, usize::from(area.width)), style),
        area.width,
    );
}

pub fn render(
    pane: &InspectionsPane,
    frame: &mut Frame<'_>,
    area: Rect,
    lang: Lang,
    theme: &Theme,
) {
    if area.height < 3 {
        return;
    }
    let buf = frame.buffer_mut();
    let list = &pane.list;
    let head = vec![
        Span::raw(" "),
        Span::styled(
            lang.tf("inspections_pane.count", &[("n", &list.total_text())]),
            theme.title,
        ),
        Span::raw("  "),
        Span::styled(pane.filter_text(lang), theme.muted),
    ];
    buf.set_line(area.x, area.y, &Line::from(head), area.width);
    let cols = columns(area.width);
    let header: Vec<(String, usize)> = cols
        .iter()
        .map(|(c, w)| (lang.t(c.title_key()).to_string(), *w))
        .collect();
    set(buf, area, area.y + 1, &row_line(&header), theme.header);
    let cursor = list.cursor;
    for (i, (index, row)) in list.visible().enumerate() {
        let y = area.y + 2 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let cells: Vec<(String, usize)> =
            cols.iter().map(|(c, w)| (c.text(row, lang), *w)).collect();
        let mut text = row_line(&cells);
        let overdue = pane.overdue(row);
        if overdue {
            // The mark tells overdue rows apart without colour too.
            text.replace_range(0..1, "!");
        }
        let style = if overdue { theme.danger } else { Style::new() };
        // The selected row: its mark and number reversed, not the whole row, so a one-row
        // move rewrites two short runs of cells (the budget is 260 B a move).
        let selected = index == cursor;
        if selected {
            text.replace_range(1..2, ">");
        }
        let line = truncate(&text, usize::from(area.width));
        let head_w = 2 + cols.first().map_or(0, |(_, w)| *w);
        let head: String = line.chars().take(head_w).collect();
        let rest: String = line.chars().skip(head_w).collect();
        let head_style = if selected {
            style.patch(theme.selected)
        } else {
            style
        };
        buf.set_line(
            area.x,
            y,
            &Line::from(vec![
                Span::styled(head, head_style),
                Span::styled(rest, style),
            ]),
            area.width,
        );
    }
    if list.total == 0 {
        set(
            buf,
            Rect::new(
                area.x + 2,
                area.y,
                area.width.saturating_sub(2),
                area.height,
            ),
            area.y + 2,
            lang.t("inspections_pane.empty"),
            theme.muted,
        );
    }
}

/// The footer's commands (after the position).
const HINTS: &[Hint] = &[
    Hint::Group(
        Section::Inspections,
        &[Action::FilterMine, Action::FilterKind, Action::FilterStatus],
        "hint.filters",
    ),
    Hint::One(Section::Inspections, Action::StartInspection),
    Hint::One(Section::List, Action::Open),
    Hint::One(Section::Global, Action::Help),
];

impl Component for InspectionsPane {
    fn sections(&self) -> &'static [Section] {
        &[Section::Inspections, Section::List, Section::Global]
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
            Action::FilterStatus => {
                self.cycle_status(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterKind => {
                self.cycle_kind(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterMine => {
                self.toggle_mine(store, ctx.user)?;
                Outcome::Consumed(Vec::new())
            }
            Action::Open => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::OpenInspection(row.id)]),
                None => Outcome::Unchanged,
            },
            Action::StartInspection => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::StartInspection {
                    contract: row.contract_no.clone(),
                    planned: Some(row.id),
                    warning: None,
                }]),
                None => Outcome::Unchanged,
            },
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        if changed.any(Changed::INSPECTIONS | Changed::LOANS) {
            InspectionsPane::reload(self, ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view.lang, view.theme);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_the_width() {
        for w in [80u16, 100, 120, 200] {
            let cols = columns(w);
            let used: usize = cols.iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
            assert!(used <= usize::from(w), "{w}: {used}");
        }
        assert!(columns(120).iter().any(|(c, _)| *c == Col::Reviewer));
        assert!(!columns(80).iter().any(|(c, _)| *c == Col::Mode));
    }
}
