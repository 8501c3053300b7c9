//! Numbers on the command line: each numeric option's accepted range, and the parsers that
//! refuse a value outside it (a negative limit, zero loans) as a usage error naming the range.

use crate::i18n::Lang;

/// The most rows a listing's `--limit` may ask for (ten benchmark books).
pub const MAX_LIMIT: u64 = 1_000_000;
/// The most loans a generated book may have (ten benchmark books).
pub const MAX_LOANS: u64 = 1_000_000;
/// The furthest `clocks --within` looks ahead: ten years, longer than any legal clock.
pub const MAX_WITHIN_DAYS: u32 = 3650;

/// A number outside its option's range (or no whole number at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeArgError {
    pub min: i128,
    pub max: i128,
}

impl RangeArgError {
    /// Why, in `lang`, with the accepted range.
    pub fn message(&self, lang: Lang) -> String {
        lang.tf(
            "cli_args.out_of_range",
            &[("min", &self.min), ("max", &self.max)],
        )
    }
}

impl std::fmt::Display for RangeArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for RangeArgError {}

/// `text` as a whole number from `min` to `max` (full-width digits too, as forms take them).
fn ranged<T>(text: &str, min: T, max: T) -> Result<T, RangeArgError>
where
    T: Copy + Into<i128> + TryFrom<i128>,
{
    let (lo, hi) = (min.into(), max.into());
    let refused = RangeArgError { min: lo, max: hi };
    let ascii: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' => '-',
            c => c,
        })
        .collect();
    let n: i128 = ascii.parse().map_err(|_| refused.clone())?;
    if n < lo || n > hi {
        return Err(refused);
    }
    T::try_from(n).map_err(|_| refused)
}

/// `--limit` of every listing: 1 to [`MAX_LIMIT`] rows.
pub fn limit(text: &str) -> Result<u64, RangeArgError> {
    ranged(text, 1, MAX_LIMIT)
}

/// The loans of a generated book (`demo --loans`, `bench --loans`): 1 to [`MAX_LOANS`].
pub fn loans(text: &str) -> Result<u64, RangeArgError> {
    ranged(text, 1, MAX_LOANS)
}

/// A count where 0 means "skip it" (`bench --import-rows`, `--escalations`, …): 0 to
/// [`MAX_LOANS`].
pub fn count_or_skip(text: &str) -> Result<u64, RangeArgError> {
    ranged(text, 0, MAX_LOANS)
}

/// `clocks --within`: days ahead, 0 (ending today or run out) to [`MAX_WITHIN_DAYS`].
pub fn within_days(text: &str) -> Result<u32, RangeArgError> {
    ranged(text, 0, MAX_WITHIN_DAYS)
}

/// A record's id or version (`--id`, `--plan`, `--expected-version`): 1 and up, as the book
/// numbers them.
pub fn record_id(text: &str) -> Result<i64, RangeArgError> {
    ranged(text, 1, i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command, CommandFactory};
    use std::any::TypeId;
    use std::ffi::OsString;

    /// Numeric options that take any value of their type, and why.
    const ANY_VALUE: &[(&str, &str)] = &[
        // A generator's seed: every u64 is a seed.
        ("demo --seed", "seed"),
        // Someone else's (doctor), with its own range check.
        ("doctor --min_free_mib", "min_free_mib"),
    ];

    fn numeric(arg: &Arg) -> bool {
        let t = arg.get_value_parser().type_id();
        [
            TypeId::of::<u8>(),
            TypeId::of::<u16>(),
            TypeId::of::<u32>(),
            TypeId::of::<u64>(),
            TypeId::of::<usize>(),
            TypeId::of::<i8>(),
            TypeId::of::<i16>(),
            TypeId::of::<i32>(),
            TypeId::of::<i64>(),
            TypeId::of::<isize>(),
            TypeId::of::<f32>(),
            TypeId::of::<f64>(),
            TypeId::of::<rust_decimal::Decimal>(),
        ]
        .iter()
        .any(|id| t == *id)
    }

    /// Every numeric option of the tree (hidden commands, the test harness's, left out).
    fn walk(cmd: &Command, path: &str, out: &mut Vec<(String, Arg)>) {
        for arg in cmd.get_arguments() {
            if numeric(arg) {
                out.push((format!("{path} --{}", arg.get_id()), arg.clone()));
            }
        }
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, format!("{path} {}", sub.get_name()).trim(), out);
        }
    }

    fn parses(arg: &Arg, value: &str) -> Result<(), String> {
        let alone = Command::new("postloan").arg(arg.clone().required(false));
        let mut line = vec![OsString::from("postloan")];
        if let Some(long) = arg.get_long() {
            line.push(OsString::from(format!("--{long}")));
        }
        line.push(OsString::from(value));
        alone
            .try_get_matches_from(line)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_numeric_option_refuses_negative_zero_and_absurd_values_naming_its_range() {
        let mut all = Vec::new();
        walk(&crate::cli::Cli::command(), "", &mut all);
        assert!(
            all.len() > 25,
            "the walk found the numeric options: {}",
            all.len()
        );
        for (name, arg) in &all {
            if ANY_VALUE.iter().any(|(n, _)| n == name) {
                continue;
            }
            assert!(
                arg.is_allow_negative_numbers_set(),
                "{name}: `-5` must reach the parser to be refused by range"
            );
            for bad in ["-5", "-1", "99999999999999999999999", "12x"] {
                let e = parses(arg, bad).expect_err(&format!("{name} {bad} accepted"));
                assert!(e.contains(" to "), "{name} {bad}: {e}");
            }
            let zero = parses(arg, "0");
            let zero_means_something = [
                "clocks --within",
                "bench --import_rows",
                "bench --escalations",
                "bench --audit_entries",
                "bench --documents",
            ]
            .contains(&name.as_str());
            assert_eq!(zero.is_ok(), zero_means_something, "{name} 0: {zero:?}");
            parses(arg, "1").unwrap_or_else(|e| panic!("{name} 1: {e}"));
        }
    }

    #[test]
    fn ranges_are_said_in_both_languages() {
        let e = within_days("-5").expect_err("negative");
        assert_eq!(e, RangeArgError { min: 0, max: 3650 });
        assert!(
            e.message(Lang::En).contains("0 to 3650"),
            "{}",
            e.message(Lang::En)
        );
        let zh = e.message(Lang::ZhCn);
        assert!(
            zh.contains("0") && zh.contains("3650") && !zh.contains(" to "),
            "{zh}"
        );
        assert_eq!(limit("１２"), Ok(12));
        assert!(limit("1000001").is_err());
        assert_eq!(record_id("7"), Ok(7));
    }
}
