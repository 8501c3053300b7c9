//! Classification in the book: what the floors read (a chunk of borrowers' loans at a time),
//! proposals and their decisions, the append-only history, restructurings, impairments and
//! the balance history; paged reads for the CLI and the classification pane.

use super::sqlval::{code, date, dec};
use super::{Result, Store, Tx};
use crate::domain::Classification;
use crate::domain::classification::Floor;
pub use crate::engine::classify::{ClassifyLoan, FloorSignals, OpenFloorProposal};
use crate::engine::migration::{LoanAtDates, Migration};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

/// A proposal to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal<'a> {
    pub loan_id: i64,
    pub from: Classification,
    pub to: Classification,
    pub basis: &'a str,
    pub basis_ref: &'a str,
    pub reason: &'a str,
    pub floor: Option<Floor>,
    pub effective_on: NaiveDate,
    /// The book's date it is made on (its age counts from this).
    pub proposed_on: NaiveDate,
    pub proposer: &'a str,
}

/// A proposal as a decision reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalState {
    pub id: i64,
    pub loan_id: i64,
    pub contract_no: String,
    pub borrower_id: i64,
    pub loan_class: Classification,
    pub loan_version: i64,
    pub disbursed_on: NaiveDate,
    pub matures_on: NaiveDate,
    pub outstanding: Decimal,
    pub to: Classification,
    pub basis: String,
    pub basis_ref: String,
    pub reason: String,
    pub effective_on: NaiveDate,
    pub status: String,
    pub proposer: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// A loan found by its contract number, with what a proposal needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassLoan {
    pub id: i64,
    pub contract_no: String,
    pub borrower_id: i64,
    pub class: Classification,
    pub disbursed_on: NaiveDate,
    pub matures_on: NaiveDate,
    pub outstanding: Decimal,
}

/// A history entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHistory<'a> {
    pub loan_id: i64,
    pub from: Classification,
    pub to: Classification,
    pub effective_on: NaiveDate,
    pub reason: &'a str,
    pub basis: &'a str,
    pub basis_ref: &'a str,
    pub proposal_id: Option<i64>,
    pub proposer: &'a str,
    pub approver: &'a str,
    pub floor: Option<Floor>,
}

/// One row of the classification list: a proposal with its loan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClassificationRow {
    pub proposal_id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    pub current: String,
    pub proposed: String,
    pub floor: Option<String>,
    pub floor_reason: Option<String>,
    pub floor_value: Option<String>,
    pub floor_limit: Option<String>,
    pub basis: String,
    pub basis_ref: String,
    pub reason: String,
    pub effective_on: String,
    pub status: String,
    pub proposer: String,
    pub created_at: String,
    pub version: i64,
}

/// Which proposals a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassificationQuery {
    /// Only pending ones.
    pub pending: bool,
    /// Only the loans below their floor: the pending floor proposals.
    pub below_floor: bool,
    /// Only loans of this officer.
    pub officer: Option<String>,
    /// Only the pending ones this reviewer may decide (as the pane's "mine to decide").
    pub decidable_by: Option<super::Decider>,
}

/// One entry of a loan's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryRow {
    pub from: String,
    pub to: String,
    pub effective_on: String,
    pub reason: String,
    pub basis: String,
    pub basis_ref: String,
    pub proposer: String,
    pub approver: String,
    pub decided_at: String,
    pub floor: Option<String>,
    pub floor_reason: Option<String>,
    pub floor_value: Option<String>,
    pub floor_limit: Option<String>,
}

/// The repayment facts an upgrade looks at: status rows oldest first (as of, days past due,
/// overdue principal + interest).
pub type RepaymentTrail = Vec<(NaiveDate, i64, Decimal)>;

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn class_at(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Classification> {
    code(r, idx, Classification::parse)
}

/// The loans of borrowers after `after` (up to about `limit` loans, whole borrowers), with a
/// balance and disbursed by `as_of`, in (borrower, id) order; and the last borrower read.
fn read_chunk(
    conn: &Connection,
    after: i64,
    limit: usize,
    as_of: NaiveDate,
) -> Result<(Vec<ClassifyLoan>, Option<i64>)> {
    let hi: Option<i64> = conn
        .prepare_cached(
            "SELECT borrower_id FROM loans WHERE borrower_id > ?1 ORDER BY borrower_id
             LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![after, limit as i64], |r| r.get(0))
        .optional()?;
    let hi = hi.unwrap_or(i64::MAX);
    let on = day(as_of);
    let mut stmt = conn.prepare_cached(
        "SELECT id, borrower_id, disbursed_on, matures_on, class_rank, outstanding, overdue_days,
            status_as_of IS NOT NULL AND status_as_of > ?3
         FROM loans
         WHERE borrower_id > ?1 AND borrower_id <= ?2 AND outstanding_fen > 0 AND disbursed_on <= ?3
         ORDER BY borrower_id, id",
    )?;
    // A loan whose latest status is after the date (a back-dated run) reads its status on
    // the date from the history below, for the whole chunk at once.
    let mut back_dated: Vec<(i64, usize)> = Vec::new();
    let mut loans: Vec<ClassifyLoan> = Vec::with_capacity(limit);
    let mut rows = stmt.query(params![after, hi, on])?;
    while let Some(r) = rows.next()? {
        let mut dpd: Option<i64> = r.get(6)?;
        if r.get::<_, bool>(7)? {
            back_dated.push((r.get(0)?, loans.len()));
            // None on the date unless the history has one.
            dpd = None;
        }
        loans.push(ClassifyLoan {
            id: r.get(0)?,
            borrower_id: r.get(1)?,
            disbursed_on: date(r, 2)?,
            matures_on: date(r, 3)?,
            class: Classification::from_rank(r.get(4)?).unwrap_or(Classification::Loss),
            outstanding: dec(r, 5)?,
            status_dpd: dpd.unwrap_or(0),
        });
    }
    dpd_on(conn, &mut back_dated, &mut loans, &on)?;
    let last = if hi == i64::MAX { None } else { Some(hi) };
    Ok((loans, last))
}

/// Sets `status_dpd` of the `back_dated` loans (id, index in `loans`) to the days past due of
/// their latest repayment status on or before `on` (0 without one). One ordered range scan
/// of the status history over the chunk's loan ids when they lie close together (as loans
/// of neighbouring borrowers usually do); else one index probe per loan, in id order. Either
/// way in loan order, so the pages are read once each rather than at random.
fn dpd_on(
    conn: &Connection,
    back_dated: &mut [(i64, usize)],
    loans: &mut [ClassifyLoan],
    on: &str,
) -> Result<()> {
    let (Some(first), Some(last)) = (
        back_dated.iter().map(|(id, _)| *id).min(),
        back_dated.iter().map(|(id, _)| *id).max(),
    ) else {
        return Ok(());
    };
    back_dated.sort_unstable();
    let span = u64::try_from(last - first).unwrap_or(u64::MAX);
    if span <= 4 * back_dated.len() as u64 + 64 {
        let mut stmt = conn.prepare_cached(
            "SELECT loan_id, overdue_days FROM repayment_status
             WHERE loan_id >= ?1 AND loan_id <= ?2 AND as_of <= ?3 ORDER BY loan_id, as_of",
        )?;
        let mut rows = stmt.query(params![first, last, on])?;
        let mut next = back_dated.iter().peekable();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            while next.peek().is_some_and(|(want, _)| *want < id) {
                next.next();
            }
            if let Some((want, i)) = next.peek()
                && *want == id
                && let Some(l) = loans.get_mut(*i)
            {
                // Ascending dates: the last row of a loan is its status on the date.
                l.status_dpd = r.get(1)?;
            }
        }
    } else {
        let mut stmt = conn.prepare_cached(
            "SELECT overdue_days FROM repayment_status WHERE loan_id = ?1 AND as_of <= ?2
             ORDER BY as_of DESC LIMIT 1",
        )?;
        for (id, i) in back_dated.iter() {
            let dpd: Option<i64> = stmt.query_row(params![id, on], |r| r.get(0)).optional()?;
            if let Some(l) = loans.get_mut(*i) {
                l.status_dpd = dpd.unwrap_or(0);
            }
        }
    }
    Ok(())
}

fn read_signals(conn: &Connection, as_of: NaiveDate, loan: Option<&[i64]>) -> Result<FloorSignals> {
    let on = day(as_of);
    let mut s = FloorSignals::default();
    let only = |id: i64| loan.is_none_or(|ids| ids.contains(&id));
    {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT loan_id FROM warnings WHERE indicator = 'fund_diversion'
             AND status NOT IN ('resolved', 'dismissed') AND raised_on <= ?1",
        )?;
        for id in stmt.query_map([&on], |r| r.get::<_, i64>(0))? {
            let id = id?;
            if only(id) {
                s.diversion.insert(id);
            }
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT loan_id FROM loan_impairments WHERE on_date <= ?1
                 AND (cleared_on IS NULL OR cleared_on > ?1)",
        )?;
        for id in stmt.query_map([&on], |r| r.get::<_, i64>(0))? {
            let id = id?;
            if only(id) {
                s.impaired.insert(id);
            }
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT loan_id, MAX(on_date) FROM loan_restructurings WHERE on_date <= ?1 GROUP BY loan_id",
        )?;
        let rows: Vec<(i64, NaiveDate)> = stmt
            .query_map([&on], |r| Ok((r.get(0)?, date(r, 1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut missed = conn.prepare_cached(
            "SELECT as_of, overdue_days FROM repayment_status
             WHERE loan_id = ?1 AND as_of >= ?2 AND as_of <= ?3 AND overdue_days > 0",
        )?;
        for (id, since) in rows {
            if !only(id) {
                continue;
            }
            let dates: Vec<NaiveDate> = missed
                .query_map(params![id, day(since), on], |r| {
                    Ok((date(r, 0)?, r.get::<_, i64>(1)?))
                })?
                .filter_map(|x| x.ok())
                .filter_map(|(d, n)| d.checked_sub_days(chrono::Days::new(n.max(0) as u64)))
                .collect();
            s.restructured.insert(id, (since, dates));
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, loan_id, to_class, COALESCE(floor_reason, ''), COALESCE(floor_value, ''),
                    COALESCE(floor_limit, '')
             FROM classification_proposals WHERE status = 'pending' AND basis = 'floor'",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let loan_id: i64 = r.get(1)?;
            if !only(loan_id) {
                continue;
            }
            s.open.insert(
                loan_id,
                OpenFloorProposal {
                    id: r.get(0)?,
                    to_class: class_at(r, 2)?,
                    floor_reason: r.get(3)?,
                    floor_value: r.get(4)?,
                    floor_limit: r.get(5)?,
                },
            );
        }
    }
    Ok(s)
}

fn borrower_loans(
    conn: &Connection,
    borrower_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<ClassifyLoan>> {
    // The chunk read of one borrower: borrowers in (id - 1, id].
    let on = day(as_of);
    let mut stmt = conn.prepare_cached(
        "SELECT id, borrower_id, disbursed_on, matures_on, class_rank, outstanding,
            CASE WHEN status_as_of IS NULL OR status_as_of <= ?2 THEN overdue_days
                 ELSE (SELECT r.overdue_days FROM repayment_status r
                       WHERE r.loan_id = loans.id AND r.as_of <= ?2 ORDER BY r.as_of DESC LIMIT 1) END
         FROM loans
         WHERE borrower_id = ?1 AND outstanding_fen > 0 AND disbursed_on <= ?2
         ORDER BY id",
    )?;
    let rows = stmt.query_map(params![borrower_id, on], |r| {
        Ok(ClassifyLoan {
            id: r.get(0)?,
            borrower_id: r.get(1)?,
            disbursed_on: date(r, 2)?,
            matures_on: date(r, 3)?,
            class: Classification::from_rank(r.get(4)?).unwrap_or(Classification::Loss),
            outstanding: dec(r, 5)?,
            status_dpd: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const PROPOSAL_STATE: &str =
    "SELECT p.id, p.loan_id, l.contract_no, l.borrower_id, l.class_rank, l.version,
        l.disbursed_on, l.matures_on, l.outstanding, p.to_class, p.basis, p.basis_ref, p.reason,
        p.effective_on, p.status, p.proposer, p.version, p.updated_by, p.updated_at
     FROM classification_proposals p JOIN loans l ON l.id = p.loan_id WHERE p.id = ?1";

fn proposal_state(conn: &Connection, id: i64) -> Result<Option<ProposalState>> {
    Ok(conn
        .prepare_cached(PROPOSAL_STATE)?
        .query_row([id], |r| {
            Ok(ProposalState {
                id: r.get(0)?,
                loan_id: r.get(1)?,
                contract_no: r.get(2)?,
                borrower_id: r.get(3)?,
                loan_class: Classification::from_rank(r.get(4)?).unwrap_or(Classification::Loss),
                loan_version: r.get(5)?,
                disbursed_on: date(r, 6)?,
                matures_on: date(r, 7)?,
                outstanding: dec(r, 8)?,
                to: class_at(r, 9)?,
                basis: r.get(10)?,
                basis_ref: r.get(11)?,
                reason: r.get(12)?,
                effective_on: date(r, 13)?,
                status: r.get(14)?,
                proposer: r.get(15)?,
                version: r.get(16)?,
                updated_by: r.get(17)?,
                updated_at: r.get(18)?,
            })
        })
        .optional()?)
}

fn class_loan(conn: &Connection, contract_no: &str) -> Result<Option<ClassLoan>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, contract_no, borrower_id, class_rank, disbursed_on, matures_on, outstanding
             FROM loans WHERE contract_no = ?1",
        )?
        .query_row([contract_no.trim()], |r| {
            Ok(ClassLoan {
                id: r.get(0)?,
                contract_no: r.get(1)?,
                borrower_id: r.get(2)?,
                class: Classification::from_rank(r.get(3)?).unwrap_or(Classification::Loss),
                disbursed_on: date(r, 4)?,
                matures_on: date(r, 5)?,
                outstanding: dec(r, 6)?,
            })
        })
        .optional()?)
}

fn floor_parts(
    floor: Option<Floor>,
) -> (
    Option<&'static str>,
    Option<&'static str>,
    Option<String>,
    Option<String>,
) {
    match floor {
        Some(f) => {
            let (v, l) = f.reason.value_and_limit();
            (
                Some(f.at_least.code()),
                Some(f.reason.code()),
                Some(v),
                Some(l),
            )
        }
        None => (None, None, None, None),
    }
}

impl Store {
    /// The loan under a contract number, for a proposal or a history.
    pub fn class_loan(&self, contract_no: &str) -> Result<Option<ClassLoan>> {
        class_loan(self.conn(), contract_no)
    }

    /// Whether the loan has a pending proposal.
    pub fn has_pending(&self, loan_id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM classification_proposals
                 WHERE loan_id = ?1 AND status = 'pending')",
            )?
            .query_row([loan_id], |r| r.get(0))?)
    }

    /// The officer of a loan.
    pub fn loan_officer(&self, loan_id: i64) -> Result<String> {
        Ok(self
            .conn()
            .prepare_cached("SELECT officer FROM loans WHERE id = ?1")?
            .query_row([loan_id], |r| r.get(0))?)
    }

    /// A page of proposals with their loans, in id order, after `from` (a proposal id).
    pub fn classification_page(
        &self,
        q: &ClassificationQuery,
        from: Option<i64>,
        limit: usize,
    ) -> Result<Vec<ClassificationRow>> {
        let mut p: Vec<Box<dyn rusqlite::ToSql>> =
            vec![Box::new(from.unwrap_or(0)), Box::new(limit as i64)];
        let mut conds = vec!["p.id > ?1".to_string()];
        if q.pending || q.below_floor || q.decidable_by.is_some() {
            conds.push("p.status = 'pending'".into());
        }
        if q.below_floor {
            conds.push("p.basis = 'floor'".into());
        }
        if let Some(o) = &q.officer {
            p.push(Box::new(o.clone()));
            conds.push(format!("l.officer = ?{}", p.len()));
        }
        if let Some(d) = &q.decidable_by {
            p.push(Box::new(d.user.clone()));
            conds.push(super::classification_pane::decidable(d.role, p.len()));
        }
        let sql = format!(
            "SELECT p.id, l.contract_no, l.borrower_name, l.officer, l.classification, p.to_class,
                    p.floor_class, p.floor_reason, p.floor_value, p.floor_limit, p.basis, p.basis_ref,
                    p.reason, p.effective_on, p.status, p.proposer, p.created_at, p.version
             FROM classification_proposals p JOIN loans l ON l.id = p.loan_id
             WHERE {} ORDER BY p.id LIMIT ?2",
            conds.join(" AND ")
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok(ClassificationRow {
                proposal_id: r.get(0)?,
                contract_no: r.get(1)?,
                borrower_name: r.get(2)?,
                officer: r.get(3)?,
                current: r.get(4)?,
                proposed: r.get(5)?,
                floor: r.get(6)?,
                floor_reason: r.get(7)?,
                floor_value: r.get(8)?,
                floor_limit: r.get(9)?,
                basis: r.get(10)?,
                basis_ref: r.get(11)?,
                reason: r.get(12)?,
                effective_on: r.get(13)?,
                status: r.get(14)?,
                proposer: r.get(15)?,
                created_at: r.get(16)?,
                version: r.get(17)?,
            })
        };
        let rows = stmt.query_map(rusqlite::params_from_iter(p.iter()), map)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A loan's classification history, oldest first.
    pub fn classification_history(&self, loan_id: i64) -> Result<Vec<HistoryRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT from_class, to_class, effective_on, reason, basis, basis_ref, proposer, approver,
                    decided_at, floor_class, floor_reason, floor_value, floor_limit
             FROM classification_history WHERE loan_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([loan_id], |r| {
            Ok(HistoryRow {
                from: r.get(0)?,
                to: r.get(1)?,
                effective_on: r.get(2)?,
                reason: r.get(3)?,
                basis: r.get(4)?,
                basis_ref: r.get(5)?,
                proposer: r.get(6)?,
                approver: r.get(7)?,
                decided_at: r.get(8)?,
                floor: r.get(9)?,
                floor_reason: r.get(10)?,
                floor_value: r.get(11)?,
                floor_limit: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The migration figures from `from` to `to` (matrix, rates, NPL ratios), in one pass.
    pub fn migration(&self, from: NaiveDate, to: NaiveDate) -> Result<Migration> {
        let mut m = Migration::default();
        self.loans_at_dates(from, to, |l| m.add(l))?;
        Ok(m)
    }

    /// Every loan disbursed by `to` with its class and balance at `from` and at `to`, streamed
    /// into `each`; how many loans. Three ordered scans merged by loan id (loans, the
    /// history, the balance history), so nothing is looked up per loan and nothing beyond
    /// one loan's entries is held. A class at a date is the latest decision effective by
    /// then, else the class before the first later decision, else today's; a balance is the
    /// latest recorded by then, else the first recorded later, else today's (a loan with no
    /// balance history); none before disbursement.
    pub fn loans_at_dates(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        mut each: impl FnMut(&LoanAtDates),
    ) -> Result<u64> {
        self.loans_on_dates(&[from, to], |at| {
            each(&LoanAtDates {
                from: at.first().copied().flatten(),
                to: at.get(1).copied().flatten(),
            })
        })
    }

    /// [`Store::loans_at_dates`] on any number of dates: every loan disbursed by the latest
    /// of `dates`, with its (class, balance) on each date in `dates`' order (None before
    /// disbursement), streamed into `each`; how many loans. The same three merged scans.
    pub fn loans_on_dates(
        &self,
        dates: &[NaiveDate],
        mut each: impl FnMut(&[Option<(Classification, Decimal)>]),
    ) -> Result<u64> {
        let Some(last) = dates.iter().max().copied() else {
            return Ok(0);
        };
        let mut at_dates: Vec<Option<(Classification, Decimal)>> = Vec::with_capacity(dates.len());
        let conn = self.conn();
        let mut loans = conn.prepare_cached(
            "SELECT id, class_rank, outstanding, disbursed_on FROM loans
             WHERE disbursed_on <= ?1 ORDER BY id",
        )?;
        let mut hist = conn.prepare_cached(
            "SELECT loan_id, effective_on, from_class, to_class FROM classification_history
             ORDER BY loan_id, id",
        )?;
        let mut bals = conn.prepare_cached(
            "SELECT loan_id, on_date, outstanding FROM loan_balances ORDER BY loan_id, on_date",
        )?;
        let mut loan_rows = loans.query([day(last)])?;
        let mut hist_rows = hist.query([])?;
        let mut bal_rows = bals.query([])?;
        type Entry = (i64, NaiveDate, Classification, Classification);
        let next_hist = |rows: &mut rusqlite::Rows<'_>| -> rusqlite::Result<Option<Entry>> {
            rows.next()?
                .map(|r| Ok((r.get(0)?, date(r, 1)?, class_at(r, 2)?, class_at(r, 3)?)))
                .transpose()
        };
        let next_bal =
            |rows: &mut rusqlite::Rows<'_>| -> rusqlite::Result<Option<(i64, NaiveDate, Decimal)>> {
                rows.next()?
                    .map(|r| Ok((r.get(0)?, date(r, 1)?, dec(r, 2)?)))
                    .transpose()
            };
        let mut h = next_hist(&mut hist_rows)?;
        let mut b = next_bal(&mut bal_rows)?;
        let mut mine_h: Vec<(NaiveDate, Classification, Classification)> = Vec::new();
        let mut mine_b: Vec<(NaiveDate, Decimal)> = Vec::new();
        let mut n = 0u64;
        while let Some(r) = loan_rows.next()? {
            let id: i64 = r.get(0)?;
            let now = Classification::from_rank(r.get(1)?).unwrap_or(Classification::Loss);
            let outstanding = dec(r, 2)?;
            let disbursed = date(r, 3)?;
            mine_h.clear();
            mine_b.clear();
            while let Some((lid, on, f, t)) = h {
                if lid > id {
                    break;
                }
                if lid == id {
                    mine_h.push((on, f, t));
                }
                h = next_hist(&mut hist_rows)?;
            }
            while let Some((lid, on, amount)) = b {
                if lid > id {
                    break;
                }
                if lid == id {
                    mine_b.push((on, amount));
                }
                b = next_bal(&mut bal_rows)?;
            }
            // Decisions in effective order; equal dates keep their decision order.
            mine_h.sort_by_key(|(on, _, _)| *on);
            let class_on = |d: NaiveDate| {
                mine_h
                    .iter()
                    .rev()
                    .find(|(on, _, _)| *on <= d)
                    .map(|(_, _, t)| *t)
                    .or_else(|| mine_h.iter().find(|(on, _, _)| *on > d).map(|(_, f, _)| *f))
                    .unwrap_or(now)
            };
            let balance_on = |d: NaiveDate| {
                mine_b
                    .iter()
                    .rev()
                    .find(|(on, _)| *on <= d)
                    .or_else(|| mine_b.iter().find(|(on, _)| *on > d))
                    .map_or(outstanding, |(_, a)| *a)
            };
            let at = |d: NaiveDate| (disbursed <= d).then(|| (class_on(d), balance_on(d)));
            at_dates.clear();
            at_dates.extend(dates.iter().map(|d| at(*d)));
            each(&at_dates);
            n += 1;
        }
        Ok(n)
    }

    /// A loan's balance history (date, outstanding), oldest first.
    pub fn loan_balances(&self, loan_id: i64) -> Result<Vec<(NaiveDate, Decimal)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT on_date, outstanding FROM loan_balances WHERE loan_id = ?1 ORDER BY on_date",
        )?;
        let rows = stmt.query_map([loan_id], |r| Ok((date(r, 0)?, dec(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_> {
    /// The facts of the floors that only a few loans have, for a run on `as_of`.
    pub fn floor_signals(&self, as_of: NaiveDate) -> Result<FloorSignals> {
        read_signals(self.conn(), as_of, None)
    }

    /// The same, for the loans listed only (one borrower's, for a single decision).
    pub fn floor_signals_of(&self, as_of: NaiveDate, loans: &[i64]) -> Result<FloorSignals> {
        read_signals(self.conn(), as_of, Some(loans))
    }

    /// The loans of whole borrowers after borrower `after`, about `limit` loans; the last
    /// borrower read (None at the end of the book).
    pub fn classify_chunk(
        &self,
        after: i64,
        limit: usize,
        as_of: NaiveDate,
    ) -> Result<(Vec<ClassifyLoan>, Option<i64>)> {
        read_chunk(self.conn(), after, limit, as_of)
    }

    /// One borrower's loans with a balance, as the floors read them.
    pub fn borrower_loans(&self, borrower_id: i64, as_of: NaiveDate) -> Result<Vec<ClassifyLoan>> {
        borrower_loans(self.conn(), borrower_id, as_of)
    }

    pub fn class_loan(&self, contract_no: &str) -> Result<Option<ClassLoan>> {
        class_loan(self.conn(), contract_no)
    }

    /// The contract number of a loan.
    pub fn contract_of(&self, loan_id: i64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT contract_no FROM loans WHERE id = ?1")?
            .query_row([loan_id], |r| r.get(0))
            .optional()?)
    }

    /// The instant a document of this transaction is dated: now, on the book's day. A demo
    /// book lives on its own date (`demo --as-of`), so its documents carry that day (at the
    /// current local time of day) and are listed and kept from it; in a real book that is
    /// simply now. Audit rows and `updated_at` keep the wall clock: they record when the
    /// write happened, not the business day.
    pub fn document_at(&self) -> Result<String> {
        use chrono::TimeZone;
        let day = self.book_today()?;
        let local = chrono::Local::now();
        if day == local.date_naive() {
            return Ok(self.now().to_string());
        }
        let at = day.and_time(local.time());
        let utc = chrono::Local
            .from_local_datetime(&at)
            .earliest()
            .map_or_else(|| at.and_utc(), |t| t.with_timezone(&chrono::Utc));
        Ok(utc.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    /// The book's today as a transaction sees it: a demo book's own date, else the calendar.
    pub fn book_today(&self) -> Result<NaiveDate> {
        let demo: Option<String> = self
            .conn()
            .query_row(
                "SELECT value FROM meta WHERE key = 'demo_as_of'
                 AND EXISTS (SELECT 1 FROM meta WHERE key = 'demo' AND value = '1')",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(demo
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| chrono::Local::now().date_naive()))
    }

    /// Whether a warning with this number exists (a proposal's basis).
    pub fn warning_number_exists(&self, number: &str) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM warnings WHERE number = ?1)")?
            .query_row([number.trim()], |r| r.get(0))?)
    }

    /// Whether the loan has an impairment recorded and not cleared (whatever its dates).
    pub fn is_impaired(&self, loan_id: i64) -> Result<bool> {
        Ok(self.open_impairment(loan_id)?.is_some())
    }

    /// The date of the loan's latest impairment not cleared, if any.
    pub fn open_impairment(&self, loan_id: i64) -> Result<Option<NaiveDate>> {
        let on: Option<String> = self
            .conn()
            .prepare_cached(
                "SELECT MAX(on_date) FROM loan_impairments
                 WHERE loan_id = ?1 AND cleared_on IS NULL",
            )?
            .query_row([loan_id], |r| r.get(0))?;
        Ok(on.and_then(|d| d.parse().ok()))
    }

    /// Clears the loan's impairments not yet cleared, from `on` (the rows stay, saying when
    /// it ended, why and who); how many.
    pub fn clear_impairment(
        &mut self,
        loan_id: i64,
        on: NaiveDate,
        reason: &str,
        by: &str,
    ) -> Result<usize> {
        let now = self.now().to_string();
        Ok(self
            .conn()
            .prepare_cached(
                "UPDATE loan_impairments SET cleared_on = ?2, cleared_reason = ?3,
                 cleared_by = ?4, cleared_at = ?5
                 WHERE loan_id = ?1 AND cleared_on IS NULL AND on_date <= ?2",
            )?
            .execute(params![loan_id, day(on), reason, by, now])?)
    }

    pub fn proposal_state(&self, id: i64) -> Result<Option<ProposalState>> {
        proposal_state(self.conn(), id)
    }

    /// Writes a pending proposal; its id.
    pub fn insert_proposal(&mut self, p: &NewProposal<'_>) -> Result<i64> {
        let (fc, fr, fv, fl) = floor_parts(p.floor);
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO classification_proposals (loan_id, from_class, to_class, to_rank, basis,
                 basis_ref, reason, floor_class, floor_reason, floor_value, floor_limit, effective_on,
                 proposer, created_at, updated_at, updated_by, proposed_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?13, ?15)",
            )?
            .execute(params![
                p.loan_id,
                p.from.code(),
                p.to.code(),
                p.to.rank(),
                p.basis,
                p.basis_ref,
                p.reason,
                fc,
                fr,
                fv,
                fl,
                day(p.effective_on),
                p.proposer,
                now,
                day(p.proposed_on)
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Moves a pending floor proposal to a new floor (its class and reason).
    pub fn update_floor_proposal(
        &mut self,
        id: i64,
        floor: Floor,
        effective_on: NaiveDate,
        actor: &str,
    ) -> Result<()> {
        let (fc, fr, fv, fl) = floor_parts(Some(floor));
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE classification_proposals SET to_class = ?2, to_rank = ?3, floor_class = ?4,
                 floor_reason = ?5, floor_value = ?6, floor_limit = ?7, effective_on = ?8,
                 updated_at = ?9, updated_by = ?10, version = version + 1
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![
                id,
                floor.at_least.code(),
                floor.at_least.rank(),
                fc,
                fr,
                fv,
                fl,
                day(effective_on),
                now,
                actor
            ])?;
        Ok(())
    }

    /// Closes a pending proposal: `approved`, `rejected` or `superseded` (never deleted).
    pub fn decide_proposal(
        &mut self,
        id: i64,
        status: &str,
        by: &str,
        comment: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE classification_proposals SET status = ?2, decided_by = ?3, decided_at = ?4,
                 comment = ?5, updated_at = ?4, updated_by = ?3, version = version + 1
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, status, by, now, comment])?;
        Ok(())
    }

    /// Supersedes the pending floor proposals of loans with no balance left (they have left
    /// classification); how many.
    pub fn supersede_floor_proposals_of_settled(&mut self, actor: &str) -> Result<u64> {
        let now = self.now().to_string();
        let n = self.conn().execute(
            "UPDATE classification_proposals SET status = 'superseded', decided_by = ?1,
             decided_at = ?2, updated_at = ?2, updated_by = ?1, version = version + 1
             WHERE status = 'pending' AND basis = 'floor' AND proposer = ?1
               AND loan_id IN (SELECT id FROM loans WHERE outstanding_fen <= 0)",
            params![actor, now],
        )?;
        Ok(n as u64)
    }

    /// Sets a loan's class (an approved decision).
    pub fn set_loan_class(&mut self, loan_id: i64, class: Classification, by: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE loans SET classification = ?2, class_rank = ?3, updated_at = ?4,
                 updated_by = ?5, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![loan_id, class.code(), class.rank(), now, by])?;
        Ok(())
    }

    /// Appends one entry to the history (there is no statement that changes or removes one).
    pub fn append_history(&mut self, h: &NewHistory<'_>) -> Result<()> {
        let (fc, fr, fv, fl) = floor_parts(h.floor);
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO classification_history (loan_id, from_class, to_class, effective_on,
                 reason, basis, basis_ref, proposal_id, proposer, approver, decided_at, floor_class,
                 floor_reason, floor_value, floor_limit)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                h.loan_id,
                h.from.code(),
                h.to.code(),
                day(h.effective_on),
                h.reason,
                h.basis,
                h.basis_ref,
                h.proposal_id,
                h.proposer,
                h.approver,
                now,
                fc,
                fr,
                fv,
                fl
            ])?;
        Ok(())
    }

    /// Records a restructuring (`restructurings`) or a credit impairment (`impairments`);
    /// false when the loan already has one on that date.
    pub fn record_loan_event(
        &mut self,
        impairment: bool,
        loan_id: i64,
        on: NaiveDate,
        reason: &str,
        by: &str,
    ) -> Result<bool> {
        let table = if impairment {
            "loan_impairments"
        } else {
            "loan_restructurings"
        };
        let now = self.now().to_string();
        let n = self.conn().execute(
            &format!(
                "INSERT INTO {table} (loan_id, on_date, reason, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (loan_id, on_date) DO NOTHING"
            ),
            params![loan_id, day(on), reason, by, now],
        )?;
        Ok(n > 0)
    }

    /// The loan's repayment status rows up to `as_of`, oldest first.
    pub fn repayment_trail(&self, loan_id: i64, as_of: NaiveDate) -> Result<RepaymentTrail> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT as_of, overdue_days, overdue_principal, overdue_interest FROM repayment_status
             WHERE loan_id = ?1 AND as_of <= ?2 ORDER BY as_of",
        )?;
        let rows = stmt.query_map(params![loan_id, day(as_of)], |r| {
            Ok((
                date(r, 0)?,
                r.get::<_, i64>(1)?,
                dec(r, 2)?.saturating_add(dec(r, 3)?),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The effective date of the loan's latest move into a non-performing class, if any.
    pub fn latest_move_into_npl(&self, loan_id: i64) -> Result<Option<NaiveDate>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT effective_on FROM classification_history WHERE loan_id = ?1
                 AND to_class IN ('substandard', 'doubtful', 'loss') ORDER BY id DESC LIMIT 1",
            )?
            .query_row([loan_id], |r| date(r, 0))
            .optional()?)
    }

    /// The borrower's other loans with a balance in a non-performing class.
    pub fn other_npl_loans(&self, borrower_id: i64, loan_id: i64) -> Result<u32> {
        let n: i64 = self
            .conn()
            .prepare_cached(
                "SELECT COUNT(*) FROM loans WHERE borrower_id = ?1 AND id <> ?2
                 AND class_rank >= 2 AND outstanding_fen > 0",
            )?
            .query_row(params![borrower_id, loan_id], |r| r.get(0))?;
        Ok(n.clamp(0, i64::from(u32::MAX)) as u32)
    }

    /// A pending proposal of the loan to `class` on `basis`, if any (a re-import opens no
    /// second one).
    pub fn open_proposal_to(
        &self,
        loan_id: i64,
        class: Classification,
        basis: &str,
    ) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id FROM classification_proposals WHERE loan_id = ?1 AND status = 'pending'
                 AND to_class = ?2 AND basis = ?3 LIMIT 1",
            )?
            .query_row(params![loan_id, class.code(), basis], |r| r.get(0))
            .optional()?)
    }

    /// A pending proposal of the loan to `class` on any basis, if any (a duplicate is refused).
    pub fn pending_proposal_to(&self, loan_id: i64, class: Classification) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id FROM classification_proposals WHERE loan_id = ?1 AND status = 'pending'
                 AND to_class = ?2 ORDER BY id LIMIT 1",
            )?
            .query_row(params![loan_id, class.code()], |r| r.get(0))
            .optional()?)
    }

    /// The effective date of the loan's latest classification decision, if any.
    pub fn latest_decision_on(&self, loan_id: i64) -> Result<Option<NaiveDate>> {
        let on: Option<String> = self
            .conn()
            .prepare_cached(
                "SELECT MAX(effective_on) FROM classification_history WHERE loan_id = ?1",
            )?
            .query_row([loan_id], |r| r.get(0))?;
        Ok(on.and_then(|d| d.parse().ok()))
    }

    /// The contract number of the loan a warning (`inspection` false) or an inspection is
    /// about, by its number; None when there is no such record.
    pub fn basis_contract(&self, inspection: bool, number: &str) -> Result<Option<String>> {
        let sql = if inspection {
            "SELECT l.contract_no FROM inspections i JOIN loans l ON l.id = i.loan_id
             WHERE i.number = ?1"
        } else {
            "SELECT l.contract_no FROM warnings w JOIN loans l ON l.id = w.loan_id
             WHERE w.number = ?1"
        };
        Ok(self
            .conn()
            .prepare_cached(sql)?
            .query_row([number.trim()], |r| r.get(0))
            .optional()?)
    }

    /// The proposer of a proposal, if it exists.
    pub fn proposal_proposer(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT proposer FROM classification_proposals WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// A cleared impairment of the loan whose period (its date up to the day before it was
    /// cleared) holds `on`: its dates, if any.
    pub fn cleared_impairment_holding(
        &self,
        loan_id: i64,
        on: NaiveDate,
    ) -> Result<Option<(NaiveDate, NaiveDate)>> {
        let row: Option<(String, String)> = self
            .conn()
            .prepare_cached(
                "SELECT on_date, cleared_on FROM loan_impairments WHERE loan_id = ?1
                 AND cleared_on IS NOT NULL AND on_date <= ?2 AND cleared_on > ?2
                 ORDER BY on_date DESC LIMIT 1",
            )?
            .query_row(params![loan_id, day(on)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?))))
    }

    /// The loan's pending floor proposal, if any.
    pub fn open_floor_proposal(&self, loan_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id FROM classification_proposals WHERE loan_id = ?1 AND status = 'pending'
                 AND basis = 'floor'",
            )?
            .query_row([loan_id], |r| r.get(0))
            .optional()?)
    }

    /// Records the loan's balance on `on` (the import knows it changed).
    pub fn put_balance(&mut self, loan_id: i64, on: NaiveDate, outstanding: Decimal) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO loan_balances (loan_id, on_date, outstanding) VALUES (?1, ?2, ?3)
                 ON CONFLICT (loan_id, on_date) DO UPDATE SET outstanding = excluded.outstanding",
            )?
            .execute(params![
                loan_id,
                day(on),
                super::sqlval::dec_text(outstanding)
            ])?;
        Ok(())
    }

    /// Records the loan's balance on `on` unless its latest recorded balance is the same.
    pub fn record_balance(
        &mut self,
        loan_id: i64,
        on: NaiveDate,
        outstanding: Decimal,
    ) -> Result<bool> {
        let last: Option<Decimal> = self
            .conn()
            .prepare_cached(
                "SELECT outstanding FROM loan_balances WHERE loan_id = ?1 AND on_date <= ?2
                 ORDER BY on_date DESC LIMIT 1",
            )?
            .query_row(params![loan_id, day(on)], |r| dec(r, 0))
            .optional()?;
        if last == Some(outstanding) {
            return Ok(false);
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO loan_balances (loan_id, on_date, outstanding) VALUES (?1, ?2, ?3)
                 ON CONFLICT (loan_id, on_date) DO UPDATE SET outstanding = excluded.outstanding",
            )?
            .execute(params![
                loan_id,
                day(on),
                super::sqlval::dec_text(outstanding)
            ])?;
        Ok(true)
    }
}
