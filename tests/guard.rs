//! Who may copy a book out or replace it (issue #13, point 1, plain half; the setgid half is
//! in `tests/setgid.rs`): a specialist may neither back the book up nor `restore --force` an
//! old backup over it, and `demo` never touches a book that is not a demo book, `--fresh` or
//! not. Each refusal exits 1, says why in both languages, and leaves the book byte for byte.

mod support;

use postloan::domain::Role;
use postloan::store::Store;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Output;
use support::book::{TestBook, cli, stderr, stdout};

/// The unprivileged user a root test runs the binary as (root may restore anything).
const PLAIN_UID: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid takes nothing and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The operating-system name of the user the binary runs as in [`run_plain`].
fn plain_user() -> String {
    if is_root() {
        postloan::workflow::user_name(PLAIN_UID).unwrap_or_else(|| PLAIN_UID.to_string())
    } else {
        postloan::workflow::os_user()
    }
}

/// Runs the binary on `book` as a user who is not root: the tests' own user, or `nobody`
/// when the tests run as root (then the book's directory is opened to them).
fn run_plain(dir: &Path, book: &Path, lang: &str, args: &[&str]) -> Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_postloan"));
    // The environment of `cli`, on a plain `Command` for `uid`.
    c.env_clear()
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("LANG", lang)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .arg("--db")
        .arg(book)
        .args(args);
    if is_root() {
        open_to_all(dir);
        c.uid(PLAIN_UID).gid(PLAIN_UID);
    }
    c.output().expect("run the binary")
}

/// Lets anyone into `dir` and at its files (a root test's book, for `nobody`).
fn open_to_all(dir: &Path) {
    for p in std::iter::once(dir.to_path_buf()).chain(
        std::fs::read_dir(dir)
            .expect("ls")
            .filter_map(|e| e.ok().map(|e| e.path())),
    ) {
        let mode = if p.is_dir() { 0o777 } else { 0o666 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

/// A book whose only manager is `boss` and in which the plain user is a specialist, with a
/// backup of it taken beside it; the store is closed so its file is whole.
fn book_with_specialist() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let user = plain_user();
    let (dir, store, _) = TestBook::with_staff(&[(user.as_str(), Role::Specialist)]).into_parts();
    let book = store.path().to_path_buf();
    let backup = dir.path().join("old.db");
    store.backup_to(&backup).expect("a backup");
    store.checkpoint().expect("checkpoint");
    drop(store);
    (dir, book, backup)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_specialist_may_not_restore_over_the_book_nor_back_it_up() {
    let (dir, book, backup) = book_with_specialist();
    let before = std::fs::read(&book).expect("the book");
    let user = plain_user();
    let out = run_plain(
        dir.path(),
        &book,
        "en_US.UTF-8",
        &["restore", backup.to_str().expect("utf-8"), "--force"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{user} may not restore over the book")),
        "{err}"
    );
    assert!(err.contains("only a manager of that book"), "{err}");
    let out = run_plain(
        dir.path(),
        &book,
        "zh_CN.UTF-8",
        &["restore", backup.to_str().expect("utf-8"), "--force"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("无权恢复覆盖账簿"),
        "{}",
        stderr(&out)
    );
    let copy = dir.path().join("mine.db");
    let out = run_plain(
        dir.path(),
        &book,
        "en_US.UTF-8",
        &["backup", copy.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&format!("{user} may not back up the book")),
        "{}",
        stderr(&out)
    );
    assert!(!copy.exists(), "no copy was written");
    assert_eq!(std::fs::read(&book).expect("the book"), before);
    assert!(
        !names_in(dir.path())
            .iter()
            .any(|n| n.contains("before-restore") || n.contains("restoring")),
        "{:?}",
        names_in(dir.path())
    );
}

#[test]
fn a_backup_is_restored_as_a_new_book_only_by_a_manager_in_it() {
    let (dir, _book, backup) = book_with_specialist();
    let new = dir.path().join("new.db");
    let out = run_plain(
        dir.path(),
        &new,
        "en_US.UTF-8",
        &["restore", backup.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("only a manager in the backup"),
        "{}",
        stderr(&out)
    );
    assert!(!new.exists());
    assert!(
        !names_in(dir.path()).iter().any(|n| n.contains("restoring")),
        "{:?}",
        names_in(dir.path())
    );
}

#[test]
fn demo_refuses_a_real_book_fresh_or_not() {
    let (dir, store, _) = TestBook::new().with_loans(2).into_parts();
    let book = store.path().to_path_buf();
    store.checkpoint().expect("checkpoint");
    drop(store);
    let before = std::fs::read(&book).expect("the book");
    for (lang, args, says) in [
        (
            "en_US.UTF-8",
            &["demo", "--fresh", "--no-tui", "--loans", "5"][..],
            "is a real book, not a demo book",
        ),
        (
            "en_US.UTF-8",
            &["demo", "--no-tui", "--loans", "5"][..],
            "demo only builds and rebuilds demo books",
        ),
        (
            "zh_CN.UTF-8",
            &["demo", "--fresh", "--no-tui", "--loans", "5"][..],
            "不是演示账簿",
        ),
    ] {
        let out = cli(dir.path(), lang)
            .arg("--db")
            .arg(&book)
            .args(args)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(err.contains(&book.display().to_string()), "{err}");
        assert_eq!(std::fs::read(&book).expect("the book"), before, "{args:?}");
    }
    let still = Store::open_for_reading(&book).expect("the book opens");
    assert!(!still.is_demo().expect("meta"));
    assert!(still.staff("boss").expect("staff").is_some());
}
