//! `postloan report migration|provisions` (and the inspection report beside them): the
//! migration matrix and rates between two dates, and the reference provisions on a date,
//! read in one pass over the book.

use super::table::{Column, Table};
use super::{Format, csv_text};
use crate::domain::Classification;
use crate::domain::text::pad_right;
use crate::engine::migration::{CLOSED, Migration, ProvisionRates, Provisions};
use crate::engine::migration_text::{self as text, Unit, column_code, pct_text};
use crate::engine::summary::Period;
use crate::i18n::Lang;
use crate::store::Store;
use anyhow::bail;
use chrono::NaiveDate;
use clap::Subcommand;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    #[command(flatten)]
    Inspection(super::inspections::ReportCommand),
    /// Migration between two dates: the matrix (count and balance), the migration rates and
    /// the non-performing ratio at both dates.
    Migration {
        /// The opening date.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        from: NaiveDate,
        /// The closing date.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        to: NaiveDate,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The period summary (step 6): the book by class at both ends and the NPL ratio, migration
    /// rates, warnings, cases, inspections, disposal, recoveries and write-offs, loans below
    /// their floor, follow-ups overdue, and the last 12 months (HTML prints on A4); --sign
    /// signs it and keeps it in the archive.
    Summary(SummaryArgs),
    /// Reference provisions per class on a date, with the actual reserve's coverage.
    Provisions {
        /// The date of the figures (default: today; in a demo book, its date).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// The summary's output: Markdown, JSON or printable HTML.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum SummaryFormat {
    Md,
    Json,
    Html,
}

/// `report summary`: the period by dates, or by month, quarter or year (one of the four).
#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// The period's first day (with --to).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg, requires = "to",
          conflicts_with_all = ["month", "quarter", "year"])]
    pub from: Option<NaiveDate>,
    /// The period's last day (with --from).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg, requires = "from")]
    pub to: Option<NaiveDate>,
    /// A calendar month.
    #[arg(long, value_name = "YYYY-MM", value_parser = month_arg,
          conflicts_with_all = ["quarter", "year"])]
    pub month: Option<Period>,
    /// A calendar quarter.
    #[arg(long, value_name = "YYYY-Qn", value_parser = quarter_arg, conflicts_with = "year")]
    pub quarter: Option<Period>,
    /// A calendar year.
    #[arg(long, value_name = "YYYY", value_parser = year_arg)]
    pub year: Option<Period>,
    /// Output format: md (Markdown), json or html.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Md)]
    pub format: SummaryFormat,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Sign the summary (supervisors and managers) with the section "problems found and
    /// measures to improve" from --text or --text-file, and keep it in the archive as a
    /// document; signing a period again supersedes the earlier one. Prints its id and SHA-256.
    #[arg(long, conflicts_with_all = ["format", "output"])]
    pub sign: bool,
    /// With --sign: the section "problems found and measures to improve".
    #[arg(
        long,
        value_name = "TEXT",
        requires = "sign",
        conflicts_with = "text_file"
    )]
    pub text: Option<String>,
    /// With --sign: the section read from this UTF-8 file (`-`: standard input).
    #[arg(long, value_name = "FILE", requires = "sign")]
    pub text_file: Option<PathBuf>,
}

/// Why `--month`, `--quarter` or `--year` does not read: the translation key of its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodArgError(pub &'static str);

impl PeriodArgError {
    /// Why, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        lang.t(self.0).to_string()
    }
}

impl std::fmt::Display for PeriodArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for PeriodArgError {}

fn month_arg(text: &str) -> Result<Period, PeriodArgError> {
    Period::parse_month(text).ok_or(PeriodArgError("summary_cli.bad_month"))
}

fn quarter_arg(text: &str) -> Result<Period, PeriodArgError> {
    Period::parse_quarter(text).ok_or(PeriodArgError("summary_cli.bad_quarter"))
}

fn year_arg(text: &str) -> Result<Period, PeriodArgError> {
    Period::parse_year(text).ok_or(PeriodArgError("summary_cli.bad_year"))
}

impl SummaryArgs {
    /// The period asked for, or why there is none.
    pub fn period(&self, lang: Lang) -> anyhow::Result<Period> {
        if let Some(p) = self.month.or(self.quarter).or(self.year) {
            return Ok(p);
        }
        match (self.from, self.to) {
            (Some(from), Some(to)) if from <= to => Ok(Period { from, to }),
            (Some(from), Some(to)) => Err(super::usage(
                lang.tf("portfolio.err_order", &[("from", &from), ("to", &to)]),
            )),
            _ => bail!("{}", lang.t("summary_cli.no_period")),
        }
    }
}

/// The signer's section from `--text`, `--text-file FILE` or `--text-file -` (standard input).
fn sign_text(args: &SummaryArgs, lang: Lang) -> anyhow::Result<String> {
    if let Some(t) = &args.text {
        return Ok(t.clone());
    }
    let Some(path) = &args.text_file else {
        bail!("{}", lang.t("summary_sign_err.text_empty"));
    };
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                lang.tf(
                    "inspections_cli.err_read",
                    &[
                        ("path", &"-"),
                        ("reason", &crate::extract::io_reason(&e, lang))
                    ]
                )
            )
        })?;
        return String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                lang.tf(
                    "inspections_cli.err_utf8",
                    &[("path", &"-"), ("offset", &e.utf8_error().valid_up_to())]
                )
            )
        });
    }
    super::inspections::read_text(path, lang)
}

/// `postloan report summary --sign`: signs the period's summary as `actor` on the book's
/// day and prints the document's id, number and SHA-256.
pub fn sign_summary(
    store: &mut Store,
    actor: &crate::workflow::Actor,
    args: &SummaryArgs,
    today: NaiveDate,
    lang: Lang,
) -> anyhow::Result<()> {
    use crate::workflow::summary_sign;
    let period = args.period(lang)?;
    let text = sign_text(args, lang)?;
    let signed = summary_sign::sign(
        store,
        actor,
        &summary_sign::SignSummary { period, text },
        today,
        lang,
    )?;
    crate::outln!(
        "{}",
        lang.tf(
            "summary_sign.signed_cli",
            &[
                ("number", &signed.number),
                ("id", &signed.id),
                ("from", &period.from),
                ("to", &period.to),
            ]
        )
    );
    crate::outln!("sha256 {}", signed.sha256);
    if let Some(old) = signed.supersedes {
        crate::outln!(
            "{}",
            lang.tf("summary_sign.superseded_cli", &[("id", &old)])
        );
    }
    Ok(())
}

/// `postloan report summary`: the figures in the chosen format, to standard output or a file.
pub fn summary(
    store: &Store,
    args: &SummaryArgs,
    today: NaiveDate,
    lang: Lang,
) -> anyhow::Result<()> {
    let period = args.period(lang)?;
    let s = crate::workflow::summary::summary(store, period, today)?;
    let text = match args.format {
        SummaryFormat::Md => crate::workflow::summary::summary_markdown(&s, &lang),
        SummaryFormat::Html => crate::workflow::summary::summary_html(&s, &lang),
        SummaryFormat::Json => format!(
            "{}\n",
            super::visible::json(&serde_json::to_string_pretty(
                &crate::workflow::summary::summary_json(&s)
            )?)
        ),
    };
    match &args.output {
        Some(file) => {
            crate::user_rights::write(file, text.as_bytes()).map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    lang.tf(
                        "inspections_cli.err_write",
                        &[
                            ("path", &file.display()),
                            ("reason", &crate::extract::io_reason(&e, lang))
                        ]
                    )
                )
            })?;
            crate::note!(
                "{}",
                lang.tf(
                    "inspections_cli.report_written",
                    &[("path", &file.display())]
                )
            );
        }
        None => crate::out!("{text}"),
    }
    Ok(())
}

fn pct(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.normalize().to_string()))
}

/// The migration figures from `from` to `to`.
pub fn migration(store: &Store, from: NaiveDate, to: NaiveDate) -> anyhow::Result<Migration> {
    Ok(store.migration(from, to)?)
}

/// Prints `report migration`.
/// An amount in JSON: yuan with two decimals ("4309340000.00"), rounded half up.
fn yuan(d: Decimal) -> String {
    let mut r = crate::domain::money::round_half_up(d, 2);
    r.rescale(2);
    r.to_string()
}

pub fn print_migration(
    m: &Migration,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    let rates = text::rates(m);
    let (npl_from, npl_to) = m.npl_ratios();
    match format {
        Format::Json => {
            let matrix = |cell: &dyn Fn(usize, usize) -> Value| {
                let mut rows = Map::new();
                for (i, c) in Classification::ALL.iter().enumerate() {
                    let mut cols = Map::new();
                    for col in 0..=CLOSED {
                        cols.insert(column_code(col).into(), cell(i, col));
                    }
                    rows.insert(c.code().into(), Value::Object(cols));
                }
                Value::Object(rows)
            };
            let rates: Map<String, Value> = rates
                .iter()
                .map(|(k, v)| ((*k).to_string(), pct(*v)))
                .collect();
            let v = json!({
                "from": from,
                "to": to,
                "matrix_count": matrix(&|i, c| json!(m.count[i][c])),
                "matrix_balance": matrix(&|i, c| json!(yuan(m.balance[i][c]))),
                "rates": rates,
                "npl_ratio_from": pct(npl_from),
                "npl_ratio_to": pct(npl_to),
            });
            crate::outln!(
                "{}",
                super::visible::json(&serde_json::to_string_pretty(&v)?)
            );
        }
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(super::visible::stdout(false));
            let mut head = vec!["measure".to_string(), "opening".to_string()];
            head.extend((0..=CLOSED).map(|c| column_code(c).to_string()));
            w.write_record(&head)?;
            for (measure, is_count) in [("count", true), ("balance", false)] {
                for (i, c) in Classification::ALL.iter().enumerate() {
                    let mut row = vec![measure.to_string(), c.code().to_string()];
                    row.extend((0..=CLOSED).map(|col| {
                        if is_count {
                            m.count[i][col].to_string()
                        } else {
                            m.balance[i][col].to_string()
                        }
                    }));
                    w.write_record(row.iter().map(|s| csv_text(s).into_owned()))?;
                }
            }
            for (k, v) in rates {
                let mut row = vec!["rate".to_string(), k.to_string()];
                row.push(v.map(|d| d.to_string()).unwrap_or_default());
                row.resize(2 + CLOSED + 1, String::new());
                w.write_record(&row)?;
            }
            for (k, v) in [("npl_ratio_from", npl_from), ("npl_ratio_to", npl_to)] {
                let mut row = vec![k.to_string(), String::new()];
                row.push(v.map(|d| d.to_string()).unwrap_or_default());
                row.resize(2 + CLOSED + 1, String::new());
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Table => {
            crate::outln!(
                "{}",
                lang.tf("portfolio.migration_title", &[("from", &from), ("to", &to)])
            );
            for (title, is_count) in [
                ("portfolio.by_count", true),
                ("portfolio.by_balance", false),
            ] {
                crate::outln!("\n{}", lang.t(title));
                let width = if is_count { 16 } else { 18 };
                for line in text::matrix_lines(m, is_count, Unit::Yuan, 16, width, lang) {
                    crate::outln!("{line}");
                }
            }
            crate::outln!("\n{}", lang.t("portfolio.rates"));
            // Indented two columns under the title; the names as wide as the widest.
            let name_w = rates
                .iter()
                .map(|(k, _)| crate::domain::text::width(&text::rate_name(k, lang)))
                .max()
                .unwrap_or(0);
            for (k, v) in rates {
                crate::outln!(
                    "  {} {}",
                    pad_right(&text::rate_name(k, lang), name_w),
                    pct_text(v)
                );
            }
            crate::outln!("\n{}", text::npl_line(m, from, to, lang));
        }
    }
    Ok(())
}

/// The provisions on `as_of`.
pub fn provisions(
    store: &Store,
    as_of: NaiveDate,
    rates: &ProvisionRates,
    actual: Option<Decimal>,
) -> anyhow::Result<Provisions> {
    let mut p = Provisions::default();
    store.loans_at_dates(as_of, as_of, |l| {
        if let Some((c, b)) = l.to {
            p.add(c, b);
        }
    })?;
    Ok(p.finish(rates, actual))
}

/// Prints `report provisions`.
pub fn print_provisions(
    p: &Provisions,
    rates: &ProvisionRates,
    as_of: NaiveDate,
    written_off: &crate::store::WrittenOffTotals,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    let money = yuan;
    match format {
        Format::Csv => {
            return Err(super::usage(
                lang.t("classification_cli.no_csv").to_string(),
            ));
        }
        Format::Json => {
            let mut classes = Map::new();
            for (i, c) in Classification::ALL.iter().enumerate() {
                classes.insert(
                    c.code().into(),
                    json!({
                        "count": p.count[i],
                        "balance": money(p.balance[i]),
                        "rate": rates.specific[i].normalize().to_string(),
                        "reserve": money(p.specific[i]),
                    }),
                );
            }
            let v = json!({
                "as_of": as_of,
                "classes": classes,
                "total_balance": money(p.total_balance),
                "npl_balance": money(p.npl_balance),
                "general_rate": rates.general.normalize().to_string(),
                "general_reserve": money(p.general),
                "reference_reserve": money(p.reference),
                "actual_reserve": p.actual.map(money),
                "provision_coverage": pct(p.coverage),
                "loan_provision_ratio": pct(p.provision_ratio),
                "reference_coverage": pct(p.reference_coverage),
                "written_off": money(written_off.amount),
                "written_off_loans": written_off.loans,
            });
            crate::outln!(
                "{}",
                super::visible::json(&serde_json::to_string_pretty(&v)?)
            );
        }
        Format::Table => {
            use crate::domain::money::group_thousands as format_amount;
            crate::outln!(
                "{}",
                lang.tf("portfolio.provisions_title", &[("as_of", &as_of)])
            );
            let mut table = Table::new(vec![
                Column::new(lang.t("col.class"), 20),
                Column::new(lang.t("portfolio.loans"), 12).right(),
                Column::new(lang.t("col.outstanding"), 24).right(),
                Column::new(lang.t("portfolio.rate"), 10).right(),
                Column::new(lang.t("portfolio.reserve"), 24).right(),
            ]);
            let mut out = super::visible::stdout(false);
            for (i, c) in Classification::ALL.iter().enumerate() {
                table.row(
                    &mut out,
                    vec![
                        lang.code_name("class", c.code()),
                        p.count[i].to_string(),
                        format_amount(p.balance[i]),
                        format!(
                            "{}%",
                            (rates.specific[i] * Decimal::ONE_HUNDRED).normalize()
                        ),
                        format_amount(p.specific[i]),
                    ],
                )?;
            }
            table.finish(&mut out)?;
            drop(out);
            crate::outln!(
                "{}",
                lang.tf(
                    "portfolio.general",
                    &[
                        (
                            "rate",
                            &format!("{}%", (rates.general * Decimal::ONE_HUNDRED).normalize())
                        ),
                        ("reserve", &format_amount(p.general)),
                    ]
                )
            );
            crate::outln!(
                "{}",
                lang.tf(
                    "portfolio.reference",
                    &[("reserve", &format_amount(p.reference))]
                )
            );
            match p.actual {
                Some(a) => crate::outln!(
                    "{}",
                    lang.tf(
                        "portfolio.actual",
                        &[
                            ("reserve", &format_amount(a)),
                            ("coverage", &pct_text(p.coverage)),
                            ("ratio", &pct_text(p.provision_ratio)),
                        ]
                    )
                ),
                None => crate::outln!("{}", lang.t("portfolio.no_actual")),
            }
            crate::outln!(
                "{}",
                lang.tf(
                    "outcomes_cli.provisions_written_off",
                    &[
                        ("amount", &format_amount(written_off.amount)),
                        ("loans", &written_off.loans),
                    ]
                )
            );
        }
    }
    Ok(())
}
