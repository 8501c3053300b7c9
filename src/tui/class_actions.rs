//! What the workbench does for classification beyond the pane: opens the propose, approve and
//! reject forms over it, and sends their commands through `workflow::classification` — a bulk
//! approval decides each proposal on its own (one refusal stops none of the others) and says
//! the result per item on the status line.

use super::app::{App, Notice, Redraw};
use super::forms::{FormCommand, FormKey, FormKind, Saved, Subject};
use crate::domain::classification::ClassificationRules;
use crate::domain::text::display;
use crate::engine::inspection_plan::PlanConfig;
use crate::i18n::Lang;
use crate::store::{ProposalRow, Store};
use crate::workflow::classification::{self as flow, Basis, Decide, Proposal};
use crate::workflow::{Actor, WorkflowError};
use chrono::NaiveDate;

/// Sends a classification form's command; a single approval's refusal is an error (the form
/// stays open and says why), a bulk approval's result lists each refusal.
pub fn run(
    cmd: &FormCommand,
    store: &mut Store,
    actor: &Actor,
    today: NaiveDate,
    lang: Lang,
) -> Result<Saved, WorkflowError> {
    match cmd {
        FormCommand::ProposeLoanClass {
            contract_no,
            to,
            reason,
            basis,
            effective_on,
            rules,
        } => {
            let rules = rules.clone().unwrap_or_default();
            let basis = Basis::parse(basis).unwrap_or(Basis::Judgement);
            let p = Proposal {
                contract_no,
                to: *to,
                reason,
                basis,
                effective_on: Some(*effective_on),
            };
            let id = flow::propose(store, actor, &p, &rules, today)?;
            Ok(Saved {
                text: lang.tf(
                    "classification_pane.proposed",
                    &[("id", &id), ("contract", &display(contract_no))],
                ),
                warn: false,
            })
        }
        FormCommand::ApproveProposals {
            items,
            comment,
            rules,
            plan,
        } => {
            let rules: ClassificationRules = rules.clone().unwrap_or_default();
            let plan = match plan {
                Some(p) => p.clone(),
                None => PlanConfig::defaults().map_err(|e| WorkflowError::Rule {
                    key: "classification_pane.nothing",
                    args: vec![("error", e.localized(Lang::En))],
                })?,
            };
            let ctx = Decide {
                rules: &rules,
                plan: &plan,
                today,
            };
            approve(store, actor, items, comment, &ctx, lang)
        }
        FormCommand::RejectProposal {
            id,
            expected_version,
            reason,
        } => {
            flow::reject(store, actor, *id, *expected_version, reason)?;
            Ok(Saved {
                text: lang.tf("classification_cli.rejected", &[("id", id)]),
                warn: false,
            })
        }
        // The migration period is a read, which `App::submit_form` shows without the workflow.
        _ => Err(WorkflowError::rule("classification_pane.nothing", &[])),
    }
}

/// Approves each of `items` with the version shown, each in its own transaction.
fn approve(
    store: &mut Store,
    actor: &Actor,
    items: &[(i64, i64)],
    comment: &str,
    ctx: &Decide<'_>,
    lang: Lang,
) -> Result<Saved, WorkflowError> {
    let approved_line = |a: &flow::Approved| {
        let mut line = lang.tf(
            "classification_cli.approved",
            &[
                ("id", &a.id),
                ("contract", &display(&a.contract_no)),
                ("from", &lang.code_name("class", a.from.code())),
                ("to", &lang.code_name("class", a.to.code())),
            ],
        );
        if let Some(d) = a.inspection_due {
            line.push_str(&lang.tf("classification_cli.inspection_due", &[("date", &d)]));
        }
        line
    };
    if let [(id, version)] = items {
        let a = flow::approve(store, actor, *id, Some(*version), comment, ctx)?;
        return Ok(Saved {
            text: approved_line(&a),
            warn: false,
        });
    }
    let mut ok = 0usize;
    let mut refusals = Vec::new();
    for (id, version) in items {
        match flow::approve(store, actor, *id, Some(*version), comment, ctx) {
            Ok(_) => ok += 1,
            // A busy book stops here: what is left is said refused with the reason.
            Err(e) => refusals.push(lang.tf(
                "classification_pane.refusal",
                &[("id", id), ("why", &e.localized(lang))],
            )),
        }
    }
    let mut text = lang.tf(
        "classification_pane.bulk",
        &[("ok", &ok), ("refused", &refusals.len())],
    );
    if !refusals.is_empty() {
        // The separators are the language's (full-width in Chinese).
        text = lang.tf(
            "classification_pane.bulk_refusals",
            &[
                ("bulk", &text),
                (
                    "refusals",
                    &refusals.join(lang.t("classification_pane.refusal_sep")),
                ),
            ],
        );
    }
    Ok(Saved {
        text,
        warn: !refusals.is_empty(),
    })
}

impl App {
    /// The propose form for `contract` (the selected row's loan, or the loan in front).
    pub(crate) fn open_propose_form(&mut self, contract: &str) -> anyhow::Result<Redraw> {
        let form = super::forms::classification::propose_form(contract, self.today_date, self.lang);
        let key = FormKey::new(
            FormKind::ProposeLoanClass,
            Subject::Contract(contract.to_string()),
        );
        self.open_form(form, key)?;
        Ok(true)
    }

    /// The approve form for `rows` (the selected one, or the marked ones).
    pub(crate) fn open_approve_form(&mut self, rows: &[ProposalRow]) -> anyhow::Result<Redraw> {
        if rows.is_empty() {
            self.notice = Some(Notice {
                text: self.lang.t("classification_pane.nothing").to_string(),
                error: true,
            });
            return Ok(true);
        }
        // Asked first, as the save asks it: whoever may decide none of them hears why now
        // (their own proposal, a class above their limit, their role).
        let first_refusal = rows.iter().map(|r| {
            crate::workflow::classification::may_approve(
                &self.actor,
                r.current,
                r.proposed,
                &r.proposer,
            )
        });
        let mut refusal = None;
        for r in first_refusal {
            match r {
                Ok(()) => {
                    refusal = None;
                    break;
                }
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        if let Some(e) = refusal {
            self.notice = Some(Notice {
                text: super::warning_actions::workflow_error_text(&e, self.lang),
                error: true,
            });
            return Ok(true);
        }
        let form = super::forms::classification::approve_form(rows, self.lang);
        let items = rows.iter().map(|r| (r.id, r.version)).collect();
        let key = FormKey::new(FormKind::ApproveProposals, Subject::Proposals(items));
        self.open_form(form, key)?;
        Ok(true)
    }

    /// The reject form for `row`.
    pub(crate) fn open_reject_form(&mut self, row: &ProposalRow) -> anyhow::Result<Redraw> {
        if let Err(e) = crate::workflow::classification::may_reject(&self.actor, &row.proposer) {
            self.notice = Some(Notice {
                text: super::warning_actions::workflow_error_text(&e, self.lang),
                error: true,
            });
            return Ok(true);
        }
        let form = super::forms::classification::reject_form(row, self.lang);
        let key = FormKey::new(FormKind::RejectProposal, Subject::Proposal(row.id));
        self.open_form(form, key)?;
        Ok(true)
    }

    /// The migration-period form over the pane: the period shown last, else the year to
    /// date of the book's as-of date.
    pub(crate) fn open_migration_form(&mut self) -> anyhow::Result<Redraw> {
        let period = self
            .classification
            .migration
            .as_ref()
            .map(|v| (v.from, v.to))
            .unwrap_or_else(|| super::forms::classification::default_period(self.today_date));
        let form = super::forms::classification::migration_form(period, self.lang);
        let key = FormKey::new(FormKind::MigrationPeriod, Subject::Book);
        self.open_form(form, key)?;
        Ok(true)
    }

    /// The summary pane's period form, prefilled with the period shown.
    pub(crate) fn open_summary_form(&mut self) -> anyhow::Result<Redraw> {
        let form = super::forms::summary::form(self.summary.period, self.lang);
        let key = FormKey::new(FormKind::SummaryPeriod, Subject::Book);
        self.open_form(form, key)?;
        Ok(true)
    }

    /// Opens the form signing the summary of the pane's period, or, to a user who may not
    /// sign, or for a period not ended by the book's day, says why on the status line.
    pub(crate) fn open_summary_sign_form(&mut self) -> anyhow::Result<Redraw> {
        use crate::workflow::{Command, Subject as Who};
        let period = self.summary.period;
        let refused = self
            .actor
            .authorize(Command::SignSummary, &Who::NONE)
            .and_then(|()| {
                crate::workflow::summary_sign::check_period_ended(period, self.today_date)
            });
        if let Err(e) = refused {
            self.notice = Some(Notice {
                text: super::warning_actions::workflow_error_text(&e, self.lang),
                error: true,
            });
            return Ok(true);
        }
        let earlier = self
            .summary
            .signed
            .as_ref()
            .map(|s| (s.id, s.number.clone()));
        let form = super::forms::summary_sign::form(
            period,
            earlier.as_ref().map(|(id, n)| (*id, n.as_str())),
            self.lang,
        );
        self.open_form(
            form,
            FormKey::new(FormKind::SummarySign, Subject::Period(period)),
        )?;
        Ok(true)
    }

    /// Reads the summary of `period` and shows it in the summary pane (a busy or failed read
    /// says why on the status line).
    pub(crate) fn show_summary(
        &mut self,
        period: crate::engine::summary::Period,
    ) -> anyhow::Result<()> {
        self.summary.today = self.today_date;
        if let Err(e) = self.summary.show(&self.store, period) {
            self.notice = Some(Notice {
                text: super::errors::store_error_text(&e, self.lang),
                error: true,
            });
        }
        Ok(())
    }

    /// Reads the migration figures for the period and shows them in the pane.
    pub(crate) fn show_migration(&mut self, from: NaiveDate, to: NaiveDate) -> anyhow::Result<()> {
        match self.classification.show_migration(&self.store, from, to) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.notice = Some(Notice {
                    text: super::errors::store_error_text(&e, self.lang),
                    error: true,
                });
                Ok(())
            }
        }
    }
}
