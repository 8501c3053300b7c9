//! Money and ratios: parsing amounts from outside data and formatting them for people.
//! Everything is `rust_decimal::Decimal`; there is no float anywhere on this path.

use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// Rounds to `dp` places half away from zero (四舍五入), as banks print amounts.
pub fn round_half_up(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Why a piece of text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("empty")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("more than two decimal places")]
    TooPrecise,
    #[error("negative")]
    Negative,
    #[error("misplaced thousands separator")]
    BadGrouping,
    /// `1.234,00`: a comma after the decimal point (European style) could mean either.
    #[error("ambiguous decimal separator (write 1234.56 or 1,234.56)")]
    Ambiguous,
    /// `1e1`: exponent notation, which no bank extract means.
    #[error("exponent notation is not accepted (write 10, not 1e1)")]
    Exponent,
    /// `USD 1.00`, `$5`: a currency other than the yuan's marks in an amount.
    #[error("currency {0} is not accepted in an amount column")]
    Currency(String),
}

impl AmountError {
    /// Translation key of the reason (the table has both languages).
    pub fn key(&self) -> &'static str {
        match self {
            AmountError::Empty => "amount.empty",
            AmountError::NotANumber => "amount.not_a_number",
            AmountError::TooPrecise => "amount.too_precise",
            AmountError::Negative => "amount.negative",
            AmountError::BadGrouping => "amount.bad_grouping",
            AmountError::Ambiguous => "amount_forms.ambiguous",
            AmountError::Exponent => "import_keys.exponent",
            AmountError::Currency(_) => "import_keys.amount_currency",
        }
    }
}

/// Parses an amount as written in bank extracts: `5000000`, `5,000,000.00`, `¥1,200.5`,
/// `1 200.50`, full-width digits, surrounding spaces allowed (see [`ACCEPTED_AMOUNT_FORMS`]).
/// Thousands separators must group by three. A negative amount is [`AmountError::Negative`].
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    let d = parse_decimal(text)?;
    if d.scale() > 2 && d.normalize().scale() > 2 {
        return Err(AmountError::TooPrecise);
    }
    if d.is_sign_negative() && !d.is_zero() {
        return Err(AmountError::Negative);
    }
    Ok(d.normalize().round_dp(2))
}

/// Parses a signed decimal with optional thousands separators (used for statement lines,
/// which may be negative, e.g. net profit or operating cash flow).
pub fn parse_signed_amount(text: &str) -> Result<Decimal, AmountError> {
    let d = parse_decimal(text)?;
    if d.normalize().scale() > 2 {
        return Err(AmountError::TooPrecise);
    }
    Ok(d.normalize().round_dp(2))
}

/// Parses a rate or ratio such as `4.35`, `4.35%`, `0.0435` or `-1.5` (any precision, no
/// grouping), in full-width digits too (`４.３５％`). Exponents (`1e1`) and currency marks are
/// refused.
pub fn parse_rate(text: &str) -> Result<Decimal, AmountError> {
    let ascii = ascii_forms(text);
    let t = ascii.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim_end();
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    if let Some(code) = currency_mark(t).or_else(|| yuan_mark(t)) {
        return Err(AmountError::Currency(code));
    }
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if has_exponent(digits) {
        return Err(AmountError::Exponent);
    }
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let well_formed = !int_part.is_empty()
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac_part.is_empty());
    if !well_formed {
        return Err(AmountError::NotANumber);
    }
    Decimal::from_str(t.strip_prefix('+').unwrap_or(t)).map_err(|_| AmountError::NotANumber)
}

/// The yuan's own marks (`¥`, `CNY`, `RMB`), which a rate has no place for.
fn yuan_mark(t: &str) -> Option<String> {
    let t = t.trim_start_matches(['-', '+']);
    if t.contains('¥') {
        return Some("¥".into());
    }
    let (rest, had) = strip_currency(t);
    had.then(|| t[..t.len() - rest.len()].trim().to_ascii_uppercase())
}

/// `1e5`, `2.5E-3`: digits, an `e`, and a (signed) exponent.
fn has_exponent(t: &str) -> bool {
    match t.find(['e', 'E']) {
        Some(i) if i > 0 => {
            let exp = &t[i + 1..];
            let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
            !exp.is_empty()
                && exp.bytes().all(|b| b.is_ascii_digit())
                && t[..i].bytes().all(|b| b.is_ascii_digit() || b == b'.')
        }
        _ => false,
    }
}

/// A currency written with the number that is not the yuan's (`USD 1.00`, `1.00 usd`, `$5`,
/// `€5`): its code or sign. `¥`/`CNY`/`RMB` are not named here (amounts strip them).
fn currency_mark(t: &str) -> Option<String> {
    let t = t
        .trim_start_matches(['-', '('])
        .trim_end_matches([')', '-']);
    for sign in ["US$", "HK$", "$", "€", "£", "₩", "₹"] {
        if t.starts_with(sign) || t.ends_with(sign) {
            return Some(sign.to_string());
        }
    }
    let lead: String = t.chars().take_while(char::is_ascii_alphabetic).collect();
    let trail: String = {
        let mut v: Vec<char> = t
            .chars()
            .rev()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        v.reverse();
        v.into_iter().collect()
    };
    for code in [lead, trail] {
        let is_yuan = code.eq_ignore_ascii_case("CNY") || code.eq_ignore_ascii_case("RMB");
        let digits_too = t.bytes().any(|b| b.is_ascii_digit());
        if code.len() == 3 && !is_yuan && digits_too {
            return Some(code.to_ascii_uppercase());
        }
    }
    None
}

/// The amount forms [`parse_amount`] and [`parse_signed_amount`] accept, for error messages.
pub const ACCEPTED_AMOUNT_FORMS: &str =
    "1,234.56, 1234.56, 1 234.56, ¥1,234.56, CNY/RMB 1,234.56, -¥1,234.56, (1,234.56), 1,234.56-";

/// Full-width digits, signs and separators (as typed with a Chinese input method) as ASCII.
pub fn ascii_forms(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mapped = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            '，' => ',',
            '．' => '.',
            '－' | '−' => '-',
            '（' => '(',
            '）' => ')',
            '\u{3000}' | '\u{a0}' | '\u{202f}' => ' ',
            '￥' => '¥',
            '％' => '%',
            '＋' => '+',
            'ｅ' => 'e',
            'Ｅ' => 'E',
            other => other,
        })
        .collect();
    std::borrow::Cow::Owned(mapped)
}

/// Removes a currency mark (`¥`, `￥`, `CNY`, `RMB`, any case) and the spaces after it.
fn strip_currency(t: &str) -> (&str, bool) {
    if let Some(rest) = t.strip_prefix('¥') {
        return (rest.trim_start(), true);
    }
    for code in ["CNY", "RMB"] {
        if t.len() >= 3 && t.is_char_boundary(3) && t[..3].eq_ignore_ascii_case(code) {
            return (t[3..].trim_start(), true);
        }
    }
    (t, false)
}

/// Accepts the forms in [`ACCEPTED_AMOUNT_FORMS`]: one sign at most (a leading or trailing
/// `-`, or accounting parentheses), a currency mark before the digits or right after a
/// leading `-`, and thousands grouped by commas or by single spaces, never both. A comma
/// after the decimal point (`1.234,00`) is refused as ambiguous.
fn parse_decimal(text: &str) -> Result<Decimal, AmountError> {
    let ascii = ascii_forms(text);
    let mut t = ascii.trim();
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    if let Some(code) = currency_mark(t) {
        return Err(AmountError::Currency(code));
    }
    if has_exponent(t.trim_start_matches(['-', '¥'])) {
        return Err(AmountError::Exponent);
    }
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    let (rest, had_currency) = strip_currency(t);
    t = rest;
    if let Some(rest) = t.strip_prefix('-') {
        if negative {
            return Err(AmountError::NotANumber);
        }
        negative = true;
        t = rest.trim_start();
        if !had_currency {
            t = strip_currency(t).0;
        }
    }
    if let Some(rest) = t.strip_suffix('-') {
        if negative {
            return Err(AmountError::NotANumber);
        }
        negative = true;
        t = rest.trim_end();
    }
    if t.is_empty() {
        return Err(AmountError::Empty);
    }
    let (int_part, frac_part) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if frac_part.is_some_and(|f| f.contains(',') || f.contains('.')) {
        return Err(AmountError::Ambiguous);
    }
    let separator = match (int_part.contains(','), int_part.contains(' ')) {
        // `1 234,00`: spaces group, a comma ends: a decimal comma.
        (true, true) if int_part.rfind(',') > int_part.rfind(' ') => {
            return Err(AmountError::Ambiguous);
        }
        (true, true) => return Err(AmountError::BadGrouping),
        (true, false) => Some(','),
        (false, true) => Some(' '),
        (false, false) => None,
    };
    let int_digits: String = match separator {
        Some(sep) => {
            let groups: Vec<&str> = int_part.split(sep).collect();
            let first_ok = (1..=3).contains(&groups[0].len());
            let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(AmountError::BadGrouping);
            }
            groups.concat()
        }
        None => int_part.to_string(),
    };
    if int_digits.is_empty() || !int_digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::NotANumber);
    }
    if let Some(f) = frac_part
        && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(AmountError::NotANumber);
    }
    let sign = if negative { "-" } else { "" };
    let joined = match frac_part {
        Some(f) => format!("{sign}{int_digits}.{f}"),
        None => format!("{sign}{int_digits}"),
    };
    Decimal::from_str(&joined).map_err(|_| AmountError::NotANumber)
}

/// `1234567.5` → `1,234,567.50` (always two decimals, thousands grouped).
pub fn group_thousands(amount: Decimal) -> String {
    let rounded = round_half_up(amount, 2);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let s = format!("{:.2}", rounded.abs());
    let (int_part, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    let len = int_part.len();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out.push('.');
    out.push_str(frac);
    out
}

/// Currency symbol or code prefix for display.
pub fn currency_prefix(currency: &str) -> &str {
    match currency {
        "CNY" => "¥",
        "USD" => "$",
        "EUR" => "€",
        "HKD" => "HK$",
        other => other,
    }
}

/// `format_money(5000000, "CNY")` → `¥5,000,000.00`; unknown currencies keep their code.
pub fn format_money(amount: Decimal, currency: &str) -> String {
    let prefix = currency_prefix(currency);
    let body = group_thousands(amount);
    if prefix.chars().all(|c| c.is_ascii_alphabetic()) {
        format!("{prefix} {body}")
    } else if let Some(rest) = body.strip_prefix('-') {
        format!("-{prefix}{rest}")
    } else {
        format!("{prefix}{body}")
    }
}

/// A ratio shown as a percentage with two decimals: `0.7234` → `72.34%`.
pub fn format_percent(ratio: Decimal) -> String {
    format!("{:.2}%", round_half_up(ratio * Decimal::ONE_HUNDRED, 2))
}

/// Integer minor units (fen) for ordering in SQL; amounts themselves are stored as TEXT.
pub fn to_minor_units(amount: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    // Amounts past i64 fen (92 trillion yuan) sort last rather than overflow.
    round_half_up(amount, 2)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|fen| fen.to_i64())
        .unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    /// Tiny stand-in for a decimal literal macro.
    mod rust_decimal_macros_free {
        macro_rules! dec {
            ($s:literal) => {
                rust_decimal::Decimal::from_str_exact(stringify!($s)).unwrap()
            };
        }
        pub(crate) use dec;
    }

    #[test]
    fn parses_plain_and_grouped_amounts() {
        assert_eq!(parse_amount("5000000"), Ok(dec!(5000000)));
        assert_eq!(parse_amount("5,000,000.00"), Ok(dec!(5000000)));
        assert_eq!(parse_amount(" ¥1,200.5 "), Ok(dec!(1200.5)));
        assert_eq!(parse_amount("0.01"), Ok(dec!(0.01)));
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("12,3x"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("12x"), Err(AmountError::NotANumber));
        assert_eq!(parse_amount("1,00"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("1.234"), Err(AmountError::TooPrecise));
        assert_eq!(parse_amount("-5"), Err(AmountError::Negative));
        assert_eq!(parse_amount("1e5"), Err(AmountError::Exponent));
        assert_eq!(parse_amount("."), Err(AmountError::NotANumber));
    }

    #[test]
    fn signed_amounts_allow_negative() {
        assert_eq!(parse_signed_amount("-1,234.50"), Ok(dec!(-1234.5)));
    }

    #[test]
    fn accounting_forms_are_accepted() {
        for text in [
            "-¥1,234.00",
            "¥-1,234.00",
            "(1,234.00)",
            "(¥1,234.00)",
            "￥-1,234.00",
            "CNY -1,234.00",
            "-RMB 1,234.00",
            "1,234.00-",
            "-1 234.00",
            "－１，２３４．００",
            "（１２３４）",
        ] {
            assert_eq!(parse_signed_amount(text), Ok(dec!(-1234)), "{text}");
            assert_eq!(parse_amount(text), Err(AmountError::Negative), "{text}");
        }
        for text in [
            "CNY 1,234.00",
            "rmb1234",
            "1 234.00",
            "１２３４",
            "￥1,234",
            "¥ 1,234.00",
        ] {
            assert_eq!(parse_amount(text), Ok(dec!(1234)), "{text}");
        }
    }

    #[test]
    fn ambiguous_and_doubled_forms_are_refused() {
        assert_eq!(parse_amount("1.234,00"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("1.234.567,89"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("1 234,00"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("1,234 567.00"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("12 34"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("1  234"), Err(AmountError::BadGrouping));
        assert_eq!(
            parse_signed_amount("(-1,234.00)"),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_signed_amount("-1,234.00-"),
            Err(AmountError::NotANumber)
        );
        assert_eq!(
            parse_signed_amount("(1,234.00"),
            Err(AmountError::NotANumber)
        );
        assert_eq!(parse_signed_amount("--5"), Err(AmountError::NotANumber));
        assert_eq!(parse_signed_amount("¥¥5"), Err(AmountError::NotANumber));
    }

    #[test]
    fn rates_take_what_amounts_take_but_no_exponent_or_currency() {
        for (text, want) in [
            ("4.35", dec!(4.35)),
            ("4.35%", dec!(4.35)),
            (" ４.３５ ", dec!(4.35)),
            ("４．３５％", dec!(4.35)),
            ("-1.5", dec!(-1.5)),
            ("－１.５", dec!(-1.5)),
            ("+2", dec!(2)),
            ("0.0435", dec!(0.0435)),
        ] {
            assert_eq!(parse_rate(text), Ok(want), "{text}");
        }
        for text in ["1e1", "1E1", "4.35e0", "１ｅ１", "2.5e-3"] {
            assert_eq!(parse_rate(text), Err(AmountError::Exponent), "{text}");
            assert!(parse_amount(text).is_err(), "{text}");
        }
        assert_eq!(parse_amount("1e1"), Err(AmountError::Exponent));
        for text in ["4.", ".5", "4.3.5", "4,35", "abc", "--1", "4 35"] {
            assert_eq!(parse_rate(text), Err(AmountError::NotANumber), "{text}");
        }
        assert_eq!(
            parse_rate("CNY 4.35"),
            Err(AmountError::Currency("CNY".into()))
        );
    }

    #[test]
    fn a_foreign_currency_in_an_amount_is_named() {
        for (text, code) in [
            ("USD 1.00", "USD"),
            ("usd1,000.00", "USD"),
            ("1.00 EUR", "EUR"),
            ("$5", "$"),
            ("-US$ 5", "US$"),
            ("HK$1,000", "HK$"),
        ] {
            assert_eq!(
                parse_amount(text),
                Err(AmountError::Currency(code.into())),
                "{text}"
            );
        }
        assert_eq!(parse_amount("CNY 1.00"), Ok(dec!(1)));
        assert_eq!(parse_amount("1.00"), Ok(dec!(1)));
    }

    #[test]
    fn formats_with_thousands_and_currency() {
        assert_eq!(group_thousands(dec!(0)), "0.00");
        assert_eq!(group_thousands(dec!(999.999)), "1,000.00");
        assert_eq!(group_thousands(dec!(1234567.5)), "1,234,567.50");
        assert_eq!(group_thousands(dec!(-1234.5)), "-1,234.50");
        assert_eq!(format_money(dec!(5000000), "CNY"), "¥5,000,000.00");
        assert_eq!(format_money(dec!(-12), "USD"), "-$12.00");
        assert_eq!(format_money(dec!(12), "JPY"), "JPY 12.00");
        assert_eq!(format_percent(dec!(0.72345)), "72.35%");
    }

    #[test]
    fn minor_units_are_exact() {
        assert_eq!(to_minor_units(dec!(5000000.01)), 500000001);
        // 0.1 + 0.2 is exactly 0.3 in Decimal.
        assert_eq!(dec!(0.1) + dec!(0.2), dec!(0.3));
    }
}
