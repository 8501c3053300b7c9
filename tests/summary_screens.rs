//! The summary pane (8) drawn by the real renderer over the demo book: snapshots in Chinese
//! and English at 80x24 and 120x40, the period form (a quarter typed, or dates), scrolling,
//! and the same figures as `report summary`.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::engine::summary::Period;
use postloan::i18n::Lang;
use postloan::tui::app::{App, PaneId};
use postloan::tui::theme::Theme;
use ratatui::buffer::Buffer;
use support::tui::{app, as_of, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

const MANAGER: &str = "zhao.lei";

fn fixture(lang: Lang, size: (u16, u16)) -> (TempDir, App) {
    let (dir, store) = book(300, 7);
    let mut app = app(store, MANAGER, lang, Theme::colour(), size);
    assert_eq!(app.reads.summary, 0, "not read before it is shown");
    press(&mut app, KeyCode::Char('8'));
    assert_eq!(app.pane, PaneId::Summary);
    assert_eq!(app.reads.summary, 1);
    (dir, app)
}

fn press(app: &mut App, code: KeyCode) {
    press_mod(app, code, KeyModifiers::NONE);
}

fn press_mod(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers))
        .expect("key handled");
}

fn rows_text(buf: &Buffer, rows: std::ops::Range<u16>) -> String {
    let mut out = String::new();
    for y in rows {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += (sym.width() as u16).max(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn body_text(buf: &Buffer) -> String {
    rows_text(buf, 1..buf.area.height.saturating_sub(2))
}

#[test]
fn the_pane_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, app) = fixture(lang, size);
            let buf = draw(&app);
            insta::assert_snapshot!(format!("summary_pane_{tag}_{name}"), body_text(&buf));
        }
    }
}

#[test]
fn the_pane_opens_on_the_month_of_the_books_date_with_the_reports_figures() {
    let (_dir, app) = fixture(Lang::En, (120, 40));
    let shown = app.summary.summary.clone().expect("read");
    assert_eq!(shown.period, Period::month_of(as_of()));
    // The same store call as `report summary`, through the workflow.
    let report =
        postloan::workflow::summary::summary(&app.store, shown.period, as_of()).expect("report");
    assert_eq!(shown, report);
    let text = body_text(&draw(&app));
    assert!(
        text.contains("Post-loan summary 2026-06-01 to 2026-06-30"),
        "{text}"
    );
    assert!(text.contains("The book by class"), "{text}");
}

#[test]
fn the_period_form_takes_a_quarter_or_dates() {
    let (_dir, mut app) = fixture(Lang::En, (120, 40));
    press(&mut app, KeyCode::Char('p'));
    assert!(app.form().is_some(), "the period form is open");
    for c in "2026-Q1".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_none(), "a period that reads closes the form");
    assert_eq!(app.summary.period, Period::quarter(2026, 1).expect("Q1"));
    assert_eq!(
        app.summary.summary.as_ref().map(|s| s.period),
        Some(app.summary.period)
    );
    // A period that does not read keeps the form open and says why.
    press(&mut app, KeyCode::Char('p'));
    for c in "2026-Q7".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let form = app.form().expect("still open");
    assert!(
        form.message
            .as_deref()
            .is_some_and(|m| m.contains("YYYY-Qn")),
        "{:?}",
        form.message
    );
    assert_eq!(app.summary.period, Period::quarter(2026, 1).expect("Q1"));
}

#[test]
fn the_keys_scroll_and_stop_at_the_ends() {
    let (_dir, mut app) = fixture(Lang::ZhCn, (80, 24));
    assert_eq!(app.summary.scroll, 0);
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.summary.scroll, 0, "nothing above the top");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.summary.scroll, 1);
    press(&mut app, KeyCode::Char('G'));
    let bottom = app.summary.scroll;
    assert!(bottom > 1, "80x24 does not show the whole summary");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.summary.scroll, bottom, "nothing below the bottom");
    let text = body_text(&draw(&app));
    assert!(
        text.contains("跟踪逾期"),
        "the last block is in view:\n{text}"
    );
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.summary.scroll, 0);
}
