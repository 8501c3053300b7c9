//! Who may do what (DOMAIN.md §1): one [`authorize`] holds every rule — by role, by the
//! subject's maker (maker-checker) and by how far an approval reaches.

use super::codes::{Classification, Role};
use super::warning::WarningMove;

/// Every state-changing command of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Load a core-banking extract.
    Import,
    /// Add staff or change a role.
    ManageStaff,
    /// Record a visit, call or meeting.
    RecordContact,
    /// Enter (or correct) a financial statement by hand.
    EnterStatement,
    /// Enter a loan's repayment status by hand.
    EnterRepayment,
    /// Set a loan's own thresholds (a covenant).
    SetCovenant,
    /// Run the warning engine over the whole book.
    EvaluateBook,
    /// Re-evaluate one loan after its data changed: the engine's own step (system only).
    Reevaluate,
    /// Raise a warning by hand.
    RaiseWarning,
    /// Issue a warning notice.
    IssueNotice,
    /// Write a warning's cause analysis.
    AnalyseWarning,
    /// Move a warning along its lifecycle.
    MoveWarning(WarningMove),
    /// Approve a proposed classification (the checker's step of a later stage): never one's
    /// own proposal; a supervisor up to 次级, a manager any tier.
    ApproveClassification(Classification),
    /// Derive the inspection plan of the whole book (the nightly batch).
    PlanInspections,
    /// Start an inspection (from the plan, a warning or a loan).
    StartInspection,
    /// Write a report: a section, a measure, the proposed class, evidence. Its author only.
    WriteInspection,
    /// Submit a report for review. Its author only.
    SubmitInspection,
    /// Approve or return a submitted report: never one's own.
    ReviewInspection,
    /// The second approval a report on a large loan needs: a manager's, never one's own.
    SecondApproveInspection,
    /// Correct an approved report with an amendment (a new version, reviewed again). Its
    /// author only.
    AmendInspection,
    /// Compare every loan's class with its regulatory floor and open floor proposals (the
    /// nightly batch; it never changes a class).
    ClassifyBook,
    /// Propose a loan's class: anyone who may work on a loan.
    ProposeClassification,
    /// Approve an upgrade out of non-performing (次级/可疑/损失 → 正常/关注): a manager's,
    /// never one's own.
    ApproveNplUpgrade,
    /// Reject a proposal (with a reason): a reviewer's, never one's own.
    RejectClassification,
    /// Record a loan's restructuring (date and reason).
    RecordRestructuring,
    /// Record a loan as credit-impaired (date and reason).
    RecordImpairment,
    /// Read the audit trail (`postloan audit`, the audit pane): auditors and managers.
    ReadAudit,
    /// Record a demand for payment (催收): a specialist on their own loans, or above.
    RecordDemand,
    /// Record a legal step: preservation, suit filed, seizure or its renewal.
    RecordLegalEvent,
    /// Record money recovered on a loan.
    RecordRecovery,
    /// Recall a loan early (提前收回).
    RecallLoan,
    /// Add collateral to a loan: a specialist on their own loans, or above.
    AddCollateral,
    /// Write off (part of) a loan (核销): managers only.
    WriteOff,
    /// Close a loan whose outstanding is 0.
    CloseLoan,
    /// Work a risk case: request an explanation, draft and submit a rectification, add and
    /// move actions, write progress reports, turn an inspection's measures into actions.
    WorkCase,
    /// Propose (draft, submit) an emergency plan: a supervisor's.
    ProposeEmergency,
    /// Approve or reject a rectification plan: a supervisor's, never one's own.
    ApproveRectification,
    /// Approve or reject an emergency plan: a manager's, never one's own.
    ApproveEmergency,
    /// Mark an approved rectification failed (it escalates the case): a supervisor's.
    FailRectification,
    /// Close a case with a reason.
    CloseCase,
    /// The nightly escalation check over the whole book.
    EscalateCases,
    /// Put a document in the archive (a contract attached or registered by path, another
    /// file), or supersede one with it: a specialist on their own loans, or above.
    ArchiveDocument,
    /// Issue a feedback note to another department from a case, a report or the summary: a
    /// specialist on their own loans, or above.
    IssueFeedback,
    /// Sign the period summary with its section "problems found and measures to improve" and
    /// keep it as a document: a supervisor's or a manager's.
    SignSummary,
}

impl Command {
    /// Every command, for the matrix and the exhaustive test (approvals at each tier).
    pub fn all() -> Vec<Command> {
        let mut all = vec![
            Command::Import,
            Command::ManageStaff,
            Command::RecordContact,
            Command::EnterStatement,
            Command::EnterRepayment,
            Command::SetCovenant,
            Command::EvaluateBook,
            Command::Reevaluate,
            Command::RaiseWarning,
            Command::IssueNotice,
            Command::AnalyseWarning,
            Command::MoveWarning(WarningMove::Acknowledge),
            Command::MoveWarning(WarningMove::StartDisposal),
            Command::MoveWarning(WarningMove::Resolve),
            Command::MoveWarning(WarningMove::Dismiss),
        ];
        all.extend(
            Classification::ALL
                .iter()
                .map(|c| Command::ApproveClassification(*c)),
        );
        all.extend([
            Command::PlanInspections,
            Command::StartInspection,
            Command::WriteInspection,
            Command::SubmitInspection,
            Command::ReviewInspection,
            Command::SecondApproveInspection,
            Command::AmendInspection,
            Command::ClassifyBook,
            Command::ProposeClassification,
            Command::ApproveNplUpgrade,
            Command::RejectClassification,
            Command::RecordRestructuring,
            Command::RecordImpairment,
            Command::ReadAudit,
            Command::RecordDemand,
            Command::RecordLegalEvent,
            Command::RecordRecovery,
            Command::RecallLoan,
            Command::AddCollateral,
            Command::WriteOff,
            Command::CloseLoan,
            Command::WorkCase,
            Command::ProposeEmergency,
            Command::ApproveRectification,
            Command::ApproveEmergency,
            Command::FailRectification,
            Command::CloseCase,
            Command::EscalateCases,
            Command::ArchiveDocument,
            Command::IssueFeedback,
            Command::SignSummary,
        ]);
        all
    }

    /// A stable code: the translation key under `[command]` and the audit action of a refusal.
    pub fn code(self) -> String {
        match self {
            Command::Import => "import".into(),
            Command::ManageStaff => "manage_staff".into(),
            Command::RecordContact => "record_contact".into(),
            Command::EnterStatement => "enter_statement".into(),
            Command::EnterRepayment => "enter_repayment".into(),
            Command::SetCovenant => "set_covenant".into(),
            Command::EvaluateBook => "evaluate_book".into(),
            Command::Reevaluate => "reevaluate".into(),
            Command::RaiseWarning => "raise_warning".into(),
            Command::IssueNotice => "issue_notice".into(),
            Command::AnalyseWarning => "analyse_warning".into(),
            Command::MoveWarning(m) => format!("move_{}", m.code()),
            Command::ApproveClassification(c) => format!("approve_{}", c.code()),
            Command::PlanInspections => "plan_inspections".into(),
            Command::StartInspection => "start_inspection".into(),
            Command::WriteInspection => "write_inspection".into(),
            Command::SubmitInspection => "submit_inspection".into(),
            Command::ReviewInspection => "review_inspection".into(),
            Command::SecondApproveInspection => "second_approve_inspection".into(),
            Command::AmendInspection => "amend_inspection".into(),
            Command::ClassifyBook => "classify_book".into(),
            Command::ProposeClassification => "propose_classification".into(),
            Command::ApproveNplUpgrade => "approve_npl_upgrade".into(),
            Command::RejectClassification => "reject_classification".into(),
            Command::RecordRestructuring => "record_restructuring".into(),
            Command::RecordImpairment => "record_impairment".into(),
            Command::ReadAudit => "read_audit".into(),
            Command::RecordDemand => "record_demand".into(),
            Command::RecordLegalEvent => "record_legal_event".into(),
            Command::RecordRecovery => "record_recovery".into(),
            Command::RecallLoan => "recall_loan".into(),
            Command::AddCollateral => "add_collateral".into(),
            Command::WriteOff => "write_off".into(),
            Command::CloseLoan => "close_loan".into(),
            Command::WorkCase => "work_case".into(),
            Command::ProposeEmergency => "propose_emergency".into(),
            Command::ApproveRectification => "approve_rectification".into(),
            Command::ApproveEmergency => "approve_emergency".into(),
            Command::FailRectification => "fail_rectification".into(),
            Command::CloseCase => "close_case".into(),
            Command::EscalateCases => "escalate_cases".into(),
            Command::ArchiveDocument => "archive_document".into(),
            Command::IssueFeedback => "issue_feedback".into(),
            Command::SignSummary => "sign_summary".into(),
        }
    }

    /// Whether the checker must be someone other than the subject's maker.
    pub fn needs_checker(self) -> bool {
        matches!(
            self,
            Command::ApproveClassification(_)
                | Command::ApproveNplUpgrade
                | Command::RejectClassification
                | Command::ReviewInspection
                | Command::SecondApproveInspection
                | Command::ApproveRectification
                | Command::ApproveEmergency
        )
    }

    /// Whether a specialist may do it only on loans (or risk cases) they are the officer of:
    /// a case's officer, the officer of one of its loans, or the owner of the action acted on.
    pub fn needs_officer(self) -> bool {
        matches!(
            self,
            Command::RecordDemand
                | Command::AddCollateral
                | Command::ArchiveDocument
                | Command::IssueFeedback
                | Command::WorkCase
                | Command::CloseCase
                // What changes a warning: raising one on a loan, its notice, its cause, its
                // lifecycle (issue #11).
                | Command::RaiseWarning
                | Command::IssueNotice
                | Command::AnalyseWarning
                | Command::MoveWarning(_)
        )
        // Left open on purpose (a colleague covering for an absent officer is normal, and
        // none of these changes a warning or a case): RecordContact, EnterStatement,
        // EnterRepayment (data entry); StartInspection (two-person visits); and
        // ProposeClassification (a proposal a reviewer checks). RecordLegalEvent is a
        // supervisor's or a manager's: no specialist reaches the check.
    }

    /// Whether only the subject's maker (a report's author) may do it.
    pub fn needs_maker(self) -> bool {
        matches!(
            self,
            Command::WriteInspection | Command::SubmitInspection | Command::AmendInspection
        )
    }
}

/// Who acts: a staff member in a role, or the engine itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    Staff { username: &'a str, role: Role },
    System,
}

/// What a command acts on, as far as the rules need it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject<'a> {
    /// Who made the record (a proposal's author), for maker-checker.
    pub maker: Option<&'a str>,
    /// The responsible officer of the loan (or the risk case) acted on, for commands a
    /// specialist may do only on their own loans.
    pub officer: Option<&'a str>,
    /// Others who count as the officer: the officers of a case's loans, the owner of the
    /// action acted on.
    pub also: &'a [String],
    /// The risk case acted on, named in a refusal.
    pub case: Option<&'a str>,
}

impl<'a> Subject<'a> {
    /// A subject no rule looks into (the book, a new record).
    pub const NONE: Subject<'static> = Subject {
        maker: None,
        officer: None,
        also: &[],
        case: None,
    };

    pub fn made_by(maker: &'a str) -> Subject<'a> {
        Subject {
            maker: Some(maker),
            ..Subject::NONE
        }
    }

    /// A loan whose responsible officer is `officer`.
    pub fn loan_of(officer: &'a str) -> Subject<'a> {
        Subject {
            officer: Some(officer),
            ..Subject::NONE
        }
    }

    /// Risk case `case` whose officer is `officer`; `also` (its loans' officers, an action's
    /// owner) may work it too.
    pub fn case_of(case: &'a str, officer: &'a str, also: &'a [String]) -> Subject<'a> {
        Subject {
            officer: Some(officer),
            also,
            case: Some(case),
            ..Subject::NONE
        }
    }
}

/// Why [`authorize`] said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The role may not do this command at all.
    Role,
    /// The actor made the subject: someone else must check it.
    OwnRecord,
    /// The role may approve, but not this far (e.g. a supervisor beyond 次级).
    AboveLimit,
    /// Only the subject's maker may do this (a report is written by its author).
    NotMaker,
    /// A specialist may do this only on loans they are the officer of.
    NotOfficer,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Role => "role",
            Refusal::OwnRecord => "own_record",
            Refusal::AboveLimit => "above_limit",
            Refusal::NotMaker => "not_maker",
            Refusal::NotOfficer => "not_officer",
        }
    }
}

/// Whether `role` (`None`: the system) may do `command` at all, whatever the subject.
fn role_may(role: Option<Role>, command: Command) -> Result<(), Refusal> {
    use Role::*;
    let staff = |ok: bool| if ok { Ok(()) } else { Err(Refusal::Role) };
    let Some(role) = role else {
        // The engine evaluates (overnight, or after data changed) and nothing else.
        return staff(matches!(
            command,
            Command::EvaluateBook
                | Command::Reevaluate
                | Command::PlanInspections
                | Command::ClassifyBook
                | Command::EscalateCases
        ));
    };
    let hands = matches!(role, Specialist | Supervisor | Manager);
    let senior = matches!(role, Supervisor | Manager);
    match command {
        Command::ManageStaff => staff(role == Manager),
        Command::Import
        | Command::SetCovenant
        | Command::EvaluateBook
        | Command::PlanInspections
        | Command::ReviewInspection => staff(senior),
        Command::SecondApproveInspection => staff(role == Manager),
        Command::StartInspection
        | Command::WriteInspection
        | Command::SubmitInspection
        | Command::AmendInspection => staff(hands),
        Command::Reevaluate => staff(false),
        Command::RecordContact
        | Command::EnterStatement
        | Command::EnterRepayment
        | Command::RaiseWarning
        | Command::IssueNotice
        | Command::AnalyseWarning
        | Command::MoveWarning(
            WarningMove::Acknowledge | WarningMove::StartDisposal | WarningMove::Resolve,
        ) => staff(hands),
        Command::MoveWarning(WarningMove::Dismiss) => staff(senior),
        Command::ApproveClassification(c) => match role {
            Manager => Ok(()),
            Supervisor if c <= Classification::Substandard => Ok(()),
            Supervisor => Err(Refusal::AboveLimit),
            _ => Err(Refusal::Role),
        },
        Command::ApproveNplUpgrade => match role {
            Manager => Ok(()),
            Supervisor => Err(Refusal::AboveLimit),
            _ => Err(Refusal::Role),
        },
        Command::ClassifyBook
        | Command::RejectClassification
        | Command::RecordRestructuring
        | Command::RecordImpairment => staff(senior),
        Command::ProposeClassification => staff(hands),
        Command::ReadAudit => staff(matches!(role, Auditor | Manager)),
        Command::RecordDemand | Command::AddCollateral => staff(hands),
        Command::RecordLegalEvent
        | Command::RecordRecovery
        | Command::RecallLoan
        | Command::CloseLoan => staff(senior),
        Command::WriteOff => staff(role == Manager),
        Command::WorkCase | Command::CloseCase => staff(hands),
        Command::ProposeEmergency
        | Command::ApproveRectification
        | Command::FailRectification
        | Command::EscalateCases => staff(senior),
        Command::ApproveEmergency => staff(role == Manager),
        Command::ArchiveDocument | Command::IssueFeedback => staff(hands),
        Command::SignSummary => staff(senior),
    }
}

/// The one place that says whether `actor` may do `command` to `subject`.
pub fn authorize(
    actor: &Principal<'_>,
    command: &Command,
    subject: &Subject<'_>,
) -> Result<(), Refusal> {
    let (username, role) = match actor {
        Principal::Staff { username, role } => (Some(*username), Some(*role)),
        Principal::System => (None, None),
    };
    role_may(role, *command)?;
    if command.needs_checker()
        && let (Some(maker), Some(user)) = (subject.maker, username)
        && maker == user
    {
        return Err(Refusal::OwnRecord);
    }
    if command.needs_maker()
        && let (Some(maker), Some(user)) = (subject.maker, username)
        && maker != user
    {
        return Err(Refusal::NotMaker);
    }
    if command.needs_officer()
        && role == Some(Role::Specialist)
        && let (Some(officer), Some(user)) = (subject.officer, username)
        && officer != user
        && !subject.also.iter().any(|o| o == user)
    {
        return Err(Refusal::NotOfficer);
    }
    Ok(())
}

/// The roles that may do `command` (to a subject they did not make), for refusals and the
/// matrix.
pub fn roles_that_may(command: Command) -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|r| role_may(Some(*r), command).is_ok())
        .collect()
}

/// Whether the system (the engine) may do `command`.
pub fn system_may(command: Command) -> bool {
    role_may(None, command).is_ok()
}

/// A coarse grouping of commands, for screens that show or hide an action by role.
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

/// Whether `role` may do `permission`: asks [`authorize`] about the command it stands for.
pub fn allows(role: Role, permission: Permission) -> bool {
    let command = match permission {
        Permission::Read => return true,
        Permission::RecordContact => Command::RecordContact,
        Permission::EnterStatement => Command::EnterStatement,
        Permission::Import => Command::Import,
        Permission::ManageStaff => Command::ManageStaff,
        Permission::Evaluate => Command::EvaluateBook,
        Permission::RaiseWarning => Command::RaiseWarning,
        Permission::SetRules => Command::SetCovenant,
    };
    let who = Principal::Staff { username: "", role };
    authorize(&who, &command, &Subject::NONE).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    /// The expected matrix, written out by hand: every role × every command.
    fn expected(role: Role, c: Command) -> bool {
        let all = [Specialist, Supervisor, Manager];
        let senior = [Supervisor, Manager];
        let who: &[Role] = match c {
            Command::ManageStaff => &[Manager],
            Command::Import
            | Command::SetCovenant
            | Command::EvaluateBook
            | Command::PlanInspections
            | Command::ReviewInspection => &senior,
            Command::SecondApproveInspection => &[Manager],
            Command::StartInspection
            | Command::WriteInspection
            | Command::SubmitInspection
            | Command::AmendInspection => &all,
            Command::Reevaluate => &[],
            Command::RecordContact
            | Command::EnterStatement
            | Command::EnterRepayment
            | Command::RaiseWarning
            | Command::IssueNotice
            | Command::AnalyseWarning => &all,
            Command::MoveWarning(WarningMove::Dismiss) => &senior,
            Command::MoveWarning(_) => &all,
            Command::ApproveClassification(
                Classification::Pass | Classification::SpecialMention | Classification::Substandard,
            ) => &senior,
            Command::ApproveClassification(_) => &[Manager],
            Command::ApproveNplUpgrade => &[Manager],
            Command::ClassifyBook
            | Command::RejectClassification
            | Command::RecordRestructuring
            | Command::RecordImpairment => &senior,
            Command::ProposeClassification => &all,
            Command::ReadAudit => &[Auditor, Manager],
            Command::RecordDemand | Command::AddCollateral => &all,
            Command::RecordLegalEvent
            | Command::RecordRecovery
            | Command::RecallLoan
            | Command::CloseLoan => &senior,
            Command::WriteOff => &[Manager],
            Command::WorkCase | Command::CloseCase => &all,
            Command::ProposeEmergency
            | Command::ApproveRectification
            | Command::FailRectification
            | Command::EscalateCases => &senior,
            Command::ApproveEmergency => &[Manager],
            Command::ArchiveDocument | Command::IssueFeedback => &all,
            Command::SignSummary => &senior,
        };
        who.contains(&role)
    }

    #[test]
    fn every_role_and_command_is_as_written() {
        let commands = Command::all();
        assert_eq!(
            commands.len(),
            15 + Classification::ALL.len() + 7 + 6 + 1 + 7 + 7 + 2 + 1
        );
        for role in Role::ALL {
            for c in &commands {
                let who = Principal::Staff {
                    username: "u",
                    role: *role,
                };
                assert_eq!(
                    authorize(&who, c, &Subject::NONE).is_ok(),
                    expected(*role, *c),
                    "{role:?} × {c:?}"
                );
                assert_eq!(
                    roles_that_may(*c).contains(role),
                    expected(*role, *c),
                    "{c:?}"
                );
            }
        }
        for c in &commands {
            let system = matches!(
                c,
                Command::EvaluateBook
                    | Command::Reevaluate
                    | Command::PlanInspections
                    | Command::ClassifyBook
                    | Command::EscalateCases
            );
            assert_eq!(
                authorize(&Principal::System, c, &Subject::NONE).is_ok(),
                system,
                "{c:?}"
            );
        }
    }

    #[test]
    fn nobody_approves_their_own_and_a_supervisor_stops_at_substandard() {
        let sup = Principal::Staff {
            username: "wang",
            role: Supervisor,
        };
        let boss = Principal::Staff {
            username: "li",
            role: Manager,
        };
        let approve = Command::ApproveClassification(Classification::Substandard);
        assert_eq!(
            authorize(&sup, &approve, &Subject::made_by("zhang")),
            Ok(())
        );
        assert_eq!(
            authorize(&sup, &approve, &Subject::made_by("wang")),
            Err(Refusal::OwnRecord)
        );
        assert_eq!(
            authorize(&boss, &approve, &Subject::made_by("li")),
            Err(Refusal::OwnRecord),
            "a manager's own proposal too"
        );
        let doubtful = Command::ApproveClassification(Classification::Doubtful);
        assert_eq!(
            authorize(&sup, &doubtful, &Subject::made_by("zhang")),
            Err(Refusal::AboveLimit)
        );
        assert_eq!(
            authorize(&boss, &doubtful, &Subject::made_by("zhang")),
            Ok(())
        );
        // Commands without a checker step ignore the maker.
        assert_eq!(
            authorize(&sup, &Command::RaiseWarning, &Subject::made_by("wang")),
            Ok(())
        );
    }

    #[test]
    fn upgrades_out_of_npl_are_a_managers_and_rejections_a_checkers() {
        let sup = Principal::Staff {
            username: "wang",
            role: Supervisor,
        };
        let boss = Principal::Staff {
            username: "li",
            role: Manager,
        };
        let up = Command::ApproveNplUpgrade;
        assert_eq!(
            authorize(&sup, &up, &Subject::made_by("zhang")),
            Err(Refusal::AboveLimit)
        );
        assert_eq!(authorize(&boss, &up, &Subject::made_by("zhang")), Ok(()));
        assert_eq!(
            authorize(&boss, &up, &Subject::made_by("li")),
            Err(Refusal::OwnRecord)
        );
        let reject = Command::RejectClassification;
        assert_eq!(authorize(&sup, &reject, &Subject::made_by("zhang")), Ok(()));
        assert_eq!(
            authorize(&sup, &reject, &Subject::made_by("wang")),
            Err(Refusal::OwnRecord)
        );
        // The engine's floor proposals are `system`'s: any reviewer may decide them.
        assert_eq!(
            authorize(
                &sup,
                &Command::ApproveClassification(Classification::SpecialMention),
                &Subject::made_by("system")
            ),
            Ok(())
        );
    }

    #[test]
    fn reports_are_written_by_their_author_and_checked_by_someone_else() {
        let zhang = Principal::Staff {
            username: "zhang",
            role: Specialist,
        };
        let sup = Principal::Staff {
            username: "wang",
            role: Supervisor,
        };
        let boss = Principal::Staff {
            username: "li",
            role: Manager,
        };
        let own = Subject::made_by("zhang");
        for c in [
            Command::WriteInspection,
            Command::SubmitInspection,
            Command::AmendInspection,
        ] {
            assert_eq!(authorize(&zhang, &c, &own), Ok(()));
            assert_eq!(
                authorize(&sup, &c, &own),
                Err(Refusal::NotMaker),
                "{c:?}: someone else's report"
            );
        }
        let review = Command::ReviewInspection;
        assert_eq!(authorize(&zhang, &review, &own), Err(Refusal::Role));
        assert_eq!(authorize(&sup, &review, &own), Ok(()));
        assert_eq!(
            authorize(&sup, &review, &Subject::made_by("wang")),
            Err(Refusal::OwnRecord)
        );
        let second = Command::SecondApproveInspection;
        assert_eq!(authorize(&sup, &second, &own), Err(Refusal::Role));
        assert_eq!(authorize(&boss, &second, &own), Ok(()));
        assert_eq!(
            authorize(&boss, &second, &Subject::made_by("li")),
            Err(Refusal::OwnRecord)
        );
    }

    #[test]
    fn disposal_plans_are_approved_by_someone_else_at_their_level() {
        let zhang = Principal::Staff {
            username: "zhang",
            role: Specialist,
        };
        let sup = Principal::Staff {
            username: "wang",
            role: Supervisor,
        };
        let boss = Principal::Staff {
            username: "li",
            role: Manager,
        };
        let auditor = Principal::Staff {
            username: "hu",
            role: Auditor,
        };
        let rect = Command::ApproveRectification;
        assert_eq!(
            authorize(&zhang, &rect, &Subject::made_by("x")),
            Err(Refusal::Role)
        );
        assert_eq!(authorize(&sup, &rect, &Subject::made_by("zhang")), Ok(()));
        assert_eq!(
            authorize(&sup, &rect, &Subject::made_by("wang")),
            Err(Refusal::OwnRecord)
        );
        let emergency = Command::ApproveEmergency;
        assert_eq!(
            authorize(&sup, &emergency, &Subject::made_by("zhang")),
            Err(Refusal::Role)
        );
        assert_eq!(
            authorize(&boss, &emergency, &Subject::made_by("wang")),
            Ok(())
        );
        assert_eq!(
            authorize(&boss, &emergency, &Subject::made_by("li")),
            Err(Refusal::OwnRecord)
        );
        assert_eq!(
            authorize(&zhang, &Command::ProposeEmergency, &Subject::NONE),
            Err(Refusal::Role)
        );
        for c in [
            Command::WorkCase,
            Command::CloseCase,
            Command::ProposeEmergency,
        ] {
            assert_eq!(authorize(&auditor, &c, &Subject::NONE), Err(Refusal::Role));
        }
    }

    #[test]
    fn a_specialist_acts_on_their_own_loans_and_seniors_on_any() {
        let zhang = Principal::Staff {
            username: "zhang",
            role: Specialist,
        };
        let sup = Principal::Staff {
            username: "wang",
            role: Supervisor,
        };
        for c in [
            Command::RecordDemand,
            Command::AddCollateral,
            Command::ArchiveDocument,
            Command::IssueFeedback,
            Command::WorkCase,
            Command::CloseCase,
            Command::RaiseWarning,
            Command::IssueNotice,
            Command::AnalyseWarning,
            Command::MoveWarning(WarningMove::Acknowledge),
            Command::MoveWarning(WarningMove::StartDisposal),
            Command::MoveWarning(WarningMove::Resolve),
        ] {
            assert_eq!(authorize(&zhang, &c, &Subject::loan_of("zhang")), Ok(()));
            assert_eq!(
                authorize(&zhang, &c, &Subject::loan_of("li")),
                Err(Refusal::NotOfficer),
                "{c:?}"
            );
            assert_eq!(authorize(&sup, &c, &Subject::loan_of("li")), Ok(()));
        }
        // Data entry stays open: covering for an absent colleague.
        for c in [
            Command::RecordContact,
            Command::EnterStatement,
            Command::EnterRepayment,
            Command::StartInspection,
            Command::ProposeClassification,
        ] {
            assert_eq!(
                authorize(&zhang, &c, &Subject::loan_of("li")),
                Ok(()),
                "{c:?}"
            );
        }
        // A write-off is a manager's; a recall a supervisor's or a manager's.
        assert_eq!(
            authorize(&sup, &Command::WriteOff, &Subject::loan_of("wang")),
            Err(Refusal::Role)
        );
        assert_eq!(
            authorize(&zhang, &Command::RecallLoan, &Subject::loan_of("zhang")),
            Err(Refusal::Role)
        );
        assert_eq!(
            authorize(&sup, &Command::RecallLoan, &Subject::NONE),
            Ok(())
        );
    }

    #[test]
    fn a_specialist_works_a_case_of_theirs_only() {
        let zhang = Principal::Staff {
            username: "zhang",
            role: Specialist,
        };
        let chen = Principal::Staff {
            username: "chen",
            role: Specialist,
        };
        let sup = Principal::Staff {
            username: "wang",
            role: Supervisor,
        };
        let loans = ["chen".to_string()];
        for c in [Command::WorkCase, Command::CloseCase] {
            // The case's officer, the officer of one of its loans, a supervisor: yes.
            assert_eq!(
                authorize(&zhang, &c, &Subject::case_of("CZ1", "zhang", &[])),
                Ok(())
            );
            assert_eq!(
                authorize(&chen, &c, &Subject::case_of("CZ1", "zhang", &loans)),
                Ok(())
            );
            assert_eq!(
                authorize(&sup, &c, &Subject::case_of("CZ1", "zhang", &[])),
                Ok(())
            );
            // Another specialist: no, saying whose it is.
            assert_eq!(
                authorize(&chen, &c, &Subject::case_of("CZ1", "zhang", &[])),
                Err(Refusal::NotOfficer),
                "{c:?}"
            );
        }
    }

    #[test]
    fn the_coarse_permissions_follow_authorize() {
        assert!(allows(Auditor, Permission::Read));
        assert!(!allows(Auditor, Permission::RecordContact));
        assert!(!allows(Auditor, Permission::Import));
        assert!(allows(Manager, Permission::ManageStaff));
        assert!(!allows(Supervisor, Permission::ManageStaff));
        assert!(allows(Specialist, Permission::RecordContact));
        assert!(!allows(Specialist, Permission::Import));
    }
}
