//! The migration report in words, shared by `postloan report migration` and the
//! classification pane: column names, the matrix lines at given widths, the rates with their
//! names and the NPL line, so both say the same figures the same way.

use super::migration::{CLOSED, Migration};
use crate::domain::Classification;
use crate::domain::money::group_thousands;
use crate::domain::text::{pad_left, pad_right};
use crate::i18n::Lang;
use rust_decimal::Decimal;

/// The closing columns' codes: the five classes, then `closed`.
pub fn column_code(col: usize) -> &'static str {
    Classification::from_rank(col as i64).map_or("closed", |c| c.code())
}

/// A closing column's name in `lang`.
pub fn column_name(col: usize, lang: Lang) -> String {
    match Classification::from_rank(col as i64) {
        Some(c) => lang.code_name("class", c.code()),
        None => lang.t("portfolio.closed").to_string(),
    }
}

/// A percentage as shown: `8.51%`, or `-` when there is nothing to divide by.
pub fn pct_text(d: Option<Decimal>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{}%", d.round_dp(2)))
}

/// The four migration rates and the combined 正常贷款迁徙率, by their JSON keys.
pub fn rates(m: &Migration) -> [(&'static str, Option<Decimal>); 5] {
    [
        ("pass", m.rate(Classification::Pass)),
        ("special_mention", m.rate(Classification::SpecialMention)),
        ("substandard", m.rate(Classification::Substandard)),
        ("doubtful", m.rate(Classification::Doubtful)),
        ("normal", m.normal_rate()),
    ]
}

/// A rate's name: the class's, or 正常贷款迁徙率's.
pub fn rate_name(key: &str, lang: Lang) -> String {
    if key == "normal" {
        lang.t("portfolio.normal_rate").to_string()
    } else {
        lang.code_name("class", key)
    }
}

/// The unit the balance matrix is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    /// 万元, two decimals: where full yuan do not fit the terminal.
    TenThousand,
}

/// A balance cell in `unit`.
pub fn balance_text(amount: Decimal, unit: Unit) -> String {
    match unit {
        Unit::Yuan => group_thousands(amount),
        Unit::TenThousand => group_thousands(amount / Decimal::from(10_000)),
    }
}

/// A matrix cell: the count, or the opening balance in `unit`.
pub fn cell_text(m: &Migration, row: usize, col: usize, by_count: bool, unit: Unit) -> String {
    if by_count {
        m.count[row][col].to_string()
    } else {
        balance_text(m.balance[row][col], unit)
    }
}

/// The matrix (by count or by balance) as lines: a head of closing columns, then one line per
/// opening class; `label` columns for the opening class, `width` for each closing column.
pub fn matrix_lines(
    m: &Migration,
    by_count: bool,
    unit: Unit,
    label: usize,
    width: usize,
    lang: Lang,
) -> Vec<String> {
    // A column is a space, then its text right-aligned: cut text never runs into the next.
    let cell = |text: &str| format!(" {}", pad_left(text, width.saturating_sub(1)));
    let mut head = pad_right(lang.t("portfolio.opening"), label);
    for col in 0..=CLOSED {
        head.push_str(&cell(&column_name(col, lang)));
    }
    let mut lines = vec![head];
    for (i, c) in Classification::ALL.iter().enumerate() {
        let mut line = pad_right(&lang.code_name("class", c.code()), label);
        for col in 0..=CLOSED {
            line.push_str(&cell(&cell_text(m, i, col, by_count, unit)));
        }
        lines.push(line);
    }
    lines
}

/// The widest balance cell in `unit`.
pub fn widest_balance(m: &Migration, unit: Unit) -> usize {
    m.balance
        .iter()
        .flatten()
        .map(|b| balance_text(*b, unit).len())
        .max()
        .unwrap_or(1)
}

/// The NPL ratio at both dates, in a sentence.
pub fn npl_line(
    m: &Migration,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    lang: Lang,
) -> String {
    let (npl_from, npl_to) = m.npl_ratios();
    lang.tf(
        "portfolio.npl_ratios",
        &[
            ("from", &from),
            ("npl_from", &pct_text(npl_from)),
            ("to", &to),
            ("npl_to", &pct_text(npl_to)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::migration::LoanAtDates;

    #[test]
    fn cells_and_rates_read_as_the_report_says_them() {
        let mut m = Migration::default();
        m.add(&LoanAtDates {
            from: Some((Classification::Pass, Decimal::from(123_456))),
            to: Some((Classification::SpecialMention, Decimal::from(100_000))),
        });
        assert_eq!(cell_text(&m, 0, 1, true, Unit::Yuan), "1");
        assert_eq!(cell_text(&m, 0, 1, false, Unit::Yuan), "123,456.00");
        assert_eq!(cell_text(&m, 0, 1, false, Unit::TenThousand), "12.35");
        assert_eq!(rates(&m)[0], ("pass", Some(Decimal::from(100))));
        assert_eq!(pct_text(None), "-");
        let lines = matrix_lines(&m, true, Unit::Yuan, 16, 16, Lang::En);
        assert_eq!(lines.len(), 6);
        assert!(lines[1].starts_with("Pass"), "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() == 16 + 6 * 16));
    }
}
