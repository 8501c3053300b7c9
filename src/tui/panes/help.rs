//! The `?` help overlay: the keys of the screen it was opened over (its own section on the
//! left, the global keys or the list's on the right), from the bindings in force; any key
//! closes it.

use crate::domain::text::{pad_right, truncate, width};
use crate::i18n::Lang;
use crate::tui::keymap::{Action, Keymap, Section};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The open help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Help {
    /// The screen's own sections (left column) and the others shown (right column).
    left: &'static [Section],
    right: &'static [Section],
    /// Opened over a pane whose list has no text filter or sort (the warning board, the
    /// Inspections pane): the list's keys it has no use for are left out.
    no_filter: bool,
    /// …and no loan to open with the list's Enter (the board).
    no_open: bool,
    /// Actions the user's role may not do, left out (the summary pane's signing).
    hidden: &'static [Action],
}

impl Help {
    pub fn new(left: &'static [Section], right: &'static [Section]) -> Help {
        Help {
            left,
            right,
            no_filter: false,
            no_open: false,
            hidden: &[],
        }
    }

    /// Leaves out `actions` (the user's role may not do them).
    pub fn hiding(self, actions: &'static [Action]) -> Help {
        Help {
            hidden: actions,
            ..self
        }
    }

    /// Leaves out the list's filter and sort keys, and Enter too unless `opens` (the pane's
    /// list has no text filter or sort; its Enter opens its own rows, or nothing).
    pub fn without_filter(self, opens: bool) -> Help {
        Help {
            no_filter: true,
            no_open: !opens,
            ..self
        }
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
        let column = |sections: &[Section], cols: u16| -> Vec<Line<'static>> {
            let mut lines = vec![Line::styled(
                lang.t(&format!("help.section_{}", sections[0].name()))
                    .to_string(),
                theme.header,
            )];
            for s in sections {
                for (section, action, keys) in &keymap.listing {
                    // The board and the Inspections pane have no text filter or sort; the board opens no loan.
                    let not_here = *section == Section::List
                        && match action {
                            Action::Open => self.no_open,
                            Action::Filter
                            | Action::SortNext
                            | Action::SortPrev
                            | Action::SortReverse => self.no_filter,
                            _ => false,
                        };
                    if section != s || not_here || keys.is_empty() || self.hidden.contains(action) {
                        continue;
                    }
                    let keys: Vec<String> = keys.iter().map(|k| k.label()).collect();
                    lines.extend(help_entry(&keys.join(" "), &action.description(lang), cols));
                }
            }
            lines
        };
        let left = column(self.left, half);
        let right = column(self.right, inner_w.saturating_sub(half + 1));
        let rows = left.len().max(right.len()) as u16;
        let h = (rows + 3).min(area.height);
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
        frame.render_widget(
            Paragraph::new(Line::styled(lang.t("help.close").to_string(), theme.muted)),
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
