//! Legal clocks of disposal (DOMAIN.md §8): the limitation period, pre-suit preservation and
//! seizure renewal, as pure date arithmetic; their lengths come from `[legal_clocks]`.
//!
//! Periods count as 民法典 第201条 and 第202条 say: the day an event happens is not counted,
//! and a period of years or months ends on the corresponding day of the last month, or on
//! that month's last day when it has none (2024-02-29 + 3 years → 2027-02-28). A clock
//! "ends on" that last day: the act must be done by then.

use super::codes::code_enum;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

code_enum! {
    /// How a demand for payment (催收) was made: each restarts the limitation period
    /// (民法典 第195条), so its date and channel are kept as evidence.
    DemandChannel {
        Letter => "letter", "催收函", ["书面"];
        Visit => "visit", "上门催收", ["上门"];
        Phone => "phone", "电话催收", ["电话", "call"];
        Court => "court", "申请支付令", ["支付令"];
    }
}

/// The lengths of the clocks and how many days ahead each is shown (`[legal_clocks]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegalClockRules {
    /// 诉讼时效 (民法典 第188条): 3 years.
    pub limitation_years: u32,
    pub limitation_warn_days: u32,
    /// Suit after a pre-suit preservation ruling (民事诉讼法 第104条): 30 days.
    pub preservation_days: u32,
    pub preservation_warn_days: u32,
    /// Seizure or freeze terms (最高法《关于人民法院办理财产保全案件若干问题的规定》第18条,
    /// 民诉法解释 第485条): bank deposits 1 year, movables 2, real estate 3.
    pub seizure_deposit_years: u32,
    pub seizure_movable_years: u32,
    pub seizure_real_estate_years: u32,
    pub seizure_warn_days: u32,
}

impl Default for LegalClockRules {
    fn default() -> Self {
        LegalClockRules {
            limitation_years: 3,
            limitation_warn_days: 90,
            preservation_days: 30,
            preservation_warn_days: 10,
            seizure_deposit_years: 1,
            seizure_movable_years: 2,
            seizure_real_estate_years: 3,
            seizure_warn_days: 60,
        }
    }
}

/// What a court seized or froze: its term depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    Deposit,
    Movable,
    RealEstate,
}

impl AssetKind {
    pub const ALL: [AssetKind; 3] = [
        AssetKind::Deposit,
        AssetKind::Movable,
        AssetKind::RealEstate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AssetKind::Deposit => "deposit",
            AssetKind::Movable => "movable",
            AssetKind::RealEstate => "real_estate",
        }
    }

    /// The code (any case, `-` or `_`) or the Chinese name.
    pub fn parse(text: &str) -> Option<AssetKind> {
        let t = text.trim();
        match t.to_ascii_lowercase().replace('-', "_").as_str() {
            "deposit" | "deposits" | "bank_deposit" => return Some(AssetKind::Deposit),
            "movable" | "movables" => return Some(AssetKind::Movable),
            "real_estate" | "property" => return Some(AssetKind::RealEstate),
            _ => {}
        }
        match t {
            "存款" | "银行存款" => Some(AssetKind::Deposit),
            "动产" => Some(AssetKind::Movable),
            "不动产" | "房产" => Some(AssetKind::RealEstate),
            _ => None,
        }
    }
}

/// A recorded legal step of a loan's disposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalEventKind {
    /// A pre-suit preservation ruling (诉前财产保全裁定).
    Preservation,
    /// The suit is filed (起诉): it stops the preservation clock.
    Suit,
    /// A seizure or freeze (查封、扣押、冻结).
    Seizure,
    /// A seizure renewed (续行查封/冻结): its term restarts.
    SeizureRenewal,
}

impl LegalEventKind {
    pub const ALL: [LegalEventKind; 4] = [
        LegalEventKind::Preservation,
        LegalEventKind::Suit,
        LegalEventKind::Seizure,
        LegalEventKind::SeizureRenewal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LegalEventKind::Preservation => "preservation",
            LegalEventKind::Suit => "suit",
            LegalEventKind::Seizure => "seizure",
            LegalEventKind::SeizureRenewal => "seizure_renewal",
        }
    }

    /// The stored code, or the command line's `renewal`.
    pub fn parse(text: &str) -> Option<LegalEventKind> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "preservation" => Some(LegalEventKind::Preservation),
            "suit" => Some(LegalEventKind::Suit),
            "seizure" => Some(LegalEventKind::Seizure),
            "seizure_renewal" | "renewal" => Some(LegalEventKind::SeizureRenewal),
            _ => None,
        }
    }

    /// Whether the step concerns a seized asset (and so needs its kind).
    pub fn needs_asset(self) -> bool {
        matches!(
            self,
            LegalEventKind::Seizure | LegalEventKind::SeizureRenewal
        )
    }
}

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Limitation,
    Preservation,
    Seizure(AssetKind),
}

impl ClockKind {
    /// `limitation`, `preservation`, `seizure_deposit`, `seizure_movable`, `seizure_real_estate`.
    pub fn code(self) -> &'static str {
        match self {
            ClockKind::Limitation => "limitation",
            ClockKind::Preservation => "preservation",
            ClockKind::Seizure(AssetKind::Deposit) => "seizure_deposit",
            ClockKind::Seizure(AssetKind::Movable) => "seizure_movable",
            ClockKind::Seizure(AssetKind::RealEstate) => "seizure_real_estate",
        }
    }
}

/// What started a clock (the JSON `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSource {
    /// The loan's maturity: the last instalment fell due (民法典 第189条).
    Maturity,
    /// The early recall: the whole outstanding fell due on the recall date.
    Recall,
    /// A recorded demand for payment restarted the period (第195条).
    Demand,
    /// The preservation ruling.
    Ruling,
    /// The seizure.
    Seizure,
    /// The last renewal of the seizure.
    Renewal,
}

impl ClockSource {
    pub fn code(self) -> &'static str {
        match self {
            ClockSource::Maturity => "maturity",
            ClockSource::Recall => "recall",
            ClockSource::Demand => "demand",
            ClockSource::Ruling => "ruling",
            ClockSource::Seizure => "seizure",
            ClockSource::Renewal => "renewal",
        }
    }
}

/// A clock running: from when, why, and its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub source: ClockSource,
    pub started_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl Clock {
    /// Days from `as_of` to the last day: 0 on it, negative once it has run out.
    pub fn days_left(&self, as_of: NaiveDate) -> i64 {
        (self.ends_on - as_of).num_days()
    }

    /// Whether the clock ends within `within` days of `as_of` (or already ran out).
    pub fn is_due(&self, as_of: NaiveDate, within: u32) -> bool {
        self.days_left(as_of) <= i64::from(within)
    }
}

/// `on` plus `years` by 第202条 (no corresponding day: the month's last day). `None` past
/// the calendar's end.
pub fn add_years(on: NaiveDate, years: u32) -> Option<NaiveDate> {
    on.checked_add_months(Months::new(years.checked_mul(12)?))
}

/// `on` plus `days` (the day of `on` not counted, 第201条).
pub fn add_days(on: NaiveDate, days: u32) -> Option<NaiveDate> {
    on.checked_add_days(chrono::Days::new(u64::from(days)))
}

/// The day the whole claim fell due: the maturity (the last instalment; the period of a debt
/// paid in instalments runs from it, 民法典 第189条), or the recall date when the bank
/// recalled the loan earlier (the whole outstanding fell due then).
///
/// Chosen over the first overdue instalment because of 第189条; an instalment's own earlier
/// claim is therefore not watched separately.
pub fn claim_due_on(
    matures_on: NaiveDate,
    recalled_on: Option<NaiveDate>,
) -> (NaiveDate, ClockSource) {
    match recalled_on {
        Some(r) if r < matures_on => (r, ClockSource::Recall),
        _ => (matures_on, ClockSource::Maturity),
    }
}

/// The limitation period of a claim due on `due_on` (with what made it due), restarted by the
/// last demand for payment made on or after that day (a demand before the claim fell due
/// interrupts nothing: the period had not begun).
pub fn limitation(
    due_on: NaiveDate,
    due_source: ClockSource,
    last_demand: Option<NaiveDate>,
    rules: &LegalClockRules,
) -> Option<Clock> {
    let (started_on, source) = match last_demand {
        Some(d) if d >= due_on => (d, ClockSource::Demand),
        _ => (due_on, due_source),
    };
    Some(Clock {
        kind: ClockKind::Limitation,
        source,
        started_on,
        ends_on: add_years(started_on, rules.limitation_years)?,
    })
}

/// The pre-suit preservation ruled on `ruling_on`: the suit must be filed by its last day. A
/// suit filed on or after the ruling stops it (`None`).
pub fn preservation(
    ruling_on: NaiveDate,
    suit_on: Option<NaiveDate>,
    rules: &LegalClockRules,
) -> Option<Clock> {
    if suit_on.is_some_and(|s| s >= ruling_on) {
        return None;
    }
    Some(Clock {
        kind: ClockKind::Preservation,
        source: ClockSource::Ruling,
        started_on: ruling_on,
        ends_on: add_days(ruling_on, rules.preservation_days)?,
    })
}

/// The term of a seizure of `asset` (in years).
pub fn seizure_years(asset: AssetKind, rules: &LegalClockRules) -> u32 {
    match asset {
        AssetKind::Deposit => rules.seizure_deposit_years,
        AssetKind::Movable => rules.seizure_movable_years,
        AssetKind::RealEstate => rules.seizure_real_estate_years,
    }
}

/// A seizure of `asset` made on `seized_on`, renewed last on `renewed_on`: the term runs from
/// the later of the two (a renewal restarts it).
pub fn seizure(
    asset: AssetKind,
    seized_on: NaiveDate,
    renewed_on: Option<NaiveDate>,
    rules: &LegalClockRules,
) -> Option<Clock> {
    let (started_on, source) = match renewed_on {
        Some(r) if r >= seized_on => (r, ClockSource::Renewal),
        _ => (seized_on, ClockSource::Seizure),
    };
    Some(Clock {
        kind: ClockKind::Seizure(asset),
        source,
        started_on,
        ends_on: add_years(started_on, seizure_years(asset, rules))?,
    })
}

/// How many days ahead a clock of `kind` is shown.
pub fn warn_days(kind: ClockKind, rules: &LegalClockRules) -> u32 {
    match kind {
        ClockKind::Limitation => rules.limitation_warn_days,
        ClockKind::Preservation => rules.preservation_warn_days,
        ClockKind::Seizure(_) => rules.seizure_warn_days,
    }
}

/// The latest day a clock of `years` may start and still end by `last_day`: a clock starting
/// after it ends after `last_day` (the store's set-based pre-filter; exact check in Rust).
pub fn latest_start_for(last_day: NaiveDate, years: u32) -> Option<NaiveDate> {
    // Subtracting months clamps the same way; a few days of slack keep month-end starts in.
    last_day
        .checked_sub_months(Months::new(years.checked_mul(12)?))
        .and_then(|d| d.checked_add_days(chrono::Days::new(3)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn a_period_of_years_without_its_day_ends_on_the_months_last_day() {
        let r = LegalClockRules::default();
        assert_eq!(add_years(day(2024, 2, 29), 3), Some(day(2027, 2, 28)));
        assert_eq!(add_years(day(2024, 2, 29), 4), Some(day(2028, 2, 29)));
        assert_eq!(add_years(day(2025, 3, 31), 1), Some(day(2026, 3, 31)));
        let c = limitation(day(2024, 2, 29), ClockSource::Maturity, None, &r).expect("clock");
        assert_eq!(c.ends_on, day(2027, 2, 28));
        assert_eq!(c.source, ClockSource::Maturity);
        // A deposit seized on a leap day: one year later is 28 February.
        let s = seizure(AssetKind::Deposit, day(2024, 2, 29), None, &r).expect("clock");
        assert_eq!(s.ends_on, day(2025, 2, 28));
    }

    #[test]
    fn a_demand_for_payment_restarts_the_limitation_period() {
        let r = LegalClockRules::default();
        let due = day(2023, 6, 30);
        let first = limitation(due, ClockSource::Maturity, None, &r).expect("clock");
        assert_eq!(first.ends_on, day(2026, 6, 30));
        let demanded =
            limitation(due, ClockSource::Maturity, Some(day(2025, 1, 10)), &r).expect("clock");
        assert_eq!(demanded.started_on, day(2025, 1, 10));
        assert_eq!(demanded.source, ClockSource::Demand);
        assert_eq!(demanded.ends_on, day(2028, 1, 10));
        // A demand before the claim fell due interrupts nothing.
        let early =
            limitation(due, ClockSource::Maturity, Some(day(2023, 1, 5)), &r).expect("clock");
        assert_eq!(early, first);
    }

    #[test]
    fn the_claim_falls_due_at_maturity_or_at_an_earlier_recall() {
        assert_eq!(
            claim_due_on(day(2027, 1, 15), Some(day(2026, 3, 1))),
            (day(2026, 3, 1), ClockSource::Recall)
        );
        assert_eq!(
            claim_due_on(day(2027, 1, 15), None),
            (day(2027, 1, 15), ClockSource::Maturity)
        );
        assert_eq!(
            claim_due_on(day(2027, 1, 15), Some(day(2027, 6, 1))),
            (day(2027, 1, 15), ClockSource::Maturity)
        );
    }

    #[test]
    fn preservation_gives_thirty_days_to_sue_and_the_suit_stops_it() {
        let r = LegalClockRules::default();
        let c = preservation(day(2026, 5, 6), None, &r).expect("clock");
        assert_eq!(c.ends_on, day(2026, 6, 5));
        assert_eq!(c.days_left(day(2026, 5, 6)), 30);
        assert_eq!(c.days_left(day(2026, 6, 6)), -1);
        assert!(c.is_due(day(2026, 5, 26), 10));
        assert!(!c.is_due(day(2026, 5, 25), 10));
        assert_eq!(
            preservation(day(2026, 5, 6), Some(day(2026, 5, 20)), &r),
            None
        );
        // A suit filed before this ruling (another claim) does not stop it.
        assert!(preservation(day(2026, 5, 6), Some(day(2026, 4, 1)), &r).is_some());
    }

    #[test]
    fn seizure_terms_go_by_asset_and_a_renewal_restarts_them() {
        let r = LegalClockRules::default();
        let on = day(2025, 7, 1);
        let ends = |a| seizure(a, on, None, &r).expect("clock").ends_on;
        assert_eq!(ends(AssetKind::Deposit), day(2026, 7, 1));
        assert_eq!(ends(AssetKind::Movable), day(2027, 7, 1));
        assert_eq!(ends(AssetKind::RealEstate), day(2028, 7, 1));
        let renewed = seizure(AssetKind::Deposit, on, Some(day(2026, 6, 20)), &r).expect("clock");
        assert_eq!(renewed.source, ClockSource::Renewal);
        assert_eq!(renewed.started_on, day(2026, 6, 20));
        assert_eq!(renewed.ends_on, day(2027, 6, 20));
        assert_eq!(renewed.kind.code(), "seizure_deposit");
    }

    #[test]
    fn the_lengths_come_from_the_rules() {
        let r = LegalClockRules {
            limitation_years: 2,
            preservation_days: 15,
            seizure_real_estate_years: 5,
            ..LegalClockRules::default()
        };
        let c = limitation(day(2026, 1, 31), ClockSource::Recall, None, &r).expect("clock");
        assert_eq!(c.ends_on, day(2028, 1, 31));
        let p = preservation(day(2026, 1, 31), None, &r).expect("clock");
        assert_eq!(p.ends_on, day(2026, 2, 15));
        let s = seizure(AssetKind::RealEstate, day(2026, 1, 31), None, &r).expect("clock");
        assert_eq!(s.ends_on, day(2031, 1, 31));
    }

    #[test]
    fn the_pre_filter_never_drops_a_clock_that_is_due() {
        // Every start from 2020 to 2024: if its clock ends by the last day, the start is
        // within the pre-filter.
        let last = day(2027, 2, 28);
        let bound = latest_start_for(last, 3).expect("bound");
        let mut d = day(2020, 1, 1);
        while d < day(2025, 1, 1) {
            if add_years(d, 3).is_some_and(|e| e <= last) {
                assert!(d <= bound, "{d}");
            }
            d = d.succ_opt().expect("next day");
        }
    }

    #[test]
    fn codes_parse_back() {
        for a in AssetKind::ALL {
            assert_eq!(AssetKind::parse(a.code()), Some(a));
        }
        assert_eq!(AssetKind::parse("不动产"), Some(AssetKind::RealEstate));
        assert_eq!(AssetKind::parse("ships"), None);
        for k in LegalEventKind::ALL {
            assert_eq!(LegalEventKind::parse(k.code()), Some(k));
        }
        assert_eq!(
            LegalEventKind::parse("renewal"),
            Some(LegalEventKind::SeizureRenewal)
        );
    }
}
