//! The repayment-status form of a loan (days past due, overdue amounts), and its command.

use super::{Bad, FormCommand};
use crate::domain::RepaymentRecord;
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::store::Loan;
use crate::tui::widgets::form::{Field, FieldKind, Form};
use chrono::NaiveDate;

pub const AS_OF: &str = "as_of";
pub const DPD: &str = "dpd";
pub const PRINCIPAL: &str = "overdue_principal";
pub const INTEREST: &str = "overdue_interest";

pub fn form(loan: &Loan, lang: Lang, today: NaiveDate) -> Form {
    let title = lang.tf(
        "form.repayment_title",
        &[("contract", &display(&loan.contract_no))],
    );
    Form::new(
        title,
        vec![
            Field::new(AS_OF, "form.as_of", FieldKind::Date, &today.to_string()),
            Field::new(DPD, "col.dpd", FieldKind::Days, "0"),
            Field::new(PRINCIPAL, "form.overdue_principal", FieldKind::Amount, "0"),
            Field::new(INTEREST, "form.overdue_interest", FieldKind::Amount, "0"),
        ],
    )
}

pub fn command(form: &Form, contract_no: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Repayment(RepaymentRecord {
        contract_no: contract_no.to_string(),
        as_of: form.date(AS_OF)?,
        overdue_days: form.days(DPD)?,
        overdue_principal: form.amount(PRINCIPAL)?,
        overdue_interest: form.amount(INTEREST)?,
    }))
}
