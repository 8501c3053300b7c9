//! The command line as scripts use it: exit codes, JSON shapes, messages that name the file,
//! line, column or key, and the demo/evaluate/warnings round trip.

mod support;

use assert_cmd::Command;
use postloan::extract::ExtractKind;
use std::path::Path;
use support::book::{TestBook, cli, stderr, stdout};

fn cmd(home: &Path) -> Command {
    cli(home, "en_US.UTF-8")
}

#[test]
fn demo_evaluate_and_warnings_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let out = cmd(dir.path())
        .args([
            "demo",
            "--no-tui",
            "--loans",
            "300",
            "--seed",
            "7",
            "--as-of",
            "2026-06-30",
            "--db",
            db,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("301 loans"), "{}", stderr(&out));

    // The demo build already ran the engine: a second run changes nothing.
    let out = cmd(dir.path())
        .args(["evaluate", "--db", db, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // 300 generated loans and the case study's (src/workflow/demo_disposal.rs).
    assert_eq!(report["loans"], 301);
    assert_eq!(report["new"], serde_json::json!([0, 0, 0]));
    assert_eq!(report["as_of"], "2026-06-30");

    let out = cmd(dir.path())
        .args([
            "warnings", "--db", db, "--format", "json", "--level", "red", "--limit", "5",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(!list.is_empty());
    for w in &list {
        for key in [
            "id",
            "contract_no",
            "level",
            "indicator",
            "value",
            "threshold",
            "status",
            "raised_on",
        ] {
            assert!(w.get(key).is_some(), "{key} missing in {w}");
        }
        assert_eq!(w["level"], "red");
        assert_eq!(w["status"], "open");
    }

    // Acting as a demo specialist: acknowledge the first red warning; as the auditor: refused.
    let number = list[0]["number"].as_str().unwrap().to_string();
    let out = cmd(dir.path())
        .args(["warning", "ack", &number, "--db", db, "--as", "hu.yan"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    // The refusal names the role and who may.
    let said = stderr(&out).to_lowercase();
    assert!(
        said.contains("auditor") && said.contains("specialist"),
        "{said}"
    );
    let officer = list[0]["officer"].as_str().unwrap().to_string();
    let out = cmd(dir.path())
        .args(["warning", "ack", &number, "--db", db, "--as", &officer])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Acknowledged"), "{}", stdout(&out));

    // The notice is a Markdown document with the warning's number.
    let out = cmd(dir.path())
        .args(["warning", "notice", &number, "--db", db, "--as", &officer])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let notice = stdout(&out);
    assert!(
        notice.starts_with("# Risk warning notice") && notice.contains(&number),
        "{notice}"
    );

    // Loans as JSON carry the fields scripts rely on.
    let out = cmd(dir.path())
        .args([
            "loans",
            "--db",
            db,
            "--format",
            "json",
            "--limit",
            "3",
            "--overdue",
        ])
        .output()
        .unwrap();
    let loans: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(loans.len(), 3);
    for l in &loans {
        for key in [
            "contract_no",
            "borrower_name",
            "outstanding",
            "currency",
            "classification",
            "overdue_days",
            "officer",
            "next_followup_on",
        ] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert!(l["overdue_days"].as_i64().unwrap() > 0);
    }

    // --as is refused outside a demo book.
    let real = dir.path().join("real.db");
    let real = real.to_str().unwrap();
    assert!(
        cmd(dir.path())
            .args(["init", "--db", real])
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = cmd(dir.path())
        .args(["loans", "--db", real, "--as", "wang.fang"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("demo"), "{}", stderr(&out));
}

#[test]
fn import_bad_file_exits_nonzero_and_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let db = db.to_str().unwrap();
    assert!(
        cmd(dir.path())
            .args(["init", "--db", db])
            .output()
            .unwrap()
            .status
            .success()
    );
    let me = String::from_utf8(
        cmd(dir.path())
            .args(["staff", "list", "--db", db])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let me = me.split_whitespace().next().unwrap().to_string();
    let csv = dir.path().join("loans.csv");
    std::fs::write(
        &csv,
        format!(
            "contract_no,borrower_code,borrower_name,product,purpose,currency,principal,outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency\n\
             HT1,B1,甲公司,流动资金贷款,采购,CNY,\"5,000,000.00\",100,4,2025-01-01,2026-01-01,抵押,{me},季\n\
             HT2,B2,乙公司,working_capital,采购,CNY,12x,100,4,2025-01-01,2026-01-01,mortgage,{me},quarterly\n"
        ),
    )
    .unwrap();
    let out = cmd(dir.path())
        .args(["import", "loans", csv.to_str().unwrap(), "--db", db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("loans.csv:3: column principal: '12x'"),
        "{}",
        stderr(&out)
    );
    let out = cmd(dir.path())
        .args(["loans", "--db", db, "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out).lines().count(),
        1,
        "only the header: nothing was written"
    );

    // Fixed file: inserted, then the same file again: unchanged.
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("12x", "800000");
    std::fs::write(&csv, text).unwrap();
    let out = cmd(dir.path())
        .args(["import", "loans", csv.to_str().unwrap(), "--db", db])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 inserted"), "{}", stdout(&out));
    let out = cmd(dir.path())
        .args(["import", "loans", csv.to_str().unwrap(), "--db", db])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("nothing changed"), "{}", stdout(&out));

    // The CSV listing: one header, then the two loans; `--search` narrows it like `/`.
    let out = cmd(dir.path())
        .args(["loans", "--db", db, "--format", "csv"])
        .output()
        .unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("contract_no,"), "{text}");
    assert!(
        !lines[1].starts_with("contract_no,"),
        "one header only: {text}"
    );
    let first = lines[1].split(',').next().unwrap_or_default().to_string();
    let out = cmd(dir.path())
        .args(["loans", "--db", db, "--format", "csv", "--search", &first])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

#[test]
fn strangers_and_bad_config_get_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let db = db.to_str().unwrap();
    // A book whose first manager is someone else.
    let mut store = postloan::store::Store::open(Path::new(db)).unwrap();
    postloan::workflow::book::init(&mut store, "somebody-else").unwrap();
    drop(store);
    let out = cmd(dir.path())
        .args(["loans", "--db", db])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("postloan staff add"),
        "{}",
        stderr(&out)
    );

    let conf = dir.path().join("bad.toml");
    std::fs::write(&conf, "[tracking]\ndue_soon_dayz = 3\n").unwrap();
    let out = cmd(dir.path())
        .args(["loans", "--db", db, "--config", conf.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml") && err.contains("due_soon_dayz"),
        "{err}"
    );

    let out = cmd(dir.path())
        .args(["--db", dir.path().join("none.db").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("postloan init"), "{}", stderr(&out));
}

#[test]
fn the_binary_reads_and_changes_a_book_the_test_made() {
    let mut b = TestBook::for_cli().with_loans(2);
    b.import(
        ExtractKind::Repayments,
        "contract_no,as_of,overdue_days,overdue_principal,overdue_interest\n\
         L1,2026-06-30,45,1000,10\nL2,2026-06-30,0,0,0\n",
    );
    let out = b.run(&["loans", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let loans: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let contracts: Vec<&str> = loans
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["contract_no"].as_str().unwrap())
        .collect();
    assert_eq!(contracts, ["L1", "L2"]);

    let out = b.run(&["evaluate", "--as-of", "2026-06-30", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = b.run(&["warnings", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warnings: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let dpd: Vec<(&str, &str)> = warnings
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["indicator"] == "dpd")
        .map(|w| {
            (
                w["contract_no"].as_str().unwrap(),
                w["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(dpd, [("L1", "orange")], "{warnings}");
}
