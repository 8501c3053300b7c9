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
        prop::sample::select(vec!["", "江苏", "wang", "PL000001", "有限", "恒", "0"]),
    )
}

/// The day days past due are counted on: the book's own (None: the demo's date, where every
/// matured loan's status already counts its days since maturity), or later ones, where more
/// and more matured unpaid loans count their days since maturity instead (the DPD order
/// then merges two index walks).
fn todays() -> impl Strategy<Value = Option<chrono::NaiveDate>> {
    prop::sample::select(vec![
        None,
        chrono::NaiveDate::from_ymd_opt(2026, 9, 30),
        chrono::NaiveDate::from_ymd_opt(2028, 1, 31),
    ])
}

/// Where the text filter changes plans: the defaults, and small ones that reach the walking
/// plans and the capped ("at least") count on a 700-loan book; the walk's budget, default
/// or none (every walk gives up and the matches are sorted).
const TIERS: [(u64, u64, i32); 5] = [
    (300, 10_000, 60_000),
    (0, 10_000, 60_000),
    (0, 10_000, 0),
    (0, 0, 60_000),
    (5, 60, 0),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn window_always_shows_the_true_rows(
        ms in moves(),
        (sort, desc, text) in sorts(),
        height in 3u64..30,
        tiers in prop::sample::select(TIERS.to_vec()),
        today in todays(),
    ) {
        let store = Store::open(&book().1).unwrap();
        store.set_search_tiers(tiers.0, tiers.1);
        store.set_walk_budget(tiers.2);
        let q = LedgerQuery { sort, descending: desc, text: text.to_string(), today, ..LedgerQuery::default() };
        let truth = all_rows(&store, &q);
        if sort == LedgerSort::Dpd {
            // The model of the DPD order: by the days past due shown, then id.
            let keys: Vec<(i64, i64)> = truth.iter().map(|r| (r.overdue_days, r.id)).collect();
            let mut model = keys.clone();
            model.sort();
            if desc {
                model.reverse();
            }
            prop_assert_eq!(keys, model);
        }
        let mut list = LoanList::new(q);
        list.height = height;
        list.reload(&store).unwrap();
        if list.exact {
            prop_assert_eq!(list.total as usize, truth.len());
        } else {
            prop_assert!((list.total as usize) < truth.len(), "a lower bound: {} of {}", list.total, truth.len());
        }
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
            prop_assert!(list.total as usize <= truth.len());
            if list.exact {
                prop_assert_eq!(list.total as usize, truth.len());
            }
        }
    }
}

/// The substring search as a user means it: case-insensitive, in any of the three fields.
fn naive_filter(rows: &[LoanRow], text: &str) -> Vec<String> {
    let t = postloan::store::search_text(text).to_lowercase();
    rows.iter()
        .filter(|r| {
            t.is_empty()
                || [&r.contract_no, &r.borrower_name, &r.officer]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&t))
        })
        .map(|r| r.contract_no.clone())
        .collect()
}

#[test]
fn text_filter_finds_exactly_the_substring_matches_under_every_plan() {
    let store = Store::open(&book().1).unwrap();
    let queries = [
        "江苏",
        "恒",
        "有限公司",
        "wang",
        "WANG",
        "PL000001",
        "pl0004",
        "0",
        "p",
        "司",
        "公司有",
        "zz",
        "ＰＬ００００１",
        "　恒通　",
        "Ｗａｎｇ",
        "%",
        "_",
        "\\",
        "\"",
        "a\"b",
        "  恒通  ",
        "物流有限",
        "x",
        "PL00000123456789",
    ];
    for sort in LedgerSort::ALL {
        for desc in [false, true] {
            let plain = LedgerQuery {
                sort,
                descending: desc,
                ..LedgerQuery::default()
            };
            let everything = all_rows(&store, &plain);
            for text in queries {
                let expect = naive_filter(&everything, text);
                for (sorted, cap, budget) in TIERS {
                    store.set_search_tiers(sorted, cap);
                    store.set_walk_budget(budget);
                    let q = LedgerQuery {
                        text: text.to_string(),
                        ..plain.clone()
                    };
                    let got: Vec<String> = all_rows(&store, &q)
                        .into_iter()
                        .map(|r| r.contract_no)
                        .collect();
                    assert_eq!(
                        got, expect,
                        "{text:?} sorted by {sort:?} desc={desc} tiers {sorted}/{cap}"
                    );
                    let total = store.ledger_count(&q).unwrap();
                    if total.exact {
                        assert_eq!(
                            total.n as usize,
                            expect.len(),
                            "{text:?} tiers {sorted}/{cap}"
                        );
                    } else {
                        assert!(
                            total.n as usize == cap.max(1) as usize
                                && expect.len() > total.n as usize,
                            "{text:?}: {total:?}"
                        );
                    }
                    assert_eq!(store.ledger_count_exact(&q).unwrap() as usize, expect.len());
                }
            }
        }
    }
}

#[test]
fn full_width_input_finds_ascii_contract_numbers() {
    assert_eq!(
        postloan::store::search_text("　ＰＬ０００１\u{7}x "),
        "PL0001x"
    );
    assert_eq!(
        postloan::store::search_text("（集团）"),
        "（集团）",
        "punctuation is kept"
    );
    let store = Store::open(&book().1).unwrap();
    let count = |text: &str| {
        let q = LedgerQuery {
            text: text.into(),
            ..LedgerQuery::default()
        };
        store.ledger_count_exact(&q).unwrap()
    };
    assert!(count("ＰＬ０００００１") > 0);
    assert_eq!(count("ＰＬ０００００１"), count("PL000001"));
}

#[test]
fn text_filter_follows_renamed_borrowers_and_new_loans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let params = postloan::demo::DemoParams {
        loans: 60,
        seed: 5,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    };
    postloan::workflow::demo::open_or_build(&path, &params, false, "me").unwrap();
    let mut store = Store::open(&path).unwrap();
    let plain = LedgerQuery::default();
    let first = all_rows(&store, &plain).remove(0);
    let code = store.loan(first.id).unwrap().unwrap().borrower_code;
    let find = |store: &Store, text: &str| -> Vec<String> {
        let q = LedgerQuery {
            text: text.into(),
            ..LedgerQuery::default()
        };
        all_rows(store, &q)
            .into_iter()
            .map(|r| r.contract_no)
            .collect()
    };
    // Another user's screen has asked already (and keeps its answer while nothing changes).
    let other = Store::open(&path).unwrap();
    assert!(find(&other, "鑫鑫测试更名").is_empty());
    assert!(find(&other, "鑫鑫").is_empty());
    assert!(find(&store, "鑫鑫测试更名").is_empty());
    store
        .write(|tx| -> Result<_, postloan::store::StoreError> {
            tx.upsert_borrower(
                &postloan::domain::BorrowerRecord {
                    code: code.clone(),
                    name: "鑫鑫测试更名有限公司".into(),
                    credit_code: String::new(),
                    industry: String::new(),
                    region: String::new(),
                },
                "me",
            )
        })
        .unwrap();
    let renamed = find(&store, "鑫鑫测试更名");
    assert!(renamed.contains(&first.contract_no), "{renamed:?}");
    assert!(
        find(&store, &first.borrower_name)
            .iter()
            .all(|c| c != &first.contract_no)
    );
    // A two-character query goes through the term list: the new name's terms are there.
    assert!(find(&store, "鑫鑫").contains(&first.contract_no));
    // The other connection sees the commit, though its last plan ("鑫鑫": nothing) was
    // made before it.
    assert!(find(&other, "鑫鑫").contains(&first.contract_no));
    assert_eq!(find(&other, "鑫鑫测试更名"), renamed);
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
