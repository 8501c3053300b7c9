//! Starting an inspection (from the Inspections pane's planned row, a loan or a warning): kind,
//! mode, focus, date, inspectors and, for a triggered one, the warning it answers.

use super::{Bad, FormCommand};
use crate::domain::inspection::{InspectionKind, InspectionMode};
use crate::domain::text::sanitize;
use crate::i18n::Lang;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};
use chrono::NaiveDate;

pub const CONTRACT: &str = "contract_no";
pub const KIND: &str = "kind";
pub const MODE: &str = "mode";
pub const FOCUS: &str = "focus";
pub const DATE: &str = "inspected_on";
pub const INSPECTORS: &str = "inspectors";
pub const WARNING: &str = "warning";

pub const FIELDS: [&str; 7] = [CONTRACT, KIND, MODE, FOCUS, DATE, INSPECTORS, WARNING];

fn kinds(lang: Lang) -> Choices {
    Choices::new(
        InspectionKind::ALL.iter().map(|k| k.code()),
        "inspection_kind",
        lang,
        |s| InspectionKind::parse(s).map(InspectionKind::code),
    )
}

fn modes(lang: Lang) -> Choices {
    Choices::new(
        InspectionMode::ALL.iter().map(|m| m.code()),
        "inspection_mode",
        lang,
        |s| InspectionMode::parse(s).map(InspectionMode::code),
    )
}

/// The form for `contract`, of `kind`, answering `warning` (its number) when one is given.
pub fn form(
    contract: &str,
    kind: InspectionKind,
    warning: &str,
    inspector: &str,
    today: NaiveDate,
    lang: Lang,
) -> Form {
    let mut form = Form::new(
        lang.tf(
            "inspections_pane.start_title",
            &[("contract", &sanitize(contract))],
        ),
        vec![
            Field::new(
                CONTRACT,
                "inspections_pane.field_contract",
                FieldKind::Text { required: true },
                &sanitize(contract),
            ),
            Field::choice(
                KIND,
                "inspections_pane.field_kind",
                kinds(lang),
                kind.code(),
            ),
            Field::choice(
                MODE,
                "inspections_pane.field_mode",
                modes(lang),
                InspectionMode::Onsite.code(),
            ),
            Field::new(
                FOCUS,
                "inspections_pane.field_focus",
                FieldKind::Notes { required: false },
                "",
            ),
            Field::new(
                DATE,
                "inspections_pane.field_date",
                FieldKind::Date,
                &today.to_string(),
            ),
            Field::new(
                INSPECTORS,
                "inspections_pane.field_inspectors",
                FieldKind::Text { required: false },
                inspector,
            ),
            Field::new(
                WARNING,
                "inspections_pane.field_warning",
                FieldKind::Text { required: false },
                &sanitize(warning),
            ),
        ],
    );
    form.focus = usize::from(!contract.is_empty());
    form
}

pub fn command(form: &Form) -> Result<FormCommand, Bad> {
    let warning = form.text(WARNING)?;
    Ok(FormCommand::StartInspection {
        contract_no: form.text(CONTRACT)?,
        kind: InspectionKind::parse(form.code(KIND)?).ok_or(KIND)?,
        mode: InspectionMode::parse(form.code(MODE)?).ok_or(MODE)?,
        focus: form.text(FOCUS)?,
        inspected_on: form.date(DATE)?,
        inspectors: form.text(INSPECTORS)?,
        warnings: if warning.trim().is_empty() {
            Vec::new()
        } else {
            vec![warning.trim().to_string()]
        },
    })
}
