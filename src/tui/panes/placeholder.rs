//! Panes of later steps (inspections, classification, disposal, archive, summary) until
//! their work lands: one component that shows the pane's title and a short line on what will
//! be here, and has no keys of its own.

use crate::tui::component::{Component, Ctx, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

/// A pane without content yet, named by its title's translation key.
pub struct Placeholder {
    pub title_key: &'static str,
}

impl Component for Placeholder {
    fn sections(&self) -> &'static [Section] {
        &[Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        &[]
    }

    fn handle(&mut self, _action: Action, _ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        Ok(Outcome::NotMine)
    }

    fn reload(&mut self, _changed: Changed, _ctx: &Ctx<'_>) -> anyhow::Result<()> {
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let lines = vec![
            Line::styled(view.lang.t(self.title_key).to_string(), view.theme.title),
            Line::from(""),
            Line::styled(
                view.lang.t("pane.coming_later").to_string(),
                view.theme.muted,
            ),
        ];
        frame.render_widget(Paragraph::new(lines), area);
    }
}
