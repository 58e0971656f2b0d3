//! A seeded source of random draws whose every result is the same on every platform.
//!
//! Only integer maths and IEEE-exact floating-point operations (+ − × ÷, sqrt, floor) are used;
//! the logarithm and exponential are computed here from those, so native builds and wasm32 agree
//! to the last bit.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::ids::uuid_from_rng;

const LN_2: f64 = std::f64::consts::LN_2;
const SQRT_2: f64 = std::f64::consts::SQRT_2;

/// Natural logarithm from basic arithmetic: x = m·2^e with m in [√½, √2), then the atanh series.
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (x, shift) = if x < f64::MIN_POSITIVE {
        (x * 18_014_398_509_481_984.0, -54_i64) // × 2^54 lifts subnormals
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023 + shift;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..14 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * LN_2
}

/// The exponential function from basic arithmetic: 2^k · e^r with |r| ≤ ½ ln 2, Taylor series.
pub(crate) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x < -700.0 {
        return 0.0;
    }
    if x > 700.0 {
        return f64::INFINITY;
    }
    let k = (x / LN_2).round();
    let r = x - k * LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut n = 1.0;
    for _ in 0..20 {
        term *= r / n;
        sum += term;
        n += 1.0;
    }
    let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    sum * scale
}

/// The demo generator's random source: one ChaCha8 stream, drawn in a fixed order.
pub(crate) struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    /// A stream for `seed` and a salt (the demo size), so sizes do not share prefixes.
    pub(crate) fn new(seed: u64, salt: u8) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8] = salt;
        key[9..14].copy_from_slice(b"kehu!");
        Dice {
            rng: ChaCha8Rng::from_seed(key),
        }
    }

    /// 64 random bits.
    pub(crate) fn bits(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A random version-4 UUID.
    pub(crate) fn uuid(&mut self) -> Uuid {
        uuid_from_rng(&mut self.rng)
    }

    /// Uniform in [0, 1) with 53 bits.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.bits() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in (0, 1].
    pub(crate) fn unit_open(&mut self) -> f64 {
        ((self.bits() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in 0..n (0 when n is 0), by multiply-high (bias below 2^-40 for our n).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.bits()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `len`.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in lo..=hi.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.index(items.len());
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// An index drawn with the given integer weights (0 when all are zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }

    /// Standard normal (Marsaglia's polar method).
    pub(crate) fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.unit() - 1.0;
            let v = 2.0 * self.unit() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * ln(s) / s).sqrt();
            }
        }
    }

    /// Exponential with the given rate (mean 1/rate).
    pub(crate) fn exponential(&mut self, rate: f64) -> f64 {
        -ln(self.unit_open()) / rate
    }

    /// Gamma with `shape` and `scale` (mean shape·scale), Marsaglia and Tsang's method.
    pub(crate) fn gamma(&mut self, shape: f64, scale: f64) -> f64 {
        if shape < 1.0 {
            let g = self.gamma(shape + 1.0, scale);
            return g * exp(ln(self.unit_open()) / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.unit_open();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || ln(u) < 0.5 * x2 + d * (1.0 - v + ln(v)) {
                return d * v * scale;
            }
        }
    }

    /// Beta(a, b) as a ratio of gammas.
    pub(crate) fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        if x + y > 0.0 {
            x / (x + y)
        } else {
            0.5
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_and_exp_match_the_library_closely() {
        for &x in &[
            1e-300, 1e-10, 0.001, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300,
        ] {
            let ours = ln(x);
            let lib = x.ln();
            assert!(
                (ours - lib).abs() <= 1e-14 * lib.abs().max(1.0),
                "ln {x}: {ours} {lib}"
            );
        }
        for &x in &[-600.0, -20.0, -1.0, -0.1, 0.0, 0.3, 1.0, 5.5, 100.0, 600.0] {
            let ours = exp(x);
            let lib = f64::exp(x);
            assert!((ours - lib).abs() <= 1e-12 * lib, "exp {x}: {ours} {lib}");
        }
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(exp(-800.0), 0.0);
    }

    #[test]
    fn draws_have_the_right_means() {
        let mut d = Dice::new(1, 0);
        let n = 20_000;
        let mean = |f: &mut dyn FnMut() -> f64| (0..n).map(|_| f()).sum::<f64>() / n as f64;
        let g = mean(&mut || d.gamma(0.6, 2.0));
        assert!((g - 1.2).abs() < 0.06, "{g}");
        let g = mean(&mut || d.gamma(4.0, 0.25));
        assert!((g - 1.0).abs() < 0.03, "{g}");
        let b = mean(&mut || d.beta(1.0, 4.0));
        assert!((b - 0.2).abs() < 0.01, "{b}");
        let z = mean(&mut || d.normal());
        assert!(z.abs() < 0.03, "{z}");
        let e = mean(&mut || d.exponential(0.5));
        assert!((e - 2.0).abs() < 0.08, "{e}");
        let mut counts = [0u32; 3];
        for _ in 0..3000 {
            counts[d.weighted(&[1, 0, 2])] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!(counts[2] > counts[0] + 500);
        for _ in 0..1000 {
            let r = d.range(-2, 3);
            assert!((-2..=3).contains(&r));
        }
    }
}
