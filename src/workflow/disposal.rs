//! Step 5, disposal: one risk case per borrower gathering its open warnings, plans by level
//! (explanation, rectification with maker-checker approval and its notice, emergency), actions
//! to their deadlines, progress reports, the nightly escalation, and closing with a reason.
//!
//! Choices made here:
//! - Grouping runs inside the commands that raise warnings (the book evaluation, one loan's
//!   re-evaluation, a manual warning): it is their step, authorized by them.
//! - A level rise asks for a classification review by dating it on the case
//!   (`class_review_on`); supervisors' Today lists cases whose loans have had no class decision
//!   since ([`crate::store::Store::class_reviews_due`]). A rise by a worse signal is answered by
//!   that signal's own triggered inspection (the nightly plan reads orange and red warnings);
//!   a rise by escalation plans one on the case's largest loan here.
//! - The case level rises with its warnings and with escalation; it never falls by itself.

use super::{Actor, Command, Result, Subject, WorkflowError};
use crate::domain::TrackingFrequency;
use crate::domain::disposal::{
    ActionKind, ActionMove, ActionStatus, CaseStatus, DisposalMoveError, PlanKind, PlanMove,
    PlanStatus,
};
use crate::domain::inspection::{InspectionKind, Measure};
use crate::domain::legal::LegalClockRules;
use crate::domain::text::{as_given_lines, is_blank, sanitize};
use crate::domain::warning::Level;
use crate::engine::inspection_plan::{PlanConfig, PlanFacts};
use crate::i18n::Lang;
use crate::store::{
    CaseState, EscalationReport, GroupReport, NewAction, PlanRow, RaisedCase, Store, Tx,
};
use chrono::{Days, NaiveDate};
use serde_json::json;

/// `[disposal]` as the workflow uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisposalSettings {
    pub explanation_days: u32,
    pub rectification_days: u32,
    pub emergency_days: u32,
    /// A case with an explanation requested follows its loans at least this often.
    pub yellow_tracking: TrackingFrequency,
    /// An open orange case follows its loans at least this often.
    pub orange_tracking: TrackingFrequency,
    /// An open red case follows its loans at least this often.
    pub red_tracking: TrackingFrequency,
}

impl Default for DisposalSettings {
    fn default() -> Self {
        DisposalSettings {
            explanation_days: 15,
            rectification_days: 90,
            emergency_days: 30,
            yellow_tracking: TrackingFrequency::Monthly,
            orange_tracking: TrackingFrequency::Monthly,
            red_tracking: TrackingFrequency::Monthly,
        }
    }
}

impl DisposalSettings {
    /// A plan's default due date from `today`.
    pub fn due(&self, kind: PlanKind, today: NaiveDate) -> NaiveDate {
        let days = match kind {
            PlanKind::Explanation => self.explanation_days,
            PlanKind::Rectification => self.rectification_days,
            PlanKind::Emergency => self.emergency_days,
        };
        today
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(today)
    }
}

/// A translation key as a refusal's argument, said in the reader's language.
fn key(k: &str) -> String {
    format!("@{k}")
}

fn wrong_state(e: DisposalMoveError) -> WorkflowError {
    WorkflowError::Disposal(e)
}

/// Text a user typed for `field`: control characters gone, lines kept; empty is refused.
fn required(text: &str, field: &str) -> Result<String> {
    let t = as_given_lines(text);
    if is_blank(&t) {
        return Err(WorkflowError::rule(
            "disposal_err.empty",
            &[("field", &key(&format!("disposal_field.{field}")))],
        ));
    }
    Ok(t.trim().to_string())
}

/// A date that may not lie before `today` (a deadline, a due date).
fn not_past(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    if date < today {
        return Err(WorkflowError::rule(
            "disposal_err.date_past",
            &[("date", &date), ("today", &today)],
        ));
    }
    Ok(date)
}

/// The nightly check's day: a day after today is refused unless `force` (as `evaluate`).
pub fn check_escalation_date(as_of: NaiveDate, today: NaiveDate, force: bool) -> Result<()> {
    if as_of > today && !force {
        return Err(WorkflowError::rule(
            "disposal_err.escalate_future",
            &[("date", &as_of), ("today", &today)],
        ));
    }
    Ok(())
}

/// The case `number`, open, at the version the screen showed.
fn open_case(tx: &Tx<'_>, number: &str, expected: Option<i64>) -> Result<CaseState> {
    let c = tx
        .case_state(number)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "case",
            key: number.trim().to_string(),
        })?;
    super::check_version(&c.number, expected, c.version, &c.updated_by, &c.updated_at)?;
    if c.status != CaseStatus::Open {
        return Err(WorkflowError::rule(
            "disposal_err.case_closed",
            &[("number", &c.number)],
        ));
    }
    Ok(c)
}

/// A read-only pre-check before a screen opens a form on case `d` (the command checks again
/// when it is sent): may `actor` do `command` on it? The same rule as the command's
/// ([`case_rule`]), with the case's loans' officers as the screen read them; `owner`: the
/// owner of the action acted on.
pub fn may_on_case(
    actor: &Actor,
    command: Command,
    d: &crate::store::CaseDetail,
    owner: Option<&str>,
) -> Result<()> {
    case_rule(
        actor,
        command,
        &d.case.number,
        &d.case.officer,
        owner,
        || Ok(d.loans.iter().map(|l| l.officer.clone()).collect()),
    )
}

/// May `actor` do `command` on case `c`? A specialist only on a case of theirs: its officer,
/// the officer of one of its loans, or `owner`, the owner of the action acted on.
fn authorize_case(
    tx: &mut Tx<'_>,
    actor: &Actor,
    command: Command,
    c: &CaseState,
    owner: Option<&str>,
) -> Result<()> {
    case_rule(actor, command, &c.number, &c.officer, owner, || {
        Ok(tx.case_loan_officers(c.id)?)
    })
}

/// The one rule for a case (the command's and the screen's pre-check): a specialist is also
/// allowed by the officers of the case's loans (`loan_officers`, read only for a specialist)
/// and by `owner`; everyone else as [`Actor::authorize`] says.
fn case_rule(
    actor: &Actor,
    command: Command,
    number: &str,
    officer: &str,
    owner: Option<&str>,
    loan_officers: impl FnOnce() -> Result<Vec<String>>,
) -> Result<()> {
    let mut also = Vec::new();
    if actor.role == crate::domain::Role::Specialist && !actor.system {
        also = loan_officers()?;
        also.extend(owner.map(str::to_string));
    }
    actor.authorize(command, &Subject::case_of(number, officer, &also))
}

/// The plan `id` of the case, or the case's latest plan of `kinds` in `statuses`.
fn pick_plan(
    tx: &Tx<'_>,
    c: &CaseState,
    id: Option<i64>,
    kinds: &[PlanKind],
    statuses: &[PlanStatus],
) -> Result<PlanRow> {
    let found = match id {
        Some(id) => tx.plan(id)?.filter(|p| p.case_id == c.id),
        None => {
            let mut best: Option<PlanRow> = None;
            for k in kinds {
                if let Some(p) = tx.latest_plan(c.id, Some(*k), statuses)?
                    && best.as_ref().is_none_or(|b| b.id < p.id)
                {
                    best = Some(p);
                }
            }
            if best.is_none() {
                // None in the step's state: the latest plan of the kinds says what to do.
                let mut latest: Option<PlanRow> = None;
                for k in kinds {
                    if let Some(p) = tx.latest_plan(c.id, Some(*k), PlanStatus::ALL)?
                        && latest.as_ref().is_none_or(|b| b.id < p.id)
                    {
                        latest = Some(p);
                    }
                }
                if let Some(p) = latest {
                    return Err(plan_not_ready(&c.number, &p, statuses));
                }
            }
            best
        }
    };
    if let Some(p) = &found
        && !statuses.contains(&p.status)
        && p.status == PlanStatus::Draft
    {
        return Err(plan_not_ready(&c.number, p, statuses));
    }
    found.ok_or_else(|| no_plan(&c.number, id, kinds))
}

/// Case `number` has no plan `id` (or none of `kinds`).
fn no_plan(number: &str, id: Option<i64>, kinds: &[PlanKind]) -> WorkflowError {
    WorkflowError::rule(
        "disposal_err.no_plan",
        &[
            ("number", &number),
            (
                "which",
                &id.map(|i| format!("#{i}")).unwrap_or_else(|| {
                    key(&kinds
                        .iter()
                        .map(|k| format!("plan_kind.{}", k.code()))
                        .collect::<Vec<_>>()
                        .join("/"))
                }),
            ),
        ],
    )
}

/// The plan a step needing one of `kinds` in `statuses` would take, from case `number`'s
/// `plans` as a screen read them (oldest first), or the step's own refusal, as [`pick_plan`]
/// gives it: a draft is to be submitted first, another state is named, no plan is said.
/// A screen asks this before it opens the step's form; the command judges again when sent.
pub fn plan_for<'a>(
    number: &str,
    plans: &'a [PlanRow],
    kinds: &[PlanKind],
    statuses: &[PlanStatus],
) -> Result<&'a PlanRow> {
    let of_kind = || plans.iter().rev().filter(|p| kinds.contains(&p.kind));
    if let Some(p) = of_kind().find(|p| statuses.contains(&p.status)) {
        return Ok(p);
    }
    match of_kind().next() {
        Some(p) => Err(plan_not_ready(number, p, statuses)),
        None => Err(no_plan(number, None, kinds)),
    }
}

/// Why plan `p` of case `number` is not one a step needing `statuses` can take: a draft is to be
/// submitted first; any other state is named beside the states the step needs.
fn plan_not_ready(number: &str, p: &PlanRow, statuses: &[PlanStatus]) -> WorkflowError {
    if p.status == PlanStatus::Draft && statuses.contains(&PlanStatus::Submitted) {
        return WorkflowError::rule(
            "disposal_err.plan_draft",
            &[("id", &p.id), ("number", &number)],
        );
    }
    WorkflowError::rule(
        "disposal_err.plan_not_ready",
        &[
            ("id", &p.id),
            ("number", &number),
            ("kind", &key(&format!("plan_kind.{}", p.kind.code()))),
            ("status", &key(&format!("plan_status.{}", p.status.code()))),
            (
                "needs",
                &key(&statuses
                    .iter()
                    .map(|s| format!("plan_status.{}", s.code()))
                    .collect::<Vec<_>>()
                    .join("/")),
            ),
        ],
    )
}

/// Groups open warnings into cases (see [`Tx::group_warnings`]), a step of the command that
/// raised them. The book-wide run (`borrower` None, the evaluation) writes an audit row when
/// anything changed; one borrower's grouping inside a raise is recorded in the case history
/// (append-only, with the actor) under the raise's own audit row.
pub fn group_in(
    tx: &mut Tx<'_>,
    actor: &str,
    as_of: NaiveDate,
    borrower: Option<i64>,
) -> Result<GroupReport> {
    let report = tx.group_warnings(as_of, borrower, actor)?;
    // Every grouping that wrote gets its entry (one borrower's too: the entry seals the
    // cases it opened or raised and the warnings it joined).
    if report.opened > 0 || report.joined > 0 || !report.raised.is_empty() {
        let (entity, key) = match borrower {
            Some(b) => ("borrower", b.to_string()),
            None => ("book", as_of.to_string()),
        };
        tx.audit(actor, "cases.group", entity, &key, &json!(report))?;
    }
    Ok(report)
}

/// Groups the warnings of a loan's borrower (after one loan's warnings changed).
pub fn group_loan_in(
    tx: &mut Tx<'_>,
    actor: &str,
    loan_id: i64,
    as_of: NaiveDate,
) -> Result<GroupReport> {
    match tx.borrower_of_loan(loan_id)? {
        // Its entries seal what it writes; the calling command's rows wait for the command's.
        Some(b) => tx.nested(|tx| group_in(tx, actor, as_of, Some(b))),
        None => Ok(GroupReport::default()),
    }
}

/// Cases whose triggered inspections are planned together (a few reads and one plan write
/// per chunk).
const PLAN_CHUNK: usize = 500;

/// Plans a triggered inspection on the largest loan of each case raised by escalation,
/// through the inspection plan as an orange or red warning does, a chunk of cases at a time.
/// Returns (case number, due date) of those planned, in the cases' order.
fn plan_inspections_for(
    tx: &mut Tx<'_>,
    raised: &[RaisedCase],
    on: NaiveDate,
    cfg: &PlanConfig,
    actor: &str,
) -> Result<Vec<(String, NaiveDate)>> {
    let mut planned = Vec::new();
    for chunk in raised.chunks(PLAN_CHUNK) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        let primary = tx.case_primary_loans(&ids)?;
        let mut case_of = std::collections::HashMap::with_capacity(chunk.len());
        let mut loan_ids = Vec::with_capacity(chunk.len());
        for r in chunk {
            if let Some(loan_id) = primary.get(&r.id) {
                case_of.insert(*loan_id, r.number.as_str());
                loan_ids.push(*loan_id);
            }
        }
        let mut loans = tx.plan_loans(&loan_ids)?;
        let mut dues = Vec::with_capacity(loans.len());
        for l in &mut loans {
            l.signal_on = Some(l.signal_on.map_or(on, |s| s.min(on)));
            let due = cfg.due(&PlanFacts {
                disbursed_on: l.disbursed_on,
                class: l.class,
                first_done: l.first_done,
                last_done_on: l.last_done_on,
                signal_on: l.signal_on,
            });
            let triggered = due
                .iter()
                .find(|(k, _)| *k == InspectionKind::Triggered)
                .map(|(_, d)| *d);
            if let (Some(d), Some(number)) = (triggered, case_of.get(&l.loan_id)) {
                planned.push(((*number).to_string(), d));
            }
            dues.push(due);
        }
        tx.write_plan(&loans, &dues, actor)?;
    }
    Ok(planned)
}

/// The nightly check on `as_of` (see [`Tx::escalate`]); cases raised by it get a triggered
/// inspection when `plan` is given. Supervisors, managers and the system run it.
pub fn escalate(
    store: &mut Store,
    actor: &Actor,
    as_of: NaiveDate,
    plan: Option<&PlanConfig>,
) -> Result<EscalationReport> {
    super::execute(store, actor, |tx| escalate_in(tx, actor, as_of, None, plan))
}

/// [`escalate`] in the caller's transaction; `only`: one case.
pub fn escalate_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    as_of: NaiveDate,
    only: Option<i64>,
    plan: Option<&PlanConfig>,
) -> Result<EscalationReport> {
    super::authorize_in(tx, actor, Command::EscalateCases, &Subject::NONE)?;
    escalate_step(tx, &actor.username, as_of, only, plan)
}

/// Escalation as a step of another command (a supervisor's "failed" escalates at once).
fn escalate_step(
    tx: &mut Tx<'_>,
    actor: &str,
    as_of: NaiveDate,
    only: Option<i64>,
    plan: Option<&PlanConfig>,
) -> Result<EscalationReport> {
    let report = tx.escalate(as_of, only, actor)?;
    let inspections = match plan {
        Some(cfg) => plan_inspections_for(tx, &report.raised, as_of, cfg, actor)?,
        None => Vec::new(),
    };
    if !report.plans_failed.is_empty() || !report.escalated.is_empty() {
        tx.audit(
            actor,
            "cases.escalate",
            "book",
            &as_of.to_string(),
            &json!({"report": report, "raised": raised_json(&report.raised),
                    "inspections": inspections}),
        )?;
    }
    Ok(report)
}

fn raised_json(raised: &[RaisedCase]) -> serde_json::Value {
    json!(raised)
}

/// Tightens the tracking of the loans of open orange and red cases (`only`: one case) to
/// their level's frequency in `settings`, as an explanation request does for yellow, with a
/// `tracking_tightened` event on each case. Returns (case number, contracts) per case.
fn tighten_by_level_step(
    tx: &mut Tx<'_>,
    actor: &str,
    settings: &DisposalSettings,
    on: NaiveDate,
    only: Option<i64>,
) -> Result<Vec<(String, Vec<String>)>> {
    let rows =
        tx.tighten_tracking_by_level(settings.orange_tracking, settings.red_tracking, only)?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let (case_id, ref freq) = (rows[i].case_id, rows[i].tightened.clone());
        let mut contracts = Vec::new();
        while i < rows.len() && rows[i].case_id == case_id && rows[i].tightened == *freq {
            contracts.push(rows[i].contract_no.clone());
            i += 1;
        }
        tx.case_event(
            case_id,
            on,
            actor,
            "tracking_tightened",
            freq,
            &contracts.join(", "),
        )?;
        out.push((tx.case_number_of(case_id)?, contracts));
    }
    Ok(out)
}

/// The book-wide run of [`tighten_by_level_step`] after the evaluation or the nightly
/// escalation, by whoever may run the escalation; one audit row when anything changed.
pub fn tighten_by_level(
    store: &mut Store,
    actor: &Actor,
    settings: &DisposalSettings,
    on: NaiveDate,
) -> Result<Vec<(String, Vec<String>)>> {
    super::execute(store, actor, |tx| {
        super::authorize_in(tx, actor, Command::EscalateCases, &Subject::NONE)?;
        let done = tighten_by_level_step(tx, &actor.username, settings, on, None)?;
        if !done.is_empty() {
            tx.audit(
                &actor.username,
                "cases.tighten_tracking",
                "book",
                &on.to_string(),
                &json!({"tightened": done}),
            )?;
        }
        Ok(done)
    })
}

/// A plan to make.
#[derive(Debug, Clone)]
pub struct NewPlan<'a> {
    pub case: &'a str,
    pub kind: PlanKind,
    pub summary: &'a str,
    /// Default: today plus the configured days of the kind.
    pub due: Option<NaiveDate>,
    pub expected_version: Option<i64>,
}

/// Makes a plan: an explanation request (in force at once; the case's loans are followed
/// more often until the case closes), or a draft rectification or emergency plan. Returns
/// the plan's id.
pub fn plan(
    store: &mut Store,
    actor: &Actor,
    p: &NewPlan<'_>,
    settings: &DisposalSettings,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| plan_in(tx, actor, p, settings, today))
}

/// [`plan`] in the caller's transaction.
pub fn plan_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    p: &NewPlan<'_>,
    settings: &DisposalSettings,
    today: NaiveDate,
) -> Result<i64> {
    let command = match p.kind {
        PlanKind::Emergency => Command::ProposeEmergency,
        _ => Command::WorkCase,
    };
    super::authorize_in(tx, actor, command, &Subject::NONE)?;
    let c = open_case(tx, p.case, p.expected_version)?;
    authorize_case(tx, actor, command, &c, None)?;
    let summary = required(p.summary, "summary")?;
    if p.kind > PlanKind::for_level(c.level) {
        return Err(WorkflowError::rule(
            "disposal_err.kind_above_level",
            &[
                ("kind", &key(&format!("plan_kind.{}", p.kind.code()))),
                ("number", &c.number),
                ("level", &key(&format!("level.{}", c.level.code()))),
            ],
        ));
    }
    let open: Vec<PlanStatus> = PlanStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    if let Some(other) = tx.latest_plan(c.id, Some(p.kind), &open)? {
        return Err(WorkflowError::rule(
            "disposal_err.plan_open",
            &[
                ("kind", &key(&format!("plan_kind.{}", p.kind.code()))),
                ("id", &other.id),
                (
                    "status",
                    &key(&format!("plan_status.{}", other.status.code())),
                ),
            ],
        ));
    }
    let due = not_past(p.due.unwrap_or(settings.due(p.kind, today)), today)?;
    let status = p.kind.initial_status();
    let id = tx.insert_plan(c.id, p.kind, status, &summary, Some(due), &actor.username)?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "plan_created",
        &id.to_string(),
        p.kind.code(),
    )?;
    let mut tightened = Vec::new();
    if p.kind == PlanKind::Explanation {
        tightened = tx.tighten_tracking(c.id, settings.yellow_tracking)?;
        if !tightened.is_empty() {
            tx.case_event(
                c.id,
                today,
                &actor.username,
                "tracking_tightened",
                settings.yellow_tracking.code(),
                &tightened.join(", "),
            )?;
        }
    }
    // An orange or red case follows its loans at its level's frequency.
    for (_, contracts) in tighten_by_level_step(tx, &actor.username, settings, today, Some(c.id))? {
        tightened.extend(contracts);
    }
    tx.refresh_case_deadline(c.id)?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        "disposal.plan",
        "case",
        &c.number,
        &json!({"plan": id, "kind": p.kind.code(), "status": status.code(), "summary": summary,
                "due_on": due.to_string(), "tracking_tightened": tightened}),
    )?;
    Ok(id)
}

/// Which decision on a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Submits a draft rectification or emergency plan for approval.
pub fn submit(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    expected_version: Option<i64>,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| {
        submit_in(tx, actor, case, plan_id, expected_version, today)
    })
}

/// [`submit`] in the caller's transaction; `expected_version` is the plan's.
pub fn submit_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    expected_version: Option<i64>,
    today: NaiveDate,
) -> Result<i64> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let c = open_case(tx, case, None)?;
    authorize_case(tx, actor, Command::WorkCase, &c, None)?;
    let p = pick_plan(
        tx,
        &c,
        plan_id,
        &[PlanKind::Rectification, PlanKind::Emergency],
        &[PlanStatus::Draft],
    )?;
    if p.kind == PlanKind::Emergency {
        super::authorize_in(tx, actor, Command::ProposeEmergency, &Subject::NONE)?;
    }
    has_measures(tx, &c, &p)?;
    let version = super::check_version(
        &format!("{} #{}", c.number, p.id),
        expected_version,
        p.version,
        &p.updated_by,
        &p.updated_at,
    )?;
    let to = PlanMove::Submit
        .check(p.kind, p.status)
        .map_err(wrong_state)?;
    tx.move_plan(p.id, version, to, None, "", &actor.username)?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "plan_submitted",
        &p.id.to_string(),
        p.kind.code(),
    )?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        "disposal.plan_submit",
        "case",
        &c.number,
        &json!({"plan": p.id, "kind": p.kind.code(), "version": version}),
    )?;
    Ok(p.id)
}

/// Refuses a rectification or emergency plan without a measure (an action not cancelled).
fn has_measures(tx: &Tx<'_>, c: &CaseState, p: &PlanRow) -> Result<()> {
    if tx.plan_action_counts(p.id)?.0 == 0 {
        return Err(WorkflowError::rule(
            "disposal_err.plan_without_measures",
            &[
                ("kind", &key(&format!("plan_kind.{}", p.kind.code()))),
                ("id", &p.id),
                ("number", &c.number),
            ],
        ));
    }
    Ok(())
}

/// Approves or rejects a submitted plan: a rectification by a supervisor, an emergency plan
/// by a manager, never the proposer. Approving a rectification issues its notice (returned);
/// approving an emergency plan clears "emergency plan needed". A rejection needs a reason.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    decision: Decision,
    reason: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
    lang: Lang,
) -> Result<Option<String>> {
    super::execute(store, actor, |tx| {
        decide_in(
            tx,
            actor,
            case,
            plan_id,
            decision,
            reason,
            expected_version,
            today,
            lang,
        )
    })
}

/// [`decide`], also returning the id of the plan decided (for a message that names it).
#[allow(clippy::too_many_arguments)]
pub fn decide_plan(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    decision: Decision,
    reason: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
    lang: Lang,
) -> Result<(i64, Option<String>)> {
    super::execute(store, actor, |tx| {
        decide_plan_in(
            tx,
            actor,
            case,
            plan_id,
            decision,
            reason,
            expected_version,
            today,
            lang,
        )
    })
}

/// [`decide`] in the caller's transaction; `expected_version` is the plan's.
#[allow(clippy::too_many_arguments)]
pub fn decide_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    decision: Decision,
    reason: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
    lang: Lang,
) -> Result<Option<String>> {
    decide_plan_in(
        tx,
        actor,
        case,
        plan_id,
        decision,
        reason,
        expected_version,
        today,
        lang,
    )
    .map(|(_, notice)| notice)
}

/// [`decide_in`], returning the plan's id with the notice.
#[allow(clippy::too_many_arguments)]
fn decide_plan_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    decision: Decision,
    reason: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
    lang: Lang,
) -> Result<(i64, Option<String>)> {
    // Refuse before reading further whoever may decide neither kind.
    if actor
        .authorize(Command::ApproveEmergency, &Subject::NONE)
        .is_err()
    {
        super::authorize_in(tx, actor, Command::ApproveRectification, &Subject::NONE)?;
    }
    let c = open_case(tx, case, None)?;
    let p = pick_plan(
        tx,
        &c,
        plan_id,
        &[PlanKind::Rectification, PlanKind::Emergency],
        &[PlanStatus::Submitted],
    )?;
    let command = match p.kind {
        PlanKind::Emergency => Command::ApproveEmergency,
        _ => Command::ApproveRectification,
    };
    super::authorize_in(tx, actor, command, &Subject::made_by(&p.proposer))?;
    let version = super::check_version(
        &format!("{} #{}", c.number, p.id),
        expected_version,
        p.version,
        &p.updated_by,
        &p.updated_at,
    )?;
    let (mv, event) = match decision {
        Decision::Approve => (PlanMove::Approve, "plan_approved"),
        Decision::Reject => (PlanMove::Reject, "plan_rejected"),
    };
    let to = mv.check(p.kind, p.status).map_err(wrong_state)?;
    if decision == Decision::Approve {
        // Submitting refuses a bare plan; one submitted before that rule (or whose measures
        // were all cancelled since) is refused here, so no empty notice is issued.
        has_measures(tx, &c, &p)?;
    }
    let reason = match decision {
        Decision::Reject => required(reason, "reason")?,
        Decision::Approve => as_given_lines(reason),
    };
    tx.move_plan(
        p.id,
        version,
        to,
        Some(&actor.username),
        &reason,
        &actor.username,
    )?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        event,
        &p.id.to_string(),
        &reason,
    )?;
    let mut notice = None;
    if decision == Decision::Approve {
        match p.kind {
            PlanKind::Rectification => {
                notice = Some(issue_rectification_notice(tx, actor, &c, &p, today, lang)?);
            }
            PlanKind::Emergency => tx.clear_emergency_needed(c.id, &actor.username)?,
            PlanKind::Explanation => {}
        }
    }
    tx.refresh_case_deadline(c.id)?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        &format!("disposal.plan_{}", mv.code()),
        "case",
        &c.number,
        &json!({"plan": p.id, "kind": p.kind.code(), "proposer": p.proposer,
                "reason": reason, "notice": notice, "version": version}),
    )?;
    Ok((p.id, notice))
}

/// Issues the rectification notice (整改通知书) of an approved plan: Markdown in `lang`,
/// kept with the case's largest loan and referring to the case, with its SHA-256.
fn issue_rectification_notice(
    tx: &mut Tx<'_>,
    actor: &Actor,
    c: &CaseState,
    p: &PlanRow,
    today: NaiveDate,
    lang: Lang,
) -> Result<String> {
    let row = tx
        .case_row(&c.number)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "case",
            key: c.number.clone(),
        })?;
    let loan_id = tx
        .case_primary_loan(c.id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: c.number.clone(),
        })?;
    let prefix = format!("ZGTZ{}-", today.format("%Y"));
    let n = tx.document_count_like(&prefix)? + 1;
    let number = format!("{prefix}{n:06}");
    let officer = tx
        .staff(&row.officer)?
        .map(|s| s.display_name)
        .unwrap_or_else(|| row.officer.clone());
    let measures = tx.plan_actions(p.id)?;
    let body = super::disposal_notice::render(
        &super::disposal_notice::RectificationFacts {
            number: &number,
            case: &row,
            plan: p,
            measures: &measures,
            officer: &officer,
            issued_on: today,
            issued_by: &actor.display_name,
        },
        lang,
    );
    let title = lang.tf(
        "disposal_notice.title_line",
        &[
            ("number", &number),
            ("borrower", &sanitize(&row.borrower_name)),
        ],
    );
    tx.insert_document(
        loan_id,
        "rectification_notice",
        &number,
        &title,
        lang.code(),
        &body,
        Some(("risk_cases", c.id)),
        &actor.username,
    )?;
    tx.case_event(c.id, today, &actor.username, "notice", &number, "")?;
    tx.audit(
        &actor.username,
        "document.issue",
        "case",
        &c.number,
        &json!({"document": number, "kind": "rectification_notice", "plan": p.id}),
    )?;
    Ok(number)
}

/// Records the borrower's written explanation: when it arrived and what it says. The
/// explanation plan is then fulfilled.
pub fn record_explanation(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    arrived_on: NaiveDate,
    summary: &str,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| {
        record_explanation_in(tx, actor, case, arrived_on, summary, today)
    })
}

/// [`record_explanation`] in the caller's transaction.
pub fn record_explanation_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    arrived_on: NaiveDate,
    summary: &str,
    today: NaiveDate,
) -> Result<i64> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let c = open_case(tx, case, None)?;
    authorize_case(tx, actor, Command::WorkCase, &c, None)?;
    let summary = required(summary, "explanation")?;
    if arrived_on > today {
        return Err(WorkflowError::rule(
            "disposal_err.date_future",
            &[("date", &arrived_on), ("today", &today)],
        ));
    }
    let p = pick_plan(
        tx,
        &c,
        None,
        &[PlanKind::Explanation],
        &[PlanStatus::Approved],
    )?;
    PlanMove::Fulfil
        .check(p.kind, p.status)
        .map_err(wrong_state)?;
    tx.record_arrival(p.id, p.version, arrived_on, &summary, &actor.username)?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "explanation_arrived",
        &p.id.to_string(),
        &arrived_on.to_string(),
    )?;
    tx.refresh_case_deadline(c.id)?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        "disposal.explanation",
        "case",
        &c.number,
        &json!({"plan": p.id, "arrived_on": arrived_on.to_string(), "summary": summary}),
    )?;
    Ok(p.id)
}

/// Marks the approved rectification failed (a supervisor's finding, with a reason): the case
/// escalates at once, as the nightly check would.
#[allow(clippy::too_many_arguments)]
pub fn fail_plan(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    reason: &str,
    today: NaiveDate,
    plan: Option<&PlanConfig>,
) -> Result<EscalationReport> {
    super::execute(store, actor, |tx| {
        fail_plan_in(tx, actor, case, plan_id, reason, today, plan)
    })
}

/// [`fail_plan`] in the caller's transaction.
pub fn fail_plan_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    plan_id: Option<i64>,
    reason: &str,
    today: NaiveDate,
    plan: Option<&PlanConfig>,
) -> Result<EscalationReport> {
    super::authorize_in(tx, actor, Command::FailRectification, &Subject::NONE)?;
    let c = open_case(tx, case, None)?;
    let reason = required(reason, "reason")?;
    let p = pick_plan(
        tx,
        &c,
        plan_id,
        &[PlanKind::Rectification],
        &[PlanStatus::Approved],
    )?;
    let to = PlanMove::Fail
        .check(p.kind, p.status)
        .map_err(wrong_state)?;
    tx.move_plan(p.id, p.version, to, None, &reason, &actor.username)?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "plan_failed",
        &p.id.to_string(),
        &reason,
    )?;
    // Its measures still open fail with it, saying why.
    let actions_failed = tx.fail_plan_actions(&[p.id], today, &actor.username)?;
    tx.refresh_case_deadline(c.id)?;
    tx.audit(
        &actor.username,
        "disposal.plan_fail",
        "case",
        &c.number,
        &json!({"plan": p.id, "reason": reason, "actions_failed": actions_failed}),
    )?;
    escalate_step(tx, &actor.username, today, Some(c.id), plan)
}

/// The four headings of a progress report.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub signal_now: &'a str,
    pub effect: &'a str,
    pub problems: &'a str,
    pub next_steps: &'a str,
}

/// Writes a periodic progress report of a case and stores it, in `lang`, as a sealed
/// document of the case (处置进展报告). Returns its id.
pub fn progress(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    p: &Progress<'_>,
    today: NaiveDate,
    lang: Lang,
) -> Result<i64> {
    super::execute(store, actor, |tx| {
        progress_in(tx, actor, case, p, today, lang)
    })
}

/// [`progress`] in the caller's transaction.
pub fn progress_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    p: &Progress<'_>,
    today: NaiveDate,
    lang: Lang,
) -> Result<i64> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let c = open_case(tx, case, None)?;
    authorize_case(tx, actor, Command::WorkCase, &c, None)?;
    let state = required(p.signal_now, "signal_now")?;
    let effect = required(p.effect, "effect")?;
    let problems = required(p.problems, "problems")?;
    let next = required(p.next_steps, "next_steps")?;
    let id = tx.insert_progress(
        c.id,
        today,
        &state,
        &effect,
        &problems,
        &next,
        &actor.username,
    )?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "progress",
        &id.to_string(),
        "",
    )?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        "disposal.progress",
        "case",
        &c.number,
        &json!({"report": id, "signal_now": state, "effect": effect, "problems": problems,
                "next_steps": next}),
    )?;
    let borrower = case_borrower(tx, &c)?;
    let body = super::disposal_record::progress_md(
        &super::disposal_record::ProgressFacts {
            case: &c.number,
            borrower: &borrower,
            on: today,
            author: &actor.display_name,
            signal_now: &state,
            effect: &effect,
            problems: &problems,
            next_steps: &next,
        },
        lang,
    );
    case_document(
        tx,
        actor,
        &c,
        &CaseDocument {
            kind: "progress_report",
            prefix: "JZBG",
            title_key: "disposal_record.progress_title",
            borrower: &borrower,
            body: &body,
            on: today,
            lang,
        },
        json!({"report": id}),
    )?;
    Ok(id)
}

/// The borrower's name of case `c`, for a document's title.
fn case_borrower(tx: &Tx<'_>, c: &CaseState) -> Result<String> {
    Ok(tx
        .case_row(&c.number)?
        .map(|r| r.borrower_name)
        .unwrap_or_default())
}

/// A document a case stores.
struct CaseDocument<'a> {
    /// Its kind's code (`DocumentKind`).
    kind: &'a str,
    /// Its number's prefix, before the year.
    prefix: &'a str,
    title_key: &'a str,
    borrower: &'a str,
    body: &'a str,
    on: NaiveDate,
    lang: Lang,
}

/// Stores `d` as a document of case `c` (kept with its largest loan, referring to the case,
/// with its SHA-256), sealed by the audit row written with it. Returns its number.
fn case_document(
    tx: &mut Tx<'_>,
    actor: &Actor,
    c: &CaseState,
    d: &CaseDocument<'_>,
    detail: serde_json::Value,
) -> Result<String> {
    let loan_id = tx
        .case_primary_loan(c.id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: c.number.clone(),
        })?;
    let prefix = format!("{}{}-", d.prefix, d.on.format("%Y"));
    let n = tx.document_count_like(&prefix)? + 1;
    let number = format!("{prefix}{n:06}");
    let title = d.lang.tf(
        d.title_key,
        &[
            ("number", &number),
            ("case", &c.number),
            ("borrower", &sanitize(d.borrower)),
        ],
    );
    tx.insert_document(
        loan_id,
        d.kind,
        &number,
        &title,
        d.lang.code(),
        d.body,
        Some(("risk_cases", c.id)),
        &actor.username,
    )?;
    let mut detail = detail;
    if let Some(o) = detail.as_object_mut() {
        o.insert("document".into(), json!(number));
        o.insert("kind".into(), json!(d.kind));
    }
    tx.audit(
        &actor.username,
        "document.issue",
        "case",
        &c.number,
        &detail,
    )?;
    Ok(number)
}

/// Closes a case with a reason: only when its warnings are resolved or dismissed and no
/// action is open (the refusal names them). An emergency plan in force with actions done ends
/// fulfilled; other plans still open are cancelled; loans the case tightened go back to
/// their frequency.
#[allow(clippy::too_many_arguments)]
pub fn close(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    reason: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
    lang: Lang,
    clocks: &LegalClockRules,
) -> Result<String> {
    super::execute(store, actor, |tx| {
        close_in(
            tx,
            actor,
            case,
            reason,
            expected_version,
            today,
            lang,
            clocks,
        )
    })
}

/// [`close`] in the caller's transaction. Returns the disposal record's number.
#[allow(clippy::too_many_arguments)]
pub fn close_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    reason: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
    lang: Lang,
    clocks: &LegalClockRules,
) -> Result<String> {
    super::authorize_in(tx, actor, Command::CloseCase, &Subject::NONE)?;
    let c = open_case(tx, case, expected_version)?;
    authorize_case(tx, actor, Command::CloseCase, &c, None)?;
    let reason = required(reason, "reason")?;
    let open = tx.case_open_items(c.id)?;
    if !open.warnings.is_empty() || !open.actions.is_empty() {
        let warnings: Vec<String> = open
            .warnings
            .iter()
            .map(|(number, indicator)| {
                // A manual signal's name is under `signal`, an indicator's under `indicator`.
                let table = if crate::domain::warning::ManualSignal::ALL
                    .iter()
                    .any(|s| s.code() == indicator.as_str())
                {
                    "signal"
                } else {
                    "indicator"
                };
                format!(
                    "{number} {}",
                    super::said_key(&format!("{table}.{indicator}"))
                )
            })
            .collect();
        let actions: Vec<String> = open
            .actions
            .iter()
            .map(|(id, kind, title, status)| {
                format!(
                    "#{id} {} “{}” ({})",
                    super::said_key(&format!("action_kind.{kind}")),
                    sanitize(title),
                    super::said_key(&format!("action_status.{status}"))
                )
            })
            .collect();
        // Name only what blocks the close, and say what to do about just that.
        let end = super::said_key("disposal_err.sentence_end");
        let mut blocking = String::new();
        for (label, v) in [
            ("disposal_err.open_warnings", &warnings),
            ("disposal_err.open_actions", &actions),
        ] {
            if !v.is_empty() {
                blocking.push_str(&super::said_key(label));
                blocking.push_str(&v.join(", "));
                blocking.push_str(&end);
            }
        }
        let todo = match (warnings.is_empty(), actions.is_empty()) {
            (false, false) => "disposal_err.todo_both",
            (false, true) => "disposal_err.todo_warnings",
            _ => "disposal_err.todo_actions",
        };
        return Err(WorkflowError::rule(
            "disposal_err.still_open",
            &[
                ("number", &c.number),
                ("blocking", &blocking),
                ("todo", &super::said_key(todo)),
            ],
        ));
    }
    let open_statuses: Vec<PlanStatus> = PlanStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    let mut plans_fulfilled = Vec::new();
    while let Some(p) = tx.latest_plan(c.id, None, &open_statuses)? {
        // An emergency plan in force whose actions were carried out (some done, none open
        // now) was executed: it ends fulfilled, not cancelled.
        let carried_out = p.kind == PlanKind::Emergency
            && p.status == PlanStatus::Approved
            && tx.plan_action_counts(p.id)?.1 > 0;
        let (to, event) = if carried_out {
            let to = PlanMove::Fulfil
                .check(p.kind, p.status)
                .map_err(wrong_state)?;
            plans_fulfilled.push(p.id);
            (to, "plan_fulfilled")
        } else {
            (PlanStatus::Cancelled, "plan_cancelled")
        };
        tx.move_plan(p.id, p.version, to, None, "case_closed", &actor.username)?;
        tx.case_event(
            c.id,
            today,
            &actor.username,
            event,
            &p.id.to_string(),
            "case_closed",
        )?;
    }
    let restored = tx.restore_tracking(c.id)?;
    tx.close_case(c.id, c.version, today, &reason, &actor.username)?;
    tx.case_event(c.id, today, &actor.username, "closed", "", &reason)?;
    tx.audit(
        &actor.username,
        "disposal.close",
        "case",
        &c.number,
        &json!({"reason": reason, "tracking_restored": restored, "version": c.version,
                "plans_fulfilled": plans_fulfilled}),
    )?;
    disposal_record_in(tx, actor, &c, today, lang, clocks)
}

/// Stores the disposal record (处置记录) of case `c`, just closed: its full story as
/// `case show --format md` gives it, with the recoveries and clocks of its loans.
fn disposal_record_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    c: &CaseState,
    today: NaiveDate,
    lang: Lang,
    clocks: &LegalClockRules,
) -> Result<String> {
    let d = tx
        .case_detail(&c.number)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "case",
            key: c.number.clone(),
        })?;
    let mut outcomes = Vec::new();
    for l in &d.loans {
        if let Some(o) = tx.loan_outcomes(l.id, clocks)? {
            outcomes.push(o);
        }
    }
    let body = format!(
        "{}{}",
        super::disposal_record::case_md(&d, today, lang),
        super::disposal_record::outcomes_md(&outcomes, today, lang)
    );
    case_document(
        tx,
        actor,
        c,
        &CaseDocument {
            kind: "disposal_record",
            prefix: "CZJL",
            title_key: "disposal_record.record_title",
            borrower: &d.case.borrower_name,
            body: &body,
            on: today,
            lang,
        },
        json!({"closed_on": today.to_string()}),
    )
}

/// An action to add.
#[derive(Debug, Clone)]
pub struct AddAction<'a> {
    pub case: &'a str,
    pub kind: ActionKind,
    pub title: &'a str,
    pub owner: &'a str,
    pub deadline: NaiveDate,
    /// The loan it concerns (a contract of the case's borrower).
    pub contract: Option<&'a str>,
    /// The plan it carries out; default: the case's latest open plan.
    pub plan: Option<i64>,
}

/// Adds an action to a case. Returns its id.
pub fn add_action(
    store: &mut Store,
    actor: &Actor,
    a: &AddAction<'_>,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| add_action_in(tx, actor, a, "", today))
}

/// [`add_action`] in the caller's transaction; `source` says where it came from.
pub fn add_action_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    a: &AddAction<'_>,
    source: &str,
    today: NaiveDate,
) -> Result<i64> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let c = open_case(tx, a.case, None)?;
    authorize_case(tx, actor, Command::WorkCase, &c, None)?;
    let title = required(a.title, "title")?;
    let owner = a.owner.trim();
    match tx.staff(owner)? {
        Some(s) if s.active && s.role != crate::domain::Role::Auditor => {}
        _ => {
            return Err(WorkflowError::rule(
                "disposal_err.owner",
                &[("owner", &sanitize(owner))],
            ));
        }
    }
    let deadline = not_past(a.deadline, today)?;
    let loan_id = match a.contract {
        Some(contract) => Some(tx.case_loan_by_contract(c.id, contract)?.ok_or_else(|| {
            WorkflowError::rule(
                "disposal_err.contract_not_of_case",
                &[("contract", &sanitize(contract)), ("number", &c.number)],
            )
        })?),
        None => None,
    };
    let open: Vec<PlanStatus> = PlanStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    let plan_id = match a.plan {
        Some(id) => Some(pick_plan(tx, &c, Some(id), &[], &open)?.id),
        None => tx.latest_plan(c.id, None, &open)?.map(|p| p.id),
    };
    let id = tx.insert_action(
        &NewAction {
            case_id: c.id,
            plan_id,
            loan_id,
            kind: a.kind,
            title: &title,
            owner,
            deadline,
            source,
        },
        &actor.username,
    )?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "action_added",
        &format!("#{id}"),
        a.kind.code(),
    )?;
    tx.refresh_case_deadline(c.id)?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        "disposal.action_add",
        "action",
        &id.to_string(),
        &json!({"case": c.number, "kind": a.kind.code(), "title": title, "owner": owner,
                "deadline": deadline.to_string(), "plan": plan_id, "loan": loan_id, "source": source}),
    )?;
    Ok(id)
}

/// Moves an action (start, done, fail, cancel); a failure or cancellation says why in
/// `outcome`. When every action of an approved plan is done, the plan is fulfilled.
pub fn move_action(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    mv: ActionMove,
    outcome: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
) -> Result<ActionStatus> {
    super::execute(store, actor, |tx| {
        move_action_in(tx, actor, id, mv, outcome, expected_version, today)
    })
}

/// The action `id`, of an open case, at the version the screen showed.
fn open_action(
    tx: &Tx<'_>,
    id: i64,
    expected: Option<i64>,
) -> Result<(crate::store::ActionState, CaseState, i64)> {
    let a = tx
        .action_state(id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "action",
            key: id.to_string(),
        })?;
    let version = super::check_version(
        &format!("#{id}"),
        expected,
        a.version,
        &a.updated_by,
        &a.updated_at,
    )?;
    let number = tx.case_number_of(a.case_id)?;
    let c = open_case(tx, &number, None)?;
    Ok((a, c, version))
}

/// [`move_action`] in the caller's transaction.
pub fn move_action_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    mv: ActionMove,
    outcome: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
) -> Result<ActionStatus> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let (a, c, version) = open_action(tx, id, expected_version)?;
    authorize_case(tx, actor, Command::WorkCase, &c, Some(&a.owner))?;
    let to = mv.check(a.status).map_err(wrong_state)?;
    let outcome = if mv.needs_outcome() {
        required(outcome, "outcome")?
    } else {
        as_given_lines(outcome)
    };
    tx.move_action(id, version, to, &outcome, &actor.username)?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        &format!("action_{}", mv.code()),
        &format!("#{id}"),
        &outcome,
    )?;
    let mut fulfilled = None;
    if to == ActionStatus::Done
        && let Some(plan_id) = a.plan_id
        && let Some(p) = tx.plan(plan_id)?
        && p.status == PlanStatus::Approved
        && p.kind != PlanKind::Explanation
    {
        let (all, done) = tx.plan_action_counts(plan_id)?;
        if all > 0 && all == done {
            let to = PlanMove::Fulfil
                .check(p.kind, p.status)
                .map_err(wrong_state)?;
            tx.move_plan(plan_id, p.version, to, None, "", &actor.username)?;
            tx.case_event(
                c.id,
                today,
                &actor.username,
                "plan_fulfilled",
                &plan_id.to_string(),
                "",
            )?;
            fulfilled = Some(plan_id);
        }
    }
    tx.refresh_case_deadline(c.id)?;
    tx.touch_case(c.id, &actor.username)?;
    tx.audit(
        &actor.username,
        &format!("disposal.action_{}", mv.code()),
        "action",
        &id.to_string(),
        &json!({"case": c.number, "from": a.status.code(), "to": to.code(), "outcome": outcome,
                "version": version, "plan_fulfilled": fulfilled}),
    )?;
    Ok(to)
}

/// Adds a progress note to an action.
pub fn note_action(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    note: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        note_action_in(tx, actor, id, note, expected_version, today)
    })
}

/// [`note_action`] in the caller's transaction.
pub fn note_action_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    note: &str,
    expected_version: Option<i64>,
    today: NaiveDate,
) -> Result<()> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let (a, c, version) = open_action(tx, id, expected_version)?;
    authorize_case(tx, actor, Command::WorkCase, &c, Some(&a.owner))?;
    let note = required(note, "note")?;
    if !a.status.is_open() {
        return Err(WorkflowError::Disposal(DisposalMoveError {
            what: "action",
            from: a.status.code(),
            mv: "note",
        }));
    }
    tx.action_note(id, version, today, &note, &actor.username)?;
    tx.case_event(
        c.id,
        today,
        &actor.username,
        "action_note",
        &format!("#{id}"),
        &note,
    )?;
    tx.audit(
        &actor.username,
        "disposal.action_note",
        "action",
        &id.to_string(),
        &json!({"case": c.number, "note": note, "version": version}),
    )?;
    Ok(())
}

/// Turns the measures of an approved inspection report on one of the case's loans into
/// actions (rectification measures), once. Returns the new actions' ids.
pub fn from_inspection(
    store: &mut Store,
    actor: &Actor,
    case: &str,
    inspection: &str,
    settings: &DisposalSettings,
    today: NaiveDate,
) -> Result<Vec<i64>> {
    super::execute(store, actor, |tx| {
        from_inspection_in(tx, actor, case, inspection, settings, today)
    })
}

/// [`from_inspection`] in the caller's transaction.
pub fn from_inspection_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    case: &str,
    inspection: &str,
    settings: &DisposalSettings,
    today: NaiveDate,
) -> Result<Vec<i64>> {
    super::authorize_in(tx, actor, Command::WorkCase, &Subject::NONE)?;
    let c = open_case(tx, case, None)?;
    authorize_case(tx, actor, Command::WorkCase, &c, None)?;
    let inspection = inspection.trim();
    let (loan_id, status, measures) =
        tx.approved_measures(inspection)?
            .ok_or_else(|| WorkflowError::NotFound {
                what: "inspection",
                key: inspection.to_string(),
            })?;
    if status != "approved" {
        return Err(WorkflowError::rule(
            "disposal_err.inspection_not_approved",
            &[
                ("inspection", &inspection),
                ("status", &key(&format!("inspection_status.{status}"))),
            ],
        ));
    }
    if tx.borrower_of_loan(loan_id)? != Some(c.borrower_id) {
        return Err(WorkflowError::rule(
            "disposal_err.inspection_not_of_case",
            &[("inspection", &inspection), ("number", &c.number)],
        ));
    }
    let source = format!("inspection:{inspection}");
    if tx.actions_from_source(c.id, &source)? > 0 {
        return Err(WorkflowError::rule(
            "disposal_err.measures_taken",
            &[("inspection", &inspection), ("number", &c.number)],
        ));
    }
    if measures.is_empty() {
        return Err(WorkflowError::rule(
            "disposal_err.no_measures",
            &[("inspection", &inspection)],
        ));
    }
    let contract = tx.loan(loan_id)?.map(|l| l.contract_no);
    let default_deadline = settings.due(PlanKind::Rectification, today);
    let mut ids = Vec::new();
    for m in measures {
        let owner = match m.owner.as_deref().map(str::trim) {
            Some(o) if !o.is_empty() && tx.staff(o)?.is_some_and(|s| s.active) => o.to_string(),
            _ => c.officer.clone(),
        };
        let deadline = m
            .deadline
            .filter(|d| *d >= today)
            .unwrap_or(default_deadline);
        let (kind, name) = match Measure::parse(&m.measure) {
            Some(x) => (measure_kind(x), x.zh().to_string()),
            None => (
                ActionKind::RectificationMeasure,
                m.measure.trim().to_string(),
            ),
        };
        let title = match m.note.trim() {
            "" => name,
            note => format!("{name}：{note}"),
        };
        let id = add_action_in(
            tx,
            actor,
            &AddAction {
                case: &c.number,
                kind,
                title: &title,
                owner: &owner,
                deadline,
                contract: contract.as_deref(),
                plan: None,
            },
            &source,
            today,
        )?;
        ids.push(id);
    }
    Ok(ids)
}

/// The action an inspection report's measure becomes.
fn measure_kind(m: Measure) -> ActionKind {
    match m {
        Measure::AddCollateral => ActionKind::AdditionalCollateral,
        Measure::StopCredit => ActionKind::StopDrawdown,
        Measure::Recall => ActionKind::EarlyRecall,
        Measure::Litigation => ActionKind::LegalAction,
        Measure::Paperwork | Measure::ReduceLine | Measure::Other => {
            ActionKind::RectificationMeasure
        }
    }
}

/// A level for messages (the case level's code under `[level]`).
pub fn level_key(level: Level) -> String {
    format!("level.{}", level.code())
}

#[cfg(test)]
#[path = "disposal_tests.rs"]
mod tests;
