//! Disposal (预警处置, DOMAIN.md §2 step 5): a borrower's risk case, its plans by warning level
//! and the actions that carry them out — their codes and the moves each state allows, as pure rules.
//!
//! Plans: an explanation (书面说明, yellow) needs no approval — it is in force (`approved`)
//! when requested and `fulfilled` when the borrower's explanation arrives. A rectification
//! (整改方案, orange) and an emergency plan (应急预案, red) are `draft` → `submitted` →
//! `approved` or `rejected`; an approved rectification ends `fulfilled` (every measure done)
//! or `failed` (its due date passed unfulfilled, or a supervisor marked it failed), which
//! escalates the case to red. Any plan not yet ended may be `cancelled`.
//!
//! Actions: `planned` → `in_progress` → `done` | `failed`; `planned` and `in_progress` may
//! also end `done`, `failed` or `cancelled` directly. Ended actions never move again.

use super::codes::code_enum;
use super::warning::Level;
use serde::{Deserialize, Serialize};

/// A case's level is a warning level: the worst among its warnings, raised by escalation.
pub type CaseLevel = Level;

/// The number a case is known by: `CZ2026-000001`.
pub fn case_number(year: i32, id: i64) -> String {
    format!("CZ{year}-{id:06}")
}

code_enum! {
    /// Whether a case is being worked.
    CaseStatus {
        Open => "open", "处置中", ["进行中"];
        Closed => "closed", "已结案", ["结案"];
    }
}

code_enum! {
    /// The plan a level calls for.
    PlanKind {
        Explanation => "explanation", "书面说明", ["说明"];
        Rectification => "rectification", "整改方案", ["整改"];
        Emergency => "emergency", "应急预案", ["应急"];
    }
}

impl PlanKind {
    /// The plan a case at `level` calls for.
    pub fn for_level(level: Level) -> PlanKind {
        match level {
            Level::Yellow => PlanKind::Explanation,
            Level::Orange => PlanKind::Rectification,
            Level::Red => PlanKind::Emergency,
        }
    }

    /// Whether the plan goes through submit and approve (an explanation does not).
    pub fn needs_approval(self) -> bool {
        self != PlanKind::Explanation
    }

    /// The status a new plan of this kind starts in.
    pub fn initial_status(self) -> PlanStatus {
        if self.needs_approval() {
            PlanStatus::Draft
        } else {
            PlanStatus::Approved
        }
    }
}

code_enum! {
    /// Where a plan is.
    PlanStatus {
        Draft => "draft", "草拟", [];
        Submitted => "submitted", "待审批", ["已提交"];
        Approved => "approved", "执行中", ["已批准"];
        Rejected => "rejected", "已退回", ["已拒绝"];
        Failed => "failed", "已失败", ["失败"];
        Fulfilled => "fulfilled", "已完成", ["完成"];
        Cancelled => "cancelled", "已撤销", ["撤销"];
    }
}

impl PlanStatus {
    /// Still to be decided or carried out (an open plan of a kind blocks a second one).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            PlanStatus::Draft | PlanStatus::Submitted | PlanStatus::Approved
        )
    }
}

code_enum! {
    /// A step in a plan's life.
    PlanMove {
        Submit => "submit", "提交", [];
        Approve => "approve", "批准", [];
        Reject => "reject", "退回", [];
        Fail => "fail", "认定失败", [];
        Fulfil => "fulfil", "完成", ["fulfill"];
        Cancel => "cancel", "撤销", [];
    }
}

/// A move the state machine refuses: which record, from which state, by which move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {what} that is {from} cannot be {mv}")]
pub struct DisposalMoveError {
    /// `plan` or `action`.
    pub what: &'static str,
    pub from: &'static str,
    pub mv: &'static str,
}

impl PlanMove {
    /// The status after this move on a plan of `kind` in `from`, or why not.
    pub fn check(self, kind: PlanKind, from: PlanStatus) -> Result<PlanStatus, DisposalMoveError> {
        use PlanStatus::*;
        let to = match (self, from) {
            (PlanMove::Submit, Draft) if kind.needs_approval() => Some(Submitted),
            (PlanMove::Approve, Submitted) => Some(Approved),
            (PlanMove::Reject, Submitted) => Some(Rejected),
            (PlanMove::Fail, Approved) if kind == PlanKind::Rectification => Some(Failed),
            (PlanMove::Fulfil, Approved) => Some(Fulfilled),
            (PlanMove::Cancel, s) if s.is_open() => Some(Cancelled),
            _ => None,
        };
        to.ok_or(DisposalMoveError {
            what: "plan",
            from: from.code(),
            mv: self.code(),
        })
    }
}

code_enum! {
    /// What an action does (the measures of a rectification, the steps of an emergency plan).
    ActionKind {
        Explanation => "explanation", "书面说明", [];
        RectificationMeasure => "rectification_measure", "整改措施", ["measure", "整改"];
        AdditionalCollateral => "additional_collateral", "追加担保", ["collateral"];
        StopDrawdown => "stop_drawdown", "停止提款", ["停止用信"];
        EarlyRecall => "early_recall", "提前收回", ["recall"];
        LegalAction => "legal_action", "诉讼", ["lawsuit", "起诉"];
        AssetPreservation => "asset_preservation", "财产保全", ["保全"];
        AssetWatch => "asset_watch", "资产监控", ["监控资产转移"];
        Other => "other", "其他", [];
    }
}

code_enum! {
    /// Where an action is.
    ActionStatus {
        Planned => "planned", "计划", ["待办"];
        InProgress => "in_progress", "进行中", [];
        Done => "done", "已完成", ["完成"];
        Failed => "failed", "未完成", ["失败"];
        Cancelled => "cancelled", "已取消", ["取消"];
    }
}

impl ActionStatus {
    /// Still to be carried out: counts for deadlines, blocks closing the case.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::InProgress)
    }
}

code_enum! {
    /// A step in an action's life.
    ActionMove {
        Start => "start", "开始", [];
        Done => "done", "完成", ["finish"];
        Fail => "fail", "未完成", [];
        Cancel => "cancel", "取消", [];
    }
}

impl ActionMove {
    /// The status after this move from `from`, or why not.
    pub fn check(self, from: ActionStatus) -> Result<ActionStatus, DisposalMoveError> {
        use ActionStatus::*;
        let to = match (self, from) {
            (ActionMove::Start, Planned) => Some(InProgress),
            (ActionMove::Done, s) if s.is_open() => Some(Done),
            (ActionMove::Fail, s) if s.is_open() => Some(Failed),
            (ActionMove::Cancel, s) if s.is_open() => Some(Cancelled),
            _ => None,
        };
        to.ok_or(DisposalMoveError {
            what: "action",
            from: from.code(),
            mv: self.code(),
        })
    }

    /// Whether the move must say what came of it (a failure says why).
    pub fn needs_outcome(self) -> bool {
        matches!(self, ActionMove::Fail | ActionMove::Cancel)
    }
}

/// Days an action is overdue on `today` (0 when not yet due or already ended).
pub fn overdue_days(
    deadline: chrono::NaiveDate,
    status: ActionStatus,
    today: chrono::NaiveDate,
) -> i64 {
    if status.is_open() && deadline < today {
        (today - deadline).num_days()
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn each_level_calls_for_its_plan_and_only_explanations_skip_approval() {
        assert_eq!(PlanKind::for_level(Level::Yellow), PlanKind::Explanation);
        assert_eq!(PlanKind::for_level(Level::Orange), PlanKind::Rectification);
        assert_eq!(PlanKind::for_level(Level::Red), PlanKind::Emergency);
        assert_eq!(PlanKind::Explanation.initial_status(), PlanStatus::Approved);
        assert_eq!(PlanKind::Rectification.initial_status(), PlanStatus::Draft);
        assert_eq!(PlanKind::Emergency.initial_status(), PlanStatus::Draft);
    }

    /// Every move from every status of every kind, against the table written out by hand.
    #[test]
    fn plan_moves_are_exactly_the_documented_ones() {
        use PlanMove as M;
        use PlanStatus as S;
        for kind in PlanKind::ALL {
            for from in PlanStatus::ALL {
                for mv in PlanMove::ALL {
                    let want = match (mv, from) {
                        (M::Submit, S::Draft) if *kind != PlanKind::Explanation => {
                            Some(S::Submitted)
                        }
                        (M::Approve, S::Submitted) => Some(S::Approved),
                        (M::Reject, S::Submitted) => Some(S::Rejected),
                        (M::Fail, S::Approved) if *kind == PlanKind::Rectification => {
                            Some(S::Failed)
                        }
                        (M::Fulfil, S::Approved) => Some(S::Fulfilled),
                        (M::Cancel, S::Draft | S::Submitted | S::Approved) => Some(S::Cancelled),
                        _ => None,
                    };
                    assert_eq!(
                        mv.check(*kind, *from).ok(),
                        want,
                        "{kind:?} {from:?} {mv:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ended_plans_never_move_and_the_refusal_names_state_and_move() {
        for from in [
            PlanStatus::Rejected,
            PlanStatus::Failed,
            PlanStatus::Fulfilled,
            PlanStatus::Cancelled,
        ] {
            for mv in PlanMove::ALL {
                let e = mv.check(PlanKind::Rectification, from).expect_err("ended");
                assert_eq!((e.what, e.from, e.mv), ("plan", from.code(), mv.code()));
            }
        }
    }

    #[test]
    fn action_moves_are_exactly_the_documented_ones() {
        use ActionMove as M;
        use ActionStatus as S;
        for from in ActionStatus::ALL {
            for mv in ActionMove::ALL {
                let want = match (mv, from) {
                    (M::Start, S::Planned) => Some(S::InProgress),
                    (M::Done, S::Planned | S::InProgress) => Some(S::Done),
                    (M::Fail, S::Planned | S::InProgress) => Some(S::Failed),
                    (M::Cancel, S::Planned | S::InProgress) => Some(S::Cancelled),
                    _ => None,
                };
                assert_eq!(mv.check(*from).ok(), want, "{from:?} {mv:?}");
            }
        }
        assert!(ActionMove::Fail.needs_outcome());
        assert!(!ActionMove::Done.needs_outcome());
    }

    #[test]
    fn overdue_days_count_only_open_actions_past_their_deadline() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let deadline = d("2026-02-27");
        assert_eq!(
            overdue_days(deadline, ActionStatus::Planned, d("2026-03-01")),
            2,
            "across February's end"
        );
        assert_eq!(
            overdue_days(deadline, ActionStatus::Planned, deadline),
            0,
            "due today is not overdue"
        );
        assert_eq!(
            overdue_days(deadline, ActionStatus::Done, d("2026-03-10")),
            0
        );
    }

    #[test]
    fn codes_parse_from_english_and_chinese() {
        assert_eq!(
            ActionKind::parse("追加担保"),
            Some(ActionKind::AdditionalCollateral)
        );
        assert_eq!(
            ActionKind::parse("early-recall"),
            Some(ActionKind::EarlyRecall)
        );
        assert_eq!(PlanKind::parse("应急预案"), Some(PlanKind::Emergency));
        assert_eq!(CaseStatus::parse("closed"), Some(CaseStatus::Closed));
        assert_eq!(case_number(2026, 1), "CZ2026-000001");
    }
}
