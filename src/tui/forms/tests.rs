//! Each form's command, made from its named values: typed, pasted, a choice typed in Chinese
//! or cycled with the arrow keys.

use super::*;
use crate::domain::ContactKind;
use crate::domain::codes::{Classification, GuaranteeType, Product, TrackingFrequency};
use crate::engine::rules::Indicator;
use crate::store::Loan;
use crate::tui::widgets::form::{FieldKind, Form};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rust_decimal::Decimal;
use std::str::FromStr;

fn loan() -> Loan {
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    Loan {
        id: 1,
        contract_no: "PL00000001".into(),
        borrower_id: 1,
        borrower_code: "B001".into(),
        borrower_name: "江苏恒达".into(),
        credit_code: String::new(),
        industry: String::new(),
        region: String::new(),
        product: Product::ALL[0],
        purpose: String::new(),
        currency: "CNY".into(),
        principal: Decimal::ONE,
        outstanding: Decimal::ONE,
        interest_rate: Decimal::ONE,
        disbursed_on: day,
        matures_on: day,
        guarantee_type: GuaranteeType::ALL[0],
        officer: "u".into(),
        tracking_frequency: TrackingFrequency::ALL[0],
        classification: Classification::Pass,
        overdue_days: 0,
        overdue_principal: Decimal::ZERO,
        overdue_interest: Decimal::ZERO,
        status_as_of: None,
        last_contact_on: None,
        last_statement_on: None,
        next_followup_on: day,
        version: 1,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Focuses the field `name` and types `text` into it (after clearing it).
fn type_into(form: &mut Form, name: &str, text: &str) {
    form.focus = form
        .fields
        .iter()
        .position(|f| f.name == name)
        .expect("field");
    form.fields[form.focus].set_value("");
    for c in text.chars() {
        form.edit(key(KeyCode::Char(c)));
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

#[test]
fn the_contact_command_takes_a_kind_typed_in_chinese_and_notes_of_several_lines() {
    let mut form = contact::form(&loan(), Lang::En, today());
    type_into(&mut form, contact::KIND, "电话");
    type_into(&mut form, contact::NOTES, "见了财务");
    form.edit(key(KeyCode::Enter));
    form.paste("约定下周\n再访");
    assert!(form.validate(Lang::En));
    let cmd = contact::command(&form, "PL00000001").expect("command");
    assert_eq!(
        cmd,
        FormCommand::Contact(ContactRecord {
            contract_no: "PL00000001".into(),
            contact_on: today(),
            kind: ContactKind::Call,
            notes: "见了财务\n约定下周\n再访".into(),
        })
    );
}

#[test]
fn a_choice_cycles_with_the_arrow_keys_in_the_user_language() {
    let mut form = contact::form(&loan(), Lang::ZhCn, today());
    form.focus = 1;
    assert_eq!(form.fields[1].value(), "走访");
    form.edit(key(KeyCode::Right));
    assert_eq!(form.fields[1].value(), "电话");
    form.edit(key(KeyCode::Left));
    form.edit(key(KeyCode::Left));
    let last = ContactKind::ALL[ContactKind::ALL.len() - 1];
    assert_eq!(
        form.fields[1].value(),
        Lang::ZhCn.code_name("contact", last.code())
    );
    type_into(&mut form, contact::NOTES, "n");
    let FormCommand::Contact(rec) = contact::command(&form, "PL1").expect("command") else {
        panic!("not a contact");
    };
    assert_eq!(rec.kind, last);
    // Every kind of the domain is a choice, none typed by hand in the TUI.
    let FieldKind::Choice(c) = &form.fields[1].kind else {
        panic!("not a choice");
    };
    assert_eq!(c.options.len(), ContactKind::ALL.len());
}

#[test]
fn text_that_names_no_choice_is_not_taken_and_an_empty_choice_says_the_choices() {
    let mut form = contact::form(&loan(), Lang::ZhCn, today());
    type_into(&mut form, contact::KIND, "写信");
    assert_eq!(
        form.fields[1].value(),
        "",
        "no letter of it begins a choice"
    );
    type_into(&mut form, contact::NOTES, "n");
    assert!(!form.validate(Lang::ZhCn));
    let err = form.fields[1].error.clone().expect("an error");
    assert!(err.contains("走访") && err.contains("电话"), "{err}");
    assert_eq!(form.focus, 1);
}

#[test]
fn the_statement_command_reads_each_amount_by_name() {
    let mut form = statement::form(&loan(), Lang::En);
    type_into(&mut form, statement::PERIOD_END, "2025-12-31");
    for (i, name) in statement::V1_FIELDS.iter().enumerate().skip(1) {
        type_into(&mut form, name, &format!("{i}00"));
    }
    type_into(&mut form, statement::NET_PROFIT, "-5");
    assert!(form.validate(Lang::En));
    let FormCommand::Statement(rec) = statement::command(&form, "B001").expect("command") else {
        panic!("not a statement");
    };
    assert_eq!(rec.borrower_code, "B001");
    assert_eq!(rec.total_assets, d("100"));
    assert_eq!(rec.inventory, d("500"));
    assert_eq!(rec.interest_expense, d("800"));
    assert_eq!(rec.net_profit, d("-5"));
    assert_eq!(rec.operating_cash_flow, d("1000"));
}

#[test]
fn the_repayment_command() {
    let mut form = repayment::form(&loan(), Lang::En, today());
    type_into(&mut form, repayment::DPD, "45");
    type_into(&mut form, repayment::INTEREST, "1,250.50");
    assert!(form.validate(Lang::En));
    assert_eq!(
        repayment::command(&form, "PL1").expect("command"),
        FormCommand::Repayment(RepaymentRecord {
            contract_no: "PL1".into(),
            as_of: today(),
            overdue_days: 45,
            overdue_principal: Decimal::ZERO,
            overdue_interest: d("1250.50"),
        })
    );
}

#[test]
fn the_covenant_command_takes_an_indicator_by_its_name_and_needs_a_threshold() {
    let mut form = covenant::form(&loan(), Lang::ZhCn);
    type_into(&mut form, covenant::INDICATOR, Indicator::QuickRatio.zh());
    assert!(form.validate(Lang::ZhCn));
    assert_eq!(
        covenant::command(&form, "PL1"),
        Err(Bad::Rule("forms.err_no_threshold"))
    );
    type_into(&mut form, covenant::RED, "0.8");
    let FormCommand::Covenant(rec) = covenant::command(&form, "PL1").expect("command") else {
        panic!("not a covenant");
    };
    assert_eq!(rec.indicator, "quick_ratio");
    assert_eq!((rec.yellow, rec.red), (None, Some(d("0.8"))));
    // Its choices are the engine's indicators.
    let FieldKind::Choice(c) = &form.fields[0].kind else {
        panic!("not a choice");
    };
    assert_eq!(c.options.len(), Indicator::ALL.len());
}

#[test]
fn the_warning_commands_carry_the_version_the_screen_showed() {
    let mut form = Form::new(
        "t".into(),
        cause::fields("旧原因", RiskType::Credit, Level::Yellow, Lang::En),
    );
    form.expected_version = Some(7);
    type_into(&mut form, cause::JUDGED, "红色");
    form.focus = 1;
    form.edit(key(KeyCode::Right));
    assert!(form.validate(Lang::En));
    assert_eq!(
        cause::command(&form, 12).expect("command"),
        FormCommand::Cause {
            id: 12,
            expected_version: Some(7),
            cause: "旧原因".into(),
            risk: RiskType::Market,
            judged: Level::Red,
        }
    );
    let mut form = Form::new("t".into(), reason::fields());
    form.expected_version = Some(3);
    form.paste("已还清\n结清证明已归档");
    assert_eq!(
        reason::command(&form, 12, WarningMove::Dismiss).expect("command"),
        FormCommand::Move {
            id: 12,
            expected_version: Some(3),
            mv: WarningMove::Dismiss,
            reason: "已还清\n结清证明已归档".into(),
        }
    );
}

#[test]
fn the_raise_command_and_a_single_line_field_takes_a_paste_as_one_line() {
    let mut form = raise::form("", Lang::ZhCn);
    assert_eq!(form.focus, 0);
    form.paste("PL0000\n0001");
    type_into(&mut form, raise::SIGNAL, "涉诉");
    type_into(&mut form, raise::LEVEL, "orange");
    type_into(&mut form, raise::REASON, "法院传票");
    assert!(form.validate(Lang::ZhCn));
    assert_eq!(
        raise::command(&form).expect("command"),
        FormCommand::Raise {
            contract_no: "PL0000 0001".into(),
            signal: ManualSignal::Litigation,
            level: Level::Orange,
            risk: RiskType::Credit,
            reason: "法院传票".into(),
        }
    );
}

#[test]
fn every_form_names_its_fields_once_and_its_old_order_is_its_fields() {
    let l = loan();
    let forms = [
        (FormKind::Contact, contact::form(&l, Lang::En, today())),
        (FormKind::Statement, statement::form(&l, Lang::En)),
        (FormKind::Repayment, repayment::form(&l, Lang::En, today())),
        (FormKind::Covenant, covenant::form(&l, Lang::En)),
        (FormKind::RaiseWarning, raise::form("PL1", Lang::En)),
        (
            FormKind::ResolveWarning,
            Form::new("t".into(), reason::fields()),
        ),
        (
            FormKind::WarningCause,
            Form::new(
                "t".into(),
                cause::fields("", RiskType::Credit, Level::Red, Lang::En),
            ),
        ),
    ];
    for (kind, form) in forms {
        let names: Vec<_> = form.fields.iter().map(|f| f.name).collect();
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "{kind:?}");
        assert_eq!(kind.v1_fields(), names.as_slice(), "{kind:?}");
        assert_eq!(FormKind::parse(kind.code()), Some(kind));
    }
}

#[test]
fn typing_selects_the_choice_it_begins_and_other_characters_change_nothing() {
    let mut form = raise::form("PL1", Lang::En);
    form.focus = 2;
    assert_eq!(form.fields[2].value(), "Yellow");
    // A name in the other language selects the choice, shown in the form's language.
    for c in "橙色".chars() {
        form.edit(key(KeyCode::Char(c)));
    }
    assert_eq!(form.fields[2].value(), "Orange");
    assert_eq!(form.fields[2].choice_code(), Some("orange"));
    // Characters that begin no choice are ignored; a letter that does starts afresh.
    for c in "#7?".chars() {
        assert!(!form.edit(key(KeyCode::Char(c))), "{c} changes nothing");
    }
    assert_eq!(form.fields[2].value(), "Orange");
    form.edit(key(KeyCode::Char('r')));
    form.edit(key(KeyCode::Char('e')));
    form.edit(key(KeyCode::Char('d')));
    assert_eq!(form.fields[2].value(), "Red");
    // Backspace does not cut a choice into text; Space and the arrows cycle.
    assert!(!form.edit(key(KeyCode::Backspace)));
    assert_eq!(form.fields[2].value(), "Red");
    form.edit(key(KeyCode::Char(' ')));
    assert_eq!(form.fields[2].choice_code(), Some("orange"));
    form.edit(key(KeyCode::Left));
    assert_eq!(form.fields[2].choice_code(), Some("red"));
    // A paste selects what it names, and is refused when it names nothing.
    assert!(form.paste("yellow"));
    assert_eq!(form.fields[2].value(), "Yellow");
    assert!(!form.paste("purple"));
    assert_eq!(form.fields[2].value(), "Yellow");
}

#[test]
fn every_choice_field_of_every_form_holds_only_one_of_its_choices() {
    let l = loan();
    let period = crate::engine::summary::Period::parse_month("2026-05").expect("month");
    let forms = [
        contact::form(&l, Lang::ZhCn, today()),
        covenant::form(&l, Lang::ZhCn),
        raise::form("PL1", Lang::ZhCn),
        Form::new(
            "t".into(),
            cause::fields("", RiskType::Credit, Level::Red, Lang::ZhCn),
        ),
        feedback::form("AJ2026-000001", Lang::ZhCn),
        summary_sign::form(period, None, Lang::ZhCn),
        report::measure_form("XJ2026-000001", 3, Lang::ZhCn),
        report::class_form("XJ2026-000001", 3, Lang::ZhCn),
        classification::propose_form("PL1", today(), Lang::ZhCn),
        disposal::recovery_form("AJ2026-000001", "PL1", today(), Lang::ZhCn),
        disposal::demand_form("AJ2026-000001", "PL1", today(), Lang::ZhCn),
    ];
    let mut seen = 0;
    for mut form in forms {
        for i in 0..form.fields.len() {
            let FieldKind::Choice(choices) = form.fields[i].kind.clone() else {
                continue;
            };
            seen += 1;
            form.focus = i;
            let before = form.fields[i].value();
            // Free text, digits, punctuation, a paste of junk: none is taken.
            for c in "xyz写信#1%".chars() {
                form.edit(key(KeyCode::Char(c)));
                let v = form.fields[i].value();
                assert!(
                    v == before || choices.code_of(&v).is_some(),
                    "{}: {v:?} is not a choice",
                    form.fields[i].name
                );
            }
            form.paste("其他部门 other dept");
            form.edit(key(KeyCode::Backspace));
            let v = form.fields[i].value();
            assert!(v == before || choices.code_of(&v).is_some(), "{v:?}");
            // Cycling always lands on a choice, and typing a choice's name selects it.
            form.edit(key(KeyCode::Right));
            assert!(form.fields[i].choice_code().is_some());
            let (code, name) = choices.options[choices.options.len() - 1].clone();
            form.fields[i].set_value("");
            for c in name.chars() {
                form.edit(key(KeyCode::Char(c)));
            }
            assert_eq!(form.fields[i].choice_code(), Some(code), "{name}");
        }
    }
    assert!(seen >= 11, "the forms' choice fields were tried: {seen}");
}

#[test]
fn the_measure_deadline_is_a_date_field_that_says_why_beside_it() {
    use crate::i18n::Lang;
    let lang = Lang::ZhCn;
    let fresh = || {
        let mut f = report::measure_form("XJ2026-000001", 3, lang);
        type_into(&mut f, report::MEASURE, "paperwork");
        f
    };
    for (text, why) in [
        ("2026-02-30", "2026-02 只有 28 天"),
        ("abc", "不是日期"),
        ("2026-13-01", "13 月"),
    ] {
        let mut form = fresh();
        type_into(&mut form, report::DEADLINE, text);
        assert!(!form.validate(lang), "{text:?} should be refused");
        let beside = form
            .field(report::DEADLINE)
            .and_then(|f| f.error.clone())
            .unwrap_or_default();
        assert!(beside.contains(why), "{text:?}: {beside:?}");
        assert!(!beside.contains("deadline"), "no internal name: {beside:?}");
    }
    let mut form = fresh();
    type_into(&mut form, report::DEADLINE, "２０２６－１２－３１");
    assert!(form.validate(lang), "full-width digits are a date");
    match report::measure_command(&form, "XJ2026-000001") {
        Ok(FormCommand::Measure { entry, .. }) => assert_eq!(
            entry.deadline,
            NaiveDate::from_ymd_opt(2026, 12, 31),
            "the deadline read"
        ),
        other => panic!("{other:?}"),
    }
    let mut form = fresh();
    assert!(form.validate(lang), "no deadline is fine");
    match report::measure_command(&form, "XJ2026-000001") {
        Ok(FormCommand::Measure { entry, .. }) => assert_eq!(entry.deadline, None),
        other => panic!("{other:?}"),
    }
}
