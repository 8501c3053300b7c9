//! The backend itself: the shadow of the terminal, ratatui's `Backend` calls, frames.

use super::*;

/// A [`Backend`] that writes fewer bytes than `CrosstermBackend` for the same screen.
pub struct WireBackend<W: Write> {
    pub(super) writer: W,
    /// What the terminal shows (and what ratatui's previous buffer holds).
    pub(super) shadow: Buffer,
    pub(super) head: Head,
    pub(super) cursor_visible: Option<bool>,
    /// The screen content is unknown (a partial clear with an unknown cursor): repaint all.
    pub(super) stale: bool,
    pub(super) fixed_size: Option<Size>,
    pub(super) opts: WireOptions,
    /// With `opts.sync`, what this frame has written so far: sent at `flush`, inside
    /// synchronized output when it is at least [`SYNC_FROM`] bytes.
    pub(super) pending: Vec<u8>,
}

/// Frames shorter than this go out without synchronized output: a write this short reaches
/// the terminal whole, and the 16 bytes of the wrapper would be most of what a typed
/// character costs.
pub const SYNC_FROM: usize = 64;

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
            pending: Vec::new(),
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
        if self.opts.sync {
            self.pending.extend_from_slice(bytes);
            return Ok(());
        }
        self.writer.write_all(bytes)
    }

    /// Sends what the frame wrote (with `opts.sync`): wrapped in synchronized output unless
    /// it is shorter than [`SYNC_FROM`].
    fn send_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let frame = std::mem::take(&mut self.pending);
        if frame.len() >= SYNC_FROM {
            self.writer.write_all(BSU)?;
            self.writer.write_all(&frame)?;
            self.writer.write_all(ESU)?;
        } else {
            self.writer.write_all(&frame)?;
        }
        self.pending = frame;
        self.pending.clear();
        Ok(())
    }

    /// A shadow of `size`, blank, keeping nothing (the terminal was cleared).
    fn blank_shadow(&mut self, size: Size) {
        self.shadow = Buffer::empty(Rect::new(0, 0, size.width, size.height));
    }
}

impl<W: Write> Write for WireBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Bytes written around the backend (terminal modes) keep their place after a frame.
        self.send_pending()?;
        self.writer.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send_pending()?;
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
        let enc = Encoder {
            opts: self.opts,
            caret: self
                .head
                .cur
                .filter(|_| self.cursor_visible == Some(true))
                .map(|c| c.y),
        };
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
        let enc = Encoder {
            opts: self.opts,
            caret: None,
        };
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
        self.send_pending()?;
        self.writer.flush()
    }
}

/// A copy of `b` grown to `w`×`h`, keeping what overlaps.
pub(super) fn grow(b: &Buffer, w: u16, h: u16) -> Buffer {
    let mut n = Buffer::empty(Rect::new(0, 0, w, h));
    for y in 0..b.area.height.min(h) {
        for x in 0..b.area.width.min(w) {
            n[(x, y)] = b[(x, y)].clone();
        }
    }
    n
}
