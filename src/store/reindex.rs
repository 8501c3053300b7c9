//! Deferring a table's secondary indexes through a large load: dropped inside the write
//! transaction and created again before it commits (one sort each instead of a random B-tree
//! insert per row and index). SQLite DDL is transactional: a rolled-back load keeps them.

use super::{Result, Table, Tx};

/// Indexes dropped for a load, with the SQL that creates each again.
#[must_use = "restore the indexes before the transaction commits"]
#[derive(Debug)]
pub struct DeferredIndexes {
    indexes: Vec<(String, String)>,
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
        Ok(DeferredIndexes { indexes })
    }

    /// Creates the deferred indexes again, each from its original SQL.
    pub fn restore_indexes(&mut self, deferred: DeferredIndexes) -> Result<()> {
        for (_, sql) in &deferred.indexes {
            self.conn().execute_batch(sql)?;
        }
        Ok(())
    }
}
