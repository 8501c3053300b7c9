//! The command line: subcommands for batch work and scripting, and the entry to the
//! workbench. Parses arguments, finds the book and the acting user, calls `workflow`.

mod archive;
mod classification;
mod disposal;
mod doctor;
mod filters;
pub mod help_text;
mod inspections;
mod loans;
mod named_files;
pub mod numbers;
mod outcomes;
mod portfolio;
pub mod stress;
pub use portfolio::PeriodArgError;
mod table;
mod verify;
pub mod visible;
mod warnings;

use crate::config::{Config, Dirs, ThemeChoice};
use crate::demo::DemoParams;
use crate::domain::{Classification, Role, StaffRecord};
use crate::extract::{Encoding, ExtractKind};
use crate::i18n::Lang;
use crate::store::{ReadOnlyPlace, Store, StoreError};
use crate::tui;
use crate::workflow::{self, Actor};
use anyhow::{Context, anyhow, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "postloan",
    version,
    about = "贷后管理工作台 — post-loan management workbench"
)]
pub struct Cli {
    /// The book (SQLite file). Else POSTLOAN_DB, else the config's `database`, else the data directory.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A config file to use instead of the user's.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Interface language: zh-CN or en (default from LANG).
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// In a demo book only: act as this staff member (elsewhere you are your login: the real
    /// user id, never $USER).
    #[arg(long = "as", global = true, value_name = "USER")]
    pub as_user: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build (or reopen) a demo book and open the workbench on it.
    Demo {
        /// Number of loans.
        #[arg(value_parser = numbers::loans, allow_negative_numbers = true, long, default_value_t = 2000)]
        loans: u64,
        /// Seed of the generator: the same seed and date give the same book.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The book's "today" (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        as_of: Option<NaiveDate>,
        /// Build or reopen the book, print its size, do not open the workbench.
        #[arg(long)]
        no_tui: bool,
        /// Throw away an existing demo book and build it again.
        #[arg(long)]
        fresh: bool,
    },
    /// Create an empty book; you become its first manager (or the login --manager names).
    Init {
        /// Make this login of the server the first manager instead of you (root setting up a
        /// shared book: `sudo postloan init --manager li.ming`).
        #[arg(long, value_name = "LOGIN")]
        manager: Option<String>,
    },
    /// Load a core-banking extract (CSV with a header row).
    Import {
        /// borrowers, loans, statements, repayments, collateral or fund-flows.
        kind: String,
        /// The CSV file to import.
        file: PathBuf,
        /// Validate and report without writing.
        #[arg(long)]
        dry_run: bool,
        /// auto (UTF-8, else GB18030), utf-8 or gbk.
        #[arg(long, default_value = "auto")]
        encoding: String,
    },
    /// Print loans of the ledger.
    Loans {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// At most this many loans.
        #[arg(value_parser = numbers::limit, allow_negative_numbers = true, long)]
        limit: Option<u64>,
        /// Only loans this officer tracks.
        #[arg(long, value_name = "USER")]
        officer: Option<String>,
        /// pass/正常, special_mention/关注, substandard/次级, doubtful/可疑, loss/损失.
        #[arg(long)]
        class: Option<String>,
        /// Only loans with days past due > 0.
        #[arg(long)]
        overdue: bool,
        /// Only loans whose contract number, borrower or officer contains this text (as `/`).
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// CSV only: start with a UTF-8 byte order mark, so Excel (Chinese Windows) reads UTF-8.
        #[arg(long)]
        bom: bool,
    },
    /// Staff of the book.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Run the warning indicators over every active loan: raise, escalate, mark back to normal.
    Evaluate {
        /// The date of the evaluation (default: today; in a demo book, its date).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Evaluate on a date far from today or before the last evaluation.
        #[arg(long)]
        force: bool,
    },
    /// Print warnings, red first, oldest first within a level.
    Warnings {
        /// red, orange or yellow.
        #[arg(long)]
        level: Option<String>,
        /// open, acknowledged, in_disposal, resolved, dismissed, or all (default: the active ones).
        #[arg(long)]
        status: Option<String>,
        /// Only warnings on loans this officer tracks.
        #[arg(long, value_name = "USER")]
        officer: Option<String>,
        /// Only this signal (indicator code).
        #[arg(long)]
        indicator: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// At most this many rows.
        #[arg(value_parser = numbers::limit, allow_negative_numbers = true, long)]
        limit: Option<u64>,
        /// CSV only: start with a UTF-8 byte order mark, so Excel (Chinese Windows) reads UTF-8.
        #[arg(long)]
        bom: bool,
    },
    /// One warning: show, raise by hand, acknowledge, dispose, resolve, dismiss, cause, notice.
    Warning {
        #[command(subcommand)]
        command: warnings::WarningCommand,
    },
    /// Print inspections, due date first (overdue first); `inspections plan` derives the plan.
    Inspections(inspections::ListArgs),
    /// One inspection: start, write, measure, propose-class, attach, submit, approve, return, amend, show.
    Inspection {
        #[command(subcommand)]
        command: inspections::InspectionCommand,
    },
    /// Reports: `report inspection NUMBER [--format md|html] [--output FILE]`, `report
    /// migration --from DATE --to DATE`, `report provisions [--as-of DATE]`, `report summary
    /// (--from DATE --to DATE | --month YYYY-MM | --quarter YYYY-Qn | --year YYYY) [--sign
    /// (--text TEXT | --text-file FILE)]`.
    Report {
        #[command(subcommand)]
        command: portfolio::ReportCommand,
    },
    /// Compare every loan's class with its regulatory floor: open, move or close floor
    /// proposals (never changes a class). Also run at the end of `evaluate`.
    Classify {
        /// The date of the comparison (default: today; in a demo book, its date).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Classification proposals (with no subcommand: the list); propose, approve, reject, history.
    Classification(classification::ClassificationArgs),
    /// Legal clocks (limitation, preservation, seizure) ending soon or run out, soonest first.
    Clocks(outcomes::ClocksArgs),
    /// One loan: restructuring, impairment, and disposal outcomes (demand, recall,
    /// collateral-add, recover, write-off, close, legal, show).
    Loan {
        #[command(subcommand)]
        command: classification::LoanCommand,
    },
    /// Check the book: the audit chain and its head, sealed rows, documents, evidence files,
    /// SQLite's integrity check. Exits 1 naming each problem.
    Verify(verify::VerifyArgs),
    /// The audit trail, newest first (auditors and managers).
    Audit(verify::AuditArgs),
    /// The document archive: every document of the book, newest first (with no subcommand:
    /// the list); show, export, add.
    Archive(archive::ArchiveArgs),
    /// Issue a feedback note to credit approval, risk management or finance, from a risk
    /// case, an inspection report or the signed summary; kept in the archive.
    Feedback(archive::FeedbackArgs),
    /// Copy the book while others work (SQLite's online backup) and its document store
    /// beside the copy (FILE.docs).
    Backup {
        /// The backup file (an existing file is never overwritten).
        file: PathBuf,
    },
    /// Restore a backup as the book; an existing book is kept beside it, only with --force.
    Restore {
        /// The backup file to restore.
        file: PathBuf,
        /// Replace the existing book (it is kept as BOOK.before-restore-TIME).
        #[arg(long)]
        force: bool,
    },
    /// Risk cases (one per borrower), red first, then by next deadline.
    Cases(disposal::CasesArgs),
    /// Disposal actions, open ones first, the most overdue on top.
    Disposal(disposal::DisposalArgs),
    /// One risk case: show, plan, submit, approve, reject, explanation, progress, fail-plan, recover, close.
    Case {
        #[command(subcommand)]
        command: disposal::CaseCommand,
    },
    /// One disposal action: add, progress, start, done, fail, cancel, from-inspection.
    Action {
        #[command(subcommand)]
        command: disposal::ActionCommand,
    },
    /// The nightly escalation check: rectifications past due fail, their cases go red and need
    /// an emergency plan. Also run at the end of `evaluate`.
    Escalate {
        /// The day of the check (default: today; in a demo book, its date).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = disposal::EscalateFormat::Table)]
        format: disposal::EscalateFormat,
        /// Check on a date after today.
        #[arg(long)]
        force: bool,
    },
    /// Measure bytes per screen and key, key-to-frame time, import and evaluation speed on a
    /// demo book it builds (or reuses with --db); prints a Markdown table.
    Bench(crate::bench::BenchArgs),
    /// Check the book's place on a shared server: owner, group and modes of its files,
    /// schema version, WAL mode, free disk, the document store; says what to fix. Exits 0
    /// only when all is well.
    Doctor(doctor::DoctorArgs),
    /// The concurrency test's worker: seeded operations on a demo book's loans (hidden).
    #[command(hide = true)]
    StressWorker(stress::WorkerArgs),
    /// Show where postloan keeps the book, config, keymap and log.
    Paths,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member (or change their role). Managers only.
    Add {
        /// The user name (login).
        user: String,
        /// The role: specialist, supervisor, manager or auditor.
        #[arg(long)]
        role: String,
        /// Display name (default: the user name).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the staff.
    List,
    /// Print who may do what: every command by role (no book needed).
    Roles,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Everything a command needs to know about where and who.
pub struct Context_ {
    /// `--config`, if given.
    pub explicit_config: Option<PathBuf>,
    pub dirs: Dirs,
    pub config: Config,
    pub lang: Lang,
}

fn resolve_lang(cli: &Cli, config: &Config) -> anyhow::Result<Lang> {
    if let Some(l) = &cli.lang {
        let said = Lang::from_env().tf("cli_args.bad_lang", &[("value", l)]);
        return Lang::parse(l).ok_or_else(|| usage(said));
    }
    if !config.lang.is_empty() {
        let said = Lang::from_env().tf("config_error.bad_lang", &[("value", &config.lang)]);
        return Lang::parse(&config.lang).ok_or_else(|| anyhow!("{said}"));
    }
    Ok(Lang::from_env())
}

/// Decides once whether standard output and error are ASCII (`[display] charset`, else the
/// locale, as the workbench decides its frame) and sets it for `visible`. Returns it.
pub fn output_charset(config: Option<&Config>) -> bool {
    let choice = config.map_or(crate::config::CharsetChoice::Auto, |c| c.display.charset);
    let ascii = visible::ascii_for(choice, tui::term::locale_is_utf8(|k| std::env::var(k).ok()));
    visible::set_ascii(ascii);
    ascii
}

/// The language messages are given in: Chinese cannot be written in ASCII, so with ASCII
/// output (`LANG=C`) a Chinese choice (`--lang zh-CN`, the config's `lang`) falls back to
/// English, and standard error says so once (the workbench on its status line instead). Chinese
/// that nobody chose (no `--lang`, no config `lang`, no locale variable set: an SSH login with
/// an empty environment) falls back silently.
pub fn shown_lang(lang: Lang, ascii: bool, chosen: bool) -> Lang {
    if !(ascii && lang == Lang::ZhCn) {
        return lang;
    }
    if chosen && visible::first_zh_fallback() {
        crate::note!("{}", Lang::En.t("cli_env.zh_needs_utf8"));
    }
    Lang::En
}

/// Under a setgid install, a new book (`init`, `demo`, a `restore` where there is none) is
/// made only where the user could make it with their own rights, or in a directory of a group
/// they are in: the program's group is lent to reach the branch's book, not to put more books
/// beside it. Root, and a book that is already there, pass.
pub(crate) fn refuse_new_book_in_lent_group(path: &Path, lang: Lang) -> anyhow::Result<()> {
    // An empty file is no book: making one in it is making a new book (a user outside the
    // group must not take over a branch book emptied by mistake).
    if std::fs::symlink_metadata(path).is_ok() && !crate::store::is_blank_file(path) {
        return Ok(());
    }
    let Some(gid) = crate::user_rights::borrowed_group_for_new(path) else {
        return Ok(());
    };
    bail!(
        "{}",
        lang.tf(
            "cli_env.new_book_lent_group",
            &[
                ("path", &shown_path(path)),
                ("dir", &shown_path(&crate::store::book_dir(path))),
                ("group", &crate::workflow::doctor::group_name(gid)),
                ("user", &crate::workflow::os_user()),
            ],
        )
    )
}

fn book_path(cli: &Cli, ctx: &Context_) -> PathBuf {
    if let Some(p) = &cli.db {
        return p.clone();
    }
    if let Ok(p) = std::env::var("POSTLOAN_DB")
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    if !ctx.config.database.is_empty() {
        return PathBuf::from(&ctx.config.database);
    }
    ctx.dirs.default_book()
}

/// "No book at PATH", saying so when its directory is missing (a mistyped `--db`).
fn no_book(path: &Path, lang: Lang) -> anyhow::Error {
    let dir = crate::store::book_dir(path);
    if !dir.exists() {
        return anyhow!(
            "{}",
            lang.tf(
                "cli_env.no_book_dir",
                &[("path", &path.display()), ("dir", &dir.display())]
            )
        );
    }
    anyhow!("{}", lang.tf("cli.no_book", &[("path", &path.display())]))
}

/// Fails unless there is a book at `path`: "no book" only when nothing is there; a path this
/// user may not follow is "permission denied", naming where (see [`crate::store::book_exists`]).
fn require_book(path: &Path, lang: Lang) -> anyhow::Result<()> {
    match crate::store::book_exists(path) {
        Ok(true) => Ok(()),
        Ok(false) => Err(no_book(path, lang)),
        Err(e) => Err(open_error(e, path, lang)),
    }
}

/// "Permission denied" on the way to a book: who is asking, what stops them (its owner,
/// group and mode), and whom to ask; never "init", since a book may well be there.
fn denied_text(path: &str, place: &str, place_is_book: bool, lang: Lang) -> String {
    use std::os::unix::fs::MetadataExt;
    let (owner, group, mode) = match std::fs::metadata(place) {
        Ok(m) => (
            workflow::user_name(m.uid()).unwrap_or_else(|| m.uid().to_string()),
            workflow::doctor::group_name(m.gid()),
            format!("{:04o}", m.mode() & 0o7777),
        ),
        Err(_) => ("?".into(), "?".into(), "?".into()),
    };
    lang.tf(
        if place_is_book {
            "cli_env.denied_book"
        } else {
            "cli_env.denied_dir"
        },
        &[
            ("path", &shown_path(Path::new(path))),
            ("place", &shown_path(Path::new(place))),
            ("user", &workflow::os_user()),
            ("owner", &owner),
            ("group", &group),
            ("mode", &mode),
        ],
    )
}

/// Opens the book for a command that changes it; a read-only book is refused, saying where.
fn open_book(path: &Path, lang: Lang) -> anyhow::Result<Store> {
    require_book(path, lang)?;
    announce_upgrade(path, lang);
    let store = Store::open_existing(path).map_err(|e| open_error(e, path, lang))?;
    announce_upgraded(&store, lang);
    Ok(store)
}

/// Says on standard error (before any screen is up) that opening upgraded the book's
/// schema, and where the copy from before it is kept.
pub(crate) fn announce_upgraded(store: &Store, lang: Lang) {
    if let Some(u) = store.upgraded() {
        crate::note!(
            "{}",
            lang.tf(
                "cli_env.upgraded",
                &[
                    ("path", &store.path().display()),
                    ("from", &u.from),
                    ("to", &u.to),
                    ("backup", &u.backup.display()),
                ]
            )
        );
    }
}

/// Opens the book for a command that only reads it: on read-only media it opens read-only.
fn open_book_to_read(path: &Path, lang: Lang) -> anyhow::Result<Store> {
    require_book(path, lang)?;
    if crate::store::Writable::probe(path).refusal().is_none() {
        announce_upgrade(path, lang);
    }
    if crate::store::wal_unreadable(path) {
        crate::note!(
            "{}",
            lang.tf("cli_env.wal_unreadable", &[("path", &path.display())])
        );
    }
    let store = Store::open_for_reading(path).map_err(|e| open_error(e, path, lang))?;
    announce_upgraded(&store, lang);
    Ok(store)
}

/// Says in the user's language why the book at `path` could not be opened.
fn open_error(e: StoreError, path: &Path, lang: Lang) -> anyhow::Error {
    if let StoreError::NotFound(_) = e {
        return no_book(path, lang);
    }
    match store_error_text(&e, lang) {
        Some(text) => anyhow!(text),
        None => e.into(),
    }
}

/// The store's errors about the book itself (where it is, whether it can be written), in the
/// user's language; `None` for the others.
fn store_error_text(e: &StoreError, lang: Lang) -> Option<String> {
    Some(match e {
        StoreError::Denied {
            path,
            place,
            place_is_book,
        } => denied_text(path, place, *place_is_book, lang),
        StoreError::ReadOnly { path, place } if !Path::new(path).exists() => lang.tf(
            "cli_env.create_read_only",
            &[("path", path), ("dir", &place.describe(path))],
        ),
        StoreError::ReadOnly { path, place } => lang.tf(
            match place {
                ReadOnlyPlace::File => "cli_env.read_only_file",
                ReadOnlyPlace::Directory => "cli_env.read_only_dir",
            },
            &[("path", path), ("dir", &place.describe(path))],
        ),
        StoreError::ReadOnlyOutdated { path, found, want } => lang.tf(
            "cli_env.read_only_outdated",
            &[("path", path), ("found", found), ("want", want)],
        ),
        StoreError::NotAFile { path } => lang.tf("cli_env.not_a_file", &[("path", path)]),
        StoreError::Foreign(path) => lang.tf("cli_env.foreign_database", &[("path", path)]),
        StoreError::TooNew {
            path,
            found,
            want,
            program,
        } => lang.tf(
            "cli_env.too_new",
            &[
                ("path", path),
                ("found", found),
                ("want", want),
                ("program", program),
            ],
        ),
        StoreError::UpgradeBackup {
            path,
            backup,
            source,
        } => {
            let reason = store_error_text(source, lang).unwrap_or_else(|| source.to_string());
            lang.tf(
                "cli_env.upgrade_backup",
                &[("path", path), ("backup", backup), ("reason", &reason)],
            )
        }
        StoreError::CreateFile { path, reason } => {
            lang.tf("cli_env.create_file", &[("path", path), ("reason", reason)])
        }
        StoreError::Sql(e) | StoreError::Open { source: e, .. } if is_disk_full(e) => {
            lang.t("cli_env.disk_full").to_string()
        }
        StoreError::CreateDir { dir, reason } => {
            lang.tf("cli_env.create_dir", &[("dir", dir), ("reason", reason)])
        }
        StoreError::Open { path, source } => {
            // SQLite's English (and the path it repeats) goes to the log; the user reads the kind.
            let reason = crate::i18n::sqlite_reason(source, lang);
            let key = if Path::new(path).is_dir() {
                "cli_env.book_is_dir"
            } else {
                "cli_env.open_failed"
            };
            lang.tf(key, &[("path", path), ("reason", &reason)])
        }
        _ => return None,
    })
}

/// Whether SQLite ran out of room (`SQLITE_FULL`: the disk, a quota, or `max_page_count`).
fn is_disk_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}

/// An error's causes joined by ": ", each said once. Many errors print their cause in their
/// own message and also hand it out as `source()` (thiserror's `"…: {source}"`, rusqlite's
/// failure and its code), so the plain chain would repeat it: a cause whose text is already
/// there is left out, and a SQLite failure that carries SQLite's message is not followed by
/// its bare error code, which says the same.
pub fn chain_text<'a>(
    chain: impl Iterator<Item = &'a (dyn std::error::Error + 'static)>,
) -> String {
    let mut out = String::new();
    for err in chain {
        let text = err.to_string();
        if !text.is_empty() && !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        if let Some(rusqlite::Error::SqliteFailure(_, Some(_))) =
            err.downcast_ref::<rusqlite::Error>()
        {
            break;
        }
    }
    out
}

/// What the user reads for an error that ends a command (after "error: "): workflow refusals
/// in the user's language, other errors with each cause once.
pub fn error_text(e: &anyhow::Error, lang: Lang) -> String {
    use crate::workflow::WorkflowError;
    use crate::workflow::import::ImportError;
    let workflow = match e.downcast_ref::<ImportError>() {
        Some(ImportError::Workflow(w)) => Some(w),
        _ => e.downcast_ref::<WorkflowError>(),
    };
    // `WorkflowError::Store` is transparent: its store error is not a link of the chain.
    let inner_store = match workflow {
        Some(WorkflowError::Store(s)) => Some(s),
        _ => None,
    };
    if let Some(text) = e
        .chain()
        .filter_map(|c| c.downcast_ref::<StoreError>())
        .chain(inner_store)
        .find_map(|s| store_error_text(s, lang))
    {
        return text;
    }
    // A full disk met below the store's own errors (a bare SQLite error on the way).
    if e.chain()
        .filter_map(|c| c.downcast_ref::<rusqlite::Error>())
        .any(is_disk_full)
    {
        return lang.t("cli_env.disk_full").to_string();
    }
    match workflow {
        // A store error inside is not a refusal: it gets its causes, once each.
        Some(WorkflowError::Store(_)) | None => chain_text(e.chain()),
        Some(w) => w.localized(lang),
    }
}

/// Whether `e` comes from writing to a closed pipe (`postloan loans | head`): the reader has
/// what it wanted, so that is a normal end for a listing, not an error to print. Looks through
/// the wrappers an I/O error travels in (JSON and CSV writers, `io::Error::other`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(broken_pipe)
}

fn broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        return io.kind() == BrokenPipe || io.get_ref().is_some_and(|inner| broken_pipe(inner));
    }
    if let Some(j) = e.downcast_ref::<serde_json::Error>() {
        return j.io_error_kind() == Some(BrokenPipe);
    }
    if let Some(c) = e.downcast_ref::<csv::Error>()
        && let csv::ErrorKind::Io(io) = c.kind()
    {
        return io.kind() == BrokenPipe;
    }
    false
}

/// The UTF-8 byte order mark `--bom` puts before CSV: without it Excel on Chinese Windows
/// reads a CSV file as GBK.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text cell from the book as written to CSV: a cell a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading apostrophe,
/// as OWASP advises for CSV injection; any other text is written as it is.
pub fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Refuses `--bom` with a format other than CSV rather than ignoring it: a usage error (exit
/// 2) naming the combination. Not allowed before JSON: RFC 8259 forbids it and most JSON
/// readers (jq, Python's json) reject it; a table is for the terminal, not Excel.
fn bom_only_for_csv(bom: bool, format: Format, lang: Lang) -> anyhow::Result<()> {
    if bom && format != Format::Csv {
        let given = format
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        return Err(usage(
            lang.tf("cli_env.bom_needs_csv", &[("format", &given)]),
        ));
    }
    Ok(())
}

/// Says so before a schema upgrade that may keep the user waiting (before any screen is up).
fn announce_upgrade(path: &Path, lang: Lang) {
    if crate::store::upgrade_pending(path) {
        crate::note!("{}", lang.tf("cli.upgrading", &[("path", &path.display())]));
    }
}

/// The classification rules of the config, checked.
fn classification_rules(
    ctx: &Context_,
    lang: Lang,
) -> anyhow::Result<crate::domain::classification::ClassificationRules> {
    ctx.config
        .classification
        .rules()
        .map_err(|e| anyhow!("{}", e.localized(lang)))
}

/// A date argument that is not a date, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateArgError(pub crate::domain::dates::DateError);

impl DateArgError {
    /// Why, in `lang`: the sentence a form's date field says.
    pub fn message(&self, lang: Lang) -> String {
        use crate::domain::dates::DateError;
        match &self.0 {
            DateError::Shape => lang.t("form_parse.date_shape").to_string(),
            DateError::NoSuchMonth(m) => lang.tf("form_parse.date_no_month", &[("month", m)]),
            DateError::NoSuchDay { month, days } => lang.tf(
                "form_parse.date_no_day",
                &[("month", month), ("days", days)],
            ),
        }
    }
}

impl std::fmt::Display for DateArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for DateArgError {}

/// A whole number on the command line outside its option's range: says the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberArgError {
    /// Not a whole number at all.
    NotNumber,
    /// A whole number outside `min..=max` (`unit` names what it counts, a translation key).
    OutOfRange {
        min: u64,
        max: u64,
        unit: &'static str,
    },
}

impl NumberArgError {
    /// Why, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            NumberArgError::NotNumber => lang.t("cli_args.not_number").to_string(),
            NumberArgError::OutOfRange { min, max, unit } => lang.tf(
                "cli_args.number_range",
                &[("min", min), ("max", max), ("unit", &lang.t(unit))],
            ),
        }
    }

    /// `text` as a whole number from `min` to `max`.
    pub fn parse_range(
        text: &str,
        min: u64,
        max: u64,
        unit: &'static str,
    ) -> Result<u64, NumberArgError> {
        let t = text.trim();
        let out = NumberArgError::OutOfRange { min, max, unit };
        match t.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            Ok(_) => Err(out),
            // Digits only (or a minus sign and digits): a whole number, just out of range.
            Err(_)
                if !t.is_empty()
                    && t.strip_prefix('-')
                        .unwrap_or(t)
                        .chars()
                        .all(|c| c.is_ascii_digit()) =>
            {
                Err(out)
            }
            Err(_) => Err(NumberArgError::NotNumber),
        }
    }
}

impl std::fmt::Display for NumberArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for NumberArgError {}

/// A value on the command line that our own parsers refuse after clap has read it (an
/// amount, a code): said in the user's language, and, like clap's own usage errors, ends
/// the command with status 2 (README: exit status).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A command-line value refused by our own parsers, with why (exit status 2).
pub(crate) fn usage(text: String) -> anyhow::Error {
    anyhow::Error::new(UsageError(text))
}

/// Every date argument's parser: the forms a form's date field takes (full-width digits too).
pub fn date_arg(text: &str) -> Result<NaiveDate, DateArgError> {
    crate::domain::dates::parse_date(text).map_err(DateArgError)
}

/// The calendar's today: only where no book exists yet to ask (`demo --as-of`, refused when
/// absurdly far from it); everything else uses the book's clock (`book_today`).
fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The book's "today": a demo book lives on its own date (`demo --as-of`), so its follow-ups
/// and warnings stay as built; a real book uses the calendar.
fn book_today(store: &Store) -> anyhow::Result<NaiveDate> {
    Ok(store.book_today()?)
}

/// A path for a line of output: a file name may hold control characters (a path is any bytes
/// but `/` and NUL), which must not reach the terminal.
pub fn shown_path(path: &Path) -> String {
    crate::domain::text::terminal_text(&path.display().to_string()).into_owned()
}

/// Runs the command line; returns the process exit code.
pub fn main(cli: Cli) -> anyhow::Result<i32> {
    // Before the config is read: `--config` is one of the files checked.
    // Said as every message is: Chinese falls back to English where output is ASCII.
    let early_lang = shown_lang(
        cli.lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_else(Lang::from_env),
        output_charset(None),
        cli.lang.is_some() || Lang::named_by_env().is_some(),
    );
    named_files::check(&cli, early_lang)?;
    let dirs = Dirs::new();
    let config = Config::load(cli.config.as_deref(), &dirs)?;
    let ascii = output_charset(Some(&config));
    let chosen = cli.lang.is_some() || !config.lang.is_empty() || Lang::named_by_env().is_some();
    let lang = shown_lang(resolve_lang(&cli, &config)?, ascii, chosen);
    let ctx = Context_ {
        explicit_config: cli.config.clone(),
        dirs,
        config,
        lang,
    };
    // The group a setgid install lends is for the book in the group's directory; with any
    // other book (the user's own, a demo book) the command runs with the user's group only.
    // `restore` reads a backup in the group's directory: its places are checked where it is
    // done (`workflow::backup`), saying which directory it wants.
    let book = match &cli.command {
        Some(Command::Demo { .. }) => Some(cli.db.clone().unwrap_or_else(|| ctx.dirs.demo_book())),
        Some(Command::Restore { .. }) => None,
        _ => Some(book_path(&cli, &ctx)),
    };
    book.map_or(Ok(()), |b| crate::user_rights::lend_only_for(&b))
        .map_err(|e| {
            anyhow!(
                "{}",
                lang.tf(
                    "cli_env.drop_group_failed",
                    &[("reason", &crate::extract::io_reason(&e, lang))]
                )
            )
        })?;
    let os_user = workflow::os_user();
    match &cli.command {
        None => {
            let path = book_path(&cli, &ctx);
            require_book(&path, lang)?;
            check_terminal(lang)?;
            if path.exists()
                && let Some(place) = crate::store::Writable::probe(&path).refusal()
            {
                let shown = path.display().to_string();
                bail!(
                    "{}",
                    lang.tf(
                        "cli_env.read_only_tui",
                        &[("path", &shown), ("dir", &place.describe(&shown))]
                    )
                );
            }
            let store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            run_tui(store, actor, &ctx)
        }
        Some(Command::Demo {
            loans,
            seed,
            as_of,
            no_tui,
            fresh,
        }) => {
            let path = cli.db.clone().unwrap_or_else(|| ctx.dirs.demo_book());
            refuse_new_book_in_lent_group(&path, lang)?;
            if let Some(d) = as_of
                && workflow::warning::is_absurd_date(*d, today())
            {
                bail!(
                    "{}",
                    lang.tf(
                        "evaluation.err_absurd",
                        &[("as_of", d), ("today", &today())]
                    )
                );
            }
            let params = DemoParams {
                loans: *loans,
                seed: *seed,
                as_of: as_of.unwrap_or_else(today),
            };
            if !*no_tui {
                check_terminal(lang)?;
            }
            let started = std::time::Instant::now();
            // The build's phases and their times go to the log (kept for the workbench).
            let _log = init_log(&ctx.dirs);
            if !*fresh {
                announce_upgrade(&path, lang);
            }
            let (store, book) = workflow::demo::open_or_build(&path, &params, *fresh, &os_user)?;
            announce_upgraded(&store, lang);
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            match &book {
                workflow::demo::DemoBook::Built(c) => crate::note!(
                    "{}",
                    lang.tf(
                        "cli.demo_built",
                        &[
                            ("loans", &c.loans),
                            ("borrowers", &c.borrowers),
                            ("path", &path.display()),
                            ("secs", &format!("{:.1}", started.elapsed().as_secs_f64())),
                        ]
                    )
                ),
                workflow::demo::DemoBook::Reopened { loans } => crate::note!(
                    "{}",
                    lang.tf(
                        "cli.demo_reopened",
                        &[("loans", loans), ("path", &path.display())]
                    )
                ),
            }
            if *no_tui {
                return Ok(0);
            }
            run_tui(store, actor, &ctx)
        }
        Some(Command::Init { manager }) => {
            let path = book_path(&cli, &ctx);
            if let Some(m) = manager
                && !workflow::login_exists(m)
            {
                bail!("{}", lang.tf("cli_env.no_such_login", &[("login", m)]));
            }
            refuse_new_book_in_lent_group(&path, lang)?;
            announce_upgrade(&path, lang);
            let mut store = Store::open(&path).map_err(|e| open_error(e, &path, lang))?;
            announce_upgraded(&store, lang);
            let first = manager.as_deref().unwrap_or(&os_user);
            let actor = workflow::book::init(&mut store, first)?;
            crate::outln!(
                "{}",
                lang.tf(
                    "cli.init_done",
                    &[("path", &shown_path(&path)), ("user", &actor.username)]
                )
            );
            Ok(0)
        }
        Some(Command::Import {
            kind,
            file,
            dry_run,
            encoding,
        }) => {
            let kind = ExtractKind::parse(kind)
                .ok_or_else(|| usage(lang.tf("cli.bad_kind", &[("kind", &kind)])))?;
            let encoding = Encoding::parse(encoding)
                .ok_or_else(|| usage(lang.tf("cli.bad_encoding", &[("enc", &encoding)])))?;
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let limits = ctx
                .config
                .import
                .limits()
                .map_err(|m| anyhow!("config: {m}"))?;
            let options = workflow::import::ImportOptions {
                encoding,
                dry_run: *dry_run,
                limits,
                ..Default::default()
            };
            let report = match workflow::import::import_file_opts(
                &mut store, &actor, kind, file, &options,
            ) {
                Ok(r) => r,
                Err(workflow::import::ImportError::Extract(e)) => {
                    return Err(anyhow!("{}", e.localized(lang)));
                }
                Err(e) => return Err(e.into()),
            };
            for e in &report.errors {
                crate::note!("{}", e.localized(lang));
            }
            for n in &report.notes {
                crate::note!("{}", n.localized(&report.file, lang));
            }
            if report.repeats > report.notes.len() as u64 {
                crate::note!(
                    "{}",
                    lang.tf(
                        "import_check.repeats",
                        &[("file", &report.file), ("n", &report.repeats)]
                    )
                );
            }
            if report.error_count > report.errors.len() as u64 {
                crate::note!(
                    "{}",
                    lang.tf(
                        "cli.more_errors",
                        &[("n", &(report.error_count - report.errors.len() as u64))]
                    )
                );
            }
            let counts = [
                ("file", &report.file as &dyn std::fmt::Display),
                ("rows", &report.rows),
                ("inserted", &report.inserted),
                ("updated", &report.updated),
                ("unchanged", &report.unchanged),
                ("errors", &report.error_count),
                ("encoding", &report.encoding),
            ];
            let key = workflow::import::summary_key(&report);
            crate::outln!("{}", lang.tf(key, &counts));
            Ok(if report.error_count > 0 { 1 } else { 0 })
        }
        Some(Command::Loans {
            format,
            limit,
            officer,
            class,
            overdue,
            search,
            bom,
        }) => {
            bom_only_for_csv(*bom, *format, lang)?;
            let class = match class {
                Some(c) => Some(Classification::parse(c).ok_or_else(|| {
                    usage(lang.tf(
                        "cli.bad_class",
                        &[("class", c), ("accepted", &Classification::accepted())],
                    ))
                })?),
                None => None,
            };
            let path = book_path(&cli, &ctx);
            let store = open_book_to_read(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            filters::staff_name(&store, "--officer", officer.as_deref(), false, lang)?;
            let query = crate::store::LedgerQuery {
                officer: officer.clone(),
                class,
                overdue_only: *overdue,
                text: search.clone().unwrap_or_default(),
                today: Some(book_today(&store)?),
                ..Default::default()
            };
            loans::print(&store, &query, *limit, *format, *bom, lang)?;
            Ok(0)
        }
        Some(Command::Staff {
            command: StaffCommand::Roles,
        }) => {
            crate::out!("{}", roles_matrix(lang));
            Ok(0)
        }
        Some(Command::Staff { command }) => {
            let path = book_path(&cli, &ctx);
            let mut store = match command {
                StaffCommand::List => open_book_to_read(&path, lang)?,
                StaffCommand::Add { .. } => open_book(&path, lang)?,
                // Answered above, without a book.
                StaffCommand::Roles => return Ok(0),
            };
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            match command {
                StaffCommand::Add { user, role, name } => {
                    let role = Role::parse(role)
                        .ok_or_else(|| usage(lang.tf("cli.bad_role", &[("role", role)])))?;
                    let rec = StaffRecord {
                        username: user.clone(),
                        display_name: name.clone().unwrap_or_else(|| user.clone()),
                        role,
                    };
                    let outcome = workflow::book::add_staff(&mut store, &actor, &rec)?;
                    let key = match outcome {
                        crate::store::Outcome::Inserted => "cli.staff_added",
                        crate::store::Outcome::Updated => "cli.staff_updated",
                        crate::store::Outcome::Unchanged => "cli.staff_unchanged",
                    };
                    crate::outln!(
                        "{}",
                        lang.tf(
                            key,
                            &[
                                ("user", user),
                                ("role", &lang.code_name("role", role.code()))
                            ]
                        )
                    );
                }
                StaffCommand::Roles => {}
                StaffCommand::List => {
                    for s in store.staff_list()? {
                        // The role in the user's language, padded by display width.
                        let role = lang.code_name("role", s.role.code());
                        let pad = 12usize.saturating_sub(crate::domain::text::width(&role));
                        crate::outln!(
                            "{:<16} {role}{} {}",
                            visible::shown(&s.username),
                            " ".repeat(pad),
                            visible::shown(&s.display_name)
                        );
                    }
                }
            }
            Ok(0)
        }
        Some(Command::Evaluate {
            as_of,
            format,
            force,
        }) => {
            if *format == Format::Csv {
                return Err(usage(lang.t("cli_env.evaluate_no_csv").to_string()));
            }
            let rules = warnings::rules_or_fail(crate::config::warning_rules(
                cli.config.as_deref(),
                &ctx.dirs,
            ))?;
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            let as_of = as_of.unwrap_or(today);
            if let Some(refusal) =
                workflow::warning::check_evaluation_date(&store, &rules, as_of, today, *force)?
            {
                let why = refusal.message(lang, as_of, today);
                crate::note!("{}{why}", lang.t("cli.error"));
                return Ok(1);
            }
            let class_rules = classification_rules(&ctx, lang)?;
            // The nightly batch goes on with the floor check and the inspection plan (a
            // warning just raised orange or red plans a triggered inspection): their config
            // is read first, so a bad one stops the batch before anything is written.
            let plan_cfg = ctx
                .config
                .plan()
                .map_err(|e| anyhow!("{}", e.localized(lang)))?;
            let disposal_settings = disposal::settings(&ctx, lang)?;
            let report = workflow::warning::evaluate_book(&mut store, &actor, &rules, as_of)?;
            // The floors are compared on the same date, after the warnings they read.
            let classified =
                workflow::classification::classify_book(&mut store, &actor, &class_rules, as_of)?;
            let started = std::time::Instant::now();
            let plan = workflow::inspection::plan_book(&mut store, &actor, &plan_cfg)?;
            let plan_line = inspections::plan_line(&store, &plan, as_of, started, lang)?;
            // Then the nightly escalation, as the engine (a specialist's evaluate too).
            let escalation =
                workflow::disposal::escalate(&mut store, &Actor::system(), as_of, Some(&plan_cfg))?;
            let tightened = workflow::disposal::tighten_by_level(
                &mut store,
                &Actor::system(),
                &disposal_settings,
                as_of,
            )?;
            if *format == Format::Json {
                let mut v = serde_json::to_value(&report)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("classification".into(), serde_json::to_value(classified)?);
                    o.insert("plan".into(), serde_json::to_value(plan)?);
                    o.insert("cases".into(), serde_json::to_value(&report.cases)?);
                    o.insert("escalation".into(), serde_json::to_value(&escalation)?);
                    o.insert(
                        "tracking_tightened".into(),
                        disposal::tightened_json(&tightened),
                    );
                }
                crate::outln!("{}", visible::json(&serde_json::to_string_pretty(&v)?));
            } else {
                warnings::print_evaluation(&report, None, *format, lang)?;
                crate::outln!("{}", classification::summary(&classified, as_of, lang));
                crate::outln!("{plan_line}");
                crate::outln!(
                    "{}",
                    lang.tf(
                        "disposal_cli.grouped",
                        &[
                            ("opened", &report.cases.opened),
                            ("joined", &report.cases.joined),
                            ("raised", &report.cases.raised.len()),
                        ]
                    )
                );
                crate::outln!("{}", disposal::escalation_line(&escalation, lang));
                for line in disposal::tightened_lines(&tightened, lang) {
                    crate::outln!("{line}");
                }
            }
            Ok(0)
        }
        Some(Command::Warnings {
            level,
            status,
            officer,
            indicator,
            format,
            limit,
            bom,
        }) => {
            bom_only_for_csv(*bom, *format, lang)?;
            let path = book_path(&cli, &ctx);
            let store = open_book_to_read(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            filters::staff_name(&store, "--officer", officer.as_deref(), false, lang)?;
            let level = match level {
                Some(l) => Some(
                    crate::domain::warning::Level::parse(l)
                        .ok_or_else(|| usage(lang.tf("warning.err_level", &[("value", l)])))?,
                ),
                None => None,
            };
            let (status, include_closed) = match status.as_deref() {
                Some("all") => (None, true),
                Some(s) => (Some(warnings::parse_status(s, lang)?), false),
                None => (None, false),
            };
            let q = crate::store::WarningQuery {
                level,
                status,
                include_closed,
                officer: officer.clone(),
                indicator: (indicator.as_deref())
                    .map(|i| warnings::parse_indicator(i, lang))
                    .transpose()?,
                loan_id: None,
            };
            warnings::print_warnings(&store, &q, *limit, *format, *bom, lang)?;
            Ok(0)
        }
        Some(Command::Warning { command }) => {
            let path = book_path(&cli, &ctx);
            let mut store = match command {
                warnings::WarningCommand::Show { .. } => open_book_to_read(&path, lang)?,
                _ => open_book(&path, lang)?,
            };
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            warnings::run(command, &mut store, &actor, today, lang)
        }
        Some(Command::Classify { as_of, format }) => {
            if *format == Format::Csv {
                return Err(usage(lang.t("classification_cli.no_csv").to_string()));
            }
            let class_rules = classification_rules(&ctx, lang)?;
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            let as_of = as_of.unwrap_or(today);
            workflow::classification::check_classify_date(as_of, today)?;
            let report =
                workflow::classification::classify_book(&mut store, &actor, &class_rules, as_of)?;
            classification::print_classify(&report, as_of, *format, lang)?;
            Ok(0)
        }
        Some(Command::Classification(args)) => {
            let path = book_path(&cli, &ctx);
            let Some(command) = &args.command else {
                bom_only_for_csv(args.bom, args.format, lang)?;
                let store = open_book_to_read(&path, lang)?;
                let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
                filters::staff_name(&store, "--officer", args.officer.as_deref(), false, lang)?;
                let decidable_by = if args.to_decide {
                    // Deciding is a reviewer's: anyone else is told who may, and why not.
                    let decides = actor.authorize(
                        crate::domain::permission::Command::RejectClassification,
                        &crate::domain::permission::Subject::NONE,
                    );
                    if decides.is_err() {
                        bail!(
                            "{}",
                            lang.tf(
                                "classification_cli.to_decide_denied",
                                &[
                                    ("user", &actor.username),
                                    ("role", &lang.code_name("role", actor.role.code())),
                                ]
                            )
                        );
                    }
                    Some(crate::store::Decider {
                        user: actor.username.clone(),
                        role: actor.role,
                    })
                } else {
                    None
                };
                let q = crate::store::ClassificationQuery {
                    pending: args.pending,
                    below_floor: args.below_floor,
                    officer: args.officer.clone(),
                    decidable_by,
                };
                classification::print_list(&store, &q, args.limit, args.format, args.bom, lang)?;
                return Ok(0);
            };
            let class_rules = classification_rules(&ctx, lang)?;
            let plan = ctx
                .config
                .plan()
                .map_err(|e| anyhow!("{}", e.localized(lang)))?;
            let mut store = match command {
                classification::ClassificationCommand::History { .. } => {
                    open_book_to_read(&path, lang)?
                }
                _ => open_book(&path, lang)?,
            };
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let decide = workflow::classification::Decide {
                rules: &class_rules,
                plan: &plan,
                today: book_today(&store)?,
            };
            classification::run(command, &mut store, &actor, &decide, lang)
        }
        Some(Command::Clocks(args)) => outcomes::clocks(&cli, &ctx, args),
        Some(Command::Loan {
            command: classification::LoanCommand::Outcome(command),
        }) => outcomes::run(&cli, &ctx, command),
        Some(Command::Loan { command }) => {
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            classification::run_loan(command, &mut store, &actor, today, lang)
        }
        Some(Command::Inspections(args)) => inspections::list(&cli, &ctx, args),
        Some(Command::Inspection { command }) => inspections::run(&cli, &ctx, command),
        Some(Command::Report {
            command: portfolio::ReportCommand::Inspection(command),
        }) => inspections::report(&cli, &ctx, command),
        Some(Command::Report {
            command: portfolio::ReportCommand::Migration { from, to, format },
        }) => {
            if from > to {
                return Err(usage(
                    lang.tf("portfolio.err_order", &[("from", from), ("to", to)]),
                ));
            }
            let path = book_path(&cli, &ctx);
            let store = open_book_to_read(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let m = portfolio::migration(&store, *from, *to)?;
            portfolio::print_migration(&m, *from, *to, *format, lang)?;
            Ok(0)
        }
        Some(Command::Report {
            command: portfolio::ReportCommand::Summary(args),
        }) => {
            // The period is checked before the book is opened: a wrong one says so at once.
            args.period(lang)?;
            let path = book_path(&cli, &ctx);
            if args.sign {
                let mut store = open_book(&path, lang)?;
                let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
                let today = book_today(&store)?;
                portfolio::sign_summary(&mut store, &actor, args, today, lang)?;
                return Ok(0);
            }
            let store = open_book_to_read(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let today = book_today(&store)?;
            portfolio::summary(&store, args, today, lang)?;
            Ok(0)
        }
        Some(Command::Report {
            command: portfolio::ReportCommand::Provisions { as_of, format },
        }) => {
            if *format == Format::Csv {
                return Err(usage(lang.t("classification_cli.no_csv").to_string()));
            }
            let rates = ctx
                .config
                .provisions
                .rates()
                .map_err(|e| anyhow!("{}", e.localized(lang)))?;
            let path = book_path(&cli, &ctx);
            let store = open_book_to_read(&path, lang)?;
            workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let as_of = as_of.unwrap_or(book_today(&store)?);
            let actual = ctx
                .config
                .provisions
                .reserve_on(as_of)
                .map_err(|e| anyhow!("{}", e.localized(lang)))?;
            let p = portfolio::provisions(&store, as_of, &rates, actual)?;
            let written_off = store.written_off_by(as_of)?;
            portfolio::print_provisions(&p, &rates, as_of, &written_off, *format, lang)?;
            Ok(0)
        }
        Some(Command::Cases(args)) => disposal::cases(&cli, &ctx, args),
        Some(Command::Disposal(args)) => disposal::actions(&cli, &ctx, args),
        Some(Command::Case { command }) => disposal::case(&cli, &ctx, command),
        Some(Command::Action { command }) => disposal::action(&cli, &ctx, command),
        Some(Command::Escalate {
            as_of,
            format,
            force,
        }) => disposal::escalate(&cli, &ctx, *as_of, *force, *format),
        Some(Command::Bench(args)) => {
            let opts = crate::bench::BenchOptions::from_args(args, cli.db.clone());
            crate::bench::run(&opts, &mut std::io::stdout().lock())?;
            Ok(0)
        }
        Some(Command::StressWorker(args)) => {
            let text = crate::user_rights::read_to_string(&args.plan)
                .with_context(|| args.plan.display().to_string())?;
            let plan: Vec<stress::PlanLoan> =
                serde_json::from_str(&text).with_context(|| args.plan.display().to_string())?;
            let class_rules = classification_rules(&ctx, lang)?;
            let plan_config = ctx
                .config
                .plan()
                .map_err(|e| anyhow!("{}", e.localized(lang)))?;
            let path = book_path(&cli, &ctx);
            let mut store = open_book(&path, lang)?;
            let actor = workflow::identify(&store, &os_user, cli.as_user.as_deref())?;
            let tally = stress::run(
                &mut store,
                &actor,
                args,
                &plan,
                &class_rules,
                &plan_config,
                lang,
            )?;
            crate::outln!("{}", visible::json(&serde_json::to_string(&tally)?));
            Ok(0)
        }
        Some(Command::Verify(args)) => verify::verify(&cli, &ctx, args),
        Some(Command::Audit(args)) => verify::audit(&cli, &ctx, args),
        Some(Command::Archive(args)) => archive::run(&cli, &ctx, args),
        Some(Command::Feedback(args)) => archive::feedback(&cli, &ctx, args),
        Some(Command::Backup { file }) => verify::backup(&cli, &ctx, file),
        Some(Command::Restore { file, force }) => verify::restore(&cli, &ctx, file, *force),
        Some(Command::Doctor(args)) => doctor::doctor(&cli, &ctx, args),
        Some(Command::Paths) => {
            crate::outln!("book     {}", shown_path(&book_path(&cli, &ctx)));
            crate::outln!("demo     {}", shown_path(&ctx.dirs.demo_book()));
            crate::outln!(
                "config   {} (site: {})",
                ctx.dirs.user_config().display(),
                crate::config::SITE_CONFIG
            );
            crate::outln!("keymap   {}", shown_path(&ctx.dirs.user_keymap()));
            for p in tui::keymap::Keymap::load_with_user_file(&ctx.dirs.user_keymap()).1 {
                crate::note!("         {}", p.text(ctx.lang));
            }
            crate::outln!("log      {}", shown_path(&ctx.dirs.log_file()));
            crate::outln!("drafts   {}", shown_path(&drafts_file(&ctx.dirs)));
            Ok(0)
        }
    }
}

/// Why the workbench cannot be drawn here, as a translation key, or `None` when it can:
/// `term` is `$TERM`, the flags whether standard input and output are terminals.
pub fn terminal_problem(
    term: Option<&str>,
    stdin_tty: bool,
    stdout_tty: bool,
) -> Option<&'static str> {
    match term.map(str::trim) {
        None | Some("") => Some("cli_env.term_unset"),
        Some(t) if t.eq_ignore_ascii_case("dumb") || t.eq_ignore_ascii_case("unknown") => {
            Some("cli_env.term_dumb")
        }
        _ if !stdin_tty || !stdout_tty => Some("cli.no_terminal"),
        Some(_) => None,
    }
}

/// Refuses, before anything is opened or built, to start the workbench where it cannot be
/// drawn (a dumb or unknown terminal, input or output not a terminal), pointing to the CLI.
fn check_terminal(lang: Lang) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let term = std::env::var("TERM").ok();
    match terminal_problem(
        term.as_deref(),
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
    ) {
        Some(key) => bail!(
            "{}",
            lang.tf(key, &[("term", &term.as_deref().unwrap_or_default())])
        ),
        None => Ok(()),
    }
}

/// `postloan staff roles`: every command by role, in `lang`, from the rules themselves.
pub fn roles_matrix(lang: Lang) -> String {
    use crate::domain::permission::{self, Command as Cmd};
    use crate::domain::text::{pad_left, pad_right};
    let commands = Cmd::all();
    let names: Vec<String> = commands
        .iter()
        .map(|c| lang.code_name("command", &c.code()))
        .collect();
    let width = names
        .iter()
        .map(|n| crate::domain::text::width(n))
        .max()
        .unwrap_or(0)
        .max(crate::domain::text::width(lang.t("authz.matrix_command")));
    let mut heads: Vec<String> = Role::ALL
        .iter()
        .map(|r| lang.code_name("role", r.code()))
        .collect();
    heads.push(lang.t("authz.matrix_system").to_string());
    let col = |h: &str| crate::domain::text::width(h).max(4) + 2;
    let mut out = format!("{}\n\n", lang.t("authz.matrix_title"));
    out.push_str(&pad_right(lang.t("authz.matrix_command"), width));
    for h in &heads {
        out.push_str(&pad_left(h, col(h)));
    }
    out.push('\n');
    let mark = |ok: bool| lang.t(if ok { "authz.yes" } else { "authz.no" });
    for (c, name) in commands.iter().zip(&names) {
        out.push_str(&pad_right(name, width));
        let may = permission::roles_that_may(*c);
        for (r, h) in Role::ALL.iter().zip(&heads) {
            out.push_str(&pad_left(mark(may.contains(r)), col(h)));
        }
        let h = &heads[heads.len() - 1];
        out.push_str(&pad_left(mark(permission::system_may(*c)), col(h)));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(lang.t("authz.matrix_note"));
    out.push('\n');
    out
}

/// Opens the workbench: logging goes to the log file from here on, never to the screen.
fn run_tui(store: Store, actor: Actor, ctx: &Context_) -> anyhow::Result<i32> {
    check_terminal(ctx.lang)?;
    let _guard = init_log(&ctx.dirs);
    let (keymap, problems) = tui::keymap::Keymap::load_with_user_file(&ctx.dirs.user_keymap());
    for p in &problems {
        // Said before the screen is taken over, so it is still there after quitting.
        let text = p.text(ctx.lang);
        crate::note!("{text}");
        tracing::warn!("keymap: {}", p.text(crate::i18n::Lang::En));
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = tui::theme::Theme::pick(no_color, ctx.config.display.theme == ThemeChoice::Mono);
    let (cols, rows) = crossterm::terminal::size().context("terminal size")?;
    let today = book_today(&store)?;
    let mut app = tui::app::App::new(
        store,
        actor,
        ctx.lang,
        theme,
        keymap,
        ctx.config.clone(),
        today,
        (cols, rows),
    )?;
    app.keymap_problems = problems;
    app.apply_charset(tui::term::locale_is_utf8(|k| std::env::var(k).ok()));
    if visible::zh_fell_back() {
        app.note_zh_fallback();
    }
    // A drafts file that cannot be read is said on the status line; the workbench still opens.
    if let Err(e) = app.use_drafts_file(drafts_file(&ctx.dirs)) {
        app.report(&e);
    }
    app.rules = crate::config::warning_rules(ctx.explicit_config.as_deref(), &ctx.dirs)?;
    tui::run(app)
}

/// Where the workbench keeps the drafts of half-typed forms (beside the log).
fn drafts_file(dirs: &Dirs) -> std::path::PathBuf {
    dirs.state.join("drafts.json")
}

fn init_log(dirs: &Dirs) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    // The log is the user's (under `XDG_STATE_HOME`): its directory is made and the file
    // opened with the user's own rights, never the group a setgid install lends, so a
    // variable pointed at the book's directory writes nothing there. A log that cannot be
    // opened is no log.
    let log = crate::user_rights::as_user(|| {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::create_dir_all(&dirs.state)?;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(dirs.log_file())
    })
    .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(log);
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTLOAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigError;
    use crate::extract::ExtractError;
    use crate::workflow::WorkflowError;
    use crate::workflow::import::ImportError;

    #[test]
    fn csv_text_neutralises_what_a_spreadsheet_would_run() {
        for (given, written) in [
            ("=1+1", "'=1+1"),
            ("+86 138", "'+86 138"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tname", "'\tname"),
            ("\rname", "'\rname"),
            ("湖北聚源服饰有限公司", "湖北聚源服饰有限公司"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_text(given), written, "{given:?}");
        }
    }

    #[test]
    fn the_workbench_needs_a_real_terminal() {
        let xterm = Some("xterm-256color");
        assert_eq!(terminal_problem(xterm, true, true), None);
        assert_eq!(
            terminal_problem(Some("dumb"), true, true),
            Some("cli_env.term_dumb")
        );
        assert_eq!(
            terminal_problem(Some("unknown"), true, true),
            Some("cli_env.term_dumb")
        );
        assert_eq!(
            terminal_problem(None, true, true),
            Some("cli_env.term_unset")
        );
        assert_eq!(
            terminal_problem(Some(" "), true, true),
            Some("cli_env.term_unset")
        );
        assert_eq!(
            terminal_problem(xterm, false, true),
            Some("cli.no_terminal")
        );
        assert_eq!(
            terminal_problem(xterm, true, false),
            Some("cli.no_terminal")
        );
        for key in ["cli_env.term_dumb", "cli_env.term_unset", "cli.no_terminal"] {
            for lang in [Lang::En, Lang::ZhCn] {
                assert!(lang.t(key).contains("postloan loans"), "{key} {lang:?}");
            }
        }
    }

    /// How often `part` occurs in `text`.
    fn count(text: &str, part: &str) -> usize {
        text.matches(part).count()
    }

    fn sqlite_cantopen(msg: Option<&str>) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            msg.map(str::to_string),
        )
    }

    #[test]
    fn every_error_type_prints_each_cause_once() {
        let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let cases: Vec<(anyhow::Error, &str)> = vec![
            (
                StoreError::Sql(sqlite_cantopen(None)).into(),
                "unable to open database file",
            ),
            (
                StoreError::Sql(sqlite_cantopen(Some("unable to open database file: x"))).into(),
                "unable to open database file",
            ),
            (
                WorkflowError::Store(StoreError::Sql(sqlite_cantopen(Some("disk gone")))).into(),
                "disk gone",
            ),
            (
                ImportError::Extract(ExtractError::Io {
                    file: "a.csv".into(),
                    source: io(),
                })
                .into(),
                "no such file",
            ),
            (
                ConfigError::Read {
                    file: "c.toml".into(),
                    source: io(),
                }
                .into(),
                "no such file",
            ),
            (
                anyhow::Error::from(ConfigError::Read {
                    file: "c.toml".into(),
                    source: io(),
                })
                .context("loading the config"),
                "no such file",
            ),
        ];
        for (e, cause) in cases {
            let text = error_text(&e, Lang::En);
            assert_eq!(count(&text, cause), 1, "{text}");
            // The plain chain repeats it: the printer is what keeps it to once.
            assert!(count(&format!("{e:#}"), cause) >= 2, "{e:#}");
        }
        // A book that cannot be opened is said by kind, SQLite's English left to the log.
        let open: anyhow::Error = StoreError::Open {
            path: "x.db".into(),
            source: sqlite_cantopen(Some("unable to open database file")),
        }
        .into();
        let text = error_text(&open, Lang::En);
        assert_eq!(count(&text, "the file cannot be opened"), 1, "{text}");
        assert!(!text.contains("unable to open"), "{text}");
    }

    #[test]
    fn a_closed_pipe_is_found_in_any_wrapper() {
        let pipe = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let json = serde_json::Error::io(pipe());
        assert!(is_broken_pipe(&anyhow::Error::from(pipe())));
        assert!(is_broken_pipe(&anyhow::Error::from(std::io::Error::other(
            serde_json::Error::io(pipe())
        ))));
        assert!(is_broken_pipe(&anyhow::Error::from(json)));
        assert!(is_broken_pipe(&anyhow::Error::from(csv::Error::from(
            pipe()
        ))));
        assert!(is_broken_pipe(
            &anyhow::Error::from(pipe()).context("writing the ledger")
        ));
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!is_broken_pipe(&anyhow::Error::from(other)));
    }

    #[test]
    fn refusals_and_book_errors_are_in_the_users_language() {
        let ro = anyhow::Error::from(StoreError::ReadOnly {
            path: "/media/cd/book.db".into(),
            place: ReadOnlyPlace::Directory,
        });
        // No such book yet: it cannot be created there.
        assert!(error_text(&ro, Lang::ZhCn).contains("不可写"));
        assert!(error_text(&ro, Lang::En).contains("directory /media/cd cannot"));
        let inner = anyhow::Error::from(WorkflowError::Store(StoreError::ReadOnly {
            path: "b.db".into(),
            place: ReadOnlyPlace::File,
        }));
        assert!(error_text(&inner, Lang::ZhCn).contains("不可写"));
        let denied = anyhow::Error::from(WorkflowError::AsOutsideDemo);
        assert_eq!(
            error_text(&denied, Lang::ZhCn),
            Lang::ZhCn.t("err.as_outside_demo")
        );
    }
}
