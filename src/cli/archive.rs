//! `postloan archive` (the list, `show`, `export`, `add`) and `postloan feedback`: the book's
//! documents for scripts and the archive room, and feedback notes to other departments.

use super::table::{Column, Table};
use super::{Cli, Context_, Format, book_path, book_today, csv_text, open_book, open_book_to_read};
use crate::domain::archive::{ArchiveRules, DocumentKind, Recipient};
use crate::domain::text::display;
use crate::i18n::Lang;
use crate::store::{ArchiveQuery, ArchiveRow, PageFrom, Store};
use crate::workflow::{self, archive as arch, feedback};
use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use std::io::Write;
use std::path::PathBuf;

/// `postloan archive [filters] [show|export|add]`.
#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub command: Option<ArchiveCommand>,
    /// Only this loan's documents.
    #[arg(long, value_name = "CONTRACT")]
    pub contract: Option<String>,
    /// Only documents of borrowers whose name contains this text.
    #[arg(long, value_name = "NAME")]
    pub borrower: Option<String>,
    /// contract, warning_notice, inspection_report, evidence, rectification_notice, progress_report, disposal_record, feedback, summary, other.
    #[arg(long)]
    pub kind: Option<String>,
    /// Made on or after this day (local time).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
    pub from: Option<NaiveDate>,
    /// Made up to and including this day (local time).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
    pub to: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Print a document (Markdown; a file's description). A restricted kind's read is audited.
    Show {
        /// The document's id (as the list shows it) or its number (CZJL2026-000001).
        #[arg(value_name = "ID|NUMBER")]
        id: String,
    },
    /// Write a loan's whole file (its documents and evidence) and a MANIFEST of SHA-256 per
    /// file into DIR, which must be empty or new.
    Export {
        /// The loan's contract number.
        contract: String,
        /// The directory to export to (empty or not yet there).
        dir: PathBuf,
    },
    /// Put a file in a loan's file: copied into the document store, or with --register kept
    /// where it is (its path, hash and size recorded; `verify` checks it there).
    Add {
        /// The loan's contract number.
        contract: String,
        /// The file to archive.
        file: PathBuf,
        /// contract or other.
        #[arg(long)]
        kind: String,
        /// Register the file by its path instead of copying it.
        #[arg(long)]
        register: bool,
        /// The document this one replaces, by id or number (both are kept).
        #[arg(long, value_name = "ID|NUMBER")]
        supersedes: Option<String>,
    },
}

/// `postloan feedback --to … (--case | --inspection | --summary) --text …`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["case", "inspection", "summary"])))]
pub struct FeedbackArgs {
    /// approval (credit approval), risk (risk management) or finance.
    #[arg(long)]
    pub to: String,
    /// From a risk case (its number).
    #[arg(long, value_name = "NUMBER")]
    pub case: Option<String>,
    /// From an inspection report (its number or id).
    #[arg(long, value_name = "NUMBER")]
    pub inspection: Option<String>,
    /// From the signed period summary (its document id or number).
    #[arg(long, value_name = "ID|NUMBER")]
    pub summary: Option<String>,
    /// What is asked of the department.
    #[arg(long)]
    pub text: String,
}

fn rules(ctx: &Context_) -> anyhow::Result<ArchiveRules> {
    ctx.config
        .archive
        .rules()
        .map_err(|e| anyhow!(e.localized(ctx.lang)))
}

/// A document named on the command line by its id (digits) or its number; a number the book
/// does not hold is refused as a missing document (said in the user's language, exit 1).
fn document_id(store: &crate::store::Store, text: &str) -> anyhow::Result<i64> {
    let text = text.trim();
    let found = match text.parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => store.document_id_by_number(&text.to_uppercase())?,
    };
    found.ok_or_else(|| {
        workflow::WorkflowError::NotFound {
            what: "document",
            key: display(text),
        }
        .into()
    })
}

/// A kind from its code or Chinese name, or a refusal listing them.
fn parse_kind(text: &str, lang: Lang) -> anyhow::Result<DocumentKind> {
    DocumentKind::parse(text).ok_or_else(|| {
        super::usage(lang.tf(
            "archive_cli.bad_kind",
            &[
                ("value", &display(text)),
                ("accepted", &DocumentKind::accepted()),
            ],
        ))
    })
}

pub fn run(cli: &Cli, ctx: &Context_, args: &ArchiveArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    let rules = rules(ctx)?;
    match &args.command {
        None => {
            if let (Some(f), Some(t)) = (args.from, args.to)
                && f > t
            {
                return Err(super::usage(
                    lang.tf("portfolio.err_order", &[("from", &f), ("to", &t)]),
                ));
            }
            let kind = args
                .kind
                .as_deref()
                .map(|k| parse_kind(k, lang))
                .transpose()?;
            let store = open_book_to_read(&path, lang)?;
            workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
            let q = ArchiveQuery {
                contract_no: args.contract.clone(),
                borrower: args.borrower.clone(),
                borrower_id: None,
                kind,
                from_at: args.from.map(crate::domain::text::local_day_start_utc),
                to_at: args
                    .to
                    .and_then(|t| t.succ_opt())
                    .map(crate::domain::text::local_day_start_utc),
            };
            if let Some(c) = &args.contract
                && store.loan_by_contract(c)?.is_none()
            {
                return Err(workflow::WorkflowError::NotFound {
                    what: "loan",
                    key: c.clone(),
                }
                .into());
            }
            let out = super::visible::stdout(args.format == Format::Json);
            match write_list(&store, &q, &rules, args.format, lang, out) {
                Err(e) if super::is_broken_pipe(&e) => Ok(0),
                Err(e) => Err(e),
                Ok(()) => Ok(0),
            }
        }
        Some(ArchiveCommand::Show { id }) => {
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
            let id = document_id(&store, id)?;
            let doc = arch::read(&mut store, &actor, id, &rules)?;
            crate::outln!("{}", arch::show_text(&doc, lang));
            Ok(0)
        }
        Some(ArchiveCommand::Export { contract, dir }) => {
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
            let done = arch::export(&mut store, &actor, contract, dir, &rules)?;
            crate::outln!(
                "{}",
                lang.tf(
                    "archive_cli.exported",
                    &[("n", &done.files.len()), ("dir", &dir.display())]
                )
            );
            for n in &done.changed {
                crate::note!(
                    "{}",
                    lang.tf("archive_cli.export_changed", &[("number", n)])
                );
            }
            for n in &done.missing {
                crate::note!(
                    "{}",
                    lang.tf("archive_cli.export_missing", &[("number", n)])
                );
            }
            Ok(if done.changed.is_empty() && done.missing.is_empty() {
                0
            } else {
                1
            })
        }
        Some(ArchiveCommand::Add {
            contract,
            file,
            kind,
            register,
            supersedes,
        }) => {
            let kind = parse_kind(kind, lang)?;
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
            let supersedes = supersedes
                .as_deref()
                .map(|s| document_id(&store, s))
                .transpose()?;
            let max_bytes = ctx
                .config
                .plan()
                .map(|p| p.evidence_max_bytes)
                .unwrap_or(64 * 1024 * 1024);
            let added = arch::add(
                &mut store,
                &actor,
                &arch::AddDocument {
                    contract_no: contract,
                    file,
                    kind,
                    register: *register,
                    supersedes,
                    max_bytes,
                },
            )?;
            let key = if *register {
                "archive_cli.registered"
            } else {
                "archive_cli.attached"
            };
            crate::outln!(
                "{}",
                lang.tf(
                    key,
                    &[
                        ("number", &added.number),
                        ("id", &added.id),
                        ("bytes", &added.bytes),
                        ("sha256", &added.sha256),
                    ]
                )
            );
            if let Some(old) = supersedes {
                crate::outln!(
                    "{}",
                    lang.tf(
                        "archive_cli.superseded",
                        &[("old", &old), ("id", &added.id)]
                    )
                );
            }
            Ok(0)
        }
    }
}

pub fn feedback(cli: &Cli, ctx: &Context_, args: &FeedbackArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let to = Recipient::parse(&args.to).ok_or_else(|| {
        super::usage(lang.tf(
            "archive_cli.bad_recipient",
            &[("value", &display(&args.to))],
        ))
    })?;
    let path = book_path(cli, ctx);
    let mut store = open_book(&path, lang)?;
    let source = match (&args.case, &args.inspection, &args.summary) {
        (Some(c), _, _) => feedback::Source::Case(c.clone()),
        (_, Some(i), _) => feedback::Source::Inspection(i.clone()),
        (_, _, Some(s)) => feedback::Source::Summary(document_id(&store, s)?),
        _ => bail!("{}", lang.t("archive_cli.no_source")),
    };
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    let today = book_today(&store)?;
    let done = feedback::issue(
        &mut store,
        &actor,
        &feedback::IssueFeedback {
            to,
            source,
            text: args.text.clone(),
        },
        today,
        lang,
    )?;
    crate::outln!(
        "{}",
        lang.tf(
            "archive_cli.feedback_issued",
            &[
                ("number", &done.number),
                ("id", &done.id),
                ("to", &lang.code_name("recipient", to.code())),
            ]
        )
    );
    Ok(0)
}

/// The columns of the CSV listing (the JSON fields, in order).
const COLUMNS: [&str; 10] = [
    "id",
    "kind",
    "contract_no",
    "borrower_name",
    "created_on",
    "author",
    "bytes",
    "sha256",
    "retain_until",
    "superseded_by",
];

/// One document as scripts see it: exactly the fields of the issue's contract.
pub fn json_row(r: &ArchiveRow, rules: &ArchiveRules) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "kind": r.kind,
        "contract_no": r.contract_no,
        "borrower_name": r.borrower_name,
        "created_on": arch::created_on(r).map(|d| d.to_string()),
        "author": r.created_by,
        "bytes": r.bytes,
        "sha256": r.sha256,
        "retain_until": arch::retain_until(r, rules).map(|d| d.to_string()),
        "superseded_by": r.superseded_by,
    })
}

/// Writes every document matching `q`, newest first, a page at a time.
fn write_list(
    store: &Store,
    q: &ArchiveQuery,
    rules: &ArchiveRules,
    format: Format,
    lang: Lang,
    mut out: impl Write,
) -> anyhow::Result<()> {
    match format {
        Format::Json => out.write_all(b"[")?,
        Format::Csv => {
            let mut head: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
            head.push("recipient".to_string());
            out.write_all(&csv_line(&head)?)?;
        }
        Format::Table => {}
    }
    let mut table = Table::new(vec![
        Column::new(lang.t("archive_cli.col_id"), 10),
        Column::new(lang.t("archive_cli.col_kind"), 24),
        Column::new(lang.t("archive_cli.col_owner"), 40),
        Column::new(lang.t("archive_cli.col_date"), 10),
        Column::new(lang.t("archive_cli.col_author"), 20),
        Column::new(lang.t("archive_cli.col_bytes"), 12).right(),
        Column::new(lang.t("archive_cli.col_sha256"), 12),
        Column::new(lang.t("archive_cli.col_retain"), 10),
        Column::new(lang.t("archive_cli.col_superseded"), 24),
    ]);
    let mut from = PageFrom::Start;
    let mut first = true;
    loop {
        let page = store.archive_page(q, &from, 500)?;
        let Some(last) = page.last() else {
            break;
        };
        from = PageFrom::After(last.key());
        for r in &page {
            match format {
                Format::Json => {
                    out.write_all(if first { b"\n  " } else { b",\n  " })?;
                    serde_json::to_writer(&mut out, &json_row(r, rules))?;
                }
                Format::Csv => {
                    let opt = |v: Option<String>| v.unwrap_or_default();
                    out.write_all(&csv_line(&[
                        r.id.to_string(),
                        r.kind.clone(),
                        csv_text(&opt(r.contract_no.clone())).into_owned(),
                        csv_text(&opt(r.borrower_name.clone())).into_owned(),
                        opt(arch::created_on(r).map(|d| d.to_string())),
                        csv_text(&r.created_by).into_owned(),
                        r.bytes.to_string(),
                        r.sha256.clone(),
                        opt(arch::retain_until(r, rules).map(|d| d.to_string())),
                        opt(r.superseded_by.map(|d| d.to_string())),
                        opt(r.recipient.clone()),
                    ])?)?;
                }
                Format::Table => table.row(
                    &mut out,
                    vec![
                        r.id.to_string(),
                        arch::kind_text(r, lang),
                        owner_text(r, lang),
                        arch::created_on(r)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                        r.created_by.clone(),
                        r.bytes.to_string(),
                        r.sha256.get(..12).unwrap_or(&r.sha256).to_string(),
                        arch::retain_until(r, rules)
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "-".to_string()),
                        r.superseded_by
                            .map(|by| lang.tf("archive_cli.superseded_by", &[("id", &by)]))
                            .unwrap_or_default(),
                    ],
                )?,
            }
            first = false;
        }
    }
    match format {
        Format::Json => out.write_all(if first { b"]\n" } else { b"\n]\n" })?,
        Format::Csv => {}
        Format::Table if first => writeln!(out, "{}", lang.t("archive_cli.none"))?,
        Format::Table => table.finish(&mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// One CSV record, quoted as needed.
fn csv_line(fields: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner().map_err(|e| anyhow!("{}", e.error()))
}

/// The loan or borrower a document belongs to, as the table shows it (`arch::owner_text` is
/// the screen's: it drops invisible characters, the command line shows them as `\u200B`).
fn owner_text(r: &ArchiveRow, lang: Lang) -> String {
    match (&r.contract_no, &r.borrower_name) {
        (Some(c), Some(b)) => format!("{c} {b}"),
        (Some(c), None) => c.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => lang.t("archive.book").to_string(),
    }
}
