//! Forms over the workbench: each form is a typed description in its own file (its kind, its
//! subject, its named fields, and the workflow command its values make); this module opens one
//! with its draft, handles the keys while it is open and sends its command through the workflow.
//!
//! A new form: add a `FormKind`, a file here with `form(subject, lang) -> Form` (fields named by
//! `&'static str` constants of that file) and `command(&Form, subject) -> Result<FormCommand,
//! Bad>` reading the fields by those names; `FormCommand::run` sends it.

pub mod audit;
pub mod cause;
pub mod checklist;
pub mod classification;
pub mod contact;
pub mod covenant;
pub mod disposal;
pub mod feedback;
pub mod inspection;
pub mod raise;
pub mod reason;
pub mod repayment;
pub mod report;
pub mod statement;
pub mod summary;
pub mod summary_sign;
#[cfg(test)]
mod tests;

use super::app::{App, Notice, Redraw, Retry};
use super::keymap::{Action, Key, Section};
use super::stack::{FormScreen, Screen};
use super::widgets::form::Form;
use crate::domain::text::display;
use crate::domain::warning::{Level, ManualSignal, RiskType, WarningMove};
use crate::domain::{ContactRecord, CovenantRecord, RepaymentRecord, StatementRecord};
use crate::engine::rules::RuleSet;
use crate::i18n::Lang;
use crate::store::Store;
use crate::workflow::warning::{self as flow, ManualWarning};
use crate::workflow::{self, Actor, WorkflowError};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The forms of the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormKind {
    Contact,
    Statement,
    Repayment,
    Covenant,
    RaiseWarning,
    ResolveWarning,
    DismissWarning,
    WarningCause,
    StartInspection,
    ReturnReport,
    AttachEvidence,
    AddMeasure,
    ProposeClass,
    /// The report editor's sections (fields by section code); never a popup form.
    InspectionReport,
    /// The report's checklist points (fields by item code).
    Checklist,
    /// The classification pane: propose a class, approve (one or the marked), reject.
    ProposeLoanClass,
    ApproveProposals,
    RejectProposal,
    /// The classification pane: the period of the migration report (reads, writes nothing).
    MigrationPeriod,
    /// A risk case: progress, a new action, a plan, a decision on it, a failed rectification,
    /// an action's outcome (done or failed), the borrower's explanation.
    CaseProgress,
    CaseAction,
    CasePlan,
    ApprovePlan,
    RejectPlan,
    FailPlan,
    ActionDone,
    ActionFail,
    CaseExplanation,
    /// A risk case's outcomes and closing: a recovery, a demand for payment (both on a loan
    /// of the case), a note on an action, an action cancelled, the case closed.
    CaseRecovery,
    CaseDemand,
    ActionNote,
    ActionCancel,
    CaseClose,
    /// The archive pane: a feedback note from a case's or an inspection's document.
    Feedback,
    /// The audit trail's filter (reads, writes nothing).
    AuditFilter,
    /// The summary pane: the period (reads, writes nothing).
    SummaryPeriod,
    /// The summary pane: sign the period's summary.
    SummarySign,
}

impl FormKind {
    /// The command the form's save sends, when the form is one that changes the book and a
    /// role may be refused it (reading forms, and those whose rule needs the record, none).
    pub fn command(self) -> Option<crate::workflow::Command> {
        use crate::domain::warning::WarningMove;
        use crate::workflow::Command;
        Some(match self {
            FormKind::Contact => Command::RecordContact,
            FormKind::Statement => Command::EnterStatement,
            FormKind::Repayment => Command::EnterRepayment,
            FormKind::Covenant => Command::SetCovenant,
            FormKind::RaiseWarning => Command::RaiseWarning,
            FormKind::ResolveWarning => Command::MoveWarning(WarningMove::Resolve),
            FormKind::DismissWarning => Command::MoveWarning(WarningMove::Dismiss),
            FormKind::WarningCause => Command::AnalyseWarning,
            FormKind::StartInspection => Command::StartInspection,
            FormKind::ProposeLoanClass => Command::ProposeClassification,
            FormKind::RejectProposal => Command::RejectClassification,
            FormKind::CaseProgress
            | FormKind::CaseAction
            | FormKind::CasePlan
            | FormKind::ActionDone
            | FormKind::ActionFail
            | FormKind::CaseExplanation
            | FormKind::ActionNote
            | FormKind::ActionCancel => Command::WorkCase,
            FormKind::FailPlan => Command::FailRectification,
            FormKind::CaseRecovery => Command::RecordRecovery,
            FormKind::CaseDemand => Command::RecordDemand,
            FormKind::CaseClose => Command::CloseCase,
            FormKind::Feedback => Command::IssueFeedback,
            FormKind::SummarySign => Command::SignSummary,
            // Decided with the record in hand (maker-checker, the report's author, the plan's
            // kind; the screens ask before they open these), or reading.
            FormKind::ProposeClass
            | FormKind::ReturnReport
            | FormKind::AttachEvidence
            | FormKind::AddMeasure
            | FormKind::InspectionReport
            | FormKind::Checklist
            | FormKind::ApproveProposals
            | FormKind::MigrationPeriod
            | FormKind::ApprovePlan
            | FormKind::RejectPlan
            | FormKind::AuditFilter
            | FormKind::SummaryPeriod => return None,
        })
    }

    pub const ALL: [FormKind; 37] = [
        FormKind::Contact,
        FormKind::Statement,
        FormKind::Repayment,
        FormKind::Covenant,
        FormKind::RaiseWarning,
        FormKind::ResolveWarning,
        FormKind::DismissWarning,
        FormKind::WarningCause,
        FormKind::StartInspection,
        FormKind::ReturnReport,
        FormKind::AttachEvidence,
        FormKind::AddMeasure,
        FormKind::ProposeClass,
        FormKind::InspectionReport,
        FormKind::Checklist,
        FormKind::ProposeLoanClass,
        FormKind::ApproveProposals,
        FormKind::RejectProposal,
        FormKind::MigrationPeriod,
        FormKind::CaseProgress,
        FormKind::CaseAction,
        FormKind::CasePlan,
        FormKind::ApprovePlan,
        FormKind::RejectPlan,
        FormKind::FailPlan,
        FormKind::ActionDone,
        FormKind::ActionFail,
        FormKind::CaseExplanation,
        FormKind::CaseRecovery,
        FormKind::CaseDemand,
        FormKind::ActionNote,
        FormKind::ActionCancel,
        FormKind::CaseClose,
        FormKind::Feedback,
        FormKind::AuditFilter,
        FormKind::SummaryPeriod,
        FormKind::SummarySign,
    ];

    /// The kind's name in the drafts file (as in the draft keys of version 1).
    pub fn code(self) -> &'static str {
        match self {
            FormKind::Contact => "contact",
            FormKind::Statement => "statement",
            FormKind::Repayment => "repayment",
            FormKind::Covenant => "covenant",
            FormKind::RaiseWarning => "wraise",
            FormKind::ResolveWarning => "wresolve",
            FormKind::DismissWarning => "wdismiss",
            FormKind::WarningCause => "wcause",
            FormKind::StartInspection => "istart",
            FormKind::ReturnReport => "ireturn",
            FormKind::AttachEvidence => "iattach",
            FormKind::AddMeasure => "imeasure",
            FormKind::ProposeClass => "iclass",
            FormKind::InspectionReport => "ireport",
            FormKind::Checklist => "ichecklist",
            FormKind::ProposeLoanClass => "cpropose",
            FormKind::ApproveProposals => "capprove",
            FormKind::RejectProposal => "creject",
            FormKind::MigrationPeriod => "cmigration",
            FormKind::CaseProgress => "dprogress",
            FormKind::CaseAction => "daction",
            FormKind::CasePlan => "dplan",
            FormKind::ApprovePlan => "dapprove",
            FormKind::RejectPlan => "dreject",
            FormKind::FailPlan => "dfailplan",
            FormKind::ActionDone => "ddone",
            FormKind::ActionFail => "dfail",
            FormKind::CaseExplanation => "dexplain",
            FormKind::CaseRecovery => "drecovery",
            FormKind::CaseDemand => "ddemand",
            FormKind::ActionNote => "dnote",
            FormKind::ActionCancel => "dcancel",
            FormKind::CaseClose => "dclose",
            FormKind::Feedback => "afeedback",
            FormKind::AuditFilter => "afilter",
            FormKind::SummaryPeriod => "summary",
            FormKind::SummarySign => "ssign",
        }
    }

    pub fn parse(code: &str) -> Option<FormKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The field names in the order the forms had when drafts were a list of values by place
    /// (drafts file version 1, and drafts kept in the book): a v1 draft's values map to these.
    pub fn v1_fields(self) -> &'static [&'static str] {
        match self {
            FormKind::Contact => &[contact::DATE, contact::KIND, contact::NOTES],
            FormKind::Statement => &statement::V1_FIELDS,
            FormKind::Repayment => &[
                repayment::AS_OF,
                repayment::DPD,
                repayment::PRINCIPAL,
                repayment::INTEREST,
            ],
            FormKind::Covenant => &[
                covenant::INDICATOR,
                covenant::YELLOW,
                covenant::ORANGE,
                covenant::RED,
            ],
            FormKind::RaiseWarning => &[
                raise::CONTRACT,
                raise::SIGNAL,
                raise::LEVEL,
                raise::RISK,
                raise::REASON,
            ],
            FormKind::ResolveWarning | FormKind::DismissWarning => &[reason::REASON],
            FormKind::WarningCause => &[cause::CAUSE, cause::RISK, cause::JUDGED],
            // Drafts by place predate this form.
            FormKind::StartInspection => &inspection::FIELDS,
            FormKind::ReturnReport => &[report::COMMENT],
            FormKind::AttachEvidence => &[report::PATH, report::NOTE],
            FormKind::AddMeasure => &[
                report::MEASURE,
                report::DEADLINE,
                report::OWNER,
                report::NOTE,
            ],
            FormKind::ProposeClass => &[report::CLASS],
            // Drafts by place predate these: their fields are named from the start.
            FormKind::InspectionReport
            | FormKind::Checklist
            | FormKind::ProposeLoanClass
            | FormKind::ApproveProposals
            | FormKind::RejectProposal
            | FormKind::MigrationPeriod
            | FormKind::AuditFilter => &[],
            FormKind::SummaryPeriod | FormKind::SummarySign => &[],
            FormKind::CaseProgress
            | FormKind::CaseAction
            | FormKind::CasePlan
            | FormKind::ApprovePlan
            | FormKind::RejectPlan
            | FormKind::FailPlan
            | FormKind::ActionDone
            | FormKind::ActionFail
            | FormKind::CaseExplanation
            | FormKind::CaseRecovery
            | FormKind::CaseDemand
            | FormKind::ActionNote
            | FormKind::ActionCancel
            | FormKind::CaseClose => &[],
            FormKind::Feedback => &[],
        }
    }
}

/// What a form is about: a loan (by contract), a borrower, or a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Contract(String),
    Borrower(String),
    Warning(i64),
    /// An inspection, by its number.
    Inspection(String),
    /// A classification proposal, by its id.
    Proposal(i64),
    /// Several proposals (a bulk approval): each id with the version the screen showed.
    Proposals(Vec<(i64, i64)>),
    /// The whole book (a report's period).
    Book,
    /// A risk case, by its number.
    Case(String),
    /// A plan of a risk case: the case's number and the plan's id.
    CasePlan(String, i64),
    /// A disposal action, by its id.
    CaseAction(i64),
    /// A risk case by its number and id (a recovery or demand is recorded with the case's id).
    CaseId(String, i64),
    /// A period of the book (the summary signed for it).
    Period(crate::engine::summary::Period),
    /// A signed summary, by its document id (feedback drawn from it).
    Summary(i64),
}

impl Subject {
    /// The subject's text in the drafts file.
    pub fn code(&self) -> String {
        match self {
            Subject::Contract(c)
            | Subject::Borrower(c)
            | Subject::Inspection(c)
            | Subject::Case(c) => c.clone(),
            Subject::Warning(id) | Subject::Proposal(id) | Subject::CaseAction(id) => {
                id.to_string()
            }
            Subject::CasePlan(c, id) => format!("{c}#{id}"),
            Subject::CaseId(c, _) => c.clone(),
            Subject::Book => "book".to_string(),
            Subject::Period(p) => format!("{}..{}", p.from, p.to),
            Subject::Summary(id) => format!("summary#{id}"),
            Subject::Proposals(items) => items
                .iter()
                .map(|(id, _)| id.to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// Which form is open, about what: drafts are kept under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormKey {
    pub kind: FormKind,
    pub subject: Subject,
}

impl FormKey {
    pub fn new(kind: FormKind, subject: Subject) -> FormKey {
        FormKey { kind, subject }
    }
}

/// A workflow command made from a form's named values.
#[derive(Debug, Clone, PartialEq)]
pub enum FormCommand {
    Contact(ContactRecord),
    Statement(StatementRecord),
    Repayment(RepaymentRecord),
    Covenant(CovenantRecord),
    Move {
        id: i64,
        expected_version: Option<i64>,
        mv: WarningMove,
        reason: String,
    },
    Cause {
        id: i64,
        expected_version: Option<i64>,
        cause: String,
        risk: RiskType,
        judged: Level,
    },
    Raise {
        contract_no: String,
        signal: ManualSignal,
        level: Level,
        risk: RiskType,
        reason: String,
    },
    StartInspection {
        contract_no: String,
        kind: crate::domain::inspection::InspectionKind,
        mode: crate::domain::inspection::InspectionMode,
        focus: String,
        inspected_on: NaiveDate,
        inspectors: String,
        warnings: Vec<String>,
    },
    ReturnReport {
        number: String,
        expected_version: Option<i64>,
        comment: String,
    },
    Attach {
        number: String,
        expected_version: Option<i64>,
        path: String,
        note: String,
        /// The size limit from config (`inspections.evidence_max_mib`), filled in by `App`.
        max_bytes: u64,
    },
    Measure {
        number: String,
        expected_version: Option<i64>,
        entry: crate::domain::inspection::MeasureEntry,
    },
    ProposeClass {
        number: String,
        expected_version: Option<i64>,
        class: crate::domain::Classification,
    },
    Score {
        number: String,
        expected_version: Option<i64>,
        items: Vec<crate::workflow::inspection_checklist::ItemPoints>,
        /// The configured checklist, filled in by `App`.
        checklist: crate::domain::checklist::Checklist,
    },
    ProposeLoanClass {
        contract_no: String,
        to: crate::domain::Classification,
        reason: String,
        /// As the command line writes it (`floor`, `judgement`, `inspection:NUMBER`, …).
        basis: String,
        effective_on: NaiveDate,
        /// `[classification]` of the config, filled in by `App`.
        rules: Option<crate::domain::classification::ClassificationRules>,
    },
    /// One proposal or several, each with the version shown; each decided on its own.
    ApproveProposals {
        items: Vec<(i64, i64)>,
        comment: String,
        /// `[classification]` and `[inspections]` of the config, filled in by `App`.
        rules: Option<crate::domain::classification::ClassificationRules>,
        plan: Option<crate::engine::inspection_plan::PlanConfig>,
    },
    RejectProposal {
        id: i64,
        expected_version: Option<i64>,
        reason: String,
    },
    /// Show the migration report for this period in the classification pane (a read).
    ShowMigration {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Show the audit trail with this filter (a read).
    ShowAudit(crate::tui::panes::audit::AuditFilter),
    /// Show the summary of this period in the summary pane (a read).
    ShowSummary {
        period: crate::engine::summary::Period,
    },
    /// A risk case's command, with `[disposal]` and `[inspections]` filled in by `App`.
    Disposal(disposal::DisposalCommand, disposal::DisposalConfig),
    /// A feedback note to another department.
    Feedback {
        to: crate::domain::archive::Recipient,
        source: workflow::feedback::Source,
        text: String,
    },
    /// Sign the period's summary with the section "problems found and measures to improve".
    SignSummary {
        period: crate::engine::summary::Period,
        text: String,
    },
}

/// What a saved form says on the status line (an error style when it raised warnings).
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub text: String,
    pub warn: bool,
}

impl FormCommand {
    /// Sends the command through the workflow.
    pub fn run(
        &self,
        store: &mut Store,
        actor: &Actor,
        rules: &RuleSet,
        today: NaiveDate,
        lang: Lang,
    ) -> Result<Saved, WorkflowError> {
        let re_evaluated = |key: &str, report: &workflow::warning::EvalReport| {
            let n = report.new.iter().sum::<u64>() + report.escalated.iter().sum::<u64>();
            let mut text = lang.t(key).to_string();
            if n > 0 {
                text.push(' ');
                text.push_str(&lang.tf("form.new_warnings", &[("n", &n)]));
            }
            Saved { text, warn: n > 0 }
        };
        let number = |store: &Store, id: i64| -> Result<String, WorkflowError> {
            Ok(store
                .warning(id)?
                .map(|w| display(&w.row.number))
                .unwrap_or_default())
        };
        match self {
            FormCommand::Contact(rec) => {
                workflow::tracking::record_contact(store, actor, rec, today)?;
                Ok(Saved {
                    text: lang.t("form.contact_saved").to_string(),
                    warn: false,
                })
            }
            FormCommand::Statement(rec) => {
                let (_, report) =
                    workflow::tracking::enter_statement(store, actor, rec, rules, today)?;
                Ok(re_evaluated("form.statement_saved", &report))
            }
            FormCommand::Repayment(rec) => {
                let (_, report) =
                    workflow::tracking::enter_repayment(store, actor, rec, rules, today)?;
                Ok(re_evaluated("form.repayment_saved", &report))
            }
            FormCommand::Covenant(rec) => {
                let (_, report) = workflow::warning::set_covenant_and_reevaluate(
                    store, actor, rec, rules, today,
                )?;
                Ok(re_evaluated("form.covenant_saved", &report))
            }
            FormCommand::Move {
                id,
                expected_version,
                mv,
                reason,
            } => {
                let number = number(store, *id)?;
                let to =
                    flow::move_warning(store, actor, *id, *expected_version, *mv, reason, today)?;
                let status = lang.code_name("wstatus", to.code());
                Ok(Saved {
                    text: lang.tf("warning.moved", &[("number", &number), ("status", &status)]),
                    warn: false,
                })
            }
            FormCommand::Cause {
                id,
                expected_version,
                cause,
                risk,
                judged,
            } => {
                let number = number(store, *id)?;
                flow::analyse(
                    store,
                    actor,
                    *id,
                    *expected_version,
                    cause,
                    *risk,
                    *judged,
                    today,
                )?;
                Ok(Saved {
                    text: lang.tf("warning.cause_saved", &[("number", &number)]),
                    warn: false,
                })
            }
            FormCommand::Raise {
                contract_no,
                signal,
                level,
                risk,
                reason,
            } => {
                let w = ManualWarning {
                    contract_no,
                    signal: *signal,
                    level: *level,
                    risk_type: *risk,
                    reason,
                };
                let (_, number) = flow::raise_manual(store, actor, &w, today, lang)?;
                Ok(Saved {
                    text: lang.tf("warning.raised", &[("number", &number)]),
                    warn: false,
                })
            }
            FormCommand::StartInspection {
                contract_no,
                kind,
                mode,
                focus,
                inspected_on,
                inspectors,
                warnings,
            } => {
                let s = workflow::inspection::StartInspection {
                    contract_no,
                    kind: *kind,
                    mode: *mode,
                    warnings,
                    focus,
                    inspected_on: Some(*inspected_on),
                    inspectors,
                };
                let number = workflow::inspection::start(store, actor, &s, today)?;
                Ok(Saved {
                    text: lang.tf("inspections_pane.started", &[("number", &number)]),
                    warn: false,
                })
            }
            FormCommand::ReturnReport {
                number,
                expected_version,
                comment,
            } => {
                workflow::inspection::return_report(
                    store,
                    actor,
                    number,
                    *expected_version,
                    comment,
                    today,
                )?;
                Ok(Saved {
                    text: lang.tf("inspections_cli.returned", &[("number", &display(number))]),
                    warn: false,
                })
            }
            FormCommand::Attach {
                number,
                expected_version,
                path,
                note,
                max_bytes,
            } => {
                let a = workflow::inspection::attach(
                    store,
                    actor,
                    number,
                    *expected_version,
                    std::path::Path::new(path),
                    note,
                    *max_bytes,
                )?;
                let key = if a.new_link {
                    "inspections_cli.attached"
                } else {
                    "inspections_cli.attached_already"
                };
                Ok(Saved {
                    text: lang.tf(
                        key,
                        &[
                            ("number", &display(number)),
                            ("sha256", &a.sha256),
                            ("size", &a.size),
                        ],
                    ),
                    warn: false,
                })
            }
            FormCommand::Measure {
                number,
                expected_version,
                entry,
            } => {
                workflow::inspection::add_measure(store, actor, number, *expected_version, entry)?;
                Ok(Saved {
                    text: lang.tf("inspections_cli.measured", &[("number", &display(number))]),
                    warn: false,
                })
            }
            FormCommand::ProposeClass {
                number,
                expected_version,
                class,
            } => {
                workflow::inspection::propose_class(
                    store,
                    actor,
                    number,
                    *expected_version,
                    *class,
                )?;
                Ok(Saved {
                    text: lang.tf("inspections_cli.proposed", &[("number", &display(number))]),
                    warn: false,
                })
            }
            FormCommand::Score {
                number,
                expected_version,
                items,
                checklist,
            } => {
                let score = workflow::inspection_checklist::score(
                    store,
                    actor,
                    number,
                    *expected_version,
                    items,
                    checklist,
                )?;
                Ok(Saved {
                    text: lang.tf(
                        "inspections_cli.scored",
                        &[
                            ("number", &display(number)),
                            (
                                "score",
                                &workflow::inspection_checklist::score_text(score, checklist, lang),
                            ),
                        ],
                    ),
                    warn: false,
                })
            }
            FormCommand::ProposeLoanClass { .. }
            | FormCommand::ApproveProposals { .. }
            | FormCommand::RejectProposal { .. }
            | FormCommand::ShowMigration { .. }
            | FormCommand::ShowAudit(_)
            | FormCommand::ShowSummary { .. } => {
                super::class_actions::run(self, store, actor, today, lang)
            }
            FormCommand::Disposal(cmd, config) => {
                super::disposal_actions::run(cmd, config, store, actor, rules, today, lang)
            }
            FormCommand::SignSummary { period, text } => {
                let cmd = workflow::summary_sign::SignSummary {
                    period: *period,
                    text: text.clone(),
                };
                let done = workflow::summary_sign::sign(store, actor, &cmd, today, lang)?;
                Ok(Saved {
                    text: lang.tf(
                        "summary_pane.signed_done",
                        &[("number", &done.number), ("id", &done.id)],
                    ),
                    warn: false,
                })
            }
            FormCommand::Feedback { to, source, text } => {
                let cmd = workflow::feedback::IssueFeedback {
                    to: *to,
                    source: source.clone(),
                    text: text.clone(),
                };
                let done = workflow::feedback::issue(store, actor, &cmd, today, lang)?;
                Ok(Saved {
                    text: lang.tf(
                        "archive_pane.feedback_done",
                        &[
                            ("number", &done.number),
                            ("to", &lang.code_name("recipient", to.code())),
                        ],
                    ),
                    warn: false,
                })
            }
        }
    }
}

/// Why a form's values make no command: a field that does not read (its name), or a rule
/// over several fields (its translation key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    Field(&'static str),
    Rule(&'static str),
}

impl From<&'static str> for Bad {
    fn from(field: &'static str) -> Bad {
        Bad::Field(field)
    }
}

/// The command the open form's values make, by its kind.
pub fn command(form: &Form, key: &FormKey) -> Result<FormCommand, Bad> {
    match (key.kind, &key.subject) {
        (FormKind::Contact, Subject::Contract(c)) => contact::command(form, c),
        (FormKind::Statement, Subject::Borrower(b)) => statement::command(form, b),
        (FormKind::Repayment, Subject::Contract(c)) => repayment::command(form, c),
        (FormKind::Covenant, Subject::Contract(c)) => covenant::command(form, c),
        (FormKind::RaiseWarning, _) => raise::command(form),
        (FormKind::ResolveWarning, Subject::Warning(id)) => {
            reason::command(form, *id, WarningMove::Resolve)
        }
        (FormKind::DismissWarning, Subject::Warning(id)) => {
            reason::command(form, *id, WarningMove::Dismiss)
        }
        (FormKind::WarningCause, Subject::Warning(id)) => cause::command(form, *id),
        (FormKind::StartInspection, _) => inspection::command(form),
        (FormKind::ReturnReport, Subject::Inspection(n)) => report::return_command(form, n),
        (FormKind::AttachEvidence, Subject::Inspection(n)) => report::attach_command(form, n),
        (FormKind::AddMeasure, Subject::Inspection(n)) => report::measure_command(form, n),
        (FormKind::ProposeClass, Subject::Inspection(n)) => report::class_command(form, n),
        (FormKind::Checklist, Subject::Inspection(n)) => checklist::command(form, n),
        (FormKind::ProposeLoanClass, _) => classification::propose_command(form),
        (FormKind::ApproveProposals, Subject::Proposals(items)) => {
            classification::approve_command(form, items)
        }
        (FormKind::RejectProposal, Subject::Proposal(id)) => {
            classification::reject_command(form, *id)
        }
        (FormKind::MigrationPeriod, _) => classification::migration_command(form),
        (FormKind::AuditFilter, _) => audit::command(form),
        (FormKind::SummaryPeriod, _) => summary::command(form),
        (FormKind::SummarySign, Subject::Period(p)) => summary_sign::command(form, *p),
        (FormKind::CaseProgress, Subject::Case(c)) => disposal::progress_command(form, c),
        (FormKind::CaseAction, Subject::Case(c)) => disposal::action_command(form, c),
        (FormKind::CasePlan, Subject::Case(c)) => disposal::plan_command(form, c),
        (FormKind::ApprovePlan, Subject::CasePlan(c, id)) => {
            disposal::decide_command(form, c, *id, true)
        }
        (FormKind::RejectPlan, Subject::CasePlan(c, id)) => {
            disposal::decide_command(form, c, *id, false)
        }
        (FormKind::FailPlan, Subject::CasePlan(c, id)) => disposal::fail_plan_command(form, c, *id),
        (FormKind::ActionDone, Subject::CaseAction(id)) => {
            disposal::outcome_command(form, *id, crate::domain::disposal::ActionMove::Done)
        }
        (FormKind::ActionFail, Subject::CaseAction(id)) => {
            disposal::outcome_command(form, *id, crate::domain::disposal::ActionMove::Fail)
        }
        (FormKind::CaseExplanation, Subject::Case(c)) => disposal::explanation_command(form, c),
        (FormKind::CaseRecovery, Subject::CaseId(c, id)) => {
            disposal::recovery_command(form, c, *id)
        }
        (FormKind::CaseDemand, Subject::CaseId(c, id)) => disposal::demand_command(form, c, *id),
        (FormKind::ActionNote, Subject::CaseAction(id)) => disposal::note_command(form, *id),
        (FormKind::ActionCancel, Subject::CaseAction(id)) => {
            disposal::outcome_command(form, *id, crate::domain::disposal::ActionMove::Cancel)
        }
        (FormKind::CaseClose, Subject::Case(c)) => disposal::close_command(form, c),
        (FormKind::Feedback, Subject::Case(c)) => {
            feedback::command(form, workflow::feedback::Source::Case(c.clone()))
        }
        (FormKind::Feedback, Subject::Inspection(n)) => {
            feedback::command(form, workflow::feedback::Source::Inspection(n.clone()))
        }
        (FormKind::Feedback, Subject::Summary(id)) => {
            feedback::command(form, workflow::feedback::Source::Summary(*id))
        }
        _ => Err(Bad::Field("subject")),
    }
}

impl App {
    /// Opens `form` with the draft saved under `key`, if any. A drafts file that cannot be
    /// read is said on the status line; the form opens empty and is not prevented.
    pub(crate) fn open_form(&mut self, mut form: Form, key: FormKey) -> anyhow::Result<()> {
        // A form whose command the user's role may not do is refused at once, saying why,
        // before any typing (whose loan or case it is, the screens ask before this; the
        // command checks everything again when it is sent).
        if let Some(command) = key.kind.command()
            && let Err(e) = self
                .actor
                .authorize(command, &crate::workflow::Subject::NONE)
        {
            self.notice = Some(Notice {
                text: super::warning_actions::workflow_error_text(&e, self.lang),
                error: true,
            });
            return Ok(());
        }
        match self.drafts.load(&self.actor.username, &key) {
            Ok(Some(values)) => {
                form.restore(&values);
                self.notice = Some(Notice {
                    text: self.lang.t("form.draft_restored").to_string(),
                    error: false,
                });
            }
            Ok(None) => {}
            Err(e) => {
                self.notice = Some(Notice {
                    text: super::errors::draft_error_text(&e, self.lang),
                    error: true,
                });
            }
        }
        self.retry.retain(|r| *r != Retry::Submit);
        // A form already open is replaced: its text is kept as its draft first.
        if self.form().is_some() {
            self.save_draft()?;
            self.detail.pop_form();
        }
        self.detail
            .push(Screen::Form(Box::new(FormScreen { form, key })));
        Ok(())
    }

    /// Closes the open form, taking it off the stack (its save, if kept for a busy book, is
    /// dropped).
    pub(crate) fn close_form(&mut self) {
        self.detail.pop_form();
        if self.retry.contains(&Retry::Submit) {
            self.retry.retain(|r| *r != Retry::Submit);
            self.busy = !self.retry.is_empty();
        }
    }

    /// Forgets the draft of a form that was saved; failing that is only logged (the draft
    /// would come back when the form is next opened, nothing is lost).
    pub(crate) fn discard_draft(&mut self, key: &FormKey) {
        if let Err(e) = self.drafts.discard(&self.actor.username, key) {
            tracing::warn!(
                "draft {}:{} not discarded: {e}",
                key.kind.code(),
                key.subject.code()
            );
        }
    }

    /// A save that failed only because the book is busy: the form stays open with its text,
    /// says so, and the save is sent again on the next poll.
    pub(crate) fn keep_for_retry(&mut self) {
        let kept = self.lang.t("book_busy.form_kept").to_string();
        if let Some(form) = self.form_mut() {
            form.message = Some(kept);
        }
        if !self.retry.contains(&Retry::Submit) {
            self.retry.push(Retry::Submit);
        }
        self.busy = true;
        // Keep the text safe meanwhile, whatever happens to the session.
        if let Err(e) = self.save_draft() {
            tracing::warn!("draft not saved while the book is busy: {e:#}");
        }
    }

    pub(crate) fn handle_form_key(&mut self, key: KeyEvent, k: &Key) -> anyhow::Result<Redraw> {
        // In a field, a plain character is text, whatever a keymap file binds to it.
        let plain_char = matches!(key.code, KeyCode::Char(_)) && !k.ctrl && !k.alt;
        let action = (!plain_char)
            .then(|| self.keymap.action(Section::Form, k))
            .flatten();
        let Some(form) = self.detail.form_screen_mut().map(|f| &mut f.form) else {
            return Ok(false);
        };
        // In a multi-line field, Up and Down move between its lines (leaving it from its first
        // or last line), and Enter is a new line.
        let multiline = form.focused().and_then(|f| f.area.as_ref()).map(|a| {
            let (line, _) = a.cursor();
            (line, a.line_count())
        });
        if let Some((line, count)) = multiline {
            let inside = match key.code {
                KeyCode::Up => line > 0,
                KeyCode::Down => line + 1 < count,
                KeyCode::Enter => key.modifiers.is_empty(),
                _ => false,
            };
            if inside && matches!(action, None | Some(Action::NextField | Action::PrevField)) {
                return Ok(form.edit(key));
            }
        }
        match action {
            Some(Action::NextField) => form.next(),
            Some(Action::PrevField) => form.prev(),
            Some(Action::Cancel) => {
                // Esc keeps the draft: the text comes back when the form is opened again. If
                // the draft cannot be written, the form stays open with the text and says why.
                // A second Esc, once told, closes it without a draft (never a trap).
                if let Err(e) = self.save_draft() {
                    let text = self.lang.tf(
                        "forms.esc_again",
                        &[("error", &super::errors::error_text(&e, self.lang))],
                    );
                    if let Some(form) = self.form_mut()
                        && form.message.as_deref() != Some(text.as_str())
                    {
                        form.message = Some(text);
                        return Ok(true);
                    }
                }
                self.close_form();
            }
            Some(Action::Save) => self.submit_form()?,
            _ if key.code == KeyCode::Enter => {
                if form.focus + 1 < form.fields.len() {
                    form.next();
                } else {
                    self.submit_form()?;
                }
            }
            _ if key.code == KeyCode::Char('c')
                && key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                self.save_draft()?;
                self.quit = true;
            }
            _ => return Ok(form.edit(key)),
        }
        Ok(true)
    }

    /// Validates the open form, makes its command from its named values and sends it; errors
    /// stay in the form with the text, a busy book keeps the save for a retry.
    pub(crate) fn submit_form(&mut self) -> anyhow::Result<()> {
        let Some(open) = self.detail.form_screen_mut() else {
            return Ok(());
        };
        let key = open.key.clone();
        let form = &mut open.form;
        if !form.validate(self.lang) {
            return Ok(());
        }
        let cmd = match command(form, &key) {
            Ok(c) => super::disposal_actions::with_config(
                super::inspection_actions::with_config(c, &self.config),
                self.disposal_config(),
            ),
            Err(Bad::Field(field)) => {
                form.message = Some(self.lang.tf("forms.err_field", &[("field", &field)]));
                return Ok(());
            }
            Err(Bad::Rule(key)) => {
                form.message = Some(self.lang.t(key).to_string());
                return Ok(());
            }
        };
        if let FormCommand::ShowSummary { period } = cmd {
            // A read, as the migration period below.
            self.discard_draft(&key);
            self.detail.pop_form();
            self.show_summary(period)?;
            return Ok(());
        }
        if let FormCommand::ShowMigration { from, to } = cmd {
            // A read: the pane shows the report; nothing is written, so nothing is retried.
            self.discard_draft(&key);
            self.detail.pop_form();
            self.show_migration(from, to)?;
            return Ok(());
        }
        if let FormCommand::ShowAudit(filter) = cmd {
            // A user or loan the book does not have is refused in place, as a bad kind is.
            if let Some(why) = self.audit_filter_refusal(&filter)? {
                if let Some(open) = self.detail.form_screen_mut() {
                    open.form.message = Some(why);
                }
                return Ok(());
            }
            // A read as well: the trail shows the entries the filter keeps.
            self.discard_draft(&key);
            self.detail.pop_form();
            self.filter_audit(filter)?;
            return Ok(());
        }
        let result = cmd.run(
            &mut self.store,
            &self.actor,
            &self.rules,
            self.today_date,
            self.lang,
        );
        match result {
            Ok(saved) => {
                self.discard_draft(&key);
                if key.kind == FormKind::ApproveProposals {
                    // The marked ones are decided (approved or refused, each said).
                    self.classification.marks.clear();
                }
                // A saved form takes itself off the stack.
                self.detail.pop_form();
                self.retry.retain(|r| *r != Retry::Submit);
                self.busy = !self.retry.is_empty();
                self.notice = Some(Notice {
                    text: saved.text,
                    error: saved.warn,
                });
                self.data_version = self.store.data_version()?;
                self.reload_or_later()?;
            }
            Err(e) if e.is_busy() => self.keep_for_retry(),
            Err(e) => {
                let msg = super::warning_actions::workflow_error_text(&e, self.lang);
                if let Some(form) = self.form_mut() {
                    form.message = Some(msg);
                }
            }
        }
        Ok(())
    }
}
