//! `postloan classify`, `postloan classification …` and `postloan loan restructure|impaired`
//! (`impaired --cleared` ends an impairment):
//! the floors over the book, the proposals for scripts, decisions one by one or in bulk, and
//! a loan's classification history.

use super::table::{Column, Table};
use super::{Format, UTF8_BOM, csv_text};
use crate::domain::Classification;
use crate::engine::classify::floor_text;
use crate::i18n::Lang;
use crate::store::{ClassificationQuery, ClassificationRow, HistoryRow, Store};
use crate::workflow::classification::{self as flow, Basis, ClassifyReport, Decide, Proposal};
use crate::workflow::{self, Actor};
use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ClassificationArgs {
    #[command(subcommand)]
    pub command: Option<ClassificationCommand>,
    /// Only loans better than their floor (their pending floor proposals).
    #[arg(long)]
    pub below_floor: bool,
    /// Only pending proposals.
    #[arg(long)]
    pub pending: bool,
    /// Only the pending proposals you may decide (supervisors and managers; never your own).
    #[arg(long)]
    pub to_decide: bool,
    /// Only proposals on loans this officer tracks.
    #[arg(long, value_name = "USER")]
    pub officer: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// At most this many rows.
    #[arg(value_parser = super::numbers::limit, allow_negative_numbers = true, long)]
    pub limit: Option<u64>,
    /// CSV only: start with a UTF-8 byte order mark, so Excel (Chinese Windows) reads UTF-8.
    #[arg(long)]
    pub bom: bool,
}

#[derive(Debug, Subcommand)]
pub enum ClassificationCommand {
    /// Propose a loan's class; prints the proposal's id.
    Propose {
        /// The loan's contract number.
        contract_no: String,
        /// pass, special_mention, substandard, doubtful, loss (or 正常, 关注, 次级, 可疑, 损失).
        #[arg(long)]
        to: String,
        /// Why the class should change.
        #[arg(long)]
        reason: String,
        /// judgement, inspection:NUMBER or warning:NUMBER (of this loan); floor is the nightly check's own.
        #[arg(long, default_value = "judgement")]
        basis: String,
        /// The date the class applies from (default: today; not after it).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        effective: Option<NaiveDate>,
    },
    /// Approve proposals: one result line per id; exits non-zero if any was refused.
    Approve {
        /// The ids of the proposals to approve (one or more).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true, required = true)]
        ids: Vec<i64>,
        /// The approver's comment.
        #[arg(long, default_value = "")]
        comment: String,
        /// Refuse if the proposal's version is no longer N (as `--format json` printed it);
        /// with a single id.
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// Reject a proposal, with the reason.
    Reject {
        /// The proposal's id (from `postloan classification`).
        #[arg(value_parser = super::numbers::record_id, allow_negative_numbers = true)]
        id: i64,
        /// Why the proposal is rejected.
        #[arg(long)]
        reason: String,
        /// Refuse if the proposal's version is no longer N (as `--format json` printed it).
        #[arg(long, value_name = "N")]
        expected_version: Option<String>,
    },
    /// A loan's classification history, oldest first.
    History {
        /// The loan's contract number.
        contract_no: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum LoanCommand {
    /// Record a restructuring: the loan is at least 关注 and under observation.
    Restructure {
        /// The loan's contract number.
        contract_no: String,
        /// The day of the restructuring.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// Why it is recorded.
        #[arg(long)]
        reason: String,
    },
    /// Record the loan as credit-impaired (at least 次级), or with --cleared end its
    /// impairment from that date (the record stays).
    Impaired {
        /// The loan's contract number.
        contract_no: String,
        /// The day the loan became credit-impaired.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
        on: NaiveDate,
        /// Why it is recorded.
        #[arg(long)]
        reason: String,
        /// The impairment ends on --on: the 次级 floor applies no more from that date.
        #[arg(long)]
        cleared: bool,
    },
    /// Disposal outcomes: demand, recall, collateral-add, recover, write-off, close, legal, show.
    #[command(flatten)]
    Outcome(super::outcomes::OutcomeCommand),
}

/// A class from the command line: its code or its Chinese name.
pub fn parse_class(text: &str, lang: Lang) -> anyhow::Result<Classification> {
    Classification::parse(text).ok_or_else(|| {
        super::usage(lang.tf(
            "cli.bad_class",
            &[("class", &text), ("accepted", &Classification::accepted())],
        ))
    })
}

/// Prints what the nightly check did.
pub fn print_classify(
    r: &ClassifyReport,
    as_of: NaiveDate,
    format: Format,
    lang: Lang,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let mut v = serde_json::to_value(r)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("as_of".into(), serde_json::json!(as_of));
        }
        crate::outln!(
            "{}",
            super::visible::json(&serde_json::to_string_pretty(&v)?)
        );
        return Ok(());
    }
    crate::outln!("{}", summary(r, as_of, lang));
    Ok(())
}

/// One line of counts (also printed at the end of `evaluate`).
pub fn summary(r: &ClassifyReport, as_of: NaiveDate, lang: Lang) -> String {
    lang.tf(
        "classification_cli.summary",
        &[
            ("as_of", &as_of),
            ("loans", &r.loans),
            ("below", &r.below_floor),
            ("opened", &r.opened),
            ("updated", &r.updated),
            ("superseded", &r.superseded),
        ],
    )
}

/// The JSON of one list row (the contract).
#[derive(Debug, Serialize)]
struct RowJson<'a> {
    contract_no: &'a str,
    borrower_name: &'a str,
    current: &'a str,
    floor: Option<&'a str>,
    floor_reason: Option<String>,
    proposal_id: i64,
    proposed: &'a str,
    status: &'a str,
    basis: String,
    reason: &'a str,
    proposer: &'a str,
    effective_on: &'a str,
    /// What `approve`/`reject --expected-version` compare.
    version: i64,
}

fn floor_of_row(r: &ClassificationRow, lang: Lang) -> Option<String> {
    match (&r.floor, &r.floor_reason) {
        (Some(c), Some(reason)) => Some(floor_text(
            lang,
            c,
            reason,
            r.floor_value.as_deref().unwrap_or(""),
            r.floor_limit.as_deref().unwrap_or(""),
        )),
        _ => None,
    }
}

fn basis_text(basis: &str, basis_ref: &str) -> String {
    if basis_ref.is_empty() {
        basis.to_string()
    } else {
        format!("{basis}:{basis_ref}")
    }
}

/// The basis in words for a table (`预警:YJ…`); JSON and CSV keep the codes.
fn basis_said(basis: &str, basis_ref: &str, lang: Lang) -> String {
    let name = lang.code_name("proposal_basis", basis);
    if basis_ref.is_empty() {
        name
    } else {
        format!("{name}:{}", super::visible::shown(basis_ref))
    }
}

const CSV_COLUMNS: [&str; 12] = [
    "contract_no",
    "borrower_name",
    "current",
    "floor",
    "floor_reason",
    "proposal_id",
    "proposed",
    "status",
    "basis",
    "reason",
    "proposer",
    "effective_on",
];

/// Prints the proposals (a page at a time from the store).
pub fn print_list(
    store: &Store,
    q: &ClassificationQuery,
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
    match format {
        Format::Json => write!(out, "[")?,
        Format::Table => {}
        Format::Csv => {
            if bom {
                out.write_all(UTF8_BOM)?;
            }
            if let Some(c) = csv_writer.as_mut() {
                c.write_record(CSV_COLUMNS)?;
            }
        }
    }
    let mut table = Table::new(vec![
        Column::new(lang.t("classification_cli.id"), 10),
        Column::new(lang.t("col.contract_no"), 24),
        Column::new(lang.t("col.borrower"), 40),
        Column::new(lang.t("classification_cli.current"), 20),
        Column::new(lang.t("classification_cli.proposed"), 20),
        Column::new(lang.t("col.status"), 16),
        Column::new(lang.t("classification_cli.floor"), 40),
    ]);
    let mut from = None;
    let mut seen = 0u64;
    let mut first = true;
    loop {
        let batch = 2000usize.min(limit.map_or(usize::MAX, |l| (l - seen) as usize));
        if batch == 0 {
            break;
        }
        let rows = store.classification_page(q, from, batch)?;
        for r in &rows {
            let floor = floor_of_row(r, lang);
            match format {
                Format::Json => {
                    write!(out, "{}\n  ", if first { "" } else { "," })?;
                    serde_json::to_writer(
                        &mut out,
                        &RowJson {
                            contract_no: &r.contract_no,
                            borrower_name: &r.borrower_name,
                            current: &r.current,
                            floor: r.floor.as_deref(),
                            floor_reason: floor,
                            proposal_id: r.proposal_id,
                            proposed: &r.proposed,
                            status: &r.status,
                            basis: basis_text(&r.basis, &r.basis_ref),
                            reason: &r.reason,
                            proposer: &r.proposer,
                            effective_on: &r.effective_on,
                            version: r.version,
                        },
                    )?;
                }
                Format::Csv => {
                    if let Some(c) = csv_writer.as_mut() {
                        let id = r.proposal_id.to_string();
                        let basis = basis_text(&r.basis, &r.basis_ref);
                        let floor = floor.unwrap_or_default();
                        c.write_record([
                            csv_text(&r.contract_no).as_ref(),
                            csv_text(&r.borrower_name).as_ref(),
                            &r.current,
                            r.floor.as_deref().unwrap_or(""),
                            csv_text(&floor).as_ref(),
                            &id,
                            &r.proposed,
                            &r.status,
                            csv_text(&basis).as_ref(),
                            csv_text(&r.reason).as_ref(),
                            csv_text(&r.proposer).as_ref(),
                            &r.effective_on,
                        ])?;
                    }
                }
                Format::Table => table.row(
                    &mut out,
                    vec![
                        r.proposal_id.to_string(),
                        r.contract_no.clone(),
                        r.borrower_name.clone(),
                        lang.code_name("class", &r.current),
                        lang.code_name("class", &r.proposed),
                        lang.code_name("proposal_status", &r.status),
                        floor.map(|f| f.to_string()).unwrap_or_default(),
                    ],
                )?,
            }
            first = false;
        }
        seen += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() == batch => from = Some(last.proposal_id),
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
        Format::Table => table.finish_or(&mut out, lang.t("list.no_proposals"))?,
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[derive(Debug, Serialize)]
struct HistoryJson<'a> {
    from: &'a str,
    to: &'a str,
    effective_on: &'a str,
    reason: String,
    basis: String,
    proposer: &'a str,
    approver: &'a str,
    decided_at: &'a str,
    floor_at_time: Option<String>,
}

/// The reason of a history entry or proposal as said: the proposer's words, else the floor.
fn said_reason(reason: &str, floor: Option<String>, basis: &str, lang: Lang) -> String {
    if !reason.is_empty() {
        return reason.to_string();
    }
    floor.unwrap_or_else(|| lang.code_name("proposal_basis", basis))
}

fn print_history(rows: &[HistoryRow], format: Format, lang: Lang) -> anyhow::Result<()> {
    let floor = |h: &HistoryRow| match (&h.floor, &h.floor_reason) {
        (Some(c), Some(r)) => Some(floor_text(
            lang,
            c,
            r,
            h.floor_value.as_deref().unwrap_or(""),
            h.floor_limit.as_deref().unwrap_or(""),
        )),
        _ => None,
    };
    if format == Format::Json {
        let list: Vec<HistoryJson<'_>> = rows
            .iter()
            .map(|h| HistoryJson {
                from: &h.from,
                to: &h.to,
                effective_on: &h.effective_on,
                reason: said_reason(&h.reason, floor(h), &h.basis, lang),
                basis: basis_text(&h.basis, &h.basis_ref),
                proposer: &h.proposer,
                approver: &h.approver,
                decided_at: &h.decided_at,
                floor_at_time: floor(h),
            })
            .collect();
        crate::outln!(
            "{}",
            super::visible::json(&serde_json::to_string_pretty(&list)?)
        );
        return Ok(());
    }
    if rows.is_empty() {
        crate::outln!("{}", lang.t("classification_cli.no_history"));
    }
    for h in rows {
        crate::outln!(
            "{}  {} → {}  {}  {}  {} / {}",
            h.effective_on,
            lang.code_name("class", &h.from),
            lang.code_name("class", &h.to),
            super::visible::shown(&said_reason(&h.reason, floor(h), &h.basis, lang)),
            basis_said(&h.basis, &h.basis_ref, lang),
            h.proposer,
            h.approver
        );
    }
    Ok(())
}

/// Runs `classification <subcommand>`; the exit code.
pub fn run(
    command: &ClassificationCommand,
    store: &mut Store,
    actor: &Actor,
    ctx: &Decide<'_>,
    lang: Lang,
) -> anyhow::Result<i32> {
    match command {
        ClassificationCommand::Propose {
            contract_no,
            to,
            reason,
            basis,
            effective,
        } => {
            let to = parse_class(to, lang)?;
            let basis = Basis::parse(basis).ok_or_else(|| {
                super::usage(lang.tf("classification_cli.bad_basis", &[("value", basis)]))
            })?;
            let p = Proposal {
                contract_no,
                to,
                reason,
                basis,
                effective_on: *effective,
            };
            let id = flow::propose(store, actor, &p, ctx.rules, ctx.today)?;
            crate::outln!("{id}");
            Ok(0)
        }
        ClassificationCommand::Approve {
            ids,
            comment,
            expected_version,
        } => {
            let expected = super::warnings::parse_version(expected_version, lang)?;
            let results = match (expected, ids.as_slice()) {
                (None, _) => flow::approve_many(store, actor, ids, comment, ctx),
                (Some(v), [id]) => {
                    vec![(*id, flow::approve(store, actor, *id, Some(v), comment, ctx))]
                }
                (Some(_), _) => bail!("{}", lang.t("classification_cli.expected_one_id")),
            };
            let mut refused = 0;
            for (id, r) in results {
                match r {
                    Ok(a) => {
                        let mut line = lang.tf(
                            "classification_cli.approved",
                            &[
                                ("id", &id),
                                ("contract", &a.contract_no),
                                ("from", &lang.code_name("class", a.from.code())),
                                ("to", &lang.code_name("class", a.to.code())),
                            ],
                        );
                        if let Some(d) = a.inspection_due {
                            line.push_str(
                                &lang.tf("classification_cli.inspection_due", &[("date", &d)]),
                            );
                        }
                        crate::outln!("{line}");
                    }
                    Err(e) => {
                        refused += 1;
                        crate::outln!(
                            "{}",
                            lang.tf(
                                "classification_cli.refused",
                                &[("id", &id), ("why", &e.localized(lang))]
                            )
                        );
                    }
                }
            }
            Ok(if refused > 0 { 1 } else { 0 })
        }
        ClassificationCommand::Reject {
            id,
            reason,
            expected_version,
        } => {
            let expected = super::warnings::parse_version(expected_version, lang)?;
            flow::reject(store, actor, *id, expected, reason)?;
            crate::outln!("{}", lang.tf("classification_cli.rejected", &[("id", id)]));
            Ok(0)
        }
        ClassificationCommand::History {
            contract_no,
            format,
        } => {
            if *format == Format::Csv {
                return Err(super::usage(
                    lang.t("classification_cli.no_csv").to_string(),
                ));
            }
            let loan = store.class_loan(contract_no)?.ok_or_else(|| {
                workflow::WorkflowError::NotFound {
                    what: "loan",
                    key: contract_no.trim().to_string(),
                }
            })?;
            let rows = store.classification_history(loan.id)?;
            print_history(&rows, *format, lang)?;
            Ok(0)
        }
    }
}

/// Runs `loan restructure|impaired`.
pub fn run_loan(
    command: &LoanCommand,
    store: &mut Store,
    actor: &Actor,
    today: NaiveDate,
    lang: Lang,
) -> anyhow::Result<i32> {
    let (impairment, contract_no, on, reason) = match command {
        LoanCommand::Restructure {
            contract_no,
            on,
            reason,
        } => (false, contract_no, on, reason),
        LoanCommand::Impaired {
            contract_no,
            on,
            reason,
            cleared: true,
        } => {
            flow::clear_impairment(store, actor, contract_no, *on, reason, today)?;
            crate::outln!(
                "{}",
                lang.tf(
                    "classification_cli.impairment_cleared",
                    &[("contract", &contract_no.trim()), ("date", on)]
                )
            );
            return Ok(0);
        }
        LoanCommand::Impaired {
            contract_no,
            on,
            reason,
            cleared: false,
        } => (true, contract_no, on, reason),
        // `cli::main` hands the outcome steps to `cli::outcomes` before this is called.
        LoanCommand::Outcome(_) => unreachable!("outcome steps run in cli::outcomes"),
    };
    flow::record_event(store, actor, impairment, contract_no, *on, reason, today)?;
    let key = if impairment {
        "classification_cli.impaired"
    } else {
        "classification_cli.restructured"
    };
    crate::outln!(
        "{}",
        lang.tf(key, &[("contract", &contract_no.trim()), ("date", on)])
    );
    Ok(0)
}
