//! Pure types and rules of post-loan management: no IO, no SQL, no terminal.
//! Everything above (store, engine, workflow, cli, tui) builds on these.

pub mod archive;
pub mod checklist;
pub mod classification;
pub mod codes;
pub mod dates;
pub mod disposal;
pub mod inspection;
pub mod legal;
pub mod money;
pub mod permission;
pub mod ratios;
pub mod records;
pub mod recovery;
pub mod text;
pub mod tracking;
pub mod warning;

pub use codes::*;
pub use records::*;
