//! `postloan loans`: the ledger for scripts (JSON, CSV) and people (an aligned table),
//! streamed from the store a batch at a time.

use super::table::{Column, Table};
use super::{Format, UTF8_BOM, csv_text};
use crate::domain::money::group_thousands;
use crate::i18n::Lang;
use crate::store::{LedgerQuery, LoanRow, Store};
use serde::Serialize;
use std::io::Write;

/// One loan as scripts see it. Amounts are strings so no digit is lost to a float.
#[derive(Serialize)]
struct LoanJson<'a> {
    contract_no: &'a str,
    borrower_name: &'a str,
    product: &'a str,
    outstanding: String,
    currency: &'a str,
    classification: &'a str,
    overdue_days: i64,
    officer: &'a str,
    next_followup_on: String,
}

impl<'a> LoanJson<'a> {
    fn of(r: &'a LoanRow) -> LoanJson<'a> {
        LoanJson {
            contract_no: &r.contract_no,
            borrower_name: &r.borrower_name,
            product: r.product.code(),
            outstanding: format!("{:.2}", r.outstanding),
            currency: &r.currency,
            classification: r.classification.code(),
            overdue_days: r.overdue_days,
            officer: &r.officer,
            next_followup_on: r.next_followup_on.to_string(),
        }
    }
}

/// The CSV columns, in order. Text from the book (contract number, borrower, currency,
/// officer) is neutralised for spreadsheets ([`csv_text`]); product and class are codes, the
/// outstanding balance and days past due numbers, the follow-up a date, all written as they are.
const CSV_COLUMNS: [&str; 9] = [
    "contract_no",
    "borrower_name",
    "product",
    "outstanding",
    "currency",
    "classification",
    "overdue_days",
    "officer",
    "next_followup_on",
];

fn csv_row(r: &LoanRow) -> [String; 9] {
    [
        csv_text(&r.contract_no).into_owned(),
        csv_text(&r.borrower_name).into_owned(),
        r.product.code().to_string(),
        format!("{:.2}", r.outstanding),
        csv_text(&r.currency).into_owned(),
        r.classification.code().to_string(),
        r.overdue_days.to_string(),
        csv_text(&r.officer).into_owned(),
        r.next_followup_on.to_string(),
    ]
}

/// Prints the ledger to standard output; `bom` starts CSV with a UTF-8 byte order mark.
pub fn print(
    store: &Store,
    q: &LedgerQuery,
    limit: Option<u64>,
    format: Format,
    bom: bool,
    lang: Lang,
) -> anyhow::Result<()> {
    let out = super::visible::stdout(format == Format::Json);
    match write(store, q, limit, format, bom, lang, out) {
        // A closed pipe (`| head`) is a normal end for a listing.
        Err(e) if super::is_broken_pipe(&e) => Ok(()),
        other => other,
    }
}

/// Writes the ledger to `out` in `format`.
pub fn write(
    store: &Store,
    q: &LedgerQuery,
    limit: Option<u64>,
    format: Format,
    bom: bool,
    lang: Lang,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let written = match format {
        Format::Json => {
            let mut first = true;
            out.write_all(b"[")?;
            let r = store.for_each_loan(q, limit, |row| {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                out.write_all(b"\n  ")?;
                serde_json::to_writer(&mut out, &LoanJson::of(row)).map_err(std::io::Error::other)
            })?;
            out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
            r
        }
        Format::Csv => {
            if bom {
                out.write_all(UTF8_BOM)?;
            }
            // The header is written even when no loan matches.
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut out);
            w.write_record(CSV_COLUMNS)?;
            let r = store.for_each_loan(q, limit, |row| {
                w.write_record(csv_row(row)).map_err(std::io::Error::other)
            })?;
            w.flush()?;
            r
        }
        Format::Table => {
            let mut table = Table::new(vec![
                Column::new(lang.t("col.contract_no"), 24),
                Column::new(lang.t("col.borrower"), 40),
                Column::new(lang.t("col.outstanding"), 24).right(),
                Column::new(lang.t("col.class"), 20),
                Column::new(lang.t("col.dpd"), 8).right(),
                Column::new(lang.t("col.officer"), 20),
                Column::new(lang.t("col.next_followup"), 10),
            ]);
            let r = store.for_each_loan(q, limit, |r| {
                table.row(
                    &mut out,
                    vec![
                        r.contract_no.clone(),
                        r.borrower_name.clone(),
                        format!("{} {}", r.currency, group_thousands(r.outstanding)),
                        lang.code_name("class", r.classification.code()),
                        r.overdue_days.to_string(),
                        r.officer.clone(),
                        r.next_followup_on.to_string(),
                    ],
                )
            })?;
            r.and_then(|()| table.finish_or(&mut out, lang.t("list.no_loans")))
        }
    };
    match written {
        // A closed pipe (`| head`) is a normal end for a listing.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        other => other?,
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
