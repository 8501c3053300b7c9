//! Today's inspections (issue #9): the store's parts by role — returned to the author,
//! overdue, due within the window, to review (first approval, a manager's second, never
//! one's own) — and `postloan inspections --to-review / --returned` as scripts use them.

mod support;

use chrono::NaiveDate;
use postloan::domain::Role;
use postloan::domain::inspection::{InspectionKind, InspectionMode, InspectionStatus};
use postloan::store::{
    InspectionQuery, NewInspection, PageFrom, Store, TodayInspections, TodayPart,
};
use std::collections::BTreeSet;
use support::book::TestBook;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

const TODAY: &str = "2026-03-02";

/// Staff of the book: two specialists, two supervisors (the manager is `boss`).
const PEOPLE: [(&str, Role); 4] = [
    ("spec", Role::Specialist),
    ("spec2", Role::Specialist),
    ("super", Role::Supervisor),
    ("super2", Role::Supervisor),
];

/// One inspection as the test states it: loan, due date, status, author, approvals done of
/// needed, the first reviewer and the return comment.
struct Case {
    name: &'static str,
    contract: &'static str,
    due: &'static str,
    status: InspectionStatus,
    author: Option<&'static str>,
    approvals: (i64, i64),
    reviewer: Option<&'static str>,
    comment: &'static str,
}

const fn case(
    name: &'static str,
    contract: &'static str,
    due: &'static str,
    status: InspectionStatus,
) -> Case {
    Case {
        name,
        contract,
        due,
        status,
        author: None,
        approvals: (0, 1),
        reviewer: None,
        comment: "",
    }
}

/// The book's inspections, all on loans followed by `spec`.
fn cases() -> Vec<Case> {
    use InspectionStatus::*;
    vec![
        case("due_today", "L1", "2026-03-02", Planned),
        case("due_in_7", "L2", "2026-03-09", Planned),
        case("due_in_8", "L3", "2026-03-10", Planned),
        case("overdue_1", "L4", "2026-03-01", Draft),
        case("approved_old", "L4", "2026-02-01", Approved),
        Case {
            author: Some("spec"),
            comment: "请补充押品评估情况\n以及现金流分析",
            ..case("returned", "L4", "2026-02-20", Returned)
        },
        Case {
            author: Some("spec"),
            ..case("first_by_spec", "L4", "2026-02-25", Submitted)
        },
        Case {
            author: Some("super"),
            ..case("first_by_super", "L4", "2026-02-26", Submitted)
        },
        Case {
            author: Some("spec"),
            approvals: (1, 2),
            reviewer: Some("super"),
            ..case("second_after_super", "L4", "2026-02-27", Submitted)
        },
        Case {
            author: Some("spec"),
            approvals: (1, 2),
            reviewer: Some("boss"),
            ..case("second_after_boss", "L4", "2026-02-28", Submitted)
        },
    ]
}

/// The book with [`cases`] written straight to the store; (book, number of each case).
fn book() -> (TestBook, Vec<(&'static str, String)>) {
    let mut b = TestBook::with_staff(&PEOPLE).with_loans(4);
    let mut numbers = Vec::new();
    for c in cases() {
        let loan_id = b
            .store
            .loan_by_contract(c.contract)
            .expect("read the loan")
            .expect("the loan")
            .id;
        let number = b
            .store
            .write(|tx| -> postloan::store::Result<String> {
                let (id, number) = tx.insert_inspection(
                    &NewInspection {
                        loan_id,
                        kind: InspectionKind::Routine,
                        mode: InspectionMode::Onsite,
                        due_on: day(c.due),
                        status: InspectionStatus::Planned,
                        focus: "",
                        inspected_on: None,
                        inspectors: "",
                        author: c.author,
                        year: 2026,
                    },
                    "boss",
                )?;
                tx.update_inspection(
                    id,
                    1,
                    &[
                        ("status", &c.status.code()),
                        ("approvals_done", &c.approvals.0),
                        ("approvals_needed", &c.approvals.1),
                        ("reviewer", &c.reviewer),
                        ("return_comment", &c.comment),
                    ],
                    "boss",
                )?;
                Ok(number)
            })
            .expect("write the case");
        numbers.push((c.name, number));
    }
    (b, numbers)
}

fn today_of(user: &str, role: Role) -> TodayInspections {
    TodayInspections {
        user: user.into(),
        role,
        team: role != Role::Specialist,
        today: day(TODAY),
        due_by: day("2026-03-09"),
    }
}

/// The case names a query finds, read page by page.
fn names(store: &Store, q: &InspectionQuery, numbers: &[(&str, String)]) -> BTreeSet<String> {
    let rows = store
        .inspection_page(q, &PageFrom::Start, 100)
        .expect("page");
    assert_eq!(
        store.inspection_count(q).expect("count"),
        rows.len() as u64,
        "count and rows agree"
    );
    rows.iter()
        .map(|r| {
            numbers
                .iter()
                .find(|(_, n)| *n == r.number)
                .map_or_else(|| r.number.clone(), |(name, _)| name.to_string())
        })
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn to_review_follows_who_may_approve_now() {
    let (b, n) = book();
    let review = |user: &str, role: Role| {
        names(
            &b.store,
            &InspectionQuery {
                to_review_by: Some((user.into(), role)),
                ..Default::default()
            },
            &n,
        )
    };
    // A supervisor: first approvals of others only.
    assert_eq!(review("super", Role::Supervisor), set(&["first_by_spec"]));
    assert_eq!(
        review("super2", Role::Supervisor),
        set(&["first_by_spec", "first_by_super"])
    );
    // The manager: first approvals, and second ones unless he gave the first.
    assert_eq!(
        review("boss", Role::Manager),
        set(&["first_by_spec", "first_by_super", "second_after_super"])
    );
    // Specialists and auditors approve nothing; the author never sees their own.
    assert!(review("spec", Role::Specialist).is_empty());
    assert!(review("audit", Role::Auditor).is_empty());
}

#[test]
fn overdue_and_due_window_boundaries() {
    let (b, n) = book();
    let t = today_of("spec", Role::Specialist);
    // Due today and in 7 days are due; in 8 days is not; due yesterday is overdue.
    assert_eq!(
        names(&b.store, &t.part(TodayPart::Due), &n),
        set(&["due_today", "due_in_7"])
    );
    // The returned one is past due too, but counted once: as returned.
    assert_eq!(
        names(&b.store, &t.part(TodayPart::Overdue), &n),
        set(&["overdue_1"])
    );
    assert_eq!(
        names(&b.store, &t.part(TodayPart::Returned), &n),
        set(&["returned"])
    );
    // Another specialist follows none of these loans.
    let other = today_of("spec2", Role::Specialist);
    assert_eq!(
        b.store.today_inspection_counts(&other).expect("counts"),
        [0; 4]
    );
    // A supervisor sees the team's due and overdue ones (the returned one among them: it is not
    // returned to him), and what he may review.
    let sup = today_of("super", Role::Supervisor);
    assert_eq!(
        names(&b.store, &sup.part(TodayPart::Overdue), &n),
        set(&["overdue_1", "returned"])
    );
    assert_eq!(
        b.store.today_inspection_counts(&sup).expect("counts"),
        [0, 2, 2, 1]
    );
    assert_eq!(
        b.store.today_inspection_counts(&t).expect("counts"),
        [1, 1, 2, 0]
    );
}

#[test]
fn the_block_rows_come_in_part_order_and_the_union_matches_the_counts() {
    let (b, n) = book();
    let t = today_of("boss", Role::Manager);
    let counts = b.store.today_inspection_counts(&t).expect("counts");
    // The manager wrote nothing: no returned; the team's overdue (2) and due (2); 3 to review.
    assert_eq!(counts, [0, 2, 2, 3]);
    // A reviewer's rows: to review first, then the parts in order, as many as fit.
    let rows = b.store.today_inspection_rows(&t, 5).expect("rows");
    let parts: Vec<TodayPart> = rows.iter().map(|r| r.part).collect();
    assert_eq!(
        parts,
        [
            TodayPart::ToReview,
            TodayPart::ToReview,
            TodayPart::ToReview,
            TodayPart::Overdue,
            TodayPart::Overdue,
        ]
    );
    // A specialist's: returned, overdue, due (nothing to review).
    let spec = today_of("spec", Role::Specialist);
    let rows = b.store.today_inspection_rows(&spec, 5).expect("rows");
    let parts: Vec<TodayPart> = rows.iter().map(|r| r.part).collect();
    assert_eq!(
        parts,
        [
            TodayPart::Returned,
            TodayPart::Overdue,
            TodayPart::Due,
            TodayPart::Due
        ]
    );
    // What the `i` key shows: every part at once, nothing else.
    let all = InspectionQuery {
        today_of: Some(Box::new(t)),
        ..Default::default()
    };
    assert_eq!(
        names(&b.store, &all, &n),
        set(&[
            "overdue_1",
            "returned",
            "due_today",
            "due_in_7",
            "first_by_spec",
            "first_by_super",
            "second_after_super"
        ])
    );
    // The returned report's row carries the start of its comment.
    let spec = today_of("spec", Role::Specialist);
    let rows = b.store.today_inspection_rows(&spec, 3).expect("rows");
    assert_eq!(rows[0].part, TodayPart::Returned);
    assert!(rows[0].return_comment.starts_with("请补充押品"), "{rows:?}");
    // The LIMIT holds across parts.
    assert_eq!(
        b.store.today_inspection_rows(&spec, 2).expect("rows").len(),
        2
    );
}

/// A CLI book: the cases, demo-flagged so `--as` picks the user, its day [`TODAY`].
fn cli_book() -> (TestBook, Vec<(&'static str, String)>) {
    let (mut b, n) = book();
    b.store
        .write(|tx| -> postloan::store::Result<()> {
            tx.set_meta("demo", "1")?;
            tx.set_meta("demo_as_of", TODAY)
        })
        .expect("demo flag");
    (b, n)
}

fn run_as(b: &TestBook, user: &str, lang: &str, args: &[&str]) -> std::process::Output {
    support::book::cli(b.dir.path(), lang)
        .arg("--db")
        .arg(b.path())
        .args(["--as", user])
        .args(args)
        .output()
        .expect("runs")
}

fn json_numbers(out: &std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "{}", support::book::stderr(out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON from the list");
    rows.as_array()
        .expect("an array")
        .iter()
        .map(|r| r["number"].as_str().expect("number").to_string())
        .collect()
}

#[test]
fn cli_to_review_and_returned() {
    let (b, n) = cli_book();
    let number = |name: &str| {
        n.iter()
            .find(|(c, _)| *c == name)
            .map(|(_, x)| x.clone())
            .expect("case")
    };
    let args = ["inspections", "--to-review", "--format", "json"];
    // The supervisor: the specialist's report waiting for its first approval.
    let sup = json_numbers(&run_as(&b, "super", "en_US.UTF-8", &args));
    assert_eq!(sup, [number("first_by_spec")]);
    // The manager: also the second approval the supervisor's first left.
    let boss = json_numbers(&run_as(&b, "boss", "en_US.UTF-8", &args));
    assert_eq!(boss.len(), 3, "{boss:?}");
    assert!(boss.contains(&number("second_after_super")));
    // The author, a specialist, reviews nothing: refused, saying why, in both languages.
    let out = run_as(&b, "spec", "en_US.UTF-8", &args);
    assert_eq!(out.status.code(), Some(1));
    let err = support::book::stderr(&out);
    assert!(
        err.contains("'spec'") && err.contains("may not approve"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = run_as(&b, "spec", "zh_CN.UTF-8", &args);
    assert_eq!(out.status.code(), Some(1));
    let err = support::book::stderr(&out);
    assert!(err.contains("spec") && err.contains("审批"), "{err}");
    // Returned: the author's own.
    let ret = ["inspections", "--returned", "--format", "json"];
    let mine = json_numbers(&run_as(&b, "spec", "en_US.UTF-8", &ret));
    assert_eq!(mine, [number("returned")]);
    assert!(json_numbers(&run_as(&b, "super", "en_US.UTF-8", &ret)).is_empty());
    // Both at once is a usage error.
    let out = run_as(
        &b,
        "spec",
        "en_US.UTF-8",
        &["inspections", "--returned", "--to-review"],
    );
    assert_eq!(out.status.code(), Some(2));
}
