//! The Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV").

use super::optimise::{best_of_starts, Failure};
use super::special::{digamma, ln_gamma};
use super::{check_summary_values, ClvError, CustomerSummary, GammaGammaParams};

const MODEL: &str = "Gamma-Gamma";
/// Fewer repeat buyers than this cannot pin down three parameters.
pub(crate) const MIN_REPEAT_BUYERS: usize = 3;
const LOG_PARAM_LIMIT: f64 = 20.0;

/// Repeat buyers grouped by identical (x, m), with spend divided by its mean so that v is near 1
/// whatever the currency; p and q do not depend on that scale and v scales with it.
struct Prepared {
    xs: Vec<f64>,
    x_weight: Vec<f64>,
    /// (index into xs, x·m, weight)
    groups: Vec<(usize, f64, f64)>,
    sum_x_ln_m: f64,
    sum_ln_m: f64,
    customers: f64,
    scale: f64,
}

fn prepare(used: &[(f64, f64)]) -> Prepared {
    let mean = used.iter().map(|c| c.1).sum::<f64>() / used.len() as f64;
    let scale = if mean.is_finite() && mean > 0.0 {
        1.0 / mean
    } else {
        1.0
    };
    let mut keys: Vec<(u64, u64)> = used
        .iter()
        .map(|&(x, m)| (x.to_bits(), (m * scale).to_bits()))
        .collect();
    keys.sort_unstable();
    let mut xs: Vec<f64> = used.iter().map(|c| c.0).collect();
    xs.sort_unstable_by(f64::total_cmp);
    xs.dedup();
    let mut x_weight = vec![0.0; xs.len()];
    let mut groups: Vec<(usize, f64, f64)> = Vec::new();
    let mut prev = None;
    let (mut sum_x_ln_m, mut sum_ln_m) = (0.0, 0.0);
    for k in keys {
        let x = f64::from_bits(k.0);
        let m = f64::from_bits(k.1);
        let xi = xs.partition_point(|p| p.total_cmp(&x).is_lt());
        x_weight[xi] += 1.0;
        sum_x_ln_m += x * m.ln();
        sum_ln_m += m.ln();
        if prev == Some(k) {
            if let Some(g) = groups.last_mut() {
                g.2 += 1.0;
            }
        } else {
            groups.push((xi, x * m, 1.0));
            prev = Some(k);
        }
    }
    Prepared {
        xs,
        x_weight,
        groups,
        sum_x_ln_m,
        sum_ln_m,
        customers: used.len() as f64,
        scale,
    }
}

impl Prepared {
    /// Log-likelihood (of scaled spend) and its gradient with respect to (p, q, v).
    fn log_likelihood(&self, params: [f64; 3], grad: &mut [f64; 3]) -> f64 {
        let [p, q, v] = params;
        let n = self.customers;
        let ln_v = v.ln();
        let mut ll = n * (q * ln_v - ln_gamma(q)) + p * self.sum_x_ln_m - self.sum_ln_m;
        let mut g = [self.sum_x_ln_m, n * (ln_v - digamma(q)), n * q / v];
        for (k, &x) in self.xs.iter().enumerate() {
            let w = self.x_weight[k];
            let px = p * x;
            ll += w * (ln_gamma(px + q) - ln_gamma(px) + px * x.ln());
            let dg = digamma(px + q);
            g[0] += w * x * (dg - digamma(px) + x.ln());
            g[1] += w * dg;
        }
        for &(k, xm, w) in &self.groups {
            let x = self.xs[k];
            let pxq = p * x + q;
            let l = (xm + v).ln();
            ll -= w * pxq * l;
            g[0] -= w * x * l;
            g[1] -= w * l;
            g[2] -= w * pxq / (xm + v);
        }
        *grad = g;
        ll
    }
}

/// Fit Gamma-Gamma by maximum likelihood on the customers with frequency > 0 and a positive
/// monetary value (as lifetimes is used: on the repeat buyers' mean spend).
///
/// # Errors
/// [`ClvError::NoTransactions`] for no customers, [`ClvError::NoRepeatBuyers`] when no customer
/// has a repeat purchase with positive spend, [`ClvError::TooFewCustomers`] for fewer than 3 such
/// customers, [`ClvError::InvalidOption`] for non-finite summaries,
/// [`ClvError::NotIdentifiable`] when a parameter runs off to 0 or ∞ (e.g. every repeat buyer
/// spends exactly the same) or when q ≤ 1 (the mean spend of the population would be infinite),
/// [`ClvError::DidNotConverge`] when no start reaches a stationary point.
pub fn fit_gamma_gamma(s: &[CustomerSummary]) -> Result<GammaGammaParams, ClvError> {
    if s.is_empty() {
        return Err(ClvError::NoTransactions);
    }
    check_summary_values(s)?;
    let used: Vec<(f64, f64)> = s
        .iter()
        .filter(|c| c.frequency > 0.0 && c.monetary_value > 0.0)
        .map(|c| (c.frequency, c.monetary_value))
        .collect();
    if used.is_empty() {
        return Err(ClvError::NoRepeatBuyers);
    }
    if used.len() < MIN_REPEAT_BUYERS {
        return Err(ClvError::TooFewCustomers {
            model: MODEL,
            customers: used.len(),
            required: MIN_REPEAT_BUYERS,
        });
    }
    let data = prepare(&used);
    let n = data.customers;
    let mut objective = |theta: &[f64; 3], grad: &mut [f64; 3]| {
        let p = theta.map(f64::exp);
        let mut g = [0.0; 3];
        let ll = data.log_likelihood(p, &mut g);
        for i in 0..3 {
            grad[i] = -g[i] * p[i] / n;
        }
        -ll / n
    };
    let starts: [[f64; 3]; 4] = [
        [0.1; 3],
        [5.0_f64.ln(), 3.0_f64.ln(), 0.4_f64.ln()],
        [1.0_f64.ln(), 2.0_f64.ln(), 1.0_f64.ln()],
        [20.0_f64.ln(), 10.0_f64.ln(), 0.5_f64.ln()],
    ];
    let best = best_of_starts(&mut objective, &starts, LOG_PARAM_LIMIT).map_err(|e| match e {
        Failure::RunOff { ran_off } => ClvError::NotIdentifiable {
            model: MODEL,
            reason: format!(
                "the best-fitting {} (the repeat buyers' average spends do not vary enough to separate variation within and between customers)",
                ran_off
                    .iter()
                    .map(|&(i, inf)| format!(
                        "{} runs off to {}",
                        ["p", "q", "v"][i],
                        if inf { "infinity" } else { "zero" }
                    ))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        },
        Failure::NoConvergence { iterations } => ClvError::DidNotConverge {
            model: MODEL,
            iterations,
        },
    })?;
    let p = best.x.map(f64::exp);
    let params = GammaGammaParams {
        p: p[0],
        q: p[1],
        v: p[2] / data.scale,
    };
    if !(params.p.is_finite() && params.q.is_finite() && params.v.is_finite()) {
        return Err(ClvError::DidNotConverge {
            model: MODEL,
            iterations: best.iterations,
        });
    }
    if params.q <= 1.0 {
        return Err(ClvError::NotIdentifiable {
            model: MODEL,
            reason: format!(
                "the fitted q = {:.4} is not above 1, so the population's mean spend per transaction is infinite and expected spend cannot be computed",
                params.q
            ),
        });
    }
    Ok(params)
}

impl GammaGammaParams {
    /// Expected spend per transaction of a customer with `frequency` repeat purchases of mean
    /// `monetary_value` (lifetimes' `conditional_expected_average_profit`): a weighted mean of
    /// the population mean p·v/(q−1) and the customer's own mean, the weight p·x/(p·x+q−1).
    /// Meaningful for q > 1, which [`fit_gamma_gamma`] guarantees.
    pub fn expected_average_value(&self, frequency: f64, monetary_value: f64) -> f64 {
        let (p, q, v) = (self.p, self.q, self.v);
        let weight = p * frequency / (p * frequency + q - 1.0);
        let population_mean = v * p / (q - 1.0);
        (1.0 - weight) * population_mean + weight * monetary_value
    }

    /// Mean spend per transaction across the population, p·v/(q−1).
    pub fn population_mean(&self) -> f64 {
        self.v * self.p / (self.q - 1.0)
    }
}
