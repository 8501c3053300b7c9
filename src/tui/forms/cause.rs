//! A warning's cause analysis (cause, risk type, judged level), and its command.

use super::{Bad, FormCommand};
use crate::domain::text::display;
use crate::domain::warning::{Level, RiskType};
use crate::i18n::Lang;
use crate::store::WarningRow;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

pub const CAUSE: &str = "cause";
pub const RISK: &str = "risk_type";
pub const JUDGED: &str = "judged_level";

pub fn levels(lang: Lang) -> Choices {
    Choices::new(
        Level::ALL.iter().rev().map(|l| l.code()),
        "level",
        lang,
        |s| Level::parse(s).map(Level::code),
    )
}

pub fn risks(lang: Lang) -> Choices {
    Choices::new(RiskType::ALL.map(RiskType::code), "risk", lang, |s| {
        RiskType::parse(s).map(RiskType::code)
    })
}

/// The form for `row`: `cause`, `judged` and `version` as the book holds them now.
pub fn form(row: &WarningRow, cause: &str, judged: Level, version: i64, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf("form.cause_title", &[("number", &display(&row.number))]),
        vec![
            Field::new(
                CAUSE,
                "form.cause",
                FieldKind::Notes { required: true },
                cause,
            ),
            Field::choice(RISK, "form.risk_type", risks(lang), row.risk_type.code()),
            Field::choice(JUDGED, "form.judged_level", levels(lang), judged.code()),
        ],
    );
    form.expected_version = Some(version);
    form
}

/// The fields, filled with what the book holds now.
pub fn fields(cause: &str, risk: RiskType, judged: Level, lang: Lang) -> Vec<Field> {
    vec![
        Field::new(
            CAUSE,
            "form.cause",
            FieldKind::Notes { required: true },
            cause,
        ),
        Field::choice(RISK, "form.risk_type", risks(lang), risk.code()),
        Field::choice(JUDGED, "form.judged_level", levels(lang), judged.code()),
    ]
}

pub fn command(form: &Form, id: i64) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Cause {
        id,
        expected_version: form.expected_version,
        cause: form.text(CAUSE)?,
        risk: RiskType::parse(form.code(RISK)?).ok_or(RISK)?,
        judged: Level::parse(form.code(JUDGED)?).ok_or(JUDGED)?,
    })
}
