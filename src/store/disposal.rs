//! Disposal's writes, composed by `workflow::disposal` into its transactions: grouping open
//! warnings into one case per borrower and the nightly escalation (both set-based, a few
//! statements over the whole book), plans, actions, notes, progress reports and case history.

use super::disposal_pane::{PlanRow, case_by_number_q, plan_from};
use super::inspections::id_list;
use super::write::Tx;
use super::{Result, StoreError};
use crate::domain::TrackingFrequency;
use crate::domain::disposal::{ActionKind, ActionStatus, CaseStatus, PlanKind, PlanStatus};
use crate::domain::warning::Level;
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, params};

pub use super::disposal_pane::CaseRow;

/// A case whose level rose (by a worse signal joining, or by escalation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RaisedCase {
    #[serde(skip)]
    pub id: i64,
    pub number: String,
    pub from: Level,
    pub to: Level,
}

/// What grouping did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GroupReport {
    /// Cases opened.
    pub opened: u64,
    /// Warnings that joined a case (those of new cases too).
    pub joined: u64,
    pub raised: Vec<RaisedCase>,
}

/// A loan a case's level tightened: the case, the contract and the frequency now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingTightened {
    pub case_id: i64,
    pub contract_no: String,
    pub tightened: String,
}

/// What the nightly escalation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EscalationReport {
    pub as_of: String,
    /// Rectifications whose due date passed unfulfilled, now failed: (case, plan id).
    pub plans_failed: Vec<(String, i64)>,
    /// Cases raised to red and marked "emergency plan needed".
    pub escalated: Vec<String>,
    /// Of those, the ones whose level rose (the rest were red already).
    #[serde(skip)]
    pub raised: Vec<RaisedCase>,
    /// Actions of the failed rectifications still open (planned, in progress), now failed
    /// with the note `plan_failed`, in case then action order.
    pub actions_failed: Vec<i64>,
    /// Open actions past their deadline, book-wide.
    pub overdue_actions: u64,
    /// Open cases needing an emergency plan after the run.
    pub emergency_needed: u64,
}

/// A case as a command checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub id: i64,
    pub number: String,
    pub borrower_id: i64,
    pub level: Level,
    pub status: CaseStatus,
    pub officer: String,
    pub emergency_needed: bool,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// An action as a command checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionState {
    pub id: i64,
    pub case_id: i64,
    pub plan_id: Option<i64>,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub owner: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// A new action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction<'a> {
    pub case_id: i64,
    pub plan_id: Option<i64>,
    pub loan_id: Option<i64>,
    pub kind: ActionKind,
    pub title: &'a str,
    pub owner: &'a str,
    pub deadline: NaiveDate,
    pub source: &'a str,
}

/// A measure of an inspection report, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMeasure {
    /// Its code (`domain::inspection::Measure`).
    pub measure: String,
    pub deadline: Option<NaiveDate>,
    pub owner: Option<String>,
    pub note: String,
}

/// An inspection's loan, status and its current report's measures.
pub type InspectionMeasures = (i64, String, Vec<ReportMeasure>);

/// What still keeps a case open (closing is refused naming them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenItems {
    /// Number and indicator code of each open warning.
    pub warnings: Vec<(String, String)>,
    /// Id, kind code, title and status code of each open action.
    pub actions: Vec<(i64, String, String, String)>,
}

/// The book's meta key: the largest warning id a book-wide grouping has seen.
pub const GROUPED_TO: &str = "cases_grouped_to";

const ACTIVE: &str = "('open', 'acknowledged', 'in_disposal')";

fn level_sql(col: &str) -> String {
    format!("CASE {col} WHEN 0 THEN 'red' WHEN 1 THEN 'orange' ELSE 'yellow' END")
}

fn stale(what: String) -> StoreError {
    StoreError::Conflict(what)
}

impl Tx<'_> {
    /// Gathers every open warning not yet in a case into its borrower's open case, opening
    /// one where the borrower has none (level: the worst warning); raises a case whose new
    /// warnings are worse. `borrower`: only that borrower's warnings (a single raise), else
    /// the whole book in a few statements. Rising cases get a `level_raised` event and a
    /// classification review date; the caller plans their inspections.
    pub fn group_warnings(
        &mut self,
        as_of: NaiveDate,
        borrower: Option<i64>,
        actor: &str,
    ) -> Result<GroupReport> {
        let now = self.now().to_string();
        // A book-wide run reads only warnings after the last one's watermark: every open
        // warning up to it was gathered then (and a warning never reopens).
        let since: i64 = match borrower {
            Some(_) => 0,
            None => self
                .meta(GROUPED_TO)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        };
        let conn = self.conn();
        let only = if borrower.is_some() {
            "AND l.borrower_id = ?1"
        } else {
            "AND ?1 IS NULL"
        };
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS case_joining (
                 case_id INTEGER, warning_id INTEGER, number TEXT, level_order INTEGER);
             DELETE FROM temp.case_joining;",
        )?;
        // New cases for borrowers with unattached open warnings and no open case.
        let base: i64 = conn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM risk_cases")?
            .query_row([], |r| r.get(0))?;
        let opened = conn.execute(
            &format!(
                "INSERT INTO risk_cases (id, number, borrower_id, level, level_order, status, opened_on,
                     officer, created_at, created_by, updated_at, updated_by)
                 SELECT ?2 + g.n, 'CZ' || ?3 || '-' || printf('%06d', ?2 + g.n), g.borrower_id,
                     {level}, g.lo, 'open', ?4,
                     (SELECT officer FROM loans WHERE borrower_id = g.borrower_id
                      ORDER BY outstanding_fen DESC, id LIMIT 1),
                     ?5, ?6, ?5, ?6
                 FROM (SELECT l.borrower_id, MIN(w.level_order) AS lo,
                              ROW_NUMBER() OVER (ORDER BY l.borrower_id) AS n
                       FROM warnings w JOIN loans l ON l.id = w.loan_id
                       WHERE w.id > ?7 AND w.status IN {ACTIVE} {only}
                         AND NOT EXISTS (SELECT 1 FROM case_warnings cw WHERE cw.warning_id = w.id)
                         AND NOT EXISTS (SELECT 1 FROM risk_cases c
                                         WHERE c.borrower_id = l.borrower_id AND c.status = 'open')
                       GROUP BY l.borrower_id) g",
                level = level_sql("g.lo")
            ),
            params![borrower, base, as_of.year(), as_of, now, actor, since],
        )?;
        // Every unattached open warning joins its borrower's open case.
        let joined = conn.execute(
            &format!(
                "INSERT INTO temp.case_joining (case_id, warning_id, number, level_order)
                 SELECT c.id, w.id, w.number, w.level_order
                 FROM warnings w JOIN loans l ON l.id = w.loan_id
                 JOIN risk_cases c ON c.borrower_id = l.borrower_id AND c.status = 'open'
                 WHERE w.id > ?2 AND w.status IN {ACTIVE} {only}
                   AND NOT EXISTS (SELECT 1 FROM case_warnings cw WHERE cw.warning_id = w.id)"
            ),
            params![borrower, since],
        )?;
        conn.execute(
            "INSERT INTO case_warnings (case_id, warning_id, joined_on)
             SELECT case_id, warning_id, ?1 FROM temp.case_joining",
            params![as_of],
        )?;
        // A new case's history starts with its warnings in one line; a warning joining a
        // case already open is a line of its own.
        conn.execute(
            "INSERT INTO case_events (case_id, at, on_date, actor, event, ref, note)
             SELECT case_id, ?2, ?3, ?4, 'opened', '', COUNT(*) FROM temp.case_joining
             WHERE case_id > ?1 GROUP BY case_id ORDER BY case_id",
            params![base, now, as_of, actor],
        )?;
        conn.execute(
            "INSERT INTO case_events (case_id, at, on_date, actor, event, ref)
             SELECT case_id, ?2, ?3, ?4, 'warning_joined', number FROM temp.case_joining
             WHERE case_id <= ?1 ORDER BY case_id, warning_id",
            params![base, now, as_of, actor],
        )?;
        // Cases the joining warnings make worse.
        let raised: Vec<RaisedCase> = {
            let mut stmt = conn.prepare_cached(
                "SELECT c.id, c.number, c.level_order, j.lo FROM risk_cases c
                 JOIN (SELECT case_id, MIN(level_order) AS lo FROM temp.case_joining GROUP BY case_id) j
                   ON j.case_id = c.id
                 WHERE j.lo < c.level_order ORDER BY c.id",
            )?;
            let rows = stmt.query_map([], |r| {
                let from: i64 = r.get(2)?;
                let to: i64 = r.get(3)?;
                Ok(RaisedCase {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    from: Level::from_board_order(from).unwrap_or(Level::Yellow),
                    to: Level::from_board_order(to).unwrap_or(Level::Red),
                })
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        conn.execute("DELETE FROM temp.case_joining", [])?;
        for r in &raised {
            self.raise_case(r, as_of, actor, "")?;
        }
        if borrower.is_none() {
            let top: i64 = self
                .conn()
                .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM warnings")?
                .query_row([], |r| r.get(0))?;
            self.set_meta(GROUPED_TO, &top.to_string())?;
        }
        Ok(GroupReport {
            opened: opened as u64,
            joined: joined as u64,
            raised,
        })
    }

    /// Raises a case's level, asks for a classification review and records the event.
    fn raise_case(&mut self, r: &RaisedCase, on: NaiveDate, actor: &str, note: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE risk_cases SET level = ?2, level_order = ?3, class_review_on = ?4,
                     updated_at = ?5, updated_by = ?6, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![
                r.id,
                r.to.code(),
                r.to.board_order(),
                on,
                now,
                actor
            ])?;
        self.case_event(
            r.id,
            on,
            actor,
            "level_raised",
            &format!("{}>{}", r.from.code(), r.to.code()),
            note,
        )
    }

    /// The nightly check on `as_of`: approved rectifications past their due date fail; every
    /// open case with a failed rectification and no emergency plan under way or done goes to
    /// red with "emergency plan needed" (once: `escalated_on` is set). `only`: one case (a
    /// supervisor's "failed" takes effect at once). A few statements, whatever the book's size.
    pub fn escalate(
        &mut self,
        as_of: NaiveDate,
        only: Option<i64>,
        actor: &str,
    ) -> Result<EscalationReport> {
        let now = self.now().to_string();
        let case_only = if only.is_some() {
            "AND case_id = ?1"
        } else {
            "AND ?1 IS NULL"
        };
        let plans_failed: Vec<(i64, i64)> = {
            let mut stmt = self.conn().prepare(&format!(
                "UPDATE disposal_plans SET status = 'failed', reason = 'deadline', updated_at = ?3,
                     updated_by = ?4, version = version + 1
                 WHERE kind = 'rectification' AND status = 'approved' AND due_on < ?2 {case_only}
                 RETURNING case_id, id"
            ))?;
            let rows = stmt.query_map(params![only, as_of, now, actor], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            let mut v: Vec<(i64, i64)> = rows.collect::<rusqlite::Result<_>>()?;
            v.sort_unstable();
            v
        };
        let plan_ids: Vec<i64> = plans_failed.iter().map(|(_, p)| *p).collect();
        let actions_failed = self.fail_plan_actions(&plan_ids, as_of, actor)?;
        let failed_numbers = self.record_failed_plans(&plans_failed, as_of, &now, actor)?;
        let id_only = if only.is_some() {
            "AND c.id = ?1"
        } else {
            "AND ?1 IS NULL"
        };
        let to_escalate: Vec<(i64, String, i64)> = {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT DISTINCT c.id, c.number, c.level_order
                 FROM disposal_plans p JOIN risk_cases c ON c.id = p.case_id
                 WHERE p.kind = 'rectification' AND p.status = 'failed'
                   AND c.status = 'open' AND c.escalated_on IS NULL {id_only}
                   AND NOT EXISTS (SELECT 1 FROM disposal_plans e WHERE e.case_id = c.id
                               AND e.kind = 'emergency'
                               AND e.status IN ('submitted', 'approved', 'fulfilled'))
                 ORDER BY c.id"
            ))?;
            let rows = stmt.query_map(params![only], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut escalated = Vec::with_capacity(to_escalate.len());
        let mut raised = Vec::new();
        for (id, number, order) in to_escalate {
            let from = Level::from_board_order(order).unwrap_or(Level::Yellow);
            if from != Level::Red {
                raised.push(RaisedCase {
                    id,
                    number: number.clone(),
                    from,
                    to: Level::Red,
                });
            }
            escalated.push((id, number));
        }
        self.mark_escalated(&escalated, &raised, as_of, &now, actor)?;
        let overdue_actions: i64 = self
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM disposal_actions WHERE pane_key < ?1")?
            .query_row([format!("0|{as_of}")], |r| r.get(0))?;
        let emergency_needed: i64 = self
            .conn()
            .prepare_cached(
                "SELECT COUNT(*) FROM risk_cases WHERE status = 'open' AND emergency_needed = 1",
            )?
            .query_row([], |r| r.get(0))?;
        Ok(EscalationReport {
            as_of: as_of.to_string(),
            plans_failed: failed_numbers,
            escalated: escalated.into_iter().map(|(_, n)| n).collect(),
            raised,
            actions_failed,
            overdue_actions: overdue_actions.max(0) as u64,
            emergency_needed: emergency_needed.max(0) as u64,
        })
    }

    /// Fails the actions of the failed plans `plans` still open (planned, in progress), with
    /// the outcome `plan_failed` and an `action_fail` event each: two statements for the whole
    /// set. The caller refreshes the cases' deadlines. Returns the actions, in case then
    /// action order.
    pub fn fail_plan_actions(
        &mut self,
        plans: &[i64],
        as_of: NaiveDate,
        actor: &str,
    ) -> Result<Vec<i64>> {
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.now().to_string();
        let plans = id_list(plans);
        let mut failed: Vec<(i64, i64)> = {
            let mut stmt = self.conn().prepare_cached(
                "UPDATE disposal_actions SET status = 'failed', outcome = 'plan_failed',
                     updated_at = ?2, updated_by = ?3, version = version + 1
                 WHERE plan_id IN (SELECT value FROM json_each(?1))
                   AND status IN ('planned', 'in_progress')
                 RETURNING case_id, id",
            )?;
            let rows =
                stmt.query_map(params![plans, now, actor], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        failed.sort_unstable();
        let ids: Vec<i64> = failed.iter().map(|(_, a)| *a).collect();
        if !ids.is_empty() {
            self.conn()
                .prepare_cached(
                    "INSERT INTO case_events (case_id, at, on_date, actor, event, ref, note)
                     SELECT case_id, ?2, ?3, ?4, 'action_fail', '#' || id, 'plan_failed'
                     FROM disposal_actions WHERE id IN (SELECT value FROM json_each(?1))
                     ORDER BY case_id, id",
                )?
                .execute(params![id_list(&ids), now, as_of, actor])?;
        }
        Ok(ids)
    }

    /// The history of rectifications the nightly check failed: a `plan_failed` event per
    /// plan (in case, then plan order) and each case's next deadline again, a statement
    /// each for the whole set. Returns (case number, plan id) in that order.
    fn record_failed_plans(
        &mut self,
        failed: &[(i64, i64)],
        as_of: NaiveDate,
        now: &str,
        actor: &str,
    ) -> Result<Vec<(String, i64)>> {
        if failed.is_empty() {
            return Ok(Vec::new());
        }
        let plans = id_list(&failed.iter().map(|(_, p)| *p).collect::<Vec<_>>());
        let mut case_ids: Vec<i64> = failed.iter().map(|(c, _)| *c).collect();
        case_ids.dedup();
        let cases = id_list(&case_ids);
        self.conn()
            .prepare_cached(
                "INSERT INTO case_events (case_id, at, on_date, actor, event, ref, note)
                 SELECT case_id, ?2, ?3, ?4, 'plan_failed', CAST(id AS TEXT), 'deadline'
                 FROM disposal_plans WHERE id IN (SELECT value FROM json_each(?1))
                 ORDER BY case_id, id",
            )?
            .execute(params![plans, now, as_of, actor])?;
        self.refresh_case_deadlines(&cases)?;
        let numbers: std::collections::HashMap<i64, String> = {
            let mut stmt = self.conn().prepare_cached(
                "SELECT id, number FROM risk_cases WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let rows = stmt.query_map([&cases], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        failed
            .iter()
            .map(|(case_id, plan_id)| {
                numbers
                    .get(case_id)
                    .map(|n| (n.clone(), *plan_id))
                    .ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))
            })
            .collect()
    }

    /// Marks the cases "emergency plan needed" (escalated on `as_of`) and raises those in
    /// `raised` to red asking for a classification review, with their `escalated` and
    /// `level_raised` events: three statements for the whole set, whatever its size. A
    /// raised case's version goes up by two, as escalating then raising it does.
    fn mark_escalated(
        &mut self,
        escalated: &[(i64, String)],
        raised: &[RaisedCase],
        as_of: NaiveDate,
        now: &str,
        actor: &str,
    ) -> Result<()> {
        if escalated.is_empty() {
            return Ok(());
        }
        let cases = id_list(&escalated.iter().map(|(id, _)| *id).collect::<Vec<_>>());
        let raised_ids = id_list(&raised.iter().map(|r| r.id).collect::<Vec<_>>());
        self.conn()
            .prepare_cached(
                "INSERT INTO case_events (case_id, at, on_date, actor, event, ref, note)
                 SELECT value, ?2, ?3, ?4, 'escalated', '', 'rectification_failed'
                 FROM json_each(?1) ORDER BY value",
            )?
            .execute(params![cases, now, as_of, actor])?;
        // The events read the level before the update below raises it.
        self.conn()
            .prepare_cached(&format!(
                "INSERT INTO case_events (case_id, at, on_date, actor, event, ref, note)
                 SELECT id, ?2, ?3, ?4, 'level_raised', {} || '>red', 'rectification_failed'
                 FROM risk_cases WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
                level_sql("level_order")
            ))?
            .execute(params![raised_ids, now, as_of, actor])?;
        self.conn()
            .prepare_cached(
                "UPDATE risk_cases SET emergency_needed = 1, escalated_on = ?2,
                     class_review_on = CASE WHEN id IN (SELECT value FROM json_each(?5))
                                            THEN ?2 ELSE class_review_on END,
                     version = version + CASE WHEN id IN (SELECT value FROM json_each(?5))
                                              THEN 2 ELSE 1 END,
                     level = CASE WHEN id IN (SELECT value FROM json_each(?5))
                                  THEN 'red' ELSE level END,
                     level_order = CASE WHEN id IN (SELECT value FROM json_each(?5))
                                        THEN 0 ELSE level_order END,
                     updated_at = ?3, updated_by = ?4
                 WHERE id IN (SELECT value FROM json_each(?1))",
            )?
            .execute(params![cases, as_of, now, actor, raised_ids])?;
        Ok(())
    }

    /// [`Tx::refresh_case_deadline`] for a JSON array of case ids, in one statement.
    fn refresh_case_deadlines(&mut self, cases: &str) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE risk_cases SET next_deadline = MIN(COALESCE(a, p), COALESCE(p, a))
                 FROM (SELECT c.value AS case_id,
                              (SELECT MIN(deadline) FROM disposal_actions
                               WHERE case_id = c.value AND status IN ('planned', 'in_progress')) AS a,
                              (SELECT MIN(due_on) FROM disposal_plans
                               WHERE case_id = c.value AND status IN ('draft', 'submitted', 'approved')
                                 AND due_on IS NOT NULL) AS p
                       FROM json_each(?1) c) d
                 WHERE risk_cases.id = d.case_id",
            )?
            .execute([cases])?;
        Ok(())
    }

    /// Appends a step to a case's history.
    pub fn case_event(
        &mut self,
        case_id: i64,
        on: NaiveDate,
        actor: &str,
        event: &str,
        reference: &str,
        note: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO case_events (case_id, at, on_date, actor, event, ref, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![case_id, now, on, actor, event, reference, note])?;
        Ok(())
    }

    /// Sets a case's next deadline: its earliest open action deadline or open plan due date.
    pub fn refresh_case_deadline(&mut self, case_id: i64) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE risk_cases SET next_deadline = (
                     SELECT MIN(d) FROM (
                         SELECT deadline AS d FROM disposal_actions
                         WHERE case_id = ?1 AND status IN ('planned', 'in_progress')
                         UNION ALL
                         SELECT due_on FROM disposal_plans
                         WHERE case_id = ?1 AND status IN ('draft', 'submitted', 'approved')
                           AND due_on IS NOT NULL))
                 WHERE id = ?1",
            )?
            .execute([case_id])?;
        Ok(())
    }

    /// A case by number as this transaction sees it.
    pub fn case_state(&self, number: &str) -> Result<Option<CaseState>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, number, borrower_id, level_order, status, officer, emergency_needed,
                        version, updated_by, updated_at
                 FROM risk_cases WHERE number = ?1",
            )?
            .query_row([number.trim()], |r| {
                let number: String = r.get(1)?;
                let order: i64 = r.get(3)?;
                let status: String = r.get(4)?;
                Ok(CaseState {
                    id: r.get(0)?,
                    borrower_id: r.get(2)?,
                    level: Level::from_board_order(order).ok_or_else(|| {
                        super::warnings::corrupt(
                            3,
                            "risk case",
                            &number,
                            "level_order",
                            &order.to_string(),
                        )
                    })?,
                    status: CaseStatus::parse(&status).ok_or_else(|| {
                        super::warnings::corrupt(4, "risk case", &number, "status", &status)
                    })?,
                    officer: r.get(5)?,
                    emergency_needed: r.get::<_, i64>(6)? != 0,
                    version: r.get(7)?,
                    updated_by: r.get(8)?,
                    updated_at: r.get(9)?,
                    number,
                })
            })
            .optional()?)
    }

    /// A case row (with counts) by number, inside the transaction.
    pub fn case_row(&self, number: &str) -> Result<Option<CaseRow>> {
        case_by_number_q(self.conn(), number)
    }

    /// The case number of a case id.
    pub fn case_number_of(&self, case_id: i64) -> Result<String> {
        Ok(self
            .conn()
            .prepare_cached("SELECT number FROM risk_cases WHERE id = ?1")?
            .query_row([case_id], |r| r.get(0))?)
    }

    /// The open case of a borrower, if any.
    pub fn open_case_of_borrower(&self, borrower_id: i64) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT number FROM risk_cases WHERE borrower_id = ?1 AND status = 'open'",
            )?
            .query_row([borrower_id], |r| r.get(0))
            .optional()?)
    }

    /// The borrower of a loan.
    pub fn borrower_of_loan(&self, loan_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT borrower_id FROM loans WHERE id = ?1")?
            .query_row([loan_id], |r| r.get(0))
            .optional()?)
    }

    /// The case's largest loan with a balance (documents are kept with it), else its first.
    pub fn case_primary_loan(&self, case_id: i64) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT l.id FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
                 WHERE c.id = ?1 ORDER BY l.outstanding_fen DESC, l.id LIMIT 1",
            )?
            .query_row([case_id], |r| r.get(0))
            .optional()?)
    }

    /// [`Tx::case_primary_loan`] of each case: case id → loan id (a case without loans is
    /// left out), one statement for the set.
    pub fn case_primary_loans(
        &self,
        case_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.value, (SELECT l.id FROM loans l JOIN risk_cases rc ON rc.borrower_id = l.borrower_id
                              WHERE rc.id = c.value ORDER BY l.outstanding_fen DESC, l.id LIMIT 1)
             FROM json_each(?1) c",
        )?;
        let rows = stmt.query_map([id_list(case_ids)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
        })?;
        let mut out = std::collections::HashMap::with_capacity(case_ids.len());
        for row in rows {
            if let (case_id, Some(loan_id)) = row? {
                out.insert(case_id, loan_id);
            }
        }
        Ok(out)
    }

    /// The ids of the case's loans with a balance.
    pub fn case_loan_ids(&self, case_id: i64) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT l.id FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
             WHERE c.id = ?1 AND l.outstanding_fen > 0 ORDER BY l.id",
        )?;
        let rows = stmt.query_map([case_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A loan id by contract number, if it belongs to the case's borrower.
    pub fn case_loan_by_contract(&self, case_id: i64, contract_no: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT l.id FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
                 WHERE c.id = ?1 AND l.contract_no = ?2",
            )?
            .query_row(params![case_id, contract_no.trim()], |r| r.get(0))
            .optional()?)
    }

    /// What keeps a case open: its open warnings and open actions.
    pub fn case_open_items(&self, case_id: i64) -> Result<OpenItems> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT w.number, w.indicator FROM case_warnings cw JOIN warnings w ON w.id = cw.warning_id
             WHERE cw.case_id = ?1 AND w.status IN {ACTIVE} ORDER BY w.id LIMIT 20"
        ))?;
        let warnings = stmt
            .query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, kind, title, status FROM disposal_actions WHERE case_id = ?1
             AND status IN ('planned', 'in_progress') ORDER BY id LIMIT 20",
        )?;
        let actions = stmt
            .query_map([case_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(OpenItems { warnings, actions })
    }

    /// Closes a case at `version`.
    pub fn close_case(
        &mut self,
        case_id: i64,
        version: i64,
        on: NaiveDate,
        reason: &str,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE risk_cases SET status = 'closed', closed_on = ?3, close_reason = ?4,
                     emergency_needed = 0, next_deadline = NULL, updated_at = ?5, updated_by = ?6,
                     version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![case_id, version, on, reason, now, actor])?;
        if n == 0 {
            return Err(stale(format!("case {case_id}")));
        }
        Ok(())
    }

    /// Clears "emergency plan needed" (an emergency plan was approved).
    pub fn clear_emergency_needed(&mut self, case_id: i64, actor: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE risk_cases SET emergency_needed = 0, updated_at = ?2, updated_by = ?3,
                     version = version + 1 WHERE id = ?1 AND emergency_needed = 1",
            )?
            .execute(params![case_id, now, actor])?;
        Ok(())
    }

    /// Bumps a case's version (a change to one of its parts is a change to the case).
    pub fn touch_case(&mut self, case_id: i64, actor: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "UPDATE risk_cases SET updated_at = ?2, updated_by = ?3, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![case_id, now, actor])?;
        Ok(())
    }

    /// A plan by id as this transaction sees it.
    pub fn plan(&self, id: i64) -> Result<Option<PlanRow>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, case_id, kind, status, summary, due_on, arrived_on, arrival,
                        proposer, approver, decided_at, reason, created_at, updated_at, updated_by, version
                 FROM disposal_plans WHERE id = ?1",
            )?
            .query_row([id], plan_from)
            .optional()?)
    }

    /// The case's latest plan of `kind` in one of `statuses` (all kinds for `None`).
    pub fn latest_plan(
        &self,
        case_id: i64,
        kind: Option<PlanKind>,
        statuses: &[PlanStatus],
    ) -> Result<Option<PlanRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, case_id, kind, status, summary, due_on, arrived_on, arrival,
                    proposer, approver, decided_at, reason, created_at, updated_at, updated_by, version
             FROM disposal_plans WHERE case_id = ?1 ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([case_id], plan_from)?;
        for p in rows {
            let p = p?;
            if kind.is_none_or(|k| k == p.kind) && statuses.contains(&p.status) {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    /// Adds a plan; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_plan(
        &mut self,
        case_id: i64,
        kind: PlanKind,
        status: PlanStatus,
        summary: &str,
        due_on: Option<NaiveDate>,
        actor: &str,
    ) -> Result<i64> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO disposal_plans (case_id, kind, status, summary, due_on, proposer,
                     created_at, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?6)",
            )?
            .execute(params![
                case_id,
                kind.code(),
                status.code(),
                summary,
                due_on,
                actor,
                now
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Moves a plan at `version` to `to`; a decision (approve, reject) records the decider.
    pub fn move_plan(
        &mut self,
        id: i64,
        version: i64,
        to: PlanStatus,
        decider: Option<&str>,
        reason: &str,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE disposal_plans SET status = ?3,
                     approver = COALESCE(?4, approver),
                     decided_at = CASE WHEN ?4 IS NULL THEN decided_at ELSE ?6 END,
                     reason = CASE WHEN ?5 = '' THEN reason ELSE ?5 END,
                     updated_at = ?6, updated_by = ?7, version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![id, version, to.code(), decider, reason, now, actor])?;
        if n == 0 {
            return Err(stale(format!("plan {id}")));
        }
        Ok(())
    }

    /// Records an explanation's arrival and marks the plan fulfilled.
    pub fn record_arrival(
        &mut self,
        id: i64,
        version: i64,
        arrived_on: NaiveDate,
        summary: &str,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE disposal_plans SET status = 'fulfilled', arrived_on = ?3, arrival = ?4,
                     updated_at = ?5, updated_by = ?6, version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![id, version, arrived_on, summary, now, actor])?;
        if n == 0 {
            return Err(stale(format!("plan {id}")));
        }
        Ok(())
    }

    /// Adds an action; returns its id.
    pub fn insert_action(&mut self, a: &NewAction<'_>, actor: &str) -> Result<i64> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO disposal_actions (case_id, plan_id, loan_id, kind, title, owner, deadline,
                     source, created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?10)",
            )?
            .execute(params![
                a.case_id,
                a.plan_id,
                a.loan_id,
                a.kind.code(),
                a.title,
                a.owner,
                a.deadline,
                a.source,
                now,
                actor
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// An action by id as this transaction sees it.
    pub fn action_state(&self, id: i64) -> Result<Option<ActionState>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, case_id, plan_id, kind, status, owner, version, updated_by, updated_at
                 FROM disposal_actions WHERE id = ?1",
            )?
            .query_row([id], |r| {
                let row = id.to_string();
                let kind: String = r.get(3)?;
                let status: String = r.get(4)?;
                Ok(ActionState {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    plan_id: r.get(2)?,
                    kind: ActionKind::parse(&kind).ok_or_else(|| {
                        super::warnings::corrupt(3, "action", &row, "kind", &kind)
                    })?,
                    status: ActionStatus::parse(&status).ok_or_else(|| {
                        super::warnings::corrupt(4, "action", &row, "status", &status)
                    })?,
                    owner: r.get(5)?,
                    version: r.get(6)?,
                    updated_by: r.get(7)?,
                    updated_at: r.get(8)?,
                })
            })
            .optional()?)
    }

    /// Moves an action at `version` to `to`, with its outcome when one is given.
    pub fn move_action(
        &mut self,
        id: i64,
        version: i64,
        to: ActionStatus,
        outcome: &str,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE disposal_actions SET status = ?3,
                     outcome = CASE WHEN ?4 = '' THEN outcome ELSE ?4 END,
                     updated_at = ?5, updated_by = ?6, version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![id, version, to.code(), outcome, now, actor])?;
        if n == 0 {
            return Err(stale(format!("action {id}")));
        }
        Ok(())
    }

    /// Adds a progress note to an action (and bumps its version: a note is a change).
    pub fn action_note(
        &mut self,
        action_id: i64,
        version: i64,
        on: NaiveDate,
        note: &str,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let n = self
            .conn()
            .prepare_cached(
                "UPDATE disposal_actions SET updated_at = ?3, updated_by = ?4, version = version + 1
                 WHERE id = ?1 AND version = ?2",
            )?
            .execute(params![action_id, version, now, actor])?;
        if n == 0 {
            return Err(stale(format!("action {action_id}")));
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO action_notes (action_id, on_date, note, author, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![action_id, on, note, actor, now])?;
        Ok(())
    }

    /// The officers of a case's loans (its borrower's), each once: they may work the case.
    pub fn case_loan_officers(&self, case_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT DISTINCT l.officer FROM loans l JOIN risk_cases c ON c.borrower_id = l.borrower_id
             WHERE c.id = ?1 ORDER BY l.officer",
        )?;
        let rows = stmt.query_map([case_id], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The plan's actions: (all, done).
    pub fn plan_action_counts(&self, plan_id: i64) -> Result<(u64, u64)> {
        let (all, done): (i64, i64) = self
            .conn()
            .prepare_cached(
                "SELECT COUNT(*), COALESCE(SUM(status = 'done'), 0) FROM disposal_actions
                 WHERE plan_id = ?1 AND status <> 'cancelled'",
            )?
            .query_row([plan_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((all.max(0) as u64, done.max(0) as u64))
    }

    /// Adds a progress report; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_progress(
        &mut self,
        case_id: i64,
        on: NaiveDate,
        signal_now: &str,
        effect: &str,
        problems: &str,
        next_steps: &str,
        actor: &str,
    ) -> Result<i64> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO case_progress (case_id, on_date, signal_now, effect, problems, next_steps,
                     author, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                case_id, on, signal_now, effect, problems, next_steps, actor, now
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Tightens the case's loans to `to` where they are followed less often, remembering
    /// what they were (once per case and loan). Returns the contracts tightened.
    pub fn tighten_tracking(&mut self, case_id: i64, to: TrackingFrequency) -> Result<Vec<String>> {
        let loans: Vec<(i64, String, String)> = {
            let mut stmt = self.conn().prepare_cached(
                "SELECT l.id, l.contract_no, l.tracking_frequency FROM loans l
                 JOIN risk_cases c ON c.borrower_id = l.borrower_id
                 WHERE c.id = ?1 AND l.outstanding_fen > 0
                   AND NOT EXISTS (SELECT 1 FROM case_tracking t WHERE t.case_id = c.id AND t.loan_id = l.id)
                 ORDER BY l.id",
            )?;
            let rows = stmt.query_map([case_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut done = Vec::new();
        for (loan_id, contract, freq) in loans {
            let looser = TrackingFrequency::parse(&freq).is_none_or(|f| f.months() > to.months());
            if !looser {
                continue;
            }
            self.conn()
                .prepare_cached(
                    "INSERT INTO case_tracking (case_id, loan_id, previous, tightened) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![case_id, loan_id, freq, to.code()])?;
            self.conn()
                .prepare_cached("UPDATE loans SET tracking_frequency = ?2 WHERE id = ?1")?
                .execute(params![loan_id, to.code()])?;
            self.refresh_followup(loan_id)?;
            done.push(contract);
        }
        Ok(done)
    }

    /// Tightens the loans (with a balance) of open orange and red cases (`only`: one case)
    /// that are followed less often than their case's level asks, in a few statements for the
    /// whole set; each loan's earlier frequency is kept in `case_tracking` (the first one, if
    /// the case tightened it before) for closing to restore. Each changed loan's next
    /// follow-up is recomputed. Returns the changes in case then loan order.
    pub fn tighten_tracking_by_level(
        &mut self,
        orange: TrackingFrequency,
        red: TrackingFrequency,
        only: Option<i64>,
    ) -> Result<Vec<TrackingTightened>> {
        const MONTHS: &str = "CASE {f} WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3
                              WHEN 'semiannual' THEN 6 WHEN 'annual' THEN 12 ELSE 99 END";
        let months = |f: &str| MONTHS.replace("{f}", f);
        let target = "CASE c.level_order WHEN 0 THEN ?1 ELSE ?2 END";
        let only_sql = if only.is_some() {
            "AND c.id = ?3"
        } else {
            "AND ?3 IS NULL"
        };
        let mut rows: Vec<(i64, i64, String)> = {
            let mut stmt = self.conn().prepare(&format!(
                "INSERT INTO case_tracking (case_id, loan_id, previous, tightened)
                 SELECT c.id, l.id, l.tracking_frequency, {target}
                 FROM risk_cases c JOIN loans l ON l.borrower_id = c.borrower_id
                 WHERE c.status = 'open' AND c.level_order IN (0, 1) {only_sql}
                   AND l.outstanding_fen > 0
                   AND {lm} > {tm}
                 ON CONFLICT (case_id, loan_id) DO UPDATE SET tightened = excluded.tightened
                 RETURNING case_id, loan_id, tightened",
                lm = months("l.tracking_frequency"),
                tm = months(target),
            ))?;
            let rows = stmt.query_map(params![red.code(), orange.code(), only], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        rows.sort_unstable();
        let mut out = Vec::with_capacity(rows.len());
        for (case_id, loan_id, tightened) in rows {
            let contract_no: String = self
                .conn()
                .prepare_cached(
                    "UPDATE loans SET tracking_frequency = ?2 WHERE id = ?1 RETURNING contract_no",
                )?
                .query_row(params![loan_id, tightened], |r| r.get(0))?;
            self.refresh_followup(loan_id)?;
            out.push(TrackingTightened {
                case_id,
                contract_no,
                tightened,
            });
        }
        Ok(out)
    }

    /// Restores the frequencies a case tightened (where nobody changed them since). Returns
    /// the contracts restored.
    pub fn restore_tracking(&mut self, case_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(i64, String, String, String, String)> = {
            let mut stmt = self.conn().prepare_cached(
                "SELECT t.loan_id, l.contract_no, t.previous, t.tightened, l.tracking_frequency
                 FROM case_tracking t JOIN loans l ON l.id = t.loan_id
                 WHERE t.case_id = ?1 ORDER BY t.loan_id",
            )?;
            let rows = stmt.query_map([case_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut done = Vec::new();
        for (loan_id, contract, previous, tightened, now) in rows {
            if now != tightened {
                continue;
            }
            self.conn()
                .prepare_cached("UPDATE loans SET tracking_frequency = ?2 WHERE id = ?1")?
                .execute(params![loan_id, previous])?;
            self.refresh_followup(loan_id)?;
            done.push(contract);
        }
        Ok(done)
    }

    /// An inspection's loan and status, and the measures of its current report.
    pub fn approved_measures(&self, inspection_number: &str) -> Result<Option<InspectionMeasures>> {
        let found: Option<(i64, i64, String, i64)> = self
            .conn()
            .prepare_cached(
                "SELECT id, loan_id, status, report_version FROM inspections WHERE number = ?1",
            )?
            .query_row([inspection_number.trim()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((id, loan_id, status, rv)) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn().prepare_cached(
            "SELECT measure, deadline, owner, note FROM inspection_measures
             WHERE inspection_id = ?1 AND report_version = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![id, rv], |r| {
            let deadline: Option<String> = r.get(1)?;
            Ok(ReportMeasure {
                measure: r.get(0)?,
                deadline: deadline.and_then(|d| d.parse::<NaiveDate>().ok()),
                owner: r.get(2)?,
                note: r.get(3)?,
            })
        })?;
        let measures = rows.collect::<rusqlite::Result<_>>()?;
        Ok(Some((loan_id, status, measures)))
    }

    /// Whether actions already came from this source (an inspection's measures turn once).
    pub fn actions_from_source(&self, case_id: i64, source: &str) -> Result<u64> {
        let n: i64 = self
            .conn()
            .prepare_cached(
                "SELECT COUNT(*) FROM disposal_actions WHERE case_id = ?1 AND source = ?2",
            )?
            .query_row(params![case_id, source], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// A plan's actions, by deadline (the measures a notice lists).
    pub fn plan_actions(&self, plan_id: i64) -> Result<Vec<super::disposal_pane::ActionRow>> {
        super::disposal_pane::plan_actions_q(self.conn(), plan_id)
    }

    /// How many documents of `kind` were issued in `year` (for numbering).
    pub fn document_count_like(&self, prefix: &str) -> Result<i64> {
        Ok(self
            .conn()
            .prepare_cached("SELECT COUNT(*) FROM documents WHERE number LIKE ?1 || '%'")?
            .query_row([prefix], |r| r.get(0))?)
    }
}
