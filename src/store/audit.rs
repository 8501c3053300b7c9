//! The audit log: one row per change, append-only, each row's SHA-256 covering the previous
//! row's hash so an edited or deleted row breaks the chain (`postloan verify`).

use super::Result;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

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

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes` as lowercase hex (documents are stored with it).
pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn chain_hash(prev: &str, fields: [&str; 6]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for f in fields {
        h.update([0x1f]);
        h.update(f.as_bytes());
    }
    hex(&h.finalize())
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
        .query_row(
            "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
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
    Ok(())
}

/// Ok(rows checked) or Err(id of the first row whose hash does not match).
pub(super) fn verify(conn: &Connection) -> Result<std::result::Result<u64, i64>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity, entity_key, detail, prev_hash, hash FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = String::new();
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let fields: [String; 6] = [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ];
        let stored_prev: String = r.get(7)?;
        let stored: String = r.get(8)?;
        let expect = chain_hash(&prev, fields.each_ref().map(|s| s.as_str()));
        if stored_prev != prev || stored != expect {
            return Ok(Err(id));
        }
        prev = stored;
        n += 1;
    }
    Ok(Ok(n))
}

pub(super) fn tail(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity, entity_key, detail FROM audit_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
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
