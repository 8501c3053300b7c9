//! The loan detail's Classification tab: the class now, the floor and its reason (computed by
//! the engine from the borrower's facts in the store), the pending proposal, the restructuring
//! observation period and its end, and the history as a timeline, paged like the other tabs.

use super::classification::{basis_text, floor_short};
use crate::domain::classification::{ClassificationRules, Floor, Observation, observation_period};
use crate::domain::text::{display, pad_right, truncate};
use crate::engine::classify::{floor_sentence, floor_text, floors};
use crate::i18n::Lang;
use crate::store::{Loan, PendingOfLoan, Store, StoreError, TimelineRow};
use crate::tui::theme::Theme;
use crate::tui::widgets::rows::{Rows, TimelineOf};
use chrono::NaiveDate;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Lines above the timeline: class, floor, pending, observation, a blank line, its title.
pub const HEAD_LINES: usize = 6;
/// Lines per timeline entry.
pub const ENTRY_LINES: usize = 2;

/// What the tab shows besides the timeline; read when the tab is first shown.
#[derive(Debug, Clone, Default)]
pub struct ClassFacts {
    pub loaded: bool,
    pub floor: Option<Floor>,
    pub pending: Option<PendingOfLoan>,
    /// The latest restructuring and its observation period.
    pub observation: Option<(NaiveDate, Observation)>,
}

impl ClassFacts {
    /// Reads the loan's floor facts and pending proposal as of `today`.
    pub fn load(
        store: &Store,
        loan: &Loan,
        rules: &ClassificationRules,
        today: NaiveDate,
    ) -> Result<ClassFacts, StoreError> {
        let (loans, signals) = store.floor_inputs(loan.id, today)?;
        let floor = floor_among(&loans, &signals, loan.id, rules, today);
        let observation = signals.restructured.get(&loan.id).map(|(on, missed)| {
            (
                *on,
                observation_period(loan.disbursed_on, *on, missed, rules),
            )
        });
        Ok(ClassFacts {
            loaded: true,
            floor,
            pending: store.pending_of_loan(loan.id)?,
            observation,
        })
    }
}

fn floor_among(
    loans: &[crate::engine::classify::ClassifyLoan],
    signals: &crate::engine::classify::FloorSignals,
    loan_id: i64,
    rules: &ClassificationRules,
    today: NaiveDate,
) -> Option<Floor> {
    loans
        .iter()
        .zip(floors(loans, signals, today, rules))
        .find(|(l, _)| l.id == loan_id)
        .and_then(|(_, f)| f)
}

/// The floor of loan `loan_id` on `today` (contagion over its borrower included); None when
/// none applies or the loan has no balance.
pub fn floor_of_loan(
    store: &Store,
    loan_id: i64,
    rules: &ClassificationRules,
    today: NaiveDate,
) -> Result<Option<Floor>, StoreError> {
    let (loans, signals) = store.floor_inputs(loan_id, today)?;
    Ok(floor_among(&loans, &signals, loan_id, rules, today))
}

/// The floor of a loan as section 9 of a report says it: `底线：次级（DPD 95）`; None when no
/// floor applies.
pub fn floor_line(floor: Option<Floor>, lang: Lang) -> Option<String> {
    let f = floor?;
    let (v, l) = f.reason.value_and_limit();
    let why = lang.tf(
        &format!("classification_floor_short.{}", f.reason.code()),
        &[("value", &v), ("limit", &l)],
    );
    Some(lang.tf(
        "classification_pane.floor_line",
        &[
            ("class", &lang.code_name("class", f.at_least.code())),
            ("reason", &why),
        ],
    ))
}

fn kv(lang: Lang, key: &str, value: String, style: Style, w: usize) -> Line<'static> {
    Line::from(vec![
        Span::raw(pad_right(lang.t(key), 12)),
        Span::raw(" "),
        Span::styled(truncate(&value, w.saturating_sub(14)), style),
    ])
}

/// The tab's lines: the facts, then the timeline's entries on screen (two lines each).
#[allow(clippy::too_many_arguments)]
pub fn lines(
    loan: &Loan,
    facts: &ClassFacts,
    timeline: &Rows<TimelineOf>,
    lang: Lang,
    theme: &Theme,
    today: NaiveDate,
    w: usize,
    out: &mut Vec<Line<'static>>,
) {
    let class = loan.classification;
    out.push(kv(
        lang,
        "classification_pane.tab_class",
        lang.code_name("class", class.code()),
        theme.class(class),
        w,
    ));
    let (floor, floor_style) = match facts.floor {
        Some(f) if f.at_least > class => (floor_sentence(lang, &f), theme.danger),
        Some(f) => (floor_sentence(lang, &f), Style::new()),
        None => (
            lang.t("classification_pane.tab_no_floor").to_string(),
            theme.muted,
        ),
    };
    out.push(kv(
        lang,
        "classification_pane.tab_floor",
        floor,
        floor_style,
        w,
    ));
    let pending = match &facts.pending {
        Some(p) => {
            let reason = if p.reason.trim().is_empty() {
                match (&p.floor, &p.floor_reason) {
                    (Some(c), Some(r)) => floor_text(
                        lang,
                        c,
                        r,
                        p.floor_value.as_deref().unwrap_or(""),
                        p.floor_limit.as_deref().unwrap_or(""),
                    ),
                    _ => String::new(),
                }
            } else {
                display(&p.reason)
            };
            let mut text = lang.tf(
                "classification_pane.tab_pending_text",
                &[
                    ("id", &p.id),
                    ("to", &lang.code_name("class", &p.to)),
                    ("basis", &basis_text(lang, &p.basis, &p.basis_ref)),
                    ("proposer", &display(&p.proposer)),
                    ("date", &display(&p.effective_on)),
                    (
                        "reason",
                        &reason.split_whitespace().collect::<Vec<_>>().join(" "),
                    ),
                ],
            );
            if p.count > 1 {
                text.push_str(&lang.tf(
                    "classification_pane.tab_more_pending",
                    &[("n", &(p.count - 1))],
                ));
            }
            (text, theme.warning)
        }
        None => (
            lang.t("classification_pane.tab_none_pending").to_string(),
            theme.muted,
        ),
    };
    out.push(kv(
        lang,
        "classification_pane.tab_pending",
        pending.0,
        pending.1,
        w,
    ));
    let observation = match facts.observation {
        Some((on, o)) if o.holds_on(today) => (
            lang.tf(
                "classification_pane.tab_observing",
                &[("on", &on), ("start", &o.start), ("end", &o.end)],
            ),
            theme.warning,
        ),
        Some((on, o)) => (
            lang.tf(
                "classification_pane.tab_observed",
                &[("on", &on), ("end", &o.end)],
            ),
            Style::new(),
        ),
        None => (
            lang.t("classification_pane.tab_not_restructured")
                .to_string(),
            theme.muted,
        ),
    };
    out.push(kv(
        lang,
        "classification_pane.tab_observation",
        observation.0,
        observation.1,
        w,
    ));
    out.push(Line::from(""));
    out.push(Line::styled(
        lang.tf("classification_pane.tab_history", &[("n", &timeline.total)]),
        theme.header,
    ));
    if timeline.rows.is_empty() {
        out.push(Line::styled(
            lang.t("classification_pane.tab_no_history").to_string(),
            theme.muted,
        ));
    }
    for h in &timeline.rows {
        entry(h, lang, theme, w, out);
    }
}

/// One decision: `2026-06-30  正常 → 次级  底线  system / wu.hao`, then its reason and the
/// floor at the time.
fn entry(h: &TimelineRow, lang: Lang, theme: &Theme, w: usize, out: &mut Vec<Line<'static>>) {
    let to = crate::domain::Classification::parse(&h.to);
    let style = to.map_or(Style::new(), |c| theme.class(c));
    out.push(Line::from(vec![
        Span::raw(format!("{}  ", display(&h.effective_on))),
        Span::styled(
            truncate(
                &format!(
                    "{} → {}",
                    lang.code_name("class", &h.from),
                    lang.code_name("class", &h.to)
                ),
                w.saturating_sub(12),
            ),
            style,
        ),
        Span::raw(truncate(
            &format!(
                "  {}  {}",
                basis_text(lang, &h.basis, &h.basis_ref),
                lang.tf(
                    "classification_pane.timeline_who",
                    &[
                        ("proposer", &display(&h.proposer)),
                        ("approver", &display(&h.approver))
                    ]
                )
            ),
            w.saturating_sub(30),
        )),
    ]));
    let mut second = display(&h.reason)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let floor = floor_short(
        lang,
        h.floor.as_deref(),
        h.floor_reason.as_deref(),
        h.floor_value.as_deref(),
        h.floor_limit.as_deref(),
    );
    if !floor.is_empty() {
        if !second.is_empty() {
            second.push_str(" · ");
        }
        second.push_str(&lang.tf("classification_pane.floor_at_time", &[("floor", &floor)]));
    }
    out.push(Line::styled(
        truncate(&format!("             {second}"), w),
        theme.muted,
    ));
}
