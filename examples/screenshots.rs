//! Screenshots of the workbench drawn by the real renderer into a `TestBackend`, written as
//! SVG: `cargo run --release --example screenshots -- screenshots/`.

#[path = "../tests/support/mod.rs"]
mod support;

use support::tui as fixture;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::i18n::Lang;
use postloan::tui::app::App;
use postloan::tui::render;
use postloan::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthStr;

const SIZE: (u16, u16) = (120, 40);
const CELL_W: f64 = 9.6;
const CELL_H: f64 = 20.0;
/// DejaVu Sans Mono advances 0.602 em, so this size puts ASCII exactly on the 9.6px grid.
const FONT_SIZE: f64 = 15.95;
const DEFAULT_FG: &str = "#d0d0d0";
const DEFAULT_BG: &str = "#1e1e1e";
const FONT: &str = "DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace";

fn main() -> anyhow::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("screenshots"));
    std::fs::create_dir_all(&out)?;
    let (_dir, store) = fixture::evaluated_book(2_000, 42);
    let mut app = fixture::app(store, "wang.fang", Lang::ZhCn, Theme::colour(), SIZE);

    shot(&out, "today", &app)?;

    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    shot(&out, "ledger", &app)?;

    // From Today, the first of the specialist's follow-ups whose detail has collateral,
    // contacts and statements to show.
    press(&mut app, KeyCode::Char('1'));
    for _ in 0..app.today.total {
        press(&mut app, KeyCode::Enter);
        let full = app.detail.as_ref().is_some_and(|d| {
            // The tabs read their rows when shown: ask the store.
            !d.collateral.is_empty()
                && app.store.contact_count(d.loan.id).is_ok_and(|n| n > 0)
                && app
                    .store
                    .statements(d.loan.borrower_id, 1)
                    .is_ok_and(|s| !s.is_empty())
        });
        if full {
            break;
        }
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('j'));
    }
    shot(&out, "loan-overview", &app)?;
    press(&mut app, KeyCode::Right);
    shot(&out, "loan-statements", &app)?;

    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    for c in "走访企业，经营正常，库存略有增加".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    shot(&out, "contact-form", &app)?;
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char('3'));
    shot(&out, "warnings", &app)?;
    // The first ratio warning: its detail has a history by period.
    for _ in 0..app.board.list.total.min(500) {
        let ratio = app
            .board
            .list
            .selected()
            .is_some_and(|r| r.indicator == "current_ratio" || r.indicator == "debt_to_asset");
        if ratio {
            break;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    shot(&out, "warning-detail", &app)?;
    press(&mut app, KeyCode::Esc);

    // Step 3: the Inspections pane, and the report editor on a returned report (the
    // reviewer's comment on top, sections written, the facts beside them), on section 9 with
    // its checklist score.
    press(&mut app, KeyCode::Char('4'));
    shot(&out, "inspections", &app)?;
    for _ in 0..app.inspections.list.total.min(500) {
        let returned = app
            .inspections
            .list
            .selected()
            .is_some_and(|r| r.status.code() == "returned");
        if returned {
            break;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Enter);
    for _ in 0..8 {
        press(&mut app, KeyCode::Char('j'));
    }
    shot(&out, "inspection-editor", &app)?;
    press(&mut app, KeyCode::Esc);

    // Step 4: the classification pane as a supervisor sees it (the proposals they may decide,
    // the portfolio panel), over the same book.
    let book = postloan::store::Store::open(app.store.path())?;
    let mut reviewer = fixture::app(book, "wu.hao", Lang::ZhCn, Theme::colour(), SIZE);
    press(&mut reviewer, KeyCode::Char('5'));
    press(&mut reviewer, KeyCode::Char(' '));
    shot(&out, "classification", &reviewer)?;
    // Step 5: the disposal pane (open cases by level, then next deadline), a case, and the
    // board's by-borrower view.
    press(&mut reviewer, KeyCode::Char('6'));
    shot(&out, "disposal", &reviewer)?;
    press(&mut reviewer, KeyCode::Enter);
    shot(&out, "disposal-case", &reviewer)?;
    press(&mut reviewer, KeyCode::Char('3'));
    press(&mut reviewer, KeyCode::Char('b'));
    shot(&out, "warnings-by-borrower", &reviewer)?;
    // Step 6 and the archive: pane 7 (every document of the book) and pane 8 (the period
    // summary of the book's month).
    press(&mut reviewer, KeyCode::Char('7'));
    shot(&out, "archive", &reviewer)?;
    press(&mut reviewer, KeyCode::Char('8'));
    shot(&out, "summary", &reviewer)?;
    drop(reviewer);
    // The audit trail, as a manager opens it (`A`).
    let book = postloan::store::Store::open(app.store.path())?;
    let mut manager = fixture::app(book, "zhao.lei", Lang::ZhCn, Theme::colour(), SIZE);
    press(&mut manager, KeyCode::Char('A'));
    shot(&out, "audit", &manager)?;
    drop(manager);

    app.lang = Lang::En;
    press(&mut app, KeyCode::Char('2'));
    shot(&out, "ledger-en", &app)?;
    Ok(())
}

fn press(app: &mut App, code: KeyCode) {
    if let Err(e) = app.handle_key(KeyEvent::new(code, KeyModifiers::NONE)) {
        eprintln!("key {code:?}: {e:#}");
    }
}

/// Draws one frame and writes `<name>.svg`.
fn shot(dir: &Path, name: &str, app: &App) -> anyhow::Result<()> {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h))?;
    terminal.draw(|f| render::render(app, f))?;
    // The renderer places the terminal cursor only where text is typed.
    let typing = app.form().is_some() || app.list().is_some_and(|l| l.filter.is_some());
    let cursor = if typing {
        Some(terminal.backend_mut().get_cursor_position()?)
    } else {
        None
    };
    let svg = to_svg(terminal.backend().buffer(), cursor);
    let path = dir.join(format!("{name}.svg"));
    std::fs::write(&path, svg)?;
    println!("{}", path.display());
    Ok(())
}

/// A dark palette for the 16 ANSI colours (index 0..=15).
const PALETTE: [&str; 16] = [
    "#282c34", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#abb2bf",
    "#5c6370", "#ff7b86", "#b5e890", "#f0d58a", "#8cc8ff", "#de9bf0", "#7fd4de", "#ffffff",
];

/// The colour's hex code; `None` for `Reset` (the default of its layer).
fn hex(c: Color) -> Option<String> {
    let ansi = |i: usize| Some(PALETTE[i].to_string());
    match c {
        Color::Reset => None,
        Color::Black => ansi(0),
        Color::Red => ansi(1),
        Color::Green => ansi(2),
        Color::Yellow => ansi(3),
        Color::Blue => ansi(4),
        Color::Magenta => ansi(5),
        Color::Cyan => ansi(6),
        Color::Gray => ansi(7),
        Color::DarkGray => ansi(8),
        Color::LightRed => ansi(9),
        Color::LightGreen => ansi(10),
        Color::LightYellow => ansi(11),
        Color::LightBlue => ansi(12),
        Color::LightMagenta => ansi(13),
        Color::LightCyan => ansi(14),
        Color::White => ansi(15),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => Some(indexed(i)),
    }
}

/// The xterm 256-colour table.
fn indexed(i: u8) -> String {
    match i {
        0..=15 => PALETTE[i as usize].to_string(),
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            let (r, g, b) = (level(i / 36), level((i / 6) % 6), level(i % 6));
            format!("#{r:02x}{g:02x}{b:02x}")
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One visible cell: where it starts, how many columns it spans, and how it looks.
struct Glyph {
    x: u16,
    span: u16,
    text: String,
    fg: String,
    bg: String,
    bold: bool,
    underline: bool,
}

fn glyphs(buf: &Buffer, y: u16) -> Vec<Glyph> {
    let mut out = Vec::new();
    let mut x = 0;
    while x < buf.area.width {
        let cell = &buf[(x, y)];
        let sym = cell.symbol();
        let span = (sym.width() as u16).clamp(1, buf.area.width - x);
        let mut fg = hex(cell.fg).unwrap_or_else(|| DEFAULT_FG.into());
        let mut bg = hex(cell.bg).unwrap_or_else(|| DEFAULT_BG.into());
        if cell.modifier.contains(Modifier::REVERSED) {
            std::mem::swap(&mut fg, &mut bg);
        }
        if cell.modifier.contains(Modifier::DIM) {
            fg = PALETTE[8].into();
        }
        out.push(Glyph {
            x,
            span,
            text: sym.to_string(),
            fg,
            bg,
            bold: cell.modifier.contains(Modifier::BOLD),
            underline: cell.modifier.contains(Modifier::UNDERLINED),
        });
        x += span;
    }
    out
}

/// The buffer as an SVG grid: background runs as rectangles, then text runs whose every
/// character is placed at its cell, so CJK (two cells) and ASCII stay on the grid.
fn to_svg(buf: &Buffer, cursor: Option<Position>) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let (pw, ph) = (f64::from(w) * CELL_W, f64::from(h) * CELL_H);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{pw}" height="{ph}" viewBox="0 0 {pw} {ph}">"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="{DEFAULT_BG}"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<g font-family="{FONT}" font-size="{FONT_SIZE}" xml:space="preserve">"#
    );
    for y in 0..h {
        let row = glyphs(buf, y);
        let top = f64::from(y) * CELL_H;
        // Backgrounds.
        let mut i = 0;
        while i < row.len() {
            let mut j = i + 1;
            while j < row.len() && row[j].bg == row[i].bg {
                j += 1;
            }
            if row[i].bg != DEFAULT_BG {
                let x0 = f64::from(row[i].x) * CELL_W;
                let x1 = f64::from(row[j - 1].x + row[j - 1].span) * CELL_W;
                let _ = writeln!(
                    svg,
                    r#"<rect x="{x0:.1}" y="{top:.1}" width="{:.1}" height="{CELL_H}" fill="{}"/>"#,
                    x1 - x0,
                    row[i].bg
                );
            }
            i = j;
        }
        // Text: runs of ASCII of one style (blank cells end a run), and every other
        // character on its own, placed at its cell (renderers differ on per-glyph `x` lists).
        let base = top + CELL_H * 0.75;
        let mut i = 0;
        while i < row.len() {
            let g = &row[i];
            if g.text.trim().is_empty() && !g.underline {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            if g.text.is_ascii() {
                while j < row.len()
                    && row[j].text.is_ascii()
                    && (!row[j].text.trim().is_empty() || row[j].underline)
                    && (row[j].fg.as_str(), row[j].bold, row[j].underline)
                        == (g.fg.as_str(), g.bold, g.underline)
                {
                    j += 1;
                }
            }
            let text: String = row[i..j].iter().map(|g| xml_escape(&g.text)).collect();
            // A wide glyph is about one em; centre it in its two cells.
            let pad = if g.span > 1 {
                (f64::from(g.span) * CELL_W - FONT_SIZE).max(0.0) / 2.0
            } else {
                0.0
            };
            let x = f64::from(g.x) * CELL_W + pad;
            let mut attrs = format!(r#"fill="{}""#, g.fg);
            if g.bold {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if g.underline {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = writeln!(
                svg,
                r#"<text x="{x:.1}" y="{base:.1}" {attrs}>{text}</text>"#
            );
            i = j;
        }
    }
    if let Some(p) = cursor {
        let _ = writeln!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{CELL_W}" height="2" fill="{DEFAULT_FG}"/>"#,
            f64::from(p.x) * CELL_W,
            f64::from(p.y + 1) * CELL_H - 3.0
        );
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}
