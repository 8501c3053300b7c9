//! The audit log: one row per change, append-only, each row's SHA-256 covering the previous
//! row's hash so an edited or deleted row breaks the chain; the chain's head kept apart
//! (`audit_head`); seals of business rows; the checks `postloan verify` runs; the listing.
//!
//! What the detail of an entry holds (the convention every `tx.audit` caller follows):
//! - an edit of a record's fields: `{"before": {field: old, …}, "after": {field: new, …}}`
//!   naming only the fields it changed (plus any context keys beside them);
//! - a record made: its fields (there is no before);
//! - a batch (import, evaluation, plan): its counts.
//!
//! Rows a command writes carry a seal: the entry's `"seals"` list holds the SHA-256 of each
//! row's sealed columns as written (which tables and columns: [`super::seal`]). `verify`
//! recomputes the last seal of each row with the code it was made with. A row of a table that
//! is not sealed (a loan's balance, an imported field) can be edited in the file without
//! `verify` seeing it; see README "Tamper evidence".

use super::Result;
use super::seal::{self, Sealed};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One audit row as read back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub detail: String,
}

/// Lowercase hex, by table (`verify` turns a million digests into text).
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// SHA-256 of `bytes` as lowercase hex (documents are stored with it).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn chain_hash(prev: &str, fields: [&str; 6]) -> String {
    hex(&chain_digest(prev, fields))
}

fn chain_digest(prev: &str, fields: [&str; 6]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for f in fields {
        h.update([0x1f]);
        h.update(f.as_bytes());
    }
    h.finalize().into()
}

/// Whether `stored` (hex) is `digest`, compared without making a string (the walk does this
/// once per entry).
fn hex_is(stored: &str, digest: &[u8; 32]) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let s = stored.as_bytes();
    s.len() == 64
        && digest.iter().enumerate().all(|(i, b)| {
            s[2 * i] == DIGITS[usize::from(b >> 4)] && s[2 * i + 1] == DIGITS[usize::from(b & 0xf)]
        })
}

pub(super) fn append(
    conn: &Connection,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_key: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    let prev: String = conn
        .prepare_cached("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let detail = detail.to_string();
    let hash = chain_hash(&prev, [at, actor, action, entity, entity_key, &detail]);
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, entity, entity_key, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        at, actor, action, entity, entity_key, detail, prev, hash
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached(
        "UPDATE audit_head SET hash = ?1, entries = entries + 1, last_id = ?2 WHERE id = 1",
    )?
    .execute(params![hash, id])?;
    Ok(())
}

/// The head as stored apart from the rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    pub hash: String,
    pub entries: u64,
    pub last_id: i64,
}

pub(super) fn head(conn: &Connection) -> Result<Head> {
    Ok(conn
        .query_row(
            "SELECT hash, entries, last_id FROM audit_head WHERE id = 1",
            [],
            |r| {
                Ok(Head {
                    hash: r.get(0)?,
                    entries: r.get::<_, i64>(1)?.max(0) as u64,
                    last_id: r.get(2)?,
                })
            },
        )
        .optional()?
        .unwrap_or(Head {
            hash: String::new(),
            entries: 0,
            last_id: 0,
        }))
}

/// What is wrong with one audit entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainBreak {
    /// The entry's own content no longer gives its hash: it was edited.
    Edited { id: i64 },
    /// The entry does not follow the one stored before it: that one was removed or
    /// rewritten.
    Unlinked { id: i64, after: i64 },
    /// Ids missing between two entries (`from..=to`): entries were deleted.
    Missing { from: i64, to: i64 },
}

impl ChainBreak {
    pub fn id(&self) -> i64 {
        match self {
            ChainBreak::Edited { id } | ChainBreak::Unlinked { id, .. } => *id,
            ChainBreak::Missing { from, .. } => *from,
        }
    }
}

/// How many breaks a check keeps to name (a wholly rewritten log would name every row).
pub const BREAKS_KEPT: usize = 1000;

/// What walking the chain found.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ChainReport {
    /// Entries read.
    pub entries: u64,
    /// The hash of the last entry as stored ("" for an empty log).
    pub last_hash: String,
    pub last_id: i64,
    /// The breaks, in id order (at most [`BREAKS_KEPT`]).
    pub breaks: Vec<ChainBreak>,
    /// All breaks, counted.
    pub break_count: u64,
    /// Where an expected head was found in the chain: `Some(id)`; `None` when not asked or
    /// not found (see `expected_found`).
    pub expected_at: Option<i64>,
    /// The last seal of each sealed row: (table, row key) → (the kind it was sealed as,
    /// SHA-256, audit entry id). A seal released (the row deleted by the program) is gone.
    #[serde(skip)]
    pub seals: SealMap,
}

/// The last seal of each row: (table, row key) → (kind, SHA-256, audit entry id).
pub type SealMap = HashMap<(&'static str, i64), (Sealed, String, i64)>;

/// Walks the whole chain once: every entry's hash, its link to the one before, the ids
/// between them, the seals the entries carry, and whether `expected` (a head kept
/// elsewhere) is one of its hashes.
pub(super) fn walk(conn: &Connection, expected: Option<&str>) -> Result<ChainReport> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity, entity_key, detail, prev_hash, hash FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut report = ChainReport::default();
    let mut prev = String::new();
    let mut prev_id: Option<i64> = None;
    let note = |report: &mut ChainReport, b: ChainBreak| {
        report.break_count += 1;
        if report.breaks.len() < BREAKS_KEPT {
            report.breaks.push(b);
        }
    };
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text =
            |i: usize| -> rusqlite::Result<&str> { r.get_ref(i)?.as_str().map_err(Into::into) };
        let detail = text(6)?;
        let stored_prev = text(7)?;
        let stored = text(8)?;
        let fields = [text(1)?, text(2)?, text(3)?, text(4)?, text(5)?, detail];
        match prev_id {
            Some(p) if id > p + 1 => note(
                &mut report,
                ChainBreak::Missing {
                    from: p + 1,
                    to: id - 1,
                },
            ),
            None if id > 1 => note(
                &mut report,
                ChainBreak::Missing {
                    from: 1,
                    to: id - 1,
                },
            ),
            _ => {}
        }
        if stored_prev != prev {
            note(
                &mut report,
                ChainBreak::Unlinked {
                    id,
                    after: prev_id.unwrap_or(0),
                },
            );
        }
        if !hex_is(stored, &chain_digest(stored_prev, fields)) {
            note(&mut report, ChainBreak::Edited { id });
        }
        if detail.contains("\"seals\":") {
            collect_seals(detail, id, &mut report.seals);
        }
        if expected.is_some_and(|e| e.eq_ignore_ascii_case(stored)) {
            report.expected_at = Some(id);
        }
        prev.clear();
        prev.push_str(stored);
        prev_id = Some(id);
        report.entries += 1;
    }
    report.last_hash = prev;
    report.last_id = prev_id.unwrap_or(0);
    Ok(report)
}

/// One seal as an entry holds it (`sha256` null: the program released the row).
#[derive(serde::Deserialize)]
struct SealJson<'a> {
    #[serde(borrow)]
    row: std::borrow::Cow<'a, str>,
    id: i64,
    #[serde(borrow)]
    sha256: Option<std::borrow::Cow<'a, str>>,
}

/// Reads only the entry's top-level `"seals"` list (the rest of the detail is not parsed:
/// the walk meets a million entries). A key inside a string cannot match: its quotes are
/// escaped there. The list is the last `"seals":` of the detail, as `Tx::audit` puts it at
/// the top level after the command's own keys.
fn collect_seals(detail: &str, audit_id: i64, seals: &mut SealMap) {
    let Some(at) = detail.rfind("\"seals\":") else {
        return;
    };
    let rest = &detail[at + "\"seals\":".len()..];
    let mut de = serde_json::Deserializer::from_str(rest);
    let Ok(list) = <Vec<SealJson> as serde::Deserialize>::deserialize(&mut de) else {
        return;
    };
    for s in list {
        let Some(what) = Sealed::parse(&s.row) else {
            continue;
        };
        let key = (what.table(), s.id);
        match s.sha256 {
            Some(sha) => {
                seals.insert(key, (what, sha.into_owned(), audit_id));
            }
            None => {
                seals.remove(&key);
            }
        }
    }
}

/// A sealed row that no longer matches its last seal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SealBreak {
    /// The kind's code (`verify_row.<code>` names it).
    pub row: &'static str,
    pub id: i64,
    /// The row's number, or the number of the record it belongs to, when it can be read.
    pub name: Option<String>,
    /// The audit entry holding the seal.
    pub audit_id: i64,
    /// The row is gone (else: changed).
    pub deleted: bool,
}

/// Compares every sealed row with its last seal, recomputed with the kind it was made with,
/// in table and key order.
pub(super) fn check_seals(conn: &Connection, seals: &SealMap) -> Result<Vec<SealBreak>> {
    let mut keys: Vec<&(&'static str, i64)> = seals.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for key in keys {
        let (what, sha, audit_id) = &seals[key];
        let now = seal::row_seal(conn, *what, key.1)?;
        if now.as_deref() != Some(sha.as_str()) {
            let name = match now {
                Some(_) => seal::label(conn, *what, key.1)?,
                None => None,
            };
            out.push(SealBreak {
                row: what.code(),
                id: key.1,
                name,
                audit_id: *audit_id,
                deleted: now.is_none(),
            });
        }
    }
    Ok(out)
}

/// A document whose body no longer gives its stored SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentBreak {
    pub id: i64,
    pub number: String,
}

/// Every document's body against its SHA-256; returns (documents read, mismatches).
pub(super) fn check_documents(conn: &Connection) -> Result<(u64, Vec<DocumentBreak>)> {
    let mut stmt = conn.prepare(
        "SELECT id, number, body, sha256 FROM documents WHERE storage = 'text' ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        n += 1;
        let body = r.get_ref(2)?.as_bytes().map_err(rusqlite::Error::from)?;
        let sha: &str = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
        if !sha256_hex(body).eq_ignore_ascii_case(sha) {
            out.push(DocumentBreak {
                id: r.get(0)?,
                number: r.get(1)?,
            });
        }
    }
    Ok((n, out))
}

/// Every evidence file the book lists: (SHA-256, size), in order, a page after `after`.
pub(super) fn evidence_page(
    conn: &Connection,
    after: &str,
    limit: u32,
) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sha256, size FROM evidence_files WHERE sha256 > ?1 ORDER BY sha256 LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Who keeps the stored file `sha`: documents stored by it (number, id) and inspections
/// holding it as evidence (inspection number, evidence id), at most `limit` of each.
pub(super) fn stored_file_owners(
    conn: &Connection,
    sha: &str,
    limit: u32,
) -> Result<Vec<(bool, String, i64)>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT number, id FROM documents WHERE sha256 = ?1 AND storage = 'stored' ORDER BY id LIMIT ?2",
    )?;
    for r in stmt.query_map(params![sha, limit], |r| Ok((true, r.get(0)?, r.get(1)?)))? {
        out.push(r?);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT i.number, e.id FROM inspection_evidence e JOIN inspections i ON i.id = e.inspection_id
         WHERE e.sha256 = ?1 ORDER BY e.id LIMIT ?2",
    )?;
    for r in stmt.query_map(params![sha, limit], |r| Ok((false, r.get(0)?, r.get(1)?)))? {
        out.push(r?);
    }
    Ok(out)
}

/// SQLite's own check of the file: "ok", or the problems it lists (at most 100).
pub(super) fn integrity_check(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(100)")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let lines: Vec<String> = rows.collect::<Result<_, _>>()?;
    Ok(if lines.len() == 1 && lines[0] == "ok" {
        Vec::new()
    } else {
        lines
    })
}

/// Ok(rows checked) or Err(id of the first row whose hash does not match).
pub(super) fn verify(conn: &Connection) -> Result<std::result::Result<u64, i64>> {
    let report = walk(conn, None)?;
    Ok(match report.breaks.first() {
        None => Ok(report.entries),
        Some(b) => Err(b.id()),
    })
}

/// Which entries the listing shows; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Who acted.
    pub actor: Option<String>,
    /// Entries about this loan: the loan itself, its warnings, inspections and documents, and
    /// its borrower's risk cases and their actions.
    pub contract_no: Option<String>,
    /// The action, or a family of actions (`warnings` takes `warnings.raise`, …).
    pub kind: Option<String>,
    /// Entries at or after this instant (stored form, UTC).
    pub from_at: Option<String>,
    /// Entries before this instant (stored form, UTC).
    pub to_at: Option<String>,
}

/// A page of the trail, newest first: entries with ids below `before` (keyset paging).
pub(super) fn page(
    conn: &Connection,
    q: &AuditQuery,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    select(conn, q, Keyset::Before(before.unwrap_or(i64::MAX)), limit)
}

/// The entries just newer than `after` (ids above it), oldest first: what a screen scrolled
/// back up to the newer end shows next (keyset paging the other way).
pub(super) fn page_newer(
    conn: &Connection,
    q: &AuditQuery,
    after: i64,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    select(conn, q, Keyset::After(after), limit)
}

/// Which side of a key a page is read from.
#[derive(Debug, Clone, Copy)]
enum Keyset {
    /// Ids below this one, newest first.
    Before(i64),
    /// Ids above this one, oldest first.
    After(i64),
}

fn select(conn: &Connection, q: &AuditQuery, key: Keyset, limit: u32) -> Result<Vec<AuditEntry>> {
    let (cmp, id, order) = match key {
        Keyset::Before(id) => ("<", id, "DESC"),
        Keyset::After(id) => (">", id, "ASC"),
    };
    let mut sql = format!(
        "SELECT id, at, actor, action, entity, entity_key, detail FROM audit_log WHERE id {cmp} ?1"
    );
    let mut args: Vec<rusqlite::types::Value> = vec![id.into()];
    let mut arg = |sql: &mut String, text: &str, v: String| {
        args.push(v.into());
        sql.push_str(&text.replace('?', &format!("?{}", args.len())));
    };
    if let Some(a) = &q.actor {
        arg(&mut sql, " AND actor = ?", a.clone());
    }
    if let Some(k) = &q.kind {
        // `warnings` is the action itself or the family `warnings.…` (`.` sorts before `/`).
        arg(&mut sql, " AND (action = ?", k.clone());
        arg(&mut sql, " OR (action > ?", format!("{k}."));
        arg(&mut sql, " AND action < ?))", format!("{k}/"));
    }
    if let Some(f) = &q.from_at {
        arg(&mut sql, " AND at >= ?", f.clone());
    }
    if let Some(t) = &q.to_at {
        arg(&mut sql, " AND at < ?", t.clone());
    }
    if let Some(c) = &q.contract_no {
        // The loan's own entries (keyed by contract number, or by id: an evaluation's), its
        // borrower's (keyed by id: a grouping of its warnings into a case), and those of its
        // warnings (keyed by number or by id), inspections, documents (its own, and its
        // borrower's that name no loan: a case's progress reports and record), its
        // borrower's risk cases and their actions, each found through the (entity,
        // entity_key) index.
        arg(
            &mut sql,
            " AND id IN (
                SELECT a.id FROM audit_log a WHERE a.entity = 'loan' AND a.entity_key = ?
                UNION ALL
                SELECT a.id FROM loans l
                  JOIN audit_log a ON a.entity = 'loan' AND a.entity_key = CAST(l.id AS TEXT)
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l
                  JOIN audit_log a ON a.entity = 'borrower' AND a.entity_key = CAST(l.borrower_id AS TEXT)
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l JOIN warnings w ON w.loan_id = l.id
                  JOIN audit_log a ON a.entity = 'warning' AND a.entity_key IN (w.number, CAST(w.id AS TEXT))
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l JOIN inspections i ON i.loan_id = l.id
                  JOIN audit_log a ON a.entity = 'inspection' AND a.entity_key = i.number
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l JOIN documents d ON d.loan_id = l.id
                  JOIN audit_log a ON a.entity = 'document' AND a.entity_key = d.number
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l JOIN documents d
                  ON d.borrower_id = l.borrower_id AND d.loan_id IS NULL
                  JOIN audit_log a ON a.entity = 'document' AND a.entity_key = d.number
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
                  JOIN audit_log a ON a.entity = 'case' AND a.entity_key = c.number
                  WHERE l.contract_no = ?
                UNION ALL
                SELECT a.id FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
                  JOIN disposal_actions x ON x.case_id = c.id
                  JOIN audit_log a ON a.entity = 'action' AND a.entity_key = CAST(x.id AS TEXT)
                  WHERE l.contract_no = ?)",
            c.clone(),
        );
    }
    args.push(i64::from(limit).into());
    sql.push_str(&format!(" ORDER BY id {order} LIMIT ?{}", args.len()));
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_key: r.get(5)?,
            detail: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One entry with its place in the chain (the entry screen shows both hashes).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

pub(super) fn entry(conn: &Connection, id: i64) -> Result<Option<AuditRecord>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, at, actor, action, entity, entity_key, detail, prev_hash, hash
             FROM audit_log WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(AuditRecord {
                entry: AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    entity: r.get(4)?,
                    entity_key: r.get(5)?,
                    detail: r.get(6)?,
                },
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })
        .optional()?)
}

pub(super) fn tail(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>> {
    page(conn, &AuditQuery::default(), None, limit)
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
