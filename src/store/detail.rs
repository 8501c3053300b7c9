//! One loan in full: terms, borrower, collateral, statements, contacts, fund flows and
//! repayment history, as the loan detail pane and `postloan loans` need them.

use super::sqlval::{code, dec};
use super::{Result, Store};
use crate::domain::*;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use rust_decimal::Decimal;

/// A loan with its borrower, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Loan {
    pub id: i64,
    pub contract_no: String,
    pub borrower_id: i64,
    pub borrower_code: String,
    pub borrower_name: String,
    pub credit_code: String,
    pub industry: String,
    pub region: String,
    pub product: Product,
    pub purpose: String,
    pub currency: String,
    pub principal: Decimal,
    pub outstanding: Decimal,
    pub interest_rate: Decimal,
    pub disbursed_on: NaiveDate,
    pub matures_on: NaiveDate,
    pub guarantee_type: GuaranteeType,
    pub officer: String,
    pub tracking_frequency: TrackingFrequency,
    pub classification: Classification,
    /// Days past due of the latest repayment status, as stored (see [`Loan::days_past_due`]).
    pub overdue_days: i64,
    pub overdue_principal: Decimal,
    pub overdue_interest: Decimal,
    pub status_as_of: Option<NaiveDate>,
    pub last_contact_on: Option<NaiveDate>,
    pub last_statement_on: Option<NaiveDate>,
    pub next_followup_on: NaiveDate,
    pub version: i64,
}

impl Loan {
    /// Days past due on `today`: the stored repayment status's (`overdue_days`, what the
    /// latest import said), and past maturity with a balance still out at least the days
    /// since maturity ([`crate::engine::dpd_as_of`]). What the loan detail shows.
    pub fn days_past_due(&self, today: NaiveDate) -> i64 {
        crate::engine::dpd_as_of(self.overdue_days, self.outstanding, self.matures_on, today)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Collateral {
    pub kind: CollateralKind,
    pub description: String,
    pub appraised_value: Decimal,
    pub appraised_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contact {
    pub id: i64,
    pub contact_on: NaiveDate,
    pub kind: ContactKind,
    pub notes: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FundFlow {
    pub paid_on: NaiveDate,
    pub amount: Decimal,
    pub counterparty: String,
    pub sector: Sector,
    pub prohibited: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepaymentStatus {
    pub as_of: NaiveDate,
    pub overdue_days: i64,
    pub overdue_principal: Decimal,
    pub overdue_interest: Decimal,
}

/// A statement from columns 0–11: borrower code, period end, then the ten amounts in the
/// order of `StatementRecord`.
pub(super) fn statement_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatementRecord> {
    Ok(StatementRecord {
        borrower_code: r.get(0)?,
        period_end: r.get(1)?,
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
    })
}

const LOAN_COLUMNS: &str =
    "l.id, l.contract_no, l.borrower_id, b.code, l.borrower_name, b.credit_code,
    b.industry, b.region, l.product, l.purpose, l.currency, l.principal, l.outstanding,
    l.interest_rate, l.disbursed_on, l.matures_on, l.guarantee_type, l.officer,
    l.tracking_frequency, l.class_rank, l.overdue_days, l.overdue_principal, l.overdue_interest,
    l.status_as_of, l.last_contact_on, l.last_statement_on, l.next_followup_on, l.version";

fn loan_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Loan> {
    Ok(Loan {
        id: r.get(0)?,
        contract_no: r.get(1)?,
        borrower_id: r.get(2)?,
        borrower_code: r.get(3)?,
        borrower_name: r.get(4)?,
        credit_code: r.get(5)?,
        industry: r.get(6)?,
        region: r.get(7)?,
        product: code(r, 8, Product::parse)?,
        purpose: r.get(9)?,
        currency: r.get(10)?,
        principal: dec(r, 11)?,
        outstanding: dec(r, 12)?,
        interest_rate: dec(r, 13)?,
        disbursed_on: r.get(14)?,
        matures_on: r.get(15)?,
        guarantee_type: code(r, 16, GuaranteeType::parse)?,
        officer: r.get(17)?,
        tracking_frequency: code(r, 18, TrackingFrequency::parse)?,
        classification: Classification::from_rank(r.get(19)?).unwrap_or(Classification::Loss),
        overdue_days: r.get(20)?,
        overdue_principal: dec(r, 21)?,
        overdue_interest: dec(r, 22)?,
        status_as_of: r.get(23)?,
        last_contact_on: r.get(24)?,
        last_statement_on: r.get(25)?,
        next_followup_on: r.get(26)?,
        version: r.get(27)?,
    })
}

fn loan_q(conn: &rusqlite::Connection, id: i64) -> Result<Option<Loan>> {
    let sql = format!(
        "SELECT {LOAN_COLUMNS} FROM loans l JOIN borrowers b ON b.id = l.borrower_id WHERE l.id = ?1"
    );
    Ok(conn.query_row(&sql, [id], loan_from_row).optional()?)
}

fn loan_by_contract_q(conn: &rusqlite::Connection, contract_no: &str) -> Result<Option<Loan>> {
    let sql = format!(
        "SELECT {LOAN_COLUMNS} FROM loans l JOIN borrowers b ON b.id = l.borrower_id WHERE l.contract_no = ?1"
    );
    Ok(conn
        .query_row(&sql, [contract_no], loan_from_row)
        .optional()?)
}

fn loan_ids_of_borrower_q(conn: &rusqlite::Connection, borrower_code: &str) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id FROM loans l JOIN borrowers b ON b.id = l.borrower_id WHERE b.code = ?1 ORDER BY l.id",
    )?;
    let rows = stmt.query_map([borrower_code], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The same reads inside a write transaction, so a command sees what it changes.
impl super::Tx<'_> {
    pub fn loan(&self, id: i64) -> Result<Option<Loan>> {
        loan_q(self.conn(), id)
    }

    pub fn loan_by_contract(&self, contract_no: &str) -> Result<Option<Loan>> {
        loan_by_contract_q(self.conn(), contract_no)
    }

    pub fn loan_ids_of_borrower(&self, borrower_code: &str) -> Result<Vec<i64>> {
        loan_ids_of_borrower_q(self.conn(), borrower_code)
    }
}

impl Store {
    pub fn loan(&self, id: i64) -> Result<Option<Loan>> {
        loan_q(self.conn(), id)
    }

    pub fn loan_by_contract(&self, contract_no: &str) -> Result<Option<Loan>> {
        loan_by_contract_q(self.conn(), contract_no)
    }

    /// The ids of a borrower's loans.
    pub fn loan_ids_of_borrower(&self, borrower_code: &str) -> Result<Vec<i64>> {
        loan_ids_of_borrower_q(self.conn(), borrower_code)
    }

    pub fn collateral(&self, loan_id: i64) -> Result<Vec<Collateral>> {
        collateral_q(self.conn(), loan_id)
    }

    /// The borrower's statements, oldest period first, at most `limit` latest.
    pub fn statements(&self, borrower_id: i64, limit: u32) -> Result<Vec<StatementRecord>> {
        statements_q(self.conn(), borrower_id, limit)
    }

    /// The latest statement at or before `date` (the one "at disbursement").
    pub fn statement_at(
        &self,
        borrower_id: i64,
        date: NaiveDate,
    ) -> Result<Option<StatementRecord>> {
        let all = self.statements(borrower_id, 400)?;
        Ok(all.into_iter().rev().find(|s| s.period_end <= date))
    }

    /// Contacts, newest first.
    pub fn contacts(&self, loan_id: i64, limit: u32) -> Result<Vec<Contact>> {
        contacts_q(self.conn(), loan_id, limit)
    }

    pub fn fund_flows(&self, loan_id: i64, limit: u32) -> Result<Vec<FundFlow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT paid_on, amount, counterparty, sector, prohibited FROM fund_flows
             WHERE loan_id = ?1 ORDER BY paid_on, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![loan_id, limit], |r| {
            Ok(FundFlow {
                paid_on: r.get(0)?,
                amount: dec(r, 1)?,
                counterparty: r.get(2)?,
                sector: code(r, 3, Sector::parse)?,
                prohibited: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Repayment snapshots, newest first.
    pub fn repayment_history(&self, loan_id: i64, limit: u32) -> Result<Vec<RepaymentStatus>> {
        repayment_history_q(self.conn(), loan_id, limit)
    }

    /// Rows `offset..offset + limit` of a loan's contacts, newest first (the detail's
    /// Contacts tab reads one screen at a time).
    pub fn contacts_page(&self, loan_id: i64, offset: u64, limit: usize) -> Result<Vec<Contact>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, contact_on, kind, notes, created_by FROM contacts
             WHERE loan_id = ?1 ORDER BY contact_on DESC, id DESC LIMIT ?2 OFFSET ?3",
        )?;
        let (limit, offset) = (limit as i64, i64::try_from(offset).unwrap_or(i64::MAX));
        let rows = stmt.query_map(rusqlite::params![loan_id, limit, offset], |r| {
            Ok(Contact {
                id: r.get(0)?,
                contact_on: r.get(1)?,
                kind: code(r, 2, ContactKind::parse)?,
                notes: r.get(3)?,
                created_by: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn contact_count(&self, loan_id: i64) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM contacts WHERE loan_id = ?1",
            [loan_id],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Rows `offset..offset + limit` of a loan's fund flows, oldest first.
    pub fn fund_flows_page(
        &self,
        loan_id: i64,
        offset: u64,
        limit: usize,
    ) -> Result<Vec<FundFlow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT paid_on, amount, counterparty, sector, prohibited FROM fund_flows
             WHERE loan_id = ?1 ORDER BY paid_on, id LIMIT ?2 OFFSET ?3",
        )?;
        let (limit, offset) = (limit as i64, i64::try_from(offset).unwrap_or(i64::MAX));
        let rows = stmt.query_map(rusqlite::params![loan_id, limit, offset], |r| {
            Ok(FundFlow {
                paid_on: r.get(0)?,
                amount: dec(r, 1)?,
                counterparty: r.get(2)?,
                sector: code(r, 3, Sector::parse)?,
                prohibited: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn fund_flow_count(&self, loan_id: i64) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM fund_flows WHERE loan_id = ?1",
            [loan_id],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Every loan of the book in contract order, `batch` rows at a time, for exports: the
    /// callback sees each loan once and nothing is held beyond one batch.
    pub fn for_each_loan(
        &self,
        q: &super::LedgerQuery,
        limit: Option<u64>,
        mut f: impl FnMut(&super::LoanRow) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>> {
        let mut from = super::PageFrom::Start;
        let mut seen = 0u64;
        loop {
            let batch = 2000usize.min(limit.map_or(usize::MAX, |l| (l - seen) as usize));
            if batch == 0 {
                return Ok(Ok(()));
            }
            let rows = self.ledger_page(q, &from, batch)?;
            for row in &rows {
                if let Err(e) = f(row) {
                    return Ok(Err(e));
                }
            }
            seen += rows.len() as u64;
            match rows.last() {
                Some(last) if rows.len() == batch => from = super::PageFrom::After(last.key()),
                _ => return Ok(Ok(())),
            }
        }
    }
}

pub(super) fn collateral_q(conn: &rusqlite::Connection, loan_id: i64) -> Result<Vec<Collateral>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, description, appraised_value, appraised_on FROM collateral
         WHERE loan_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([loan_id], |r| {
        Ok(Collateral {
            kind: code(r, 0, CollateralKind::parse)?,
            description: r.get(1)?,
            appraised_value: dec(r, 2)?,
            appraised_on: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn statements_q(
    conn: &rusqlite::Connection,
    borrower_id: i64,
    limit: u32,
) -> Result<Vec<StatementRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM (
            SELECT b.code, s.period_end, s.total_assets, s.total_liabilities, s.current_assets,
                   s.current_liabilities, s.inventory, s.revenue, s.ebit, s.interest_expense,
                   s.net_profit, s.operating_cash_flow
            FROM financial_statements s JOIN borrowers b ON b.id = s.borrower_id
            WHERE s.borrower_id = ?1 ORDER BY s.period_end DESC LIMIT ?2
         ) ORDER BY period_end",
    )?;
    let rows = stmt.query_map(rusqlite::params![borrower_id, limit], statement_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn contacts_q(
    conn: &rusqlite::Connection,
    loan_id: i64,
    limit: u32,
) -> Result<Vec<Contact>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, contact_on, kind, notes, created_by FROM contacts
         WHERE loan_id = ?1 ORDER BY contact_on DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![loan_id, limit], |r| {
        Ok(Contact {
            id: r.get(0)?,
            contact_on: r.get(1)?,
            kind: code(r, 2, ContactKind::parse)?,
            notes: r.get(3)?,
            created_by: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn repayment_history_q(
    conn: &rusqlite::Connection,
    loan_id: i64,
    limit: u32,
) -> Result<Vec<RepaymentStatus>> {
    let mut stmt = conn.prepare_cached(
        "SELECT as_of, overdue_days, overdue_principal, overdue_interest FROM repayment_status
         WHERE loan_id = ?1 ORDER BY as_of DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![loan_id, limit], |r| {
        Ok(RepaymentStatus {
            as_of: r.get(0)?,
            overdue_days: r.get(1)?,
            overdue_principal: dec(r, 2)?,
            overdue_interest: dec(r, 3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
