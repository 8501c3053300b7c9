//! The binary run by the command-line tests: `cmd` on a book in a clean environment (home,
//! data, config and state under `home`), as a user, in a language; `ok` and `refused` for what
//! a run must do, returning what it said.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const EN: &str = "en_US.UTF-8";
pub const ZH: &str = "zh_CN.UTF-8";

/// The binary on `book` as `user` in `lang`, its home, data, config and state under `home`.
pub fn cmd(home: &Path, book: &Path, user: &str, lang: &str) -> Command {
    let mut c = Command::cargo_bin("postloan").expect("the binary");
    c.env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("LANG", lang)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--db")
        .arg(book)
        .arg("--as")
        .arg(user);
    c
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command that must succeed; returns its standard output.
pub fn ok(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs a command that must be refused: its exit code is not 0; returns what it said.
pub fn refused(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        !out.status.success(),
        "should be refused: {}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

/// Runs a command that must be refused with exit code `code`; returns what it said.
pub fn refused_with(c: &mut Command, code: i32) -> String {
    let out = c.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

/// The demo book of 200 loans from seed 3, as of 2026-06-30, at `dir/book.db` (a copy of the
/// test binary's one build of it).
pub fn demo_book(dir: &Path) -> PathBuf {
    let path = dir.join("book.db");
    super::tui::demo_file(&path, 200, 3, false);
    path
}
