//! The audit trail for auditors and managers (`A`): every entry newest first, a screen's worth
//! read at a time by keyset paging (never the whole log, never a count), with a filter by
//! user, loan, kind and dates; Enter shows one entry's before → after and its place in the chain.

use crate::domain::text::{display, local_time, pad_right, truncate, width};
use crate::i18n::Lang;
use crate::store::{AuditEntry, AuditQuery, AuditRecord, Store, StoreError};
use crate::tui::component::{Component, Ctx, Effect, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde_json::Value;

/// What the trail is narrowed to; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Who acted (a username).
    pub user: Option<String>,
    /// A loan by contract: its own entries, its warnings' and its inspections'.
    pub record: Option<String>,
    /// An action, or a family of them (`warnings` takes `warnings.raise`, …).
    pub kind: Option<String>,
    /// Local days, both ends included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    pub fn is_empty(&self) -> bool {
        *self == AuditFilter::default()
    }

    /// The store's query: local days become the UTC instants they start at.
    pub fn query(&self) -> AuditQuery {
        use crate::domain::text::local_day_start_utc;
        AuditQuery {
            actor: self.user.clone(),
            contract_no: self.record.clone(),
            kind: self.kind.clone(),
            from_at: self.from.map(local_day_start_utc),
            to_at: self.to.and_then(|t| t.succ_opt()).map(local_day_start_utc),
        }
    }

    /// The filter in words for the title line ("all entries" when empty).
    pub fn describe(&self, lang: Lang) -> String {
        if self.is_empty() {
            return lang.t("audit_pane.all").to_string();
        }
        let mut parts = Vec::new();
        let mut part = |key: &str, v: &dyn std::fmt::Display| {
            parts.push(lang.tf(key, &[("v", v)]));
        };
        if let Some(u) = &self.user {
            part("audit_pane.by_user", &display(u));
        }
        if let Some(r) = &self.record {
            part("audit_pane.by_record", &display(r));
        }
        if let Some(k) = &self.kind {
            part("audit_pane.by_kind", &display(k));
        }
        if let Some(f) = self.from {
            part("audit_pane.by_from", &f);
        }
        if let Some(t) = self.to {
            part("audit_pane.by_to", &t);
        }
        parts.join(" · ")
    }
}

/// The trail: a window of entries as tall as the screen, newest first, and the selected one.
#[derive(Debug, Clone)]
pub struct AuditScreen {
    pub filter: AuditFilter,
    /// The entries on screen, newest first.
    pub rows: Vec<AuditEntry>,
    /// Index into `rows`.
    pub cursor: usize,
    /// Rows the list shows.
    pub height: usize,
    /// The window starts at the newest entry: entries written meanwhile join it on a reload.
    at_newest: bool,
    loaded: bool,
    /// Pages read from the store, for tests of what is read and when.
    pub reads: u64,
}

/// A read of a window never asks for more than this (a very tall terminal).
const MAX_ROWS: usize = 500;

impl AuditScreen {
    /// The trail as `filter` narrows it; nothing is read until shown.
    pub fn new(filter: AuditFilter) -> AuditScreen {
        AuditScreen {
            filter,
            rows: Vec::new(),
            cursor: 0,
            height: 18,
            at_newest: true,
            loaded: false,
            reads: 0,
        }
    }

    fn limit(&self) -> u32 {
        self.height.clamp(1, MAX_ROWS) as u32
    }

    pub fn selected(&self) -> Option<&AuditEntry> {
        self.rows.get(self.cursor)
    }

    fn older(&mut self, store: &Store, than: i64, n: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.reads += 1;
        store.audit_page(&self.filter.query(), Some(than), n)
    }

    /// The `n` entries just newer than `than`, newest first.
    fn newer(&mut self, store: &Store, than: i64, n: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.reads += 1;
        let mut page = store.audit_page_newer(&self.filter.query(), than, n)?;
        page.reverse();
        Ok(page)
    }

    /// Reads the newest screenful.
    pub fn load_top(&mut self, store: &Store) -> Result<(), StoreError> {
        let n = self.limit();
        self.rows = self.older(store, i64::MAX, n)?;
        self.at_newest = true;
        self.loaded = true;
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    /// Reads the window again where it is (from its first entry on), or from the newest
    /// entry when it started there; the cursor keeps its row.
    pub fn reload_window(&mut self, store: &Store) -> Result<(), StoreError> {
        let keep = self.selected().map(|e| e.id);
        match self.rows.first().map(|e| e.id) {
            Some(first) if !self.at_newest => {
                let n = self.limit();
                let mut rows = self.older(store, first.saturating_add(1), n)?;
                if rows.len() < self.height {
                    // Near the oldest end: fill the screen with newer ones above.
                    let top = rows.first().map_or(first, |e| e.id);
                    let missing = (self.height - rows.len()) as u32;
                    let mut above = self.newer(store, top, missing)?;
                    above.append(&mut rows);
                    rows = above;
                }
                self.rows = rows;
                self.loaded = true;
            }
            _ => self.load_top(store)?,
        }
        self.cursor = keep
            .and_then(|id| self.rows.iter().position(|e| e.id == id))
            .unwrap_or(self.cursor)
            .min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    /// Shows the trail narrowed by `filter`, from its newest entry.
    pub fn set_filter(&mut self, store: &Store, filter: AuditFilter) -> Result<(), StoreError> {
        self.filter = filter;
        self.cursor = 0;
        self.load_top(store)
    }

    fn down(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.cursor + 1 < self.rows.len() {
            self.cursor += 1;
            return Ok(true);
        }
        let Some(last) = self.rows.last().map(|e| e.id) else {
            return Ok(false);
        };
        let next = self.older(store, last, 1)?;
        if next.is_empty() {
            return Ok(false);
        }
        self.rows.extend(next);
        self.trim_front();
        Ok(true)
    }

    fn up(&mut self, store: &Store) -> Result<bool, StoreError> {
        if self.cursor > 0 {
            self.cursor -= 1;
            return Ok(true);
        }
        let Some(first) = self.rows.first().map(|e| e.id) else {
            return Ok(false);
        };
        let mut prev = self.newer(store, first, 1)?;
        if prev.is_empty() {
            self.at_newest = true;
            return Ok(false);
        }
        prev.append(&mut self.rows);
        prev.truncate(self.height);
        self.rows = prev;
        Ok(true)
    }

    /// Drops rows above the screen after rows were added below it (the cursor stays on the
    /// last row).
    fn trim_front(&mut self) {
        if self.rows.len() > self.height {
            let extra = self.rows.len() - self.height;
            self.rows.drain(..extra);
            self.at_newest = false;
        }
        self.cursor = self.rows.len().saturating_sub(1);
    }

    fn page_down(&mut self, store: &Store) -> Result<bool, StoreError> {
        let Some(last) = self.rows.last().map(|e| e.id) else {
            return Ok(false);
        };
        let n = self.limit();
        let next = self.older(store, last, n)?;
        if next.is_empty() {
            let end = self.rows.len().saturating_sub(1);
            let moved = self.cursor != end;
            self.cursor = end;
            return Ok(moved);
        }
        let cursor = self.cursor;
        self.rows.extend(next);
        let extra = self.rows.len().saturating_sub(self.height);
        self.rows.drain(..extra);
        self.at_newest &= extra == 0;
        self.cursor = cursor.min(self.rows.len().saturating_sub(1));
        Ok(true)
    }

    fn page_up(&mut self, store: &Store) -> Result<bool, StoreError> {
        let Some(first) = self.rows.first().map(|e| e.id) else {
            return Ok(false);
        };
        let n = self.limit();
        let mut prev = self.newer(store, first, n)?;
        if prev.len() < self.height {
            self.at_newest = true;
        }
        if prev.is_empty() {
            let moved = self.cursor != 0;
            self.cursor = 0;
            return Ok(moved);
        }
        prev.append(&mut self.rows);
        prev.truncate(self.height);
        self.rows = prev;
        Ok(true)
    }

    fn bottom(&mut self, store: &Store) -> Result<bool, StoreError> {
        let n = self.limit();
        let rows = self.newer(store, 0, n)?;
        let at_newest = self
            .newer(store, rows.first().map_or(0, |e| e.id), 1)?
            .is_empty();
        let end = rows.len().saturating_sub(1);
        let moved = rows != self.rows || self.cursor != end;
        self.rows = rows;
        self.at_newest = at_newest;
        self.cursor = end;
        Ok(moved)
    }

    /// The list's columns at `cols`: when, who, action, record (the summary takes the rest).
    fn widths(cols: usize) -> [usize; 4] {
        if cols >= 110 {
            [16, 10, 20, 22]
        } else {
            [11, 8, 14, 16]
        }
    }

    fn render_list(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let lang = view.lang;
        let theme = view.theme;
        let cols = usize::from(area.width);
        let buf = frame.buffer_mut();
        let title = lang.tf(
            "audit_pane.title",
            &[("filter", &self.filter.describe(lang))],
        );
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(truncate(&title, cols), theme.title),
            area.width,
        );
        if area.height < 2 {
            return;
        }
        let [w_at, w_who, w_act, w_rec] = Self::widths(cols);
        let fixed = 1 + 1 + w_at + 1 + w_who + 1 + w_act + 1 + w_rec + 1;
        let w_sum = cols.saturating_sub(fixed);
        let header = format!(
            "  {} {} {} {} {}",
            pad_right(lang.t("audit_cli.col_at"), w_at),
            pad_right(lang.t("audit_cli.col_actor"), w_who),
            pad_right(lang.t("audit_cli.col_action"), w_act),
            pad_right(lang.t("audit_cli.col_record"), w_rec),
            truncate(lang.t("audit_pane.col_summary"), w_sum),
        );
        buf.set_line(
            area.x,
            area.y + 1,
            &Line::styled(truncate(&header, cols), theme.header),
            area.width,
        );
        if self.rows.is_empty() {
            if area.height > 2 {
                buf.set_line(
                    area.x,
                    area.y + 2,
                    &Line::styled(truncate(lang.t("audit_cli.none"), cols), theme.muted),
                    area.width,
                );
            }
            return;
        }
        for (i, e) in self.rows.iter().enumerate() {
            let y = area.y + 2 + i as u16;
            if y >= area.y + area.height {
                break;
            }
            let selected = i == self.cursor;
            let at = local_time(&e.at);
            let at = if w_at < 16 {
                at.get(5..).unwrap_or(&at).to_string()
            } else {
                at
            };
            let denied = e.action == "command.denied";
            // As the loan lists: the marker and the first column in reverse video, so a one-row
            // move rewrites two short spans, not two rows.
            let spans = vec![
                if selected {
                    Span::styled(">", theme.selected)
                } else {
                    Span::raw(" ")
                },
                Span::styled(
                    format!(" {}", pad_right(&at, w_at)),
                    if selected {
                        theme.selected
                    } else {
                        Style::new()
                    },
                ),
                Span::raw(format!(" {}", pad_right(&display(&e.actor), w_who))),
                Span::styled(
                    format!(" {}", pad_right(&action_name(&e.action, lang), w_act)),
                    if denied { theme.danger } else { Style::new() },
                ),
                Span::raw(format!(" {}", pad_right(&record(e, lang), w_rec))),
                Span::styled(
                    format!(" {}", truncate(&summary(&e.detail), w_sum)),
                    theme.muted,
                ),
            ];
            buf.set_line(area.x, y, &Line::from(spans), area.width);
        }
    }
}

/// An action in words where the table has them, else its code.
pub fn action_name(code: &str, lang: Lang) -> String {
    lang.code_name("audit_action", &display(code))
}

/// The record an entry is about: its kind in words and its key (`贷款 PL00000001`).
pub fn record(e: &AuditEntry, lang: Lang) -> String {
    let kind = lang.code_name("audit_entity", &display(&e.entity));
    if e.entity_key.is_empty() {
        kind
    } else {
        format!("{kind} {}", display(&e.entity_key))
    }
}

/// A scalar of the detail as one short line of text.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) if s.trim().is_empty() => "\"\"".into(),
        Value::String(s) => display(s).split_whitespace().collect::<Vec<_>>().join(" "),
        Value::Null => "-".into(),
        // A short list of plain values is shown as it is; a longer one by its length.
        Value::Array(a) if a.len() <= 4 && a.iter().all(|v| !v.is_array() && !v.is_object()) => {
            a.iter().map(scalar).collect::<Vec<_>>().join(",")
        }
        Value::Array(a) => format!("[{}]", a.len()),
        Value::Object(_) => "{…}".into(),
        other => other.to_string(),
    }
}

/// The entry's detail on one line: `field: old → new; …` for an edit, `key=value …` for the
/// rest (the seals left out: the entry screen shows them).
pub fn summary(detail: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(detail) else {
        return scalar(&Value::String(detail.to_string()));
    };
    let Some(o) = v.as_object() else {
        return scalar(&v);
    };
    if let Some(after) = o.get("after").and_then(Value::as_object) {
        let before = o.get("before").and_then(Value::as_object);
        return after
            .iter()
            .map(|(k, new)| match before.and_then(|b| b.get(k)) {
                Some(old) => format!("{}: {} → {}", display(k), scalar(old), scalar(new)),
                None => format!("{}: {}", display(k), scalar(new)),
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    o.iter()
        .filter(|(k, _)| k.as_str() != "seals")
        .map(|(k, v)| format!("{}={}", display(k), scalar(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

const HINTS: &[Hint] = &[
    Hint::One(Section::Audit, Action::Open),
    Hint::One(Section::Audit, Action::Filter),
    Hint::One(Section::Audit, Action::ClearFilter),
    Hint::One(Section::Global, Action::Back),
    Hint::One(Section::Global, Action::Help),
];

impl Component for AuditScreen {
    fn sections(&self) -> &'static [Section] {
        &[Section::Audit, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        HINTS
    }

    fn handle(&mut self, action: Action, ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let store = ctx.store;
        let changed = match action {
            Action::Down => self.down(store)?,
            Action::Up => self.up(store)?,
            Action::PageDown => self.page_down(store)?,
            Action::PageUp => self.page_up(store)?,
            Action::Top => {
                let was = (self.rows.first().map(|e| e.id), self.cursor);
                self.cursor = 0;
                self.load_top(store)?;
                was != (self.rows.first().map(|e| e.id), 0)
            }
            Action::Bottom => self.bottom(store)?,
            Action::Open => {
                return Ok(match self.selected() {
                    Some(e) => Outcome::Consumed(vec![Effect::OpenAuditEntry(e.id)]),
                    None => Outcome::Unchanged,
                });
            }
            Action::Filter => return Ok(Outcome::Consumed(vec![Effect::AuditFilterForm])),
            Action::ClearFilter if !self.filter.is_empty() => {
                self.set_filter(store, AuditFilter::default())?;
                true
            }
            Action::ClearFilter => false,
            _ => return Ok(Outcome::NotMine),
        };
        Ok(if changed {
            Outcome::Consumed(Vec::new())
        } else {
            Outcome::Unchanged
        })
    }

    fn set_rows(&mut self, rows: usize) {
        // The title and the column header take two lines of the body: one more row than a
        // pane's list (pane bar, tab bar, blank and header above it).
        let height = rows + 1;
        if height != self.height {
            self.height = height;
            self.loaded = false;
        }
    }

    fn reload(&mut self, changed: Changed, ctx: &Ctx<'_>) -> anyhow::Result<()> {
        // Every change of the book writes an entry.
        if !self.loaded || !changed.is_empty() {
            self.reload_window(ctx.store)?;
        }
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        self.render_list(frame, area, view);
    }
}

/// One entry in full: who, when, what, the record, before → after field by field (or the
/// detail's fields), its seals, and the hash of the entry before it and its own.
#[derive(Debug, Clone)]
pub struct AuditEntryScreen {
    pub record: AuditRecord,
    pub scroll: u16,
    pub rows: usize,
}

impl AuditEntryScreen {
    pub fn load(store: &Store, id: i64) -> Result<Option<AuditEntryScreen>, StoreError> {
        Ok(store.audit_entry(id)?.map(|record| AuditEntryScreen {
            record,
            scroll: 0,
            rows: 18,
        }))
    }

    /// How many lines the screen has (each is cut to the width, never wrapped).
    fn line_count(&self) -> usize {
        self.lines(Lang::En, &crate::tui::theme::Theme::mono(), 80)
            .len()
    }

    /// The screen's lines at `cols`.
    pub fn lines(
        &self,
        lang: Lang,
        theme: &crate::tui::theme::Theme,
        cols: usize,
    ) -> Vec<Line<'static>> {
        let e = &self.record.entry;
        let fit = |s: String| truncate(&s, cols);
        let mut out = vec![Line::styled(
            fit(lang.tf(
                "audit_pane.entry_title",
                &[("id", &e.id), ("action", &action_name(&e.action, lang))],
            )),
            theme.title,
        )];
        let fact = |key: &str, value: String| {
            Line::from(vec![
                Span::styled(format!(" {} ", lang.t(key)), theme.muted),
                Span::raw(value),
            ])
        };
        out.push(fact(
            "audit_pane.at",
            fit(format!("{} ({})", local_time(&e.at), display(&e.at))),
        ));
        out.push(fact("audit_pane.actor", fit(display(&e.actor))));
        out.push(fact(
            "audit_pane.action",
            fit(format!(
                "{} ({})",
                action_name(&e.action, lang),
                display(&e.action)
            )),
        ));
        out.push(fact("audit_pane.record", fit(record(e, lang))));
        out.push(Line::from(""));
        let detail = serde_json::from_str::<Value>(&e.detail).ok();
        let object = detail.as_ref().and_then(Value::as_object);
        match object
            .and_then(|o| o.get("after"))
            .and_then(Value::as_object)
        {
            Some(after) => {
                out.push(Line::styled(
                    lang.t("audit_pane.changes").to_string(),
                    theme.header,
                ));
                let before = object
                    .and_then(|o| o.get("before"))
                    .and_then(Value::as_object);
                let name_w = after
                    .keys()
                    .map(|k| width(&display(k)))
                    .max()
                    .unwrap_or(0)
                    .min(24);
                for (k, new) in after {
                    let old = before
                        .and_then(|b| b.get(k))
                        .map(scalar)
                        .unwrap_or_else(|| "-".into());
                    out.push(Line::from(vec![
                        Span::raw(format!("  {} ", pad_right(&display(k), name_w))),
                        Span::styled(old, theme.muted),
                        Span::raw(" → "),
                        Span::raw(scalar(new)),
                    ]));
                }
                // Context kept beside the change (a reason, a version).
                for (k, v) in object.into_iter().flatten() {
                    if !matches!(k.as_str(), "before" | "after" | "seals") {
                        out.push(Line::from(fit(format!("  {}: {}", display(k), scalar(v)))));
                    }
                }
            }
            None => {
                out.push(Line::styled(
                    lang.t("audit_pane.detail").to_string(),
                    theme.header,
                ));
                match &detail {
                    Some(v) => flatten("", v, &mut |path, text| {
                        if !path.starts_with("seals") {
                            out.push(Line::from(fit(format!("  {path}: {text}"))));
                        }
                    }),
                    None => out.push(Line::from(fit(format!("  {}", display(&e.detail))))),
                }
            }
        }
        let seals: Vec<&Value> = object
            .and_then(|o| o.get("seals"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        if !seals.is_empty() {
            out.push(Line::from(""));
            out.push(Line::styled(
                lang.t("audit_pane.seals").to_string(),
                theme.header,
            ));
            for s in seals {
                let get = |k: &str| s.get(k).map(scalar).unwrap_or_default();
                // By the row's own id: the record it belongs to has another number.
                out.push(Line::from(fit(format!(
                    "  {} {}",
                    crate::workflow::verify::row_by_id(lang, &get("row"), get("id")),
                    get("sha256")
                ))));
            }
        }
        out.push(Line::from(""));
        out.push(fact(
            "audit_pane.prev_hash",
            fit(display(&self.record.prev_hash)),
        ));
        out.push(fact("audit_pane.hash", fit(display(&self.record.hash))));
        out
    }
}

/// Calls `f` with each scalar of `v` and its path (`counts.loans`, `items[0]`).
fn flatten(path: &str, v: &Value, f: &mut dyn FnMut(&str, String)) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                let p = if path.is_empty() {
                    display(k)
                } else {
                    format!("{path}.{}", display(k))
                };
                flatten(&p, v, f);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, v) in a.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), v, f);
            }
        }
        other => f(path, scalar(other)),
    }
}

const ENTRY_HINTS: &[Hint] = &[
    Hint::One(Section::Audit, Action::Down),
    Hint::One(Section::Audit, Action::PageDown),
    Hint::One(Section::Global, Action::Back),
    Hint::One(Section::Global, Action::Help),
];

impl Component for AuditEntryScreen {
    fn sections(&self) -> &'static [Section] {
        &[Section::Audit, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        ENTRY_HINTS
    }

    fn handle(&mut self, action: Action, _ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let page = self.rows.max(1) as u16;
        let last = self.line_count().saturating_sub(self.rows) as u16;
        let to = match action {
            Action::Down => self.scroll.saturating_add(1),
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll.saturating_add(page),
            Action::PageUp => self.scroll.saturating_sub(page),
            Action::Top => 0,
            Action::Bottom => last,
            Action::Open | Action::Filter | Action::ClearFilter => return Ok(Outcome::Unchanged),
            _ => return Ok(Outcome::NotMine),
        };
        let to = to.min(last);
        if to == self.scroll {
            return Ok(Outcome::Unchanged);
        }
        self.scroll = to;
        Ok(Outcome::Consumed(Vec::new()))
    }

    fn set_rows(&mut self, rows: usize) {
        self.rows = rows + 2;
    }

    fn reload(&mut self, _changed: Changed, _ctx: &Ctx<'_>) -> anyhow::Result<()> {
        // An entry never changes (an edit in the file is verify's to find).
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        let lines = self.lines(view.lang, view.theme, usize::from(area.width));
        let max = lines.len().saturating_sub(usize::from(area.height));
        let scroll = usize::from(self.scroll).min(max) as u16;
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
    }
}
