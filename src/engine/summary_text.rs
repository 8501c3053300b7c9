//! The period summary in words, shared by `postloan report summary` (Markdown, HTML) and the
//! summary pane: each block as a titled table of cells plus notes, every label from the
//! translation table, so the document and the screen say the same figures the same way.
//! Cells from data (officer names) come as they are stored; each output escapes its own.

use super::migration_text::{pct_text, rate_name, rates};
use super::summary::PeriodSummary;
use crate::domain::Classification;
use crate::domain::money::group_thousands;
use crate::domain::warning::Level;
use crate::i18n::Lang;
use rust_decimal::Decimal;

/// One block: a key (the JSON key of the same figures), a title, a table and notes under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub key: &'static str,
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

/// An amount as shown: `1,234.50`.
pub fn amount_text(d: Decimal) -> String {
    group_thousands(d)
}

/// A change in percentage points, signed: `+0.25 pp` / `+0.25 个百分点`; `-` with no ratio.
pub fn points_text(d: Option<Decimal>, lang: Lang) -> String {
    match d {
        Some(d) => {
            let d = d.round_dp(2);
            let sign = if d > Decimal::ZERO { "+" } else { "" };
            lang.tf("summary.points", &[("n", &format!("{sign}{d}"))])
        }
        None => "-".to_string(),
    }
}

/// An officer as shown: `赵磊 (zhao.lei)`, or the user name alone.
pub fn officer_text(name: &str, officer: &str) -> String {
    if name.trim().is_empty() || name == officer {
        officer.to_string()
    } else {
        format!("{name} ({officer})")
    }
}

/// The summary's title: `贷后管理总结 2026-06-01 至 2026-06-30`.
pub fn title(s: &PeriodSummary, lang: Lang) -> String {
    lang.tf(
        "summary.title",
        &[("from", &s.period.from), ("to", &s.period.to)],
    )
}

/// The line under the title: when overdue is counted.
pub fn overdue_note(s: &PeriodSummary, lang: Lang) -> String {
    lang.tf("summary.overdue_on", &[("date", &s.overdue_on)])
}

fn t(lang: Lang, key: &str) -> String {
    lang.t(&format!("summary.{key}")).to_string()
}

/// Every block, in the order the summary reads.
pub fn blocks(s: &PeriodSummary, lang: Lang) -> Vec<Block> {
    let mut out = Vec::new();
    // The book by class at both ends.
    let mut rows: Vec<Vec<String>> = Classification::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| {
            vec![
                lang.code_name("class", c.code()),
                s.opening.count[i].to_string(),
                amount_text(s.opening.outstanding[i]),
                s.closing.count[i].to_string(),
                amount_text(s.closing.outstanding[i]),
            ]
        })
        .collect();
    rows.push(vec![
        t(lang, "total"),
        s.opening.loans().to_string(),
        amount_text(s.opening.total()),
        s.closing.loans().to_string(),
        amount_text(s.closing.total()),
    ]);
    let (npl_from, npl_to) = s.npl_ratios();
    out.push(Block {
        key: "book",
        title: t(lang, "book"),
        head: vec![
            lang.t("col.class").to_string(),
            t(lang, "loans_start"),
            t(lang, "balance_start"),
            t(lang, "loans_end"),
            t(lang, "balance_end"),
        ],
        rows,
        notes: vec![lang.tf(
            "summary.npl_line",
            &[
                ("from", &pct_text(npl_from)),
                ("to", &pct_text(npl_to)),
                ("change", &points_text(s.npl_change(), lang)),
            ],
        )],
    });
    out.push(Block {
        key: "migration",
        title: t(lang, "migration"),
        head: vec![t(lang, "rate_of"), lang.t("portfolio.rate").to_string()],
        rows: rates(&s.migration)
            .iter()
            .map(|(k, v)| vec![rate_name(k, lang), pct_text(*v)])
            .collect(),
        notes: Vec::new(),
    });
    let mut rows: Vec<Vec<String>> = Level::BOARD
        .iter()
        .map(|l| {
            vec![
                lang.code_name("level", l.code()),
                s.warnings_raised.of(*l).to_string(),
                s.warnings_escalated.of(*l).to_string(),
                s.warnings_resolved.of(*l).to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        t(lang, "total"),
        s.warnings_raised.total().to_string(),
        s.warnings_escalated.total().to_string(),
        s.warnings_resolved.total().to_string(),
    ]);
    out.push(Block {
        key: "warnings",
        title: t(lang, "warnings"),
        head: vec![
            t(lang, "level"),
            t(lang, "raised"),
            t(lang, "escalated"),
            t(lang, "resolved"),
        ],
        rows,
        notes: vec![lang.tf(
            "summary.cases_line",
            &[("opened", &s.cases_opened), ("closed", &s.cases_closed)],
        )],
    });
    let mut rows: Vec<Vec<String>> = s
        .inspections
        .iter()
        .map(|o| {
            vec![
                officer_text(&o.name, &o.officer),
                o.done.to_string(),
                o.overdue.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        t(lang, "total"),
        s.inspections_done().to_string(),
        s.inspections_overdue().to_string(),
    ]);
    out.push(Block {
        key: "inspections",
        title: t(lang, "inspections"),
        head: vec![t(lang, "officer"), t(lang, "done"), t(lang, "overdue")],
        rows,
        notes: Vec::new(),
    });
    let r = &s.recovered;
    out.push(Block {
        key: "disposal",
        title: t(lang, "disposal"),
        head: vec![t(lang, "measure"), t(lang, "value")],
        rows: vec![
            vec![t(lang, "actions_done"), s.actions.done.to_string()],
            vec![t(lang, "actions_overdue"), s.actions.overdue.to_string()],
            vec![t(lang, "actions_failed"), s.actions.failed.to_string()],
            vec![t(lang, "recovered_principal"), amount_text(r.principal)],
            vec![t(lang, "recovered_interest"), amount_text(r.interest)],
            vec![t(lang, "recovered_costs"), amount_text(r.costs)],
            vec![t(lang, "recovered_total"), amount_text(r.total())],
            vec![
                t(lang, "written_off"),
                lang.tf(
                    "summary.written_off_value",
                    &[
                        ("amount", &amount_text(s.written_off.amount)),
                        ("loans", &s.written_off.loans),
                    ],
                ),
            ],
        ],
        notes: Vec::new(),
    });
    let mut rows: Vec<Vec<String>> = Classification::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| s.below_floor.count[*i] > 0)
        .map(|(i, c)| {
            vec![
                lang.code_name("class", c.code()),
                s.below_floor.count[i].to_string(),
            ]
        })
        .collect();
    rows.push(vec![t(lang, "total"), s.below_floor.loans().to_string()]);
    out.push(Block {
        key: "below_floor",
        title: t(lang, "below_floor"),
        head: vec![t(lang, "floor_class"), t(lang, "loans")],
        rows,
        notes: vec![lang.tf(
            "summary.below_floor_note",
            &[("amount", &amount_text(s.below_floor.outstanding))],
        )],
    });
    let mut rows: Vec<Vec<String>> = s
        .followups_overdue
        .iter()
        .map(|o| vec![officer_text(&o.name, &o.officer), o.overdue.to_string()])
        .collect();
    rows.push(vec![t(lang, "total"), s.followups_total().to_string()]);
    out.push(Block {
        key: "followups_overdue",
        title: t(lang, "followups"),
        head: vec![t(lang, "officer"), t(lang, "overdue")],
        rows,
        notes: Vec::new(),
    });
    out.push(Block {
        key: "series",
        title: t(lang, "series"),
        head: vec![t(lang, "month"), t(lang, "raised"), t(lang, "npl_ratio")],
        rows: s
            .series
            .iter()
            .map(|p| {
                vec![
                    p.month.format("%Y-%m").to_string(),
                    p.warnings_raised.to_string(),
                    pct_text(p.npl_ratio),
                ]
            })
            .collect(),
        notes: Vec::new(),
    });
    out
}
