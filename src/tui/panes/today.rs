//! Today (今日): the acting user's open warnings (red first) above their follow-ups that are
//! overdue or due soon. Specialists see their own; supervisors and managers the team's.

use crate::domain::Role;
use crate::tui::app::App;
use crate::tui::keymap::{Action, Section};
use crate::tui::widgets::loan_list::{self, Column};
use crate::tui::widgets::warning_cells::{self, count_spans};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

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

/// The warnings block: a count line, then at most `app.mine_rows` warnings, then a blank line.
fn warnings_block(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let lang = app.lang;
    let title = if app.actor.role == Role::Specialist {
        lang.t("warning.today_mine")
    } else {
        lang.t("warning.today_team")
    };
    let mut spans = vec![Span::styled(format!(" {title}  "), app.theme.title)];
    spans.extend(count_spans(&app.mine_counts, lang, &app.theme));
    // The key comes from the bindings in force; no key bound, no hint.
    if let Some(key) = app.keymap.first_key(Section::Today, Action::MyWarnings) {
        spans.push(Span::styled(
            lang.tf("warning.today_more", &[("key", &key)]),
            app.theme.muted,
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
    if app.mine.is_empty() {
        buf.set_line(
            rows.x + 2,
            rows.y,
            &Line::styled(lang.t("warning.today_none"), app.theme.muted),
            rows.width.saturating_sub(2),
        );
        return;
    }
    warning_cells::render_rows(
        app.mine.iter(),
        None,
        &warning_cells::columns(area.width, true),
        false,
        rows,
        buf,
        lang,
        &app.theme,
    );
}

pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let block = app.mine_block_height().min(area.height);
    warnings_block(app, frame, Rect::new(area.x, area.y, area.width, block));
    let area = Rect::new(area.x, area.y + block, area.width, area.height - block);
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
