//! The loan detail's Warnings tab: every warning of the loan, closed ones too, in board
//! order (red first, oldest first); Enter opens one, `m` raises a manual warning.

use super::loan_detail::DetailState;
use crate::i18n::Lang;
use crate::store::{PageFrom, Store, StoreError, WarningQuery, WarningRow};
use crate::tui::theme::Theme;
use crate::tui::widgets::warning_cells;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// At most this many of a loan's warnings are read (a loan rarely has more than a dozen).
const MAX_ROWS: usize = 500;

pub fn load(store: &Store, loan_id: i64) -> Result<Vec<WarningRow>, StoreError> {
    let q = WarningQuery {
        loan_id: Some(loan_id),
        include_closed: true,
        ..WarningQuery::default()
    };
    store.warning_page(&q, &PageFrom::Start, MAX_ROWS)
}

pub fn render(d: &DetailState, buf: &mut Buffer, area: Rect, lang: Lang, theme: &Theme) {
    if area.height < 2 {
        return;
    }
    if d.warnings.is_empty() {
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(lang.t("detail.no_warnings"), theme.muted),
            area.width,
        );
        return;
    }
    // Keep the cursor on screen: the rows below the header scroll with it.
    let rows = usize::from(area.height - 1);
    let first = d.warn_cursor.saturating_sub(rows.saturating_sub(1));
    let cols = warning_cells::columns(area.width, false);
    warning_cells::render_rows(
        d.warnings.iter().skip(first),
        Some(d.warn_cursor - first),
        &cols,
        true,
        area,
        buf,
        lang,
        theme,
    );
}
