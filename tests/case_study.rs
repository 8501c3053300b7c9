//! The case study of DOMAIN.md §3 (issue #11 point 7), replayed through the workflow layer:
//! a mortgaged working-capital loan from disbursement to closing without write-off, each step
//! by its role on its own injected date, asserting every state, document and audit row.

use chrono::NaiveDate;
use postloan::config::Config;
use postloan::domain::disposal::{
    ActionKind, ActionMove, ActionStatus, CaseStatus, PlanKind, PlanStatus,
};
use postloan::domain::inspection::{
    InspectionKind, InspectionMode, InspectionStatus, Measure, MeasureEntry, Section,
};
use postloan::domain::legal::{ClockKind, ClockSource, DemandChannel, LegalClockRules};
use postloan::domain::recovery::{LoanStatus, RecoveryAmounts, RecoveryKind};
use postloan::domain::warning::{Level, WarningMove, WarningStatus};
use postloan::domain::{
    BorrowerRecord, Classification, CollateralKind, CollateralRecord, GuaranteeType, LoanRecord,
    Product, RepaymentRecord, Role, StaffRecord, StatementRecord, TrackingFrequency,
};
use postloan::engine::inspection_plan::PlanConfig;
use postloan::engine::rules::RuleSet;
use postloan::i18n::Lang;
use postloan::store::{
    AuditEntry, CaseDetail, ClassificationQuery, PageFrom, Store, WarningQuery, WarningRow,
};
use postloan::workflow::classification::{self as class_flow, Decide};
use postloan::workflow::disposal::{
    self, AddAction, Decision, DisposalSettings, NewPlan, Progress,
};
use postloan::workflow::inspection::{self as inspection, Approval, StartInspection};
use postloan::workflow::outcomes::{self, DemandInput, RecoveryInput, StatusInput};
use postloan::workflow::warning::{self as warning_flow, move_warning};
use postloan::workflow::{Actor, WorkflowError, identify};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::str::FromStr;

const BORROWER: &str = "JNJG001";
const BORROWER_NAME: &str = "江南精工机械有限公司";
const CONTRACT: &str = "LD2024-JN-0315";

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("date")
}

fn yuan(s: &str) -> Decimal {
    Decimal::from_str(s).expect("amount")
}

/// Staff of the story: zhang (specialist, the loan's officer), wang (supervisor), li (manager).
struct Book {
    store: Store,
    zhang: Actor,
    wang: Actor,
    li: Actor,
    system: Actor,
}

/// A statement of 江南精工 (yuan).
#[allow(clippy::too_many_arguments)]
fn statement(
    period_end: &str,
    total_assets: &str,
    total_liabilities: &str,
    current_assets: &str,
    current_liabilities: &str,
    inventory: &str,
    revenue: &str,
    ebit: &str,
) -> StatementRecord {
    StatementRecord {
        borrower_code: BORROWER.into(),
        period_end: day(period_end),
        total_assets: yuan(total_assets),
        total_liabilities: yuan(total_liabilities),
        current_assets: yuan(current_assets),
        current_liabilities: yuan(current_liabilities),
        inventory: yuan(inventory),
        revenue: yuan(revenue),
        ebit: yuan(ebit),
        interest_expense: yuan("500000"),
        net_profit: yuan("400000"),
        operating_cash_flow: yuan("300000"),
    }
}

fn repaid(on: &str) -> RepaymentRecord {
    RepaymentRecord {
        contract_no: CONTRACT.into(),
        as_of: day(on),
        overdue_days: 0,
        overdue_principal: Decimal::ZERO,
        overdue_interest: Decimal::ZERO,
    }
}

/// What the overnight core-banking extract brings (statements, repayment status): the store
/// takes it as the import does; the workflow steps that follow read it.
fn overnight(store: &mut Store, statements: &[StatementRecord], status: &[RepaymentRecord]) {
    store
        .write(|tx| -> postloan::store::Result<()> {
            for s in statements {
                tx.upsert_statement(s, "import", "import")?;
            }
            for r in status {
                tx.upsert_repayment(r, "import")?;
            }
            Ok(())
        })
        .expect("overnight extract");
}

/// Step 1: the loan at disbursement — 5,000,000.00 yuan working capital for three years,
/// a mortgage on the factory, the statement at disbursement.
fn book(dir: &Path) -> Book {
    let path = dir.join("book.db");
    let me = postloan::workflow::os_user();
    let mut store = Store::open(&path).expect("open");
    postloan::workflow::book::init(&mut store, &me).expect("init");
    store
        .write(|tx| -> postloan::store::Result<()> {
            tx.set_meta("demo", "1")?;
            for (u, name, role) in [
                ("zhang", "张伟", Role::Specialist),
                ("wang", "王强", Role::Supervisor),
                ("li", "李明", Role::Manager),
            ] {
                tx.upsert_staff(
                    &StaffRecord {
                        username: u.into(),
                        display_name: name.into(),
                        role,
                    },
                    &me,
                )?;
            }
            tx.upsert_borrower(
                &BorrowerRecord {
                    code: BORROWER.into(),
                    name: BORROWER_NAME.into(),
                    credit_code: "91320500MA1JNJG01X".into(),
                    industry: "制造业".into(),
                    region: "江苏省苏州市".into(),
                },
                &me,
            )?;
            tx.upsert_loan(
                &LoanRecord {
                    contract_no: CONTRACT.into(),
                    borrower_code: BORROWER.into(),
                    borrower_name: BORROWER_NAME.into(),
                    product: Product::WorkingCapital,
                    purpose: "采购原材料（钢材、铸件）".into(),
                    currency: "CNY".into(),
                    principal: yuan("5000000"),
                    outstanding: yuan("5000000"),
                    interest_rate: yuan("4.35"),
                    disbursed_on: day("2024-03-15"),
                    matures_on: day("2027-03-15"),
                    guarantee_type: GuaranteeType::Mortgage,
                    officer: "zhang".into(),
                    tracking_frequency: TrackingFrequency::Quarterly,
                    classification: Some(Classification::Pass),
                    restructured_on: None,
                    credit_impaired: None,
                },
                &me,
            )?;
            tx.upsert_collateral(
                &CollateralRecord {
                    contract_no: CONTRACT.into(),
                    kind: CollateralKind::RealEstate,
                    description: "苏州市吴中区厂房及土地使用权（抵押）".into(),
                    appraised_value: yuan("8000000"),
                    appraised_on: day("2024-03-01"),
                },
                &me,
            )?;
            // At disbursement: debt-to-asset 45.00%, current ratio 1.50.
            tx.upsert_statement(
                &statement(
                    "2023-12-31",
                    "20000000",
                    "9000000",
                    "12000000",
                    "8000000",
                    "3000000",
                    "30000000",
                    "3000000",
                ),
                "import",
                &me,
            )?;
            tx.upsert_repayment(&repaid("2024-03-31"), &me)?;
            Ok(())
        })
        .expect("book");
    let who = |u: &str| identify(&store, u, None).expect("staff");
    Book {
        zhang: who("zhang"),
        wang: who("wang"),
        li: who("li"),
        system: Actor::system(),
        store,
    }
}

fn rules() -> RuleSet {
    RuleSet::defaults()
}

fn plan_cfg() -> PlanConfig {
    PlanConfig::defaults().expect("plan config")
}

fn loan_warnings(store: &Store) -> Vec<WarningRow> {
    let loan = store
        .loan_by_contract(CONTRACT)
        .expect("read")
        .expect("loan");
    store
        .warning_page(
            &WarningQuery {
                loan_id: Some(loan.id),
                include_closed: true,
                ..WarningQuery::default()
            },
            &PageFrom::Start,
            100,
        )
        .expect("warnings")
}

fn case_of(store: &Store, number: &str) -> CaseDetail {
    store.case_detail(number).expect("read").expect("case")
}

fn audit(store: &Store) -> Vec<AuditEntry> {
    let mut rows = store.audit_tail(100_000).expect("audit");
    rows.reverse();
    rows
}

/// How many audit rows `action` by `actor` on `key` there are.
fn audited(store: &Store, action: &str, actor: &str, key: &str) -> usize {
    audit(store)
        .iter()
        .filter(|a| a.action == action && a.actor == actor && a.entity_key == key)
        .count()
}

fn events(d: &CaseDetail) -> Vec<(String, String)> {
    d.events
        .iter()
        .map(|e| (e.event.clone(), e.actor.clone()))
        .collect()
}

fn rule_key(e: &WorkflowError) -> String {
    match e {
        WorkflowError::Rule { key, .. } => key.to_string(),
        WorkflowError::Denied { refusal, .. } => refusal.code().to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn the_case_study_replays_from_disbursement_to_closing_without_write_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = book(dir.path());
    let rules = rules();
    let cfg = plan_cfg();
    let settings = DisposalSettings::default();
    let checklist = Config::defaults().checklist().expect("checklist");

    // 1. At disbursement nothing is wrong.
    let r = warning_flow::evaluate_book(&mut b.store, &b.system, &rules, day("2024-04-15"))
        .expect("evaluate at disbursement");
    assert_eq!(r.new, [0, 0, 0], "a sound loan raises nothing: {r:?}");
    assert!(loan_warnings(&b.store).is_empty());

    // 2. The statements of 2024 and mid-2025: debt-to-asset 45% → 68% (+23 points), current
    //    ratio 1.50 → 1.15. The nightly evaluation raises an orange warning.
    overnight(
        &mut b.store,
        &[
            statement(
                "2024-12-31",
                "20000000",
                "10400000",
                "11500000",
                "8500000",
                "3000000",
                "28000000",
                "2200000",
            ),
            statement(
                "2025-06-30",
                "20000000",
                "13600000",
                "10925000",
                "9500000",
                "1300000",
                "12500000",
                "1150000",
            ),
        ],
        &[repaid("2025-07-31")],
    );
    let raised_on = day("2025-08-20");
    let r =
        warning_flow::evaluate_book(&mut b.store, &b.system, &rules, raised_on).expect("evaluate");
    let ws = loan_warnings(&b.store);
    let rise = ws
        .iter()
        .find(|w| w.indicator == "debt_to_asset_rise")
        .unwrap_or_else(|| panic!("the rise is a warning: {ws:?}"));
    assert_eq!(rise.level, Level::Orange);
    assert_eq!(rise.value, Some(yuan("23")), "68% − 45%");
    assert_eq!(rise.threshold, Some(yuan("20")), "orange at +20 points");
    assert_eq!(rise.raised_on, raised_on);
    assert_eq!(rise.origin, "system");
    let current = ws
        .iter()
        .find(|w| w.indicator == "current_ratio")
        .expect("the current ratio is a warning");
    assert_eq!(current.level, Level::Yellow);
    assert_eq!(current.value, Some(yuan("1.15")));
    assert_eq!(current.threshold, Some(yuan("1.2")));
    assert_eq!(ws.len(), 2, "no other signal: {ws:?}");
    assert_eq!(
        r.new,
        [0, 1, 1],
        "one orange, one yellow (red, orange, yellow)"
    );
    assert_eq!(r.cases.opened, 1, "one case for the borrower");
    let loan = b
        .store
        .loan_by_contract(CONTRACT)
        .expect("read")
        .expect("loan");
    let number = b
        .store
        .case_of_loan(loan.id)
        .expect("read")
        .expect("the borrower's case")
        .number;
    let d = case_of(&b.store, &number);
    assert_eq!(d.case.level, Level::Orange, "the worst of its warnings");
    assert_eq!(d.case.status, CaseStatus::Open);
    assert_eq!(d.case.borrower_name, BORROWER_NAME);
    assert_eq!(d.case.opened_on, raised_on);
    assert_eq!(d.case.exposure, yuan("5000000"));
    let mut joined: Vec<&str> = d.warnings.iter().map(|w| w.indicator.as_str()).collect();
    joined.sort_unstable();
    assert_eq!(joined, ["current_ratio", "debt_to_asset_rise"]);
    assert_eq!(audited(&b.store, "cases.group", "system", "2025-08-20"), 1);

    // 3. Zhang's triggered inspection: a site visit finds sales slow and cash tight; the
    //    report proposes 关注 and two measures; wang approves it, then the class proposal.
    let inspection_no = inspection::start(
        &mut b.store,
        &b.zhang,
        &StartInspection {
            contract_no: CONTRACT,
            kind: InspectionKind::Triggered,
            mode: InspectionMode::Onsite,
            warnings: std::slice::from_ref(&rise.number),
            focus: "资产负债率上升、流动比率下降的原因；销售回款与现金流",
            inspected_on: Some(day("2025-08-25")),
            inspectors: "zhang、wang",
        },
        day("2025-08-22"),
    )
    .expect("inspection started");
    for (s, text) in [
        (
            Section::Facts,
            "2025年8月25日现场检查江南精工机械有限公司：走访厂区、仓库，查阅账簿与银行流水。",
        ),
        (
            Section::Financials,
            "资产负债率由放款时45%升至68%，流动比率由1.50降至1.15；应收账款周转放缓。",
        ),
        (
            Section::Signals,
            "销售放缓、资金紧张，短期偿债能力下降；建议下调至关注类。",
        ),
        (
            Section::Conclusion,
            "风险上升但尚可控：与借款人商定整改方案（产品结构、销售回款、资金使用），按月跟踪。",
        ),
    ] {
        inspection::write_section(&mut b.store, &b.zhang, &inspection_no, None, s, text)
            .expect("section written");
    }
    inspection::add_measure(
        &mut b.store,
        &b.zhang,
        &inspection_no,
        None,
        &MeasureEntry {
            measure: Measure::ReduceLine,
            deadline: Some(day("2025-11-30")),
            owner: Some("zhang".into()),
            note: "暂停新增用信，压降敞口".into(),
        },
    )
    .expect("measure");
    inspection::propose_class(
        &mut b.store,
        &b.zhang,
        &inspection_no,
        None,
        Classification::SpecialMention,
    )
    .expect("class proposed");
    inspection::submit(
        &mut b.store,
        &b.zhang,
        &inspection_no,
        None,
        &cfg,
        day("2025-08-28"),
    )
    .expect("submitted");
    let approval = inspection::approve(
        &mut b.store,
        &b.wang,
        &inspection_no,
        None,
        "同意检查结论，按整改方案推进。",
        day("2025-09-01"),
        Lang::ZhCn,
        &checklist,
    )
    .expect("approved");
    let Approval::Approved {
        document: report_doc,
        ..
    } = approval
    else {
        panic!("one approval suffices below the line: {approval:?}");
    };
    let ins = b
        .store
        .inspection_by_number(&inspection_no)
        .expect("read")
        .expect("inspection");
    assert_eq!(ins.row.status, InspectionStatus::Approved);
    assert_eq!(
        audited(&b.store, "inspections.submit", "zhang", &inspection_no),
        1
    );
    assert_eq!(
        audited(&b.store, "inspections.approved", "wang", &inspection_no),
        1
    );
    let pending = b
        .store
        .classification_page(
            &ClassificationQuery {
                pending: true,
                ..ClassificationQuery::default()
            },
            None,
            10,
        )
        .expect("proposals");
    assert_eq!(pending.len(), 1, "the report's proposal: {pending:?}");
    assert_eq!(pending[0].contract_no, CONTRACT);
    assert_eq!(pending[0].proposed, "special_mention");
    let decided = class_flow::approve(
        &mut b.store,
        &b.wang,
        pending[0].proposal_id,
        None,
        "同意下调至关注类",
        &Decide {
            rules: &postloan::domain::classification::ClassificationRules::default(),
            plan: &cfg,
            today: day("2025-09-02"),
        },
    )
    .expect("class approved");
    assert_eq!(
        (decided.from, decided.to),
        (Classification::Pass, Classification::SpecialMention)
    );
    let history = b.store.classification_history(loan.id).expect("history");
    let last = history.last().expect("a history row");
    assert_eq!(
        (last.from.as_str(), last.to.as_str()),
        ("pass", "special_mention")
    );
    assert_eq!(
        (last.proposer.as_str(), last.approver.as_str()),
        ("zhang", "wang")
    );
    assert_eq!(
        last.effective_on, "2025-09-01",
        "effective from the report's approval, which proposed it"
    );

    // 4. The rectification plan agreed with the borrower: three measures, each with an owner
    //    and a deadline; wang approves it and the notice is issued.
    let rect_due = day("2025-11-30");
    let rect = disposal::plan(
        &mut b.store,
        &b.zhang,
        &NewPlan {
            case: &number,
            kind: PlanKind::Rectification,
            summary: "调整产品结构、加快销售回款、严格资金使用，三个月内流动比率回升至1.2以上",
            due: Some(rect_due),
            expected_version: None,
        },
        &settings,
        day("2025-09-03"),
    )
    .expect("rectification drafted");
    let measures = [
        (
            "压缩低毛利通用机型，转产高毛利精密部件",
            "zhang",
            "2025-10-31",
        ),
        (
            "清收逾期应收账款，90天以上账款回收五成",
            "zhang",
            "2025-11-30",
        ),
        (
            "贷款资金专款专用，每月报送资金使用明细",
            "zhang",
            "2025-11-30",
        ),
    ];
    let mut measure_ids = Vec::new();
    for (title, owner, deadline) in measures {
        let id = disposal::add_action(
            &mut b.store,
            &b.zhang,
            &AddAction {
                case: &number,
                kind: ActionKind::RectificationMeasure,
                title,
                owner,
                deadline: day(deadline),
                contract: Some(CONTRACT),
                plan: None,
            },
            day("2025-09-03"),
        )
        .expect("measure added");
        measure_ids.push(id);
    }
    let own = disposal::decide(
        &mut b.store,
        &b.zhang,
        &number,
        None,
        Decision::Approve,
        "",
        None,
        day("2025-09-03"),
        Lang::ZhCn,
    )
    .expect_err("nobody approves before it is submitted, nor a specialist");
    assert_eq!(rule_key(&own), "role");
    disposal::submit(
        &mut b.store,
        &b.zhang,
        &number,
        None,
        None,
        day("2025-09-03"),
    )
    .expect("submitted");
    let notice = disposal::decide(
        &mut b.store,
        &b.wang,
        &number,
        None,
        Decision::Approve,
        "同意整改方案",
        None,
        day("2025-09-05"),
        Lang::ZhCn,
    )
    .expect("approved")
    .expect("a rectification notice");
    let d = case_of(&b.store, &number);
    let p = d.plans.iter().find(|p| p.id == rect).expect("the plan");
    assert_eq!(p.status, PlanStatus::Approved);
    assert_eq!(p.proposer, "zhang");
    assert_eq!(p.approver.as_deref(), Some("wang"));
    assert_eq!(p.due_on, Some(rect_due));
    let doc = d
        .documents
        .iter()
        .find(|x| x.number == notice)
        .expect("the notice is a document of the case");
    assert_eq!(doc.kind, "rectification_notice");
    assert_eq!(doc.sha256, hex(&Sha256::digest(doc.body.as_bytes())));
    assert!(
        doc.body.contains(BORROWER_NAME),
        "the notice names the borrower"
    );
    for (title, _, deadline) in measures {
        assert!(doc.body.contains(title), "the notice lists {title}");
        assert!(doc.body.contains(deadline), "with its deadline {deadline}");
    }
    assert!(notice.starts_with("ZGTZ2025-"));
    assert_eq!(audited(&b.store, "disposal.plan", "zhang", &number), 1);
    assert_eq!(
        audited(&b.store, "disposal.plan_submit", "zhang", &number),
        1
    );
    assert_eq!(
        audited(&b.store, "disposal.plan_approve", "wang", &number),
        1
    );
    assert_eq!(audited(&b.store, "document.issue", "wang", &number), 1);
    disposal::progress(
        &mut b.store,
        &b.zhang,
        &number,
        &Progress {
            signal_now: "流动比率1.12，资产负债率69%，未见改善",
            effect: "高毛利部件订单尚未放量；应收账款回收两成",
            problems: "下游客户付款周期拉长，库存积压",
            next_steps: "督促回款，每周跟踪资金流水",
        },
        day("2025-10-15"),
        postloan::i18n::Lang::ZhCn,
    )
    .expect("progress report");
    let d = case_of(&b.store, &number);
    assert_eq!(d.progress.len(), 1);
    assert_eq!(d.progress[0].author, "zhang");
    assert_eq!(
        d.progress[0].signal_now,
        "流动比率1.12，资产负债率69%，未见改善"
    );
    assert_eq!(audited(&b.store, "disposal.progress", "zhang", &number), 1);

    // 5. Follow-up: the measures fail; the deadline passes unfulfilled and the nightly
    //    escalation raises the case to red, emergency plan needed.
    for (id, why) in measure_ids.iter().zip([
        "转产未完成，订单不足",
        "应收账款回收不足三成",
        "资金流向无法按月提供",
    ]) {
        let to = disposal::move_action(
            &mut b.store,
            &b.zhang,
            *id,
            ActionMove::Fail,
            why,
            None,
            day("2025-11-28"),
        )
        .expect("measure failed");
        assert_eq!(to, ActionStatus::Failed);
        assert_eq!(
            audited(&b.store, "disposal.action_fail", "zhang", &id.to_string()),
            1
        );
    }
    let before = disposal::escalate(&mut b.store, &b.wang, rect_due, Some(&cfg))
        .expect("escalation on the due date");
    assert!(
        before.escalated.is_empty(),
        "not before the deadline has passed"
    );
    let report = disposal::escalate(&mut b.store, &b.system, day("2025-12-01"), Some(&cfg))
        .expect("nightly escalation");
    assert_eq!(report.plans_failed, vec![(number.clone(), rect)]);
    assert_eq!(report.escalated, vec![number.clone()]);
    assert_eq!(report.emergency_needed, 1);
    let d = case_of(&b.store, &number);
    assert_eq!(d.case.level, Level::Red);
    assert!(d.case.emergency_needed, "emergency plan needed");
    assert_eq!(d.case.escalated_on, Some(day("2025-12-01")));
    assert_eq!(
        d.plans.iter().find(|p| p.id == rect).map(|p| p.status),
        Some(PlanStatus::Failed)
    );
    let needing = b.store.emergency_cases(10).expect("managers' Today");
    assert_eq!(needing.len(), 1);
    assert_eq!(needing[0].number, number);
    assert_eq!(
        audited(&b.store, "cases.escalate", "system", "2025-12-01"),
        1
    );

    // 6. The emergency plan, proposed by the supervisor and approved by the manager: extra
    //    collateral, else early recall; the borrower's assets watched.
    disposal::plan(
        &mut b.store,
        &b.zhang,
        &NewPlan {
            case: &number,
            kind: PlanKind::Emergency,
            summary: "x",
            due: None,
            expected_version: None,
        },
        &settings,
        day("2025-12-02"),
    )
    .map(|_| ())
    .expect_err("a specialist does not propose an emergency plan");
    let emergency = disposal::plan(
        &mut b.store,
        &b.wang,
        &NewPlan {
            case: &number,
            kind: PlanKind::Emergency,
            summary: "要求追加担保；不能追加则宣布贷款提前到期、全额收回；监控借款人资产防止转移",
            due: Some(day("2026-01-31")),
            expected_version: None,
        },
        &settings,
        day("2025-12-02"),
    )
    .expect("emergency plan proposed");
    let mut add = |kind, title, owner, deadline: &str| {
        disposal::add_action(
            &mut b.store,
            &b.wang,
            &AddAction {
                case: &number,
                kind,
                title,
                owner,
                deadline: day(deadline),
                contract: Some(CONTRACT),
                plan: Some(emergency),
            },
            day("2025-12-02"),
        )
        .expect("emergency action")
    };
    let collateral_action = add(
        ActionKind::AdditionalCollateral,
        "要求借款人追加抵押或实际控制人连带责任保证",
        "zhang",
        "2025-12-31",
    );
    let recall_action = add(
        ActionKind::EarlyRecall,
        "追加担保不成则宣布提前到期，收回全部本息",
        "wang",
        "2026-01-15",
    );
    let watch_action = add(
        ActionKind::AssetWatch,
        "监控借款人及实际控制人名下资产，防止转移",
        "zhang",
        "2026-06-30",
    );
    disposal::submit(
        &mut b.store,
        &b.wang,
        &number,
        None,
        None,
        day("2025-12-02"),
    )
    .expect("emergency plan submitted");
    let err = disposal::decide(
        &mut b.store,
        &b.wang,
        &number,
        None,
        Decision::Approve,
        "",
        None,
        day("2025-12-03"),
        Lang::ZhCn,
    )
    .expect_err("a supervisor does not approve an emergency plan");
    assert_eq!(rule_key(&err), "role");
    let none = disposal::decide(
        &mut b.store,
        &b.li,
        &number,
        None,
        Decision::Approve,
        "同意启动应急预案",
        None,
        day("2025-12-03"),
        Lang::ZhCn,
    )
    .expect("the manager approves");
    assert_eq!(
        none, None,
        "an emergency plan issues no rectification notice"
    );
    let d = case_of(&b.store, &number);
    let e = d.plans.iter().find(|p| p.id == emergency).expect("plan");
    assert_eq!(e.status, PlanStatus::Approved);
    assert_eq!(
        (e.proposer.as_str(), e.approver.as_deref()),
        ("wang", Some("li"))
    );
    assert!(!d.case.emergency_needed, "the plan answers the need");
    assert!(b.store.emergency_cases(10).expect("Today").is_empty());
    assert_eq!(audited(&b.store, "disposal.plan_approve", "li", &number), 1);
    assert_eq!(
        audited(
            &b.store,
            "disposal.action_add",
            "wang",
            &watch_action.to_string()
        ),
        1
    );

    // 7. The borrower cannot give collateral: the action fails; wang recalls the loan, zhang
    //    sends the demand for payment (the limitation period restarts from it).
    disposal::move_action(
        &mut b.store,
        &b.zhang,
        collateral_action,
        ActionMove::Fail,
        "借款人及实际控制人无可追加的担保物，保证人拒绝",
        None,
        day("2026-01-05"),
    )
    .expect("collateral action failed");
    let recall_on = day("2026-01-08");
    let err = outcomes::recall(
        &mut b.store,
        &b.zhang,
        &StatusInput {
            contract_no: CONTRACT,
            on: recall_on,
            reason: "x",
            case_id: Some(d.case.id),
            expected_version: None,
        },
        recall_on,
    )
    .expect_err("a specialist does not recall");
    assert_eq!(rule_key(&err), "role");
    outcomes::recall(
        &mut b.store,
        &b.wang,
        &StatusInput {
            contract_no: CONTRACT,
            on: recall_on,
            reason: "借款人未能追加担保，依合同第十二条宣布贷款提前到期",
            case_id: Some(d.case.id),
            expected_version: None,
        },
        recall_on,
    )
    .expect("recalled");
    let l = b.store.outcome_loan(CONTRACT).expect("read").expect("loan");
    assert_eq!(l.status, LoanStatus::Recalled);
    assert_eq!(l.recalled_on, Some(recall_on));
    assert_eq!(
        l.outstanding,
        yuan("5000000"),
        "recall collects nothing by itself"
    );
    assert_eq!(audited(&b.store, "outcome.recall", "wang", CONTRACT), 1);
    disposal::move_action(
        &mut b.store,
        &b.wang,
        recall_action,
        ActionMove::Done,
        "已发出提前到期通知书",
        None,
        recall_on,
    )
    .expect("recall action done");
    let clock_rules = LegalClockRules::default();
    let limitation = |store: &Store| {
        store
            .loan_outcomes(loan.id, &clock_rules)
            .expect("read")
            .expect("outcomes")
            .clocks
            .into_iter()
            .find(|c| c.kind == ClockKind::Limitation)
            .expect("a limitation clock")
    };
    let c = limitation(&b.store);
    assert_eq!((c.source, c.started_on), (ClockSource::Recall, recall_on));
    assert_eq!(c.ends_on, day("2029-01-08"), "three years from the recall");
    let demand_on = day("2026-01-10");
    outcomes::record_demand(
        &mut b.store,
        &b.zhang,
        &DemandInput {
            contract_no: CONTRACT,
            on: demand_on,
            channel: DemandChannel::Letter,
            note: "挂号信送达《提前还款通知书》及催收函",
            case_id: Some(d.case.id),
        },
        demand_on,
    )
    .expect("demand recorded");
    let c = limitation(&b.store);
    assert_eq!((c.source, c.started_on), (ClockSource::Demand, demand_on));
    assert_eq!(c.ends_on, day("2029-01-10"), "restarted by the demand");
    assert_eq!(audited(&b.store, "outcome.demand", "zhang", CONTRACT), 1);

    // 8. The mortgaged factory is sold at auction: most of the claim comes back; the guarantor
    //    pays the rest; the loan closes with nothing written off, then the case.
    let sale = outcomes::record_recovery(
        &mut b.store,
        &b.wang,
        &RecoveryInput {
            contract_no: CONTRACT,
            on: day("2026-04-20"),
            kind: RecoveryKind::CollateralSale,
            amounts: RecoveryAmounts {
                principal: yuan("4200000.00"),
                interest: yuan("61250.00"),
                costs: yuan("35000.00"),
            },
            note: "厂房司法拍卖成交价款划回",
            case_id: Some(d.case.id),
            expected_version: None,
        },
        &rules,
        day("2026-04-20"),
    )
    .expect("collateral sale recorded");
    assert_eq!(
        (sale.outstanding_before, sale.outstanding_after),
        (yuan("5000000"), yuan("800000.00"))
    );
    assert_eq!(sale.status, LoanStatus::Recalled);
    // The balance changed, so the loan is re-evaluated: the borrower has sent no statement
    // since mid-2025 and no repayment status came since the recall — two more signals join.
    assert_eq!(sale.evaluation.new, [1, 0, 1], "{:?}", sale.evaluation);
    let d = case_of(&b.store, &number);
    let mut joined: Vec<(&str, Level)> = d
        .warnings
        .iter()
        .map(|w| (w.indicator.as_str(), w.level))
        .collect();
    joined.sort_unstable();
    assert_eq!(
        joined,
        [
            ("current_ratio", Level::Yellow),
            ("debt_to_asset_rise", Level::Orange),
            ("repayment_stale", Level::Yellow),
            ("statements_late", Level::Red),
        ]
    );
    assert_eq!(d.case.level, Level::Red);
    let err = outcomes::close(
        &mut b.store,
        &b.wang,
        &StatusInput {
            contract_no: CONTRACT,
            on: day("2026-04-20"),
            reason: "x",
            case_id: Some(d.case.id),
            expected_version: None,
        },
        day("2026-04-20"),
    )
    .expect_err("not while money is outstanding");
    assert_eq!(rule_key(&err), "outcomes_err.close_outstanding");
    let guarantor = outcomes::record_recovery(
        &mut b.store,
        &b.wang,
        &RecoveryInput {
            contract_no: CONTRACT,
            on: day("2026-05-10"),
            kind: RecoveryKind::Guarantor,
            amounts: RecoveryAmounts {
                principal: yuan("800000.00"),
                interest: yuan("12687.50"),
                costs: Decimal::ZERO,
            },
            note: "保证人代偿剩余本息",
            case_id: Some(d.case.id),
            expected_version: None,
        },
        &rules,
        day("2026-05-10"),
    )
    .expect("guarantor recorded");
    assert_eq!(guarantor.outstanding_after, Decimal::ZERO);
    assert_eq!(audited(&b.store, "outcome.recovery", "wang", CONTRACT), 2);
    let closed_on = day("2026-05-12");
    outcomes::close(
        &mut b.store,
        &b.wang,
        &StatusInput {
            contract_no: CONTRACT,
            on: closed_on,
            reason: "抵押物处置及保证人代偿，本息全额收回",
            case_id: Some(d.case.id),
            expected_version: None,
        },
        closed_on,
    )
    .expect("loan closed");
    assert_eq!(audited(&b.store, "outcome.close", "wang", CONTRACT), 1);
    disposal::move_action(
        &mut b.store,
        &b.zhang,
        watch_action,
        ActionMove::Done,
        "债权已全额收回，资产监控结束",
        None,
        closed_on,
    )
    .expect("asset watch done");
    let err = disposal::close(
        &mut b.store,
        &b.wang,
        &number,
        "本息全额收回",
        None,
        closed_on,
        postloan::i18n::Lang::ZhCn,
        &postloan::domain::legal::LegalClockRules::default(),
    )
    .expect_err("its warnings are still open");
    assert_eq!(rule_key(&err), "disposal_err.still_open");
    let open: Vec<WarningRow> = loan_warnings(&b.store)
        .into_iter()
        .filter(|w| w.status.is_active())
        .collect();
    assert_eq!(open.len(), 4, "the case's four signals: {open:?}");
    assert!(
        open.iter().all(|w| w.back_to_normal),
        "nothing owed: the evaluation after the last recovery marked them back to normal"
    );
    for w in &open {
        let to = move_warning(
            &mut b.store,
            &b.zhang,
            w.id,
            None,
            WarningMove::Resolve,
            "贷款本息已全额收回，风险已化解",
            closed_on,
        )
        .expect("warning resolved");
        assert_eq!(to, WarningStatus::Resolved);
        assert_eq!(
            audited(&b.store, "warnings.resolved", "zhang", &w.id.to_string()),
            1
        );
    }
    disposal::close(
        &mut b.store,
        &b.wang,
        &number,
        "抵押物处置及保证人代偿，贷款本息全额收回，未核销",
        None,
        closed_on,
        postloan::i18n::Lang::ZhCn,
        &postloan::domain::legal::LegalClockRules::default(),
    )
    .expect("case closed");

    // The end: every state and figure, to the fen.
    let l = b
        .store
        .loan_outcomes(loan.id, &clock_rules)
        .expect("read")
        .expect("outcomes");
    assert_eq!(l.loan.status, LoanStatus::Closed);
    assert_eq!(l.loan.closed_on, Some(closed_on));
    assert_eq!(l.loan.outstanding, Decimal::ZERO);
    assert_eq!(l.loan.written_off, Decimal::ZERO, "not a write-off");
    assert!(l.write_offs.is_empty());
    assert_eq!(l.recovered.count, 2);
    assert_eq!(l.recovered.principal, yuan("5000000.00"));
    assert_eq!(l.recovered.interest, yuan("73937.50"));
    assert_eq!(l.recovered.costs, yuan("35000.00"));
    assert!(
        l.clocks.iter().all(|c| c.kind != ClockKind::Limitation),
        "nothing owed, no limitation clock: {:?}",
        l.clocks
    );
    let kinds: Vec<RecoveryKind> = l.recoveries.iter().map(|r| r.kind).collect();
    assert!(
        kinds.contains(&RecoveryKind::CollateralSale) && kinds.contains(&RecoveryKind::Guarantor)
    );
    let d = case_of(&b.store, &number);
    assert_eq!(d.case.status, CaseStatus::Closed);
    assert_eq!(d.case.closed_on, Some(closed_on));
    assert_eq!(
        d.case.close_reason,
        "抵押物处置及保证人代偿，贷款本息全额收回，未核销"
    );
    // A closed case keeps the loan it was opened for, repaid in full, and counts the signals
    // and loans it had (not "0 signals · 0 loans").
    assert_eq!(
        d.loans.iter().map(|l| l.id).collect::<Vec<_>>(),
        vec![loan.id],
        "the closed case still lists its loan"
    );
    assert_eq!(d.loans[0].outstanding, Decimal::ZERO);
    assert_eq!(d.case.loans, 1);
    assert_eq!(d.case.warnings, d.warnings.len() as u64);
    assert!(
        d.warnings
            .iter()
            .all(|w| w.status == WarningStatus::Resolved),
        "{:?}",
        d.warnings
    );
    let statuses: Vec<(i64, ActionStatus)> = d.actions.iter().map(|a| (a.id, a.status)).collect();
    for id in &measure_ids {
        assert!(statuses.contains(&(*id, ActionStatus::Failed)));
    }
    assert!(statuses.contains(&(collateral_action, ActionStatus::Failed)));
    assert!(statuses.contains(&(recall_action, ActionStatus::Done)));
    assert!(statuses.contains(&(watch_action, ActionStatus::Done)));
    assert!(d.actions.iter().all(|a| !a.status.is_open()));
    assert_eq!(
        d.plans.iter().find(|p| p.id == emergency).map(|p| p.status),
        Some(PlanStatus::Fulfilled),
        "the emergency plan was carried out (recall, watch): it ends fulfilled, not cancelled"
    );
    // The case's history, step by step and by whom.
    let history = events(&d);
    for step in [
        ("opened", "system"),
        ("plan_created", "zhang"),
        ("plan_submitted", "zhang"),
        ("plan_approved", "wang"),
        ("notice", "wang"),
        ("progress", "zhang"),
        ("action_fail", "zhang"),
        ("plan_failed", "system"),
        ("escalated", "system"),
        ("plan_created", "wang"),
        ("plan_approved", "li"),
        ("action_done", "wang"),
        ("action_done", "zhang"),
        ("plan_fulfilled", "wang"),
        ("closed", "wang"),
    ] {
        assert!(
            history.contains(&(step.0.to_string(), step.1.to_string())),
            "history has {step:?}: {history:?}"
        );
    }
    assert_eq!(history.last().map(|e| e.0.as_str()), Some("closed"));
    assert_eq!(audited(&b.store, "disposal.close", "wang", &number), 1);
    // The archive of the loan: the inspection report and the rectification notice.
    let docs = b.store.documents(loan.id).expect("documents");
    for (kind, number) in [
        ("inspection_report", report_doc.as_str()),
        ("rectification_notice", notice.as_str()),
    ] {
        let doc = docs
            .iter()
            .find(|x| x.number == number)
            .unwrap_or_else(|| panic!("{kind} {number} kept with the loan"));
        assert_eq!(doc.kind, kind);
        assert_eq!(doc.sha256, hex(&Sha256::digest(doc.body.as_bytes())));
    }
    // The loan's trail (`audit --contract`, pane A's loan filter) follows it to its case, the
    // case's actions and the documents about it, not only to the loan's own rows.
    let trail = b
        .store
        .audit_page(
            &postloan::store::AuditQuery {
                contract_no: Some(CONTRACT.into()),
                ..Default::default()
            },
            None,
            10_000,
        )
        .expect("the loan's trail");
    let kinds: std::collections::BTreeSet<&str> = trail.iter().map(|e| e.entity.as_str()).collect();
    for kind in ["loan", "warning", "inspection", "case", "action"] {
        assert!(kinds.contains(kind), "{kind} entries in {kinds:?}");
    }
    assert!(
        trail
            .iter()
            .any(|e| e.action == "disposal.close" && e.entity_key == number),
        "the case's close is on the loan's trail"
    );
    // Entries keyed by the loan's id (an evaluation of the loan) or its borrower's id (its
    // warnings grouped into the case) are on the trail too (QA: they were left out).
    let loan = b
        .store
        .loan_by_contract(CONTRACT)
        .expect("read")
        .expect("the loan");
    let by_id: Vec<i64> = audit(&b.store)
        .iter()
        .filter(|e| {
            (e.entity == "loan" && e.entity_key == loan.id.to_string())
                || (e.entity == "borrower" && e.entity_key == loan.borrower_id.to_string())
        })
        .map(|e| e.id)
        .collect();
    assert!(!by_id.is_empty(), "the story has entries keyed by id");
    for id in &by_id {
        assert!(
            trail.iter().any(|e| e.id == *id),
            "entry {id} is on the loan's trail"
        );
    }
    assert_eq!(
        b.store.verify_audit().expect("verify"),
        Ok(audit(&b.store).len() as u64)
    );
    // The false-alarm guard: every row this long story wrote (cases grouped, escalated and
    // closed, plans, actions, notes, progress reports, inspections, proposals, recoveries,
    // documents superseded) was sealed as the program left it, so `verify` finds nothing.
    let report = postloan::workflow::verify::verify(&b.store, None).expect("verify");
    assert!(report.seal_breaks.is_empty(), "{:?}", report.seal_breaks);
    assert_eq!(
        report.problems(),
        0,
        "{:?}",
        postloan::workflow::verify::lines(&report, Path::new("book"), Lang::En)
    );
    assert!(
        report.chain.seals.len() > 50,
        "the story's rows are sealed: {}",
        report.chain.seals.len()
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
