//! `postloan evaluate`, `postloan warnings` and `postloan warning …`: the warning engine over
//! the book, the board for scripts, and each lifecycle step from the command line.

use super::table::{Column, Table};
use super::{Format, UTF8_BOM, csv_text};
use crate::domain::text::sanitize;
use crate::domain::warning::{Level, ManualSignal, RiskType, WarningMove, WarningStatus};
use crate::engine::rules::RuleSet;
use crate::i18n::Lang;
use crate::store::{PageFrom, Store, WarningQuery, WarningRow};
use crate::workflow::warning::{EvalReport, ManualWarning, show_value};
use crate::workflow::{self, Actor};
use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum WarningCommand {
    /// Show one warning with its history.
    Show {
        /// The warning's number (YJ…) or id.
        number: String,
        /// table: labels and values in your language; json: the stable codes, for machines.
        #[arg(long, value_enum, default_value_t = ShowAs::Table)]
        format: ShowAs,
    },
    /// Raise a warning by hand for a non-financial signal.
    Raise {
        /// The loan's contract number.
        contract_no: String,
        /// litigation, controller_change, accounts_frozen, key_person_missing, shutdown, credit_cut, other (or Chinese).
        #[arg(long)]
        signal: String,
        /// red, orange or yellow.
        #[arg(long)]
        level: String,
        /// credit, market or operational.
        #[arg(long, default_value = "credit")]
        risk_type: String,
        /// Why the warning is raised.
        #[arg(long)]
        reason: String,
    },
    /// Acknowledge a warning.
    Ack {
        /// The warning's number (YJ…).
        number: String,
        /// Refuse if the warning's version is no longer N (as `warning show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Put a warning in disposal.
    Dispose {
        /// The warning's number (YJ…).
        number: String,
        /// Refuse if the warning's version is no longer N (as `warning show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Resolve a warning (its indicator must be back to normal).
    Resolve {
        /// The warning's number (YJ…).
        number: String,
        /// Why the warning is resolved.
        #[arg(long)]
        reason: String,
        /// Refuse if the warning's version is no longer N (as `warning show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Dismiss a warning (supervisors and managers).
    Dismiss {
        /// The warning's number (YJ…).
        number: String,
        /// Why the warning is dismissed.
        #[arg(long)]
        reason: String,
        /// Refuse if the warning's version is no longer N (as `warning show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Write the cause analysis.
    Cause {
        /// The warning's number (YJ…).
        number: String,
        /// Refuse if the warning's version is no longer N (as `warning show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
        /// The cause analysis: what led to the warning.
        #[arg(long)]
        cause: String,
        /// The risk type: credit, market or operational.
        #[arg(long)]
        risk_type: String,
        /// The judged severity: red, orange or yellow.
        #[arg(long)]
        level: String,
    },
    /// Issue the warning notice (风险预警通知书) and print it.
    Notice {
        /// The warning's number (YJ…).
        number: String,
    },
}

/// One warning as scripts see it; amounts and values are strings so no digit is lost.
#[derive(Serialize)]
struct WarningJson<'a> {
    id: i64,
    number: &'a str,
    contract_no: &'a str,
    borrower_name: &'a str,
    officer: &'a str,
    origin: &'a str,
    level: &'a str,
    indicator: &'a str,
    value: Option<String>,
    threshold: Option<String>,
    unit: Option<&'a str>,
    source: Option<&'a str>,
    risk_type: &'a str,
    status: &'a str,
    back_to_normal: bool,
    raised_on: String,
}

impl<'a> WarningJson<'a> {
    fn of(w: &'a WarningRow) -> Self {
        WarningJson {
            id: w.id,
            number: &w.number,
            contract_no: &w.contract_no,
            borrower_name: &w.borrower_name,
            officer: &w.officer,
            origin: &w.origin,
            level: w.level.code(),
            indicator: &w.indicator,
            value: w.value.map(show_value),
            threshold: w.threshold.map(show_value),
            unit: w.unit.as_deref(),
            source: w.source.as_deref(),
            risk_type: w.risk_type.code(),
            status: w.status.code(),
            back_to_normal: w.back_to_normal,
            raised_on: w.raised_on.to_string(),
        }
    }
}

/// The CSV columns, in order: those of the JSON objects.
const CSV_COLUMNS: [&str; 16] = [
    "id",
    "number",
    "contract_no",
    "borrower_name",
    "officer",
    "origin",
    "level",
    "indicator",
    "value",
    "threshold",
    "unit",
    "source",
    "risk_type",
    "status",
    "back_to_normal",
    "raised_on",
];

/// One warning as a CSV row. Every text cell is neutralised for spreadsheets ([`csv_text`]);
/// the id, the value and the threshold are numbers (a value may be negative) and the date a
/// date, written as they are.
fn csv_row(w: &WarningRow) -> [String; 16] {
    let j = WarningJson::of(w);
    let text = |s: &str| csv_text(s).into_owned();
    [
        j.id.to_string(),
        text(j.number),
        text(j.contract_no),
        text(j.borrower_name),
        text(j.officer),
        text(j.origin),
        text(j.level),
        text(j.indicator),
        j.value.unwrap_or_default(),
        j.threshold.unwrap_or_default(),
        text(j.unit.unwrap_or_default()),
        text(j.source.unwrap_or_default()),
        text(j.risk_type),
        text(j.status),
        j.back_to_normal.to_string(),
        j.raised_on,
    ]
}

/// The evaluation's counts per level; with the plan derived after it (the nightly batch),
/// its counts as `plan` in JSON and its summary line after the table.
pub fn print_evaluation(
    r: &EvalReport,
    plan: Option<(&crate::store::PlanCounts, &str)>,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let mut v = serde_json::to_value(r)?;
        if let (Some((counts, _)), Some(o)) = (plan, v.as_object_mut()) {
            o.insert("plan".into(), serde_json::to_value(counts)?);
        }
        crate::outln!(
            "{}",
            super::visible::json(&serde_json::to_string_pretty(&v)?)
        );
        return Ok(());
    }
    crate::outln!(
        "{}",
        lang.tf("eval.summary", &[("loans", &r.loans), ("as_of", &r.as_of)])
    );
    let head = [
        "eval.level",
        "eval.new",
        "eval.escalated",
        "eval.still_open",
        "eval.back_to_normal",
        "eval.relapsed",
    ];
    let mut table = Table::new(
        head.iter()
            .enumerate()
            .map(|(i, k)| {
                let c = Column::new(lang.t(k), 20);
                if i == 0 { c } else { c.right() }
            })
            .collect(),
    );
    let mut out = super::visible::stdout(false);
    for level in Level::BOARD {
        let i = level.board_order() as usize;
        table.row(
            &mut out,
            vec![
                lang.code_name("level", level.code()),
                r.new[i].to_string(),
                r.escalated[i].to_string(),
                r.still_open[i].to_string(),
                r.back_to_normal[i].to_string(),
                r.relapsed[i].to_string(),
            ],
        )?;
    }
    table.finish(&mut out)?;
    drop(out);
    if r.changes() == 0 {
        crate::outln!("{}", lang.t("eval.nothing_changed"));
    }
    if let Some((_, line)) = plan {
        crate::outln!("{line}");
    }
    Ok(())
}

pub fn print_warnings(
    store: &Store,
    q: &WarningQuery,
    limit: Option<u64>,
    format: Format,
    bom: bool,
    lang: Lang,
) -> anyhow::Result<()> {
    let mut out = super::visible::stdout(format == Format::Json);
    let mut csv_writer = (format == Format::Csv).then(|| {
        csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new())
    });
    let mut from = PageFrom::Start;
    let mut seen = 0u64;
    let mut first = true;
    match format {
        Format::Json => write!(out, "[")?,
        Format::Table => {}
        Format::Csv => {
            if bom {
                out.write_all(UTF8_BOM)?;
            }
            // The header is written even when no warning matches.
            if let Some(c) = csv_writer.as_mut() {
                c.write_record(CSV_COLUMNS)?;
            }
        }
    }
    let mut table = Table::new(vec![
        Column::new(lang.t("col.level"), 12),
        Column::new(lang.t("col.number"), 20),
        Column::new(lang.t("col.contract_no"), 24),
        Column::new(lang.t("col.borrower"), 40),
        Column::new(lang.t("col.indicator"), 32),
        Column::new(lang.t("col.value"), 16).right(),
        Column::new(lang.t("col.status"), 16),
        Column::new(lang.t("col.raised_on"), 10),
    ]);
    loop {
        let batch = 2000usize.min(limit.map_or(usize::MAX, |l| (l - seen) as usize));
        if batch == 0 {
            break;
        }
        let rows = store.warning_page(q, &from, batch)?;
        for w in &rows {
            match format {
                Format::Json => {
                    write!(out, "{}\n  ", if first { "" } else { "," })?;
                    serde_json::to_writer(&mut out, &WarningJson::of(w))?;
                }
                Format::Csv => {
                    if let Some(c) = csv_writer.as_mut() {
                        c.write_record(csv_row(w))?;
                    }
                }
                Format::Table => table.row(
                    &mut out,
                    vec![
                        lang.code_name("level", w.level.code()),
                        w.number.clone(),
                        w.contract_no.clone(),
                        w.borrower_name.clone(),
                        indicator_name(&w.origin, &w.indicator, lang),
                        w.value.map(show_value).unwrap_or_default(),
                        lang.code_name("wstatus", w.status.code()),
                        w.raised_on.to_string(),
                    ],
                )?,
            }
            first = false;
        }
        seen += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() == batch => from = PageFrom::After(last.key()),
            _ => break,
        }
    }
    if format == Format::Table {
        table.finish_or(&mut out, lang.t("list.no_warnings"))?;
    }
    match format {
        Format::Json => writeln!(out, "{}]", if first { "" } else { "\n" })?,
        Format::Csv => {
            if let Some(c) = csv_writer {
                out.write_all(&c.into_inner().map_err(|e| anyhow!("{e}"))?)?;
            }
        }
        Format::Table => {}
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// An indicator's or manual signal's name in `lang`.
pub fn indicator_name(origin: &str, code: &str, lang: Lang) -> String {
    if origin == "manual" {
        lang.code_name("signal", code)
    } else {
        lang.code_name("indicator", code)
    }
}

/// How `warning show` prints.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ShowAs {
    Table,
    Json,
}

/// `warning show` for people: every coded value (level, risk type, indicator, origin, status,
/// history events) through the translation table; text from the book made visible.
fn show_detail(w: &crate::store::Warning, events: &[crate::store::WarningEvent], lang: Lang) {
    use super::visible::shown;
    let r = &w.row;
    let none = || lang.t("warning_show.none").to_string();
    let date = |d: Option<NaiveDate>| d.map_or_else(none, |d| d.to_string());
    let unit = r.unit.as_deref().unwrap_or("");
    let value = |v: Option<rust_decimal::Decimal>| {
        v.map_or_else(none, |v| {
            format!("{}{}", show_value(v), lang.code_name("unit", unit))
        })
    };
    let indicator = if r.origin == "manual" {
        lang.code_name("signal", &r.indicator)
    } else {
        lang.code_name("indicator", &r.indicator)
    };
    let lines: Vec<(&str, String)> = vec![
        ("number", shown(&r.number)),
        ("contract_no", shown(&r.contract_no)),
        ("borrower", shown(&r.borrower_name)),
        ("officer", shown(&r.officer)),
        ("level", lang.code_name("level", r.level.code())),
        ("risk_type", lang.code_name("risk", r.risk_type.code())),
        ("indicator", indicator),
        ("value", value(r.value)),
        ("threshold", value(r.threshold)),
        (
            "source",
            r.source
                .as_deref()
                .map_or_else(none, |s| lang.code_name("source", s)),
        ),
        ("origin", lang.code_name("origin", &r.origin)),
        ("status", lang.code_name("wstatus", r.status.code())),
        (
            "back_to_normal",
            lang.t(if r.back_to_normal {
                "warning_show.yes"
            } else {
                "warning_show.no"
            })
            .to_string(),
        ),
        ("raised_on", r.raised_on.to_string()),
        ("reason", shown(&w.reason)),
        ("cause", shown(&w.cause)),
        (
            "judged_level",
            w.judged_level
                .map_or_else(none, |l| lang.code_name("level", l.code())),
        ),
        ("closed_on", date(w.closed_on)),
        ("close_reason", shown(&w.close_reason)),
        ("feedback_due_on", date(w.feedback_due_on)),
        ("version", w.version.to_string()),
    ];
    let labels: Vec<String> = lines
        .iter()
        .map(|(k, _)| lang.t(&format!("warning_show.{k}")).to_string())
        .collect();
    let width = labels
        .iter()
        .map(|l| crate::domain::text::width(l))
        .max()
        .unwrap_or(0);
    for (label, (_, text)) in labels.iter().zip(&lines) {
        let pad = width.saturating_sub(crate::domain::text::width(label));
        crate::outln!("{label}{}  {text}", " ".repeat(pad));
    }
    crate::outln!("\n{}", lang.t("warning_show.history"));
    for e in events {
        let level = e
            .level
            .map(|l| lang.code_name("level", l.code()))
            .unwrap_or_default();
        let v = e.value.map(show_value).unwrap_or_default();
        crate::outln!(
            "  {}  {}  {}  {}  {}  {}",
            e.on_date,
            shown(&e.actor),
            lang.code_name("wevent", &e.event),
            level,
            v,
            shown(&e.note)
        );
    }
}

fn find(store: &Store, number: &str, lang: Lang) -> anyhow::Result<crate::store::Warning> {
    let by_number = store.warning_by_number(number)?;
    let w = match by_number {
        Some(w) => Some(w),
        None => match number.parse::<i64>() {
            Ok(id) => store.warning(id)?,
            Err(_) => None,
        },
    };
    w.ok_or_else(|| {
        anyhow!(
            "{}",
            lang.tf("warning.err_no_warning", &[("number", &number)])
        )
    })
}

fn parse_level(s: &str, lang: Lang) -> anyhow::Result<Level> {
    Level::parse(s).ok_or_else(|| super::usage(lang.tf("warning.err_level", &[("value", &s)])))
}

fn parse_risk(s: &str, lang: Lang) -> anyhow::Result<RiskType> {
    RiskType::parse(s).ok_or_else(|| super::usage(lang.tf("warning.err_risk", &[("value", &s)])))
}

/// `--expected-version N`: a version number, or a translated refusal naming the value.
pub(super) fn parse_version(v: &Option<String>, lang: Lang) -> anyhow::Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => bail!(
                "{}",
                lang.tf(
                    "workflow_err.bad_expected_version",
                    &[("value", &sanitize(s))]
                )
            ),
        },
    }
}

pub fn run(
    cmd: &WarningCommand,
    store: &mut Store,
    actor: &Actor,
    today: NaiveDate,
    lang: Lang,
) -> anyhow::Result<i32> {
    let moved = |store: &mut Store,
                 number: &str,
                 expected: &Option<String>,
                 mv: WarningMove,
                 reason: &str|
     -> anyhow::Result<i32> {
        let expected = parse_version(expected, lang)?;
        let w = find(store, number, lang)?;
        let to =
            workflow::warning::move_warning(store, actor, w.row.id, expected, mv, reason, today)?;
        crate::outln!(
            "{}",
            lang.tf(
                "warning.moved",
                &[
                    ("number", &w.row.number),
                    ("status", &lang.code_name("wstatus", to.code()))
                ]
            )
        );
        Ok(0)
    };
    match cmd {
        WarningCommand::Show { number, format } => {
            let w = find(store, number, lang)?;
            let events = store.warning_events(w.row.id)?;
            match format {
                ShowAs::Json => crate::outln!(
                    "{}",
                    super::visible::json(&serde_json::to_string_pretty(
                        &serde_json::json!({"warning": w, "history": events})
                    )?)
                ),
                ShowAs::Table => show_detail(&w, &events, lang),
            }
            Ok(0)
        }
        WarningCommand::Raise {
            contract_no,
            signal,
            level,
            risk_type,
            reason,
        } => {
            let signal = ManualSignal::parse(signal).ok_or_else(|| {
                super::usage(lang.tf("warning.err_signal", &[("value", &signal)]))
            })?;
            let mw = ManualWarning {
                contract_no,
                signal,
                level: parse_level(level, lang)?,
                risk_type: parse_risk(risk_type, lang)?,
                reason,
            };
            let (_, number) = workflow::warning::raise_manual(store, actor, &mw, today, lang)?;
            crate::outln!("{}", lang.tf("warning.raised", &[("number", &number)]));
            Ok(0)
        }
        WarningCommand::Ack {
            number,
            expected_version,
        } => moved(
            store,
            number,
            expected_version,
            WarningMove::Acknowledge,
            "",
        ),
        WarningCommand::Dispose {
            number,
            expected_version,
        } => moved(
            store,
            number,
            expected_version,
            WarningMove::StartDisposal,
            "",
        ),
        WarningCommand::Resolve {
            number,
            reason,
            expected_version,
        } => moved(
            store,
            number,
            expected_version,
            WarningMove::Resolve,
            reason,
        ),
        WarningCommand::Dismiss {
            number,
            reason,
            expected_version,
        } => moved(
            store,
            number,
            expected_version,
            WarningMove::Dismiss,
            reason,
        ),
        WarningCommand::Cause {
            number,
            expected_version,
            cause,
            risk_type,
            level,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let w = find(store, number, lang)?;
            workflow::warning::analyse(
                store,
                actor,
                w.row.id,
                expected,
                cause,
                parse_risk(risk_type, lang)?,
                parse_level(level, lang)?,
                today,
            )?;
            crate::outln!(
                "{}",
                lang.tf("warning.cause_saved", &[("number", &w.row.number)])
            );
            Ok(0)
        }
        WarningCommand::Notice { number } => {
            let w = find(store, number, lang)?;
            let doc = workflow::warning::issue_notice(store, actor, w.row.id, today, lang)?;
            let body = store
                .documents(w.row.loan_id)?
                .into_iter()
                .find(|d| d.number == doc)
                .map(|d| d.body)
                .unwrap_or_default();
            crate::outln!("{body}");
            Ok(0)
        }
    }
}

/// Parses `--status` for `postloan warnings`.
pub fn parse_status(s: &str, lang: Lang) -> anyhow::Result<WarningStatus> {
    WarningStatus::parse(s)
        .ok_or_else(|| super::usage(lang.tf("warning.err_status", &[("value", &s)])))
}

/// `--indicator`: an indicator's or a hand-raised signal's code (or its Chinese name), as the
/// board stores it; anything else is refused with the accepted codes (a typo would otherwise
/// list nothing and look like good news).
pub fn parse_indicator(s: &str, lang: Lang) -> anyhow::Result<String> {
    use crate::engine::Indicator;
    let t = s.trim();
    let lower = t.to_ascii_lowercase().replace('-', "_");
    if let Some(i) = Indicator::ALL
        .into_iter()
        .find(|i| i.code() == lower || i.zh() == t)
    {
        return Ok(i.code().to_string());
    }
    if let Some(m) = ManualSignal::parse(t) {
        return Ok(m.code().to_string());
    }
    // Raised by an approved inspection report whose checklist score is below the line.
    let score = crate::workflow::inspection_checklist::INDICATOR;
    if lower == score || t == Lang::ZhCn.code_name("indicator", score) {
        return Ok(score.to_string());
    }
    let accepted: Vec<&str> = Indicator::ALL
        .into_iter()
        .map(Indicator::code)
        .chain(ManualSignal::ALL.into_iter().map(ManualSignal::code))
        .chain([score])
        .collect();
    Err(anyhow::Error::new(super::UsageError(lang.tf(
        "cli_args.bad_indicator",
        &[("value", &s), ("accepted", &accepted.join(", "))],
    ))))
}

/// Fails with a clear message when the rules cannot be loaded. A refused rule or config file
/// is passed on as it is, so that it is said in the user's language.
pub fn rules_or_fail(r: anyhow::Result<RuleSet>) -> anyhow::Result<RuleSet> {
    match r {
        Ok(r) => Ok(r),
        Err(e)
            if e.is::<crate::engine::rules::RuleError>()
                || e.is::<crate::config::ConfigError>() =>
        {
            Err(e)
        }
        Err(e) => bail!("{}", super::chain_text(e.chain())),
    }
}
