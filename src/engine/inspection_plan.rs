//! The inspection plan (DOMAIN.md §6) as pure functions: when each loan's next first,
//! routine and triggered inspection is due, counted on a working-day calendar (weekends and
//! PRC public holidays off, adjusted working days 调休 on), all periods from `[inspections]`.

use crate::domain::Classification;
use crate::domain::inspection::InspectionKind;
use crate::i18n::Lang;
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::str::FromStr;

/// Working days: Monday to Friday, except public holidays, plus the weekend days a holiday
/// notice makes working days (调休上班).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub holidays: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !self.holidays.contains(&d) && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`th working day after `from` (`from` itself not counted); `from` when `n` is 0.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            match d.checked_add_days(Days::new(1)) {
                Some(next) => d = next,
                None => return d,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }
}

/// `[inspections]` of the config: the periods of the plan, the review line, the evidence
/// limit and the holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanConfig {
    /// First inspection: this many days after disbursement.
    pub first_days: u32,
    /// Routine inspection of a 正常 loan: every this many months.
    pub routine_months_pass: u32,
    /// Routine inspection of a 关注 or non-performing loan: every this many months.
    pub routine_months_watch: u32,
    /// Triggered inspection: within this many working days of the signal.
    pub triggered_working_days: u32,
    /// A report on a loan with more outstanding than this needs a manager's second approval.
    pub second_approval_above: Decimal,
    /// The largest evidence file accepted, in bytes.
    pub evidence_max_bytes: u64,
    pub calendar: Calendar,
}

/// A value of `[inspections]` that cannot be used: its key and value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanConfigError {
    #[error("inspections.{key} is missing")]
    Missing { key: &'static str },
    #[error("inspections.{key} = {value}: not a whole number from {min} to {max}")]
    Number {
        key: &'static str,
        value: String,
        min: u64,
        max: u64,
    },
    #[error("inspections.{key} = {value}: not an amount of 0 or more (e.g. \"50000000\")")]
    Amount { key: &'static str, value: String },
    #[error("inspections.{key}[{index}] = {value}: not a date YYYY-MM-DD")]
    Date {
        key: &'static str,
        index: usize,
        value: String,
    },
    #[error("inspections.{key}: unknown key")]
    Unknown { key: String },
}

impl PlanConfigError {
    /// The reason in `lang` (`Display` gives the English one).
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            PlanConfigError::Missing { key } => {
                lang.tf("inspection_config.missing", &[("key", key)])
            }
            PlanConfigError::Number {
                key,
                value,
                min,
                max,
            } => lang.tf(
                "inspection_config.number",
                &[("key", key), ("value", value), ("min", min), ("max", max)],
            ),
            PlanConfigError::Amount { key, value } => lang.tf(
                "inspection_config.amount",
                &[("key", key), ("value", value)],
            ),
            PlanConfigError::Date { key, index, value } => lang.tf(
                "inspection_config.date",
                &[("key", key), ("index", index), ("value", value)],
            ),
            PlanConfigError::Unknown { key } => {
                lang.tf("inspection_config.unknown", &[("key", key)])
            }
        }
    }
}

const KEYS: [&str; 9] = [
    "first_days",
    "routine_months_pass",
    "routine_months_watch",
    "triggered_working_days",
    "second_approval_above",
    "evidence_max_mib",
    "holidays",
    "adjusted_workdays",
    // Read by `config::Config::checklist`.
    "checklist",
];

impl PlanConfig {
    /// Reads `[inspections]` (the merged table of the config layers).
    pub fn from_table(t: &toml::Table) -> Result<PlanConfig, PlanConfigError> {
        if let Some(k) = t.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(PlanConfigError::Unknown { key: k.clone() });
        }
        let number = |key: &'static str, min: u64, max: u64| -> Result<u64, PlanConfigError> {
            let v = t.get(key).ok_or(PlanConfigError::Missing { key })?;
            v.as_integer()
                .and_then(|n| u64::try_from(n).ok())
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| PlanConfigError::Number {
                    key,
                    value: v.to_string(),
                    min,
                    max,
                })
        };
        let dates = |key: &'static str| -> Result<BTreeSet<NaiveDate>, PlanConfigError> {
            let Some(v) = t.get(key) else {
                return Ok(BTreeSet::new());
            };
            let bad = |index, value: &toml::Value| PlanConfigError::Date {
                key,
                index,
                value: value.to_string(),
            };
            let Some(list) = v.as_array() else {
                return Err(bad(0, v));
            };
            list.iter()
                .enumerate()
                .map(|(i, d)| {
                    d.as_str()
                        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                        .ok_or_else(|| bad(i, d))
                })
                .collect()
        };
        let line_key = "second_approval_above";
        let line = t
            .get(line_key)
            .ok_or(PlanConfigError::Missing { key: line_key })?;
        let second_approval_above = line
            .as_str()
            .and_then(|s| Decimal::from_str(s.trim()).ok())
            .filter(|d| !d.is_sign_negative())
            .ok_or_else(|| PlanConfigError::Amount {
                key: line_key,
                value: line.to_string(),
            })?;
        Ok(PlanConfig {
            first_days: number("first_days", 1, 366)? as u32,
            routine_months_pass: number("routine_months_pass", 1, 24)? as u32,
            routine_months_watch: number("routine_months_watch", 1, 24)? as u32,
            triggered_working_days: number("triggered_working_days", 0, 60)? as u32,
            second_approval_above,
            evidence_max_bytes: number("evidence_max_mib", 1, 4096)? * 1024 * 1024,
            calendar: Calendar {
                holidays: dates("holidays")?,
                workdays: dates("adjusted_workdays")?,
            },
        })
    }

    /// The compiled-in `[inspections]` of `config/default.toml`.
    pub fn defaults() -> Result<PlanConfig, PlanConfigError> {
        let table: toml::Table = toml::from_str(crate::defaults::DEFAULT_TOML).unwrap_or_default();
        let section = table
            .get("inspections")
            .and_then(|v| v.as_table())
            .cloned()
            .unwrap_or_default();
        PlanConfig::from_table(&section)
    }

    /// Months between routine inspections of a loan in `class`.
    pub fn routine_months(&self, class: Classification) -> u32 {
        if class == Classification::Pass {
            self.routine_months_pass
        } else {
            self.routine_months_watch
        }
    }

    /// The first inspection's due date.
    pub fn first_due(&self, disbursed_on: NaiveDate) -> NaiveDate {
        disbursed_on
            .checked_add_days(Days::new(u64::from(self.first_days)))
            .unwrap_or(disbursed_on)
    }

    /// The next routine inspection after one done on `last` (or the disbursement): a month
    /// end stays within its month (31 January + 1 month = 28 or 29 February).
    pub fn routine_due(&self, last: NaiveDate, class: Classification) -> NaiveDate {
        last.checked_add_months(Months::new(self.routine_months(class)))
            .unwrap_or(last)
    }

    /// A triggered inspection's due date: so many working days after the signal.
    pub fn triggered_due(&self, signal_on: NaiveDate) -> NaiveDate {
        self.calendar
            .add_working_days(signal_on, self.triggered_working_days)
    }

    /// Whether a report on a loan with `outstanding` needs a manager's second approval.
    pub fn needs_second_approval(&self, outstanding: Decimal) -> bool {
        outstanding > self.second_approval_above
    }

    /// The inspections a loan has due, from what the book knows of it.
    pub fn due(&self, f: &PlanFacts) -> Vec<(InspectionKind, NaiveDate)> {
        let mut out = Vec::with_capacity(2);
        match f.last_done_on {
            None if !f.first_done => {
                out.push((InspectionKind::First, self.first_due(f.disbursed_on)))
            }
            last => out.push((
                InspectionKind::Routine,
                self.routine_due(last.unwrap_or(f.disbursed_on), f.class),
            )),
        }
        if let Some(on) = f.signal_on {
            out.push((InspectionKind::Triggered, self.triggered_due(on)));
        }
        out
    }
}

/// What the plan needs to know of one loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanFacts {
    pub disbursed_on: NaiveDate,
    /// The loan's current class (正常 when the book has none).
    pub class: Classification,
    /// Whether a first inspection was done (submitted or approved).
    pub first_done: bool,
    /// The date of the latest inspection done (any kind): an early one moves the next forward.
    pub last_done_on: Option<NaiveDate>,
    /// The earliest signal not yet answered by a triggered inspection: an orange or red
    /// warning raised, or the class getting worse.
    pub signal_on: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn cfg() -> PlanConfig {
        PlanConfig::defaults().expect("the shipped [inspections] reads")
    }

    #[test]
    fn first_is_fifteen_days_after_disbursement() {
        assert_eq!(cfg().first_due(d("2026-01-20")), d("2026-02-04"));
        assert_eq!(cfg().first_due(d("2026-12-20")), d("2027-01-04"));
    }

    #[test]
    fn routine_follows_the_class_and_keeps_month_ends() {
        let c = cfg();
        assert_eq!(
            c.routine_due(d("2026-01-31"), Classification::SpecialMention),
            d("2026-02-28")
        );
        assert_eq!(
            c.routine_due(d("2027-12-31"), Classification::Substandard),
            d("2028-01-31")
        );
        assert_eq!(
            c.routine_due(d("2026-11-30"), Classification::Pass),
            d("2027-02-28")
        );
        assert_eq!(
            c.routine_due(d("2026-05-31"), Classification::Pass),
            d("2026-08-31")
        );
        assert_eq!(
            c.routine_due(d("2027-11-30"), Classification::Pass),
            d("2028-02-29")
        );
    }

    #[test]
    fn triggered_counts_working_days() {
        let c = cfg();
        // Friday 2026-03-06 + 5 working days = Friday 2026-03-13.
        assert_eq!(c.triggered_due(d("2026-03-06")), d("2026-03-13"));
        // National Day week: Tue 2026-09-29 → 30 Sep (1), then 1–7 Oct off, Sat 10 Oct is
        // a working day (调休): 8, 9, 10, 12 October.
        assert_eq!(c.triggered_due(d("2026-09-29")), d("2026-10-12"));
        // Spring Festival: Fri 2026-02-13 → Sat 14 Feb works (调休), 15–23 Feb off.
        assert_eq!(c.triggered_due(d("2026-02-13")), d("2026-02-27"));
        // Labour Day: Thu 2026-04-30 → 1–5 May off, 6, 7, 8, Sat 9 (调休), 11 May.
        assert_eq!(c.triggered_due(d("2026-04-30")), d("2026-05-11"));
        assert!(c.calendar.is_working_day(d("2026-01-04")), "Sunday 调休");
        assert!(!c.calendar.is_working_day(d("2026-01-01")));
        assert!(!c.calendar.is_working_day(d("2026-03-07")), "a Saturday");
    }

    #[test]
    fn a_class_change_or_an_early_inspection_moves_the_plan() {
        let c = cfg();
        let mut f = PlanFacts {
            disbursed_on: d("2026-01-10"),
            class: Classification::Pass,
            first_done: false,
            last_done_on: None,
            signal_on: None,
        };
        assert_eq!(c.due(&f), vec![(InspectionKind::First, d("2026-01-25"))]);
        f.first_done = true;
        f.last_done_on = Some(d("2026-01-20"));
        assert_eq!(c.due(&f), vec![(InspectionKind::Routine, d("2026-04-20"))]);
        // Done early (a month before due): the next is counted from that day.
        f.last_done_on = Some(d("2026-03-20"));
        assert_eq!(c.due(&f), vec![(InspectionKind::Routine, d("2026-06-20"))]);
        // Worse class: monthly, and a triggered inspection for the change.
        f.class = Classification::SpecialMention;
        f.signal_on = Some(d("2026-04-03"));
        assert_eq!(
            c.due(&f),
            vec![
                (InspectionKind::Routine, d("2026-04-20")),
                // Fri 3 Apr; 4–6 Apr Qingming: 7, 8, 9, 10, 13 April.
                (InspectionKind::Triggered, d("2026-04-13")),
            ]
        );
    }

    #[test]
    fn a_bad_value_names_its_key_and_value() {
        let mut t: toml::Table = toml::from_str(crate::defaults::DEFAULT_TOML)
            .ok()
            .and_then(|t: toml::Table| t.get("inspections")?.as_table().cloned())
            .expect("[inspections]");
        t.insert("first_days".into(), toml::Value::Integer(-3));
        let e = PlanConfig::from_table(&t).expect_err("negative");
        assert_eq!(
            e.to_string(),
            "inspections.first_days = -3: not a whole number from 1 to 366"
        );
        t.insert("first_days".into(), toml::Value::Integer(15));
        t.insert(
            "holidays".into(),
            toml::Value::Array(vec!["2026-01-01".into(), "2026-02-30".into()]),
        );
        let e = PlanConfig::from_table(&t).expect_err("bad date");
        assert_eq!(
            e.to_string(),
            "inspections.holidays[1] = \"2026-02-30\": not a date YYYY-MM-DD"
        );
        assert!(e.localized(Lang::ZhCn).contains("2026-02-30"));
        t.remove("holidays");
        t.insert("second_approval_above".into(), "lots".into());
        assert!(matches!(
            PlanConfig::from_table(&t),
            Err(PlanConfigError::Amount { .. })
        ));
        t.insert("second_approval_above".into(), "50000000".into());
        t.insert("frist_days".into(), toml::Value::Integer(1));
        assert!(matches!(
            PlanConfig::from_table(&t),
            Err(PlanConfigError::Unknown { .. })
        ));
    }
}
