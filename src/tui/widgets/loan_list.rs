//! A scrolling list of loans over the store: keeps a window of about three screens of rows
//! around the cursor, fetched by keyset, so a 100,000-loan book costs a few hundred rows.

use crate::domain::money::group_thousands;
use crate::domain::text::{pad_left, pad_right, sanitize};
use crate::i18n::Lang;
use crate::store::{LedgerQuery, LedgerSort, LoanRow, PageFrom, Store, StoreError};
use crate::tui::theme::Theme;
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use tui_input::Input;

/// The list's state: what is asked, where the cursor is, and the rows held.
#[derive(Debug, Clone, Default)]
pub struct LoanList {
    pub query: LedgerQuery,
    pub total: u64,
    /// Rows `window_start .. window_start + window.len()` of the result, in order.
    pub window: Vec<LoanRow>,
    pub window_start: u64,
    pub cursor: u64,
    /// Index of the first visible row.
    pub scroll: u64,
    /// Rows visible at once (set from the terminal size).
    pub height: u64,
    /// The `/` filter being typed, if any.
    pub filter: Option<Input>,
}

impl LoanList {
    pub fn new(query: LedgerQuery) -> LoanList {
        LoanList {
            query,
            height: 20,
            ..LoanList::default()
        }
    }

    fn chunk(&self) -> usize {
        (self.height.max(1) as usize) * 2
    }

    /// Re-reads the count and the window around the cursor (after a filter, sort or another
    /// user's change). Keeps the cursor index where it can.
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.total = store.ledger_count(&self.query)?;
        self.cursor = self.cursor.min(self.total.saturating_sub(1));
        if self.total == 0 {
            self.window.clear();
            self.window_start = 0;
            self.scroll = 0;
            return Ok(());
        }
        if self.cursor == 0 || self.window.is_empty() {
            self.window_start = 0;
            self.cursor = 0;
            self.window = store.ledger_page(&self.query, &PageFrom::Start, self.chunk())?;
        } else if self.cursor + self.chunk() as u64 >= self.total {
            self.window = store.ledger_page(&self.query, &PageFrom::End, self.chunk())?;
            self.window_start = self.total - self.window.len() as u64;
        } else if let Some(anchor) = self
            .window
            .first()
            .map(|r| r.key())
            .filter(|_| self.window_start > 0)
        {
            // Re-read the window where it was (another user's commit): rows before it may
            // have come or gone, which shifts the index by as much; the count is re-read.
            self.window =
                store.ledger_page(&self.query, &PageFrom::AtOrAfter(anchor), self.chunk())?;
        } else {
            self.window = store.ledger_page(&self.query, &PageFrom::Start, self.chunk())?;
            self.window_start = 0;
        }
        self.clamp_scroll();
        self.ensure_loaded(store)
    }

    /// Moves the cursor by `delta` rows (negative: up) and fetches what becomes visible.
    pub fn move_by(&mut self, store: &Store, delta: i64) -> Result<bool, StoreError> {
        if self.total == 0 {
            return Ok(false);
        }
        let max = self.total - 1;
        let target = if delta < 0 {
            self.cursor.saturating_sub(delta.unsigned_abs())
        } else {
            (self.cursor + delta as u64).min(max)
        };
        if target == self.cursor {
            return Ok(false);
        }
        // A page move keeps the cursor's place on screen, like less and most file managers.
        if delta.unsigned_abs() >= self.height && self.height > 0 {
            let offset = self.cursor - self.scroll;
            self.cursor = target;
            self.scroll = target.saturating_sub(offset);
        } else {
            self.cursor = target;
        }
        self.clamp_scroll();
        self.ensure_loaded(store)?;
        Ok(true)
    }

    pub fn to_top(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.cursor == 0 {
            return Ok(false);
        }
        self.cursor = 0;
        self.scroll = 0;
        if self.window_start != 0 {
            self.window = store.ledger_page(&self.query, &PageFrom::Start, self.chunk())?;
            self.window_start = 0;
        }
        Ok(true)
    }

    pub fn to_bottom(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.total == 0 || self.cursor == self.total - 1 {
            return Ok(false);
        }
        self.cursor = self.total - 1;
        self.clamp_scroll();
        if self.window_start + self.window.len() as u64 != self.total {
            self.window = store.ledger_page(&self.query, &PageFrom::End, self.chunk())?;
            self.window_start = self.total - self.window.len() as u64;
        }
        Ok(true)
    }

    fn clamp_scroll(&mut self) {
        let h = self.height.max(1);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if self.cursor >= self.scroll + h {
            self.scroll = self.cursor + 1 - h;
        }
        let max_scroll = self.total.saturating_sub(h);
        self.scroll = self.scroll.min(max_scroll);
    }

    /// Makes sure rows `scroll .. scroll + height` are in the window, fetching adjacent pages
    /// and dropping rows far from the cursor.
    fn ensure_loaded(&mut self, store: &Store) -> Result<(), StoreError> {
        let need_end = (self.scroll + self.height).min(self.total);
        let keep = self.chunk() * 3 / 2 + self.height as usize;
        while self.window_start + (self.window.len() as u64) < need_end {
            let Some(last) = self.window.last().map(|r| r.key()) else {
                return self.reload_at_scroll(store);
            };
            let more = store.ledger_page(&self.query, &PageFrom::After(last), self.chunk())?;
            if more.is_empty() {
                self.total = self.window_start + self.window.len() as u64;
                break;
            }
            self.window.extend(more);
            if self.window.len() > keep {
                let drop = self.window.len() - keep;
                let drop = drop.min((self.scroll - self.window_start) as usize);
                self.window.drain(..drop);
                self.window_start += drop as u64;
            }
        }
        while self.scroll < self.window_start {
            let Some(first) = self.window.first().map(|r| r.key()) else {
                return self.reload_at_scroll(store);
            };
            let more = store.ledger_page(&self.query, &PageFrom::Before(first), self.chunk())?;
            if more.is_empty() {
                self.window_start = 0;
                break;
            }
            self.window_start = self.window_start.saturating_sub(more.len() as u64);
            let mut joined = more;
            joined.append(&mut self.window);
            self.window = joined;
            if self.window.len() > keep {
                let end_keep = need_end.saturating_sub(self.window_start) as usize;
                self.window.truncate(keep.max(end_keep));
            }
        }
        Ok(())
    }

    fn reload_at_scroll(&mut self, store: &Store) -> Result<(), StoreError> {
        self.window = store.ledger_page(&self.query, &PageFrom::Start, self.chunk())?;
        self.window_start = 0;
        self.cursor = 0;
        self.scroll = 0;
        Ok(())
    }

    pub fn selected(&self) -> Option<&LoanRow> {
        let i = self.cursor.checked_sub(self.window_start)?;
        self.window.get(i as usize)
    }

    pub fn visible(&self) -> impl Iterator<Item = (u64, &LoanRow)> {
        let from = self.scroll.saturating_sub(self.window_start) as usize;
        self.window
            .iter()
            .enumerate()
            .skip(from)
            .take(self.height as usize)
            .map(move |(i, r)| (self.window_start + i as u64, r))
    }

    pub fn set_sort(
        &mut self,
        store: &Store,
        sort: LedgerSort,
        descending: bool,
    ) -> Result<(), StoreError> {
        self.query.sort = sort;
        self.query.descending = descending;
        self.cursor = 0;
        self.scroll = 0;
        self.reload(store)
    }
}

/// The columns of a loan list, chosen once per terminal width so they never shift as rows change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    ContractNo,
    Borrower,
    Product,
    Outstanding,
    Class,
    Dpd,
    Officer,
    NextFollowup,
    DaysLate,
}

impl Column {
    pub fn title_key(self) -> &'static str {
        match self {
            Column::ContractNo => "col.contract_no",
            Column::Borrower => "col.borrower",
            Column::Product => "col.product",
            Column::Outstanding => "col.outstanding",
            Column::Class => "col.class",
            Column::Dpd => "col.dpd",
            Column::Officer => "col.officer",
            Column::NextFollowup => "col.next_followup",
            Column::DaysLate => "col.days_late",
        }
    }

    pub fn sort(self) -> Option<LedgerSort> {
        Some(match self {
            Column::ContractNo => LedgerSort::ContractNo,
            Column::Borrower => LedgerSort::Borrower,
            Column::Product => LedgerSort::Product,
            Column::Outstanding => LedgerSort::Outstanding,
            Column::Class => LedgerSort::Class,
            Column::Dpd => LedgerSort::Dpd,
            Column::Officer => LedgerSort::Officer,
            Column::NextFollowup => LedgerSort::NextFollowup,
            Column::DaysLate => return None,
        })
    }

    fn right_aligned(self) -> bool {
        matches!(self, Column::Outstanding | Column::Dpd | Column::DaysLate)
    }

    fn fixed_width(self) -> usize {
        match self {
            Column::ContractNo => 12,
            Column::Borrower => 0,
            Column::Product => 8,
            Column::Outstanding => 16,
            Column::Class => 6,
            Column::Dpd => 8,
            Column::Officer => 11,
            Column::NextFollowup => 10,
            Column::DaysLate => 5,
        }
    }
}

/// Lays `columns` out in `width` cells: fixed widths, the borrower takes what is left.
pub fn layout(columns: &[Column], width: usize) -> Vec<(Column, usize)> {
    let gaps = columns.len(); // one space before each column (the first is the cursor marker)
    let fixed: usize = columns.iter().map(|c| c.fixed_width()).sum();
    let flex = width.saturating_sub(fixed + gaps + 1).max(8);
    columns
        .iter()
        .map(|&c| {
            (
                c,
                if c == Column::Borrower {
                    flex
                } else {
                    c.fixed_width()
                },
            )
        })
        .collect()
}

/// The text of one cell.
pub fn cell_text(col: Column, row: &LoanRow, lang: Lang, today: NaiveDate) -> String {
    match col {
        Column::ContractNo => sanitize(&row.contract_no),
        Column::Borrower => sanitize(&row.borrower_name),
        Column::Product => lang.code_name("product_short", row.product.code()),
        Column::Outstanding => group_thousands(row.outstanding),
        Column::Class => lang.code_name("class_short", row.classification.code()),
        Column::Dpd => row.overdue_days.to_string(),
        Column::Officer => sanitize(&row.officer),
        Column::NextFollowup => row.next_followup_on.format("%Y-%m-%d").to_string(),
        Column::DaysLate => {
            let late = (today - row.next_followup_on).num_days();
            late.to_string()
        }
    }
}

fn cell_style(col: Column, row: &LoanRow, theme: &Theme, today: NaiveDate) -> Style {
    match col {
        Column::Class => theme.class(row.classification),
        Column::Dpd => theme.dpd(row.overdue_days),
        Column::DaysLate | Column::NextFollowup if row.next_followup_on < today => theme.danger,
        _ => Style::new(),
    }
}

/// Draws the header and the visible rows into `area`. One line per row, spans padded to
/// fixed widths: the same cells stay in the same columns, which keeps each redraw small.
#[allow(clippy::too_many_arguments)]
pub fn render(
    list: &LoanList,
    columns: &[Column],
    area: Rect,
    buf: &mut Buffer,
    lang: Lang,
    theme: &Theme,
    today: NaiveDate,
    show_sort: bool,
) {
    if area.height == 0 {
        return;
    }
    let cols = layout(columns, area.width as usize);
    let mut header = vec![Span::raw(" ")];
    for (c, w) in &cols {
        let mut title = lang.t(c.title_key()).to_string();
        if show_sort && c.sort() == Some(list.query.sort) {
            title.push(if list.query.descending { '↓' } else { '↑' });
        }
        let text = if c.right_aligned() {
            pad_left(&title, *w)
        } else {
            pad_right(&title, *w)
        };
        header.push(Span::raw(" "));
        header.push(Span::raw(text));
    }
    buf.set_line(
        area.x,
        area.y,
        &Line::from(header).style(theme.header),
        area.width,
    );
    for (i, (index, row)) in list.visible().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        let selected = index == list.cursor;
        let mut spans = vec![Span::raw(if selected { "▶" } else { " " })];
        for (c, w) in &cols {
            let text = cell_text(*c, row, lang, today);
            let text = if c.right_aligned() {
                pad_left(&text, *w)
            } else {
                pad_right(&text, *w)
            };
            spans.push(Span::raw(" "));
            let style = if selected {
                Style::new()
            } else {
                cell_style(*c, row, theme, today)
            };
            spans.push(Span::styled(text, style));
        }
        let line = Line::from(spans);
        let line = if selected {
            line.style(theme.selected)
        } else {
            line
        };
        buf.set_line(area.x, y, &line, area.width);
    }
}
