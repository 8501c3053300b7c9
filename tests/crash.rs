//! Issue #13 point 3, crashes: `import`, `evaluate` and `classify` of the real binary are killed
//! (SIGKILL) at seeded random moments. Each time the book passes SQLite's integrity check, the
//! killed import is all or nothing, running the command again finishes the job — the book's
//! records end as after one uninterrupted run — and `postloan verify` passes.
//!
//! `cargo test --test crash` kills each command 6 times; `POSTLOAN_STRESS=1` 50 times each and
//! prints the figures. A trial's delay is drawn between 0 and the command's uninterrupted run
//! time, so kills land before, inside and after the write transactions.

mod support;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::book::REPAYMENTS_HEADER;

const BIN: &str = env!("CARGO_BIN_EXE_postloan");

fn trials() -> u32 {
    if std::env::var("POSTLOAN_STRESS").is_ok_and(|v| !v.is_empty() && v != "0") {
        50
    } else {
        6
    }
}

fn command(home: &Path, db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .envs(support::isolated_env(home))
        .arg("--db")
        .arg(db)
        .args(["--as", "zhao.lei"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn run_ok(home: &Path, db: &Path, args: &[&str]) {
    let out = command(home, db, args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies the book (a checkpointed file without `-wal`) to `to`.
fn copy_book(from: &Path, to: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", to.display()));
    }
    std::fs::copy(from, to).expect("copy the book");
}

fn checkpoint(db: &Path) {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check")
}

/// The book's records, without ids and times (which a second run gives differently): each
/// table's rows as text, sorted. The audit trail, drafts and the search index are left out.
fn records(db: &Path, only: Option<&[&str]>) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).expect("open");
    let tables: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("tables");
        stmt.query_map([], |r| r.get(0))
            .expect("tables")
            .collect::<Result<_, _>>()
            .expect("tables")
    };
    let mut out = Vec::new();
    for t in tables {
        let skip = t.starts_with("audit")
            || t.starts_with("loan_search")
            || t.starts_with("sqlite")
            || ["meta", "drafts"].contains(&t.as_str());
        if skip || only.is_some_and(|o| !o.contains(&t.as_str())) {
            continue;
        }
        let cols: Vec<String> = {
            let mut stmt = conn
                .prepare(&format!("PRAGMA table_info({t})"))
                .expect("columns");
            stmt.query_map([], |r| r.get::<_, String>(1))
                .expect("columns")
                .collect::<Result<_, _>>()
                .expect("columns")
        };
        let cols: Vec<String> = cols
            .into_iter()
            .filter(|c| c != "id" && c != "at" && !c.ends_with("_at"))
            .map(|c| format!("quote(\"{c}\")"))
            .collect();
        let sql = format!("SELECT {} FROM {t}", cols.join(" || '|' || "));
        let mut stmt = conn.prepare(&sql).expect(&sql);
        let mut rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .expect(&sql)
            .map(|r| format!("{t}: {}", r.expect("row")))
            .collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

/// The first difference of two record lists, for a failure message.
fn first_difference(a: &[String], b: &[String]) -> String {
    let only_a: Vec<_> = a.iter().filter(|r| !b.contains(r)).take(3).collect();
    let only_b: Vec<_> = b.iter().filter(|r| !a.contains(r)).take(3).collect();
    format!(
        "{} vs {} rows; only in the first: {only_a:?}; only in the second: {only_b:?}",
        a.len(),
        b.len()
    )
}

/// A demo book of 400 loans, checkpointed, and a repayments extract that puts every second
/// loan 120 days past due on the book's date.
fn base(home: &Path) -> (PathBuf, PathBuf) {
    let db = support::build_demo(
        BIN,
        home,
        &[
            "--loans",
            "400",
            "--seed",
            "7",
            "--as-of",
            "2026-06-30",
            "--lang",
            "en",
        ],
    );
    checkpoint(&db);
    let conn = rusqlite::Connection::open(&db).expect("open");
    let mut stmt = conn
        .prepare("SELECT contract_no FROM loans ORDER BY id")
        .expect("prepare");
    let contracts: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("contracts");
    let mut csv = String::from(REPAYMENTS_HEADER);
    for c in contracts.iter().step_by(2) {
        csv.push_str(&format!("{c},2026-06-30,120,1000.00,50.00\n"));
    }
    let extract = home.join("repayments.csv");
    std::fs::write(&extract, csv).expect("extract");
    (db, extract)
}

/// What one kind of trial found.
#[derive(Default)]
struct Figures {
    trials: u32,
    killed: u32,
    failures: u32,
}

/// Kills `args` on copies of `start` at seeded moments; checks each book as the module says.
/// `all_or_nothing`: the tables that must be as before or as after (an import), if any.
fn kill_trials(
    name: &str,
    home: &Path,
    start: &Path,
    args: &[&str],
    all_or_nothing: Option<&[&str]>,
    seed: u64,
) -> Figures {
    let db = home.join(format!("{name}.db"));
    // One uninterrupted run: the end state, and how long the command takes.
    copy_book(start, &db);
    let before = all_or_nothing.map(|t| records(&db, Some(t)));
    let t0 = Instant::now();
    run_ok(home, &db, args);
    let full = t0.elapsed();
    let expected = records(&db, None);
    let after = all_or_nothing.map(|t| records(&db, Some(t)));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut f = Figures::default();
    for trial in 0..trials() {
        copy_book(start, &db);
        let delay = Duration::from_micros(rng.random_range(0..=full.as_micros() as u64));
        let mut child = command(home, &db, args).spawn().expect("spawn");
        // The kill's moment is the point of the test: a seeded random delay, not a wait for a
        // condition.
        std::thread::sleep(delay);
        let killed = child.try_wait().expect("try_wait").is_none();
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        f.trials += 1;
        f.killed += u32::from(killed);
        let mut problems = Vec::new();
        let check = integrity(&db);
        if check != "ok" {
            problems.push(format!("integrity: {check}"));
        }
        if let (Some(t), Some(before), Some(after)) = (all_or_nothing, &before, &after) {
            let now = records(&db, Some(t));
            if now != *before && now != *after {
                problems.push(format!("half an import: {}", first_difference(&now, after)));
            }
        }
        run_ok(home, &db, args);
        let end = records(&db, None);
        if end != expected {
            problems.push(format!(
                "the rerun ends elsewhere: {}",
                first_difference(&end, &expected)
            ));
        }
        let verify = command(home, &db, &["verify"]).output().expect("verify");
        if !verify.status.success() {
            problems.push(format!(
                "verify: {}",
                String::from_utf8_lossy(&verify.stderr)
            ));
        }
        if !problems.is_empty() {
            f.failures += 1;
            eprintln!("{name} trial {trial} (killed after {delay:?}): {problems:?}");
        }
    }
    eprintln!(
        "crash {name}: {} trials, {} killed while running, {} failures (uninterrupted run {:?})",
        f.trials, f.killed, f.failures, full
    );
    f
}

#[test]
fn killed_import_evaluate_and_classify_leave_a_sound_book_that_a_rerun_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let (base, extract) = base(home);
    let extract = extract.to_str().expect("utf-8 path").to_string();

    let import = kill_trials(
        "import",
        home,
        &base,
        &["import", "repayments", &extract],
        Some(&["repayment_status", "loans"]),
        1,
    );
    // Classification compares the floors the imported arrears set.
    let imported = home.join("imported.db");
    copy_book(&base, &imported);
    run_ok(home, &imported, &["import", "repayments", &extract]);
    checkpoint(&imported);
    let classify = kill_trials(
        "classify",
        home,
        &imported,
        &["classify", "--as-of", "2026-06-30"],
        None,
        2,
    );
    let evaluate = kill_trials(
        "evaluate",
        home,
        &base,
        &["evaluate", "--as-of", "2026-07-31", "--force"],
        None,
        3,
    );
    for (name, f) in [
        ("import", import),
        ("classify", classify),
        ("evaluate", evaluate),
    ] {
        assert_eq!(
            f.failures, 0,
            "{name}: {} of {} trials failed",
            f.failures, f.trials
        );
    }
}
