//! Feedback to other departments (反馈): from a risk case, an inspection report or the signed
//! summary, one note to credit approval, risk management or finance that states what was
//! found (facts drawn from the source) and what is asked of them, kept as a document.
//!
//! Who may: a specialist on the loans they are the officer of (a case's or a report's loan),
//! a supervisor or a manager on any ([`Command::IssueFeedback`]); a summary is a supervisor's
//! document, so a specialist does not write feedback from it.

use super::{Actor, Command, Result, Subject, WorkflowError, execute};
use crate::domain::archive::{DocumentKind, Recipient, Storage};
use crate::domain::inspection::InspectionStatus;
use crate::domain::money::group_thousands;
use crate::domain::text::{as_given_lines, is_blank, markdown_text, sanitize, sanitize_lines};
use crate::i18n::Lang;
use crate::store::{NewDocument, Store};
use chrono::NaiveDate;
use serde_json::json;

/// What a feedback note is drawn from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A risk case, by number.
    Case(String),
    /// An inspection, by number or id.
    Inspection(String),
    /// A document of kind `summary`, by id.
    Summary(i64),
}

/// `postloan feedback`.
#[derive(Debug, Clone)]
pub struct IssueFeedback {
    pub to: Recipient,
    pub source: Source,
    /// What is asked of the department.
    pub text: String,
}

/// The note written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issued {
    pub id: i64,
    pub number: String,
}

/// The facts a note states and where it is filed.
struct Drawn {
    /// `feedback.source_case` etc. with its number.
    source_line: String,
    facts: Vec<String>,
    loan_id: Option<i64>,
    borrower_id: Option<i64>,
    /// The officer whose loans these are (for a specialist's permission).
    officer: String,
    reference: (&'static str, i64),
}

fn indicator_name(lang: Lang, code: &str) -> String {
    let name = lang.code_name("indicator", code);
    if name == code {
        lang.code_name("signal", code)
    } else {
        name
    }
}

fn draw_case(store: &Store, number: &str, lang: Lang) -> Result<Drawn> {
    let d = store
        .case_detail(number.trim())?
        .ok_or_else(|| WorkflowError::NotFound {
            what: "case",
            key: number.to_string(),
        })?;
    let c = &d.case;
    let mut facts = vec![
        lang.tf(
            "feedback.fact_borrower",
            &[("name", &sanitize(&c.borrower_name))],
        ),
        lang.tf(
            "feedback.fact_case",
            &[
                ("level", &lang.code_name("level", c.level.code())),
                ("status", &lang.code_name("case_status", c.status.code())),
                ("opened", &c.opened_on),
            ],
        ),
    ];
    let open: Vec<String> = d
        .warnings
        .iter()
        .map(|w| {
            lang.tf(
                "feedback.fact_signal",
                &[
                    ("number", &w.number),
                    ("level", &lang.code_name("level", w.level.code())),
                    ("indicator", &indicator_name(lang, &w.indicator)),
                    ("contract", &w.contract_no),
                ],
            )
        })
        .collect();
    if !open.is_empty() {
        facts.push(lang.t("feedback.fact_signals").to_string());
        facts.extend(open.into_iter().map(|l| format!("  {l}")));
    }
    facts.push(lang.t("feedback.fact_loans").to_string());
    for l in &d.loans {
        facts.push(format!(
            "  {}",
            lang.tf(
                "feedback.fact_loan",
                &[
                    ("contract", &l.contract_no),
                    ("outstanding", &group_thousands(l.outstanding)),
                    ("class", &lang.code_name("class", l.classification.code())),
                    ("dpd", &l.overdue_days),
                ],
            )
        ));
    }
    facts.push(lang.tf(
        "feedback.fact_exposure",
        &[("amount", &group_thousands(c.exposure))],
    ));
    // Kept with the case's largest loan, as its other documents are.
    let loan_id = d
        .loans
        .iter()
        .max_by(|a, b| a.outstanding.cmp(&b.outstanding).then(b.id.cmp(&a.id)))
        .map(|l| l.id);
    Ok(Drawn {
        source_line: lang.tf("feedback.source_case", &[("number", &c.number)]),
        facts,
        loan_id,
        borrower_id: Some(c.borrower_id),
        officer: c.officer.clone(),
        reference: ("risk_cases", c.id),
    })
}

fn draw_inspection(store: &Store, key: &str, lang: Lang) -> Result<Drawn> {
    let key = key.trim();
    let found = match key.parse::<i64>() {
        Ok(id) => store.inspection(id)?,
        Err(_) => store.inspection_by_number(key)?,
    };
    let i = found.ok_or_else(|| WorkflowError::NotFound {
        what: "inspection",
        key: key.to_string(),
    })?;
    if i.row.status == InspectionStatus::Planned {
        return Err(WorkflowError::rule(
            "feedback_err.not_written",
            &[("number", &i.row.number)],
        ));
    }
    let mut facts = vec![
        lang.tf(
            "feedback.fact_borrower",
            &[("name", &sanitize(&i.row.borrower_name))],
        ),
        lang.tf(
            "feedback.fact_inspection",
            &[
                ("contract", &i.row.contract_no),
                (
                    "kind",
                    &lang.code_name("inspection_kind", i.row.kind.code()),
                ),
                (
                    "status",
                    &lang.code_name("inspection_status", i.row.status.code()),
                ),
                (
                    "on",
                    &i.inspected_on.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
        ),
    ];
    if let Some(c) = i.proposed_class {
        facts.push(lang.tf(
            "feedback.fact_proposed",
            &[("class", &lang.code_name("class", c.code()))],
        ));
    }
    // The findings: the report's warning signals and its conclusion (sections 8 and 9).
    for (n, body) in store.inspection_sections(i.row.id, i.report_version)? {
        if n >= 8 && !body.trim().is_empty() {
            facts.push(lang.tf("feedback.fact_section", &[("n", &n)]));
            facts.extend(sanitize_lines(&body).lines().map(|l| format!("  > {l}")));
        }
    }
    let measures = store.inspection_measures(i.row.id, i.report_version)?;
    if !measures.is_empty() {
        facts.push(lang.t("feedback.fact_measures").to_string());
        for m in measures {
            facts.push(format!(
                "  {}{}",
                lang.code_name("inspection_measure", m.measure.code()),
                m.deadline.map(|d| format!(" ({d})")).unwrap_or_default()
            ));
        }
    }
    let borrower_id = store.loan(i.row.loan_id)?.map(|l| l.borrower_id);
    Ok(Drawn {
        source_line: lang.tf("feedback.source_inspection", &[("number", &i.row.number)]),
        facts,
        loan_id: Some(i.row.loan_id),
        borrower_id,
        officer: i.row.officer.clone(),
        reference: ("inspections", i.row.id),
    })
}

/// Refuses feedback drawn from a document that has been superseded (a summary signed again,
/// a file replaced): its facts are no longer the book's word, and the refusal names the
/// document in force instead. `superseded_by` is the row's column; the newer one is read
/// for its number.
pub fn check_in_force(store: &Store, number: &str, superseded_by: Option<i64>) -> Result<()> {
    let Some(by) = superseded_by else {
        return Ok(());
    };
    let by_number = store
        .archive_document(by)?
        .map(|d| d.row.number)
        .unwrap_or_else(|| format!("#{by}"));
    Err(WorkflowError::rule(
        "feedback_err.superseded",
        &[("number", &number), ("by", &by_number), ("id", &by)],
    ))
}

fn draw_summary(store: &Store, id: i64, lang: Lang) -> Result<Drawn> {
    let doc = store
        .archive_document(id)?
        .ok_or_else(|| WorkflowError::rule("feedback_err.no_summary", &[("id", &id)]))?;
    if doc.row.kind != DocumentKind::Summary.code() {
        return Err(WorkflowError::rule(
            "feedback_err.not_summary",
            &[
                ("id", &id),
                ("kind", &format!("@document_kind.{}", doc.row.kind)),
            ],
        ));
    }
    check_in_force(store, &doc.row.number, doc.row.superseded_by)?;
    Ok(Drawn {
        source_line: lang.tf(
            "feedback.source_summary",
            &[
                ("number", &doc.row.number),
                ("title", &sanitize(&doc.row.title)),
            ],
        ),
        facts: vec![lang.tf(
            "feedback.fact_summary",
            &[("number", &doc.row.number), ("by", &doc.row.created_by)],
        )],
        loan_id: None,
        borrower_id: None,
        officer: doc.row.created_by.clone(),
        reference: ("documents", doc.row.id),
    })
}

/// The facts of `source`.
fn draw(store: &Store, source: &Source, lang: Lang) -> Result<Drawn> {
    match source {
        Source::Case(n) => draw_case(store, n, lang),
        Source::Inspection(k) => draw_inspection(store, k, lang),
        Source::Summary(id) => draw_summary(store, *id, lang),
    }
}

/// May `actor` give feedback on `source` (whose loans it is, for a specialist)? The same
/// check [`issue`] makes; a screen asks it before it opens the form.
pub fn may_give(store: &Store, actor: &Actor, source: &Source, lang: Lang) -> Result<()> {
    let drawn = draw(store, source, lang)?;
    actor.authorize(Command::IssueFeedback, &Subject::loan_of(&drawn.officer))
}

/// Issues a feedback note: draws the facts from the source, writes the note as a document of
/// kind `feedback` addressed to `cmd.to`, seals it and audits it, in one transaction.
pub fn issue(
    store: &mut Store,
    actor: &Actor,
    cmd: &IssueFeedback,
    today: NaiveDate,
    lang: Lang,
) -> Result<Issued> {
    let asked = as_given_lines(cmd.text.trim());
    if is_blank(&asked) {
        return Err(WorkflowError::rule("feedback_err.text_empty", &[]));
    }
    let drawn = draw(store, &cmd.source, lang)?;
    super::guard(
        store,
        actor,
        Command::IssueFeedback,
        &Subject::loan_of(&drawn.officer),
    )?;
    let to = lang.code_name("recipient", cmd.to.code());
    execute(store, actor, |tx| {
        // A summary signed again since it was read is refused all the same.
        if let Source::Summary(id) = &cmd.source
            && let Some(doc) = tx.archive_document(*id)?
            && let Some(by) = doc.row.superseded_by
        {
            let by_number = tx
                .archive_document(by)?
                .map(|d| d.row.number)
                .unwrap_or_else(|| format!("#{by}"));
            return Err(WorkflowError::rule(
                "feedback_err.superseded",
                &[("number", &doc.row.number), ("by", &by_number), ("id", &by)],
            ));
        }
        let number =
            tx.next_document_number("FK", today.format("%Y").to_string().parse().unwrap_or(2026))?;
        let mut body = format!(
            "# {}\n\n",
            lang.tf("feedback.heading", &[("number", &number)])
        );
        for (key, value) in [
            ("feedback.to", to.as_str()),
            (
                "feedback.from",
                &format!(
                    "{} ({})",
                    sanitize(&actor.display_name),
                    lang.code_name("role", actor.role.code())
                ),
            ),
            ("feedback.date", &today.to_string()),
            ("feedback.about", &drawn.source_line),
        ] {
            body.push_str(&format!("- {}: {}\n", lang.t(key), value));
        }
        body.push_str(&format!("\n## {}\n\n", lang.t("feedback.found")));
        for f in &drawn.facts {
            match f.strip_prefix("  ") {
                Some(inner) => body.push_str(&format!("  - {inner}\n")),
                None => body.push_str(&format!("- {f}\n")),
            }
        }
        // The request as typed is kept in the audit row; the document gets it as Markdown
        // text: controls removed, markup escaped (it must not make headings or links).
        let shown = markdown_text(&sanitize_lines(&asked));
        body.push_str(&format!("\n## {}\n\n{}\n", lang.t("feedback.asked"), shown));
        let title = lang.tf("feedback.title", &[("number", &number), ("to", &to)]);
        let id = tx.insert_archive_document(
            &NewDocument {
                loan_id: drawn.loan_id,
                borrower_id: drawn.borrower_id,
                kind: DocumentKind::Feedback,
                number: &number,
                title: &title,
                lang: lang.code(),
                body: &body,
                storage: Storage::Text,
                file: None,
                file_path: None,
                file_name: None,
                media_type: "text/markdown",
                recipient: Some(cmd.to),
                reference: Some(drawn.reference),
            },
            &actor.username,
        )?;
        tx.audit(
            &actor.username,
            "document.issue",
            "document",
            &number,
            &json!({
                "after": {
                    "kind": "feedback",
                    "recipient": cmd.to.code(),
                    "source": drawn.reference.0,
                    "source_id": drawn.reference.1,
                    "text": asked,
                }
            }),
        )?;
        Ok(Issued { id, number })
    })
}
