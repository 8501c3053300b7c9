//! The command pattern on temporary books: refusals name who may and leave an audit row,
//! stale edits from a second session are refused naming who changed the record, and compound
//! commands are one transaction with an audit entry for every change.

mod support;

use chrono::NaiveDate;
use postloan::domain::warning::{Level, ManualSignal, RiskType, WarningMove, WarningStatus};
use postloan::domain::{Role, StaffRecord};
use postloan::engine::rules::RuleSet;
use postloan::extract::ExtractKind;
use postloan::i18n::Lang;
use postloan::store::{PageFrom, Store, Table, WarningQuery};
use postloan::workflow::warning::{self, ManualWarning};
use postloan::workflow::{self, Actor, WorkflowError};
use support::book::TestBook;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const AS_OF: &str = "2026-06-30";

type Book = TestBook;

/// Loans L1..L`n` of borrower B1 (healthy statements), a specialist, a supervisor, an auditor.
fn book(n: usize) -> Book {
    TestBook::new().with_loans(n).with_statements(&[
        ("2025-06-30", 1000),
        ("2025-09-30", 1000),
        ("2025-12-31", 1000),
        ("2026-03-31", 1000),
    ])
}

/// `n` loans 45 days past due: each raises one DPD warning when evaluated.
fn overdue(b: &mut Book, n: usize) {
    let mut r = String::from("contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n");
    for i in 1..=n {
        r.push_str(&format!("L{i},{AS_OF},45,1000,10\n"));
    }
    b.import(ExtractKind::Repayments, &r);
}

fn active(store: &Store) -> Vec<postloan::store::WarningRow> {
    store
        .warning_page(&WarningQuery::default(), &PageFrom::Start, 1000)
        .unwrap()
}

fn manual(b: &mut Book, who: &Actor) -> i64 {
    let mw = ManualWarning {
        contract_no: "L1",
        signal: ManualSignal::Litigation,
        level: Level::Orange,
        risk_type: RiskType::Credit,
        reason: "法院传票",
    };
    warning::raise_manual(&mut b.store, who, &mw, d(AS_OF), Lang::ZhCn)
        .unwrap()
        .0
}

// ---- item 6: authorize ----

#[test]
fn a_refusal_names_who_may_and_is_written_to_the_audit_trail() {
    let mut b = book(1);
    let spec = b.who("spec");
    let id = manual(&mut b, &spec);
    let before = b.store.count_rows(Table::Audit).unwrap();
    let err = warning::move_warning(
        &mut b.store,
        &spec,
        id,
        None,
        WarningMove::Dismiss,
        "误报",
        d(AS_OF),
    )
    .unwrap_err();
    assert!(matches!(err, WorkflowError::Denied { .. }), "{err:?}");
    let en = err.localized(Lang::En);
    assert!(
        en.contains("Supervisor") && en.contains("Manager") && !en.contains("Specialist,"),
        "{en}"
    );
    let zh = err.localized(Lang::ZhCn);
    assert!(
        zh.contains("贷后管理主管") && zh.contains("贷后管理经理"),
        "{zh}"
    );
    // Nothing changed but one audit row, the refusal's.
    assert_eq!(
        b.store.warning(id).unwrap().unwrap().row.status,
        WarningStatus::Open
    );
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), before + 1);
    let row = &b.store.audit_tail(1).unwrap()[0];
    assert_eq!(
        (
            row.actor.as_str(),
            row.action.as_str(),
            row.entity_key.as_str()
        ),
        ("spec", "command.denied", "move_dismissed")
    );
    assert!(
        row.detail.contains("\"may\":[\"supervisor\",\"manager\"]"),
        "{}",
        row.detail
    );
    assert_eq!(b.store.verify_audit().unwrap(), Ok((before + 1) as u64));

    // Refusals before any transaction are recorded too: an auditor raising, a specialist adding staff.
    let auditor = b.who("audit");
    let mw = ManualWarning {
        contract_no: "L1",
        signal: ManualSignal::Shutdown,
        level: Level::Red,
        risk_type: RiskType::Credit,
        reason: "停产",
    };
    assert!(warning::raise_manual(&mut b.store, &auditor, &mw, d(AS_OF), Lang::En).is_err());
    let rec = StaffRecord {
        username: "x".into(),
        display_name: "x".into(),
        role: Role::Manager,
    };
    assert!(workflow::book::add_staff(&mut b.store, &spec, &rec).is_err());
    let tail = b.store.audit_tail(2).unwrap();
    assert_eq!(
        tail.iter()
            .map(|r| (r.actor.as_str(), r.entity_key.as_str()))
            .collect::<Vec<_>>(),
        [("spec", "manage_staff"), ("audit", "raise_warning")]
    );
}

#[test]
fn the_engine_name_cannot_be_given_to_staff() {
    let mut b = book(1);
    let rec = StaffRecord {
        username: "system".into(),
        display_name: "sys".into(),
        role: Role::Manager,
    };
    let err = workflow::book::add_staff(&mut b.store, &b.boss.clone(), &rec).unwrap_err();
    assert!(matches!(err, WorkflowError::Reserved { .. }), "{err:?}");
    assert!(b.store.staff("system").unwrap().is_none());
}

// ---- item 4: the version the screen showed ----

#[test]
fn a_stale_cause_from_a_second_session_is_refused_naming_who_changed_it() {
    let mut b = book(1);
    let spec = b.who("spec");
    let id = manual(&mut b, &spec);
    // Two sessions on one book file, each with the warning as its screen loaded it.
    let mut other = Store::open(&b.path()).unwrap();
    let sup = workflow::identify(&other, "super", None).unwrap();
    let seen = b.store.warning(id).unwrap().unwrap().version;
    assert_eq!(other.warning(id).unwrap().unwrap().version, seen);

    warning::analyse(
        &mut other,
        &sup,
        id,
        Some(seen),
        "主要客户破产",
        RiskType::Credit,
        Level::Red,
        d(AS_OF),
    )
    .unwrap();
    let audit = b.store.count_rows(Table::Audit).unwrap();
    let err = warning::analyse(
        &mut b.store,
        &spec,
        id,
        Some(seen),
        "原材料涨价",
        RiskType::Market,
        Level::Yellow,
        d(AS_OF),
    )
    .unwrap_err();
    match &err {
        WorkflowError::Stale {
            by,
            at,
            expected,
            current,
            ..
        } => {
            assert_eq!(
                (by.as_str(), *expected, *current),
                ("super", seen, seen + 1)
            );
            assert!(!at.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let en = err.localized(Lang::En);
    assert!(en.contains("super") && en.contains("reload"), "{en}");
    assert!(err.localized(Lang::ZhCn).contains("重新载入"));
    // The colleague's cause stands; nothing of the stale save was written.
    let w = b.store.warning(id).unwrap().unwrap();
    assert_eq!(
        (w.cause.as_str(), w.judged_level),
        ("主要客户破产", Some(Level::Red))
    );
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), audit);
    // Reloaded, the same save goes through; a script without a version takes the current one.
    warning::analyse(
        &mut b.store,
        &spec,
        id,
        Some(w.version),
        "原材料涨价",
        RiskType::Market,
        Level::Yellow,
        d(AS_OF),
    )
    .unwrap();
    warning::analyse(
        &mut other,
        &sup,
        id,
        None,
        "原材料涨价，客户破产",
        RiskType::Market,
        Level::Orange,
        d(AS_OF),
    )
    .unwrap();
}

#[test]
fn a_stale_lifecycle_move_from_a_second_session_is_refused() {
    let mut b = book(1);
    let spec = b.who("spec");
    let id = manual(&mut b, &spec);
    let mut other = Store::open(&b.path()).unwrap();
    let sup = workflow::identify(&other, "super", None).unwrap();
    let seen = other.warning(id).unwrap().unwrap().version;
    warning::move_warning(
        &mut other,
        &sup,
        id,
        Some(seen),
        WarningMove::Dismiss,
        "已核实为误报",
        d(AS_OF),
    )
    .unwrap();
    let err = warning::move_warning(
        &mut b.store,
        &spec,
        id,
        Some(seen),
        WarningMove::Acknowledge,
        "",
        d(AS_OF),
    )
    .unwrap_err();
    assert!(
        matches!(&err, WorkflowError::Stale { by, .. } if by == "super"),
        "{err:?}"
    );
    let w = b.store.warning(id).unwrap().unwrap();
    assert_eq!(w.row.status, WarningStatus::Dismissed);
    assert_eq!(w.version, seen + 1);
    // The board row carries the version too (what the board's keys send).
    let row = b
        .store
        .warning_page(
            &WarningQuery {
                include_closed: true,
                ..WarningQuery::default()
            },
            &PageFrom::Start,
            10,
        )
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(row.version, w.version);
}

// ---- item 5: compound commands are one transaction ----

fn entries(store: &Store, action: &str) -> Vec<postloan::store::AuditEntry> {
    store
        .audit_tail(100_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn listed(e: &postloan::store::AuditEntry, key: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
    v[key].as_array().cloned().unwrap_or_default()
}

#[test]
fn every_warning_evaluate_raised_has_its_audit_entry() {
    let mut b = book(30);
    overdue(&mut b, 30);
    let r = warning::evaluate_book(&mut b.store, &b.boss, &RuleSet::defaults(), d(AS_OF)).unwrap();
    let raised: u64 = r.new.iter().sum();
    assert_eq!(raised, 30, "{r:?}");
    let rows = entries(&b.store, "warnings.evaluate.changes");
    assert!(!rows.is_empty());
    let mut numbers: Vec<String> = rows
        .iter()
        .flat_map(|e| listed(e, "raised"))
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    let mut expected: Vec<String> = active(&b.store).into_iter().map(|w| w.number).collect();
    expected.sort();
    assert_eq!(numbers, expected, "each raised warning listed once");
    assert!(rows.iter().all(|e| e.actor == "boss" && e.entity == "book"));
    // A rerun changes nothing and writes no change entry.
    let again =
        warning::evaluate_book(&mut b.store, &b.boss, &RuleSet::defaults(), d(AS_OF)).unwrap();
    assert_eq!(again.changes(), 0);
    assert_eq!(
        entries(&b.store, "warnings.evaluate.changes").len(),
        rows.len()
    );
    assert!(b.store.verify_audit().unwrap().is_ok());
}

#[test]
fn a_repayment_and_its_re_evaluation_are_one_transaction_by_the_system_actor() {
    let mut b = book(1);
    let spec = b.who("spec");
    let rec = postloan::domain::RepaymentRecord {
        contract_no: "L1".into(),
        as_of: d(AS_OF),
        overdue_days: 45,
        overdue_principal: rust_decimal::Decimal::new(1000, 0),
        overdue_interest: rust_decimal::Decimal::new(10, 0),
    };
    let before = b.store.count_rows(Table::Audit).unwrap();
    let (_, r) = workflow::tracking::enter_repayment(
        &mut b.store,
        &spec,
        &rec,
        &RuleSet::defaults(),
        d(AS_OF),
    )
    .unwrap();
    assert_eq!(r.new.iter().sum::<u64>(), 1);
    let w = active(&b.store);
    assert_eq!(w.len(), 1);
    // The entry, the warning it raised and the case that warning opened: three audit rows,
    // the engine's as `system` (the grouping's entry seals the case it opened).
    let tail = b.store.audit_tail(3).unwrap();
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), before + 3);
    assert_eq!(
        (
            tail[0].actor.as_str(),
            tail[0].action.as_str(),
            tail[0].entity.as_str()
        ),
        ("system", "cases.group", "borrower")
    );
    assert_eq!(
        (
            tail[1].actor.as_str(),
            tail[1].action.as_str(),
            tail[1].entity.as_str()
        ),
        ("system", "warnings.evaluate.changes", "loan")
    );
    assert_eq!(listed(&tail[1], "raised"), [serde_json::json!(w[0].number)]);
    assert_eq!(
        (tail[2].actor.as_str(), tail[2].action.as_str()),
        ("spec", "repayment.enter")
    );
    // Nobody but the engine re-evaluates a loan on its own.
    let err = workflow::execute(&mut b.store, &spec, |tx| {
        workflow::authorize_in(
            tx,
            &spec,
            workflow::Command::Reevaluate,
            &workflow::Subject::NONE,
        )
    })
    .unwrap_err();
    assert!(matches!(err, WorkflowError::Denied { .. }));
}

#[test]
fn a_failure_in_the_second_step_leaves_nothing_of_the_first() {
    let mut b = book(1);
    let spec = b.who("spec");
    let audit = b.store.count_rows(Table::Audit).unwrap();
    let loan = b.store.loan_by_contract("L1").unwrap().unwrap().id;
    let mw = ManualWarning {
        contract_no: "L1",
        signal: ManualSignal::Litigation,
        level: Level::Red,
        risk_type: RiskType::Credit,
        reason: "法院传票",
    };
    // Raise, then a notice for a warning that does not exist: the raise is rolled back too.
    let err = workflow::execute(&mut b.store, &spec, |tx| {
        warning::raise_manual_in(tx, &spec, &mw, d(AS_OF), Lang::En)?;
        warning::issue_notice_in(tx, &spec, 999_999, d(AS_OF), Lang::En)
    })
    .unwrap_err();
    assert!(matches!(err, WorkflowError::NotFound { .. }), "{err:?}");
    assert!(err.localized(Lang::ZhCn).contains("找不到预警"));
    assert!(active(&b.store).is_empty());
    assert!(b.store.documents(loan).unwrap().is_empty());
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), audit);
    // The real command: warning, notice and both audit rows, all or nothing.
    let (id, number) = warning::raise_manual(&mut b.store, &spec, &mw, d(AS_OF), Lang::En).unwrap();
    assert_eq!(b.store.documents(loan).unwrap().len(), 1);
    assert_eq!(b.store.warning(id).unwrap().unwrap().row.number, number);
    let tail = b.store.audit_tail(3).unwrap();
    assert_eq!(
        (
            tail[0].action.as_str(),
            tail[1].action.as_str(),
            tail[2].action.as_str()
        ),
        ("document.issue", "cases.group", "warnings.raise")
    );
    // A statement entered, then a failing step: the statement is not kept.
    let audit = b.store.count_rows(Table::Audit).unwrap();
    let statements = b.store.count_rows(Table::Statements).unwrap();
    let z = rust_decimal::Decimal::new;
    let rec = postloan::domain::StatementRecord {
        borrower_code: "B1".into(),
        period_end: d("2026-06-30"),
        total_assets: z(10000, 0),
        total_liabilities: z(9000, 0),
        current_assets: z(4000, 0),
        current_liabilities: z(2000, 0),
        inventory: z(1000, 0),
        revenue: z(1000, 0),
        ebit: z(500, 0),
        interest_expense: z(100, 0),
        net_profit: z(300, 0),
        operating_cash_flow: z(200, 0),
    };
    let err = workflow::execute(&mut b.store, &spec, |tx| {
        workflow::tracking::enter_statement_in(tx, &spec, &rec, d(AS_OF))?;
        warning::issue_notice_in(tx, &spec, 999_999, d(AS_OF), Lang::En).map(|_| ())
    });
    assert!(err.is_err());
    assert_eq!(b.store.count_rows(Table::Statements).unwrap(), statements);
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), audit);
    // The real command keeps the statement and what its re-evaluation raised (debt/assets 90%).
    let (_, r) = workflow::tracking::enter_statement(
        &mut b.store,
        &spec,
        &rec,
        &RuleSet::defaults(),
        d(AS_OF),
    )
    .unwrap();
    assert_eq!(
        b.store.count_rows(Table::Statements).unwrap(),
        statements + 1
    );
    assert!(r.changes() > 0, "{r:?}");
    let changes = entries(&b.store, "warnings.evaluate.changes");
    assert_eq!(changes.first().map(|e| e.actor.as_str()), Some("system"));
}

#[test]
fn a_rule_refusal_is_said_in_the_users_language_and_writes_nothing() {
    let mut b = book(1);
    let spec = b.who("spec");
    let audit = b.store.count_rows(Table::Audit).unwrap();
    let rec = postloan::domain::RepaymentRecord {
        contract_no: "L1".into(),
        as_of: d("2026-07-15"),
        overdue_days: 3,
        overdue_principal: rust_decimal::Decimal::ZERO,
        overdue_interest: rust_decimal::Decimal::ZERO,
    };
    let err = workflow::tracking::enter_repayment(
        &mut b.store,
        &spec,
        &rec,
        &RuleSet::defaults(),
        d(AS_OF),
    )
    .unwrap_err();
    let zh = err.localized(Lang::ZhCn);
    assert!(zh.contains("2026-07-15") && zh.contains("晚于今天"), "{zh}");
    let en = err.localized(Lang::En);
    assert!(
        en.contains("2026-07-15") && en.contains("after today"),
        "{en}"
    );
    assert_eq!(err.to_string(), en, "the log text is the English one");
    let negative = postloan::domain::RepaymentRecord {
        as_of: d(AS_OF),
        overdue_days: -1,
        ..rec
    };
    let err = workflow::tracking::enter_repayment(
        &mut b.store,
        &spec,
        &negative,
        &RuleSet::defaults(),
        d(AS_OF),
    )
    .unwrap_err();
    assert!(err.localized(Lang::ZhCn).contains("逾期天数不能为负"));
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), audit);
}
