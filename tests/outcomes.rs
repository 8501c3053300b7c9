//! Disposal outcomes and legal clocks on the command line (issue #11 points 4 and 5): each
//! `loan` step by the right role, refusals that say why and exit non-zero in both languages,
//! `loan show` and `clocks` JSON.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::domain::{
    Classification, GuaranteeType, LoanRecord, Product, Role, TrackingFrequency,
};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use support::book::demo_flagged_book;
use support::cli::cmd;

/// The book's today (a demo-flagged book lives on its own date, and takes `--as`).
const TODAY: &str = "2026-06-30";

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn loan(no: &str, out: &str, matures: &str) -> LoanRecord {
    LoanRecord {
        contract_no: no.into(),
        borrower_code: "B1".into(),
        borrower_name: "华东精密机械有限公司".into(),
        product: Product::WorkingCapital,
        purpose: "采购".into(),
        currency: "CNY".into(),
        principal: Decimal::from_str("5000000").expect("amount"),
        outstanding: Decimal::from_str(out).expect("amount"),
        interest_rate: Decimal::from_str("4.35").expect("rate"),
        disbursed_on: day("2021-06-30"),
        matures_on: day(matures),
        guarantee_type: GuaranteeType::Mortgage,
        officer: "zhang".into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(Classification::Pass),
        restructured_on: None,
        credit_impaired: None,
    }
}

/// HT-1: 4,000,000.00 out, matured 2023-06-30 (its limitation ends today); HT-2: 1,000,000
/// out, matures 2027-01-05. Staff zhang (specialist, officer), wang (supervisor), li (manager).
fn book(dir: &Path) -> PathBuf {
    let (path, _) = demo_flagged_book(
        dir,
        TODAY,
        &[
            ("zhang", Role::Specialist),
            ("wang", Role::Supervisor),
            ("li", Role::Manager),
        ],
        &[
            loan("HT-1", "4000000.00", "2023-06-30"),
            loan("HT-2", "1000000", "2027-01-05"),
        ],
    );
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs a command that must be refused: non-zero exit, the reason on stderr.
fn refused(c: &mut Command) -> String {
    let out = c.output().expect("runs");
    assert!(!out.status.success(), "not refused: {}", text(&out.stdout));
    text(&out.stderr)
}

fn show(h: &Path, b: &Path, contract: &str) -> serde_json::Value {
    let json =
        ok(cmd(h, b, "zhang", "en_US.UTF-8").args(["loan", "show", contract, "--format", "json"]));
    serde_json::from_str(&json).expect("JSON")
}

#[test]
fn recovery_write_off_and_close_keep_the_figures_and_say_why_they_refuse() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book(h);
    let en = "en_US.UTF-8";
    let said = ok(cmd(h, &b, "wang", en).args([
        "loan",
        "recover",
        "HT-2",
        "--on",
        "2026-06-10",
        "--kind",
        "collateral_sale",
        "--principal",
        "900,000.00",
        "--interest",
        "12,345.67",
        "--costs",
        "8000",
    ]));
    assert!(
        said.contains("¥920,345.67") && said.contains("¥100,000.00"),
        "{said}"
    );
    // Above the outstanding: refused, naming it, in both languages.
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "recover",
        "HT-2",
        "--on",
        "2026-06-11",
        "--kind",
        "repayment",
        "--principal",
        "100,000.01",
    ]));
    assert!(
        e.contains("¥100,000.00") && e.contains("outstanding"),
        "{e}"
    );
    let e = refused(cmd(h, &b, "wang", "zh_CN.UTF-8").args([
        "loan",
        "recover",
        "HT-2",
        "--on",
        "2026-06-11",
        "--kind",
        "repayment",
        "--principal",
        "100,000.01",
    ]));
    assert!(e.contains("¥100,000.00") && e.contains("余额"), "{e}");
    // Bad kinds and amounts name what is accepted.
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "recover",
        "HT-2",
        "--on",
        "2026-06-11",
        "--kind",
        "lottery",
        "--principal",
        "1",
    ]));
    assert!(e.contains("collateral_sale"), "{e}");
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "recover",
        "HT-2",
        "--on",
        "2026-06-11",
        "--kind",
        "repayment",
        "--principal",
        "12,3x",
    ]));
    assert!(e.contains("--principal"), "{e}");
    // Closing with money outstanding is refused, naming it.
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "close",
        "HT-2",
        "--on",
        "2026-06-20",
        "--reason",
        "处置完毕",
    ]));
    assert!(e.contains("¥100,000.00"), "{e}");
    // A write-off is a manager's, and needs a reason.
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "write-off",
        "HT-2",
        "--on",
        "2026-06-20",
        "--amount",
        "100000",
        "--reason",
        "无法收回",
    ]));
    assert!(e.ends_with("who may: Manager\n"), "{e:?}");
    let e = refused(cmd(h, &b, "li", "zh_CN.UTF-8").args([
        "loan",
        "write-off",
        "HT-2",
        "--on",
        "2026-06-20",
        "--amount",
        "100000",
        "--reason",
        " ",
    ]));
    assert!(e.contains("原因"), "{e}");
    let said = ok(cmd(h, &b, "li", en).args([
        "loan",
        "write-off",
        "HT-2",
        "--on",
        "2026-06-20",
        "--amount",
        "100,000",
        "--reason",
        "担保物处置完毕后的剩余损失",
    ]));
    assert!(said.contains("Written off"), "{said}");
    let v = show(h, &b, "HT-2");
    assert_eq!(v["status"], "written_off");
    assert_eq!(v["outstanding"], "0");
    assert_eq!(v["written_off"], "100000");
    assert_eq!(v["recovered"]["principal"], "900000");
    assert_eq!(v["recovered"]["total"], "920345.67");
    assert_eq!(v["write_offs"][0]["approved_by"], "li");
    // The written-off loan cannot be closed; its figures stay in `loan show`'s table too.
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "close",
        "HT-2",
        "--on",
        "2026-06-21",
        "--reason",
        "x",
    ]));
    assert!(e.contains("Written off"), "{e}");
    let table = ok(cmd(h, &b, "zhang", en).args(["loan", "show", "HT-2"]));
    assert!(
        table.contains("Written off") && table.contains("¥100,000.00"),
        "{table}"
    );
    // The provisions report says what was written off beside the reserves.
    let json = ok(cmd(h, &b, "li", en).args(["report", "provisions", "--format", "json"]));
    let p: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(p["written_off"], "100000.00");
    assert_eq!(p["written_off_loans"], 1);
    let table = ok(cmd(h, &b, "li", "zh_CN.UTF-8").args(["report", "provisions"]));
    assert!(
        table.contains("已核销") && table.contains("100,000.00"),
        "{table}"
    );
}

#[test]
fn recall_then_sale_then_close_by_the_right_roles() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book(h);
    let en = "en_US.UTF-8";
    let e = refused(cmd(h, &b, "zhang", en).args([
        "loan",
        "recall",
        "HT-2",
        "--on",
        "2026-05-10",
        "--reason",
        "未按期追加担保",
    ]));
    assert!(e.contains("Supervisor"), "{e}");
    ok(cmd(h, &b, "wang", en).args([
        "loan",
        "recall",
        "HT-2",
        "--on",
        "2026-05-10",
        "--reason",
        "未按期追加担保",
    ]));
    let v = show(h, &b, "HT-2");
    assert_eq!(v["status"], "recalled");
    assert_eq!(v["recalled_on"], "2026-05-10");
    let lim = &v["clocks"][0];
    assert_eq!(lim["clock"], "limitation");
    assert_eq!(lim["source"], "recall");
    assert_eq!(lim["ends_on"], "2029-05-10");
    ok(cmd(h, &b, "zhang", en).args([
        "loan",
        "collateral-add",
        "HT-2",
        "--kind",
        "real_estate",
        "--description",
        "厂房二期",
        "--value",
        "1,500,000.00",
        "--on",
        "2026-05-20",
    ]));
    ok(cmd(h, &b, "wang", en).args([
        "loan",
        "recover",
        "HT-2",
        "--on",
        "2026-06-15",
        "--kind",
        "collateral_sale",
        "--principal",
        "1,000,000.00",
    ]));
    ok(cmd(h, &b, "wang", en).args([
        "loan",
        "close",
        "HT-2",
        "--on",
        "2026-06-20",
        "--reason",
        "处置抵押物收回全部本金，未核销",
    ]));
    let v = show(h, &b, "HT-2");
    assert_eq!(v["status"], "closed");
    assert_eq!(v["written_off"], "0");
    assert_eq!(
        v["recoveries"][0]["case_id"], 1,
        "without --case the recovery is filed under the borrower's open case"
    );
    assert_eq!(v["clocks"].as_array().map(Vec::len), Some(0));
}

#[test]
fn clocks_lists_what_runs_out_and_a_demand_restarts_it() {
    let dir = tempfile::tempdir().expect("dir");
    let h = dir.path();
    let b = book(h);
    let en = "en_US.UTF-8";
    let json = ok(cmd(h, &b, "zhang", en).args(["clocks", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let rows = v.as_array().expect("array");
    assert_eq!(rows.len(), 1, "{json}");
    let mut keys: Vec<&str> = rows[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "borrower_name",
            "clock",
            "contract_no",
            "days_left",
            "ends_on",
            "officer",
            "source",
            "started_on"
        ]
    );
    assert_eq!(rows[0]["contract_no"], "HT-1");
    assert_eq!(rows[0]["clock"], "limitation");
    assert_eq!(rows[0]["source"], "maturity");
    assert_eq!(rows[0]["ends_on"], "2026-06-30");
    assert_eq!(rows[0]["days_left"], 0);
    assert_eq!(rows[0]["officer"], "zhang");
    // A legal step with the deposit seized a year ago: its freeze runs out within the window.
    ok(cmd(h, &b, "wang", en).args([
        "loan",
        "legal",
        "HT-2",
        "--event",
        "seizure",
        "--asset",
        "deposit",
        "--on",
        "2025-07-20",
        "--reference",
        "（2025）沪0115执保8号",
    ]));
    let csv = ok(cmd(h, &b, "zhang", en).args(["clocks", "--format", "csv"]));
    assert!(
        csv.starts_with("contract_no,borrower_name,clock,source"),
        "{csv}"
    );
    assert!(
        csv.contains(
            "HT-2,华东精密机械有限公司,seizure_deposit,seizure,2025-07-20,2026-07-20,20,zhang"
        ),
        "{csv}"
    );
    let e = refused(cmd(h, &b, "wang", en).args([
        "loan",
        "legal",
        "HT-2",
        "--event",
        "renewal",
        "--on",
        "2026-06-01",
    ]));
    assert!(e.contains("--asset"), "{e}");
    // The officer's demand restarts HT-1's limitation period: nothing due within 90 days.
    let said = ok(cmd(h, &b, "zhang", en).args([
        "loan",
        "demand",
        "HT-1",
        "--on",
        "2026-06-29",
        "--channel",
        "letter",
    ]));
    assert!(said.contains("2029-06-29"), "{said}");
    let json = ok(cmd(h, &b, "zhang", en).args(["clocks", "--format", "json"]));
    assert!(!json.contains("HT-1"), "{json}");
    // A wider window and a later day find it again; the table is in Chinese.
    let table = ok(cmd(h, &b, "zhang", "zh_CN.UTF-8").args([
        "clocks",
        "--as-of",
        "2029-06-01",
        "--within",
        "30",
        "--officer",
        "zhang",
    ]));
    assert!(
        table.contains("HT-1") && table.contains("诉讼时效"),
        "{table}"
    );
    // A future demand and an unknown channel are refused.
    let e = refused(cmd(h, &b, "zhang", en).args(["loan", "demand", "HT-1", "--on", "2026-07-01"]));
    assert!(e.contains("after today"), "{e}");
    let e = refused(cmd(h, &b, "zhang", en).args([
        "loan",
        "demand",
        "HT-1",
        "--on",
        "2026-06-01",
        "--channel",
        "pigeon",
    ]));
    assert!(e.contains("letter"), "{e}");
}
