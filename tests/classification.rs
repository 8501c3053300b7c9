//! Step 4, five-tier classification (issue #10): the nightly floor check, proposals and
//! decisions with their refusals, bulk approval, the import change, the inspection hook, and
//! the command line's exit codes and JSON.

use Classification::*;
use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::domain::classification::ClassificationRules;
use postloan::domain::{
    Classification, GuaranteeType, LoanRecord, Product, RepaymentRecord, Role, StaffRecord,
    TrackingFrequency,
};
use postloan::engine::inspection_plan::PlanConfig;
use postloan::store::{ClassificationQuery, Store};
use postloan::workflow::classification::{self as flow, Basis, Decide, Proposal, classify_book};
use postloan::workflow::{Actor, WorkflowError, identify};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const TODAY: &str = "2026-06-30";

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn loan(no: &str, borrower: &str, out: i64, class: Classification) -> LoanRecord {
    LoanRecord {
        contract_no: no.into(),
        borrower_code: borrower.into(),
        borrower_name: format!("{borrower} 机械有限公司"),
        product: Product::WorkingCapital,
        purpose: "采购".into(),
        currency: "CNY".into(),
        principal: Decimal::from(out),
        outstanding: Decimal::from(out),
        interest_rate: Decimal::from_str("4.35").expect("rate"),
        disbursed_on: day("2025-01-15"),
        matures_on: day("2028-01-15"),
        guarantee_type: GuaranteeType::Mortgage,
        officer: "zhang".into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(class),
        restructured_on: None,
        credit_impaired: None,
    }
}

fn status(no: &str, on: &str, dpd: i64, overdue: i64) -> RepaymentRecord {
    RepaymentRecord {
        contract_no: no.into(),
        as_of: day(on),
        overdue_days: dpd,
        overdue_principal: Decimal::from(overdue),
        overdue_interest: Decimal::ZERO,
    }
}

/// A demo-flagged book dated `TODAY`: staff zhang, zhao (specialists), wang (supervisor),
/// li and the OS user (managers), hu (auditor); the loans given.
fn book_with(dir: &Path, loans: &[LoanRecord], statuses: &[RepaymentRecord]) -> PathBuf {
    let path = dir.join("book.db");
    let me = postloan::workflow::os_user();
    let mut store = Store::open(&path).expect("open");
    postloan::workflow::book::init(&mut store, &me).expect("init");
    store
        .write(|tx| -> postloan::store::Result<()> {
            tx.set_meta("demo", "1")?;
            tx.set_meta("demo_as_of", TODAY)?;
            for (u, role) in [
                ("zhang", Role::Specialist),
                ("zhao", Role::Specialist),
                ("wang", Role::Supervisor),
                ("li", Role::Manager),
                ("hu", Role::Auditor),
            ] {
                tx.upsert_staff(
                    &StaffRecord {
                        username: u.into(),
                        display_name: u.into(),
                        role,
                    },
                    &me,
                )?;
            }
            for l in loans {
                tx.upsert_loan(l, &me)?;
            }
            for s in statuses {
                tx.upsert_repayment(s, &me)?;
            }
            Ok(())
        })
        .expect("book");
    path
}

fn who(store: &Store, user: &str) -> Actor {
    identify(store, user, None).expect("staff")
}

fn rules() -> ClassificationRules {
    ClassificationRules::default()
}

fn plan() -> PlanConfig {
    PlanConfig::defaults().expect("plan")
}

fn class_of(store: &Store, no: &str) -> Classification {
    store.class_loan(no).expect("read").expect("loan").class
}

fn pending(store: &Store) -> Vec<postloan::store::ClassificationRow> {
    store
        .classification_page(
            &ClassificationQuery {
                pending: true,
                ..Default::default()
            },
            None,
            100,
        )
        .expect("page")
}

fn propose(
    store: &mut Store,
    user: &str,
    no: &str,
    to: Classification,
) -> Result<i64, WorkflowError> {
    let actor = who(store, user);
    flow::propose(
        store,
        &actor,
        &Proposal {
            contract_no: no,
            to,
            reason: "判断",
            basis: Basis::Judgement,
            effective_on: None,
        },
        &rules(),
        day(TODAY),
    )
}

fn approve(store: &mut Store, user: &str, id: i64) -> Result<flow::Approved, WorkflowError> {
    let actor = who(store, user);
    let (r, p) = (rules(), plan());
    let ctx = Decide {
        rules: &r,
        plan: &p,
        today: day(TODAY),
    };
    flow::approve(store, &actor, id, None, "同意", &ctx)
}

fn rule_key(e: &WorkflowError) -> &'static str {
    match e {
        WorkflowError::Rule { key, .. } => key,
        WorkflowError::Denied { refusal, .. } => refusal.code(),
        _ => "other",
    }
}

#[test]
fn the_nightly_check_opens_one_proposal_per_loan_updates_it_and_never_changes_a_class() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
            loan("HT-3", "B3", 1000, Substandard),
        ],
        &[
            status("HT-1", "2026-06-30", 95, 100),
            status("HT-3", "2026-06-30", 95, 100),
        ],
    );
    let mut store = Store::open(&path).expect("open");
    let li = who(&store, "li");
    let r = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("classify");
    assert_eq!((r.loans, r.below_floor, r.opened), (3, 1, 1));
    let rows = pending(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].contract_no, "HT-1");
    assert_eq!(rows[0].proposed, "substandard");
    assert_eq!(rows[0].proposer, "system");
    assert_eq!(
        postloan::engine::classify::floor_text(
            postloan::i18n::Lang::En,
            "substandard",
            rows[0].floor_reason.as_deref().unwrap_or(""),
            rows[0].floor_value.as_deref().unwrap_or(""),
            rows[0].floor_limit.as_deref().unwrap_or("")
        ),
        "DPD 95 > 90: at least Substandard"
    );
    assert_eq!(class_of(&store, "HT-1"), Pass, "the check changes no class");
    // Again: no duplicate.
    let again = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("again");
    assert_eq!((again.opened, again.updated, again.kept), (0, 0, 1));
    assert_eq!(pending(&store).len(), 1);
    // The floor moves: the same proposal follows it.
    store
        .write(|tx| tx.upsert_repayment(&status("HT-1", "2026-06-30", 280, 100), "li"))
        .expect("status");
    let moved = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("moved");
    assert_eq!((moved.opened, moved.updated), (0, 1));
    let rows = pending(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].proposed, "doubtful");
    assert_eq!(rows[0].floor_value.as_deref(), Some("280"));
    // Approved: the loan is at its floor and the check leaves it alone.
    let id = rows[0].proposal_id;
    let done = approve(&mut store, "li", id).expect("approve");
    assert_eq!((done.from, done.to), (Pass, Doubtful));
    assert!(
        done.inspection_due.is_some(),
        "a downgrade plans a triggered inspection"
    );
    assert_eq!(class_of(&store, "HT-1"), Doubtful);
    let after = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("after");
    assert_eq!((after.below_floor, after.opened), (0, 0));
    let loan_id = store.class_loan("HT-1").expect("r").expect("l").id;
    let history = store.classification_history(loan_id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(
        (
            history[0].from.as_str(),
            history[0].to.as_str(),
            history[0].approver.as_str()
        ),
        ("pass", "doubtful", "li")
    );
    assert_eq!(history[0].floor.as_deref(), Some("doubtful"));
    // The nightly plan keeps the triggered inspection the downgrade planned.
    let cfg = postloan::engine::inspection_plan::PlanConfig::defaults().expect("plan config");
    let planned = |store: &Store| {
        store
            .inspection_count(&postloan::store::InspectionQuery {
                loan_id: Some(loan_id),
                kind: Some(postloan::domain::inspection::InspectionKind::Triggered),
                status: Some(postloan::domain::inspection::InspectionStatus::Planned),
                ..Default::default()
            })
            .expect("count")
    };
    assert_eq!(planned(&store), 1, "planned by the decision");
    postloan::workflow::inspection::plan_book(&mut store, &li, &cfg).expect("plan");
    assert_eq!(planned(&store), 1, "still planned after the nightly plan");
}

#[test]
fn a_floor_proposal_no_longer_needed_is_superseded_not_deleted() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[loan("HT-1", "B1", 1000, Pass)],
        &[status("HT-1", "2026-06-20", 30, 100)],
    );
    let mut store = Store::open(&path).expect("open");
    let li = who(&store, "li");
    assert_eq!(
        classify_book(&mut store, &li, &rules(), day(TODAY))
            .expect("c")
            .opened,
        1
    );
    store
        .write(|tx| tx.upsert_repayment(&status("HT-1", "2026-06-30", 0, 0), "li"))
        .expect("repaid");
    let r = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("c");
    assert_eq!(r.superseded, 1);
    assert!(pending(&store).is_empty());
    let all = store
        .classification_page(&ClassificationQuery::default(), None, 10)
        .expect("all");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, "superseded");
}

#[test]
fn contagion_at_ten_percent_is_not_and_at_eleven_is() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("A-1", "B10", 90, Pass),
            loan("A-2", "B10", 10, Substandard),
            loan("C-1", "B11", 89, Pass),
            loan("C-2", "B11", 11, Substandard),
        ],
        &[],
    );
    let mut store = Store::open(&path).expect("open");
    let li = who(&store, "li");
    let r = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("classify");
    assert_eq!(r.opened, 1);
    let rows = pending(&store);
    assert_eq!(rows[0].contract_no, "C-1");
    assert_eq!(rows[0].floor_reason.as_deref(), Some("contagion"));
    assert_eq!(rows[0].floor_value.as_deref(), Some("11"));
}

#[test]
fn approval_rights_follow_the_role_and_the_target_class() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
            loan("HT-3", "B3", 1000, Pass),
        ],
        &[],
    );
    let mut store = Store::open(&path).expect("open");
    // Anyone who may work on a loan proposes; an auditor may not.
    let e = propose(&mut store, "hu", "HT-1", SpecialMention).expect_err("auditor");
    assert_eq!(rule_key(&e), "role");
    let p1 = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("propose");
    let p2 = propose(&mut store, "zhang", "HT-2", Doubtful).expect("propose");
    let own = propose(&mut store, "wang", "HT-3", Substandard).expect("propose");
    // A specialist approves nothing; a supervisor up to 次级; never their own.
    assert_eq!(
        rule_key(&approve(&mut store, "zhao", p1).expect_err("specialist")),
        "role"
    );
    assert_eq!(
        rule_key(&approve(&mut store, "wang", p2).expect_err("doubtful")),
        "above_limit"
    );
    assert_eq!(
        rule_key(&approve(&mut store, "wang", own).expect_err("own")),
        "own_record"
    );
    approve(&mut store, "wang", p1).expect("supervisor to 关注");
    approve(&mut store, "li", p2).expect("manager to 可疑");
    approve(&mut store, "li", own).expect("someone else's");
    assert_eq!(class_of(&store, "HT-2"), Doubtful);
    // A decided proposal cannot be decided again.
    assert_eq!(
        rule_key(&approve(&mut store, "li", p1).expect_err("decided")),
        "classification_err.not_pending"
    );
    // Every upgrade out of non-performing is a manager's.
    let up = propose(&mut store, "zhang", "HT-2", SpecialMention).expect("propose");
    assert_eq!(
        rule_key(&approve(&mut store, "wang", up).expect_err("supervisor")),
        "above_limit"
    );
}

#[test]
fn an_approval_better_than_the_floor_is_refused_naming_the_floor() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[loan("HT-1", "B1", 1000, Pass)],
        &[status("HT-1", "2026-06-30", 95, 100)],
    );
    let mut store = Store::open(&path).expect("open");
    let id = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("propose");
    let e = approve(&mut store, "wang", id).expect_err("better than the floor");
    let en = e.localized(postloan::i18n::Lang::En);
    assert!(en.contains("DPD 95 > 90: at least Substandard"), "{en}");
    let zh = e.localized(postloan::i18n::Lang::ZhCn);
    assert!(zh.contains("DPD 95 > 90：至少次级"), "{zh}");
    assert_eq!(class_of(&store, "HT-1"), Pass);
}

#[test]
fn an_upgrade_out_of_npl_names_the_unmet_condition() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("HT-1", "B1", 1000, Substandard),
            loan("HT-2", "B1", 100, Substandard),
        ],
        &[status("HT-1", "2026-06-25", 5, 100)],
    );
    let mut store = Store::open(&path).expect("open");
    let id = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("propose");
    let e = approve(&mut store, "li", id).expect_err("arrears");
    assert_eq!(rule_key(&e), "classification_err.arrears_unpaid");
    // Repaid on 28 June: not six months of normal payment yet.
    store
        .write(|tx| tx.upsert_repayment(&status("HT-1", "2026-06-28", 0, 0), "li"))
        .expect("repaid");
    let e = approve(&mut store, "li", id).expect_err("too soon");
    assert_eq!(rule_key(&e), "classification_err.not_long_enough");
    assert!(
        e.localized(postloan::i18n::Lang::En).contains("2026-12-28"),
        "{}",
        e.localized(postloan::i18n::Lang::En)
    );
}

#[test]
fn an_upgrade_with_another_npl_loan_of_the_borrower_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("HT-1", "B1", 1000, Substandard),
            loan("HT-2", "B1", 1, Substandard),
        ],
        &[],
    );
    let mut store = Store::open(&path).expect("open");
    // No arrears ever, non-performing since disbursement (18 months ago).
    let id = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("propose");
    let e = approve(&mut store, "li", id).expect_err("other npl");
    assert_eq!(rule_key(&e), "classification_err.other_npl");
}

#[test]
fn a_restructured_loan_is_watched_and_not_upgraded_during_observation() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(dir.path(), &[loan("HT-1", "B1", 1000, Substandard)], &[]);
    let mut store = Store::open(&path).expect("open");
    let zhang = who(&store, "zhang");
    let e = flow::record_event(
        &mut store,
        &zhang,
        false,
        "HT-1",
        day("2026-05-02"),
        "展期",
        day(TODAY),
    )
    .expect_err("a specialist may not");
    assert_eq!(rule_key(&e), "role");
    let wang = who(&store, "wang");
    flow::record_event(
        &mut store,
        &wang,
        false,
        "HT-1",
        day("2026-05-02"),
        "展期",
        day(TODAY),
    )
    .expect("restructure");
    let id = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("propose");
    let e = approve(&mut store, "li", id).expect_err("observation");
    assert_eq!(rule_key(&e), "classification_err.in_observation");
    // Disbursed 15 Jan, quarterly: starts 15 Jul 2026, a year long.
    assert!(e.localized(postloan::i18n::Lang::En).contains("2027-07-15"));
    // And the floor keeps a 正常 restructured loan at 关注.
    let li = who(&store, "li");
    let path2 = book_with(
        &dir.path().join("b"),
        &[loan("HT-9", "B9", 1000, Pass)],
        &[],
    );
    drop(store);
    let mut other = Store::open(&path2).expect("open");
    let wang = who(&other, "wang");
    flow::record_event(
        &mut other,
        &wang,
        false,
        "HT-9",
        day("2026-05-02"),
        "展期",
        day(TODAY),
    )
    .expect("restructure");
    let r = classify_book(&mut other, &li, &rules(), day(TODAY)).expect("classify");
    assert_eq!(r.opened, 1);
    assert_eq!(
        pending(&other)[0].floor_reason.as_deref(),
        Some("restructured")
    );
}

#[test]
fn bulk_approval_lists_each_and_one_refusal_stops_none_of_the_others() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
            loan("HT-3", "B3", 1000, Pass),
        ],
        &[],
    );
    let mut store = Store::open(&path).expect("open");
    let a = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("p");
    let b = propose(&mut store, "zhang", "HT-2", Loss).expect("p");
    let c = propose(&mut store, "zhang", "HT-3", Substandard).expect("p");
    let wang = who(&store, "wang");
    let (r, p) = (rules(), plan());
    let ctx = Decide {
        rules: &r,
        plan: &p,
        today: day(TODAY),
    };
    let out = flow::approve_many(&mut store, &wang, &[a, b, c], "", &ctx);
    assert_eq!(out.len(), 3);
    assert!(out[0].1.is_ok());
    assert_eq!(
        rule_key(out[1].1.as_ref().expect_err("loss")),
        "above_limit"
    );
    assert!(out[2].1.is_ok());
    assert_eq!(class_of(&store, "HT-1"), SpecialMention);
    assert_eq!(class_of(&store, "HT-2"), Pass);
    assert_eq!(class_of(&store, "HT-3"), Substandard);
}

#[test]
fn rejecting_needs_a_reason_and_someone_else() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(dir.path(), &[loan("HT-1", "B1", 1000, Pass)], &[]);
    let mut store = Store::open(&path).expect("open");
    let id = propose(&mut store, "wang", "HT-1", SpecialMention).expect("p");
    let wang = who(&store, "wang");
    let e = flow::reject(&mut store, &wang, id, None, "不同意").expect_err("own");
    assert_eq!(rule_key(&e), "own_record");
    let li = who(&store, "li");
    let e = flow::reject(&mut store, &li, id, None, "  ").expect_err("empty");
    assert_eq!(rule_key(&e), "classification_err.reason_required");
    flow::reject(&mut store, &li, id, None, "依据不足").expect("reject");
    assert_eq!(class_of(&store, "HT-1"), Pass);
    // A stale version is refused with who changed it.
    let id = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("p");
    let e = flow::reject(&mut store, &li, id, Some(7), "x").expect_err("stale");
    // A version the proposal never had says where it stands (issue #11 follow-up, point 10).
    assert!(
        e.to_string()
            .contains("version 7 does not exist yet; the record is at version 1"),
        "{e}"
    );
}

// ---- the command line ----

fn cmd(home: &Path, book: &Path, user: &str) -> Command {
    let mut c = Command::cargo_bin("postloan").expect("the binary");
    c.env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("LANG", "en_US.UTF-8")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--db")
        .arg(book)
        .arg("--as")
        .arg(user);
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn the_command_line_speaks_the_contract_and_exits_non_zero_on_a_refusal() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(
        h,
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
        ],
        &[status("HT-1", "2026-06-30", 95, 100)],
    );
    let said = ok(cmd(h, &b, "li").args(["classify", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&said).expect("JSON");
    assert_eq!(v["opened"], 1);
    let json =
        ok(cmd(h, &b, "zhang").args(["classification", "--below-floor", "--format", "json"]));
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let row = &rows[0];
    for k in [
        "contract_no",
        "borrower_name",
        "current",
        "floor",
        "floor_reason",
        "proposal_id",
        "proposed",
        "status",
    ] {
        assert!(keys(row).contains(&k.to_string()), "{k} in {row}");
    }
    assert_eq!(row["current"], "pass");
    assert_eq!(row["floor"], "substandard");
    assert_eq!(row["floor_reason"], "DPD 95 > 90: at least Substandard");
    let floor_id = row["proposal_id"].as_i64().expect("id");
    // Propose in Chinese class names; prints the id.
    let id = ok(cmd(h, &b, "zhang").args([
        "classification",
        "propose",
        "HT-2",
        "--to",
        "关注",
        "--reason",
        "经营恶化",
    ]));
    let id: i64 = id.trim().parse().expect("an id");
    // A bad class is refused.
    let out = cmd(h, &b, "zhang")
        .args([
            "classification",
            "propose",
            "HT-2",
            "--to",
            "bad",
            "--reason",
            "x",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a usage error: not one of the classes"
    );
    // Bulk: one approved, one refused (the supervisor's own? no: above the floor is fine);
    // a missing id refused: one line each, exit 1.
    let out = cmd(h, &b, "wang")
        .args([
            "classification",
            "approve",
            &id.to_string(),
            "999",
            &floor_id.to_string(),
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(String::from).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with(&format!("{id} approved")), "{lines:?}");
    assert!(lines[1].starts_with("999 refused"), "{lines:?}");
    assert!(
        lines[2].starts_with(&format!("{floor_id} approved")),
        "{lines:?}"
    );
    // History in JSON.
    let json = ok(cmd(h, &b, "hu").args(["classification", "history", "HT-2", "--format", "json"]));
    let hist: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    for k in [
        "from",
        "to",
        "effective_on",
        "reason",
        "basis",
        "proposer",
        "approver",
        "decided_at",
    ] {
        assert!(keys(&hist[0]).contains(&k.to_string()), "{k}");
    }
    assert_eq!(hist[0]["to"], "special_mention");
    assert_eq!(hist[0]["approver"], "wang");
    // Reject without a reason, and an auditor's restructuring: refused, non-zero, said why.
    let out = cmd(h, &b, "hu")
        .args([
            "loan",
            "restructure",
            "HT-2",
            "--on",
            "2026-06-01",
            "--reason",
            "展期",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("may not"),
        "{}",
        text(&out.stderr)
    );
    ok(cmd(h, &b, "wang").args([
        "loan",
        "impaired",
        "HT-2",
        "--on",
        "2026-06-01",
        "--reason",
        "减值",
    ]));
    let said = ok(cmd(h, &b, "li").args(["classify"]));
    assert!(said.contains("1 better than their floor"), "{said}");
}

#[test]
fn the_loans_import_sets_a_new_loans_class_and_proposes_a_change_for_an_existing_one() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(h, &[loan("HT-1", "B1", 1000, Pass)], &[]);
    let head = "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,\
outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency,\
classification,restructured_on,credit_impaired\n";
    let file = h.join("loans.csv");
    std::fs::write(
        &file,
        format!(
            "{head}HT-1,B1,B1 机械有限公司,流贷,采购,CNY,1000,900,4.35,2025-01-15,2028-01-15,抵押,zhang,季,次级,,\n\
HT-5,B5,新公司,流贷,采购,CNY,1000,1000,4.35,2025-01-15,2028-01-15,抵押,zhang,季,关注,2026-05-02,是\n"
        ),
    )
    .expect("write");
    ok(cmd(h, &b, "li").args(["import", "loans"]).arg(&file));
    let store = Store::open(&b).expect("open");
    assert_eq!(class_of(&store, "HT-1"), Pass, "never a silent change");
    assert_eq!(
        class_of(&store, "HT-5"),
        SpecialMention,
        "a new loan takes the file's"
    );
    let rows = pending(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].contract_no.as_str(),
            rows[0].proposed.as_str(),
            rows[0].basis.as_str()
        ),
        ("HT-1", "substandard", "import")
    );
    let id = store.class_loan("HT-1").expect("r").expect("l").id;
    assert_eq!(
        store.loan_balances(id).expect("balances"),
        vec![(day(TODAY), Decimal::from(900))]
    );
    drop(store);
    // Again: nothing new.
    ok(cmd(h, &b, "li").args(["import", "loans"]).arg(&file));
    let store = Store::open(&b).expect("open");
    assert_eq!(pending(&store).len(), 1);
    // HT-5 is impaired and restructured: classify sees both (次级 by impairment).
    drop(store);
    let mut store = Store::open(&b).expect("open");
    let li = who(&store, "li");
    classify_book(&mut store, &li, &rules(), day(TODAY)).expect("classify");
    let rows = pending(&store);
    let ht5 = rows.iter().find(|r| r.contract_no == "HT-5").expect("HT-5");
    assert_eq!(ht5.floor_reason.as_deref(), Some("impaired"));
}

#[test]
fn an_approved_inspection_report_proposing_another_class_opens_a_proposal() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(h, &[loan("HT-1", "B1", 1000, Pass)], &[]);
    let n = ok(cmd(h, &b, "zhang").args(["inspection", "start", "HT-1", "--kind", "routine"]));
    let n = n.trim();
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
        "关注。",
    ]));
    ok(cmd(h, &b, "zhang").args(["inspection", "propose-class", n, "special_mention"]));
    ok(cmd(h, &b, "zhang").args(["inspection", "submit", n]));
    ok(cmd(h, &b, "wang").args(["inspection", "approve", n]));
    let store = Store::open(&b).expect("open");
    let rows = pending(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].basis, "inspection");
    assert_eq!(rows[0].basis_ref, n);
    assert_eq!(rows[0].proposer, "zhang");
    assert_eq!(rows[0].proposed, "special_mention");
}

#[test]
fn migration_and_provisions_on_a_hand_made_book() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(
        h,
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
            loan("HT-3", "B3", 500, SpecialMention),
        ],
        &[],
    );
    {
        let mut store = Store::open(&b).expect("open");
        store
            .write(|tx| -> postloan::store::Result<()> {
                for (no, on, amount) in [
                    ("HT-1", "2026-01-01", 1000),
                    ("HT-2", "2026-01-01", 1000),
                    ("HT-2", "2026-06-30", 400),
                    ("HT-3", "2026-01-01", 500),
                    ("HT-3", "2026-06-30", 0),
                ] {
                    let id = tx.class_loan(no)?.map(|l| l.id).unwrap_or_default();
                    tx.record_balance(id, day(on), Decimal::from(amount))?;
                }
                Ok(())
            })
            .expect("balances");
        let zhang = who(&store, "zhang");
        let id = flow::propose(
            &mut store,
            &zhang,
            &Proposal {
                contract_no: "HT-1",
                to: Substandard,
                reason: "经营困难",
                basis: Basis::Judgement,
                effective_on: Some(day("2026-03-01")),
            },
            &rules(),
            day(TODAY),
        )
        .expect("propose");
        approve(&mut store, "li", id).expect("approve");
    }
    let json = ok(cmd(h, &b, "hu").args([
        "report",
        "migration",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["matrix_count"]["pass"]["pass"], 1);
    assert_eq!(v["matrix_count"]["pass"]["substandard"], 1);
    assert_eq!(v["matrix_count"]["special_mention"]["closed"], 1);
    assert_eq!(v["matrix_balance"]["pass"]["substandard"], "1000.00");
    // 正常: 1,000 moved over 2,000 − 600 repaid; 关注: all of it repaid, no rate.
    assert_eq!(v["rates"]["pass"], "71.43");
    assert_eq!(v["rates"]["special_mention"], serde_json::Value::Null);
    assert_eq!(v["rates"]["normal"], "71.43");
    assert_eq!(v["npl_ratio_from"], "0");
    assert_eq!(v["npl_ratio_to"], "71.43");
    // The table says the same figures (its lines are the pane's, at the CLI's widths).
    let table = ok(cmd(h, &b, "hu").args([
        "report",
        "migration",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
    ]));
    let pass_rows: Vec<Vec<&str>> = table
        .lines()
        .filter(|l| l.starts_with("Pass ") || l.starts_with("正常 "))
        .map(|l| l.split_whitespace().skip(1).collect())
        .collect();
    assert_eq!(pass_rows.len(), 2, "{table}");
    assert_eq!(pass_rows[0], ["1", "0", "1", "0", "0", "0"], "{table}");
    assert_eq!(
        pass_rows[1],
        ["1,000.00", "0.00", "1,000.00", "0.00", "0.00", "0.00"],
        "{table}"
    );
    assert!(table.contains("71.43%"), "{table}");
    let out = cmd(h, &b, "hu")
        .args([
            "report",
            "migration",
            "--from",
            "2026-07-01",
            "--to",
            "2026-06-30",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a range that ends before it starts"
    );
    // Provisions with an actual reserve from a config file.
    let cfg = h.join("p.toml");
    std::fs::write(&cfg, "[provisions.reserves]\n\"2026-06-30\" = \"300\"\n").expect("config");
    let json = ok(cmd(h, &b, "hu").arg("--config").arg(&cfg).args([
        "report",
        "provisions",
        "--as-of",
        "2026-06-30",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["classes"]["substandard"]["reserve"], "250.00");
    assert_eq!(v["general_reserve"], "14.00");
    assert_eq!(v["reference_reserve"], "264.00");
    assert_eq!(v["provision_coverage"], "30");
    assert_eq!(v["loan_provision_ratio"], "21.43");
}

#[test]
fn to_decide_lists_what_the_user_may_decide_and_expected_versions_refuse_stale_decisions() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(
        h,
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
            loan("HT-3", "B3", 1000, Pass),
        ],
        &[],
    );
    let propose = |user: &str, no: &str, to: &str| -> i64 {
        ok(cmd(h, &b, user).args(["classification", "propose", no, "--to", to, "--reason", "x"]))
            .trim()
            .parse()
            .expect("an id")
    };
    let to_sm = propose("zhang", "HT-1", "special_mention");
    let to_loss = propose("zhang", "HT-2", "loss");
    let by_wang = propose("wang", "HT-3", "special_mention");
    let listed = |user: &str| -> Vec<(i64, i64)> {
        let json = ok(cmd(h, &b, user).args(["classification", "--to-decide", "--format", "json"]));
        let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        rows.as_array()
            .expect("array")
            .iter()
            .map(|r| {
                (
                    r["proposal_id"].as_i64().expect("id"),
                    r["version"].as_i64().expect("version"),
                )
            })
            .collect()
    };
    // A supervisor: up to 次级, never their own; a manager: all of them.
    assert_eq!(listed("wang"), [(to_sm, 1)]);
    assert_eq!(listed("li"), [(to_sm, 1), (to_loss, 1), (by_wang, 1)]);
    // A specialist or an auditor decides nothing: refused, saying why, exit 1.
    for user in ["zhang", "hu"] {
        let out = cmd(h, &b, user)
            .args(["classification", "--to-decide"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1), "{user}");
        let err = text(&out.stderr);
        assert!(
            err.contains(user) && err.contains("supervisors and managers"),
            "{err}"
        );
        assert!(text(&out.stdout).is_empty());
    }
    // A stale version is refused naming the current one; the right one decides.
    let out = cmd(h, &b, "wang")
        .args([
            "classification",
            "approve",
            &to_sm.to_string(),
            "--expected-version",
            "7",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(
        said.contains("version 7 does not exist yet; the record is at version 1"),
        "{said}"
    );
    assert_eq!(class_of(&Store::open(&b).expect("open"), "HT-1"), Pass);
    // With several ids it is refused before anything is decided.
    let out = cmd(h, &b, "li")
        .args([
            "classification",
            "approve",
            &to_sm.to_string(),
            &to_loss.to_string(),
            "--expected-version",
            "1",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("single"),
        "{}",
        text(&out.stderr)
    );
    ok(cmd(h, &b, "wang").args([
        "classification",
        "approve",
        &to_sm.to_string(),
        "--expected-version",
        "1",
    ]));
    assert_eq!(
        class_of(&Store::open(&b).expect("open"), "HT-1"),
        SpecialMention
    );
    // Reject: stale refused (exit 1, the current version named), then done with the right one.
    let out = cmd(h, &b, "li")
        .args([
            "classification",
            "reject",
            &to_loss.to_string(),
            "--reason",
            "no",
            "--expected-version",
            "3",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("version 3 does not exist yet; the record is at version 1"),
        "{err}"
    );
    ok(cmd(h, &b, "li").args([
        "classification",
        "reject",
        &to_loss.to_string(),
        "--reason",
        "no",
        "--expected-version",
        "1",
    ]));
    assert_eq!(listed("li"), [(by_wang, 1)]);
}

/// The audit log's (action, subject) pairs, oldest first (read directly: a test's look).
fn audit_actions(book: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(book).expect("open");
    let mut stmt = conn
        .prepare("SELECT action, entity_key FROM audit_log ORDER BY id")
        .expect("audit");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("audit rows")
}

#[test]
fn an_impairment_cleared_ends_its_floor_from_that_date_and_keeps_its_history() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(h, &[loan("HT-1", "B1", 1000, Pass)], &[]);
    ok(cmd(h, &b, "wang").args([
        "loan",
        "impaired",
        "HT-1",
        "--on",
        "2026-03-01",
        "--reason",
        "减值",
    ]));
    let below = |as_of: &str| -> i64 {
        let json = ok(cmd(h, &b, "li").args(["classify", "--as-of", as_of, "--format", "json"]));
        let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        v["below_floor"].as_i64().expect("count")
    };
    assert_eq!(below("2026-05-31"), 1, "impaired: at least 次级");
    let clear = |user: &str, on: &str| {
        cmd(h, &b, user)
            .args(["loan", "impaired", "HT-1", "--cleared", "--on", on])
            .args(["--reason", "重组后恢复"])
            .output()
            .expect("runs")
    };
    // A specialist may not; nor before the impairment began.
    let out = clear("zhang", "2026-06-01");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("zhang"), "{}", text(&out.stderr));
    let out = clear("wang", "2026-02-01");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("recorded from 2026-03-01"),
        "{}",
        text(&out.stderr)
    );
    let out = clear("wang", "2026-06-01");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ended from 2026-06-01"));
    // Before the date the floor still held; from it, no more.
    assert_eq!(below("2026-05-31"), 1);
    assert_eq!(below("2026-06-01"), 0);
    assert_eq!(below("2026-06-30"), 0);
    // Nothing left to clear.
    let out = clear("li", "2026-06-30");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no credit impairment"));
    // The impairment's row is kept, with when and why it ended; both steps audited.
    let conn = rusqlite::Connection::open(&b).expect("open");
    let rows: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare("SELECT on_date, cleared_on, cleared_by FROM loan_impairments")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        rows,
        [(
            "2026-03-01".to_string(),
            Some("2026-06-01".to_string()),
            Some("wang".to_string())
        )]
    );
    let actions = audit_actions(&b);
    assert!(actions.contains(&("classification.impaired".into(), "HT-1".into())));
    assert!(actions.contains(&("classification.impairment_cleared".into(), "HT-1".into())));
    // An impairment dated inside the cleared period is refused, naming it.
    let out = cmd(h, &b, "wang")
        .args(["loan", "impaired", "HT-1", "--on", "2026-04-01"])
        .args(["--reason", "补登"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cleared on 2026-06-01"),
        "{}",
        text(&out.stderr)
    );
    // Impaired again later: a new record, the floor back.
    ok(cmd(h, &b, "wang").args([
        "loan",
        "impaired",
        "HT-1",
        "--on",
        "2026-06-20",
        "--reason",
        "再次减值",
    ]));
    assert_eq!(below("2026-06-30"), 1);
}

#[test]
fn an_import_saying_not_impaired_clears_a_current_impairment_with_an_audit_row() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(
        h,
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
        ],
        &[],
    );
    ok(cmd(h, &b, "wang").args([
        "loan",
        "impaired",
        "HT-1",
        "--on",
        "2026-03-01",
        "--reason",
        "减值",
    ]));
    let head = "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,\
outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency,\
credit_impaired\n";
    let file = h.join("loans.csv");
    std::fs::write(
        &file,
        format!(
            "{head}HT-1,B1,B1 机械有限公司,流贷,采购,CNY,1000,1000,4.35,2025-01-15,2028-01-15,抵押,zhang,季,否\n\
HT-2,B2,B2 机械有限公司,流贷,采购,CNY,1000,1000,4.35,2025-01-15,2028-01-15,抵押,zhang,季,0\n"
        ),
    )
    .expect("write");
    ok(cmd(h, &b, "li").args(["import", "loans"]).arg(&file));
    let conn = rusqlite::Connection::open(&b).expect("open");
    let cleared: Vec<(String, Option<String>, Option<String>)> = conn
        .prepare("SELECT on_date, cleared_on, cleared_reason FROM loan_impairments")
        .expect("sql")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        cleared,
        [(
            "2026-03-01".to_string(),
            Some(TODAY.to_string()),
            Some("import".to_string())
        )]
    );
    let actions = audit_actions(&b);
    let clears: Vec<_> = actions
        .iter()
        .filter(|(a, _)| a == "classification.impairment_cleared")
        .collect();
    // HT-2 was never impaired: nothing to clear, no row.
    assert_eq!(
        clears,
        [&(
            "classification.impairment_cleared".to_string(),
            "HT-1".to_string()
        )]
    );
    // Imported again: nothing more.
    ok(cmd(h, &b, "li").args(["import", "loans"]).arg(&file));
    assert_eq!(
        audit_actions(&b)
            .iter()
            .filter(|(a, _)| a == "classification.impairment_cleared")
            .count(),
        1
    );
}

#[test]
fn proposals_by_age_count_from_the_books_date_not_the_wall_clock() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(
        h,
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
            loan("HT-3", "B3", 1000, Pass),
            loan("HT-4", "B4", 1000, Pass),
        ],
        &[],
    );
    let mut store = Store::open(&b).expect("open");
    let zhang = who(&store, "zhang");
    // Made on the book's dates 2, 7, 30 and 31 days before its as-of date (the wall clock,
    // months later, would put them all under a week).
    for (no, on) in [
        ("HT-1", "2026-06-28"),
        ("HT-2", "2026-06-23"),
        ("HT-3", "2026-05-31"),
        ("HT-4", "2026-05-30"),
    ] {
        flow::propose(
            &mut store,
            &zhang,
            &Proposal {
                contract_no: no,
                to: SpecialMention,
                reason: "x",
                basis: Basis::Judgement,
                effective_on: None,
            },
            &rules(),
            day(on),
        )
        .expect("propose");
    }
    let p = store.class_portfolio(day(TODAY)).expect("portfolio");
    // < 7 days: HT-1; 7–30: HT-2 (7) and HT-3 (30); > 30: HT-4.
    assert_eq!(p.ages, [1, 2, 1]);
    // A week later on the book's clock: 9, 14, 37 and 38 days.
    let p = store.class_portfolio(day("2026-07-07")).expect("portfolio");
    assert_eq!(p.ages, [0, 2, 2]);
}

#[test]
fn a_back_dated_classify_reads_each_loans_status_on_that_date_whatever_the_ids_spread() {
    // Spread: the back-dated loans far apart among loans without any status (one probe per
    // loan); close: next to each other (one range scan). Both must read the same statuses.
    for spread in [true, false] {
        let dir = tempfile::tempdir().expect("dir");
        let h = dir.path();
        let n = if spread { 100 } else { 3 };
        let loans: Vec<LoanRecord> = (0..n)
            .map(|i| loan(&format!("HT-{i:03}"), &format!("B{i:03}"), 1000, Pass))
            .collect();
        let last = format!("HT-{:03}", n - 1);
        let mid = format!("HT-{:03}", n / 2);
        let b = book_with(
            h,
            &loans,
            &[
                status("HT-000", "2026-03-31", 95, 100),
                status("HT-000", "2026-06-30", 0, 0),
                status(&last, "2026-03-31", 300, 100),
                status(&last, "2026-06-30", 0, 0),
                // Only a status after the date: nothing overdue on it.
                status(&mid, "2026-06-30", 400, 100),
            ],
        );
        let json =
            ok(cmd(h, &b, "li").args(["classify", "--as-of", "2026-04-30", "--format", "json"]));
        let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(v["below_floor"], 2, "spread {spread}: {v}");
        let store = Store::open(&b).expect("open");
        let mut floors: Vec<(String, Option<String>)> = pending(&store)
            .into_iter()
            .map(|r| (r.contract_no, r.floor))
            .collect();
        floors.sort();
        assert_eq!(
            floors,
            [
                ("HT-000".to_string(), Some("substandard".to_string())),
                (last.clone(), Some("doubtful".to_string())),
            ],
            "spread {spread}"
        );
        drop(store);
        // On the latest date: HT-000 and the last are current again, the middle one overdue.
        let json = ok(cmd(h, &b, "li").args(["classify", "--format", "json"]));
        let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(v["below_floor"], 1, "spread {spread}: {v}");
    }
}

// ---- the outside test's findings (issue #10) ----

fn propose_on(
    store: &mut Store,
    user: &str,
    no: &str,
    to: Classification,
    basis: Basis,
    effective_on: Option<&str>,
) -> Result<i64, WorkflowError> {
    let actor = who(store, user);
    flow::propose(
        store,
        &actor,
        &Proposal {
            contract_no: no,
            to,
            reason: "判断",
            basis,
            effective_on: effective_on.map(day),
        },
        &rules(),
        day(TODAY),
    )
}

fn said(e: &WorkflowError, lang: postloan::i18n::Lang) -> String {
    e.localized(lang)
}

/// A pending proposal written straight into the store, as older books or an import hold them.
fn stored_proposal(store: &mut Store, no: &str, to: Classification, basis: &str, by: &str) -> i64 {
    let l = store.class_loan(no).expect("read").expect("loan");
    store
        .write(|tx| {
            tx.insert_proposal(&postloan::store::NewProposal {
                loan_id: l.id,
                from: l.class,
                to,
                basis,
                basis_ref: "",
                reason: "",
                floor: None,
                effective_on: day(TODAY),
                proposed_on: day(TODAY),
                proposer: by,
            })
        })
        .expect("insert")
}

#[test]
fn effective_dates_before_disbursement_or_the_latest_decision_are_refused_at_propose_and_approve() {
    use postloan::i18n::Lang;
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(dir.path(), &[loan("HT-1", "B1", 1000, Pass)], &[]);
    let mut store = Store::open(&path).expect("open");
    let e = propose_on(
        &mut store,
        "zhang",
        "HT-1",
        SpecialMention,
        Basis::Judgement,
        Some("2024-12-31"),
    )
    .expect_err("before disbursement");
    assert_eq!(
        rule_key(&e),
        "classification_err.effective_before_disbursed"
    );
    assert!(said(&e, Lang::En).contains("on or after 2025-01-15"), "{e}");
    assert!(said(&e, Lang::ZhCn).contains("2025-01-15 或之后"));
    // Two proposals; the later-dated one approved first: the earlier one is refused at approve.
    let early = propose_on(
        &mut store,
        "zhang",
        "HT-1",
        SpecialMention,
        Basis::Judgement,
        Some("2026-05-01"),
    )
    .expect("early");
    let late = propose_on(
        &mut store,
        "zhao",
        "HT-1",
        Substandard,
        Basis::Judgement,
        Some("2026-06-10"),
    )
    .expect("late");
    let done = approve(&mut store, "li", late).expect("late approved");
    // Due from the book's today, not from the effective date.
    let due = done
        .inspection_due
        .expect("a downgrade plans a triggered inspection");
    assert!(due > day(TODAY), "{due}");
    let e = approve(&mut store, "li", early).expect_err("before the decision");
    assert_eq!(rule_key(&e), "classification_err.effective_before_decision");
    assert!(said(&e, Lang::En).contains("on or after 2026-06-10"), "{e}");
    assert_eq!(class_of(&store, "HT-1"), Substandard);
    // And at propose.
    let e = propose_on(
        &mut store,
        "zhang",
        "HT-1",
        Doubtful,
        Basis::Judgement,
        Some("2026-06-09"),
    )
    .expect_err("before the decision");
    assert_eq!(rule_key(&e), "classification_err.effective_before_decision");
    propose_on(
        &mut store,
        "zhang",
        "HT-1",
        Doubtful,
        Basis::Judgement,
        Some("2026-06-10"),
    )
    .expect("on the decision's date");
    // classify --as-of after the book's today is refused, non-zero, saying why.
    let out = cmd(dir.path(), &path, "li")
        .args(["classify", "--as-of", "2026-07-01"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("after today (2026-06-30)"),
        "{}",
        text(&out.stderr)
    );
    ok(cmd(dir.path(), &path, "li").args(["classify", "--as-of", TODAY]));
}

#[test]
fn approving_a_proposal_to_the_loans_class_is_refused_in_bulk_too_and_duplicates_at_propose() {
    use postloan::i18n::Lang;
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(
        dir.path(),
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
        ],
        &[],
    );
    let mut store = Store::open(&path).expect("open");
    let a = propose(&mut store, "zhang", "HT-1", SpecialMention).expect("a");
    let e = propose(&mut store, "zhao", "HT-1", SpecialMention).expect_err("duplicate");
    assert_eq!(rule_key(&e), "classification_err.duplicate_pending");
    assert!(said(&e, Lang::En).contains(&format!("({a})")), "{e}");
    assert!(
        said(&e, Lang::ZhCn).contains("关注"),
        "{}",
        said(&e, Lang::ZhCn)
    );
    // An import's proposal to the same class (the import has its own check) approved first.
    let b = stored_proposal(&mut store, "HT-1", SpecialMention, "import", "zhao");
    let c = propose(&mut store, "zhang", "HT-2", SpecialMention).expect("c");
    approve(&mut store, "wang", b).expect("b");
    let wang = who(&store, "wang");
    let (r, p) = (rules(), plan());
    let ctx = Decide {
        rules: &r,
        plan: &p,
        today: day(TODAY),
    };
    let out = flow::approve_many(&mut store, &wang, &[a, c], "", &ctx);
    let e = out[0].1.as_ref().expect_err("already");
    assert_eq!(rule_key(e), "classification_err.already_class");
    assert!(
        said(e, Lang::ZhCn).contains("已是关注"),
        "{}",
        said(e, Lang::ZhCn)
    );
    assert!(said(e, Lang::En).contains("already Special mention"), "{e}");
    assert!(out[1].1.is_ok());
    assert_eq!(class_of(&store, "HT-2"), SpecialMention);
    // The same class proposed: said in words, not codes.
    let e = propose(&mut store, "zhang", "HT-2", SpecialMention).expect_err("same");
    assert!(
        said(&e, Lang::En).contains("already Special mention"),
        "{e}"
    );
    // A decided proposal's status in words; no doubled prefix in a bulk refusal line.
    let e = approve(&mut store, "wang", c).expect_err("decided");
    assert!(
        said(&e, Lang::ZhCn).contains("已批准"),
        "{}",
        said(&e, Lang::ZhCn)
    );
    let out = cmd(dir.path(), &path, "wang")
        .args([
            "--lang",
            "zh-CN",
            "classification",
            "approve",
            &a.to_string(),
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let line = text(&out.stdout);
    assert_eq!(line.matches("不予批准").count(), 1, "{line}");
    // The zh history table says the basis in words.
    let h = ok(cmd(dir.path(), &path, "wang").args([
        "--lang",
        "zh-CN",
        "classification",
        "history",
        "HT-2",
    ]));
    assert!(h.contains("判断") && !h.contains("judgement"), "{h}");
}

#[test]
fn a_reason_over_the_limit_is_refused_naming_the_limit() {
    use postloan::i18n::Lang;
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(dir.path(), &[loan("HT-1", "B1", 1000, Pass)], &[]);
    let mut store = Store::open(&path).expect("open");
    let actor = who(&store, "zhang");
    let long = "理".repeat(flow::REASON_MAX_CHARS + 1);
    let e = flow::propose(
        &mut store,
        &actor,
        &Proposal {
            contract_no: "HT-1",
            to: SpecialMention,
            reason: &long,
            basis: Basis::Judgement,
            effective_on: None,
        },
        &rules(),
        day(TODAY),
    )
    .expect_err("too long");
    assert_eq!(rule_key(&e), "classification_err.reason_too_long");
    assert!(e.localized(Lang::ZhCn).contains("2000"), "{e}");
    let just = "理".repeat(flow::REASON_MAX_CHARS);
    flow::propose(
        &mut store,
        &actor,
        &Proposal {
            contract_no: "HT-1",
            to: SpecialMention,
            reason: &just,
            basis: Basis::Judgement,
            effective_on: None,
        },
        &rules(),
        day(TODAY),
    )
    .expect("at the limit");
}

#[test]
fn the_nightly_check_never_closes_a_persons_proposal_and_a_person_cannot_choose_floor() {
    let dir = tempfile::tempdir().expect("dir");
    let path = book_with(dir.path(), &[loan("HT-1", "B1", 1000, SpecialMention)], &[]);
    let mut store = Store::open(&path).expect("open");
    let e = propose_on(&mut store, "zhang", "HT-1", Substandard, Basis::Floor, None)
        .expect_err("floor");
    assert_eq!(rule_key(&e), "classification_err.floor_is_the_checks");
    assert!(e.to_string().contains("judgement"), "{e}");
    // A person's floor proposal from an older book: the loan needs none, yet it stays.
    let id = stored_proposal(&mut store, "HT-1", Substandard, "floor", "zhang");
    let li = who(&store, "li");
    let r = classify_book(&mut store, &li, &rules(), day(TODAY)).expect("classify");
    assert_eq!(r.superseded, 0);
    let rows = pending(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].proposal_id, id);
}

#[test]
fn a_basis_warning_or_inspection_must_be_the_loans_own() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book_with(
        h,
        &[
            loan("HT-1", "B1", 1000, Pass),
            loan("HT-2", "B2", 1000, Pass),
        ],
        &[],
    );
    let n = ok(cmd(h, &b, "zhang").args(["inspection", "start", "HT-1", "--kind", "routine"]));
    let n = n.trim();
    let mut store = Store::open(&b).expect("open");
    let e = propose_on(
        &mut store,
        "zhang",
        "HT-2",
        SpecialMention,
        Basis::Inspection(n.to_string()),
        None,
    )
    .expect_err("another loan's");
    assert_eq!(rule_key(&e), "classification_err.basis_inspection_other");
    assert!(e.to_string().contains("about loan HT-1"), "{e}");
    let e = propose_on(
        &mut store,
        "zhang",
        "HT-2",
        SpecialMention,
        Basis::Warning("YJ-NONE".into()),
        None,
    )
    .expect_err("missing");
    assert!(matches!(e, WorkflowError::NotFound { .. }), "{e}");
    propose_on(
        &mut store,
        "zhang",
        "HT-1",
        SpecialMention,
        Basis::Inspection(n.to_string()),
        None,
    )
    .expect("its own");
}
