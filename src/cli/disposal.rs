//! `postloan cases`, `disposal`, `case …`, `action …` and `escalate`: risk cases and their
//! actions for scripts (paged through the store, never the whole book), each disposal step,
//! and the nightly escalation check.

use super::table::{Column, Table};
use super::{Cli, Context_, Format, book_path, book_today, csv_text, open_book, open_book_to_read};
use crate::domain::disposal::{ActionKind, ActionMove, ActionStatus, CaseStatus, PlanKind};
use crate::domain::text::sanitize;
use crate::domain::warning::Level;
use crate::i18n::Lang;
use crate::store::{ActionFilter, ActionRow, CaseDetail, CaseFilter, CaseRow, PageFrom, Store};
use crate::workflow;
use crate::workflow::disposal::{self as flow, AddAction, Decision, DisposalSettings, NewPlan};
use anyhow::anyhow;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
pub struct CasesArgs {
    /// red, orange or yellow.
    #[arg(long)]
    pub level: Option<String>,
    /// open (default) or closed.
    #[arg(long)]
    pub status: Option<String>,
    /// Only this officer's cases.
    #[arg(long, value_name = "USER")]
    pub officer: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// At most this many rows.
    #[arg(value_parser = super::numbers::limit, allow_negative_numbers = true, long)]
    pub limit: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DisposalArgs {
    /// Only open actions past their deadline.
    #[arg(long)]
    pub overdue: bool,
    /// Only actions this user carries out.
    #[arg(long, value_name = "USER")]
    pub owner: Option<String>,
    /// Only your own actions.
    #[arg(long)]
    pub mine: bool,
    /// One case's actions (its number).
    #[arg(long, value_name = "NUMBER")]
    pub case: Option<String>,
    /// The case's level: red, orange or yellow.
    #[arg(long)]
    pub level: Option<String>,
    /// planned, in_progress, done, failed or cancelled (default: the open ones).
    #[arg(long)]
    pub status: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// At most this many rows.
    #[arg(value_parser = super::numbers::limit, allow_negative_numbers = true, long)]
    pub limit: Option<u64>,
}

/// How `case show` prints.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShowFormat {
    Md,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// A case in full: warnings, loans, plans, actions, notes, progress, history, documents.
    Show {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Md)]
        format: ShowFormat,
    },
    /// Make a plan: explanation (yellow), rectification (orange) or emergency (red).
    Plan {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// explanation, rectification or emergency (书面说明, 整改方案, 应急预案).
        #[arg(long)]
        kind: String,
        /// The plan in short.
        #[arg(long)]
        summary: String,
        /// Due date (default: today plus the configured days of the kind).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        due: Option<NaiveDate>,
        /// Refuse if the case's version is no longer N (as `case show` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Submit a draft rectification or emergency plan for approval.
    Submit {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The plan's id (default: the case's latest draft).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "ID")]
        plan: Option<i64>,
        /// Refuse if the case's version is no longer N (as `case show` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Approve a submitted plan (rectification: a supervisor; emergency: a manager; never the proposer).
    Approve {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The plan's id (default: the case's latest plan).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "ID")]
        plan: Option<i64>,
        /// The approver's comment.
        #[arg(long, default_value = "")]
        comment: String,
        /// Refuse if the case's version is no longer N (as `case show` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Reject a submitted plan, with a reason.
    Reject {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The plan's id (default: the case's latest plan).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "ID")]
        plan: Option<i64>,
        /// Why the plan is rejected.
        #[arg(long)]
        reason: String,
        /// Refuse if the case's version is no longer N (as `case show` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Record the borrower's written explanation: when it arrived and what it says.
    Explanation {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The day the written explanation arrived.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        arrived: NaiveDate,
        /// What the written explanation says, in short.
        #[arg(long)]
        summary: String,
    },
    /// Write a progress report under its four headings.
    Progress {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The signal's state now.
        #[arg(long)]
        state: String,
        /// The effect of the measures.
        #[arg(long)]
        effect: String,
        /// Problems met.
        #[arg(long)]
        problems: String,
        /// Next steps.
        #[arg(long)]
        next: String,
    },
    /// Mark the approved rectification failed (a supervisor's finding): the case escalates.
    FailPlan {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The plan's id (default: the case's latest plan).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "ID")]
        plan: Option<i64>,
        /// Why the rectification is judged failed.
        #[arg(long)]
        reason: String,
    },
    /// Record money recovered on a loan of the case: --amount is the principal (it comes off
    /// the outstanding); interest and costs are recorded beside it.
    Recover {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// The principal recovered (comes off the loan's outstanding); 0 or more (not negative).
        #[arg(long, allow_negative_numbers = true)]
        amount: String,
        /// repayment, collateral, guarantor or court.
        #[arg(long)]
        kind: String,
        /// The loan (default: the case's only loan with a balance).
        #[arg(long, value_name = "CONTRACT")]
        contract: Option<String>,
        /// Interest recovered.
        #[arg(long, allow_negative_numbers = true)]
        interest: Option<String>,
        /// Costs recovered.
        #[arg(long, allow_negative_numbers = true)]
        costs: Option<String>,
        /// The day the money came in (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: Option<NaiveDate>,
        /// A note.
        #[arg(long, default_value = "")]
        note: String,
        /// Output format: table or json.
        #[arg(long, value_enum, default_value_t = EscalateFormat::Table)]
        format: EscalateFormat,
    },
    /// Close the case with a reason (its warnings resolved or dismissed, no action open).
    Close {
        /// The risk case's number (e.g. CZ2026-000001).
        number: String,
        /// Why the case is closed.
        #[arg(long)]
        reason: String,
        /// Refuse if the case's version is no longer N (as `case show` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action to a case; prints its id, the measure, its owner and due date.
    Add {
        /// The risk case's number.
        case: String,
        /// explanation, rectification_measure, additional_collateral, stop_drawdown,
        /// early_recall, legal_action, asset_preservation, asset_watch, other (or Chinese).
        #[arg(long)]
        kind: String,
        /// What the action is.
        #[arg(long)]
        title: String,
        /// Who carries the action out (user name).
        #[arg(long, value_name = "USER")]
        owner: String,
        /// The deadline (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        deadline: NaiveDate,
        /// The loan it concerns (a contract of the case's borrower).
        #[arg(long, value_name = "CONTRACT")]
        contract: Option<String>,
        /// The plan it carries out (default: the case's latest open plan).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "ID")]
        plan: Option<i64>,
    },
    /// Add a progress note to an action.
    Progress {
        /// The action's id (from `postloan disposal`).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true)]
        id: i64,
        /// The progress note.
        #[arg(long)]
        note: String,
        /// Refuse if the action's version is no longer N (as `disposal --format json` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Start an action.
    Start {
        /// The action's id (from `postloan disposal`).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true)]
        id: i64,
        /// A note on the start.
        #[arg(long, default_value = "")]
        outcome: String,
        /// Refuse if the action's version is no longer N (as `disposal --format json` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Mark an action done.
    Done {
        /// The action's id (from `postloan disposal`).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true)]
        id: i64,
        /// What came of it.
        #[arg(long, default_value = "")]
        outcome: String,
        /// Refuse if the action's version is no longer N (as `disposal --format json` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Mark an action failed (the outcome says why).
    Fail {
        /// The action's id (from `postloan disposal`).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true)]
        id: i64,
        /// Why it failed.
        #[arg(long, default_value = "")]
        outcome: String,
        /// Refuse if the action's version is no longer N (as `disposal --format json` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Cancel an action (the outcome says why).
    Cancel {
        /// The action's id (from `postloan disposal`).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true)]
        id: i64,
        /// Why it is cancelled.
        #[arg(long, default_value = "")]
        outcome: String,
        /// Refuse if the action's version is no longer N (as `disposal --format json` printed it).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, long, value_name = "N")]
        expected_version: Option<i64>,
    },
    /// Turn the measures of an approved inspection report into actions of the case.
    FromInspection {
        /// The risk case's number.
        case: String,
        /// The inspection's number (an approved report).
        #[arg(long, value_name = "NUMBER")]
        inspection: String,
    },
}

/// `postloan escalate`'s format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EscalateFormat {
    Table,
    Json,
}

/// A case as `cases --format json|csv` writes it (the contract scripts rely on).
#[derive(Debug, Serialize)]
struct CaseJson<'a> {
    number: &'a str,
    borrower_code: &'a str,
    borrower_name: &'a str,
    level: &'static str,
    warnings: u64,
    loans: u64,
    exposure: String,
    officer: &'a str,
    opened_on: String,
    next_deadline: Option<String>,
    status: &'static str,
}

impl<'a> CaseJson<'a> {
    fn of(c: &'a CaseRow) -> Self {
        CaseJson {
            number: &c.number,
            borrower_code: &c.borrower_code,
            borrower_name: &c.borrower_name,
            level: c.level.code(),
            warnings: c.warnings,
            loans: c.loans,
            exposure: format!("{:.2}", c.exposure),
            officer: &c.officer,
            opened_on: c.opened_on.to_string(),
            next_deadline: c.next_deadline.map(|d| d.to_string()),
            status: c.status.code(),
        }
    }
}

/// The CSV header of `cases`: the JSON fields, in order.
pub const CASE_COLUMNS: [&str; 11] = [
    "number",
    "borrower_code",
    "borrower_name",
    "level",
    "warnings",
    "loans",
    "exposure",
    "officer",
    "opened_on",
    "next_deadline",
    "status",
];

/// An action as `disposal --format json|csv` writes it.
#[derive(Debug, Serialize)]
struct ActionJson<'a> {
    id: i64,
    case: &'a str,
    contract_no: Option<&'a str>,
    kind: &'static str,
    owner: &'a str,
    deadline: String,
    status: &'static str,
    overdue_days: i64,
}

impl<'a> ActionJson<'a> {
    fn of(a: &'a ActionRow, today: NaiveDate) -> Self {
        ActionJson {
            id: a.id,
            case: &a.case_number,
            contract_no: a.contract_no.as_deref(),
            kind: a.kind.code(),
            owner: &a.owner,
            deadline: a.deadline.to_string(),
            status: a.status.code(),
            overdue_days: a.overdue_days(today),
        }
    }
}

/// The CSV header of `disposal`: the JSON fields, in order.
pub const ACTION_COLUMNS: [&str; 8] = [
    "id",
    "case",
    "contract_no",
    "kind",
    "owner",
    "deadline",
    "status",
    "overdue_days",
];

/// A code argument read by `parse`, refused naming the value and the accepted codes.
/// (A bad value on the command line: exit status 2, as clap's own.)
fn parse_code<T>(
    s: &str,
    parse: impl Fn(&str) -> Option<T>,
    accepted: &str,
    flag: &str,
    lang: Lang,
) -> anyhow::Result<T> {
    parse(s).ok_or_else(|| {
        anyhow::Error::new(super::UsageError(lang.tf(
            "disposal_cli.bad_code",
            &[
                ("flag", &flag),
                ("value", &sanitize(s)),
                ("accepted", &accepted),
            ],
        )))
    })
}

fn parse_level(s: &str, lang: Lang) -> anyhow::Result<Level> {
    parse_code(s, Level::parse, "red, orange, yellow", "--level", lang)
}

pub(crate) fn settings(ctx: &Context_, lang: Lang) -> anyhow::Result<DisposalSettings> {
    ctx.config
        .disposal
        .settings()
        .map_err(|e| anyhow!("{}", e.localized(lang)))
}

/// Rows of a keyset-paged list, a page at a time, up to `limit`.
fn each_page<R>(
    limit: Option<u64>,
    mut page: impl FnMut(&PageFrom, usize) -> anyhow::Result<Vec<R>>,
    key: impl Fn(&R) -> crate::store::PageKey,
    mut each: impl FnMut(&R) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut from = PageFrom::Start;
    let mut seen = 0u64;
    loop {
        let batch = 2000usize.min(limit.map_or(usize::MAX, |l| (l - seen) as usize));
        if batch == 0 {
            return Ok(());
        }
        let rows = page(&from, batch)?;
        for r in &rows {
            each(r)?;
        }
        seen += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() == batch => from = PageFrom::After(key(last)),
            _ => return Ok(()),
        }
    }
}

/// `postloan cases`.
pub fn cases(cli: &Cli, ctx: &Context_, a: &CasesArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    let store = open_book_to_read(&path, lang)?;
    workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    super::filters::staff_name(&store, "--officer", a.officer.as_deref(), false, lang)?;
    let today = book_today(&store)?;
    let f = CaseFilter {
        status: match a.status.as_deref() {
            None => CaseStatus::Open,
            Some(s) => parse_code(s, CaseStatus::parse, "open, closed", "--status", lang)?,
        },
        level: a
            .level
            .as_deref()
            .map(|l| parse_level(l, lang))
            .transpose()?,
        officer: a.officer.clone(),
    };
    let mut out = super::visible::stdout(a.format == Format::Json);
    let mut csv = (a.format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    let t = |k: &str| lang.t(&format!("disposal_cli.col_{k}")).to_string();
    match a.format {
        Format::Json => write!(out, "[")?,
        Format::Csv => {
            if let Some(c) = csv.as_mut() {
                c.write_record(CASE_COLUMNS)?;
            }
        }
        Format::Table => {}
    }
    let mut table = Table::new(vec![
        Column::new(&t("number"), 20),
        Column::new(&t("borrower"), 40),
        Column::new(&t("level"), 12),
        Column::new(&t("warnings"), 10).right(),
        Column::new(&t("loans"), 10).right(),
        Column::new(&t("exposure"), 24).right(),
        Column::new(&t("officer"), 20),
        Column::new(&t("opened_on"), 10),
        Column::new(&t("age"), 8).right(),
        Column::new(&t("next_deadline"), 10),
    ]);
    let mut first = true;
    each_page(
        a.limit,
        |from, n| Ok(store.cases_page(&f, from, n)?),
        CaseRow::key,
        |c| {
            let j = CaseJson::of(c);
            match a.format {
                Format::Json => {
                    write!(out, "{}\n  ", if first { "" } else { "," })?;
                    serde_json::to_writer(&mut out, &j)?;
                }
                Format::Csv => {
                    if let Some(w) = csv.as_mut() {
                        w.write_record([
                            csv_text(j.number).as_ref(),
                            csv_text(j.borrower_code).as_ref(),
                            csv_text(j.borrower_name).as_ref(),
                            j.level,
                            &j.warnings.to_string(),
                            &j.loans.to_string(),
                            &j.exposure,
                            csv_text(j.officer).as_ref(),
                            &j.opened_on,
                            j.next_deadline.as_deref().unwrap_or(""),
                            j.status,
                        ])?;
                    }
                }
                Format::Table => table.row(
                    &mut out,
                    vec![
                        c.number.clone(),
                        c.borrower_name.clone(),
                        lang.code_name("level", c.level.code()),
                        c.warnings.to_string(),
                        c.loans.to_string(),
                        crate::domain::money::format_money(c.exposure, "CNY"),
                        c.officer.clone(),
                        c.opened_on.to_string(),
                        c.age_days(today).to_string(),
                        c.next_deadline.map(|d| d.to_string()).unwrap_or_default(),
                    ],
                )?,
            }
            first = false;
            Ok(())
        },
    )?;
    if a.format == Format::Table {
        table.finish_or(&mut out, lang.t("disposal_cli.no_cases"))?;
    }
    finish(out, csv, a.format, first)
}

/// Closes a JSON array or writes the CSV; a closed pipe is a normal end.
fn finish(
    mut out: impl Write,
    csv: Option<csv::Writer<Vec<u8>>>,
    format: Format,
    empty: bool,
) -> anyhow::Result<i32> {
    match format {
        Format::Json => writeln!(out, "{}]", if empty { "" } else { "\n" })?,
        Format::Csv => {
            if let Some(c) = csv {
                out.write_all(&c.into_inner().map_err(|e| anyhow!("{e}"))?)?;
            }
        }
        Format::Table => {}
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        other => {
            other?;
            Ok(0)
        }
    }
}

/// `postloan disposal`: actions, open ones first, each by deadline.
pub fn actions(cli: &Cli, ctx: &Context_, a: &DisposalArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    let store = open_book_to_read(&path, lang)?;
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    super::filters::staff_name(&store, "--owner", a.owner.as_deref(), false, lang)?;
    super::filters::case_number(&store, "--case", a.case.as_deref(), lang)?;
    let today = book_today(&store)?;
    let f = ActionFilter {
        level: a
            .level
            .as_deref()
            .map(|l| parse_level(l, lang))
            .transpose()?,
        owner: a.owner.clone(),
        status: a
            .status
            .as_deref()
            .map(|s| {
                parse_code(
                    s,
                    ActionStatus::parse,
                    "planned, in_progress, done, failed, cancelled",
                    "--status",
                    lang,
                )
            })
            .transpose()?,
        mine: a.mine.then(|| actor.username.clone()),
        overdue_on: a.overdue.then_some(today),
        case: a.case.clone(),
    };
    let mut out = super::visible::stdout(a.format == Format::Json);
    let mut csv = (a.format == Format::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    let t = |k: &str| lang.t(&format!("disposal_cli.col_{k}")).to_string();
    match a.format {
        Format::Json => write!(out, "[")?,
        Format::Csv => {
            if let Some(c) = csv.as_mut() {
                c.write_record(ACTION_COLUMNS)?;
            }
        }
        Format::Table => {}
    }
    let mut table = Table::new(vec![
        Column::new(&t("id"), 10),
        Column::new(&t("number"), 20),
        Column::new(&t("contract_no"), 24),
        Column::new(&t("kind"), 36),
        Column::new(&t("title"), 40),
        Column::new(&t("owner"), 20),
        Column::new(&t("deadline"), 10),
        Column::new(&t("status"), 12),
        Column::new(&t("overdue_days"), 8).right(),
    ]);
    let mut first = true;
    each_page(
        a.limit,
        |from, n| Ok(store.actions_page(&f, from, n)?),
        ActionRow::key,
        |r| {
            let j = ActionJson::of(r, today);
            match a.format {
                Format::Json => {
                    write!(out, "{}\n  ", if first { "" } else { "," })?;
                    serde_json::to_writer(&mut out, &j)?;
                }
                Format::Csv => {
                    if let Some(w) = csv.as_mut() {
                        w.write_record([
                            j.id.to_string().as_str(),
                            csv_text(j.case).as_ref(),
                            csv_text(j.contract_no.unwrap_or("")).as_ref(),
                            j.kind,
                            csv_text(j.owner).as_ref(),
                            &j.deadline,
                            j.status,
                            &j.overdue_days.to_string(),
                        ])?;
                    }
                }
                Format::Table => table.row(
                    &mut out,
                    vec![
                        format!("#{}", r.id),
                        r.case_number.clone(),
                        r.contract_no.clone().unwrap_or_default(),
                        lang.code_name("action_kind", r.kind.code()),
                        r.title.clone(),
                        r.owner.clone(),
                        r.deadline.to_string(),
                        lang.code_name("action_status", r.status.code()),
                        match j.overdue_days {
                            0 => String::new(),
                            d => d.to_string(),
                        },
                    ],
                )?,
            }
            first = false;
            Ok(())
        },
    )?;
    if a.format == Format::Table {
        table.finish_or(&mut out, lang.t("disposal_cli.no_actions"))?;
    }
    finish(out, csv, a.format, first)
}

/// A case in full as JSON.
fn detail_json(d: &CaseDetail, today: NaiveDate) -> serde_json::Value {
    let c = &d.case;
    let mut head = serde_json::to_value(CaseJson::of(c)).unwrap_or_default();
    if let Some(o) = head.as_object_mut() {
        o.insert("version".into(), c.version.into());
        o.insert("emergency_needed".into(), c.emergency_needed.into());
        o.insert(
            "escalated_on".into(),
            c.escalated_on.map(|x| x.to_string()).into(),
        );
        o.insert(
            "closed_on".into(),
            c.closed_on.map(|x| x.to_string()).into(),
        );
        o.insert("close_reason".into(), c.close_reason.clone().into());
        o.insert(
            "warnings_list".into(),
            d.warnings
                .iter()
                .map(|w| {
                    serde_json::json!({"number": w.number, "contract_no": w.contract_no,
                        "indicator": w.indicator, "level": w.level.code(),
                        "status": w.status.code(), "raised_on": w.raised_on.to_string(),
                        "joined_on": w.joined_on.to_string()})
                })
                .collect(),
        );
        o.insert(
            "loans_list".into(),
            d.loans
                .iter()
                .map(|l| {
                    serde_json::json!({"contract_no": l.contract_no,
                        "outstanding": format!("{:.2}", l.outstanding),
                        "classification": l.classification.code(),
                        "tracking_frequency": l.tracking_frequency, "officer": l.officer,
                        "overdue_days": l.overdue_days})
                })
                .collect(),
        );
        o.insert(
            "plans".into(),
            d.plans
                .iter()
                .map(|p| {
                    serde_json::json!({"id": p.id, "kind": p.kind.code(), "status": p.status.code(),
                        "summary": p.summary, "due_on": p.due_on.map(|x| x.to_string()),
                        "arrived_on": p.arrived_on.map(|x| x.to_string()), "arrival": p.arrival,
                        "proposer": p.proposer, "approver": p.approver, "reason": p.reason,
                        "version": p.version})
                })
                .collect(),
        );
        o.insert(
            "actions".into(),
            d.actions
                .iter()
                .map(|a| {
                    let mut v = serde_json::to_value(ActionJson::of(a, today)).unwrap_or_default();
                    if let Some(m) = v.as_object_mut() {
                        m.insert("title".into(), a.title.clone().into());
                        m.insert("outcome".into(), a.outcome.clone().into());
                        m.insert("plan".into(), a.plan_id.into());
                        m.insert("source".into(), a.source.clone().into());
                        m.insert("version".into(), a.version.into());
                    }
                    v
                })
                .collect(),
        );
        o.insert(
            "notes".into(),
            d.notes
                .iter()
                .map(|n| {
                    serde_json::json!({"action": n.action_id, "on": n.on_date.to_string(),
                        "note": n.note, "author": n.author})
                })
                .collect(),
        );
        o.insert(
            "progress".into(),
            d.progress
                .iter()
                .map(|p| {
                    serde_json::json!({"on": p.on_date.to_string(), "signal_now": p.signal_now,
                        "effect": p.effect, "problems": p.problems, "next_steps": p.next_steps,
                        "author": p.author})
                })
                .collect(),
        );
        o.insert(
            "events".into(),
            d.events
                .iter()
                .map(|e| {
                    serde_json::json!({"at": e.at, "on": e.on_date.to_string(), "actor": e.actor,
                        "event": e.event, "ref": e.reference, "note": e.note})
                })
                .collect(),
        );
        o.insert(
            "documents".into(),
            d.documents
                .iter()
                .map(|x| {
                    serde_json::json!({"number": x.number, "kind": x.kind, "title": x.title,
                        "lang": x.lang, "sha256": x.sha256})
                })
                .collect(),
        );
    }
    head
}

/// The outcomes (recoveries, legal clocks) of the case's loans, each list bounded by the store.
fn loan_outcomes(
    store: &Store,
    d: &CaseDetail,
    rules: &crate::domain::legal::LegalClockRules,
) -> anyhow::Result<Vec<crate::store::LoanOutcomes>> {
    let mut out = Vec::new();
    for l in &d.loans {
        if let Some(loan) = store.outcome_loan(&l.contract_no)?
            && let Some(o) = store.loan_outcomes(loan.id, rules)?
        {
            out.push(o);
        }
    }
    Ok(out)
}

fn recoveries_json(outcomes: &[crate::store::LoanOutcomes]) -> serde_json::Value {
    outcomes
        .iter()
        .flat_map(|o| {
            o.recoveries.iter().map(|r| {
                serde_json::json!({"id": r.id, "contract_no": o.loan.contract_no,
                    "on": r.on.to_string(), "kind": r.kind.code(),
                    "principal": format!("{:.2}", r.principal),
                    "interest": format!("{:.2}", r.interest),
                    "costs": format!("{:.2}", r.costs), "by": r.created_by,
                    "after_write_off": r.after_write_off})
            })
        })
        .collect()
}

fn clocks_json(outcomes: &[crate::store::LoanOutcomes], today: NaiveDate) -> serde_json::Value {
    outcomes
        .iter()
        .flat_map(|o| {
            o.clocks.iter().map(|c| {
                serde_json::json!({"contract_no": o.loan.contract_no, "clock": c.kind.code(),
                    "source": c.source.code(), "started_on": c.started_on.to_string(),
                    "ends_on": c.ends_on.to_string(), "days_left": c.days_left(today)})
            })
        })
        .collect()
}

/// `postloan case …`.
pub fn case(cli: &Cli, ctx: &Context_, cmd: &CaseCommand) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    if let CaseCommand::Show { number, format } = cmd {
        let store = open_book_to_read(&path, lang)?;
        workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
        let today = book_today(&store)?;
        let d = find(&store, number, lang)?;
        let outcomes = loan_outcomes(&store, &d, &super::outcomes::clock_rules(ctx, lang)?)?;
        match format {
            ShowFormat::Json => {
                let mut v = detail_json(&d, today);
                if let Some(o) = v.as_object_mut() {
                    o.insert("recoveries".into(), recoveries_json(&outcomes));
                    o.insert("clocks".into(), clocks_json(&outcomes, today));
                }
                crate::outln!(
                    "{}",
                    super::visible::json(&serde_json::to_string_pretty(&v)?)
                )
            }
            ShowFormat::Md => crate::out!(
                "{}{}",
                workflow::disposal_record::case_md(&d, today, lang),
                workflow::disposal_record::outcomes_md(&outcomes, today, lang)
            ),
        }
        return Ok(0);
    }
    let mut store = open_book(&path, lang)?;
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let today = book_today(&store)?;
    let said = |key: &str, args: &[(&str, &dyn std::fmt::Display)]| {
        crate::outln!("{}", lang.tf(&format!("disposal_cli.{key}"), args));
    };
    match cmd {
        CaseCommand::Show { .. } => {}
        CaseCommand::Plan {
            number,
            kind,
            summary,
            due,
            expected_version,
        } => {
            let kind = parse_code(
                kind,
                PlanKind::parse,
                "explanation, rectification, emergency",
                "--kind",
                lang,
            )?;
            let id = flow::plan(
                &mut store,
                &actor,
                &NewPlan {
                    case: number,
                    kind,
                    summary,
                    due: *due,
                    expected_version: *expected_version,
                },
                &settings(ctx, lang)?,
                today,
            )?;
            said(
                "planned",
                &[
                    ("id", &id),
                    ("kind", &lang.code_name("plan_kind", kind.code())),
                    ("number", number),
                ],
            );
        }
        CaseCommand::Submit {
            number,
            plan,
            expected_version,
        } => {
            let id = flow::submit(&mut store, &actor, number, *plan, *expected_version, today)?;
            said("submitted", &[("id", &id), ("number", number)]);
        }
        CaseCommand::Approve {
            number,
            plan,
            comment,
            expected_version,
        } => {
            let (id, notice) = flow::decide_plan(
                &mut store,
                &actor,
                number,
                *plan,
                Decision::Approve,
                comment,
                *expected_version,
                today,
                lang,
            )?;
            let kind = plan_kind_name(&store, id, number, lang);
            said(
                "approved",
                &[("id", &id), ("kind", &kind), ("number", number)],
            );
            if let Some(n) = notice {
                said("notice", &[("document", &n)]);
            }
        }
        CaseCommand::Reject {
            number,
            plan,
            reason,
            expected_version,
        } => {
            let (id, _) = flow::decide_plan(
                &mut store,
                &actor,
                number,
                *plan,
                Decision::Reject,
                reason,
                *expected_version,
                today,
                lang,
            )?;
            let kind = plan_kind_name(&store, id, number, lang);
            said(
                "rejected",
                &[("id", &id), ("kind", &kind), ("number", number)],
            );
        }
        CaseCommand::Explanation {
            number,
            arrived,
            summary,
        } => {
            flow::record_explanation(&mut store, &actor, number, *arrived, summary, today)?;
            said("explained", &[("number", number), ("date", arrived)]);
        }
        CaseCommand::Progress {
            number,
            state,
            effect,
            problems,
            next,
        } => {
            flow::progress(
                &mut store,
                &actor,
                number,
                &flow::Progress {
                    signal_now: state,
                    effect,
                    problems,
                    next_steps: next,
                },
                today,
                lang,
            )?;
            said("progressed", &[("number", number)]);
        }
        CaseCommand::FailPlan {
            number,
            plan,
            reason,
        } => {
            let cfg = ctx
                .config
                .plan()
                .map_err(|e| anyhow!("{}", e.localized(lang)))?;
            let r = flow::fail_plan(&mut store, &actor, number, *plan, reason, today, Some(&cfg))?;
            let id = r.plans_failed.first().map(|(_, id)| *id).or(*plan);
            said(
                "failed",
                &[
                    ("number", number),
                    ("id", &id.map(|i| i.to_string()).unwrap_or_default()),
                ],
            );
            for line in escalated_lines(&r, lang) {
                crate::outln!("{line}");
            }
        }
        CaseCommand::Recover {
            number,
            amount,
            kind,
            contract,
            interest,
            costs,
            on,
            note,
            format,
        } => {
            use crate::domain::money::format_money;
            use crate::domain::recovery::{RecoveryAmounts, RecoveryKind};
            let kind = parse_code(
                kind,
                RecoveryKind::parse,
                "repayment, collateral, guarantor, court",
                "--kind",
                lang,
            )?;
            let optional = |v: &Option<String>, flag: &str| match v {
                Some(t) => super::outcomes::amount(t, flag, lang),
                None => Ok(rust_decimal::Decimal::ZERO),
            };
            let amounts = RecoveryAmounts {
                principal: super::outcomes::amount(amount, "--amount", lang)?,
                interest: optional(interest, "--interest")?,
                costs: optional(costs, "--costs")?,
            };
            let on = on.unwrap_or(today);
            let rules = crate::config::warning_rules(ctx.explicit_config.as_deref(), &ctx.dirs)?;
            let change = workflow::outcomes::record_case_recovery(
                &mut store,
                &actor,
                &workflow::outcomes::CaseRecoveryInput {
                    case: number,
                    contract: contract.as_deref(),
                    on,
                    kind,
                    amounts,
                    note,
                },
                &rules,
                today,
            )?;
            let c = &change.currency;
            match format {
                EscalateFormat::Json => {
                    let v = serde_json::json!({
                        "id": change.id,
                        "case": number.trim(),
                        "contract_no": change.contract_no,
                        "kind": kind.code(),
                        "on": on.to_string(),
                        "principal": format!("{:.2}", amounts.principal),
                        "interest": format!("{:.2}", amounts.interest),
                        "costs": format!("{:.2}", amounts.costs),
                        "total": format!("{:.2}", amounts.total()),
                        "currency": c,
                        "outstanding_before": format!("{:.2}", change.outstanding_before),
                        "outstanding_after": format!("{:.2}", change.outstanding_after),
                        "status": change.status.code(),
                    });
                    crate::outln!(
                        "{}",
                        super::visible::json(&serde_json::to_string_pretty(&v)?)
                    );
                }
                EscalateFormat::Table => crate::outln!(
                    "{}",
                    lang.tf(
                        change.recovered_key(),
                        &[
                            ("contract", &change.contract_no),
                            ("total", &format_money(amounts.total(), c)),
                            ("principal", &format_money(amounts.principal, c)),
                            ("before", &format_money(change.outstanding_before, c)),
                            ("after", &format_money(change.outstanding_after, c)),
                        ]
                    )
                ),
            }
        }
        CaseCommand::Close {
            number,
            reason,
            expected_version,
        } => {
            let clocks = super::outcomes::clock_rules(ctx, lang)?;
            let record = flow::close(
                &mut store,
                &actor,
                number,
                reason,
                *expected_version,
                today,
                lang,
                &clocks,
            )?;
            said("closed", &[("number", number)]);
            said("record_stored", &[("document", &record)]);
        }
    }
    Ok(0)
}

/// The kind of plan `id` of case `number`, named in `lang` (for a message naming the plan).
fn plan_kind_name(store: &Store, id: i64, number: &str, lang: Lang) -> String {
    store
        .case_detail(number)
        .ok()
        .flatten()
        .and_then(|d| d.plans.iter().find(|p| p.id == id).map(|p| p.kind))
        .map(|k| lang.code_name("plan_kind", k.code()))
        .unwrap_or_default()
}

fn find(store: &Store, number: &str, lang: Lang) -> anyhow::Result<CaseDetail> {
    store.case_detail(number)?.ok_or_else(|| {
        anyhow!(
            "{}",
            lang.tf(
                "workflow_err.not_found",
                &[
                    ("what", &lang.code_name("workflow_err.entity", "case")),
                    ("key", &sanitize(number)),
                ]
            )
        )
    })
}

/// `postloan action …`.
pub fn action(cli: &Cli, ctx: &Context_, cmd: &ActionCommand) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    let mut store = open_book(&path, lang)?;
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let today = book_today(&store)?;
    let said = |key: &str, args: &[(&str, &dyn std::fmt::Display)]| {
        crate::outln!("{}", lang.tf(&format!("disposal_cli.{key}"), args));
    };
    let moved = |store: &mut Store, id: i64, mv: ActionMove, outcome: &str, v: Option<i64>| {
        let to = flow::move_action(store, &actor, id, mv, outcome, v, today)?;
        said(
            "action_moved",
            &[
                ("id", &id),
                ("status", &lang.code_name("action_status", to.code())),
            ],
        );
        Ok::<i32, anyhow::Error>(0)
    };
    match cmd {
        ActionCommand::Add {
            case,
            kind,
            title,
            owner,
            deadline,
            contract,
            plan,
        } => {
            let kind = parse_code(
                kind,
                ActionKind::parse,
                "explanation, rectification_measure, additional_collateral, stop_drawdown, early_recall, legal_action, asset_preservation, asset_watch, other",
                "--kind",
                lang,
            )?;
            let id = flow::add_action(
                &mut store,
                &actor,
                &AddAction {
                    case,
                    kind,
                    title,
                    owner,
                    deadline: *deadline,
                    contract: contract.as_deref(),
                    plan: *plan,
                },
                today,
            )?;
            // What was made, as the other commands say it: its id, the case, the measure,
            // who owns it and when it is due.
            said(
                "action_added",
                &[
                    ("id", &id),
                    ("number", &sanitize(case.trim())),
                    ("kind", &lang.code_name("action_kind", kind.code())),
                    ("title", &sanitize(title.trim())),
                    ("owner", &sanitize(owner.trim())),
                    ("deadline", deadline),
                ],
            );
            Ok(0)
        }
        ActionCommand::Progress {
            id,
            note,
            expected_version,
        } => {
            flow::note_action(&mut store, &actor, *id, note, *expected_version, today)?;
            said("noted", &[("id", id)]);
            Ok(0)
        }
        ActionCommand::Start {
            id,
            outcome,
            expected_version,
        } => moved(
            &mut store,
            *id,
            ActionMove::Start,
            outcome,
            *expected_version,
        ),
        ActionCommand::Done {
            id,
            outcome,
            expected_version,
        } => moved(
            &mut store,
            *id,
            ActionMove::Done,
            outcome,
            *expected_version,
        ),
        ActionCommand::Fail {
            id,
            outcome,
            expected_version,
        } => moved(
            &mut store,
            *id,
            ActionMove::Fail,
            outcome,
            *expected_version,
        ),
        ActionCommand::Cancel {
            id,
            outcome,
            expected_version,
        } => moved(
            &mut store,
            *id,
            ActionMove::Cancel,
            outcome,
            *expected_version,
        ),
        ActionCommand::FromInspection { case, inspection } => {
            let ids = flow::from_inspection(
                &mut store,
                &actor,
                case,
                inspection,
                &settings(ctx, lang)?,
                today,
            )?;
            let list: Vec<String> = ids.iter().map(|i| format!("#{i}")).collect();
            said(
                "from_inspection",
                &[
                    ("n", &ids.len()),
                    ("ids", &list.join(", ")),
                    ("number", case),
                ],
            );
            Ok(0)
        }
    }
}

/// The escalation's one-line summary, for `escalate` and the end of `evaluate`.
pub fn escalation_line(r: &crate::store::EscalationReport, lang: Lang) -> String {
    lang.tf(
        "disposal_cli.escalation",
        &[
            ("as_of", &r.as_of),
            ("failed", &r.plans_failed.len()),
            ("raised", &r.raised.len()),
            (
                "already",
                &(r.escalated.len() - r.raised.len().min(r.escalated.len())),
            ),
            ("emergency", &r.emergency_needed),
            ("overdue", &r.overdue_actions),
        ],
    )
}

/// One line per case the escalation marked "emergency plan needed", saying what changed: a
/// case raised to red names the level it left; a case red already only gained the mark.
pub fn escalated_lines(r: &crate::store::EscalationReport, lang: Lang) -> Vec<String> {
    r.escalated
        .iter()
        .map(|n| match r.raised.iter().find(|c| &c.number == n) {
            Some(c) => lang.tf(
                "disposal_cli.escalated_one",
                &[
                    ("number", &sanitize(n)),
                    ("from", &lang.code_name("level", c.from.code())),
                    ("to", &lang.code_name("level", c.to.code())),
                ],
            ),
            None => lang.tf("disposal_cli.already_red_one", &[("number", &sanitize(n))]),
        })
        .collect()
}

/// What tightening the tracking of orange and red cases' loans changed, said (it used to be
/// silent): a count line, then one line per case naming its loans. Nothing when nothing changed.
pub fn tightened_lines(done: &[(String, Vec<String>)], lang: Lang) -> Vec<String> {
    if done.is_empty() {
        return Vec::new();
    }
    let loans: usize = done.iter().map(|(_, c)| c.len()).sum();
    let mut lines = vec![lang.tf(
        "disposal_cli.tightened",
        &[("loans", &loans), ("cases", &done.len())],
    )];
    for (case, contracts) in done {
        let contracts: Vec<String> = contracts.iter().map(|c| sanitize(c)).collect();
        lines.push(lang.tf(
            "disposal_cli.tightened_case",
            &[("case", &sanitize(case)), ("loans", &contracts.join(", "))],
        ));
    }
    lines
}

/// The same for `--format json`: `[{"case": …, "loans": […]}]`.
pub fn tightened_json(done: &[(String, Vec<String>)]) -> serde_json::Value {
    serde_json::Value::Array(
        done.iter()
            .map(|(case, loans)| serde_json::json!({"case": case, "loans": loans}))
            .collect(),
    )
}

/// `postloan escalate`: the nightly check.
pub fn escalate(
    cli: &Cli,
    ctx: &Context_,
    as_of: Option<NaiveDate>,
    force: bool,
    format: EscalateFormat,
) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let cfg = ctx
        .config
        .plan()
        .map_err(|e| anyhow!("{}", e.localized(lang)))?;
    let disposal = settings(ctx, lang)?;
    let path = book_path(cli, ctx);
    let mut store = open_book(&path, lang)?;
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let today = book_today(&store)?;
    let as_of = as_of.unwrap_or(today);
    flow::check_escalation_date(as_of, today, force)?;
    let started = std::time::Instant::now();
    let r = flow::escalate(&mut store, &actor, as_of, Some(&cfg))?;
    // Open orange and red cases follow their loans at their level's frequency.
    let tightened = flow::tighten_by_level(&mut store, &actor, &disposal, as_of)?;
    match format {
        EscalateFormat::Json => {
            let mut v = serde_json::to_value(&r)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("tracking_tightened".into(), tightened_json(&tightened));
            }
            crate::outln!(
                "{}",
                super::visible::json(&serde_json::to_string_pretty(&v)?)
            )
        }
        EscalateFormat::Table => {
            crate::outln!("{}", escalation_line(&r, lang));
            for line in escalated_lines(&r, lang) {
                crate::outln!("  {line}");
            }
            for line in tightened_lines(&tightened, lang) {
                crate::outln!("{line}");
            }
            tracing::info!("escalate: {} ms", started.elapsed().as_millis());
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EscalationReport, RaisedCase};

    #[test]
    fn escalation_says_raised_for_a_case_that_rose_and_red_already_for_one_that_was() {
        let r = EscalationReport {
            escalated: vec!["CZ2026-000001".into(), "CZ2026-000002".into()],
            raised: vec![RaisedCase {
                id: 1,
                number: "CZ2026-000001".into(),
                from: Level::Orange,
                to: Level::Red,
            }],
            ..EscalationReport::default()
        };
        let en = escalated_lines(&r, Lang::En);
        assert_eq!(
            en,
            [
                "Case CZ2026-000001 raised from Orange to Red: emergency plan needed",
                "Case CZ2026-000002 was red already: now marked emergency plan needed",
            ]
        );
        let zh = escalated_lines(&r, Lang::ZhCn);
        assert!(zh[0].contains("已由橙色升为红色"), "{zh:?}");
        assert!(
            zh[1].contains("原已为红色") && !zh[1].contains("升为"),
            "{zh:?}"
        );
        let line = escalation_line(&r, Lang::En);
        assert!(
            line.contains("cases raised to red 1, red already 1"),
            "{line}"
        );
    }
}
