//! The demo book's inspections: a history for every loan (so a few are overdue, not all),
//! the plan derived from it, and worked examples in every state — drafts, submitted ones
//! (one waiting for a manager's second approval), a returned one with its comment, approved
//! ones and an amendment — written through the same commands a user runs.

use super::inspection::{self as flow, StartInspection};
use super::inspection_checklist::ItemPoints;
use super::{Actor, Result, identify};
use crate::demo::inspections as text;
use crate::domain::Classification;
use crate::domain::checklist::Checklist;
use crate::domain::inspection::{InspectionKind, InspectionMode, Measure, MeasureEntry, Section};
use crate::engine::inspection_plan::PlanConfig;
use crate::i18n::Lang;
use crate::store::{DoneInspection, SeedLoan, Store};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

/// Worked examples: this many loans, spread over the book.
const EXAMPLES: usize = 12;

/// Seeds the history, derives the plan, writes the worked examples, derives the plan again.
pub fn seed(store: &mut Store, system: &Actor, as_of: NaiveDate) -> Result<()> {
    let cfg = PlanConfig::defaults().map_err(|e| super::WorkflowError::Invalid(e.to_string()))?;
    let checklist = crate::config::Config::defaults()
        .checklist()
        .map_err(|e| super::WorkflowError::Invalid(e.to_string()))?;
    let t = std::time::Instant::now();
    let lap = |what: &str| {
        tracing::info!(
            "demo inspections: {what} at {:.2} s",
            t.elapsed().as_secs_f64()
        )
    };
    let loans: Vec<SeedLoan> = store.write(|tx| -> Result<Vec<SeedLoan>> {
        let loans = tx.seed_loans()?;
        let mut done = Vec::new();
        for (i, l) in loans.iter().enumerate() {
            // The worked examples keep their first inspection for the plan to show.
            if i % (loans.len() / EXAMPLES).max(1) == 0
                && i / (loans.len() / EXAMPLES).max(1) < EXAMPLES
            {
                continue;
            }
            let Some((first, last)) = text::history(l.id, l.disbursed_on, l.class, as_of) else {
                continue;
            };
            done.push(DoneInspection {
                loan_id: l.id,
                kind: InspectionKind::First,
                inspected_on: first,
                author: &l.officer,
                reviewer: "sun.tao",
            });
            if let Some(last) = last {
                done.push(DoneInspection {
                    loan_id: l.id,
                    kind: InspectionKind::Routine,
                    inspected_on: last,
                    author: &l.officer,
                    reviewer: "wu.hao",
                });
            }
        }
        tx.insert_done_inspections(&done, &system.username)?;
        Ok(loans)
    })?;
    let planner = Actor {
        role: crate::domain::Role::Manager,
        ..system.clone()
    };
    lap("history");
    flow::plan_book(store, &planner, &cfg)?;
    lap("first plan");
    let step = (loans.len() / EXAMPLES).max(1);
    let examples: Vec<&SeedLoan> = loans.iter().step_by(step).take(EXAMPLES).collect();
    for (i, l) in examples.iter().enumerate() {
        example(store, &cfg, &checklist, l, i, as_of)?;
    }
    lap("examples");
    triggered(store, as_of)?;
    lap("triggered");
    // The examples approve inspections (each moves its loan's next due date) and a weak
    // checklist raises a warning (a signal the plan answers with a triggered row): derive the
    // plan last, as the nightly batch would, so a fresh book's first `inspections plan` has
    // nothing to do.
    flow::plan_book(store, &planner, &cfg)?;
    lap("second plan");
    Ok(())
}

/// A triggered inspection answering the oldest red warning, written and submitted.
fn triggered(store: &mut Store, as_of: NaiveDate) -> Result<()> {
    let q = crate::store::WarningQuery {
        level: Some(crate::domain::warning::Level::Red),
        ..Default::default()
    };
    let Some(w) = store
        .warning_page(&q, &crate::store::PageFrom::Start, 1)?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    let Ok(author) = identify(store, &w.officer, None) else {
        return Ok(());
    };
    let number = flow::start(
        store,
        &author,
        &StartInspection {
            contract_no: &w.contract_no,
            kind: InspectionKind::Triggered,
            mode: InspectionMode::Onsite,
            warnings: std::slice::from_ref(&w.number),
            focus: text::TRIGGERED_FOCUS,
            inspected_on: Some(as_of),
            inspectors: &w.officer,
        },
        as_of,
    )?;
    let facts = text::section_text(Section::Facts, &w.borrower_name, as_of);
    flow::write_section(store, &author, &number, None, Section::Facts, &facts)?;
    flow::write_section(
        store,
        &author,
        &number,
        None,
        Section::Conclusion,
        text::TRIGGERED_CONCLUSION,
    )?;
    flow::add_measure(
        store,
        &author,
        &number,
        None,
        &MeasureEntry {
            measure: Measure::StopCredit,
            deadline: None,
            owner: Some(w.officer.clone()),
            note: String::new(),
        },
    )?;
    Ok(())
}

/// Points per item of the shipped checklist (its order), for a sound borrower, an ordinary
/// one and a weak one (52.5: below the line of 60).
const SOUND: [&str; 8] = ["18", "13", "12", "13.5", "14", "5", "10", "4.5"];
const ORDINARY: [&str; 8] = ["16", "12", "10", "11", "12", "4", "8", "4"];
const WEAK: [&str; 8] = ["10", "8", "6", "7.5", "9", "3", "5", "4"];

/// Scores every item of example `i`'s checklist: example 8 (approved) is weak, so the demo
/// shows the warning a low score raises; the others sound or ordinary. An item the shipped
/// list does not have gets half its weight.
fn score(
    store: &mut Store,
    author: &Actor,
    number: &str,
    checklist: &Checklist,
    i: usize,
) -> Result<()> {
    let table = match i {
        8 => &WEAK,
        _ if i.is_multiple_of(2) => &SOUND,
        _ => &ORDINARY,
    };
    let items: Vec<ItemPoints> = checklist
        .items
        .iter()
        .enumerate()
        .map(|(k, item)| ItemPoints {
            code: item.code.clone(),
            points: Some(
                table
                    .get(k)
                    .and_then(|p| p.parse::<Decimal>().ok())
                    .filter(|p| *p <= Decimal::from(item.weight))
                    .unwrap_or_else(|| Decimal::from(item.weight / 2))
                    .to_string(),
            ),
        })
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    super::inspection_checklist::score(store, author, number, None, &items, checklist)?;
    Ok(())
}

/// One worked example; `i` chooses where it stops.
#[allow(clippy::too_many_arguments)]
fn example(
    store: &mut Store,
    cfg: &PlanConfig,
    checklist: &Checklist,
    l: &SeedLoan,
    i: usize,
    as_of: NaiveDate,
) -> Result<()> {
    let Ok(author) = identify(store, &l.officer, None) else {
        return Ok(());
    };
    let sup = identify(store, "sun.tao", None)?;
    let boss = identify(store, "zhao.lei", None)?;
    // 0, 1: left planned (the plan's own rows).
    if i < 2 {
        return Ok(());
    }
    let day = as_of
        .checked_sub_days(Days::new(2 + (i as u64 % 5)))
        .unwrap_or(as_of);
    let number = flow::start(
        store,
        &author,
        &StartInspection {
            contract_no: &l.contract_no,
            kind: InspectionKind::First,
            mode: if i.is_multiple_of(2) {
                InspectionMode::Onsite
            } else {
                InspectionMode::Offsite
            },
            warnings: &[],
            focus: "贷款用途及经营情况",
            inspected_on: Some(day),
            inspectors: &format!("{}、{}", l.officer, "wang.fang"),
        },
        as_of,
    )?;
    // 2: a draft with two sections written; 3: a draft with most.
    let sections: &[Section] = if i == 2 {
        &[Section::Facts, Section::Borrower]
    } else {
        Section::ALL
    };
    for s in sections {
        flow::write_section(
            store,
            &author,
            &number,
            None,
            *s,
            &text::section_text(*s, &l.borrower_name, day),
        )?;
    }
    if i <= 3 {
        return Ok(());
    }
    flow::add_measure(
        store,
        &author,
        &number,
        None,
        &MeasureEntry {
            measure: Measure::Paperwork,
            deadline: day.checked_add_days(Days::new(30)),
            owner: Some(l.officer.clone()),
            note: "抵押物保险续保".into(),
        },
    )?;
    if i.is_multiple_of(3) {
        flow::add_measure(
            store,
            &author,
            &number,
            None,
            &MeasureEntry {
                measure: Measure::AddCollateral,
                deadline: day.checked_add_days(Days::new(60)),
                owner: Some(l.officer.clone()),
                note: "追加实际控制人个人连带责任保证".into(),
            },
        )?;
    }
    flow::propose_class(
        store,
        &author,
        &number,
        None,
        l.class.max(Classification::Pass),
    )?;
    score(store, &author, &number, checklist, i)?;
    flow::submit(store, &author, &number, None, cfg, as_of)?;
    // 4, 5: submitted, waiting for review.
    if i <= 5 {
        return Ok(());
    }
    // 6: returned with a comment.
    if i == 6 {
        return flow::return_report(store, &sup, &number, None, text::RETURN_COMMENT, as_of);
    }
    let first = flow::approve(
        store,
        &sup,
        &number,
        None,
        "同意检查结论。",
        as_of,
        Lang::ZhCn,
        checklist,
    )?;
    if first == flow::Approval::AwaitsSecond && i.is_multiple_of(2) {
        flow::approve(
            store,
            &boss,
            &number,
            None,
            "同意。",
            as_of,
            Lang::ZhCn,
            checklist,
        )?;
    }
    // 9: an approved report with an amendment under way.
    if i == 9
        && store
            .inspection_by_number(&number)?
            .is_some_and(|x| x.row.status == crate::domain::inspection::InspectionStatus::Approved)
    {
        flow::amend(store, &author, &number, None, text::AMEND_REASON, as_of)?;
        flow::write_section(
            store,
            &author,
            &number,
            None,
            Section::Facts,
            &text::section_text(
                Section::Facts,
                &l.borrower_name,
                day.pred_opt().unwrap_or(day),
            ),
        )?;
    }
    Ok(())
}
