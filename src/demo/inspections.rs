//! The demo book's inspections: when each loan was last inspected (so the plan shows a few
//! overdue, not all), and the report texts of the worked examples, in the words a
//! post-loan officer writes.

use crate::domain::Classification;
use crate::domain::inspection::Section;
use chrono::{Days, NaiveDate};

/// The history of one loan before the workbench: (first inspection day, last routine day).
/// Deterministic from the loan id; `None` for a loan too young for its first inspection.
pub fn history(
    loan_id: i64,
    disbursed_on: NaiveDate,
    class: Classification,
    as_of: NaiveDate,
) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let n = loan_id.unsigned_abs();
    let first = disbursed_on.checked_add_days(Days::new(3 + n % 12))?;
    if first >= as_of {
        return None;
    }
    // Days since the last routine inspection: mostly within the period, some beyond it.
    let period: u64 = if class == Classification::Pass {
        92
    } else {
        31
    };
    let ago = (n.wrapping_mul(7919)) % (period + period / 6);
    let last = as_of.checked_sub_days(Days::new(ago))?;
    Some((first, (last > first).then_some(last)))
}

/// A worked example's report text for `section`.
pub fn section_text(section: Section, borrower: &str, day: NaiveDate) -> String {
    let d = day.format("%Y年%-m月%-d日");
    match section {
        Section::Facts => format!(
            "{d}，检查人员赴{borrower}生产经营场所进行现场检查，查看厂区、仓库及主要生产线，\
             与公司财务负责人座谈，调阅近三个月银行流水和增值税申报表。本次检查为按季常规检查。"
        ),
        Section::Borrower => "借款人工商登记信息未发生变更，法定代表人及实际控制人未变；\
             经营范围、注册资本与授信时一致，未发现股权质押或冻结情况。"
            .to_string(),
        Section::LoanUse => "贷款资金按合同约定用于采购原材料，受托支付凭证齐全，\
             交易对手为长期合作供应商；未发现资金回流借款人或流入房地产、证券市场。\
             贷款按期付息，无逾期记录；他行融资余额较上季度末基本持平。"
            .to_string(),
        Section::Financials => "根据最新季度报表，营业收入同比增长6.2%，资产负债率58.4%，\
             较授信时上升2.1个百分点，仍在预警线以内；流动比率1.32，经营活动现金流为正。"
            .to_string(),
        Section::NonFinancial => "企业管理层稳定，所处行业景气度一般；经查询裁判文书网及\
             税务、环保信息，未发现重大诉讼、欠税或环保处罚。"
            .to_string(),
        Section::Collateral => "抵押厂房及土地使用权状况良好，未出租、未被查封；\
             参考周边成交价，押品价值较评估时下降约5%，抵押率仍低于70%。"
            .to_string(),
        Section::Dealings => "借款人在我行开立基本结算账户，近三个月日均存款约320万元，\
             销售回款主要通过我行账户归集。"
            .to_string(),
        Section::Signals => {
            "未发现新的预警信号；结合还款记录和财务状况，建议维持现有分类。".to_string()
        }
        Section::Conclusion => "借款人经营正常，贷款用途合规，担保足值。\
             措施：督促企业按季报送财务报表；补办抵押物保险续保手续。"
            .to_string(),
    }
}

/// The comment a supervisor returns a report with.
pub const RETURN_COMMENT: &str =
    "第六部分押品价值仅凭口头询价，请补充评估机构意见或近期成交案例后重新提交。";

/// The reason an approved report is amended.
pub const AMEND_REASON: &str = "检查日期填写有误，更正为实际现场检查日期。";

/// A triggered inspection's focus and conclusion.
pub const TRIGGERED_FOCUS: &str = "核实预警信号：经营现金流及还款来源";
pub const TRIGGERED_CONCLUSION: &str = "预警信号属实，企业回款放缓。措施：要求追加保证人，\
    暂停新增提款，按月监测账户资金流向。";
