//! The CLI's text tables: each column as wide as its content (display width, a Chinese
//! character counts two), capped, cut with `…` only where the cap or the terminal forces it.
//!
//! Lists stream page by page, so the widths settle on the first [`WINDOW`] rows (and the
//! headers); a later, wider cell is cut at its column's width rather than shifting the
//! columns under it.

use std::io::Write;

use crate::domain::text::{pad_left, pad_right, truncate, width};

/// How many rows are held back to measure the columns before the first is written.
pub const WINDOW: usize = 500;

/// No column is cut below this many columns (or its header's width, if smaller) to fit
/// the terminal.
const MIN_FIT: usize = 6;

/// Which side of its column a cell keeps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    /// Amounts and counts, so that their digits line up.
    Right,
}

/// A column: its header, the widest it may grow, its alignment.
#[derive(Debug, Clone)]
pub struct Column {
    header: String,
    cap: usize,
    align: Align,
}

impl Column {
    /// A left-aligned column at most `cap` columns wide.
    pub fn new(header: &str, cap: usize) -> Column {
        Column {
            header: shown(header),
            cap: cap.max(1),
            align: Align::Left,
        }
    }

    /// The same column, aligned right.
    pub fn right(mut self) -> Column {
        self.align = Align::Right;
        self
    }
}

/// A table being written: rows are held until the widths are known, then streamed.
pub struct Table {
    columns: Vec<Column>,
    held: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
    /// The terminal's width when the output is one; `None` for a pipe or a file.
    limit: Option<usize>,
    /// Rows added so far.
    rows: u64,
}

impl Table {
    /// A table of `columns`, fitted to the terminal when standard output is one.
    pub fn new(columns: Vec<Column>) -> Table {
        Table::with_limit(columns, terminal_width())
    }

    /// A table of `columns` fitted to `limit` columns (none: only the caps cut).
    pub fn with_limit(columns: Vec<Column>, limit: Option<usize>) -> Table {
        Table {
            columns,
            held: Vec::new(),
            widths: None,
            limit,
            rows: 0,
        }
    }

    /// Adds a row (one cell per column; missing cells are empty). Control characters are
    /// taken out of every cell.
    pub fn row(&mut self, out: &mut impl Write, cells: Vec<String>) -> std::io::Result<()> {
        let cells: Vec<String> = cells.iter().map(|c| shown(c)).collect();
        self.rows += 1;
        match &self.widths {
            Some(w) => {
                let line = line(&self.columns, w, &cells);
                writeln!(out, "{line}")
            }
            None => {
                self.held.push(cells);
                if self.held.len() >= WINDOW {
                    self.settle(out)?;
                }
                Ok(())
            }
        }
    }

    /// Writes what is held (the header at least).
    pub fn finish(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if self.widths.is_none() {
            self.settle(out)?;
        }
        Ok(())
    }

    /// Writes what is held; a table that got no row says `none` instead (a listing that
    /// matched nothing says so, rather than printing nothing or a bare header).
    pub fn finish_or(&mut self, out: &mut impl Write, none: &str) -> std::io::Result<()> {
        if self.rows == 0 {
            return writeln!(out, "{none}");
        }
        self.finish(out)
    }

    /// Measures the held rows, writes the header and them.
    fn settle(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let widths = measure(&self.columns, &self.held, self.limit);
        let header: Vec<String> = self.columns.iter().map(|c| c.header.clone()).collect();
        writeln!(out, "{}", line(&self.columns, &widths, &header))?;
        for cells in std::mem::take(&mut self.held) {
            writeln!(out, "{}", line(&self.columns, &widths, &cells))?;
        }
        self.widths = Some(widths);
        Ok(())
    }
}

/// The width of each column: its widest cell or header, at most its cap; then, while the
/// line is wider than `limit`, the widest column gives a column back.
fn measure(columns: &[Column], rows: &[Vec<String>], limit: Option<usize>) -> Vec<usize> {
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|s| width(s))
                .chain([width(&c.header)])
                .max()
                .unwrap_or(0)
                // A header is never cut by the cap, only by the terminal.
                .min(c.cap.max(width(&c.header)))
        })
        .collect();
    if let Some(limit) = limit {
        let floor: Vec<usize> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| (*w).min(MIN_FIT.max(width(&c.header))))
            .collect();
        let total = |w: &[usize]| w.iter().sum::<usize>() + w.len().saturating_sub(1);
        while total(&widths) > limit {
            let widest = widths
                .iter()
                .enumerate()
                .filter(|(i, w)| **w > floor[*i])
                .max_by_key(|(i, w)| (**w, std::cmp::Reverse(*i)))
                .map(|(i, _)| i);
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    widths
}

/// One line of the table: cells padded to their widths, one space apart; the last cell
/// is not padded (no trailing blanks).
fn line(columns: &[Column], widths: &[usize], cells: &[String]) -> String {
    let last = columns.len().saturating_sub(1);
    let mut out = String::new();
    for (i, (c, w)) in columns.iter().zip(widths).enumerate() {
        let cell = cells.get(i).map(|s| s.as_str()).unwrap_or("");
        if i > 0 {
            out.push(' ');
        }
        let piece = if i == last && c.align == Align::Left {
            truncate(cell, *w)
        } else if c.align == Align::Right {
            pad_left(cell, *w)
        } else {
            pad_right(cell, *w)
        };
        // A cut cell ends in `…`; in ASCII output a `~` of the same width (the workbench's mark).
        if super::visible::ascii() {
            out.push_str(&piece.replace('…', "~"));
        } else {
            out.push_str(&piece);
        }
    }
    out.trim_end().to_string()
}

/// A cell as the terminal will show it, measured before padding: invisible characters as
/// `\u200B` and, in ASCII output, typographic stand-ins and escapes (`cli::visible`), then
/// what `display` makes of the rest.
fn shown(cell: &str) -> String {
    super::visible::shown(cell)
}

/// The terminal's width when standard output is a terminal.
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    ratatui::crossterm::terminal::size()
        .ok()
        .map(|(cols, _)| usize::from(cols))
        .filter(|c| *c > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(columns: Vec<Column>, rows: &[&[&str]], limit: Option<usize>) -> Vec<String> {
        let mut t = Table::with_limit(columns, limit);
        let mut out = Vec::new();
        for r in rows {
            t.row(&mut out, r.iter().map(|s| s.to_string()).collect())
                .expect("write");
        }
        t.finish(&mut out).expect("write");
        String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn columns_are_as_wide_as_their_chinese_content_and_no_wider() {
        let lines = render(
            vec![
                Column::new("合同号", 30),
                Column::new("借款人", 40),
                Column::new("期限", 30),
            ],
            &[
                &[
                    "HT-2023-000001",
                    "杭州恒达精密机械制造股份有限公司",
                    "诉讼时效",
                ],
                &["HT-9", "张三", "财产保全"],
            ],
            None,
        );
        let sp = |n: usize| " ".repeat(n);
        assert_eq!(
            lines,
            [
                format!("合同号{}借款人{}期限", sp(9), sp(27)),
                "HT-2023-000001 杭州恒达精密机械制造股份有限公司 诉讼时效".to_string(),
                format!("HT-9{}张三{}财产保全", sp(11), sp(29)),
            ]
        );
        // Every column starts at the same display column on every line.
        let starts = |l: &str| {
            let mut cols = Vec::new();
            let mut at = 0;
            let mut prev_space = false;
            for ch in l.chars() {
                if ch != ' ' && prev_space {
                    cols.push(at);
                }
                prev_space = ch == ' ';
                at += width(&ch.to_string());
            }
            cols
        };
        assert_eq!(starts(&lines[1]), starts(&lines[2]));
        assert!(lines.iter().all(|l| !l.contains('…')));
    }

    #[test]
    fn a_cell_is_cut_with_an_ellipsis_only_at_its_cap_or_the_terminal() {
        let long = "杭州恒达精密机械制造股份有限公司";
        let capped = render(
            vec![Column::new("借款人", 10), Column::new("天数", 8).right()],
            &[&[long, "12"], &["张三", "1"]],
            None,
        );
        assert_eq!(
            capped,
            [
                format!("借款人{}天数", " ".repeat(5)),
                format!("杭州恒达…{}12", " ".repeat(4)),
                format!("张三{}1", " ".repeat(10)),
            ]
        );
        // Fitted to a 30-column terminal: the widest column gives way, the others stay.
        let fitted = render(
            vec![
                Column::new("no", 20),
                Column::new("borrower", 40),
                Column::new("days", 8),
            ],
            &[&["HT-1", long, "3"]],
            Some(30),
        );
        assert!(fitted.iter().all(|l| width(l) <= 30), "{fitted:?}");
        assert!(fitted[1].starts_with("HT-1 杭州"), "{fitted:?}");
        assert!(fitted[1].contains('…'), "{fitted:?}");
        assert!(fitted[1].ends_with(" 3"), "{fitted:?}");
    }

    #[test]
    fn a_header_wider_than_its_cap_is_shown_whole() {
        let lines = render(
            vec![
                Column::new("Next deadline", 10),
                Column::new("Days overdue", 8).right(),
            ],
            &[&["2026-12-15", "3"]],
            None,
        );
        assert_eq!(lines[0], "Next deadline Days overdue");
        assert!(lines.iter().all(|l| !l.contains('…')), "{lines:?}");
    }

    #[test]
    fn control_characters_never_reach_a_cell_and_an_empty_table_has_its_header() {
        let lines = render(
            vec![Column::new("a", 10), Column::new("b", 10)],
            &[&["x\u{1b}[31my", "z\nw"]],
            None,
        );
        assert!(!lines.concat().contains('\u{1b}'));
        assert_eq!(lines.len(), 2);
        assert_eq!(render(vec![Column::new("a", 10)], &[], None), ["a"]);
    }

    #[test]
    fn rows_after_the_window_keep_the_settled_widths() {
        let mut t = Table::with_limit(vec![Column::new("n", 20), Column::new("x", 5)], None);
        let mut out = Vec::new();
        for i in 0..WINDOW + 1 {
            let name = if i == WINDOW {
                "a much longer name".into()
            } else {
                format!("r{i}")
            };
            t.row(&mut out, vec![name, "1".into()]).expect("write");
        }
        t.finish(&mut out).expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        let last = text.lines().last().unwrap_or("");
        assert_eq!(last, "a m… 1");
    }
}
