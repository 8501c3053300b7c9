//! What the integration tests share: [`book`], a test book made in a temporary directory;
//! [`tui`], a demo book with an `App` over it and one frame drawn into a `TestBackend` (also
//! used by the screenshots example); and (here) the workbench run in a pty with its output fed
//! to a vt100 screen.
//!
//! How to write a new test with the fixture: put `mod support;` at the top of the test file,
//! then make the book the case needs and no more. `TestBook::new()` is an empty book in a
//! temporary directory with the manager `boss` and the staff `spec`, `super` and `audit`
//! (`TestBook::with_staff(&[("zw", Role::Specialist)])` for others); `.with_loans(n)` adds
//! loans `L1`..`Ln` of borrower `B1`, `.with_statements(&[("2026-03-31", 1000)])` healthy
//! statements of `B1`. Then `b.import(kind, csv)` any extract (it must be written),
//! `b.loan(..)` / `b.repayment(..)` one row, `b.who("spec")` an actor, `b.write(name, bytes)`
//! a file beside the book. For the binary, make the book with `TestBook::for_cli()` (its
//! manager is the user running the tests, as the binary acts as that user) and call
//! `b.run(&["warnings", "--format", "json"])`; `cli(home, lang)` is a bare command in a clean
//! environment. The fields `store`, `boss`, `rules` and `dir` are public; keep the book alive
//! while you use them. Write the CSV a test is about in the test itself, so the reader sees the input; add
//! to `book.rs` only what two test files would otherwise repeat. For the workbench drawn in
//! memory, `support::tui::{book, app, draw}`.
// Each test file uses a part of this module.
#![allow(dead_code)]

pub mod book;
pub mod cli;
pub mod tui;

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};
use std::ffi::OsString;
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Keeps log, config and data out of the real home, and fixes language, terminal type and
/// user.
pub fn isolated_env(home: &Path) -> Vec<(&'static str, OsString)> {
    let mut env: Vec<(&'static str, OsString)> =
        ["HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"]
            .into_iter()
            .map(|k| (k, home.as_os_str().to_owned()))
            .collect();
    env.push(("PATH", "/usr/bin:/bin".into()));
    env.push(("LANG", "en_US.UTF-8".into()));
    env.push(("TERM", "xterm-256color".into()));
    env.push(("USER", "terminal-tester".into()));
    env
}

/// The `demo` arguments of a book of `loans` loans: seed 7, as of 2026-06-30, in English.
pub const fn demo_args(loans: &'static str) -> [&'static str; 8] {
    [
        "--loans",
        loans,
        "--seed",
        "7",
        "--as-of",
        "2026-06-30",
        "--lang",
        "en",
    ]
}

/// Builds the demo book `home/demo.db` with `BIN demo --db DB ARGS --no-tui` in the isolated
/// environment of `home`, so a workbench started on it shows at once; its path.
pub fn build_demo(bin: &str, home: &Path, args: &[&str]) -> PathBuf {
    let db = home.join("demo.db");
    let built = Command::new(bin)
        .env_clear()
        .envs(isolated_env(home))
        .args(["demo", "--db"])
        .arg(&db)
        .args(args)
        .arg("--no-tui")
        .output()
        .expect("build the demo book");
    assert!(built.status.success(), "{built:?}");
    db
}

/// The shell words that open the workbench on the demo book `db` built with `args`.
pub fn demo_command(bin: &str, db: &Path, args: &[&str]) -> String {
    format!("'{bin}' demo --db '{}' {}", db.display(), args.join(" "))
}

/// How long a test waits for the screen to show what it expects.
pub const TIMEOUT: Duration = Duration::from_secs(10);
const CPR: &[u8] = b"\x1b[6n";

/// The workbench in a pty; its output kept raw and fed to a vt100 screen.
pub struct Tui {
    pub session: PtySession,
    pub raw: Vec<u8>,
    pub screen: vt100::Parser,
    answered: usize,
}

impl Tui {
    /// Runs `sh -c "stty rows R cols C; exec COMMAND"` in the isolated environment of `home`
    /// (`exec`, so signals reach the workbench directly).
    pub fn spawn(home: &Path, command: &str, cols: u16, rows: u16) -> Tui {
        let script = format!("stty rows {rows} cols {cols}; exec {command}");
        Tui::spawn_script(home, &script, cols, rows)
    }

    /// Runs `sh -c SCRIPT` in the isolated environment of `home` on a `cols` x `rows` screen.
    pub fn spawn_script(home: &Path, script: &str, cols: u16, rows: u16) -> Tui {
        let mut cmd = Command::new("/bin/sh");
        cmd.env_clear()
            .envs(isolated_env(home))
            .arg("-c")
            .arg(script);
        let session = spawn_command(cmd, Some(TIMEOUT.as_millis() as u64)).expect("spawn in a pty");
        let nz = |n: u16| NonZeroU16::new(n).expect("non-zero");
        Tui {
            session,
            raw: Vec::new(),
            screen: vt100::Parser::new(nz(rows), nz(cols), 0),
            answered: 0,
        }
    }

    /// rexpect hands each byte over as one `char` (Latin-1 style); turn them back into bytes.
    /// Answers cursor-position queries the way a terminal would: `Terminal::clear` asks one
    /// (`ESC[6n`) and gives up after two seconds without an answer.
    pub fn take(&mut self, text: &str) {
        let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
        self.screen.process(&bytes);
        self.raw.extend_from_slice(&bytes);
        let asked = self.raw.windows(CPR.len()).filter(|w| *w == CPR).count();
        while self.answered < asked {
            let (row, col) = self.screen.screen().cursor_position();
            self.send(&format!("\x1b[{};{}R", row + 1, col + 1));
            self.answered += 1;
        }
    }

    pub fn contents(&self) -> String {
        let screen = self.screen.screen();
        let cols = screen.size().1.get();
        screen.rows(0, cols).collect::<Vec<_>>().join("\n")
    }

    /// Reads until the screen satisfies `ok` (a bounded wait on the output, no sleeping).
    pub fn wait_for(&mut self, what: &str, ok: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let mut got = String::new();
            while let Some(c) = self.session.try_read() {
                got.push(c);
            }
            self.take(&got);
            if ok(&self.contents()) {
                return;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "timed out waiting for {what}; screen:\n{}",
                self.contents()
            );
            match self.session.exp_regex("(?s).") {
                Ok((before, one)) => {
                    self.take(&before);
                    self.take(&one);
                }
                Err(e) => panic!(
                    "no output while waiting for {what}: {e}\n{}",
                    self.contents()
                ),
            }
        }
    }

    pub fn wait_text(&mut self, text: &str) {
        self.wait_for(text, |s| s.contains(text));
    }

    pub fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys");
        self.session.flush().expect("flush keys");
    }

    /// Reads to the end; the exit status and all output.
    pub fn finish(self) -> (WaitStatus, Vec<u8>) {
        let (status, raw, _) = self.finish_with_screen();
        (status, raw)
    }

    /// Reads to the end; the exit status, all output and the last screen.
    pub fn finish_with_screen(mut self) -> (WaitStatus, Vec<u8>, String) {
        let rest = self.session.exp_eof().expect("end of output");
        self.take(&rest);
        let status = self.session.process().wait().expect("waitpid");
        let screen = self.contents();
        (status, std::mem::take(&mut self.raw), screen)
    }

    /// Sends `q`, reads to the end and checks the exit status is 0; all output.
    pub fn quit(mut self) -> Vec<u8> {
        self.send("q");
        let (status, raw) = self.finish();
        assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
        raw
    }
}
