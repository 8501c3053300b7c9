//! The import faults of issue #14, each kind with files made here: a key repeated within one
//! file, GBK bytes that are also valid UTF-8 (and repairing them by re-import), rates and
//! thresholds written as fractions, and the accounting forms of amounts.

mod support;

use postloan::domain::Role;
use postloan::extract::{Encoding, ExtractKind, Limits, ReadNote};
use postloan::i18n::Lang;
use postloan::store::{Store, Table};
use postloan::workflow::Actor;
use postloan::workflow::import::{ImportOptions, ImportReport, import_file, import_file_opts};
use rust_decimal::Decimal;
use std::str::FromStr;
use support::book::{LOANS_HEADER as LOANS, TestBook, import, write};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// An empty book with a manager "boss" and a specialist "zw".
fn book() -> (tempfile::TempDir, Store, Actor) {
    TestBook::with_staff(&[("zw", Role::Specialist)]).into_parts()
}

fn loan_row(contract: &str, borrower: &str, name: &str, outstanding: &str, rate: &str) -> String {
    format!(
        "{contract},{borrower},{name},working_capital,stock,CNY,\"1,000,000.00\",\"{outstanding}\",{rate},\
         2025-01-01,2026-01-01,mortgage,zw,quarterly\n"
    )
}

fn messages(r: &ImportReport) -> Vec<String> {
    r.errors.iter().map(|e| e.to_string()).collect()
}

/// A book holding loans HT1 (borrower B1) and HT2 (borrower B2).
fn book_with_loans() -> (tempfile::TempDir, Store, Actor) {
    let (dir, mut store, boss) = book();
    let text = format!(
        "{LOANS}{}{}",
        loan_row("HT1", "B1", "甲公司", "800,000.00", "4.35"),
        loan_row("HT2", "B2", "乙公司", "500,000.00", "4.35")
    );
    let p = write(dir.path(), "base.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!((r.inserted, r.error_count), (2, 0), "{:?}", messages(&r));
    (dir, store, boss)
}

#[test]
fn a_key_repeated_with_other_values_refuses_the_file_in_every_kind() {
    let (dir, mut store, boss) = book_with_loans();
    let stmt = "borrower_code,period_end,total_assets,total_liabilities,current_assets,\
current_liabilities,inventory,revenue,ebit,interest_expense,net_profit,operating_cash_flow\n";
    let cases: Vec<(ExtractKind, String, &str, &str, Table)> = vec![
        (
            ExtractKind::Loans,
            format!(
                "{LOANS}{}{}{}",
                loan_row("HT7", "B7", "丙公司", "800,000.00", "4.35"),
                loan_row("HT8", "B8", "丁公司", "100,000.00", "4.35"),
                loan_row("HT7", "B7", "丙公司", "300,000.00", "4.35")
            ),
            "4: column contract_no: 'HT7' repeats the contract_no of line 2 with different values \
             (lines 2 and 4)",
            "contract_no",
            Table::Loans,
        ),
        (
            ExtractKind::Borrowers,
            "borrower_code,name,credit_code,industry,region\n\
             B9,甲,91310000MA1FL4XX01,制造,上海\n\
             B9,甲,91310000MA1FL4XX01,制造,北京\n"
                .to_string(),
            "3: column borrower_code: 'B9' repeats the borrower_code of line 2 with different \
             values (lines 2 and 3)",
            "borrower_code",
            Table::Borrowers,
        ),
        (
            ExtractKind::Statements,
            format!(
                "{stmt}B1,2025-06-30,100,50,40,20,5,80,10,2,6,3\n\
                 B1,2025-06-30,100,60,40,20,5,80,10,2,6,3\n"
            ),
            "3: column borrower_code+period_end: 'B1, 2025-06-30' repeats the \
             borrower_code+period_end of line 2 with different values (lines 2 and 3)",
            "statements",
            Table::Statements,
        ),
        (
            ExtractKind::Repayments,
            "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n\
             HT1,2025-06-30,0,0,0\n\
             HT2,2025-06-30,0,0,0\n\
             HT1,2025-06-30,12,\"1,000.00\",5\n"
                .to_string(),
            "4: column contract_no+as_of: 'HT1, 2025-06-30' repeats the contract_no+as_of of \
             line 2 with different values (lines 2 and 4)",
            "repayments",
            Table::Repayments,
        ),
        (
            ExtractKind::Collateral,
            "contract_no,kind,description,appraised_value,appraised_on\n\
             HT1,real_estate,厂房,\"2,000,000.00\",2025-01-01\n\
             HT1,real_estate,厂房,\"1,500,000.00\",2025-01-01\n"
                .to_string(),
            "3: column contract_no+kind+description: 'HT1, real_estate, 厂房' repeats the \
             contract_no+kind+description of line 2 with different values (lines 2 and 3)",
            "collateral",
            Table::Collateral,
        ),
        (
            ExtractKind::FundFlows,
            "contract_no,paid_on,amount,counterparty,sector\n\
             HT1,2025-02-01,\"100,000.00\",某供应商,supplier\n\
             HT1,2025-02-01,100000,某供应商,real_estate\n"
                .to_string(),
            "3: column contract_no+paid_on+amount+counterparty: 'HT1, 2025-02-01, 100000, 某供应商' \
             repeats the contract_no+paid_on+amount+counterparty of line 2 with different values \
             (lines 2 and 3)",
            "fund-flows",
            Table::FundFlows,
        ),
        (
            ExtractKind::Covenants,
            "contract_no,indicator,yellow,orange,red\n\
             HT1,current_ratio,1.5,1.2,1.0\n\
             HT1,current_ratio,1.4,1.2,1.0\n"
                .to_string(),
            "3: column contract_no+indicator: 'HT1, current_ratio' repeats the \
             contract_no+indicator of line 2 with different values (lines 2 and 3)",
            "covenants",
            Table::Audit,
        ),
    ];
    for (kind, text, expected, name, table) in cases {
        let before = store.count_rows(table).unwrap();
        let audit = store.count_rows(Table::Audit).unwrap();
        let p = write(dir.path(), &format!("{name}.csv"), text.as_bytes());
        let r = import(&mut store, &boss, kind, &p);
        let want = format!(
            "{}:{expected}; each key may appear once in a file",
            p.display()
        );
        assert_eq!(messages(&r), vec![want], "{kind}");
        assert_eq!(r.error_count, 1, "{kind}");
        assert!(!r.written, "{kind}");
        assert_eq!(store.count_rows(table).unwrap(), before, "{kind}");
        assert_eq!(store.count_rows(Table::Audit).unwrap(), audit, "{kind}");
    }
    // The first loan of the refused file is not in the book either.
    assert!(store.loan_by_contract("HT7").unwrap().is_none());
}

#[test]
fn an_identical_repeat_is_taken_once_and_a_reimport_changes_nothing() {
    let (dir, mut store, boss) = book();
    // Line 4 repeats line 2 in every value (the amounts written differently).
    let text = format!(
        "{LOANS}{}{}{}",
        loan_row("HT1", "B1", "甲公司", "800,000.00", "4.35"),
        loan_row("HT2", "B2", "乙公司", "500,000.00", "4.35"),
        loan_row("HT1", "B1", "甲公司", "800000", "4.350")
    );
    let p = write(dir.path(), "loans.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!(
        (r.rows, r.inserted, r.updated, r.repeats, r.error_count),
        (3, 2, 0, 1, 0)
    );
    assert_eq!(r.notes, vec![ReadNote::Repeat { line: 4, first: 2 }]);
    let file = p.display().to_string();
    assert_eq!(
        r.notes[0].localized(&file, Lang::En),
        format!("{file}: line 4 repeats line 2; taken once")
    );
    assert_eq!(
        r.notes[0].localized(&file, Lang::ZhCn),
        format!("{file}：第 4 行与第 2 行完全相同，只取一次")
    );
    let loan = store.loan_by_contract("HT1").unwrap().unwrap();
    assert_eq!(loan.outstanding, dec("800000"));
    let audit = store.count_rows(Table::Audit).unwrap();
    let again = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!(
        (
            again.inserted,
            again.updated,
            again.unchanged,
            again.repeats
        ),
        (0, 0, 2, 1)
    );
    assert_eq!(store.count_rows(Table::Audit).unwrap(), audit);
}

#[test]
fn a_loans_file_naming_one_borrower_two_ways_is_refused() {
    let (dir, mut store, boss) = book();
    let text = format!(
        "{LOANS}{}{}",
        loan_row("HT1", "B1", "甲公司", "800,000.00", "4.35"),
        loan_row("HT2", "B1", "甲有限公司", "500,000.00", "4.35")
    );
    let p = write(dir.path(), "loans.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!(
        messages(&r),
        vec![format!(
            "{}:3: column borrower_name: '甲有限公司' differs from the name line 2 gives \
             borrower B1; one file must name a borrower one way",
            p.display()
        )]
    );
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 0);
}

/// `泰山石业` in GBK: `CC A9 C9 BD CA AF D2 B5`, which is also valid UTF-8.
fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

#[test]
fn gbk_bytes_that_are_valid_utf8_are_read_as_gbk() {
    let (dir, mut store, boss) = book();
    let text = "borrower_code,name,credit_code,industry,region\n\
                B9,泰山石业,91370000MA1FL4XX09,mfg,sd\n";
    let bytes = gbk(text);
    assert!(
        std::str::from_utf8(&bytes).is_ok(),
        "the case is valid UTF-8"
    );
    let p = write(dir.path(), "gbk.csv", &bytes);
    let r = import(&mut store, &boss, ExtractKind::Borrowers, &p);
    assert_eq!((r.inserted, r.encoding.as_str()), (1, "gbk"));
    let loans = format!(
        "{LOANS}{}",
        loan_row("HT9", "B9", "泰山石业", "1.00", "4.35")
    );
    let p = write(dir.path(), "loans_gbk.csv", &gbk(&loans));
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!((r.inserted, r.updated, r.encoding.as_str()), (1, 0, "gbk"));
    let loan = store.loan_by_contract("HT9").unwrap().unwrap();
    assert_eq!(loan.borrower_name, "泰山石业");
}

#[test]
fn ascii_real_utf8_chinese_and_western_names_stay_utf8() {
    let (dir, mut store, boss) = book();
    let header = "borrower_code,name,credit_code,industry,region\n";
    for (i, name) in [
        "Acme Ltd",
        "泰山石业",
        "Müller GmbH",
        "Société Générale",
        "Газпром",
    ]
    .iter()
    .enumerate()
    {
        let text = format!("{header}B{i},{name},91370000MA1FL4XX0{i},mfg,sd\n");
        let p = write(dir.path(), &format!("u{i}.csv"), text.as_bytes());
        let r = import(&mut store, &boss, ExtractKind::Borrowers, &p);
        assert_eq!((r.inserted, r.encoding.as_str()), (1, "utf-8"), "{name}");
    }
    let loans = format!(
        "{LOANS}{}",
        loan_row("HT1", "B1", "泰山石业", "1.00", "4.35")
    );
    let p = write(dir.path(), "loans.csv", loans.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!((r.inserted, r.encoding.as_str()), (1, "utf-8"));
    assert_eq!(
        store
            .loan_by_contract("HT1")
            .unwrap()
            .unwrap()
            .borrower_name,
        "泰山石业"
    );
}

#[test]
fn a_reimport_with_an_explicit_encoding_repairs_a_misread_name() {
    let (dir, mut store, boss) = book();
    let loans = format!(
        "{LOANS}{}",
        loan_row("HT9", "B9", "泰山石业", "1.00", "4.35")
    );
    let p = write(dir.path(), "loans.csv", &gbk(&loans));
    let utf8 = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Utf8,
        false,
    );
    let utf8 = utf8.unwrap();
    assert_eq!((utf8.inserted, utf8.encoding.as_str()), (1, "utf-8"));
    let misread = store.loan_by_contract("HT9").unwrap().unwrap();
    assert_eq!(misread.borrower_name, "\u{329}\u{27d}\u{2af}\u{4b5}");
    let audit = store.count_rows(Table::Audit).unwrap();
    let r = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Gbk,
        false,
    );
    let r = r.unwrap();
    assert_eq!(
        (r.inserted, r.updated, r.unchanged, r.encoding.as_str()),
        (0, 1, 0, "gbk")
    );
    let loan = store.loan_by_contract("HT9").unwrap().unwrap();
    assert_eq!(loan.borrower_name, "泰山石业");
    assert_eq!(store.count_rows(Table::Audit).unwrap(), audit + 1);
    // The borrower itself was renamed: a second loan of B9 in a later file agrees.
    let again = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Gbk,
        false,
    );
    assert_eq!(again.unwrap().unchanged, 1);
}

#[test]
fn a_rate_written_as_a_fraction_is_refused_with_the_likely_percent() {
    let (dir, mut store, boss) = book();
    let text = format!(
        "{LOANS}{}{}{}",
        loan_row("HT1", "B1", "甲", "1.00", "0.0435"),
        loan_row("HT2", "B2", "乙", "1.00", "40"),
        loan_row("HT3", "B3", "丙", "1.00", "0.05")
    );
    let p = write(dir.path(), "rates.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    let f = p.display();
    assert_eq!(
        messages(&r),
        vec![
            format!(
                "{f}:2: column interest_rate: '0.0435' looks like a fraction: 4.35? The column is \
                 percent a year (0.1 to 36 accepted; see [import] in the config)"
            ),
            format!(
                "{f}:3: column interest_rate: '40' not a rate between 0.1 and 36 (percent a \
                 year; see [import] in the config)"
            ),
            format!(
                "{f}:4: column interest_rate: '0.05' looks like a fraction: 5? The column is \
                 percent a year (0.1 to 36 accepted; see [import] in the config)"
            ),
        ]
    );
    assert_eq!(
        r.errors[0].localized(Lang::ZhCn),
        format!(
            "{f}:2：列 interest_rate：'0.0435' 像是小数写法：应为 4.35？此列为年利率百分数\
             （可接受 0.1 至 36；见配置 [import]）"
        )
    );
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 0);
    // Bounds come from the config: with 48 % allowed the 40 % loan is taken.
    let text = format!("{LOANS}{}", loan_row("HT2", "B2", "乙", "1.00", "40"));
    let p = write(dir.path(), "high.csv", text.as_bytes());
    let options = ImportOptions {
        limits: Limits {
            rate_min: dec("0.1"),
            rate_max: dec("48"),
        },
        ..Default::default()
    };
    let r = import_file_opts(&mut store, &boss, ExtractKind::Loans, &p, &options).unwrap();
    assert_eq!((r.inserted, r.error_count), (1, 0));
    let loan = store.loan_by_contract("HT2").unwrap().unwrap();
    assert_eq!(loan.interest_rate, dec("40"));
}

#[test]
fn a_percent_threshold_written_as_a_fraction_is_refused() {
    let (dir, mut store, boss) = book_with_loans();
    let text = "contract_no,indicator,yellow,orange,red\n\
                HT1,debt_to_asset,0.7,80,90\n\
                HT2,current_ratio,0.9,0.8,0.5\n\
                HT2,collateral_coverage,70,85,100\n\
                HT2,quick_ratio,120,80,50\n\
                HT1,debt_to_asset_rise,10,20,30\n";
    let p = write(dir.path(), "cov.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Covenants, &p);
    let f = p.display();
    assert_eq!(
        messages(&r),
        vec![
            format!(
                "{f}:2: column yellow: '0.7' looks like a fraction: 70? debt_to_asset thresholds \
                 are in percent"
            ),
            format!(
                "{f}:5: column yellow: '120' looks like a percent: 1.2? quick_ratio thresholds \
                 are ratios (1.2, not 120)"
            ),
            format!(
                "{f}:5: column orange: '80' looks like a percent: 0.8? quick_ratio thresholds \
                 are ratios (1.2, not 120)"
            ),
            format!(
                "{f}:5: column red: '50' looks like a percent: 0.5? quick_ratio thresholds are \
                 ratios (1.2, not 120)"
            ),
        ]
    );
    assert!(!r.written);
}

#[test]
fn accounting_amount_forms_are_stored_exactly() {
    let (dir, mut store, boss) = book_with_loans();
    let text = "borrower_code,period_end,total_assets,total_liabilities,current_assets,\
current_liabilities,inventory,revenue,ebit,interest_expense,net_profit,operating_cash_flow\n\
B1,2025-06-30,CNY 1,\"RMB 2,000.00\",\"¥3,000.50\",\"￥4,000\",5 000.00,６，０００．００,\
\"-¥1,234.00\",\"1 234.56\",\"(1,234.00)\",\"1,234.00-\"\n\
B2,2025-06-30,1,1,1,1,1,1,\"¥-7.00\",1,\"(¥8.00)\",（９）\n";
    let p = write(dir.path(), "stmt.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Statements, &p);
    assert_eq!((r.inserted, r.error_count), (2, 0), "{:?}", messages(&r));
    let b1 = store.loan_by_contract("HT1").unwrap().unwrap().borrower_id;
    let s = store.statements(b1, 1).unwrap().remove(0);
    assert_eq!(
        [
            s.total_assets,
            s.total_liabilities,
            s.current_assets,
            s.current_liabilities,
            s.inventory,
            s.revenue,
            s.ebit,
            s.interest_expense,
            s.net_profit,
            s.operating_cash_flow
        ],
        [
            dec("1"),
            dec("2000"),
            dec("3000.5"),
            dec("4000"),
            dec("5000"),
            dec("6000"),
            dec("-1234"),
            dec("1234.56"),
            dec("-1234"),
            dec("-1234")
        ]
    );
    let b2 = store.loan_by_contract("HT2").unwrap().unwrap().borrower_id;
    let s = store.statements(b2, 1).unwrap().remove(0);
    assert_eq!(
        (s.ebit, s.net_profit, s.operating_cash_flow),
        (dec("-7"), dec("-8"), dec("-9"))
    );
}

#[test]
fn negative_and_ambiguous_amounts_are_refused_with_the_reason() {
    let (dir, mut store, boss) = book();
    let text = format!(
        "{LOANS}{}{}{}",
        loan_row("HT1", "B1", "甲", "(1,000.00)", "4.35"),
        loan_row("HT2", "B2", "乙", "1.234,00", "4.35"),
        loan_row("HT3", "B3", "丙", "-¥5.00", "4.35")
    );
    let p = write(dir.path(), "neg.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    let f = p.display();
    let forms = "1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, \
                 (1,234.56), 1,234.56-";
    assert_eq!(
        messages(&r),
        vec![
            format!(
                "{f}:2: column outstanding: '(1,000.00)' not an amount: negative; this column \
                 cannot be negative"
            ),
            format!(
                "{f}:3: column outstanding: '1.234,00' not an amount: ambiguous decimal \
                 separator (write 1234.56 or 1,234.56); accepted forms: {forms}"
            ),
            format!(
                "{f}:4: column outstanding: '-¥5.00' not an amount: negative; this column \
                 cannot be negative"
            ),
        ]
    );
    assert_eq!(
        r.errors[0].localized(Lang::ZhCn),
        format!("{f}:2：列 outstanding：'(1,000.00)' 不是金额：为负数；此列不能为负")
    );
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 0);
}

#[test]
fn whole_file_errors_are_said_in_both_languages() {
    let (dir, mut store, boss) = book();
    // (FF FE would be a UTF-16 byte-order mark, refused as such: see tests/import_keys.rs.)
    let p = write(dir.path(), "bad.csv", b"\xff\x80\n");
    let err = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Utf8,
        false,
    );
    let Err(postloan::workflow::import::ImportError::Extract(e)) = err else {
        panic!("an encoding error was expected");
    };
    let f = p.display();
    assert_eq!(e.localized(Lang::En), e.to_string());
    assert_eq!(
        e.localized(Lang::En),
        format!(
            "{f}: not valid utf-8 at line 1, column 1 (byte 0); save the extract as UTF-8, or read it \
             with the GBK encoding"
        )
    );
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!(
            "{f}：第 1 行第 1 列（第 0 字节）不是有效的 utf-8 编码；请将文件另存为 UTF-8，或用 GBK 编码读取"
        )
    );
}
