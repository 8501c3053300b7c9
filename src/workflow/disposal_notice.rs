//! The rectification notice (整改通知书) as a Markdown document: number, borrower, the case
//! with its level, loans and exposure, the approved plan, its measures with owner and
//! deadline, and who is responsible. Text from data is cleaned and Markdown-safe.

use crate::domain::money::format_money;
use crate::domain::text::{markdown_text, sanitize};
use crate::i18n::Lang;
use crate::store::{ActionRow, CaseRow, PlanRow};
use chrono::NaiveDate;
use std::fmt::Write;

/// Everything a rectification notice says.
pub struct RectificationFacts<'a> {
    pub number: &'a str,
    pub case: &'a CaseRow,
    pub plan: &'a PlanRow,
    pub measures: &'a [ActionRow],
    pub officer: &'a str,
    pub issued_on: NaiveDate,
    pub issued_by: &'a str,
}

/// Text from data: clean, and inert as Markdown (one table cell stays one cell).
fn md(text: &str) -> String {
    markdown_text(&sanitize(text))
}

pub fn render(n: &RectificationFacts<'_>, lang: Lang) -> String {
    let c = n.case;
    let t = |k: &str| lang.t(&format!("disposal_notice.{k}")).to_string();
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", t("title"));
    let _ = writeln!(s, "**{}** {}  ", t("number"), n.number);
    let _ = writeln!(s, "**{}** {}  ", t("date"), n.issued_on);
    let _ = writeln!(
        s,
        "**{}** {}（{}）\n",
        t("to"),
        md(&c.borrower_name),
        md(&c.borrower_code)
    );
    let _ = writeln!(s, "## {}\n", t("section_case"));
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| {} | {} |", t("case"), c.number);
    let _ = writeln!(
        s,
        "| {} | **{}** |",
        t("level"),
        lang.code_name("level", c.level.code())
    );
    let _ = writeln!(s, "| {} | {} |", t("loans"), c.loans);
    let _ = writeln!(
        s,
        "| {} | {} |\n",
        t("exposure"),
        format_money(c.exposure, "CNY")
    );
    let _ = writeln!(s, "## {}\n", t("section_plan"));
    let _ = writeln!(s, "{}\n", md(&n.plan.summary));
    if let Some(due) = n.plan.due_on {
        let _ = writeln!(s, "- {}：**{}**", t("due"), due);
    }
    let _ = writeln!(s, "- {}：{}\n", t("approved_by"), md(n.issued_by));
    let _ = writeln!(s, "## {}\n", t("section_measures"));
    if n.measures.is_empty() {
        let _ = writeln!(s, "{}\n", t("no_measures"));
    } else {
        let _ = writeln!(
            s,
            "| # | {} | {} | {} |\n|---|---|---|---|",
            t("measure"),
            t("owner"),
            t("deadline")
        );
        for (i, m) in n.measures.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                i + 1,
                md(&m.title),
                md(&m.owner),
                m.deadline
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## {}\n", t("section_owner"));
    let _ = writeln!(s, "- {}：{}", t("officer"), md(n.officer));
    let _ = writeln!(s, "- {}", t("consequence"));
    s
}
