//! The warning commands `App` runs for the board and the warning detail (their keys are
//! handled by the components, which ask for these as effects): lifecycle moves, cause, notice,
//! manual raise, opening a warning's loan, Today's `w`, with refusals on the status line.

use super::app::{App, Notice, PaneId, Redraw, Retry};
use super::keymap::Action;
use super::panes::loan_detail::DetailTab;
use super::stack::{Changed, Screen};
use super::widgets::form::{Field, FieldKind, Form};
use crate::domain::permission::{Permission, allows};
use crate::domain::text::{display, sanitize};
use crate::domain::warning::{Level, ManualSignal, MoveError, RiskType, WarningMove};
use crate::i18n::Lang;
use crate::store::{StoreError, WarningRow};
use crate::workflow::WorkflowError;
use crate::workflow::warning::{self as flow, ManualWarning};

const LEVELS: &str = "red/红色, orange/橙色, yellow/黄色";
const RISKS: &str = "credit/信用, market/市场, operational/操作";
const SIGNALS: &str = "litigation/涉诉, controller_change/实际控制人变更, accounts_frozen/账户被冻结, \
key_person_missing/关键人员失联, shutdown/停产停业, credit_cut/他行抽贷压贷, other/其他";

/// Draft keys of the warning forms: `wresolve:ID`, `wdismiss:ID`, `wcause:ID`, `wraise:CONTRACT`.
pub fn is_warning_form(key: &str) -> bool {
    ["wresolve:", "wdismiss:", "wcause:", "wraise:"]
        .iter()
        .any(|p| key.starts_with(p))
}

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
        (self.pane == PaneId::Warnings && self.detail.is_empty())
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

    fn may_raise(&self) -> Result<(), String> {
        if allows(self.actor.role, Permission::RaiseWarning) {
            Ok(())
        } else {
            Err(self.lang.tf(
                "warning.err_denied",
                &[("role", &self.lang.code_name("role", self.actor.role.code()))],
            ))
        }
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
                // The reason is asked for only when everything else allows the move.
                if let Err(e) = self.check_move(row, mv, "-") {
                    return self.fail(e);
                }
                let (title, key) = if mv == WarningMove::Resolve {
                    ("form.resolve_title", format!("wresolve:{}", row.id))
                } else {
                    ("form.dismiss_title", format!("wdismiss:{}", row.id))
                };
                let mut form = Form::new(
                    lang.tf(title, &[("number", &number)]),
                    vec![Field::new(
                        "form.reason",
                        FieldKind::Text { required: true },
                        "",
                    )],
                );
                form.expected_version = Some(row.version);
                self.open_form(form, key)?;
            }
            (Action::WriteCause, _) => {
                if let Err(e) = self.may_raise() {
                    return self.fail(e);
                }
                if !row.status.is_active() {
                    return self.fail(lang.t("warning.err_closed").to_string());
                }
                let full = self.store.warning(row.id)?;
                let version = full.as_ref().map_or(row.version, |w| w.version);
                let cause = full.as_ref().map(|w| w.cause.clone()).unwrap_or_default();
                let judged = full.and_then(|w| w.judged_level).unwrap_or(row.level);
                let mut form = Form::new(
                    lang.tf("form.cause_title", &[("number", &number)]),
                    vec![
                        Field::new("form.cause", FieldKind::Text { required: true }, &cause),
                        Field::new(
                            "form.risk_type",
                            FieldKind::Choice(|s| RiskType::parse(s).is_some(), RISKS),
                            &lang.code_name("risk", row.risk_type.code()),
                        ),
                        Field::new(
                            "form.judged_level",
                            FieldKind::Choice(|s| Level::parse(s).is_some(), LEVELS),
                            &lang.code_name("level", judged.code()),
                        ),
                    ],
                );
                form.expected_version = Some(version);
                self.open_form(form, format!("wcause:{}", row.id))?;
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
        if let Err(e) = self.may_raise() {
            return self.fail(e);
        }
        let lang = self.lang;
        let contract = if contract.is_empty() {
            self.detail
                .as_ref()
                .map(|d| d.loan.contract_no.clone())
                .unwrap_or_default()
        } else {
            contract.to_string()
        };
        let form = Form::new(
            lang.t("form.raise_title").to_string(),
            vec![
                Field::new(
                    "form.contract_no",
                    FieldKind::Text { required: true },
                    &sanitize(&contract),
                ),
                Field::new(
                    "form.signal",
                    FieldKind::Choice(|s| ManualSignal::parse(s).is_some(), SIGNALS),
                    "",
                ),
                Field::new(
                    "form.level",
                    FieldKind::Choice(|s| Level::parse(s).is_some(), LEVELS),
                    &lang.code_name("level", Level::Yellow.code()),
                ),
                Field::new(
                    "form.risk_type",
                    FieldKind::Choice(|s| RiskType::parse(s).is_some(), RISKS),
                    &lang.code_name("risk", RiskType::Credit.code()),
                ),
                Field::new("form.reason", FieldKind::Text { required: true }, ""),
            ],
        );
        // The first empty field takes the focus.
        let mut form = form;
        form.focus = usize::from(!contract.is_empty());
        self.open_form(form, format!("wraise:{contract}"))?;
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

    /// Sends a validated warning form through the workflow; errors stay in the form.
    pub(crate) fn submit_warning_form(&mut self) -> anyhow::Result<()> {
        let (Some(form), Some(key)) = (self.form.as_mut(), self.form_key.clone()) else {
            return Ok(());
        };
        if !form.validate(self.lang) {
            return Ok(());
        }
        let lang = self.lang;
        let (kind, arg) = key.split_once(':').unwrap_or((&key, ""));
        let id: i64 = arg.parse().unwrap_or(0);
        let number = self
            .store
            .warning(id)?
            .map(|w| display(&w.row.number))
            .unwrap_or_default();
        let values: Vec<String> = form.fields.iter().map(|f| f.text()).collect();
        let expected = form.expected_version;
        let v = |i: usize| values.get(i).cloned().unwrap_or_default();
        let result: Result<String, WorkflowError> = match kind {
            "wresolve" | "wdismiss" => {
                let mv = if kind == "wresolve" {
                    WarningMove::Resolve
                } else {
                    WarningMove::Dismiss
                };
                flow::move_warning(
                    &mut self.store,
                    &self.actor,
                    id,
                    expected,
                    mv,
                    &v(0),
                    self.today_date,
                )
                .map(|to| {
                    let status = lang.code_name("wstatus", to.code());
                    lang.tf("warning.moved", &[("number", &number), ("status", &status)])
                })
            }
            "wcause" => {
                let risk = RiskType::parse(&v(1)).unwrap_or(RiskType::Credit);
                let judged = Level::parse(&v(2)).unwrap_or(Level::Yellow);
                flow::analyse(
                    &mut self.store,
                    &self.actor,
                    id,
                    expected,
                    &v(0),
                    risk,
                    judged,
                    self.today_date,
                )
                .map(|()| lang.tf("warning.cause_saved", &[("number", &number)]))
            }
            _ => {
                let contract = v(0);
                let w = ManualWarning {
                    contract_no: &contract,
                    signal: ManualSignal::parse(&v(1)).unwrap_or(ManualSignal::Other),
                    level: Level::parse(&v(2)).unwrap_or(Level::Yellow),
                    risk_type: RiskType::parse(&v(3)).unwrap_or(RiskType::Credit),
                    reason: &v(4),
                };
                flow::raise_manual(&mut self.store, &self.actor, &w, self.today_date, lang)
                    .map(|(_, number)| lang.tf("warning.raised", &[("number", &number)]))
            }
        };
        match result {
            Ok(text) => {
                self.discard_draft(&key);
                self.form = None;
                self.form_key = None;
                self.retry.retain(|r| *r != Retry::Submit);
                self.done(text)?;
            }
            Err(e) if e.is_busy() => self.keep_for_retry(),
            Err(e) => {
                let msg = workflow_error_text(&e, lang);
                if let Some(form) = self.form.as_mut() {
                    form.message = Some(msg);
                }
            }
        }
        Ok(())
    }
}
