//! Import speed: a generated loans CSV through `workflow::import::import_file` into an empty
//! book, beside the same file loaded by the `sqlite3` shell's `.import` into a bare table.

use crate::domain::{Role, StaffRecord};
use crate::extract::{Encoding, ExtractKind};
use crate::store::{Staff, Store};
use crate::workflow::{book, import::import_file};
use anyhow::Context;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const HEADER: &str = "contract_no,borrower_name,borrower_code,product,purpose,currency,principal,\
outstanding,interest_rate,disbursed_on,matures_on,guarantee_type,officer,tracking_frequency,\
classification";

const COMPANIES: [&str; 6] = [
    "华东机械制造有限公司",
    "江苏恒通物流有限公司",
    "浙江新材料科技股份有限公司",
    "上海浦江贸易有限公司",
    "苏州工业园区精密制造有限公司",
    "南京紫金农业合作社",
];

/// Writes a loans extract of `rows` rows; officers are the given specialists.
pub fn write_csv(path: &Path, rows: u64, staff: &[Staff]) -> anyhow::Result<()> {
    let officers: Vec<&str> = staff
        .iter()
        .filter(|s| s.role == Role::Specialist)
        .map(|s| s.username.as_str())
        .collect();
    anyhow::ensure!(!officers.is_empty(), "no specialists to be loan officers");
    let mut f = BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "{HEADER}")?;
    for i in 0..rows {
        let borrower = i / 3;
        let company = COMPANIES[(borrower % COMPANIES.len() as u64) as usize];
        let officer = officers[(i % officers.len() as u64) as usize];
        let principal = 100_000 + (i * 7919) % 9_900_000;
        let outstanding = principal - principal / 10;
        writeln!(
            f,
            "BL{i:09},{company}{borrower},BB{borrower:08},流动资金贷款,采购原材料,CNY,\
             {principal}.00,{outstanding}.00,4.35,2025-0{m}-15,2027-0{m}-14,抵押,{officer},季,正常",
            m = 1 + i % 9
        )?;
    }
    f.flush()?;
    Ok(())
}

/// Measures both imports and prints a small table; the staff come from the demo book.
pub fn run(rows: u64, demo_book: &Path, dir: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let staff = Store::open_existing(demo_book)?.staff_list()?;
    let csv = dir.join("bench-loans.csv");
    let t = Instant::now();
    write_csv(&csv, rows, &staff)?;
    let size = std::fs::metadata(&csv)?.len();
    writeln!(
        out,
        "## Import of {rows} loan rows ({:.1} MB CSV, written in {:.1} s)\n",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    )?;
    writeln!(out, "| importer | rows | seconds | rows/s |")?;
    writeln!(out, "|---|---:|---:|---:|")?;

    let db = dir.join("bench-import.db");
    let mut store = Store::open(&db)?;
    let boss = book::init(&mut store, "bench")?;
    for s in staff.iter().filter(|s| s.username != boss.username) {
        let rec = StaffRecord {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            role: s.role,
        };
        book::add_staff(&mut store, &boss, &rec)?;
    }
    let t = Instant::now();
    let report = import_file(
        &mut store,
        &boss,
        ExtractKind::Loans,
        &csv,
        Encoding::Utf8,
        false,
    )
    .map_err(|e| anyhow::anyhow!("import: {e}"))?;
    let secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.error_count == 0,
        "the generated CSV had {} bad rows",
        report.error_count
    );
    writeln!(
        out,
        "| postloan import_file (validation, borrowers, audit; one transaction) | {} | {secs:.2} | {:.0} |",
        report.inserted,
        report.inserted as f64 / secs.max(1e-9)
    )?;
    drop(store);

    let raw = dir.join("bench-sqlite3.db");
    let columns: Vec<String> = HEADER
        .split(',')
        .map(|c| {
            if c == "contract_no" {
                format!("{c} TEXT NOT NULL UNIQUE")
            } else {
                format!("{c} TEXT NOT NULL")
            }
        })
        .collect();
    let script = format!(
        "CREATE TABLE loans ({});\n.import --csv --skip 1 {} loans\nSELECT count(*) FROM loans;\n",
        columns.join(", "),
        csv.display()
    );
    let t = Instant::now();
    let child = Command::new("sqlite3")
        .arg(&raw)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match child {
        Err(e) => writeln!(out, "| sqlite3 .import | – | – | not run: {e} |")?,
        Ok(mut child) => {
            child
                .stdin
                .take()
                .context("sqlite3 stdin")?
                .write_all(script.as_bytes())?;
            let done = child.wait_with_output()?;
            let secs = t.elapsed().as_secs_f64();
            let count = String::from_utf8_lossy(&done.stdout).trim().to_string();
            writeln!(
                out,
                "| sqlite3 CLI `.import` into a bare 15-column TEXT table (incl. process start) | {count} | {secs:.2} | {:.0} |",
                count.parse::<f64>().unwrap_or(0.0) / secs.max(1e-9)
            )?;
        }
    }
    writeln!(out)?;
    Ok(())
}
