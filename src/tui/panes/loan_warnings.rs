//! The loan detail's Warnings tab: every warning of the loan, closed ones too, in board
//! order (red first, oldest first), read a screen at a time; Enter opens one, `m` raises a
//! manual warning.

use super::loan_detail::DetailState;
use crate::i18n::Lang;
use crate::tui::theme::Theme;
use crate::tui::widgets::warning_cells;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn render(d: &DetailState, buf: &mut Buffer, area: Rect, lang: Lang, theme: &Theme) {
    if area.height < 2 {
        return;
    }
    if d.warnings.rows.is_empty() {
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(lang.t("detail.no_warnings"), theme.muted),
            area.width,
        );
        return;
    }
    // The rows on screen were read for this height; the selection is among them.
    let cols = warning_cells::columns(area.width, false);
    warning_cells::render_rows(
        d.warnings.rows.iter(),
        d.warnings.selected_on_screen(),
        &cols,
        true,
        area,
        buf,
        lang,
        theme,
    );
}
