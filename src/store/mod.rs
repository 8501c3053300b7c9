//! The only place with SQL: opens the book (SQLite in WAL mode), runs migrations, offers
//! typed, paged queries and the writes the workflow layer composes into transactions.

mod audit;
mod bulk;
mod detail;
mod evaluate;
mod ledger;
mod reindex;
mod sqlval;
mod warnings;
mod write;

pub use audit::AuditEntry;
pub use bulk::BulkWriter;
pub use detail::*;
pub use evaluate::*;
pub use ledger::*;
pub use reindex::DeferredIndexes;
pub use warnings::*;
pub use write::{Outcome, Tx};

use crate::domain::{Role, StaffRecord};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};

/// Errors from the store, with enough context for the user to act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("database schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} was changed by someone else; reload and try again")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("unknown {column} '{value}'")]
    Unknown { column: &'static str, value: String },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The schema, one script a version; a book's `user_version` says how many it has run.
const SCHEMA: [&str; 4] = [
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(SCHEMA.iter().map(|sql| M::up(sql)).collect())
}

/// Whether opening the existing book at `path` will upgrade its schema, which on a large
/// book takes a while (version 4 indexes every loan for search: about a minute at
/// 1,000,000 loans). False for a new or unreadable file.
pub fn upgrade_pending(path: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap_or(0);
    version > 0 && (version as usize) < SCHEMA.len()
}

/// An open book.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// How the last ledger text filter was answered, reused while the book is unchanged.
    search_plan: std::cell::RefCell<Option<ledger::CachedPlan>>,
    /// Where the text filter changes plans: (sorted matches, count cap).
    search_tiers: std::cell::Cell<(u64, u64)>,
    /// SQLite steps a walk for the text filter's matches may take (see `ledger`).
    walk_budget: std::cell::Cell<i32>,
}

/// One staff member as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Staff {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

impl Store {
    /// Opens (creating if needed) the book at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::setup(conn, path)
    }

    /// Opens an existing book; fails when there is none at `path`.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::NotFound(format!("book {}", path.display())));
        }
        Self::open(path)
    }

    fn setup(mut conn: Connection, path: &Path) -> Result<Store> {
        let wrap = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(wrap)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(wrap)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(wrap)?;
        migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            search_plan: Default::default(),
            search_tiers: std::cell::Cell::new(ledger::SEARCH_TIERS),
            walk_budget: std::cell::Cell::new(ledger::WALK_BUDGET_OPS),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's `data_version`: changes when another connection commits. Polled by the TUI
    /// so other people's changes appear without a restart; reading it writes nothing.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Whether this book was built by `postloan demo` (only there may `--as` switch user).
    pub fn is_demo(&self) -> Result<bool> {
        Ok(self.meta("demo")?.as_deref() == Some("1"))
    }

    pub fn staff(&self, username: &str) -> Result<Option<Staff>> {
        staff_q(&self.conn, username)
    }

    pub fn staff_list(&self) -> Result<Vec<Staff>> {
        let mut stmt = self.conn.prepare(
            "SELECT username, display_name, role, active FROM staff ORDER BY role, username",
        )?;
        let rows = stmt.query_map([], staff_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn staff_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM staff", [], |r| r.get(0))?)
    }

    /// Runs `f` in one write transaction (IMMEDIATE, so two writers queue rather than fail
    /// half-way); commits when it returns `Ok`, rolls back otherwise.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let txn = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut tx = Tx::new(txn);
        let value = f(&mut tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// Gives this connection a page cache of `mib` MiB (SQLite's default is 2): a large import
    /// updates nine indexes of the loans table, which thrash a small cache.
    pub fn set_cache_mib(&self, mib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -(i64::from(mib) * 1024))?;
        Ok(())
    }

    /// A bulk writer for a freshly created book (the demo generator): prepared inserts in one
    /// transaction, without the per-row comparisons of an import.
    pub fn bulk(&mut self) -> Result<BulkWriter<'_>> {
        BulkWriter::new(&mut self.conn)
    }

    /// Verifies the audit chain; returns the number of rows checked or the first broken id.
    pub fn verify_audit(&self) -> Result<std::result::Result<u64, i64>> {
        audit::verify(&self.conn)
    }

    pub fn audit_tail(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        audit::tail(&self.conn, limit)
    }

    pub fn count_rows(&self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// Loads a draft saved for `username` under `form`.
    pub fn draft(&self, username: &str, form: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT body FROM drafts WHERE username = ?1 AND form = ?2",
                params![username, form],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Saves text being typed so a dropped link loses nothing. Not audited: it is not a
    /// change to the book, only the user's unfinished input.
    pub fn save_draft(&self, username: &str, form: &str, body: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO drafts (username, form, body, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (username, form) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            params![username, form, body, now_text()],
        )?;
        Ok(())
    }

    pub fn discard_draft(&self, username: &str, form: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM drafts WHERE username = ?1 AND form = ?2",
            params![username, form],
        )?;
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Tables whose rows can be counted from outside (for summaries and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Staff,
    Borrowers,
    Loans,
    Collateral,
    Statements,
    Repayments,
    FundFlows,
    Contacts,
    Audit,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Staff => "staff",
            Table::Borrowers => "borrowers",
            Table::Loans => "loans",
            Table::Collateral => "collateral",
            Table::Statements => "financial_statements",
            Table::Repayments => "repayment_status",
            Table::FundFlows => "fund_flows",
            Table::Contacts => "contacts",
            Table::Audit => "audit_log",
        }
    }
}

fn staff_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Staff> {
    let role: String = r.get(2)?;
    Ok(Staff {
        username: r.get(0)?,
        display_name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Auditor),
        active: r.get::<_, i64>(3)? != 0,
    })
}

/// The current time as stored in `*_at` columns (UTC, seconds).
pub(crate) fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl From<&Staff> for StaffRecord {
    fn from(s: &Staff) -> Self {
        StaffRecord {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            role: s.role,
        }
    }
}

fn staff_q(conn: &Connection, username: &str) -> Result<Option<Staff>> {
    Ok(conn
        .query_row(
            "SELECT username, display_name, role, active FROM staff WHERE username = ?1",
            [username],
            staff_from_row,
        )
        .optional()?)
}

/// Reads a command makes inside its own write transaction.
impl Tx<'_> {
    pub fn staff(&self, username: &str) -> Result<Option<Staff>> {
        staff_q(self.conn(), username)
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }
}
