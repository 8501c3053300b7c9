//! One file per pane, detail and overlay: each a component owning its state (see `tui`).

pub mod archive;
pub mod audit;
pub mod case_detail;
pub mod classification;
pub mod disposal;
pub mod document_viewer;
pub mod help;
pub mod inspection_editor;
pub mod inspections;
pub mod ledger;
pub mod loan_class;
pub mod loan_detail;
pub mod loan_disposal;
pub mod loan_warnings;
pub mod loans;
pub mod outcomes;
pub mod placeholder;
pub mod summary;
pub mod today;
pub mod warning_detail;
pub mod warnings;
