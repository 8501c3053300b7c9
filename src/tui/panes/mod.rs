//! One file per pane. Each draws from `App` state only; keys are handled in `app`.

pub mod inspection_editor;
pub mod inspections;
pub mod ledger;
pub mod loan_detail;
pub mod loan_warnings;
pub mod placeholder;
pub mod today;
pub mod warning_detail;
pub mod warnings;
