//! A ratatui backend for slow links: the same screen as `CrosstermBackend`, in fewer bytes.
//! It keeps a shadow of what the terminal shows and picks the cheapest moves, styles and erases.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Rect, Size};
use ratatui::style::{Color, Modifier};
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Begin and end of synchronized output (DEC mode 2026), as crossterm writes them.
const BSU: &[u8] = b"\x1b[?2026h";
const ESU: &[u8] = b"\x1b[?2026l";

/// Which byte-saving techniques the backend may use; each can be turned off to measure it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireOptions {
    /// Relative moves (CUF, CUB, CHA, VPA, CR LF) where shorter than an absolute CUP.
    pub relative_moves: bool,
    /// Re-send a short run of unchanged cells instead of jumping over it, when shorter.
    pub gap_fill: bool,
    /// Erase a blank tail of a row (`ESC[K`) or a blank run (`ESC[nX`) instead of spaces.
    pub erase: bool,
    /// Scroll a block of rows (DECSTBM + SU/SD) when the new frame is the old one shifted.
    pub scroll: bool,
    /// Repeat a character with REP (`ESC[nb`). Off by default: not every terminal has it.
    pub rep: bool,
    /// Wrap each draw that writes anything in synchronized output, and write nothing at all
    /// for a draw that changes nothing. Off by default: the caller wraps frames itself.
    pub sync: bool,
}

impl Default for WireOptions {
    fn default() -> Self {
        WireOptions {
            relative_moves: true,
            gap_fill: true,
            erase: true,
            scroll: true,
            rep: false,
            sync: false,
        }
    }
}

impl WireOptions {
    /// Only what is always needed: absolute moves and minimal style changes.
    pub fn minimal() -> Self {
        WireOptions {
            relative_moves: false,
            gap_fill: false,
            erase: false,
            scroll: false,
            rep: false,
            sync: false,
        }
    }
}

/// A writer that only counts what goes through it; clones share the count, so one clone can
/// go into a backend while another reads the bytes written (for measuring without a terminal).
#[derive(Debug, Default, Clone)]
pub struct Counter {
    bytes: Arc<AtomicU64>,
}

impl Counter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes written through any clone so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A writer that keeps everything; clones share the bytes, `take` hands over what came so far.
#[derive(Debug, Default, Clone)]
pub struct Capture {
    data: Arc<Mutex<Vec<u8>>>,
}

impl Capture {
    pub fn new() -> Self {
        Self::default()
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.data())
    }

    pub fn len(&self) -> usize {
        self.data().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.data().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The SGR state of the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    ul: Color,
    modifier: Modifier,
}

impl Pen {
    const DEFAULT: Pen = Pen {
        fg: Color::Reset,
        bg: Color::Reset,
        ul: Color::Reset,
        modifier: Modifier::empty(),
    };

    fn of(cell: &Cell) -> Pen {
        Pen {
            fg: cell.fg,
            bg: cell.bg,
            ul: cell.underline_color,
            modifier: cell.modifier,
        }
    }
}

/// Where the cursor is; `wrap` is the deferred-wrap state after writing the last column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cur {
    x: u16,
    y: u16,
    wrap: bool,
}

/// The cursor and pen as the encoder leaves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    cur: Option<Cur>,
    pen: Option<Pen>,
}

/// A [`Backend`] that writes fewer bytes than `CrosstermBackend` for the same screen.
pub struct WireBackend<W: Write> {
    writer: W,
    /// What the terminal shows (and what ratatui's previous buffer holds).
    shadow: Buffer,
    head: Head,
    cursor_visible: Option<bool>,
    /// The screen content is unknown (a partial clear with an unknown cursor): repaint all.
    stale: bool,
    fixed_size: Option<Size>,
    opts: WireOptions,
    /// Synchronized output begun in this frame and not yet ended.
    in_sync: bool,
}

impl<W: Write> WireBackend<W> {
    /// A backend over `writer`, asking the terminal for its size. Like `CrosstermBackend`, it
    /// takes the screen to be blank (the caller has cleared it).
    pub fn new(writer: W) -> Self {
        Self::with_options(writer, WireOptions::default())
    }

    pub fn with_options(writer: W, opts: WireOptions) -> Self {
        // Unknown size: the first draw grows the shadow and repaints from a clear screen.
        let area = crossterm::terminal::size()
            .map(|(w, h)| Rect::new(0, 0, w, h))
            .unwrap_or(Rect::ZERO);
        WireBackend {
            writer,
            shadow: Buffer::empty(area),
            head: Head {
                cur: None,
                pen: None,
            },
            cursor_visible: None,
            stale: false,
            fixed_size: None,
            opts,
            in_sync: false,
        }
    }

    /// A backend of a fixed size that never asks a terminal (for measuring and tests).
    pub fn fixed(writer: W, width: u16, height: u16, opts: WireOptions) -> Self {
        let mut b = Self::with_options(writer, opts);
        b.fixed_size = Some(Size { width, height });
        b.shadow = Buffer::empty(Rect::new(0, 0, width, height));
        b
    }

    /// Changes the fixed size (as a terminal resize would); the next clear takes it.
    pub fn set_fixed_size(&mut self, width: u16, height: u16) {
        self.fixed_size = Some(Size { width, height });
    }

    pub fn writer(&self) -> &W {
        &self.writer
    }

    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }

    /// What the backend believes the terminal shows.
    pub fn shadow(&self) -> &Buffer {
        &self.shadow
    }

    pub fn options(&self) -> WireOptions {
        self.opts
    }

    /// Forgets what the terminal shows: the next draw clears and repaints everything.
    pub fn invalidate(&mut self) {
        self.stale = true;
        self.head = Head {
            cur: None,
            pen: None,
        };
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.opts.sync && !self.in_sync {
            self.writer.write_all(BSU)?;
            self.in_sync = true;
        }
        self.writer.write_all(bytes)
    }

    /// A shadow of `size`, blank, keeping nothing (the terminal was cleared).
    fn blank_shadow(&mut self, size: Size) {
        self.shadow = Buffer::empty(Rect::new(0, 0, size.width, size.height));
    }
}

impl<W: Write> Write for WireBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl<W: Write> Backend for WireBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut next = self.shadow.clone();
        let mut touched = vec![false; usize::from(next.area.height)];
        for (x, y, cell) in content {
            if x >= next.area.width || y >= next.area.height {
                // Drawn beyond what we know of the screen: grow, and repaint it all.
                let w = next.area.width.max(x.saturating_add(1));
                let h = next.area.height.max(y.saturating_add(1));
                next = grow(&next, w, h);
                touched.resize(usize::from(h), true);
                self.stale = true;
            }
            next[(x, y)] = cell.clone();
            touched[usize::from(y)] = true;
        }
        for (y, t) in touched.iter().enumerate() {
            if *t {
                normalize_row(&mut next, y as u16);
            }
        }
        let mut out = Vec::new();
        let mut head = self.head;
        let base: Buffer;
        if self.stale || next.area != self.shadow.area {
            set_pen(&mut out, &mut head.pen, Pen::DEFAULT);
            out.extend_from_slice(b"\x1b[2J");
            base = Buffer::empty(next.area);
            self.stale = false;
        } else {
            if next.content == self.shadow.content {
                return Ok(());
            }
            base = self.shadow.clone();
        }
        let enc = Encoder { opts: self.opts };
        let (mut best, mut best_head) = {
            let mut o = out.clone();
            let mut h = head;
            enc.frame(&base, &next, &mut h, &mut o);
            (o, h)
        };
        if self.opts.scroll {
            for sc in scroll_candidates(&base, &next) {
                let mut o = out.clone();
                let mut h = head;
                let mut scrolled = base.clone();
                enc.scroll(&mut scrolled, sc, &mut h, &mut o);
                enc.frame(&scrolled, &next, &mut h, &mut o);
                if o.len() < best.len() {
                    best = o;
                    best_head = h;
                }
            }
        }
        head = best_head;
        self.emit(&best)?;
        self.head = head;
        self.shadow = next;
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(false) {
            self.emit(b"\x1b[?25l")?;
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        let mut out = Vec::new();
        // Leave the default pen behind for whatever writes next (the shell, a prompt).
        if self.head.pen != Some(Pen::DEFAULT) {
            set_pen(&mut out, &mut self.head.pen, Pen::DEFAULT);
        }
        if self.cursor_visible != Some(true) {
            out.extend_from_slice(b"\x1b[?25h");
            self.cursor_visible = Some(true);
        }
        self.emit(&out)
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        match self.head.cur {
            Some(c) => Ok(Position { x: c.x, y: c.y }),
            None if self.fixed_size.is_some() => Ok(Position::ORIGIN),
            None => crossterm::cursor::position()
                .map(|(x, y)| Position { x, y })
                .map_err(io::Error::other),
        }
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let Position { x, y } = position.into();
        let mut out = Vec::new();
        let enc = Encoder { opts: self.opts };
        let mut head = self.head;
        if head.cur != Some(Cur { x, y, wrap: false }) {
            enc.move_to(&self.shadow, &self.shadow, x, y, &mut head, &mut out, None);
        }
        self.head = head;
        self.emit(&out)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        let mut out = Vec::new();
        let mut pen = self.head.pen;
        set_pen(&mut out, &mut pen, Pen::DEFAULT);
        self.head.pen = pen;
        let cur = self.head.cur.filter(|c| !c.wrap);
        let area = self.shadow.area;
        let blank_rows = |b: &mut Buffer, rows: std::ops::Range<u16>| {
            for y in rows {
                for x in 0..b.area.width {
                    b[(x, y)] = Cell::EMPTY;
                }
            }
        };
        match clear_type {
            ClearType::All => {
                out.extend_from_slice(b"\x1b[2J");
                let size = self.size()?;
                self.blank_shadow(size);
                self.stale = false;
            }
            other => {
                let seq: &[u8] = match other {
                    ClearType::AfterCursor => b"\x1b[J",
                    ClearType::BeforeCursor => b"\x1b[1J",
                    ClearType::CurrentLine => b"\x1b[2K",
                    _ => b"\x1b[K",
                };
                out.extend_from_slice(seq);
                match cur {
                    Some(c) if c.y < area.height && c.x < area.width => {
                        let (x0, x1) = match other {
                            ClearType::AfterCursor | ClearType::UntilNewLine => (c.x, area.width),
                            ClearType::BeforeCursor => (0, c.x + 1),
                            _ => (0, area.width),
                        };
                        for x in x0..x1 {
                            self.shadow[(x, c.y)] = Cell::EMPTY;
                        }
                        match other {
                            ClearType::AfterCursor => {
                                blank_rows(&mut self.shadow, c.y + 1..area.height)
                            }
                            ClearType::BeforeCursor => blank_rows(&mut self.shadow, 0..c.y),
                            _ => {}
                        }
                        // A wide glyph cut in half by the erase is gone as a whole.
                        normalize_row(&mut self.shadow, c.y);
                    }
                    _ => self.stale = true,
                }
            }
        }
        self.emit(&out)?;
        Backend::flush(self)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        let out: Vec<u8> = std::iter::repeat_n(b'\n', usize::from(n)).collect();
        self.head.cur = None;
        self.stale = true;
        self.emit(&out)?;
        Backend::flush(self)
    }

    fn size(&self) -> io::Result<Size> {
        if let Some(s) = self.fixed_size {
            return Ok(s);
        }
        let (width, height) = crossterm::terminal::size()?;
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        if let Some(s) = self.fixed_size {
            return Ok(WindowSize {
                columns_rows: s,
                pixels: Size::default(),
            });
        }
        let ws = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size {
                width: ws.columns,
                height: ws.rows,
            },
            pixels: Size {
                width: ws.width,
                height: ws.height,
            },
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.in_sync {
            self.writer.write_all(ESU)?;
            self.in_sync = false;
        }
        self.writer.flush()
    }
}

/// A copy of `b` grown to `w`×`h`, keeping what overlaps.
fn grow(b: &Buffer, w: u16, h: u16) -> Buffer {
    let mut n = Buffer::empty(Rect::new(0, 0, w, h));
    for y in 0..b.area.height.min(h) {
        for x in 0..b.area.width.min(w) {
            n[(x, y)] = b[(x, y)].clone();
        }
    }
    n
}

/// Width of the glyph a cell shows: at least 1 (an empty symbol is sent as a space).
fn glyph_width(cell: &Cell) -> u16 {
    if let CellDiffOption::ForcedWidth(w) = cell.diff_option {
        return w.get();
    }
    cell.symbol().cell_width().max(1)
}

/// The text to send for a cell.
fn glyph_text(cell: &Cell) -> &str {
    let s = cell.symbol();
    if s.is_empty() || s.cell_width() == 0 {
        " "
    } else {
        s
    }
}

/// Blanks the cells hidden under wide glyphs and turns a glyph too wide for the row's end
/// into a space, so that equal screens are equal buffers.
fn normalize_row(b: &mut Buffer, y: u16) {
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
fn is_blank(cell: &Cell) -> bool {
    cell.symbol() == " "
        && Pen::of(cell) == Pen::DEFAULT
        && cell.diff_option == CellDiffOption::None
}

/// A shift of rows `top..=bottom` by `k`: up (content moves up) or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scroll {
    top: u16,
    bottom: u16,
    k: u16,
    up: bool,
}

fn row(b: &Buffer, y: u16) -> &[Cell] {
    let w = usize::from(b.area.width);
    let s = usize::from(y) * w;
    &b.content[s..s + w]
}

/// Blocks of rows that the new frame shows shifted by 1–3 rows from the old one.
fn scroll_candidates(old: &Buffer, new: &Buffer) -> Vec<Scroll> {
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

fn push_num(out: &mut Vec<u8>, n: u32) {
    let _ = write!(out, "{n}");
}

/// CSI with an optional numeric parameter (omitted when it equals the default 1).
fn csi1(out: &mut Vec<u8>, n: u32, fin: u8) {
    out.extend_from_slice(b"\x1b[");
    if n != 1 {
        push_num(out, n);
    }
    out.push(fin);
}

fn color_params(p: &mut Vec<u32>, c: Color, base: u32) {
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

const MODS: [(Modifier, u32); 9] = [
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

fn sgr_len(p: &[u32]) -> usize {
    p.iter().map(|n| n.to_string().len() + 1).sum::<usize>() + 2
}

/// SGR parameters taking the pen from `from` (None: unknown) to `to`.
fn pen_params(from: Option<Pen>, to: Pen) -> Vec<u32> {
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
fn set_pen(out: &mut Vec<u8>, pen: &mut Option<Pen>, to: Pen) {
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

fn sgr_cost(pen: Option<Pen>, to: Pen) -> usize {
    if pen == Some(to) {
        return 0;
    }
    let p = pen_params(pen, to);
    if p == [0] { 3 } else { sgr_len(&p) }
}

struct Encoder {
    opts: WireOptions,
}

impl Encoder {
    /// Shifts rows of the terminal (and of `shadow`) as `sc` says.
    fn scroll(&self, shadow: &mut Buffer, sc: Scroll, head: &mut Head, out: &mut Vec<u8>) {
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
    fn frame(&self, old: &Buffer, next: &Buffer, head: &mut Head, out: &mut Vec<u8>) {
        for y in 0..next.area.height {
            if row(old, y) != row(next, y) {
                self.row(old, next, y, head, out);
            }
        }
    }

    fn row(&self, old: &Buffer, next: &Buffer, y: u16, head: &mut Head, out: &mut Vec<u8>) {
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
            let same =
                old_owner[usize::from(x)] == x && old_w(x) == gw && old[(x, y)] == next[(x, y)];
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
    fn move_to(
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
fn gap_fill(
    old: &Buffer,
    next: &Buffer,
    from: u16,
    to: u16,
    y: u16,
    pen: Option<Pen>,
) -> Option<(Vec<u8>, Option<Pen>)> {
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

fn digits(n: u16) -> usize {
    n.to_string().len()
}

/// The absolute move (CUP), with the parameters that can go left out.
fn cup(x: u16, y: u16) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Constraint;
    use ratatui::style::{Style, Stylize};
    use ratatui::text::Line;
    use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};

    type WireTerm = Terminal<WireBackend<Capture>>;

    fn wire(w: u16, h: u16, opts: WireOptions) -> WireTerm {
        Terminal::new(WireBackend::fixed(Capture::default(), w, h, opts)).expect("terminal")
    }

    /// A small deterministic generator (xorshift), so failures replay.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    const NAMES: [&str; 8] = [
        "华东机械制造有限公司",
        "江苏恒通物流有限公司",
        "Acme Trading Ltd",
        "浙江新材料科技股份有限公司",
        "上海浦江贸易",
        "Northwind Foods",
        "苏州工业园区精密制造",
        "南京紫金农业合作社",
    ];

    /// A ledger-like table: border, header, rows with CJK names, a highlighted selection.
    fn ledger(f: &mut ratatui::Frame<'_>, offset: usize, selected: usize, filter: &str) {
        let area = f.area();
        let body = usize::from(area.height.saturating_sub(4));
        let rows: Vec<Row> = (offset..offset + body)
            .map(|i| {
                let status = if i % 7 == 0 { "逾期" } else { "正常" };
                let amount = format!("{:>14.2}", (i as f64) * 1234.5 + 10_000.0);
                let style = if i % 7 == 0 {
                    Style::new().red()
                } else {
                    Style::new()
                };
                Row::new(vec![
                    format!("PL{i:08}"),
                    NAMES[i % NAMES.len()].to_string(),
                    amount,
                    status.to_string(),
                    format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                ])
                .style(style)
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(12),
                Constraint::Fill(1),
                Constraint::Length(15),
                Constraint::Length(6),
                Constraint::Length(11),
            ],
        )
        .header(Row::new(["合同号", "借款人", "余额", "状态", "下次跟进"]).bold())
        .block(Block::new().borders(Borders::ALL).title(format!(
            " 台账 {}/{} ",
            selected + 1,
            100_000
        )))
        .row_highlight_style(Style::new().reversed());
        let mut state = TableState::new().with_selected(Some(selected - offset));
        let [bar, main, status] = ratatui::layout::Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        f.render_widget(
            Line::from(vec![
                " 1 今日 ".into(),
                " 2 台账 ".reversed(),
                " 3 预警 ".into(),
            ]),
            bar,
        );
        f.render_stateful_widget(table, main, &mut state);
        f.render_widget(
            Paragraph::new(format!("/{filter}  j/k 移动  q 退出")).dim(),
            status,
        );
    }

    /// Random text with CJK, styles and blanks at random places.
    fn random(f: &mut ratatui::Frame<'_>, rng: &mut Rng) {
        let area = f.area();
        let buf = f.buffer_mut();
        let colors = [
            Color::Reset,
            Color::Red,
            Color::LightCyan,
            Color::Indexed(200),
            Color::Rgb(10, 20, 30),
        ];
        let mods = [
            Modifier::empty(),
            Modifier::BOLD,
            Modifier::DIM | Modifier::ITALIC,
            Modifier::REVERSED,
            Modifier::UNDERLINED | Modifier::BOLD,
        ];
        for _ in 0..rng.below(30) {
            let x = rng.below(u64::from(area.width)) as u16;
            let y = rng.below(u64::from(area.height)) as u16;
            let text = match rng.below(4) {
                0 => NAMES[rng.below(8) as usize].to_string(),
                1 => " ".repeat(rng.below(20) as usize),
                2 => "─".repeat(rng.below(30) as usize),
                _ => format!("x{}", rng.next()),
            };
            let style = Style::new()
                .fg(colors[rng.below(5) as usize])
                .bg(colors[rng.below(5) as usize])
                .add_modifier(mods[rng.below(5) as usize])
                .remove_modifier(Modifier::all() - mods[rng.below(5) as usize]);
            buf.set_stringn(x, y, text, usize::from(area.width - x), style);
        }
        // Text written over the hidden half of a wide character leaves a buffer that no
        // backend can show (ratatui never sends hidden cells); widgets do not do that.
        for y in 0..area.height {
            normalize_row(buf, y);
        }
    }

    fn vt_color(c: Color) -> vt100::Color {
        match c {
            Color::Reset => vt100::Color::Default,
            Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
            Color::Indexed(i) => vt100::Color::Idx(i),
            other => {
                let i = [
                    Color::Black,
                    Color::Red,
                    Color::Green,
                    Color::Yellow,
                    Color::Blue,
                    Color::Magenta,
                    Color::Cyan,
                    Color::Gray,
                    Color::DarkGray,
                    Color::LightRed,
                    Color::LightGreen,
                    Color::LightYellow,
                    Color::LightBlue,
                    Color::LightMagenta,
                    Color::LightCyan,
                    Color::White,
                ]
                .iter()
                .position(|k| *k == other)
                .expect("named colour");
                vt100::Color::Idx(i as u8)
            }
        }
    }

    /// Every visible cell of the emulated screen equals the frame: text, colours, attributes.
    fn assert_screen(screen: &vt100::Screen, frame: &Buffer, what: &str) {
        let mut x;
        for y in 0..frame.area.height {
            x = 0;
            while x < frame.area.width {
                let want = &frame[(x, y)];
                let got = screen.cell(y, x).expect("cell in range");
                let text = if got.contents().is_empty() {
                    " "
                } else {
                    got.contents()
                };
                assert_eq!(text, glyph_text(want), "{what}: cell ({x},{y}) text");
                assert_eq!(
                    got.fgcolor(),
                    vt_color(want.fg),
                    "{what}: cell ({x},{y}) fg"
                );
                assert_eq!(
                    got.bgcolor(),
                    vt_color(want.bg),
                    "{what}: cell ({x},{y}) bg"
                );
                let m = want.modifier;
                assert_eq!(
                    got.bold(),
                    m.contains(Modifier::BOLD),
                    "{what}: cell ({x},{y}) bold"
                );
                assert_eq!(
                    got.dim(),
                    m.contains(Modifier::DIM),
                    "{what}: cell ({x},{y}) dim"
                );
                assert_eq!(
                    got.italic(),
                    m.contains(Modifier::ITALIC),
                    "{what}: cell ({x},{y}) italic"
                );
                let ul = m.contains(Modifier::UNDERLINED);
                assert_eq!(got.underline(), ul, "{what}: cell ({x},{y}) underline");
                let rev = m.contains(Modifier::REVERSED);
                assert_eq!(got.inverse(), rev, "{what}: cell ({x},{y}) inverse");
                x += glyph_width(want).min(frame.area.width - x);
            }
        }
    }

    /// Draws with `f`, feeds the output to the emulator and checks screen and shadow.
    fn step(
        term: &mut WireTerm,
        vt: &mut vt100::Parser,
        what: &str,
        f: impl FnOnce(&mut ratatui::Frame<'_>),
    ) -> Vec<u8> {
        let frame = term.draw(f).expect("draw").buffer.clone();
        let bytes = term.backend_mut().writer_mut().take();
        vt.process(&bytes);
        assert_screen(vt.screen(), &frame, what);
        assert_screen(vt.screen(), term.backend().shadow(), what);
        bytes
    }

    fn all_options() -> Vec<WireOptions> {
        let d = WireOptions::default();
        vec![
            d,
            WireOptions::minimal(),
            WireOptions { rep: true, ..d },
            WireOptions { sync: true, ..d },
            WireOptions {
                gap_fill: false,
                ..d
            },
            WireOptions {
                erase: false,
                scroll: false,
                ..d
            },
        ]
    }

    #[test]
    fn replay_matches_the_frames_while_scrolling_a_cjk_ledger() {
        for opts in all_options() {
            let (w, h) = (120, 40);
            let mut term = wire(w, h, opts);
            let mut vt = vt(w, h);
            let body = usize::from(h - 5);
            let (mut offset, mut sel) = (0usize, 0usize);
            let mut scrolled = 0;
            for i in 0..90 {
                // j inside the page, PgDn, j at the bottom edge, H, k at the top edge.
                match i % 40 {
                    0..=9 => sel += 1,
                    10 => sel += body,
                    11..=25 => sel += 1,
                    26 => sel = offset,
                    _ => sel = sel.saturating_sub(1),
                }
                if sel < offset {
                    offset = sel;
                } else if sel >= offset + body {
                    offset = sel + 1 - body;
                }
                let bytes = step(&mut term, &mut vt, &format!("{opts:?} step {i}"), |f| {
                    ledger(f, offset, sel, "江苏")
                });
                scrolled += usize::from(find(&bytes, b"\x1b[r"));
            }
            if opts.scroll {
                assert!(scrolled > 0, "{opts:?}: never scrolled");
            }
        }
    }

    fn vt(w: u16, h: u16) -> vt100::Parser {
        let nz = |n: u16| std::num::NonZero::new(n).expect("non-zero size");
        vt100::Parser::new(nz(h), nz(w), 0)
    }

    fn find(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn replay_matches_random_frames_with_shifts_and_resizes() {
        for (n, opts) in all_options().into_iter().enumerate() {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 + n as u64);
            let (mut w, mut h) = (60u16, 20u16);
            let mut term = wire(w, h, opts);
            let mut vt = vt(w, h);
            let mut prev: Option<Buffer> = None;
            for i in 0..150 {
                if i % 50 == 49 {
                    (w, h) = (40 + rng.below(40) as u16, 10 + rng.below(20) as u16);
                    term.backend_mut().set_fixed_size(w, h);
                    term.autoresize().expect("resize");
                    vt.screen_mut().set_size(
                        std::num::NonZero::new(h).expect("rows"),
                        std::num::NonZero::new(w).expect("cols"),
                    );
                    let bytes = term.backend_mut().writer_mut().take();
                    vt.process(&bytes);
                    prev = None;
                }
                let shift = rng.below(3);
                let base = prev.clone();
                let what = format!("{opts:?} frame {i}");

                step(&mut term, &mut vt, &what, |f| {
                    let area = f.area();
                    if let Some(b) = base.filter(|b| b.area == area) {
                        // The previous frame shifted by 1-2 rows in a band, then touched up.
                        let k = shift as u16 + 1;
                        let buf = f.buffer_mut();
                        for y in 2..area.height.saturating_sub(2) {
                            let src = if i % 2 == 0 {
                                y + k
                            } else {
                                y.saturating_sub(k)
                            };
                            for x in 0..area.width {
                                if src < area.height {
                                    buf[(x, y)] = b[(x, src)].clone();
                                }
                            }
                        }
                        for y in 0..area.height {
                            normalize_row(buf, y);
                        }
                    }
                    random(f, &mut rng);
                });
                prev = Some(term.backend().shadow().clone());
            }
        }
    }

    #[test]
    fn a_draw_that_changes_nothing_writes_nothing() {
        for opts in all_options() {
            let mut term = wire(120, 40, opts);
            term.draw(|f| ledger(f, 0, 3, "")).expect("draw");
            let first = term.backend_mut().writer_mut().take();
            assert!(first.len() > 1000, "the first paint is a whole screen");
            term.draw(|f| ledger(f, 0, 3, "")).expect("draw");
            let again = term.backend_mut().writer_mut().take();
            assert_eq!(again, b"", "{opts:?}");
        }
        // The plain backend, for contrast, writes a reset and a hide-cursor every frame.
        let cap = Capture::new();
        let mut plain = Terminal::with_options(
            CrosstermBackend::new(cap.clone()),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, 120, 40)),
            },
        )
        .expect("terminal");
        plain.draw(|f| ledger(f, 0, 3, "")).expect("draw");
        let before = cap.len();
        plain.draw(|f| ledger(f, 0, 3, "")).expect("draw");
        assert!(cap.len() > before);
    }

    fn csi_count(bytes: &[u8]) -> usize {
        bytes.windows(2).filter(|w| w == b"\x1b[").count()
    }

    #[test]
    fn a_row_of_wide_characters_needs_no_move_per_character() {
        let line = "华东机械制造有限公司".repeat(5);
        let mut term = wire(120, 5, WireOptions::default());
        term.draw(|f| f.render_widget(Paragraph::new(line.as_str()), f.area()))
            .expect("draw");
        let bytes = term.backend_mut().writer_mut().take();
        // One move at most, the hide-cursor; no CUP after each of the 50 characters.
        assert!(csi_count(&bytes) <= 3, "{} sequences", csi_count(&bytes));
        assert!(bytes.len() < line.len() + 20, "{} bytes", bytes.len());
    }

    /// Bytes of each frame of `frames` after the first, through a wire terminal.
    fn costs(opts: WireOptions, frames: &[(usize, usize)]) -> Vec<usize> {
        let mut term = wire(120, 40, opts);
        let mut out = Vec::new();
        for (i, (offset, sel)) in frames.iter().enumerate() {
            term.draw(|f| ledger(f, *offset, *sel, "")).expect("draw");
            let n = term.backend_mut().writer_mut().take().len();
            if i > 0 {
                out.push(n);
            }
        }
        out
    }

    #[test]
    fn a_one_row_move_on_a_cjk_ledger_stays_small() {
        // Moves inside the page, then moves that scroll the list by one row.
        let inside: Vec<(usize, usize)> = (0..20).map(|s| (0, s)).collect();
        let edge: Vec<(usize, usize)> = (0..20).map(|s| (s, s + 34)).collect();
        let moves = costs(WireOptions::default(), &inside);
        let scrolls = costs(WireOptions::default(), &edge);
        let plain_moves = costs(WireOptions::minimal(), &inside);
        let max_move = moves.iter().copied().max().unwrap_or(0);
        let max_scroll = scrolls.iter().copied().max().unwrap_or(0);
        // Measured: 216-292 B for a move, 150-310 B for a scrolling move (plain: ~2.7 KB).
        assert!(max_move <= 350, "a one-row move costs {max_move} B");
        assert!(max_scroll <= 380, "a scrolling move costs {max_scroll} B");
        assert!(moves.iter().sum::<usize>() < plain_moves.iter().sum::<usize>());
    }
}
