//! What a cell sends: its glyph, its width, blanks, and rows made comparable.

use super::*;

/// Width of the glyph a cell shows: at least 1 (an empty symbol is sent as a space).
pub(super) fn glyph_width(cell: &Cell) -> u16 {
    if let CellDiffOption::ForcedWidth(w) = cell.diff_option {
        return w.get();
    }
    cell.symbol().cell_width().max(1)
}

/// The text to send for a cell.
pub(super) fn glyph_text(cell: &Cell) -> &str {
    let s = cell.symbol();
    if s.is_empty() || s.cell_width() == 0 {
        " "
    } else {
        s
    }
}

/// Blanks the cells hidden under wide glyphs and turns a glyph too wide for the row's end
/// into a space, so that equal screens are equal buffers.
pub(super) fn normalize_row(b: &mut Buffer, y: u16) {
    let w = b.area.width;
    let mut x = 0;
    while x < w {
        let gw = glyph_width(&b[(x, y)]);
        if x + gw > w {
            b[(x, y)].set_symbol(" ");
            break;
        }
        for h in x + 1..x + gw {
            b[(h, y)] = Cell::EMPTY;
        }
        x += gw;
    }
}

/// The cell is a blank in the default style: what an erase leaves behind.
pub(super) fn is_blank(cell: &Cell) -> bool {
    cell.symbol() == " "
        && Pen::of(cell) == Pen::DEFAULT
        && cell.diff_option == CellDiffOption::None
}

pub(super) fn row(b: &Buffer, y: u16) -> &[Cell] {
    let w = usize::from(b.area.width);
    let s = usize::from(y) * w;
    &b.content[s..s + w]
}
