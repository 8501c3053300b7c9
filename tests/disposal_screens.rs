//! The disposal pane (6), the risk case screen, the board's by-borrower view, Today's disposal
//! block and the loan's Disposal tab, drawn by the real renderer over the demo book: body
//! snapshots in Chinese and English at 80x24 and 120x40, and what the keys do through
//! `workflow::disposal` (forms, refusals in the user's language, a stale save refused).

mod support;

use chrono::{Days, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::config::Config;
use postloan::domain::disposal::{ActionKind, ActionMove, ActionStatus, PlanKind, PlanStatus};
use postloan::domain::warning::Level;
use postloan::i18n::Lang;
use postloan::store::{CaseFilter, PageFrom, Store};
use postloan::tui::app::{App, PaneId};
use postloan::tui::keymap::Keymap;
use postloan::tui::panes::disposal::DisposalList;
use postloan::tui::panes::loan_detail::DetailTab;
use postloan::tui::theme::Theme;
use postloan::workflow::disposal::{self as flow, AddAction, DisposalSettings, NewPlan, Progress};
use postloan::workflow::identify;
use ratatui::buffer::Buffer;
use support::tui::{as_of, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

const SUPERVISOR: &str = "wu.hao";
const MANAGER: &str = "zhao.lei";

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

fn body_text(buf: &Buffer) -> String {
    rows_text(buf, 1..buf.area.height.saturating_sub(2))
}

fn screen_text(buf: &Buffer) -> String {
    rows_text(buf, 0..buf.area.height)
}

/// The workbench as `user` on `today`.
fn app_on(store: Store, user: &str, lang: Lang, size: (u16, u16), today: NaiveDate) -> App {
    let actor = identify(&store, "tester", Some(user)).expect("demo user");
    App::new(
        store,
        actor,
        lang,
        Theme::colour(),
        Keymap::load(None).0,
        Config::defaults(),
        today,
        size,
    )
    .expect("app")
}

/// The first orange case of the demo book and its officer.
fn orange_case(store: &Store) -> (String, String) {
    let filter = CaseFilter {
        level: Some(Level::Orange),
        ..CaseFilter::default()
    };
    let row = store
        .cases_page(&filter, &PageFrom::Start, 1)
        .expect("read")
        .into_iter()
        .next()
        .expect("the demo has an orange case");
    (row.number, row.officer)
}

/// Action `id`'s status as the book has it.
fn status_of(store: &Store, number: &str, id: i64) -> ActionStatus {
    store
        .case_detail(number)
        .expect("read")
        .expect("case")
        .actions
        .into_iter()
        .find(|a| a.id == id)
        .expect("action")
        .status
}

fn day(n: u64) -> NaiveDate {
    as_of().checked_add_days(Days::new(n)).expect("date")
}

/// The demo book with one orange case worked: a rectification plan (submitted when
/// `submitted`), two actions (one on a loan), a progress report. Returns the case number,
/// its officer and the ids of the actions.
fn worked_book(submitted: bool) -> (TempDir, Store, String, String, Vec<i64>) {
    let (dir, mut store) = book(300, 7);
    let (number, officer) = orange_case(&store);
    let who = identify(&store, "tester", Some(&officer)).expect("officer");
    let settings = DisposalSettings::default();
    let plan = flow::plan(
        &mut store,
        &who,
        &NewPlan {
            case: &number,
            kind: PlanKind::Rectification,
            summary: "压降应收账款，补充抵押物",
            due: Some(day(60)),
            expected_version: None,
        },
        &settings,
        as_of(),
    )
    .expect("plan");
    let contract = store
        .case_detail(&number)
        .expect("read")
        .expect("case")
        .loans
        .first()
        .map(|l| l.contract_no.clone());
    let mut ids = Vec::new();
    for (kind, title, deadline, contract) in [
        (
            ActionKind::RectificationMeasure,
            "催收应收账款 500 万元",
            day(20),
            contract.as_deref(),
        ),
        (
            ActionKind::AdditionalCollateral,
            "追加厂房抵押\u{1b}[2J",
            day(40),
            None,
        ),
    ] {
        ids.push(
            flow::add_action(
                &mut store,
                &who,
                &AddAction {
                    case: &number,
                    kind,
                    title,
                    owner: &officer,
                    deadline,
                    contract,
                    plan: Some(plan),
                },
                as_of(),
            )
            .expect("action"),
        );
    }
    flow::progress(
        &mut store,
        &who,
        &number,
        &Progress {
            signal_now: "资产负债率仍高于 70%",
            effect: "已回收部分应收账款",
            problems: "下游客户付款慢",
            next_steps: "督促落实抵押登记",
        },
        as_of(),
        postloan::i18n::Lang::ZhCn,
    )
    .expect("progress");
    if submitted {
        flow::submit(&mut store, &who, &number, Some(plan), None, as_of()).expect("submit");
    }
    (dir, store, number, officer, ids)
}

/// Opens case `number` from the disposal pane: the orange cases, then down to it.
fn open_case(app: &mut App, number: &str) {
    press(app, KeyCode::Char('6'));
    assert_eq!(app.pane, PaneId::Disposal);
    press(app, KeyCode::Char('L'));
    press(app, KeyCode::Char('L'));
    assert_eq!(app.disposal.cases.query.level, Some(Level::Orange));
    for _ in 0..app.disposal.cases.total {
        if app.disposal.cases.selected().map(|r| r.number.as_str()) == Some(number) {
            break;
        }
        press(app, KeyCode::Char('j'));
    }
    press(app, KeyCode::Enter);
    let shown = app.detail.case().map(|c| c.number.clone());
    assert_eq!(shown.as_deref(), Some(number), "the case is in front");
}

#[test]
fn the_pane_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, store) = book(300, 7);
            let mut app = app_on(store, SUPERVISOR, lang, size, as_of());
            press(&mut app, KeyCode::Char('6'));
            let buf = draw(&app);
            insta::assert_snapshot!(format!("disposal_pane_{tag}_{name}"), body_text(&buf));
        }
    }
}

#[test]
fn cases_come_by_level_then_next_deadline() {
    let (_dir, store, number, _, _) = worked_book(false);
    let mut app = app_on(store, SUPERVISOR, Lang::En, (120, 40), as_of());
    press(&mut app, KeyCode::Char('6'));
    let rows = &app.disposal.cases.window;
    assert!(!rows.is_empty());
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.level.board_order() <= b.level.board_order(),
            "{a:?} {b:?}"
        );
        if a.level == b.level {
            match (a.next_deadline, b.next_deadline) {
                (Some(x), Some(y)) => assert!(x <= y),
                (None, Some(_)) => panic!("a case without deadline before one with"),
                _ => {}
            }
        }
    }
    // The worked case is the first orange one: it alone has a deadline.
    let first_orange = rows
        .iter()
        .find(|r| r.level == Level::Orange)
        .expect("orange");
    assert_eq!(first_orange.number, number);
    assert_eq!(first_orange.next_deadline, Some(day(20)));
}

#[test]
fn the_actions_list_filters_and_says_which() {
    let (_dir, store, number, officer, ids) = worked_book(false);
    // Every demo book also holds the case study's three open emergency actions (another
    // owner's, on a red case); the worked case's two are the officer's.
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    press(&mut app, KeyCode::Char('6'));
    press(&mut app, KeyCode::Char('v'));
    assert_eq!(app.disposal.shown, DisposalList::Actions);
    assert_eq!(app.disposal.actions.total, 5);
    assert!(screen_text(&draw(&app)).contains("Open actions 5"));
    // The header is the actions': no case level counts over them (the cases view has them).
    let head = rows_text(&draw(&app), 1..2);
    assert!(
        !head.contains("Yellow") && !head.contains("Orange"),
        "{head}"
    );
    // Mine: the officer's two, by deadline.
    press(&mut app, KeyCode::Char('M'));
    assert_eq!(app.disposal.actions.total, 2);
    assert_eq!(app.disposal.actions.window[0].id, ids[0], "by deadline");
    let text = screen_text(&draw(&app));
    assert!(text.contains("mine  (x clears)"), "{text}");
    assert!(text.contains(&number));
    assert!(!text.contains('\u{1b}'), "control characters stripped");
    // Status: planned only, then in progress (none).
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(app.disposal.actions.total, 2);
    press(&mut app, KeyCode::Char('T'));
    assert_eq!(app.disposal.actions.total, 0);
    let text = screen_text(&draw(&app));
    assert!(text.contains("status In progress"));
    // The header names the status shown, not "Open actions".
    assert!(
        text.contains("Actions (In progress) 0") && !text.contains("Open actions"),
        "{text}"
    );
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.disposal.actions.query, Default::default());
    assert_eq!(app.disposal.actions.total, 5);
    // Owner of the selected row (mine first, so the row is the officer's); level red leaves
    // nothing of theirs (the case is orange).
    press(&mut app, KeyCode::Char('M'));
    press(&mut app, KeyCode::Char('O'));
    assert_eq!(
        app.disposal.actions.query.owner.as_deref(),
        Some(officer.as_str())
    );
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(app.disposal.actions.total, 0);
    assert!(screen_text(&draw(&app)).contains("level Red"));
    // Enter opens the action's case.
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Char('M'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.detail.case().map(|c| c.number.clone()), Some(number));
}

#[test]
fn the_case_screen_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, store, number, officer, _) = worked_book(false);
            let mut app = app_on(store, &officer, lang, size, as_of());
            open_case(&mut app, &number);
            let buf = draw(&app);
            let text = screen_text(&buf);
            assert!(!text.contains('\u{1b}'));
            insta::assert_snapshot!(format!("case_screen_{tag}_{name}"), body_text(&buf));
        }
    }
}

/// On a small terminal the case screen pages past its actions to the outcomes and the
/// history (paging frees the view from the selected action; Up/Down brings it back).
#[test]
fn every_block_of_the_case_screen_is_reached_by_paging_at_80x24() {
    let (_dir, store, number, officer, _) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::En, (80, 24), as_of());
    open_case(&mut app, &number);
    assert!(
        !screen_text(&draw(&app)).contains("History"),
        "starts at the top"
    );
    let mut seen = false;
    for _ in 0..12 {
        press(&mut app, KeyCode::PageDown);
        if screen_text(&draw(&app)).contains("History") {
            seen = true;
            break;
        }
    }
    assert!(seen, "PageDown reaches the history");
    let paged = screen_text(&draw(&app));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char('j'));
    let back = screen_text(&draw(&app));
    assert_ne!(
        back, paged,
        "moving the selection brings the view back to it"
    );
    let selected = app
        .detail
        .case()
        .and_then(|c| c.detail.actions.get(c.sel))
        .map(|a| format!(">#{}", a.id))
        .expect("a selected action");
    assert!(back.contains(&selected), "{selected} in {back}");
}

/// The case screen's `?` help lists every key the screen looks up (its own section and the
/// global keys, from the keymap in force) and, at 80x24 where it does not fit, scrolls with
/// the list's movement keys to its end; any other key closes it and goes no further.
#[test]
fn the_case_screens_help_lists_every_key_and_scrolls_at_80x24() {
    use postloan::tui::keymap::Section;
    let (_dir, store, number, officer, _) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::En, (80, 24), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('?'));
    assert!(app.help_open());
    let first = screen_text(&draw(&app));
    assert!(first.contains("Lines 1-"), "says it scrolls: {first}");
    let mut seen = first.clone();
    let mut last = first;
    for _ in 0..40 {
        press(&mut app, KeyCode::Char('j'));
        assert!(app.help_open(), "j scrolls, it does not close");
        let now = screen_text(&draw(&app));
        if now == last {
            break;
        }
        seen.push_str(&now);
        last = now;
    }
    assert!(last.contains("any other key closes"), "{last}");
    // Every action of the screen's sections, with its keys, was on the screen at some point.
    let sections = [Section::Case, Section::Global];
    let mut listed = 0;
    for (section, action, keys) in &app.keymap.listing {
        if !sections.contains(section) || keys.is_empty() {
            continue;
        }
        let labels: Vec<String> = keys.iter().map(|k| k.label()).collect();
        let keys = labels.join(" ");
        let description = action.description(Lang::En);
        let start: String = description.chars().take(8).collect();
        let entry = if keys.len() > 14 {
            keys.clone()
        } else {
            format!("{keys:<14} {start}")
        };
        // A key the case section binds first is listed there only (Global's is unreachable).
        if *section == Section::Global
            && app.keymap.listing.iter().any(|(s, _, k)| {
                *s == Section::Case && k.iter().any(|x| labels.contains(&x.label()))
            })
        {
            continue;
        }
        assert!(
            seen.contains(&entry),
            "{section:?} {action:?}: '{entry}' in {seen}"
        );
        listed += 1;
    }
    assert!(listed > 25, "{listed}");
    assert!(
        seen.contains(&format!("{:<14} close the case", "C")),
        "{seen}"
    );
    // Back to the top, then a key that is no movement closes it and does nothing else.
    press(&mut app, KeyCode::Char('g'));
    assert!(app.help_open(), "g goes to the top");
    assert!(screen_text(&draw(&app)).contains("Lines 1-"));
    press(&mut app, KeyCode::Char('x'));
    assert!(!app.help_open());
    assert!(app.form().is_none(), "x closed the help and opened no form");
}

/// A key that opens a form asks first whether the user may: a specialist whose case it is
/// not, or an auditor, is refused on the status line at once, with the reason, and no form
/// opens; the case's officer gets the form.
#[test]
fn a_form_key_refuses_at_once_whom_the_command_would_refuse() {
    let (_dir, store, number, officer, _) = worked_book(false);
    let d = store.case_detail(&number).expect("read").expect("case");
    let stranger = [
        "wang.fang",
        "li.na",
        "zhang.wei",
        "liu.yang",
        "chen.jing",
        "yang.min",
        "huang.qiang",
        "zhou.jie",
    ]
    .into_iter()
    .find(|u| {
        *u != officer
            && d.loans.iter().all(|l| l.officer != *u)
            && d.actions.iter().all(|a| a.owner != *u)
    })
    .expect("a specialist with nothing in the case");
    let mut app = app_on(store, stranger, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    for key in ['d', 'f', 'm', 'x', 'p', 'a', 'n', 'e', 'c', 'C'] {
        press(&mut app, KeyCode::Char(key));
        assert!(app.form().is_none(), "'{key}' opened no form");
        let text = screen_text(&draw(&app));
        // A demand ('c') is the loan's, as the save judges it; the rest the case's.
        let whose = if key == 'c' {
            format!("the loan is {officer}'s")
        } else {
            format!("case {number} belongs to '{officer}'")
        };
        assert!(text.contains(&whose), "'{key}' says whose it is: {text}");
        press(&mut app, KeyCode::Char('j'));
    }
    // An auditor may not work cases at all: refused by role, before any form.
    let (_dir2, store, number, officer, _) = worked_book(false);
    let mut app = app_on(store, "hu.yan", Lang::ZhCn, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('d'));
    assert!(app.form().is_none());
    assert!(screen_text(&draw(&app)).contains("hu.yan"));
    // Nor decide, fail or submit a plan: told their role, not some plan's state.
    for key in ['A', 'R', 'F', 'S'] {
        app.notice = None;
        press(&mut app, KeyCode::Char(key));
        assert!(app.form().is_none(), "'{key}' opened no form");
        let said = app.notice.clone().map(|n| n.text).unwrap_or_default();
        assert!(said.contains("hu.yan"), "'{key}' names the user: {said}");
        assert!(
            !said.contains("方案 #"),
            "'{key}' is about the user, not a plan: {said}"
        );
    }
    // The officer gets the form.
    let (_dir3, store, number, _, _) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('d'));
    assert!(
        app.form().is_some(),
        "the officer's 'd' opens the outcome form"
    );
}

#[test]
fn progress_is_written_under_four_headings() {
    let (_dir, store, number, officer, _) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('p'));
    assert!(app.form().is_some(), "the progress form");
    assert_eq!(app.form().map(|f| f.fields.len()), Some(4));
    for text in ["still red", "measures half done", "slow payers"] {
        type_text(&mut app, text);
        press(&mut app, KeyCode::Tab);
    }
    // Saving with a heading empty says why in place and keeps the text.
    save(&mut app);
    assert!(app.form().is_some(), "kept open");
    assert_eq!(app.form().map(|f| f.focus), Some(3), "on the empty heading");
    type_text(&mut app, "visit again");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    let detail = app.store.case_detail(&number).expect("read").expect("case");
    assert_eq!(detail.progress.len(), 2);
    let p = detail.progress.last().expect("report");
    assert_eq!(
        (p.signal_now.as_str(), p.next_steps.as_str()),
        ("still red", "visit again")
    );
    assert!(screen_text(&draw(&app)).contains("Progress reports (2)"));
}

#[test]
fn an_action_is_started_then_done_and_a_stale_save_is_refused() {
    let (_dir, store, number, officer, ids) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    // Start the selected (first) action.
    press(&mut app, KeyCode::Char('b'));
    let notice = app.notice.clone().expect("said");
    assert!(!notice.error, "{}", notice.text);
    assert_eq!(
        status_of(&app.store, &number, ids[0]),
        ActionStatus::InProgress
    );
    // Someone else marks it failed meanwhile (the screen still shows the old version).
    let other = identify(&app.store, "tester", Some(SUPERVISOR)).expect("supervisor");
    let before = app.detail.case().and_then(|c| c.selected_action().cloned());
    flow::move_action(
        &mut app.store,
        &other,
        ids[0],
        ActionMove::Fail,
        "borrower refused",
        None,
        as_of(),
    )
    .expect("other user's move");
    assert_eq!(
        app.detail.case().and_then(|c| c.selected_action().cloned()),
        before,
        "the screen shows what it read"
    );
    press(&mut app, KeyCode::Char('d'));
    type_text(&mut app, "collected");
    save(&mut app);
    let msg = app
        .form()
        .and_then(|f| f.message.clone())
        .expect("refused in the form");
    assert!(msg.contains(SUPERVISOR), "names who changed it: {msg}");
    press(&mut app, KeyCode::Esc);
    // Opened again, the case shows the second action open (ended ones sort last); it can be
    // marked done.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    for _ in 0..2 {
        let sel = app
            .detail
            .case()
            .and_then(|c| c.selected_action())
            .map(|a| a.id);
        if sel == Some(ids[1]) {
            break;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    press(&mut app, KeyCode::Char('d'));
    type_text(&mut app, "mortgage registered");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    assert_eq!(status_of(&app.store, &number, ids[1]), ActionStatus::Done);
}

#[test]
fn a_failed_action_needs_an_outcome() {
    let (_dir, store, number, officer, ids) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::ZhCn, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('f'));
    save(&mut app);
    assert!(app.form().is_some(), "an empty outcome is refused in place");
    type_text(&mut app, "借款人拒绝");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    assert_eq!(status_of(&app.store, &number, ids[0]), ActionStatus::Failed);
}

#[test]
fn a_specialist_may_not_approve_and_hears_why_in_their_language() {
    let (_dir, store, number, officer, _) = worked_book(true);
    let mut app = app_on(store, &officer, Lang::ZhCn, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('A'));
    assert!(app.form().is_none(), "refused before any form");
    let notice = app.notice.clone().expect("said");
    assert!(notice.error);
    assert!(!notice.text.is_empty());
    assert!(
        !notice.text.contains("approve_rectification") && !notice.text.contains("SQL"),
        "said in words: {}",
        notice.text
    );
    assert!(
        notice
            .text
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{}",
        notice.text
    );
}

#[test]
fn a_supervisor_approves_the_rectification_and_its_notice_is_issued() {
    let (_dir, store, number, _, _) = worked_book(true);
    let mut app = app_on(store, SUPERVISOR, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('A'));
    assert!(app.form().is_some(), "the approve form");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    let notice = app.notice.clone().expect("said");
    assert!(!notice.error, "{}", notice.text);
    assert!(notice.text.contains("ZGTZ"), "{}", notice.text);
    let detail = app.store.case_detail(&number).expect("read").expect("case");
    assert_eq!(detail.plans[0].status, PlanStatus::Approved);
    // The progress report (a document of its own) and the rectification notice.
    let kinds: Vec<&str> = detail.documents.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(kinds, ["progress_report", "rectification_notice"]);
    assert!(screen_text(&draw(&app)).contains("Documents (2)"));
}

#[test]
fn a_plan_is_made_and_submitted_with_keys() {
    let (_dir, store) = book(300, 7);
    let (number, officer) = orange_case(&store);
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('S'));
    assert!(app.notice.as_ref().is_some_and(|n| n.error), "no draft yet");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.form().is_some(), "the plan form");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "reduce receivables");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    // A bare plan is refused, saying what to do.
    press(&mut app, KeyCode::Char('S'));
    let notice = app.notice.clone().expect("said");
    assert!(
        notice.error && notice.text.contains("add at least one measure"),
        "{}",
        notice.text
    );
    let who = identify(&app.store, "tester", Some(&officer)).expect("officer");
    flow::add_action(
        &mut app.store,
        &who,
        &AddAction {
            case: &number,
            kind: ActionKind::RectificationMeasure,
            title: "reduce receivables by half",
            owner: &officer,
            deadline: day(60),
            contract: None,
            plan: None,
        },
        as_of(),
    )
    .expect("a measure");
    press(&mut app, KeyCode::Char('S'));
    let notice = app.notice.clone().expect("said");
    assert!(!notice.error, "{}", notice.text);
    let detail = app.store.case_detail(&number).expect("read").expect("case");
    assert_eq!(detail.plans.len(), 1);
    assert_eq!(detail.plans[0].kind, PlanKind::Rectification);
    assert_eq!(detail.plans[0].status, PlanStatus::Submitted);
}

#[test]
fn today_lists_overdue_actions_and_jumps_to_them() {
    let (_dir, store, number, officer, ids) = worked_book(false);
    // Thirty days on, the first action (deadline day 20) is ten days late.
    let mut app = app_on(store, &officer, Lang::En, (120, 40), day(30));
    assert_eq!(app.today.overdue_count, 1);
    let text = screen_text(&draw(&app));
    // One action: the singular (issue #11).
    assert!(
        text.contains("1 overdue action") && !text.contains("1 overdue actions"),
        "{text}"
    );
    assert!(text.contains(&format!("#{} {number}", ids[0])), "{text}");
    assert!(text.contains("10 days late"), "{text}");
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.pane, PaneId::Disposal);
    assert_eq!(app.disposal.shown, DisposalList::Actions);
    assert_eq!(app.disposal.actions.total, 1);
    let text = screen_text(&draw(&app));
    assert!(
        text.contains("mine | overdue"),
        "the middle dot is drawn plain: {text}"
    );
}

#[test]
fn today_says_nothing_of_disposal_when_nothing_is_due() {
    let (_dir, store, _, officer, _) = worked_book(false);
    let app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    assert_eq!(app.today.disp_block_height(), 0);
    assert!(!screen_text(&draw(&app)).contains("overdue actions"));
}

#[test]
fn a_manager_sees_cases_needing_an_emergency_plan() {
    let (_dir, mut store, number, officer, _) = worked_book(true);
    let sup = identify(&store, "tester", Some(SUPERVISOR)).expect("supervisor");
    flow::decide(
        &mut store,
        &sup,
        &number,
        None,
        flow::Decision::Approve,
        "",
        None,
        as_of(),
        Lang::En,
    )
    .expect("approve");
    flow::fail_plan(&mut store, &sup, &number, None, "not done", as_of(), None).expect("fail");
    let _ = officer;
    let mut app = app_on(store, MANAGER, Lang::En, (120, 40), as_of());
    assert!(app.today.emergency_count >= 1);
    let text = screen_text(&draw(&app));
    let verb = if app.today.emergency_count == 1 {
        "case needs an emergency plan"
    } else {
        "cases need an emergency plan"
    };
    assert!(text.contains(verb), "{text}");
    assert!(text.contains(&number), "{text}");
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(app.pane, PaneId::Disposal);
    assert_eq!(app.disposal.cases.query.level, Some(Level::Red));
}

#[test]
fn the_by_borrower_view_in_both_languages_at_both_sizes() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        for (size, name) in [((80, 24), "80x24"), ((120, 40), "120x40")] {
            let (_dir, store) = book(300, 7);
            let mut app = app_on(store, SUPERVISOR, lang, size, as_of());
            press(&mut app, KeyCode::Char('3'));
            press(&mut app, KeyCode::Char('b'));
            assert!(app.board.by_case);
            let buf = draw(&app);
            insta::assert_snapshot!(format!("by_borrower_{tag}_{name}"), body_text(&buf));
        }
    }
}

#[test]
fn the_by_borrower_view_has_one_row_per_case_and_opens_it() {
    let (_dir, store) = book(300, 7);
    let mut app = app_on(store, SUPERVISOR, Lang::En, (120, 40), as_of());
    press(&mut app, KeyCode::Char('3'));
    let signals = app.board.list.total;
    press(&mut app, KeyCode::Char('b'));
    let cases = app.board.cases.total;
    assert!(
        cases > 0 && cases < signals,
        "{cases} cases for {signals} signals"
    );
    press(&mut app, KeyCode::Char('L'));
    assert!(app.board.cases.window.iter().all(|r| r.level == Level::Red));
    let first = app.board.cases.selected().cloned().expect("a red case");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.detail.case().map(|c| c.number.clone()),
        Some(first.number)
    );
    press(&mut app, KeyCode::Esc);
    // The per-signal view is a key away.
    press(&mut app, KeyCode::Char('b'));
    assert!(!app.board.by_case);
    assert_eq!(app.board.list.total, signals);
}

#[test]
fn the_loan_tab_shows_the_case_and_its_actions() {
    let (_dir, store, number, officer, ids) = worked_book(false);
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('o'));
    let tab = loop {
        let Some(d) = app.detail.as_ref() else {
            panic!("the loan is in front");
        };
        if d.tab == DetailTab::Disposal {
            break d.tab;
        }
        press(&mut app, KeyCode::Char(']'));
    };
    assert_eq!(tab, DetailTab::Disposal);
    let text = screen_text(&draw(&app));
    assert!(text.contains(&number), "{text}");
    assert!(text.contains(&format!("#{}", ids[0])), "{text}");
    assert!(text.contains("Recoveries and legal clocks"), "{text}");
    // Enter opens the case again.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.detail.case().map(|c| c.number.clone()), Some(number));
}

/// Deciding a plan still in draft says, as the CLI does, to submit it first (the workflow's
/// own refusal, in the user's language), and no form opens; failing a rectification plan that
/// is not in force names its state; submitting again names the state it is in.
#[test]
fn deciding_a_draft_says_submit_it_first_in_both_languages() {
    for (lang, said) in [
        (Lang::En, "is still a draft: submit it first"),
        (Lang::ZhCn, "仍是草稿：请先提交"),
    ] {
        let (_dir, store, number, officer, _) = worked_book(false);
        let mut app = app_on(store, SUPERVISOR, lang, (120, 40), as_of());
        open_case(&mut app, &number);
        for key in ['A', 'R'] {
            press(&mut app, KeyCode::Char(key));
            assert!(app.form().is_none(), "'{key}' opened no form");
            let notice = app.notice.clone().expect("said");
            assert!(notice.error, "{}", notice.text);
            assert!(
                notice.text.contains(said) && notice.text.contains(&number),
                "'{key}': {}",
                notice.text
            );
        }
        // A draft is not a plan in force: failing it names its state and what is needed.
        press(&mut app, KeyCode::Char('F'));
        assert!(app.form().is_none());
        let notice = app.notice.clone().expect("said");
        let draft = lang.t("plan_status.draft");
        assert!(notice.text.contains(draft), "{}", notice.text);
        drop(officer);
    }
    // Submitted: submitting again names the state the plan is in.
    let (_dir, store, number, officer, _) = worked_book(true);
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('S'));
    let notice = app.notice.clone().expect("said");
    assert!(
        notice.error && notice.text.contains(Lang::En.t("plan_status.submitted")),
        "{}",
        notice.text
    );
}
