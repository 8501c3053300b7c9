//! The records the book is made of, as they arrive from an extract, the demo generator or a
//! form: validated values, ready for the store to write. No IO here.

use super::codes::*;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BorrowerRecord {
    pub code: String,
    pub name: String,
    /// 统一社会信用代码 (18 characters).
    pub credit_code: String,
    pub industry: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoanRecord {
    pub contract_no: String,
    pub borrower_code: String,
    /// When the borrower is not in the book yet, the loan row creates it with this name.
    pub borrower_name: String,
    pub product: Product,
    pub purpose: String,
    pub currency: String,
    pub principal: Decimal,
    pub outstanding: Decimal,
    /// Annual rate in percent, e.g. `4.35`.
    pub interest_rate: Decimal,
    pub disbursed_on: NaiveDate,
    pub matures_on: NaiveDate,
    pub guarantee_type: GuaranteeType,
    /// Staff user name of the responsible officer (跟踪责任人).
    pub officer: String,
    pub tracking_frequency: TrackingFrequency,
    /// The class of a loan new to the book (正常 when not given). For a loan already in the
    /// book a different class becomes a proposal, never a change (`None`: not in the file).
    pub classification: Option<Classification>,
    /// Restructured on this date (optional column `restructured_on`).
    pub restructured_on: Option<NaiveDate>,
    /// Credit-impaired (optional column `credit_impaired`): `Some(true)` records an
    /// impairment unless one is recorded; `Some(false)` records nothing.
    pub credit_impaired: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementRecord {
    pub borrower_code: String,
    pub period_end: NaiveDate,
    pub total_assets: Decimal,
    pub total_liabilities: Decimal,
    pub current_assets: Decimal,
    pub current_liabilities: Decimal,
    pub inventory: Decimal,
    pub revenue: Decimal,
    pub ebit: Decimal,
    pub interest_expense: Decimal,
    pub net_profit: Decimal,
    pub operating_cash_flow: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepaymentRecord {
    pub contract_no: String,
    pub as_of: NaiveDate,
    pub overdue_days: i64,
    pub overdue_principal: Decimal,
    pub overdue_interest: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollateralRecord {
    pub contract_no: String,
    pub kind: CollateralKind,
    pub description: String,
    pub appraised_value: Decimal,
    pub appraised_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FundFlowRecord {
    pub contract_no: String,
    pub paid_on: NaiveDate,
    pub amount: Decimal,
    pub counterparty: String,
    pub sector: Sector,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffRecord {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactRecord {
    pub contract_no: String,
    pub contact_on: NaiveDate,
    pub kind: ContactKind,
    pub notes: String,
}

/// A loan's own thresholds for one warning indicator (its covenant), overriding the configured
/// ones for that loan. `indicator` is the indicator's code; omitted levels are not raised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CovenantRecord {
    pub contract_no: String,
    pub indicator: String,
    pub yellow: Option<Decimal>,
    pub orange: Option<Decimal>,
    pub red: Option<Decimal>,
}
