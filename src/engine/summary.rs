//! The period summary (贷后管理总结, DOMAIN.md §2 step 6): what happened in the book between two
//! dates, as figures — the book by class at both ends, migration, warnings, cases, inspections,
//! disposal, money recovered and written off, floors, follow-ups, and 12 months of series.
//! Pure: the store fills it ([`crate::store::Store::period_summary`]); CLI and pane show it.

use super::migration::Migration;
use crate::domain::Classification;
use crate::domain::warning::Level;
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

/// A reporting period: `from` and `to` both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A calendar month.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let to = from.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(Period { from, to })
    }

    /// A calendar quarter, 1 to 4.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, 3 * quarter - 2, 1)?;
        let to = from.checked_add_months(Months::new(3))?.pred_opt()?;
        Some(Period { from, to })
    }

    /// A calendar year.
    pub fn year(year: i32) -> Option<Period> {
        Some(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// `YYYY-MM`, as `--month` takes it.
    pub fn parse_month(text: &str) -> Option<Period> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Period::month(y.parse().ok()?, m.parse().ok()?)
    }

    /// `YYYY-Qn` (or `YYYYQn`, lower case too), as `--quarter` takes it.
    pub fn parse_quarter(text: &str) -> Option<Period> {
        let t = text.trim().to_ascii_uppercase();
        let (y, q) = t.split_once('Q')?;
        let y = y.strip_suffix('-').unwrap_or(y);
        if y.len() != 4 || q.len() != 1 {
            return None;
        }
        Period::quarter(y.parse().ok()?, q.parse().ok()?)
    }

    /// `YYYY`, as `--year` takes it.
    pub fn parse_year(text: &str) -> Option<Period> {
        let t = text.trim();
        if t.len() != 4 || !t.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Period::year(t.parse().ok()?)
    }

    /// The period as one number, `YYYYMMDDYYYYMMDD` (from, to): how a signed summary's
    /// document names the period it covers (its `ref_id`, with `ref_table` `summary_period`).
    pub fn key(&self) -> i64 {
        let day = |d: NaiveDate| {
            i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
        };
        day(self.from) * 100_000_000 + day(self.to)
    }

    /// Any of the three shapes (the pane's period field): month, quarter or year.
    pub fn parse(text: &str) -> Option<Period> {
        Period::parse_month(text)
            .or_else(|| Period::parse_quarter(text))
            .or_else(|| Period::parse_year(text))
    }

    /// The month `as_of` falls in: the summary's default.
    pub fn month_of(as_of: NaiveDate) -> Period {
        Period::month(as_of.year(), as_of.month()).unwrap_or(Period {
            from: as_of,
            to: as_of,
        })
    }

    /// The ends of the 12 months up to `to`'s month (the last one `to` itself), oldest
    /// first: the dates the series are read on, and each month's first day.
    pub fn series_months(&self) -> Vec<(NaiveDate, NaiveDate)> {
        let first = NaiveDate::from_ymd_opt(self.to.year(), self.to.month(), 1).unwrap_or(self.to);
        (0..12u32)
            .rev()
            .filter_map(|back| {
                let start = first.checked_sub_months(Months::new(back))?;
                let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
                Some((start, end.min(self.to)))
            })
            .collect()
    }
}

/// The book by class on one date: loans with a balance and their outstanding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassMix {
    pub count: [u64; 5],
    pub outstanding: [Decimal; 5],
}

impl ClassMix {
    pub fn add(&mut self, class: Classification, balance: Decimal) {
        if balance <= Decimal::ZERO {
            return;
        }
        let i = class.rank() as usize;
        self.count[i] += 1;
        self.outstanding[i] += balance;
    }

    pub fn total(&self) -> Decimal {
        self.outstanding.iter().copied().sum()
    }

    pub fn loans(&self) -> u64 {
        self.count.iter().sum()
    }

    pub fn npl(&self) -> Decimal {
        self.outstanding[2] + self.outstanding[3] + self.outstanding[4]
    }

    /// 不良贷款率 in percent, two decimals; None for an empty book.
    pub fn npl_ratio(&self) -> Option<Decimal> {
        percent(self.npl(), self.total())
    }
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole <= Decimal::ZERO {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(whole)
        .map(|r| r.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// Counts by warning level, red first (the board's order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByLevel(pub [u64; 3]);

impl ByLevel {
    pub fn add(&mut self, level: Level, n: u64) {
        if let Some(x) = usize::try_from(level.board_order())
            .ok()
            .and_then(|i| self.0.get_mut(i))
        {
            *x += n;
        }
    }

    pub fn of(&self, level: Level) -> u64 {
        usize::try_from(level.board_order())
            .ok()
            .and_then(|i| self.0.get(i).copied())
            .unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// One officer's inspections: done in the period, and overdue at its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficerInspections {
    pub officer: String,
    pub name: String,
    pub done: u64,
    pub overdue: u64,
}

/// One officer's follow-ups overdue at the period's end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficerFollowUps {
    pub officer: String,
    pub name: String,
    pub overdue: u64,
}

/// Disposal actions: done and failed in the period, overdue (open past their deadline) at its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionCounts {
    pub done: u64,
    pub overdue: u64,
    pub failed: u64,
}

/// Money recovered in the period, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    pub principal: Decimal,
    pub interest: Decimal,
    pub costs: Decimal,
    /// Recovery entries.
    pub entries: u64,
}

impl Recovered {
    pub fn total(&self) -> Decimal {
        self.principal + self.interest + self.costs
    }
}

/// Written off in the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrittenOff {
    pub amount: Decimal,
    pub loans: u64,
}

/// Loans below their classification floor (a pending floor proposal), by the floor's class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BelowFloor {
    pub count: [u64; 5],
    pub outstanding: Decimal,
}

impl BelowFloor {
    pub fn loans(&self) -> u64 {
        self.count.iter().sum()
    }
}

/// One month of the series: its first day, warnings raised in it (up to the period's end)
/// and the NPL ratio at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthPoint {
    pub month: NaiveDate,
    pub warnings_raised: u64,
    pub npl_ratio: Option<Decimal>,
}

/// Everything the summary shows, for [`Period`].
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodSummary {
    pub period: Period,
    /// The day "overdue" is counted on: the period's end, or the book's today if earlier.
    pub overdue_on: NaiveDate,
    /// The book by class at the start and at the end.
    pub opening: ClassMix,
    pub closing: ClassMix,
    pub migration: Migration,
    pub warnings_raised: ByLevel,
    pub warnings_escalated: ByLevel,
    pub warnings_resolved: ByLevel,
    pub cases_opened: u64,
    pub cases_closed: u64,
    /// By officer, in officer order.
    pub inspections: Vec<OfficerInspections>,
    pub actions: ActionCounts,
    pub recovered: Recovered,
    pub written_off: WrittenOff,
    pub below_floor: BelowFloor,
    /// By officer, in officer order; officers with none left out.
    pub followups_overdue: Vec<OfficerFollowUps>,
    /// The 12 months up to the period's end, oldest first.
    pub series: Vec<MonthPoint>,
}

impl PeriodSummary {
    /// The NPL ratio at the start and at the end, in percent.
    pub fn npl_ratios(&self) -> (Option<Decimal>, Option<Decimal>) {
        (self.opening.npl_ratio(), self.closing.npl_ratio())
    }

    /// The change of the NPL ratio over the period, in percentage points.
    pub fn npl_change(&self) -> Option<Decimal> {
        match self.npl_ratios() {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        }
    }

    pub fn inspections_done(&self) -> u64 {
        self.inspections.iter().map(|o| o.done).sum()
    }

    pub fn inspections_overdue(&self) -> u64 {
        self.inspections.iter().map(|o| o.overdue).sum()
    }

    pub fn followups_total(&self) -> u64 {
        self.followups_overdue.iter().map(|o| o.overdue).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn periods_read_as_months_quarters_and_years() {
        assert_eq!(
            Period::parse("2026-02"),
            Some(Period {
                from: d("2026-02-01"),
                to: d("2026-02-28")
            })
        );
        assert_eq!(
            Period::parse("2024-q1").map(|p| p.to),
            Some(d("2024-03-31"))
        );
        assert_eq!(
            Period::parse_quarter("2026Q4").map(|p| p.from),
            Some(d("2026-10-01"))
        );
        assert_eq!(Period::parse("2026").map(|p| p.to), Some(d("2026-12-31")));
        for bad in ["2026-13", "2026-Q5", "26", "2026-1", "abcd", "2026-Q", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::month_of(d("2026-06-30")).from, d("2026-06-01"));
    }

    #[test]
    fn the_series_ends_with_the_period_and_spans_twelve_months() {
        let p = Period {
            from: d("2026-01-01"),
            to: d("2026-06-15"),
        };
        let m = p.series_months();
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], (d("2025-07-01"), d("2025-07-31")));
        assert_eq!(m[7], (d("2026-02-01"), d("2026-02-28")));
        assert_eq!(m[11], (d("2026-06-01"), d("2026-06-15")));
    }

    #[test]
    fn class_mix_and_levels_add_up() {
        let mut c = ClassMix::default();
        c.add(Classification::Pass, Decimal::from(900));
        c.add(Classification::Doubtful, Decimal::from(100));
        c.add(Classification::Loss, Decimal::ZERO);
        assert_eq!(c.loans(), 2);
        assert_eq!(c.npl_ratio(), Some(Decimal::from(10)));
        let mut l = ByLevel::default();
        l.add(Level::Red, 2);
        l.add(Level::Yellow, 1);
        assert_eq!(l.0, [2, 0, 1]);
        assert_eq!(l.of(Level::Red), 2);
        assert_eq!(l.total(), 3);
    }
}
