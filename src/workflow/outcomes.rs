//! Step 5's outcomes and legal clocks: demands for payment, legal steps, recoveries, early
//! recall, collateral added, write-off and closing, each one command in one transaction.
//!
//! Recall: the loan's status becomes `recalled` and the recall date is when the whole claim
//! fell due (the limitation clock runs from it). The overdue amounts and days stay what the
//! core-banking repayment status says: the next repayments import carries the recalled
//! amount as overdue; this step records no overdue of its own.

use super::{Actor, Command, Result, Subject, WorkflowError, check_version};
use crate::domain::CollateralKind;
use crate::domain::legal::{AssetKind, DemandChannel, LegalClockRules, LegalEventKind};
use crate::domain::money::format_money;
use crate::domain::recovery::{
    self, AmountRule, LoanStatus, LoanStep, RecoveryAmounts, RecoveryKind,
};
use crate::domain::text::{as_given_lines, is_blank};
use crate::engine::rules::RuleSet;
use crate::store::{
    CaseLink, ClockQuery, ClockRow, NewLegalEvent, NewRecovery, OutcomeLoan, Store, Tx,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use super::warning::{EvalReport, evaluate_loan_in};

/// The loan `contract_no`, refused unless its status allows `step`.
fn loan_for(tx: &Tx<'_>, contract_no: &str, step: LoanStep) -> Result<OutcomeLoan> {
    let loan = tx
        .outcome_loan(contract_no)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: contract_no.trim().to_string(),
        })?;
    if !loan.status.allows(step) {
        return Err(WorkflowError::rule(
            "outcomes_err.status",
            &[
                ("contract", &loan.contract_no),
                ("status", &format!("@loan_status.{}", loan.status.code())),
            ],
        ));
    }
    Ok(loan)
}

/// Text a person must give (a reason), sanitised; refused when empty.
fn required(text: &str, what: &'static str) -> Result<String> {
    let t = as_given_lines(text.trim());
    if is_blank(&t) {
        return Err(WorkflowError::rule(
            "outcomes_err.required",
            &[("what", &format!("@outcomes_field.{what}"))],
        ));
    }
    Ok(t)
}

/// A date of something that happened: not after today.
fn not_future(on: NaiveDate, today: NaiveDate) -> Result<()> {
    if on > today {
        return Err(WorkflowError::rule(
            "outcomes_err.future",
            &[("date", &on), ("today", &today)],
        ));
    }
    Ok(())
}

/// A date of something that happened to `loan`: not before its disbursement, not after today.
fn dated(on: NaiveDate, loan: &OutcomeLoan, today: NaiveDate) -> Result<()> {
    if on < loan.disbursed_on {
        return Err(WorkflowError::rule(
            "outcomes_err.before_disbursement",
            &[
                ("date", &on),
                ("contract", &loan.contract_no),
                ("disbursed", &loan.disbursed_on),
            ],
        ));
    }
    not_future(on, today)
}

/// The risk case a step on `loan` belongs to: the case named (it must exist, be the loan's
/// borrower's and be open), else the borrower's open case, if any.
fn case_of(tx: &Tx<'_>, case_id: Option<i64>, loan: &OutcomeLoan) -> Result<Option<CaseLink>> {
    let Some(id) = case_id else {
        return Ok(tx.open_case_link(loan.borrower_id)?);
    };
    let c = tx.case_link(id)?.ok_or_else(|| WorkflowError::NotFound {
        what: "case",
        key: format!("#{id}"),
    })?;
    if c.borrower_id != loan.borrower_id {
        return Err(WorkflowError::rule(
            "outcomes_err.case_other_borrower",
            &[("number", &c.number), ("contract", &loan.contract_no)],
        ));
    }
    if !c.open {
        return Err(WorkflowError::rule(
            "disposal_err.case_closed",
            &[("number", &c.number)],
        ));
    }
    Ok(Some(c))
}

/// Adds the step to the case's history, when the loan has an open case.
fn case_history(
    tx: &mut Tx<'_>,
    case: &Option<CaseLink>,
    on: NaiveDate,
    actor: &Actor,
    event: &str,
    loan: &OutcomeLoan,
    note: &str,
) -> Result<()> {
    if let Some(c) = case {
        tx.case_event(c.id, on, &actor.username, event, &loan.contract_no, note)?;
    }
    Ok(())
}

/// An amount rule's refusal, the outstanding said in the loan's currency.
fn amount_refusal(e: AmountRule, currency: &str) -> WorkflowError {
    match e {
        AmountRule::Negative { field } => WorkflowError::rule(
            "outcomes_err.negative",
            &[("field", &format!("@outcomes_field.{field}"))],
        ),
        AmountRule::TooPrecise { field } => WorkflowError::rule(
            "outcomes_err.too_precise",
            &[("field", &format!("@outcomes_field.{field}"))],
        ),
        AmountRule::Nothing => WorkflowError::rule("outcomes_err.nothing", &[]),
        AmountRule::AboveOutstanding {
            amount,
            outstanding,
        } => WorkflowError::rule(
            "outcomes_err.above_outstanding",
            &[
                ("amount", &format_money(amount, currency)),
                ("outstanding", &format_money(outstanding, currency)),
            ],
        ),
        AmountRule::AboveWrittenOff { amount, left } => WorkflowError::rule(
            "outcomes_err.above_written_off",
            &[
                ("amount", &format_money(amount, currency)),
                ("left", &format_money(left, currency)),
            ],
        ),
    }
}

/// A demand for payment to record.
#[derive(Debug, Clone)]
pub struct DemandInput<'a> {
    pub contract_no: &'a str,
    pub on: NaiveDate,
    pub channel: DemandChannel,
    pub note: &'a str,
    pub case_id: Option<i64>,
}

/// Records a demand for payment (it restarts the limitation period); its id.
pub fn record_demand(
    store: &mut Store,
    actor: &Actor,
    d: &DemandInput<'_>,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| record_demand_in(tx, actor, d, today))
}

pub fn record_demand_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    d: &DemandInput<'_>,
    today: NaiveDate,
) -> Result<i64> {
    let loan = loan_for(tx, d.contract_no, LoanStep::Record)?;
    super::authorize_in(
        tx,
        actor,
        Command::RecordDemand,
        &Subject::loan_of(&loan.officer),
    )?;
    dated(d.on, &loan, today)?;
    let case = case_of(tx, d.case_id, &loan)?;
    let case_id = case.as_ref().map(|c| c.id);
    let note = as_given_lines(d.note.trim());
    let id = tx.insert_demand(
        loan.id,
        case_id,
        d.on,
        d.channel.code(),
        &note,
        &actor.username,
    )?;
    case_history(tx, &case, d.on, actor, "demand", &loan, d.channel.code())?;
    tx.audit(
        &actor.username,
        "outcome.demand",
        "loan",
        &loan.contract_no,
        &json!({"id": id, "on": d.on, "channel": d.channel.code(), "note": note, "case_id": case_id}),
    )?;
    Ok(id)
}

/// A legal step to record.
#[derive(Debug, Clone)]
pub struct LegalInput<'a> {
    pub contract_no: &'a str,
    pub kind: LegalEventKind,
    pub asset: Option<AssetKind>,
    pub on: NaiveDate,
    pub reference: &'a str,
    pub note: &'a str,
    pub case_id: Option<i64>,
}

/// Records a preservation ruling, a suit filed, a seizure or a seizure's renewal; its id.
pub fn record_legal(
    store: &mut Store,
    actor: &Actor,
    e: &LegalInput<'_>,
    today: NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| record_legal_in(tx, actor, e, today))
}

pub fn record_legal_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    e: &LegalInput<'_>,
    today: NaiveDate,
) -> Result<i64> {
    // Seniors only (no specialist reaches it), so no officer check on the loan.
    super::authorize_in(tx, actor, Command::RecordLegalEvent, &Subject::NONE)?;
    let loan = loan_for(tx, e.contract_no, LoanStep::Record)?;
    dated(e.on, &loan, today)?;
    let case = case_of(tx, e.case_id, &loan)?;
    let case_id = case.as_ref().map(|c| c.id);
    let asset = match (e.kind.needs_asset(), e.asset) {
        (true, None) => return Err(WorkflowError::rule("outcomes_err.asset_required", &[])),
        (true, a) => a,
        (false, _) => None,
    };
    let mut seizure_id = None;
    if let (LegalEventKind::SeizureRenewal, Some(a)) = (e.kind, asset) {
        let (id, seized_on) = tx.last_seizure(loan.id, a)?.ok_or_else(|| {
            WorkflowError::rule(
                "outcomes_err.no_seizure",
                &[
                    ("contract", &loan.contract_no),
                    ("asset", &format!("@asset_kind.{}", a.code())),
                ],
            )
        })?;
        if e.on < seized_on {
            return Err(WorkflowError::rule(
                "outcomes_err.renewal_before_seizure",
                &[("date", &e.on), ("seized", &seized_on)],
            ));
        }
        seizure_id = Some(id);
    }
    let reference = as_given_lines(e.reference.trim());
    let note = as_given_lines(e.note.trim());
    let id = tx.insert_legal_event(
        &NewLegalEvent {
            loan_id: loan.id,
            case_id,
            kind: e.kind,
            asset,
            seizure_id,
            on: e.on,
            reference: &reference,
            note: &note,
        },
        &actor.username,
    )?;
    case_history(tx, &case, e.on, actor, "legal", &loan, e.kind.code())?;
    tx.audit(
        &actor.username,
        "outcome.legal",
        "loan",
        &loan.contract_no,
        &json!({"id": id, "kind": e.kind.code(), "asset": asset.map(AssetKind::code),
                "seizure": seizure_id, "on": e.on, "reference": reference, "note": note,
                "case_id": case_id}),
    )?;
    Ok(id)
}

/// A recovery to record.
#[derive(Debug, Clone)]
pub struct RecoveryInput<'a> {
    pub contract_no: &'a str,
    pub on: NaiveDate,
    pub kind: RecoveryKind,
    pub amounts: RecoveryAmounts,
    pub note: &'a str,
    pub case_id: Option<i64>,
    /// The loan's version the screen showed (`None`: the current one).
    pub expected_version: Option<i64>,
}

/// A recovery recorded on a risk case (`case recover`): the loan is the case's only loan
/// with a balance unless `contract` names one of the case's loans.
#[derive(Debug, Clone)]
pub struct CaseRecoveryInput<'a> {
    /// The case number users see.
    pub case: &'a str,
    pub contract: Option<&'a str>,
    pub on: NaiveDate,
    pub kind: RecoveryKind,
    pub amounts: RecoveryAmounts,
    pub note: &'a str,
}

/// Records a recovery on a case's loan (see [`CaseRecoveryInput`]): the case must be open;
/// a case with several loans needs the contract, and the refusal names them.
pub fn record_case_recovery(
    store: &mut Store,
    actor: &Actor,
    r: &CaseRecoveryInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<BalanceChange> {
    super::execute(store, actor, |tx| {
        super::authorize_in(tx, actor, Command::RecordRecovery, &Subject::NONE)?;
        let c = tx
            .case_state(r.case)?
            .ok_or_else(|| WorkflowError::NotFound {
                what: "case",
                key: r.case.trim().to_string(),
            })?;
        if c.status != crate::domain::disposal::CaseStatus::Open {
            return Err(WorkflowError::rule(
                "disposal_err.case_closed",
                &[("number", &c.number)],
            ));
        }
        let contracts = tx.case_contracts(c.id)?;
        let contract = match r.contract.map(str::trim) {
            Some(k) => {
                if tx.case_loan_by_contract(c.id, k)?.is_none() {
                    return Err(WorkflowError::rule(
                        "outcomes_err.contract_not_in_case",
                        &[
                            ("contract", &k),
                            ("number", &c.number),
                            ("contracts", &contracts.join(", ")),
                        ],
                    ));
                }
                k.to_string()
            }
            None => match contracts.as_slice() {
                [only] => only.clone(),
                [] => {
                    return Err(WorkflowError::rule(
                        "outcomes_err.case_no_balance",
                        &[("number", &c.number)],
                    ));
                }
                _ => {
                    return Err(WorkflowError::rule(
                        "outcomes_err.contract_needed",
                        &[("number", &c.number), ("contracts", &contracts.join(", "))],
                    ));
                }
            },
        };
        record_recovery_in(
            tx,
            actor,
            &RecoveryInput {
                contract_no: &contract,
                on: r.on,
                kind: r.kind,
                amounts: r.amounts,
                note: r.note,
                case_id: Some(c.id),
                expected_version: None,
            },
            rules,
            today,
        )
    })
}

/// What a recovery or a write-off did to the loan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BalanceChange {
    pub id: i64,
    pub contract_no: String,
    pub currency: String,
    pub outstanding_before: Decimal,
    pub outstanding_after: Decimal,
    pub status: LoanStatus,
    /// Principal recovered after the loan's full write-off (账销案存): it did not reduce the
    /// outstanding. Zero for a write-off and for a loan with a balance.
    pub after_write_off: Decimal,
    /// The loan's re-evaluation (its collateral coverage moved with the outstanding).
    pub evaluation: EvalReport,
}

impl BalanceChange {
    /// The translation key that says what a recovery did: reduced the outstanding, or was
    /// recovered after the write-off.
    pub fn recovered_key(&self) -> &'static str {
        if self.after_write_off.is_zero() {
            "outcomes_cli.recovered"
        } else {
            "outcomes_cli.recovered_after_write_off"
        }
    }
}

/// Records a recovery: its principal comes off the outstanding (never below zero), the
/// balance history gets the day's balance, and the loan is re-evaluated.
pub fn record_recovery(
    store: &mut Store,
    actor: &Actor,
    r: &RecoveryInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<BalanceChange> {
    super::execute(store, actor, |tx| {
        record_recovery_in(tx, actor, r, rules, today)
    })
}

pub fn record_recovery_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    r: &RecoveryInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<BalanceChange> {
    super::authorize_in(tx, actor, Command::RecordRecovery, &Subject::NONE)?;
    let loan = loan_for(tx, r.contract_no, LoanStep::Recover)?;
    check_version(
        &loan.contract_no,
        r.expected_version,
        loan.version,
        &loan.updated_by,
        &loan.updated_at,
    )?;
    dated(r.on, &loan, today)?;
    let case = case_of(tx, r.case_id, &loan)?;
    let case_id = case.as_ref().map(|c| c.id);
    r.amounts
        .check()
        .map_err(|e| amount_refusal(e, &loan.currency))?;
    // A written-off loan is still pursued (账销案存): what comes in on it is recovered after
    // write-off and leaves its outstanding at zero; it may not be dated before the write-off.
    let (recovered_after, written_off_on) = if loan.status == LoanStatus::WrittenOff {
        tx.recovered_after_write_off(loan.id)?
    } else {
        (Decimal::ZERO, None)
    };
    if let Some(w) = written_off_on
        && r.on < w
    {
        return Err(WorkflowError::rule(
            "outcomes_err.before_write_off",
            &[
                ("date", &r.on),
                ("contract", &loan.contract_no),
                ("written_off_on", &w),
            ],
        ));
    }
    let (after, after_write_off) = recovery::principal_lands(
        loan.status,
        loan.outstanding,
        loan.written_off,
        recovered_after,
        r.amounts.reduces_outstanding(),
    )
    .map_err(|e| amount_refusal(e, &loan.currency))?;
    let note = as_given_lines(r.note.trim());
    let id = tx.insert_recovery(
        &NewRecovery {
            loan_id: loan.id,
            case_id,
            on: r.on,
            kind: r.kind,
            amounts: r.amounts,
            note: &note,
        },
        &actor.username,
    )?;
    let mut evaluation = EvalReport::default();
    if after != loan.outstanding {
        tx.set_loan_outcome(loan.id, after, loan.status, &actor.username)?;
        tx.put_balance(loan.id, r.on, after)?;
        evaluation = evaluate_loan_in(tx, rules, loan.id, today)?;
    }
    case_history(
        tx,
        &case,
        r.on,
        actor,
        "recovery",
        &loan,
        &format_money(r.amounts.total(), &loan.currency),
    )?;
    tx.audit(
        &actor.username,
        "outcome.recovery",
        "loan",
        &loan.contract_no,
        &json!({"id": id, "on": r.on, "kind": r.kind.code(), "principal": r.amounts.principal,
                "interest": r.amounts.interest, "costs": r.amounts.costs,
                "outstanding_before": loan.outstanding, "outstanding_after": after,
                "after_write_off": after_write_off, "note": note, "case_id": case_id}),
    )?;
    Ok(BalanceChange {
        id,
        contract_no: loan.contract_no,
        currency: loan.currency,
        outstanding_before: loan.outstanding,
        outstanding_after: after,
        status: loan.status,
        after_write_off,
        evaluation,
    })
}

/// A status step (recall or close) to take.
#[derive(Debug, Clone)]
pub struct StatusInput<'a> {
    pub contract_no: &'a str,
    pub on: NaiveDate,
    pub reason: &'a str,
    pub case_id: Option<i64>,
    pub expected_version: Option<i64>,
}

/// The opening of a status change (recall, close): may the actor, the loan in a status that
/// allows the step, the version the caller saw, a reason, a date not after today.
fn status_step(
    tx: &mut Tx<'_>,
    actor: &Actor,
    command: Command,
    step: LoanStep,
    s: &StatusInput<'_>,
    today: NaiveDate,
) -> Result<(OutcomeLoan, String, Option<CaseLink>)> {
    super::authorize_in(tx, actor, command, &Subject::NONE)?;
    let loan = loan_for(tx, s.contract_no, step)?;
    check_version(
        &loan.contract_no,
        s.expected_version,
        loan.version,
        &loan.updated_by,
        &loan.updated_at,
    )?;
    let reason = required(s.reason, "reason")?;
    dated(s.on, &loan, today)?;
    let case = case_of(tx, s.case_id, &loan)?;
    Ok((loan, reason, case))
}

/// Recalls a loan early (提前收回): status `recalled` from `on`; the whole outstanding falls
/// due then (see the module's note on overdue amounts).
pub fn recall(
    store: &mut Store,
    actor: &Actor,
    s: &StatusInput<'_>,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| recall_in(tx, actor, s, today))
}

pub fn recall_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    s: &StatusInput<'_>,
    today: NaiveDate,
) -> Result<()> {
    let (loan, reason, case) =
        status_step(tx, actor, Command::RecallLoan, LoanStep::Recall, s, today)?;
    if loan.outstanding <= Decimal::ZERO {
        return Err(WorkflowError::rule(
            "outcomes_err.nothing_to_recall",
            &[("contract", &loan.contract_no)],
        ));
    }
    tx.set_recalled(loan.id, s.on, &actor.username)?;
    let case_id = case.as_ref().map(|c| c.id);
    tx.insert_status_event(
        loan.id,
        case_id,
        LoanStatus::Recalled,
        s.on,
        &reason,
        &actor.username,
    )?;
    case_history(tx, &case, s.on, actor, "recall", &loan, &reason)?;
    tx.audit(
        &actor.username,
        "outcome.recall",
        "loan",
        &loan.contract_no,
        &json!({"on": s.on, "reason": reason, "outstanding": loan.outstanding, "case_id": case_id}),
    )?;
    Ok(())
}

/// Closes a loan: refused unless its outstanding is 0 (the refusal names it).
pub fn close(
    store: &mut Store,
    actor: &Actor,
    s: &StatusInput<'_>,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| close_in(tx, actor, s, today))
}

pub fn close_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    s: &StatusInput<'_>,
    today: NaiveDate,
) -> Result<()> {
    let (loan, reason, case) =
        status_step(tx, actor, Command::CloseLoan, LoanStep::Close, s, today)?;
    if !loan.outstanding.is_zero() {
        return Err(WorkflowError::rule(
            "outcomes_err.close_outstanding",
            &[
                ("contract", &loan.contract_no),
                (
                    "outstanding",
                    &format_money(loan.outstanding, &loan.currency),
                ),
            ],
        ));
    }
    tx.set_closed(loan.id, s.on, &actor.username)?;
    let case_id = case.as_ref().map(|c| c.id);
    tx.insert_status_event(
        loan.id,
        case_id,
        LoanStatus::Closed,
        s.on,
        &reason,
        &actor.username,
    )?;
    case_history(tx, &case, s.on, actor, "loan_closed", &loan, &reason)?;
    tx.audit(
        &actor.username,
        "outcome.close",
        "loan",
        &loan.contract_no,
        &json!({"on": s.on, "reason": reason, "written_off": loan.written_off, "case_id": case_id}),
    )?;
    Ok(())
}

/// A write-off to record.
#[derive(Debug, Clone)]
pub struct WriteOffInput<'a> {
    pub contract_no: &'a str,
    pub on: NaiveDate,
    pub amount: Decimal,
    pub reason: &'a str,
    pub case_id: Option<i64>,
    pub expected_version: Option<i64>,
}

/// Writes off (part of) a loan (核销): managers only, with a reason; at most the outstanding.
/// The outstanding falls, the written-off amount stays on the loan; the status becomes
/// `written_off` when nothing is left outstanding.
pub fn write_off(
    store: &mut Store,
    actor: &Actor,
    w: &WriteOffInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<BalanceChange> {
    super::execute(store, actor, |tx| write_off_in(tx, actor, w, rules, today))
}

pub fn write_off_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    w: &WriteOffInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<BalanceChange> {
    super::authorize_in(tx, actor, Command::WriteOff, &Subject::NONE)?;
    let loan = loan_for(tx, w.contract_no, LoanStep::WriteOff)?;
    check_version(
        &loan.contract_no,
        w.expected_version,
        loan.version,
        &loan.updated_by,
        &loan.updated_at,
    )?;
    let reason = required(w.reason, "reason")?;
    dated(w.on, &loan, today)?;
    let case = case_of(tx, w.case_id, &loan)?;
    let case_id = case.as_ref().map(|c| c.id);
    let after = recovery::write_off(loan.outstanding, w.amount)
        .map_err(|e| amount_refusal(e, &loan.currency))?;
    let status = recovery::status_after_write_off(loan.status, after);
    let total = loan.written_off + w.amount;
    let id = tx.insert_write_off(
        loan.id,
        case_id,
        w.on,
        w.amount,
        total,
        &reason,
        &actor.username,
    )?;
    tx.set_loan_outcome(loan.id, after, status, &actor.username)?;
    tx.put_balance(loan.id, w.on, after)?;
    let evaluation = evaluate_loan_in(tx, rules, loan.id, today)?;
    case_history(
        tx,
        &case,
        w.on,
        actor,
        "write_off",
        &loan,
        &format_money(w.amount, &loan.currency),
    )?;
    tx.audit(
        &actor.username,
        "outcome.write_off",
        "loan",
        &loan.contract_no,
        &json!({"id": id, "on": w.on, "amount": w.amount, "reason": reason,
                "outstanding_before": loan.outstanding, "outstanding_after": after,
                "written_off": total, "status": status.code(), "case_id": case_id}),
    )?;
    Ok(BalanceChange {
        id,
        contract_no: loan.contract_no,
        currency: loan.currency,
        outstanding_before: loan.outstanding,
        outstanding_after: after,
        status,
        after_write_off: Decimal::ZERO,
        evaluation,
    })
}

/// Collateral added to a loan (追加担保).
#[derive(Debug, Clone)]
pub struct CollateralInput<'a> {
    pub contract_no: &'a str,
    pub kind: CollateralKind,
    pub description: &'a str,
    pub value: Decimal,
    pub on: NaiveDate,
}

/// Adds collateral to a loan and re-evaluates the loan in the same transaction, so its
/// coverage and the warnings that depend on it move at once.
pub fn add_collateral(
    store: &mut Store,
    actor: &Actor,
    c: &CollateralInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<EvalReport> {
    super::execute(store, actor, |tx| {
        add_collateral_in(tx, actor, c, rules, today)
    })
}

pub fn add_collateral_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    c: &CollateralInput<'_>,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<EvalReport> {
    let loan = loan_for(tx, c.contract_no, LoanStep::Record)?;
    super::authorize_in(
        tx,
        actor,
        Command::AddCollateral,
        &Subject::loan_of(&loan.officer),
    )?;
    let description = required(c.description, "description")?;
    dated(c.on, &loan, today)?;
    let case = case_of(tx, None, &loan)?;
    recovery::check_amount("value", c.value).map_err(|e| amount_refusal(e, &loan.currency))?;
    if c.value.is_zero() {
        return Err(WorkflowError::rule("outcomes_err.value_zero", &[]));
    }
    if !tx.add_collateral(
        loan.id,
        c.kind,
        &description,
        c.value,
        c.on,
        &actor.username,
    )? {
        return Err(WorkflowError::rule(
            "outcomes_err.collateral_exists",
            &[
                ("contract", &loan.contract_no),
                ("description", &description),
            ],
        ));
    }
    case_history(
        tx,
        &case,
        c.on,
        actor,
        "collateral_added",
        &loan,
        &format_money(c.value, &loan.currency),
    )?;
    tx.audit(
        &actor.username,
        "outcome.collateral_added",
        "loan",
        &loan.contract_no,
        &json!({"kind": c.kind.code(), "description": description, "value": c.value, "on": c.on}),
    )?;
    evaluate_loan_in(tx, rules, loan.id, today)
}

/// The nightly clock check: every legal clock ending within `within` days of `as_of` (each
/// clock's own warn-ahead days when `None`), or already run out, soonest first.
pub fn clocks_due(
    store: &Store,
    as_of: NaiveDate,
    within: Option<u32>,
    officer: Option<&str>,
    rules: &LegalClockRules,
) -> Result<Vec<ClockRow>> {
    Ok(store.clocks_due(
        &ClockQuery {
            as_of,
            within,
            officer,
        },
        rules,
    )?)
}

/// How many clocks are due as of `as_of` (each within its own warn-ahead days), and the
/// first `limit`, soonest first: Today's block, cheap on any size of book.
pub fn clocks_due_first(
    store: &Store,
    as_of: NaiveDate,
    officer: Option<&str>,
    rules: &LegalClockRules,
    limit: usize,
) -> Result<(usize, Vec<ClockRow>)> {
    Ok(store.clocks_due_first(
        &ClockQuery {
            as_of,
            within: None,
            officer,
        },
        rules,
        limit,
    )?)
}

#[cfg(test)]
#[path = "outcomes_tests.rs"]
mod tests;
