//! The book-wide evaluation (chunked, read ahead on other threads) decides exactly what
//! evaluating each loan on its own decides: same warnings, same ids and numbers, same events.

use super::*;
use crate::demo::DemoParams;
use crate::domain::warning::WarningMove;
use crate::store::{PageFrom, WarningEvent, WarningQuery, WarningRow};
use crate::workflow::{demo, identify};
use chrono::NaiveDate;
use std::path::Path;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn book(path: &Path) -> (Store, Actor) {
    let params = DemoParams {
        loans: 300,
        seed: 11,
        as_of: day(2026, 6, 30),
    };
    let (store, _) = demo::open_or_build(path, &params, true, "tester").expect("demo book");
    let manager = identify(&store, "tester", Some("zhao.lei")).expect("demo manager");
    (store, manager)
}

/// The demo book of [`book`] at `path`, and a copy of it at `copy` (SQLite's backup, page for
/// page, so the two hold the same rows under the same ids): one build instead of two.
fn book_and_copy(path: &Path, copy: &Path) -> (Store, Store, Actor) {
    let (store, manager) = book(path);
    store.backup_to(copy).expect("copy the demo book");
    let copied = Store::open_existing(copy).expect("open the copy");
    (store, copied, manager)
}

/// Every warning with its events, without the clock times of the writes.
fn warnings(store: &Store) -> Vec<(WarningRow, Vec<WarningEvent>)> {
    let q = WarningQuery {
        include_closed: true,
        ..WarningQuery::default()
    };
    let mut rows = store
        .warning_page(&q, &PageFrom::Start, 1_000_000)
        .expect("warnings");
    rows.sort_by_key(|w| w.id);
    rows.into_iter()
        .map(|w| {
            let mut events = store.warning_events(w.id).expect("events");
            for e in &mut events {
                e.at.clear();
            }
            (w, events)
        })
        .collect()
}

/// The active loans in evaluation order, (borrower, loan).
fn active_loans(store: &Store) -> Vec<i64> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let chunk = store
            .evaluation_chunk(after, 100, day(2026, 6, 30))
            .expect("chunk");
        let Some(last) = chunk.last_key() else {
            return out;
        };
        out.extend(chunk.loans.iter().map(|l| l.id));
        after = Some(last);
    }
}

/// Dismisses every third active system warning of an indicator, the same in both books.
fn dismiss_some(store: &mut Store, actor: &Actor, on: NaiveDate) {
    let open: Vec<i64> = warnings(store)
        .into_iter()
        .filter(|(w, _)| w.origin == "system" && w.status.is_active())
        .map(|(w, _)| w.id)
        .step_by(3)
        .collect();
    assert!(!open.is_empty(), "the demo book raises warnings");
    for id in open {
        move_warning(
            store,
            actor,
            id,
            None,
            WarningMove::Dismiss,
            "checked by hand",
            on,
        )
        .expect("dismiss");
    }
}

#[test]
fn chunked_book_evaluation_decides_what_per_loan_evaluation_decides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut chunked, mut single, actor) = book_and_copy(
        &dir.path().join("chunked.db"),
        &dir.path().join("single.db"),
    );
    assert_eq!(warnings(&chunked), warnings(&single), "same demo books");
    let rules = RuleSet::defaults();
    let loans = active_loans(&single);
    assert!(loans.len() > 100);

    // Later dates: statements fall late, values move; dismissed warnings hold signals back
    // until they get worse or come back inside; lax thresholds bring values back inside, the
    // usual ones make them relapse. Seven loans a chunk splits borrowers' loans across chunks.
    let lax = lax_rules();
    let mut held = 0;
    for (step, (as_of, rules)) in [
        (day(2026, 7, 31), &rules),
        (day(2026, 10, 31), &rules),
        (day(2026, 11, 30), &lax),
        (day(2027, 1, 31), &rules),
    ]
    .into_iter()
    .enumerate()
    {
        if step == 1 {
            dismiss_some(&mut chunked, &actor, as_of);
            dismiss_some(&mut single, &actor, as_of);
        }
        // The engine as the system actor, as in a per-loan re-evaluation.
        let book = evaluate_book_in_chunks(&mut chunked, &Actor::system(), rules, as_of, 7)
            .expect("evaluate the book");
        let mut sum = EvalReport {
            as_of: as_of.to_string(),
            ..EvalReport::default()
        };
        for &id in &loans {
            let one = evaluate_loan(&mut single, rules, id, as_of).expect("evaluate one loan");
            sum.add(&one);
        }
        // Grouping into cases differs by design (a borrower's loans at once, or one by one).
        let book = EvalReport {
            cases: Default::default(),
            ..book
        };
        assert_eq!(book, sum, "counts as of {as_of}");
        assert_eq!(
            warnings(&chunked),
            warnings(&single),
            "warnings as of {as_of}"
        );
        held += book.held;

        // A second run changes nothing and writes nothing.
        let before = warnings(&chunked);
        let again = evaluate_book_in_chunks(&mut chunked, &Actor::system(), rules, as_of, 7)
            .expect("evaluate again");
        assert_eq!(again.changes(), 0);
        assert_eq!(warnings(&chunked), before);
    }
    assert!(held > 0, "dismissed warnings hold signals back");
    let after_all = warnings(&chunked);
    for event in [
        "raised",
        "escalated",
        "back_to_normal",
        "relapsed",
        "dismissed",
    ] {
        assert!(
            after_all
                .iter()
                .flat_map(|(_, events)| events)
                .any(|e| e.event == event),
            "the dates reach {event}"
        );
    }
}

/// Thresholds no value reaches: every known value is inside.
fn lax_rules() -> RuleSet {
    let rules = RuleSet::defaults();
    let far = Decimal::from(1_000_000_000_000i64);
    let covenants: Vec<Covenant> = Indicator::ALL
        .into_iter()
        .map(|indicator| {
            // A rule hit from below has its thresholds far below, and the other way round.
            let below = rules
                .rule(indicator)
                .trigger
                .hits(Decimal::ZERO, Decimal::ONE);
            let t = Some(if below { -far } else { far });
            Covenant {
                indicator,
                yellow: t,
                orange: t,
                red: t,
            }
        })
        .collect();
    rules.with_covenants(&covenants)
}

#[test]
fn chunk_sizes_do_not_change_the_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut one, mut many, actor) =
        book_and_copy(&dir.path().join("one.db"), &dir.path().join("many.db"));
    let rules = RuleSet::defaults();
    let as_of = day(2026, 12, 31);
    let a = evaluate_book_in_chunks(&mut one, &actor, &rules, as_of, 1).expect("chunks of 1");
    let b = evaluate_book(&mut many, &actor, &rules, as_of).expect("chunks of 4000");
    assert_eq!(a, b);
    assert_eq!(warnings(&one), warnings(&many));
}
