//! The demo book's case study (DOMAIN.md §3): 江南精工机械有限公司's mortgaged working-capital
//! loan walked from disbursement to a red case whose emergency plan is approved and open, so a
//! user can recall, demand, recover and close it — every step through the commands a user runs.
//!
//! The loan, its collateral and repayment status come in as the core-banking extract would
//! (the store's upserts); statements are entered through [`super::tracking`], which
//! re-evaluates the loan; everything after is the workflow on dates before the book's date.
//! After the escalation a red signal is raised by hand (another bank cuts its lines), so the
//! case's level is its worst warning's as well as the escalation's.

use super::disposal::{self, AddAction, Decision, DisposalSettings, NewPlan, Progress};
use super::inspection::{self as inspection, StartInspection};
use super::{Actor, Result, WorkflowError, identify};
use crate::domain::disposal::{ActionKind, ActionMove, PlanKind};
use crate::domain::inspection::{InspectionKind, InspectionMode, Measure, MeasureEntry, Section};
use crate::domain::warning::{Level, ManualSignal, RiskType};
use crate::domain::{
    BorrowerRecord, Classification, CollateralKind, CollateralRecord, GuaranteeType, LoanRecord,
    Product, RepaymentRecord, StatementRecord, TrackingFrequency,
};
use crate::engine::inspection_plan::{PlanConfig, PlanFacts};
use crate::engine::rules::RuleSet;
use crate::i18n::Lang;
use crate::store::{ClassificationQuery, DoneInspection, Store};
use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;

/// The borrower the README's walk-through names.
pub const BORROWER_CODE: &str = "JNJG001";
pub const BORROWER_NAME: &str = "江南精工机械有限公司";
/// After every generated `PL…` contract in the ledger's contract order.
pub const CONTRACT: &str = "PLJN-240315";

const OFFICER: &str = "zhang.wei";
const SUPERVISOR: &str = "wu.hao";
const MANAGER: &str = "zhao.lei";

fn shift(on: NaiveDate, days: i64) -> NaiveDate {
    let d = Days::new(days.unsigned_abs());
    if days < 0 {
        on.checked_sub_days(d).unwrap_or(on)
    } else {
        on.checked_add_days(d).unwrap_or(on)
    }
}

/// The last day of the quarter before the one `on` falls in.
fn previous_quarter_end(on: NaiveDate) -> NaiveDate {
    let first_month = on.month0() / 3 * 3 + 1;
    NaiveDate::from_ymd_opt(on.year(), first_month, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(on)
}

fn yuan(units: i64) -> Decimal {
    Decimal::from(units)
}

/// A statement in yuan: assets, liabilities, current assets and liabilities, inventory,
/// revenue and EBIT of the half year.
fn statement(period_end: NaiveDate, figures: [i64; 7]) -> StatementRecord {
    let [ta, tl, ca, cl, inv, revenue, ebit] = figures;
    StatementRecord {
        borrower_code: BORROWER_CODE.into(),
        period_end,
        total_assets: yuan(ta),
        total_liabilities: yuan(tl),
        current_assets: yuan(ca),
        current_liabilities: yuan(cl),
        inventory: yuan(inv),
        revenue: yuan(revenue),
        ebit: yuan(ebit),
        interest_expense: yuan(500_000),
        net_profit: yuan(400_000),
        operating_cash_flow: yuan(300_000),
    }
}

fn repaid(on: NaiveDate) -> RepaymentRecord {
    RepaymentRecord {
        contract_no: CONTRACT.into(),
        as_of: on,
        overdue_days: 0,
        overdue_principal: Decimal::ZERO,
        overdue_interest: Decimal::ZERO,
    }
}

/// Writes the story into a fresh demo book dated `as_of`; a book without the demo's staff
/// (never built by the demo) is left as it is.
pub fn seed(store: &mut Store, system: &Actor, as_of: NaiveDate) -> Result<()> {
    let (Ok(officer), Ok(supervisor), Ok(manager)) = (
        identify(store, OFFICER, None),
        identify(store, SUPERVISOR, None),
        identify(store, MANAGER, None),
    ) else {
        return Ok(());
    };
    let rules = RuleSet::defaults();
    let cfg = PlanConfig::defaults().map_err(|e| WorkflowError::Invalid(e.to_string()))?;
    let checklist = crate::config::Config::defaults()
        .checklist()
        .map_err(|e| WorkflowError::Invalid(e.to_string()))?;
    let settings = DisposalSettings::default();
    let disbursed = shift(as_of, -640);
    let raised = shift(as_of, -105);
    let at = |days: i64| shift(raised, days);

    // 1. The loan at disbursement, as the core-banking extract brings it.
    let loan_id = store.write(|tx| -> Result<i64> {
        tx.upsert_borrower(
            &BorrowerRecord {
                code: BORROWER_CODE.into(),
                name: BORROWER_NAME.into(),
                credit_code: "91320506MA1JNJG01U".into(),
                industry: "制造业".into(),
                region: "江苏省苏州市".into(),
            },
            &system.username,
        )?;
        tx.upsert_loan(
            &LoanRecord {
                contract_no: CONTRACT.into(),
                borrower_code: BORROWER_CODE.into(),
                borrower_name: BORROWER_NAME.into(),
                product: Product::WorkingCapital,
                purpose: "采购原材料（钢材、铸件）".into(),
                currency: "CNY".into(),
                principal: yuan(5_000_000),
                outstanding: yuan(5_000_000),
                interest_rate: Decimal::new(435, 2),
                disbursed_on: disbursed,
                matures_on: disbursed
                    .checked_add_months(chrono::Months::new(36))
                    .unwrap_or(disbursed),
                guarantee_type: GuaranteeType::Mortgage,
                officer: OFFICER.into(),
                tracking_frequency: TrackingFrequency::Quarterly,
                classification: Some(Classification::Pass),
                restructured_on: None,
                credit_impaired: None,
            },
            &system.username,
        )?;
        tx.upsert_collateral(
            &CollateralRecord {
                contract_no: CONTRACT.into(),
                kind: CollateralKind::RealEstate,
                description: "苏州市吴中区厂房及土地使用权（抵押）".into(),
                appraised_value: yuan(8_000_000),
                appraised_on: shift(disbursed, -14),
            },
            &system.username,
        )?;
        for on in [
            shift(disbursed, 16),
            at(-20),
            shift(as_of, -6),
            shift(as_of, -1),
        ] {
            tx.upsert_repayment(&repaid(on), &system.username)?;
        }
        let loan_id = tx
            .loan_by_contract(CONTRACT)?
            .map(|l| l.id)
            .ok_or_else(|| WorkflowError::NotFound {
                what: "loan",
                key: CONTRACT.into(),
            })?;
        tx.insert_done_inspections(
            &[DoneInspection {
                loan_id,
                kind: InspectionKind::First,
                inspected_on: shift(disbursed, 25),
                author: OFFICER,
                reviewer: SUPERVISOR,
            }],
            &system.username,
        )?;
        tx.audit(
            &system.username,
            "demo.case_study",
            "loan",
            CONTRACT,
            &json!({"borrower": BORROWER_CODE, "disbursed_on": disbursed.to_string()}),
        )?;
        Ok(loan_id)
    })?;

    // The statement at disbursement (debt-to-asset 45%, current ratio 1.50), then mid-way:
    // 68% (+23 points, orange) and 1.15 (yellow). Entering it re-evaluates the loan.
    super::tracking::enter_statement(
        store,
        &officer,
        &statement(
            previous_quarter_end(disbursed),
            [
                20_000_000, 9_000_000, 12_000_000, 8_000_000, 3_000_000, 30_000_000, 3_000_000,
            ],
        ),
        &rules,
        shift(disbursed, 10),
    )?;
    super::tracking::enter_statement(
        store,
        &officer,
        &statement(
            previous_quarter_end(at(-20)),
            [
                20_000_000, 13_600_000, 10_925_000, 9_500_000, 1_300_000, 12_500_000, 1_150_000,
            ],
        ),
        &rules,
        raised,
    )?;
    let Some(case) = store.case_of_loan(loan_id)? else {
        return Ok(());
    };
    let number = case.number;
    let rise = store
        .warning_page(
            &crate::store::WarningQuery {
                loan_id: Some(loan_id),
                indicator: Some("debt_to_asset_rise".into()),
                ..Default::default()
            },
            &crate::store::PageFrom::Start,
            1,
        )?
        .into_iter()
        .next()
        .map(|w| w.number);

    // 3. The triggered inspection, approved by the supervisor; its 关注 proposal approved.
    let report_no = inspection::start(
        store,
        &officer,
        &StartInspection {
            contract_no: CONTRACT,
            kind: InspectionKind::Triggered,
            mode: InspectionMode::Onsite,
            warnings: rise.as_slice(),
            focus: "资产负债率上升、流动比率下降的原因；销售回款与现金流",
            inspected_on: Some(at(5)),
            inspectors: "zhang.wei、wu.hao",
        },
        at(2),
    )?;
    for (section, text) in [
        (
            Section::Facts,
            "现场检查江南精工机械有限公司：走访厂区、仓库，查阅账簿与银行流水。",
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
        inspection::write_section(store, &officer, &report_no, None, section, text)?;
    }
    inspection::add_measure(
        store,
        &officer,
        &report_no,
        None,
        &MeasureEntry {
            measure: Measure::ReduceLine,
            deadline: Some(at(75)),
            owner: Some(OFFICER.into()),
            note: "暂停新增用信，压降敞口".into(),
        },
    )?;
    inspection::propose_class(
        store,
        &officer,
        &report_no,
        None,
        Classification::SpecialMention,
    )?;
    inspection::submit(store, &officer, &report_no, None, &cfg, at(8))?;
    inspection::approve(
        store,
        &supervisor,
        &report_no,
        None,
        "同意检查结论，按整改方案推进。",
        at(12),
        Lang::ZhCn,
        &checklist,
    )?;
    let q = ClassificationQuery {
        pending: true,
        ..Default::default()
    };
    let proposal = store
        .classification_page(&q, None, 500)?
        .into_iter()
        .find(|p| p.contract_no == CONTRACT);
    if let Some(p) = proposal {
        let class_rules = crate::domain::classification::ClassificationRules::default();
        super::classification::approve(
            store,
            &supervisor,
            p.proposal_id,
            None,
            "同意下调至关注类",
            &super::classification::Decide {
                rules: &class_rules,
                plan: &cfg,
                today: at(13),
            },
        )?;
    }

    // 4. The rectification plan: three measures, approved, its notice issued; a progress report.
    disposal::plan(
        store,
        &officer,
        &NewPlan {
            case: &number,
            kind: PlanKind::Rectification,
            summary: "调整产品结构、加快销售回款、严格资金使用，三个月内流动比率回升至1.2以上",
            due: Some(at(75)),
            expected_version: None,
        },
        &settings,
        at(14),
    )?;
    let mut measures = Vec::new();
    for (title, deadline) in [
        ("压缩低毛利通用机型，转产高毛利精密部件", at(45)),
        ("清收逾期应收账款，90天以上账款回收五成", at(75)),
        ("贷款资金专款专用，每月报送资金使用明细", at(75)),
    ] {
        measures.push(disposal::add_action(
            store,
            &officer,
            &AddAction {
                case: &number,
                kind: ActionKind::RectificationMeasure,
                title,
                owner: OFFICER,
                deadline,
                contract: Some(CONTRACT),
                plan: None,
            },
            at(14),
        )?);
    }
    disposal::submit(store, &officer, &number, None, None, at(14))?;
    disposal::decide(
        store,
        &supervisor,
        &number,
        None,
        Decision::Approve,
        "同意整改方案",
        None,
        at(16),
        Lang::ZhCn,
    )?;
    disposal::progress(
        store,
        &officer,
        &number,
        &Progress {
            signal_now: "流动比率1.12，资产负债率69%，未见改善",
            effect: "高毛利部件订单尚未放量；应收账款回收两成",
            problems: "下游客户付款周期拉长，库存积压",
            next_steps: "督促回款，每周跟踪资金流水",
        },
        at(45),
        Lang::ZhCn,
    )?;

    // 5. The measures fail; the supervisor finds the rectification failed: the case goes red.
    for (id, why) in measures.iter().zip([
        "转产未完成，订单不足",
        "应收账款回收不足三成",
        "资金流向无法按月提供",
    ]) {
        disposal::move_action(store, &officer, *id, ActionMove::Fail, why, None, at(74))?;
    }
    disposal::fail_plan(
        store,
        &supervisor,
        &number,
        None,
        "跟踪检查：整改期满未见成效，经营状况继续恶化",
        at(76),
        None,
    )?;

    // 6. The emergency plan: proposed by the supervisor, approved by the manager; its
    //    actions left open for the user.
    disposal::plan(
        store,
        &supervisor,
        &NewPlan {
            case: &number,
            kind: PlanKind::Emergency,
            summary: "要求追加担保；不能追加则宣布贷款提前到期、全额收回；监控借款人资产防止转移",
            due: Some(shift(as_of, 30)),
            expected_version: None,
        },
        &settings,
        at(77),
    )?;
    for (kind, title, owner, deadline) in [
        (
            ActionKind::AdditionalCollateral,
            "要求借款人追加抵押或实际控制人连带责任保证",
            OFFICER,
            shift(as_of, 14),
        ),
        (
            ActionKind::EarlyRecall,
            "追加担保不成则宣布提前到期，收回全部本息",
            SUPERVISOR,
            shift(as_of, 30),
        ),
        (
            ActionKind::AssetWatch,
            "监控借款人及实际控制人名下资产，防止转移",
            OFFICER,
            shift(as_of, 90),
        ),
    ] {
        disposal::add_action(
            store,
            &supervisor,
            &AddAction {
                case: &number,
                kind,
                title,
                owner,
                deadline,
                contract: Some(CONTRACT),
                plan: None,
            },
            at(77),
        )?;
    }
    disposal::submit(store, &supervisor, &number, None, None, at(77))?;
    disposal::decide(
        store,
        &manager,
        &number,
        None,
        Decision::Approve,
        "同意启动应急预案",
        None,
        at(78),
        Lang::ZhCn,
    )?;
    // The latest statement: no better (its signals are those already open), and recent
    // enough that the next evaluation on the book's date raises nothing new.
    super::tracking::enter_statement(
        store,
        &officer,
        &statement(
            previous_quarter_end(shift(as_of, -20)),
            [
                20_000_000, 13_900_000, 10_976_000, 9_800_000, 1_000_000, 11_800_000, 1_050_000,
            ],
        ),
        &rules,
        shift(as_of, -5),
    )?;
    // The position worsens: another bank cuts its lines (a red signal raised by hand).
    super::warning::raise_manual(
        store,
        &officer,
        &super::warning::ManualWarning {
            contract_no: CONTRACT,
            signal: ManualSignal::CreditCut,
            level: Level::Red,
            risk_type: RiskType::Credit,
            reason: "他行压降授信：某股份制银行到期收回流动资金贷款800万元未续做",
        },
        shift(as_of, -10),
        Lang::ZhCn,
    )?;
    disposal::progress(
        store,
        &officer,
        &number,
        &Progress {
            signal_now: "已升为红色预警，应急预案执行中；他行压降授信",
            effect: "借款人表示无力追加抵押，实际控制人拒绝提供保证",
            problems: "追加担保基本无望，存在资产转移风险",
            next_steps: "追加担保期满即宣布提前到期并催收；监控名下资产",
        },
        shift(as_of, -3),
        Lang::ZhCn,
    )?;
    plan_loan(store, system, &cfg, loan_id)
}

/// Derives the inspection plan of the story's loan, as the nightly plan would (the demo's
/// own plan ran before the loan was in the book).
fn plan_loan(store: &mut Store, system: &Actor, cfg: &PlanConfig, loan_id: i64) -> Result<()> {
    store.write(|tx| -> Result<()> {
        let mut loans = tx.plan_chunk(loan_id.saturating_sub(1), 1)?;
        loans.retain(|l| l.loan_id == loan_id);
        let due: Vec<_> = loans
            .iter()
            .map(|l| {
                cfg.due(&PlanFacts {
                    disbursed_on: l.disbursed_on,
                    class: l.class,
                    first_done: l.first_done,
                    last_done_on: l.last_done_on,
                    signal_on: l.signal_on,
                })
            })
            .collect();
        let counts = tx.write_plan(&loans, &due, &system.username)?;
        tx.audit(
            &system.username,
            "inspections.plan",
            "loan",
            CONTRACT,
            &serde_json::to_value(counts).unwrap_or_default(),
        )?;
        Ok(())
    })
}
