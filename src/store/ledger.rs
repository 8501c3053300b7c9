//! The loan ledger as pages: filtered, sorted by any column, fetched by keyset (the sort
//! value and id of the row next to the page) so no pane ever loads the whole book.
//!
//! Days past due are counted as of the book's today ([`LedgerQuery::today`]): the stored
//! repayment status's, and past maturity with a balance still out at least the days since
//! maturity (the engine's rule, [`crate::engine::dpd_as_of`]). The stored status changes
//! only with an import, the days since maturity every day, so nothing stored can hold the
//! value: the filter and the DPD order compute it in SQL (see [`Store::read_dpd_page`]).

use super::sqlval::{SortValue, code, dec};
use super::{Result, Store, StoreError};
use crate::domain::{Classification, Product};
use chrono::{Datelike, NaiveDate};
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
    /// The day days past due are counted on (a matured loan with a balance out is past due
    /// since its maturity). None: the book's today ([`Store::book_today`]).
    pub today: Option<NaiveDate>,
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
    /// Days past due as of the query's today: the repayment status's, and past maturity
    /// with a balance out at least the days since maturity.
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

/// A filter matching at most this many loans reads them through the search index and sorts
/// them (about a microsecond a match).
const SORTED_MATCHES: u64 = 300;
/// Up to this many, the matches are looked up in the search index and the sort column's
/// index is walked, testing each entry against them without reading the row. Beyond it the
/// matches are dense: the sort order is walked and each row tested with LIKE, and counting
/// stops here (the list shows "10000+"; the rest is counted when asked for, at `G`).
pub const COUNT_CAP: u64 = 10_000;
pub(super) const SEARCH_TIERS: (u64, u64) = (SORTED_MATCHES, COUNT_CAP);
/// A walk through the sort index gives up after about this many SQLite steps (a few
/// milliseconds, some thousands of index entries) and the matches are sorted instead.
pub(super) const WALK_BUDGET_OPS: i32 = 60_000;
/// A one- or two-character query expands to the indexed trigrams that start with it; more
/// than this many means its letters are common, and the ledger is walked instead.
const SHORT_QUERY_TERMS: usize = 256;

/// How many rows a query matches: exactly, or at least so many (counting stopped early).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Total {
    pub n: u64,
    pub exact: bool,
}

impl Total {
    pub fn exact(n: u64) -> Total {
        Total { n, exact: true }
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.exact {
            write!(f, "{}", self.n)
        } else {
            write!(f, "{}+", self.n)
        }
    }
}

/// How the text filter is answered.
#[derive(Debug, Clone, PartialEq)]
enum TextPlan {
    /// No text filter.
    All,
    /// No indexed text can contain it.
    Nothing,
    /// Few matches: the rows the search index names (an FTS5 query), sorted; or, when
    /// `walk`, found by walking the sort column's index.
    Indexed {
        expr: String,
        walk: bool,
        matches: u64,
    },
    /// Many matches: each row of the sort order is tested with LIKE. The count of index
    /// matches (capped) and their FTS5 query come along when known.
    Scan {
        matches: Option<u64>,
        expr: Option<String>,
    },
}

impl TextPlan {
    /// For a plan that walks the sort order: the same matches read and sorted, and how many
    /// times the walk budget it may take first (testing rows with LIKE costs more steps
    /// than probing index entries).
    fn sorted_fallback(&self) -> Option<(TextPlan, i32)> {
        let (expr, matches, factor) = match self {
            TextPlan::Indexed {
                expr,
                walk: true,
                matches,
            } => (expr, *matches, 1),
            TextPlan::Scan {
                expr: Some(expr),
                matches: Some(matches),
            } => (expr, *matches, 10),
            _ => return None,
        };
        let sorted = TextPlan::Indexed {
            expr: expr.clone(),
            walk: false,
            matches,
        };
        Some((sorted, factor))
    }
}

/// A text filter's plan, with the state of the book it was made on.
#[derive(Debug)]
pub(super) struct CachedPlan {
    text: String,
    stamp: (i64, u64),
    plan: TextPlan,
    /// Orders in which walking for the matches ran out of budget.
    walked_far: Vec<(LedgerSort, bool)>,
}

/// The typed filter as searched: without control characters and the invisible characters a
/// search passes over (`domain::text::SEARCH_IGNORED`: a pasted name may hold a zero-width
/// joiner), full-width letters, digits and spaces (a Chinese input method in full-width mode
/// types `ＰＬ０００１`) as their ASCII selves, since contract numbers and user names are
/// ASCII; trimmed.
pub fn search_text(text: &str) -> String {
    let folded: String = text
        .chars()
        .filter(|c| !c.is_control() && !crate::domain::text::is_search_ignored(*c))
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    folded.trim().to_string()
}

/// The borrower name as the search reads it, kept beside the name as given (`loans.search_name`,
/// schema v15): the name without the characters of `domain::text::SEARCH_IGNORED`, or None
/// when it holds none (nearly always), so the column and its partial index cost nothing for
/// plain names. Every write of `borrower_name` writes it too.
pub(super) fn search_name(name: &str) -> Option<String> {
    match crate::domain::text::search_fold(name) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(folded) => Some(folded),
    }
}

/// `column` without the characters a search passes over, in SQL: what schema 15 filled
/// `search_name` of the loans already in a book with (slow: for the migration only).
#[cfg(test)]
fn sql_search_fold(column: &str) -> String {
    crate::domain::text::SEARCH_IGNORED
        .iter()
        .fold(column.to_string(), |e, c| {
            format!("replace({e}, char({}), '')", u32::from(*c))
        })
}

/// A loan past its maturity with a balance still out, as of the date in parameter `?t`.
fn matured_unpaid(t: usize) -> String {
    format!("(outstanding_fen > 0 AND matures_on < ?{t})")
}

/// Whole days from maturity to the date in parameter `?t` (dates are `YYYY-MM-DD`, so the
/// difference of their Julian days is a whole number).
fn since_maturity(t: usize) -> String {
    format!("CAST(julianday(?{t}) - julianday(matures_on) AS INTEGER)")
}

/// An FTS5 string literal.
fn fts_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl LedgerQuery {
    fn has_other_filters(&self) -> bool {
        self.officer.is_some()
            || self.class.is_some()
            || self.overdue_only
            || self.followup_due_by.is_some()
    }

    /// The filters as SQL; days past due are counted on `today`.
    fn where_clause(
        &self,
        plan: &TextPlan,
        params: &mut Vec<Box<dyn ToSql>>,
        today: NaiveDate,
    ) -> String {
        let clauses = self.clauses(plan, params, today);
        if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        }
    }

    fn clauses(
        &self,
        plan: &TextPlan,
        params: &mut Vec<Box<dyn ToSql>>,
        today: NaiveDate,
    ) -> Vec<String> {
        let mut clauses: Vec<String> = Vec::new();
        match plan {
            TextPlan::All => {}
            TextPlan::Nothing => clauses.push("0".into()),
            TextPlan::Indexed { expr, walk, .. } => {
                params.push(Box::new(expr.clone()));
                // `+id` keeps SQLite from reading the matches by rowid and sorting them.
                clauses.push(format!(
                    "{}id IN (SELECT rowid FROM loan_search WHERE loan_search MATCH ?{})",
                    if *walk { "+" } else { "" },
                    params.len()
                ));
            }
            TextPlan::Scan { .. } => {
                let escaped = search_text(&self.text)
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                params.push(Box::new(format!("%{escaped}%")));
                let n = params.len();
                // A name holding invisible characters is compared without them, as the
                // index holds it: the few such loans come from a partial index, once, so the
                // scan still reads only the name index (as fast as before at 100,000 loans).
                clauses.push(format!(
                    "(borrower_name LIKE ?{n} ESCAPE '\\' OR contract_no LIKE ?{n} ESCAPE '\\' OR officer LIKE ?{n} ESCAPE '\\' OR id IN (SELECT id FROM loans WHERE search_name IS NOT NULL AND search_name LIKE ?{n} ESCAPE '\\'))"
                ));
            }
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
            params.push(Box::new(today));
            let t = params.len();
            clauses.push(format!("(overdue_days > 0 OR {})", matured_unpaid(t)));
        }
        if let Some(due) = self.followup_due_by {
            params.push(Box::new(due));
            clauses.push(format!("next_followup_on <= ?{}", params.len()));
        }
        clauses
    }
}

impl Store {
    /// The book's today: a demo book lives on its own date (`demo --as-of`), a real book on
    /// the calendar's.
    pub fn book_today(&self) -> Result<NaiveDate> {
        if self.is_demo()?
            && let Some(d) = self.meta("demo_as_of")?
            && let Ok(d) = d.parse()
        {
            return Ok(d);
        }
        Ok(chrono::Local::now().date_naive())
    }

    /// The day the query counts days past due on.
    fn query_today(&self, q: &LedgerQuery) -> Result<NaiveDate> {
        match q.today {
            Some(d) => Ok(d),
            None => self.book_today(),
        }
    }

    /// Moves the points where the text filter changes plans (defaults: sort up to 300
    /// matches, count up to 10,000). Tests use small numbers to reach every plan on a small
    /// book.
    pub fn set_search_tiers(&self, sorted: u64, count_cap: u64) {
        self.search_tiers
            .set((sorted, count_cap.max(sorted).max(1)));
        self.search_plan.borrow_mut().take();
    }

    /// Decides how to answer the text filter: through the trigram index when it names few
    /// loans, by walking the ledger when matches are many.
    fn text_plan(&self, q: &LedgerQuery) -> Result<TextPlan> {
        let text = search_text(&q.text).to_lowercase();
        if text.is_empty() {
            return Ok(TextPlan::All);
        }
        // Paging through a filtered list asks again for every page: the answer holds while
        // nobody (this connection included) has written to the book.
        let stamp = (self.data_version()?, self.conn().total_changes());
        if let Some(cached) = self.search_plan.borrow().as_ref()
            && cached.text == text
            && cached.stamp == stamp
        {
            return Ok(cached.plan.clone());
        }
        let plan = self.plan_text(&text)?;
        *self.search_plan.borrow_mut() = Some(CachedPlan {
            text,
            stamp,
            plan: plan.clone(),
            walked_far: Vec::new(),
        });
        Ok(plan)
    }

    fn plan_text(&self, text: &str) -> Result<TextPlan> {
        let (sorted, cap) = self.search_tiers.get();
        let expr = if text.chars().count() >= 3 {
            fts_quote(text)
        } else {
            // Every field is indexed with two separators after it, so a short substring is
            // the start of some indexed trigram.
            let upper = format!("{text}\u{10FFFF}");
            let mut stmt = self.conn().prepare_cached(
                "SELECT term FROM loan_search_terms WHERE term >= ?1 AND term < ?2 LIMIT ?3",
            )?;
            let terms = stmt
                .query_map(
                    rusqlite::params![text, upper, SHORT_QUERY_TERMS as i64 + 1],
                    |r| r.get::<_, String>(0),
                )?
                .collect::<Result<Vec<String>, _>>()?;
            if terms.is_empty() {
                return Ok(TextPlan::Nothing);
            }
            if terms.len() > SHORT_QUERY_TERMS {
                return Ok(TextPlan::Scan {
                    matches: None,
                    expr: None,
                });
            }
            terms
                .iter()
                .map(|t| fts_quote(t))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let matches: i64 = self.conn().prepare_cached(
            "SELECT count(*) FROM (SELECT rowid FROM loan_search WHERE loan_search MATCH ?1 LIMIT ?2)",
        )?
        .query_row(rusqlite::params![expr, cap as i64 + 1], |r| r.get(0))?;
        let matches = matches.max(0) as u64;
        Ok(if matches == 0 {
            TextPlan::Nothing
        } else if matches <= cap {
            TextPlan::Indexed {
                expr,
                walk: matches > sorted,
                matches,
            }
        } else {
            TextPlan::Scan {
                matches: Some(matches),
                expr: Some(expr),
            }
        })
    }

    fn count_where(&self, q: &LedgerQuery, plan: &TextPlan, cap: Option<u64>) -> Result<u64> {
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let where_sql = q.where_clause(plan, &mut params, self.query_today(q)?);
        let sql = match cap {
            Some(cap) => {
                params.push(Box::new(cap as i64 + 1));
                format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM loans {where_sql} LIMIT ?{})",
                    params.len()
                )
            }
            None => format!("SELECT COUNT(*) FROM loans {where_sql}"),
        };
        let n: i64 = self.conn().prepare_cached(&sql)?.query_row(
            rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// How many loans match the query's filters. A text filter matching many loans is
    /// counted up to [`COUNT_CAP`] (then the total is "at least").
    pub fn ledger_count(&self, q: &LedgerQuery) -> Result<Total> {
        let plan = self.text_plan(q)?;
        let cap = self.search_tiers.get().1;
        match plan {
            TextPlan::Nothing => Ok(Total::exact(0)),
            TextPlan::Indexed { matches, .. } if !q.has_other_filters() => {
                Ok(Total::exact(matches))
            }
            TextPlan::All | TextPlan::Indexed { .. } => {
                Ok(Total::exact(self.count_where(q, &plan, None)?))
            }
            TextPlan::Scan {
                matches: Some(matches),
                ..
            } if !q.has_other_filters() => Ok(Total {
                n: matches.min(cap),
                exact: matches <= cap,
            }),
            TextPlan::Scan { .. } => {
                let n = self.count_where(q, &plan, Some(cap))?;
                Ok(Total {
                    n: n.min(cap),
                    exact: n <= cap,
                })
            }
        }
    }

    /// How many loans match, counted to the end however long it takes.
    pub fn ledger_count_exact(&self, q: &LedgerQuery) -> Result<u64> {
        let plan = self.text_plan(q)?;
        if plan == TextPlan::Nothing {
            return Ok(0);
        }
        self.count_where(q, &plan, None)
    }

    /// Up to `limit` rows starting at `from`, always returned in display order.
    pub fn ledger_page(
        &self,
        q: &LedgerQuery,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<LoanRow>> {
        let plan = self.text_plan(q)?;
        if plan == TextPlan::Nothing {
            return Ok(Vec::new());
        }
        match plan.sorted_fallback() {
            Some((sorted, factor)) => {
                let budget = self.walk_budget.get().saturating_mul(factor);
                self.walk_or_sort(q, &plan, &sorted, budget, from, limit)
            }
            None => self.read_page(q, &plan, from, limit),
        }
    }

    /// Reads a page by walking the sort order (`walk`) within a budget of SQLite steps; when
    /// the budget runs out — the matches sit together far along this order (a name prefix
    /// under the borrower sort, a contract range) — reads it by sorting the matches instead,
    /// and remembers to do so for this query and order.
    fn walk_or_sort(
        &self,
        q: &LedgerQuery,
        walk: &TextPlan,
        sorted: &TextPlan,
        budget: i32,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<LoanRow>> {
        let order = (q.sort, q.descending);
        let walked_far = self
            .search_plan
            .borrow()
            .as_ref()
            .is_some_and(|c| c.walked_far.contains(&order));
        if !walked_far {
            match self.within_budget(budget, || self.read_page(q, walk, from, limit)) {
                Err(StoreError::Sql(rusqlite::Error::SqliteFailure(e, _)))
                    if e.code == rusqlite::ErrorCode::OperationInterrupted => {}
                other => return other,
            }
            if let Some(c) = self.search_plan.borrow_mut().as_mut() {
                c.walked_far.push(order);
            }
        }
        self.read_page(q, sorted, from, limit)
    }

    /// How many SQLite steps a walk for the matches may take before they are sorted
    /// instead (default [`WALK_BUDGET_OPS`]; tests use 0 to reach the fallback).
    pub fn set_walk_budget(&self, ops: i32) {
        self.walk_budget.set(ops.max(0));
        self.search_plan.borrow_mut().take();
    }

    /// Runs `f` with SQLite stopped once it has taken `budget` steps.
    fn within_budget<T>(&self, budget: i32, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let every = if budget < 20_000 { 100 } else { 2_000 };
        let mut steps = 0i32;
        self.conn().progress_handler(
            every,
            Some(move || {
                steps = steps.saturating_add(every);
                steps > budget
            }),
        )?;
        let out = f();
        self.conn().progress_handler(0, None::<fn() -> bool>)?;
        out
    }

    fn read_page(
        &self,
        q: &LedgerQuery,
        plan: &TextPlan,
        from: &PageFrom,
        limit: usize,
    ) -> Result<Vec<LoanRow>> {
        let today = self.query_today(q)?;
        if q.sort == LedgerSort::Dpd {
            return self.read_dpd_page(q, plan, from, limit, today);
        }
        let col = q.sort.column();
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let mut where_sql = q.where_clause(plan, &mut params, today);
        // Reading backwards (from the end, or before a key) flips the order; the rows are
        // reversed afterwards so callers always get display order.
        let backwards = matches!(from, PageFrom::End | PageFrom::Before(_));
        let ascending = q.descending == backwards;
        if let Some((op, key)) = keyset(from, ascending) {
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
            "SELECT {ROW_COLUMNS}, {col} FROM loans {where_sql}
             ORDER BY {col} {dir}, id {dir} LIMIT ?{}",
            params.len()
        );
        self.query_rows(&sql, &params, today, backwards)
    }

    /// A page in order of days past due as of `today`. The value is the stored status's
    /// except for a loan past maturity with a balance out whose days since maturity are
    /// more; no stored column can hold it (it grows every day with no import) and an index
    /// cannot take today as a parameter, so the page is read from two index walks merged:
    /// - every other loan in the order of the stored days (`loans_dpd`), its value;
    /// - the matured unpaid loans whose days since maturity are more, in the order of
    ///   maturity, latest first (`loans_matured`, partial: only loans with a balance, and it
    ///   carries the stored days so a loan of the other kind is passed over in the index);
    ///
    /// each read up to `limit` rows from the keyset on, then merged and cut to `limit`.
    fn read_dpd_page(
        &self,
        q: &LedgerQuery,
        plan: &TextPlan,
        from: &PageFrom,
        limit: usize,
        today: NaiveDate,
    ) -> Result<Vec<LoanRow>> {
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let filters = q.clauses(plan, &mut params, today);
        params.push(Box::new(today));
        let t = params.len();
        let (mu, since) = (matured_unpaid(t), since_maturity(t));
        let mut stored = filters.clone();
        stored.push(format!("(NOT {mu} OR overdue_days >= {since})"));
        let mut matured = filters;
        matured.push(format!("outstanding_fen > 0 AND matures_on < ?{t}"));
        matured.push(format!("overdue_days < {since}"));
        let backwards = matches!(from, PageFrom::End | PageFrom::Before(_));
        let ascending = q.descending == backwards;
        if let Some((op, key)) = keyset(from, ascending) {
            let v = match key.value {
                SortValue::Int(v) => v,
                _ => 0,
            };
            params.push(Box::new(v));
            let pv = params.len();
            params.push(Box::new(key.id));
            let pi = params.len();
            stored.push(format!("(overdue_days, id) {op} (?{pv}, ?{pi})"));
            // Days since maturity above (below) v: matured before (after) today - v.
            params.push(Box::new(maturity_for(today, v)));
            let pd = params.len();
            let (range, strict) = if op.starts_with('>') {
                ("<=", "<")
            } else {
                (">=", ">")
            };
            matured.push(format!(
                "matures_on {range} ?{pd} AND (matures_on {strict} ?{pd} OR id {op} ?{pi})"
            ));
        }
        let (dir, maturity_dir) = if ascending {
            ("ASC", "DESC")
        } else {
            ("DESC", "ASC")
        };
        params.push(Box::new(limit as i64));
        let n = params.len();
        let sql = format!(
            "SELECT * FROM (SELECT {ROW_COLUMNS}, overdue_days AS sort_key FROM loans
                 WHERE {} ORDER BY overdue_days {dir}, id {dir} LIMIT ?{n})
             UNION ALL
             SELECT * FROM (SELECT {ROW_COLUMNS}, {since} AS sort_key FROM loans
                 WHERE {} ORDER BY matures_on {maturity_dir}, id {dir} LIMIT ?{n})
             ORDER BY sort_key {dir}, id {dir} LIMIT ?{n}",
            stored.join(" AND "),
            matured.join(" AND "),
        );
        self.query_rows(&sql, &params, today, backwards)
    }

    /// Runs a page query whose columns are [`ROW_COLUMNS`] and the sort key.
    fn query_rows(
        &self,
        sql: &str,
        params: &[Box<dyn ToSql>],
        today: NaiveDate,
        backwards: bool,
    ) -> Result<Vec<LoanRow>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(params.iter().map(|p| p.as_ref())),
            |r| {
                let outstanding = dec(r, 4)?;
                let matures_on: NaiveDate = r.get(10)?;
                Ok(LoanRow {
                    id: r.get(0)?,
                    contract_no: r.get(1)?,
                    borrower_name: r.get(2)?,
                    product: code(r, 3, Product::parse)?,
                    outstanding,
                    currency: r.get(5)?,
                    classification: Classification::from_rank(r.get(6)?)
                        .unwrap_or(Classification::Loss),
                    overdue_days: crate::engine::dpd_as_of(
                        r.get(7)?,
                        outstanding,
                        matures_on,
                        today,
                    ),
                    officer: r.get(8)?,
                    next_followup_on: r.get(9)?,
                    sort_key: r.get(11)?,
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

/// The columns of a ledger row, in the order [`Store::query_rows`] reads them.
const ROW_COLUMNS: &str = "id, contract_no, borrower_name, product, outstanding, currency,
    class_rank, overdue_days, officer, next_followup_on, matures_on";

/// The comparison of `(sort value, id)` with the key a page starts from, if it has one.
fn keyset(from: &PageFrom, ascending: bool) -> Option<(&'static str, &PageKey)> {
    let (key, inclusive) = match from {
        PageFrom::After(k) | PageFrom::Before(k) => (k, false),
        PageFrom::AtOrAfter(k) => (k, true),
        PageFrom::Start | PageFrom::End => return None,
    };
    let op = match (ascending, inclusive) {
        (true, false) => ">",
        (false, false) => "<",
        (true, true) => ">=",
        (false, true) => "<=",
    };
    Some((op, key))
}

/// The maturity date from which `today` is `days` days on, kept between 0001-01-01 and
/// `today` (a matured unpaid loan has at least one day since maturity, and dates outside
/// that range would not compare as text).
fn maturity_for(today: NaiveDate, days: i64) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    if days <= 0 {
        return today;
    }
    i64::from(today.num_days_from_ce())
        .checked_sub(days)
        .and_then(|n| i32::try_from(n).ok())
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map_or(first, |d| d.max(first))
}

#[cfg(test)]
mod fold_tests {
    use super::*;

    #[test]
    fn the_search_index_folds_what_the_typed_text_loses() {
        let schema = include_str!("schema_v15.sql");
        assert!(schema.contains(&sql_search_fold("borrower_name")));
        let typed = "  华\u{200C}夏\u{AD}\u{FEFF}\u{202E}机械 ";
        assert_eq!(search_text(typed), "华夏机械");
        let set: String = crate::domain::text::SEARCH_IGNORED
            .iter()
            .map(|c| u32::from(*c).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        assert!(schema.contains(&format!("char({set})")), "the GLOB's set");
        assert_eq!(search_name("华夏"), None);
        assert_eq!(search_name("华\u{200C}夏"), Some("华夏".to_string()));
    }
}
