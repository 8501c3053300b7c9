//! What a screen (a pane, or a detail on the back stack) of the workbench is to `App`: it owns its state, handles an action
//! ("consumed", with effects for `App` to carry out, or "not mine"), names the keymap sections
//! its commands come from (footer and help are made from them), reads again what a change
//! touched, and renders.

use super::keymap::{Action, Section};
use super::stack::Changed;
use super::theme::Theme;
use crate::engine::rules::RuleSet;
use crate::i18n::Lang;
use crate::store::{Store, WarningRow};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;

/// What a component reads with while handling an action.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub today: NaiveDate,
    /// The acting user's name (the board's "mine" filter).
    pub user: &'a str,
}

/// What a component draws with.
pub struct View<'a> {
    pub lang: Lang,
    pub theme: &'a Theme,
    pub rules: &'a RuleSet,
    pub today: NaiveDate,
    /// The bindings in force, for keys named in what a screen shows.
    pub keymap: &'a super::keymap::Keymap,
}

/// The answer to an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not this component's action: `App` tries the next handler (global keys).
    NotMine,
    /// Its action, nothing changed (no redraw).
    Unchanged,
    /// Its action, done: the screen changed, and `App` carries out the effects in order.
    Consumed(Vec<Effect>),
}

/// The forms a screen asks for; `App` builds them from the loan in front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOf {
    Contact,
    Statement,
    Repayment,
    Covenant,
}

/// Something only `App` can do: open a screen or a form, run a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Put this loan's detail in front, on its overview.
    OpenLoan(i64),
    /// Put this loan's detail in front, on its Disposal tab (outcomes and clocks).
    OpenLoanDisposal(i64),
    /// Show the warning board with this query (Today's "my warnings").
    ShowWarnings(Box<crate::store::WarningQuery>),
    /// Show the Inspections pane with this query (Today's "my inspections").
    ShowInspections(Box<crate::store::InspectionQuery>),
    /// Put this warning's detail in front.
    OpenWarning(i64),
    /// Put the warning's loan in front on its Warnings tab, the warning selected (or go
    /// back to it when it is the screen underneath).
    OpenLoanOfWarning,
    /// Open a form over the loan in front.
    OpenForm(FormOf),
    /// Open the manual-warning form for this contract (empty: the loan in front's).
    RaiseWarning(String),
    /// A warning command (acknowledge, resolve, write the cause, …) on this warning.
    WarningCommand(Box<WarningRow>, Action),
    /// Put this inspection's report editor in front.
    OpenInspection(i64),
    /// Open the start-inspection form for this contract: of the planned inspection's kind
    /// (its id), or triggered by a warning (its number), or a routine one.
    StartInspection {
        contract: String,
        planned: Option<i64>,
        warning: Option<String>,
    },
    /// A command of the report editor in front.
    Report(super::panes::inspection_editor::ReportCommand),
    /// Show the classification pane with this query (Today's "proposals to decide").
    ShowProposals(Box<crate::store::ProposalQuery>),
    /// Put this loan's detail in front on its Classification tab.
    OpenLoanClass(i64),
    /// Open the propose form for this contract (empty: typed in the form).
    ProposeClass(String),
    /// Open the approve form for these proposals (the selected one, or the marked ones).
    ApproveProposals(Vec<crate::store::ProposalRow>),
    /// Open the reject form for this proposal.
    RejectProposal(Box<crate::store::ProposalRow>),
    /// Open the form asking the migration report's period (the classification pane).
    MigrationForm,
    /// Put this risk case (its number) in front.
    OpenCase(String),
    /// A key of the case screen in front (a form over it, or a command sent at once).
    CaseAction(Action),
    /// Put audit entry `id` in front (the audit trail's Enter).
    OpenAuditEntry(i64),
    /// Open the audit trail's filter form.
    AuditFilterForm,
    /// Open the form asking the summary's period (the summary pane).
    SummaryForm,
    /// Open the form that signs the summary of the pane's period (refused on the status line
    /// to those who may not sign).
    SummarySignForm,
    /// Show the disposal pane as Today's jump key asks.
    ShowDisposal(super::panes::disposal::DisposalJump),
    /// Open this archive document in the read-only viewer (under the read rules).
    OpenDocument(i64),
    /// Open the feedback form from this archive row's case or inspection.
    DocumentFeedback(Box<crate::store::ArchiveRow>),
}

/// One footer hint: the first key bound to each action (joined by `/`) and a short label.
pub enum Hint {
    One(Section, Action),
    /// Several actions under one label (`L/T/M/I filter`); the label is a translation key.
    Group(Section, &'static [Action], &'static str),
}

/// A screen: the pane in view, or a detail on the back stack.
pub trait Component {
    /// The keymap sections its keys are looked up in, its own first, `Global` last.
    fn sections(&self) -> &'static [Section];
    /// Its commands for the footer, from the bindings in force.
    fn hints(&self) -> &'static [Hint];
    /// Actions of its own sections it has no use for (a shared section's keys, such as the
    /// list's filter on a list without one): never given to it, and left out of its `?` help.
    fn ignores(&self) -> &'static [Action] {
        &[]
    }
    /// Handles an action bound in one of its sections.
    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome>;
    /// Rows its lists show from now on (the terminal was resized).
    fn set_rows(&mut self, _rows: usize) {}
    /// Reads again what `changed` touched of what it shows (the rest when shown).
    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()>;
    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>);
}
