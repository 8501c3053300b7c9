//! Issue #14, evaluation faults, on books made in the test: warnings of a loan that leaves
//! evaluation go back to normal (and can be resolved); evaluation reads only facts dated on or
//! before its date, refuses implausible dates and never writes a warning's history backwards;
//! a matured loan with a balance is past due, and old repayment data is itself a signal.

mod support;

use chrono::NaiveDate;
use postloan::domain::warning::{Level, WarningMove, WarningStatus};
use postloan::domain::{RepaymentRecord, Role};
use postloan::engine::rules::{RuleSet, RuleSource};
use postloan::extract::ExtractKind;
use postloan::store::{PageFrom, WarningQuery, WarningRow};
use postloan::workflow::warning::{self, DateRefusal, check_evaluation_date};
use postloan::workflow::{self, tracking};
use rust_decimal::Decimal;
use std::str::FromStr;
use support::book::{TestBook, cli};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

type Book = TestBook;

/// An empty book with the manager and one specialist, `spec`.
fn new_book() -> Book {
    TestBook::with_staff(&[("spec", Role::Specialist)])
}

impl Book {
    fn evaluate(&mut self, rules: &RuleSet, on: &str) -> warning::EvalReport {
        warning::evaluate_book(&mut self.store, &self.boss, rules, d(on)).unwrap()
    }

    /// Every warning, active or closed, by id.
    fn warnings(&self) -> Vec<WarningRow> {
        let q = WarningQuery {
            include_closed: true,
            ..WarningQuery::default()
        };
        let mut rows = self.store.warning_page(&q, &PageFrom::Start, 1000).unwrap();
        rows.sort_by_key(|w| w.id);
        rows
    }

    /// (indicator, level, value, threshold, raised on, status, back to normal) of each warning.
    fn summary(
        &self,
    ) -> Vec<(
        String,
        Level,
        String,
        String,
        NaiveDate,
        WarningStatus,
        bool,
    )> {
        self.warnings()
            .into_iter()
            .map(|w| {
                (
                    w.indicator,
                    w.level,
                    w.value
                        .map(|v| v.normalize().to_string())
                        .unwrap_or_default(),
                    w.threshold
                        .map(|v| v.normalize().to_string())
                        .unwrap_or_default(),
                    w.raised_on,
                    w.status,
                    w.back_to_normal,
                )
            })
            .collect()
    }

    /// (event, date, note) of a warning's history.
    fn events(&self, id: i64) -> Vec<(String, NaiveDate, String)> {
        self.store
            .warning_events(id)
            .unwrap()
            .into_iter()
            .map(|e| (e.event, e.on_date, e.note))
            .collect()
    }

    fn audit_actions(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(self.path()).unwrap();
        let mut stmt = conn
            .prepare("SELECT action FROM audit_log ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

/// The default rules without `statements_late` (these books have no statements).
fn rules() -> RuleSet {
    let defaults: toml::Table = toml::from_str(postloan::config::DEFAULT_TOML).unwrap();
    let layer: toml::Table =
        toml::from_str("[warnings.statements_late]\nenabled = false\n").unwrap();
    RuleSet::from_layers(&defaults, &[(RuleSource::User, "test.toml", &layer)]).unwrap()
}

fn s(x: &str) -> String {
    x.to_string()
}

// ---- Fault 3: a loan that leaves evaluation -------------------------------------------

/// A red DPD warning, then the loan is paid off: outstanding 0.00 and a 0-DPD status.
fn paid_off_book() -> (Book, i64) {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2024-01-15", "2026-01-15");
    b.repayment("L1", "2024-05-31", 95);
    let r = b.evaluate(&rules(), "2024-05-31");
    assert_eq!(r.new, [1, 0, 0], "{r:?}");
    let id = b.warnings()[0].id;
    b.loan("L1", "0.00", "2024-01-15", "2026-01-15");
    b.repayment("L1", "2024-06-30", 0);
    (b, id)
}

#[test]
fn a_paid_off_loan_has_its_warnings_back_to_normal_and_they_can_be_resolved() {
    let (mut b, id) = paid_off_book();
    let r = b.evaluate(&rules(), "2024-06-30");
    assert_eq!(r.back_to_normal, [1, 0, 0], "{r:?}");
    assert_eq!(r.loans, 0, "a loan without balance is not evaluated");
    assert_eq!(
        b.summary(),
        vec![(
            s("dpd"),
            Level::Red,
            s("95"),
            s("90"),
            d("2024-05-31"),
            WarningStatus::Open,
            true
        )]
    );
    let events = b.events(id);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].0, "back_to_normal");
    assert_eq!(events[1].1, d("2024-06-30"));
    assert!(events[1].2.contains("no outstanding balance"), "{events:?}");
    assert!(events[1].2.contains("已无余额"), "{events:?}");
    assert!(
        b.audit_actions().contains(&s("warnings.back_to_normal")),
        "the change has its audit row"
    );

    // Nothing more to do on a second run.
    let again = b.evaluate(&rules(), "2024-06-30");
    assert_eq!(again.changes(), 0, "{again:?}");

    // A person can now resolve it.
    let to = warning::move_warning(
        &mut b.store,
        &b.boss,
        id,
        None,
        WarningMove::Resolve,
        "loan repaid in full",
        d("2024-07-01"),
    )
    .unwrap();
    assert_eq!(to, WarningStatus::Resolved);
}

#[test]
fn a_paid_off_loan_re_evaluated_on_its_own_also_goes_back_to_normal() {
    // Entering the repayment status in the workbench re-evaluates that loan alone.
    let (mut b, id) = paid_off_book();
    let spec = workflow::identify(&b.store, "spec", None).unwrap();
    let rec = RepaymentRecord {
        contract_no: "L1".into(),
        as_of: d("2024-07-01"),
        overdue_days: 0,
        overdue_principal: dec("0"),
        overdue_interest: dec("0"),
    };
    tracking::enter_repayment(&mut b.store, &spec, &rec, &rules(), d("2024-07-01")).unwrap();
    let w = &b.warnings()[0];
    assert_eq!((w.id, w.back_to_normal), (id, true));
    assert_eq!(b.events(id)[1].1, d("2024-07-01"));
}

#[test]
fn a_disabled_rule_sends_its_open_warnings_back_to_normal() {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2024-01-15", "2026-01-15");
    b.repayment("L1", "2024-05-31", 95);
    assert_eq!(b.evaluate(&rules(), "2024-05-31").new, [1, 0, 0]);
    let defaults: toml::Table = toml::from_str(postloan::config::DEFAULT_TOML).unwrap();
    let off: toml::Table = toml::from_str(
        "[warnings.statements_late]\nenabled = false\n[warnings.dpd]\nenabled = false\n",
    )
    .unwrap();
    let without_dpd =
        RuleSet::from_layers(&defaults, &[(RuleSource::User, "off.toml", &off)]).unwrap();
    let r = b.evaluate(&without_dpd, "2024-06-15");
    assert_eq!(r.back_to_normal, [1, 0, 0], "{r:?}");
    let w = &b.warnings()[0];
    assert!(w.back_to_normal);
    let events = b.events(w.id);
    assert_eq!(events[1].1, d("2024-06-15"));
    assert!(events[1].2.contains("disabled"), "{events:?}");
    let to = warning::move_warning(
        &mut b.store,
        &b.boss,
        w.id,
        None,
        WarningMove::Resolve,
        "rule retired",
        d("2024-06-16"),
    )
    .unwrap();
    assert_eq!(to, WarningStatus::Resolved);
}

// ---- Fault 4: the evaluation date ------------------------------------------------------

/// A loan disbursed 2024-03-01 whose every fact is dated later: a 120-DPD status on
/// 2024-06-30, a statement for 2024-03-31 (debt/assets 95%), a prohibited flow paid
/// 2024-05-10, collateral appraised 2024-04-01 at less than the balance.
fn dated_book() -> Book {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2024-03-01", "2026-03-01");
    b.repayment("L1", "2024-06-30", 120);
    b.import(
        ExtractKind::Statements,
        "borrower_code,period_end,total_assets,total_liabilities,current_assets,current_liabilities,inventory,revenue,ebit,interest_expense,net_profit,operating_cash_flow\n\
         B1,2024-03-31,10000,9500,4000,2000,1000,1000,500,100,300,200\n",
    );
    b.import(
        ExtractKind::FundFlows,
        "contract_no,paid_on,amount,counterparty,sector\nL1,2024-05-10,500000.00,某证券公司,securities\n",
    );
    b.import(
        ExtractKind::Collateral,
        "contract_no,kind,description,appraised_value,appraised_on\nL1,equipment,机床,500000.00,2024-04-01\n",
    );
    b
}

#[test]
fn evaluation_reads_only_facts_dated_on_or_before_its_date() {
    let mut b = dated_book();
    // Before disbursement: the loan is not evaluated at all.
    let r = b.evaluate(&rules(), "2023-06-30");
    assert_eq!((r.loans, r.changes()), (0, 0), "{r:?}");
    // Disbursed, but every fact is later: nothing to raise (no status yet: 14 days old).
    let r = b.evaluate(&rules(), "2024-03-15");
    assert_eq!((r.loans, r.changes()), (1, 0), "{r:?}");
    assert!(b.warnings().is_empty());
    // Once they are dated on or before it, they count.
    let r = b.evaluate(&rules(), "2024-06-30");
    assert_eq!(r.loans, 1);
    assert_eq!(
        b.summary(),
        vec![
            (
                s("dpd"),
                Level::Red,
                s("120"),
                s("90"),
                d("2024-06-30"),
                WarningStatus::Open,
                false
            ),
            (
                s("debt_to_asset"),
                Level::Red,
                s("95"),
                s("90"),
                d("2024-06-30"),
                WarningStatus::Open,
                false
            ),
            (
                s("collateral_coverage"),
                Level::Red,
                s("200"),
                s("100"),
                d("2024-06-30"),
                WarningStatus::Open,
                false
            ),
            (
                s("fund_diversion"),
                Level::Red,
                s("50"),
                s("10"),
                d("2024-06-30"),
                WarningStatus::Open,
                false
            ),
        ]
    );
}

#[test]
fn the_status_used_is_the_latest_on_or_before_the_date() {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2024-01-15", "2026-01-15");
    b.repayment("L1", "2024-04-30", 10);
    b.repayment("L1", "2024-06-30", 120);
    let r = b.evaluate(&rules(), "2024-05-15");
    assert_eq!(r.new, [0, 0, 1], "{r:?}");
    assert_eq!(
        b.summary(),
        vec![(
            s("dpd"),
            Level::Yellow,
            s("10"),
            s("7"),
            d("2024-05-15"),
            WarningStatus::Open,
            false
        )]
    );
}

#[test]
fn a_backdated_evaluation_never_writes_a_warning_event_before_its_last() {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2024-01-15", "2026-01-15");
    b.repayment("L1", "2024-05-31", 0);
    b.repayment("L1", "2024-06-30", 120);
    assert_eq!(b.evaluate(&rules(), "2024-06-30").new, [1, 0, 0]);
    let id = b.warnings()[0].id;
    let before = b.summary();
    // On 2024-05-31 the status was 0 DPD, but the warning was raised on 2024-06-30.
    let r = b.evaluate(&rules(), "2024-05-31");
    assert_eq!(r.changes(), 0, "{r:?}");
    assert_eq!(r.still_open, [1, 0, 0]);
    // Before the loan was even disbursed: not evaluated.
    let r = b.evaluate(&rules(), "0001-01-01");
    assert_eq!((r.loans, r.changes()), (0, 0), "{r:?}");
    assert_eq!(b.summary(), before);
    assert_eq!(b.events(id).len(), 1);
    // Nor when the loan is paid off meanwhile.
    b.loan("L1", "0.00", "2024-01-15", "2026-01-15");
    assert_eq!(b.evaluate(&rules(), "2024-06-01").changes(), 0);
    assert_eq!(b.summary(), before);
    // Forward again, it goes back to normal on that date.
    assert_eq!(b.evaluate(&rules(), "2024-07-31").back_to_normal, [1, 0, 0]);
    assert_eq!(b.events(id)[1].1, d("2024-07-31"));
}

#[test]
fn evaluation_dates_far_from_today_or_before_the_last_are_refused() {
    let mut b = new_book();
    let r = RuleSet::defaults();
    let today = d("2024-07-01");
    let check = |b: &Book, r: &RuleSet, on: &str, force: bool| {
        check_evaluation_date(&b.store, r, d(on), today, force).unwrap()
    };
    assert_eq!(check(&b, &r, "2024-07-01", false), None);
    assert_eq!(
        check(&b, &r, "2024-07-02", false),
        Some(DateRefusal::TooFarAhead { days: 1, max: 0 }),
        "a day ahead, by default"
    );
    assert_eq!(check(&b, &r, "2024-07-02", true), None, "forced");
    assert_eq!(check(&b, &r, "2019-07-02", false), None, "1826 days back");
    assert_eq!(
        check(&b, &r, "2019-07-01", false),
        Some(DateRefusal::TooFarBack {
            days: 1827,
            max: 1826
        })
    );
    assert_eq!(
        check(&b, &r, "9999-12-31", false),
        Some(DateRefusal::Absurd)
    );
    assert_eq!(check(&b, &r, "9999-12-31", true), Some(DateRefusal::Absurd));
    assert_eq!(check(&b, &r, "0001-01-01", true), Some(DateRefusal::Absurd));
    assert_eq!(check(&b, &r, "2025-07-01", true), None, "--force");

    // Before the last evaluation.
    b.evaluate(&r, "2024-06-30");
    assert_eq!(
        check(&b, &r, "2024-06-29", false),
        Some(DateRefusal::BeforeLast {
            last: d("2024-06-30")
        })
    );
    assert_eq!(check(&b, &r, "2024-06-30", false), None);
    assert_eq!(check(&b, &r, "2024-06-29", true), None);
    // A forced backdated run does not move the last evaluation back.
    b.evaluate(&r, "2024-06-01");
    assert_eq!(
        check(&b, &r, "2024-06-15", false),
        Some(DateRefusal::BeforeLast {
            last: d("2024-06-30")
        })
    );

    // The spans are configuration.
    let defaults: toml::Table = toml::from_str(postloan::config::DEFAULT_TOML).unwrap();
    let layer: toml::Table =
        toml::from_str("[warnings]\nevaluate_days_ahead = 400\nevaluate_days_back = 10\n").unwrap();
    let site = RuleSet::from_layers(&defaults, &[(RuleSource::Site, "site.toml", &layer)]).unwrap();
    assert_eq!(check(&b, &site, "2025-07-01", false), None);
    assert_eq!(
        check(&b, &site, "2024-06-20", false),
        Some(DateRefusal::TooFarBack { days: 11, max: 10 })
    );
    // The message says why, in the user's language.
    let msg = DateRefusal::TooFarAhead { days: 32, max: 31 }.message(
        postloan::i18n::Lang::En,
        d("2024-08-02"),
        today,
    );
    assert!(
        msg.contains("2024-08-02") && msg.contains("--force"),
        "{msg}"
    );
}

#[test]
fn the_command_refuses_implausible_dates_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        cli(dir.path(), "en_US.UTF-8")
            .args(args)
            .args(["--db", db])
            .output()
            .unwrap()
    };
    let out = run(&[
        "demo",
        "--no-tui",
        "--loans",
        "50",
        "--seed",
        "3",
        "--as-of",
        "2026-06-30",
    ]);
    assert!(out.status.success());
    for (date, why) in [
        ("9999-12-31", "century"),
        ("0001-01-01", "century"),
        ("2027-06-30", "after today"),
        ("2026-05-31", "last evaluation (2026-06-30)"),
    ] {
        let out = run(&["evaluate", "--as-of", date]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{date}: {err}");
        assert!(err.contains(date) && err.contains(why), "{date}: {err}");
    }
    let out = run(&[
        "evaluate",
        "--as-of",
        "2026-05-31",
        "--force",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["warnings", "--format", "json", "--limit", "1000"]);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.iter().all(|w| {
        w["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("YJ2026-"))
    }));
}

// ---- Fault 6: a matured loan, old repayment data ---------------------------------------

#[test]
fn a_matured_unpaid_loan_is_past_due_and_its_old_status_is_stale() {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2023-01-15", "2024-01-15");
    b.repayment("L1", "2023-12-31", 0);
    let r = b.evaluate(&rules(), "2024-06-30");
    assert_eq!((r.new, r.loans), ([1, 0, 1], 1), "{r:?}");
    assert_eq!(
        b.summary(),
        vec![
            (
                s("dpd"),
                Level::Red,
                s("167"),
                s("90"),
                d("2024-06-30"),
                WarningStatus::Open,
                false
            ),
            (
                s("repayment_stale"),
                Level::Yellow,
                s("182"),
                s("45"),
                d("2024-06-30"),
                WarningStatus::Open,
                false
            ),
        ]
    );
    let w = b.store.warning(b.warnings()[1].id).unwrap().unwrap();
    assert_eq!(w.row.risk_type.code(), "operational");
    // A fresh status brings the staleness back inside; the DPD stays (still unpaid).
    b.repayment("L1", "2024-07-31", 198);
    let r = b.evaluate(&rules(), "2024-07-31");
    assert_eq!(r.back_to_normal, [0, 0, 1], "{r:?}");
    assert_eq!(r.still_open, [1, 0, 0], "{r:?}");
}

#[test]
fn a_loan_without_any_status_is_stale_from_disbursement() {
    let mut b = new_book();
    b.loan("L1", "1000000.00", "2024-01-01", "2026-01-01");
    b.loan("L2", "1000000.00", "2024-06-01", "2026-06-01");
    let r = b.evaluate(&rules(), "2024-06-30");
    assert_eq!(r.new, [0, 0, 1], "{r:?}");
    let w = &b.warnings()[0];
    assert_eq!(
        (w.contract_no.as_str(), w.indicator.as_str(), w.level),
        ("L1", "repayment_stale", Level::Yellow)
    );
    assert_eq!(w.value, Some(dec("181")));
}

#[test]
fn a_paid_off_loan_s_acknowledged_warning_resolves_before_any_evaluation() {
    let (mut b, id) = paid_off_book();
    warning::move_warning(
        &mut b.store,
        &b.boss,
        id,
        None,
        WarningMove::Acknowledge,
        "",
        d("2024-06-10"),
    )
    .unwrap();
    // No evaluation since the pay-off: resolving finds the loan without balance.
    let to = warning::move_warning(
        &mut b.store,
        &b.boss,
        id,
        None,
        WarningMove::Resolve,
        "loan repaid in full",
        d("2024-06-12"),
    )
    .unwrap();
    assert_eq!(to, WarningStatus::Resolved);
    let events = b.events(id);
    let back = events
        .iter()
        .find(|e| e.0 == "back_to_normal")
        .expect("a back-to-normal event");
    assert_eq!(back.1, d("2024-06-12"));
    assert!(back.2.contains("no outstanding balance"), "{events:?}");
    assert!(b.audit_actions().contains(&s("warnings.back_to_normal")));
}
