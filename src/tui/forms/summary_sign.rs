//! The summary pane's signing form (`w` on pane 8): the section "problems found and measures
//! to improve" (存在问题及改进措施, several lines, kept as a draft while typed) for the
//! pane's period, and a confirmation that it is to be signed; saving signs it.

use super::{Bad, FormCommand};
use crate::engine::summary::Period;
use crate::i18n::Lang;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

pub const TEXT: &str = "text";
pub const CONFIRM: &str = "confirm";

/// The answers of the confirmation: not yet, or sign.
const ANSWERS: [&str; 2] = ["no", "yes"];

fn answer(text: &str) -> Option<&'static str> {
    ANSWERS.into_iter().find(|a| *a == text)
}

/// The form signing the summary of `period`; `supersedes` names the period's signed document
/// in force, which signing replaces (said under the fields).
pub fn form(period: Period, supersedes: Option<(i64, &str)>, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "summary_pane.sign_title",
            &[("from", &period.from), ("to", &period.to)],
        ),
        vec![
            Field::new(
                TEXT,
                "summary_pane.sign_text",
                FieldKind::Notes { required: true },
                "",
            ),
            Field::choice(
                CONFIRM,
                "summary_pane.sign_confirm",
                Choices::new(ANSWERS, "summary_sign_confirm", lang, answer),
                "no",
            ),
        ],
    );
    form.message = Some(match supersedes {
        Some((id, number)) => lang.tf(
            "summary_pane.sign_supersedes",
            &[("id", &id), ("number", &number)],
        ),
        None => lang.t("summary_pane.sign_note").to_string(),
    });
    form
}

pub fn command(form: &Form, period: Period) -> Result<FormCommand, Bad> {
    if form.code(CONFIRM)? != "yes" {
        return Err(Bad::Rule("summary_pane.sign_not_confirmed"));
    }
    Ok(FormCommand::SignSummary {
        period,
        text: form.text(TEXT)?,
    })
}
