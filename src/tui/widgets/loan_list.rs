//! Lists of loans (Ledger, Today): their columns, laid out once per terminal width, and
//! how a row is drawn. The paging itself is `paged::PagedList`.

use super::paged::PagedList;
use crate::domain::money::group_thousands;
use crate::domain::text::{display, pad_left, pad_right};
use crate::i18n::Lang;
use crate::store::{LedgerQuery, LedgerSort, LoanRow, Store, StoreError};
use crate::tui::theme::Theme;
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The ledger's and Today's list.
pub type LoanList = PagedList<LedgerQuery>;

impl PagedList<LedgerQuery> {
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
        Column::ContractNo => display(&row.contract_no),
        Column::Borrower => display(&row.borrower_name),
        Column::Product => lang.code_name("product_short", row.product.code()),
        Column::Outstanding => group_thousands(row.outstanding),
        Column::Class => lang.code_name("class_short", row.classification.code()),
        Column::Dpd => row.overdue_days.to_string(),
        Column::Officer => display(&row.officer),
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
            title.push(if list.query.descending { 'v' } else { '^' });
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
        // The cursor is the marker and the first column in reverse video: a one-row move then
        // rewrites two short spans instead of two whole rows (about half the bytes over SSH).
        let mut spans = vec![if selected {
            Span::styled(">", theme.selected)
        } else {
            Span::raw(" ")
        }];
        for (i, (c, w)) in cols.iter().enumerate() {
            let text = cell_text(*c, row, lang, today);
            let text = if c.right_aligned() {
                pad_left(&text, *w)
            } else {
                pad_right(&text, *w)
            };
            if selected && i == 0 {
                spans.push(Span::styled(" ", theme.selected));
                spans.push(Span::styled(text, theme.selected));
            } else {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(text, cell_style(*c, row, theme, today)));
            }
        }
        let line = Line::from(spans);
        buf.set_line(area.x, y, &line, area.width);
    }
}
