//! The classification pane's forms: propose a class for a loan (class as a choice, reason,
//! basis, effective date), approve one proposal or the marked ones (an optional comment), and
//! reject one (a reason, required). Each carries the versions the screen showed. And the
//! period of the migration report the pane shows (from, to; the year to date by default).

use super::{Bad, FormCommand};
use crate::domain::Classification;
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::store::ProposalRow;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};
use crate::workflow::classification::Basis;
use chrono::NaiveDate;

pub const CONTRACT: &str = "contract";
pub const CLASS: &str = "class";
pub const REASON: &str = "reason";
pub const BASIS: &str = "basis";
pub const EFFECTIVE: &str = "effective";
pub const COMMENT: &str = "comment";
pub const FROM: &str = "from";
pub const TO: &str = "to";

/// Proposing a class for `contract` (prefilled; the user may type another).
pub fn propose_form(contract: &str, today: NaiveDate, lang: Lang) -> Form {
    let choices = Choices::new(
        Classification::ALL.iter().map(|c| c.code()),
        "class",
        lang,
        |s| Classification::parse(s).map(Classification::code),
    );
    Form::new(
        lang.tf(
            "classification_pane.propose_title",
            &[("contract", &display(contract))],
        ),
        vec![
            Field::new(
                CONTRACT,
                "classification_pane.field_contract",
                FieldKind::Text { required: true },
                contract,
            ),
            Field::choice(CLASS, "classification_pane.field_class", choices, ""),
            Field::new(
                REASON,
                "classification_pane.field_reason",
                FieldKind::Notes { required: true },
                "",
            ),
            Field::new(
                BASIS,
                "classification_pane.field_basis",
                FieldKind::Text { required: true },
                "judgement",
            ),
            Field::new(
                EFFECTIVE,
                "classification_pane.field_effective",
                FieldKind::Date,
                &today.to_string(),
            ),
        ],
    )
}

pub fn propose_command(form: &Form) -> Result<FormCommand, Bad> {
    let basis = form.text(BASIS)?;
    if Basis::parse(&basis).is_none() {
        return Err(Bad::Rule("classification_pane.bad_basis"));
    }
    Ok(FormCommand::ProposeLoanClass {
        contract_no: form.text(CONTRACT)?.trim().to_string(),
        to: Classification::parse(form.code(CLASS)?).ok_or(CLASS)?,
        reason: form.text(REASON)?,
        basis: basis.trim().to_string(),
        effective_on: form
            .date(EFFECTIVE)
            .map_err(|_| Bad::Rule("classification_pane.bad_date"))?,
        rules: None,
    })
}

/// Approving `rows` (the selected one, or the marked ones): an optional comment.
pub fn approve_form(rows: &[ProposalRow], lang: Lang) -> Form {
    let title = match rows {
        [r] => lang.tf(
            "classification_pane.approve_title",
            &[
                ("id", &r.id),
                ("contract", &display(&r.contract_no)),
                ("from", &lang.code_name("class", r.current.code())),
                ("to", &lang.code_name("class", r.proposed.code())),
            ],
        ),
        _ => lang.tf(
            "classification_pane.approve_many_title",
            &[("n", &rows.len())],
        ),
    };
    Form::new(
        title,
        vec![Field::new(
            COMMENT,
            "classification_pane.field_comment",
            FieldKind::Text { required: false },
            "",
        )],
    )
}

/// `items`: each proposal's id and the version the screen showed.
pub fn approve_command(form: &Form, items: &[(i64, i64)]) -> Result<FormCommand, Bad> {
    Ok(FormCommand::ApproveProposals {
        items: items.to_vec(),
        comment: form.text(COMMENT)?,
        rules: None,
        plan: None,
    })
}

/// Rejecting `row`: the reason is required.
pub fn reject_form(row: &ProposalRow, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "classification_pane.reject_title",
            &[
                ("id", &row.id),
                ("contract", &display(&row.contract_no)),
                ("from", &lang.code_name("class", row.current.code())),
                ("to", &lang.code_name("class", row.proposed.code())),
            ],
        ),
        vec![Field::new(
            REASON,
            "classification_pane.field_reason",
            FieldKind::Notes { required: true },
            "",
        )],
    );
    form.expected_version = Some(row.version);
    form
}

pub fn reject_command(form: &Form, id: i64) -> Result<FormCommand, Bad> {
    Ok(FormCommand::RejectProposal {
        id,
        expected_version: form.expected_version,
        reason: form.text(REASON)?,
    })
}

/// The migration report's default period: the year to date of the book's as-of date (1
/// January → the as-of date), the way migration rates are reported; on 1 January, the year
/// before.
pub fn default_period(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(as_of);
    let from = if as_of.ordinal() == 1 {
        jan1(as_of.year() - 1)
    } else {
        jan1(as_of.year())
    };
    (from, as_of)
}

/// The period of the migration report, prefilled with `period`.
pub fn migration_form(period: (NaiveDate, NaiveDate), lang: Lang) -> Form {
    Form::new(
        lang.t("classification_pane.migration_form").to_string(),
        vec![
            Field::new(
                FROM,
                "classification_pane.field_from",
                FieldKind::Date,
                &period.0.to_string(),
            ),
            Field::new(
                TO,
                "classification_pane.field_to",
                FieldKind::Date,
                &period.1.to_string(),
            ),
        ],
    )
}

/// The period, its start not after its end (as `report migration` requires).
pub fn migration_command(form: &Form) -> Result<FormCommand, Bad> {
    let from = form.date(FROM)?;
    let to = form.date(TO)?;
    if from > to {
        return Err(Bad::Rule("classification_pane.migration_bad_period"));
    }
    Ok(FormCommand::ShowMigration { from, to })
}
