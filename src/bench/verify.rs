//! `postloan bench --audit-entries N`: the `verify` budget (≤ 10 s at 1,000,000 entries). Builds
//! a book of N chained audit entries beside a small demo book in a scratch directory, times
//! `verify` whole and its two halves (the chain walk with the other checks; SQLite's
//! integrity check), wall and CPU, and deletes the book.

use super::import::cpu_secs;
use crate::store::Store;
use crate::workflow::{demo, verify};
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Entries written per transaction while the book is built.
const BATCH: u64 = 20_000;

/// Appends entries to the demo book at `path` until its chain holds `entries`, each as the
/// workflow writes them (`Tx::audit`: chained, the head kept), with details of the sizes
/// real ones have (an edit's before → after, a record's fields, a batch's counts).
pub fn build(path: &Path, entries: u64) -> anyhow::Result<u64> {
    let mut store = Store::open_existing(path)?;
    let mut have = store.audit_head()?.entries;
    const ACTORS: [&str; 5] = ["wang.fang", "li.na", "wu.hao", "zhao.lei", "zhang.wei"];
    // A contact is recorded for real every fourth entry, so a quarter of the entries carry a
    // seal (of a row of their own) as the workflow's do, and verify recomputes them all.
    let real = store
        .write(|tx| -> crate::store::Result<_> { tx.seed_loans() })?
        .into_iter()
        .next()
        .map(|l| l.contract_no);
    while have < entries {
        let n = BATCH.min(entries - have);
        store.write(|tx| -> crate::store::Result<()> {
            for i in have..have + n {
                let actor = ACTORS[(i % 5) as usize];
                let contract = format!("PL{:08}", 1 + i % 100_000);
                let notes = format!("电话回访：经营正常，按期还款 {i}");
                match i % 4 {
                    0 => {
                        if let Some(c) = &real {
                            tx.insert_contact(
                                &crate::domain::ContactRecord {
                                    contract_no: c.clone(),
                                    contact_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 30)
                                        .unwrap_or_default(),
                                    kind: crate::domain::ContactKind::Call,
                                    notes: notes.clone(),
                                },
                                actor,
                            )?;
                        }
                        tx.audit(
                            actor,
                            "contact.record",
                            "loan",
                            real.as_deref().unwrap_or(&contract),
                            &json!({"kind": "call", "contact_on": "2026-06-30", "notes": notes}),
                        )?
                    }
                    1 => tx.audit(
                        actor,
                        "warnings.cause",
                        "warning",
                        &format!("YJ2026-{:06}", i % 1_000_000),
                        &json!({"before": {"cause": "", "risk_type": "credit", "version": 3},
                                "after": {"cause": "销售放缓，应收账款回收变慢，现金紧张", "risk_type": "market", "version": 4}}),
                    )?,
                    2 => tx.audit(
                        actor,
                        "repayment.enter",
                        "loan",
                        &contract,
                        &json!({"before": {"overdue_days": 0, "overdue_principal": "0.00"},
                                "after": {"overdue_days": 12, "overdue_principal": "125000.00"},
                                "as_of": "2026-06-30"}),
                    )?,
                    _ => tx.audit(
                        actor,
                        "inspections.write",
                        "inspection",
                        &format!("JC2026-{:06}", i % 1_000_000),
                        &json!({"section": "financial", "chars": 1834, "report_version": 2}),
                    )?,
                }
            }
            Ok(())
        })?;
        have += n;
    }
    store.checkpoint()?;
    Ok(have)
}

/// Wall and CPU seconds of `f` (CPU: the whole process, every thread).
fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64, f64)> {
    let cpu = cpu_secs(libc::RUSAGE_SELF);
    let t = Instant::now();
    let v = f()?;
    Ok((
        v,
        t.elapsed().as_secs_f64(),
        cpu_secs(libc::RUSAGE_SELF) - cpu,
    ))
}

/// Builds the book in `dir`, measures, prints a Markdown table, deletes the book.
pub fn run(entries: u64, dir: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let path = dir.join("bench-verify.db");
    let params = crate::demo::DemoParams {
        loans: 200,
        seed: 42,
        as_of: super::as_of(),
    };
    let t = Instant::now();
    drop(demo::open_or_build(&path, &params, true, "bench")?);
    let have = build(&path, entries)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    writeln!(
        out,
        "## verify at {have} audit entries\n\nBook: {:.0} MB, built in {:.1} s. CPU is user + system of \
         every thread; on a loaded machine read CPU, on an idle one wall.\n",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    )?;
    writeln!(out, "| | wall | CPU | target |\n|---|---:|---:|---:|")?;
    let result = (|| -> anyhow::Result<()> {
        let store = Store::open_for_reading(&path)?;
        let (report, wall, cpu) = timed(|| Ok(verify::verify(&store, None)?))?;
        anyhow::ensure!(
            report.problems() == 0,
            "the bench book does not verify: {:?}",
            verify::lines(&report, &path, crate::i18n::Lang::En)
        );
        writeln!(
            out,
            "| `verify` (integrity check ∥ chain walk, seals, documents, evidence) | {wall:.2} s | {cpu:.2} s | ≤ 10 s |"
        )?;
        let (_, wall, cpu) = timed(|| Ok(store.audit_walk(None)?))?;
        writeln!(
            out,
            "| — the chain walk alone | {wall:.2} s | {cpu:.2} s | |"
        )?;
        let (_, wall, cpu) = timed(|| Ok(store.integrity_check()?))?;
        writeln!(
            out,
            "| — SQLite `integrity_check` alone | {wall:.2} s | {cpu:.2} s | |"
        )?;
        let (_, wall, _) = timed(|| Ok(store.audit_head()?))?;
        writeln!(out, "| `verify --head` | {wall:.3} s | | |\n")?;
        Ok(())
    })();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let _ = std::fs::remove_dir_all(crate::workflow::evidence::docs_dir(&path));
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_small_book_is_built_chained_verified_timed_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut out = Vec::new();
        super::run(3_000, dir.path(), &mut out).expect("bench");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("## verify at 3000 audit entries"), "{text}");
        for row in [
            "| `verify` (",
            "| — the chain walk alone |",
            "| — SQLite `integrity_check` alone |",
        ] {
            assert!(text.contains(row), "{row} missing: {text}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert!(left.is_empty(), "the book is deleted: {left:?}");
    }
}
