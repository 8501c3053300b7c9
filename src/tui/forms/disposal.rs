//! The risk case's forms (处置): a progress report under its four headings, a new action, a
//! plan, a decision on a submitted plan, a rectification marked failed, an action's outcome and
//! the borrower's written explanation, a recovery, a demand for payment, a note on an action,
//! an action cancelled and the case closed. Each names its fields and makes one [`DisposalCommand`],
//! carrying the version the screen showed where the record is edited.

use super::{Bad, FormCommand};
use crate::domain::disposal::{ActionKind, ActionMove, PlanKind};
use crate::domain::legal::DemandChannel;
use crate::domain::recovery::{RecoveryAmounts, RecoveryKind};
use crate::domain::text::display;
use crate::domain::warning::Level;
use crate::engine::inspection_plan::PlanConfig;
use crate::i18n::Lang;
use crate::store::{ActionRow, PlanRow};
use crate::tui::widgets::form::{Choices, Field, FieldKind, Form};
use crate::workflow::disposal::DisposalSettings;
use chrono::NaiveDate;

pub const SIGNAL_NOW: &str = "signal_now";
pub const EFFECT: &str = "effect";
pub const PROBLEMS: &str = "problems";
pub const NEXT_STEPS: &str = "next_steps";
pub const KIND: &str = "kind";
pub const TITLE: &str = "title";
pub const OWNER: &str = "owner";
pub const DEADLINE: &str = "deadline";
pub const CONTRACT: &str = "contract";
pub const SUMMARY: &str = "summary";
pub const DUE: &str = "due";
pub const REASON: &str = "reason";
pub const OUTCOME: &str = "outcome";
pub const ARRIVED: &str = "arrived";
pub const DATE: &str = "date";
pub const PRINCIPAL: &str = "principal";
pub const INTEREST: &str = "interest";
pub const COSTS: &str = "costs";
pub const NOTE: &str = "note";
pub const CHANNEL: &str = "channel";

/// A disposal command made from a form (or, for the moves without one, by a key).
#[derive(Debug, Clone, PartialEq)]
pub enum DisposalCommand {
    Progress {
        case: String,
        signal_now: String,
        effect: String,
        problems: String,
        next_steps: String,
    },
    AddAction {
        case: String,
        kind: ActionKind,
        title: String,
        owner: String,
        deadline: NaiveDate,
        contract: Option<String>,
    },
    Plan {
        case: String,
        kind: PlanKind,
        summary: String,
        due: Option<NaiveDate>,
        expected_version: Option<i64>,
    },
    Submit {
        case: String,
        plan_id: i64,
        expected_version: Option<i64>,
    },
    Decide {
        case: String,
        plan_id: i64,
        approve: bool,
        reason: String,
        expected_version: Option<i64>,
    },
    FailPlan {
        case: String,
        plan_id: i64,
        reason: String,
    },
    MoveAction {
        id: i64,
        mv: ActionMove,
        outcome: String,
        expected_version: Option<i64>,
    },
    Explanation {
        case: String,
        arrived_on: NaiveDate,
        summary: String,
    },
    Measures {
        case: String,
        inspection: String,
    },
    /// A recovery on a loan of the case (`workflow::outcomes::record_recovery`).
    Recovery {
        case: String,
        case_id: i64,
        contract: String,
        on: NaiveDate,
        kind: RecoveryKind,
        amounts: RecoveryAmounts,
        note: String,
    },
    /// A demand for payment on a loan of the case (`workflow::outcomes::record_demand`).
    Demand {
        case: String,
        case_id: i64,
        contract: String,
        on: NaiveDate,
        channel: DemandChannel,
        note: String,
    },
    NoteAction {
        id: i64,
        note: String,
        expected_version: Option<i64>,
    },
    CloseCase {
        case: String,
        reason: String,
        expected_version: Option<i64>,
    },
}

/// The config a disposal command is sent with (`[disposal]`, `[inspections]`), filled in by
/// `App` before it runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DisposalConfig {
    pub settings: DisposalSettings,
    pub plan: Option<PlanConfig>,
    /// The legal clocks a closing case's disposal record lists.
    pub legal: crate::domain::legal::LegalClockRules,
}

fn notes(name: &'static str, label: &'static str, required: bool) -> Field {
    Field::new(name, label, FieldKind::Notes { required }, "")
}

/// The progress report of case `number`: the four headings, each required.
pub fn progress_form(number: &str, lang: Lang) -> Form {
    Form::new(
        lang.tf(
            "case_detail.progress_title",
            &[("number", &display(number))],
        ),
        vec![
            notes(SIGNAL_NOW, "disposal_field.signal_now", true),
            notes(EFFECT, "disposal_field.effect", true),
            notes(PROBLEMS, "disposal_field.problems", true),
            notes(NEXT_STEPS, "disposal_field.next_steps", true),
        ],
    )
}

pub fn progress_command(form: &Form, case: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::Progress {
            case: case.to_string(),
            signal_now: form.text(SIGNAL_NOW)?,
            effect: form.text(EFFECT)?,
            problems: form.text(PROBLEMS)?,
            next_steps: form.text(NEXT_STEPS)?,
        },
        DisposalConfig::default(),
    ))
}

fn action_kinds(lang: Lang) -> Choices {
    Choices::new(
        ActionKind::ALL.iter().map(|k| k.code()),
        "action_kind",
        lang,
        |s| ActionKind::parse(s).map(ActionKind::code),
    )
}

/// A new action of case `number`: kind, title, owner (the case's officer first), deadline,
/// and the contract it concerns (empty: the whole case).
pub fn action_form(
    number: &str,
    kind: ActionKind,
    owner: &str,
    deadline: NaiveDate,
    lang: Lang,
) -> Form {
    Form::new(
        lang.tf("case_detail.action_title", &[("number", &display(number))]),
        vec![
            Field::choice(
                KIND,
                "case_detail.field_kind",
                action_kinds(lang),
                kind.code(),
            ),
            Field::new(
                TITLE,
                "case_detail.field_title",
                FieldKind::Text { required: true },
                "",
            ),
            Field::new(
                OWNER,
                "case_detail.field_owner",
                FieldKind::Text { required: true },
                owner,
            ),
            Field::new(
                DEADLINE,
                "case_detail.field_deadline",
                FieldKind::Date,
                &deadline.to_string(),
            ),
            Field::new(
                CONTRACT,
                "case_detail.field_contract",
                FieldKind::Text { required: false },
                "",
            ),
        ],
    )
}

pub fn action_command(form: &Form, case: &str) -> Result<FormCommand, Bad> {
    let contract = form.text(CONTRACT)?.trim().to_string();
    Ok(FormCommand::Disposal(
        DisposalCommand::AddAction {
            case: case.to_string(),
            kind: ActionKind::parse(form.code(KIND)?).ok_or(KIND)?,
            title: form.text(TITLE)?,
            owner: form.text(OWNER)?.trim().to_string(),
            deadline: form.date(DEADLINE)?,
            contract: (!contract.is_empty()).then_some(contract),
        },
        DisposalConfig::default(),
    ))
}

/// A plan for case `number` at `level`: the kind its level calls for first (a milder one may
/// be chosen), a summary, and the due date (today plus the configured days of the kind).
pub fn plan_form(
    number: &str,
    level: Level,
    version: i64,
    settings: &DisposalSettings,
    today: NaiveDate,
    lang: Lang,
) -> Form {
    let kind = PlanKind::for_level(level);
    let kinds = Choices::new(
        PlanKind::ALL
            .iter()
            .filter(|k| **k <= kind)
            .map(|k| k.code()),
        "plan_kind",
        lang,
        |s| PlanKind::parse(s).map(PlanKind::code),
    );
    let mut form = Form::new(
        lang.tf("case_detail.plan_title", &[("number", &display(number))]),
        vec![
            Field::choice(KIND, "case_detail.field_plan_kind", kinds, kind.code()),
            notes(SUMMARY, "case_detail.field_summary", true),
            Field::new(
                DUE,
                "case_detail.field_due",
                FieldKind::OptionalDate,
                &settings.due(kind, today).to_string(),
            ),
        ],
    );
    form.expected_version = Some(version);
    form
}

pub fn plan_command(form: &Form, case: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::Plan {
            case: case.to_string(),
            kind: PlanKind::parse(form.code(KIND)?).ok_or(KIND)?,
            summary: form.text(SUMMARY)?,
            due: form.optional_date(DUE)?,
            expected_version: form.expected_version,
        },
        DisposalConfig::default(),
    ))
}

/// Approving (an optional comment) or rejecting (a reason, required) the submitted `plan`.
pub fn decide_form(number: &str, plan: &PlanRow, approve: bool, lang: Lang) -> Form {
    let key = if approve {
        "case_detail.approve_title"
    } else {
        "case_detail.reject_title"
    };
    let mut form = Form::new(
        lang.tf(
            key,
            &[
                ("number", &display(number)),
                ("id", &plan.id),
                ("kind", &lang.code_name("plan_kind", plan.kind.code())),
            ],
        ),
        vec![Field::new(
            REASON,
            if approve {
                "case_detail.field_comment"
            } else {
                "case_detail.field_reason"
            },
            if approve {
                FieldKind::Text { required: false }
            } else {
                FieldKind::Notes { required: true }
            },
            "",
        )],
    );
    form.expected_version = Some(plan.version);
    form
}

pub fn decide_command(
    form: &Form,
    case: &str,
    plan_id: i64,
    approve: bool,
) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::Decide {
            case: case.to_string(),
            plan_id,
            approve,
            reason: form.text(REASON)?,
            expected_version: form.expected_version,
        },
        DisposalConfig::default(),
    ))
}

/// Marking the rectification `plan` failed: why (required). The case turns red.
pub fn fail_plan_form(number: &str, plan: &PlanRow, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "case_detail.fail_plan_title",
            &[("number", &display(number)), ("id", &plan.id)],
        ),
        vec![notes(REASON, "case_detail.field_reason", true)],
    );
    form.expected_version = Some(plan.version);
    form
}

pub fn fail_plan_command(form: &Form, case: &str, plan_id: i64) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::FailPlan {
            case: case.to_string(),
            plan_id,
            reason: form.text(REASON)?,
        },
        DisposalConfig::default(),
    ))
}

/// Ending `action` done or failed: its outcome (required for a failure).
pub fn outcome_form(action: &ActionRow, mv: ActionMove, lang: Lang) -> Form {
    let key = if mv == ActionMove::Done {
        "case_detail.done_title"
    } else {
        "case_detail.fail_title"
    };
    let mut form = Form::new(
        lang.tf(
            key,
            &[
                ("id", &action.id),
                ("kind", &lang.code_name("action_kind", action.kind.code())),
                ("title", &display(&action.title)),
            ],
        ),
        vec![notes(
            OUTCOME,
            "case_detail.field_outcome",
            mv.needs_outcome(),
        )],
    );
    form.expected_version = Some(action.version);
    form
}

pub fn outcome_command(form: &Form, id: i64, mv: ActionMove) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::MoveAction {
            id,
            mv,
            outcome: form.text(OUTCOME)?,
            expected_version: form.expected_version,
        },
        DisposalConfig::default(),
    ))
}

/// The borrower's written explanation on case `number`: when it arrived, what it says.
pub fn explanation_form(number: &str, today: NaiveDate, lang: Lang) -> Form {
    Form::new(
        lang.tf(
            "case_detail.explanation_title",
            &[("number", &display(number))],
        ),
        vec![
            Field::new(
                ARRIVED,
                "case_detail.field_arrived",
                FieldKind::Date,
                &today.to_string(),
            ),
            notes(SUMMARY, "case_detail.field_explanation", true),
        ],
    )
}

pub fn explanation_command(form: &Form, case: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::Explanation {
            case: case.to_string(),
            arrived_on: form.date(ARRIVED)?,
            summary: form.text(SUMMARY)?,
        },
        DisposalConfig::default(),
    ))
}

/// A recovery on case `number`: the loan (the first of the case's when it has one), the
/// date (today), the kind, the three amounts and a note.
pub fn recovery_form(number: &str, contract: &str, today: NaiveDate, lang: Lang) -> Form {
    let kinds = Choices::new(
        RecoveryKind::ALL.iter().map(|k| k.code()),
        "recovery_kind",
        lang,
        |s| RecoveryKind::parse(s).map(RecoveryKind::code),
    );
    let amount = |name, label| Field::new(name, label, FieldKind::Amount, "0");
    Form::new(
        lang.tf(
            "case_detail.recovery_title",
            &[("number", &display(number))],
        ),
        vec![
            Field::new(
                CONTRACT,
                "case_detail.field_loan",
                FieldKind::Text { required: true },
                contract,
            ),
            Field::new(
                DATE,
                "case_detail.field_date",
                FieldKind::Date,
                &today.to_string(),
            ),
            Field::choice(
                KIND,
                "case_detail.field_recovery_kind",
                kinds,
                RecoveryKind::Repayment.code(),
            ),
            amount(PRINCIPAL, "case_detail.field_principal"),
            amount(INTEREST, "case_detail.field_interest"),
            amount(COSTS, "case_detail.field_costs"),
            notes(NOTE, "case_detail.field_note", false),
        ],
    )
}

pub fn recovery_command(form: &Form, case: &str, case_id: i64) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::Recovery {
            case: case.to_string(),
            case_id,
            contract: form.text(CONTRACT)?.trim().to_string(),
            on: form.date(DATE)?,
            kind: RecoveryKind::parse(form.code(KIND)?).ok_or(KIND)?,
            amounts: RecoveryAmounts {
                principal: form.amount(PRINCIPAL)?,
                interest: form.amount(INTEREST)?,
                costs: form.amount(COSTS)?,
            },
            note: form.text(NOTE)?,
        },
        DisposalConfig::default(),
    ))
}

/// A demand for payment (催收) on case `number`: the loan, the date, the channel, a note.
pub fn demand_form(number: &str, contract: &str, today: NaiveDate, lang: Lang) -> Form {
    let channels = Choices::new(
        DemandChannel::ALL.iter().map(|k| k.code()),
        "demand_channel",
        lang,
        |s| DemandChannel::parse(s).map(DemandChannel::code),
    );
    Form::new(
        lang.tf("case_detail.demand_title", &[("number", &display(number))]),
        vec![
            Field::new(
                CONTRACT,
                "case_detail.field_loan",
                FieldKind::Text { required: true },
                contract,
            ),
            Field::new(
                DATE,
                "case_detail.field_date",
                FieldKind::Date,
                &today.to_string(),
            ),
            Field::choice(
                CHANNEL,
                "case_detail.field_channel",
                channels,
                DemandChannel::Letter.code(),
            ),
            notes(NOTE, "case_detail.field_note", false),
        ],
    )
}

pub fn demand_command(form: &Form, case: &str, case_id: i64) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::Demand {
            case: case.to_string(),
            case_id,
            contract: form.text(CONTRACT)?.trim().to_string(),
            on: form.date(DATE)?,
            channel: DemandChannel::parse(form.code(CHANNEL)?).ok_or(CHANNEL)?,
            note: form.text(NOTE)?,
        },
        DisposalConfig::default(),
    ))
}

/// A note on `action` (required).
pub fn note_form(action: &ActionRow, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "case_detail.note_title",
            &[
                ("id", &action.id),
                ("kind", &lang.code_name("action_kind", action.kind.code())),
                ("title", &display(&action.title)),
            ],
        ),
        vec![notes(NOTE, "case_detail.field_note", true)],
    );
    form.expected_version = Some(action.version);
    form
}

pub fn note_command(form: &Form, id: i64) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::NoteAction {
            id,
            note: form.text(NOTE)?,
            expected_version: form.expected_version,
        },
        DisposalConfig::default(),
    ))
}

/// Cancelling `action`: why (required).
pub fn cancel_form(action: &ActionRow, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf(
            "case_detail.cancel_title",
            &[
                ("id", &action.id),
                ("kind", &lang.code_name("action_kind", action.kind.code())),
                ("title", &display(&action.title)),
            ],
        ),
        vec![notes(OUTCOME, "case_detail.field_reason", true)],
    );
    form.expected_version = Some(action.version);
    form
}

/// Closing case `number`: why (required).
pub fn close_form(number: &str, version: i64, lang: Lang) -> Form {
    let mut form = Form::new(
        lang.tf("case_detail.close_title", &[("number", &display(number))]),
        vec![notes(REASON, "case_detail.field_reason", true)],
    );
    form.expected_version = Some(version);
    form
}

pub fn close_command(form: &Form, case: &str) -> Result<FormCommand, Bad> {
    Ok(FormCommand::Disposal(
        DisposalCommand::CloseCase {
            case: case.to_string(),
            reason: form.text(REASON)?,
            expected_version: form.expected_version,
        },
        DisposalConfig::default(),
    ))
}
