//! The classification pane's reads: the proposals a reviewer may decide (keyset by id, never
//! the whole book), the portfolio panel's aggregates in one query, a loan's history a page at
//! a time, and what a loan's Classification tab and a floor need of one borrower.

use super::sqlval::{date, dec};
use super::{PageFrom, PageKey, Result, Store};
use crate::domain::{Classification, Role};
use crate::engine::classify::{ClassifyLoan, FloorSignals};
use crate::store::sqlval::SortValue;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, ToSql, params};
use rust_decimal::Decimal;

/// Who decides: the rows the workflow would let them approve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    pub user: String,
    pub role: Role,
}

/// Which proposals the pane lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalQuery {
    /// Only pending ones (else every status: the decisions too).
    pub pending: bool,
    /// Only the loans below their floor (the pending floor proposals).
    pub below_floor: bool,
    /// Only the ones this reviewer may decide (mirrors the workflow's approval rights).
    pub decidable_by: Option<Decider>,
    /// Only proposals on this user's loans or made by this user.
    pub mine: Option<String>,
    /// Opened from Today's block ("proposals to decide"): the header says so.
    pub from_today: bool,
}

/// One row of the pane: a proposal with its loan.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRow {
    pub id: i64,
    pub loan_id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    /// The loan's class now.
    pub current: Classification,
    pub proposed: Classification,
    pub basis: String,
    pub basis_ref: String,
    pub reason: String,
    pub floor: Option<String>,
    pub floor_reason: Option<String>,
    pub floor_value: Option<String>,
    pub floor_limit: Option<String>,
    pub effective_on: String,
    pub status: String,
    pub proposer: String,
    pub created_at: String,
    pub version: i64,
}

impl ProposalRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: SortValue::Int(self.id),
            id: self.id,
        }
    }
}

/// The portfolio panel: loans with a balance per class (count, outstanding) and pending
/// proposals by age (under 7 days, 7–30, over 30).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Portfolio {
    pub count: [u64; 5],
    pub outstanding: [Decimal; 5],
    pub ages: [u64; 3],
}

impl Portfolio {
    /// 不良贷款率: (次级 + 可疑 + 损失) / all, by outstanding, as a fraction; None for an
    /// empty book.
    pub fn npl_ratio(&self) -> Option<Decimal> {
        let total: Decimal = self.outstanding.iter().copied().sum();
        let npl: Decimal = self.outstanding[2..].iter().copied().sum();
        (total > Decimal::ZERO).then(|| npl / total)
    }
}

/// One entry of a loan's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub from: String,
    pub to: String,
    pub effective_on: String,
    pub reason: String,
    pub basis: String,
    pub basis_ref: String,
    pub proposer: String,
    pub approver: String,
    pub floor: Option<String>,
    pub floor_reason: Option<String>,
    pub floor_value: Option<String>,
    pub floor_limit: Option<String>,
}

/// A loan's pending proposal, as its Classification tab says it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingOfLoan {
    pub id: i64,
    pub to: String,
    pub reason: String,
    pub basis: String,
    pub basis_ref: String,
    pub proposer: String,
    pub effective_on: String,
    pub floor: Option<String>,
    pub floor_reason: Option<String>,
    pub floor_value: Option<String>,
    pub floor_limit: Option<String>,
    /// Pending proposals of the loan in all.
    pub count: u64,
}

/// The proposal columns of a [`ProposalRow`].
const ROW_COLUMNS: &str =
    "p.id, p.loan_id, l.contract_no, l.borrower_name, l.officer, l.class_rank,
    p.to_rank, p.basis, p.basis_ref, p.reason, p.floor_class, p.floor_reason, p.floor_value,
    p.floor_limit, p.effective_on, p.status, p.proposer, p.created_at, p.version";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProposalRow> {
    let class = |rank: i64| Classification::from_rank(rank).unwrap_or(Classification::Loss);
    Ok(ProposalRow {
        id: r.get(0)?,
        loan_id: r.get(1)?,
        contract_no: r.get(2)?,
        borrower_name: r.get(3)?,
        officer: r.get(4)?,
        current: class(r.get(5)?),
        proposed: class(r.get(6)?),
        basis: r.get(7)?,
        basis_ref: r.get(8)?,
        reason: r.get(9)?,
        floor: r.get(10)?,
        floor_reason: r.get(11)?,
        floor_value: r.get(12)?,
        floor_limit: r.get(13)?,
        effective_on: r.get(14)?,
        status: r.get(15)?,
        proposer: r.get(16)?,
        created_at: r.get(17)?,
        version: r.get(18)?,
    })
}

/// The condition on proposal `p` of loan `l` that the reviewer in parameter `?u` with `role`
/// may decide it, as `workflow::classification::approve_in` authorizes: never one's own; a
/// supervisor up to 次级 and no upgrade out of non-performing; a manager any; others none.
pub(super) fn decidable(role: Role, u: usize) -> String {
    let sub = Classification::Substandard.rank();
    match role {
        Role::Manager => format!("p.proposer <> ?{u}"),
        Role::Supervisor => format!(
            "p.proposer <> ?{u} AND p.to_rank <= {sub}
             AND NOT (l.class_rank >= {sub} AND p.to_rank < {sub})"
        ),
        _ => "0".into(),
    }
}

impl ProposalQuery {
    /// The conditions and their parameters.
    fn where_clause(&self, p: &mut Vec<Box<dyn ToSql>>) -> Vec<String> {
        let mut conds = Vec::new();
        if self.pending || self.below_floor || self.decidable_by.is_some() {
            conds.push("p.status = 'pending'".to_string());
        }
        if self.below_floor {
            conds.push("p.basis = 'floor'".into());
        }
        if let Some(d) = &self.decidable_by {
            p.push(Box::new(d.user.clone()));
            let u = p.len();
            // As `workflow::classification::approve_in` authorizes: never one's own; a
            // supervisor up to 次级 and no upgrade out of non-performing; a manager any.
            conds.push(decidable(d.role, u));
        }
        if let Some(m) = &self.mine {
            p.push(Box::new(m.clone()));
            let u = p.len();
            conds.push(format!("(l.officer = ?{u} OR p.proposer = ?{u})"));
        }
        conds
    }
}

impl Store {
    /// A page of the pane's proposals, oldest first (longest waiting on top), by keyset on id.
    pub fn proposal_page(
        &self,
        q: &ProposalQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<ProposalRow>> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let mut conds = q.where_clause(&mut p);
        let backwards = matches!(from, PageFrom::End | PageFrom::Before(_));
        if let PageFrom::After(k) | PageFrom::Before(k) | PageFrom::AtOrAfter(k) = from {
            let op = match from {
                PageFrom::After(_) => ">",
                PageFrom::Before(_) => "<",
                _ => ">=",
            };
            p.push(Box::new(k.id));
            conds.push(format!("p.id {op} ?{}", p.len()));
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let dir = if backwards { "DESC" } else { "ASC" };
        p.push(Box::new(limit as i64));
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM classification_proposals p JOIN loans l ON l.id = p.loan_id
             {where_sql} ORDER BY p.id {dir} LIMIT ?{}",
            p.len()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            row_from,
        )?;
        let mut out: Vec<ProposalRow> = rows.collect::<rusqlite::Result<_>>()?;
        if backwards {
            out.reverse();
        }
        Ok(out)
    }

    /// How many proposals the pane's query finds.
    pub fn proposal_count(&self, q: &ProposalQuery) -> Result<u64> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let conds = q.where_clause(&mut p);
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let n: i64 = self.conn().query_row(
            &format!(
                "SELECT COUNT(*) FROM classification_proposals p JOIN loans l ON l.id = p.loan_id
                 {where_sql}"
            ),
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// The portfolio panel in one statement: loans with a balance per class (the loans' class
    /// index, amounts in fen summed exactly) and pending proposals by age on `today`, the
    /// book's date: counted from the book's date each was made on (`proposed_on`), never the
    /// wall clock, so a demo dated in the past or future shows sensible ages.
    pub fn class_portfolio(&self, today: NaiveDate) -> Result<Portfolio> {
        let day = |n: u64| {
            today
                .checked_sub_days(chrono::Days::new(n))
                .unwrap_or(today)
                .format("%Y-%m-%d")
                .to_string()
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT 0, class_rank, COUNT(*), COALESCE(SUM(outstanding_fen), 0) FROM loans
             WHERE outstanding_fen > 0 GROUP BY class_rank
             UNION ALL
             SELECT 1, CASE WHEN proposed_on > ?1 THEN 0
                            WHEN proposed_on >= ?2 THEN 1 ELSE 2 END, COUNT(*), 0
             FROM classification_proposals WHERE status = 'pending' GROUP BY 2",
        )?;
        let mut rows = stmt.query(params![day(7), day(30)])?;
        let mut out = Portfolio::default();
        while let Some(r) = rows.next()? {
            let part: i64 = r.get(0)?;
            let i = usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
            let n = r.get::<_, i64>(2)?.max(0) as u64;
            if part == 0 && i < 5 {
                out.count[i] = n;
                out.outstanding[i] = Decimal::new(r.get::<_, i64>(3)?, 2);
            } else if part == 1 && i < 3 {
                out.ages[i] = n;
            }
        }
        Ok(out)
    }

    /// Entries in a loan's classification history.
    pub fn timeline_count(&self, loan_id: i64) -> Result<u64> {
        let n: i64 = self
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM classification_history WHERE loan_id = ?1")?
            .query_row([loan_id], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// A page of a loan's classification history, newest first.
    pub fn timeline_page(
        &self,
        loan_id: i64,
        offset: u64,
        limit: usize,
    ) -> Result<Vec<TimelineRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT from_class, to_class, effective_on, reason, basis, basis_ref, proposer,
                    approver, floor_class, floor_reason, floor_value, floor_limit
             FROM classification_history WHERE loan_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
        )?;
        let rows = stmt.query_map(params![loan_id, limit as i64, offset as i64], |r| {
            Ok(TimelineRow {
                from: r.get(0)?,
                to: r.get(1)?,
                effective_on: r.get(2)?,
                reason: r.get(3)?,
                basis: r.get(4)?,
                basis_ref: r.get(5)?,
                proposer: r.get(6)?,
                approver: r.get(7)?,
                floor: r.get(8)?,
                floor_reason: r.get(9)?,
                floor_value: r.get(10)?,
                floor_limit: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The loan's oldest pending proposal, with how many are pending.
    pub fn pending_of_loan(&self, loan_id: i64) -> Result<Option<PendingOfLoan>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, to_class, reason, basis, basis_ref, proposer, effective_on, floor_class,
                        floor_reason, floor_value, floor_limit,
                        (SELECT COUNT(*) FROM classification_proposals q
                         WHERE q.loan_id = ?1 AND q.status = 'pending')
                 FROM classification_proposals WHERE loan_id = ?1 AND status = 'pending'
                 ORDER BY id LIMIT 1",
            )?
            .query_row([loan_id], |r| {
                Ok(PendingOfLoan {
                    id: r.get(0)?,
                    to: r.get(1)?,
                    reason: r.get(2)?,
                    basis: r.get(3)?,
                    basis_ref: r.get(4)?,
                    proposer: r.get(5)?,
                    effective_on: r.get(6)?,
                    floor: r.get(7)?,
                    floor_reason: r.get(8)?,
                    floor_value: r.get(9)?,
                    floor_limit: r.get(10)?,
                    count: r.get::<_, i64>(11)?.max(0) as u64,
                })
            })
            .optional()?)
    }

    /// What the floors of one loan read on `as_of`: its borrower's loans with a balance (for
    /// contagion) and their signals (diversion, impairment, restructuring with the payments
    /// missed since). A read: no write lock. The same facts `classify` reads, one borrower.
    pub fn floor_inputs(
        &self,
        loan_id: i64,
        as_of: NaiveDate,
    ) -> Result<(Vec<ClassifyLoan>, FloorSignals)> {
        let on = as_of.format("%Y-%m-%d").to_string();
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, borrower_id, disbursed_on, matures_on, class_rank, outstanding,
                CASE WHEN status_as_of IS NULL OR status_as_of <= ?2 THEN overdue_days
                     ELSE (SELECT r.overdue_days FROM repayment_status r
                           WHERE r.loan_id = loans.id AND r.as_of <= ?2
                           ORDER BY r.as_of DESC LIMIT 1) END
             FROM loans
             WHERE borrower_id = (SELECT borrower_id FROM loans WHERE id = ?1)
               AND outstanding_fen > 0 AND disbursed_on <= ?2
             ORDER BY id",
        )?;
        let loans: Vec<ClassifyLoan> = stmt
            .query_map(params![loan_id, on], |r| {
                Ok(ClassifyLoan {
                    id: r.get(0)?,
                    borrower_id: r.get(1)?,
                    disbursed_on: date(r, 2)?,
                    matures_on: date(r, 3)?,
                    class: Classification::from_rank(r.get(4)?).unwrap_or(Classification::Loss),
                    outstanding: dec(r, 5)?,
                    status_dpd: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut s = FloorSignals::default();
        for l in &loans {
            let diverted: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM warnings WHERE loan_id = ?1
                     AND indicator = 'fund_diversion' AND status NOT IN ('resolved', 'dismissed')
                     AND raised_on <= ?2)",
                )?
                .query_row(params![l.id, on], |r| r.get(0))?;
            if diverted {
                s.diversion.insert(l.id);
            }
            let impaired: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM loan_impairments WHERE loan_id = ?1
                     AND on_date <= ?2 AND (cleared_on IS NULL OR cleared_on > ?2))",
                )?
                .query_row(params![l.id, on], |r| r.get(0))?;
            if impaired {
                s.impaired.insert(l.id);
            }
            let since: Option<NaiveDate> = conn
                .prepare_cached(
                    "SELECT MAX(on_date) FROM loan_restructurings WHERE loan_id = ?1
                     AND on_date <= ?2",
                )?
                .query_row(params![l.id, on], |r| {
                    Ok(match r.get::<_, Option<String>>(0)? {
                        Some(_) => Some(date(r, 0)?),
                        None => None,
                    })
                })?;
            if let Some(since) = since {
                let since_text = since.format("%Y-%m-%d").to_string();
                let missed: Vec<NaiveDate> = conn
                    .prepare_cached(
                        "SELECT as_of, overdue_days FROM repayment_status
                         WHERE loan_id = ?1 AND as_of >= ?2 AND as_of <= ?3 AND overdue_days > 0",
                    )?
                    .query_map(params![l.id, since_text, on], |r| {
                        Ok((date(r, 0)?, r.get::<_, i64>(1)?))
                    })?
                    .filter_map(|x| x.ok())
                    .filter_map(|(d, n)| d.checked_sub_days(chrono::Days::new(n.max(0) as u64)))
                    .collect();
                s.restructured.insert(l.id, (since, missed));
            }
        }
        Ok((loans, s))
    }

    /// Today's block for a reviewer: how many proposals they may decide, and the first ones.
    pub fn proposals_to_decide(
        &self,
        q: &ProposalQuery,
        limit: usize,
    ) -> Result<(u64, Vec<ProposalRow>)> {
        Ok((
            self.proposal_count(q)?,
            self.proposal_page(q, &PageFrom::Start, limit)?,
        ))
    }
}
