//! The floors over many loans: each loan's own floor, then borrower contagion over the
//! borrower's loans, and what the nightly check does with each loan's floor proposal. Pure.
//!
//! Contagion counts the classes the loans will have once their own floors apply (the worse
//! of the current class and the own floor), not the current classes alone: the regulator's
//! intent is the resulting classes, and a loan 95 days overdue but still 正常 in the book is
//! non-performing in substance. For the loan being judged, only its own floor counts, not its
//! current class (so an upgrade is judged on the others). Pending proposals are not counted.

use crate::domain::Classification;
use crate::domain::classification::{
    ClassificationRules, Floor, FloorFacts, floor_of, observation_period, own_floor,
};
use crate::i18n::Lang;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// One loan as the floors need it, as of the classification date.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassifyLoan {
    pub id: i64,
    pub borrower_id: i64,
    pub disbursed_on: NaiveDate,
    pub matures_on: NaiveDate,
    pub class: Classification,
    pub outstanding: Decimal,
    /// Days past due of the latest repayment status on or before the date.
    pub status_dpd: i64,
}

/// The pending floor proposal of a loan.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenFloorProposal {
    pub id: i64,
    pub to_class: Classification,
    pub floor_reason: String,
    pub floor_value: String,
    pub floor_limit: String,
}

/// The few loans with a fact a floor looks at, read once for a whole run (they are few; the
/// loans themselves are read a chunk at a time).
#[derive(Debug, Clone, Default)]
pub struct FloorSignals {
    /// Loans with an open fund-diversion warning raised by the date.
    pub diversion: HashSet<i64>,
    /// Loans recorded credit-impaired by the date.
    pub impaired: HashSet<i64>,
    /// Loans restructured by the date: the latest restructuring, and the due dates of
    /// payments missed since (from the repayment status: as-of date less days past due).
    pub restructured: HashMap<i64, (NaiveDate, Vec<NaiveDate>)>,
    /// Pending floor proposals, by loan.
    pub open: HashMap<i64, OpenFloorProposal>,
}

/// The facts of one loan's own floors (contagion left out) on `as_of`.
pub fn own_facts(
    loan: &ClassifyLoan,
    signals: &FloorSignals,
    as_of: NaiveDate,
    rules: &ClassificationRules,
) -> FloorFacts {
    let restructured = signals
        .restructured
        .get(&loan.id)
        .is_some_and(|(on, missed)| {
            observation_period(loan.disbursed_on, *on, missed, rules).holds_on(as_of)
        });
    FloorFacts {
        dpd: super::dpd_as_of(loan.status_dpd, loan.outstanding, loan.matures_on, as_of),
        diversion: signals.diversion.contains(&loan.id),
        impaired: signals.impaired.contains(&loan.id),
        restructured,
        borrower_npl_share: None,
    }
}

/// Every loan's floor, contagion included. `loans` come grouped by borrower (whole
/// borrowers, as the store's `classify_chunk` reads them).
pub fn floors(
    loans: &[ClassifyLoan],
    signals: &FloorSignals,
    as_of: NaiveDate,
    rules: &ClassificationRules,
) -> Vec<Option<Floor>> {
    let facts: Vec<FloorFacts> = loans
        .iter()
        .map(|l| own_facts(l, signals, as_of, rules))
        .collect();
    let mut out = Vec::with_capacity(loans.len());
    let mut start = 0;
    while start < loans.len() {
        let borrower = loans[start].borrower_id;
        let end = loans[start..]
            .iter()
            .position(|l| l.borrower_id != borrower)
            .map_or(loans.len(), |n| start + n);
        let mut total = Decimal::ZERO;
        let mut npl = Decimal::ZERO;
        // Per loan: whether its resulting class is non-performing, and whether its own floor is.
        let mut marks = Vec::with_capacity(end - start);
        for (l, f) in loans[start..end].iter().zip(&facts[start..end]) {
            let own = own_floor(f, rules).map_or(Classification::Pass, |fl| fl.at_least);
            let resulting = l.class.max(own).is_non_performing();
            total = total.saturating_add(l.outstanding);
            if resulting {
                npl = npl.saturating_add(l.outstanding);
            }
            marks.push((resulting, own.is_non_performing()));
        }
        for ((l, f), (resulting, own_npl)) in
            loans[start..end].iter().zip(&facts[start..end]).zip(marks)
        {
            // A loan's own class does not hold itself down: its share counts the others'
            // resulting classes and its own floor only (else an NPL loan alone at its
            // borrower could never leave non-performing).
            let mut share_npl = npl;
            if resulting {
                share_npl = share_npl.saturating_sub(l.outstanding);
            }
            if own_npl {
                share_npl = share_npl.saturating_add(l.outstanding);
            }
            let share =
                (total > Decimal::ZERO).then(|| share_npl.checked_div(total).unwrap_or_default());
            let f = FloorFacts {
                borrower_npl_share: share,
                ..*f
            };
            out.push(floor_of(&f, rules));
        }
        start = end;
    }
    out
}

/// What the nightly check does with one loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorAction {
    /// Better than its floor, no floor proposal yet: open one.
    Open(Floor),
    /// Its floor proposal names another floor: move it.
    Update(i64, Floor),
    /// Its floor proposal stands as it is.
    Keep,
    /// At or below its floor, yet a floor proposal is pending: close it as superseded.
    Supersede(i64),
    /// At or below its floor and nothing pending.
    Nothing,
}

/// The action for a loan in `class` with `floor` and its pending floor proposal `open`.
pub fn action(
    class: Classification,
    floor: Option<Floor>,
    open: Option<&OpenFloorProposal>,
) -> FloorAction {
    match (floor.filter(|f| class < f.at_least), open) {
        (Some(f), None) => FloorAction::Open(f),
        (Some(f), Some(p)) => {
            let (value, limit) = f.reason.value_and_limit();
            if p.to_class == f.at_least
                && p.floor_reason == f.reason.code()
                && p.floor_value == value
                && p.floor_limit == limit
            {
                FloorAction::Keep
            } else {
                FloorAction::Update(p.id, f)
            }
        }
        (None, Some(p)) => FloorAction::Supersede(p.id),
        (None, None) => FloorAction::Nothing,
    }
}

/// A floor as a sentence: "DPD 95 > 90: at least Substandard" / "DPD 95 > 90：至少次级".
pub fn floor_text(lang: Lang, class: &str, reason: &str, value: &str, limit: &str) -> String {
    lang.tf(
        &format!("classification_floor.{reason}"),
        &[
            ("value", &value),
            ("limit", &limit),
            ("class", &lang.code_name("class", class)),
        ],
    )
}

/// [`floor_text`] of a computed floor.
pub fn floor_sentence(lang: Lang, floor: &Floor) -> String {
    let (v, l) = floor.reason.value_and_limit();
    floor_text(lang, floor.at_least.code(), floor.reason.code(), &v, &l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::classification::FloorReason;
    use Classification::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn loan(id: i64, borrower: i64, class: Classification, out: i64, dpd: i64) -> ClassifyLoan {
        ClassifyLoan {
            id,
            borrower_id: borrower,
            disbursed_on: d("2025-01-10"),
            matures_on: d("2028-01-10"),
            class,
            outstanding: Decimal::from(out),
            status_dpd: dpd,
        }
    }

    #[test]
    fn contagion_counts_the_resulting_classes_of_the_borrower() {
        let rules = ClassificationRules::default();
        let s = FloorSignals::default();
        let on = d("2026-06-30");
        // Borrower 1: 11 of 100 non-performing through a floor (DPD 95) → all at least 次级.
        // Borrower 2: exactly 10 of 100 → none.
        let loans = [
            loan(1, 1, Pass, 89, 0),
            loan(2, 1, Pass, 11, 95),
            loan(3, 2, Pass, 90, 0),
            loan(4, 2, Substandard, 10, 0),
        ];
        let f = floors(&loans, &s, on, &rules);
        assert_eq!(f[0].map(|f| f.at_least), Some(Substandard));
        assert_eq!(f[0].map(|f| f.reason.code()), Some("contagion"));
        assert_eq!(
            f[1].map(|f| f.reason),
            Some(FloorReason::OverdueSubstandard { dpd: 95, limit: 90 })
        );
        assert_eq!(f[2], None);
        assert_eq!(f[3], None);
    }

    #[test]
    fn the_action_follows_the_floor_and_the_open_proposal() {
        let f = Floor {
            at_least: Substandard,
            reason: FloorReason::OverdueSubstandard { dpd: 95, limit: 90 },
        };
        assert_eq!(action(Pass, Some(f), None), FloorAction::Open(f));
        assert_eq!(action(Substandard, Some(f), None), FloorAction::Nothing);
        assert_eq!(action(Loss, Some(f), None), FloorAction::Nothing);
        let open = OpenFloorProposal {
            id: 7,
            to_class: Substandard,
            floor_reason: "overdue_substandard".into(),
            floor_value: "95".into(),
            floor_limit: "90".into(),
        };
        assert_eq!(action(Pass, Some(f), Some(&open)), FloorAction::Keep);
        let moved = Floor {
            at_least: Substandard,
            reason: FloorReason::OverdueSubstandard { dpd: 96, limit: 90 },
        };
        assert_eq!(
            action(Pass, Some(moved), Some(&open)),
            FloorAction::Update(7, moved)
        );
        assert_eq!(
            action(Substandard, Some(f), Some(&open)),
            FloorAction::Supersede(7)
        );
        assert_eq!(action(Pass, None, Some(&open)), FloorAction::Supersede(7));
    }

    #[test]
    fn the_floor_reads_in_both_languages() {
        let f = Floor {
            at_least: Substandard,
            reason: FloorReason::OverdueSubstandard { dpd: 95, limit: 90 },
        };
        assert_eq!(
            floor_sentence(Lang::En, &f),
            "DPD 95 > 90: at least Substandard"
        );
        assert_eq!(floor_sentence(Lang::ZhCn, &f), "DPD 95 > 90：至少次级");
    }
}
