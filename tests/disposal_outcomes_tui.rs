//! Step 5's outcomes in the workbench: the case screen's outcomes block (recoveries, the last
//! demand, the legal clocks) and Today's legal clocks block, drawn by the real renderer in
//! both languages; the case keys (recovery, demand, note, cancel, notice, close) each going
//! through `workflow` and leaving their audit row; a refused close said in words.

mod support;

use chrono::{Days, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::config::Config;
use postloan::domain::disposal::{ActionKind, ActionStatus, PlanKind};
use postloan::domain::legal::{DemandChannel, LegalEventKind};
use postloan::domain::recovery::{RecoveryAmounts, RecoveryKind};
use postloan::domain::warning::Level;
use postloan::i18n::Lang;
use postloan::store::{CaseFilter, PageFrom, Store};
use postloan::tui::app::{App, PaneId};
use postloan::tui::keymap::Keymap;
use postloan::tui::panes::loan_detail::DetailTab;
use postloan::tui::theme::Theme;
use postloan::workflow::disposal::{self as flow, AddAction, DisposalSettings, NewPlan};
use postloan::workflow::identify;
use postloan::workflow::outcomes::{self, DemandInput, LegalInput, RecoveryInput};
use ratatui::buffer::Buffer;
use rust_decimal::Decimal;
use support::tui::{as_of, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

const SUPERVISOR: &str = "wu.hao";

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
        .expect("key handled");
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn save(app: &mut App) {
    app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL))
        .expect("key handled");
}

fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
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

fn day_before(n: u64) -> NaiveDate {
    as_of().checked_sub_days(Days::new(n)).expect("date")
}

/// The demo book with its first orange case worked: a rectification plan with one action
/// on the case's first loan. Returns the case number, its officer, the loan's contract and
/// the action's id.
fn worked_book() -> (TempDir, Store, String, String, String, i64) {
    let (dir, mut store) = book(300, 7);
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
    let (number, officer) = (row.number, row.officer);
    let who = identify(&store, "tester", Some(&officer)).expect("officer");
    let plan = flow::plan(
        &mut store,
        &who,
        &NewPlan {
            case: &number,
            kind: PlanKind::Rectification,
            summary: "压降应收账款",
            due: as_of().checked_add_days(Days::new(60)),
            expected_version: None,
        },
        &DisposalSettings::default(),
        as_of(),
    )
    .expect("plan");
    let contract = store
        .case_detail(&number)
        .expect("read")
        .expect("case")
        .loans
        .first()
        .map(|l| l.contract_no.clone())
        .expect("a loan");
    let id = flow::add_action(
        &mut store,
        &who,
        &AddAction {
            case: &number,
            kind: ActionKind::RectificationMeasure,
            title: "催收应收账款",
            owner: &officer,
            deadline: as_of().checked_add_days(Days::new(20)).expect("date"),
            contract: Some(&contract),
            plan: Some(plan),
        },
        as_of(),
    )
    .expect("action");
    (dir, store, number, officer, contract, id)
}

/// Outcomes on the loan: a recovery, a demand for payment and a preservation ruling 25 days
/// ago (its 30-day clock to sue ends in 5 days: inside the 10 days' warning).
fn with_outcomes(store: &mut Store, number: &str, officer: &str, contract: &str) {
    let case_id = store
        .case_detail(number)
        .expect("read")
        .expect("case")
        .case
        .id;
    let sup = identify(store, "tester", Some(SUPERVISOR)).expect("supervisor");
    let rules = postloan::engine::rules::RuleSet::defaults();
    outcomes::record_recovery(
        store,
        &sup,
        &RecoveryInput {
            contract_no: contract,
            on: day_before(3),
            kind: RecoveryKind::Guarantor,
            amounts: RecoveryAmounts {
                principal: Decimal::new(1_234_567, 2),
                interest: Decimal::new(50_000, 2),
                costs: Decimal::new(1_000, 2),
            },
            note: "保证人代偿",
            case_id: Some(case_id),
            expected_version: None,
        },
        &rules,
        as_of(),
    )
    .expect("recovery");
    let who = identify(store, "tester", Some(officer)).expect("officer");
    outcomes::record_demand(
        store,
        &who,
        &DemandInput {
            contract_no: contract,
            on: day_before(10),
            channel: DemandChannel::Visit,
            note: "",
            case_id: Some(case_id),
        },
        as_of(),
    )
    .expect("demand");
    outcomes::record_legal(
        store,
        &sup,
        &LegalInput {
            contract_no: contract,
            kind: LegalEventKind::Preservation,
            asset: None,
            on: day_before(25),
            reference: "(2026)沪0101财保12号",
            note: "",
            case_id: Some(case_id),
        },
        as_of(),
    )
    .expect("preservation");
}

/// Opens case `number` by the disposal pane's orange filter.
fn open_case(app: &mut App, number: &str) {
    press(app, KeyCode::Char('6'));
    press(app, KeyCode::Char('L'));
    press(app, KeyCode::Char('L'));
    for _ in 0..app.disposal.cases.total {
        if app.disposal.cases.selected().map(|r| r.number.as_str()) == Some(number) {
            break;
        }
        press(app, KeyCode::Char('j'));
    }
    press(app, KeyCode::Enter);
    assert_eq!(
        app.detail.case().map(|c| c.number.clone()).as_deref(),
        Some(number),
        "the case is in front"
    );
}

/// The case screen's lines from its outcomes heading on, at `width` columns.
fn outcome_lines(app: &App, lang: Lang, width: usize) -> String {
    let screen = app.detail.case().expect("case in front");
    let (lines, _) = screen.lines(lang, &Theme::colour(), width);
    let text: Vec<String> = lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect();
    let head = match lang {
        Lang::En => "Recoveries and legal clocks",
        _ => "回收与法定时效",
    };
    let from = text
        .iter()
        .position(|l| l == head)
        .expect("outcomes heading");
    for l in &text[from..] {
        assert!(l.width() <= width, "{l:?} is wider than {width} columns");
    }
    text[from..].join("\n")
}

#[test]
fn the_case_screen_shows_the_outcomes_in_both_languages() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        let (_dir, mut store, number, officer, contract, _) = worked_book();
        with_outcomes(&mut store, &number, &officer, &contract);
        let mut app = app_on(store, &officer, lang, (120, 40), as_of());
        open_case(&mut app, &number);
        let wide = outcome_lines(&app, lang, 120);
        let narrow = outcome_lines(&app, lang, 80);
        assert!(wide.contains("12,345.67"), "principal grouped: {wide}");
        assert!(wide.contains("12,855.67"), "the total: {wide}");
        assert!(narrow.contains(&contract), "{narrow}");
        insta::assert_snapshot!(format!("case_outcomes_{tag}_120"), wide);
        insta::assert_snapshot!(format!("case_outcomes_{tag}_80"), narrow);
    }
}

#[test]
fn today_lists_a_clock_before_it_runs_out_and_opens_the_loan() {
    for (lang, tag) in [(Lang::ZhCn, "zh"), (Lang::En, "en")] {
        let (_dir, mut store, number, officer, contract, _) = worked_book();
        with_outcomes(&mut store, &number, &officer, &contract);
        let mut app = app_on(store, &officer, lang, (120, 40), as_of());
        let shown: Vec<&str> = app
            .today
            .clocks
            .iter()
            .map(|c| c.contract_no.as_str())
            .collect();
        assert!(shown.contains(&contract.as_str()), "{shown:?}");
        assert!(app.today.clocks.len() <= 5, "capped");
        let days: Vec<NaiveDate> = app.today.clocks.iter().map(|c| c.clock.ends_on).collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "soonest first");
        let text = screen_text(&draw(&app));
        let block: Vec<&str> = text
            .lines()
            .skip_while(|l| {
                !l.contains("(postloan clocks)")
                    && !l.contains("法定时效")
                    && !l.contains("Legal clocks")
            })
            .take(app.today.clocks.len() + 1)
            .collect();
        insta::assert_snapshot!(format!("today_clocks_{tag}"), block.join("\n"));
        // L selects the first clock; j moves to the loan's; Enter opens its Disposal tab.
        press(&mut app, KeyCode::Char('L'));
        let at = app
            .today
            .clocks
            .iter()
            .position(|c| c.contract_no == contract)
            .expect("the clock");
        for _ in 0..at {
            press(&mut app, KeyCode::Char('j'));
        }
        press(&mut app, KeyCode::Enter);
        let d = app.detail.as_ref().expect("the loan in front");
        assert_eq!(d.tab, DetailTab::Disposal);
        assert_eq!(d.loan.contract_no, contract);
        assert_eq!(app.pane, PaneId::Today);
    }
}

/// The newest audit row's action and entity key.
fn last_audit(app: &App) -> (String, String) {
    let e = app
        .store
        .audit_tail(1)
        .expect("audit")
        .into_iter()
        .next()
        .expect("a row");
    (e.action, e.entity_key)
}

#[test]
fn each_case_key_goes_through_workflow_and_writes_its_audit_row() {
    let (_dir, store, number, officer, contract, id) = worked_book();
    // A recovery is a supervisor's: the officer hears why in words at the key, before any
    // form opens, and nothing is written.
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    let before = last_audit(&app);
    press(&mut app, KeyCode::Char('r'));
    assert!(app.form().is_none(), "no recovery form for the officer");
    let said = app.notice.clone().expect("the refusal");
    assert!(
        said.error && said.text.contains(&officer) && said.text.contains("may not"),
        "{}",
        said.text
    );
    assert_ne!(last_audit(&app).0, "outcome.recovery");
    assert_eq!(last_audit(&app).1, before.1);

    // Demand for payment (c): the officer may.
    press(&mut app, KeyCode::Char('c'));
    assert!(app.form().is_some(), "the demand form");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    assert_eq!(
        last_audit(&app),
        ("outcome.demand".into(), contract.clone())
    );
    assert!(!app.notice.as_ref().expect("said").error);

    // A note on the selected action (m), then cancelling it (x).
    press(&mut app, KeyCode::Char('m'));
    type_text(&mut app, "called the CFO");
    save(&mut app);
    assert_eq!(
        last_audit(&app),
        ("disposal.action_note".into(), id.to_string())
    );
    press(&mut app, KeyCode::Char('x'));
    save(&mut app);
    assert!(app.form().is_some(), "a cancellation needs a reason");
    type_text(&mut app, "superseded");
    save(&mut app);
    assert_eq!(
        last_audit(&app),
        ("disposal.action_cancel".into(), id.to_string())
    );
    let status = app
        .store
        .case_detail(&number)
        .expect("read")
        .expect("case")
        .actions
        .into_iter()
        .find(|a| a.id == id)
        .map(|a| a.status);
    assert_eq!(status, Some(ActionStatus::Cancelled));

    // The notice key issues the warning notice of an open warning that has none.
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(last_audit(&app).0, "document.issue");
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| !n.error && n.text.contains("Warning notice")),
        "{:?}",
        app.notice
    );

    // The supervisor records the recovery.
    let store = std::mem::replace(&mut app.store, book(1, 1).1);
    let mut app = app_on(store, SUPERVISOR, Lang::En, (120, 40), as_of());
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Char('r'));
    assert!(app.form().is_some(), "the recovery form");
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab);
    }
    press(&mut app, KeyCode::Backspace);
    // A malformed amount is said in place, the text kept.
    type_text(&mut app, "12,3x");
    save(&mut app);
    let form = app.form().expect("kept open");
    assert_eq!(form.focus, 3, "on the principal");
    assert!(form.fields[3].error.is_some(), "said in place");
    assert_eq!(form.fields[3].value(), "12,3x", "the text kept");
    for _ in 0..5 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "1000");
    save(&mut app);
    assert!(app.form().is_none(), "{:?}", app.form().map(|f| &f.message));
    assert_eq!(
        last_audit(&app),
        ("outcome.recovery".into(), contract.clone())
    );
    let said = app.notice.clone().expect("said").text;
    assert!(said.contains("Recovered ¥1,000.00"), "{said}");
    let text = screen_text(&draw(&app));
    assert!(
        text.contains("Recovered ¥1,000.00"),
        "on the status line: {text}"
    );
}

#[test]
fn a_refused_close_says_which_warnings_are_open() {
    for (lang, words) in [
        (Lang::En, "cannot close yet. Open warnings"),
        (Lang::ZhCn, "暂不能结案。未解除的预警"),
    ] {
        let (_dir, store, number, officer, _, _) = worked_book();
        let mut app = app_on(store, &officer, lang, (120, 40), as_of());
        open_case(&mut app, &number);
        let before = app.store.audit_tail(1).expect("audit");
        press(&mut app, KeyCode::Char('C'));
        assert!(app.form().is_some(), "the close form");
        type_text(&mut app, "done");
        save(&mut app);
        let said = app
            .form()
            .and_then(|f| f.message.clone())
            .expect("the refusal, said in the form kept open");
        assert!(said.contains(words), "{said}");
        assert!(said.contains(&number), "{said}");
        let screen = app.detail.case().expect("case");
        let w = &screen.detail.warnings[0];
        assert!(said.contains(&w.number), "names the warnings: {said}");
        // Each warning and action is named in words, never by its translation key.
        for raw in ["indicator.", "signal.", "action_kind.", "action_status."] {
            assert!(!said.contains(raw), "a raw key in the refusal: {said}");
        }
        assert_eq!(
            app.store.audit_tail(1).expect("audit"),
            before,
            "nothing written"
        );
        let case = app.store.case_detail(&number).expect("read").expect("case");
        assert!(case.case.closed_on.is_none());
    }
}

#[test]
fn pane_six_records_a_demand_on_the_selected_case() {
    let (_dir, store, number, officer, contract, _) = worked_book();
    let mut app = app_on(store, &officer, Lang::En, (120, 40), as_of());
    press(&mut app, KeyCode::Char('6'));
    let footer = screen_text(&draw(&app));
    assert!(footer.contains("c demand"), "{footer}");
    open_case(&mut app, &number);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(
        app.detail.case().map(|c| c.number.clone()),
        Some(number.clone()),
        "the case under the form"
    );
    assert!(app.form().is_some_and(|f| f.fields[0].value() == contract));
    save(&mut app);
    assert_eq!(last_audit(&app), ("outcome.demand".into(), contract));
}

#[test]
fn the_by_borrower_footer_offers_only_keys_that_work_there() {
    let (_dir, store) = book(300, 7);
    let mut app = app_on(store, SUPERVISOR, Lang::En, (120, 40), as_of());
    press(&mut app, KeyCode::Char('3'));
    let signals = screen_text(&draw(&app));
    let foot = |t: &str| t.lines().rev().nth(1).unwrap_or_default().to_string();
    assert!(foot(&signals).contains("a ack"), "{}", foot(&signals));
    press(&mut app, KeyCode::Char('b'));
    let cases = foot(&screen_text(&draw(&app)));
    for gone in ["a ack", "c cause", "n notice", "m raise"] {
        assert!(!cases.contains(gone), "{gone} offered in: {cases}");
    }
    assert!(cases.contains("b by borrower"), "{cases}");
}
