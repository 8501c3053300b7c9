//! Step 3, inspections as commands: derive the plan, start an inspection (from the plan, a
//! warning or a loan), write its report, attach evidence, submit, approve (with a manager's
//! second approval for large loans), return, amend. Each is one transaction with its audit
//! row; the TUI and the CLI are thin layers over these functions.

use super::{Actor, Command, Result, Subject, WorkflowError};
use crate::domain::Classification;
use crate::domain::checklist::Checklist;
use crate::domain::inspection::{
    InspectionKind, InspectionMode, InspectionMove, InspectionMoveError, InspectionStatus,
    MeasureEntry, Section,
};
use crate::domain::text::{is_blank, sanitize};
use crate::engine::inspection_plan::{PlanConfig, PlanFacts};
use crate::i18n::Lang;
use crate::store::{InspectionState, NewInspection, PlanCounts, Store, Tx};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;

/// Loans per transaction of the plan: other users' writes wait at most a moment.
const PLAN_CHUNK: usize = 5000;

/// Derives the plan of the whole book (the nightly batch): every loan with a balance gets
/// its next first, routine and triggered inspection as a planned row, moved when its date
/// changed, removed when no longer due; an inspection under way holds its kind's row back.
pub fn plan_book(store: &mut Store, actor: &Actor, cfg: &PlanConfig) -> Result<PlanCounts> {
    super::guard(store, actor, Command::PlanInspections, &Subject::NONE)?;
    // A first plan adds a row per loan to five indexes in random order: a small page cache
    // thrashes (8 s at 100,000 loans with SQLite's 2 MiB).
    // A larger cache set by the caller (the demo build) is kept, and given back after.
    let before = store.cache_mib()?;
    store.set_cache_mib(before.max(128))?;
    let result = plan_chunks(store, actor, cfg);
    store.set_cache_mib(before)?;
    result
}

fn plan_chunks(store: &mut Store, actor: &Actor, cfg: &PlanConfig) -> Result<PlanCounts> {
    let mut total = PlanCounts::default();
    let mut after = 0i64;
    loop {
        let (counts, last) = store.write(|tx| -> Result<(PlanCounts, Option<i64>)> {
            let loans = tx.plan_chunk(after, PLAN_CHUNK)?;
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
            let counts = tx.write_plan(&loans, &due, &actor.username)?;
            Ok((counts, loans.last().map(|l| l.loan_id)))
        })?;
        total.loans += counts.loans;
        total.added += counts.added;
        total.moved += counts.moved;
        total.removed += counts.removed;
        total.unchanged += counts.unchanged;
        match last {
            Some(id) => after = id,
            None => break,
        }
    }
    total.removed += store.write(|tx| -> Result<u64> { Ok(tx.drop_plan_of_settled_loans()?) })?;
    store.write(|tx| -> Result<()> {
        tx.audit(
            &actor.username,
            "inspections.plan",
            "book",
            "",
            &serde_json::to_value(total).unwrap_or_default(),
        )?;
        Ok(())
    })?;
    Ok(total)
}

/// How an inspection is started.
#[derive(Debug, Clone, PartialEq)]
pub struct StartInspection<'a> {
    pub contract_no: &'a str,
    pub kind: InspectionKind,
    pub mode: InspectionMode,
    /// The warnings a triggered inspection answers (numbers).
    pub warnings: &'a [String],
    pub focus: &'a str,
    /// The day it is (to be) done; default today.
    pub inspected_on: Option<NaiveDate>,
    pub inspectors: &'a str,
}

/// Starts an inspection: the plan's row of that loan and kind when there is one, else a new
/// one due today. Returns its number.
pub fn start(
    store: &mut Store,
    actor: &Actor,
    s: &StartInspection<'_>,
    today: NaiveDate,
) -> Result<String> {
    super::execute(store, actor, |tx| start_in(tx, actor, s, today))
}

/// [`start`] in the caller's transaction.
pub fn start_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    s: &StartInspection<'_>,
    today: NaiveDate,
) -> Result<String> {
    // Open to any specialist: a colleague may do the visit; the report is reviewed anyway.
    super::authorize_in(tx, actor, Command::StartInspection, &Subject::NONE)?;
    let (loan_id, _) =
        tx.loan_for_inspection(s.contract_no)?
            .ok_or_else(|| WorkflowError::NotFound {
                what: "loan",
                key: s.contract_no.to_string(),
            })?;
    if s.kind == InspectionKind::Triggered && s.warnings.is_empty() {
        return Err(WorkflowError::rule("inspection_err.needs_warning", &[]));
    }
    if s.kind != InspectionKind::Triggered
        && let Some((number, _)) = tx.open_inspection(loan_id, s.kind)?
    {
        return Err(WorkflowError::rule(
            "inspection_err.already_open",
            &[("number", &number)],
        ));
    }
    // A triggered start must not open a second inspection for a warning already being answered.
    if s.kind == InspectionKind::Triggered {
        for w in s.warnings {
            if let Some(number) = tx.open_inspection_answering(loan_id, w)? {
                return Err(WorkflowError::rule(
                    "inspection_err.warning_answered",
                    &[("warning", &w.trim()), ("number", &number)],
                ));
            }
        }
    }
    let focus = s.focus.trim().to_string();
    let inspectors = match s.inspectors.trim() {
        i if is_blank(i) => actor.username.clone(),
        i => i.to_string(),
    };
    let on = s.inspected_on.unwrap_or(today);
    let (id, number) = match tx.planned_inspection(loan_id, s.kind)? {
        Some(id) => {
            let st = existing(tx, id)?;
            let to = InspectionMove::Start
                .check(st.status, 1)
                .map_err(wrong_state)?;
            // A planned row carries its due year (`XJ2027-…` for a January visit); started
            // now, it is numbered by the book's date it is started on, as a new one would be.
            let number = crate::domain::inspection::inspection_number(today.year(), id);
            tx.update_inspection(
                id,
                st.version,
                &[
                    ("number", &number),
                    ("status", &to.code()),
                    ("mode", &s.mode.code()),
                    ("focus", &focus),
                    ("inspected_on", &on),
                    ("inspectors", &inspectors),
                    ("author", &actor.username),
                ],
                &actor.username,
            )?;
            (id, number)
        }
        None => tx.insert_inspection(
            &NewInspection {
                loan_id,
                kind: s.kind,
                mode: s.mode,
                due_on: today,
                status: InspectionStatus::Draft,
                focus: &focus,
                inspected_on: Some(on),
                inspectors: &inspectors,
                author: Some(&actor.username),
                year: today.year(),
            },
            &actor.username,
        )?,
    };
    for w in s.warnings {
        if tx.link_warning(id, loan_id, w)?.is_none() {
            return Err(WorkflowError::rule(
                "inspection_err.warning_not_of_loan",
                &[("warning", w), ("contract", &s.contract_no)],
            ));
        }
    }
    tx.review_event(id, 1, today, &actor.username, "started", "")?;
    tx.audit(
        &actor.username,
        "inspections.start",
        "inspection",
        &number,
        &json!({"kind": s.kind.code(), "mode": s.mode.code(), "warnings": s.warnings}),
    )?;
    Ok(number)
}

/// A state-machine refusal.
fn wrong_state(e: InspectionMoveError) -> WorkflowError {
    WorkflowError::Inspection(e)
}

fn existing(tx: &Tx<'_>, id: i64) -> Result<InspectionState> {
    tx.inspection_in_tx(id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "inspection",
            key: id.to_string(),
        })
}

/// The inspection `number` as the transaction sees it, its version checked.
fn load(tx: &Tx<'_>, number: &str, expected: Option<i64>) -> Result<InspectionState> {
    let id = tx
        .inspection_id(number)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "inspection",
            key: number.to_string(),
        })?;
    let st = existing(tx, id)?;
    super::check_version(
        &st.number,
        expected,
        st.version,
        &st.updated_by,
        &st.updated_at,
    )?;
    Ok(st)
}

/// The author's edit of a report: may they, and may it still change.
pub(super) fn editable(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
) -> Result<InspectionState> {
    let st = load(tx, number, expected)?;
    may_edit(actor, st.author.as_deref(), st.status)?;
    Ok(st)
}

/// May `actor` edit a report by `author` in `status` (write a section, add a measure, propose
/// a class, score the checklist, attach)? The commands' own rule; a screen asks it before it
/// opens the edit's form.
pub fn may_edit(actor: &Actor, author: Option<&str>, status: InspectionStatus) -> Result<()> {
    actor.authorize(
        Command::WriteInspection,
        &Subject::made_by(author.unwrap_or_default()),
    )?;
    InspectionMove::Edit.check(status, 1).map_err(wrong_state)?;
    Ok(())
}

/// May `actor` review (approve or return) a report by `author` with `approvals_done`: the
/// first review or a manager's second. The commands' own rule; a screen asks it before it
/// opens the return form.
pub fn may_review(actor: &Actor, author: Option<&str>, approvals_done: i64) -> Result<()> {
    let command = if approvals_done >= 1 {
        Command::SecondApproveInspection
    } else {
        Command::ReviewInspection
    };
    actor.authorize(command, &Subject::made_by(author.unwrap_or_default()))
}

/// May `actor` return this report now: the reviewer's rule ([`may_review`]) and a state a
/// return can leave (submitted, or half approved). A screen asks it before the comment form
/// opens; [`return_report`] asks the same.
pub fn may_return(
    actor: &Actor,
    author: Option<&str>,
    approvals_done: i64,
    status: InspectionStatus,
) -> Result<()> {
    may_review(actor, author, approvals_done)?;
    InspectionMove::Return
        .check(status, 1)
        .map(|_| ())
        .map_err(wrong_state)
}

/// Writes section `section` of the report (replacing its text).
pub fn write_section(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    section: Section,
    text: &str,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let st = editable(tx, actor, number, expected)?;
        let body = crate::domain::text::as_given_lines(text);
        tx.write_section(
            st.id,
            st.report_version,
            section.number(),
            &body,
            &actor.username,
        )?;
        tx.update_inspection(st.id, st.version, &[], &actor.username)?;
        tx.audit(
            &actor.username,
            "inspections.write",
            "inspection",
            &st.number,
            &json!({"section": section.number(), "chars": body.chars().count(), "report_version": st.report_version}),
        )?;
        Ok(())
    })
}

/// Adds a measure to the conclusion.
pub fn add_measure(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    m: &MeasureEntry,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let st = editable(tx, actor, number, expected)?;
        if let Some(owner) = &m.owner
            && !tx.staff_exists(owner)?
        {
            return Err(WorkflowError::rule(
                "inspection_err.owner_not_staff",
                &[("user", owner)],
            ));
        }
        let m = MeasureEntry {
            note: m.note.trim().to_string(),
            ..m.clone()
        };
        tx.add_measure(st.id, st.report_version, &m, &actor.username)?;
        tx.update_inspection(st.id, st.version, &[], &actor.username)?;
        tx.audit(
            &actor.username,
            "inspections.measure",
            "inspection",
            &st.number,
            &json!({"measure": m.measure.code(), "deadline": m.deadline, "owner": m.owner}),
        )?;
        Ok(())
    })
}

/// Records the proposed class (a classification proposal once step 4 exists).
pub fn propose_class(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    class: Classification,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let st = editable(tx, actor, number, expected)?;
        tx.update_inspection(
            st.id,
            st.version,
            &[("proposed_class", &class.code())],
            &actor.username,
        )?;
        tx.audit(
            &actor.username,
            "inspections.propose_class",
            "inspection",
            &st.number,
            &json!({"class": class.code()}),
        )?;
        Ok(())
    })
}

/// What attaching a file did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attached {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    /// Whether the content was new to the document store (else stored once already).
    pub new_file: bool,
    /// Whether the inspection did not list it yet.
    pub new_link: bool,
}

/// Attaches the file at `path` as evidence: copied into the book's document store under its
/// SHA-256 first (a stored file without a row is harmless and reused), then listed.
pub fn attach(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    path: &std::path::Path,
    note: &str,
    max_bytes: u64,
) -> Result<Attached> {
    // Refuse early (role, author, state) before a file is copied.
    {
        let s = store
            .inspection_by_number(number)?
            .ok_or_else(|| WorkflowError::NotFound {
                what: "inspection",
                key: number.to_string(),
            })?;
        let maker = s.row.author.clone().unwrap_or_default();
        super::guard(
            store,
            actor,
            Command::WriteInspection,
            &Subject::made_by(&maker),
        )?;
    }
    let docs = super::evidence::docs_dir(store.path());
    let stored =
        super::evidence::store_file(&docs, path, max_bytes).map_err(|e| e.into_workflow())?;
    let file_name = path
        .file_name()
        .map(|n| sanitize(&n.to_string_lossy()))
        .unwrap_or_default();
    super::execute(store, actor, |tx| {
        let st = editable(tx, actor, number, expected)?;
        let note = note.trim().to_string();
        let new_link = tx.attach_evidence(
            st.id,
            &stored.sha256,
            stored.size,
            &stored.media_type,
            &file_name,
            &note,
            &actor.username,
        )?;
        tx.update_inspection(st.id, st.version, &[], &actor.username)?;
        tx.audit(
            &actor.username,
            "inspections.attach",
            "inspection",
            &st.number,
            &json!({"sha256": stored.sha256, "size": stored.size, "file": file_name}),
        )?;
        Ok(Attached {
            sha256: stored.sha256.clone(),
            size: stored.size,
            media_type: stored.media_type.clone(),
            new_file: stored.new_file,
            new_link,
        })
    })
}

/// Submits the report for review: it locks for its author. The required sections must be
/// written; a loan above the configured line will need a manager's second approval.
pub fn submit(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    cfg: &PlanConfig,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let st = load(tx, number, expected)?;
        let maker = st.author.clone().unwrap_or_default();
        super::authorize_in(
            tx,
            actor,
            Command::SubmitInspection,
            &Subject::made_by(&maker),
        )?;
        let to = InspectionMove::Submit
            .check(st.status, 1)
            .map_err(wrong_state)?;
        let filled = tx.sections_in_tx(st.id, st.report_version)?;
        for s in Section::ALL.iter().filter(|s| s.required()) {
            if !filled
                .iter()
                .any(|(n, body)| *n == s.number() && !body.trim().is_empty())
            {
                return Err(WorkflowError::rule(
                    "inspection_err.section_empty",
                    &[("section", &s.number())],
                ));
            }
        }
        let outstanding = tx.loan_outstanding(st.loan_id)?;
        let outstanding = Decimal::from_str(&outstanding).map_err(|_| {
            WorkflowError::rule("inspection_err.bad_outstanding", &[("value", &outstanding)])
        })?;
        let needed: i64 = if cfg.needs_second_approval(outstanding) {
            2
        } else {
            1
        };
        tx.update_inspection(
            st.id,
            st.version,
            &[
                ("status", &to.code()),
                ("submitted_on", &today),
                ("approvals_needed", &needed),
                ("approvals_done", &0i64),
                ("reviewer", &None::<String>),
                ("second_reviewer", &None::<String>),
            ],
            &actor.username,
        )?;
        tx.review_event(
            st.id,
            st.report_version,
            today,
            &actor.username,
            "submitted",
            "",
        )?;
        tx.audit(
            &actor.username,
            "inspections.submit",
            "inspection",
            &st.number,
            &json!({"report_version": st.report_version,
                    "before": {"status": st.status.code()},
                    "after": {"status": to.code(), "approvals_needed": needed}}),
        )?;
        Ok(())
    })
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// The first of two: a manager's approval is still needed.
    AwaitsSecond,
    /// Final: the report is approved and stored as a document of the loan (its number);
    /// `warning`: the warning its checklist score below the line raised (or noted again).
    Approved {
        document: String,
        warning: Option<String>,
    },
}

/// Approves a submitted report. Nobody approves their own; the second approval of a large
/// loan's report is a manager's (and not the first approver's). The final approval stores
/// the report (Markdown, in `lang`) as a document of the loan with its SHA-256, and a
/// checklist score below the line of `checklist` raises a warning on the loan.
#[allow(clippy::too_many_arguments)]
pub fn approve(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    comment: &str,
    today: NaiveDate,
    lang: Lang,
    checklist: &Checklist,
) -> Result<Approval> {
    super::execute(store, actor, |tx| {
        let st = load(tx, number, expected)?;
        let maker = st.author.clone().unwrap_or_default();
        let second = st.approvals_done >= 1;
        let command = if second {
            Command::SecondApproveInspection
        } else {
            Command::ReviewInspection
        };
        super::authorize_in(tx, actor, command, &Subject::made_by(&maker))?;
        if second && st.reviewer.as_deref() == Some(actor.username.as_str()) {
            return Err(WorkflowError::rule(
                "inspection_err.same_reviewer",
                &[("user", &actor.username)],
            ));
        }
        let left = u8::try_from((st.approvals_needed - st.approvals_done).clamp(0, 2)).unwrap_or(1);
        let to = InspectionMove::Approve
            .check(st.status, left)
            .map_err(wrong_state)?;
        let comment = comment.trim().to_string();
        let done = st.approvals_done + 1;
        let reviewer_col = if second {
            "second_reviewer"
        } else {
            "reviewer"
        };
        let approved_on = (to == InspectionStatus::Approved).then_some(today);
        tx.update_inspection(
            st.id,
            st.version,
            &[
                ("status", &to.code()),
                ("approvals_done", &done),
                (reviewer_col, &actor.username),
                ("approved_on", &approved_on),
                ("return_comment", &""),
            ],
            &actor.username,
        )?;
        let event = if second {
            "second_approved"
        } else {
            "approved"
        };
        tx.review_event(
            st.id,
            st.report_version,
            today,
            &actor.username,
            event,
            &comment,
        )?;
        let outcome = if to == InspectionStatus::Approved {
            let data =
                tx.inspection_report(st.id, None)?
                    .ok_or_else(|| WorkflowError::NotFound {
                        what: "inspection",
                        key: st.number.clone(),
                    })?;
            if let Some(class) = data.inspection.proposed_class {
                super::classification::propose_from_inspection_in(
                    tx, st.loan_id, class, &st.number, &maker, today,
                )?;
            }
            let body = super::inspection_report::markdown(&data, lang, checklist);
            let document = format!("{}-V{}", st.number, st.report_version);
            let title = lang.tf(
                "inspection_report.title",
                &[("number", &st.number), ("version", &st.report_version)],
            );
            tx.insert_document(
                st.loan_id,
                "inspection_report",
                &document,
                &title,
                lang.code(),
                &body,
                Some(("inspections", st.id)),
                &actor.username,
            )?;
            let warning =
                super::inspection_checklist::warn_below_line_in(tx, actor, &st, checklist, today)?;
            Approval::Approved { document, warning }
        } else {
            Approval::AwaitsSecond
        };
        tx.audit(
            &actor.username,
            &format!("inspections.{event}"),
            "inspection",
            &st.number,
            &json!({"report_version": st.report_version, "comment": comment,
                    "before": {"status": st.status.code(), "approvals_done": st.approvals_done},
                    "after": {"status": to.code(), "approvals_done": done}}),
        )?;
        Ok(outcome)
    })
}

/// Returns a submitted report to its author with a comment (required).
pub fn return_report(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    comment: &str,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let st = load(tx, number, expected)?;
        may_return(actor, st.author.as_deref(), st.approvals_done, st.status)?;
        let comment = comment.trim().to_string();
        if is_blank(&comment) {
            return Err(WorkflowError::rule("inspection_err.comment_required", &[]));
        }
        let to = InspectionMove::Return
            .check(st.status, 1)
            .map_err(wrong_state)?;
        tx.update_inspection(
            st.id,
            st.version,
            &[
                ("status", &to.code()),
                ("return_comment", &comment),
                ("approvals_done", &0i64),
                ("reviewer", &actor.username),
            ],
            &actor.username,
        )?;
        tx.review_event(
            st.id,
            st.report_version,
            today,
            &actor.username,
            "returned",
            &comment,
        )?;
        tx.audit(
            &actor.username,
            "inspections.return",
            "inspection",
            &st.number,
            &json!({"report_version": st.report_version, "comment": comment,
                    "before": {"status": st.status.code()}, "after": {"status": to.code()}}),
        )?;
        Ok(())
    })
}

/// Opens an amendment of an approved report: version + 1, a draft with the approved text
/// copied; the approved version stays as it is. Returns the new report version.
pub fn amend(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    reason: &str,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| {
        let st = load(tx, number, expected)?;
        let maker = st.author.clone().unwrap_or_default();
        super::authorize_in(
            tx,
            actor,
            Command::AmendInspection,
            &Subject::made_by(&maker),
        )?;
        let to = InspectionMove::Amend
            .check(st.status, 1)
            .map_err(wrong_state)?;
        let reason = reason.trim().to_string();
        if is_blank(&reason) {
            return Err(WorkflowError::rule("inspection_err.comment_required", &[]));
        }
        tx.copy_report(st.id, st.report_version, &actor.username)?;
        tx.copy_checklist(st.id, st.report_version, &actor.username)?;
        let rv = st.report_version + 1;
        tx.update_inspection(
            st.id,
            st.version,
            &[
                ("status", &to.code()),
                ("report_version", &rv),
                ("approvals_done", &0i64),
                ("reviewer", &None::<String>),
                ("second_reviewer", &None::<String>),
                ("approved_on", &None::<String>),
            ],
            &actor.username,
        )?;
        tx.review_event(st.id, rv, today, &actor.username, "amended", &reason)?;
        tx.audit(
            &actor.username,
            "inspections.amend",
            "inspection",
            &st.number,
            &json!({"reason": reason,
                    "before": {"status": st.status.code(), "report_version": st.report_version},
                    "after": {"status": to.code(), "report_version": rv}}),
        )?;
        Ok(rv)
    })
}

#[cfg(test)]
#[path = "inspection_tests.rs"]
mod tests;
