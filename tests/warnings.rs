//! Step 2 on temporary books: evaluate raises, escalates and marks back to normal without
//! duplicating or deleting; covenants win; manual warnings and notices; lifecycle permissions.

mod support;

use chrono::NaiveDate;
use postloan::domain::warning::{Level, ManualSignal, RiskType, WarningMove, WarningStatus};
use postloan::domain::{CovenantRecord, RepaymentRecord};
use postloan::extract::ExtractKind;
use postloan::i18n::Lang;
use postloan::store::{PageFrom, Store, Table, WarningQuery};
use postloan::workflow::warning::{self, ManualWarning};
use postloan::workflow::{self, tracking};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use support::book::{TestBook, import};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const AS_OF: &str = "2026-06-30";

type Book = TestBook;

/// One healthy borrower B1 with loan L1 (quarterly statements, fine ratios, no overdue).
fn book() -> Book {
    // Healthy: debt/assets 50%, current 2.0, quick 1.5, interest cover 5, revenue growing.
    let mut b = TestBook::new().with_loans(1).with_statements(&[
        ("2024-12-31", 1000),
        ("2025-03-31", 1000),
        ("2025-06-30", 1000),
        ("2025-09-30", 1000),
        ("2025-12-31", 1050),
        ("2026-03-31", 1060),
    ]);
    // The bank's repayment status as of the evaluation date (an older one is itself a signal).
    b.import(
        ExtractKind::Repayments,
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\nL1,2026-06-30,0,0,0\n",
    );
    b
}

fn active(store: &Store) -> Vec<postloan::store::WarningRow> {
    store
        .warning_page(&WarningQuery::default(), &PageFrom::Start, 1000)
        .unwrap()
}

fn repayment(b: &mut Book, on: &str, days: i64) {
    let rec = RepaymentRecord {
        contract_no: "L1".into(),
        as_of: d(on),
        overdue_days: days,
        overdue_principal: dec("1000"),
        overdue_interest: dec("10"),
    };
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    tracking::enter_repayment(&mut b.store, &spec, &rec, &b.rules, d(on)).unwrap();
}

#[test]
fn healthy_book_raises_nothing_and_rerun_changes_nothing() {
    let mut b = book();
    let r = warning::evaluate_book(&mut b.store, &b.boss, &b.rules, d(AS_OF)).unwrap();
    assert_eq!(r.loans, 1);
    assert_eq!(r.changes(), 0, "{r:?}");
    assert!(active(&b.store).is_empty());
}

#[test]
fn dpd_escalates_yellow_orange_red_then_back_to_normal_stays_open() {
    let mut b = book();
    // Entering a repayment status re-evaluates the loan at once.
    repayment(&mut b, "2026-04-30", 8);
    let w = active(&b.store);
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].indicator.as_str(), w[0].level),
        ("dpd", Level::Yellow)
    );
    assert_eq!(w[0].threshold, Some(dec("7")));
    assert_eq!(w[0].source.as_deref(), Some("default"));
    repayment(&mut b, "2026-05-31", 31);
    repayment(&mut b, "2026-06-30", 91);
    let w = active(&b.store);
    assert_eq!(w.len(), 1, "escalation never duplicates");
    assert_eq!(w[0].level, Level::Red);
    assert_eq!(w[0].raised_on, d("2026-04-30"), "the raise date is kept");
    let events: Vec<String> = b
        .store
        .warning_events(w[0].id)
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, ["raised", "escalated", "escalated"]);

    // The book-wide run finds nothing new: idempotent.
    let again = warning::evaluate_book(&mut b.store, &b.boss, &b.rules, d(AS_OF)).unwrap();
    assert_eq!(again.changes(), 0, "{again:?}");
    assert_eq!(again.still_open, [1, 0, 0]);

    // Paid up: back to normal, but still open until a person closes it.
    repayment(&mut b, "2026-07-15", 0);
    let w = active(&b.store);
    assert_eq!(w.len(), 1);
    assert!(w[0].back_to_normal);
    assert_eq!(w[0].status, WarningStatus::Open);
    assert_eq!(w[0].level, Level::Red, "never lowered by the system");
    let rerun = warning::evaluate_book(&mut b.store, &b.boss, &b.rules, d("2026-07-15")).unwrap();
    assert_eq!(rerun.changes(), 0);
    // Now a specialist may resolve it, with a reason.
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let err = warning::move_warning(
        &mut b.store,
        &spec,
        w[0].id,
        None,
        WarningMove::Resolve,
        "",
        d("2026-07-15"),
    );
    assert!(err.is_err(), "a reason is required");
    let to = warning::move_warning(
        &mut b.store,
        &spec,
        w[0].id,
        None,
        WarningMove::Resolve,
        "逾期已结清",
        d("2026-07-15"),
    )
    .unwrap();
    assert_eq!(to, WarningStatus::Resolved);
    assert!(active(&b.store).is_empty());
    // Closed warnings are kept, never deleted.
    let all = WarningQuery {
        include_closed: true,
        ..WarningQuery::default()
    };
    assert_eq!(b.store.warning_count(&all).unwrap(), 1);
}

#[test]
fn a_triggered_system_warning_cannot_be_resolved_only_dismissed_by_a_supervisor() {
    let mut b = book();
    repayment(&mut b, "2026-06-30", 45);
    let id = active(&b.store)[0].id;
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let auditor = workflow::identify(&b.store, "audit", None).unwrap();
    let sup = workflow::identify(&b.store, "super", None).unwrap();
    let on = d(AS_OF);
    assert!(
        warning::move_warning(
            &mut b.store,
            &spec,
            id,
            None,
            WarningMove::Resolve,
            "已沟通",
            on
        )
        .is_err()
    );
    assert!(
        warning::move_warning(
            &mut b.store,
            &auditor,
            id,
            None,
            WarningMove::Acknowledge,
            "",
            on
        )
        .is_err()
    );
    assert_eq!(active(&b.store)[0].status, WarningStatus::Open);
    let audit_before = b.store.count_rows(Table::Audit).unwrap();
    warning::move_warning(
        &mut b.store,
        &spec,
        id,
        None,
        WarningMove::Acknowledge,
        "",
        on,
    )
    .unwrap();
    assert_eq!(b.store.count_rows(Table::Audit).unwrap(), audit_before + 1);
    warning::move_warning(
        &mut b.store,
        &spec,
        id,
        None,
        WarningMove::StartDisposal,
        "",
        on,
    )
    .unwrap();
    let err = warning::move_warning(
        &mut b.store,
        &spec,
        id,
        None,
        WarningMove::Dismiss,
        "误报",
        on,
    )
    .unwrap_err();
    assert!(err.to_string().contains("supervisor"), "{err}");
    assert!(
        warning::move_warning(&mut b.store, &sup, id, None, WarningMove::Dismiss, "", on).is_err()
    );
    warning::move_warning(
        &mut b.store,
        &sup,
        id,
        None,
        WarningMove::Dismiss,
        "核实为系统数据错误",
        on,
    )
    .unwrap();
    let w = b.store.warning(id).unwrap().unwrap();
    assert_eq!(w.row.status, WarningStatus::Dismissed);
    assert_eq!(w.close_reason, "核实为系统数据错误");
    // A dismissed signal is held back while it stays at its level: no new warning each night.
    let r = warning::evaluate_book(&mut b.store, &b.boss, &b.rules, on).unwrap();
    assert_eq!((r.changes(), r.held), (0, 1), "{r:?}");
    // Worse than when it was dismissed: raised again, at the new level.
    repayment(&mut b, "2026-07-31", 95);
    let w = active(&b.store);
    assert_eq!((w.len(), w[0].level), (1, Level::Red));
    // Back inside, then over again: the hold is over, so a new warning is raised.
    let sup_id = w[0].id;
    repayment(&mut b, "2026-08-31", 0);
    warning::move_warning(
        &mut b.store,
        &sup,
        sup_id,
        None,
        WarningMove::Resolve,
        "已结清",
        d("2026-08-31"),
    )
    .unwrap();
    repayment(&mut b, "2026-09-30", 40);
    assert_eq!(active(&b.store)[0].level, Level::Orange);
}

#[test]
fn statement_entry_reevaluates_and_zero_denominators_raise_nothing() {
    let mut b = book();
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let mut s = postloan::domain::StatementRecord {
        borrower_code: "B1".into(),
        period_end: d("2026-06-30"),
        total_assets: dec("10000"),
        total_liabilities: dec("9500"),
        current_assets: dec("4000"),
        current_liabilities: dec("0"),
        inventory: dec("1000"),
        revenue: dec("1000"),
        ebit: dec("500"),
        interest_expense: dec("0"),
        net_profit: dec("100"),
        operating_cash_flow: dec("50"),
    };
    let (_, report) =
        tracking::enter_statement(&mut b.store, &spec, &s, &b.rules, d(AS_OF)).unwrap();
    // 95% debt/assets is red; the rise from 50% is +45 points, red too. No current
    // liabilities and no interest expense: those ratios cannot be computed and raise nothing.
    assert_eq!(report.new, [2, 0, 0], "{report:?}");
    let names: Vec<String> = active(&b.store).into_iter().map(|w| w.indicator).collect();
    assert!(
        names.contains(&"debt_to_asset".to_string())
            && names.contains(&"debt_to_asset_rise".to_string()),
        "{names:?}"
    );
    assert!(report.cannot_compute >= 3, "{report:?}");
    // Corrected statement: back inside every threshold.
    s.total_liabilities = dec("5000");
    s.current_liabilities = dec("2000");
    s.interest_expense = dec("100");
    let (_, report) =
        tracking::enter_statement(&mut b.store, &spec, &s, &b.rules, d(AS_OF)).unwrap();
    assert_eq!(report.back_to_normal, [2, 0, 0], "{report:?}");
}

#[test]
fn a_covenant_overrides_the_default_for_its_loan() {
    let mut b = book();
    // The contract says a current ratio under 2.5 is already orange (default: under 1.0).
    b.import(
        ExtractKind::Covenants,
        "contract_no,indicator,yellow,orange,red\nL1,current_ratio,3.0,2.5,\n",
    );
    let r = warning::evaluate_book(&mut b.store, &b.boss, &b.rules, d(AS_OF)).unwrap();
    assert_eq!(r.new, [0, 1, 0], "{r:?}");
    let w = &active(&b.store)[0];
    assert_eq!(
        (w.indicator.as_str(), w.source.as_deref()),
        ("current_ratio", Some("covenant"))
    );
    assert_eq!(w.threshold, Some(dec("2.5")));
    // Out-of-order covenant thresholds are refused with the row named.
    let path = b.write(
        "bad.csv",
        "contract_no,indicator,yellow,orange,red\nL1,debt_to_asset,90,80,70\n",
    );
    let rep = import(&mut b.store, &b.boss, ExtractKind::Covenants, &path);
    assert_eq!(rep.error_count, 1);
    assert!(
        rep.errors[0].to_string().contains("bad.csv:2:"),
        "{}",
        rep.errors[0]
    );
    // Setting one by hand needs a supervisor.
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let c = CovenantRecord {
        contract_no: "L1".into(),
        indicator: "dpd".into(),
        yellow: Some(dec("0")),
        orange: None,
        red: None,
    };
    assert!(warning::set_covenant(&mut b.store, &spec, &c).is_err());
    let sup = workflow::identify(&b.store, "super", None).unwrap();
    warning::set_covenant(&mut b.store, &sup, &c).unwrap();
}

#[test]
fn manual_warning_issues_a_notice_and_the_board_is_red_first_oldest_first() {
    let mut b = book();
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let raise = |b: &mut Book, level, on: &str, signal| {
        let mw = ManualWarning {
            contract_no: "L1",
            signal,
            level,
            risk_type: RiskType::Operational,
            reason: "法院传票：供应商起诉拖欠货款",
        };
        warning::raise_manual(&mut b.store, &spec, &mw, d(on), Lang::ZhCn).unwrap()
    };
    raise(&mut b, Level::Yellow, "2026-06-01", ManualSignal::Other);
    raise(&mut b, Level::Red, "2026-06-20", ManualSignal::Litigation);
    raise(&mut b, Level::Orange, "2026-06-10", ManualSignal::CreditCut);
    raise(
        &mut b,
        Level::Red,
        "2026-06-05",
        ManualSignal::AccountsFrozen,
    );
    let order: Vec<(Level, NaiveDate)> = active(&b.store)
        .iter()
        .map(|w| (w.level, w.raised_on))
        .collect();
    assert_eq!(
        order,
        [
            (Level::Red, d("2026-06-05")),
            (Level::Red, d("2026-06-20")),
            (Level::Orange, d("2026-06-10")),
            (Level::Yellow, d("2026-06-01")),
        ]
    );
    assert_eq!(
        b.store
            .warning_level_counts(&WarningQuery::default())
            .unwrap(),
        [2, 1, 1]
    );
    let loan = b.store.loan_by_contract("L1").unwrap().unwrap();
    let docs = b.store.documents(loan.id).unwrap();
    assert_eq!(docs.len(), 4);
    let notice = docs.iter().find(|d| d.body.contains("涉诉")).unwrap();
    assert!(
        notice.body.contains("风险预警通知书") && notice.body.contains("红色"),
        "{}",
        notice.body
    );
    assert!(
        notice.body.contains("法院传票"),
        "the facts are in the notice"
    );
    assert!(
        notice.body.contains("2026-06-23"),
        "red: feedback within 3 days: {}",
        notice.body
    );
    assert_eq!(notice.sha256.len(), 64);
    // An auditor may not raise one; an empty reason is refused.
    let auditor = workflow::identify(&b.store, "audit", None).unwrap();
    let mw = ManualWarning {
        contract_no: "L1",
        signal: ManualSignal::Shutdown,
        level: Level::Red,
        risk_type: RiskType::Credit,
        reason: "停产",
    };
    assert!(warning::raise_manual(&mut b.store, &auditor, &mw, d(AS_OF), Lang::En).is_err());
    let empty = ManualWarning { reason: "  ", ..mw };
    assert!(warning::raise_manual(&mut b.store, &spec, &empty, d(AS_OF), Lang::En).is_err());
    // Cause analysis is part of the record.
    let id = active(&b.store)[0].id;
    warning::analyse(
        &mut b.store,
        &spec,
        id,
        None,
        "主要客户破产导致回款中断",
        RiskType::Credit,
        Level::Red,
        d(AS_OF),
    )
    .unwrap();
    let w = b.store.warning(id).unwrap().unwrap();
    assert_eq!(
        (w.cause.as_str(), w.row.risk_type, w.judged_level),
        (
            "主要客户破产导致回款中断",
            RiskType::Credit,
            Some(Level::Red)
        )
    );
}

#[test]
fn rule_files_are_checked_with_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("site.toml");
    std::fs::write(&f, "[warnings.current_ratio]\norange = \"abc\"\n").unwrap();
    let dirs = postloan::config::Dirs {
        data: dir.path().into(),
        config: dir.path().into(),
        state: dir.path().into(),
    };
    let err = postloan::config::warning_rules(Some(Path::new(&f)), &dirs)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("site.toml") && err.contains("warnings.current_ratio.orange"),
        "{err}"
    );
    std::fs::write(
        &f,
        "[warnings.current_ratio]\norange = \"0.9\"\n[warnings.dpd]\nenabled = false\n",
    )
    .unwrap();
    let rules = postloan::config::warning_rules(Some(Path::new(&f)), &dirs).unwrap();
    let cr = rules.rule(postloan::engine::Indicator::CurrentRatio);
    assert_eq!((cr.orange, cr.source.code()), (Some(dec("0.9")), "user"));
    assert!(!rules.rule(postloan::engine::Indicator::Dpd).enabled);
}

#[test]
fn a_notice_keeps_hostile_reasons_inert_and_drops_bidi_controls() {
    let mut b = book();
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let mw = ManualWarning {
        contract_no: "L1",
        signal: ManualSignal::Litigation,
        level: Level::Red,
        risk_type: RiskType::Operational,
        reason: "<script>alert(1)</script> | 法院\u{202E}传票\u{2066}",
    };
    warning::raise_manual(&mut b.store, &spec, &mw, d("2026-06-20"), Lang::ZhCn).unwrap();
    let loan = b.store.loan_by_contract("L1").unwrap().unwrap();
    let docs = b.store.documents(loan.id).unwrap();
    let notice = docs.iter().find(|d| d.body.contains("法院")).unwrap();
    assert!(
        notice
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| 法院传票"),
        "{}",
        notice.body
    );
    assert!(!notice.body.contains("<script>"));
    assert!(!notice.body.contains('\u{202E}') && !notice.body.contains('\u{2066}'));
}
