//! The closed vocabularies of the book: classification tiers, guarantee types, products,
//! tracking frequencies, roles, contact kinds. Each parses from its English code or Chinese name.

use serde::{Deserialize, Serialize};

/// Defines a code enum: a stable English code (stored in the database and used in CSV/JSON),
/// a Chinese name, and extra accepted spellings.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $code:literal, $zh:literal, [$($alias:literal),*];)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable English code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese name.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// Accepts the English code (any case, `-` or `_`), the Chinese name or an alias.
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                let lower = t.to_ascii_lowercase().replace('-', "_").replace(' ', "_");
                $(
                    if lower == $code || t == $zh $(|| t == $alias || lower == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted codes, for error messages.
            pub fn accepted() -> String {
                [$(concat!($code, "/", $zh)),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use code_enum;

code_enum! {
    /// The five risk tiers, best first. `Ord` follows risk: `Pass < ... < Loss`.
    Classification {
        Pass => "pass", "正常", ["normal", "正常类"];
        SpecialMention => "special_mention", "关注", ["关注类", "watch"];
        Substandard => "substandard", "次级", ["次级类"];
        Doubtful => "doubtful", "可疑", ["可疑类"];
        Loss => "loss", "损失", ["损失类"];
    }
}

impl Classification {
    /// 0 for 正常 … 4 for 损失; stored beside the code so SQL can order by risk.
    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Self> {
        Self::ALL.get(usize::try_from(rank).ok()?).copied()
    }

    /// 不良 = 次级 + 可疑 + 损失.
    pub fn is_non_performing(self) -> bool {
        self >= Classification::Substandard
    }

    /// The regulatory floor from days past due (CBIRC/PBOC Order 2023 No. 1, art. 9–11):
    /// any overdue → 关注 (a technical delay of up to `grace_days` excused), >90 → 次级,
    /// >270 → 可疑, >360 → 损失.
    pub fn floor_for_dpd(dpd: i64, grace_days: i64) -> Classification {
        match dpd {
            d if d > 360 => Classification::Loss,
            d if d > 270 => Classification::Doubtful,
            d if d > 90 => Classification::Substandard,
            d if d > grace_days => Classification::SpecialMention,
            _ => Classification::Pass,
        }
    }
}

code_enum! {
    /// How a loan is secured.
    GuaranteeType {
        Mortgage => "mortgage", "抵押", [];
        Pledge => "pledge", "质押", [];
        Guarantee => "guarantee", "保证", ["guaranteed"];
        Unsecured => "unsecured", "信用", ["credit"];
    }
}

code_enum! {
    /// Loan products.
    Product {
        WorkingCapital => "working_capital", "流动资金贷款", ["流贷", "流动资金"];
        FixedAsset => "fixed_asset", "固定资产贷款", ["固贷", "固定资产"];
        TradeFinance => "trade_finance", "贸易融资", [];
        Project => "project", "项目贷款", ["project_finance"];
        Syndicated => "syndicated", "银团贷款", [];
        MerchantBill => "bill_discount", "票据贴现", ["票据"];
    }
}

code_enum! {
    /// How often the officer must follow a loan up (a visit, a call or a statement).
    TrackingFrequency {
        Monthly => "monthly", "月", ["月度", "每月"];
        Quarterly => "quarterly", "季", ["季度", "每季"];
        SemiAnnual => "semiannual", "半年", ["semi_annual", "半年度"];
        Annual => "annual", "年", ["年度", "每年", "yearly"];
    }
}

impl TrackingFrequency {
    pub fn months(self) -> u32 {
        match self {
            TrackingFrequency::Monthly => 1,
            TrackingFrequency::Quarterly => 3,
            TrackingFrequency::SemiAnnual => 6,
            TrackingFrequency::Annual => 12,
        }
    }
}

code_enum! {
    /// Staff roles (DOMAIN.md §1).
    Role {
        Specialist => "specialist", "贷后管理专员", ["专员"];
        Supervisor => "supervisor", "贷后管理主管", ["主管"];
        Manager => "manager", "贷后管理经理", ["经理"];
        Auditor => "auditor", "审计", ["审计员"];
    }
}

code_enum! {
    /// How the officer was in touch with the borrower.
    ContactKind {
        Visit => "visit", "走访", ["现场", "onsite"];
        Call => "call", "电话", ["phone"];
        Meeting => "meeting", "约谈", [];
        Other => "other", "其他", [];
    }
}

code_enum! {
    /// Kinds of collateral.
    CollateralKind {
        RealEstate => "real_estate", "房产", ["property", "房地产"];
        Land => "land", "土地使用权", ["土地"];
        Equipment => "equipment", "机器设备", ["设备"];
        Receivables => "receivables", "应收账款", [];
        Deposit => "deposit", "存单", ["存款"];
        Equity => "equity", "股权", [];
        Inventory => "inventory", "存货", [];
    }
}

code_enum! {
    /// Where loan money went. The prohibited ones are 专款专用 violations.
    Sector {
        Supplier => "supplier", "供应商货款", ["purchase", "采购"];
        Payroll => "payroll", "工资", [];
        Tax => "tax", "税费", [];
        Equipment => "equipment", "设备采购", [];
        Construction => "construction", "工程款", [];
        PropertySpeculation => "property_speculation", "房地产投机", ["real_estate", "房地产"];
        Securities => "securities", "证券投资", ["stocks", "股票"];
        Futures => "futures", "期货", [];
        EquityInvestment => "equity_investment", "股权投资", [];
        Other => "other", "其他", [];
    }
}

impl Sector {
    /// Loan money must not flow here (DOMAIN.md §1 and §5).
    pub fn is_prohibited(self) -> bool {
        matches!(
            self,
            Sector::PropertySpeculation
                | Sector::Securities
                | Sector::Futures
                | Sector::EquityInvestment
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_both_languages() {
        assert_eq!(
            GuaranteeType::parse("mortgage"),
            Some(GuaranteeType::Mortgage)
        );
        assert_eq!(GuaranteeType::parse("抵押"), Some(GuaranteeType::Mortgage));
        assert_eq!(
            GuaranteeType::parse(" Pledge "),
            Some(GuaranteeType::Pledge)
        );
        assert_eq!(
            TrackingFrequency::parse("季"),
            Some(TrackingFrequency::Quarterly)
        );
        assert_eq!(
            TrackingFrequency::parse("quarterly"),
            Some(TrackingFrequency::Quarterly)
        );
        assert_eq!(
            Classification::parse("关注"),
            Some(Classification::SpecialMention)
        );
        assert_eq!(
            Classification::parse("special-mention"),
            Some(Classification::SpecialMention)
        );
        assert_eq!(
            Product::parse("流动资金贷款"),
            Some(Product::WorkingCapital)
        );
        assert_eq!(Role::parse("Manager"), Some(Role::Manager));
        assert_eq!(GuaranteeType::parse("mortgag"), None);
    }

    #[test]
    fn every_code_round_trips() {
        for c in Classification::ALL {
            assert_eq!(Classification::parse(c.code()), Some(*c));
            assert_eq!(Classification::parse(c.zh()), Some(*c));
            assert_eq!(Classification::from_rank(c.rank()), Some(*c));
        }
        for s in Sector::ALL {
            assert_eq!(Sector::parse(s.code()), Some(*s));
        }
    }

    #[test]
    fn dpd_floors_follow_the_rule() {
        let f = |d| Classification::floor_for_dpd(d, 0);
        assert_eq!(f(0), Classification::Pass);
        assert_eq!(f(1), Classification::SpecialMention);
        assert_eq!(f(90), Classification::SpecialMention);
        assert_eq!(f(91), Classification::Substandard);
        assert_eq!(f(270), Classification::Substandard);
        assert_eq!(f(271), Classification::Doubtful);
        assert_eq!(f(360), Classification::Doubtful);
        assert_eq!(f(361), Classification::Loss);
        assert_eq!(Classification::floor_for_dpd(7, 7), Classification::Pass);
        assert!(Classification::Substandard.is_non_performing());
        assert!(!Classification::SpecialMention.is_non_performing());
    }

    #[test]
    fn prohibited_sectors() {
        assert!(Sector::Securities.is_prohibited());
        assert!(!Sector::Payroll.is_prohibited());
    }
}
