//! Every row a command writes is sealed by its audit entry (issue #12 point 4): for each
//! family of business rows, a row the workflow wrote is edited with plain SQL behind the
//! program's back, and `verify` names it in user terms and exits 1 — while the same book,
//! written only by the program (the side effects of superseding, closing, grouping
//! included), verifies with no finding.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::domain::warning::{Level, ManualSignal, RiskType};
use postloan::i18n::Lang;
use postloan::workflow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use support::book::{HT1_STAFF, ht1_book};

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

/// Runs `args` as `user` and insists it succeeds; returns stdout.
fn ok(book: &Path, user: &str, args: &[&str]) -> String {
    let out = cmd(book, user, "en_US.UTF-8")
        .args(args)
        .output()
        .expect("runs");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(0), "{args:?}: {o}{e}");
    o
}

/// `verify` in `lang`: (exit code, stdout).
fn verify_in(book: &Path, lang: &str) -> (i32, String) {
    let out = cmd(book, "hu", lang).arg("verify").output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Asserts the book verifies with no finding at all.
fn clean(book: &Path) {
    let (code, out) = verify_in(book, "en_US.UTF-8");
    assert_eq!(
        code, 0,
        "a book written only by the program verifies: {out}"
    );
    assert!(!out.contains("changed since"), "{out}");
}

/// Edits the book with plain SQL (`sql`, one statement or more), then runs `verify` in English
/// and in Chinese: each exits 1 and says every line of `en` and `zh`. The English report.
fn tampered(book: &Path, sql: &str, en: &[String], zh: &[String]) -> String {
    let conn = rusqlite::Connection::open(book).expect("open for tampering");
    conn.execute_batch(sql).expect("tamper");
    assert!(conn.total_changes() > 0, "the edit changed a row: {sql}");
    drop(conn);
    let (code, out) = verify_in(book, "en_US.UTF-8");
    assert_eq!(code, 1, "{out}");
    for line in en {
        assert!(out.contains(line.as_str()), "{line:?} in {out}");
    }
    let (code, zh_out) = verify_in(book, "zh_CN.UTF-8");
    assert_eq!(code, 1, "{zh_out}");
    for line in zh {
        assert!(zh_out.contains(line.as_str()), "{line:?} in {zh_out}");
    }
    out
}

/// Edits one sealed row with `statement`; `verify` names it as changed since its audit entry,
/// `row` in English and `zh` in Chinese, with the chain itself intact.
fn changed(book: &Path, statement: &str, row: &str, zh: &str) {
    tampered(
        book,
        statement,
        &[
            format!("{row}: changed since audit entry"),
            "Audit chain intact".to_string(),
        ],
        &[format!("{zh}：在审计记录")],
    );
}

fn scalar(book: &Path, query: &str) -> String {
    let conn = rusqlite::Connection::open(book).expect("open");
    conn.query_row(query, [], |r| r.get::<_, String>(0))
        .expect("query")
}

/// A small demo-flagged book: staff, one loan HT-1 (officer zhang), a red manual warning with
/// its notice (a document) that opens the borrower's risk case, an inspection under way.
/// Returns the book, the warning's, the case's and the inspection's numbers.
fn book(dir: &Path) -> (PathBuf, String, String, String) {
    let (path, mut store) = ht1_book(dir, TODAY, &HT1_STAFF);
    let zhang = workflow::identify(&store, "zhang", Some("zhang")).expect("staff");
    let mw = workflow::warning::ManualWarning {
        contract_no: "HT-1",
        signal: ManualSignal::Litigation,
        level: Level::Red,
        risk_type: RiskType::Credit,
        reason: "法院传票",
    };
    workflow::warning::raise_manual(&mut store, &zhang, &mw, date(TODAY), Lang::ZhCn)
        .expect("warning and notice");
    drop(store);
    let warning = scalar(&path, "SELECT number FROM warnings");
    let case = scalar(&path, "SELECT number FROM risk_cases");
    let inspection = ok(
        &path,
        "zhang",
        &[
            "inspection",
            "start",
            "HT-1",
            "--kind",
            "routine",
            "--mode",
            "onsite",
        ],
    );
    let inspection = inspection
        .split_whitespace()
        .find(|w| w.starts_with("XJ"))
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-'))
        .expect("the inspection's number")
        .to_string();
    clean(&path);
    (path, warning, case, inspection)
}

#[test]
fn a_documents_recipient_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, ..) = book(dir.path());
    let number = scalar(&b, "SELECT number FROM documents WHERE id = 1");
    changed(
        &b,
        "UPDATE documents SET recipient = 'finance' WHERE id = 1",
        &format!("document {number} (id 1)"),
        &format!("文档 {number}（id 1）"),
    );
}

#[test]
fn a_superseded_document_verifies_and_its_superseded_by_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, ..) = book(dir.path());
    let file = dir.path().join("contract.pdf");
    std::fs::write(&file, b"%PDF-1.4 the contract").expect("file");
    let f = file.to_str().expect("path");
    ok(
        &b,
        "zhang",
        &["archive", "add", "HT-1", f, "--kind", "contract"],
    );
    let first = scalar(&b, "SELECT CAST(MAX(id) AS TEXT) FROM documents");
    std::fs::write(&file, b"%PDF-1.4 the contract, amended").expect("file");
    ok(
        &b,
        "zhang",
        &[
            "archive",
            "add",
            "HT-1",
            f,
            "--kind",
            "contract",
            "--supersedes",
            &first,
        ],
    );
    // The side effect (the old document's superseded_by) was sealed by the same entry.
    clean(&b);
    let number = scalar(
        &b,
        &format!("SELECT number FROM documents WHERE id = {first}"),
    );
    changed(
        &b,
        &format!("UPDATE documents SET superseded_by = NULL WHERE id = {first}"),
        &format!("document {number} (id {first})"),
        &format!("文档 {number}（id {first}）"),
    );
}

#[test]
fn a_case_progress_report_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, _, case, _) = book(dir.path());
    ok(
        &b,
        "zhang",
        &[
            "case",
            "progress",
            &case,
            "--state",
            "诉讼未结",
            "--effect",
            "已追加抵押",
            "--problems",
            "无",
            "--next",
            "跟进庭审",
        ],
    );
    clean(&b);
    changed(
        &b,
        "UPDATE case_progress SET effect = '已全部收回'",
        &format!("progress report of case {case} (id 1)"),
        &format!("案件进展报告 {case}（id 1）"),
    );
}

#[test]
fn a_closed_case_set_back_to_open_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, warning, case, _) = book(dir.path());
    ok(
        &b,
        "wang",
        &["warning", "dismiss", &warning, "--reason", "传票已撤回"],
    );
    ok(
        &b,
        "wang",
        &["case", "close", &case, "--reason", "风险消除"],
    );
    assert_eq!(
        scalar(&b, "SELECT status FROM risk_cases"),
        "closed",
        "the case closed"
    );
    // Closing changed the case, its history and its warnings: all sealed, no finding.
    clean(&b);
    changed(
        &b,
        "UPDATE risk_cases SET status = 'open', closed_on = NULL, close_reason = ''",
        &format!("risk case {case} (id 1)"),
        &format!("风险案件 {case}（id 1）"),
    );
}

#[test]
fn a_warnings_level_or_status_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, warning, ..) = book(dir.path());
    changed(
        &b,
        "UPDATE warnings SET level = 'yellow', level_order = 1",
        &format!("warning {warning} (id 1)"),
        &format!("预警 {warning}（id 1）"),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, warning, ..) = book(dir.path());
    changed(
        &b,
        "UPDATE warnings SET status = 'resolved'",
        &format!("warning {warning} (id 1)"),
        &format!("预警 {warning}（id 1）"),
    );
}

#[test]
fn a_disposal_action_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, _, case, _) = book(dir.path());
    ok(
        &b,
        "zhang",
        &[
            "action",
            "add",
            &case,
            "--kind",
            "explanation",
            "--title",
            "要求书面说明",
            "--owner",
            "zhang",
            "--deadline",
            "2026-03-20",
        ],
    );
    clean(&b);
    let id = scalar(&b, "SELECT CAST(MAX(id) AS TEXT) FROM disposal_actions");
    changed(
        &b,
        "UPDATE disposal_actions SET status = 'done', outcome = '已完成'",
        &format!("disposal action of case {case} (id {id})"),
        &format!("处置措施 {case}（id {id}）"),
    );
}

#[test]
fn an_inspection_report_section_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, _, _, inspection) = book(dir.path());
    ok(
        &b,
        "zhang",
        &[
            "inspection",
            "write",
            &inspection,
            "--section",
            "1",
            "--text",
            "厂区生产正常",
        ],
    );
    clean(&b);
    let id = scalar(
        &b,
        "SELECT CAST(rowid AS TEXT) FROM inspection_sections WHERE body = '厂区生产正常'",
    );
    changed(
        &b,
        "UPDATE inspection_sections SET body = '厂区已停产' WHERE body = '厂区生产正常'",
        &format!("report section of inspection {inspection} (id {id})"),
        &format!("检查报告章节 {inspection}（id {id}）"),
    );
}

#[test]
fn a_classification_proposal_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, ..) = book(dir.path());
    ok(
        &b,
        "zhang",
        &[
            "classification",
            "propose",
            "HT-1",
            "--to",
            "special_mention",
            "--reason",
            "主要客户流失",
        ],
    );
    clean(&b);
    let id = scalar(
        &b,
        "SELECT CAST(MAX(id) AS TEXT) FROM classification_proposals",
    );
    changed(
        &b,
        "UPDATE classification_proposals SET to_class = 'pass'",
        &format!("classification proposal for loan HT-1 (id {id})"),
        &format!("分类调整提议 HT-1（id {id}）"),
    );
}

#[test]
fn a_staff_members_role_edited_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, ..) = book(dir.path());
    ok(&b, "li", &["staff", "add", "zhao", "--role", "specialist"]);
    clean(&b);
    let id = scalar(
        &b,
        "SELECT CAST(id AS TEXT) FROM staff WHERE username = 'zhao'",
    );
    changed(
        &b,
        "UPDATE staff SET role = 'manager' WHERE username = 'zhao'",
        &format!("staff member zhao (id {id})"),
        &format!("员工 zhao（id {id}）"),
    );
}

#[test]
fn a_sealed_row_deleted_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, _, case, _) = book(dir.path());
    ok(
        &b,
        "zhang",
        &[
            "case",
            "progress",
            &case,
            "--state",
            "诉讼未结",
            "--effect",
            "无",
            "--problems",
            "无",
            "--next",
            "跟进",
        ],
    );
    // Named by its own id, not worded as the case's (the case is CZ…, its id another).
    let out = tampered(
        &b,
        "DELETE FROM case_progress",
        &["case progress report 1: deleted since audit entry".to_string()],
        &["案件进展报告（id 1）：在审计记录".to_string()],
    );
    assert!(!out.contains("of case 1"), "{out}");
}

/// The number of the audit entry whose seals hold row `id` of kind `row`, and its action
/// (the last one that sealed it).
fn sealed_by(book: &Path, row: &str, id: i64) -> String {
    scalar(
        book,
        &format!(
            "SELECT a.action FROM audit_log a, json_each(a.detail, '$.seals') s
             WHERE json_extract(s.value, '$.row') = '{row}' AND json_extract(s.value, '$.id') = {id}
             ORDER BY a.id DESC LIMIT 1"
        ),
    )
}

#[test]
fn rows_deleted_in_several_tables_are_named_by_their_own_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, ..) = book(dir.path());
    for principal in ["100000", "50000"] {
        ok(
            &b,
            "wang",
            &[
                "loan",
                "recover",
                "HT-1",
                "--on",
                TODAY,
                "--kind",
                "repayment",
                "--principal",
                principal,
            ],
        );
    }
    // Each recovery is sealed by its own command's entry, not by a re-evaluation's.
    assert_eq!(sealed_by(&b, "recovery", 1), "outcome.recovery");
    assert_eq!(sealed_by(&b, "recovery", 2), "outcome.recovery");
    clean(&b);
    let event = scalar(&b, "SELECT CAST(MAX(id) AS TEXT) FROM warning_events");
    let link = scalar(&b, "SELECT CAST(MIN(rowid) AS TEXT) FROM case_warnings");
    let out = tampered(
        &b,
        &format!(
            "DELETE FROM recoveries WHERE id = 2;
             DELETE FROM warning_events WHERE id = {event};
             DELETE FROM case_warnings WHERE rowid = {link};"
        ),
        &[
            "recovery 2: deleted since audit entry".to_string(),
            format!("warning history entry {event}: deleted since audit entry"),
            format!("case-warning link row {link}: deleted since audit entry"),
        ],
        &[
            "回收记录（id 2）：在审计记录".to_string(),
            format!("预警历史记录（id {event}）：在审计记录"),
            format!("并入案件的预警（行 {link}）：在审计记录"),
        ],
    );
    assert!(!out.contains("on loan 2"), "{out}");
    assert!(out.contains("does not verify: 3 problems"), "{out}");
}

/// A stored file kept by two records and gone from the store: one line for each, and the
/// verdict counts the lines.
#[test]
fn a_missing_file_kept_by_two_records_counts_two_problems() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, _, _, inspection) = book(dir.path());
    let photo = dir.path().join("photo.jpg");
    std::fs::write(&photo, b"\xff\xd8\xff\xe0 not much of a photo").expect("photo");
    let photo = photo.to_string_lossy().into_owned();
    for note in ["east", "west"] {
        ok(
            &b,
            "zhang",
            &["inspection", "attach", &inspection, &photo, "--note", note],
        );
    }
    let sha = scalar(&b, "SELECT sha256 FROM inspection_evidence LIMIT 1");
    let file = postloan::workflow::evidence::stored_path(
        &postloan::workflow::evidence::docs_dir(&b),
        &sha,
    );
    std::fs::remove_file(&file).expect("the stored file");
    let (code, out) = verify_in(&b, "en_US.UTF-8");
    assert_eq!(code, 1, "{out}");
    let lines = out
        .lines()
        .filter(|l| l.contains("its file is missing from the document store"))
        .count();
    assert_eq!(lines, 2, "{out}");
    assert!(out.contains("does not verify: 2 problems"), "{out}");
}
