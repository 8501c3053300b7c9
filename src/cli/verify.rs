//! `postloan verify`, `backup`, `restore` and `audit`: the book's tamper evidence, its
//! safe copies, and the audit trail for auditors and managers, newest first.

use super::table::{Column, Table};
use super::{Cli, Context_, Format, book_path, csv_text, open_book_to_read};
use crate::domain::text::local_day_start_utc;
use crate::i18n::Lang;
use crate::store::{AuditEntry, AuditQuery, Store};
use crate::workflow::{self, Command as Act, Subject};
use anyhow::anyhow;
use chrono::NaiveDate;
use std::io::Write;

/// `postloan verify [--head] [--expect-head HASH]`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Print the chain's head (hash and entry count) to keep elsewhere, and check nothing.
    #[arg(long)]
    pub head: bool,
    /// A head printed earlier by `verify --head`: fail unless it is still in the chain.
    #[arg(long, value_name = "HASH")]
    pub expect_head: Option<String>,
}

/// `postloan audit [filters]`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Entries by this user.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// Entries about this loan, its warnings, inspections, documents, cases and actions.
    #[arg(long, value_name = "CONTRACT")]
    pub contract: Option<String>,
    /// From this day (local time).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
    pub from: Option<NaiveDate>,
    /// Up to and including this day (local time).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::date_arg)]
    pub to: Option<NaiveDate>,
    /// An action (`warnings.raise`) or a family of them (`warnings`).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// At most this many entries (default 100).
    #[arg(value_parser = super::numbers::limit, allow_negative_numbers = true, long, default_value_t = 100)]
    pub limit: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn verify(cli: &Cli, ctx: &Context_, args: &VerifyArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let expected = args.expect_head.as_deref().map(str::trim);
    if let Some(e) = expected
        && !(e.len() == 64 && e.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(anyhow::Error::new(super::UsageError(lang.tf(
            "verify.bad_head",
            &[("hash", &crate::domain::text::display(e))],
        ))));
    }
    let path = book_path(cli, ctx);
    // A damaged file (a truncated copy) is a finding of verify, not a failure to run it.
    let damaged = |reason: &str| -> anyhow::Result<i32> {
        let mut out = super::visible::stdout(false);
        for line in workflow::verify::damaged_lines(&path, reason, lang) {
            writeln!(out, "{line}")?;
        }
        Ok(1)
    };
    if !args.head && path.is_file() && workflow::verify::truncated(&path).is_some() {
        return damaged("");
    }
    if !args.head
        && path.is_file()
        && let Err(e) = Store::open_for_reading(&path)
        && let Some(sql) = store_damage(&e)
    {
        return damaged(&crate::i18n::sqlite_reason(sql, lang));
    }
    let store = open_book_to_read(&path, lang)?;
    if args.head {
        let head = store.audit_head()?;
        crate::outln!(
            "{}",
            lang.tf(
                "verify.head",
                &[("hash", &head.hash), ("entries", &head.entries)]
            )
        );
        return Ok(0);
    }
    let report = match workflow::verify::verify(&store, expected) {
        Ok(r) => r,
        Err(e) => match store_damage(&e) {
            Some(sql) => return damaged(&crate::i18n::sqlite_reason(sql, lang)),
            None => return Err(e.into()),
        },
    };
    let mut out = super::visible::stdout(false);
    for line in workflow::verify::lines(&report, &path, lang) {
        writeln!(out, "{line}")?;
    }
    Ok(if report.problems() == 0 { 0 } else { 1 })
}

/// The SQLite error of `e` when it says the file is not a sound database (damaged,
/// truncated, not a database at all).
fn store_damage(e: &crate::store::StoreError) -> Option<&rusqlite::Error> {
    e.damage()
}

pub fn backup(cli: &Cli, ctx: &Context_, file: &std::path::Path) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    let mut store = open_book_to_read(&path, lang)?;
    let done = workflow::backup::backup(&mut store, file).map_err(|e| backup_error(e, lang))?;
    crate::outln!(
        "{}",
        lang.tf(
            "backup.done",
            &[
                ("file", &super::shown_path(&done.file)),
                ("docs", &super::shown_path(&done.docs)),
                ("files", &done.files),
                ("entries", &done.entries),
                ("hash", &done.head),
            ]
        )
    );
    Ok(0)
}

pub fn restore(
    cli: &Cli,
    ctx: &Context_,
    file: &std::path::Path,
    force: bool,
) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let book = book_path(cli, ctx);
    super::refuse_new_book_in_lent_group(&book, lang)?;
    match workflow::backup::restore(file, &book, force) {
        Ok(done) => {
            if let Some(kept) = &done.kept {
                crate::outln!(
                    "{}",
                    lang.tf("backup.kept", &[("path", &super::shown_path(kept))])
                );
            }
            crate::outln!(
                "{}",
                lang.tf(
                    "backup.restored",
                    &[
                        ("file", &super::shown_path(file)),
                        ("book", &super::shown_path(&done.book)),
                        ("entries", &done.entries)
                    ]
                )
            );
            Ok(0)
        }
        Err(workflow::backup::BackupError::BadBackup { report, .. }) => {
            for line in workflow::verify::lines(&report, file, lang) {
                crate::note!("{line}");
            }
            crate::note!(
                "{}{}",
                lang.t("cli.error"),
                lang.tf(
                    "backup.bad_backup",
                    &[
                        ("path", &super::shown_path(file)),
                        ("n", &report.problems())
                    ]
                )
            );
            Ok(1)
        }
        Err(e) => Err(backup_error(e, lang)),
    }
}

/// A backup's or restore's failure for `main` to say: a store error goes as itself, so it is
/// said by kind in the user's language like any other command's.
fn backup_error(e: workflow::backup::BackupError, lang: Lang) -> anyhow::Error {
    match e {
        workflow::backup::BackupError::Store(s) => s.into(),
        other => anyhow!(other.localized(lang)),
    }
}

pub fn audit(cli: &Cli, ctx: &Context_, args: &AuditArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        return Err(super::usage(
            lang.tf("portfolio.err_order", &[("from", &f), ("to", &t)]),
        ));
    }
    let path = book_path(cli, ctx);
    let mut store = open_book_to_read(&path, lang)?;
    let actor = workflow::identify(&store, &workflow::os_user(), cli.as_user.as_deref())?;
    workflow::guard(&mut store, &actor, Act::ReadAudit, &Subject::NONE)?;
    super::filters::audit_kind(args.kind.as_deref(), lang)?;
    super::filters::staff_name(&store, "--user", args.user.as_deref(), true, lang)?;
    super::filters::loan_number(&store, "--contract", args.contract.as_deref(), lang)?;
    let q = AuditQuery {
        actor: args.user.clone(),
        contract_no: args.contract.clone(),
        kind: args.kind.clone(),
        from_at: args.from.map(local_day_start_utc),
        to_at: args.to.and_then(|t| t.succ_opt()).map(local_day_start_utc),
    };
    let out = super::visible::stdout(args.format == Format::Json);
    match write(&store, &q, args.limit, args.format, lang, out) {
        Err(e) if super::is_broken_pipe(&e) => Ok(0),
        Err(e) => Err(e),
        Ok(()) => Ok(0),
    }
}

/// The columns of the CSV listing (the JSON fields too).
const COLUMNS: [&str; 7] = [
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_key",
    "detail",
];

/// Writes the trail matching `q`, newest first, at most `limit` entries, a page at a time.
pub fn write(
    store: &Store,
    q: &AuditQuery,
    limit: u64,
    format: Format,
    lang: Lang,
    mut out: impl Write,
) -> anyhow::Result<()> {
    match format {
        Format::Json => out.write_all(b"[")?,
        Format::Csv => out.write_all(&csv_line(COLUMNS.map(String::from))?)?,
        Format::Table => {}
    }
    let mut table = Table::new(vec![
        Column::new(lang.t("audit_cli.col_id"), 10),
        Column::new(lang.t("audit_cli.col_at"), 16),
        Column::new(lang.t("audit_cli.col_actor"), 20),
        Column::new(lang.t("audit_cli.col_action"), 32),
        Column::new(lang.t("audit_cli.col_record"), 32),
        Column::new(lang.t("audit_cli.col_detail"), 200),
    ]);
    let mut before = None;
    let mut left = limit;
    let mut first = true;
    while left > 0 {
        let page = store.audit_page(q, before, left.min(500) as u32)?;
        let Some(last) = page.last() else {
            break;
        };
        before = Some(last.id);
        left -= page.len() as u64;
        for e in &page {
            match format {
                Format::Json => {
                    out.write_all(if first { b"\n  " } else { b",\n  " })?;
                    serde_json::to_writer(&mut out, &json_entry(e))?;
                }
                Format::Csv => out.write_all(&csv_line([
                    e.id.to_string(),
                    csv_text(&e.at).into_owned(),
                    csv_text(&e.actor).into_owned(),
                    csv_text(&e.action).into_owned(),
                    csv_text(&e.entity).into_owned(),
                    csv_text(&e.entity_key).into_owned(),
                    csv_text(&e.detail).into_owned(),
                ])?)?,
                Format::Table => table.row(
                    &mut out,
                    vec![
                        e.id.to_string(),
                        crate::domain::text::local_time(&e.at),
                        e.actor.clone(),
                        lang.code_name("audit_action", &e.action),
                        format!(
                            "{} {}",
                            lang.code_name("audit_entity", &e.entity),
                            e.entity_key
                        ),
                        e.detail.clone(),
                    ],
                )?,
            }
            first = false;
        }
    }
    match format {
        Format::Json => out.write_all(if first { b"]\n" } else { b"\n]\n" })?,
        Format::Csv => {}
        Format::Table if first => writeln!(out, "{}", lang.t("audit_cli.none"))?,
        Format::Table => table.finish(&mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// One entry as scripts see it: the detail as JSON when it is JSON (it always is when the
/// program wrote it), else as text.
fn json_entry(e: &AuditEntry) -> serde_json::Value {
    let detail = serde_json::from_str::<serde_json::Value>(&e.detail)
        .unwrap_or_else(|_| serde_json::Value::String(e.detail.clone()));
    serde_json::json!({
        "id": e.id,
        "at": e.at,
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_key": e.entity_key,
        "detail": detail,
    })
}

/// One CSV record, quoted as needed.
fn csv_line(fields: [String; 7]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner().map_err(|e| anyhow!("{}", e.error()))
}
