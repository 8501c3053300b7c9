//! What the warning engine reads, a chunk of loans at a time in (borrower, loan) order: each
//! loan's terms, its borrower's statements, collateral, prohibited flows, covenants and the
//! system warnings already active — five range queries per chunk, nothing held beyond it.
//! A book-wide evaluation reads through its own read-only connection ([`EvalReader`]), so
//! one thread can read the next chunk while another evaluates and writes the last.

use super::sqlval::{code, date, dec};
use super::{Result, Store, StoreError};
use crate::domain::StatementRecord;
use crate::domain::warning::Level;
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags, params};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

/// A system warning already active on a loan.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveSignal {
    pub id: i64,
    pub indicator: String,
    pub level: Level,
    pub back_to_normal: bool,
    /// Dismissed by a person while its signal was still there: it holds the signal back
    /// (no new warning at the same or a lower level) until the value is seen inside again.
    pub dismissed: bool,
}

/// A loan's own thresholds for one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct CovenantRow {
    pub indicator: String,
    pub yellow: Option<Decimal>,
    pub orange: Option<Decimal>,
    pub red: Option<Decimal>,
}

/// One loan as the engine needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalLoan {
    pub id: i64,
    pub borrower_id: i64,
    pub disbursed_on: NaiveDate,
    pub principal: Decimal,
    pub outstanding: Decimal,
    pub overdue_days: i64,
    pub collateral_value: Option<Decimal>,
    pub prohibited_flows: Decimal,
    pub covenants: Vec<CovenantRow>,
    pub active: Vec<ActiveSignal>,
}

/// A chunk of loans and their borrowers' statements (oldest first).
#[derive(Debug, Default)]
pub struct EvalChunk {
    pub loans: Vec<EvalLoan>,
    /// By borrower id. The engine knows a borrower by id, so `borrower_code` is left empty
    /// (reading it would join every statement with its borrower).
    pub statements: HashMap<i64, Vec<StatementRecord>>,
}

impl EvalChunk {
    /// Where the next chunk starts.
    pub fn last_key(&self) -> Option<(i64, i64)> {
        self.loans.last().map(|l| (l.borrower_id, l.id))
    }
}

/// Which loans: a key range in (borrower_id, id) order, or one loan.
enum Range {
    After((i64, i64), usize),
    One(i64),
}

fn loans_sql(range: &Range) -> &'static str {
    match range {
        Range::After(..) => {
            "SELECT id, borrower_id, disbursed_on, principal, outstanding, overdue_days FROM loans
             WHERE (borrower_id, id) > (?1, ?2) AND outstanding_fen > 0
             ORDER BY borrower_id, id LIMIT ?3"
        }
        Range::One(_) => {
            "SELECT id, borrower_id, disbursed_on, principal, outstanding, overdue_days FROM loans WHERE id = ?1"
        }
    }
}

/// A chunk with its statements.
fn read_chunk(conn: &Connection, range: Range) -> Result<EvalChunk> {
    let mut chunk = read_loans(conn, range)?;
    read_statements(conn, &mut chunk)?;
    Ok(chunk)
}

/// The statements of the borrowers of a chunk's loans (oldest first), by borrower id.
fn read_statements(conn: &Connection, chunk: &mut EvalChunk) -> Result<()> {
    let (Some(first), Some(last)) = (chunk.loans.first(), chunk.loans.last()) else {
        return Ok(());
    };
    let (b0, b1) = (first.borrower_id, last.borrower_id);
    let mut statements = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT borrower_id, period_end, total_assets, total_liabilities, current_assets,
                    current_liabilities, inventory, revenue, ebit, interest_expense,
                    net_profit, operating_cash_flow
             FROM financial_statements
             WHERE borrower_id BETWEEN ?1 AND ?2 ORDER BY borrower_id, period_end",
        )?;
        let mut rows = stmt.query(params![b0, b1])?;
        let mut borrower: Option<(i64, Vec<StatementRecord>)> = None;
        while let Some(r) = rows.next()? {
            let b: i64 = r.get(0)?;
            let s = StatementRecord {
                borrower_code: String::new(),
                period_end: date(r, 1)?,
                total_assets: dec(r, 2)?,
                total_liabilities: dec(r, 3)?,
                current_assets: dec(r, 4)?,
                current_liabilities: dec(r, 5)?,
                inventory: dec(r, 6)?,
                revenue: dec(r, 7)?,
                ebit: dec(r, 8)?,
                interest_expense: dec(r, 9)?,
                net_profit: dec(r, 10)?,
                operating_cash_flow: dec(r, 11)?,
            };
            // Rows come grouped by borrower: one map insert per borrower, not per row.
            match &mut borrower {
                Some((id, list)) if *id == b => list.push(s),
                _ => {
                    if let Some((id, list)) = borrower.replace((b, vec![s])) {
                        statements.insert(id, list);
                    }
                }
            }
        }
        if let Some((id, list)) = borrower {
            statements.insert(id, list);
        }
    }
    chunk.statements = statements;
    Ok(())
}

/// A chunk's loans with their collateral, prohibited flows, covenants and active warnings;
/// no statements yet.
fn read_loans(conn: &Connection, range: Range) -> Result<EvalChunk> {
    let mut chunk = EvalChunk::default();
    {
        let mut stmt = conn.prepare_cached(loans_sql(&range))?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(EvalLoan {
                id: r.get(0)?,
                borrower_id: r.get(1)?,
                disbursed_on: date(r, 2)?,
                principal: dec(r, 3)?,
                outstanding: dec(r, 4)?,
                overdue_days: r.get(5)?,
                collateral_value: None,
                prohibited_flows: Decimal::ZERO,
                covenants: Vec::new(),
                active: Vec::new(),
            })
        };
        let rows = match &range {
            Range::After((b, i), n) => stmt.query_map(params![b, i, *n as i64], map)?,
            Range::One(id) => stmt.query_map(params![id], map)?,
        };
        for r in rows {
            chunk.loans.push(r?);
        }
    }
    let (Some(first), Some(last)) = (chunk.loans.first(), chunk.loans.last()) else {
        return Ok(chunk);
    };
    let (k0, k1) = ((first.borrower_id, first.id), (last.borrower_id, last.id));
    let index: HashMap<i64, usize> = chunk
        .loans
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id, i))
        .collect();
    // Child rows of the loans in this key range.
    let in_range = "loan_id IN (SELECT id FROM loans WHERE (borrower_id, id) >= (?1, ?2) AND (borrower_id, id) <= (?3, ?4))";
    let keys = params![k0.0, k0.1, k1.0, k1.1];
    {
        let sql = format!("SELECT loan_id, appraised_value FROM collateral WHERE {in_range}");
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(keys)?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                let v = dec(r, 1)?;
                let slot = &mut chunk.loans[i].collateral_value;
                // Absurd totals saturate instead of overflowing.
                *slot = Some(slot.unwrap_or_default().saturating_add(v));
            }
        }
    }
    {
        let sql =
            format!("SELECT loan_id, amount FROM fund_flows WHERE prohibited = 1 AND {in_range}");
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(keys)?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                let v = dec(r, 1)?;
                let p = &mut chunk.loans[i].prohibited_flows;
                *p = p.saturating_add(v);
            }
        }
    }
    {
        let sql = format!(
            "SELECT loan_id, indicator, yellow, orange, red FROM covenants WHERE {in_range}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(keys)?;
        let opt = |v: Option<String>| v.and_then(|s| Decimal::from_str(&s).ok());
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                chunk.loans[i].covenants.push(CovenantRow {
                    indicator: r.get(1)?,
                    yellow: opt(r.get(2)?),
                    orange: opt(r.get(3)?),
                    red: opt(r.get(4)?),
                });
            }
        }
    }
    {
        let sql = format!(
            "SELECT loan_id, id, indicator, level, back_to_normal, status = 'dismissed' FROM warnings
             WHERE origin = 'system'
               AND (status NOT IN ('resolved', 'dismissed') OR (status = 'dismissed' AND back_to_normal = 0))
               AND {in_range}
             ORDER BY id"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(keys)?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                chunk.loans[i].active.push(ActiveSignal {
                    id: r.get(1)?,
                    indicator: r.get(2)?,
                    level: code(r, 3, Level::parse)?,
                    back_to_normal: r.get::<_, i64>(4)? != 0,
                    dismissed: r.get::<_, i64>(5)? != 0,
                });
            }
        }
    }
    Ok(chunk)
}

/// A read-only connection of its own to the book, for reading evaluation chunks on another
/// thread than the one writing (WAL lets it read beside the writer). Reading a chunk's loans
/// and its statements are separate steps, so two readers can share the work.
pub struct EvalReader {
    conn: Connection,
}

impl EvalReader {
    /// The next chunk of active loans (outstanding > 0) after `after` in (borrower, id) order,
    /// without statements, read in one read transaction so its queries see the same book.
    pub fn loans(&self, after: Option<(i64, i64)>, limit: usize) -> Result<EvalChunk> {
        let txn = self.conn.unchecked_transaction()?;
        let chunk = read_loans(
            &txn,
            Range::After(after.unwrap_or((i64::MIN, i64::MIN)), limit),
        )?;
        txn.commit()?;
        Ok(chunk)
    }

    /// Adds the statements of the chunk's borrowers.
    pub fn add_statements(&self, chunk: &mut EvalChunk) -> Result<()> {
        read_statements(&self.conn, chunk)
    }
}

impl Store {
    /// A reader of evaluation chunks on its own read-only connection (it may move to another
    /// thread). The book must be in WAL mode, as [`Store::open`] leaves it.
    pub fn evaluation_reader(&self) -> Result<EvalReader> {
        let wrap = |source| StoreError::Open {
            path: self.path().display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(
            self.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(wrap)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        Ok(EvalReader { conn })
    }

    /// The next chunk of active loans (outstanding > 0) after `after` in (borrower, id) order.
    pub fn evaluation_chunk(&self, after: Option<(i64, i64)>, limit: usize) -> Result<EvalChunk> {
        read_chunk(
            self.conn(),
            Range::After(after.unwrap_or((i64::MIN, i64::MIN)), limit),
        )
    }

    /// One loan, for re-evaluating it right after a change.
    pub fn evaluation_loan(&self, loan_id: i64) -> Result<EvalChunk> {
        read_chunk(self.conn(), Range::One(loan_id))
    }
}
