//! One loan's outcomes as lines, shared by the case screen and the loan's Disposal tab: its
//! status (recalled, closed, with the date), what was recovered and written off, the last
//! demand for payment, the legal clocks with their end and days left, the newest recoveries.

use crate::domain::legal::{self, Clock, LegalClockRules};
use crate::domain::money::format_money;
use crate::domain::recovery::LoanStatus;
use crate::domain::text::{display, truncate};
use crate::i18n::Lang;
use crate::store::LoanOutcomes;
use crate::tui::theme::Theme;
use chrono::NaiveDate;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Recoveries listed per loan (the newest; the rest are counted in the totals line).
pub const RECOVERIES_SHOWN: usize = 3;

/// A clock's days left in words: "N days left" or "ran out N days ago".
pub fn days_text(clock: &Clock, today: NaiveDate, lang: Lang) -> String {
    let days = clock.days_left(today);
    if days < 0 {
        lang.tf("outcomes_cli.days_over", &[("days", &-days)])
    } else {
        lang.tf("outcomes_cli.days_left", &[("days", &days)])
    }
}

/// The lines of loan `o`'s outcomes at `w` columns, indented by two.
pub fn lines(
    o: &LoanOutcomes,
    rules: &LegalClockRules,
    lang: Lang,
    theme: &Theme,
    today: NaiveDate,
    w: usize,
    out: &mut Vec<Line<'static>>,
) {
    let fit = |s: String| truncate(&s, w);
    let l = &o.loan;
    let money = |d| format_money(d, &l.currency);
    let mut head = format!(
        "  {}  {}",
        display(&l.contract_no),
        lang.code_name("loan_status", l.status.code())
    );
    match l.status {
        LoanStatus::Recalled => {
            if let Some(d) = l.recalled_on {
                head.push_str(&format!(" {d}"));
            }
        }
        LoanStatus::Closed => {
            if let Some(d) = l.closed_on {
                head.push_str(&format!(" {d}"));
            }
        }
        _ => {}
    }
    head.push_str(&lang.tf(
        "loan_outcomes.money_line",
        &[
            ("outstanding", &money(l.outstanding)),
            (
                "recovered",
                &money(o.recovered.principal + o.recovered.interest + o.recovered.costs),
            ),
            ("count", &o.recovered.count),
        ],
    ));
    if !l.written_off.is_zero() {
        head.push_str(&lang.tf(
            "loan_outcomes.written_off",
            &[("amount", &money(l.written_off))],
        ));
    }
    out.push(Line::styled(fit(head), theme.title));
    let demand = o
        .demands
        .first()
        .map(|d| {
            lang.tf(
                "loan_outcomes.demand",
                &[
                    ("date", &d.on),
                    ("channel", &lang.code_name("demand_channel", &d.channel)),
                    ("by", &display(&d.created_by)),
                ],
            )
        })
        .unwrap_or_else(|| lang.t("loan_outcomes.no_demand").to_string());
    out.push(Line::styled(fit(format!("    {demand}")), theme.muted));
    for c in &o.clocks {
        let days = c.days_left(today);
        let (mark, style) = if days < 0 {
            ("! ", theme.danger)
        } else if days <= i64::from(legal::warn_days(c.kind, rules)) {
            ("! ", theme.warning)
        } else {
            ("  ", Style::new())
        };
        out.push(Line::styled(
            fit(format!(
                "  {mark}{}",
                lang.tf(
                    "loan_outcomes.clock",
                    &[
                        ("clock", &lang.code_name("clock_kind", c.kind.code())),
                        ("ends", &c.ends_on),
                        ("days", &days_text(c, today, lang)),
                        ("source", &lang.code_name("clock_source", c.source.code())),
                        ("start", &c.started_on),
                    ],
                )
            )),
            style,
        ));
    }
    for r in o.recoveries.iter().take(RECOVERIES_SHOWN) {
        let mark = if r.after_write_off {
            lang.t("outcomes_cli.after_write_off_mark")
        } else {
            ""
        };
        out.push(Line::from(vec![Span::raw(fit(format!(
            "    {}{mark}",
            lang.tf(
                "loan_outcomes.recovery",
                &[
                    ("date", &r.on),
                    ("kind", &lang.code_name("recovery_kind", r.kind.code())),
                    (
                        "principal",
                        &crate::domain::money::group_thousands(r.principal)
                    ),
                    (
                        "interest",
                        &crate::domain::money::group_thousands(r.interest)
                    ),
                    ("costs", &crate::domain::money::group_thousands(r.costs)),
                    ("total", &money(r.principal + r.interest + r.costs)),
                    ("by", &display(&r.created_by)),
                ],
            )
        )))]));
    }
    let more = o.recovered.count - o.recoveries.len().min(RECOVERIES_SHOWN) as i64;
    if more > 0 {
        out.push(Line::styled(
            fit(format!(
                "    {}",
                lang.tf("loan_outcomes.more", &[("n", &more)])
            )),
            theme.muted,
        ));
    }
}
