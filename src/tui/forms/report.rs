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
