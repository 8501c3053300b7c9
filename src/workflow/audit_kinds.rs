//! The kinds an audit filter takes: an action the trail names (`warnings.raise`) or a family
//! of them (`warnings`), read from the table that names every action written.

use crate::i18n::Lang;

/// Every action the trail names, sorted.
pub fn actions() -> Vec<String> {
    Lang::En.codes("audit_action")
}

/// The action families (`warnings`, `document`, …), sorted.
pub fn families() -> Vec<String> {
    let mut families: Vec<String> = actions()
        .iter()
        .filter_map(|c| c.split_once('.').map(|(f, _)| f.to_string()))
        .collect();
    families.sort();
    families.dedup();
    families
}

/// Whether `kind` is an action or a family of them.
pub fn is_kind(kind: &str) -> bool {
    actions().iter().any(|a| a == kind) || families().iter().any(|f| f == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_action_and_its_family_is_a_kind_and_nothing_else() {
        assert!(is_kind("warnings"));
        assert!(is_kind("document.sign_summary"));
        assert!(families().iter().any(|f| f == "disposal"));
        for bad in ["bogus", "warnings.", "warn", "document.nothing", ""] {
            assert!(!is_kind(bad), "{bad}");
        }
    }
}
