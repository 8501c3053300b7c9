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
    /// The officer has let this borrower slip: no recent contact, statements overdue.
    pub neglected: bool,
    /// Quarters the latest statement lags behind the normal latest period (0 = up to date).
    pub stale_quarters: u32,
    /// Total assets at the latest quarter, in yuan.
    pub total_assets: i64,
}

impl Profile {
    pub fn draw(dice: &mut Dice) -> Self {
        let deteriorating = dice.chance(0.10);
        let neglected = dice.chance(if deteriorating { 0.4 } else { 0.19 });
        let stale_quarters = if neglected {
            dice.int(1, 3) as u32
        } else if dice.chance(if deteriorating { 0.3 } else { 0.06 }) {
            dice.int(1, 2) as u32
        } else {
            0
        };
        Profile {
            deteriorating,
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

/// The period end of the latest statement a borrower with `stale_quarters` has.
pub fn latest_period(as_of: NaiveDate, stale_quarters: u32) -> NaiveDate {
    let normal = quarter_end_on_or_before(as_of - Days::new(30));
    month_end_before(normal, 3 * stale_quarters)
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

/// Emits the borrower's statements, oldest first.
pub fn emit_statements<S: DemoSink>(
    code: &str,
    profile: &Profile,
    as_of: NaiveDate,
    dice: &mut Dice,
    sink: &mut S,
    counts: &mut DemoCounts,
) -> Result<(), S::Error> {
    let latest = latest_period(as_of, profile.stale_quarters);
    let det = profile.deteriorating;
    let ta_latest = profile.total_assets * 100 + dice.int(0, 99);
    // Per-borrower levels (per mille unless noted).
    let growth = if det {
        dice.int(-15, 5)
    } else {
        dice.int(0, 40)
    };
    let dr_from = if det {
        dice.int(560, 650)
    } else {
        dice.int(350, 700)
    };
    let dr_to = if det { dice.int(860, 950) } else { dr_from };
    let ca_share = dice.int(350, 650);
    let inv_share = dice.int(150, 450);
    let cr_from = if det {
        dice.int(1150, 1400)
    } else {
        dice.int(1100, 2000)
    };
    let cr_to = if det { dice.int(650, 950) } else { cr_from };
    let turnover = dice.int(120, 400);
    let margin_from = if det {
        dice.int(40, 80)
    } else {
        dice.int(40, 120)
    };
    let margin_to = if det { dice.int(-80, -10) } else { margin_from };
    let rate = dice.int(5, 10);

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
        let dr = lerp(dr_from, dr_to, t) + dice.int(-20, 20);
        let tl = pm(ta, dr);
        let ca = pm(ta, ca_share + dice.int(-20, 20));
        let inv = pm(ca, inv_share + dice.int(-30, 30));
        let cr = (lerp(cr_from, cr_to, t) + dice.int(-40, 40)).max(300);
        let cl = ((i128::from(ca) * 1000 / i128::from(cr)) as i64).min(pm(tl, 980));
        let fall = if det { 1000 - 80 * i64::from(t) } else { 1000 };
        let revenue = pm(pm(pm(ta, turnover), fall), dice.int(880, 1120));
        let ebit = pm(revenue, lerp(margin_from, margin_to, t) + dice.int(-15, 15));
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
        let ocf_swing = if det {
            dice.int(-40, 10)
        } else {
            dice.int(-15, 25)
        };
        let ocf = net + pm(ta, ocf_swing);

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
    }
}
