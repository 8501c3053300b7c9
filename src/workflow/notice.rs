//! The warning notice (风险预警通知书) as a Markdown document: number, borrower, loan, level,
//! the signal with its facts, the actions the level requires, the owner and the deadline.

use crate::domain::money::format_money;
use crate::domain::text::{markdown_text, sanitize};
use crate::domain::warning::{Level, ManualSignal};
use crate::i18n::Lang;
use crate::store::{Loan, Warning};
use chrono::NaiveDate;
use std::fmt::Write;

/// Everything a notice says.
pub struct NoticeFacts<'a> {
    pub number: &'a str,
    pub warning: &'a Warning,
    pub loan: &'a Loan,
    pub officer: &'a str,
    pub issued_on: NaiveDate,
    pub feedback_due_on: NaiveDate,
    pub issued_by: &'a str,
}

/// The signal in words: an indicator with its value and threshold, or a manual signal.
pub fn signal_text(w: &Warning, lang: Lang) -> String {
    let r = &w.row;
    if r.origin == "manual" {
        let name = ManualSignal::parse(&r.indicator)
            .map(|s| lang.code_name("signal", s.code()))
            .unwrap_or_else(|| sanitize(&r.indicator));
        return format!("{name}: {}", sanitize(&w.reason));
    }
    let name = lang.code_name("indicator", &r.indicator);
    let unit = r
        .unit
        .as_deref()
        .map(|u| lang.code_name("unit", u))
        .unwrap_or_default();
    let v = r
        .value
        .map(super::warning::show_value)
        .unwrap_or_else(|| "—".into());
    let t = r
        .threshold
        .map(super::warning::show_value)
        .unwrap_or_else(|| "—".into());
    let source = r
        .source
        .as_deref()
        .map(|s| lang.code_name("source", s))
        .unwrap_or_default();
    lang.tf(
        "notice.signal_fact",
        &[
            ("indicator", &name),
            ("value", &v),
            ("threshold", &t),
            ("unit", &unit),
            ("source", &source),
        ],
    )
}

/// Text from data in the notice: clean (control and bidi characters gone), Markdown-safe
/// (`<`, `>`, `&` as entities, `|` escaped so a table cell stays one cell).
fn md(text: &str) -> String {
    markdown_text(&sanitize(text))
}

pub fn render(n: &NoticeFacts<'_>, lang: Lang) -> String {
    let w = n.warning;
    let l = n.loan;
    let level = lang.code_name("level", w.row.level.code());
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", lang.t("notice.title"));
    let _ = writeln!(s, "**{}** {}  ", lang.t("notice.number"), n.number);
    let _ = writeln!(s, "**{}** {}  ", lang.t("notice.date"), n.issued_on);
    let _ = writeln!(
        s,
        "**{}** {}（{}）\n",
        lang.t("notice.to"),
        md(&l.borrower_name),
        md(&l.borrower_code)
    );
    let _ = writeln!(s, "## {}\n", lang.t("notice.section_warning"));
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| {} | {} |",
        lang.t("notice.warning_number"),
        w.row.number
    );
    let _ = writeln!(s, "| {} | **{}** |", lang.t("notice.level"), level);
    let _ = writeln!(
        s,
        "| {} | {} |",
        lang.t("notice.risk_type"),
        lang.code_name("risk", w.row.risk_type.code())
    );
    let _ = writeln!(
        s,
        "| {} | {} |",
        lang.t("notice.raised_on"),
        w.row.raised_on
    );
    let _ = writeln!(
        s,
        "| {} | {} · {} · {} {} · {} → {} |\n",
        lang.t("notice.loan"),
        md(&l.contract_no),
        lang.code_name("product", l.product.code()),
        lang.t("col.outstanding"),
        format_money(l.outstanding, &l.currency),
        l.disbursed_on,
        l.matures_on
    );
    let _ = writeln!(s, "## {}\n", lang.t("notice.section_signals"));
    let _ = writeln!(s, "- {}", md(&signal_text(w, lang)));
    if !w.cause.is_empty() {
        let _ = writeln!(s, "- {}：{}", lang.t("notice.cause"), md(&w.cause));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## {}\n", lang.t("notice.section_actions"));
    let actions: &[&str] = match w.row.level {
        Level::Yellow => &["notice.action_explain", "notice.action_monitor"],
        Level::Orange => &[
            "notice.action_explain",
            "notice.action_rectify",
            "notice.action_monitor",
        ],
        Level::Red => &[
            "notice.action_emergency",
            "notice.action_collateral",
            "notice.action_recall",
            "notice.action_legal",
            "notice.action_preserve",
        ],
    };
    for (i, a) in actions.iter().enumerate() {
        let _ = writeln!(s, "{}. {}", i + 1, lang.t(a));
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "## {}\n", lang.t("notice.section_owner"));
    let _ = writeln!(s, "- {}：{}", lang.t("notice.owner"), md(n.officer));
    let _ = writeln!(
        s,
        "- {}：**{}**",
        lang.t("notice.feedback_due"),
        n.feedback_due_on
    );
    let _ = writeln!(s, "- {}：{}", lang.t("notice.issued_by"), md(n.issued_by));
    s
}
