//! The inspection commands as a script uses them (issue #9): the list's JSON fields, every
//! refusal exits non-zero saying why, the printable report, bad files and config values.

mod support;

use assert_cmd::Command;
use postloan::domain::Role;
use std::path::{Path, PathBuf};
use support::book::ht1_book;
fn cmd(home: &Path, book: &Path, user: &str) -> Command {
    support::cli::cmd(home, book, user, "en_US.UTF-8")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A demo-flagged book (so `--as` works) with staff and one loan, HT-1, followed by zhang.
fn book(dir: &Path) -> PathBuf {
    let (path, _) = ht1_book(
        dir,
        "2026-03-02",
        &[
            ("zhang", Role::Specialist),
            ("zhao", Role::Specialist),
            ("wang", Role::Supervisor),
            ("hu", Role::Auditor),
        ],
    );
    path
}

/// Runs and expects success; returns stdout.
fn ok(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs and expects a refusal: exit status 1, and stderr containing `why`.
fn refused(c: &mut Command, why: &str) {
    let out = c.output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains(why), "stderr lacks {why:?}: {err}");
}

#[test]
fn the_list_speaks_the_json_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    let said = ok(cmd(h, &b, "wang").args(["inspections", "plan"]));
    assert!(said.contains("1 added"), "{said}");
    let json = ok(cmd(h, &b, "zhang").args(["inspections", "--format", "json", "--mine"]));
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let row = &rows[0];
    let mut keys: Vec<&str> = row
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "borrower_name",
            "contract_no",
            "due_on",
            "inspector",
            "kind",
            "mode",
            "number",
            "reviewer",
            "status"
        ]
    );
    assert_eq!(row["kind"], "first");
    assert_eq!(row["status"], "planned");
    assert_eq!(row["due_on"], "2026-02-14");
    assert_eq!(row["mode"], "onsite");
    // Due on 2026-03-02 (the book's day): overdue.
    let overdue = ok(cmd(h, &b, "zhang").args(["inspections", "--overdue", "--format", "csv"]));
    assert_eq!(overdue.lines().count(), 2, "{overdue}");
    let none = ok(cmd(h, &b, "zhang").args(["inspections", "--kind", "专项", "--format", "csv"]));
    assert_eq!(none.lines().count(), 1, "the header only: {none}");
    // A value no kind has is a usage error: status 2 (README: exit status), said why.
    let out = cmd(h, &b, "zhang")
        .args(["inspections", "--kind", "weekly"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--kind weekly: not an inspection kind"),
        "{err}"
    );
}

#[test]
fn every_refusal_exits_non_zero_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    let number = ok(cmd(h, &b, "zhang").args(["inspection", "start", "HT-1", "--kind", "routine"]));
    let n = number.trim();
    assert!(n.starts_with("XJ2026-"), "{n}");
    // Wrong role.
    refused(
        cmd(h, &b, "hu").args(["inspection", "start", "HT-1", "--kind", "routine"]),
        "may not start inspections",
    );
    // Someone else's report.
    refused(
        cmd(h, &b, "zhao").args(["inspection", "write", n, "--section", "1", "--text", "x"]),
        "only its author may",
    );
    // Empty required section.
    refused(
        cmd(h, &b, "zhang").args(["inspection", "submit", n]),
        "section 1 is empty",
    );
    ok(cmd(h, &b, "zhang").args([
        "inspection",
        "write",
        n,
        "--section",
        "1",
        "--text",
        "现场检查。",
    ]));
    ok(cmd(h, &b, "zhang").args([
        "inspection",
        "write",
        n,
        "--section",
        "结论及措施",
        "--text",
        "正常。",
    ]));
    // Stale version.
    refused(
        cmd(h, &b, "zhang").args(["inspection", "submit", n, "--expected-version", "1"]),
        "was changed by zhang",
    );
    ok(cmd(h, &b, "zhang").args(["inspection", "submit", n]));
    // Wrong state: a submitted report is locked for its author.
    refused(
        cmd(h, &b, "zhang").args(["inspection", "write", n, "--section", "2", "--text", "x"]),
        "is submitted: it cannot be edited now",
    );
    // A return without a comment, then with one.
    refused(
        cmd(h, &b, "wang").args(["inspection", "return", n, "--comment", " "]),
        "a comment is required",
    );
    ok(cmd(h, &b, "wang").args(["inspection", "return", n, "--comment", "请补充押品情况"]));
    ok(cmd(h, &b, "zhang").args(["inspection", "submit", n]));
    let said = ok(cmd(h, &b, "wang").args(["inspection", "approve", n]));
    assert!(said.contains("approved; stored as document"), "{said}");
    // The list leaves approved ones out, as the pane does; --all and --status bring them back.
    let listed = ok(cmd(h, &b, "zhang").args(["inspections", "--format", "csv"]));
    assert!(!listed.contains(n), "{listed}");
    let all = ok(cmd(h, &b, "zhang").args(["inspections", "--all", "--format", "csv"]));
    assert!(all.contains(n), "{all}");
    let approved = ok(cmd(h, &b, "zhang").args(["inspections", "--status", "approved"]));
    assert!(approved.contains(n), "{approved}");
    // Approved: never edited again.
    refused(
        cmd(h, &b, "zhang").args(["inspection", "measure", n, "--add", "增强担保"]),
        "is approved",
    );
    // Own report: the supervisor writes one and may not approve it.
    let own = ok(cmd(h, &b, "wang").args(["inspection", "start", "HT-1", "--kind", "first"]));
    let own = own.trim();
    ok(cmd(h, &b, "wang").args(["inspection", "write", own, "--section", "1", "--text", "a"]));
    ok(cmd(h, &b, "wang").args(["inspection", "write", own, "--section", "9", "--text", "b"]));
    ok(cmd(h, &b, "wang").args(["inspection", "submit", own]));
    refused(
        cmd(h, &b, "wang").args(["inspection", "approve", own]),
        "on a record they made themselves",
    );
    // In Chinese too.
    let out = cmd(h, &b, "wang")
        .args(["--lang", "zh-CN", "inspection", "approve", own])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("不能对自己制作的记录"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_report_prints_and_bad_inputs_name_their_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    let n = ok(cmd(h, &b, "zhang").args([
        "inspection",
        "start",
        "HT-1",
        "--kind",
        "首次",
        "--mode",
        "非现场",
    ]));
    let n = n.trim();
    let latin1 = dir.path().join("section.txt");
    std::fs::write(&latin1, b"caf\xe9").expect("write");
    refused(
        cmd(h, &b, "zhang")
            .args(["inspection", "write", n, "--section", "3", "--file"])
            .arg(&latin1),
        "section.txt: not UTF-8 text (at byte 3)",
    );
    // Not a section: a usage error (exit 2), saying what is accepted.
    let out = cmd(h, &b, "zhang")
        .args(["inspection", "write", n, "--section", "10", "--text", "x"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("--section 10: not a section"));
    refused(
        cmd(h, &b, "zhang")
            .args(["inspection", "attach", n])
            .arg(dir.path().join("missing.jpg")),
        "missing.jpg: no such file",
    );
    let photo = dir.path().join("photo.png");
    std::fs::write(&photo, b"png").expect("write");
    let said = ok(cmd(h, &b, "zhang")
        .args(["inspection", "attach", n])
        .arg(&photo));
    assert!(said.contains("attached"), "{said}");
    ok(cmd(h, &b, "zhang").args([
        "inspection",
        "write",
        n,
        "--section",
        "1",
        "--text",
        "贷款用途检查。<b>",
    ]));
    let out = dir.path().join("r.html");
    ok(cmd(h, &b, "zhang")
        .args(["report", "inspection", n, "--format", "html", "--output"])
        .arg(&out));
    let html = std::fs::read_to_string(&out).expect("written");
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("贷款用途检查。&lt;b&gt;"));
    let sha = said
        .split_whitespace()
        .find(|w| w.len() == 64)
        .expect("the hash is printed");
    assert!(html.contains(sha), "the evidence list carries the hash");
    let md = ok(cmd(h, &b, "zhang").args(["report", "inspection", n]));
    assert!(md.starts_with("# Post-loan inspection report"), "{md}");
    assert!(md.contains("photo.png"));
    // A bad config value names the file and the key.
    let conf = dir.path().join("bad.toml");
    std::fs::write(&conf, "[inspections]\nfirst_days = 0\n").expect("write");
    refused(
        cmd(h, &b, "zhang")
            .arg("--config")
            .arg(&conf)
            .args(["inspections"]),
        "inspections.first_days = 0: not a whole number from 1 to 366",
    );
    let out = cmd(h, &b, "zhang")
        .arg("--config")
        .arg(&conf)
        .args(["inspections"])
        .output()
        .expect("runs");
    assert!(text(&out.stderr).contains("bad.toml"));
}

#[test]
fn the_nightly_evaluate_derives_the_plan_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    let json = ok(cmd(h, &b, "wang").args(["evaluate", "--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(report["plan"]["loans"], 1, "{json}");
    assert_eq!(report["plan"]["added"], 1, "{json}");
    let listed = ok(cmd(h, &b, "zhang").args(["inspections", "--format", "csv"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
    // Run again: the plan is there, nothing piles up; the table ends with the plan's line.
    let again = ok(cmd(h, &b, "wang").args(["evaluate"]));
    assert!(
        again.contains("Plan: 1 loan; 0 added, 0 moved, 0 removed, 1 unchanged"),
        "{again}"
    );
}

#[test]
fn the_checklist_is_scored_shown_and_exported_and_refusals_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    let n = ok(cmd(h, &b, "zhang").args(["inspection", "start", "HT-1", "--kind", "first"]));
    let n = n.trim();
    // The configured items need no book.
    let list = ok(cmd(h, &b, "zhang").args(["inspection", "checklist"]));
    assert!(
        list.contains("funds_use") && list.contains("line 60"),
        "{list}"
    );
    // Refusals exit 1 naming the item and the range.
    refused(
        cmd(h, &b, "zhang").args(["inspection", "score", n, "--item", "statements=6"]),
        "checklist item statements: 6 is out of range; give 0 to 5",
    );
    refused(
        cmd(h, &b, "zhang").args(["inspection", "score", n, "--item", "nope=1"]),
        "no checklist item 'nope'",
    );
    refused(
        cmd(h, &b, "zhang").args(["inspection", "score", n, "--item", "funds_use"]),
        "--item funds_use: write CODE=POINTS",
    );
    refused(
        cmd(h, &b, "zhang").args(["inspection", "score", n]),
        "give at least one --item",
    );
    refused(
        cmd(h, &b, "zhao").args(["inspection", "score", n, "--item", "funds_use=10"]),
        "zhao",
    );
    refused(
        cmd(h, &b, "zhang").args([
            "inspection",
            "score",
            n,
            "--item",
            "funds_use=10",
            "--expected-version",
            "99",
        ]),
        "version 99",
    );
    let said = ok(cmd(h, &b, "zhang").args([
        "inspection",
        "score",
        n,
        "--item",
        "funds_use=10",
        "--item",
        "operations=8",
    ]));
    assert!(said.contains("incomplete (2/8 items scored)"), "{said}");
    let json = ok(cmd(h, &b, "zhang").args(["inspection", "show", n]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["checklist"].as_array().expect("array").len(), 8);
    assert_eq!(v["checklist"][0]["item"], "funds_use");
    assert_eq!(v["checklist"][0]["points"], "10");
    assert_eq!(v["checklist"][0]["weight"], 20);
    assert!(v["checklist"][2]["points"].is_null());
    assert!(v["checklist_score"].is_null());
    let said = ok(cmd(h, &b, "zhang").args([
        "inspection",
        "score",
        n,
        "--item",
        "financials=6",
        "--item",
        "repayment_source=7.5",
        "--item",
        "collateral=9",
        "--item",
        "statements=3",
        "--item",
        "no_litigation=5",
        "--item",
        "related_parties=4",
    ]));
    assert!(
        said.contains("score 52.5 / 100, below the line 60"),
        "{said}"
    );
    let json = ok(cmd(h, &b, "zhang").args(["inspection", "show", n]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["checklist_score"], "52.5");
    assert_eq!(v["checklist_line"], "60");
    let md = ok(cmd(h, &b, "zhang").args(["report", "inspection", n]));
    assert!(md.contains("## Checklist score"), "{md}");
    assert!(md.contains("| Funds used as agreed | 20 | 10 |"), "{md}");
    assert!(md.contains("score 52.5 / 100, below the line 60"), "{md}");
    let zh = ok(cmd(h, &b, "zhang").args([
        "--lang",
        "zh-CN",
        "report",
        "inspection",
        n,
        "--format",
        "html",
    ]));
    assert!(zh.contains("<h2>检查评分表</h2>") && zh.contains("评分 52.5 / 100，低于警戒线 60"));
    // Clearing an item: incomplete again.
    let said = ok(cmd(h, &b, "zhang").args(["inspection", "score", n, "--clear", "statements"]));
    assert!(said.contains("incomplete (7/8"), "{said}");
    // Submitted, the checklist is locked like the sections.
    ok(cmd(h, &b, "zhang").args([
        "inspection",
        "write",
        n,
        "--section",
        "1",
        "--text",
        "现场检查。",
    ]));
    ok(cmd(h, &b, "zhang").args([
        "inspection",
        "write",
        n,
        "--section",
        "9",
        "--text",
        "经营正常。",
    ]));
    ok(cmd(h, &b, "zhang").args(["inspection", "score", n, "--item", "statements=3"]));
    ok(cmd(h, &b, "zhang").args(["inspection", "submit", n]));
    refused(
        cmd(h, &b, "zhang").args(["inspection", "score", n, "--item", "statements=4"]),
        "submitted",
    );
    let said = ok(cmd(h, &b, "wang").args(["inspection", "approve", n]));
    assert!(
        said.contains("checklist score below the line; warning YJ"),
        "{said}"
    );
    let w = ok(cmd(h, &b, "wang").args([
        "warnings",
        "--indicator",
        "inspection_score",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&w).expect("JSON");
    assert_eq!(v.as_array().expect("array").len(), 1);
    assert_eq!(v[0]["origin"], "inspection");
    assert_eq!(v[0]["level"], "yellow");
}

#[test]
fn a_triggered_start_for_a_warning_already_answered_is_refused_naming_the_inspection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    let raised = ok(cmd(h, &b, "wang").args([
        "warning",
        "raise",
        "HT-1",
        "--signal",
        "litigation",
        "--level",
        "red",
        "--reason",
        "被诉",
    ]));
    let warning = raised
        .split_whitespace()
        .find(|w| w.starts_with("YJ"))
        .expect("the warning's number")
        .trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .to_string();
    let start = [
        "inspection",
        "start",
        "HT-1",
        "--kind",
        "triggered",
        "--warning",
    ];
    let first = ok(cmd(h, &b, "zhang").args(start).arg(&warning));
    let first = first.trim();
    assert!(first.starts_with("XJ2026-"), "{first}");
    refused(
        cmd(h, &b, "zhang").args(start).arg(&warning),
        &format!("warning {warning} is already answered by inspection {first}"),
    );
    let listed =
        ok(cmd(h, &b, "zhang").args(["inspections", "--kind", "triggered", "--format", "csv"]));
    assert_eq!(listed.matches("XJ2026-").count(), 1, "{listed}");
}

/// A planned row carries its due year (`XJ2027-…` for a visit due next January); started on
/// the book's day in 2026 it is numbered `XJ2026-…`, as an inspection started afresh is.
#[test]
fn a_started_planned_inspection_is_numbered_by_the_day_it_is_started() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let h = dir.path();
    ok(cmd(h, &b, "wang").args(["evaluate"]));
    let conn = rusqlite::Connection::open(&b).expect("open");
    let (id, kind): (i64, String) = conn
        .query_row(
            "SELECT id, kind FROM inspections WHERE status = 'planned'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a planned row");
    conn.execute(
        "UPDATE inspections SET number = ?2, due_on = '2027-01-05' WHERE id = ?1",
        rusqlite::params![id, format!("XJ2027-{id:06}")],
    )
    .expect("plan it for next year");
    drop(conn);
    let started = ok(cmd(h, &b, "zhang").args(["inspection", "start", "HT-1", "--kind", &kind]));
    let expected = format!("XJ2026-{id:06}");
    assert!(started.contains(&expected), "{started}");
    assert!(!started.contains("XJ2027-"), "{started}");
    let listed = ok(cmd(h, &b, "zhang").args(["inspections", "--format", "csv"]));
    assert!(
        listed.contains(&expected) && !listed.contains("XJ2027-"),
        "{listed}"
    );
}
