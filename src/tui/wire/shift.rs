//! Insert and delete character (ICH `CSI n @`, DCH `CSI n P`): finding a row that the new frame
//! shows with cells inserted or deleted at one column, and what those sequences leave on screen.
//!
//! A typed character in the middle of a line shifts the rest of the line; without ICH the tail
//! is sent again. When the shifted part ends before the right margin (a text field with a panel
//! to its right), a DCH at the field's end first pulls the panel left, and the ICH then pushes it
//! back: the panel and the margin are left as they were. Blanks the terminal fills in take the
//! current background (xterm, tmux): they are known blanks only when the pen is the default one.

use super::*;

/// One edit of the cursor's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edit {
    /// ICH: `n` blanks at column `at`, the rest of the row shifted right; cells pushed past the
    /// right margin are lost.
    Insert { at: u16, n: u16 },
    /// DCH: the `n` cells at column `at` removed, the rest shifted left, blanks at the margin.
    Delete { at: u16, n: u16 },
}

impl Edit {
    pub(super) fn at(self) -> u16 {
        match self {
            Edit::Insert { at, .. } | Edit::Delete { at, .. } => at,
        }
    }

    /// The escape sequence.
    pub(super) fn push(self, out: &mut Vec<u8>) {
        match self {
            Edit::Insert { n, .. } => csi1(out, u32::from(n), b'@'),
            Edit::Delete { n, .. } => csi1(out, u32::from(n), b'P'),
        }
    }
}

/// The widest shift tried, in cells (a few typed or deleted characters, a short paste).
const MAX_SHIFT: usize = 8;
/// Cells that must match shifted right after the edit before a shift is worth trying.
const MIN_RUN: usize = 3;
/// What the second edit and the moves around it cost, counted in cells when choosing.
const SECOND_EDIT: usize = 8;

/// Which columns of `cells` start a glyph; one more entry for the right margin (always true).
pub(super) fn starts(cells: &[Cell]) -> Vec<bool> {
    let w = cells.len();
    let mut st = vec![false; w + 1];
    let mut x = 0;
    while x < w {
        st[x] = true;
        x += usize::from(glyph_width(&cells[x])).min(w - x);
    }
    st[w] = true;
    st
}

/// Row `y` as the terminal shows it while edits are applied: a one-row buffer (so that the
/// encoder reads it like the shadow) and the cells whose content is not known.
pub(super) struct Sim {
    pub(super) buf: Buffer,
    pub(super) unknown: Vec<bool>,
}

impl Sim {
    pub(super) fn of(old: &Buffer, y: u16) -> Sim {
        let cells = row(old, y).to_vec();
        Sim {
            unknown: vec![false; cells.len()],
            buf: Buffer {
                area: Rect::new(0, y, old.area.width, 1),
                content: cells,
            },
        }
    }

    /// Applies `e` as the terminal would with the pen `pen`; false (and nothing changed) when
    /// the edit would cut a wide glyph in two, where terminals disagree.
    pub(super) fn edit(&mut self, e: Edit, pen: Option<Pen>) -> bool {
        let cells = &mut self.buf.content;
        let w = cells.len();
        let st = starts(cells);
        // A blank filled in by the terminal: known only in the default pen.
        let fill_unknown = pen != Some(Pen::DEFAULT);
        match e {
            Edit::Insert { at, n } => {
                let (a, k) = (usize::from(at), usize::from(n));
                if a >= w || k == 0 || !st[a] {
                    return false;
                }
                let k = k.min(w - a);
                cells[a..].rotate_right(k);
                self.unknown[a..].rotate_right(k);
                cells[a..a + k].fill(Cell::EMPTY);
                self.unknown[a..a + k].fill(fill_unknown);
                // A wide glyph pushed half past the margin: terminals differ on what is left.
                let st = starts(cells);
                if let Some(last) = (0..w).rev().find(|x| st[*x])
                    && last + usize::from(glyph_width(&cells[last])) > w
                {
                    cells[last..].fill(Cell::EMPTY);
                    self.unknown[last..].fill(true);
                }
            }
            Edit::Delete { at, n } => {
                let (a, k) = (usize::from(at), usize::from(n));
                if k == 0 || a + k > w || !st[a] || !st[a + k] {
                    return false;
                }
                cells[a..].rotate_left(k);
                self.unknown[a..].rotate_left(k);
                cells[w - k..].fill(Cell::EMPTY);
                self.unknown[w - k..].fill(fill_unknown);
            }
        }
        true
    }
}

/// Edits worth trying for row `y`: the best insertion and the best deletion at the first
/// column that differs, each with and without a second edit that keeps the row's right part
/// in place; with each, where a caret would be after it (after the inserted cells, or where
/// cells were deleted). Empty when the row does not look shifted.
pub(super) fn shift_candidates(old: &Buffer, next: &Buffer, y: u16) -> Vec<(Vec<Edit>, u16)> {
    let o = row(old, y);
    let n = row(next, y);
    let w = o.len();
    // Cells drawn by something else (images, links) must not move under it.
    if o.iter()
        .chain(n)
        .any(|c| c.diff_option == CellDiffOption::Skip)
    {
        return Vec::new();
    }
    let Some(mut p) = (0..w).find(|x| o[*x] != n[*x]) else {
        return Vec::new();
    };
    let ost = starts(o);
    while p > 0 && !ost[p] {
        p -= 1;
    }
    let mut found = Vec::new();
    // Best (score, edits) for: insert alone, insert bounded, delete alone, delete bounded.
    let mut best: [Option<(usize, Vec<Edit>)>; 4] = Default::default();
    let mut offer = |slot: usize, score: usize, edits: Vec<Edit>| {
        if best[slot].as_ref().is_none_or(|b| score < b.0) {
            best[slot] = Some((score, edits));
        }
    };
    let cell = |x: usize| x as u16;
    for k in 1..=MAX_SHIFT {
        // Insertion of k cells at p: n[p + k + i] == o[p + i].
        if p + k + MIN_RUN <= w && (0..MIN_RUN).all(|i| n[p + k + i] == o[p + i]) {
            // With a bounded region [p, d): DCH k at d - k, then ICH k at p; the row shows
            // o[p..d-k] at p + k and o[d..] in place. d == w: ICH alone, the tail is lost.
            let mut shifted = 0; // mismatches in [p + k, d) against the shifted old row
            let mut unshifted: usize = (p + k..w).filter(|x| n[*x] != o[*x]).count();
            for d in p + k..=w {
                if d > p + k {
                    shifted += usize::from(n[d - 1] != o[d - 1 - k]);
                    unshifted -= usize::from(n[d - 1] != o[d - 1]);
                }
                if d > p + k + 1 {
                    if d == w {
                        offer(
                            0,
                            shifted + k,
                            vec![Edit::Insert {
                                at: cell(p),
                                n: cell(k),
                            }],
                        );
                    } else if ost[d - k] && ost[d] {
                        offer(
                            1,
                            shifted + unshifted + k + SECOND_EDIT,
                            vec![
                                Edit::Delete {
                                    at: cell(d - k),
                                    n: cell(k),
                                },
                                Edit::Insert {
                                    at: cell(p),
                                    n: cell(k),
                                },
                            ],
                        );
                    }
                }
            }
        }
        // Deletion of k cells at p: n[p + i] == o[p + k + i].
        if p + k + MIN_RUN <= w && ost[p + k] && (0..MIN_RUN).all(|i| n[p + i] == o[p + k + i]) {
            // With a bounded region [p, e): DCH k at p, then ICH k at e - k; the row shows
            // o[p+k..e] at p, blanks at e - k, o[e..] in place. e == w: DCH alone.
            let blank = |x: usize| usize::from(!is_blank(&n[x]));
            let mut shifted = 0; // mismatches in [p, e - k) against the shifted old row
            let mut unshifted: usize = (p + k..w).filter(|x| n[*x] != o[*x]).count();
            for e in p + k + 1..=w {
                shifted += usize::from(n[e - 1 - k] != o[e - 1]);
                unshifted -= usize::from(n[e - 1] != o[e - 1]);
                let blanks: usize = (e - k..e).map(blank).sum();
                if e == w {
                    offer(
                        2,
                        shifted + blanks,
                        vec![Edit::Delete {
                            at: cell(p),
                            n: cell(k),
                        }],
                    );
                } else if ost[e] {
                    offer(
                        3,
                        shifted + blanks + unshifted + SECOND_EDIT,
                        vec![
                            Edit::Delete {
                                at: cell(p),
                                n: cell(k),
                            },
                            Edit::Insert {
                                at: cell(e - k),
                                n: cell(k),
                            },
                        ],
                    );
                }
            }
        }
    }
    for (slot, b) in best.into_iter().enumerate() {
        if let Some((_, edits)) = b {
            let caret = match edits.last() {
                Some(Edit::Insert { at, n }) if slot < 2 => at + n,
                _ => cell(p),
            };
            found.push((edits, caret));
        }
    }
    found
}
