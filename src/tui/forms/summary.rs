//! The summary pane's form: the period — a month (`2026-06`), a quarter (`2026-Q2`) or a
//! year (`2026`) in one field, or, with that field empty, the dates of the migration report's
//! form (from, to). Prefilled with the period shown. Reads; writes nothing.

use super::classification::{FROM, TO};
use super::{Bad, FormCommand};
use crate::engine::summary::Period;
use crate::i18n::Lang;
use crate::tui::widgets::form::{Field, FieldKind, Form};

pub const PERIOD: &str = "period";

/// The period form, prefilled with `period`'s dates (the period field left empty).
pub fn form(period: Period, lang: Lang) -> Form {
    let mut form = super::classification::migration_form((period.from, period.to), lang);
    form.title = lang.t("summary_pane.form").to_string();
    form.fields.insert(
        0,
        Field::new(
            PERIOD,
            "summary_pane.field_period",
            FieldKind::Text { required: false },
            "",
        ),
    );
    form
}

/// The period the form says: the month, quarter or year typed, else the dates.
pub fn command(form: &Form) -> Result<FormCommand, Bad> {
    let typed = form.field(PERIOD).map(|f| f.value()).unwrap_or_default();
    if !typed.trim().is_empty() {
        return Period::parse(&typed)
            .map(|period| FormCommand::ShowSummary { period })
            .ok_or(Bad::Rule("summary_pane.bad_period"));
    }
    let from = form.date(FROM)?;
    let to = form.date(TO)?;
    if from > to {
        return Err(Bad::Rule("summary_pane.bad_dates"));
    }
    Ok(FormCommand::ShowSummary {
        period: Period { from, to },
    })
}
