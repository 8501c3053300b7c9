//! Inspections end to end on a small book made here: the plan, the review × roles
//! (own report, the manager's second approval), stale edits from a second connection,
//! evidence, amendments and the exported report.

use super::*;
use crate::domain::inspection::Measure;
use crate::domain::{
    BorrowerRecord, Classification, GuaranteeType, LoanRecord, Product, Role, StaffRecord,
    TrackingFrequency,
};
use crate::store::{InspectionQuery, PageFrom};
use crate::workflow::{evidence, identify, inspection_report};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::Path;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

const TODAY: &str = "2026-03-02";

/// The shipped checklist (line 60, yellow).
fn checklist() -> crate::domain::checklist::Checklist {
    crate::config::Config::defaults()
        .checklist()
        .expect("checklist")
}

/// A book with four staff and two loans: HT-SMALL (1,000,000 out) and HT-BIG (80,000,000
/// out, above the second-approval line).
fn book(path: &Path) -> Store {
    let mut store = Store::open(path).expect("open");
    store
        .write(|tx| -> crate::store::Result<()> {
            for (u, role) in [
                ("zhang", Role::Specialist),
                ("zhao", Role::Specialist),
                ("wang", Role::Supervisor),
                ("li", Role::Manager),
                ("chen", Role::Auditor),
            ] {
                tx.upsert_staff(
                    &StaffRecord {
                        username: u.into(),
                        display_name: u.into(),
                        role,
                    },
                    "li",
                )?;
            }
            tx.upsert_borrower(
                &BorrowerRecord {
                    code: "B1".into(),
                    name: "华东精密机械有限公司".into(),
                    credit_code: String::new(),
                    industry: String::new(),
                    region: String::new(),
                },
                "li",
            )?;
            for (no, out, class) in [
                ("HT-SMALL", "1000000", Classification::Pass),
                ("HT-BIG", "80000000", Classification::SpecialMention),
            ] {
                tx.upsert_loan(&loan(no, out, class), "li")?;
            }
            Ok(())
        })
        .expect("book");
    store
}

fn loan(no: &str, out: &str, class: Classification) -> LoanRecord {
    LoanRecord {
        contract_no: no.into(),
        borrower_code: "B1".into(),
        borrower_name: "华东精密机械有限公司".into(),
        product: Product::WorkingCapital,
        purpose: "采购原材料".into(),
        currency: "CNY".into(),
        principal: Decimal::from(100_000_000),
        outstanding: out.parse().expect("amount"),
        interest_rate: "4.35".parse().expect("rate"),
        disbursed_on: day("2026-01-05"),
        matures_on: day("2027-01-05"),
        guarantee_type: GuaranteeType::Mortgage,
        officer: "zhang".into(),
        tracking_frequency: TrackingFrequency::Quarterly,
        classification: Some(class),
        restructured_on: None,
        credit_impaired: None,
    }
}

fn who(store: &Store, user: &str) -> Actor {
    identify(store, user, None).expect("staff")
}

fn cfg() -> PlanConfig {
    PlanConfig::defaults().expect("config")
}

fn start_routine(store: &mut Store, by: &Actor, contract: &str) -> String {
    start(
        store,
        by,
        &StartInspection {
            contract_no: contract,
            kind: InspectionKind::Routine,
            mode: InspectionMode::Onsite,
            warnings: &[],
            focus: "经营及押品情况",
            inspected_on: None,
            inspectors: "zhang, zhao",
        },
        day(TODAY),
    )
    .expect("started")
}

fn write_required(store: &mut Store, by: &Actor, number: &str) {
    for (s, text) in [
        (Section::Facts, "2026年3月2日现场检查，走访生产车间。"),
        (Section::Conclusion, "经营正常，维持正常类。"),
    ] {
        write_section(store, by, number, None, s, text).expect("written");
    }
}

fn rule_key(e: &WorkflowError) -> &'static str {
    match e {
        WorkflowError::Rule { key, .. } => key,
        WorkflowError::Inspection(_) => "inspection_err.wrong_state",
        other => panic!("not a rule refusal: {other}"),
    }
}

fn refusal(e: &WorkflowError) -> crate::domain::permission::Refusal {
    match e {
        WorkflowError::Denied { refusal, .. } => *refusal,
        other => panic!("not a permission refusal: {other}"),
    }
}

#[test]
fn the_plan_derives_first_due_dates_once_and_never_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let li = who(&store, "li");
    let c = plan_book(&mut store, &li, &cfg()).expect("plan");
    assert_eq!((c.loans, c.added), (2, 2));
    let again = plan_book(&mut store, &li, &cfg()).expect("plan");
    assert_eq!((again.added, again.moved, again.unchanged), (0, 0, 2));
    let rows = store
        .inspection_page(&InspectionQuery::default(), &PageFrom::Start, 10)
        .expect("list");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.kind == InspectionKind::First
        && r.due_on == day("2026-01-20")
        && r.status == InspectionStatus::Planned));
    // Overdue on TODAY, and filtered by officer.
    let q = InspectionQuery {
        overdue_on: Some(day(TODAY)),
        officer: Some("zhang".into()),
        ..Default::default()
    };
    assert_eq!(store.inspection_count(&q).expect("count"), 2);
    // A specialist may not run the batch.
    let zhang = who(&store, "zhang");
    let e = plan_book(&mut store, &zhang, &cfg()).expect_err("refused");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::Role);
}

#[test]
fn a_done_inspection_moves_the_next_due_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let (li, zhang, wang) = (who(&store, "li"), who(&store, "zhang"), who(&store, "wang"));
    plan_book(&mut store, &li, &cfg()).expect("plan");
    let n = start(
        &mut store,
        &zhang,
        &StartInspection {
            contract_no: "HT-SMALL",
            kind: InspectionKind::First,
            mode: InspectionMode::Onsite,
            warnings: &[],
            focus: "贷款用途",
            inspected_on: Some(day("2026-01-19")),
            inspectors: "",
        },
        day(TODAY),
    )
    .expect("start");
    // The plan's row was taken, not a new one.
    assert_eq!(
        store
            .inspection_count(&InspectionQuery::default())
            .expect("n"),
        2
    );
    write_required(&mut store, &zhang, &n);
    submit(&mut store, &zhang, &n, None, &cfg(), day(TODAY)).expect("submit");
    approve(
        &mut store,
        &wang,
        &n,
        None,
        "",
        day(TODAY),
        Lang::ZhCn,
        &checklist(),
    )
    .expect("approve");
    // A first inspection is done once.
    let again = StartInspection {
        contract_no: "HT-SMALL",
        kind: InspectionKind::First,
        mode: InspectionMode::Onsite,
        warnings: &[],
        focus: "",
        inspected_on: None,
        inspectors: "",
    };
    let e = start(&mut store, &zhang, &again, day(TODAY)).expect_err("done already");
    assert_eq!(rule_key(&e), "inspection_err.already_open");
    let c = plan_book(&mut store, &li, &cfg()).expect("plan");
    assert_eq!(c.added, 1, "the next routine one");
    let q = InspectionQuery {
        kind: Some(InspectionKind::Routine),
        ..Default::default()
    };
    let rows = store
        .inspection_page(&q, &PageFrom::Start, 10)
        .expect("list");
    assert_eq!(rows.len(), 1);
    // 正常: quarterly from the day it was done.
    assert_eq!(rows[0].due_on, day("2026-04-19"));
    // A second routine one while one is under way is refused, naming it.
    let r = start_routine(&mut store, &zhang, "HT-SMALL");
    let e = start(
        &mut store,
        &zhang,
        &StartInspection {
            kind: InspectionKind::Routine,
            ..again
        },
        day(TODAY),
    )
    .expect_err("under way");
    assert!(e.localized(Lang::En).contains(&r), "{e}");
    // The plan holds no row for a kind under way; a paid-off loan leaves the plan.
    let c = plan_book(&mut store, &li, &cfg()).expect("plan");
    assert_eq!((c.added, c.removed), (0, 0));
    store
        .write(|tx| -> crate::store::Result<()> {
            tx.upsert_loan(&loan("HT-BIG", "0", Classification::SpecialMention), "li")?;
            Ok(())
        })
        .expect("paid off");
    let c = plan_book(&mut store, &li, &cfg()).expect("plan");
    assert_eq!(c.removed, 1, "HT-BIG's planned first inspection");
}

#[test]
fn review_by_role_own_report_and_second_approval() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let (zhang, zhao, wang, li, chen) = (
        who(&store, "zhang"),
        who(&store, "zhao"),
        who(&store, "wang"),
        who(&store, "li"),
        who(&store, "chen"),
    );
    let e = start(
        &mut store,
        &chen,
        &StartInspection {
            contract_no: "HT-BIG",
            kind: InspectionKind::Routine,
            mode: InspectionMode::Offsite,
            warnings: &[],
            focus: "",
            inspected_on: None,
            inspectors: "",
        },
        day(TODAY),
    )
    .expect_err("an auditor does not start inspections");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::Role);
    let n = start_routine(&mut store, &zhang, "HT-BIG");
    // Someone else's report cannot be written.
    let e =
        write_section(&mut store, &zhao, &n, None, Section::Facts, "x").expect_err("not author");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::NotMaker);
    // Empty required section.
    let e = submit(&mut store, &zhang, &n, None, &cfg(), day(TODAY)).expect_err("empty");
    assert_eq!(rule_key(&e), "inspection_err.section_empty");
    write_required(&mut store, &zhang, &n);
    add_measure(
        &mut store,
        &zhang,
        &n,
        None,
        &MeasureEntry {
            measure: Measure::AddCollateral,
            deadline: Some(day("2026-04-30")),
            owner: Some("zhang".into()),
            note: "追加厂房抵押".into(),
        },
    )
    .expect("measure");
    propose_class(&mut store, &zhang, &n, None, Classification::SpecialMention).expect("class");
    submit(&mut store, &zhang, &n, None, &cfg(), day(TODAY)).expect("submit");
    // Locked for its author.
    let e = write_section(&mut store, &zhang, &n, None, Section::Facts, "x").expect_err("locked");
    assert_eq!(rule_key(&e), "inspection_err.wrong_state");
    // A specialist does not review; the author's own supervisor role would not help either.
    let e = approve(
        &mut store,
        &zhao,
        &n,
        None,
        "",
        day(TODAY),
        Lang::En,
        &checklist(),
    )
    .expect_err("role");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::Role);
    // Return needs a comment.
    let e = return_report(&mut store, &wang, &n, None, "  ", day(TODAY)).expect_err("comment");
    assert_eq!(rule_key(&e), "inspection_err.comment_required");
    return_report(&mut store, &wang, &n, None, "押品估值依据不足", day(TODAY)).expect("return");
    let i = store
        .inspection_by_number(&n)
        .expect("read")
        .expect("there");
    assert_eq!(i.row.status, InspectionStatus::Returned);
    assert_eq!(i.return_comment, "押品估值依据不足");
    write_section(
        &mut store,
        &zhang,
        &n,
        None,
        Section::Collateral,
        "补充评估报告。",
    )
    .expect("w");
    submit(&mut store, &zhang, &n, None, &cfg(), day(TODAY)).expect("resubmit");
    // 80,000,000 outstanding > 50,000,000: the supervisor's approval is the first of two.
    assert_eq!(
        approve(
            &mut store,
            &wang,
            &n,
            None,
            "同意",
            day(TODAY),
            Lang::ZhCn,
            &checklist()
        )
        .expect("first"),
        Approval::AwaitsSecond
    );
    let e = approve(
        &mut store,
        &wang,
        &n,
        None,
        "",
        day(TODAY),
        Lang::ZhCn,
        &checklist(),
    )
    .expect_err("second");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::Role);
    let done = approve(
        &mut store,
        &li,
        &n,
        None,
        "同意",
        day(TODAY),
        Lang::ZhCn,
        &checklist(),
    )
    .expect("second");
    let Approval::Approved { document, .. } = done else {
        panic!("not approved: {done:?}")
    };
    let i = store
        .inspection_by_number(&n)
        .expect("read")
        .expect("there");
    assert_eq!(i.row.status, InspectionStatus::Approved);
    assert_eq!(
        (i.row.reviewer.as_deref(), i.second_reviewer.as_deref()),
        (Some("wang"), Some("li"))
    );
    // The approved report is a document of the loan, with its SHA-256.
    let docs = store.documents(i.row.loan_id).expect("docs");
    let doc = docs
        .iter()
        .find(|d| d.number == document)
        .expect("document");
    assert!(doc.body.contains("追加厂房抵押") && doc.body.contains("增强担保"));
    assert_eq!(doc.sha256.len(), 64);
    // Never edited once approved; an amendment is a new version, reviewed again.
    let e = write_section(&mut store, &zhang, &n, None, Section::Facts, "x").expect_err("approved");
    assert_eq!(rule_key(&e), "inspection_err.wrong_state");
    let rv = amend(&mut store, &zhang, &n, None, "更正检查日期", day(TODAY)).expect("amend");
    assert_eq!(rv, 2);
    write_section(
        &mut store,
        &zhang,
        &n,
        None,
        Section::Facts,
        "2026年3月1日现场检查。",
    )
    .expect("w");
    let v1 = store.inspection_sections(i.row.id, 1).expect("v1");
    let v2 = store.inspection_sections(i.row.id, 2).expect("v2");
    assert_eq!(
        v1[0].1, "2026年3月2日现场检查，走访生产车间。",
        "the approved version stays"
    );
    assert_eq!(v2[0].1, "2026年3月1日现场检查。");
    assert_eq!(store.inspection_measures(i.row.id, 2).expect("m").len(), 1);
    // The author may not approve their own report, even as a manager.
    let n2 = start_routine(&mut store, &li, "HT-SMALL");
    write_required(&mut store, &li, &n2);
    submit(&mut store, &li, &n2, None, &cfg(), day(TODAY)).expect("submit");
    let e = approve(
        &mut store,
        &li,
        &n2,
        None,
        "",
        day(TODAY),
        Lang::En,
        &checklist(),
    )
    .expect_err("own");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::OwnRecord);
    // 1,000,000 outstanding: one approval is final.
    assert!(matches!(
        approve(
            &mut store,
            &wang,
            &n2,
            None,
            "",
            day(TODAY),
            Lang::En,
            &checklist()
        )
        .expect("one"),
        Approval::Approved { .. }
    ));
}

#[test]
fn a_stale_edit_from_another_connection_is_refused_naming_who() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.db");
    let mut store = book(&path);
    let zhang = who(&store, "zhang");
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    let seen = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("there")
        .row
        .version;
    let mut other = Store::open(&path).expect("second connection");
    write_section(&mut other, &zhang, &n, Some(seen), Section::Facts, "甲").expect("first edit");
    let e =
        write_section(&mut store, &zhang, &n, Some(seen), Section::Facts, "乙").expect_err("stale");
    match &e {
        WorkflowError::Stale {
            by,
            expected,
            current,
            ..
        } => {
            assert_eq!(
                (by.as_str(), *expected, *current),
                ("zhang", seen, seen + 1)
            );
        }
        other => panic!("{other}"),
    }
    assert!(e.localized(Lang::ZhCn).contains(&n));
    let s = store.inspection_sections(
        store
            .inspection_by_number(&n)
            .expect("r")
            .expect("t")
            .row
            .id,
        1,
    );
    assert_eq!(s.expect("s")[0].1, "甲", "the stale edit wrote nothing");
}

#[test]
fn a_triggered_inspection_links_its_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let zhang = who(&store, "zhang");
    let e = start(
        &mut store,
        &zhang,
        &StartInspection {
            contract_no: "HT-SMALL",
            kind: InspectionKind::Triggered,
            mode: InspectionMode::Onsite,
            warnings: &[],
            focus: "",
            inspected_on: None,
            inspectors: "",
        },
        day(TODAY),
    )
    .expect_err("no warning");
    assert_eq!(rule_key(&e), "inspection_err.needs_warning");
    let e = start(
        &mut store,
        &zhang,
        &StartInspection {
            contract_no: "HT-SMALL",
            kind: InspectionKind::Triggered,
            mode: InspectionMode::Onsite,
            warnings: &["YJ2026-999999".to_string()],
            focus: "",
            inspected_on: None,
            inspectors: "",
        },
        day(TODAY),
    )
    .expect_err("no such warning");
    assert_eq!(rule_key(&e), "inspection_err.warning_not_of_loan");
    assert_eq!(
        store
            .inspection_count(&InspectionQuery::default())
            .expect("n"),
        0,
        "nothing of a refused start is written"
    );
}

#[test]
fn a_second_triggered_start_for_a_warning_under_way_is_refused_naming_it() {
    use crate::domain::warning::{Level, ManualSignal, RiskType};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let (zhang, wang) = (who(&store, "zhang"), who(&store, "wang"));
    let (_, warning) = crate::workflow::warning::raise_manual(
        &mut store,
        &wang,
        &crate::workflow::warning::ManualWarning {
            contract_no: "HT-SMALL",
            signal: ManualSignal::Litigation,
            level: Level::Red,
            risk_type: RiskType::Credit,
            reason: "被诉",
        },
        day(TODAY),
        crate::i18n::Lang::ZhCn,
    )
    .expect("raised");
    let triggered = |store: &mut Store, ws: &[String]| {
        start(
            store,
            &zhang,
            &StartInspection {
                contract_no: "HT-SMALL",
                kind: InspectionKind::Triggered,
                mode: InspectionMode::Onsite,
                warnings: ws,
                focus: "",
                inspected_on: None,
                inspectors: "",
            },
            day(TODAY),
        )
    };
    let first = triggered(&mut store, std::slice::from_ref(&warning)).expect("first start");
    let e = triggered(&mut store, std::slice::from_ref(&warning)).expect_err("a duplicate");
    assert_eq!(rule_key(&e), "inspection_err.warning_answered");
    match &e {
        WorkflowError::Rule { args, .. } => assert!(
            args.iter().any(|(_, v)| v == &first),
            "the refusal names {first}: {args:?}"
        ),
        other => panic!("{other}"),
    }
    // Padded input names the same warning.
    let padded = format!(" {warning} ");
    let e = triggered(&mut store, &[padded]).expect_err("padded duplicate");
    assert_eq!(rule_key(&e), "inspection_err.warning_answered");
    assert_eq!(
        store
            .inspection_count(&InspectionQuery::default())
            .expect("n"),
        1,
        "the refused starts wrote nothing"
    );
}

#[test]
fn evidence_is_attached_once_and_listed_in_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.db");
    let mut store = book(&path);
    let (zhang, zhao) = (who(&store, "zhang"), who(&store, "zhao"));
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    let photo = dir.path().join("厂房照片.jpg");
    std::fs::write(&photo, "照片内容").expect("write");
    let a = attach(&mut store, &zhang, &n, None, &photo, "东侧厂房", 1024).expect("attach");
    assert!(a.new_file && a.new_link);
    let again = attach(&mut store, &zhang, &n, None, &photo, "", 1024).expect("again");
    assert!(!again.new_file && !again.new_link);
    assert_eq!(again.sha256, a.sha256);
    assert!(evidence::stored_path(&evidence::docs_dir(&path), &a.sha256).is_file());
    let e = attach(&mut store, &zhao, &n, None, &photo, "", 1024).expect_err("not the author");
    assert_eq!(refusal(&e), crate::domain::permission::Refusal::NotMaker);
    let e = attach(
        &mut store,
        &zhang,
        &n,
        None,
        &dir.path().join("无.pdf"),
        "",
        1024,
    )
    .expect_err("missing");
    assert_eq!(rule_key(&e), "evidence_err.missing");
    assert!(e.localized(Lang::ZhCn).contains("无.pdf"));
    let e = attach(&mut store, &zhang, &n, None, &photo, "", 4).expect_err("too large");
    assert_eq!(rule_key(&e), "evidence_err.too_large");
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    assert_eq!(store.inspection_evidence(id).expect("ev").len(), 1);
    write_required(&mut store, &zhang, &n);
    let data = store.inspection_report(id, None).expect("r").expect("t");
    let md = inspection_report::markdown(&data, Lang::ZhCn, &checklist());
    for want in [
        n.as_str(),
        "华东精密机械有限公司",
        "厂房照片.jpg",
        a.sha256.as_str(),
        "一、检查基本情况",
        "2026年3月2日现场检查，走访生产车间。",
        "九、检查结论及措施",
        "（未填写）",
        "zhang",
    ] {
        assert!(md.contains(want), "markdown lacks {want}:\n{md}");
    }
    let html = inspection_report::html(&data, Lang::En, &checklist());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains(&a.sha256) && html.contains("1. Inspection facts"));
    assert!(
        !html.contains("<script") && !html.contains("http"),
        "self-contained"
    );
}

#[test]
fn report_text_is_escaped_in_html() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let zhang = who(&store, "zhang");
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    write_section(
        &mut store,
        &zhang,
        &n,
        None,
        Section::Facts,
        "<script>alert(1)</script> & 'x'",
    )
    .expect("w");
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    let html = inspection_report::html(
        &store.inspection_report(id, None).expect("r").expect("t"),
        Lang::En,
        &checklist(),
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;"));
    assert!(!html.contains("<script>"));
}

#[test]
fn hostile_text_is_stored_as_given_and_inert_in_both_formats_bidi_controls_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    let zhang = who(&store, "zhang");
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    let bidi = [
        "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}",
        "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{061C}",
    ];
    let hostile = format!("<script>alert(1)</script> & 批准{}退回", bidi.concat());
    write_section(&mut store, &zhang, &n, None, Section::Facts, &hostile).expect("w");
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    let data = store.inspection_report(id, None).expect("r").expect("t");
    let stored = data
        .sections
        .iter()
        .find(|(s, _)| *s == Section::Facts.number())
        .map(|(_, b)| b.clone())
        .unwrap_or_default();
    assert_eq!(stored, hostile, "stored as given (issue #13)");
    for lang in [Lang::ZhCn, Lang::En] {
        let md = inspection_report::markdown(&data, lang, &checklist());
        assert!(
            md.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 批准退回"),
            "{md}"
        );
        let html = inspection_report::html(&data, lang, &checklist());
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; 批准退回"));
        for doc in [&md, &html] {
            assert!(!doc.contains("<script>"), "{doc}");
            for b in bidi {
                assert!(!doc.contains(b), "{b:?} left in a document");
            }
        }
    }
}

#[test]
fn the_report_facts_show_money_formatted_collateral_coverage_and_repayment() {
    use crate::domain::{CollateralKind, CollateralRecord, RepaymentRecord};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = book(&dir.path().join("b.db"));
    store
        .write(|tx| -> crate::store::Result<()> {
            tx.upsert_collateral(
                &CollateralRecord {
                    contract_no: "HT-SMALL".into(),
                    kind: CollateralKind::RealEstate,
                    description: "厂房".into(),
                    appraised_value: Decimal::from(2_500_000),
                    appraised_on: day("2026-01-02"),
                },
                "li",
            )?;
            tx.upsert_repayment(
                &RepaymentRecord {
                    contract_no: "HT-SMALL".into(),
                    as_of: day("2026-02-28"),
                    overdue_days: 12,
                    overdue_principal: Decimal::from(46_010_000),
                    overdue_interest: "1234.5".parse().expect("amount"),
                },
                "li",
            )?;
            Ok(())
        })
        .expect("facts");
    let zhang = who(&store, "zhang");
    let n = start_routine(&mut store, &zhang, "HT-SMALL");
    let id = store
        .inspection_by_number(&n)
        .expect("r")
        .expect("t")
        .row
        .id;
    let data = store.inspection_report(id, None).expect("r").expect("t");
    for lang in [Lang::ZhCn, Lang::En] {
        let md = inspection_report::markdown(&data, lang, &checklist());
        let html = inspection_report::html(&data, lang, &checklist());
        for doc in [&md, &html] {
            for shown in [
                "¥1,000,000.00",   // outstanding
                "¥100,000,000.00", // principal
                "¥2,500,000.00",   // the collateral and the total
                "40.00%",          // coverage: 1,000,000 / 2,500,000
                "¥46,010,000.00",  // overdue principal
                "¥1,234.50",
                "2026-02-28",
            ] {
                assert!(doc.contains(shown), "{lang:?} lacks {shown}: {doc}");
            }
            assert!(!doc.contains("46010000"), "an unformatted amount: {doc}");
            assert!(!doc.contains("| 1000000 |"), "{doc}");
        }
    }
}

#[test]
fn a_fresh_demo_books_plan_is_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    for loans in [200, 2_000] {
        let params = crate::demo::DemoParams {
            loans,
            seed: 42,
            as_of: day("2026-06-30"),
        };
        let (mut store, _) = crate::workflow::demo::open_or_build(
            &dir.path().join(format!("d{loans}.db")),
            &params,
            true,
            "tester",
        )
        .expect("demo book");
        let manager = who(&store, "zhao.lei");
        let counts = plan_book(&mut store, &manager, &cfg()).expect("plan");
        assert_eq!(
            (counts.added, counts.moved, counts.removed),
            (0, 0, 0),
            "{loans} loans: the demo derived the plan before something it depends on"
        );
        assert!(counts.unchanged > 0);
    }
}

#[test]
fn the_demo_book_shows_inspections_in_every_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let params = crate::demo::DemoParams {
        loans: 300,
        seed: 7,
        as_of: day("2026-06-30"),
    };
    let (store, _) =
        crate::workflow::demo::open_or_build(&dir.path().join("d.db"), &params, true, "tester")
            .expect("demo book");
    for s in InspectionStatus::ALL {
        let q = InspectionQuery {
            status: Some(*s),
            ..Default::default()
        };
        assert!(
            store.inspection_count(&q).expect("count") > 0,
            "no {s:?} inspection"
        );
    }
    let open = |overdue_on| InspectionQuery {
        overdue_on,
        ..Default::default()
    };
    let overdue = store
        .inspection_count(&open(Some(day("2026-06-30"))))
        .expect("n");
    let all = store.inspection_count(&open(None)).expect("n");
    assert!(
        overdue > 0 && overdue * 4 < all,
        "some overdue, not most: {overdue} of {all}"
    );
    let returned = store
        .inspection_page(
            &InspectionQuery {
                status: Some(InspectionStatus::Returned),
                ..Default::default()
            },
            &PageFrom::Start,
            1,
        )
        .expect("page");
    let r = store.inspection(returned[0].id).expect("r").expect("there");
    assert!(
        !r.return_comment.is_empty(),
        "a returned report carries its comment"
    );
    let drafts = store
        .inspection_page(
            &InspectionQuery {
                status: Some(InspectionStatus::Draft),
                ..Default::default()
            },
            &PageFrom::Start,
            100,
        )
        .expect("page");
    let amended = drafts
        .iter()
        .filter_map(|d| store.inspection(d.id).ok().flatten())
        .any(|d| d.report_version == 2);
    assert!(amended, "an approved report with an amendment under way");
}

#[cfg(test)]
#[path = "inspection_checklist_tests.rs"]
mod checklist_tests;
