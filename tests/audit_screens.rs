//! The audit trail screen (`A`): who may open it (a specialist is refused in words, and the
//! refusal is itself recorded), body snapshots of the trail and of one entry in Chinese and
//! English, keyset paging (never more than a screen read), the filter form, control
//! characters in the data.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::i18n::Lang;
use postloan::store::Store;
use postloan::tui::app::App;
use postloan::tui::stack::Screen;
use postloan::tui::theme::Theme;
use ratatui::buffer::Buffer;
use serde_json::json;
use support::tui::{app, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

const MANAGER: &str = "zhao.lei";
const AUDITOR: &str = "hu.yan";
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

fn save(app: &mut App) {
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
        .expect("save");
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

/// The body with every SHA-256 written as `<sha256>`: the demo book's entries are hashed
/// with the time they were written, so the hashes differ from run to run.
fn redacted(body: &str) -> String {
    body.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|w| {
                    if w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()) {
                        "<sha256>"
                    } else {
                        w
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn screen_text(buf: &Buffer) -> String {
    rows_text(buf, 0..buf.area.height)
}

/// A small demo book and, after its own entries, `extra` entries by three people on a few
/// loans (an edit with before → after, a record made, a refusal, one with control
/// characters in it). Every entry's time is then fixed (a minute apart), so screens are
/// reproducible; the chain is not what `verify` checks here.
fn trail_book(extra: usize) -> (TempDir, Store) {
    let (dir, mut store) = book(20, 11);
    store
        .write(|tx| -> postloan::store::Result<()> {
            for i in 0..extra {
                let contract = format!("PL{:08}", 1 + i % 3);
                match i % 4 {
                    0 => tx.audit(
                        "wang.fang",
                        "contact.record",
                        "loan",
                        &contract,
                        &json!({"kind": "call", "notes": format!("电话回访 {i}")}),
                    )?,
                    1 => tx.audit(
                        "wu.hao",
                        "warnings.cause",
                        "warning",
                        &format!("YJ2026-{:06}", i),
                        &json!({"before": {"cause": ""}, "after": {"cause": "销售放缓，现金紧张"}}),
                    )?,
                    2 => tx.audit(
                        "zhao.lei",
                        "classification.approve",
                        "loan",
                        &contract,
                        &json!({"before": {"classification": "pass"}, "after": {"classification": "special_mention"}, "reason": "逾期\u{1b}[2J 35 天"}),
                    )?,
                    _ => tx.audit(
                        "li.na",
                        "command.denied",
                        "command",
                        "read_audit",
                        &json!({"role": "specialist", "refusal": "role", "may": ["auditor", "manager"]}),
                    )?,
                }
            }
            Ok(())
        })
        .expect("entries");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    conn.execute(
        "UPDATE audit_log SET at = strftime('%Y-%m-%dT%H:%M:%SZ', '2026-06-29 00:00:00', '+' || id || ' minutes')",
        [],
    )
    .expect("fix times");
    (dir, store)
}

fn newest_id(store: &Store) -> i64 {
    store.audit_head().expect("head").last_id
}

#[test]
fn a_specialist_is_refused_in_words_and_the_refusal_is_recorded() {
    for (lang, words) in [(Lang::En, "read the audit trail"), (Lang::ZhCn, "审计")] {
        let (_dir, store) = trail_book(0);
        let before = newest_id(&store);
        let mut app = app(store, SPECIALIST, lang, Theme::colour(), (120, 40));
        press(&mut app, KeyCode::Char('A'));
        assert!(app.audit_screen().is_none(), "no trail for a specialist");
        let notice = app.notice.clone().expect("the refusal is said");
        assert!(notice.error);
        assert!(notice.text.contains(words), "{}", notice.text);
        let screen = screen_text(&draw(&app));
        assert!(screen.contains(words), "{screen}");
        // The refusal went through the workflow's guard, which records it.
        let last = app
            .store
            .audit_page(&Default::default(), None, 1)
            .expect("read");
        assert_eq!(last[0].action, "command.denied");
        assert_eq!(last[0].actor, SPECIALIST);
        assert!(last[0].id > before);
        assert!(last[0].detail.contains("read_audit") || last[0].entity_key == "read_audit");
    }
}

#[test]
fn auditors_and_managers_open_the_trail_newest_first_and_esc_goes_back() {
    for user in [AUDITOR, MANAGER] {
        let (_dir, store) = trail_book(12);
        let newest = newest_id(&store);
        let mut app = app(store, user, Lang::En, Theme::colour(), (120, 40));
        press(&mut app, KeyCode::Char('A'));
        let trail = app.audit_screen().expect("the trail is open");
        assert_eq!(trail.rows[0].id, newest, "newest first");
        assert!(trail.rows.windows(2).all(|w| w[0].id > w[1].id));
        assert!(trail.rows.len() <= trail.height, "one screenful read");
        press(&mut app, KeyCode::Char('A'));
        assert_eq!(app.detail.len(), 1, "A again keeps one trail");
        press(&mut app, KeyCode::Esc);
        assert!(app.audit_screen().is_none() && app.detail.is_empty());
    }
}

#[test]
fn the_trail_and_an_entry_in_both_languages() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((120, 40), "120x40"), ((80, 24), "80x24")] {
            let (_dir, store) = trail_book(12);
            let mut app = app(store, MANAGER, lang, Theme::colour(), size);
            press(&mut app, KeyCode::Char('A'));
            let buf = draw(&app);
            let body = body_text(&buf);
            assert!(!screen_text(&buf).contains('\u{1b}'));
            insta::assert_snapshot!(format!("audit_trail_{tag}_{name}"), body);
            // The approval: its before → after, the reason beside it, both hashes.
            press(&mut app, KeyCode::Down);
            press(&mut app, KeyCode::Enter);
            let Some(Screen::AuditEntry(entry)) = app.detail.front() else {
                panic!("Enter opens the entry");
            };
            let hash = entry.record.hash.clone();
            assert_eq!(entry.record.entry.action, "classification.approve");
            let buf = draw(&app);
            let body = body_text(&buf);
            if size.0 == 120 {
                assert!(body.contains(&hash), "{body}");
            }
            assert!(!screen_text(&buf).contains('\u{1b}'));
            insta::assert_snapshot!(format!("audit_entry_{tag}_{name}"), redacted(&body));
            press(&mut app, KeyCode::Esc);
            assert!(app.audit_screen().is_some(), "Esc: back to the trail");
        }
    }
}

#[test]
fn the_trail_pages_by_key_and_reads_only_a_screen_at_a_time() {
    let (_dir, store) = trail_book(300);
    let newest = newest_id(&store);
    let mut app = app(store, MANAGER, Lang::En, Theme::colour(), (80, 24));
    press(&mut app, KeyCode::Char('A'));
    let height = app.audit_screen().expect("trail").height;
    assert!(height < 30);
    // One row at a time past the bottom of the screen: each row is the next older one.
    for n in 1..=(height as i64 + 5) {
        press(&mut app, KeyCode::Char('j'));
        let t = app.audit_screen().expect("trail");
        assert_eq!(t.selected().expect("row").id, newest - n);
        assert!(t.rows.len() <= height);
    }
    // Back up past the top of the window.
    for n in (0..(height as i64 + 5)).rev() {
        press(&mut app, KeyCode::Char('k'));
        assert_eq!(
            app.audit_screen().unwrap().selected().unwrap().id,
            newest - n
        );
    }
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageDown);
    let t = app.audit_screen().unwrap();
    assert_eq!(t.rows[0].id, newest - 2 * height as i64);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(
        app.audit_screen().unwrap().rows[0].id,
        newest - height as i64
    );
    press(&mut app, KeyCode::Char('G'));
    let t = app.audit_screen().unwrap();
    assert_eq!(
        t.selected().unwrap().id,
        1,
        "the oldest entry, the book's creation"
    );
    assert_eq!(t.rows.len(), height);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.audit_screen().unwrap().selected().unwrap().id, 1);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.audit_screen().unwrap().selected().unwrap().id, newest);
    let reads = app.audit_screen().unwrap().reads;
    assert!(reads < 80, "{reads} page reads, each a screen at most");
}

#[test]
fn the_filter_form_narrows_by_user_kind_loan_and_days_and_x_clears_it() {
    let (_dir, store) = trail_book(40);
    let mut app = app(store, AUDITOR, Lang::En, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('A'));
    press(&mut app, KeyCode::Char('/'));
    assert!(app.form().is_some(), "/ opens the filter");
    type_text(&mut app, "wu.hao");
    save(&mut app);
    assert!(app.form().is_none());
    let t = app.audit_screen().unwrap();
    assert!(!t.rows.is_empty());
    assert!(t.rows.iter().all(|e| e.actor == "wu.hao"));
    assert_eq!(t.rows[0].action, "warnings.cause", "the newest of his");
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("by wu.hao"), "{screen}");

    // A family of actions, on one loan (its own entries: contacts and approvals).
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "PL00000002");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "contact");
    save(&mut app);
    let t = app.audit_screen().unwrap();
    assert!(!t.rows.is_empty());
    assert!(
        t.rows
            .iter()
            .all(|e| e.action == "contact.record" && e.entity_key == "PL00000002")
    );

    // Days: the entries are a minute apart from 2026-06-29 00:00 UTC; a range ending before
    // it starts is refused in the form.
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('/'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "2026-07-02");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-07-01");
    save(&mut app);
    let form = app.form().expect("the form stays open");
    assert_eq!(
        form.message.as_deref(),
        Some("The range ends before it starts.")
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('x'));
    assert!(app.audit_screen().unwrap().filter.is_empty());
    assert_eq!(
        app.audit_screen().unwrap().rows.len(),
        app.audit_screen().unwrap().height
    );
}

/// A user or a loan the book does not have is refused in the form, saying so, not shown as an
/// empty trail that looks like good news; `system` (the engine) is a user of the trail.
#[test]
fn the_filter_refuses_an_unknown_user_or_loan_in_place() {
    for lang in [Lang::En, Lang::ZhCn] {
        let (_dir, store) = trail_book(5);
        let mut app = app(store, AUDITOR, lang, Theme::colour(), (120, 40));
        press(&mut app, KeyCode::Char('A'));
        press(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "nobody");
        save(&mut app);
        let form = app.form().expect("the form stays open");
        let want = lang.tf("audit_pane.unknown_user", &[("value", &"nobody")]);
        assert_eq!(form.message.as_deref(), Some(want.as_str()));
        assert!(
            want.contains("nobody") && !want.contains("audit_pane"),
            "{want}"
        );
        // A loan no book has, the user now right.
        for _ in 0..6 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "system");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "PL99999999");
        save(&mut app);
        let form = app.form().expect("the form stays open");
        let want = lang.tf("audit_pane.unknown_record", &[("value", &"PL99999999")]);
        assert_eq!(form.message.as_deref(), Some(want.as_str()));
        // A loan the book has: the trail shows.
        for _ in 0..10 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "PL00000002");
        save(&mut app);
        assert!(
            app.form().is_none(),
            "a known user and loan filter the trail"
        );
        assert_eq!(
            app.audit_screen().unwrap().filter.record.as_deref(),
            Some("PL00000002")
        );
    }
}

#[test]
fn help_lists_the_trail_keys() {
    let (_dir, store) = trail_book(3);
    let mut app = app(store, MANAGER, Lang::ZhCn, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('A'));
    press(&mut app, KeyCode::Char('?'));
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("审计轨迹"), "{screen}");
    assert!(screen.contains("筛选"), "{screen}");
}
