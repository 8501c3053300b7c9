//! Fast loading of a freshly built book (the demo generator): plain prepared inserts in one
//! transaction, records arriving parent-first, derived loan fields set once per loan.

use super::sqlval::dec_text;
use super::{Result, StoreError, now_text};
use crate::domain::money::to_minor_units;
use crate::domain::tracking::next_followup_on;
use crate::domain::*;
use chrono::NaiveDate;
use rusqlite::{Connection, Transaction, params};

/// The loan whose children are arriving; its derived fields are written when it is done.
struct OpenLoan {
    id: i64,
    contract_no: String,
    disbursed_on: NaiveDate,
    frequency: TrackingFrequency,
    last_statement_on: Option<NaiveDate>,
    last_contact_on: Option<NaiveDate>,
    status: Option<RepaymentRecord>,
}

struct OpenBorrower {
    id: i64,
    code: String,
    name: String,
    last_statement_on: Option<NaiveDate>,
}

/// Writes records in one transaction; `finish` commits.
pub struct BulkWriter<'c> {
    txn: Transaction<'c>,
    now: String,
    actor: String,
    borrower: Option<OpenBorrower>,
    loan: Option<OpenLoan>,
    /// The search trigger, set aside: the loans are indexed in one statement at the end.
    search: Option<(String, i64)>,
}

impl<'c> BulkWriter<'c> {
    pub(super) fn new(conn: &'c mut Connection) -> Result<BulkWriter<'c>> {
        // A fresh book is rebuilt rather than repaired if the machine dies mid-way, so the
        // load may skip the fsyncs.
        conn.pragma_update(None, "synchronous", "OFF")?;
        // No journal either: WAL would write every page twice (log, then checkpoint). The
        // book is reopened in WAL mode when the load is done.
        conn.pragma_update(None, "journal_mode", "OFF")?;
        let txn = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let search = super::reindex::defer_search(&txn)?;
        // A fresh book's load seals nothing (its one entry counts what it loaded).
        super::seal::quiet(&txn, true)?;
        Ok(BulkWriter {
            txn,
            now: now_text(),
            actor: "demo".into(),
            borrower: None,
            loan: None,
            search,
        })
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.txn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn staff(&mut self, r: &StaffRecord) -> Result<()> {
        self.txn
            .prepare_cached(
                "INSERT INTO staff (username, display_name, role, created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5)
                 ON CONFLICT (username) DO UPDATE SET role = excluded.role, display_name = excluded.display_name",
            )?
            .execute(params![r.username, r.display_name, r.role.code(), self.now, self.actor])?;
        Ok(())
    }

    pub fn borrower(&mut self, r: &BorrowerRecord) -> Result<()> {
        self.close_loan()?;
        self.txn
            .prepare_cached(
                "INSERT INTO borrowers (code, name, credit_code, industry, region, created_at, created_by, updated_at, updated_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
            )?
            .execute(params![r.code, r.name, r.credit_code, r.industry, r.region, self.now, self.actor])?;
        self.borrower = Some(OpenBorrower {
            id: self.txn.last_insert_rowid(),
            code: r.code.clone(),
            name: r.name.clone(),
            last_statement_on: None,
        });
        Ok(())
    }

    fn current_borrower(&mut self, code: &str) -> Result<&mut OpenBorrower> {
        match &mut self.borrower {
            Some(b) if b.code == code => Ok(self.borrower.as_mut().expect("checked above")),
            _ => Err(StoreError::Invalid(format!(
                "bulk load: borrower {code} must come right before its statements and loans"
            ))),
        }
    }

    pub fn statement(&mut self, r: &StatementRecord) -> Result<()> {
        let b = self.current_borrower(&r.borrower_code)?;
        let id = b.id;
        b.last_statement_on = b.last_statement_on.max(Some(r.period_end));
        let a = super::write::statement_amounts(r);
        self.txn
            .prepare_cached(
                "INSERT INTO financial_statements (borrower_id, period_end, total_assets, total_liabilities,
                 current_assets, current_liabilities, inventory, revenue, ebit, interest_expense,
                 net_profit, operating_cash_flow, source, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'demo', ?13, ?14)",
            )?
            .execute(params![
                id, r.period_end, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], self.now,
                self.actor
            ])?;
        Ok(())
    }

    pub fn loan(&mut self, r: &LoanRecord) -> Result<()> {
        self.close_loan()?;
        let b = self.current_borrower(&r.borrower_code)?;
        let (borrower_id, name, last_statement_on) = (b.id, b.name.clone(), b.last_statement_on);
        let next = next_followup_on(
            r.disbursed_on,
            None,
            last_statement_on,
            r.tracking_frequency,
        );
        self.txn
            .prepare_cached(
                "INSERT INTO loans (contract_no, borrower_id, borrower_name, product, purpose, currency,
                 principal, outstanding, outstanding_fen, interest_rate, disbursed_on, matures_on,
                 guarantee_type, officer, tracking_frequency, classification, class_rank,
                 last_statement_on, next_followup_on, created_at, created_by, updated_at, updated_by,
                 search_name)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                         ?18, ?19, ?20, ?21, ?20, ?21, ?22)",
            )?
            .execute(params![
                r.contract_no,
                borrower_id,
                name,
                r.product.code(),
                r.purpose,
                r.currency,
                dec_text(r.principal),
                dec_text(r.outstanding),
                to_minor_units(r.outstanding),
                dec_text(r.interest_rate),
                r.disbursed_on,
                r.matures_on,
                r.guarantee_type.code(),
                r.officer,
                r.tracking_frequency.code(),
                r.classification.unwrap_or(Classification::Pass).code(),
                r.classification.unwrap_or(Classification::Pass).rank(),
                last_statement_on,
                next,
                self.now,
                self.actor,
                super::ledger::search_name(&name)
            ])?;
        self.loan = Some(OpenLoan {
            id: self.txn.last_insert_rowid(),
            contract_no: r.contract_no.clone(),
            disbursed_on: r.disbursed_on,
            frequency: r.tracking_frequency,
            last_statement_on,
            last_contact_on: None,
            status: None,
        });
        Ok(())
    }

    fn current_loan(&mut self, contract_no: &str) -> Result<&mut OpenLoan> {
        match &mut self.loan {
            Some(l) if l.contract_no == contract_no => {
                Ok(self.loan.as_mut().expect("checked above"))
            }
            _ => Err(StoreError::Invalid(format!(
                "bulk load: loan {contract_no} must come right before its collateral, repayments, flows and contacts"
            ))),
        }
    }

    pub fn collateral(&mut self, r: &CollateralRecord) -> Result<()> {
        let id = self.current_loan(&r.contract_no)?.id;
        self.txn
            .prepare_cached(
                "INSERT OR IGNORE INTO collateral (loan_id, kind, description, appraised_value, appraised_on,
                 created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                r.kind.code(),
                r.description,
                dec_text(r.appraised_value),
                r.appraised_on,
                self.now,
                self.actor
            ])?;
        Ok(())
    }

    pub fn repayment(&mut self, r: &RepaymentRecord) -> Result<()> {
        let loan = self.current_loan(&r.contract_no)?;
        let id = loan.id;
        if loan.status.as_ref().is_none_or(|s| s.as_of <= r.as_of) {
            loan.status = Some(r.clone());
        }
        self.txn
            .prepare_cached(
                "INSERT OR REPLACE INTO repayment_status (loan_id, as_of, overdue_days, overdue_principal,
                 overdue_interest, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                r.as_of,
                r.overdue_days,
                dec_text(r.overdue_principal),
                dec_text(r.overdue_interest),
                self.now,
                self.actor
            ])?;
        Ok(())
    }

    pub fn fund_flow(&mut self, r: &FundFlowRecord) -> Result<()> {
        let id = self.current_loan(&r.contract_no)?.id;
        self.txn
            .prepare_cached(
                "INSERT OR IGNORE INTO fund_flows (loan_id, paid_on, amount, counterparty, sector, prohibited,
                 created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id,
                r.paid_on,
                dec_text(r.amount),
                r.counterparty,
                r.sector.code(),
                r.sector.is_prohibited(),
                self.now,
                self.actor
            ])?;
        Ok(())
    }

    pub fn contact(&mut self, r: &ContactRecord, by: &str) -> Result<()> {
        let loan = self.current_loan(&r.contract_no)?;
        let id = loan.id;
        loan.last_contact_on = loan.last_contact_on.max(Some(r.contact_on));
        self.txn
            .prepare_cached(
                "INSERT INTO contacts (loan_id, contact_on, kind, notes, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id,
                r.contact_on,
                r.kind.code(),
                r.notes,
                self.now,
                by
            ])?;
        Ok(())
    }

    /// Writes the derived fields of the loan just finished (DPD, last contact, next follow-up).
    fn close_loan(&mut self) -> Result<()> {
        let Some(loan) = self.loan.take() else {
            return Ok(());
        };
        if loan.status.is_none() && loan.last_contact_on.is_none() {
            return Ok(());
        }
        let next = next_followup_on(
            loan.disbursed_on,
            loan.last_contact_on,
            loan.last_statement_on,
            loan.frequency,
        );
        let (days, p, i, as_of) = match &loan.status {
            Some(s) => (
                s.overdue_days,
                dec_text(s.overdue_principal),
                dec_text(s.overdue_interest),
                Some(s.as_of),
            ),
            None => (0, "0".into(), "0".into(), None),
        };
        self.txn
            .prepare_cached(
                "UPDATE loans SET overdue_days = ?2, overdue_principal = ?3, overdue_interest = ?4,
                 status_as_of = ?5, last_contact_on = ?6, next_followup_on = ?7 WHERE id = ?1",
            )?
            .execute(params![
                loan.id,
                days,
                p,
                i,
                as_of,
                loan.last_contact_on,
                next
            ])?;
        Ok(())
    }

    /// Appends an audit row for the whole load and commits.
    pub fn finish(mut self, actor: &str, detail: &serde_json::Value) -> Result<()> {
        self.close_loan()?;
        if let Some(search) = self.search.take() {
            super::reindex::restore_search(&self.txn, &search)?;
        }
        super::seal::quiet(&self.txn, false)?;
        super::audit::append(
            &self.txn,
            &self.now,
            actor,
            "demo.build",
            "book",
            "",
            detail,
        )?;
        self.txn.commit()?;
        Ok(())
    }
}
