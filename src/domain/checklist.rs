//! The inspection checklist (DOMAIN.md §6, report section 9): configured items with integer
//! weights, points per item, and the score 100 × points / total weight, rounded half-up to one
//! decimal; it exists only when every item is scored, and below the line it raises a warning.

use super::warning::Level;
use rust_decimal::{Decimal, RoundingStrategy};

/// One item of the checklist: its code (ASCII), its names and its weight in points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistItem {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub weight: u32,
}

impl ChecklistItem {
    /// The item's name: English when `english`, else Chinese.
    pub fn name(&self, english: bool) -> &str {
        if english { &self.en } else { &self.zh }
    }
}

/// The configured checklist: its items, the warning line (a score out of 100) and the level
/// of the warning a score below it raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    pub line: Decimal,
    pub warning_level: Level,
    pub items: Vec<ChecklistItem>,
}

/// A report's score as far as its points go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Score {
    /// No item scored (the checklist is optional).
    Unscored,
    /// Some items scored, not all: no score yet.
    Incomplete { scored: usize, items: usize },
    /// Every item scored: 0 … 100, one decimal.
    Complete(Decimal),
}

/// Why points for an item are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointsError {
    /// No such item in the checklist.
    UnknownItem,
    /// Not a number.
    NotANumber,
    /// Below 0 or above the item's weight.
    OutOfRange,
    /// More than one decimal place.
    TooPrecise,
}

impl Checklist {
    pub fn item(&self, code: &str) -> Option<&ChecklistItem> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn total_weight(&self) -> u32 {
        self.items.iter().map(|i| i.weight).sum()
    }

    /// The score of `points` (item code, points): items the checklist no longer has are
    /// not counted; complete only when every configured item has points.
    pub fn score(&self, points: &[(String, Decimal)]) -> Score {
        let got: Vec<Decimal> = self
            .items
            .iter()
            .filter_map(|i| points.iter().find(|(c, _)| *c == i.code).map(|(_, p)| *p))
            .collect();
        let total = self.total_weight();
        if got.is_empty() || total == 0 {
            return Score::Unscored;
        }
        if got.len() < self.items.len() {
            return Score::Incomplete {
                scored: got.len(),
                items: self.items.len(),
            };
        }
        let sum: Decimal = got.iter().sum();
        let score = sum * Decimal::from(100) / Decimal::from(total);
        Score::Complete(score.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
    }

    /// Whether a complete score is below the warning line.
    pub fn below_line(&self, score: Decimal) -> bool {
        score < self.line
    }

    /// Reads points for item `code` as typed: a decimal (full-width digits too) from 0 to the
    /// item's weight with at most one decimal place.
    pub fn parse_points(&self, code: &str, text: &str) -> Result<Decimal, PointsError> {
        let item = self.item(code).ok_or(PointsError::UnknownItem)?;
        parse_points(text, item.weight)
    }
}

/// Points as typed, for an item of `weight`: see [`Checklist::parse_points`].
pub fn parse_points(text: &str, weight: u32) -> Result<Decimal, PointsError> {
    let ascii = super::money::ascii_forms(text);
    let t = ascii.trim();
    let plain = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && t.bytes().filter(|b| *b == b'.').count() <= 1;
    if !plain {
        return Err(PointsError::NotANumber);
    }
    let d: Decimal = t.parse().map_err(|_| PointsError::NotANumber)?;
    if d.is_sign_negative() && !d.is_zero() || d > Decimal::from(weight) {
        return Err(PointsError::OutOfRange);
    }
    if d.normalize().scale() > 1 {
        return Err(PointsError::TooPrecise);
    }
    Ok(d.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn list(weights: &[u32]) -> Checklist {
        Checklist {
            line: d("60"),
            warning_level: Level::Yellow,
            items: weights
                .iter()
                .enumerate()
                .map(|(i, w)| ChecklistItem {
                    code: format!("i{i}"),
                    zh: format!("项{i}"),
                    en: format!("item {i}"),
                    weight: *w,
                })
                .collect(),
        }
    }

    fn pts(p: &[&str]) -> Vec<(String, Decimal)> {
        p.iter()
            .enumerate()
            .map(|(i, s)| (format!("i{i}"), d(s)))
            .collect()
    }

    #[test]
    fn weights_need_not_sum_to_100() {
        // 7 + 5 + 3 of 10 + 10 + 10 = 15 / 30 = 50.0
        let c = list(&[10, 10, 10]);
        assert_eq!(c.score(&pts(&["7", "5", "3"])), Score::Complete(d("50")));
        // 20 of 15 + 5 + 10 = 30 → 66.666… → 66.7
        let c = list(&[15, 5, 10]);
        assert_eq!(c.score(&pts(&["10", "5", "5"])), Score::Complete(d("66.7")));
    }

    #[test]
    fn the_score_rounds_half_up_to_one_decimal() {
        // 1 of 16 = 6.25 → 6.3 (half-up, not banker's 6.2)
        let c = list(&[16]);
        assert_eq!(c.score(&pts(&["1"])), Score::Complete(d("6.3")));
        // 0.5 of 16 = 3.125 → 3.1
        assert_eq!(c.score(&pts(&["0.5"])), Score::Complete(d("3.1")));
        // 52.5 of 100 stays 52.5
        let c = list(&[60, 40]);
        assert_eq!(c.score(&pts(&["30", "22.5"])), Score::Complete(d("52.5")));
    }

    #[test]
    fn a_score_needs_every_item() {
        let c = list(&[10, 10, 10]);
        assert_eq!(c.score(&[]), Score::Unscored);
        assert_eq!(
            c.score(&pts(&["7", "5"])),
            Score::Incomplete {
                scored: 2,
                items: 3
            }
        );
        // Points of an item the config no longer has do not count.
        let mut p = pts(&["7", "5"]);
        p.push(("gone".into(), d("9")));
        assert!(matches!(c.score(&p), Score::Incomplete { scored: 2, .. }));
    }

    #[test]
    fn the_line_is_strict() {
        let c = list(&[10]);
        assert!(c.below_line(d("59.9")));
        assert!(!c.below_line(d("60")));
    }

    #[test]
    fn points_are_read_within_the_weight() {
        let c = list(&[20]);
        assert_eq!(c.parse_points("i0", "12.5"), Ok(d("12.5")));
        assert_eq!(c.parse_points("i0", "１８"), Ok(d("18")));
        assert_eq!(c.parse_points("i0", " 20 "), Ok(d("20")));
        assert_eq!(c.parse_points("i0", "0"), Ok(d("0")));
        assert_eq!(c.parse_points("i0", "20.5"), Err(PointsError::OutOfRange));
        assert_eq!(c.parse_points("i0", "-1"), Err(PointsError::OutOfRange));
        assert_eq!(c.parse_points("i0", "1.25"), Err(PointsError::TooPrecise));
        assert_eq!(c.parse_points("i0", "abc"), Err(PointsError::NotANumber));
        assert_eq!(c.parse_points("i0", "1e1"), Err(PointsError::NotANumber));
        assert_eq!(c.parse_points("i0", ""), Err(PointsError::NotANumber));
        assert_eq!(c.parse_points("nope", "1"), Err(PointsError::UnknownItem));
    }
}
