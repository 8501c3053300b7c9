//! Conversions between SQLite values and domain values: exact decimals as TEXT, dates as
//! `YYYY-MM-DD`, codes as their English names.

use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, ValueRef};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Reads a TEXT amount as an exact `Decimal`.
pub(crate) fn dec(row: &Row<'_>, idx: usize) -> rusqlite::Result<Decimal> {
    let text: String = row.get(idx)?;
    Decimal::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
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
