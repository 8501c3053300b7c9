//! The document archive's SQL: documents written for a loan, a borrower or the book, a
//! keyset-paged listing with its filters (newest first), a loan's whole file for export,
//! supersession, and the registered files `verify` reads.

use super::{PageFrom, PageKey, Result, Store, Tx, sqlval::SortValue};
use crate::domain::archive::{DocumentKind, Recipient, Storage};
use rusqlite::{Connection, OptionalExtension, ToSql, params};

/// A document to write.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    /// The loan it belongs to (its borrower is then taken from the loan).
    pub loan_id: Option<i64>,
    /// The borrower it belongs to when it is not a loan's (None with no loan: the book's).
    pub borrower_id: Option<i64>,
    pub kind: DocumentKind,
    pub number: &'a str,
    pub title: &'a str,
    pub lang: &'a str,
    /// Markdown text ([`Storage::Text`]); empty for a file.
    pub body: &'a str,
    pub storage: Storage,
    /// A file's SHA-256 and size (the body's are computed here).
    pub file: Option<(&'a str, u64)>,
    pub file_path: Option<&'a str>,
    pub file_name: Option<&'a str>,
    /// A stored file's media type.
    pub media_type: &'a str,
    pub recipient: Option<Recipient>,
    pub reference: Option<(&'a str, i64)>,
}

/// A file registered by its path: (id, number, path, SHA-256, bytes).
pub type RegisteredFile = (i64, String, String, String, u64);

/// One row of the archive listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArchiveRow {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub title: String,
    pub loan_id: Option<i64>,
    pub contract_no: Option<String>,
    pub borrower_name: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub bytes: i64,
    pub sha256: String,
    pub storage: String,
    pub file_name: Option<String>,
    pub file_path: Option<String>,
    pub recipient: Option<String>,
    pub superseded_by: Option<i64>,
    pub ref_table: Option<String>,
    pub ref_id: Option<i64>,
    /// The borrower the document belongs to (its loan's, or its own); none: the book's.
    #[serde(skip)]
    pub borrower_id: Option<i64>,
}

impl ArchiveRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: SortValue::Int(self.id),
            id: self.id,
        }
    }

    pub fn document_kind(&self) -> Option<DocumentKind> {
        DocumentKind::parse(&self.kind)
    }
}

/// A document in full: its row and its Markdown text.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveDocument {
    pub row: ArchiveRow,
    pub lang: String,
    pub body: String,
}

/// What the archive lists: every filter optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArchiveQuery {
    /// Only this loan's documents (by contract number, exactly).
    pub contract_no: Option<String>,
    /// Only documents of borrowers whose name contains this text.
    pub borrower: Option<String>,
    /// Only this borrower's documents (its loans' and its own), through the borrower index.
    pub borrower_id: Option<i64>,
    pub kind: Option<DocumentKind>,
    /// Made at or after this stored (UTC) instant.
    pub from_at: Option<String>,
    /// Made before this stored (UTC) instant.
    pub to_at: Option<String>,
}

const COLUMNS: &str = "id, kind, number, title, loan_id, contract_no, borrower_name, created_at,
    created_by, bytes, sha256, storage, file_name, file_path, recipient, superseded_by, ref_table, ref_id,
    borrower_id";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<ArchiveRow> {
    Ok(ArchiveRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        number: r.get(2)?,
        title: r.get(3)?,
        loan_id: r.get(4)?,
        contract_no: r.get(5)?,
        borrower_name: r.get(6)?,
        created_at: r.get(7)?,
        created_by: r.get(8)?,
        bytes: r.get(9)?,
        sha256: r.get(10)?,
        storage: r.get(11)?,
        file_name: r.get(12)?,
        file_path: r.get(13)?,
        recipient: r.get(14)?,
        superseded_by: r.get(15)?,
        ref_table: r.get(16)?,
        ref_id: r.get(17)?,
        borrower_id: r.get(18)?,
    })
}

impl ArchiveQuery {
    fn conds(&self, p: &mut Vec<Box<dyn ToSql>>) -> Vec<String> {
        let mut c = Vec::new();
        if let Some(contract) = &self.contract_no {
            p.push(Box::new(contract.clone()));
            c.push(format!(
                "loan_id = (SELECT id FROM loans WHERE contract_no = ?{})",
                p.len()
            ));
        }
        if let Some(b) = self.borrower_id {
            p.push(Box::new(b));
            c.push(format!("borrower_id = ?{}", p.len()));
        }
        if let Some(b) = &self.borrower {
            // Found by what the screen shows: invisible characters passed over on both sides
            // (a loan's `search_name` is its borrower's name without them).
            p.push(Box::new(crate::domain::text::search_fold(b).into_owned()));
            let n = p.len();
            c.push(format!(
                "(instr(borrower_name, ?{n}) > 0 OR loan_id IN (SELECT id FROM loans \
                 WHERE search_name IS NOT NULL AND instr(search_name, ?{n}) > 0))"
            ));
        }
        if let Some(k) = self.kind {
            p.push(Box::new(k.code()));
            c.push(format!("kind = ?{}", p.len()));
        }
        if let Some(f) = &self.from_at {
            p.push(Box::new(f.clone()));
            c.push(format!("created_at >= ?{}", p.len()));
        }
        if let Some(t) = &self.to_at {
            p.push(Box::new(t.clone()));
            c.push(format!("created_at < ?{}", p.len()));
        }
        c
    }
}

fn where_sql(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

/// What a signed period summary's document names as its reference (with the period's key).
pub const SUMMARY_PERIOD_REF: &str = "summary_period";

/// The summary of period `key` signed last and not superseded.
fn signed_summary_q(conn: &Connection, key: i64) -> Result<Option<ArchiveRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM documents
             WHERE ref_table = '{SUMMARY_PERIOD_REF}' AND ref_id = ?1 AND kind = 'summary'
               AND superseded_by IS NULL
             ORDER BY id DESC LIMIT 1"
        ))?
        .query_row([key], row_from)
        .optional()?)
}

fn document_q(conn: &Connection, id: i64) -> Result<Option<ArchiveDocument>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, lang, body FROM documents WHERE id = ?1"
        ))?
        .query_row([id], |r| {
            Ok(ArchiveDocument {
                row: row_from(r)?,
                lang: r.get(19)?,
                body: r.get(20)?,
            })
        })
        .optional()?)
}

/// The statement of a page of the archive, newest first, by keyset on the id: its text, its
/// arguments, and whether it reads backwards (the rows then come oldest first).
fn page_sql(
    q: &ArchiveQuery,
    from: &PageFrom,
    limit: usize,
) -> (String, Vec<Box<dyn ToSql>>, bool) {
    let mut p: Vec<Box<dyn ToSql>> = Vec::new();
    let mut conds = q.conds(&mut p);
    // Newest first: "after" in the list is a smaller id.
    let backwards = matches!(from, PageFrom::End | PageFrom::Before(_));
    match from {
        PageFrom::After(k) => {
            p.push(Box::new(k.id));
            conds.push(format!("id < ?{}", p.len()));
        }
        PageFrom::Before(k) => {
            p.push(Box::new(k.id));
            conds.push(format!("id > ?{}", p.len()));
        }
        PageFrom::AtOrAfter(k) => {
            p.push(Box::new(k.id));
            conds.push(format!("id <= ?{}", p.len()));
        }
        PageFrom::Start | PageFrom::End => {}
    }
    let dir = if backwards { "ASC" } else { "DESC" };
    p.push(Box::new(limit as i64));
    let sql = format!(
        "SELECT {COLUMNS} FROM documents {} ORDER BY id {dir} LIMIT ?{}",
        where_sql(&conds),
        p.len()
    );
    (sql, p, backwards)
}

impl Store {
    /// A page of the archive, newest first, by keyset on the id.
    pub fn archive_page(
        &self,
        q: &ArchiveQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<ArchiveRow>> {
        let (sql, p, backwards) = page_sql(q, from, limit);
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            row_from,
        )?;
        let mut out: Vec<ArchiveRow> = rows.collect::<rusqlite::Result<_>>()?;
        if backwards {
            out.reverse();
        }
        Ok(out)
    }

    /// How many documents the query lists.
    pub fn archive_count(&self, q: &ArchiveQuery) -> Result<u64> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let conds = q.conds(&mut p);
        let n: i64 = self
            .conn()
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM documents {}",
                where_sql(&conds)
            ))?
            .query_row(
                rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                |r| r.get(0),
            )?;
        Ok(n.max(0) as u64)
    }

    /// One document with its text.
    pub fn archive_document(&self, id: i64) -> Result<Option<ArchiveDocument>> {
        document_q(self.conn(), id)
    }

    /// The id of the document numbered `number` (`CZJL2026-000001`), if the book has it.
    pub fn document_id_by_number(&self, number: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT id FROM documents WHERE number = ?1")?
            .query_row([number], |r| r.get(0))
            .optional()?)
    }

    /// The signed summary of the period with key `key` ([`crate::engine::summary::Period::key`])
    /// in force: the one signed last, not superseded.
    pub fn signed_summary(&self, key: i64) -> Result<Option<ArchiveRow>> {
        signed_summary_q(self.conn(), key)
    }

    /// A loan's whole file: its documents and its borrower's own, oldest first, at most
    /// `limit` after the id `after` (a loan's file is read a page at a time).
    pub fn loan_file_page(
        &self,
        loan_id: i64,
        after: i64,
        limit: usize,
    ) -> Result<Vec<ArchiveDocument>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS}, lang, body FROM documents
             WHERE id > ?2 AND (loan_id = ?1 OR (loan_id IS NULL AND borrower_id =
                (SELECT borrower_id FROM loans WHERE id = ?1)))
             ORDER BY id LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![loan_id, after, limit as i64], |r| {
            Ok(ArchiveDocument {
                row: row_from(r)?,
                lang: r.get(19)?,
                body: r.get(20)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What a feedback note from document `id` would be drawn from: `("case", number)` for a
    /// risk case's document, `("inspection", number)` for a report or its evidence.
    pub fn document_source(&self, id: i64) -> Result<Option<(String, String)>> {
        let found: Option<Option<String>> = self
            .conn()
            .prepare_cached(
                "SELECT COALESCE(
                   (SELECT 'case|' || c.number FROM risk_cases c
                     WHERE d.ref_table = 'risk_cases' AND c.id = d.ref_id),
                   (SELECT 'inspection|' || i.number FROM inspections i
                     WHERE d.ref_table = 'inspections' AND i.id = d.ref_id),
                   (SELECT 'inspection|' || i.number FROM inspection_evidence e
                     JOIN inspections i ON i.id = e.inspection_id
                     WHERE d.ref_table = 'inspection_evidence' AND e.id = d.ref_id))
                 FROM documents d WHERE d.id = ?1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(found.flatten().and_then(|s| {
            s.split_once('|')
                .map(|(k, n)| (k.to_string(), n.to_string()))
        }))
    }

    /// Files registered by path: (id, number, path, SHA-256, bytes), a page after id `after`.
    pub fn registered_files_page(&self, after: i64, limit: u32) -> Result<Vec<RegisteredFile>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, number, COALESCE(file_path, ''), sha256, bytes FROM documents
             WHERE storage = 'registered' AND id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, i64>(4)?.max(0) as u64,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Reads and writes a command makes inside its transaction.
impl Tx<'_> {
    pub fn archive_document(&self, id: i64) -> Result<Option<ArchiveDocument>> {
        document_q(self.conn(), id)
    }

    /// The signed summary of period `key` in force, read inside the transaction.
    pub fn signed_summary(&self, key: i64) -> Result<Option<ArchiveRow>> {
        signed_summary_q(self.conn(), key)
    }

    /// Writes a document; its body's SHA-256 and size are computed here, a file's given.
    /// A file kept in the document store is listed in `evidence_files` too, so `verify` and
    /// `backup` treat it like every stored file. Returns its id.
    pub fn insert_archive_document(&mut self, d: &NewDocument<'_>, actor: &str) -> Result<i64> {
        let now = self.now().to_string();
        let dated = self.document_at()?;
        let (sha, bytes) = match d.file {
            Some((sha, n)) => (sha.to_string(), n),
            None => (
                super::audit::sha256_hex(d.body.as_bytes()),
                d.body.len() as u64,
            ),
        };
        if d.storage == Storage::Stored {
            let media = d.media_type;
            self.conn().execute(
                "INSERT OR IGNORE INTO evidence_files (sha256, size, media_type, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![sha, bytes as i64, media, now, actor],
            )?;
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO documents (loan_id, borrower_id, contract_no, borrower_name, kind,
                 number, title, lang, body, sha256, bytes, storage, file_path, file_name,
                 recipient, ref_table, ref_id, created_at, created_by)
                 VALUES (?1,
                   COALESCE((SELECT borrower_id FROM loans WHERE id = ?1), ?2),
                   (SELECT contract_no FROM loans WHERE id = ?1),
                   (SELECT name FROM borrowers WHERE id =
                      COALESCE((SELECT borrower_id FROM loans WHERE id = ?1), ?2)),
                   ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                d.loan_id,
                d.borrower_id,
                d.kind.code(),
                d.number,
                d.title,
                d.lang,
                d.body,
                sha,
                bytes as i64,
                d.storage.code(),
                d.file_path,
                d.file_name,
                d.recipient.map(|r| r.code()),
                d.reference.map(|r| r.0),
                d.reference.map(|r| r.1),
                dated,
                actor
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Marks `old` as superseded by `new` (both are kept).
    pub fn supersede_document(&mut self, old: i64, new: i64) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE documents SET superseded_by = ?2 WHERE id = ?1")?
            .execute(params![old, new])?;
        Ok(())
    }

    /// The next number of a series: `{prefix}{year}-{n:06}`, counting the numbers the book
    /// already has with that prefix and year.
    pub fn next_document_number(&self, prefix: &str, year: i32) -> Result<String> {
        let stem = format!("{prefix}{year}-");
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM documents WHERE number LIKE ?1 || '%'",
            [&stem],
            |r| r.get(0),
        )?;
        Ok(format!("{stem}{:06}", n + 1))
    }

    /// The borrower of a loan: (id, name).
    pub fn borrower_of(&self, loan_id: i64) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT b.id, b.name FROM loans l JOIN borrowers b ON b.id = l.borrower_id
                 WHERE l.id = ?1",
            )?
            .query_row([loan_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::store::Store;

    /// The plan SQLite picks for the pane's page and count under each filter: every one
    /// reads an index on its key (or walks the ids), never scans all documents and sorts.
    #[test]
    fn every_filter_of_the_pane_reads_an_index_not_the_whole_archive() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("plan.db")).expect("open");
        let key = PageKey {
            value: SortValue::Int(500),
            id: 500,
        };
        let queries = [
            ("none", ArchiveQuery::default()),
            (
                "kind",
                ArchiveQuery {
                    kind: Some(DocumentKind::WarningNotice),
                    ..ArchiveQuery::default()
                },
            ),
            (
                "contract",
                ArchiveQuery {
                    contract_no: Some("PL00000001".into()),
                    ..ArchiveQuery::default()
                },
            ),
            (
                "borrower",
                ArchiveQuery {
                    borrower_id: Some(7),
                    borrower: Some("江苏".into()),
                    ..ArchiveQuery::default()
                },
            ),
            (
                "kind and contract",
                ArchiveQuery {
                    kind: Some(DocumentKind::WarningNotice),
                    contract_no: Some("PL00000001".into()),
                    ..ArchiveQuery::default()
                },
            ),
        ];
        for (name, q) in &queries {
            for from in [PageFrom::Start, PageFrom::After(key.clone()), PageFrom::End] {
                let (sql, p, _) = page_sql(q, &from, 60);
                let plan = explain(&store, &sql, &p);
                assert!(
                    !plan.contains("TEMP B-TREE"),
                    "{name} {from:?}: sorted apart: {plan}"
                );
                let reads_index = plan.contains("USING INDEX")
                    || plan.contains("USING COVERING INDEX")
                    || plan.contains("USING INTEGER PRIMARY KEY");
                let scans_ids = plan.contains("SCAN documents") && *name == "none";
                assert!(reads_index || scans_ids, "{name} {from:?}: {plan}");
                if *name != "none" {
                    assert!(
                        !plan.contains("SCAN documents"),
                        "{name} {from:?} scans the archive: {plan}"
                    );
                }
            }
        }
    }

    fn explain(store: &Store, sql: &str, p: &[Box<dyn ToSql>]) -> String {
        let mut stmt = store
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let rows = stmt
            .query_map(
                rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                |r| r.get::<_, String>(3),
            )
            .expect("plan");
        rows.map(|r| r.unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" | ")
    }
}
