//! A form of single-line fields: each field parses its own text and shows why it does not
//! parse right beside it, keeping what was typed. Its values serialise as a draft.

use crate::domain::money::{parse_amount, parse_signed_amount};
use crate::domain::text::{display, sanitize, truncate, width};
use crate::i18n::Lang;
use crate::tui::theme::Theme;
use chrono::NaiveDate;
use crossterm::event::{Event, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use rust_decimal::Decimal;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// What a field accepts.
#[derive(Debug, Clone)]
pub enum FieldKind {
    Date,
    /// A whole number of days, zero or more.
    Days,
    /// A decimal, or nothing (a threshold left unset).
    OptionalDecimal,
    Amount,
    SignedAmount,
    /// One of these codes (English or Chinese, as the parser accepts).
    Choice(fn(&str) -> bool, &'static str),
    Text {
        required: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label_key: &'static str,
    pub kind: FieldKind,
    pub input: Input,
    pub error: Option<String>,
}

impl Field {
    pub fn new(label_key: &'static str, kind: FieldKind, value: &str) -> Field {
        Field {
            label_key,
            kind,
            input: Input::new(value.to_string()),
            error: None,
        }
    }

    /// Checks the text; sets and returns the error in the given language.
    pub fn validate(&mut self, lang: Lang) -> bool {
        let v = self.input.value().trim();
        self.error = match &self.kind {
            FieldKind::Date => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .err()
                .map(|_| lang.t("form.err_date").to_string()),
            FieldKind::OptionalDecimal => (!v.is_empty()
                && crate::domain::money::parse_rate(v).is_err())
            .then(|| lang.t("form.err_decimal").to_string()),
            FieldKind::Days => {
                (v.parse::<u32>().is_err()).then(|| lang.t("form.err_days").to_string())
            }
            FieldKind::Amount => parse_amount(v)
                .err()
                .map(|e| lang.tf("form.err_amount", &[("why", &lang.t(e.key()))])),
            FieldKind::SignedAmount => parse_signed_amount(v)
                .err()
                .map(|e| lang.tf("form.err_amount", &[("why", &lang.t(e.key()))])),
            FieldKind::Choice(ok, accepted) => {
                (!ok(v)).then(|| lang.tf("form.err_choice", &[("accepted", accepted)]))
            }
            FieldKind::Text { required } => {
                (*required && v.is_empty()).then(|| lang.t("form.err_required").to_string())
            }
        };
        self.error.is_none()
    }

    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(self.input.value().trim(), "%Y-%m-%d").ok()
    }

    pub fn opt_decimal(&self) -> Option<Decimal> {
        crate::domain::money::parse_rate(self.input.value()).ok()
    }

    pub fn days(&self) -> Option<i64> {
        self.input.value().trim().parse::<u32>().ok().map(i64::from)
    }

    pub fn amount(&self) -> Option<Decimal> {
        match self.kind {
            FieldKind::SignedAmount => parse_signed_amount(self.input.value()).ok(),
            _ => parse_amount(self.input.value()).ok(),
        }
    }

    pub fn text(&self) -> String {
        sanitize(self.input.value().trim())
    }
}

/// A titled list of fields with one focused.
#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Error from the workflow (e.g. permission), shown under the fields.
    pub message: Option<String>,
    /// Set when the text changed since the draft was last saved.
    pub dirty: bool,
    /// The version of the record the form edits, as the screen showed it (a stale save is
    /// refused by the workflow).
    pub expected_version: Option<i64>,
}

impl Form {
    pub fn new(title: String, fields: Vec<Field>) -> Form {
        Form {
            title,
            fields,
            focus: 0,
            expected_version: None,
            message: None,
            dirty: false,
        }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    /// Passes an editing key to the focused field.
    pub fn edit(&mut self, key: KeyEvent) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let before = field.input.value().len();
        let changed = field
            .input
            .handle_event(&Event::Key(key))
            .is_some_and(|r| r.value || r.cursor);
        if field.input.value().len() != before || changed {
            field.error = None;
            self.dirty = true;
        }
        changed
    }

    /// Puts pasted text into the focused field at its caret, as one line (every field is a
    /// single line): line breaks become spaces, control characters go. Never runs as keys.
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let clean = crate::domain::text::one_line(text);
        if clean.is_empty() {
            return false;
        }
        field.input = insert_at_cursor(&field.input, &clean);
        field.error = None;
        self.dirty = true;
        true
    }

    /// Validates every field; true when all parse.
    pub fn validate(&mut self, lang: Lang) -> bool {
        let mut ok = true;
        for f in &mut self.fields {
            ok &= f.validate(lang);
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        ok
    }

    /// The typed values, for a draft.
    pub fn values(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|f| f.input.value().to_string())
            .collect()
    }

    pub fn restore(&mut self, values: &[String]) {
        for (f, v) in self.fields.iter_mut().zip(values) {
            f.input = Input::new(v.clone());
        }
    }

    /// Draws the form centred over `area` and places the real cursor at the caret, so an
    /// input method's candidate window appears where the user types.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, lang: Lang, theme: &Theme, hint: &str) {
        let label_w = self
            .fields
            .iter()
            .map(|f| width(lang.t(f.label_key)))
            .max()
            .unwrap_or(8)
            + 2;
        let w = area.width.saturating_sub(4).min(100);
        // One line per field (the error beside the value), so an 11-field statement fits 80x24.
        let h = (self.fields.len() as u16 + 4).min(area.height);
        let x = area.x + (area.width - w) / 2;
        let y = area.y + (area.height.saturating_sub(h)) / 2;
        let rect = Rect::new(x, y, w, h);
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" {} ", self.title), theme.title));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let rest = (inner.width as usize).saturating_sub(label_w + 1);
        // Short fields leave room beside them for their error; free text takes the width.
        let input_w = (rest / 2).clamp(4, 24);
        let mut lines = Vec::new();
        let mut cursor = None;
        for (i, f) in self.fields.iter().enumerate() {
            let label = format!(
                "{}{}",
                if i == self.focus { ">" } else { " " },
                lang.t(f.label_key)
            );
            let pad = label_w.saturating_sub(width(&label));
            // Free text gets the whole width; its error goes on the hint line instead.
            let field_w = if matches!(f.kind, FieldKind::Text { .. }) {
                rest.saturating_sub(1).max(4)
            } else {
                input_w
            };
            let (shown, caret) = field_view(&f.input, field_w);
            let style = if i == self.focus {
                theme.selected
            } else {
                Style::new()
            };
            let mut spans = vec![
                Span::raw(label),
                Span::raw(" ".repeat(pad + 1)),
                Span::styled(crate::domain::text::pad_right(&shown, field_w), style),
            ];
            if let Some(e) = &f.error {
                let room = rest.saturating_sub(field_w + 1);
                if room >= 8 {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(truncate(e, room), theme.error));
                }
            }
            lines.push(Line::from(spans));
            if i == self.focus {
                let cx = inner.x + (label_w + 1) as u16 + caret as u16;
                cursor = Some(Position::new(
                    cx.min(inner.right().saturating_sub(1)),
                    inner.y + lines.len() as u16 - 1,
                ));
            }
        }
        let text_error = self
            .fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::Text { .. }) && f.error.is_some())
            .and_then(|f| {
                f.error
                    .as_ref()
                    .map(|e| format!("{}: {e}", lang.t(f.label_key)))
            });
        if let Some(e) = text_error {
            lines.push(Line::from(Span::styled(
                truncate(&e, inner.width as usize),
                theme.error,
            )));
        }
        if let Some(m) = &self.message {
            lines.push(Line::from(Span::styled(
                truncate(m, inner.width as usize),
                theme.error,
            )));
        }
        lines.push(Line::from(Span::styled(
            truncate(hint, inner.width as usize),
            theme.muted,
        )));
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some(p) = cursor {
            frame.set_cursor_position(p);
        }
    }
}

/// What a text input shows in `cols` columns, as `display` makes it (widths every terminal
/// agrees on), scrolled so the caret is in view; and the caret's column in it.
pub fn field_view(input: &Input, cols: usize) -> (String, usize) {
    let value = input.value();
    let split = value
        .char_indices()
        .nth(input.cursor())
        .map(|(i, _)| i)
        .unwrap_or(value.len());
    let before = display(&value[..split]);
    let shown = format!("{before}{}", display(&value[split..]));
    let caret = width(&before);
    let scroll = (caret + 1).saturating_sub(cols.max(1));
    (visible_slice(&shown, scroll, cols), caret - scroll)
}

/// `input` with `text` inserted at its caret, the caret after it.
pub fn insert_at_cursor(input: &Input, text: &str) -> Input {
    let at = input.cursor();
    let value = input.value();
    let split = value
        .char_indices()
        .nth(at)
        .map(|(i, _)| i)
        .unwrap_or(value.len());
    let joined = format!("{}{text}{}", &value[..split], &value[split..]);
    Input::new(joined).with_cursor(at + text.chars().count())
}

/// The part of `text` from display column `scroll`, at most `cols` wide.
fn visible_slice(text: &str, scroll: usize, cols: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut col = 0;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if col >= scroll {
            if used + w > cols {
                break;
            }
            out.push(if c.is_control() { ' ' } else { c });
            used += w;
        }
        col += w;
    }
    out
}
