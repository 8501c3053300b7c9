//! What the workbench does for disposal beyond its screens: opens a risk case, turns the case
//! screen's keys into forms (progress, action, plan, decision, outcome, explanation) or into
//! commands sent at once (start an action, submit a plan, take an inspection's measures, issue
//! a notice), and sends every one through `workflow` (`disposal`, `outcomes`, `warning` for the
//! notice) with the versions the screen showed. A refusal
//! is said on the status line (or in the form) in the user's language.

use super::app::{App, Notice, Redraw};
use super::forms::disposal::{self as forms, DisposalCommand, DisposalConfig};
use super::forms::{FormCommand, FormKey, FormKind, Saved, Subject};
use super::keymap::Action;
use super::panes::case_detail::CaseScreen;
use super::stack::{Changed, Screen};
use crate::domain::disposal::{ActionKind, ActionMove, PlanKind, PlanStatus};
use crate::domain::money::format_money;
use crate::domain::text::display;
use crate::domain::warning::WarningStatus;
use crate::engine::rules::RuleSet;
use crate::i18n::Lang;
use crate::store::Store;
use crate::workflow::disposal::{self as flow, AddAction, Decision, NewPlan, Progress};
use crate::workflow::outcomes::{self, DemandInput, RecoveryInput};
use crate::workflow::{Actor, Command, Subject as Who, WorkflowError};
use chrono::{Days, NaiveDate};

/// Days from today an added action's deadline is set to first.
const ACTION_DAYS: u64 = 30;

/// Sends a disposal command through the workflow; what the status line says when it lands.
pub fn run(
    cmd: &DisposalCommand,
    config: &DisposalConfig,
    store: &mut Store,
    actor: &Actor,
    rules: &RuleSet,
    today: NaiveDate,
    lang: Lang,
) -> Result<Saved, WorkflowError> {
    let said = |text: String| Ok(Saved { text, warn: false });
    match cmd {
        DisposalCommand::Progress {
            case,
            signal_now,
            effect,
            problems,
            next_steps,
        } => {
            let p = Progress {
                signal_now,
                effect,
                problems,
                next_steps,
            };
            flow::progress(store, actor, case, &p, today, lang)?;
            said(lang.tf("case_detail.progress_saved", &[("number", &display(case))]))
        }
        DisposalCommand::AddAction {
            case,
            kind,
            title,
            owner,
            deadline,
            contract,
        } => {
            let a = AddAction {
                case,
                kind: *kind,
                title,
                owner,
                deadline: *deadline,
                contract: contract.as_deref(),
                plan: None,
            };
            let id = flow::add_action(store, actor, &a, today)?;
            said(lang.tf(
                "case_detail.action_added",
                &[("id", &id), ("number", &display(case))],
            ))
        }
        DisposalCommand::Plan {
            case,
            kind,
            summary,
            due,
            expected_version,
        } => {
            let p = NewPlan {
                case,
                kind: *kind,
                summary,
                due: *due,
                expected_version: *expected_version,
            };
            let id = flow::plan(store, actor, &p, &config.settings, today)?;
            said(lang.tf(
                "case_detail.plan_made",
                &[
                    ("id", &id),
                    ("kind", &lang.code_name("plan_kind", kind.code())),
                    ("number", &display(case)),
                ],
            ))
        }
        DisposalCommand::Submit {
            case,
            plan_id,
            expected_version,
        } => {
            flow::submit(store, actor, case, Some(*plan_id), *expected_version, today)?;
            said(lang.tf(
                "case_detail.plan_submitted",
                &[("id", plan_id), ("number", &display(case))],
            ))
        }
        DisposalCommand::Decide {
            case,
            plan_id,
            approve,
            reason,
            expected_version,
        } => {
            let decision = if *approve {
                Decision::Approve
            } else {
                Decision::Reject
            };
            let notice = flow::decide(
                store,
                actor,
                case,
                Some(*plan_id),
                decision,
                reason,
                *expected_version,
                today,
                lang,
            )?;
            let mut text = lang.tf(
                if *approve {
                    "case_detail.plan_approved"
                } else {
                    "case_detail.plan_rejected"
                },
                &[("id", plan_id), ("number", &display(case))],
            );
            if let Some(doc) = notice {
                text.push(' ');
                text.push_str(&lang.tf("case_detail.notice_issued", &[("doc", &doc)]));
            }
            said(text)
        }
        DisposalCommand::FailPlan {
            case,
            plan_id,
            reason,
        } => {
            let r = flow::fail_plan(
                store,
                actor,
                case,
                Some(*plan_id),
                reason,
                today,
                config.plan.as_ref(),
            )?;
            let mut text = lang.tf(
                "case_detail.plan_failed",
                &[("id", plan_id), ("number", &display(case))],
            );
            if !r.escalated.is_empty() {
                text.push(' ');
                // Say what changed: a case red already only gains the mark.
                text.push_str(lang.t(if r.raised.is_empty() {
                    "case_detail.already_red"
                } else {
                    "case_detail.escalated"
                }));
            }
            Ok(Saved {
                text,
                warn: !r.escalated.is_empty(),
            })
        }
        DisposalCommand::MoveAction {
            id,
            mv,
            outcome,
            expected_version,
        } => {
            let to = flow::move_action(store, actor, *id, *mv, outcome, *expected_version, today)?;
            said(lang.tf(
                "case_detail.action_moved",
                &[
                    ("id", id),
                    ("status", &lang.code_name("action_status", to.code())),
                ],
            ))
        }
        DisposalCommand::Explanation {
            case,
            arrived_on,
            summary,
        } => {
            flow::record_explanation(store, actor, case, *arrived_on, summary, today)?;
            said(lang.tf(
                "case_detail.explanation_saved",
                &[("number", &display(case))],
            ))
        }
        DisposalCommand::Measures { case, inspection } => {
            let ids =
                flow::from_inspection(store, actor, case, inspection, &config.settings, today)?;
            said(lang.tf(
                "case_detail.measures_added",
                &[
                    ("n", &ids.len()),
                    ("inspection", &display(inspection)),
                    ("number", &display(case)),
                ],
            ))
        }
        DisposalCommand::Recovery {
            case,
            case_id,
            contract,
            on,
            kind,
            amounts,
            note,
        } => {
            let r = RecoveryInput {
                contract_no: contract,
                on: *on,
                kind: *kind,
                amounts: *amounts,
                note,
                case_id: Some(*case_id),
                expected_version: None,
            };
            let b = outcomes::record_recovery(store, actor, &r, rules, today)?;
            said(
                lang.tf(
                    b.recovered_key(),
                    &[
                        ("total", &format_money(amounts.total(), &b.currency)),
                        ("contract", &display(&b.contract_no)),
                        ("principal", &format_money(amounts.principal, &b.currency)),
                        ("before", &format_money(b.outstanding_before, &b.currency)),
                        ("after", &format_money(b.outstanding_after, &b.currency)),
                    ],
                ) + &lang.tf("case_detail.on_case", &[("number", &display(case))]),
            )
        }
        DisposalCommand::Demand {
            case,
            case_id,
            contract,
            on,
            channel,
            note,
        } => {
            let d = DemandInput {
                contract_no: contract,
                on: *on,
                channel: *channel,
                note,
                case_id: Some(*case_id),
            };
            outcomes::record_demand(store, actor, &d, today)?;
            // A demand before the claim falls due restarts nothing: the period has not begun.
            let due_on = store
                .outcome_loan(contract)?
                .map(|l| crate::domain::legal::claim_due_on(l.matures_on, l.recalled_on).0)
                .filter(|due| on < due);
            said(match due_on {
                Some(due) => lang.tf(
                    "case_detail.demand_saved_before_due",
                    &[
                        ("contract", &display(contract)),
                        ("date", on),
                        ("number", &display(case)),
                        ("due", &due),
                    ],
                ),
                None => lang.tf(
                    "case_detail.demand_saved",
                    &[
                        ("contract", &display(contract)),
                        ("date", on),
                        ("number", &display(case)),
                    ],
                ),
            })
        }
        DisposalCommand::NoteAction {
            id,
            note,
            expected_version,
        } => {
            flow::note_action(store, actor, *id, note, *expected_version, today)?;
            said(lang.tf("case_detail.note_saved", &[("id", id)]))
        }
        DisposalCommand::CloseCase {
            case,
            reason,
            expected_version,
        } => {
            let record = flow::close(
                store,
                actor,
                case,
                reason,
                *expected_version,
                today,
                lang,
                &config.legal,
            )?;
            said(
                lang.tf("case_detail.case_closed", &[("number", &display(case))])
                    + " "
                    + &lang.tf("disposal_cli.record_stored", &[("document", &record)]),
            )
        }
    }
}

impl App {
    /// `[disposal]` and `[inspections]` of the config (a bad section was refused at start;
    /// the defaults otherwise).
    pub(crate) fn disposal_config(&self) -> DisposalConfig {
        DisposalConfig {
            settings: self.config.disposal.settings().unwrap_or_default(),
            plan: self.config.plan().ok(),
            legal: self.legal_rules,
        }
    }

    /// Puts case `number` in front.
    pub(crate) fn open_case(&mut self, number: &str) -> anyhow::Result<Redraw> {
        let Some(c) = CaseScreen::load(&self.store, number, self.today_date, &self.legal_rules)?
        else {
            return Ok(false);
        };
        self.push_screen(Screen::Case(Box::new(c)))?;
        Ok(true)
    }

    fn case_refused(&mut self, text: String) -> anyhow::Result<Redraw> {
        self.notice = Some(Notice { text, error: true });
        Ok(true)
    }

    /// A key of the case screen in front: a form over it, or a command sent at once.
    pub(crate) fn case_action(&mut self, action: Action) -> anyhow::Result<Redraw> {
        let Some(screen) = self.detail.case() else {
            return Ok(false);
        };
        let lang = self.lang;
        let case = screen.detail.case.clone();
        let number = case.number.clone();
        let selected = screen.selected_action().cloned();
        let measures = screen.measures_to_take().cloned();
        let no_action = || lang.t("case_detail.no_action").to_string();
        // A key that opens a form asks first whether the user may do it at all, and is
        // refused at once with the reason (the command checks again when it is sent).
        let precheck = match action {
            Action::AddProgress
            | Action::AddAction
            | Action::ProposePlan
            | Action::RecordExplanation
            | Action::SubmitPlan => Some((Command::WorkCase, None)),
            Action::ActionDone | Action::ActionFail | Action::ActionNote | Action::CancelAction => {
                Some((
                    Command::WorkCase,
                    selected.as_ref().map(|a| a.owner.clone()),
                ))
            }
            Action::CloseCase => Some((Command::CloseCase, None)),
            _ => None,
        };
        let refused = precheck.and_then(|(command, owner)| {
            flow::may_on_case(&self.actor, command, &screen.detail, owner.as_deref()).err()
        });
        if let Some(e) = refused {
            return self.case_refused(super::warning_actions::workflow_error_text(&e, lang));
        }
        let (form, key) = match action {
            Action::AddProgress => (
                forms::progress_form(&number, lang),
                FormKey::new(FormKind::CaseProgress, Subject::Case(number.clone())),
            ),
            Action::AddAction => {
                let kind = match case.level {
                    crate::domain::warning::Level::Yellow => ActionKind::Explanation,
                    crate::domain::warning::Level::Orange => ActionKind::RectificationMeasure,
                    crate::domain::warning::Level::Red => ActionKind::AdditionalCollateral,
                };
                let deadline = self
                    .today_date
                    .checked_add_days(Days::new(ACTION_DAYS))
                    .unwrap_or(self.today_date);
                (
                    forms::action_form(&number, kind, &case.officer, deadline, lang),
                    FormKey::new(FormKind::CaseAction, Subject::Case(number.clone())),
                )
            }
            Action::ProposePlan => {
                let settings = self.disposal_config().settings;
                (
                    forms::plan_form(
                        &number,
                        case.level,
                        case.version,
                        &settings,
                        self.today_date,
                        lang,
                    ),
                    FormKey::new(FormKind::CasePlan, Subject::Case(number.clone())),
                )
            }
            Action::ApprovePlan | Action::RejectPlan => {
                // Whoever may decide no plan at all (an auditor, a specialist) hears that
                // first, not the state of a plan they could not decide anyway.
                if let Err(e) = self
                    .actor
                    .authorize(Command::ApproveRectification, &Who::NONE)
                    && self
                        .actor
                        .authorize(Command::ApproveEmergency, &Who::NONE)
                        .is_err()
                {
                    return self
                        .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                }
                // The workflow says which plan a decision takes, or why none (a draft: submit
                // it first).
                let plan = match flow::plan_for(
                    &number,
                    &screen.detail.plans,
                    &[PlanKind::Rectification, PlanKind::Emergency],
                    &[PlanStatus::Submitted],
                ) {
                    Ok(p) => p.clone(),
                    Err(e) => {
                        return self
                            .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                    }
                };
                let approve = action == Action::ApprovePlan;
                // Whoever may not decide this plan hears so before any form.
                let command = if plan.kind == PlanKind::Emergency {
                    Command::ApproveEmergency
                } else {
                    Command::ApproveRectification
                };
                if let Err(e) = self.actor.authorize(command, &Who::made_by(&plan.proposer)) {
                    return self
                        .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                }
                let kind = if approve {
                    FormKind::ApprovePlan
                } else {
                    FormKind::RejectPlan
                };
                (
                    forms::decide_form(&number, &plan, approve, lang),
                    FormKey::new(kind, Subject::CasePlan(number.clone(), plan.id)),
                )
            }
            Action::FailPlan => {
                if let Err(e) = self.actor.authorize(Command::FailRectification, &Who::NONE) {
                    return self
                        .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                }
                let plan = match flow::plan_for(
                    &number,
                    &screen.detail.plans,
                    &[PlanKind::Rectification],
                    &[PlanStatus::Approved],
                ) {
                    Ok(p) => p.clone(),
                    Err(e) => {
                        return self
                            .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                    }
                };
                if let Err(e) = self.actor.authorize(Command::FailRectification, &Who::NONE) {
                    return self
                        .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                }
                (
                    forms::fail_plan_form(&number, &plan, lang),
                    FormKey::new(
                        FormKind::FailPlan,
                        Subject::CasePlan(number.clone(), plan.id),
                    ),
                )
            }
            Action::ActionDone | Action::ActionFail => {
                let Some(a) = selected else {
                    return self.case_refused(no_action());
                };
                let (mv, kind) = if action == Action::ActionDone {
                    (ActionMove::Done, FormKind::ActionDone)
                } else {
                    (ActionMove::Fail, FormKind::ActionFail)
                };
                (
                    forms::outcome_form(&a, mv, lang),
                    FormKey::new(kind, Subject::CaseAction(a.id)),
                )
            }
            Action::RecordExplanation => (
                forms::explanation_form(&number, self.today_date, lang),
                FormKey::new(FormKind::CaseExplanation, Subject::Case(number.clone())),
            ),
            Action::StartAction => {
                let Some(a) = selected else {
                    return self.case_refused(no_action());
                };
                return self.send_case_command(DisposalCommand::MoveAction {
                    id: a.id,
                    mv: ActionMove::Start,
                    outcome: String::new(),
                    expected_version: Some(a.version),
                });
            }
            Action::SubmitPlan => {
                let plan = match flow::plan_for(
                    &number,
                    &screen.detail.plans,
                    &[PlanKind::Rectification, PlanKind::Emergency],
                    &[PlanStatus::Draft],
                ) {
                    Ok(p) => p.clone(),
                    Err(e) => {
                        return self
                            .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                    }
                };
                return self.send_case_command(DisposalCommand::Submit {
                    case: number,
                    plan_id: plan.id,
                    expected_version: Some(plan.version),
                });
            }
            Action::RecordRecovery | Action::RecordDemand => {
                let contract = screen
                    .selected_action()
                    .and_then(|a| a.contract_no.clone())
                    .or_else(|| screen.detail.loans.first().map(|l| l.contract_no.clone()))
                    .unwrap_or_default();
                // Asked as the save asks it: a recovery by role, a demand on the loan's
                // officer (a specialist demands on their own loans).
                let officer = screen
                    .detail
                    .loans
                    .iter()
                    .find(|l| l.contract_no == contract)
                    .map(|l| l.officer.clone());
                let refused = if action == Action::RecordRecovery {
                    self.actor.authorize(Command::RecordRecovery, &Who::NONE)
                } else {
                    match &officer {
                        Some(o) => self
                            .actor
                            .authorize(Command::RecordDemand, &Who::loan_of(o)),
                        None => self.actor.authorize(Command::RecordDemand, &Who::NONE),
                    }
                };
                if let Err(e) = refused {
                    return self
                        .case_refused(super::warning_actions::workflow_error_text(&e, lang));
                }
                let subject = Subject::CaseId(number.clone(), case.id);
                if action == Action::RecordRecovery {
                    (
                        forms::recovery_form(&number, &contract, self.today_date, lang),
                        FormKey::new(FormKind::CaseRecovery, subject),
                    )
                } else {
                    (
                        forms::demand_form(&number, &contract, self.today_date, lang),
                        FormKey::new(FormKind::CaseDemand, subject),
                    )
                }
            }
            Action::ActionNote | Action::CancelAction => {
                let Some(a) = selected else {
                    return self.case_refused(no_action());
                };
                if action == Action::ActionNote {
                    (
                        forms::note_form(&a, lang),
                        FormKey::new(FormKind::ActionNote, Subject::CaseAction(a.id)),
                    )
                } else {
                    (
                        forms::cancel_form(&a, lang),
                        FormKey::new(FormKind::ActionCancel, Subject::CaseAction(a.id)),
                    )
                }
            }
            Action::CloseCase => (
                forms::close_form(&number, case.version, lang),
                FormKey::new(FormKind::CaseClose, Subject::Case(number.clone())),
            ),
            Action::IssueNotice => return self.case_notice(),
            Action::MeasuresToActions => {
                let Some(i) = measures else {
                    return self.case_refused(
                        lang.tf("case_detail.no_measures", &[("number", &display(&number))]),
                    );
                };
                return self.send_case_command(DisposalCommand::Measures {
                    case: number,
                    inspection: i.number,
                });
            }
            _ => return Ok(false),
        };
        self.open_form(form, key)?;
        Ok(true)
    }

    /// The case screen's notice key: the warning notice for the gravest open warning of the
    /// case that has none yet. The rectification notice is issued when its plan is approved
    /// (`A`); when every open warning has its notice the refusal says so and names it.
    fn case_notice(&mut self) -> anyhow::Result<Redraw> {
        let Some(screen) = self.detail.case() else {
            return Ok(false);
        };
        let lang = self.lang;
        let number = screen.number.clone();
        let open: Vec<_> = screen
            .detail
            .warnings
            .iter()
            .filter(|w| !matches!(w.status, WarningStatus::Resolved | WarningStatus::Dismissed))
            .cloned()
            .collect();
        let rectification = screen
            .detail
            .documents
            .iter()
            .rev()
            .find(|d| d.kind == "rectification_notice")
            .map(|d| d.number.clone());
        let ids: Vec<i64> = open.iter().map(|w| w.id).collect();
        let with = self.store.warnings_with_notice(&ids)?;
        let target = open
            .iter()
            .filter(|w| !with.contains(&w.id))
            .max_by_key(|w| (w.level, std::cmp::Reverse(w.id)));
        let Some(w) = target else {
            let mut text = lang.tf(
                "case_detail.no_notice_due",
                &[("number", &display(&number))],
            );
            if let Some(doc) = rectification {
                text.push(' ');
                text.push_str(&lang.tf("case_detail.rectification_issued", &[("doc", &doc)]));
            }
            return self.case_refused(text);
        };
        let (id, warning) = (w.id, w.number.clone());
        let r = crate::workflow::warning::issue_notice(
            &mut self.store,
            &self.actor,
            id,
            self.today_date,
            lang,
        );
        match r {
            Ok(doc) => {
                self.notice = Some(Notice {
                    text: lang.tf(
                        "case_detail.warning_notice_issued",
                        &[("doc", &doc), ("warning", &display(&warning))],
                    ),
                    error: false,
                });
                self.data_version = self.store.data_version()?;
                self.reload_changed_or_later(Changed::DISPOSAL | Changed::WARNINGS)?;
                Ok(true)
            }
            Err(e) => self.case_refused(super::warning_actions::workflow_error_text(&e, lang)),
        }
    }

    /// Sends a case command that needs no form; the result or the refusal on the status line.
    fn send_case_command(&mut self, cmd: DisposalCommand) -> anyhow::Result<Redraw> {
        let config = self.disposal_config();
        let r = run(
            &cmd,
            &config,
            &mut self.store,
            &self.actor,
            &self.rules,
            self.today_date,
            self.lang,
        );
        match r {
            Ok(saved) => {
                self.notice = Some(Notice {
                    text: saved.text,
                    error: saved.warn,
                });
                self.data_version = self.store.data_version()?;
                self.reload_changed_or_later(
                    Changed::DISPOSAL | Changed::LOANS | Changed::INSPECTIONS,
                )?;
                Ok(true)
            }
            Err(e) => self.case_refused(super::warning_actions::workflow_error_text(&e, self.lang)),
        }
    }
}

/// The command with the config filled in (a form's command is made without it).
pub fn with_config(cmd: FormCommand, config: DisposalConfig) -> FormCommand {
    match cmd {
        FormCommand::Disposal(c, _) => FormCommand::Disposal(c, config),
        other => other,
    }
}
