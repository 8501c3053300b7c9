use super::*;
use crate::domain::codes::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

const LOANS_GOOD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/extract/loans_good.csv"
));
const LOANS_BAD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/extract/loans_bad.csv"
));
const BORROWERS_GOOD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/extract/borrowers_good.csv"
));

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test literal")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test literal")
}

type Rows = Vec<(u64, Record)>;

fn read_bytes(
    name: &str,
    bytes: &[u8],
    kind: ExtractKind,
    encoding: Encoding,
    cap: usize,
) -> Result<(ReadSummary, Rows), ExtractError> {
    let mut rows = Vec::new();
    let summary = read_extract_from_bytes(name, bytes, kind, encoding, cap, |line, rec| {
        rows.push((line, rec));
        Ok(())
    })?;
    Ok((summary, rows))
}

fn read(kind: ExtractKind, csv: &str) -> (ReadSummary, Rows) {
    read_bytes("t.csv", csv.as_bytes(), kind, Encoding::Auto, 100).expect("readable extract")
}

fn messages(summary: &ReadSummary) -> Vec<String> {
    summary.errors.iter().map(|e| e.to_string()).collect()
}

fn only_loans(rows: Rows) -> Vec<(u64, LoanRecord)> {
    rows.into_iter()
        .map(|(line, r)| match r {
            Record::Loan(l) => (line, l),
            other => panic!("not a loan: {other:?}"),
        })
        .collect()
}

#[test]
fn kinds_and_encodings_parse() {
    assert_eq!(
        ExtractKind::parse("fund_flows"),
        Some(ExtractKind::FundFlows)
    );
    assert_eq!(
        ExtractKind::parse(" Fund-Flows "),
        Some(ExtractKind::FundFlows)
    );
    assert_eq!(ExtractKind::parse("loans"), Some(ExtractKind::Loans));
    assert_eq!(ExtractKind::parse("loan"), None);
    for k in ExtractKind::ALL {
        assert_eq!(ExtractKind::parse(k.code()), Some(*k));
    }
    assert_eq!(
        ExtractKind::Loans.optional_columns(),
        &["classification", "restructured_on", "credit_impaired"]
    );
    assert_eq!(ExtractKind::Borrowers.required_columns().len(), 5);
    assert_eq!(Encoding::parse("UTF8"), Some(Encoding::Utf8));
    assert_eq!(Encoding::parse("gb18030"), Some(Encoding::Gbk));
    assert_eq!(Encoding::parse("auto"), Some(Encoding::Auto));
    assert_eq!(Encoding::parse("latin1"), None);
}

#[test]
fn loans_fixture_parses_with_chinese_codes() {
    let (summary, rows) = read_bytes(
        "loans_good.csv",
        LOANS_GOOD,
        ExtractKind::Loans,
        Encoding::Auto,
        10,
    )
    .expect("readable");
    assert_eq!(messages(&summary), Vec::<String>::new());
    assert_eq!(
        (summary.rows, summary.accepted, summary.encoding),
        (3, 3, "utf-8")
    );
    let loans = only_loans(rows);
    let lines: Vec<u64> = loans.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 3, 4]);
    let first = &loans[0].1;
    assert_eq!(
        first,
        &LoanRecord {
            contract_no: "HT2024001".into(),
            borrower_code: "B001".into(),
            borrower_name: "华东机械制造有限公司".into(),
            product: Product::WorkingCapital,
            purpose: "采购原材料".into(),
            currency: "CNY".into(),
            principal: dec("5000000"),
            outstanding: dec("4200000"),
            interest_rate: dec("4.35"),
            disbursed_on: day("2024-03-15"),
            matures_on: day("2025-03-14"),
            guarantee_type: GuaranteeType::Mortgage,
            officer: "zhangwei".into(),
            tracking_frequency: TrackingFrequency::Quarterly,
            classification: Some(Classification::Pass),
            restructured_on: None,
            credit_impaired: None,
        }
    );
    assert_eq!(loans[1].1.currency, "CNY");
    assert_eq!(
        loans[1].1.classification,
        Some(Classification::SpecialMention)
    );
    assert_eq!(loans[1].1.tracking_frequency, TrackingFrequency::Monthly);
    assert_eq!(loans[2].1.classification, None, "an empty cell: not given");
    assert_eq!(loans[2].1.outstanding, dec("350000.5"));
}

#[test]
fn loans_without_optional_column_default_to_pass() {
    let csv = "officer,tracking_frequency,guarantee_type,matures_on,disbursed_on,interest_rate,\
outstanding,principal,currency,purpose,product,borrower_name,borrower_code,contract_no,remark\n\
lina,年,信用,2026-01-01,2025-01-01,3.1%,0,100,eur,补充流动资金,流贷,某公司,B9,HT9,ignored\n";
    let (summary, rows) = read(ExtractKind::Loans, csv);
    assert_eq!(messages(&summary), Vec::<String>::new());
    let loans = only_loans(rows);
    assert_eq!(
        loans[0].1.classification, None,
        "not given: a new loan is 正常"
    );
    assert_eq!(loans[0].1.currency, "EUR");
    assert_eq!(loans[0].1.interest_rate, dec("3.1"));
    assert_eq!(loans[0].1.guarantee_type, GuaranteeType::Unsecured);
}

#[test]
fn borrowers_fixture_parses_and_uppercases_credit_code() {
    let (summary, rows) = read_bytes(
        "borrowers_good.csv",
        BORROWERS_GOOD,
        ExtractKind::Borrowers,
        Encoding::Auto,
        10,
    )
    .expect("readable");
    assert_eq!(messages(&summary), Vec::<String>::new());
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1],
        (
            3,
            Record::Borrower(BorrowerRecord {
                code: "B002".into(),
                name: "江南纺织股份有限公司".into(),
                credit_code: "91320500134567890X".into(),
                industry: "纺织业".into(),
                region: "江苏".into(),
            })
        )
    );
}

#[test]
fn statements_parse_with_negative_lines() {
    let csv = "net_profit,revenue,borrower_code,period_end,total_assets,total_liabilities,\
current_assets,current_liabilities,inventory,ebit,interest_expense,operating_cash_flow\n\
\"-1,234.50\",\"80,000,000\",B001,2025-12-31,100000000,60000000,40000000,30000000,8000000,-500000,1200000,-3000000\n";
    let (summary, rows) = read(ExtractKind::Statements, csv);
    assert_eq!(messages(&summary), Vec::<String>::new());
    let Some((2, Record::Statement(s))) = rows.first() else {
        panic!("expected a statement on line 2: {rows:?}");
    };
    assert_eq!(s.net_profit, dec("-1234.5"));
    assert_eq!(s.ebit, dec("-500000"));
    assert_eq!(s.operating_cash_flow, dec("-3000000"));
    assert_eq!(s.revenue, dec("80000000"));
    assert_eq!(s.period_end, day("2025-12-31"));

    let negative_assets = csv.replace(",100000000,", ",-100000000,");
    let (summary, rows) = read(ExtractKind::Statements, &negative_assets);
    assert!(rows.is_empty());
    assert_eq!(
        messages(&summary),
        [
            "t.csv:2: column total_assets: '-100000000' not an amount: negative; this column cannot be negative"
        ]
    );
}

#[test]
fn repayments_parse_and_check_days() {
    let csv = "overdue_interest,as_of,contract_no,overdue_principal,overdue_days\n\
1200.5,2026-01-31,HT1,\"100,000\",35\n\
0,2026-01-31,HT2,0,-3\n\
0,2026-01-31,HT3,0,1.5\n";
    let (summary, rows) = read(ExtractKind::Repayments, csv);
    assert_eq!(
        rows,
        [(
            2,
            Record::Repayment(RepaymentRecord {
                contract_no: "HT1".into(),
                as_of: day("2026-01-31"),
                overdue_days: 35,
                overdue_principal: dec("100000"),
                overdue_interest: dec("1200.5"),
            })
        )]
    );
    assert_eq!(
        messages(&summary),
        [
            "t.csv:3: column overdue_days: '-3' not a whole number of days (0 or more)",
            "t.csv:4: column overdue_days: '1.5' not a whole number of days (0 or more)",
        ]
    );
}

#[test]
fn collateral_parses_chinese_kinds() {
    let csv = "appraised_on,appraised_value,kind,contract_no,description\n\
2025-06-30,\"8,500,000.00\",房产,HT1,上海市浦东新区厂房\n\
2025-06-30,120000,machinery,HT2,车床\n";
    let (summary, rows) = read(ExtractKind::Collateral, csv);
    assert_eq!(
        rows,
        [(
            2,
            Record::Collateral(CollateralRecord {
                contract_no: "HT1".into(),
                kind: CollateralKind::RealEstate,
                description: "上海市浦东新区厂房".into(),
                appraised_value: dec("8500000"),
                appraised_on: day("2025-06-30"),
            })
        )]
    );
    assert_eq!(
        messages(&summary),
        [format!(
            "t.csv:3: column kind: 'machinery' not one of: {}",
            CollateralKind::accepted()
        )]
    );
}

#[test]
fn fund_flows_parse_chinese_sectors() {
    let csv = "Sector , Amount,PAID_ON,counterparty,contract_no\n\
证券投资,\"2,000,000\",2025-04-01,某证券公司,HT1\n\
供应商货款,150000,2025-04-02,原料供应商,HT1\n";
    let (summary, rows) = read(ExtractKind::FundFlows, csv);
    assert_eq!(messages(&summary), Vec::<String>::new());
    let sectors: Vec<Sector> = rows
        .iter()
        .map(|(_, r)| match r {
            Record::FundFlow(f) => f.sector,
            other => panic!("not a fund flow: {other:?}"),
        })
        .collect();
    assert_eq!(sectors, [Sector::Securities, Sector::Supplier]);
}

#[test]
fn bad_cells_report_file_line_column_value_and_why() {
    let (summary, rows) = read_bytes(
        "loans_bad.csv",
        LOANS_BAD,
        ExtractKind::Loans,
        Encoding::Auto,
        100,
    )
    .expect("readable");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 2);
    assert_eq!(summary.rows, 6);
    assert_eq!(
        messages(&summary),
        [
            "loans_bad.csv:3: column principal: '5,00,000' not an amount: misplaced thousands separator; accepted forms: 1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, (1,234.56), 1,234.56-".to_string(),
            "loans_bad.csv:4: column disbursed_on: '2024/03/15' not a date (YYYY-MM-DD)".to_string(),
            "loans_bad.csv:5: column guarantee_type: '抵押物' not one of: mortgage/抵押, pledge/质押, guarantee/保证, unsecured/信用".to_string(),
            "loans_bad.csv:6: column -: 'HT2025005,B005' has 2 fields, the header has 15".to_string(),
            "loans_bad.csv:8: column outstanding: '6,000,000' greater than principal (5000000)".to_string(),
        ]
    );
    assert_eq!(summary.error_count, 5);
}

#[test]
fn every_bad_cell_of_a_row_is_reported() {
    let csv = "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,\
outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency\n\
 ,B1,某公司,流贷,x,RMB1,1,1,101,2025-01-01,2024-01-01,抵押,li,weekly\n";
    let (summary, rows) = read(ExtractKind::Loans, csv);
    assert!(rows.is_empty());
    assert_eq!(
        messages(&summary),
        [
            "t.csv:2: column contract_no: '' empty".to_string(),
            "t.csv:2: column currency: 'RMB1' not a 3-letter currency code (e.g. CNY)".to_string(),
            "t.csv:2: column interest_rate: '101' not a rate between 0.1 and 36 (percent a year; see [import] in the config)"
                .to_string(),
            format!(
                "t.csv:2: column tracking_frequency: 'weekly' not one of: {}",
                TrackingFrequency::accepted()
            ),
            "t.csv:2: column matures_on: '2024-01-01' not after disbursed_on (2025-01-01)"
                .to_string(),
        ]
    );
}

#[test]
fn bad_credit_code_is_explained() {
    let csv =
        "borrower_code,name,credit_code,industry,region\nB1,某公司,91310000MA1FL8XQ3,制造业,上海\n";
    let (summary, rows) = read(ExtractKind::Borrowers, csv);
    assert!(rows.is_empty());
    assert_eq!(
        messages(&summary),
        [
            "t.csv:2: column credit_code: '91310000MA1FL8XQ3' not an 18-character unified social credit code"
        ]
    );
}

#[test]
fn missing_columns_are_all_listed() {
    let csv = "contract_no,paid_on,remark\nHT1,2025-01-01,x\n";
    let err = read_bytes(
        "flows.csv",
        csv.as_bytes(),
        ExtractKind::FundFlows,
        Encoding::Auto,
        10,
    )
    .expect_err("missing columns");
    assert!(
        matches!(&err, ExtractError::MissingColumns { columns, .. } if columns == &["amount", "counterparty", "sector"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "flows.csv: the header lacks required column(s) amount, counterparty, sector; \
a fund-flows extract needs: contract_no, paid_on, amount, counterparty, sector"
    );
}

#[test]
fn duplicate_and_empty_headers_are_errors() {
    let csv = "contract_no,paid_on,amount,counterparty,sector,Amount\n";
    let err = read_bytes(
        "d.csv",
        csv.as_bytes(),
        ExtractKind::FundFlows,
        Encoding::Auto,
        10,
    )
    .expect_err("duplicate");
    assert_eq!(
        err.to_string(),
        "d.csv:1: column 'amount' appears more than once in the header; keep one"
    );
    for empty in ["", "\n\n", "\u{feff}"] {
        let err = read_bytes(
            "e.csv",
            empty.as_bytes(),
            ExtractKind::Loans,
            Encoding::Auto,
            10,
        )
        .expect_err("empty");
        assert!(matches!(err, ExtractError::EmptyFile { .. }), "{err:?}");
        assert!(err.to_string().starts_with("e.csv: the file is empty"));
    }
}

#[test]
fn utf8_bom_is_stripped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(BORROWERS_GOOD);
    for enc in [Encoding::Auto, Encoding::Utf8, Encoding::Gbk] {
        let (summary, rows) =
            read_bytes("bom.csv", &bytes, ExtractKind::Borrowers, enc, 10).expect("readable");
        assert_eq!(messages(&summary), Vec::<String>::new());
        assert_eq!((rows.len(), summary.encoding), (3, "utf-8"));
    }
}

#[test]
fn gbk_is_detected_and_decoded() {
    let text = std::str::from_utf8(LOANS_GOOD).expect("fixture is UTF-8");
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "sample must not be valid UTF-8"
    );
    let (_, want) = read(ExtractKind::Loans, text);
    for enc in [Encoding::Auto, Encoding::Gbk] {
        let (summary, rows) =
            read_bytes("gbk.csv", &gbk, ExtractKind::Loans, enc, 10).expect("readable");
        assert_eq!(messages(&summary), Vec::<String>::new());
        assert_eq!(summary.encoding, "gbk");
        assert_eq!(rows, want);
    }
    let loans = only_loans(want);
    assert_eq!(loans[0].1.borrower_name, "华东机械制造有限公司");
}

#[test]
fn strict_utf8_names_the_bad_byte() {
    let (gbk, _, _) = encoding_rs::GB18030.encode("borrower_code,name\nB1,华东\n");
    let err = read_bytes("x.csv", &gbk, ExtractKind::Borrowers, Encoding::Utf8, 10)
        .expect_err("not UTF-8");
    assert!(
        matches!(
            err,
            ExtractError::Encoding {
                offset: 22,
                line: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("x.csv: not valid utf-8 at line 2, column 4 (byte 22); "),
        "{err}"
    );
}

#[test]
fn malformed_gbk_is_an_encoding_error() {
    // 0x81 0x20 is neither UTF-8 nor a GB18030 sequence.
    let bytes = b"borrower_code,name\nB1,\x81\x20x\n";
    for enc in [Encoding::Gbk, Encoding::Auto] {
        let err =
            read_bytes("g.csv", bytes, ExtractKind::Borrowers, enc, 10).expect_err("malformed");
        assert!(
            matches!(
                err,
                ExtractError::Encoding {
                    offset: 22,
                    line: 2,
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[test]
fn errors_beyond_the_cap_are_counted_not_kept() {
    let mut csv = String::from("contract_no,paid_on,amount,counterparty,sector\n");
    for i in 0..10 {
        csv.push_str(&format!("HT{i},2025-13-01,abc,对方,其他\n"));
    }
    let (summary, rows) = read_bytes(
        "c.csv",
        csv.as_bytes(),
        ExtractKind::FundFlows,
        Encoding::Auto,
        3,
    )
    .expect("readable");
    assert!(rows.is_empty());
    assert_eq!(summary.rows, 10);
    assert_eq!(summary.error_count, 20);
    assert_eq!(
        messages(&summary),
        [
            "c.csv:2: column paid_on: '2025-13-01' not a date (YYYY-MM-DD)",
            "c.csv:2: column amount: 'abc' not an amount: not a number; accepted forms: 1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, (1,234.56), 1,234.56-",
            "c.csv:3: column paid_on: '2025-13-01' not a date (YYYY-MM-DD)",
        ]
    );
}

#[test]
fn on_row_errors_are_collected() {
    let csv = "contract_no,paid_on,amount,counterparty,sector\n\
HT1,2025-01-01,1,a,其他\nHT2,2025-01-01,2,b,工资\nHT3,2025-01-01,3,c,税费\n";
    let mut seen = Vec::new();
    let summary = read_extract_from_bytes(
        "o.csv",
        csv.as_bytes(),
        ExtractKind::FundFlows,
        Encoding::Auto,
        10,
        |line, rec| {
            seen.push(line);
            match rec {
                Record::FundFlow(f) if f.contract_no == "HT2" => Err(RowError::new(
                    "",
                    0,
                    "contract_no",
                    &f.contract_no,
                    "unknown contract",
                )),
                _ => Ok(()),
            }
        },
    )
    .expect("readable");
    assert_eq!(seen, [2, 3, 4]);
    assert_eq!(
        (summary.rows, summary.accepted, summary.error_count),
        (3, 2, 1)
    );
    assert_eq!(
        messages(&summary),
        ["o.csv:3: column contract_no: 'HT2' unknown contract"]
    );
}

#[test]
fn blank_lines_are_skipped_and_lines_stay_right() {
    let csv = "\ncontract_no,paid_on,amount,counterparty,sector\n\nHT1,2025-01-01,1,a,其他\n\n , ,,,\n\nHT2,2025-01-01,x,b,工资\n";
    let (summary, rows) = read(ExtractKind::FundFlows, csv);
    assert_eq!(rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [4]);
    assert_eq!(summary.rows, 2);
    assert_eq!(
        messages(&summary),
        [
            "t.csv:8: column amount: 'x' not an amount: not a number; accepted forms: 1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, (1,234.56), 1,234.56-"
        ]
    );
}

#[test]
fn quoted_multiline_field_keeps_line_numbers() {
    let csv = "contract_no,kind,description,appraised_value,appraised_on\r\n\
HT1,房产,\"上海市浦东新区\r\n张江路 88 号\",1000000,2024-01-01\r\n\
HT2,设备,数控机床,bad,2024-01-01\r\n";
    let (summary, rows) = read(ExtractKind::Collateral, csv);
    assert_eq!(rows.len(), 1);
    let (2, Record::Collateral(c)) = &rows[0] else {
        panic!("expected collateral on line 2: {rows:?}");
    };
    assert_eq!(c.description, "上海市浦东新区  张江路 88 号");
    assert_eq!(c.kind, CollateralKind::RealEstate);
    assert_eq!(
        messages(&summary),
        [
            "t.csv:4: column appraised_value: 'bad' not an amount: not a number; accepted forms: 1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, (1,234.56), 1,234.56-"
        ]
    );
}

#[test]
fn values_are_sanitized_and_clipped() {
    let long = "9".repeat(100);
    let csv = format!(
        "contract_no,paid_on,amount,counterparty,sector\n\
HT1,2025-01-01,{long},a,其他\nHT2,2025-01-01,1,\"\x1b[2J坏\x07人\",其他\n"
    );
    let (summary, rows) = read(ExtractKind::FundFlows, &csv);
    let value = &summary.errors[0].value;
    assert_eq!(value.chars().count(), 61);
    assert!(value.ends_with('…'));
    let Some((3, Record::FundFlow(f))) = rows.first() else {
        panic!("expected a fund flow on line 3: {rows:?}");
    };
    assert_eq!(f.counterparty, "[2J坏人");
}

#[test]
fn reads_a_file_and_reports_a_missing_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("loans.csv");
    std::fs::write(&path, LOANS_BAD).expect("write");
    let mut n = 0;
    let summary = read_extract(&path, ExtractKind::Loans, Encoding::Utf8, 1, |_, _| {
        n += 1;
        Ok(())
    })
    .expect("readable");
    assert_eq!((n, summary.error_count, summary.errors.len()), (1, 5, 1));
    assert_eq!(summary.errors[0].file, path.display().to_string());
    assert_eq!(summary.errors[0].line, 3);

    let gone = dir.path().join("gone.csv");
    let err = read_extract(&gone, ExtractKind::Loans, Encoding::Auto, 1, |_, _| Ok(()))
        .expect_err("missing file");
    assert!(matches!(err, ExtractError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot read", gone.display()))
    );
}

#[test]
fn many_gbk_rows_stream_through() {
    let mut text = String::from("contract_no,paid_on,amount,counterparty,sector\n");
    for i in 0..30_000 {
        text.push_str(&format!(
            "HT{i},2025-01-01,\"1,000.00\",上海某某供应商有限公司,供应商货款\n"
        ));
    }
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    let mut last = (0, String::new());
    let summary = read_extract_from_bytes(
        "big.csv",
        &gbk,
        ExtractKind::FundFlows,
        Encoding::Auto,
        10,
        |line, rec| {
            if let Record::FundFlow(f) = rec {
                last = (line, f.counterparty);
            }
            Ok(())
        },
    )
    .expect("readable");
    assert_eq!(
        (summary.rows, summary.accepted, summary.error_count),
        (30_000, 30_000, 0)
    );
    assert_eq!(last, (30_001, "上海某某供应商有限公司".to_string()));
}

#[test]
fn crlf_and_unterminated_last_line_keep_lines_right() {
    let csv = "contract_no,paid_on,amount,counterparty,sector\r\n\r\n\
HT1,2025-01-01,1,a,其他\r\n\r\nHT2,2025-01-01,\"1,0\",b,工资";
    let (summary, rows) = read(ExtractKind::FundFlows, csv);
    assert_eq!(rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [3]);
    let Some((_, Record::FundFlow(f))) = rows.first() else {
        panic!("expected a fund flow: {rows:?}");
    };
    assert_eq!(f.sector, Sector::Other);
    assert_eq!(
        messages(&summary),
        [
            "t.csv:5: column amount: '1,0' not an amount: misplaced thousands separator; accepted forms: 1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, (1,234.56), 1,234.56-"
        ]
    );
}

#[test]
fn loans_read_restructuring_and_impairment_and_name_a_bad_cell() {
    let head = "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,\
outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency,\
restructured_on,credit_impaired\n";
    let good = format!(
        "{head}HT1,B1,某公司,流贷,周转,CNY,100,50,4.35,2025-01-01,2027-01-01,信用,lina,季,2026-03-01,是\n\
HT2,B1,某公司,流贷,周转,CNY,100,50,4.35,2025-01-01,2027-01-01,信用,lina,季,,0\n\
HT3,B1,某公司,流贷,周转,CNY,100,50,4.35,2025-01-01,2027-01-01,信用,lina,季,,\n"
    );
    let (summary, rows) = read(ExtractKind::Loans, &good);
    assert_eq!(messages(&summary), Vec::<String>::new());
    let loans = only_loans(rows);
    assert_eq!(loans[0].1.restructured_on, Some(day("2026-03-01")));
    assert_eq!(loans[0].1.credit_impaired, Some(true));
    assert_eq!(loans[1].1.credit_impaired, Some(false));
    assert_eq!(
        (loans[2].1.restructured_on, loans[2].1.credit_impaired),
        (None, None)
    );
    let bad = format!(
        "{head}HT1,B1,某公司,流贷,周转,CNY,100,50,4.35,2025-01-01,2027-01-01,信用,lina,季,2026-02-30,maybe\n"
    );
    let (summary, _) = read(ExtractKind::Loans, &bad);
    let said = messages(&summary).join("\n");
    assert!(
        said.contains("restructured_on") && said.contains("2026-02-30"),
        "{said}"
    );
    assert!(
        said.contains("credit_impaired") && said.contains("maybe"),
        "{said}"
    );
    assert!(said.contains("t.csv:2"), "{said}");
}

/// The line and column an encoding error names for `bytes` read as `enc`.
fn fault_at(bytes: &[u8], enc: Encoding) -> (u64, u64, u64) {
    match read_bytes("f.csv", bytes, ExtractKind::Borrowers, enc, 10) {
        Err(ExtractError::Encoding {
            line,
            column,
            offset,
            ..
        }) => (line, column, offset),
        other => panic!("an encoding error was expected: {other:?}"),
    }
}

#[test]
fn encoding_faults_name_their_line_and_column_whatever_comes_before() {
    let gbk = |s: &str| encoding_rs::GB18030.encode(s).0.into_owned();
    // A byte-order mark opening the file is no character of line 1.
    let bom_first = b"\xEF\xBB\xBFborrower_code,name\nB1,ab\xFF\n";
    for enc in [Encoding::Utf8, Encoding::Auto] {
        assert_eq!(fault_at(bom_first, enc), (2, 6, 27), "{enc:?}");
    }
    let bom_line_1 = b"\xEF\xBB\xBFab\xFF,name\n";
    assert_eq!(fault_at(bom_line_1, Encoding::Utf8), (1, 3, 5));
    // A byte-order mark in mid-file (two files pasted together) and Chinese on early lines:
    // auto-detection tries GBK too, which stops at line 2; the fault is on line 4.
    let mut bytes = "borrower_code,name\n\u{FEFF}B1,华夏\nB2,中文\nB3,北京"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"\xFFx\n");
    for enc in [Encoding::Utf8, Encoding::Auto] {
        let (line, column, _) = fault_at(&bytes, enc);
        assert_eq!((line, column), (4, 6), "{enc:?}");
    }
    // CR LF line ends: the CR belongs to the line before.
    let mut bytes = "borrower_code,name\r\nB1,华东\r\nB2,é".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xC3\r\n");
    for enc in [Encoding::Utf8, Encoding::Auto] {
        let (line, column, _) = fault_at(&bytes, enc);
        assert_eq!((line, column), (3, 5), "{enc:?}");
    }
    // A quoted cell spanning lines: each of its lines counts.
    let mut quoted = b"borrower_code,name\nB1,\"\xE5\x8D\x8E\n\xE5\xA4\x8F\"\nB2,".to_vec();
    quoted.extend_from_slice(b"ab\xFF\n");
    for enc in [Encoding::Utf8, Encoding::Auto] {
        assert_eq!(fault_at(&quoted, enc).0, 4, "{enc:?}");
        assert_eq!(fault_at(&quoted, enc).1, 6, "{enc:?}");
    }
    // GB18030: columns count GBK characters (two bytes each), not bytes.
    let mut gb = gbk("borrower_code,name\nB1,华东\nB2,泰山€");
    let before = gb.len() as u64;
    gb.extend_from_slice(b"\x81\x20x\n");
    for enc in [Encoding::Gbk, Encoding::Auto] {
        assert_eq!(fault_at(&gb, enc), (3, 7, before), "{enc:?}");
    }
    // A GB18030 byte-order mark opening the file is no character either.
    let mut gb_bom = b"\x84\x31\x95\x33".to_vec();
    gb_bom.extend_from_slice(&gbk("华东"));
    gb_bom.extend_from_slice(b"\x81\x20\n");
    assert_eq!(fault_at(&gb_bom, Encoding::Gbk), (1, 3, 8));
}
