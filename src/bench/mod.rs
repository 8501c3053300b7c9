//! `postloan bench`: bytes per screen and per key (crossterm backend against the wire backend),
//! key-to-frame time, import and evaluation speed and peak memory, printed as Markdown.

pub mod archive;
pub mod import;
pub mod nightly;
pub mod screen;
pub mod verify;

use crate::config::Config;
use crate::demo::DemoParams;
use crate::i18n::Lang;
use crate::store::Store;
use crate::tui::app::App;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::workflow::{demo, identify, warning};
use anyhow::Context;
use chrono::NaiveDate;
use screen::{Samples, Session, percentile, variants};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchOptions {
    /// Loans in the demo book the screens are measured on.
    pub loans: u64,
    /// Terminal sizes (columns, rows).
    pub sizes: Vec<(u16, u16)>,
    /// The demo book to use: reused when it exists, built there otherwise. None: a temporary one.
    pub db: Option<PathBuf>,
    /// Rows of the generated loans CSV for the import measurement; 0 skips it.
    pub import_rows: u64,
    /// Demo users to act as.
    pub users: Vec<String>,
    /// Also run `evaluate_book` on the book.
    pub evaluate: bool,
    /// Measure the screens (off: only the nightly batch and the import).
    pub screens: bool,
    /// Overdue rectifications set up for the nightly escalation + legal clocks; 0 skips it.
    pub escalations: u64,
    /// Measure only `verify`, on a book of this many audit entries built for it (0: not).
    pub audit_entries: u64,
    /// Fill the archive up to this many documents before the screens (0: as the demo built it).
    pub documents: u64,
    /// At most this many presses of each repeated key in the screen script (None: the whole
    /// script, as the figures in the README were taken; tests take a few).
    pub key_repeats: Option<usize>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            loans: 100_000,
            sizes: vec![(120, 40), (80, 24)],
            db: None,
            import_rows: 100_000,
            users: vec!["zhao.lei".into(), "wang.fang".into()],
            evaluate: true,
            screens: true,
            escalations: 10_000,
            key_repeats: None,
            audit_entries: 0,
            documents: 0,
        }
    }
}

/// The bench's own options, read by clap as part of `postloan bench` (and by the `bench`
/// example): `--loans N --import-rows N --size WxH… --user USER… --no-evaluate`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Loans in the demo book the screens are measured on.
    #[arg(value_parser = crate::cli::numbers::loans, allow_negative_numbers = true, long, default_value_t = 100_000)]
    pub loans: u64,
    /// Rows of the generated loans CSV for the import measurement (0: skip).
    #[arg(value_parser = crate::cli::numbers::count_or_skip, allow_negative_numbers = true, long, default_value_t = 100_000)]
    pub import_rows: u64,
    /// Terminal size to measure, COLSxROWS (repeatable; default 120x40 and 80x24).
    #[arg(long = "size", value_name = "COLSxROWS", value_parser = parse_size)]
    pub sizes: Vec<(u16, u16)>,
    /// Demo user to act as (repeatable; default zhao.lei and wang.fang).
    #[arg(long = "user", value_name = "USER")]
    pub users: Vec<String>,
    /// Skip the evaluate measurement.
    #[arg(long)]
    pub no_evaluate: bool,
    /// Skip the screens (bytes and key-to-frame times): the nightly batch on a big book.
    #[arg(long)]
    pub no_screens: bool,
    /// Overdue rectifications set up for the nightly escalation + legal clocks (0: skip).
    #[arg(value_parser = crate::cli::numbers::count_or_skip, allow_negative_numbers = true, long, default_value_t = 10_000)]
    pub escalations: u64,
    /// Measure only `verify`, on a scratch book of N chained audit entries (deleted after).
    #[arg(value_parser = crate::cli::numbers::count_or_skip, allow_negative_numbers = true, long, value_name = "N", default_value_t = 0)]
    pub audit_entries: u64,
    /// Fill the book's archive up to N documents before the screens are measured (pane 7 at
    /// scale; 0: the documents the demo built).
    #[arg(value_parser = crate::cli::numbers::count_or_skip, allow_negative_numbers = true, long, value_name = "N", default_value_t = 0)]
    pub documents: u64,
}

fn parse_size(text: &str) -> Result<(u16, u16), String> {
    let bad = || format!("'{text}': expected COLSxROWS, e.g. 120x40");
    let (w, h) = text.split_once('x').ok_or_else(bad)?;
    Ok((w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?))
}

impl BenchOptions {
    /// The options of a command line, on the book at `db` (None: a temporary one).
    pub fn from_args(args: &BenchArgs, db: Option<PathBuf>) -> BenchOptions {
        let mut o = BenchOptions {
            loans: args.loans,
            import_rows: args.import_rows,
            db,
            evaluate: !args.no_evaluate,
            screens: !args.no_screens,
            escalations: args.escalations,
            audit_entries: args.audit_entries,
            documents: args.documents,
            ..BenchOptions::default()
        };
        if !args.sizes.is_empty() {
            o.sizes = args.sizes.clone();
        }
        if !args.users.is_empty() {
            o.users = args.users.clone();
        }
        o
    }
}

/// The demo book's reporting date, also "today" for the app.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()
}

/// Peak resident memory of this process (VmHWM), in KiB, where /proc has it.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn rss_text() -> String {
    peak_rss_kib().map_or("n/a".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

fn open_app(path: &Path, user: &str, size: (u16, u16), theme: Theme) -> anyhow::Result<App> {
    let store = Store::open_existing(path)?;
    let actor = identify(&store, "bench", Some(user))?;
    let keymap = Keymap::load(None).0;
    App::new(
        store,
        actor,
        Lang::ZhCn,
        theme,
        keymap,
        Config::defaults(),
        as_of(),
        size,
    )
}

/// Runs every measurement and prints the tables to `out`.
pub fn run(opts: &BenchOptions, out: &mut impl Write) -> anyhow::Result<()> {
    let tmp = tempfile_dir()?;
    if opts.audit_entries > 0 {
        writeln!(out, "# postloan bench\n")?;
        let result = verify::run(opts.audit_entries, &tmp, out);
        let _ = std::fs::remove_dir_all(&tmp);
        return result;
    }
    let path = opts.db.clone().unwrap_or_else(|| tmp.join("bench-demo.db"));
    // Only a path where nothing is is built afresh; one this user cannot see into is opened,
    // which says permission denied.
    let fresh = matches!(path.try_exists(), Ok(false));
    let t = Instant::now();
    let params = DemoParams {
        loans: opts.loans,
        seed: 42,
        as_of: as_of(),
    };
    let (store, built) = demo::open_or_build(&path, &params, fresh, "bench")?;
    drop(store);
    writeln!(out, "# postloan bench\n")?;
    writeln!(
        out,
        "Book: {} ({}, {:.1} s). Bytes are what the program writes to the terminal (what sshd \
         sends before SSH framing). Frames are wrapped in synchronized output (16 B): every \
         frame on the plain crossterm backend, only a frame that writes 64 B or more on the \
         wire backend (a shorter one goes out bare, in one write), as in the workbench. Times are this machine's, for orientation only.\n",
        path.display(),
        match built {
            demo::DemoBook::Reopened { loans } => format!("reopened, {loans} loans"),
            demo::DemoBook::Built(c) => format!("built, {} loans", c.loans),
        },
        t.elapsed().as_secs_f64()
    )?;
    if opts.documents > 0 {
        archive::fill(&path, opts.documents, opts.loans, out)?;
    }
    summary_line(&path, out)?;
    if opts.screens {
        screens(opts, &path, out)?;
    }
    if opts.evaluate {
        let mut store = Store::open_existing(&path)?;
        let actor = identify(&store, "bench", Some("zhao.lei"))?;
        let t = Instant::now();
        let report = warning::evaluate_book(
            &mut store,
            &actor,
            &crate::engine::rules::RuleSet::defaults(),
            as_of(),
        )?;
        let secs = t.elapsed().as_secs_f64();
        writeln!(
            out,
            "## evaluate_book\n\n{} loans in {:.2} s ({:.0} loans/s), {} changes; peak RSS {}\n",
            report.loans,
            secs,
            report.loans as f64 / secs.max(1e-9),
            report.changes(),
            rss_text()
        )?;
        // The rest of the nightly batch: the inspection plan, derived again over the book.
        let cfg = crate::engine::inspection_plan::PlanConfig::defaults()?;
        let t = Instant::now();
        let plan = crate::workflow::inspection::plan_book(&mut store, &actor, &cfg)?;
        writeln!(
            out,
            "## inspection plan (nightly)\n\n{} loans in {:.2} s: {} added, {} moved, {} removed, {} unchanged\n",
            plan.loans,
            t.elapsed().as_secs_f64(),
            plan.added,
            plan.moved,
            plan.removed,
            plan.unchanged
        )?;
        // The legal clocks' nightly check (each clock's own warn-ahead days).
        let rules = crate::domain::legal::LegalClockRules::default();
        let t = Instant::now();
        let clocks = crate::workflow::outcomes::clocks_due(&store, as_of(), None, None, &rules)?;
        writeln!(
            out,
            "## legal clocks (nightly)\n\n{} clocks due or run out in {:.2} s\n",
            clocks.len(),
            t.elapsed().as_secs_f64()
        )?;
    }
    if opts.escalations > 0 {
        nightly::run(&path, opts.escalations, as_of(), out)?;
    }
    if opts.import_rows > 0 {
        import::run(opts.import_rows, &path, &tmp, out)?;
        writeln!(out, "Peak RSS at the end: {}", rss_text())?;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// The screens: bytes per screen and per key, key-to-frame times, what each technique is
/// worth, and the monochrome theme.
fn screens(opts: &BenchOptions, path: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let mut all: Vec<((u16, u16), String, Samples)> = Vec::new();
    for &size in &opts.sizes {
        for user in &opts.users {
            let t0 = Instant::now();
            let mut app = open_app(path, user, size, Theme::colour())?;
            let opened = t0.elapsed();
            let mut session = Session::new(size, opts.key_repeats)?;
            session.run(&mut app, opened)?;
            all.push((size, user.clone(), session.samples));
        }
    }
    print_bytes(out, &all)?;
    print_times(out, &all)?;
    print_ablation(out, &all)?;
    // The one display choice that still changes bytes: colour or the monochrome theme
    // (`display.theme = "mono"`), measured on the first size and user.
    if let (Some(&size), Some(user), Some((_, _, colour))) =
        (opts.sizes.first(), opts.users.first(), all.first())
    {
        let mut app = open_app(path, user, size, Theme::mono())?;
        let mut session = Session::new(size, opts.key_repeats)?;
        session.run(&mut app, Duration::ZERO)?;
        print_theme(out, size, colour, &session.samples)?;
    }
    writeln!(out, "Peak RSS after the screens: {}\n", rss_text())?;
    Ok(())
}

/// CPU time (user + system) this process has used, in seconds, where /proc has it.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The period summary of the book's year (the budget: 3 s on 1,000,000 loans), wall and CPU
/// time, from a freshly opened book.
fn summary_line(path: &Path, out: &mut impl Write) -> anyhow::Result<()> {
    let store = Store::open_existing(path)?;
    let year = crate::engine::summary::Period::year(chrono::Datelike::year(&as_of()))
        .context("the bench's year")?;
    let cpu = cpu_seconds();
    let t = Instant::now();
    let s = store.period_summary(year, as_of())?;
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (cpu, cpu_seconds()) {
        (Some(a), Some(b)) => format!("{:.2} s", b - a),
        _ => "n/a".into(),
    };
    writeln!(
        out,
        "## period summary (report summary --year {})\n\n{} loans at the end, {} warnings raised: \
         {wall:.2} s wall, {cpu} CPU\n",
        chrono::Datelike::year(&as_of()),
        s.closing.loans(),
        s.warnings_raised.total(),
    )?;
    Ok(())
}

/// A fresh scratch directory under the system's temporary directory.
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    for i in 0..1000u32 {
        let p = base.join(format!("postloan-bench-{}-{i}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).context(format!("creating {}", p.display())),
        }
    }
    anyhow::bail!("no scratch directory under {}", base.display())
}

fn kb(b: u64) -> String {
    if b >= 10_000 {
        format!("{:.1} KB", b as f64 / 1000.0)
    } else {
        format!("{b} B")
    }
}

/// "median / p95" of a sample, or the value when there is one.
fn stat(v: &[u64]) -> String {
    let (Some(med), Some(p95)) = (percentile(v, 50.0), percentile(v, 95.0)) else {
        return "–".into();
    };
    if v.len() == 1 {
        kb(med)
    } else {
        format!("{} / {}", kb(med), kb(p95))
    }
}

fn saving(before: &[u64], after: &[u64]) -> String {
    let sum = |v: &[u64]| v.iter().sum::<u64>() as f64;
    let (b, a) = (sum(before), sum(after));
    if b == 0.0 {
        return "–".into();
    }
    format!("{:+.0} %", (a - b) / b * 100.0)
}

fn print_bytes(out: &mut impl Write, all: &[((u16, u16), String, Samples)]) -> anyhow::Result<()> {
    for ((w, h), user, s) in all {
        writeln!(
            out,
            "## Bytes at {w}x{h}, acting as {user} ({} loans in the book)\n",
            s.loans_on_screen
        )?;
        writeln!(
            out,
            "| what | n | before: crossterm (median / p95) | after: wire (median / p95) | change (total) |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        for (metric, per) in &s.bytes {
            let (Some(b), Some(a)) = (per.first(), per.get(1)) else {
                continue;
            };
            writeln!(
                out,
                "| {metric} | {} | {} | {} | {} |",
                b.len(),
                stat(b),
                stat(a),
                saving(b, a)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn print_times(out: &mut impl Write, all: &[((u16, u16), String, Samples)]) -> anyhow::Result<()> {
    writeln!(
        out,
        "## Key-to-frame time (handle_key [+ filter query] + draw into a counting writer)\n"
    )?;
    writeln!(
        out,
        "| size | user | key | n | crossterm median / p95 | wire median / p95 |"
    )?;
    writeln!(out, "|---|---|---|---:|---:|---:|")?;
    let ms = |v: &[f64]| match (percentile(v, 50.0), percentile(v, 95.0)) {
        (Some(m), Some(p)) => format!("{:.2} / {:.2} ms", m / 1e3, p / 1e3),
        _ => "–".into(),
    };
    for ((w, h), user, s) in all {
        writeln!(
            out,
            "| {w}x{h} | {user} | first frame (App::new + draw) | 1 | {:.1} ms | |",
            s.first_frame_ms
        )?;
        for (kind, b, a) in &s.times {
            writeln!(
                out,
                "| {w}x{h} | {user} | {kind} | {} | {} | {} |",
                b.len(),
                ms(b),
                ms(a)
            )?;
        }
        let b: Vec<f64> = s.times.iter().flat_map(|t| t.1.iter().copied()).collect();
        let a: Vec<f64> = s.times.iter().flat_map(|t| t.2.iter().copied()).collect();
        writeln!(
            out,
            "| {w}x{h} | {user} | **every key above** | {} | {} | **{}** |",
            b.len(),
            ms(&b),
            ms(&a)
        )?;
    }
    writeln!(out)?;
    Ok(())
}

/// Total bytes per backend variant over the key metrics: what each technique is worth.
fn print_ablation(
    out: &mut impl Write,
    all: &[((u16, u16), String, Samples)],
) -> anyhow::Result<()> {
    let names: Vec<&str> = variants().into_iter().map(|(n, _)| n).collect();
    let metrics = [
        "j (one row)",
        "j after PgDn",
        "PgDn (one page)",
        "pane switch",
        "filter char, filtered list",
        "first paint (Today)",
    ];
    for ((w, h), user, s) in all {
        writeln!(
            out,
            "## What each technique is worth at {w}x{h} as {user} (median bytes per key)\n"
        )?;
        write!(out, "| backend |")?;
        for m in metrics {
            write!(out, " {m} |")?;
        }
        writeln!(out)?;
        write!(out, "|---|")?;
        for _ in metrics {
            write!(out, "---:|")?;
        }
        writeln!(out)?;
        for (i, name) in names.iter().enumerate() {
            write!(out, "| {name} |")?;
            for m in metrics {
                let v = s
                    .bytes
                    .iter()
                    .find(|(k, _)| k == m)
                    .and_then(|(_, per)| per.get(i))
                    .and_then(|v| percentile(v, 50.0));
                match v {
                    Some(b) => write!(out, " {} |", kb(b))?,
                    None => write!(out, " – |")?,
                }
            }
            writeln!(out)?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Median bytes per key on the wire backend, colour beside monochrome.
fn print_theme(
    out: &mut impl Write,
    (w, h): (u16, u16),
    colour: &Samples,
    mono: &Samples,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "## Colour or monochrome (`display.theme`) at {w}x{h}, wire backend (median bytes per key)\n"
    )?;
    writeln!(out, "| what | colour | mono | change |")?;
    writeln!(out, "|---|---:|---:|---:|")?;
    let wire = |s: &Samples, m: &str| {
        s.bytes
            .iter()
            .find(|(k, _)| k == m)
            .and_then(|(_, per)| per.get(1))
            .and_then(|v| percentile(v, 50.0))
    };
    for m in [
        "first paint (Today)",
        "pane switch",
        "j (one row)",
        "PgDn (one page)",
        "filter cleared (Esc)",
    ] {
        if let (Some(c), Some(o)) = (wire(colour, m), wire(mono, m)) {
            let change = (o as f64 - c as f64) / (c as f64).max(1.0) * 100.0;
            writeln!(out, "| {m} | {} | {} | {change:+.0} % |", kb(c), kb(o))?;
        }
    }
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Line {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn parse(s: &str) -> Result<BenchOptions, clap::Error> {
        use clap::Parser;
        let line = Line::try_parse_from(std::iter::once("bench").chain(s.split_whitespace()))?;
        Ok(BenchOptions::from_args(&line.bench, None))
    }

    #[test]
    fn options_are_read_from_the_command_line() {
        let o = parse("--loans 500 --size 100x30 --user wang.fang").expect("options");
        assert_eq!(o.loans, 500);
        assert_eq!(o.sizes, vec![(100, 30)]);
        assert_eq!(o.users, vec!["wang.fang".to_string()]);
        assert!(o.evaluate);
        let d = parse("--no-evaluate").expect("options");
        assert_eq!(d.sizes, BenchOptions::default().sizes);
        assert!(!d.evaluate);
        assert!(parse("--loans").is_err());
        assert!(parse("--size 100").is_err());
        assert!(parse("--frobnicate").is_err());
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=20).collect();
        assert_eq!(percentile(&v, 50.0), Some(10));
        assert_eq!(percentile(&v, 95.0), Some(19));
        assert_eq!(percentile::<u64>(&[], 50.0), None);
    }

    #[test]
    fn a_small_run_prints_every_table_and_idle_costs_the_wire_nothing() {
        // A tiny book: the test is about the tables and the idle row, not the figures.
        let dir = tempfile::tempdir().expect("tempdir");
        let opts = BenchOptions {
            loans: 40,
            sizes: vec![(80, 24)],
            db: Some(dir.path().join("demo.db")),
            import_rows: 10,
            users: vec!["wang.fang".into()],
            evaluate: true,
            screens: true,
            escalations: 5,
            audit_entries: 0,
            documents: 100,
            // Every table and row the script makes, with two presses of each repeated key.
            key_repeats: Some(2),
        };
        let mut out = Vec::new();
        run(&opts, &mut out).expect("bench");
        let text = String::from_utf8(out).expect("utf-8");
        for heading in [
            "## Bytes at 80x24",
            "## Key-to-frame time",
            "## What each technique is worth",
            "## evaluate_book",
            "## inspection plan (nightly)",
            "## nightly escalation + legal clocks (41 loans)",
            "## period summary",
            "full paint of Summary",
            "## Import of 10 loan rows",
            "Archive: ",
            "Archive: PageDown",
            "Archive: filter by kind (K)",
            "Archive: filter by loan (L)",
        ] {
            assert!(text.contains(heading), "missing {heading}:\n{text}");
        }
        let idle = text
            .lines()
            .find(|l| l.starts_with("| nothing changed (Terminal::draw alone)"))
            .expect("idle row");
        // | metric | n | crossterm | wire | change |
        let cols: Vec<&str> = idle.split('|').map(str::trim).collect();
        assert_eq!(cols.get(4), Some(&"0 B"), "{idle}");
        assert_ne!(cols.get(3), Some(&"0 B"), "{idle}");
        assert!(text.contains("| postloan import_file"), "{text}");
    }
}
