//! Warnings as stored: the board (red first, oldest first, paged by keyset on the board
//! key), one warning with its history, and the writes of raising, moving and analysing.

use super::sqlval::{SortValue, dec_text};
use super::write::Tx;
use super::{PageFrom, PageKey, Result, Store, StoreError};
use crate::domain::warning::{Level, RiskType, WarningStatus};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql, params};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Which warnings the board shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarningQuery {
    pub level: Option<Level>,
    /// `None`: every active status (open, acknowledged, in disposal).
    pub status: Option<WarningStatus>,
    /// Include resolved and dismissed ones too (ignored when `status` is set).
    pub include_closed: bool,
    pub officer: Option<String>,
    pub indicator: Option<String>,
    pub loan_id: Option<i64>,
}

/// One line of the board.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WarningRow {
    pub id: i64,
    pub number: String,
    pub loan_id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    pub origin: String,
    pub indicator: String,
    pub level: Level,
    pub risk_type: RiskType,
    pub value: Option<Decimal>,
    pub threshold: Option<Decimal>,
    pub unit: Option<String>,
    pub source: Option<String>,
    pub status: WarningStatus,
    pub back_to_normal: bool,
    pub raised_on: NaiveDate,
    /// The row's version when read: an edit made from this row carries it.
    #[serde(skip)]
    pub version: i64,
    #[serde(skip)]
    pub sort_key: SortValue,
}

impl WarningRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: self.sort_key.clone(),
            id: self.id,
        }
    }
}

/// A warning in full, with what the board row does not carry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    #[serde(flatten)]
    pub row: WarningRow,
    pub reason: String,
    pub cause: String,
    pub judged_level: Option<Level>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: String,
    pub feedback_due_on: Option<NaiveDate>,
    pub version: i64,
}

/// A warning's state inside a write transaction: what a move or edit checks, and who last
/// changed it (named when a stale edit is refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningState {
    pub status: WarningStatus,
    pub version: i64,
    pub back_to_normal: bool,
    pub origin: String,
    pub number: String,
    pub updated_by: String,
    pub updated_at: String,
    /// The responsible officer of the warning's loan (`loans.officer`), for the rule that a
    /// specialist acts only on their own loans.
    pub officer: String,
}

/// One step in a warning's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WarningEvent {
    pub at: String,
    pub on_date: NaiveDate,
    pub actor: String,
    pub event: String,
    pub level: Option<Level>,
    pub value: Option<Decimal>,
    pub note: String,
}

/// A new warning to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWarning<'a> {
    pub loan_id: i64,
    pub origin: &'a str,
    pub indicator: &'a str,
    pub level: Level,
    pub risk_type: RiskType,
    pub value: Option<Decimal>,
    pub threshold: Option<Decimal>,
    pub unit: Option<&'a str>,
    pub source: Option<&'a str>,
    pub reason: &'a str,
    pub raised_on: NaiveDate,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Document {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub title: String,
    pub lang: String,
    pub body: String,
    pub sha256: String,
    pub created_at: String,
    pub created_by: String,
}

const ROW_COLUMNS: &str =
    "id, number, loan_id, contract_no, borrower_name, officer, origin, indicator,
    level, risk_type, value, threshold, unit, source, status, back_to_normal, raised_on, board_key, version";

/// A stored value that does not read back: an error naming the table, the row, the column
/// and the value (a corrupt book is said, never silently read as something else).
pub(crate) fn corrupt(
    idx: usize,
    table: &str,
    row: &str,
    column: &str,
    value: &str,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("{table} {row}: column {column}: stored value '{value}' is not valid").into(),
    )
}

/// A stored code read through its enum's `parse`, or [`corrupt`].
fn stored_code<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    (table, row, column): (&str, &str, &str),
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    parse(&text).ok_or_else(|| corrupt(idx, table, row, column, &text))
}

/// A stored optional decimal, or [`corrupt`].
fn stored_dec(
    r: &rusqlite::Row<'_>,
    idx: usize,
    (table, row, column): (&str, &str, &str),
) -> rusqlite::Result<Option<Decimal>> {
    let text: Option<String> = r.get(idx)?;
    text.map(|t| Decimal::from_str(&t).map_err(|_| corrupt(idx, table, row, column, &t)))
        .transpose()
}

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<WarningRow> {
    let number: String = r.get(1)?;
    let at = |column| ("warning", number.as_str(), column);
    Ok(WarningRow {
        id: r.get(0)?,
        number: r.get(1)?,
        loan_id: r.get(2)?,
        contract_no: r.get(3)?,
        borrower_name: r.get(4)?,
        officer: r.get(5)?,
        origin: r.get(6)?,
        indicator: r.get(7)?,
        level: stored_code(r, 8, at("level"), Level::parse)?,
        risk_type: stored_code(r, 9, at("risk_type"), RiskType::parse)?,
        value: stored_dec(r, 10, at("value"))?,
        threshold: stored_dec(r, 11, at("threshold"))?,
        unit: r.get(12)?,
        source: r.get(13)?,
        status: stored_code(r, 14, at("status"), WarningStatus::parse)?,
        back_to_normal: r.get::<_, i64>(15)? != 0,
        raised_on: r.get(16)?,
        sort_key: r.get(17)?,
        version: r.get(18)?,
    })
}

fn warning_q(conn: &rusqlite::Connection, id: i64) -> Result<Option<Warning>> {
    let sql = format!(
            "SELECT {ROW_COLUMNS}, reason, cause, judged_level, closed_on, close_reason, feedback_due_on
             FROM warnings WHERE id = ?1"
        );
    Ok(conn
        .query_row(&sql, [id], |r| {
            let judged: Option<String> = r.get(21)?;
            let row = row_from(r)?;
            Ok(Warning {
                version: row.version,
                row,
                reason: r.get(19)?,
                cause: r.get(20)?,
                judged_level: judged.as_deref().and_then(Level::parse),
                closed_on: r.get(22)?,
                close_reason: r.get(23)?,
                feedback_due_on: r.get(24)?,
            })
        })
        .optional()?)
}

impl super::Tx<'_> {
    /// A warning in full as this transaction sees it.
    pub fn warning(&self, id: i64) -> Result<Option<Warning>> {
        warning_q(self.conn(), id)
    }
}

fn board_key(level: Level, raised_on: NaiveDate) -> String {
    format!("{}|{}", level.board_order(), raised_on)
}

impl WarningQuery {
    fn where_clause(&self, params: &mut Vec<Box<dyn ToSql>>) -> String {
        let mut c: Vec<String> = Vec::new();
        if let Some(l) = self.level {
            params.push(Box::new(l.code()));
            c.push(format!("level = ?{}", params.len()));
        }
        match self.status {
            Some(s) => {
                params.push(Box::new(s.code()));
                c.push(format!("status = ?{}", params.len()));
            }
            None if !self.include_closed => {
                c.push("status NOT IN ('resolved', 'dismissed')".into());
            }
            None => {}
        }
        if let Some(o) = &self.officer {
            params.push(Box::new(o.clone()));
            c.push(format!("officer = ?{}", params.len()));
        }
        if let Some(i) = &self.indicator {
            params.push(Box::new(i.clone()));
            c.push(format!("indicator = ?{}", params.len()));
        }
        if let Some(id) = self.loan_id {
            params.push(Box::new(id));
            c.push(format!("loan_id = ?{}", params.len()));
        }
        if c.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", c.join(" AND "))
        }
    }
}

impl Store {
    pub fn warning_count(&self, q: &WarningQuery) -> Result<u64> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let sql = format!("SELECT COUNT(*) FROM warnings {}", q.where_clause(&mut p));
        let n: i64 = self.conn().query_row(
            &sql,
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Counts per level (red, orange, yellow) of the warnings the query matches, ignoring its level filter.
    pub fn warning_level_counts(&self, q: &WarningQuery) -> Result<[u64; 3]> {
        let q = WarningQuery {
            level: None,
            ..q.clone()
        };
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let sql = format!(
            "SELECT level_order, COUNT(*) FROM warnings {} GROUP BY level_order",
            q.where_clause(&mut p)
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())))?;
        let mut out = [0u64; 3];
        while let Some(r) = rows.next()? {
            let order: i64 = r.get(0)?;
            let n: i64 = r.get(1)?;
            if let Some(slot) = usize::try_from(order).ok().and_then(|i| out.get_mut(i)) {
                *slot = n.max(0) as u64;
            }
        }
        Ok(out)
    }

    /// A page of the board: red first, then orange, then yellow; oldest first within a level.
    pub fn warning_page(
        &self,
        q: &WarningQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<WarningRow>> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let mut where_sql = q.where_clause(&mut p);
        let backwards = matches!(from, PageFrom::End | PageFrom::Before(_));
        if let PageFrom::After(k) | PageFrom::Before(k) | PageFrom::AtOrAfter(k) = from {
            let op = match from {
                PageFrom::After(_) => ">",
                PageFrom::Before(_) => "<",
                _ => ">=",
            };
            p.push(Box::new(k.value.clone()));
            let v = p.len();
            p.push(Box::new(k.id));
            let i = p.len();
            let cond = format!("(board_key, id) {op} (?{v}, ?{i})");
            where_sql = if where_sql.is_empty() {
                format!("WHERE {cond}")
            } else {
                format!("{where_sql} AND {cond}")
            };
        }
        let dir = if backwards { "DESC" } else { "ASC" };
        p.push(Box::new(limit as i64));
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM warnings {where_sql} ORDER BY board_key {dir}, id {dir} LIMIT ?{}",
            p.len()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            row_from,
        )?;
        let mut out: Vec<WarningRow> = rows.collect::<Result<_, _>>()?;
        if backwards {
            out.reverse();
        }
        Ok(out)
    }

    /// Rows `offset..offset + limit` of a loan's warnings, closed ones too, in board order
    /// (the loan detail's Warnings tab reads one screen at a time).
    pub fn loan_warnings(
        &self,
        loan_id: i64,
        offset: u64,
        limit: usize,
    ) -> Result<Vec<WarningRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM warnings WHERE loan_id = ?1
             ORDER BY board_key, id LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let (limit, offset) = (limit as i64, i64::try_from(offset).unwrap_or(i64::MAX));
        let rows = stmt.query_map(params![loan_id, limit, offset], row_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where `warning_id` stands among its loan's warnings in board order (from 0).
    pub fn loan_warning_position(&self, loan_id: i64, warning_id: i64) -> Result<Option<u64>> {
        let n: Option<i64> = self
            .conn()
            .query_row(
                "SELECT (SELECT COUNT(*) FROM warnings w
                         WHERE w.loan_id = ?1 AND (w.board_key, w.id) < (t.board_key, t.id))
                 FROM warnings t WHERE t.id = ?2 AND t.loan_id = ?1",
                params![loan_id, warning_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(n.map(|n| n.max(0) as u64))
    }

    pub fn warning(&self, id: i64) -> Result<Option<Warning>> {
        warning_q(self.conn(), id)
    }

    pub fn warning_by_number(&self, number: &str) -> Result<Option<Warning>> {
        let id: Option<i64> = self
            .conn()
            .query_row("SELECT id FROM warnings WHERE number = ?1", [number], |r| {
                r.get(0)
            })
            .optional()?;
        match id {
            Some(id) => self.warning(id),
            None => Ok(None),
        }
    }

    pub fn warning_events(&self, id: i64) -> Result<Vec<WarningEvent>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT at, on_date, actor, event, level, value, note FROM warning_events
             WHERE warning_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            let level: Option<String> = r.get(4)?;
            let row = format!("{id}");
            let at = |column| ("warning_events of warning", row.as_str(), column);
            let level =
                match level {
                    Some(l) => Some(Level::parse(&l).ok_or_else(|| {
                        corrupt(4, "warning_events of warning", &row, "level", &l)
                    })?),
                    None => None,
                };
            Ok(WarningEvent {
                at: r.get(0)?,
                on_date: r.get(1)?,
                actor: r.get(2)?,
                event: r.get(3)?,
                level,
                value: stored_dec(r, 5, at("value"))?,
                note: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn documents(&self, loan_id: i64) -> Result<Vec<Document>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, kind, number, title, lang, body, sha256, created_at, created_by FROM documents
             WHERE loan_id = ?1 AND storage = 'text' ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([loan_id], |r| {
            Ok(Document {
                id: r.get(0)?,
                kind: r.get(1)?,
                number: r.get(2)?,
                title: r.get(3)?,
                lang: r.get(4)?,
                body: r.get(5)?,
                sha256: r.get(6)?,
                created_at: r.get(7)?,
                created_by: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A loan's board copies on its warnings: contract, borrower and officer.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanLabels {
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
}

impl Tx<'_> {
    /// The loan's board copies (contract, borrower, officer) for a new warning.
    pub fn loan_labels(&self, loan_id: i64) -> Result<LoanLabels> {
        self.conn()
            .prepare_cached("SELECT contract_no, borrower_name, officer FROM loans WHERE id = ?1")?
            .query_row([loan_id], |r| {
                Ok(LoanLabels {
                    contract_no: r.get(0)?,
                    borrower_name: r.get(1)?,
                    officer: r.get(2)?,
                })
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("loan {loan_id}")))
    }

    /// Writes a new warning and its "raised" event; returns (id, number).
    pub fn insert_warning(&mut self, w: &NewWarning<'_>, actor: &str) -> Result<(i64, String)> {
        let labels = self.loan_labels(w.loan_id)?;
        self.insert_warning_labelled(w, &labels, actor)
    }

    /// [`Tx::insert_warning`] with the loan's labels already looked up (by
    /// [`Tx::loan_labels`] in this transaction), for a loan that gets several warnings.
    pub fn insert_warning_labelled(
        &mut self,
        w: &NewWarning<'_>,
        labels: &LoanLabels,
        actor: &str,
    ) -> Result<(i64, String)> {
        let next = self.next_warning_id()?;
        let number = format!("YJ{}-{:06}", w.raised_on.format("%Y"), next);
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO warnings (id, number, loan_id, contract_no, borrower_name, officer, origin, indicator,
                 level, level_order, board_key, risk_type, value, threshold, unit, source, reason, status,
                 raised_on, created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 'open',
                         ?18, ?19, ?20, ?19, ?20)",
            )?
            .execute(params![
                next,
                number,
                w.loan_id,
                labels.contract_no,
                labels.borrower_name,
                labels.officer,
                w.origin,
                w.indicator,
                w.level.code(),
                w.level.board_order(),
                board_key(w.level, w.raised_on),
                w.risk_type.code(),
                w.value.map(dec_text),
                w.threshold.map(dec_text),
                w.unit,
                w.source,
                w.reason,
                w.raised_on,
                now,
                actor
            ])?;
        self.warning_id_used(next);
        self.warning_event(
            next,
            w.raised_on,
            actor,
            "raised",
            Some(w.level),
            w.value,
            w.reason,
        )?;
        Ok((next, number))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn warning_event(
        &mut self,
        warning_id: i64,
        on: NaiveDate,
        actor: &str,
        event: &str,
        level: Option<Level>,
        value: Option<Decimal>,
        note: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO warning_events (warning_id, at, on_date, actor, event, level, value, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                warning_id,
                now,
                on,
                actor,
                event,
                level.map(|l| l.code()),
                value.map(dec_text),
                note
            ])?;
        Ok(())
    }

    /// Raises a warning's level (keeping its raise date) with the value and threshold that did it.
    pub fn escalate_warning(
        &mut self,
        id: i64,
        level: Level,
        value: Decimal,
        threshold: Decimal,
        on: NaiveDate,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE warnings SET level = ?2, level_order = ?3, board_key = ?3 || '|' || raised_on,
                 value = ?4, threshold = ?5, back_to_normal = 0, updated_at = ?6, updated_by = ?7,
                 version = version + 1 WHERE id = ?1",
            )?
            .execute(params![id, level.code(), level.board_order(), dec_text(value), dec_text(threshold), now, actor])?;
        self.warning_event(id, on, actor, "escalated", Some(level), Some(value), "")
    }

    /// Whether the warning's loan has left evaluation (no outstanding balance).
    pub fn warning_loan_has_no_balance(&self, id: i64) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT l.outstanding_fen <= 0 FROM warnings w JOIN loans l ON l.id = w.loan_id
             WHERE w.id = ?1",
            [id],
            |r| r.get(0),
        )?)
    }

    /// Marks (or clears) "back to normal" on a system warning, with the value that did it
    /// (none when the indicator is no longer evaluated) and a note saying why, if not the value.
    #[allow(clippy::too_many_arguments)]
    pub fn set_back_to_normal(
        &mut self,
        id: i64,
        back: bool,
        value: Option<Decimal>,
        note: &str,
        on: NaiveDate,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE warnings SET back_to_normal = ?2, updated_at = ?3, updated_by = ?4, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![id, back, now, actor])?;
        let event = if back { "back_to_normal" } else { "relapsed" };
        self.warning_event(id, on, actor, event, None, value, note)
    }

    /// Moves a warning to `to`, checking the version read by the caller (no lost update).
    pub fn move_warning(
        &mut self,
        id: i64,
        version: i64,
        to: WarningStatus,
        reason: &str,
        on: NaiveDate,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let closed = (!to.is_active()).then_some(on);
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE warnings SET status = ?3, closed_on = COALESCE(?4, closed_on),
                 close_reason = CASE WHEN ?4 IS NULL THEN close_reason ELSE ?5 END,
                 updated_at = ?6, updated_by = ?7, version = version + 1 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![id, version, to.code(), closed, reason, now, actor])?;
        if n == 0 {
            return Err(StoreError::Conflict(format!("warning {id}")));
        }
        self.warning_event(id, on, actor, to.code(), None, None, reason)
    }

    /// Writes the cause analysis.
    #[allow(clippy::too_many_arguments)]
    pub fn analyse_warning(
        &mut self,
        id: i64,
        version: i64,
        cause: &str,
        risk_type: RiskType,
        judged: Level,
        on: NaiveDate,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE warnings SET cause = ?3, risk_type = ?4, judged_level = ?5, updated_at = ?6,
                 updated_by = ?7, version = version + 1 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![id, version, cause, risk_type.code(), judged.code(), now, actor])?;
        if n == 0 {
            return Err(StoreError::Conflict(format!("warning {id}")));
        }
        self.warning_event(id, on, actor, "cause", Some(judged), None, cause)
    }

    pub fn set_feedback_due(&mut self, id: i64, due: NaiveDate) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE warnings SET feedback_due_on = ?2 WHERE id = ?1")?
            .execute(params![id, due])?;
        Ok(())
    }

    /// Stores a document with its SHA-256; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_document(
        &mut self,
        loan_id: i64,
        kind: &str,
        number: &str,
        title: &str,
        lang: &str,
        body: &str,
        reference: Option<(&str, i64)>,
        actor: &str,
    ) -> Result<i64> {
        let now = self.document_at()?;
        let sha = super::audit::sha256_hex(body.as_bytes());
        self.conn()
            .prepare_cached(
                "INSERT INTO documents (loan_id, kind, number, title, lang, body, sha256, ref_table, ref_id,
                 created_at, created_by, borrower_id, contract_no, borrower_name, bytes)
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, l.borrower_id, l.contract_no,
                   l.borrower_name, length(CAST(?6 AS BLOB))
                 FROM (SELECT 1) LEFT JOIN loans l ON l.id = ?1",
            )?
            .execute(params![
                loan_id,
                kind,
                number,
                title,
                lang,
                body,
                sha,
                reference.map(|r| r.0),
                reference.map(|r| r.1),
                now,
                actor
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// How many documents of `kind` exist (for numbering).
    pub fn document_count(&self, kind: &str) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM documents WHERE kind = ?1",
            [kind],
            |r| r.get(0),
        )?)
    }

    /// A warning's state as this transaction sees it: what a move or edit checks.
    /// A warning's cause analysis as stored (cause, risk type, judged level), for the
    /// audit entry's "before".
    pub fn warning_analysis_in_tx(&self, id: i64) -> Result<serde_json::Value> {
        Ok(self
            .conn()
            .query_row(
                "SELECT cause, risk_type, judged_level FROM warnings WHERE id = ?1",
                [id],
                |r| {
                    Ok(serde_json::json!({
                        "cause": r.get::<_, String>(0)?,
                        "risk_type": r.get::<_, String>(1)?,
                        "judged_level": r.get::<_, Option<String>>(2)?,
                    }))
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    pub fn warning_in_tx(&self, id: i64) -> Result<Option<WarningState>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT w.status, w.version, w.back_to_normal, w.origin, w.number, w.updated_by,
                        w.updated_at, l.officer
                 FROM warnings w JOIN loans l ON l.id = w.loan_id WHERE w.id = ?1",
                [id],
                |r| {
                    let number: String = r.get(4)?;
                    Ok(WarningState {
                        status: stored_code(
                            r,
                            0,
                            ("warning", number.as_str(), "status"),
                            WarningStatus::parse,
                        )?,
                        version: r.get(1)?,
                        back_to_normal: r.get::<_, i64>(2)? != 0,
                        origin: r.get(3)?,
                        number: r.get(4)?,
                        updated_by: r.get(5)?,
                        updated_at: r.get(6)?,
                        officer: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }
}
