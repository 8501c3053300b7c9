//! Panes of later steps (warnings, inspections, classification, disposal, archive, summary)
//! until their work lands: a short line on what will be here.

use crate::tui::app::{App, PaneId};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub fn render(app: &App, pane: PaneId, frame: &mut Frame<'_>, area: Rect) {
    let title = app.lang.t(pane.title_key());
    let lines = vec![
        Line::styled(title.to_string(), app.theme.title),
        Line::from(""),
        Line::styled(app.lang.t("pane.coming_later").to_string(), app.theme.muted),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}
