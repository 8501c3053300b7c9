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

/// A specialist with reports in draft in the demo book.
const AUTHOR: &str = "zhang.wei";

fn fixture(lang: Lang, size: (u16, u16)) -> (TempDir, App) {
    fixture_as(SPECIALIST, lang, size)
}

fn fixture_as(user: &str, lang: Lang, size: (u16, u16)) -> (TempDir, App) {
    let (dir, store) = book(300, 7);
    let mut app = app(store, user, lang, Theme::colour(), size);
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
    let form = app.form().expect("the start form");
    assert_eq!(
        form.field("contract_no").map(|f| f.value()),
        Some(row.contract_no.clone())
    );
    let kind = postloan::i18n::Lang::ZhCn.code_name("inspection_kind", row.kind.code());
    assert_eq!(form.field("kind").map(|f| f.value()), Some(kind));
    insta::assert_snapshot!("inspection_start_form_zh_120x40", body_text(&draw(&app)));
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "form closed: {:?}",
        app.form().and_then(|f| f.message.clone())
    );
    let notice = app.notice.clone().expect("a notice");
    let now = app
        .store
        .inspection(row.id)
        .expect("read")
        .expect("the inspection");
    assert_eq!(now.row.status, InspectionStatus::Draft);
    // Numbered by the day it was started (the book's year), which the notice names.
    assert!(notice.text.contains(&now.row.number), "{notice:?}");
    assert!(now.row.number.starts_with("XJ2026-"), "{}", now.row.number);
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
    let form = app.form().expect("the form stays open");
    let msg = form.message.clone().expect("why");
    assert!(msg.contains(&row.number), "{msg}");
    assert!(!msg.is_ascii(), "translated: {msg}");
}

/// Opens the first of `user`'s inspections in `status` (they are its author) in the editor.
fn open_own(app: &mut App, status: InspectionStatus) -> postloan::store::InspectionRow {
    let user = app.actor.username.clone();
    let q = postloan::store::InspectionQuery {
        status: Some(status),
        ..Default::default()
    };
    let rows = app
        .store
        .inspection_page(&q, &postloan::store::PageFrom::Start, 1000)
        .expect("rows");
    let row = rows
        .into_iter()
        .find(|r| r.author.as_deref() == Some(user.as_str()))
        .expect("an own inspection in that state");
    // Through the pane: that status, mine, then down to the row and Enter.
    while app.inspections.list.query.status != Some(status) {
        press(app, KeyCode::Char('T'));
    }
    press(app, KeyCode::Char('M'));
    while app.inspections.list.selected().map(|r| r.id) != Some(row.id) {
        let before = app.inspections.list.cursor;
        press(app, KeyCode::Char('j'));
        assert_ne!(before, app.inspections.list.cursor, "row not reached");
    }
    press(app, KeyCode::Enter);
    assert!(app.detail.editor().is_some(), "the editor is in front");
    row
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        if c == '\n' {
            press(app, KeyCode::Enter);
        } else {
            press(app, KeyCode::Char(c));
        }
    }
}

const CHINESE: &str =
    "借款人经营正常，现场查看厂房设备运转良好。\n库存较上季度增加约两成，需关注回款。";

#[test]
fn the_editor_in_chinese_at_both_sizes() {
    for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
        let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, size);
        open_own(&mut app, InspectionStatus::Draft);
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Enter); // edit section 2
        type_text(&mut app, CHINESE);
        let buf = draw(&app);
        let body = body_text(&buf);
        // The facts panel shows from 120 columns on.
        assert_eq!(body.contains("贷款情况"), size.0 >= 120, "{body}");
        insta::assert_snapshot!(format!("inspection_editor_zh_{name}"), body);
    }
}

#[test]
fn ctrl_s_writes_the_section_through_the_workflow() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    let row = open_own(&mut app, InspectionStatus::Draft);
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    // Whatever section 2 held, replace it.
    for _ in 0..400 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, CHINESE);
    // A wide character deleted whole.
    press(&mut app, KeyCode::Backspace);
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let notice = app.notice.clone().expect("said");
    assert!(!notice.error, "{notice:?}");
    let i = app.store.inspection(row.id).expect("read").expect("there");
    let sections = app
        .store
        .inspection_sections(row.id, i.report_version)
        .expect("sections");
    let expected: String = CHINESE.chars().take(CHINESE.chars().count() - 1).collect();
    assert!(
        sections.iter().any(|(n, t)| *n == 2 && *t == expected),
        "{sections:?}"
    );
    assert!(i.row.version > row.version);
    // Still editing; nothing is pending now.
    let e = app.detail.editor().expect("editor");
    assert!(e.editing && e.draft_values().is_empty());
}

#[test]
fn refusals_go_to_the_status_line_translated_and_the_text_stays() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    open_own(&mut app, InspectionStatus::Draft);
    // Own report: approving it is refused.
    press(&mut app, KeyCode::Char('A'));
    let n = app.notice.clone().expect("refused");
    assert!(n.error && !n.text.is_ascii(), "{n:?}");
    // A stale version: another session writes first.
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "补充：");
    let e = app.detail.editor().expect("editor");
    let (number, version) = (e.number().to_string(), e.inspection.row.version);
    let other = app.actor.clone();
    postloan::workflow::inspection::write_section(
        &mut app.store,
        &other,
        &number,
        Some(version),
        postloan::domain::inspection::Section::Dealings,
        "另一会话写入",
    )
    .expect("the other write");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let n = app.notice.clone().expect("refused");
    assert!(n.error, "{n:?}");
    let e = app.detail.editor().expect("editor stays");
    assert!(e.area.text().ends_with("补充："), "text kept");
}

#[test]
fn a_returned_report_shows_the_comment_at_the_top() {
    let (_dir, mut app) = fixture(Lang::ZhCn, (120, 40));
    let user = app.actor.username.clone();
    let q = postloan::store::InspectionQuery {
        status: Some(InspectionStatus::Returned),
        ..Default::default()
    };
    let row = app
        .store
        .inspection_page(&q, &postloan::store::PageFrom::Start, 100)
        .expect("rows")
        .into_iter()
        .find(|r| r.author.as_deref() == Some(user.as_str()))
        .expect("a returned report of the user");
    let comment = app
        .store
        .inspection(row.id)
        .expect("read")
        .expect("there")
        .return_comment;
    assert!(!comment.is_empty());
    open_own(&mut app, InspectionStatus::Returned);
    let screen = screen_text(&draw(&app));
    let first = comment.lines().next().unwrap_or_default();
    let shown: String = first.chars().take(10).collect();
    assert!(
        screen.contains("退回意见") && screen.contains(&shown),
        "{screen}"
    );
}

#[test]
fn the_typed_section_is_kept_as_a_draft_and_offered_at_the_next_start() {
    let (dir, store) = book(300, 7);
    let drafts = dir.path().join("drafts.json");
    let db = store.path().to_path_buf();
    let mut first = app(store, AUTHOR, Lang::ZhCn, Theme::colour(), (120, 40));
    first.use_drafts_file(drafts.clone()).expect("drafts file");
    press(&mut first, KeyCode::Char('4'));
    let row = open_own(&mut first, InspectionStatus::Draft);
    press(&mut first, KeyCode::Char('j'));
    press(&mut first, KeyCode::Char('j'));
    press(&mut first, KeyCode::Enter);
    type_text(&mut first, CHINESE);
    // What the event loop does a few seconds after typing stops, and on SIGHUP/SIGTERM.
    first.save_draft().expect("draft kept");
    drop(first);

    let store = postloan::store::Store::open(&db).expect("book");
    let mut next = app(store, AUTHOR, Lang::ZhCn, Theme::colour(), (120, 40));
    next.use_drafts_file(drafts).expect("drafts file");
    let said = next.notice.clone().expect("a draft is said");
    assert!(said.text.contains(&row.number), "{said:?}");
    press(&mut next, KeyCode::Char('4'));
    open_own(&mut next, InspectionStatus::Draft);
    let e = next.detail.editor().expect("editor");
    let third = &e.texts[2];
    assert!(third.ends_with(CHINESE), "{third}");
    assert!(e.draft_values().contains_key("loan_use"));
}

#[test]
fn attaching_a_missing_file_names_it_and_stores_nothing() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    let row = open_own(&mut app, InspectionStatus::Draft);
    let before = app
        .store
        .inspection_evidence(row.id)
        .expect("evidence")
        .len();
    press(&mut app, KeyCode::Char('F'));
    assert!(app.form().is_some(), "the attach form");
    type_text(&mut app, "/no/such/现场照片.jpg");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let form = app.form().expect("the form stays open");
    let msg = form.message.clone().expect("why");
    assert!(msg.contains("/no/such/现场照片.jpg"), "{msg}");
    assert_eq!(
        app.store
            .inspection_evidence(row.id)
            .expect("evidence")
            .len(),
        before
    );
    // A real file is attached and listed; the editor counts it.
    press(&mut app, KeyCode::Esc);
    let file = _dir.path().join("现场照片.jpg");
    std::fs::write(&file, b"jpeg bytes").expect("write");
    press(&mut app, KeyCode::Char('F'));
    // The path typed before came back as the form's draft: clear it.
    for _ in 0.."/no/such/现场照片.jpg".chars().count() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, &file.display().to_string());
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().map(|f| f.message.clone())
    );
    assert_eq!(
        app.store
            .inspection_evidence(row.id)
            .expect("evidence")
            .len(),
        before + 1
    );
    assert_eq!(
        app.detail.editor().expect("editor").evidence.len(),
        before + 1
    );
}

#[test]
fn a_supervisor_returns_a_submitted_report_with_a_comment() {
    let (_dir, store) = book(300, 7);
    let q = postloan::store::InspectionQuery {
        status: Some(InspectionStatus::Submitted),
        ..Default::default()
    };
    let row = store
        .inspection_page(&q, &postloan::store::PageFrom::Start, 1)
        .expect("rows")
        .into_iter()
        .next()
        .expect("a submitted report");
    let mut app = app(store, "sun.tao", Lang::ZhCn, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('4'));
    while app.inspections.list.selected().map(|r| r.id) != Some(row.id) {
        let before = app.inspections.list.cursor;
        press(&mut app, KeyCode::Char('j'));
        assert_ne!(before, app.inspections.list.cursor, "row not reached");
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('R'));
    // An empty comment is not sent.
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_some(), "a comment is required");
    type_text(&mut app, "请补充押品估值依据");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().map(|f| f.message.clone())
    );
    let now = app.store.inspection(row.id).expect("read").expect("there");
    assert_eq!(now.row.status, InspectionStatus::Returned);
    assert_eq!(now.return_comment, "请补充押品估值依据");
    // The editor in front read it again: the comment is on top.
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("退回意见：请补充押品估值依据"), "{screen}");
}

#[test]
fn help_lists_the_pane_and_editor_keys() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::En, (120, 40));
    press(&mut app, KeyCode::Char('?'));
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("start an inspection"), "{screen}");
    assert!(screen.contains("cycle the inspection kind"), "{screen}");
    // Enter opens a row here; there is no sort.
    assert!(screen.contains("Enter"), "{screen}");
    assert!(!screen.contains("sort"), "{screen}");
    press(&mut app, KeyCode::Esc);
    open_own(&mut app, InspectionStatus::Draft);
    press(&mut app, KeyCode::Char('?'));
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("submit the report for review"), "{screen}");
    assert!(screen.contains("attach a file as evidence"), "{screen}");
}

#[test]
fn a_measure_and_a_proposed_class_from_the_editor() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    let row = open_own(&mut app, InspectionStatus::Draft);
    let rv = app
        .detail
        .editor()
        .expect("editor")
        .inspection
        .report_version;
    let before = app.store.inspection_measures(row.id, rv).expect("m").len();
    press(&mut app, KeyCode::Char('M'));
    assert!(app.form().is_some(), "the measure form");
    press(&mut app, KeyCode::Right); // the first measure: 补办手续
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "2026-13-01");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    // Refused beside the field, saying why, without the field's internal name.
    let beside = app
        .form()
        .and_then(|f| f.field("deadline"))
        .and_then(|f| f.error.clone())
        .expect("a bad deadline is refused");
    assert!(
        beside.contains("13 月") || beside.contains("13"),
        "{beside}"
    );
    assert!(!beside.contains("deadline"), "{beside}");
    // The text stays: put the month and day right.
    for _ in 0.."13-01".len() {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "08-31");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().map(|f| f.message.clone())
    );
    let measures = app.store.inspection_measures(row.id, rv).expect("m");
    assert_eq!(measures.len(), before + 1);
    let last = measures.last().expect("the new one");
    assert_eq!(
        last.deadline.map(|d| d.to_string()).as_deref(),
        Some("2026-08-31")
    );
    // The proposed class: 关注.
    press(&mut app, KeyCode::Char('C'));
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().map(|f| f.message.clone())
    );
    let i = app.store.inspection(row.id).expect("read").expect("there");
    assert_eq!(
        i.proposed_class,
        Some(postloan::domain::Classification::SpecialMention)
    );
}

/// Points typed into the checklist form, one field per shipped item (72.5 in all).
const POINTS: [&str; 8] = ["15", "11", "10", "11.5", "11", "4", "7", "3"];

/// Empties the focused field (a report may be scored already: an amendment copies points).
fn clear_field(app: &mut App) {
    for _ in 0..6 {
        press(app, KeyCode::Backspace);
    }
}

/// Opens the checklist form with `K` on an own draft and fills it: a bad value first, which
/// is refused in place keeping what was typed, then `POINTS`; Ctrl-S saves.
fn score_from_the_editor(app: &mut App) -> postloan::store::InspectionRow {
    let row = open_own(app, InspectionStatus::Draft);
    press(app, KeyCode::Char('K'));
    let form = app.form().expect("the checklist form");
    assert_eq!(form.fields.len(), 8);
    clear_field(app);
    type_text(app, "25");
    press_mod(app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let form = app.form().expect("the form stays open");
    assert_eq!(form.focus, 0);
    assert_eq!(form.fields[0].value(), "25", "what was typed stays");
    let why = form.fields[0].error.clone().expect("said in place");
    assert!(why.contains("20"), "{why}");
    for (i, p) in POINTS.iter().enumerate() {
        if i > 0 {
            press(app, KeyCode::Tab);
        }
        clear_field(app);
        type_text(app, p);
    }
    press_mod(app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "{:?}",
        app.form().map(|f| f.message.clone())
    );
    row
}

#[test]
fn the_checklist_is_scored_from_the_editor_and_shown_with_section_9() {
    for (lang, name, want) in [
        (Lang::ZhCn, "zh", "评分 72.5 / 100（警戒线 60）"),
        (Lang::En, "en", "score 72.5 / 100 (line 60)"),
    ] {
        let (_dir, mut app) = fixture_as(AUTHOR, lang, (120, 40));
        let row = score_from_the_editor(&mut app);
        let rv = app
            .detail
            .editor()
            .expect("editor")
            .inspection
            .report_version;
        assert_eq!(
            app.store
                .inspection_checklist(row.id, rv)
                .expect("points")
                .len(),
            8
        );
        // Section 9 shows the score beside its title.
        for _ in 0..8 {
            press(&mut app, KeyCode::Char('j'));
        }
        let body = body_text(&draw(&app));
        assert!(body.contains(want), "{body}");
        insta::assert_snapshot!(format!("inspection_editor_score_{name}_120x40"), body);
        // The form opens again with the points given.
        press(&mut app, KeyCode::Char('K'));
        let form = app.form().expect("form");
        assert_eq!(form.fields[3].value(), "11.5");
    }
}

#[test]
fn an_incomplete_checklist_says_so_and_keys_are_listed() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    open_own(&mut app, InspectionStatus::Draft);
    for _ in 0..8 {
        press(&mut app, KeyCode::Char('j'));
    }
    // Every field emptied: not scored.
    press(&mut app, KeyCode::Char('K'));
    for i in 0..8 {
        if i > 0 {
            press(&mut app, KeyCode::Tab);
        }
        clear_field(&mut app);
    }
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_none());
    assert!(body_text(&draw(&app)).contains("未评分"));
    press(&mut app, KeyCode::Char('K'));
    type_text(&mut app, "18");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_none());
    let body = body_text(&draw(&app));
    assert!(body.contains("不完整（已评 1/8 项）"), "{body}");
    let screen = screen_text(&draw(&app));
    assert!(screen.contains("K 评分"), "the footer: {screen}");
    press(&mut app, KeyCode::Char('?'));
    assert!(screen_text(&draw(&app)).contains("填写检查评分表"));
}

#[test]
fn the_checklist_form_keeps_a_draft_by_item() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    open_own(&mut app, InspectionStatus::Draft);
    press(&mut app, KeyCode::Char('K'));
    press(&mut app, KeyCode::Tab);
    clear_field(&mut app);
    type_text(&mut app, "12.5");
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none(), "Esc closes, keeping the draft");
    press(&mut app, KeyCode::Char('K'));
    let form = app.form().expect("the form again");
    assert_eq!(form.fields[1].name, "operations");
    assert_eq!(form.fields[1].value(), "12.5", "the draft came back");
}

/// A supervisor of the demo book (reviews reports, sees the team's inspections).
const SUPERVISOR: &str = "wu.hao";

#[test]
fn today_shows_the_inspections_block_for_a_specialist_and_a_supervisor() {
    for (user, who) in [(SPECIALIST, "specialist"), (SUPERVISOR, "supervisor")] {
        for (lang, code) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
            for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
                let (_dir, store) = book(300, 7);
                let app = app(store, user, lang, Theme::colour(), size);
                assert_eq!(app.pane, PaneId::Today);
                let buf = draw(&app);
                insta::assert_snapshot!(
                    format!("today_inspections_{who}_{code}_{name}"),
                    body_text(&buf)
                );
            }
        }
    }
}

#[test]
fn i_on_today_shows_the_inspections_pane_filtered_to_the_block() {
    let (_dir, store) = book(300, 7);
    let mut app = app(store, SPECIALIST, Lang::ZhCn, Theme::colour(), (120, 40));
    assert_eq!(app.pane, PaneId::Today);
    let counts = app.today.insp_counts;
    let total: u64 = counts.iter().sum();
    assert!(total > 0, "the demo specialist has inspections today");
    let block: Vec<String> = app
        .today
        .insp
        .iter()
        .map(|r| r.row.number.clone())
        .collect();
    press(&mut app, KeyCode::Char('i'));
    assert_eq!(app.pane, PaneId::Inspections);
    let list = &app.inspections.list;
    assert!(list.query.today_of.is_some());
    // Exactly what the block counts: its rows are there, and nobody else's.
    assert_eq!(list.total, total);
    let shown: Vec<_> = list.visible().map(|(_, r)| r.clone()).collect();
    for number in &block {
        assert!(shown.iter().any(|r| &r.number == number), "{number}");
    }
    assert!(
        shown
            .iter()
            .all(|r| r.officer == SPECIALIST || r.author.as_deref() == Some(SPECIALIST)),
        "{shown:?}"
    );
    // The header says a filter is on.
    let head = rows_text(&draw(&app), 1..2);
    assert!(head.contains("今日检查"), "{head}");
    // The pane's own filters still narrow it; x goes back to the default view.
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(
        app.inspections.list.query.status,
        Some(InspectionStatus::Planned)
    );
    assert!(app.inspections.list.query.today_of.is_some());
    assert!(app.inspections.list.total < total);
    press(&mut app, KeyCode::Char('x'));
    assert!(app.inspections.list.query.today_of.is_none());
    assert!(app.inspections.list.total > total);
    let head = rows_text(&draw(&app), 1..2);
    assert!(!head.contains("今日检查"), "{head}");
}

#[test]
fn today_reads_the_block_again_after_a_review_in_the_editor() {
    let (_dir, store) = book(300, 7);
    let mut app = app(store, "sun.tao", Lang::ZhCn, Theme::colour(), (120, 40));
    let to_review = app.today.insp_counts[postloan::store::TodayPart::ToReview as usize];
    assert!(to_review > 0, "the supervisor has reports to review");
    // Open a report waiting for him from the filtered pane, return it with a comment.
    press(&mut app, KeyCode::Char('i'));
    press(&mut app, KeyCode::Char('T'));
    while app.inspections.list.query.status != Some(InspectionStatus::Submitted) {
        press(&mut app, KeyCode::Char('T'));
    }
    let row = app.inspections.list.selected().cloned().expect("a report");
    assert_ne!(row.author.as_deref(), Some("sun.tao"), "never his own");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('R'));
    type_text(&mut app, "请补充现金流分析");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_none());
    let now = app.store.inspection(row.id).expect("read").expect("there");
    assert_eq!(now.row.status, InspectionStatus::Returned);
    // Back on Today, without a restart: one fewer to review.
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.pane, PaneId::Today);
    assert_eq!(
        app.today.insp_counts[postloan::store::TodayPart::ToReview as usize],
        to_review - 1
    );
    let body = body_text(&draw(&app));
    assert!(body.contains(&format!("待审 {}", to_review - 1)), "{body}");
}

#[test]
fn a_section_written_elsewhere_while_edited_here_is_not_overwritten_silently() {
    use postloan::domain::inspection::Section;
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::ZhCn, (120, 40));
    let row = open_own(&mut app, InspectionStatus::Draft);
    press(&mut app, KeyCode::Char('j'));
    let stored_before = app.detail.editor().expect("editor").stored[1].clone();
    press(&mut app, KeyCode::Enter); // edit section 2
    type_text(&mut app, "我的补充");
    // Another session (the CLI, another workbench) writes section 2, and section 3.
    let mut other = postloan::store::Store::open_existing(app.store.path()).expect("open");
    let actor = postloan::workflow::identify(&other, "tester", Some(AUTHOR)).expect("actor");
    for (section, text) in [
        (Section::ALL[1], "对方写的第二部分"),
        (Section::ALL[2], "对方写的第三部分"),
    ] {
        postloan::workflow::inspection::write_section(
            &mut other,
            &actor,
            &row.number,
            None,
            section,
            text,
        )
        .expect("the other write");
    }
    app.poll_changes().expect("the idle check reads the change");
    let e = app.detail.editor().expect("editor");
    // Section 3 had nothing pending here: it shows their text. Section 2 keeps ours.
    assert_eq!(e.texts[2], "对方写的第三部分");
    assert_eq!(e.area.text(), format!("{stored_before}我的补充"));
    // The first save is refused, naming who changed it; theirs stays in the book.
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let n = app.notice.clone().expect("refused");
    assert!(n.error && n.text.contains("Ctrl-S"), "{n:?}");
    let rv = app
        .store
        .inspection(row.id)
        .expect("read")
        .expect("there")
        .report_version;
    let in_book = |app: &App| {
        app.store
            .inspection_sections(row.id, rv)
            .expect("sections")
            .into_iter()
            .find(|(n, _)| *n == 2)
            .map(|(_, t)| t)
    };
    assert_eq!(in_book(&app).as_deref(), Some("对方写的第二部分"));
    // A second save, told, writes ours over theirs.
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(!app.notice.clone().expect("said").error);
    assert_eq!(in_book(&app), Some(format!("{stored_before}我的补充")));
}

#[test]
fn a_report_that_cannot_be_written_is_not_typed_into() {
    let (_dir, mut app) = fixture_as(AUTHOR, Lang::En, (120, 40));
    open_own(&mut app, InspectionStatus::Submitted);
    press(&mut app, KeyCode::Enter);
    let e = app.detail.editor().expect("editor");
    assert!(
        !e.editing,
        "Enter does not start editing a submitted report"
    );
    let n = app.notice.clone().expect("said why");
    assert!(n.error && n.text.contains("cannot be edited now"), "{n:?}");
    type_text(&mut app, "abc");
    assert!(
        app.detail
            .editor()
            .expect("editor")
            .draft_values()
            .is_empty()
    );
}
