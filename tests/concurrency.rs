//! Issue #13 point 2, working at once: eight processes of the real binary (the hidden
//! `stress-worker`) work the same 50 loans of one book — contacts, cause analyses and moves of
//! warnings, report edits, classification proposals and approvals, each edit with the version
//! its "screen" showed. Every refused stale save is counted; the book ends exactly as the sum of
//! the accepted operations says (no lost update); no "database is locked" reaches anyone;
//! `verify` passes. Then an open workbench shows another process's change with no key pressed.
//!
//! `cargo test --test concurrency` runs 8 x 100 operations; `POSTLOAN_STRESS=1` runs 8 x 1,250
//! (10,000) and prints the figures.

mod support;

use postloan::cli::stress::{PlanLoan, Tally};
use postloan::demo::DemoParams;
use postloan::domain::inspection::{InspectionKind, InspectionMode};
use postloan::domain::warning::{Level, ManualSignal, RiskType};
use postloan::i18n::Lang;
use postloan::store::Store;
use postloan::workflow::inspection::{self, StartInspection};
use postloan::workflow::warning::{self, ManualWarning};
use postloan::workflow::{demo, identify};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::tui::as_of;

const BIN: &str = env!("CARGO_BIN_EXE_postloan");
const WORKERS: [&str; 8] = [
    "wang.fang",
    "li.na",
    "wang.fang",
    "li.na",
    "wang.fang",
    "li.na",
    "wu.hao",
    "xu.li",
];

/// Operations per worker: 100 in `cargo test`, 1,250 (10,000 in all) with `POSTLOAN_STRESS=1`.
fn ops_per_worker() -> u64 {
    if std::env::var("POSTLOAN_STRESS").is_ok_and(|v| !v.is_empty() && v != "0") {
        1250
    } else {
        100
    }
}

/// A demo book of 200 loans; on 50 of those that wang.fang or li.na look after, a manual
/// warning (raised by the manager) and a triggered inspection in draft written by the loan's
/// officer, so that the officer rule lets each specialist move the warnings of their own loans
/// and the reviewers move any. The plan.
fn book(dir: &Path) -> (Store, Vec<PlanLoan>) {
    let params = DemoParams {
        loans: 200,
        seed: 7,
        as_of: as_of(),
    };
    let (mut store, _) =
        demo::open_or_build(&dir.join("demo.db"), &params, true, "tester").expect("demo book");
    let contracts: Vec<(String, String)> = {
        let conn = rusqlite::Connection::open(dir.join("demo.db")).expect("open");
        let mut stmt = conn
            .prepare(
                "SELECT contract_no, officer FROM loans
                 WHERE officer IN ('wang.fang', 'li.na') ORDER BY id",
            )
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("contracts")
    };
    let manager = identify(&store, "tester", Some("zhao.lei")).expect("manager");
    let mut plan = Vec::new();
    for (contract, author) in &contracts {
        if plan.len() == 50 {
            break;
        }
        let mw = ManualWarning {
            contract_no: contract,
            signal: ManualSignal::Other,
            level: Level::Yellow,
            risk_type: RiskType::Credit,
            reason: "并发测试",
        };
        let Ok((id, number)) = warning::raise_manual(&mut store, &manager, &mw, as_of(), Lang::En)
        else {
            continue;
        };
        let author = author.as_str();
        let actor = identify(&store, "tester", Some(author)).expect("author");
        let warnings = [number];
        let s = StartInspection {
            contract_no: contract,
            kind: InspectionKind::Triggered,
            mode: InspectionMode::Offsite,
            warnings: &warnings,
            focus: "并发",
            inspected_on: None,
            inspectors: author,
        };
        let Ok(number) = inspection::start(&mut store, &actor, &s, as_of()) else {
            continue;
        };
        plan.push(PlanLoan {
            contract_no: contract.clone(),
            warning: id,
            inspection: number,
            author: author.to_string(),
        });
    }
    assert_eq!(plan.len(), 50, "50 loans to work on");
    (store, plan)
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[test]
fn eight_processes_on_fifty_loans_lose_no_update_and_show_no_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    let (store, plan) = book(dir.path());
    let plan_file = dir.path().join("plan.json");
    std::fs::write(&plan_file, serde_json::to_string(&plan).expect("json")).expect("plan");
    let warning_before: BTreeMap<i64, i64> = plan
        .iter()
        .map(|p| {
            let w = store.warning(p.warning).expect("read").expect("warning");
            (p.warning, w.version)
        })
        .collect();
    let inspection_before: BTreeMap<String, i64> = plan
        .iter()
        .map(|p| {
            let i = store
                .inspection_by_number(&p.inspection)
                .expect("read")
                .expect("inspection");
            (p.inspection.clone(), i.row.version)
        })
        .collect();
    let history_before = count(&db, "SELECT COUNT(*) FROM classification_history");
    let proposals_before = count(
        &db,
        "SELECT COALESCE(MAX(id), 0) FROM classification_proposals",
    );
    drop(store);

    let ops = ops_per_worker();
    let children: Vec<_> = WORKERS
        .iter()
        .enumerate()
        .map(|(k, user)| {
            Command::new(BIN)
                .env_clear()
                .envs(support::isolated_env(dir.path()))
                .arg("--db")
                .arg(&db)
                .args(["--as", user, "stress-worker", "--plan"])
                .arg(&plan_file)
                .args(["--ops", &ops.to_string()])
                .args(["--seed", &(k as u64 + 1).to_string()])
                .args(["--worker", &k.to_string()])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn a worker")
        })
        .collect();
    let mut tallies = Vec::new();
    for child in children {
        let out = child.wait_with_output().expect("worker output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "worker failed: {stderr}");
        assert!(
            !stderr.contains("locked") && !stderr.contains("busy"),
            "a worker said: {stderr}"
        );
        let tally: Tally = serde_json::from_slice(&out.stdout).expect("a tally");
        assert!(tally.errors.is_empty(), "{:?}", tally.errors);
        tallies.push(tally);
    }
    let sum = |f: fn(&Tally) -> u64| tallies.iter().map(f).sum::<u64>();
    let total = sum(|t| t.ops);
    let accepted =
        sum(|t| t.contacts + t.analyses + t.moves + t.writes + t.proposals + t.approvals);
    let stale = sum(|t| t.stale);
    let decided = sum(|t| t.decided_elsewhere);
    let locked = sum(|t| t.locked_errors);
    assert_eq!(total, ops * WORKERS.len() as u64);
    assert_eq!(locked, 0, "no operation failed with the book locked");

    // Contacts: one row each.
    let contacts = count(
        &db,
        "SELECT COUNT(*) FROM contacts WHERE notes LIKE 'stress w%'",
    );
    assert_eq!(contacts as u64, sum(|t| t.contacts));
    // Warnings and reports: each accepted edit added exactly one version.
    let mut warning_edits: BTreeMap<i64, u64> = BTreeMap::new();
    let mut inspection_edits: BTreeMap<String, u64> = BTreeMap::new();
    for t in &tallies {
        for (k, n) in &t.warning_edits {
            *warning_edits.entry(*k).or_default() += n;
        }
        for (k, n) in &t.inspection_edits {
            *inspection_edits.entry(k.clone()).or_default() += n;
        }
    }
    let store = Store::open_existing(&db).expect("reopen");
    let mut lost = 0;
    for (id, before) in &warning_before {
        let now = store.warning(*id).expect("read").expect("warning").version;
        let edits = warning_edits.get(id).copied().unwrap_or(0) as i64;
        lost += (before + edits - now).abs();
    }
    for (number, before) in &inspection_before {
        let now = store
            .inspection_by_number(number)
            .expect("read")
            .expect("inspection")
            .row
            .version;
        let edits = inspection_edits.get(number).copied().unwrap_or(0) as i64;
        lost += (before + edits - now).abs();
    }
    assert_eq!(lost, 0, "every accepted edit is in the book, once");
    // Proposals: each accepted one is a row; each approval one decision and one history entry.
    let proposed: BTreeSet<i64> = tallies.iter().flat_map(|t| t.proposed.clone()).collect();
    assert_eq!(proposed.len() as u64, sum(|t| t.proposals));
    let made = count(
        &db,
        &format!("SELECT COUNT(*) FROM classification_proposals WHERE id > {proposals_before}"),
    );
    assert_eq!(made as u64, sum(|t| t.proposals));
    let approved: BTreeSet<i64> = tallies.iter().flat_map(|t| t.approved.clone()).collect();
    assert_eq!(
        approved.len() as u64,
        sum(|t| t.approvals),
        "no proposal approved twice"
    );
    let history = count(&db, "SELECT COUNT(*) FROM classification_history");
    assert_eq!((history - history_before) as u64, sum(|t| t.approvals));
    drop(store);

    let verify = Command::new(BIN)
        .env_clear()
        .envs(support::isolated_env(dir.path()))
        .arg("--db")
        .arg(&db)
        .arg("verify")
        .output()
        .expect("verify");
    assert!(verify.status.success(), "{verify:?}");
    eprintln!(
        "concurrency: {total} operations by {} processes on 50 loans: {accepted} accepted \
         (contacts {}, causes {}, moves {}, report edits {}, proposals {}, approvals {}), \
         {stale} stale saves refused, {decided} approvals of a proposal decided elsewhere, \
         {} refused by a rule, {} busy retries, {lost} lost updates, {locked} locked errors shown",
        WORKERS.len(),
        sum(|t| t.contacts),
        sum(|t| t.analyses),
        sum(|t| t.moves),
        sum(|t| t.writes),
        sum(|t| t.proposals),
        sum(|t| t.approvals),
        sum(|t| t.refused),
        sum(|t| t.busy_retries),
    );
    assert!(stale > 0, "conflicts happened and were caught");
    assert_eq!(
        sum(|t| t.denied),
        0,
        "each worker acts within its role and the officer rule"
    );
}

/// Runs the binary on `db` in the isolated environment of `home`; it must succeed.
fn run(home: &Path, db: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .env_clear()
        .envs(support::isolated_env(home))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The ledger row of `contract` on the screen.
fn row_of<'a>(screen: &'a str, contract: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(contract))
}

#[test]
fn an_open_workbench_shows_another_process_change_with_no_key_and_is_silent_when_idle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let args = support::demo_args("300");
    let db = support::build_demo(BIN, home, &args);
    let mut tui = support::Tui::spawn(home, &support::demo_command(BIN, &db, &args), 120, 40);
    tui.wait_text("1 Today");
    tui.send("2");
    tui.wait_for("the ledger's first loan, Pass", |s| {
        row_of(s, "PL00000001").is_some_and(|r| r.contains(" Pass "))
    });

    // Another process (two, as maker and checker) moves the first loan to special mention.
    run(
        home,
        &db,
        &[
            "--as",
            "wang.fang",
            "classification",
            "propose",
            "PL00000001",
            "--to",
            "special_mention",
            "--reason",
            "并发测试",
        ],
    );
    let id = count(&db, "SELECT MAX(id) FROM classification_proposals").to_string();
    run(
        home,
        &db,
        &["--as", "wu.hao", "classification", "approve", &id],
    );
    let changed = Instant::now();
    tui.wait_for("the new class, with no key pressed", |s| {
        row_of(s, "PL00000001").is_some_and(|r| !r.contains(" Pass "))
    });
    let seen_after = changed.elapsed();

    // Nothing changes now: over three polls (one a second) the workbench writes nothing.
    let quiet = Instant::now();
    let mut bytes = 0;
    while quiet.elapsed() < Duration::from_secs(3) {
        while let Some(c) = tui.session.try_read() {
            bytes += c.len_utf8();
        }
        // A pause between reads of the pty, not a wait for a condition.
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(bytes, 0, "an idle workbench writes nothing");
    eprintln!(
        "live view: another process's change shown after {seen_after:?} with no key; \
         {bytes} bytes written in 3 s idle"
    );
    tui.quit();
}
