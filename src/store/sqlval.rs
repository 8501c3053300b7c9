//! Conversions between SQLite values and domain values: exact decimals as TEXT, dates as
//! `YYYY-MM-DD`, codes as their English names.

use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, ValueRef};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Reads a TEXT amount as an exact `Decimal`. The plain decimals we store are decoded
/// straight from SQLite's bytes; anything else goes through `Decimal::from_str` as before.
pub(crate) fn dec(row: &Row<'_>, idx: usize) -> rusqlite::Result<Decimal> {
    if let ValueRef::Text(bytes) = row.get_ref(idx)?
        && let Some(d) = plain_decimal(bytes)
    {
        return Ok(d);
    }
    let text: String = row.get(idx)?;
    Decimal::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Most digits a plain decimal may have for the fast path: 10^28 - 1 fits in 96 bits.
const PLAIN_DIGITS: usize = 28;

/// `-?[0-9]+(\.[0-9]+)?` with at most 28 digits, as the exact `Decimal` that
/// `Decimal::from_str` gives for it (same mantissa, same scale). None for any other text,
/// including negative zero, which the caller leaves to `from_str`.
pub(crate) fn plain_decimal(bytes: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match bytes.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, bytes),
    };
    // One pass: the mantissa of every digit, and where the point is. Up to 19 characters
    // (18 digits and a point, or 19 digits) fit a u64; longer text takes 128 bits.
    let mut point: Option<usize> = None;
    let mantissa: i128 = if digits.len() <= 19 {
        let mut m: u64 = 0;
        for (i, &b) in digits.iter().enumerate() {
            match b {
                b'0'..=b'9' => m = m * 10 + u64::from(b - b'0'),
                b'.' if point.is_none() => point = Some(i),
                _ => return None,
            }
        }
        i128::from(m)
    } else {
        let mut m: i128 = 0;
        for (i, &b) in digits.iter().enumerate() {
            match b {
                b'0'..=b'9' => m = m * 10 + i128::from(b - b'0'),
                b'.' if point.is_none() => point = Some(i),
                _ => return None,
            }
            if m >= 10i128.pow(PLAIN_DIGITS as u32) {
                return None;
            }
        }
        m
    };
    let scale = match point {
        // A point needs a digit on each side.
        Some(p) if p == 0 || p + 1 == digits.len() => return None,
        Some(p) => digits.len() - p - 1,
        None if digits.is_empty() => return None,
        None => 0,
    };
    if negative && mantissa == 0 {
        return None;
    }
    let signed = if negative { -mantissa } else { mantissa };
    Decimal::try_from_i128_with_scale(signed, u32::try_from(scale).ok()?).ok()
}

/// Reads a `YYYY-MM-DD` date; the usual layout is decoded from the bytes, anything else goes
/// through chrono's conversion (and fails as it would).
pub(crate) fn date(row: &Row<'_>, idx: usize) -> rusqlite::Result<chrono::NaiveDate> {
    if let ValueRef::Text(bytes) = row.get_ref(idx)?
        && let Some(d) = plain_date(bytes)
    {
        return Ok(d);
    }
    row.get(idx)
}

/// `YYYY-MM-DD` (exactly ten bytes, four-digit year) as a valid date, else None.
pub(crate) fn plain_date(bytes: &[u8]) -> Option<chrono::NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *bytes else {
        return None;
    };
    let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
    let year = digit(y0)? * 1000 + digit(y1)? * 100 + digit(y2)? * 10 + digit(y3)?;
    let month = digit(m0)? * 10 + digit(m1)?;
    let day = digit(d0)? * 10 + digit(d1)?;
    chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Reads a code column through its enum's `parse`.
pub(crate) fn code<T>(
    row: &Row<'_>,
    idx: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown code '{text}'").into(),
        )
    })
}

/// Decimal → the TEXT we store (normalised: `5000000`, `0.07`).
pub(crate) fn dec_text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A value of a sort column, kept as the keyset cursor of a page.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    Int(i64),
    Text(String),
    Null,
}

impl FromSql for SortValue {
    fn column_result(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Integer(i) => Ok(SortValue::Int(i)),
            ValueRef::Text(t) => Ok(SortValue::Text(String::from_utf8_lossy(t).into_owned())),
            ValueRef::Null => Ok(SortValue::Null),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl rusqlite::ToSql for SortValue {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value};
        Ok(match self {
            SortValue::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            SortValue::Text(t) => ToSqlOutput::Owned(Value::Text(t.clone())),
            SortValue::Null => ToSqlOutput::Owned(Value::Null),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The fast path agrees with `from_str` exactly: same value, same scale, same sign.
    fn same_as_from_str(text: &str) {
        if let Some(fast) = plain_decimal(text.as_bytes()) {
            let slow = Decimal::from_str(text).expect("from_str takes what the fast path takes");
            assert_eq!(fast, slow, "{text}");
            assert_eq!(fast.scale(), slow.scale(), "{text}");
            assert_eq!(fast.mantissa(), slow.mantissa(), "{text}");
            assert_eq!(fast.is_sign_negative(), slow.is_sign_negative(), "{text}");
        }
    }

    #[test]
    fn plain_decimals_decode_as_from_str_does() {
        for t in [
            "0",
            "0.00",
            "5000000",
            "0.07",
            "-1.5",
            "007.10",
            "-0.001",
            "9999999999999999999999999999",
            "-9999999999999999999999999999",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
        ] {
            same_as_from_str(t);
        }
        assert_eq!(plain_decimal(b"12.5"), Some(Decimal::new(125, 1)));
        for t in [
            "", "-", "-0", "-0.00", ".5", "5.", "+5", "1e5", "1,5", " 1", "1.2.3", "--1",
        ] {
            assert_eq!(plain_decimal(t.as_bytes()), None, "{t}");
        }
    }

    #[test]
    fn plain_dates_decode_as_chrono_does() {
        for t in [
            "2026-06-30",
            "2024-02-29",
            "2023-02-29",
            "0000-01-01",
            "2026-13-01",
            "2026-6-30",
            "20260630xx",
        ] {
            let chrono = chrono::NaiveDate::parse_from_str(t, "%F").ok();
            match plain_date(t.as_bytes()) {
                Some(d) => assert_eq!(Some(d), chrono, "{t}"),
                None => assert!(chrono.is_none() || t.len() != 10, "{t}"),
            }
        }
    }

    proptest! {
        #[test]
        fn any_decimal_text_decodes_as_from_str(m in any::<i128>(), scale in 0u32..=28) {
            if let Ok(d) = Decimal::try_from_i128_with_scale(m % 10i128.pow(28), scale) {
                same_as_from_str(&d.to_string());
                same_as_from_str(&d.normalize().to_string());
            }
        }

        #[test]
        fn any_short_text_decodes_as_from_str(t in "-?[0-9.]{0,32}") {
            same_as_from_str(&t);
        }
    }
}
