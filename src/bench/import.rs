//! Import speed: a generated loans CSV through `workflow::import::import_file` into an empty
//! book, beside the same file loaded by the `sqlite3` shell's `.import` into a bare table.

use crate::domain::{Classification, Role, StaffRecord, TrackingFrequency};
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
    writeln!(out, "| importer | rows | seconds | CPU s | rows/s |")?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;

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
    let cpu = cpu_secs(libc::RUSAGE_SELF);
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
    let cpu = cpu_secs(libc::RUSAGE_SELF) - cpu;
    anyhow::ensure!(
        report.error_count == 0,
        "the generated CSV had {} bad rows",
        report.error_count
    );
    writeln!(
        out,
        "| postloan import_file (validation, borrowers, audit; one transaction) | {} | {secs:.2} | {cpu:.2} | {:.0} |",
        report.inserted,
        report.inserted as f64 / secs.max(1e-9)
    )?;
    drop(store);

    let ours = Measured {
        rows: report.inserted,
        secs,
        cpu,
    };
    let bare = sqlite3_bare(&csv, dir);
    let same = sqlite3_same_table(&csv, dir, &staff);
    for (what, m) in [
        (
            "sqlite3 CLI `.import` into a bare 15-column TEXT table (incl. process start)",
            &bare,
        ),
        (
            "sqlite3 CLI `.import` into a TEMP table, then `INSERT … SELECT` into our `borrowers` and `loans` (fresh book, all indexes; incl. process start)",
            &same,
        ),
    ] {
        match m {
            Ok(m) => writeln!(
                out,
                "| {what} | {} | {:.2} | {:.2} | {:.0} |",
                m.rows,
                m.secs,
                m.cpu,
                m.rows as f64 / m.secs.max(1e-9)
            )?,
            Err(e) => writeln!(out, "| {what} | – | – | – | not run: {e} |")?,
        }
    }
    writeln!(out)?;
    for (what, m) in [("bare table", &bare), ("same table", &same)] {
        if let Ok(m) = m {
            writeln!(
                out,
                "Speed of postloan relative to sqlite3 into the {what}: {:.2}×",
                ours.rate() / m.rate().max(1e-9)
            )?;
        }
    }
    writeln!(
        out,
        "\nThe same-table reference does what SQL alone can: the first row's name for a new \
         borrower, `outstanding_fen`, `class_rank` and `next_followup_on` (disbursement plus one \
         tracking period, Chinese or English codes). It leaves out validation and per-cell error \
         messages, the officer check, translating Chinese codes to the stored English ones, \
         normalising decimals, comparing with rows already in the book, and the audit row."
    )?;
    writeln!(out)?;
    Ok(())
}

/// Rows loaded, the wall time it took and the CPU time (user + system) spent.
struct Measured {
    rows: u64,
    secs: f64,
    cpu: f64,
}

/// User plus system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for
/// children (`RUSAGE_CHILDREN`).
pub(super) fn cpu_secs(who: libc::c_int) -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

impl Measured {
    fn rate(&self) -> f64 {
        self.rows as f64 / self.secs.max(1e-9)
    }
}

/// Runs the `sqlite3` shell on `db` with `script` on stdin; the last line of its output must
/// be a row count. Process start is included in the time.
fn run_sqlite3(db: &Path, script: &str) -> anyhow::Result<Measured> {
    let t = Instant::now();
    let cpu = cpu_secs(libc::RUSAGE_CHILDREN);
    let mut child = Command::new("sqlite3")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .context("sqlite3 stdin")?
        .write_all(script.as_bytes())?;
    let done = child.wait_with_output()?;
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_secs(libc::RUSAGE_CHILDREN) - cpu;
    let stdout = String::from_utf8_lossy(&done.stdout);
    let last = stdout.lines().last().unwrap_or("").trim().to_string();
    let rows = last.parse::<u64>().with_context(|| {
        format!(
            "sqlite3 printed {last:?}: {}",
            String::from_utf8_lossy(&done.stderr).trim()
        )
    })?;
    Ok(Measured { rows, secs, cpu })
}

/// `sqlite3 .import` of the CSV into a bare table of 15 TEXT columns (contract_no unique).
fn sqlite3_bare(csv: &Path, dir: &Path) -> anyhow::Result<Measured> {
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
    run_sqlite3(&raw, &script)
}

/// `sqlite3` loading the CSV into the `loans` table of a fresh book of our schema (the same
/// staff as ours): `.import` into a TEMP table, then set-based inserts into `borrowers` and
/// `loans` with the derived columns SQL can compute, in one transaction, every index live.
fn sqlite3_same_table(csv: &Path, dir: &Path, staff: &[Staff]) -> anyhow::Result<Measured> {
    let db = dir.join("bench-sqlite3-book.db");
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
    drop(store);
    let columns: Vec<String> = HEADER.split(',').map(|c| format!("{c} TEXT")).collect();
    let rank = Classification::ALL
        .iter()
        .map(|c| {
            format!(
                "WHEN '{}' THEN {r} WHEN '{}' THEN {r}",
                c.code(),
                c.zh(),
                r = c.rank()
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let months = TrackingFrequency::ALL
        .iter()
        .map(|f| {
            format!(
                "WHEN '{}' THEN {m} WHEN '{}' THEN {m}",
                f.code(),
                f.zh(),
                m = f.months()
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let script = format!(
        "PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -131072;
CREATE TEMP TABLE stage ({columns});
.import --csv --skip 1 --schema temp {csv} stage
BEGIN IMMEDIATE;
INSERT INTO borrowers (code, name, created_at, created_by, updated_at, updated_by)
  SELECT borrower_code, borrower_name, datetime('now'), 'bench', datetime('now'), 'bench'
  FROM (SELECT borrower_code, borrower_name, MIN(rowid) AS first FROM temp.stage
        GROUP BY borrower_code ORDER BY first)
  WHERE borrower_code NOT IN (SELECT code FROM borrowers);
INSERT INTO loans (contract_no, borrower_id, borrower_name, product, purpose, currency,
  principal, outstanding, outstanding_fen, interest_rate, disbursed_on, matures_on,
  guarantee_type, officer, tracking_frequency, classification, class_rank,
  next_followup_on, created_at, created_by, updated_at, updated_by)
  SELECT s.contract_no, b.id, b.name, s.product, s.purpose, s.currency,
    s.principal, s.outstanding, CAST(round(s.outstanding * 100) AS INTEGER), s.interest_rate,
    s.disbursed_on, s.matures_on, s.guarantee_type, s.officer, s.tracking_frequency,
    s.classification, CASE s.classification {rank} ELSE 0 END,
    date(s.disbursed_on, '+' || (CASE s.tracking_frequency {months} ELSE 1 END) || ' months'),
    datetime('now'), 'bench', datetime('now'), 'bench'
  FROM temp.stage s JOIN borrowers b ON b.code = s.borrower_code
  ORDER BY s.rowid;
COMMIT;
SELECT count(*) FROM loans;
",
        columns = columns.join(", "),
        csv = csv.display(),
    );
    run_sqlite3(&db, &script)
}
