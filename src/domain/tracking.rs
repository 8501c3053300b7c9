//! Post-disbursement tracking rules: when the next follow-up of a loan is due.
//! A follow-up is any visit, call or meeting with the borrower, or a financial statement
//! received; the next one is due one tracking period after the latest of them, or after
//! disbursement when there is none yet.

use super::codes::TrackingFrequency;
use chrono::{Months, NaiveDate};

/// The date the next follow-up is due.
pub fn next_followup_on(
    disbursed_on: NaiveDate,
    last_contact_on: Option<NaiveDate>,
    last_statement_on: Option<NaiveDate>,
    frequency: TrackingFrequency,
) -> NaiveDate {
    let base = [Some(disbursed_on), last_contact_on, last_statement_on]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(disbursed_on);
    base.checked_add_months(Months::new(frequency.months()))
        .unwrap_or(NaiveDate::MAX)
}

/// Days a follow-up is late on `today` (negative: days left until it is due).
pub fn days_late(due_on: NaiveDate, today: NaiveDate) -> i64 {
    (today - due_on).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn due_one_period_after_disbursement_without_contact() {
        let due = next_followup_on(d("2026-01-31"), None, None, TrackingFrequency::Monthly);
        // Month arithmetic clamps to the month's end.
        assert_eq!(due, d("2026-02-28"));
        let due = next_followup_on(d("2026-01-15"), None, None, TrackingFrequency::Quarterly);
        assert_eq!(due, d("2026-04-15"));
    }

    #[test]
    fn latest_contact_or_statement_moves_the_date() {
        let due = next_followup_on(
            d("2025-01-10"),
            Some(d("2026-03-01")),
            Some(d("2026-05-20")),
            TrackingFrequency::SemiAnnual,
        );
        assert_eq!(due, d("2026-11-20"));
        // A contact dated before disbursement (bad data) does not pull the date back.
        let due = next_followup_on(
            d("2026-06-01"),
            Some(d("2020-01-01")),
            None,
            TrackingFrequency::Annual,
        );
        assert_eq!(due, d("2027-06-01"));
    }

    #[test]
    fn lateness_in_days() {
        assert_eq!(days_late(d("2026-11-01"), d("2026-11-28")), 27);
        assert_eq!(days_late(d("2026-12-01"), d("2026-11-28")), -3);
    }
}
