//! Store and workflow on temporary books: imports are all-or-nothing and idempotent, bad rows
//! name file, line and column, every change leaves an audit row, and roles are enforced.

use postloan::domain::{ContactKind, ContactRecord, Role, StaffRecord};
use postloan::extract::{Encoding, ExtractKind};
use postloan::store::{LedgerQuery, Store, Table};
use postloan::workflow::{self, Actor, WorkflowError, import::import_file};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// An empty book with a manager "boss" and specialists "zhangwei" and "lina".
fn book() -> (tempfile::TempDir, Store, Actor) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("book.db")).unwrap();
    let boss = workflow::book::init(&mut store, "boss").unwrap();
    for (u, role) in [
        ("zhangwei", Role::Specialist),
        ("lina", Role::Specialist),
        ("audit", Role::Auditor),
    ] {
        let rec = StaffRecord {
            username: u.into(),
            display_name: u.into(),
            role,
        };
        workflow::book::add_staff(&mut store, &boss, &rec).unwrap();
    }
    (dir, store, boss)
}

fn actor(store: &Store, user: &str) -> Actor {
    workflow::identify(store, user, None).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn import_then_reimport_changes_nothing() {
    let (_dir, mut store, boss) = book();
    let file = fixture("extract/loans_good.csv");
    let first = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &file,
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert_eq!(
        (first.rows, first.inserted, first.updated, first.unchanged),
        (3, 3, 0, 0)
    );
    assert!(first.written);
    let audit_after_first = store.count_rows(Table::Audit).unwrap();
    let again = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &file,
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 3);
    // Nothing changed, so nothing to audit.
    assert_eq!(store.count_rows(Table::Audit).unwrap(), audit_after_first);
    // Borrowers were created from the loan rows; a borrowers file then updates them.
    let b = import_file(
        &mut store,
        &boss,
        ExtractKind::Borrowers,
        &fixture("extract/borrowers_good.csv"),
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert_eq!((b.inserted, b.updated), (0, 3));
}

#[test]
fn a_bad_row_writes_nothing_and_names_line_and_column() {
    let (_dir, mut store, boss) = book();
    let file = fixture("extract/loans_bad.csv");
    let report = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &file,
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert!(!report.written);
    assert!(report.error_count >= 5, "{report:?}");
    assert_eq!(
        store.count_rows(Table::Loans).unwrap(),
        0,
        "nothing of a bad file is written"
    );
    assert_eq!(store.count_rows(Table::Borrowers).unwrap(), 0);
    let text: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    let file_name = file.display().to_string();
    assert!(
        text.iter()
            .any(|t| t.starts_with(&format!("{file_name}:3: column principal: '5,00,000'"))),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains(":4: column disbursed_on: '2024/03/15'")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains(":5: column guarantee_type: '抵押物'")),
        "{text:#?}"
    );
}

#[test]
fn unknown_officer_is_a_row_error_that_names_them() {
    let (dir, mut store, boss) = book();
    let text = "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency\n\
        HT1,B1,甲公司,working_capital,采购,CNY,100,100,4,2025-01-01,2026-01-01,mortgage,zhangwei,quarterly\n\
        HT2,B2,乙公司,working_capital,采购,CNY,100,100,4,2025-01-01,2026-01-01,mortgage,nobody,quarterly\n";
    let file = write(dir.path(), "loans.csv", text);
    let report = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &file,
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert_eq!(report.error_count, 1);
    let e = report.errors[0].to_string();
    assert!(e.contains("loans.csv:3: column officer: 'nobody'"), "{e}");
    assert!(e.contains("staff add"), "{e}");
    assert_eq!(
        store.count_rows(Table::Loans).unwrap(),
        0,
        "the good row is not written either"
    );
}

#[test]
fn dry_run_reports_without_writing() {
    let (_dir, mut store, boss) = book();
    let file = fixture("extract/loans_good.csv");
    let report = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &file,
        Encoding::Auto,
        true,
    )
    .unwrap();
    assert_eq!(report.inserted, 3);
    assert!(!report.written);
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 0);
}

#[test]
fn gbk_extract_is_detected() {
    let (dir, mut store, boss) = book();
    let text = "borrower_code,name,credit_code,industry,region\nB9,华东机械制造有限公司,91310000MA1FL8XQ3K,制造业,上海\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let file = dir.path().join("gbk.csv");
    std::fs::write(&file, &bytes).unwrap();
    let report = import_file(
        &mut store,
        &boss,
        ExtractKind::Borrowers,
        &file,
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert_eq!((report.inserted, report.encoding.as_str()), (1, "gbk"));
}

#[test]
fn repayments_statements_and_contacts_move_the_loan() {
    let (dir, mut store, boss) = book();
    import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &fixture("extract/loans_good.csv"),
        Encoding::Auto,
        false,
    )
    .unwrap();
    let rep = write(
        dir.path(),
        "rep.csv",
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\nHT2024001,2026-05-31,35,\"100,000.00\",1234.56\nHT2024001,2026-04-30,5,0,100\n",
    );
    let r = import_file(
        &mut store,
        &boss,
        ExtractKind::Repayments,
        &rep,
        Encoding::Auto,
        false,
    )
    .unwrap();
    assert_eq!(r.inserted, 2);
    let loan = store.loan_by_contract("HT2024001").unwrap().unwrap();
    // The latest snapshot wins, whatever the order of the rows.
    assert_eq!(loan.overdue_days, 35);
    assert_eq!(loan.overdue_principal.to_string(), "100000");
    // Quarterly: due three months after disbursement (2024-03-15) without any contact.
    assert_eq!(loan.next_followup_on.to_string(), "2024-06-15");

    let specialist = actor(&store, "zhangwei");
    let contact = ContactRecord {
        contract_no: "HT2024001".into(),
        contact_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        kind: ContactKind::Visit,
        notes: "走访\x1b[2J发现库存积压".into(),
    };
    let before = store.count_rows(Table::Audit).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    workflow::tracking::record_contact(&mut store, &specialist, &contact, today).unwrap();
    assert_eq!(
        store.count_rows(Table::Audit).unwrap(),
        before + 1,
        "one audit row per change"
    );
    let loan = store.loan_by_contract("HT2024001").unwrap().unwrap();
    assert_eq!(loan.next_followup_on.to_string(), "2026-09-01");
    let contacts = store.contacts(loan.id, 10).unwrap();
    assert_eq!(
        contacts[0].notes, "走访[2J发现库存积压",
        "control characters are stripped"
    );
    assert_eq!(contacts[0].created_by, "zhangwei");
    let tail = store.audit_tail(1).unwrap();
    assert_eq!(
        (tail[0].actor.as_str(), tail[0].action.as_str()),
        ("zhangwei", "contact.record")
    );

    // A contact in the future is refused, and writes nothing.
    let future = ContactRecord {
        contact_on: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        ..contact
    };
    assert!(workflow::tracking::record_contact(&mut store, &specialist, &future, today).is_err());
    assert_eq!(store.count_rows(Table::Contacts).unwrap(), 1);
}

#[test]
fn roles_are_enforced() {
    let (_dir, mut store, boss) = book();
    import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &fixture("extract/loans_good.csv"),
        Encoding::Auto,
        false,
    )
    .unwrap();
    let auditor = actor(&store, "audit");
    let contact = ContactRecord {
        contract_no: "HT2024001".into(),
        contact_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        kind: ContactKind::Call,
        notes: "电话".into(),
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let err =
        workflow::tracking::record_contact(&mut store, &auditor, &contact, today).unwrap_err();
    assert!(matches!(err, WorkflowError::Denied { .. }), "{err}");
    let specialist = actor(&store, "lina");
    let err = import_file(
        &mut store,
        &specialist,
        ExtractKind::Loans,
        &fixture("extract/loans_good.csv"),
        Encoding::Auto,
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("may not import"), "{err}");
    let rec = StaffRecord {
        username: "x".into(),
        display_name: "x".into(),
        role: Role::Manager,
    };
    assert!(workflow::book::add_staff(&mut store, &specialist, &rec).is_err());
    assert_eq!(store.count_rows(Table::Contacts).unwrap(), 0);
}

#[test]
fn strangers_are_refused_and_as_needs_a_demo_book() {
    let (_dir, store, _boss) = book();
    let err = workflow::identify(&store, "mallory", None).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("mallory") && msg.contains("postloan staff add mallory"),
        "{msg}"
    );
    let err = workflow::identify(&store, "boss", Some("lina")).unwrap_err();
    assert!(matches!(err, WorkflowError::AsOutsideDemo));
}

#[test]
fn init_is_refused_once_there_is_staff() {
    let (_dir, mut store, _boss) = book();
    assert!(matches!(
        workflow::book::init(&mut store, "someone"),
        Err(WorkflowError::AlreadyInitialised)
    ));
}

#[test]
fn audit_chain_detects_tampering() {
    let (dir, mut store, boss) = book();
    import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &fixture("extract/loans_good.csv"),
        Encoding::Auto,
        false,
    )
    .unwrap();
    let n = store.verify_audit().unwrap().unwrap();
    assert!(n >= 5, "init, three staff, one import: {n}");
    drop(store);
    let path = dir.path().join("book.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE audit_log SET actor = 'someone-else' WHERE id = 2",
        [],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.verify_audit().unwrap(), Err(2));
}

#[test]
fn demo_book_is_deterministic_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let params = postloan::demo::DemoParams {
        loans: 200,
        seed: 5,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    };
    let page = |store: &Store| {
        store
            .ledger_page(
                &LedgerQuery::default(),
                &postloan::store::PageFrom::Start,
                500,
            )
            .unwrap()
    };
    let (a, built) =
        workflow::demo::open_or_build(&dir.path().join("a.db"), &params, false, "me").unwrap();
    assert!(matches!(built, workflow::demo::DemoBook::Built(_)));
    let (b, _) =
        workflow::demo::open_or_build(&dir.path().join("b.db"), &params, false, "me").unwrap();
    assert_eq!(page(&a), page(&b));
    assert_eq!(page(&a).len(), 200);
    assert!(a.is_demo().unwrap());
    // The OS user joins as a manager; `--as` switches to any demo staff member.
    assert_eq!(
        workflow::identify(&a, "me", None).unwrap().role,
        Role::Manager
    );
    assert_eq!(
        workflow::identify(&a, "me", Some("hu.yan")).unwrap().role,
        Role::Auditor
    );
    drop(a);
    let (_, again) =
        workflow::demo::open_or_build(&dir.path().join("a.db"), &params, false, "me").unwrap();
    assert_eq!(again, workflow::demo::DemoBook::Reopened { loans: 200 });
}
