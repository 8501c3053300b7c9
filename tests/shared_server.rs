//! A book on a shared server (issue #13, points 1, 4 and 6): who you are comes from the real
//! user id, `postloan doctor` checks the book's files and says what to fix, a newer book is
//! refused untouched and an older one upgraded after a copy, and a bad environment (missing
//! directory, full disk, `LANG=C`) gets a clear message and loses nothing.

mod support;

use postloan::cli::error_text;
use postloan::extract::ExtractKind;
use postloan::i18n::Lang;
use postloan::store::{Store, StoreError, Table};
use postloan::workflow;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use support::book::{LOANS_HEADER, TestBook, cli, stderr, stdout, write};

/// The binary on the book at `db`, home beside it, in `lang`, with `args`.
fn run(db: &Path, lang: &str, args: &[&str]) -> std::process::Output {
    let home = db.parent().expect("a directory");
    cli(home, lang)
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .expect("run the binary")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}

/// The files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn setting_user_or_logname_does_not_change_who_you_are() {
    // The real user is this book's manager; `spec` is a specialist, who may not add staff.
    let b = TestBook::for_cli();
    let me = workflow::os_user();
    let out = cli(b.dir.path(), "en_US.UTF-8")
        .env("USER", "spec")
        .env("LOGNAME", "spec")
        .args(["staff", "add", "zw", "--role", "specialist", "--db"])
        .arg(b.path())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let last = b.store.audit_tail(1).expect("audit");
    assert_eq!(last[0].actor, me, "{last:?}");
    // A book where the real user is not staff but `boss` is: USER=boss gets nowhere.
    let other = TestBook::new();
    let out = cli(other.dir.path(), "en_US.UTF-8")
        .env("USER", "boss")
        .env("LOGNAME", "boss")
        .args(["staff", "add", "zw", "--role", "manager", "--db"])
        .arg(other.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = stderr(&out);
    assert!(said.contains(&format!("'{me}' is not staff")), "{said}");
    assert!(other.store.staff("zw").expect("staff").is_none());
    // --as is for demo books only, whatever the environment says.
    let out = cli(other.dir.path(), "en_US.UTF-8")
        .args(["--as", "boss", "staff", "list", "--db"])
        .arg(other.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--as works only in a demo book"));
}

/// A book made by `postloan init` in `tmp/branch/` (the directory made by postloan too).
fn init_book(tmp: &Path) -> PathBuf {
    let db = tmp.join("branch").join("book.db");
    let out = cli(tmp, "en_US.UTF-8")
        .args(["init", "--db"])
        .arg(&db)
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn doctor_json(db: &Path) -> (Option<i32>, serde_json::Value) {
    let out = run(
        db,
        "en_US.UTF-8",
        &["doctor", "--format", "json", "--min-free-mib", "1"],
    );
    let v = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code(), v)
}

fn status_of<'v>(v: &'v serde_json::Value, check: &str) -> &'v str {
    v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == check)
        .and_then(|c| c["status"].as_str())
        .unwrap_or("absent")
}

#[test]
fn a_book_postloan_made_passes_the_doctor_and_is_private_to_its_group() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = init_book(tmp.path());
    // Made by postloan itself: the group's, not the world's, whatever the umask was.
    assert_eq!(mode(db.parent().expect("dir")), 0o2770);
    assert_eq!(mode(&db), 0o660);
    let (code, v) = doctor_json(&db);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["ok"], true);
    // Its directory is the user's own group's: a private book, no setgid program wanted.
    for check in [
        "dir", "book", "install", "schema", "journal", "disk", "docs",
    ] {
        assert_eq!(status_of(&v, check), "ok", "{check}: {v:#}");
    }
    // The doctor only reads: it made no -wal or -shm file to look.
    assert_eq!(listing(db.parent().expect("dir")), ["book.db"]);
    let out = run(&db, "en_US.UTF-8", &["doctor", "--min-free-mib", "1"]);
    assert!(stdout(&out).contains("All is well."), "{}", stdout(&out));
}

/// A group other than the user's own that the user may give a file: any, for root; else one
/// of the user's other groups.
fn other_group() -> Option<u32> {
    // SAFETY: these calls take no pointers but getgroups', whose buffer and length match.
    let (euid, gid) = unsafe { (libc::geteuid(), libc::getgid()) };
    if euid == 0 {
        return Some(65534);
    }
    let mut groups = vec![0 as libc::gid_t; 256];
    // SAFETY: `groups` holds 256 entries and 256 is passed.
    let n = unsafe { libc::getgroups(256, groups.as_mut_ptr()) };
    groups
        .into_iter()
        .take(usize::try_from(n).unwrap_or(0))
        .find(|g| *g != gid)
}

#[test]
fn a_shared_book_run_by_a_program_that_is_not_setgid_fails_the_doctor_with_the_fix() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = init_book(tmp.path());
    let Some(group) = other_group() else {
        eprintln!("skipped: this user can give a file no group but their own");
        return;
    };
    // The README's shared setup: the directory and the book in the group `postloan` (here
    // another group), 2770 and 0660; this test's postloan is not setgid.
    let dir = db.parent().expect("dir").to_path_buf();
    for path in [&dir, &db] {
        std::os::unix::fs::chown(path, None, Some(group)).expect("chgrp");
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2770)).expect("chmod");
    let (code, v) = doctor_json(&db);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(status_of(&v, "install"), "fail", "{v:#}");
    for check in ["dir", "book", "schema", "journal", "disk", "docs"] {
        assert_eq!(
            status_of(&v, check),
            "ok",
            "only the install fails: {check}: {v:#}"
        );
    }
    for (lang, found) in [
        ("en_US.UTF-8", "is not setgid"),
        ("zh_CN.UTF-8", "不是 setgid"),
    ] {
        let out = run(&db, lang, &["doctor", "--min-free-mib", "1"]);
        assert_eq!(out.status.code(), Some(1));
        let text = stdout(&out);
        assert!(text.contains(found), "{text}");
        assert!(
            text.contains("chmod 2755"),
            "the fix says what to run: {text}"
        );
    }
}

#[test]
fn a_world_readable_book_fails_the_doctor_with_the_fix_in_both_languages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = init_book(tmp.path());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let dir = db.parent().expect("dir").to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (code, v) = doctor_json(&db);
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(v["ok"], false);
    assert_eq!(status_of(&v, "book"), "fail", "{v:#}");
    assert_eq!(status_of(&v, "dir"), "fail", "{v:#}");
    assert_eq!(status_of(&v, "schema"), "ok", "{v:#}");
    let fix = |check: &str| {
        v["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["check"] == check)
            .and_then(|c| c["fix"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(fix("book"), format!("chmod 0660 {}", db.display()));
    assert_eq!(fix("dir"), format!("chmod 2770 {}", dir.display()));
    for (lang, found, fix_word) in [
        ("en_US.UTF-8", "other users can reach it", "fix:"),
        ("zh_CN.UTF-8", "其他用户可以访问", "处理："),
    ] {
        let out = run(&db, lang, &["doctor", "--min-free-mib", "1"]);
        assert_eq!(out.status.code(), Some(1));
        let text = stdout(&out);
        assert!(text.contains(found), "{text}");
        assert!(text.contains(fix_word), "{text}");
        assert!(text.contains("chmod 0660"), "{text}");
    }
    // Put right as it says, all is well again.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).expect("chmod");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2770)).expect("chmod");
    assert_eq!(doctor_json(&db).0, Some(0));
}

#[test]
fn a_book_from_a_newer_postloan_is_refused_and_left_byte_for_byte() {
    let b = TestBook::new();
    let db = b.path();
    let want = postloan::store::schema_version();
    let newer = want as i64 + 5;
    drop(b.store);
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.pragma_update(None, "user_version", newer)
        .expect("version");
    drop(conn);
    let before = std::fs::read(&db).expect("read");
    let files = listing(b.dir.path());
    for (args, lang, says) in [
        (&["loans"][..], "en_US.UTF-8", "written by a newer postloan"),
        (
            &["staff", "add", "x", "--role", "manager"][..],
            "en_US.UTF-8",
            "written by a newer postloan",
        ),
        (&["verify"][..], "zh_CN.UTF-8", "更新版本"),
    ] {
        let out = run(&db, lang, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = stderr(&out);
        assert!(said.contains(says), "{said}");
        assert!(said.contains(&format!("{newer}")), "{said}");
        assert!(said.contains(&format!("{want}")), "{said}");
    }
    assert!(matches!(Store::open(&db), Err(StoreError::TooNew { .. })));
    assert!(
        std::fs::read(&db).expect("read") == before,
        "the book was changed"
    );
    assert_eq!(
        listing(b.dir.path()),
        files,
        "files were made beside the book"
    );
    // The doctor says so too, and what to do.
    let (code, v) = doctor_json(&db);
    assert_eq!(code, Some(1));
    assert_eq!(status_of(&v, "schema"), "fail", "{v:#}");
}

#[test]
fn an_older_book_is_copied_beside_itself_then_upgraded() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = tmp.path().join("book.db");
    let old = 9;
    postloan::store::create_at_version(&db, old).expect("an old book");
    let (code, v) = doctor_json(&db);
    assert_eq!(code, Some(1));
    assert_eq!(status_of(&v, "schema"), "warn", "{v:#}");
    let out = run(&db, "en_US.UTF-8", &["init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let backup = tmp.path().join(format!("book.db.v{old}-backup"));
    let said = stderr(&out);
    assert!(
        said.contains(&format!("from schema version {old} to"))
            && said.contains(&backup.display().to_string()),
        "{said}"
    );
    // The copy is the old book, private like the book; the book is now current.
    assert_eq!(
        postloan::store::files::header_schema_version(&backup),
        Some(old as i64)
    );
    assert_eq!(mode(&backup), 0o660);
    let conn = rusqlite::Connection::open(&backup).expect("open the copy");
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(ok, "ok");
    let store = Store::open_existing(&db).expect("open");
    assert!(store.upgraded().is_none(), "upgraded twice");
    assert_eq!(store.staff_count().expect("staff"), 1);
    drop(store);
    // Opened again: no second copy.
    let out = run(&db, "zh_CN.UTF-8", &["staff", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("升级"), "{}", stderr(&out));
    assert_eq!(
        listing(tmp.path())
            .iter()
            .filter(|f| f.contains("backup"))
            .count(),
        1
    );
}

#[test]
fn a_full_disk_during_import_writes_nothing_and_says_disk_full() {
    let mut b = TestBook::new().with_loans(2);
    let mut csv = String::from(LOANS_HEADER);
    for i in 0..800 {
        csv.push_str(&format!(
            "F{i},B{i},某某贸易有限公司{i},working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,spec,quarterly\n"
        ));
    }
    let file = write(b.dir.path(), "big.csv", &csv);
    let pages = b.store.page_count().expect("pages");
    // Room for a few more pages only: SQLite fails with SQLITE_FULL, as on a full disk.
    b.store.limit_pages(pages + 8).expect("limit");
    let audit_before = b.store.count_rows(Table::Audit).expect("audit");
    let boss = b.boss.clone();
    let e = workflow::import::import_file(
        &mut b.store,
        &boss,
        ExtractKind::Loans,
        &file,
        postloan::extract::Encoding::Auto,
        false,
    )
    .expect_err("the disk is full");
    let e = anyhow::Error::from(e);
    assert!(
        error_text(&e, Lang::En).starts_with("the disk is full"),
        "{}",
        error_text(&e, Lang::En)
    );
    assert!(error_text(&e, Lang::ZhCn).starts_with("磁盘已满"));
    // Nothing half-written: the two loans only, no audit row, a sound file.
    assert_eq!(b.store.count_rows(Table::Loans).expect("loans"), 2);
    assert_eq!(
        b.store.count_rows(Table::Audit).expect("audit"),
        audit_before
    );
    assert!(b.store.integrity_check().expect("check").is_empty());
    // With room again the same file goes in whole.
    b.store.limit_pages(1 << 30).expect("unlimit");
    b.import(ExtractKind::Loans, &csv);
    assert_eq!(b.store.count_rows(Table::Loans).expect("loans"), 802);
}

#[test]
fn a_book_in_a_missing_directory_is_said_so_and_nothing_is_made() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = tmp.path().join("no-such-branch").join("book.db");
    for (lang, says) in [("en_US.UTF-8", "does not exist"), ("zh_CN.UTF-8", "不存在")] {
        for args in [&["loans"][..], &["evaluate"][..], &[][..]] {
            let out = cli(tmp.path(), lang)
                .env("TERM", "xterm-256color")
                .args(args)
                .arg("--db")
                .arg(&db)
                .output()
                .expect("run");
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let said = stderr(&out);
            assert!(
                said.contains(says) && said.contains("no-such-branch"),
                "{said}"
            );
        }
    }
    assert!(!db.parent().expect("dir").exists(), "a directory was made");
}

#[test]
fn lang_c_speaks_plain_english() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = init_book(tmp.path());
    for args in [&["doctor", "--min-free-mib", "1"][..], &["loans"][..]] {
        let out = cli(tmp.path(), "C")
            .env("LC_ALL", "C")
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.is_ascii(), "{args:?}: {text}");
        assert!(!text.is_empty());
    }
    let missing = tmp.path().join("none.db");
    let out = run(&missing, "C", &["loans"]);
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    assert!(said.is_ascii() && said.contains("no book at"), "{said}");
}

/// `--min-free-mib` says its range when a whole number is out of it, and the disk line says
/// which threshold is in effect and why, and that the free space shown is the users' (ext4
/// keeps blocks for root). A book that cannot be read gets no schema version.
#[test]
fn the_doctor_says_its_disk_threshold_and_invents_no_version() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = init_book(tmp.path());
    for (lang, range) in [
        ("en_US.UTF-8", "from 0 to 1073741824"),
        ("zh_CN.UTF-8", "0 到 1073741824"),
    ] {
        for bad in ["99999999999999999999", "-1", "2000000000"] {
            let arg = format!("--min-free-mib={bad}");
            let out = run(&db, lang, &["doctor", &arg]);
            assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
            let said = stderr(&out);
            assert!(said.contains(range), "{bad}: {said}");
            assert!(!said.contains("not a whole number"), "{said}");
        }
        let out = run(&db, lang, &["doctor", "--min-free-mib", "x"]);
        assert_eq!(out.status.code(), Some(2));
        // The threshold in effect, and why: with 0 the floor is nothing, so twice the book.
        let out = run(&db, lang, &["doctor", "--min-free-mib", "0"]);
        let text = stdout(&out);
        let disk = text
            .lines()
            .find(|l| l.contains("--min-free-mib"))
            .unwrap_or_else(|| panic!("a disk line naming the option: {text}"));
        assert!(disk.contains("root"), "root's reserve named: {disk}");
        let twice = if lang.starts_with("en") {
            "twice the book"
        } else {
            "两倍"
        };
        assert!(disk.contains(twice), "{disk}");
    }
    // Not a book: no version read, none printed as the book's.
    let junk = tmp.path().join("junk.db");
    std::fs::write(&junk, [b'x'; 4096]).expect("junk");
    let (code, v) = doctor_json(&junk);
    assert_eq!(code, Some(1));
    assert!(v["book_schema_version"].is_null(), "{v:#}");
    assert_eq!(
        v["program_schema_version"],
        postloan::store::schema_version()
    );
    let out = run(&junk, "en_US.UTF-8", &["doctor"]);
    let text = stdout(&out);
    assert!(text.contains("which writes schema version"), "{text}");
    assert!(text.contains("not a book"), "{text}");
    let (_, v) = doctor_json(&db);
    assert_eq!(v["book_schema_version"], postloan::store::schema_version());
}

/// `init --manager LOGIN` makes that login the first manager (root setting up a shared book);
/// a name that is no login of the server is refused in both languages and makes no book.
#[test]
fn init_names_the_first_manager_only_when_it_is_a_login() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = tmp.path().join("b").join("book.db");
    for (lang, says) in [
        ("en_US.UTF-8", "no such login on this server"),
        ("zh_CN.UTF-8", "本服务器没有此登录名"),
    ] {
        let out = run(&db, lang, &["init", "--manager", "no.such.login.x"]);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(!db.exists());
    }
    let me = postloan::workflow::os_user();
    let out = run(&db, "en_US.UTF-8", &["init", "--manager", "root"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = Store::open_for_reading(&db).expect("the book");
    let role = store.staff("root").expect("staff").map(|s| s.role);
    assert_eq!(role, Some(postloan::domain::Role::Manager), "made by {me}");
}

/// An empty file at the book's path is no book: commands say so and leave it empty, `init`
/// makes the book in it. Another program's SQLite database there is left as it is by every
/// command, `init` included, in the user's language.
#[test]
fn an_empty_file_is_no_book_and_another_programs_database_is_left_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let empty = tmp.path().join("empty.db");
    std::fs::write(&empty, b"").expect("empty file");
    let out = run(&empty, "en_US.UTF-8", &["loans"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no book at"), "{}", stderr(&out));
    assert_eq!(std::fs::metadata(&empty).expect("file").len(), 0);
    assert!(run(&empty, "en_US.UTF-8", &["init"]).status.success());
    assert!(run(&empty, "en_US.UTF-8", &["loans"]).status.success());

    let foreign = tmp.path().join("foreign.db");
    {
        let conn = rusqlite::Connection::open(&foreign).expect("open");
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .expect("another program's table");
    }
    let before = std::fs::read(&foreign).expect("read");
    for (lang, says) in [
        ("en_US.UTF-8", "another program's SQLite database"),
        ("zh_CN.UTF-8", "其他程序的 SQLite 数据库"),
    ] {
        for args in [&["init"][..], &["loans"][..], &["staff", "list"][..]] {
            let out = run(&foreign, lang, args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        }
    }
    assert_eq!(
        std::fs::read(&foreign).expect("read"),
        before,
        "not a byte changed"
    );
}
