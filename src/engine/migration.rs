//! Portfolio figures over classes (DOMAIN.md §7; 银监发〔2005〕89号): the migration matrix
//! between two dates, the four migration rates and the combined 正常贷款迁徙率, the
//! non-performing ratio at each date, and the reference provisions (银发〔2002〕98号) with
//! coverage and provision ratio. Pure: the store streams one loan at a time into them.
//!
//! Definitions: a loan is in the opening set if it had a balance at the start; its closing
//! column is its class at the end, or "closed" with no balance left. The matrix by balance
//! sums opening balances. A class's rate is what moved from it into a worse class (those
//! loans' balances at the end) over its opening balance less its reduction in the period
//! (each loan's fall in balance: repayment, disposal, write-off).

use crate::domain::Classification;
use rust_decimal::Decimal;

/// One loan at the two dates: (class, balance) where it had a balance, disbursed by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanAtDates {
    pub from: Option<(Classification, Decimal)>,
    pub to: Option<(Classification, Decimal)>,
}

/// The closing columns: the five classes, then "repaid / closed".
pub const CLOSED: usize = 5;

/// The figures, accumulated a loan at a time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Migration {
    /// Opening class × closing column (five classes, then closed): loans.
    pub count: [[u64; 6]; 5],
    /// The same, by opening balance.
    pub balance: [[Decimal; 6]; 5],
    /// Per opening class: the opening balance, the reduction, and what moved down.
    pub opening: [Decimal; 5],
    pub reduction: [Decimal; 5],
    pub moved_down: [Decimal; 5],
    /// 正常 and 关注 together: what moved into non-performing.
    pub normal_to_npl: Decimal,
    /// Non-performing and total balance at each date.
    pub npl_from: Decimal,
    pub total_from: Decimal,
    pub npl_to: Decimal,
    pub total_to: Decimal,
}

/// Whether a move from `from` to `to` counts for `from`'s rate: 正常 into 关注 or worse;
/// 关注 into non-performing; 次级 into 可疑 or 损失; 可疑 into 损失.
fn counts_as_moved(from: Classification, to: Classification) -> bool {
    match from {
        Classification::SpecialMention => to.is_non_performing(),
        _ => to > from,
    }
}

impl Migration {
    pub fn add(&mut self, l: &LoanAtDates) {
        if let Some((c, b)) = l.to
            && b > Decimal::ZERO
        {
            self.total_to += b;
            if c.is_non_performing() {
                self.npl_to += b;
            }
        }
        let Some((from, open)) = l.from.filter(|(_, b)| *b > Decimal::ZERO) else {
            return;
        };
        self.total_from += open;
        if from.is_non_performing() {
            self.npl_from += open;
        }
        let i = from.rank() as usize;
        let (col, close) = match l.to {
            Some((c, b)) if b > Decimal::ZERO => (c.rank() as usize, b),
            _ => (CLOSED, Decimal::ZERO),
        };
        self.count[i][col] += 1;
        self.balance[i][col] += open;
        self.opening[i] += open;
        if open > close {
            self.reduction[i] += open - close;
        }
        if col != CLOSED
            && let Some(to) = Classification::from_rank(col as i64)
        {
            if counts_as_moved(from, to) {
                self.moved_down[i] += close;
            }
            if from <= Classification::SpecialMention && to.is_non_performing() {
                self.normal_to_npl += close;
            }
        }
    }

    /// The migration rate of `class` in percent (two decimals); None for 损失 or with nothing
    /// left to migrate.
    pub fn rate(&self, class: Classification) -> Option<Decimal> {
        if class == Classification::Loss {
            return None;
        }
        let i = class.rank() as usize;
        rate(self.moved_down[i], self.opening[i], self.reduction[i])
    }

    /// 正常贷款迁徙率: 正常 and 关注 as one class, into non-performing.
    pub fn normal_rate(&self) -> Option<Decimal> {
        rate(
            self.normal_to_npl,
            self.opening[0] + self.opening[1],
            self.reduction[0] + self.reduction[1],
        )
    }

    /// The non-performing ratio at the start and at the end, in percent.
    pub fn npl_ratios(&self) -> (Option<Decimal>, Option<Decimal>) {
        (
            percent(self.npl_from, self.total_from),
            percent(self.npl_to, self.total_to),
        )
    }
}

/// `moved / (opening − reduction)` in percent, two decimals (half away from zero).
pub fn rate(moved: Decimal, opening: Decimal, reduction: Decimal) -> Option<Decimal> {
    percent(moved, opening - reduction)
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole <= Decimal::ZERO {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(whole)
        .map(|r| r.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// Reference reserve rates (fractions): a general reserve on every loan, and a specific
/// reserve per class, 次级 and 可疑 after their configured float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProvisionRates {
    pub general: Decimal,
    /// Specific rate per class, 正常 (none) … 损失.
    pub specific: [Decimal; 5],
}

impl Default for ProvisionRates {
    fn default() -> Self {
        ProvisionRates {
            general: Decimal::new(1, 2),
            specific: [
                Decimal::ZERO,
                Decimal::new(2, 2),
                Decimal::new(25, 2),
                Decimal::new(50, 2),
                Decimal::ONE,
            ],
        }
    }
}

/// The book's classes on one date with their reference reserves, and the actual reserve's
/// coverage (拨备覆盖率 = reserve / NPL) and provision ratio (贷款拨备率 = reserve / loans).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provisions {
    pub count: [u64; 5],
    pub balance: [Decimal; 5],
    /// Specific reference reserve per class.
    pub specific: [Decimal; 5],
    pub general: Decimal,
    pub total_balance: Decimal,
    pub npl_balance: Decimal,
    /// General plus specific.
    pub reference: Decimal,
    pub actual: Option<Decimal>,
    /// Percent, two decimals.
    pub coverage: Option<Decimal>,
    pub provision_ratio: Option<Decimal>,
    /// The reference reserve over the NPL and over all loans, in percent.
    pub reference_coverage: Option<Decimal>,
}

impl Provisions {
    /// Adds a loan of `class` with `balance` on the date.
    pub fn add(&mut self, class: Classification, balance: Decimal) {
        if balance <= Decimal::ZERO {
            return;
        }
        let i = class.rank() as usize;
        self.count[i] += 1;
        self.balance[i] += balance;
    }

    /// The reserves and ratios, once every loan is added.
    pub fn finish(mut self, rates: &ProvisionRates, actual: Option<Decimal>) -> Provisions {
        let cents = |d: Decimal| {
            d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        };
        self.total_balance = self.balance.iter().copied().sum();
        self.npl_balance = self.balance[2] + self.balance[3] + self.balance[4];
        for i in 0..5 {
            self.specific[i] = cents(self.balance[i] * rates.specific[i]);
        }
        self.general = cents(self.total_balance * rates.general);
        self.reference = self.general + self.specific.iter().copied().sum::<Decimal>();
        self.actual = actual;
        self.coverage = actual.and_then(|a| percent(a, self.npl_balance));
        self.provision_ratio = actual.and_then(|a| percent(a, self.total_balance));
        self.reference_coverage = percent(self.reference, self.npl_balance);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Classification::*;

    fn d(n: i64) -> Decimal {
        Decimal::from(n)
    }

    #[test]
    fn the_worked_example_of_domain_section_seven() {
        // 800 of an opening 10,000 of 正常 moved down, 600 repaid: 800 / 9,400 = 8.51 %.
        assert_eq!(rate(d(800), d(10_000), d(600)), Some(Decimal::new(851, 2)));
        let mut m = Migration::default();
        m.add(&LoanAtDates {
            from: Some((Pass, d(8_600))),
            to: Some((Pass, d(8_600))),
        });
        m.add(&LoanAtDates {
            from: Some((Pass, d(800))),
            to: Some((SpecialMention, d(800))),
        });
        m.add(&LoanAtDates {
            from: Some((Pass, d(600))),
            to: None,
        });
        assert_eq!(m.rate(Pass), Some(Decimal::new(851, 2)));
        assert_eq!(m.count[0], [1, 1, 0, 0, 0, 1]);
        assert_eq!(m.balance[0][CLOSED], d(600));
    }

    #[test]
    fn a_hand_made_book_with_a_known_matrix() {
        let mut m = Migration::default();
        let add = |m: &mut Migration,
                   f: Option<(Classification, i64)>,
                   t: Option<(Classification, i64)>| {
            m.add(&LoanAtDates {
                from: f.map(|(c, b)| (c, d(b))),
                to: t.map(|(c, b)| (c, d(b))),
            })
        };
        add(&mut m, Some((Pass, 100)), Some((Pass, 100)));
        add(&mut m, Some((Pass, 100)), Some((Substandard, 100)));
        add(&mut m, Some((SpecialMention, 200)), Some((Doubtful, 150)));
        add(&mut m, Some((SpecialMention, 100)), Some((Pass, 100)));
        add(&mut m, Some((Substandard, 50)), Some((Loss, 50)));
        add(&mut m, Some((Doubtful, 50)), Some((Doubtful, 50)));
        add(&mut m, None, Some((Pass, 300)));
        assert_eq!(m.count[0], [1, 0, 1, 0, 0, 0]);
        assert_eq!(m.count[1], [1, 0, 0, 1, 0, 0]);
        assert_eq!(m.balance[1][3], d(200));
        assert_eq!(m.rate(Pass), Some(d(50)));
        // 150 of 关注 into NPL over 300 − 50 reduction = 60 %.
        assert_eq!(m.rate(SpecialMention), Some(d(60)));
        assert_eq!(m.rate(Substandard), Some(d(100)));
        assert_eq!(m.rate(Doubtful), Some(d(0)));
        assert_eq!(m.rate(Loss), None);
        // 正常+关注: 100 + 150 into NPL over 500 − 50.
        assert_eq!(m.normal_rate(), Some(Decimal::new(5556, 2)));
        // NPL: from 100 of 600; to 350 of 850.
        assert_eq!(
            m.npl_ratios(),
            (Some(Decimal::new(1667, 2)), Some(Decimal::new(4118, 2)))
        );
    }

    #[test]
    fn provisions_on_a_hand_made_book() {
        let mut p = Provisions::default();
        p.add(Pass, d(1_000));
        p.add(SpecialMention, d(500));
        p.add(Substandard, d(200));
        p.add(Doubtful, d(100));
        p.add(Loss, d(50));
        p.add(Loss, d(0));
        let p = p.finish(&ProvisionRates::default(), Some(d(370)));
        assert_eq!(p.total_balance, d(1_850));
        assert_eq!(p.npl_balance, d(350));
        assert_eq!(p.specific, [d(0), d(10), d(50), d(50), d(50)]);
        assert_eq!(p.general, Decimal::new(1850, 2));
        assert_eq!(p.reference, Decimal::new(17850, 2));
        // 370 / 350 = 105.71 %; 370 / 1,850 = 20 %.
        assert_eq!(p.coverage, Some(Decimal::new(10571, 2)));
        assert_eq!(p.provision_ratio, Some(d(20)));
        assert_eq!(p.count[4], 1, "a loan with no balance is not counted");
    }
}
