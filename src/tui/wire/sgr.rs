//! Escape sequences for styles (SGR) and numbers: the cheapest way from one pen to another.

use super::*;

/// The SGR state of the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pen {
    pub(super) fg: Color,
    pub(super) bg: Color,
    pub(super) ul: Color,
    pub(super) modifier: Modifier,
}

impl Pen {
    pub(super) const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        ul: Color::Reset,
        modifier: Modifier::empty(),
    };

    pub(super) fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            ul: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

pub(super) fn push_num(out: &mut Vec<u8>, n: u32) {
    let _ = write!(out, "{n}");
}

/// CSI with an optional numeric parameter (omitted when it equals the default 1).
pub(super) fn csi1(out: &mut Vec<u8>, n: u32, fin: u8) {
    out.extend_from_slice(b"\x1b[");
    if n != 1 {
        push_num(out, n);
    }
    out.push(fin);
}

pub(super) fn color_params(p: &mut Vec<u32>, c: Color, base: u32) {
    // base: 30 for fg, 40 for bg, 50 for underline colour (no short forms).
    let idx = match c {
        Color::Reset => {
            p.push(base + 9);
            return;
        }
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        Color::Indexed(i) => u32::from(i),
        Color::Rgb(r, g, b) => {
            p.extend([base + 8, 2, u32::from(r), u32::from(g), u32::from(b)]);
            return;
        }
    };
    if base != 50 && idx < 8 {
        p.push(base + idx);
    } else if base != 50 && idx < 16 {
        p.push(base + 60 + idx - 8);
    } else {
        p.extend([base + 8, 5, idx]);
    }
}

pub(super) const MODS: [(Modifier, u32); 9] = [
    (Modifier::BOLD, 1),
    (Modifier::DIM, 2),
    (Modifier::ITALIC, 3),
    (Modifier::UNDERLINED, 4),
    (Modifier::SLOW_BLINK, 5),
    (Modifier::RAPID_BLINK, 6),
    (Modifier::REVERSED, 7),
    (Modifier::HIDDEN, 8),
    (Modifier::CROSSED_OUT, 9),
];

pub(super) fn sgr_len(p: &[u32]) -> usize {
    p.iter().map(|n| n.to_string().len() + 1).sum::<usize>() + 2
}

/// SGR parameters taking the pen from `from` (None: unknown) to `to`.
pub(super) fn pen_params(from: Option<Pen>, to: Pen) -> Vec<u32> {
    // From a reset: every non-default attribute of `to`.
    let mut reset = vec![0];
    for (m, code) in MODS {
        if to.modifier.contains(m) {
            reset.push(code);
        }
    }
    if to.fg != Color::Reset {
        color_params(&mut reset, to.fg, 30);
    }
    if to.bg != Color::Reset {
        color_params(&mut reset, to.bg, 40);
    }
    if to.ul != Color::Reset {
        color_params(&mut reset, to.ul, 50);
    }
    let Some(from) = from else { return reset };
    let mut inc = Vec::new();
    let removed = from.modifier - to.modifier;
    let mut add = to.modifier - from.modifier;
    if removed.intersects(Modifier::BOLD | Modifier::DIM) {
        inc.push(22);
        add |= to.modifier & (Modifier::BOLD | Modifier::DIM);
    }
    if removed.contains(Modifier::ITALIC) {
        inc.push(23);
    }
    if removed.contains(Modifier::UNDERLINED) {
        inc.push(24);
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        inc.push(25);
        add |= to.modifier & (Modifier::SLOW_BLINK | Modifier::RAPID_BLINK);
    }
    if removed.contains(Modifier::REVERSED) {
        inc.push(27);
    }
    if removed.contains(Modifier::HIDDEN) {
        inc.push(28);
    }
    if removed.contains(Modifier::CROSSED_OUT) {
        inc.push(29);
    }
    for (m, code) in MODS {
        if add.contains(m) {
            inc.push(code);
        }
    }
    if from.fg != to.fg {
        color_params(&mut inc, to.fg, 30);
    }
    if from.bg != to.bg {
        color_params(&mut inc, to.bg, 40);
    }
    if from.ul != to.ul {
        color_params(&mut inc, to.ul, 50);
    }
    if sgr_len(&reset) < sgr_len(&inc) {
        reset
    } else {
        inc
    }
}

/// Writes the SGR that takes the pen to `to` (nothing when it is there already).
pub(super) fn set_pen(out: &mut Vec<u8>, pen: &mut Option<Pen>, to: Pen) {
    if *pen == Some(to) {
        return;
    }
    let p = pen_params(*pen, to);
    out.extend_from_slice(b"\x1b[");
    if p != [0] {
        for (i, n) in p.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            push_num(out, *n);
        }
    }
    out.push(b'm');
    *pen = Some(to);
}

pub(super) fn sgr_cost(pen: Option<Pen>, to: Pen) -> usize {
    if pen == Some(to) {
        return 0;
    }
    let p = pen_params(pen, to);
    if p == [0] { 3 } else { sgr_len(&p) }
}
