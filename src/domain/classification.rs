//! Five-tier classification rules (DOMAIN.md §4; 《商业银行金融资产风险分类办法》, CBIRC/PBOC
//! Order 2023 No. 1): the regulatory floors as data, the conditions an upgrade out of
//! non-performing must meet, and a restructured loan's observation period. Pure functions.

use super::codes::Classification;
use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

/// The floors' parameters and the periods, from `[classification]` in the config.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationRules {
    /// A technical delay of up to this many days is excused (art. 9: any overdue → 关注).
    pub grace_days: i64,
    /// Overdue more than this many days → at least 次级 (art. 10).
    pub substandard_dpd: i64,
    /// Overdue more than this many days → at least 可疑 (art. 11).
    pub doubtful_dpd: i64,
    /// Overdue more than this many days → 损失 (art. 12).
    pub loss_dpd: i64,
    /// More than this share of a corporate borrower's outstanding non-performing → all of its
    /// loans at least 次级 (art. 8). A fraction: 0.10 is 10 %.
    pub contagion_share: Decimal,
    /// Whether borrower contagion applies. The book does not record whether a borrower is a
    /// company; with this on, every borrower is taken as corporate.
    pub contagion: bool,
    /// The loans' repayment period in months (the book holds no repayment schedule):
    /// repayment dates fall this many months apart from disbursement.
    pub repayment_period_months: u32,
    /// A restructured loan's observation period: at least this many repayment periods …
    pub observation_periods: u32,
    /// … and at least this many months (art. 20).
    pub observation_months: u32,
    /// Upgrade out of non-performing: normal payment for at least this many repayment
    /// periods …
    pub upgrade_periods: u32,
    /// … and at least this many months since the arrears were repaid (art. 13).
    pub upgrade_months: u32,
}

impl Default for ClassificationRules {
    /// The shipped values (the same as `config/default.toml`).
    fn default() -> Self {
        ClassificationRules {
            grace_days: 7,
            substandard_dpd: 90,
            doubtful_dpd: 270,
            loss_dpd: 360,
            contagion_share: Decimal::new(10, 2),
            contagion: true,
            repayment_period_months: 3,
            observation_periods: 2,
            observation_months: 12,
            upgrade_periods: 2,
            upgrade_months: 6,
        }
    }
}

/// Why a floor applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorReason {
    /// Overdue beyond the technical grace: `dpd` > `limit`.
    OverdueBeyondGrace { dpd: i64, limit: i64 },
    /// Loan money diverted (the fund-flow signal is open).
    Diversion,
    /// Overdue more than the substandard limit.
    OverdueSubstandard { dpd: i64, limit: i64 },
    /// Credit-impaired (已发生信用减值).
    Impaired,
    /// Overdue more than the doubtful limit.
    OverdueDoubtful { dpd: i64, limit: i64 },
    /// Overdue more than the loss limit.
    OverdueLoss { dpd: i64, limit: i64 },
    /// Restructured and still in its observation period.
    Restructured,
    /// The borrower's non-performing share of its outstanding, in percent, above the limit.
    Contagion { percent: Decimal, limit: Decimal },
}

impl FloorReason {
    /// A stable code: stored with proposals and history, and the translation key under
    /// `[classification_floor]`.
    pub fn code(self) -> &'static str {
        match self {
            FloorReason::OverdueBeyondGrace { .. } => "overdue_grace",
            FloorReason::Diversion => "diversion",
            FloorReason::OverdueSubstandard { .. } => "overdue_substandard",
            FloorReason::Impaired => "impaired",
            FloorReason::OverdueDoubtful { .. } => "overdue_doubtful",
            FloorReason::OverdueLoss { .. } => "overdue_loss",
            FloorReason::Restructured => "restructured",
            FloorReason::Contagion { .. } => "contagion",
        }
    }

    /// The value and the limit the reason names (days, or percent), as text; empty when it
    /// names none.
    pub fn value_and_limit(self) -> (String, String) {
        match self {
            FloorReason::OverdueBeyondGrace { dpd, limit }
            | FloorReason::OverdueSubstandard { dpd, limit }
            | FloorReason::OverdueDoubtful { dpd, limit }
            | FloorReason::OverdueLoss { dpd, limit } => (dpd.to_string(), limit.to_string()),
            FloorReason::Contagion { percent, limit } => (
                percent.round_dp(2).normalize().to_string(),
                limit.round_dp(2).normalize().to_string(),
            ),
            FloorReason::Diversion | FloorReason::Impaired | FloorReason::Restructured => {
                (String::new(), String::new())
            }
        }
    }
}

/// A regulatory floor: the loan is at least this class, for this reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Floor {
    pub at_least: Classification,
    pub reason: FloorReason,
}

/// What the floors look at for one loan on one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FloorFacts {
    /// Days past due as of the date (the engine's rule, maturity included).
    pub dpd: i64,
    /// The fund-flow diversion signal is open on the loan.
    pub diversion: bool,
    /// Recorded credit-impaired on or before the date.
    pub impaired: bool,
    /// Restructured, and the observation period has not ended by the date.
    pub restructured: bool,
    /// The non-performing share of the borrower's outstanding at the bank (a fraction), when
    /// contagion applies to the borrower.
    pub borrower_npl_share: Option<Decimal>,
}

/// The loan's own floors, borrower contagion left out: the worst applies; between two of
/// the same class, the one listed first.
pub fn own_floor(f: &FloorFacts, rules: &ClassificationRules) -> Option<Floor> {
    let dpd = f.dpd;
    let candidates = [
        (dpd > rules.grace_days).then_some(Floor {
            at_least: Classification::SpecialMention,
            reason: FloorReason::OverdueBeyondGrace {
                dpd,
                limit: rules.grace_days,
            },
        }),
        f.diversion.then_some(Floor {
            at_least: Classification::SpecialMention,
            reason: FloorReason::Diversion,
        }),
        f.restructured.then_some(Floor {
            at_least: Classification::SpecialMention,
            reason: FloorReason::Restructured,
        }),
        (dpd > rules.substandard_dpd).then_some(Floor {
            at_least: Classification::Substandard,
            reason: FloorReason::OverdueSubstandard {
                dpd,
                limit: rules.substandard_dpd,
            },
        }),
        f.impaired.then_some(Floor {
            at_least: Classification::Substandard,
            reason: FloorReason::Impaired,
        }),
        (dpd > rules.doubtful_dpd).then_some(Floor {
            at_least: Classification::Doubtful,
            reason: FloorReason::OverdueDoubtful {
                dpd,
                limit: rules.doubtful_dpd,
            },
        }),
        (dpd > rules.loss_dpd).then_some(Floor {
            at_least: Classification::Loss,
            reason: FloorReason::OverdueLoss {
                dpd,
                limit: rules.loss_dpd,
            },
        }),
    ];
    worst(candidates.into_iter().flatten())
}

/// Every floor that applies, contagion included: the worst.
pub fn floor_of(f: &FloorFacts, rules: &ClassificationRules) -> Option<Floor> {
    let contagion = f
        .borrower_npl_share
        .filter(|s| rules.contagion && *s > rules.contagion_share)
        .map(|s| Floor {
            at_least: Classification::Substandard,
            reason: FloorReason::Contagion {
                percent: s * Decimal::ONE_HUNDRED,
                limit: rules.contagion_share * Decimal::ONE_HUNDRED,
            },
        });
    worst(own_floor(f, rules).into_iter().chain(contagion))
}

fn worst(floors: impl Iterator<Item = Floor>) -> Option<Floor> {
    floors.fold(None, |acc: Option<Floor>, f| match acc {
        Some(a) if a.at_least >= f.at_least => Some(a),
        _ => Some(f),
    })
}

/// Whether `class` may be approved under `floor`: the floor itself when it is worse.
pub fn refused_by_floor(class: Classification, floor: Option<Floor>) -> Option<Floor> {
    floor.filter(|f| class < f.at_least)
}

/// The `n`th repayment date of a loan disbursed on `disbursed_on` (`n` periods later).
fn repayment_date(disbursed_on: NaiveDate, n: u32, rules: &ClassificationRules) -> NaiveDate {
    let months = rules.repayment_period_months.max(1).saturating_mul(n);
    disbursed_on
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The first repayment date strictly after `on`.
pub fn next_repayment_after(
    disbursed_on: NaiveDate,
    on: NaiveDate,
    rules: &ClassificationRules,
) -> NaiveDate {
    // Months between the two dates bound the search: at most a few steps.
    let period = rules.repayment_period_months.max(1);
    let months = (on.signed_duration_since(disbursed_on).num_days().max(0) / 28) as u32;
    let mut n = (months / period).saturating_sub(2);
    loop {
        let d = repayment_date(disbursed_on, n, rules);
        if d > on || d == NaiveDate::MAX {
            return d;
        }
        n += 1;
    }
}

/// A restructured loan's observation period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub start: NaiveDate,
    /// The first day after the period: an upgrade is possible from this day.
    pub end: NaiveDate,
    /// How many times a missed payment restarted it.
    pub restarts: u32,
}

impl Observation {
    /// Whether the loan is still under observation on `on` (from the restructuring to the
    /// end: no upgrade in that time).
    pub fn holds_on(&self, on: NaiveDate) -> bool {
        on < self.end
    }
}

/// The observation period of a loan restructured on `restructured_on`: it starts at the first
/// repayment date after the restructuring and lasts the longer of the configured repayment
/// periods and months (two periods, one year); a payment missed on or after its start (the due
/// dates in `missed`) restarts it at the first repayment date after the miss.
pub fn observation_period(
    disbursed_on: NaiveDate,
    restructured_on: NaiveDate,
    missed: &[NaiveDate],
    rules: &ClassificationRules,
) -> Observation {
    let length = |start: NaiveDate| {
        let by_periods = rules
            .repayment_period_months
            .max(1)
            .saturating_mul(rules.observation_periods);
        let months = by_periods.max(rules.observation_months);
        start
            .checked_add_months(Months::new(months))
            .unwrap_or(NaiveDate::MAX)
    };
    let start = next_repayment_after(disbursed_on, restructured_on, rules);
    let mut obs = Observation {
        start,
        end: length(start),
        restarts: 0,
    };
    let mut missed: Vec<NaiveDate> = missed.to_vec();
    missed.sort();
    for m in missed {
        if m >= obs.start && m < obs.end {
            let start = next_repayment_after(disbursed_on, m, rules);
            obs = Observation {
                start,
                end: length(start),
                restarts: obs.restarts + 1,
            };
        }
    }
    obs
}

/// What the upgrade conditions look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpgradeFacts {
    /// Overdue principal, interest and fees as of the date.
    pub arrears: Decimal,
    /// Days past due as of the date.
    pub dpd: i64,
    /// Since when the loan has paid normally: the day its arrears were repaid (or it became
    /// non-performing, with no arrears recorded).
    pub normal_since: NaiveDate,
    /// The date of the upgrade.
    pub on: NaiveDate,
    /// The borrower's other non-performing loans at the bank (with a balance).
    pub other_npl_loans: u32,
    /// The restructured loan's observation period, if any.
    pub observation: Option<Observation>,
}

/// The condition an upgrade fails, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmetCondition {
    /// Still under observation after a restructuring, until `until`.
    InObservation { until: NaiveDate },
    /// Arrears not repaid: `amount` overdue, `dpd` days.
    ArrearsUnpaid { amount: Decimal, dpd: i64 },
    /// Normal payment since `since`, but not until `until` yet.
    NotLongEnough { since: NaiveDate, until: NaiveDate },
    /// The borrower has other non-performing loans.
    OtherNonPerforming { count: u32 },
}

impl UnmetCondition {
    pub fn code(self) -> &'static str {
        match self {
            UnmetCondition::InObservation { .. } => "in_observation",
            UnmetCondition::ArrearsUnpaid { .. } => "arrears_unpaid",
            UnmetCondition::NotLongEnough { .. } => "not_long_enough",
            UnmetCondition::OtherNonPerforming { .. } => "other_npl",
        }
    }
}

/// The first unmet condition of moving a loan from `from` up to `to`, if any. The
/// observation period blocks every upgrade; the three conditions of art. 13 block one out
/// of non-performing.
pub fn upgrade_blocker(
    from: Classification,
    to: Classification,
    f: &UpgradeFacts,
    rules: &ClassificationRules,
) -> Option<UnmetCondition> {
    if to >= from {
        return None;
    }
    if let Some(obs) = f.observation
        && obs.holds_on(f.on)
    {
        return Some(UnmetCondition::InObservation { until: obs.end });
    }
    if !from.is_non_performing() || to.is_non_performing() {
        return None;
    }
    if f.arrears > Decimal::ZERO || f.dpd > 0 {
        return Some(UnmetCondition::ArrearsUnpaid {
            amount: f.arrears,
            dpd: f.dpd,
        });
    }
    let months = rules
        .repayment_period_months
        .max(1)
        .saturating_mul(rules.upgrade_periods)
        .max(rules.upgrade_months);
    let until = f
        .normal_since
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX);
    if f.on < until {
        return Some(UnmetCondition::NotLongEnough {
            since: f.normal_since,
            until,
        });
    }
    if f.other_npl_loans > 0 {
        return Some(UnmetCondition::OtherNonPerforming {
            count: f.other_npl_loans,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Classification::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn rules() -> ClassificationRules {
        ClassificationRules::default()
    }

    fn at_dpd(dpd: i64) -> Option<Classification> {
        let f = FloorFacts {
            dpd,
            ..Default::default()
        };
        floor_of(&f, &rules()).map(|f| f.at_least)
    }

    #[test]
    fn dpd_boundaries() {
        assert_eq!(at_dpd(0), None);
        assert_eq!(at_dpd(7), None, "a technical delay of 7 days is excused");
        assert_eq!(at_dpd(8), Some(SpecialMention));
        assert_eq!(at_dpd(90), Some(SpecialMention));
        assert_eq!(at_dpd(91), Some(Substandard));
        assert_eq!(at_dpd(270), Some(Substandard));
        assert_eq!(at_dpd(271), Some(Doubtful));
        assert_eq!(at_dpd(360), Some(Doubtful));
        assert_eq!(at_dpd(361), Some(Loss));
        let f = floor_of(
            &FloorFacts {
                dpd: 95,
                ..Default::default()
            },
            &rules(),
        );
        assert_eq!(
            f.map(|f| f.reason),
            Some(FloorReason::OverdueSubstandard { dpd: 95, limit: 90 })
        );
    }

    #[test]
    fn contagion_at_ten_percent_is_not_and_at_eleven_is() {
        let share = |s: &str| FloorFacts {
            borrower_npl_share: Some(s.parse().expect("decimal")),
            ..Default::default()
        };
        assert_eq!(floor_of(&share("0.10"), &rules()), None);
        let f = floor_of(&share("0.11"), &rules()).expect("floor");
        assert_eq!(f.at_least, Substandard);
        assert_eq!(f.reason.code(), "contagion");
        assert_eq!(f.reason.value_and_limit(), ("11".into(), "10".into()));
        let off = ClassificationRules {
            contagion: false,
            ..rules()
        };
        assert_eq!(floor_of(&share("0.50"), &off), None);
    }

    #[test]
    fn the_worst_floor_applies() {
        let f = FloorFacts {
            dpd: 30,
            diversion: true,
            impaired: true,
            restructured: true,
            borrower_npl_share: None,
        };
        assert_eq!(
            floor_of(&f, &rules()),
            Some(Floor {
                at_least: Substandard,
                reason: FloorReason::Impaired
            })
        );
        let only = |f: FloorFacts| floor_of(&f, &rules()).map(|f| (f.at_least, f.reason.code()));
        assert_eq!(
            only(FloorFacts {
                diversion: true,
                ..Default::default()
            }),
            Some((SpecialMention, "diversion"))
        );
        assert_eq!(
            only(FloorFacts {
                restructured: true,
                ..Default::default()
            }),
            Some((SpecialMention, "restructured"))
        );
    }

    fn upgrade(f: UpgradeFacts) -> Option<UnmetCondition> {
        upgrade_blocker(Substandard, SpecialMention, &f, &rules())
    }

    fn clean() -> UpgradeFacts {
        UpgradeFacts {
            arrears: Decimal::ZERO,
            dpd: 0,
            normal_since: d("2026-01-01"),
            on: d("2026-07-01"),
            other_npl_loans: 0,
            observation: None,
        }
    }

    #[test]
    fn upgrade_conditions_one_by_one() {
        assert_eq!(upgrade(clean()), None, "six months to the day");
        let mut f = clean();
        f.arrears = Decimal::new(100, 0);
        assert_eq!(
            upgrade(f),
            Some(UnmetCondition::ArrearsUnpaid {
                amount: Decimal::new(100, 0),
                dpd: 0
            })
        );
        let mut f = clean();
        f.on = d("2026-06-30");
        assert_eq!(
            upgrade(f),
            Some(UnmetCondition::NotLongEnough {
                since: d("2026-01-01"),
                until: d("2026-07-01")
            })
        );
        // Two periods of four months are longer than six months.
        let long = ClassificationRules {
            repayment_period_months: 4,
            ..rules()
        };
        assert_eq!(
            upgrade_blocker(Substandard, Pass, &clean(), &long),
            Some(UnmetCondition::NotLongEnough {
                since: d("2026-01-01"),
                until: d("2026-09-01")
            })
        );
        let mut f = clean();
        f.other_npl_loans = 1;
        assert_eq!(
            upgrade(f),
            Some(UnmetCondition::OtherNonPerforming { count: 1 })
        );
        // Not an upgrade out of non-performing: the three conditions do not apply.
        let mut f = clean();
        f.arrears = Decimal::ONE;
        assert_eq!(upgrade_blocker(Doubtful, Substandard, &f, &rules()), None);
        assert_eq!(upgrade_blocker(SpecialMention, Pass, &f, &rules()), None);
        assert_eq!(upgrade_blocker(Pass, Loss, &f, &rules()), None);
    }

    #[test]
    fn observation_starts_at_the_next_repayment_date_and_lasts_a_year() {
        // Disbursed 15 Jan, quarterly: repayment dates 15 Apr, 15 Jul, 15 Oct …
        let obs = observation_period(d("2026-01-15"), d("2026-05-02"), &[], &rules());
        assert_eq!(obs.start, d("2026-07-15"));
        assert_eq!(obs.end, d("2027-07-15"));
        assert!(obs.holds_on(d("2027-07-14")));
        assert!(!obs.holds_on(d("2027-07-15")));
        // On a repayment date: the next one starts it.
        let on = observation_period(d("2026-01-15"), d("2026-04-15"), &[], &rules());
        assert_eq!(on.start, d("2026-07-15"));
        // Yearly repayments: two periods (two years) are longer than a year.
        let yearly = ClassificationRules {
            repayment_period_months: 12,
            ..rules()
        };
        let obs = observation_period(d("2026-01-15"), d("2026-05-02"), &[], &yearly);
        assert_eq!((obs.start, obs.end), (d("2027-01-15"), d("2029-01-15")));
    }

    #[test]
    fn a_missed_payment_restarts_the_observation() {
        let missed = [d("2026-10-15")];
        let obs = observation_period(d("2026-01-15"), d("2026-05-02"), &missed, &rules());
        assert_eq!(obs.start, d("2027-01-15"));
        assert_eq!(obs.end, d("2028-01-15"));
        assert_eq!(obs.restarts, 1);
        // A miss before the period started does not restart it.
        let early = [d("2026-06-01")];
        let obs = observation_period(d("2026-01-15"), d("2026-05-02"), &early, &rules());
        assert_eq!((obs.start, obs.restarts), (d("2026-07-15"), 0));
        // Under observation, even 关注 → 正常 is blocked, with the end date named.
        let mut f = clean();
        f.observation = Some(obs);
        f.on = d("2027-01-01");
        assert_eq!(
            upgrade_blocker(SpecialMention, Pass, &f, &rules()),
            Some(UnmetCondition::InObservation {
                until: d("2027-07-15")
            })
        );
        f.on = d("2027-07-15");
        assert_eq!(upgrade_blocker(SpecialMention, Pass, &f, &rules()), None);
    }

    fn class() -> impl Strategy<Value = Classification> {
        (0i64..5).prop_map(|r| Classification::from_rank(r).unwrap_or(Pass))
    }

    proptest! {
        /// Whatever the inputs, a class the floor lets through is never better than it,
        /// and each floor that applies on its own is at most the combined one.
        #[test]
        fn an_approved_class_is_never_better_than_the_floor(
            dpd in -5i64..800,
            diversion: bool,
            impaired: bool,
            restructured: bool,
            share in proptest::option::of(0u32..=100),
            to in class(),
        ) {
            let f = FloorFacts {
                dpd,
                diversion,
                impaired,
                restructured,
                borrower_npl_share: share.map(|s| Decimal::new(i64::from(s), 2)),
            };
            let floor = floor_of(&f, &rules());
            if refused_by_floor(to, floor).is_none() {
                prop_assert!(floor.is_none_or(|fl| to >= fl.at_least));
            } else {
                prop_assert!(floor.is_some_and(|fl| to < fl.at_least));
            }
            let own = own_floor(&f, &rules());
            prop_assert!(own.is_none_or(|o| floor.is_some_and(|fl| fl.at_least >= o.at_least)));
            prop_assert!(floor.is_none_or(|fl| fl.at_least >= Classification::floor_for_dpd(dpd, 7)));
        }
    }
}
