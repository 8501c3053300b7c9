//! The workbench's keys in every view (#13): the `?` help of every view lists exactly the
//! keys that work there (each pane 1–8, the audit trail and its entry, the loan detail, the
//! warning detail, the risk case screen, the report editor, the document viewer); a key that
//! opens a form asks the workflow first, so whoever may not is told at the key.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::i18n::Lang;
use postloan::tui::app::App;
use postloan::tui::theme::Theme;
use support::tui::{app, evaluated_book};

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
        .expect("key handled");
}

/// What is wrong with the help of the view in front, named by `view`.
fn check(app: &mut App, view: &str, problems: &mut Vec<String>) {
    let p = app.help_probe().expect("probe");
    assert!(!p.tried.is_empty(), "{view}: keys were tried");
    for a in &p.listed {
        if !p.acts.contains(a) {
            problems.push(format!(
                "{view}: the help lists {a:?}, which does nothing here"
            ));
        }
    }
    for a in &p.acts {
        if !p.listed.contains(a) && !p.hidden.contains(a) {
            problems.push(format!(
                "{view}: {a:?} acts here but the help does not list it"
            ));
        }
    }
}

#[test]
fn every_views_help_lists_exactly_the_keys_that_work_there() {
    let (_dir, store) = evaluated_book(300, 7);
    let mut app = app(store, "zhao.lei", Lang::En, Theme::colour(), (120, 40));
    let mut problems = Vec::new();
    for (key, view) in [
        ('1', "Today"),
        ('2', "Ledger"),
        ('3', "Warnings"),
        ('4', "Inspections"),
        ('5', "Classification"),
        ('6', "Disposal"),
        ('7', "Archive"),
        ('8', "Summary"),
    ] {
        press(&mut app, KeyCode::Char(key));
        assert!(app.detail.front().is_none(), "{view} is the pane in view");
        check(&mut app, view, &mut problems);
        // The detail its Enter opens, where it opens one.
        press(&mut app, KeyCode::Char('g'));
        press(&mut app, KeyCode::Enter);
        if app.detail.front().is_some() && app.form().is_none() {
            check(&mut app, &format!("{view} → Enter"), &mut problems);
            press(&mut app, KeyCode::Esc);
        }
        while app.detail.front().is_some() || app.form().is_some() {
            press(&mut app, KeyCode::Esc);
        }
    }
    // The audit trail and one of its entries.
    press(&mut app, KeyCode::Char('A'));
    if app.detail.front().is_some() {
        check(&mut app, "audit trail", &mut problems);
        press(&mut app, KeyCode::Enter);
        check(&mut app, "audit entry", &mut problems);
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The first report of the demo book in `status`.
fn first_report(
    store: &postloan::store::Store,
    status: postloan::domain::inspection::InspectionStatus,
) -> postloan::store::InspectionRow {
    let q = postloan::store::InspectionQuery {
        status: Some(status),
        ..Default::default()
    };
    store
        .inspection_page(&q, &postloan::store::PageFrom::Start, 1)
        .expect("rows")
        .into_iter()
        .next()
        .expect("a report in that status")
}

/// The report editor's form keys ask the workflow's own rule (author, role, state) before the
/// form opens: the author of a submitted report may neither return it (their own) nor add a
/// measure, class, checklist or evidence to it (submitted); the reviewer gets the return form.
#[test]
fn the_editors_form_keys_refuse_before_any_form() {
    let (_dir, store) = evaluated_book(300, 7);
    let row = first_report(
        &store,
        postloan::domain::inspection::InspectionStatus::Submitted,
    );
    let author = row.author.clone().expect("an author");
    let open = |app: &mut App| {
        press(app, KeyCode::Char('4'));
        while app.inspections.list.selected().map(|r| r.id) != Some(row.id) {
            let before = app.inspections.list.cursor;
            press(app, KeyCode::Char('j'));
            assert_ne!(before, app.inspections.list.cursor, "row not reached");
        }
        press(app, KeyCode::Enter);
        assert!(app.detail.editor().is_some(), "the editor is in front");
    };
    let mut app = app(store, &author, Lang::En, Theme::colour(), (120, 40));
    open(&mut app);
    for key in ['R', 'M', 'C', 'K', 'F'] {
        app.notice = None;
        press(&mut app, KeyCode::Char(key));
        assert!(app.form().is_none(), "'{key}' opened no form");
        let notice = app.notice.clone().expect("refused on the status line");
        assert!(notice.error && !notice.text.is_empty(), "'{key}'");
    }
    // A supervisor reviews it: the return form opens.
    let store = std::mem::replace(&mut app.store, support::tui::book(1, 1).1);
    let mut app = support::tui::app(store, "sun.tao", Lang::En, Theme::colour(), (120, 40));
    open(&mut app);
    press(&mut app, KeyCode::Char('R'));
    assert!(app.form().is_some(), "the reviewer's return form");
}

/// A reviewer's return key on a report still in draft is refused at once, by the state the
/// return needs, before the comment form (the command asks the same).
#[test]
fn returning_a_draft_report_is_refused_at_the_key() {
    let (_dir, store) = evaluated_book(300, 7);
    let row = first_report(
        &store,
        postloan::domain::inspection::InspectionStatus::Draft,
    );
    let mut app = app(store, "sun.tao", Lang::ZhCn, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Char('T'));
    while app.inspections.list.selected().map(|r| r.id) != Some(row.id) {
        let before = app.inspections.list.cursor;
        press(&mut app, KeyCode::Char('j'));
        assert_ne!(before, app.inspections.list.cursor, "row not reached");
    }
    press(&mut app, KeyCode::Enter);
    assert!(app.detail.editor().is_some(), "the editor is in front");
    app.notice = None;
    press(&mut app, KeyCode::Char('R'));
    assert!(app.form().is_none(), "no return form on a draft");
    let notice = app.notice.clone().expect("refused on the status line");
    assert!(notice.error && notice.text.contains("草稿"), "{notice:?}");
}

/// Feedback from the archive asks first whose loans the document's source is: a specialist
/// on a colleague's document is told at the key, and no form opens.
#[test]
fn feedback_on_a_colleagues_document_is_refused_at_the_key() {
    let (_dir, store) = evaluated_book(300, 7);
    let mut app = app(store, "li.na", Lang::ZhCn, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('7'));
    let mut tried = 0;
    for _ in 0..app.archive.list.total.min(60) {
        let Some(row) = app.archive.list.selected().cloned() else {
            break;
        };
        let officer = row
            .contract_no
            .as_deref()
            .and_then(|c| app.store.loan_by_contract(c).expect("read"))
            .map(|l| l.officer);
        let source = matches!(
            row.kind.as_str(),
            "progress_report" | "rectification_notice" | "inspection_report"
        );
        if source && row.superseded_by.is_none() && officer.is_some_and(|o| o != "li.na") {
            app.notice = None;
            press(&mut app, KeyCode::Char('f'));
            assert!(app.form().is_none(), "no feedback form on {}", row.number);
            let notice = app.notice.clone().expect("refused on the status line");
            assert!(
                notice.error && notice.text.contains("li.na"),
                "{}",
                notice.text
            );
            tried += 1;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    assert!(tried > 0, "a colleague's document was found");
}
