//! What `postloan doctor` asks the book itself, read-only and without upgrading it: the
//! schema version, the journal mode, and the evidence files the book lists.

use super::{Result, SCHEMA, StoreError, immutable_uri};
use rusqlite::{Connection, OpenFlags, params};
use std::path::Path;

/// A read-only look at a book, whatever its schema version.
pub struct Probe {
    conn: Connection,
}

impl Probe {
    /// Opens the book at `path` read-only (`immutable=1` where its `-shm` can be neither
    /// used nor made); never writes, never upgrades.
    pub fn open(path: &Path) -> Result<Probe> {
        let wrap = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let read = |conn: Connection| -> rusqlite::Result<Connection> {
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            // Opening is lazy: read now so a failure shows here.
            conn.query_row("PRAGMA user_version", [], |_| Ok(()))?;
            Ok(conn)
        };
        let immutable = || {
            Connection::open_with_flags(immutable_uri(path), flags | OpenFlags::SQLITE_OPEN_URI)
                .and_then(read)
        };
        // Without a -shm file no connection has the book open: read it as it is, rather
        // than have SQLite make -wal and -shm files (with this user's owner) to read it.
        let conn = if super::side_file(path, "-shm").exists() {
            Connection::open_with_flags(path, flags)
                .and_then(read)
                .or_else(|_| immutable())
        } else {
            immutable()
        }
        .map_err(wrap)?;
        Ok(Probe { conn })
    }

    /// The book's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The version this program writes.
    pub fn program_schema_version() -> usize {
        SCHEMA.len()
    }

    /// How many evidence files the book lists (0 before the document store existed).
    pub fn evidence_count(&self) -> Result<u64> {
        if !self.has_table("evidence_files")? {
            return Ok(0);
        }
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM evidence_files", [], |r| {
                r.get::<_, i64>(0)
            })?
            .max(0) as u64)
    }

    /// Up to `limit` evidence files `(SHA-256, size)`, spread over the book: every n-th by
    /// hash, so a spot check is not always the same first few.
    pub fn evidence_sample(&self, limit: u32) -> Result<Vec<(String, u64)>> {
        let total = self.evidence_count()?;
        if total == 0 || limit == 0 {
            return Ok(Vec::new());
        }
        let step = (total / u64::from(limit)).max(1) as i64;
        let mut stmt = self.conn.prepare(
            "SELECT sha256, size FROM (
                 SELECT sha256, size, ROW_NUMBER() OVER (ORDER BY sha256) - 1 AS n
                 FROM evidence_files)
             WHERE n % ?1 = 0 ORDER BY sha256 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![step, limit], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }
}
