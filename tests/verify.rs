//! Tamper evidence, backup and the audit listing as scripts use them (issue #12 points 4
//! and 5): `verify` names each thing changed behind the program's back — an audit entry
//! edited or deleted, entries cut off the end, a sealed business row, a document, an
//! evidence file — and exits 1; `backup` copies a book being written; `restore` keeps the
//! book it replaces; `audit` lists the trail for auditors and managers.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::domain::warning::{Level, RiskType};
use postloan::domain::{ContactKind, ContactRecord, Role, StaffRecord};
use postloan::i18n::Lang;
use postloan::store::Store;
use postloan::workflow::{self, Actor};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use support::book::ht1_book_with_records;

const TODAY: &str = "2026-03-02";

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

/// The binary on `book` as `user` in `lang`, at home in the book's directory.
fn cmd(book: &Path, user: &str, lang: &str) -> Command {
    support::cli::cmd(
        book.parent().expect("the book's directory"),
        book,
        user,
        lang,
    )
}

/// Runs: (exit code, stdout, stderr).
fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn verify(book: &Path, args: &[&str]) -> (i32, String, String) {
    run(cmd(book, "zhang", "en_US.UTF-8").arg("verify").args(args))
}

fn actor(store: &Store, user: &str) -> Actor {
    workflow::identify(store, user, Some(user)).expect("staff")
}

/// The book of [`ht1_book_with_records`] as of [`TODAY`]: every kind of thing verify checks.
fn book(dir: &Path) -> PathBuf {
    ht1_book_with_records(dir, TODAY)
}

fn sql(book: &Path, statement: &str) {
    let conn = rusqlite::Connection::open(book).expect("open for tampering");
    conn.execute_batch(statement).expect("tamper");
}

fn scalar(book: &Path, query: &str) -> String {
    let conn = rusqlite::Connection::open(book).expect("open");
    conn.query_row(query, [], |r| r.get::<_, String>(0))
        .expect("query")
}

#[test]
fn an_untouched_book_verifies_in_both_languages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let (code, out, err) = verify(&b, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Audit chain intact"), "{out}");
    assert!(out.contains("Documents: 1 checked"), "{out}");
    assert!(out.contains("Evidence files: 1 checked"), "{out}");
    assert!(out.contains("SQLite integrity check: ok."), "{out}");
    let (code, out, _) = run(cmd(&b, "zhang", "zh_CN.UTF-8").arg("verify"));
    assert_eq!(code, 0);
    assert!(out.contains("校验通过"), "{out}");
}

#[test]
fn an_edited_audit_entry_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    sql(&b, "UPDATE audit_log SET actor = 'mallory' WHERE id = 3");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("audit entry 3: its content was changed"),
        "{out}"
    );
    assert!(!out.contains("audit entry 4"), "only the edited one: {out}");
    let (code, out, _) = run(cmd(&b, "zhang", "zh_CN.UTF-8").arg("verify"));
    assert_eq!(code, 1);
    assert!(out.contains("审计记录 3：内容被修改"), "{out}");
    assert!(out.contains("校验未通过"), "{out}");
}

#[test]
fn an_entry_rewritten_with_its_hash_recomputed_breaks_the_next_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    // A careful forger fixes the edited entry's own hash; the entry after it still names
    // the old one.
    let conn = rusqlite::Connection::open(&b).expect("open");
    let (prev, at, actor, action, entity, key, detail): (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ) = conn
        .query_row(
            "SELECT prev_hash, at, actor, action, entity, entity_key, detail FROM audit_log WHERE id = 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .expect("entry 3");
    let _ = actor;
    let forged = chain_hash(&prev, [&at, "mallory", &action, &entity, &key, &detail]);
    conn.execute(
        "UPDATE audit_log SET actor = 'mallory', hash = ?1 WHERE id = 3",
        [&forged],
    )
    .expect("forge");
    drop(conn);
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("audit entry 3:"), "{out}");
    assert!(
        out.contains("audit entry 4: does not follow entry 3"),
        "{out}"
    );
}

/// The chain's hash as `store::audit` computes it (kept here so the test forges on its own).
fn chain_hash(prev: &str, fields: [&str; 6]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for f in fields {
        h.update([0x1f]);
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_deleted_audit_entry_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    sql(&b, "DELETE FROM audit_log WHERE id = 4");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("audit entry 4 is missing (deleted)"), "{out}");
    assert!(
        out.contains("audit entry 5: does not follow entry 3"),
        "{out}"
    );
}

#[test]
fn entries_cut_off_the_end_are_caught_by_the_head_and_by_a_head_kept_elsewhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let (code, head, _) = verify(&b, &["--head"]);
    assert_eq!(code, 0);
    let mut parts = head.split_whitespace();
    let hash = parts.next().expect("hash").to_string();
    let entries: i64 = parts.next().expect("count").parse().expect("a count");
    assert_eq!(hash.len(), 64, "{head}");
    assert_eq!(
        entries.to_string(),
        scalar(&b, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log")
    );
    // The book goes on: the kept head is still in the chain.
    let (code, _, err) =
        run(cmd(&b, "li", "en_US.UTF-8").args(["staff", "add", "zhao", "--role", "specialist"]));
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = verify(&b, &["--expect-head", &hash]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "the expected head {hash} is entry {entries}; 1 entry follows it"
        )),
        "{out}"
    );
    // The last two entries cut off: the stored head no longer matches.
    sql(
        &b,
        "DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 2 FROM audit_log)",
    );
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does not match the chain"), "{out}");
    // The attacker rewrites the head too: only the head kept elsewhere shows the cut.
    sql(
        &b,
        "UPDATE audit_head SET hash = (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
           entries = (SELECT COUNT(*) FROM audit_log), last_id = (SELECT MAX(id) FROM audit_log)",
    );
    // Without a kept head the chain looks whole; the cut shows only where a cut entry had
    // changed a sealed row (here the inspection the last entries wrote to).
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Audit chain intact"), "{out}");
    assert!(!out.contains("does not match the chain"), "{out}");
    assert!(
        out.contains("inspection XJ2026-000001 (id 1): changed since audit entry"),
        "{out}"
    );
    let (code, out, _) = verify(&b, &["--expect-head", &hash]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("the expected head {hash} is not in the chain")),
        "{out}"
    );
}

#[test]
fn an_edited_business_row_is_named_by_its_seal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    sql(&b, "UPDATE contacts SET notes = '未走访' WHERE id = 1");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("contact HT-1 (id 1): changed since audit entry"),
        "{out}"
    );
    assert!(
        out.contains("Audit chain intact"),
        "the chain itself is whole: {out}"
    );
    sql(&b, "DELETE FROM contacts WHERE id = 1");
    let (_, out, _) = verify(&b, &[]);
    assert!(
        out.contains("contact 1: deleted since audit entry"),
        "{out}"
    );
}

#[test]
fn a_document_changed_with_or_without_its_hash_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let number = scalar(&b, "SELECT number FROM documents WHERE id = 1");
    sql(&b, "UPDATE documents SET body = body || ' ' WHERE id = 1");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "document {number} (id 1): its text no longer gives its SHA-256"
        )),
        "{out}"
    );
    // The forger recomputes the stored hash: the seal in the audit chain still differs.
    let body = scalar(&b, "SELECT body FROM documents WHERE id = 1");
    let sha: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    sql(
        &b,
        &format!("UPDATE documents SET sha256 = '{sha}' WHERE id = 1"),
    );
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("its text no longer"), "{out}");
    assert!(
        out.contains(&format!(
            "document {number} (id 1): changed since audit entry"
        )),
        "{out}"
    );
}

#[test]
fn a_modified_or_missing_evidence_file_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let sha = scalar(&b, "SELECT sha256 FROM evidence_files");
    let file = postloan::workflow::evidence::stored_path(
        &postloan::workflow::evidence::docs_dir(&b),
        &sha,
    );
    assert!(file.is_file(), "{file:?}");
    let mut perms = std::fs::metadata(&file).expect("meta").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&file, perms).expect("writable");
    std::fs::write(&file, b"\x89PNG another photo").expect("modify");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    // Named by what keeps the file (the inspection and its evidence row), not the hash path
    // alone.
    let inspection = scalar(&b, "SELECT number FROM inspections WHERE id = 1");
    let evidence = scalar(&b, "SELECT CAST(id AS TEXT) FROM inspection_evidence");
    assert!(
        out.contains(&format!(
            "evidence of inspection {inspection} (id {evidence}): its file in the document store ({}) no longer gives its SHA-256",
            file.display()
        )),
        "{out}"
    );
    std::fs::remove_file(&file).expect("remove");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "evidence of inspection {inspection} (id {evidence}): its file is missing from the document store"
        )),
        "{out}"
    );
}

#[test]
fn a_backup_taken_while_another_connection_writes_opens_and_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let writer_book = b.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_w = stop.clone();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let mut store = Store::open(&writer_book).expect("writer opens");
        let zhang = actor(&store, "zhang");
        let mut n = 0u64;
        while !stop_w.load(std::sync::atomic::Ordering::Relaxed) || n < 20 {
            let contact = ContactRecord {
                contract_no: "HT-1".into(),
                contact_on: date(TODAY),
                kind: ContactKind::Call,
                notes: format!("电话回访 {n}"),
            };
            workflow::tracking::record_contact(&mut store, &zhang, &contact, date(TODAY))
                .expect("write");
            n += 1;
            if n == 10 {
                let _ = started_tx.send(());
            }
        }
        n
    });
    started_rx.recv().expect("the writer is writing");
    let copy = dir.path().join("copy.db");
    let mut store = Store::open_for_reading(&b).expect("open");
    let done = workflow::backup::backup(&mut store, &copy).expect("backup");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().expect("writer");
    assert!(written >= 20);
    assert_eq!(done.files, 1, "the evidence file copied beside it");
    let copied = Store::open_for_reading(&copy).expect("the copy opens");
    let report = workflow::verify::verify(&copied, Some(&done.head)).expect("verify");
    assert_eq!(
        report.problems(),
        0,
        "{:?}",
        workflow::verify::lines(&report, &copy, Lang::En)
    );
    assert_eq!(report.chain.entries, done.entries);
    let contacts: i64 = {
        let conn = rusqlite::Connection::open(&copy).expect("open");
        conn.query_row("SELECT COUNT(*) FROM contacts", [], |r| r.get(0))
            .expect("count")
    };
    // Each contact is one transaction with its audit entry: the copy has whole ones only.
    let audited: i64 = {
        let conn = rusqlite::Connection::open(&copy).expect("open");
        conn.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'contact.record'",
            [],
            |r| r.get(0),
        )
        .expect("count")
    };
    assert_eq!(contacts, audited);
    assert!(contacts >= 11, "{contacts}");
    // The CLI verifies the copy too, and never overwrites it.
    let (code, out, _) = run(cmd(&copy, "zhang", "en_US.UTF-8").arg("verify"));
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("backup").arg(&copy));
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn restore_refuses_a_live_book_without_force_and_keeps_it_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let copy = dir.path().join("nightly.db");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("backup").arg(&copy));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Backed up to"), "{out}");
    // Work after the backup, then a restore.
    let (code, _, _) =
        run(cmd(&b, "li", "en_US.UTF-8").args(["staff", "add", "zhao", "--role", "specialist"]));
    assert_eq!(code, 0);
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("restore").arg(&copy));
    assert_eq!(code, 1);
    assert!(err.contains("add --force"), "{err}");
    let (code, _, err) = run(cmd(&b, "zhang", "zh_CN.UTF-8").arg("restore").arg(&copy));
    assert_eq!(code, 1);
    assert!(err.contains("--force"), "{err}");
    assert!(err.contains("已存在"), "{err}");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .arg("restore")
        .arg(&copy)
        .arg("--force"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Restored"), "{out}");
    let kept: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with("book.db.before-restore-")
                    && !n.ends_with(".docs")
                    && !n.ends_with("-wal")
                    && !n.ends_with("-shm")
            })
        })
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    // The kept book has the staff added after the backup; the restored one does not.
    let old = Store::open_for_reading(&kept[0]).expect("the kept book opens");
    assert!(old.staff("zhao").expect("staff").is_some());
    assert!(postloan::workflow::evidence::docs_dir(&kept[0]).is_dir());
    let now = Store::open_for_reading(&b).expect("the restored book opens");
    assert!(now.staff("zhao").expect("staff").is_none());
    // The restore is the restored book's newest entry: who, from which file, the old book kept.
    let last = now.audit_tail(1).expect("the trail");
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].action, "book.restore");
    assert_eq!(last[0].actor, workflow::os_user());
    assert!(last[0].detail.contains("nightly.db"), "{}", last[0].detail);
    assert!(
        last[0].detail.contains("before-restore-"),
        "{}",
        last[0].detail
    );
    drop((old, now));
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn restore_refuses_a_backup_that_changed_since_backup_wrote_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let copy = dir.path().join("nightly.db");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("backup").arg(&copy));
    assert_eq!(code, 0, "{out}{err}");
    // The live book records the copy's SHA-256 (after the copy, so the copy is unchanged).
    let sha = file_sha(&copy);
    let recorded = scalar(
        &b,
        "SELECT detail FROM audit_log WHERE action = 'book.backup' ORDER BY id DESC LIMIT 1",
    );
    assert!(recorded.contains(&sha), "{recorded}");
    // The nightly check of the copy reads it without changing a byte of it.
    let (code, out, _) = verify(&copy, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(file_sha(&copy), sha);
    // The tester's attack: a balance edited in the copy. Loans are not sealed (imports seal
    // nothing), so verify cannot see it; the hash the book recorded does.
    sql(
        &copy,
        "UPDATE loans SET outstanding = '1' WHERE contract_no = 'HT-1'",
    );
    let (code, out, _) = verify(&copy, &[]);
    assert_eq!(code, 0, "verify cannot see a balance edit: {out}");
    let before = std::fs::read(&b).expect("the book");
    for (lang, says) in [
        ("en_US.UTF-8", "changed since it was written"),
        ("zh_CN.UTF-8", "在写出后被改动过"),
    ] {
        let (code, out, err) = run(cmd(&b, "zhang", lang)
            .arg("restore")
            .arg(&copy)
            .arg("--force"));
        assert_eq!(code, 1, "{out}{err}");
        assert!(err.contains(says) && err.contains(&sha[..16]), "{err}");
    }
    assert_eq!(std::fs::read(&b).expect("the book"), before);
    assert_eq!(
        scalar(
            &b,
            "SELECT outstanding FROM loans WHERE contract_no = 'HT-1'"
        ),
        "4000000"
    );
}

#[test]
fn a_damaged_book_is_restored_over_as_verify_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let copy = dir.path().join("good.db");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("backup").arg(&copy));
    assert_eq!(code, 0, "{out}{err}");
    std::fs::write(&b, "not a database\n".repeat(300)).expect("ruin the book");
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", b.display()));
    }
    let (code, out, err) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}{err}");
    let said = format!("{out}{err}");
    assert!(
        said.contains("the administrator (root) restores the last backup")
            && said.contains(&format!(
                "postloan --db {} restore BACKUP --force",
                b.display()
            )),
        "{said}"
    );
    // The owner of a private book (or root) does what verify says.
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .arg("restore")
        .arg(&copy)
        .arg("--force"));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 0, "{out}");
    // A book emptied to nothing is no book: the restore makes it again from the backup.
    std::fs::write(&b, b"").expect("empty the book");
    for s in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", b.display()));
    }
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .arg("restore")
        .arg(&copy)
        .arg("--force"));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn restore_refuses_a_backup_that_does_not_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let copy = dir.path().join("copy.db");
    let (code, _, _) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("backup").arg(&copy));
    assert_eq!(code, 0);
    sql(&copy, "UPDATE audit_log SET detail = '{}' WHERE id = 2");
    let before = scalar(&b, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log");
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .arg("restore")
        .arg(&copy)
        .arg("--force"));
    assert_eq!(code, 1);
    assert!(
        err.contains("audit entry 2: its content was changed"),
        "{err}"
    );
    assert!(err.contains("nothing was restored"), "{err}");
    assert_eq!(
        scalar(&b, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_log"),
        before
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("restoring"))
        .collect();
    assert!(left.is_empty(), "the staged copy is removed");
}

#[test]
fn the_audit_trail_lists_newest_first_with_filters_for_auditors_and_managers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let (code, out, err) = run(cmd(&b, "hu", "en_US.UTF-8").args(["audit", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let all: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().expect("id")).collect();
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
    let fields: Vec<&str> = all[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for f in [
        "id",
        "at",
        "actor",
        "action",
        "entity",
        "entity_key",
        "detail",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // By user and kind: zhang's warning entries only.
    let (_, out, _) = run(cmd(&b, "li", "en_US.UTF-8").args([
        "audit", "--user", "zhang", "--kind", "warnings", "--format", "json",
    ]));
    let mine: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|e| {
        e["actor"] == "zhang"
            && e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("warnings."))
    }));
    // By contract: the loan's own entries, its borrower's (its warnings grouped into a case),
    // its warning's and its inspection's.
    let (_, out, _) =
        run(cmd(&b, "li", "en_US.UTF-8").args(["audit", "--contract", "HT-1", "--format", "json"]));
    let loan: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    let entities: std::collections::BTreeSet<&str> =
        loan.iter().filter_map(|e| e["entity"].as_str()).collect();
    assert_eq!(
        entities.into_iter().collect::<Vec<_>>(),
        ["borrower", "inspection", "loan", "warning"]
    );
    // Dates: nothing before the book existed; a limit.
    let (_, out, _) =
        run(cmd(&b, "li", "en_US.UTF-8").args(["audit", "--to", "2000-01-01", "--format", "json"]));
    assert_eq!(out.trim(), "[]");
    let (_, out, _) =
        run(cmd(&b, "li", "en_US.UTF-8").args(["audit", "--limit", "2", "--format", "csv"]));
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.starts_with("id,at,actor,action,entity,entity_key,detail"),
        "{out}"
    );
    // A specialist is refused, saying why and who may.
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("audit"));
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("read the audit trail"), "{err}");
    let said = err.to_lowercase();
    assert!(
        said.contains("manager") && said.contains("auditor"),
        "{err}"
    );
    let (code, _, err) = run(cmd(&b, "wang", "zh_CN.UTF-8").arg("audit"));
    assert_eq!(code, 1);
    assert!(err.contains("查阅审计记录"), "{err}");
}

#[test]
fn an_edit_says_before_and_after_in_its_audit_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let mut store = Store::open(&b).expect("open");
    let zhang = actor(&store, "zhang");
    let id: i64 = scalar(&b, "SELECT CAST(id AS TEXT) FROM warnings")
        .parse()
        .expect("id");
    workflow::warning::move_warning(
        &mut store,
        &zhang,
        id,
        None,
        postloan::domain::warning::WarningMove::Acknowledge,
        "",
        date(TODAY),
    )
    .expect("acknowledge");
    workflow::warning::analyse(
        &mut store,
        &zhang,
        id,
        None,
        "主要客户流失",
        RiskType::Operational,
        Level::Orange,
        date(TODAY),
    )
    .expect("cause");
    let rec = StaffRecord {
        username: "zhang".into(),
        display_name: "张伟".into(),
        role: Role::Supervisor,
    };
    let z = Decimal::new;
    let mut statement = postloan::domain::StatementRecord {
        borrower_code: "B1".into(),
        period_end: date("2025-12-31"),
        total_assets: z(10000, 0),
        total_liabilities: z(5000, 0),
        current_assets: z(4000, 0),
        current_liabilities: z(2000, 0),
        inventory: z(1000, 0),
        revenue: z(1000, 0),
        ebit: z(500, 0),
        interest_expense: z(100, 0),
        net_profit: z(300, 0),
        operating_cash_flow: z(200, 0),
    };
    let rules = postloan::engine::rules::RuleSet::defaults();
    workflow::tracking::enter_statement(&mut store, &zhang, &statement, &rules, date(TODAY))
        .expect("statement");
    statement.revenue = z(1200, 0);
    workflow::tracking::enter_statement(&mut store, &zhang, &statement, &rules, date(TODAY))
        .expect("correction");
    let correction = store.audit_tail(1).expect("tail");
    let c: serde_json::Value = serde_json::from_str(&correction[0].detail).expect("json");
    assert_eq!(correction[0].action, "statement.enter");
    assert_eq!(c["before"]["revenue"], "1000");
    assert_eq!(c["after"]["revenue"], "1200");
    let li = actor(&store, "li");
    workflow::book::add_staff(&mut store, &li, &rec).expect("role change");
    let tail = store.audit_tail(6).expect("tail");
    let detail =
        |i: usize| -> serde_json::Value { serde_json::from_str(&tail[i].detail).expect("json") };
    let at = |action: &str| {
        tail.iter()
            .position(|e| e.action == action)
            .unwrap_or_else(|| panic!("{action} in {tail:?}"))
    };
    let (ack, cause) = (at("warnings.acknowledged"), at("warnings.cause"));
    assert_eq!(detail(ack)["before"]["status"], "open");
    assert_eq!(detail(ack)["after"]["status"], "acknowledged");
    assert_eq!(detail(cause)["before"]["cause"], "");
    assert_eq!(detail(cause)["after"]["cause"], "主要客户流失");
    assert_eq!(detail(cause)["after"]["judged_level"], "orange");
    assert_eq!(tail[0].action, "staff.add");
    assert_eq!(detail(0)["before"]["role"], "specialist");
    assert_eq!(detail(0)["after"]["role"], "supervisor");
}

#[test]
fn a_backup_into_a_missing_directory_is_refused_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let target = dir.path().join("no-such-dir").join("copy.db");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("backup").arg(&target));
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("no-such-dir"), "{err}");
    let (code, _, err) = run(cmd(&b, "zhang", "zh_CN.UTF-8").arg("backup").arg(&target));
    assert_eq!(code, 1);
    assert!(err.contains("no-such-dir") && err.contains("错误"), "{err}");
    assert!(!dir.path().join("no-such-dir").exists());
}

#[test]
fn a_loan_class_edited_after_its_approved_decision_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").args([
        "classification",
        "propose",
        "HT-1",
        "--to",
        "special_mention",
        "--reason",
        "主要客户流失",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let id = out
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .expect("the proposal id")
        .to_string();
    let (code, out, err) =
        run(cmd(&b, "wang", "en_US.UTF-8").args(["classification", "approve", &id]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 0, "{out}");
    // Put back to 正常 in the file, behind the decision's back.
    sql(
        &b,
        "UPDATE loans SET classification = 'pass', class_rank = 0 WHERE contract_no = 'HT-1'",
    );
    let (code, out, _) = verify(&b, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("class of loan HT-1 (id 1): changed since audit entry"),
        "{out}"
    );
    let (_, out, _) = run(cmd(&b, "zhang", "zh_CN.UTF-8").arg("verify"));
    assert!(out.contains("贷款分类 HT-1（id 1）：在审计记录"), "{out}");
}

/// The SHA-256 (hex) of the file at `path`.
fn file_sha(path: &Path) -> String {
    postloan::workflow::verify::file_sha256(path)
        .expect("read")
        .0
}
