//! Raising a warning by hand (a signal seen outside the figures), and its command.

use super::cause::{levels, risks};
use super::{Bad, FormCommand};
use crate::domain::text::sanitize;
use crate::domain::warning::{Level, ManualSignal, RiskType};
use crate::i18n::Lang;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

pub const CONTRACT: &str = "contract_no";
pub const SIGNAL: &str = "signal";
pub const LEVEL: &str = "level";
pub const RISK: &str = "risk_type";
pub const REASON: &str = "reason";

pub fn signals(lang: Lang) -> Choices {
    Choices::new(
        ManualSignal::ALL.map(ManualSignal::code),
        "signal",
        lang,
        |s| ManualSignal::parse(s).map(ManualSignal::code),
    )
}

/// The form, its contract filled in when one is at hand (then the signal has the focus).
pub fn form(contract: &str, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.t("form.raise_title").to_string(),
        vec![
            Field::new(
                CONTRACT,
                "form.contract_no",
                FieldKind::Text { required: true },
                &sanitize(contract),
            ),
            Field::choice(SIGNAL, "form.signal", signals(lang), ""),
            Field::choice(LEVEL, "form.level", levels(lang), Level::Yellow.code()),
            Field::choice(RISK, "form.risk_type", risks(lang), RiskType::Credit.code()),
            Field::new(
                REASON,
                "form.reason",
                FieldKind::Notes { required: true },
                "",
            ),
        ],
    );
    form.focus = usize::from(!contract.is_empty());
    form
}

pub fn command(form: &Form) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Raise {
        contract_no: form.text(CONTRACT)?,
        signal: ManualSignal::parse(form.code(SIGNAL)?).ok_or(SIGNAL)?,
        level: Level::parse(form.code(LEVEL)?).ok_or(LEVEL)?,
        risk: RiskType::parse(form.code(RISK)?).ok_or(RISK)?,
        reason: form.text(REASON)?,
    })
}
