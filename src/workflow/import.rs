//! Loading core-banking extracts: one file, one transaction. Any bad row and nothing of the
//! file is written; re-importing the same file changes nothing and says so. A large loans
//! file rebuilds the loans table's read-only indexes once instead of updating them per row.

use super::{Actor, Result, WorkflowError};
use crate::extract::{
    self, Encoding, ExtractError, ExtractKind, Limits, ReadNote, Record, RowError, Why,
};
use crate::store::{BookKey, DeferredIndexes, Outcome, Store, StoreError, Table, Tx};
use serde_json::json;
use std::path::Path;

/// How many bad rows are listed (all are counted).
pub const ERROR_CAP: usize = 50;

/// What an import did (or, with errors or `--dry-run`, would have done).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub file: String,
    pub kind: String,
    pub encoding: String,
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows that repeated an earlier row of the file exactly and were taken once.
    pub repeats: u64,
    /// The first of those repeats (line, first line), for the user.
    #[serde(skip)]
    pub notes: Vec<ReadNote>,
    #[serde(skip)]
    pub errors: Vec<RowError>,
    pub error_count: u64,
    /// True when the rows were committed.
    pub written: bool,
    pub dry_run: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Workflow(e.into())
    }
}

/// Why a file's transaction was rolled back on purpose.
enum Abort {
    /// Bad rows or a dry run: the report says what was found.
    Rollback(Box<ImportReport>),
    Failed(ImportError),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Failed(e.into())
    }
}

fn apply(
    tx: &mut Tx<'_>,
    rec: &Record,
    actor: &str,
    today: chrono::NaiveDate,
) -> std::result::Result<Outcome, StoreError> {
    match rec {
        Record::Borrower(r) => tx.upsert_borrower(r, actor),
        Record::Loan(r) => super::classification::import_loan_in(tx, r, actor, today),
        Record::Statement(r) => tx.upsert_statement(r, "import", actor),
        Record::Repayment(r) => tx.upsert_repayment(r, actor),
        Record::Collateral(r) => tx.upsert_collateral(r, actor),
        Record::FundFlow(r) => tx.upsert_fund_flow(r, actor),
        Record::Covenant(r) => {
            super::warning::check_covenant(r).map_err(StoreError::Invalid)?;
            tx.upsert_covenant(r, actor)
        }
    }
}

/// A code of the row that the book writes otherwise, only in letter case or width (`ht011`
/// for the book's `HT011`): refused, rather than made a second contract or borrower.
fn spelled_otherwise(
    tx: &mut Tx<'_>,
    rec: &Record,
) -> std::result::Result<Option<RowError>, StoreError> {
    let codes: Vec<(BookKey, &'static str, &str)> = match rec {
        Record::Borrower(r) => vec![(BookKey::BorrowerCode, "borrower_code", &r.code)],
        Record::Loan(r) => vec![
            (BookKey::ContractNo, "contract_no", &r.contract_no),
            (BookKey::BorrowerCode, "borrower_code", &r.borrower_code),
        ],
        Record::Statement(r) => vec![(BookKey::BorrowerCode, "borrower_code", &r.borrower_code)],
        Record::Repayment(r) => vec![(BookKey::ContractNo, "contract_no", &r.contract_no)],
        Record::Collateral(r) => vec![(BookKey::ContractNo, "contract_no", &r.contract_no)],
        Record::FundFlow(r) => vec![(BookKey::ContractNo, "contract_no", &r.contract_no)],
        Record::Covenant(r) => vec![(BookKey::ContractNo, "contract_no", &r.contract_no)],
    };
    for (which, column, value) in codes {
        if let Some(existing) = tx.key_spelled_otherwise(which, value)? {
            let why = Why::new("import_keys.case_in_book").arg("existing", existing);
            return Ok(Some(RowError::keyed("", 0, column, value, why)));
        }
    }
    Ok(None)
}

/// A covenant whose thresholds run against its rule's direction, said in either language
/// (the workflow's own check, run after this, would say it in English only).
fn covenant_order(rec: &Record) -> Option<RowError> {
    use crate::engine::rules::{RuleErrorKind, RuleSet};
    let Record::Covenant(c) = rec else {
        return None;
    };
    let ind = crate::engine::Indicator::parse(&c.indicator)?;
    let mut rule = RuleSet::defaults().rule(ind).clone();
    rule.yellow = c.yellow;
    rule.orange = c.orange;
    rule.red = c.red;
    let Err(RuleErrorKind::NotMonotonic {
        lower,
        lower_value,
        higher,
        higher_value,
        trigger,
    }) = rule.check_order()
    else {
        return None;
    };
    let need = if trigger.rising() {
        "yellow <= orange <= red"
    } else {
        "yellow >= orange >= red"
    };
    let why = Why::new("import_keys.covenant_order")
        .arg("lower", lower.code())
        .arg("lower_value", lower_value)
        .arg("higher", higher.code())
        .arg("trigger", trigger.code())
        .arg("need", need);
    Some(RowError::keyed(
        "",
        0,
        higher.code(),
        &higher_value.to_string(),
        why,
    ))
}

/// Whether a store error is the book failing (disk full, I/O error, read-only, corrupt)
/// rather than the row: the whole import stops and is rolled back.
fn book_failure(e: &StoreError) -> bool {
    use rusqlite::ErrorCode as C;
    let StoreError::Sql(e) = e else {
        return false;
    };
    matches!(
        e.sqlite_error_code(),
        Some(C::DiskFull | C::SystemIoFailure | C::ReadOnly | C::DatabaseCorrupt)
    )
}

/// A reference the book does not know, as a row error the user can act on.
fn row_error(e: StoreError) -> RowError {
    match e {
        StoreError::Unknown { column, value } => {
            let key = match column {
                "officer" => "import_check.unknown_officer",
                "contract_no" => "import_check.unknown_loan",
                "borrower_code" => "import_check.unknown_borrower",
                _ => "import_check.unknown",
            };
            RowError::keyed("", 0, column, &value, Why::new(key))
        }
        StoreError::Invalid(why) => RowError::new("", 0, "-", "", why),
        other => RowError::new("", 0, "-", "", other.to_string()),
    }
}

/// Bytes of a loans extract taken as one row when guessing a file's rows from its size
/// (a typical loan row is 150–250 bytes; guessing low only defers indexes a little sooner).
const LOAN_ROW_BYTES: u64 = 200;

/// Fewest (guessed) rows for which deferring the loans indexes pays.
const DEFER_MIN_ROWS: u64 = 50_000;

/// What a loans import does with the loans table's read-only indexes. Either way the book
/// ends the same; only the speed differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoanIndexes {
    /// Defer them when the file is large against the table (see [`defer_loan_indexes`]).
    #[default]
    Auto,
    /// Always drop them for the load and rebuild them before commit.
    Defer,
    /// Keep them, updated row by row.
    Keep,
}

/// Drops the loans table's read-only indexes for the load when the file (guessed from its
/// size) holds at least as many rows as the table and enough to matter: rebuilding each
/// index once with a sort is then far cheaper than a random B-tree insert per row and index
/// (and keeps the page cache for the table). Small files into a big book keep them.
fn defer_loan_indexes(
    tx: &mut Tx<'_>,
    kind: ExtractKind,
    path: &Path,
    policy: LoanIndexes,
) -> std::result::Result<Option<DeferredIndexes>, StoreError> {
    if kind != ExtractKind::Loans {
        return Ok(None);
    }
    match policy {
        LoanIndexes::Keep => return Ok(None),
        LoanIndexes::Defer => {}
        LoanIndexes::Auto => {
            let rows = std::fs::metadata(path).map_or(0, |m| m.len()) / LOAN_ROW_BYTES;
            let in_book = u64::try_from(tx.count_rows(Table::Loans)?).unwrap_or(0);
            if rows < DEFER_MIN_ROWS || rows < in_book {
                return Ok(None);
            }
        }
    }
    tx.defer_indexes(Table::Loans).map(Some)
}

/// Imports one extract file in one transaction.
pub fn import_file(
    store: &mut Store,
    actor: &Actor,
    kind: ExtractKind,
    path: &Path,
    encoding: Encoding,
    dry_run: bool,
) -> std::result::Result<ImportReport, ImportError> {
    import_file_with(
        store,
        actor,
        kind,
        path,
        encoding,
        dry_run,
        LoanIndexes::Auto,
    )
}

/// [`import_file`] with the handling of the loans indexes chosen (tests compare them).
pub fn import_file_with(
    store: &mut Store,
    actor: &Actor,
    kind: ExtractKind,
    path: &Path,
    encoding: Encoding,
    dry_run: bool,
    indexes: LoanIndexes,
) -> std::result::Result<ImportReport, ImportError> {
    let options = ImportOptions {
        encoding,
        dry_run,
        indexes,
        limits: Limits::default(),
    };
    import_file_opts(store, actor, kind, path, &options)
}

/// Everything an import can be told besides the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    pub encoding: Encoding,
    pub dry_run: bool,
    pub indexes: LoanIndexes,
    /// Sanity bounds on unit-prone values (the config's `[import]`).
    pub limits: Limits,
}

/// Imports one extract file in one transaction, as `options` say.
pub fn import_file_opts(
    store: &mut Store,
    actor: &Actor,
    kind: ExtractKind,
    path: &Path,
    options: &ImportOptions,
) -> std::result::Result<ImportReport, ImportError> {
    let ImportOptions {
        encoding,
        dry_run,
        indexes,
        limits,
    } = *options;
    super::guard(store, actor, super::Command::Import, &super::Subject::NONE)?;
    let file = path.display().to_string();
    store.set_cache_mib(128)?;
    let outcome = store.write(|tx| -> std::result::Result<ImportReport, Abort> {
        let mut report = ImportReport {
            file: file.clone(),
            kind: kind.code().to_string(),
            dry_run,
            ..ImportReport::default()
        };
        let deferred = defer_loan_indexes(tx, kind, path, indexes)?;
        // The date a loans row's balance is recorded on (a demo book's own date).
        let today = tx.book_today()?;
        // A failure of the book itself (a full disk) ends the import: no row can be written.
        let mut fatal: Option<StoreError> = None;
        let summary =
            extract::read_extract_with(path, kind, encoding, &limits, ERROR_CAP, |_, rec| {
                if fatal.is_some() {
                    return Ok(());
                }
                if let Some(e) = covenant_order(&rec) {
                    return Err(e);
                }
                match spelled_otherwise(tx, &rec) {
                    Ok(None) => {}
                    Ok(Some(e)) => return Err(e),
                    Err(e) if book_failure(&e) => fatal = Some(e),
                    Err(e) => return Err(row_error(e)),
                }
                if fatal.is_some() {
                    return Ok(());
                }
                match apply(tx, &rec, &actor.username, today) {
                    Ok(Outcome::Inserted) => report.inserted += 1,
                    Ok(Outcome::Updated) => report.updated += 1,
                    Ok(Outcome::Unchanged) => report.unchanged += 1,
                    Err(e) if book_failure(&e) => fatal = Some(e),
                    Err(e) => return Err(row_error(e)),
                }
                Ok(())
            })
            .map_err(|e| Abort::Failed(e.into()))?;
        if let Some(e) = fatal {
            return Err(Abort::Failed(e.into()));
        }
        report.rows = summary.rows;
        report.repeats = summary.repeat_count;
        report.notes = summary.notes;
        report.encoding = summary.encoding.to_string();
        report.errors = summary.errors;
        report.error_count = summary.error_count;
        if report.error_count > 0 || dry_run {
            return Err(Abort::Rollback(Box::new(report)));
        }
        let changed = report.inserted + report.updated > 0;
        if let Some(deferred) = deferred {
            if !changed {
                // Nothing to keep: rolling back restores the indexes without rebuilding them.
                report.written = true;
                return Err(Abort::Rollback(Box::new(report)));
            }
            tx.restore_indexes(deferred)?;
        }
        if changed {
            tx.audit(
                &actor.username,
                &format!("import.{}", kind.code()),
                "file",
                &file,
                &json!({
                    "rows": report.rows,
                    "inserted": report.inserted,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "repeats": report.repeats,
                    "encoding": report.encoding,
                }),
            )?;
        }
        report.written = true;
        Ok(report)
    });
    store.set_cache_mib(8)?;
    match outcome {
        Ok(report) => Ok(report),
        Err(Abort::Rollback(report)) => Ok(*report),
        Err(Abort::Failed(e)) => Err(e),
    }
}

pub type ImportResult = Result<ImportReport>;

/// The translation key of the report's summary line (`{file}: {rows} rows: …`), with the
/// singular where a count is 1 (`1 bad row`, `1 row`).
pub fn summary_key(report: &ImportReport) -> &'static str {
    let one = report.rows == 1;
    match (report.error_count, one) {
        (1, _) => "import_keys.failed_one",
        (n, _) if n > 0 => "import_check.failed",
        _ if report.dry_run && one => "import_keys.dry_run_one",
        _ if report.dry_run => "import_check.dry_run",
        _ if report.inserted + report.updated == 0 && one => "import_keys.unchanged_one",
        _ if report.inserted + report.updated == 0 => "import_check.unchanged",
        _ if one => "import_keys.done_one",
        _ => "import_check.done",
    }
}
