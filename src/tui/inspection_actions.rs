//! What the workbench does for inspections beyond the pane: open the start form (from the
//! plan's row, a loan or a warning), open an inspection in the report editor with its draft,
//! send the editor's commands through `workflow::inspection`, keep the section being typed
//! as a draft (on the event loop's timer, on Ctrl-S, on hang-up), and say at start that a
//! report draft exists.

use super::app::{App, Notice, Redraw};
use super::forms::{FormCommand, FormKey, FormKind, Subject};
use super::keymap::{Action, Key, Section};
use super::panes::inspection_editor::{InspectionEditor, ReportCommand};
use super::stack::{Changed, Screen};
use crate::config::Config;
use crate::domain::inspection::{InspectionKind, InspectionStatus};
use crate::domain::text::display;
use crate::workflow::inspection as flow;
use crossterm::event::{KeyCode, KeyEvent};

/// Fills in what a form's command takes from config (the evidence size limit, the
/// checklist).
pub fn with_config(cmd: FormCommand, config: &Config) -> FormCommand {
    match cmd {
        FormCommand::Attach {
            number,
            expected_version,
            path,
            note,
            ..
        } => FormCommand::Attach {
            number,
            expected_version,
            path,
            note,
            max_bytes: config
                .plan()
                .map(|p| p.evidence_max_bytes)
                .unwrap_or(DEFAULT_EVIDENCE_MAX),
        },
        FormCommand::Score {
            number,
            expected_version,
            items,
            checklist,
        } => FormCommand::Score {
            number,
            expected_version,
            items,
            // A bad checklist config was refused at start; the form's own stays otherwise.
            checklist: config.checklist().unwrap_or(checklist),
        },
        FormCommand::ProposeLoanClass {
            contract_no,
            to,
            reason,
            basis,
            effective_on,
            ..
        } => FormCommand::ProposeLoanClass {
            contract_no,
            to,
            reason,
            basis,
            effective_on,
            rules: config.classification.rules().ok(),
        },
        FormCommand::ApproveProposals { items, comment, .. } => FormCommand::ApproveProposals {
            items,
            comment,
            rules: config.classification.rules().ok(),
            plan: config.plan().ok(),
        },
        other => other,
    }
}

/// The evidence size limit when the config's cannot be read (the shipped default, 50 MiB).
const DEFAULT_EVIDENCE_MAX: u64 = 50 * 1024 * 1024;

/// The drafts key of inspection `number`'s report.
pub fn report_key(number: &str) -> FormKey {
    FormKey::new(
        FormKind::InspectionReport,
        Subject::Inspection(number.to_string()),
    )
}

impl App {
    /// Opens the start-inspection form for `contract`: of the planned row's kind, triggered
    /// when a warning is given, else routine.
    pub(crate) fn open_start_form(
        &mut self,
        contract: &str,
        planned: Option<i64>,
        warning: Option<&str>,
    ) -> anyhow::Result<Redraw> {
        let kind = match (planned, warning) {
            (Some(id), _) => self
                .store
                .inspection(id)?
                .map(|i| i.row.kind)
                .unwrap_or(InspectionKind::Routine),
            (None, Some(_)) => InspectionKind::Triggered,
            (None, None) => InspectionKind::Routine,
        };
        let form = super::forms::inspection::form(
            contract,
            kind,
            warning.unwrap_or_default(),
            &self.actor.username,
            self.today_date,
            self.lang,
        );
        let key = FormKey::new(
            FormKind::StartInspection,
            Subject::Contract(contract.to_string()),
        );
        self.open_form(form, key)?;
        Ok(true)
    }

    /// Opens inspection `id` in the report editor, with its draft if one was kept.
    pub(crate) fn open_inspection(&mut self, id: i64) -> anyhow::Result<Redraw> {
        let Some(mut e) = InspectionEditor::load(&self.store, id, self.today_date)? else {
            return Ok(false);
        };
        // A bad checklist config was refused at start: none here means none to show.
        e.checklist = self.config.checklist().ok();
        e.floor = super::panes::loan_class::floor_of_loan(
            &self.store,
            e.inspection.row.loan_id,
            &self.class_rules,
            self.today_date,
        )?;
        match self
            .drafts
            .load(&self.actor.username, &report_key(e.number()))
        {
            Ok(Some(values)) => {
                if e.restore(&values) {
                    self.notice = Some(Notice {
                        text: self.lang.t("form.draft_restored").to_string(),
                        error: false,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => {
                self.notice = Some(Notice {
                    text: super::errors::draft_error_text(&e, self.lang),
                    error: true,
                });
            }
        }
        self.push_screen(Screen::Inspection(Box::new(e)))?;
        Ok(true)
    }

    /// Whether the report editor is in front with keys going into its text.
    pub fn editor_editing(&self) -> bool {
        self.form().is_none() && self.detail.editor().is_some_and(|e| e.editing)
    }

    /// Whether the editor in front has text typed since its draft was last kept.
    pub fn editor_dirty(&self) -> bool {
        self.detail.editor().is_some_and(|e| e.dirty)
    }

    /// Keeps the editor's unwritten sections as the report's draft (none left: forgets it).
    pub(crate) fn save_report_draft(&mut self) -> anyhow::Result<()> {
        let user = self.actor.username.clone();
        let Some(e) = self.detail.editor_mut() else {
            return Ok(());
        };
        if !e.dirty {
            return Ok(());
        }
        let key = report_key(e.number());
        let values = e.draft_values();
        if values.is_empty() {
            self.drafts.discard(&user, &key)?;
        } else {
            self.drafts.save(&user, &key, &values)?;
        }
        if let Some(e) = self.detail.editor_mut() {
            e.dirty = false;
        }
        Ok(())
    }

    /// At start: says on the status line that a report draft exists, and where.
    pub(crate) fn announce_report_drafts(&mut self) {
        let Ok(numbers) = self
            .drafts
            .subjects(&self.actor.username, FormKind::InspectionReport)
        else {
            return;
        };
        // Only drafts of reports that can still be written (a draft of a report since
        // submitted or approved is kept, but there is nothing to do with it now).
        let numbers: Vec<String> = numbers
            .into_iter()
            .filter(|n| {
                self.store
                    .inspection_by_number(n)
                    .ok()
                    .flatten()
                    .is_some_and(|i| {
                        matches!(
                            i.row.status,
                            InspectionStatus::Planned
                                | InspectionStatus::Draft
                                | InspectionStatus::Returned
                        )
                    })
            })
            .collect();
        if let Some(first) = numbers.first() {
            self.notice = Some(Notice {
                text: self.lang.tf(
                    "inspection_editor.draft_exists",
                    &[("number", &display(first)), ("n", &numbers.len())],
                ),
                error: false,
            });
        }
    }

    /// A key while a section is edited: Esc stops editing (the draft is kept), the editor's
    /// save key writes the section, Ctrl-C keeps the draft and quits; the rest is text.
    pub(crate) fn handle_editor_key(&mut self, key: KeyEvent, k: &Key) -> anyhow::Result<Redraw> {
        let plain_char = matches!(key.code, KeyCode::Char(_)) && !k.ctrl && !k.alt;
        let action = (!plain_char)
            .then(|| self.keymap.action(Section::Editor, k))
            .flatten();
        if key.code == KeyCode::Esc {
            if let Some(e) = self.detail.editor_mut() {
                e.editing = false;
            }
            if let Err(e) = self.save_report_draft() {
                self.report(&e);
            }
            return Ok(true);
        }
        if action == Some(Action::Save) {
            let Some(e) = self.detail.editor() else {
                return Ok(false);
            };
            let cmd = ReportCommand::Write {
                section: e.section(),
                text: e.area.text(),
            };
            return self.report_command(cmd);
        }
        if k.ctrl && key.code == KeyCode::Char('c') {
            self.save_report_draft()?;
            self.quit = true;
            return Ok(true);
        }
        Ok(self.detail.editor_mut().is_some_and(|e| e.input(key)))
    }

    /// Pasted text into the section being edited.
    pub(crate) fn paste_into_editor(&mut self, text: &str) -> bool {
        self.detail.editor_mut().is_some_and(|e| e.paste(text))
    }

    /// A command of the report editor in front, through the workflow. A refusal (own report,
    /// wrong role or state, stale version, empty section) goes to the status line, translated;
    /// the text stays, kept as a draft.
    pub(crate) fn report_command(&mut self, cmd: ReportCommand) -> anyhow::Result<Redraw> {
        let Some(e) = self.detail.editor() else {
            return Ok(false);
        };
        let number = e.number().to_string();
        let shown_version = e.inspection.row.version;
        let version = Some(shown_version);
        let lang = self.lang;
        let shown = display(&number);
        // A final approval may raise a warning (its checklist score below the line).
        let changed = if cmd == ReportCommand::Approve {
            Changed::INSPECTIONS | Changed::WARNINGS
        } else {
            Changed::INSPECTIONS
        };
        if cmd == ReportCommand::Locked {
            self.notice = e
                .locked_for(&self.actor.username, lang)
                .map(|text| Notice { text, error: true });
            return Ok(true);
        }
        // A key that opens a form asks the workflow's own rule first (author, role, state):
        // a refusal is said at once, before any typing.
        let precheck = match cmd {
            ReportCommand::Measure
            | ReportCommand::ProposeClass
            | ReportCommand::Attach
            | ReportCommand::Checklist => Some(flow::may_edit(
                &self.actor,
                e.inspection.row.author.as_deref(),
                e.inspection.row.status,
            )),
            ReportCommand::Return => Some(flow::may_return(
                &self.actor,
                e.inspection.row.author.as_deref(),
                e.inspection.approvals_done,
                e.inspection.row.status,
            )),
            _ => None,
        };
        if let Some(Err(err)) = precheck {
            self.notice = Some(Notice {
                text: err.localized(lang),
                error: true,
            });
            return Ok(true);
        }
        if let ReportCommand::Write { section, .. } = &cmd {
            let i = section.number().saturating_sub(1) as usize;
            if e.conflict(i) {
                // Someone else wrote this section while it was being edited here: say so
                // once, keep the text, and let a second save write it over theirs.
                let text = lang.tf(
                    "inspection_editor.conflict",
                    &[
                        ("section", &lang.t(&section.key())),
                        ("by", &display(&e.inspection.updated_by)),
                        (
                            "at",
                            &crate::domain::text::local_time(&e.inspection.updated_at),
                        ),
                    ],
                );
                if let Some(e) = self.detail.editor_mut() {
                    e.take_over(i);
                }
                self.notice = Some(Notice { text, error: true });
                if let Err(e) = self.save_report_draft() {
                    tracing::warn!("report draft not kept: {e:#}");
                }
                return Ok(true);
            }
        }
        let result = match cmd {
            ReportCommand::Write { section, text } => flow::write_section(
                &mut self.store,
                &self.actor,
                &number,
                version,
                section,
                &text,
            )
            .map(|()| {
                lang.tf(
                    "inspections_cli.written",
                    &[("number", &shown), ("section", &lang.t(&section.key()))],
                )
            }),
            ReportCommand::Submit => match self.config.plan() {
                Ok(cfg) => flow::submit(
                    &mut self.store,
                    &self.actor,
                    &number,
                    version,
                    &cfg,
                    self.today_date,
                )
                .map(|()| lang.tf("inspections_cli.submitted", &[("number", &shown)])),
                Err(e) => {
                    self.notice = Some(Notice {
                        text: e.localized(lang),
                        error: true,
                    });
                    return Ok(true);
                }
            },
            ReportCommand::Approve => match self.config.checklist() {
                Ok(checklist) => flow::approve(
                    &mut self.store,
                    &self.actor,
                    &number,
                    version,
                    "",
                    self.today_date,
                    lang,
                    &checklist,
                )
                .map(|a| match a {
                    flow::Approval::AwaitsSecond => {
                        lang.tf("inspections_cli.awaits_second", &[("number", &shown)])
                    }
                    flow::Approval::Approved { document, warning } => {
                        let mut text = lang.tf(
                            "inspections_cli.approved",
                            &[("number", &shown), ("document", &document)],
                        );
                        if let Some(w) = warning {
                            text.push(' ');
                            text.push_str(&lang.tf(
                                "inspections_cli.score_warning",
                                &[("number", &shown), ("warning", &w)],
                            ));
                        }
                        text
                    }
                }),
                Err(e) => {
                    self.notice = Some(Notice {
                        text: e.localized(lang),
                        error: true,
                    });
                    return Ok(true);
                }
            },
            ReportCommand::Return => {
                let form = super::forms::report::return_form(&number, shown_version, lang);
                let key = FormKey::new(FormKind::ReturnReport, Subject::Inspection(number));
                self.open_form(form, key)?;
                return Ok(true);
            }
            ReportCommand::Measure => {
                let form = super::forms::report::measure_form(&number, shown_version, lang);
                let key = FormKey::new(FormKind::AddMeasure, Subject::Inspection(number));
                self.open_form(form, key)?;
                return Ok(true);
            }
            ReportCommand::ProposeClass => {
                let form = super::forms::report::class_form(&number, shown_version, lang);
                let key = FormKey::new(FormKind::ProposeClass, Subject::Inspection(number));
                self.open_form(form, key)?;
                return Ok(true);
            }
            // Answered above.
            ReportCommand::Locked => return Ok(false),
            ReportCommand::Checklist => {
                let checklist = match self.config.checklist() {
                    Ok(c) if !c.items.is_empty() => c,
                    Ok(_) => {
                        self.notice = Some(Notice {
                            text: lang.t("inspections_cli.checklist_none").to_string(),
                            error: true,
                        });
                        return Ok(true);
                    }
                    Err(e) => {
                        self.notice = Some(Notice {
                            text: e.localized(lang),
                            error: true,
                        });
                        return Ok(true);
                    }
                };
                let points = e.points.clone();
                let form = super::forms::checklist::form(
                    &number,
                    shown_version,
                    &checklist,
                    &points,
                    lang,
                );
                let key = FormKey::new(FormKind::Checklist, Subject::Inspection(number));
                self.open_form(form, key)?;
                return Ok(true);
            }
            ReportCommand::Attach => {
                let form = super::forms::report::attach_form(&number, shown_version, lang);
                let key = FormKey::new(FormKind::AttachEvidence, Subject::Inspection(number));
                self.open_form(form, key)?;
                return Ok(true);
            }
        };
        match result {
            Ok(text) => {
                self.notice = Some(Notice { text, error: false });
                self.data_version = self.store.data_version()?;
                if let Some(e) = self.detail.editor_mut() {
                    e.written(&self.store)?;
                    // What is written is no longer a draft; what is left stays one.
                    e.dirty = true;
                }
                self.save_report_draft()?;
                self.reload_changed_or_later(changed)?;
            }
            Err(e) => {
                self.notice = Some(Notice {
                    text: super::warning_actions::workflow_error_text(&e, lang),
                    error: true,
                });
                if let Err(e) = self.save_report_draft() {
                    tracing::warn!("report draft not kept: {e:#}");
                }
            }
        }
        Ok(true)
    }
}
