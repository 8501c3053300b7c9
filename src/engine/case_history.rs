//! A risk case's history in words, shared by `postloan case show` and the case screen: each
//! event one sentence in the user's language, its codes named, its empty parts left out.
//! Pure: the caller escapes free text for its output (Markdown, a terminal cell).

use crate::i18n::Lang;

/// The sentence for one event of the case history: `event` with the `reference` it concerns
/// (a warning, plan, action, document or contract; a level change `orange>red`) and its
/// `note` (a code the engine wrote, a person's text, a count, an amount). `text` makes free
/// text safe for the output (it gets references and persons' notes, never our own words).
pub fn sentence(
    event: &str,
    reference: &str,
    note: &str,
    lang: Lang,
    text: &dyn Fn(&str) -> String,
) -> String {
    let key = format!("case_history.{event}");
    if lang.t(&key) == key {
        // An event this build has no sentence for: its name, then what it carries.
        let parts = [
            lang.code_name("case_event", event),
            text(reference.trim()),
            note_text(note, lang, text),
        ];
        return parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let plain = |s: &str| s.trim().trim_start_matches('#').to_string();
    let (from, to) = reference.split_once('>').unwrap_or(("", ""));
    let n: i64 = note.trim().parse().unwrap_or(0);
    let code = |group: &str| lang.code_name(group, note.trim());
    let head = lang.tf(
        &key,
        &[
            ("ref", &text(&plain(reference))),
            ("from", &lang.code_name("level", from)),
            ("to", &lang.code_name("level", to)),
            ("n", &n),
            ("kind", &code("plan_kind")),
            ("action", &code("action_kind")),
            ("freq", &lang.code_name("freq", reference.trim())),
            ("channel", &code("demand_channel")),
            ("step", &code("legal_event")),
            ("note", &text(note.trim())),
        ],
    );
    // The note is said inside the sentence for these; for the others it is the reason or
    // outcome after it, when there is one.
    let carried = matches!(
        event,
        "opened"
            | "plan_created"
            | "plan_submitted"
            | "action_added"
            | "explanation_arrived"
            | "tracking_tightened"
            | "demand"
            | "legal"
            | "recovery"
            | "write_off"
            | "collateral_added"
    );
    let why = if carried {
        String::new()
    } else {
        note_text(note, lang, text)
    };
    if why.is_empty() {
        head
    } else {
        lang.tf("case_history.because", &[("head", &head), ("why", &why)])
    }
}

/// A note as words: a code the engine wrote (a reason, a kind) by its name; a person's
/// text as it is (made safe by `text`); nothing for an empty note.
fn note_text(note: &str, lang: Lang, text: &dyn Fn(&str) -> String) -> String {
    let note = note.trim();
    if note.is_empty() {
        return String::new();
    }
    for group in [
        "case_note",
        "plan_kind",
        "action_kind",
        "freq",
        "demand_channel",
        "legal_event",
        "indicator",
        "signal",
    ] {
        let key = format!("{group}.{note}");
        if lang.t(&key) != key {
            return lang.t(&key).to_string();
        }
    }
    text(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [(&str, &str, &str); 30] = [
        ("opened", "", "9"),
        ("opened", "", "1"),
        ("warning_joined", "YJ2026-001322", ""),
        ("level_raised", "orange>red", "rectification_failed"),
        ("escalated", "", "rectification_failed"),
        ("plan_created", "2", "rectification"),
        ("plan_submitted", "2", "emergency"),
        ("plan_approved", "2", "同意整改方案"),
        ("plan_approved", "2", ""),
        ("plan_rejected", "2", "措施不具体"),
        ("plan_cancelled", "2", ""),
        ("plan_failed", "1", "deadline"),
        ("plan_fulfilled", "1", "case_closed"),
        ("explanation_arrived", "3", "2026-09-10"),
        ("notice", "ZGTZ2026-000001", ""),
        ("progress", "2", ""),
        ("closed", "", "本息全额收回"),
        ("action_added", "#4", "additional_collateral"),
        ("action_start", "#4", ""),
        ("action_done", "#5", "已送达"),
        ("action_fail", "#1", "plan_failed"),
        ("action_cancel", "#6", ""),
        ("action_note", "#6", "已查询"),
        ("tracking_tightened", "monthly", "PLJN-240315"),
        ("demand", "PLJN-240315", "letter"),
        ("legal", "PLJN-240315", "suit"),
        ("recovery", "PLJN-240315", "¥5,000,000.00"),
        ("recall", "PLJN-240315", "未能追加担保"),
        ("loan_closed", "PLJN-240315", ""),
        ("write_off", "PLJN-240315", "¥1.00"),
    ];

    #[test]
    fn every_history_line_is_a_sentence_without_raw_codes_or_double_spaces() {
        let same = |s: &str| s.to_string();
        for lang in [Lang::ZhCn, Lang::En] {
            for (event, reference, note) in EVENTS {
                let s = sentence(event, reference, note, lang, &same);
                assert!(!s.contains("  "), "{lang:?} {event}: double space in {s:?}");
                assert_eq!(s, s.trim(), "{lang:?} {event}: {s:?}");
                assert!(!s.contains('{'), "{lang:?} {event}: a placeholder in {s:?}");
                assert!(!s.contains("##"), "{lang:?} {event}: {s:?}");
                for raw in [
                    "rectification_failed",
                    "case_closed",
                    "plan_failed",
                    "additional_collateral",
                    "orange>red",
                    "case_history.",
                ] {
                    assert!(!s.contains(raw), "{lang:?} {event}: raw {raw} in {s:?}");
                }
                if event == "progress" {
                    assert!(!s.contains('2'), "{lang:?}: the report's row id in {s:?}");
                }
                if !note.is_empty() && !note.is_ascii() {
                    assert!(
                        s.contains(note),
                        "{lang:?} {event}: the note is lost: {s:?}"
                    );
                }
            }
        }
        let en = |e: &str, r: &str, n: &str| sentence(e, r, n, Lang::En, &same);
        assert_eq!(en("opened", "", "1"), "Case opened on 1 warning");
        assert_eq!(en("opened", "", "9"), "Case opened on 9 warnings");
        assert_eq!(
            en("escalated", "", "rectification_failed"),
            "Case escalated: the rectification failed"
        );
        assert_eq!(
            en("notice", "ZGTZ2026-000001", ""),
            "Notice ZGTZ2026-000001 issued"
        );
        assert_eq!(en("progress", "2", ""), "Progress report added");
        assert_eq!(
            en("level_raised", "orange>red", "rectification_failed"),
            "Level raised from Orange to Red: the rectification failed"
        );
        let zh = |e: &str, r: &str, n: &str| sentence(e, r, n, Lang::ZhCn, &same);
        assert_eq!(zh("action_done", "#5", "已送达"), "措施 #5 完成：已送达");
        assert_eq!(zh("action_start", "#4", ""), "措施 #4 开始执行");
    }

    #[test]
    fn free_text_goes_through_the_callers_escape_and_our_words_do_not() {
        let md = |s: &str| s.replace('*', "\\*");
        let s = sentence("plan_approved", "2", "*ok*", Lang::En, &md);
        assert_eq!(s, "Plan #2 approved: \\*ok\\*");
    }
}
