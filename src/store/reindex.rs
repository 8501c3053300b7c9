//! Deferring a table's secondary indexes through a large load: dropped inside the write
//! transaction and created again before it commits (one sort each instead of a random B-tree
//! insert per row and index). SQLite DDL is transactional: a rolled-back load keeps them.
//!
//! For loans, the search index's insert trigger is set aside too and the new loans indexed
//! in one statement: FTS5 writes its pending terms out at every statement of a transaction,
//! which row by row cost more than the indexing itself (200,000 rows: 6.0 s against 1.6 s).

use super::{Result, Table, Tx};
use rusqlite::{Connection, OptionalExtension};

/// Indexes dropped for a load, with the SQL that creates each again.
#[must_use = "restore the indexes before the transaction commits"]
#[derive(Debug)]
pub struct DeferredIndexes {
    indexes: Vec<(String, String)>,
    /// The search insert trigger's SQL and the highest loan id before the load.
    search: Option<(String, i64)>,
}

impl DeferredIndexes {
    /// How many indexes were dropped.
    pub fn len(&self) -> usize {
        self.indexes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
    }
}

impl Tx<'_> {
    /// Rows in `table` as this transaction sees them.
    pub fn count_rows(&self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(self.conn().query_row(&sql, [], |r| r.get(0))?)
    }

    /// Drops `table`'s indexes that only speed up reads: not the ones that enforce
    /// uniqueness (constraints and `CREATE UNIQUE INDEX`), which the load must still obey.
    pub fn defer_indexes(&mut self, table: Table) -> Result<DeferredIndexes> {
        let indexes: Vec<(String, String)> = {
            let mut stmt = self.conn().prepare(
                "SELECT s.name, s.sql FROM pragma_index_list(?1) il
                 JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name
                 WHERE il.\"unique\" = 0 AND s.sql IS NOT NULL
                 ORDER BY s.name",
            )?;
            stmt.query_map([table.name()], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        for (name, _) in &indexes {
            self.conn()
                .execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        let search = if table == Table::Loans {
            defer_search(self.conn())?
        } else {
            None
        };
        Ok(DeferredIndexes { indexes, search })
    }

    /// Creates the deferred indexes again, each from its original SQL.
    pub fn restore_indexes(&mut self, deferred: DeferredIndexes) -> Result<()> {
        for (_, sql) in &deferred.indexes {
            self.conn().execute_batch(sql)?;
        }
        if let Some(search) = &deferred.search {
            restore_search(self.conn(), search)?;
        }
        Ok(())
    }
}

/// Sets the search index's insert trigger aside for a load: its SQL and the highest loan id
/// before the load. None when the book has no such trigger.
pub(super) fn defer_search(conn: &Connection) -> Result<Option<(String, i64)>> {
    let trigger: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'loan_search_insert'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(trigger) = trigger else {
        return Ok(None);
    };
    let last_id: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM loans", [], |r| r.get(0))?;
    conn.execute_batch("DROP TRIGGER loan_search_insert")?;
    Ok(Some((trigger, last_id)))
}

/// Indexes the loans a load added (ids above the old highest: SQLite gives new rows ids above
/// every existing one) in one statement, and puts the trigger back.
pub(super) fn restore_search(conn: &Connection, (trigger, last_id): &(String, i64)) -> Result<()> {
    conn.execute(
        "INSERT INTO loan_search (rowid, contract_no, borrower_name, officer)
         SELECT id, contract_no, borrower_name, officer FROM loan_search_source WHERE id > ?1",
        [last_id],
    )?;
    conn.execute_batch(trigger)?;
    Ok(())
}
