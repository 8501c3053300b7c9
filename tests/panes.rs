//! Today and the Ledger as components: each answers its own actions (moves, filter, sort,
//! open as an effect, Today's "my warnings"), "not mine" for the rest, and keeps its own
//! filter; the help overlay closes on any key and passes nothing on.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::i18n::Lang;
use postloan::tui::app::{App, PaneId};
use postloan::tui::component::{Component, Ctx, Effect, Outcome};
use postloan::tui::keymap::Action;
use postloan::tui::stack::Changed;
use postloan::tui::theme::Theme;
use support::tui::{app, evaluated_book};

const SPECIALIST: &str = "wang.fang";
const SIZE: (u16, u16) = (120, 40);

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE))
        .expect("key handled");
}

#[test]
fn the_ledger_answers_its_own_actions_and_asks_app_to_open_a_loan() {
    let (_dir, store) = evaluated_book(120, 3);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    let ctx = Ctx {
        store: &app.store,
        today: app.today_date,
        user: SPECIALIST,
    };
    let ledger = &mut app.ledger;
    assert_eq!(
        ledger.handle(Action::Down, &ctx).expect("down"),
        Outcome::Consumed(Vec::new())
    );
    assert_eq!(ledger.cursor, 1);
    assert_eq!(
        ledger.handle(Action::Up, &ctx).expect("up"),
        Outcome::Consumed(Vec::new())
    );
    assert_eq!(
        ledger.handle(Action::Up, &ctx).expect("up at the top"),
        Outcome::Unchanged
    );
    let id = ledger.selected().expect("a loan").id;
    assert_eq!(
        ledger.handle(Action::Open, &ctx).expect("open"),
        Outcome::Consumed(vec![Effect::OpenLoan(id)]),
        "opening is App's: the pane asks for it"
    );
    assert_eq!(
        ledger
            .handle(Action::MyWarnings, &ctx)
            .expect("today's key"),
        Outcome::NotMine
    );
    assert_eq!(
        ledger.handle(Action::Quit, &ctx).expect("a global key"),
        Outcome::NotMine
    );
    // Nothing it shows changed: no read.
    let before = ledger.total;
    ledger.reload(Changed::WARNINGS, &ctx).expect("reload");
    assert_eq!(ledger.total, before);
}

#[test]
fn todays_my_warnings_asks_for_the_board_filtered_to_the_user() {
    let (_dir, store) = evaluated_book(300, 7);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    let ctx = Ctx {
        store: &app.store,
        today: app.today_date,
        user: SPECIALIST,
    };
    let Outcome::Consumed(effects) = app.today.handle(Action::MyWarnings, &ctx).expect("w") else {
        panic!("Today handles its own key");
    };
    match effects.as_slice() {
        [Effect::ShowWarnings(q)] => assert_eq!(q.officer.as_deref(), Some(SPECIALIST)),
        other => panic!("{other:?}"),
    }
    // Through App: the board, filtered to the block's warnings.
    press(&mut app, KeyCode::Char('w'));
    assert_eq!(app.pane, PaneId::Warnings);
    assert!(app.board.list.total > 0);
    assert!(
        app.board
            .list
            .visible()
            .all(|(_, w)| w.officer == SPECIALIST)
    );
}

#[test]
fn each_list_keeps_its_own_filter() {
    let (_dir, store) = evaluated_book(120, 3);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    press(&mut app, KeyCode::Char('2'));
    let all = app.ledger.total;
    press(&mut app, KeyCode::Char('/'));
    assert!(app.text_focus());
    for c in "PL0000001".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(app.filter_pending());
    press(&mut app, KeyCode::Enter);
    assert!(!app.filter_pending() && !app.text_focus());
    assert!(app.ledger.total < all && app.ledger.total > 0);
    press(&mut app, KeyCode::Char('1'));
    assert!(app.today.query.text.is_empty(), "Today's filter is its own");
    assert!(!app.filter_pending());
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(
        app.ledger.query.text, "PL0000001",
        "the Ledger keeps its filter"
    );
}

#[test]
fn help_closes_on_any_key_and_passes_nothing_on() {
    let (_dir, store) = evaluated_book(120, 3);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    press(&mut app, KeyCode::Char('2'));
    for key in [
        KeyCode::Char('j'),
        KeyCode::Char('/'),
        KeyCode::Enter,
        KeyCode::Char('q'),
    ] {
        press(&mut app, KeyCode::Char('?'));
        assert!(app.help_open());
        assert!(!app.text_focus(), "no text field under help");
        press(&mut app, key);
        assert!(!app.help_open(), "{key:?} closes help");
        assert_eq!(app.ledger.cursor, 0, "{key:?} went no further");
        assert!(app.ledger.filter.is_none() && app.detail.is_empty() && !app.quit);
    }
}
