//! The screens over a pane, as a back stack (Esc goes back one step), and the flags that say
//! which data a commit changed, so only what shows that data is read again.

use super::component::Component;
use super::forms::FormKind;
use super::panes::inspection_editor::InspectionEditor;
use super::panes::loan_detail::DetailState;
use super::panes::warning_detail::WarningDetail;

/// Which kinds of the book's data changed. A command's result or another connection's commit
/// (`data_version`) sets them; each screen reads again only what it shows of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed(u8);

impl Changed {
    pub const NONE: Changed = Changed(0);
    /// Loan rows: balances, dates, follow-ups, repayment status (lists, detail overview).
    pub const LOANS: Changed = Changed(1);
    pub const WARNINGS: Changed = Changed(1 << 1);
    pub const CONTACTS: Changed = Changed(1 << 2);
    pub const STATEMENTS: Changed = Changed(1 << 3);
    pub const FLOWS: Changed = Changed(1 << 4);
    pub const COVENANTS: Changed = Changed(1 << 5);
    /// Inspections: the plan, reports, reviews.
    pub const INSPECTIONS: Changed = Changed(1 << 6);
    /// Anything (another connection's commit, a read that failed busy).
    pub const ALL: Changed = Changed(0x7f);

    pub fn any(self, other: Changed) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// What saving the form with draft key `key` (`contact:PL00000001`) changes.
    pub fn of_form(kind: FormKind) -> Changed {
        match kind {
            // A contact moves the loan's last contact and next follow-up.
            FormKind::Contact => Changed::CONTACTS | Changed::LOANS,
            // Entered data is re-evaluated at once: warnings may be raised or escalated.
            FormKind::Statement => Changed::STATEMENTS | Changed::WARNINGS,
            FormKind::Repayment => Changed::LOANS | Changed::WARNINGS,
            FormKind::Covenant => Changed::COVENANTS | Changed::WARNINGS,
            FormKind::RaiseWarning
            | FormKind::ResolveWarning
            | FormKind::DismissWarning
            | FormKind::WarningCause => Changed::WARNINGS,
            // The plan's row becomes a draft (or a new one is added).
            FormKind::StartInspection
            | FormKind::ReturnReport
            | FormKind::AttachEvidence
            | FormKind::AddMeasure
            | FormKind::ProposeClass
            | FormKind::InspectionReport => Changed::INSPECTIONS,
        }
    }
}

impl std::ops::BitOr for Changed {
    type Output = Changed;
    fn bitor(self, rhs: Changed) -> Changed {
        Changed(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Changed {
    fn bitor_assign(&mut self, rhs: Changed) {
        self.0 |= rhs.0;
    }
}

/// A screen over the pane.
#[derive(Debug, Clone)]
pub enum Screen {
    Loan(Box<DetailState>),
    Warning(Box<WarningDetail>),
    Inspection(Box<InspectionEditor>),
}

impl Screen {
    pub fn component(&self) -> &dyn Component {
        match self {
            Screen::Loan(d) => d.as_ref(),
            Screen::Warning(w) => w.as_ref(),
            Screen::Inspection(e) => e.as_ref(),
        }
    }

    pub fn component_mut(&mut self) -> &mut dyn Component {
        match self {
            Screen::Loan(d) => d.as_mut(),
            Screen::Warning(w) => w.as_mut(),
            Screen::Inspection(e) => e.as_mut(),
        }
    }
}

/// The back stack of screens over the pane, the front one last. Empty: the pane shows.
/// Switching panes clears it.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    screens: Vec<Screen>,
    /// Per screen: what changed while it was under another (read again when it is in front).
    stale: Vec<Changed>,
}

impl Stack {
    pub fn push(&mut self, screen: Screen) {
        self.screens.push(screen);
        self.stale.push(Changed::NONE);
    }

    /// Goes back one step; whether there was a screen to leave.
    pub fn pop(&mut self) -> bool {
        self.stale.pop();
        self.screens.pop().is_some()
    }

    pub fn clear(&mut self) {
        self.screens.clear();
        self.stale.clear();
    }

    pub fn len(&self) -> usize {
        self.screens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.screens.is_empty()
    }

    pub fn front(&self) -> Option<&Screen> {
        self.screens.last()
    }

    pub fn front_mut(&mut self) -> Option<&mut Screen> {
        self.screens.last_mut()
    }

    /// The loan detail in front, if the front screen is one. Named like `Option::as_ref` so
    /// the form code written when this was an `Option<DetailState>` reads the same.
    #[allow(clippy::should_implement_trait)]
    pub fn as_ref(&self) -> Option<&DetailState> {
        match self.front()? {
            Screen::Loan(d) => Some(d),
            _ => None,
        }
    }

    /// The loan detail in front, to change.
    #[allow(clippy::should_implement_trait)]
    pub fn as_mut(&mut self) -> Option<&mut DetailState> {
        match self.front_mut()? {
            Screen::Loan(d) => Some(d),
            _ => None,
        }
    }

    /// Whether a loan detail is in front.
    pub fn is_some(&self) -> bool {
        self.as_ref().is_some()
    }

    pub fn is_none(&self) -> bool {
        !self.is_some()
    }

    /// The warning detail in front, if the front screen is one.
    pub fn warning(&self) -> Option<&WarningDetail> {
        match self.front()? {
            Screen::Warning(w) => Some(w),
            _ => None,
        }
    }

    /// The report editor in front, if the front screen is one.
    pub fn editor(&self) -> Option<&InspectionEditor> {
        match self.front()? {
            Screen::Inspection(e) => Some(e),
            _ => None,
        }
    }

    pub fn editor_mut(&mut self) -> Option<&mut InspectionEditor> {
        match self.front_mut()? {
            Screen::Inspection(e) => Some(e),
            _ => None,
        }
    }

    pub fn warning_mut(&mut self) -> Option<&mut WarningDetail> {
        match self.front_mut()? {
            Screen::Warning(w) => Some(w),
            _ => None,
        }
    }

    /// The screen under the front one.
    pub fn under(&self) -> Option<&Screen> {
        self.screens.iter().rev().nth(1)
    }

    /// Marks `changed` on every screen: each reads it again when next in front.
    pub fn mark_all(&mut self, changed: Changed) {
        for s in &mut self.stale {
            *s |= changed;
        }
    }

    /// Marks `changed` on the front screen again (its read failed).
    pub fn mark_front(&mut self, changed: Changed) {
        if let Some(s) = self.stale.last_mut() {
            *s |= changed;
        }
    }

    /// What changed while the front screen was hidden (cleared).
    pub fn take_front_stale(&mut self) -> Changed {
        self.stale
            .last_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Changed;
    use crate::tui::forms::FormKind;

    #[test]
    fn each_form_changes_what_its_command_writes() {
        let contact = Changed::of_form(FormKind::Contact);
        assert!(contact.any(Changed::CONTACTS) && contact.any(Changed::LOANS));
        assert!(!contact.any(Changed::WARNINGS | Changed::STATEMENTS | Changed::FLOWS));
        let statement = Changed::of_form(FormKind::Statement);
        assert!(statement.any(Changed::STATEMENTS) && statement.any(Changed::WARNINGS));
        assert!(!statement.any(Changed::CONTACTS));
        for kind in [
            FormKind::RaiseWarning,
            FormKind::ResolveWarning,
            FormKind::DismissWarning,
            FormKind::WarningCause,
        ] {
            assert_eq!(Changed::of_form(kind), Changed::WARNINGS, "{kind:?}");
        }
        assert_eq!(
            Changed::of_form(FormKind::Covenant),
            Changed::COVENANTS | Changed::WARNINGS
        );
        // Every form's command changes something.
        for kind in FormKind::ALL {
            assert_ne!(Changed::of_form(kind), Changed::default(), "{kind:?}");
        }
    }
}
