//! The README's "Shared server" setup for real (issue #13, point 1): a book directory of a
//! group the user is not in (`2770`), postloan installed setgid to that group (`2755`), run
//! by an unprivileged user whose only way into the group is the setgid bit. Staff write
//! through it (init, staff, an import, a document), what it makes stays the group's and no
//! one else's whatever the umask, `doctor` is content, the same user without the setgid
//! program is refused saying why, and `USER`/`LOGNAME` do not change who acted.
//!
//! It needs root (to give files away and to run as another user); as anyone else it says why
//! it did not run and passes. It also says so, and does not run, where the setgid bit cannot
//! work: a `nosuid` file system or a process with `no_new_privs`.

mod support;

use postloan::domain::Role;
use postloan::store::Store;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::book::{LOANS_HEADER, stderr, stdout};

/// The unprivileged user the staff member runs as (`nobody` on most systems), and their own
/// group (`nogroup`).
const STAFF_UID: u32 = 65534;
const STAFF_GID: u32 = 65534;

/// Why this test cannot run here, if it cannot.
fn cannot_run_here() -> Option<String> {
    // SAFETY: geteuid takes nothing and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some(
            "not root: it must give files to another group and run as another user".into(),
        );
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if status
        .lines()
        .any(|l| l.starts_with("NoNewPrivs:") && l.trim_end().ends_with('1'))
    {
        return Some("no_new_privs is set: the kernel ignores the setgid bit".into());
    }
    None
}

/// Whether the file system holding `dir` honours setuid and setgid bits.
fn allows_setgid(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: an all-zero statvfs is a valid value for statvfs to fill.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and `st` is valid for writes during the call.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return false;
    }
    st.f_flag & libc::ST_NOSUID == 0
}

/// Whether every directory above `dir` lets others through (`o+x`): the staff user must
/// reach the test's files.
fn others_can_reach(dir: &Path) -> bool {
    dir.ancestors()
        .skip(1)
        .all(|d| std::fs::metadata(d).is_ok_and(|m| m.mode() & 0o001 != 0))
}

/// A temporary root for the setup: in the system's temporary directory unless it is mounted
/// `nosuid` or closed to others, else under the target directory.
fn setup_root() -> Result<tempfile::TempDir, String> {
    let candidates = [
        std::env::temp_dir(),
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
    ];
    for base in &candidates {
        if allows_setgid(base) && others_can_reach(&base.join("x")) {
            let root = tempfile::Builder::new()
                .prefix("setgid-")
                .tempdir_in(base)
                .map_err(|e| format!("{}: {e}", base.display()))?;
            set_mode(root.path(), 0o755);
            return Ok(root);
        }
    }
    Err(format!(
        "neither {} nor {} is on a file system that honours setgid and is open to other users",
        candidates[0].display(),
        candidates[1].display()
    ))
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A group id that no group of this system has and that is not the staff user's.
fn unused_gid() -> u32 {
    (4242u32..)
        .find(|&g| g != STAFF_GID && postloan::workflow::doctor::group_name(g) == g.to_string())
        .expect("a free group id")
}

/// `program` run as the staff user: real and effective uid `STAFF_UID`, real gid its own
/// group, no supplementary groups (std drops them when root sets the uid), `umask` as given,
/// a clean environment with `USER` and `LOGNAME` set to someone else.
fn as_staff(program: &Path, home: &Path, umask: libc::mode_t, args: &[&str]) -> Output {
    as_staff_env(program, home, umask, args, &[])
}

/// [`as_staff`] with more variables set (`XDG_STATE_HOME`, …).
fn as_staff_env(
    program: &Path,
    home: &Path,
    umask: libc::mode_t,
    args: &[&str],
    env: &[(&str, &Path)],
) -> Output {
    let mut c = Command::new(program);
    c.env_clear()
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .env("HOME", home)
        .env("LANG", "en_US.UTF-8")
        .env("PATH", "/usr/bin:/bin")
        .env("USER", "boss")
        .env("LOGNAME", "boss")
        .current_dir(home)
        .args(args)
        .uid(STAFF_UID)
        .gid(STAFF_GID);
    // SAFETY: umask is async-signal-safe and touches no memory.
    unsafe {
        c.pre_exec(move || {
            libc::umask(umask);
            Ok(())
        });
    }
    c.output().expect("run as the staff user")
}

/// Every file and directory under `dir`, `dir` included.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn staff_write_a_shared_book_through_the_setgid_program_and_only_through_it() {
    if let Some(why) = cannot_run_here() {
        eprintln!("setgid test skipped: {why}");
        return;
    }
    let root = match setup_root() {
        Ok(r) => r,
        Err(why) => {
            eprintln!("setgid test skipped: {why}");
            return;
        }
    };
    let group = unused_gid();
    let staff_name =
        postloan::workflow::user_name(STAFF_UID).unwrap_or_else(|| STAFF_UID.to_string());

    // The premise: the staff user, run as below, is in no group but its own.
    let id = as_staff(Path::new("/usr/bin/id"), root.path(), 0o022, &["-G"]);
    if id.status.success() {
        assert_eq!(stdout(&id).trim(), STAFF_GID.to_string(), "{}", stderr(&id));
    }

    // install -o root -g G -m 2755 postloan BIN (chown first: it clears the setgid bit).
    let original = PathBuf::from(env!("CARGO_BIN_EXE_postloan"));
    let program = install_setgid(root.path(), &original, group);
    // install -d -o root -g G -m 2770 BRANCH
    let branch = root.path().join("branch-0571");
    group_dir(&branch, group);
    let db = branch.join("book.db");
    let db_arg = db.to_str().expect("a UTF-8 path");
    // The staff user's home, and an extract and a contract it can read.
    let home = root.path().join("home");
    std::fs::create_dir(&home).expect("mkdir home");
    std::os::unix::fs::chown(&home, Some(STAFF_UID), Some(STAFF_GID)).expect("chown home");
    set_mode(&home, 0o700);
    let extract = root.path().join("loans.csv");
    std::fs::write(
        &extract,
        format!(
            "{LOANS_HEADER}L1,B1,华东机械制造有限公司,working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,wang.fang,quarterly\n"
        ),
    )
    .expect("write the extract");
    let contract = root.path().join("contract.txt");
    std::fs::write(&contract, "借款合同 L1\n").expect("write the contract");
    for f in [&extract, &contract] {
        set_mode(f, 0o644);
    }
    let extract_arg = extract.to_str().expect("a UTF-8 path");
    let contract_arg = contract.to_str().expect("a UTF-8 path");

    // A user who is not in the group makes no book in its directory through the setgid
    // program, not even the first (they could race the branch's manager for it): root makes
    // it and names the first manager.
    let out = as_staff(&program, &home, 0o022, &["--db", db_arg, "init"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("no new book at"), "{}", stderr(&out));
    assert_eq!(walk(&branch).len(), 1, "nothing was made");
    // Nor in an empty file at the book's path (a book emptied by mistake): no command makes
    // a book in it for them, and it stays empty.
    std::fs::write(&db, b"").expect("an empty book file");
    std::os::unix::fs::chown(&db, Some(0), Some(group)).expect("chown the empty file");
    set_mode(&db, 0o660);
    for args in [
        &["--db", db_arg, "init"][..],
        &["--db", db_arg, "loans"][..],
        &["--db", db_arg, "demo", "--no-tui", "--loans", "5"][..],
    ] {
        let out = as_staff(&program, &home, 0o022, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        assert_eq!(
            std::fs::metadata(&db).expect("the file").len(),
            0,
            "{args:?}"
        );
    }
    std::fs::remove_file(&db).expect("rm the empty file");
    let out = Command::new(&original)
        .args(["--db", db_arg, "init", "--manager", &staff_name])
        .env("LANG", "en_US.UTF-8")
        .output()
        .expect("init as root");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&staff_name), "{}", stdout(&out));
    // The staff user works through the setgid program, under umasks that would lock the
    // group out (077) or let everyone in (000) if postloan left the modes to them.
    let steps: [(libc::mode_t, &[&str]); 3] = [
        (
            0o077,
            &[
                "--db",
                db_arg,
                "staff",
                "add",
                "wang.fang",
                "--role",
                "specialist",
            ],
        ),
        (0o022, &["--db", db_arg, "import", "loans", extract_arg]),
        (
            0o000,
            &[
                "--db",
                db_arg,
                "archive",
                "add",
                "L1",
                contract_arg,
                "--kind",
                "contract",
            ],
        ),
    ];
    for (umask, args) in steps {
        let out = as_staff(&program, &home, umask, args);
        assert!(
            out.status.success(),
            "{args:?} through the setgid program: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    // What it made is the group's, and no one else's.
    let made = walk(&branch);
    assert!(
        made.iter().any(|p| p.ends_with("book.db.docs")),
        "the document store was made: {made:?}"
    );
    for p in &made {
        let m = std::fs::metadata(p).expect("metadata");
        let want = if m.is_dir() { 0o2770 } else { 0o660 };
        assert_eq!(
            (m.gid(), m.mode() & 0o7777),
            (group, want),
            "{} is group {} mode {:o}",
            p.display(),
            m.gid(),
            m.mode() & 0o7777
        );
    }
    // The doctor, through the setgid program, finds all well.
    let out = as_staff(
        &program,
        &home,
        0o022,
        &["--db", db_arg, "doctor", "--min-free-mib", "1"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("All is well."), "{}", stdout(&out));

    // A copy of the book goes only where the book's group keeps it closed: not into the
    // user's home, where it could be read without postloan; into a 2770 group directory, yes.
    let leak = home.join("copy.db");
    let out = as_staff(
        &program,
        &home,
        0o022,
        &["--db", db_arg, "backup", leak.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("closed to others"),
        "{}",
        stderr(&out)
    );
    assert!(!leak.exists());
    let vault = root.path().join("backup");
    std::fs::create_dir(&vault).expect("mkdir backup");
    std::os::unix::fs::chown(&vault, Some(0), Some(group)).expect("chown the backup dir");
    set_mode(&vault, 0o2770);
    let copy = vault.join("copy.db");
    let out = as_staff(
        &program,
        &home,
        0o022,
        &["--db", db_arg, "backup", copy.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let m = std::fs::metadata(&copy).expect("the copy");
    assert_eq!((m.gid(), m.mode() & 0o7777), (group, 0o660));
    // Nor is a book the user made and could edit restored over the shared one.
    let mine = home.join("mine").join("book.db");
    let mine_arg = mine.to_str().expect("utf-8");
    let out = as_staff(&original, &home, 0o022, &["--db", mine_arg, "init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = as_staff(
        &program,
        &home,
        0o022,
        &["--db", db_arg, "restore", "--force", mine_arg],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("closed to others"),
        "{}",
        stderr(&out)
    );

    // Files the user names are read and written with the user's own rights, not the group's:
    // a report over the book, the book put into the archive, the book read as a config.
    let branch_arg = branch.to_str().expect("utf-8");
    for args in [
        &[
            "--db", db_arg, "report", "summary", "--month", "2026-11", "--output", db_arg,
        ][..],
        &[
            "--db", db_arg, "archive", "add", "L1", db_arg, "--kind", "other",
        ],
        &["--db", db_arg, "archive", "export", "L1", branch_arg],
        &["--db", db_arg, "--config", db_arg, "loans"],
    ] {
        let out = as_staff(&program, &home, 0o022, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let said = stderr(&out);
        assert!(
            said.contains("permission denied") && said.contains("does not lend"),
            "{args:?}: {said}"
        );
    }
    // A symlink the user names as --output, to the book: refused, the book untouched.
    let before = std::fs::read(&db).expect("the book");
    let link = home.join("report.md");
    std::os::unix::fs::symlink(&db, &link).expect("symlink");
    let link_arg = link.to_str().expect("utf-8");
    let out = as_staff(
        &program,
        &home,
        0o022,
        &[
            "--db", db_arg, "report", "summary", "--month", "2026-11", "--output", link_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("permission denied"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&db).expect("the book"),
        before,
        "the book is untouched"
    );
    // The open itself decides, not a look beforehand (nothing looks at the log's path first):
    // paths from the environment too: a log (XDG_STATE_HOME) that is a symlink to the book,
    // or the book's directory itself as XDG_STATE_HOME, get only the user's rights: the
    // group's directory gets nothing new, the book not a byte (the log is simply not kept).
    let state = home.join("state");
    std::fs::create_dir_all(state.join("postloan")).expect("mkdir state");
    std::os::unix::fs::symlink(&db, state.join("postloan").join("postloan.log")).expect("ln");
    for p in [state.clone(), state.join("postloan")] {
        std::os::unix::fs::chown(&p, Some(STAFF_UID), Some(STAFF_GID)).expect("chown");
    }
    let listing = walk(&branch);
    let demo = home.join("demo.db");
    for state_home in [&state, &branch] {
        let _ = std::fs::remove_file(&demo);
        let out = as_staff_env(
            &program,
            &home,
            0o022,
            &[
                "--db",
                demo.to_str().expect("utf-8"),
                "demo",
                "--no-tui",
                "--loans",
                "20",
            ],
            &[("XDG_STATE_HOME", state_home)],
        );
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert_eq!(
            walk(&branch),
            listing,
            "nothing made in the book's directory"
        );
        assert_eq!(
            std::fs::read(&db).expect("the book"),
            before,
            "no log line in it"
        );
    }
    // A config the user cannot read, named by XDG_CONFIG_HOME, is not read with the group.
    let cfg_dir = branch.join("postloan");
    std::fs::create_dir(&cfg_dir).expect("mkdir");
    std::fs::write(cfg_dir.join("config.toml"), "lang = \"zh-CN\"\n").expect("config");
    for p in [&cfg_dir, &cfg_dir.join("config.toml")] {
        std::os::unix::fs::chown(p, Some(0), Some(group)).expect("chown");
    }
    let out = as_staff_env(
        &program,
        &home,
        0o022,
        &["--db", db_arg, "loans"],
        &[("XDG_CONFIG_HOME", &branch)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("config.toml")
            && stderr(&out).contains("ermission denied")
            && stderr(&out).contains("XDG_CONFIG_HOME"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&cfg_dir).expect("rm config");

    let out = as_staff(&program, &home, 0o022, &["--db", db_arg, "verify"]);
    assert!(out.status.success(), "the book is whole: {}", stdout(&out));

    // The same user with the program that is not setgid cannot reach the book, and is told
    // why: permission denied on the book's directory; no "init" over a book that is there.
    for args in [
        &["--db", db_arg, "loans"][..],
        &[
            "--db", db_arg, "staff", "add", "li.lei", "--role", "manager",
        ],
        &["--db", db_arg, "init"],
    ] {
        let out = as_staff(&original, &home, 0o022, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let said = stderr(&out);
        assert!(
            said.contains("permission denied") && said.contains(branch.to_str().expect("utf-8")),
            "{args:?}: {said}"
        );
        assert!(!said.contains("postloan init"), "{args:?}: {said}");
    }
    let out = as_staff(
        &original,
        &home,
        0o022,
        &["--db", db_arg, "doctor", "--min-free-mib", "1"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = stdout(&out);
    assert!(said.contains("is not setgid"), "{said}");
    assert!(said.contains("permission denied"), "{said}");
    assert!(!said.contains("no book at"), "{said}");

    // Who acted is the real user, whatever USER and LOGNAME said; li.lei was never added.
    let store = Store::open_for_reading(&db).expect("open the book");
    let trail = store.audit_tail(50).expect("audit");
    assert!(trail.len() >= 4, "{trail:?}");
    for e in &trail {
        assert_ne!(e.actor, "boss", "{e:?}");
    }
    assert!(
        trail
            .iter()
            .any(|e| e.actor == staff_name && e.action.starts_with("staff")),
        "{trail:?}"
    );
    assert!(store.staff("li.lei").expect("staff").is_none());
    let role = |name: &str| store.staff(name).expect("staff").map(|s| s.role);
    assert_eq!(role(&staff_name), Some(Role::Manager));
    assert_eq!(role("wang.fang"), Some(Role::Specialist));
}

/// The staff user's view of a book it may not reach: every command that looks for the book
/// says "permission denied" and names where, never "no book" and never `postloan init`, and
/// the book is left as it was.
#[test]
fn a_book_the_user_cannot_reach_is_permission_denied_not_no_book() {
    if let Some(why) = cannot_run_here() {
        eprintln!("permission test skipped: {why}");
        return;
    }
    let root = tempfile::Builder::new()
        .prefix("setgid-denied-")
        .tempdir()
        .expect("tempdir");
    if !others_can_reach(&root.path().join("x")) {
        eprintln!(
            "permission test skipped: {} is closed to other users",
            root.path().display()
        );
        return;
    }
    set_mode(root.path(), 0o755);
    let home = root.path().join("home");
    std::fs::create_dir(&home).expect("mkdir home");
    std::os::unix::fs::chown(&home, Some(STAFF_UID), Some(STAFF_GID)).expect("chown home");
    let program = PathBuf::from(env!("CARGO_BIN_EXE_postloan"));
    // A book in a directory the user cannot enter (root's, 0700), and a book file the user
    // cannot read (mode 000) in a directory open to all.
    let closed = root.path().join("closed");
    let open = root.path().join("open");
    let mut books = Vec::new();
    for dir in [&closed, &open] {
        let db = dir.join("book.db");
        let out = Command::new(&program)
            .env("HOME", &home)
            .args(["--db", db.to_str().expect("utf-8"), "init"])
            .output()
            .expect("init as root");
        assert!(out.status.success(), "{}", stderr(&out));
        books.push(db);
    }
    set_mode(&closed, 0o700);
    set_mode(&open, 0o777);
    set_mode(&books[1], 0o000);
    let backup = home.join("copy.db");
    let backup_arg = backup.to_str().expect("utf-8");
    let extract = root.path().join("loans.csv");
    std::fs::write(&extract, LOANS_HEADER).expect("write the extract");
    set_mode(&extract, 0o644);
    let extract_arg = extract.to_str().expect("utf-8");
    let mut before: Vec<Vec<u8>> = books
        .iter()
        .map(|b| std::fs::read(b).expect("read"))
        .collect();
    for (db, place) in [(&books[0], &closed), (&books[1], &books[1])] {
        let db_arg = db.to_str().expect("utf-8");
        let place = place.to_str().expect("utf-8");
        for args in [
            &["loans"][..],
            &["init"],
            &["staff", "add", "li.lei", "--role", "manager"],
            &["import", "loans", extract_arg],
            &["demo", "--no-tui", "--loans", "5"],
            &["demo", "--no-tui", "--loans", "5", "--fresh"],
            &["backup", backup_arg],
            &["verify"],
        ] {
            let mut full = vec!["--db", db_arg];
            full.extend_from_slice(args);
            let out = as_staff(&program, &home, 0o022, &full);
            let said = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{full:?}: {said}");
            assert!(
                said.contains("permission denied") && said.contains(place),
                "{full:?}: {said}"
            );
            assert!(
                !said.contains("postloan init") && !said.contains("no book at"),
                "{full:?}: {said}"
            );
        }
        // In Chinese too.
        let mut out = as_staff(
            &program,
            &home,
            0o022,
            &["--db", db_arg, "--lang", "zh-CN", "loans"],
        );
        let said = stderr(&out);
        assert!(said.contains("权限不足") && said.contains(place), "{said}");
        // The doctor says so too, naming the place and whom to ask.
        out = as_staff(
            &program,
            &home,
            0o022,
            &["--db", db_arg, "doctor", "--min-free-mib", "1"],
        );
        assert_eq!(out.status.code(), Some(1));
        let said = stdout(&out);
        assert!(
            said.contains("permission denied") && said.contains(place),
            "{said}"
        );
        assert!(said.contains("ask root"), "{said}");
        assert!(!said.contains("no book at"), "{said}");
    }
    // A real backup restored over the unreachable book is refused for the book, which stays.
    set_mode(&books[1], 0o644);
    let out = Command::new(&program)
        .env("HOME", &home)
        .args([
            "--db",
            books[1].to_str().expect("utf-8"),
            "backup",
            backup_arg,
        ])
        .output()
        .expect("backup as root");
    assert!(out.status.success(), "{}", stderr(&out));
    // The backup is recorded in the book it copied (its SHA-256, for restore to check).
    before[1] = std::fs::read(&books[1]).expect("read");
    std::os::unix::fs::chown(&backup, Some(STAFF_UID), Some(STAFF_GID)).expect("chown");
    set_mode(&books[1], 0o000);
    let out = as_staff(
        &program,
        &home,
        0o022,
        &[
            "--db",
            books[0].to_str().expect("utf-8"),
            "restore",
            "--force",
            backup_arg,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("permission denied"),
        "{}",
        stderr(&out)
    );
    set_mode(&closed, 0o755);
    set_mode(&books[1], 0o644);
    for (b, was) in books.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(b).expect("read"),
            was,
            "{} changed",
            b.display()
        );
    }
    let beside: Vec<String> = std::fs::read_dir(&closed)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        beside.iter().all(|n| !n.contains("restor")),
        "nothing was restored beside the book: {beside:?}"
    );
}

/// Issue #13, point 1, blockers 1 and 2: through the setgid program a user who is not staff
/// of the branch book can neither restore it into a directory of their own (to read it
/// there), nor restore it as a new book in the branch directory, nor back it up, nor replace
/// it with a book of their own (`init`, `backup`, `restore --force`). The book is left byte
/// for byte.
#[test]
fn a_user_who_is_not_staff_can_neither_copy_out_nor_replace_the_book() {
    let root = match cannot_run_here().map_or_else(setup_root, Err) {
        Ok(root) => root,
        Err(why) => {
            eprintln!("setgid restore test skipped: {why}");
            return;
        }
    };
    let group = unused_gid();
    let original = PathBuf::from(env!("CARGO_BIN_EXE_postloan"));
    let program = install_setgid(root.path(), &original, group);
    // The branch's directory and its backup directory: root:G 2770.
    let branch = root.path().join("branch-0571");
    let backups = root.path().join("backup");
    for d in [&branch, &backups] {
        group_dir(d, group);
    }
    // The real book, managed by li.ming (the staff user is not staff of it).
    let db = branch.join("book.db");
    {
        let mut store = Store::open(&db).expect("open the book");
        postloan::workflow::book::init(&mut store, "li.ming").expect("init");
        store.checkpoint().expect("checkpoint");
    }
    for p in walk(&branch).iter().skip(1) {
        std::os::unix::fs::chown(p, Some(0), Some(group)).expect("chown");
        set_mode(p, if p.is_dir() { 0o2770 } else { 0o660 });
    }
    let home = root.path().join("home");
    std::fs::create_dir(&home).expect("mkdir home");
    std::os::unix::fs::chown(&home, Some(STAFF_UID), Some(STAFF_GID)).expect("chown home");
    set_mode(&home, 0o700);
    let before = std::fs::read(&db).expect("the book");
    let db_arg = db.to_str().expect("utf-8");
    let arg = |p: &Path| p.to_str().expect("utf-8").to_string();

    let refused = |args: &[String], says: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = as_staff(&program, &home, 0o022, &args);
        let said = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}{said}",
            stdout(&out)
        );
        assert!(said.contains(says), "{args:?}: {said}");
    };
    // 1. Into a directory of their own, to read with sqlite3 there.
    let mine = home.join("mine.db");
    refused(
        &["--db".into(), arg(&mine), "restore".into(), db_arg.into()],
        "restores a book only into a directory of that group closed to others",
    );
    assert!(!mine.exists());
    // … nor as a new book in the branch's directory (not in the group: no new book there).
    let new = branch.join("mine.db");
    refused(
        &["--db".into(), arg(&new), "restore".into(), db_arg.into()],
        "no new book at",
    );
    assert!(!new.exists());
    // Nor a book of their own beside the real one, by init or demo (issue #13: the group is
    // lent to reach the book, not to make books in its directory).
    let beside = branch.join("other.db");
    refused(
        &["--db".into(), arg(&beside), "init".into()],
        "no new book at",
    );
    refused(
        &[
            "--db".into(),
            arg(&beside),
            "demo".into(),
            "--no-tui".into(),
            "--loans".into(),
            "20".into(),
        ],
        "no new book at",
    );
    assert!(!beside.exists());
    // … nor by a backup.
    refused(
        &[
            "--db".into(),
            db_arg.into(),
            "backup".into(),
            arg(&backups.join("copy.db")),
        ],
        "may not back up the book",
    );
    assert!(!backups.join("copy.db").exists());
    // 2. A book of their own (in their home), backed up (they manage it), restored over the
    // real one.
    let own = home.join("own.db");
    let own_backup = backups.join("own.db");
    let out = as_staff(&program, &home, 0o022, &["--db", &arg(&own), "init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A book of the user's own is made with the user's group, not the lent one …
    assert_eq!(std::fs::metadata(&own).expect("own book").gid(), STAFF_GID);
    // … and its backup gets only the user's rights: not into the group's directory.
    refused(
        &["--db".into(), arg(&own), "backup".into(), arg(&own_backup)],
        "ermission denied",
    );
    assert!(!own_backup.exists());
    // Root could put it there (a backup the user manages, in the group's directory).
    let out = Command::new(&original)
        .args(["--db", &arg(&own), "backup", &arg(&own_backup)])
        .output()
        .expect("backup as root");
    assert!(out.status.success(), "{}", stderr(&out));
    refused(
        &[
            "--db".into(),
            db_arg.into(),
            "restore".into(),
            arg(&own_backup),
            "--force".into(),
        ],
        "may not restore over the book",
    );
    assert_eq!(std::fs::read(&db).expect("the book"), before);
    let store = Store::open_for_reading(&db).expect("the book opens");
    assert_eq!(
        store.staff("li.ming").expect("staff").map(|s| s.role),
        Some(Role::Manager)
    );
    let names: Vec<PathBuf> = walk(&branch);
    assert!(
        !names.iter().any(|p| {
            let n = p.to_string_lossy();
            n.contains("before-restore") || n.contains("restoring")
        }),
        "{names:?}"
    );
}

/// `install -o root -g GROUP -m 2755 ORIGINAL ROOT/bin/postloan`: the README's setgid copy.
fn install_setgid(root: &Path, original: &Path, group: u32) -> PathBuf {
    let bin = root.join("bin");
    std::fs::create_dir(&bin).expect("mkdir bin");
    set_mode(&bin, 0o755);
    let program = bin.join("postloan");
    std::fs::copy(original, &program).expect("copy the binary");
    std::os::unix::fs::chown(&program, Some(0), Some(group)).expect("chown the program");
    set_mode(&program, 0o2755);
    program
}

/// `install -d -o root -g GROUP -m 2770 DIR`: a directory of the book's group.
fn group_dir(dir: &Path, group: u32) {
    std::fs::create_dir(dir).expect("mkdir");
    std::os::unix::fs::chown(dir, Some(0), Some(group)).expect("chown");
    set_mode(dir, 0o2770);
}

/// `program` run as root with `umask` (what an administrator's shell gives: 022), `HOME` in
/// the test's own directory.
fn as_root(program: &Path, home: &Path, umask: libc::mode_t, args: &[&str]) -> Output {
    let mut c = Command::new(program);
    c.env_clear()
        .env("HOME", home)
        .env("LANG", "en_US.UTF-8")
        .env("PATH", "/usr/bin:/bin")
        .current_dir(home)
        .args(args);
    // SAFETY: umask is async-signal-safe and touches no memory.
    unsafe {
        c.pre_exec(move || {
            libc::umask(umask);
            Ok(())
        });
    }
    c.output().expect("run as root")
}

/// Asserts every file and directory under `dir` is the group's and no one else's: 2770
/// directories, 0660 files, group `group`.
fn assert_group_modes(dir: &Path, group: u32) {
    for p in walk(dir) {
        let m = std::fs::metadata(&p).expect("metadata");
        let want = if m.is_dir() { 0o2770 } else { 0o660 };
        assert_eq!(
            (m.gid(), m.mode() & 0o7777),
            (group, want),
            "{} is group {} mode {:o}",
            p.display(),
            m.gid(),
            m.mode() & 0o7777
        );
    }
}

/// Issue #13 point 1, part 2, through the setgid program: a registered document whose path
/// now names the book is read with the user's own rights and leaves nothing in the export;
/// a backup goes only into a group directory the administrator made (not the user's own,
/// even of the group and closed); a restore over the book needs a manager of the book and of
/// the backup, and refuses a backup changed since `backup` wrote it (or one the book never
/// recorded); what a restore or a backup makes is 2770/0660 whatever the umask, so other
/// staff still attach documents; a damaged book is restored by root, and anyone else is told
/// to ask root with the command.
#[test]
fn registered_files_backups_and_restores_keep_the_book_the_group_s() {
    let root = match cannot_run_here().map_or_else(setup_root, Err) {
        Ok(root) => root,
        Err(why) => {
            eprintln!("setgid backup test skipped: {why}");
            return;
        }
    };
    let group = unused_gid();
    let original = PathBuf::from(env!("CARGO_BIN_EXE_postloan"));
    let program = install_setgid(root.path(), &original, group);
    let branch = root.path().join("branch-0571");
    let vault = root.path().join("backup");
    for d in [&branch, &vault] {
        group_dir(d, group);
    }
    let home = root.path().join("home");
    let root_home = root.path().join("root-home");
    std::fs::create_dir(&home).expect("mkdir home");
    std::fs::create_dir(&root_home).expect("mkdir root home");
    std::os::unix::fs::chown(&home, Some(STAFF_UID), Some(STAFF_GID)).expect("chown home");
    set_mode(&home, 0o700);
    let arg = |p: &Path| p.to_str().expect("utf-8").to_string();
    let db = branch.join("book.db");
    let db_arg = arg(&db);
    let contract = root.path().join("contract.txt");
    std::fs::write(&contract, "借款合同 L1\n").expect("write the contract");
    set_mode(&contract, 0o644);
    let extract = root.path().join("loans.csv");
    std::fs::write(
        &extract,
        format!(
            "{LOANS_HEADER}L1,B1,华东机械制造有限公司,working_capital,采购,CNY,1000000,1000000,4.35,2025-01-15,2027-01-15,unsecured,wang.fang,quarterly\n"
        ),
    )
    .expect("write the extract");
    set_mode(&extract, 0o644);
    let staff = |umask: libc::mode_t, args: &[String]| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        as_staff(&program, &home, umask, &args)
    };
    let ok = |out: &Output, what: &str| {
        assert!(
            out.status.success(),
            "{what}: {}{}",
            stdout(out),
            stderr(out)
        );
    };
    let refused = |out: &Output, says: &[&str], what: &str| {
        let said = stderr(out);
        assert_eq!(out.status.code(), Some(1), "{what}: {}{said}", stdout(out));
        for s in says {
            assert!(said.contains(s), "{what}: wanted {s:?} in {said}");
        }
    };
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    // Root makes the book and names the staff user its manager; they add one loan and a
    // contract.
    let staff_name =
        postloan::workflow::user_name(STAFF_UID).unwrap_or_else(|| STAFF_UID.to_string());
    ok(
        &as_root(
            &program,
            &root_home,
            0o022,
            &["--db", &db_arg, "init", "--manager", &staff_name],
        ),
        "root makes the book",
    );
    for args in [
        v(&[
            "--db",
            &db_arg,
            "staff",
            "add",
            "wang.fang",
            "--role",
            "specialist",
        ]),
        v(&["--db", &db_arg, "import", "loans", &arg(&extract)]),
        v(&[
            "--db",
            &db_arg,
            "archive",
            "add",
            "L1",
            &arg(&contract),
            "--kind",
            "contract",
        ]),
    ] {
        ok(&staff(0o022, &args), &format!("{args:?}"));
    }

    // 1. A registered document swapped for a symlink to the book: the export reads it with
    //    the user's own rights (permission denied) and leaves no byte of it behind.
    let reg = home.join("reg.txt");
    std::fs::write(&reg, "hi\n").expect("reg");
    std::os::unix::fs::chown(&reg, Some(STAFF_UID), Some(STAFF_GID)).expect("chown reg");
    ok(
        &staff(
            0o022,
            &v(&[
                "--db",
                &db_arg,
                "archive",
                "add",
                "L1",
                &arg(&reg),
                "--kind",
                "other",
                "--register",
            ]),
        ),
        "register",
    );
    std::fs::remove_file(&reg).expect("rm reg");
    std::os::unix::fs::symlink(&db, &reg).expect("symlink to the book");
    let exp = home.join("exp1");
    let out = staff(
        0o022,
        &v(&["--db", &db_arg, "archive", "export", "L1", &arg(&exp)]),
    );
    refused(&out, &["not exported"], "export through the symlink");
    let book_head = std::fs::read(&db).expect("the book");
    for p in walk(&exp).iter().skip(1) {
        let bytes = std::fs::read(p).expect("exported file");
        assert!(
            !bytes.starts_with(b"SQLite format 3") && !p.to_string_lossy().contains("reg.txt"),
            "{} holds the book's bytes",
            p.display()
        );
        assert_ne!(bytes, book_head);
    }
    // verify reads it with the user's rights too: it is named, not hashed through the group.
    let out = staff(0o022, &v(&["--db", &db_arg, "verify"]));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("reg.txt"), "{}", stdout(&out));
    std::fs::remove_file(&reg).expect("rm the symlink");
    std::fs::write(&reg, "hi\n").expect("reg again");
    std::os::unix::fs::chown(&reg, Some(STAFF_UID), Some(STAFF_GID)).expect("chown reg");

    // 2b. The user's own directory of the group, closed to others (what every run makes of
    //     ~/.local/state/postloan, then `chmod 770`), is no place for a copy or a restore.
    let own = home.join("state");
    std::fs::create_dir(&own).expect("mkdir own");
    std::os::unix::fs::chown(&own, Some(STAFF_UID), Some(group)).expect("chown own");
    set_mode(&own, 0o2770);
    let out = staff(
        0o022,
        &v(&["--db", &db_arg, "backup", &arg(&own.join("copy.db"))]),
    );
    refused(
        &out,
        &["administrator made", "install -d -o root -g"],
        "backup into the user's own group dir",
    );
    assert!(!own.join("copy.db").exists());
    // A backup into the administrator's directory, under a umask that would open it.
    let copy = vault.join("copy.db");
    ok(
        &staff(0o000, &v(&["--db", &db_arg, "backup", &arg(&copy)])),
        "backup",
    );
    assert_group_modes(&vault, group);
    let mine = own.join("mine.db");
    // No book of their own there either (the directory is of the lent group) …
    refused(
        &staff(0o022, &v(&["--db", &arg(&mine), "init"])),
        &["no new book at"],
        "own book in the lent group's dir",
    );
    // … and no restore into it: the tester's attack ends with no copy of the book there.
    let out = staff(
        0o022,
        &v(&["--db", &arg(&mine), "restore", &arg(&copy), "--force"]),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(!mine.exists(), "restored into the user's own group dir");
    let out = staff(
        0o022,
        &v(&[
            "--db",
            &db_arg,
            "--lang",
            "zh-CN",
            "backup",
            &arg(&own.join("copy2.db")),
        ]),
    );
    refused(&out, &["管理员建立的组目录"], "in Chinese");

    // 2a. A backup of a book the user does not manage, restored over theirs: refused.
    let other = branch.join("other.db");
    {
        let mut store = Store::open(&other).expect("open");
        postloan::workflow::book::init(&mut store, "li.ming").expect("init");
    }
    let other_copy = vault.join("other.db");
    ok(
        &as_root(
            &program,
            &root_home,
            0o022,
            &["--db", &arg(&other), "backup", &arg(&other_copy)],
        ),
        "root's backup of the other book",
    );
    let before = std::fs::read(&db).expect("the book");
    let out = staff(
        0o022,
        &v(&["--db", &db_arg, "restore", &arg(&other_copy), "--force"]),
    );
    refused(
        &out,
        &["manager of the book and of the backup"],
        "restore of a backup they do not manage",
    );
    // 2. The tester's attack: the manager edits their backup (they own the file), then
    //    restores it; and the same bytes under another name, which the book never recorded.
    let edited = vault.join("edited.db");
    std::fs::copy(&copy, &edited).expect("copy the backup");
    let docs = |p: &Path| PathBuf::from(format!("{}.docs", p.display()));
    let cp = Command::new("cp")
        .arg("-a")
        .arg(docs(&copy))
        .arg(docs(&edited))
        .status()
        .expect("cp");
    assert!(cp.success());
    for f in [&copy, &edited] {
        let conn = rusqlite::Connection::open(f).expect("open the copy");
        conn.execute_batch(
            "UPDATE loans SET outstanding = '1' WHERE contract_no = 'L1'; PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .expect("edit the balance");
    }
    let out = staff(
        0o022,
        &v(&["--db", &db_arg, "restore", &arg(&copy), "--force"]),
    );
    refused(
        &out,
        &["changed since it was written", "nothing was restored"],
        "an edited backup",
    );
    let out = staff(
        0o022,
        &v(&["--db", &db_arg, "restore", &arg(&edited), "--force"]),
    );
    refused(
        &out,
        &["is not one the book", "recorded"],
        "a backup the book never recorded",
    );
    assert_eq!(std::fs::read(&db).expect("the book"), before);

    // 3. A good backup restored by the manager under umask 022 (and by root below): the book,
    //    its document store at every depth, and the kept book are 2770/0660.
    let good = vault.join("good.db");
    ok(
        &staff(0o022, &v(&["--db", &db_arg, "backup", &arg(&good)])),
        "backup",
    );
    ok(
        &staff(
            0o022,
            &v(&["--db", &db_arg, "restore", &arg(&good), "--force"]),
        ),
        "the manager restores a recorded backup",
    );
    assert_group_modes(&branch, group);
    assert_group_modes(&vault, group);

    // 4. A damaged book: the manager is told root restores it, with the command; root does.
    std::fs::write(&db, "not a database at all\n".repeat(200)).expect("ruin the book");
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db_arg}{s}"));
    }
    let out = staff(
        0o022,
        &v(&["--db", &db_arg, "restore", &arg(&good), "--force"]),
    );
    refused(
        &out,
        &[
            "only the administrator (root)",
            &format!("postloan --db {db_arg} restore {} --force", arg(&good)),
        ],
        "a damaged book, not root",
    );
    let out = staff(0o022, &v(&["--db", &db_arg, "verify"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("administrator (root)"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = as_root(
        &program,
        &root_home,
        0o022,
        &["--db", &db_arg, "restore", &arg(&good), "--force"],
    );
    ok(&out, "root restores over the damaged book");
    assert_group_modes(&branch, group);
    // … and other staff still attach documents to it.
    ok(
        &staff(
            0o022,
            &v(&[
                "--db",
                &db_arg,
                "archive",
                "add",
                "L1",
                &arg(&contract),
                "--kind",
                "other",
            ]),
        ),
        "a document after root's restore",
    );
    let out = staff(0o022, &v(&["--db", &db_arg, "verify"]));
    assert!(out.status.success(), "{}", stdout(&out));
}
