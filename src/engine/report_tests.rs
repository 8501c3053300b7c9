//! Tests of the per-loan report: covenants change levels, the baseline is the evaluation's,
//! and the report agrees with `evaluate`.

use super::indicators::evaluate;
use super::indicators_tests::{d, facts, stmt};
use super::report::report;
use super::rules::*;

#[test]
fn a_covenant_changes_the_level_the_report_gives() {
    // Collateral coverage 800000 / 1000000 = 80%: yellow under the defaults (70/85/100).
    let mut f = facts();
    f.collateral_value = Some(d("1000000"));
    let rules = RuleSet::defaults();
    let plain = report(&rules, &[], &f);
    let r = plain.reading(Indicator::CollateralCoverage).unwrap();
    assert_eq!(r.hit, Some((Level::Yellow, d("70"))));
    assert_eq!(r.source, RuleSource::Default);
    let tight = Covenant {
        indicator: Indicator::CollateralCoverage,
        yellow: None,
        orange: None,
        red: Some(d("75")),
    };
    let own = report(&rules, &[tight], &f);
    let r = own.reading(Indicator::CollateralCoverage).unwrap();
    assert_eq!(r.hit, Some((Level::Red, d("75"))));
    assert_eq!(r.source, RuleSource::Covenant);
    let loose = Covenant {
        indicator: Indicator::CollateralCoverage,
        yellow: Some(d("90")),
        orange: Some(d("95")),
        red: Some(d("99")),
    };
    assert_eq!(
        report(&rules, &[loose], &f).level(Indicator::CollateralCoverage),
        None
    );
}

#[test]
fn the_baseline_falls_back_to_the_earliest_statement_as_the_evaluation_does() {
    // Disbursed before any statement: the rise is measured from the earliest one.
    let mut f = facts();
    f.disbursed_on = "2024-06-30".parse().unwrap();
    let mut later = stmt("2025-12-31");
    later.total_liabilities = d("650"); // 65% against 50%: a 15-point rise
    f.statements = vec![stmt("2024-12-31"), later];
    let rep = report(&RuleSet::defaults(), &[], &f);
    assert_eq!(
        rep.baseline.as_ref().map(|s| s.period_end.to_string()),
        Some("2024-12-31".to_string())
    );
    assert_eq!(
        rep.reading(Indicator::DebtToAssetRise).unwrap().hit,
        Some((Level::Yellow, d("10")))
    );
}

#[test]
fn the_report_agrees_with_the_evaluation_for_every_enabled_rule() {
    let mut f = facts();
    f.overdue_days = 45;
    f.collateral_value = Some(d("700000"));
    let rules = RuleSet::defaults();
    let rep = report(&rules, &[], &f);
    for sig in evaluate(&rules, &f) {
        let r = rep.reading(sig.indicator).unwrap();
        assert_eq!(
            (r.value, r.hit),
            (sig.value, sig.hit),
            "{:?}",
            sig.indicator
        );
    }
    assert_eq!(rep.level(Indicator::Dpd), Some(Level::Orange));
    assert_eq!(rep.level(Indicator::CollateralCoverage), Some(Level::Red));
}
