//! The checklist score of an inspection report as commands: the author scores items (or
//! clears them) under the same rules as writing a section, and the final approval of a report
//! whose score is below the configured line raises a warning on its loan, in its transaction.

use super::inspection::editable;
use super::{Actor, Result, WorkflowError};
use crate::domain::checklist::{Checklist, PointsError, Score};
use crate::domain::warning::RiskType;
use crate::store::{InspectionState, NewWarning, Store, Tx};
use chrono::NaiveDate;
use serde_json::json;

/// The warning's indicator code (its name is `indicator.inspection_score`).
pub const INDICATOR: &str = "inspection_score";
/// The warning's origin: raised by an approved inspection report, neither the engine's
/// evaluation nor a person's hand (`origin.inspection`).
pub const ORIGIN: &str = "inspection";

/// One item's points as typed: `None` clears the item (unscored again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPoints {
    pub code: String,
    pub points: Option<String>,
}

/// Scores (or clears) checklist items of report `number`, against the version shown.
/// Returns the report's score after the change.
pub fn score(
    store: &mut Store,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    items: &[ItemPoints],
    checklist: &Checklist,
) -> Result<Score> {
    super::execute(store, actor, |tx| {
        score_in(tx, actor, number, expected, items, checklist)
    })
}

/// [`score`] in the caller's transaction: the author alone, while the report can be edited,
/// a stale version refused; every item is checked before anything is written.
pub fn score_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    number: &str,
    expected: Option<i64>,
    items: &[ItemPoints],
    checklist: &Checklist,
) -> Result<Score> {
    let st = editable(tx, actor, number, expected)?;
    if items.is_empty() {
        return Err(WorkflowError::rule("checklist_err.nothing", &[]));
    }
    let mut parsed = Vec::with_capacity(items.len());
    for it in items {
        let Some(item) = checklist.item(it.code.trim()) else {
            let known: Vec<&str> = checklist.items.iter().map(|i| i.code.as_str()).collect();
            return Err(WorkflowError::rule(
                "checklist_err.unknown_item",
                &[("item", &it.code), ("known", &known.join(", "))],
            ));
        };
        let points = match &it.points {
            None => None,
            Some(text) => Some(checklist.parse_points(&item.code, text).map_err(|e| {
                let key = match e {
                    PointsError::TooPrecise => "checklist_err.too_precise",
                    PointsError::OutOfRange => "checklist_err.out_of_range",
                    PointsError::NotANumber | PointsError::UnknownItem => {
                        "checklist_err.not_a_number"
                    }
                };
                WorkflowError::rule(
                    key,
                    &[("item", &item.code), ("value", text), ("max", &item.weight)],
                )
            })?),
        };
        parsed.push((item.code.clone(), points));
    }
    for (code, points) in &parsed {
        tx.set_checklist_points(st.id, st.report_version, code, *points, &actor.username)?;
    }
    tx.update_inspection(st.id, st.version, &[], &actor.username)?;
    let score = checklist.score(&tx.checklist_in_tx(st.id, st.report_version)?);
    let detail: Vec<_> = parsed
        .iter()
        .map(|(c, p)| json!({"item": c, "points": p.map(|p| p.to_string())}))
        .collect();
    tx.audit(
        &actor.username,
        "inspections.score",
        "inspection",
        &st.number,
        &json!({"report_version": st.report_version, "items": detail, "score": score_json(score)}),
    )?;
    Ok(score)
}

fn score_json(s: Score) -> serde_json::Value {
    match s {
        Score::Complete(d) => json!(d.to_string()),
        _ => serde_json::Value::Null,
    }
}

/// At a report's final approval: a complete score below the line raises a warning on the
/// loan (level from config). An open warning of this indicator on the loan is kept as it is
/// (never a second one); the new score goes into its history. Returns the warning's number
/// when one was raised or noted.
pub(super) fn warn_below_line_in(
    tx: &mut Tx<'_>,
    actor: &Actor,
    st: &InspectionState,
    checklist: &Checklist,
    today: NaiveDate,
) -> Result<Option<String>> {
    let Score::Complete(score) = checklist.score(&tx.checklist_in_tx(st.id, st.report_version)?)
    else {
        return Ok(None);
    };
    if !checklist.below_line(score) {
        return Ok(None);
    }
    let reason = format!(
        "score {} < {} ({})",
        score.normalize(),
        checklist.line.normalize(),
        st.number
    );
    if let Some((id, number)) = tx.open_warning_of(st.loan_id, ORIGIN, INDICATOR)? {
        tx.warning_event(
            id,
            today,
            &actor.username,
            "rescored",
            None,
            Some(score),
            &reason,
        )?;
        tx.audit(
            &actor.username,
            "warnings.rescored",
            "warning",
            &number,
            &json!({"inspection": st.number, "score": score.to_string(), "line": checklist.line.to_string()}),
        )?;
        return Ok(Some(number));
    }
    let nw = NewWarning {
        loan_id: st.loan_id,
        origin: ORIGIN,
        indicator: INDICATOR,
        level: checklist.warning_level,
        risk_type: RiskType::Credit,
        value: Some(score),
        threshold: Some(checklist.line),
        unit: None,
        source: None,
        reason: &reason,
        raised_on: today,
    };
    let (_, number) = tx.insert_warning(&nw, &actor.username)?;
    tx.audit(
        &actor.username,
        "warnings.raise",
        "warning",
        &number,
        &json!({"inspection": st.number, "indicator": INDICATOR, "level": checklist.warning_level.code(), "score": score.to_string(), "line": checklist.line.to_string()}),
    )?;
    // The new signal joins its borrower's risk case (step 5).
    super::disposal::group_loan_in(tx, &actor.username, st.loan_id, today)?;
    Ok(Some(number))
}

/// The score as a report, a screen and a command say it: "评分 72.5 / 100（警戒线 60）",
/// "未评分" or "不完整（5/8 项）".
pub fn score_text(score: Score, checklist: &Checklist, lang: crate::i18n::Lang) -> String {
    match score {
        Score::Unscored => lang.t("checklist.unscored").to_string(),
        Score::Incomplete { scored, items } => lang.tf(
            "checklist.incomplete",
            &[("scored", &scored), ("items", &items)],
        ),
        Score::Complete(s) => {
            let key = if checklist.below_line(s) {
                "checklist.score_below"
            } else {
                "checklist.score"
            };
            lang.tf(
                key,
                &[
                    ("score", &s.normalize()),
                    ("line", &checklist.line.normalize()),
                ],
            )
        }
    }
}

/// Each configured item with its points (`None`: not scored), in the checklist's order.
pub fn rows<'a>(
    checklist: &'a Checklist,
    points: &[(String, rust_decimal::Decimal)],
) -> Vec<(
    &'a crate::domain::checklist::ChecklistItem,
    Option<rust_decimal::Decimal>,
)> {
    checklist
        .items
        .iter()
        .map(|i| {
            let p = points.iter().find(|(c, _)| *c == i.code).map(|(_, p)| *p);
            (i, p)
        })
        .collect()
}
