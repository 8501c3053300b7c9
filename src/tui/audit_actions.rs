//! What the workbench does for the audit trail beyond its screens: `A` asks the workflow
//! whether the user may read the trail (a refusal is said on the status line and recorded
//! as every refusal is), then opens it; the filter form; an entry in front.

use super::app::{App, Notice, Redraw};
use super::forms::{FormKey, FormKind, Subject};
use super::panes::audit::{AuditEntryScreen, AuditFilter, AuditScreen};
use super::stack::Screen;
use crate::workflow::{self, Command, Subject as Whom};

impl App {
    /// Opens the audit trail in front, from its newest entry, if the user may read it.
    pub(crate) fn open_audit(&mut self) -> anyhow::Result<Redraw> {
        if let Err(e) = workflow::guard(
            &mut self.store,
            &self.actor,
            Command::ReadAudit,
            &Whom::NONE,
        ) {
            if e.is_busy() {
                return Err(e.into());
            }
            self.notice = Some(Notice {
                text: super::warning_actions::workflow_error_text(&e, self.lang),
                error: true,
            });
            return Ok(true);
        }
        // `A` over the trail (or an entry of it) goes back to the trail, not one more copy.
        if let Some(i) = self.audit_index() {
            while self.detail.len() > i + 1 {
                self.detail.pop();
            }
            return Ok(true);
        }
        self.push_screen(Screen::Audit(Box::new(AuditScreen::new(
            AuditFilter::default(),
        ))))?;
        Ok(true)
    }

    /// Where the trail is on the back stack, if it is open.
    fn audit_index(&self) -> Option<usize> {
        (0..self.detail.len())
            .rev()
            .find(|i| matches!(self.detail.get(*i), Some(Screen::Audit(_))))
    }

    /// The trail on the back stack, to change.
    pub fn audit_screen(&self) -> Option<&AuditScreen> {
        self.audit_index().and_then(|i| match self.detail.get(i) {
            Some(Screen::Audit(a)) => Some(a.as_ref()),
            _ => None,
        })
    }

    /// Entry `id` in front.
    pub(crate) fn open_audit_entry(&mut self, id: i64) -> anyhow::Result<Redraw> {
        let Some(screen) = AuditEntryScreen::load(&self.store, id)? else {
            return Ok(false);
        };
        self.push_screen(Screen::AuditEntry(Box::new(screen)))?;
        Ok(true)
    }

    /// The filter form over the trail, holding the filter in force.
    pub(crate) fn open_audit_filter(&mut self) -> anyhow::Result<Redraw> {
        let current = self
            .audit_screen()
            .map(|a| a.filter.clone())
            .unwrap_or_default();
        let form = super::forms::audit::form(&current, self.lang);
        let key = FormKey::new(FormKind::AuditFilter, Subject::Book);
        self.open_form(form, key)?;
        Ok(true)
    }

    /// Narrows the trail in front to `filter`, from its newest entry.
    /// Why the filter names what the book does not have (a user no staff record has, a
    /// contract number no loan has), said in the form: an empty trail would look like good
    /// news. `None`: every name is known.
    pub(crate) fn audit_filter_refusal(
        &self,
        filter: &AuditFilter,
    ) -> anyhow::Result<Option<String>> {
        let value = |v: &str| crate::domain::text::display(v);
        if let Some(user) = &filter.user
            && user != crate::workflow::SYSTEM_USER
            && self.store.staff(user)?.is_none()
        {
            return Ok(Some(
                self.lang
                    .tf("audit_pane.unknown_user", &[("value", &value(user))]),
            ));
        }
        if let Some(contract) = &filter.record
            && self.store.loan_by_contract(contract)?.is_none()
        {
            return Ok(Some(
                self.lang
                    .tf("audit_pane.unknown_record", &[("value", &value(contract))]),
            ));
        }
        Ok(None)
    }

    pub(crate) fn filter_audit(&mut self, filter: AuditFilter) -> anyhow::Result<()> {
        if let Some(Screen::Audit(a)) = self.detail.front_mut() {
            a.set_filter(&self.store, filter)?;
        }
        Ok(())
    }
}
