//! A book held by another connection (`BEGIN IMMEDIATE`, as a long import or `sqlite3` does)
//! never ends the session: a save or warning action says "book busy", is kept, and goes
//! through on the first poll after the other connection commits; a retry that finds the book
//! still busy redraws nothing. Then the same with the real binary in a pseudo-terminal.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::domain::warning::WarningStatus;
use postloan::i18n::Lang;
use postloan::tui::app::{App, Retry};
use postloan::tui::theme::Theme;
use std::path::Path;
use support::tui::{app, book, evaluated_book, select_own_open_warning};

const SPECIALIST: &str = "wang.fang";

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
        .expect("key handled");
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// A second connection holding the book's write lock until `commit`.
fn hold(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).expect("second connection");
    conn.execute_batch("BEGIN IMMEDIATE")
        .expect("take the lock");
    conn
}

fn commit(conn: &rusqlite::Connection) {
    conn.execute_batch("COMMIT").expect("release the lock");
}

fn contacts_with(db: &Path, notes: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(
        "SELECT COUNT(*) FROM contacts WHERE notes = ?1",
        [notes],
        |r| r.get(0),
    )
    .expect("count")
}

#[test]
fn a_form_saved_while_the_book_is_busy_stays_open_and_saves_when_it_frees() {
    for lang in [Lang::ZhCn, Lang::En] {
        let (dir, store) = book(300, 7);
        let db = dir.path().join("demo.db");
        let mut app = app(store, SPECIALIST, lang, Theme::colour(), (120, 40));
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('n'));
        assert!(app.form().is_some(), "the contact form opened");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "忙时记录");

        let lock = hold(&db);
        press(&mut app, KeyCode::F(2));
        let form = app.form().expect("the form stays open");
        assert_eq!(
            form.message.as_deref(),
            Some(lang.t("book_busy.form_kept")),
            "the form says the book is busy"
        );
        assert_eq!(form.fields[2].text(), "忙时记录", "the text is kept");
        assert_eq!(app.retry, vec![Retry::Submit]);
        assert!(app.busy);

        // Moving around in the form keeps the save pending; a retry that finds the book still
        // busy changes nothing on screen, so nothing is redrawn.
        press(&mut app, KeyCode::Tab);
        assert!(!app.poll_changes().expect("poll while busy"), "no redraw");
        assert!(!app.poll_changes().expect("poll while busy"), "no redraw");
        assert_eq!(app.retry, vec![Retry::Submit]);
        assert_eq!(contacts_with(&db, "忙时记录"), 0);

        commit(&lock);
        assert!(app.poll_changes().expect("poll after commit"), "redrawn");
        assert!(app.form().is_none(), "the form closed after the save");
        assert!(app.retry.is_empty());
        assert!(!app.busy);
        let notice = app.notice.clone().expect("a notice");
        assert_eq!(notice.text, lang.t("form.contact_saved"));
        assert_eq!(contacts_with(&db, "忙时记录"), 1, "the row is in the book");
    }
}

#[test]
fn esc_on_a_busy_form_closes_it_and_keeps_the_draft() {
    let (dir, store) = book(300, 7);
    let db = dir.path().join("demo.db");
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), (120, 40));
    let drafts = dir.path().join("state/drafts.json");
    app.use_drafts_file(drafts.clone()).expect("drafts file");
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "kept while busy");
    let lock = hold(&db);
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.retry, vec![Retry::Submit]);
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none(), "Esc closes the form, the app stays");
    assert!(app.retry.is_empty(), "the save is cancelled");
    let text = std::fs::read_to_string(&drafts).expect("drafts file");
    assert!(text.contains("kept while busy"), "{text}");
    commit(&lock);
    assert_eq!(
        contacts_with(&db, "kept while busy"),
        0,
        "cancelled means not saved"
    );
    // Opening the form again brings the text back.
    press(&mut app, KeyCode::Char('n'));
    let form = app.form().expect("form");
    assert_eq!(form.fields[2].text(), "kept while busy");
}

#[test]
fn a_warning_action_on_a_busy_book_is_kept_and_done_when_it_frees() {
    let (dir, store) = evaluated_book(300, 7);
    let db = dir.path().join("demo.db");
    let mut app = app(store, SPECIALIST, Lang::ZhCn, Theme::colour(), (80, 24));
    // A warning on one of the specialist's own loans (issue #11).
    let row = select_own_open_warning(&mut app, SPECIALIST);

    let lock = hold(&db);
    press(&mut app, KeyCode::Char('a'));
    let notice = app.notice.clone().expect("a notice");
    assert!(
        notice.error && notice.text.contains("账簿正忙"),
        "{}",
        notice.text
    );
    assert!(matches!(app.retry[..], [Retry::Act { .. }]));
    // Moving around while it waits.
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('k'));
    assert!(!app.poll_changes().expect("poll while busy"), "no redraw");
    // A form saved meanwhile is kept too; closing it drops only its own save.
    press(&mut app, KeyCode::Char('c'));
    assert!(app.form().is_some(), "the cause form opened");
    type_text(&mut app, "原因");
    press(&mut app, KeyCode::F(2));
    assert_eq!(app.retry.len(), 2, "{:?}", app.retry);
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none());
    assert!(matches!(app.retry[..], [Retry::Act { .. }]));
    assert!(app.busy, "the acknowledgement still waits");

    commit(&lock);
    assert!(app.poll_changes().expect("poll after commit"));
    assert!(app.retry.is_empty());
    let status = app
        .store
        .warning(row.id)
        .expect("read")
        .expect("warning")
        .row
        .status;
    assert_eq!(status, WarningStatus::Acknowledged);
}

#[test]
fn actions_kept_on_one_warning_land_in_order_not_as_stale() {
    let (dir, store) = evaluated_book(300, 7);
    let db = dir.path().join("demo.db");
    let mut app = app(store, SPECIALIST, Lang::ZhCn, Theme::colour(), (80, 24));
    // A warning on one of the specialist's own loans (issue #11).
    let row = select_own_open_warning(&mut app, SPECIALIST);

    let lock = hold(&db);
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.retry.len(), 2, "both kept: {:?}", app.retry);
    commit(&lock);
    assert!(app.poll_changes().expect("poll after commit"));
    assert!(app.retry.is_empty(), "{:?}", app.retry);
    let notice = app.notice.clone().expect("a notice");
    assert!(
        !notice.error,
        "the second is not refused as stale: {}",
        notice.text
    );
    let w = app.store.warning(row.id).expect("read").expect("warning");
    assert_eq!(w.row.status, WarningStatus::InDisposal);
    assert_eq!(w.version, row.version + 2, "both landed");
}

#[test]
fn drafts_kept_in_the_book_are_carried_to_the_file_once() {
    let (dir, store) = book(300, 7);
    store
        .save_draft(
            SPECIALIST,
            "contact:PL00000001",
            r#"["2026-06-01","电话","旧草稿"]"#,
        )
        .expect("an old draft in the book");
    let mut app = app(store, SPECIALIST, Lang::ZhCn, Theme::colour(), (120, 40));
    let drafts = dir.path().join("state/drafts.json");
    app.use_drafts_file(drafts.clone()).expect("drafts file");
    assert!(
        app.store.book_drafts(SPECIALIST).expect("read").is_empty(),
        "the book's copy is removed"
    );
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    let form = app.form().expect("form");
    assert_eq!(form.fields[2].text(), "旧草稿");
}

// ---- the real binary ----

const BIN: &str = env!("CARGO_BIN_EXE_postloan");

#[test]
fn the_real_workbench_stays_up_on_a_busy_book_and_saves_when_it_frees() {
    let home = tempfile::tempdir().expect("tempdir");
    let args = support::demo_args("300");
    let db = support::build_demo(BIN, home.path(), &args);
    let command = support::demo_command(BIN, &db, &args);
    let mut tui = support::Tui::spawn(home.path(), &command, 120, 40);
    tui.wait_text("2 Ledger");
    tui.send("2");
    tui.wait_text("1/301"); // 300 generated loans and the case study's
    tui.send("\r");
    tui.wait_text("Overview");
    tui.send("n");
    tui.wait_text("New contact");
    tui.send("\t");
    tui.send("\t");
    tui.send("pty-busy-note");
    tui.wait_text("pty-busy-note");

    let lock = hold(&db);
    // The notes are multi-line (Enter is a new line there): Ctrl-S saves.
    tui.send("\x13");
    tui.wait_text("The book is busy");
    // Move around the form while the save waits; the app stays up and keeps saying so.
    tui.send("\x1b[Z");
    tui.send("\t");
    tui.wait_text("The book is busy");
    assert_eq!(contacts_with(&db, "pty-busy-note"), 0);

    commit(&lock);
    tui.wait_text("Contact recorded");
    assert_eq!(
        contacts_with(&db, "pty-busy-note"),
        1,
        "the row is in the book"
    );

    tui.quit();
}
