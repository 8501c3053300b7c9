//! The demo book: a deterministic generator of a realistic loan book (staff, borrowers,
//! statements, loans and their children), streamed into a sink so any size fits in memory.

mod borrower;
#[cfg(test)]
mod calibration_tests;
mod company;
mod dice;
pub mod inspections;
mod loan;
mod names;
#[cfg(test)]
mod tests;

use crate::domain::*;
use borrower::Profile;
use company::Namer;
use dice::Dice;
use loan::Owner;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoParams {
    /// Number of loans (exactly this many are emitted).
    pub loans: u64,
    /// Same seed, same book.
    pub seed: u64,
    /// The book's reporting date: repayment snapshots end here, nothing is dated later.
    pub as_of: chrono::NaiveDate,
}

/// Receives the generated records, in this order: all staff first; then per borrower the
/// borrower, its statements (8 quarters, oldest first), then each of its loans followed by
/// that loan's collateral, repayments, fund flows and contacts. Repayment snapshots come
/// for every month end of the last six months (the last one dated `as_of`, none before
/// disbursement), including months with nothing overdue.
pub trait DemoSink {
    type Error;
    fn staff(&mut self, r: &StaffRecord) -> Result<(), Self::Error>;
    fn borrower(&mut self, r: &BorrowerRecord) -> Result<(), Self::Error>;
    fn statement(&mut self, r: &StatementRecord) -> Result<(), Self::Error>;
    fn loan(&mut self, r: &LoanRecord) -> Result<(), Self::Error>;
    fn collateral(&mut self, r: &CollateralRecord) -> Result<(), Self::Error>;
    fn repayment(&mut self, r: &RepaymentRecord) -> Result<(), Self::Error>;
    fn fund_flow(&mut self, r: &FundFlowRecord) -> Result<(), Self::Error>;
    fn contact(&mut self, r: &ContactRecord) -> Result<(), Self::Error>;
}

/// How many records of each kind were emitted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoCounts {
    pub staff: u64,
    pub borrowers: u64,
    pub statements: u64,
    pub loans: u64,
    pub collaterals: u64,
    pub repayments: u64,
    pub fund_flows: u64,
    pub contacts: u64,
}

impl DemoCounts {
    /// All records together.
    pub fn total(&self) -> u64 {
        self.staff
            + self.borrowers
            + self.statements
            + self.loans
            + self.collaterals
            + self.repayments
            + self.fund_flows
            + self.contacts
    }
}

/// The fixed demo staff: eight specialists, three supervisors, a manager and an auditor.
pub fn demo_staff() -> Vec<StaffRecord> {
    names::STAFF
        .iter()
        .map(|(u, d, r)| StaffRecord {
            username: (*u).to_string(),
            display_name: (*d).to_string(),
            role: *r,
        })
        .collect()
}

/// Loans per borrower: 1 to 6, about 1.4 on average.
const LOANS_PER_BORROWER: [u32; 6] = [75, 15, 6, 2, 1, 1];

/// Generates the book described by `params` into `sink`, stopping at the first sink error.
pub fn generate<S: DemoSink>(params: &DemoParams, sink: &mut S) -> Result<DemoCounts, S::Error> {
    generate_observed(params, sink, |_, _| {})
}

/// [`generate`], showing `observe` each borrower's code and hidden profile before its
/// statements (the tests use it to tell deteriorating borrowers from healthy ones).
fn generate_observed<S: DemoSink>(
    params: &DemoParams,
    sink: &mut S,
    mut observe: impl FnMut(&str, &Profile),
) -> Result<DemoCounts, S::Error> {
    let mut dice = Dice::new(params.seed);
    let namer = Namer::new(dice.next_u64());
    let mut counts = DemoCounts::default();

    let staff = demo_staff();
    for s in &staff {
        sink.staff(s)?;
        counts.staff += 1;
    }
    let specialists: Vec<&str> = staff
        .iter()
        .filter(|s| s.role == Role::Specialist)
        .map(|s| s.username.as_str())
        .collect();

    let mut seq = 0u64;
    let mut index = 0u64;
    while seq < params.loans {
        let n = (dice.weighted(&LOANS_PER_BORROWER) as u64 + 1).min(params.loans - seq);
        let id = namer.identity(index, &mut dice);
        index += 1;
        let rec = BorrowerRecord {
            code: format!("B{index:06}"),
            name: id.name,
            credit_code: id.credit_code,
            industry: id.industry.to_string(),
            region: id.region.full.to_string(),
        };
        sink.borrower(&rec)?;
        counts.borrowers += 1;

        let profile = Profile::draw(&mut dice);
        observe(&rec.code, &profile);
        borrower::emit_statements(
            &rec.code,
            &profile,
            params.as_of,
            &mut dice,
            sink,
            &mut counts,
        )?;
        let officer = specialists[dice.weighted(names::SPECIALIST_WEIGHTS)];
        let owner = Owner {
            code: &rec.code,
            name: &rec.name,
            region: id.region,
            deteriorating: profile.deteriorating,
            neglected: profile.neglected,
            officer,
            total_assets: profile.total_assets,
        };
        for _ in 0..n {
            seq += 1;
            loan::emit_loan(seq, &owner, params.as_of, &mut dice, sink, &mut counts)?;
        }
    }
    Ok(counts)
}
