//! Issue #13 point 5, hostile input: terminal escapes (ESC [ 2J, OSC 0 ; title BEL, cursor
//! moves), other C0 and C1 controls, bidi overrides and isolates, zero-width characters,
//! 10,000-character strings, invalid UTF-8 and SQL fragments — imported from CSV and typed
//! into forms. The book keeps the text as given (control, bidi and zero-width characters
//! included); no pane, screen, form, document viewer, report export (Markdown, HTML, JSON) or CLI
//! output carries an escape, a C1 control or a bidi control to the terminal.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::config::Config;
use postloan::domain::archive::{DocumentKind, Recipient, Storage};
use postloan::domain::disposal::ActionKind;
use postloan::domain::inspection::{InspectionKind, InspectionMode, Section};
use postloan::domain::legal::DemandChannel;
use postloan::domain::text::{as_given_lines, is_bidi_control};
use postloan::domain::warning::{Level, ManualSignal, RiskType};
use postloan::extract::ExtractKind;
use postloan::i18n::Lang;
use postloan::store::NewDocument;
use postloan::store::Store;
use postloan::tui::app::App;
use postloan::tui::forms::FormKind;
use postloan::tui::keymap::{Keymap, Section as KeySection};
use postloan::tui::render;
use postloan::tui::theme::Theme;
use postloan::workflow::disposal::{self, AddAction, Progress};
use postloan::workflow::feedback::{self, IssueFeedback, Source};
use postloan::workflow::inspection::{self, StartInspection};
use postloan::workflow::outcomes::{self, DemandInput};
use postloan::workflow::warning::{self, ManualWarning};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::book::{LOANS_HEADER, TestBook, stderr, stdout};

/// Text no terminal should receive from data, one kind per entry.
const HOSTILE: [&str; 9] = [
    "清屏\x1b[2J\x1b[3J公司",
    "\x1b]0;pwned\x07改标题\x1b]2;x\x1b\\",
    "光标\x1b[10;10H\x1b[5A\x1b7\x1b8移动",
    "控制\x00\x07\x08\x0b\x0c\x0e\x7f字符",
    "C1\u{85}\u{9b}31m\u{9d}0;x\u{9c}\u{90}结束",
    "反向\u{202E}olleh\u{202A}\u{2066}隔离\u{2067}\u{2068}\u{2069}\u{200F}\u{061C}",
    "零\u{200B}宽\u{200C}字\u{200D}符\u{FEFF}\u{2060}",
    "Robert'); DROP TABLE loans; --",
    "x' OR '1'='1\" <script>alert(1)</script> *粗* [链接](javascript:x) | # 标题",
];

/// Whether `c` may not reach a terminal from data: C0 (but line breaks in a line stream are
/// checked by the caller), DEL, C1 and bidi controls.
fn unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The first unsafe character in output bytes meant for a terminal (line breaks and tabs
/// allowed), with what surrounds it: also any invisible format character (zero-width, soft
/// hyphen, U+FEFF), which output shows as `\u200B` or `&#x200B;`.
fn unsafe_in_output(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.char_indices()
        .find(|(_, c)| {
            *c != '\n'
                && *c != '\t'
                && (unsafe_char(*c) || postloan::domain::text::is_format_char(*c))
        })
        .map(|(i, c)| {
            let from = text.floor_char_boundary(i.saturating_sub(40));
            let to = text.ceil_char_boundary((i + 40).min(text.len()));
            format!("U+{:04X} in {:?}", c as u32, &text[from..to])
        })
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
        .expect("key handled");
}

/// Draws the app and fails on any cell holding an unsafe character.
fn assert_screen_clean(app: &App, after: &str) {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| render::render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    for (i, cell) in buffer.content().iter().enumerate() {
        // Zero-width characters are kept in the book but would shift the columns after them.
        let zero_width = |c: char| matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}');
        if let Some(c) = cell
            .symbol()
            .chars()
            .find(|c| unsafe_char(*c) || zero_width(*c))
        {
            let row: String = (0..w)
                .map(|x| buffer[(x, (i as u16) / w)].symbol().to_string())
                .collect();
            panic!(
                "after {after}: U+{:04X} at row {} of the screen: {row}",
                c as u32,
                i as u16 / w
            );
        }
    }
}

/// A book (its manager is the user running the tests) with loans H1..H9, borrower HBn named
/// `HOSTILE[n-1]` and the same text as purpose, plus H10 whose borrower's name is 10,000
/// characters; a manual warning with a hostile reason on each, an inspection of H9 whose facts
/// are hostile, a classification proposal with a hostile reason.
fn hostile_book() -> (TestBook, String) {
    let mut b = TestBook::for_cli();
    let mut w = csv::Writer::from_writer(Vec::new());
    let long = "长".repeat(10_000);
    let mut names: Vec<&str> = HOSTILE.to_vec();
    names.push(&long);
    for (i, name) in names.iter().enumerate() {
        let n = i + 1;
        w.write_record([
            &format!("H{n}"),
            &format!("HB{n}"),
            *name,
            "working_capital",
            *name,
            "CNY",
            "1000000",
            "900000",
            "4.35",
            "2025-01-15",
            "2027-01-15",
            "unsecured",
            "spec",
            "quarterly",
        ])
        .expect("csv row");
    }
    let body = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    b.import(ExtractKind::Loans, &format!("{LOANS_HEADER}{body}"));
    let today = b.store.book_today().expect("today");
    let boss = b.boss.clone();
    for (i, text) in HOSTILE.iter().enumerate() {
        let mw = ManualWarning {
            contract_no: &format!("H{}", i + 1),
            signal: ManualSignal::Other,
            level: Level::Red,
            risk_type: RiskType::Credit,
            reason: text,
        };
        warning::raise_manual(&mut b.store, &boss, &mw, today, Lang::En).expect("raise");
    }
    let all = HOSTILE.join("\n");
    let s = StartInspection {
        contract_no: "H9",
        kind: InspectionKind::Routine,
        mode: InspectionMode::Onsite,
        warnings: &[],
        focus: HOSTILE[0],
        inspected_on: None,
        inspectors: HOSTILE[1],
    };
    let number = inspection::start(&mut b.store, &boss, &s, today).expect("start");
    inspection::write_section(&mut b.store, &boss, &number, None, Section::Facts, &all)
        .expect("write");
    // H1's red warning opened a risk case: a progress report, an action and a demand for
    // payment with hostile text, and a feedback note drawn from the case.
    let case = case_number(&b);
    let p = Progress {
        signal_now: HOSTILE[0],
        effect: HOSTILE[5],
        problems: &all,
        next_steps: HOSTILE[8],
    };
    disposal::progress(&mut b.store, &boss, &case, &p, today, Lang::En).expect("progress");
    let a = AddAction {
        case: &case,
        kind: ActionKind::RectificationMeasure,
        title: HOSTILE[1],
        owner: &boss.username,
        deadline: today + chrono::Days::new(30),
        contract: Some("H1"),
        plan: None,
    };
    disposal::add_action(&mut b.store, &boss, &a, today).expect("action");
    let d = DemandInput {
        contract_no: "H1",
        on: today,
        channel: DemandChannel::Letter,
        note: HOSTILE[2],
        case_id: None,
    };
    outcomes::record_demand(&mut b.store, &boss, &d, today).expect("demand");
    let f = IssueFeedback {
        to: Recipient::Risk,
        source: Source::Case(case.clone()),
        text: all.clone(),
    };
    feedback::issue(&mut b.store, &boss, &f, today, Lang::En).expect("feedback");
    // A document whose Markdown itself holds escapes (as one written before this version or
    // by another tool would): the viewer and `archive show` must still show it clean.
    let body = format!("# {}\n\n{}\n", HOSTILE[1], all);
    b.store
        .write(|tx| {
            tx.insert_archive_document(
                &NewDocument {
                    loan_id: None,
                    borrower_id: None,
                    kind: DocumentKind::Other,
                    number: "QT2026-000001",
                    title: HOSTILE[0],
                    lang: "zh-CN",
                    body: &body,
                    storage: Storage::Text,
                    file: None,
                    file_path: None,
                    file_name: None,
                    media_type: "text/markdown",
                    recipient: None,
                    reference: None,
                },
                &boss.username,
            )
        })
        .expect("document");
    (b, number)
}

/// The number of the risk case H1's red warning opened.
fn case_number(b: &TestBook) -> String {
    rusqlite::Connection::open(b.path())
        .expect("open")
        .query_row(
            "SELECT c.number FROM risk_cases c JOIN loans l ON l.borrower_id = c.borrower_id
             WHERE l.contract_no = 'H1'",
            [],
            |r| r.get(0),
        )
        .expect("a case for H1")
}

#[test]
fn imported_and_typed_text_is_stored_as_given() {
    let (b, _) = hostile_book();
    let conn = rusqlite::Connection::open(b.path()).expect("open");
    for (i, given) in HOSTILE.iter().enumerate() {
        let (name, purpose): (Vec<u8>, Vec<u8>) = conn
            .query_row(
                "SELECT CAST(borrower_name AS BLOB), CAST(purpose AS BLOB) FROM loans
                 WHERE contract_no = ?1",
                [format!("H{}", i + 1)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("the loan");
        assert_eq!(name, given.as_bytes(), "borrower name {i}: every byte kept");
        assert_eq!(purpose, given.as_bytes(), "purpose {i}: every byte kept");
        let reason: String = conn
            .query_row(
                "SELECT w.reason FROM warnings w JOIN loans l ON l.id = w.loan_id
                 WHERE l.contract_no = ?1",
                [format!("H{}", i + 1)],
                |r| r.get(0),
            )
            .expect("the warning");
        assert_eq!(reason, *given, "warning reason {i}");
    }
    // The store's own read gives the same text back.
    let loan = b.store.loan_by_contract("H2").expect("read").expect("H2");
    assert_eq!(loan.borrower_name, HOSTILE[1]);
    let (progress, title): (String, String) = conn
        .query_row(
            "SELECT (SELECT problems FROM case_progress ORDER BY id DESC LIMIT 1),
                    (SELECT title FROM disposal_actions ORDER BY id DESC LIMIT 1)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("case text");
    assert_eq!(progress, HOSTILE.join("\n"), "a case's progress report");
    assert_eq!(title, HOSTILE[1], "an action's title");
    let long: String = conn
        .query_row(
            "SELECT borrower_name FROM loans WHERE contract_no = 'H10'",
            [],
            |r| r.get(0),
        )
        .expect("H10");
    assert_eq!(long, "长".repeat(10_000), "10,000 characters kept");
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('loans', 'staff')",
            [],
            |r| r.get(0),
        )
        .expect("tables");
    assert_eq!(tables, 2, "SQL in data is data");
}

#[test]
fn invalid_utf8_in_a_csv_is_refused_or_decoded_and_never_echoed_raw() {
    let b = TestBook::for_cli();
    let mut bytes = LOANS_HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"U1,UB1,\xff\xfe\x1b[2J\xc3\x28\x80name,working_capital,x,CNY,1000000,900000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n");
    bytes.extend_from_slice(b"U2,UB2,\xe4\xb8,working_capital,\x9b\x9b,CNY,1000000,900000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n");
    let path = b.write("bad.csv", &bytes);
    for encoding in ["auto", "utf-8", "gbk"] {
        let out = b.run(&[
            "import",
            "loans",
            path.to_str().expect("path"),
            "--encoding",
            encoding,
        ]);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{encoding}: no crash: {out:?}"
        );
        for stream in [&out.stdout, &out.stderr] {
            assert_eq!(
                unsafe_in_output(stream),
                None,
                "{encoding}: {}",
                stderr(&out)
            );
        }
    }
    let conn = rusqlite::Connection::open(b.path()).expect("open");
    let mut stmt = conn
        .prepare("SELECT borrower_name || purpose FROM loans")
        .expect("prepare");
    for text in stmt
        .query_map([], |r| r.get::<_, String>(0))
        .expect("query")
    {
        // Stored as decoded (invalid bytes as U+FFFD, controls kept), and valid UTF-8.
        let text = text.expect("stored text is UTF-8");
        assert!(
            !text.contains("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}x"),
            "{text:?}"
        );
    }
}

#[test]
fn no_cli_output_carries_an_escape_c1_or_bidi_control() {
    let (b, number) = hostile_book();
    let dir = b.dir.path().to_path_buf();
    let md = dir.join("report.md");
    let html = dir.join("report.html");
    let case = case_number(&b);
    let year = b
        .store
        .book_today()
        .expect("today")
        .format("%Y")
        .to_string();
    let doc = rusqlite::Connection::open(b.path())
        .expect("open")
        .query_row(
            "SELECT id FROM documents WHERE number = 'QT2026-000001'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .expect("the document")
        .to_string();
    let runs: Vec<Vec<String>> = [
        vec!["loans", "--format", "json"],
        vec!["loan", "show", "H1"],
        vec!["loan", "show", "H1", "--format", "json"],
        vec!["archive"],
        vec!["archive", "--format", "csv"],
        vec!["archive", "--format", "json"],
        vec!["archive", "show", &doc],
        vec!["cases", "--format", "csv"],
        vec!["cases", "--format", "json"],
        vec!["disposal"],
        vec!["disposal", "--format", "json"],
        vec!["case", "show", &case],
        vec!["case", "show", &case, "--format", "md"],
        vec!["case", "show", &case, "--format", "json"],
        vec!["report", "summary", "--year", &year],
        vec!["report", "summary", "--year", &year, "--format", "json"],
        vec!["report", "summary", "--year", &year, "--format", "html"],
        vec!["report", "inspection", &number],
        vec!["report", "inspection", &number, "--format", "html"],
        vec!["audit", "--format", "json"],
        vec!["audit", "--format", "csv"],
        vec!["loans"],
        vec!["loans", "--format", "csv"],
        vec!["loans", "--search", "清屏"],
        vec!["warnings"],
        vec!["warnings", "--format", "csv"],
        vec!["warning", "show", "1"],
        vec!["inspections"],
        vec!["inspection", "show", &number],
        vec!["cases"],
        vec!["audit"],
        vec!["verify"],
        vec![
            "report",
            "inspection",
            &number,
            "--format",
            "md",
            "--output",
            md.to_str().expect("path"),
        ],
        vec![
            "report",
            "inspection",
            &number,
            "--format",
            "html",
            "--output",
            html.to_str().expect("path"),
        ],
        // Arguments echoed in refusals and in the parser's errors.
        vec!["warning", "show", "W\x1b[2J\u{9b}31m\u{202E}"],
        vec!["import", "loans", "x\x1b]0;pwned\x07.csv"],
        vec!["\x1b[2Jnot-a-command"],
        vec!["loans", "--class", "\x1b[31m\u{202E}"],
        vec!["--as", "zz\x1b[2J", "loans"],
    ]
    .iter()
    .map(|v| v.iter().map(|s| s.to_string()).collect())
    .collect();
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = b.run(&args);
        assert!(
            out.status.code().is_some_and(|c| c <= 2),
            "{args:?} ends with a status, not a crash: {out:?}"
        );
        let hostile_args = args.iter().any(|a| a.chars().any(unsafe_char));
        assert!(
            hostile_args || out.status.success(),
            "{args:?} works on hostile data: {}",
            stderr(&out)
        );
        for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert_eq!(
                unsafe_in_output(stream),
                None,
                "{args:?} {name}: {}{}",
                stdout(&out),
                stderr(&out)
            );
        }
    }
    // A book path is any bytes but `/` and NUL; where the CLI prints one, it prints it clean.
    let odd = dir.join("b\x1b]0;t\x07\u{202E}.db");
    let copy = dir.join("copy\x1b[2J.db");
    let backup = [std::ffi::OsStr::new("backup"), copy.as_os_str()];
    let paths = [std::ffi::OsStr::new("paths")];
    let init = [std::ffi::OsStr::new("init")];
    for args in [&paths[..], &init, &backup] {
        let out = support::book::cli(&dir, "en_US.UTF-8")
            .arg("--db")
            .arg(&odd)
            .args(args)
            .output()
            .expect("run");
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(unsafe_in_output(&out.stdout), None, "{args:?}");
        assert_eq!(unsafe_in_output(&out.stderr), None, "{args:?}");
    }
    // JSON keeps the stored text: what a program reads back is the bytes as given.
    let out = b.run(&["loans", "--format", "json", "--search", "H2"]);
    let loans: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        loans
            .as_array()
            .expect("a list")
            .iter()
            .any(|l| l["borrower_name"] == HOSTILE[1]),
        "{loans}"
    );
    // CSV (and a table) shows a control as the six characters `\uXXXX`.
    let out = b.run(&["loans", "--format", "csv"]);
    assert!(
        stdout(&out).contains("\\u001B]0;pwned\\u0007"),
        "{}",
        stdout(&out)
    );
    for (path, what) in [(&md, "Markdown"), (&html, "HTML")] {
        let text = std::fs::read(path).expect("the report");
        assert_eq!(unsafe_in_output(&text), None, "{what}");
        let text = String::from_utf8(text).expect("utf-8");
        assert!(!text.contains("<script>"), "{what} escapes markup: {text}");
        assert!(
            text.contains("&lt;script&gt;"),
            "{what} shows the markup as text"
        );
    }
    // Zero-width characters of data: `\u200B` on standard output, JSON's escape in JSON.
    let out = b.run(&["loans", "--format", "csv"]);
    assert!(
        stdout(&out).contains("零\\u200B宽\\u200C字"),
        "{}",
        stdout(&out)
    );
    let out = b.run(&["loans", "--format", "json"]);
    assert!(
        stdout(&out).contains("零\\u200b宽\\u200c字"),
        "{}",
        stdout(&out)
    );
}

/// Keys of every pane, form and overlay, for the walks below.
const KEYS: &[KeyCode] = &[
    KeyCode::Char('1'),
    KeyCode::Char('2'),
    KeyCode::Char('3'),
    KeyCode::Char('4'),
    KeyCode::Char('5'),
    KeyCode::Char('6'),
    KeyCode::Char('7'),
    KeyCode::Char('8'),
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Tab,
    KeyCode::Down,
    KeyCode::Up,
    KeyCode::Right,
    KeyCode::Left,
    KeyCode::Char('j'),
    KeyCode::Char('n'),
    KeyCode::Char('m'),
    KeyCode::Char('c'),
    KeyCode::Char('i'),
    KeyCode::Char('e'),
    KeyCode::Char('b'),
    KeyCode::Char('v'),
    KeyCode::Char('?'),
    KeyCode::Char(']'),
    KeyCode::F(2),
];

/// The workbench over the book, acting as its manager; keep the directory while it lives.
fn app_over(b: TestBook, size: (u16, u16)) -> (tempfile::TempDir, App) {
    let store = Store::open_existing(&b.path()).expect("reopen");
    let today = store.book_today().expect("today");
    let app = App::new(
        store,
        b.boss,
        Lang::ZhCn,
        Theme::colour(),
        Keymap::load(None).0,
        Config::defaults(),
        today,
        size,
    )
    .expect("app");
    (b.dir, app)
}

#[test]
fn every_pane_form_and_walk_over_hostile_data_draws_no_control_character() {
    let (b, _) = hostile_book();
    let (_dir, mut app) = app_over(b, (120, 40));
    // Each pane, and the first loan's detail with its tabs.
    for pane in '1'..='8' {
        press(&mut app, KeyCode::Char(pane));
        assert_screen_clean(&app, &format!("pane {pane}"));
        press(&mut app, KeyCode::Enter);
        assert_screen_clean(&app, &format!("pane {pane}, Enter"));
        for _ in 0..6 {
            press(&mut app, KeyCode::Char(']'));
            assert_screen_clean(&app, &format!("pane {pane}, a tab"));
        }
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
    }
    // Typed and pasted into the contact form of a loan: shown clean while typed.
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.form().is_some(), "the contact form opened");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    for c in HOSTILE.concat().chars() {
        press(&mut app, KeyCode::Char(c));
    }
    app.handle_paste(&HOSTILE.join("\r\n")).expect("paste");
    assert_screen_clean(&app, "typing into the contact form");
    press(&mut app, KeyCode::F(2));
    assert_screen_clean(&app, "saving the contact");
    // A seeded walk through everything, with hostile text typed wherever a form is open.
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for step in 0..400 {
        let code = if app.form().is_some() && rng.random_bool(0.3) {
            let text = HOSTILE[rng.random_range(0..HOSTILE.len())];
            let chars: Vec<char> = text.chars().collect();
            KeyCode::Char(chars[rng.random_range(0..chars.len())])
        } else {
            KEYS[rng.random_range(0..KEYS.len())]
        };
        if code == KeyCode::Char('q') {
            continue;
        }
        let _ = app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
        assert_screen_clean(&app, &format!("step {step} ({code:?})"));
    }
}

#[test]
fn a_contact_typed_with_controls_is_stored_as_typed() {
    let (b, _) = hostile_book();
    let db = b.path();
    let (_dir, mut app) = app_over(b, (120, 40));
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    let typed = format!("{} {} {}", HOSTILE[5], HOSTILE[6], HOSTILE[8]);
    for c in typed.chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::F(2));
    assert!(app.form().is_none(), "saved");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let notes: String = conn
        .query_row(
            "SELECT notes FROM contacts ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("the contact");
    assert_eq!(notes, as_given_lines(&typed));
    assert_eq!(notes, typed, "stored as typed");
    assert!(notes.contains("\u{202E}olleh"), "bidi kept in storage");
    assert!(notes.contains("零\u{200B}宽"), "zero-width kept in storage");
    assert!(notes.contains("<script>alert(1)</script>"), "markup kept");
}

/// The screen as text, rows joined by line breaks.
fn screen_text(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| render::render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buffer[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_case_archive_viewer_summary_audit_and_feedback_screens_show_hostile_data_clean() {
    let (b, _) = hostile_book();
    let (_dir, mut app) = app_over(b, (120, 40));
    // Pane 6, the case list and its action list, and the case screen with its outcomes block.
    press(&mut app, KeyCode::Char('6'));
    assert_screen_clean(&app, "pane 6");
    press(&mut app, KeyCode::Char('v'));
    assert_screen_clean(&app, "pane 6, the actions");
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.sections()[0],
        KeySection::Case,
        "the case screen opened"
    );
    for step in 0..8 {
        assert_screen_clean(&app, &format!("the case screen, step {step}"));
        press(&mut app, KeyCode::PageDown);
    }
    for key in ['p', 'a', 'm', 'r', 'c', 'C'] {
        press(&mut app, KeyCode::Char(key));
        for c in HOSTILE[1].chars().chain(HOSTILE[5].chars()) {
            press(&mut app, KeyCode::Char(c));
        }
        assert_screen_clean(&app, &format!("a form of the case screen ({key})"));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
    }
    for _ in 0..4 {
        press(&mut app, KeyCode::Esc);
    }
    // Pane 7: every document in the viewer (the one whose Markdown holds escapes among
    // them), and the feedback form on a case's document.
    press(&mut app, KeyCode::Char('7'));
    assert_screen_clean(&app, "pane 7");
    let mut seen_escaped_document = false;
    let mut feedback_typed = false;
    for row in 0..6 {
        press(&mut app, KeyCode::Enter);
        // A wide character's second cell reads as a space: compare without spaces.
        let text = screen_text(&app).replace(' ', "");
        seen_escaped_document |= text.contains("清屏[2J[3J公司") && text.contains("olleh隔离");
        for _ in 0..3 {
            assert_screen_clean(&app, &format!("document {row} in the viewer"));
            press(&mut app, KeyCode::PageDown);
        }
        press(&mut app, KeyCode::Esc);
        if !feedback_typed {
            press(&mut app, KeyCode::Char('f'));
            if app.form_key().map(|k| k.kind) == Some(FormKind::Feedback) {
                press(&mut app, KeyCode::Tab);
                app.handle_paste(&HOSTILE.join("\n")).expect("paste");
                assert_screen_clean(&app, "typing into the feedback form");
                press(&mut app, KeyCode::F(2));
                assert_screen_clean(&app, "the feedback note written");
                feedback_typed = true;
            }
            for _ in 0..3 {
                if app.form().is_some() {
                    press(&mut app, KeyCode::Esc);
                }
            }
        }
        press(&mut app, KeyCode::Char('j'));
    }
    assert!(
        seen_escaped_document,
        "the viewer showed the escaped document"
    );
    assert!(
        feedback_typed,
        "the feedback form opened on a case's document"
    );
    // Pane 8, its period form, and the audit trail with an entry open.
    press(&mut app, KeyCode::Char('8'));
    assert_screen_clean(&app, "pane 8");
    press(&mut app, KeyCode::Char('p'));
    assert_screen_clean(&app, "the summary period form");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('A'));
    assert_eq!(
        app.sections()[0],
        KeySection::Audit,
        "the audit trail opened"
    );
    for row in 0..12 {
        assert_screen_clean(&app, &format!("audit row {row}"));
        press(&mut app, KeyCode::Enter);
        assert_screen_clean(&app, &format!("audit entry {row}"));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('j'));
    }
}

/// Whether the screen holds a box-drawing character.
fn has_box_drawing(app: &App) -> bool {
    screen_text(app)
        .chars()
        .any(|c| matches!(c, '\u{2500}'..='\u{259F}'))
}

#[test]
fn in_a_locale_that_is_not_utf8_the_frame_is_ascii_and_the_status_line_says_how_to_get_more() {
    use postloan::config::CharsetChoice;
    use postloan::tui::term::locale_is_utf8;
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    for (vars, utf8) in [
        (&[("LANG", "C")][..], false),
        (&[("LANG", "POSIX")], false),
        (&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")], false),
        (&[("LANG", "zh_CN.GB18030")], false),
        (&[], false),
        (&[("LANG", "zh_CN.UTF-8")], true),
        (&[("LC_ALL", "C.UTF-8"), ("LANG", "C")], true),
        (&[("LC_ALL", ""), ("LC_CTYPE", "en_US.utf8")], true),
    ] {
        assert_eq!(locale_is_utf8(env(vars)), utf8, "{vars:?}");
    }
    let (b, _) = hostile_book();
    let (_dir, mut app) = app_over(b, (120, 40));
    // The help overlay and the forms are framed.
    let framed = |app: &mut App| {
        press(app, KeyCode::Char('?'));
        let lines = has_box_drawing(app);
        let text = screen_text(app);
        press(app, KeyCode::Esc);
        (lines, text)
    };
    press(&mut app, KeyCode::Char('2'));
    assert!(framed(&mut app).0, "a UTF-8 locale draws lines");
    // LANG=C: ASCII frame, data as it is, and the status line says how to get the full display.
    app.apply_charset(false);
    let text = screen_text(&app);
    assert!(text.contains("UTF-8"), "the hint: {text}");
    assert!(text.replace(' ', "").contains("清屏"), "data kept: {text}");
    let (lines, text) = framed(&mut app);
    assert!(!lines, "{text}");
    assert!(
        text.contains("+-") || text.contains("-+"),
        "ASCII corners: {text}"
    );
    for pane in '1'..='8' {
        press(&mut app, KeyCode::Char(pane));
        assert!(!has_box_drawing(&app), "pane {pane}: {}", screen_text(&app));
        assert_screen_clean(&app, &format!("pane {pane} in ASCII"));
    }
    assert!(
        !screen_text(&app).contains("UTF-8"),
        "said once, gone at the next key"
    );
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    assert!(app.form().is_some(), "a form");
    assert!(
        !has_box_drawing(&app),
        "a form in ASCII: {}",
        screen_text(&app)
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    // The config overrides the locale either way.
    app.config.display.charset = CharsetChoice::Unicode;
    app.apply_charset(false);
    assert!(framed(&mut app).0, "charset = \"unicode\"");
    app.config.display.charset = CharsetChoice::Ascii;
    app.apply_charset(true);
    assert!(!framed(&mut app).0, "charset = \"ascii\"");
}
