//! Key ratios from a financial statement (DOMAIN.md §5), the one place their arithmetic
//! lives: the engine's indicators and the loan detail both call these. A zero denominator or
//! an overflow is an error ("cannot compute"), never a panic or an infinity.

use super::records::StatementRecord;
use rust_decimal::Decimal;

/// Why a ratio cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioError {
    /// The denominator is zero.
    ZeroDenominator,
    /// The figures are too large for exact arithmetic.
    Overflow,
}

/// `numerator / denominator`, exact and checked.
pub fn ratio(numerator: Decimal, denominator: Decimal) -> Result<Decimal, RatioError> {
    if denominator.is_zero() {
        return Err(RatioError::ZeroDenominator);
    }
    numerator
        .checked_div(denominator)
        .ok_or(RatioError::Overflow)
}

/// `numerator / denominator` in percent (× 100), exact and checked.
pub fn percent(numerator: Decimal, denominator: Decimal) -> Result<Decimal, RatioError> {
    ratio(numerator, denominator)?
        .checked_mul(Decimal::ONE_HUNDRED)
        .ok_or(RatioError::Overflow)
}

/// 资产负债率 = total liabilities / total assets (a fraction, not percent).
pub fn debt_to_asset(s: &StatementRecord) -> Result<Decimal, RatioError> {
    ratio(s.total_liabilities, s.total_assets)
}

/// 流动比率 = current assets / current liabilities.
pub fn current(s: &StatementRecord) -> Result<Decimal, RatioError> {
    ratio(s.current_assets, s.current_liabilities)
}

/// 速动比率 = (current assets − inventory) / current liabilities.
pub fn quick(s: &StatementRecord) -> Result<Decimal, RatioError> {
    let quick_assets = s
        .current_assets
        .checked_sub(s.inventory)
        .ok_or(RatioError::Overflow)?;
    ratio(quick_assets, s.current_liabilities)
}

/// 利息保障倍数 = EBIT / interest expense.
pub fn interest_coverage(s: &StatementRecord) -> Result<Decimal, RatioError> {
    ratio(s.ebit, s.interest_expense)
}

/// The ratios shown per period in the loan detail (None: cannot compute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRatios {
    pub debt_to_asset: Option<Decimal>,
    pub current: Option<Decimal>,
    pub quick: Option<Decimal>,
    pub interest_coverage: Option<Decimal>,
}

impl KeyRatios {
    pub fn of(s: &StatementRecord) -> KeyRatios {
        KeyRatios {
            debt_to_asset: debt_to_asset(s).ok(),
            current: current(s).ok(),
            quick: quick(s).ok(),
            interest_coverage: interest_coverage(s).ok(),
        }
    }

    /// Each ratio of `self` less the same of `base` (None where either cannot be computed
    /// or the difference overflows).
    pub fn change_since(&self, base: &KeyRatios) -> KeyRatios {
        let delta =
            |a: Option<Decimal>, b: Option<Decimal>| a.zip(b).and_then(|(a, b)| a.checked_sub(b));
        KeyRatios {
            debt_to_asset: delta(self.debt_to_asset, base.debt_to_asset),
            current: delta(self.current, base.current),
            quick: delta(self.quick, base.quick),
            interest_coverage: delta(self.interest_coverage, base.interest_coverage),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn statement() -> StatementRecord {
        StatementRecord {
            borrower_code: "B1".into(),
            period_end: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            total_assets: d("1000"),
            total_liabilities: d("700"),
            current_assets: d("600"),
            current_liabilities: d("500"),
            inventory: d("200"),
            revenue: d("900"),
            ebit: d("90"),
            interest_expense: d("30"),
            net_profit: d("40"),
            operating_cash_flow: d("-10"),
        }
    }

    #[test]
    fn ratios_are_exact() {
        let r = KeyRatios::of(&statement());
        assert_eq!(r.debt_to_asset, Some(d("0.7")));
        assert_eq!(r.current, Some(d("1.2")));
        assert_eq!(r.quick, Some(d("0.8")));
        assert_eq!(r.interest_coverage, Some(d("3")));
    }

    #[test]
    fn zero_denominators_cannot_be_computed() {
        let mut s = statement();
        s.current_liabilities = Decimal::ZERO;
        s.interest_expense = Decimal::ZERO;
        s.total_assets = Decimal::ZERO;
        let r = KeyRatios::of(&s);
        assert_eq!(r.current, None);
        assert_eq!(r.quick, None);
        assert_eq!(r.interest_coverage, None);
        assert_eq!(r.debt_to_asset, None);
    }

    #[test]
    fn absurd_figures_do_not_panic() {
        let mut s = statement();
        s.current_assets = Decimal::MAX;
        s.inventory = Decimal::MIN;
        let r = KeyRatios::of(&s);
        assert_eq!(r.quick, None, "overflowing subtraction cannot be computed");
        assert_eq!(crate::domain::money::to_minor_units(Decimal::MAX), i64::MAX);
    }
}
