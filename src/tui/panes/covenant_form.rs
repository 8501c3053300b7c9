//! Setting a loan's covenant (its own warning thresholds for one indicator) from the loan
//! detail: the form, and its submission through the workflow, which re-evaluates the loan.

use crate::domain::CovenantRecord;
use crate::domain::text::display;
use crate::engine::rules::{Indicator, RuleSet};
use crate::i18n::Lang;
use crate::store::Store;
use crate::tui::panes::loan_detail::{DetailState, Saved};
use crate::tui::widgets::form::{Field, FieldKind, Form};
use crate::workflow::{self, Actor};
use chrono::NaiveDate;

/// The covenant form for this loan, and its draft key.
pub fn form(d: &DetailState, lang: Lang) -> (Form, String) {
    let title = lang.tf(
        "form.covenant_title",
        &[("contract", &display(&d.loan.contract_no))],
    );
    let form = Form::new(
        title,
        vec![
            Field::new(
                "form.indicator",
                FieldKind::Choice(|s| Indicator::parse(s).is_some(), INDICATORS.as_str()),
                Indicator::CurrentRatio.code(),
            ),
            Field::new("level.yellow", FieldKind::OptionalDecimal, ""),
            Field::new("level.orange", FieldKind::OptionalDecimal, ""),
            Field::new("level.red", FieldKind::OptionalDecimal, ""),
        ],
    );
    (form, format!("covenant:{}", d.loan.contract_no))
}

/// The indicator codes the form accepts, as its hint lists them: every indicator the engine has.
static INDICATORS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Indicator::ALL
        .iter()
        .map(|i| i.code())
        .collect::<Vec<_>>()
        .join(", ")
});

/// Saves the covenant (supervisors and managers) and re-evaluates the loan.
pub fn submit(
    form: &Form,
    d: &DetailState,
    store: &mut Store,
    actor: &Actor,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<Saved, workflow::WorkflowError> {
    let bad = || workflow::WorkflowError::Invalid("form".into());
    let indicator = Indicator::parse(form.fields[0].input.value()).ok_or_else(bad)?;
    let rec = CovenantRecord {
        contract_no: d.loan.contract_no.clone(),
        indicator: indicator.code().to_string(),
        yellow: form.fields[1].opt_decimal(),
        orange: form.fields[2].opt_decimal(),
        red: form.fields[3].opt_decimal(),
    };
    if rec.yellow.is_none() && rec.orange.is_none() && rec.red.is_none() {
        return Err(workflow::WorkflowError::Invalid(
            "a covenant needs at least one threshold".into(),
        ));
    }
    let (_, report) =
        workflow::warning::set_covenant_and_reevaluate(store, actor, &rec, rules, today)?;
    Ok(Saved {
        text_key: "form.covenant_saved",
        new_warnings: report.new.iter().sum::<u64>() + report.escalated.iter().sum::<u64>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_lists_every_indicator_the_form_accepts() {
        for i in Indicator::ALL {
            assert!(
                INDICATORS.split(", ").any(|c| c == i.code()),
                "{}",
                i.code()
            );
        }
        assert!(INDICATORS.contains("repayment_stale"));
    }
}
