//! The screens over a pane as a back stack, the reload flags a commit sets, and the loan
//! detail's tabs read when first shown and paged through the store.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::domain::{ContactKind, ContactRecord};
use postloan::i18n::Lang;
use postloan::tui::app::{App, PaneId};
use postloan::tui::panes::loan_detail::DetailTab;
use postloan::tui::theme::Theme;
use postloan::workflow::identify;
use support::tui::{app, as_of, book, draw, evaluated_book};

const SPECIALIST: &str = "wang.fang";
const SIZE: (u16, u16) = (120, 40);

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

/// The screen as text (wide characters' second cells skipped).
fn screen_text(app: &App) -> String {
    let buf = draw(app);
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn esc_goes_back_one_screen_at_a_time_and_a_pane_switch_clears_the_stack() {
    let (_dir, store) = evaluated_book(300, 7);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    press(&mut app, KeyCode::Char('3'));
    let warning = app.board.list.selected().expect("a warning").clone();
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.warning().map(|w| w.id()),
        Some(warning.id),
        "board → warning"
    );
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.detail.len(), 2, "warning → its loan");
    let loan = app.detail.as_ref().expect("the loan in front");
    assert_eq!(loan.loan.id, warning.loan_id);
    assert_eq!(loan.tab, DetailTab::Warnings);
    assert_eq!(loan.warnings.selected().map(|w| w.id), Some(warning.id));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.detail.len(), 3, "loan's Warnings tab → the warning");
    assert_eq!(app.warning().map(|w| w.id()), Some(warning.id));

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.detail.len(), 2);
    let loan = app.detail.as_ref().expect("Esc: back to the loan");
    assert_eq!(loan.tab, DetailTab::Warnings, "on the tab it was left on");
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.warning().map(|w| w.id()),
        Some(warning.id),
        "Esc: the warning"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.detail.is_empty(), "Esc: the board");
    assert_eq!(app.pane, PaneId::Warnings);
    press(&mut app, KeyCode::Esc);
    assert!(
        app.detail.is_empty() && app.pane == PaneId::Warnings,
        "nothing more to leave"
    );

    // `o` on a warning opened from its loan's tab goes back to that tab, not deeper.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('o'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.detail.len(), 2, "back to the loan under the warning");

    press(&mut app, KeyCode::Char('2'));
    assert!(app.detail.is_empty(), "a pane switch clears the stack");
    assert_eq!(app.pane, PaneId::Ledger);
}

#[test]
fn a_saved_contact_reads_the_contacts_again_and_not_the_hidden_panes() {
    let (_dir, store) = book(60, 7);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    let d = app.detail.as_ref().expect("the loan");
    assert_eq!(d.tab, DetailTab::Contacts);
    let (before, reads_before) = (d.contacts.total, d.contacts.reads);
    let statements_read = d.statements.is_some();
    let panes_before = app.reads;

    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "called the treasurer");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(
        app.form().is_none(),
        "saved: {:?}",
        app.form().map(|f| f.message.clone())
    );

    let d = app.detail.as_ref().expect("still on the loan");
    assert_eq!(d.contacts.total, before + 1, "the tab read the new contact");
    assert_eq!(d.contacts.reads, reads_before + 1, "read once again");
    assert_eq!(
        d.contacts.rows.first().map(|c| c.notes.as_str()),
        Some("called the treasurer")
    );
    assert_eq!(
        d.statements.is_some(),
        statements_read,
        "statements not touched"
    );
    assert_eq!(app.reads, panes_before, "no pane read while hidden");

    // The ledger shows the loan's next follow-up, which a contact moves: it is read when
    // shown again; the board (warnings) did not change and is not read at all.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.reads.ledger, panes_before.ledger + 1);
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(
        app.reads.board, panes_before.board,
        "warnings did not change"
    );
}

#[test]
fn contacts_page_through_the_store_and_are_read_only_when_shown() {
    let (_dir, mut store) = book(60, 7);
    let manager = identify(&store, "tester", Some("zhao.lei")).expect("manager");
    let loan = store
        .ledger_page(
            &postloan::store::LedgerQuery::default(),
            &postloan::store::PageFrom::Start,
            1,
        )
        .expect("ledger")
        .remove(0);
    let already = store.contact_count(loan.id).expect("count");
    for i in 0..450u64 {
        let rec = ContactRecord {
            contract_no: loan.contract_no.clone(),
            contact_on: as_of() - chrono::Days::new(i),
            kind: ContactKind::Call,
            notes: format!("contact number {}", i + 1),
        };
        postloan::workflow::tracking::record_contact(&mut store, &manager, &rec, as_of())
            .expect("contact recorded");
    }
    let total = already + 450;

    let mut app = app(store, "zhao.lei", Lang::En, Theme::colour(), SIZE);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, &loan.contract_no);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let d = app.detail.as_ref().expect("the loan");
    assert_eq!(d.loan.id, loan.id);
    assert!(
        !d.contacts.is_loaded(),
        "opening the loan reads no contacts"
    );
    assert_eq!(d.contacts.reads, 0);
    assert!(d.statements.is_none() && !d.flows.is_loaded() && !d.warnings.is_loaded());

    press(&mut app, KeyCode::Char('l'));
    assert!(app.detail.as_ref().is_some_and(|d| d.statements.is_some()));
    press(&mut app, KeyCode::Char('l'));
    let d = app.detail.as_ref().expect("the loan");
    assert!(d.contacts.is_loaded(), "shown: read");
    assert_eq!(d.contacts.total, total);
    assert_eq!(d.contacts.rows.len(), 34, "one screen of rows (40 less 6)");
    assert!(!d.flows.is_loaded(), "the next tab still unread");

    press(&mut app, KeyCode::Char('G'));
    let d = app.detail.as_ref().expect("the loan");
    assert_eq!(
        d.contacts.top + d.contacts.rows.len() as u64,
        total,
        "the last row shown"
    );
    let last = app
        .store
        .contacts_page(loan.id, total - 1, 1)
        .expect("last")
        .remove(0);
    assert_eq!(d.contacts.rows.last().map(|c| c.id), Some(last.id));
    // Wide characters leave a blank cell behind them: compare without spaces.
    let screen = screen_text(&app).replace(' ', "");
    assert!(
        screen.contains(&last.notes.replace(' ', "")),
        "drawn:\n{screen}"
    );
    if already == 0 {
        assert_eq!(last.notes, "contact number 450");
    }

    press(&mut app, KeyCode::Char('g'));
    let d = app.detail.as_ref().expect("the loan");
    assert_eq!(d.contacts.top, 0);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.detail.as_ref().map(|d| d.contacts.top), Some(34));
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.detail.as_ref().map(|d| d.contacts.top), Some(33));
}

#[test]
fn another_sessions_contact_shows_on_the_open_tab_and_hidden_panes_read_when_shown() {
    let (dir, store) = book(60, 7);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('l'));
    press(&mut app, KeyCode::Char('l'));
    let (loan, before) = {
        let d = app.detail.as_ref().expect("the loan");
        (d.loan.clone(), d.contacts.total)
    };
    let reads = app.reads;

    // A colleague records a contact from another connection.
    let mut other = postloan::store::Store::open(&dir.path().join("demo.db")).expect("open");
    let manager = identify(&other, "tester", Some("zhao.lei")).expect("manager");
    let rec = ContactRecord {
        contract_no: loan.contract_no.clone(),
        contact_on: as_of(),
        kind: ContactKind::Visit,
        notes: "visited by a colleague".into(),
    };
    postloan::workflow::tracking::record_contact(&mut other, &manager, &rec, as_of())
        .expect("recorded");

    assert!(app.poll_changes().expect("poll"), "the change is seen");
    let d = app.detail.as_ref().expect("still on the loan");
    assert_eq!(d.contacts.total, before + 1);
    assert_eq!(
        d.contacts.rows.first().map(|c| c.notes.as_str()),
        Some("visited by a colleague")
    );
    assert_eq!(app.reads, reads, "hidden panes wait until shown");
    assert!(
        !app.poll_changes().expect("poll"),
        "nothing new: nothing read"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.reads.ledger,
        reads.ledger + 1,
        "the ledger read when shown"
    );
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(
        app.reads.board,
        reads.board + 1,
        "the board read when shown"
    );
    press(&mut app, KeyCode::Char('2'));
    assert_eq!(
        app.reads.ledger,
        reads.ledger + 1,
        "read once, not on every visit"
    );
}

#[test]
fn a_form_and_the_help_are_screens_on_the_stack_and_esc_leaves_one_at_a_time() {
    let (_dir, store) = evaluated_book(300, 7);
    let mut app = app(store, SPECIALIST, Lang::En, Theme::colour(), SIZE);
    // One of the specialist's own loans' warnings (the cause of a colleague's is refused at
    // the key, before any form).
    support::tui::select_own_open_warning(&mut app, SPECIALIST);
    press(&mut app, KeyCode::Enter);
    let warning = app.warning().map(|w| w.id()).expect("board → warning");
    assert_eq!(app.detail.len(), 1);

    // The cause form goes over the warning, which stays in front behind it.
    press(&mut app, KeyCode::Char('c'));
    assert!(app.form().is_some(), "c opens the cause form");
    assert_eq!(app.detail.len(), 2, "the form is a screen on the stack");
    assert_eq!(app.warning().map(|w| w.id()), Some(warning));
    type_text(&mut app, "slow receivables");
    // The timer's autosave finds the form on the stack.
    app.save_draft().expect("draft saved");
    assert!(
        !app.form().expect("still open").dirty,
        "the draft was written"
    );
    assert!(
        screen_text(&app).contains("slow receivables"),
        "the form is drawn"
    );

    // Esc closes only the form: the warning is in front again.
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none() && app.form_key().is_none());
    assert_eq!(app.detail.len(), 1, "only the form left the stack");
    assert_eq!(app.warning().map(|w| w.id()), Some(warning));
    // The draft comes back with the form.
    press(&mut app, KeyCode::Char('c'));
    let form = app.form().expect("the cause form again");
    assert!(
        form.values()
            .values()
            .any(|v| v.contains("slow receivables")),
        "the draft came back: {:?}",
        form.values()
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(app.detail.is_empty(), "second Esc: the board");
    assert_eq!(app.pane, PaneId::Warnings);

    // The help over a loan detail: any key closes it and goes no further.
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Enter);
    let loan = app.detail.as_ref().map(|d| d.loan.id).expect("a loan");
    press(&mut app, KeyCode::Char('?'));
    assert!(app.help_open());
    assert_eq!(app.detail.len(), 2, "the help is a screen on the stack");
    assert_eq!(
        app.detail.as_ref().map(|d| d.loan.id),
        Some(loan),
        "the loan stays in front behind the help"
    );
    assert!(!app.text_focus(), "the help takes no text");
    press(&mut app, KeyCode::Char('2'));
    assert!(!app.help_open(), "any key closes the help");
    assert_eq!(app.detail.len(), 1, "and goes no further");
    assert_eq!(app.detail.as_ref().map(|d| d.loan.id), Some(loan));
    press(&mut app, KeyCode::Esc);
    assert!(app.detail.is_empty() && app.pane == PaneId::Ledger);
}
