//! Issue #13 point 5, fuzzing: random bytes to the CSV importer (every extract kind), the
//! config and keymap loaders and a report section's text (written, then exported as Markdown
//! and HTML, and the text helpers that escape it); random key sequences to the workbench with
//! every pane, screen, form and overlay reachable. Nothing may panic; what an import refuses
//! it says, and it writes nothing half.
//!
//! `cargo test --test fuzz` runs 64 cases per target (the key walks: 24 sequences of up to 60
//! keys); `PROPTEST_CASES=5000 cargo test --test fuzz` runs more.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::config::{Config, Dirs};
use postloan::domain::inspection::{InspectionKind, InspectionMode, Section};
use postloan::domain::text;
use postloan::extract::{Encoding, ExtractKind};
use postloan::i18n::Lang;
use postloan::tui::forms::FormKind;
use postloan::tui::keymap::{Keymap, Section as KeySection};
use postloan::tui::render;
use postloan::tui::theme::Theme;
use postloan::workflow::import::import_file;
use postloan::workflow::inspection::{self, StartInspection};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::cell::RefCell;
use support::book::{LOANS_HEADER, REPAYMENTS_HEADER, STATEMENTS_HEADER, TestBook};

/// Cases per target: `PROPTEST_CASES`, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(default: u32) -> TestRunner {
    TestRunner::new(RunnerConfig {
        cases: cases(default),
        failure_persistence: None,
        ..RunnerConfig::default()
    })
}

/// Bytes that look like CSV often enough to reach the row parser: a real header, then cells
/// from an alphabet of separators, quotes, digits, dates, CJK, controls and broken UTF-8.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(LOANS_HEADER.as_bytes().to_vec()),
        Just(STATEMENTS_HEADER.as_bytes().to_vec()),
        Just(REPAYMENTS_HEADER.as_bytes().to_vec()),
        Just(b"borrower_code,name,credit_code,industry,region\n".to_vec()),
        Just(Vec::new()),
        Just(b"\xef\xbb\xbf".to_vec()),
    ];
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"L1".to_vec()),
        Just(b"B1".to_vec()),
        Just(b"2026-06-30".to_vec()),
        Just(b"1,000,000.00".to_vec()),
        Just(b"(12.5)".to_vec()),
        Just(b"4.35".to_vec()),
        Just(b"-0".to_vec()),
        Just(b"99999999999999999999999999999".to_vec()),
        Just("华东机械".as_bytes().to_vec()),
        Just(b"\xff\xfe\xc3\x28\x80".to_vec()),
        Just(b"\x1b[2J\x00\x07".to_vec()),
        Just("\u{202E}\u{200B}".as_bytes().to_vec()),
        Just(b"spec".to_vec()),
        Just(b"quarterly".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    (header, proptest::collection::vec(piece, 0..60)).prop_map(|(h, parts)| {
        let mut b = h;
        for p in parts {
            b.extend(p);
        }
        b
    })
}

const KINDS: [ExtractKind; 6] = [
    ExtractKind::Loans,
    ExtractKind::Borrowers,
    ExtractKind::Statements,
    ExtractKind::Repayments,
    ExtractKind::Collateral,
    ExtractKind::FundFlows,
];

#[test]
fn the_csv_importer_never_panics_and_writes_all_or_nothing() {
    let b = RefCell::new(TestBook::new().with_loans(3));
    let mut runner = runner(64);
    let strategy = (
        0..KINDS.len(),
        prop_oneof![csv_like(), proptest::collection::vec(any::<u8>(), 0..400)],
        0..3usize,
    );
    runner
        .run(&strategy, |(kind, bytes, enc)| {
            let mut b = b.borrow_mut();
            let path = b.write("fuzz.csv", &bytes);
            let encoding = [Encoding::Auto, Encoding::Utf8, Encoding::Gbk][enc];
            let before = b
                .store
                .count_rows(postloan::store::Table::Loans)
                .expect("count");
            let boss = b.boss.clone();
            let r = import_file(&mut b.store, &boss, KINDS[kind], &path, encoding, false);
            if let Ok(r) = r
                && !r.written
            {
                let after = b
                    .store
                    .count_rows(postloan::store::Table::Loans)
                    .expect("count");
                prop_assert_eq!(before, after, "a refused file wrote nothing");
                for e in &r.errors {
                    let said = e.to_string();
                    prop_assert!(!said.chars().any(char::is_control), "{}", said);
                }
            }
            Ok(())
        })
        .expect("no panic, nothing half-written");
}

#[test]
fn the_config_and_keymap_loaders_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dirs = Dirs::new();
    let default_config = include_str!("../config/default.toml");
    let default_keys = include_str!("../config/keymap.toml");
    // Random bytes, and the shipped files with a random slice replaced by random text.
    let strategy = (
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..300),
        any::<prop::sample::Index>(),
        ".{0,40}",
        any::<bool>(),
    );
    let mut runner = runner(64);
    runner
        .run(&strategy, |(raw, bytes, at, text, config)| {
            let base = if config { default_config } else { default_keys };
            let data: Vec<u8> = if raw {
                bytes
            } else {
                let mut i = at.index(base.len().max(1));
                while !base.is_char_boundary(i) {
                    i -= 1;
                }
                let end = (i + text.len()).min(base.len());
                let mut end = end;
                while !base.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{}{}{}", &base[..i], text, &base[end..]).into_bytes()
            };
            let path = dir.path().join("fuzz.toml");
            std::fs::write(&path, &data).expect("write");
            let _ = Config::load(Some(&path), &dirs);
            let text = String::from_utf8_lossy(&data);
            let (_, problems) = Keymap::load(Some(("fuzz.toml", &text)));
            for p in problems {
                let said = p.text(Lang::En);
                prop_assert!(!said.is_empty());
            }
            Ok(())
        })
        .expect("no panic");
}

#[test]
fn a_report_text_of_any_characters_is_written_and_exported_without_panic() {
    let mut b = TestBook::new().with_loans(1);
    let spec = b.who("spec");
    let today = b.store.book_today().expect("today");
    let s = StartInspection {
        contract_no: "L1",
        kind: InspectionKind::Routine,
        mode: InspectionMode::Onsite,
        warnings: &[],
        focus: "fuzz",
        inspected_on: None,
        inspectors: "spec",
    };
    let number = inspection::start(&mut b.store, &spec, &s, today).expect("start");
    let id = b
        .store
        .inspection_by_number(&number)
        .expect("read")
        .expect("inspection")
        .row
        .id;
    let checklist = Config::defaults().checklist().expect("checklist");
    let b = RefCell::new(b);
    let text = prop_oneof![
        ".{0,200}",
        "[#>*_`\\[\\]|<&0-9.)( \n\t-]{0,80}",
        "(\\\\|\\x1b|\u{202E}|<script>|1\\. |# |\n|\r){0,30}",
    ];
    let mut runner = runner(64);
    runner
        .run(&text, |t| {
            let _ = text::markdown_text(&t);
            let _ = text::display(&t);
            let _ = text::sanitize_lines(&t);
            let _ = text::one_line(&t);
            let _ = text::terminal_text(&t);
            let mut b = b.borrow_mut();
            let _ =
                inspection::write_section(&mut b.store, &spec, &number, None, Section::Facts, &t);
            let data = b
                .store
                .inspection_report(id, None)
                .expect("read")
                .expect("report");
            for lang in [Lang::ZhCn, Lang::En] {
                for out in [
                    postloan::workflow::inspection_report::markdown(&data, lang, &checklist),
                    postloan::workflow::inspection_report::html(&data, lang, &checklist),
                ] {
                    prop_assert!(
                        !out.chars().any(|c| c == '\x1b' || text::is_bidi_control(c)),
                        "{}",
                        out
                    );
                }
            }
            Ok(())
        })
        .expect("no panic");
}

/// Keys a user can press: every pane, list, form, editor and overlay key, text, and a few
/// with modifiers; never `q` or ctrl-c (the walk would end).
fn key() -> impl Strategy<Value = KeyEvent> {
    let code = prop_oneof![
        4 => prop::sample::select(vec![
            KeyCode::Enter, KeyCode::Esc, KeyCode::Tab, KeyCode::BackTab, KeyCode::Down,
            KeyCode::Up, KeyCode::Left, KeyCode::Right, KeyCode::PageDown, KeyCode::PageUp,
            KeyCode::Home, KeyCode::End, KeyCode::Backspace, KeyCode::Delete, KeyCode::F(1),
            KeyCode::F(2), KeyCode::F(5),
        ]),
        6 => prop::sample::select(
            "12345678?/jklhgGnamvicweRADTMLIKCSFbosrx] [".chars().collect::<Vec<_>>()
        ).prop_map(KeyCode::Char),
        1 => any::<char>().prop_filter("not quit", |c| *c != 'q').prop_map(KeyCode::Char),
    ];
    let modifiers = prop_oneof![
        8 => Just(KeyModifiers::NONE),
        1 => Just(KeyModifiers::SHIFT),
        1 => Just(KeyModifiers::CONTROL),
        1 => Just(KeyModifiers::ALT),
    ];
    (code, modifiers)
        .prop_filter("not ctrl-c", |(c, m)| {
            !(*c == KeyCode::Char('c') && m.contains(KeyModifiers::CONTROL))
        })
        .prop_map(|(c, m)| KeyEvent::new(c, m))
}

#[test]
fn random_keys_through_every_pane_and_form_never_panic() {
    for (user, size) in [("wang.fang", (120, 40)), ("wu.hao", (80, 24))] {
        let (_dir, store) = support::tui::evaluated_book(80, 5);
        let app = RefCell::new(support::tui::app(
            store,
            user,
            Lang::ZhCn,
            Theme::colour(),
            size,
        ));
        let mut runner = runner(24);
        runner
            .run(&proptest::collection::vec(key(), 1..60), |keys| {
                let mut app = app.borrow_mut();
                for k in keys {
                    // A refusal is said on screen; only a panic fails the walk.
                    let _ = app.handle_key(k);
                    let (w, h) = app.size;
                    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
                    terminal.draw(|f| render::render(&app, f)).expect("draw");
                }
                Ok(())
            })
            .expect("no panic");
    }
}

/// The keys that bring the workbench (on pane 1, nothing open) to a screen whose keys are
/// looked up in `section`. A match with no catch-all: a new section fails to compile here
/// until the fuzz walks reach it.
fn entry(section: KeySection) -> &'static [KeyCode] {
    match section {
        KeySection::Global | KeySection::Today => &[KeyCode::Char('1')],
        KeySection::List => &[KeyCode::Char('2')],
        KeySection::Board => &[KeyCode::Char('3')],
        KeySection::Detail => &[KeyCode::Char('2'), KeyCode::Enter],
        KeySection::Form => &[KeyCode::Char('2'), KeyCode::Enter, KeyCode::Char('n')],
        KeySection::Inspections => &[KeyCode::Char('4')],
        KeySection::Editor => &[KeyCode::Char('4'), KeyCode::Enter],
        KeySection::Classification => &[KeyCode::Char('5')],
        KeySection::Disposal => &[KeyCode::Char('6')],
        KeySection::Case => &[KeyCode::Char('6'), KeyCode::Enter],
        KeySection::Archive => &[KeyCode::Char('7')],
        KeySection::Audit => &[KeyCode::Char('A')],
        KeySection::Summary => &[KeyCode::Char('8')],
    }
}

#[test]
fn random_keys_on_every_section_of_the_keymap_never_panic_and_forms_opened_are_counted() {
    let (dir, store) = support::tui::evaluated_book(60, 7);
    drop(store);
    let db = dir.path().join("demo.db");
    let mut forms = std::collections::BTreeSet::new();
    let keys = proptest::collection::vec(key(), 1..40);
    let mut runner = runner(4);
    for section in KeySection::ALL {
        for _ in 0..cases(4) {
            // A fresh workbench on pane 1: no filter left by an earlier walk.
            let store = postloan::store::Store::open_existing(&db).expect("reopen");
            let mut app =
                support::tui::app(store, "zhao.lei", Lang::ZhCn, Theme::colour(), (100, 30));
            for code in entry(section) {
                let _ = app.handle_key(KeyEvent::new(*code, KeyModifiers::NONE));
            }
            assert!(
                app.sections().contains(&section),
                "{section:?} reached by {:?}: {:?}",
                entry(section),
                app.sections()
            );
            let walk = keys.new_tree(&mut runner).expect("keys").current();
            for k in walk {
                let _ = app.handle_key(k);
                if let Some(kind) = app.form_key().map(|f| f.kind) {
                    forms.insert(kind.code());
                }
                let (w, h) = app.size;
                let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
                terminal.draw(|f| render::render(&app, f)).expect("draw");
            }
        }
    }
    // What the walks opened, out of every form kind there is.
    let all: Vec<&str> = FormKind::ALL.iter().map(|k| k.code()).collect();
    assert!(forms.iter().all(|f| all.contains(f)));
    eprintln!(
        "forms opened by the walks: {} of {}: {forms:?}",
        forms.len(),
        all.len()
    );
    assert!(forms.len() >= 5, "the walks open forms: {forms:?}");
}
