//! Outcomes on a small book made here: who may do what, recoveries exact to the fen and
//! never below zero, write-off and closing rules, collateral moving the coverage warning, and
//! the legal clocks as the nightly scan and a loan's Disposal tab see them.

use super::*;
use crate::domain::legal::ClockKind;
use crate::domain::permission::Refusal;
use crate::domain::{
    BorrowerRecord, Classification, GuaranteeType, LoanRecord, Product, Role, StaffRecord,
    TrackingFrequency,
};
use crate::store::{PageFrom, WarningQuery};
use crate::workflow::identify;
use std::path::Path;
use std::str::FromStr;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

const TODAY: &str = "2026-06-30";

/// Staff zhang (specialist, officer of every loan), zhao (another specialist), wang
/// (supervisor), li (manager), chen (auditor); loans HT-1 (4,000,000.00 out, matured
/// 2023-06-30) and HT-2 (1,000,000 out, matures 2027-01-05).
fn book(path: &Path) -> Store {
    let mut store = Store::open(path).expect("open");
    store
        .write(|tx| -> crate::store::Result<()> {
            for (u, role) in [
                ("zhang", Role::Specialist),
                ("zhao", Role::Specialist),
                ("wang", Role::Supervisor),
                ("li", Role::Manager),
                ("chen", Role::Auditor),
            ] {
                tx.upsert_staff(
                    &StaffRecord {
                        username: u.into(),
                        display_name: u.into(),
                        role,
                    },
                    "li",
                )?;
            }
            tx.upsert_borrower(
                &BorrowerRecord {
                    code: "B1".into(),
                    name: "华东精密机械有限公司".into(),
                    credit_code: String::new(),
                    industry: String::new(),
                    region: String::new(),
                },
                "li",
            )?;
            for (no, out, matures) in [
                ("HT-1", "4000000.00", "2023-06-30"),
                ("HT-2", "1000000", "2027-01-05"),
            ] {
                tx.upsert_loan(&loan(no, out, matures), "li")?;
            }
            Ok(())
        })
        .expect("book");
    store
}

fn loan(no: &str, out: &str, matures: &str) -> LoanRecord {
    LoanRecord {
        contract_no: no.into(),
        borrower_code: "B1".into(),
        borrower_name: "华东精密机械有限公司".into(),
        product: Product::WorkingCapital,
        purpose: "采购原材料".into(),
        currency: "CNY".into(),
        principal: Decimal::from(5_000_000),
        outstanding: out.parse().expect("amount"),
        interest_rate: "4.35".parse().expect("rate"),
        disbursed_on: day("2021-06-30"),
        matures_on: day(matures),
        guarantee_type: GuaranteeType::Mortgage,
        officer: "zhang".into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(Classification::Pass),
        restructured_on: None,
        credit_impaired: None,
    }
}

fn who(store: &Store, user: &str) -> Actor {
    identify(store, user, None).expect("staff")
}

fn refusal(e: &WorkflowError) -> Refusal {
    match e {
        WorkflowError::Denied { refusal, .. } => *refusal,
        other => panic!("not a permission refusal: {other}"),
    }
}

fn rule_key(e: &WorkflowError) -> &'static str {
    match e {
        WorkflowError::Rule { key, .. } => key,
        other => panic!("not a rule refusal: {other}"),
    }
}

fn rules() -> RuleSet {
    RuleSet::defaults()
}

fn clock_rules() -> LegalClockRules {
    LegalClockRules::default()
}

fn recovery<'a>(
    contract: &'a str,
    on: &str,
    principal: &str,
    interest: &str,
    costs: &str,
) -> RecoveryInput<'a> {
    RecoveryInput {
        contract_no: contract,
        on: day(on),
        kind: RecoveryKind::CollateralSale,
        amounts: RecoveryAmounts {
            principal: d(principal),
            interest: d(interest),
            costs: d(costs),
        },
        note: "拍卖抵押房产",
        case_id: None,
        expected_version: None,
    }
}

fn status<'a>(contract: &'a str, on: &str, reason: &'a str) -> StatusInput<'a> {
    StatusInput {
        contract_no: contract,
        on: day(on),
        reason,
        case_id: None,
        expected_version: None,
    }
}

fn outcomes(store: &Store, contract: &str) -> crate::store::LoanOutcomes {
    let id = store
        .outcome_loan(contract)
        .expect("read")
        .expect("loan")
        .id;
    store
        .loan_outcomes(id, &clock_rules())
        .expect("read")
        .expect("outcomes")
}

#[test]
fn a_recovery_takes_only_principal_off_exactly_and_never_below_zero() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let wang = who(&store, "wang");
    let today = day(TODAY);
    let r = record_recovery(
        &mut store,
        &wang,
        &recovery("HT-1", "2026-06-01", "3456789.01", "12345.67", "8000"),
        &rules(),
        today,
    )
    .expect("recorded");
    assert_eq!(r.outstanding_before, d("4000000.00"));
    assert_eq!(r.outstanding_after, d("543210.99"));
    let loan = store.outcome_loan("HT-1").expect("read").expect("loan");
    assert_eq!(loan.outstanding, d("543210.99"));
    let fen: i64 = store
        .conn()
        .query_row(
            "SELECT outstanding_fen FROM loans WHERE contract_no = 'HT-1'",
            [],
            |r| r.get(0),
        )
        .expect("fen");
    assert_eq!(fen, 54_321_099);
    let balance: String = store
        .conn()
        .query_row(
            "SELECT b.outstanding FROM loan_balances b JOIN loans l ON l.id = b.loan_id
             WHERE l.contract_no = 'HT-1' AND b.on_date = '2026-06-01'",
            [],
            |r| r.get(0),
        )
        .expect("the day's balance");
    assert_eq!(balance, "543210.99");
    // More principal than is left is refused, naming the outstanding; nothing is written.
    let e = record_recovery(
        &mut store,
        &wang,
        &recovery("HT-1", "2026-06-02", "543211.00", "0", "0"),
        &rules(),
        today,
    )
    .expect_err("above the outstanding");
    assert_eq!(rule_key(&e), "outcomes_err.above_outstanding");
    assert!(
        e.localized(crate::i18n::Lang::En).contains("¥543,210.99"),
        "{e}"
    );
    assert!(e.localized(crate::i18n::Lang::ZhCn).contains("¥543,210.99"));
    // Costs alone are recorded and leave the outstanding as it is.
    let costs = record_recovery(
        &mut store,
        &wang,
        &recovery("HT-1", "2026-06-03", "0", "0", "1500.50"),
        &rules(),
        today,
    )
    .expect("costs recovered");
    assert_eq!(costs.outstanding_after, d("543210.99"));
    let o = outcomes(&store, "HT-1");
    assert_eq!(o.recovered.count, 2);
    assert_eq!(o.recovered.principal, d("3456789.01"));
    assert_eq!(o.recovered.interest, d("12345.67"));
    assert_eq!(o.recovered.costs, d("9500.50"));
    assert_eq!(o.recoveries[0].on, day("2026-06-03"));
    for bad in [
        recovery("HT-1", "2026-06-03", "-1", "0", "0"),
        recovery("HT-1", "2026-06-03", "0", "0", "0"),
        recovery("HT-1", "2026-06-03", "1.005", "0", "0"),
        recovery("HT-1", "2026-07-03", "1", "0", "0"),
    ] {
        let e = record_recovery(&mut store, &wang, &bad, &rules(), today).expect_err("refused");
        assert!(
            matches!(
                rule_key(&e),
                "outcomes_err.negative"
                    | "outcomes_err.nothing"
                    | "outcomes_err.too_precise"
                    | "outcomes_err.future"
            ),
            "{e}"
        );
    }
    // A specialist records no recovery.
    let zhang = who(&store, "zhang");
    let e = record_recovery(
        &mut store,
        &zhang,
        &recovery("HT-1", "2026-06-03", "1", "0", "0"),
        &rules(),
        today,
    )
    .expect_err("role");
    assert_eq!(refusal(&e), Refusal::Role);
}

#[test]
fn a_stale_recovery_is_refused_with_who_changed_the_loan() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let wang = who(&store, "wang");
    let shown = store
        .outcome_loan("HT-2")
        .expect("read")
        .expect("loan")
        .version;
    record_recovery(
        &mut store,
        &wang,
        &recovery("HT-2", "2026-06-01", "100", "0", "0"),
        &rules(),
        day(TODAY),
    )
    .expect("first");
    let stale = RecoveryInput {
        expected_version: Some(shown),
        ..recovery("HT-2", "2026-06-01", "100", "0", "0")
    };
    let e = record_recovery(&mut store, &wang, &stale, &rules(), day(TODAY)).expect_err("stale");
    assert!(
        matches!(e, WorkflowError::Stale { ref by, .. } if by == "wang"),
        "{e}"
    );
    assert_eq!(
        store
            .outcome_loan("HT-2")
            .expect("read")
            .expect("loan")
            .outstanding,
        d("999900")
    );
}

#[test]
fn a_write_off_is_a_managers_with_a_reason_and_stays_visible() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let input = |amount: &str, reason: &'static str| WriteOffInput {
        contract_no: "HT-2",
        on: day("2026-06-20"),
        amount: d(amount),
        reason,
        case_id: None,
        expected_version: None,
    };
    for user in ["zhang", "wang", "chen"] {
        let actor = who(&store, user);
        let e = write_off(
            &mut store,
            &actor,
            &input("100", "无法收回"),
            &rules(),
            today,
        )
        .expect_err("not a manager");
        assert_eq!(refusal(&e), Refusal::Role, "{user}");
    }
    let li = who(&store, "li");
    let e = write_off(&mut store, &li, &input("100", "  "), &rules(), today).expect_err("reason");
    assert_eq!(rule_key(&e), "outcomes_err.required");
    let e = write_off(
        &mut store,
        &li,
        &input("1000000.01", "无法收回"),
        &rules(),
        today,
    )
    .expect_err("above");
    assert_eq!(rule_key(&e), "outcomes_err.above_outstanding");
    let part = write_off(
        &mut store,
        &li,
        &input("400000", "部分核销"),
        &rules(),
        today,
    )
    .expect("written off");
    assert_eq!(part.outstanding_after, d("600000"));
    assert_eq!(part.status, LoanStatus::Active);
    let rest = write_off(
        &mut store,
        &li,
        &input("600000", "剩余核销"),
        &rules(),
        today,
    )
    .expect("written off");
    assert_eq!(rest.status, LoanStatus::WrittenOff);
    let o = outcomes(&store, "HT-2");
    assert_eq!(o.loan.outstanding, Decimal::ZERO);
    assert_eq!(o.loan.written_off, d("1000000"));
    assert_eq!(o.loan.status, LoanStatus::WrittenOff);
    assert_eq!(o.write_offs.len(), 2);
    assert_eq!(o.write_offs[0].approved_by, "li");
    // Written off: no further write-off, no closing; the claim's limitation clock still runs.
    let e = write_off(&mut store, &li, &input("1", "x"), &rules(), today).expect_err("status");
    assert_eq!(rule_key(&e), "outcomes_err.status");
    assert!(
        e.localized(crate::i18n::Lang::ZhCn).contains("已核销"),
        "{}",
        e.localized(crate::i18n::Lang::ZhCn)
    );
    assert!(o.clocks.iter().any(|c| c.kind == ClockKind::Limitation));
}

#[test]
fn money_recovered_after_a_full_write_off_is_recorded_and_counted() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let li = who(&store, "li");
    let wang = who(&store, "wang");
    write_off(
        &mut store,
        &li,
        &WriteOffInput {
            contract_no: "HT-2",
            on: day("2026-06-10"),
            amount: d("1000000"),
            reason: "借款人破产，全额核销",
            case_id: None,
            expected_version: None,
        },
        &rules(),
        today,
    )
    .expect("written off");
    // 账销案存: the claim is still pursued; what comes in is recovered after write-off and
    // leaves the outstanding at zero.
    let got = record_recovery(
        &mut store,
        &wang,
        &recovery("HT-2", "2026-06-25", "300000", "1200.50", "800"),
        &rules(),
        today,
    )
    .expect("recovered after write-off");
    assert_eq!(got.outstanding_before, Decimal::ZERO);
    assert_eq!(got.outstanding_after, Decimal::ZERO);
    assert_eq!(got.after_write_off, d("300000"));
    assert_eq!(got.status, LoanStatus::WrittenOff);
    assert_eq!(
        got.recovered_key(),
        "outcomes_cli.recovered_after_write_off"
    );
    // At most what was written off and not yet recovered.
    let e = record_recovery(
        &mut store,
        &wang,
        &recovery("HT-2", "2026-06-26", "700000.01", "0", "0"),
        &rules(),
        today,
    )
    .expect_err("more than written off");
    assert_eq!(rule_key(&e), "outcomes_err.above_written_off");
    assert!(
        e.localized(crate::i18n::Lang::En).contains("700,000.00"),
        "{}",
        e.localized(crate::i18n::Lang::En)
    );
    // Not dated before the write-off.
    let e = record_recovery(
        &mut store,
        &wang,
        &recovery("HT-2", "2026-06-09", "1", "0", "0"),
        &rules(),
        today,
    )
    .expect_err("before the write-off");
    assert_eq!(rule_key(&e), "outcomes_err.before_write_off");
    record_recovery(
        &mut store,
        &wang,
        &recovery("HT-2", "2026-06-28", "700000", "0", "0"),
        &rules(),
        today,
    )
    .expect("the rest of what was written off");
    let o = outcomes(&store, "HT-2");
    assert_eq!(o.loan.outstanding, Decimal::ZERO);
    assert_eq!(
        o.loan.written_off,
        d("1000000"),
        "the write-off stays visible"
    );
    assert_eq!(o.recoveries.len(), 2);
    assert!(o.recoveries.iter().all(|r| r.after_write_off));
    assert_eq!(o.recovered.principal, d("1000000"));
    // A recovery on a loan with a balance is not after write-off.
    record_recovery(
        &mut store,
        &wang,
        &recovery("HT-1", "2026-06-25", "1000", "0", "0"),
        &rules(),
        today,
    )
    .expect("recovered");
    assert!(!outcomes(&store, "HT-1").recoveries[0].after_write_off);
    // The summary's recovered money counts it.
    let period = crate::engine::summary::Period {
        from: day("2026-06-01"),
        to: day("2026-06-30"),
    };
    let summary = store.period_summary(period, today).expect("summary");
    assert_eq!(summary.recovered.principal, d("1001000"));
    assert_eq!(summary.recovered.entries, 3);
    assert_eq!(summary.written_off.amount, d("1000000"));
}

#[test]
fn recall_is_a_supervisors_or_managers_and_moves_the_limitation_start() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    for user in ["zhang", "chen"] {
        let actor = who(&store, user);
        let e = recall(
            &mut store,
            &actor,
            &status("HT-2", "2026-05-10", "未按期追加担保"),
            today,
        )
        .expect_err("role");
        assert_eq!(refusal(&e), Refusal::Role, "{user}");
    }
    let before = outcomes(&store, "HT-2");
    assert_eq!(before.clocks[0].ends_on, day("2030-01-05"));
    let wang = who(&store, "wang");
    let e =
        recall(&mut store, &wang, &status("HT-2", "2026-05-10", ""), today).expect_err("reason");
    assert_eq!(rule_key(&e), "outcomes_err.required");
    recall(
        &mut store,
        &wang,
        &status("HT-2", "2026-05-10", "未按期追加担保"),
        today,
    )
    .expect("recalled");
    let after = outcomes(&store, "HT-2");
    assert_eq!(after.loan.status, LoanStatus::Recalled);
    assert_eq!(after.loan.recalled_on, Some(day("2026-05-10")));
    assert_eq!(after.status_events[0].reason, "未按期追加担保");
    let lim = after
        .clocks
        .iter()
        .find(|c| c.kind == ClockKind::Limitation)
        .expect("clock");
    assert_eq!(lim.started_on, day("2026-05-10"));
    assert_eq!(lim.ends_on, day("2029-05-10"));
    // Once recalled, not again.
    let li = who(&store, "li");
    let e = recall(
        &mut store,
        &li,
        &status("HT-2", "2026-05-11", "again"),
        today,
    )
    .expect_err("twice");
    assert_eq!(rule_key(&e), "outcomes_err.status");
}

#[test]
fn a_loan_closes_only_when_nothing_is_outstanding() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let wang = who(&store, "wang");
    let e = close(
        &mut store,
        &wang,
        &status("HT-2", "2026-06-20", "处置完毕"),
        today,
    )
    .expect_err("outstanding");
    assert_eq!(rule_key(&e), "outcomes_err.close_outstanding");
    assert!(
        e.localized(crate::i18n::Lang::En).contains("¥1,000,000.00"),
        "{e}"
    );
    record_recovery(
        &mut store,
        &wang,
        &recovery("HT-2", "2026-06-15", "1000000", "0", "0"),
        &rules(),
        today,
    )
    .expect("all recovered");
    let e =
        close(&mut store, &wang, &status("HT-2", "2026-06-20", " "), today).expect_err("reason");
    assert_eq!(rule_key(&e), "outcomes_err.required");
    close(
        &mut store,
        &wang,
        &status("HT-2", "2026-06-20", "处置完毕，未核销"),
        today,
    )
    .expect("closed");
    let o = outcomes(&store, "HT-2");
    assert_eq!(o.loan.status, LoanStatus::Closed);
    assert_eq!(o.loan.closed_on, Some(day("2026-06-20")));
    assert!(o.clocks.is_empty(), "{:?}", o.clocks);
    // A closed loan takes nothing more.
    let zhang = who(&store, "zhang");
    let e = record_demand(
        &mut store,
        &zhang,
        &DemandInput {
            contract_no: "HT-2",
            on: today,
            channel: DemandChannel::Letter,
            note: "",
            case_id: None,
        },
        today,
    )
    .expect_err("closed");
    assert_eq!(rule_key(&e), "outcomes_err.status");
    let audit = store.audit_tail(20).expect("audit");
    for action in ["outcome.recovery", "outcome.close"] {
        assert!(audit.iter().any(|a| a.action == action), "{action}");
    }
}

#[test]
fn collateral_added_raises_then_clears_the_coverage_warning() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let zhang = who(&store, "zhang");
    let add = |desc: &'static str, value: &str| CollateralInput {
        contract_no: "HT-2",
        kind: CollateralKind::RealEstate,
        description: desc,
        value: d(value),
        on: day("2026-06-01"),
    };
    // 1,000,000 out against 1,100,000: coverage 90.91% → orange (85 < x ≤ 100).
    let first = add_collateral(
        &mut store,
        &zhang,
        &add("厂房一号", "1100000"),
        &rules(),
        today,
    )
    .expect("added");
    assert_eq!(first.loans, 1, "{first:?}");
    let coverage = |store: &Store| {
        store
            .warning_page(
                &WarningQuery {
                    indicator: Some("collateral_coverage".into()),
                    ..WarningQuery::default()
                },
                &PageFrom::Start,
                10,
            )
            .expect("warnings")
    };
    let w = coverage(&store);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].level, crate::domain::warning::Level::Orange);
    assert!(!w[0].back_to_normal);
    // Another 500,000: 1,000,000 / 1,600,000 = 62.5%, inside every threshold.
    let second = add_collateral(
        &mut store,
        &zhang,
        &add("仓库二号", "500000"),
        &rules(),
        today,
    )
    .expect("added");
    assert_eq!(second.back_to_normal.iter().sum::<u64>(), 1, "{second:?}");
    assert!(coverage(&store)[0].back_to_normal);
    // The same collateral twice is refused, naming it; another officer's loan is not zhao's.
    let e = add_collateral(&mut store, &zhang, &add("仓库二号", "1"), &rules(), today)
        .expect_err("twice");
    assert_eq!(rule_key(&e), "outcomes_err.collateral_exists");
    let zhao = who(&store, "zhao");
    let e = add_collateral(&mut store, &zhao, &add("设备", "1"), &rules(), today)
        .expect_err("not zhao's loan");
    assert_eq!(refusal(&e), Refusal::NotOfficer);
    let e =
        add_collateral(&mut store, &zhang, &add("设备", "0"), &rules(), today).expect_err("zero");
    assert_eq!(rule_key(&e), "outcomes_err.value_zero");
    assert_eq!(
        store
            .collateral(store.outcome_loan("HT-2").expect("r").expect("l").id)
            .expect("c")
            .len(),
        2
    );
}

#[test]
fn demands_restart_the_limitation_clock_the_nightly_scan_sees() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let r = clock_rules();
    // HT-1 matured 2023-06-30: its limitation ends 2026-06-30, today.
    let due = clocks_due(&store, today, None, None, &r).expect("scan");
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].contract_no, "HT-1");
    assert_eq!(due[0].clock.ends_on, day("2026-06-30"));
    assert_eq!(due[0].clock.days_left(today), 0);
    // Only the officer may demand among specialists; the demand restarts the clock.
    let zhao = who(&store, "zhao");
    let demand = |on: &str| DemandInput {
        contract_no: "HT-1",
        on: day(on),
        channel: DemandChannel::Letter,
        note: "邮寄催收函",
        case_id: None,
    };
    let e = record_demand(&mut store, &zhao, &demand("2026-06-29"), today).expect_err("officer");
    assert_eq!(refusal(&e), Refusal::NotOfficer);
    let zhang = who(&store, "zhang");
    record_demand(&mut store, &zhang, &demand("2026-06-29"), today).expect("demanded");
    assert!(
        clocks_due(&store, today, None, None, &r)
            .expect("scan")
            .is_empty()
    );
    let o = outcomes(&store, "HT-1");
    let lim = o
        .clocks
        .iter()
        .find(|c| c.kind == ClockKind::Limitation)
        .expect("clock");
    assert_eq!(lim.ends_on, day("2029-06-29"));
    assert_eq!(o.demands.len(), 1);
    // Three years on, it is due again.
    let later = clocks_due(&store, day("2029-04-15"), None, Some("zhang"), &r).expect("scan");
    assert_eq!(later.len(), 1);
    assert!(
        clocks_due(&store, day("2029-04-15"), None, Some("zhao"), &r)
            .expect("scan")
            .is_empty()
    );
    let e = record_demand(&mut store, &zhang, &demand("2026-07-01"), today).expect_err("future");
    assert_eq!(rule_key(&e), "outcomes_err.future");
}

#[test]
fn preservation_and_seizure_clocks_follow_their_events() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let r = clock_rules();
    let wang = who(&store, "wang");
    let step = |kind, asset, on: &str| LegalInput {
        contract_no: "HT-2",
        kind,
        asset,
        on: day(on),
        reference: "（2026）沪0115财保12号",
        note: "",
        case_id: None,
    };
    let zhang = who(&store, "zhang");
    let e = record_legal(
        &mut store,
        &zhang,
        &step(LegalEventKind::Preservation, None, "2026-06-10"),
        today,
    )
    .expect_err("a specialist records no legal step");
    assert_eq!(refusal(&e), Refusal::Role);
    record_legal(
        &mut store,
        &wang,
        &step(LegalEventKind::Preservation, None, "2026-06-10"),
        today,
    )
    .expect("ruled");
    let due = clocks_due(&store, today, None, None, &r).expect("scan");
    let pres: Vec<_> = due
        .iter()
        .filter(|c| c.clock.kind == ClockKind::Preservation)
        .collect();
    assert_eq!(pres.len(), 1);
    assert_eq!(pres[0].clock.ends_on, day("2026-07-10"));
    assert_eq!(pres[0].clock.days_left(today), 10);
    let e = record_legal(
        &mut store,
        &wang,
        &step(
            LegalEventKind::SeizureRenewal,
            Some(AssetKind::Deposit),
            "2026-06-20",
        ),
        today,
    )
    .expect_err("nothing to renew");
    assert_eq!(rule_key(&e), "outcomes_err.no_seizure");
    let e = record_legal(
        &mut store,
        &wang,
        &step(LegalEventKind::Seizure, None, "2026-06-20"),
        today,
    )
    .expect_err("asset needed");
    assert_eq!(rule_key(&e), "outcomes_err.asset_required");
    record_legal(
        &mut store,
        &wang,
        &step(LegalEventKind::Suit, None, "2026-06-25"),
        today,
    )
    .expect("sued");
    record_legal(
        &mut store,
        &wang,
        &step(
            LegalEventKind::Seizure,
            Some(AssetKind::Deposit),
            "2025-07-20",
        ),
        today,
    )
    .expect("seized");
    let due = clocks_due(&store, today, None, None, &r).expect("scan");
    assert!(
        due.iter().all(|c| c.clock.kind != ClockKind::Preservation),
        "the suit stops it"
    );
    let seized: Vec<_> = due
        .iter()
        .filter(|c| c.clock.kind == ClockKind::Seizure(AssetKind::Deposit))
        .collect();
    assert_eq!(seized.len(), 1);
    assert_eq!(seized[0].clock.ends_on, day("2026-07-20"));
    record_legal(
        &mut store,
        &wang,
        &step(
            LegalEventKind::SeizureRenewal,
            Some(AssetKind::Deposit),
            "2026-06-28",
        ),
        today,
    )
    .expect("renewed");
    let due = clocks_due(&store, today, None, None, &r).expect("scan");
    assert!(
        due.iter()
            .all(|c| !matches!(c.clock.kind, ClockKind::Seizure(_)))
    );
    let o = outcomes(&store, "HT-2");
    let s = o
        .clocks
        .iter()
        .find(|c| matches!(c.kind, ClockKind::Seizure(_)))
        .expect("seizure");
    assert_eq!(s.ends_on, day("2027-06-28"));
    assert_eq!(o.legal_events.len(), 4);
    assert_eq!(o.legal_events[0].case_id, None);
}

#[test]
fn a_step_dated_before_disbursement_or_on_an_unknown_case_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let wang = who(&store, "wang");
    let today = day(TODAY);
    for (on, key) in [
        ("2021-06-29", "outcomes_err.before_disbursement"),
        ("2026-07-01", "outcomes_err.future"),
    ] {
        let e = record_recovery(
            &mut store,
            &wang,
            &recovery("HT-1", on, "1", "0", "0"),
            &rules(),
            today,
        )
        .expect_err(on);
        assert!(
            matches!(&e, WorkflowError::Rule { key: k, .. } if *k == key),
            "{on}: {e:?}"
        );
    }
    let mut unknown = recovery("HT-1", "2021-06-30", "1", "0", "0");
    unknown.case_id = Some(7);
    let e =
        record_recovery(&mut store, &wang, &unknown, &rules(), today).expect_err("no such case");
    assert!(
        matches!(&e, WorkflowError::NotFound { what: "case", .. }),
        "{e:?}"
    );
    assert_eq!(
        outcomes(&store, "HT-1").recoveries.len(),
        0,
        "nothing recorded"
    );
}

#[test]
fn todays_clock_block_counts_every_clock_due_and_keeps_only_the_first() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = book(&dir.path().join("b.db"));
    let today = day(TODAY);
    let r = clock_rules();
    // Eleven more claims run out or about to, in an order the contract numbers do not
    // follow, two ending the same day (the contract breaks the tie).
    store
        .write(|tx| -> crate::store::Result<()> {
            for (i, m) in [9, 3, 6, 1, 7, 5, 2, 2, 4, 8, 4].iter().enumerate() {
                let matures = format!("2023-{m:02}-15");
                tx.upsert_loan(&loan(&format!("HT-X{i:02}"), "1000", &matures), "li")?;
            }
            Ok(())
        })
        .expect("loans");
    let all = clocks_due(&store, today, None, None, &r).expect("scan");
    assert_eq!(all.len(), 12, "{all:?}");
    for limit in [0, 1, 3, 5, 11, 12, 20] {
        let (count, first) = clocks_due_first(&store, today, None, &r, limit).expect("first");
        assert_eq!(count, 12, "limit {limit}");
        assert_eq!(first, all[..limit.min(12)].to_vec(), "limit {limit}");
    }
    let (count, first) = clocks_due_first(&store, today, Some("zhao"), &r, 5).expect("zhao");
    assert_eq!((count, first.len()), (0, 0));
}
