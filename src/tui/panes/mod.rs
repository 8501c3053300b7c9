//! One file per pane. Each draws from `App` state only; keys are handled in `app`.

pub mod ledger;
pub mod loan_detail;
pub mod placeholder;
pub mod today;
