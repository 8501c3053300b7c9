//! The read-only document viewer (Enter on the archive pane): a document's Markdown, its
//! control characters stripped, wrapped to the screen and scrolled with the list keys; the
//! title line says what it is. Nothing in it can be edited.

use crate::domain::text::{display, truncate, width};
use crate::tui::component::{Component, Ctx, Hint, Outcome, View};
use crate::tui::keymap::{Action, Section};
use crate::tui::stack::Changed;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// A document opened for reading.
#[derive(Debug, Clone)]
pub struct DocumentViewer {
    pub id: i64,
    pub title: String,
    /// The text, one entry per source line (already stripped of control characters).
    pub lines: Vec<String>,
    /// The first wrapped row on screen.
    pub scroll: usize,
    /// Rows of text on screen (set from the terminal size).
    pub height: usize,
    /// Columns of text (set from the terminal size), for wrapping.
    pub width: usize,
}

impl DocumentViewer {
    pub fn new(id: i64, title: &str, text: &str) -> DocumentViewer {
        DocumentViewer {
            id,
            title: display(title),
            lines: text.lines().map(display).collect(),
            scroll: 0,
            height: 20,
            width: 78,
        }
    }

    /// The text wrapped to `cols` display columns.
    fn wrapped(&self, cols: usize) -> Vec<String> {
        let cols = cols.max(10);
        let mut out = Vec::new();
        for line in &self.lines {
            if line.is_empty() {
                out.push(String::new());
                continue;
            }
            let mut cur = String::new();
            let mut w = 0;
            for ch in line.chars() {
                let cw = width(ch.encode_utf8(&mut [0u8; 4]));
                if w + cw > cols {
                    out.push(std::mem::take(&mut cur));
                    w = 0;
                }
                cur.push(ch);
                w += cw;
            }
            out.push(cur);
        }
        out
    }

    fn max_scroll(&self) -> usize {
        self.wrapped(self.width)
            .len()
            .saturating_sub(self.height.max(1))
    }

    fn scroll_by(&mut self, delta: i64) -> bool {
        let max = self.max_scroll() as i64;
        let next = (self.scroll as i64 + delta).clamp(0, max) as usize;
        let moved = next != self.scroll;
        self.scroll = next;
        moved
    }
}

const HINTS: &[Hint] = &[
    Hint::Group(
        Section::List,
        &[Action::Down, Action::Up, Action::PageDown],
        "hint.scroll",
    ),
    Hint::One(Section::Global, Action::Back),
    Hint::One(Section::Global, Action::Help),
];

impl Component for DocumentViewer {
    fn sections(&self) -> &'static [Section] {
        &[Section::List, Section::Global]
    }

    fn hints(&self) -> &'static [Hint] {
        HINTS
    }

    fn ignores(&self) -> &'static [Action] {
        // A document scrolls; the list's other keys (open, filter, sort) have nothing here.
        &[
            Action::Open,
            Action::Filter,
            Action::ClearFilter,
            Action::SortNext,
            Action::SortPrev,
            Action::SortReverse,
        ]
    }

    fn handle(&mut self, action: Action, _ctx: &Ctx<'_>) -> anyhow::Result<Outcome> {
        let page = self.height.max(1) as i64;
        let moved = match action {
            Action::Down => self.scroll_by(1),
            Action::Up => self.scroll_by(-1),
            Action::PageDown => self.scroll_by(page),
            Action::PageUp => self.scroll_by(-page),
            Action::Top => self.scroll_by(-(self.scroll as i64)),
            Action::Bottom => self.scroll_by(self.max_scroll() as i64),
            _ => return Ok(Outcome::NotMine),
        };
        Ok(if moved {
            Outcome::Consumed(Vec::new())
        } else {
            Outcome::Unchanged
        })
    }

    fn set_rows(&mut self, rows: usize) {
        // `rows` leaves room for a tab bar this screen does not have.
        self.height = rows + 1;
    }

    fn reload(&mut self, _changed: Changed, _ctx: &Ctx<'_>) -> anyhow::Result<()> {
        // A document never changes once written (a replacement is a new document).
        Ok(())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, view: &View<'_>) {
        if area.height < 3 {
            return;
        }
        let cols = usize::from(area.width.saturating_sub(2));
        let buf = frame.buffer_mut();
        let rows = self.wrapped(cols);
        let head = view.lang.tf(
            "archive_pane.viewer_title",
            &[
                ("title", &self.title),
                ("from", &(self.scroll + 1).min(rows.len().max(1))),
                ("n", &rows.len()),
            ],
        );
        buf.set_line(
            area.x,
            area.y,
            &Line::styled(
                truncate(&format!(" {head}"), usize::from(area.width)),
                view.theme.title,
            ),
            area.width,
        );
        let body = usize::from(area.height.saturating_sub(2));
        for (i, text) in rows.iter().skip(self.scroll).take(body).enumerate() {
            let style = if text.starts_with('#') {
                view.theme.header
            } else {
                ratatui::style::Style::new()
            };
            buf.set_line(
                area.x + 1,
                area.y + 2 + i as u16,
                &Line::styled(text.clone(), style),
                area.width.saturating_sub(1),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_by_display_width_and_scrolling_stops_at_the_end() {
        let mut v = DocumentViewer::new(1, "T", "# 标题\n\n一二三四五六七八九十一二三四五六");
        let rows = v.wrapped(10);
        assert_eq!(rows[2], "一二三四五");
        assert_eq!(rows.len(), 2 + 4);
        v.width = 10;
        v.height = 4;
        assert!(v.scroll_by(100));
        assert_eq!(v.scroll, 2);
        assert!(!v.scroll_by(1));
    }

    #[test]
    fn control_characters_never_reach_the_screen() {
        let v = DocumentViewer::new(1, "a\u{1b}[2Jb", "x\u{7}y\u{1b}]0;title\u{7}z");
        assert!(!v.title.contains('\u{1b}'));
        assert!(v.lines.iter().all(|l| !l.chars().any(char::is_control)));
    }
}
