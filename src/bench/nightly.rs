//! The nightly escalation and legal-clock check on a big book: approved rectifications past
//! their due date are set up through the workflow (untimed), then the check is timed, wall
//! and CPU, against the budget of issue 11 (≤ 2 s over 1,000,000 loans).

use crate::config::Config;
use crate::domain::disposal::{ActionKind, PlanKind};
use crate::domain::legal::LegalClockRules;
use crate::domain::warning::Level;
use crate::i18n::Lang;
use crate::store::{CaseFilter, PageFrom, Store};
use crate::workflow::disposal::{
    self, AddAction, Decision, DisposalSettings, NewPlan, escalate, plan_in, submit_in,
};
use crate::workflow::{Actor, execute, identify, outcomes};
use chrono::{Days, NaiveDate};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Cases set up per transaction.
const CHUNK: usize = 250;

/// CPU time (user, system) of this process so far, in seconds, from /proc (Linux ticks of
/// 1/100 s); zero where /proc has no such file.
pub fn cpu_secs() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 100.0
    };
    // utime and stime are the 14th and 15th fields; `rest` starts at the 3rd.
    (tick(11), tick(12))
}

/// Wall and CPU time of `f`.
fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64, f64, f64)> {
    let (u0, s0) = cpu_secs();
    let t = Instant::now();
    let v = f()?;
    let wall = t.elapsed().as_secs_f64();
    let (u1, s1) = cpu_secs();
    Ok((v, wall, u1 - u0, s1 - s0))
}

/// Up to `n` open orange cases (then red ones) given an approved rectification due the day
/// after `today`: drafted and submitted by a specialist, approved by a supervisor, as users
/// do, a chunk of cases per transaction. A case the workflow refuses is skipped. Returns how
/// many were set up.
fn seed(store: &mut Store, n: u64, today: NaiveDate) -> anyhow::Result<u64> {
    let specialist = identify(store, "bench", Some("wang.fang"))?;
    let supervisor = identify(store, "bench", Some("wu.hao"))?;
    let mut cases = Vec::new();
    for level in [Level::Orange, Level::Red] {
        let want = (n as usize).saturating_sub(cases.len());
        if want == 0 {
            break;
        }
        let f = CaseFilter {
            level: Some(level),
            ..CaseFilter::default()
        };
        cases.extend(
            store
                .cases_page(&f, &PageFrom::Start, want)?
                .into_iter()
                .map(|c| c.number),
        );
    }
    let due = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let settings = DisposalSettings::default();
    let mut done = 0u64;
    for chunk in cases.chunks(CHUNK) {
        let submitted: Vec<(String, i64)> = execute(store, &specialist, |tx| {
            let mut ok = Vec::new();
            for case in chunk {
                let plan = NewPlan {
                    case,
                    kind: PlanKind::Rectification,
                    summary: "压降应收账款，补充流动资金",
                    due: Some(due),
                    expected_version: None,
                };
                let Ok(id) = plan_in(tx, &specialist, &plan, &settings, today) else {
                    continue;
                };
                let measure = AddAction {
                    case,
                    kind: ActionKind::RectificationMeasure,
                    title: "每月报送应收账款明细",
                    owner: "wang.fang",
                    deadline: due,
                    contract: None,
                    plan: None,
                };
                if disposal::add_action_in(tx, &specialist, &measure, "", today).is_ok()
                    && submit_in(tx, &specialist, case, Some(id), None, today).is_ok()
                {
                    ok.push((case.clone(), id));
                }
            }
            Ok(ok)
        })?;
        done += execute(store, &supervisor, |tx| {
            let mut approved = 0u64;
            for (case, id) in &submitted {
                let decided = disposal::decide_in(
                    tx,
                    &supervisor,
                    case,
                    Some(*id),
                    Decision::Approve,
                    "",
                    None,
                    today,
                    Lang::ZhCn,
                );
                approved += u64::from(decided.is_ok());
            }
            Ok(approved)
        })?;
    }
    Ok(done)
}

/// Sets up `rectifications` overdue rectifications on the book at `path` (as of `today`),
/// then times the nightly escalation (with the triggered inspections) and the legal-clock
/// check two days later, and prints the figures.
pub fn run(
    path: &Path,
    rectifications: u64,
    today: NaiveDate,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut store = Store::open_existing(path)?;
    let loans = store.count_rows(crate::store::Table::Loans)?;
    let (seeded, seed_wall, _, _) = timed(|| seed(&mut store, rectifications, today))?;
    let night = today.checked_add_days(Days::new(2)).unwrap_or(today);
    let cfg = Config::defaults().plan()?;
    let system = Actor::system();
    let (report, esc_wall, esc_user, esc_sys) =
        timed(|| Ok(escalate(&mut store, &system, night, Some(&cfg))?))?;
    let rules = LegalClockRules::default();
    let (clocks, clk_wall, clk_user, clk_sys) =
        timed(|| Ok(outcomes::clocks_due(&store, night, None, None, &rules)?))?;
    let total = esc_wall + clk_wall;
    writeln!(
        out,
        "## nightly escalation + legal clocks ({loans} loans)\n\n\
         Set up (untimed): {seeded} approved rectifications due {due}, through the workflow, \
         in {seed_wall:.1} s. The check runs on {night}.\n\n\
         | step | result | wall | user CPU | system CPU |\n|---|---|---|---|---|\n\
         | escalation (one transaction, triggered inspections planned) | {} plans failed, {} cases escalated, {} raised to red | {esc_wall:.2} s | {esc_user:.2} s | {esc_sys:.2} s |\n\
         | legal clocks | {} clocks due or run out | {clk_wall:.2} s | {clk_user:.2} s | {clk_sys:.2} s |\n\
         | **both** (budget ≤ 2 s) | | **{total:.2} s** | {:.2} s | {:.2} s |\n",
        report.plans_failed.len(),
        report.escalated.len(),
        report.raised.len(),
        clocks.len(),
        esc_user + clk_user,
        esc_sys + clk_sys,
        due = today.checked_add_days(Days::new(1)).unwrap_or(today),
    )?;
    Ok(())
}
