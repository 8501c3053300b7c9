//! The step-5 minors outside QA found, from the command line: what each command says it did
//! (the plan's number, the action made, a demand before the due date), what a refusal names
//! (a draft to submit first, a version not reached yet, a value that is not a number), empty
//! listings, and documents named by their number.

mod support;

use std::path::Path;
use support::cli::{EN, ZH, cmd, demo_book, ok, refused_with};

/// The first open case of `level`: its number and its officer.
fn first_case(h: &Path, b: &Path, level: &str) -> (String, String) {
    let json = ok(cmd(h, b, "zhao.lei", EN).args([
        "cases", "--level", level, "--format", "json", "--limit", "1",
    ]));
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let s = |k: &str| rows[0][k].as_str().expect(k).to_string();
    (s("number"), s("officer"))
}

#[test]
fn disposal_commands_say_what_they_did_and_refusals_say_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = demo_book(h);
    let (case, officer) = first_case(h, &b, "orange");

    // Listings that match nothing say so, in both languages (5): the auditor owns no action
    // and looks after no case.
    let none = ok(cmd(h, &b, "zhao.lei", EN).args(["disposal", "--owner", "hu.yan"]));
    assert_eq!(none.trim(), "0 actions match", "{none}");
    let none = ok(cmd(h, &b, "zhao.lei", ZH).args(["disposal", "--owner", "hu.yan"]));
    assert_eq!(none.trim(), "无符合条件的措施", "{none}");
    let none = ok(cmd(h, &b, "zhao.lei", EN).args(["cases", "--officer", "hu.yan"]));
    assert_eq!(none.trim(), "0 cases match", "{none}");
    // JSON stays an empty array.
    let none =
        ok(cmd(h, &b, "zhao.lei", EN).args(["disposal", "--owner", "hu.yan", "--format", "json"]));
    assert_eq!(none.trim(), "[]");

    // A draft is not approved: submit it first (9).
    let made = ok(cmd(h, &b, &officer, EN).args([
        "case",
        "plan",
        &case,
        "--kind",
        "rectification",
        "--summary",
        "压降存货",
    ]));
    let plan: i64 = made
        .split_once('#')
        .and_then(|(_, r)| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the plan's id");
    for (lang, words) in [(EN, "submit it first"), (ZH, "请先提交")] {
        let said = refused_with(
            cmd(h, &b, "wu.hao", lang).args(["case", "approve", &case]),
            1,
        );
        assert!(
            said.contains(words) && said.contains(&format!("#{plan}")),
            "{said}"
        );
    }

    // `action add` says what it made (6).
    let added = ok(cmd(h, &b, &officer, EN).args([
        "action",
        "add",
        &case,
        "--kind",
        "rectification_measure",
        "--title",
        "每月报送存货明细",
        "--owner",
        &officer,
        "--deadline",
        "2026-07-31",
    ]));
    assert!(
        added.starts_with("Action #")
            && added.contains(&case)
            && added.contains("每月报送存货明细")
            && added.contains("2026-07-31")
            && added.contains(&officer),
        "{added}"
    );
    let action: i64 = added
        .split_once('#')
        .and_then(|(_, r)| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the action's id");

    // A version the record has not reached is named as such (10): the action is at 1.
    for (lang, words) in [
        (
            EN,
            "version 9 does not exist yet; the record is at version 1",
        ),
        (ZH, "版本 9 尚不存在；该记录当前为版本 1"),
    ] {
        let said = refused_with(
            cmd(h, &b, &officer, lang).args([
                "action",
                "start",
                &action.to_string(),
                "--expected-version",
                "9",
            ]),
            1,
        );
        assert!(said.contains(words), "{said}");
        assert!(!said.contains("after you loaded it"), "{said}");
    }
    // The same for a case's and a plan's version.
    let said = refused_with(
        cmd(h, &b, &officer, EN).args(["case", "submit", &case, "--expected-version", "7"]),
        1,
    );
    assert!(said.contains("version 7 does not exist yet"), "{said}");

    // Success messages name the plan (9).
    let said = ok(cmd(h, &b, &officer, EN).args(["case", "submit", &case]));
    assert!(said.contains(&format!("Plan #{plan}")), "{said}");
    let said = ok(cmd(h, &b, "wu.hao", EN).args(["case", "approve", &case]));
    assert!(
        said.contains(&format!(
            "Plan #{plan} (Rectification plan) of case {case} approved"
        )),
        "{said}"
    );
    let notice = said
        .split_whitespace()
        .find(|w| w.starts_with("ZGTZ"))
        .expect("the notice's number")
        .to_string();

    // `archive show` takes a document's number as well as its id (11).
    let shown = ok(cmd(h, &b, &officer, EN).args(["archive", "show", &notice]));
    assert!(shown.contains(&notice), "{shown}");
    let said = refused_with(
        cmd(h, &b, &officer, EN).args(["archive", "show", "ZGTZ1999-000042"]),
        1,
    );
    assert!(said.contains("no document 'ZGTZ1999-000042'"), "{said}");

    // A number argument that is not one is said in our words, exit 2 (11).
    for (lang, words) in [(EN, "whole number"), (ZH, "整数")] {
        let said = refused_with(
            cmd(h, &b, &officer, lang).args(["clocks", "--within", "abc"]),
            2,
        );
        assert!(said.contains(words) && said.contains("abc"), "{said}");
        assert!(!said.contains("invalid digit"), "{said}");
    }
}

#[test]
fn a_demand_before_the_claim_falls_due_does_not_restart_the_period() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = demo_book(h);
    // A loan not past due: with a balance out, it matures on or after the book's date
    // (2026-06-30), so a demand the day before comes before the claim falls due.
    let json = ok(cmd(h, &b, "zhao.lei", EN).args(["loans", "--format", "json", "--limit", "50"]));
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let loan = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["overdue_days"] == 0)
        .expect("a loan not past due");
    let contract = loan["contract_no"].as_str().expect("contract");
    let officer = loan["officer"].as_str().expect("officer");
    let said = ok(cmd(h, &b, officer, EN).args(["loan", "demand", contract, "--on", "2026-06-29"]));
    assert!(
        said.contains("the claim falls due on 20")
            && said.contains("has not started")
            && !said.contains("now ends"),
        "{said}"
    );
    let said = ok(cmd(h, &b, officer, ZH).args(["loan", "demand", contract, "--on", "2026-06-28"]));
    assert!(said.contains("诉讼时效尚未起算"), "{said}");
}
