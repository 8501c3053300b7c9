//! Step 2, warnings: evaluating the book against the indicator rules (raise, escalate, mark
//! back to normal — never duplicate, never delete), warnings raised by hand, the lifecycle,
//! cause analysis, covenants, and the warning notice (风险预警通知书).

use super::{Actor, Result, WorkflowError};
use super::{Command, Subject};
use crate::domain::StatementRecord;
use crate::domain::text::sanitize;
use crate::domain::warning::{Level, ManualSignal, RiskType, WarningMove, WarningStatus};
use crate::engine::indicators::{self, LoanFacts, Value};
use crate::engine::rules::{Covenant, Indicator, RuleSet};
use crate::i18n::Lang;
use crate::store::{EvalChunk, EvalLoan, LoanLabels, NewWarning, Store, Tx};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde_json::json;

/// Loans per transaction of a book-wide evaluation: small enough that other users' writes
/// wait at most a moment, large enough that commits are few.
const CHUNK: usize = 4000;

/// Chunks read ahead of the one being decided (each holds its borrowers' statements).
const CHUNKS_AHEAD: usize = 2;

/// Decided chunks that may wait for the writer.
const PLANS_AHEAD: usize = 4;

/// Counts of one evaluation, per level (index: red 0, orange 1, yellow 2).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EvalReport {
    pub as_of: String,
    pub loans: u64,
    pub new: [u64; 3],
    pub escalated: [u64; 3],
    pub still_open: [u64; 3],
    pub back_to_normal: [u64; 3],
    pub relapsed: [u64; 3],
    pub cannot_compute: u64,
    /// Signals held back because a person dismissed their warning.
    pub held: u64,
    /// The risk cases the open warnings were grouped into (step 5); said by the CLI apart.
    #[serde(skip)]
    pub cases: crate::store::GroupReport,
}

impl EvalReport {
    /// Adds another report's counts to this one.
    pub fn add(&mut self, other: &EvalReport) {
        self.loans += other.loans;
        self.cannot_compute += other.cannot_compute;
        self.held += other.held;
        for i in 0..3 {
            self.new[i] += other.new[i];
            self.escalated[i] += other.escalated[i];
            self.still_open[i] += other.still_open[i];
            self.back_to_normal[i] += other.back_to_normal[i];
            self.relapsed[i] += other.relapsed[i];
        }
    }

    pub fn changes(&self) -> u64 {
        [self.new, self.escalated, self.back_to_normal, self.relapsed]
            .iter()
            .flat_map(|a| a.iter())
            .sum()
    }
}

fn idx(l: Level) -> usize {
    l.board_order() as usize
}

/// A loan's facts as the engine sees them, from a chunk the store read.
pub fn facts(loan: &EvalLoan, chunk: &EvalChunk, as_of: NaiveDate) -> LoanFacts {
    let statements = chunk
        .statements
        .get(&loan.borrower_id)
        .cloned()
        .unwrap_or_default();
    loan_facts(loan, statements, as_of)
}

/// A loan's facts with its borrower's statements (oldest first).
fn loan_facts(loan: &EvalLoan, statements: Vec<StatementRecord>, as_of: NaiveDate) -> LoanFacts {
    LoanFacts {
        as_of,
        disbursed_on: loan.disbursed_on,
        matures_on: loan.matures_on,
        principal: loan.principal,
        outstanding: loan.outstanding,
        overdue_days: loan.overdue_days,
        status_as_of: loan.status_as_of,
        statements,
        collateral_value: loan.collateral_value,
        prohibited_flows: loan.prohibited_flows,
    }
}

/// The loan's covenants as the engine takes them (rows of unknown indicators left out).
pub fn covenants(loan: &EvalLoan) -> Vec<Covenant> {
    loan.covenants
        .iter()
        .filter_map(|c| {
            Some(Covenant {
                indicator: Indicator::parse(&c.indicator)?,
                yellow: c.yellow,
                orange: c.orange,
                red: c.red,
            })
        })
        .collect()
}

/// A change the system makes to a loan's warnings, in the order it is made.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// A new warning (the loan's labels are looked up as it is written).
    Raise(NewWarning<'static>),
    /// A higher level, with the value and threshold that did it.
    Escalate {
        id: i64,
        level: Level,
        value: Decimal,
        threshold: Decimal,
    },
    /// Back to normal (`back`) or relapsed (not `back`), with the value that did it, or
    /// back to normal because the indicator is no longer evaluated (`left`, no value).
    BackToNormal {
        id: i64,
        back: bool,
        value: Option<Decimal>,
        left: Option<Left>,
    },
}

/// Why a warning's indicator is no longer evaluated on its loan, so its warning is marked
/// back to normal (a person can then resolve it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    /// The loan has no outstanding balance: paid off, settled after a recall, written off.
    NoBalance,
    /// The indicator's rule is disabled (or no longer known).
    RuleDisabled,
}

impl Left {
    fn code(self) -> &'static str {
        match self {
            Left::NoBalance => "no_balance",
            Left::RuleDisabled => "rule_disabled",
        }
    }

    /// The history note, in both languages: the book is shared by users of either.
    fn note(self) -> String {
        let key = match self {
            Left::NoBalance => "evaluation.left_no_balance",
            Left::RuleDisabled => "evaluation.left_rule_disabled",
        };
        format!("{} / {}", Lang::ZhCn.t(key), Lang::En.t(key))
    }
}

/// Marks back to normal, with `left` as the reason, every active system warning of `loan`
/// not already back (one whose history runs past `as_of` is left as it is: a warning's
/// events never go back in time). `only` limits it to some indicators.
fn mark_left(
    loan: &EvalLoan,
    as_of: NaiveDate,
    left: Left,
    only: &dyn Fn(&str) -> bool,
    report: &mut EvalReport,
    changes: &mut Vec<Change>,
) {
    for a in loan
        .active
        .iter()
        .filter(|a| !a.dismissed && !a.back_to_normal && only(&a.indicator))
    {
        if a.last_on > as_of {
            report.still_open[idx(a.level)] += 1;
            continue;
        }
        changes.push(Change::BackToNormal {
            id: a.id,
            back: true,
            value: None,
            left: Some(left),
        });
        report.back_to_normal[idx(a.level)] += 1;
    }
}

/// Decides what one loan's signals change: the only place the system decides to raise or
/// change warnings. Reads and writes nothing: the changes are written by [`write_changes`].
fn decide(
    loan: &EvalLoan,
    f: &LoanFacts,
    rules: &RuleSet,
    as_of: NaiveDate,
    report: &mut EvalReport,
    changes: &mut Vec<Change>,
) {
    if loan.disbursed_on > as_of {
        // Not yet disbursed on that date: nothing to evaluate.
        return;
    }
    if loan.outstanding <= Decimal::ZERO {
        mark_left(loan, as_of, Left::NoBalance, &|_| true, report, changes);
        return;
    }
    let own;
    let rules = if loan.covenants.is_empty() {
        rules
    } else {
        own = rules.with_covenants(&covenants(loan));
        &own
    };
    let evaluated = |code: &str| Indicator::parse(code).is_some_and(|i| rules.rule(i).enabled);
    mark_left(
        loan,
        as_of,
        Left::RuleDisabled,
        &|code| !evaluated(code),
        report,
        changes,
    );
    for sig in indicators::evaluate(rules, f) {
        let code = sig.indicator.code();
        // A warning whose history runs past the evaluation date is not changed by it (a
        // backdated run never writes an event before the last one); its signal is not
        // raised again either.
        if let Some(a) = loan
            .active
            .iter()
            .find(|a| a.indicator == code && a.last_on > as_of)
        {
            if !a.dismissed {
                report.still_open[idx(a.level)] += 1;
            }
            continue;
        }
        let active = loan
            .active
            .iter()
            .find(|a| a.indicator == code && !a.dismissed);
        let held = loan
            .active
            .iter()
            .find(|a| a.indicator == code && a.dismissed);
        let value = match sig.value {
            Value::Known(v) => Some(v),
            _ => None,
        };
        if active.is_none()
            && let Some(h) = held
        {
            // A person dismissed this signal while it was there: hold it back unless it
            // gets worse; once seen back inside, the hold ends and a new crossing raises.
            match (sig.hit, value) {
                (Some((level, _)), _) if level <= h.level => {
                    report.held += 1;
                    continue;
                }
                (Some(_), _) => changes.push(Change::BackToNormal {
                    id: h.id,
                    back: true,
                    value,
                    left: None,
                }),
                (None, Some(v)) => {
                    changes.push(Change::BackToNormal {
                        id: h.id,
                        back: true,
                        value: Some(v),
                        left: None,
                    });
                    continue;
                }
                (None, None) => continue,
            }
        }
        match (sig.hit, active) {
            (Some((level, threshold)), None) => {
                changes.push(Change::Raise(NewWarning {
                    loan_id: loan.id,
                    origin: "system",
                    indicator: code,
                    level,
                    risk_type: sig.risk_type,
                    value,
                    threshold: Some(threshold),
                    unit: Some(rules.rule(sig.indicator).unit.code()),
                    source: Some(sig.source.code()),
                    reason: "",
                    raised_on: as_of,
                }));
                report.new[idx(level)] += 1;
            }
            (Some((level, threshold)), Some(a)) if level > a.level => {
                changes.push(Change::Escalate {
                    id: a.id,
                    level,
                    value: value.unwrap_or_default(),
                    threshold,
                });
                report.escalated[idx(level)] += 1;
            }
            (Some(_), Some(a)) => {
                if a.back_to_normal {
                    changes.push(Change::BackToNormal {
                        id: a.id,
                        back: false,
                        value,
                        left: None,
                    });
                    report.relapsed[idx(a.level)] += 1;
                } else {
                    report.still_open[idx(a.level)] += 1;
                }
            }
            (None, Some(a)) => match value {
                Some(v) if !a.back_to_normal => {
                    changes.push(Change::BackToNormal {
                        id: a.id,
                        back: true,
                        value: Some(v),
                        left: None,
                    });
                    report.back_to_normal[idx(a.level)] += 1;
                }
                _ => report.still_open[idx(a.level)] += 1,
            },
            (None, None) => {
                if matches!(sig.value, Value::CannotCompute(_)) {
                    report.cannot_compute += 1;
                }
            }
        }
    }
}

/// What a transaction of the engine changed: the audit entry that lists it.
#[derive(Debug, Default, serde::Serialize)]
struct ChangeLog {
    /// Numbers of the warnings raised.
    raised: Vec<String>,
    /// Ids of the warnings escalated, marked back to normal, relapsed.
    escalated_ids: Vec<i64>,
    back_to_normal_ids: Vec<i64>,
    relapsed_ids: Vec<i64>,
}

/// Writes decided changes in their order, in the caller's transaction, and the audit entry
/// that lists them (`entity`/`key`: the book and date, or the loan), in the same transaction.
fn write_changes(
    tx: &mut Tx<'_>,
    changes: &[Change],
    as_of: NaiveDate,
    actor: &str,
    (entity, key): (&str, &str),
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut log = ChangeLog::default();
    // A loan raising several warnings has its labels looked up once.
    let mut labels: Option<(i64, LoanLabels)> = None;
    for change in changes {
        match change {
            Change::Raise(w) => {
                let loan_labels = match labels.take() {
                    Some((loan_id, l)) if loan_id == w.loan_id => l,
                    _ => tx.loan_labels(w.loan_id)?,
                };
                let (_, number) = tx.insert_warning_labelled(w, &loan_labels, actor)?;
                log.raised.push(number);
                labels = Some((w.loan_id, loan_labels));
            }
            Change::Escalate {
                id,
                level,
                value,
                threshold,
            } => {
                tx.escalate_warning(*id, *level, *value, *threshold, as_of, actor)?;
                log.escalated_ids.push(*id);
            }
            Change::BackToNormal {
                id,
                back,
                value,
                left: None,
            } => {
                tx.set_back_to_normal(*id, *back, *value, "", as_of, actor)?;
                if *back {
                    log.back_to_normal_ids.push(*id);
                } else {
                    log.relapsed_ids.push(*id);
                }
            }
            Change::BackToNormal {
                id,
                back,
                value,
                left: Some(left),
            } => {
                // The system's reason goes in the history and gets its own audit row, in
                // the same transaction.
                tx.set_back_to_normal(*id, *back, *value, &left.note(), as_of, actor)?;
                log.back_to_normal_ids.push(*id);
                tx.audit(
                    actor,
                    "warnings.back_to_normal",
                    "warning",
                    &id.to_string(),
                    &json!({"reason": left.code(), "as_of": as_of.to_string()}),
                )?;
            }
        }
    }
    let mut detail = json!(log);
    detail["as_of"] = json!(as_of.to_string());
    tx.audit(actor, "warnings.evaluate.changes", entity, key, &detail)?;
    Ok(())
}

/// What evaluating one chunk decided: its loans, counts and changes to write.
#[derive(Debug, Default)]
struct ChunkPlan {
    loans: u64,
    report: EvalReport,
    changes: Vec<Change>,
}

/// Evaluates every active loan of the book as of `as_of`, a chunk per transaction.
pub fn evaluate_book(
    store: &mut Store,
    actor: &Actor,
    rules: &RuleSet,
    as_of: NaiveDate,
) -> Result<EvalReport> {
    evaluate_book_in_chunks(store, actor, rules, as_of, CHUNK)
}

/// [`evaluate_book`] with `chunk` loans per transaction, in three threads that overlap:
/// one reads chunks of loans and decides each chunk's changes once its statements are there,
/// one reads the borrowers' statements of a chunk (each reader on its own read-only
/// connection), and this one writes the changes, a transaction per chunk that changes
/// anything. Chunks are disjoint ranges of loans and a chunk's writes touch only its own
/// loans' warnings, so reading ahead sees what reading afterwards would.
fn evaluate_book_in_chunks(
    store: &mut Store,
    actor: &Actor,
    rules: &RuleSet,
    as_of: NaiveDate,
    chunk: usize,
) -> Result<EvalReport> {
    super::guard(store, actor, Command::EvaluateBook, &Subject::NONE)?;
    let mut report = EvalReport {
        as_of: as_of.to_string(),
        ..EvalReport::default()
    };
    let key = as_of.to_string();
    let later_events = store.events_after(as_of)?;
    let loan_reader = store.evaluation_reader()?;
    let statement_reader = store.evaluation_reader()?;
    std::thread::scope(|scope| -> Result<()> {
        // At most CHUNKS_AHEAD chunks are between reading their loans and being decided, so
        // memory stays flat; the channels hold that many, so sending to the statement reader
        // never blocks. Plans are small (the changes only): a few may wait for the writer.
        // A thread whose receiver has gone (an error further on) stops.
        let (send_loans, loans) =
            std::sync::mpsc::sync_channel::<crate::store::Result<EvalChunk>>(CHUNKS_AHEAD);
        let (send_chunk, chunks) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
        let (send_plan, plans) = std::sync::mpsc::sync_channel(PLANS_AHEAD);
        scope.spawn(move || {
            for next in loans {
                let next = next.and_then(|mut c| {
                    statement_reader.add_statements(&mut c, as_of)?;
                    Ok(c)
                });
                if send_chunk.send(next).is_err() {
                    break;
                }
            }
        });
        scope.spawn(move || {
            let mut after = None;
            let mut reading = true;
            let mut ahead = 0;
            loop {
                if reading && ahead < CHUNKS_AHEAD {
                    let next = loan_reader.loans(after, chunk, as_of, later_events);
                    after = match &next {
                        Ok(c) => c.last_key(),
                        Err(_) => None,
                    };
                    reading = after.is_some();
                    if send_loans.send(next).is_err() {
                        break;
                    }
                    ahead += 1;
                    continue;
                }
                if ahead == 0 {
                    break;
                }
                let Ok(next) = chunks.recv() else {
                    break;
                };
                ahead -= 1;
                let plan = next.map(|c| plan_chunk(c, rules, as_of));
                if send_plan.send(plan).is_err() {
                    break;
                }
            }
        });
        for plan in plans {
            let plan = plan?;
            if plan.loans == 0 {
                break;
            }
            if !plan.changes.is_empty() {
                store.write(|tx| {
                    write_changes(tx, &plan.changes, as_of, &actor.username, ("book", &key))
                })?;
            }
            report.add(&plan.report);
            report.loans += plan.loans;
        }
        Ok(())
    })?;
    // Loans that left evaluation (no balance) still carrying a warning not back to normal.
    for loan_id in store.evaluation_leavers()? {
        let chunk = store.evaluation_loan_as_of(loan_id, as_of)?;
        let mut changes = Vec::new();
        for loan in &chunk.loans {
            let f = facts(loan, &chunk, as_of);
            decide(loan, &f, rules, as_of, &mut report, &mut changes);
        }
        if !changes.is_empty() {
            store
                .write(|tx| write_changes(tx, &changes, as_of, &actor.username, ("book", &key)))?;
        }
    }
    // One case per borrower: every open warning joins its borrower's open case (set-based).
    report.cases = store.write(|tx| super::disposal::group_in(tx, &actor.username, as_of, None))?;
    let recorded = store.meta(crate::store::LAST_EVALUATION)?;
    let last = recorded
        .as_deref()
        .and_then(|s| s.parse::<NaiveDate>().ok());
    store.write(|tx| -> Result<()> {
        if last.is_none_or(|l| l < as_of) {
            tx.set_meta(crate::store::LAST_EVALUATION, &as_of.to_string())?;
        }
        if report.changes() > 0 {
            tx.audit(
                &actor.username,
                "warnings.evaluate",
                "book",
                &as_of.to_string(),
                &json!(report),
            )?;
        }
        Ok(())
    })?;
    Ok(report)
}

/// Why an evaluation date is refused (see [`check_evaluation_date`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateRefusal {
    /// More than `max` days after today.
    TooFarAhead { days: i64, max: u32 },
    /// More than `max` days before today.
    TooFarBack { days: i64, max: u32 },
    /// Before the book's last evaluation.
    BeforeLast { last: NaiveDate },
    /// Outside any plausible range (over a century from today); `--force` does not help.
    Absurd,
}

/// Days from today beyond which an evaluation date is refused even with `--force`.
const ABSURD_DAYS: i64 = 36_525;

/// Whether a book date is beyond any plausible range: over a century from today.
pub fn is_absurd_date(date: NaiveDate, today: NaiveDate) -> bool {
    date.signed_duration_since(today).num_days().abs() > ABSURD_DAYS
}

/// Checks an evaluation date against today and the book's last evaluation: more than
/// `evaluate_days_ahead` after today, more than `evaluate_days_back` before it, or before
/// the last evaluation is refused unless `force`; over a century away always.
pub fn check_evaluation_date(
    store: &Store,
    rules: &RuleSet,
    as_of: NaiveDate,
    today: NaiveDate,
    force: bool,
) -> Result<Option<DateRefusal>> {
    let days = as_of.signed_duration_since(today).num_days();
    if days.abs() > ABSURD_DAYS {
        return Ok(Some(DateRefusal::Absurd));
    }
    if force {
        return Ok(None);
    }
    let settings = rules.settings();
    if days > i64::from(settings.evaluate_days_ahead) {
        return Ok(Some(DateRefusal::TooFarAhead {
            days,
            max: settings.evaluate_days_ahead,
        }));
    }
    if -days > i64::from(settings.evaluate_days_back) {
        return Ok(Some(DateRefusal::TooFarBack {
            days: -days,
            max: settings.evaluate_days_back,
        }));
    }
    if let Some(last) = store.last_evaluation_on()?
        && as_of < last
    {
        return Ok(Some(DateRefusal::BeforeLast { last }));
    }
    Ok(None)
}

impl DateRefusal {
    /// The refusal in the user's language, naming the date and the way out.
    pub fn message(&self, lang: Lang, as_of: NaiveDate, today: NaiveDate) -> String {
        match self {
            DateRefusal::TooFarAhead { days, max } => lang.tf(
                "evaluation.err_ahead",
                &[
                    ("as_of", &as_of),
                    ("today", &today),
                    ("days", days),
                    ("max", max),
                ],
            ),
            DateRefusal::TooFarBack { days, max } => lang.tf(
                "evaluation.err_back",
                &[
                    ("as_of", &as_of),
                    ("today", &today),
                    ("days", days),
                    ("max", max),
                ],
            ),
            DateRefusal::BeforeLast { last } => lang.tf(
                "evaluation.err_before_last",
                &[("as_of", &as_of), ("last", last)],
            ),
            DateRefusal::Absurd => lang.tf(
                "evaluation.err_absurd",
                &[("as_of", &as_of), ("today", &today)],
            ),
        }
    }
}

/// Decides every loan of a chunk, in its (borrower, loan) order. A borrower's statements are
/// moved into the facts of its first loan and passed on to the next, not copied per loan.
fn plan_chunk(chunk: EvalChunk, rules: &RuleSet, as_of: NaiveDate) -> ChunkPlan {
    let EvalChunk {
        loans,
        mut statements,
    } = chunk;
    let mut plan = ChunkPlan {
        loans: loans.len() as u64,
        ..ChunkPlan::default()
    };
    let mut last: Option<(i64, LoanFacts)> = None;
    for loan in &loans {
        let own = match last.take() {
            Some((borrower, f)) if borrower == loan.borrower_id => f.statements,
            previous => {
                if let Some((borrower, f)) = previous {
                    statements.insert(borrower, f.statements);
                }
                statements.remove(&loan.borrower_id).unwrap_or_default()
            }
        };
        let f = loan_facts(loan, own, as_of);
        decide(loan, &f, rules, as_of, &mut plan.report, &mut plan.changes);
        last = Some((loan.borrower_id, f));
    }
    plan
}

/// Re-evaluates one loan right after its data changed, in its own transaction. The engine
/// acts as the system actor.
pub fn evaluate_loan(
    store: &mut Store,
    rules: &RuleSet,
    loan_id: i64,
    as_of: NaiveDate,
) -> Result<EvalReport> {
    let system = Actor::system();
    super::execute(store, &system, |tx| {
        evaluate_loan_in(tx, rules, loan_id, as_of)
    })
}

/// Re-evaluates one loan in the caller's transaction (the command that changed its data):
/// the engine acts as the system actor, and the warnings it changes get their audit entry here.
pub fn evaluate_loan_in(
    tx: &mut Tx<'_>,
    rules: &RuleSet,
    loan_id: i64,
    as_of: NaiveDate,
) -> Result<EvalReport> {
    // Its entries seal what it writes; the calling command's rows wait for the command's.
    tx.nested(|tx| evaluate_loan_step(tx, rules, loan_id, as_of))
}

fn evaluate_loan_step(
    tx: &mut Tx<'_>,
    rules: &RuleSet,
    loan_id: i64,
    as_of: NaiveDate,
) -> Result<EvalReport> {
    let system = Actor::system();
    super::authorize_in(tx, &system, Command::Reevaluate, &Subject::NONE)?;
    let chunk = tx.evaluation_loan_as_of(loan_id, as_of)?;
    let mut report = EvalReport {
        as_of: as_of.to_string(),
        ..EvalReport::default()
    };
    if let Some(loan) = chunk.loans.first() {
        let f = facts(loan, &chunk, as_of);
        let mut changes = Vec::new();
        decide(loan, &f, rules, as_of, &mut report, &mut changes);
        write_changes(
            tx,
            &changes,
            as_of,
            &system.username,
            ("loan", &loan_id.to_string()),
        )?;
        report.loans = 1;
        report.cases = super::disposal::group_loan_in(tx, &system.username, loan_id, as_of)?;
    }
    Ok(report)
}

/// A warning raised by hand for a non-financial signal; its notice is issued at once.
pub struct ManualWarning<'a> {
    pub contract_no: &'a str,
    pub signal: ManualSignal,
    pub level: Level,
    pub risk_type: RiskType,
    pub reason: &'a str,
}

/// Raises a manual warning and issues its notice, in one transaction; returns its id and
/// number.
pub fn raise_manual(
    store: &mut Store,
    actor: &Actor,
    w: &ManualWarning<'_>,
    today: NaiveDate,
    lang: Lang,
) -> Result<(i64, String)> {
    super::execute(store, actor, |tx| {
        let (id, number) = raise_manual_in(tx, actor, w, today, lang)?;
        issue_notice_in(tx, actor, id, today, lang)?;
        Ok((id, number))
    })
}

/// Raises a manual warning in the caller's transaction (without its notice).
pub fn raise_manual_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    w: &ManualWarning<'_>,
    today: NaiveDate,
    lang: Lang,
) -> Result<(i64, String)> {
    // The role first; the loan's officer once the loan is known (below).
    super::authorize_in(tx, actor, Command::RaiseWarning, &Subject::NONE)?;
    let reason = crate::domain::text::as_given_lines(w.reason);
    if crate::domain::text::is_blank(&reason) {
        return Err(WorkflowError::Invalid(
            lang.t("warning.err_reason").to_string(),
        ));
    }
    let loan = tx.loan_by_contract(w.contract_no)?.ok_or_else(|| {
        WorkflowError::Invalid(lang.tf("warning.err_no_loan", &[("contract", &w.contract_no)]))
    })?;
    super::authorize_in(
        tx,
        actor,
        Command::RaiseWarning,
        &Subject::loan_of(&loan.officer),
    )?;
    let nw = NewWarning {
        loan_id: loan.id,
        origin: "manual",
        indicator: w.signal.code(),
        level: w.level,
        risk_type: w.risk_type,
        value: None,
        threshold: None,
        unit: None,
        source: None,
        reason: &reason,
        raised_on: today,
    };
    let (id, number) = tx.insert_warning(&nw, &actor.username)?;
    tx.audit(
        &actor.username,
        "warnings.raise",
        "warning",
        &number,
        &json!({"contract_no": w.contract_no, "signal": w.signal.code(), "level": w.level.code(), "risk_type": w.risk_type.code(), "reason": reason}),
    )?;
    super::disposal::group_loan_in(tx, &actor.username, loan.id, today)?;
    Ok((id, number))
}

/// Moves a warning along its lifecycle (acknowledge, start disposal, resolve, dismiss).
/// `expected_version` is the version the screen showed; `None` takes the current one.
pub fn move_warning(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    mv: WarningMove,
    reason: &str,
    today: NaiveDate,
) -> Result<WarningStatus> {
    super::execute(store, actor, |tx| {
        move_warning_in(tx, actor, id, expected_version, mv, reason, today)
    })
}

/// [`move_warning`] in the caller's transaction.
pub fn move_warning_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    mv: WarningMove,
    reason: &str,
    today: NaiveDate,
) -> Result<WarningStatus> {
    super::authorize_in(tx, actor, Command::MoveWarning(mv), &Subject::NONE)?;
    let reason = crate::domain::text::as_given_lines(reason);
    let w = existing_warning(tx, id)?;
    super::authorize_in(
        tx,
        actor,
        Command::MoveWarning(mv),
        &Subject::loan_of(&w.officer),
    )?;
    let version = super::check_version(
        &w.number,
        expected_version,
        w.version,
        &w.updated_by,
        &w.updated_at,
    )?;
    let mut version = version;
    let mut still_triggered = w.origin == "system" && !w.back_to_normal;
    if still_triggered && mv == WarningMove::Resolve && tx.warning_loan_has_no_balance(id)? {
        // Paid off (or settled, written off) since the last evaluation: the system marks
        // it back to normal now, as the next evaluation would, so it can be resolved.
        let note = Left::NoBalance.note();
        tx.set_back_to_normal(id, true, None, &note, today, super::SYSTEM_USER)?;
        tx.audit(
            super::SYSTEM_USER,
            "warnings.back_to_normal",
            "warning",
            &id.to_string(),
            &json!({"reason": Left::NoBalance.code(), "as_of": today.to_string()}),
        )?;
        version += 1;
        still_triggered = false;
    }
    let to = mv
        .check(w.status, actor.role, &reason, still_triggered)
        .map_err(WorkflowError::Move)?;
    tx.move_warning(id, version, to, &reason, today, &actor.username)?;
    tx.audit(
        &actor.username,
        &format!("warnings.{}", mv.code()),
        "warning",
        &id.to_string(),
        &json!({"before": {"status": w.status.code(), "version": version},
                "after": {"status": to.code(), "version": version + 1}, "reason": reason}),
    )?;
    Ok(to)
}

/// A warning as the transaction sees it, or a translated "no warning" error.
fn existing_warning(tx: &Tx<'_>, id: i64) -> Result<crate::store::WarningState> {
    tx.warning_in_tx(id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "warning",
            key: id.to_string(),
        })
}

/// Writes the cause analysis of a warning. `expected_version` as for [`move_warning`].
#[allow(clippy::too_many_arguments)]
pub fn analyse(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    cause: &str,
    risk_type: RiskType,
    judged: Level,
    today: NaiveDate,
) -> Result<()> {
    super::execute(store, actor, |tx| {
        analyse_in(
            tx,
            actor,
            id,
            expected_version,
            cause,
            risk_type,
            judged,
            today,
        )
    })
}

/// [`analyse`] in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub fn analyse_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    expected_version: Option<i64>,
    cause: &str,
    risk_type: RiskType,
    judged: Level,
    today: NaiveDate,
) -> Result<()> {
    super::authorize_in(tx, actor, Command::AnalyseWarning, &Subject::NONE)?;
    let cause = crate::domain::text::as_given_lines(cause);
    if crate::domain::text::is_blank(&cause) {
        return Err(WorkflowError::CauseEmpty);
    }
    let w = existing_warning(tx, id)?;
    super::authorize_in(
        tx,
        actor,
        Command::AnalyseWarning,
        &Subject::loan_of(&w.officer),
    )?;
    let version = super::check_version(
        &w.number,
        expected_version,
        w.version,
        &w.updated_by,
        &w.updated_at,
    )?;
    if !w.status.is_active() {
        return Err(WorkflowError::Closed {
            number: w.number,
            status: w.status.code(),
        });
    }
    let before = tx.warning_analysis_in_tx(id)?;
    tx.analyse_warning(
        id,
        version,
        &cause,
        risk_type,
        judged,
        today,
        &actor.username,
    )?;
    tx.audit(
        &actor.username,
        "warnings.cause",
        "warning",
        &id.to_string(),
        &json!({"before": before,
                "after": {"cause": cause, "risk_type": risk_type.code(), "judged_level": judged.code()},
                "version": version}),
    )?;
    Ok(())
}

/// Checks a covenant's thresholds run the way its indicator's rule compares (for `>` rules
/// yellow ≤ orange ≤ red; for `<` rules the reverse).
pub fn check_covenant(c: &crate::domain::CovenantRecord) -> std::result::Result<(), String> {
    let Some(ind) = Indicator::parse(&c.indicator) else {
        return Err(format!("unknown indicator '{}'", sanitize(&c.indicator)));
    };
    let mut rule = RuleSet::defaults().rule(ind).clone();
    // Only the covenant's own levels are compared with each other.
    rule.yellow = c.yellow;
    rule.orange = c.orange;
    rule.red = c.red;
    rule.check_order()
        .map_err(|e| format!("thresholds out of order: {e}"))
}

/// Sets a loan's own thresholds for an indicator (supervisors and managers).
pub fn set_covenant(
    store: &mut Store,
    actor: &Actor,
    c: &crate::domain::CovenantRecord,
) -> Result<crate::store::Outcome> {
    super::execute(store, actor, |tx| set_covenant_in(tx, actor, c))
}

/// Sets a covenant and re-evaluates its loan as of `today`, in one transaction.
pub fn set_covenant_and_reevaluate(
    store: &mut Store,
    actor: &Actor,
    c: &crate::domain::CovenantRecord,
    rules: &RuleSet,
    today: NaiveDate,
) -> Result<(crate::store::Outcome, EvalReport)> {
    super::execute(store, actor, |tx| {
        let outcome = set_covenant_in(tx, actor, c)?;
        let mut report = EvalReport::default();
        if let Some(loan) = tx.loan_by_contract(&c.contract_no)? {
            report = evaluate_loan_in(tx, rules, loan.id, today)?;
        }
        Ok((outcome, report))
    })
}

/// [`set_covenant`] in the caller's transaction.
pub fn set_covenant_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    c: &crate::domain::CovenantRecord,
) -> Result<crate::store::Outcome> {
    super::authorize_in(tx, actor, Command::SetCovenant, &Subject::NONE)?;
    check_covenant(c).map_err(WorkflowError::Invalid)?;
    let before = tx.covenant_thresholds(&c.contract_no, &c.indicator)?;
    let outcome = tx.upsert_covenant(c, &actor.username)?;
    if outcome != crate::store::Outcome::Unchanged {
        tx.audit(
            &actor.username,
            "covenant.set",
            "loan",
            &c.contract_no,
            &json!({"indicator": c.indicator, "before": before,
                    "after": {"yellow": c.yellow, "orange": c.orange, "red": c.red}}),
        )?;
    }
    Ok(outcome)
}

/// Days the borrower has to answer a notice, by level.
fn feedback_days(level: Level) -> u64 {
    match level {
        Level::Red => 3,
        Level::Orange => 7,
        Level::Yellow => 15,
    }
}

/// Issues the warning notice (风险预警通知书) for a warning: a Markdown document in `lang`,
/// stored with the loan and its SHA-256. Returns the document number.
pub fn issue_notice(
    store: &mut Store,
    actor: &Actor,
    id: i64,
    today: NaiveDate,
    lang: Lang,
) -> Result<String> {
    super::execute(store, actor, |tx| {
        issue_notice_in(tx, actor, id, today, lang)
    })
}

/// [`issue_notice`] in the caller's transaction.
pub fn issue_notice_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    id: i64,
    today: NaiveDate,
    lang: Lang,
) -> Result<String> {
    super::authorize_in(tx, actor, Command::IssueNotice, &Subject::NONE)?;
    let w = tx.warning(id)?.ok_or_else(|| WorkflowError::NotFound {
        what: "warning",
        key: id.to_string(),
    })?;
    let loan = tx
        .loan(w.row.loan_id)?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "loan",
            key: w.row.contract_no.clone(),
        })?;
    super::authorize_in(
        tx,
        actor,
        Command::IssueNotice,
        &Subject::loan_of(&loan.officer),
    )?;
    let due = today
        .checked_add_days(Days::new(feedback_days(w.row.level)))
        .unwrap_or(today);
    let officer = tx
        .staff(&loan.officer)?
        .map(|s| s.display_name)
        .unwrap_or_else(|| loan.officer.clone());
    let n = tx.document_count("warning_notice")? + 1;
    let number = format!("YJTZ{}-{:06}", today.format("%Y"), n);
    let body = super::notice::render(
        &super::notice::NoticeFacts {
            number: &number,
            warning: &w,
            loan: &loan,
            officer: &officer,
            issued_on: today,
            feedback_due_on: due,
            issued_by: &actor.display_name,
        },
        lang,
    );
    let title = lang.tf(
        "notice.title_line",
        &[
            ("number", &number),
            ("borrower", &sanitize(&loan.borrower_name)),
        ],
    );
    tx.insert_document(
        loan.id,
        "warning_notice",
        &number,
        &title,
        lang.code(),
        &body,
        Some(("warnings", id)),
        &actor.username,
    )?;
    tx.set_feedback_due(id, due)?;
    tx.warning_event(id, today, &actor.username, "notice", None, None, &number)?;
    tx.audit(
        &actor.username,
        "document.issue",
        "warning",
        &w.row.number,
        &json!({"document": number, "kind": "warning_notice"}),
    )?;
    Ok(number)
}

/// The value of a decimal for people: trailing zeros trimmed, two places at most.
pub fn show_value(v: Decimal) -> String {
    crate::domain::money::round_half_up(v, 2)
        .normalize()
        .to_string()
}

#[cfg(test)]
#[path = "warning_tests.rs"]
mod tests;
