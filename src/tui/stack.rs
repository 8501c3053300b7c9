//! The screens over a pane, as a back stack (Esc goes back one step), and the flags that say
//! which data a commit changed, so only what shows that data is read again.

use super::component::Component;
use super::forms::FormKey;
use super::forms::FormKind;
use super::panes::audit::{AuditEntryScreen, AuditScreen};
use super::panes::case_detail::CaseScreen;
use super::panes::document_viewer::DocumentViewer;
use super::panes::help::Help;
use super::panes::inspection_editor::InspectionEditor;
use super::panes::loan_detail::DetailState;
use super::panes::warning_detail::WarningDetail;
use super::widgets::form::Form;

/// Which kinds of the book's data changed. A command's result or another connection's commit
/// (`data_version`) sets them; each screen reads again only what it shows of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed(u16);

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
    /// Classification proposals and decisions (the pane, a loan's Classification tab).
    pub const CLASSES: Changed = Changed(1 << 7);
    /// Risk cases, their plans, actions and progress (the disposal pane, a case, Today's
    /// disposal block, the board's by-borrower view, a loan's Disposal tab).
    pub const DISPOSAL: Changed = Changed(1 << 8);
    /// Anything (another connection's commit, a read that failed busy).
    pub const ALL: Changed = Changed(0x1ff);

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
            | FormKind::Checklist
            | FormKind::InspectionReport => Changed::INSPECTIONS,
            FormKind::ProposeLoanClass | FormKind::RejectProposal => Changed::CLASSES,
            // An approval changes the loan's class; a downgrade plans an inspection.
            FormKind::ApproveProposals => Changed::CLASSES | Changed::LOANS | Changed::INSPECTIONS,
            // A period or a filter to read: nothing written.
            FormKind::MigrationPeriod | FormKind::AuditFilter | FormKind::SummaryPeriod => {
                Changed::default()
            }
            // A plan may tighten the loans' tracking; a failed rectification escalates the
            // case and may plan an inspection; an action joins the case's deadlines.
            FormKind::CaseProgress
            | FormKind::CaseAction
            | FormKind::ActionDone
            | FormKind::ActionFail
            | FormKind::CaseExplanation
            | FormKind::ActionNote
            | FormKind::ActionCancel => Changed::DISPOSAL,
            // A recovery moves the outstanding and re-evaluates the loan; a demand restarts
            // the limitation clock; closing restores the loans' tracking.
            FormKind::CaseRecovery | FormKind::CaseDemand | FormKind::CaseClose => {
                Changed::DISPOSAL | Changed::LOANS | Changed::WARNINGS
            }
            FormKind::CasePlan
            | FormKind::ApprovePlan
            | FormKind::RejectPlan
            | FormKind::FailPlan => Changed::DISPOSAL | Changed::LOANS | Changed::INSPECTIONS,
            // A new document: only the archive shows it (it reads on any change).
            FormKind::Feedback => Changed::DISPOSAL,
            // A signed summary: the archive and the summary pane (which reads on any change).
            FormKind::SummarySign => Changed::DISPOSAL,
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

/// A screen over the pane. A form and the help are overlays: drawn over the screen under
/// them (the front detail, or the pane), which stays visible behind.
#[derive(Debug, Clone)]
pub enum Screen {
    Loan(Box<DetailState>),
    Warning(Box<WarningDetail>),
    Inspection(Box<InspectionEditor>),
    /// A risk case (the disposal pane's Enter, the board's by-borrower view, a loan's tab).
    Case(Box<CaseScreen>),
    /// A document of the archive, read-only.
    Document(Box<DocumentViewer>),
    /// An open form and which form it is, about what (its draft is kept under it).
    Form(Box<FormScreen>),
    /// The `?` help (any key closes it).
    Help(Box<Help>),
    /// The audit trail (auditors and managers).
    Audit(Box<AuditScreen>),
    /// One audit entry: before → after, its hashes.
    AuditEntry(Box<AuditEntryScreen>),
}

/// A form on the stack.
#[derive(Debug, Clone)]
pub struct FormScreen {
    pub form: Form,
    pub key: FormKey,
}

impl Screen {
    /// The component of a detail; None for an overlay (form, help).
    pub fn component(&self) -> Option<&dyn Component> {
        match self {
            Screen::Loan(d) => Some(d.as_ref()),
            Screen::Warning(w) => Some(w.as_ref()),
            Screen::Form(_) | Screen::Help(_) => None,
            Screen::Inspection(e) => Some(e.as_ref()),
            Screen::Case(c) => Some(c.as_ref()),
            Screen::Document(v) => Some(v.as_ref()),
            Screen::Audit(a) => Some(a.as_ref()),
            Screen::AuditEntry(e) => Some(e.as_ref()),
        }
    }

    pub fn component_mut(&mut self) -> Option<&mut dyn Component> {
        match self {
            Screen::Loan(d) => Some(d.as_mut()),
            Screen::Warning(w) => Some(w.as_mut()),
            Screen::Form(_) | Screen::Help(_) => None,
            Screen::Inspection(e) => Some(e.as_mut()),
            Screen::Case(c) => Some(c.as_mut()),
            Screen::Document(v) => Some(v.as_mut()),
            Screen::Audit(a) => Some(a.as_mut()),
            Screen::AuditEntry(e) => Some(e.as_mut()),
        }
    }

    /// Whether this screen is drawn over the one under it (a form, the help).
    pub fn is_overlay(&self) -> bool {
        matches!(self, Screen::Form(_) | Screen::Help(_))
    }
}

/// The back stack of screens over the pane, the top one last: details, and over them the
/// overlays (a form, the help). Empty: the pane shows. Switching panes clears it.
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

    /// Goes back one step (the top screen, overlay or not); whether there was one to leave.
    pub fn pop(&mut self) -> bool {
        self.stale.pop();
        self.screens.pop().is_some()
    }

    pub fn clear(&mut self) {
        self.screens.clear();
        self.stale.clear();
    }

    /// How many screens are on the stack, overlays included.
    pub fn len(&self) -> usize {
        self.screens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.screens.is_empty()
    }

    /// Screen `i` from the bottom of the stack.
    pub fn get(&self, i: usize) -> Option<&Screen> {
        self.screens.get(i)
    }

    /// The top screen, overlay or not.
    pub fn top(&self) -> Option<&Screen> {
        self.screens.last()
    }

    /// Where the front detail is: the top screen that is not an overlay.
    fn front_index(&self) -> Option<usize> {
        self.screens.iter().rposition(|s| !s.is_overlay())
    }

    /// The front detail (the top screen that is not an overlay): what the overlays are drawn
    /// over and what reads again. None: the pane is in view.
    pub fn front(&self) -> Option<&Screen> {
        self.screens.get(self.front_index()?)
    }

    pub fn front_mut(&mut self) -> Option<&mut Screen> {
        let i = self.front_index()?;
        self.screens.get_mut(i)
    }

    /// The risk case in front, if the front screen is one.
    pub fn case(&self) -> Option<&CaseScreen> {
        match self.front()? {
            Screen::Case(c) => Some(c),
            _ => None,
        }
    }

    /// The overlays over the front detail (or the pane), bottom-up, in drawing order.
    pub fn overlays(&self) -> &[Screen] {
        let from = self.front_index().map_or(0, |i| i + 1);
        &self.screens[from..]
    }

    /// The open form: the top overlay that is a form (only the help goes over a form).
    pub fn form_screen(&self) -> Option<&FormScreen> {
        self.overlays().iter().rev().find_map(|s| match s {
            Screen::Form(f) => Some(f.as_ref()),
            _ => None,
        })
    }

    pub fn form_screen_mut(&mut self) -> Option<&mut FormScreen> {
        let from = self.front_index().map_or(0, |i| i + 1);
        self.screens[from..].iter_mut().rev().find_map(|s| match s {
            Screen::Form(f) => Some(f.as_mut()),
            _ => None,
        })
    }

    /// Closes the open form (and a help over it); whether there was one.
    pub fn pop_form(&mut self) -> bool {
        if self.form_screen().is_none() {
            return false;
        }
        while let Some(top) = self.screens.last() {
            let form = matches!(top, Screen::Form(_));
            self.pop();
            if form {
                break;
            }
        }
        true
    }

    /// Whether the help is the top screen.
    pub fn help_open(&self) -> bool {
        matches!(self.top(), Some(Screen::Help(_)))
    }

    /// The open help, if it is the top screen.
    pub fn help_mut(&mut self) -> Option<&mut Help> {
        match self.screens.last_mut() {
            Some(Screen::Help(h)) => Some(h),
            _ => None,
        }
    }

    /// Closes the help if it is the top screen; whether it was.
    pub fn pop_help(&mut self) -> bool {
        self.help_open() && self.pop()
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

    /// The detail under the front one.
    pub fn under(&self) -> Option<&Screen> {
        let i = self.front_index()?;
        self.screens[..i].iter().rev().find(|s| !s.is_overlay())
    }

    /// Marks `changed` on every screen: each reads it again when next in front.
    pub fn mark_all(&mut self, changed: Changed) {
        for s in &mut self.stale {
            *s |= changed;
        }
    }

    /// Marks `changed` on the front detail again (its read failed).
    pub fn mark_front(&mut self, changed: Changed) {
        if let Some(i) = self.front_index() {
            self.stale[i] |= changed;
        }
    }

    /// What changed while the front detail was hidden (cleared).
    pub fn take_front_stale(&mut self) -> Changed {
        self.front_index()
            .map(|i| std::mem::take(&mut self.stale[i]))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::{Changed, FormScreen, Screen, Stack};
    use crate::tui::forms::{FormKey, FormKind, Subject};
    use crate::tui::keymap::Section;
    use crate::tui::panes::help::Help;
    use crate::tui::widgets::form::Form;

    fn form_screen() -> Screen {
        Screen::Form(Box::new(FormScreen {
            form: Form::new("raise".into(), Vec::new()),
            key: FormKey::new(FormKind::RaiseWarning, Subject::Contract("PL1".into())),
        }))
    }

    fn help_screen() -> Screen {
        Screen::Help(Box::new(Help::new(&[Section::Form], &[Section::Global])))
    }

    #[test]
    fn a_form_and_the_help_over_the_pane_are_overlays_that_leave_one_at_a_time() {
        let mut stack = Stack::default();
        stack.push(form_screen());
        assert!(
            stack.front().is_none(),
            "the pane stays in view behind the form"
        );
        assert_eq!(stack.overlays().len(), 1);
        assert!(stack.form_screen().is_some() && !stack.help_open());
        stack.mark_all(Changed::ALL);
        assert_eq!(stack.take_front_stale(), Changed::NONE, "no detail to read");

        stack.push(help_screen());
        assert!(stack.help_open());
        assert!(
            stack.form_screen().is_some(),
            "the form is found under the help"
        );
        assert_eq!(
            stack.overlays().len(),
            2,
            "drawn bottom-up: form, then help"
        );
        assert!(matches!(stack.overlays()[0], Screen::Form(_)));
        assert!(stack.pop_help() && !stack.help_open());
        assert!(!stack.pop_help(), "the help is not in front any more");
        assert!(
            stack.form_screen().is_some(),
            "closing the help keeps the form"
        );

        stack.push(help_screen());
        assert!(
            stack.pop_form(),
            "closing the form takes the help over it too"
        );
        assert!(stack.is_empty());
        assert!(!stack.pop_form(), "no form to close");
    }

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
        // Every form's command changes something, but the migration and summary periods and
        // the audit filter, which only read.
        for kind in FormKind::ALL {
            if matches!(
                kind,
                FormKind::MigrationPeriod | FormKind::AuditFilter | FormKind::SummaryPeriod
            ) {
                assert_eq!(Changed::of_form(kind), Changed::default());
            } else {
                assert_ne!(Changed::of_form(kind), Changed::default(), "{kind:?}");
            }
        }
    }
}
