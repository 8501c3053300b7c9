//! The gaps a tester found in the import and config fixes of issue #14, each kind with files
//! made here: keys spelled two ways (width, invisible characters, letter case) in a file or
//! against the book, extract and config errors said in Chinese, decimals written with
//! exponents, full-width digits or a foreign currency, the GB18030 label, the `1 bad row`
//! summary, argument errors in the user's language, and `warnings --indicator` checked.

mod support;

use assert_cmd::Command;
use postloan::config::{Config, ConfigError, Dirs};
use postloan::domain::Role;
use postloan::extract::{Encoding, ExtractError, ExtractKind};
use postloan::i18n::Lang;
use postloan::store::{Store, Table};
use postloan::workflow::Actor;
use postloan::workflow::import::{ImportError, ImportReport, import_file};
use std::path::Path;
use support::book::{
    LOANS_HEADER as LOANS, STATEMENTS_HEADER as STATEMENTS, TestBook, cli, import, stderr, stdout,
    write,
};

/// An empty book with a manager "boss" and a specialist "zw".
fn book() -> (tempfile::TempDir, Store, Actor) {
    TestBook::with_staff(&[("zw", Role::Specialist)]).into_parts()
}

fn loan_row(contract: &str, borrower: &str, outstanding: &str, rate: &str) -> String {
    format!(
        "{contract},{borrower},甲公司,working_capital,stock,CNY,\"1,000,000.00\",\"{outstanding}\",\
         {rate},2025-01-01,2026-01-01,mortgage,zw,quarterly\n"
    )
}

fn messages(r: &ImportReport) -> Vec<String> {
    r.errors.iter().map(|e| e.to_string()).collect()
}

fn zh_messages(r: &ImportReport) -> Vec<String> {
    r.errors.iter().map(|e| e.localized(Lang::ZhCn)).collect()
}

/// A book holding loans HT1 and HT2 of borrower B1.
fn book_with_loans() -> (tempfile::TempDir, Store, Actor) {
    let (dir, mut store, boss) = book();
    let text = format!(
        "{LOANS}{}{}",
        loan_row("HT1", "B1", "800,000.00", "4.35"),
        loan_row("HT2", "B1", "500,000.00", "4.35")
    );
    let p = write(dir.path(), "base.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!((r.inserted, r.error_count), (2, 0), "{:?}", messages(&r));
    (dir, store, boss)
}

#[test]
fn keys_written_in_full_width_or_with_invisible_characters_are_one_key() {
    let (dir, mut store, boss) = book();
    // Full width, surrounding NBSP and ideographic space: the same row again, taken once.
    let text = format!(
        "{LOANS}{}{}{}",
        loan_row("HT011", "B1", "800,000.00", "4.35"),
        loan_row("ＨＴ０１１", "Ｂ1", "800,000.00", "4.35"),
        loan_row("\u{a0}HT011\u{3000}", "B1\u{200b}", "800,000.00", "4.35"),
    );
    let p = write(dir.path(), "width.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!((r.inserted, r.repeats, r.error_count), (1, 2, 0));
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 1);
    assert_eq!(store.count_rows(Table::Borrowers).unwrap(), 1);

    // A zero-width space does not make a second key: other values under it are a conflict.
    let text = format!(
        "{LOANS}{}{}",
        loan_row("HT040", "B1", "800,000.00", "4.35"),
        loan_row("HT040\u{200b}", "B1", "300,000.00", "4.35"),
    );
    let p = write(dir.path(), "zw.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert!(!r.written);
    assert_eq!(
        messages(&r),
        [format!(
            "{}:3: column contract_no: 'HT040' repeats the contract_no of line 2 with different \
             values (lines 2 and 3); each key may appear once in a file",
            p.display()
        )]
    );
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 1);

    // A dependent file names the loan in full width: it is the book's HT011.
    let p = write(
        dir.path(),
        "rep.csv",
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n\
         ＨＴ011\u{feff},2025-06-30,3,0,0\n"
            .as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Repayments, &p);
    assert_eq!((r.inserted, r.error_count), (1, 0), "{:?}", messages(&r));
}

#[test]
fn keys_differing_only_in_case_refuse_the_file_in_every_kind() {
    let (dir, mut store, boss) = book_with_loans();
    let cases: Vec<(ExtractKind, String, &str, Table, i64)> = vec![
        (
            ExtractKind::Loans,
            format!(
                "{LOANS}{}{}{}",
                loan_row("HT011", "B1", "800,000.00", "4.35"),
                loan_row(" ht011 ", "B1", "800,000.00", "4.35"),
                loan_row("ＨＴ011", "B1", "800,000.00", "4.35"),
            ),
            "3: column contract_no: 'ht011' differs from line 2's contract_no 'HT011' only in \
             letter case; a file must write one key one way",
            Table::Loans,
            2,
        ),
        (
            ExtractKind::Loans,
            format!(
                "{LOANS}{}{}",
                loan_row("HT12", "B9", "800,000.00", "4.35"),
                loan_row("HT13", "b9", "800,000.00", "4.35"),
            ),
            "3: column borrower_code: 'b9' differs from line 2's borrower_code 'B9' only in \
             letter case; a file must write one key one way",
            Table::Loans,
            2,
        ),
        (
            ExtractKind::Borrowers,
            "borrower_code,name,credit_code,industry,region\n\
             Bx9,甲,91310000MA1FL4XX01,制造,上海\n\
             BX9,甲,91310000MA1FL4XX01,制造,上海\n"
                .to_string(),
            "3: column borrower_code: 'BX9' differs from line 2's borrower_code 'Bx9' only in \
             letter case; a file must write one key one way",
            Table::Borrowers,
            1,
        ),
        (
            ExtractKind::Statements,
            format!(
                "{STATEMENTS}B1,2025-06-30,100,50,40,20,5,80,10,2,6,3\n\
                 b1,2025-09-30,100,60,40,20,5,80,10,2,6,3\n"
            ),
            "3: column borrower_code: 'b1' differs from line 2's borrower_code 'B1' only in \
             letter case; a file must write one key one way",
            Table::Statements,
            0,
        ),
        (
            ExtractKind::Repayments,
            "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n\
             HT1,2025-06-30,0,0,0\n\
             ht1,2025-07-31,0,0,0\n"
                .to_string(),
            "3: column contract_no: 'ht1' differs from line 2's contract_no 'HT1' only in \
             letter case; a file must write one key one way",
            Table::Repayments,
            0,
        ),
        (
            ExtractKind::Collateral,
            "contract_no,kind,description,appraised_value,appraised_on\n\
             HT1,real_estate,厂房,\"2,000,000.00\",2025-01-01\n\
             Ht1,land,土地,\"1,500,000.00\",2025-01-01\n"
                .to_string(),
            "3: column contract_no: 'Ht1' differs from line 2's contract_no 'HT1' only in \
             letter case; a file must write one key one way",
            Table::Collateral,
            0,
        ),
    ];
    for (kind, text, want, table, rows) in cases {
        let p = write(dir.path(), &format!("{kind}.csv"), text.as_bytes());
        let r = import(&mut store, &boss, kind, &p);
        assert!(!r.written, "{kind}");
        assert_eq!(messages(&r), [format!("{}:{want}", p.display())], "{kind}");
        assert_eq!(store.count_rows(table).unwrap(), rows, "{kind}");
    }
    // Said in Chinese too, with the values as written.
    let text = format!(
        "{LOANS}{}{}",
        loan_row("HT011", "B1", "800,000.00", "4.35"),
        loan_row("ht011", "B1", "800,000.00", "4.35"),
    );
    let p = write(dir.path(), "zh.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!(
        zh_messages(&r),
        [format!(
            "{}:3：列 contract_no：'ht011' 与第 2 行的 contract_no 'HT011' 仅字母大小写不同；\
             同一文件中一个键只能有一种写法",
            p.display()
        )]
    );
}

#[test]
fn a_key_differing_only_in_case_or_width_from_the_book_is_refused() {
    let (dir, mut store, boss) = book_with_loans();
    let cases: Vec<(ExtractKind, String, &str, &str, Table, i64)> = vec![
        (
            ExtractKind::Loans,
            format!("{LOANS}{}", loan_row("ht1", "B1", "800,000.00", "4.35")),
            "2: column contract_no: 'ht1' differs only in letter case or width from 'HT1' in the book; \
             write it as the book does",
            "contract_no",
            Table::Loans,
            2,
        ),
        (
            ExtractKind::Loans,
            format!("{LOANS}{}", loan_row("HT3", "ｂ1", "800,000.00", "4.35")),
            "2: column borrower_code: 'b1' differs only in letter case or width from 'B1' in the book; \
             write it as the book does",
            "borrower_code",
            Table::Loans,
            2,
        ),
        (
            ExtractKind::Borrowers,
            "borrower_code,name,credit_code,industry,region\n\
             b1,甲公司,91310000MA1FL4XX01,制造,上海\n"
                .to_string(),
            "2: column borrower_code: 'b1' differs only in letter case or width from 'B1' in the book; \
             write it as the book does",
            "borrower_code",
            Table::Borrowers,
            1,
        ),
        (
            ExtractKind::Statements,
            format!("{STATEMENTS}b1,2025-06-30,100,50,40,20,5,80,10,2,6,3\n"),
            "2: column borrower_code: 'b1' differs only in letter case or width from 'B1' in the book; \
             write it as the book does",
            "borrower_code",
            Table::Statements,
            0,
        ),
        (
            ExtractKind::Repayments,
            "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n\
             ht2,2025-06-30,0,0,0\n"
                .to_string(),
            "2: column contract_no: 'ht2' differs only in letter case or width from 'HT2' in the book; \
             write it as the book does",
            "contract_no",
            Table::Repayments,
            0,
        ),
        (
            ExtractKind::FundFlows,
            "contract_no,paid_on,amount,counterparty,sector\n\
             Ht2,2025-02-01,\"100,000.00\",某供应商,supplier\n"
                .to_string(),
            "2: column contract_no: 'Ht2' differs only in letter case or width from 'HT2' in the book; \
             write it as the book does",
            "contract_no",
            Table::FundFlows,
            0,
        ),
    ];
    for (kind, text, want, _column, table, rows) in cases {
        let p = write(dir.path(), &format!("{kind}.csv"), text.as_bytes());
        let r = import(&mut store, &boss, kind, &p);
        assert!(!r.written, "{kind}");
        assert_eq!(messages(&r), [format!("{}:{want}", p.display())], "{kind}");
        assert_eq!(store.count_rows(table).unwrap(), rows, "{kind}");
    }
    // The book's own spelling is of course accepted, in full width too.
    let p = write(
        dir.path(),
        "ok.csv",
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n\
         ＨＴ2,2025-06-30,0,0,0\n"
            .as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Repayments, &p);
    assert_eq!((r.inserted, r.error_count), (1, 0), "{:?}", messages(&r));
}

#[test]
fn every_decimal_column_refuses_exponents_and_foreign_currencies_and_takes_full_width() {
    let (dir, mut store, boss) = book_with_loans();
    let text = format!(
        "{LOANS}{}{}{}{}",
        loan_row("HT5", "B1", "800,000.00", "1e1"),
        loan_row("HT6", "B1", "USD 1.00", "4.35"),
        loan_row("HT7", "B1", "800,000.00", "CNY 4.35"),
        loan_row("HT8", "B1", "1E5", "4.35"),
    );
    let p = write(dir.path(), "bad.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    let f = p.display();
    assert_eq!(
        messages(&r),
        [
            format!(
                "{f}:2: column interest_rate: '1e1' not a rate: exponent notation is not \
                 accepted (write 10, not 1e1)"
            ),
            format!(
                "{f}:3: column outstanding: 'USD 1.00' not an amount: currency USD is not \
                 accepted in an amount column (the row's currency column names the currency); \
                 accepted forms: 1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, \
                 -¥1,234.56, (1,234.56), 1,234.56-"
            ),
            format!(
                "{f}:4: column interest_rate: 'CNY 4.35' not a rate: a currency (CNY) has no \
                 place here; write the number, e.g. 4.35"
            ),
            format!(
                "{f}:5: column outstanding: '1E5' not an amount: exponent notation is not \
                 accepted (write 10, not 1e1)"
            ),
        ]
    );
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 2);

    // Full-width digits, point and percent sign in a rate, as amounts take them.
    let text = format!(
        "{LOANS}{}",
        loan_row("HT9", "B1", "８００,０００.００", "４.３５％")
    );
    let p = write(dir.path(), "fw.csv", text.as_bytes());
    let r = import(&mut store, &boss, ExtractKind::Loans, &p);
    assert_eq!((r.inserted, r.error_count), (1, 0), "{:?}", messages(&r));

    // Days, dates, currency and credit code columns read full-width digits and letters too.
    let p = write(
        dir.path(),
        "rep.csv",
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest
         HT1,２０２５-０６-３０,１２,０,０
"
        .as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Repayments, &p);
    assert_eq!((r.inserted, r.error_count), (1, 0), "{:?}", messages(&r));
    let p = write(
        dir.path(),
        "rep2.csv",
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest
         HT1,2025-07-31,1e1,0,0
"
        .as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Repayments, &p);
    assert_eq!(r.error_count, 1, "{:?}", messages(&r));

    // Covenant thresholds: the same rules.
    let p = write(
        dir.path(),
        "cov.csv",
        "contract_no,indicator,yellow,orange,red\n\
         HT1,debt_to_asset,７０,8e1,\n"
            .as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Covenants, &p);
    assert_eq!(
        messages(&r),
        [format!(
            "{}:2: column orange: '8e1' not a threshold: exponent notation is not accepted \
             (write 10, not 1e1)",
            p.display()
        )]
    );
    let p = write(
        dir.path(),
        "cov2.csv",
        "contract_no,indicator,yellow,orange,red\nHT1,debt_to_asset,７０,８０%,\n".as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Covenants, &p);
    assert_eq!((r.inserted, r.error_count), (1, 0), "{:?}", messages(&r));
}

#[test]
fn utf16_is_refused_with_the_fix_and_errors_are_said_in_chinese() {
    let (dir, mut store, boss) = book();
    let text = format!("{LOANS}{}", loan_row("HT1", "B1", "1.00", "4.35"));
    let units: Vec<u16> = text.encode_utf16().collect();
    let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
    for (name, bytes, order) in [
        ("le.csv", [&[0xff, 0xfe][..], &le].concat(), "LE"),
        ("be.csv", [&[0xfe, 0xff][..], &be].concat(), "BE"),
        ("nobom.csv", le.clone(), "LE"),
    ] {
        let p = write(dir.path(), name, &bytes);
        let err = import_file(
            &mut store,
            &boss,
            ExtractKind::Loans,
            &p,
            Encoding::Auto,
            false,
        )
        .unwrap_err();
        let ImportError::Extract(e) = err else {
            panic!("{name}: {err}")
        };
        assert!(matches!(e, ExtractError::Utf16 { .. }), "{name}: {e}");
        assert_eq!(
            e.localized(Lang::ZhCn),
            format!(
                "{}：文件是 UTF-16 编码（{order}，Excel 的“Unicode 文本”即如此保存）：\
                 请另存为 UTF-8 或 GBK（Excel 中选“CSV UTF-8”）",
                p.display()
            )
        );
        assert!(e.to_string().contains("save it as UTF-8 or GBK"), "{e}");
    }
    assert_eq!(store.count_rows(Table::Loans).unwrap(), 0);

    // Bytes that are neither UTF-8 nor GBK: the label is said in the language too.
    let p = write(dir.path(), "bad.csv", b"contract_no\nA\n\xff\x80\n");
    let Err(ImportError::Extract(e)) = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Auto,
        false,
    ) else {
        panic!("bad bytes accepted")
    };
    let zh = e.localized(Lang::ZhCn);
    assert_eq!(
        zh,
        format!(
            "{}：第 3 行第 1 列（第 14 字节）不是有效的 UTF-8 或 GBK 编码；请将文件另存为 UTF-8（或 \
             GBK），并确认它是文本 CSV",
            p.display()
        )
    );
    assert!(e.to_string().contains("not valid utf-8 or gbk"), "{e}");

    // A file that is not there.
    let p = dir.path().join("none.csv");
    let Err(ImportError::Extract(e)) = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Auto,
        false,
    ) else {
        panic!("a missing file imported")
    };
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!("{}：无法读取文件：文件不存在", p.display())
    );
}

#[test]
fn a_file_with_four_byte_gb18030_characters_is_reported_as_gb18030() {
    let (dir, mut store, boss) = book();
    let gbk = format!("{LOANS}{}", loan_row("HT1", "B1", "1.00", "4.35"));
    let (bytes, _, _) = encoding_rs::GBK.encode(&gbk);
    let p = write(dir.path(), "gbk.csv", &bytes);
    let r = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &p,
        Encoding::Auto,
        true,
    )
    .unwrap();
    assert_eq!((r.encoding.as_str(), r.error_count), ("gbk", 0));
    // 㐀 (U+3400) and € are four-byte sequences in GB18030, absent from GBK.
    let four = gbk.replace("甲公司", "甲㐀公司");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&four);
    let p = write(dir.path(), "gb18030.csv", &bytes);
    for enc in [Encoding::Auto, Encoding::Gbk] {
        let r = import_file(&mut store, &boss, ExtractKind::Loans, &p, enc, true).unwrap();
        assert_eq!((r.encoding.as_str(), r.error_count), ("gb18030", 0));
    }
}

fn dirs_in(dir: &Path) -> Dirs {
    Dirs {
        data: dir.join("data"),
        config: dir.join("config"),
        state: dir.join("state"),
    }
}

#[test]
fn config_errors_are_said_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = dirs_in(dir.path());
    let load = |name: &str, text: Option<&str>| -> (String, ConfigError) {
        let f = dir.path().join(name);
        if let Some(t) = text {
            std::fs::write(&f, t).unwrap();
        }
        let e = Config::load(Some(&f), &dirs).unwrap_err();
        (f.display().to_string(), e)
    };
    let (f, e) = load("none.toml", None);
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!("配置文件 {f} 无法读取：文件不存在")
    );
    assert!(
        e.to_string()
            .starts_with(&format!("config {f}: cannot read: "))
    );
    let (f, e) = load("unk.toml", Some("lang = \"zh-CN\"\nfoo = 1\n"));
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!(
            "配置文件 {f}：未知的键 'foo'（可用：database, lang, tracking, today, display, warnings, \
             import, inspections, classification, provisions, disposal, legal_clocks, archive）"
        )
    );
    let (f, e) = load("type.toml", Some("[tracking]\ndue_soon_days = \"x\"\n"));
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!("配置文件 {f}：tracking.due_soon_days 应为整数，而不是 string \"x\"")
    );
    let (f, e) = load("val.toml", Some("[display]\ntheme = \"neon\"\n"));
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!("配置文件 {f}：'display.theme = neon' 不是可用值（auto, mono）之一")
    );
    let (f, e) = load("syn.toml", Some("[tracking]\ndue_soon_days = \n"));
    let zh = e.localized(Lang::ZhCn);
    assert_eq!(
        zh,
        format!(
            "配置文件 {f} 第 2 行第 17 列不是有效的 TOML：字符串值必须加引号，此处应为 literal string"
        )
    );
    let (f, e) = load("dup.toml", Some("lang = \"zh-CN\"\nlang = \"en\"\n"));
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!("配置文件 {f} 第 2 行第 1 列不是有效的 TOML：键重复")
    );
    assert_eq!(e.localized(Lang::En), e.to_string());
    let (f, e) = load("lim.toml", Some("[import]\ninterest_rate_min = \"low\"\n"));
    assert_eq!(
        e.localized(Lang::ZhCn),
        format!(
            "配置文件 {f} 有误：import.interest_rate_min = 'low' 不是大于等于 0 的小数（例如 \"0.1\"）"
        )
    );

    // A warning rule: the file, the key and the reason.
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "[warnings.current_ratio]\norange = \"abc\"\n").unwrap();
    let e = postloan::config::warning_rules(Some(&f), &dirs).unwrap_err();
    let rule = e
        .downcast_ref::<postloan::engine::rules::RuleError>()
        .unwrap();
    assert_eq!(
        postloan::config::rule_error_text(rule, Lang::ZhCn),
        format!(
            "{}：warnings.current_ratio.orange：\"abc\" 不是小数",
            f.display()
        )
    );
    assert_eq!(
        postloan::config::rule_error_text(rule, Lang::En),
        rule.to_string()
    );
}

fn cmd(home: &Path, lang: &str) -> Command {
    cli(home, lang)
}

#[test]
fn from_the_command_line_argument_errors_and_summaries_are_in_the_users_words() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let db = home.join("book.db");
    let db = db.to_str().unwrap();
    let zh = "zh_CN.UTF-8";
    let out = cmd(home, zh).args(["init", "--db", db]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    // clap's errors, said in Chinese, with the usage line kept.
    let out = cmd(home, zh)
        .args(["evaluate", "--as-of", "2024-02-30", "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).lines().next().unwrap_or(""),
        "错误：参数 '--as-of <YYYY-MM-DD>' 的值 '2024-02-30' 无效：没有这一天：2024-02 只有 29 天"
    );
    let out = cmd(home, zh)
        .args(["evaluate", "--db", db, "--as-of"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).lines().next().unwrap_or(""),
        "错误：'--as-of <YYYY-MM-DD>' 需要一个值"
    );
    let out = cmd(home, zh)
        .args(["loans", "--limt", "3", "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("错误：无法识别的参数 '--limt'；提示：试试 '--limit'"),
        "{err}"
    );
    assert!(err.contains("用法：postloan loans"), "{err}");
    let out = cmd(home, zh)
        .args(["--lang", "en", "loans", "--format", "xml", "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("error: invalid value 'xml' for '--format <FORMAT>'"),
        "{}",
        stderr(&out)
    );

    // One bad row is one row.
    let file = home.join("one.csv");
    std::fs::write(
        &file,
        format!("{LOANS}{}", loan_row("HT1", "B1", "1.00", "1e1")),
    )
    .unwrap();
    let out = cmd(home, "en_US.UTF-8")
        .args(["import", "loans", file.to_str().unwrap(), "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).trim_end(),
        format!(
            "{}: 1 bad row; nothing from this file was written (encoding utf-8)",
            file.display()
        )
    );

    // An unknown indicator is refused, naming the accepted ones; a known one lists.
    let out = cmd(home, "en_US.UTF-8")
        .args(["warnings", "--indicator", "foo", "--db", db])
        .output()
        .unwrap();
    // A bad value on the command line is a usage error: status 2 (README: exit status).
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: --indicator foo: not an indicator; accepted: dpd, "),
        "{err}"
    );
    assert!(err.contains("litigation"), "{err}");
    for known in ["dpd", "涉诉", "current_ratio"] {
        let out = cmd(home, zh)
            .args(["warnings", "--indicator", known, "--db", db])
            .output()
            .unwrap();
        assert!(out.status.success(), "{known}: {}", stderr(&out));
    }
    let out = cmd(home, zh)
        .args(["warnings", "--level", "purple", "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");

    // A missing config file, and a bad rule, in Chinese.
    let out = cmd(home, zh)
        .args(["--config", "nonexist.toml", "loans", "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        "错误：配置文件 nonexist.toml 无法读取：文件不存在"
    );
    let bad = home.join("bad.toml");
    std::fs::write(&bad, "[warnings.current_ratio]\norange = \"abc\"\n").unwrap();
    let out = cmd(home, zh)
        .args(["--config", bad.to_str().unwrap(), "evaluate", "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        format!(
            "错误：{}：warnings.current_ratio.orange：\"abc\" 不是小数",
            bad.display()
        )
    );
}

#[test]
fn a_covenant_out_of_order_is_said_in_either_language() {
    let (dir, mut store, boss) = book_with_loans();
    let p = write(
        dir.path(),
        "cov.csv",
        "contract_no,indicator,yellow,orange,red\nHT1,debt_to_asset,80,70,\n".as_bytes(),
    );
    let r = import(&mut store, &boss, ExtractKind::Covenants, &p);
    let f = p.display();
    assert_eq!(
        messages(&r),
        [format!(
            "{f}:2: column orange: '70' out of order: yellow is 80, and for trigger \">\" the \
             thresholds must run yellow <= orange <= red"
        )]
    );
    assert_eq!(
        zh_messages(&r),
        [format!(
            "{f}:2：列 orange：'70' 顺序不对：yellow 为 80，触发方式 \">\" 下阈值须满足 yellow <= \
             orange <= red"
        )]
    );
    assert!(!r.written);
}

#[test]
fn a_count_of_one_is_said_in_the_singular() {
    use postloan::workflow::import::summary_key;
    let say = |r: &ImportReport| {
        let counts: [(&str, &dyn std::fmt::Display); 7] = [
            ("file", &"f.csv"),
            ("rows", &r.rows),
            ("inserted", &r.inserted),
            ("updated", &r.updated),
            ("unchanged", &r.unchanged),
            ("errors", &r.error_count),
            ("encoding", &"utf-8"),
        ];
        Lang::En.tf(summary_key(r), &counts)
    };
    let one = |f: &dyn Fn(&mut ImportReport)| {
        let mut r = ImportReport {
            rows: 1,
            ..ImportReport::default()
        };
        f(&mut r);
        say(&r)
    };
    assert_eq!(
        one(&|r| r.error_count = 1),
        "f.csv: 1 bad row; nothing from this file was written (encoding utf-8)"
    );
    assert_eq!(
        one(&|r| r.inserted = 1),
        "f.csv: 1 row: 1 inserted, 0 updated, 0 unchanged (encoding utf-8)"
    );
    assert_eq!(
        one(&|r| r.unchanged = 1),
        "f.csv: 1 row, already in the book: nothing changed (encoding utf-8)"
    );
    assert_eq!(
        one(&|r| {
            r.dry_run = true;
            r.inserted = 1
        }),
        "f.csv: dry run, nothing written: 1 row would give 1 inserted, 0 updated, 0 unchanged \
         (encoding utf-8)"
    );
    assert_eq!(
        one(&|r| {
            r.rows = 2;
            r.error_count = 2
        }),
        "f.csv: 2 bad rows; nothing from this file was written (encoding utf-8)"
    );
}

#[test]
fn config_decimals_refuse_exponents_too() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    std::fs::write(&f, "[import]\ninterest_rate_max = \"1e1\"\n").unwrap();
    let e = Config::load(Some(&f), &dirs_in(dir.path())).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "config {}: import.interest_rate_max = '1e1' is not a decimal of 0 or more (e.g. \"0.1\")",
            f.display()
        )
    );
    std::fs::write(&f, "[import]\ninterest_rate_max = \"２４\"\n").unwrap();
    let c = Config::load(Some(&f), &dirs_in(dir.path())).unwrap();
    assert_eq!(
        c.import.limits().unwrap().rate_max,
        rust_decimal::Decimal::new(24, 0)
    );
}
