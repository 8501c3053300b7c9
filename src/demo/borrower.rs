//! One demo borrower: its risk profile and its eight quarterly financial statements,
//! healthy and steady for most, visibly deteriorating for about one in ten.

use super::dice::Dice;
use super::{DemoCounts, DemoSink};
use crate::domain::StatementRecord;
use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;

/// Quarters of statements each borrower has.
pub const QUARTERS: u32 = 8;

/// What drives a borrower's numbers and its loans' behaviour.
pub struct Profile {
    /// Leverage rising, liquidity and revenue falling; its loans go bad more often.
    pub deteriorating: bool,
    /// A deteriorating borrower in serious trouble (red on several ratios by the latest
    /// quarter); the others slide into yellow and orange.
    pub severe: bool,
    /// The officer has let this borrower slip: no recent contact on its loans, and its
    /// latest statement not chased while still inside the grace period.
    pub neglected: bool,
    /// Quarters the latest statement lags behind the normal latest period (0 = up to date).
    pub stale_quarters: u32,
    /// Total assets at the latest quarter, in yuan.
    pub total_assets: i64,
}

impl Profile {
    pub fn draw(dice: &mut Dice) -> Self {
        let deteriorating = dice.chance(0.10);
        let severe = deteriorating && dice.chance(0.25);
        let neglected = dice.chance(if deteriorating { 0.4 } else { 0.19 });
        // Statements come in late for a few borrowers, mostly troubled ones, and by one
        // quarter (two at worst).
        let stale_quarters = if dice.chance(if deteriorating { 0.25 } else { 0.02 }) {
            if deteriorating && dice.chance(0.3) {
                2
            } else {
                1
            }
        } else {
            0
        };
        Profile {
            deteriorating,
            severe,
            neglected,
            stale_quarters,
            total_assets: dice.log_uniform(20_000_000, 3_000_000_000),
        }
    }
}

/// The last day of `year`-`month`.
pub fn month_end(year: i32, month: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN);
    first + Months::new(1) - Days::new(1)
}

/// The last day of the month `back` months before `d`'s month.
pub fn month_end_before(d: NaiveDate, back: u32) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d) - Months::new(back);
    month_end(first.year(), first.month())
}

/// The latest quarter end on or before `d`.
pub fn quarter_end_on_or_before(d: NaiveDate) -> NaiveDate {
    let qm = (d.month() - 1) / 3 * 3 + 3;
    let end = month_end(d.year(), qm);
    if end <= d {
        end
    } else {
        month_end_before(end, 3)
    }
}

/// Days after the end of the following quarter a statement is due (the shipped
/// `statement_due_days`): statements arrive on time, by the due date.
const DUE_DAYS: u64 = 30;

/// Days past due before a missing statement raises a warning (the shipped yellow threshold
/// of `statements_late`).
const GRACE_DAYS: u64 = 30;

/// The period end of the latest statement a borrower with `stale_quarters` has.
pub fn latest_period(as_of: NaiveDate, stale_quarters: u32) -> NaiveDate {
    let normal = quarter_end_on_or_before(as_of - Days::new(DUE_DAYS));
    month_end_before(normal, 3 * stale_quarters)
}

/// Whether the statement that fell due last is still inside the grace period on `as_of`, so
/// that a borrower without it is late but not yet warned.
pub fn in_grace(as_of: NaiveDate) -> bool {
    as_of <= latest_period(as_of, 0) + Days::new(DUE_DAYS + GRACE_DAYS)
}

/// `base × per_mille / 1000`, in whatever unit `base` is.
fn pm(base: i64, per_mille: i64) -> i64 {
    (i128::from(base) * i128::from(per_mille) / 1000) as i64
}

/// Linear move from `from` to `to` over the quarters (`t` = 0 oldest … 7 latest).
fn lerp(from: i64, to: i64, t: u32) -> i64 {
    from + (to - from) * i64::from(t) / i64::from(QUARTERS - 1)
}

fn yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// Seasonal revenue by quarter of the year (per mille of the mean, times the amplitude).
const SEASON: [i64; 4] = [-900, 100, 200, 600];

/// Emits the borrower's statements, oldest first.
///
/// A healthy borrower keeps its ratios steady inside the shipped warning thresholds (quick
/// ratio above 1, interest covered about three times or more, a negative operating cash
/// flow now and then for a quarter, seasonal revenue that repeats year on year), with a
/// thin tail a little outside them. A deteriorating one slides over the eight quarters:
/// leverage up, liquidity and margins down, revenue falling, cash flow turning negative;
/// a severe one ends red on several ratios, the others yellow and orange.
pub fn emit_statements<S: DemoSink>(
    code: &str,
    profile: &Profile,
    as_of: NaiveDate,
    dice: &mut Dice,
    sink: &mut S,
    counts: &mut DemoCounts,
) -> Result<(), S::Error> {
    // A neglected borrower's newest statement has not been chased yet while its lateness
    // is still inside the grace period.
    let stale = if profile.neglected && profile.stale_quarters == 0 && in_grace(as_of) {
        1
    } else {
        profile.stale_quarters
    };
    let latest = latest_period(as_of, stale);
    let det = profile.deteriorating;
    let severe = profile.severe;
    let ta_latest = profile.total_assets * 100 + dice.int(0, 99);
    // Per-borrower levels (per mille unless noted).
    let growth = if det {
        dice.int(-15, 5)
    } else {
        dice.int(0, 40)
    };
    // Which sides of a deteriorating borrower slide: all of them for a severe one, some
    // for the others (leverage, liquidity, margin, revenue, cash flow).
    let mut slides = |p: f64| det && (severe || dice.chance(p));
    let (lev, liq, mar, rev, cash) = (
        slides(0.7),
        slides(0.6),
        slides(0.6),
        slides(0.5),
        slides(0.5),
    );
    // Debt-to-asset ratio.
    let dr_from = if det {
        dice.int(580, 650)
    } else if dice.chance(0.02) {
        dice.int(660, 740)
    } else {
        dice.int(300, 660)
    };
    let dr_to = match (lev, severe) {
        (false, _) => dr_from,
        (true, true) => dice.int(910, 960),
        (true, false) => dice.int(860, 880).min(dr_from + 285),
    };
    let ca_share = dice.int(350, 650);
    // Quick ratio and inventory share of current assets; the current ratio follows.
    let quick_from = if det {
        dice.int(1050, 1300)
    } else if dice.chance(0.02) {
        dice.int(850, 1050)
    } else {
        dice.int(1100, 1900)
    };
    let quick_to = match (liq, severe) {
        (false, _) => quick_from,
        (true, true) => dice.int(350, 600),
        (true, false) => dice.int(820, 960),
    };
    let inv_from = dice.int(100, 380);
    let inv_to = if liq {
        inv_from + dice.int(20, 80)
    } else {
        inv_from
    };
    // Quarterly revenue per asset, its seasonal amplitude, and the quarterly fall.
    let turnover = dice.int(120, 400);
    let season = dice.int(0, 120);
    let decline = match (rev, severe) {
        (false, _) => 0,
        (true, true) => dice.int(50, 75),
        (true, false) => dice.int(22, 38),
    };
    let soft_year = !det && dice.chance(0.015);
    // Interest per quarter on liabilities, and the EBIT margin that covers it.
    let rate = dice.int(4, 8);
    let margin_for = |coverage: i64, dr: i64, fall: i64| -> i64 {
        // coverage = turnover × fall × margin / (dr × rate), all per mille.
        let need = i128::from(coverage) * i128::from(dr) * i128::from(rate)
            / (i128::from(turnover) * i128::from(fall)).max(1);
        need as i64
    };
    let cover_from = if det {
        dice.int(2800, 4000)
    } else if dice.chance(0.03) {
        dice.int(1900, 2600)
    } else {
        dice.int(3200, 7000)
    };
    let margin_from = margin_for(cover_from, dr_from, 1000)
        .max(dice.int(40, 120))
        .min(300);
    let last_fall = 1000 - decline * i64::from(QUARTERS - 1);
    let margin_to = match (mar, severe) {
        (false, _) => margin_from,
        (true, true) => dice.int(-60, -5),
        (true, false) => margin_for(dice.int(1550, 1950), dr_to, last_fall).min(300),
    };

    let mut rec = StatementRecord {
        borrower_code: code.to_string(),
        period_end: latest,
        total_assets: Decimal::ZERO,
        total_liabilities: Decimal::ZERO,
        current_assets: Decimal::ZERO,
        current_liabilities: Decimal::ZERO,
        inventory: Decimal::ZERO,
        revenue: Decimal::ZERO,
        ebit: Decimal::ZERO,
        interest_expense: Decimal::ZERO,
        net_profit: Decimal::ZERO,
        operating_cash_flow: Decimal::ZERO,
    };
    for t in 0..QUARTERS {
        let back = QUARTERS - 1 - t;
        rec.period_end = month_end_before(latest, 3 * back);
        // Assets grow (or shrink) a little each quarter towards the latest value.
        let ta = pm(
            ta_latest,
            1000 - growth * i64::from(back) / 4 + dice.int(-10, 10),
        );
        let dr = lerp(dr_from, dr_to, t) + dice.int(-15, 15);
        let tl = pm(ta, dr);
        let ca = pm(ta, ca_share + dice.int(-15, 15));
        let inv_share = lerp(inv_from, inv_to, t) + dice.int(-15, 15);
        let inv = pm(ca, inv_share);
        let quick = (lerp(quick_from, quick_to, t) + dice.int(-30, 30)).max(200);
        let cr = i128::from(quick) * 1000 / i128::from(1000 - inv_share);
        let cl = ((i128::from(ca) * 1000 / cr) as i64).min(pm(tl, 980));
        let quarter = (rec.period_end.month0() / 3) as usize;
        let seasonal = 1000 + season * SEASON[quarter] / 1000;
        let fall = 1000 - decline * i64::from(t);
        let soft = if soft_year && back < 4 {
            dice.int(780, 900)
        } else {
            1000
        };
        let revenue = pm(
            pm(pm(pm(ta, turnover), seasonal), fall),
            pm(soft, dice.int(960, 1040)),
        );
        let ebit = pm(
            revenue,
            pm(lerp(margin_from, margin_to, t), dice.int(920, 1080)),
        );
        let interest = if dice.chance(0.02) {
            0
        } else {
            pm(tl, rate) + dice.int(0, 99)
        };
        let pre_tax = ebit - interest;
        let net = if pre_tax > 0 {
            pm(pre_tax, 750)
        } else {
            pre_tax
        };
        // Cash flow: positive but for a quarter of stock build-up now and then; a
        // deteriorating borrower burns cash more and more often.
        let burn = match (cash, severe) {
            (false, _) => 0.015,
            (true, true) => 0.1 + 0.9 * f64::from(t) / f64::from(QUARTERS - 1),
            (true, false) => 0.05 + 0.35 * f64::from(t) / f64::from(QUARTERS - 1),
        };
        let ocf = if dice.chance(burn) {
            net.min(0) - pm(ta, dice.int(3, 20))
        } else {
            net.max(0) + pm(ta, dice.int(1, 15))
        };

        rec.total_assets = yuan(ta);
        rec.total_liabilities = yuan(tl);
        rec.current_assets = yuan(ca);
        rec.current_liabilities = yuan(cl);
        rec.inventory = yuan(inv);
        rec.revenue = yuan(revenue);
        rec.ebit = yuan(ebit);
        rec.interest_expense = yuan(interest);
        rec.net_profit = yuan(net);
        rec.operating_cash_flow = yuan(ocf);
        sink.statement(&rec)?;
        counts.statements += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendar_helpers() {
        assert_eq!(month_end(2024, 2), d("2024-02-29"));
        assert_eq!(month_end_before(d("2026-03-31"), 1), d("2026-02-28"));
        assert_eq!(month_end_before(d("2026-01-15"), 0), d("2026-01-31"));
        assert_eq!(quarter_end_on_or_before(d("2026-06-30")), d("2026-06-30"));
        assert_eq!(quarter_end_on_or_before(d("2026-06-29")), d("2026-03-31"));
        assert_eq!(quarter_end_on_or_before(d("2026-02-01")), d("2025-12-31"));
        assert_eq!(latest_period(d("2026-05-15"), 0), d("2026-03-31"));
        assert_eq!(latest_period(d("2026-04-20"), 0), d("2025-12-31"));
        assert_eq!(latest_period(d("2026-04-20"), 2), d("2025-06-30"));
        assert!(in_grace(d("2026-05-20")) && in_grace(d("2026-05-30")));
        assert!(!in_grace(d("2026-05-31")) && !in_grace(d("2026-06-30")));
        assert!(in_grace(d("2026-08-29")) && !in_grace(d("2026-08-30")));
    }
}
