//! The reason form that resolving or dismissing a warning asks for, and its lifecycle move.

use super::{Bad, FormCommand};
use crate::domain::text::display;
use crate::domain::warning::WarningMove;
use crate::i18n::Lang;
use crate::store::WarningRow;
use crate::tui::widgets::form::{Field, FieldKind, Form};

pub const REASON: &str = "reason";

/// The form for `mv` (resolve or dismiss) on `row`, carrying the version the screen showed.
pub fn form(row: &WarningRow, mv: WarningMove, lang: Lang) -> Form {
    let title = if mv == WarningMove::Resolve {
        "form.resolve_title"
    } else {
        "form.dismiss_title"
    };
    let mut form = Form::new(
        lang.tf(title, &[("number", &display(&row.number))]),
        fields(),
    );
    form.expected_version = Some(row.version);
    form
}

pub fn fields() -> Vec<Field> {
    vec![Field::new(
        REASON,
        "form.reason",
        FieldKind::Notes { required: true },
        "",
    )]
}

pub fn command(form: &Form, id: i64, mv: WarningMove) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Move {
        id,
        expected_version: form.expected_version,
        mv,
        reason: form.text(REASON)?,
    })
}
