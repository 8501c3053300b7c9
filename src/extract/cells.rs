//! Reading typed cells out of one CSV row by column name; every failure becomes a
//! `RowError` kept on the row, and the getter returns `None`.

use super::keys::{normalize_key, strip_invisible};
use super::kinds::ColumnMap;
use super::{Limits, RowError, Why};
use crate::domain::money::{
    ACCEPTED_AMOUNT_FORMS, AmountError, parse_amount, parse_rate, parse_signed_amount,
};
use crate::domain::text::{is_blank, sanitize};
use chrono::NaiveDate;
use csv::StringRecord;
use rust_decimal::Decimal;

pub(super) struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a StringRecord,
    columns: &'a ColumnMap,
    limits: &'a Limits,
    errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    pub(super) fn new(
        file: &'a str,
        line: u64,
        record: &'a StringRecord,
        columns: &'a ColumnMap,
        limits: &'a Limits,
    ) -> Self {
        Row {
            file,
            line,
            record,
            columns,
            limits,
            errors: Vec::new(),
        }
    }

    pub(super) fn into_errors(self) -> Vec<RowError> {
        self.errors
    }

    /// The raw cell, trimmed; `None` only for an optional column the header lacks.
    pub(super) fn raw(&self, column: &str) -> Option<&'a str> {
        let idx = self.columns.index(column)?;
        Some(self.record.get(idx).unwrap_or("").trim())
    }

    /// Records a bad cell with a translatable reason.
    pub(super) fn bad_keyed(&mut self, column: &str, value: &str, why: Why) {
        self.errors
            .push(RowError::keyed(self.file, self.line, column, value, why));
    }

    /// Required free text, trimmed, stored as given (issue #13: control, bidi and zero-width
    /// characters kept; screens and documents make them safe on the way out); a cell that
    /// shows nothing is refused as empty.
    pub(super) fn text(&mut self, column: &str) -> Option<String> {
        let raw = self.raw(column).unwrap_or("");
        if is_blank(raw) {
            self.bad_keyed(column, raw, Why::new("import_check.empty"));
            return None;
        }
        Some(raw.to_string())
    }

    /// A natural key (contract number, borrower code, officer): as [`Row::text`], then
    /// normalised by [`normalize_key`] (full-width forms, zero-width characters, NBSP).
    pub(super) fn key(&mut self, column: &str) -> Option<String> {
        let raw = self.raw(column).unwrap_or("");
        let clean = normalize_key(&sanitize(raw));
        if clean.is_empty() {
            self.bad_keyed(column, raw, Why::new("import_check.empty"));
            return None;
        }
        Some(clean)
    }

    /// Free text that is part of a key (description, counterparty): as [`Row::text`], with
    /// invisible format characters removed.
    pub(super) fn key_text(&mut self, column: &str) -> Option<String> {
        let raw = self.raw(column).unwrap_or("");
        let clean = strip_invisible(&sanitize(raw));
        if clean.is_empty() {
            self.bad_keyed(column, raw, Why::new("import_check.empty"));
            return None;
        }
        Some(clean)
    }

    /// A date written strictly as `YYYY-MM-DD` (full-width digits read as ASCII).
    pub(super) fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let raw = self.raw(column).unwrap_or("");
        match parse_date(&normalize_key(raw)) {
            Some(d) => Some(d),
            None => {
                self.bad_keyed(column, raw, Why::new("import_check.not_date"));
                None
            }
        }
    }

    /// A non-negative amount (`5,000,000.00` accepted).
    pub(super) fn amount(&mut self, column: &str) -> Option<Decimal> {
        self.money(column, parse_amount)
    }

    /// An amount that may be negative (statement lines such as net profit).
    pub(super) fn signed_amount(&mut self, column: &str) -> Option<Decimal> {
        self.money(column, parse_signed_amount)
    }

    fn money(
        &mut self,
        column: &str,
        parse: fn(&str) -> Result<Decimal, AmountError>,
    ) -> Option<Decimal> {
        let raw = self.raw(column).unwrap_or("");
        match parse(raw) {
            Ok(d) => Some(d),
            Err(e) => {
                let why = match e {
                    AmountError::Negative => Why::new("import_check.amount_negative"),
                    AmountError::Currency(code) => Why::new("import_keys.amount_currency")
                        .arg("forms", ACCEPTED_AMOUNT_FORMS)
                        .arg("code", code),
                    AmountError::Empty | AmountError::TooPrecise | AmountError::Exponent => {
                        Why::new("import_check.amount_bad").arg_key("why", e.key())
                    }
                    _ => Why::new("import_check.amount_bad_form")
                        .arg_key("why", e.key())
                        .arg("forms", ACCEPTED_AMOUNT_FORMS),
                };
                self.bad_keyed(column, raw, why);
                None
            }
        }
    }

    /// An annual interest rate in percent (`4.35` or `4.35%`), within the configured bounds.
    /// A value that is in bounds once multiplied by 100 is named as the likely percent.
    pub(super) fn percent(&mut self, column: &str) -> Option<Decimal> {
        let raw = self.raw(column).unwrap_or("");
        let (min, max) = (self.limits.rate_min, self.limits.rate_max);
        match parse_rate(raw) {
            Ok(r) if r >= min && r <= max => Some(r),
            Ok(r) => {
                let as_percent = r * Decimal::ONE_HUNDRED;
                let why = if r > Decimal::ZERO && as_percent >= min && as_percent <= max {
                    Why::new("import_check.rate_fraction")
                        .arg("value", r.normalize())
                        .arg("percent", as_percent.normalize())
                } else {
                    Why::new("import_check.rate_out_of_bounds")
                };
                self.bad_keyed(
                    column,
                    raw,
                    why.arg("min", min.normalize()).arg("max", max.normalize()),
                );
                None
            }
            Err(AmountError::Currency(code)) => {
                let why = Why::new("import_keys.rate_currency").arg("code", code);
                self.bad_keyed(column, raw, why);
                None
            }
            Err(e) => {
                let why = Why::new("import_check.not_rate").arg_key("why", e.key());
                self.bad_keyed(column, raw, why);
                None
            }
        }
    }

    /// A whole number of days, `>= 0` (full-width digits read as ASCII).
    pub(super) fn days(&mut self, column: &str) -> Option<i64> {
        let raw = self.raw(column).unwrap_or("");
        let plain = normalize_key(raw);
        match plain.parse::<i64>() {
            Ok(d) if d >= 0 && !plain.starts_with('+') => Some(d),
            _ => {
                self.bad_keyed(column, raw, Why::new("import_check.not_days"));
                None
            }
        }
    }

    /// Three ASCII letters, upper-cased (`cny` → `CNY`).
    pub(super) fn currency(&mut self, column: &str) -> Option<String> {
        let raw = self.raw(column).unwrap_or("");
        let plain = normalize_key(raw);
        if plain.len() == 3 && plain.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Some(plain.to_ascii_uppercase());
        }
        self.bad_keyed(column, raw, Why::new("import_check.not_currency"));
        None
    }

    /// 统一社会信用代码: 18 characters of `0-9A-Z`, upper-cased.
    pub(super) fn credit_code(&mut self, column: &str) -> Option<String> {
        let raw = self.raw(column).unwrap_or("");
        let up = normalize_key(raw).to_ascii_uppercase();
        if up.len() == 18
            && up
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            return Some(up);
        }
        self.bad_keyed(column, raw, Why::new("import_check.not_credit_code"));
        None
    }

    /// A code of one of the domain vocabularies, English or Chinese.
    pub(super) fn code<T>(
        &mut self,
        column: &str,
        parse: fn(&str) -> Option<T>,
        accepted: fn() -> String,
    ) -> Option<T> {
        let raw = self.raw(column).unwrap_or("");
        match parse(&sanitize(raw)) {
            Some(v) => Some(v),
            None => {
                let why = Why::new("import_check.not_one_of").arg("accepted", accepted());
                self.bad_keyed(column, raw, why);
                None
            }
        }
    }

    /// An optional threshold: empty means "not set"; otherwise a decimal (may be negative).
    pub(super) fn optional_threshold(&mut self, column: &str) -> Option<Option<Decimal>> {
        let raw = self.raw(column).unwrap_or("").trim();
        if raw.is_empty() {
            return Some(None);
        }
        match parse_rate(raw) {
            Ok(d) => Some(Some(d)),
            Err(e) => {
                let raw = raw.to_string();
                let why = Why::new("import_check.not_threshold").arg_key("why", e.key());
                self.bad_keyed(column, &raw, why);
                None
            }
        }
    }

    /// An optional yes/no cell: empty or absent is `None`; `yes`, `no`, `1`, `0`, `是`, `否`
    /// (letter case and width aside) are read; anything else is an error naming the cell.
    pub(super) fn optional_yes_no(&mut self, column: &str) -> Option<Option<bool>> {
        let raw = self.raw(column).unwrap_or("");
        let text = sanitize(raw);
        let folded: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '\u{FF10}'..='\u{FF5A}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect::<String>()
            .to_lowercase();
        match folded.as_str() {
            "" => Some(None),
            "yes" | "y" | "1" | "true" | "是" => Some(Some(true)),
            "no" | "n" | "0" | "false" | "否" => Some(Some(false)),
            _ => {
                let why =
                    Why::new("import_check.not_one_of").arg("accepted", "yes, no, 1, 0, 是, 否");
                self.bad_keyed(column, raw, why);
                None
            }
        }
    }
}

/// Strict `YYYY-MM-DD`: four-digit year, two-digit month and day, a real calendar date.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    // All ten bytes are checked above: digits where numbers go.
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
    let year = i32::try_from(num(0..4)).ok()?;
    NaiveDate::from_ymd_opt(year, num(5..7), num(8..10))
}

#[cfg(test)]
mod tests {
    use super::parse_date;

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("2024-2-9").is_none());
        assert!(parse_date("2024/02/09").is_none());
        assert!(parse_date("02024-02-09").is_none());
        assert!(parse_date("").is_none());
    }
}
