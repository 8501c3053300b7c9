//! Errors as the status line says them: every failure of a key, a save, a draft or the change
//! poll becomes text in the user's language (the English `Display` text goes to the log).

use super::drafts::{Damage, DraftError, OsReason};
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
        // SQLite's own words go to the log; the user reads the kind of failure.
        StoreError::Sql(s) | StoreError::Open { source: s, .. } => lang.tf(
            "store_err.database",
            &[("detail", &crate::i18n::sqlite_reason(s, lang))],
        ),
        other => {
            tracing::warn!("store error: {other}");
            lang.tf("store_err.database", &[("detail", &lang.t("os_err.other"))])
        }
    }
}

/// A workflow error in the user's language.
pub fn workflow_error_text(e: &WorkflowError, lang: Lang) -> String {
    match e {
        WorkflowError::Store(s) => store_error_text(s, lang),
        other => other.localized(lang),
    }
}

/// A drafts-file error in the user's language (the OS's reasons in words where known).
pub fn draft_error_text(e: &DraftError, lang: Lang) -> String {
    match e {
        DraftError::Read { file, reason } => lang.tf(
            "drafts_file.read",
            &[("file", file), ("reason", &os_reason_text(reason, lang))],
        ),
        DraftError::Damaged {
            file,
            damage,
            reason,
        } => lang.tf(
            "drafts_file.damaged",
            &[
                ("file", file),
                ("damage", &damage_text(damage, lang)),
                ("reason", &os_reason_text(reason, lang)),
            ],
        ),
        DraftError::Write { file, reason } => lang.tf(
            "drafts_file.write",
            &[("file", file), ("reason", &os_reason_text(reason, lang))],
        ),
        DraftError::Newer { file, version } => {
            lang.tf("drafts_file.newer", &[("file", file), ("version", version)])
        }
        // Short enough for the status line: the new name beside the old file, not its path.
        DraftError::MovedAside { to, damage, .. } => lang.tf(
            "drafts_file.moved_aside",
            &[
                ("to", &file_name(to)),
                ("damage", &damage_text(damage, lang)),
            ],
        ),
        DraftError::NewerSide {
            file,
            version,
            side,
        } => lang.tf(
            "drafts_file.newer_side",
            &[("file", file), ("version", version), ("side", side)],
        ),
    }
}

/// The last part of a path.
fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// What is wrong inside a drafts file, in the user's language.
fn damage_text(d: &Damage, lang: Lang) -> String {
    match d {
        Damage::NotUtf8 => lang.t("drafts_file.not_utf8").to_string(),
        Damage::Json { line, column } => {
            lang.tf("drafts_file.bad_at", &[("line", line), ("column", column)])
        }
    }
}

/// The operating system's reason in the user's language (its own words when not known).
pub fn os_reason_text(r: &OsReason, lang: Lang) -> String {
    match r {
        OsReason::NotFound => lang.t("drafts_file.os_not_found").to_string(),
        OsReason::PermissionDenied => lang.t("drafts_file.os_permission").to_string(),
        OsReason::NoSpace => lang.t("drafts_file.os_no_space").to_string(),
        OsReason::ReadOnly => lang.t("drafts_file.os_read_only").to_string(),
        OsReason::NotUtf8 => lang.t("drafts_file.not_utf8").to_string(),
        OsReason::Other(s) => s.clone(),
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
    fn sqlite_own_words_never_reach_the_status_line() {
        let raw = || {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT),
                Some("UNIQUE constraint failed: loans.contract_no".into()),
            )
        };
        let full = || {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("database or disk is full".into()),
            )
        };
        for lang in [Lang::ZhCn, Lang::En] {
            let said = store_error_text(&StoreError::Sql(raw()), lang);
            assert!(!said.contains("UNIQUE"), "{said}");
            assert!(said.contains(lang.t("os_err.other")), "{said}");
            let said = store_error_text(&StoreError::Sql(full()), lang);
            assert!(said.contains(lang.t("os_err.storage_full")), "{said}");
            assert!(!said.contains("database or disk"), "{said}");
        }
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
        let e = anyhow::Error::new(DraftError::Damaged {
            file: "d.json".into(),
            damage: Damage::Json {
                line: 3,
                column: 14,
            },
            reason: OsReason::PermissionDenied,
        });
        let text = error_text(&e, Lang::ZhCn);
        assert!(text.contains("d.json") && text.contains('3') && text.contains("14"));
        assert_ne!(text, error_text(&e, Lang::En));
    }
}
