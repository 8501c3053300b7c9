//! Outcomes of disposal: what was recovered (principal, interest, costs) and how, write-offs,
//! and the loan's own status (active, recalled, closed, written off), as pure rules.
//!
//! Only recovered principal reduces a loan's outstanding: interest is income and recovered
//! costs repay what the bank spent (court fees, sale costs), neither is the loan's balance.

use super::codes::code_enum;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

code_enum! {
    /// How money came back.
    RecoveryKind {
        Repayment => "repayment", "借款人还款", ["还款"];
        CollateralSale => "collateral_sale", "处置抵质押物", ["处置押品", "sale", "collateral"];
        Guarantor => "guarantor", "保证人代偿", ["保证人"];
        Court => "court", "法院执行", ["执行"];
    }
}

code_enum! {
    /// Where a loan stands, apart from its class.
    LoanStatus {
        Active => "active", "正常存续", [];
        Recalled => "recalled", "已提前收回", ["提前收回"];
        Closed => "closed", "已结清", ["结清"];
        WrittenOff => "written_off", "已核销", ["核销"];
    }
}

/// A step that changes a loan's status or balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoanStep {
    Recall,
    Recover,
    WriteOff,
    Close,
    /// A demand, a legal step or added collateral: any loan not yet closed.
    Record,
}

impl LoanStatus {
    /// Whether `step` may be taken from this status.
    pub fn allows(self, step: LoanStep) -> bool {
        use LoanStatus::*;
        match step {
            LoanStep::Recall => self == Active,
            // A written-off loan's outstanding is what remains after the write-off; money
            // recovered on it (账销案存) is still recorded.
            LoanStep::Recover | LoanStep::Record => self != Closed,
            LoanStep::WriteOff | LoanStep::Close => matches!(self, Active | Recalled),
        }
    }
}

/// The three parts of a recovery, in yuan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecoveryAmounts {
    pub principal: Decimal,
    pub interest: Decimal,
    pub costs: Decimal,
}

/// Why amounts are refused; `field` is `principal`, `interest`, `costs` or `amount`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountRule {
    #[error("{field} is negative")]
    Negative { field: &'static str },
    #[error("{field} has more than two decimal places")]
    TooPrecise { field: &'static str },
    #[error("nothing recovered: every amount is zero")]
    Nothing,
    /// More than the outstanding would go.
    #[error("{amount} is more than the outstanding {outstanding}")]
    AboveOutstanding {
        amount: Decimal,
        outstanding: Decimal,
    },
    /// More principal recovered after a write-off than was written off and not yet recovered.
    #[error("{amount} is more than the {left} written off and not yet recovered")]
    AboveWrittenOff { amount: Decimal, left: Decimal },
}

/// A single amount: not negative, two decimals at most.
pub fn check_amount(field: &'static str, a: Decimal) -> Result<(), AmountRule> {
    if a.is_sign_negative() && !a.is_zero() {
        return Err(AmountRule::Negative { field });
    }
    if a.normalize().scale() > 2 {
        return Err(AmountRule::TooPrecise { field });
    }
    Ok(())
}

impl RecoveryAmounts {
    /// Everything that came in.
    pub fn total(&self) -> Decimal {
        self.principal + self.interest + self.costs
    }

    /// What reduces the loan's outstanding: the principal only.
    pub fn reduces_outstanding(&self) -> Decimal {
        self.principal
    }

    /// No part negative, two decimals at most, at least one part above zero.
    pub fn check(&self) -> Result<(), AmountRule> {
        check_amount("principal", self.principal)?;
        check_amount("interest", self.interest)?;
        check_amount("costs", self.costs)?;
        if self.total().is_zero() {
            return Err(AmountRule::Nothing);
        }
        Ok(())
    }
}

/// The outstanding after `reduce` comes off it; never below zero.
pub fn outstanding_after(outstanding: Decimal, reduce: Decimal) -> Result<Decimal, AmountRule> {
    if reduce > outstanding {
        return Err(AmountRule::AboveOutstanding {
            amount: reduce,
            outstanding,
        });
    }
    Ok(outstanding - reduce)
}

/// How a recovery's principal lands: `(outstanding after, recovered after write-off)`.
///
/// A written-off loan is still pursued (账销案存): its outstanding is already zero, so the
/// principal recovered on it does not reduce the outstanding; it is "recovered after
/// write-off", up to what was written off (`written_off`) less what was already recovered so
/// (`recovered_after`). Any other loan's principal comes off its outstanding, never below zero.
pub fn principal_lands(
    status: LoanStatus,
    outstanding: Decimal,
    written_off: Decimal,
    recovered_after: Decimal,
    principal: Decimal,
) -> Result<(Decimal, Decimal), AmountRule> {
    if status != LoanStatus::WrittenOff {
        return Ok((outstanding_after(outstanding, principal)?, Decimal::ZERO));
    }
    let left = (written_off - recovered_after).max(Decimal::ZERO);
    if principal > left {
        return Err(AmountRule::AboveWrittenOff {
            amount: principal,
            left,
        });
    }
    Ok((outstanding, principal))
}

/// A write-off's amount: above zero, two decimals, at most the outstanding. Returns the
/// outstanding after it.
pub fn write_off(outstanding: Decimal, amount: Decimal) -> Result<Decimal, AmountRule> {
    check_amount("amount", amount)?;
    if amount.is_zero() {
        return Err(AmountRule::Nothing);
    }
    outstanding_after(outstanding, amount)
}

/// The status after money came off the outstanding: a written-off balance reaching zero
/// leaves the loan written off; otherwise the status stays (closing is a person's step).
pub fn status_after_write_off(status: LoanStatus, outstanding_after: Decimal) -> LoanStatus {
    if outstanding_after.is_zero() {
        LoanStatus::WrittenOff
    } else {
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("a decimal")
    }

    #[test]
    fn only_principal_reduces_the_outstanding_exactly_to_the_fen() {
        let r = RecoveryAmounts {
            principal: d("1234567.89"),
            interest: d("0.11"),
            costs: d("5000.00"),
        };
        assert_eq!(r.total(), d("1239568.00"));
        assert_eq!(r.reduces_outstanding(), d("1234567.89"));
        assert_eq!(
            outstanding_after(d("4000000.00"), r.reduces_outstanding()),
            Ok(d("2765432.11"))
        );
        // Ten recoveries of 0.10 take exactly 1.00 off: no float drift.
        let mut out = d("1.00");
        for _ in 0..10 {
            out = outstanding_after(out, d("0.10")).expect("within");
        }
        assert_eq!(out, Decimal::ZERO);
    }

    #[test]
    fn a_recovery_never_takes_the_outstanding_below_zero() {
        assert_eq!(
            outstanding_after(d("100.00"), d("100.01")),
            Err(AmountRule::AboveOutstanding {
                amount: d("100.01"),
                outstanding: d("100.00")
            })
        );
        assert_eq!(outstanding_after(d("100.00"), d("100.00")), Ok(d("0.00")));
    }

    #[test]
    fn amounts_are_checked() {
        let base = RecoveryAmounts::default();
        assert_eq!(base.check(), Err(AmountRule::Nothing));
        let neg = RecoveryAmounts {
            interest: d("-1"),
            principal: d("5"),
            ..base
        };
        assert_eq!(neg.check(), Err(AmountRule::Negative { field: "interest" }));
        let fine = RecoveryAmounts {
            costs: d("0.005"),
            principal: d("5"),
            ..base
        };
        assert_eq!(fine.check(), Err(AmountRule::TooPrecise { field: "costs" }));
        let only_costs = RecoveryAmounts {
            costs: d("120.50"),
            ..base
        };
        assert_eq!(only_costs.check(), Ok(()));
        assert_eq!(only_costs.reduces_outstanding(), Decimal::ZERO);
    }

    #[test]
    fn a_write_off_is_positive_and_within_the_outstanding() {
        assert_eq!(write_off(d("500"), d("0")), Err(AmountRule::Nothing));
        assert_eq!(write_off(d("500"), d("200.50")), Ok(d("299.50")));
        assert!(matches!(
            write_off(d("500"), d("500.01")),
            Err(AmountRule::AboveOutstanding { .. })
        ));
        assert_eq!(
            status_after_write_off(LoanStatus::Recalled, d("0")),
            LoanStatus::WrittenOff
        );
        assert_eq!(
            status_after_write_off(LoanStatus::Recalled, d("1")),
            LoanStatus::Recalled
        );
    }

    #[test]
    fn the_status_machine() {
        use LoanStatus::*;
        assert!(Active.allows(LoanStep::Recall));
        assert!(!Recalled.allows(LoanStep::Recall));
        assert!(!Closed.allows(LoanStep::Recover));
        assert!(WrittenOff.allows(LoanStep::Recover));
        // After a full write-off the principal recovered leaves the outstanding at zero and
        // counts as recovered after write-off, up to what was written off.
        assert_eq!(
            principal_lands(WrittenOff, d("0"), d("1000"), d("300"), d("700")),
            Ok((d("0"), d("700")))
        );
        assert_eq!(
            principal_lands(WrittenOff, d("0"), d("1000"), d("300"), d("700.01")),
            Err(AmountRule::AboveWrittenOff {
                amount: d("700.01"),
                left: d("700")
            })
        );
        assert_eq!(
            principal_lands(Recalled, d("500"), d("1000"), d("0"), d("200")),
            Ok((d("300"), d("0"))),
            "a balance left is reduced as before"
        );
        assert!(principal_lands(Active, d("500"), d("0"), d("0"), d("501")).is_err());
        assert!(!WrittenOff.allows(LoanStep::Close));
        assert!(Recalled.allows(LoanStep::Close));
        assert!(!Closed.allows(LoanStep::Record));
        for s in LoanStatus::ALL {
            assert_eq!(LoanStatus::parse(s.code()), Some(*s));
        }
        assert_eq!(
            RecoveryKind::parse("collateral-sale"),
            Some(RecoveryKind::CollateralSale)
        );
    }
}
