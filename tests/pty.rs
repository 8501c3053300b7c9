//! The real binary in a pseudo-terminal: keys in, screen (vt100) out, and the terminal left as
//! found after `q`, SIGTERM and SIGHUP; a too-small terminal says so and still quits on `q`.

use rexpect::process::{Signal, WaitStatus};
use std::path::PathBuf;

mod support;
use support::Tui;
const BIN: &str = env!("CARGO_BIN_EXE_postloan");
const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";
/// Printed by the wrapper shell after the workbench has exited, before `stty -a`.
const STTY_MARK: &str = "@@stty-after@@";

/// A demo book in a temporary home, built without the workbench so the TUI starts at once.
struct Book {
    home: tempfile::TempDir,
    db: PathBuf,
}

impl Book {
    fn new() -> Book {
        let home = tempfile::tempdir().expect("tempdir");
        let db = support::build_demo(BIN, home.path(), &DEMO_ARGS);
        Book { home, db }
    }

    /// `postloan demo ...` on this book as shell words (the book is already built).
    fn command_line(&self) -> String {
        support::demo_command(BIN, &self.db, &DEMO_ARGS)
    }
}

const DEMO_ARGS: [&str; 8] = support::demo_args("300");

/// The workbench on a pty (the shared harness) on `book`; `exec`ed after setting the pty's
/// size, so signals reach it directly.
fn start(book: &Book, cols: u16, rows: u16) -> Tui {
    Tui::spawn(book.home.path(), &book.command_line(), cols, rows)
}

/// The workbench as a child of the shell, which then prints `STTY_MARK` and `stty -a`, so the
/// test can see the line discipline's modes after the workbench has gone.
fn start_then_stty(book: &Book, cols: u16, rows: u16) -> Tui {
    let script = format!(
        "stty rows {rows} cols {cols}; {}; rc=$?; echo {STTY_MARK}; stty -a; exit $rc",
        book.command_line()
    );
    Tui::spawn_script(book.home.path(), &script, cols, rows)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The terminal was given back: the alternate screen left after it was last entered, and the
/// cursor shown as the very last thing written.
fn assert_left_as_found(out: &[u8]) {
    let entered = rfind(out, ENTER_ALT).expect("the alternate screen was entered");
    let left = rfind(out, LEAVE_ALT).expect("the alternate screen was left");
    assert!(
        left > entered,
        "alternate screen left at {left}, but entered again at {entered}"
    );
    let shown = rfind(out, SHOW_CURSOR).expect("the cursor was shown again");
    assert!(
        shown > left,
        "cursor shown before leaving the alternate screen"
    );
    let tail = &out[shown + SHOW_CURSOR.len()..];
    assert!(
        tail.iter().all(|b| b.is_ascii_whitespace()),
        "output after the cursor was shown: {:?}",
        String::from_utf8_lossy(tail)
    );
}

fn assert_exited_zero(status: WaitStatus) {
    assert_exited_with(status, 0);
}

fn assert_exited_with(status: WaitStatus, code: i32) {
    match status {
        WaitStatus::Exited(_, c) if c == code => {}
        other => panic!("expected a normal exit with status {code}, got {other:?}"),
    }
}

fn ledger_rows(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| l.contains("PL000")).collect()
}

#[test]
fn keys_drive_the_ledger_filter_and_detail_and_q_restores_the_terminal() {
    let book = Book::new();
    let mut tui = start_then_stty(&book, 80, 24);

    // First frame: the pane bar.
    tui.wait_for("the pane bar", |s| {
        s.contains("1 Today") && s.contains("2 Ledger")
    });
    assert!(tui.screen.screen().alternate_screen());
    assert!(tui.screen.screen().hide_cursor());

    tui.send("2");
    tui.wait_text("1/301"); // 300 generated loans and the case study's
    let first = ledger_rows(&tui.contents())[0].to_string();
    assert!(
        first.contains("PL00000001"),
        "ledger starts at loan 1: {first}"
    );

    tui.send("j");
    tui.wait_text("2/301");
    tui.send("j");
    tui.wait_text("3/301");
    // 24 rows: pane bar, header, hint and status line leave 20 rows, so a page is 20 loans.
    tui.send("\x1b[6~");
    tui.wait_for("a page down", |s| s.contains("\n23/301 "));

    tui.send("/");
    tui.wait_text("Filter (borrower, contract, officer):");
    tui.send("南京");
    tui.wait_text("Filter (borrower, contract, officer): 南京");
    tui.send("\r");
    tui.wait_text("filter: 南京");
    let screen = tui.contents();
    let rows = ledger_rows(&screen);
    assert!(!rows.is_empty(), "the filter keeps some loans:\n{screen}");
    assert!(
        rows.iter().all(|r| r.contains("南京")),
        "every row shown matches 南京:\n{screen}"
    );
    let total_filtered: String = screen
        .lines()
        .find(|l| l.contains("filter: 南京"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default()
        .to_string();
    assert!(
        total_filtered.starts_with("1/") && !total_filtered.ends_with("/301"),
        "position line shows the filtered count: {total_filtered}"
    );
    let borrower = rows[0].to_string();

    tui.send("\r");
    tui.wait_for("the loan detail", |s| {
        s.contains("Overview") && s.contains("Esc back")
    });
    assert!(
        tui.contents().contains("南京"),
        "detail of a 南京 borrower (row was {borrower}):\n{}",
        tui.contents()
    );

    tui.send("\x1b");
    tui.wait_text("filter: 南京");

    tui.send("q");
    let (status, raw, _) = tui.finish_with_screen();
    assert_exited_zero(status);

    let text = String::from_utf8_lossy(&raw).into_owned();
    let mark = text
        .find(STTY_MARK)
        .expect("the shell ran stty after the workbench");
    let app_out = &raw[..raw.len() - (text.len() - mark)];
    assert_left_as_found(app_out);

    // Raw mode is off again: the line discipline is back to canonical mode with signals.
    let stty = &text[mark..];
    let flags: Vec<&str> = stty.split_whitespace().collect();
    for flag in ["icanon", "isig", "opost", "icrnl"] {
        assert!(
            flags.contains(&flag),
            "`{flag}` is off after exit; stty -a says:\n{stty}"
        );
    }
}

/// Starts the workbench, waits for the first frame, sends `sig`, and checks it quit cleanly,
/// with the status a shell gives a process the signal ended (128 + its number).
fn signal_quits_cleanly(sig: Signal) {
    let book = Book::new();
    let mut tui = start(&book, 80, 24);
    tui.wait_for("the pane bar", |s| s.contains("2 Ledger"));
    tui.session
        .process_mut()
        .signal(sig)
        .expect("signal the workbench");
    let (status, raw, screen) = tui.finish_with_screen();
    assert_exited_with(status, 128 + sig as i32);
    assert_left_as_found(&raw);
    assert!(
        !screen.contains("2 Ledger"),
        "the normal screen is back after {sig:?}:\n{screen}"
    );
}

#[test]
fn sigterm_leaves_the_loop_and_restores_the_terminal() {
    signal_quits_cleanly(Signal::SIGTERM);
}

#[test]
fn sighup_leaves_the_loop_and_restores_the_terminal() {
    signal_quits_cleanly(Signal::SIGHUP);
}

#[test]
fn a_too_small_terminal_says_so_and_q_still_quits() {
    let book = Book::new();
    let mut tui = start(&book, 60, 20);
    tui.wait_for("the too-small notice", |s| {
        // The notice is wrapped at 60 columns; look at it as one line.
        s.replace('\n', "").contains("at least 80x24")
    });
    assert!(tui.contents().contains("60x20"), "{}", tui.contents());
    assert!(!tui.contents().contains("2 Ledger"));
    tui.send("q");
    let (status, raw, _) = tui.finish_with_screen();
    assert_exited_zero(status);
    assert_left_as_found(&raw);
}
