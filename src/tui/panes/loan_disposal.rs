//! The loan detail's Disposal tab: the open risk case of the loan's borrower (level, signals,
//! exposure, next deadline, plans in force) and the case's actions that concern this loan or
//! the whole case; Enter opens the case. Below, the loan's outcomes: status, recoveries,
//! write-off, the last demand for payment and the legal clocks.

use crate::domain::legal::LegalClockRules;
use crate::domain::money::format_money;
use crate::domain::text::{display, truncate};
use crate::i18n::Lang;
use crate::store::{ActionRow, CaseRow, LoanOutcomes, PlanRow, Store, StoreError};
use crate::tui::theme::Theme;
use chrono::NaiveDate;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// What the tab shows; read when the tab is first shown.
#[derive(Debug, Clone, Default)]
pub struct LoanDisposal {
    pub loaded: bool,
    pub case: Option<CaseRow>,
    pub plans: Vec<PlanRow>,
    /// The case's actions on this loan or on no loan in particular.
    pub actions: Vec<ActionRow>,
    /// The loan's outcomes and clocks (by the `[legal_clocks]` rules it was read with).
    pub outcomes: Option<LoanOutcomes>,
    pub rules: LegalClockRules,
}

impl LoanDisposal {
    /// Reads the open case of loan `loan_id`'s borrower, its plans and the actions that
    /// concern the loan.
    pub fn load(
        store: &Store,
        loan_id: i64,
        rules: &LegalClockRules,
    ) -> Result<LoanDisposal, StoreError> {
        let mut out = LoanDisposal {
            loaded: true,
            outcomes: store.loan_outcomes(loan_id, rules)?,
            rules: *rules,
            ..LoanDisposal::default()
        };
        let Some(case) = store.case_of_loan(loan_id)? else {
            return Ok(out);
        };
        if let Some(d) = store.case_detail(&case.number)? {
            out.plans = d.plans;
            out.actions = d
                .actions
                .into_iter()
                .filter(|a| a.loan_id.is_none_or(|l| l == loan_id))
                .collect();
        }
        out.case = Some(case);
        Ok(out)
    }
}

/// The tab's lines at `w` columns.
pub fn lines(
    t: &LoanDisposal,
    lang: Lang,
    theme: &Theme,
    today: NaiveDate,
    w: usize,
    out: &mut Vec<Line<'static>>,
) {
    let fit = |s: String| truncate(&s, w);
    match &t.case {
        None => out.push(Line::styled(
            fit(lang.t("loan_disposal.no_case").to_string()),
            theme.muted,
        )),
        Some(c) => {
            out.push(Line::from(vec![
                Span::styled(format!("{}  ", display(&c.number)), theme.title),
                Span::styled(
                    lang.code_name("level", c.level.code()),
                    theme.level(c.level),
                ),
                Span::raw(fit(format!(
                    "  {}",
                    lang.tf(
                        "loan_disposal.case_line",
                        &[
                            ("signals", &lang.tf("count.signals", &[("n", &c.warnings)])),
                            ("loans", &lang.tf("count.loans", &[("n", &c.loans)])),
                            ("exposure", &format_money(c.exposure, "CNY")),
                            ("officer", &display(&c.officer)),
                            ("age", &lang.tf("count.days", &[("n", &c.age_days(today))])),
                            (
                                "deadline",
                                &c.next_deadline
                                    .map(|d| d.to_string())
                                    .unwrap_or_else(|| "-".into()),
                            ),
                        ],
                    )
                ))),
            ]));
            if c.emergency_needed {
                out.push(Line::styled(
                    format!("  {}", lang.t("case_detail.emergency_needed")),
                    theme.danger,
                ));
            }
            for p in t.plans.iter().filter(|p| p.status.is_open()) {
                out.push(Line::from(fit(format!(
                    "  {} · {} · {}",
                    lang.code_name("plan_kind", p.kind.code()),
                    lang.code_name("plan_status", p.status.code()),
                    p.due_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into())
                ))));
            }
            out.push(Line::from(""));
            out.push(Line::styled(
                fit(lang.tf("loan_disposal.actions", &[("n", &t.actions.len())])),
                theme.header,
            ));
            for a in &t.actions {
                let overdue = a.overdue_days(today);
                let mut text = lang.tf(
                    "case_detail.action_line",
                    &[
                        ("id", &a.id),
                        ("kind", &lang.code_name("action_kind", a.kind.code())),
                        (
                            "title",
                            &display(&a.title)
                                .split_whitespace()
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                        ("owner", &display(&a.owner)),
                        ("deadline", &a.deadline),
                        ("status", &lang.code_name("action_status", a.status.code())),
                    ],
                );
                if overdue > 0 {
                    text.push_str(&lang.tf("case_detail.overdue", &[("n", &overdue)]));
                }
                let mark = if overdue > 0 { "! " } else { "  " };
                out.push(Line::styled(
                    fit(format!("{mark}{text}")),
                    if overdue > 0 {
                        theme.danger
                    } else if a.status.is_open() {
                        Style::new()
                    } else {
                        theme.muted
                    },
                ));
            }
            if t.actions.is_empty() {
                out.push(Line::styled(
                    format!("  {}", lang.t("case_detail.none")),
                    theme.muted,
                ));
            }
            out.push(Line::styled(
                fit(format!("  {}", lang.t("loan_disposal.open_hint"))),
                theme.muted,
            ));
        }
    }
    out.push(Line::from(""));
    out.push(Line::styled(
        fit(lang.t("case_detail.outcomes").to_string()),
        theme.header,
    ));
    if let Some(o) = &t.outcomes {
        super::outcomes::lines(o, &t.rules, lang, theme, today, w, out);
    }
}
