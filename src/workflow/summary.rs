//! The period summary as a document (贷后管理总结, step 6): Markdown (what a signed summary
//! will be stored as), one self-contained HTML file that prints on A4, and JSON with one key
//! per block. Reads the figures through the store; writes nothing.

use crate::domain::Classification;
use crate::domain::text::{markdown_text, sanitize, strip_bidi};
use crate::domain::warning::Level;
use crate::engine::migration_text::rates;
use crate::engine::summary::{ByLevel, ClassMix, Period, PeriodSummary};
use crate::engine::summary_text::{self as text, Block};
use crate::i18n::Lang;
use crate::store::Store;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

/// The summary of `period` read from the book (overdue counted on its end, or `today`).
pub fn summary(store: &Store, period: Period, today: NaiveDate) -> super::Result<PeriodSummary> {
    Ok(store.period_summary(period, today)?)
}

/// A Markdown table cell: control and bidi characters out, markup as entities, `|` escaped.
fn md_cell(s: &str) -> String {
    markdown_text(&sanitize(s)).replace('|', "\\|")
}

fn md_block(out: &mut String, b: &Block) {
    out.push_str(&format!("\n## {}\n\n", md_cell(&b.title)));
    out.push_str(&format!(
        "| {} |\n|{}\n",
        b.head
            .iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(b.head.len())
    ));
    for r in &b.rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    for n in &b.notes {
        out.push_str(&format!("\n{}\n", md_cell(n)));
    }
}

/// The summary in Markdown: a title, the overdue day, then every block as a table.
pub fn summary_markdown(s: &PeriodSummary, lang: &Lang) -> String {
    let lang = *lang;
    let mut out = format!(
        "# {}\n\n{}\n",
        md_cell(&text::title(s, lang)),
        md_cell(&text::overdue_note(s, lang))
    );
    for b in text::blocks(s, lang) {
        md_block(&mut out, &b);
    }
    out
}

/// Text in HTML: control and bidi characters out, markup and invisible format characters
/// as entities.
fn esc(s: &str) -> String {
    let s = sanitize(&strip_bidi(s));
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Zero-width and other invisible format characters, visible in the source.
            c if crate::domain::text::is_format_char(c) => {
                o.push_str(&format!("&#x{:X};", u32::from(c)))
            }
            c => o.push(c),
        }
    }
    o
}

const CSS: &str = "@page { size: A4; margin: 18mm 16mm; }
body { font-family: 'Noto Serif CJK SC', 'Source Han Serif SC', SimSun, 'Songti SC', serif; font-size: 10.5pt; line-height: 1.5; color: #000; max-width: 178mm; margin: 0 auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4mm; }
.note { text-align: center; margin: 0 0 6mm; }
h2 { font-size: 12pt; border-bottom: 1px solid #000; margin: 6mm 0 2mm; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: 1mm 2mm; text-align: left; vertical-align: top; word-break: break-all; }
td + td, th + th { text-align: right; }
th { background: #eee; }
";

/// The summary as one self-contained HTML file (no outside resources) that prints on A4.
pub fn summary_html(s: &PeriodSummary, lang: &Lang) -> String {
    let lang = *lang;
    let html_lang = if lang == Lang::En { "en" } else { "zh-CN" };
    let title = esc(&text::title(s, lang));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p class=\"note\">{}</p>\n",
        esc(&text::overdue_note(s, lang))
    );
    for b in text::blocks(s, lang) {
        out.push_str(&format!("<h2>{}</h2>\n<table><thead><tr>", esc(&b.title)));
        for h in &b.head {
            out.push_str(&format!("<th>{}</th>", esc(h)));
        }
        out.push_str("</tr></thead><tbody>");
        for r in &b.rows {
            out.push_str("<tr>");
            for c in r {
                out.push_str(&format!("<td>{}</td>", esc(c)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>\n");
        for n in &b.notes {
            out.push_str(&format!("<p>{}</p>\n", esc(n)));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// An amount in JSON: yuan with two decimals, rounded half up.
fn yuan(d: Decimal) -> Value {
    let mut r = crate::domain::money::round_half_up(d, 2);
    r.rescale(2);
    Value::String(r.to_string())
}

fn pct(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.normalize().to_string()))
}

fn mix_json(m: &ClassMix) -> Value {
    let mut classes = Map::new();
    for (i, c) in Classification::ALL.iter().enumerate() {
        classes.insert(
            c.code().into(),
            json!({"count": m.count[i], "outstanding": yuan(m.outstanding[i])}),
        );
    }
    json!({
        "classes": classes,
        "loans": m.loans(),
        "outstanding": yuan(m.total()),
        "npl_ratio": pct(m.npl_ratio()),
    })
}

fn levels_json(l: &ByLevel) -> Value {
    let mut m = Map::new();
    for level in Level::BOARD {
        m.insert(level.code().into(), json!(l.of(level)));
    }
    m.insert("total".into(), json!(l.total()));
    Value::Object(m)
}

/// The summary as JSON: one object, a key per block (the contract scripts rely on).
pub fn summary_json(s: &PeriodSummary) -> Value {
    let rates: Map<String, Value> = rates(&s.migration)
        .iter()
        .map(|(k, v)| ((*k).to_string(), pct(*v)))
        .collect();
    let mut floor = Map::new();
    for (i, c) in Classification::ALL.iter().enumerate() {
        floor.insert(c.code().into(), json!(s.below_floor.count[i]));
    }
    json!({
        "period": {"from": s.period.from, "to": s.period.to, "overdue_on": s.overdue_on},
        "book": {
            "opening": mix_json(&s.opening),
            "closing": mix_json(&s.closing),
            "npl_ratio_from": pct(s.npl_ratios().0),
            "npl_ratio_to": pct(s.npl_ratios().1),
            "npl_change": pct(s.npl_change()),
        },
        "migration": {"rates": rates},
        "warnings": {
            "raised": levels_json(&s.warnings_raised),
            "escalated": levels_json(&s.warnings_escalated),
            "resolved": levels_json(&s.warnings_resolved),
        },
        "cases": {"opened": s.cases_opened, "closed": s.cases_closed},
        "inspections": s.inspections.iter().map(|o| json!({
            "officer": o.officer, "name": o.name, "done": o.done, "overdue": o.overdue,
        })).collect::<Vec<_>>(),
        "disposal": {
            "actions_done": s.actions.done,
            "actions_overdue": s.actions.overdue,
            "actions_failed": s.actions.failed,
            "recovered": {
                "principal": yuan(s.recovered.principal),
                "interest": yuan(s.recovered.interest),
                "costs": yuan(s.recovered.costs),
                "total": yuan(s.recovered.total()),
            },
            "written_off": {"amount": yuan(s.written_off.amount), "loans": s.written_off.loans},
        },
        "below_floor": {
            "loans": s.below_floor.loans(),
            "by_floor_class": floor,
            "outstanding": yuan(s.below_floor.outstanding),
        },
        "followups_overdue": s.followups_overdue.iter().map(|o| json!({
            "officer": o.officer, "name": o.name, "overdue": o.overdue,
        })).collect::<Vec<_>>(),
        "series": s.series.iter().map(|p| json!({
            "month": p.month.format("%Y-%m").to_string(),
            "warnings_raised": p.warnings_raised,
            "npl_ratio": pct(p.npl_ratio),
        })).collect::<Vec<_>>(),
    })
}
