//! Step 1, post-disbursement tracking: contacts with the borrower (visits, calls, meetings)
//! and financial statements entered by hand. Each moves the loan's next follow-up date.

use super::{Actor, Result, WorkflowError};
use crate::domain::permission::Permission;
use crate::domain::text::sanitize;
use crate::domain::{ContactRecord, StatementRecord};
use crate::store::{Outcome, Store};
use serde_json::json;

/// Records a contact; returns its id.
pub fn record_contact(
    store: &mut Store,
    actor: &Actor,
    rec: &ContactRecord,
    today: chrono::NaiveDate,
) -> Result<i64> {
    actor.require(Permission::RecordContact)?;
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

/// Enters (or corrects) a financial statement for a borrower.
pub fn enter_statement(store: &mut Store, actor: &Actor, rec: &StatementRecord) -> Result<Outcome> {
    actor.require(Permission::EnterStatement)?;
    if rec.current_assets > rec.total_assets {
        return Err(WorkflowError::Invalid(
            "current assets exceed total assets".into(),
        ));
    }
    store.write(|tx| -> Result<Outcome> {
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
    })
}
