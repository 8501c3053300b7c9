//! Issue #11, the whole kind: a specialist raises, notices, analyses and moves warnings only
//! on loans they are the officer of; the loan's officer and a supervisor may. The refusal
//! names whose loan it is, in both languages, in the workflow, the CLI (exit 1) and the
//! workbench's status line. Data entry (a contact) on a colleague's loan stays open.

mod support;

use assert_cmd::Command;
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::config::Config;
use postloan::domain::permission::Refusal;
use postloan::domain::warning::{Level, ManualSignal, RiskType, WarningMove, WarningStatus};
use postloan::domain::{
    Classification, ContactKind, ContactRecord, GuaranteeType, LoanRecord, Product, Role,
    TrackingFrequency,
};
use postloan::i18n::Lang;
use postloan::store::Store;
use postloan::tui::app::App;
use postloan::tui::keymap::Keymap;
use postloan::tui::theme::Theme;
use postloan::workflow::warning::{self, ManualWarning};
use postloan::workflow::{self, Actor, WorkflowError};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use support::book::demo_flagged_book;

const TODAY: &str = "2026-03-02";

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn actor(store: &Store, user: &str) -> Actor {
    workflow::identify(store, user, Some(user)).expect("staff")
}

fn loan(contract: &str, borrower: &str, officer: &str) -> LoanRecord {
    LoanRecord {
        contract_no: contract.into(),
        borrower_code: borrower.into(),
        borrower_name: format!("{borrower}机械有限公司"),
        product: Product::WorkingCapital,
        purpose: "采购".into(),
        currency: "CNY".into(),
        principal: Decimal::from(5_000_000),
        outstanding: Decimal::from(4_000_000),
        interest_rate: Decimal::from_str("4.35").expect("rate"),
        disbursed_on: date("2026-01-30"),
        matures_on: date("2027-01-30"),
        guarantee_type: GuaranteeType::Mortgage,
        officer: officer.into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(Classification::Pass),
        restructured_on: None,
        credit_impaired: None,
    }
}

/// A demo-flagged book (so `--as` works): specialists zhang and chen, supervisor wang;
/// HT-1 is zhang's loan, HT-2 chen's. Each loan has a manual warning raised by wang (HT-1's
/// first, HT-2's second). Returns the book's path and the two warnings' (id, number).
fn book(dir: &Path) -> (PathBuf, (i64, String), (i64, String)) {
    let (path, mut store) = demo_flagged_book(
        dir,
        TODAY,
        &[
            ("zhang", Role::Specialist),
            ("chen", Role::Specialist),
            ("wang", Role::Supervisor),
        ],
        &[loan("HT-1", "B1", "zhang"), loan("HT-2", "B2", "chen")],
    );
    let wang = actor(&store, "wang");
    let mut raise = |contract: &str| {
        let mw = ManualWarning {
            contract_no: contract,
            signal: ManualSignal::Litigation,
            level: Level::Red,
            risk_type: RiskType::Credit,
            reason: "法院传票",
        };
        warning::raise_manual(&mut store, &wang, &mw, date(TODAY), Lang::ZhCn).expect("raise")
    };
    let own = raise("HT-1");
    let other = raise("HT-2");
    (path, own, other)
}

fn refusal(e: &WorkflowError) -> Option<Refusal> {
    match e {
        WorkflowError::Denied { refusal, .. } => Some(*refusal),
        _ => None,
    }
}

/// The refusal says whose loan it is, in both languages.
fn names_chen(e: &WorkflowError) {
    assert_eq!(refusal(e), Some(Refusal::NotOfficer), "{e}");
    for lang in [Lang::ZhCn, Lang::En] {
        let text = e.localized(lang);
        assert!(text.contains("chen") && text.contains("zhang"), "{text}");
    }
    assert!(e.localized(Lang::ZhCn).contains("责任人"));
    assert!(e.localized(Lang::En).contains("chen's"));
}

#[test]
fn a_specialist_is_refused_on_another_officers_warning_the_officer_and_a_supervisor_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, (own, _), (other, _)) = book(dir.path());
    let mut store = Store::open(&path).expect("open");
    let zhang = actor(&store, "zhang");
    let chen = actor(&store, "chen");
    let wang = actor(&store, "wang");
    let today = date(TODAY);
    let documents = |s: &mut Store| {
        s.write(|tx| tx.document_count("warning_notice"))
            .expect("count")
    };
    let before = documents(&mut store);

    // zhang on chen's warning: notice, cause, move, a manual raise on HT-2 — all refused.
    let e = warning::issue_notice(&mut store, &zhang, other, today, Lang::En).unwrap_err();
    names_chen(&e);
    assert_eq!(documents(&mut store), before, "no notice was kept");
    let e = warning::analyse(
        &mut store,
        &zhang,
        other,
        None,
        "担保人涉诉",
        RiskType::Credit,
        Level::Red,
        today,
    )
    .unwrap_err();
    names_chen(&e);
    for mv in [WarningMove::Acknowledge, WarningMove::StartDisposal] {
        let e = warning::move_warning(&mut store, &zhang, other, None, mv, "", today).unwrap_err();
        names_chen(&e);
    }
    let w = store.warning(other).expect("read").expect("warning");
    assert_eq!(w.row.status, WarningStatus::Open, "unchanged");
    assert!(w.cause.is_empty(), "no cause was written");
    let mw = ManualWarning {
        contract_no: "HT-2",
        signal: ManualSignal::Shutdown,
        level: Level::Orange,
        risk_type: RiskType::Operational,
        reason: "停产",
    };
    let e = warning::raise_manual(&mut store, &zhang, &mw, today, Lang::En).unwrap_err();
    names_chen(&e);

    // zhang on their own warning: all allowed.
    warning::issue_notice(&mut store, &zhang, own, today, Lang::En).expect("own notice");
    warning::analyse(
        &mut store,
        &zhang,
        own,
        None,
        "涉诉",
        RiskType::Credit,
        Level::Red,
        today,
    )
    .expect("own cause");
    warning::move_warning(
        &mut store,
        &zhang,
        own,
        None,
        WarningMove::Acknowledge,
        "",
        today,
    )
    .expect("own move");

    // chen, the officer of HT-2, and wang, a supervisor: allowed.
    warning::issue_notice(&mut store, &chen, other, today, Lang::ZhCn).expect("officer");
    warning::move_warning(
        &mut store,
        &chen,
        other,
        None,
        WarningMove::Acknowledge,
        "",
        today,
    )
    .expect("officer moves");
    warning::analyse(
        &mut store,
        &wang,
        other,
        None,
        "担保人涉诉",
        RiskType::Credit,
        Level::Red,
        today,
    )
    .expect("supervisor writes the cause");
    warning::move_warning(
        &mut store,
        &wang,
        other,
        None,
        WarningMove::StartDisposal,
        "",
        today,
    )
    .expect("supervisor moves");
    warning::raise_manual(&mut store, &wang, &mw, today, Lang::En).expect("supervisor raises");
    assert_eq!(documents(&mut store), before + 3);

    // Data entry stays open: zhang records a contact on chen's loan (covering for a colleague).
    let contact = ContactRecord {
        contract_no: "HT-2".into(),
        contact_on: today,
        kind: ContactKind::Call,
        notes: "代为电话回访".into(),
    };
    workflow::tracking::record_contact(&mut store, &zhang, &contact, today).expect("contact");
}

/// The binary on `book` as `user` in `lang`, at home in the book's directory.
fn cmd(book: &Path, user: &str, lang: &str) -> Command {
    support::cli::cmd(
        book.parent().expect("the book's directory"),
        book,
        user,
        lang,
    )
}

#[test]
fn the_cli_refuses_a_notice_on_another_officers_warning_with_exit_1_naming_the_officer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, (_, own), (_, other)) = book(dir.path());
    for (lang, says) in [("en_US.UTF-8", "chen's"), ("zh_CN.UTF-8", "责任人是“chen”")] {
        for args in [
            vec!["warning", "notice", other.as_str()],
            vec!["warning", "ack", other.as_str()],
        ] {
            let out = cmd(&path, "zhang", lang)
                .args(&args)
                .output()
                .expect("runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
            assert!(stderr.contains(says), "{lang} {args:?}: {stderr}");
        }
    }
    let out = cmd(&path, "zhang", "en_US.UTF-8")
        .args(["warning", "notice", own.as_str()])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cmd(&path, "wang", "en_US.UTF-8")
        .args(["warning", "notice", other.as_str()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "a supervisor may");
}

#[test]
fn the_workbench_says_the_refusal_on_its_status_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, _, (other, _)) = book(dir.path());
    let store = Store::open(&path).expect("open");
    let zhang = actor(&store, "zhang");
    let mut app = App::new(
        store,
        zhang,
        Lang::En,
        Theme::colour(),
        Keymap::load(None).0,
        Config::defaults(),
        date(TODAY),
        (120, 40),
    )
    .expect("app");
    let press = |app: &mut App, c: char| {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
            .expect("key handled");
    };
    press(&mut app, '3');
    for _ in 0..app.board.list.total {
        if app.board.list.selected().map(|r| r.id) == Some(other) {
            break;
        }
        press(&mut app, 'j');
    }
    assert_eq!(app.board.list.selected().map(|r| r.id), Some(other));
    press(&mut app, 'a');
    let notice = app.notice.clone().expect("refused on the status line");
    assert!(notice.error, "{}", notice.text);
    assert!(notice.text.contains("chen's"), "{}", notice.text);
    assert_eq!(
        app.store
            .warning(other)
            .expect("read")
            .expect("warning")
            .row
            .status,
        WarningStatus::Open
    );
}

/// A board key that opens a form asks the workflow first: on a colleague's warning the
/// specialist hears why at the key, in both languages, and no form opens (no typing lost at
/// save); on their own warning the form opens.
#[test]
fn the_boards_form_keys_refuse_before_any_form_on_a_colleagues_loan() {
    for (lang, whose) in [(Lang::En, "chen's"), (Lang::ZhCn, "责任人")] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, (own, _), (other, _)) = book(dir.path());
        let store = Store::open(&path).expect("open");
        let zhang = actor(&store, "zhang");
        let mut app = App::new(
            store,
            zhang,
            lang,
            Theme::colour(),
            Keymap::load(None).0,
            Config::defaults(),
            date(TODAY),
            (120, 40),
        )
        .expect("app");
        let press = |app: &mut App, c: char| {
            app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
                .expect("key handled");
        };
        let select = |app: &mut App, id: i64| {
            press(app, '3');
            press(app, 'g');
            for _ in 0..app.board.list.total {
                if app.board.list.selected().map(|r| r.id) == Some(id) {
                    break;
                }
                press(app, 'j');
            }
            assert_eq!(app.board.list.selected().map(|r| r.id), Some(id));
        };
        select(&mut app, other);
        // Resolve, dismiss (a supervisor's), the cause, a manual warning on the loan.
        for key in ['R', 'D', 'c', 'm'] {
            app.notice = None;
            press(&mut app, key);
            assert!(app.form().is_none(), "'{key}' opened no form");
            let notice = app.notice.clone().expect("refused on the status line");
            assert!(notice.error, "'{key}': {}", notice.text);
            if matches!(key, 'c' | 'm') {
                assert!(notice.text.contains(whose), "'{key}': {}", notice.text);
            }
        }
        // Their own warning: the cause form opens.
        select(&mut app, own);
        press(&mut app, 'c');
        assert!(app.form().is_some(), "the cause form on their own warning");
    }
}
