//! What the warning engine reads, a chunk of loans at a time in (borrower, loan) order: each
//! loan's terms, its borrower's statements, collateral, prohibited flows, covenants and the
//! system warnings already active — five range queries per chunk, nothing held beyond it.

use super::sqlval::{code, dec};
use super::{Result, Store};
use crate::domain::StatementRecord;
use crate::domain::warning::Level;
use chrono::NaiveDate;
use rusqlite::{Connection, params};
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

fn read_chunk(conn: &Connection, range: Range) -> Result<EvalChunk> {
    let mut chunk = EvalChunk::default();
    {
        let mut stmt = conn.prepare_cached(loans_sql(&range))?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(EvalLoan {
                id: r.get(0)?,
                borrower_id: r.get(1)?,
                disbursed_on: r.get(2)?,
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
    let (b0, b1) = (first.borrower_id, last.borrower_id);
    let (k0, k1) = ((first.borrower_id, first.id), (last.borrower_id, last.id));
    let index: HashMap<i64, usize> = chunk
        .loans
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id, i))
        .collect();
    // Child rows of the loans in this key range.
    let in_range = "loan_id IN (SELECT id FROM loans WHERE (borrower_id, id) >= (?1, ?2) AND (borrower_id, id) <= (?3, ?4))";
    {
        let mut stmt = conn.prepare_cached(
            "SELECT b.code, s.period_end, s.total_assets, s.total_liabilities, s.current_assets,
                    s.current_liabilities, s.inventory, s.revenue, s.ebit, s.interest_expense,
                    s.net_profit, s.operating_cash_flow, s.borrower_id
             FROM financial_statements s JOIN borrowers b ON b.id = s.borrower_id
             WHERE s.borrower_id BETWEEN ?1 AND ?2 ORDER BY s.borrower_id, s.period_end",
        )?;
        let rows = stmt.query_map(params![b0, b1], |r| {
            Ok((r.get::<_, i64>(12)?, super::detail::statement_from_row(r)?))
        })?;
        for r in rows {
            let (b, s) = r?;
            chunk.statements.entry(b).or_default().push(s);
        }
    }
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

impl Store {
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
