//! `postloan report summary` (issue #12 point 1): the JSON has one key per block, HTML and
//! Markdown escape what came from data, the period is given one way only, and a period that
//! does not read is refused with the reason, non-zero, in both languages.

mod support;

use postloan::domain::{Role, StaffRecord};
use support::book::{TestBook, cli, stderr, stdout};

/// A display name that would be markup, and a control sequence, if written raw.
const NASTY: &str = "<script>alert(\"x\")</script>&\u{1b}[2J";

/// A book with three loans of `spec`, whose display name is [`NASTY`].
fn book() -> TestBook {
    let b = TestBook::for_cli().with_loans(3);
    let mut b = b;
    let boss = b.boss.username.clone();
    b.store
        .write(|tx| {
            tx.upsert_staff(
                &StaffRecord {
                    username: "spec".into(),
                    display_name: NASTY.into(),
                    role: Role::Specialist,
                },
                &boss,
            )
        })
        .expect("rename");
    b
}

#[test]
fn the_json_has_one_key_per_block() {
    let b = book();
    let out = b.run(&[
        "report",
        "summary",
        "--quarter",
        "2026-Q2",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let mut keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "below_floor",
            "book",
            "cases",
            "disposal",
            "followups_overdue",
            "inspections",
            "migration",
            "period",
            "series",
            "warnings",
        ]
    );
    assert_eq!(v["period"]["from"], "2026-04-01");
    assert_eq!(v["period"]["to"], "2026-06-30");
    // Three loans of 1,000,000 each, all 正常, at both ends.
    assert_eq!(v["book"]["closing"]["loans"], 3);
    assert_eq!(v["book"]["closing"]["outstanding"], "3000000.00");
    assert_eq!(v["book"]["closing"]["classes"]["pass"]["count"], 3);
    assert_eq!(v["book"]["npl_ratio_to"], "0");
    assert_eq!(v["series"].as_array().map(Vec::len), Some(12));
    assert_eq!(v["series"][11]["month"], "2026-06");
    for block in ["raised", "escalated", "resolved"] {
        assert_eq!(v["warnings"][block]["total"], 0, "{block}");
    }
    assert_eq!(v["disposal"]["recovered"]["total"], "0.00");
}

#[test]
fn html_and_markdown_escape_what_came_from_data() {
    let b = book();
    let out = b.run(&[
        "report", "summary", "--month", "2026-06", "--format", "html",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = stdout(&out);
    assert!(html.contains("@page { size: A4"), "printable on A4");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains('\u{1b}'), "control characters are stripped");
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;[2J (spec)"),
        "{html}"
    );
    assert!(
        !html.contains("http"),
        "self-contained: no outside resources"
    );

    let out = b.run(&["report", "summary", "--month", "2026-06"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(
        md.starts_with("# Post-loan summary 2026-06-01 to 2026-06-30"),
        "{md}"
    );
    assert!(!md.contains("<script"), "{md}");
    assert!(!md.contains('\u{1b}'));
    assert!(md.contains("&lt;script&gt;"), "{md}");
    assert!(md.contains("## Follow-ups overdue by officer"), "{md}");
}

#[test]
fn the_summary_goes_to_a_file_when_asked() {
    let b = book();
    let file = b.dir.path().join("summary.html");
    let out = b.run(&[
        "report",
        "summary",
        "--year",
        "2026",
        "--format",
        "html",
        "--output",
        file.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(
        text.contains("2026-01-01") && text.contains("2026-12-31"),
        "{text}"
    );
}

#[test]
fn a_period_that_does_not_read_is_refused_in_both_languages() {
    let b = book();
    let cases: [(&[&str], &str, &str); 5] = [
        (&["--month", "2026-13"], "YYYY-MM", "月份写作"),
        (&["--quarter", "2026-Q5"], "YYYY-Qn", "季度写作"),
        (&["--year", "26"], "YYYY", "年份写作"),
        (&[], "Which period?", "哪个期间"),
        (
            &["--from", "2026-06-30", "--to", "2026-06-01"],
            "is after",
            "2026-06-30",
        ),
    ];
    for (args, en, zh) in cases {
        for (lang, want) in [("en_US.UTF-8", en), ("zh_CN.UTF-8", zh)] {
            let out = cli(b.dir.path(), lang)
                .args(["report", "summary"])
                .args(args)
                .arg("--db")
                .arg(b.path())
                .output()
                .expect("run");
            assert!(!out.status.success(), "{args:?} {lang}");
            assert!(stdout(&out).is_empty(), "{args:?}");
            assert!(
                stderr(&out).contains(want),
                "{args:?} {lang}: {}",
                stderr(&out)
            );
        }
    }
    // One way only: a month and a year, or dates and a month, are refused.
    for args in [
        &["--month", "2026-06", "--year", "2026"][..],
        &[
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--quarter",
            "2026-Q1",
        ][..],
    ] {
        let out = b.run(&[&["report", "summary"][..], args].concat());
        assert!(!out.status.success(), "{args:?}");
    }
}

#[test]
fn a_v13_book_is_copied_beside_itself_and_gains_the_summary_indexes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = tmp.path().join("book.db");
    postloan::store::create_at_version(&db, 13).expect("a v13 book");
    let store = postloan::store::Store::open(&db).expect("upgrade");
    let upgrade = store.upgraded().cloned().expect("upgraded");
    assert_eq!(
        (upgrade.from, upgrade.to),
        (13, postloan::store::schema_version())
    );
    assert_eq!(upgrade.backup, tmp.path().join("book.db.v13-backup"));
    drop(store);
    let indexes = |path: &std::path::Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(path).expect("open");
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN
                 ('inspections_done', 'warning_events_day', 'case_events_day',
                  'risk_cases_opened', 'risk_cases_closed') ORDER BY name",
            )
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(
        indexes(&db),
        [
            "case_events_day",
            "inspections_done",
            "risk_cases_closed",
            "risk_cases_opened",
            "warning_events_day"
        ]
    );
    // The copy is the book as it was: v13, without them.
    assert_eq!(
        postloan::store::files::header_schema_version(&upgrade.backup),
        Some(13)
    );
    assert!(indexes(&upgrade.backup).is_empty());
}
