//! The document archive's vocabulary and rules: the kinds of document the book keeps, the
//! departments feedback goes to, how long each kind is retained and which roles may read it.

use super::codes::{Role, code_enum};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_enum! {
    /// What a document of the archive is.
    DocumentKind {
        Contract => "contract", "合同", ["合同文本"];
        WarningNotice => "warning_notice", "预警通知书", [];
        InspectionReport => "inspection_report", "检查报告", [];
        Evidence => "evidence", "检查证据", ["证据"];
        RectificationNotice => "rectification_notice", "整改通知书", [];
        ProgressReport => "progress_report", "处置进展报告", ["进展报告"];
        DisposalRecord => "disposal_record", "处置记录", [];
        Feedback => "feedback", "反馈函", ["反馈"];
        Summary => "summary", "贷后工作总结", ["总结"];
        Other => "other", "其他", [];
    }
}

code_enum! {
    /// The department a feedback note is addressed to.
    Recipient {
        Approval => "approval", "授信审批部门", ["credit_approval", "审批"];
        Risk => "risk", "风险管理部门", ["risk_management", "风险"];
        Finance => "finance", "财务会计部门", ["财务"];
    }
}

/// Where a document's content is: its Markdown text in the book, a file copied into the
/// book's document store, or a file registered by its path (not copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    Text,
    Stored,
    Registered,
}

impl Storage {
    pub fn code(self) -> &'static str {
        match self {
            Storage::Text => "text",
            Storage::Stored => "stored",
            Storage::Registered => "registered",
        }
    }

    pub fn parse(code: &str) -> Option<Storage> {
        [Storage::Text, Storage::Stored, Storage::Registered]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// The most years a kind may be retained (a value above it is a typo, not a policy).
pub const RETENTION_YEARS_MAX: u32 = 100;

/// Years each kind is kept from the day it was made, and the roles that may read each kind
/// (a kind with no rule is read by all staff, unaudited).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArchiveRules {
    pub retention: BTreeMap<DocumentKind, u32>,
    pub read: BTreeMap<DocumentKind, Vec<Role>>,
}

/// What the read rules say of one role reading one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRule {
    /// No rule for the kind: every staff member reads it, nothing recorded.
    Open,
    /// A restricted kind the role may read: the read is recorded in the audit trail.
    Audited,
    /// A restricted kind the role may not read; the roles that may.
    Denied(Vec<Role>),
}

impl ArchiveRules {
    /// The day until which a document of `kind` made on `made_on` is kept (`None`: no
    /// retention configured for the kind, kept indefinitely).
    pub fn retain_until(&self, kind: DocumentKind, made_on: NaiveDate) -> Option<NaiveDate> {
        let years = *self.retention.get(&kind)?;
        made_on.checked_add_months(Months::new(years.saturating_mul(12)))
    }

    /// Whether `role` may read `kind`, and whether the read is recorded.
    pub fn read_rule(&self, kind: DocumentKind, role: Role) -> ReadRule {
        match self.read.get(&kind) {
            None => ReadRule::Open,
            Some(roles) if roles.contains(&role) => ReadRule::Audited,
            Some(roles) => ReadRule::Denied(roles.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn retention_counts_whole_years_and_a_leap_day_ends_on_the_last_of_february() {
        let mut rules = ArchiveRules::default();
        rules.retention.insert(DocumentKind::Contract, 30);
        rules.retention.insert(DocumentKind::Feedback, 5);
        assert_eq!(
            rules.retain_until(DocumentKind::Contract, d("2026-03-15")),
            Some(d("2056-03-15"))
        );
        assert_eq!(
            rules.retain_until(DocumentKind::Feedback, d("2024-02-29")),
            Some(d("2029-02-28"))
        );
        assert_eq!(
            rules.retain_until(DocumentKind::Other, d("2026-01-01")),
            None
        );
    }

    #[test]
    fn a_kind_without_a_read_rule_is_open_and_a_listed_one_is_audited_or_denied() {
        let mut rules = ArchiveRules::default();
        rules.read.insert(
            DocumentKind::Feedback,
            vec![Role::Supervisor, Role::Manager],
        );
        assert_eq!(
            rules.read_rule(DocumentKind::Contract, Role::Specialist),
            ReadRule::Open
        );
        assert_eq!(
            rules.read_rule(DocumentKind::Feedback, Role::Manager),
            ReadRule::Audited
        );
        assert_eq!(
            rules.read_rule(DocumentKind::Feedback, Role::Specialist),
            ReadRule::Denied(vec![Role::Supervisor, Role::Manager])
        );
    }

    #[test]
    fn kinds_and_recipients_parse_from_code_and_chinese() {
        assert_eq!(
            DocumentKind::parse("inspection-report"),
            Some(DocumentKind::InspectionReport)
        );
        assert_eq!(DocumentKind::parse("合同"), Some(DocumentKind::Contract));
        assert_eq!(Recipient::parse("风险管理部门"), Some(Recipient::Risk));
        assert_eq!(Recipient::parse("sales"), None);
    }
}
