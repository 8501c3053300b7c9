//! Step 3, inspections (DOMAIN.md §2, §6): kinds, modes, the report's nine sections, the
//! measures of its conclusion, and the review state machine with amendments.

use super::codes::code_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Why an inspection is done: after disbursement, by frequency, or because of a signal.
    InspectionKind {
        First => "first", "首次", ["首次检查", "贷款用途检查"];
        Routine => "routine", "常规", ["常规检查"];
        Triggered => "triggered", "专项", ["专项检查"];
    }
}

code_enum! {
    /// Where the inspection is done.
    InspectionMode {
        Onsite => "onsite", "现场", ["on_site", "现场检查"];
        Offsite => "offsite", "非现场", ["off_site", "非现场检查"];
    }
}

code_enum! {
    /// Where an inspection stands: planned (by the plan), draft (being written), submitted
    /// (locked for its author, waiting for review), returned (back to the author with a
    /// comment), approved (final; a correction is an amendment).
    InspectionStatus {
        Planned => "planned", "计划", ["计划中"];
        Draft => "draft", "草稿", ["撰写中"];
        Submitted => "submitted", "已提交", ["待审核"];
        Returned => "returned", "已退回", ["退回"];
        Approved => "approved", "已审批", ["审批通过", "已批准"];
    }
}

code_enum! {
    /// The nine sections of the report (DOMAIN.md §6), in order.
    Section {
        Facts => "facts", "检查基本情况", [];
        Borrower => "borrower", "借款人基本情况", [];
        LoanUse => "loan_use", "贷款使用情况", ["use"];
        Financials => "financials", "财务分析", ["financial"];
        NonFinancial => "non_financial", "非财务因素", [];
        Collateral => "collateral", "担保及押品", ["guarantee"];
        Dealings => "dealings", "与我行往来", [];
        Signals => "signals", "预警信号及分类建议", [];
        Conclusion => "conclusion", "结论及措施", [];
    }
}

impl Section {
    /// 1 … 9, as DOMAIN.md §6 numbers them.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The section numbered `n` (1 … 9), or parsed from its code or Chinese name.
    pub fn from_arg(text: &str) -> Option<Section> {
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=Section::ALL.len()).contains(&n) => Section::ALL.get(n - 1).copied(),
            Ok(_) => None,
            Err(_) => Section::parse(text),
        }
    }

    /// The translation key of the section's title.
    pub fn key(self) -> String {
        format!("inspection_section.{}", self.code())
    }

    /// Whether a report may not be submitted with this section empty.
    pub fn required(self) -> bool {
        matches!(self, Section::Facts | Section::Conclusion)
    }
}

code_enum! {
    /// Measures a conclusion chooses from (DOMAIN.md §6, section 9).
    Measure {
        Paperwork => "paperwork", "补办手续", ["complete_paperwork"];
        AddCollateral => "add_collateral", "增强担保", ["additional_collateral", "追加担保", "collateral"];
        StopCredit => "stop_credit", "停止新增授信或提款", ["停止新增授信", "停止提款"];
        ReduceLine => "reduce_line", "压缩授信", [];
        Recall => "recall", "提前收回", ["全部清收", "early_recall"];
        Litigation => "litigation", "提起诉讼", ["sue", "诉讼"];
        Other => "other", "其他", [];
    }
}

/// A measure of the conclusion, with an optional deadline and owner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MeasureEntry {
    pub measure: Measure,
    pub deadline: Option<NaiveDate>,
    pub owner: Option<String>,
    pub note: String,
}

/// A step of an inspection's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionMove {
    /// A planned inspection (or a new one) is started: it becomes a draft.
    Start,
    /// A section, a measure, the proposed class or evidence is written.
    Edit,
    Submit,
    /// A reviewer approves: final unless a second approval (a manager's) is still needed.
    Approve,
    /// A reviewer returns it to the author with a comment.
    Return,
    /// An approved report is corrected: a new version, a draft again; the approved one stays.
    Amend,
}

impl InspectionMove {
    pub fn code(self) -> &'static str {
        match self {
            InspectionMove::Start => "start",
            InspectionMove::Edit => "edit",
            InspectionMove::Submit => "submit",
            InspectionMove::Approve => "approve",
            InspectionMove::Return => "return",
            InspectionMove::Amend => "amend",
        }
    }

    /// The status after this move from `from`, or why it cannot be made. `approvals_left` is
    /// how many approvals the report still needs, this one included (1, or 2 when the loan
    /// is above the line that needs a manager's second approval).
    pub fn check(
        self,
        from: InspectionStatus,
        approvals_left: u8,
    ) -> Result<InspectionStatus, InspectionMoveError> {
        use InspectionStatus::*;
        let to = match (self, from) {
            (InspectionMove::Start, Planned) => Draft,
            (InspectionMove::Edit, Draft | Returned) => from,
            (InspectionMove::Submit, Draft | Returned) => Submitted,
            (InspectionMove::Approve, Submitted) if approvals_left > 1 => Submitted,
            (InspectionMove::Approve, Submitted) => Approved,
            (InspectionMove::Return, Submitted) => Returned,
            (InspectionMove::Amend, Approved) => Draft,
            _ => {
                return Err(InspectionMoveError { mv: self, from });
            }
        };
        Ok(to)
    }
}

/// A move the state machine does not allow from the inspection's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an inspection that is {} cannot {}", .from.code(), .mv.code())]
pub struct InspectionMoveError {
    pub mv: InspectionMove,
    pub from: InspectionStatus,
}

/// The number an inspection is known by: `XJ2026-000123`.
pub fn inspection_number(year: i32, id: i64) -> String {
    format!("XJ{year}-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use InspectionStatus::*;

    #[test]
    fn codes_parse_in_both_languages() {
        assert_eq!(
            InspectionKind::parse("专项"),
            Some(InspectionKind::Triggered)
        );
        assert_eq!(InspectionKind::parse("First"), Some(InspectionKind::First));
        assert_eq!(
            InspectionMode::parse("非现场"),
            Some(InspectionMode::Offsite)
        );
        assert_eq!(
            InspectionMode::parse("on-site"),
            Some(InspectionMode::Onsite)
        );
        assert_eq!(InspectionStatus::parse("已提交"), Some(Submitted));
        assert_eq!(Measure::parse("增强担保"), Some(Measure::AddCollateral));
        assert_eq!(
            Measure::parse("additional collateral"),
            Some(Measure::AddCollateral)
        );
        assert_eq!(Measure::parse("全部清收"), Some(Measure::Recall));
        assert_eq!(
            Measure::parse("停止新增授信或提款"),
            Some(Measure::StopCredit)
        );
        assert_eq!(Measure::parse("nothing"), None);
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.code()), Some(*m));
            assert_eq!(Measure::parse(m.zh()), Some(*m));
        }
    }

    #[test]
    fn nine_sections_numbered_from_one() {
        assert_eq!(Section::ALL.len(), 9);
        assert_eq!(Section::from_arg("1"), Some(Section::Facts));
        assert_eq!(Section::from_arg("9"), Some(Section::Conclusion));
        assert_eq!(Section::from_arg("0"), None);
        assert_eq!(Section::from_arg("10"), None);
        assert_eq!(Section::from_arg("财务分析"), Some(Section::Financials));
        assert_eq!(Section::from_arg("loan-use"), Some(Section::LoanUse));
        for (i, s) in Section::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.number()), i + 1);
        }
    }

    #[test]
    fn the_review_state_machine() {
        use InspectionMove::*;
        assert_eq!(Start.check(Planned, 1), Ok(Draft));
        assert_eq!(Edit.check(Draft, 1), Ok(Draft));
        assert_eq!(Edit.check(Returned, 1), Ok(Returned));
        assert_eq!(Submit.check(Draft, 1), Ok(Submitted));
        assert_eq!(Submit.check(Returned, 1), Ok(Submitted));
        assert_eq!(Approve.check(Submitted, 1), Ok(Approved));
        assert_eq!(Approve.check(Submitted, 2), Ok(Submitted), "first of two");
        assert_eq!(Return.check(Submitted, 1), Ok(Returned));
        assert_eq!(Amend.check(Approved, 1), Ok(Draft));
        // An approved report is never edited; a submitted one is locked for its author.
        for (mv, from) in [
            (Edit, Approved),
            (Edit, Submitted),
            (Edit, Planned),
            (Submit, Submitted),
            (Submit, Approved),
            (Approve, Draft),
            (Approve, Approved),
            (Return, Draft),
            (Return, Approved),
            (Amend, Draft),
            (Start, Draft),
        ] {
            assert_eq!(mv.check(from, 1), Err(InspectionMoveError { mv, from }));
        }
    }

    #[test]
    fn numbers_look_like_the_bank_writes_them() {
        assert_eq!(inspection_number(2026, 123), "XJ2026-000123");
    }
}
