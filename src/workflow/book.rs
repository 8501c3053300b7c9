//! The book itself and its people: creating an empty book with its first manager, adding
//! staff and changing their roles.

use super::{Actor, Result, WorkflowError};
use super::{Command, Subject};
use crate::domain::{Role, StaffRecord};
use crate::store::{Outcome, Store};
use serde_json::json;

/// Makes `os_user` the first manager of an empty book. Refused once the book has staff.
pub fn init(store: &mut Store, os_user: &str) -> Result<Actor> {
    if store.staff_count()? > 0 {
        return Err(WorkflowError::AlreadyInitialised);
    }
    let rec = StaffRecord {
        username: os_user.to_string(),
        display_name: os_user.to_string(),
        role: Role::Manager,
    };
    store.write(|tx| -> Result<()> {
        tx.upsert_staff(&rec, os_user)?;
        tx.set_meta("created_by", os_user)?;
        tx.audit(
            os_user,
            "book.init",
            "staff",
            os_user,
            &json!({"role": "manager"}),
        )?;
        Ok(())
    })?;
    Ok(Actor {
        username: rec.username,
        display_name: rec.display_name,
        role: Role::Manager,
        system: false,
    })
}

/// Adds a staff member or changes their role (managers only).
pub fn add_staff(store: &mut Store, actor: &Actor, rec: &StaffRecord) -> Result<Outcome> {
    super::guard(store, actor, Command::ManageStaff, &Subject::NONE)?;
    let name = rec.username.trim();
    if name == super::SYSTEM_USER {
        return Err(WorkflowError::Reserved {
            name: name.to_string(),
        });
    }
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(WorkflowError::rule(
            "workflow_err.bad_user_name",
            &[("name", &crate::domain::text::sanitize(&rec.username))],
        ));
    }
    store.write(|tx| -> Result<Outcome> {
        let before = tx
            .staff(&rec.username)?
            .map(|s| json!({"role": s.role.code(), "display_name": s.display_name, "active": s.active}));
        let outcome = tx.upsert_staff(rec, &actor.username)?;
        if outcome != Outcome::Unchanged {
            tx.audit(
                &actor.username,
                "staff.add",
                "staff",
                &rec.username,
                &json!({"before": before,
                        "after": {"role": rec.role.code(), "display_name": rec.display_name, "active": true}}),
            )?;
        }
        Ok(outcome)
    })
}
