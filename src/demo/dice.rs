//! The seeded random source of the demo generator and the few draws it needs
//! (ranges, chances, picks, weighted choices), all deterministic for a given seed.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded ChaCha8 stream with convenience draws.
pub struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64) -> Self {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A whole number in `lo..=hi` (`lo` when the range is empty).
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.0.random_range(lo..=hi)
        }
    }

    /// An index in `0..n` (`n` > 0).
    pub fn index(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// A raw 64-bit value (for deriving keys).
    pub fn next_u64(&mut self) -> u64 {
        self.0.random::<u64>()
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index drawn with the given relative weights (not all zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.0.random_range(0..total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// A value between `lo` and `hi` with a log-uniform spread (many small, few large).
    pub fn log_uniform(&mut self, lo: i64, hi: i64) -> i64 {
        let (l, h) = (lo as f64, hi as f64);
        let v = l * (h / l).powf(self.unit());
        (v.round() as i64).clamp(lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_repeat_per_seed() {
        let mut a = Dice::new(7);
        let mut b = Dice::new(7);
        for _ in 0..1000 {
            let x = a.int(3, 9);
            assert!((3..=9).contains(&x));
            assert_eq!(x, b.int(3, 9));
            let l = a.log_uniform(50, 5000);
            assert!((50..=5000).contains(&l));
            assert_eq!(l, b.log_uniform(50, 5000));
        }
        assert_eq!(a.int(5, 5), 5);
        assert_eq!(a.weighted(&[0, 0, 3]), 2);
    }
}
