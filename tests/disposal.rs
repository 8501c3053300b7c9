//! Step 5, disposal (issue #11 points 1-3) from the command line: the JSON and CSV contract of
//! `cases` and `disposal`, each step of a case by the right role, refusals that say why and
//! exit non-zero, and the escalation on an injected date (also at the end of `evaluate`).

mod support;

use std::path::Path;
use support::cli::{EN, ZH, cmd, demo_book, ok, refused};

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The first open case of `level`, as `cases --format json` lists it.
fn first_case(h: &Path, b: &Path, level: &str) -> serde_json::Value {
    let json = ok(cmd(h, b, "zhao.lei", EN).args([
        "cases", "--level", level, "--format", "json", "--limit", "1",
    ]));
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    rows[0].clone()
}

#[test]
fn cases_and_disposal_speak_the_json_and_csv_contract() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = demo_book(h);
    let row = first_case(h, &b, "orange");
    assert_eq!(
        keys(&row),
        sorted(&[
            "number",
            "borrower_code",
            "borrower_name",
            "level",
            "warnings",
            "loans",
            "exposure",
            "officer",
            "opened_on",
            "next_deadline",
            "status"
        ])
    );
    assert_eq!(row["level"], "orange");
    assert_eq!(row["status"], "open");
    assert!(
        row["exposure"].as_str().expect("text").contains('.'),
        "an exact decimal"
    );
    let case = row["number"].as_str().expect("number").to_string();
    // A specialist works the cases of their own loans: act as the case's officer.
    let officer = row["officer"].as_str().expect("officer").to_string();
    ok(cmd(h, &b, &officer, EN).args([
        "case",
        "plan",
        &case,
        "--kind",
        "整改方案",
        "--summary",
        "压降存货",
        "--due",
        "2026-09-30",
    ]));
    let id = ok(cmd(h, &b, &officer, EN).args([
        "action",
        "add",
        &case,
        "--kind",
        "rectification_measure",
        "--title",
        "每月报送存货明细",
        "--owner",
        "wang.fang",
        "--deadline",
        "2026-07-31",
    ]));
    assert!(
        id.contains("每月报送存货明细") && id.contains("2026-07-31") && id.contains(&case),
        "says what was made: {id}"
    );
    let id: i64 = id
        .split_once('#')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the action's id");
    ok(cmd(h, &b, &officer, EN).args(["case", "submit", &case]));
    let said = ok(cmd(h, &b, "wu.hao", EN).args(["case", "approve", &case]));
    assert!(said.contains("Rectification notice ZGTZ2026-"), "{said}");
    let json =
        ok(cmd(h, &b, "zhao.lei", EN).args(["disposal", "--case", &case, "--format", "json"]));
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let a = &rows[0];
    assert_eq!(
        keys(a),
        sorted(&[
            "id",
            "case",
            "contract_no",
            "kind",
            "owner",
            "deadline",
            "status",
            "overdue_days"
        ])
    );
    assert_eq!(a["id"], id);
    assert_eq!(a["case"], case.as_str());
    assert_eq!(a["kind"], "rectification_measure");
    assert_eq!(a["status"], "planned");
    assert_eq!(a["overdue_days"], 0);
    let csv = ok(cmd(h, &b, "zhao.lei", EN).args(["disposal", "--mine", "--format", "csv"]));
    assert_eq!(
        csv.lines().next(),
        Some("id,case,contract_no,kind,owner,deadline,status,overdue_days")
    );
    let csv = ok(cmd(h, &b, "wang.fang", EN).args(["disposal", "--mine", "--format", "csv"]));
    assert!(
        csv.lines().any(|l| l.starts_with(&format!("{id},{case},"))),
        "{csv}"
    );
    let csv = ok(cmd(h, &b, "zhao.lei", EN).args(["cases", "--format", "csv", "--limit", "1"]));
    assert_eq!(
        csv.lines().next(),
        Some(
            "number,borrower_code,borrower_name,level,warnings,loans,exposure,officer,opened_on,next_deadline,status"
        )
    );
    let show = ok(cmd(h, &b, "hu.yan", EN).args(["case", "show", &case, "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&show).expect("JSON");
    assert_eq!(v["number"], case.as_str());
    assert_eq!(v["next_deadline"], "2026-07-31");
    assert_eq!(v["plans"][0]["status"], "approved");
    assert_eq!(v["documents"][0]["kind"], "rectification_notice");
    assert_eq!(v["documents"][0]["sha256"].as_str().map(str::len), Some(64));
    let md = ok(cmd(h, &b, "hu.yan", ZH).args(["case", "show", &case]));
    assert!(
        md.contains("整改方案") && md.contains("每月报送存货明细"),
        "{md}"
    );
}

#[test]
fn refusals_say_why_in_the_users_language_and_exit_non_zero() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = demo_book(h);
    let row = first_case(h, &b, "orange");
    let case = row["number"].as_str().expect("number").to_string();
    let officer = row["officer"].as_str().expect("officer").to_string();
    // Another specialist (none of the case's loans is theirs) is refused, saying whose it is.
    assert_ne!(officer, "wang.fang");
    for (lang, words) in [
        (
            EN,
            format!("case {case} belongs to '{officer}' (its officer)"),
        ),
        (ZH, format!("处置事项 {case} 由“{officer}”负责")),
    ] {
        for args in [
            vec!["case", "close", &case, "--reason", "已化解"],
            vec![
                "case",
                "progress",
                &case,
                "--state",
                "a",
                "--effect",
                "b",
                "--problems",
                "c",
                "--next",
                "d",
            ],
            vec![
                "case",
                "plan",
                &case,
                "--kind",
                "rectification",
                "--summary",
                "x",
            ],
        ] {
            let said = refused(cmd(h, &b, "wang.fang", lang).args(&args));
            assert!(
                said.contains(&words) && said.contains("wang.fang"),
                "{said}"
            );
        }
    }
    let said =
        refused(cmd(h, &b, &officer, ZH).args(["case", "close", &case, "--reason", "已化解"]));
    assert!(
        said.contains("未解除的预警") && said.contains("YJ2026-"),
        "{said}"
    );
    // Only the warnings block it (the case has no action yet): the actions are not named.
    assert!(
        !said.contains("未完成的措施")
            && !said.contains("：无")
            && said.contains("请先解除或撤销预警"),
        "only what blocks is named: {said}"
    );
    let said = refused(cmd(h, &b, "hu.yan", EN).args([
        "case",
        "progress",
        &case,
        "--state",
        "a",
        "--effect",
        "b",
        "--problems",
        "c",
        "--next",
        "d",
    ]));
    assert!(said.contains("may not"), "{said}");
    let said = refused(cmd(h, &b, "wang.fang", EN).args([
        "case",
        "plan",
        &case,
        "--kind",
        "emergency",
        "--summary",
        "x",
    ]));
    assert!(said.contains("propose emergency plans"), "{said}");
    let said = refused(cmd(h, &b, "wu.hao", EN).args([
        "case",
        "plan",
        &case,
        "--kind",
        "emergency",
        "--summary",
        "x",
    ]));
    assert!(
        said.contains("Emergency plan is for a graver case"),
        "{said}"
    );
    ok(cmd(h, &b, "wu.hao", EN).args([
        "case",
        "plan",
        &case,
        "--kind",
        "rectification",
        "--summary",
        "整改",
    ]));
    // A bare plan is not submitted: it says what to do, in both languages.
    let said = refused(cmd(h, &b, "wu.hao", EN).args(["case", "submit", &case]));
    assert!(
        said.contains("has no measures; add at least one measure"),
        "{said}"
    );
    let said = refused(cmd(h, &b, "wu.hao", ZH).args(["case", "submit", &case]));
    assert!(said.contains("还没有任何措施"), "{said}");
    ok(cmd(h, &b, "wu.hao", EN).args([
        "action",
        "add",
        &case,
        "--kind",
        "rectification_measure",
        "--title",
        "压降存货",
        "--owner",
        &officer,
        "--deadline",
        "2026-09-30",
    ]));
    ok(cmd(h, &b, "wu.hao", EN).args(["case", "submit", &case]));
    let said = refused(cmd(h, &b, "wu.hao", ZH).args(["case", "approve", &case]));
    assert!(said.contains("wu.hao"), "maker-checker: {said}");
    let said = refused(cmd(h, &b, "xu.li", EN).args(["case", "reject", &case, "--reason", " "]));
    assert!(said.contains("reason is empty"), "{said}");
    let said = refused(cmd(h, &b, "wang.fang", EN).args(["case", "show", "CZ2026-999999"]));
    assert!(said.contains("no risk case 'CZ2026-999999'"), "{said}");
    let said = refused(cmd(h, &b, "wang.fang", EN).args([
        "action",
        "add",
        &case,
        "--kind",
        "bogus",
        "--title",
        "x",
        "--owner",
        "wang.fang",
        "--deadline",
        "2026-07-01",
    ]));
    assert!(
        said.contains("early_recall"),
        "names what is accepted: {said}"
    );
    let said = refused(cmd(h, &b, "wang.fang", EN).args(["action", "done", "999999"]));
    assert!(said.contains("no action '999999'"), "{said}");
}

#[test]
fn escalation_runs_on_the_injected_date_alone_and_after_evaluate() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = demo_book(h);
    let row = first_case(h, &b, "orange");
    let case = row["number"].as_str().expect("number").to_string();
    let officer = row["officer"].as_str().expect("officer").to_string();
    ok(cmd(h, &b, &officer, EN).args([
        "case",
        "plan",
        &case,
        "--kind",
        "rectification",
        "--summary",
        "整改",
        "--due",
        "2026-08-31",
    ]));
    // A plan goes for approval with at least one measure.
    ok(cmd(h, &b, &officer, EN).args([
        "action",
        "add",
        &case,
        "--kind",
        "rectification_measure",
        "--title",
        "压降存货",
        "--owner",
        &officer,
        "--deadline",
        "2026-08-31",
    ]));
    ok(cmd(h, &b, &officer, EN).args(["case", "submit", &case]));
    ok(cmd(h, &b, "wu.hao", EN).args(["case", "approve", &case]));
    let said = refused(cmd(h, &b, "wang.fang", EN).args(["escalate"]));
    assert!(said.contains("may not"), "{said}");
    let said = refused(cmd(h, &b, "wu.hao", EN).args(["escalate", "--as-of", "2026-08-31"]));
    assert!(
        said.contains("after today (2026-06-30)") && said.contains("--force"),
        "a future check date is refused like evaluate's: {said}"
    );
    let on_due = ok(cmd(h, &b, "wu.hao", EN).args([
        "escalate",
        "--as-of",
        "2026-08-31",
        "--format",
        "json",
        "--force",
    ]));
    let v: serde_json::Value = serde_json::from_str(&on_due).expect("JSON");
    assert_eq!(v["escalated"], serde_json::json!([]));
    let json = ok(cmd(h, &b, "zhao.lei", EN).args([
        "evaluate",
        "--as-of",
        "2026-09-01",
        "--format",
        "json",
        "--force",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(v["cases"].is_object(), "{v}");
    assert_eq!(v["escalation"]["as_of"], "2026-09-01");
    assert!(
        v["escalation"]["escalated"]
            .as_array()
            .expect("list")
            .iter()
            .any(|n| n == case.as_str()),
        "{v}"
    );
    let row = ok(cmd(h, &b, "zhao.lei", EN).args(["case", "show", &case, "--format", "json"]));
    let c: serde_json::Value = serde_json::from_str(&row).expect("JSON");
    assert_eq!(c["level"], "red");
    assert_eq!(c["emergency_needed"], true);
}

#[test]
fn a_bad_disposal_setting_is_refused_naming_its_file_and_key() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let cfg = h.join("site.toml");
    std::fs::write(&cfg, "[disposal]\nexplanation_due_days = 0\n").expect("write");
    let said = refused(
        cmd(h, &h.join("none.db"), "wang.fang", EN)
            .arg("--config")
            .arg(&cfg)
            .arg("cases"),
    );
    assert!(said.contains("site.toml"), "{said}");
    assert!(said.contains("disposal.explanation_due_days = 0"), "{said}");
    assert!(said.contains("from 1 to 366"), "{said}");
    std::fs::write(&cfg, "[disposal]\nyellow_tracking = \"weekly\"\n").expect("write");
    let said = refused(
        cmd(h, &h.join("none.db"), "wang.fang", ZH)
            .arg("--config")
            .arg(&cfg)
            .arg("cases"),
    );
    assert!(
        said.contains("yellow_tracking") && said.contains("须为"),
        "{said}"
    );
    for key in ["orange_tracking", "red_tracking"] {
        std::fs::write(&cfg, format!("[disposal]\n{key} = \"daily\"\n")).expect("write");
        let said = refused(
            cmd(h, &h.join("none.db"), "wang.fang", EN)
                .arg("--config")
                .arg(&cfg)
                .arg("cases"),
        );
        assert!(said.contains("site.toml"), "{said}");
        assert!(
            said.contains(&format!("disposal.{key} = \"daily\"")) && said.contains("monthly"),
            "{said}"
        );
    }
}

/// The open cases and their loans with a balance (contract, outstanding), as `case show`
/// gives them.
fn cases_with_loans(h: &Path, b: &Path) -> Vec<(String, Vec<(String, f64)>)> {
    let json = ok(cmd(h, b, "zhao.lei", EN).args(["cases", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let mut out = Vec::new();
    for c in v.as_array().expect("list") {
        let number = c["number"].as_str().expect("number").to_string();
        let show =
            ok(cmd(h, b, "zhao.lei", EN).args(["case", "show", &number, "--format", "json"]));
        let d: serde_json::Value = serde_json::from_str(&show).expect("JSON");
        let loans: Vec<(String, f64)> = d["loans_list"]
            .as_array()
            .expect("loans")
            .iter()
            .map(|l| {
                let out: f64 = l["outstanding"]
                    .as_str()
                    .expect("amount")
                    .parse()
                    .expect("number");
                (
                    l["contract_no"].as_str().expect("contract").to_string(),
                    out,
                )
            })
            .filter(|(_, out)| *out > 0.0)
            .collect();
        out.push((number, loans));
    }
    out
}

#[test]
fn case_recover_finds_the_loan_checks_the_case_and_the_dates_and_says_it_in_json() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = demo_book(h);
    let cases = cases_with_loans(h, &b);
    let (single, loans) = cases
        .iter()
        .find(|(_, l)| l.len() == 1)
        .expect("a case with one loan");
    let (contract, before) = loans[0].clone();
    let json = ok(cmd(h, &b, "zhao.lei", EN).args([
        "case",
        "recover",
        single,
        "--amount",
        "1,000",
        "--kind",
        "collateral",
        "--interest",
        "20.5",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["case"], single.as_str());
    assert_eq!(v["contract_no"], contract.as_str(), "the case's only loan");
    assert_eq!(v["kind"], "collateral_sale");
    assert_eq!(v["principal"], "1000.00");
    assert_eq!(v["interest"], "20.50");
    assert_eq!(v["total"], "1020.50");
    assert_eq!(v["on"], "2026-06-30", "default: the book's today");
    let after: f64 = v["outstanding_after"]
        .as_str()
        .expect("after")
        .parse()
        .expect("n");
    assert!(
        (before - 1000.0 - after).abs() < 0.005,
        "{before} → {after}"
    );
    // The case's history lists the recovery.
    let show = ok(cmd(h, &b, "zhao.lei", EN).args(["case", "show", single, "--format", "json"]));
    let d: serde_json::Value = serde_json::from_str(&show).expect("JSON");
    assert!(
        d["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["event"] == "recovery" && e["ref"] == contract.as_str()),
        "{d}"
    );
    // Dates: not before the disbursement, not after today.
    let said = refused(cmd(h, &b, "zhao.lei", EN).args([
        "case",
        "recover",
        single,
        "--amount",
        "1",
        "--kind",
        "repayment",
        "--on",
        "1990-01-01",
    ]));
    assert!(
        said.contains("before loan") && said.contains("was disbursed"),
        "{said}"
    );
    let said = refused(cmd(h, &b, "zhao.lei", EN).args([
        "case",
        "recover",
        single,
        "--amount",
        "1",
        "--kind",
        "repayment",
        "--on",
        "2026-07-01",
    ]));
    assert!(said.contains("after today (2026-06-30)"), "{said}");
    // A negative amount gets our refusal, not clap's.
    let said = refused(cmd(h, &b, "zhao.lei", ZH).args([
        "case",
        "recover",
        single,
        "--amount",
        "-100",
        "--kind",
        "repayment",
    ]));
    assert!(said.contains("--amount 不能为负数"), "{said}");
    let said = refused(cmd(h, &b, "zhao.lei", EN).args([
        "loan",
        "recover",
        &contract,
        "--on",
        "2026-06-30",
        "--kind",
        "repayment",
        "--principal",
        "-100",
    ]));
    assert!(said.contains("--principal must not be negative"), "{said}");
    // Several loans and no --contract: refused naming them; a contract not in the case too.
    if let Some((multi, loans)) = cases.iter().find(|(_, l)| l.len() > 1) {
        let said = refused(cmd(h, &b, "zhao.lei", EN).args([
            "case",
            "recover",
            multi,
            "--amount",
            "1",
            "--kind",
            "repayment",
        ]));
        assert!(said.contains("several loans"), "{said}");
        assert!(
            loans.iter().all(|(c, _)| said.contains(c.as_str())),
            "{said}"
        );
        let said = refused(cmd(h, &b, "zhao.lei", EN).args([
            "case",
            "recover",
            single,
            "--amount",
            "1",
            "--kind",
            "repayment",
            "--contract",
            &loans[0].0,
        ]));
        assert!(said.contains("is not a loan of case"), "{said}");
    }
    // `loan … --case NUMBER`: unknown and other borrowers' cases are refused.
    let said = refused(cmd(h, &b, "zhao.lei", EN).args([
        "loan",
        "demand",
        &contract,
        "--on",
        "2026-06-30",
        "--case",
        "CZ1999-000009",
    ]));
    assert!(said.contains("CZ1999-000009"), "{said}");
    let other = &cases
        .iter()
        .find(|(n, _)| n != single)
        .expect("another case")
        .0;
    let said = refused(cmd(h, &b, "zhao.lei", EN).args([
        "loan",
        "demand",
        &contract,
        "--on",
        "2026-06-30",
        "--case",
        other,
    ]));
    assert!(said.contains("is not the case of loan"), "{said}");
    ok(cmd(h, &b, "zhao.lei", EN).args([
        "loan",
        "demand",
        &contract,
        "--on",
        "2026-06-30",
        "--case",
        single,
    ]));
    let md = ok(cmd(h, &b, "zhao.lei", EN).args(["case", "show", single]));
    assert!(
        md.contains("Payment demanded on") && md.contains("by letter"),
        "{md}"
    );
}
