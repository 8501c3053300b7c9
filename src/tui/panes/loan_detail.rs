//! Loan detail, opened from a list with Enter: tabs for overview (terms, guarantee,
//! collateral, coverage), statements (ratios per period), contacts and fund flows. Levels and
//! the baseline come from the engine's report for the loan (`engine::report`); this pane only
//! maps them to styles.

use crate::domain::StatementRecord;
use crate::domain::money::{format_money, format_percent, group_thousands};
use crate::domain::ratios::KeyRatios;
use crate::domain::text::{display, pad_left, pad_right, truncate};
use crate::engine::indicators::{LoanFacts, Value};
use crate::engine::report::{LoanReport, report};
use crate::engine::rules::{Covenant, Indicator, Level, RuleSet};
use crate::i18n::Lang;
use crate::store::{Collateral, Loan, RepaymentStatus, Store, StoreError};
use crate::tui::component::{Component, Ctx, Effect, FormOf, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use crate::tui::theme::Theme;
use crate::tui::widgets::rows::{ContactsOf, FlowsOf, Rows, TimelineOf, WarningsOf};
use crate::workflow;
use crate::workflow::warning::show_value;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailTab {
    Overview,
    Statements,
    Contacts,
    FundFlows,
    Warnings,
    Classification,
    Disposal,
}

impl DetailTab {
    const ALL: [DetailTab; 7] = [
        DetailTab::Overview,
        DetailTab::Statements,
        DetailTab::Contacts,
        DetailTab::FundFlows,
        DetailTab::Warnings,
        DetailTab::Classification,
        DetailTab::Disposal,
    ];

    pub fn next(self) -> DetailTab {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    pub fn prev(self) -> DetailTab {
        let i = Self::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Self::ALL[(i + Self::ALL.len() - 1) % Self::ALL.len()]
    }

    fn title_key(self) -> &'static str {
        match self {
            DetailTab::Overview => "detail.tab_overview",
            DetailTab::Statements => "detail.tab_statements",
            DetailTab::Contacts => "detail.tab_contacts",
            DetailTab::FundFlows => "detail.tab_flows",
            DetailTab::Warnings => "detail.tab_warnings",
            DetailTab::Classification => "detail.tab_classification",
            DetailTab::Disposal => "detail.tab_disposal",
        }
    }
}

/// The loan detail: a screen of the back stack (`tui::stack`). Opening it reads only what the
/// Overview shows; each other tab reads its data when first shown, and Contacts, Fund flows
/// and Warnings read one screen of rows at a time ([`Rows`]), so every row is reachable.
#[derive(Debug, Clone)]
pub struct DetailState {
    pub loan: Loan,
    pub collateral: Vec<Collateral>,
    /// The loan's facts as the engine sees them (None: the loan is not in the evaluation
    /// read), and its covenants: the engine's report is made from these as of the day shown.
    pub facts: Option<LoanFacts>,
    pub covenants: Vec<Covenant>,
    /// The latest repayment status, if any.
    pub latest_repayment: Option<RepaymentStatus>,
    /// The borrower's last 12 statements; None until the Statements tab is first shown.
    pub statements: Option<Vec<StatementRecord>>,
    pub contacts: Rows<ContactsOf>,
    pub flows: Rows<FlowsOf>,
    /// All of the loan's warnings, closed ones too, in board order, with a selected row.
    pub warnings: Rows<WarningsOf>,
    pub tab: DetailTab,
    /// How far the Overview and Statements tabs are scrolled.
    pub scroll: u16,
    /// The Classification tab: the class facts (read when first shown) and the history.
    pub class_facts: super::loan_class::ClassFacts,
    pub timeline: Rows<TimelineOf>,
    /// What the floor is computed with: `[classification]` and the book's today (set by
    /// `App` when the detail is pushed).
    pub class_rules: crate::domain::classification::ClassificationRules,
    /// `[legal_clocks]`, for the Disposal tab's clocks (set by `App` like `class_rules`).
    pub legal_rules: crate::domain::legal::LegalClockRules,
    pub today: NaiveDate,
    /// The Disposal tab: the borrower's open case and its actions (read when first shown).
    pub disposal: super::loan_disposal::LoanDisposal,
}

/// Rows a list tab shows until the terminal's size is known.
const DEFAULT_ROWS: usize = 18;

/// Timeline entries on screen when a list tab shows `rows` rows (the facts above it, two
/// lines an entry).
fn timeline_rows(rows: usize) -> usize {
    // The list tabs' rows are below a column header; the timeline's title takes its place.
    (rows + 1).saturating_sub(super::loan_class::HEAD_LINES) / super::loan_class::ENTRY_LINES
}

impl DetailState {
    /// Reads the loan and what its Overview shows (terms, collateral, the engine's facts and
    /// covenants, the latest repayment status); the other tabs are read when first shown.
    pub fn load(store: &Store, loan_id: i64) -> Result<Option<DetailState>, StoreError> {
        let Some(loan) = store.loan(loan_id)? else {
            return Ok(None);
        };
        let id = loan.id;
        let mut d = DetailState {
            collateral: Vec::new(),
            facts: None,
            covenants: Vec::new(),
            latest_repayment: None,
            statements: None,
            contacts: Rows::new(ContactsOf(id), false, DEFAULT_ROWS),
            flows: Rows::new(FlowsOf(id), false, DEFAULT_ROWS),
            warnings: Rows::new(WarningsOf(id), true, DEFAULT_ROWS),
            class_facts: super::loan_class::ClassFacts::default(),
            timeline: Rows::new(TimelineOf(id), false, timeline_rows(DEFAULT_ROWS)),
            class_rules: crate::domain::classification::ClassificationRules::default(),
            legal_rules: crate::domain::legal::LegalClockRules::default(),
            today: loan.disbursed_on,
            loan,
            tab: DetailTab::Overview,
            scroll: 0,
            disposal: super::loan_disposal::LoanDisposal::default(),
        };
        d.load_overview(store)?;
        Ok(Some(d))
    }

    fn load_overview(&mut self, store: &Store) -> Result<(), StoreError> {
        if let Some(loan) = store.loan(self.loan.id)? {
            self.loan = loan;
        }
        let chunk = store.evaluation_loan(self.loan.id)?;
        let eval = chunk.loans.first();
        // The date is set when the report is made (`DetailState::report`).
        self.facts = eval.map(|e| workflow::warning::facts(e, &chunk, self.loan.disbursed_on));
        self.covenants = eval.map(workflow::warning::covenants).unwrap_or_default();
        self.collateral = store.collateral(self.loan.id)?;
        self.latest_repayment = store.repayment_history(self.loan.id, 1)?.into_iter().next();
        Ok(())
    }

    /// Rows the list tabs show (the body's height less the tab bar, a blank line and the
    /// column header).
    pub fn set_list_rows(&mut self, rows: usize) {
        self.contacts.set_height(rows);
        self.flows.set_height(rows);
        self.warnings.set_height(rows);
        self.timeline.set_height(timeline_rows(rows));
    }

    /// Reads the shown tab's data if it is not read yet.
    pub fn show(&mut self, store: &Store) -> Result<(), StoreError> {
        match self.tab {
            DetailTab::Overview => {}
            DetailTab::Statements => {
                if self.statements.is_none() {
                    self.statements = Some(store.statements(self.loan.borrower_id, 12)?);
                }
            }
            DetailTab::Contacts => self.contacts.show(store)?,
            DetailTab::FundFlows => self.flows.show(store)?,
            DetailTab::Warnings => self.warnings.show(store)?,
            DetailTab::Classification => {
                if !self.class_facts.loaded {
                    self.class_facts = super::loan_class::ClassFacts::load(
                        store,
                        &self.loan,
                        &self.class_rules,
                        self.today,
                    )?;
                }
                self.timeline.show(store)?;
            }
            DetailTab::Disposal => {
                if !self.disposal.loaded {
                    self.disposal = super::loan_disposal::LoanDisposal::load(
                        store,
                        self.loan.id,
                        &self.legal_rules,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Shows `tab`, reading its data if needed.
    pub fn set_tab(&mut self, store: &Store, tab: DetailTab) -> Result<(), StoreError> {
        self.tab = tab;
        self.show(store)
    }

    /// Reads everything shown again.
    pub fn reload(&mut self, store: &Store) -> Result<(), StoreError> {
        self.reload_changed(store, Changed::ALL)
    }

    /// After `changed`: reads the Overview again if its data changed, forgets the other tabs'
    /// data that changed (read again when shown), and reads the shown tab.
    pub fn reload_changed(&mut self, store: &Store, changed: Changed) -> Result<(), StoreError> {
        if changed.any(Changed::LOANS | Changed::STATEMENTS | Changed::COVENANTS) {
            self.load_overview(store)?;
        }
        if changed.any(Changed::STATEMENTS) {
            self.statements = None;
        }
        if changed.any(Changed::CONTACTS) {
            self.contacts.unload();
        }
        if changed.any(Changed::FLOWS) {
            self.flows.unload();
        }
        if changed.any(Changed::WARNINGS) {
            self.warnings.unload();
        }
        if changed.any(Changed::CLASSES | Changed::LOANS | Changed::WARNINGS) {
            self.class_facts.loaded = false;
            self.timeline.unload();
        }
        if changed.any(Changed::DISPOSAL | Changed::WARNINGS | Changed::LOANS) {
            self.disposal.loaded = false;
        }
        self.show(store)
    }

    /// A movement key on the shown tab: list tabs page through the store, the others scroll.
    pub fn move_by(&mut self, store: &Store, action: Action) -> Result<bool, StoreError> {
        match self.tab {
            DetailTab::Contacts => self.contacts.act(store, action),
            DetailTab::FundFlows => self.flows.act(store, action),
            DetailTab::Warnings => self.warnings.act(store, action),
            DetailTab::Classification => self.timeline.act(store, action),
            DetailTab::Overview | DetailTab::Statements | DetailTab::Disposal => Ok(match action {
                Action::Down => {
                    self.scroll = self.scroll.saturating_add(1);
                    true
                }
                Action::Up if self.scroll > 0 => {
                    self.scroll -= 1;
                    true
                }
                _ => false,
            }),
        }
    }

    /// Appraised value of all collateral (saturating: absurd imported values must not panic).
    pub fn appraised_total(&self) -> Decimal {
        self.collateral
            .iter()
            .fold(Decimal::ZERO, |t, c| t.saturating_add(c.appraised_value))
    }

    /// The engine's report on this loan as of `as_of` under `rules` and the loan's covenants.
    pub fn report(&self, rules: &RuleSet, as_of: NaiveDate) -> Option<LoanReport> {
        let f = self.facts.as_ref()?;
        let mut f = f.clone();
        f.as_of = as_of;
        Some(report(rules, &self.covenants, &f))
    }

    /// The engine's report from the statements whose period had ended by `on` (the ratios
    /// "at disbursement" and "at the last inspection"): statement indicators only are
    /// meaningful in it, the rest are today's facts.
    pub fn report_on(&self, rules: &RuleSet, on: NaiveDate) -> Option<LoanReport> {
        let mut f = self.facts.as_ref()?.clone();
        f.as_of = on;
        f.statements.retain(|s| s.period_end <= on);
        Some(report(rules, &self.covenants, &f))
    }
}

/// The footer's commands.
const DETAIL_HINTS: &[Hint] = &[
    Hint::Group(
        Section::Detail,
        &[Action::PrevTab, Action::NextTab],
        "hint.tabs",
    ),
    Hint::One(Section::Detail, Action::NewContact),
    Hint::One(Section::Detail, Action::NewStatement),
    Hint::One(Section::Detail, Action::NewRepayment),
    Hint::One(Section::Detail, Action::SetCovenant),
    Hint::One(Section::Detail, Action::NewWarning),
    Hint::One(Section::Global, Action::Back),
];

impl Component for DetailState {
    fn hints(&self) -> &'static [Hint] {
        DETAIL_HINTS
    }

    fn sections(&self) -> &'static [Section] {
        &[Section::Detail, Section::Global]
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let store = ctx.store;
        let done = |effects| Ok(Outcome::Consumed(effects));
        match action {
            Action::NextTab => self.set_tab(store, self.tab.next())?,
            Action::PrevTab => self.set_tab(store, self.tab.prev())?,
            Action::Down
            | Action::Up
            | Action::PageDown
            | Action::PageUp
            | Action::Top
            | Action::Bottom => {
                return Ok(if self.move_by(store, action)? {
                    Outcome::Consumed(Vec::new())
                } else {
                    Outcome::Unchanged
                });
            }
            Action::OpenWarning if self.tab == DetailTab::Disposal => {
                return match &self.disposal.case {
                    Some(c) => done(vec![Effect::OpenCase(c.number.clone())]),
                    None => Ok(Outcome::Unchanged),
                };
            }
            Action::OpenWarning => {
                let selected = (self.tab == DetailTab::Warnings)
                    .then(|| self.warnings.selected().map(|w| w.id))
                    .flatten();
                return match selected {
                    Some(id) => done(vec![Effect::OpenWarning(id)]),
                    None => Ok(Outcome::Unchanged),
                };
            }
            Action::StartInspection => {
                return done(vec![Effect::StartInspection {
                    contract: self.loan.contract_no.clone(),
                    planned: None,
                    warning: None,
                }]);
            }
            Action::NewWarning => {
                self.set_tab(store, DetailTab::Warnings)?;
                return done(vec![Effect::RaiseWarning(self.loan.contract_no.clone())]);
            }
            Action::NewContact => {
                self.set_tab(store, DetailTab::Contacts)?;
                return done(vec![Effect::OpenForm(FormOf::Contact)]);
            }
            Action::SetCovenant => return done(vec![Effect::OpenForm(FormOf::Covenant)]),
            Action::NewRepayment => return done(vec![Effect::OpenForm(FormOf::Repayment)]),
            Action::NewStatement => {
                self.set_tab(store, DetailTab::Statements)?;
                return done(vec![Effect::OpenForm(FormOf::Statement)]);
            }
            _ => return Ok(Outcome::NotMine),
        }
        done(Vec::new())
    }

    fn set_rows(&mut self, rows: usize) {
        self.set_list_rows(rows);
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        Ok(self.reload_changed(ctx.store, changed)?)
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        render(
            self, frame, area, view.lang, view.theme, view.rules, view.today,
        );
    }
}

fn kv(lang: Lang, key: &str, value: String, w: usize) -> Line<'static> {
    Line::from(vec![
        Span::raw(pad_right(lang.t(key), 14)),
        Span::raw(" "),
        Span::raw(truncate(&value, w.saturating_sub(16))),
    ])
}

fn ratio_text(r: Option<Decimal>, percent: bool, lang: Lang) -> String {
    match r {
        Some(v) if percent => format_percent(v),
        Some(v) => format!("{:.2}", crate::domain::money::round_half_up(v, 2)),
        None => lang.t("detail.cannot_compute").to_string(),
    }
}

/// The style of an indicator's level in the engine's report (plain when none is reached).
fn level_style(rep: Option<&LoanReport>, ind: Indicator, theme: &Theme) -> Style {
    theme.reached(rep.and_then(|r| r.level(ind)))
}

/// `line` (a [`kv`]) with its value in `style`.
fn value_styled(mut line: Line<'static>, style: Style) -> Line<'static> {
    if let Some(v) = line.spans.last_mut() {
        v.style = style;
    }
    line
}

/// Draws the detail; `rules` are the rules in force, to which the loan's covenants are added.
pub fn render(
    d: &DetailState,
    frame: &mut Frame<'_>,
    area: Rect,
    lang: Lang,
    theme: &Theme,
    rules: &RuleSet,
    today: NaiveDate,
) {
    let w = area.width as usize;
    let l = &d.loan;
    let mut tabs = vec![Span::styled(
        truncate(
            &format!("{} {} ", display(&l.contract_no), display(&l.borrower_name)),
            // The tabs keep their full names; the title gets what is left.
            w.saturating_sub(
                DetailTab::ALL
                    .iter()
                    .map(|t| crate::domain::text::width(lang.t(t.title_key())) + 3)
                    .sum(),
            ),
        ),
        theme.title,
    )];
    for t in DetailTab::ALL {
        tabs.push(Span::raw(" "));
        let style = if t == d.tab {
            theme.bar_selected
        } else {
            theme.bar
        };
        tabs.push(Span::styled(format!(" {} ", lang.t(t.title_key())), style));
    }
    let mut lines = vec![Line::from(tabs), Line::from("")];
    if d.tab == DetailTab::Warnings {
        frame.render_widget(Paragraph::new(lines), area);
        let rest = Rect::new(
            area.x,
            area.y + 2,
            area.width,
            area.height.saturating_sub(2),
        );
        super::loan_warnings::render(d, frame.buffer_mut(), rest, lang, theme);
        return;
    }
    let rep = d.report(rules, today);
    match d.tab {
        DetailTab::Overview => overview(d, rep.as_ref(), lang, theme, w, today, &mut lines),
        DetailTab::Statements => statements(d, rep.as_ref(), lang, theme, w, &mut lines),
        DetailTab::Contacts => {
            lines.push(Line::styled(
                format!(
                    "{}  {}  {}  {}",
                    pad_right(lang.t("col.date"), 10),
                    pad_right(lang.t("form.kind"), 6),
                    pad_right(lang.t("col.by"), 10),
                    lang.t("form.notes")
                ),
                theme.header,
            ));
            if d.contacts.rows.is_empty() {
                lines.push(Line::styled(lang.t("detail.no_contacts"), theme.muted));
            }
            for c in &d.contacts.rows {
                lines.push(Line::from(format!(
                    "{}  {}  {}  {}",
                    c.contact_on,
                    pad_right(&lang.code_name("contact", c.kind.code()), 6),
                    pad_right(&display(&c.created_by), 10),
                    truncate(&display(&c.notes), w.saturating_sub(34))
                )));
            }
        }
        DetailTab::Warnings => {}
        DetailTab::Disposal => {
            super::loan_disposal::lines(&d.disposal, lang, theme, today, w, &mut lines)
        }
        DetailTab::Classification => super::loan_class::lines(
            l,
            &d.class_facts,
            &d.timeline,
            lang,
            theme,
            today,
            w,
            &mut lines,
        ),
        DetailTab::FundFlows => {
            lines.push(Line::styled(
                format!(
                    "{}  {}  {}  {}",
                    pad_right(lang.t("col.date"), 10),
                    pad_left(lang.t("col.amount"), 16),
                    pad_right(lang.t("col.sector"), 12),
                    lang.t("col.counterparty")
                ),
                theme.header,
            ));
            for f in &d.flows.rows {
                let mark = if f.prohibited {
                    lang.t("detail.prohibited")
                } else {
                    ""
                };
                let style = if f.prohibited {
                    theme.danger
                } else {
                    Style::new()
                };
                lines.push(Line::styled(
                    format!(
                        "{}  {}  {}  {} {}",
                        f.paid_on,
                        pad_left(&group_thousands(f.amount), 16),
                        pad_right(&lang.code_name("sector", f.sector.code()), 12),
                        truncate(&display(&f.counterparty), w.saturating_sub(48)),
                        mark
                    ),
                    style,
                ));
            }
        }
    }
    // The list tabs page through the store; the others scroll.
    let scroll = match d.tab {
        DetailTab::Overview | DetailTab::Statements | DetailTab::Disposal => d.scroll,
        _ => 0,
    };
    let body = Paragraph::new(lines).scroll((scroll, 0));
    frame.render_widget(body, area);
}

/// Terms, guarantee and collateral; days past due as of `today` (past maturity with a balance
/// out, at least the days since maturity), coloured by the engine's level.
pub(crate) fn overview(
    d: &DetailState,
    rep: Option<&LoanReport>,
    lang: Lang,
    theme: &Theme,
    w: usize,
    today: NaiveDate,
    lines: &mut Vec<Line<'static>>,
) {
    let l = &d.loan;
    let half = w / 2;
    let pairs: Vec<(Line<'static>, Line<'static>)> = vec![
        (
            kv(
                lang,
                "detail.borrower",
                format!(
                    "{} {}",
                    display(&l.borrower_code),
                    display(&l.borrower_name)
                ),
                half,
            ),
            kv(lang, "detail.credit_code", display(&l.credit_code), half),
        ),
        (
            kv(lang, "detail.industry", display(&l.industry), half),
            kv(lang, "detail.region", display(&l.region), half),
        ),
        (
            kv(
                lang,
                "col.product",
                lang.code_name("product", l.product.code()),
                half,
            ),
            kv(lang, "detail.purpose", display(&l.purpose), half),
        ),
        (
            kv(
                lang,
                "detail.principal",
                format_money(l.principal, &l.currency),
                half,
            ),
            kv(
                lang,
                "col.outstanding",
                format_money(l.outstanding, &l.currency),
                half,
            ),
        ),
        (
            kv(lang, "detail.rate", format!("{}%", l.interest_rate), half),
            kv(
                lang,
                "detail.term",
                lang.tf(
                    "chrome.range",
                    &[("from", &l.disbursed_on), ("to", &l.matures_on)],
                ),
                half,
            ),
        ),
        (
            kv(
                lang,
                "detail.guarantee",
                lang.code_name("guarantee", l.guarantee_type.code()),
                half,
            ),
            kv(
                lang,
                "col.class",
                lang.code_name("class", l.classification.code()),
                half,
            ),
        ),
        (
            value_styled(
                kv(lang, "col.dpd", l.days_past_due(today).to_string(), half),
                level_style(rep, Indicator::Dpd, theme),
            ),
            kv(
                lang,
                "detail.overdue_amounts",
                format!(
                    "{} / {}",
                    group_thousands(l.overdue_principal),
                    group_thousands(l.overdue_interest)
                ),
                half,
            ),
        ),
        (
            kv(lang, "col.officer", display(&l.officer), half),
            kv(
                lang,
                "detail.frequency",
                lang.code_name("freq", l.tracking_frequency.code()),
                half,
            ),
        ),
        (
            kv(
                lang,
                "detail.last_contact",
                l.last_contact_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                half,
            ),
            kv(
                lang,
                "col.next_followup",
                l.next_followup_on.to_string(),
                half,
            ),
        ),
    ];
    for (a, b) in pairs {
        let mut spans = a.spans;
        let used: usize = spans.iter().map(|s| s.width()).sum();
        spans.push(Span::raw(" ".repeat(half.saturating_sub(used))));
        spans.extend(b.spans);
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    let total = d.appraised_total();
    let coverage = rep.and_then(|r| r.reading(Indicator::CollateralCoverage));
    let cov = match coverage.map(|r| r.value) {
        Some(Value::Known(v)) => format!("{:.2}%", crate::domain::money::round_half_up(v, 2)),
        Some(Value::CannotCompute(_)) => lang.t("detail.cannot_compute").to_string(),
        _ => "-".into(),
    };
    let cov_style = level_style(rep, Indicator::CollateralCoverage, theme);
    lines.push(Line::from(vec![
        Span::styled(lang.t("detail.collateral").to_string(), theme.header),
        Span::raw(format!(
            "  {} {}  ",
            lang.t("detail.appraised_total"),
            format_money(total, &l.currency)
        )),
        Span::raw(format!("{} ", lang.t("detail.coverage"))),
        Span::styled(cov, cov_style),
    ]));
    if d.collateral.is_empty() {
        lines.push(Line::styled(lang.t("detail.no_collateral"), theme.muted));
    }
    for c in &d.collateral {
        lines.push(Line::from(format!(
            "  {}  {}  {}  {}",
            pad_right(&lang.code_name("collateral", c.kind.code()), 10),
            pad_left(&group_thousands(c.appraised_value), 16),
            c.appraised_on,
            truncate(&display(&c.description), w.saturating_sub(46))
        )));
    }
    if let Some(r) = &d.latest_repayment {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            lang.tf(
                "detail.status_as_of",
                &[("date", &r.as_of), ("dpd", &r.overdue_days)],
            ),
            theme.muted,
        ));
    }
}

fn statements(
    d: &DetailState,
    rep: Option<&LoanReport>,
    lang: Lang,
    theme: &Theme,
    w: usize,
    lines: &mut Vec<Line<'static>>,
) {
    let cw = 11;
    let head = [
        "col.period",
        "ratio.debt_to_asset",
        "ratio.current",
        "ratio.quick",
        "ratio.interest_coverage",
        "stmt.revenue",
    ];
    let mut h = String::new();
    for (i, k) in head.into_iter().enumerate() {
        h.push_str(&pad_left(
            lang.t(k),
            match i {
                0 => 14,
                5 => 18,
                _ => cw,
            },
        ));
        h.push(' ');
    }
    lines.push(Line::styled(truncate(&h, w), theme.header));
    let statements = d.statements.as_deref().unwrap_or_default();
    if statements.is_empty() {
        lines.push(Line::styled(lang.t("detail.no_statements"), theme.muted));
        return;
    }
    let base = rep.and_then(|r| r.baseline.as_ref()).map(KeyRatios::of);
    let row = |label: String, r: &KeyRatios, revenue: String| {
        let cells = [
            label,
            ratio_text(r.debt_to_asset, true, lang),
            ratio_text(r.current, false, lang),
            ratio_text(r.quick, false, lang),
            ratio_text(r.interest_coverage, false, lang),
            revenue,
        ];
        let mut s = String::new();
        for (i, c) in cells.into_iter().enumerate() {
            s.push_str(&pad_left(
                &c,
                match i {
                    0 => 14,
                    5 => 18,
                    _ => cw,
                },
            ));
            s.push(' ');
        }
        truncate(s.trim_end(), w)
    };
    for s in statements {
        let r = KeyRatios::of(s);
        lines.push(Line::from(row(
            s.period_end.to_string(),
            &r,
            group_thousands(s.revenue),
        )));
    }
    if let (Some(b), Some(last)) = (base, statements.last()) {
        let change = KeyRatios::of(last).change_since(&b);
        lines.push(Line::from(""));
        lines.push(Line::styled(
            row(
                lang.t("detail.since_disbursement").to_string(),
                &change,
                String::new(),
            ),
            theme.title,
        ));
    }
    if let Some((level, rise, threshold)) = rise_hit(rep) {
        lines.push(Line::styled(
            lang.tf(
                "detail.leverage_up",
                &[
                    ("rise", &show_value(rise)),
                    ("level", &lang.code_name("level", level.code())),
                    ("threshold", &show_value(threshold)),
                ],
            ),
            theme.level(level),
        ));
    }
}

/// The level the debt-to-asset rise reaches in the engine's report, with the rise in points
/// and the threshold crossed.
fn rise_hit(rep: Option<&LoanReport>) -> Option<(Level, Decimal, Decimal)> {
    let r = rep?.reading(Indicator::DebtToAssetRise)?;
    let (level, threshold) = r.hit?;
    Some((level, r.value.known()?, threshold))
}
