//! The loan ledger as pages: filtered, sorted by any column, fetched by keyset (the sort
//! value and id of the row next to the page) so no pane ever loads the whole book.

use super::sqlval::{SortValue, code, dec};
use super::{Result, Store};
use crate::domain::{Classification, Product};
use chrono::NaiveDate;
use rusqlite::ToSql;
use rust_decimal::Decimal;

/// Columns the ledger can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerSort {
    #[default]
    ContractNo,
    Borrower,
    Product,
    Outstanding,
    Class,
    Dpd,
    Officer,
    NextFollowup,
}

impl LedgerSort {
    pub const ALL: [LedgerSort; 8] = [
        LedgerSort::ContractNo,
        LedgerSort::Borrower,
        LedgerSort::Product,
        LedgerSort::Outstanding,
        LedgerSort::Class,
        LedgerSort::Dpd,
        LedgerSort::Officer,
        LedgerSort::NextFollowup,
    ];

    fn column(self) -> &'static str {
        match self {
            LedgerSort::ContractNo => "contract_no",
            LedgerSort::Borrower => "borrower_name",
            LedgerSort::Product => "product",
            LedgerSort::Outstanding => "outstanding_fen",
            LedgerSort::Class => "class_rank",
            LedgerSort::Dpd => "overdue_days",
            LedgerSort::Officer => "officer",
            LedgerSort::NextFollowup => "next_followup_on",
        }
    }
}

/// What part of the book to show, and in which order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerQuery {
    pub sort: LedgerSort,
    pub descending: bool,
    /// Substring of borrower name, contract number or officer (any script).
    pub text: String,
    pub officer: Option<String>,
    pub class: Option<Classification>,
    pub overdue_only: bool,
    /// Only loans whose next follow-up is due on or before this date.
    pub followup_due_by: Option<NaiveDate>,
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanRow {
    pub id: i64,
    pub contract_no: String,
    pub borrower_name: String,
    pub product: Product,
    pub outstanding: Decimal,
    pub currency: String,
    pub classification: Classification,
    pub overdue_days: i64,
    pub officer: String,
    pub next_followup_on: NaiveDate,
    /// The sort column's value: with `id`, the keyset position of this row.
    pub sort_key: SortValue,
}

impl LoanRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            value: self.sort_key.clone(),
            id: self.id,
        }
    }
}

/// The position of a row in a sorted ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct PageKey {
    pub value: SortValue,
    pub id: i64,
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum PageFrom {
    Start,
    End,
    After(PageKey),
    Before(PageKey),
    /// From this row on, the row itself included (re-reading a window in place).
    AtOrAfter(PageKey),
}

impl LedgerQuery {
    fn where_clause(&self, params: &mut Vec<Box<dyn ToSql>>) -> String {
        let mut clauses: Vec<String> = Vec::new();
        let text = self.text.trim();
        if !text.is_empty() {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            params.push(Box::new(format!("%{escaped}%")));
            let n = params.len();
            clauses.push(format!(
                "(borrower_name LIKE ?{n} ESCAPE '\\' OR contract_no LIKE ?{n} ESCAPE '\\' OR officer LIKE ?{n} ESCAPE '\\')"
            ));
        }
        if let Some(officer) = &self.officer {
            params.push(Box::new(officer.clone()));
            clauses.push(format!("officer = ?{}", params.len()));
        }
        if let Some(class) = self.class {
            params.push(Box::new(class.rank()));
            clauses.push(format!("class_rank = ?{}", params.len()));
        }
        if self.overdue_only {
            clauses.push("overdue_days > 0".into());
        }
        if let Some(due) = self.followup_due_by {
            params.push(Box::new(due));
            clauses.push(format!("next_followup_on <= ?{}", params.len()));
        }
        if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        }
    }
}

impl Store {
    /// How many loans match the query's filters.
    pub fn ledger_count(&self, q: &LedgerQuery) -> Result<u64> {
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let sql = format!("SELECT COUNT(*) FROM loans {}", q.where_clause(&mut params));
        let n: i64 = self.conn().query_row(
            &sql,
            rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// Up to `limit` rows starting at `from`, always returned in display order.
    pub fn ledger_page(
        &self,
        q: &LedgerQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<LoanRow>> {
        let col = q.sort.column();
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let mut where_sql = q.where_clause(&mut params);
        // Reading backwards (from the end, or before a key) flips the order; the rows are
        // reversed afterwards so callers always get display order.
        let backwards = matches!(from, PageFrom::End | PageFrom::Before(_));
        let ascending = q.descending == backwards;
        if let PageFrom::After(key) | PageFrom::Before(key) | PageFrom::AtOrAfter(key) = from {
            let inclusive = matches!(from, PageFrom::AtOrAfter(_));
            let op = match (ascending, inclusive) {
                (true, false) => ">",
                (false, false) => "<",
                (true, true) => ">=",
                (false, true) => "<=",
            };
            params.push(Box::new(key.value.clone()));
            let v = params.len();
            params.push(Box::new(key.id));
            let i = params.len();
            let cond = format!("({col}, id) {op} (?{v}, ?{i})");
            where_sql = if where_sql.is_empty() {
                format!("WHERE {cond}")
            } else {
                format!("{where_sql} AND {cond}")
            };
        }
        let dir = if ascending { "ASC" } else { "DESC" };
        params.push(Box::new(limit as i64));
        let sql = format!(
            "SELECT id, contract_no, borrower_name, product, outstanding, currency, class_rank,
                    overdue_days, officer, next_followup_on, {col}
             FROM loans {where_sql} ORDER BY {col} {dir}, id {dir} LIMIT ?{}",
            params.len()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            |r| {
                Ok(LoanRow {
                    id: r.get(0)?,
                    contract_no: r.get(1)?,
                    borrower_name: r.get(2)?,
                    product: code(r, 3, Product::parse)?,
                    outstanding: dec(r, 4)?,
                    currency: r.get(5)?,
                    classification: Classification::from_rank(r.get(6)?)
                        .unwrap_or(Classification::Loss),
                    overdue_days: r.get(7)?,
                    officer: r.get(8)?,
                    next_followup_on: r.get(9)?,
                    sort_key: r.get(10)?,
                })
            },
        )?;
        let mut out: Vec<LoanRow> = rows.collect::<Result<_, _>>()?;
        if backwards {
            out.reverse();
        }
        Ok(out)
    }
}
