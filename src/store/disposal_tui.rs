//! Disposal reads the workbench needs beyond the case itself: the approved inspection reports
//! of a case's borrower whose measures could become actions (one key on the case screen),
//! which warnings already have their notice, and Today's first legal clocks.

use super::{Result, Store};
use rusqlite::params;

/// An approved inspection report of one of the case's loans, with its measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInspection {
    pub number: String,
    pub contract_no: String,
    pub approved_on: Option<String>,
    /// Measures in the approved version of the report.
    pub measures: u64,
    /// Whether they already became actions of the case.
    pub taken: bool,
}

/// The most reports a case screen lists (the newest first).
pub const CASE_INSPECTIONS: i64 = 20;

impl Store {
    /// The approved inspection reports on the loans of case `case_id`'s borrower, newest first.
    pub fn case_inspections(&self, case_id: i64) -> Result<Vec<CaseInspection>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.number, i.contract_no, i.approved_on,
                    (SELECT COUNT(*) FROM inspection_measures m
                      WHERE m.inspection_id = i.id AND m.report_version = i.report_version),
                    EXISTS (SELECT 1 FROM disposal_actions a
                             WHERE a.case_id = c.id AND a.source = 'inspection:' || i.number)
             FROM risk_cases c JOIN loans l ON l.borrower_id = c.borrower_id
             JOIN inspections i ON i.loan_id = l.id
             WHERE c.id = ?1 AND i.status = 'approved'
             ORDER BY i.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![case_id, CASE_INSPECTIONS], |r| {
            Ok(CaseInspection {
                number: r.get(0)?,
                contract_no: r.get(1)?,
                approved_on: r.get(2)?,
                measures: r.get::<_, i64>(3)?.max(0) as u64,
                taken: r.get::<_, i64>(4)? != 0,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Which of `warning_ids` already have a warning notice (the case screen's notice key
    /// issues one for a warning that has none).
    pub fn warnings_with_notice(&self, warning_ids: &[i64]) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE ref_table = 'warnings' AND ref_id = ?1
                             AND kind = 'warning_notice')",
        )?;
        let mut out = Vec::new();
        for id in warning_ids {
            if stmt.query_row([id], |r| r.get::<_, i64>(0))? != 0 {
                out.push(*id);
            }
        }
        Ok(out)
    }
}
