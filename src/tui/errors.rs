//! Errors as the status line says them: every failure of a key, a save, a draft or the change
//! poll becomes text in the user's language (the English `Display` text goes to the log).

use super::drafts::DraftError;
use crate::i18n::Lang;
use crate::store::StoreError;
use crate::workflow::WorkflowError;

/// Whether `e` only says that another connection holds the book (worth retrying).
pub fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_busy)
            || c.downcast_ref::<WorkflowError>()
                .is_some_and(WorkflowError::is_busy)
            || c.downcast_ref::<rusqlite::Error>()
                .is_some_and(crate::store::is_busy)
    })
}

/// A store error in the user's language.
pub fn store_error_text(e: &StoreError, lang: Lang) -> String {
    if e.is_busy() {
        return lang.t("book_busy.retrying").to_string();
    }
    match e {
        StoreError::NotFound(what) => lang.tf("store_err.not_found", &[("what", what)]),
        StoreError::Conflict(what) => lang.tf("store_err.conflict", &[("what", what)]),
        StoreError::Unknown { column, value } => lang.tf(
            "store_err.unknown",
            &[
                ("column", column),
                ("value", &crate::domain::text::display(value)),
            ],
        ),
        StoreError::ReadOnly { path, .. } | StoreError::ReadOnlyOutdated { path, .. } => {
            lang.tf("store_err.read_only", &[("path", path)])
        }
        StoreError::Sql(s) if s.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) => {
            lang.t("store_err.read_only_here").to_string()
        }
        other => lang.tf("store_err.database", &[("detail", other)]),
    }
}

/// A workflow error in the user's language.
pub fn workflow_error_text(e: &WorkflowError, lang: Lang) -> String {
    match e {
        WorkflowError::Store(s) => store_error_text(s, lang),
        other => other.localized(lang),
    }
}

/// A drafts-file error in the user's language.
pub fn draft_error_text(e: &DraftError, lang: Lang) -> String {
    match e {
        DraftError::Read { file, reason } => {
            lang.tf("drafts.err_read", &[("file", file), ("reason", reason)])
        }
        DraftError::Parse {
            file,
            line,
            column,
            reason,
        } => lang.tf(
            "drafts.err_parse",
            &[
                ("file", file),
                ("line", line),
                ("column", column),
                ("reason", reason),
            ],
        ),
        DraftError::Write { file, reason } => {
            lang.tf("drafts.err_write", &[("file", file), ("reason", reason)])
        }
        DraftError::Newer { file, version } => lang.tf(
            "forms.drafts_newer",
            &[("file", file), ("version", version)],
        ),
    }
}

/// Any error that reached the event loop, in the user's language.
pub fn error_text(e: &anyhow::Error, lang: Lang) -> String {
    if is_busy(e) {
        return lang.t("book_busy.retrying").to_string();
    }
    for c in e.chain() {
        if let Some(w) = c.downcast_ref::<WorkflowError>() {
            return workflow_error_text(w, lang);
        }
        if let Some(s) = c.downcast_ref::<StoreError>() {
            return store_error_text(s, lang);
        }
        if let Some(d) = c.downcast_ref::<DraftError>() {
            return draft_error_text(d, lang);
        }
        if let Some(s) = c.downcast_ref::<rusqlite::Error>() {
            return lang.tf("store_err.database", &[("detail", s)]);
        }
    }
    lang.tf("store_err.other", &[("detail", &format!("{e:#}"))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        )
    }

    fn locked() -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_LOCKED),
            None,
        )
    }

    #[test]
    fn busy_and_locked_say_book_busy_in_either_language_however_wrapped() {
        for lang in [Lang::ZhCn, Lang::En] {
            let want = lang.t("book_busy.retrying");
            let cases: Vec<anyhow::Error> = vec![
                anyhow::Error::new(StoreError::Sql(busy())),
                anyhow::Error::new(StoreError::Sql(locked())),
                anyhow::Error::new(WorkflowError::Store(StoreError::Sql(busy()))),
                anyhow::Error::new(busy()).context("reloading"),
                anyhow::Error::new(StoreError::Open {
                    path: "b.db".into(),
                    source: busy(),
                }),
            ];
            for e in cases {
                assert!(is_busy(&e), "{e:#}");
                assert_eq!(error_text(&e, lang), want, "{e:#}");
            }
        }
        let not = anyhow::Error::new(StoreError::NotFound("loan PL1".into()));
        assert!(!is_busy(&not));
    }

    #[test]
    fn other_errors_are_said_in_the_users_language() {
        let e = anyhow::Error::new(WorkflowError::CauseEmpty);
        assert_eq!(
            error_text(&e, Lang::ZhCn),
            Lang::ZhCn.t("workflow_err.cause_empty")
        );
        let e = anyhow::Error::new(StoreError::NotFound("PL1".into()));
        assert_eq!(
            error_text(&e, Lang::ZhCn),
            Lang::ZhCn.tf("store_err.not_found", &[("what", &"PL1")])
        );
        let e = anyhow::Error::new(DraftError::Parse {
            file: "d.json".into(),
            line: 3,
            column: 14,
            reason: "expected value".into(),
        });
        let text = error_text(&e, Lang::ZhCn);
        assert!(text.contains("d.json") && text.contains('3') && text.contains("14"));
        assert_ne!(text, error_text(&e, Lang::En));
    }
}
