//! Step 1, post-disbursement tracking: contacts with the borrower (visits, calls, meetings)
//! and financial statements entered by hand. Each moves the loan's next follow-up date.

use super::warning::{self, EvalReport};
use super::{Actor, Result, WorkflowError};
use super::{Command, Subject};
use crate::domain::text::sanitize;
use crate::domain::{ContactRecord, RepaymentRecord, StatementRecord};
use crate::engine::rules::RuleSet;
use crate::store::{Outcome, Store};
use chrono::NaiveDate;
use serde_json::json;

/// Records a contact; returns its id.
pub fn record_contact(
    store: &mut Store,
    actor: &Actor,
    rec: &ContactRecord,
    today: chrono::NaiveDate,
) -> Result<i64> {
    super::guard(store, actor, Command::RecordContact, &Subject::NONE)?;
    if rec.contact_on > today {
        return Err(WorkflowError::Invalid(format!(
            "contact date {} is in the future",
            rec.contact_on
        )));
    }
    let rec = ContactRecord {
        notes: sanitize(rec.notes.trim()),
        ..rec.clone()
    };
    store.write(|tx| -> Result<i64> {
        let id = tx.insert_contact(&rec, &actor.username)?;
        tx.audit(
            &actor.username,
            "contact.record",
            "loan",
            &rec.contract_no,
            &json!({"contact_id": id, "on": rec.contact_on, "kind": rec.kind.code(), "notes": rec.notes}),
        )?;
        Ok(id)
    })
}

/// Enters (or corrects) a financial statement for a borrower, then re-evaluates the warning
/// indicators of the borrower's loans at once.
pub fn enter_statement(
    store: &mut Store,
    actor: &Actor,
    rec: &StatementRecord,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<(Outcome, EvalReport)> {
    super::guard(store, actor, Command::EnterStatement, &Subject::NONE)?;
    if rec.current_assets > rec.total_assets {
        return Err(WorkflowError::Invalid(
            "current assets exceed total assets".into(),
        ));
    }
    if rec.period_end > today {
        return Err(WorkflowError::Invalid(format!(
            "period end {} is in the future",
            rec.period_end
        )));
    }
    let outcome = store.write(|tx| -> Result<Outcome> {
        let outcome = tx.upsert_statement(rec, "manual", &actor.username)?;
        if outcome != Outcome::Unchanged {
            tx.audit(
                &actor.username,
                "statement.enter",
                "borrower",
                &rec.borrower_code,
                &serde_json::to_value(rec).unwrap_or_else(|_| json!({})),
            )?;
        }
        Ok(outcome)
    })?;
    let mut report = EvalReport::default();
    if outcome != Outcome::Unchanged {
        for loan_id in store.loan_ids_of_borrower(&rec.borrower_code)? {
            let r = warning::evaluate_loan(store, &actor.username, rules, loan_id, today)?;
            report.add(&r);
        }
    }
    Ok((outcome, report))
}

/// Enters a repayment status (days past due, overdue amounts) for a loan, then re-evaluates
/// its warning indicators at once.
pub fn enter_repayment(
    store: &mut Store,
    actor: &Actor,
    rec: &RepaymentRecord,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<(Outcome, EvalReport)> {
    super::guard(store, actor, Command::EnterRepayment, &Subject::NONE)?;
    if rec.as_of > today {
        return Err(WorkflowError::Invalid(format!(
            "status date {} is in the future",
            rec.as_of
        )));
    }
    if rec.overdue_days < 0 {
        return Err(WorkflowError::Invalid(
            "days past due cannot be negative".into(),
        ));
    }
    let outcome = store.write(|tx| -> Result<Outcome> {
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
    })?;
    let mut report = EvalReport::default();
    if outcome != Outcome::Unchanged
        && let Some(loan) = store.loan_by_contract(&rec.contract_no)?
    {
        report = warning::evaluate_loan(store, &actor.username, rules, loan.id, today)?;
    }
    Ok((outcome, report))
}
