//! The textbook CLV formula for small data, where no model can be fitted.

use serde::{Deserialize, Serialize};

use super::ClvError;

/// Inputs of the textbook formula.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextbookClvInput {
    /// Margin (or spend) m per customer per period, in major units.
    pub margin_per_period: f64,
    /// Retention rate r per period, between 0 and 1.
    pub retention_rate: f64,
    /// Discount rate d per period, greater than −1.
    pub discount_rate: f64,
    /// Number of periods n; `None` for an infinite horizon.
    pub periods: Option<u32>,
}

/// The textbook CLV and how it was obtained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextbookClv {
    /// The lifetime value, in the unit of the margin.
    pub clv: f64,
    /// The formula used, with its symbols.
    pub formula: String,
    /// The same formula with the input numbers substituted.
    pub worked: String,
    /// Discounted contribution m·rᵗ/(1+d)ᵗ of each period t = 1..n (finite horizon only).
    pub terms: Vec<f64>,
}

/// The simple retention-based CLV of marketing textbooks (Gupta & Lehmann 2003, "Customers as
/// assets", *Journal of Interactive Marketing* 17(1); the form in Kotler & Keller's *Marketing
/// Management*): a customer yields margin m each period they are still a customer, stays each
/// period with probability r, and money is discounted at d per period, margins counted at the
/// end of each period:
///
/// CLV = Σₜ₌₁ⁿ m·rᵗ / (1+d)ᵗ, and for an infinite horizon CLV = m·r / (1 + d − r).
///
/// # Errors
/// [`ClvError::InvalidOption`] when m is not finite, r is outside [0, 1], d is not above −1, or
/// the infinite sum diverges (r ≥ 1 + d).
pub fn textbook_clv(input: &TextbookClvInput) -> Result<TextbookClv, ClvError> {
    let (m, r, d) = (
        input.margin_per_period,
        input.retention_rate,
        input.discount_rate,
    );
    if !m.is_finite() {
        return Err(ClvError::InvalidOption {
            option: "margin per period",
            reason: format!("{m} is not a finite number"),
        });
    }
    if !(0.0..=1.0).contains(&r) {
        return Err(ClvError::InvalidOption {
            option: "retention rate",
            reason: format!("{r} is not between 0 and 1"),
        });
    }
    if !(d.is_finite() && d > -1.0) {
        return Err(ClvError::InvalidOption {
            option: "discount rate",
            reason: format!("{d} must be a number above −1 (e.g. 0.1 for 10 % per period)"),
        });
    }
    match input.periods {
        None => {
            let denom = 1.0 + d - r;
            if denom <= 0.0 {
                return Err(ClvError::InvalidOption {
                    option: "discount rate",
                    reason: format!(
                        "with retention {r} and discount {d} the infinite sum does not converge (it needs r < 1 + d); give a finite number of periods"
                    ),
                });
            }
            let clv = m * r / denom;
            Ok(TextbookClv {
                clv,
                formula: "CLV = m·r / (1 + d − r)".into(),
                worked: format!("{m} × {r} / (1 + {d} − {r}) = {clv}"),
                terms: Vec::new(),
            })
        }
        Some(n) => {
            let ratio = r / (1.0 + d);
            let mut factor = 1.0;
            let terms: Vec<f64> = (0..n)
                .map(|_| {
                    factor *= ratio;
                    m * factor
                })
                .collect();
            let clv: f64 = terms.iter().sum();
            Ok(TextbookClv {
                clv,
                formula: "CLV = Σ_{t=1..n} m·r^t / (1 + d)^t".into(),
                worked: format!("Σ_{{t=1..{n}}} {m} × {r}^t / (1 + {d})^t = {clv}"),
                terms,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infinite_and_finite_horizons() {
        let inf = textbook_clv(&TextbookClvInput {
            margin_per_period: 100.0,
            retention_rate: 0.8,
            discount_rate: 0.1,
            periods: None,
        })
        .unwrap();
        assert!((inf.clv - 100.0 * 0.8 / 0.3).abs() < 1e-12);
        let fin = textbook_clv(&TextbookClvInput {
            margin_per_period: 100.0,
            retention_rate: 0.8,
            discount_rate: 0.1,
            periods: Some(3),
        })
        .unwrap();
        let q: f64 = 0.8 / 1.1;
        assert!((fin.clv - 100.0 * (q + q * q + q * q * q)).abs() < 1e-12);
        let long = textbook_clv(&TextbookClvInput {
            periods: Some(2000),
            ..inf_input()
        })
        .unwrap();
        assert!((long.clv - inf.clv).abs() < 1e-9);
    }

    fn inf_input() -> TextbookClvInput {
        TextbookClvInput {
            margin_per_period: 100.0,
            retention_rate: 0.8,
            discount_rate: 0.1,
            periods: None,
        }
    }

    #[test]
    fn rejects_bad_inputs() {
        for bad in [
            TextbookClvInput {
                retention_rate: 1.5,
                ..inf_input()
            },
            TextbookClvInput {
                discount_rate: -1.0,
                ..inf_input()
            },
            TextbookClvInput {
                margin_per_period: f64::NAN,
                ..inf_input()
            },
            TextbookClvInput {
                retention_rate: 1.0,
                discount_rate: 0.0,
                ..inf_input()
            },
        ] {
            assert!(matches!(
                textbook_clv(&bad),
                Err(ClvError::InvalidOption { .. })
            ));
        }
    }
}
