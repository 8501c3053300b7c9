//! The warning commands `App` runs for the board and the warning detail (their keys are
//! handled by the components, which ask for these as effects): lifecycle moves, cause, notice,
//! manual raise, opening a warning's loan, Today's `w`, with refusals on the status line.

use super::app::{App, Notice, PaneId, Redraw, Retry};
use super::forms::{FormKey, FormKind, Subject};
use super::keymap::Action;
use super::panes::loan_detail::DetailTab;
use super::stack::{Changed, Screen};
use crate::domain::text::display;
use crate::domain::warning::{MoveError, WarningMove};
use crate::i18n::Lang;
use crate::store::{StoreError, WarningRow};
use crate::workflow::WorkflowError;
use crate::workflow::warning as flow;

/// A refused move in the user's language.
pub fn move_error_text(e: &MoveError, lang: Lang) -> String {
    match e {
        MoveError::NotFromHere { from, to } => lang.tf(
            "warning.err_not_from",
            &[
                ("from", &lang.code_name("wstatus", from)),
                ("to", &lang.code_name("wstatus", to)),
            ],
        ),
        MoveError::ReasonRequired => lang.t("warning.err_reason").to_string(),
        MoveError::NeedsSupervisor => lang.t("warning.err_needs_supervisor").to_string(),
        MoveError::ReadOnly => lang.t("warning.err_readonly").to_string(),
        MoveError::StillTriggered => lang.t("warning.err_still_triggered").to_string(),
    }
}

/// A workflow error in the user's language where it has a translation.
pub fn workflow_error_text(e: &WorkflowError, lang: Lang) -> String {
    match e {
        WorkflowError::Store(StoreError::Conflict(_)) => lang.t("warning.err_conflict").to_string(),
        other => display(&super::errors::workflow_error_text(other, lang)),
    }
}

fn move_of(action: Action) -> Option<WarningMove> {
    Some(match action {
        Action::Acknowledge => WarningMove::Acknowledge,
        Action::StartDisposal => WarningMove::StartDisposal,
        Action::Resolve => WarningMove::Resolve,
        Action::Dismiss => WarningMove::Dismiss,
        _ => return None,
    })
}

impl App {
    fn fail(&mut self, text: String) -> anyhow::Result<Redraw> {
        self.notice = Some(Notice { text, error: true });
        Ok(true)
    }

    fn done(&mut self, text: String) -> anyhow::Result<()> {
        self.notice = Some(Notice { text, error: false });
        self.busy = !self.retry.is_empty();
        self.data_version = self.store.data_version()?;
        // A warning action changes warnings only.
        self.reload_changed_or_later(Changed::WARNINGS)
    }

    /// A warning action refused only because the book is busy: kept and sent again on the
    /// next poll; the status line says so (and is redrawn only when that is news).
    fn keep_action(&mut self, row: &WarningRow, action: Action) -> anyhow::Result<Redraw> {
        let kept = Retry::Act {
            row: Box::new(row.clone()),
            action,
        };
        // A retry that finds the book still busy says nothing new: the status line already
        // says the book is busy.
        if self.retrying {
            self.busy = true;
            if !self.retry.contains(&kept) {
                self.retry.push(kept);
            }
            return Ok(false);
        }
        self.notice = Some(Notice {
            text: self.lang.tf(
                "book_busy.action_kept",
                &[("action", &action.label(self.lang))],
            ),
            error: true,
        });
        self.busy = true;
        if !self.retry.contains(&kept) {
            self.retry.push(kept);
        }
        Ok(true)
    }

    /// The warning the keys act on: the open detail's, else the board's selected row.
    pub fn target_warning(&self) -> Option<WarningRow> {
        if let Some(w) = self.detail.warning() {
            return Some(w.warning.row.clone());
        }
        (self.pane == PaneId::Warnings && self.detail.front().is_none())
            .then(|| self.board.list.selected().cloned())
            .flatten()
    }

    /// Checks a move as the workflow will, so a refusal comes before any form.
    fn check_move(&self, row: &WarningRow, mv: WarningMove, reason: &str) -> Result<(), String> {
        let still = row.origin == "system" && !row.back_to_normal;
        mv.check(row.status, self.actor.role, reason, still)
            .map(|_| ())
            .map_err(|e| move_error_text(&e, self.lang))
    }

    /// May the user do `command` on a loan whose officer is `officer`? (The workflow's own
    /// check, asked before a form opens; the command asks again when it is sent.)
    fn may_on_loan(&self, command: crate::workflow::Command, officer: &str) -> Result<(), String> {
        self.actor
            .authorize(command, &crate::workflow::Subject::loan_of(officer))
            .map_err(|e| workflow_error_text(&e, self.lang))
    }

    /// May the user raise a warning on `contract` (its officer's, for a specialist)? The
    /// workflow's own check; with no contract at hand, the role alone.
    fn may_raise(&self, contract: &str) -> anyhow::Result<Result<(), String>> {
        let officer = if contract.is_empty() {
            None
        } else {
            self.store.loan_by_contract(contract)?.map(|l| l.officer)
        };
        let subject = match &officer {
            Some(o) => crate::workflow::Subject::loan_of(o),
            None => crate::workflow::Subject::NONE,
        };
        Ok(self
            .actor
            .authorize(crate::workflow::Command::RaiseWarning, &subject)
            .map_err(|e| workflow_error_text(&e, self.lang)))
    }

    /// A warning action on `row`; one refused because the book is busy is kept for a retry.
    pub(crate) fn act_on_warning(
        &mut self,
        row: &WarningRow,
        action: Action,
    ) -> anyhow::Result<Redraw> {
        let lang = self.lang;
        let number = display(&row.number);
        match (action, move_of(action)) {
            (_, Some(mv @ (WarningMove::Acknowledge | WarningMove::StartDisposal))) => {
                if let Err(e) = self.check_move(row, mv, "") {
                    return self.fail(e);
                }
                let r = flow::move_warning(
                    &mut self.store,
                    &self.actor,
                    row.id,
                    Some(row.version),
                    mv,
                    "",
                    self.today_date,
                );
                match r {
                    Ok(to) => {
                        let status = lang.code_name("wstatus", to.code());
                        let text =
                            lang.tf("warning.moved", &[("number", &number), ("status", &status)]);
                        self.done(text)?;
                    }
                    Err(e) if e.is_busy() => return self.keep_action(row, action),
                    Err(e) => return self.fail(workflow_error_text(&e, lang)),
                }
            }
            (_, Some(mv)) => {
                // The reason is asked for only when everything else allows the move: the state,
                // the role and whose loan it is (a specialist moves their own loans' warnings).
                if let Err(e) = self.check_move(row, mv, "-").and_then(|()| {
                    self.may_on_loan(crate::workflow::Command::MoveWarning(mv), &row.officer)
                }) {
                    return self.fail(e);
                }
                let kind = if mv == WarningMove::Resolve {
                    FormKind::ResolveWarning
                } else {
                    FormKind::DismissWarning
                };
                let form = super::forms::reason::form(row, mv, lang);
                self.open_form(form, FormKey::new(kind, Subject::Warning(row.id)))?;
            }
            (Action::WriteCause, _) => {
                if let Err(e) =
                    self.may_on_loan(crate::workflow::Command::AnalyseWarning, &row.officer)
                {
                    return self.fail(e);
                }
                if !row.status.is_active() {
                    return self.fail(lang.t("warning.err_closed").to_string());
                }
                let full = self.store.warning(row.id)?;
                let version = full.as_ref().map_or(row.version, |w| w.version);
                let cause = full.as_ref().map(|w| w.cause.clone()).unwrap_or_default();
                let judged = full.and_then(|w| w.judged_level).unwrap_or(row.level);
                let form = super::forms::cause::form(row, &cause, judged, version, lang);
                self.open_form(
                    form,
                    FormKey::new(FormKind::WarningCause, Subject::Warning(row.id)),
                )?;
            }
            (Action::IssueNotice, _) => {
                let r =
                    flow::issue_notice(&mut self.store, &self.actor, row.id, self.today_date, lang);
                match r {
                    Ok(doc) => {
                        let text = lang.tf(
                            "warning.notice_issued",
                            &[("doc", &doc), ("number", &number)],
                        );
                        self.done(text)?;
                    }
                    Err(e) if e.is_busy() => return self.keep_action(row, action),
                    Err(e) => return self.fail(workflow_error_text(&e, lang)),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The manual-warning form, its contract filled in when one is at hand.
    pub(crate) fn open_raise_form(&mut self, contract: &str) -> anyhow::Result<Redraw> {
        let lang = self.lang;
        let contract = if contract.is_empty() {
            self.detail
                .as_ref()
                .map(|d| d.loan.contract_no.clone())
                .unwrap_or_default()
        } else {
            contract.to_string()
        };
        if let Err(e) = self.may_raise(&contract)? {
            return self.fail(e);
        }
        let form = super::forms::raise::form(&contract, lang);
        let key = FormKey::new(FormKind::RaiseWarning, Subject::Contract(contract));
        self.open_form(form, key)?;
        Ok(true)
    }

    /// Opens the warning's loan on its Warnings tab, the warning selected. From a warning
    /// opened on that loan's Warnings tab, this goes back to the tab.
    pub(crate) fn open_loan_of_warning(&mut self) -> anyhow::Result<Redraw> {
        let Some(row) = self.target_warning() else {
            return Ok(false);
        };
        let back = self.detail.warning().is_some()
            && matches!(self.detail.under(), Some(Screen::Loan(d)) if d.loan.id == row.loan_id);
        if back {
            self.detail.pop();
            self.refresh_visible()?;
        } else if !self.open_loan(row.loan_id, DetailTab::Warnings)? {
            return Ok(false);
        }
        let at = self.store.loan_warning_position(row.loan_id, row.id)?;
        let store = &self.store;
        if let Some(d) = self.detail.as_mut() {
            d.set_tab(store, DetailTab::Warnings)?;
            d.warnings.select(store, at.unwrap_or(0))?;
        }
        Ok(true)
    }
}
