//! Special functions the CLV models need.
//!
//! Written here rather than taken from `statrs`: the models need only `ln Γ`, `ψ` and one Gauss
//! hypergeometric series, `statrs` has no `₂F₁`, and a small self-contained version keeps the Wasm
//! bundle free of a linear-algebra dependency.

/// Below this argument the Stirling series is not accurate enough; shift up with the recurrence.
const STIRLING_MIN: f64 = 10.0;

/// `ln Γ(x)` for `x > 0`, accurate to about 1e-15 relative.
pub fn ln_gamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return f64::NAN;
    }
    let mut shift = 0.0_f64;
    let mut y = x;
    let mut product = 1.0_f64;
    while y < STIRLING_MIN {
        product *= y;
        y += 1.0;
        // Keep the product away from under/overflow for tiny x.
        if product < 1e-200 {
            shift += product.ln();
            product = 1.0;
        }
    }
    shift += product.ln();
    stirling_ln_gamma(y) - shift
}

fn stirling_ln_gamma(y: f64) -> f64 {
    const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;
    let inv = 1.0 / y;
    let inv2 = inv * inv;
    // Bernoulli-number terms B_{2k} / (2k (2k-1) y^{2k-1}).
    let series = inv
        * (1.0 / 12.0
            + inv2
                * (-1.0 / 360.0
                    + inv2
                        * (1.0 / 1260.0
                            + inv2
                                * (-1.0 / 1680.0
                                    + inv2
                                        * (1.0 / 1188.0
                                            + inv2 * (-691.0 / 360_360.0 + inv2 / 156.0))))));
    (y - 0.5) * y.ln() - y + HALF_LN_2PI + series
}

/// The digamma function `ψ(x) = d/dx ln Γ(x)` for `x > 0`.
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return f64::NAN;
    }
    let mut acc = 0.0;
    let mut y = x;
    while y < STIRLING_MIN {
        acc -= 1.0 / y;
        y += 1.0;
    }
    let inv = 1.0 / y;
    let inv2 = inv * inv;
    let series = inv2
        * (-1.0 / 12.0
            + inv2
                * (1.0 / 120.0
                    + inv2
                        * (-1.0 / 252.0
                            + inv2
                                * (1.0 / 240.0
                                    + inv2
                                        * (-1.0 / 132.0
                                            + inv2 * (691.0 / 32_760.0 - inv2 / 12.0))))));
    acc + y.ln() - 0.5 * inv + series
}

/// `c·(₂F₁(a, b; c; z) − 1)/b` for `0 ≤ z < 1` and `c > −1`, summed as a power series.
///
/// Scaling by `c/b` analytically removes the pole of ₂F₁ at `c = 0` and the zero at `b = 0`,
/// which callers need in the limits where those cancel. Returns the sum and whether it converged
/// within the term budget (the partial sum is still the best estimate when it did not).
pub fn hyp2f1_tail_scaled(a: f64, b: f64, c: f64, z: f64) -> (f64, bool) {
    const MAX_TERMS: usize = 1_000_000;
    if z == 0.0 {
        return (0.0, true);
    }
    // term_n = (a)_n (b+1)_{n-1} / ((c+1)_{n-1} n!) z^n
    let mut term = a * z;
    let mut sum = term;
    for n in 1..MAX_TERMS {
        let nf = n as f64;
        term *= (a + nf) * (b + nf) / ((c + nf) * (nf + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() || term == 0.0 {
            // The ratio of terms tends to z < 1; once the terms are tiny and shrinking, the rest
            // of the tail is below the tolerance.
            let ratio = (a + nf + 1.0) * (b + nf + 1.0) / ((c + nf + 1.0) * (nf + 2.0)) * z;
            if ratio.abs() < 1.0 {
                return (sum, true);
            }
        }
        if !sum.is_finite() {
            return (sum, false);
        }
    }
    (sum, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(ln_gamma(2.0), 0.0, 1e-14));
        assert!(close(ln_gamma(0.5), 0.572_364_942_924_700_1, 1e-15));
        assert!(close(ln_gamma(10.0), 12.801_827_480_081_469, 1e-15));
        assert!(close(ln_gamma(100.5), 361.435_540_467_777_57, 1e-14));
        assert!(close(ln_gamma(1e-8), 18.420_680_738_180_21, 1e-13));
        assert!(ln_gamma(-1.0).is_nan());
    }

    #[test]
    fn digamma_known_values() {
        assert!(close(digamma(1.0), -0.577_215_664_901_532_9, 1e-15));
        assert!(close(digamma(0.5), -1.963_510_026_021_423_5, 1e-15));
        assert!(close(digamma(10.0), 2.251_752_589_066_721, 1e-15));
        assert!(close(digamma(0.243), -4.351_093_864_423_211, 1e-14));
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        let z = 0.7;
        let (tail, ok) = hyp2f1_tail_scaled(1.0, 1.0, 2.0, z);
        assert!(ok);
        assert!(close(1.0 + tail / 2.0, -(1.0_f64 - z).ln() / z, 1e-14));
        // 2F1(a, b; b; z) = (1 - z)^-a
        let (tail, ok) = hyp2f1_tail_scaled(0.3, 2.5, 2.5, 0.9);
        assert!(ok);
        assert!(close(1.0 + tail, 0.1_f64.powf(-0.3), 1e-13));
    }
}
