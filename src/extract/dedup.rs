//! Repeated natural keys within one extract: the store's upsert key of each row (e.g. a loan's
//! `contract_no`) is remembered with the row's line and a hash of all its values, so a second
//! row with the same key is either the same row again (taken once) or a conflict (refused).

use super::Record;
use super::keys::fold_key;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Separates the parts of a composite key; sanitized cells never contain it.
const SEP: char = '\u{1f}';

/// What a row's key has been seen with before.
pub(super) enum Seen {
    /// The first row with this key.
    New,
    /// Line `first` had the same key and the same values.
    Repeat { first: u64 },
    /// Line `first` had the same key with other values.
    Conflict { first: u64 },
}

/// Keys seen so far in one file: key → (first line, hash of the row's values).
pub(super) struct KeySet {
    seen: HashMap<Box<str>, (u64, u64)>,
    /// Loans files: borrower code → (first line, hash of the borrower name), so one file
    /// cannot name a borrower two ways.
    names: HashMap<Box<str>, (u64, u64)>,
    /// (code column, key folded by [`fold_key`]) → (first line, the key as written there),
    /// so one file cannot write a contract or borrower two ways (`HT011`, `ht011`).
    spellings: HashMap<(&'static str, String), (u64, Box<str>)>,
    buf: String,
}

/// An earlier line wrote the same code with other letter case (or width).
pub(super) struct Spelling {
    pub column: &'static str,
    pub first: u64,
    pub earlier: String,
    pub value: String,
}

impl KeySet {
    pub(super) fn new() -> Self {
        KeySet {
            seen: HashMap::new(),
            names: HashMap::new(),
            spellings: HashMap::new(),
            buf: String::new(),
        }
    }

    /// Checks `rec` (on `line`) against the rows before it and remembers it if new.
    pub(super) fn check(&mut self, line: u64, rec: &Record) -> Seen {
        self.buf.clear();
        write_key(rec, &mut self.buf);
        let hash = row_hash(rec);
        see(&mut self.seen, &self.buf, line, hash)
    }

    /// Whether an earlier line wrote one of the row's codes (contract number, borrower code)
    /// differently in letter case only; remembers the codes otherwise.
    pub(super) fn check_spelling(&mut self, line: u64, rec: &Record) -> Option<Spelling> {
        for (column, value) in code_columns(rec) {
            let folded = fold_key(value);
            match self.spellings.get(&(column, folded.clone())) {
                Some((first, earlier)) if **earlier != *value => {
                    return Some(Spelling {
                        column,
                        first: *first,
                        earlier: earlier.to_string(),
                        value: value.to_string(),
                    });
                }
                Some(_) => {}
                None => {
                    self.spellings
                        .insert((column, folded), (line, value.into()));
                }
            }
        }
        None
    }

    /// For a loans row: whether an earlier row gave the same borrower code another name.
    pub(super) fn check_borrower_name(&mut self, line: u64, code: &str, name: &str) -> Seen {
        see(&mut self.names, code, line, hash_of(name))
    }

    /// The key of the row last passed to [`KeySet::check`], parts joined by `, `.
    pub(super) fn last_key(&self) -> String {
        self.buf.replace(SEP, ", ")
    }
}

fn see(map: &mut HashMap<Box<str>, (u64, u64)>, key: &str, line: u64, hash: u64) -> Seen {
    match map.get(key) {
        Some(&(first, h)) if h == hash => Seen::Repeat { first },
        Some(&(first, _)) => Seen::Conflict { first },
        None => {
            map.insert(key.into(), (line, hash));
            Seen::New
        }
    }
}

/// The code columns of a row: identifiers from core banking, compared case-blind for
/// spellings.
pub(super) fn code_columns(rec: &Record) -> Vec<(&'static str, &str)> {
    match rec {
        Record::Borrower(r) => vec![("borrower_code", r.code.as_str())],
        Record::Loan(r) => vec![
            ("contract_no", r.contract_no.as_str()),
            ("borrower_code", r.borrower_code.as_str()),
        ],
        Record::Statement(r) => vec![("borrower_code", r.borrower_code.as_str())],
        Record::Repayment(r) => vec![("contract_no", r.contract_no.as_str())],
        Record::Collateral(r) => vec![("contract_no", r.contract_no.as_str())],
        Record::FundFlow(r) => vec![("contract_no", r.contract_no.as_str())],
        Record::Covenant(r) => vec![("contract_no", r.contract_no.as_str())],
    }
}

/// The columns making up each kind's key, as the store's upserts match rows.
pub(super) fn key_columns(rec: &Record) -> &'static str {
    match rec {
        Record::Borrower(_) => "borrower_code",
        Record::Loan(_) => "contract_no",
        Record::Statement(_) => "borrower_code+period_end",
        Record::Repayment(_) => "contract_no+as_of",
        Record::Collateral(_) => "contract_no+kind+description",
        Record::FundFlow(_) => "contract_no+paid_on+amount+counterparty",
        Record::Covenant(_) => "contract_no+indicator",
    }
}

fn write_key(rec: &Record, out: &mut String) {
    use std::fmt::Write;
    // Writing to a String cannot fail.
    let _ = match rec {
        Record::Borrower(r) => write!(out, "{}", r.code),
        Record::Loan(r) => write!(out, "{}", r.contract_no),
        Record::Statement(r) => write!(out, "{}{SEP}{}", r.borrower_code, r.period_end),
        Record::Repayment(r) => write!(out, "{}{SEP}{}", r.contract_no, r.as_of),
        Record::Collateral(r) => write!(
            out,
            "{}{SEP}{}{SEP}{}",
            r.contract_no,
            r.kind.code(),
            r.description
        ),
        Record::FundFlow(r) => write!(
            out,
            "{}{SEP}{}{SEP}{}{SEP}{}",
            r.contract_no,
            r.paid_on,
            r.amount.normalize(),
            r.counterparty
        ),
        Record::Covenant(r) => write!(out, "{}{SEP}{}", r.contract_no, r.indicator),
    };
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A hash of every value of the row (amounts by value: `1,000.00` and `1000` are the same).
fn row_hash(rec: &Record) -> u64 {
    let mut h = DefaultHasher::new();
    match rec {
        Record::Borrower(r) => {
            (&r.code, &r.name, &r.credit_code, &r.industry, &r.region).hash(&mut h);
        }
        Record::Loan(r) => {
            (
                &r.contract_no,
                &r.borrower_code,
                &r.borrower_name,
                r.product,
            )
                .hash(&mut h);
            (&r.purpose, &r.currency, r.principal, r.outstanding).hash(&mut h);
            (
                r.interest_rate,
                r.disbursed_on,
                r.matures_on,
                r.guarantee_type,
            )
                .hash(&mut h);
            (&r.officer, r.tracking_frequency, r.classification).hash(&mut h);
            (r.restructured_on, r.credit_impaired).hash(&mut h);
        }
        Record::Statement(r) => {
            (
                &r.borrower_code,
                r.period_end,
                r.total_assets,
                r.total_liabilities,
            )
                .hash(&mut h);
            (
                r.current_assets,
                r.current_liabilities,
                r.inventory,
                r.revenue,
            )
                .hash(&mut h);
            (
                r.ebit,
                r.interest_expense,
                r.net_profit,
                r.operating_cash_flow,
            )
                .hash(&mut h);
        }
        Record::Repayment(r) => {
            (&r.contract_no, r.as_of, r.overdue_days).hash(&mut h);
            (r.overdue_principal, r.overdue_interest).hash(&mut h);
        }
        Record::Collateral(r) => {
            (&r.contract_no, r.kind, &r.description).hash(&mut h);
            (r.appraised_value, r.appraised_on).hash(&mut h);
        }
        Record::FundFlow(r) => {
            (
                &r.contract_no,
                r.paid_on,
                r.amount,
                &r.counterparty,
                r.sector,
            )
                .hash(&mut h);
        }
        Record::Covenant(r) => {
            (&r.contract_no, &r.indicator, r.yellow, r.orange, r.red).hash(&mut h);
        }
    }
    h.finish()
}
