//! The classification pane (5), the loan's Classification tab and Today's "proposals to
//! decide", drawn by the real renderer over the demo book: body snapshots in Chinese and
//! English at 80x24 and 120x40, and what the keys do (approve, own proposal, bulk, reject).

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::domain::Classification;
use postloan::i18n::Lang;
use postloan::tui::app::{App, PaneId};
use postloan::tui::theme::Theme;
use ratatui::buffer::Buffer;
use support::tui::{app, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

/// A supervisor of the demo book: decides moves to 关注 and 次级.
const SUPERVISOR: &str = "wu.hao";
/// The demo's manager.
const MANAGER: &str = "zhao.lei";

fn fixture(user: &str, lang: Lang, size: (u16, u16)) -> (TempDir, App) {
    let (dir, store) = book(300, 7);
    let mut app = app(store, user, lang, Theme::colour(), size);
    press(&mut app, KeyCode::Char('5'));
    assert_eq!(app.pane, PaneId::Classification);
    (dir, app)
}

fn press(app: &mut App, code: KeyCode) {
    press_mod(app, code, KeyModifiers::NONE);
}

fn press_mod(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers))
        .expect("key handled");
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn save(app: &mut App) {
    press_mod(app, KeyCode::Char('s'), KeyModifiers::CONTROL);
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

/// The ids of the proposals the pane holds.
fn listed(app: &App) -> Vec<i64> {
    app.classification
        .list
        .window
        .iter()
        .map(|r| r.id)
        .collect()
}

fn class_of(app: &App, contract: &str) -> Classification {
    app.store
        .class_loan(contract)
        .expect("read")
        .expect("loan")
        .class
}

#[test]
fn the_pane_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, app) = fixture(SUPERVISOR, lang, size);
            let buf = draw(&app);
            insta::assert_snapshot!(format!("classification_pane_{tag}_{name}"), body_text(&buf));
        }
    }
}

#[test]
fn a_supervisor_sees_only_what_they_may_decide() {
    let (_dir, app) = fixture(SUPERVISOR, Lang::En, (120, 40));
    assert!(app.classification.list.total > 0, "the demo has proposals");
    for r in &app.classification.list.window {
        assert_eq!(r.status, "pending");
        assert_ne!(r.proposer, SUPERVISOR, "never one's own");
        assert!(r.proposed <= Classification::Substandard, "{r:?}");
        assert!(
            !r.current.is_non_performing() || r.proposed.is_non_performing(),
            "no upgrade out of NPL: {r:?}"
        );
    }
}

#[test]
fn approving_as_supervisor_moves_the_class_and_the_row_leaves_the_list() {
    let (_dir, mut app) = fixture(SUPERVISOR, Lang::En, (120, 40));
    let row = app
        .classification
        .list
        .selected()
        .cloned()
        .expect("a row to decide");
    assert_ne!(class_of(&app, &row.contract_no), row.proposed);
    press(&mut app, KeyCode::Char('A'));
    assert!(app.form().is_some(), "the approve form");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.form().is_none(),
        "saved: {:?}",
        app.form().map(|f| &f.message)
    );
    let notice = app.notice.clone().expect("said");
    assert!(!notice.error, "{}", notice.text);
    assert!(notice.text.contains(&row.contract_no), "{}", notice.text);
    assert_eq!(class_of(&app, &row.contract_no), row.proposed);
    assert!(!listed(&app).contains(&row.id), "the row left the list");
    // Its loan's tab now has the decision in its timeline.
    let buf = draw(&app);
    assert!(!screen_text(&buf).contains(&format!("\n >{} ", row.id)));
}

#[test]
fn the_timeline_tab_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, mut app) = fixture(SUPERVISOR, lang, size);
            let row = app.classification.list.selected().cloned().expect("a row");
            press(&mut app, KeyCode::Char('A'));
            press(&mut app, KeyCode::Enter);
            // Back on the decided loan: find it in the everyone/all-statuses view.
            press(&mut app, KeyCode::Char('T'));
            let at = app
                .classification
                .list
                .window
                .iter()
                .position(|r| r.id == row.id)
                .expect("listed among all statuses");
            for _ in 0..at {
                press(&mut app, KeyCode::Char('j'));
            }
            press(&mut app, KeyCode::Enter);
            let buf = draw(&app);
            let text = body_text(&buf);
            let front = app.detail.as_ref().expect("the loan in front");
            assert_eq!(front.loan.contract_no, row.contract_no);
            assert_eq!(front.timeline.total, 1, "the decision in its history");
            insta::assert_snapshot!(format!("classification_tab_{tag}_{name}"), text);
        }
    }
}

#[test]
fn approving_ones_own_proposal_is_refused_with_the_reason_on_screen() {
    let (_dir, mut app) = fixture(SUPERVISOR, Lang::En, (120, 40));
    let row = app.classification.list.selected().cloned().expect("a row");
    // Propose for another loan of the list (its contract typed over the prefilled one).
    press(&mut app, KeyCode::Char('n'));
    assert!(app.form().is_some(), "the propose form");
    press(&mut app, KeyCode::Tab);
    let target = if row.current == Classification::Pass {
        "special_mention"
    } else {
        "pass"
    };
    type_text(&mut app, target);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "weak cash flow");
    save(&mut app);
    assert!(
        app.form().is_none(),
        "proposed: {:?}",
        app.form().map(|f| &f.message)
    );
    // Its own proposals show under "my loans and proposals".
    press(&mut app, KeyCode::Char('M'));
    let mine = app
        .classification
        .list
        .window
        .iter()
        .position(|r| r.proposer == SUPERVISOR)
        .expect("own proposal listed");
    for _ in 0..mine {
        press(&mut app, KeyCode::Char('j'));
    }
    // Refused at the key, before any form opens, with the workflow's reason.
    press(&mut app, KeyCode::Char('A'));
    assert!(
        app.form().is_none(),
        "no approve form for one's own proposal"
    );
    let notice = app.notice.clone().expect("the refusal");
    assert!(
        notice.error && notice.text.contains("made themselves"),
        "{}",
        notice.text
    );
    let buf = draw(&app);
    assert!(screen_text(&buf).contains("made themselves"));
    // Rejecting it too.
    press(&mut app, KeyCode::Char('R'));
    assert!(
        app.form().is_none(),
        "no reject form for one's own proposal"
    );
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.error && n.text.contains("made themselves"))
    );
}

#[test]
fn a_bulk_approval_with_a_refusal_in_the_middle_approves_the_others_and_lists_it() {
    let (_dir, mut app) = fixture(SUPERVISOR, Lang::En, (120, 40));
    let rows: Vec<_> = app
        .classification
        .list
        .window
        .iter()
        .take(3)
        .cloned()
        .collect();
    assert_eq!(rows.len(), 3, "three proposals to mark");
    for _ in 0..3 {
        press(&mut app, KeyCode::Char(' '));
    }
    assert_eq!(app.classification.marks.len(), 3);
    // Meanwhile the manager rejects the middle one.
    let manager =
        postloan::workflow::identify(&app.store, "tester", Some(MANAGER)).expect("manager");
    postloan::workflow::classification::reject(
        &mut app.store,
        &manager,
        rows[1].id,
        None,
        "collateral re-appraised",
    )
    .expect("rejected");
    press(&mut app, KeyCode::Char('A'));
    assert!(app.form().is_some(), "the approve form for the marked ones");
    press(&mut app, KeyCode::Enter);
    assert!(app.form().is_none());
    let notice = app.notice.clone().expect("the results");
    assert!(notice.error, "a refusal is shown as one");
    assert!(
        notice.text.starts_with("2 approved, 1 refused"),
        "{}",
        notice.text
    );
    assert!(
        notice
            .text
            .contains(&format!("{}: proposal {}", rows[1].id, rows[1].id)),
        "{}",
        notice.text
    );
    assert_eq!(class_of(&app, &rows[0].contract_no), rows[0].proposed);
    assert_eq!(class_of(&app, &rows[2].contract_no), rows[2].proposed);
    assert!(app.classification.marks.is_empty());
}

#[test]
fn rejecting_needs_a_reason_said_in_place_and_the_text_is_kept() {
    let (_dir, mut app) = fixture(SUPERVISOR, Lang::En, (120, 40));
    let row = app.classification.list.selected().cloned().expect("a row");
    press(&mut app, KeyCode::Char('R'));
    save(&mut app);
    let form = app.form().expect("still open");
    assert!(
        form.fields.iter().any(|f| f.error.is_some()),
        "the field says it is required"
    );
    type_text(&mut app, "already repaid");
    let form = app.form().expect("still open");
    assert_eq!(
        form.values().get("reason").map(String::as_str),
        Some("already repaid")
    );
    save(&mut app);
    assert!(app.form().is_none());
    assert!(!listed(&app).contains(&row.id));
    assert_eq!(class_of(&app, &row.contract_no), row.current);
}

#[test]
fn today_shows_a_reviewer_the_proposals_to_decide_and_c_opens_them() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        let (dir, store) = book(300, 7);
        let mut app = app(store, SUPERVISOR, lang, Theme::colour(), (120, 40));
        let text = body_text(&draw(&app));
        let title = if lang == Lang::En {
            "Proposals to decide"
        } else {
            "待决定的分类建议"
        };
        assert!(text.contains(title), "{tag}: {text}");
        let n = app.today.props_count;
        assert!(n > 0);
        press(&mut app, KeyCode::Char('c'));
        assert_eq!(app.pane, PaneId::Classification);
        assert_eq!(app.classification.list.total, n, "the same proposals");
        assert!(app.classification.list.query.from_today);
        press(&mut app, KeyCode::Char('x'));
        assert!(!app.classification.list.query.from_today);
        drop(dir);
    }
    // A specialist decides nothing: no block.
    let (_dir, store) = book(300, 7);
    let app = app(store, "wang.fang", Lang::En, Theme::colour(), (120, 40));
    assert!(!body_text(&draw(&app)).contains("Proposals to decide"));
}

/// Opens the migration report over the pane with the form's default period.
fn show_migration(app: &mut App) {
    press(app, KeyCode::Char('m'));
    let form = app.form().expect("the period form");
    let values = form.values();
    // The default period: the year to date of the book's as-of date.
    assert_eq!(values.get("from").map(String::as_str), Some("2026-01-01"));
    assert_eq!(values.get("to").map(String::as_str), Some("2026-06-30"));
    save(app);
    assert!(
        app.form().is_none(),
        "shown: {:?}",
        app.form().map(|f| &f.message)
    );
    assert!(app.classification.migration.is_some());
}

#[test]
fn the_migration_report_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, mut app) = fixture(SUPERVISOR, lang, size);
            show_migration(&mut app);
            let text = body_text(&draw(&app));
            // Nothing falls off the right edge or the bottom: the NPL line is the last.
            let npl = if lang == Lang::En {
                "Non-performing ratio"
            } else {
                "不良贷款率"
            };
            assert!(text.contains(npl), "{tag} {name}: {text}");
            insta::assert_snapshot!(format!("migration_report_{tag}_{name}"), text);
        }
    }
}

#[test]
fn the_pane_shows_the_figures_of_report_migration_and_esc_returns_to_the_list() {
    use postloan::engine::migration_text::{pct_text, rates};
    let (_dir, mut app) = fixture(SUPERVISOR, Lang::En, (120, 40));
    let listed_before = listed(&app);
    show_migration(&mut app);
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let to = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    // What `postloan report migration --from 2026-01-01 --to 2026-06-30` reads and prints.
    let m = app.store.migration(from, to).expect("figures");
    assert_eq!(
        app.classification.migration.as_ref().map(|v| &v.figures),
        Some(&m)
    );
    let opened: u64 = m.count.iter().flatten().sum();
    assert!(opened > 0, "the demo has loans open on 1 January");
    let text = body_text(&draw(&app));
    for (key, rate) in rates(&m) {
        let name = if key == "normal" {
            "Normal (正常+关注)".to_string()
        } else {
            postloan::i18n::Lang::En.code_name("class", key)
        };
        assert!(
            text.contains(&format!("{name} {}", pct_text(rate))),
            "{key}: {text}"
        );
    }
    let pass_row = text
        .lines()
        .find(|l| l.trim_start().starts_with("Pass"))
        .expect("the Pass row by count");
    let cells: Vec<&str> = pass_row.split_whitespace().skip(1).collect();
    let expected: Vec<String> = m.count[0].iter().map(u64::to_string).collect();
    assert_eq!(cells, expected, "{pass_row}");
    // List keys do nothing under the report; Esc goes back to the list as it was.
    press(&mut app, KeyCode::Char('A'));
    assert!(app.form().is_none(), "no approve form over the report");
    press(&mut app, KeyCode::Esc);
    assert!(app.classification.migration.is_none());
    assert_eq!(listed(&app), listed_before);
    assert!(body_text(&draw(&app)).contains("proposals"));
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused_in_the_form() {
    for (lang, said) in [
        (Lang::En, "The period's start is after its end."),
        (Lang::ZhCn, "期间的起始日晚于截止日。"),
    ] {
        let (_dir, mut app) = fixture(SUPERVISOR, lang, (80, 24));
        press(&mut app, KeyCode::Char('m'));
        // The "to" field: cleared and set before the start.
        press(&mut app, KeyCode::Tab);
        for _ in 0..12 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "2025-12-31");
        save(&mut app);
        let form = app.form().expect("the form stays open");
        assert_eq!(form.message.as_deref(), Some(said));
        assert!(app.classification.migration.is_none());
    }
}

#[test]
fn the_report_paints_within_the_first_paint_budget() {
    use postloan::tui::wire::{WireBackend, WireOptions};
    for size in [(80u16, 24u16), (120, 40)] {
        let (_dir, mut app) = fixture(SUPERVISOR, Lang::ZhCn, size);
        let mut terminal = ratatui::Terminal::new(WireBackend::fixed(
            Vec::new(),
            size.0,
            size.1,
            WireOptions::default(),
        ))
        .expect("terminal");
        show_migration(&mut app);
        terminal
            .draw(|f| postloan::tui::render::render(&app, f))
            .expect("draw");
        let bytes = terminal.backend().writer().len();
        assert!(bytes > 0 && bytes <= 8 * 1024, "{size:?}: {bytes} B");
    }
}

#[test]
fn a_second_floor_proposal_is_refused_in_the_users_language_not_in_sqlite_words() {
    for (lang, said) in [
        // A person cannot choose basis floor at all (the nightly check's own): refused
        // before any second floor proposal could reach the store's unique index.
        (Lang::En, "the nightly check's own"),
        (Lang::ZhCn, "由每日分类核对专用"),
    ] {
        let (_dir, mut app) = fixture(SUPERVISOR, lang, (120, 40));
        let row = app
            .classification
            .list
            .window
            .iter()
            .find(|r| r.basis == "floor")
            .cloned()
            .expect("a floor proposal in the demo");
        let at = listed(&app)
            .iter()
            .position(|id| *id == row.id)
            .expect("listed");
        for _ in 0..at {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Char('n'));
        press(&mut app, KeyCode::Tab);
        let to = if row.proposed == Classification::Doubtful {
            "loss"
        } else {
            "doubtful"
        };
        type_text(&mut app, to);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "worse");
        press(&mut app, KeyCode::Tab);
        for _ in 0..12 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "floor");
        save(&mut app);
        let form = app.form().expect("the form stays open");
        let message = form.message.clone().expect("the refusal");
        assert!(message.contains(said), "{message}");
        assert!(!message.to_lowercase().contains("constraint"), "{message}");
    }
}
