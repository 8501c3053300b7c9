//! A form of named fields (single-line, choice or multi-line text): each field parses its own
//! text and shows why it does not parse right beside it, keeping what was typed. Its values,
//! keyed by field name, serialise as a draft.

use crate::domain::money::{AmountError, parse_amount, parse_signed_amount};
use crate::domain::text::{display, width};
use crate::i18n::Lang;
use crate::tui::theme::Theme;
use crate::tui::widgets::text_area::TextArea;
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
    /// A date, or nothing (a deadline left open); a date given parses as [`FieldKind::Date`].
    OptionalDate,
    /// A whole number of days, zero or more.
    Days,
    /// A decimal, or nothing (a threshold left unset).
    OptionalDecimal,
    Amount,
    SignedAmount,
    /// One of a domain's codes, shown by its name in the user's language.
    Choice(Choices),
    Text {
        required: bool,
    },
    /// Several lines of free text (Enter is a new line).
    Notes {
        required: bool,
    },
    /// Checklist points from 0 to `max`, one decimal at most, or nothing (not scored).
    Points {
        max: u32,
    },
}

/// The choices of a choice field: a domain's codes with their names in the user's language,
/// and the domain's parser (which accepts the English code and the Chinese name).
#[derive(Debug, Clone)]
pub struct Choices {
    pub options: Vec<(&'static str, String)>,
    pub parse: fn(&str) -> Option<&'static str>,
    /// Each code's names in every language (a draft written in another language's session
    /// may name a choice so).
    pub all_names: Vec<(&'static str, String)>,
}

impl Choices {
    /// The choices for `codes`, named by the translation table's `group`.
    pub fn new(
        codes: impl IntoIterator<Item = &'static str>,
        group: &str,
        lang: Lang,
        parse: fn(&str) -> Option<&'static str>,
    ) -> Choices {
        let codes: Vec<&'static str> = codes.into_iter().collect();
        Choices {
            options: codes
                .iter()
                .map(|c| (*c, lang.code_name(group, c)))
                .collect(),
            parse,
            all_names: [Lang::En, Lang::ZhCn]
                .into_iter()
                .flat_map(|l| codes.iter().map(move |c| (*c, l.code_name(group, c))))
                .collect(),
        }
    }

    /// The code `text` names: a choice's code or shown name, or what the domain parses.
    pub fn code_of(&self, text: &str) -> Option<&'static str> {
        let t = text.trim();
        self.options
            .iter()
            .find(|(c, n)| *c == t || n == t)
            .map(|(c, _)| *c)
            .or_else(|| (self.parse)(t))
            .or_else(|| self.all_names.iter().find(|(_, n)| n == t).map(|(c, _)| *c))
            .filter(|c| self.options.iter().any(|(o, _)| o == c))
    }

    /// The shown name of `code`.
    pub fn name_of(&self, code: &str) -> String {
        self.options
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    }

    /// The names, for the hint and the error.
    pub fn names(&self) -> String {
        self.options
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The name of the first choice whose code or name (in either language) begins with
    /// `typed`, letters compared without case: what typing selects.
    fn starting_with(&self, typed: &str) -> Option<String> {
        let typed = typed.to_lowercase();
        if typed.trim().is_empty() {
            return None;
        }
        let begins = |text: &str| text.to_lowercase().starts_with(&typed);
        self.options
            .iter()
            .find(|(c, n)| begins(c) || begins(n))
            .map(|(c, _)| *c)
            .or_else(|| {
                self.all_names
                    .iter()
                    .find(|(_, n)| begins(n))
                    .map(|(c, _)| *c)
            })
            .map(|c| self.name_of(c))
    }

    /// The name `step` places after (or before) the choice `text` names.
    fn cycle(&self, text: &str, step: isize) -> String {
        let n = self.options.len() as isize;
        if n == 0 {
            return text.to_string();
        }
        let at = self
            .code_of(text)
            .and_then(|c| self.options.iter().position(|(o, _)| *o == c));
        let next = match at {
            Some(i) => (i as isize + step).rem_euclid(n),
            None if step > 0 => 0,
            None => n - 1,
        };
        self.options[next as usize].1.clone()
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name in its form (drafts and commands address it by this, never by place).
    pub name: &'static str,
    pub label_key: &'static str,
    /// A label made from data (a checklist item's name and range), shown instead of the
    /// translation of `label_key`.
    pub label: Option<String>,
    pub kind: FieldKind,
    /// The text of a single-line field.
    pub input: Input,
    /// The text of a multi-line field (`FieldKind::Notes`).
    pub area: Option<TextArea>,
    pub error: Option<String>,
    /// What has been typed into a choice field since it was last cycled: the choice shown
    /// is the first one this begins.
    typed: String,
}

impl Field {
    pub fn new(name: &'static str, label_key: &'static str, kind: FieldKind, value: &str) -> Field {
        let area = matches!(kind, FieldKind::Notes { .. }).then(|| TextArea::new(value));
        Field {
            name,
            label_key,
            label: None,
            kind,
            input: Input::new(value.to_string()),
            area,
            error: None,
            typed: String::new(),
        }
    }

    /// A choice field whose text is the name of `code` in the user's language.
    pub fn choice(
        name: &'static str,
        label_key: &'static str,
        choices: Choices,
        code: &str,
    ) -> Field {
        let shown = if code.is_empty() {
            String::new()
        } else {
            choices.name_of(code)
        };
        Field::new(name, label_key, FieldKind::Choice(choices), &shown)
    }

    /// The label as shown: the data label, else the translation of `label_key`.
    pub fn label_text(&self, lang: Lang) -> String {
        match &self.label {
            Some(l) => display(l),
            None => lang.t(self.label_key).to_string(),
        }
    }

    /// The text as typed (lines joined with `\n` in a multi-line field).
    pub fn value(&self) -> String {
        match &self.area {
            Some(a) => a.text(),
            None => self.input.value().to_string(),
        }
    }

    /// Replaces the text (a restored draft).
    pub fn set_value(&mut self, value: &str) {
        self.typed.clear();
        match &mut self.area {
            Some(a) => *a = TextArea::new(value),
            None => self.input = Input::new(value.to_string()),
        }
    }

    /// The code a choice field names.
    pub fn choice_code(&self) -> Option<&'static str> {
        match &self.kind {
            FieldKind::Choice(c) => c.code_of(&self.value()),
            _ => None,
        }
    }

    pub fn is_multiline(&self) -> bool {
        self.area.is_some()
    }

    /// Checks the text; sets and returns the error in the given language: a complete sentence
    /// worded for a form field, with its arguments filled.
    pub fn validate(&mut self, lang: Lang) -> bool {
        self.error = self.check().err().map(|e| e.message(lang));
        self.error.is_none()
    }

    /// Why the text does not parse as the field's kind (the same forms the import accepts:
    /// full-width digits and signs, ideographic and no-break spaces around the text).
    pub fn check(&self) -> Result<(), FieldError> {
        let value = self.value();
        let v = value.trim();
        match &self.kind {
            FieldKind::Date => parse_date(v).map(|_| ()),
            FieldKind::OptionalDate if v.is_empty() => Ok(()),
            FieldKind::OptionalDate => parse_date(v).map(|_| ()),
            FieldKind::OptionalDecimal if v.is_empty() => Ok(()),
            FieldKind::OptionalDecimal => crate::domain::money::parse_rate(v)
                .map(|_| ())
                .map_err(FieldError::Decimal),
            FieldKind::Days => parse_days(v).map(|_| ()),
            FieldKind::Amount => parse_amount(v).map(|_| ()).map_err(FieldError::Amount),
            FieldKind::SignedAmount => parse_signed_amount(v)
                .map(|_| ())
                .map_err(FieldError::Amount),
            FieldKind::Choice(c) => match c.code_of(v) {
                Some(_) => Ok(()),
                None => Err(FieldError::Choice(c.names())),
            },
            FieldKind::Points { .. } if v.is_empty() => Ok(()),
            FieldKind::Points { max } => {
                use crate::domain::checklist::{PointsError, parse_points};
                parse_points(v, *max).map(|_| ()).map_err(|e| match e {
                    PointsError::OutOfRange => FieldError::PointsRange(*max),
                    PointsError::TooPrecise => FieldError::PointsPrecise,
                    PointsError::NotANumber | PointsError::UnknownItem => {
                        FieldError::PointsNotNumber
                    }
                })
            }
            FieldKind::Text { required } | FieldKind::Notes { required } => {
                if *required && v.is_empty() {
                    Err(FieldError::Required)
                } else {
                    Ok(())
                }
            }
        }
    }

    pub fn date(&self) -> Option<NaiveDate> {
        parse_date(self.input.value()).ok()
    }

    pub fn opt_decimal(&self) -> Option<Decimal> {
        crate::domain::money::parse_rate(self.input.value()).ok()
    }

    pub fn days(&self) -> Option<i64> {
        parse_days(self.input.value()).ok().map(i64::from)
    }

    pub fn amount(&self) -> Option<Decimal> {
        match self.kind {
            FieldKind::SignedAmount => parse_signed_amount(self.input.value()).ok(),
            _ => parse_amount(self.input.value()).ok(),
        }
    }

    /// The text as typed or pasted, trimmed (a multi-line field keeps its line breaks); the
    /// book stores it as given and the screens show it through `display`.
    pub fn text(&self) -> String {
        match &self.area {
            Some(a) => a.text().trim().to_string(),
            None => self.input.value().trim().to_string(),
        }
    }
}

/// Why a field's text does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// Not of the shape `YYYY-MM-DD`.
    DateShape,
    /// `2026-13-01`: no such month.
    NoSuchMonth(String),
    /// `2026-02-30`: the month (`2026-02`) has fewer days.
    NoSuchDay {
        month: String,
        days: u32,
    },
    /// Not a whole number.
    DaysNotNumber,
    /// A negative number of days.
    DaysNegative,
    /// More days than a form takes.
    DaysTooLarge,
    Amount(AmountError),
    Decimal(AmountError),
    Choice(String),
    Required,
    /// Checklist points that are not a number.
    PointsNotNumber,
    /// Checklist points outside 0 … the item's weight.
    PointsRange(u32),
    /// Checklist points with more than one decimal place.
    PointsPrecise,
}

impl FieldError {
    /// The sentence shown beside the field.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FieldError::DateShape => lang.t("form_parse.date_shape").to_string(),
            FieldError::NoSuchMonth(m) => lang.tf("form_parse.date_no_month", &[("month", m)]),
            FieldError::NoSuchDay { month, days } => lang.tf(
                "form_parse.date_no_day",
                &[("month", month), ("days", days)],
            ),
            FieldError::DaysNotNumber => lang.t("form_parse.days_not_number").to_string(),
            FieldError::DaysNegative => lang.t("form_parse.days_negative").to_string(),
            FieldError::DaysTooLarge => lang.t("form_parse.days_too_large").to_string(),
            FieldError::Amount(e) => amount_message(e, lang, "form_parse.amount_example"),
            FieldError::Decimal(e) => amount_message(e, lang, "form_parse.decimal_example"),
            FieldError::Choice(names) => lang.tf("form_parse.choice", &[("accepted", names)]),
            FieldError::Required => lang.t("form_parse.required").to_string(),
            FieldError::PointsNotNumber => lang.t("form_parse.points_not_number").to_string(),
            FieldError::PointsRange(max) => lang.tf("form_parse.points_range", &[("max", max)]),
            FieldError::PointsPrecise => lang.t("form_parse.points_precise").to_string(),
        }
    }
}

/// An amount's or decimal's error as a form's sentence: the reason, then an example.
fn amount_message(e: &AmountError, lang: Lang, example: &str) -> String {
    let why = match e {
        AmountError::Empty => lang.t("form_parse.amount_empty").to_string(),
        AmountError::NotANumber => lang.t("form_parse.amount_not_a_number").to_string(),
        AmountError::TooPrecise => lang.t("form_parse.amount_too_precise").to_string(),
        AmountError::Negative => lang.t("form_parse.amount_negative").to_string(),
        AmountError::BadGrouping => lang.t("form_parse.amount_bad_grouping").to_string(),
        AmountError::Ambiguous => lang.t("form_parse.amount_ambiguous").to_string(),
        AmountError::Exponent => lang.t("form_parse.amount_exponent").to_string(),
        AmountError::Currency(code) => lang.tf("form_parse.amount_currency", &[("code", code)]),
    };
    lang.tf(example, &[("why", &why)])
}

/// A date as a form takes it: `YYYY-MM-DD`, full-width digits and dashes too, spaces around
/// it (ideographic and no-break ones as well) ignored; a date the calendar lacks says why.
pub fn parse_date(text: &str) -> Result<NaiveDate, FieldError> {
    use crate::domain::dates::DateError;
    crate::domain::dates::parse_date(text).map_err(|e| match e {
        DateError::Shape => FieldError::DateShape,
        DateError::NoSuchMonth(m) => FieldError::NoSuchMonth(m),
        DateError::NoSuchDay { month, days } => FieldError::NoSuchDay { month, days },
    })
}

/// A whole number of days, zero or more, as a form takes it (full-width digits too).
pub fn parse_days(text: &str) -> Result<u32, FieldError> {
    let ascii = crate::domain::money::ascii_forms(text);
    let t = ascii.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::DaysNotNumber);
    }
    if t.starts_with('-') {
        return Err(FieldError::DaysNegative);
    }
    match digits.parse::<u32>() {
        Ok(n) if n <= MAX_DAYS => Ok(n),
        _ => Err(FieldError::DaysTooLarge),
    }
}

/// The most days a form's day count takes (about 100 years).
pub const MAX_DAYS: u32 = 36_500;

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

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    fn named(&self, name: &'static str) -> Result<&Field, &'static str> {
        self.field(name).ok_or(name)
    }

    /// The date in the field `name` (Err: the field's name, when missing or not a date).
    pub fn date(&self, name: &'static str) -> Result<NaiveDate, &'static str> {
        self.named(name)?.date().ok_or(name)
    }

    /// The date in the optional date field `name`: None when left empty (Err: the field's
    /// name, when missing or not a date).
    pub fn optional_date(&self, name: &'static str) -> Result<Option<NaiveDate>, &'static str> {
        let f = self.named(name)?;
        if f.value().trim().is_empty() {
            return Ok(None);
        }
        f.date().map(Some).ok_or(name)
    }

    pub fn amount(&self, name: &'static str) -> Result<Decimal, &'static str> {
        self.named(name)?.amount().ok_or(name)
    }

    pub fn days(&self, name: &'static str) -> Result<i64, &'static str> {
        self.named(name)?.days().ok_or(name)
    }

    /// A decimal or nothing (an empty field); text that is not a decimal is an error.
    pub fn opt_decimal(&self, name: &'static str) -> Result<Option<Decimal>, &'static str> {
        let f = self.named(name)?;
        if f.value().trim().is_empty() {
            return Ok(None);
        }
        f.opt_decimal().map(Some).ok_or(name)
    }

    /// The field's text, trimmed and cleaned.
    pub fn text(&self, name: &'static str) -> Result<String, &'static str> {
        Ok(self.named(name)?.text())
    }

    /// The code a choice field names.
    pub fn code(&self, name: &'static str) -> Result<&'static str, &'static str> {
        self.named(name)?.choice_code().ok_or(name)
    }

    /// The focused field.
    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Passes an editing key to the focused field: Left/Right cycle a choice field's choices,
    /// a multi-line field takes Enter as a new line.
    pub fn edit(&mut self, key: KeyEvent) -> bool {
        use crossterm::event::KeyCode;
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        // A choice field only ever holds one of its choices: Left/Right/Space cycle them,
        // typing selects the first that begins with what was typed, other keys do nothing.
        if let FieldKind::Choice(c) = &field.kind {
            let plain = !key
                .modifiers
                .intersects(!crossterm::event::KeyModifiers::SHIFT);
            // Space continues a name being typed ("Credit approval"), else it cycles.
            let space_types = key.code == KeyCode::Char(' ')
                && !field.typed.is_empty()
                && c.starting_with(&format!("{} ", field.typed)).is_some();
            let next = match key.code {
                KeyCode::Left | KeyCode::Right if plain => {
                    let step = if key.code == KeyCode::Left { -1 } else { 1 };
                    field.typed.clear();
                    Some(c.cycle(field.input.value(), step))
                }
                KeyCode::Char(' ') if plain && !space_types => {
                    field.typed.clear();
                    Some(c.cycle(field.input.value(), 1))
                }
                KeyCode::Char(ch) if plain => {
                    let mut typed = std::mem::take(&mut field.typed);
                    typed.push(ch);
                    match c.starting_with(&typed) {
                        Some(name) => {
                            field.typed = typed;
                            Some(name)
                        }
                        // A letter that continues no choice starts afresh.
                        None => c.starting_with(&ch.to_string()).inspect(|_| {
                            field.typed = ch.to_string();
                        }),
                    }
                }
                KeyCode::Backspace | KeyCode::Delete | KeyCode::Esc => {
                    field.typed.clear();
                    None
                }
                _ => None,
            };
            let Some(next) = next else {
                return false;
            };
            let changed = next != field.input.value();
            field.input = Input::new(next);
            if changed {
                field.error = None;
                self.dirty = true;
            }
            return changed;
        }
        if let Some(area) = field.area.as_mut() {
            let changed = area.input(key);
            if changed {
                field.error = None;
                self.dirty = true;
            }
            return changed;
        }
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

    /// Puts pasted text into the focused field at its caret: a multi-line field keeps the line
    /// breaks, a single-line field takes it as one line (line breaks become spaces). Control
    /// characters go; never runs as keys.
    pub fn paste(&mut self, text: &str) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        if let Some(area) = field.area.as_mut() {
            if !area.insert(text) {
                return false;
            }
        } else {
            let clean = crate::domain::text::paste_one_line(text);
            if clean.is_empty() {
                return false;
            }
            if let FieldKind::Choice(c) = &field.kind {
                // Pasted text selects the choice it names or begins, else nothing.
                let Some(name) = c
                    .code_of(&clean)
                    .map(|code| c.name_of(code))
                    .or_else(|| c.starting_with(clean.trim()))
                else {
                    return false;
                };
                field.typed.clear();
                field.input = Input::new(name);
                field.error = None;
                self.dirty = true;
                return true;
            }
            field.input = insert_at_cursor(&field.input, &clean);
        }
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

    /// The typed values by field name, for a draft: a choice field by its domain code (so it
    /// comes back named in whatever language the next session speaks), other fields as typed.
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|f| {
                let v = f
                    .choice_code()
                    .map(str::to_string)
                    .unwrap_or_else(|| f.value());
                (f.name.to_string(), v)
            })
            .collect()
    }

    /// Puts a draft's values back, each into the field of its name; names the form no longer
    /// has are ignored. A choice is shown by its name in the user's language (a draft may hold
    /// its code, or its name in either language).
    pub fn restore(&mut self, values: &std::collections::BTreeMap<String, String>) {
        for f in &mut self.fields {
            if let Some(v) = values.get(f.name) {
                let shown = match &f.kind {
                    // A draft naming no choice (an older version kept typed text) leaves
                    // the field as the form opened it.
                    FieldKind::Choice(c) => match c.code_of(v) {
                        Some(code) => Some(c.name_of(code)),
                        None => continue,
                    },
                    _ => None,
                };
                f.set_value(shown.as_deref().unwrap_or(v));
            }
        }
    }

    /// Draws the form centred over `area` and places the real cursor at the caret, so an
    /// input method's candidate window appears where the user types. Errors and the message
    /// wrap onto as many lines as they need; the form grows with them, up to the screen.
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, lang: Lang, theme: &Theme, hint: &str) {
        let label_w = self
            .fields
            .iter()
            .map(|f| width(&f.label_text(lang)))
            .max()
            .unwrap_or(8)
            + 2;
        let w = area.width.saturating_sub(4).min(MAX_WIDTH);
        let inner_w = usize::from(w.saturating_sub(2));
        let rest = inner_w.saturating_sub(label_w + 1);
        // Short fields leave room beside them for their error; free text takes the width.
        let input_w = (rest / 2).clamp(4, 24);
        let mut lines = Vec::new();
        // The caret as (column, row) inside the border.
        let mut cursor = None;
        for (i, f) in self.fields.iter().enumerate() {
            let label = format!(
                "{}{}",
                if i == self.focus { ">" } else { " " },
                f.label_text(lang)
            );
            let pad = label_w.saturating_sub(width(&label));
            // Free text gets the whole width; its error goes on the lines under it.
            let field_w = match &f.kind {
                FieldKind::Text { .. } | FieldKind::Notes { .. } => rest.saturating_sub(1).max(4),
                // A choice is as wide as its longest name, so each shows whole when it fits.
                FieldKind::Choice(c) => c
                    .options
                    .iter()
                    .map(|(_, n)| width(&display(n)))
                    .max()
                    .unwrap_or(0)
                    .clamp(input_w, rest.saturating_sub(1).max(input_w)),
                _ => input_w,
            };
            let style = if i == self.focus {
                theme.selected
            } else {
                Style::new()
            };
            if let Some(area) = &f.area {
                let (rows, caret) = area.window(field_w, NOTE_ROWS);
                let top = lines.len();
                for r in 0..NOTE_ROWS {
                    let first = if r == 0 { label.clone() } else { String::new() };
                    let pad = label_w.saturating_sub(width(&first));
                    let text = rows.get(r).cloned().unwrap_or_default();
                    lines.push(Line::from(vec![
                        Span::raw(first),
                        Span::raw(" ".repeat(pad + 1)),
                        Span::styled(crate::domain::text::pad_right(&text, field_w), style),
                    ]));
                }
                if i == self.focus {
                    cursor = Some((label_w + 1 + caret.1, top + caret.0));
                }
            } else {
                let (shown, caret) = match &f.kind {
                    FieldKind::Choice(_) => choice_view(f.input.value(), field_w),
                    _ => field_view(&f.input, field_w),
                };
                let mut spans = vec![
                    Span::raw(label),
                    Span::raw(" ".repeat(pad + 1)),
                    Span::styled(crate::domain::text::pad_right(&shown, field_w), style),
                ];
                // An error that fits beside the value goes there; a longer one wraps under it.
                let room = rest.saturating_sub(field_w + 1);
                let beside = f.error.as_ref().filter(|e| width(e) <= room);
                if let Some(e) = beside {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(e.clone(), theme.error));
                }
                lines.push(Line::from(spans));
                if i == self.focus {
                    cursor = Some((label_w + 1 + caret, lines.len() - 1));
                }
                if beside.is_some() {
                    continue;
                }
            }
            if let Some(e) = &f.error {
                let indent = label_w + 1;
                for l in wrap(e, inner_w.saturating_sub(indent)) {
                    lines.push(Line::from(vec![
                        Span::raw(" ".repeat(indent)),
                        Span::styled(l, theme.error),
                    ]));
                }
            }
        }
        if let Some(FieldKind::Choice(c)) = self.focused().map(|f| &f.kind) {
            let text = lang.tf("forms.choices", &[("choices", &c.names())]);
            for l in wrap(&text, inner_w) {
                lines.push(Line::from(Span::styled(l, theme.muted)));
            }
        }
        if let Some(m) = &self.message {
            for l in wrap(m, inner_w) {
                lines.push(Line::from(Span::styled(l, theme.error)));
            }
        }
        for l in wrap(hint, inner_w) {
            lines.push(Line::from(Span::styled(l, theme.muted)));
        }
        // Borders and a blank line under the hint.
        let h = (lines.len() as u16).saturating_add(3).min(area.height);
        let x = area.x + (area.width - w) / 2;
        let y = area.y + (area.height.saturating_sub(h)) / 2;
        let rect = Rect::new(x, y, w, h);
        frame.render_widget(Clear, rect);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" {} ", self.title), theme.title));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((cx, cy)) = cursor
            && cy < usize::from(inner.height)
        {
            let cx = inner.x.saturating_add(cx as u16);
            frame.set_cursor_position(Position::new(
                cx.min(inner.right().saturating_sub(1)),
                inner.y + cy as u16,
            ));
        }
    }
}

/// The widest a form grows on a wide terminal.
const MAX_WIDTH: u16 = 140;

/// `text` wrapped at `cols` display columns (CJK counts two), never cut.
fn wrap(text: &str, cols: usize) -> Vec<String> {
    textwrap::wrap(text, cols.max(8))
        .into_iter()
        .map(|l| l.into_owned())
        .collect()
}

/// Rows a multi-line field shows.
const NOTE_ROWS: usize = 3;

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

/// What a choice field shows in `cols` columns: its whole value from the start, cut with
/// `…` at the end when too narrow (never scrolled like typed text); the caret after it.
pub fn choice_view(value: &str, cols: usize) -> (String, usize) {
    let shown = display(value);
    let shown = if width(&shown) <= cols {
        shown
    } else {
        format!("{}…", visible_slice(&shown, 0, cols.saturating_sub(1)))
    };
    let caret = width(&shown).min(cols.saturating_sub(1));
    (shown, caret)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(lang: Lang) -> Choices {
        crate::tui::forms::contact::kinds(lang)
    }

    /// Every kind of field with texts that give every error its parser has.
    fn cases(lang: Lang) -> Vec<(FieldKind, Vec<&'static str>)> {
        vec![
            (
                FieldKind::Date,
                vec!["x", "2026-13-01", "2026-02-30", "2026/11/29"],
            ),
            (FieldKind::Days, vec!["x", "-3", "99999999999", ""]),
            (
                FieldKind::OptionalDecimal,
                vec!["x", "1e1", "USD 1", "1.234,5"],
            ),
            (
                FieldKind::Amount,
                vec![
                    "", "x", "1.234", "-5", "1,23,4", "1.234,00", "1e1", "USD 100",
                ],
            ),
            (
                FieldKind::SignedAmount,
                vec!["", "x", "1.234", "1,23,4", "1.234,00", "1e1", "$5"],
            ),
            (FieldKind::Choice(choices(lang)), vec!["nonsense"]),
            (FieldKind::Text { required: true }, vec![""]),
            (FieldKind::Notes { required: true }, vec!["  "]),
        ]
    }

    #[test]
    fn every_field_error_is_a_filled_form_sentence_in_both_languages() {
        let mut seen = std::collections::BTreeSet::new();
        for lang in [Lang::En, Lang::ZhCn] {
            for (kind, texts) in cases(lang) {
                for text in texts {
                    let mut f = Field::new("f", "form.date", kind.clone(), text);
                    assert!(!f.validate(lang), "{kind:?} {text:?} should be refused");
                    let e = f.error.clone().unwrap_or_default();
                    seen.insert(format!("{:?}", f.check().err()));
                    assert!(!e.contains('{') && !e.contains('}'), "placeholder in {e:?}");
                    for import in ["row", "column", "该行", "金额列", "currency 列"] {
                        assert!(!e.contains(import), "import wording in {e:?}");
                    }
                    assert!(!e.contains("form_parse."), "untranslated key: {e}");
                }
            }
        }
        // The cases reach every error (amount ones in both amount kinds and the decimal kind).
        assert!(seen.len() >= 20, "{seen:?}");
        let mut f = Field::new("f", "form.date", FieldKind::Amount, "USD 100");
        f.validate(Lang::En);
        assert_eq!(
            f.error.as_deref(),
            Some(
                "not an amount: currency USD is not accepted; amounts are in the loan's currency, \
                 write the number only; write e.g. 1,250,000.00"
            )
        );
    }

    #[test]
    fn a_choice_is_kept_in_a_draft_by_its_code_and_shown_in_the_sessions_language() {
        let form = |lang| {
            Form::new(
                "t".into(),
                vec![Field::choice("kind", "form.kind", choices(lang), "visit")],
            )
        };
        let en = form(Lang::En);
        let values = en.values();
        assert_eq!(values.get("kind").map(String::as_str), Some("visit"));
        let mut zh = form(Lang::ZhCn);
        zh.fields[0].set_value("");
        zh.restore(&values);
        let want = Lang::ZhCn.code_name("contact", "visit");
        assert_eq!(zh.fields[0].value(), want);
        // A draft written before codes were kept: the English name comes back in Chinese too.
        let old: std::collections::BTreeMap<String, String> =
            [("kind".to_string(), Lang::En.code_name("contact", "visit"))].into();
        let mut zh = form(Lang::ZhCn);
        zh.restore(&old);
        assert_eq!(zh.fields[0].value(), want);
        assert_ne!(want, Lang::En.code_name("contact", "visit"));
        assert_eq!(zh.fields[0].choice_code(), Some("visit"));
    }

    /// The screen's text, one string per row.
    fn screen(form: &Form, cols: u16, rows: u16, lang: Lang) -> String {
        let backend = ratatui::backend::TestBackend::new(cols, rows);
        let mut term = ratatui::Terminal::new(backend).expect("terminal");
        term.draw(|f| form.render(f, f.area(), lang, &Theme::colour(), "Esc close"))
            .expect("draw");
        let buf = term.backend().buffer().clone();
        (0..rows)
            .map(|y| {
                (0..cols)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn field_errors_and_the_message_wrap_whole_at_any_width() {
        let long = "the save was refused because W-2026-0001 was changed by zhang at 2026-11-30 \
                    20:05 after you loaded it; reload it and apply your change again (end)";
        for lang in [Lang::En, Lang::ZhCn] {
            for (cols, rows) in [(80u16, 24u16), (120, 40), (250, 50)] {
                let mut form = Form::new(
                    "t".into(),
                    vec![
                        Field::new("a", "form.date", FieldKind::Amount, "USD 100"),
                        Field::new("d", "form.date", FieldKind::Date, "2026-02-30"),
                        Field::new("n", "form.notes", FieldKind::Notes { required: true }, ""),
                    ],
                );
                form.validate(lang);
                form.message = Some(long.to_string());
                let text = screen(&form, cols, rows, lang);
                let flat: String = text
                    .split('\n')
                    .map(|l| l.trim_matches(|c| c == ' ' || c == '│'))
                    .collect::<Vec<_>>()
                    .join(" ");
                let squash = |s: &str| s.split_whitespace().collect::<String>();
                let flat = squash(&flat);
                for f in &form.fields {
                    let e = f.error.clone().expect("an error");
                    assert!(flat.contains(&squash(&e)), "{cols}: {e}\n{text}");
                }
                assert!(flat.contains(&squash(long)), "{cols}\n{text}");
                assert!(!text.contains('~'), "{text}");
            }
        }
    }

    #[test]
    fn dates_and_days_take_what_the_import_takes_and_say_why_not() {
        assert_eq!(
            parse_date("２０２６-１１-２９"),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default())
        );
        assert_eq!(
            parse_date("\u{3000}２０２６－１１－２９\u{a0}"),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default())
        );
        assert_eq!(
            parse_date("2026-02-30"),
            Err(FieldError::NoSuchDay {
                month: "2026-02".into(),
                days: 28
            })
        );
        assert_eq!(
            parse_date("2028-02-30"),
            Err(FieldError::NoSuchDay {
                month: "2028-02".into(),
                days: 29
            })
        );
        assert_eq!(
            parse_date("2026-09-31"),
            Err(FieldError::NoSuchDay {
                month: "2026-09".into(),
                days: 30
            })
        );
        assert_eq!(
            parse_date("2026-13-01"),
            Err(FieldError::NoSuchMonth("13".into()))
        );
        assert_eq!(parse_date("2026-9-1"), Err(FieldError::DateShape));
        assert_eq!(
            FieldError::NoSuchDay {
                month: "2026-02".into(),
                days: 28
            }
            .message(Lang::ZhCn),
            "没有这一天：2026-02 只有 28 天"
        );
        assert_eq!(parse_days("３０"), Ok(30));
        assert_eq!(parse_days("\u{3000}30 "), Ok(30));
        assert_eq!(parse_days("-3"), Err(FieldError::DaysNegative));
        assert_eq!(parse_days("3.5"), Err(FieldError::DaysNotNumber));
        assert_eq!(parse_days("99999999999"), Err(FieldError::DaysTooLarge));
        let f = Field::new("d", "form.date", FieldKind::Days, "３０");
        assert_eq!(f.days(), Some(30));
        let f = Field::new("d", "form.date", FieldKind::Date, "２０２６-１１-２９");
        assert!(f.date().is_some());
    }
}
