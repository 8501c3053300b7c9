//! Setting a loan's covenant (its own warning thresholds for one indicator) from the loan
//! detail: the form, and its command, which re-evaluates the loan.

use super::{Bad, FormCommand};
use crate::domain::CovenantRecord;
use crate::domain::text::display;
use crate::engine::rules::Indicator;
use crate::i18n::Lang;
use crate::store::Loan;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};

pub const INDICATOR: &str = "indicator";
pub const YELLOW: &str = "yellow";
pub const ORANGE: &str = "orange";
pub const RED: &str = "red";

/// Every indicator the engine has, named in the user's language (the code or the Chinese name
/// is accepted too).
pub fn indicators(lang: Lang) -> Choices {
    Choices::new(
        Indicator::ALL.map(Indicator::code),
        "indicator",
        lang,
        |s| {
            Indicator::ALL
                .into_iter()
                .find(|i| i.code() == s || i.zh() == s)
                .map(Indicator::code)
        },
    )
}

pub fn form(loan: &Loan, lang: Lang) -> Form {
    let title = lang.tf(
        "form.covenant_title",
        &[("contract", &display(&loan.contract_no))],
    );
    Form::new(
        title,
        vec![
            Field::choice(
                INDICATOR,
                "form.indicator",
                indicators(lang),
                Indicator::CurrentRatio.code(),
            ),
            Field::new(YELLOW, "level.yellow", FieldKind::OptionalDecimal, ""),
            Field::new(ORANGE, "level.orange", FieldKind::OptionalDecimal, ""),
            Field::new(RED, "level.red", FieldKind::OptionalDecimal, ""),
        ],
    )
}

pub fn command(form: &Form, contract_no: &str) -> Result<FormCommand, Bad> {
    let rec = CovenantRecord {
        contract_no: contract_no.to_string(),
        indicator: form.code(INDICATOR)?.to_string(),
        yellow: form.opt_decimal(YELLOW)?,
        orange: form.opt_decimal(ORANGE)?,
        red: form.opt_decimal(RED)?,
    };
    if rec.yellow.is_none() && rec.orange.is_none() && rec.red.is_none() {
        return Err(Bad::Rule("forms.err_no_threshold"));
    }
    Ok(FormCommand::Covenant(rec))
}
