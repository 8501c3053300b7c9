//! Warnings (预警): their levels, risk types, the non-financial signals raised by hand, and
//! the lifecycle open → acknowledged → in disposal → resolved, or dismissed.

use super::codes::Role;
use serde::{Deserialize, Serialize};

/// Warning level; `Ord` follows danger: `Yellow < Orange < Red`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Yellow,
    Orange,
    Red,
}

impl Level {
    /// Mildest first (rules list thresholds in this order).
    pub const ALL: [Level; 3] = [Level::Yellow, Level::Orange, Level::Red];
    /// Board order: red first.
    pub const BOARD: [Level; 3] = [Level::Red, Level::Orange, Level::Yellow];

    pub fn code(self) -> &'static str {
        match self {
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::Yellow => "黄色",
            Level::Orange => "橙色",
            Level::Red => "红色",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "yellow" | "黄色" | "黄" | "low" => Some(Level::Yellow),
            "orange" | "橙色" | "橙" | "medium" => Some(Level::Orange),
            "red" | "红色" | "红" | "high" => Some(Level::Red),
            _ => None,
        }
    }

    /// Board order: red 0, orange 1, yellow 2 (stored, so SQL orders red first).
    pub fn board_order(self) -> i64 {
        match self {
            Level::Red => 0,
            Level::Orange => 1,
            Level::Yellow => 2,
        }
    }

    pub fn from_board_order(n: i64) -> Option<Level> {
        match n {
            0 => Some(Level::Red),
            1 => Some(Level::Orange),
            2 => Some(Level::Yellow),
            _ => None,
        }
    }
}

/// Risk type of a warning (DOMAIN.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskType {
    Credit,
    Market,
    Operational,
}

impl RiskType {
    pub const ALL: [RiskType; 3] = [RiskType::Credit, RiskType::Market, RiskType::Operational];

    pub fn code(self) -> &'static str {
        match self {
            RiskType::Credit => "credit",
            RiskType::Market => "market",
            RiskType::Operational => "operational",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            RiskType::Credit => "信用",
            RiskType::Market => "市场",
            RiskType::Operational => "操作",
        }
    }

    pub fn parse(text: &str) -> Option<RiskType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "credit" | "信用" | "信用风险" => Some(RiskType::Credit),
            "market" | "市场" | "市场风险" => Some(RiskType::Market),
            "operational" | "operation" | "操作" | "操作风险" => Some(RiskType::Operational),
            _ => None,
        }
    }
}

/// Where a warning is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningStatus {
    Open,
    Acknowledged,
    InDisposal,
    Resolved,
    Dismissed,
}

impl WarningStatus {
    pub const ALL: [WarningStatus; 5] = [
        WarningStatus::Open,
        WarningStatus::Acknowledged,
        WarningStatus::InDisposal,
        WarningStatus::Resolved,
        WarningStatus::Dismissed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WarningStatus::Open => "open",
            WarningStatus::Acknowledged => "acknowledged",
            WarningStatus::InDisposal => "in_disposal",
            WarningStatus::Resolved => "resolved",
            WarningStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(text: &str) -> Option<WarningStatus> {
        let t = text.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|s| s.code() == t)
            .or(match text.trim() {
                "待处理" | "未处理" => Some(WarningStatus::Open),
                "已确认" => Some(WarningStatus::Acknowledged),
                "处置中" => Some(WarningStatus::InDisposal),
                "已解除" => Some(WarningStatus::Resolved),
                "已撤销" => Some(WarningStatus::Dismissed),
                _ => None,
            })
    }

    /// Still needs someone's attention.
    pub fn is_active(self) -> bool {
        !matches!(self, WarningStatus::Resolved | WarningStatus::Dismissed)
    }
}

/// A move in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningMove {
    Acknowledge,
    StartDisposal,
    Resolve,
    Dismiss,
}

/// Why a move is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("a warning that is {from} cannot be {to}")]
    NotFromHere {
        from: &'static str,
        to: &'static str,
    },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("only a supervisor or manager may dismiss a warning")]
    NeedsSupervisor,
    #[error("auditors cannot change warnings")]
    ReadOnly,
    #[error(
        "the indicator is still beyond its threshold: it cannot be resolved yet (a supervisor may dismiss it)"
    )]
    StillTriggered,
}

impl WarningMove {
    pub fn code(self) -> &'static str {
        match self {
            WarningMove::Acknowledge => "acknowledged",
            WarningMove::StartDisposal => "in_disposal",
            WarningMove::Resolve => "resolved",
            WarningMove::Dismiss => "dismissed",
        }
    }

    pub fn target(self) -> WarningStatus {
        match self {
            WarningMove::Acknowledge => WarningStatus::Acknowledged,
            WarningMove::StartDisposal => WarningStatus::InDisposal,
            WarningMove::Resolve => WarningStatus::Resolved,
            WarningMove::Dismiss => WarningStatus::Dismissed,
        }
    }

    /// Checks a move: from which status, by which role, with what reason. `still_triggered`
    /// is true for a system warning whose indicator is not back inside its threshold.
    pub fn check(
        self,
        from: WarningStatus,
        role: Role,
        reason: &str,
        still_triggered: bool,
    ) -> Result<WarningStatus, MoveError> {
        use WarningStatus::*;
        if role == Role::Auditor {
            return Err(MoveError::ReadOnly);
        }
        let allowed = match self {
            WarningMove::Acknowledge => from == Open,
            WarningMove::StartDisposal => matches!(from, Open | Acknowledged),
            WarningMove::Resolve | WarningMove::Dismiss => from.is_active(),
        };
        if !allowed {
            return Err(MoveError::NotFromHere {
                from: from.code(),
                to: self.code(),
            });
        }
        if matches!(self, WarningMove::Resolve | WarningMove::Dismiss) && reason.trim().is_empty() {
            return Err(MoveError::ReasonRequired);
        }
        if self == WarningMove::Dismiss && !matches!(role, Role::Supervisor | Role::Manager) {
            return Err(MoveError::NeedsSupervisor);
        }
        if self == WarningMove::Resolve && still_triggered {
            return Err(MoveError::StillTriggered);
        }
        Ok(self.target())
    }
}

/// Non-financial signals, raised by hand (DOMAIN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManualSignal {
    Litigation,
    ControllerChange,
    AccountsFrozen,
    KeyPersonMissing,
    Shutdown,
    CreditCut,
    Other,
}

impl ManualSignal {
    pub const ALL: [ManualSignal; 7] = [
        ManualSignal::Litigation,
        ManualSignal::ControllerChange,
        ManualSignal::AccountsFrozen,
        ManualSignal::KeyPersonMissing,
        ManualSignal::Shutdown,
        ManualSignal::CreditCut,
        ManualSignal::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ManualSignal::Litigation => "litigation",
            ManualSignal::ControllerChange => "controller_change",
            ManualSignal::AccountsFrozen => "accounts_frozen",
            ManualSignal::KeyPersonMissing => "key_person_missing",
            ManualSignal::Shutdown => "shutdown",
            ManualSignal::CreditCut => "credit_cut",
            ManualSignal::Other => "other",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ManualSignal::Litigation => "涉诉",
            ManualSignal::ControllerChange => "实际控制人变更",
            ManualSignal::AccountsFrozen => "账户被冻结",
            ManualSignal::KeyPersonMissing => "关键人员失联",
            ManualSignal::Shutdown => "停产停业",
            ManualSignal::CreditCut => "他行抽贷压贷",
            ManualSignal::Other => "其他",
        }
    }

    pub fn parse(text: &str) -> Option<ManualSignal> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|s| s.code() == lower || s.zh() == t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves() {
        use WarningStatus::*;
        let s = Role::Specialist;
        assert_eq!(
            WarningMove::Acknowledge.check(Open, s, "", false),
            Ok(Acknowledged)
        );
        assert!(
            WarningMove::Acknowledge
                .check(Acknowledged, s, "", false)
                .is_err()
        );
        assert_eq!(
            WarningMove::StartDisposal.check(Acknowledged, s, "", false),
            Ok(InDisposal)
        );
        assert_eq!(
            WarningMove::Resolve.check(InDisposal, s, " ", false),
            Err(MoveError::ReasonRequired)
        );
        assert_eq!(
            WarningMove::Resolve.check(InDisposal, s, "已还清", false),
            Ok(Resolved)
        );
        assert_eq!(
            WarningMove::Resolve.check(Open, s, "已还清", true),
            Err(MoveError::StillTriggered)
        );
        assert!(WarningMove::Resolve.check(Resolved, s, "x", false).is_err());
    }

    #[test]
    fn dismissing_needs_a_supervisor_and_a_reason() {
        use WarningStatus::*;
        assert_eq!(
            WarningMove::Dismiss.check(Open, Role::Specialist, "误报", false),
            Err(MoveError::NeedsSupervisor)
        );
        assert_eq!(
            WarningMove::Dismiss.check(Open, Role::Supervisor, "", false),
            Err(MoveError::ReasonRequired)
        );
        assert_eq!(
            WarningMove::Dismiss.check(Open, Role::Supervisor, "误报", true),
            Ok(Dismissed)
        );
        assert_eq!(
            WarningMove::Dismiss.check(Open, Role::Manager, "误报", true),
            Ok(Dismissed)
        );
        assert_eq!(
            WarningMove::Acknowledge.check(Open, Role::Auditor, "", false),
            Err(MoveError::ReadOnly)
        );
    }

    #[test]
    fn codes_parse() {
        assert_eq!(Level::parse("红色"), Some(Level::Red));
        assert_eq!(Level::parse("Orange"), Some(Level::Orange));
        assert!(Level::Red > Level::Orange && Level::Orange > Level::Yellow);
        assert_eq!(
            WarningStatus::parse("in-disposal"),
            Some(WarningStatus::InDisposal)
        );
        assert_eq!(ManualSignal::parse("涉诉"), Some(ManualSignal::Litigation));
        assert_eq!(RiskType::parse("操作"), Some(RiskType::Operational));
        for l in Level::ALL {
            assert_eq!(Level::from_board_order(l.board_order()), Some(l));
        }
    }
}
