//! The feedback note form (`f` on the archive pane, on a case's or an inspection's
//! document): the department it goes to and what is asked of it.

use super::{Bad, FormCommand};
use crate::domain::archive::Recipient;
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};
use crate::workflow::feedback::Source;

pub const TO: &str = "to";
pub const TEXT: &str = "text";

pub fn recipients(lang: Lang) -> Choices {
    Choices::new(
        Recipient::ALL.iter().map(|r| r.code()),
        "recipient",
        lang,
        |s| Recipient::parse(s).map(Recipient::code),
    )
}

/// The form for feedback drawn from `source` (named `shown` on its title).
pub fn form(shown: &str, lang: Lang) -> Form {
    Form::new(
        lang.tf(
            "archive_pane.feedback_title",
            &[("number", &display(shown))],
        ),
        vec![
            Field::choice(
                TO,
                "archive_pane.feedback_to",
                recipients(lang),
                Recipient::Risk.code(),
            ),
            Field::new(
                TEXT,
                "archive_pane.feedback_text",
                FieldKind::Notes { required: true },
                "",
            ),
        ],
    )
}

pub fn command(form: &Form, source: Source) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Feedback {
        to: Recipient::parse(form.code(TO)?).ok_or(TO)?,
        source,
        text: form.text(TEXT)?,
    })
}
