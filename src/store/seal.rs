//! Seals of business rows: which tables' rows an audit entry seals and with which columns,
//! the per-connection triggers that note every row a transaction inserts, updates or deletes
//! in them (so a side effect cannot go unsealed), and the SHA-256 of a row's sealed columns.
//!
//! A kind's code and column set never change once a book holds seals made with it: an old
//! entry's seal is recomputed with the code it names. New column sets get new codes
//! (`document` → `document_v2`).

use super::Result;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// How a kind's rows are found: `id` (its INTEGER PRIMARY KEY) or SQLite's `rowid` (tables
/// keyed by several columns).
#[derive(Debug)]
pub(super) struct Kind {
    /// The code in an entry's `seals` list (and, as `verify_row.<code>`, its name).
    pub code: &'static str,
    pub table: &'static str,
    pub key: &'static str,
    /// The sealed columns, in hash order.
    pub cols: &'static str,
    /// Whether the triggers note this table's rows (false: only sealed when named).
    pub tracked: bool,
    /// A state in which a row is not a business record yet (a planned inspection the nightly
    /// plan moves and drops): not noted, and a seal made in it is released.
    pub unsealed_when: Option<&'static str>,
    /// SQL giving the row's name for `verify` (its number, or its parent's), `?1` the key.
    pub label: Option<&'static str>,
}

const fn k(
    code: &'static str,
    table: &'static str,
    key: &'static str,
    cols: &'static str,
    label: Option<&'static str>,
) -> Kind {
    Kind {
        code,
        table,
        key,
        cols,
        tracked: true,
        unsealed_when: None,
        label,
    }
}

/// Every kind of sealed row. Append only: an index is what the touched set stores, a code
/// what the book stores.
pub(super) static KINDS: &[Kind] = &[
    // The first three are the codes of the previous release, column sets unchanged.
    Kind {
        tracked: true,
        ..k(
            "contact",
            "contacts",
            "id",
            "loan_id, contact_on, kind, notes, created_at, created_by",
            Some(
                "SELECT l.contract_no FROM contacts x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
            ),
        )
    },
    Kind {
        tracked: false,
        ..k(
            "document",
            "documents",
            "id",
            "loan_id, kind, number, title, lang, body, sha256, created_at, created_by",
            Some("SELECT number FROM documents WHERE id = ?1"),
        )
    },
    // A loan's class: loans are written by imports and the engine, so only the class an
    // approved decision set is sealed, by name.
    Kind {
        tracked: false,
        ..k(
            "loan_class",
            "loans",
            "id",
            "contract_no, classification",
            Some("SELECT contract_no FROM loans WHERE id = ?1"),
        )
    },
    k(
        "document_v2",
        "documents",
        "id",
        "loan_id, borrower_id, contract_no, borrower_name, kind, number, title, lang, body, sha256, bytes, storage, file_path, file_name, recipient, superseded_by, ref_table, ref_id, created_at, created_by",
        Some("SELECT number FROM documents WHERE id = ?1"),
    ),
    k(
        "staff",
        "staff",
        "id",
        "username, display_name, role, active, created_at, created_by, updated_at, updated_by, version",
        Some("SELECT username FROM staff WHERE id = ?1"),
    ),
    k(
        "warning",
        "warnings",
        "id",
        "number, loan_id, contract_no, borrower_name, officer, origin, indicator, level, level_order, board_key, risk_type, value, threshold, unit, source, reason, status, back_to_normal, raised_on, cause, judged_level, closed_on, close_reason, feedback_due_on, created_at, created_by, updated_at, updated_by, version",
        Some("SELECT number FROM warnings WHERE id = ?1"),
    ),
    k(
        "warning_event",
        "warning_events",
        "id",
        "warning_id, at, on_date, actor, event, level, value, note",
        Some(
            "SELECT w.number FROM warning_events e JOIN warnings w ON w.id = e.warning_id WHERE e.id = ?1",
        ),
    ),
    k(
        "risk_case",
        "risk_cases",
        "id",
        "number, borrower_id, level, level_order, status, opened_on, closed_on, close_reason, officer, next_deadline, escalated_on, emergency_needed, class_review_on, created_at, created_by, updated_at, updated_by, version",
        Some("SELECT number FROM risk_cases WHERE id = ?1"),
    ),
    k(
        "case_progress",
        "case_progress",
        "id",
        "case_id, on_date, signal_now, effect, problems, next_steps, author, created_at",
        Some(
            "SELECT c.number FROM risk_cases c WHERE c.id = (SELECT case_id FROM case_progress WHERE id = ?1)",
        ),
    ),
    k(
        "case_event",
        "case_events",
        "id",
        "case_id, at, on_date, actor, event, ref, note",
        Some(
            "SELECT c.number FROM risk_cases c WHERE c.id = (SELECT case_id FROM case_events WHERE id = ?1)",
        ),
    ),
    k(
        "case_tracking",
        "case_tracking",
        "rowid",
        "case_id, loan_id, previous, tightened",
        Some(
            "SELECT c.number FROM risk_cases c WHERE c.id = (SELECT case_id FROM case_tracking WHERE rowid = ?1)",
        ),
    ),
    k(
        "case_warning",
        "case_warnings",
        "rowid",
        "case_id, warning_id, joined_on",
        Some(
            "SELECT c.number FROM risk_cases c WHERE c.id = (SELECT case_id FROM case_warnings WHERE rowid = ?1)",
        ),
    ),
    k(
        "disposal_plan",
        "disposal_plans",
        "id",
        "case_id, kind, status, summary, due_on, arrived_on, arrival, proposer, approver, decided_at, reason, created_at, updated_at, updated_by, version",
        Some(
            "SELECT c.number FROM risk_cases c WHERE c.id = (SELECT case_id FROM disposal_plans WHERE id = ?1)",
        ),
    ),
    k(
        "disposal_action",
        "disposal_actions",
        "id",
        "case_id, plan_id, loan_id, kind, title, owner, deadline, status, outcome, source, created_at, created_by, updated_at, updated_by, version",
        Some(
            "SELECT c.number FROM risk_cases c WHERE c.id = (SELECT case_id FROM disposal_actions WHERE id = ?1)",
        ),
    ),
    k(
        "action_note",
        "action_notes",
        "id",
        "action_id, on_date, note, author, created_at",
        Some(
            "SELECT c.number FROM action_notes n JOIN disposal_actions a ON a.id = n.action_id JOIN risk_cases c ON c.id = a.case_id WHERE n.id = ?1",
        ),
    ),
    Kind {
        unsealed_when: Some("status = 'planned'"),
        ..k(
            "inspection",
            "inspections",
            "id",
            "number, loan_id, contract_no, borrower_name, officer, kind, mode, due_on, status, focus, inspected_on, inspectors, author, reviewer, second_reviewer, approvals_needed, approvals_done, report_version, proposed_class, return_comment, submitted_on, approved_on, created_at, created_by, updated_at, updated_by, version",
            Some("SELECT number FROM inspections WHERE id = ?1"),
        )
    },
    k(
        "inspection_section",
        "inspection_sections",
        "rowid",
        "inspection_id, report_version, section, body, updated_at, updated_by",
        Some(
            "SELECT i.number FROM inspection_sections s JOIN inspections i ON i.id = s.inspection_id WHERE s.rowid = ?1",
        ),
    ),
    k(
        "inspection_review",
        "inspection_reviews",
        "id",
        "inspection_id, report_version, at, on_date, actor, event, comment",
        Some(
            "SELECT i.number FROM inspection_reviews s JOIN inspections i ON i.id = s.inspection_id WHERE s.id = ?1",
        ),
    ),
    k(
        "inspection_measure",
        "inspection_measures",
        "id",
        "inspection_id, report_version, measure, deadline, owner, note, created_at, created_by",
        Some(
            "SELECT i.number FROM inspection_measures s JOIN inspections i ON i.id = s.inspection_id WHERE s.id = ?1",
        ),
    ),
    k(
        "inspection_evidence",
        "inspection_evidence",
        "id",
        "inspection_id, sha256, file_name, note, created_at, created_by",
        Some(
            "SELECT i.number FROM inspection_evidence s JOIN inspections i ON i.id = s.inspection_id WHERE s.id = ?1",
        ),
    ),
    k(
        "inspection_warning",
        "inspection_warnings",
        "rowid",
        "inspection_id, warning_id",
        Some(
            "SELECT i.number FROM inspection_warnings s JOIN inspections i ON i.id = s.inspection_id WHERE s.rowid = ?1",
        ),
    ),
    k(
        "inspection_checklist",
        "inspection_checklist",
        "rowid",
        "inspection_id, report_version, item, points, updated_at, updated_by",
        Some(
            "SELECT i.number FROM inspection_checklist s JOIN inspections i ON i.id = s.inspection_id WHERE s.rowid = ?1",
        ),
    ),
    k(
        "classification_proposal",
        "classification_proposals",
        "id",
        "loan_id, from_class, to_class, to_rank, basis, basis_ref, reason, floor_class, floor_reason, floor_value, floor_limit, effective_on, status, proposer, decided_by, decided_at, comment, created_at, updated_at, updated_by, version, proposed_on",
        Some(
            "SELECT l.contract_no FROM classification_proposals x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "classification_history",
        "classification_history",
        "id",
        "loan_id, from_class, to_class, effective_on, reason, basis, basis_ref, proposal_id, proposer, approver, decided_at, floor_class, floor_reason, floor_value, floor_limit",
        Some(
            "SELECT l.contract_no FROM classification_history x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "legal_event",
        "legal_events",
        "id",
        "loan_id, case_id, kind, asset_kind, seizure_id, on_date, reference, note, created_by, created_at",
        Some(
            "SELECT l.contract_no FROM legal_events x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "recovery",
        "recoveries",
        "id",
        "loan_id, case_id, on_date, kind, principal, interest, costs, note, created_by, created_at",
        Some(
            "SELECT l.contract_no FROM recoveries x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "write_off",
        "write_offs",
        "id",
        "loan_id, case_id, on_date, amount, reason, approved_by, created_at",
        Some(
            "SELECT l.contract_no FROM write_offs x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "loan_demand",
        "loan_demands",
        "id",
        "loan_id, case_id, on_date, channel, note, created_by, created_at",
        Some(
            "SELECT l.contract_no FROM loan_demands x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "loan_impairment",
        "loan_impairments",
        "id",
        "loan_id, on_date, reason, created_by, created_at, cleared_on, cleared_reason, cleared_by, cleared_at",
        Some(
            "SELECT l.contract_no FROM loan_impairments x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "loan_restructuring",
        "loan_restructurings",
        "id",
        "loan_id, on_date, reason, created_by, created_at",
        Some(
            "SELECT l.contract_no FROM loan_restructurings x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "loan_status_event",
        "loan_status_events",
        "id",
        "loan_id, case_id, status, on_date, reason, created_by, created_at",
        Some(
            "SELECT l.contract_no FROM loan_status_events x JOIN loans l ON l.id = x.loan_id WHERE x.id = ?1",
        ),
    ),
    k(
        "evidence_file",
        "evidence_files",
        "rowid",
        "sha256, size, media_type, created_at, created_by",
        Some("SELECT sha256 FROM evidence_files WHERE rowid = ?1"),
    ),
];

/// A kind of sealed row (an index into the list of kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sealed(u16);

impl Sealed {
    /// A loan's class as an approved decision set it (sealed by name, not noted).
    pub const LOAN_CLASS: Sealed = Sealed(2);

    pub(super) fn kind(self) -> &'static Kind {
        &KINDS[usize::from(self.0)]
    }

    /// The code in the entry's `seals` list and in verify's findings.
    pub fn code(self) -> &'static str {
        self.kind().code
    }

    /// The table the row is in (two codes of one table seal the same row).
    pub fn table(self) -> &'static str {
        self.kind().table
    }

    pub fn parse(code: &str) -> Option<Sealed> {
        KINDS
            .iter()
            .position(|k| k.code == code)
            .and_then(|i| u16::try_from(i).ok())
            .map(Sealed)
    }

    /// Every kind, old ones included.
    pub fn all() -> impl Iterator<Item = Sealed> {
        (0..KINDS.len()).filter_map(|i| u16::try_from(i).ok().map(Sealed))
    }
}

/// Makes this connection note the rows a transaction writes in the tracked tables (once per
/// connection: temp triggers live as long as it).
pub(super) fn track(conn: &Connection) -> Result<()> {
    let have: Option<i64> = conn
        .prepare_cached(
            "SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = 'seal_touched'",
        )?
        .query_row([], |r| r.get(0))
        .optional()?;
    if have.is_some() {
        return Ok(());
    }
    let mut ddl = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS seal_touched (kind INTEGER NOT NULL, id INTEGER NOT NULL,
           PRIMARY KEY (kind, id)) WITHOUT ROWID;
         CREATE TEMP TABLE IF NOT EXISTS seal_quiet (x INTEGER);\n",
    );
    for (i, kind) in KINDS.iter().enumerate() {
        if !kind.tracked {
            continue;
        }
        let (t, key) = (kind.table, kind.key);
        let not = |row: &str| match kind.unsealed_when {
            Some(c) => format!(" AND NOT ({row}.{c})"),
            None => String::new(),
        };
        let quiet = "NOT EXISTS (SELECT 1 FROM temp.seal_quiet)";
        let (ins, del) = (not("NEW"), not("OLD"));
        let upd = match kind.unsealed_when {
            Some(c) => format!(" AND NOT (NEW.{c} AND OLD.{c})"),
            None => String::new(),
        };
        ddl.push_str(&format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS seal_{t}_i AFTER INSERT ON main.{t} WHEN {quiet}{ins}
               BEGIN INSERT OR IGNORE INTO seal_touched VALUES ({i}, NEW.{key}); END;
             CREATE TEMP TRIGGER IF NOT EXISTS seal_{t}_u AFTER UPDATE ON main.{t} WHEN {quiet}{upd}
               BEGIN INSERT OR IGNORE INTO seal_touched VALUES ({i}, NEW.{key}); END;
             CREATE TEMP TRIGGER IF NOT EXISTS seal_{t}_d AFTER DELETE ON main.{t} WHEN {quiet}{del}
               BEGIN INSERT OR IGNORE INTO seal_touched VALUES ({i}, OLD.{key}); END;\n"
        ));
    }
    conn.execute_batch(&ddl)?;
    Ok(())
}

/// Stops (`true`) or resumes noting written rows on this connection (a bulk load of a fresh
/// book seals nothing; its one entry counts what it loaded).
pub(super) fn quiet(conn: &Connection, on: bool) -> Result<()> {
    track(conn)?;
    conn.execute("DELETE FROM temp.seal_quiet", [])?;
    if on {
        conn.execute("INSERT INTO temp.seal_quiet VALUES (1)", [])?;
    }
    Ok(())
}

/// The rows noted since the last call, in kind and key order; the set is emptied.
pub(super) fn take_touched(conn: &Connection) -> Result<Vec<(Sealed, i64)>> {
    let rows: Vec<(u16, i64)> = {
        let mut stmt =
            match conn.prepare_cached("SELECT kind, id FROM temp.seal_touched ORDER BY kind, id") {
                Ok(s) => s,
                // A connection that never opened a write transaction notes nothing.
                Err(_) => return Ok(Vec::new()),
            };
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    if !rows.is_empty() {
        conn.prepare_cached("DELETE FROM temp.seal_touched")?
            .execute([])?;
    }
    Ok(rows
        .into_iter()
        .filter(|(k, _)| usize::from(*k) < KINDS.len())
        .map(|(k, id)| (Sealed(k), id))
        .collect())
}

/// Notes `rows` again (rows set aside by [`take_touched`] while a nested step sealed its own).
pub(super) fn note_again(conn: &Connection, rows: &[(Sealed, i64)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO temp.seal_touched VALUES (?1, ?2)")?;
    for (what, id) in rows {
        stmt.execute([i64::from(what.0), *id])?;
    }
    Ok(())
}

/// How many rows are noted and not sealed yet.
pub(super) fn pending(conn: &Connection) -> Result<u64> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM temp.seal_touched")
        .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
        .map(|n| n.max(0) as u64)
        .unwrap_or(0))
}

/// The SHA-256 of the sealed columns of row `id`, or `None` when the row is gone.
pub(super) fn row_seal(conn: &Connection, what: Sealed, id: i64) -> Result<Option<String>> {
    let kind = what.kind();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = ?1",
        kind.cols, kind.table, kind.key
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let mut h = Sha256::new();
    h.update(kind.code.as_bytes());
    for i in 0..r.as_ref().column_count() {
        h.update([0x1e]);
        match r.get_ref(i)? {
            ValueRef::Null => h.update(b"n"),
            ValueRef::Integer(v) => {
                h.update(b"i");
                h.update(v.to_string().as_bytes());
            }
            ValueRef::Real(v) => {
                h.update(b"r");
                h.update(v.to_string().as_bytes());
            }
            ValueRef::Text(t) => {
                h.update(b"t");
                h.update(t);
            }
            ValueRef::Blob(b) => {
                h.update(b"b");
                h.update(b);
            }
        }
    }
    Ok(Some(super::audit::hex(&h.finalize())))
}

/// The seal to write for row `id` now: its SHA-256, or `None` when the row is gone or in a
/// state that is not sealed (the entry then releases any earlier seal).
pub(super) fn seal_now(conn: &Connection, what: Sealed, id: i64) -> Result<Option<String>> {
    let kind = what.kind();
    if let Some(c) = kind.unsealed_when {
        let sql = format!("SELECT {c} FROM {} WHERE {} = ?1", kind.table, kind.key);
        let released: Option<bool> = conn
            .prepare_cached(&sql)?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if released == Some(true) {
            return Ok(None);
        }
    }
    row_seal(conn, what, id)
}

/// The row's name for `verify` (its number, or the number of the record it belongs to).
pub(super) fn label(conn: &Connection, what: Sealed, id: i64) -> Result<Option<String>> {
    let Some(sql) = what.kind().label else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}
