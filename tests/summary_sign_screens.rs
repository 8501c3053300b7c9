//! Signing the summary on pane 8 (issue #12 point 1): `w` opens the form (several lines of
//! "problems found and measures to improve" for the pane's period, kept as a draft, and a
//! confirmation); saving signs it, the pane then says by whom, when and which document, and
//! the document is on pane 7 and opens in the viewer. The key is shown only to those who may
//! sign; a specialist pressing it is refused on the status line. Snapshots in both languages.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postloan::engine::summary::Period;
use postloan::i18n::Lang;
use postloan::tui::app::{App, PaneId};
use postloan::tui::forms::summary_sign::TEXT;
use postloan::tui::stack::Screen;
use postloan::tui::theme::Theme;
use ratatui::buffer::Buffer;
use support::tui::{app, book, draw};
use tempfile::TempDir;
use unicode_width::UnicodeWidthStr;

const SUPERVISOR: &str = "wu.hao";
const SPECIALIST: &str = "wang.fang";

fn on_summary(user: &str, lang: Lang) -> (TempDir, App) {
    let (dir, store) = book(300, 7);
    let mut app = app(store, user, lang, Theme::colour(), (120, 40));
    press(&mut app, KeyCode::Char('8'));
    assert_eq!(app.pane, PaneId::Summary);
    // The pane opens on the book's month (June, today 2026-06-30), not ended yet: May is
    // the latest period that may be signed.
    press(&mut app, KeyCode::Char('p'));
    typed(&mut app, "2026-05");
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert!(app.form().is_none(), "the period form is saved");
    assert_eq!(app.summary.period, may());
    (dir, app)
}

fn may() -> Period {
    Period::parse_month("2026-05").expect("month")
}

fn press(app: &mut App, code: KeyCode) {
    press_mod(app, code, KeyModifiers::NONE);
}

fn press_mod(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers))
        .expect("key handled");
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => press(app, KeyCode::Enter),
            c => press(app, KeyCode::Char(c)),
        }
    }
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

/// The footer: the key hints and the status line, the screen's last two lines.
fn footer(buf: &Buffer) -> String {
    let text = screen_text(buf);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(2)..].join("\n")
}

#[test]
fn a_supervisor_signs_on_pane_8_and_the_document_is_on_pane_7() {
    for (lang, tag, problems, signed_by, sign_word) in [
        (
            Lang::ZhCn,
            "zh",
            "存在问题及改进措施",
            "已由 吴昊 于 2026-06-30 签署，文档 #",
            "签署",
        ),
        (
            Lang::En,
            "en",
            "Problems found and measures to improve",
            "signed by 吴昊 on 2026-06-30, document #",
            "sign",
        ),
    ] {
        let (_dir, mut app) = on_summary(SUPERVISOR, lang);
        assert!(
            footer(&draw(&app)).contains(&format!("w {sign_word}")),
            "the key is in the footer: {}",
            footer(&draw(&app))
        );
        press(&mut app, KeyCode::Char('w'));
        assert!(app.form().is_some(), "the signing form is open");
        typed(
            &mut app,
            "1. 三户企业报表逾期未报送。\n2. 下月起按周催收并复盘。",
        );
        let form_screen = screen_text(&draw(&app));
        assert!(form_screen.contains(problems), "{form_screen}");
        insta::assert_snapshot!(format!("summary_sign_form_{tag}_120x40"), form_screen);
        // Not confirmed: the form stays open and says how.
        press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        let message = app.form().and_then(|f| f.message.clone());
        assert!(message.is_some_and(|m| m.contains("←/→")), "still open");
        // Tab to the confirmation, → to "yes", save.
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(
            app.form().is_none(),
            "signed: {:?}",
            app.form().and_then(|f| f.message.clone())
        );
        let signed = app
            .summary
            .signed
            .clone()
            .expect("the pane knows it is signed");
        assert_eq!(
            signed.on.map(|d| d.to_string()).as_deref(),
            Some("2026-06-30")
        );
        let buf = draw(&app);
        let text = screen_text(&buf);
        assert!(
            text.contains(&format!("{signed_by}{}", signed.id)),
            "{text}"
        );
        insta::assert_snapshot!(format!("summary_signed_{tag}_120x40"), text);
        // Pane 7: the newest document is the signed summary; Enter opens it read-only.
        press(&mut app, KeyCode::Char('7'));
        let row = app.archive.list.selected().cloned().expect("a row");
        assert_eq!((row.id, row.kind.as_str()), (signed.id, "summary"));
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.detail.front(), Some(Screen::Document(_))));
        let viewer = screen_text(&draw(&app));
        assert!(viewer.contains("2026-05-01"), "{viewer}");
        // Its end: the signer's section and the signature.
        for _ in 0..6 {
            press(&mut app, KeyCode::PageDown);
        }
        let viewer = screen_text(&draw(&app));
        assert!(viewer.contains("三户企业报表逾期未报送"), "{viewer}");
        assert!(viewer.contains("吴昊"), "{viewer}");
        // `f` on the signed summary writes feedback drawn from it.
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('f'));
        assert!(
            app.form().is_some(),
            "the feedback form opens on a signed summary"
        );
        press(&mut app, KeyCode::Tab);
        typed(&mut app, "请复核行业限额");
        press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert!(app.form().is_none(), "saved");
        press(&mut app, KeyCode::Char('x'));
        let top = app.archive.list.selected().cloned().expect("the newest");
        assert_eq!(top.kind, "feedback");
    }
}

#[test]
fn the_text_is_kept_as_a_draft_and_a_second_signing_supersedes_the_first() {
    let (_dir, mut app) = on_summary(SUPERVISOR, Lang::ZhCn);
    press(&mut app, KeyCode::Char('w'));
    typed(&mut app, "初稿：问题一");
    // The draft is written while typing (the loop saves after a pause; here at once).
    app.save_draft().expect("draft saved");
    press(&mut app, KeyCode::Esc);
    assert!(app.form().is_none());
    press(&mut app, KeyCode::Char('w'));
    let kept = app
        .form()
        .and_then(|f| f.field(TEXT))
        .map(|f| f.value())
        .unwrap_or_default();
    assert_eq!(kept, "初稿：问题一", "the draft comes back");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let first = app.summary.signed.clone().expect("signed");
    // Signed again: the form says it supersedes the first; the pane shows the second.
    press(&mut app, KeyCode::Char('w'));
    let note = app
        .form()
        .and_then(|f| f.message.clone())
        .unwrap_or_default();
    assert!(
        note.contains(&format!("#{}", first.id)) && note.contains("取代"),
        "{note}"
    );
    assert_eq!(
        app.form()
            .and_then(|f| f.field(TEXT))
            .map(|f| f.value())
            .unwrap_or_default(),
        "",
        "a saved form's draft is gone"
    );
    typed(&mut app, "定稿");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let second = app.summary.signed.clone().expect("signed again");
    assert_ne!(second.id, first.id);
    let old = app
        .store
        .archive_document(first.id)
        .expect("read")
        .expect("kept");
    assert_eq!(old.row.superseded_by, Some(second.id));
    // On pane 7, `f` on the superseded summary is refused, naming the one in force.
    press(&mut app, KeyCode::Char('7'));
    for _ in 0..20 {
        if app.archive.list.selected().map(|r| r.id) == Some(first.id) {
            break;
        }
        press(&mut app, KeyCode::Down);
    }
    assert_eq!(
        app.archive.list.selected().map(|r| r.id),
        Some(first.id),
        "the superseded summary is listed"
    );
    press(&mut app, KeyCode::Char('f'));
    assert!(app.form().is_none(), "no feedback form");
    let status = footer(&draw(&app));
    assert!(
        status.contains(&format!("已被 {}（文档 {}）取代", second.number, second.id)),
        "{status}"
    );
}

#[test]
fn a_specialist_is_not_shown_the_key_and_is_refused_on_the_status_line() {
    let (_dir, mut app) = on_summary(SPECIALIST, Lang::ZhCn);
    let buf = draw(&app);
    assert!(!footer(&buf).contains("签署"), "{}", footer(&buf));
    press(&mut app, KeyCode::Char('?'));
    let help = screen_text(&draw(&app));
    assert!(
        !help.contains("签署总结"),
        "the help leaves the key out: {help}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('w'));
    assert!(app.form().is_none(), "no form");
    let text = screen_text(&draw(&app));
    assert!(
        text.contains("无权签署贷后管理总结"),
        "the refusal says why: {text}"
    );
    assert!(app.summary.signed.is_none());
    // The supervisor's help lists it.
    let (_dir2, mut sup) = on_summary(SUPERVISOR, Lang::ZhCn);
    press(&mut sup, KeyCode::Char('?'));
    assert!(screen_text(&draw(&sup)).contains("签署总结"));
}

#[test]
fn a_period_not_ended_by_the_books_date_is_refused_on_the_status_line_in_both_languages() {
    for (lang, why) in [
        (
            Lang::ZhCn,
            "期间 2026-06-01 至 2026-06-30 截至账簿日期 2026-06-30 尚未结束",
        ),
        (
            Lang::En,
            "the period 2026-06-01 to 2026-06-30 has not ended by the book's date 2026-06-30",
        ),
    ] {
        let (_dir, mut app) = on_summary(SUPERVISOR, lang);
        // Back to the book's month, which ends today: refused at the key, before any typing.
        press(&mut app, KeyCode::Char('p'));
        typed(&mut app, "2026-06");
        press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(app.summary.period.to.to_string(), "2026-06-30");
        press(&mut app, KeyCode::Char('w'));
        assert!(app.form().is_none(), "no form for an open period");
        let text = footer(&draw(&app));
        assert!(text.contains(why), "the refusal says why: {text}");
        // A period that starts before the book's first data but has ended may be signed.
        press(&mut app, KeyCode::Char('p'));
        typed(&mut app, "2019");
        press_mod(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
        press(&mut app, KeyCode::Char('w'));
        assert!(app.form().is_some(), "an ended early period opens the form");
    }
}
