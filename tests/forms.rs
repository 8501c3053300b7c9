//! Typed forms through the workbench: a multi-line field takes Enter as a new line and Ctrl-S
//! saves; a draft comes back into the fields of its names; the caret sits on the right cell
//! after Chinese text and on a wrapped line's continuation row.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::i18n::Lang;
use postloan::tui::app::App;
use postloan::tui::render;
use postloan::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tui::{app, book};

const SPECIALIST: &str = "wang.fang";

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
        .expect("key handled");
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// One frame: its rows of text, and where the real cursor (the caret) was put.
fn frame(app: &App) -> (Vec<String>, (u16, u16)) {
    use ratatui::backend::Backend as _;
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| render::render(app, f)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    // Rows as text: the cell after a wide character is its second half, not a space.
    let rows = (0..h)
        .map(|y| {
            let mut row = String::new();
            let mut x = 0;
            while x < w {
                let sym = buf[(x, y)].symbol();
                row.push_str(sym);
                x += (unicode_width::UnicodeWidthStr::width(sym) as u16).max(1);
            }
            row
        })
        .collect();
    let p = terminal
        .backend_mut()
        .get_cursor_position()
        .expect("cursor");
    (rows, (p.x, p.y))
}

/// The column (in cells) where `text` starts on row `y`.
fn column_of(app: &App, y: u16, text: &str) -> u16 {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| render::render(app, f)).expect("draw");
    let buf = terminal.backend().buffer();
    let first = text.chars().next().expect("text").to_string();
    (0..w)
        .find(|&x| buf[(x, y)].symbol() == first)
        .expect("text on the row")
}

/// The caret's (row, column) in the focused multi-line field, as the field computes it.
fn caret(app: &App) -> (u16, u16, Vec<String>) {
    let (rows, _) = frame(app);
    let form = app.form().expect("a form");
    let v = form.fields[form.focus]
        .area
        .as_ref()
        .expect("a multi-line field")
        .view(1000);
    (v.caret.0 as u16, v.caret.1 as u16, rows)
}

#[test]
fn notes_take_enter_as_a_new_line_and_ctrl_s_saves_them() {
    for lang in [Lang::ZhCn, Lang::En] {
        let (_dir, store) = book(300, 7);
        let mut app = app(store, SPECIALIST, lang, Theme::colour(), (100, 30));
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Char('n'));
        press(&mut app, KeyCode::Tab);
        // The kind is cycled with the arrow keys, in the user's language.
        press(&mut app, KeyCode::Right);
        let kind = app.form().expect("form").fields[1].value();
        assert_eq!(kind, lang.code_name("contact", "call"));
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "贷后检查abc");
        let (row, col, _) = caret(&app);
        assert_eq!((row, col), (0, 11));
        press(&mut app, KeyCode::Enter);
        assert!(app.form().is_some(), "Enter in the notes does not save");
        type_text(&mut app, "第二行");
        let form = app.form().expect("form");
        assert_eq!(form.fields[2].value(), "贷后检查abc\n第二行");
        app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
            .expect("save");
        assert!(app.form().is_none(), "Ctrl-S saved");
        let contacts = &app.detail.as_ref().expect("the loan").contacts;
        assert!(
            contacts
                .rows
                .iter()
                .any(|c| c.notes.starts_with("贷后检查abc")),
            "{contacts:?}"
        );
    }
}

#[test]
fn the_drawn_caret_follows_wide_characters_and_wrapped_rows() {
    let (_dir, store) = book(300, 7);
    let mut app = app(store, SPECIALIST, Lang::ZhCn, Theme::colour(), (80, 24));
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "贷后检查abc");
    let (rows, (x, y)) = frame(&app);
    assert!(
        rows[y as usize].contains("贷后检查abc"),
        "{}",
        rows.join("\n")
    );
    let start = column_of(&app, y, "贷后检查abc");
    assert_eq!(
        x,
        start + 11,
        "the caret is after 4 wide and 3 narrow characters"
    );
    // Type on until the line wraps: the caret goes down onto the continuation row.
    type_text(&mut app, &"经营正常".repeat(9));
    let (rows, (x2, y2)) = frame(&app);
    assert_eq!(y2, y + 1, "{}", rows.join("\n"));
    // On the continuation row the caret is the width of that row's text from the field's start.
    let row_text = rows[y2 as usize].clone();
    let on_row: String = row_text
        .chars()
        .skip_while(|c| *c != '经' && *c != '营' && *c != '正' && *c != '常')
        .take_while(|c| !c.is_whitespace() && *c != '│')
        .collect();
    assert_eq!(
        x2 - start,
        unicode_width::UnicodeWidthStr::width(on_row.as_str()) as u16,
        "{row_text}"
    );
    // Backspace takes a wide character whole.
    press(&mut app, KeyCode::Backspace);
    let text = app.form().expect("form").fields[2].value();
    assert!(text.ends_with("经营正"), "{text}");
}

#[test]
fn a_drafts_file_of_a_newer_version_is_kept_and_drafts_go_to_the_side_file() {
    let (dir, store) = book(300, 7);
    let file = dir.path().join("state/drafts.json");
    std::fs::create_dir_all(file.parent().expect("dir")).expect("mkdir");
    let body = r#"{"version": 9, "drafts": [{"future": true}]}"#;
    std::fs::write(&file, body).expect("write");
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), (100, 30));
    // Taking the file says, once, that it is newer and where drafts go meanwhile.
    let said = app
        .use_drafts_file(file.clone())
        .expect_err("said at start");
    let said = postloan::tui::errors::error_text(&said, Lang::En);
    assert!(
        said.contains("newer version (9)") && said.contains("drafts.v2.json"),
        "{said}"
    );
    assert!(!said.contains("form"), "{said}");
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "要记下的");
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none(), "Esc closes the form, its draft kept");
    press(&mut app, KeyCode::Char('n'));
    let form = app.form().expect("form again");
    assert_eq!(form.fields[2].text(), "要记下的");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), body);
    assert!(dir.path().join("state/drafts.v2.json").exists());
}

#[test]
fn a_damaged_drafts_file_is_moved_aside_and_drafts_work_again() {
    let (dir, store) = book(300, 7);
    let file = dir.path().join("state/drafts.json");
    std::fs::create_dir_all(file.parent().expect("dir")).expect("mkdir");
    std::fs::write(&file, [0xffu8, 0xfe, 0x81, 0x00]).expect("write");
    let mut app = app(store, SPECIALIST, Lang::ZhCn, Theme::colour(), (100, 30));
    let said = app
        .use_drafts_file(file.clone())
        .expect_err("said at start");
    let said = postloan::tui::errors::error_text(&said, Lang::ZhCn);
    assert!(
        said.contains("drafts.json.bad-") && said.contains("UTF-8"),
        "{said}"
    );
    assert!(!said.contains("表单") && !said.contains("stream"), "{said}");
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "要记下的");
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none(), "the draft is saved in a fresh file");
    press(&mut app, KeyCode::Char('n'));
    let form = app.form().expect("form again");
    assert_eq!(form.fields[2].text(), "要记下的");
}

/// A choice field only ever holds one of its choices (issue #12 QA): on the feedback form
/// of pane 7, typed text that names no department is not taken, the first letters of one
/// select it, Space cycles, and the note goes to the department shown.
#[test]
fn the_feedback_department_takes_only_a_department() {
    let (_dir, store) = book(300, 7);
    let mut app = app(store, "wu.hao", Lang::En, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('7'));
    // The first document feedback can be written from (a case's or a report's).
    for _ in 0..40 {
        press(&mut app, KeyCode::Char('f'));
        if app.form().is_some() {
            break;
        }
        press(&mut app, KeyCode::Down);
    }
    let department = |app: &App| app.form().expect("the feedback form").fields[0].value();
    assert_eq!(department(&app), "Risk management department");
    type_text(&mut app, "xyz#9其他部门");
    assert_eq!(
        department(&app),
        "Risk management department",
        "nothing taken"
    );
    type_text(&mut app, "fi");
    assert_eq!(department(&app), "Finance department");
    press(&mut app, KeyCode::Backspace);
    assert_eq!(
        department(&app),
        "Finance department",
        "never cut into text"
    );
    type_text(&mut app, "授信");
    assert_eq!(
        department(&app),
        "Credit approval department",
        "a Chinese name selects"
    );
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(
        department(&app),
        "Risk management department",
        "Space cycles"
    );
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "请复核授信");
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
        .expect("save");
    assert!(app.form().is_none(), "saved");
    press(&mut app, KeyCode::Char('x'));
    let top = app.archive.list.selected().cloned().expect("the newest");
    assert_eq!(
        (top.kind.as_str(), top.recipient.as_deref()),
        ("feedback", Some("approval"))
    );
}

/// A choice field shows its whole value from its start, whichever way it was cycled to
/// (it never scrolls like typed text): every recipient, at 120x40 in English.
#[test]
fn a_choice_field_shows_its_whole_value_from_the_start() {
    let (_dir, store) = book(300, 7);
    let mut app = app(store, "wu.hao", Lang::En, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('7'));
    for _ in 0..40 {
        press(&mut app, KeyCode::Char('f'));
        if app.form().is_some() {
            break;
        }
        press(&mut app, KeyCode::Down);
    }
    let department = |app: &App| app.form().expect("the feedback form").fields[0].value();
    let label = Lang::En.t("archive_pane.feedback_to").to_string();
    let mut seen = Vec::new();
    for key in [KeyCode::Right, KeyCode::Left, KeyCode::Left, KeyCode::Left] {
        let value = department(&app);
        let (rows, _) = frame(&app);
        let row = rows
            .iter()
            .find(|r| r.contains(&format!(">{label}")))
            .unwrap_or_else(|| panic!("the field's row in {rows:#?}"));
        assert!(
            row.contains(&format!(" {value} ")),
            "{value:?} shown whole on {row:?}"
        );
        seen.push(value);
        press(&mut app, key);
    }
    seen.sort();
    seen.dedup();
    assert!(seen.len() >= 2, "the value changed: {seen:?}");
}
