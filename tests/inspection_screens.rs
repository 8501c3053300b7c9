//! The Inspections pane (4) and the start-inspection form, drawn by the real renderer over
//! the demo book: body snapshots with Chinese text at 80x24 and 120x40, and what its keys do.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::domain::inspection::{InspectionKind, InspectionStatus};
use postloan::i18n::Lang;
use postloan::tui::app::{App, PaneId};
use postloan::tui::theme::Theme;
use ratatui::buffer::Buffer;
use support::tui::{app, as_of, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

/// The officer of most demo loans (a specialist).
const SPECIALIST: &str = "wang.fang";

fn fixture(lang: Lang, size: (u16, u16)) -> (TempDir, App) {
    let (dir, store) = book(300, 7);
    let mut app = app(store, SPECIALIST, lang, Theme::colour(), size);
    press(&mut app, KeyCode::Char('4'));
    assert_eq!(app.pane, PaneId::Inspections);
    (dir, app)
}

fn press(app: &mut App, code: KeyCode) {
    press_mod(app, code, KeyModifiers::NONE);
}

fn press_mod(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers))
        .expect("key handled");
}

/// Rows `rows` as plain text; a wide character's second cell is skipped.
fn rows_text(buf: &Buffer, rows: std::ops::Range<u16>) -> String {
    let mut out = String::new();
    for y in rows {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            x += (sym.width() as u16).max(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The body: between the pane bar and the hint and status lines.
fn body_text(buf: &Buffer) -> String {
    rows_text(buf, 1..buf.area.height.saturating_sub(2))
}

fn screen_text(buf: &Buffer) -> String {
    rows_text(buf, 0..buf.area.height)
}

#[test]
fn the_pane_in_chinese_at_both_sizes() {
    for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
        let (_dir, app) = fixture(Lang::ZhCn, size);
        let buf = draw(&app);
        insta::assert_snapshot!(format!("inspections_pane_zh_{name}"), body_text(&buf));
    }
}

#[test]
fn the_default_view_is_by_due_date_overdue_first_and_marked() {
    let (_dir, app) = fixture(Lang::ZhCn, (120, 40));
    let list = &app.inspections.list;
    assert!(list.total > 0);
    let rows: Vec<_> = list.visible().map(|(_, r)| r.clone()).collect();
    assert!(
        rows.windows(2)
            .all(|w| (w[0].due_on, w[0].id) <= (w[1].due_on, w[1].id))
    );
    // Nothing approved in the default view.
    assert!(rows.iter().all(|r| r.status != InspectionStatus::Approved));
    // The first row is overdue (the demo book has overdue ones) and marked so, in red.
    let first = &rows[0];
    assert!(first.due_on < as_of(), "{first:?}");
    let buf = draw(&app);
    let y = 3; // pane bar, count line, header
    let line = rows_text(&buf, y..y + 1);
    assert!(line.starts_with('!'), "{line}");
    assert!(line.contains(&first.number), "{line}");
    // The footer names the pane's own keys.
    let screen = screen_text(&buf);
    assert!(screen.contains("M/K/T"), "{screen}");
}

#[test]
fn filter_keys_cycle_status_kind_and_mine() {
    let (_dir, mut app) = fixture(Lang::En, (120, 40));
    let all = app.inspections.list.total;
    // T: each status alone, starting with planned.
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(
        app.inspections.list.query.status,
        Some(InspectionStatus::Planned)
    );
    let planned = app.inspections.list.total;
    assert!(planned > 0 && planned < all);
    assert!(
        app.inspections
            .list
            .visible()
            .all(|(_, r)| r.status == InspectionStatus::Planned)
    );
    // K: the first kind.
    press(&mut app, KeyCode::Char('K'));
    assert_eq!(
        app.inspections.list.query.kind,
        Some(InspectionKind::ALL[0])
    );
    assert!(
        app.inspections
            .list
            .visible()
            .all(|(_, r)| r.kind == InspectionKind::ALL[0])
    );
    // M: mine only.
    press(&mut app, KeyCode::Char('M'));
    assert_eq!(app.inspections.list.query.mine.as_deref(), Some(SPECIALIST));
    assert!(
        app.inspections
            .list
            .visible()
            .all(|r| r.1.officer == SPECIALIST
                || r.1.author.as_deref() == Some(SPECIALIST)
                || r.1.reviewer.as_deref() == Some(SPECIALIST))
    );
    let text = screen_text(&draw(&app));
    assert!(text.contains("status planned"), "{text}");
    // x: back to the default view.
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.inspections.list.total, all);
    // The status cycle ends with everything (approved too), then back to the default.
    for _ in 0..6 {
        press(&mut app, KeyCode::Char('T'));
    }
    assert!(app.inspections.list.total > all);
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(app.inspections.list.total, all);
}

#[test]
fn moving_pages_through_the_store() {
    let (_dir, mut app) = fixture(Lang::En, (80, 24));
    let total = app.inspections.list.total;
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.inspections.list.cursor, total - 1);
    assert!(app.inspections.list.selected().is_some());
    // The window never holds the whole list.
    assert!((app.inspections.list.window.len() as u64) < total);
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.inspections.list.cursor, 0);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.inspections.list.cursor, 1);
}

#[test]
fn starting_the_selected_planned_inspection_makes_it_a_draft() {
    let (_dir, mut app) = fixture(Lang::ZhCn, (120, 40));
    press(&mut app, KeyCode::Char('T')); // planned only
    let row = app
        .inspections
        .list
        .selected()
        .cloned()
        .expect("a planned row");
    assert_eq!(row.status, InspectionStatus::Planned);
    press(&mut app, KeyCode::Char('n'));
    let form = app.form.as_ref().expect("the start form");
    assert_eq!(
        form.field("contract_no").map(|f| f.value()),
        Some(row.contract_no.clone())
    );
    let kind = postloan::i18n::Lang::ZhCn.code_name("inspection_kind", row.kind.code());
    assert_eq!(form.field("kind").map(|f| f.value()), Some(kind));
    insta::assert_snapshot!("inspection_start_form_zh_120x40", body_text(&draw(&app)));
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form.is_none(),
        "form closed: {:?}",
        app.form.as_ref().and_then(|f| f.message.clone())
    );
    let notice = app.notice.clone().expect("a notice");
    assert!(notice.text.contains(&row.number), "{notice:?}");
    let now = app
        .store
        .inspection(row.id)
        .expect("read")
        .expect("the inspection");
    assert_eq!(now.row.status, InspectionStatus::Draft);
    // The pane read it again: the row is no longer under "planned".
    assert!(app.inspections.list.visible().all(|(_, r)| r.id != row.id));
}

#[test]
fn a_refused_start_keeps_the_form_and_says_why() {
    let (_dir, mut app) = fixture(Lang::ZhCn, (120, 40));
    // A loan that already has an open (draft) inspection of its kind.
    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Char('T')); // drafts
    let row = app
        .inspections
        .list
        .selected()
        .cloned()
        .expect("a draft row");
    assert_eq!(row.status, InspectionStatus::Draft);
    press(&mut app, KeyCode::Char('n'));
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let form = app.form.as_ref().expect("the form stays open");
    let msg = form.message.clone().expect("why");
    assert!(msg.contains(&row.number), "{msg}");
    assert!(!msg.is_ascii(), "translated: {msg}");
}
