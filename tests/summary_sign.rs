//! The signed period summary (issue #12 point 1, last paragraph): a supervisor or a manager
//! signs "problems found and measures to improve" for a period; the summary with that section
//! and a signature block is kept as a sealed `summary` document (its SHA-256 over its text),
//! audited; signing the period again supersedes the earlier document, never deletes it; a
//! specialist is refused in words. The CLI prints the id and hash, and feedback takes the id.

mod support;

use chrono::NaiveDate;
use postloan::engine::summary::Period;
use postloan::i18n::Lang;
use postloan::store::{ArchiveQuery, PageFrom};
use postloan::workflow::summary_sign::{self, SignSummary};
use postloan::workflow::{WorkflowError, os_user};
use support::book::{TestBook, cli, stderr, stdout};

const TODAY: &str = "2026-07-02";

fn today() -> NaiveDate {
    TODAY.parse().expect("date")
}

fn june() -> Period {
    Period::parse_month("2026-06").expect("month")
}

/// A demo-flagged book (so `--as` works) on [`TODAY`], with three loans.
fn book() -> TestBook {
    let mut b = TestBook::for_cli().with_loans(3);
    b.store
        .write(|tx| -> postloan::store::Result<()> {
            tx.set_meta("demo", "1")?;
            tx.set_meta("demo_as_of", TODAY)
        })
        .expect("demo flag");
    b
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn count(b: &TestBook, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(b.path()).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

#[test]
fn a_supervisor_signs_and_the_document_holds_the_section_the_signature_and_its_hash() {
    let mut b = book();
    let sup = b.who("super");
    let text = "1. 部分客户财务报表报送不及时。\n2. 改进：每月 10 日前催收报表。";
    let signed = summary_sign::sign(
        &mut b.store,
        &sup,
        &SignSummary {
            period: june(),
            text: text.into(),
        },
        today(),
        Lang::ZhCn,
    )
    .expect("signed");
    assert_eq!(signed.supersedes, None);
    let doc = b
        .store
        .archive_document(signed.id)
        .expect("read")
        .expect("the document");
    assert_eq!(doc.row.kind, "summary");
    assert_eq!(doc.row.loan_id, None, "the book's document");
    assert_eq!(doc.row.created_by, "super");
    assert_eq!(doc.row.number, signed.number);
    // The hash is over the stored text, and the CLI's and the row's agree.
    assert_eq!(doc.row.sha256, sha256_hex(doc.body.as_bytes()));
    assert_eq!(signed.sha256, doc.row.sha256);
    assert_eq!(doc.row.bytes as usize, doc.body.len());
    for part in [
        "贷后管理总结 2026-06-01 至 2026-06-30",
        "## 存在问题及改进措施",
        "部分客户财务报表报送不及时",
        "每月 10 日前催收报表",
        "## 签署",
        "签署人: super (贷后管理主管)",
        "签署日期: 2026-07-02",
        "总结期间: 2026-06-01 至 2026-06-30",
    ] {
        assert!(doc.body.contains(part), "{part}:\n{}", doc.body);
    }
    // The user's text makes no structure: its list number is escaped.
    assert!(!doc.body.contains("\n1. 部分"), "{}", doc.body);
    // One audit entry, sealing the document.
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'document.sign_summary'
             AND entity = 'document' AND detail LIKE '%\"seals\"%'"
        ),
        1
    );
    assert_eq!(
        summary_sign::signed(&b.store, june())
            .expect("read")
            .map(|r| r.id),
        Some(signed.id)
    );
    assert_eq!(
        summary_sign::signed_on(&doc.body),
        Some(today()),
        "the pane reads the signature's date back"
    );
    // The manager may sign too; the document is then the manager's.
    let boss = b.boss.clone();
    let again = summary_sign::sign(
        &mut b.store,
        &boss,
        &SignSummary {
            period: Period::parse_quarter("2026-Q2").expect("quarter"),
            text: "季度：无重大问题".into(),
        },
        today(),
        Lang::En,
    )
    .expect("a manager signs");
    assert_ne!(again.id, signed.id);
}

#[test]
fn signing_a_period_again_supersedes_the_earlier_document_and_keeps_both() {
    let mut b = book();
    let sup = b.who("super");
    let sign = |b: &mut TestBook, text: &str| {
        summary_sign::sign(
            &mut b.store,
            &sup,
            &SignSummary {
                period: june(),
                text: text.into(),
            },
            today(),
            Lang::En,
        )
        .expect("signed")
    };
    let first = sign(&mut b, "first draft of the problems");
    let second = sign(&mut b, "the problems, corrected");
    assert_eq!(second.supersedes, Some(first.id));
    let old = b
        .store
        .archive_document(first.id)
        .expect("read")
        .expect("kept");
    assert_eq!(old.row.superseded_by, Some(second.id));
    assert!(old.body.contains("first draft"), "never rewritten");
    assert_eq!(old.row.sha256, sha256_hex(old.body.as_bytes()));
    let new = b
        .store
        .archive_document(second.id)
        .expect("read")
        .expect("new");
    assert_eq!(new.row.superseded_by, None);
    assert!(
        new.body
            .contains(&format!("Supersedes: {} (#{})", first.number, first.id)),
        "{}",
        new.body
    );
    assert_eq!(
        summary_sign::signed(&b.store, june())
            .expect("read")
            .map(|r| r.id),
        Some(second.id),
        "the period's summary in force is the later one"
    );
    // Another period is signed on its own, superseding nothing.
    let may = summary_sign::sign(
        &mut b.store,
        &sup,
        &SignSummary {
            period: Period::parse_month("2026-05").expect("month"),
            text: "May".into(),
        },
        today(),
        Lang::En,
    )
    .expect("may");
    assert_eq!(may.supersedes, None);
    let q = ArchiveQuery {
        kind: Some(postloan::domain::archive::DocumentKind::Summary),
        ..ArchiveQuery::default()
    };
    assert_eq!(b.store.archive_count(&q).expect("count"), 3);
    let rows = b
        .store
        .archive_page(&q, &PageFrom::Start, 10)
        .expect("page");
    assert_eq!(rows.len(), 3, "both June documents and May's are listed");
    // verify: the chain and every document's hash still hold.
    let out = b.run(&["verify"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn a_specialist_and_an_auditor_are_refused_in_words_and_nothing_is_written() {
    let mut b = book();
    for user in ["spec", "audit"] {
        let who = b.who(user);
        let err = summary_sign::sign(
            &mut b.store,
            &who,
            &SignSummary {
                period: june(),
                text: "x".into(),
            },
            today(),
            Lang::En,
        )
        .expect_err("refused");
        assert!(matches!(err, WorkflowError::Denied { .. }), "{err:?}");
        let en = err.localized(Lang::En);
        assert!(en.contains("may not sign the period summary"), "{en}");
        assert!(en.contains("Supervisor") && en.contains("Manager"), "{en}");
        let zh = err.localized(Lang::ZhCn);
        assert!(zh.contains("签署贷后管理总结"), "{zh}");
        assert!(!summary_sign::may_sign(&who));
    }
    assert!(summary_sign::may_sign(&b.who("super")));
    let sup = b.who("super");
    let err = summary_sign::sign(
        &mut b.store,
        &sup,
        &SignSummary {
            period: june(),
            text: " \n \t \r\n".into(),
        },
        today(),
        Lang::En,
    )
    .expect_err("an empty section");
    assert!(err.localized(Lang::En).contains("is empty"), "{err}");
    assert_eq!(
        count(&b, "SELECT COUNT(*) FROM documents WHERE kind = 'summary'"),
        0
    );
    assert_eq!(
        count(
            &b,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'command.denied'
             AND entity_key = 'sign_summary'"
        ),
        2,
        "each refusal is in the audit trail"
    );
}

/// `report summary --sign` as `user`, in `lang`, with `extra` arguments.
fn sign_cli(b: &TestBook, user: &str, lang: &str, extra: &[&str]) -> std::process::Output {
    cli(b.dir.path(), lang)
        .arg("--db")
        .arg(b.path())
        .args([
            "--as", user, "report", "summary", "--month", "2026-06", "--sign",
        ])
        .args(extra)
        .output()
        .expect("runs")
}

#[test]
fn the_cli_signs_prints_id_and_hash_refuses_a_specialist_and_feedback_takes_the_id() {
    let b = book();
    // A specialist: refused, non-zero, in words, in both languages.
    let out = sign_cli(&b, "spec", "en_US.UTF-8", &["--text", "x"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("may not sign the period summary"),
        "{}",
        stderr(&out)
    );
    let out = sign_cli(&b, "spec", "zh_CN.UTF-8", &["--text", "x"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("签署贷后管理总结"),
        "{}",
        stderr(&out)
    );
    // No text: refused, saying how to give it.
    let out = sign_cli(&b, "super", "en_US.UTF-8", &[]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("--text-file"), "{}", stderr(&out));
    // From standard input.
    let out = cli(b.dir.path(), "en_US.UTF-8")
        .arg("--db")
        .arg(b.path())
        .args(["--as", "super", "report", "summary", "--month", "2026-06"])
        .args(["--sign", "--text-file", "-"])
        .write_stdin("催收力度不足；\n下月起每周复盘。\n")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let id: i64 = text
        .split("document ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an id in: {text}"));
    let sha = text
        .lines()
        .find_map(|l| l.strip_prefix("sha256 "))
        .unwrap_or_else(|| panic!("a hash in: {text}"));
    assert_eq!(
        sha,
        count_text(&b, &format!("SELECT sha256 FROM documents WHERE id = {id}"))
    );
    let body = count_text(&b, &format!("SELECT body FROM documents WHERE id = {id}"));
    assert!(body.contains("下月起每周复盘"), "{body}");
    assert!(
        body.contains("Signed by"),
        "the document is in the signer's language"
    );
    // Signing again from a file: supersedes the first, says so.
    let file = b.write("problems.txt", "问题已整改完毕");
    let out = sign_cli(
        &b,
        os_user().as_str(),
        "zh_CN.UTF-8",
        &["--text-file", &file.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("取代文档 {id}")),
        "{}",
        stdout(&out)
    );
    let newer: i64 = count_text(
        &b,
        &format!("SELECT CAST(superseded_by AS TEXT) FROM documents WHERE id = {id}"),
    )
    .parse()
    .expect("superseded");
    let newer_number = count_text(
        &b,
        &format!("SELECT number FROM documents WHERE id = {newer}"),
    );
    let feedback = |lang: &str, id: i64| {
        cli(b.dir.path(), lang)
            .arg("--db")
            .arg(b.path())
            .args(["--as", "super", "feedback", "--to", "risk", "--summary"])
            .arg(id.to_string())
            .args(["--text", "请关注报表报送"])
            .output()
            .expect("runs")
    };
    // Feedback on the superseded summary: refused, naming the summary in force.
    for (lang, said) in [
        (
            "en_US.UTF-8",
            format!("has been superseded by {newer_number} (document {newer})"),
        ),
        (
            "zh_CN.UTF-8",
            format!("已被 {newer_number}（文档 {newer}）取代"),
        ),
    ] {
        let out = feedback(lang, id);
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    }
    assert_eq!(
        count(&b, "SELECT COUNT(*) FROM documents WHERE kind = 'feedback'"),
        0
    );
    // Feedback from the signed summary in force, with the id printed.
    let id = newer;
    let out = feedback("en_US.UTF-8", id);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        count(
            &b,
            &format!(
                "SELECT COUNT(*) FROM documents WHERE kind = 'feedback'
                 AND ref_table = 'documents' AND ref_id = {id} AND recipient = 'risk'"
            )
        ),
        1
    );
}

fn count_text(b: &TestBook, sql: &str) -> String {
    let conn = rusqlite::Connection::open(b.path()).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

#[test]
fn a_period_not_ended_by_the_books_date_is_refused_and_an_early_one_is_signed() {
    let b = book();
    let run = |lang: &str, period: &[&str]| {
        cli(b.dir.path(), lang)
            .arg("--db")
            .arg(b.path())
            .args(["--as", "super", "report", "summary"])
            .args(period)
            .args(["--sign", "--text", "措施"])
            .output()
            .expect("runs")
    };
    // A future month, and the book's own month (today 2026-07-02): exit 1, saying why.
    for (period, from, to) in [
        (["--month", "2027-03"], "2027-03-01", "2027-03-31"),
        (["--month", "2026-07"], "2026-07-01", "2026-07-31"),
        (["--year", "2026"], "2026-01-01", "2026-12-31"),
    ] {
        let out = run("en_US.UTF-8", &period);
        assert_eq!(out.status.code(), Some(1), "{period:?}: {}", stdout(&out));
        let said = format!("the period {from} to {to} has not ended by the book's date {TODAY}");
        assert!(stderr(&out).contains(&said), "{}", stderr(&out));
        let out = run("zh_CN.UTF-8", &period);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains(&format!(
                "期间 {from} 至 {to} 截至账簿日期 {TODAY} 尚未结束"
            )),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        count(&b, "SELECT COUNT(*) FROM documents WHERE kind = 'summary'"),
        0,
        "nothing was signed"
    );
    // The period ending the day before the book's date may be signed; so may a period
    // that began before the book's first data.
    let out = run(
        "en_US.UTF-8",
        &["--from", "2020-01-01", "--to", "2026-07-01"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run("en_US.UTF-8", &["--year", "2019"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
