//! Who may do what (DOMAIN.md §1). Checked by the workflow layer before every change.

use super::codes::Role;

/// Something a user may or may not be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Record a visit, call or meeting with a borrower.
    RecordContact,
    /// Enter a financial statement by hand.
    EnterStatement,
    /// Load core-banking extracts.
    Import,
    /// Add staff and change roles.
    ManageStaff,
    /// Read the book (everyone who is staff).
    Read,
    /// Run the warning engine over the book.
    Evaluate,
    /// Raise warnings by hand, acknowledge them, write causes, issue notices.
    RaiseWarning,
    /// Set indicator thresholds: covenants of a loan (the warning indicator system).
    SetRules,
}

impl Permission {
    pub fn code(self) -> &'static str {
        match self {
            Permission::RecordContact => "record_contact",
            Permission::EnterStatement => "enter_statement",
            Permission::Import => "import",
            Permission::ManageStaff => "manage_staff",
            Permission::Read => "read",
            Permission::Evaluate => "evaluate",
            Permission::RaiseWarning => "raise_warning",
            Permission::SetRules => "set_rules",
        }
    }
}

/// Whether `role` may do `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        Read => true,
        RecordContact | EnterStatement | RaiseWarning => {
            matches!(role, Specialist | Supervisor | Manager)
        }
        Import | Evaluate | SetRules => matches!(role, Supervisor | Manager),
        ManageStaff => matches!(role, Manager),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditors_only_read() {
        assert!(allows(Role::Auditor, Permission::Read));
        assert!(!allows(Role::Auditor, Permission::RecordContact));
        assert!(!allows(Role::Auditor, Permission::Import));
    }

    #[test]
    fn only_managers_manage_staff() {
        assert!(allows(Role::Manager, Permission::ManageStaff));
        assert!(!allows(Role::Supervisor, Permission::ManageStaff));
        assert!(allows(Role::Specialist, Permission::RecordContact));
        assert!(!allows(Role::Specialist, Permission::Import));
    }
}
