//! The inspection report as a document: Markdown, or one self-contained HTML file that
//! prints on A4 — facts, the nine sections, measures, evidence with hashes, author,
//! reviewers and dates. Every heading and label comes from the translation table.

use crate::domain::checklist::Checklist;
use crate::domain::inspection::Section;
use crate::domain::money::{format_money, format_percent};
use crate::domain::text::markdown_text as md_text;
use crate::i18n::Lang;
use crate::store::{ReportData, ReportLoan};
use rust_decimal::Decimal;

/// The report's lines as label / value pairs and blocks, shared by both formats.
struct Parts {
    title: String,
    header: Vec<(String, String)>,
    facts: Vec<(String, String)>,
    sections: Vec<(String, String)>,
    measures_head: [String; 4],
    measures: Vec<[String; 4]>,
    evidence_head: [String; 5],
    evidence: Vec<[String; 5]>,
    reviews_head: [String; 4],
    reviews: Vec<[String; 4]>,
    /// The checklist's items (none configured: the part is left out) and the score line.
    checklist_head: [String; 3],
    checklist: Vec<[String; 3]>,
    score: String,
}

fn or_dash(s: Option<String>) -> String {
    match s {
        Some(s) if !s.is_empty() => s,
        _ => "—".to_string(),
    }
}

/// What the report editor's facts panel shows beside the terms: the latest repayment
/// status, the collateral with its total and coverage (抵押率, outstanding / appraised, as the
/// loan detail shows it), the latest statement's ratios and the last contacts.
fn loan_context(l: &ReportLoan, lang: Lang) -> Vec<(String, String)> {
    let t = |k: &str| lang.t(&format!("inspection_report.{k}")).to_string();
    let money = |a: Decimal| format_money(a, &l.currency);
    let mut rows = Vec::new();
    rows.push((
        t("repayment"),
        match &l.repayment {
            Some(r) => lang.tf(
                "inspection_report.repayment_line",
                &[
                    ("as_of", &r.as_of),
                    ("days", &r.overdue_days),
                    ("principal", &money(r.overdue_principal)),
                    ("interest", &money(r.overdue_interest)),
                ],
            ),
            None => "—".to_string(),
        },
    ));
    for c in &l.collateral {
        rows.push((
            t("collateral"),
            format!(
                "{} · {} · {} ({})",
                lang.code_name("collateral", c.kind.code()),
                c.description,
                money(c.appraised_value),
                c.appraised_on
            ),
        ));
    }
    let total: Decimal = l.collateral.iter().map(|c| c.appraised_value).sum();
    if !l.collateral.is_empty() {
        rows.push((t("appraised_total"), money(total)));
        let coverage = l
            .outstanding
            .parse::<Decimal>()
            .ok()
            .and_then(|o| crate::domain::ratios::percent(o, total).ok())
            .map(|p| format!("{:.2}%", crate::domain::money::round_half_up(p, 2)));
        rows.push((t("coverage"), or_dash(coverage)));
    }
    if let Some(st) = &l.statement {
        let r = crate::domain::ratios::KeyRatios::of(st);
        let times = |v: Option<Decimal>| {
            v.map_or_else(
                || "—".to_string(),
                |v| crate::domain::money::round_half_up(v, 2).to_string(),
            )
        };
        rows.push((
            t("ratios"),
            lang.tf(
                "inspection_report.ratios_line",
                &[
                    ("period", &st.period_end),
                    (
                        "debt_to_asset",
                        &r.debt_to_asset
                            .map_or_else(|| "—".to_string(), format_percent),
                    ),
                    ("current", &times(r.current)),
                    ("quick", &times(r.quick)),
                    ("interest_coverage", &times(r.interest_coverage)),
                ],
            ),
        ));
    }
    for c in &l.contacts {
        rows.push((
            t("contact"),
            format!(
                "{} {} {}: {}",
                c.contact_on,
                lang.code_name("contact", c.kind.code()),
                c.created_by,
                c.notes
            ),
        ));
    }
    rows
}

fn parts(d: &ReportData, lang: Lang, checklist: &Checklist) -> Parts {
    let i = &d.inspection;
    let r = &i.row;
    let t = |k: &str| lang.t(&format!("inspection_report.{k}")).to_string();
    let header = vec![
        (t("number"), r.number.clone()),
        (t("report_version"), d.report_version.to_string()),
        (t("kind"), lang.code_name("inspection_kind", r.kind.code())),
        (t("mode"), lang.code_name("inspection_mode", r.mode.code())),
        (
            t("status"),
            lang.code_name("inspection_status", r.status.code()),
        ),
        (t("due_on"), r.due_on.to_string()),
        (
            t("inspected_on"),
            or_dash(i.inspected_on.map(|d| d.to_string())),
        ),
        (t("inspectors"), or_dash(Some(i.inspectors.clone()))),
        (t("focus"), or_dash(Some(i.focus.clone()))),
        (t("warnings"), or_dash(Some(d.warnings.join(", ")))),
        (t("author"), or_dash(r.author.clone())),
        (
            t("submitted_on"),
            or_dash(i.submitted_on.map(|d| d.to_string())),
        ),
        (t("reviewer"), or_dash(r.reviewer.clone())),
        (t("second_reviewer"), or_dash(i.second_reviewer.clone())),
        (
            t("approved_on"),
            or_dash(i.approved_on.map(|d| d.to_string())),
        ),
        (
            t("proposed_class"),
            or_dash(i.proposed_class.map(|c| lang.code_name("class", c.code()))),
        ),
    ];
    let l = &d.loan;
    let open: Vec<String> = l
        .open_warnings
        .iter()
        .map(|(n, level, ind)| format!("{n} ({}, {ind})", lang.code_name("level", level)))
        .collect();
    let money = |text: &str| match text.parse::<Decimal>() {
        Ok(a) => format_money(a, &l.currency),
        Err(_) => text.to_string(),
    };
    let mut facts = vec![
        (t("contract_no"), l.contract_no.clone()),
        (t("borrower"), l.borrower_name.clone()),
        (t("product"), lang.code_name("product", &l.product)),
        (t("principal"), money(&l.principal)),
        (t("outstanding"), money(&l.outstanding)),
        (t("interest_rate"), format!("{} %", l.interest_rate)),
        (t("term"), format!("{} — {}", l.disbursed_on, l.matures_on)),
        (
            t("guarantee"),
            lang.code_name("guarantee", &l.guarantee_type),
        ),
        (
            t("classification"),
            lang.code_name("class", &l.classification),
        ),
        (t("overdue_days"), l.overdue_days.to_string()),
        (t("officer"), l.officer.clone()),
        (t("open_warnings"), or_dash(Some(open.join("; ")))),
    ];
    facts.extend(loan_context(l, lang));
    let sections = Section::ALL
        .iter()
        .map(|s| {
            let body = d
                .sections
                .iter()
                .find(|(n, _)| *n == s.number())
                .map(|(_, b)| b.clone())
                .filter(|b| !b.trim().is_empty())
                .unwrap_or_else(|| t("empty"));
            (lang.t(&s.key()).to_string(), body)
        })
        .collect();
    let measures = d
        .measures
        .iter()
        .map(|m| {
            [
                lang.code_name("inspection_measure", m.measure.code()),
                or_dash(m.deadline.map(|d| d.to_string())),
                or_dash(m.owner.clone()),
                or_dash(Some(m.note.clone())),
            ]
        })
        .collect();
    let evidence = d
        .evidence
        .iter()
        .map(|e| {
            [
                e.file_name.clone(),
                format!("{} B, {}", e.size, e.media_type),
                e.sha256.clone(),
                e.created_by.clone(),
                e.created_at.clone(),
            ]
        })
        .collect();
    let reviews = d
        .reviews
        .iter()
        .map(|e| {
            [
                format!("{} (V{})", e.on_date, e.report_version),
                e.actor.clone(),
                lang.code_name("inspection_event", &e.event),
                e.comment.clone(),
            ]
        })
        .collect();
    let english = lang == Lang::En;
    let checklist_rows = super::inspection_checklist::rows(checklist, &d.checklist)
        .into_iter()
        .map(|(item, points)| {
            [
                item.name(english).to_string(),
                item.weight.to_string(),
                points.map_or_else(|| "—".to_string(), |p| p.normalize().to_string()),
            ]
        })
        .collect();
    let scored = checklist.score(&d.checklist);
    let mut score = super::inspection_checklist::score_text(scored, checklist, lang);
    if !matches!(scored, crate::domain::checklist::Score::Complete(_)) {
        // The line is said with the score; without one, beside it.
        score.push_str(&lang.tf(
            "checklist.line_after",
            &[("line", &checklist.line.normalize())],
        ));
    }
    Parts {
        checklist_head: [
            t("checklist_item"),
            t("checklist_weight"),
            t("checklist_points"),
        ],
        checklist: checklist_rows,
        score,
        title: lang.tf(
            "inspection_report.title",
            &[("number", &r.number), ("version", &d.report_version)],
        ),
        header,
        facts,
        sections,
        measures_head: [t("measure"), t("deadline"), t("owner"), t("note")],
        measures,
        evidence_head: [
            t("file"),
            t("size"),
            t("sha256"),
            t("added_by"),
            t("added_at"),
        ],
        evidence,
        reviews_head: [t("date"), t("actor"), t("event"), t("comment")],
        reviews,
    }
}

/// A Markdown table cell: as [`md_text`], no line breaks, `|` escaped.
fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|").replace('\n', " ")
}

fn md_table<const N: usize>(out: &mut String, head: &[String; N], rows: &[[String; N]]) {
    out.push_str(&format!(
        "| {} |\n",
        head.iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!("|{}\n", "---|".repeat(N)));
    for r in rows {
        out.push_str(&format!(
            "| {} |\n",
            r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
}

/// The report in Markdown.
pub fn markdown(d: &ReportData, lang: Lang, checklist: &Checklist) -> String {
    let p = parts(d, lang, checklist);
    let t = |k: &str| lang.t(&format!("inspection_report.{k}")).to_string();
    let mut out = format!("# {}\n\n", md_text(&p.title));
    let pairs = |out: &mut String, rows: &[(String, String)]| {
        let rows: Vec<[String; 2]> = rows.iter().map(|(a, b)| [a.clone(), b.clone()]).collect();
        md_table(out, &[t("item"), t("value")], &rows);
    };
    pairs(&mut out, &p.header);
    out.push_str(&format!("\n## {}\n\n", t("facts")));
    pairs(&mut out, &p.facts);
    for (title, body) in &p.sections {
        out.push_str(&format!("\n## {}\n\n{}\n", md_text(title), md_text(body)));
    }
    if !p.checklist.is_empty() {
        out.push_str(&format!("\n## {}\n\n", t("checklist")));
        md_table(&mut out, &p.checklist_head, &p.checklist);
        out.push_str(&format!("\n{}\n", md_cell(&p.score)));
    }
    out.push_str(&format!("\n## {}\n\n", t("measures")));
    if p.measures.is_empty() {
        out.push_str(&format!("{}\n", t("none")));
    } else {
        md_table(&mut out, &p.measures_head, &p.measures);
    }
    out.push_str(&format!("\n## {}\n\n", t("evidence")));
    if p.evidence.is_empty() {
        out.push_str(&format!("{}\n", t("none")));
    } else {
        md_table(&mut out, &p.evidence_head, &p.evidence);
    }
    out.push_str(&format!("\n## {}\n\n", t("reviews")));
    md_table(&mut out, &p.reviews_head, &p.reviews);
    out
}

/// Text from data in HTML: control (but line breaks and tabs) and bidi characters dropped,
/// markup and invisible format characters (`&#x200B;`) as entities.
fn esc(s: &str) -> String {
    let s = crate::domain::text::terminal_text(s);
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

fn html_table<const N: usize>(out: &mut String, head: &[String; N], rows: &[[String; N]]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", esc(c)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

const CSS: &str = "@page { size: A4; margin: 18mm 16mm; }
body { font-family: 'Noto Serif CJK SC', 'Source Han Serif SC', SimSun, 'Songti SC', serif; font-size: 10.5pt; line-height: 1.5; color: #000; max-width: 178mm; margin: 0 auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 8mm; }
h2 { font-size: 12pt; border-bottom: 1px solid #000; margin: 6mm 0 2mm; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #444; padding: 1mm 2mm; text-align: left; vertical-align: top; word-break: break-all; }
th { background: #eee; }
.kv th { width: 30%; }
.section { white-space: pre-wrap; }
.hash { font-family: monospace; font-size: 8pt; }
";

/// The report as one self-contained HTML file (no outside resources) that prints on A4.
pub fn html(d: &ReportData, lang: Lang, checklist: &Checklist) -> String {
    let p = parts(d, lang, checklist);
    let t = |k: &str| lang.t(&format!("inspection_report.{k}")).to_string();
    let html_lang = if lang == Lang::En { "en" } else { "zh-CN" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&p.title),
        esc(&p.title)
    );
    let kv = |out: &mut String, rows: &[(String, String)]| {
        out.push_str("<table class=\"kv\"><tbody>");
        for (k, v) in rows {
            out.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)));
        }
        out.push_str("</tbody></table>\n");
    };
    kv(&mut out, &p.header);
    out.push_str(&format!("<h2>{}</h2>\n", esc(&t("facts"))));
    kv(&mut out, &p.facts);
    for (title, body) in &p.sections {
        out.push_str(&format!(
            "<h2>{}</h2>\n<div class=\"section\">{}</div>\n",
            esc(title),
            esc(body)
        ));
    }
    if !p.checklist.is_empty() {
        out.push_str(&format!("<h2>{}</h2>\n", esc(&t("checklist"))));
        html_table(&mut out, &p.checklist_head, &p.checklist);
        out.push_str(&format!("<p class=\"score\">{}</p>\n", esc(&p.score)));
    }
    out.push_str(&format!("<h2>{}</h2>\n", esc(&t("measures"))));
    if p.measures.is_empty() {
        out.push_str(&format!("<p>{}</p>\n", esc(&t("none"))));
    } else {
        html_table(&mut out, &p.measures_head, &p.measures);
    }
    out.push_str(&format!("<h2>{}</h2>\n", esc(&t("evidence"))));
    if p.evidence.is_empty() {
        out.push_str(&format!("<p>{}</p>\n", esc(&t("none"))));
    } else {
        let rows: Vec<[String; 5]> = p.evidence.clone();
        html_table(&mut out, &p.evidence_head, &rows);
    }
    out.push_str(&format!("<h2>{}</h2>\n", esc(&t("reviews"))));
    html_table(&mut out, &p.reviews_head, &p.reviews);
    out.push_str("</body>\n</html>\n");
    out
}
