//! Scrolling: finding a block of rows that the new frame shows shifted.

use super::*;

/// A shift of rows `top..=bottom` by `k`: up (content moves up) or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Scroll {
    pub(super) top: u16,
    pub(super) bottom: u16,
    pub(super) k: u16,
    pub(super) up: bool,
}

/// Blocks of rows that the new frame shows shifted by 1–3 rows from the old one.
pub(super) fn scroll_candidates(old: &Buffer, new: &Buffer) -> Vec<Scroll> {
    let h = new.area.height;
    let mut found = Vec::new();
    for k in 1..=3u16 {
        for up in [true, false] {
            // Best run of rows r with new[r] == old[r±k] that actually changed.
            let mut best: Option<(u16, u16, usize)> = None;
            let mut start: Option<u16> = None;
            let mut gain = 0usize;
            for r in 0..=h {
                let src = if up {
                    r.checked_add(k)
                } else {
                    r.checked_sub(k)
                };
                let eq = r < h && src.is_some_and(|s| s < h && row(new, r) == row(old, s));
                if eq {
                    if start.is_none() {
                        start = Some(r);
                        gain = 0;
                    }
                    if row(new, r) != row(old, r) {
                        gain += 1;
                    }
                } else if let Some(s) = start.take()
                    && gain >= 2
                    && best.is_none_or(|b| gain > b.2)
                {
                    best = Some((s, r - 1, gain));
                }
            }
            if let Some((a, b, _)) = best {
                let sc = if up {
                    Scroll {
                        top: a,
                        bottom: b + k,
                        k,
                        up,
                    }
                } else {
                    Scroll {
                        top: a - k,
                        bottom: b,
                        k,
                        up,
                    }
                };
                found.push(sc);
            }
        }
    }
    found
}
