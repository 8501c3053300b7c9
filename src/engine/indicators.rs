//! Indicator values of one loan and the warning level they reach under a rule. Exact decimal
//! arithmetic throughout; a missing or zero denominator is "cannot compute", never a panic.

use super::rules::{Indicator, Level, RiskType, Rule, RuleSet, RuleSource, Settings};
use crate::domain::ratios::{self, RatioError};
use crate::domain::records::StatementRecord;
use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;

/// Reason keys of [`Value::CannotCompute`].
pub mod reason {
    /// The borrower has no financial statement.
    pub const NO_STATEMENT: &str = "no_statement";
    /// A denominator (total assets, current liabilities, interest expense, prior revenue,
    /// collateral value, principal) is zero.
    pub const ZERO_DENOMINATOR: &str = "zero_denominator";
    /// Prior-year revenue is negative, so a decline in percent means nothing.
    pub const NEGATIVE_DENOMINATOR: &str = "negative_denominator";
    /// No statement for the same period one year before the latest.
    pub const NO_PRIOR_YEAR: &str = "no_prior_year";
    /// The numbers are too large for exact arithmetic.
    pub const OVERFLOW: &str = "overflow";
    /// A due date falls outside the calendar.
    pub const BAD_DATE: &str = "bad_date";
}

/// Everything about one loan the indicators need (the caller gathers it from the store).
#[derive(Debug, Clone, PartialEq)]
pub struct LoanFacts {
    pub as_of: NaiveDate,
    pub disbursed_on: NaiveDate,
    pub matures_on: NaiveDate,
    pub principal: Decimal,
    pub outstanding: Decimal,
    /// Days past due of the latest repayment status on or before `as_of` (0 without one).
    pub overdue_days: i64,
    /// The date of that repayment status (None: the loan has none on or before `as_of`).
    pub status_as_of: Option<NaiveDate>,
    /// Statements of the borrower, oldest first (at most the last ~12 periods is enough).
    pub statements: Vec<StatementRecord>,
    /// Total appraised value of the loan's collateral (None: no collateral).
    pub collateral_value: Option<Decimal>,
    /// Sum of fund flows of this loan to prohibited sectors.
    pub prohibited_flows: Decimal,
}

/// An indicator's value for one loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Known(Decimal),
    /// The data does not allow it; the reason is a key from [`reason`].
    CannotCompute(&'static str),
    /// The indicator does not apply to this loan (collateral coverage without collateral).
    NotApplicable,
}

impl Value {
    pub fn known(&self) -> Option<Decimal> {
        match self {
            Value::Known(d) => Some(*d),
            _ => None,
        }
    }
}

impl From<Result<Decimal, &'static str>> for Value {
    fn from(r: Result<Decimal, &'static str>) -> Value {
        match r {
            Ok(d) => Value::Known(d),
            Err(why) => Value::CannotCompute(why),
        }
    }
}

/// The outcome of one enabled rule for one loan; `hit` is None when back to normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal {
    pub indicator: Indicator,
    pub value: Value,
    pub hit: Option<(Level, Decimal)>,
    pub source: RuleSource,
    pub risk_type: RiskType,
}

type Calc = Result<Decimal, &'static str>;

/// The reason key of a ratio that cannot be computed.
fn why(e: RatioError) -> &'static str {
    match e {
        RatioError::ZeroDenominator => reason::ZERO_DENOMINATOR,
        RatioError::Overflow => reason::OVERFLOW,
    }
}

fn percent(n: Decimal, d: Decimal) -> Calc {
    ratios::percent(n, d).map_err(why)
}

/// 资产负债率 in percent, from the one ratio function of `domain::ratios`.
fn debt_to_asset(s: &StatementRecord) -> Calc {
    ratios::debt_to_asset(s)
        .map_err(why)?
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or(reason::OVERFLOW)
}

/// The statement "at disbursement", the baseline of the rise indicator: the latest with period
/// end on or before the disbursement date, else the earliest. Screens show this one.
pub fn at_disbursement(
    statements: &[StatementRecord],
    disbursed_on: NaiveDate,
) -> Option<&StatementRecord> {
    statements
        .iter()
        .rev()
        .find(|s| s.period_end <= disbursed_on)
        .or(statements.first())
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month >= 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// The same period one year earlier; a month end maps to the month end (29 Feb ↔ 28 Feb).
fn one_year_earlier(d: NaiveDate) -> Option<NaiveDate> {
    let year = d.year().checked_sub(1)?;
    if month_end(d.year(), d.month()) == Some(d) {
        month_end(year, d.month())
    } else {
        NaiveDate::from_ymd_opt(year, d.month(), d.day()).or_else(|| month_end(year, d.month()))
    }
}

/// The end of the quarter after the one containing `d` (31 Mar → 30 Jun, 15 Nov → 31 Mar).
fn next_quarter_end(d: NaiveDate) -> Option<NaiveDate> {
    let month = (d.month0() / 3 + 2) * 3;
    if month > 12 {
        month_end(d.year().checked_add(1)?, month - 12)
    } else {
        month_end(d.year(), month)
    }
}

/// The value of a statement-based indicator with `statements` (oldest first) as all there is.
fn financial(
    ind: Indicator,
    statements: &[StatementRecord],
    base: Option<&StatementRecord>,
) -> Value {
    let Some(latest) = statements.last() else {
        return Value::CannotCompute(reason::NO_STATEMENT);
    };
    let calc = match ind {
        Indicator::DebtToAsset => debt_to_asset(latest),
        Indicator::DebtToAssetRise => match base {
            Some(b) => debt_to_asset(latest).and_then(|now| {
                let then = debt_to_asset(b)?;
                now.checked_sub(then).ok_or(reason::OVERFLOW)
            }),
            None => Err(reason::NO_STATEMENT),
        },
        Indicator::CurrentRatio => ratios::current(latest).map_err(why),
        Indicator::QuickRatio => ratios::quick(latest).map_err(why),
        Indicator::InterestCoverage => ratios::interest_coverage(latest).map_err(why),
        Indicator::RevenueDecline => revenue_decline(statements, latest),
        Indicator::NegativeCashFlow => {
            let n = statements
                .iter()
                .rev()
                .take_while(|s| s.operating_cash_flow < Decimal::ZERO)
                .count();
            Ok(Decimal::from(n))
        }
        Indicator::Dpd
        | Indicator::CollateralCoverage
        | Indicator::FundDiversion
        | Indicator::StatementsLate
        | Indicator::RepaymentStale => return Value::NotApplicable,
    };
    calc.into()
}

fn revenue_decline(statements: &[StatementRecord], latest: &StatementRecord) -> Calc {
    let target = one_year_earlier(latest.period_end).ok_or(reason::NO_PRIOR_YEAR)?;
    let prior = statements
        .iter()
        .rev()
        .find(|s| s.period_end == target)
        .ok_or(reason::NO_PRIOR_YEAR)?;
    if prior.revenue < Decimal::ZERO {
        return Err(reason::NEGATIVE_DENOMINATOR);
    }
    let fall = prior
        .revenue
        .checked_sub(latest.revenue)
        .ok_or(reason::OVERFLOW)?;
    percent(fall, prior.revenue)
}

fn fund_diversion(f: &LoanFacts) -> Calc {
    if f.prohibited_flows.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let share = percent(f.prohibited_flows, f.principal)?;
    // Any prohibited amount must stay above zero even when it is a vanishing share.
    if f.prohibited_flows > Decimal::ZERO && f.principal > Decimal::ZERO && share <= Decimal::ZERO {
        return Ok(Decimal::new(1, 28));
    }
    Ok(share)
}

fn statements_late(f: &LoanFacts, settings: &Settings) -> Calc {
    let days = Days::new(u64::from(settings.statement_due_days));
    let due = match f.statements.last() {
        Some(s) => next_quarter_end(s.period_end),
        None => f.disbursed_on.checked_add_months(Months::new(3)),
    }
    .and_then(|d| d.checked_add_days(days))
    .ok_or(reason::BAD_DATE)?;
    let late = f.as_of.signed_duration_since(due).num_days().max(0);
    Ok(Decimal::from(late))
}

/// Days past due: the repayment status's, and past maturity with a balance still out at
/// least the days since maturity (a matured loan unpaid is overdue whatever an old status says).
pub fn days_past_due(f: &LoanFacts) -> i64 {
    dpd_as_of(f.overdue_days, f.outstanding, f.matures_on, f.as_of)
}

/// The same rule on the few facts it needs, for every place that shows, filters or sorts by
/// days past due (the ledger, the loan detail, Today): `status_dpd` is the repayment status's
/// days past due, `as_of` the day it is counted on. The ledger's SQL spells this rule for its
/// filter and sort order (`store::ledger`), and a test holds the two to the same values.
pub fn dpd_as_of(
    status_dpd: i64,
    outstanding: Decimal,
    matures_on: NaiveDate,
    as_of: NaiveDate,
) -> i64 {
    let since_maturity = if outstanding > Decimal::ZERO && as_of > matures_on {
        as_of.signed_duration_since(matures_on).num_days()
    } else {
        0
    };
    status_dpd.max(since_maturity)
}

/// Days since the latest repayment status on or before the evaluation date; with none, since
/// disbursement (0 before it).
fn repayment_age(f: &LoanFacts) -> i64 {
    let since = f.status_as_of.unwrap_or(f.disbursed_on);
    f.as_of.signed_duration_since(since).num_days().max(0)
}

/// The value of `ind` for one loan. Statements late is in days past the due date (0 when not
/// yet due); see `config/default.toml` `[warnings]` for every definition.
pub fn value(ind: Indicator, f: &LoanFacts, settings: &Settings) -> Value {
    match ind {
        Indicator::Dpd => Value::Known(Decimal::from(days_past_due(f))),
        Indicator::RepaymentStale => Value::Known(Decimal::from(repayment_age(f))),
        Indicator::CollateralCoverage => match f.collateral_value {
            Some(c) => percent(f.outstanding, c).into(),
            None => Value::NotApplicable,
        },
        Indicator::FundDiversion => fund_diversion(f).into(),
        Indicator::StatementsLate => statements_late(f, settings).into(),
        _ => financial(
            ind,
            &f.statements,
            at_disbursement(&f.statements, f.disbursed_on),
        ),
    }
}

/// The level reached by `value` under `rule`, and the threshold of that level. None when
/// inside all thresholds, disabled, or the value is not known.
pub fn level(rule: &Rule, value: &Value) -> Option<(Level, Decimal)> {
    if !rule.enabled {
        return None;
    }
    let Value::Known(v) = *value else {
        return None;
    };
    [Level::Red, Level::Orange, Level::Yellow]
        .into_iter()
        .find_map(|l| {
            rule.threshold(l)
                .filter(|t| rule.trigger.hits(v, *t))
                .map(|t| (l, t))
        })
}

/// Evaluates every enabled rule for one loan: one signal each, hit or not.
pub fn evaluate(rules: &RuleSet, f: &LoanFacts) -> Vec<Signal> {
    let mut out = Vec::with_capacity(Indicator::ALL.len());
    for rule in rules.rules().iter().filter(|r| r.enabled) {
        let v = value(rule.indicator, f, rules.settings());
        out.push(Signal {
            indicator: rule.indicator,
            value: v,
            hit: level(rule, &v),
            source: rule.source,
            risk_type: rule.risk_type,
        });
    }
    out
}

/// The values of a financial indicator per statement period, oldest first, each computed
/// from the statements up to that period. Empty for indicators not from statements; the rise
/// since disbursement is not applicable before the statement at disbursement.
pub fn history(ind: Indicator, f: &LoanFacts) -> Vec<(NaiveDate, Value)> {
    if !ind.is_financial() {
        return Vec::new();
    }
    let base = at_disbursement(&f.statements, f.disbursed_on);
    (1..=f.statements.len())
        .filter_map(|n| {
            let prefix = f.statements.get(..n)?;
            let latest = prefix.last()?;
            let v = match base {
                Some(b)
                    if ind == Indicator::DebtToAssetRise && latest.period_end < b.period_end =>
                {
                    Value::NotApplicable
                }
                _ => financial(ind, prefix, base),
            };
            Some((latest.period_end, v))
        })
        .collect()
}
