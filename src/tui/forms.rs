//! Forms over the workbench: opening one (with its draft), the keys while it is open, and
//! sending it through the workflow (loan forms here, warning forms in `warning_actions`).

use super::app::{App, Notice, Redraw, Retry};
use super::keymap::{Action, Key, Section};
use super::widgets::form::Form;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    /// Opens `form` with the draft saved under `key`, if any. A drafts file that cannot be
    /// read is said on the status line; the form opens empty and is not prevented.
    pub(crate) fn open_form(&mut self, mut form: Form, key: String) -> anyhow::Result<()> {
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
        self.form = Some(form);
        self.form_key = Some(key);
        Ok(())
    }

    /// Closes the open form (its save, if kept for a busy book, is dropped).
    pub(crate) fn close_form(&mut self) {
        self.form = None;
        self.form_key = None;
        if self.retry.contains(&Retry::Submit) {
            self.retry.retain(|r| *r != Retry::Submit);
            self.busy = !self.retry.is_empty();
        }
    }

    /// Forgets the draft of a form that was saved; failing that is only logged (the draft
    /// would come back when the form is next opened, nothing is lost).
    pub(crate) fn discard_draft(&mut self, key: &str) {
        if let Err(e) = self.drafts.discard(&self.actor.username, key) {
            tracing::warn!("draft {key} not discarded: {e}");
        }
    }

    /// A save that failed only because the book is busy: the form stays open with its text,
    /// says so, and the save is sent again on the next poll.
    pub(crate) fn keep_for_retry(&mut self) {
        if let Some(form) = self.form.as_mut() {
            form.message = Some(self.lang.t("book_busy.form_kept").to_string());
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
        let Some(form) = self.form.as_mut() else {
            return Ok(false);
        };
        match action {
            Some(Action::NextField) => form.next(),
            Some(Action::PrevField) => form.prev(),
            Some(Action::Cancel) => {
                // Esc keeps the draft: the text comes back when the form is opened again. If
                // the draft cannot be written, the form stays open with the text and says why.
                if let Err(e) = self.save_draft() {
                    let text = super::errors::error_text(&e, self.lang);
                    if let Some(form) = self.form.as_mut() {
                        form.message = Some(text);
                    }
                    return Ok(true);
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

    pub(crate) fn submit_form(&mut self) -> anyhow::Result<()> {
        if self
            .form_key
            .as_deref()
            .is_some_and(super::warning_actions::is_warning_form)
        {
            return self.submit_warning_form();
        }
        let (Some(form), Some(key), Some(detail)) = (
            self.form.as_mut(),
            self.form_key.clone(),
            self.detail.as_ref(),
        ) else {
            return Ok(());
        };
        if !form.validate(self.lang) {
            return Ok(());
        }
        let result = super::panes::loan_detail::submit(
            form,
            &key,
            detail,
            &mut self.store,
            &self.actor,
            &self.rules,
            self.today_date,
        );
        match result {
            Ok(saved) => {
                self.discard_draft(&key);
                self.form = None;
                self.form_key = None;
                self.retry.retain(|r| *r != Retry::Submit);
                self.busy = !self.retry.is_empty();
                let mut text = self.lang.t(saved.text_key).to_string();
                if saved.new_warnings > 0 {
                    text.push(' ');
                    text.push_str(
                        &self
                            .lang
                            .tf("form.new_warnings", &[("n", &saved.new_warnings)]),
                    );
                }
                self.notice = Some(Notice {
                    text,
                    error: saved.new_warnings > 0,
                });
                self.data_version = self.store.data_version()?;
                self.reload_or_later()?;
            }
            Err(e) if e.is_busy() => self.keep_for_retry(),
            Err(e) => {
                form.message = Some(super::errors::workflow_error_text(&e, self.lang));
            }
        }
        Ok(())
    }
}
