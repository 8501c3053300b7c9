//! `postloan doctor`: prints the checks of a book on a shared server (owner, group, modes,
//! schema, WAL, free disk, documents) with what to fix; exits 0 only when all is well.

use super::{Cli, Context_, book_path};
use crate::domain::text::{display, pad_right, width};
use crate::i18n::Lang;
use crate::workflow::doctor::{self, Report, Status};
use std::io::Write;

#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum DoctorFormat {
    Table,
    Json,
}

/// `postloan doctor [--format json] [--min-free-mib N]`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Output format: table or json.
    #[arg(long, value_enum, default_value_t = DoctorFormat::Table)]
    pub format: DoctorFormat,
    /// Warn when the book's disk has less free space than this (MiB, 0 to 1073741824; the
    /// check wants the larger of this and twice the book).
    #[arg(long, value_name = "MIB", default_value_t = 1024, value_parser = min_free_mib)]
    pub min_free_mib: u64,
}

/// The most `--min-free-mib` takes: 1 PiB, far above any disk, and its bytes fit a `u64`.
pub const MAX_MIN_FREE_MIB: u64 = 1 << 30;

/// `--min-free-mib`: a whole number of MiB from 0 to [`MAX_MIN_FREE_MIB`].
fn min_free_mib(text: &str) -> Result<u64, super::NumberArgError> {
    super::NumberArgError::parse_range(text, 0, MAX_MIN_FREE_MIB, "doctor.unit_mib")
}

/// Runs the checks; 0 when every one is ok, else 1. Needs no staff record: it reads no loan,
/// only the book's files and header facts, so whoever looks after the server can run it.
pub fn doctor(cli: &Cli, ctx: &Context_, args: &DoctorArgs) -> anyhow::Result<i32> {
    let lang = ctx.lang;
    let path = book_path(cli, ctx);
    let opts = doctor::Options {
        min_free_bytes: args.min_free_mib.saturating_mul(1024 * 1024),
        ..Default::default()
    };
    let report = doctor::diagnose(&path, &opts);
    let mut out = super::visible::stdout(args.format == DoctorFormat::Json);
    match args.format {
        DoctorFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &json(&report, lang))?;
            writeln!(out)?;
        }
        DoctorFormat::Table => write!(out, "{}", table(&report, lang))?,
    }
    Ok(if report.all_well() { 0 } else { 1 })
}

fn status_text(s: Status, lang: Lang) -> &'static str {
    lang.t(match s {
        Status::Ok => "doctor.status_ok",
        Status::Warn => "doctor.status_warn",
        Status::Fail => "doctor.status_fail",
    })
}

/// The report for people: one line a check, a "fix:" line under each problem.
pub fn table(report: &Report, lang: Lang) -> String {
    let mut out = lang.tf(
        "doctor.title",
        &[
            ("path", &display(&report.book.display().to_string())),
            ("program", &env!("CARGO_PKG_VERSION")),
            ("want", &crate::store::schema_version()),
        ],
    );
    out.push('\n');
    let names: Vec<String> = report
        .checks
        .iter()
        .map(|c| lang.code_name("doctor.name", c.name))
        .collect();
    // The names' column also holds the "fix:" label under a problem: wide enough for it too.
    let name_w = names
        .iter()
        .map(|n| width(n))
        .chain(std::iter::once(width(lang.t("doctor.fix"))))
        .max()
        .unwrap_or(0);
    let status_w = [Status::Ok, Status::Warn, Status::Fail]
        .iter()
        .map(|s| width(status_text(*s, lang)))
        .max()
        .unwrap_or(0);
    for (c, name) in report.checks.iter().zip(&names) {
        out.push_str(&format!(
            "  {} {} {}\n",
            pad_right(status_text(c.status, lang), status_w),
            pad_right(name, name_w),
            display(&c.detail.text(lang))
        ));
        if let Some(fix) = &c.fix {
            out.push_str(&format!(
                "  {} {} {}\n",
                pad_right("", status_w),
                pad_right(lang.t("doctor.fix"), name_w),
                display(&fix.text(lang))
            ));
        }
    }
    if report.all_well() {
        out.push_str(lang.t("doctor.all_well"));
    } else {
        out.push_str(&lang.tf("doctor.problems", &[("n", &report.problems())]));
    }
    out.push('\n');
    out
}

/// The report for machines: `{"book", "ok", "program_schema_version", "book_schema_version"
/// (null when the book could not be read), "checks": [{"check",
/// "status", "detail", "fix"}]}`, texts in `lang`.
pub fn json(report: &Report, lang: Lang) -> serde_json::Value {
    let checks: Vec<serde_json::Value> = report
        .checks
        .iter()
        .map(|c| {
            serde_json::json!({
                "check": c.name,
                "status": c.status,
                "detail": c.detail.text(lang),
                "fix": c.fix.as_ref().map(|f| f.text(lang)),
            })
        })
        .collect();
    serde_json::json!({
        "book": report.book.display().to_string(),
        "ok": report.all_well(),
        "program": env!("CARGO_PKG_VERSION"),
        // The version this postloan writes, and the book's: null when it could not be read.
        "program_schema_version": crate::store::schema_version(),
        "book_schema_version": report.book_schema,
        "checks": checks,
    })
}
