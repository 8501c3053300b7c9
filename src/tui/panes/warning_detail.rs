//! One warning in full, opened with Enter over the board (or a loan's Warnings tab): its
//! facts, the cause analysis, the loan, the indicator's history by period and its events.

use crate::domain::money::format_money;
use crate::domain::text::{display, pad_left, pad_right, truncate, width};
use crate::engine::indicators::{self, LoanFacts, Value};
use crate::engine::rules::Indicator;
use crate::i18n::Lang;
use crate::store::{Loan, Store, StoreError, Warning, WarningEvent};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::theme::Theme;
use crate::tui::widgets::warning_cells::indicator_name;
use crate::workflow::warning::show_value;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Periods of history shown (the latest).
const HISTORY_PERIODS: usize = 8;

/// Everything the screen shows, read when opened and whenever the book changes.
#[derive(Debug, Clone)]
pub struct WarningDetail {
    pub warning: Warning,
    pub events: Vec<WarningEvent>,
    pub loan: Option<Loan>,
    /// The indicator's value per statement period, oldest first (financial indicators only).
    pub history: Vec<(NaiveDate, Value)>,
    /// The day the loan's days past due are counted on.
    pub today: NaiveDate,
    pub scroll: u16,
}

impl WarningDetail {
    pub fn load(
        store: &Store,
        id: i64,
        today: NaiveDate,
    ) -> Result<Option<WarningDetail>, StoreError> {
        let Some(warning) = store.warning(id)? else {
            return Ok(None);
        };
        let history = match Indicator::parse(&warning.row.indicator) {
            Some(ind) if warning.row.origin != "manual" && ind.is_financial() => {
                let mut h = facts(store, warning.row.loan_id, today)?
                    .map(|f| indicators::history(ind, &f))
                    .unwrap_or_default();
                let skip = h.len().saturating_sub(HISTORY_PERIODS);
                h.drain(..skip);
                h
            }
            _ => Vec::new(),
        };
        Ok(Some(WarningDetail {
            events: store.warning_events(id)?,
            loan: store.loan(warning.row.loan_id)?,
            history,
            warning,
            today,
            scroll: 0,
        }))
    }

    pub fn reload(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        if let Some(fresh) = WarningDetail::load(store, self.warning.row.id, today)? {
            *self = WarningDetail {
                scroll: self.scroll,
                ..fresh
            };
        }
        Ok(())
    }

    pub fn id(&self) -> i64 {
        self.warning.row.id
    }
}

/// The footer's commands.
const WARNING_HINTS: &[Hint] = &[
    Hint::One(Section::Board, Action::Acknowledge),
    Hint::One(Section::Board, Action::StartDisposal),
    Hint::One(Section::Board, Action::Resolve),
    Hint::One(Section::Board, Action::Dismiss),
    Hint::One(Section::Board, Action::WriteCause),
    Hint::One(Section::Board, Action::IssueNotice),
    Hint::One(Section::Board, Action::OpenLoan),
    Hint::Group(Section::Detail, &[Action::Down, Action::Up], "hint.scroll"),
    Hint::One(Section::Global, Action::Back),
];

impl Component for WarningDetail {
    /// The board's commands act on the warning shown; `j`/`k` scroll it.
    fn hints(&self) -> &'static [Hint] {
        WARNING_HINTS
    }

    fn sections(&self) -> &'static [Section] {
        &[Section::Board, Section::Detail, Section::Global]
    }

    fn handle(&mut self, action: Action, _ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let row = &self.warning.row;
        Ok(match action {
            Action::Down => {
                self.scroll = self.scroll.saturating_add(1);
                Outcome::Consumed(Vec::new())
            }
            Action::Up if self.scroll > 0 => {
                self.scroll -= 1;
                Outcome::Consumed(Vec::new())
            }
            Action::Up => Outcome::Unchanged,
            Action::OpenLoan => Outcome::Consumed(vec![Effect::OpenLoanOfWarning]),
            Action::StartInspection => Outcome::Consumed(vec![Effect::StartInspection {
                contract: row.contract_no.clone(),
                planned: None,
                warning: Some(row.number.clone()),
            }]),
            Action::RaiseManual => {
                Outcome::Consumed(vec![Effect::RaiseWarning(row.contract_no.clone())])
            }
            Action::Acknowledge
            | Action::StartDisposal
            | Action::Resolve
            | Action::Dismiss
            | Action::WriteCause
            | Action::IssueNotice => {
                Outcome::Consumed(vec![Effect::WarningCommand(Box::new(row.clone()), action)])
            }
            // The board's filters and Enter have nothing to do here.
            Action::FilterLevel
            | Action::FilterStatus
            | Action::FilterMine
            | Action::FilterIndicator
            | Action::OpenWarning => Outcome::Unchanged,
            _ => Outcome::NotMine,
        })
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        if !changed.is_empty() {
            WarningDetail::reload(self, ctx.store, ctx.today)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(self, frame, area, view.lang, view.theme);
    }
}

/// The loan's facts as the engine sees them (as `workflow::warning` gathers them).
fn facts(store: &Store, loan_id: i64, as_of: NaiveDate) -> Result<Option<LoanFacts>, StoreError> {
    let chunk = store.evaluation_loan(loan_id)?;
    Ok(chunk
        .loans
        .first()
        .map(|loan| crate::workflow::warning::facts(loan, &chunk, as_of)))
}

fn kv(lang: Lang, key: &str, value: &str, w: usize) -> Vec<Span<'static>> {
    vec![
        Span::raw(pad_right(lang.t(key), 14)),
        Span::raw(" "),
        Span::raw(truncate(value, w.saturating_sub(16))),
    ]
}

fn pair(left: Vec<Span<'static>>, right: Vec<Span<'static>>, half: usize) -> Line<'static> {
    let mut spans = left;
    let used: usize = spans.iter().map(|s| s.width()).sum();
    spans.push(Span::raw(" ".repeat(half.saturating_sub(used))));
    spans.extend(right);
    Line::from(spans)
}

fn dash(s: Option<String>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or_else(|| "-".into())
}

pub fn render(d: &WarningDetail, frame: &mut Frame<'_>, area: Rect, lang: Lang, theme: &Theme) {
    let w = area.width as usize;
    let half = w / 2;
    let r = &d.warning.row;
    let unit = r
        .unit
        .as_deref()
        .map(|u| lang.code_name("unit", u))
        .unwrap_or_default();
    let with_unit =
        |v: Option<rust_decimal::Decimal>| v.map(|v| format!("{}{unit}", show_value(v)));
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                lang.tf("warning.detail_title", &[("number", &display(&r.number))]),
                theme.title,
            ),
            Span::raw("  "),
            Span::styled(
                lang.code_name("level", r.level.code()),
                theme.level(r.level),
            ),
            Span::raw("  "),
            Span::raw(lang.code_name("wstatus", r.status.code())),
            Span::raw("  "),
            Span::styled(
                truncate(
                    &format!("{} {}", display(&r.contract_no), display(&r.borrower_name)),
                    w.saturating_sub(30),
                ),
                theme.muted,
            ),
        ]),
        Line::from(""),
    ];
    let back = if r.back_to_normal {
        lang.t("warning.yes")
    } else {
        lang.t("warning.no")
    };
    let judged = d
        .warning
        .judged_level
        .map(|l| lang.code_name("level", l.code()));
    let rows: [(&str, String, &str, String); 6] = [
        (
            "warning.origin",
            lang.code_name("origin", &r.origin),
            "col.indicator",
            indicator_name(&r.origin, &r.indicator, lang),
        ),
        (
            "col.value",
            dash(with_unit(r.value)),
            "warning.threshold",
            dash(with_unit(r.threshold)),
        ),
        (
            "warning.rule_source",
            dash(r.source.as_deref().map(|s| lang.code_name("source", s))),
            "warning.risk_type",
            lang.code_name("risk", r.risk_type.code()),
        ),
        (
            "col.raised_on",
            r.raised_on.to_string(),
            "warning.feedback_due",
            dash(d.warning.feedback_due_on.map(|d| d.to_string())),
        ),
        (
            "warning.back_to_normal",
            back.to_string(),
            "warning.closed_on",
            dash(d.warning.closed_on.map(|d| d.to_string())),
        ),
        (
            "warning.judged_level",
            dash(judged),
            "col.officer",
            display(&r.officer),
        ),
    ];
    for (a, av, b, bv) in rows {
        lines.push(pair(kv(lang, a, &av, half), kv(lang, b, &bv, half), half));
    }
    for (key, text) in [
        ("warning.reason", &d.warning.reason),
        ("warning.cause", &d.warning.cause),
        ("warning.close_reason", &d.warning.close_reason),
    ] {
        // A multi-line text shows its lines under one label.
        for (i, line) in text.lines().enumerate() {
            let mut spans = kv(lang, key, &display(line), w);
            if i > 0 {
                spans[0] = Span::raw(" ".repeat(14));
            }
            lines.push(Line::from(spans));
        }
    }
    if let Some(l) = &d.loan {
        lines.push(Line::from(""));
        lines.push(Line::styled(lang.t("warning.section_loan"), theme.header));
        let loan_rows: [(&str, String, &str, String); 3] = [
            (
                "col.contract_no",
                display(&l.contract_no),
                "col.borrower",
                display(&l.borrower_name),
            ),
            (
                "col.product",
                lang.code_name("product", l.product.code()),
                "col.outstanding",
                format_money(l.outstanding, &l.currency),
            ),
            (
                "col.class",
                lang.code_name("class", l.classification.code()),
                "col.dpd",
                l.days_past_due(d.today).to_string(),
            ),
        ];
        for (a, av, b, bv) in loan_rows {
            lines.push(pair(kv(lang, a, &av, half), kv(lang, b, &bv, half), half));
        }
    }
    if !d.history.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            lang.t("warning.section_history"),
            theme.header,
        ));
        let mut periods = vec![Span::raw(pad_right(lang.t("col.period"), 14))];
        let mut values = vec![Span::raw(pad_right(lang.t("col.value"), 14))];
        let cell = 12;
        let fit = (w.saturating_sub(14) / (cell + 1)).max(1);
        let skip = d.history.len().saturating_sub(fit);
        for (date, v) in d.history.iter().skip(skip) {
            periods.push(Span::raw(format!(" {}", pad_left(&date.to_string(), cell))));
            let text = match v {
                Value::Known(x) => format!("{}{}", show_value(*x), unit.trim()),
                Value::CannotCompute(_) => lang.t("detail.cannot_compute").to_string(),
                Value::NotApplicable => lang.t("warning.not_applicable").to_string(),
            };
            values.push(Span::raw(format!(" {}", pad_left(&text, cell))));
        }
        lines.push(Line::from(periods));
        lines.push(Line::from(values));
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(lang.t("warning.section_events"), theme.header));
    lines.push(Line::styled(
        format!(
            "{} {} {} {} {} {}",
            pad_right(lang.t("col.date"), 10),
            pad_right(lang.t("warning.actor"), 10),
            pad_right(lang.t("warning.event"), 10),
            pad_right(lang.t("col.level"), 6),
            pad_left(lang.t("col.value"), 10),
            lang.t("warning.note")
        ),
        theme.muted,
    ));
    for e in &d.events {
        let head = format!(
            "{} {} {} {} {} ",
            e.on_date,
            pad_right(&display(&e.actor), 10),
            pad_right(&lang.code_name("wevent", &e.event), 10),
            pad_right(
                &e.level
                    .map(|l| lang.code_name("level", l.code()))
                    .unwrap_or_default(),
                6
            ),
            pad_left(&e.value.map(show_value).unwrap_or_default(), 10),
        );
        let room = w.saturating_sub(width(&head));
        lines.push(Line::from(format!(
            "{head}{}",
            truncate(&display(&e.note), room)
        )));
    }
    frame.render_widget(Paragraph::new(lines).scroll((d.scroll, 0)), area);
}
