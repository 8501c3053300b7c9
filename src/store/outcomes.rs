//! Outcomes of disposal and the legal clocks in SQL: a loan's status, demands for payment,
//! legal steps, recoveries and write-offs; the book-wide clock scan (set-based) and one
//! loan's outcomes (bounded lists) for the loan detail.

use super::sqlval::{date, dec, dec_text};
use super::{Result, Store, Tx};
use crate::domain::CollateralKind;
use crate::domain::legal::{
    self, AssetKind, Clock, ClockKind, LegalClockRules, LegalEventKind, claim_due_on,
};
use crate::domain::money::to_minor_units;
use crate::domain::recovery::{LoanStatus, RecoveryAmounts, RecoveryKind};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;

/// How many rows of each list [`Store::loan_outcomes`] returns (newest first).
pub const OUTCOME_LIST_LIMIT: u32 = 50;

/// A loan as the outcome commands need it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutcomeLoan {
    pub id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    pub currency: String,
    pub outstanding: Decimal,
    pub status: LoanStatus,
    pub matures_on: NaiveDate,
    pub recalled_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub written_off: Decimal,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: String,
    pub borrower_id: i64,
    pub disbursed_on: NaiveDate,
}

const OUTCOME_LOAN_COLUMNS: &str = "id, contract_no, borrower_name, officer, currency, outstanding,
    status, matures_on, recalled_on, closed_on, written_off, version, updated_at, updated_by,
    borrower_id, disbursed_on";

/// A risk case as an outcome step checks it: whose it is and whether it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLink {
    pub id: i64,
    pub number: String,
    pub borrower_id: i64,
    pub open: bool,
}

fn case_link_q(
    conn: &Connection,
    sql_where: &str,
    key: &dyn rusqlite::ToSql,
) -> Result<Option<CaseLink>> {
    let sql = format!("SELECT id, number, borrower_id, status FROM risk_cases WHERE {sql_where}");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([key], |r| {
            Ok(CaseLink {
                id: r.get(0)?,
                number: r.get(1)?,
                borrower_id: r.get(2)?,
                open: r.get::<_, String>(3)? == "open",
            })
        })
        .optional()?)
}

fn outcome_loan_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutcomeLoan> {
    Ok(OutcomeLoan {
        id: r.get(0)?,
        contract_no: r.get(1)?,
        borrower_name: r.get(2)?,
        officer: r.get(3)?,
        currency: r.get(4)?,
        outstanding: dec(r, 5)?,
        status: super::sqlval::code(r, 6, LoanStatus::parse)?,
        matures_on: date(r, 7)?,
        recalled_on: r.get(8)?,
        closed_on: r.get(9)?,
        written_off: dec(r, 10)?,
        version: r.get(11)?,
        updated_at: r.get(12)?,
        updated_by: r.get(13)?,
        borrower_id: r.get(14)?,
        disbursed_on: date(r, 15)?,
    })
}

fn outcome_loan_q(conn: &Connection, contract_no: &str) -> Result<Option<OutcomeLoan>> {
    let sql = format!("SELECT {OUTCOME_LOAN_COLUMNS} FROM loans WHERE contract_no = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([contract_no.trim()], outcome_loan_from_row)
        .optional()?)
}

/// A legal step to record.
#[derive(Debug, Clone)]
pub struct NewLegalEvent<'a> {
    pub loan_id: i64,
    pub case_id: Option<i64>,
    pub kind: LegalEventKind,
    pub asset: Option<AssetKind>,
    /// The seizure a renewal renews.
    pub seizure_id: Option<i64>,
    pub on: NaiveDate,
    pub reference: &'a str,
    pub note: &'a str,
}

/// A recovery to record.
#[derive(Debug, Clone)]
pub struct NewRecovery<'a> {
    pub loan_id: i64,
    pub case_id: Option<i64>,
    pub on: NaiveDate,
    pub kind: RecoveryKind,
    pub amounts: RecoveryAmounts,
    pub note: &'a str,
}

impl Tx<'_> {
    /// The loan with `contract_no` as the outcome commands see it.
    pub fn outcome_loan(&self, contract_no: &str) -> Result<Option<OutcomeLoan>> {
        outcome_loan_q(self.conn(), contract_no)
    }

    /// A risk case by id, as an outcome step checks it.
    pub fn case_link(&self, case_id: i64) -> Result<Option<CaseLink>> {
        case_link_q(self.conn(), "id = ?1", &case_id)
    }

    /// The contracts of a case's borrower that still have a balance (at most 20).
    pub fn case_contracts(&self, case_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT l.contract_no FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
             WHERE c.id = ?1 AND l.outstanding_fen > 0 ORDER BY l.contract_no LIMIT 20",
        )?;
        let rows = stmt.query_map([case_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The borrower's open risk case, if any.
    pub fn open_case_link(&self, borrower_id: i64) -> Result<Option<CaseLink>> {
        case_link_q(
            self.conn(),
            "borrower_id = ?1 AND status = 'open'",
            &borrower_id,
        )
    }

    pub fn insert_demand(
        &mut self,
        loan_id: i64,
        case_id: Option<i64>,
        on: NaiveDate,
        channel: &str,
        note: &str,
        by: &str,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO loan_demands (loan_id, case_id, on_date, channel, note, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![loan_id, case_id, on, channel, note, by, self.now()])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The loan's latest seizure of `asset` (id and date), which a renewal renews.
    pub fn last_seizure(&self, loan_id: i64, asset: AssetKind) -> Result<Option<(i64, NaiveDate)>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, on_date FROM legal_events WHERE loan_id = ?1 AND kind = 'seizure'
                 AND asset_kind = ?2 ORDER BY on_date DESC, id DESC LIMIT 1",
            )?
            .query_row(params![loan_id, asset.code()], |r| {
                Ok((r.get(0)?, date(r, 1)?))
            })
            .optional()?)
    }

    pub fn insert_legal_event(&mut self, e: &NewLegalEvent<'_>, by: &str) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO legal_events (loan_id, case_id, kind, asset_kind, seizure_id, on_date,
                 reference, note, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                e.loan_id,
                e.case_id,
                e.kind.code(),
                e.asset.map(AssetKind::code),
                e.seizure_id,
                e.on,
                e.reference,
                e.note,
                by,
                self.now()
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The principal recovered on a loan after its full write-off (see [`AFTER_WRITE_OFF`]),
    /// summed exactly, and the day of its last write-off.
    pub fn recovered_after_write_off(&self, loan_id: i64) -> Result<(Decimal, Option<NaiveDate>)> {
        let mut total = Decimal::ZERO;
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT r.principal FROM recoveries r WHERE r.loan_id = ?1 AND {AFTER_WRITE_OFF}"
        ))?;
        let rows = stmt.query_map([loan_id], |r| dec(r, 0))?;
        for p in rows {
            total += p?;
        }
        let last: Option<String> = self
            .conn()
            .prepare_cached("SELECT MAX(on_date) FROM write_offs WHERE loan_id = ?1")?
            .query_row([loan_id], |r| r.get(0))?;
        let last = last.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
        Ok((total, last))
    }

    pub fn insert_recovery(&mut self, r: &NewRecovery<'_>, by: &str) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO recoveries (loan_id, case_id, on_date, kind, principal, interest, costs,
                 note, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                r.loan_id,
                r.case_id,
                r.on,
                r.kind.code(),
                dec_text(r.amounts.principal),
                dec_text(r.amounts.interest),
                dec_text(r.amounts.costs),
                r.note,
                by,
                self.now()
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Sets the loan's outstanding (and its order column) and status; the row's version moves.
    pub fn set_loan_outcome(
        &mut self,
        loan_id: i64,
        outstanding: Decimal,
        status: LoanStatus,
        by: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE loans SET outstanding = ?2, outstanding_fen = ?3, status = ?4, updated_at = ?5,
                 updated_by = ?6, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![
                loan_id,
                dec_text(outstanding),
                to_minor_units(outstanding),
                status.code(),
                now,
                by
            ])?;
        Ok(())
    }

    /// Marks the loan recalled on `on`.
    pub fn set_recalled(&mut self, loan_id: i64, on: NaiveDate, by: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE loans SET status = 'recalled', recalled_on = ?2, updated_at = ?3,
                 updated_by = ?4, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![loan_id, on, now, by])?;
        Ok(())
    }

    /// Marks the loan closed on `on`.
    pub fn set_closed(&mut self, loan_id: i64, on: NaiveDate, by: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE loans SET status = 'closed', closed_on = ?2, updated_at = ?3,
                 updated_by = ?4, version = version + 1 WHERE id = ?1",
            )?
            .execute(params![loan_id, on, now, by])?;
        Ok(())
    }

    /// A recall or a closing with its reason.
    pub fn insert_status_event(
        &mut self,
        loan_id: i64,
        case_id: Option<i64>,
        status: LoanStatus,
        on: NaiveDate,
        reason: &str,
        by: &str,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO loan_status_events (loan_id, case_id, status, on_date, reason, created_by,
                 created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![loan_id, case_id, status.code(), on, reason, by, self.now()])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Records a write-off and adds it to the loan's written-off amount.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_write_off(
        &mut self,
        loan_id: i64,
        case_id: Option<i64>,
        on: NaiveDate,
        amount: Decimal,
        written_off_total: Decimal,
        reason: &str,
        by: &str,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO write_offs (loan_id, case_id, on_date, amount, reason, approved_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![loan_id, case_id, on, dec_text(amount), reason, by, self.now()])?;
        let id = self.conn().last_insert_rowid();
        self.conn()
            .prepare_cached("UPDATE loans SET written_off = ?2 WHERE id = ?1")?
            .execute(params![loan_id, dec_text(written_off_total)])?;
        Ok(id)
    }

    /// Adds collateral to a loan; false when the loan already has this kind and description.
    pub fn add_collateral(
        &mut self,
        loan_id: i64,
        kind: CollateralKind,
        description: &str,
        value: Decimal,
        on: NaiveDate,
        by: &str,
    ) -> Result<bool> {
        let n = self
            .conn()
            .prepare_cached(
                "INSERT INTO collateral (loan_id, kind, description, appraised_value, appraised_on,
                 created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (loan_id, kind, description) DO NOTHING",
            )?
            .execute(params![
                loan_id,
                kind.code(),
                description,
                dec_text(value),
                on,
                self.now(),
                by
            ])?;
        Ok(n == 1)
    }
}

/// A demand for payment as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Demand {
    pub id: i64,
    pub on: NaiveDate,
    pub channel: String,
    pub note: String,
    pub created_by: String,
}

/// A legal step as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LegalEvent {
    pub id: i64,
    pub case_id: Option<i64>,
    pub kind: String,
    pub asset: Option<String>,
    pub seizure_id: Option<i64>,
    pub on: NaiveDate,
    pub reference: String,
    pub note: String,
    pub created_by: String,
}

/// A recovery as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recovery {
    pub id: i64,
    pub case_id: Option<i64>,
    pub on: NaiveDate,
    pub kind: RecoveryKind,
    pub principal: Decimal,
    pub interest: Decimal,
    pub costs: Decimal,
    pub note: String,
    pub created_by: String,
    /// Recovered after the loan's full write-off (账销案存): its principal did not reduce the
    /// outstanding (see [`AFTER_WRITE_OFF`]).
    pub after_write_off: bool,
}

/// Whether recovery `r` came after its loan's full write-off: the loan is written off and no
/// write-off of it is dated or recorded after the recovery. (A recovery on a written-off loan
/// is never dated before its write-off: the workflow refuses it.)
pub const AFTER_WRITE_OFF: &str = "(EXISTS (SELECT 1 FROM loans wl WHERE wl.id = r.loan_id
      AND wl.status = 'written_off')
  AND NOT EXISTS (SELECT 1 FROM write_offs w WHERE w.loan_id = r.loan_id
      AND (w.on_date > r.on_date OR w.created_at > r.created_at)))";

/// A write-off as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WriteOff {
    pub id: i64,
    pub case_id: Option<i64>,
    pub on: NaiveDate,
    pub amount: Decimal,
    pub reason: String,
    pub approved_by: String,
}

/// A recall or a closing, with its reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StatusEvent {
    pub status: LoanStatus,
    pub on: NaiveDate,
    pub reason: String,
    pub created_by: String,
}

/// Everything recovered on a loan, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecoveredTotals {
    pub count: i64,
    pub principal: Decimal,
    pub interest: Decimal,
    pub costs: Decimal,
}

/// One loan's outcomes for the loan detail and `loan show`: its status, the clocks running,
/// the totals, and the newest [`OUTCOME_LIST_LIMIT`] rows of each list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoanOutcomes {
    pub loan: OutcomeLoan,
    pub clocks: Vec<Clock>,
    pub recovered: RecoveredTotals,
    pub demands: Vec<Demand>,
    pub legal_events: Vec<LegalEvent>,
    pub recoveries: Vec<Recovery>,
    pub write_offs: Vec<WriteOff>,
    pub status_events: Vec<StatusEvent>,
}

/// One clock in the book-wide scan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClockRow {
    pub loan_id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    pub clock: Clock,
}

/// What the clock scan looks at.
#[derive(Debug, Clone, Copy)]
pub struct ClockQuery<'a> {
    pub as_of: NaiveDate,
    /// Days ahead; `None`: each clock's own warn-ahead days.
    pub within: Option<u32>,
    pub officer: Option<&'a str>,
}

/// A claim's limitation clock runs while something is owed: outstanding, or written off but
/// still owed (账销案存), and the loan is not closed.
const OWED: &str = "l.status <> 'closed' AND (l.outstanding_fen > 0 OR l.status = 'written_off')";

/// The clocks due, soonest first (ties by contract and kind).
fn clock_order(a: &ClockRow, b: &ClockRow) -> std::cmp::Ordering {
    (a.clock.ends_on, &a.contract_no, a.clock.kind).cmp(&(
        b.clock.ends_on,
        &b.contract_no,
        b.clock.kind,
    ))
}

fn clocks_due_q(
    conn: &Connection,
    q: &ClockQuery<'_>,
    rules: &LegalClockRules,
) -> Result<Vec<ClockRow>> {
    let mut out = Vec::new();
    each_clock_due(conn, q, rules, &mut |row| out.push(row))?;
    out.sort_by(clock_order);
    Ok(out)
}

/// How many clocks are due, and the first `limit` of them: no more than about twice
/// `limit` rows are held at any time, whatever the size of the book.
fn clocks_due_first_q(
    conn: &Connection,
    q: &ClockQuery<'_>,
    rules: &LegalClockRules,
    limit: usize,
) -> Result<(usize, Vec<ClockRow>)> {
    let mut count = 0usize;
    let mut kept: Vec<ClockRow> = Vec::new();
    let mut bar: Option<ClockRow> = None;
    let keep = limit.max(1);
    each_clock_due(conn, q, rules, &mut |row| {
        count += 1;
        if limit == 0 {
            return;
        }
        // A row not before the last of the first `limit` found so far cannot be among them.
        if bar.as_ref().is_some_and(|b| clock_order(&row, b).is_ge()) {
            return;
        }
        kept.push(row);
        if kept.len() >= 2 * keep {
            kept.sort_by(clock_order);
            kept.truncate(keep);
            bar = kept.last().cloned();
        }
    })?;
    kept.sort_by(clock_order);
    kept.truncate(limit);
    Ok((count, kept))
}

/// Each clock that ends by `as_of` + the days ahead (or has run out), in no order.
fn each_clock_due(
    conn: &Connection,
    q: &ClockQuery<'_>,
    rules: &LegalClockRules,
    sink: &mut dyn FnMut(ClockRow),
) -> Result<()> {
    let last_day = |kind: ClockKind| {
        let within = q.within.unwrap_or_else(|| legal::warn_days(kind, rules));
        q.as_of
            .checked_add_days(chrono::Days::new(u64::from(within)))
            .unwrap_or(NaiveDate::MAX)
    };
    let officer = q.officer;
    // Limitation: claims due (at maturity or by recall) early enough to end by the last day.
    let lim_last = last_day(ClockKind::Limitation);
    if let Some(bound) = legal::latest_start_for(lim_last, rules.limitation_years) {
        let sql = format!(
            "SELECT l.id, l.contract_no, l.borrower_name, l.officer, l.matures_on, l.recalled_on,
                    (SELECT MAX(d.on_date) FROM loan_demands d WHERE d.loan_id = l.id)
             FROM loans l
             WHERE l.id IN (
                 SELECT id FROM loans WHERE outstanding_fen > 0 AND matures_on <= ?1
                 UNION SELECT id FROM loans WHERE recalled_on <= ?1
                 UNION SELECT id FROM loans WHERE status = 'written_off' AND matures_on <= ?1)
               AND {OWED} AND (?2 IS NULL OR l.officer = ?2)
               AND NOT EXISTS (SELECT 1 FROM loan_demands d WHERE d.loan_id = l.id AND d.on_date > ?1)"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![bound, officer], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                date(r, 4)?,
                r.get::<_, Option<NaiveDate>>(5)?,
                r.get::<_, Option<NaiveDate>>(6)?,
            ))
        })?;
        for row in rows {
            let (loan_id, contract_no, borrower_name, officer, matures, recalled, demand) = row?;
            let (due, source) = claim_due_on(matures, recalled);
            if let Some(clock) = legal::limitation(due, source, demand, rules)
                && clock.ends_on <= lim_last
            {
                sink(ClockRow {
                    loan_id,
                    contract_no,
                    borrower_name,
                    officer,
                    clock,
                });
            }
        }
    }
    // Preservations without a suit filed since.
    let pres_last = last_day(ClockKind::Preservation);
    {
        let sql = "SELECT l.id, l.contract_no, l.borrower_name, l.officer, e.on_date
             FROM legal_events e JOIN loans l ON l.id = e.loan_id
             WHERE e.kind = 'preservation' AND e.on_date <= ?2 AND l.status <> 'closed'
               AND (?1 IS NULL OR l.officer = ?1)
               AND NOT EXISTS (SELECT 1 FROM legal_events s WHERE s.loan_id = e.loan_id
                               AND s.kind = 'suit' AND s.on_date >= e.on_date)";
        let bound = pres_last
            .checked_sub_days(chrono::Days::new(u64::from(rules.preservation_days)))
            .unwrap_or(NaiveDate::MIN);
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![officer, bound], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                date(r, 4)?,
            ))
        })?;
        for row in rows {
            let (loan_id, contract_no, borrower_name, officer, on) = row?;
            if let Some(clock) = legal::preservation(on, None, rules)
                && clock.ends_on <= pres_last
            {
                sink(ClockRow {
                    loan_id,
                    contract_no,
                    borrower_name,
                    officer,
                    clock,
                });
            }
        }
    }
    // Seizures, each from its last renewal.
    {
        let mut stmt = conn.prepare_cached(
            "SELECT l.id, l.contract_no, l.borrower_name, l.officer, e.asset_kind, e.on_date,
                    (SELECT MAX(r.on_date) FROM legal_events r WHERE r.seizure_id = e.id)
             FROM legal_events e JOIN loans l ON l.id = e.loan_id
             WHERE e.kind = 'seizure' AND l.status <> 'closed' AND (?1 IS NULL OR l.officer = ?1)
               AND e.on_date <= ?2",
        )?;
        let seize_last = last_day(ClockKind::Seizure(AssetKind::Deposit));
        let shortest = rules
            .seizure_deposit_years
            .min(rules.seizure_movable_years)
            .min(rules.seizure_real_estate_years);
        let bound = legal::latest_start_for(seize_last, shortest).unwrap_or(NaiveDate::MIN);
        let rows = stmt.query_map(params![officer, bound], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                date(r, 5)?,
                r.get::<_, Option<NaiveDate>>(6)?,
            ))
        })?;
        for row in rows {
            let (loan_id, contract_no, borrower_name, officer, asset, on, renewed) = row?;
            let Some(asset) = asset.as_deref().and_then(AssetKind::parse) else {
                continue;
            };
            if let Some(clock) = legal::seizure(asset, on, renewed, rules)
                && clock.ends_on <= last_day(clock.kind)
            {
                sink(ClockRow {
                    loan_id,
                    contract_no,
                    borrower_name,
                    officer,
                    clock,
                });
            }
        }
    }
    Ok(())
}

fn loan_clocks_q(
    conn: &Connection,
    loan: &OutcomeLoan,
    rules: &LegalClockRules,
) -> Result<Vec<Clock>> {
    let mut clocks = Vec::new();
    if loan.status == LoanStatus::Closed {
        return Ok(clocks);
    }
    if loan.outstanding > Decimal::ZERO || loan.status == LoanStatus::WrittenOff {
        let demand: Option<NaiveDate> = conn
            .prepare_cached("SELECT MAX(on_date) FROM loan_demands WHERE loan_id = ?1")?
            .query_row([loan.id], |r| r.get(0))?;
        let (due, source) = claim_due_on(loan.matures_on, loan.recalled_on);
        clocks.extend(legal::limitation(due, source, demand, rules));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT e.kind, e.asset_kind, e.on_date,
                (SELECT MAX(s.on_date) FROM legal_events s WHERE s.loan_id = e.loan_id AND s.kind = 'suit'
                 AND s.on_date >= e.on_date),
                (SELECT MAX(r.on_date) FROM legal_events r WHERE r.seizure_id = e.id)
         FROM legal_events e WHERE e.loan_id = ?1 AND e.kind IN ('preservation', 'seizure')
         ORDER BY e.on_date DESC, e.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![loan.id, OUTCOME_LIST_LIMIT], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            date(r, 2)?,
            r.get::<_, Option<NaiveDate>>(3)?,
            r.get::<_, Option<NaiveDate>>(4)?,
        ))
    })?;
    for row in rows {
        let (kind, asset, on, suit, renewed) = row?;
        match (
            LegalEventKind::parse(&kind),
            asset.as_deref().and_then(AssetKind::parse),
        ) {
            (Some(LegalEventKind::Preservation), _) => {
                clocks.extend(legal::preservation(on, suit, rules));
            }
            (Some(LegalEventKind::Seizure), Some(a)) => {
                clocks.extend(legal::seizure(a, on, renewed, rules));
            }
            _ => {}
        }
    }
    clocks.sort_by_key(|c| (c.ends_on, c.kind));
    Ok(clocks)
}

fn loan_outcomes_q(
    conn: &Connection,
    loan_id: i64,
    rules: &LegalClockRules,
) -> Result<Option<LoanOutcomes>> {
    let sql = format!("SELECT {OUTCOME_LOAN_COLUMNS} FROM loans WHERE id = ?1");
    let Some(loan) = conn
        .prepare_cached(&sql)?
        .query_row([loan_id], outcome_loan_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    let clocks = loan_clocks_q(conn, &loan, rules)?;
    let limit = OUTCOME_LIST_LIMIT;
    let demands = conn
        .prepare_cached(
            "SELECT id, on_date, channel, note, created_by FROM loan_demands WHERE loan_id = ?1
             ORDER BY on_date DESC, id DESC LIMIT ?2",
        )?
        .query_map(params![loan_id, limit], |r| {
            Ok(Demand {
                id: r.get(0)?,
                on: date(r, 1)?,
                channel: r.get(2)?,
                note: r.get(3)?,
                created_by: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let legal_events = conn
        .prepare_cached(
            "SELECT id, case_id, kind, asset_kind, seizure_id, on_date, reference, note, created_by
             FROM legal_events WHERE loan_id = ?1 ORDER BY on_date DESC, id DESC LIMIT ?2",
        )?
        .query_map(params![loan_id, limit], |r| {
            Ok(LegalEvent {
                id: r.get(0)?,
                case_id: r.get(1)?,
                kind: r.get(2)?,
                asset: r.get(3)?,
                seizure_id: r.get(4)?,
                on: date(r, 5)?,
                reference: r.get(6)?,
                note: r.get(7)?,
                created_by: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let recoveries = conn
        .prepare_cached(&format!(
            "SELECT r.id, r.case_id, r.on_date, r.kind, r.principal, r.interest, r.costs, r.note,
                    r.created_by, {AFTER_WRITE_OFF}
             FROM recoveries r WHERE r.loan_id = ?1 ORDER BY r.on_date DESC, r.id DESC LIMIT ?2"
        ))?
        .query_map(params![loan_id, limit], |r| {
            Ok(Recovery {
                id: r.get(0)?,
                case_id: r.get(1)?,
                on: date(r, 2)?,
                kind: super::sqlval::code(r, 3, RecoveryKind::parse)?,
                principal: dec(r, 4)?,
                interest: dec(r, 5)?,
                costs: dec(r, 6)?,
                note: r.get(7)?,
                created_by: r.get(8)?,
                after_write_off: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // The totals over every recovery (exact: summed as decimals, not in SQL).
    let mut recovered = RecoveredTotals::default();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT principal, interest, costs FROM recoveries WHERE loan_id = ?1",
        )?;
        let rows = stmt.query_map([loan_id], |r| Ok((dec(r, 0)?, dec(r, 1)?, dec(r, 2)?)))?;
        for row in rows {
            let (p, i, c) = row?;
            recovered.count += 1;
            recovered.principal += p;
            recovered.interest += i;
            recovered.costs += c;
        }
    }
    let write_offs = conn
        .prepare_cached(
            "SELECT id, case_id, on_date, amount, reason, approved_by FROM write_offs
             WHERE loan_id = ?1 ORDER BY on_date DESC, id DESC LIMIT ?2",
        )?
        .query_map(params![loan_id, limit], |r| {
            Ok(WriteOff {
                id: r.get(0)?,
                case_id: r.get(1)?,
                on: date(r, 2)?,
                amount: dec(r, 3)?,
                reason: r.get(4)?,
                approved_by: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let status_events = conn
        .prepare_cached(
            "SELECT status, on_date, reason, created_by FROM loan_status_events WHERE loan_id = ?1
             ORDER BY id DESC LIMIT ?2",
        )?
        .query_map(params![loan_id, limit], |r| {
            Ok(StatusEvent {
                status: super::sqlval::code(r, 0, LoanStatus::parse)?,
                on: date(r, 1)?,
                reason: r.get(2)?,
                created_by: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(LoanOutcomes {
        loan,
        clocks,
        recovered,
        demands,
        legal_events,
        recoveries,
        write_offs,
        status_events,
    }))
}

/// Write-offs recorded up to a date, over the book.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WrittenOffTotals {
    pub loans: i64,
    pub count: i64,
    pub amount: Decimal,
}

impl Store {
    /// Every write-off dated on or before `as_of` (summed exactly, as decimals): what the
    /// provisions report shows beside the reserves.
    pub fn written_off_by(&self, as_of: NaiveDate) -> Result<WrittenOffTotals> {
        let mut t = WrittenOffTotals::default();
        let mut last = None;
        let mut stmt = self.conn().prepare_cached(
            "SELECT loan_id, amount FROM write_offs WHERE on_date <= ?1 ORDER BY loan_id",
        )?;
        let rows = stmt.query_map([as_of], |r| Ok((r.get::<_, i64>(0)?, dec(r, 1)?)))?;
        for row in rows {
            let (loan, amount) = row?;
            if last != Some(loan) {
                t.loans += 1;
                last = Some(loan);
            }
            t.count += 1;
            t.amount += amount;
        }
        Ok(t)
    }

    /// The loan with `contract_no` as the outcome commands see it.
    pub fn outcome_loan(&self, contract_no: &str) -> Result<Option<OutcomeLoan>> {
        outcome_loan_q(self.conn(), contract_no)
    }

    /// A risk case by the number users see.
    pub fn case_link_by_number(&self, number: &str) -> Result<Option<CaseLink>> {
        case_link_q(self.conn(), "number = ?1", &number.trim())
    }

    /// One loan's status, clocks, recovered totals and the newest rows of its demands, legal
    /// steps, recoveries, write-offs, recalls and closings (the loan's Disposal tab).
    pub fn loan_outcomes(
        &self,
        loan_id: i64,
        rules: &LegalClockRules,
    ) -> Result<Option<LoanOutcomes>> {
        loan_outcomes_q(self.conn(), loan_id, rules)
    }

    /// Every clock that ends by `as_of` + the days ahead (or has run out), soonest first:
    /// the nightly check, set-based (the limitation clock reads only loans due early enough).
    pub fn clocks_due(&self, q: &ClockQuery<'_>, rules: &LegalClockRules) -> Result<Vec<ClockRow>> {
        clocks_due_q(self.conn(), q, rules)
    }

    /// How many clocks [`Store::clocks_due`] would give, and the first `limit` of them
    /// (Today's block): the rows past the first few are counted, not kept.
    pub fn clocks_due_first(
        &self,
        q: &ClockQuery<'_>,
        rules: &LegalClockRules,
        limit: usize,
    ) -> Result<(usize, Vec<ClockRow>)> {
        clocks_due_first_q(self.conn(), q, rules, limit)
    }
}

impl Tx<'_> {
    /// [`Store::loan_outcomes`] inside a write transaction.
    pub fn loan_outcomes(
        &self,
        loan_id: i64,
        rules: &LegalClockRules,
    ) -> Result<Option<LoanOutcomes>> {
        loan_outcomes_q(self.conn(), loan_id, rules)
    }
}
