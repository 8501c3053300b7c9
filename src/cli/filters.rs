//! The filters of the listings checked before they select: a user name no staff record has,
//! or an audit kind no action has, is a usage error (exit 2) saying what is accepted, not an
//! empty listing that looks like good news.

use crate::i18n::Lang;
use crate::store::Store;

/// `--user`, `--officer`, `--owner`: a staff member's user name (a former one too: staff are
/// never deleted); with `system`, the engine's own name is accepted as well (the audit trail).
pub fn staff_name(
    store: &Store,
    flag: &str,
    name: Option<&str>,
    system: bool,
    lang: Lang,
) -> anyhow::Result<()> {
    let Some(name) = name else {
        return Ok(());
    };
    if (system && name == crate::workflow::SYSTEM_USER) || store.staff(name)?.is_some() {
        return Ok(());
    }
    Err(super::usage(lang.tf(
        "cli_args.unknown_user",
        &[
            ("flag", &flag),
            ("value", &crate::domain::text::sanitize(name)),
        ],
    )))
}

/// `--contract` of a listing: a loan's contract number the book has.
pub fn contract_no(
    store: &Store,
    flag: &str,
    contract: Option<&str>,
    lang: Lang,
) -> anyhow::Result<()> {
    let Some(contract) = contract else {
        return Ok(());
    };
    if store.loan_by_contract(contract)?.is_some() {
        return Ok(());
    }
    Err(super::usage(lang.tf(
        "cli_args.unknown_contract",
        &[
            ("flag", &flag),
            ("value", &crate::domain::text::sanitize(contract)),
        ],
    )))
}

/// `audit --kind`: an action (`warnings.raise`) or a family of them (`warnings`).
pub fn audit_kind(kind: Option<&str>, lang: Lang) -> anyhow::Result<()> {
    let Some(kind) = kind else {
        return Ok(());
    };
    if crate::workflow::audit_kinds::is_kind(kind) {
        return Ok(());
    }
    let families = crate::workflow::audit_kinds::families();
    Err(super::usage(lang.tf(
        "cli_args.bad_audit_kind",
        &[
            ("value", &crate::domain::text::sanitize(kind)),
            ("accepted", &families.join(", ")),
        ],
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_action_and_its_family_is_an_accepted_kind() {
        assert!(audit_kind(Some("warnings"), Lang::En).is_ok());
        assert!(audit_kind(Some("document.sign_summary"), Lang::En).is_ok());
        for bad in ["bogus", "warnings.", "warn", "document.nothing"] {
            let e = audit_kind(Some(bad), Lang::En).expect_err(bad);
            assert!(e.downcast_ref::<super::super::UsageError>().is_some());
            assert!(e.to_string().contains("document, "), "{e}");
        }
    }
}
