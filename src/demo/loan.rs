//! One demo loan and its children: terms, delinquency, classification, then collateral,
//! month-end repayment snapshots, fund flows after disbursement and follow-up contacts.

use super::borrower::month_end_before;
use super::company::{collateral_description, counterparty};
use super::dice::Dice;
use super::names::{NOTES_GOOD, NOTES_OVERDUE, NOTES_WARN, Region, purposes};
use super::{DemoCounts, DemoSink};
use crate::domain::*;
use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;

/// Month-end repayment snapshots per loan (the last one is dated `as_of`).
pub const SNAPSHOTS: u32 = 6;

/// Latest-DPD buckets: current, 1–30, 31–90, 91–270, 271–360, 361–720 (per mille).
const DPD_HEALTHY: [u32; 6] = [900, 61, 17, 11, 9, 2];
const DPD_DETERIORATING: [u32; 6] = [400, 150, 150, 200, 70, 30];

const PRODUCTS: [Product; 6] = [
    Product::WorkingCapital,
    Product::FixedAsset,
    Product::TradeFinance,
    Product::Project,
    Product::Syndicated,
    Product::MerchantBill,
];
const PRODUCT_WEIGHTS: [u32; 6] = [55, 15, 12, 7, 4, 7];

/// The borrower-side facts a loan needs.
pub struct Owner<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub region: &'static Region,
    pub deteriorating: bool,
    /// No recent follow-up on any of the borrower's loans.
    pub neglected: bool,
    pub officer: &'a str,
    /// Total assets in yuan, to keep loan sizes in proportion.
    pub total_assets: i64,
}

fn fen(f: i64) -> Decimal {
    Decimal::new(f, 2)
}

fn pm(base: i64, per_mille: i64) -> i64 {
    (i128::from(base) * i128::from(per_mille) / 1000) as i64
}

fn amortizing(p: Product) -> bool {
    matches!(
        p,
        Product::FixedAsset | Product::Project | Product::Syndicated
    )
}

/// Term in months and principal range in units of 10,000 yuan.
fn shape(p: Product, dice: &mut Dice) -> (u32, i64, i64) {
    match p {
        Product::WorkingCapital => (*dice.pick(&[12, 12, 12, 24, 36]), 50, 2000),
        Product::FixedAsset => (dice.int(36, 60) as u32, 200, 3000),
        Product::TradeFinance => (*dice.pick(&[12, 12, 24]), 50, 1000),
        Product::Project => (dice.int(48, 60) as u32, 1000, 5000),
        Product::Syndicated => (dice.int(36, 60) as u32, 2000, 5000),
        Product::MerchantBill => (12, 50, 1000),
    }
}

/// Emits loan number `seq` (1-based) of `owner` with all its children.
pub fn emit_loan<S: DemoSink>(
    seq: u64,
    owner: &Owner<'_>,
    as_of: NaiveDate,
    dice: &mut Dice,
    sink: &mut S,
    counts: &mut DemoCounts,
) -> Result<(), S::Error> {
    let det = owner.deteriorating;
    let dpd = match dice.weighted(if det {
        &DPD_DETERIORATING
    } else {
        &DPD_HEALTHY
    }) {
        0 => 0,
        1 => dice.int(1, 30),
        2 => dice.int(31, 90),
        3 => dice.int(91, 270),
        4 => dice.int(271, 360),
        _ => dice.int(361, 720),
    };
    let product = PRODUCTS[dice.weighted(&PRODUCT_WEIGHTS)];
    let (mut term, lo, hi) = shape(product, dice);
    let cap = (owner.total_assets / 10_000 / 4).max(lo);
    let principal_yuan = dice.log_uniform(lo, hi.min(cap)) * 10_000;

    // Dates: a current loan is inside its term; a delinquent one either missed an
    // instalment or interest payment (`dpd` days ago) or was not repaid at maturity.
    let lo_days = if dpd > 0 { dpd + 31 } else { 30 };
    let hi_days = (i64::from(term) * 30 - 10).min(1440);
    let matured = dpd > 0 && (lo_days > hi_days || dice.chance(0.35));
    let (disbursed, matures) = if matured {
        let matures = as_of - Days::new(dpd as u64);
        term = term.min(((1460 - dpd) / 31) as u32).max(12);
        (matures - Months::new(term), matures)
    } else {
        let disbursed = as_of - Days::new(dice.int(lo_days, hi_days) as u64);
        let mut matures = disbursed + Months::new(term);
        if matures <= as_of {
            matures = as_of + Days::new(15);
        }
        (disbursed, matures)
    };
    let days_out = (as_of - disbursed).num_days();
    let term_days = (matures - disbursed).num_days().max(1);

    let outstanding_yuan = if amortizing(product) {
        let repaid = pm(
            principal_yuan * days_out.min(term_days) / term_days,
            dice.int(300, 900),
        );
        (principal_yuan - repaid / 1000 * 1000).max(principal_yuan / 10)
    } else if product == Product::MerchantBill || dice.chance(0.7) {
        principal_yuan
    } else {
        principal_yuan - pm(principal_yuan, dice.int(100, 500)) / 10_000 * 10_000
    };
    let out_fen = outstanding_yuan * 100;

    let rate_bp = if det || dice.chance(0.2) {
        dice.int(420, 650)
    } else {
        dice.int(300, 600)
    };
    let guarantee = [
        GuaranteeType::Mortgage,
        GuaranteeType::Guarantee,
        GuaranteeType::Pledge,
        GuaranteeType::Unsecured,
    ][dice.weighted(&[45, 25, 10, 20])];

    let floor = Classification::floor_for_dpd(dpd, 0);
    let classification = if dpd == 0 && ((det && dice.chance(0.5)) || dice.chance(0.02)) {
        Classification::SpecialMention
    } else if dpd > 0 && det && dice.chance(0.25) {
        Classification::from_rank(floor.rank() + 1).unwrap_or(Classification::Loss)
    } else {
        floor
    };
    let tracking_frequency = if classification > Classification::Pass || det {
        if dice.chance(0.7) {
            TrackingFrequency::Monthly
        } else {
            TrackingFrequency::Quarterly
        }
    } else {
        [
            TrackingFrequency::Monthly,
            TrackingFrequency::Quarterly,
            TrackingFrequency::SemiAnnual,
        ][dice.weighted(&[8, 80, 12])]
    };
    let usd = dice.chance(if product == Product::TradeFinance {
        0.3
    } else {
        0.02
    });

    let loan = LoanRecord {
        contract_no: format!("PL{seq:08}"),
        borrower_code: owner.code.to_string(),
        borrower_name: owner.name.to_string(),
        product,
        purpose: dice.pick(purposes(product)).to_string(),
        currency: if usd { "USD" } else { "CNY" }.to_string(),
        principal: fen(principal_yuan * 100),
        outstanding: fen(out_fen),
        interest_rate: Decimal::new(rate_bp, 2),
        disbursed_on: disbursed,
        matures_on: matures,
        guarantee_type: guarantee,
        officer: owner.officer.to_string(),
        tracking_frequency,
        classification: Some(classification),
        restructured_on: None,
        credit_impaired: None,
    };
    sink.loan(&loan)?;
    counts.loans += 1;
    let no = &loan.contract_no;

    // Collateral.
    let items: &[CollateralKind] = match guarantee {
        GuaranteeType::Mortgage if dice.chance(0.35) => {
            &[CollateralKind::RealEstate, CollateralKind::Land]
        }
        GuaranteeType::Mortgage => {
            if dice.chance(0.6) {
                &[CollateralKind::RealEstate]
            } else {
                &[CollateralKind::Land]
            }
        }
        GuaranteeType::Pledge => match dice.weighted(&[35, 30, 35]) {
            0 => &[CollateralKind::Deposit],
            1 => &[CollateralKind::Equity],
            _ => &[CollateralKind::Receivables],
        },
        _ => &[],
    };
    // Appraised so that the loan-to-value ratio (抵押率) at disbursement is inside policy,
    // mostly 35–65%; a few loans were lent close to the limit, and a deteriorating
    // borrower's collateral has been marked down since.
    let ltv = if det {
        dice.int(500, 900)
    } else if dice.chance(0.04) {
        dice.int(650, 780)
    } else {
        dice.int(350, 650)
    };
    let total_value = principal_yuan * 1000 / ltv;
    let mut left = total_value;
    for (i, kind) in items.iter().enumerate() {
        let value = if i + 1 == items.len() {
            left
        } else {
            pm(total_value, dice.int(500, 800)) / 100 * 100
        };
        left -= value;
        let rec = CollateralRecord {
            contract_no: no.clone(),
            kind: *kind,
            description: collateral_description(*kind, value, owner.region, dice),
            appraised_value: fen(value * 100),
            appraised_on: disbursed + Days::new(dice.int(0, days_out.min(720)) as u64),
        };
        sink.collateral(&rec)?;
        counts.collaterals += 1;
    }

    // Repayment snapshots: every month end of the last six months, the last one at as_of,
    // including the months with nothing overdue; none before disbursement.
    let months_left = ((matures - as_of).num_days() / 30).max(1);
    let mut rep = RepaymentRecord {
        contract_no: no.clone(),
        as_of,
        overdue_days: 0,
        overdue_principal: Decimal::ZERO,
        overdue_interest: Decimal::ZERO,
    };
    for back in (0..SNAPSHOTS).rev() {
        let date = if back == 0 {
            as_of
        } else {
            month_end_before(as_of, back)
        };
        if date <= disbursed || date > as_of {
            continue;
        }
        let d = (dpd - (as_of - date).num_days()).max(0);
        let months = (d + 29) / 30;
        let principal_due = if d == 0 {
            0
        } else if matured {
            out_fen
        } else if amortizing(product) {
            (out_fen / months_left * months).min(out_fen)
        } else {
            0
        };
        let interest_due =
            (i128::from(out_fen) * i128::from(rate_bp) * i128::from(months) / 120_000) as i64;
        rep.as_of = date;
        rep.overdue_days = d;
        rep.overdue_principal = fen(principal_due);
        rep.overdue_interest = fen(interest_due);
        sink.repayment(&rep)?;
        counts.repayments += 1;
    }

    emit_fund_flows(
        no,
        product,
        principal_yuan,
        disbursed,
        days_out,
        owner,
        dice,
        sink,
        counts,
    )?;
    let neglected = owner.neglected || dice.chance(0.05);
    emit_contacts(
        no,
        tracking_frequency,
        dpd,
        disbursed,
        as_of,
        det,
        neglected,
        dice,
        sink,
        counts,
    )
}

#[allow(clippy::too_many_arguments)]
fn emit_fund_flows<S: DemoSink>(
    no: &str,
    product: Product,
    principal_yuan: i64,
    disbursed: NaiveDate,
    days_out: i64,
    owner: &Owner<'_>,
    dice: &mut Dice,
    sink: &mut S,
    counts: &mut DemoCounts,
) -> Result<(), S::Error> {
    use Sector::*;
    let (sectors, weights): (&[Sector], &[u32]) = match product {
        Product::WorkingCapital => (
            &[Supplier, Payroll, Tax, Equipment, Construction],
            &[60, 20, 10, 5, 5],
        ),
        Product::FixedAsset => (&[Equipment, Construction, Supplier], &[50, 35, 15]),
        Product::TradeFinance => (&[Supplier, Tax], &[90, 10]),
        Product::Project | Product::Syndicated => {
            (&[Construction, Equipment, Supplier], &[70, 25, 5])
        }
        Product::MerchantBill => (&[Supplier], &[1]),
    };
    let n = dice.int(2, 4) as usize;
    let used = pm(principal_yuan, dice.int(700, 1000));
    let prohibited = dice.chance(if owner.deteriorating { 0.05 } else { 0.0065 });
    let (bad_at, bad_amount) = if prohibited {
        let share = if dice.chance(0.35) {
            dice.int(110, 400)
        } else {
            dice.int(20, 95)
        };
        (dice.index(n), pm(principal_yuan, share))
    } else {
        (usize::MAX, 0)
    };
    let window = days_out.clamp(0, 90);
    let mut offsets = [0i64; 4];
    let mut shares = [0i64; 4];
    for i in 0..n {
        offsets[i] = dice.int(0, window);
        shares[i] = dice.int(1, 10);
    }
    offsets[..n].sort_unstable();
    let share_sum: i64 = shares[..n]
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != bad_at)
        .map(|(_, s)| *s)
        .sum();
    let rest = used - bad_amount;
    let mut rest_left = rest;
    let mut normal_left = n - usize::from(prohibited);
    let mut rec = FundFlowRecord {
        contract_no: no.to_string(),
        paid_on: disbursed,
        amount: Decimal::ZERO,
        counterparty: String::new(),
        sector: Supplier,
    };
    for i in 0..n {
        let (sector, amount) = if i == bad_at {
            let s = [PropertySpeculation, Securities, Futures, EquityInvestment][dice.index(4)];
            (s, bad_amount)
        } else {
            normal_left -= 1;
            let a = if normal_left == 0 {
                rest_left
            } else {
                rest * shares[i] / share_sum
            };
            rest_left -= a;
            (sectors[dice.weighted(weights)], a)
        };
        rec.paid_on = disbursed + Days::new(offsets[i] as u64);
        rec.amount = fen(amount * 100);
        rec.counterparty = counterparty(sector, owner.region.city, dice);
        rec.sector = sector;
        sink.fund_flow(&rec)?;
        counts.fund_flows += 1;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn emit_contacts<S: DemoSink>(
    no: &str,
    frequency: TrackingFrequency,
    dpd: i64,
    disbursed: NaiveDate,
    as_of: NaiveDate,
    det: bool,
    neglected: bool,
    dice: &mut Dice,
    sink: &mut S,
    counts: &mut DemoCounts,
) -> Result<(), S::Error> {
    let days_out = (as_of - disbursed).num_days();
    let period = i64::from(frequency.months()) * 30;
    // A neglected loan's latest contact is more than a tracking period old.
    let (n, newest_ago, oldest_ago) = if neglected {
        let newest = period + dice.int(5, 60);
        if newest >= days_out {
            (0, 0, 0)
        } else {
            (dice.int(0, 2), newest, days_out - 1)
        }
    } else {
        let newest = dice.int(0, (period - 10).min(days_out));
        (dice.int(1, 3), newest, days_out.max(newest))
    };
    let mut ago = [0i64; 3];
    for (i, a) in ago.iter_mut().enumerate().take(n as usize) {
        *a = if i == 0 {
            newest_ago
        } else {
            dice.int(newest_ago, oldest_ago)
        };
    }
    let ago = &mut ago[..n as usize];
    ago.sort_unstable_by(|a, b| b.cmp(a));
    let mut rec = ContactRecord {
        contract_no: no.to_string(),
        contact_on: as_of,
        kind: ContactKind::Other,
        notes: String::new(),
    };
    for a in ago.iter() {
        let overdue = dpd > 0 && *a <= dpd;
        rec.contact_on = as_of - Days::new(*a as u64);
        let notes = if overdue {
            NOTES_OVERDUE
        } else if dice.chance(if det { 0.6 } else { 0.05 }) {
            NOTES_WARN
        } else {
            NOTES_GOOD
        };
        let (kind, note) = *dice.pick(notes);
        rec.kind = kind;
        rec.notes.clear();
        rec.notes.push_str(note);
        sink.contact(&rec)?;
        counts.contacts += 1;
    }
    Ok(())
}
