//! Issue #14 fault 6, the ledger's half: a loan past its maturity with a balance still out is
//! past due at least the days since maturity, counted to the book's today, everywhere the book
//! shows, filters or sorts by days past due — `loans` (table, JSON, CSV), `loans --overdue`,
//! the DPD order in both directions and across page boundaries, the loan detail, the TUI
//! ledger and Today lists. Books are made in the test.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::config::Config;
use postloan::domain::Role;
use postloan::extract::ExtractKind;
use postloan::i18n::Lang;
use postloan::store::{LedgerQuery, LedgerSort, LoanRow, PageFrom, Store};
use postloan::tui::app::App;
use postloan::tui::keymap::Keymap;
use postloan::tui::panes::loan_detail::{self, DetailState};
use postloan::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use support::book::{LOANS_HEADER, REPAYMENTS_HEADER, TestBook};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The day the tests count on.
const TODAY: &str = "2024-06-30";

/// The loans of the example and its neighbours: (contract, outstanding, disbursed,
/// matures, stored DPD or none, the DPD expected on 2024-06-30).
type LoanCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    i64,
);

const LOANS: [LoanCase; 9] = [
    // The example: matured 2024-01-15, whole balance out, status of 2023-12-31 at 0.
    (
        "M1",
        "1,000,000.00",
        "2023-01-15",
        "2024-01-15",
        Some(0),
        167,
    ),
    // Matured yesterday with a little left: one day.
    ("M2", "100.00", "2023-06-29", "2024-06-29", None, 1),
    // Matures today: not yet past due.
    ("M3", "500,000.00", "2023-06-30", "2024-06-30", None, 0),
    // Matured and paid off: nothing is due.
    ("P1", "0.00", "2023-01-15", "2024-01-15", Some(0), 0),
    // Matured 2024-03-01 (121 days) with a status that already says more: the status.
    (
        "M4",
        "500,000.00",
        "2023-03-01",
        "2024-03-01",
        Some(200),
        200,
    ),
    // Matured 2024-02-29 (122 days), status behind it: 122, between M1 and M4's neighbours.
    ("M5", "20,000.00", "2023-02-28", "2024-02-29", Some(30), 122),
    // Current loans, their status as it is.
    ("N1", "800,000.00", "2024-01-10", "2026-01-10", Some(0), 0),
    (
        "N2",
        "300,000.00",
        "2023-09-01",
        "2025-09-01",
        Some(122),
        122,
    ),
    ("N3", "300,000.00", "2023-09-01", "2025-09-01", Some(45), 45),
];

fn loans_csv(officer: &str) -> String {
    let mut csv = LOANS_HEADER.to_string();
    for (c, out, dis, mat, _, _) in LOANS {
        csv.push_str(&format!(
            "{c},XB1,到期未还有限公司,working_capital,采购,CNY,\"1,000,000.00\",\"{out}\",4.35,{dis},{mat},unsecured,{officer},quarterly\n"
        ));
    }
    csv
}

fn repayments_csv() -> String {
    let mut csv = REPAYMENTS_HEADER.to_string();
    for (c, _, _, _, dpd, _) in LOANS {
        if let Some(d) = dpd {
            csv.push_str(&format!("{c},2023-12-31,{d},0,0\n"));
        }
    }
    csv
}

fn expected() -> BTreeMap<String, i64> {
    LOANS.iter().map(|(c, .., e)| (c.to_string(), *e)).collect()
}

type Book = TestBook;

/// A fresh book with the loans above (officer `spec`), plus `extra` more made by `extra_csv`.
fn book_with(extra: &str, extra_repayments: &str) -> Book {
    let mut b = TestBook::with_staff(&[("spec", Role::Specialist)]);
    b.import(ExtractKind::Loans, &format!("{}{extra}", loans_csv("spec")));
    b.import(
        ExtractKind::Repayments,
        &format!("{}{extra_repayments}", repayments_csv()),
    );
    b
}

fn query(sort: LedgerSort, descending: bool) -> LedgerQuery {
    LedgerQuery {
        sort,
        descending,
        today: Some(day(TODAY)),
        ..LedgerQuery::default()
    }
}

fn all(store: &Store, q: &LedgerQuery) -> Vec<LoanRow> {
    store.ledger_page(q, &PageFrom::Start, 10_000).unwrap()
}

fn contracts(rows: &[LoanRow]) -> Vec<&str> {
    rows.iter().map(|r| r.contract_no.as_str()).collect()
}

#[test]
fn the_ledger_counts_a_matured_unpaid_loan_past_due_since_maturity() {
    let b = book_with("", "");
    let rows = all(&b.store, &query(LedgerSort::ContractNo, false));
    let got: BTreeMap<String, i64> = rows
        .iter()
        .map(|r| (r.contract_no.clone(), r.overdue_days))
        .collect();
    assert_eq!(got, expected());

    // --overdue: exactly the loans past due on the day, the matured unpaid ones included.
    let overdue = LedgerQuery {
        overdue_only: true,
        ..query(LedgerSort::ContractNo, false)
    };
    assert_eq!(
        contracts(&all(&b.store, &overdue)),
        ["M1", "M2", "M4", "M5", "N2", "N3"]
    );
    assert_eq!(b.store.ledger_count(&overdue).unwrap().n, 6);
    assert_eq!(b.store.ledger_count_exact(&overdue).unwrap(), 6);

    // The day matters: on the maturity date of M1 it is not past due, a day later it is.
    let on = |d: &str| LedgerQuery {
        today: Some(day(d)),
        ..overdue.clone()
    };
    assert!(!contracts(&all(&b.store, &on("2024-01-15"))).contains(&"M1"));
    let next = all(&b.store, &on("2024-01-16"));
    let m1 = next.iter().find(|r| r.contract_no == "M1").expect("M1");
    assert_eq!(m1.overdue_days, 1);
}

#[test]
fn the_dpd_order_counts_days_since_maturity_both_ways_and_across_pages() {
    let b = book_with("", "");
    // Ties (M5 and N2 at 122; the zeros) go by id, which is import order.
    let up = ["M3", "P1", "N1", "M2", "N3", "M5", "N2", "M1", "M4"];
    let asc = all(&b.store, &query(LedgerSort::Dpd, false));
    assert_eq!(contracts(&asc), up);
    let desc = all(&b.store, &query(LedgerSort::Dpd, true));
    let mut down = up;
    down.reverse();
    assert_eq!(contracts(&desc), down);
    for r in asc.iter().chain(&desc) {
        // The keyset position is the value shown (the sort value is private to the store).
        assert_eq!(
            format!("{:?}", r.sort_key),
            format!("Int({})", r.overdue_days),
            "{}",
            r.contract_no
        );
    }
    // Every page size, forward from the start and backward from the end, in both orders.
    for descending in [false, true] {
        let q = query(LedgerSort::Dpd, descending);
        let truth = contracts(&all(&b.store, &q))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        for size in 1..=truth.len() {
            assert_eq!(
                walk(&b.store, &q, size, true),
                truth,
                "size {size} {descending}"
            );
            assert_eq!(
                walk(&b.store, &q, size, false),
                truth,
                "size {size} {descending}"
            );
        }
        // Re-reading in place from each row keeps the row.
        let rows = all(&b.store, &q);
        for (i, r) in rows.iter().enumerate() {
            let page = b
                .store
                .ledger_page(&q, &PageFrom::AtOrAfter(r.key()), 3)
                .unwrap();
            assert_eq!(
                contracts(&page),
                contracts(&rows[i..(i + 3).min(rows.len())]),
                "at {}",
                r.contract_no
            );
        }
    }
}

/// The whole listing read `size` rows at a time, forward (After) or backward (Before).
fn walk(store: &Store, q: &LedgerQuery, size: usize, forward: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut from = if forward {
        PageFrom::Start
    } else {
        PageFrom::End
    };
    loop {
        let page = store.ledger_page(q, &from, size).unwrap();
        let names: Vec<String> = page.iter().map(|r| r.contract_no.clone()).collect();
        if forward {
            out.extend(names);
        } else {
            out.splice(0..0, names);
        }
        if page.len() < size {
            return out;
        }
        from = if forward {
            PageFrom::After(page[page.len() - 1].key())
        } else {
            PageFrom::Before(page[0].key())
        };
    }
}

/// Many loans around the day: every mix of maturity (long before, just before, on, after),
/// balance (none or some) and stored status (0 to more than the days since maturity). The
/// ledger's SQL (filter and order) and the engine's rule must give the same values.
#[test]
fn the_ledger_agrees_with_the_engine_rule_on_every_mix() {
    let today = day(TODAY);
    let mut extra = String::new();
    let mut reps = String::new();
    let mut want: BTreeMap<String, i64> = expected();
    let mut n = 0;
    for offset in [-400i64, -122, -121, -30, -2, -1, 0, 1, 90] {
        for outstanding in ["0.00", "0.01", "250,000.00"] {
            for status in [None, Some(0i64), Some(1), Some(121), Some(122), Some(500)] {
                n += 1;
                let c = format!("X{n:03}");
                let mat = today + chrono::Duration::days(offset);
                let dis = mat - chrono::Duration::days(400);
                extra.push_str(&format!(
                    "{c},XB2,某某有限公司,working_capital,采购,CNY,\"1,000,000.00\",\"{outstanding}\",4.35,{dis},{mat},unsecured,spec,quarterly\n"
                ));
                if let Some(s) = status {
                    reps.push_str(&format!("{c},2024-06-01,{s},0,0\n"));
                }
                let out: rust_decimal::Decimal = outstanding.replace(',', "").parse().unwrap();
                want.insert(
                    c,
                    postloan::engine::dpd_as_of(status.unwrap_or(0), out, mat, today),
                );
            }
        }
    }
    let b = book_with(&extra, &reps);
    for sort in [LedgerSort::ContractNo, LedgerSort::Dpd] {
        for descending in [false, true] {
            let rows = all(&b.store, &query(sort, descending));
            let got: BTreeMap<String, i64> = rows
                .iter()
                .map(|r| (r.contract_no.clone(), r.overdue_days))
                .collect();
            assert_eq!(got, want, "{sort:?} {descending}");
            if sort == LedgerSort::Dpd {
                let keys: Vec<(i64, i64)> = rows.iter().map(|r| (r.overdue_days, r.id)).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                if descending {
                    sorted.reverse();
                }
                assert_eq!(keys, sorted, "DPD order {descending}");
                for size in [1, 4, 7, 30] {
                    let q = query(sort, descending);
                    assert_eq!(walk(&b.store, &q, size, true), contracts(&rows));
                    assert_eq!(walk(&b.store, &q, size, false), contracts(&rows));
                }
            }
        }
    }
    let overdue = LedgerQuery {
        overdue_only: true,
        ..query(LedgerSort::Dpd, false)
    };
    let got: Vec<String> = all(&b.store, &overdue)
        .into_iter()
        .map(|r| r.contract_no)
        .collect();
    let mut want_overdue: Vec<String> = want
        .iter()
        .filter(|(_, d)| **d > 0)
        .map(|(c, _)| c.clone())
        .collect();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    want_overdue.sort();
    assert_eq!(got_sorted, want_overdue);
}

#[test]
fn the_loan_detail_and_the_workbench_lists_show_the_days_since_maturity() {
    let b = book_with("", "");
    let loan = b.store.loan_by_contract("M1").unwrap().expect("M1");
    assert_eq!(loan.overdue_days, 0, "the stored status stays as imported");
    assert_eq!(loan.days_past_due(day(TODAY)), 167);
    assert_eq!(loan.days_past_due(day("2024-01-15")), 0);

    // The loan detail as drawn: its DPD line says 167.
    let detail = DetailState::load(&b.store, loan.id)
        .unwrap()
        .expect("detail");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|f| {
            let area = f.area();
            let rules = postloan::engine::RuleSet::defaults();
            loan_detail::render(
                &detail,
                f,
                area,
                Lang::En,
                &Theme::colour(),
                &rules,
                day(TODAY),
            )
        })
        .unwrap();
    let screen = screen_text(terminal.backend().buffer());
    let dpd_line = screen
        .lines()
        .find(|l| l.contains("DPD"))
        .expect("a DPD line");
    assert!(dpd_line.contains("167"), "{dpd_line}");

    // The workbench's ledger and Today lists, as of the book's today.
    let app = App::new(
        b.store,
        b.boss.clone(),
        Lang::En,
        Theme::colour(),
        Keymap::load(None).0,
        Config::defaults(),
        day(TODAY),
        (120, 40),
    )
    .unwrap();
    for (name, list) in [("ledger", &*app.ledger), ("today", &*app.today)] {
        let m1 = list
            .visible()
            .map(|(_, r)| r)
            .find(|r| r.contract_no == "M1")
            .unwrap_or_else(|| panic!("M1 in {name}"));
        assert_eq!(m1.overdue_days, 167, "{name}");
    }
}

fn screen_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

/// From outside, as a user would: a demo book dated 2024-06-30, the loan imported
/// into it, then `loans` in every format and `loans --overdue`.
#[test]
fn loans_command_shows_and_filters_matured_unpaid_loans() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("postloan")
            .unwrap()
            .env("LANG", "en_US.UTF-8")
            .arg("--lang")
            .arg("en")
            .arg("--db")
            .arg(&db)
            .arg("--as")
            .arg("zhao.lei")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    Command::cargo_bin("postloan")
        .unwrap()
        .args(["--lang", "en", "demo", "--no-tui", "--loans", "40"])
        .args(["--as-of", TODAY, "--db"])
        .arg(&db)
        .assert()
        .success();
    let loans = dir.path().join("loans.csv");
    std::fs::write(&loans, loans_csv("wang.fang")).unwrap();
    let reps = dir.path().join("repayments.csv");
    std::fs::write(&reps, repayments_csv()).unwrap();
    run(&["import", "loans", loans.to_str().unwrap()]);
    run(&["import", "repayments", reps.to_str().unwrap()]);

    let json: serde_json::Value =
        serde_json::from_str(&run(&["loans", "--format", "json"])).unwrap();
    let all = json.as_array().unwrap();
    let dpd_of = |rows: &[serde_json::Value], c: &str| {
        rows.iter()
            .find(|l| l["contract_no"] == c)
            .map(|l| l["overdue_days"].as_i64().unwrap())
    };
    for (c, e) in expected() {
        assert_eq!(dpd_of(all, &c), Some(e), "{c}");
    }
    let overdue: serde_json::Value =
        serde_json::from_str(&run(&["loans", "--overdue", "--format", "json"])).unwrap();
    let overdue = overdue.as_array().unwrap();
    for (c, e) in expected() {
        assert_eq!(dpd_of(overdue, &c).is_some(), e > 0, "{c} in --overdue");
    }
    // The filter and the column agree on the whole book, the demo's own loans too.
    let past_due = all
        .iter()
        .filter(|l| l["overdue_days"].as_i64().unwrap() > 0)
        .count();
    assert_eq!(overdue.len(), past_due);

    let csv = run(&["loans", "--format", "csv", "--search", "M1"]);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("M1,") && l.contains(",167,")),
        "{csv}"
    );
    let table = run(&["loans", "--search", "到期未还"]);
    let m1 = table
        .lines()
        .find(|l| l.starts_with("M1 "))
        .expect("M1 row");
    assert!(m1.split_whitespace().any(|w| w == "167"), "{m1}");
}
