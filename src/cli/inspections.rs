//! `postloan inspections`, `postloan inspection …` and `postloan report inspection`: the
//! inspection list and plan for scripts, each step of an inspection, and the printable report.

use super::table::{Column, Table};
use super::{Cli, Context_, Format, book_path, book_today, csv_text, open_book, open_book_to_read};
use crate::domain::Classification;
use crate::domain::checklist::{Checklist, Score};
use crate::domain::inspection::{
    InspectionKind, InspectionMode, InspectionStatus, Measure, MeasureEntry, Section,
};
use crate::domain::text::sanitize;
use crate::engine::inspection_plan::PlanConfig;
use crate::i18n::Lang;
use crate::store::{InspectionQuery, InspectionRow, PageFrom, Store};
use crate::workflow;
use crate::workflow::inspection::{self as flow, Approval, StartInspection};
use crate::workflow::inspection_checklist::ItemPoints;
use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(subcommand)]
    pub plan: Option<PlanCommand>,
    /// Only open inspections due today or before (overdue included).
    #[arg(long)]
    pub due: bool,
    /// Only open inspections past their due date.
    #[arg(long)]
    pub overdue: bool,
    /// Only inspections of loans this officer tracks.
    #[arg(long, value_name = "USER")]
    pub officer: Option<String>,
    /// planned, draft, submitted, returned or approved (or Chinese).
    #[arg(long)]
    pub status: Option<String>,
    /// first, routine or triggered (首次, 常规, 专项).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only those you are the officer, author or reviewer of.
    #[arg(long)]
    pub mine: bool,
    /// Only submitted reports you may approve now (a supervisor's or manager's; not your own).
    #[arg(long, conflicts_with = "returned")]
    pub to_review: bool,
    /// Only reports returned to you (you wrote them or follow the loan).
    #[arg(long)]
    pub returned: bool,
    /// Approved ones too. Without it (and without --status) the list is what the
    /// Inspections pane shows by default: those not yet approved.
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// At most this many rows.
    #[arg(value_parser = super::numbers::limit, allow_negative_numbers = true, long)]
    pub limit: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Derive every loan's next inspections (the nightly batch): add, move, remove planned rows.
    Plan {
        /// The day overdue is counted on (default: today; in a demo book, its date).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        as_of: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Start an inspection of a loan (the plan's one of that kind, or a new one); prints its number.
    Start {
        /// The loan's contract number.
        contract_no: String,
        /// first, routine or triggered (首次, 常规, 专项).
        #[arg(long)]
        kind: String,
        /// onsite or offsite (现场, 非现场).
        #[arg(long, default_value = "onsite")]
        mode: String,
        /// The warning a triggered inspection answers (repeatable).
        #[arg(long, value_name = "NUMBER")]
        warning: Vec<String>,
        /// What the inspection looks at first.
        #[arg(long, default_value = "")]
        focus: String,
        /// The day of the inspection (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        date: Option<NaiveDate>,
        /// Who inspects (default: you).
        #[arg(long, default_value = "")]
        inspectors: String,
    },
    /// Write one section (1 … 9) of the report, replacing its text.
    Write {
        /// The inspection's number (XJ…).
        number: String,
        /// The part of the report (1 … 9).
        #[arg(long)]
        section: String,
        /// The text of that part.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        text: Option<String>,
        /// Read the text from a UTF-8 file.
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Add a measure to the conclusion.
    Measure {
        /// The inspection's number (XJ…).
        number: String,
        /// paperwork, add_collateral, stop_credit, reduce_line, recall, litigation, other (or Chinese).
        #[arg(long)]
        add: String,
        /// The deadline (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        deadline: Option<NaiveDate>,
        /// Who carries the measure out (user name).
        #[arg(long, value_name = "USER")]
        owner: Option<String>,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Record the proposed classification.
    ProposeClass {
        /// The inspection's number (XJ…).
        number: String,
        /// The proposed class: pass, special_mention, substandard, doubtful, loss (or 正常, 关注, 次级, 可疑, 损失).
        class: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Attach a file as evidence (stored once, under its SHA-256, beside the book).
    Attach {
        /// The inspection's number (XJ…).
        number: String,
        /// The file to attach.
        file: PathBuf,
        /// What the attachment is.
        #[arg(long, default_value = "")]
        note: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Submit the report for review.
    Submit {
        /// The inspection's number (XJ…).
        number: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Approve a submitted report (supervisors; a manager's second approval on large loans).
    Approve {
        /// The inspection's number (XJ…).
        number: String,
        /// The approver's comment.
        #[arg(long, default_value = "")]
        comment: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Return a submitted report to its author with a comment.
    Return {
        /// The inspection's number (XJ…).
        number: String,
        /// Why it is returned.
        #[arg(long)]
        comment: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Correct an approved report: a new version, reviewed again; the approved one is kept.
    Amend {
        /// The inspection's number (XJ…).
        number: String,
        /// Why the approved report is amended.
        #[arg(long)]
        reason: String,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Score checklist items of the report (section 9): 0 … the item's weight, one decimal at most.
    Score {
        /// The inspection's number (XJ…).
        number: String,
        /// An item's points, CODE=POINTS (repeatable), e.g. --item funds_use=18.
        #[arg(long = "item", value_name = "CODE=POINTS")]
        items: Vec<String>,
        /// Leave an item unscored again (repeatable).
        #[arg(long = "clear", value_name = "CODE")]
        clear: Vec<String>,
        /// Refuse if the inspection's version is no longer N (as `inspection show` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Print the configured checklist: each item's code, name and weight, and the line.
    Checklist,
    /// Show one inspection with its report, measures, evidence and review history.
    Show {
        /// The inspection's number (XJ…).
        number: String,
        /// Output format: json or md (Markdown).
        #[arg(long, value_enum, default_value_t = ShowFormat::Json)]
        format: ShowFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShowFormat {
    Json,
    Md,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Md,
    Html,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// An inspection report, printable (HTML prints on A4).
    Inspection {
        /// The inspection's number (XJ…).
        number: String,
        /// Output format: md (Markdown) or html.
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// One inspection as scripts see it (the contract of `inspections --format json`).
#[derive(Serialize)]
struct InspectionJson<'a> {
    number: &'a str,
    contract_no: &'a str,
    borrower_name: &'a str,
    kind: &'a str,
    mode: &'a str,
    due_on: String,
    status: &'a str,
    /// The author once started; the responsible officer while planned.
    inspector: &'a str,
    reviewer: Option<&'a str>,
}

impl<'a> InspectionJson<'a> {
    fn of(r: &'a InspectionRow) -> Self {
        InspectionJson {
            number: &r.number,
            contract_no: &r.contract_no,
            borrower_name: &r.borrower_name,
            kind: r.kind.code(),
            mode: r.mode.code(),
            due_on: r.due_on.to_string(),
            status: r.status.code(),
            inspector: r.author.as_deref().unwrap_or(&r.officer),
            reviewer: r.reviewer.as_deref(),
        }
    }
}

const CSV_COLUMNS: [&str; 9] = [
    "number",
    "contract_no",
    "borrower_name",
    "kind",
    "mode",
    "due_on",
    "status",
    "inspector",
    "reviewer",
];

fn plan_config(ctx: &Context_, lang: Lang) -> anyhow::Result<PlanConfig> {
    ctx.config
        .plan()
        .map_err(|e| anyhow!("{}", e.localized(lang)))
}

/// A code argument read by `parse`; refused with the value and the accepted codes under the
/// translation key `inspections_cli.<what>`.
fn parse_code<T>(
    s: &str,
    parse: impl Fn(&str) -> Option<T>,
    accepted: impl Fn() -> String,
    what: &str,
    lang: Lang,
) -> anyhow::Result<T> {
    parse(s).ok_or_else(|| {
        anyhow::Error::new(super::UsageError(lang.tf(
            &format!("inspections_cli.{what}"),
            &[("value", &sanitize(s)), ("accepted", &accepted())],
        )))
    })
}

fn parse_kind(s: &str, lang: Lang) -> anyhow::Result<InspectionKind> {
    parse_code(
        s,
        InspectionKind::parse,
        InspectionKind::accepted,
        "bad_kind",
        lang,
    )
}

fn parse_status(s: &str, lang: Lang) -> anyhow::Result<InspectionStatus> {
    parse_code(
        s,
        InspectionStatus::parse,
        InspectionStatus::accepted,
        "bad_status",
        lang,
    )
}

fn parse_version(v: &Option<String>, lang: Lang) -> anyhow::Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => bail!(
                "{}",
                lang.tf(
                    "inspections_cli.bad_expected_version",
                    &[("value", &sanitize(s))]
                )
            ),
        },
    }
}

/// The plan's one-line summary ("Plan: 100000 loans; 6 added, …; 12 overdue on …"), for
/// `inspections plan` and the end of `evaluate`.
pub fn plan_line(
    store: &crate::store::Store,
    c: &crate::store::PlanCounts,
    as_of: NaiveDate,
    started: std::time::Instant,
    lang: Lang,
) -> anyhow::Result<String> {
    let overdue = store.inspection_count(&InspectionQuery {
        overdue_on: Some(as_of),
        ..Default::default()
    })?;
    Ok(lang.tf(
        "inspections_cli.planned",
        &[
            ("loans", &c.loans),
            ("added", &c.added),
            ("moved", &c.moved),
            ("removed", &c.removed),
            ("unchanged", &c.unchanged),
            ("overdue", &overdue),
            ("as_of", &as_of),
            ("ms", &started.elapsed().as_millis()),
        ],
    ))
}

/// `postloan inspections [plan]`.
pub fn list(cli: &Cli, ctx: &Context_, a: &ListArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let os_user = workflow::os_user();
    let path = book_path(cli, ctx);
    if let Some(PlanCommand::Plan { as_of }) = &a.plan {
        let cfg = plan_config(ctx, lang)?;
        let mut store = open_book(&path, lang)?;
        let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
        let as_of = match as_of {
            Some(d) => *d,
            None => book_today(&store)?,
        };
        let started = std::time::Instant::now();
        let c = flow::plan_book(&mut store, &actor, &cfg)?;
        crate::outln!("{}", plan_line(&store, &c, as_of, started, lang)?);
        return Ok(0);
    }
    let store = open_book_to_read(&path, lang)?;
    let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
    super::filters::staff_name(&store, "--officer", a.officer.as_deref(), false, lang)?;
    let today = book_today(&store)?;
    if a.to_review {
        // Said as the workflow says it when such a user tries to approve.
        actor.authorize(
            crate::domain::permission::Command::ReviewInspection,
            &crate::domain::permission::Subject::NONE,
        )?;
    }
    let q = InspectionQuery {
        due_by: a.due.then_some(today),
        overdue_on: a.overdue.then_some(today),
        officer: a.officer.clone(),
        status: a
            .status
            .as_deref()
            .map(|s| parse_status(s, lang))
            .transpose()?,
        kind: a.kind.as_deref().map(|k| parse_kind(k, lang)).transpose()?,
        mine: a.mine.then(|| actor.username.clone()),
        to_review_by: a.to_review.then(|| (actor.username.clone(), actor.role)),
        returned_for: a.returned.then(|| actor.username.clone()),
        active: !a.all && a.status.is_none(),
        ..InspectionQuery::default()
    };
    print_list(&store, &q, a.limit, a.format, lang)?;
    Ok(0)
}

fn print_list(
    store: &Store,
    q: &InspectionQuery,
    limit: Option<u64>,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    let mut out = super::visible::stdout(format == Format::Json);
    let mut csv_writer = (format == Format::Csv).then(|| {
        csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new())
    });
    let t = |k: &str| lang.t(&format!("inspections_cli.col_{k}")).to_string();
    match format {
        Format::Json => write!(out, "[")?,
        Format::Table => {}
        Format::Csv => {
            if let Some(c) = csv_writer.as_mut() {
                c.write_record(CSV_COLUMNS)?;
            }
        }
    }
    let mut table = Table::new(vec![
        Column::new(&t("number"), 20),
        Column::new(&t("contract_no"), 24),
        Column::new(&t("borrower"), 40),
        Column::new(&t("kind"), 20),
        Column::new(&t("mode"), 16),
        Column::new(&t("due_on"), 10),
        Column::new(&t("status"), 16),
        Column::new(&t("inspector"), 20),
        Column::new(&t("reviewer"), 20),
    ]);
    let mut from = PageFrom::Start;
    let mut seen = 0u64;
    let mut first = true;
    loop {
        let batch = 2000usize.min(limit.map_or(usize::MAX, |l| (l - seen) as usize));
        if batch == 0 {
            break;
        }
        let rows = store.inspection_page(q, &from, batch)?;
        for r in &rows {
            let j = InspectionJson::of(r);
            match format {
                Format::Json => {
                    write!(out, "{}\n  ", if first { "" } else { "," })?;
                    serde_json::to_writer(&mut out, &j)?;
                }
                Format::Csv => {
                    if let Some(c) = csv_writer.as_mut() {
                        c.write_record([
                            csv_text(j.number).as_ref(),
                            csv_text(j.contract_no).as_ref(),
                            csv_text(j.borrower_name).as_ref(),
                            j.kind,
                            j.mode,
                            j.due_on.as_str(),
                            j.status,
                            csv_text(j.inspector).as_ref(),
                            csv_text(j.reviewer.unwrap_or("")).as_ref(),
                        ])?;
                    }
                }
                Format::Table => table.row(
                    &mut out,
                    vec![
                        r.number.clone(),
                        r.contract_no.clone(),
                        r.borrower_name.clone(),
                        lang.code_name("inspection_kind", r.kind.code()),
                        lang.code_name("inspection_mode", r.mode.code()),
                        r.due_on.to_string(),
                        lang.code_name("inspection_status", r.status.code()),
                        j.inspector.to_string(),
                        j.reviewer.unwrap_or("").to_string(),
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
    match format {
        Format::Json => writeln!(out, "{}]", if first { "" } else { "\n" })?,
        Format::Csv => {
            if let Some(c) = csv_writer {
                out.write_all(&c.into_inner().map_err(|e| anyhow!("{e}"))?)?;
            }
        }
        Format::Table => table.finish_or(&mut out, lang.t("list.no_inspections"))?,
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn find(store: &Store, number: &str, lang: Lang) -> anyhow::Result<crate::store::Inspection> {
    store.inspection_by_number(number)?.ok_or_else(|| {
        anyhow!(
            "{}",
            lang.tf(
                "inspections_cli.not_found",
                &[("number", &sanitize(number))]
            )
        )
    })
}

fn checklist_config(ctx: &Context_, lang: Lang) -> anyhow::Result<Checklist> {
    ctx.config
        .checklist()
        .map_err(|e| anyhow!("{}", e.localized(lang)))
}

/// `postloan inspection checklist`: the configured items, needing no book.
fn print_checklist(ctx: &Context_, lang: Lang) -> anyhow::Result<i32> {
    let c = checklist_config(ctx, lang)?;
    if c.items.is_empty() {
        crate::outln!("{}", lang.t("inspections_cli.checklist_none"));
        return Ok(0);
    }
    let english = lang == Lang::En;
    crate::outln!(
        "{}  {}",
        lang.t("inspections_cli.checklist_head"),
        lang.tf("checklist.line_only", &[("line", &c.line.normalize())])
    );
    let mut table = Table::new(vec![
        Column::new(lang.t("inspections_cli.col_item"), 24),
        Column::new(lang.t("inspections_cli.col_item_name"), 40),
        Column::new(lang.t("inspections_cli.col_weight"), 8).right(),
    ]);
    let mut out = super::visible::stdout(false);
    for i in &c.items {
        table.row(
            &mut out,
            vec![
                i.code.clone(),
                i.name(english).to_string(),
                i.weight.to_string(),
            ],
        )?;
    }
    table.finish(&mut out)?;
    Ok(0)
}

/// `--item CODE=POINTS` and `--clear CODE` as the workflow takes them.
fn item_points(
    items: &[String],
    clear: &[String],
    checklist: &Checklist,
    lang: Lang,
) -> anyhow::Result<Vec<ItemPoints>> {
    let mut out = Vec::with_capacity(items.len() + clear.len());
    for it in items {
        let Some((code, points)) = it.split_once('=') else {
            let known: Vec<&str> = checklist.items.iter().map(|i| i.code.as_str()).collect();
            bail!(
                "{}",
                lang.tf(
                    "inspections_cli.bad_item",
                    &[("value", &sanitize(it)), ("known", &known.join(", "))]
                )
            );
        };
        out.push(ItemPoints {
            code: sanitize(code.trim()),
            points: Some(points.trim().to_string()),
        });
    }
    for c in clear {
        out.push(ItemPoints {
            code: sanitize(c.trim()),
            points: None,
        });
    }
    if out.is_empty() {
        bail!("{}", lang.t("inspections_cli.no_items"));
    }
    Ok(out)
}

/// The checklist of a report for `show --format json`: every configured item with its
/// weight and points (null: not scored).
fn checklist_json(checklist: &Checklist, data: &crate::store::ReportData) -> serde_json::Value {
    let rows: Vec<_> = workflow::inspection_checklist::rows(checklist, &data.checklist)
        .into_iter()
        .map(|(i, p)| {
            serde_json::json!({
                "item": i.code,
                "zh": i.zh,
                "en": i.en,
                "weight": i.weight,
                "points": p.map(|p| p.normalize().to_string()),
            })
        })
        .collect();
    serde_json::Value::Array(rows)
}

/// `postloan inspection …`.
pub fn run(cli: &Cli, ctx: &Context_, cmd: &InspectionCommand) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    if let InspectionCommand::Checklist = cmd {
        return print_checklist(ctx, lang);
    }
    let path = book_path(cli, ctx);
    let mut store = match cmd {
        InspectionCommand::Show { .. } => open_book_to_read(&path, lang)?,
        _ => open_book(&path, lang)?,
    };
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let today = book_today(&store)?;
    let done = |number: &str, key: &str| {
        crate::outln!(
            "{}",
            lang.tf(&format!("inspections_cli.{key}"), &[("number", &number)])
        );
    };
    match cmd {
        InspectionCommand::Start {
            contract_no,
            kind,
            mode,
            warning,
            focus,
            date,
            inspectors,
        } => {
            let kind = parse_kind(kind, lang)?;
            let mode = parse_code(
                mode,
                InspectionMode::parse,
                InspectionMode::accepted,
                "bad_mode",
                lang,
            )?;
            let number = flow::start(
                &mut store,
                &actor,
                &StartInspection {
                    contract_no,
                    kind,
                    mode,
                    warnings: warning,
                    focus,
                    inspected_on: *date,
                    inspectors,
                },
                today,
            )?;
            crate::outln!("{number}");
        }
        InspectionCommand::Write {
            number,
            section,
            text,
            file,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let s = Section::from_arg(section).ok_or_else(|| {
                super::usage(lang.tf(
                    "inspections_cli.bad_section",
                    &[("value", &sanitize(section))],
                ))
            })?;
            let body = match (text, file) {
                (Some(t), _) => t.clone(),
                (None, Some(f)) => read_text(f, lang)?,
                (None, None) => String::new(),
            };
            flow::write_section(&mut store, &actor, number, expected, s, &body)?;
            crate::outln!(
                "{}",
                lang.tf(
                    "inspections_cli.written",
                    &[("number", number), ("section", &lang.t(&s.key()))]
                )
            );
        }
        InspectionCommand::Measure {
            number,
            add,
            deadline,
            owner,
            note,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let measure = parse_code(add, Measure::parse, Measure::accepted, "bad_measure", lang)?;
            let m = MeasureEntry {
                measure,
                deadline: *deadline,
                owner: owner.clone(),
                note: note.clone(),
            };
            flow::add_measure(&mut store, &actor, number, expected, &m)?;
            done(number, "measured");
        }
        InspectionCommand::ProposeClass {
            number,
            class,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let c = Classification::parse(class).ok_or_else(|| {
                super::usage(lang.tf(
                    "cli.bad_class",
                    &[
                        ("class", &sanitize(class)),
                        ("accepted", &Classification::accepted()),
                    ],
                ))
            })?;
            flow::propose_class(&mut store, &actor, number, expected, c)?;
            done(number, "proposed");
        }
        InspectionCommand::Attach {
            number,
            file,
            note,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let cfg = plan_config(ctx, lang)?;
            let a = flow::attach(
                &mut store,
                &actor,
                number,
                expected,
                file,
                note,
                cfg.evidence_max_bytes,
            )?;
            let key = if a.new_link {
                "inspections_cli.attached"
            } else {
                "inspections_cli.attached_already"
            };
            crate::outln!(
                "{}",
                lang.tf(
                    key,
                    &[("number", number), ("sha256", &a.sha256), ("size", &a.size)]
                )
            );
        }
        InspectionCommand::Submit {
            number,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let cfg = plan_config(ctx, lang)?;
            flow::submit(&mut store, &actor, number, expected, &cfg, today)?;
            done(number, "submitted");
        }
        InspectionCommand::Approve {
            number,
            comment,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let checklist = checklist_config(ctx, lang)?;
            match flow::approve(
                &mut store, &actor, number, expected, comment, today, lang, &checklist,
            )? {
                Approval::AwaitsSecond => done(number, "awaits_second"),
                Approval::Approved { document, warning } => {
                    crate::outln!(
                        "{}",
                        lang.tf(
                            "inspections_cli.approved",
                            &[("number", number), ("document", &document)]
                        )
                    );
                    if let Some(w) = warning {
                        crate::outln!(
                            "{}",
                            lang.tf(
                                "inspections_cli.score_warning",
                                &[("number", number), ("warning", &w)]
                            )
                        );
                    }
                }
            }
        }
        InspectionCommand::Score {
            number,
            items,
            clear,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let checklist = checklist_config(ctx, lang)?;
            let points = item_points(items, clear, &checklist, lang)?;
            let score = workflow::inspection_checklist::score(
                &mut store, &actor, number, expected, &points, &checklist,
            )?;
            crate::outln!(
                "{}",
                lang.tf(
                    "inspections_cli.scored",
                    &[
                        ("number", number),
                        (
                            "score",
                            &workflow::inspection_checklist::score_text(score, &checklist, lang)
                        )
                    ]
                )
            );
        }
        InspectionCommand::Checklist => {}
        InspectionCommand::Return {
            number,
            comment,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            flow::return_report(&mut store, &actor, number, expected, comment, today)?;
            done(number, "returned");
        }
        InspectionCommand::Amend {
            number,
            reason,
            expected_version,
        } => {
            let expected = parse_version(expected_version, lang)?;
            let rv = flow::amend(&mut store, &actor, number, expected, reason, today)?;
            crate::outln!(
                "{}",
                lang.tf(
                    "inspections_cli.amended",
                    &[("number", number), ("version", &rv)]
                )
            );
        }
        InspectionCommand::Show { number, format } => {
            let i = find(&store, number, lang)?;
            let data = store.inspection_report(i.row.id, None)?.ok_or_else(|| {
                anyhow!(
                    "{}",
                    lang.tf("inspections_cli.not_found", &[("number", number)])
                )
            })?;
            let checklist = checklist_config(ctx, lang)?;
            match format {
                ShowFormat::Md => crate::out!(
                    "{}",
                    workflow::inspection_report::markdown(&data, lang, &checklist)
                ),
                ShowFormat::Json => {
                    let sections: Vec<_> = Section::ALL
                        .iter()
                        .map(|s| {
                            let body = data
                                .sections
                                .iter()
                                .find(|(n, _)| *n == s.number())
                                .map(|(_, b)| b.as_str())
                                .unwrap_or("");
                            serde_json::json!({"section": s.number(), "code": s.code(), "body": body})
                        })
                        .collect();
                    crate::outln!(
                        "{}",
                        super::visible::json(&serde_json::to_string_pretty(&serde_json::json!({
                            "inspection": data.inspection,
                            "report_version": data.report_version,
                            "sections": sections,
                            "measures": data.measures,
                            "evidence": data.evidence,
                            "warnings": data.warnings,
                            "reviews": data.reviews,
                            "checklist": checklist_json(&checklist, &data),
                            "checklist_score": match checklist.score(&data.checklist) {
                                Score::Complete(s) => Some(s.normalize().to_string()),
                                _ => None,
                            },
                            "checklist_line": checklist.line.normalize().to_string(),
                        }))?)
                    );
                }
            }
        }
    }
    Ok(0)
}

/// A section's text from a file: UTF-8, or a clear error naming the file.
pub(super) fn read_text(path: &std::path::Path, lang: Lang) -> anyhow::Result<String> {
    let bytes = crate::user_rights::read(path).map_err(|e| {
        anyhow!(
            "{}",
            lang.tf(
                "inspections_cli.err_read",
                &[
                    ("path", &path.display()),
                    ("reason", &crate::extract::io_reason(&e, lang))
                ]
            )
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        anyhow!(
            "{}",
            lang.tf(
                "inspections_cli.err_utf8",
                &[("path", &path.display()), ("offset", &at)]
            )
        )
    })
}

/// `postloan report inspection NUMBER`.
pub fn report(cli: &Cli, ctx: &Context_, cmd: &ReportCommand) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let ReportCommand::Inspection {
        number,
        format,
        output,
    } = cmd;
    let path = book_path(cli, ctx);
    let store = open_book_to_read(&path, lang)?;
    workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let i = find(&store, number, lang)?;
    let data = store.inspection_report(i.row.id, None)?.ok_or_else(|| {
        anyhow!(
            "{}",
            lang.tf("inspections_cli.not_found", &[("number", number)])
        )
    })?;
    let checklist = checklist_config(ctx, lang)?;
    let text = match format {
        ReportFormat::Md => workflow::inspection_report::markdown(&data, lang, &checklist),
        ReportFormat::Html => workflow::inspection_report::html(&data, lang, &checklist),
    };
    match output {
        Some(file) => {
            crate::user_rights::write(file, text.as_bytes()).map_err(|e| {
                anyhow!(
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
    Ok(0)
}
