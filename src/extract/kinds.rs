//! Per-extract columns, matching a header to them, and building each kind's record from
//! a row, including the cross-field checks (maturity after disbursement, balance ≤ principal).

use super::Why;
use super::cells::Row;
use super::{ExtractError, ExtractKind, Record};
use crate::domain::codes::{
    Classification, CollateralKind, GuaranteeType, Product, Sector, TrackingFrequency,
};
use crate::domain::records::{
    BorrowerRecord, CollateralRecord, CovenantRecord, FundFlowRecord, LoanRecord, RepaymentRecord,
    StatementRecord,
};
use crate::engine::Indicator;
use csv::StringRecord;
use rust_decimal::Decimal;

const LOANS: &[&str] = &[
    "contract_no",
    "borrower_code",
    "borrower_name",
    "product",
    "purpose",
    "currency",
    "principal",
    "outstanding",
    "interest_rate",
    "disbursed_on",
    "matures_on",
    "guarantee_type",
    "officer",
    "tracking_frequency",
];
const LOANS_OPTIONAL: &[&str] = &["classification", "restructured_on", "credit_impaired"];
const BORROWERS: &[&str] = &["borrower_code", "name", "credit_code", "industry", "region"];
const STATEMENTS: &[&str] = &[
    "borrower_code",
    "period_end",
    "total_assets",
    "total_liabilities",
    "current_assets",
    "current_liabilities",
    "inventory",
    "revenue",
    "ebit",
    "interest_expense",
    "net_profit",
    "operating_cash_flow",
];
const REPAYMENTS: &[&str] = &[
    "contract_no",
    "as_of",
    "overdue_days",
    "overdue_principal",
    "overdue_interest",
];
const COLLATERAL: &[&str] = &[
    "contract_no",
    "kind",
    "description",
    "appraised_value",
    "appraised_on",
];
const FUND_FLOWS: &[&str] = &["contract_no", "paid_on", "amount", "counterparty", "sector"];
const COVENANTS: &[&str] = &["contract_no", "indicator", "yellow", "orange", "red"];

pub(super) fn required(kind: ExtractKind) -> &'static [&'static str] {
    match kind {
        ExtractKind::Borrowers => BORROWERS,
        ExtractKind::Loans => LOANS,
        ExtractKind::Statements => STATEMENTS,
        ExtractKind::Repayments => REPAYMENTS,
        ExtractKind::Collateral => COLLATERAL,
        ExtractKind::FundFlows => FUND_FLOWS,
        ExtractKind::Covenants => COVENANTS,
    }
}

pub(super) fn optional(kind: ExtractKind) -> &'static [&'static str] {
    match kind {
        ExtractKind::Loans => LOANS_OPTIONAL,
        _ => &[],
    }
}

/// Where each known column sits in the file's rows.
pub(super) struct ColumnMap {
    /// (column name, field index) for every known column the header has.
    found: Vec<(&'static str, usize)>,
}

impl ColumnMap {
    /// Matches header names (trimmed, case-insensitive, byte-order mark stripped) to the
    /// kind's columns. Unknown columns are ignored; a known one named twice is an error.
    pub(super) fn from_header(
        file: &str,
        kind: ExtractKind,
        header: &StringRecord,
        line: u64,
    ) -> Result<Self, ExtractError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        let known = required(kind).iter().chain(optional(kind)).copied();
        for (n, column) in known.enumerate() {
            let mut at = names.iter().enumerate().filter(|(_, h)| *h == column);
            match (at.next(), at.next()) {
                (Some(_), Some(_)) => {
                    return Err(ExtractError::DuplicateColumn {
                        file: file.to_string(),
                        line,
                        column: column.to_string(),
                    });
                }
                (Some((idx, _)), None) => found.push((column, idx)),
                (None, _) if n < required(kind).len() => missing.push(column.to_string()),
                (None, _) => {}
            }
        }
        if !missing.is_empty() {
            return Err(ExtractError::MissingColumns {
                file: file.to_string(),
                kind,
                columns: missing,
            });
        }
        Ok(ColumnMap { found })
    }

    pub(super) fn index(&self, column: &str) -> Option<usize> {
        self.found
            .iter()
            .find(|(name, _)| *name == column)
            .map(|&(_, idx)| idx)
    }
}

/// Builds the record of `kind` from `row`. `None` means at least one error is on the row.
pub(super) fn build(kind: ExtractKind, row: &mut Row) -> Option<Record> {
    match kind {
        ExtractKind::Borrowers => borrower(row).map(Record::Borrower),
        ExtractKind::Loans => loan(row).map(Record::Loan),
        ExtractKind::Statements => statement(row).map(Record::Statement),
        ExtractKind::Repayments => repayment(row).map(Record::Repayment),
        ExtractKind::Collateral => collateral(row).map(Record::Collateral),
        ExtractKind::FundFlows => fund_flow(row).map(Record::FundFlow),
        ExtractKind::Covenants => covenant(row).map(Record::Covenant),
    }
}

fn borrower(r: &mut Row) -> Option<BorrowerRecord> {
    let code = r.key("borrower_code");
    let name = r.text("name");
    let credit_code = r.credit_code("credit_code");
    let industry = r.text("industry");
    let region = r.text("region");
    Some(BorrowerRecord {
        code: code?,
        name: name?,
        credit_code: credit_code?,
        industry: industry?,
        region: region?,
    })
}

fn loan(r: &mut Row) -> Option<LoanRecord> {
    let contract_no = r.key("contract_no");
    let borrower_code = r.key("borrower_code");
    let borrower_name = r.text("borrower_name");
    let product = r.code("product", Product::parse, Product::accepted);
    let purpose = r.text("purpose");
    let currency = r.currency("currency");
    let principal = r.amount("principal");
    let outstanding = r.amount("outstanding");
    let interest_rate = r.percent("interest_rate");
    let disbursed_on = r.date("disbursed_on");
    let matures_on = r.date("matures_on");
    let guarantee_type = r.code(
        "guarantee_type",
        GuaranteeType::parse,
        GuaranteeType::accepted,
    );
    let officer = r.key("officer");
    let tracking_frequency = r.code(
        "tracking_frequency",
        TrackingFrequency::parse,
        TrackingFrequency::accepted,
    );
    let classification = match r.raw("classification").map(str::trim) {
        None | Some("") => Some(None),
        Some(_) => r
            .code(
                "classification",
                Classification::parse,
                Classification::accepted,
            )
            .map(Some),
    };
    let restructured_on = match r.raw("restructured_on").map(str::trim) {
        None | Some("") => Some(None),
        Some(_) => r.date("restructured_on").map(Some),
    };
    let credit_impaired = r.optional_yes_no("credit_impaired");
    let mut consistent = true;
    if let (Some(d), Some(m)) = (disbursed_on, matures_on)
        && m <= d
    {
        let raw = r.raw("matures_on").unwrap_or("");
        let why = Why::new("import_check.not_after_disbursed").arg("date", d);
        r.bad_keyed("matures_on", raw, why);
        consistent = false;
    }
    if let (Some(p), Some(o)) = (principal, outstanding)
        && o > p
    {
        let raw = r.raw("outstanding").unwrap_or("");
        let why = Why::new("import_check.above_principal").arg("principal", p);
        r.bad_keyed("outstanding", raw, why);
        consistent = false;
    }
    if !consistent {
        return None;
    }
    Some(LoanRecord {
        contract_no: contract_no?,
        borrower_code: borrower_code?,
        borrower_name: borrower_name?,
        product: product?,
        purpose: purpose?,
        currency: currency?,
        principal: principal?,
        outstanding: outstanding?,
        interest_rate: interest_rate?,
        disbursed_on: disbursed_on?,
        matures_on: matures_on?,
        guarantee_type: guarantee_type?,
        officer: officer?,
        tracking_frequency: tracking_frequency?,
        classification: classification?,
        restructured_on: restructured_on?,
        credit_impaired: credit_impaired?,
    })
}

fn statement(r: &mut Row) -> Option<StatementRecord> {
    let borrower_code = r.key("borrower_code");
    let period_end = r.date("period_end");
    let total_assets = r.amount("total_assets");
    let total_liabilities = r.amount("total_liabilities");
    let current_assets = r.amount("current_assets");
    let current_liabilities = r.amount("current_liabilities");
    let inventory = r.amount("inventory");
    let revenue = r.amount("revenue");
    let ebit = r.signed_amount("ebit");
    let interest_expense = r.amount("interest_expense");
    let net_profit = r.signed_amount("net_profit");
    let operating_cash_flow = r.signed_amount("operating_cash_flow");
    Some(StatementRecord {
        borrower_code: borrower_code?,
        period_end: period_end?,
        total_assets: total_assets?,
        total_liabilities: total_liabilities?,
        current_assets: current_assets?,
        current_liabilities: current_liabilities?,
        inventory: inventory?,
        revenue: revenue?,
        ebit: ebit?,
        interest_expense: interest_expense?,
        net_profit: net_profit?,
        operating_cash_flow: operating_cash_flow?,
    })
}

fn repayment(r: &mut Row) -> Option<RepaymentRecord> {
    let contract_no = r.key("contract_no");
    let as_of = r.date("as_of");
    let overdue_days = r.days("overdue_days");
    let overdue_principal = r.amount("overdue_principal");
    let overdue_interest = r.amount("overdue_interest");
    Some(RepaymentRecord {
        contract_no: contract_no?,
        as_of: as_of?,
        overdue_days: overdue_days?,
        overdue_principal: overdue_principal?,
        overdue_interest: overdue_interest?,
    })
}

fn collateral(r: &mut Row) -> Option<CollateralRecord> {
    let contract_no = r.key("contract_no");
    let kind = r.code("kind", CollateralKind::parse, CollateralKind::accepted);
    let description = r.key_text("description");
    let appraised_value = r.amount("appraised_value");
    let appraised_on = r.date("appraised_on");
    Some(CollateralRecord {
        contract_no: contract_no?,
        kind: kind?,
        description: description?,
        appraised_value: appraised_value?,
        appraised_on: appraised_on?,
    })
}

fn fund_flow(r: &mut Row) -> Option<FundFlowRecord> {
    let contract_no = r.key("contract_no");
    let paid_on = r.date("paid_on");
    let amount = r.amount("amount");
    let counterparty = r.key_text("counterparty");
    let sector = r.code("sector", Sector::parse, Sector::accepted);
    Some(FundFlowRecord {
        contract_no: contract_no?,
        paid_on: paid_on?,
        amount: amount?,
        counterparty: counterparty?,
        sector: sector?,
    })
}

fn covenant(r: &mut Row) -> Option<CovenantRecord> {
    let contract_no = r.key("contract_no");
    let indicator = r.code(
        "indicator",
        |s| Indicator::parse(s).map(|i| i.code().to_string()),
        || {
            Indicator::ALL
                .iter()
                .map(|i| i.code())
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    let yellow = r.optional_threshold("yellow");
    let orange = r.optional_threshold("orange");
    let red = r.optional_threshold("red");
    let (yellow, orange, red) = (yellow?, orange?, red?);
    if let Some(ind) = indicator.as_deref().and_then(Indicator::parse) {
        let mut slip = false;
        for (column, level) in [("yellow", yellow), ("orange", orange), ("red", red)] {
            let Some(v) = level else { continue };
            let why = match unit_slip(ind, v) {
                Some(Slip::Fraction) => Why::new("import_check.threshold_fraction")
                    .arg("percent", (v * Decimal::ONE_HUNDRED).normalize()),
                Some(Slip::Percent) => Why::new("import_check.threshold_percent")
                    .arg("ratio", (v / Decimal::ONE_HUNDRED).normalize()),
                None => continue,
            };
            let raw = r.raw(column).unwrap_or("");
            r.bad_keyed(column, raw, why.arg("indicator", ind.code()));
            slip = true;
        }
        if slip {
            return None;
        }
    }
    if yellow.is_none() && orange.is_none() && red.is_none() {
        r.bad_keyed("red", "", Why::new("import_check.covenant_needs_threshold"));
        return None;
    }
    Some(CovenantRecord {
        contract_no: contract_no?,
        indicator: indicator?,
        yellow,
        orange,
        red,
    })
}

/// A threshold written in the wrong unit: a fraction for a percent (0.7 for 70 %), or a
/// percent for a ratio (120 for a current ratio of 1.2).
enum Slip {
    Fraction,
    Percent,
}

/// Percent indicators (and the debt-to-asset rise, in percentage points) take thresholds
/// such as 70: one strictly between -1 and 1 (not 0) reads as a fraction. Ratio indicators
/// take thresholds such as 1.2: one above 10 reads as a percent. Days and periods have no
/// such slip; fund diversion (percent of principal) is left out because small shares such as
/// 0.5 are meant.
fn unit_slip(ind: Indicator, v: Decimal) -> Option<Slip> {
    match ind {
        Indicator::DebtToAsset
        | Indicator::DebtToAssetRise
        | Indicator::RevenueDecline
        | Indicator::CollateralCoverage
            if !v.is_zero() && v.abs() < Decimal::ONE =>
        {
            Some(Slip::Fraction)
        }
        Indicator::CurrentRatio | Indicator::QuickRatio | Indicator::InterestCoverage
            if v > Decimal::TEN =>
        {
            Some(Slip::Percent)
        }
        _ => None,
    }
}
