//! What the workbench does for inspections beyond the pane: open the start form (from the
//! plan's row, a loan or a warning) and open an inspection's report.

use super::app::{App, Redraw};
use super::forms::{FormKey, FormKind, Subject};
use super::panes::loan_detail::DetailTab;
use crate::domain::inspection::InspectionKind;

impl App {
    /// Opens the start-inspection form for `contract`: of the planned row's kind, triggered
    /// when a warning is given, else routine.
    pub(crate) fn open_start_form(
        &mut self,
        contract: &str,
        planned: Option<i64>,
        warning: Option<&str>,
    ) -> anyhow::Result<Redraw> {
        let kind = match (planned, warning) {
            (Some(id), _) => self
                .store
                .inspection(id)?
                .map(|i| i.row.kind)
                .unwrap_or(InspectionKind::Routine),
            (None, Some(_)) => InspectionKind::Triggered,
            (None, None) => InspectionKind::Routine,
        };
        let form = super::forms::inspection::form(
            contract,
            kind,
            warning.unwrap_or_default(),
            &self.actor.username,
            self.today_date,
            self.lang,
        );
        let key = FormKey::new(
            FormKind::StartInspection,
            Subject::Contract(contract.to_string()),
        );
        self.open_form(form, key)?;
        Ok(true)
    }

    /// Opens inspection `id`: its loan's detail, until the report editor lands.
    pub(crate) fn open_inspection(&mut self, id: i64) -> anyhow::Result<Redraw> {
        let Some(i) = self.store.inspection(id)? else {
            return Ok(false);
        };
        self.open_loan(i.row.loan_id, DetailTab::Overview)
    }
}
