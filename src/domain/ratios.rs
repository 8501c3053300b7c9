//! Key ratios from a financial statement (DOMAIN.md §5). A zero denominator gives `None`
//! ("cannot compute"), never a panic or an infinity.

use super::records::StatementRecord;
use rust_decimal::Decimal;

fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    if denominator.is_zero() {
        None
    } else {
        numerator.checked_div(denominator)
    }
}

/// The ratios shown per period in the loan detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRatios {
    /// 资产负债率 = total liabilities / total assets.
    pub debt_to_asset: Option<Decimal>,
    /// 流动比率 = current assets / current liabilities.
    pub current: Option<Decimal>,
    /// 速动比率 = (current assets − inventory) / current liabilities.
    pub quick: Option<Decimal>,
    /// 利息保障倍数 = EBIT / interest expense.
    pub interest_coverage: Option<Decimal>,
}

impl KeyRatios {
    pub fn of(s: &StatementRecord) -> KeyRatios {
        KeyRatios {
            debt_to_asset: ratio(s.total_liabilities, s.total_assets),
            current: ratio(s.current_assets, s.current_liabilities),
            quick: s
                .current_assets
                .checked_sub(s.inventory)
                .and_then(|quick_assets| ratio(quick_assets, s.current_liabilities)),
            interest_coverage: ratio(s.ebit, s.interest_expense),
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
