//! Disposal as read: risk cases by level then next deadline and actions open-first by
//! deadline, both keyset-paged (never the whole book); one case in full; Today's counts.
//!
//! A case's loans are its borrower's loans with a balance; its exposure is their outstanding
//! summed (in fen, exactly); its signals are the open warnings it gathers.

use super::sqlval::SortValue;
use super::warnings::{Document, corrupt};
use super::{PageFrom, PageKey, Result, Store};
use crate::domain::Classification;
use crate::domain::disposal::{
    ActionKind, ActionStatus, CaseStatus, PlanKind, PlanStatus, overdue_days,
};
use crate::domain::warning::{Level, WarningStatus};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, ToSql, params};
use rust_decimal::Decimal;

/// Which cases a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: CaseStatus,
    pub level: Option<Level>,
    pub officer: Option<String>,
}

impl Default for CaseFilter {
    /// Open cases of every level and officer.
    fn default() -> Self {
        CaseFilter {
            status: CaseStatus::Open,
            level: None,
            officer: None,
        }
    }
}

/// One line of the case list.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub borrower_id: i64,
    pub borrower_code: String,
    pub borrower_name: String,
    pub level: Level,
    pub status: CaseStatus,
    /// Open warnings gathered.
    pub warnings: u64,
    /// The borrower's loans with a balance.
    pub loans: u64,
    /// Their outstanding, summed.
    pub exposure: Decimal,
    pub officer: String,
    pub opened_on: NaiveDate,
    pub next_deadline: Option<NaiveDate>,
    pub emergency_needed: bool,
    pub escalated_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: String,
    pub class_review_on: Option<NaiveDate>,
    pub version: i64,
    pub sort_key: SortValue,
}

impl CaseRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: self.sort_key.clone(),
            id: self.id,
        }
    }

    /// Days since the case opened (until it closed).
    pub fn age_days(&self, today: NaiveDate) -> i64 {
        let end = self.closed_on.unwrap_or(today);
        (end - self.opened_on).num_days().max(0)
    }
}

/// Which actions a list shows. With no `status`, only open ones (planned, in progress).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFilter {
    /// The case's level.
    pub level: Option<Level>,
    pub owner: Option<String>,
    pub status: Option<ActionStatus>,
    /// The user's own actions (owner = this user).
    pub mine: Option<String>,
    /// Only open actions whose deadline is before this day.
    pub overdue_on: Option<NaiveDate>,
    /// One case's (its number).
    pub case: Option<String>,
}

/// One line of the action list.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub case_level: Level,
    pub plan_id: Option<i64>,
    pub loan_id: Option<i64>,
    pub contract_no: Option<String>,
    pub kind: ActionKind,
    pub title: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub status: ActionStatus,
    pub outcome: String,
    pub source: String,
    pub version: i64,
    pub sort_key: SortValue,
}

impl ActionRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: self.sort_key.clone(),
            id: self.id,
        }
    }

    /// Days past its deadline on `today` (0 if not overdue or ended).
    pub fn overdue_days(&self, today: NaiveDate) -> i64 {
        overdue_days(self.deadline, self.status, today)
    }
}

/// A warning a case gathers.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseWarning {
    pub id: i64,
    pub number: String,
    pub contract_no: String,
    pub indicator: String,
    pub level: Level,
    pub status: WarningStatus,
    pub raised_on: NaiveDate,
    pub joined_on: NaiveDate,
}

/// A loan of the case's borrower.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseLoan {
    pub id: i64,
    pub contract_no: String,
    pub outstanding: Decimal,
    pub classification: Classification,
    pub tracking_frequency: String,
    pub officer: String,
    pub overdue_days: i64,
}

/// A plan of a case.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: PlanKind,
    pub status: PlanStatus,
    pub summary: String,
    pub due_on: Option<NaiveDate>,
    pub arrived_on: Option<NaiveDate>,
    pub arrival: String,
    pub proposer: String,
    pub approver: Option<String>,
    pub decided_at: Option<String>,
    pub reason: String,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    pub version: i64,
}

/// A progress note on an action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionNote {
    pub id: i64,
    pub action_id: i64,
    pub on_date: NaiveDate,
    pub note: String,
    pub author: String,
}

/// A periodic progress report under its four headings.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressReport {
    pub id: i64,
    pub on_date: NaiveDate,
    pub signal_now: String,
    pub effect: String,
    pub problems: String,
    pub next_steps: String,
    pub author: String,
}

/// One step of a case's history.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub at: String,
    pub on_date: NaiveDate,
    pub actor: String,
    pub event: String,
    /// The warning, plan, action or document it concerns.
    pub reference: String,
    pub note: String,
}

/// A case in full, as `case show` and the case screen need it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDetail {
    pub case: CaseRow,
    pub warnings: Vec<CaseWarning>,
    pub loans: Vec<CaseLoan>,
    pub plans: Vec<PlanRow>,
    pub actions: Vec<ActionRow>,
    pub notes: Vec<ActionNote>,
    pub progress: Vec<ProgressReport>,
    pub events: Vec<CaseEvent>,
    pub documents: Vec<Document>,
}

/// The most of each list a case detail reads (a case's history is short; this only bounds it).
pub const DETAIL_LIMIT: i64 = 1000;

const CASE_COLUMNS: &str = "c.id, c.number, c.borrower_id, b.code, b.name, c.level_order, c.status,
    (SELECT COUNT(*) FROM case_warnings cw JOIN warnings w ON w.id = cw.warning_id
       WHERE cw.case_id = c.id AND (c.status = 'closed' OR w.status NOT IN ('resolved', 'dismissed'))),
    (SELECT COUNT(*) FROM loans l WHERE l.borrower_id = c.borrower_id
       AND (l.outstanding_fen > 0 OR l.id IN (SELECT w.loan_id FROM case_warnings cw
            JOIN warnings w ON w.id = cw.warning_id WHERE cw.case_id = c.id))),
    (SELECT COALESCE(SUM(l.outstanding_fen), 0) FROM loans l
       WHERE l.borrower_id = c.borrower_id AND l.outstanding_fen > 0),
    c.officer, c.opened_on, c.next_deadline, c.emergency_needed, c.escalated_on, c.closed_on,
    c.close_reason, c.class_review_on, c.version, c.pane_key";

const CASE_FROM: &str = "FROM risk_cases c JOIN borrowers b ON b.id = c.borrower_id";

fn case_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    let number: String = r.get(1)?;
    let order: i64 = r.get(5)?;
    let level = Level::from_board_order(order)
        .ok_or_else(|| corrupt(5, "risk case", &number, "level_order", &order.to_string()))?;
    let status: String = r.get(6)?;
    let status = CaseStatus::parse(&status)
        .ok_or_else(|| corrupt(6, "risk case", &number, "status", &status))?;
    let fen: i64 = r.get(9)?;
    Ok(CaseRow {
        id: r.get(0)?,
        borrower_id: r.get(2)?,
        borrower_code: r.get(3)?,
        borrower_name: r.get(4)?,
        level,
        status,
        warnings: r.get::<_, i64>(7)?.max(0) as u64,
        loans: r.get::<_, i64>(8)?.max(0) as u64,
        exposure: Decimal::new(fen, 2),
        officer: r.get(10)?,
        opened_on: r.get(11)?,
        next_deadline: r.get(12)?,
        emergency_needed: r.get::<_, i64>(13)? != 0,
        escalated_on: r.get(14)?,
        closed_on: r.get(15)?,
        close_reason: r.get(16)?,
        class_review_on: r.get(17)?,
        version: r.get(18)?,
        sort_key: r.get(19)?,
        number,
    })
}

const ACTION_COLUMNS: &str = "a.id, a.case_id, c.number, c.level_order, a.plan_id, a.loan_id,
    (SELECT l.contract_no FROM loans l WHERE l.id = a.loan_id), a.kind, a.title, a.owner,
    a.deadline, a.status, a.outcome, a.source, a.version, a.pane_key";

const ACTION_FROM: &str = "FROM disposal_actions a JOIN risk_cases c ON c.id = a.case_id";

fn action_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActionRow> {
    let id: i64 = r.get(0)?;
    let row = id.to_string();
    let order: i64 = r.get(3)?;
    let case_level = Level::from_board_order(order).ok_or_else(|| {
        corrupt(
            3,
            "risk case of action",
            &row,
            "level_order",
            &order.to_string(),
        )
    })?;
    let kind: String = r.get(7)?;
    let kind = ActionKind::parse(&kind).ok_or_else(|| corrupt(7, "action", &row, "kind", &kind))?;
    let status: String = r.get(11)?;
    let status = ActionStatus::parse(&status)
        .ok_or_else(|| corrupt(11, "action", &row, "status", &status))?;
    Ok(ActionRow {
        id,
        case_id: r.get(1)?,
        case_number: r.get(2)?,
        case_level,
        plan_id: r.get(4)?,
        loan_id: r.get(5)?,
        contract_no: r.get(6)?,
        kind,
        title: r.get(8)?,
        owner: r.get(9)?,
        deadline: r.get(10)?,
        status,
        outcome: r.get(12)?,
        source: r.get(13)?,
        version: r.get(14)?,
        sort_key: r.get(15)?,
    })
}

const PLAN_COLUMNS: &str = "id, case_id, kind, status, summary, due_on, arrived_on, arrival,
    proposer, approver, decided_at, reason, created_at, updated_at, updated_by, version";

pub(super) fn plan_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<PlanRow> {
    let id: i64 = r.get(0)?;
    let row = id.to_string();
    let kind: String = r.get(2)?;
    let kind = PlanKind::parse(&kind).ok_or_else(|| corrupt(2, "plan", &row, "kind", &kind))?;
    let status: String = r.get(3)?;
    let status =
        PlanStatus::parse(&status).ok_or_else(|| corrupt(3, "plan", &row, "status", &status))?;
    Ok(PlanRow {
        id,
        case_id: r.get(1)?,
        kind,
        status,
        summary: r.get(4)?,
        due_on: r.get(5)?,
        arrived_on: r.get(6)?,
        arrival: r.get(7)?,
        proposer: r.get(8)?,
        approver: r.get(9)?,
        decided_at: r.get(10)?,
        reason: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        updated_by: r.get(14)?,
        version: r.get(15)?,
    })
}

/// `WHERE …` from conditions (empty for none).
fn where_sql(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

/// The keyset condition of `from` on `(col, id)`, and whether the page reads backwards.
fn keyset(
    from: &PageFrom,
    col: &str,
    id: &str,
    p: &mut Vec<Box<dyn ToSql>>,
    conds: &mut Vec<String>,
) -> bool {
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
        conds.push(format!("({col}, {id}) {op} (?{v}, ?{i})"));
    }
    matches!(from, PageFrom::End | PageFrom::Before(_))
}

impl CaseFilter {
    fn conds(&self, p: &mut Vec<Box<dyn ToSql>>) -> Vec<String> {
        p.push(Box::new(self.status.code()));
        let mut conds = vec![format!("c.status = ?{}", p.len())];
        if let Some(l) = self.level {
            p.push(Box::new(l.board_order()));
            conds.push(format!("c.level_order = ?{}", p.len()));
        }
        if let Some(o) = &self.officer {
            p.push(Box::new(o.clone()));
            conds.push(format!("c.officer = ?{}", p.len()));
        }
        conds
    }
}

impl ActionFilter {
    fn conds(&self, p: &mut Vec<Box<dyn ToSql>>) -> Vec<String> {
        let mut conds = Vec::new();
        match self.status {
            // Open actions are exactly the keys starting '0|' (see schema_v10.sql).
            None => conds.push("a.pane_key < '1'".to_string()),
            Some(s) => {
                p.push(Box::new(s.code()));
                conds.push(format!("a.status = ?{}", p.len()));
            }
        }
        if let Some(l) = self.level {
            p.push(Box::new(l.board_order()));
            conds.push(format!("c.level_order = ?{}", p.len()));
        }
        for who in [&self.owner, &self.mine].into_iter().flatten() {
            p.push(Box::new(who.clone()));
            conds.push(format!("a.owner = ?{}", p.len()));
        }
        if let Some(day) = self.overdue_on {
            p.push(Box::new(format!("0|{day}")));
            conds.push(format!("a.pane_key < ?{}", p.len()));
        }
        if let Some(n) = &self.case {
            p.push(Box::new(n.trim().to_string()));
            conds.push(format!("c.number = ?{}", p.len()));
        }
        conds
    }
}

fn cases_page_q(
    conn: &Connection,
    f: &CaseFilter,
    from: &PageFrom,
    limit: usize,
) -> Result<Vec<CaseRow>> {
    let mut p: Vec<Box<dyn ToSql>> = Vec::new();
    let mut conds = f.conds(&mut p);
    let backwards = keyset(from, "c.pane_key", "c.id", &mut p, &mut conds);
    let dir = if backwards { "DESC" } else { "ASC" };
    p.push(Box::new(limit as i64));
    let sql = format!(
        "SELECT {CASE_COLUMNS} {CASE_FROM} {} ORDER BY c.pane_key {dir}, c.id {dir} LIMIT ?{}",
        where_sql(&conds),
        p.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
        case_from,
    )?;
    let mut out: Vec<CaseRow> = rows.collect::<rusqlite::Result<_>>()?;
    if backwards {
        out.reverse();
    }
    Ok(out)
}

fn actions_page_q(
    conn: &Connection,
    f: &ActionFilter,
    from: &PageFrom,
    limit: usize,
) -> Result<Vec<ActionRow>> {
    let mut p: Vec<Box<dyn ToSql>> = Vec::new();
    let mut conds = f.conds(&mut p);
    let backwards = keyset(from, "a.pane_key", "a.id", &mut p, &mut conds);
    let dir = if backwards { "DESC" } else { "ASC" };
    p.push(Box::new(limit as i64));
    let sql = format!(
        "SELECT {ACTION_COLUMNS} {ACTION_FROM} {} ORDER BY a.pane_key {dir}, a.id {dir} LIMIT ?{}",
        where_sql(&conds),
        p.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
        action_from,
    )?;
    let mut out: Vec<ActionRow> = rows.collect::<rusqlite::Result<_>>()?;
    if backwards {
        out.reverse();
    }
    Ok(out)
}

pub(super) fn case_by_number_q(conn: &Connection, number: &str) -> Result<Option<CaseRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM} WHERE c.number = ?1"
        ))?
        .query_row([number.trim()], case_from)
        .optional()?)
}

fn case_detail_q(conn: &Connection, number: &str) -> Result<Option<CaseDetail>> {
    let Some(case) = case_by_number_q(conn, number)? else {
        return Ok(None);
    };
    let id = case.id;
    let warnings = {
        let mut stmt = conn.prepare_cached(
            "SELECT w.id, w.number, w.contract_no, w.indicator, w.level_order, w.status,
                    w.raised_on, cw.joined_on
             FROM case_warnings cw JOIN warnings w ON w.id = cw.warning_id
             WHERE cw.case_id = ?1 ORDER BY w.level_order, w.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], |r| {
            let number: String = r.get(1)?;
            let order: i64 = r.get(4)?;
            let level = Level::from_board_order(order)
                .ok_or_else(|| corrupt(4, "warning", &number, "level_order", &order.to_string()))?;
            let status: String = r.get(5)?;
            let status = WarningStatus::parse(&status)
                .ok_or_else(|| corrupt(5, "warning", &number, "status", &status))?;
            Ok(CaseWarning {
                id: r.get(0)?,
                contract_no: r.get(2)?,
                indicator: r.get(3)?,
                level,
                status,
                raised_on: r.get(6)?,
                joined_on: r.get(7)?,
                number,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let loans = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, contract_no, outstanding, class_rank, tracking_frequency, officer, overdue_days
             FROM loans WHERE borrower_id = ?1
               AND (outstanding_fen > 0 OR id IN (SELECT w.loan_id FROM case_warnings cw
                    JOIN warnings w ON w.id = cw.warning_id WHERE cw.case_id = ?3))
             ORDER BY id LIMIT ?2",
        )?;
        // The loans with a balance, and those the case was opened for even once repaid,
        // recalled and sold, or written off: a closed case keeps its loans and recoveries.
        let rows = stmt.query_map(params![case.borrower_id, DETAIL_LIMIT, case.id], |r| {
            let contract: String = r.get(1)?;
            let rank: i64 = r.get(3)?;
            Ok(CaseLoan {
                id: r.get(0)?,
                outstanding: super::sqlval::dec(r, 2)?,
                classification: Classification::from_rank(rank).ok_or_else(|| {
                    corrupt(3, "loan", &contract, "class_rank", &rank.to_string())
                })?,
                tracking_frequency: r.get(4)?,
                officer: r.get(5)?,
                overdue_days: r.get(6)?,
                contract_no: contract,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let plans = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {PLAN_COLUMNS} FROM disposal_plans WHERE case_id = ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], plan_from)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let actions = {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ACTION_COLUMNS} {ACTION_FROM} WHERE a.case_id = ?1
             ORDER BY a.pane_key, a.id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], action_from)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let notes = {
        let mut stmt = conn.prepare_cached(
            "SELECT n.id, n.action_id, n.on_date, n.note, n.author FROM action_notes n
             JOIN disposal_actions a ON a.id = n.action_id
             WHERE a.case_id = ?1 ORDER BY n.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], |r| {
            Ok(ActionNote {
                id: r.get(0)?,
                action_id: r.get(1)?,
                on_date: r.get(2)?,
                note: r.get(3)?,
                author: r.get(4)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let progress = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, on_date, signal_now, effect, problems, next_steps, author FROM case_progress
             WHERE case_id = ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], |r| {
            Ok(ProgressReport {
                id: r.get(0)?,
                on_date: r.get(1)?,
                signal_now: r.get(2)?,
                effect: r.get(3)?,
                problems: r.get(4)?,
                next_steps: r.get(5)?,
                author: r.get(6)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let events = {
        let mut stmt = conn.prepare_cached(
            "SELECT at, on_date, actor, event, ref, note FROM case_events
             WHERE case_id = ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], |r| {
            Ok(CaseEvent {
                at: r.get(0)?,
                on_date: r.get(1)?,
                actor: r.get(2)?,
                event: r.get(3)?,
                reference: r.get(4)?,
                note: r.get(5)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    // The case's own documents (notices, progress reports, its record) and the warning notices
    // of its warnings.
    let documents = {
        let mut stmt = conn.prepare_cached(
            "SELECT id, kind, number, title, lang, body, sha256, created_at, created_by
             FROM documents
             WHERE (ref_table = 'risk_cases' AND ref_id = ?1)
                OR (ref_table = 'warnings'
                    AND ref_id IN (SELECT warning_id FROM case_warnings WHERE case_id = ?1))
             ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![id, DETAIL_LIMIT], |r| {
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
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(Some(CaseDetail {
        case,
        warnings,
        loans,
        plans,
        actions,
        notes,
        progress,
        events,
        documents,
    }))
}

pub(super) fn plan_actions_q(conn: &Connection, plan_id: i64) -> Result<Vec<ActionRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ACTION_COLUMNS} {ACTION_FROM} WHERE a.plan_id = ?1 AND a.status <> 'cancelled'
         ORDER BY a.deadline, a.id LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![plan_id, DETAIL_LIMIT], action_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn count(conn: &Connection, sql: &str, p: &[Box<dyn ToSql>]) -> Result<u64> {
    let n: i64 = conn.prepare_cached(sql)?.query_row(
        rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}

impl Store {
    /// A page of cases: by level (red first), then next deadline (none last), then id.
    pub fn cases_page(
        &self,
        filter: &CaseFilter,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<CaseRow>> {
        cases_page_q(self.conn(), filter, from, limit)
    }

    /// How many cases the filter finds.
    pub fn case_count(&self, filter: &CaseFilter) -> Result<u64> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let conds = filter.conds(&mut p);
        count(
            self.conn(),
            &format!("SELECT COUNT(*) FROM risk_cases c {}", where_sql(&conds)),
            &p,
        )
    }

    /// Open cases per level, red first: `[red, orange, yellow]`.
    pub fn case_level_counts(&self) -> Result<[u64; 3]> {
        let mut out = [0u64; 3];
        let mut stmt = self.conn().prepare_cached(
            "SELECT level_order, COUNT(*) FROM risk_cases WHERE status = 'open' GROUP BY level_order",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (order, n): (i64, i64) = (r.get(0)?, r.get(1)?);
            if let Some(slot) = usize::try_from(order).ok().and_then(|i| out.get_mut(i)) {
                *slot = n.max(0) as u64;
            }
        }
        Ok(out)
    }

    /// A page of actions: open ones first, each by deadline (the most overdue on top).
    pub fn actions_page(
        &self,
        filter: &ActionFilter,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<ActionRow>> {
        actions_page_q(self.conn(), filter, from, limit)
    }

    /// How many actions the filter finds.
    pub fn action_count(&self, filter: &ActionFilter) -> Result<u64> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let conds = filter.conds(&mut p);
        count(
            self.conn(),
            &format!("SELECT COUNT(*) {ACTION_FROM} {}", where_sql(&conds)),
            &p,
        )
    }

    /// One case by its number.
    pub fn case_by_number(&self, number: &str) -> Result<Option<CaseRow>> {
        case_by_number_q(self.conn(), number)
    }

    /// One case in full by its number.
    pub fn case_detail(&self, number: &str) -> Result<Option<CaseDetail>> {
        case_detail_q(self.conn(), number)
    }

    /// The open case of a loan's borrower, if any (the loan detail's Disposal tab).
    pub fn case_of_loan(&self, loan_id: i64) -> Result<Option<CaseRow>> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} {CASE_FROM}
                 WHERE c.status = 'open' AND c.borrower_id = (SELECT borrower_id FROM loans WHERE id = ?1)"
            ))?
            .query_row([loan_id], case_from)
            .optional()?)
    }

    /// Today: `user`'s open actions past their deadline on `today`, most overdue first.
    pub fn overdue_actions(
        &self,
        user: &str,
        today: NaiveDate,
        limit: usize,
    ) -> Result<Vec<ActionRow>> {
        let f = ActionFilter {
            owner: Some(user.to_string()),
            overdue_on: Some(today),
            ..ActionFilter::default()
        };
        actions_page_q(self.conn(), &f, &PageFrom::Start, limit)
    }

    /// Today: how many of `user`'s open actions are past their deadline.
    pub fn overdue_action_count(&self, user: &str, today: NaiveDate) -> Result<u64> {
        self.action_count(&ActionFilter {
            owner: Some(user.to_string()),
            overdue_on: Some(today),
            ..ActionFilter::default()
        })
    }

    /// Today (managers): open cases escalated to red still without an emergency plan,
    /// longest open first.
    pub fn emergency_cases(&self, limit: usize) -> Result<Vec<CaseRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM}
             WHERE c.status = 'open' AND c.emergency_needed = 1 ORDER BY c.opened_on, c.id LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], case_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Today (managers): how many cases need an emergency plan.
    pub fn emergency_case_count(&self) -> Result<u64> {
        count(
            self.conn(),
            "SELECT COUNT(*) FROM risk_cases WHERE status = 'open' AND emergency_needed = 1",
            &[],
        )
    }

    /// Today (supervisors): open cases whose level rose and none of whose loans has had a
    /// classification decision since — the classification review a rise asks for.
    pub fn class_reviews_due(&self, limit: usize) -> Result<Vec<CaseRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} {CASE_FROM}
             WHERE c.status = 'open' AND c.class_review_on IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM classification_history h JOIN loans l ON l.id = h.loan_id
                               WHERE l.borrower_id = c.borrower_id
                                 AND substr(h.decided_at, 1, 10) >= c.class_review_on)
             ORDER BY c.class_review_on, c.id LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], case_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Today (supervisors): how many such reviews are due.
    pub fn class_review_count(&self) -> Result<u64> {
        count(
            self.conn(),
            "SELECT COUNT(*) FROM risk_cases c
             WHERE c.status = 'open' AND c.class_review_on IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM classification_history h JOIN loans l ON l.id = h.loan_id
                               WHERE l.borrower_id = c.borrower_id
                                 AND substr(h.decided_at, 1, 10) >= c.class_review_on)",
            &[],
        )
    }
}

impl super::Tx<'_> {
    /// [`Store::case_detail`] inside a write transaction (the disposal record of a closing case).
    pub fn case_detail(&self, number: &str) -> Result<Option<CaseDetail>> {
        case_detail_q(self.conn(), number)
    }
}
