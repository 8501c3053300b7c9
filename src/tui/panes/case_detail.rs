//! A risk case (处置事项) in full, a screen on the back stack: its warnings, loans, plans,
//! actions (one selected: the action keys act on it), progress reports, documents, the
//! approved inspection reports whose measures can become actions, and each loan's outcomes
//! (recoveries, write-off, recall or closing, the last demand, the legal clocks). Every key asks `App` to send a workflow command
//! ([`crate::tui::disposal_actions`]) with the versions this screen shows.

use crate::domain::disposal::{ActionStatus, PlanStatus};
use crate::domain::legal::LegalClockRules;
use crate::domain::money::format_money;
use crate::domain::text::{display, truncate};
use crate::domain::warning::ManualSignal;
use crate::engine::rules::Indicator;
use crate::i18n::Lang;
use crate::store::{
    ActionRow, CaseDetail, CaseInspection, LoanOutcomes, PlanRow, Store, StoreError,
};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::theme::Theme;
use crate::tui::widgets::warning_cells::indicator_name;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The case screen: the case as last read, the selected action, how far it is scrolled.
#[derive(Debug, Clone)]
pub struct CaseScreen {
    pub number: String,
    pub detail: CaseDetail,
    pub inspections: Vec<CaseInspection>,
    /// The outcomes of the case's loans (the first [`OUTCOME_LOANS`]), read with `rules`.
    pub outcomes: Vec<LoanOutcomes>,
    pub rules: LegalClockRules,
    /// Index into `detail.actions`.
    pub sel: usize,
    pub scroll: u16,
    /// Whether the view follows the selected action (Up/Down) or was paged freely
    /// (PageUp/PageDown), so every block below the actions can be reached on a small terminal.
    pub follow: bool,
    /// The scroll last drawn (paging starts from what the user sees).
    shown: std::cell::Cell<u16>,
    /// Lines of the body (set from the terminal size).
    pub rows: usize,
    pub today: NaiveDate,
}

/// Progress reports shown in full (the newest; the rest are counted).
/// How many of the latest history entries the screen shows (`case show` has them all).
const HISTORY_SHOWN: usize = 8;
const PROGRESS_SHOWN: usize = 3;

/// Loans whose outcomes the case screen reads (a borrower has a few; the rest are counted).
pub const OUTCOME_LOANS: usize = 10;

/// The outcomes of the first [`OUTCOME_LOANS`] loans of `detail`.
fn read_outcomes(
    store: &Store,
    detail: &CaseDetail,
    rules: &LegalClockRules,
) -> Result<Vec<LoanOutcomes>, StoreError> {
    let mut out = Vec::new();
    for l in detail.loans.iter().take(OUTCOME_LOANS) {
        if let Some(o) = store.loan_outcomes(l.id, rules)? {
            out.push(o);
        }
    }
    Ok(out)
}

impl CaseScreen {
    /// Reads case `number`; None when there is no such case.
    pub fn load(
        store: &Store,
        number: &str,
        today: NaiveDate,
        rules: &LegalClockRules,
    ) -> Result<Option<CaseScreen>, StoreError> {
        let Some(detail) = store.case_detail(number)? else {
            return Ok(None);
        };
        let inspections = store.case_inspections(detail.case.id)?;
        let outcomes = read_outcomes(store, &detail, rules)?;
        Ok(Some(CaseScreen {
            number: detail.case.number.clone(),
            detail,
            inspections,
            outcomes,
            rules: *rules,
            sel: 0,
            scroll: 0,
            follow: true,
            shown: std::cell::Cell::new(0),
            rows: 18,
            today,
        }))
    }

    /// Reads the case again, keeping the selected action (by id) where it can.
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        let keep = self.selected_action().map(|a| a.id);
        if let Some(detail) = store.case_detail(&self.number)? {
            self.inspections = store.case_inspections(detail.case.id)?;
            self.outcomes = read_outcomes(store, &detail, &self.rules)?;
            self.detail = detail;
        }
        self.sel = keep
            .and_then(|id| self.detail.actions.iter().position(|a| a.id == id))
            .unwrap_or(self.sel)
            .min(self.detail.actions.len().saturating_sub(1));
        Ok(())
    }

    pub fn selected_action(&self) -> Option<&ActionRow> {
        self.detail.actions.get(self.sel)
    }

    /// The newest plan in one of `statuses`.
    pub fn plan_in(&self, statuses: &[PlanStatus]) -> Option<&PlanRow> {
        self.detail
            .plans
            .iter()
            .rev()
            .find(|p| statuses.contains(&p.status))
    }

    /// The newest approved inspection report whose measures are not actions yet.
    pub fn measures_to_take(&self) -> Option<&CaseInspection> {
        self.inspections.iter().find(|i| !i.taken && i.measures > 0)
    }

    /// The lines of the screen, and which line the selected action is on.
    pub fn lines(&self, lang: Lang, theme: &Theme, width: usize) -> (Vec<Line<'static>>, usize) {
        let d = &self.detail;
        let c = &d.case;
        let mut out: Vec<Line<'static>> = Vec::new();
        let fit = |s: String| truncate(&s, width);
        out.push(Line::from(vec![
            Span::styled(fit(format!("{}  ", display(&c.number))), theme.title),
            Span::styled(
                lang.code_name("level", c.level.code()),
                theme.level(c.level),
            ),
            Span::styled(
                fit(format!(
                    "  {} {}",
                    display(&c.borrower_code),
                    display(&c.borrower_name)
                )),
                theme.title,
            ),
        ]));
        // The facts under the title, most important first, wrapped onto at most two lines;
        // on a narrow terminal the least important give way rather than being cut.
        let mut facts: Vec<(String, Style)> =
            vec![(lang.code_name("case_status", c.status.code()), Style::new())];
        if c.emergency_needed {
            facts.push((
                lang.t("case_detail.emergency_needed").to_string(),
                theme.danger,
            ));
        }
        if let Some(on) = c.closed_on {
            facts.push((
                lang.tf(
                    "case_detail.fact_closed",
                    &[("date", &on), ("reason", &one_line(&c.close_reason))],
                ),
                Style::new(),
            ));
        }
        if let Some(d) = c.next_deadline {
            facts.push((
                lang.tf("case_detail.fact_deadline", &[("deadline", &d)]),
                Style::new(),
            ));
        }
        facts.push((
            lang.tf(
                "case_detail.fact_exposure",
                &[("exposure", &format_money(c.exposure, "CNY"))],
            ),
            Style::new(),
        ));
        facts.push((
            lang.tf(
                "case_detail.fact_officer",
                &[("officer", &display(&c.officer))],
            ),
            Style::new(),
        ));
        facts.push((
            lang.tf(
                "case_detail.fact_opened",
                &[("opened", &c.opened_on), ("age", &c.age_days(self.today))],
            ),
            Style::new(),
        ));
        out.extend(fact_lines(facts, lang.t("case_detail.fact_sep"), width, 2));
        let head = |out: &mut Vec<Line<'static>>, key: &str, n: usize| {
            out.push(Line::from(""));
            out.push(Line::styled(fit(lang.tf(key, &[("n", &n)])), theme.header));
        };
        let none = |out: &mut Vec<Line<'static>>| {
            out.push(Line::styled(
                format!("  {}", lang.t("case_detail.none")),
                theme.muted,
            ));
        };

        head(&mut out, "case_detail.warnings", d.warnings.len());
        for w in &d.warnings {
            let manual = ManualSignal::parse(&w.indicator).is_some()
                && Indicator::parse(&w.indicator).is_none();
            let name = indicator_name(if manual { "manual" } else { "system" }, &w.indicator, lang);
            let closed = !w.status.is_active();
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(
                    format!("{:<4}", lang.code_name("level", w.level.code())),
                    if closed {
                        theme.muted
                    } else {
                        theme.level(w.level)
                    },
                ),
                Span::styled(
                    fit(format!(
                        " {} {} {} · {} · {}",
                        display(&w.number),
                        display(&w.contract_no),
                        name,
                        lang.code_name("wstatus", w.status.code()),
                        w.raised_on
                    )),
                    if closed { theme.muted } else { Style::new() },
                ),
            ]));
        }
        if d.warnings.is_empty() {
            none(&mut out);
        }

        head(&mut out, "case_detail.loans", d.loans.len());
        for l in &d.loans {
            out.push(Line::from(fit(lang.tf(
                "case_detail.loan_line",
                &[
                    ("contract", &display(&l.contract_no)),
                    ("outstanding", &format_money(l.outstanding, "CNY")),
                    ("class", &lang.code_name("class", l.classification.code())),
                    ("dpd", &l.overdue_days),
                    ("freq", &lang.code_name("freq", &l.tracking_frequency)),
                    ("officer", &display(&l.officer)),
                ],
            ))));
        }
        if d.loans.is_empty() {
            none(&mut out);
        }

        head(&mut out, "case_detail.plans", d.plans.len());
        for p in &d.plans {
            let open = p.status.is_open();
            let mut text = lang.tf(
                "case_detail.plan_line",
                &[
                    ("id", &p.id),
                    ("kind", &lang.code_name("plan_kind", p.kind.code())),
                    ("status", &lang.code_name("plan_status", p.status.code())),
                    (
                        "due",
                        &p.due_on
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "-".into()),
                    ),
                    ("proposer", &display(&p.proposer)),
                    ("summary", &one_line(&p.summary)),
                ],
            );
            if let Some(a) = &p.approver {
                text.push_str(&lang.tf("case_detail.plan_approver", &[("who", &display(a))]));
            }
            if let Some(on) = p.arrived_on {
                text.push_str(&lang.tf(
                    "case_detail.plan_arrived",
                    &[("date", &on), ("text", &one_line(&p.arrival))],
                ));
            }
            if !p.reason.is_empty() {
                text.push_str(&format!(" · {}", one_line(&p.reason)));
            }
            out.push(Line::styled(
                fit(text),
                if open { Style::new() } else { theme.muted },
            ));
        }
        if d.plans.is_empty() {
            none(&mut out);
        }

        head(&mut out, "case_detail.actions", d.actions.len());
        let mut sel_line = out.len();
        for (i, a) in d.actions.iter().enumerate() {
            let overdue = a.overdue_days(self.today);
            let mut text = String::from("  ");
            if overdue > 0 {
                text.replace_range(0..1, "!");
            }
            let selected = i == self.sel;
            if selected {
                text.replace_range(1..2, ">");
                sel_line = out.len();
            }
            let mut rest = lang.tf(
                "case_detail.action_line",
                &[
                    ("id", &a.id),
                    ("kind", &lang.code_name("action_kind", a.kind.code())),
                    ("title", &one_line(&a.title)),
                    ("owner", &display(&a.owner)),
                    ("deadline", &a.deadline),
                    ("status", &lang.code_name("action_status", a.status.code())),
                ],
            );
            if overdue > 0 {
                rest.push_str(&lang.tf("case_detail.overdue", &[("n", &overdue)]));
            }
            if let Some(c) = &a.contract_no {
                rest.push_str(&format!(" · {}", display(c)));
            }
            if !a.outcome.is_empty() {
                rest.push_str(&format!(" · {}", one_line(&a.outcome)));
            }
            let notes = d.notes.iter().filter(|n| n.action_id == a.id).count();
            if notes > 0 {
                rest.push_str(&lang.tf("case_detail.notes", &[("n", &notes)]));
            }
            let style = if overdue > 0 {
                theme.danger
            } else if matches!(a.status, ActionStatus::Done | ActionStatus::Cancelled) {
                theme.muted
            } else {
                Style::new()
            };
            let head_style = if selected {
                style.patch(theme.selected)
            } else {
                style
            };
            out.push(Line::from(vec![
                Span::styled(text, head_style),
                Span::styled(truncate(&rest, width.saturating_sub(2)), style),
            ]));
        }
        if d.actions.is_empty() {
            none(&mut out);
        }

        head(&mut out, "case_detail.progress", d.progress.len());
        for p in d.progress.iter().rev().take(PROGRESS_SHOWN) {
            out.push(Line::from(fit(format!(
                "  {} {}",
                p.on_date,
                display(&p.author)
            ))));
            for (key, text) in [
                ("disposal_field.signal_now", &p.signal_now),
                ("disposal_field.effect", &p.effect),
                ("disposal_field.problems", &p.problems),
                ("disposal_field.next_steps", &p.next_steps),
            ] {
                out.push(Line::from(fit(format!(
                    "    {}: {}",
                    lang.t(key),
                    one_line(text)
                ))));
            }
        }
        if d.progress.len() > PROGRESS_SHOWN {
            out.push(Line::styled(
                lang.tf(
                    "case_detail.progress_more",
                    &[("n", &(d.progress.len() - PROGRESS_SHOWN))],
                ),
                theme.muted,
            ));
        }
        if d.progress.is_empty() {
            none(&mut out);
        }

        head(&mut out, "case_detail.documents", d.documents.len());
        for doc in &d.documents {
            let sha: String = doc.sha256.chars().take(12).collect();
            out.push(Line::from(fit(format!(
                "  {} {} · SHA-256 {sha}…",
                display(&doc.number),
                display(&doc.title)
            ))));
        }
        if d.documents.is_empty() {
            none(&mut out);
        }

        // Only reports with measures: those are what the key can turn into actions.
        let with_measures: Vec<&CaseInspection> =
            self.inspections.iter().filter(|i| i.measures > 0).collect();
        if !with_measures.is_empty() {
            head(&mut out, "case_detail.inspections", with_measures.len());
            for i in with_measures {
                let state = if i.taken {
                    lang.t("case_detail.measures_taken")
                } else {
                    lang.t("case_detail.measures_open")
                };
                out.push(Line::styled(
                    fit(lang.tf(
                        "case_detail.inspection_line",
                        &[
                            ("number", &display(&i.number)),
                            ("contract", &display(&i.contract_no)),
                            ("n", &i.measures),
                            ("state", &state),
                        ],
                    )),
                    if i.taken { theme.muted } else { Style::new() },
                ));
            }
        }

        out.push(Line::from(""));
        out.push(Line::styled(
            fit(lang.t("case_detail.outcomes").to_string()),
            theme.header,
        ));
        for o in &self.outcomes {
            super::outcomes::lines(o, &self.rules, lang, theme, self.today, width, &mut out);
        }
        if d.loans.len() > self.outcomes.len() {
            out.push(Line::styled(
                fit(format!(
                    "  {}",
                    lang.tf(
                        "case_detail.outcomes_more",
                        &[("n", &(d.loans.len() - self.outcomes.len()))]
                    )
                )),
                theme.muted,
            ));
        }
        // The latest entries of the history, oldest first, each a sentence.
        head(&mut out, "case_detail.history", d.events.len());
        let skip = d.events.len().saturating_sub(HISTORY_SHOWN);
        if skip > 0 {
            out.push(Line::styled(
                fit(lang.tf("case_detail.history_more", &[("n", &skip)])),
                theme.muted,
            ));
        }
        for e in d.events.iter().skip(skip) {
            let what = crate::engine::case_history::sentence(
                &e.event,
                &e.reference,
                &e.note,
                lang,
                &one_line,
            );
            out.push(Line::from(fit(format!(
                "  {}",
                lang.tf(
                    "case_history.line",
                    &[
                        ("date", &e.on_date),
                        ("actor", &display(&e.actor)),
                        ("what", &what),
                    ],
                )
            ))));
        }
        if d.events.is_empty() {
            none(&mut out);
        }

        (out, sel_line)
    }

    /// The scroll that keeps the selected action's line in a body of `rows` lines.
    fn effective_scroll(&self, sel_line: usize, rows: usize, lines: usize) -> u16 {
        let last = lines.saturating_sub(rows).min(usize::from(u16::MAX)) as u16;
        let mut s = usize::from(self.scroll);
        if self.detail.actions.is_empty() || !self.follow {
            return self.scroll.min(last);
        }
        if sel_line < s {
            s = sel_line;
        } else if rows > 0 && sel_line >= s + rows {
            s = sel_line + 1 - rows;
        }
        s.min(usize::from(u16::MAX)) as u16
    }
}

/// `facts` (most important first) as at most `max_lines` lines of `width` columns, each
/// line starting with a space and the facts `sep`arated: a fact that does not fit goes to
/// the next line; when the lines are full, the least important facts are left out (the
/// first is cut to fit rather than left out).
fn fact_lines(
    facts: Vec<(String, Style)>,
    sep: &str,
    width: usize,
    max_lines: usize,
) -> Vec<Line<'static>> {
    let room = width.saturating_sub(1).max(1);
    let sep_w = crate::domain::text::width(sep);
    let mut lines: Vec<(Vec<Span<'static>>, usize)> = Vec::new();
    for (i, (text, style)) in facts.into_iter().enumerate() {
        let w = crate::domain::text::width(&text);
        let full = lines.len() >= max_lines;
        match lines.last_mut() {
            Some((spans, used)) if *used + sep_w + w <= room => {
                spans.push(Span::raw(sep.to_string()));
                spans.push(Span::styled(text, style));
                *used += sep_w + w;
            }
            _ if !full => {
                let text = if i == 0 { truncate(&text, room) } else { text };
                if crate::domain::text::width(&text) > room {
                    continue;
                }
                let used = crate::domain::text::width(&text);
                lines.push((vec![Span::raw(" "), Span::styled(text, style)], used));
            }
            _ => {}
        }
    }
    lines
        .into_iter()
        .map(|(spans, _)| Line::from(spans))
        .collect()
}

/// Free text on one line: whitespace runs (line breaks too) become one space.
fn one_line(text: &str) -> String {
    display(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const HINTS: &[Hint] = &[
    Hint::One(Section::Case, Action::AddProgress),
    Hint::One(Section::Case, Action::AddAction),
    Hint::One(Section::Case, Action::StartAction),
    Hint::One(Section::Case, Action::ActionDone),
    Hint::One(Section::Case, Action::ActionFail),
    Hint::One(Section::Case, Action::ProposePlan),
    Hint::One(Section::Case, Action::ApprovePlan),
    Hint::One(Section::Case, Action::RecordRecovery),
    Hint::One(Section::Case, Action::RecordDemand),
    Hint::One(Section::Case, Action::IssueNotice),
    Hint::One(Section::Case, Action::CloseCase),
    Hint::One(Section::Global, Action::Help),
];

impl Component for CaseScreen {
    fn sections(&self) -> &'static [Section] {
        &[Section::Case, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        HINTS
    }

    fn handle(&mut self, action: Action, _ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let page = self.rows.max(1) as u16;
        Ok(match action {
            Action::Down if self.sel + 1 < self.detail.actions.len() => {
                self.sel += 1;
                self.scroll = self.shown.get();
                self.follow = true;
                Outcome::Consumed(Vec::new())
            }
            Action::Up if self.sel > 0 => {
                self.sel -= 1;
                self.scroll = self.shown.get();
                self.follow = true;
                Outcome::Consumed(Vec::new())
            }
            Action::Down | Action::Up => Outcome::Unchanged,
            Action::PageDown => {
                self.scroll = self.shown.get().saturating_add(page);
                self.follow = false;
                Outcome::Consumed(Vec::new())
            }
            Action::PageUp if self.shown.get() > 0 => {
                self.scroll = self.shown.get().saturating_sub(page);
                self.follow = false;
                Outcome::Consumed(Vec::new())
            }
            Action::PageUp => Outcome::Unchanged,
            Action::OpenLoan => {
                let loan = self
                    .selected_action()
                    .and_then(|a| a.loan_id)
                    .or_else(|| self.detail.loans.first().map(|l| l.id));
                match loan {
                    Some(id) => Outcome::Consumed(vec![Effect::OpenLoan(id)]),
                    None => Outcome::Unchanged,
                }
            }
            Action::AddProgress
            | Action::StartAction
            | Action::ActionDone
            | Action::ActionFail
            | Action::AddAction
            | Action::ProposePlan
            | Action::SubmitPlan
            | Action::ApprovePlan
            | Action::RejectPlan
            | Action::FailPlan
            | Action::RecordExplanation
            | Action::MeasuresToActions
            | Action::RecordRecovery
            | Action::RecordDemand
            | Action::IssueNotice
            | Action::ActionNote
            | Action::CancelAction
            | Action::CloseCase => Outcome::Consumed(vec![Effect::CaseAction(action)]),
            _ => Outcome::NotMine,
        })
    }

    fn set_rows(&mut self, rows: usize) {
        // The body has no tab bar or column header: two more lines than a list tab.
        self.rows = rows + 2;
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        self.today = ctx.today;
        if changed
            .any(Changed::DISPOSAL | Changed::WARNINGS | Changed::LOANS | Changed::INSPECTIONS)
        {
            CaseScreen::reload(self, ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let (lines, sel_line) = self.lines(view.lang, view.theme, usize::from(area.width));
        let scroll = self.effective_scroll(sel_line, usize::from(area.height), lines.len());
        self.shown.set(scroll);
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn facts() -> Vec<(String, Style)> {
        [
            "Open",
            "Emergency plan needed",
            "next deadline 2026-12-15",
            "exposure ¥15,090,000.00",
            "officer huang.qiang",
            "opened 2026-08-18 (105 days)",
        ]
        .into_iter()
        .map(|t| (t.to_string(), Style::new()))
        .collect()
    }

    #[test]
    fn the_case_header_wraps_whole_facts_and_drops_the_least_important_last() {
        let sep = " · ";
        // 120 columns: everything, nothing cut, on one or two lines.
        let wide = texts(&fact_lines(facts(), sep, 120, 2));
        assert!(wide.iter().all(|l| crate::domain::text::width(l) <= 120));
        for (f, _) in facts() {
            assert!(wide.iter().any(|l| l.contains(&f)), "{f} missing: {wide:?}");
        }
        // 80 columns: two lines, whole facts only, the emergency flag kept.
        let narrow = texts(&fact_lines(facts(), sep, 80, 2));
        assert_eq!(narrow.len(), 2, "{narrow:?}");
        assert!(narrow.iter().all(|l| crate::domain::text::width(l) <= 80));
        assert!(
            narrow
                .iter()
                .all(|l| !l.contains('…') && !l.ends_with(sep.trim()))
        );
        assert!(narrow[0].contains("Emergency plan needed"), "{narrow:?}");
        // 40 columns: the least important go, the most important stay.
        let tiny = texts(&fact_lines(facts(), sep, 40, 2));
        assert!(tiny.iter().all(|l| crate::domain::text::width(l) <= 40));
        assert!(
            tiny[0].starts_with(" Open · Emergency plan needed"),
            "{tiny:?}"
        );
        assert!(!tiny.concat().contains("opened 2026"), "{tiny:?}");
    }
}
