//! Keys are data: `config/keymap.toml` compiled in, a user file over it. Each binding maps a
//! key to a typed [`Action`] in a [`Section`]; problems are reported with file, line and name.

use crate::i18n::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use serde::de::IntoDeserializer;
use std::collections::BTreeMap;
use std::path::Path;

pub const DEFAULT_KEYMAP: &str = include_str!("../../config/keymap.toml");

/// The name the built-in keymap goes by in reports.
const BUILT_IN: &str = "keymap.toml (built-in)";

/// Every command a key can give, one variant per command. Names in the keymap file are the
/// snake_case variant names (`next_pane`, `open_warning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    Back,
    NextPane,
    PrevPane,
    PaneToday,
    PaneLedger,
    PaneWarnings,
    PaneInspections,
    PaneClassification,
    PaneDisposal,
    PaneArchive,
    PaneSummary,
    /// The audit trail (auditors and managers; others are told why not).
    AuditTrail,
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Open,
    Filter,
    ClearFilter,
    SortNext,
    SortPrev,
    SortReverse,
    NextTab,
    PrevTab,
    NewContact,
    NewStatement,
    NewRepayment,
    SetCovenant,
    NewWarning,
    OpenWarning,
    MyWarnings,
    MyInspections,
    FilterLevel,
    FilterStatus,
    FilterMine,
    FilterIndicator,
    Acknowledge,
    StartDisposal,
    Resolve,
    Dismiss,
    WriteCause,
    IssueNotice,
    RaiseManual,
    OpenLoan,
    FilterKind,
    StartInspection,
    EditSection,
    SubmitReport,
    ApproveReport,
    ReturnReport,
    AttachEvidence,
    AddMeasure,
    ProposeClass,
    /// Score the report's checklist (a form with one field per item).
    Checklist,
    /// Approve the selected proposal, or the marked ones (the classification pane).
    ApproveProposal,
    RejectProposal,
    /// Mark or unmark the selected proposal for a bulk approval.
    MarkProposal,
    /// Only the loans below their floor.
    FilterFloor,
    /// The classification pane: the migration report for a period (a form asks which).
    MigrationReport,
    /// Today: the classification pane on the proposals the user may decide.
    MyProposals,
    /// The disposal pane: cases ↔ actions.
    SwitchList,
    /// Only the actions of the selected row's owner (again: everyone's).
    FilterOwner,
    AddProgress,
    StartAction,
    ActionDone,
    ActionFail,
    AddAction,
    ProposePlan,
    SubmitPlan,
    /// Approve the submitted plan (a rectification's approval issues its notice).
    ApprovePlan,
    RejectPlan,
    FailPlan,
    RecordExplanation,
    /// An approved inspection report's measures become the case's actions.
    MeasuresToActions,
    /// Record a recovery (principal, interest, costs) on a loan of the case.
    RecordRecovery,
    /// Record a demand for payment (催收): it restarts the limitation period.
    RecordDemand,
    ActionNote,
    CancelAction,
    /// Close the case with a reason (refused while warnings or actions are open).
    CloseCase,
    /// The warning board: one row per risk case ↔ one row per signal.
    ByBorrower,
    /// Today: the disposal pane on the user's overdue actions (or the cases needing a plan).
    MyDisposal,
    /// Today: select in the legal clocks block (j/k, Enter opens the loan's Disposal tab).
    MyClocks,
    /// The archive pane: only the selected row's loan (again: every loan).
    FilterLoan,
    /// The archive pane: only the selected row's borrower (again: every borrower).
    FilterBorrower,
    /// The archive pane: all → last 30 days → this year → last year.
    FilterDate,
    /// The archive pane: a feedback note from the selected case's or report's document.
    Feedback,
    /// The summary pane: a form asks the period (month, quarter, year or dates).
    SummaryPeriod,
    /// The summary pane: write "problems found and measures to improve" and sign the
    /// period's summary (supervisors and managers).
    SummarySign,
    NextField,
    PrevField,
    Save,
    Cancel,
}

impl Action {
    /// Every action, in declaration order (a test checks none is missing).
    pub const ALL: [Action; 96] = [
        Action::Quit,
        Action::Help,
        Action::Back,
        Action::NextPane,
        Action::PrevPane,
        Action::PaneToday,
        Action::PaneLedger,
        Action::PaneWarnings,
        Action::PaneInspections,
        Action::PaneClassification,
        Action::PaneDisposal,
        Action::PaneArchive,
        Action::PaneSummary,
        Action::AuditTrail,
        Action::Down,
        Action::Up,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Filter,
        Action::ClearFilter,
        Action::SortNext,
        Action::SortPrev,
        Action::SortReverse,
        Action::NextTab,
        Action::PrevTab,
        Action::NewContact,
        Action::NewStatement,
        Action::NewRepayment,
        Action::SetCovenant,
        Action::NewWarning,
        Action::OpenWarning,
        Action::MyWarnings,
        Action::MyInspections,
        Action::FilterLevel,
        Action::FilterStatus,
        Action::FilterMine,
        Action::FilterIndicator,
        Action::Acknowledge,
        Action::StartDisposal,
        Action::Resolve,
        Action::Dismiss,
        Action::WriteCause,
        Action::IssueNotice,
        Action::RaiseManual,
        Action::OpenLoan,
        Action::FilterKind,
        Action::StartInspection,
        Action::EditSection,
        Action::SubmitReport,
        Action::ApproveReport,
        Action::ReturnReport,
        Action::AttachEvidence,
        Action::AddMeasure,
        Action::ProposeClass,
        Action::Checklist,
        Action::ApproveProposal,
        Action::RejectProposal,
        Action::MarkProposal,
        Action::FilterFloor,
        Action::MigrationReport,
        Action::MyProposals,
        Action::SwitchList,
        Action::FilterOwner,
        Action::AddProgress,
        Action::StartAction,
        Action::ActionDone,
        Action::ActionFail,
        Action::AddAction,
        Action::ProposePlan,
        Action::SubmitPlan,
        Action::ApprovePlan,
        Action::RejectPlan,
        Action::FailPlan,
        Action::RecordExplanation,
        Action::MeasuresToActions,
        Action::RecordRecovery,
        Action::RecordDemand,
        Action::ActionNote,
        Action::CancelAction,
        Action::CloseCase,
        Action::ByBorrower,
        Action::MyDisposal,
        Action::MyClocks,
        Action::FilterLoan,
        Action::FilterBorrower,
        Action::FilterDate,
        Action::Feedback,
        Action::SummaryPeriod,
        Action::SummarySign,
        Action::NextField,
        Action::PrevField,
        Action::Save,
        Action::Cancel,
    ];

    /// The name in keymap files and translation keys.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::PaneToday => "pane_today",
            Action::PaneLedger => "pane_ledger",
            Action::PaneWarnings => "pane_warnings",
            Action::PaneInspections => "pane_inspections",
            Action::PaneClassification => "pane_classification",
            Action::PaneDisposal => "pane_disposal",
            Action::PaneArchive => "pane_archive",
            Action::PaneSummary => "pane_summary",
            Action::AuditTrail => "audit_trail",
            Action::Down => "down",
            Action::Up => "up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Filter => "filter",
            Action::ClearFilter => "clear_filter",
            Action::SortNext => "sort_next",
            Action::SortPrev => "sort_prev",
            Action::SortReverse => "sort_reverse",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::NewContact => "new_contact",
            Action::NewStatement => "new_statement",
            Action::NewRepayment => "new_repayment",
            Action::SetCovenant => "set_covenant",
            Action::NewWarning => "new_warning",
            Action::OpenWarning => "open_warning",
            Action::MyWarnings => "my_warnings",
            Action::MyInspections => "my_inspections",
            Action::FilterLevel => "filter_level",
            Action::FilterStatus => "filter_status",
            Action::FilterMine => "filter_mine",
            Action::FilterIndicator => "filter_indicator",
            Action::Acknowledge => "acknowledge",
            Action::StartDisposal => "start_disposal",
            Action::Resolve => "resolve",
            Action::Dismiss => "dismiss",
            Action::WriteCause => "write_cause",
            Action::IssueNotice => "issue_notice",
            Action::RaiseManual => "raise_manual",
            Action::OpenLoan => "open_loan",
            Action::FilterKind => "filter_kind",
            Action::StartInspection => "start_inspection",
            Action::EditSection => "edit_section",
            Action::SubmitReport => "submit_report",
            Action::ApproveReport => "approve_report",
            Action::ReturnReport => "return_report",
            Action::AttachEvidence => "attach_evidence",
            Action::AddMeasure => "add_measure",
            Action::ProposeClass => "propose_class",
            Action::Checklist => "checklist",
            Action::ApproveProposal => "approve_proposal",
            Action::RejectProposal => "reject_proposal",
            Action::MarkProposal => "mark_proposal",
            Action::FilterFloor => "filter_floor",
            Action::MigrationReport => "migration_report",
            Action::MyProposals => "my_proposals",
            Action::SwitchList => "switch_list",
            Action::FilterOwner => "filter_owner",
            Action::AddProgress => "add_progress",
            Action::StartAction => "start_action",
            Action::ActionDone => "action_done",
            Action::ActionFail => "action_fail",
            Action::AddAction => "add_action",
            Action::ProposePlan => "propose_plan",
            Action::SubmitPlan => "submit_plan",
            Action::ApprovePlan => "approve_plan",
            Action::RejectPlan => "reject_plan",
            Action::FailPlan => "fail_plan",
            Action::RecordExplanation => "record_explanation",
            Action::MeasuresToActions => "measures_to_actions",
            Action::RecordRecovery => "record_recovery",
            Action::RecordDemand => "record_demand",
            Action::ActionNote => "action_note",
            Action::CancelAction => "cancel_action",
            Action::CloseCase => "close_case",
            Action::ByBorrower => "by_borrower",
            Action::MyDisposal => "my_disposal",
            Action::MyClocks => "my_clocks",
            Action::FilterLoan => "filter_loan",
            Action::FilterBorrower => "filter_borrower",
            Action::FilterDate => "filter_date",
            Action::Feedback => "feedback",
            Action::SummaryPeriod => "summary_period",
            Action::SummarySign => "summary_sign",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Save => "save",
            Action::Cancel => "cancel",
        }
    }

    /// The action a keymap file means by `name`, through the same serde names.
    pub fn from_name(name: &str) -> Option<Action> {
        let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            name.into_deserializer();
        Action::deserialize(de).ok()
    }

    /// Short label for the footer (`filter`, `sort`).
    pub fn label(self, lang: Lang) -> String {
        lang.t(&format!("action_label.{}", self.name())).to_string()
    }

    /// One-line description for the `?` help.
    pub fn description(self, lang: Lang) -> String {
        lang.t(&format!("action.{}", self.name())).to_string()
    }
}

/// The sections of a keymap file. A pane looks up its own section first, then the global one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Global,
    List,
    Today,
    Board,
    Detail,
    Form,
    Inspections,
    Editor,
    Classification,
    Disposal,
    Case,
    Archive,
    /// The audit trail and an entry of it.
    Audit,
    Summary,
}

impl Section {
    pub const ALL: [Section; 14] = [
        Section::Global,
        Section::List,
        Section::Today,
        Section::Board,
        Section::Detail,
        Section::Form,
        Section::Inspections,
        Section::Editor,
        Section::Classification,
        Section::Disposal,
        Section::Case,
        Section::Archive,
        Section::Audit,
        Section::Summary,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::List => "list",
            Section::Today => "today",
            Section::Board => "board",
            Section::Detail => "detail",
            Section::Form => "form",
            Section::Inspections => "inspections",
            Section::Editor => "editor",
            Section::Classification => "classification",
            Section::Disposal => "disposal",
            Section::Case => "case",
            Section::Archive => "archive",
            Section::Audit => "audit",
            Section::Summary => "summary",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            name.into_deserializer();
        Section::deserialize(de).ok()
    }

    /// The actions this section may bind; any other name in a file is reported.
    pub fn actions(self) -> &'static [Action] {
        use Action::*;
        match self {
            Section::Global => &[
                Quit,
                Help,
                Back,
                NextPane,
                PrevPane,
                PaneToday,
                PaneLedger,
                PaneWarnings,
                PaneInspections,
                PaneClassification,
                PaneDisposal,
                PaneArchive,
                PaneSummary,
                AuditTrail,
            ],
            Section::List => &[
                Down,
                Up,
                PageDown,
                PageUp,
                Top,
                Bottom,
                Open,
                Filter,
                ClearFilter,
                SortNext,
                SortPrev,
                SortReverse,
            ],
            Section::Detail => &[
                NextTab,
                PrevTab,
                Down,
                Up,
                PageDown,
                PageUp,
                Top,
                Bottom,
                NewContact,
                NewStatement,
                NewRepayment,
                SetCovenant,
                NewWarning,
                OpenWarning,
                StartInspection,
            ],
            Section::Today => &[MyWarnings, MyInspections, MyProposals, MyDisposal, MyClocks],
            Section::Board => &[
                OpenWarning,
                FilterLevel,
                FilterStatus,
                FilterMine,
                FilterIndicator,
                Acknowledge,
                StartDisposal,
                Resolve,
                Dismiss,
                WriteCause,
                IssueNotice,
                RaiseManual,
                OpenLoan,
                StartInspection,
                ByBorrower,
            ],
            Section::Form => &[NextField, PrevField, Save, Cancel],
            Section::Inspections => &[FilterMine, FilterKind, FilterStatus, StartInspection],
            Section::Archive => &[FilterKind, FilterLoan, FilterBorrower, FilterDate, Feedback],
            Section::Classification => &[
                FilterMine,
                FilterStatus,
                FilterFloor,
                ProposeClass,
                ApproveProposal,
                RejectProposal,
                MarkProposal,
                MigrationReport,
            ],
            Section::Disposal => &[
                SwitchList,
                FilterLevel,
                FilterOwner,
                FilterStatus,
                FilterMine,
                RecordRecovery,
                RecordDemand,
            ],
            Section::Case => &[
                Down,
                Up,
                PageDown,
                PageUp,
                AddProgress,
                StartAction,
                ActionDone,
                ActionFail,
                AddAction,
                ProposePlan,
                SubmitPlan,
                ApprovePlan,
                RejectPlan,
                FailPlan,
                RecordExplanation,
                MeasuresToActions,
                RecordRecovery,
                RecordDemand,
                IssueNotice,
                ActionNote,
                CancelAction,
                CloseCase,
                OpenLoan,
            ],
            Section::Audit => &[
                Down,
                Up,
                PageDown,
                PageUp,
                Top,
                Bottom,
                Open,
                Filter,
                ClearFilter,
            ],
            Section::Summary => &[SummaryPeriod, SummarySign],
            Section::Editor => &[
                Down,
                Up,
                EditSection,
                Save,
                SubmitReport,
                ApproveReport,
                ReturnReport,
                AttachEvidence,
                AddMeasure,
                ProposeClass,
                Checklist,
            ],
        }
    }
}

/// A key as written in the keymap (`ctrl-c`, `G`, `pgdn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` subset that can be ordered and written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    /// A key as written in a keymap file: a character (`j`, `G`, `/`) or a name, optionally after
    /// `ctrl-` or `alt-`. Names and prefixes take any case, and the way the help writes a key
    /// (`PgDn`, `S-Tab`, `C-f`, `M-x`, `Bksp`) is accepted too, so it can be copied from there.
    pub fn parse(text: &str) -> Option<Key> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let prefix = |p: &str| {
                rest.get(..p.len())
                    .filter(|head| head.eq_ignore_ascii_case(p))
                    .and_then(|_| rest.get(p.len()..))
                    .filter(|r| !r.is_empty())
            };
            if let Some(r) = prefix("ctrl-").or_else(|| prefix("c-")) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = prefix("alt-").or_else(|| prefix("m-")) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        if rest.chars().count() == 1 {
            let c = rest.chars().next()?;
            return Some(Key {
                code: KeyCodeOrd::Char(c),
                ctrl,
                alt,
            });
        }
        let name = rest.to_ascii_lowercase();
        let code = match name.as_str() {
            "enter" | "return" => KeyCodeOrd::Enter,
            "esc" | "escape" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" | "s-tab" | "shift-tab" => KeyCodeOrd::BackTab,
            "space" => KeyCodeOrd::Char(' '),
            "backspace" | "bksp" => KeyCodeOrd::Backspace,
            "delete" | "del" => KeyCodeOrd::Delete,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "pgup" | "pageup" => KeyCodeOrd::PageUp,
            "pgdn" | "pagedown" => KeyCodeOrd::PageDown,
            f if f.starts_with('f') => {
                let n: u8 = f[1..].parse().ok().filter(|n| (1..=12).contains(n))?;
                KeyCodeOrd::F(n)
            }
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Delete => KeyCodeOrd::Delete,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// How the key is written in the help and the footer (ASCII: no glyph of disputed width).
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "Space".to_string(),
            KeyCodeOrd::Char(c) => crate::domain::text::display(&c.to_string()),
            KeyCodeOrd::F(n) => format!("F{n}"),
            KeyCodeOrd::Enter => "Enter".into(),
            KeyCodeOrd::Esc => "Esc".into(),
            KeyCodeOrd::Tab => "Tab".into(),
            KeyCodeOrd::BackTab => "S-Tab".into(),
            KeyCodeOrd::Backspace => "Bksp".into(),
            KeyCodeOrd::Delete => "Del".into(),
            KeyCodeOrd::Up => "Up".into(),
            KeyCodeOrd::Down => "Down".into(),
            KeyCodeOrd::Left => "Left".into(),
            KeyCodeOrd::Right => "Right".into(),
            KeyCodeOrd::Home => "Home".into(),
            KeyCodeOrd::End => "End".into(),
            KeyCodeOrd::PageUp => "PgUp".into(),
            KeyCodeOrd::PageDown => "PgDn".into(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("C-{base}"),
            (_, true) => format!("M-{base}"),
            _ => base,
        }
    }
}

/// Where a problem is: the file, and the 1-based line and column (0 when the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Loc {
    fn at(file: &str, text: &str, offset: usize) -> Loc {
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Loc {
            file: file.to_string(),
            line,
            column,
        }
    }

    fn text(&self, lang: Lang) -> String {
        if self.line == 0 {
            return self.file.clone();
        }
        lang.tf(
            "keymap.at",
            &[
                ("file", &self.file),
                ("line", &self.line),
                ("column", &self.column),
            ],
        )
    }
}

/// What is wrong with one entry of a keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file cannot be read (no permission, a directory): the built-in keys are used.
    Unreadable {
        message: String,
    },
    /// The file is not UTF-8 text (the position is the first bad byte): built-in keys used.
    NotUtf8,
    /// Not TOML: the built-in keys are used.
    Syntax {
        message: String,
    },
    UnknownSection {
        section: String,
    },
    NotATable {
        section: String,
    },
    UnknownAction {
        section: String,
        action: String,
    },
    NotAKeyList {
        section: String,
        action: String,
    },
    UnknownKey {
        section: String,
        action: String,
        key: String,
    },
    /// A plain character in `[form]`: in a field it is text, so the binding could never fire.
    TextKeyInForm {
        action: String,
        key: String,
    },
    /// Two actions of one section on one key: the first keeps it.
    KeyTwice {
        section: Section,
        key: String,
        first: Action,
        second: Action,
    },
    /// A key of a pane's section hides the same key of a section it falls back to.
    Shadowed {
        key: String,
        outer: Section,
        outer_action: Action,
        section: Section,
        action: Action,
    },
}

/// A problem found in a keymap file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Loc,
    pub kind: ProblemKind,
}

impl Problem {
    /// The report in `lang`, naming file, line, column and the name at fault.
    pub fn text(&self, lang: Lang) -> String {
        self.report(lang, &self.at.text(lang))
    }

    /// The report with the file's name only, for the status line.
    pub fn short_text(&self, lang: Lang) -> String {
        let name = Path::new(&self.at.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.at.file.clone());
        let at = Loc {
            file: crate::domain::text::display(&name),
            ..self.at.clone()
        };
        self.report(lang, &at.text(lang))
    }

    fn report(&self, lang: Lang, at: &str) -> String {
        let at: (&str, &dyn std::fmt::Display) = ("at", &at);
        match &self.kind {
            ProblemKind::Unreadable { message } => {
                lang.tf("keymap.unreadable", &[at, ("message", message)])
            }
            ProblemKind::NotUtf8 => lang.tf("keymap.not_utf8", &[at]),
            ProblemKind::Syntax { message } => {
                lang.tf("keymap.syntax", &[at, ("message", message)])
            }
            ProblemKind::UnknownSection { section } => {
                lang.tf("keymap.unknown_section", &[at, ("section", section)])
            }
            ProblemKind::NotATable { section } => {
                lang.tf("keymap.not_a_table", &[at, ("section", section)])
            }
            ProblemKind::UnknownAction { section, action } => lang.tf(
                "keymap.unknown_action",
                &[at, ("section", section), ("action", action)],
            ),
            ProblemKind::NotAKeyList { section, action } => lang.tf(
                "keymap.not_a_key_list",
                &[at, ("section", section), ("action", action)],
            ),
            ProblemKind::UnknownKey {
                section,
                action,
                key,
            } => lang.tf(
                "keymap.unknown_key",
                &[at, ("section", section), ("action", action), ("key", key)],
            ),
            ProblemKind::TextKeyInForm { action, key } => lang.tf(
                "keymap.text_key_in_form",
                &[at, ("action", action), ("key", key)],
            ),
            ProblemKind::KeyTwice {
                section,
                key,
                first,
                second,
            } => lang.tf(
                "keymap.key_twice",
                &[
                    at,
                    ("section", &section.name()),
                    ("key", key),
                    ("first", &first.name()),
                    ("second", &second.name()),
                ],
            ),
            ProblemKind::Shadowed {
                key,
                outer,
                outer_action,
                section,
                action,
            } => lang.tf(
                "keymap.shadowed",
                &[
                    at,
                    ("key", key),
                    ("outer", &outer.name()),
                    ("outer_action", &outer_action.name()),
                    ("section", &section.name()),
                    ("action", &action.name()),
                ],
            ),
        }
    }
}

/// One `action = [keys]` line that parsed: its keys and where each was written.
struct Entry {
    section: Section,
    action: Action,
    keys: Vec<(Key, String, Loc)>,
}

/// The valid entries of one file, in file order; every other entry becomes a problem and is
/// left out, so the layer below (the built-in keys) stays in force for it.
fn parse_layer(file: &str, text: &str, problems: &mut Vec<Problem>) -> Vec<Entry> {
    use toml::de::{DeTable, DeValue};
    let at = |offset: usize| Loc::at(file, text, offset);
    let root = match DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            problems.push(Problem {
                at: at(e.span().map_or(0, |s| s.start)),
                kind: ProblemKind::Syntax {
                    message: e.message().trim().replace('\n', " "),
                },
            });
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (name, value) in root.iter() {
        let here = at(name.span().start);
        let Some(section) = Section::from_name(name.get_ref()) else {
            problems.push(Problem {
                at: here,
                kind: ProblemKind::UnknownSection {
                    section: name.get_ref().to_string(),
                },
            });
            continue;
        };
        let DeValue::Table(actions) = value.get_ref() else {
            problems.push(Problem {
                at: here,
                kind: ProblemKind::NotATable {
                    section: section.name().to_string(),
                },
            });
            continue;
        };
        for (action_name, keys) in actions.iter() {
            let here = at(action_name.span().start);
            let section_name = section.name().to_string();
            let Some(action) =
                Action::from_name(action_name.get_ref()).filter(|a| section.actions().contains(a))
            else {
                problems.push(Problem {
                    at: here,
                    kind: ProblemKind::UnknownAction {
                        section: section_name,
                        action: action_name.get_ref().to_string(),
                    },
                });
                continue;
            };
            let items: Vec<_> = match keys.get_ref() {
                DeValue::String(_) => vec![keys],
                DeValue::Array(list) => list.iter().collect(),
                _ => Vec::new(),
            };
            let not_a_list = !matches!(keys.get_ref(), DeValue::String(_) | DeValue::Array(_))
                || items
                    .iter()
                    .any(|i| !matches!(i.get_ref(), DeValue::String(_)));
            if not_a_list {
                problems.push(Problem {
                    at: at(keys.span().start),
                    kind: ProblemKind::NotAKeyList {
                        section: section_name,
                        action: action.name().to_string(),
                    },
                });
                continue;
            }
            let mut parsed = Vec::new();
            let mut bad = false;
            for item in items {
                let DeValue::String(written) = item.get_ref() else {
                    continue;
                };
                match Key::parse(written) {
                    Some(key)
                        if section == Section::Form
                            && matches!(key.code, KeyCodeOrd::Char(_))
                            && !key.ctrl
                            && !key.alt =>
                    {
                        bad = true;
                        problems.push(Problem {
                            at: at(item.span().start),
                            kind: ProblemKind::TextKeyInForm {
                                action: action.name().to_string(),
                                key: written.to_string(),
                            },
                        });
                    }
                    Some(key) => parsed.push((key, written.to_string(), at(item.span().start))),
                    None => {
                        bad = true;
                        problems.push(Problem {
                            at: at(item.span().start),
                            kind: ProblemKind::UnknownKey {
                                section: section_name.clone(),
                                action: action.name().to_string(),
                                key: written.to_string(),
                            },
                        });
                    }
                }
            }
            if !bad {
                out.push(Entry {
                    section,
                    action,
                    keys: parsed,
                });
            }
        }
    }
    out
}

/// Bindings per section: (section, key) → action, plus the ordered list for help and hints.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: BTreeMap<(Section, Key), Action>,
    /// (section, action, keys) in file order, for the help overlay and the footer.
    pub listing: Vec<(Section, Action, Vec<Key>)>,
}

impl Keymap {
    /// The built-in keymap with `user` (file name, text) over it: an action the user file
    /// lists replaces its default keys. Returns the problems found, each naming the file, line,
    /// column and the name at fault; an entry with a problem is left out and its defaults stay.
    pub fn load(user: Option<(&str, &str)>) -> (Keymap, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut layer = parse_layer(BUILT_IN, DEFAULT_KEYMAP, &mut problems);
        if let Some((file, text)) = user {
            for entry in parse_layer(file, text, &mut problems) {
                match layer
                    .iter_mut()
                    .find(|e| e.section == entry.section && e.action == entry.action)
                {
                    Some(slot) => slot.keys = entry.keys,
                    None => layer.push(entry),
                }
            }
        }
        let mut map = Keymap::default();
        // Where each binding was written, for the conflicts found below.
        let mut written: BTreeMap<(Section, Key), (String, Loc)> = BTreeMap::new();
        for entry in layer {
            let mut keys = Vec::new();
            for (key, text, loc) in entry.keys {
                if let Some(first) = map.bindings.get(&(entry.section, key)) {
                    if *first != entry.action {
                        problems.push(Problem {
                            at: loc,
                            kind: ProblemKind::KeyTwice {
                                section: entry.section,
                                key: text,
                                first: *first,
                                second: entry.action,
                            },
                        });
                    }
                    continue;
                }
                map.bindings.insert((entry.section, key), entry.action);
                written.insert((entry.section, key), (text, loc));
                keys.push(key);
            }
            map.listing.push((entry.section, entry.action, keys));
        }
        // A pane's section is looked up before the sections it falls back to, so the same key
        // there would make the other action unreachable. The board's Enter opening the warning
        // where the list's Enter opens a row is the one deliberate overlap.
        let fallbacks = [
            (Section::List, Section::Global),
            (Section::Today, Section::Global),
            (Section::Board, Section::Global),
            (Section::Detail, Section::Global),
            (Section::Today, Section::List),
            (Section::Board, Section::List),
            (Section::Inspections, Section::Global),
            (Section::Inspections, Section::List),
            (Section::Editor, Section::Global),
            (Section::Classification, Section::Global),
            (Section::Classification, Section::List),
            (Section::Disposal, Section::Global),
            (Section::Disposal, Section::List),
            (Section::Case, Section::Global),
            (Section::Audit, Section::Global),
            (Section::Summary, Section::Global),
            (Section::Summary, Section::List),
        ];
        for (section, outer) in fallbacks {
            for ((s, key), action) in &map.bindings {
                if *s != section {
                    continue;
                }
                let Some(outer_action) = map.bindings.get(&(outer, *key)) else {
                    continue;
                };
                if section == Section::Board
                    && *action == Action::OpenWarning
                    && *outer_action == Action::Open
                {
                    continue;
                }
                // `A` opens the audit trail from every screen but the three where it approves
                // (the report editor, the classification pane, a risk case): there the
                // approval keeps its key, and the trail is one pane switch away.
                if *outer_action == Action::AuditTrail
                    && matches!(
                        action,
                        Action::ApproveReport | Action::ApproveProposal | Action::ApprovePlan
                    )
                {
                    continue;
                }
                // The classification pane's space marks a row for a bulk approval, as in file
                // managers; PgDn and ctrl-f still page.
                if section == Section::Classification
                    && *action == Action::MarkProposal
                    && *outer_action == Action::PageDown
                {
                    continue;
                }
                // Point at the user's line when one of the two is theirs.
                let inner = written.get(&(section, *key));
                let outer_at = written.get(&(outer, *key));
                let (text, loc) = match (inner, outer_at) {
                    (Some(i), _) if i.1.file != BUILT_IN => i.clone(),
                    (_, Some(o)) if o.1.file != BUILT_IN => o.clone(),
                    (Some(i), _) => i.clone(),
                    _ => (key.label(), Loc::at(BUILT_IN, "", 0)),
                };
                problems.push(Problem {
                    at: loc,
                    kind: ProblemKind::Shadowed {
                        key: text,
                        outer,
                        outer_action: *outer_action,
                        section,
                        action: *action,
                    },
                });
            }
        }
        (map, problems)
    }

    /// Loads the user file at `path` if there is one; a file that cannot be read is a problem
    /// and the built-in keys are used.
    pub fn load_with_user_file(path: &Path) -> (Keymap, Vec<Problem>) {
        let file = path.display().to_string();
        // `XDG_CONFIG_HOME` names the file: read with the user's own rights.
        match crate::user_rights::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Keymap::load(Some((&file, &text))),
                Err(e) => {
                    let (map, mut problems) = Keymap::load(None);
                    let at = e.utf8_error().valid_up_to();
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    problems.push(Problem {
                        at: Loc::at(&file, &text, at),
                        kind: ProblemKind::NotUtf8,
                    });
                    (map, problems)
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Keymap::load(None),
            Err(e) => {
                let (map, mut problems) = Keymap::load(None);
                problems.push(Problem {
                    at: Loc {
                        file,
                        line: 0,
                        column: 0,
                    },
                    kind: ProblemKind::Unreadable {
                        message: e.to_string(),
                    },
                });
                (map, problems)
            }
        }
    }

    /// The action bound to `key` in `section`.
    pub fn action(&self, section: Section, key: &Key) -> Option<Action> {
        self.bindings.get(&(section, *key)).copied()
    }

    /// The keys bound to `action` in `section`, in the order written.
    pub fn keys(&self, section: Section, action: Action) -> &[Key] {
        self.listing
            .iter()
            .find(|(s, a, _)| *s == section && *a == action)
            .map_or(&[], |(_, _, keys)| keys.as_slice())
    }

    /// The first key bound to `action` in `section`, as shown in hints.
    pub fn first_key(&self, section: Section, action: Action) -> Option<String> {
        self.keys(section, action).first().map(Key::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(problems: &[Problem], lang: Lang) -> Vec<String> {
        problems.iter().map(|p| p.text(lang)).collect()
    }

    #[test]
    fn default_keymap_has_no_problems() {
        let (map, problems) = Keymap::load(None);
        assert!(problems.is_empty(), "{:?}", texts(&problems, Lang::En));
        let j = Key::parse("j").unwrap();
        assert_eq!(map.action(Section::List, &j), Some(Action::Down));
        assert_eq!(
            map.action(Section::Global, &Key::parse("ctrl-c").unwrap()),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action(Section::Detail, &Key::parse("v").unwrap()),
            Some(Action::SetCovenant)
        );
    }

    #[test]
    fn every_action_is_listed_named_and_bound_somewhere() {
        for (i, a) in Action::ALL.iter().enumerate() {
            assert_eq!(*a as usize, i, "Action::ALL out of order at {a:?}");
            assert_eq!(Action::from_name(a.name()), Some(*a), "{a:?}");
            assert!(
                Section::ALL.iter().any(|s| s.actions().contains(a)),
                "{a:?} is in no section"
            );
        }
        // The last variant closes the list: nothing declared after it is missing from ALL.
        assert_eq!(Action::Cancel as usize + 1, Action::ALL.len());
        let (map, _) = Keymap::load(None);
        for s in Section::ALL {
            assert_eq!(Section::from_name(s.name()), Some(s));
            for a in s.actions() {
                assert!(
                    !map.keys(s, *a).is_empty(),
                    "[{}] {} has no key",
                    s.name(),
                    a.name()
                );
            }
        }
        assert_eq!(Action::from_name("quitt"), None);
    }

    #[test]
    fn every_action_has_a_label_and_a_description_in_both_languages() {
        for lang in [Lang::ZhCn, Lang::En] {
            for a in Action::ALL {
                let label = a.label(lang);
                let desc = a.description(lang);
                assert!(
                    !label.is_empty() && !label.starts_with("action_label."),
                    "{lang:?} {a:?} label"
                );
                assert!(
                    !desc.is_empty() && !desc.starts_with("action."),
                    "{lang:?} {a:?} description"
                );
                // Labels are for the footer: short.
                assert!(crate::domain::text::width(&label) <= 12, "{lang:?} {label}");
            }
            for s in Section::ALL {
                let key = format!("help.section_{}", s.name());
                assert_ne!(lang.t(&key), key);
            }
        }
    }

    #[test]
    fn a_user_file_replaces_an_action_and_reports_two_actions_on_one_key() {
        let user = "[list]\ndown = [\"n\"]\nup = [\"n\"]\n";
        let (map, problems) = Keymap::load(Some(("my.toml", user)));
        let n = Key::parse("n").unwrap();
        assert_eq!(map.action(Section::List, &n), Some(Action::Down));
        assert_eq!(map.action(Section::List, &Key::parse("j").unwrap()), None);
        assert_eq!(
            texts(&problems, Lang::En),
            [
                "my.toml:3:7: [list] key 'n' is bound to both 'down' and 'up'; 'down' keeps it",
                "my.toml:2:9: key 'n' is bound to [list] 'down' and [board] 'issue_notice'; [board] takes it there",
                "my.toml:2:9: key 'n' is bound to [list] 'down' and [inspections] 'start_inspection'; [inspections] takes it there",
                "my.toml:2:9: key 'n' is bound to [list] 'down' and [classification] 'propose_class'; [classification] takes it there",
            ]
        );
    }

    #[test]
    fn an_unknown_action_is_reported_with_file_line_and_name_and_defaults_stay() {
        let user = "[global]\nquit = [\"Q\"]\nquitt = [\"x\"]\n";
        let (map, problems) = Keymap::load(Some(("/home/u/keymap.toml", user)));
        assert_eq!(
            texts(&problems, Lang::En),
            [
                "/home/u/keymap.toml:3:1: [global] has no action 'quitt'; ignored, the default keys stay"
            ]
        );
        assert_eq!(
            texts(&problems, Lang::ZhCn),
            [
                "/home/u/keymap.toml 第 3 行第 1 列：[global] 中没有动作“quitt”，已忽略，沿用默认按键"
            ]
        );
        // The good line applies, the bad one changes nothing.
        let q = |s| map.action(Section::Global, &Key::parse(s).unwrap());
        assert_eq!(q("Q"), Some(Action::Quit));
        assert_eq!(q("q"), None);
        assert_eq!(q("x"), None);
        // An action of another section is unknown here.
        let (_, problems) = Keymap::load(Some(("k.toml", "[list]\nnew_contact = [\"c\"]\n")));
        assert_eq!(
            texts(&problems, Lang::En),
            ["k.toml:2:1: [list] has no action 'new_contact'; ignored, the default keys stay"]
        );
    }

    #[test]
    fn an_unknown_key_keeps_the_actions_default_keys() {
        let user = "[list]\ndown = [\"ctrl-n\", \"hyper-x\"]\n";
        let (map, problems) = Keymap::load(Some(("u.toml", user)));
        assert_eq!(
            texts(&problems, Lang::En),
            ["u.toml:2:19: [list] down: unknown key 'hyper-x'; the default keys stay"]
        );
        assert_eq!(
            texts(&problems, Lang::ZhCn),
            ["u.toml 第 2 行第 19 列：[list] down：未知按键“hyper-x”，沿用默认按键"]
        );
        let k = |s| map.action(Section::List, &Key::parse(s).unwrap());
        assert_eq!(k("j"), Some(Action::Down));
        assert_eq!(k("ctrl-n"), None);
    }

    #[test]
    fn a_wrong_section_is_reported_and_its_keys_ignored() {
        let user = "[list]\ntop = [\"t\"]\n\n[lists]\ndown = [\"n\"]\n";
        let (map, problems) = Keymap::load(Some(("u.toml", user)));
        assert_eq!(
            texts(&problems, Lang::En),
            [
                "u.toml:4:2: unknown section [lists] (sections: global, list, today, board, detail, form); its keys are ignored"
            ]
        );
        let k = |s| map.action(Section::List, &Key::parse(s).unwrap());
        assert_eq!(k("t"), Some(Action::Top));
        assert_eq!(k("n"), None);
        assert_eq!(k("j"), Some(Action::Down));
    }

    #[test]
    fn a_file_that_is_not_toml_or_not_a_list_keeps_every_default() {
        let (map, problems) = Keymap::load(Some(("u.toml", "[list]\ndown = [\"j\"\n")));
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].text(Lang::En).starts_with("u.toml:2:"),
            "{}",
            problems[0].text(Lang::En)
        );
        assert!(matches!(problems[0].kind, ProblemKind::Syntax { .. }));
        assert_eq!(
            map.action(Section::List, &Key::parse("j").unwrap()),
            Some(Action::Down)
        );
        let (_, problems) = Keymap::load(Some(("u.toml", "[form]\nsave = 5\ncancel = [1]\n")));
        assert_eq!(
            texts(&problems, Lang::En),
            [
                "u.toml:2:8: [form] save: expected a list of keys such as [\"j\", \"down\"]; the default keys stay",
                "u.toml:3:10: [form] cancel: expected a list of keys such as [\"j\", \"down\"]; the default keys stay",
            ]
        );
        let (_, problems) = Keymap::load(Some(("u.toml", "list = 3\n")));
        assert_eq!(
            texts(&problems, Lang::En),
            ["u.toml:1:1: [list] must be a table of actions; ignored"]
        );
    }

    #[test]
    fn a_file_on_disk_that_is_not_utf8_keeps_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        std::fs::write(&path, b"[list]\ndown = [\"\xff\"]\n").unwrap();
        let (map, problems) = Keymap::load_with_user_file(&path);
        assert_eq!(
            texts(&problems, Lang::En),
            [format!(
                "{}:2:10: not UTF-8 text; the built-in keys are used",
                path.display()
            )]
        );
        assert_eq!(
            map.action(Section::List, &Key::parse("j").unwrap()),
            Some(Action::Down)
        );
        let (_, none) = Keymap::load_with_user_file(&dir.path().join("absent.toml"));
        assert!(none.is_empty());
    }

    #[test]
    fn every_key_reads_back_as_the_help_writes_it_and_names_take_any_case() {
        let (map, _) = Keymap::load(None);
        for (_, _, keys) in &map.listing {
            for k in keys {
                assert_eq!(Key::parse(&k.label()), Some(*k), "{}", k.label());
            }
        }
        let p = |s| Key::parse(s);
        assert_eq!(p("Enter"), p("enter"));
        assert_eq!(p("CTRL-s"), p("ctrl-s"));
        assert_eq!(p("PgDn"), p("pgdn"));
        assert_ne!(p("G"), p("g"));
        assert_eq!(p("ctrl-"), None);
        assert_eq!(p("f13"), None);
        assert_eq!(p("hyper-x"), None);
    }

    #[test]
    fn a_plain_character_in_form_is_reported_since_it_is_text_there() {
        let user = "[form]\nsave = [\"ctrl-s\", \"s\"]\ncancel = [\"alt-q\"]\n";
        let (map, problems) = Keymap::load(Some(("u.toml", user)));
        assert_eq!(
            texts(&problems, Lang::En),
            [
                "u.toml:2:19: [form] save: 's' is typed as text in a form field, so it would never act; use ctrl-, alt- or a named key. The default keys stay"
            ]
        );
        assert_eq!(
            map.action(Section::Form, &Key::parse("f2").unwrap()),
            Some(Action::Save)
        );
        assert_eq!(
            map.action(Section::Form, &Key::parse("alt-q").unwrap()),
            Some(Action::Cancel)
        );
    }

    #[test]
    fn a_pane_key_over_a_global_key_is_reported() {
        let user = "[list]\ndown = [\"q\"]\n";
        let (_, problems) = Keymap::load(Some(("u.toml", user)));
        assert_eq!(
            texts(&problems, Lang::En),
            [
                "u.toml:2:9: key 'q' is bound to [global] 'quit' and [list] 'down'; [list] takes it there"
            ]
        );
    }
}
