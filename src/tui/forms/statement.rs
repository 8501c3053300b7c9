//! The financial-statement form of a loan's borrower, and its command.

use super::{Bad, FormCommand};
use crate::domain::StatementRecord;
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::store::Loan;
use crate::tui::widgets::form::{Field, FieldKind, Form};

pub const PERIOD_END: &str = "period_end";
pub const TOTAL_ASSETS: &str = "total_assets";
pub const TOTAL_LIABILITIES: &str = "total_liabilities";
pub const CURRENT_ASSETS: &str = "current_assets";
pub const CURRENT_LIABILITIES: &str = "current_liabilities";
pub const INVENTORY: &str = "inventory";
pub const REVENUE: &str = "revenue";
pub const EBIT: &str = "ebit";
pub const INTEREST_EXPENSE: &str = "interest_expense";
pub const NET_PROFIT: &str = "net_profit";
pub const OPERATING_CASH_FLOW: &str = "operating_cash_flow";

/// The amount fields: name, label, whether it may be negative.
const AMOUNTS: [(&str, &str, bool); 10] = [
    (TOTAL_ASSETS, "stmt.total_assets", false),
    (TOTAL_LIABILITIES, "stmt.total_liabilities", false),
    (CURRENT_ASSETS, "stmt.current_assets", false),
    (CURRENT_LIABILITIES, "stmt.current_liabilities", false),
    (INVENTORY, "stmt.inventory", false),
    (REVENUE, "stmt.revenue", false),
    (EBIT, "stmt.ebit", true),
    (INTEREST_EXPENSE, "stmt.interest_expense", false),
    (NET_PROFIT, "stmt.net_profit", true),
    (OPERATING_CASH_FLOW, "stmt.operating_cash_flow", true),
];

/// The order of the fields when drafts were kept by place.
pub const V1_FIELDS: [&str; 11] = [
    PERIOD_END,
    TOTAL_ASSETS,
    TOTAL_LIABILITIES,
    CURRENT_ASSETS,
    CURRENT_LIABILITIES,
    INVENTORY,
    REVENUE,
    EBIT,
    INTEREST_EXPENSE,
    NET_PROFIT,
    OPERATING_CASH_FLOW,
];

pub fn form(loan: &Loan, lang: Lang) -> Form {
    let title = lang.tf(
        "form.statement_title",
        &[("borrower", &display(&loan.borrower_name))],
    );
    let mut fields = vec![Field::new(
        PERIOD_END,
        "form.period_end",
        FieldKind::Date,
        "",
    )];
    for (name, label, signed) in AMOUNTS {
        let kind = if signed {
            FieldKind::SignedAmount
        } else {
            FieldKind::Amount
        };
        fields.push(Field::new(name, label, kind, ""));
    }
    Form::new(title, fields)
}

pub fn command(form: &Form, borrower_code: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Statement(StatementRecord {
        borrower_code: borrower_code.to_string(),
        period_end: form.date(PERIOD_END)?,
        total_assets: form.amount(TOTAL_ASSETS)?,
        total_liabilities: form.amount(TOTAL_LIABILITIES)?,
        current_assets: form.amount(CURRENT_ASSETS)?,
        current_liabilities: form.amount(CURRENT_LIABILITIES)?,
        inventory: form.amount(INVENTORY)?,
        revenue: form.amount(REVENUE)?,
        ebit: form.amount(EBIT)?,
        interest_expense: form.amount(INTEREST_EXPENSE)?,
        net_profit: form.amount(NET_PROFIT)?,
        operating_cash_flow: form.amount(OPERATING_CASH_FLOW)?,
    }))
}
