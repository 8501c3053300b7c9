//! The command line against hostile data and environments (issue #14): CSV cells a
//! spreadsheet would run as formulas, `--bom`, a book on read-only media, error chains that
//! repeated their causes, and the workbench started where it cannot be drawn.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use postloan::domain::{Classification, GuaranteeType, LoanRecord, Product, TrackingFrequency};
use postloan::store::Store;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;
use support::book::cli;

fn cmd(home: &Path) -> Command {
    let mut c = cli(home, "en_US.UTF-8");
    c.env("TERM", "xterm-256color");
    c
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The borrower names of the fault report, a normal one last.
const NAMES: [&str; 7] = [
    "=1+1",
    "+86 138",
    "-x",
    "@SUM(A1)",
    "\tname",
    "\rname",
    "湖北聚源服饰有限公司",
];

/// A book whose first manager is the user running the tests (as the binary will be), with
/// one loan per name of [`NAMES`]; the last loan's balance is negative.
fn hostile_book(dir: &Path) -> std::path::PathBuf {
    book_of(dir, &NAMES)
}

/// A book with one loan per name; the last loan's balance is negative.
fn book_of(dir: &Path, names: &[&str]) -> std::path::PathBuf {
    let path = dir.join("book.db");
    let me = postloan::workflow::os_user();
    let mut store = Store::open(&path).expect("open");
    postloan::workflow::book::init(&mut store, &me).expect("init");
    let date = |s: &str| NaiveDate::from_str(s).expect("date");
    store
        .write(|tx| -> postloan::store::Result<()> {
            for (i, name) in names.iter().enumerate() {
                let outstanding = if i + 1 == names.len() {
                    "-1234.00"
                } else {
                    "1000.00"
                };
                let rec = LoanRecord {
                    contract_no: format!("C{i}"),
                    borrower_code: format!("B{i}"),
                    borrower_name: name.to_string(),
                    product: Product::WorkingCapital,
                    purpose: "stock".into(),
                    currency: "CNY".into(),
                    principal: Decimal::from_str("5000.00").expect("amount"),
                    outstanding: Decimal::from_str(outstanding).expect("amount"),
                    interest_rate: Decimal::from_str("4.35").expect("rate"),
                    disbursed_on: date("2026-01-10"),
                    matures_on: date("2027-01-10"),
                    guarantee_type: GuaranteeType::Unsecured,
                    officer: me.clone(),
                    tracking_frequency: TrackingFrequency::Quarterly,
                    classification: Some(Classification::Pass),
                    restructured_on: None,
                    credit_impaired: None,
                };
                tx.upsert_loan(&rec, &me)?;
            }
            Ok(())
        })
        .expect("loans");
    path
}

/// A demo book of `loans` loans dated 2026-06-30, built by the binary in `dir`.
fn demo_book(dir: &Path, loans: u32) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    let built = cmd(dir)
        .args([
            "demo",
            "--no-tui",
            "--loans",
            &loans.to_string(),
            "--as-of",
            "2026-06-30",
            "--db",
        ])
        .arg(&db)
        .output()
        .expect("demo");
    assert!(built.status.success(), "{}", text(&built.stderr));
    db
}

/// The rows of a CSV text (header first), each a vector of cells.
fn cells(csv_text: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text)
        .records()
        .map(|r| {
            r.expect("well-formed CSV")
                .iter()
                .map(String::from)
                .collect()
        })
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0]
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

const NEUTRALISED: [&str; 7] = [
    "'=1+1",
    "'+86 138",
    "'-x",
    "'@SUM(A1)",
    "'\tname",
    "'\rname",
    "湖北聚源服饰有限公司",
];

#[test]
fn loans_csv_neutralises_formula_cells_and_keeps_numbers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = hostile_book(dir.path());
    let db = db.to_str().expect("utf-8 path");
    let out = cmd(dir.path())
        .args(["loans", "--db", db, "--format", "csv", "--bom"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    let rows = cells(&out.stdout[3..]);
    assert_eq!(rows.len(), 1 + NAMES.len());
    // Ledger order is by next follow-up then id: all equal here, so contract order.
    assert_eq!(column(&rows, "borrower_name"), NEUTRALISED);
    let outstanding = column(&rows, "outstanding");
    assert_eq!(
        outstanding[6], "-1234.00",
        "a negative amount stays a number"
    );
    assert!(outstanding[..6].iter().all(|a| a == "1000.00"));
    assert_eq!(column(&rows, "contract_no")[0], "C0");

    // Without --bom: the same bytes, without the mark.
    let plain = cmd(dir.path())
        .args(["loans", "--db", db, "--format", "csv"])
        .output()
        .expect("run");
    assert!(plain.status.success());
    assert_eq!(plain.stdout, out.stdout[3..]);

    // --bom with a format Excel does not open is refused, not ignored.
    let out = cmd(dir.path())
        .args(["loans", "--db", db, "--format", "json", "--bom"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(text(&out.stderr).contains("--bom"), "{}", text(&out.stderr));
}

#[test]
fn warnings_csv_neutralises_formula_cells_and_has_a_bom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = hostile_book(dir.path());
    let db = db.to_str().expect("utf-8 path");
    for i in 0..NAMES.len() {
        let out = cmd(dir.path())
            .args(["warning", "raise", &format!("C{i}"), "--db", db])
            .args(["--signal", "litigation", "--level", "red"])
            .args(["--reason", "=HYPERLINK(\"http://x\")"])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = cmd(dir.path())
        .args(["warnings", "--db", db, "--format", "csv", "--bom"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    let rows = cells(&out.stdout[3..]);
    let mut names = column(&rows, "borrower_name");
    let mut want = NEUTRALISED.map(String::from).to_vec();
    names.sort();
    want.sort();
    assert_eq!(names, want);
    assert!(column(&rows, "level").iter().all(|l| l == "red"));

    // No warning matches: the header alone.
    let out = cmd(dir.path())
        .args([
            "warnings", "--db", db, "--format", "csv", "--level", "yellow",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(cells(&out.stdout).len(), 1, "{}", text(&out.stdout));
}

#[test]
fn a_directory_as_the_book_says_unable_to_open_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let adir = dir.path().join("adir");
    std::fs::create_dir(&adir).expect("mkdir");
    for args in [
        vec!["loans"],
        vec!["verify"],
        vec!["init"],
        vec!["staff", "add", "x", "--role", "specialist"],
        vec!["demo", "--no-tui", "--loans", "5"],
    ] {
        let out = cmd(dir.path())
            .args(&args)
            .arg("--db")
            .arg(&adir)
            .output()
            .expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        // SQLite's English stays in the log; the sentence says the kind, once.
        assert!(
            !err.contains("unable to open database file"),
            "{args:?}: {err}"
        );
        assert_eq!(err.matches("is a directory").count(), 1, "{args:?}: {err}");
    }
    // A cause from outside the store (the config file) is said once too.
    let out = cmd(dir.path())
        .args(["loans", "--config"])
        .arg(&adir)
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("os error"), "{err}");
    assert_eq!(err.matches("it is a directory").count(), 1, "{err}");
}

#[test]
fn library_failures_are_said_by_kind_in_the_users_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.db");
    std::fs::write(
        &bad,
        "not a book, just text long enough to be read as a header ....",
    )
    .expect("w");
    for (lang, said) in [
        ("zh_CN.UTF-8", "无法打开账簿"),
        ("en_US.UTF-8", "cannot open the book"),
    ] {
        let out = cli(dir.path(), lang)
            .arg("--db")
            .arg(&bad)
            .arg("loans")
            .output()
            .expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(said), "{lang}: {err}");
        let kind = if lang.starts_with("zh") {
            "该文件不是账簿"
        } else {
            "the file is not a book"
        };
        assert!(err.contains(kind), "{lang}: {err}");
        assert!(!err.contains("file is not a database"), "{lang}: {err}");
    }
}

#[test]
fn the_workbench_refuses_a_dumb_or_missing_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = hostile_book(dir.path());
    for (term, says) in [
        (Some("dumb"), "TERM=dumb"),
        (Some(""), "TERM is not set"),
        (None, "TERM is not set"),
        (Some("xterm-256color"), "needs a terminal"),
    ] {
        let mut c = cmd(dir.path());
        c.env_remove("TERM").arg("--db").arg(&db);
        if let Some(t) = term {
            c.env("TERM", t);
        }
        let out = c.output().expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{term:?}: {err}");
        assert!(err.contains(says), "{term:?}: {err}");
        assert!(err.contains("postloan loans"), "{term:?}: {err}");
        // Nothing of a screen: no escape sequence on either stream.
        assert!(!out.stdout.contains(&0x1b) && !err.contains('\x1b'));
    }
    // In Chinese too, and `demo` refuses before it builds anything.
    let demo = dir.path().join("demo.db");
    let out = cmd(dir.path())
        .env("TERM", "dumb")
        .args(["--lang", "zh-CN", "demo", "--loans", "5", "--db"])
        .arg(&demo)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("无法显示工作台"),
        "{}",
        text(&out.stderr)
    );
    assert!(!demo.exists(), "demo built a book it could not show");
}

#[test]
fn a_tiny_terminal_draws_without_panicking() {
    use postloan::i18n::Lang;
    use postloan::tui::theme::Theme;
    for size in [(20, 5), (1, 1), (80, 1), (1, 24), (79, 23)] {
        let (_dir, store) = support::tui::book(30, 3);
        let mut app = support::tui::app(
            store,
            "zhao.lei",
            Lang::ZhCn,
            Theme::pick(false, false),
            size,
        );
        app.on_resize(size.0, size.1).expect("resize");
        let frame = support::tui::draw(&app);
        assert_eq!((frame.area.width, frame.area.height), size);
    }
}

/// A read-only bind mount of a directory, undone on drop. Needs root (or CAP_SYS_ADMIN);
/// `None` where mounting is not allowed.
struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    fn new(source: &Path, target: &Path) -> Option<ReadOnlyMount> {
        let run = |args: &[&std::ffi::OsStr]| {
            std::process::Command::new("mount")
                .args(args)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !run(&[source.as_os_str(), target.as_os_str(), "--bind".as_ref()]) {
            return None;
        }
        let mount = ReadOnlyMount(target.to_path_buf());
        run(&[
            "-o".as_ref(),
            "remount,bind,ro".as_ref(),
            target.as_os_str(),
        ])
        .then_some(mount)
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_book_on_read_only_media_reads_and_refuses_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (src, ro) = (dir.path().join("src"), dir.path().join("ro"));
    std::fs::create_dir(&src).expect("mkdir");
    std::fs::create_dir(&ro).expect("mkdir");
    std::fs::rename(hostile_book(dir.path()), src.join("book.db")).expect("move");
    let Some(_mount) = ReadOnlyMount::new(&src, &ro) else {
        eprintln!(
            "skipped: cannot make a read-only bind mount here (the store tests cover the decision)"
        );
        return;
    };
    let db = ro.join("book.db");
    for args in [
        vec!["loans", "--format", "csv"],
        vec!["verify"],
        vec!["warnings"],
        vec!["staff", "list"],
    ] {
        let out = cmd(dir.path())
            .args(&args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    }
    for args in [
        vec!["evaluate"],
        vec!["staff", "add", "x", "--role", "specialist"],
        vec![
            "warning",
            "raise",
            "C0",
            "--signal",
            "litigation",
            "--level",
            "red",
            "--reason",
            "r",
        ],
    ] {
        let out = cmd(dir.path())
            .args(&args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("is read-only") && err.contains(db.to_str().expect("utf-8")),
            "{err}"
        );
    }
}

#[test]
fn a_listing_read_only_in_part_ends_quietly() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_book(dir.path(), 2000);
    for args in [
        ["loans", "--format", "json"],
        ["loans", "--format", "csv"],
        ["loans", "--format", "table"],
        ["warnings", "--format", "json"],
        ["warnings", "--format", "csv"],
        ["warnings", "--format", "table"],
    ] {
        // Like `| head -1`: read one line, then close the pipe while the listing goes on.
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("postloan"))
            .env_clear()
            .env("HOME", dir.path())
            .env("LANG", "en_US.UTF-8")
            .args(args)
            .arg("--db")
            .arg(&db)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut first)
            .expect("a line");
        assert!(!first.is_empty());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn a_book_path_that_cannot_be_a_file_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let slash = format!("{}/", dir.path().join("new").display());
    for db in [fifo.to_str().expect("utf-8"), "/dev/null", &slash] {
        for args in [
            vec!["init"],
            vec!["loans"],
            vec!["verify"],
            vec!["evaluate"],
        ] {
            let out = cmd(dir.path())
                .args(&args)
                .args(["--db", db])
                // A guard only: opening a pipe used to wait for a writer forever.
                .timeout(std::time::Duration::from_secs(60))
                .output()
                .expect("run");
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{db} {args:?}: {err}");
            let said = err.contains("not a regular file") || err.contains("no book at");
            assert!(said, "{db} {args:?}: {err}");
        }
    }
    assert!(
        !dir.path().join("new").exists(),
        "init made a book of 'new/'"
    );
}

#[test]
fn the_ledger_table_keeps_its_columns_with_names_of_disputed_width() {
    use unicode_width::UnicodeWidthStr;
    let names = [
        "电话\u{260E}\u{FE0F}贸易有限公司",
        "家庭\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}科技",
        "一号1\u{FE0F}\u{20E3}旗\u{1F1E8}\u{1F1F3}",
        "圈\u{2460}\u{2192}\u{00A7}\u{00B7}\u{03A9}",
        "Cafe\u{0301} Socie\u{0301}te\u{0301}",
        "湖北聚源服饰有限公司",
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let db = book_of(dir.path(), &names);
    let db = db.to_str().expect("utf-8 path");
    let out = cmd(dir.path())
        .args(["loans", "--db", db])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with('C') && l[1..].starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), names.len(), "{table}");
    for row in &rows {
        // Every terminal agrees on the width of every character printed ...
        assert_eq!(row.width(), row.width_cjk(), "disputed width in {row:?}");
        // ... and the class column starts where it does for a plain name.
        let class_at = |r: &str| r[..r.find("Pass").expect("class")].width();
        assert_eq!(class_at(row), class_at(rows[rows.len() - 1]), "{row:?}");
    }
    assert!(table.contains("电话Tel贸易有限公司"), "{table}");
}

#[test]
fn any_command_whose_reader_has_gone_ends_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_book(dir.path(), 300);
    let listed = cmd(dir.path())
        .args(["warnings", "--format", "json", "--limit", "1", "--db"])
        .arg(&db)
        .output()
        .expect("warnings");
    let warnings: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    let number = warnings[0]["number"]
        .as_str()
        .expect("a warning")
        .to_string();
    let commands: [&[&str]; 7] = [
        &["warning", "show", &number],
        &["warning", "notice", &number],
        &["staff", "list"],
        &["verify"],
        &["paths"],
        &["loans", "--limit", "1"],
        &["evaluate", "--as-of", "2026-06-30"],
    ];
    for args in commands {
        // The reader is gone before the command writes a byte: its first write fails.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("postloan"))
            .env_clear()
            .env("HOME", dir.path())
            .env("LANG", "en_US.UTF-8")
            .args(args)
            .arg("--db")
            .arg(&db)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn a_demo_book_dated_beyond_any_plausible_range_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("demo.db");
    for date in ["9999-12-31", "0001-01-01"] {
        let out = cmd(dir.path())
            .args(["demo", "--no-tui", "--loans", "50", "--as-of", date, "--db"])
            .arg(&db)
            .output()
            .expect("demo");
        assert_eq!(out.status.code(), Some(1), "{date}");
        assert!(
            text(&out.stderr).contains("more than a century"),
            "{}",
            text(&out.stderr)
        );
        assert!(!db.exists(), "nothing is built for {date}");
    }
}

#[test]
fn a_closed_error_stream_changes_no_exit_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = hostile_book(dir.path());
    for (args, status) in [
        (&["warning", "show", "NOPE"][..], 1),
        (&["import", "loanz", "x.csv"][..], 2),
        (&["loans", "--format", "json", "--bom"][..], 2),
        (&["evaluate", "--as-of", "2024-02-30"][..], 2),
        (&["staff", "list"][..], 0),
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("postloan"))
            .env_clear()
            .env("HOME", dir.path())
            .env("LANG", "zh_CN.UTF-8")
            .args(args)
            .arg("--db")
            .arg(&db)
            .stdout(std::process::Stdio::null())
            .stderr(writer)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(status), "{args:?}");
    }
}

#[test]
fn evaluate_refuses_csv_rather_than_print_a_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = hostile_book(dir.path());
    let out = cmd(dir.path())
        .args(["evaluate", "--format", "csv", "--db"])
        .arg(&db)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("warnings --format csv"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_corrupt_stored_value_is_an_error_naming_the_row_not_a_guess() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_book(dir.path(), 200);
    let number: String = {
        let conn = rusqlite::Connection::open(&db).expect("open");
        let number = conn
            .query_row("SELECT number FROM warnings ORDER BY id LIMIT 1", [], |r| {
                r.get(0)
            })
            .expect("a warning");
        conn.execute(
            "UPDATE warnings SET status = 'bogus' WHERE number = ?1",
            [&number],
        )
        .expect("corrupt");
        number
    };
    for args in [
        &["warnings", "--format", "json"][..],
        &["warning", "show", &number][..],
    ] {
        let out = cmd(dir.path())
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&number) && err.contains("status") && err.contains("bogus"),
            "{err}"
        );
    }
}

#[test]
fn a_corrupt_stored_covenant_threshold_stops_evaluate_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = demo_book(dir.path(), 50);
    let csv = dir.path().join("cov.csv");
    std::fs::write(
        &csv,
        "contract_no,indicator,yellow,orange,red\nPL00000001,current_ratio,1.2,1.0,0.8\n",
    )
    .expect("csv");
    let imported = cmd(dir.path())
        .args(["import", "covenants"])
        .arg(&csv)
        .arg("--db")
        .arg(&db)
        .output()
        .expect("import");
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute("UPDATE covenants SET orange = 'zz'", [])
        .expect("corrupt");
    let out = cmd(dir.path())
        .args(["evaluate", "--as-of", "2026-06-30", "--force", "--db"])
        .arg(&db)
        .output()
        .expect("evaluate");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("covenant") && err.contains("current_ratio"),
        "{err}"
    );
    assert!(err.contains("orange") && err.contains("'zz'"), "{err}");
}

#[test]
fn every_date_argument_takes_full_width_digits_and_says_why_a_date_is_not_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("book.db");
    let out = cmd(dir.path())
        .arg("init")
        .arg("--db")
        .arg(&db)
        .output()
        .expect("init");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let commands: [&[&str]; 12] = [
        &["demo", "--no-tui", "--loans", "10", "--as-of"],
        &["evaluate", "--as-of"],
        &["classify", "--as-of"],
        &[
            "classification",
            "propose",
            "HT-1",
            "--to",
            "关注",
            "--reason",
            "r",
            "--effective",
        ],
        &["loan", "restructure", "HT-1", "--reason", "r", "--on"],
        &["loan", "impaired", "HT-1", "--reason", "r", "--on"],
        &["report", "migration", "--from", "2026-01-01", "--to"],
        &["report", "migration", "--to", "2026-01-01", "--from"],
        &["report", "provisions", "--as-of"],
        &["inspections", "plan", "--as-of"],
        &["inspection", "start", "HT-1", "--date"],
        &[
            "inspection",
            "measure",
            "XJ2026-000001",
            "--add",
            "paperwork",
            "--deadline",
        ],
    ];
    for args in commands {
        for (lang, why) in [
            ("zh_CN.UTF-8", "无效：没有这一天：2026-02 只有 28 天"),
            ("en_US.UTF-8", "no such day: 2026-02 has 28 days"),
        ] {
            let out = cli(dir.path(), lang)
                .args(args)
                .arg("2026-02-30")
                .arg("--db")
                .arg(&db)
                .output()
                .expect("run");
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?} {lang}: {err}");
            assert!(err.contains(why), "{args:?} {lang}: {err}");
            assert!(!err.contains("out of range"), "{args:?}: {err}");
        }
        let out = cli(dir.path(), "zh_CN.UTF-8")
            .args(args)
            .arg("abc")
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("不是日期"),
            "{}",
            text(&out.stderr)
        );
    }
    // Full-width digits, as a Chinese input method types them, are a date.
    let out = cmd(dir.path())
        .args(["evaluate", "--as-of", "２０２６－０３－０２", "--db"])
        .arg(&db)
        .output()
        .expect("evaluate");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Issue #12 (QA): every filter value a listing cannot select by — an unknown kind, level,
/// status or class, a user no staff record has, a date that does not parse or a range that
/// ends before it starts, an unknown format — is a usage error (exit 2) in the user's
/// language saying what is accepted, never an empty listing with status 0.
#[test]
fn an_unknown_filter_value_is_a_usage_error_that_says_what_is_accepted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = hostile_book(dir.path());
    let run = |lang: &str, args: &[&str]| {
        cli(dir.path(), lang)
            .args(args)
            .arg("--db")
            .arg(&db)
            .output()
            .expect("run")
    };
    let cases: [(&[&str], &str, &str); 19] = [
        (
            &["audit", "--contract", "NOSUCH-1"],
            "--contract NOSUCH-1: no loan has this contract number",
            "--contract NOSUCH-1：本账簿中没有此合同号的贷款",
        ),
        (
            &["disposal", "--case", "CZ2099-999999"],
            "--case CZ2099-999999: no risk case has this number",
            "--case CZ2099-999999：本账簿中没有此编号的风险案件",
        ),
        (
            &["audit", "--kind", "bogus"],
            "--kind bogus: not an audit kind; accepted: archive, ",
            "--kind bogus：不是审计类别；可用：archive, ",
        ),
        (
            &["audit", "--user", "nobody.here"],
            "--user nobody.here: no staff member",
            "--user nobody.here：没有使用此用户名的员工",
        ),
        (&["audit", "--format", "yaml"], "yaml", "yaml"),
        (
            &["audit", "--from", "2026-13-01"],
            "2026-13-01",
            "2026-13-01",
        ),
        (
            &["audit", "--from", "2026-06-02", "--to", "2026-06-01"],
            "2026-06-02",
            "2026-06-02",
        ),
        (
            &["archive", "--kind", "bogus"],
            "not a document kind",
            "bogus",
        ),
        (&["warnings", "--level", "purple"], "not a level", "purple"),
        (&["warnings", "--status", "gone"], "not a status", "gone"),
        (
            &["warnings", "--officer", "ghost"],
            "--officer ghost: no staff",
            "ghost",
        ),
        (&["loans", "--class", "junk"], "is not a class", "junk"),
        (
            &["loans", "--officer", "ghost"],
            "--officer ghost: no staff",
            "ghost",
        ),
        (
            &["cases", "--officer", "ghost"],
            "--officer ghost: no staff",
            "ghost",
        ),
        (
            &["disposal", "--owner", "ghost"],
            "--owner ghost: no staff",
            "ghost",
        ),
        (
            &["inspections", "--officer", "ghost"],
            "--officer ghost: no staff",
            "ghost",
        ),
        (
            &["classification", "--officer", "ghost"],
            "--officer ghost: no staff",
            "ghost",
        ),
        (
            &["clocks", "--officer", "ghost"],
            "--officer ghost: no staff",
            "ghost",
        ),
        (
            &["import", "loanz", "x.csv"],
            "is not an extract kind",
            "loanz",
        ),
    ];
    for (args, en, zh) in cases {
        let out = run("en_US.UTF-8", args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(en),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?} lists nothing");
        let out = run("zh_CN.UTF-8", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(zh),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    // What the trail holds is accepted: a family, an action, a staff member, the engine.
    let me = postloan::workflow::os_user();
    for args in [
        &["audit", "--kind", "book"][..],
        &["audit", "--kind", "book.init"][..],
        &["audit", "--user", me.as_str()][..],
        &["audit", "--user", "system"][..],
        &["warnings", "--officer", me.as_str()][..],
    ] {
        let out = run("en_US.UTF-8", args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = run(
        "en_US.UTF-8",
        &["audit", "--kind", "book", "--format", "csv"],
    );
    assert!(
        text(&out.stdout).contains("book.init"),
        "{}",
        text(&out.stdout)
    );
}
