//! Issue #13, hostile text and locale minors: a name holding zero-width characters is found by
//! what the screen shows (ledger search in every tier, the archive's borrower filter, `loans
//! --search`), stored as given; invisible format characters are shown as `\u200B` in CLI
//! text and CSV and as JSON escapes in JSON (lossless); under `LC_ALL=C` every CLI output is
//! ASCII, and `--lang zh-CN` falls back to English, said once on standard error.

mod support;

use postloan::extract::ExtractKind;
use postloan::store::{LedgerQuery, PageFrom};
use support::book::{LOANS_HEADER, TestBook, cli, stderr, stdout};

/// `华<ZWNJ>夏`, `Acme<ZWSP>Corp`, a soft hyphen and a bidi mark: four names the screen shows
/// without them.
const NAMES: [&str; 4] = [
    "华\u{200C}夏机械有限公司",
    "Acme\u{200B}Corp",
    "东方\u{AD}红\u{FEFF}贸易",
    "\u{200E}北辰\u{2060}实业",
];

fn book_with_names(for_cli: bool) -> TestBook {
    let mut b = if for_cli {
        TestBook::for_cli()
    } else {
        TestBook::new()
    };
    let mut csv = String::from(LOANS_HEADER);
    for (i, name) in NAMES.iter().enumerate() {
        csv.push_str(&format!(
            "Z{i},ZB{i},{name},working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n"
        ));
    }
    // Plain names around them, so a search that finds everything would be seen.
    for i in 0..6 {
        csv.push_str(&format!(
            "P{i},PB{i},华东机械{i}厂,working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n"
        ));
    }
    b.import(ExtractKind::Loans, &csv);
    b
}

fn found(b: &TestBook, text: &str) -> Vec<String> {
    let q = LedgerQuery {
        text: text.to_string(),
        ..Default::default()
    };
    let rows = b
        .store
        .ledger_page(&q, &PageFrom::Start, 50)
        .expect("ledger page");
    // The count as the list shows it (the dense scan's is "at least", capped) and as `G`
    // counts it, row by row.
    let total = b.store.ledger_count(&q).expect("count");
    if total.exact {
        assert_eq!(total.n as usize, rows.len(), "count for {text:?}");
    }
    let exact = b.store.ledger_count_exact(&q).expect("exact count");
    assert_eq!(exact as usize, rows.len(), "exact count for {text:?}");
    let mut contracts: Vec<String> = rows.into_iter().map(|r| r.contract_no).collect();
    contracts.sort();
    contracts
}

#[test]
fn names_with_invisible_characters_are_found_by_what_the_screen_shows() {
    let mut b = book_with_names(false);
    // Stored as given.
    let stored: String = rusqlite::Connection::open(b.path())
        .expect("open")
        .query_row(
            "SELECT borrower_name FROM loans WHERE contract_no = 'Z0'",
            [],
            |r| r.get(0),
        )
        .expect("stored");
    assert_eq!(stored, NAMES[0]);
    let cases: [(&str, &[&str]); 8] = [
        ("华夏", &["Z0"]),
        ("华夏机械", &["Z0"]),
        ("夏", &["Z0"]),
        ("acmecorp", &["Z1"]),
        ("东方红贸易", &["Z2"]),
        ("北辰实业", &["Z3"]),
        // The typed key is folded too: a pasted name with its joiner finds the same.
        ("华\u{200D}夏", &["Z0"]),
        ("机械", &["P0", "P1", "P2", "P3", "P4", "P5", "Z0"]),
    ];
    // Every tier: the index (sorted, walked) and the dense scan with LIKE.
    for tiers in [(300, 10_000), (0, 10_000), (0, 0)] {
        b.store.set_search_tiers(tiers.0, tiers.1);
        for (text, want) in cases {
            assert_eq!(
                found(&b, text),
                want.to_vec(),
                "{text:?} at tiers {tiers:?}"
            );
        }
    }
    b.store.set_search_tiers(300, 10_000);
    // A rename keeps the index in step: the new name is found, the old one no longer.
    let mut csv = String::from(LOANS_HEADER);
    csv.push_str("Z0,ZB0,南\u{200B}岭重工,working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n");
    b.import(ExtractKind::Loans, &csv);
    assert_eq!(found(&b, "南岭"), vec!["Z0".to_string()]);
    assert!(found(&b, "华夏").is_empty());
}

#[test]
fn loans_search_and_the_archive_filter_fold_invisible_characters_and_output_shows_them() {
    let b = book_with_names(true);
    let out = b.run(&["loans", "--search", "华夏", "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    // Found, and the stored joiner is shown as six visible characters in the CSV.
    assert!(csv.contains("Z0,华\\u200C夏机械有限公司"), "{csv}");
    assert!(!csv.contains("P0"), "{csv}");
    let table = stdout(&b.run(&["loans", "--search", "acme corp"]));
    assert!(!table.contains("Z1"), "a space is not a joiner: {table}");
    let table = stdout(&b.run(&["loans", "--search", "AcmeCorp"]));
    assert!(table.contains("Acme\\u200BCorp"), "{table}");
    // JSON: the character's own escape; the value parses back to the stored name.
    let out = b.run(&["loans", "--search", "北辰", "--format", "json"]);
    let json = stdout(&out);
    assert!(
        json.contains("\\u200e\\u5317") || json.contains("\\u200e北"),
        "{json}"
    );
    assert!(
        !json.chars().any(postloan::domain::text::is_format_char),
        "{json}"
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v[0]["borrower_name"], NAMES[3]);

    // The archive's borrower filter: a file added to Z0's loan is found by `华夏`.
    let file = b.write("contract.txt", "contract text");
    let out = b.run(&[
        "archive",
        "add",
        "Z0",
        file.to_str().expect("path"),
        "--kind",
        "contract",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = stdout(&b.run(&["archive", "--borrower", "华夏", "--format", "csv"]));
    assert!(list.contains("华\\u200C夏"), "{list}");
    let none = stdout(&b.run(&["archive", "--borrower", "华东", "--format", "csv"]));
    assert!(!none.contains("Z0"), "{none}");
}

#[test]
fn a_c_locale_gets_ascii_from_every_listing_and_show_and_english_for_chinese() {
    let b = book_with_names(true);
    let run = |lang: &str, args: &[&str]| {
        cli(b.dir.path(), "C")
            .env("LC_ALL", "C")
            .args(if lang.is_empty() {
                vec![]
            } else {
                vec!["--lang", lang]
            })
            .args(args)
            .arg("--db")
            .arg(b.path())
            .output()
            .expect("run")
    };
    let listings: [&[&str]; 8] = [
        &["loans"],
        &["loans", "--format", "csv"],
        &["loans", "--format", "json"],
        &["loan", "show", "Z0"],
        &["cases"],
        &["warnings"],
        &["report", "provisions"],
        &["--help"],
    ];
    for args in listings {
        let out = run("", args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(out.stdout.is_ascii(), "{args:?}: {text}");
        assert!(out.stderr.is_ascii(), "{args:?}: {}", stderr(&out));
    }
    // Chinese data as escapes; typography as its stand-ins; the table still lines up.
    let table = stdout(&run("", &["loans"]));
    assert!(table.contains("\\u534E\\u200C\\u590F"), "{table}");
    assert!(table.contains("CNY 1,000,000.00"), "{table}");
    let lines: Vec<&str> = table.lines().collect();
    let at = lines[0].find("Outstanding").expect("header") + "Outstanding".len();
    for l in &lines[1..] {
        assert_eq!(
            &l[at - 2..at],
            "00",
            "amounts end under the header: {table}"
        );
    }
    // `loan show` shows the invisible character too, never drops it (QA).
    let shown = stdout(&run("", &["loan", "show", "Z0"]));
    assert!(shown.contains("\\u534E\\u200C\\u590F"), "{shown}");
    // JSON stays lossless: escapes, never stand-ins.
    let json = stdout(&run("", &["loans", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let z0 = v
        .as_array()
        .and_then(|a| a.iter().find(|l| l["contract_no"] == "Z0"))
        .expect("Z0 listed");
    assert_eq!(z0["borrower_name"], NAMES[0]);

    // Chinese asked for in a C locale: English, said once on standard error.
    let out = run("zh-CN", &["loans"]);
    assert!(out.status.success());
    let err = stderr(&out);
    assert_eq!(err.matches("Chinese cannot be shown").count(), 1, "{err}");
    assert!(stdout(&out).starts_with("Contract"), "{}", stdout(&out));
    // A refusal in that case: English too, ASCII, exit 1.
    let out = run("zh-CN", &["loan", "show", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_ascii(), "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("Chinese cannot be shown").count(), 1);
    // In a UTF-8 locale Chinese stays Chinese and says nothing of it.
    let out = cli(b.dir.path(), "zh_CN.UTF-8")
        .args(["--lang", "zh-CN", "loans", "--db"])
        .arg(b.path())
        .output()
        .expect("run");
    assert!(stdout(&out).contains("合同"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("Chinese"), "{}", stderr(&out));
}
