//! Tests of the warning rules: the built-in defaults, layering with sources, covenants, and
//! rule-file errors that name the file and the full key.

use super::rules::*;
use crate::config::{Config, DEFAULT_TOML};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn table(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

fn defaults_table() -> toml::Table {
    table(DEFAULT_TOML)
}

fn with_layer(source: RuleSource, file: &str, text: &str) -> Result<RuleSet, RuleError> {
    let layer = table(text);
    RuleSet::from_layers(&defaults_table(), &[(source, file, &layer)])
}

fn user_error(text: &str) -> RuleError {
    with_layer(
        RuleSource::User,
        "/home/u/.config/postloan/config.toml",
        text,
    )
    .unwrap_err()
}

#[test]
fn defaults_define_every_rule_from_the_table() {
    let rules = RuleSet::defaults();
    assert_eq!(rules.rules().len(), Indicator::ALL.len());
    for (i, ind) in Indicator::ALL.into_iter().enumerate() {
        let r = rules.rule(ind);
        assert_eq!(r.indicator, ind);
        assert_eq!(rules.rules()[i].indicator, ind);
        assert!(r.enabled, "{}", ind.code());
        assert_eq!(r.source, RuleSource::Default);
        assert!(!r.description.is_empty());
        assert!(r.check_order().is_ok());
    }
    let expect = [
        (Indicator::Dpd, Trigger::Gt, Some("7"), "30", "90"),
        (Indicator::DebtToAsset, Trigger::Gt, Some("70"), "80", "90"),
        (
            Indicator::DebtToAssetRise,
            Trigger::Ge,
            Some("10"),
            "20",
            "30",
        ),
        (
            Indicator::CurrentRatio,
            Trigger::Lt,
            Some("1.2"),
            "1.0",
            "0.8",
        ),
        (
            Indicator::QuickRatio,
            Trigger::Lt,
            Some("1.0"),
            "0.8",
            "0.5",
        ),
        (
            Indicator::InterestCoverage,
            Trigger::Lt,
            Some("2.0"),
            "1.5",
            "1.0",
        ),
        (
            Indicator::RevenueDecline,
            Trigger::Ge,
            Some("15"),
            "30",
            "50",
        ),
        (
            Indicator::NegativeCashFlow,
            Trigger::Ge,
            Some("1"),
            "2",
            "3",
        ),
        (
            Indicator::CollateralCoverage,
            Trigger::Gt,
            Some("70"),
            "85",
            "100",
        ),
        (Indicator::FundDiversion, Trigger::Gt, None, "0", "10"),
        (
            Indicator::StatementsLate,
            Trigger::Gt,
            Some("30"),
            "60",
            "90",
        ),
    ];
    for (ind, trigger, yellow, orange, red) in expect {
        let r = rules.rule(ind);
        assert_eq!(r.trigger, trigger, "{}", ind.code());
        assert_eq!(r.yellow, yellow.map(d), "{}", ind.code());
        assert_eq!(r.orange, Some(d(orange)), "{}", ind.code());
        assert_eq!(r.red, Some(d(red)), "{}", ind.code());
    }
    let stale = rules.rule(Indicator::RepaymentStale);
    assert_eq!(
        (stale.trigger, stale.yellow, stale.orange, stale.red),
        (Trigger::Gt, Some(d("45")), None, None)
    );
    assert_eq!(stale.risk_type, RiskType::Operational);
    assert_eq!(stale.unit, Unit::Days);
    assert_eq!(rules.settings().statement_due_days, 30);
    assert_eq!(
        rules.rule(Indicator::CollateralCoverage).unit,
        Unit::Percent
    );
    assert_eq!(rules.rule(Indicator::FundDiversion).unit, Unit::AmountShare);
    assert_eq!(
        rules.rule(Indicator::CollateralCoverage).risk_type,
        RiskType::Market
    );
}

#[test]
fn the_config_still_loads_with_the_warnings_section() {
    let c: Config = toml::from_str(DEFAULT_TOML).unwrap();
    assert!(c.warnings.contains_key("debt_to_asset"));
    assert_eq!(c.tracking.due_soon_days, 7);
    assert!(Config::defaults().warnings.contains_key("dpd"));
}

#[test]
fn a_layer_may_change_one_field_and_takes_the_source() {
    let rules = with_layer(
        RuleSource::User,
        "user.toml",
        "[warnings.current_ratio]\norange = \"0.9\"\n",
    )
    .unwrap();
    let r = rules.rule(Indicator::CurrentRatio);
    assert_eq!(r.orange, Some(d("0.9")));
    assert_eq!(r.yellow, Some(d("1.2")));
    assert_eq!(r.red, Some(d("0.8")));
    assert_eq!(r.source, RuleSource::User);
    assert_eq!(
        rules.rule(Indicator::QuickRatio).source,
        RuleSource::Default
    );
}

#[test]
fn a_layer_may_disable_a_rule_and_later_layers_win() {
    let site =
        table("[warnings.dpd]\nenabled = false\n[warnings.current_ratio]\norange = \"0.9\"\n");
    let user =
        table("[warnings.current_ratio]\norange = \"0.95\"\n[warnings]\nstatement_due_days = 45\n");
    let rules = RuleSet::from_layers(
        &defaults_table(),
        &[
            (RuleSource::Site, "/etc/postloan/config.toml", &site),
            (RuleSource::User, "user.toml", &user),
        ],
    )
    .unwrap();
    assert!(!rules.rule(Indicator::Dpd).enabled);
    assert_eq!(rules.rule(Indicator::Dpd).source, RuleSource::Site);
    assert_eq!(rules.rule(Indicator::CurrentRatio).orange, Some(d("0.95")));
    assert_eq!(rules.rule(Indicator::CurrentRatio).source, RuleSource::User);
    assert_eq!(rules.settings().statement_due_days, 45);
}

#[test]
fn an_empty_indicator_table_changes_nothing_and_keeps_the_source() {
    let rules = with_layer(RuleSource::Site, "s.toml", "[warnings.dpd]\n").unwrap();
    assert_eq!(rules.rule(Indicator::Dpd).source, RuleSource::Default);
    assert_eq!(rules, RuleSet::defaults());
}

#[test]
fn whole_numbers_are_accepted_and_empty_strings_remove_a_level() {
    let rules = with_layer(
        RuleSource::User,
        "u.toml",
        "[warnings.dpd]\nyellow = 10\n[warnings.debt_to_asset]\nyellow = \"\"\n",
    )
    .unwrap();
    assert_eq!(rules.rule(Indicator::Dpd).yellow, Some(d("10")));
    assert_eq!(rules.rule(Indicator::DebtToAsset).yellow, None);
    assert_eq!(rules.rule(Indicator::DebtToAsset).orange, Some(d("80")));
}

#[test]
fn a_disabled_rule_may_have_no_threshold() {
    let rules = with_layer(
        RuleSource::User,
        "u.toml",
        "[warnings.fund_diversion]\nenabled = false\norange = \"\"\nred = \"\"\n",
    )
    .unwrap();
    assert!(!rules.rule(Indicator::FundDiversion).enabled);
}

#[test]
fn bad_threshold_names_file_and_key() {
    let e = user_error("[warnings.current_ratio]\norange = \"abc\"\n");
    assert_eq!(e.file, "/home/u/.config/postloan/config.toml");
    assert_eq!(e.key, "warnings.current_ratio.orange");
    assert_eq!(e.kind, RuleErrorKind::NotADecimal("abc".into()));
    let shown = e.to_string();
    assert!(
        shown.starts_with("/home/u/.config/postloan/config.toml: warnings.current_ratio.orange: "),
        "{shown}"
    );
    assert!(shown.contains("abc"), "{shown}");
}

#[test]
fn float_thresholds_are_refused() {
    let e = user_error("[warnings.current_ratio]\norange = 0.9\n");
    assert_eq!(e.key, "warnings.current_ratio.orange");
    assert_eq!(e.kind, RuleErrorKind::FloatThreshold);
}

#[test]
fn unknown_trigger_unit_and_risk_type_are_refused() {
    let e = user_error("[warnings.dpd]\ntrigger = \"!\"\n");
    assert_eq!(e.key, "warnings.dpd.trigger");
    assert!(matches!(e.kind, RuleErrorKind::UnknownValue { ref given, .. } if given == "!"));
    assert!(e.to_string().contains("\">=\""), "{e}");
    let e = user_error("[warnings.dpd]\nunit = \"furlongs\"\n");
    assert_eq!(e.key, "warnings.dpd.unit");
    assert!(matches!(e.kind, RuleErrorKind::UnknownValue { .. }));
    let e = user_error("[warnings.dpd]\nrisk_type = \"weather\"\n");
    assert_eq!(e.key, "warnings.dpd.risk_type");
    assert!(e.to_string().contains("credit, market, operational"), "{e}");
}

#[test]
fn unknown_indicator_field_and_setting_are_refused() {
    let e = user_error("[warnings.debt_ratio]\nred = \"90\"\n");
    assert_eq!(e.key, "warnings.debt_ratio");
    assert_eq!(e.kind, RuleErrorKind::UnknownIndicator);
    assert!(e.to_string().contains("debt_to_asset"), "{e}");
    let e = user_error("[warnings.dpd]\ncolour = \"red\"\n");
    assert_eq!(e.key, "warnings.dpd.colour");
    assert_eq!(e.kind, RuleErrorKind::UnknownField);
    let e = user_error("[warnings]\nstatement_due = 30\n");
    assert_eq!(e.key, "warnings.statement_due");
    assert_eq!(e.kind, RuleErrorKind::UnknownSetting);
}

#[test]
fn wrong_types_are_refused() {
    let e = user_error("[warnings.dpd]\nenabled = \"yes\"\n");
    assert_eq!(e.key, "warnings.dpd.enabled");
    assert!(matches!(e.kind, RuleErrorKind::WrongType(_)));
    let e = user_error("[warnings.dpd]\nred = true\n");
    assert_eq!(e.key, "warnings.dpd.red");
    let e = user_error("[warnings]\nstatement_due_days = -1\n");
    assert_eq!(e.key, "warnings.statement_due_days");
    assert!(matches!(e.kind, RuleErrorKind::OutOfRange { .. }));
    let e = user_error("warnings = 5\n");
    assert_eq!(e.key, "warnings");
    assert_eq!(e.kind, RuleErrorKind::NotATable);
    let e = user_error("[warnings]\ndpd = 7\n");
    assert_eq!(e.key, "warnings.dpd");
    assert_eq!(e.kind, RuleErrorKind::NotATable);
}

#[test]
fn thresholds_out_of_order_are_refused_naming_the_key_written() {
    // Falling trigger: orange above yellow.
    let e = user_error("[warnings.current_ratio]\norange = \"1.3\"\n");
    assert_eq!(e.key, "warnings.current_ratio.orange");
    assert!(matches!(
        e.kind,
        RuleErrorKind::NotMonotonic {
            lower: Level::Yellow,
            higher: Level::Orange,
            ..
        }
    ));
    assert!(e.to_string().contains("yellow >= orange >= red"), "{e}");
    // Rising trigger: the layer wrote yellow, so yellow is named.
    let e = user_error("[warnings.dpd]\nyellow = \"40\"\n");
    assert_eq!(e.key, "warnings.dpd.yellow");
    assert!(e.to_string().contains("yellow <= orange <= red"), "{e}");
    // Omitted levels are skipped: yellow against red.
    let e = user_error("[warnings.collateral_coverage]\norange = \"\"\nyellow = \"120\"\n");
    assert_eq!(e.key, "warnings.collateral_coverage.yellow");
    // Turning the trigger round without new thresholds.
    let e = user_error("[warnings.debt_to_asset]\ntrigger = \"<\"\n");
    assert_eq!(e.key, "warnings.debt_to_asset.orange");
    // Equal thresholds are in order.
    assert!(with_layer(RuleSource::User, "u", "[warnings.dpd]\nyellow = \"30\"\n").is_ok());
}

#[test]
fn an_enabled_rule_needs_a_threshold() {
    let e = user_error("[warnings.fund_diversion]\norange = \"\"\nred = \"\"\n");
    assert_eq!(e.key, "warnings.fund_diversion");
    assert_eq!(e.kind, RuleErrorKind::NoThreshold);
}

#[test]
fn the_defaults_must_be_complete() {
    fn without(indicator: &str, field: Option<&str>) -> toml::Table {
        let mut t = defaults_table();
        if let Some(toml::Value::Table(w)) = t.get_mut("warnings") {
            match field {
                None => {
                    w.remove(indicator);
                }
                Some(f) => {
                    if let Some(toml::Value::Table(i)) = w.get_mut(indicator) {
                        i.remove(f);
                    }
                }
            }
        }
        t
    }
    let e = RuleSet::from_layers(&without("dpd", Some("trigger")), &[]).unwrap_err();
    assert_eq!(e.file, DEFAULTS_FILE);
    assert_eq!(e.key, "warnings.dpd.trigger");
    assert_eq!(e.kind, RuleErrorKind::Missing);
    let e = RuleSet::from_layers(&without("quick_ratio", Some("description")), &[]).unwrap_err();
    assert_eq!(e.key, "warnings.quick_ratio.description");
    let e = RuleSet::from_layers(&without("quick_ratio", None), &[]).unwrap_err();
    assert_eq!(e.key, "warnings.quick_ratio");
    assert_eq!(
        e.to_string(),
        "(built-in defaults): warnings.quick_ratio: missing (the built-in defaults must define it)"
    );
}

#[test]
fn covenants_override_levels_enable_the_rule_and_mark_the_source() {
    let base = with_layer(
        RuleSource::User,
        "u.toml",
        "[warnings.current_ratio]\nenabled = false\n",
    )
    .unwrap();
    let cov = [
        Covenant {
            indicator: Indicator::DebtToAsset,
            yellow: None,
            orange: Some(d("75")),
            red: None,
        },
        Covenant {
            indicator: Indicator::CurrentRatio,
            yellow: None,
            orange: None,
            red: Some(d("1.1")),
        },
        Covenant {
            indicator: Indicator::QuickRatio,
            yellow: None,
            orange: None,
            red: None,
        },
    ];
    let loan = base.with_covenants(&cov);
    let r = loan.rule(Indicator::DebtToAsset);
    assert_eq!(
        (r.yellow, r.orange, r.red),
        (Some(d("70")), Some(d("75")), Some(d("90")))
    );
    assert_eq!(r.source, RuleSource::Covenant);
    let c = loan.rule(Indicator::CurrentRatio);
    assert!(c.enabled);
    assert_eq!(c.red, Some(d("1.1")));
    assert_eq!(c.source, RuleSource::Covenant);
    // An empty covenant changes nothing; the bank-wide rules are untouched.
    assert_eq!(
        loan.rule(Indicator::QuickRatio),
        base.rule(Indicator::QuickRatio)
    );
    assert_eq!(base.rule(Indicator::DebtToAsset).orange, Some(d("80")));
    assert_eq!(
        base.rule(Indicator::DebtToAsset).source,
        RuleSource::Default
    );
    // A covenant out of order can be vetted with check_order.
    let odd = base.with_covenants(&[Covenant {
        indicator: Indicator::DebtToAsset,
        yellow: Some(d("95")),
        orange: None,
        red: None,
    }]);
    assert!(odd.rule(Indicator::DebtToAsset).check_order().is_err());
}

#[test]
fn codes_round_trip_and_levels_are_ordered() {
    for i in Indicator::ALL {
        assert_eq!(Indicator::parse(i.code()), Some(i));
        assert!(!i.zh().is_empty());
    }
    for l in Level::ALL {
        assert_eq!(Level::parse(l.code()), Some(l));
    }
    for r in RiskType::ALL {
        assert_eq!(RiskType::parse(r.code()), Some(r));
    }
    for t in Trigger::ALL {
        assert_eq!(Trigger::parse(t.code()), Some(t));
    }
    for u in Unit::ALL {
        assert_eq!(Unit::parse(u.code()), Some(u));
    }
    assert!(Level::Yellow < Level::Orange && Level::Orange < Level::Red);
    assert_eq!(Level::Red.zh(), "红色");
    assert_eq!(RiskType::Operational.zh(), "操作");
    assert_eq!(RuleSource::Covenant.code(), "covenant");
    assert_eq!(Indicator::parse("DPD"), None);
    assert_eq!(Trigger::parse("=>"), None);
}

#[test]
fn evaluation_date_spans_are_settings_checked_like_the_others() {
    let defaults = RuleSet::defaults();
    assert_eq!(defaults.settings().evaluate_days_ahead, 0);
    assert_eq!(defaults.settings().evaluate_days_back, 1826);
    let rules = with_layer(
        RuleSource::Site,
        "s.toml",
        "[warnings]\nevaluate_days_ahead = 3\nevaluate_days_back = 400\n",
    )
    .unwrap();
    assert_eq!(rules.settings().evaluate_days_ahead, 3);
    assert_eq!(rules.settings().evaluate_days_back, 400);
    let e = user_error("[warnings]\nevaluate_days_ahead = \"31\"\n");
    assert_eq!(e.key, "warnings.evaluate_days_ahead");
    assert!(matches!(e.kind, RuleErrorKind::WrongType(_)));
    let e = user_error("[warnings]\nevaluate_days_back = -1\n");
    assert_eq!(e.key, "warnings.evaluate_days_back");
    assert!(matches!(e.kind, RuleErrorKind::OutOfRange { .. }));
}
