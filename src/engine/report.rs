//! What the engine says about one loan as of a date under its rules in force (defaults, site,
//! user, then the loan's covenants): each indicator's value, level and threshold, and the
//! baseline statement the rise is measured from. Screens show this and hold no rule of their own.

use super::indicators::{LoanFacts, Value, at_disbursement, level, value};
use super::rules::{Covenant, Indicator, Level, RuleSet, RuleSource};
use crate::domain::records::StatementRecord;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One indicator of one loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub indicator: Indicator,
    /// Whether the rule in force for this loan is enabled (a disabled rule reaches no level).
    pub enabled: bool,
    pub value: Value,
    /// The level reached and its threshold; None when inside every threshold.
    pub hit: Option<(Level, Decimal)>,
    pub source: RuleSource,
}

/// Every indicator of one loan as of a date.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanReport {
    pub as_of: NaiveDate,
    /// The statement at disbursement, the baseline of `debt_to_asset_rise`.
    pub baseline: Option<StatementRecord>,
    /// One reading per indicator, in the order of [`Indicator::ALL`].
    pub readings: Vec<Reading>,
}

impl LoanReport {
    pub fn reading(&self, ind: Indicator) -> Option<&Reading> {
        self.readings.iter().find(|r| r.indicator == ind)
    }

    /// The level `ind` reaches for this loan, if any.
    pub fn level(&self, ind: Indicator) -> Option<Level> {
        self.reading(ind).and_then(|r| r.hit).map(|(l, _)| l)
    }
}

/// The report of one loan: `rules` with the loan's `covenants` applied, evaluated on `f` as of
/// `f.as_of`, with the same values and levels the evaluation raises warnings from.
pub fn report(rules: &RuleSet, covenants: &[Covenant], f: &LoanFacts) -> LoanReport {
    let own = rules.with_covenants(covenants);
    let readings = Indicator::ALL
        .into_iter()
        .map(|ind| {
            let rule = own.rule(ind);
            let v = value(ind, f, own.settings());
            Reading {
                indicator: ind,
                enabled: rule.enabled,
                value: v,
                hit: level(rule, &v),
                source: rule.source,
            }
        })
        .collect();
    LoanReport {
        as_of: f.as_of,
        baseline: at_disbursement(&f.statements, f.disbursed_on).cloned(),
        readings,
    }
}
