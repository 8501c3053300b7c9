//! The checklist points of an inspection report as stored (schema v7): read per report
//! version, written or cleared per item, copied to an amendment; and the open warning of one
//! indicator on a loan, which the score's warning looks for before raising another.

use super::sqlval::{dec, dec_text};
use super::write::Tx;
use super::{Result, Store};
use rusqlite::{OptionalExtension, params};
use rust_decimal::Decimal;

pub(super) fn points_q(
    conn: &rusqlite::Connection,
    id: i64,
    rv: i64,
) -> Result<Vec<(String, Decimal)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item, points FROM inspection_checklist
         WHERE inspection_id = ?1 AND report_version = ?2 ORDER BY item",
    )?;
    let rows = stmt.query_map(params![id, rv], |r| Ok((r.get(0)?, dec(r, 1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// The points of report version `rv` of inspection `id`: (item code, points), scored
    /// items only.
    pub fn inspection_checklist(&self, id: i64, rv: i64) -> Result<Vec<(String, Decimal)>> {
        points_q(self.conn(), id, rv)
    }
}

impl Tx<'_> {
    /// [`Store::inspection_checklist`] as this transaction sees it.
    pub fn checklist_in_tx(&self, id: i64, rv: i64) -> Result<Vec<(String, Decimal)>> {
        points_q(self.conn(), id, rv)
    }

    /// Sets an item's points (`None`: the item is unscored again).
    pub fn set_checklist_points(
        &mut self,
        id: i64,
        rv: i64,
        item: &str,
        points: Option<Decimal>,
        actor: &str,
    ) -> Result<()> {
        match points {
            Some(p) => {
                let now = self.now().to_string();
                self.conn()
                    .prepare_cached(
                        "INSERT INTO inspection_checklist (inspection_id, report_version, item, points,
                         updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT (inspection_id, report_version, item)
                         DO UPDATE SET points = excluded.points, updated_at = excluded.updated_at,
                         updated_by = excluded.updated_by",
                    )?
                    .execute(params![id, rv, item, dec_text(p), now, actor])?;
            }
            None => {
                self.conn()
                    .prepare_cached(
                        "DELETE FROM inspection_checklist
                         WHERE inspection_id = ?1 AND report_version = ?2 AND item = ?3",
                    )?
                    .execute(params![id, rv, item])?;
            }
        }
        Ok(())
    }

    /// Copies a report version's points to the next (an amendment), as `copy_report` does
    /// with its sections and measures.
    pub fn copy_checklist(&mut self, id: i64, from_rv: i64, actor: &str) -> Result<()> {
        let now = self.now().to_string();
        self.conn().execute(
            "INSERT INTO inspection_checklist (inspection_id, report_version, item, points,
             updated_at, updated_by)
             SELECT inspection_id, ?2 + 1, item, points, ?3, ?4 FROM inspection_checklist
             WHERE inspection_id = ?1 AND report_version = ?2",
            params![id, from_rv, now, actor],
        )?;
        Ok(())
    }

    /// The loan's open (not resolved or dismissed) warning of `indicator` raised by `origin`,
    /// if any: (id, number).
    pub fn open_warning_of(
        &self,
        loan_id: i64,
        origin: &str,
        indicator: &str,
    ) -> Result<Option<(i64, String)>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT id, number FROM warnings WHERE loan_id = ?1 AND origin = ?2
                 AND indicator = ?3 AND status NOT IN ('resolved', 'dismissed')
                 ORDER BY id LIMIT 1",
            )?
            .query_row(params![loan_id, origin, indicator], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }
}
