//! The ledger's keyset paging against the plain truth: after any sequence of moves, the
//! selected and visible rows are exactly those of a full listing in the same order.

use postloan::store::{LedgerQuery, LedgerSort, LoanRow, PageFrom, Store};
use postloan::tui::widgets::loan_list::LoanList;
use proptest::prelude::*;
use std::sync::OnceLock;

fn book() -> &'static (tempfile::TempDir, std::path::PathBuf) {
    static BOOK: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    BOOK.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let params = postloan::demo::DemoParams {
            loans: 700,
            seed: 3,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        };
        postloan::workflow::demo::open_or_build(&path, &params, false, "me").unwrap();
        (dir, path)
    })
}

fn all_rows(store: &Store, q: &LedgerQuery) -> Vec<LoanRow> {
    store.ledger_page(q, &PageFrom::Start, 100_000).unwrap()
}

#[derive(Debug, Clone)]
enum Move {
    By(i64),
    Top,
    Bottom,
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    prop::collection::vec(
        prop_oneof![
            (-40i64..40).prop_map(Move::By),
            Just(Move::By(1)),
            Just(Move::By(-1)),
            Just(Move::Top),
            Just(Move::Bottom),
        ],
        1..60,
    )
}

fn sorts() -> impl Strategy<Value = (LedgerSort, bool, &'static str)> {
    (
        prop::sample::select(LedgerSort::ALL.to_vec()),
        any::<bool>(),
        prop::sample::select(vec!["", "江苏", "wang", "PL000001", "有限"]),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn window_always_shows_the_true_rows(ms in moves(), (sort, desc, text) in sorts(), height in 3u64..30) {
        let store = Store::open(&book().1).unwrap();
        let q = LedgerQuery { sort, descending: desc, text: text.to_string(), ..LedgerQuery::default() };
        let truth = all_rows(&store, &q);
        let mut list = LoanList::new(q);
        list.height = height;
        list.reload(&store).unwrap();
        prop_assert_eq!(list.total as usize, truth.len());
        for m in ms {
            match m {
                Move::By(d) => { list.move_by(&store, d).unwrap(); }
                Move::Top => { list.to_top(&store).unwrap(); }
                Move::Bottom => { list.to_bottom(&store).unwrap(); }
            }
            if truth.is_empty() {
                prop_assert!(list.selected().is_none());
                continue;
            }
            let sel = list.selected().expect("a row is selected");
            prop_assert_eq!(&sel.contract_no, &truth[list.cursor as usize].contract_no);
            let visible: Vec<&str> = list.visible().map(|(_, r)| r.contract_no.as_str()).collect();
            let expect: Vec<&str> = truth
                .iter()
                .skip(list.scroll as usize)
                .take(height as usize)
                .map(|r| r.contract_no.as_str())
                .collect();
            prop_assert_eq!(visible, expect);
            prop_assert!(list.cursor >= list.scroll && list.cursor < list.scroll + height);
            // The window stays small: about three screens, never the book.
            prop_assert!(list.window.len() as u64 <= height * 8 + 8, "window {}", list.window.len());
        }
    }
}

#[test]
fn reload_in_place_keeps_the_cursor_row() {
    let store = Store::open(&book().1).unwrap();
    let q = LedgerQuery {
        sort: LedgerSort::Borrower,
        ..LedgerQuery::default()
    };
    let truth = all_rows(&store, &q);
    let mut list = LoanList::new(q);
    list.height = 10;
    list.reload(&store).unwrap();
    for _ in 0..25 {
        list.move_by(&store, 10).unwrap();
    }
    let before = list.selected().unwrap().contract_no.clone();
    list.reload(&store).unwrap();
    assert_eq!(list.selected().unwrap().contract_no, before);
    assert_eq!(before, truth[list.cursor as usize].contract_no);
}
