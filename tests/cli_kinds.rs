//! The command line's leftover faults as kinds: format/flag combinations refused as usage
//! errors, numeric options refused outside their range, coded values said in the user's
//! language, batch commands that say what they changed.

mod support;

use std::process::Output;
use support::book::{TestBook, cli, stderr, stdout};

fn run_in(book: &TestBook, lang: &str, args: &[&str]) -> Output {
    cli(book.dir.path(), lang)
        .args(args)
        .arg("--db")
        .arg(book.path())
        .output()
        .expect("run the binary")
}

/// A flag that only one format can carry, or a format a command cannot print: a usage error
/// (status 2) naming the combination, in both languages, with nothing on standard output.
#[test]
fn format_and_flag_combinations_are_usage_errors_naming_them() {
    let book = TestBook::for_cli().with_loans(2);
    let bom = [
        &["loans"][..],
        &["warnings"][..],
        &["classification"][..],
        &["clocks"][..],
    ];
    for cmd in bom {
        for format in ["json", "table"] {
            for lang in ["en_US.UTF-8", "zh_CN.UTF-8"] {
                let args: Vec<&str> = cmd
                    .iter()
                    .copied()
                    .chain(["--format", format, "--bom"])
                    .collect();
                let out = run_in(&book, lang, &args);
                assert_eq!(
                    out.status.code(),
                    Some(2),
                    "{args:?} {lang}: {}",
                    stderr(&out)
                );
                assert!(out.stdout.is_empty(), "{args:?}");
                let err = stderr(&out);
                assert!(
                    err.contains("--bom") && err.contains(&format!("--format {format}")),
                    "{args:?} {lang}: {err}"
                );
            }
        }
        // With CSV it works.
        let args: Vec<&str> = cmd
            .iter()
            .copied()
            .chain(["--format", "csv", "--bom"])
            .collect();
        let out = run_in(&book, "en_US.UTF-8", &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "{args:?}");
    }
    for cmd in [
        &["evaluate"][..],
        &["classify"][..],
        &["loan", "show", "L1"][..],
        &["classification", "history", "L1"][..],
        &["report", "provisions"][..],
    ] {
        let args: Vec<&str> = cmd.iter().copied().chain(["--format", "csv"]).collect();
        for lang in ["en_US.UTF-8", "zh_CN.UTF-8"] {
            let out = run_in(&book, lang, &args);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?} {lang}: {}",
                stderr(&out)
            );
            assert!(out.stdout.is_empty(), "{args:?}: {}", stdout(&out));
            assert!(
                stderr(&out).contains("--format csv"),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
}

/// `clocks --within -5`, `loans --limit 0`: usage errors naming the option and its range,
/// in both languages (the parsers' own test walks every numeric option).
#[test]
fn numeric_options_outside_their_range_are_usage_errors_naming_the_range() {
    let book = TestBook::for_cli().with_loans(1);
    for (args, range) in [
        (&["clocks", "--within", "-5"][..], ("0", "3650")),
        (&["clocks", "--within=99999"][..], ("0", "3650")),
        (&["loans", "--limit", "0"][..], ("1", "1000000")),
        (&["warnings", "--limit", "-1"][..], ("1", "1000000")),
        (&["action", "start", "-3"][..], ("1", "9223372036854775807")),
    ] {
        for lang in ["en_US.UTF-8", "zh_CN.UTF-8"] {
            let out = run_in(&book, lang, args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?} {lang}: {err}");
            let option = args[1].split('=').next().unwrap_or_default();
            let option = if option.starts_with("--") {
                option
            } else {
                "ID"
            };
            assert!(err.contains(option), "{args:?} {lang}: {err}");
            assert!(
                err.contains(range.0) && err.contains(range.1),
                "{args:?} {lang}: {err}"
            );
        }
    }
    let out = run_in(&book, "en_US.UTF-8", &["clocks", "--within", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A small demo book on its own date (2026-06-30, not the calendar's), in `home`.
fn demo(home: &std::path::Path) -> std::path::PathBuf {
    let db = home.join("demo.db");
    let out = cli(home, "en_US.UTF-8")
        .args([
            "demo",
            "--no-tui",
            "--loans",
            "30",
            "--as-of",
            "2026-06-30",
            "--db",
        ])
        .arg(&db)
        .output()
        .expect("demo");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    db
}

fn run_demo(home: &std::path::Path, db: &std::path::Path, lang: &str, args: &[&str]) -> String {
    let out = cli(home, lang)
        .args(args)
        .arg("--db")
        .arg(db)
        .args(["--as", "zhao.lei"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Every listing and detail in zh-CN says coded values (roles, statuses, classes, levels,
/// kinds, signals) in Chinese: no code word of the book's vocabulary is left in the text.
#[test]
fn zh_cn_listings_and_details_say_no_english_code_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let h = dir.path();
    let first = |args: &[&str], field: &str| -> String {
        let json = run_demo(h, &db, "en_US.UTF-8", args);
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        v[0][field].as_str().expect("a row").to_string()
    };
    let warning = first(&["warnings", "--format", "json"], "number");
    let inspection = first(&["inspections", "--format", "json"], "number");
    let loan = first(&["loans", "--format", "json"], "contract_no");
    let codes = [
        "specialist",
        "supervisor",
        "manager",
        "auditor",
        "active",
        "recalled",
        "written_off",
        "acknowledged",
        "in_disposal",
        "resolved",
        "dismissed",
        "red",
        "orange",
        "yellow",
        "special_mention",
        "substandard",
        "doubtful",
        "planned",
        "submitted",
        "approved",
        "returned",
        "fund_diversion",
        "onsite",
        "offsite",
        "routine",
        "triggered",
        "credit",
        "operational",
        "system",
        "manual",
        "raised",
        "escalated",
        "pending",
        "superseded",
    ];
    for args in [
        &["staff", "list"][..],
        &["loans", "--limit", "20"][..],
        &["warnings", "--limit", "20"][..],
        &["warning", "show", &warning][..],
        &["inspections", "--limit", "20"][..],
        &["classification", "--limit", "20"][..],
        &["cases", "--limit", "20"][..],
        &["disposal", "--limit", "20"][..],
        &["loan", "show", &loan][..],
        &["inspection", "show", &inspection, "--format", "md"][..],
    ] {
        let text = run_demo(h, &db, "zh_CN.UTF-8", args);
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| codes.contains(w))
            .collect();
        assert!(words.is_empty(), "{args:?} says {words:?}:\n{text}");
    }
    // JSON keeps the stable codes for machines.
    let json = run_demo(
        h,
        &db,
        "zh_CN.UTF-8",
        &["warning", "show", &warning, "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert!(
        ["red", "orange", "yellow"].contains(&v["warning"]["level"].as_str().unwrap_or("")),
        "{json}"
    );
}

/// The demo's documents are dated by the book's day, not the calendar's; `escalate` says
/// whose tracking it tightened, and says nothing the second time when nothing changed.
#[test]
fn demo_documents_carry_the_book_s_date_and_escalate_says_what_it_tightened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo(dir.path());
    let h = dir.path();
    let json = run_demo(h, &db, "en_US.UTF-8", &["archive", "--format", "json"]);
    let docs: serde_json::Value = serde_json::from_str(&json).expect("json");
    let docs = docs.as_array().expect("a list");
    assert!(!docs.is_empty(), "the demo archives documents");
    for d in docs {
        assert_eq!(d["created_on"], "2026-06-30", "{d}");
    }
    let first = run_demo(h, &db, "zh_CN.UTF-8", &["escalate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&first).expect("json");
    let tightened = v["tracking_tightened"].as_array().expect("the field");
    for t in tightened {
        assert!(
            t["case"].as_str().is_some_and(|c| c.starts_with("CZ")),
            "{t}"
        );
        assert!(!t["loans"].as_array().expect("loans").is_empty(), "{t}");
    }
    let again = run_demo(h, &db, "zh_CN.UTF-8", &["escalate"]);
    assert!(
        !again.contains("已加密跟踪"),
        "nothing changed the second time: {again}"
    );
    let again = run_demo(h, &db, "zh_CN.UTF-8", &["escalate", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&again).expect("json");
    assert_eq!(v["tracking_tightened"], serde_json::json!([]), "{again}");
}
