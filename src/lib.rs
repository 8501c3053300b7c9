//! postloan (贷后管理工作台): a terminal workbench for post-loan credit management.
//! Layers, from the bottom: domain ← store/extract/demo ← workflow ← cli/tui.

/// Writes a line to standard error, and carries on if nobody reads it: `eprintln!` panics
/// when stderr is a closed pipe (`postloan … 2>&1 | head -0`), which turned a refusal's exit
/// status 1 (or a success) into a panic and 101. The command's own status stands.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        // What a note says may echo an argument or a file's text: no escape reaches the terminal.
        let text = format!($($arg)*);
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            $crate::cli::visible::note_text(&text)
        );
    }};
}

/// `println!` for the command line's standard output: through `cli::visible::text`, so data
/// shows its invisible characters and, in an ASCII locale, only ASCII is written.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cli::visible::println("")
    };
    ($($arg:tt)*) => {
        $crate::cli::visible::println(&format!($($arg)*))
    };
}

/// `print!` for the command line's standard output, through `cli::visible::text` as
/// [`outln!`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::visible::print(&format!($($arg)*))
    };
}

pub mod bench;
pub mod cli;
pub mod config;
pub mod defaults;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod extract;
pub mod i18n;
pub mod store;
pub mod tui;
pub mod user_rights;
pub mod workflow;
