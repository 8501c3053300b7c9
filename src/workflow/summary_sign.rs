//! Signing the period summary (step 6): a supervisor or a manager writes "problems found and
//! measures to improve" for a period and signs; the summary with that section and a signature
//! block is kept as a sealed `summary` document of the book. Signing a period again supersedes
//! the earlier document (both are kept).
//!
//! The signature's date is the book's today (a demo book's own date), so a demo book signed
//! the same way reads the same; the row's `created_at` is the clock, as for every document.

use super::{Actor, Command, Result, Subject, WorkflowError, authorize_in, execute};
use crate::domain::archive::{DocumentKind, Storage};
use crate::domain::text::{markdown_text, sanitize, sanitize_lines};
use crate::engine::summary::Period;
use crate::i18n::Lang;
use crate::store::{ArchiveRow, NewDocument, SUMMARY_PERIOD_REF, Store};
use chrono::{Datelike, NaiveDate};
use serde_json::json;

/// The most characters the section "problems found and measures to improve" may have.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// `report summary --sign`: the period and the signer's section.
#[derive(Debug, Clone)]
pub struct SignSummary {
    pub period: Period,
    /// Problems found and measures to improve (存在问题及改进措施), free text.
    pub text: String,
}

/// The document the signing wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Signed {
    pub id: i64,
    pub number: String,
    pub sha256: String,
    /// The earlier signed summary of the period, now superseded by this one.
    pub supersedes: Option<i64>,
}

/// The signed summary of `period` in force, if it has been signed.
pub fn signed(store: &Store, period: Period) -> Result<Option<ArchiveRow>> {
    Ok(store.signed_summary(period.key())?)
}

/// The signature's date in a signed summary's text: the first date-valued line of its last
/// section (the signature block; the signer's own text can open no section).
pub fn signed_on(body: &str) -> Option<NaiveDate> {
    let block = body.rsplit_once("\n## ").map_or(body, |(_, b)| b);
    block.lines().find_map(|l| {
        let (_, value) = l.strip_prefix("- ")?.split_once(": ")?;
        value.trim().parse().ok()
    })
}

/// Whether `actor` may sign a summary (for screens that show the key only to those who may).
pub fn may_sign(actor: &Actor) -> bool {
    actor
        .authorize(Command::SignSummary, &Subject::NONE)
        .is_ok()
}

/// The signed document's text: the period's summary, the signer's section, the signature.
pub fn signed_markdown(
    summary_md: &str,
    text: &str,
    actor: &Actor,
    period: Period,
    on: NaiveDate,
    supersedes: Option<&ArchiveRow>,
    lang: Lang,
) -> String {
    let mut body = summary_md.trim_end().to_string();
    body.push_str(&format!(
        "\n\n## {}\n\n{}\n\n",
        lang.t("summary_sign.problems"),
        markdown_text(text)
    ));
    let mut lines = vec![
        (
            "summary_sign.signer",
            format!(
                "{} ({})",
                markdown_text(&sanitize(&actor.display_name)),
                lang.code_name("role", actor.role.code())
            ),
        ),
        ("summary_sign.user", markdown_text(&actor.username)),
        ("summary_sign.date", on.to_string()),
        (
            "summary_sign.period",
            lang.tf(
                "summary_sign.period_value",
                &[("from", &period.from), ("to", &period.to)],
            ),
        ),
    ];
    if let Some(old) = supersedes {
        lines.push((
            "summary_sign.supersedes",
            format!("{} (#{})", old.number, old.id),
        ));
    }
    body.push_str(&format!("## {}\n\n", lang.t("summary_sign.signature")));
    for (key, value) in lines {
        body.push_str(&format!("- {}: {}\n", lang.t(key), value));
    }
    body
}

/// Refuses a period that has not ended by the book's day `today`: its figures would still
/// change, and a signature vouches for the whole period. A period ends at the close of its
/// last day, so it may be signed from the next day on. A period that starts before the
/// book's first data is allowed: its opening is then the empty book, which is what it was.
pub fn check_period_ended(period: Period, today: NaiveDate) -> Result<()> {
    if period.to >= today {
        return Err(WorkflowError::rule(
            "summary_sign_err.period_open",
            &[
                ("from", &period.from),
                ("to", &period.to),
                ("today", &today),
            ],
        ));
    }
    Ok(())
}

/// Signs the summary of `cmd.period` as `actor` on the book's day `today`: refuses a
/// specialist or an auditor in words, a period not ended by `today` and an empty section; writes the document (sealed, its
/// SHA-256 over the text), supersedes the period's earlier signed summary and appends the
/// audit row, in one transaction.
pub fn sign(
    store: &mut Store,
    actor: &Actor,
    cmd: &SignSummary,
    today: NaiveDate,
    lang: Lang,
) -> Result<Signed> {
    super::guard(store, actor, Command::SignSummary, &Subject::NONE)?;
    check_period_ended(cmd.period, today)?;
    let text = sanitize_lines(cmd.text.trim());
    let text = text.trim();
    if text.is_empty() {
        return Err(WorkflowError::rule("summary_sign_err.text_empty", &[]));
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(WorkflowError::rule(
            "summary_sign_err.text_long",
            &[("n", &chars), ("max", &MAX_TEXT_CHARS)],
        ));
    }
    // The figures are read before the write: a summary reads the whole period, and the
    // write transaction should hold the book only for the write.
    let figures = super::summary::summary(store, cmd.period, today)?;
    let summary_md = super::summary::summary_markdown(&figures, &lang);
    let period = cmd.period;
    execute(store, actor, |tx| {
        authorize_in(tx, actor, Command::SignSummary, &Subject::NONE)?;
        let earlier = tx.signed_summary(period.key())?;
        let number = tx.next_document_number("ZJ", today.year())?;
        let body = signed_markdown(
            &summary_md,
            text,
            actor,
            period,
            today,
            earlier.as_ref(),
            lang,
        );
        let title = lang.tf(
            "summary_sign.title",
            &[("from", &period.from), ("to", &period.to)],
        );
        let id = tx.insert_archive_document(
            &NewDocument {
                loan_id: None,
                borrower_id: None,
                kind: DocumentKind::Summary,
                number: &number,
                title: &title,
                lang: lang.code(),
                body: &body,
                storage: Storage::Text,
                file: None,
                file_path: None,
                file_name: None,
                media_type: "text/markdown",
                recipient: None,
                reference: Some((SUMMARY_PERIOD_REF, period.key())),
            },
            &actor.username,
        )?;
        if let Some(old) = &earlier {
            tx.supersede_document(old.id, id)?;
        }
        let sha256 = crate::store::sha256_hex(body.as_bytes());
        tx.audit(
            &actor.username,
            "document.sign_summary",
            "document",
            &number,
            &json!({
                "after": {
                    "kind": DocumentKind::Summary.code(),
                    "from": period.from,
                    "to": period.to,
                    "signed_on": today,
                    "sha256": sha256,
                    "supersedes": earlier.as_ref().map(|o| o.id),
                }
            }),
        )?;
        Ok(Signed {
            id,
            number,
            sha256,
            supersedes: earlier.map(|o| o.id),
        })
    })
}
