//! Step 1, post-disbursement tracking: contacts with the borrower (visits, calls, meetings)
//! and financial statements entered by hand. Each moves the loan's next follow-up date.

use super::warning::{self, EvalReport};
use super::{Actor, Result, WorkflowError};
use super::{Command, Subject};
use crate::domain::text::as_given_lines;
use crate::domain::{ContactRecord, RepaymentRecord, StatementRecord};
use crate::engine::rules::RuleSet;
use crate::store::{Outcome, Store, Tx};
use chrono::NaiveDate;
use serde_json::json;

/// Records a contact; returns its id.
pub fn record_contact(
    store: &mut Store,
    actor: &Actor,
    rec: &ContactRecord,
    today: chrono::NaiveDate,
) -> Result<i64> {
    super::execute(store, actor, |tx| record_contact_in(tx, actor, rec, today))
}

/// [`record_contact`] in the caller's transaction.
pub fn record_contact_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    rec: &ContactRecord,
    today: chrono::NaiveDate,
) -> Result<i64> {
    // Open to any specialist: covering for an absent colleague's visit or call is normal.
    super::authorize_in(tx, actor, Command::RecordContact, &Subject::NONE)?;
    if rec.contact_on > today {
        return Err(WorkflowError::rule(
            "workflow_err.contact_future",
            &[("date", &rec.contact_on), ("today", &today)],
        ));
    }
    let rec = ContactRecord {
        notes: as_given_lines(&rec.notes),
        ..rec.clone()
    };
    let id = tx.insert_contact(&rec, &actor.username)?;
    tx.audit(
        &actor.username,
        "contact.record",
        "loan",
        &rec.contract_no,
        &json!({"contact_id": id, "on": rec.contact_on, "kind": rec.kind.code(), "notes": rec.notes}),
    )?;
    Ok(id)
}

/// Enters (or corrects) a financial statement for a borrower and re-evaluates the warning
/// indicators of the borrower's loans, in one transaction.
pub fn enter_statement(
    store: &mut Store,
    actor: &Actor,
    rec: &StatementRecord,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<(Outcome, EvalReport)> {
    super::execute(store, actor, |tx| {
        let outcome = enter_statement_in(tx, actor, rec, today)?;
        let mut report = EvalReport::default();
        if outcome != Outcome::Unchanged {
            for loan_id in tx.loan_ids_of_borrower(&rec.borrower_code)? {
                report.add(&warning::evaluate_loan_in(tx, rules, loan_id, today)?);
            }
        }
        Ok((outcome, report))
    })
}

/// Enters a statement in the caller's transaction (without the re-evaluation).
pub fn enter_statement_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    rec: &StatementRecord,
    today: NaiveDate,
) -> Result<Outcome> {
    // Open to any specialist: data entry, often done for a colleague.
    super::authorize_in(tx, actor, Command::EnterStatement, &Subject::NONE)?;
    if rec.current_assets > rec.total_assets {
        return Err(WorkflowError::rule(
            "workflow_err.current_over_total",
            &[
                ("current", &rec.current_assets),
                ("total", &rec.total_assets),
            ],
        ));
    }
    if rec.period_end > today {
        return Err(WorkflowError::rule(
            "workflow_err.period_future",
            &[("date", &rec.period_end), ("today", &today)],
        ));
    }
    let before = tx.statement_in_tx(&rec.borrower_code, rec.period_end)?;
    let outcome = tx.upsert_statement(rec, "manual", &actor.username)?;
    if outcome != Outcome::Unchanged {
        tx.audit(
            &actor.username,
            "statement.enter",
            "borrower",
            &rec.borrower_code,
            &json!({"period_end": rec.period_end, "before": before, "after": rec}),
        )?;
    }
    Ok(outcome)
}

/// Enters a repayment status (days past due, overdue amounts) for a loan and re-evaluates its
/// warning indicators, in one transaction.
pub fn enter_repayment(
    store: &mut Store,
    actor: &Actor,
    rec: &RepaymentRecord,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<(Outcome, EvalReport)> {
    super::execute(store, actor, |tx| {
        let outcome = enter_repayment_in(tx, actor, rec, today)?;
        let mut report = EvalReport::default();
        if outcome != Outcome::Unchanged
            && let Some(loan) = tx.loan_by_contract(&rec.contract_no)?
        {
            report = warning::evaluate_loan_in(tx, rules, loan.id, today)?;
        }
        Ok((outcome, report))
    })
}

/// Enters a repayment status in the caller's transaction (without the re-evaluation).
pub fn enter_repayment_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    rec: &RepaymentRecord,
    today: NaiveDate,
) -> Result<Outcome> {
    // Open to any specialist: data entry, often done for a colleague.
    super::authorize_in(tx, actor, Command::EnterRepayment, &Subject::NONE)?;
    if rec.as_of > today {
        return Err(WorkflowError::rule(
            "workflow_err.status_future",
            &[("date", &rec.as_of), ("today", &today)],
        ));
    }
    if rec.overdue_days < 0 {
        return Err(WorkflowError::rule(
            "workflow_err.dpd_negative",
            &[("days", &rec.overdue_days)],
        ));
    }
    let outcome = tx.upsert_repayment(rec, &actor.username)?;
    if outcome != Outcome::Unchanged {
        tx.audit(
            &actor.username,
            "repayment.enter",
            "loan",
            &rec.contract_no,
            &serde_json::to_value(rec).unwrap_or_else(|_| json!({})),
        )?;
    }
    Ok(outcome)
}
