//! The contact form (a visit, call or meeting with the borrower) of a loan, and its command.

use super::{Bad, FormCommand};
use crate::domain::text::display;
use crate::domain::{ContactKind, ContactRecord};
use crate::i18n::Lang;
use crate::store::Loan;
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};
use chrono::NaiveDate;

pub const DATE: &str = "date";
pub const KIND: &str = "kind";
pub const NOTES: &str = "notes";

/// The contact kinds, named in the user's language.
pub fn kinds(lang: Lang) -> Choices {
    Choices::new(
        ContactKind::ALL.iter().map(|k| k.code()),
        "contact",
        lang,
        |s| ContactKind::parse(s).map(ContactKind::code),
    )
}

pub fn form(loan: &Loan, lang: Lang, today: NaiveDate) -> Form {
    let title = lang.tf(
        "form.contact_title",
        &[("contract", &display(&loan.contract_no))],
    );
    Form::new(
        title,
        vec![
            Field::new(DATE, "form.date", FieldKind::Date, &today.to_string()),
            Field::choice(KIND, "form.kind", kinds(lang), ContactKind::Visit.code()),
            Field::new(NOTES, "form.notes", FieldKind::Notes { required: true }, ""),
        ],
    )
}

pub fn command(form: &Form, contract_no: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Contact(ContactRecord {
        contract_no: contract_no.to_string(),
        contact_on: form.date(DATE)?,
        kind: ContactKind::parse(form.code(KIND)?).ok_or(KIND)?,
        notes: form.text(NOTES)?,
    }))
}
