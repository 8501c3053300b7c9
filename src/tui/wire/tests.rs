//! The backend against ratatui's own: same screens, fewer bytes.

use super::*;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Constraint;
use ratatui::style::{Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};

mod shift;

type WireTerm = Terminal<WireBackend<Capture>>;

fn wire(w: u16, h: u16, opts: WireOptions) -> WireTerm {
    Terminal::new(WireBackend::fixed(Capture::default(), w, h, opts)).expect("terminal")
}

/// `POSTLOAN_STRESS=1`: the replays below at full length; `cargo test` runs each script once
/// through (every kind of move, and a resize), which takes a fraction of the time.
fn long() -> bool {
    std::env::var("POSTLOAN_STRESS").is_ok_and(|v| !v.is_empty() && v != "0")
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
    .block(
        Block::new()
            .borders(Borders::ALL)
            .title(format!(" 台账 {}/{} ", selected + 1, 100_000)),
    )
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
    feed(vt, &bytes);
    assert_screen(vt.screen(), &frame, what);
    assert_screen(vt.screen(), term.backend().shadow(), what);
    bytes
}

/// The pen of the emulator is the default one.
fn default_pen(screen: &vt100::Screen) -> bool {
    screen.fgcolor() == vt100::Color::Default
        && screen.bgcolor() == vt100::Color::Default
        && !(screen.bold()
            || screen.dim()
            || screen.italic()
            || screen.underline()
            || screen.inverse())
}

/// Feeds `bytes` to the emulator. Where an insert or delete character (ICH, DCH) fills in
/// blanks while the pen is not the default one, xterm and tmux paint them in the pen's
/// background but vt100 leaves them plain: there the blanks are overwritten with `#` in the
/// pen, so that a backend that takes them for plain blanks fails the comparison.
fn feed(vt: &mut vt100::Parser, bytes: &[u8]) {
    let mut from = 0;
    let mut i = 0;
    while i + 2 < bytes.len() {
        if &bytes[i..i + 2] != b"\x1b[" {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        let Some(&fin) = bytes.get(j) else { break };
        if fin != b'@' && fin != b'P' {
            i = j;
            continue;
        }
        let n: u16 = std::str::from_utf8(&bytes[i + 2..j])
            .ok()
            .and_then(|d| d.parse().ok())
            .unwrap_or(1);
        vt.process(&bytes[from..=j]);
        from = j + 1;
        i = j + 1;
        if default_pen(vt.screen()) {
            continue;
        }
        let (row, col) = vt.screen().cursor_position();
        let cols = vt.screen().size().1.get();
        let mut junk = b"\x1b7".to_vec();
        let start = if fin == b'@' { col } else { cols - n.min(cols) };
        junk.extend_from_slice(format!("\x1b[{};{}H", row + 1, start + 1).as_bytes());
        junk.extend(std::iter::repeat_n(b'#', usize::from(n.min(cols - start))));
        junk.extend_from_slice(b"\x1b8");
        vt.process(&junk);
    }
    vt.process(&bytes[from..]);
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
        WireOptions {
            insert_delete: false,
            ..d
        },
        // What `[display] wire` gives the workbench.
        crate::tui::term::options(crate::config::WireChoice::Minimal),
        crate::tui::term::options(crate::config::WireChoice::Plain),
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
        // One round of the script is 40 steps; 41 ends on a move down again.
        let steps = if long() { 90 } else { 41 };
        for i in 0..steps {
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
        } else {
            // `[display] wire = "plain"`: no scroll region is ever set.
            assert_eq!(scrolled, 0, "{opts:?}: set a scroll region");
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
        // A resize every 50 frames: two in `cargo test`.
        let frames = if long() { 150 } else { 100 };
        for i in 0..frames {
            if i % 50 == 49 {
                (w, h) = (40 + rng.below(40) as u16, 10 + rng.below(20) as u16);
                term.backend_mut().set_fixed_size(w, h);
                term.autoresize().expect("resize");
                vt.screen_mut().set_size(
                    std::num::NonZero::new(h).expect("rows"),
                    std::num::NonZero::new(w).expect("cols"),
                );
                let bytes = term.backend_mut().writer_mut().take();
                feed(&mut vt, &bytes);
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

#[test]
fn only_a_frame_of_sync_from_bytes_or_more_is_wrapped_in_synchronized_output() {
    let opts = WireOptions {
        sync: true,
        ..WireOptions::default()
    };
    let mut term = wire(120, 40, opts);
    term.draw(|f| ledger(f, 0, 3, "")).expect("draw");
    let first = term.backend_mut().writer_mut().take();
    assert!(
        first.starts_with(BSU) && first.ends_with(ESU),
        "a whole screen"
    );
    // One character more in the filter line: a few bytes, sent bare and shown alike.
    term.draw(|f| ledger(f, 0, 3, "a")).expect("draw");
    let small = term.backend_mut().writer_mut().take();
    assert!(
        !small.is_empty() && small.len() < backend::SYNC_FROM,
        "{small:?}"
    );
    assert!(!find(&small, BSU) && !find(&small, ESU), "{small:?}");
    let mut vt = vt(120, 40);
    feed(&mut vt, &first);
    feed(&mut vt, &small);
    let mut plain = wire(120, 40, WireOptions::minimal());
    let frame = plain
        .draw(|f| ledger(f, 0, 3, "a"))
        .expect("draw")
        .buffer
        .clone();
    assert_screen(vt.screen(), &frame, "after the bare frame");
    // A bigger change is wrapped again.
    term.draw(|f| ledger(f, 5, 8, "a")).expect("draw");
    let big = term.backend_mut().writer_mut().take();
    assert!(big.len() >= backend::SYNC_FROM && big.starts_with(BSU) && big.ends_with(ESU));
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

#[test]
fn a_move_from_the_second_half_of_a_wide_glyph_does_not_wipe_it() {
    // The cursor is left below the second half of 现; the next change is right of it on that
    // row. Re-sending the "unchanged" cell there as a gap fill would wipe 现 (found by the
    // random row edits in `shift`).
    for opts in all_options() {
        let mut term = wire(10, 2, opts);
        let mut vt = vt(10, 2);
        let what = format!("{opts:?}");
        step(&mut term, &mut vt, &what, |f| {
            f.buffer_mut().set_string(0, 0, "现场abcdef", Style::new());
            f.buffer_mut().set_string(0, 1, "q", Style::new());
        });
        step(&mut term, &mut vt, &what, |f| {
            f.buffer_mut().set_string(0, 0, "现Xbabcdef", Style::new());
            f.buffer_mut().set_string(0, 1, "q", Style::new());
        });
    }
}
