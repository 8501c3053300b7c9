//! Draws the whole screen from `App`: pane bar, the pane (or the loan detail over it), a
//! hint line, the status line, and the help overlay. A pure function of state.

use super::app::{App, MIN_COLS, MIN_ROWS, Notice, PaneId};
use super::component::{Component, Hint};
use super::keymap::{Action, Section};
use super::panes;
use super::stack::Screen;
use super::widgets::form::Form;
use crate::domain::text::{display, is_stable, pad_right, truncate, width};
use ratatui::Frame;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    if app.too_small() {
        too_small(app, frame, area);
        return;
    }
    let bar = Rect::new(area.x, area.y, area.width, 1);
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(3),
    );
    let hint = Rect::new(area.x, area.bottom() - 2, area.width, 1);
    let status = Rect::new(area.x, area.bottom() - 1, area.width, 1);
    pane_bar(app, frame, bar);
    let view = super::component::View {
        lang: app.lang,
        theme: &app.theme,
        rules: &app.rules,
        today: app.today_date,
        keymap: &app.keymap,
    };
    if let Some(front) = app.detail.front().and_then(Screen::component) {
        front.render(frame, body, &view);
    } else {
        match app.pane {
            PaneId::Today => app.today.render(frame, body, &view),
            PaneId::Ledger => app.ledger.render(frame, body, &view),
            PaneId::Warnings => app.board.render(frame, body, &view),
            PaneId::Inspections => app.inspections.render(frame, body, &view),
            PaneId::Classification => app.classification.render(frame, body, &view),
            PaneId::Disposal => app.disposal.render(frame, body, &view),
            PaneId::Archive => app.archive.render(frame, body, &view),
            PaneId::Summary => app.summary.render(frame, body, &view),
        }
    }
    // A notice too long for the space beside who is working takes the hint and status
    // lines, wrapped, until the next key: a refusal is read whole, at any width.
    match long_notice(app, usize::from(area.width)) {
        Some(lines) => notice_rows(app, frame, Rect::new(area.x, hint.y, area.width, 2), lines),
        None => {
            hint_line(app, frame, hint);
            status_line(app, frame, status);
        }
    }
    // The overlays (the open form, the help) over the screen in view, bottom-up.
    for overlay in app.detail.overlays() {
        match overlay {
            Screen::Form(open) => render_form(app, frame, body, &open.form),
            Screen::Help(help) => help.render(frame, body, app.lang, &app.theme, &app.keymap),
            Screen::Loan(_)
            | Screen::Warning(_)
            | Screen::Inspection(_)
            | Screen::Case(_)
            | Screen::Document(_)
            | Screen::Audit(_)
            | Screen::AuditEntry(_) => {}
        }
    }
    // The config is read at each frame too: a setting changed while the workbench runs
    // (or by a test) takes effect at once.
    let d = &app.config.display;
    let ascii = app.ascii_chrome
        || d.borders == crate::config::BorderChoice::Ascii
        || d.charset == crate::config::CharsetChoice::Ascii;
    settle_cells_with(frame.buffer_mut(), ascii);
}

/// The open form over `body`, with its key hints.
fn render_form(app: &App, frame: &mut Frame<'_>, body: Rect, form: &Form) {
    {
        let k = |a| app.keymap.first_key(Section::Form, a).unwrap_or_default();
        let multiline = form.focused().is_some_and(|f| f.is_multiline());
        let hint = app.lang.tf(
            if multiline {
                "forms.hint_multiline"
            } else {
                "form.hint"
            },
            &[
                ("save", &k(Action::Save)),
                ("next", &k(Action::NextField)),
                ("cancel", &k(Action::Cancel)),
            ],
        );
        form.render(frame, body, app.lang, &app.theme, &hint);
    }
}

/// The app's own glyphs that are drawn as they are: box drawing and blocks (their width is a
/// setting of its own, `display.borders`).
fn is_chrome(c: char) -> bool {
    matches!(c, '\u{2500}'..='\u{259F}')
}

/// The app's marks and punctuation of East Asian Ambiguous width (a terminal in a Chinese
/// locale may draw them two columns wide and shift the rest of the line), and the one-column
/// character every terminal draws alike that is shown instead.
pub fn plain_glyph(c: char) -> Option<char> {
    Some(match c {
        '▶' | '►' | '→' | '›' => '>',
        '◀' | '←' => '<',
        '▲' | '↑' => '^',
        '▼' | '↓' => 'v',
        '…' | '⋯' => '~',
        '·' | '•' => '|',
        '—' | '–' | '―' => '-',
        '“' | '”' | '‘' | '’' => '"',
        '±' => '+',
        '×' => 'x',
        'Δ' => 'D',
        '⚠' => '!',
        _ => return None,
    })
}

/// Box drawing in ASCII: `-` for horizontal lines, `|` for vertical ones, `+` for corners and
/// joins, `#` for blocks.
fn ascii_border(c: char) -> Option<char> {
    Some(match c {
        '─' | '━' | '═' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍' | '╴' | '╶' | '╸' | '╺' => {
            '-'
        }
        '│' | '┃' | '║' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' | '╵' | '╷' | '╹' | '╻' => {
            '|'
        }
        '\u{2500}'..='\u{257F}' => '+',
        '\u{2580}'..='\u{259F}' => '#',
        _ => return None,
    })
}

/// The last pass over every frame, with box-drawing borders kept (see [`settle_cells_with`]).
pub fn settle_cells(buf: &mut Buffer) {
    settle_cells_with(buf, false);
}

/// The last pass over every frame: the app's ambiguous-width marks become [`plain_glyph`]s,
/// borders become ASCII when `ascii_borders`, and a cell holding text of disputed width (an
/// emoji sequence, a combining accent, an ambiguous-width character of data) that reached the
/// screen without `display` gets `display`'s text instead (`?` if that is wider), padded to the
/// columns the layout gave it, so the terminal and the backend agree where every later cell is.
pub fn settle_cells_with(buf: &mut Buffer, ascii_borders: bool) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let cell = &buf[(x, y)];
            let symbol = cell.symbol();
            let cols = symbol.cell_width().max(1);
            let mut chars = symbol.chars();
            let one = match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                _ => None,
            };
            let plain = one.and_then(|c| {
                plain_glyph(c).or_else(|| ascii_borders.then(|| ascii_border(c)).flatten())
            });
            if let Some(p) = plain {
                buf[(x, y)].set_char(p);
                x = x.saturating_add(1);
                continue;
            }
            let settled = match one {
                Some(c) => is_stable(c) || is_chrome(c),
                None => symbol.is_empty(),
            };
            if settled {
                x = x.saturating_add(cols);
                continue;
            }
            let style = cell.style();
            let end = x.saturating_add(cols).min(area.right());
            let mut text = display(symbol);
            if width(&text) > usize::from(end - x) {
                text = "?".to_string();
            }
            let mut at = x;
            for c in text.chars() {
                let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(1) as u16;
                if at + w > end {
                    break;
                }
                buf[(at, y)].set_char(c).set_style(style);
                for hidden in at + 1..at + w {
                    buf[(hidden, y)].reset();
                }
                at += w;
            }
            for blank in at..end {
                buf[(blank, y)].set_char(' ').set_style(style);
            }
            x = end;
        }
    }
}

fn too_small(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let text = app.lang.tf(
        "app.too_small",
        &[
            ("cols", &MIN_COLS),
            ("rows", &MIN_ROWS),
            ("w", &area.width),
            ("h", &area.height),
            (
                "quit",
                &app.keymap
                    .first_key(Section::Global, Action::Quit)
                    .unwrap_or_default(),
            ),
        ],
    );
    let lines: Vec<Line> = textwrap::wrap(&text, usize::from(area.width).max(1))
        .into_iter()
        .map(|l| Line::from(l.into_owned()))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn pane_bar(app: &App, frame: &mut Frame<'_>, area: Rect) {
    // Full names when they fit, short ones on a narrow terminal (English at 80 columns).
    let label = |p: &PaneId, short: bool| {
        let key = p.title_key();
        if short {
            app.lang.t(&key.replace("pane.", "pane_short.")).to_string()
        } else {
            app.lang.t(key).to_string()
        }
    };
    let full: usize = PaneId::ALL
        .iter()
        .map(|p| width(&label(p, false)) + 4)
        .sum();
    let short = full > area.width as usize;
    let mut spans = Vec::new();
    for (i, p) in PaneId::ALL.iter().enumerate() {
        let style = if *p == app.pane {
            app.theme.bar_selected
        } else {
            app.theme.bar
        };
        spans.push(Span::styled(
            format!(" {} {} ", i + 1, label(p, short)),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer's key hints from the bindings in force, within `cols` columns when it can be:
/// two spaces between hints, one when that is too wide. An action with no key is left out.
fn key_hints(app: &App, hints: &[Hint], cols: usize) -> String {
    let parts: Vec<String> = hints
        .iter()
        .filter_map(|h| {
            let (section, actions, label) = match h {
                Hint::One(s, a) => (*s, std::slice::from_ref(a), a.label(app.lang)),
                Hint::Group(s, actions, key) => (*s, *actions, app.lang.t(key).to_string()),
            };
            let keys: Vec<String> = actions
                .iter()
                .filter_map(|a| app.keymap.first_key(section, *a))
                .collect();
            (!keys.is_empty()).then(|| format!("{} {label}", keys.join("/")))
        })
        .collect();
    let wide = parts.join("  ");
    if width(&wide) <= cols {
        wide
    } else {
        parts.join(" ")
    }
}

fn hint_line(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let w = area.width as usize;
    // A screen over the pane lists its own commands.
    if let Some(front) = app.detail.front().and_then(Screen::component) {
        let line = Line::styled(
            truncate(&key_hints(app, front.hints(), w), w),
            app.theme.muted,
        );
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if app.pane == PaneId::Summary {
        // No list: its commands alone (the period, scrolling, help).
        let line = Line::styled(
            truncate(&key_hints(app, app.summary.hints(), w), w),
            app.theme.muted,
        );
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let pane_list = match app.pane {
        _ if app.detail.front().is_some() => None,
        PaneId::Warnings if app.board.by_case => Some((
            app.board.cases.cursor,
            app.board.cases.total,
            app.board.cases.total_text(),
            app.board.hints(),
            app.lang.t("disposal_pane.legend"),
        )),
        PaneId::Warnings => Some((
            app.board.list.cursor,
            app.board.list.total,
            app.board.list.total_text(),
            app.board.hints(),
            app.lang.t("warning.back_legend"),
        )),
        PaneId::Inspections => Some((
            app.inspections.list.cursor,
            app.inspections.list.total,
            app.inspections.list.total_text(),
            app.inspections.hints(),
            app.lang.t("inspections_pane.legend"),
        )),
        PaneId::Disposal => {
            let (cursor, total, text) = app.disposal.position();
            Some((
                cursor,
                total,
                text,
                app.disposal.hints(),
                app.lang.t("disposal_pane.legend"),
            ))
        }
        PaneId::Classification => Some((
            app.classification.list.cursor,
            app.classification.list.total,
            app.classification.list.total_text(),
            app.classification.hints(),
            app.lang.t("classification_pane.legend"),
        )),
        _ => None,
    };
    if let Some((cursor, total, total_text, hints, legend)) = pane_list {
        let pos = if total == 0 { 0 } else { cursor + 1 };
        let text = format!(
            "{}  {}",
            app.lang
                .tf("list.position", &[("n", &pos), ("total", &total_text)]),
            legend
        );
        let keys = key_hints(app, hints, w.saturating_sub(16));
        let keys = keys.as_str();
        let left = truncate(&text, w.saturating_sub(width(keys) + 1));
        let line = Line::from(vec![
            Span::raw(pad_right(&left, w.saturating_sub(width(keys)))),
            Span::styled(truncate(keys, w), app.theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(list) = app.list().filter(|_| app.detail.front().is_none()) {
        if let Some(input) = &list.filter {
            let prompt = format!("{} ", app.lang.t("list.filter_prompt"));
            let pw = width(&prompt);
            let avail = w.saturating_sub(pw + 1);
            let (shown, caret) = super::widgets::form::field_view(input, avail);
            let line = Line::from(vec![
                Span::styled(prompt, app.theme.title),
                Span::raw(shown),
            ]);
            frame.render_widget(Paragraph::new(line), area);
            let x = area.x + (pw + caret) as u16;
            frame.set_cursor_position(Position::new(x.min(area.right() - 1), area.y));
            return;
        }
        let pos = if list.total == 0 { 0 } else { list.cursor + 1 };
        let mut text = app.lang.tf(
            "list.position",
            &[("n", &pos), ("total", &list.total_text())],
        );
        if !list.query.text.is_empty() {
            text.push_str("  ");
            text.push_str(&app.lang.tf(
                "list.filtered",
                &[("text", &crate::domain::text::display(&list.query.text))],
            ));
        }
        if list.total == 0 {
            text.push_str("  ");
            text.push_str(app.lang.t("list.empty"));
        }
        let keys = key_hints(app, panes::loans::HINTS, w.saturating_sub(width(&text) + 1));
        let keys = keys.as_str();
        let left = truncate(&text, w.saturating_sub(width(keys) + 1));
        let line = Line::from(vec![
            Span::raw(pad_right(&left, w.saturating_sub(width(keys)))),
            Span::styled(keys.to_string(), app.theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
    }
}

/// Who is working, in which book, and the counts: the left part of the status line.
fn identity(app: &App) -> String {
    let role = app.lang.code_name("role", app.actor.role.code());
    format!(
        " {} ({}) · {} · {} · {}",
        crate::domain::text::display(&app.actor.display_name),
        role,
        crate::domain::text::display(&app.book_name),
        app.lang.tf("status.loans", &[("n", &app.loan_count)]),
        app.lang.tf("status.due", &[("n", &app.today.total_text())]),
    )
}

/// The notice's rows when it does not fit beside [`identity`] on a `w`-cell line: wrapped to
/// two rows, the second cut with `…` if it still does not fit.
fn long_notice(app: &App, w: usize) -> Option<Vec<String>> {
    let n = app.notice.as_ref()?;
    let text = crate::domain::text::display(&n.text);
    if width(&identity(app)) + 2 + width(&text) <= w {
        return None;
    }
    let cols = w.saturating_sub(2).max(8);
    let mut lines: Vec<String> = textwrap::wrap(&text, cols)
        .into_iter()
        .map(|l| l.into_owned())
        .collect();
    if lines.len() > 2 {
        let rest = lines.split_off(1).join(" ");
        lines.push(truncate(&rest, cols));
    }
    Some(lines)
}

/// The long notice over the hint and status lines.
fn notice_rows(app: &App, frame: &mut Frame<'_>, area: Rect, lines: Vec<String>) {
    let style = match &app.notice {
        Some(n) if n.error => app.theme.error,
        _ => app.theme.ok,
    };
    let rows: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::styled(format!(" {l}"), style))
        .collect();
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(Paragraph::new(rows), area);
}

fn status_line(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let w = area.width as usize;
    // Problems in the user's keymap take the whole line at start, until a key is pressed
    // (all of them were printed before the screen opened; `postloan paths` lists them again).
    if app.notice.is_none()
        && let Some(p) = app.keymap_problems.first()
    {
        let mut text = format!(" {}", p.short_text(app.lang));
        let more = app.keymap_problems.len() - 1;
        if more > 0 {
            text.push(' ');
            text.push_str(&app.lang.tf("keymap.more", &[("n", &more)]));
        }
        let line = Line::styled(truncate(&text, w), app.theme.error);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let left = identity(app);
    let mut spans = vec![Span::styled(truncate(&left, w), app.theme.bar_selected)];
    let used = width(&left).min(w);
    // While the book is busy, the status line says so whatever else happened meanwhile.
    let busy = Notice {
        text: app.lang.t("book_busy.retrying").to_string(),
        error: true,
    };
    let notice = app.notice.as_ref().or_else(|| app.busy.then_some(&busy));
    if let Some(n) = notice {
        let style = if n.error {
            app.theme.error
        } else {
            app.theme.ok
        };
        spans.push(Span::styled(
            truncate(&format!("  {}", n.text), w - used),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn row(buf: &Buffer) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, 0)].symbol().to_string())
            .collect()
    }

    #[test]
    fn the_last_pass_settles_disputed_cells_in_place_and_keeps_chrome() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 16, 1));
        let style = Style::new().reversed();
        buf.set_string(0, 0, "☎\u{FE0F}│→é①e\u{301}👨\u{200D}👩x", style);
        // As laid out: ☎️ two columns, the family two, e + accent one.
        settle_cells(&mut buf);
        assert_eq!(row(&buf), "? │>e?e? x      ");
        for x in 0..9 {
            assert_eq!(
                buf[(x, 0)].style().add_modifier,
                style.add_modifier,
                "cell {x}"
            );
        }
        // What is left is text every terminal draws alike.
        assert!(row(&buf).chars().all(|c| is_stable(c) || is_chrome(c)));
        let plain = "华东机械 ABC ─ | ~ >";
        let mut same = Buffer::empty(Rect::new(0, 0, 24, 1));
        same.set_string(0, 0, plain, Style::new());
        let before = same.clone();
        settle_cells(&mut same);
        assert_eq!(same, before);
    }

    #[test]
    fn chrome_of_ambiguous_width_becomes_plain_and_borders_ascii_on_request() {
        let text = "▶ a · b — c… ↑↓ “d” ┌─┐│└┘";
        let mut buf = Buffer::empty(Rect::new(0, 0, 26, 1));
        buf.set_string(0, 0, text, Style::new());
        let mut lines = buf.clone();
        settle_cells(&mut lines);
        assert_eq!(row(&lines), "> a | b - c~ ^v \"d\" ┌─┐│└┘");
        settle_cells_with(&mut buf, true);
        assert_eq!(row(&buf), "> a | b - c~ ^v \"d\" +-+|++");
        for x in 0..buf.area.width {
            for c in buf[(x, 0)].symbol().chars() {
                use unicode_width::UnicodeWidthChar;
                assert_eq!(c.width(), c.width_cjk(), "{c:?}");
            }
        }
    }
}
