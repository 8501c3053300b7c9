//! The Markdown of a risk case: its full story (what `case show --format md` prints and the
//! disposal record stored when it closes) and one progress report as a document.

use crate::domain::disposal::CaseStatus;
use crate::domain::text::{markdown_text, sanitize};
use crate::i18n::Lang;
use crate::store::{CaseDetail, LoanOutcomes};
use chrono::NaiveDate;

/// A case in full as Markdown, in `lang`; text from data is Markdown-safe.
pub fn case_md(d: &CaseDetail, today: NaiveDate, lang: Lang) -> String {
    use std::fmt::Write as _;
    let md = |s: &str| markdown_text(&sanitize(s));
    let t = |k: &str| lang.t(&format!("disposal_cli.{k}")).to_string();
    let c = &d.case;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} {} — {}\n",
        t("case"),
        c.number,
        md(&c.borrower_name)
    );
    // A closed case counts nothing open: its header says what it had.
    let (signals, loans) = if c.status == CaseStatus::Closed {
        (d.warnings.len() as u64, d.loans.len() as u64)
    } else {
        (c.warnings, c.loans)
    };
    let counted = |what: &str, n: u64| lang.tf(&format!("disposal_cli.{what}"), &[("n", &n)]);
    let colon = t("colon");
    let _ = writeln!(
        s,
        "{}",
        lang.tf(
            "disposal_cli.show_head",
            &[
                ("level", &lang.code_name("level", c.level.code())),
                ("status", &lang.code_name("case_status", c.status.code())),
                ("warnings", &counted("signals", signals)),
                ("loans", &counted("loans", loans)),
                (
                    "exposure",
                    &crate::domain::money::format_money(c.exposure, "CNY")
                ),
                ("officer", &md(&c.officer)),
                ("opened_on", &c.opened_on),
                ("age", &counted("days", c.age_days(today).max(0) as u64)),
                ("version", &c.version),
            ]
        )
    );
    if let Some(dl) = c.next_deadline {
        let _ = writeln!(s, "\n{}{colon}{dl}", t("col_next_deadline"));
    }
    if c.emergency_needed {
        let _ = writeln!(s, "\n**{}**", t("emergency_needed"));
    }
    if c.status == CaseStatus::Closed {
        let _ = writeln!(
            s,
            "\n{}{colon}{} — {}",
            lang.code_name("case_status", "closed"),
            c.closed_on.map(|x| x.to_string()).unwrap_or_default(),
            md(&c.close_reason)
        );
    }
    let _ = writeln!(s, "\n## {}\n", t("section_warnings"));
    for w in &d.warnings {
        let _ = writeln!(
            s,
            "- {} {} · {} · {} · {}",
            w.number,
            md(&w.contract_no),
            lang.code_name("level", w.level.code()),
            signal_name(&w.indicator, lang),
            lang.code_name("wstatus", w.status.code())
        );
    }
    let _ = writeln!(s, "\n## {}\n", t("section_loans"));
    for l in &d.loans {
        let _ = writeln!(
            s,
            "- {} · {} · {} · {}",
            md(&l.contract_no),
            crate::domain::money::format_money(l.outstanding, "CNY"),
            lang.code_name("class", l.classification.code()),
            lang.code_name("freq", &l.tracking_frequency)
        );
    }
    let _ = writeln!(s, "\n## {}\n", t("section_plans"));
    for p in &d.plans {
        let _ = writeln!(
            s,
            "- #{} {} · {} · {} {}",
            p.id,
            lang.code_name("plan_kind", p.kind.code()),
            lang.code_name("plan_status", p.status.code()),
            md(&p.summary),
            p.due_on.map(|x| format!("({x})")).unwrap_or_default()
        );
        if let Some(on) = p.arrived_on {
            let _ = writeln!(s, "  - {} {on}: {}", t("arrived"), md(&p.arrival));
        }
    }
    let _ = writeln!(s, "\n## {}\n", t("section_actions"));
    for a in &d.actions {
        let _ = writeln!(
            s,
            "- #{} {} · {} · {} · {} · {}{}",
            a.id,
            lang.code_name("action_kind", a.kind.code()),
            md(&a.title),
            md(&a.owner),
            a.deadline,
            lang.code_name("action_status", a.status.code()),
            match a.overdue_days(today) {
                0 => String::new(),
                n => format!(" · {}", lang.tf("disposal_cli.overdue", &[("days", &n)])),
            }
        );
        for n in d.notes.iter().filter(|n| n.action_id == a.id) {
            let _ = writeln!(s, "  - {} {}: {}", n.on_date, md(&n.author), md(&n.note));
        }
    }
    let _ = writeln!(s, "\n## {}\n", t("section_progress"));
    for p in &d.progress {
        let _ = writeln!(s, "### {} {}\n", p.on_date, md(&p.author));
        for (k, v) in [
            ("signal_now", &p.signal_now),
            ("effect", &p.effect),
            ("problems", &p.problems),
            ("next_steps", &p.next_steps),
        ] {
            let _ = writeln!(
                s,
                "- {}{colon}{}",
                lang.t(&format!("disposal_field.{k}")),
                md(v)
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## {}\n", t("section_documents"));
    for x in &d.documents {
        let _ = writeln!(s, "- {} {} (SHA-256 {})", x.number, md(&x.title), x.sha256);
    }
    let _ = writeln!(s, "\n## {}\n", t("section_history"));
    let safe = |t: &str| markdown_text(&sanitize(t));
    for e in &d.events {
        let what =
            crate::engine::case_history::sentence(&e.event, &e.reference, &e.note, lang, &safe);
        let _ = writeln!(
            s,
            "- {}",
            lang.tf(
                "case_history.line",
                &[
                    ("date", &e.on_date),
                    ("actor", &md(&e.actor)),
                    ("what", &what)
                ]
            )
        );
    }
    s
}

/// The recoveries and legal clocks of the case's loans, as Markdown.
pub fn outcomes_md(outcomes: &[LoanOutcomes], today: NaiveDate, lang: Lang) -> String {
    use crate::domain::money::format_money;
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "\n## {}\n", lang.t("disposal_cli.section_recoveries"));
    for o in outcomes {
        let c = &o.loan.currency;
        for r in &o.recoveries {
            let mark = if r.after_write_off {
                lang.t("outcomes_cli.after_write_off_mark")
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "- {}{mark}",
                lang.tf(
                    "disposal_cli.recovery_line",
                    &[
                        ("on", &r.on),
                        ("contract", &markdown_text(&sanitize(&o.loan.contract_no))),
                        ("kind", &lang.code_name("recovery_kind", r.kind.code())),
                        ("principal", &format_money(r.principal, c)),
                        ("interest", &format_money(r.interest, c)),
                        ("costs", &format_money(r.costs, c)),
                    ]
                )
            );
        }
    }
    let _ = writeln!(s, "\n## {}\n", lang.t("disposal_cli.section_clocks"));
    for o in outcomes {
        for c in &o.clocks {
            let _ = writeln!(
                s,
                "- {} · {}",
                markdown_text(&sanitize(&o.loan.contract_no)),
                clock_text(c, today, lang)
            );
        }
    }
    s
}

/// An indicator's name, or a manual signal's, in `lang` (the code itself when neither has one).
fn signal_name(code: &str, lang: Lang) -> String {
    let name = lang.code_name("indicator", code);
    if name == code {
        lang.code_name("signal", code)
    } else {
        name
    }
}

/// What a progress report document says.
pub struct ProgressFacts<'a> {
    pub case: &'a str,
    pub borrower: &'a str,
    pub on: NaiveDate,
    pub author: &'a str,
    pub signal_now: &'a str,
    pub effect: &'a str,
    pub problems: &'a str,
    pub next_steps: &'a str,
}

/// A disposal progress report (处置进展报告) as Markdown in `lang`: the case, the day, the
/// author and the four headings; text from data is Markdown-safe.
pub fn progress_md(p: &ProgressFacts<'_>, lang: Lang) -> String {
    use std::fmt::Write as _;
    let md = |s: &str| markdown_text(&sanitize(s));
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} — {}\n",
        lang.code_name("document_kind", "progress_report"),
        md(p.borrower)
    );
    let colon = lang.t("disposal_cli.colon");
    let _ = writeln!(
        s,
        "{} {} · {} · {}\n",
        lang.t("disposal_cli.case"),
        p.case,
        p.on,
        md(p.author)
    );
    for (k, v) in [
        ("signal_now", p.signal_now),
        ("effect", p.effect),
        ("problems", p.problems),
        ("next_steps", p.next_steps),
    ] {
        let _ = writeln!(
            s,
            "## {}\n\n{}\n",
            lang.t(&format!("disposal_field.{k}")),
            md(v)
        );
    }
    let _ = write!(
        s,
        "{}{colon}{}",
        lang.t("disposal_record.written_by"),
        md(p.author)
    );
    s.push('\n');
    s
}

/// `limitation period (from a demand on 2026-06-29): ends 2029-06-29, 1095 days left`.
pub fn clock_text(c: &crate::domain::legal::Clock, as_of: NaiveDate, lang: Lang) -> String {
    lang.tf(
        "outcomes_cli.clock_text",
        &[
            ("clock", &lang.code_name("clock_kind", c.kind.code())),
            ("source", &lang.code_name("clock_source", c.source.code())),
            ("start", &c.started_on),
            ("ends", &c.ends_on),
            ("days", &days_left_text(c.days_left(as_of), lang)),
        ],
    )
}

/// Days left on a clock, or days over it, in words.
pub fn days_left_text(days: i64, lang: Lang) -> String {
    if days < 0 {
        lang.tf("outcomes_cli.days_over", &[("days", &-days)])
    } else {
        lang.tf("outcomes_cli.days_left", &[("days", &days)])
    }
}
