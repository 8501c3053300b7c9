//! Shared fixture for the TUI tests and the screenshot example: a deterministic demo book
//! in a temporary directory, an `App` over it, and one frame drawn into a `TestBackend`.
#![allow(dead_code)]

use chrono::NaiveDate;
use postloan::config::Config;
use postloan::demo::DemoParams;
use postloan::i18n::Lang;
use postloan::store::Store;
use postloan::tui::app::App;
use postloan::tui::keymap::Keymap;
use postloan::tui::render;
use postloan::tui::theme::Theme;
use postloan::workflow::{demo, identify};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tempfile::TempDir;

/// The book's reporting date, also used as "today" so every screen is reproducible.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// A demo book of `loans` loans built from `seed`. Keep the `TempDir` alive with the store.
pub fn book(loans: u64, seed: u64) -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let params = DemoParams {
        loans,
        seed,
        as_of: as_of(),
    };
    let (store, _) = demo::open_or_build(&dir.path().join("demo.db"), &params, true, "tester")
        .expect("demo book");
    (dir, store)
}

/// The demo book with the warning engine run over it as of [`as_of`] by the manager
/// (`zhao.lei`), so the board, Today's block and the loans' Warnings tabs have rows.
pub fn evaluated_book(loans: u64, seed: u64) -> (TempDir, Store) {
    let (dir, mut store) = book(loans, seed);
    let manager = identify(&store, "tester", Some("zhao.lei")).expect("demo manager");
    postloan::workflow::warning::evaluate_book(
        &mut store,
        &manager,
        &postloan::engine::rules::RuleSet::defaults(),
        as_of(),
    )
    .expect("evaluate the book");
    (dir, store)
}

/// The workbench over `store`, acting as demo user `user`.
pub fn app(store: Store, user: &str, lang: Lang, theme: Theme, size: (u16, u16)) -> App {
    let actor = identify(&store, "tester", Some(user)).expect("demo user");
    let keymap = Keymap::load(None).0;
    App::new(
        store,
        actor,
        lang,
        theme,
        keymap,
        Config::defaults(),
        as_of(),
        size,
    )
    .expect("app")
}

/// One frame of the real renderer at the app's size.
pub fn draw(app: &App) -> Buffer {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| render::render(app, f)).expect("draw");
    terminal.backend().buffer().clone()
}

/// On the warning board (pane 3), moves the cursor to the first open warning on one of
/// `user`'s loans — a specialist acts only on warnings of their own loans (issue #11) — and
/// returns it.
pub fn select_own_open_warning(app: &mut App, user: &str) -> postloan::store::WarningRow {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |app: &mut App, c: char| {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
            .expect("key handled");
    };
    key(app, '3');
    for _ in 0..app.board.list.total {
        let row = app.board.list.selected().expect("a warning").clone();
        if row.officer == user && row.status == postloan::domain::warning::WarningStatus::Open {
            return row;
        }
        key(app, 'j');
    }
    panic!("no open warning on {user}'s loans");
}
