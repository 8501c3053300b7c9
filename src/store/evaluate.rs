//! What the warning engine reads, a chunk of loans at a time in (borrower, loan) order: each
//! loan's terms, its borrower's statements, collateral, prohibited flows, covenants and the
//! system warnings already active — five range queries per chunk, nothing held beyond it.
//! Only facts dated on or before the evaluation date are read (the repayment status then,
//! statements whose period ended, flows paid, appraisals made), and only loans disbursed by
//! then; the filters are in SQL.
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

/// The `meta` key holding the date of the book's latest book-wide evaluation.
pub const LAST_EVALUATION: &str = "last_evaluation_on";

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
    /// The date of its latest event: nothing may be written to it with an earlier date.
    pub last_on: NaiveDate,
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
    pub matures_on: NaiveDate,
    pub principal: Decimal,
    pub outstanding: Decimal,
    /// Days past due of the latest repayment status on or before the evaluation date.
    pub overdue_days: i64,
    /// The date of that status (None: none on or before the evaluation date).
    pub status_as_of: Option<NaiveDate>,
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

/// The evaluation date as SQL compares it (`YYYY-MM-DD` text); with none, every fact counts.
fn date_key(as_of: Option<NaiveDate>) -> String {
    as_of.map_or_else(
        || "9999-12-31".to_string(),
        |d| d.format("%Y-%m-%d").to_string(),
    )
}

/// A loan's columns as of `?9`: the stored repayment status is the latest, so only a loan
/// whose latest status is dated after the evaluation looks its earlier ones up.
const LOAN_COLUMNS: &str = "id, borrower_id, disbursed_on, matures_on, principal, outstanding,
    CASE WHEN status_as_of IS NULL OR status_as_of <= ?9 THEN overdue_days
         ELSE (SELECT r.overdue_days FROM repayment_status r
               WHERE r.loan_id = loans.id AND r.as_of <= ?9 ORDER BY r.as_of DESC LIMIT 1) END,
    CASE WHEN status_as_of IS NULL OR status_as_of <= ?9 THEN status_as_of
         ELSE (SELECT MAX(r.as_of) FROM repayment_status r
               WHERE r.loan_id = loans.id AND r.as_of <= ?9) END";

fn loans_sql(range: &Range) -> String {
    match range {
        Range::After(..) => format!(
            "SELECT {LOAN_COLUMNS} FROM loans
             WHERE (borrower_id, id) > (?1, ?2) AND outstanding_fen > 0 AND disbursed_on <= ?9
             ORDER BY borrower_id, id LIMIT ?3"
        ),
        Range::One(_) => format!("SELECT {LOAN_COLUMNS} FROM loans WHERE id = ?1"),
    }
}

/// A chunk with its statements.
fn read_chunk(conn: &Connection, range: Range, as_of: Option<NaiveDate>) -> Result<EvalChunk> {
    let mut chunk = read_loans(conn, range, as_of, true)?;
    read_statements(conn, &mut chunk, as_of)?;
    Ok(chunk)
}

/// The statements of the borrowers of a chunk's loans (oldest first), by borrower id, whose
/// period ended on or before `as_of`.
fn read_statements(
    conn: &Connection,
    chunk: &mut EvalChunk,
    as_of: Option<NaiveDate>,
) -> Result<()> {
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
             WHERE borrower_id BETWEEN ?1 AND ?2 AND period_end <= ?3
             ORDER BY borrower_id, period_end",
        )?;
        let mut rows = stmt.query(params![b0, b1, date_key(as_of)])?;
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
/// no statements yet. Without `later_events` (no warning event in the book is dated after
/// `as_of`), a warning's latest event date is taken to be its raise date, which decides the
/// same and spares a look-up per warning.
fn read_loans(
    conn: &Connection,
    range: Range,
    as_of: Option<NaiveDate>,
    later_events: bool,
) -> Result<EvalChunk> {
    let mut chunk = EvalChunk::default();
    let on = date_key(as_of);
    {
        let mut stmt = conn.prepare_cached(&loans_sql(&range))?;
        let map = |r: &rusqlite::Row<'_>| {
            let status_as_of: Option<String> = r.get(7)?;
            Ok(EvalLoan {
                id: r.get(0)?,
                borrower_id: r.get(1)?,
                disbursed_on: date(r, 2)?,
                matures_on: date(r, 3)?,
                principal: dec(r, 4)?,
                outstanding: dec(r, 5)?,
                overdue_days: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                status_as_of: match status_as_of {
                    Some(_) => Some(date(r, 7)?),
                    None => None,
                },
                collateral_value: None,
                prohibited_flows: Decimal::ZERO,
                covenants: Vec::new(),
                active: Vec::new(),
            })
        };
        let rows = match &range {
            Range::After((b, i), n) => stmt.query_map(
                rusqlite::named_params! {"?1": b, "?2": i, "?3": *n as i64, "?9": on},
                map,
            )?,
            Range::One(id) => stmt.query_map(rusqlite::named_params! {"?1": id, "?9": on}, map)?,
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
    let dated = params![k0.0, k0.1, k1.0, k1.1, on];
    {
        let sql = format!(
            "SELECT loan_id, appraised_value FROM collateral WHERE appraised_on <= ?5 AND {in_range}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(dated)?;
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
        let sql = format!(
            "SELECT loan_id, amount FROM fund_flows WHERE prohibited = 1 AND paid_on <= ?5 AND {in_range}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(dated)?;
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
        // A threshold that does not read back is an error naming the covenant, never dropped.
        let threshold = |r: &rusqlite::Row<'_>, idx: usize, column: &str| {
            let text: Option<String> = r.get(idx)?;
            text.map(|t| {
                Decimal::from_str(&t).map_err(|_| {
                    let loan: i64 = r.get(0).unwrap_or_default();
                    let indicator: String = r.get(1).unwrap_or_default();
                    let row = format!("of loan {loan}, {indicator}");
                    super::warnings::corrupt(idx, "covenant", &row, column, &t)
                })
            })
            .transpose()
        };
        while let Some(r) = rows.next()? {
            if let Some(&i) = index.get(&r.get::<_, i64>(0)?) {
                chunk.loans[i].covenants.push(CovenantRow {
                    indicator: r.get(1)?,
                    yellow: threshold(r, 2, "yellow")?,
                    orange: threshold(r, 3, "orange")?,
                    red: threshold(r, 4, "red")?,
                });
            }
        }
    }
    {
        let last_on = if later_events {
            "COALESCE((SELECT MAX(e.on_date) FROM warning_events e
                       WHERE e.warning_id = warnings.id), raised_on)"
        } else {
            "raised_on"
        };
        let sql = format!(
            "SELECT loan_id, id, indicator, level, back_to_normal, status = 'dismissed', {last_on}
             FROM warnings
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
                    last_on: date(r, 6)?,
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
    /// The next chunk of active loans (outstanding > 0, disbursed by `as_of`) after `after`
    /// in (borrower, id) order, as of `as_of`, without statements, read in one read
    /// transaction so its queries see the same book.
    /// `later_events`: whether some warning event is dated after `as_of`
    /// ([`Store::events_after`]).
    pub fn loans(
        &self,
        after: Option<(i64, i64)>,
        limit: usize,
        as_of: NaiveDate,
        later_events: bool,
    ) -> Result<EvalChunk> {
        let txn = self.conn.unchecked_transaction()?;
        let chunk = read_loans(
            &txn,
            Range::After(after.unwrap_or((i64::MIN, i64::MIN)), limit),
            Some(as_of),
            later_events,
        )?;
        txn.commit()?;
        Ok(chunk)
    }

    /// Adds the statements of the chunk's borrowers whose period ended by `as_of`.
    pub fn add_statements(&self, chunk: &mut EvalChunk, as_of: NaiveDate) -> Result<()> {
        read_statements(&self.conn, chunk, Some(as_of))
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

    /// The next chunk of active loans (outstanding > 0, disbursed by `as_of`) after `after`
    /// in (borrower, id) order, as of `as_of`.
    pub fn evaluation_chunk(
        &self,
        after: Option<(i64, i64)>,
        limit: usize,
        as_of: NaiveDate,
    ) -> Result<EvalChunk> {
        read_chunk(
            self.conn(),
            Range::After(after.unwrap_or((i64::MIN, i64::MIN)), limit),
            Some(as_of),
        )
    }

    /// One loan with everything known about it, whatever its balance.
    pub fn evaluation_loan(&self, loan_id: i64) -> Result<EvalChunk> {
        read_chunk(self.conn(), Range::One(loan_id), None)
    }

    /// One loan as of `as_of` (facts dated later left out), whatever its balance, for
    /// re-evaluating it right after a change.
    pub fn evaluation_loan_as_of(&self, loan_id: i64, as_of: NaiveDate) -> Result<EvalChunk> {
        read_chunk(self.conn(), Range::One(loan_id), Some(as_of))
    }

    /// Whether any warning event is dated after `as_of` (a backdated evaluation), one scan.
    pub fn events_after(&self, as_of: NaiveDate) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM warning_events WHERE on_date > ?1)",
            [date_key(Some(as_of))],
            |r| r.get(0),
        )?)
    }

    /// Loans that have left evaluation (no outstanding balance: paid off, settled, written
    /// off) while a system warning on them is still active and not back to normal.
    pub fn evaluation_leavers(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT DISTINCT w.loan_id FROM warnings w JOIN loans l ON l.id = w.loan_id
             WHERE w.origin = 'system' AND w.status NOT IN ('resolved', 'dismissed')
               AND w.back_to_normal = 0 AND l.outstanding_fen <= 0
             ORDER BY w.loan_id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The date of the book's latest book-wide evaluation: the one recorded, or for a book
    /// evaluated before it was recorded, the latest date a system warning was raised.
    pub fn last_evaluation_on(&self) -> Result<Option<NaiveDate>> {
        if let Some(recorded) = self
            .meta(LAST_EVALUATION)?
            .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        {
            return Ok(Some(recorded));
        }
        Ok(self.conn().query_row(
            "SELECT MAX(raised_on) FROM warnings WHERE origin = 'system'",
            [],
            |r| r.get(0),
        )?)
    }
}

impl super::Tx<'_> {
    /// [`Store::evaluation_loan_as_of`] inside a write transaction: one loan as the engine
    /// sees it, so re-evaluation after a change sees the change.
    pub fn evaluation_loan_as_of(&self, loan_id: i64, as_of: NaiveDate) -> Result<EvalChunk> {
        read_chunk(self.conn(), Range::One(loan_id), Some(as_of))
    }
}
