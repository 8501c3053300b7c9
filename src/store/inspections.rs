//! Inspections as stored: the list (due date first, paged by keyset on `(due_on, id)`), one
//! inspection with its report per version, measures, evidence and review history, the
//! writes the workflow composes, and the plan's set-based chunks for the nightly batch.

use super::warnings::corrupt;
use super::write::Tx;
use super::{PageFrom, PageKey, Result, Store, StoreError};
use crate::domain::inspection::{
    InspectionKind, InspectionMode, InspectionStatus, Measure, MeasureEntry, inspection_number,
};
use crate::domain::{Classification, Role};
use chrono::{Datelike, NaiveDate};
use rusqlite::{OptionalExtension, ToSql, params};

/// Which inspections the list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InspectionQuery {
    /// Only open ones (planned, draft, returned) due on or before this day.
    pub due_by: Option<NaiveDate>,
    /// Only open ones due before this day (overdue).
    pub overdue_on: Option<NaiveDate>,
    pub officer: Option<String>,
    pub status: Option<InspectionStatus>,
    pub kind: Option<InspectionKind>,
    /// Only those this user is the officer, author or reviewer of.
    pub mine: Option<String>,
    pub loan_id: Option<i64>,
    /// Only those not yet approved (the Inspections pane's default).
    pub active: bool,
    /// Only open ones due on or after this day (with `due_by`: a window).
    pub due_from: Option<NaiveDate>,
    /// Only submitted reports this user, of this role, may approve now (mirrors
    /// `workflow::inspection::approve`: not their own; a first approval by a supervisor or
    /// manager; a second one by a manager who did not give the first).
    pub to_review_by: Option<(String, Role)>,
    /// Only reports returned to this user (their author or the loan's officer).
    pub returned_for: Option<String>,
    /// Leaves out the reports returned to this user (Today counts them once, as returned).
    pub except_returned_for: Option<String>,
    /// What Today's inspections block counts for one user (any of its parts).
    pub today_of: Option<Box<TodayInspections>>,
}

/// Today's inspections for one user: returned to them, overdue, due within the window, and to
/// review. Specialists see their own due and overdue ones, supervisors and managers the team's.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayInspections {
    pub user: String,
    pub role: Role,
    /// Due and overdue ones of everyone (a supervisor's or manager's team), not only the user's.
    pub team: bool,
    /// The book's day: due before it is overdue.
    pub today: NaiveDate,
    /// The last day of the due window (today + `[today] inspections_due_within_days`).
    pub due_by: NaiveDate,
}

/// A part of Today's inspections block, in the order it lists them (`as usize`: its index
/// in [`TodayPart::ALL`] and in the counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodayPart {
    Returned = 0,
    Overdue = 1,
    Due = 2,
    ToReview = 3,
}

impl TodayPart {
    pub const ALL: [TodayPart; 4] = [
        TodayPart::Returned,
        TodayPart::Overdue,
        TodayPart::Due,
        TodayPart::ToReview,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TodayPart::Returned => "returned",
            TodayPart::Overdue => "overdue",
            TodayPart::Due => "due",
            TodayPart::ToReview => "to_review",
        }
    }
}

impl TodayInspections {
    /// The query of one part; the parts do not overlap.
    pub fn part(&self, part: TodayPart) -> InspectionQuery {
        let officer = (!self.team).then(|| self.user.clone());
        let except = Some(self.user.clone());
        match part {
            TodayPart::Returned => InspectionQuery {
                returned_for: Some(self.user.clone()),
                ..InspectionQuery::default()
            },
            TodayPart::Overdue => InspectionQuery {
                overdue_on: Some(self.today),
                officer,
                except_returned_for: except,
                ..InspectionQuery::default()
            },
            TodayPart::Due => InspectionQuery {
                due_from: Some(self.today),
                due_by: Some(self.due_by),
                officer,
                except_returned_for: except,
                ..InspectionQuery::default()
            },
            TodayPart::ToReview => InspectionQuery {
                to_review_by: Some((self.user.clone(), self.role)),
                ..InspectionQuery::default()
            },
        }
    }
}

impl InspectionQuery {
    fn where_clause(&self, p: &mut Vec<Box<dyn ToSql>>) -> Vec<String> {
        let mut c = Vec::new();
        const OPEN: &str = "status IN ('planned', 'draft', 'returned')";
        if let Some(d) = self.due_by {
            p.push(Box::new(d));
            c.push(format!("{OPEN} AND due_on <= ?{}", p.len()));
        }
        if let Some(d) = self.overdue_on {
            p.push(Box::new(d));
            c.push(format!("{OPEN} AND due_on < ?{}", p.len()));
        }
        if let Some(o) = &self.officer {
            p.push(Box::new(o.clone()));
            c.push(format!("officer = ?{}", p.len()));
        }
        if let Some(s) = self.status {
            p.push(Box::new(s.code()));
            c.push(format!("status = ?{}", p.len()));
        }
        if let Some(k) = self.kind {
            p.push(Box::new(k.code()));
            c.push(format!("kind = ?{}", p.len()));
        }
        if let Some(u) = &self.mine {
            p.push(Box::new(u.clone()));
            let i = p.len();
            c.push(format!(
                "(officer = ?{i} OR author = ?{i} OR reviewer = ?{i} OR second_reviewer = ?{i})"
            ));
        }
        if self.active {
            c.push("status <> 'approved'".to_string());
        }
        if let Some(id) = self.loan_id {
            p.push(Box::new(id));
            c.push(format!("loan_id = ?{}", p.len()));
        }
        if let Some(d) = self.due_from {
            p.push(Box::new(d));
            c.push(format!("{OPEN} AND due_on >= ?{}", p.len()));
        }
        if let Some((user, role)) = &self.to_review_by {
            p.push(Box::new(user.clone()));
            let i = p.len();
            // Nobody approves their own; a first approval is a supervisor's or a manager's, the
            // second (of a large loan) a manager's who did not give the first.
            let own = format!("status = 'submitted' AND COALESCE(author, '') <> ?{i}");
            c.push(match role {
                Role::Supervisor => format!("{own} AND approvals_done = 0"),
                Role::Manager => format!(
                    "{own} AND (approvals_done = 0 OR (approvals_done < approvals_needed \
                     AND COALESCE(reviewer, '') <> ?{i}))"
                ),
                // Reviews nothing: no row (the parameter is still used, as SQLite wants).
                Role::Specialist | Role::Auditor => format!("0 AND ?{i} IS NOT NULL"),
            });
        }
        if let Some(u) = &self.returned_for {
            p.push(Box::new(u.clone()));
            let i = p.len();
            c.push(format!(
                "status = 'returned' AND (author = ?{i} OR officer = ?{i})"
            ));
        }
        if let Some(u) = &self.except_returned_for {
            p.push(Box::new(u.clone()));
            let i = p.len();
            c.push(format!(
                "NOT (status = 'returned' AND (COALESCE(author, '') = ?{i} OR officer = ?{i}))"
            ));
        }
        if let Some(t) = &self.today_of {
            let parts: Vec<String> = TodayPart::ALL
                .iter()
                .map(|part| {
                    let conds = t.part(*part).where_clause(p);
                    format!("({})", conds.join(" AND "))
                })
                .collect();
            c.push(format!("({})", parts.join(" OR ")));
        }
        c
    }
}

/// A row of Today's inspections block: the list row, its part, and what the part shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayInspectionRow {
    pub row: InspectionRow,
    pub part: TodayPart,
    pub approvals_done: i64,
    pub approvals_needed: i64,
    /// The start of the return comment (a returned report).
    pub return_comment: String,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InspectionRow {
    pub id: i64,
    pub number: String,
    pub loan_id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    pub kind: InspectionKind,
    pub mode: InspectionMode,
    pub due_on: NaiveDate,
    pub status: InspectionStatus,
    pub author: Option<String>,
    pub reviewer: Option<String>,
    /// The row's version when read: an edit made from this row carries it.
    pub version: i64,
}

impl InspectionRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: super::sqlval::SortValue::Text(self.due_on.to_string()),
            id: self.id,
        }
    }
}

/// An inspection in full, with what the list row does not carry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Inspection {
    #[serde(flatten)]
    pub row: InspectionRow,
    pub focus: String,
    pub inspected_on: Option<NaiveDate>,
    pub inspectors: String,
    pub second_reviewer: Option<String>,
    pub approvals_needed: i64,
    pub approvals_done: i64,
    pub report_version: i64,
    pub proposed_class: Option<Classification>,
    pub return_comment: String,
    pub submitted_on: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub updated_at: String,
    pub updated_by: String,
}

/// One step of an inspection's review history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewEvent {
    pub report_version: i64,
    pub at: String,
    pub on_date: NaiveDate,
    pub actor: String,
    pub event: String,
    pub comment: String,
}

/// A file attached to an inspection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvidenceRow {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

/// A new inspection to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInspection<'a> {
    pub loan_id: i64,
    pub kind: InspectionKind,
    pub mode: InspectionMode,
    pub due_on: NaiveDate,
    pub status: InspectionStatus,
    pub focus: &'a str,
    pub inspected_on: Option<NaiveDate>,
    pub inspectors: &'a str,
    pub author: Option<&'a str>,
    /// The year of its number.
    pub year: i32,
}

const ROW_COLUMNS: &str = "id, number, loan_id, contract_no, borrower_name, officer, kind, mode,
    due_on, status, author, reviewer, version";

fn code<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    let number: String = r.get(1)?;
    parse(&text).ok_or_else(|| corrupt(idx, "inspection", &number, column, &text))
}

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<InspectionRow> {
    Ok(InspectionRow {
        id: r.get(0)?,
        number: r.get(1)?,
        loan_id: r.get(2)?,
        contract_no: r.get(3)?,
        borrower_name: r.get(4)?,
        officer: r.get(5)?,
        kind: code(r, 6, "kind", InspectionKind::parse)?,
        mode: code(r, 7, "mode", InspectionMode::parse)?,
        due_on: r.get(8)?,
        status: code(r, 9, "status", InspectionStatus::parse)?,
        author: r.get(10)?,
        reviewer: r.get(11)?,
        version: r.get(12)?,
    })
}

fn inspection_q(conn: &rusqlite::Connection, id: i64) -> Result<Option<Inspection>> {
    let sql = format!(
        "SELECT {ROW_COLUMNS}, focus, inspected_on, inspectors, second_reviewer, approvals_needed,
         approvals_done, report_version, proposed_class, return_comment, submitted_on, approved_on,
         updated_at, updated_by FROM inspections WHERE id = ?1"
    );
    Ok(conn
        .query_row(&sql, [id], |r| {
            let class: Option<String> = r.get(20)?;
            let proposed_class = match class {
                Some(c) => Some(code(r, 20, "proposed_class", Classification::parse)?)
                    .filter(|_| !c.is_empty()),
                None => None,
            };
            Ok(Inspection {
                row: row_from(r)?,
                focus: r.get(13)?,
                inspected_on: r.get(14)?,
                inspectors: r.get(15)?,
                second_reviewer: r.get(16)?,
                approvals_needed: r.get(17)?,
                approvals_done: r.get(18)?,
                report_version: r.get(19)?,
                proposed_class,
                return_comment: r.get(21)?,
                submitted_on: r.get(22)?,
                approved_on: r.get(23)?,
                updated_at: r.get(24)?,
                updated_by: r.get(25)?,
            })
        })
        .optional()?)
}

fn id_by_number(conn: &rusqlite::Connection, number: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM inspections WHERE number = ?1",
            [number.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

fn sections_q(conn: &rusqlite::Connection, id: i64, rv: i64) -> Result<Vec<(u8, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT section, body FROM inspection_sections WHERE inspection_id = ?1 AND report_version = ?2
         ORDER BY section",
    )?;
    let rows = stmt.query_map(params![id, rv], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn measures_q(conn: &rusqlite::Connection, id: i64, rv: i64) -> Result<Vec<MeasureEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT measure, deadline, owner, note FROM inspection_measures
         WHERE inspection_id = ?1 AND report_version = ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id, rv], |r| {
        let m: String = r.get(0)?;
        Ok(MeasureEntry {
            measure: Measure::parse(&m).ok_or_else(|| {
                corrupt(
                    0,
                    "inspection_measures of inspection",
                    &id.to_string(),
                    "measure",
                    &m,
                )
            })?,
            deadline: r.get(1)?,
            owner: r.get(2)?,
            note: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// A page of the list: by due date (overdue first), then by id.
    pub fn inspection_page(
        &self,
        q: &InspectionQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<InspectionRow>> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let mut conds = q.where_clause(&mut p);
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
            conds.push(format!("(due_on, id) {op} (?{v}, ?{})", p.len()));
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let dir = if backwards { "DESC" } else { "ASC" };
        p.push(Box::new(limit as i64));
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM inspections {where_sql} ORDER BY due_on {dir}, id {dir} LIMIT ?{}",
            p.len()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            row_from,
        )?;
        let mut out: Vec<InspectionRow> = rows.collect::<Result<_, _>>()?;
        if backwards {
            out.reverse();
        }
        Ok(out)
    }

    pub fn inspection_count(&self, q: &InspectionQuery) -> Result<u64> {
        let mut p: Vec<Box<dyn ToSql>> = Vec::new();
        let conds = q.where_clause(&mut p);
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        let n: i64 = self.conn().query_row(
            &format!("SELECT COUNT(*) FROM inspections {where_sql}"),
            rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Today's inspections block: the count of each part (in [`TodayPart::ALL`] order).
    pub fn today_inspection_counts(&self, t: &TodayInspections) -> Result<[u64; 4]> {
        let mut out = [0; 4];
        for (i, part) in TodayPart::ALL.iter().enumerate() {
            out[i] = self.inspection_count(&t.part(*part))?;
        }
        Ok(out)
    }

    /// Today's inspections block: its first `limit` rows, the parts in order (to review
    /// first for a reviewer), each by due date; one query with a LIMIT per part, stopping when `limit` rows are read.
    pub fn today_inspection_rows(
        &self,
        t: &TodayInspections,
        limit: usize,
    ) -> Result<Vec<TodayInspectionRow>> {
        let mut out = Vec::new();
        // Reviewing is a supervisor's or manager's first job: their reports to review lead
        // (a team's many overdue rows would otherwise leave them only as a count).
        let order = if matches!(t.role, Role::Supervisor | Role::Manager) {
            [
                TodayPart::ToReview,
                TodayPart::Returned,
                TodayPart::Overdue,
                TodayPart::Due,
            ]
        } else {
            TodayPart::ALL
        };
        for part in order {
            let left = limit.saturating_sub(out.len());
            if left == 0 {
                break;
            }
            let mut p: Vec<Box<dyn ToSql>> = Vec::new();
            let conds = t.part(part).where_clause(&mut p);
            p.push(Box::new(left as i64));
            let sql = format!(
                "SELECT {ROW_COLUMNS}, approvals_done, approvals_needed, substr(return_comment, 1, 80)
                 FROM inspections WHERE {} ORDER BY due_on, id LIMIT ?{}",
                conds.join(" AND "),
                p.len()
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let rows = stmt.query_map(
                rusqlite::params_from_iter(p.iter().map(|b| b.as_ref())),
                |r| {
                    Ok(TodayInspectionRow {
                        row: row_from(r)?,
                        part,
                        approvals_done: r.get(13)?,
                        approvals_needed: r.get(14)?,
                        return_comment: r.get(15)?,
                    })
                },
            )?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }

    /// The day the loan's last inspection other than `except` was done (submitted or
    /// approved): the facts panel's "at the last inspection".
    pub fn last_inspection_on(&self, loan_id: i64, except: i64) -> Result<Option<NaiveDate>> {
        Ok(self.conn().query_row(
            "SELECT MAX(COALESCE(inspected_on, submitted_on)) FROM inspections
             WHERE loan_id = ?1 AND id <> ?2 AND status IN ('submitted', 'approved')",
            params![loan_id, except],
            |r| r.get(0),
        )?)
    }

    pub fn inspection(&self, id: i64) -> Result<Option<Inspection>> {
        inspection_q(self.conn(), id)
    }

    pub fn inspection_by_number(&self, number: &str) -> Result<Option<Inspection>> {
        match id_by_number(self.conn(), number)? {
            Some(id) => self.inspection(id),
            None => Ok(None),
        }
    }

    /// The report's sections of `report_version`: (1 … 9, text), filled ones only.
    pub fn inspection_sections(&self, id: i64, report_version: i64) -> Result<Vec<(u8, String)>> {
        sections_q(self.conn(), id, report_version)
    }

    pub fn inspection_measures(&self, id: i64, report_version: i64) -> Result<Vec<MeasureEntry>> {
        measures_q(self.conn(), id, report_version)
    }

    pub fn inspection_evidence(&self, id: i64) -> Result<Vec<EvidenceRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT e.sha256, f.size, f.media_type, e.file_name, e.note, e.created_at, e.created_by
             FROM inspection_evidence e JOIN evidence_files f ON f.sha256 = e.sha256
             WHERE e.inspection_id = ?1 ORDER BY e.id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(EvidenceRow {
                sha256: r.get(0)?,
                size: r.get(1)?,
                media_type: r.get(2)?,
                file_name: r.get(3)?,
                note: r.get(4)?,
                created_at: r.get(5)?,
                created_by: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn inspection_reviews(&self, id: i64) -> Result<Vec<ReviewEvent>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT report_version, at, on_date, actor, event, comment FROM inspection_reviews
             WHERE inspection_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(ReviewEvent {
                report_version: r.get(0)?,
                at: r.get(1)?,
                on_date: r.get(2)?,
                actor: r.get(3)?,
                event: r.get(4)?,
                comment: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The numbers of the warnings an inspection answers.
    pub fn inspection_warnings(&self, id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT w.number FROM inspection_warnings iw JOIN warnings w ON w.id = iw.warning_id
             WHERE iw.inspection_id = ?1 ORDER BY w.id",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// An inspection's state inside a write transaction: what a move or edit checks, and who
/// last changed it (named when a stale edit is refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionState {
    pub id: i64,
    pub number: String,
    pub loan_id: i64,
    pub kind: InspectionKind,
    pub status: InspectionStatus,
    pub author: Option<String>,
    pub reviewer: Option<String>,
    pub approvals_needed: i64,
    pub approvals_done: i64,
    pub report_version: i64,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// Which loans [`Tx::plan_chunk`] and [`Tx::plan_loans`] read the facts of.
enum FactScope<'a> {
    /// Ids above the first, up to and including the second.
    Range(i64, i64),
    /// A JSON array of ids.
    Ids(&'a str),
}

impl FactScope<'_> {
    fn sql(&self, col: &str) -> String {
        match self {
            FactScope::Range(..) => format!("{col} > ?1 AND {col} <= ?2"),
            FactScope::Ids(_) => format!("{col} IN (SELECT value FROM json_each(?1))"),
        }
    }

    fn params(&self) -> Vec<&dyn ToSql> {
        match self {
            FactScope::Range(after, last) => vec![after as &dyn ToSql, last],
            FactScope::Ids(list) => vec![list as &dyn ToSql],
        }
    }
}

/// Ids as a JSON array, for `json_each` (one bound value, whatever the count).
pub(crate) fn id_list(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}

/// One loan as the plan reads it: its facts and the planned rows it already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLoan {
    pub loan_id: i64,
    pub disbursed_on: NaiveDate,
    pub class: Classification,
    pub first_done: bool,
    pub last_done_on: Option<NaiveDate>,
    pub signal_on: Option<NaiveDate>,
    /// Kinds with an inspection under way (draft, returned, submitted): no plan row for them.
    pub in_progress: Vec<InspectionKind>,
    /// The planned rows: (kind, id, due).
    pub planned: Vec<(InspectionKind, i64, NaiveDate)>,
}

/// What one chunk of the plan changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PlanCounts {
    pub loans: u64,
    pub added: u64,
    pub moved: u64,
    pub removed: u64,
    pub unchanged: u64,
}

impl Tx<'_> {
    pub fn inspection_in_tx(&self, id: i64) -> Result<Option<InspectionState>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, number, loan_id, kind, status, author, reviewer, approvals_needed,
                 approvals_done, report_version, version, updated_by, updated_at
                 FROM inspections WHERE id = ?1",
                [id],
                |r| {
                    Ok(InspectionState {
                        id: r.get(0)?,
                        number: r.get(1)?,
                        loan_id: r.get(2)?,
                        kind: code(r, 3, "kind", InspectionKind::parse)?,
                        status: code(r, 4, "status", InspectionStatus::parse)?,
                        author: r.get(5)?,
                        reviewer: r.get(6)?,
                        approvals_needed: r.get(7)?,
                        approvals_done: r.get(8)?,
                        report_version: r.get(9)?,
                        version: r.get(10)?,
                        updated_by: r.get(11)?,
                        updated_at: r.get(12)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn inspection_id(&self, number: &str) -> Result<Option<i64>> {
        id_by_number(self.conn(), number)
    }

    /// The loan's id and outstanding balance (TEXT, exact), by contract number.
    pub fn loan_for_inspection(&self, contract_no: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, outstanding FROM loans WHERE contract_no = ?1",
                [contract_no.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    pub fn loan_outstanding(&self, loan_id: i64) -> Result<String> {
        Ok(self.conn().query_row(
            "SELECT outstanding FROM loans WHERE id = ?1",
            [loan_id],
            |r| r.get(0),
        )?)
    }

    /// The planned inspection of a loan and kind, if the plan has one.
    pub fn planned_inspection(&self, loan_id: i64, kind: InspectionKind) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id FROM inspections WHERE loan_id = ?1 AND kind = ?2 AND status = 'planned'",
            )?
            .query_row(params![loan_id, kind.code()], |r| r.get(0))
            .optional()?)
    }

    /// Writes a new inspection; returns (id, number).
    pub fn insert_inspection(
        &mut self,
        n: &NewInspection<'_>,
        actor: &str,
    ) -> Result<(i64, String)> {
        let labels = self.loan_labels(n.loan_id)?;
        let id: i64 = self
            .conn()
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM inspections")?
            .query_row([], |r| r.get(0))?;
        let number = inspection_number(n.year, id);
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO inspections (id, number, loan_id, contract_no, borrower_name, officer, kind,
                 mode, due_on, status, focus, inspected_on, inspectors, author, created_at, created_by,
                 updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15, ?16)",
            )?
            .execute(params![
                id,
                number,
                n.loan_id,
                labels.contract_no,
                labels.borrower_name,
                labels.officer,
                n.kind.code(),
                n.mode.code(),
                n.due_on,
                n.status.code(),
                n.focus,
                n.inspected_on,
                n.inspectors,
                n.author,
                now,
                actor
            ])?;
        Ok((id, number))
    }

    /// Changes an inspection's columns, checking the version read by the caller (no lost
    /// update). `set` names columns of this module's own choosing, never user text.
    pub fn update_inspection(
        &mut self,
        id: i64,
        version: i64,
        set: &[(&'static str, &dyn ToSql)],
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let mut p: Vec<&dyn ToSql> = vec![&id, &version, &now, &actor];
        let mut cols = String::new();
        for (col, v) in set {
            p.push(*v);
            cols.push_str(&format!("{col} = ?{}, ", p.len()));
        }
        let sql = format!(
            "UPDATE inspections SET {cols}updated_at = ?3, updated_by = ?4, version = version + 1
             WHERE id = ?1 AND version = ?2"
        );
        let n = self
            .conn()
            .prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(p))?;
        if n == 0 {
            return Err(StoreError::Conflict(format!("inspection {id}")));
        }
        Ok(())
    }

    pub fn write_section(
        &mut self,
        id: i64,
        rv: i64,
        section: u8,
        body: &str,
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO inspection_sections (inspection_id, report_version, section, body, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (inspection_id, report_version, section)
                 DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )?
            .execute(params![id, rv, section, body, now, actor])?;
        Ok(())
    }

    pub fn sections_in_tx(&self, id: i64, rv: i64) -> Result<Vec<(u8, String)>> {
        sections_q(self.conn(), id, rv)
    }

    pub fn add_measure(&mut self, id: i64, rv: i64, m: &MeasureEntry, actor: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO inspection_measures (inspection_id, report_version, measure, deadline, owner, note,
                 created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![id, rv, m.measure.code(), m.deadline, m.owner, m.note, now, actor])?;
        Ok(())
    }

    /// Copies a report version's sections and measures to the next (an amendment).
    pub fn copy_report(&mut self, id: i64, from_rv: i64, actor: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn().execute(
            "INSERT INTO inspection_sections (inspection_id, report_version, section, body, updated_at, updated_by)
             SELECT inspection_id, ?2 + 1, section, body, ?3, ?4 FROM inspection_sections
             WHERE inspection_id = ?1 AND report_version = ?2",
            params![id, from_rv, now, actor],
        )?;
        self.conn().execute(
            "INSERT INTO inspection_measures (inspection_id, report_version, measure, deadline, owner, note,
             created_at, created_by)
             SELECT inspection_id, ?2 + 1, measure, deadline, owner, note, ?3, ?4 FROM inspection_measures
             WHERE inspection_id = ?1 AND report_version = ?2 ORDER BY id",
            params![id, from_rv, now, actor],
        )?;
        Ok(())
    }

    pub fn review_event(
        &mut self,
        id: i64,
        rv: i64,
        on: NaiveDate,
        actor: &str,
        event: &str,
        comment: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        self.conn()
            .prepare_cached(
                "INSERT INTO inspection_reviews (inspection_id, report_version, at, on_date, actor, event, comment)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![id, rv, now, on, actor, event, comment])?;
        Ok(())
    }

    /// Links a warning (by number) to an inspection; returns the warning's id, or None when
    /// the book has no such warning of that loan.
    pub fn link_warning(
        &mut self,
        id: i64,
        loan_id: i64,
        warning_number: &str,
    ) -> Result<Option<i64>> {
        let wid: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM warnings WHERE number = ?1 AND loan_id = ?2",
                params![warning_number.trim(), loan_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(w) = wid {
            self.conn().execute(
                "INSERT OR IGNORE INTO inspection_warnings (inspection_id, warning_id) VALUES (?1, ?2)",
                params![id, w],
            )?;
        }
        Ok(wid)
    }

    /// Records an evidence file (once per content) and its attachment to an inspection;
    /// returns whether the inspection did not have it yet.
    #[allow(clippy::too_many_arguments)]
    pub fn attach_evidence(
        &mut self,
        id: i64,
        sha256: &str,
        size: u64,
        media_type: &str,
        file_name: &str,
        note: &str,
        actor: &str,
    ) -> Result<bool> {
        let now = self.now().to_string();
        self.conn().execute(
            "INSERT OR IGNORE INTO evidence_files (sha256, size, media_type, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha256, size as i64, media_type, now, actor],
        )?;
        // The attachment is a document of the book's day (its archive row copies this
        // instant, as the v13 migration does for older attachments).
        let dated = self.document_at()?;
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO inspection_evidence (inspection_id, sha256, file_name, note, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, sha256, file_name, note, dated, actor],
        )?;
        if n > 0 {
            // The attachment is in the archive too (schema v13).
            let evidence_id = self.conn().last_insert_rowid();
            self.conn().execute(
                "INSERT INTO documents (loan_id, borrower_id, contract_no, borrower_name, kind,
                 number, title, lang, body, sha256, bytes, storage, file_name, ref_table, ref_id,
                 created_at, created_by)
                 SELECT i.loan_id, l.borrower_id, l.contract_no, l.borrower_name, 'evidence',
                   'ZJ-' || e.id, i.number || ' ' || e.file_name, '', '', e.sha256, ?2,
                   'stored', e.file_name, 'inspection_evidence', e.id, e.created_at, e.created_by
                 FROM inspection_evidence e JOIN inspections i ON i.id = e.inspection_id
                 LEFT JOIN loans l ON l.id = i.loan_id WHERE e.id = ?1",
                params![evidence_id, size as i64],
            )?;
        }
        Ok(n > 0)
    }

    /// The plan's facts for up to `limit` loans with a balance, ids above `after`: three
    /// flat range reads (loans, their inspections, their open orange and red warnings)
    /// merged here, rather than subqueries per loan.
    pub fn plan_chunk(&self, after: i64, limit: usize) -> Result<Vec<PlanLoan>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, disbursed_on, class_rank FROM loans
             WHERE id > ?1 AND outstanding_fen > 0 ORDER BY id LIMIT ?2",
        )?;
        let loans: Vec<PlanLoan> = stmt
            .query_map(params![after, limit as i64], |r| {
                Ok(PlanLoan {
                    loan_id: r.get(0)?,
                    disbursed_on: r.get(1)?,
                    class: Classification::from_rank(r.get(2)?).unwrap_or(Classification::Pass),
                    first_done: false,
                    last_done_on: None,
                    signal_on: None,
                    in_progress: Vec::new(),
                    planned: Vec::new(),
                })
            })?
            .collect::<Result<_, _>>()?;
        let Some(last) = loans.last().map(|l| l.loan_id) else {
            return Ok(loans);
        };
        self.plan_facts(loans, &FactScope::Range(after, last))
    }

    /// The plan's facts of the given loans (distinct ids) that have a balance, in the order
    /// given: the same reads as [`Tx::plan_chunk`], over a set of scattered loans (the
    /// escalation's cases) in one pass rather than one chunk per loan.
    pub fn plan_loans(&self, ids: &[i64]) -> Result<Vec<PlanLoan>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = id_list(ids);
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, disbursed_on, class_rank FROM loans
             WHERE id IN (SELECT value FROM json_each(?1)) AND outstanding_fen > 0",
        )?;
        let mut found: std::collections::HashMap<i64, PlanLoan> = stmt
            .query_map([&list], |r| {
                Ok(PlanLoan {
                    loan_id: r.get(0)?,
                    disbursed_on: r.get(1)?,
                    class: Classification::from_rank(r.get(2)?).unwrap_or(Classification::Pass),
                    first_done: false,
                    last_done_on: None,
                    signal_on: None,
                    in_progress: Vec::new(),
                    planned: Vec::new(),
                })
            })?
            .map(|l| l.map(|l| (l.loan_id, l)))
            .collect::<Result<_, _>>()?;
        let loans: Vec<PlanLoan> = ids.iter().filter_map(|id| found.remove(id)).collect();
        if loans.is_empty() {
            return Ok(loans);
        }
        self.plan_facts(loans, &FactScope::Ids(&list))
    }

    /// Adds to `loans` their inspections, unanswered warnings and worsened classes.
    fn plan_facts(&self, mut loans: Vec<PlanLoan>, scope: &FactScope<'_>) -> Result<Vec<PlanLoan>> {
        let at: std::collections::HashMap<i64, usize> = loans
            .iter()
            .enumerate()
            .map(|(i, l)| (l.loan_id, i))
            .collect();
        // The latest triggered inspection started, per loan: warnings raised before it are
        // answered.
        let mut last_triggered: std::collections::HashMap<i64, String> = Default::default();
        let mut stmt = self.conn().prepare_cached(
            &format!(
                "SELECT loan_id, kind, status, id, due_on, COALESCE(inspected_on, submitted_on), created_at
                 FROM inspections WHERE {}",
                scope.sql("loan_id")
            ),
        )?;
        let mut rows = stmt.query(&*scope.params())?;
        while let Some(r) = rows.next()? {
            let loan_id: i64 = r.get(0)?;
            let Some(l) = at.get(&loan_id).and_then(|i| loans.get_mut(*i)) else {
                continue;
            };
            let number = || format!("{loan_id}");
            let kind: String = r.get(1)?;
            let kind = InspectionKind::parse(&kind)
                .ok_or_else(|| corrupt(1, "inspection of loan", &number(), "kind", &kind))?;
            let status: String = r.get(2)?;
            let status = InspectionStatus::parse(&status)
                .ok_or_else(|| corrupt(2, "inspection of loan", &number(), "status", &status))?;
            match status {
                InspectionStatus::Planned => l.planned.push((kind, r.get(3)?, r.get(4)?)),
                InspectionStatus::Submitted | InspectionStatus::Approved => {
                    if kind == InspectionKind::First {
                        l.first_done = true;
                    }
                    let done: Option<NaiveDate> = r.get(5)?;
                    l.last_done_on = l.last_done_on.max(done);
                }
                _ => {}
            }
            if matches!(
                status,
                InspectionStatus::Draft | InspectionStatus::Returned | InspectionStatus::Submitted
            ) {
                l.in_progress.push(kind);
            }
            if kind == InspectionKind::Triggered && status != InspectionStatus::Planned {
                let created: String = r.get(6)?;
                let e = last_triggered.entry(loan_id).or_default();
                if created > *e {
                    *e = created;
                }
            }
        }
        let mut stmt = self.conn().prepare_cached(
            &format!(
                "SELECT w.loan_id, w.raised_on FROM warnings w
                 WHERE {} AND w.level IN ('orange', 'red')
                   AND w.status NOT IN ('resolved', 'dismissed')
                   AND NOT EXISTS (SELECT 1 FROM inspection_warnings iw WHERE iw.warning_id = w.id)",
                scope.sql("w.loan_id")
            ),
        )?;
        let mut rows = stmt.query(&*scope.params())?;
        while let Some(r) = rows.next()? {
            let loan_id: i64 = r.get(0)?;
            let Some(l) = at.get(&loan_id).and_then(|i| loans.get_mut(*i)) else {
                continue;
            };
            let raised: NaiveDate = r.get(1)?;
            // Raised after the latest triggered inspection began (a date after its day).
            let answered = last_triggered
                .get(&loan_id)
                .is_some_and(|t| raised.to_string().as_str() <= t.as_str());
            if !answered {
                l.signal_on = Some(l.signal_on.map_or(raised, |s| s.min(raised)));
            }
        }
        // A class made worse (an approved downgrade) is a signal too: the nightly plan keeps
        // the triggered inspection the decision planned. Its day is the book's day the
        // proposal was made when later than the effective day: a back-dated decision is not
        // an overdue inspection.
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT h.loan_id, h.from_class, h.to_class,
                        MAX(h.effective_on, COALESCE(p.proposed_on, h.effective_on))
                 FROM classification_history h
                 LEFT JOIN classification_proposals p ON p.id = h.proposal_id
                 WHERE {}",
            scope.sql("h.loan_id")
        ))?;
        let mut rows = stmt.query(&*scope.params())?;
        while let Some(r) = rows.next()? {
            let loan_id: i64 = r.get(0)?;
            let Some(l) = at.get(&loan_id).and_then(|i| loans.get_mut(*i)) else {
                continue;
            };
            let class = |i: usize| -> rusqlite::Result<Option<Classification>> {
                Ok(Classification::parse(&r.get::<_, String>(i)?))
            };
            let (Some(from), Some(to)) = (class(1)?, class(2)?) else {
                continue;
            };
            if to.rank() <= from.rank() {
                continue;
            }
            let on: NaiveDate = r.get(3)?;
            let answered = last_triggered
                .get(&loan_id)
                .is_some_and(|t| on.to_string().as_str() <= t.as_str());
            if !answered {
                l.signal_on = Some(l.signal_on.map_or(on, |s| s.min(on)));
            }
        }
        Ok(loans)
    }

    /// Removes the planned rows of loans with no balance left (paid off, recalled, written
    /// off): the plan only covers loans with a balance. Returns how many.
    pub fn drop_plan_of_settled_loans(&mut self) -> Result<u64> {
        let n = self.conn().execute(
            "DELETE FROM inspections WHERE status = 'planned'
             AND loan_id IN (SELECT id FROM loans WHERE outstanding_fen <= 0)",
            [],
        )?;
        Ok(n as u64)
    }

    /// An inspection of this loan and kind already under way (draft, returned, submitted),
    /// or, for a first inspection, done: its number and status.
    pub fn open_inspection(
        &self,
        loan_id: i64,
        kind: InspectionKind,
    ) -> Result<Option<(String, String)>> {
        let statuses = if kind == InspectionKind::First {
            "('draft', 'returned', 'submitted', 'approved')"
        } else {
            "('draft', 'returned', 'submitted')"
        };
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT number, status FROM inspections WHERE loan_id = ?1 AND kind = ?2
                     AND status IN {statuses} ORDER BY id LIMIT 1"
                ),
                params![loan_id, kind.code()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The inspection under way (draft, returned, submitted) that already answers a warning
    /// of the loan, if any: its number.
    pub fn open_inspection_answering(
        &self,
        loan_id: i64,
        warning_number: &str,
    ) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT i.number FROM inspections i
                 JOIN inspection_warnings iw ON iw.inspection_id = i.id
                 JOIN warnings w ON w.id = iw.warning_id
                 WHERE i.loan_id = ?1 AND w.number = ?2
                 AND i.status IN ('draft', 'returned', 'submitted') ORDER BY i.id LIMIT 1",
            )?
            .query_row(params![loan_id, warning_number.trim()], |r| r.get(0))
            .optional()?)
    }

    /// The largest loan id (the plan's chunks run up to it).
    pub fn max_loan_id(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT COALESCE(MAX(id), 0) FROM loans", [], |r| r.get(0))?)
    }

    /// Writes the plan of a chunk: `due` is, per loan, the (kind, date) pairs it should have
    /// planned. Rows are added, moved or removed; nothing else is touched.
    pub fn write_plan(
        &mut self,
        loans: &[PlanLoan],
        due: &[Vec<(InspectionKind, NaiveDate)>],
        actor: &str,
    ) -> Result<PlanCounts> {
        let mut counts = PlanCounts::default();
        let now = self.now().to_string();
        let mut next: i64 = self
            .conn()
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM inspections")?
            .query_row([], |r| r.get(0))?;
        for (loan, wanted) in loans.iter().zip(due) {
            counts.loans += 1;
            for (kind, on) in wanted {
                if loan.in_progress.contains(kind) {
                    continue;
                }
                match loan.planned.iter().find(|(k, _, _)| k == kind) {
                    Some((_, _, d)) if d == on => counts.unchanged += 1,
                    Some((_, pid, _)) => {
                        self.conn()
                            .prepare_cached(
                                "UPDATE inspections SET due_on = ?2, updated_at = ?3, updated_by = ?4,
                                 version = version + 1 WHERE id = ?1",
                            )?
                            .execute(params![pid, on, now, actor])?;
                        counts.moved += 1;
                    }
                    None => {
                        self.conn()
                            .prepare_cached(
                                "INSERT INTO inspections (id, number, loan_id, contract_no, borrower_name, officer,
                                 kind, mode, due_on, status, created_at, created_by, updated_at, updated_by)
                                 SELECT ?1, ?2, id, contract_no, borrower_name, officer, ?3, ?4, ?5, 'planned',
                                        ?6, ?7, ?6, ?7 FROM loans WHERE id = ?8",
                            )?
                            .execute(params![
                                next,
                                inspection_number(on.year(), next),
                                kind.code(),
                                match kind {
                                    InspectionKind::Routine => InspectionMode::Offsite.code(),
                                    _ => InspectionMode::Onsite.code(),
                                },
                                on,
                                now,
                                actor,
                                loan.loan_id
                            ])?;
                        next += 1;
                        counts.added += 1;
                    }
                }
            }
            for (kind, pid, _) in &loan.planned {
                let keep = wanted
                    .iter()
                    .any(|(k, _)| k == kind && !loan.in_progress.contains(k));
                if !keep {
                    self.conn()
                        .prepare_cached(
                            "DELETE FROM inspections WHERE id = ?1 AND status = 'planned'",
                        )?
                        .execute([pid])?;
                    counts.removed += 1;
                }
            }
        }
        Ok(counts)
    }
}

/// The loan's terms as a report states them (amounts as stored: exact TEXT).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportLoan {
    pub contract_no: String,
    pub borrower_name: String,
    pub product: String,
    pub principal: String,
    pub outstanding: String,
    pub interest_rate: String,
    pub disbursed_on: String,
    pub matures_on: String,
    pub guarantee_type: String,
    pub classification: String,
    pub overdue_days: i64,
    pub officer: String,
    /// Open warnings: (number, level, indicator).
    pub open_warnings: Vec<(String, String, String)>,
    pub currency: String,
    /// What the report editor's facts panel shows beside the terms, by the same reads.
    pub collateral: Vec<super::Collateral>,
    /// The latest repayment snapshot.
    pub repayment: Option<super::RepaymentStatus>,
    /// The last contacts, newest first.
    pub contacts: Vec<super::Contact>,
    /// The borrower's latest financial statement.
    pub statement: Option<crate::domain::StatementRecord>,
}

/// Contacts a report lists (the facts panel's few rows).
pub const REPORT_CONTACTS: u32 = 3;

/// Everything a report prints: the inspection, one version of its report, and the loan.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportData {
    pub inspection: Inspection,
    pub report_version: i64,
    pub sections: Vec<(u8, String)>,
    pub measures: Vec<MeasureEntry>,
    pub evidence: Vec<EvidenceRow>,
    pub reviews: Vec<ReviewEvent>,
    pub warnings: Vec<String>,
    pub loan: ReportLoan,
    /// The checklist points of this report version: (item code, points), scored items only.
    pub checklist: Vec<(String, rust_decimal::Decimal)>,
}

fn report_q(conn: &rusqlite::Connection, id: i64, rv: Option<i64>) -> Result<Option<ReportData>> {
    let Some(inspection) = inspection_q(conn, id)? else {
        return Ok(None);
    };
    let rv = rv.unwrap_or(inspection.report_version);
    let loan_id = inspection.row.loan_id;
    let (mut loan, borrower_id) = conn.query_row(
        "SELECT contract_no, borrower_name, product, principal, outstanding, interest_rate,
         disbursed_on, matures_on, guarantee_type, classification, overdue_days, officer,
         currency, borrower_id
         FROM loans WHERE id = ?1",
        [loan_id],
        |r| {
            let loan = ReportLoan {
                contract_no: r.get(0)?,
                borrower_name: r.get(1)?,
                product: r.get(2)?,
                principal: r.get(3)?,
                outstanding: r.get(4)?,
                interest_rate: r.get(5)?,
                disbursed_on: r.get(6)?,
                matures_on: r.get(7)?,
                guarantee_type: r.get(8)?,
                classification: r.get(9)?,
                overdue_days: r.get(10)?,
                officer: r.get(11)?,
                open_warnings: Vec::new(),
                currency: r.get(12)?,
                collateral: Vec::new(),
                repayment: None,
                contacts: Vec::new(),
                statement: None,
            };
            Ok((loan, r.get::<_, i64>(13)?))
        },
    )?;
    loan.collateral = super::detail::collateral_q(conn, loan_id)?;
    loan.repayment = super::detail::repayment_history_q(conn, loan_id, 1)?
        .into_iter()
        .next();
    loan.contacts = super::detail::contacts_q(conn, loan_id, REPORT_CONTACTS)?;
    loan.statement = super::detail::statements_q(conn, borrower_id, 1)?
        .into_iter()
        .next();
    let mut stmt = conn.prepare_cached(
        "SELECT number, level, indicator FROM warnings WHERE loan_id = ?1
         AND status NOT IN ('resolved', 'dismissed') ORDER BY board_key, id",
    )?;
    loan.open_warnings = stmt
        .query_map([loan_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut ev = conn.prepare_cached(
        "SELECT e.sha256, f.size, f.media_type, e.file_name, e.note, e.created_at, e.created_by
         FROM inspection_evidence e JOIN evidence_files f ON f.sha256 = e.sha256
         WHERE e.inspection_id = ?1 ORDER BY e.id",
    )?;
    let evidence = ev
        .query_map([id], |r| {
            Ok(EvidenceRow {
                sha256: r.get(0)?,
                size: r.get(1)?,
                media_type: r.get(2)?,
                file_name: r.get(3)?,
                note: r.get(4)?,
                created_at: r.get(5)?,
                created_by: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut rs = conn.prepare_cached(
        "SELECT report_version, at, on_date, actor, event, comment FROM inspection_reviews
         WHERE inspection_id = ?1 ORDER BY id",
    )?;
    let reviews = rs
        .query_map([id], |r| {
            Ok(ReviewEvent {
                report_version: r.get(0)?,
                at: r.get(1)?,
                on_date: r.get(2)?,
                actor: r.get(3)?,
                event: r.get(4)?,
                comment: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut ws = conn.prepare_cached(
        "SELECT w.number FROM inspection_warnings iw JOIN warnings w ON w.id = iw.warning_id
         WHERE iw.inspection_id = ?1 ORDER BY w.id",
    )?;
    let warnings = ws
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(ReportData {
        sections: sections_q(conn, id, rv)?,
        measures: measures_q(conn, id, rv)?,
        checklist: super::checklist::points_q(conn, id, rv)?,
        report_version: rv,
        inspection,
        evidence,
        reviews,
        warnings,
        loan,
    }))
}

impl Store {
    /// What the report of `id` prints (`rv`: a report version, else the current one).
    pub fn inspection_report(&self, id: i64, rv: Option<i64>) -> Result<Option<ReportData>> {
        report_q(self.conn(), id, rv)
    }
}

impl Tx<'_> {
    /// [`Store::inspection_report`] as this transaction sees it.
    pub fn inspection_report(&self, id: i64, rv: Option<i64>) -> Result<Option<ReportData>> {
        report_q(self.conn(), id, rv)
    }
}

/// A loan as the demo's inspection history sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedLoan {
    pub id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub officer: String,
    pub disbursed_on: NaiveDate,
    pub class: Classification,
    pub outstanding_fen: i64,
}

/// An inspection done before the book was kept here (the demo's history): approved, no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneInspection<'a> {
    pub loan_id: i64,
    pub kind: InspectionKind,
    pub inspected_on: NaiveDate,
    pub author: &'a str,
    pub reviewer: &'a str,
}

impl Tx<'_> {
    /// Every loan with a balance, by id.
    pub fn seed_loans(&self) -> Result<Vec<SeedLoan>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, contract_no, borrower_name, officer, disbursed_on, class_rank, outstanding_fen
             FROM loans WHERE outstanding_fen > 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SeedLoan {
                id: r.get(0)?,
                contract_no: r.get(1)?,
                borrower_name: r.get(2)?,
                officer: r.get(3)?,
                disbursed_on: r.get(4)?,
                class: Classification::from_rank(r.get(5)?).unwrap_or(Classification::Pass),
                outstanding_fen: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes inspections done before (approved, without report text).
    pub fn insert_done_inspections(
        &mut self,
        rows: &[DoneInspection<'_>],
        actor: &str,
    ) -> Result<()> {
        let now = self.now().to_string();
        let first: i64 = self
            .conn()
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM inspections")?
            .query_row([], |r| r.get(0))?;
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO inspections (id, number, loan_id, contract_no, borrower_name, officer, kind, mode,
             due_on, status, inspected_on, inspectors, author, reviewer, approvals_done, submitted_on,
             approved_on, created_at, created_by, updated_at, updated_by)
             SELECT ?1, ?2, id, contract_no, borrower_name, officer, ?3, 'onsite', ?4, 'approved', ?4, ?5,
                    ?5, ?6, 1, ?4, ?4, ?7, ?8, ?7, ?8 FROM loans WHERE id = ?9",
        )?;
        for (d, next) in rows.iter().zip(first..) {
            stmt.execute(params![
                next,
                inspection_number(d.inspected_on.year(), next),
                d.kind.code(),
                d.inspected_on,
                d.author,
                d.reviewer,
                now,
                actor,
                d.loan_id
            ])?;
        }
        Ok(())
    }
}
