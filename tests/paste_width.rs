//! The real binary in a pseudo-terminal, for two terminal faults (issue #14): a paste is text,
//! never commands (bracketed or as a burst of keys), and data of disputed width (emoji
//! sequences, ambiguous characters) never shifts columns or leaves stale characters.

use assert_cmd::Command as AssertCommand;
use rexpect::process::{Signal, WaitStatus};
use std::path::{Path, PathBuf};

mod support;
use support::{Tui, isolated_env};

const BIN: &str = env!("CARGO_BIN_EXE_postloan");
const PASTE_ON: &[u8] = b"\x1b[?2004h";
const PASTE_OFF: &[u8] = b"\x1b[?2004l";
/// The paste of the issue: three lines, the middle one made of command keys.
const PASTE: &str = "\x1b[200~line one\nh p q\nline three\x1b[201~";
const JOINED: &str = "line one h p q line three";

/// A demo book in a temporary home; `extra` borrowers and loans are imported into it.
struct Book {
    home: tempfile::TempDir,
    db: PathBuf,
}

impl Book {
    fn new(loans: u32) -> Book {
        let home = tempfile::tempdir().expect("tempdir");
        let db = home.path().join("demo.db");
        let n = loans.to_string();
        let args = [
            "--loans",
            &n,
            "--seed",
            "7",
            "--as-of",
            "2026-06-30",
            "--no-tui",
        ];
        Book::cli(home.path(), &db, &["demo"], &args);
        Book { home, db }
    }

    fn cli(home: &Path, db: &Path, cmd: &[&str], args: &[&str]) {
        AssertCommand::new(BIN)
            .env_clear()
            .envs(isolated_env(home))
            .args(cmd)
            .arg("--db")
            .arg(db)
            .args(args)
            .assert()
            .success();
    }

    fn import(&self, kind: &str, csv: &str) {
        let file = self.home.path().join(format!("{kind}.csv"));
        std::fs::write(&file, csv).expect("write csv");
        let file = file.display().to_string();
        Book::cli(self.home.path(), &self.db, &["import", kind, &file], &[]);
    }

    fn start(&self, cols: u16, rows: u16) -> Tui {
        let command = format!("'{BIN}' demo --db '{}' --lang en", self.db.display());
        let mut tui = Tui::spawn(self.home.path(), &command, cols, rows);
        tui.wait_for("the pane bar", |s| s.contains("2 Ledger"));
        tui
    }
}

/// Ledger, first loan's detail, contact form, focus on its notes field.
fn open_contact_notes(tui: &mut Tui) {
    tui.send("2");
    tui.wait_text("1/");
    tui.send("\r");
    tui.wait_text("Esc back");
    tui.send("n");
    tui.wait_text("New contact");
    tui.send("\t");
    tui.send("\t");
    tui.wait_for("focus on Notes", |s| s.contains(">Notes"));
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Bracketed paste was turned on, and off again after it was last turned on.
fn assert_paste_mode_left(raw: &[u8]) {
    let on = rfind(raw, PASTE_ON).expect("bracketed paste was enabled");
    let off = rfind(raw, PASTE_OFF).expect("bracketed paste was disabled");
    assert!(off > on, "bracketed paste left on at exit");
}

/// The contact form is still open with the whole paste in its notes; nothing else happened.
fn assert_pasted_into_notes(tui: &mut Tui) {
    // The notes are multi-line: the pasted lines stay lines, one under the other.
    tui.wait_text("line three");
    let s = tui.contents();
    let lines: Vec<&str> = s.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(">Notes"))
        .expect("the notes field");
    assert!(lines[at].contains("line one"), "{s}");
    assert!(lines[at + 1].contains("h p q"), "{s}");
    assert!(lines[at + 2].contains("line three"), "{s}");
    assert!(s.contains("New contact"), "the contact form is open:\n{s}");
    assert!(
        !s.contains("Repayment status"),
        "no repayment form opened:\n{s}"
    );
}

#[test]
fn a_bracketed_paste_into_a_form_field_is_text_and_never_keys() {
    let book = Book::new(30);
    let mut tui = book.start(80, 24);
    open_contact_notes(&mut tui);
    tui.send(PASTE);
    assert_pasted_into_notes(&mut tui);
    // Still running and on the loan detail's Contacts tab under the form: Esc closes the form.
    tui.send("\x1b");
    tui.wait_for("the form closed", |s| !s.contains("New contact"));
    assert!(tui.contents().contains("Esc back"), "{}", tui.contents());
    assert_paste_mode_left(&tui.quit());
}

#[test]
fn a_bracketed_paste_into_the_filter_is_its_text() {
    let book = Book::new(30);
    let mut tui = book.start(80, 24);
    tui.send("2");
    tui.wait_text("1/31"); // 30 generated loans and the case study's
    tui.send("/");
    tui.wait_text("Filter (borrower, contract, officer):");
    tui.send(PASTE);
    tui.wait_text(&format!("Filter (borrower, contract, officer): {JOINED}"));
    tui.send("\x1b");
    tui.wait_text("1/31"); // 30 generated loans and the case study's
    let s = tui.contents();
    assert!(!s.contains("Esc back"), "no loan opened:\n{s}");
    assert_paste_mode_left(&tui.quit());
}

#[test]
fn a_paste_on_a_list_changes_nothing_and_says_so() {
    let book = Book::new(30);
    let mut tui = book.start(80, 24);
    tui.send("2");
    tui.wait_text("1/31"); // 30 generated loans and the case study's
    let before = tui.contents();
    tui.send(PASTE);
    tui.wait_text("Paste ignored");
    let after = tui.contents();
    // Everything but the status line is as it was: same pane, same row, no detail, no form.
    let body = |s: &str| s.lines().take(22).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(body(&before), body(&after));
    assert_paste_mode_left(&tui.quit());
}

#[test]
fn without_bracketed_paste_a_burst_of_keys_in_a_field_stays_text() {
    let book = Book::new(30);
    let mut tui = book.start(80, 24);
    open_contact_notes(&mut tui);
    // The same paste from a terminal that does not bracket it: keys, Enter for each line.
    tui.send("line one\rh p q\rline three");
    assert_pasted_into_notes(&mut tui);
    tui.send("\x1b");
    tui.wait_for("the form closed", |s| !s.contains("New contact"));
    // In the filter: Enter then `q` in one burst is text, the workbench stays.
    tui.send("\x1b");
    tui.wait_text("1/31"); // 30 generated loans and the case study's
    tui.send("/");
    tui.wait_text("Filter (borrower, contract, officer):");
    tui.send("abc\rq");
    tui.wait_text("Filter (borrower, contract, officer): abc q");
    tui.send("\x1b");
    tui.wait_for("the filter closed", |s| !s.contains("Filter ("));
    assert_paste_mode_left(&tui.quit());
}

#[test]
fn keys_that_follow_a_form_saved_in_a_burst_are_dropped() {
    let book = Book::new(30);
    let mut tui = book.start(80, 24);
    open_contact_notes(&mut tui);
    // Ctrl-S saves, and the rest of the burst would switch tab, open the repayment form, quit.
    tui.send("visit\x13h p q");
    tui.wait_text("5 keys");
    let s = tui.contents();
    // (The notice is long at 80 columns: it takes the hint row, so the loan shows by its tabs.)
    assert!(s.contains("Overview"), "still on the loan:\n{s}");
    assert!(
        s.contains("visit"),
        "the contact was saved, on the Contacts tab:\n{s}"
    );
    assert!(!s.contains("Repayment status"), "{s}");
    assert_paste_mode_left(&tui.quit());
}

fn signal_turns_paste_mode_off(sig: Signal) {
    let book = Book::new(10);
    let mut tui = book.start(80, 24);
    tui.session.process_mut().signal(sig).expect("signal");
    let (status, raw) = tui.finish();
    // Ended by the signal: the status a shell gives it, 128 + the signal's number.
    assert!(
        matches!(status, WaitStatus::Exited(_, c) if c == 128 + sig as i32),
        "{status:?}"
    );
    assert_paste_mode_left(&raw);
}

#[test]
fn sigterm_and_sighup_turn_bracketed_paste_off() {
    signal_turns_paste_mode_off(Signal::SIGTERM);
    signal_turns_paste_mode_off(Signal::SIGHUP);
}

/// Borrowers named with every member of the kind: emoji variation sequence, ZWJ sequence,
/// keycap, flag, East Asian Ambiguous characters, a combining accent.
const NAMES: [&str; 5] = [
    "电话☎\u{FE0F}贸易有限公司",
    "家庭👨\u{200D}👩\u{200D}👧科技有限公司",
    "一号1\u{FE0F}\u{20E3}旗🇨🇳有限公司",
    "圈①→§·Ω公司",
    "Cafe\u{301} Société",
];

fn book_with_odd_names() -> Book {
    let book = Book::new(20);
    let mut borrowers = String::from("borrower_code,name,credit_code,industry,region\n");
    let mut loans = String::from(
        "contract_no,borrower_name,borrower_code,product,purpose,currency,principal,\
         outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,\
         tracking_frequency\n",
    );
    for (i, name) in NAMES.iter().enumerate() {
        borrowers.push_str(&format!(
            "B90{i},{name},91310000MA1FL8XQ{i}A,制造☎\u{FE0F}业①,上海🇨🇳\n"
        ));
        loans.push_str(&format!(
            "PX0000000{i},{name},B90{i},working_capital,采购👨\u{200D}👩\u{200D}👧原材料,CNY,\
             1000000,1000000,4.35,2024-03-15,2027-03-14,mortgage,zhang.wei,quarterly\n"
        ));
    }
    book.import("borrowers", &borrowers);
    book.import("loans", &loans);
    book
}

/// The screen column (as the terminal sees it) where `needle` starts on `row`, if it does.
fn column_of(screen: &vt100::Screen, row: u16, needle: &str) -> Option<u16> {
    let cols = screen.size().1.get();
    let cells: Vec<String> = (0..cols)
        .map(|c| {
            screen
                .cell(row, c)
                .map(|x| x.contents().to_string())
                .unwrap_or_default()
        })
        .collect();
    let first = needle.chars().next()?.to_string();
    (0..cols).find(|&c| {
        cells[usize::from(c)] == first
            && needle
                .chars()
                .skip(1)
                .enumerate()
                .all(|(k, ch)| cells.get(usize::from(c) + k + 1) == Some(&ch.to_string()))
    })
}

#[test]
fn odd_width_names_keep_the_columns_and_leave_no_stale_characters() {
    // The ledger: the demo's 20 generated loans, the case study's PLJN-240315, then the five
    // odd-named ones (26 rows, by contract).
    let book = book_with_odd_names();
    let mut tui = book.start(100, 30);
    tui.send("2");
    tui.wait_text("1/26");
    tui.send("G");
    tui.wait_text("26/26");
    assert_ledger_lines_up(&tui);
    for n in [25, 24, 23, 22] {
        tui.send("k");
        tui.wait_text(&format!("{n}/26"));
    }
    // The 电话☎️ loan: its overview's right-hand labels line up.
    tui.send("\r");
    tui.wait_for("the ☎ loan", |s| {
        s.contains("Industry") && s.contains("电话Tel")
    });
    assert_overview_lines_up(&tui);
    tui.send("l");
    tui.wait_for("the next tab", |s| !s.contains("Industry"));
    tui.send("h");
    tui.wait_text("Industry");
    tui.send("\x1b");
    tui.wait_text("22/26");
    tui.send("j");
    tui.wait_text("23/26");
    tui.send("\r");
    tui.wait_for("the 👨‍👩‍👧 loan", |s| {
        s.contains("Industry") && s.contains("PX00000001")
    });
    assert_overview_lines_up(&tui);
    tui.send("\x1b");
    tui.wait_text("23/26");
    for n in [22, 21, 20] {
        tui.send("k");
        tui.wait_text(&format!("{n}/26"));
    }
    tui.send("\r");
    let last = |s: &str| {
        s.contains("PL00000020 东北") && s.contains("Esc back") && s.trim_end().ends_with("due")
    };
    tui.wait_for("an ordinary loan", last);
    let stepwise = visible(&tui.contents());
    tui.quit();

    // The same loan painted at once on a clear screen: what the stepwise screen must be.
    let mut fresh = book.start(100, 30);
    fresh.send("2Gkkkkkk\r");
    fresh.wait_for("the same loan", last);
    assert_eq!(
        visible(&fresh.contents()),
        stepwise,
        "stale characters after moving over odd-width names"
    );
    fresh.quit();
}

/// The screen's text, each row without trailing blanks (written spaces and erased cells look
/// the same).
fn visible(screen: &str) -> String {
    screen
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rows of the screen as text.
fn lines(tui: &Tui) -> Vec<String> {
    let screen = tui.screen.screen();
    screen.rows(0, screen.size().1.get()).collect()
}

/// In every ledger row, the class column (after the borrower and the amount) starts where the
/// header's does.
fn assert_ledger_lines_up(tui: &Tui) {
    let screen = tui.screen.screen();
    let rows = lines(tui);
    let head = rows
        .iter()
        .position(|l| l.contains("Borrower"))
        .expect("header") as u16;
    let want = column_of(screen, head, "Class").expect("Class in the header");
    let mut n = 0;
    for (row, line) in rows.iter().enumerate() {
        if line.contains("PL000") || line.contains("PX000") {
            n += 1;
            let at = ["Pass", "Watch", "Subst", "Doubt", "Loss"]
                .iter()
                .find_map(|c| column_of(screen, row as u16, c));
            assert_eq!(at, Some(want), "row {line:?}\n{}", tui.contents());
        }
    }
    assert_eq!(n, 25, "{}", tui.contents());
}

/// The overview's right-hand labels all start at one column.
fn assert_overview_lines_up(tui: &Tui) {
    let screen = tui.screen.screen();
    let rows = lines(tui);
    let mut at = Vec::new();
    for label in ["Credit code", "Region", "Purpose", "Outstanding", "Term"] {
        let row = rows.iter().position(|l| l.contains(label)).expect(label) as u16;
        at.push((label, column_of(screen, row, label)));
    }
    assert!(
        at.iter().all(|(_, c)| *c == at[0].1),
        "{at:?}\n{}",
        tui.contents()
    );
}
