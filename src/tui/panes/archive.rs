//! The archive pane (档案, pane 7): every document of the book, newest first, paged from the
//! store by keyset; filters by kind (`K`), the selected row's loan (`L`) or borrower (`B`) and
//! date (`D`); Enter opens the document in a read-only viewer (a restricted kind's read is
//! audited), `f` writes feedback from a case's or an inspection's document.

use crate::domain::archive::{ArchiveRules, DocumentKind};
use crate::domain::text::{display, pad_right, truncate};
use crate::i18n::Lang;
use crate::store::{ArchiveQuery, ArchiveRow, PageFrom, PageKey, Store, StoreError, Total};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::widgets::paged::{PageSource, PagedList};
use crate::workflow::archive::{created_on, retain_until};
use chrono::{Datelike, NaiveDate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

impl PageSource for ArchiveQuery {
    type Row = ArchiveRow;
    fn count(&self, store: &Store) -> Result<Total, StoreError> {
        Ok(Total::exact(store.archive_count(self)?))
    }
    fn count_exact(&self, store: &Store) -> Result<u64, StoreError> {
        store.archive_count(self)
    }
    fn page(
        &self,
        store: &Store,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<ArchiveRow>, StoreError> {
        store.archive_page(self, from, limit)
    }
    fn key(row: &ArchiveRow) -> PageKey {
        row.key()
    }
}

/// The date filter's steps: all, the last 30 days, this year, last year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    All,
    Last30,
    ThisYear,
    LastYear,
}

impl Period {
    fn next(self) -> Period {
        match self {
            Period::All => Period::Last30,
            Period::Last30 => Period::ThisYear,
            Period::ThisYear => Period::LastYear,
            Period::LastYear => Period::All,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Period::All => "all",
            Period::Last30 => "last30",
            Period::ThisYear => "this_year",
            Period::LastYear => "last_year",
        }
    }

    /// The days it covers, `[from, to)`, as of `today`.
    fn days(self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let next = today.succ_opt().unwrap_or(today);
        let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1);
        match self {
            Period::All => None,
            Period::Last30 => Some((today - chrono::Days::new(29), next)),
            Period::ThisYear => Some((jan1(today.year())?, next)),
            Period::LastYear => Some((jan1(today.year() - 1)?, jan1(today.year())?)),
        }
    }
}

/// The pane: its list, the period filter and the archive's rules (for retention dates).
#[derive(Debug, Clone)]
pub struct ArchivePane {
    pub list: PagedList<ArchiveQuery>,
    pub period: Period,
    pub rules: ArchiveRules,
    pub today: NaiveDate,
}

impl ArchivePane {
    pub fn new(rules: ArchiveRules, today: NaiveDate) -> ArchivePane {
        ArchivePane {
            list: PagedList::new(ArchiveQuery::default()),
            period: Period::All,
            rules,
            today,
        }
    }

    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.reload(store)
    }

    fn restart(&mut self, store: &Store) -> Result<(), StoreError> {
        self.list.cursor = 0;
        self.list.scroll = 0;
        self.list.window.clear();
        self.reload(store)
    }

    /// All kinds → each kind → all.
    pub fn cycle_kind(&mut self, store: &Store) -> Result<(), StoreError> {
        let kinds = DocumentKind::ALL;
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

    /// Only the selected row's loan (again: every loan).
    pub fn toggle_loan(&mut self, store: &Store) -> Result<bool, StoreError> {
        let selected = self.list.selected().and_then(|r| r.contract_no.clone());
        let q = &mut self.list.query;
        q.contract_no = match (&q.contract_no, selected) {
            (Some(_), _) => None,
            (None, Some(c)) => Some(c),
            (None, None) => return Ok(false),
        };
        self.restart(store)?;
        Ok(true)
    }

    /// Only the selected row's borrower (again: every borrower): by its id, which the
    /// borrower index reads (the name is kept for the filter line).
    pub fn toggle_borrower(&mut self, store: &Store) -> Result<bool, StoreError> {
        let selected = self
            .list
            .selected()
            .and_then(|r| Some((r.borrower_id?, r.borrower_name.clone()?)));
        let q = &mut self.list.query;
        (q.borrower_id, q.borrower) = match (q.borrower_id, &q.borrower, selected) {
            (Some(_), _, _) | (None, Some(_), _) => (None, None),
            (None, None, Some((id, name))) => (Some(id), Some(name)),
            (None, None, None) => return Ok(false),
        };
        self.restart(store)?;
        Ok(true)
    }

    /// All → the last 30 days → this year → last year → all.
    pub fn cycle_period(&mut self, store: &Store) -> Result<(), StoreError> {
        self.period = self.period.next();
        let days = self.period.days(self.today);
        self.list.query.from_at = days.map(|(f, _)| crate::domain::text::local_day_start_utc(f));
        self.list.query.to_at = days.map(|(_, t)| crate::domain::text::local_day_start_utc(t));
        self.restart(store)
    }

    /// Back to everything; whether anything changed.
    pub fn clear_filters(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.list.query == ArchiveQuery::default() {
            return Ok(false);
        }
        self.list.query = ArchiveQuery::default();
        self.period = Period::All;
        self.restart(store)?;
        Ok(true)
    }

    /// The filters in words: `类型 全部 · 贷款 全部 · 借款人 全部 · 日期 全部`.
    pub fn filter_text(&self, lang: Lang) -> String {
        let q = &self.list.query;
        let all = lang.t("warning.filter_all");
        let kind = q
            .kind
            .map(|k| lang.code_name("document_kind", k.code()))
            .unwrap_or_else(|| all.to_string());
        lang.tf(
            "archive_pane.filters",
            &[
                ("kind", &kind),
                (
                    "loan",
                    &q.contract_no
                        .as_deref()
                        .map(display)
                        .unwrap_or_else(|| all.to_string()),
                ),
                (
                    "borrower",
                    &q.borrower
                        .as_deref()
                        .map(display)
                        .unwrap_or_else(|| all.to_string()),
                ),
                (
                    "period",
                    &lang.code_name("archive_period", self.period.code()),
                ),
            ],
        )
    }
}

/// Rows of the list: the body minus the filter line and the column header.
pub fn list_rows(body_rows: u16) -> u64 {
    u64::from(body_rows.saturating_sub(2)).max(1)
}

/// A column of the list and its title's translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Kind,
    Owner,
    Date,
    Author,
    Bytes,
    Sha,
    Retain,
    Superseded,
}

impl Col {
    fn title_key(self) -> &'static str {
        match self {
            Col::Kind => "archive_cli.col_kind",
            Col::Owner => "archive_cli.col_owner",
            Col::Date => "archive_cli.col_date",
            Col::Author => "archive_cli.col_author",
            Col::Bytes => "archive_cli.col_bytes",
            Col::Sha => "archive_cli.col_sha256",
            Col::Retain => "archive_cli.col_retain",
            Col::Superseded => "archive_pane.col_superseded",
        }
    }

    fn text(self, row: &ArchiveRow, pane: &ArchivePane, lang: Lang) -> String {
        match self {
            Col::Kind => crate::workflow::archive::kind_text(row, lang),
            Col::Owner => crate::workflow::archive::owner_text(row, lang),
            Col::Date => created_on(row).map(|d| d.to_string()).unwrap_or_default(),
            Col::Author => display(&row.created_by),
            Col::Bytes => human_bytes(row.bytes),
            Col::Sha => row.sha256.get(..8).unwrap_or(&row.sha256).to_string(),
            Col::Retain => retain_until(row, &pane.rules)
                .map(|d| d.to_string())
                .unwrap_or_else(|| "-".to_string()),
            Col::Superseded => match row.superseded_by {
                Some(by) => lang.tf("archive_pane.superseded_by", &[("id", &by)]),
                None => String::new(),
            },
        }
    }
}

/// `2048` → `2.0K`, `3145728` → `3.0M`; below 1024 as is (whole numbers only).
fn human_bytes(n: i64) -> String {
    let n = n.max(0);
    let tenths = |unit: i64| {
        let t = n * 10 / unit;
        format!("{}.{}", t / 10, t % 10)
    };
    if n < 1024 {
        n.to_string()
    } else if n < 1024 * 1024 {
        format!("{}K", tenths(1024))
    } else {
        format!("{}M", tenths(1024 * 1024))
    }
}

/// The columns that fit `width`, each with its width; the loan/borrower takes what is left.
fn columns(width: u16) -> Vec<(Col, usize)> {
    let w = usize::from(width);
    let mut cols = vec![
        (Col::Kind, 14),
        (Col::Owner, 0),
        (Col::Date, 10),
        (Col::Author, 8),
        (Col::Bytes, 6),
        (Col::Sha, 8),
        (Col::Retain, 10),
        (Col::Superseded, 8),
    ];
    if w < 100 {
        cols.retain(|(c, _)| !matches!(c, Col::Author | Col::Sha));
    }
    let fixed: usize = cols.iter().map(|(_, n)| n + 1).sum::<usize>() + 2;
    let rest = w.saturating_sub(fixed).max(8);
    for c in &mut cols {
        if c.0 == Col::Owner {
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

pub fn render(pane: &ArchivePane, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
    let (lang, theme) = (view.lang, view.theme);
    if area.height < 3 {
        return;
    }
    let buf = frame.buffer_mut();
    let list = &pane.list;
    let head = vec![
        Span::raw(" "),
        Span::styled(
            lang.tf("archive_pane.count", &[("n", &list.total_text())]),
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
    buf.set_line(
        area.x,
        area.y + 1,
        &Line::styled(
            truncate(&row_line(&header), usize::from(area.width)),
            theme.header,
        ),
        area.width,
    );
    for (i, (index, row)) in list.visible().enumerate() {
        let y = area.y + 2 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let cells: Vec<(String, usize)> = cols
            .iter()
            .map(|(c, w)| (c.text(row, pane, lang), *w))
            .collect();
        let mut text = row_line(&cells);
        let superseded = row.superseded_by.is_some();
        if superseded {
            // The mark tells superseded rows apart without colour too.
            text.replace_range(0..1, "~");
        }
        let style = if superseded {
            theme.muted
        } else {
            Style::new()
        };
        // The selected row: its mark and kind reversed, not the whole row, so a one-row
        // move rewrites two short runs of cells.
        let selected = index == list.cursor;
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
        buf.set_line(
            area.x + 2,
            area.y + 2,
            &Line::styled(lang.t("archive_pane.empty").to_string(), theme.muted),
            area.width.saturating_sub(2),
        );
    }
}

/// The footer's commands (after the position).
const HINTS: &[Hint] = &[
    Hint::Group(
        Section::Archive,
        &[
            Action::FilterKind,
            Action::FilterLoan,
            Action::FilterBorrower,
            Action::FilterDate,
        ],
        "hint.filters",
    ),
    Hint::One(Section::List, Action::Open),
    Hint::One(Section::Archive, Action::Feedback),
    Hint::One(Section::Global, Action::Help),
];

impl Component for ArchivePane {
    fn sections(&self) -> &'static [Section] {
        &[Section::Archive, Section::List, Section::Global]
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
            Action::FilterKind => {
                self.cycle_kind(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::FilterLoan => changed(self.toggle_loan(store)?),
            Action::FilterBorrower => changed(self.toggle_borrower(store)?),
            Action::FilterDate => {
                self.cycle_period(store)?;
                Outcome::Consumed(Vec::new())
            }
            Action::Open => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::OpenDocument(row.id)]),
                None => Outcome::Unchanged,
            },
            Action::Feedback => match selected {
                Some(row) => Outcome::Consumed(vec![Effect::DocumentFeedback(Box::new(row))]),
                None => Outcome::Unchanged,
            },
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, _changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        ArchivePane::reload(self, ctx.store)?;
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view);
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
        assert!(columns(120).iter().any(|(c, _)| *c == Col::Sha));
        assert!(!columns(80).iter().any(|(c, _)| *c == Col::Sha));
    }

    #[test]
    fn sizes_read_short() {
        assert_eq!(human_bytes(15), "15");
        assert_eq!(human_bytes(2048), "2.0K");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0M");
    }

    #[test]
    fn periods_cover_whole_days() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        assert_eq!(
            Period::LastYear.days(today),
            Some((
                NaiveDate::from_ymd_opt(2025, 1, 1).expect("d"),
                NaiveDate::from_ymd_opt(2026, 1, 1).expect("d")
            ))
        );
        assert_eq!(
            Period::Last30.days(today).map(|(f, _)| f),
            NaiveDate::from_ymd_opt(2026, 2, 1)
        );
        assert_eq!(Period::All.days(today), None);
    }
}
