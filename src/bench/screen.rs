//! Screen bytes and key-to-frame time: the real renderer drawn through a real ratatui
//! `Terminal` into counting writers, with the plain crossterm backend and the wire backend.

use crate::tui::app::App;
use crate::tui::render;
use crate::tui::wire::{Counter, WireBackend, WireOptions};
use crossterm::event::{KeyCode, KeyEvent};
use crossterm::queue;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// `CrosstermBackend` of a fixed size that never asks a terminal anything.
pub struct Fixed<B> {
    inner: B,
    size: Size,
}

impl<B: Write> Write for Fixed<B> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<B: Backend<Error = io::Error>> Backend for Fixed<B> {
    type Error = io::Error;
    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(Position::ORIGIN)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::default(),
        })
    }
    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// One terminal under measurement.
pub trait Screen {
    /// Draws the app's current state as `term::draw` does (inside synchronized output);
    /// returns the bytes written.
    fn frame(&mut self, app: &App) -> io::Result<u64>;
    /// The same draw without the synchronized-output wrapper.
    fn bare(&mut self, app: &App) -> io::Result<u64>;
    /// Clears the screen and draws it all again.
    fn repaint(&mut self, app: &App) -> io::Result<u64>;
}

struct Rig<B: Backend<Error = io::Error> + Write> {
    term: Terminal<B>,
    count: Counter,
    /// Wrap each frame in synchronized output here (the plain backend; the wire backend
    /// does it itself).
    wrap: bool,
}

impl<B: Backend<Error = io::Error> + Write> Rig<B> {
    fn measured(&mut self, f: impl FnOnce(&mut Terminal<B>) -> io::Result<()>) -> io::Result<u64> {
        let before = self.count.bytes();
        f(&mut self.term)?;
        Ok(self.count.bytes() - before)
    }
}

impl<B: Backend<Error = io::Error> + Write> Screen for Rig<B> {
    fn frame(&mut self, app: &App) -> io::Result<u64> {
        let wrap = self.wrap;
        self.measured(|t| {
            if wrap {
                queue!(t.backend_mut(), BeginSynchronizedUpdate)?;
            }
            t.draw(|f| render::render(app, f))?;
            if wrap {
                queue!(t.backend_mut(), EndSynchronizedUpdate)?;
            }
            Backend::flush(t.backend_mut())
        })
    }
    fn bare(&mut self, app: &App) -> io::Result<u64> {
        self.measured(|t| t.draw(|f| render::render(app, f)).map(|_| ()))
    }
    fn repaint(&mut self, app: &App) -> io::Result<u64> {
        let wrap = self.wrap;
        self.measured(|t| {
            if wrap {
                queue!(t.backend_mut(), BeginSynchronizedUpdate)?;
            }
            t.clear()?;
            t.draw(|f| render::render(app, f))?;
            if wrap {
                queue!(t.backend_mut(), EndSynchronizedUpdate)?;
            }
            Backend::flush(t.backend_mut())
        })
    }
}

/// The plain crossterm backend over a counter.
pub fn crossterm_screen((w, h): (u16, u16)) -> io::Result<Box<dyn Screen>> {
    let count = Counter::new();
    let backend = Fixed {
        inner: CrosstermBackend::new(count.clone()),
        size: Size {
            width: w,
            height: h,
        },
    };
    Ok(Box::new(Rig {
        term: Terminal::new(backend)?,
        count,
        wrap: true,
    }))
}

/// The wire backend over a counter. It wraps a frame in synchronized output itself, and only
/// a frame that writes something, as in the workbench.
pub fn wire_screen((w, h): (u16, u16), opts: WireOptions) -> io::Result<Box<dyn Screen>> {
    let count = Counter::new();
    let backend = WireBackend::fixed(count.clone(), w, h, WireOptions { sync: true, ..opts });
    Ok(Box::new(Rig {
        term: Terminal::new(backend)?,
        count,
        wrap: false,
    }))
}

/// The backends compared: the first is "before", the second "after", the rest show what
/// each technique of the wire backend is worth.
pub fn variants() -> Vec<(&'static str, Option<WireOptions>)> {
    let d = WireOptions::default();
    vec![
        ("crossterm", None),
        ("wire", Some(d)),
        (
            "wire, nothing but cursor tracking and SGR",
            Some(WireOptions::minimal()),
        ),
        (
            "wire without relative moves",
            Some(WireOptions {
                relative_moves: false,
                gap_fill: false,
                ..d
            }),
        ),
        (
            "wire without gap fill",
            Some(WireOptions {
                gap_fill: false,
                ..d
            }),
        ),
        (
            "wire without erase",
            Some(WireOptions { erase: false, ..d }),
        ),
        (
            "wire without scrolling",
            Some(WireOptions { scroll: false, ..d }),
        ),
        (
            "wire without insert/delete character",
            Some(WireOptions {
                insert_delete: false,
                ..d
            }),
        ),
        ("wire + REP", Some(WireOptions { rep: true, ..d })),
    ]
}

/// Bytes per backend and time for each step of one scripted session.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    /// Per metric: per backend, the bytes of each sample.
    pub bytes: Vec<(String, Vec<Vec<u64>>)>,
    /// Per key kind: (key handling + crossterm draw, key handling + wire draw) in µs.
    pub times: Vec<(String, Vec<f64>, Vec<f64>)>,
    pub first_frame_ms: f64,
    pub loans_on_screen: u64,
}

impl Samples {
    fn push_bytes(&mut self, metric: &str, per_backend: Vec<u64>) {
        if let Some((_, v)) = self.bytes.iter_mut().find(|(m, _)| m == metric) {
            for (i, b) in per_backend.into_iter().enumerate() {
                if let Some(s) = v.get_mut(i) {
                    s.push(b);
                }
            }
        } else {
            let v = per_backend.into_iter().map(|b| vec![b]).collect();
            self.bytes.push((metric.to_string(), v));
        }
    }

    fn push_time(&mut self, kind: &str, before: Duration, after: Duration) {
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        if let Some((_, b, a)) = self.times.iter_mut().find(|(k, _, _)| k == kind) {
            b.push(us(before));
            a.push(us(after));
        } else {
            self.times
                .push((kind.to_string(), vec![us(before)], vec![us(after)]));
        }
    }
}

/// Drives the app through a scripted session and measures every screen.
pub struct Session {
    screens: Vec<Box<dyn Screen>>,
    pub samples: Samples,
    /// At most this many presses of a repeated key (`usize::MAX`: the whole script).
    repeats: usize,
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::from(c)
}

impl Session {
    pub fn new(size: (u16, u16), repeats: Option<usize>) -> io::Result<Session> {
        let mut screens = Vec::new();
        for (_, opts) in variants() {
            screens.push(match opts {
                None => crossterm_screen(size)?,
                Some(o) => wire_screen(size, o)?,
            });
        }
        Ok(Session {
            screens,
            samples: Samples::default(),
            repeats: repeats.unwrap_or(usize::MAX),
        })
    }

    /// How many presses of a key the script repeats `n` times.
    fn times(&self, n: usize) -> usize {
        n.min(self.repeats)
    }

    /// Draws every backend; returns bytes per backend.
    fn draw_all(&mut self, app: &App) -> io::Result<Vec<u64>> {
        self.screens.iter_mut().map(|s| s.frame(app)).collect()
    }

    /// Handles `k`, optionally runs the pending filter, draws; records bytes and time.
    fn step(
        &mut self,
        app: &mut App,
        k: KeyEvent,
        filter: bool,
        metric: &str,
    ) -> anyhow::Result<()> {
        self.measure(app, metric, |app| {
            app.handle_key(k)?;
            if filter {
                app.apply_pending_filter()?;
            }
            Ok(())
        })
    }

    /// Runs `act` on the app, draws on every backend; records bytes and time under `metric`.
    fn measure(
        &mut self,
        app: &mut App,
        metric: &str,
        act: impl FnOnce(&mut App) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let t0 = Instant::now();
        act(app)?;
        let handled = t0.elapsed();
        let mut bytes = Vec::with_capacity(self.screens.len());
        let mut draw_time = [Duration::ZERO; 2];
        for (i, s) in self.screens.iter_mut().enumerate() {
            let t = Instant::now();
            bytes.push(s.frame(app)?);
            if let Some(slot) = draw_time.get_mut(i) {
                *slot = t.elapsed();
            }
        }
        self.samples.push_bytes(metric, bytes);
        self.samples
            .push_time(metric, handled + draw_time[0], handled + draw_time[1]);
        Ok(())
    }

    /// Clears and draws the current screen on every backend: what a pane costs from nothing.
    fn full_paint(&mut self, app: &App, metric: &str) -> anyhow::Result<()> {
        let full: Vec<u64> = self
            .screens
            .iter_mut()
            .map(|s| s.repaint(app))
            .collect::<io::Result<_>>()?;
        self.samples.push_bytes(metric, full);
        Ok(())
    }

    /// The whole script: first paint, panes, moves, pages, filter, idle, repaint.
    pub fn run(&mut self, app: &mut App, first_frame: Duration) -> anyhow::Result<()> {
        let t = Instant::now();
        let first = self.draw_all(app)?;
        self.samples.first_frame_ms =
            (first_frame + t.elapsed() / self.screens.len() as u32).as_secs_f64() * 1e3;
        self.samples.push_bytes("first paint (Today)", first);
        self.samples.loans_on_screen = app.loan_count;
        // Each pane: its full paint from a cleared screen, and the switch to it.
        for (c, name) in [('2', "Ledger"), ('3', "Warnings"), ('1', "Today")] {
            self.step(app, key(KeyCode::Char(c)), false, "pane switch")?;
            self.full_paint(app, &format!("full paint of {name} (clear + draw)"))?;
        }
        self.inspections(app)?;
        self.classification(app)?;
        self.disposal(app)?;
        self.archive(app)?;
        self.summary(app)?;
        // The detail panes: a warning from the board, then a loan and each of its tabs.
        self.step(app, key(KeyCode::Char('3')), false, "pane switch")?;
        self.step(app, key(KeyCode::Enter), false, "open a detail")?;
        self.full_paint(app, "full paint of Warning detail (clear + draw)")?;
        self.step(app, key(KeyCode::Esc), false, "back from a detail")?;
        self.step(app, key(KeyCode::Char('2')), false, "pane switch")?;
        self.step(app, key(KeyCode::Enter), false, "open a detail")?;
        self.full_paint(app, "full paint of Loan detail (clear + draw)")?;
        for _ in 0..DETAIL_TABS {
            self.step(app, key(KeyCode::Char(']')), false, "detail tab switch")?;
        }
        self.step(app, key(KeyCode::Esc), false, "back from a detail")?;
        for c in ['2', '1', '2', '3', '2'] {
            self.step(app, key(KeyCode::Char(c)), false, "pane switch")?;
        }
        // Now on the Ledger.
        for _ in 0..self.times(50) {
            self.step(app, key(KeyCode::Char('j')), false, "j (one row)")?;
        }
        for _ in 0..self.times(20) {
            self.step(app, key(KeyCode::PageDown), false, "PgDn (one page)")?;
        }
        for _ in 0..self.times(50) {
            self.step(app, key(KeyCode::Char('j')), false, "j after PgDn")?;
        }
        for _ in 0..self.times(20) {
            self.step(app, key(KeyCode::Char('k')), false, "k")?;
        }
        // Filters a user types: a two-character place (dense), a two-character firm name
        // (sparse), a contract number prefix, an officer, a four-character name part.
        for query in FILTER_QUERIES {
            self.step(
                app,
                key(KeyCode::Char('/')),
                false,
                "/ (filter prompt opens)",
            )?;
            for c in query.chars() {
                self.step(
                    app,
                    key(KeyCode::Char(c)),
                    false,
                    "filter char, prompt only",
                )?;
                self.measure(app, "filter char, filtered list", |app| {
                    app.apply_pending_filter()?;
                    Ok(())
                })?;
            }
            self.step(app, key(KeyCode::Enter), true, "filter Enter")?;
            for _ in 0..self.times(10) {
                self.step(app, key(KeyCode::Char('j')), false, "j in filtered list")?;
            }
            self.step(app, key(KeyCode::PageDown), false, "PgDn in filtered list")?;
            // Clear it: `/` reopens the prompt with the text, Esc drops the filter.
            self.step(
                app,
                key(KeyCode::Char('/')),
                false,
                "/ (filter prompt opens)",
            )?;
            self.step(app, key(KeyCode::Esc), false, "filter cleared (Esc)")?;
        }
        // Nothing changed: with and without the synchronized-output wrapper.
        let idle = self.draw_all(app)?;
        self.samples
            .push_bytes("nothing changed (draw, wrapped as in the workbench)", idle);
        let bare: Vec<u64> = self
            .screens
            .iter_mut()
            .map(|s| s.bare(app))
            .collect::<io::Result<_>>()?;
        self.samples
            .push_bytes("nothing changed (Terminal::draw alone)", bare);
        self.full_paint(app, "full repaint of the same screen (clear + draw)")
    }
}

impl Session {
    /// The Inspections pane (first paint, one-row moves) and the report editor (a Chinese
    /// character typed at the end of a line and in the middle of one, switching section), from
    /// Today and back to it. Nothing is written to the book (no Ctrl-S).
    fn inspections(&mut self, app: &mut App) -> anyhow::Result<()> {
        self.step(app, key(KeyCode::Char('4')), false, "pane switch")?;
        self.full_paint(app, "full paint of Inspections (clear + draw)")?;
        for _ in 0..self.times(30) {
            self.step(
                app,
                key(KeyCode::Char('j')),
                false,
                "Inspections: j (one row)",
            )?;
        }
        // A report in draft, whose sections hold the demo's Chinese text.
        for _ in 0..self.times(2) {
            self.step(app, key(KeyCode::Char('T')), false, "Inspections: filter")?;
        }
        self.step(app, key(KeyCode::Enter), false, "open a detail")?;
        self.full_paint(app, "full paint of the report editor (clear + draw)")?;
        self.step(app, key(KeyCode::Enter), false, "editor: start editing")?;
        // The caret is at the end of the section's text.
        for c in "现场检查发现库存积压".chars() {
            self.step(
                app,
                key(KeyCode::Char(c)),
                false,
                "editor: one typed character (Chinese, end of line)",
            )?;
        }
        for _ in 0..self.times(5) {
            self.step(app, key(KeyCode::Left), false, "editor: caret move")?;
        }
        for c in "需重点关注".chars() {
            self.step(
                app,
                key(KeyCode::Char(c)),
                false,
                "editor: one typed character (Chinese, middle of a line)",
            )?;
        }
        self.step(app, key(KeyCode::Esc), false, "editor: stop editing")?;
        for _ in 0..self.times(8) {
            self.step(
                app,
                key(KeyCode::Char('j')),
                false,
                "editor: switch section",
            )?;
        }
        let longest = app
            .detail
            .editor()
            .map(|e| e.texts.iter().map(String::len).max().unwrap_or(0))
            .unwrap_or(0);
        self.samples.push_bytes(
            "editor: longest section text (UTF-8 bytes)",
            vec![longest as u64; self.screens.len()],
        );
        self.step(app, key(KeyCode::Esc), false, "back from a detail")?;
        self.step(app, key(KeyCode::Char('x')), false, "Inspections: filter")?;
        self.step(app, key(KeyCode::Char('1')), false, "pane switch")?;
        Ok(())
    }
}

/// Tabs of the loan detail the benchmark steps through (`]`), back to the first.
const DETAIL_TABS: usize = 6;

impl Session {
    /// The classification pane (first paint, one-row moves), the loan's Classification tab
    /// (Enter), from Today and back to it. Nothing is written to the book.
    fn classification(&mut self, app: &mut App) -> anyhow::Result<()> {
        self.step(app, key(KeyCode::Char('5')), false, "pane switch")?;
        self.full_paint(app, "full paint of Classification (clear + draw)")?;
        for _ in 0..self.times(30) {
            self.step(
                app,
                key(KeyCode::Char('j')),
                false,
                "Classification: j (one row)",
            )?;
        }
        self.step(app, key(KeyCode::Enter), false, "open a detail")?;
        self.full_paint(
            app,
            "full paint of a loan's Classification tab (clear + draw)",
        )?;
        self.step(app, key(KeyCode::Esc), false, "back from a detail")?;
        self.step(app, key(KeyCode::Char('1')), false, "pane switch")?;
        Ok(())
    }
}

impl Session {
    /// The disposal pane (first paint, one-row moves: issue 11's budgets ≤ 8 KB and ≤ 260 B),
    /// from Today and back to it. Nothing is written to the book.
    fn disposal(&mut self, app: &mut App) -> anyhow::Result<()> {
        self.step(app, key(KeyCode::Char('6')), false, "pane switch")?;
        self.full_paint(app, "full paint of Disposal (clear + draw)")?;
        for _ in 0..self.times(30) {
            self.step(app, key(KeyCode::Char('j')), false, "Disposal: j (one row)")?;
        }
        self.step(app, key(KeyCode::Char('1')), false, "pane switch")?;
        Ok(())
    }

    /// The summary pane: the switch to it (its first read: the month of the book's date),
    /// its paint from a cleared screen (the budget: 8 KB), a few scrolls, and back to Today.
    fn summary(&mut self, app: &mut App) -> anyhow::Result<()> {
        self.step(app, key(KeyCode::Char('8')), false, "pane switch")?;
        self.full_paint(app, "full paint of Summary (clear + draw)")?;
        for _ in 0..self.times(5) {
            self.step(app, key(KeyCode::Char('j')), false, "Summary: j (scroll)")?;
        }
        self.step(app, key(KeyCode::Char('1')), false, "pane switch")?;
        Ok(())
    }

    /// The archive pane (first paint, one-row moves) and a document in the viewer (Enter),
    /// from Today and back to it. Nothing is written (no read rule restricts a kind).
    fn archive(&mut self, app: &mut App) -> anyhow::Result<()> {
        self.step(app, key(KeyCode::Char('7')), false, "pane switch")?;
        self.full_paint(app, "full paint of Archive (clear + draw)")?;
        for _ in 0..self.times(30) {
            self.step(app, key(KeyCode::Char('j')), false, "Archive: j (one row)")?;
        }
        for _ in 0..self.times(5) {
            self.step(app, key(KeyCode::PageDown), false, "Archive: PageDown")?;
        }
        // The filters: each kind in turn, then off; the selected row's loan, its borrower.
        for _ in 0..self.times(3) {
            self.step(
                app,
                key(KeyCode::Char('K')),
                false,
                "Archive: filter by kind (K)",
            )?;
        }
        self.step(
            app,
            key(KeyCode::Char('x')),
            false,
            "Archive: clear filters (x)",
        )?;
        self.step(
            app,
            key(KeyCode::Char('L')),
            false,
            "Archive: filter by loan (L)",
        )?;
        self.step(
            app,
            key(KeyCode::Char('x')),
            false,
            "Archive: clear filters (x)",
        )?;
        self.step(
            app,
            key(KeyCode::Char('B')),
            false,
            "Archive: filter by borrower (B)",
        )?;
        self.step(
            app,
            key(KeyCode::Char('x')),
            false,
            "Archive: clear filters (x)",
        )?;
        self.step(app, key(KeyCode::Enter), false, "open a detail")?;
        self.full_paint(app, "full paint of a document in the viewer (clear + draw)")?;
        self.step(app, key(KeyCode::Esc), false, "back from a detail")?;
        self.step(app, key(KeyCode::Char('1')), false, "pane switch")?;
        Ok(())
    }
}

/// What the benchmark types into the ledger's `/` filter.
const FILTER_QUERIES: [&str; 5] = ["江苏", "恒通", "PL00012", "zhang", "物流有限"];

/// Nearest-rank percentile (as ttyprobe computes it).
pub fn percentile<T: Copy + PartialOrd>(v: &[T], p: f64) -> Option<T> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
    s.get(rank.min(s.len()) - 1).copied()
}
