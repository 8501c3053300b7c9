//! Disposal through the workflow on a demo book: grouping, plans and their approvals, actions,
//! escalation on injected dates, closing. Every date is given; nothing sleeps.

use super::*;
use crate::demo::DemoParams;
use crate::domain::disposal::{ActionKind, ActionMove, ActionStatus, CaseStatus, PlanStatus};
use crate::domain::permission::Refusal;
use crate::domain::warning::{ManualSignal, RiskType, WarningMove};
use crate::store::{ActionFilter, CaseFilter, CaseRow, PageFrom, WarningQuery};
use crate::workflow::warning::{ManualWarning, move_warning, raise_manual};
use crate::workflow::{demo, identify};
use std::path::Path;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

const TODAY: (i32, u32, u32) = (2026, 6, 30);

fn today() -> NaiveDate {
    day(TODAY.0, TODAY.1, TODAY.2)
}

struct Book {
    store: Store,
    specialist: Actor,
    supervisor: Actor,
    supervisor2: Actor,
    manager: Actor,
    auditor: Actor,
}

fn book(path: &Path) -> Book {
    let params = DemoParams {
        loans: 200,
        seed: 7,
        as_of: today(),
    };
    let (store, _) = demo::open_or_build(path, &params, true, "tester").expect("demo book");
    let who = |u: &str| identify(&store, "tester", Some(u)).expect("demo staff");
    Book {
        specialist: who(SPECIALIST),
        supervisor: who("wu.hao"),
        supervisor2: who("xu.li"),
        manager: who("zhao.lei"),
        auditor: who("hu.yan"),
        store,
    }
}

fn all_cases(store: &Store, status: CaseStatus) -> Vec<CaseRow> {
    let f = CaseFilter {
        status,
        ..CaseFilter::default()
    };
    store
        .cases_page(&f, &PageFrom::Start, 100_000)
        .expect("cases")
}

/// The specialist the tests act as: [`Book::specialist`], the officer of [`case_at`]'s cases.
const SPECIALIST: &str = "wang.fang";

/// An open case of `level` whose officer is the acting specialist (the first in pane order):
/// a specialist works only the cases of their own loans.
fn case_at(store: &Store, level: Level) -> CaseRow {
    all_cases(store, CaseStatus::Open)
        .into_iter()
        .find(|c| c.level == level && c.officer == SPECIALIST)
        .unwrap_or_else(|| panic!("the demo book has a {level:?} case of {SPECIALIST}"))
}

/// The officer of case `number`, as an actor: a specialist works the cases of their loans.
fn officer_of(b: &Book, number: &str) -> Actor {
    let c = b.store.case_by_number(number).expect("read").expect("case");
    identify(&b.store, "tester", Some(&c.officer)).expect("the case's officer is staff")
}

fn settings() -> DisposalSettings {
    DisposalSettings::default()
}

fn denied(e: &WorkflowError) -> Option<Refusal> {
    match e {
        WorkflowError::Denied { refusal, .. } => Some(*refusal),
        _ => None,
    }
}

fn rule_key(e: &WorkflowError) -> &str {
    match e {
        WorkflowError::Rule { key, .. } => key,
        _ => "",
    }
}

/// A submitted rectification plan of `case`, drafted by its officer, with one measure.
fn submitted_rectification(b: &mut Book, case: &str, due: NaiveDate) -> i64 {
    let officer = officer_of(b, case);
    let id = plan(
        &mut b.store,
        &officer,
        &NewPlan {
            case,
            kind: PlanKind::Rectification,
            summary: "补充流动资金，压降应收账款",
            due: Some(due),
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect("rectification drafted");
    add_action(
        &mut b.store,
        &officer,
        &AddAction {
            case,
            kind: ActionKind::RectificationMeasure,
            title: "每月报送应收账款明细",
            owner: &officer.username,
            deadline: day(2026, 7, 31),
            contract: None,
            plan: None,
        },
        today(),
    )
    .expect("measure added");
    submit(&mut b.store, &officer, case, None, None, today()).expect("submitted");
    id
}

/// One measure of plan `plan` of `case`, added by the supervisor for the specialist: a plan
/// is submitted with at least one.
fn add_measure(b: &mut Book, case: &str, plan: i64, kind: ActionKind, on: NaiveDate) -> i64 {
    add_action(
        &mut b.store,
        &b.supervisor,
        &AddAction {
            case,
            kind,
            title: "追加保证人或抵押物",
            owner: SPECIALIST,
            deadline: day(2026, 12, 31),
            contract: None,
            plan: Some(plan),
        },
        on,
    )
    .expect("measure added")
}

#[test]
fn evaluation_groups_open_warnings_into_one_case_per_borrower_at_the_worst_level() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(&dir.path().join("book.db"));
    let cases = all_cases(&b.store, CaseStatus::Open);
    assert!(!cases.is_empty(), "the demo book's warnings open cases");
    let mut borrowers: Vec<i64> = cases.iter().map(|c| c.borrower_id).collect();
    borrowers.sort_unstable();
    borrowers.dedup();
    assert_eq!(borrowers.len(), cases.len(), "one open case per borrower");
    let active = b
        .store
        .warning_count(&WarningQuery::default())
        .expect("count");
    let gathered: u64 = cases.iter().map(|c| c.warnings).sum();
    assert_eq!(gathered, active, "every open warning is in a case");
    for c in &cases {
        let d = b.store.case_detail(&c.number).expect("read").expect("case");
        let worst = d
            .warnings
            .iter()
            .filter(|w| w.status.is_active())
            .map(|w| w.level)
            .max()
            .expect("a case has warnings");
        assert_eq!(c.level, worst, "{}: level is the worst warning", c.number);
        assert!(c.loans >= 1 && c.exposure > rust_decimal::Decimal::ZERO);
        assert!(c.number.starts_with("CZ2026-"));
        assert_eq!(d.events.first().map(|e| e.event.as_str()), Some("opened"));
    }
    // Pane order: red first, then orange, then yellow.
    let orders: Vec<i64> = cases.iter().map(|c| c.level.board_order()).collect();
    let mut sorted = orders.clone();
    sorted.sort_unstable();
    assert_eq!(orders, sorted);
}

#[test]
fn a_new_signal_joins_the_open_case_and_a_worse_one_raises_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Yellow);
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    let contract = d.loans[0].contract_no.clone();
    raise_manual(
        &mut b.store,
        &b.specialist,
        &ManualWarning {
            contract_no: &contract,
            signal: ManualSignal::Litigation,
            level: Level::Red,
            risk_type: RiskType::Credit,
            reason: "法院立案：买卖合同纠纷",
        },
        today(),
        Lang::ZhCn,
    )
    .expect("raised");
    let after = b
        .store
        .case_by_number(&c.number)
        .expect("read")
        .expect("case");
    assert_eq!(after.status, CaseStatus::Open);
    assert_eq!(after.warnings, c.warnings + 1, "the signal joined");
    assert_eq!(after.level, Level::Red, "the case rose to the worst");
    assert_eq!(
        after.class_review_on,
        Some(today()),
        "a classification review is asked"
    );
    assert_eq!(
        all_cases(&b.store, CaseStatus::Open)
            .iter()
            .filter(|x| x.borrower_id == c.borrower_id)
            .count(),
        1,
        "still one case for the borrower"
    );
    let events = b
        .store
        .case_detail(&c.number)
        .expect("read")
        .expect("case")
        .events;
    assert!(
        events
            .iter()
            .any(|e| e.event == "level_raised" && e.reference == "yellow>red")
    );
    assert!(
        b.store
            .class_reviews_due(100)
            .expect("reviews")
            .iter()
            .any(|r| r.number == c.number)
    );
}

#[test]
fn the_last_warning_resolved_closes_nothing_and_closing_names_what_is_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Yellow);
    plan(
        &mut b.store,
        &b.specialist,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Explanation,
            summary: "请借款人说明流动比率下降原因",
            due: None,
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect("explanation requested");
    let action = add_action(
        &mut b.store,
        &b.specialist,
        &AddAction {
            case: &c.number,
            kind: ActionKind::Explanation,
            title: "催收书面说明",
            owner: "wang.fang",
            deadline: day(2026, 7, 15),
            contract: None,
            plan: None,
        },
        today(),
    )
    .expect("action");
    let e = close(
        &mut b.store,
        &b.specialist,
        &c.number,
        "风险消除",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect_err("warnings open");
    assert_eq!(rule_key(&e), "disposal_err.still_open");
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert!(e.localized(Lang::En).contains(&d.warnings[0].number));
    // Both block here (the warnings and the action): both are named, with what to do.
    let en = e.localized(Lang::En);
    assert!(
        en.contains("Open warnings: ") && en.contains(&format!("Open actions: #{action}")),
        "{en}"
    );
    assert!(
        en.contains("Resolve or dismiss the warnings and finish"),
        "{en}"
    );
    for w in &d.warnings {
        move_warning(
            &mut b.store,
            &b.supervisor,
            w.id,
            None,
            WarningMove::Dismiss,
            "核实为数据错误",
            today(),
        )
        .expect("dismissed");
    }
    let still = b
        .store
        .case_by_number(&c.number)
        .expect("read")
        .expect("case");
    assert_eq!(
        still.status,
        CaseStatus::Open,
        "resolving the last warning closes nothing"
    );
    assert_eq!(still.warnings, 0);
    let e = close(
        &mut b.store,
        &b.specialist,
        &c.number,
        "风险消除",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect_err("action open");
    assert_eq!(rule_key(&e), "disposal_err.still_open");
    assert!(e.localized(Lang::ZhCn).contains(&format!("#{action}")));
    // Only what blocks is named: the warnings are gone, so no "Open warnings: none".
    let (en, zh) = (e.localized(Lang::En), e.localized(Lang::ZhCn));
    assert!(
        en.contains("Open actions: #") && !en.contains("Open warnings") && !en.contains("none"),
        "{en}"
    );
    assert!(en.ends_with("Finish or cancel the actions first"), "{en}");
    assert!(
        zh.contains("未完成的措施：#") && !zh.contains("预警"),
        "{zh}"
    );
    move_action(
        &mut b.store,
        &b.specialist,
        action,
        ActionMove::Done,
        "已收到",
        None,
        today(),
    )
    .expect("done");
    let e = close(
        &mut b.store,
        &b.specialist,
        &c.number,
        "  ",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect_err("reason needed");
    assert_eq!(rule_key(&e), "disposal_err.empty");
    close(
        &mut b.store,
        &b.specialist,
        &c.number,
        "风险消除",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect("closed");
    let closed = b
        .store
        .case_by_number(&c.number)
        .expect("read")
        .expect("case");
    assert_eq!(closed.status, CaseStatus::Closed);
    assert_eq!(closed.close_reason, "风险消除");
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert!(
        d.plans.iter().all(|p| !p.status.is_open()),
        "open plans end with the case"
    );
}

#[test]
fn an_explanation_tightens_tracking_until_the_case_closes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    // A yellow case whose loans are followed less often than monthly.
    let c = all_cases(&b.store, CaseStatus::Open)
        .into_iter()
        .filter(|c| c.level == Level::Yellow)
        .find(|c| {
            let d = b.store.case_detail(&c.number).expect("read").expect("case");
            d.loans.iter().any(|l| l.tracking_frequency != "monthly")
        })
        .expect("a yellow case with a loan followed quarterly or less often");
    let officer = officer_of(&b, &c.number);
    let before = b
        .store
        .case_detail(&c.number)
        .expect("read")
        .expect("case")
        .loans;
    plan(
        &mut b.store,
        &officer,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Explanation,
            summary: "说明经营情况",
            due: None,
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect("explanation requested");
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert!(d.loans.iter().all(|l| l.tracking_frequency == "monthly"));
    let p = &d.plans[0];
    assert_eq!(
        p.status,
        PlanStatus::Approved,
        "an explanation is in force at once"
    );
    assert_eq!(p.due_on, Some(day(2026, 7, 15)), "default: 15 days");
    assert_eq!(c.next_deadline, None);
    assert_eq!(d.case.next_deadline, Some(day(2026, 7, 15)));
    let e = record_explanation(
        &mut b.store,
        &officer,
        &c.number,
        day(2026, 7, 1),
        "x",
        today(),
    )
    .expect_err("arrival in the future");
    assert_eq!(rule_key(&e), "disposal_err.date_future");
    record_explanation(
        &mut b.store,
        &officer,
        &c.number,
        today(),
        "借款人称系季节性备货所致",
        today(),
    )
    .expect("arrived");
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert_eq!(d.plans[0].status, PlanStatus::Fulfilled);
    assert_eq!(d.plans[0].arrived_on, Some(today()));
    for w in &d.warnings {
        move_warning(
            &mut b.store,
            &b.supervisor,
            w.id,
            None,
            WarningMove::Dismiss,
            "说明合理",
            today(),
        )
        .expect("dismissed");
    }
    close(
        &mut b.store,
        &officer,
        &c.number,
        "说明合理，风险可控",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect("closed");
    let restored: Vec<(String, String)> = b
        .store
        .case_detail(&c.number)
        .expect("read")
        .expect("case")
        .loans
        .into_iter()
        .map(|l| (l.contract_no, l.tracking_frequency))
        .collect();
    let was: Vec<(String, String)> = before
        .into_iter()
        .map(|l| (l.contract_no, l.tracking_frequency))
        .collect();
    assert_eq!(restored, was, "closing restores each loan's frequency");
}

/// A case's number, level and its loans' (contract, tracking frequency).
type CaseFrequencies = (String, Level, Vec<(String, String)>);

#[test]
fn orange_and_red_cases_tighten_tracking_by_level_until_the_case_closes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let s = DisposalSettings {
        orange_tracking: TrackingFrequency::Quarterly,
        red_tracking: TrackingFrequency::Monthly,
        ..settings()
    };
    let months = |f: &str| TrackingFrequency::parse(f).map_or(99, |f| f.months());
    let frequencies = |store: &Store| -> Vec<CaseFrequencies> {
        all_cases(store, CaseStatus::Open)
            .into_iter()
            .map(|c| {
                let d = store.case_detail(&c.number).expect("read").expect("case");
                let loans = d
                    .loans
                    .into_iter()
                    .map(|l| (l.contract_no, l.tracking_frequency))
                    .collect();
                (c.number, c.level, loans)
            })
            .collect()
    };
    let before = frequencies(&b.store);
    let looser = |level: Level, limit: u32| {
        before
            .iter()
            .filter(|(_, l, _)| *l == level)
            .any(|(_, _, loans)| loans.iter().any(|(_, f)| months(f) > limit))
    };
    assert!(
        looser(Level::Orange, 3) && looser(Level::Red, 1),
        "the demo book has loans to tighten"
    );
    let e =
        tighten_by_level(&mut b.store, &b.specialist, &s, today()).expect_err("the engine's run");
    assert_eq!(denied(&e), Some(Refusal::Role));
    let done = tighten_by_level(&mut b.store, &Actor::system(), &s, today()).expect("run");
    assert!(!done.is_empty());
    let after = frequencies(&b.store);
    for ((number, level, was), (_, _, now)) in before.iter().zip(&after) {
        let limit = match level {
            Level::Red => 1,
            Level::Orange => 3,
            Level::Yellow => 99,
        };
        for ((contract, f0), (_, f1)) in was.iter().zip(now) {
            let want = if months(f0) > limit && *level != Level::Yellow {
                if *level == Level::Red {
                    "monthly"
                } else {
                    "quarterly"
                }
            } else {
                f0.as_str()
            };
            assert_eq!(f1, want, "{number} {level:?} {contract}");
        }
    }
    let tail = b.store.audit_tail(3).expect("audit");
    assert!(tail.iter().any(|e| e.action == "cases.tighten_tracking"));
    let again = tighten_by_level(&mut b.store, &Actor::system(), &s, today()).expect("run");
    assert!(again.is_empty(), "once");
    // An orange case that was tightened, closed: its loans go back to what they had.
    let (number, _, was) = before
        .iter()
        .find(|(n, l, loans)| {
            *l == Level::Orange
                && loans.iter().any(|(_, f)| months(f) > 3)
                && b.store
                    .case_detail(n)
                    .expect("read")
                    .expect("case")
                    .actions
                    .iter()
                    .all(|a| !a.status.is_open())
        })
        .expect("a tightened orange case without open actions");
    let d = b.store.case_detail(number).expect("read").expect("case");
    assert!(
        d.events
            .iter()
            .any(|e| e.event == "tracking_tightened" && e.reference == "quarterly")
    );
    for w in &d.warnings {
        move_warning(
            &mut b.store,
            &b.supervisor,
            w.id,
            None,
            WarningMove::Dismiss,
            "已核实",
            today(),
        )
        .expect("dismissed");
    }
    let officer = officer_of(&b, number);
    close(
        &mut b.store,
        &officer,
        number,
        "风险已化解",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect("closed");
    let restored: Vec<(String, String)> = b
        .store
        .case_detail(number)
        .expect("read")
        .expect("case")
        .loans
        .into_iter()
        .map(|l| (l.contract_no, l.tracking_frequency))
        .collect();
    assert_eq!(&restored, was, "closing restores each loan's frequency");
}

#[test]
fn a_close_blocked_only_by_warnings_names_only_the_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Yellow);
    let e = close(
        &mut b.store,
        &b.specialist,
        &c.number,
        "风险消除",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect_err("warnings open");
    assert_eq!(rule_key(&e), "disposal_err.still_open");
    let en = e.localized(Lang::En);
    assert!(
        en.contains("Open warnings: YJ") && !en.contains("actions") && !en.contains("none"),
        "{en}"
    );
    assert!(
        en.ends_with("Resolve or dismiss the warnings first"),
        "{en}"
    );
    let zh = e.localized(Lang::ZhCn);
    assert!(
        zh.contains("未解除的预警：YJ") && !zh.contains("措施") && !zh.contains("无"),
        "{zh}"
    );
}

#[test]
fn a_rectification_is_approved_by_another_supervisor_and_issues_its_notice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Orange);
    // A supervisor drafts one: he may not approve it himself.
    let own = plan(
        &mut b.store,
        &b.supervisor,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Rectification,
            summary: "压降存货",
            due: Some(day(2026, 9, 30)),
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect("drafted");
    let e = decide(
        &mut b.store,
        &b.supervisor2,
        &c.number,
        Some(own),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::ZhCn,
    )
    .expect_err("a draft is not submitted");
    // Approving a draft says what to do: submit it first (by its id or as the latest).
    assert_eq!(rule_key(&e), "disposal_err.plan_draft");
    let en = e.localized(Lang::En);
    assert!(
        en.contains(&format!("plan #{own} of case {}", c.number)) && en.contains("submit it first"),
        "{en}"
    );
    assert!(e.localized(Lang::ZhCn).contains("请先提交"), "{e}");
    let e = decide(
        &mut b.store,
        &b.supervisor2,
        &c.number,
        None,
        Decision::Approve,
        "",
        None,
        today(),
        Lang::ZhCn,
    )
    .expect_err("the latest plan is a draft");
    assert_eq!(rule_key(&e), "disposal_err.plan_draft", "{e}");
    add_measure(
        &mut b,
        &c.number,
        own,
        ActionKind::RectificationMeasure,
        today(),
    );
    submit(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(own),
        None,
        today(),
    )
    .expect("submitted");
    let e = decide(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(own),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::ZhCn,
    )
    .expect_err("maker-checker");
    assert_eq!(denied(&e), Some(Refusal::OwnRecord));
    let e = decide(
        &mut b.store,
        &b.specialist,
        &c.number,
        Some(own),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::ZhCn,
    )
    .expect_err("a specialist does not approve");
    assert_eq!(denied(&e), Some(Refusal::Role));
    let e = decide(
        &mut b.store,
        &b.supervisor2,
        &c.number,
        Some(own),
        Decision::Approve,
        "",
        Some(1),
        today(),
        Lang::ZhCn,
    )
    .expect_err("stale");
    assert!(matches!(e, WorkflowError::Stale { .. }));
    let notice = decide(
        &mut b.store,
        &b.supervisor2,
        &c.number,
        Some(own),
        Decision::Approve,
        "同意",
        None,
        today(),
        Lang::ZhCn,
    )
    .expect("approved")
    .expect("a notice");
    assert!(notice.starts_with("ZGTZ2026-"));
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert_eq!(d.plans[0].status, PlanStatus::Approved);
    assert_eq!(d.plans[0].approver.as_deref(), Some("xu.li"));
    let doc = d
        .documents
        .iter()
        .find(|x| x.number == notice)
        .expect("stored");
    assert_eq!(doc.kind, "rectification_notice");
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(doc.body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(doc.sha256, sha);
    assert!(doc.body.contains("整改通知书") && doc.body.contains(&c.number));
    assert_eq!(doc.lang, "zh-CN");
    // The auditor reads only.
    let e = progress(
        &mut b.store,
        &b.auditor,
        &c.number,
        &Progress {
            signal_now: "a",
            effect: "b",
            problems: "c",
            next_steps: "d",
        },
        today(),
        Lang::ZhCn,
    )
    .expect_err("read only");
    assert_eq!(denied(&e), Some(Refusal::Role));
    // A second open rectification is refused, naming the first.
    let e = plan(
        &mut b.store,
        &b.specialist,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Rectification,
            summary: "again",
            due: None,
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect_err("one open at a time");
    assert_eq!(rule_key(&e), "disposal_err.plan_open");
    // An emergency plan is for red cases.
    let e = plan(
        &mut b.store,
        &b.supervisor,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Emergency,
            summary: "x",
            due: None,
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect_err("orange case");
    assert_eq!(rule_key(&e), "disposal_err.kind_above_level");
    assert!(e.localized(Lang::En).contains("Emergency plan"));
}

#[test]
fn a_rectification_past_its_due_date_escalates_the_case_once_on_the_injected_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Orange);
    let due = day(2026, 8, 31);
    let p = submitted_rectification(&mut b, &c.number, due);
    decide(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(p),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::En,
    )
    .expect("approved");
    let plan_cfg = crate::config::Config::defaults()
        .plan()
        .expect("plan config");
    let system = Actor::system();
    let on_due = escalate(&mut b.store, &system, due, Some(&plan_cfg)).expect("run");
    assert!(on_due.plans_failed.is_empty(), "due today is not late");
    assert!(on_due.escalated.is_empty());
    let next_day = day(2026, 9, 1);
    let r = escalate(&mut b.store, &system, next_day, Some(&plan_cfg)).expect("run");
    assert_eq!(r.plans_failed, vec![(c.number.clone(), p)]);
    assert_eq!(r.escalated, vec![c.number.clone()]);
    // The failed plan's measure still planned fails with it, saying why, in the history.
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    let measures: Vec<_> = d.actions.iter().filter(|a| a.plan_id == Some(p)).collect();
    assert_eq!(measures.len(), 1);
    assert_eq!(measures[0].status, ActionStatus::Failed);
    assert_eq!(measures[0].outcome, "plan_failed");
    assert_eq!(r.actions_failed, vec![measures[0].id]);
    assert!(d.events.iter().any(|e| e.event == "action_fail"
        && e.reference == format!("#{}", measures[0].id)
        && e.note == "plan_failed"
        && e.actor == "system"));
    let run = b.store.audit_tail(5).expect("audit");
    let run = run
        .iter()
        .find(|e| e.action == "cases.escalate")
        .expect("audited");
    assert!(
        run.detail
            .contains(&format!("\"actions_failed\":[{}]", measures[0].id)),
        "{}",
        run.detail
    );
    assert!(r.emergency_needed >= 1);
    assert!(r.overdue_actions >= 1, "the demo book has overdue actions");
    let after = b
        .store
        .case_by_number(&c.number)
        .expect("read")
        .expect("case");
    assert_eq!(after.level, Level::Red);
    assert!(after.emergency_needed);
    assert_eq!(after.escalated_on, Some(next_day));
    assert!(
        b.store
            .emergency_cases(100)
            .expect("read")
            .iter()
            .any(|x| x.number == c.number)
    );
    let again = escalate(&mut b.store, &system, day(2026, 9, 2), Some(&plan_cfg)).expect("run");
    assert!(
        again.escalated.is_empty() && again.plans_failed.is_empty(),
        "once"
    );
    // An overdue action of the case (the failed plan's measure is no longer open) is its
    // owner's, most overdue first.
    add_action(
        &mut b.store,
        &b.specialist,
        &AddAction {
            case: &c.number,
            kind: ActionKind::AssetWatch,
            title: "监控名下资产",
            owner: "wang.fang",
            deadline: day(2026, 7, 31),
            contract: None,
            plan: None,
        },
        today(),
    )
    .expect("action added");
    let overdue = b
        .store
        .overdue_actions("wang.fang", next_day, 50)
        .expect("read");
    assert!(overdue.iter().any(|a| a.case_number == c.number));
    let days: Vec<i64> = overdue.iter().map(|a| a.overdue_days(next_day)).collect();
    let mut sorted = days.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(days, sorted, "most overdue first");
    // The red case now takes an emergency plan: a supervisor's, approved by the manager.
    let e = plan(
        &mut b.store,
        &b.specialist,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Emergency,
            summary: "追加担保，否则提前收回",
            due: None,
            expected_version: None,
        },
        &settings(),
        next_day,
    )
    .expect_err("a specialist does not propose emergency plans");
    assert_eq!(denied(&e), Some(Refusal::Role));
    let ep = plan(
        &mut b.store,
        &b.supervisor,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Emergency,
            summary: "追加担保，否则提前收回",
            due: None,
            expected_version: None,
        },
        &settings(),
        next_day,
    )
    .expect("proposed");
    add_measure(
        &mut b,
        &c.number,
        ep,
        ActionKind::AdditionalCollateral,
        next_day,
    );
    submit(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(ep),
        None,
        next_day,
    )
    .expect("submitted");
    let e = decide(
        &mut b.store,
        &b.supervisor2,
        &c.number,
        Some(ep),
        Decision::Approve,
        "",
        None,
        next_day,
        Lang::En,
    )
    .expect_err("a supervisor does not approve an emergency plan");
    assert_eq!(denied(&e), Some(Refusal::Role));
    let e = decide(
        &mut b.store,
        &b.manager,
        &c.number,
        Some(ep),
        Decision::Reject,
        "",
        None,
        next_day,
        Lang::En,
    )
    .expect_err("a rejection needs a reason");
    assert_eq!(rule_key(&e), "disposal_err.empty");
    decide(
        &mut b.store,
        &b.manager,
        &c.number,
        Some(ep),
        Decision::Approve,
        "",
        None,
        next_day,
        Lang::En,
    )
    .expect("approved");
    let after = b
        .store
        .case_by_number(&c.number)
        .expect("read")
        .expect("case");
    assert!(!after.emergency_needed, "the manager's Today line goes");
}

#[test]
fn a_supervisor_marks_a_rectification_failed_and_the_case_escalates_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Orange);
    let p = submitted_rectification(&mut b, &c.number, day(2026, 12, 31));
    decide(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(p),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::En,
    )
    .expect("approved");
    let e = fail_plan(
        &mut b.store,
        &b.specialist,
        &c.number,
        None,
        "未按期压降",
        today(),
        None,
    )
    .expect_err("a supervisor's finding");
    assert_eq!(denied(&e), Some(Refusal::Role));
    let r = fail_plan(
        &mut b.store,
        &b.supervisor,
        &c.number,
        None,
        "未按期压降",
        today(),
        None,
    )
    .expect("failed");
    assert_eq!(r.escalated, vec![c.number.clone()]);
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert_eq!(d.case.level, Level::Red);
    assert_eq!(d.plans[0].status, PlanStatus::Failed);
    assert!(d.events.iter().any(|e| e.event == "escalated"));
    // Its measure, still planned, failed with it: no open action of a failed plan is left.
    let measures: Vec<_> = d.actions.iter().filter(|a| a.plan_id == Some(p)).collect();
    assert_eq!(measures.len(), 1);
    assert!(
        measures
            .iter()
            .all(|a| a.status == ActionStatus::Failed && a.outcome == "plan_failed"),
        "{measures:?}"
    );
    let tail = b.store.audit_tail(5).expect("audit");
    let fail = tail
        .iter()
        .find(|e| e.action == "disposal.plan_fail")
        .expect("audited");
    assert!(
        fail.detail
            .contains(&format!("\"actions_failed\":[{}]", measures[0].id)),
        "{}",
        fail.detail
    );
    let e = fail_plan(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(p),
        "again",
        today(),
        None,
    )
    .expect_err("failed already");
    assert!(matches!(e, WorkflowError::Disposal(_)), "{e}");
    let e = fail_plan(
        &mut b.store,
        &b.supervisor,
        &c.number,
        None,
        "again",
        today(),
        None,
    )
    .expect_err("no approved rectification left");
    // The latest rectification is named with the state it is in.
    assert_eq!(rule_key(&e), "disposal_err.plan_not_ready");
    let en = e.localized(Lang::En);
    assert!(
        en.contains(&format!("plan #{p} (Rectification")) && en.contains("is Failed"),
        "{en}"
    );
}

#[test]
fn actions_move_by_their_state_machine_with_versions_and_fulfil_their_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Orange);
    let p = submitted_rectification(&mut b, &c.number, day(2026, 12, 31));
    decide(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(p),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::En,
    )
    .expect("approved");
    let f = ActionFilter {
        case: Some(c.number.clone()),
        ..ActionFilter::default()
    };
    let a = b
        .store
        .actions_page(&f, &PageFrom::Start, 10)
        .expect("read");
    assert_eq!(a.len(), 1);
    let a = &a[0];
    assert_eq!((a.plan_id, a.status), (Some(p), ActionStatus::Planned));
    let e = add_action(
        &mut b.store,
        &b.specialist,
        &AddAction {
            case: &c.number,
            kind: ActionKind::Other,
            title: "x",
            owner: "hu.yan",
            deadline: day(2026, 7, 1),
            contract: None,
            plan: None,
        },
        today(),
    )
    .expect_err("an auditor owns nothing");
    assert_eq!(rule_key(&e), "disposal_err.owner");
    let e = add_action(
        &mut b.store,
        &b.specialist,
        &AddAction {
            case: &c.number,
            kind: ActionKind::Other,
            title: "x",
            owner: "wang.fang",
            deadline: day(2026, 6, 29),
            contract: None,
            plan: None,
        },
        today(),
    )
    .expect_err("deadline in the past");
    assert_eq!(rule_key(&e), "disposal_err.date_past");
    move_action(
        &mut b.store,
        &b.specialist,
        a.id,
        ActionMove::Start,
        "",
        Some(a.version),
        today(),
    )
    .expect("started");
    let e = move_action(
        &mut b.store,
        &b.specialist,
        a.id,
        ActionMove::Done,
        "",
        Some(a.version),
        today(),
    )
    .expect_err("stale");
    assert!(matches!(e, WorkflowError::Stale { .. }));
    let e = move_action(
        &mut b.store,
        &b.specialist,
        a.id,
        ActionMove::Start,
        "",
        None,
        today(),
    )
    .expect_err("started already");
    assert!(matches!(e, WorkflowError::Disposal(_)));
    assert!(e.localized(Lang::ZhCn).contains("进行中"));
    let e = move_action(
        &mut b.store,
        &b.specialist,
        a.id,
        ActionMove::Fail,
        " ",
        None,
        today(),
    )
    .expect_err("a failure says why");
    assert_eq!(rule_key(&e), "disposal_err.empty");
    note_action(
        &mut b.store,
        &b.specialist,
        a.id,
        "已收到6月明细",
        None,
        today(),
    )
    .expect("noted");
    move_action(
        &mut b.store,
        &b.specialist,
        a.id,
        ActionMove::Done,
        "按月报送",
        None,
        today(),
    )
    .expect("done");
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    assert_eq!(
        d.plans[0].status,
        PlanStatus::Fulfilled,
        "every measure done"
    );
    assert_eq!(d.notes.len(), 1);
    let audit = b.store.audit_tail(50).expect("audit");
    for action in [
        "disposal.action_start",
        "disposal.action_note",
        "disposal.action_done",
    ] {
        assert!(audit.iter().any(|e| e.action == action), "{action} audited");
    }
    assert!(b.store.verify_audit().expect("verify").is_ok());
}

#[test]
fn an_approved_reports_measures_become_actions_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let found: Vec<(String, String)> = {
        let mut stmt = b
            .store
            .conn()
            .prepare(
                "SELECT i.number, c.number FROM inspections i
                 JOIN loans l ON l.id = i.loan_id
                 JOIN risk_cases c ON c.borrower_id = l.borrower_id AND c.status = 'open'
                 WHERE i.status = 'approved' AND EXISTS (SELECT 1 FROM inspection_measures m
                     WHERE m.inspection_id = i.id AND m.report_version = i.report_version)
                 ORDER BY i.id",
            )
            .expect("sql");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    };
    let (inspection, case) = found
        .first()
        .cloned()
        .expect("the demo has an approved report with measures on a borrower with a case");
    let other = all_cases(&b.store, CaseStatus::Open)
        .into_iter()
        .find(|c| c.number != case)
        .expect("another case");
    let officer = officer_of(&b, &other.number);
    let e = from_inspection(
        &mut b.store,
        &officer,
        &other.number,
        &inspection,
        &settings(),
        today(),
    )
    .expect_err("not of that borrower");
    assert_eq!(rule_key(&e), "disposal_err.inspection_not_of_case");
    let officer = officer_of(&b, &case);
    let ids = from_inspection(
        &mut b.store,
        &officer,
        &case,
        &inspection,
        &settings(),
        today(),
    )
    .expect("turned");
    assert!(!ids.is_empty());
    let d = b.store.case_detail(&case).expect("read").expect("case");
    let source = format!("inspection:{inspection}");
    let made: Vec<_> = d.actions.iter().filter(|a| a.source == source).collect();
    assert_eq!(made.len(), ids.len());
    assert!(
        made.iter()
            .all(|a| a.deadline >= today() && !a.title.is_empty())
    );
    let e = from_inspection(
        &mut b.store,
        &officer,
        &case,
        &inspection,
        &settings(),
        today(),
    )
    .expect_err("once");
    assert_eq!(rule_key(&e), "disposal_err.measures_taken");
    let e = from_inspection(
        &mut b.store,
        &officer,
        &case,
        "XJ1999-000001",
        &settings(),
        today(),
    )
    .expect_err("no such inspection");
    assert!(matches!(
        e,
        WorkflowError::NotFound {
            what: "inspection",
            ..
        }
    ));
}

#[test]
fn every_action_kind_is_added_and_ended_by_each_move_and_auditors_touch_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    // A red case with no actions yet (the demo's case study has its emergency actions open).
    let c = all_cases(&b.store, CaseStatus::Open)
        .into_iter()
        .find(|c| {
            let of_case = ActionFilter {
                case: Some(c.number.clone()),
                ..ActionFilter::default()
            };
            c.level == Level::Red && b.store.action_count(&of_case).expect("count") == 0
        })
        .expect("the demo book has a red case without actions");
    let officer = officer_of(&b, &c.number);
    let moves = [ActionMove::Done, ActionMove::Fail, ActionMove::Cancel];
    for (i, kind) in ActionKind::ALL.iter().enumerate() {
        let id = add_action(
            &mut b.store,
            &officer,
            &AddAction {
                case: &c.number,
                kind: *kind,
                title: kind.zh(),
                owner: "li.na",
                deadline: today(),
                contract: None,
                plan: None,
            },
            today(),
        )
        .expect("added");
        let e = move_action(
            &mut b.store,
            &b.auditor,
            id,
            ActionMove::Start,
            "",
            None,
            today(),
        )
        .expect_err("auditors read only");
        assert_eq!(denied(&e), Some(Refusal::Role));
        let mv = moves[i % moves.len()];
        let to =
            move_action(&mut b.store, &b.supervisor, id, mv, "结果", None, today()).expect("moved");
        assert_eq!(
            Some(to),
            mv.check(ActionStatus::Planned).ok(),
            "{kind:?} {mv:?}"
        );
        for again in ActionMove::ALL {
            let e = move_action(&mut b.store, &b.supervisor, id, *again, "x", None, today())
                .expect_err("ended actions never move");
            assert!(
                matches!(e, WorkflowError::Disposal(_)),
                "{kind:?} {again:?}"
            );
        }
    }
    let f = ActionFilter {
        case: Some(c.number.clone()),
        ..ActionFilter::default()
    };
    assert_eq!(b.store.action_count(&f).expect("count"), 0, "none open");
    let all = ActionFilter {
        status: Some(ActionStatus::Cancelled),
        case: Some(c.number.clone()),
        ..ActionFilter::default()
    };
    assert_eq!(b.store.action_count(&all).expect("count"), 3);
}

#[test]
fn case_and_action_pages_walk_the_whole_list_in_order_both_ways() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = book(&dir.path().join("book.db"));
    let f = CaseFilter::default();
    let whole = all_cases(&b.store, CaseStatus::Open);
    assert!(whole.len() > 7);
    let mut walked = Vec::new();
    let mut from = PageFrom::Start;
    loop {
        let page = b.store.cases_page(&f, &from, 3).expect("page");
        walked.extend(page.iter().map(|c| c.number.clone()));
        match page.last() {
            Some(last) if page.len() == 3 => from = PageFrom::After(last.key()),
            _ => break,
        }
    }
    let numbers: Vec<String> = whole.iter().map(|c| c.number.clone()).collect();
    assert_eq!(walked, numbers);
    let end = b.store.cases_page(&f, &PageFrom::End, 3).expect("page");
    assert_eq!(
        end.iter().map(|c| c.number.clone()).collect::<Vec<_>>(),
        numbers[numbers.len() - 3..].to_vec()
    );
    let before = b
        .store
        .cases_page(&f, &PageFrom::Before(end[0].key()), 2)
        .expect("page");
    assert_eq!(
        before.iter().map(|c| c.number.clone()).collect::<Vec<_>>(),
        numbers[numbers.len() - 5..numbers.len() - 3].to_vec()
    );
    assert_eq!(b.store.case_count(&f).expect("count"), whole.len() as u64);
    let counts = b.store.case_level_counts().expect("counts");
    assert_eq!(counts.iter().sum::<u64>(), whole.len() as u64);
}

/// Approved rectifications on every orange case of a fresh book: all due 31 August but the
/// last (due at the year's end, so not late on 1 September). Returns the cases' numbers.
fn approved_rectifications(b: &mut Book) -> Vec<String> {
    let orange: Vec<String> = all_cases(&b.store, CaseStatus::Open)
        .into_iter()
        .filter(|c| c.level == Level::Orange)
        .map(|c| c.number)
        .collect();
    assert!(orange.len() >= 3, "the demo book has a few orange cases");
    for (i, number) in orange.iter().enumerate() {
        let due = if i + 1 == orange.len() {
            day(2026, 12, 31)
        } else {
            day(2026, 8, 31)
        };
        let p = submitted_rectification(b, number, due);
        decide(
            &mut b.store,
            &b.supervisor,
            number,
            Some(p),
            Decision::Approve,
            "",
            None,
            today(),
            Lang::En,
        )
        .expect("approved");
    }
    orange
}

/// What escalation leaves on a case and the book's planned triggered inspections, without
/// the wall-clock times of the writes.
fn escalation_state(store: &Store, cases: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for number in cases {
        let d = store.case_detail(number).expect("read").expect("case");
        out.push(format!("{:?}", d.case));
        for p in &d.plans {
            out.push(format!(
                "{number} plan {} {:?} {:?} {} v{}",
                p.id, p.kind, p.status, p.reason, p.version
            ));
        }
        for e in &d.events {
            out.push(format!(
                "{number} {} {} {} {} {}",
                e.on_date, e.actor, e.event, e.reference, e.note
            ));
        }
    }
    let q = crate::store::InspectionQuery {
        kind: Some(InspectionKind::Triggered),
        ..Default::default()
    };
    for i in store
        .inspection_page(&q, &PageFrom::Start, 100_000)
        .expect("inspections")
    {
        out.push(format!(
            "{} {} {:?} {:?} {} {:?} v{}",
            i.number, i.loan_id, i.kind, i.mode, i.due_on, i.status, i.version
        ));
    }
    out
}

#[test]
fn escalating_many_cases_at_once_equals_escalating_them_one_by_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut all = book(&dir.path().join("all.db"));
    let mut each = book(&dir.path().join("each.db"));
    let cases = approved_rectifications(&mut all);
    assert_eq!(approved_rectifications(&mut each), cases);
    let plan_cfg = crate::config::Config::defaults()
        .plan()
        .expect("plan config");
    let system = Actor::system();
    let on = day(2026, 9, 1);
    let before = escalation_state(&all.store, &cases);
    assert_eq!(before, escalation_state(&each.store, &cases), "same books");

    let at_once = escalate(&mut all.store, &system, on, Some(&plan_cfg)).expect("run");
    let late = cases.len() - 1;
    assert_eq!(
        at_once.plans_failed.len(),
        late,
        "all but the last are late"
    );
    assert_eq!(at_once.escalated.len(), late);
    assert_eq!(at_once.raised.len(), late, "orange cases rise to red");
    assert_eq!(
        at_once.actions_failed.len(),
        late,
        "each late plan's open measure fails with it"
    );

    let mut one_by_one = EscalationReport {
        as_of: on.to_string(),
        ..EscalationReport::default()
    };
    let mut ids: Vec<i64> = cases
        .iter()
        .map(|n| {
            each.store
                .case_by_number(n)
                .expect("read")
                .expect("case")
                .id
        })
        .collect();
    ids.sort_unstable();
    for id in ids {
        let r = super::super::execute(&mut each.store, &system, |tx| {
            escalate_in(tx, &system, on, Some(id), Some(&plan_cfg))
        })
        .expect("run one");
        one_by_one.plans_failed.extend(r.plans_failed);
        one_by_one.escalated.extend(r.escalated);
        one_by_one.raised.extend(r.raised);
        one_by_one.actions_failed.extend(r.actions_failed);
        one_by_one.overdue_actions = r.overdue_actions;
        one_by_one.emergency_needed = r.emergency_needed;
    }
    assert_eq!(at_once, one_by_one);
    let after = escalation_state(&all.store, &cases);
    assert_ne!(after, before, "escalation changed the cases");
    assert_eq!(after, escalation_state(&each.store, &cases));
    assert!(all.store.verify_audit().expect("verify").is_ok());
    assert!(each.store.verify_audit().expect("verify").is_ok());
    // The run is recorded once, with every case raised and its triggered inspection.
    let audit = all.store.audit_tail(5).expect("audit");
    let run = audit
        .iter()
        .find(|e| e.action == "cases.escalate")
        .expect("audited");
    for number in &at_once.escalated {
        assert!(
            run.detail.contains(number.as_str()),
            "{number} in the audit"
        );
    }
}

#[test]
fn a_specialist_works_only_the_cases_of_their_loans_and_seniors_work_any() {
    use crate::domain::recovery::{RecoveryAmounts, RecoveryKind};
    use crate::workflow::outcomes::{CaseRecoveryInput, record_case_recovery};
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Orange);
    let d = b.store.case_detail(&c.number).expect("read").expect("case");
    // Another specialist: neither the case's officer nor the officer of any of its loans.
    let stranger = ["li.na", "zhang.wei", "liu.yang", "chen.jing", "yang.min"]
        .into_iter()
        .find(|u| *u != c.officer && d.loans.iter().all(|l| l.officer != *u))
        .expect("a specialist with no loan in the case");
    let other = identify(&b.store, "tester", Some(stranger)).expect("demo staff");
    let not_theirs = |e: &WorkflowError, what: &str| {
        assert_eq!(denied(e), Some(Refusal::NotOfficer), "{what}: {e}");
        // The refusal says whose the case is, in both languages.
        for lang in [Lang::ZhCn, Lang::En] {
            let text = e.localized(lang);
            assert!(
                text.contains(&c.number) && text.contains(SPECIALIST) && text.contains(stranger),
                "{what}: {text}"
            );
        }
    };
    let rectification = NewPlan {
        case: &c.number,
        kind: PlanKind::Rectification,
        summary: "压降存货",
        due: None,
        expected_version: None,
    };
    let e = plan(&mut b.store, &other, &rectification, &settings(), today())
        .expect_err("not their case");
    not_theirs(&e, "plan");
    assert!(
        e.localized(Lang::En)
            .contains(&format!("case {} belongs to '{SPECIALIST}'", c.number)),
        "{}",
        e.localized(Lang::En)
    );
    // The case's officer plans it and gives one measure to the other specialist.
    plan(
        &mut b.store,
        &b.specialist,
        &rectification,
        &settings(),
        today(),
    )
    .expect("officer");
    let measure = |owner: &'static str| AddAction {
        case: &c.number,
        kind: ActionKind::RectificationMeasure,
        title: "压降存货至三千万元以下",
        owner,
        deadline: day(2026, 9, 30),
        contract: None,
        plan: None,
    };
    let theirs = add_action(&mut b.store, &b.specialist, &measure(stranger), today())
        .expect("the officer adds");
    let mine = add_action(&mut b.store, &b.specialist, &measure(SPECIALIST), today())
        .expect("the officer adds");
    let e =
        add_action(&mut b.store, &other, &measure(stranger), today()).expect_err("not their case");
    not_theirs(&e, "action add");
    let report = Progress {
        signal_now: "资产负债率仍在 82%",
        effect: "存货略降",
        problems: "回款慢",
        next_steps: "月底再访",
    };
    let e = progress(
        &mut b.store,
        &other,
        &c.number,
        &report,
        today(),
        Lang::ZhCn,
    )
    .expect_err("progress");
    not_theirs(&e, "progress");
    let e = move_action(
        &mut b.store,
        &other,
        mine,
        ActionMove::Done,
        "",
        None,
        today(),
    )
    .expect_err("someone else's action");
    not_theirs(&e, "action done");
    // An action they own they may move.
    move_action(
        &mut b.store,
        &other,
        theirs,
        ActionMove::Start,
        "",
        None,
        today(),
    )
    .expect("their own action");
    let e = record_case_recovery(
        &mut b.store,
        &other,
        &CaseRecoveryInput {
            case: &c.number,
            contract: Some(&d.loans[0].contract_no),
            on: today(),
            kind: RecoveryKind::Repayment,
            amounts: RecoveryAmounts {
                principal: rust_decimal::Decimal::ONE,
                ..RecoveryAmounts::default()
            },
            note: "",
        },
        &crate::engine::rules::RuleSet::defaults(),
        today(),
    )
    .expect_err("a recovery is a supervisor's");
    assert_eq!(denied(&e), Some(Refusal::Role));
    let e = close(
        &mut b.store,
        &other,
        &c.number,
        "已化解",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect_err("close");
    not_theirs(&e, "close");
    // The officer and a supervisor work it.
    progress(
        &mut b.store,
        &b.specialist,
        &c.number,
        &report,
        today(),
        Lang::ZhCn,
    )
    .expect("officer");
    progress(
        &mut b.store,
        &b.supervisor,
        &c.number,
        &report,
        today(),
        Lang::ZhCn,
    )
    .expect("supervisor");
    move_action(
        &mut b.store,
        &b.supervisor,
        mine,
        ActionMove::Start,
        "",
        None,
        today(),
    )
    .expect("a supervisor moves any action");
    let e = close(
        &mut b.store,
        &b.supervisor,
        &c.number,
        "已化解",
        None,
        today(),
        Lang::ZhCn,
        &crate::domain::legal::LegalClockRules::default(),
    )
    .expect_err("still open");
    assert_eq!(
        rule_key(&e),
        "disposal_err.still_open",
        "past the officer rule"
    );
}

#[test]
fn a_plan_without_measures_is_neither_submitted_nor_approved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(&dir.path().join("book.db"));
    let c = case_at(&b.store, Level::Orange);
    let id = plan(
        &mut b.store,
        &b.specialist,
        &NewPlan {
            case: &c.number,
            kind: PlanKind::Rectification,
            summary: "压降存货",
            due: None,
            expected_version: None,
        },
        &settings(),
        today(),
    )
    .expect("drafted");
    let e = submit(
        &mut b.store,
        &b.specialist,
        &c.number,
        Some(id),
        None,
        today(),
    )
    .expect_err("a bare plan");
    assert_eq!(rule_key(&e), "disposal_err.plan_without_measures");
    for lang in [Lang::ZhCn, Lang::En] {
        let text = e.localized(lang);
        assert!(text.contains(&c.number) && !text.contains('{'), "{text}");
    }
    assert!(e.localized(Lang::En).contains("add at least one measure"));
    // A measure, then it goes; a measure cancelled before approval stops the approval.
    let measure = add_action(
        &mut b.store,
        &b.specialist,
        &AddAction {
            case: &c.number,
            kind: ActionKind::RectificationMeasure,
            title: "压降存货",
            owner: SPECIALIST,
            deadline: day(2026, 9, 30),
            contract: None,
            plan: Some(id),
        },
        today(),
    )
    .expect("measure");
    submit(
        &mut b.store,
        &b.specialist,
        &c.number,
        Some(id),
        None,
        today(),
    )
    .expect("submitted");
    move_action(
        &mut b.store,
        &b.specialist,
        measure,
        ActionMove::Cancel,
        "改由担保人承担",
        None,
        today(),
    )
    .expect("cancelled");
    let e = decide(
        &mut b.store,
        &b.supervisor,
        &c.number,
        Some(id),
        Decision::Approve,
        "",
        None,
        today(),
        Lang::ZhCn,
    )
    .expect_err("no measure left");
    assert_eq!(rule_key(&e), "disposal_err.plan_without_measures");
    let docs = b.store.case_detail(&c.number).expect("read").expect("case");
    assert!(
        docs.documents
            .iter()
            .all(|d| d.kind != "rectification_notice"),
        "no empty notice"
    );
}
