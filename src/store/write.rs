//! Writes inside one transaction: upserts keyed by the records' natural keys (so re-importing
//! a file changes nothing), contacts, derived loan fields, and the audit row.

use super::sqlval::dec_text;
use super::{Result, StoreError, audit, now_text};
use crate::domain::money::to_minor_units;
use crate::domain::tracking::next_followup_on;
use crate::domain::*;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};

/// The most seals one audit entry holds; a transaction that wrote more rows continues them in
/// `audit.seals` entries (each a few hundred kB).
const SEALS_PER_ENTRY: usize = 5_000;

/// A loan's class and balance before an upsert (None: new to the book).
pub type LoanBefore = Option<(Classification, rust_decimal::Decimal)>;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    Updated,
    Unchanged,
}

/// A write transaction. Dropped without `commit`, it rolls back.
pub struct Tx<'c> {
    txn: Transaction<'c>,
    now: String,
    /// Look-ups repeated for every row of an import, remembered for the transaction.
    cache: Cache,
    /// A command's transaction: every row it wrote in a sealed table must be sealed by one of
    /// its audit entries before it commits (checked in debug builds and tests).
    all_sealed: bool,
}

/// What a transaction has already looked up (it alone writes, so these stay true).
#[derive(Default)]
struct Cache {
    staff: Option<std::collections::HashSet<String>>,
    /// borrower code → (id, name, latest statement period end)
    borrowers: std::collections::HashMap<String, (i64, String, Option<NaiveDate>)>,
    /// The id the next warning gets (`MAX(id) + 1`, then counted on).
    next_warning_id: Option<i64>,
    /// Per [`BookKey`]: the book's keys folded (case and width) → as the book writes them,
    /// read once, at the first key an import names that the book lacks.
    spellings: [Option<std::collections::HashMap<String, String>>; 2],
}

/// A natural key of the book that an import names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookKey {
    ContractNo,
    BorrowerCode,
}

impl<'c> Tx<'c> {
    pub(super) fn new(txn: Transaction<'c>) -> Result<Tx<'c>> {
        super::seal::track(&txn)?;
        Ok(Tx {
            txn,
            now: now_text(),
            cache: Cache::default(),
            all_sealed: false,
        })
    }

    /// Marks this transaction as a command's: committing it with a row written in a sealed
    /// table and not sealed by an audit entry after the write is a bug (a debug assertion).
    pub fn expect_all_sealed(&mut self) {
        self.all_sealed = true;
    }

    pub(super) fn conn(&self) -> &rusqlite::Connection {
        &self.txn
    }

    pub(super) fn now(&self) -> &str {
        &self.now
    }

    /// The id of the next warning: `MAX(id) + 1`, read once per transaction and then counted
    /// on by [`Tx::warning_id_used`] (only this transaction writes warnings meanwhile).
    pub(super) fn next_warning_id(&mut self) -> Result<i64> {
        if let Some(id) = self.cache.next_warning_id {
            return Ok(id);
        }
        let id: i64 = self
            .txn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM warnings")?
            .query_row([], |r| r.get(0))?;
        self.cache.next_warning_id = Some(id);
        Ok(id)
    }

    /// A warning was written with `id`.
    pub(super) fn warning_id_used(&mut self, id: i64) {
        self.cache.next_warning_id = id.checked_add(1);
    }

    pub(super) fn commit(self) -> Result<()> {
        let left = super::seal::pending(&self.txn)?;
        debug_assert!(
            !self.all_sealed || left == 0,
            "a command wrote {left} row(s) in sealed tables after its last audit entry"
        );
        if left > 0 {
            // Rows written with no entry after them (a test's setup, a bulk step) stay
            // unsealed; the set must not leak into the next transaction's entry.
            self.txn.execute("DELETE FROM temp.seal_touched", [])?;
        }
        Ok(self.txn.commit()?)
    }

    /// Runs `step`, a step with audit entries of its own inside a command (a re-evaluation,
    /// a grouping), with the rows the command noted before it set aside: they are sealed by
    /// the command's own entry, not by the first entry the step writes.
    pub fn nested<T, E: From<super::StoreError>>(
        &mut self,
        step: impl FnOnce(&mut Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let before = super::seal::take_touched(&self.txn)?;
        let out = step(self);
        super::seal::note_again(&self.txn, &before)?;
        out
    }

    /// Appends one row to the hash-chained audit log. Every row this transaction wrote in a
    /// sealed table since the last entry (inserted, updated — side effects included — or
    /// deleted) is sealed by it: the SHA-256 of the row's sealed columns goes into the
    /// detail's `"seals"` list (`null` for a row deleted, which releases its seal), so an
    /// edit made to the row outside the program afterwards shows in `postloan verify`.
    pub fn audit(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_key: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.audit_sealed(actor, action, entity, entity_key, detail, &[])
    }

    /// [`Tx::audit`], also sealing `rows` of kinds the triggers do not follow (a loan's
    /// class, which imports write too, is sealed only when a decision sets it).
    pub fn audit_sealed(
        &mut self,
        actor: &str,
        action: &str,
        entity: &str,
        entity_key: &str,
        detail: &serde_json::Value,
        rows: &[(super::seal::Sealed, i64)],
    ) -> Result<()> {
        let mut rows: Vec<(super::seal::Sealed, i64)> = rows.to_vec();
        rows.extend(super::seal::take_touched(&self.txn)?);
        if rows.is_empty() {
            return audit::append(
                &self.txn, &self.now, actor, action, entity, entity_key, detail,
            );
        }
        rows.sort();
        rows.dedup();
        let mut seals = Vec::with_capacity(rows.len());
        for (what, id) in rows {
            let sha = super::seal::seal_now(&self.txn, what, id)?;
            seals.push(serde_json::json!({"row": what.code(), "id": id, "sha256": sha}));
        }
        // A batch that wrote many rows (a first evaluation's grouping) seals them in parts of
        // bounded size: the entry holds the first part, `audit.seals` entries the rest.
        let mut parts = seals.chunks(SEALS_PER_ENTRY);
        let first = parts.next().map(<[_]>::to_vec).unwrap_or_default();
        let more = parts.len();
        let mut detail = detail.clone();
        match detail.as_object_mut() {
            Some(o) => {
                o.insert("seals".into(), first.into());
                if more > 0 {
                    o.insert("seal_parts".into(), (more + 1).into());
                }
            }
            None => detail = serde_json::json!({"value": detail, "seals": first}),
        }
        audit::append(
            &self.txn, &self.now, actor, action, entity, entity_key, &detail,
        )?;
        for (i, part) in parts.enumerate() {
            let detail = serde_json::json!({"of": action, "part": i + 2, "seals": part});
            audit::append(
                &self.txn,
                &self.now,
                actor,
                "audit.seals",
                entity,
                entity_key,
                &detail,
            )?;
        }
        Ok(())
    }

    pub fn staff_exists(&mut self, username: &str) -> Result<bool> {
        if self.cache.staff.is_none() {
            let mut stmt = self.txn.prepare_cached("SELECT username FROM staff")?;
            let names = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?;
            self.cache.staff = Some(names);
        }
        Ok(self
            .cache
            .staff
            .as_ref()
            .is_some_and(|s| s.contains(username)))
    }

    /// A borrower's id, name and latest statement date, remembered for the transaction.
    fn borrower_facts(&mut self, code: &str) -> Result<Option<(i64, String, Option<NaiveDate>)>> {
        if let Some(f) = self.cache.borrowers.get(code) {
            return Ok(Some(f.clone()));
        }
        let found: Option<(i64, String, Option<NaiveDate>)> = self
            .txn
            .prepare_cached(
                "SELECT b.id, b.name, (SELECT MAX(period_end) FROM financial_statements s WHERE s.borrower_id = b.id)
                 FROM borrowers b WHERE b.code = ?1",
            )?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some(f) = &found {
            self.cache.borrowers.insert(code.to_string(), f.clone());
        }
        Ok(found)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.txn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Adds a staff member, or changes the role and name of an existing one.
    pub fn upsert_staff(&mut self, rec: &StaffRecord, actor: &str) -> Result<Outcome> {
        let existing: Option<(String, String)> = self
            .txn
            .query_row(
                "SELECT display_name, role FROM staff WHERE username = ?1",
                [&rec.username],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match existing {
            Some((name, role)) if name == rec.display_name && role == rec.role.code() => {
                Ok(Outcome::Unchanged)
            }
            Some(_) => {
                self.txn.execute(
                    "UPDATE staff SET display_name = ?2, role = ?3, active = 1, updated_at = ?4,
                     updated_by = ?5, version = version + 1 WHERE username = ?1",
                    params![
                        rec.username,
                        rec.display_name,
                        rec.role.code(),
                        self.now,
                        actor
                    ],
                )?;
                Ok(Outcome::Updated)
            }
            None => {
                self.txn.execute(
                    "INSERT INTO staff (username, display_name, role, created_at, created_by, updated_at, updated_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)",
                    params![rec.username, rec.display_name, rec.role.code(), self.now, actor],
                )?;
                Ok(Outcome::Inserted)
            }
        }
    }

    fn borrower_id(&self, code: &str) -> Result<Option<i64>> {
        let mut stmt = self
            .txn
            .prepare_cached("SELECT id FROM borrowers WHERE code = ?1")?;
        Ok(stmt.query_row([code], |r| r.get(0)).optional()?)
    }

    fn loan_id(&self, contract_no: &str) -> Result<Option<i64>> {
        let mut stmt = self
            .txn
            .prepare_cached("SELECT id FROM loans WHERE contract_no = ?1")?;
        Ok(stmt.query_row([contract_no], |r| r.get(0)).optional()?)
    }

    /// The key as the book writes it, when `key` is not in the book but one differing from it
    /// only in letter case or width is (`ht011` against `HT011`). A key the book has costs
    /// one indexed look-up; the first one it lacks reads the book's keys once for the
    /// transaction (a case-blind SQL match could not use the index, row after row).
    pub fn key_spelled_otherwise(&mut self, which: BookKey, key: &str) -> Result<Option<String>> {
        let exact = match which {
            BookKey::ContractNo => self.loan_id(key)?,
            BookKey::BorrowerCode => self.borrower_id(key)?,
        };
        if exact.is_some() {
            return Ok(None);
        }
        let slot = which as usize;
        if self.cache.spellings[slot].is_none() {
            let sql = match which {
                BookKey::ContractNo => "SELECT contract_no FROM loans",
                BookKey::BorrowerCode => "SELECT code FROM borrowers",
            };
            let mut map = std::collections::HashMap::new();
            let mut stmt = self.txn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let k: String = row.get(0)?;
                map.entry(crate::extract::fold_key(&k)).or_insert(k);
            }
            self.cache.spellings[slot] = Some(map);
        }
        let folded = crate::extract::fold_key(key);
        Ok(self.cache.spellings[slot]
            .as_ref()
            .and_then(|m| m.get(&folded))
            .filter(|k| k.as_str() != key)
            .cloned())
    }

    fn require_loan(&self, contract_no: &str) -> Result<i64> {
        self.loan_id(contract_no)?
            .ok_or_else(|| StoreError::Unknown {
                column: "contract_no",
                value: contract_no.to_string(),
            })
    }

    pub fn upsert_borrower(&mut self, rec: &BorrowerRecord, actor: &str) -> Result<Outcome> {
        let existing: Option<(i64, String, String, String, String)> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id, name, credit_code, industry, region FROM borrowers WHERE code = ?1",
            )?;
            stmt.query_row([&rec.code], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?
        };
        match existing {
            Some((_, n, c, i, g))
                if n == rec.name
                    && c == rec.credit_code
                    && i == rec.industry
                    && g == rec.region =>
            {
                Ok(Outcome::Unchanged)
            }
            Some((id, old_name, ..)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE borrowers SET name = ?2, credit_code = ?3, industry = ?4, region = ?5,
                         updated_at = ?6, updated_by = ?7, version = version + 1 WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        rec.name,
                        rec.credit_code,
                        rec.industry,
                        rec.region,
                        self.now,
                        actor
                    ])?;
                if old_name != rec.name {
                    self.txn
                        .prepare_cached(
                            "UPDATE loans SET borrower_name = ?2, search_name = ?3 WHERE borrower_id = ?1",
                        )?
                        .execute(params![id, rec.name, super::ledger::search_name(&rec.name)])?;
                }
                Ok(Outcome::Updated)
            }
            None => {
                self.txn
                    .prepare_cached(
                        "INSERT INTO borrowers (code, name, credit_code, industry, region, created_at, created_by, updated_at, updated_by)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
                    )?
                    .execute(params![
                        rec.code,
                        rec.name,
                        rec.credit_code,
                        rec.industry,
                        rec.region,
                        self.now,
                        actor
                    ])?;
                Ok(Outcome::Inserted)
            }
        }
    }

    /// Sets a borrower's name and the copy of it its loans keep.
    fn rename_borrower(&mut self, id: i64, name: &str, actor: &str) -> Result<()> {
        self.txn
            .prepare_cached(
                "UPDATE borrowers SET name = ?2, updated_at = ?3, updated_by = ?4, version = version + 1
                 WHERE id = ?1",
            )?
            .execute(params![id, name, self.now, actor])?;
        self.txn
            .prepare_cached(
                "UPDATE loans SET borrower_name = ?2, search_name = ?3 WHERE borrower_id = ?1",
            )?
            .execute(params![id, name, super::ledger::search_name(name)])?;
        Ok(())
    }

    /// Inserts or updates a loan by contract number. The borrower is created from the row's
    /// code and name when the book does not know it yet; the officer must be staff.
    pub fn upsert_loan(&mut self, rec: &LoanRecord, actor: &str) -> Result<Outcome> {
        self.upsert_loan_keyed(rec, actor).map(|(o, _, _)| o)
    }

    /// [`Tx::upsert_loan`], also saying the loan's id and, for a loan already in the book,
    /// its class and balance before (what the loans import compares with).
    pub fn upsert_loan_keyed(
        &mut self,
        rec: &LoanRecord,
        actor: &str,
    ) -> Result<(Outcome, i64, LoanBefore)> {
        if !self.staff_exists(&rec.officer)? {
            return Err(StoreError::Unknown {
                column: "officer",
                value: rec.officer.clone(),
            });
        }
        let mut renamed = false;
        let (borrower_id, borrower_name, last_statement_on) =
            match self.borrower_facts(&rec.borrower_code)? {
                // The row names a known borrower another way: the extract is newer, so the
                // name is applied (to the borrower and all its loans) like any changed value.
                Some((id, name, last)) if name != rec.borrower_name => {
                    self.rename_borrower(id, &rec.borrower_name, actor)?;
                    let f = (id, rec.borrower_name.clone(), last);
                    self.cache
                        .borrowers
                        .insert(rec.borrower_code.clone(), f.clone());
                    renamed = true;
                    f
                }
                Some(f) => f,
                None => {
                    self.upsert_borrower(
                        &BorrowerRecord {
                            code: rec.borrower_code.clone(),
                            name: rec.borrower_name.clone(),
                            credit_code: String::new(),
                            industry: String::new(),
                            region: String::new(),
                        },
                        actor,
                    )?;
                    let id = self.txn.last_insert_rowid();
                    let f = (id, rec.borrower_name.clone(), None);
                    self.cache
                        .borrowers
                        .insert(rec.borrower_code.clone(), f.clone());
                    f
                }
            };
        let values = LoanValues::of(rec);
        let existing: Option<(i64, LoanValues, i64)> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id, product, purpose, currency, principal, outstanding, interest_rate,
                        disbursed_on, matures_on, guarantee_type, officer, tracking_frequency,
                        classification, borrower_id
                 FROM loans WHERE contract_no = ?1",
            )?;
            stmt.query_row([&rec.contract_no], |r| {
                Ok((
                    r.get(0)?,
                    LoanValues {
                        product: r.get(1)?,
                        purpose: r.get(2)?,
                        currency: r.get(3)?,
                        principal: r.get(4)?,
                        outstanding: r.get(5)?,
                        interest_rate: r.get(6)?,
                        disbursed_on: r.get(7)?,
                        matures_on: r.get(8)?,
                        guarantee_type: r.get(9)?,
                        officer: r.get(10)?,
                        tracking_frequency: r.get(11)?,
                        classification: r.get(12)?,
                    },
                    r.get(13)?,
                ))
            })
            .optional()?
        };
        // A loan already in the book keeps its class: a different one in the file becomes a
        // proposal (the import's workflow opens it), never a silent change.
        let values = match &existing {
            Some((_, old, _)) => LoanValues {
                classification: old.classification.clone(),
                ..values
            },
            None => values,
        };
        let rank = Classification::parse(&values.classification)
            .unwrap_or(Classification::Pass)
            .rank();
        let before = existing.as_ref().map(|(id, old, _)| {
            (
                *id,
                Classification::parse(&old.classification).unwrap_or(Classification::Pass),
                old.outstanding.parse().unwrap_or_default(),
            )
        });
        match existing {
            Some((id, old, old_borrower))
                if old == values && old_borrower == borrower_id && !renamed =>
            {
                Ok((Outcome::Unchanged, id, before.map(|(_, c, o)| (c, o))))
            }
            Some((id, _, _)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE loans SET borrower_id = ?2, borrower_name = ?3, product = ?4, purpose = ?5,
                         currency = ?6, principal = ?7, outstanding = ?8, outstanding_fen = ?9,
                         interest_rate = ?10, disbursed_on = ?11, matures_on = ?12, guarantee_type = ?13,
                         officer = ?14, tracking_frequency = ?15, classification = ?16, class_rank = ?17,
                         updated_at = ?18, updated_by = ?19, version = version + 1, search_name = ?20
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id,
                        borrower_id,
                        borrower_name,
                        values.product,
                        values.purpose,
                        values.currency,
                        values.principal,
                        values.outstanding,
                        to_minor_units(rec.outstanding),
                        values.interest_rate,
                        values.disbursed_on,
                        values.matures_on,
                        values.guarantee_type,
                        values.officer,
                        values.tracking_frequency,
                        values.classification,
                        rank,
                        self.now,
                        actor,
                        super::ledger::search_name(&borrower_name)
                    ])?;
                self.refresh_followup(id)?;
                Ok((Outcome::Updated, id, before.map(|(_, c, o)| (c, o))))
            }
            None => {
                // Statements of a borrower already in the book count as follow-ups.
                let next = next_followup_on(
                    rec.disbursed_on,
                    None,
                    last_statement_on,
                    rec.tracking_frequency,
                );
                self.txn
                    .prepare_cached(
                        "INSERT INTO loans (contract_no, borrower_id, borrower_name, product, purpose, currency,
                         principal, outstanding, outstanding_fen, interest_rate, disbursed_on, matures_on,
                         guarantee_type, officer, tracking_frequency, classification, class_rank,
                         next_followup_on, created_at, created_by, updated_at, updated_by, last_statement_on,
                         search_name)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                                 ?18, ?19, ?20, ?19, ?20, ?21, ?22)",
                    )?
                    .execute(params![
                        rec.contract_no,
                        borrower_id,
                        borrower_name,
                        values.product,
                        values.purpose,
                        values.currency,
                        values.principal,
                        values.outstanding,
                        to_minor_units(rec.outstanding),
                        values.interest_rate,
                        values.disbursed_on,
                        values.matures_on,
                        values.guarantee_type,
                        values.officer,
                        values.tracking_frequency,
                        values.classification,
                        rank,
                        next,
                        self.now,
                        actor,
                        last_statement_on,
                        super::ledger::search_name(&borrower_name)
                    ])?;
                Ok((Outcome::Inserted, self.txn.last_insert_rowid(), None))
            }
        }
    }

    /// Inserts or updates a financial statement (by borrower and period end); the borrower's
    /// loans get their follow-up dates moved.
    /// The borrower's statement for `period_end` as stored (`None`: none yet), for the audit
    /// entry's "before" of a correction.
    pub fn statement_in_tx(
        &self,
        borrower_code: &str,
        period_end: NaiveDate,
    ) -> Result<Option<StatementRecord>> {
        let Some(borrower_id) = self.borrower_id(borrower_code)? else {
            return Ok(None);
        };
        Ok(
            super::detail::statements_q(&self.txn, borrower_id, u32::MAX)?
                .into_iter()
                .find(|s| s.period_end == period_end),
        )
    }

    pub fn upsert_statement(
        &mut self,
        rec: &StatementRecord,
        source: &str,
        actor: &str,
    ) -> Result<Outcome> {
        self.cache.borrowers.remove(&rec.borrower_code);
        let borrower_id =
            self.borrower_id(&rec.borrower_code)?
                .ok_or_else(|| StoreError::Unknown {
                    column: "borrower_code",
                    value: rec.borrower_code.clone(),
                })?;
        let new: [String; 10] = statement_amounts(rec);
        let existing: Option<(i64, [String; 10])> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id, total_assets, total_liabilities, current_assets, current_liabilities, inventory,
                        revenue, ebit, interest_expense, net_profit, operating_cash_flow
                 FROM financial_statements WHERE borrower_id = ?1 AND period_end = ?2",
            )?;
            stmt.query_row(params![borrower_id, rec.period_end], |r| {
                let mut a: [String; 10] = Default::default();
                for (i, slot) in a.iter_mut().enumerate() {
                    *slot = r.get(i + 1)?;
                }
                Ok((r.get(0)?, a))
            })
            .optional()?
        };
        let outcome = match existing {
            Some((_, old)) if old == new => return Ok(Outcome::Unchanged),
            Some((id, _)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE financial_statements SET total_assets = ?2, total_liabilities = ?3,
                         current_assets = ?4, current_liabilities = ?5, inventory = ?6, revenue = ?7, ebit = ?8,
                         interest_expense = ?9, net_profit = ?10, operating_cash_flow = ?11, source = ?12
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        id, new[0], new[1], new[2], new[3], new[4], new[5], new[6], new[7], new[8], new[9],
                        source
                    ])?;
                Outcome::Updated
            }
            None => {
                self.txn
                    .prepare_cached(
                        "INSERT INTO financial_statements (borrower_id, period_end, total_assets, total_liabilities,
                         current_assets, current_liabilities, inventory, revenue, ebit, interest_expense,
                         net_profit, operating_cash_flow, source, created_at, created_by)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    )?
                    .execute(params![
                        borrower_id, rec.period_end, new[0], new[1], new[2], new[3], new[4], new[5], new[6],
                        new[7], new[8], new[9], source, self.now, actor
                    ])?;
                Outcome::Inserted
            }
        };
        let loan_ids: Vec<i64> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id FROM loans WHERE borrower_id = ?1
                 AND (last_statement_on IS NULL OR last_statement_on < ?2)",
            )?;
            stmt.query_map(params![borrower_id, rec.period_end], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        for id in loan_ids {
            self.txn
                .prepare_cached("UPDATE loans SET last_statement_on = ?2 WHERE id = ?1")?
                .execute(params![id, rec.period_end])?;
            self.refresh_followup(id)?;
        }
        Ok(outcome)
    }

    /// Inserts or updates a repayment snapshot; the latest one becomes the loan's DPD.
    pub fn upsert_repayment(&mut self, rec: &RepaymentRecord, actor: &str) -> Result<Outcome> {
        let loan_id = self.require_loan(&rec.contract_no)?;
        let (p, i) = (
            dec_text(rec.overdue_principal),
            dec_text(rec.overdue_interest),
        );
        let existing: Option<(i64, i64, String, String)> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id, overdue_days, overdue_principal, overdue_interest FROM repayment_status
                 WHERE loan_id = ?1 AND as_of = ?2",
            )?;
            stmt.query_row(params![loan_id, rec.as_of], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?
        };
        let outcome = match existing {
            Some((_, d, op, oi)) if d == rec.overdue_days && op == p && oi == i => {
                return Ok(Outcome::Unchanged);
            }
            Some((id, ..)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE repayment_status SET overdue_days = ?2, overdue_principal = ?3,
                         overdue_interest = ?4 WHERE id = ?1",
                    )?
                    .execute(params![id, rec.overdue_days, p, i])?;
                Outcome::Updated
            }
            None => {
                self.txn
                    .prepare_cached(
                        "INSERT INTO repayment_status (loan_id, as_of, overdue_days, overdue_principal,
                         overdue_interest, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![loan_id, rec.as_of, rec.overdue_days, p, i, self.now, actor])?;
                Outcome::Inserted
            }
        };
        self.txn
            .prepare_cached(
                "UPDATE loans SET overdue_days = ?2, overdue_principal = ?3, overdue_interest = ?4,
                 status_as_of = ?5 WHERE id = ?1 AND (status_as_of IS NULL OR status_as_of <= ?5)",
            )?
            .execute(params![loan_id, rec.overdue_days, p, i, rec.as_of])?;
        Ok(outcome)
    }

    pub fn upsert_collateral(&mut self, rec: &CollateralRecord, actor: &str) -> Result<Outcome> {
        let loan_id = self.require_loan(&rec.contract_no)?;
        let value = dec_text(rec.appraised_value);
        let existing: Option<(i64, String, NaiveDate)> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id, appraised_value, appraised_on FROM collateral
                 WHERE loan_id = ?1 AND kind = ?2 AND description = ?3",
            )?;
            stmt.query_row(params![loan_id, rec.kind.code(), rec.description], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?
        };
        match existing {
            Some((_, v, on)) if v == value && on == rec.appraised_on => Ok(Outcome::Unchanged),
            Some((id, ..)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE collateral SET appraised_value = ?2, appraised_on = ?3 WHERE id = ?1",
                    )?
                    .execute(params![id, value, rec.appraised_on])?;
                Ok(Outcome::Updated)
            }
            None => {
                self.txn
                    .prepare_cached(
                        "INSERT INTO collateral (loan_id, kind, description, appraised_value, appraised_on,
                         created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![
                        loan_id,
                        rec.kind.code(),
                        rec.description,
                        value,
                        rec.appraised_on,
                        self.now,
                        actor
                    ])?;
                Ok(Outcome::Inserted)
            }
        }
    }

    pub fn upsert_fund_flow(&mut self, rec: &FundFlowRecord, actor: &str) -> Result<Outcome> {
        let loan_id = self.require_loan(&rec.contract_no)?;
        let amount = dec_text(rec.amount);
        let existing: Option<(i64, String)> = {
            let mut stmt = self.txn.prepare_cached(
                "SELECT id, sector FROM fund_flows
                 WHERE loan_id = ?1 AND paid_on = ?2 AND amount = ?3 AND counterparty = ?4",
            )?;
            stmt.query_row(
                params![loan_id, rec.paid_on, amount, rec.counterparty],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
        };
        match existing {
            Some((_, s)) if s == rec.sector.code() => Ok(Outcome::Unchanged),
            Some((id, _)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE fund_flows SET sector = ?2, prohibited = ?3 WHERE id = ?1",
                    )?
                    .execute(params![id, rec.sector.code(), rec.sector.is_prohibited()])?;
                Ok(Outcome::Updated)
            }
            None => {
                self.txn
                    .prepare_cached(
                        "INSERT INTO fund_flows (loan_id, paid_on, amount, counterparty, sector, prohibited,
                         created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        loan_id,
                        rec.paid_on,
                        amount,
                        rec.counterparty,
                        rec.sector.code(),
                        rec.sector.is_prohibited(),
                        self.now,
                        actor
                    ])?;
                Ok(Outcome::Inserted)
            }
        }
    }

    /// Inserts or updates a loan's covenant for one indicator.
    /// A loan's own thresholds for `indicator` as stored (`None`: it has none), for the audit
    /// entry's "before".
    pub fn covenant_thresholds(
        &self,
        contract_no: &str,
        indicator: &str,
    ) -> Result<Option<serde_json::Value>> {
        Ok(self
            .txn
            .prepare_cached(
                "SELECT c.yellow, c.orange, c.red FROM covenants c JOIN loans l ON l.id = c.loan_id
                 WHERE l.contract_no = ?1 AND c.indicator = ?2",
            )?
            .query_row(params![contract_no, indicator], |r| {
                Ok(serde_json::json!({
                    "yellow": r.get::<_, Option<String>>(0)?,
                    "orange": r.get::<_, Option<String>>(1)?,
                    "red": r.get::<_, Option<String>>(2)?,
                }))
            })
            .optional()?)
    }

    pub fn upsert_covenant(&mut self, rec: &CovenantRecord, actor: &str) -> Result<Outcome> {
        let loan_id = self.require_loan(&rec.contract_no)?;
        let t = |d: Option<rust_decimal::Decimal>| d.map(dec_text);
        let new = (t(rec.yellow), t(rec.orange), t(rec.red));
        type Thresholds = (Option<String>, Option<String>, Option<String>);
        let existing: Option<(i64, Thresholds)> = self
            .txn
            .prepare_cached("SELECT id, yellow, orange, red FROM covenants WHERE loan_id = ?1 AND indicator = ?2")?
            .query_row(params![loan_id, rec.indicator], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
            .optional()?;
        match existing {
            Some((_, old)) if old == new => Ok(Outcome::Unchanged),
            Some((id, _)) => {
                self.txn
                    .prepare_cached(
                        "UPDATE covenants SET yellow = ?2, orange = ?3, red = ?4, updated_at = ?5, updated_by = ?6,
                         version = version + 1 WHERE id = ?1",
                    )?
                    .execute(params![id, new.0, new.1, new.2, self.now, actor])?;
                Ok(Outcome::Updated)
            }
            None => {
                self.txn
                    .prepare_cached(
                        "INSERT INTO covenants (loan_id, indicator, yellow, orange, red, created_at, created_by,
                         updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
                    )?
                    .execute(params![loan_id, rec.indicator, new.0, new.1, new.2, self.now, actor])?;
                Ok(Outcome::Inserted)
            }
        }
    }

    /// Records a visit or call; returns the new contact's id.
    pub fn insert_contact(&mut self, rec: &ContactRecord, actor: &str) -> Result<i64> {
        let loan_id = self.require_loan(&rec.contract_no)?;
        self.txn
            .prepare_cached(
                "INSERT INTO contacts (loan_id, contact_on, kind, notes, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                loan_id,
                rec.contact_on,
                rec.kind.code(),
                rec.notes,
                self.now,
                actor
            ])?;
        let id = self.txn.last_insert_rowid();
        self.txn
            .prepare_cached(
                "UPDATE loans SET last_contact_on = ?2, version = version + 1, updated_at = ?3, updated_by = ?4
                 WHERE id = ?1 AND (last_contact_on IS NULL OR last_contact_on < ?2)",
            )?
            .execute(params![loan_id, rec.contact_on, self.now, actor])?;
        self.refresh_followup(loan_id)?;
        Ok(id)
    }

    /// Recomputes a loan's next follow-up date from its frequency and latest contact or statement.
    pub fn refresh_followup(&mut self, loan_id: i64) -> Result<()> {
        let (disbursed, contact, statement, freq, current): (
            NaiveDate,
            Option<NaiveDate>,
            Option<NaiveDate>,
            String,
            NaiveDate,
        ) = self.txn.query_row(
            "SELECT disbursed_on, last_contact_on, last_statement_on, tracking_frequency, next_followup_on
             FROM loans WHERE id = ?1",
            [loan_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
        let freq = TrackingFrequency::parse(&freq).unwrap_or(TrackingFrequency::Monthly);
        let next = next_followup_on(disbursed, contact, statement, freq);
        if next != current {
            self.txn
                .prepare_cached("UPDATE loans SET next_followup_on = ?2 WHERE id = ?1")?
                .execute(params![loan_id, next])?;
        }
        Ok(())
    }
}

/// A statement's ten amounts as stored, in column order.
pub(super) fn statement_amounts(rec: &StatementRecord) -> [String; 10] {
    [
        rec.total_assets,
        rec.total_liabilities,
        rec.current_assets,
        rec.current_liabilities,
        rec.inventory,
        rec.revenue,
        rec.ebit,
        rec.interest_expense,
        rec.net_profit,
        rec.operating_cash_flow,
    ]
    .map(dec_text)
}

/// A loan's stored terms, as text, for comparing an incoming row with what is in the book.
#[derive(Debug, PartialEq)]
struct LoanValues {
    product: String,
    purpose: String,
    currency: String,
    principal: String,
    outstanding: String,
    interest_rate: String,
    disbursed_on: String,
    matures_on: String,
    guarantee_type: String,
    officer: String,
    tracking_frequency: String,
    classification: String,
}

impl LoanValues {
    fn of(rec: &LoanRecord) -> LoanValues {
        LoanValues {
            product: rec.product.code().into(),
            purpose: rec.purpose.clone(),
            currency: rec.currency.clone(),
            principal: dec_text(rec.principal),
            outstanding: dec_text(rec.outstanding),
            interest_rate: dec_text(rec.interest_rate),
            disbursed_on: rec.disbursed_on.to_string(),
            matures_on: rec.matures_on.to_string(),
            guarantee_type: rec.guarantee_type.code().into(),
            officer: rec.officer.clone(),
            tracking_frequency: rec.tracking_frequency.code().into(),
            classification: rec
                .classification
                .unwrap_or(Classification::Pass)
                .code()
                .into(),
        }
    }
}
