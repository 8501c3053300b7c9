//! The small forms of the report editor: the comment a return asks for, and the file (by
//! path) with its note that attaching evidence asks for.

use super::{Bad, FormCommand};
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::tui::widgets::form::{Field, FieldKind, Form};

pub const COMMENT: &str = "comment";
pub const PATH: &str = "path";
pub const NOTE: &str = "note";

/// Returning report `number` (its version as shown) asks for a comment.
pub fn return_form(number: &str, version: i64, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "inspection_editor.return_title",
            &[("number", &display(number))],
        ),
        vec![Field::new(
            COMMENT,
            "inspection_editor.field_comment",
            FieldKind::Notes { required: true },
            "",
        )],
    );
    form.expected_version = Some(version);
    form
}

/// Attaching a file to report `number` asks for its path and a note.
pub fn attach_form(number: &str, version: i64, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "inspection_editor.attach_title",
            &[("number", &display(number))],
        ),
        vec![
            Field::new(
                PATH,
                "inspection_editor.field_path",
                FieldKind::Text { required: true },
                "",
            ),
            Field::new(
                NOTE,
                "inspection_editor.field_note",
                FieldKind::Text { required: false },
                "",
            ),
        ],
    );
    form.expected_version = Some(version);
    form
}

pub fn return_command(form: &Form, number: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::ReturnReport {
        number: number.to_string(),
        expected_version: form.expected_version,
        comment: form.text(COMMENT)?,
    })
}

pub fn attach_command(form: &Form, number: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Attach {
        number: number.to_string(),
        expected_version: form.expected_version,
        path: form.text(PATH)?.trim().to_string(),
        note: form.text(NOTE)?,
        max_bytes: 0,
    })
}

pub const MEASURE: &str = "measure";
pub const DEADLINE: &str = "deadline";
pub const OWNER: &str = "owner";
pub const CLASS: &str = "class";

/// Adding a measure to report `number`'s conclusion: one of the domain's measures, an optional
/// deadline (YYYY-MM-DD) and owner, and a note.
pub fn measure_form(number: &str, version: i64, lang: Lang) -> Form {
    use crate::domain::inspection::Measure;
    let choices = crate::tui::widgets::form::Choices::new(
        Measure::ALL.iter().map(|m| m.code()),
        "inspection_measure",
        lang,
        |s| Measure::parse(s).map(Measure::code),
    );
    let mut form = Form::new(
        lang.tf(
            "inspection_editor.measure_title",
            &[("number", &display(number))],
        ),
        vec![
            Field::choice(MEASURE, "inspection_editor.field_measure", choices, ""),
            Field::new(
                DEADLINE,
                "inspection_editor.field_deadline",
                FieldKind::OptionalDate,
                "",
            ),
            Field::new(
                OWNER,
                "inspection_editor.field_owner",
                FieldKind::Text { required: false },
                "",
            ),
            Field::new(
                NOTE,
                "inspection_editor.field_note",
                FieldKind::Text { required: false },
                "",
            ),
        ],
    );
    form.expected_version = Some(version);
    form
}

/// Proposing a classification for report `number`.
pub fn class_form(number: &str, version: i64, lang: Lang) -> Form {
    use crate::domain::Classification;
    let choices = crate::tui::widgets::form::Choices::new(
        Classification::ALL.iter().map(|c| c.code()),
        "class",
        lang,
        |s| Classification::parse(s).map(Classification::code),
    );
    let mut form = Form::new(
        lang.tf(
            "inspection_editor.class_title",
            &[("number", &display(number))],
        ),
        vec![Field::choice(
            CLASS,
            "inspection_editor.field_class",
            choices,
            "",
        )],
    );
    form.expected_version = Some(version);
    form
}

pub fn measure_command(form: &Form, number: &str) -> Result<FormCommand, Bad> {
    use crate::domain::inspection::{Measure, MeasureEntry};
    let deadline = form.optional_date(DEADLINE)?;
    let owner = form.text(OWNER)?;
    Ok(FormCommand::Measure {
        number: number.to_string(),
        expected_version: form.expected_version,
        entry: MeasureEntry {
            measure: Measure::parse(form.code(MEASURE)?).ok_or(MEASURE)?,
            deadline,
            owner: Some(owner.trim().to_string()).filter(|o| !o.is_empty()),
            note: form.text(NOTE)?,
        },
    })
}

pub fn class_command(form: &Form, number: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::ProposeClass {
        number: number.to_string(),
        expected_version: form.expected_version,
        class: crate::domain::Classification::parse(form.code(CLASS)?).ok_or(CLASS)?,
    })
}
