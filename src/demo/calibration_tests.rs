//! Calibration of the demo book against the shipped early-warning thresholds: the facts of
//! every loan are assembled as the book would give them to the engine, evaluated with
//! `RuleSet::defaults()`, and the shares of loans warned must look like a real book.
//! `cargo test --lib demo::calibration -- --nocapture` prints the table used for tuning.

use super::*;
use crate::domain::tracking::next_followup_on;
use crate::engine::indicators::{LoanFacts, evaluate};
use crate::engine::rules::{Indicator, Level, RuleSet};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashSet;

/// One loan's facts being gathered from the stream.
struct Pending {
    borrower: String,
    facts: LoanFacts,
    latest_snapshot: Option<NaiveDate>,
    /// Whether a follow-up is due at `as_of` (as in the follow-up test of `tests.rs`).
    frequency: TrackingFrequency,
    last_contact: Option<NaiveDate>,
}

/// Assembles `LoanFacts` per loan like `workflow::warning::facts` does from the store:
/// all statements of the borrower oldest first, the sum of appraised collateral values
/// (None without collateral), the sum of flows to prohibited sectors, the DPD of the latest
/// repayment snapshot.
struct FactsSink {
    as_of: NaiveDate,
    statements: Vec<StatementRecord>,
    pending: Option<Pending>,
    done: Vec<(String, LoanFacts)>,
    followups_due: usize,
}

impl FactsSink {
    fn new(as_of: NaiveDate) -> Self {
        FactsSink {
            as_of,
            statements: Vec::new(),
            pending: None,
            done: Vec::new(),
            followups_due: 0,
        }
    }

    fn flush(&mut self) {
        if let Some(p) = self.pending.take() {
            let next = next_followup_on(
                p.facts.disbursed_on,
                p.last_contact,
                p.facts.statements.last().map(|s| s.period_end),
                p.frequency,
            );
            self.followups_due += usize::from(next <= self.as_of);
            self.done.push((p.borrower, p.facts));
        }
    }

    fn current(&mut self) -> &mut Pending {
        self.pending
            .as_mut()
            .expect("a child record before its loan")
    }
}

impl DemoSink for FactsSink {
    type Error = std::convert::Infallible;
    fn staff(&mut self, _: &StaffRecord) -> Result<(), Self::Error> {
        Ok(())
    }
    fn borrower(&mut self, _: &BorrowerRecord) -> Result<(), Self::Error> {
        self.flush();
        self.statements.clear();
        Ok(())
    }
    fn statement(&mut self, r: &StatementRecord) -> Result<(), Self::Error> {
        self.statements.push(r.clone());
        Ok(())
    }
    fn loan(&mut self, r: &LoanRecord) -> Result<(), Self::Error> {
        self.flush();
        let mut statements = self.statements.clone();
        statements.sort_by_key(|s| s.period_end);
        self.pending = Some(Pending {
            borrower: r.borrower_code.clone(),
            facts: LoanFacts {
                as_of: self.as_of,
                disbursed_on: r.disbursed_on,
                matures_on: r.matures_on,
                principal: r.principal,
                outstanding: r.outstanding,
                overdue_days: 0,
                status_as_of: None,
                statements,
                collateral_value: None,
                prohibited_flows: Decimal::ZERO,
            },
            latest_snapshot: None,
            frequency: r.tracking_frequency,
            last_contact: None,
        });
        Ok(())
    }
    fn collateral(&mut self, r: &CollateralRecord) -> Result<(), Self::Error> {
        let f = &mut self.current().facts;
        *f.collateral_value.get_or_insert(Decimal::ZERO) += r.appraised_value;
        Ok(())
    }
    fn repayment(&mut self, r: &RepaymentRecord) -> Result<(), Self::Error> {
        let p = self.current();
        if p.latest_snapshot.is_none_or(|d| r.as_of >= d) {
            p.latest_snapshot = Some(r.as_of);
            p.facts.overdue_days = r.overdue_days;
            p.facts.status_as_of = Some(r.as_of);
        }
        Ok(())
    }
    fn fund_flow(&mut self, r: &FundFlowRecord) -> Result<(), Self::Error> {
        if r.sector.is_prohibited() {
            self.current().facts.prohibited_flows += r.amount;
        }
        Ok(())
    }
    fn contact(&mut self, r: &ContactRecord) -> Result<(), Self::Error> {
        let p = self.current();
        p.last_contact = p.last_contact.max(Some(r.contact_on));
        Ok(())
    }
}

/// Warnings of a whole book under the default rules.
#[derive(Default)]
struct Tally {
    loans: usize,
    /// Loans of deteriorating borrowers.
    deteriorating: usize,
    /// Loans with anything overdue at `as_of`.
    delinquent: usize,
    any: usize,
    red: usize,
    /// Red loans that are deteriorating or delinquent.
    red_explained: usize,
    /// Loans neither deteriorating nor delinquent that carry a warning.
    healthy_warned: usize,
    healthy: usize,
    /// Indicators hit summed over the deteriorating loans.
    det_hits: usize,
    /// Financial indicators hit summed over the deteriorating loans, with the statements up
    /// to the fourth quarter only (`.0`) and with all eight (`.1`).
    det_financial: (usize, usize),
    /// Loans with a follow-up due.
    followups_due: usize,
    /// Per indicator: loans hit at yellow, orange, red.
    levels: [[usize; 3]; Indicator::ALL.len()],
    /// Per indicator: loans hit among the deteriorating ones.
    det_levels: [usize; Indicator::ALL.len()],
    /// Per indicator: loans hit among those neither deteriorating nor delinquent.
    healthy_levels: [usize; Indicator::ALL.len()],
}

fn level_index(l: Level) -> usize {
    match l {
        Level::Yellow => 0,
        Level::Orange => 1,
        Level::Red => 2,
    }
}

fn tally(loans: u64, seed: u64, as_of: NaiveDate) -> Tally {
    let params = DemoParams { loans, seed, as_of };
    let mut sink = FactsSink::new(as_of);
    let mut deteriorating = HashSet::new();
    let Ok(_) = generate_observed(&params, &mut sink, |code, p| {
        if p.deteriorating {
            deteriorating.insert(code.to_string());
        }
    });
    sink.flush();
    let rules = RuleSet::defaults();
    let mut t = Tally {
        followups_due: sink.followups_due,
        ..Tally::default()
    };
    for (borrower, facts) in &sink.done {
        let det = deteriorating.contains(borrower);
        let delinquent = facts.overdue_days > 0;
        t.loans += 1;
        t.deteriorating += usize::from(det);
        t.delinquent += usize::from(delinquent);
        let (mut any, mut red) = (false, false);
        for s in evaluate(&rules, facts) {
            let Some((level, _)) = s.hit else { continue };
            any = true;
            red |= level == Level::Red;
            t.levels[s.indicator.index()][level_index(level)] += 1;
            if det {
                t.det_levels[s.indicator.index()] += 1;
                t.det_hits += 1;
            }
            if !det && !delinquent {
                t.healthy_levels[s.indicator.index()] += 1;
            }
        }
        if det {
            let financial_hits = |f: &LoanFacts| {
                evaluate(&rules, f)
                    .iter()
                    .filter(|s| s.indicator.is_financial() && s.hit.is_some())
                    .count()
            };
            let mut early = facts.clone();
            early.statements.truncate(4);
            t.det_financial.0 += financial_hits(&early);
            t.det_financial.1 += financial_hits(facts);
        }
        t.any += usize::from(any);
        t.red += usize::from(red);
        t.red_explained += usize::from(red && (det || delinquent));
        if !det && !delinquent {
            t.healthy += 1;
            t.healthy_warned += usize::from(any);
        }
    }
    assert_eq!(t.loans as u64, loans);
    t
}

fn print(label: &str, t: &Tally) {
    let pct = |n: usize| 100.0 * n as f64 / t.loans as f64;
    eprintln!(
        "── {label}: {} loans, {} deteriorating, {} delinquent, follow-up due {:.1}%",
        t.loans,
        t.deteriorating,
        t.delinquent,
        pct(t.followups_due)
    );
    eprintln!(
        "   any warning {} ({:.1}%), red {} ({:.1}%), red on deteriorating/delinquent {:.0}%, \
         healthy warned {:.1}%, indicators per deteriorating loan {:.2} (financial: {:.2} at the 4th quarter, \
         {:.2} at the 8th)",
        t.any,
        pct(t.any),
        t.red,
        pct(t.red),
        100.0 * t.red_explained as f64 / t.red.max(1) as f64,
        100.0 * t.healthy_warned as f64 / t.healthy.max(1) as f64,
        t.det_hits as f64 / t.deteriorating.max(1) as f64,
        t.det_financial.0 as f64 / t.deteriorating.max(1) as f64,
        t.det_financial.1 as f64 / t.deteriorating.max(1) as f64,
    );
    eprintln!(
        "   {:<20} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7}",
        "indicator", "yellow", "orange", "red", "total", "%", "det", "healthy"
    );
    for ind in Indicator::ALL {
        let [y, o, r] = t.levels[ind.index()];
        eprintln!(
            "   {:<20} {y:>6} {o:>6} {r:>6} {:>6} {:>5.1}% {:>6} {:>7}",
            ind.code(),
            y + o + r,
            pct(y + o + r),
            t.det_levels[ind.index()],
            t.healthy_levels[ind.index()]
        );
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn check(label: &str, t: &Tally) {
    let share = |n: usize| n as f64 / t.loans as f64;
    let any = share(t.any);
    assert!((0.12..=0.30).contains(&any), "{label}: any warning {any}");
    let red = share(t.red);
    assert!((0.03..=0.10).contains(&red), "{label}: red {red}");
    for ind in Indicator::ALL {
        let hit = share(t.levels[ind.index()].iter().sum());
        // Days past due follows the delinquency bands of the book (about 13% of loans
        // more than 7 days overdue); every other indicator stays a minority signal.
        let cap = if ind == Indicator::Dpd { 0.18 } else { 0.10 };
        assert!(hit <= cap, "{label}: {} hits {hit}", ind.code());
    }
    let explained = t.red_explained as f64 / t.red as f64;
    assert!(explained >= 0.60, "{label}: red explained {explained}");
    let healthy = t.healthy_warned as f64 / t.healthy as f64;
    assert!(healthy <= 0.15, "{label}: healthy loans warned {healthy}");
    let per_det = t.det_hits as f64 / t.deteriorating as f64;
    assert!(
        per_det >= 3.0,
        "{label}: indicators per deteriorating loan {per_det}"
    );
    let (early, late) = t.det_financial;
    assert!(
        early * 2 < late,
        "{label}: no escalation, {early} then {late} hits"
    );
    let delinquent = share(t.delinquent);
    assert!(
        (0.10..0.22).contains(&delinquent),
        "{label}: delinquent {delinquent}"
    );
}

#[test]
fn warnings_under_default_rules_look_like_a_real_book() {
    let books: Vec<_> = [
        (42, "2026-06-30"),
        (7, "2026-06-30"),
        (42, "2026-05-20"),
        (5, "2025-11-10"),
    ]
    .into_iter()
    .map(|(seed, as_of)| {
        let label = format!("seed {seed}, as of {as_of}");
        let t = tally(5000, seed, date(as_of));
        print(&label, &t);
        (label, t)
    })
    .collect();
    for (label, t) in &books {
        check(label, t);
    }
}
