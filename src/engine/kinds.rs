//! The small vocabularies of the warning rules: levels, risk types, triggers, units, rule
//! sources and the indicators themselves, each with its config code (and Chinese name).

use rust_decimal::Decimal;

pub use crate::domain::warning::{Level, RiskType};

/// How a value is compared with a threshold: `value <trigger> threshold` raises the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Trigger {
    pub const ALL: [Trigger; 4] = [Trigger::Gt, Trigger::Ge, Trigger::Lt, Trigger::Le];

    pub fn code(self) -> &'static str {
        match self {
            Trigger::Gt => ">",
            Trigger::Ge => ">=",
            Trigger::Lt => "<",
            Trigger::Le => "<=",
        }
    }

    pub fn parse(s: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| t.code() == s)
    }

    /// Whether a larger value is worse (`>` and `>=`).
    pub fn rising(self) -> bool {
        matches!(self, Trigger::Gt | Trigger::Ge)
    }

    /// Whether `value` reaches a level whose threshold is `threshold`.
    pub fn hits(self, value: Decimal, threshold: Decimal) -> bool {
        match self {
            Trigger::Gt => value > threshold,
            Trigger::Ge => value >= threshold,
            Trigger::Lt => value < threshold,
            Trigger::Le => value <= threshold,
        }
    }
}

/// What an indicator's value counts, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Percent,
    Points,
    Ratio,
    Days,
    Periods,
    AmountShare,
}

impl Unit {
    pub const ALL: [Unit; 6] = [
        Unit::Percent,
        Unit::Points,
        Unit::Ratio,
        Unit::Days,
        Unit::Periods,
        Unit::AmountShare,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Points => "points",
            Unit::Ratio => "ratio",
            Unit::Days => "days",
            Unit::Periods => "periods",
            Unit::AmountShare => "amount_share",
        }
    }

    pub fn parse(s: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.code() == s)
    }
}

/// Where the rule in force for an indicator came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleSource {
    Default,
    Site,
    User,
    Covenant,
}

impl RuleSource {
    pub fn code(self) -> &'static str {
        match self {
            RuleSource::Default => "default",
            RuleSource::Site => "site",
            RuleSource::User => "user",
            RuleSource::Covenant => "covenant",
        }
    }
}

/// The computed early-warning indicators (DOMAIN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Indicator {
    Dpd,
    DebtToAsset,
    DebtToAssetRise,
    CurrentRatio,
    QuickRatio,
    InterestCoverage,
    RevenueDecline,
    NegativeCashFlow,
    CollateralCoverage,
    FundDiversion,
    StatementsLate,
    RepaymentStale,
}

impl Indicator {
    pub const ALL: [Indicator; 12] = [
        Indicator::Dpd,
        Indicator::DebtToAsset,
        Indicator::DebtToAssetRise,
        Indicator::CurrentRatio,
        Indicator::QuickRatio,
        Indicator::InterestCoverage,
        Indicator::RevenueDecline,
        Indicator::NegativeCashFlow,
        Indicator::CollateralCoverage,
        Indicator::FundDiversion,
        Indicator::StatementsLate,
        Indicator::RepaymentStale,
    ];

    /// The key under `[warnings]`.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::Dpd => "dpd",
            Indicator::DebtToAsset => "debt_to_asset",
            Indicator::DebtToAssetRise => "debt_to_asset_rise",
            Indicator::CurrentRatio => "current_ratio",
            Indicator::QuickRatio => "quick_ratio",
            Indicator::InterestCoverage => "interest_coverage",
            Indicator::RevenueDecline => "revenue_decline",
            Indicator::NegativeCashFlow => "negative_cash_flow",
            Indicator::CollateralCoverage => "collateral_coverage",
            Indicator::FundDiversion => "fund_diversion",
            Indicator::StatementsLate => "statements_late",
            Indicator::RepaymentStale => "repayment_stale",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Indicator::Dpd => "逾期天数",
            Indicator::DebtToAsset => "资产负债率",
            Indicator::DebtToAssetRise => "资产负债率较放款时上升",
            Indicator::CurrentRatio => "流动比率",
            Indicator::QuickRatio => "速动比率",
            Indicator::InterestCoverage => "利息保障倍数",
            Indicator::RevenueDecline => "营业收入同比下降",
            Indicator::NegativeCashFlow => "经营现金流连续为负",
            Indicator::CollateralCoverage => "抵押率",
            Indicator::FundDiversion => "资金挪用",
            Indicator::StatementsLate => "财务报表逾期",
            Indicator::RepaymentStale => "还款数据过期",
        }
    }

    pub fn parse(s: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code() == s)
    }

    /// Position in [`Indicator::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the value comes from the financial statements alone (has a per-period history).
    pub fn is_financial(self) -> bool {
        matches!(
            self,
            Indicator::DebtToAsset
                | Indicator::DebtToAssetRise
                | Indicator::CurrentRatio
                | Indicator::QuickRatio
                | Indicator::InterestCoverage
                | Indicator::RevenueDecline
                | Indicator::NegativeCashFlow
        )
    }
}
