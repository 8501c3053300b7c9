//! The loan ledger (贷款台账): every loan, paged from the store, sortable by any column,
//! filtered with `/` by borrower name, contract number or officer.

use crate::tui::app::App;
use crate::tui::widgets::loan_list::{self, Column};
use ratatui::Frame;
use ratatui::layout::Rect;

/// Columns by width: narrow terminals drop product and officer rather than squeeze names.
pub fn columns(width: u16) -> &'static [Column] {
    if width >= 110 {
        &[
            Column::ContractNo,
            Column::Borrower,
            Column::Product,
            Column::Outstanding,
            Column::Class,
            Column::Dpd,
            Column::Officer,
            Column::NextFollowup,
        ]
    } else {
        &[
            Column::ContractNo,
            Column::Borrower,
            Column::Outstanding,
            Column::Class,
            Column::Dpd,
            Column::NextFollowup,
        ]
    }
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    loan_list::render(
        &app.ledger,
        columns(area.width),
        area,
        frame.buffer_mut(),
        app.lang,
        &app.theme,
        app.today_date,
        true,
    );
}
