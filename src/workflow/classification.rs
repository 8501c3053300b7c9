//! Step 4, five-tier classification: the nightly comparison with the floors (it only opens,
//! moves and closes floor proposals), proposing, approving (one or many, each on its own),
//! rejecting, and recording restructurings and impairments.

use super::{Actor, Command, Result, Subject, WorkflowError};
use crate::domain::Classification;
use crate::domain::classification::{
    ClassificationRules, Floor, UnmetCondition, UpgradeFacts, observation_period, refused_by_floor,
    upgrade_blocker,
};
use crate::domain::inspection::InspectionKind;
use crate::engine::classify::{FloorAction, action, floor_sentence, floors};
use crate::engine::inspection_plan::{PlanConfig, PlanFacts};
use crate::i18n::Lang;
use crate::store::{ClassLoan, NewHistory, NewProposal, ProposalState, Store, Tx};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

/// Loans per transaction of the nightly check: other users' writes wait at most a moment.
const CLASSIFY_CHUNK: usize = 5000;

/// What a run of the nightly check found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClassifyReport {
    /// Loans compared (with a balance, disbursed by the date).
    pub loans: u64,
    /// Loans better than their floor (each has one pending floor proposal after the run).
    pub below_floor: u64,
    pub opened: u64,
    pub updated: u64,
    pub kept: u64,
    /// Floor proposals closed because their loan no longer needs them.
    pub superseded: u64,
}

/// The basis of a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    Floor,
    Judgement,
    Inspection(String),
    Warning(String),
    Import,
}

impl Basis {
    /// `floor`, `judgement`, `inspection:NUMBER` or `warning:NUMBER` (as the command line
    /// writes it); `import` is the loans import's own.
    pub fn parse(text: &str) -> Option<Basis> {
        let t = text.trim();
        match t.split_once(':') {
            Some(("inspection", n)) if !n.trim().is_empty() => {
                Some(Basis::Inspection(n.trim().to_string()))
            }
            Some(("warning", n)) if !n.trim().is_empty() => {
                Some(Basis::Warning(n.trim().to_string()))
            }
            None if t == "floor" => Some(Basis::Floor),
            None if t == "judgement" || t == "judgment" => Some(Basis::Judgement),
            _ => None,
        }
    }

    /// The stored code and reference.
    pub fn parts(&self) -> (&'static str, &str) {
        match self {
            Basis::Floor => ("floor", ""),
            Basis::Judgement => ("judgement", ""),
            Basis::Inspection(n) => ("inspection", n),
            Basis::Warning(n) => ("warning", n),
            Basis::Import => ("import", ""),
        }
    }
}

/// What a decision needs besides the proposal: the rules, the plan (a downgrade plans a
/// triggered inspection) and the book's today.
#[derive(Debug, Clone)]
pub struct Decide<'a> {
    pub rules: &'a ClassificationRules,
    pub plan: &'a PlanConfig,
    pub today: NaiveDate,
}

/// A proposal to make.
#[derive(Debug, Clone)]
pub struct Proposal<'a> {
    pub contract_no: &'a str,
    pub to: Classification,
    pub reason: &'a str,
    pub basis: Basis,
    /// Default: today.
    pub effective_on: Option<NaiveDate>,
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Approved {
    pub id: i64,
    pub contract_no: String,
    pub from: Classification,
    pub to: Classification,
    /// The due date of the triggered inspection a downgrade planned.
    pub inspection_due: Option<NaiveDate>,
}

/// Compares every loan with a balance with its floors on `as_of`: opens a floor proposal for
/// each loan better than its floor, moves one whose floor moved, closes one no longer
/// needed. It never changes a class. One transaction per chunk of whole borrowers.
pub fn classify_book(
    store: &mut Store,
    actor: &Actor,
    rules: &ClassificationRules,
    as_of: NaiveDate,
) -> Result<ClassifyReport> {
    super::guard(store, actor, Command::ClassifyBook, &Subject::NONE)?;
    let signals = store.write(|tx| -> Result<_> { Ok(tx.floor_signals(as_of)?) })?;
    let mut report = ClassifyReport::default();
    let mut after = i64::MIN;
    loop {
        let next = store.write(|tx| -> Result<Option<i64>> {
            let (loans, last) = tx.classify_chunk(after, CLASSIFY_CHUNK, as_of)?;
            let found = floors(&loans, &signals, as_of, rules);
            let before = (report.opened, report.updated, report.superseded);
            for (loan, floor) in loans.iter().zip(found) {
                report.loans += 1;
                let todo = action(loan.class, floor, signals.open.get(&loan.id));
                if matches!(
                    todo,
                    FloorAction::Open(_) | FloorAction::Update(..) | FloorAction::Keep
                ) {
                    report.below_floor += 1;
                }
                match todo {
                    FloorAction::Open(f) => {
                        tx.insert_proposal(&NewProposal {
                            loan_id: loan.id,
                            from: loan.class,
                            to: f.at_least,
                            basis: "floor",
                            basis_ref: "",
                            reason: "",
                            floor: Some(f),
                            effective_on: as_of,
                            proposed_on: as_of,
                            proposer: super::SYSTEM_USER,
                        })?;
                        report.opened += 1;
                    }
                    FloorAction::Update(id, f) => {
                        tx.update_floor_proposal(id, f, as_of, super::SYSTEM_USER)?;
                        report.updated += 1;
                    }
                    FloorAction::Keep => report.kept += 1,
                    // Only a proposal the check made itself: never a person's.
                    FloorAction::Supersede(id) => {
                        if tx.proposal_proposer(id)?.as_deref() == Some(super::SYSTEM_USER) {
                            tx.decide_proposal(id, "superseded", super::SYSTEM_USER, "")?;
                            report.superseded += 1;
                        }
                    }
                    FloorAction::Nothing => {}
                }
            }
            // The chunk's own entry seals the proposals it opened, moved or closed.
            if (report.opened, report.updated, report.superseded) != before {
                tx.audit(
                    &actor.username,
                    "classification.floor_changes",
                    "book",
                    &as_of.to_string(),
                    &json!({
                        "as_of": as_of,
                        "opened": report.opened - before.0,
                        "updated": report.updated - before.1,
                        "superseded": report.superseded - before.2,
                    }),
                )?;
            }
            Ok(last)
        })?;
        match next {
            Some(b) => after = b,
            None => break,
        }
    }
    store.write(|tx| -> Result<()> {
        report.superseded += tx.supersede_floor_proposals_of_settled(super::SYSTEM_USER)?;
        tx.audit(
            &actor.username,
            "classification.classify",
            "book",
            &as_of.to_string(),
            &json!({
                "as_of": as_of, "loans": report.loans, "below_floor": report.below_floor,
                "opened": report.opened, "updated": report.updated, "superseded": report.superseded,
            }),
        )?;
        Ok(())
    })?;
    Ok(report)
}

/// The floor of one loan on `as_of`, contagion over its borrower's loans included; None for
/// a loan with no balance.
pub fn floor_in(
    tx: &Tx<'_>,
    loan_id: i64,
    borrower_id: i64,
    as_of: NaiveDate,
    rules: &ClassificationRules,
) -> Result<Option<Floor>> {
    let loans = tx.borrower_loans(borrower_id, as_of)?;
    let ids: Vec<i64> = loans.iter().map(|l| l.id).collect();
    let signals = tx.floor_signals_of(as_of, &ids)?;
    let found = floors(&loans, &signals, as_of, rules);
    Ok(loans
        .iter()
        .zip(found)
        .find(|(l, _)| l.id == loan_id)
        .and_then(|(_, f)| f))
}

/// A class named in each language: the message picks its own (`{class_en}`, `{class_zh}`).
fn class_args(c: Classification) -> Vec<(&'static str, String)> {
    vec![
        ("class_en", Lang::En.code_name("class", c.code())),
        ("class_zh", Lang::ZhCn.code_name("class", c.code())),
    ]
}

/// Refuses a `classify --as-of` date after the book's today (a demo book's own date, else
/// the calendar): the floors of a day not yet lived would open proposals nobody can check.
pub fn check_classify_date(as_of: NaiveDate, today: NaiveDate) -> Result<()> {
    if as_of > today {
        return Err(WorkflowError::rule(
            "classification_err.as_of_future",
            &[("date", &as_of), ("today", &today)],
        ));
    }
    Ok(())
}

/// A decision's effective date must be on or after the loan's disbursement and its latest
/// classification decision's effective date: refused naming the date it must be on or after.
fn check_effective(
    tx: &Tx<'_>,
    loan_id: i64,
    disbursed_on: NaiveDate,
    effective_on: NaiveDate,
) -> Result<()> {
    let latest = tx.latest_decision_on(loan_id)?;
    let earliest = latest.map_or(disbursed_on, |l| l.max(disbursed_on));
    if effective_on < earliest {
        let key = if latest.is_some_and(|l| l >= disbursed_on) {
            "classification_err.effective_before_decision"
        } else {
            "classification_err.effective_before_disbursed"
        };
        return Err(WorkflowError::rule(
            key,
            &[("date", &effective_on), ("earliest", &earliest)],
        ));
    }
    Ok(())
}

/// A basis `warning:N` / `inspection:N` must be a record of the loan itself.
fn check_basis(tx: &Tx<'_>, basis: &Basis, contract_no: &str) -> Result<()> {
    let (inspection, n) = match basis {
        Basis::Inspection(n) => (true, n),
        Basis::Warning(n) => (false, n),
        _ => return Ok(()),
    };
    match tx.basis_contract(inspection, n)? {
        None => Err(WorkflowError::NotFound {
            what: if inspection { "inspection" } else { "warning" },
            key: n.clone(),
        }),
        Some(of) if of != contract_no => Err(WorkflowError::rule(
            if inspection {
                "classification_err.basis_inspection_other"
            } else {
                "classification_err.basis_warning_other"
            },
            &[("number", n), ("of", &of), ("contract", &contract_no)],
        )),
        Some(_) => Ok(()),
    }
}

fn loan_of(tx: &Tx<'_>, contract_no: &str) -> Result<ClassLoan> {
    tx.class_loan(contract_no)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: contract_no.trim().to_string(),
        })
}

/// The longest reason a proposal, rejection or loan event keeps, in characters.
pub const REASON_MAX_CHARS: usize = 2000;

fn required_text(text: &str) -> Result<String> {
    let t = text.trim().to_string();
    if crate::domain::text::is_blank(&t) {
        return Err(WorkflowError::rule(
            "classification_err.reason_required",
            &[],
        ));
    }
    let chars = t.chars().count();
    if chars > REASON_MAX_CHARS {
        return Err(WorkflowError::rule(
            "classification_err.reason_too_long",
            &[("chars", &chars), ("max", &REASON_MAX_CHARS)],
        ));
    }
    Ok(t)
}

/// Proposes a class for a loan; the proposal's id.
pub fn propose(
    store: &mut Store,
    actor: &Actor,
    p: &Proposal<'_>,
    rules: &ClassificationRules,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| propose_in(tx, actor, p, rules, today))
}

pub fn propose_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    p: &Proposal<'_>,
    rules: &ClassificationRules,
    today: NaiveDate,
) -> Result<i64> {
    // Open to any specialist: a proposal changes nothing until someone else approves it.
    super::authorize_in(tx, actor, Command::ProposeClassification, &Subject::NONE)?;
    let loan = loan_of(tx, p.contract_no)?;
    let reason = required_text(p.reason)?;
    if p.to == loan.class {
        let mut args = class_args(p.to);
        args.push(("contract", loan.contract_no.clone()));
        return Err(WorkflowError::Rule {
            key: "classification_err.same_class",
            args,
        });
    }
    // The floor proposal is the nightly check's own: a person proposes on another basis.
    if p.basis == Basis::Floor {
        return Err(WorkflowError::rule(
            "classification_err.floor_is_the_checks",
            &[],
        ));
    }
    let effective_on = p.effective_on.unwrap_or(today);
    if effective_on > today {
        return Err(WorkflowError::rule(
            "classification_err.effective_future",
            &[("date", &effective_on), ("today", &today)],
        ));
    }
    check_effective(tx, loan.id, loan.disbursed_on, effective_on)?;
    check_basis(tx, &p.basis, &loan.contract_no)?;
    if let Some(other) = tx.pending_proposal_to(loan.id, p.to)? {
        let mut args = class_args(p.to);
        args.push(("contract", loan.contract_no.clone()));
        args.push(("id", other.to_string()));
        return Err(WorkflowError::Rule {
            key: "classification_err.duplicate_pending",
            args,
        });
    }
    // One pending floor proposal a loan (the nightly check keeps it up to date): a second
    // is refused naming the first, never left to the store's unique index and its raw text.
    if p.basis == Basis::Floor
        && let Some(open) = tx.open_floor_proposal(loan.id)?
    {
        return Err(WorkflowError::rule(
            "classification_err.floor_pending",
            &[("contract", &loan.contract_no), ("id", &open)],
        ));
    }
    let floor = floor_in(tx, loan.id, loan.borrower_id, today, rules)?;
    let (basis, basis_ref) = p.basis.parts();
    let id = tx.insert_proposal(&NewProposal {
        loan_id: loan.id,
        from: loan.class,
        to: p.to,
        basis,
        basis_ref,
        reason: &reason,
        floor,
        effective_on,
        proposed_on: today,
        proposer: &actor.username,
    })?;
    tx.audit(
        &actor.username,
        "classification.propose",
        "loan",
        &loan.contract_no,
        &json!({"proposal": id, "from": loan.class.code(), "to": p.to.code(),
                "basis": basis, "basis_ref": basis_ref, "effective_on": effective_on}),
    )?;
    Ok(id)
}

/// The hook of an inspection report's final approval: a class proposed by the report that
/// differs from the loan's becomes a proposal (basis `inspection:NUMBER`, by the report's
/// author), in the approval's transaction. None when the class is the loan's.
pub fn propose_from_inspection_in(
    tx: &mut Tx<'_>,
    loan_id: i64,
    class: Classification,
    number: &str,
    author: &str,
    today: NaiveDate,
) -> Result<Option<i64>> {
    let Some(contract) = tx.contract_of(loan_id)? else {
        return Ok(None);
    };
    let loan = loan_of(tx, &contract)?;
    if loan.class == class {
        return Ok(None);
    }
    let id = tx.insert_proposal(&NewProposal {
        loan_id,
        from: loan.class,
        to: class,
        basis: "inspection",
        basis_ref: number,
        reason: "",
        floor: None,
        effective_on: today,
        proposed_on: today,
        proposer: author,
    })?;
    tx.audit(
        author,
        "classification.propose",
        "loan",
        &loan.contract_no,
        &json!({"proposal": id, "from": loan.class.code(), "to": class.code(),
                "basis": "inspection", "basis_ref": number}),
    )?;
    Ok(Some(id))
}

fn pending(tx: &Tx<'_>, id: i64, expected: Option<i64>) -> Result<ProposalState> {
    let st = tx
        .proposal_state(id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "classification_proposal",
            key: id.to_string(),
        })?;
    if st.status != "pending" {
        return Err(WorkflowError::Rule {
            key: "classification_err.not_pending",
            args: vec![
                ("id", id.to_string()),
                (
                    "status_en",
                    Lang::En.code_name("proposal_status", &st.status),
                ),
                (
                    "status_zh",
                    Lang::ZhCn.code_name("proposal_status", &st.status),
                ),
            ],
        });
    }
    super::check_version(
        &format!("#{id}"),
        expected,
        st.version,
        &st.updated_by,
        &st.updated_at,
    )?;
    Ok(st)
}

/// The upgrade facts of the loan of `st` on `on`.
fn upgrade_facts(
    tx: &Tx<'_>,
    st: &ProposalState,
    on: NaiveDate,
    rules: &ClassificationRules,
) -> Result<UpgradeFacts> {
    let trail = tx.repayment_trail(st.loan_id, on)?;
    let (status_dpd, arrears) = trail
        .last()
        .map_or((0, Decimal::ZERO), |(_, d, a)| (*d, *a));
    let dpd = crate::engine::dpd_as_of(status_dpd, st.outstanding, st.matures_on, on);
    // The first status after the last one in arrears: the day they were repaid.
    let last_late = trail
        .iter()
        .rposition(|(_, d, a)| *d > 0 || *a > Decimal::ZERO);
    let repaid_on = last_late.and_then(|i| trail.get(i + 1)).map(|(d, _, _)| *d);
    let normal_since = match (last_late, repaid_on) {
        (Some(_), Some(d)) => d,
        (Some(_), None) => on,
        (None, _) => tx
            .latest_move_into_npl(st.loan_id)?
            .unwrap_or(st.disbursed_on),
    };
    let signals = tx.floor_signals_of(on, &[st.loan_id])?;
    let observation = signals
        .restructured
        .get(&st.loan_id)
        .map(|(r, missed)| observation_period(st.disbursed_on, *r, missed, rules));
    Ok(UpgradeFacts {
        arrears,
        dpd,
        normal_since,
        on,
        other_npl_loans: tx.other_npl_loans(st.borrower_id, st.loan_id)?,
        observation,
    })
}

fn unmet(c: UnmetCondition) -> WorkflowError {
    match c {
        UnmetCondition::InObservation { until } => {
            WorkflowError::rule("classification_err.in_observation", &[("until", &until)])
        }
        UnmetCondition::ArrearsUnpaid { amount, dpd } => WorkflowError::rule(
            "classification_err.arrears_unpaid",
            &[("amount", &amount), ("dpd", &dpd)],
        ),
        UnmetCondition::NotLongEnough { since, until } => WorkflowError::rule(
            "classification_err.not_long_enough",
            &[("since", &since), ("until", &until)],
        ),
        UnmetCondition::OtherNonPerforming { count } => {
            WorkflowError::rule("classification_err.other_npl", &[("count", &count)])
        }
    }
}

/// Approves one proposal.
pub fn approve(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    expected: Option<i64>,
    comment: &str,
    ctx: &Decide<'_>,
) -> Result<Approved> {
    super::execute(store, actor, |tx| {
        approve_in(tx, actor, id, expected, comment, ctx)
    })
}

/// Approves several proposals, each in its own transaction: a refusal stops none of the
/// others. The results in the order of `ids`.
pub fn approve_many(
    store: &mut Store,
    actor: &Actor,
    ids: &[i64],
    comment: &str,
    ctx: &Decide<'_>,
) -> Vec<(i64, Result<Approved>)> {
    ids.iter()
        .map(|id| (*id, approve(store, actor, *id, None, comment, ctx)))
        .collect()
}

pub fn approve_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    expected: Option<i64>,
    comment: &str,
    ctx: &Decide<'_>,
) -> Result<Approved> {
    let st = pending(tx, id, expected)?;
    let from = st.loan_class;
    let to = st.to;
    may_approve(actor, from, to, &st.proposer)?;
    // The loan may have moved since the proposal: re-checked at the decision.
    if to == from {
        let mut args = class_args(to);
        args.push(("contract", st.contract_no.clone()));
        return Err(WorkflowError::Rule {
            key: "classification_err.already_class",
            args,
        });
    }
    check_effective(tx, st.loan_id, st.disbursed_on, st.effective_on)?;
    let floor = floor_in(tx, st.loan_id, st.borrower_id, ctx.today, ctx.rules)?;
    if let Some(f) = refused_by_floor(to, floor) {
        // The floor's sentence in each language: the message picks its own.
        return Err(WorkflowError::Rule {
            key: "classification_err.below_floor",
            args: vec![
                ("reason_en", floor_sentence(Lang::En, &f)),
                ("reason_zh", floor_sentence(Lang::ZhCn, &f)),
            ],
        });
    }
    if to < from {
        let facts = upgrade_facts(tx, &st, ctx.today, ctx.rules)?;
        if let Some(c) = upgrade_blocker(from, to, &facts, ctx.rules) {
            return Err(unmet(c));
        }
    }
    let comment = comment.trim().to_string();
    tx.set_loan_class(st.loan_id, to, &actor.username)?;
    tx.decide_proposal(st.id, "approved", &actor.username, &comment)?;
    tx.append_history(&NewHistory {
        loan_id: st.loan_id,
        from,
        to,
        effective_on: st.effective_on,
        reason: &st.reason,
        basis: &st.basis,
        basis_ref: &st.basis_ref,
        proposal_id: Some(st.id),
        proposer: &st.proposer,
        approver: &actor.username,
        floor,
    })?;
    // At or below its floor now: a pending floor proposal is no longer needed.
    if let Some(other) = tx.open_floor_proposal(st.loan_id)?
        && other != st.id
        && floor.is_none_or(|f| to >= f.at_least)
    {
        tx.decide_proposal(other, "superseded", &actor.username, "")?;
    }
    let inspection_due = if to > from {
        plan_triggered(tx, st.loan_id, ctx.today, ctx.plan, &actor.username)?
    } else {
        None
    };
    tx.audit_sealed(
        &actor.username,
        "classification.approve",
        "loan",
        &st.contract_no,
        &json!({"proposal": st.id, "before": {"class": from.code()}, "after": {"class": to.code()},
                "effective_on": st.effective_on, "comment": comment,
                "inspection_due": inspection_due}),
        &[(crate::store::Sealed::LOAN_CLASS, st.loan_id)],
    )?;
    Ok(Approved {
        id: st.id,
        contract_no: st.contract_no,
        from,
        to,
        inspection_due,
    })
}

/// A downgrade is a signal for a triggered inspection: plans it through the inspection plan
/// (as an orange or red warning does), within the configured working days of `on`.
fn plan_triggered(
    tx: &mut Tx<'_>,
    loan_id: i64,
    on: NaiveDate,
    cfg: &PlanConfig,
    actor: &str,
) -> Result<Option<NaiveDate>> {
    let mut loans = tx.plan_chunk(loan_id.saturating_sub(1), 1)?;
    loans.retain(|l| l.loan_id == loan_id);
    let Some(l) = loans.first_mut() else {
        return Ok(None);
    };
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
    tx.write_plan(&loans, &[due], actor)?;
    Ok(triggered)
}

/// May `actor` approve a proposal by `proposer` moving a loan from `from` to `to`? (An
/// upgrade out of non-performing is the manager's; a class above the supervisor's limit too;
/// never one's own.) The command's own rule; a screen asks it before it opens the form.
pub fn may_approve(
    actor: &Actor,
    from: Classification,
    to: Classification,
    proposer: &str,
) -> Result<()> {
    let command = if from.is_non_performing() && !to.is_non_performing() {
        Command::ApproveNplUpgrade
    } else {
        Command::ApproveClassification(to)
    };
    actor.authorize(command, &Subject::made_by(proposer))
}

/// May `actor` reject a proposal by `proposer`? The command's own rule, asked by a screen
/// before it opens the form.
pub fn may_reject(actor: &Actor, proposer: &str) -> Result<()> {
    actor.authorize(Command::RejectClassification, &Subject::made_by(proposer))
}

/// Rejects a proposal; the reason is required.
pub fn reject(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    expected: Option<i64>,
    reason: &str,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let st = pending(tx, id, expected)?;
        may_reject(actor, &st.proposer)?;
        let reason = required_text(reason)?;
        tx.decide_proposal(st.id, "rejected", &actor.username, &reason)?;
        tx.audit(
            &actor.username,
            "classification.reject",
            "loan",
            &st.contract_no,
            &json!({"proposal": st.id, "to": st.to.code(), "reason": reason}),
        )?;
        Ok(())
    })
}

/// Records a restructuring (`impairment` false) or a credit impairment of a loan on `on`.
pub fn record_event(
    store: &mut Store,
    actor: &Actor,
    impairment: bool,
    contract_no: &str,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        let command = if impairment {
            Command::RecordImpairment
        } else {
            Command::RecordRestructuring
        };
        super::authorize_in(tx, actor, command, &Subject::NONE)?;
        let loan = loan_of(tx, contract_no)?;
        let reason = required_text(reason)?;
        if on > today {
            return Err(WorkflowError::rule(
                "classification_err.effective_future",
                &[("date", &on), ("today", &today)],
            ));
        }
        if impairment && let Some((since, cleared)) = tx.cleared_impairment_holding(loan.id, on)? {
            return Err(WorkflowError::rule(
                "classification_err.in_cleared_period",
                &[("date", &on), ("since", &since), ("cleared", &cleared)],
            ));
        }
        if !tx.record_loan_event(impairment, loan.id, on, &reason, &actor.username)? {
            return Err(WorkflowError::rule(
                "classification_err.already_recorded",
                &[("contract", &loan.contract_no), ("date", &on)],
            ));
        }
        let what = if impairment {
            "classification.impaired"
        } else {
            "classification.restructured"
        };
        tx.audit(
            &actor.username,
            what,
            "loan",
            &loan.contract_no,
            &json!({"on": on, "reason": reason}),
        )?;
        Ok(())
    })
}

/// Clears the loan's credit impairment from `on`: from that date the 次级 floor no longer
/// applies (before it, it still does). The impairment's row stays, saying when it ended, why
/// and who; a supervisor or manager, as recording it.
pub fn clear_impairment(
    store: &mut Store,
    actor: &Actor,
    contract_no: &str,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        super::authorize_in(tx, actor, Command::RecordImpairment, &Subject::NONE)?;
        let loan = loan_of(tx, contract_no)?;
        let reason = required_text(reason)?;
        if on > today {
            return Err(WorkflowError::rule(
                "classification_err.effective_future",
                &[("date", &on), ("today", &today)],
            ));
        }
        let Some(since) = tx.open_impairment(loan.id)? else {
            return Err(WorkflowError::rule(
                "classification_err.not_impaired",
                &[("contract", &loan.contract_no)],
            ));
        };
        if on < since {
            return Err(WorkflowError::rule(
                "classification_err.cleared_before_impaired",
                &[("date", &on), ("since", &since)],
            ));
        }
        tx.clear_impairment(loan.id, on, &reason, &actor.username)?;
        tx.audit(
            &actor.username,
            "classification.impairment_cleared",
            "loan",
            &loan.contract_no,
            &json!({"on": on, "reason": reason, "impaired_on": since}),
        )?;
        Ok(())
    })
}

/// One row of a loans import: the loan written (a loan new to the book takes the file's
/// class); for a loan already in the book a different class in the file becomes a proposal
/// (basis `import`, by the importer), never a change; a restructuring date or an impairment
/// in the file is recorded (and `credit_impaired` no clears one); the balance is kept in the balance history when it changed.
pub fn import_loan_in(
    tx: &mut Tx<'_>,
    rec: &crate::domain::LoanRecord,
    actor: &str,
    today: NaiveDate,
) -> std::result::Result<crate::store::Outcome, crate::store::StoreError> {
    use crate::store::Outcome;
    let (mut outcome, loan_id, before) = tx.upsert_loan_keyed(rec, actor)?;
    let changed = |o: &mut Outcome| {
        if *o == Outcome::Unchanged {
            *o = Outcome::Updated;
        }
    };
    if let (Some((class_before, _)), Some(class)) = (before, rec.classification)
        && class != class_before
        && tx.open_proposal_to(loan_id, class, "import")?.is_none()
    {
        let id = tx.insert_proposal(&NewProposal {
            loan_id,
            from: class_before,
            to: class,
            basis: "import",
            basis_ref: "",
            reason: "",
            floor: None,
            effective_on: today,
            proposed_on: today,
            proposer: actor,
        })?;
        tx.audit(
            actor,
            "classification.propose",
            "loan",
            &rec.contract_no,
            &json!({"proposal": id, "from": class_before.code(), "to": class.code(), "basis": "import"}),
        )?;
        changed(&mut outcome);
    }
    if let Some(on) = rec.restructured_on
        && tx.record_loan_event(false, loan_id, on, "import", actor)?
    {
        changed(&mut outcome);
    }
    if rec.credit_impaired == Some(true)
        && !tx.is_impaired(loan_id)?
        && tx.record_loan_event(true, loan_id, today, "import", actor)?
    {
        changed(&mut outcome);
    }
    // `credit_impaired` no/false/0 for a loan impaired now: the impairment ends today.
    if rec.credit_impaired == Some(false)
        && let Some(since) = tx.open_impairment(loan_id)?
        && since <= today
        && tx.clear_impairment(loan_id, today, "import", actor)? > 0
    {
        tx.audit(
            actor,
            "classification.impairment_cleared",
            "loan",
            &rec.contract_no,
            &json!({"on": today, "reason": "import", "impaired_on": since}),
        )?;
        changed(&mut outcome);
    }
    // The balance history: a new loan's first balance, or a changed one.
    if before.is_none_or(|(_, out)| out != rec.outstanding) {
        tx.put_balance(loan_id, today, rec.outstanding)?;
    }
    Ok(outcome)
}
