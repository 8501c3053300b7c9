//! The archive pane (7) and its document viewer, drawn by the real renderer over the demo
//! book: body snapshots in Chinese and English at 80x24 and 120x40, and what the keys do —
//! filters by kind and loan, Enter opens the read-only viewer (a restricted kind's read is
//! audited, another role refused on the status line), `f` writes a feedback note.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::config::Config;
use postloan::domain::archive::DocumentKind;
use postloan::i18n::Lang;
use postloan::store::Store;
use postloan::tui::app::{App, PaneId};
use postloan::tui::keymap::Keymap;
use postloan::tui::stack::Screen;
use postloan::tui::theme::Theme;
use postloan::workflow::identify;
use ratatui::buffer::Buffer;
use support::tui::{as_of, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

const SPECIALIST: &str = "wang.fang";
const MANAGER: &str = "zhao.lei";

fn press(app: &mut App, code: KeyCode) {
    press_mod(app, code, KeyModifiers::NONE);
}

fn press_mod(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers))
        .expect("key handled");
}

/// Rows `rows` as plain text; a wide character's second cell is skipped.
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

fn screen_text(buf: &Buffer) -> String {
    rows_text(buf, 0..buf.area.height)
}

/// The demo book with every document dated on its reporting day (the demo writes them at
/// the wall clock's time), so the snapshots do not move with the calendar.
fn dated_book() -> (TempDir, Store) {
    let (dir, store) = book(300, 7);
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute(
        "UPDATE documents SET created_at = '2026-06-30T06:00:00Z'",
        [],
    )
    .expect("date the documents");
    drop(conn);
    (dir, store)
}

/// The workbench on pane 7 as `user`, with `config`.
fn archive_app(store: Store, user: &str, lang: Lang, size: (u16, u16), config: Config) -> App {
    let actor = identify(&store, "tester", Some(user)).expect("demo user");
    let mut app = App::new(
        store,
        actor,
        lang,
        Theme::mono(),
        Keymap::load(None).0,
        config,
        as_of(),
        size,
    )
    .expect("app");
    press(&mut app, KeyCode::Char('7'));
    assert_eq!(app.pane, PaneId::Archive);
    app
}

#[test]
fn the_archive_pane_in_both_languages_and_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, store) = dated_book();
            let app = archive_app(store, SPECIALIST, lang, size, Config::defaults());
            assert!(app.archive.list.total > 0, "the demo book has documents");
            let buf = draw(&app);
            insta::assert_snapshot!(format!("archive_pane_{tag}_{name}"), body_text(&buf));
        }
    }
}

#[test]
fn filters_by_kind_and_loan_and_clear() {
    let (_dir, store) = dated_book();
    let mut app = archive_app(store, SPECIALIST, Lang::En, (120, 40), Config::defaults());
    let all = app.archive.list.total;
    // K: contracts first (none in the demo), then warning notices.
    press(&mut app, KeyCode::Char('K'));
    assert_eq!(app.archive.list.query.kind, Some(DocumentKind::Contract));
    press(&mut app, KeyCode::Char('K'));
    assert_eq!(
        app.archive.list.query.kind,
        Some(DocumentKind::WarningNotice)
    );
    let notices = app.archive.list.total;
    assert!(notices > 0 && notices < all, "{notices} of {all}");
    assert!(
        app.archive
            .list
            .window
            .iter()
            .all(|r| r.kind == "warning_notice")
    );
    assert!(screen_text(&draw(&app)).contains("kind Warning notice"));
    // x: everything again; L: only the selected row's loan.
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.archive.list.total, all);
    let contract = app
        .archive
        .list
        .selected()
        .and_then(|r| r.contract_no.clone())
        .expect("a loan's document");
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(
        app.archive.list.query.contract_no.as_deref(),
        Some(contract.as_str())
    );
    assert!(
        app.archive
            .list
            .window
            .iter()
            .all(|r| r.contract_no.as_deref() == Some(contract.as_str()))
    );
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(app.archive.list.total, all);
    // D: the last 30 days of the book's date (every document is dated on it).
    press(&mut app, KeyCode::Char('D'));
    assert_eq!(app.archive.list.total, all);
    press(&mut app, KeyCode::Char('D'));
    press(&mut app, KeyCode::Char('D'));
    assert_eq!(app.archive.list.total, 0, "last year has none");
}

#[test]
fn enter_opens_the_document_read_only_and_esc_comes_back() {
    let (_dir, store) = dated_book();
    let mut app = archive_app(store, SPECIALIST, Lang::ZhCn, (80, 24), Config::defaults());
    let number = app
        .archive
        .list
        .selected()
        .map(|r| r.number.clone())
        .expect("a row");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.detail.front(), Some(Screen::Document(_))));
    let buf = draw(&app);
    let text = body_text(&buf);
    assert!(text.contains(&number), "{text}");
    insta::assert_snapshot!("archive_viewer_zh_80x24", text);
    // Keys that would edit do nothing; j scrolls; Esc goes back to the list.
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Esc);
    assert!(app.detail.front().is_none());
    assert_eq!(app.pane, PaneId::Archive);
}

#[test]
fn a_restricted_kind_is_audited_when_read_and_refused_to_other_roles() {
    let (dir, store) = dated_book();
    let path = store.path().to_path_buf();
    let mut config = Config::defaults();
    config
        .archive
        .read
        .insert("warning_notice".into(), vec!["manager".into()]);
    let mut app = archive_app(store, SPECIALIST, Lang::ZhCn, (120, 40), config.clone());
    press(&mut app, KeyCode::Char('K'));
    press(&mut app, KeyCode::Char('K'));
    press(&mut app, KeyCode::Enter);
    assert!(app.detail.front().is_none(), "refused: no viewer");
    let said = screen_text(&draw(&app));
    assert!(said.contains("只有") && said.contains("经理"), "{said}");
    drop(app);
    let store = Store::open(&path).expect("reopen");
    let mut app = archive_app(store, MANAGER, Lang::En, (120, 40), config);
    press(&mut app, KeyCode::Char('K'));
    press(&mut app, KeyCode::Char('K'));
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.detail.front(), Some(Screen::Document(_))));
    drop(app);
    let conn = rusqlite::Connection::open(&path).expect("open");
    let count = |action: &str| -> i64 {
        conn.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .expect("count")
    };
    assert_eq!(count("document.read_denied"), 1);
    assert_eq!(count("document.read"), 1);
    drop(dir);
}

#[test]
fn f_on_a_case_document_writes_feedback_with_its_recipient() {
    let (_dir, store) = dated_book();
    let mut app = archive_app(store, MANAGER, Lang::En, (120, 40), Config::defaults());
    // The rectification notices are a case's documents.
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('K'));
    }
    assert_eq!(
        app.archive.list.query.kind,
        Some(DocumentKind::RectificationNotice)
    );
    assert!(
        app.archive.list.total > 0,
        "the demo has rectification notices"
    );
    press(&mut app, KeyCode::Char('f'));
    assert!(app.form().is_some(), "the feedback form is open");
    let to = app.form().map(|f| f.fields[0].value()).unwrap_or_default();
    assert!(
        !to.is_empty() && to != "risk",
        "the recipient is named in words, not by its code: {to:?}"
    );
    press(&mut app, KeyCode::Tab);
    for c in "Please review the credit line.".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_none(), "saved");
    press(&mut app, KeyCode::Char('x'));
    let top = app.archive.list.selected().cloned().expect("the newest");
    assert_eq!(top.kind, "feedback");
    assert_eq!(top.recipient.as_deref(), Some("risk"));
    assert!(screen_text(&draw(&app)).contains("Feedback(risk)"));
}

/// The Archive's help says what its keys do there: Enter opens the document, K cycles the
/// document kinds (not the loan, not the inspection kind); in both languages.
#[test]
fn the_archive_help_names_its_own_keys() {
    for (lang, open, kind, wrong) in [
        (
            Lang::En,
            "open the document",
            "cycle the document kind",
            "inspection kind",
        ),
        (Lang::ZhCn, "打开文档", "按文档类型筛选", "检查类型"),
    ] {
        let (_dir, store) = dated_book();
        let mut app = archive_app(store, SPECIALIST, lang, (120, 40), Config::defaults());
        press(&mut app, KeyCode::Char('?'));
        let screen = rows_text(&draw(&app), 0..40);
        assert!(screen.contains(open), "{screen}");
        assert!(screen.contains(kind), "{screen}");
        assert!(!screen.contains(wrong), "{screen}");
    }
}
