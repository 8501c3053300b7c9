//! The document archive and feedback notes as scripts use them (issue #12 points 2 and 3):
//! `archive` lists every document of the book with the contract's JSON fields and filters;
//! `archive export` writes a loan's file with a MANIFEST whose hashes match the files;
//! `archive add` attaches or registers a contract, and a superseded one is kept; retention
//! dates come from config; a restricted kind's read is audited and another role refused;
//! `feedback` writes a note with its recipient; `verify` catches a changed registered file.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::domain::{Classification, GuaranteeType, LoanRecord, Product, TrackingFrequency};
use postloan::store::Store;
use postloan::workflow;
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

/// The book of [`ht1_book_with_records`] as of [`TODAY`]: every kind of thing verify checks.
fn book(dir: &Path) -> PathBuf {
    ht1_book_with_records(dir, TODAY)
}

fn scalar(book: &Path, query: &str) -> String {
    let conn = rusqlite::Connection::open(book).expect("open");
    conn.query_row(query, [], |r| r.get::<_, String>(0))
        .expect("query")
}

fn count(book: &Path, query: &str) -> i64 {
    let conn = rusqlite::Connection::open(book).expect("open");
    conn.query_row(query, [], |r| r.get::<_, i64>(0))
        .expect("query")
}

/// `archive …` as `user`, in English.
fn archive(book: &Path, user: &str, args: &[&str]) -> (i32, String, String) {
    run(cmd(book, user, "en_US.UTF-8").arg("archive").args(args))
}

fn json_list(book: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = archive(book, "zhang", &all);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v.as_array().expect("array").clone()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_list_has_every_kind_with_exactly_the_contract_s_fields_and_filters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let contract = dir.path().join("借款合同.pdf");
    std::fs::write(&contract, b"%PDF contract v1").expect("contract");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            contract.to_str().expect("path"),
            "--kind",
            "contract",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let rows = json_list(&b, &[]);
    let kinds: Vec<&str> = rows.iter().filter_map(|r| r["kind"].as_str()).collect();
    // Newest first: the contract, the evidence, the warning notice.
    assert_eq!(
        kinds,
        ["contract", "evidence", "warning_notice"],
        "{rows:?}"
    );
    for r in &rows {
        let mut keys: Vec<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "author",
                "borrower_name",
                "bytes",
                "contract_no",
                "created_on",
                "id",
                "kind",
                "retain_until",
                "sha256",
                "superseded_by"
            ]
        );
        assert_eq!(r["contract_no"], "HT-1");
        assert_eq!(r["borrower_name"], "华东精密机械有限公司");
        assert_eq!(r["sha256"].as_str().map(str::len), Some(64));
        assert!(r["superseded_by"].is_null());
    }
    let c = &rows[0];
    assert_eq!(c["author"], "zhang");
    assert_eq!(c["bytes"], 16);
    assert_eq!(c["sha256"], sha256_hex(b"%PDF contract v1"));
    let ev = &rows[1];
    assert_eq!(ev["bytes"], 15, "the photo's size");
    assert_eq!(ev["sha256"], sha256_hex(b"\x89PNG site photo"));
    // Filters: kind, contract, borrower, dates.
    let only = json_list(&b, &["--kind", "warning_notice"]);
    assert_eq!(only.len(), 1);
    assert_eq!(json_list(&b, &["--kind", "合同"]).len(), 1);
    assert_eq!(json_list(&b, &["--contract", "HT-1"]).len(), 3);
    assert_eq!(json_list(&b, &["--borrower", "精密"]).len(), 3);
    assert_eq!(json_list(&b, &["--borrower", "别家"]).len(), 0);
    let made = c["created_on"].as_str().expect("date").to_string();
    assert_eq!(json_list(&b, &["--from", &made, "--to", &made]).len(), 3);
    assert_eq!(json_list(&b, &["--to", "2000-01-01"]).len(), 0);
    // An unknown contract and kind are refused, saying why, non-zero.
    let (code, _, err) = archive(&b, "zhang", &["--contract", "HT-404"]);
    assert_ne!(code, 0);
    assert!(err.contains("HT-404"), "{err}");
    let (code, _, err) = archive(&b, "zhang", &["--kind", "letters"]);
    assert_ne!(code, 0);
    assert!(err.contains("letters") && err.contains("contract"), "{err}");
    // The table and the CSV name the same documents.
    let (code, table, _) = archive(&b, "zhang", &[]);
    assert_eq!(code, 0);
    assert!(
        table.contains("Contract") && table.contains("Warning notice"),
        "{table}"
    );
    let (code, csv, _) = archive(&b, "zhang", &["--format", "csv"]);
    assert_eq!(code, 0);
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.starts_with("id,kind,contract_no,borrower_name,created_on,author,bytes,sha256,retain_until,superseded_by,recipient"), "{csv}");
}

#[test]
fn retention_dates_come_from_the_config_per_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let rows = json_list(&b, &[]);
    let made = NaiveDate::from_str(rows[0]["created_on"].as_str().expect("date")).expect("date");
    let plus = |years: i32| {
        chrono::Datelike::with_year(&made, chrono::Datelike::year(&made) + years)
            .unwrap_or(made)
            .to_string()
    };
    // Shipped: ten years for notices and evidence.
    for r in &rows {
        assert_eq!(r["retain_until"], plus(10), "{r}");
    }
    let cfg = dir.path().join("archive.toml");
    std::fs::write(
        &cfg,
        "[archive.retention]\nwarning_notice = 15\nevidence = 3\n",
    )
    .expect("config");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .arg("--config")
        .arg(&cfg)
        .args(["archive", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    for r in v.as_array().expect("rows") {
        let want = if r["kind"] == "evidence" {
            plus(3)
        } else {
            plus(15)
        };
        assert_eq!(r["retain_until"], want, "{r}");
    }
    // A bad value names the key and the file, in both languages, and exits non-zero.
    std::fs::write(&cfg, "[archive.retention]\ncontract = 0\n").expect("config");
    for lang in ["en_US.UTF-8", "zh_CN.UTF-8"] {
        let (code, _, err) = run(cmd(&b, "zhang", lang)
            .arg("--config")
            .arg(&cfg)
            .arg("archive"));
        assert_ne!(code, 0);
        assert!(
            err.contains("archive.retention.contract = 0") && err.contains("archive.toml"),
            "{err}"
        );
    }
}

#[test]
fn a_superseded_contract_is_kept_beside_the_one_that_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let v1 = dir.path().join("v1.pdf");
    let v2 = dir.path().join("v2.pdf");
    std::fs::write(&v1, b"contract v1").expect("v1");
    std::fs::write(&v2, b"contract v2, amended").expect("v2");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &["add", "HT-1", v1.to_str().expect("p"), "--kind", "contract"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let old = json_list(&b, &["--kind", "contract"])[0]["id"]
        .as_i64()
        .expect("id");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            v2.to_str().expect("p"),
            "--kind",
            "contract",
            "--supersedes",
            &old.to_string(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("Document {old} is superseded")),
        "{out}"
    );
    let rows = json_list(&b, &["--kind", "contract"]);
    assert_eq!(rows.len(), 2, "both kept");
    let new = rows[0]["id"].as_i64().expect("id");
    assert_eq!(rows[0]["superseded_by"], serde_json::Value::Null);
    assert_eq!(rows[1]["superseded_by"], new);
    // Both files are still in the document store, and the old one still shows.
    let (code, shown, _) = archive(&b, "zhang", &["show", &old.to_string()]);
    assert_eq!(code, 0);
    assert!(shown.contains(&sha256_hex(b"contract v1")), "{shown}");
    // Superseding it again is refused, saying by which.
    let (code, _, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            v2.to_str().expect("p"),
            "--kind",
            "other",
            "--supersedes",
            &old.to_string(),
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("already superseded by document {new}")),
        "{err}"
    );
    // Nothing issued by a step is added by hand.
    let (code, _, err) = archive(
        &b,
        "zhang",
        &["add", "HT-1", v2.to_str().expect("p"), "--kind", "feedback"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("archive adds only contract or other"), "{err}");
    // The auditor may not archive: refused with who may.
    let (code, _, err) = archive(
        &b,
        "hu",
        &["add", "HT-1", v2.to_str().expect("p"), "--kind", "other"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("may not"), "{err}");
    assert_eq!(
        count(&b, "SELECT COUNT(*) FROM documents WHERE kind = 'contract'"),
        2
    );
}

#[test]
fn export_writes_every_file_and_a_manifest_whose_hashes_match() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let registered = dir.path().join("scan.pdf");
    std::fs::write(&registered, b"signed scan").expect("scan");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            registered.to_str().expect("p"),
            "--kind",
            "contract",
            "--register",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let out_dir = dir.path().join("export");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &["export", "HT-1", out_dir.to_str().expect("p")],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Wrote 3 files"), "{out}");
    let manifest = std::fs::read_to_string(out_dir.join("MANIFEST")).expect("manifest");
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines.len(), 3, "{manifest}");
    for line in lines {
        let (sha, name) = line.split_once("  ").expect("sha256sum format");
        let bytes = std::fs::read(out_dir.join(name)).expect(name);
        assert_eq!(sha, sha256_hex(&bytes), "{name}");
    }
    assert!(manifest.contains(&sha256_hex(b"signed scan")));
    assert!(manifest.contains(&sha256_hex(b"\x89PNG site photo")));
    let notice = scalar(
        &b,
        "SELECT number FROM documents WHERE kind = 'warning_notice'",
    );
    let body = std::fs::read_to_string(out_dir.join(format!("{notice}.md"))).expect("notice");
    assert_eq!(
        sha256_hex(body.as_bytes()),
        scalar(
            &b,
            "SELECT sha256 FROM documents WHERE kind = 'warning_notice'"
        )
    );
    // The export is audited; a second one into the same (non-empty) directory is refused.
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'archive.export'"
        ),
        1
    );
    let (code, _, err) = archive(
        &b,
        "zhang",
        &["export", "HT-1", out_dir.to_str().expect("p")],
    );
    assert_ne!(code, 0);
    assert!(err.contains("is not empty"), "{err}");
}

#[test]
fn a_restricted_kind_is_read_with_an_audit_entry_and_refused_to_other_roles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let cfg = dir.path().join("read.toml");
    std::fs::write(
        &cfg,
        "[archive.read]\nwarning_notice = [\"supervisor\", \"auditor\"]\n",
    )
    .expect("config");
    let id = scalar(
        &b,
        "SELECT CAST(id AS TEXT) FROM documents WHERE kind = 'warning_notice'",
    );
    let reads = |b: &Path| {
        count(
            b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'document.read'",
        )
    };
    let show = |user: &str, lang: &str| {
        run(cmd(&b, user, lang)
            .arg("--config")
            .arg(&cfg)
            .args(["archive", "show", &id]))
    };
    let (code, out, err) = show("wang", "en_US.UTF-8");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("预警通知书") || out.contains('#'), "{out}");
    assert_eq!(reads(&b), 1, "the supervisor's read is audited");
    let (code, _, err) = show("zhang", "en_US.UTF-8");
    assert_ne!(code, 0);
    assert!(
        err.contains("may be read only by Supervisor") && err.contains("[archive.read]"),
        "{err}"
    );
    let (code, _, err) = show("zhang", "zh_CN.UTF-8");
    assert_ne!(code, 0);
    assert!(err.contains("只有") && err.contains("审计"), "{err}");
    assert_eq!(reads(&b), 1, "a refusal is no read");
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'document.read_denied' AND actor = 'zhang'"
        ),
        2
    );
    // Without the rule everyone reads everything, and nothing is recorded.
    let (code, _, _) = archive(&b, "zhang", &["show", &id]);
    assert_eq!(code, 0);
    assert_eq!(reads(&b), 1);
    // The export of a file holding the restricted kind is refused to the specialist too.
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .arg("--config")
        .arg(&cfg)
        .args(["archive", "export", "HT-1"])
        .arg(dir.path().join("out")));
    assert_ne!(code, 0);
    assert!(err.contains("may be read only by"), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn feedback_from_a_case_and_a_report_is_a_document_with_its_recipient() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let case = scalar(&b, "SELECT number FROM risk_cases LIMIT 1");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").args([
        "feedback",
        "--to",
        "risk",
        "--case",
        &case,
        "--text",
        "请复核该客户授信额度",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("to the Risk management department"), "{out}");
    let rows = json_list(&b, &["--kind", "feedback"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["contract_no"], "HT-1");
    let id = rows[0]["id"].as_i64().expect("id").to_string();
    let (code, table, _) = archive(&b, "zhang", &["--kind", "feedback"]);
    assert_eq!(code, 0);
    assert!(
        table.contains("Feedback(risk)"),
        "the recipient is on the list: {table}"
    );
    let (code, csv, _) = archive(&b, "zhang", &["--kind", "feedback", "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(
        csv.lines().nth(1).is_some_and(|l| l.ends_with(",risk")),
        "{csv}"
    );
    let (code, note, _) = archive(&b, "zhang", &["show", &id]);
    assert_eq!(code, 0);
    for fact in [
        "Risk management department",
        "华东精密机械有限公司",
        "Red",
        "Litigation",
        "HT-1",
        "4,000,000.00",
        "请复核该客户授信额度",
        &case,
    ] {
        assert!(note.contains(fact), "{fact}: {note}");
    }
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'document.issue' AND entity = 'document'"
        ),
        1
    );
    // From the inspection report (by number), in Chinese, to finance.
    let inspection = scalar(&b, "SELECT number FROM inspections LIMIT 1");
    let (code, out, err) = run(cmd(&b, "wang", "zh_CN.UTF-8").args([
        "feedback",
        "--to",
        "finance",
        "--inspection",
        &inspection,
        "--text",
        "请核对还款账户",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("财务会计部门"), "{out}");
    // Refusals say why and exit non-zero: no summary exists yet; an empty request; a
    // specialist on another officer's case.
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8").args([
        "feedback",
        "--to",
        "approval",
        "--summary",
        &id,
        "--text",
        "x",
    ]));
    assert_ne!(code, 0);
    assert!(
        err.contains("is of kind Feedback, not a period summary"),
        "{err}"
    );
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8").args([
        "feedback",
        "--to",
        "approval",
        "--summary",
        "99999",
        "--text",
        "x",
    ]));
    assert_ne!(code, 0);
    assert!(err.contains("only once it is signed"), "{err}");
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .args(["feedback", "--to", "risk", "--case", &case, "--text", "  "]));
    assert_ne!(code, 0);
    assert!(err.contains("says nothing"), "{err}");
    let (code, _, err) = run(cmd(&b, "zhang", "en_US.UTF-8")
        .args(["feedback", "--to", "sales", "--case", &case, "--text", "x"]));
    assert_ne!(code, 0);
    assert!(err.contains("'sales' is not a recipient"), "{err}");
    let (code, _, err) = run(cmd(&b, "hu", "en_US.UTF-8")
        .args(["feedback", "--to", "risk", "--case", &case, "--text", "x"]));
    assert_ne!(code, 0, "an auditor does not issue feedback");
    assert!(err.contains("may not"), "{err}");
    assert_eq!(json_list(&b, &["--kind", "feedback"]).len(), 2);
}

#[test]
fn verify_names_a_registered_file_that_changed_or_went_away() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let scan = dir.path().join("scan.pdf");
    std::fs::write(&scan, b"signed scan").expect("scan");
    let (code, _, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            scan.to_str().expect("p"),
            "--kind",
            "contract",
            "--register",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let number = scalar(&b, "SELECT number FROM documents WHERE kind = 'contract'");
    let (code, out, _) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("verify"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Registered files: 1 checked"), "{out}");
    std::fs::write(&scan, b"signed scan, altered").expect("alter");
    let (code, out, _) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("verify"));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("Document {number}"))
            && out.contains("no longer matches its SHA-256"),
        "{out}"
    );
    std::fs::remove_file(&scan).expect("remove");
    let (code, out, _) = run(cmd(&b, "zhang", "zh_CN.UTF-8").arg("verify"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("缺失"), "{out}");
}

#[test]
fn an_export_never_leaves_the_bytes_of_a_registered_file_that_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let scan = dir.path().join("reg.txt");
    std::fs::write(&scan, b"hi").expect("scan");
    let (code, _, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            scan.to_str().expect("p"),
            "--kind",
            "other",
            "--register",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let number = scalar(
        &b,
        "SELECT number FROM documents WHERE storage = 'registered'",
    );
    // The registered path now names something else (the tester's symlink to the book).
    std::fs::remove_file(&scan).expect("rm");
    std::os::unix::fs::symlink(&b, &scan).expect("symlink");
    let out_dir = dir.path().join("exp1");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &["export", "HT-1", out_dir.to_str().expect("p")],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&number) && err.contains("not exported"),
        "{err}"
    );
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("export dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("reg.txt")),
        "nothing of the changed file is left: {names:?}"
    );
    let manifest = std::fs::read_to_string(out_dir.join("MANIFEST")).expect("manifest");
    assert!(!manifest.contains("reg.txt"), "{manifest}");
}

#[test]
fn an_old_book_s_documents_and_evidence_are_carried_into_the_archive() {
    // The book above was built at schema v13; the migration's own copy is checked by rolling
    // a book's documents table back to the v12 shape (and the loans' search of v15 away) and
    // upgrading it again.
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let before = count(&b, "SELECT COUNT(*) FROM documents");
    let conn = rusqlite::Connection::open(&b).expect("open");
    conn.execute_batch(
        "DELETE FROM documents WHERE kind = 'evidence';
         CREATE TABLE d12 (id INTEGER PRIMARY KEY, loan_id INTEGER NOT NULL REFERENCES loans(id),
           kind TEXT NOT NULL, number TEXT NOT NULL UNIQUE, title TEXT NOT NULL, lang TEXT NOT NULL,
           body TEXT NOT NULL, sha256 TEXT NOT NULL, ref_table TEXT, ref_id INTEGER,
           created_at TEXT NOT NULL, created_by TEXT NOT NULL);
         INSERT INTO d12 SELECT id, loan_id, kind, number, title, lang, body, sha256, ref_table,
           ref_id, created_at, created_by FROM documents;
         DROP TABLE documents;
         ALTER TABLE d12 RENAME TO documents;
         DROP TRIGGER loan_search_insert;
         DROP TRIGGER loan_search_delete;
         DROP TRIGGER loan_search_update;
         DROP VIEW loan_search_source;
         DROP INDEX loans_search_name;
         ALTER TABLE loans DROP COLUMN search_name;
         PRAGMA user_version = 12;",
    )
    .expect("roll back to v12");
    drop(conn);
    let store = Store::open(&b).expect("upgrade");
    drop(store);
    assert_eq!(count(&b, "SELECT COUNT(*) FROM documents"), before);
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM documents WHERE kind = 'evidence' AND storage = 'stored' AND bytes = 15"
        ),
        1
    );
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM documents WHERE kind = 'warning_notice' AND contract_no = 'HT-1' AND bytes = length(CAST(body AS BLOB))"
        ),
        1
    );
    let (code, out, _) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("verify"));
    assert_eq!(code, 0, "the seals still hold after the copy: {out}");
}

#[test]
fn a_case_s_progress_report_and_disposal_record_are_sealed_documents_in_the_archive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let case = scalar(&b, "SELECT number FROM risk_cases LIMIT 1");
    let warning = scalar(&b, "SELECT number FROM warnings LIMIT 1");
    // The warning notice issued on the case's warning is among the case's documents.
    let (code, shown, err) =
        run(cmd(&b, "zhang", "en_US.UTF-8").args(["case", "show", &case, "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&shown).expect("json");
    let notice = scalar(
        &b,
        "SELECT number FROM documents WHERE kind = 'warning_notice'",
    );
    assert!(
        v["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .any(|d| d.to_string().contains(&notice)),
        "{shown}"
    );
    let (code, out, err) = run(cmd(&b, "zhang", "zh_CN.UTF-8").args([
        "case",
        "progress",
        &case,
        "--state",
        "诉讼仍在进行",
        "--effect",
        "已与借款人约谈",
        "--problems",
        "回款慢",
        "--next",
        "月底复查",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(cmd(&b, "wang", "en_US.UTF-8").args([
        "warning",
        "dismiss",
        &warning,
        "--reason",
        "诉讼已撤回",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").args([
        "case",
        "close",
        &case,
        "--reason",
        "诉讼撤回，风险已化解",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("disposal record CZJL2026-000001"), "{out}");
    for (kind, facts) in [
        (
            "progress_report",
            vec!["处置进展报告", "诉讼仍在进行", "月底复查", &case[..]],
        ),
        (
            "disposal_record",
            vec![&case[..], "诉讼撤回，风险已化解", "回款慢", &notice[..]],
        ),
    ] {
        let rows = json_list(&b, &["--kind", kind]);
        assert_eq!(rows.len(), 1, "{kind}: {rows:?}");
        let r = &rows[0];
        assert_eq!(r["contract_no"], "HT-1");
        assert_eq!(r["author"], "zhang");
        assert!(
            r["retain_until"].as_str().is_some(),
            "{kind}: a retention period"
        );
        let body = scalar(
            &b,
            &format!("SELECT body FROM documents WHERE kind = '{kind}'"),
        );
        assert_eq!(r["sha256"], sha256_hex(body.as_bytes()), "{kind}");
        for fact in facts {
            assert!(body.contains(fact), "{kind}: {fact} in {body}");
        }
    }
    // Both are sealed: issued with an audit row that seals them, and verify passes.
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'document.issue' AND entity = 'case'"
        ),
        2
    );
    let (code, out, _) = run(cmd(&b, "zhang", "en_US.UTF-8").arg("verify"));
    assert_eq!(code, 0, "{out}");
    // The closed case lists them beside the notice.
    let (code, md, _) =
        run(cmd(&b, "zhang", "en_US.UTF-8").args(["case", "show", &case, "--format", "md"]));
    assert_eq!(code, 0);
    assert!(
        md.contains("JZBG2026-000001") && md.contains("CZJL2026-000001"),
        "{md}"
    );
}

/// `audit --contract` follows the loan to the entries keyed by its documents (issue #12 QA):
/// a file added to the loan, a feedback note filed with it, and a document of its borrower
/// that names no loan are on its trail; another borrower's loan sees none of them. Each of
/// the two document branches of the filter is needed for this to pass.
#[test]
fn the_loan_s_trail_holds_the_entries_keyed_by_its_documents_and_no_other_loan_s() {
    use postloan::domain::archive::{DocumentKind, Storage};
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(dir.path());
    let mut store = Store::open(&b).expect("open");
    let me = workflow::os_user();
    let borrower_id = store
        .loan_by_contract("HT-1")
        .expect("read")
        .expect("HT-1")
        .borrower_id;
    // Another borrower's loan, and a document of HT-1's borrower that names no loan.
    store
        .write(|tx| -> postloan::store::Result<()> {
            tx.upsert_loan(
                &LoanRecord {
                    contract_no: "HT-2".into(),
                    borrower_code: "B2".into(),
                    borrower_name: "西南化工有限公司".into(),
                    product: Product::WorkingCapital,
                    purpose: "采购".into(),
                    currency: "CNY".into(),
                    principal: Decimal::from(1_000_000),
                    outstanding: Decimal::from(1_000_000),
                    interest_rate: Decimal::from_str("4.35").expect("rate"),
                    disbursed_on: date("2026-01-30"),
                    matures_on: date("2027-01-30"),
                    guarantee_type: GuaranteeType::Mortgage,
                    officer: "zhang".into(),
                    tracking_frequency: TrackingFrequency::Quarterly,
                    classification: Some(Classification::Pass),
                    restructured_on: None,
                    credit_impaired: None,
                },
                &me,
            )?;
            tx.insert_archive_document(
                &postloan::store::NewDocument {
                    loan_id: None,
                    borrower_id: Some(borrower_id),
                    kind: DocumentKind::ProgressReport,
                    number: "JZ-BORROWER-1",
                    title: "借款人层面的进展报告",
                    lang: "zh-CN",
                    body: "进展",
                    storage: Storage::Text,
                    file: None,
                    file_path: None,
                    file_name: None,
                    media_type: "text/markdown",
                    recipient: None,
                    reference: None,
                },
                "zhang",
            )?;
            tx.audit(
                "zhang",
                "document.archive",
                "document",
                "JZ-BORROWER-1",
                &serde_json::json!({"after": {"kind": "progress_report"}}),
            )
        })
        .expect("written");
    drop(store);
    let file = dir.path().join("contract.pdf");
    std::fs::write(&file, b"contract").expect("file");
    let (code, out, err) = archive(
        &b,
        "zhang",
        &[
            "add",
            "HT-1",
            file.to_str().expect("p"),
            "--kind",
            "contract",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let case = scalar(&b, "SELECT number FROM risk_cases LIMIT 1");
    let (code, out, err) = run(cmd(&b, "zhang", "en_US.UTF-8").args([
        "feedback",
        "--to",
        "risk",
        "--case",
        &case,
        "--text",
        "请复核",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let contract = scalar(&b, "SELECT number FROM documents WHERE kind = 'contract'");
    let feedback = scalar(&b, "SELECT number FROM documents WHERE kind = 'feedback'");
    let keys = |contract_no: &str| -> Vec<(String, String)> {
        let (code, out, err) = run(cmd(&b, "li", "en_US.UTF-8").args([
            "audit",
            "--contract",
            contract_no,
            "--kind",
            "document",
            "--format",
            "json",
        ]));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        v.as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["entity"] == "document")
            .map(|e| {
                (
                    e["action"].as_str().unwrap_or_default().to_string(),
                    e["entity_key"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let trail = keys("HT-1");
    for (action, key) in [
        ("document.archive", contract.as_str()),
        ("document.issue", feedback.as_str()),
        ("document.archive", "JZ-BORROWER-1"),
    ] {
        assert!(
            trail.iter().any(|(a, k)| a == action && k == key),
            "{action} {key} on HT-1's trail: {trail:?}"
        );
    }
    assert_eq!(keys("HT-2"), Vec::new(), "another borrower's loan");
}
