//! The report editor on a dropped link: SIGHUP arrives while Chinese text is being typed into
//! a section; the next start says a report draft exists, and opening the inspection again
//! shows the text intact.

use rexpect::process::{Signal, WaitStatus};

mod support;
use support::Tui;
const BIN: &str = env!("CARGO_BIN_EXE_postloan");
const DEMO_ARGS: [&str; 8] = support::demo_args("300");
const TYPED: &str = "厂房停工两周";

#[test]
fn sighup_while_typing_chinese_keeps_the_section_and_the_next_start_offers_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let db = support::build_demo(BIN, home.path(), &DEMO_ARGS);
    let command = support::demo_command(BIN, &db, &DEMO_ARGS);

    let mut tui = Tui::spawn(home.path(), &command, 120, 40);
    tui.wait_for("the pane bar", |s| s.contains("2 Ledger"));
    tui.send("4");
    tui.wait_text("not approved");
    tui.send("\r");
    tui.wait_text("Loan facts");
    tui.send("\r");
    tui.wait_text("(editing");
    tui.send(TYPED);
    tui.wait_text(TYPED);
    tui.session
        .process_mut()
        .signal(Signal::SIGHUP)
        .expect("hang up");
    let (status, _) = tui.finish();
    // Ended by the hang-up: 128 + SIGHUP, as a shell reports it.
    assert!(matches!(status, WaitStatus::Exited(_, 129)), "{status:?}");

    let mut tui = Tui::spawn(home.path(), &command, 120, 40);
    tui.wait_text("A report draft is kept for");
    tui.send("4");
    tui.wait_text("not approved");
    tui.send("\r");
    tui.wait_text("Loan facts");
    tui.wait_text(TYPED);
    // The restored section is marked as not written to the book.
    tui.wait_text("*1. Inspection facts");
    tui.quit();
}
