//! Tests of the demo generator as a whole: determinism, call order, counts and the
//! shape of the book (delinquency shares, prohibited flows, follow-ups due, coherence).

use super::*;
use crate::domain::tracking::next_followup_on;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()
}

fn params(loans: u64, seed: u64) -> DemoParams {
    DemoParams {
        loans,
        seed,
        as_of: as_of(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Rec {
    Staff(StaffRecord),
    Borrower(BorrowerRecord),
    Statement(StatementRecord),
    Loan(LoanRecord),
    Collateral(CollateralRecord),
    Repayment(RepaymentRecord),
    FundFlow(FundFlowRecord),
    Contact(ContactRecord),
}

#[derive(Default)]
struct Collect(Vec<Rec>);

impl DemoSink for Collect {
    type Error = std::convert::Infallible;
    fn staff(&mut self, r: &StaffRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Staff(r.clone()));
        Ok(())
    }
    fn borrower(&mut self, r: &BorrowerRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Borrower(r.clone()));
        Ok(())
    }
    fn statement(&mut self, r: &StatementRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Statement(r.clone()));
        Ok(())
    }
    fn loan(&mut self, r: &LoanRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Loan(r.clone()));
        Ok(())
    }
    fn collateral(&mut self, r: &CollateralRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Collateral(r.clone()));
        Ok(())
    }
    fn repayment(&mut self, r: &RepaymentRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Repayment(r.clone()));
        Ok(())
    }
    fn fund_flow(&mut self, r: &FundFlowRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::FundFlow(r.clone()));
        Ok(())
    }
    fn contact(&mut self, r: &ContactRecord) -> Result<(), Self::Error> {
        self.0.push(Rec::Contact(r.clone()));
        Ok(())
    }
}

/// Hashes the Debug text of every record; fails with `Stop` after `limit` records.
struct HashSink {
    hasher: DefaultHasher,
    seen: u64,
    limit: u64,
}

#[derive(Debug, PartialEq)]
struct Stop;

impl HashSink {
    fn new(limit: u64) -> Self {
        HashSink {
            hasher: DefaultHasher::new(),
            seen: 0,
            limit,
        }
    }
    fn take(&mut self, r: &dyn std::fmt::Debug) -> Result<(), Stop> {
        self.seen += 1;
        if self.seen > self.limit {
            return Err(Stop);
        }
        format!("{r:?}").hash(&mut self.hasher);
        Ok(())
    }
}

impl DemoSink for HashSink {
    type Error = Stop;
    fn staff(&mut self, r: &StaffRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn borrower(&mut self, r: &BorrowerRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn statement(&mut self, r: &StatementRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn loan(&mut self, r: &LoanRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn collateral(&mut self, r: &CollateralRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn repayment(&mut self, r: &RepaymentRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn fund_flow(&mut self, r: &FundFlowRecord) -> Result<(), Stop> {
        self.take(r)
    }
    fn contact(&mut self, r: &ContactRecord) -> Result<(), Stop> {
        self.take(r)
    }
}

fn hash_of(p: &DemoParams) -> (u64, DemoCounts) {
    let mut sink = HashSink::new(u64::MAX);
    let counts = generate(p, &mut sink).unwrap();
    (sink.hasher.finish(), counts)
}

fn book(loans: u64, seed: u64) -> (Vec<Rec>, DemoCounts) {
    let mut sink = Collect::default();
    let Ok(counts) = generate(&params(loans, seed), &mut sink);
    (sink.0, counts)
}

#[test]
fn same_params_same_book_other_seed_other_book() {
    let a = hash_of(&params(300, 7));
    assert_eq!(a, hash_of(&params(300, 7)));
    assert_ne!(a.0, hash_of(&params(300, 8)).0);
    assert_eq!(book(50, 3).0, book(50, 3).0);
}

#[test]
fn a_sink_error_stops_generation() {
    let mut sink = HashSink::new(100);
    assert_eq!(generate(&params(1000, 1), &mut sink), Err(Stop));
    assert_eq!(sink.seen, 101);
}

#[test]
fn zero_loans_is_just_staff() {
    let (recs, counts) = book(0, 1);
    assert_eq!(counts.loans, 0);
    assert_eq!(counts.borrowers, 0);
    assert_eq!(recs.len() as u64, counts.staff);
}

#[test]
fn order_and_counts() {
    let n = 5000;
    let (recs, counts) = book(n, 11);
    assert_eq!(counts.loans, n);
    assert_eq!(counts.total(), recs.len() as u64);
    let ratio = n as f64 / counts.borrowers as f64;
    assert!((1.3..1.55).contains(&ratio), "loans per borrower {ratio}");
    assert_eq!(counts.statements, counts.borrowers * 8);

    let staff = demo_staff().len();
    assert!(recs[..staff].iter().all(|r| matches!(r, Rec::Staff(_))));
    let mut borrowers = HashSet::new();
    let mut current_borrower: Option<String> = None;
    let mut current_loan: Option<String> = None;
    for r in &recs[staff..] {
        match r {
            Rec::Staff(_) => panic!("staff after the first borrower"),
            Rec::Borrower(b) => {
                assert!(borrowers.insert(b.code.clone()), "borrower twice");
                current_borrower = Some(b.code.clone());
                current_loan = None;
            }
            Rec::Statement(s) => {
                assert_eq!(Some(&s.borrower_code), current_borrower.as_ref());
                assert!(current_loan.is_none(), "statement after a loan");
            }
            Rec::Loan(l) => {
                assert_eq!(Some(&l.borrower_code), current_borrower.as_ref());
                current_loan = Some(l.contract_no.clone());
            }
            Rec::Collateral(x) => assert_eq!(Some(&x.contract_no), current_loan.as_ref()),
            Rec::Repayment(x) => assert_eq!(Some(&x.contract_no), current_loan.as_ref()),
            Rec::FundFlow(x) => assert_eq!(Some(&x.contract_no), current_loan.as_ref()),
            Rec::Contact(x) => assert_eq!(Some(&x.contract_no), current_loan.as_ref()),
        }
    }
}

fn loans(recs: &[Rec]) -> impl Iterator<Item = &LoanRecord> {
    recs.iter().filter_map(|r| match r {
        Rec::Loan(l) => Some(l),
        _ => None,
    })
}

#[test]
fn loans_are_coherent() {
    let (recs, _) = book(5000, 5);
    let specialists: HashSet<String> = demo_staff()
        .into_iter()
        .filter(|s| s.role == Role::Specialist)
        .map(|s| s.username)
        .collect();
    let mut latest_dpd: HashMap<&str, i64> = HashMap::new();
    for r in &recs {
        if let Rec::Repayment(x) = r {
            assert!(x.as_of <= as_of());
            assert!(x.overdue_principal >= Decimal::ZERO && x.overdue_interest >= Decimal::ZERO);
            assert_eq!(x.overdue_days == 0, x.overdue_interest.is_zero());
            if x.as_of == as_of() {
                latest_dpd.insert(&x.contract_no, x.overdue_days);
            }
        }
    }
    let mut contracts = HashSet::new();
    let mut officers = HashSet::new();
    let (mut overdue, mut total, mut usd) = (0, 0, 0);
    for l in loans(&recs) {
        total += 1;
        assert!(
            contracts.insert(l.contract_no.clone()),
            "duplicate contract"
        );
        assert!(l.outstanding <= l.principal && l.outstanding > Decimal::ZERO);
        assert!(l.matures_on > l.disbursed_on);
        assert!(l.disbursed_on < as_of());
        assert!(specialists.contains(&l.officer), "officer {}", l.officer);
        officers.insert(l.officer.clone());
        let rate = l.interest_rate;
        assert!(rate >= Decimal::new(300, 2) && rate <= Decimal::new(650, 2));
        let p = l.principal;
        assert!(p >= Decimal::new(500_000, 0) && p <= Decimal::new(50_000_000, 0));
        let dpd = latest_dpd[l.contract_no.as_str()];
        assert!(l.classification >= Some(Classification::floor_for_dpd(dpd, 0)));
        if l.matures_on <= as_of() {
            assert!(dpd > 0, "past maturity but current");
        }
        overdue += usize::from(dpd > 0);
        usd += usize::from(l.currency == "USD");
    }
    assert_eq!(officers.len(), specialists.len());
    let share = overdue as f64 / total as f64;
    assert!((0.10..0.22).contains(&share), "overdue share {share}");
    assert!(usd > 0 && usd < total / 10);
}

#[test]
fn dpd_grows_month_over_month() {
    let (recs, _) = book(2000, 9);
    let mut last: Option<&RepaymentRecord> = None;
    for r in &recs {
        if let Rec::Repayment(x) = r {
            if let Some(prev) = last.filter(|p| p.contract_no == x.contract_no) {
                assert!(x.as_of > prev.as_of);
                if prev.overdue_days > 0 {
                    let gap = (x.as_of - prev.as_of).num_days();
                    assert_eq!(x.overdue_days, prev.overdue_days + gap);
                }
            }
            last = Some(x);
        }
    }
}

#[test]
fn children_are_plausible() {
    let (recs, _) = book(5000, 21);
    let by_no: HashMap<&str, &LoanRecord> =
        loans(&recs).map(|l| (l.contract_no.as_str(), l)).collect();
    let mut flow_sum: HashMap<&str, Decimal> = HashMap::new();
    let (mut prohibited, mut big_prohibited) = (0, 0);
    for r in &recs {
        match r {
            Rec::FundFlow(f) => {
                let l = by_no[f.contract_no.as_str()];
                assert!(f.paid_on >= l.disbursed_on && f.paid_on <= as_of());
                assert!((f.paid_on - l.disbursed_on).num_days() <= 90);
                assert!(f.amount > Decimal::ZERO);
                *flow_sum.entry(&f.contract_no).or_default() += f.amount;
                if f.sector.is_prohibited() {
                    prohibited += 1;
                    if f.amount * Decimal::TEN > l.principal {
                        big_prohibited += 1;
                    }
                }
            }
            Rec::Collateral(c) => {
                let l = by_no[c.contract_no.as_str()];
                assert!(matches!(
                    l.guarantee_type,
                    GuaranteeType::Mortgage | GuaranteeType::Pledge
                ));
                assert!(c.appraised_value > Decimal::ZERO);
                assert!(c.appraised_on >= l.disbursed_on && c.appraised_on <= as_of());
            }
            Rec::Contact(c) => {
                let l = by_no[c.contract_no.as_str()];
                assert!(c.contact_on >= l.disbursed_on && c.contact_on <= as_of());
                assert!(!c.notes.is_empty());
            }
            Rec::Statement(s) => {
                assert!(s.total_assets >= s.current_assets);
                assert!(s.current_assets >= s.inventory && s.inventory >= Decimal::ZERO);
                assert!(s.total_liabilities >= s.current_liabilities);
                assert!(s.period_end <= as_of() - chrono::Days::new(30));
                assert!(s.total_assets.scale() == 2 && s.revenue.scale() == 2);
            }
            _ => {}
        }
    }
    for l in loans(&recs) {
        let sum = flow_sum[l.contract_no.as_str()];
        assert!(
            sum <= l.principal,
            "{} flows {sum} > {}",
            l.contract_no,
            l.principal
        );
    }
    assert!(
        (20..=150).contains(&prohibited),
        "prohibited flows {prohibited}"
    );
    assert!(big_prohibited > 0);
}

#[test]
fn some_followups_are_due_and_some_borrowers_deteriorate() {
    let (recs, _) = book(5000, 33);
    let mut last_statement: HashMap<&str, NaiveDate> = HashMap::new();
    let mut last_contact: HashMap<&str, NaiveDate> = HashMap::new();
    let mut first_last_dr: HashMap<&str, (Decimal, Decimal)> = HashMap::new();
    for r in &recs {
        match r {
            Rec::Statement(s) => {
                last_statement.insert(&s.borrower_code, s.period_end);
                let dr = s.total_liabilities / s.total_assets;
                first_last_dr
                    .entry(&s.borrower_code)
                    .and_modify(|e| e.1 = dr)
                    .or_insert((dr, dr));
            }
            Rec::Contact(c) => {
                last_contact.insert(&c.contract_no, c.contact_on);
            }
            _ => {}
        }
    }
    let (mut due, mut total) = (0, 0);
    for l in loans(&recs) {
        total += 1;
        let next = next_followup_on(
            l.disbursed_on,
            last_contact.get(l.contract_no.as_str()).copied(),
            last_statement.get(l.borrower_code.as_str()).copied(),
            l.tracking_frequency,
        );
        due += usize::from(next <= as_of());
    }
    let share = due as f64 / total as f64;
    assert!((0.12..0.30).contains(&share), "follow-up due share {share}");
    let worsening = first_last_dr
        .values()
        .filter(|(a, b)| *b > Decimal::new(85, 2) && *a < Decimal::new(70, 2))
        .count();
    let share = worsening as f64 / first_last_dr.len() as f64;
    assert!((0.05..0.15).contains(&share), "deteriorating share {share}");
}

#[test]
fn borrowers_have_unique_names_and_valid_credit_codes() {
    let (recs, counts) = book(5000, 4);
    let mut names = HashSet::new();
    let mut codes = HashSet::new();
    for r in &recs {
        if let Rec::Borrower(b) = r {
            assert!(names.insert(b.name.clone()), "duplicate name {}", b.name);
            assert!(codes.insert(b.credit_code.clone()), "duplicate code");
            assert_eq!(b.credit_code.len(), 18);
            let check = company::uscc_check_char(&b.credit_code[..17]);
            assert_eq!(check, b.credit_code.chars().nth(17), "{}", b.credit_code);
            assert!(b.name.ends_with("公司") && !b.industry.is_empty());
            assert!(b.region.ends_with('市'));
        }
    }
    assert_eq!(names.len() as u64, counts.borrowers);
    // A few loans are watched (关注) although nothing is overdue.
    let mut dpd0 = HashSet::new();
    for r in &recs {
        if let Rec::Repayment(x) = r
            && x.as_of == as_of()
            && x.overdue_days == 0
        {
            dpd0.insert(x.contract_no.clone());
        }
    }
    let watched = loans(&recs)
        .filter(|l| l.classification == Some(Classification::SpecialMention))
        .filter(|l| dpd0.contains(&l.contract_no))
        .count();
    assert!(watched > 20, "special mention at 0 DPD: {watched}");
}

#[test]
fn other_reporting_dates_hold_up() {
    for date in ["2024-02-29", "2025-12-31", "2026-01-01", "2026-03-31"] {
        let as_of = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let mut sink = Collect::default();
        let p = DemoParams {
            loans: 1000,
            seed: 2,
            as_of,
        };
        let Ok(counts) = generate(&p, &mut sink);
        assert_eq!(counts.loans, 1000);
        let mut latest = HashMap::new();
        for r in &sink.0 {
            match r {
                Rec::Loan(l) => {
                    assert!(l.disbursed_on < as_of && l.matures_on > l.disbursed_on);
                    assert!((as_of - l.disbursed_on).num_days() <= 1461);
                }
                Rec::Repayment(x) => {
                    assert!(x.as_of <= as_of);
                    *latest.entry(x.contract_no.clone()).or_insert(x.as_of) = x.as_of;
                }
                Rec::Statement(s) => assert!(s.period_end <= as_of - chrono::Days::new(30)),
                _ => {}
            }
        }
        assert_eq!(latest.len(), 1000);
        assert!(latest.values().all(|d| *d == as_of), "{date}");
    }
}

struct Null;

impl DemoSink for Null {
    type Error = ();
    fn staff(&mut self, _: &StaffRecord) -> Result<(), ()> {
        Ok(())
    }
    fn borrower(&mut self, _: &BorrowerRecord) -> Result<(), ()> {
        Ok(())
    }
    fn statement(&mut self, _: &StatementRecord) -> Result<(), ()> {
        Ok(())
    }
    fn loan(&mut self, _: &LoanRecord) -> Result<(), ()> {
        Ok(())
    }
    fn collateral(&mut self, _: &CollateralRecord) -> Result<(), ()> {
        Ok(())
    }
    fn repayment(&mut self, _: &RepaymentRecord) -> Result<(), ()> {
        Ok(())
    }
    fn fund_flow(&mut self, _: &FundFlowRecord) -> Result<(), ()> {
        Ok(())
    }
    fn contact(&mut self, _: &ContactRecord) -> Result<(), ()> {
        Ok(())
    }
}

/// `cargo test --release --lib demo -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn speed_100k_loans() {
    let start = std::time::Instant::now();
    let counts = generate(&params(100_000, 1), &mut Null).unwrap();
    let took = start.elapsed();
    eprintln!("100,000 loans: {took:?}, {counts:?}");
    assert!(took.as_secs_f64() < 5.0);
}
