//! A multi-line text field on `ratatui-textarea`: the crate edits (keys, undo, wide characters
//! deleted whole), this widget wraps the text for display by terminal cell width and puts the
//! caret on the cell where the next character goes, continuation rows included.

use crate::domain::text::{display, width};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, TextArea as Editor};

/// A multi-line text, with its caret.
#[derive(Debug, Clone)]
pub struct TextArea {
    editor: Editor<'static>,
    /// The width it was last shown at: Up and Down move by the rows of that wrapping.
    cols: std::cell::Cell<usize>,
}

/// The first character of a display row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RowStart {
    line: usize,
    char: usize,
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
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut editor = Editor::new(lines);
        editor.move_cursor(CursorMove::Bottom);
        editor.move_cursor(CursorMove::End);
        TextArea {
            editor,
            cols: std::cell::Cell::new(0),
        }
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
        let plain = key.modifiers.is_empty() || key.modifiers == KeyModifiers::SHIFT;
        match key.code {
            KeyCode::Up if plain => self.move_row(-1),
            KeyCode::Down if plain => self.move_row(1),
            _ => {
                self.editor.input(key);
            }
        }
        (self.text(), self.cursor()) != before
    }

    /// Moves the caret one display row up (`-1`) or down (`1`) of the wrapping last shown,
    /// to the character under the same cell (the one covering it, for a wide character), or
    /// the row's end when it is shorter. Wide characters make character counts and cells
    /// differ, so the editor's own move (by character index) would land off the column.
    fn move_row(&mut self, by: isize) {
        let cols = match self.cols.get() {
            0 => usize::MAX / 4,
            c => c,
        };
        let starts = self.row_starts(cols);
        let (line, ch) = self.cursor();
        // The caret's row: the last row starting at or before it.
        let Some(r) = starts.iter().rposition(|s| (s.line, s.char) <= (line, ch)) else {
            return;
        };
        let x = self.cells_between(&starts[r], ch);
        let Some(t) = r.checked_add_signed(by).filter(|t| *t < starts.len()) else {
            return;
        };
        let target = starts[t];
        let chars: Vec<char> = self.editor.lines()[target.line].chars().collect();
        // The row ends before the last character of a row that wraps (a caret after it shows
        // on the next row), else at the line's end.
        let end = match starts.get(t + 1) {
            Some(n) if n.line == target.line => n.char.saturating_sub(1).max(target.char),
            _ => chars.len(),
        };
        let mut at = target.char;
        let mut used = 0;
        while at < end {
            let w = width(&display(&chars[at].to_string()));
            if used + w > x {
                break;
            }
            used += w;
            at += 1;
        }
        let (line, at) = (
            target.line.min(u16::MAX as usize),
            at.min(u16::MAX as usize),
        );
        self.editor
            .move_cursor(CursorMove::Jump(line as u16, at as u16));
    }

    /// Where each display row `cols` wide starts: (line, character index), as [`Self::view`]
    /// wraps.
    fn row_starts(&self, cols: usize) -> Vec<RowStart> {
        let cols = cols.max(2);
        let mut starts = Vec::new();
        for (li, line) in self.editor.lines().iter().enumerate() {
            starts.push(RowStart { line: li, char: 0 });
            let mut used = 0;
            for (ci, c) in line.chars().enumerate() {
                let w = width(&display(&c.to_string()));
                if used + w > cols && used > 0 {
                    starts.push(RowStart { line: li, char: ci });
                    used = 0;
                }
                used += w;
            }
        }
        starts
    }

    /// Cells from a row's start to character `ch` of its line.
    fn cells_between(&self, start: &RowStart, ch: usize) -> usize {
        self.editor.lines()[start.line]
            .chars()
            .skip(start.char)
            .take(ch.saturating_sub(start.char))
            .map(|c| width(&display(&c.to_string())))
            .sum()
    }

    /// Inserts `text` at the caret as given (the book stores it so), its line breaks unified
    /// as `\n`; each character is drawn through `display`.
    pub fn insert(&mut self, text: &str) -> bool {
        let joined = text.replace("\r\n", "\n").replace('\r', "\n");
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
        self.cols.set(cols);
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
        // Kept as pasted (the book stores text as given); the bell is drawn as nothing.
        assert!(t.insert("一\r\n二\u{7}\n"));
        assert_eq!(t.text(), "ab\n贷一\n二\u{7}\n");
        assert_eq!(t.view(20).caret, (3, 0));
        let (rows, caret) = t.window(20, 2);
        assert_eq!(rows, vec!["二".to_string(), String::new()]);
        assert_eq!(caret, (1, 0));
    }

    #[test]
    fn up_and_down_keep_the_cell_column_across_wide_characters_and_wrapped_rows() {
        let press = |t: &mut TextArea, c: KeyCode| {
            t.input(key(c));
        };
        // Cell 4 on the Chinese line is after 检查; on the ASCII line, after "abcd".
        let mut t = TextArea::new("检查报告\nabcdefgh");
        t.view(40);
        press(&mut t, KeyCode::Up); // from the end of "abcdefgh" (cell 8)
        assert_eq!(t.cursor(), (0, 4), "cell 8 is after 检查报告");
        press(&mut t, KeyCode::Left);
        press(&mut t, KeyCode::Left);
        press(&mut t, KeyCode::Down); // cell 4
        assert_eq!(t.cursor(), (1, 4));
        // Cell 5 falls inside a wide character: the caret goes before it.
        press(&mut t, KeyCode::Right);
        press(&mut t, KeyCode::Up);
        assert_eq!(t.cursor(), (0, 2));
        // Rows of a wrapped line are rows: Down from the first row goes to the second.
        let mut t = TextArea::new("aaaaaaaaaabbbbbbbbbbccc");
        t.view(10);
        press(&mut t, KeyCode::Home);
        press(&mut t, KeyCode::Right);
        press(&mut t, KeyCode::Down);
        assert_eq!(t.cursor(), (0, 11));
        assert_eq!(t.view(10).caret, (1, 1));
        // A shorter last row: the caret goes to its end; the top and bottom rows stay put.
        press(&mut t, KeyCode::End);
        press(&mut t, KeyCode::Up);
        press(&mut t, KeyCode::Down);
        assert_eq!(t.cursor(), (0, 23));
        press(&mut t, KeyCode::Down);
        assert_eq!(t.cursor(), (0, 23));
        // Up from a row's end onto a wrapping row stops before that row's last character.
        let mut t = TextArea::new("aaaaaaaaaabbbbbbbbbbccc\nxxxxxxxxxxxxxxxxxxxx");
        t.view(10);
        press(&mut t, KeyCode::Up);
        press(&mut t, KeyCode::Up);
        press(&mut t, KeyCode::Up);
        assert_eq!(t.view(10).caret.0, 1, "on the row of b's");
    }
}
