//! Tests of the warning levels: every threshold of every indicator from just inside, exactly
//! on, to just beyond; escalation; and the property that a worse value never lowers the level.

use super::indicators::*;
use super::indicators_tests::{d, facts_for, lvl, val};
use super::rules::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Values of one indicator and the level each must reach.
type Points = &'static [(&'static str, Option<Level>)];

#[test]
fn every_threshold_of_every_indicator() {
    use Indicator::*;
    use Level::*;
    let cases: &[(Indicator, Points)] = &[
        (
            Dpd,
            &[
                ("0", None),
                ("7", None),
                ("8", Some(Yellow)),
                ("30", Some(Yellow)),
                ("31", Some(Orange)),
                ("90", Some(Orange)),
                ("91", Some(Red)),
            ],
        ),
        (
            DebtToAsset,
            &[
                ("69.99", None),
                ("70", None),
                ("70.00", None),
                ("70.01", Some(Yellow)),
                ("80.00", Some(Yellow)),
                ("80.01", Some(Orange)),
                ("90", Some(Orange)),
                ("90.01", Some(Red)),
            ],
        ),
        (
            DebtToAssetRise,
            &[
                ("9.99", None),
                ("10", Some(Yellow)),
                ("10.00", Some(Yellow)),
                ("19.99", Some(Yellow)),
                ("20", Some(Orange)),
                ("29.99", Some(Orange)),
                ("30.00", Some(Red)),
            ],
        ),
        (
            CurrentRatio,
            &[
                ("1.21", None),
                ("1.2", None),
                ("1.20", None),
                ("1.19", Some(Yellow)),
                ("1.0", Some(Yellow)),
                ("0.99", Some(Orange)),
                ("0.8", Some(Orange)),
                ("0.79", Some(Red)),
            ],
        ),
        (
            QuickRatio,
            &[
                ("1.01", None),
                ("1.0", None),
                ("0.99", Some(Yellow)),
                ("0.80", Some(Yellow)),
                ("0.79", Some(Orange)),
                ("0.5", Some(Orange)),
                ("0.49", Some(Red)),
            ],
        ),
        (
            InterestCoverage,
            &[
                ("2.01", None),
                ("2.0", None),
                ("1.99", Some(Yellow)),
                ("1.5", Some(Yellow)),
                ("1.49", Some(Orange)),
                ("1.0", Some(Orange)),
                ("0.99", Some(Red)),
                ("-1", Some(Red)),
            ],
        ),
        (
            RevenueDecline,
            &[
                ("-5", None),
                ("14.99", None),
                ("15", Some(Yellow)),
                ("29.99", Some(Yellow)),
                ("30.00", Some(Orange)),
                ("49.99", Some(Orange)),
                ("50", Some(Red)),
            ],
        ),
        (
            NegativeCashFlow,
            &[
                ("0", None),
                ("1", Some(Yellow)),
                ("2", Some(Orange)),
                ("3", Some(Red)),
                ("4", Some(Red)),
            ],
        ),
        (
            CollateralCoverage,
            &[
                ("70", None),
                ("70.00", None),
                ("70.01", Some(Yellow)),
                ("85", Some(Yellow)),
                ("85.01", Some(Orange)),
                ("100", Some(Orange)),
                ("100.01", Some(Red)),
            ],
        ),
        (
            FundDiversion,
            &[
                ("0", None),
                ("0.01", Some(Orange)),
                ("10", Some(Orange)),
                ("10.00", Some(Orange)),
                ("10.01", Some(Red)),
            ],
        ),
        (
            StatementsLate,
            &[
                ("0", None),
                ("30", None),
                ("31", Some(Yellow)),
                ("60", Some(Yellow)),
                ("61", Some(Orange)),
                ("90", Some(Orange)),
                ("91", Some(Red)),
            ],
        ),
        (
            RepaymentStale,
            &[
                ("0", None),
                ("45", None),
                ("46", Some(Yellow)),
                ("3650", Some(Yellow)),
            ],
        ),
    ];
    assert_eq!(cases.len(), Indicator::ALL.len());
    for (ind, points) in cases {
        for (v, want) in *points {
            let f = facts_for(*ind, d(v));
            assert_eq!(
                val(*ind, &f),
                Value::Known(d(v)),
                "{} value {v}",
                ind.code()
            );
            assert_eq!(lvl(*ind, &f), *want, "{} at {v}", ind.code());
        }
    }
}

#[test]
fn the_hit_carries_the_threshold_of_its_level() {
    let rules = RuleSet::defaults();
    let f = facts_for(Indicator::CurrentRatio, d("0.9"));
    let hit = level(
        rules.rule(Indicator::CurrentRatio),
        &val(Indicator::CurrentRatio, &f),
    );
    assert_eq!(hit, Some((Level::Orange, d("1.0"))));
}

#[test]
fn escalation_follows_a_worsening_value() {
    let mut seen = Vec::new();
    for v in ["60", "75", "85", "95"] {
        seen.push(lvl(
            Indicator::DebtToAsset,
            &facts_for(Indicator::DebtToAsset, d(v)),
        ));
    }
    assert_eq!(
        seen,
        [
            None,
            Some(Level::Yellow),
            Some(Level::Orange),
            Some(Level::Red)
        ]
    );
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (-100_000_000i64..100_000_000, 0u32..4).prop_map(|(n, scale)| Decimal::new(n, scale))
}

fn trigger() -> impl Strategy<Value = Trigger> {
    prop::sample::select(Trigger::ALL.to_vec())
}

proptest! {
    /// A worse value never gives a lower level, for any trigger and any thresholds (even out
    /// of order, as an unvetted covenant could make them).
    #[test]
    fn level_is_monotonic(
        a in decimal(),
        b in decimal(),
        t in trigger(),
        y in prop::option::of(decimal()),
        o in prop::option::of(decimal()),
        r in prop::option::of(decimal()),
        ind in prop::sample::select(Indicator::ALL.to_vec()),
    ) {
        let mut rule = RuleSet::defaults().rule(ind).clone();
        let defaults = rule.clone();
        rule.trigger = t;
        (rule.yellow, rule.orange, rule.red) = (y, o, r);
        for rule in [defaults, rule] {
            let (better, worse) = if rule.trigger.rising() == (a <= b) { (a, b) } else { (b, a) };
            let lb = level(&rule, &Value::Known(better)).map(|h| h.0);
            let lw = level(&rule, &Value::Known(worse)).map(|h| h.0);
            prop_assert!(lw >= lb, "{:?}: {} gives {:?} but worse {} gives {:?}", rule.trigger, better, lb, worse, lw);
        }
    }
}
