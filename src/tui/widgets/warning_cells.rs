//! How a warning reads in a row (board, Today, a loan's Warnings tab): its signal's name,
//! value against threshold, status with the back-to-normal mark; fixed-width columns.

use crate::domain::text::{display, pad_left, pad_right};
use crate::domain::warning::Level;
use crate::i18n::Lang;
use crate::store::WarningRow;
use crate::tui::theme::Theme;
use crate::workflow::warning::show_value;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// An indicator's or manual signal's name in `lang`.
pub fn indicator_name(origin: &str, code: &str, lang: Lang) -> String {
    let name = if origin == "manual" {
        lang.code_name("signal", code)
    } else {
        lang.code_name("indicator", code)
    };
    // A code without a translation is shown as it is stored: data, so made fit for the screen.
    if name == code { display(code) } else { name }
}

/// `value/threshold unit`, short; empty for a manual warning.
pub fn value_text(row: &WarningRow, lang: Lang) -> String {
    let (Some(v), Some(t)) = (row.value, row.threshold) else {
        return row.value.map(show_value).unwrap_or_default();
    };
    let unit = row
        .unit
        .as_deref()
        .map(|u| lang.code_name("unit_short", u))
        .unwrap_or_default();
    format!("{}/{}{unit}", show_value(v), show_value(t))
}

/// The status, with `*` when a system warning's indicator is back inside its threshold.
pub fn status_text(row: &WarningRow, lang: Lang) -> String {
    let mut s = lang.code_name("wstatus", row.status.code());
    if row.back_to_normal {
        s.push('*');
    }
    s
}

/// `红色 12  橙色 30  黄色 55`, each coloured by its level.
pub fn count_spans(counts: &[u64; 3], lang: Lang, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for level in Level::BOARD {
        let n = counts[level.board_order() as usize];
        spans.push(Span::styled(
            format!("{} {n}", lang.code_name("level", level.code())),
            theme.level(level),
        ));
        spans.push(Span::raw("  "));
    }
    spans
}

/// The columns of a warning list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WCol {
    Level,
    RaisedOn,
    Number,
    Contract,
    Borrower,
    Signal,
    Value,
    Status,
    Officer,
}

impl WCol {
    fn title_key(self) -> &'static str {
        match self {
            WCol::Level => "col.level",
            WCol::RaisedOn => "col.raised_on",
            WCol::Number => "col.number",
            WCol::Contract => "col.contract_no",
            WCol::Borrower => "col.borrower",
            WCol::Signal => "col.indicator",
            WCol::Value => "col.value_threshold",
            WCol::Status => "col.status",
            WCol::Officer => "col.officer",
        }
    }

    fn width(self) -> usize {
        match self {
            WCol::Level => 6,
            WCol::RaisedOn => 10,
            WCol::Number => 13,
            WCol::Contract => 12,
            WCol::Borrower => 0,
            WCol::Signal => 14,
            WCol::Value => 13,
            WCol::Status => 12,
            WCol::Officer => 10,
        }
    }

    fn right(self) -> bool {
        self == WCol::Value
    }

    fn text(self, row: &WarningRow, lang: Lang) -> String {
        match self {
            WCol::Level => lang.code_name("level", row.level.code()),
            WCol::RaisedOn => row.raised_on.to_string(),
            WCol::Number => display(&row.number),
            WCol::Contract => display(&row.contract_no),
            WCol::Borrower => display(&row.borrower_name),
            WCol::Signal => indicator_name(&row.origin, &row.indicator, lang),
            WCol::Value => value_text(row, lang),
            WCol::Status => status_text(row, lang),
            WCol::Officer => display(&row.officer),
        }
    }
}

/// Columns by width: at 80 columns the board drops the date, number and officer rather than
/// squeeze names. Without the loan (a loan's own warnings) there is room for all the rest.
pub fn columns(width: u16, with_loan: bool) -> Vec<WCol> {
    if !with_loan {
        return vec![
            WCol::Level,
            WCol::RaisedOn,
            WCol::Number,
            WCol::Signal,
            WCol::Value,
            WCol::Status,
        ];
    }
    if width >= 110 {
        vec![
            WCol::Level,
            WCol::RaisedOn,
            WCol::Number,
            WCol::Contract,
            WCol::Borrower,
            WCol::Signal,
            WCol::Value,
            WCol::Status,
            WCol::Officer,
        ]
    } else {
        vec![
            WCol::Level,
            WCol::Contract,
            WCol::Borrower,
            WCol::Signal,
            WCol::Value,
            WCol::Status,
        ]
    }
}

fn layout(cols: &[WCol], width: usize) -> Vec<(WCol, usize)> {
    let fixed: usize = cols.iter().map(|c| c.width() + 1).sum();
    let flex = width.saturating_sub(fixed + 1).max(8);
    cols.iter()
        .map(|&c| (c, if c == WCol::Borrower { flex } else { c.width() }))
        .collect()
}

fn cells(cols: &[(WCol, usize)], cell: impl Fn(WCol) -> String) -> Vec<(WCol, String)> {
    cols.iter()
        .map(|&(c, w)| {
            let text = cell(c);
            let text = if c.right() {
                pad_left(&text, w)
            } else {
                pad_right(&text, w)
            };
            (c, text)
        })
        .collect()
}

/// Draws a header at `area.y` (when `header`) and `rows` below it; `cursor` marks one row.
#[allow(clippy::too_many_arguments)]
pub fn render_rows<'a>(
    rows: impl Iterator<Item = &'a WarningRow>,
    cursor: Option<usize>,
    cols: &[WCol],
    header: bool,
    area: Rect,
    buf: &mut Buffer,
    lang: Lang,
    theme: &Theme,
) {
    let laid = layout(cols, area.width as usize);
    let mut y = area.y;
    if header {
        let mut spans = vec![Span::raw(" ")];
        for (_, text) in cells(&laid, |c| lang.t(c.title_key()).to_string()) {
            spans.push(Span::raw(" "));
            spans.push(Span::raw(text));
        }
        buf.set_line(
            area.x,
            y,
            &Line::from(spans).style(theme.header),
            area.width,
        );
        y += 1;
    }
    for (i, row) in rows.enumerate() {
        if y >= area.bottom() {
            break;
        }
        let selected = cursor == Some(i);
        let mut spans = vec![Span::raw(if selected { ">" } else { " " })];
        for (c, text) in cells(&laid, |c| c.text(row, lang)) {
            spans.push(Span::raw(" "));
            let style = match c {
                _ if selected => Style::new(),
                WCol::Level => theme.level(row.level),
                WCol::Status if row.back_to_normal => theme.ok,
                _ => Style::new(),
            };
            spans.push(Span::styled(text, style));
        }
        let line = Line::from(spans);
        let line = if selected {
            line.style(theme.selected)
        } else {
            line
        };
        buf.set_line(area.x, y, &line, area.width);
        y += 1;
    }
}
