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
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use tempfile::TempDir;

/// The book's reporting date, also used as "today" so every screen is reproducible.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date")
}

/// A demo book of `loans` loans built from `seed`. Keep the `TempDir` alive with the store.
/// The book is a copy of a template built once per test binary (see [`template`]).
pub fn book(loans: u64, seed: u64) -> (TempDir, Store) {
    made(loans, seed, false)
}

/// The demo book with the warning engine run over it as of [`as_of`] by the manager
/// (`zhao.lei`), so the board, Today's block and the loans' Warnings tabs have rows.
pub fn evaluated_book(loans: u64, seed: u64) -> (TempDir, Store) {
    made(loans, seed, true)
}

/// A fresh temporary directory holding the book as `demo.db`, and the book opened.
fn made(loans: u64, seed: u64, evaluated: bool) -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("demo.db");
    demo_file(&path, loans, seed, evaluated);
    let store = Store::open_existing(&path).expect("open the book");
    (dir, store)
}

/// Puts the demo book of `loans` loans from `seed` (`evaluated`: see [`evaluated_book`]) at
/// `path`, closed: for a test of the binary. A copy of the [`template`] in a test; built in
/// place where there is no target tmp directory (the screenshots example).
pub fn demo_file(path: &Path, loans: u64, seed: u64, evaluated: bool) {
    match option_env!("CARGO_TARGET_TMPDIR") {
        Some(tmp) => {
            std::fs::copy(template(Path::new(tmp), loans, seed, evaluated), path)
                .expect("copy the template book");
        }
        None => build(path, loans, seed, evaluated),
    }
}

/// Builds the demo book at `path` and closes it, checkpointed into its one file.
fn build(path: &Path, loans: u64, seed: u64, evaluated: bool) {
    let params = DemoParams {
        loans,
        seed,
        as_of: as_of(),
    };
    let (mut store, _) = demo::open_or_build(path, &params, true, "tester").expect("demo book");
    if evaluated {
        let manager = identify(&store, "tester", Some("zhao.lei")).expect("demo manager");
        postloan::workflow::warning::evaluate_book(
            &mut store,
            &manager,
            &postloan::engine::rules::RuleSet::defaults(),
            as_of(),
        )
        .expect("evaluate the book");
    }
    store.checkpoint().expect("checkpoint the book");
}

/// The template demo book (under `target_tmp`) of `loans` loans from `seed` (`evaluated`: with the warning engine
/// run as of [`as_of`] by the manager), checkpointed into one file so that a copy of it is the
/// whole book. Building a demo book takes seconds in a debug build; each test copies this
/// file instead. It is kept under cargo's target tmp directory, named after this test
/// binary and its build (file time and size), so a rebuilt binary builds its own and the
/// books of its earlier builds are removed; `nextest`'s one process per test reuses it too.
pub fn template(target_tmp: &Path, loans: u64, seed: u64, evaluated: bool) -> PathBuf {
    static BUILDING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = target_tmp.join("demo-books");
    std::fs::create_dir_all(&dir).expect("the template directory");
    let exe = std::env::current_exe().expect("the test binary");
    let binary = exe
        .file_name()
        .and_then(|n| n.to_str())
        .expect("the test binary's name")
        .to_string();
    let meta = std::fs::metadata(&exe).expect("the test binary's metadata");
    let built = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let stamp = format!("{binary}-{built}-{}", meta.len());
    let kind = if evaluated { "evaluated" } else { "plain" };
    let path = dir.join(format!("{stamp}-{loans}-{seed}-{kind}.db"));
    if path.exists() {
        return path;
    }
    // This binary's templates of earlier builds.
    for entry in std::fs::read_dir(&dir)
        .expect("the template directory")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{binary}-")) && !name.starts_with(&format!("{stamp}-")) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    // Built beside under a name of this process's own, then renamed: a test process running
    // at the same time (nextest) sees no half-built book.
    let scratch = dir.join(format!(
        "building-{}-{loans}-{seed}-{kind}.db",
        std::process::id()
    ));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", scratch.display()));
    }
    build(&scratch, loans, seed, evaluated);
    std::fs::rename(&scratch, &path).expect("the template in place");
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", scratch.display()));
    }
    path
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
