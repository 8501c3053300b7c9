//! The checklist form of the report editor: one field per configured item, labelled with its
//! name and range ("资金用途合规 (0–20)"), pre-filled with the report's points; empty means
//! not scored. Each field is named by its item's code, so its draft follows the item.

use super::{Bad, FormCommand};
use crate::domain::checklist::Checklist;
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::tui::widgets::form::{Field, FieldKind, Form};
use crate::workflow::inspection_checklist::ItemPoints;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

/// A field's name for item `code`. Field names are `&'static str` (drafts and commands
/// address fields by them); codes come from the config, read once per process, so each
/// distinct code is kept once for the life of the process.
fn field_name(code: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(n) = names.get(code) {
        return n;
    }
    let n: &'static str = Box::leak(code.to_string().into_boxed_str());
    names.insert(n);
    n
}

/// The checklist of report `number` (its version as shown), with `points` already given.
pub fn form(
    number: &str,
    version: i64,
    checklist: &Checklist,
    points: &[(String, Decimal)],
    lang: Lang,
) -> Form {
    let english = lang == Lang::En;
    let fields = checklist
        .items
        .iter()
        .map(|item| {
            let value = points
                .iter()
                .find(|(c, _)| *c == item.code)
                .map(|(_, p)| p.normalize().to_string())
                .unwrap_or_default();
            let mut f = Field::new(
                field_name(&item.code),
                "inspection_editor.checklist_field",
                FieldKind::Points { max: item.weight },
                &value,
            );
            f.label = Some(lang.tf(
                "inspection_editor.checklist_field",
                &[("name", &item.name(english)), ("max", &item.weight)],
            ));
            f
        })
        .collect();
    let mut form = Form::new(
        lang.tf(
            "inspection_editor.checklist_title",
            &[("number", &display(number))],
        ),
        fields,
    );
    form.expected_version = Some(version);
    form
}

/// Every field as the workflow takes it: a number sets the item's points, an empty field
/// leaves it unscored. The checklist itself is filled in from config by `App`.
pub fn command(form: &Form, number: &str) -> Result<FormCommand, Bad> {
    let items = form
        .fields
        .iter()
        .map(|f| {
            let v = f.value();
            let v = v.trim();
            ItemPoints {
                code: f.name.to_string(),
                points: (!v.is_empty()).then(|| v.to_string()),
            }
        })
        .collect();
    Ok(FormCommand::Score {
        number: number.to_string(),
        expected_version: form.expected_version,
        items,
        checklist: Checklist {
            line: Decimal::ZERO,
            warning_level: crate::domain::warning::Level::Yellow,
            items: Vec::new(),
        },
    })
}
