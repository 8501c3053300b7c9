//! The `?` help overlay: the keys of the screen it was opened over (its own sections on the
//! left, the global keys on the right), from the bindings in force, so it cannot drift from
//! what the screen accepts. When it does not fit, the movement keys scroll it; any other key
//! closes it.

use crate::domain::text::{pad_right, truncate, width};
use crate::i18n::Lang;
use crate::tui::keymap::{Action, Keymap, Section};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use std::cell::Cell;

/// The open help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    /// The screen's own sections (left column) and the others shown (right column).
    left: &'static [Section],
    right: &'static [Section],
    /// Actions of its sections the screen has no use for ([`Component::ignores`]: never given
    /// to it), left out.
    ///
    /// [`Component::ignores`]: crate::tui::component::Component::ignores
    ignored: &'static [Action],
    /// Actions the user's role may not do, left out (the summary pane's signing).
    hidden: &'static [Action],
    /// The first line shown of the columns (when they do not fit).
    scroll: u16,
    /// The largest useful `scroll`, as the last frame measured it (0: everything fits).
    max_scroll: Cell<u16>,
}

impl Help {
    pub fn new(left: &'static [Section], right: &'static [Section]) -> Help {
        Help {
            left,
            right,
            ignored: &[],
            hidden: &[],
            scroll: 0,
            max_scroll: Cell::new(0),
        }
    }

    /// What `action` does on this screen: a pane whose key means something of its own (the
    /// Archive's Enter opens a document, its kind key cycles document kinds) says so in
    /// `action_in.<section>`, else the key's general description.
    fn description(&self, action: Action, lang: Lang) -> String {
        if let Some(own) = self.left.first() {
            let key = format!("action_in.{}.{}", own.name(), action.name());
            let text = lang.t(&key);
            if text != key {
                return text.to_string();
            }
        }
        action.description(lang)
    }

    /// Whether the help is taller than the screen (the movement keys scroll it).
    pub fn scrolls(&self) -> bool {
        self.max_scroll.get() > 0
    }

    /// Scrolls by `action` (a list's movement: a line, a page of `page` lines, the ends);
    /// `false` for any other action (which closes the help).
    pub fn scroll_by(&mut self, action: Action, page: u16) -> bool {
        let max = self.max_scroll.get();
        self.scroll = match action {
            Action::Down => self.scroll.saturating_add(1),
            Action::Up => self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll.saturating_add(page.max(1)),
            Action::PageUp => self.scroll.saturating_sub(page.max(1)),
            Action::Top => 0,
            Action::Bottom => max,
            _ => return false,
        }
        .min(max);
        true
    }

    /// Leaves out `actions` (the user's role may not do them).
    pub fn hiding(self, actions: &'static [Action]) -> Help {
        Help {
            hidden: actions,
            ..self
        }
    }

    /// Leaves out the actions the screen ignores ([`Component::ignores`]).
    ///
    /// [`Component::ignores`]: crate::tui::component::Component::ignores
    pub fn ignoring(self, actions: &'static [Action]) -> Help {
        Help {
            ignored: actions,
            ..self
        }
    }

    /// The entries of `sections` as listed: each action with the keys that reach it (a key
    /// bound in an earlier section of the screen is that section's, so a later binding of it
    /// is never reached and not listed; `claimed` carries the keys taken so far).
    fn entries(
        &self,
        sections: &[Section],
        keymap: &Keymap,
        claimed: &mut Vec<crate::tui::keymap::Key>,
    ) -> Vec<(Section, Action, Vec<crate::tui::keymap::Key>)> {
        let mut out = Vec::new();
        for s in sections {
            for (section, action, keys) in &keymap.listing {
                let ignored = self.ignored.contains(action) && self.left.contains(s);
                if section != s || ignored || self.hidden.contains(action) {
                    continue;
                }
                let keys: Vec<_> = keys
                    .iter()
                    .filter(|k| !claimed.contains(k))
                    .cloned()
                    .collect();
                if keys.is_empty() {
                    continue;
                }
                claimed.extend(keys.iter().cloned());
                out.push((*section, *action, keys));
            }
        }
        out
    }

    /// The actions of the screen's own sections (the left column) the help lists.
    pub fn listed(&self, keymap: &Keymap) -> Vec<Action> {
        self.entries(self.left, keymap, &mut Vec::new())
            .into_iter()
            .map(|(_, a, _)| a)
            .collect()
    }

    /// The screen's own sections (the left column).
    pub fn own(&self) -> &'static [Section] {
        self.left
    }

    /// Actions left out because the user's role may not do them.
    pub fn hidden(&self) -> &'static [Action] {
        self.hidden
    }

    pub fn render(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        lang: Lang,
        theme: &Theme,
        keymap: &Keymap,
    ) {
        // Long descriptions wrap under their own column; both columns fit in 80x24.
        let w = area.width.min(100);
        // Inside the border: two columns with one blank column between them.
        let inner_w = w.saturating_sub(2);
        let half = inner_w / 2;
        // A key bound in an earlier section of the screen is that section's: a later binding
        // of it is never reached, so it is not listed (the lookup order is left, then right).
        let mut claimed = Vec::new();
        let mut column = |sections: &[Section], cols: u16| -> Vec<Line<'static>> {
            let mut lines = Vec::new();
            for s in sections {
                lines.push(Line::styled(
                    lang.t(&format!("help.section_{}", s.name())).to_string(),
                    theme.header,
                ));
                for (_, action, keys) in self.entries(&[*s], keymap, &mut claimed) {
                    let keys: Vec<String> = keys.iter().map(|k| k.label()).collect();
                    let desc = self.description(action, lang);
                    lines.extend(help_entry(&keys.join(" "), &desc, cols));
                }
            }
            lines
        };
        let left = column(self.left, half);
        let right = column(self.right, inner_w.saturating_sub(half + 1));
        let rows = left.len().max(right.len()) as u16;
        let h = (rows + 3).min(area.height);
        // Lines of the columns in view; the rest is reached by scrolling.
        let view = h.saturating_sub(3);
        let max_scroll = rows.saturating_sub(view);
        self.max_scroll.set(max_scroll);
        let from = usize::from(self.scroll.min(max_scroll));
        let shown = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
            lines
                .into_iter()
                .skip(from)
                .take(usize::from(view))
                .collect()
        };
        let (left, right) = (shown(left), shown(right));
        let rect = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        frame.render_widget(Clear, rect);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(
            format!(" {} ", lang.t("help.title")),
            theme.title,
        ));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let body_h = inner.height.saturating_sub(1);
        frame.render_widget(
            Paragraph::new(left),
            Rect::new(inner.x, inner.y, half, body_h),
        );
        frame.render_widget(
            Paragraph::new(right),
            Rect::new(inner.x + half + 1, inner.y, inner.width - half - 1, body_h),
        );
        let footer = if max_scroll > 0 {
            // The list's movement keys scroll the help (as bound now).
            let key = |a: Action| keymap.first_key(Section::List, a).unwrap_or_default();
            let keys = format!(
                "{}/{} {}/{}",
                key(Action::Down),
                key(Action::Up),
                key(Action::PageDown),
                key(Action::PageUp)
            );
            lang.tf(
                "help.close_scroll",
                &[
                    ("keys", &keys),
                    ("from", &(from + 1)),
                    ("to", &(from + usize::from(view)).min(usize::from(rows))),
                    ("total", &rows),
                ],
            )
        } else {
            lang.t("help.close").to_string()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate(&footer, usize::from(inner.width)),
                theme.muted,
            )),
            Rect::new(inner.x, inner.y + body_h, inner.width, 1),
        );
    }
}

/// Width of the keys column of the help.
const HELP_KEYS: usize = 14;

/// One action of the help: its keys, then its description wrapped (display width, CJK-aware)
/// to the column, its later lines under the description's first.
fn help_entry(keys: &str, description: &str, cols: u16) -> Vec<Line<'static>> {
    let cols = usize::from(cols).max(HELP_KEYS + 8);
    let first = format!("{} ", pad_right(keys, HELP_KEYS));
    let indent = " ".repeat(HELP_KEYS + 1);
    // Keys wider than their column get a line of their own.
    let (mut lines, initial) = if width(&first) > HELP_KEYS + 1 {
        (vec![Line::from(truncate(keys, cols))], indent.clone())
    } else {
        (Vec::new(), first)
    };
    let options = textwrap::Options::new(cols)
        .initial_indent(&initial)
        .subsequent_indent(&indent);
    lines.extend(
        textwrap::wrap(description, options)
            .into_iter()
            .map(|l| Line::from(l.into_owned())),
    );
    lines
}
