//! The checklist score through the workflow: who may score, when, with what; and the
//! warning a final approval below the line raises (once, never on a first of two approvals).

use super::*;
use crate::domain::checklist::Score;
use crate::store::WarningRow;
use crate::workflow::inspection_checklist::{ItemPoints, score};

/// Points per shipped item: 52.5 in all (below the line of 60).
const WEAK: [&str; 8] = ["10", "8", "6", "7.5", "9", "3", "5", "4"];
/// 60.0 exactly: at the line, not below it.
const AT_LINE: [&str; 8] = ["12", "9", "9", "9", "9", "3", "6", "3"];

fn items(points: &[&str]) -> Vec<ItemPoints> {
    checklist()
        .items
        .iter()
        .zip(points)
        .map(|(i, p)| ItemPoints {
            code: i.code.clone(),
            points: Some((*p).to_string()),
        })
        .collect()
}

fn score_all(store: &mut Store, by: &Actor, n: &str, points: &[&str]) -> Score {
    score(store, by, n, None, &items(points), &checklist()).expect("scored")
}

/// The loan's warnings of the score's indicator.
fn score_warnings(store: &Store, n: &str) -> Vec<WarningRow> {
    let loan = store
        .inspection_by_number(n)
        .expect("read")
        .expect("there")
        .row
        .loan_id;
    store
        .loan_warnings(loan, 0, 50)
        .expect("warnings")
        .into_iter()
        .filter(|w| w.indicator == "inspection_score")
        .collect()
}

/// A report on `contract` by zhang, scored with `points` and submitted.
fn submitted(store: &mut Store, contract: &str, points: &[&str]) -> String {
    let zhang = who(store, "zhang");
    let n = start_routine(store, &zhang, contract);
    write_required(store, &zhang, &n);
    score_all(store, &zhang, &n, points);
    submit(store, &zhang, &n, None, &cfg(), day(TODAY)).expect("submit");
    n
}

fn approve_as(store: &mut Store, user: &str, n: &str) -> Approval {
    let a = who(store, user);
    approve(store, &a, n, None, "", day(TODAY), Lang::ZhCn, &checklist()).expect("approve")
}

fn args(e: &WorkflowError) -> Vec<(&'static str, String)> {
    match e {
        WorkflowError::Rule { args, .. } => args.clone(),
        other => panic!("not a rule refusal: {other}"),
    }
}

#[test]
fn the_author_scores_items_and_the_score_needs_them_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let zhang = who(&store, "zhang");
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    let c = checklist();
    let first = &items(&WEAK)[..3];
    assert_eq!(
        score(&mut store, &zhang, &n, None, first, &c).expect("some"),
        Score::Incomplete {
            scored: 3,
            items: 8
        }
    );
    assert_eq!(
        score_all(&mut store, &zhang, &n, &WEAK),
        Score::Complete("52.5".parse().expect("d"))
    );
    // Clearing an item makes it incomplete again.
    let clear = [ItemPoints {
        code: "statements".into(),
        points: None,
    }];
    assert!(matches!(
        score(&mut store, &zhang, &n, None, &clear, &c).expect("cleared"),
        Score::Incomplete { scored: 7, .. }
    ));
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    assert_eq!(store.inspection_checklist(id, 1).expect("points").len(), 7);
}

#[test]
fn scoring_follows_the_rules_of_writing_a_section() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.db");
    let mut store = book(&path);
    let zhang = who(&store, "zhang");
    let zhao = who(&store, "zhao");
    let wang = who(&store, "wang");
    let c = checklist();
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    let one = &items(&WEAK)[..1];
    // Not the author: refused, specialist or supervisor.
    for other in [&zhao, &wang] {
        let e = score(&mut store, other, &n, None, one, &c).expect_err("not author");
        assert!(matches!(e, WorkflowError::Denied { .. }), "{e}");
    }
    // A stale version: refused, naming who changed it.
    let v = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .version;
    write_section(&mut store, &zhang, &n, None, Section::Facts, "x").expect("w");
    let e = score(&mut store, &zhang, &n, Some(v), one, &c).expect_err("stale");
    assert!(matches!(e, WorkflowError::Stale { .. }), "{e}");
    // Unknown items, points out of range, not numbers, too precise: refused naming the item
    // and the range, nothing written.
    let bad = |code: &str, p: &str| {
        vec![
            ItemPoints {
                code: "funds_use".into(),
                points: Some("20".into()),
            },
            ItemPoints {
                code: code.into(),
                points: Some(p.into()),
            },
        ]
    };
    let e = score(&mut store, &zhang, &n, None, &bad("nope", "1"), &c).expect_err("unknown");
    assert_eq!(rule_key(&e), "checklist_err.unknown_item");
    assert!(
        e.localized(Lang::En).contains("funds_use, operations"),
        "{e}"
    );
    let e = score(&mut store, &zhang, &n, None, &bad("statements", "6"), &c).expect_err("range");
    assert_eq!(rule_key(&e), "checklist_err.out_of_range");
    assert!(args(&e).contains(&("max", "5".into())));
    assert_eq!(
        e.localized(Lang::ZhCn),
        "评分项目 statements：6 超出范围；应为 0 到 5"
    );
    let e = score(&mut store, &zhang, &n, None, &bad("statements", "很好"), &c).expect_err("nan");
    assert_eq!(rule_key(&e), "checklist_err.not_a_number");
    assert!(e.localized(Lang::En).contains("statements"));
    let e = score(&mut store, &zhang, &n, None, &bad("statements", "2.25"), &c).expect_err("dp");
    assert_eq!(rule_key(&e), "checklist_err.too_precise");
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    assert!(
        store
            .inspection_checklist(id, 1)
            .expect("points")
            .is_empty()
    );
    // Submitted: locked.
    write_required(&mut store, &zhang, &n);
    submit(&mut store, &zhang, &n, None, &cfg(), day(TODAY)).expect("submit");
    let e = score(&mut store, &zhang, &n, None, one, &c).expect_err("submitted");
    assert_eq!(rule_key(&e), "inspection_err.wrong_state");
}

#[test]
fn a_final_approval_below_the_line_raises_a_warning_on_the_loan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let n = submitted(&mut store, "HT-SMALL", &WEAK);
    let Approval::Approved { warning, .. } = approve_as(&mut store, "wang", &n) else {
        panic!("one approval is final")
    };
    let found = score_warnings(&store, &n);
    assert_eq!(found.len(), 1);
    let w = &found[0];
    assert_eq!(warning.as_deref(), Some(w.number.as_str()));
    assert_eq!(w.origin, "inspection");
    assert_eq!(w.level, crate::domain::warning::Level::Yellow);
    assert_eq!(w.value, Some("52.5".parse().expect("d")));
    assert_eq!(w.threshold, Some(Decimal::from(60)));
    let full = store.warning(w.id).expect("r").expect("t");
    assert_eq!(full.reason, format!("score 52.5 < 60 ({n})"));
    // The stored report says the score too.
    let docs = store.documents(w.loan_id).expect("docs");
    assert!(
        docs.iter()
            .any(|d| d.body.contains("评分 52.5 / 100，低于警戒线 60"))
    );
}

#[test]
fn at_or_above_the_line_or_unscored_nothing_is_raised() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let at = submitted(&mut store, "HT-SMALL", &AT_LINE);
    assert!(matches!(
        approve_as(&mut store, "wang", &at),
        Approval::Approved { warning: None, .. }
    ));
    assert!(score_warnings(&store, &at).is_empty());
    // Incomplete (three items): no score, no warning.
    let zhang = who(&store, "zhang");
    let part = start_routine(&mut store, &zhang, "HT-SMALL");
    write_required(&mut store, &zhang, &part);
    score(
        &mut store,
        &zhang,
        &part,
        None,
        &items(&WEAK)[..3],
        &checklist(),
    )
    .expect("some");
    submit(&mut store, &zhang, &part, None, &cfg(), day(TODAY)).expect("submit");
    assert!(matches!(
        approve_as(&mut store, "wang", &part),
        Approval::Approved { warning: None, .. }
    ));
    assert!(score_warnings(&store, &part).is_empty());
}

#[test]
fn not_on_the_first_of_two_approvals_and_never_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let n = submitted(&mut store, "HT-BIG", &WEAK);
    assert_eq!(approve_as(&mut store, "wang", &n), Approval::AwaitsSecond);
    assert!(
        score_warnings(&store, &n).is_empty(),
        "not before the final approval"
    );
    approve_as(&mut store, "li", &n);
    assert_eq!(score_warnings(&store, &n).len(), 1);
    // An amendment copies the points; its approval keeps the one open warning and notes
    // the score in its history.
    let zhang = who(&store, "zhang");
    amend(&mut store, &zhang, &n, None, "更正检查日期", day(TODAY)).expect("amend");
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    assert_eq!(
        store.inspection_checklist(id, 2).expect("copied"),
        store.inspection_checklist(id, 1).expect("v1")
    );
    submit(&mut store, &zhang, &n, None, &cfg(), day(TODAY)).expect("resubmit");
    approve_as(&mut store, "wang", &n);
    let Approval::Approved { warning, .. } = approve_as(&mut store, "li", &n) else {
        panic!("second approval is final")
    };
    let found = score_warnings(&store, &n);
    assert_eq!(found.len(), 1, "no duplicate");
    assert_eq!(warning.as_deref(), Some(found[0].number.as_str()));
    let events = store.warning_events(found[0].id).expect("events");
    assert_eq!(
        events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["raised", "rescored"]
    );
}
