//! A multi-line text field on `ratatui-textarea`: the crate edits (keys, undo, wide characters
//! deleted whole), this widget wraps the text for display by terminal cell width and puts the
//! caret on the cell where the next character goes, continuation rows included.

use crate::domain::text::{display, sanitize, width};
use crossterm::event::KeyEvent;
use ratatui_textarea::{CursorMove, TextArea as Editor};

/// A multi-line text, with its caret.
#[derive(Debug, Clone)]
pub struct TextArea {
    editor: Editor<'static>,
}

/// What the text looks like `width` cells wide: its display rows and the caret's (row, column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub rows: Vec<String>,
    pub caret: (usize, usize),
}

impl TextArea {
    /// A text area holding `text` (lines split at `\n`), the caret at its end.
    pub fn new(text: &str) -> TextArea {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let lines: Vec<String> = text.split('\n').map(sanitize).collect();
        let mut editor = Editor::new(lines);
        editor.move_cursor(CursorMove::Bottom);
        editor.move_cursor(CursorMove::End);
        TextArea { editor }
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// The caret as (line, character in the line).
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.editor.cursor();
        (c.0, c.1)
    }

    pub fn line_count(&self) -> usize {
        self.editor.lines().len()
    }

    /// An editing key (Enter is a new line); true when the text or caret changed.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let before = (self.text(), self.cursor());
        self.editor.input(key);
        (self.text(), self.cursor()) != before
    }

    /// Inserts `text` at the caret, its line breaks kept and control characters dropped.
    pub fn insert(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let clean: Vec<String> = text.split('\n').map(sanitize).collect();
        let joined = clean.join("\n");
        if joined.is_empty() {
            return false;
        }
        self.editor.insert_str(joined)
    }

    /// Wraps the text into rows `cols` cells wide (a wide character that does not fit goes to
    /// the next row whole) and finds the caret's cell. A caret after a full row sits at the
    /// start of the next one.
    pub fn view(&self, cols: usize) -> View {
        let cols = cols.max(2);
        let (cur_line, cur_char) = self.cursor();
        let mut rows = Vec::new();
        let mut caret = (0, 0);
        for (li, line) in self.editor.lines().iter().enumerate() {
            let mut row = String::new();
            let mut used = 0;
            let count = line.chars().count();
            for (ci, c) in line.chars().enumerate() {
                let shown = display(&c.to_string());
                let w = width(&shown);
                if used + w > cols && used > 0 {
                    rows.push(std::mem::take(&mut row));
                    used = 0;
                }
                if li == cur_line && ci == cur_char {
                    caret = (rows.len(), used);
                }
                row.push_str(&shown);
                used += w;
            }
            if li == cur_line && cur_char >= count {
                if used >= cols {
                    rows.push(std::mem::take(&mut row));
                    used = 0;
                }
                caret = (rows.len(), used);
            }
            rows.push(row);
        }
        View { rows, caret }
    }

    /// The rows to show in a window `height` rows high, scrolled so the caret is in it, and the
    /// caret's (row, column) in that window.
    pub fn window(&self, cols: usize, height: usize) -> (Vec<String>, (usize, usize)) {
        let v = self.view(cols);
        let height = height.max(1);
        let top = (v.caret.0 + 1).saturating_sub(height);
        let rows = v.rows.into_iter().skip(top).take(height).collect();
        (rows, (v.caret.0 - top, v.caret.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(text: &str) -> TextArea {
        let mut t = TextArea::new("");
        for c in text.chars() {
            t.input(key(KeyCode::Char(c)));
        }
        t
    }

    #[test]
    fn the_caret_sits_after_wide_characters_by_their_cells() {
        let t = typed("贷后检查abc");
        assert_eq!(t.text(), "贷后检查abc");
        assert_eq!(t.view(40).caret, (0, 11));
    }

    #[test]
    fn the_caret_follows_onto_continuation_rows_of_a_wrapped_line() {
        // 25 cells in rows of 10: the caret is on the third row.
        let t = typed("aaaaaaaaaabbbbbbbbbbccccc");
        let v = t.view(10);
        assert_eq!(v.rows, vec!["aaaaaaaaaa", "bbbbbbbbbb", "ccccc"]);
        assert_eq!(v.caret, (2, 5));
        // A wide character that does not fit on a row goes to the next one whole.
        let t = typed("abcdefghi贷后");
        let v = t.view(10);
        assert_eq!(v.rows, vec!["abcdefghi", "贷后"]);
        assert_eq!(v.caret, (1, 4));
        // At the end of a row that is exactly full, the caret starts the next row.
        let t = typed("贷后检查贷");
        assert_eq!(t.view(10).caret, (1, 0));
        assert_eq!(t.view(11).caret, (0, 10));
    }

    #[test]
    fn backspace_removes_a_wide_character_whole() {
        let mut t = typed("检查a");
        t.input(key(KeyCode::Backspace));
        t.input(key(KeyCode::Backspace));
        assert_eq!(t.text(), "检");
        assert_eq!(t.view(20).caret, (0, 2));
    }

    #[test]
    fn enter_is_a_new_line_and_a_paste_keeps_its_lines() {
        let mut t = typed("ab");
        t.input(key(KeyCode::Enter));
        t.input(key(KeyCode::Char('贷')));
        assert_eq!(t.text(), "ab\n贷");
        assert_eq!(t.view(20).caret, (1, 2));
        assert!(t.insert("一\r\n二\u{7}\n"));
        assert_eq!(t.text(), "ab\n贷一\n二\n");
        assert_eq!(t.view(20).caret, (3, 0));
        let (rows, caret) = t.window(20, 2);
        assert_eq!(rows, vec!["二".to_string(), String::new()]);
        assert_eq!(caret, (1, 0));
    }
}
