//! The period summary on a small hand-made book whose every figure is worked out by hand
//! below (period: 2026 Q2, 2026-04-01 … 2026-06-30; the book's today 2026-06-30).

use super::*;
use crate::domain::inspection::{InspectionKind, InspectionMode, InspectionStatus};
use crate::domain::recovery::{RecoveryAmounts, RecoveryKind};
use crate::domain::warning::{Level, RiskType, WarningStatus};
use crate::domain::{
    Classification, GuaranteeType, LoanRecord, Product, Role, StaffRecord, TrackingFrequency,
};
use crate::engine::summary::Period;
use crate::store::{
    NewAction, NewHistory, NewInspection, NewProposal, NewRecovery, NewWarning, Tx,
};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn m(s: &str) -> Decimal {
    s.parse().expect("amount")
}

fn loan(
    no: &str,
    borrower: &str,
    out: &str,
    officer: &str,
    disbursed: &str,
    class: Classification,
) -> LoanRecord {
    LoanRecord {
        contract_no: no.into(),
        borrower_code: borrower.into(),
        borrower_name: format!("借款人{borrower}"),
        product: Product::WorkingCapital,
        purpose: "采购".into(),
        currency: "CNY".into(),
        principal: m("5000"),
        outstanding: m(out),
        interest_rate: m("4.35"),
        disbursed_on: d(disbursed),
        matures_on: d("2028-12-31"),
        guarantee_type: GuaranteeType::Mortgage,
        officer: officer.into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(class),
        restructured_on: None,
        credit_impaired: None,
    }
}

/// The book (amounts in yuan):
/// - L1 zhang, 正常, 1,000 on 2026-04-01 → 800 on 2026-06-30 (balances recorded).
/// - L2 zhang, 500; 正常 → 关注 effective 2026-02-01, → 次级 effective 2026-05-15.
/// - L3 li, 正常, 300 on 2026-04-01, repaid (0) on 2026-06-10.
/// - L4 li, 正常, 200, disbursed 2026-05-01 (not in the book at the start).
/// - L5 li, 可疑, 100.
fn book() -> (tempfile::TempDir, Store, [i64; 5]) {
    use Classification::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("book.db")).expect("open");
    let ids = store
        .write(|tx| -> Result<[i64; 5]> {
            for (u, name, role) in [
                ("zhang", "张伟", Role::Specialist),
                ("li", "李娜", Role::Specialist),
                ("wang", "王芳", Role::Supervisor),
            ] {
                tx.upsert_staff(
                    &StaffRecord {
                        username: u.into(),
                        display_name: name.into(),
                        role,
                    },
                    "test",
                )?;
            }
            let mut ids = [0i64; 5];
            let loans = [
                loan("L1", "B1", "800", "zhang", "2025-01-01", Pass),
                loan("L2", "B2", "500", "zhang", "2025-01-01", Substandard),
                loan("L3", "B3", "0", "li", "2025-01-01", Pass),
                loan("L4", "B4", "200", "li", "2026-05-01", Pass),
                loan("L5", "B5", "100", "li", "2025-01-01", Doubtful),
            ];
            for (i, l) in loans.iter().enumerate() {
                ids[i] = tx.upsert_loan_keyed(l, "test")?.1;
            }
            tx.conn().execute_batch("DELETE FROM loan_balances")?;
            tx.put_balance(ids[0], d("2026-04-01"), m("1000"))?;
            tx.put_balance(ids[0], d("2026-06-30"), m("800"))?;
            tx.put_balance(ids[2], d("2026-04-01"), m("300"))?;
            tx.put_balance(ids[2], d("2026-06-10"), m("0"))?;
            for (from, to, on) in [
                (Pass, SpecialMention, "2026-02-01"),
                (SpecialMention, Substandard, "2026-05-15"),
            ] {
                tx.append_history(&NewHistory {
                    loan_id: ids[1],
                    from,
                    to,
                    effective_on: d(on),
                    reason: "test",
                    basis: "judgement",
                    basis_ref: "",
                    proposal_id: None,
                    proposer: "zhang",
                    approver: "wang",
                    floor: None,
                })?;
            }
            // Follow-ups: L1 due 2026-06-01 and L5 2026-05-01 are overdue on 2026-06-30;
            // L2 due that day is not; L3 has no balance; L4 is due later.
            for (i, due) in [
                (0, "2026-06-01"),
                (1, "2026-06-30"),
                (2, "2026-01-01"),
                (3, "2026-07-30"),
                (4, "2026-05-01"),
            ] {
                tx.conn().execute(
                    "UPDATE loans SET next_followup_on = ?2 WHERE id = ?1",
                    params![ids[i], due],
                )?;
            }
            Ok(ids)
        })
        .expect("book");
    (dir, store, ids)
}

fn warning(tx: &mut Tx<'_>, loan: i64, level: Level, on: &str) -> Result<i64> {
    Ok(tx
        .insert_warning(
            &NewWarning {
                loan_id: loan,
                origin: "manual",
                indicator: "litigation",
                level,
                risk_type: RiskType::Credit,
                value: None,
                threshold: None,
                unit: None,
                source: None,
                reason: "test",
                raised_on: d(on),
            },
            "zhang",
        )?
        .0)
}

fn add_events(store: &mut Store, ids: [i64; 5]) {
    store
        .write(|tx| -> Result<()> {
            // W1: yellow on 04-10, orange on 05-02, resolved 06-20 — raised yellow, escalated
            // to orange, resolved orange. W2: red on 05-20. W3: orange on 03-15 (before the
            // period: in the March series only), resolved 04-05 (resolved orange).
            // W4: yellow on 2025-06-10, before the series' first month (2025-07).
            let w1 = warning(tx, ids[0], Level::Yellow, "2026-04-10")?;
            tx.escalate_warning(w1, Level::Orange, m("1"), m("1"), d("2026-05-02"), "evaluate")?;
            tx.move_warning(w1, 2, WarningStatus::Resolved, "ok", d("2026-06-20"), "wang")?;
            warning(tx, ids[1], Level::Red, "2026-05-20")?;
            let w3 = warning(tx, ids[4], Level::Orange, "2026-03-15")?;
            tx.move_warning(w3, 1, WarningStatus::Resolved, "ok", d("2026-04-05"), "wang")?;
            warning(tx, ids[0], Level::Yellow, "2025-06-10")?;
            // Cases: C1 opened 04-12, closed 06-25; C2 opened 01-10 (before); C3 opened 05-21.
            for (id, borrower, opened, closed) in [
                (1, ids[0], "2026-04-12", Some("2026-06-25")),
                (2, ids[4], "2026-01-10", None),
                (3, ids[1], "2026-05-21", None),
            ] {
                tx.conn().execute(
                    "INSERT INTO risk_cases (id, number, borrower_id, level, level_order, status,
                         opened_on, closed_on, officer, created_at, created_by, updated_at, updated_by)
                     VALUES (?1, 'CZ2026-' || ?1, (SELECT borrower_id FROM loans WHERE id = ?2),
                         'orange', 1, CASE WHEN ?4 IS NULL THEN 'open' ELSE 'closed' END, ?3, ?4,
                         'zhang', 't', 't', 't', 't')",
                    params![id, borrower, opened, closed],
                )?;
            }
            // Actions of C2: A1 done 04-28; A2 failed 06-05; A3 (deadline 06-15) still planned:
            // overdue; A4 (deadline 06-20) done only on 07-02: overdue on 06-30, not done in
            // the period; A5 due 07-15: not overdue.
            use crate::domain::disposal::{ActionKind, ActionStatus};
            for (deadline, end) in [
                ("2026-05-01", Some((ActionStatus::Done, "action_done", "2026-04-28"))),
                ("2026-06-01", Some((ActionStatus::Failed, "action_fail", "2026-06-05"))),
                ("2026-06-15", None),
                ("2026-06-20", Some((ActionStatus::Done, "action_done", "2026-07-02"))),
                ("2026-07-15", None),
            ] {
                let id = tx.insert_action(
                    &NewAction {
                        case_id: 2,
                        plan_id: None,
                        loan_id: Some(ids[4]),
                        kind: ActionKind::Other,
                        title: "t",
                        owner: "li",
                        deadline: d(deadline),
                        source: "",
                    },
                    "li",
                )?;
                if let Some((status, event, on)) = end {
                    tx.move_action(id, 1, status, "o", "li")?;
                    tx.case_event(2, d(on), "li", event, &format!("#{id}"), "")?;
                }
            }
            // Inspections: I1 L1 done 04-18; I2 L2 due 05-10 not done (overdue, zhang); I3 L5
            // done 06-08 (li); I4 L4 due 07-10 (not yet); I5 L1 done 03-05 (before the period).
            for (loan, due, status, done) in [
                (ids[0], "2026-04-20", InspectionStatus::Approved, Some("2026-04-18")),
                (ids[1], "2026-05-10", InspectionStatus::Planned, None),
                (ids[4], "2026-06-10", InspectionStatus::Submitted, Some("2026-06-08")),
                (ids[3], "2026-07-10", InspectionStatus::Planned, None),
                (ids[0], "2026-03-01", InspectionStatus::Approved, Some("2026-03-05")),
            ] {
                tx.insert_inspection(
                    &NewInspection {
                        loan_id: loan,
                        kind: InspectionKind::Routine,
                        mode: InspectionMode::Onsite,
                        due_on: d(due),
                        status,
                        focus: "",
                        inspected_on: done.map(d),
                        inspectors: "",
                        author: None,
                        year: 2026,
                    },
                    "zhang",
                )?;
            }
            // Recovered in the period: 50.25 + 10 + 2.5 on 05-05 (03-01's 999 is before it).
            for (on, p) in [("2026-05-05", "50.25"), ("2026-03-01", "999")] {
                tx.insert_recovery(
                    &NewRecovery {
                        loan_id: ids[4],
                        case_id: None,
                        on: d(on),
                        kind: RecoveryKind::Repayment,
                        amounts: RecoveryAmounts {
                            principal: m(p),
                            interest: m("10"),
                            costs: m("2.5"),
                        },
                        note: "",
                    },
                    "li",
                )?;
            }
            // Written off: 30 on 06-15; 7 on 07-01 is after the period.
            tx.insert_write_off(ids[4], None, d("2026-06-15"), m("30"), m("30"), "r", "li")?;
            tx.insert_write_off(ids[4], None, d("2026-07-01"), m("7"), m("37"), "r", "li")?;
            // Below the floor: L2's pending floor proposal to 可疑 (500 out); L1's judgement
            // proposal is no floor.
            for (loan, basis) in [(ids[1], "floor"), (ids[0], "judgement")] {
                tx.insert_proposal(&NewProposal {
                    loan_id: loan,
                    from: Classification::Substandard,
                    to: Classification::Doubtful,
                    basis,
                    basis_ref: "",
                    reason: "",
                    floor: None,
                    effective_on: d("2026-06-30"),
                    proposed_on: d("2026-06-30"),
                    proposer: "zhang",
                })?;
            }
            Ok(())
        })
        .expect("events");
}

#[test]
fn a_hand_made_book_sums_up_as_worked_out_by_hand() {
    let (_dir, mut store, ids) = book();
    add_events(&mut store, ids);
    let q2 = Period::quarter(2026, 2).expect("Q2");
    let s = store.period_summary(q2, d("2026-06-30")).expect("summary");
    assert_eq!(s.overdue_on, d("2026-06-30"));

    // Opening (04-01): L1 正常 1,000, L3 正常 300, L2 关注 500, L5 可疑 100 = 1,900;
    // NPL 100 / 1,900 = 5.26 %.
    assert_eq!(s.opening.count, [2, 1, 0, 1, 0]);
    assert_eq!(
        s.opening.outstanding,
        [m("1300"), m("500"), m("0"), m("100"), m("0")]
    );
    // Closing (06-30): L1 800 + L4 200 正常, L2 次级 500, L5 可疑 100 (L3 repaid) = 1,600;
    // NPL 600 / 1,600 = 37.50 %, up 32.24 points.
    assert_eq!(s.closing.count, [2, 0, 1, 1, 0]);
    assert_eq!(s.closing.total(), m("1600"));
    assert_eq!(s.npl_ratios(), (Some(m("5.26")), Some(m("37.50"))));
    assert_eq!(s.npl_change(), Some(m("32.24")));

    // Migration: 正常 moved nothing over 1,300 − (200 + 300) → 0 %; 关注's 500 into 次级
    // → 100 %; 可疑 stayed → 0 %; 正常+关注: 500 / (1,800 − 500) = 38.46 %.
    use Classification::*;
    assert_eq!(s.migration.rate(Pass), Some(m("0")));
    assert_eq!(s.migration.rate(SpecialMention), Some(m("100")));
    assert_eq!(s.migration.rate(Substandard), None);
    assert_eq!(s.migration.rate(Doubtful), Some(m("0")));
    assert_eq!(s.migration.normal_rate(), Some(m("38.46")));

    // Warnings: raised W1 yellow, W2 red; escalated W1 to orange; resolved W1 and W3 (orange).
    assert_eq!(s.warnings_raised.0, [1, 0, 1]);
    assert_eq!(s.warnings_escalated.0, [0, 1, 0]);
    assert_eq!(s.warnings_resolved.0, [0, 2, 0]);
    assert_eq!((s.cases_opened, s.cases_closed), (2, 1));

    // Inspections: li done 1, overdue 0; zhang done 1 (I1), overdue 1 (I2).
    let insp: Vec<(&str, &str, u64, u64)> = s
        .inspections
        .iter()
        .map(|o| (o.officer.as_str(), o.name.as_str(), o.done, o.overdue))
        .collect();
    assert_eq!(insp, vec![("li", "李娜", 1, 0), ("zhang", "张伟", 1, 1)]);

    assert_eq!(
        (s.actions.done, s.actions.overdue, s.actions.failed),
        (1, 2, 1)
    );
    assert_eq!(
        (
            s.recovered.principal,
            s.recovered.interest,
            s.recovered.costs
        ),
        (m("50.25"), m("10"), m("2.5"))
    );
    assert_eq!(s.recovered.total(), m("62.75"));
    assert_eq!((s.written_off.amount, s.written_off.loans), (m("30"), 1));
    assert_eq!(s.below_floor.count, [0, 0, 0, 1, 0]);
    assert_eq!(s.below_floor.outstanding, m("500"));

    // Follow-ups overdue on 06-30: L1 (zhang), L5 (li).
    let f: Vec<(&str, u64)> = s
        .followups_overdue
        .iter()
        .map(|o| (o.officer.as_str(), o.overdue))
        .collect();
    assert_eq!(f, vec![("li", 1), ("zhang", 1)]);

    // The series, 2025-07 … 2026-06: raised W3 in March, W1 in April, W2 in May (W4 in June
    // 2025 is before it). NPL ratio: 100 / 1,900 = 5.26 % to April (L2 正常 before February,
    // then 关注); May: L2 次级 and L4 in: 600 / 2,100 = 28.57 %; June 37.50 %.
    assert_eq!(s.series.len(), 12);
    assert_eq!(s.series[0].month, d("2025-07-01"));
    let raised: Vec<u64> = s.series.iter().map(|p| p.warnings_raised).collect();
    assert_eq!(raised, vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0]);
    let npl: Vec<Option<Decimal>> = s.series.iter().map(|p| p.npl_ratio).collect();
    let mut want = vec![Some(m("5.26")); 10];
    want.push(Some(m("28.57")));
    want.push(Some(m("37.50")));
    assert_eq!(npl, want);
}

#[test]
fn overdue_counts_on_the_books_today_when_the_period_ends_later() {
    let (_dir, mut store, ids) = book();
    add_events(&mut store, ids);
    // The whole year to 2026-12-31, on 2026-06-30: overdue as of 06-30 still (A3, A4).
    let y = Period::year(2026).expect("year");
    let s = store.period_summary(y, d("2026-06-30")).expect("summary");
    assert_eq!(s.overdue_on, d("2026-06-30"));
    assert_eq!(s.actions.overdue, 2);
    // A4's "done" on 07-02 is in the year.
    assert_eq!(s.actions.done, 2);
    // W3 raised in March is in the year, W4 (2025) is not.
    assert_eq!(s.warnings_raised.0, [1, 1, 1]);
    assert_eq!(s.written_off.amount, m("37"));
}

#[test]
fn the_grouped_blocks_read_ranges_of_indexes_not_whole_tables() {
    let (_dir, store, _) = book();
    let args = ["2026-01-01", "2026-12-31", "2026-06-30"];
    for sql in [WARNING_EVENTS, CASES, INSPECTIONS, ACTIONS] {
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let n = stmt.parameter_count();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(&args[..n]), |r| r.get(3))
            .expect("plan")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        for step in &plan {
            // Only the small table of disposal actions (overdue ones) is read whole; a
            // constant row or a subquery's own rows are no table.
            let table = step.strip_prefix("SCAN ").and_then(|t| t.split(' ').next());
            let big = [
                "inspections",
                "warning_events",
                "e",
                "case_events",
                "risk_cases",
            ];
            assert!(
                !table.is_some_and(|t| big.contains(&t)),
                "{step} in {plan:?} for {sql}"
            );
        }
    }
}

/// A move on the period's first day belongs to the period: the opening is the book at the
/// close of the day before (L2 went 关注 → 次级 on 2026-05-15).
#[test]
fn a_change_on_the_first_day_of_the_period_is_in_the_period() {
    let (_dir, store, _) = book();
    let period = Period {
        from: d("2026-05-15"),
        to: d("2026-05-31"),
    };
    let s = store
        .period_summary(period, d("2026-06-30"))
        .expect("summary");
    assert_eq!(
        s.opening.count[1], 1,
        "L2 opens 关注: {:?}",
        s.opening.count
    );
    assert_eq!(s.opening.count[2], 0, "no 次级 at the opening");
    assert_eq!(
        s.closing.count[2], 1,
        "L2 closes 次级: {:?}",
        s.closing.count
    );
}
