//! Turning the cells that changed into bytes: moves, runs, erases, gap fills, and a shifted
//! row's insert or delete character when that is shorter.

use super::*;

/// Where the cursor is; `wrap` is the deferred-wrap state after writing the last column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cur {
    pub(super) x: u16,
    pub(super) y: u16,
    pub(super) wrap: bool,
}

/// The cursor and pen as the encoder leaves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    pub(super) cur: Option<Cur>,
    pub(super) pen: Option<Pen>,
}

pub(super) struct Encoder {
    pub(super) opts: WireOptions,
    /// The row of the cursor when it is shown (an editor's caret): after the frame it moves
    /// back to the caret, likely on the same row.
    pub(super) caret: Option<u16>,
}

impl Encoder {
    /// Shifts rows of the terminal (and of `shadow`) as `sc` says.
    pub(super) fn scroll(
        &self,
        shadow: &mut Buffer,
        sc: Scroll,
        head: &mut Head,
        out: &mut Vec<u8>,
    ) {
        // The rows scrolled in are filled with the current background: make it the default.
        set_pen(out, &mut head.pen, Pen::DEFAULT);
        out.extend_from_slice(b"\x1b[");
        push_num(out, u32::from(sc.top) + 1);
        out.push(b';');
        push_num(out, u32::from(sc.bottom) + 1);
        out.push(b'r');
        csi1(out, u32::from(sc.k), if sc.up { b'S' } else { b'T' });
        out.extend_from_slice(b"\x1b[r");
        // DECSTBM homes the cursor.
        head.cur = Some(Cur {
            x: 0,
            y: 0,
            wrap: false,
        });
        let w = shadow.area.width;
        let rows: Vec<u16> = if sc.up {
            (sc.top..=sc.bottom).collect()
        } else {
            (sc.top..=sc.bottom).rev().collect()
        };
        for y in rows {
            let src = if sc.up {
                y.checked_add(sc.k).filter(|s| *s <= sc.bottom)
            } else {
                y.checked_sub(sc.k).filter(|s| *s >= sc.top)
            };
            for x in 0..w {
                shadow[(x, y)] = match src {
                    Some(s) => shadow[(x, s)].clone(),
                    None => Cell::EMPTY,
                };
            }
        }
    }

    /// Paints every row where `next` differs from what the terminal shows (`old`).
    pub(super) fn frame(&self, old: &Buffer, next: &Buffer, head: &mut Head, out: &mut Vec<u8>) {
        for y in 0..next.area.height {
            if row(old, y) == row(next, y) {
                continue;
            }
            let candidates = if self.opts.insert_delete {
                shift_candidates(old, next, y)
            } else {
                Vec::new()
            };
            if candidates.is_empty() {
                self.row(old, next, y, head, out, None);
                continue;
            }
            // The plain diff against each shift: keep the shortest. On the row of a shown
            // cursor (an editor's caret), it goes back to the caret after the frame: count
            // that move.
            let mut plain_head = *head;
            let mut plain = Vec::new();
            self.row(old, next, y, &mut plain_head, &mut plain, None);
            let back = |h: Head, caret: u16| {
                if self.caret != Some(y) {
                    return 0;
                }
                let (mut h, mut o) = (h, Vec::new());
                self.move_to(next, next, caret, y, &mut h, &mut o, None);
                o.len()
            };
            let mut best: Option<(usize, Vec<u8>, Head)> = None;
            for (edits, caret) in candidates {
                let mut h = *head;
                let mut o = Vec::new();
                if !self.shifted_row(old, next, y, &edits, &mut h, &mut o) {
                    continue;
                }
                let (cost, against) = (
                    o.len() + back(h, caret),
                    plain.len() + back(plain_head, caret),
                );
                if cost < against && best.as_ref().is_none_or(|b| against - cost > b.0) {
                    best = Some((against - cost, o, h));
                }
            }
            match best {
                Some((_, o, h)) => {
                    out.extend_from_slice(&o);
                    *head = h;
                }
                None => {
                    out.extend_from_slice(&plain);
                    *head = plain_head;
                }
            }
        }
    }

    /// Row `y` by insert/delete character first (`edits`, in order), then the plain diff of
    /// what they leave against `next`. False when an edit would cut a wide glyph.
    fn shifted_row(
        &self,
        old: &Buffer,
        next: &Buffer,
        y: u16,
        edits: &[Edit],
        head: &mut Head,
        out: &mut Vec<u8>,
    ) -> bool {
        let mut sim = Sim::of(old, y);
        for e in edits {
            self.move_to(&sim.buf, next, e.at(), y, head, out, None);
            if !sim.edit(*e, head.pen) {
                return false;
            }
            e.push(out);
        }
        self.row(&sim.buf, next, y, head, out, Some(&sim.unknown));
        true
    }

    /// Paints row `y` where `next` differs from `old`, and every cell `unknown` flags.
    pub(super) fn row(
        &self,
        old: &Buffer,
        next: &Buffer,
        y: u16,
        head: &mut Head,
        out: &mut Vec<u8>,
        unknown: Option<&[bool]>,
    ) {
        let w = next.area.width;
        let wu = usize::from(w);
        // Glyph starts (and widths) in both rows.
        let spans = |b: &Buffer| {
            let mut owner = vec![0u16; wu];
            let mut x = 0;
            while x < w {
                let gw = glyph_width(&b[(x, y)]).min(w - x);
                for h in x..x + gw {
                    owner[usize::from(h)] = x;
                }
                x += gw;
            }
            owner
        };
        let old_owner = spans(old);
        let new_owner = spans(next);
        let new_w = |x: u16| glyph_width(&next[(x, y)]).min(w - x);
        let old_w = |x: u16| glyph_width(&old[(x, y)]).min(w - x);
        // A new glyph must be written when any of its cells shows something else now.
        let mut mark = vec![false; wu];
        let mut x = 0;
        while x < w {
            let gw = new_w(x);
            let same = old_owner[usize::from(x)] == x
                && old_w(x) == gw
                && old[(x, y)] == next[(x, y)]
                && unknown.is_none_or(|u| !u[usize::from(x)..usize::from(x + gw)].contains(&true));
            if !same {
                mark[usize::from(x)] = true;
            }
            x += gw;
        }
        // Writing over part of an old wide glyph wipes the rest of it: rewrite what is there.
        loop {
            let mut changed = false;
            let mut x = 0;
            while x < w {
                let gw = new_w(x);
                if mark[usize::from(x)] {
                    for edge in [x, x + gw - 1] {
                        let s = old_owner[usize::from(edge)];
                        let e = s + old_w(s);
                        for c in s..e {
                            let o = usize::from(new_owner[usize::from(c)]);
                            if !mark[o] {
                                mark[o] = true;
                                changed = true;
                            }
                        }
                    }
                }
                x += gw;
            }
            if !changed {
                break;
            }
        }
        // Blank tail: from which column on the new row is blank to the end.
        let mut blank_from = w;
        while blank_from > 0 && is_blank(&next[(blank_from - 1, y)]) {
            blank_from -= 1;
        }
        let mut x = 0;
        while x < w {
            let gw = new_w(x);
            if !mark[usize::from(x)] {
                x += gw;
                continue;
            }
            let cell = &next[(x, y)];
            if self.opts.erase && is_blank(cell) {
                if x >= blank_from {
                    let pending = (x..w).filter(|c| mark[usize::from(*c)]).count();
                    let cost = 3 + sgr_cost(head.pen, Pen::DEFAULT);
                    if pending > cost {
                        self.move_to(old, next, x, y, head, out, Some(Pen::DEFAULT));
                        set_pen(out, &mut head.pen, Pen::DEFAULT);
                        out.extend_from_slice(b"\x1b[K");
                        break;
                    }
                } else {
                    // A run of marked blanks: ECH, then a move past it.
                    let mut e = x;
                    while e < w && mark[usize::from(e)] && is_blank(&next[(e, y)]) {
                        e += 1;
                    }
                    let n = e - x;
                    let cost = 3 + digits(n) + sgr_cost(head.pen, Pen::DEFAULT) + 4;
                    if usize::from(n) > cost {
                        self.move_to(old, next, x, y, head, out, Some(Pen::DEFAULT));
                        set_pen(out, &mut head.pen, Pen::DEFAULT);
                        out.extend_from_slice(b"\x1b[");
                        push_num(out, u32::from(n));
                        out.push(b'X');
                        x = e;
                        continue;
                    }
                }
            }
            let pen = Pen::of(cell);
            self.move_to(old, next, x, y, head, out, Some(pen));
            set_pen(out, &mut head.pen, pen);
            let text = glyph_text(cell);
            out.extend_from_slice(text.as_bytes());
            let mut end = x + gw;
            // REP: the same narrow glyph again and again.
            if self.opts.rep && gw == 1 && text.chars().count() == 1 {
                let mut e = end;
                while e < w && mark[usize::from(e)] && next[(e, y)] == *cell {
                    e += 1;
                }
                let n = e - end;
                if usize::from(n) * text.len() > 3 + digits(n) {
                    csi1(out, u32::from(n), b'b');
                    end = e;
                }
            }
            head.cur = Some(if end >= w {
                Cur {
                    x: w - 1,
                    y,
                    wrap: true,
                }
            } else {
                Cur {
                    x: end,
                    y,
                    wrap: false,
                }
            });
            x = end;
        }
    }

    /// Moves the cursor to (x, y) by the shortest sequence; `then` is the pen the next glyph
    /// needs, so that a gap filled with other styles is charged for changing back.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn move_to(
        &self,
        old: &Buffer,
        next: &Buffer,
        x: u16,
        y: u16,
        head: &mut Head,
        out: &mut Vec<u8>,
        then: Option<Pen>,
    ) {
        let target = Cur { x, y, wrap: false };
        if head.cur == Some(target) {
            return;
        }
        let mut best = cup(x, y);
        let mut best_pen = head.pen;
        let charge =
            |bytes: &[u8], pen: Option<Pen>| bytes.len() + then.map_or(0, |t| sgr_cost(pen, t));
        let mut best_cost = charge(&best, head.pen);
        if let (true, Some(c)) = (self.opts.relative_moves, head.cur) {
            // Vertical part: (bytes, column after).
            let mut verticals: Vec<(Vec<u8>, Option<u16>)> = Vec::new();
            if c.y == y {
                if c.wrap {
                    verticals.push((b"\r".to_vec(), Some(0)));
                } else {
                    verticals.push((Vec::new(), Some(c.x)));
                }
            } else if y > c.y {
                let dy = y - c.y;
                if dy <= 4 {
                    verticals.push((b"\r\n".repeat(usize::from(dy)), Some(0)));
                }
                let mut v = b"\r".to_vec();
                csi1(&mut v, u32::from(dy), b'B');
                verticals.push((v, Some(0)));
                if !c.wrap {
                    let mut v = Vec::new();
                    csi1(&mut v, u32::from(dy), b'B');
                    verticals.push((v, Some(c.x)));
                }
            } else if !c.wrap {
                let mut v = Vec::new();
                csi1(&mut v, u32::from(c.y - y), b'A');
                verticals.push((v, Some(c.x)));
            }
            if !c.wrap && c.y != y {
                let mut v = Vec::new();
                csi1(&mut v, u32::from(y) + 1, b'd');
                verticals.push((v, Some(c.x)));
            }
            for (v, col) in verticals {
                let Some(col) = col else { continue };
                let mut horizontals: Vec<(Vec<u8>, Option<Pen>)> = Vec::new();
                if col == x {
                    horizontals.push((Vec::new(), head.pen));
                } else if x > col {
                    let mut h = Vec::new();
                    csi1(&mut h, u32::from(x - col), b'C');
                    horizontals.push((h, head.pen));
                    if self.opts.gap_fill
                        && x - col <= 12
                        && let Some(fill) = gap_fill(old, next, col, x, y, head.pen)
                    {
                        horizontals.push(fill);
                    }
                } else {
                    let mut h = Vec::new();
                    csi1(&mut h, u32::from(col - x), b'D');
                    horizontals.push((h, head.pen));
                    let mut h = b"\r".to_vec();
                    if x > 0 {
                        csi1(&mut h, u32::from(x), b'C');
                    }
                    horizontals.push((h, head.pen));
                }
                let mut h = Vec::new();
                csi1(&mut h, u32::from(x) + 1, b'G');
                horizontals.push((h, head.pen));
                for (h, pen) in horizontals {
                    let cost = v.len() + charge(&h, pen);
                    if cost < best_cost {
                        best_cost = cost;
                        best = [v.as_slice(), h.as_slice()].concat();
                        best_pen = pen;
                    }
                }
            }
        }
        out.extend_from_slice(&best);
        head.pen = best_pen;
        head.cur = Some(target);
    }
}

/// Re-sends the unchanged glyphs in columns `from..to` of row `y`, if they can be: the
/// terminal shows them as in the new frame and they are whole glyphs. Returns the bytes and
/// the pen after them.
pub(super) fn gap_fill(
    old: &Buffer,
    next: &Buffer,
    from: u16,
    to: u16,
    y: u16,
    pen: Option<Pen>,
) -> Option<(Vec<u8>, Option<Pen>)> {
    // Starting inside a wide glyph (the cursor left on its second half) would wipe it.
    if (from.saturating_sub(3)..from).any(|s| s + glyph_width(&old[(s, y)]) > from) {
        return None;
    }
    let mut out = Vec::new();
    let mut pen = pen;
    let mut x = from;
    while x < to {
        let cell = &next[(x, y)];
        if old[(x, y)] != *cell || cell.diff_option != CellDiffOption::None {
            return None;
        }
        let gw = glyph_width(cell);
        for h in x + 1..x + gw {
            if old[(h, y)] != next[(h, y)] {
                return None;
            }
        }
        set_pen(&mut out, &mut pen, Pen::of(cell));
        out.extend_from_slice(glyph_text(cell).as_bytes());
        x += gw;
    }
    (x == to).then_some((out, pen))
}

pub(super) fn digits(n: u16) -> usize {
    n.to_string().len()
}

/// The absolute move (CUP), with the parameters that can go left out.
pub(super) fn cup(x: u16, y: u16) -> Vec<u8> {
    let mut v = b"\x1b[".to_vec();
    if y > 0 || x > 0 {
        push_num(&mut v, u32::from(y) + 1);
    }
    if x > 0 {
        v.push(b';');
        push_num(&mut v, u32::from(x) + 1);
    }
    v.push(b'H');
    v
}
