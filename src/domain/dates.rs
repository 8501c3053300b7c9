//! Dates as people type them, in a form or on the command line: `YYYY-MM-DD`, full-width
//! digits and dashes too; a date the calendar lacks says why (no such month, or how many days).

use chrono::NaiveDate;

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not of the shape `YYYY-MM-DD`.
    Shape,
    /// `2026-13-01`: no such month (`13`).
    NoSuchMonth(String),
    /// `2026-02-30`: the month (`2026-02`) has fewer days.
    NoSuchDay { month: String, days: u32 },
}

/// A date as typed: `YYYY-MM-DD`, full-width digits and dashes too, spaces around it
/// (ideographic and no-break ones as well) ignored.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let ascii = super::money::ascii_forms(text);
    let t = ascii.trim();
    let b = t.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(DateError::Shape);
    }
    let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap_or(0);
    let year = i32::try_from(num(0..4)).map_err(|_| DateError::Shape)?;
    let (month, day) = (num(5..7), num(8..10));
    if let Some(d) = NaiveDate::from_ymd_opt(year, month, day) {
        return Ok(d);
    }
    if !(1..=12).contains(&month) {
        return Err(DateError::NoSuchMonth(t[5..7].to_string()));
    }
    let days = (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())
        .unwrap_or(28);
    Err(DateError::NoSuchDay {
        month: t[..7].to_string(),
        days,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_impossible_dates() {
        assert_eq!(
            parse_date("２０２６－１２－３１"),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default())
        );
        assert_eq!(
            parse_date("2026-02-30"),
            Err(DateError::NoSuchDay {
                month: "2026-02".into(),
                days: 28
            })
        );
        assert_eq!(
            parse_date("2026-13-01"),
            Err(DateError::NoSuchMonth("13".into()))
        );
        assert_eq!(parse_date("abc"), Err(DateError::Shape));
    }
}
