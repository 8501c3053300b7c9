//! The audit trail's filter: who acted, which loan (its own entries, its warnings' and its
//! inspections'), which kind of action, and a range of local days. Every field may be left
//! empty; the form reads, it writes nothing.

use super::{Bad, FormCommand};
use crate::i18n::Lang;
use crate::tui::panes::audit::AuditFilter;
use crate::tui::widgets::form::{Field, FieldKind, Form};

pub const USER: &str = "user";
pub const RECORD: &str = "record";
pub const KIND: &str = "kind";
pub const FROM: &str = "from";
pub const TO: &str = "to";

/// The filter form, prefilled with the filter in force.
pub fn form(current: &AuditFilter, lang: Lang) -> Form {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    Form::new(
        lang.t("audit_pane.filter_title").to_string(),
        vec![
            Field::new(
                USER,
                "audit_pane.field_user",
                FieldKind::Text { required: false },
                &text(&current.user),
            ),
            Field::new(
                RECORD,
                "audit_pane.field_record",
                FieldKind::Text { required: false },
                &text(&current.record),
            ),
            Field::new(
                KIND,
                "audit_pane.field_kind",
                FieldKind::Text { required: false },
                &text(&current.kind),
            ),
            Field::new(
                FROM,
                "audit_pane.field_from",
                FieldKind::OptionalDate,
                &date(current.from),
            ),
            Field::new(
                TO,
                "audit_pane.field_to",
                FieldKind::OptionalDate,
                &date(current.to),
            ),
        ],
    )
}

/// The filter the values make; a range that ends before it starts is refused.
pub fn command(form: &Form) -> Result<FormCommand, Bad> {
    let some = |name: &'static str| -> Result<Option<String>, Bad> {
        let t = form.text(name)?;
        Ok((!t.trim().is_empty()).then(|| t.trim().to_string()))
    };
    let from = form.optional_date(FROM)?;
    let to = form.optional_date(TO)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Bad::Rule("audit_pane.bad_range"));
    }
    // A kind the trail does not have would show an empty trail that looks like good news.
    let kind = some(KIND)?;
    if kind
        .as_deref()
        .is_some_and(|k| !crate::workflow::audit_kinds::is_kind(k))
    {
        return Err(Bad::Rule("audit_pane.bad_kind"));
    }
    Ok(FormCommand::ShowAudit(AuditFilter {
        user: some(USER)?,
        record: some(RECORD)?,
        kind,
        from,
        to,
    }))
}
