//! The hidden `stress-worker` command of the concurrency test (`tests/concurrency.rs`): one of
//! several processes that work the same loans of a demo book at once through `workflow`, as a
//! person at a screen would (edits carry the version the screen showed), and print a tally.
//!
//! Only a demo book is accepted: the worker writes made-up contacts, causes and proposals.

use crate::domain::classification::ClassificationRules;
use crate::domain::inspection::Section;
use crate::domain::warning::{Level, RiskType, WarningMove, WarningStatus};
use crate::domain::{Classification, ContactKind, ContactRecord, Role};
use crate::engine::inspection_plan::PlanConfig;
use crate::store::{ClassificationQuery, Store};
use crate::workflow::classification::{self, Basis, Decide, Proposal};
use crate::workflow::{self, Actor, WorkflowError};
use chrono::NaiveDate;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `postloan stress-worker --plan FILE --ops N --seed S --worker K` (hidden).
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The loans to work on: a JSON list of `{contract_no, warning, inspection, author}`.
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// Operations to carry out.
    #[arg(long, default_value_t = 100)]
    pub ops: u64,
    /// Seed of the choice of loans and operations.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// This worker's number: it tags the contacts it records.
    #[arg(long, default_value_t = 0)]
    pub worker: u32,
}

/// One loan of the plan: its warning (by id) and its draft inspection (by number) with the
/// report's author, who is also the loan's officer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanLoan {
    pub contract_no: String,
    pub warning: i64,
    pub inspection: String,
    pub author: String,
}

/// What a worker did: accepted operations by kind and by record, refusals by reason.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Tally {
    pub ops: u64,
    pub contacts: u64,
    pub analyses: u64,
    pub moves: u64,
    pub writes: u64,
    pub proposals: u64,
    pub approvals: u64,
    /// Saves refused because the record changed after the worker read it.
    pub stale: u64,
    /// Approvals of a proposal another reviewer decided first.
    pub decided_elsewhere: u64,
    /// Refusals by a business rule or the state machine (not a conflict).
    pub refused: u64,
    /// Refusals by `authorize` other than a reviewer's authority limit: none is expected, the
    /// plan keeps each worker to what their role and the officer rule allow.
    #[serde(default)]
    pub denied: u64,
    /// Times the book was busy and the operation was sent again.
    pub busy_retries: u64,
    /// Operations that failed with the book busy after every retry: what a user would see.
    pub locked_errors: u64,
    /// Accepted edits per warning id and per inspection number (each adds one version).
    pub warning_edits: BTreeMap<i64, u64>,
    pub inspection_edits: BTreeMap<String, u64>,
    /// Proposal ids this worker made and approved.
    pub proposed: Vec<i64>,
    pub approved: Vec<i64>,
    /// Other errors, as said in English (at most a few).
    pub errors: Vec<String>,
}

/// How often an operation that found the book busy is sent again before it counts as a
/// "locked" error shown to the user (each try waits the store's busy timeout first).
const BUSY_RETRIES: u32 = 20;

/// Runs the worker's operations and returns its tally.
pub fn run(
    store: &mut Store,
    actor: &Actor,
    args: &WorkerArgs,
    plan: &[PlanLoan],
    rules: &ClassificationRules,
    plan_config: &PlanConfig,
    lang: crate::i18n::Lang,
) -> anyhow::Result<Tally> {
    if !store.is_demo()? {
        anyhow::bail!("{}", lang.t("stress.demo_only"));
    }
    if plan.is_empty() {
        return Ok(Tally::default());
    }
    let today = store.book_today()?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut tally = Tally::default();
    // The versions "on screen": read once, kept until a save is refused as stale.
    let mut seen: BTreeMap<String, i64> = BTreeMap::new();
    let decide = Decide {
        rules,
        plan: plan_config,
        today,
    };
    let reviewer = matches!(actor.role, Role::Supervisor | Role::Manager);
    let mine: Vec<&PlanLoan> = plan.iter().filter(|p| p.author == actor.username).collect();
    for n in 0..args.ops {
        tally.ops += 1;
        let loan = &plan[rng.random_range(0..plan.len())];
        let kind = rng.random_range(0..5u8);
        // A screen is reloaded now and then (moving around), else it shows what it showed.
        if rng.random_bool(0.05) {
            seen.clear();
        }
        let mut tries = 0;
        loop {
            let r = one(
                store,
                actor,
                Op {
                    kind,
                    reviewer,
                    loan,
                    mine: &mine,
                    n,
                    worker: args.worker,
                    pick: rng.random_range(0..1000),
                },
                today,
                &decide,
                &mut seen,
                &mut tally,
            );
            match r {
                Err(e) if e.is_busy() && tries < BUSY_RETRIES => {
                    tries += 1;
                    tally.busy_retries += 1;
                }
                Err(e) if e.is_busy() => {
                    tally.locked_errors += 1;
                    break;
                }
                Err(WorkflowError::Stale { .. }) => {
                    // `one` forgot the version it had: the next look reads the record again.
                    tally.stale += 1;
                    break;
                }
                Err(WorkflowError::Rule {
                    key: "classification_err.not_pending",
                    ..
                }) => {
                    tally.decided_elsewhere += 1;
                    break;
                }
                Err(
                    WorkflowError::Rule { .. }
                    | WorkflowError::Move(_)
                    | WorkflowError::Closed { .. }
                    | WorkflowError::Inspection(_),
                ) => {
                    tally.refused += 1;
                    break;
                }
                // A reviewer's approval above their authority (an NPL upgrade is the
                // manager's) is a business rule like any other.
                Err(WorkflowError::Denied { .. }) if reviewer && kind >= 3 => {
                    tally.refused += 1;
                    break;
                }
                Err(WorkflowError::Denied { .. }) => {
                    tally.denied += 1;
                    break;
                }
                Err(e) => {
                    if tally.errors.len() < 5 {
                        tally.errors.push(e.to_string());
                    }
                    break;
                }
                Ok(()) => break,
            }
        }
    }
    Ok(tally)
}

/// One operation's choice.
struct Op<'a> {
    kind: u8,
    reviewer: bool,
    loan: &'a PlanLoan,
    mine: &'a [&'a PlanLoan],
    n: u64,
    worker: u32,
    pick: usize,
}

/// Carries out one operation, counting it when accepted.
fn one(
    store: &mut Store,
    actor: &Actor,
    op: Op<'_>,
    today: NaiveDate,
    decide: &Decide<'_>,
    seen: &mut BTreeMap<String, i64>,
    tally: &mut Tally,
) -> workflow::Result<()> {
    let loan = op.loan;
    match (op.kind, op.reviewer) {
        (0, _) => {
            let rec = ContactRecord {
                contract_no: loan.contract_no.clone(),
                contact_on: today,
                kind: ContactKind::Call,
                notes: format!("stress w{} #{}", op.worker, op.n),
            };
            workflow::tracking::record_contact(store, actor, &rec, today)?;
            tally.contacts += 1;
        }
        (1, _) | (2, _) => {
            // A specialist moves only the warnings of the loans they look after (the officer
            // rule); a reviewer any of them.
            let loan = if op.reviewer {
                loan
            } else {
                match op.mine.get(op.pick % op.mine.len().max(1)) {
                    Some(own) => *own,
                    None => return Ok(()),
                }
            };
            let key = format!("w{}", loan.warning);
            let (version, status) = match store.warning(loan.warning)? {
                Some(w) => (*seen.entry(key.clone()).or_insert(w.version), w.row.status),
                None => return Ok(()),
            };
            // A warning past its moves (in disposal) gets its cause analysed instead.
            let r = if op.kind == 1 || status == WarningStatus::InDisposal {
                let cause = format!("stress cause w{} #{}", op.worker, op.n);
                workflow::warning::analyse(
                    store,
                    actor,
                    loan.warning,
                    Some(version),
                    &cause,
                    RiskType::Credit,
                    Level::Yellow,
                    today,
                )
                .map(|()| tally.analyses += 1)
            } else {
                let mv = if status == WarningStatus::Open {
                    WarningMove::Acknowledge
                } else {
                    WarningMove::StartDisposal
                };
                workflow::warning::move_warning(
                    store,
                    actor,
                    loan.warning,
                    Some(version),
                    mv,
                    "",
                    today,
                )
                .map(|_| tally.moves += 1)
            };
            forget_if_stale(&r, seen, &key);
            r?;
            seen.insert(key, version + 1);
            *tally.warning_edits.entry(loan.warning).or_default() += 1;
        }
        (3, false) => {
            // A report is written by its author: a specialist edits one of theirs.
            let Some(own) = op.mine.get(op.pick % op.mine.len().max(1)) else {
                return Ok(());
            };
            let key = format!("i{}", own.inspection);
            let Some(ins) = store.inspection_by_number(&own.inspection)? else {
                return Ok(());
            };
            let version = *seen.entry(key.clone()).or_insert(ins.row.version);
            let text = format!("stress facts w{} #{}", op.worker, op.n);
            let r = workflow::inspection::write_section(
                store,
                actor,
                &own.inspection,
                Some(version),
                Section::Facts,
                &text,
            );
            forget_if_stale(&r, seen, &key);
            r?;
            seen.insert(key, version + 1);
            tally.writes += 1;
            *tally
                .inspection_edits
                .entry(own.inspection.clone())
                .or_default() += 1;
        }
        (4, false) => {
            let Some(current) = store.class_loan(&loan.contract_no)? else {
                return Ok(());
            };
            let to = if current.class == Classification::Pass {
                Classification::SpecialMention
            } else {
                Classification::Pass
            };
            let p = Proposal {
                contract_no: &loan.contract_no,
                to,
                reason: "stress",
                basis: Basis::Judgement,
                effective_on: None,
            };
            let id = classification::propose(store, actor, &p, decide.rules, today)?;
            tally.proposals += 1;
            tally.proposed.push(id);
        }
        (_, true) => {
            // A reviewer decides a pending proposal from the list on their screen.
            let q = ClassificationQuery {
                pending: true,
                ..ClassificationQuery::default()
            };
            let rows = store.classification_page(&q, None, 20)?;
            let Some(row) = rows.get(op.pick % rows.len().max(1)) else {
                return Ok(());
            };
            let id = row.proposal_id;
            classification::approve(store, actor, id, Some(row.version), "stress", decide)?;
            tally.approvals += 1;
            tally.approved.push(id);
        }
        _ => {}
    }
    Ok(())
}

/// A save refused as stale: the screen reloads that record before its next edit.
fn forget_if_stale<T>(r: &workflow::Result<T>, seen: &mut BTreeMap<String, i64>, key: &str) {
    if matches!(r, Err(WorkflowError::Stale { .. })) {
        seen.remove(key);
    }
}
