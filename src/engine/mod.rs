//! The early-warning engine (DOMAIN.md §5): indicator rules as configuration data and the
//! indicator values of one loan, evaluated against them. Pure: no IO, no SQL, no terminal.

pub mod case_history;
pub mod classify;
pub mod indicators;
pub mod inspection_plan;
pub mod kinds;
pub mod migration;
pub mod migration_text;
pub mod report;
pub mod rules;
pub mod summary;
pub mod summary_text;

pub use indicators::{LoanFacts, Signal, Value, dpd_as_of, evaluate, history, level, value};
pub use report::{LoanReport, Reading, report};
pub use rules::{
    Covenant, Indicator, Level, RiskType, Rule, RuleError, RuleErrorKind, RuleSet, RuleSource,
    Settings, Trigger, Unit,
};

#[cfg(test)]
mod indicators_tests;
#[cfg(test)]
mod levels_tests;
#[cfg(test)]
mod report_tests;
#[cfg(test)]
mod rules_tests;
