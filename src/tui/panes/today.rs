//! Today (今日): the acting user's follow-ups that are overdue or due soon, the latest first.
//! Specialists see their own loans; supervisors and managers see the whole team's.

use crate::tui::app::App;
use crate::tui::widgets::loan_list::{self, Column};
use ratatui::Frame;
use ratatui::layout::Rect;

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

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    loan_list::render(
        &app.today,
        columns(area.width),
        area,
        frame.buffer_mut(),
        app.lang,
        &app.theme,
        app.today_date,
        false,
    );
}
