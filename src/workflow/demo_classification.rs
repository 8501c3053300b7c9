//! The demo book's classification: one restructured loan, the nightly floor check run after
//! the demo's evaluation (pending floor proposals), a few decided (history entries) and a few
//! judgement proposals by the loans' officers — written through the same commands a user runs.
//! The worked examples are taken from the back half of the book, so the first screens of the
//! other panes stay as they were.

use super::classification::{self as flow, Basis, Decide, Proposal};
use super::{Actor, Result, identify};
use crate::domain::Classification;
use crate::domain::classification::ClassificationRules;
use crate::engine::inspection_plan::PlanConfig;
use crate::store::{ClassificationQuery, Store};
use chrono::{Days, NaiveDate};

/// Judgement proposals to 关注, each for the next 正常 loan (from the last one back) with
/// nothing pending.
const JUDGEMENTS: [&str; 3] = [
    "主要客户流失，销售回款放缓，建议下调至关注类",
    "实际控制人涉诉，经营稳定性存疑",
    "行业景气下行，现金流覆盖减弱",
];

/// Seeds the restructuring, runs the floor check, decides some proposals, adds judgements.
pub fn seed(store: &mut Store, system: &Actor, as_of: NaiveDate, loans: u64) -> Result<()> {
    let contract = |seq: u64| format!("PL{seq:08}");
    let half = loans / 2;
    let rules = ClassificationRules::default();
    let plan = PlanConfig::defaults().map_err(|e| super::WorkflowError::Invalid(e.to_string()))?;
    let supervisor = identify(store, "wu.hao", None)?;
    let manager = identify(store, "zhao.lei", None)?;
    let restructured_on = as_of.checked_sub_days(Days::new(45)).unwrap_or(as_of);
    let restructured = contract(loans.saturating_sub(2).max(1));
    if store.class_loan(&restructured)?.is_some() {
        flow::record_event(
            store,
            &supervisor,
            false,
            &restructured,
            restructured_on,
            "借款人临时资金困难，经审批延长还款期限并调整还款计划",
            as_of,
        )?;
    }
    let t = std::time::Instant::now();
    flow::classify_book(store, system, &rules, as_of)?;
    tracing::info!(
        "demo classification: classify_book {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let ctx = Decide {
        rules: &rules,
        plan: &plan,
        today: as_of,
    };
    // Two floor proposals decided: history entries with the floor at the time.
    let q = ClassificationQuery {
        below_floor: true,
        ..Default::default()
    };
    let back_half = |no: &str| {
        no.strip_prefix("PL")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n > half)
    };
    let rows = store.classification_page(&q, None, 500)?;
    for row in rows.iter().filter(|r| back_half(&r.contract_no)).take(2) {
        let to = Classification::parse(&row.proposed).unwrap_or(Classification::Loss);
        let who = if to <= Classification::Substandard {
            &supervisor
        } else {
            &manager
        };
        // A refusal (none expected) leaves the proposal pending for the reviewer.
        let _ = flow::approve(
            store,
            who,
            row.proposal_id,
            None,
            "同意按监管底线认定",
            &ctx,
        );
    }
    let mut seq = loans.saturating_sub(3);
    for (i, reason) in JUDGEMENTS.iter().enumerate() {
        let loan = loop {
            if seq <= half {
                return Ok(());
            }
            seq -= 1;
            match store.class_loan(&contract(seq))? {
                Some(l) if l.class == Classification::Pass && !store.has_pending(l.id)? => break l,
                _ => continue,
            }
        };
        let officer = store.loan_officer(loan.id)?;
        let Ok(proposer) = identify(store, &officer, None) else {
            continue;
        };
        let id = flow::propose(
            store,
            &proposer,
            &Proposal {
                contract_no: &loan.contract_no,
                to: Classification::SpecialMention,
                reason,
                basis: Basis::Judgement,
                effective_on: None,
            },
            &rules,
            as_of,
        )?;
        if i == 0 {
            let _ = flow::approve(store, &supervisor, id, None, "同意", &ctx);
        }
    }
    Ok(())
}
