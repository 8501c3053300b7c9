//! Tests of the indicator values: cannot-compute cases, the statement at disbursement, due
//! dates, covenants, history; the helpers here build facts for `levels_tests` too.

use super::indicators::*;
use super::rules::*;
use crate::domain::ratios::KeyRatios;
use crate::domain::records::StatementRecord;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

pub(super) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(super) fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

/// A healthy statement: debt-to-asset 50%, current 2, quick 5/3, coverage 6, cash flow +.
pub(super) fn stmt(period_end: &str) -> StatementRecord {
    StatementRecord {
        borrower_code: "B1".into(),
        period_end: day(period_end),
        total_assets: d("1000"),
        total_liabilities: d("500"),
        current_assets: d("600"),
        current_liabilities: d("300"),
        inventory: d("100"),
        revenue: d("1000"),
        ebit: d("300"),
        interest_expense: d("50"),
        net_profit: d("100"),
        operating_cash_flow: d("100"),
    }
}

pub(super) fn facts() -> LoanFacts {
    LoanFacts {
        as_of: day("2026-04-15"),
        disbursed_on: day("2025-01-10"),
        matures_on: day("2027-01-10"),
        principal: d("1000000"),
        outstanding: d("800000"),
        overdue_days: 0,
        status_as_of: Some(day("2026-03-31")),
        statements: vec![stmt("2024-12-31"), stmt("2025-12-31")],
        collateral_value: Some(d("2000000")),
        prohibited_flows: Decimal::ZERO,
    }
}

pub(super) fn val(ind: Indicator, f: &LoanFacts) -> Value {
    value(ind, f, &Settings::default())
}

pub(super) fn lvl(ind: Indicator, f: &LoanFacts) -> Option<Level> {
    level(RuleSet::defaults().rule(ind), &val(ind, f)).map(|(l, _)| l)
}

/// Facts whose value of `ind` is exactly `v`.
pub(super) fn facts_for(ind: Indicator, v: Decimal) -> LoanFacts {
    let mut f = facts();
    let hundred = Decimal::ONE_HUNDRED;
    let last = f.statements.len() - 1;
    let s = &mut f.statements[last];
    match ind {
        Indicator::Dpd => f.overdue_days = i64::try_from(v.trunc().mantissa()).unwrap(),
        Indicator::DebtToAsset => {
            s.total_assets = hundred;
            s.total_liabilities = v;
        }
        Indicator::DebtToAssetRise => {
            // At disbursement (2024-12-31): 50%.
            s.total_assets = hundred;
            s.total_liabilities = d("50") + v;
        }
        Indicator::CurrentRatio => {
            s.current_liabilities = hundred;
            s.current_assets = v * hundred;
        }
        Indicator::QuickRatio => {
            s.current_liabilities = hundred;
            s.inventory = d("50");
            s.current_assets = v * hundred + d("50");
        }
        Indicator::InterestCoverage => {
            s.interest_expense = hundred;
            s.ebit = v * hundred;
        }
        Indicator::RevenueDecline => {
            f.statements[0].revenue = hundred;
            f.statements[last].revenue = hundred - v;
        }
        Indicator::NegativeCashFlow => {
            let n = usize::try_from(v.trunc().mantissa()).unwrap();
            f.statements = (0..6)
                .map(|i| {
                    let mut s = stmt(
                        [
                            "2024-09-30",
                            "2024-12-31",
                            "2025-03-31",
                            "2025-06-30",
                            "2025-09-30",
                            "2025-12-31",
                        ][i],
                    );
                    if i >= 6 - n {
                        s.operating_cash_flow = d("-1");
                    }
                    s
                })
                .collect();
        }
        Indicator::CollateralCoverage => {
            f.collateral_value = Some(hundred);
            f.outstanding = v;
        }
        Indicator::FundDiversion => {
            f.principal = hundred;
            f.prohibited_flows = v;
        }
        Indicator::StatementsLate => {
            // Latest 2025-12-31: due 2026-03-31 + 30 days = 2026-04-30.
            let days = u64::try_from(v.trunc().mantissa()).unwrap();
            f.as_of = day("2026-04-30") + chrono::Days::new(days);
        }
        Indicator::RepaymentStale => {
            let days = u64::try_from(v.trunc().mantissa()).unwrap();
            f.status_as_of = Some(f.as_of - chrono::Days::new(days));
        }
    }
    f
}

#[test]
fn zero_denominators_cannot_be_computed_and_do_not_hit() {
    let zero = Value::CannotCompute(reason::ZERO_DENOMINATOR);
    let mut f = facts();
    let s = f.statements.last_mut().unwrap();
    s.current_liabilities = Decimal::ZERO;
    s.interest_expense = Decimal::ZERO;
    s.total_assets = Decimal::ZERO;
    for ind in [
        Indicator::CurrentRatio,
        Indicator::QuickRatio,
        Indicator::InterestCoverage,
        Indicator::DebtToAsset,
        Indicator::DebtToAssetRise,
    ] {
        assert_eq!(val(ind, &f), zero, "{}", ind.code());
        assert_eq!(lvl(ind, &f), None);
    }
    let signals = evaluate(&RuleSet::defaults(), &f);
    assert!(
        signals
            .iter()
            .filter(|s| s.value == zero)
            .all(|s| s.hit.is_none())
    );
    // Prior-year revenue zero, collateral worth zero, principal zero.
    let mut f = facts();
    f.statements[0].revenue = Decimal::ZERO;
    f.collateral_value = Some(Decimal::ZERO);
    f.principal = Decimal::ZERO;
    f.prohibited_flows = d("5");
    for ind in [
        Indicator::RevenueDecline,
        Indicator::CollateralCoverage,
        Indicator::FundDiversion,
    ] {
        assert_eq!(val(ind, &f), zero, "{}", ind.code());
    }
}

#[test]
fn no_statements_cannot_be_computed_and_nothing_panics() {
    let mut f = facts();
    f.statements.clear();
    let signals = evaluate(&RuleSet::defaults(), &f);
    assert_eq!(signals.len(), Indicator::ALL.len());
    for s in &signals {
        if s.indicator.is_financial() {
            assert_eq!(s.value, Value::CannotCompute(reason::NO_STATEMENT));
            assert_eq!(s.hit, None);
        }
    }
    assert!(history(Indicator::DebtToAsset, &f).is_empty());
}

#[test]
fn revenue_needs_the_same_period_a_year_earlier() {
    let mut f = facts();
    f.statements[0] = stmt("2025-03-31");
    assert_eq!(
        val(Indicator::RevenueDecline, &f),
        Value::CannotCompute(reason::NO_PRIOR_YEAR)
    );
    // Growth is a negative decline and raises nothing.
    let mut f = facts();
    f.statements[1].revenue = d("1050");
    assert_eq!(val(Indicator::RevenueDecline, &f), Value::Known(d("-5")));
    assert_eq!(lvl(Indicator::RevenueDecline, &f), None);
    // A leap-year month end matches the month end a year earlier.
    let mut f = facts();
    f.statements = vec![stmt("2023-02-28"), stmt("2024-02-29")];
    f.statements[1].revenue = d("400");
    assert_eq!(val(Indicator::RevenueDecline, &f), Value::Known(d("60")));
    // Negative prior revenue means nothing in percent.
    let mut f = facts();
    f.statements[0].revenue = d("-1");
    assert_eq!(
        val(Indicator::RevenueDecline, &f),
        Value::CannotCompute(reason::NEGATIVE_DENOMINATOR)
    );
}

#[test]
fn the_statement_at_disbursement_is_the_latest_not_after_it() {
    let mut f = facts();
    f.disbursed_on = day("2025-07-10");
    f.statements = vec![stmt("2024-12-31"), stmt("2025-06-30"), stmt("2026-03-31")];
    f.statements[0].total_liabilities = d("100");
    f.statements[1].total_liabilities = d("550");
    f.statements[2].total_liabilities = d("750");
    assert_eq!(val(Indicator::DebtToAssetRise, &f), Value::Known(d("20")));
    assert_eq!(lvl(Indicator::DebtToAssetRise, &f), Some(Level::Orange));
    // Disbursed before every statement: the earliest is the base.
    f.disbursed_on = day("2020-01-01");
    assert_eq!(val(Indicator::DebtToAssetRise, &f), Value::Known(d("65")));
}

#[test]
fn collateral_coverage_applies_only_with_collateral() {
    let mut f = facts();
    assert_eq!(
        val(Indicator::CollateralCoverage, &f),
        Value::Known(d("40"))
    );
    f.collateral_value = None;
    assert_eq!(val(Indicator::CollateralCoverage, &f), Value::NotApplicable);
    let s = evaluate(&RuleSet::defaults(), &f);
    let c = s
        .iter()
        .find(|s| s.indicator == Indicator::CollateralCoverage)
        .unwrap();
    assert_eq!((c.value, c.hit), (Value::NotApplicable, None));
}

#[test]
fn fund_diversion_is_orange_on_any_amount_and_red_above_a_tenth() {
    let mut f = facts();
    let rules = RuleSet::defaults();
    let rule = rules.rule(Indicator::FundDiversion);
    let at = |f: &LoanFacts| level(rule, &val(Indicator::FundDiversion, f));
    assert_eq!(at(&f), None);
    f.prohibited_flows = d("1");
    assert_eq!(at(&f), Some((Level::Orange, d("0"))));
    f.prohibited_flows = d("100000");
    assert_eq!(at(&f), Some((Level::Orange, d("0"))));
    f.prohibited_flows = d("100000.01");
    assert_eq!(at(&f), Some((Level::Red, d("10"))));
    // A vanishing share of a vast principal is still above zero.
    f.principal = d("70000000000000000000000000000");
    f.prohibited_flows = d("0.01");
    assert_eq!(at(&f).map(|h| h.0), Some(Level::Orange));
}

#[test]
fn statements_late_counts_from_the_due_date() {
    let mut f = facts();
    f.statements = vec![stmt("2025-12-31"), stmt("2026-03-31")];
    f.as_of = day("2026-09-15");
    // Next statement (period ending 2026-06-30) is due 2026-07-30.
    assert_eq!(val(Indicator::StatementsLate, &f), Value::Known(d("47")));
    assert_eq!(lvl(Indicator::StatementsLate, &f), Some(Level::Yellow));
    f.as_of = day("2026-07-30");
    assert_eq!(val(Indicator::StatementsLate, &f), Value::Known(d("0")));
    f.as_of = day("2026-05-01");
    assert_eq!(val(Indicator::StatementsLate, &f), Value::Known(d("0")));
    // The due days come from the settings.
    f.as_of = day("2026-09-15");
    let late = value(
        Indicator::StatementsLate,
        &f,
        &Settings {
            statement_due_days: 45,
            ..Settings::default()
        },
    );
    assert_eq!(late, Value::Known(d("32")));
    // A period end that is not a quarter end: the quarter after its own.
    f.statements = vec![stmt("2025-11-15")];
    f.as_of = day("2026-05-01");
    assert_eq!(val(Indicator::StatementsLate, &f), Value::Known(d("1")));
    // No statement: disbursement + one quarter + due days (2026-01-15 → 2026-05-15).
    f.statements.clear();
    f.disbursed_on = day("2026-01-15");
    f.as_of = day("2026-07-01");
    assert_eq!(val(Indicator::StatementsLate, &f), Value::Known(d("47")));
}

#[test]
fn covenants_win_and_are_reported_as_such() {
    let f = facts_for(Indicator::DebtToAsset, d("75"));
    let base = RuleSet::defaults();
    let s = evaluate(&base, &f);
    let dta = s
        .iter()
        .find(|s| s.indicator == Indicator::DebtToAsset)
        .unwrap();
    assert_eq!(
        (dta.hit, dta.source),
        (Some((Level::Yellow, d("70"))), RuleSource::Default)
    );
    let loan = base.with_covenants(&[Covenant {
        indicator: Indicator::DebtToAsset,
        yellow: Some(d("60")),
        orange: Some(d("72")),
        red: None,
    }]);
    let s = evaluate(&loan, &f);
    let dta = s
        .iter()
        .find(|s| s.indicator == Indicator::DebtToAsset)
        .unwrap();
    assert_eq!(dta.hit, Some((Level::Orange, d("72"))));
    assert_eq!(dta.source, RuleSource::Covenant);
    assert_eq!(dta.risk_type, RiskType::Credit);
}

#[test]
fn a_disabled_rule_gives_no_signal() {
    let layer: toml::Table = toml::from_str("[warnings.dpd]\nenabled = false\n").unwrap();
    let defaults: toml::Table = toml::from_str(crate::config::DEFAULT_TOML).unwrap();
    let rules = RuleSet::from_layers(&defaults, &[(RuleSource::User, "u.toml", &layer)]).unwrap();
    let mut f = facts();
    f.overdue_days = 120;
    let s = evaluate(&rules, &f);
    assert_eq!(s.len(), Indicator::ALL.len() - 1);
    assert!(s.iter().all(|s| s.indicator != Indicator::Dpd));
    assert_eq!(
        level(rules.rule(Indicator::Dpd), &val(Indicator::Dpd, &f)),
        None
    );
    // Enabled, the same loan is red.
    let s = evaluate(&RuleSet::defaults(), &f);
    let dpd = s.iter().find(|s| s.indicator == Indicator::Dpd).unwrap();
    assert_eq!(dpd.hit, Some((Level::Red, d("90"))));
}

#[test]
fn a_healthy_loan_signals_back_to_normal_everywhere() {
    let s = evaluate(&RuleSet::defaults(), &facts());
    assert_eq!(s.len(), Indicator::ALL.len());
    assert!(s.iter().all(|s| s.hit.is_none()), "{s:?}");
    assert!(
        s.iter().all(|s| matches!(s.value, Value::Known(_))),
        "{s:?}"
    );
}

#[test]
fn ratios_agree_with_key_ratios() {
    let s = stmt("2025-12-31");
    let k = KeyRatios::of(&s);
    let f = facts();
    let pct = |r: Option<Decimal>| Value::Known(r.unwrap() * Decimal::ONE_HUNDRED);
    assert_eq!(val(Indicator::DebtToAsset, &f), pct(k.debt_to_asset));
    assert_eq!(
        val(Indicator::CurrentRatio, &f),
        Value::Known(k.current.unwrap())
    );
    assert_eq!(
        val(Indicator::QuickRatio, &f),
        Value::Known(k.quick.unwrap())
    );
    assert_eq!(
        val(Indicator::InterestCoverage, &f),
        Value::Known(k.interest_coverage.unwrap())
    );
}

#[test]
fn absurd_figures_overflow_instead_of_panicking() {
    let mut f = facts();
    let s = f.statements.last_mut().unwrap();
    s.current_assets = Decimal::MAX;
    s.inventory = Decimal::MIN;
    s.total_liabilities = Decimal::MAX;
    s.total_assets = d("0.0000001");
    assert_eq!(
        val(Indicator::QuickRatio, &f),
        Value::CannotCompute(reason::OVERFLOW)
    );
    assert_eq!(
        val(Indicator::DebtToAsset, &f),
        Value::CannotCompute(reason::OVERFLOW)
    );
    f.as_of = NaiveDate::MAX;
    f.statements.last_mut().unwrap().period_end = NaiveDate::MAX;
    assert_eq!(
        val(Indicator::StatementsLate, &f),
        Value::CannotCompute(reason::BAD_DATE)
    );
    assert_eq!(
        evaluate(&RuleSet::defaults(), &f).len(),
        Indicator::ALL.len()
    );
}

#[test]
fn history_gives_one_value_per_period() {
    let mut f = facts();
    f.disbursed_on = day("2025-01-10");
    f.statements = vec![
        stmt("2024-06-30"),
        stmt("2024-12-31"),
        stmt("2025-06-30"),
        stmt("2025-12-31"),
    ];
    f.statements[0].total_liabilities = d("400");
    f.statements[2].total_liabilities = d("650");
    f.statements[2].operating_cash_flow = d("-1");
    f.statements[3].total_liabilities = d("800");
    f.statements[3].operating_cash_flow = d("-1");
    let dta: Vec<_> = history(Indicator::DebtToAsset, &f)
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(dta, ["40", "50", "65", "80"].map(|v| Value::Known(d(v))));
    let rise = history(Indicator::DebtToAssetRise, &f);
    assert_eq!(rise[0], (day("2024-06-30"), Value::NotApplicable));
    assert_eq!(rise[3], (day("2025-12-31"), Value::Known(d("30"))));
    let ocf: Vec<_> = history(Indicator::NegativeCashFlow, &f)
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(ocf, ["0", "0", "1", "2"].map(|v| Value::Known(d(v))));
    let rev = history(Indicator::RevenueDecline, &f);
    assert_eq!(rev[1].1, Value::CannotCompute(reason::NO_PRIOR_YEAR));
    assert_eq!(rev[3].1, Value::Known(d("0")));
    assert!(history(Indicator::Dpd, &f).is_empty());
    assert!(history(Indicator::StatementsLate, &f).is_empty());
}

#[test]
fn a_matured_loan_with_a_balance_is_past_due_since_maturity() {
    let mut f = facts();
    f.matures_on = day("2024-01-15");
    f.as_of = day("2024-06-30");
    f.outstanding = d("1000000.00");
    f.overdue_days = 0;
    f.status_as_of = Some(day("2023-12-31"));
    // 2024-01-15 to 2024-06-30: 167 days, whatever the old status said.
    assert_eq!(val(Indicator::Dpd, &f), Value::Known(d("167")));
    assert_eq!(lvl(Indicator::Dpd, &f), Some(Level::Red));
    // A status further behind than the maturity counts as it is.
    f.overdue_days = 200;
    assert_eq!(val(Indicator::Dpd, &f), Value::Known(d("200")));
    // On the maturity date, and with nothing left to pay, maturity adds nothing.
    f.overdue_days = 0;
    f.as_of = day("2024-01-15");
    assert_eq!(val(Indicator::Dpd, &f), Value::Known(d("0")));
    f.as_of = day("2024-06-30");
    f.outstanding = Decimal::ZERO;
    assert_eq!(val(Indicator::Dpd, &f), Value::Known(d("0")));
}

#[test]
fn repayment_data_age_is_days_since_the_latest_status_or_disbursement() {
    let mut f = facts();
    f.as_of = day("2024-06-30");
    f.disbursed_on = day("2023-06-01");
    f.status_as_of = Some(day("2023-12-31"));
    assert_eq!(val(Indicator::RepaymentStale, &f), Value::Known(d("182")));
    assert_eq!(lvl(Indicator::RepaymentStale, &f), Some(Level::Yellow));
    f.status_as_of = Some(day("2024-05-16"));
    assert_eq!(val(Indicator::RepaymentStale, &f), Value::Known(d("45")));
    assert_eq!(lvl(Indicator::RepaymentStale, &f), None);
    // No status at all: counted from disbursement.
    f.status_as_of = None;
    assert_eq!(val(Indicator::RepaymentStale, &f), Value::Known(d("395")));
    f.disbursed_on = day("2024-06-01");
    assert_eq!(val(Indicator::RepaymentStale, &f), Value::Known(d("29")));
    assert_eq!(lvl(Indicator::RepaymentStale, &f), None);
}
