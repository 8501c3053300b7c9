//! Forms over the workbench: opening one (with its draft), the keys while it is open, and
//! sending it through the workflow (loan forms here, warning forms in `warning_actions`).

use super::app::{App, Notice, Redraw};
use super::keymap::{Action, Key, Section};
use super::widgets::form::Form;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    pub(crate) fn open_form(&mut self, mut form: Form, key: String) -> anyhow::Result<()> {
        if let Some(body) = self.store.draft(&self.actor.username, &key)?
            && let Ok(values) = serde_json::from_str::<Vec<String>>(&body)
        {
            form.restore(&values);
            self.notice = Some(Notice {
                text: self.lang.t("form.draft_restored").to_string(),
                error: false,
            });
        }
        self.form = Some(form);
        self.form_key = Some(key);
        Ok(())
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
                // Esc keeps the draft: the text comes back when the form is opened again.
                self.save_draft()?;
                self.form = None;
                self.form_key = None;
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
                self.store.discard_draft(&self.actor.username, &key)?;
                self.form = None;
                self.form_key = None;
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
                self.reload_all()?;
            }
            Err(e) => {
                form.message = Some(e.localized(self.lang));
            }
        }
        Ok(())
    }
}
