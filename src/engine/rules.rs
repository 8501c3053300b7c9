//! Early-warning rules as data: the `[warnings]` tables of the configuration layers, merged
//! and validated (every error names file, key and reason), then overridden by loan covenants.

pub use super::kinds::{Indicator, Level, RiskType, RuleSource, Trigger, Unit};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::OnceLock;

/// File name used in errors about the compiled-in `config/default.toml`.
pub const DEFAULTS_FILE: &str = "(built-in defaults)";

/// One indicator's rule in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub indicator: Indicator,
    pub enabled: bool,
    pub description: String,
    pub risk_type: RiskType,
    pub trigger: Trigger,
    pub unit: Unit,
    pub yellow: Option<Decimal>,
    pub orange: Option<Decimal>,
    pub red: Option<Decimal>,
    pub source: RuleSource,
}

impl Rule {
    pub fn threshold(&self, level: Level) -> Option<Decimal> {
        match level {
            Level::Yellow => self.yellow,
            Level::Orange => self.orange,
            Level::Red => self.red,
        }
    }

    fn threshold_mut(&mut self, level: Level) -> &mut Option<Decimal> {
        match level {
            Level::Yellow => &mut self.yellow,
            Level::Orange => &mut self.orange,
            Level::Red => &mut self.red,
        }
    }

    /// Checks that the thresholds present run in the trigger's direction (for `>`/`>=`
    /// yellow <= orange <= red, for `<`/`<=` yellow >= orange >= red). On error, the level
    /// [`RuleErrorKind::NotMonotonic`] naming the pair out of order. Use it to vet covenants.
    pub fn check_order(&self) -> Result<(), RuleErrorKind> {
        let mut previous: Option<(Level, Decimal)> = None;
        for level in Level::ALL {
            let Some(t) = self.threshold(level) else {
                continue;
            };
            if let Some((pl, pt)) = previous {
                let in_order = if self.trigger.rising() {
                    pt <= t
                } else {
                    pt >= t
                };
                if !in_order {
                    return Err(RuleErrorKind::NotMonotonic {
                        lower: pl,
                        lower_value: pt,
                        higher: level,
                        higher_value: t,
                        trigger: self.trigger,
                    });
                }
            }
            previous = Some((level, t));
        }
        Ok(())
    }

    fn placeholder(indicator: Indicator) -> Rule {
        Rule {
            indicator,
            enabled: false,
            description: String::new(),
            risk_type: RiskType::Credit,
            trigger: Trigger::Gt,
            unit: Unit::Ratio,
            yellow: None,
            orange: None,
            red: None,
            source: RuleSource::Default,
        }
    }
}

/// Engine settings under `[warnings]` that are not an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// A statement is due this many days after the end of the quarter following its period.
    pub statement_due_days: u32,
    /// `evaluate --as-of` may be at most this many days after today without `--force`.
    pub evaluate_days_ahead: u32,
    /// `evaluate --as-of` may be at most this many days before today without `--force`.
    pub evaluate_days_back: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            statement_due_days: 30,
            evaluate_days_ahead: 0,
            evaluate_days_back: 1826,
        }
    }
}

/// A loan contract's own thresholds for one indicator; a `Some` level replaces the rule's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covenant {
    pub indicator: Indicator,
    pub yellow: Option<Decimal>,
    pub orange: Option<Decimal>,
    pub red: Option<Decimal>,
}

/// Why a rule file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleErrorKind {
    #[error("must be a table")]
    NotATable,
    #[error("unknown indicator (known: {})", known_indicators())]
    UnknownIndicator,
    #[error(
        "unknown field (known: enabled, description, risk_type, trigger, unit, yellow, orange, red)"
    )]
    UnknownField,
    #[error(
        "unknown setting (known: statement_due_days, evaluate_days_ahead, evaluate_days_back and one table per indicator)"
    )]
    UnknownSetting,
    #[error("must be {0}")]
    WrongType(&'static str),
    #[error("{0:?} is not a decimal")]
    NotADecimal(String),
    #[error("write thresholds as quoted decimals, e.g. \"0.9\" (floats are inexact)")]
    FloatThreshold,
    #[error("{given:?} is not one of {allowed}")]
    UnknownValue {
        given: String,
        allowed: &'static str,
    },
    #[error("must be between 0 and {max}")]
    OutOfRange { max: i64 },
    #[error("missing (the built-in defaults must define it)")]
    Missing,
    #[error(
        "{} {lower_value} and {} {higher_value} are out of order for trigger \"{}\" (need {})",
        lower.code(), higher.code(), trigger.code(),
        if trigger.rising() { "yellow <= orange <= red" } else { "yellow >= orange >= red" }
    )]
    NotMonotonic {
        lower: Level,
        lower_value: Decimal,
        higher: Level,
        higher_value: Decimal,
        trigger: Trigger,
    },
    #[error("an enabled rule needs at least one of yellow, orange, red")]
    NoThreshold,
}

fn known_indicators() -> String {
    Indicator::ALL.map(Indicator::code).join(", ")
}

/// A refused rule: which file, which key (e.g. `warnings.current_ratio.orange`), why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {key}: {kind}")]
pub struct RuleError {
    pub file: String,
    pub key: String,
    pub kind: RuleErrorKind,
}

fn err(file: &str, key: String, kind: RuleErrorKind) -> RuleError {
    RuleError {
        file: file.to_string(),
        key,
        kind,
    }
}

/// What one layer says about one indicator; `None` fields are left as they are.
#[derive(Debug, Default)]
struct Patch {
    enabled: Option<bool>,
    description: Option<String>,
    risk_type: Option<RiskType>,
    trigger: Option<Trigger>,
    unit: Option<Unit>,
    /// Per level (yellow, orange, red): `Some(None)` removes the level.
    levels: [Option<Option<Decimal>>; 3],
}

impl Patch {
    fn is_empty(&self) -> bool {
        self.enabled.is_none()
            && self.description.is_none()
            && self.risk_type.is_none()
            && self.trigger.is_none()
            && self.unit.is_none()
            && self.levels.iter().all(Option::is_none)
    }

    fn apply(self, rule: &mut Rule) {
        if let Some(e) = self.enabled {
            rule.enabled = e;
        }
        if let Some(d) = self.description {
            rule.description = d;
        }
        if let Some(r) = self.risk_type {
            rule.risk_type = r;
        }
        if let Some(t) = self.trigger {
            rule.trigger = t;
        }
        if let Some(u) = self.unit {
            rule.unit = u;
        }
        for (level, value) in Level::ALL.into_iter().zip(self.levels) {
            if let Some(v) = value {
                *rule.threshold_mut(level) = v;
            }
        }
    }
}

#[derive(Debug, Default)]
struct Layer {
    statement_due_days: Option<u32>,
    evaluate_days_ahead: Option<u32>,
    evaluate_days_back: Option<u32>,
    patches: [Option<Patch>; Indicator::ALL.len()],
}

impl Layer {
    /// Replaces the settings this layer sets.
    fn apply_settings(&self, settings: &mut Settings) {
        if let Some(d) = self.statement_due_days {
            settings.statement_due_days = d;
        }
        if let Some(d) = self.evaluate_days_ahead {
            settings.evaluate_days_ahead = d;
        }
        if let Some(d) = self.evaluate_days_back {
            settings.evaluate_days_back = d;
        }
    }
}

const MAX_DUE_DAYS: i64 = 3650;

fn parse_layer(file: &str, whole: &toml::Table) -> Result<Layer, RuleError> {
    let mut layer = Layer::default();
    let Some(w) = whole.get("warnings") else {
        return Ok(layer);
    };
    let toml::Value::Table(w) = w else {
        return Err(err(file, "warnings".into(), RuleErrorKind::NotATable));
    };
    for (k, v) in w {
        let key = format!("warnings.{k}");
        let slot = match k.as_str() {
            "statement_due_days" => Some(&mut layer.statement_due_days),
            "evaluate_days_ahead" => Some(&mut layer.evaluate_days_ahead),
            "evaluate_days_back" => Some(&mut layer.evaluate_days_back),
            _ => None,
        };
        if let Some(slot) = slot {
            let toml::Value::Integer(n) = v else {
                return Err(err(file, key, RuleErrorKind::WrongType("a whole number")));
            };
            let days = u32::try_from(*n)
                .ok()
                .filter(|d| i64::from(*d) <= MAX_DUE_DAYS)
                .ok_or(err(
                    file,
                    key,
                    RuleErrorKind::OutOfRange { max: MAX_DUE_DAYS },
                ))?;
            *slot = Some(days);
        } else if let Some(ind) = Indicator::parse(k) {
            let toml::Value::Table(t) = v else {
                return Err(err(file, key, RuleErrorKind::NotATable));
            };
            layer.patches[ind.index()] = Some(parse_patch(file, ind, t)?);
        } else if v.is_table() {
            return Err(err(file, key, RuleErrorKind::UnknownIndicator));
        } else {
            return Err(err(file, key, RuleErrorKind::UnknownSetting));
        }
    }
    Ok(layer)
}

fn parse_patch(file: &str, ind: Indicator, t: &toml::Table) -> Result<Patch, RuleError> {
    let mut p = Patch::default();
    for (k, v) in t {
        let key = || format!("warnings.{}.{k}", ind.code());
        let text = |v: &toml::Value| match v {
            toml::Value::String(s) => Ok(s.clone()),
            _ => Err(err(file, key(), RuleErrorKind::WrongType("a string"))),
        };
        let pick = |allowed: &'static str, given: &str| {
            err(
                file,
                key(),
                RuleErrorKind::UnknownValue {
                    given: given.to_string(),
                    allowed,
                },
            )
        };
        match k.as_str() {
            "enabled" => {
                let toml::Value::Boolean(b) = v else {
                    return Err(err(file, key(), RuleErrorKind::WrongType("true or false")));
                };
                p.enabled = Some(*b);
            }
            "description" => p.description = Some(text(v)?),
            "risk_type" => {
                let s = text(v)?;
                let r =
                    RiskType::parse(&s).ok_or_else(|| pick("credit, market, operational", &s))?;
                p.risk_type = Some(r);
            }
            "trigger" => {
                let s = text(v)?;
                let t = Trigger::parse(&s).ok_or_else(|| pick(r#"">", ">=", "<", "<=""#, &s))?;
                p.trigger = Some(t);
            }
            "unit" => {
                let s = text(v)?;
                let u = Unit::parse(&s).ok_or_else(|| {
                    pick("percent, points, ratio, days, periods, amount_share", &s)
                })?;
                p.unit = Some(u);
            }
            other => match Level::parse(other) {
                Some(level) => {
                    let t = threshold(v).map_err(|kind| err(file, key(), kind))?;
                    p.levels[level as usize] = Some(t);
                }
                None => return Err(err(file, key(), RuleErrorKind::UnknownField)),
            },
        }
    }
    Ok(p)
}

/// A threshold: a quoted decimal (`""` removes the level) or a whole number; never a float.
fn threshold(v: &toml::Value) -> Result<Option<Decimal>, RuleErrorKind> {
    match v {
        toml::Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                Ok(None)
            } else {
                Decimal::from_str(t)
                    .map(Some)
                    .map_err(|_| RuleErrorKind::NotADecimal(s.clone()))
            }
        }
        toml::Value::Integer(i) => Ok(Some(Decimal::from(*i))),
        toml::Value::Float(_) => Err(RuleErrorKind::FloatThreshold),
        _ => Err(RuleErrorKind::WrongType("a quoted decimal")),
    }
}

/// Checks a rule after a layer changed it; `touched` says which levels (yellow, orange, red)
/// that layer set, so an ordering error names a key the layer wrote where possible.
fn validate(file: &str, rule: &Rule, touched: [bool; 3]) -> Result<(), RuleError> {
    let code = rule.indicator.code();
    if let Err(kind) = rule.check_order() {
        let level = match kind {
            RuleErrorKind::NotMonotonic { lower, higher, .. }
                if !touched[higher as usize] && touched[lower as usize] =>
            {
                lower
            }
            RuleErrorKind::NotMonotonic { higher, .. } => higher,
            _ => Level::Red,
        };
        return Err(err(file, format!("warnings.{code}.{}", level.code()), kind));
    }
    if rule.enabled && Level::ALL.iter().all(|l| rule.threshold(*l).is_none()) {
        return Err(err(
            file,
            format!("warnings.{code}"),
            RuleErrorKind::NoThreshold,
        ));
    }
    Ok(())
}

/// The rules of every indicator plus the engine settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    rules: [Rule; Indicator::ALL.len()],
    settings: Settings,
}

impl RuleSet {
    /// The rules of the compiled-in `config/default.toml` (checked by a test).
    pub fn defaults() -> RuleSet {
        static DEFAULTS: OnceLock<RuleSet> = OnceLock::new();
        DEFAULTS
            .get_or_init(|| {
                let table: toml::Table = toml::from_str(crate::defaults::DEFAULT_TOML)
                    .expect("the built-in config/default.toml parses");
                RuleSet::from_layers(&table, &[]).expect("the built-in [warnings] are valid")
            })
            .clone()
    }

    /// Merges the `[warnings]` of `default` (a whole config file's table, which must define
    /// every field of every indicator) with each layer's in turn (whole files' tables, any
    /// subset of fields). A rule a layer touches takes that layer's source. Errors name the
    /// layer's file and the full key.
    pub fn from_layers(
        default: &toml::Table,
        layers: &[(RuleSource, &str, &toml::Table)],
    ) -> Result<RuleSet, RuleError> {
        let base = parse_layer(DEFAULTS_FILE, default)?;
        let mut settings = Settings::default();
        base.apply_settings(&mut settings);
        let mut rules = Indicator::ALL.map(Rule::placeholder);
        let mut patches = base.patches;
        for ind in Indicator::ALL {
            let key = format!("warnings.{}", ind.code());
            let p = patches[ind.index()]
                .take()
                .ok_or_else(|| err(DEFAULTS_FILE, key.clone(), RuleErrorKind::Missing))?;
            let missing = |field: &str| {
                err(
                    DEFAULTS_FILE,
                    format!("{key}.{field}"),
                    RuleErrorKind::Missing,
                )
            };
            let rule = &mut rules[ind.index()];
            rule.enabled = p.enabled.ok_or_else(|| missing("enabled"))?;
            rule.description = p
                .description
                .clone()
                .ok_or_else(|| missing("description"))?;
            rule.risk_type = p.risk_type.ok_or_else(|| missing("risk_type"))?;
            rule.trigger = p.trigger.ok_or_else(|| missing("trigger"))?;
            rule.unit = p.unit.ok_or_else(|| missing("unit"))?;
            p.apply(rule);
            validate(DEFAULTS_FILE, rule, [true; 3])?;
        }
        for (source, file, table) in layers {
            let layer = parse_layer(file, table)?;
            layer.apply_settings(&mut settings);
            for (ind, patch) in Indicator::ALL.into_iter().zip(layer.patches) {
                let Some(patch) = patch.filter(|p| !p.is_empty()) else {
                    continue;
                };
                let touched = patch.levels.each_ref().map(Option::is_some);
                let rule = &mut rules[ind.index()];
                patch.apply(rule);
                rule.source = *source;
                validate(file, rule, touched)?;
            }
        }
        Ok(RuleSet { rules, settings })
    }

    pub fn rule(&self, i: Indicator) -> &Rule {
        &self.rules[i.index()]
    }

    /// All rules, in the order of [`Indicator::ALL`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The rules for one loan with its covenants applied: each `Some` level replaces the
    /// rule's, the rule is enabled (a contract binds whatever the bank-wide switch says) and
    /// its source becomes `Covenant`. A covenant with no level at all changes nothing.
    pub fn with_covenants(&self, covenants: &[Covenant]) -> RuleSet {
        let mut out = self.clone();
        for c in covenants {
            let levels = [c.yellow, c.orange, c.red];
            if levels.iter().all(Option::is_none) {
                continue;
            }
            let rule = &mut out.rules[c.indicator.index()];
            for (level, value) in Level::ALL.into_iter().zip(levels) {
                if value.is_some() {
                    *rule.threshold_mut(level) = value;
                }
            }
            rule.enabled = true;
            rule.source = RuleSource::Covenant;
        }
        out
    }
}
