//! The BG/NBD model (Fader, Hardie & Lee 2005): likelihood, fit, P(alive), expected purchases.

use super::optimise::{best_of_starts, Failure};
use super::special::{digamma, hyp2f1_tail_scaled, ln_gamma};
use super::{check_summary_values, BgNbdParams, ClvError, CustomerSummary};

const MODEL: &str = "BG/NBD";
/// Fewer customers than this cannot pin down four parameters.
pub(crate) const MIN_CUSTOMERS: usize = 3;
/// A fitted log-parameter (in rescaled time) beyond this is a run-off to 0 or ∞.
const LOG_PARAM_LIMIT: f64 = 20.0;

/// Customers grouped by identical (x, t_x, T), with the distinct values of each indexed so that
/// logarithms are taken once per distinct value, not once per customer.
struct Prepared {
    xs: Vec<f64>,
    x_weight: Vec<f64>,
    ts: Vec<f64>,
    txs: Vec<f64>,
    groups: Vec<Group>,
    customers: f64,
    /// Time is multiplied by this before fitting (as lifetimes does: max T becomes 10), which
    /// keeps α near 1 whatever the unit.
    scale: f64,
    total_x: f64,
}

#[derive(Clone, Copy)]
struct Group {
    x: u32,
    tx: u32,
    t: u32,
    weight: f64,
}

fn distinct(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v.dedup();
    v
}

fn index_of(sorted: &[f64], v: f64) -> u32 {
    // The values come from the same customers the list was built from, so they are present.
    sorted.partition_point(|p| p.total_cmp(&v).is_lt()) as u32
}

fn prepare(s: &[CustomerSummary]) -> Prepared {
    let max_t = s.iter().fold(0.0_f64, |m, c| m.max(c.t));
    let scale = if max_t > 0.0 { 10.0 / max_t } else { 1.0 };
    let mut keys: Vec<(u64, u64, u64)> = s
        .iter()
        .map(|c| {
            (
                c.frequency.to_bits(),
                (c.recency * scale).to_bits(),
                (c.t * scale).to_bits(),
            )
        })
        .collect();
    keys.sort_unstable();
    let xs = distinct(s.iter().map(|c| c.frequency).collect());
    let txs = distinct(s.iter().map(|c| c.recency * scale).collect());
    let ts = distinct(s.iter().map(|c| c.t * scale).collect());
    let mut groups: Vec<Group> = Vec::new();
    let mut x_weight = vec![0.0; xs.len()];
    let mut prev = None;
    for k in keys {
        if prev == Some(k) {
            if let Some(g) = groups.last_mut() {
                g.weight += 1.0;
            }
        } else {
            groups.push(Group {
                x: index_of(&xs, f64::from_bits(k.0)),
                tx: index_of(&txs, f64::from_bits(k.1)),
                t: index_of(&ts, f64::from_bits(k.2)),
                weight: 1.0,
            });
            prev = Some(k);
        }
        x_weight[index_of(&xs, f64::from_bits(k.0)) as usize] += 1.0;
    }
    Prepared {
        xs,
        x_weight,
        ts,
        txs,
        groups,
        customers: s.len() as f64,
        scale,
        total_x: s.iter().map(|c| c.frequency).sum(),
    }
}

/// Scratch space reused across evaluations.
struct Scratch {
    ln_t: Vec<f64>,
    inv_t: Vec<f64>,
    ln_tx: Vec<f64>,
    inv_tx: Vec<f64>,
    c4: Vec<f64>,
    inv_bx: Vec<f64>,
}

impl Prepared {
    fn scratch(&self) -> Scratch {
        Scratch {
            ln_t: vec![0.0; self.ts.len()],
            inv_t: vec![0.0; self.ts.len()],
            ln_tx: vec![0.0; self.txs.len()],
            inv_tx: vec![0.0; self.txs.len()],
            c4: vec![0.0; self.xs.len()],
            inv_bx: vec![0.0; self.xs.len()],
        }
    }

    /// Log-likelihood at natural parameters (α in rescaled time) and its gradient with respect
    /// to (r, α, a, b).
    fn log_likelihood(&self, p: [f64; 4], sc: &mut Scratch, grad: &mut [f64; 4]) -> f64 {
        let [r, alpha, a, b] = p;
        let ln_alpha = alpha.ln();
        for (j, &t) in self.ts.iter().enumerate() {
            sc.ln_t[j] = (alpha + t).ln();
            sc.inv_t[j] = 1.0 / (alpha + t);
        }
        for (j, &t) in self.txs.iter().enumerate() {
            sc.ln_tx[j] = (alpha + t).ln();
            sc.inv_tx[j] = 1.0 / (alpha + t);
        }
        let (lg_r, lg_b, lg_ab) = (ln_gamma(r), ln_gamma(b), ln_gamma(a + b));
        let (dg_r, dg_b, dg_ab) = (digamma(r), digamma(b), digamma(a + b));
        let ln_a = a.ln();
        let mut ll = 0.0;
        let mut g = [0.0; 4];
        // The parts that depend on x only.
        for (k, &x) in self.xs.iter().enumerate() {
            let w = self.x_weight[k];
            let a1 = ln_gamma(r + x) - lg_r + r * ln_alpha;
            let a2 = lg_ab + ln_gamma(b + x) - lg_b - ln_gamma(a + b + x);
            ll += w * (a1 + a2);
            g[0] += w * (digamma(r + x) - dg_r + ln_alpha);
            g[1] += w * r / alpha;
            let dg_abx = digamma(a + b + x);
            g[2] += w * (dg_ab - dg_abx);
            g[3] += w * (dg_ab + digamma(b + x) - dg_b - dg_abx);
            if x > 0.0 {
                sc.c4[k] = ln_a - (b + x - 1.0).ln();
                sc.inv_bx[k] = 1.0 / (b + x - 1.0);
            }
        }
        // The mixture of "still alive at T" and "dropped out after the last purchase".
        for grp in &self.groups {
            let k = grp.x as usize;
            let x = self.xs[k];
            let rx = r + x;
            let lt = sc.ln_t[grp.t as usize];
            let a3 = -rx * lt;
            if x > 0.0 {
                let ltx = sc.ln_tx[grp.tx as usize];
                let a4 = sc.c4[k] - rx * ltx;
                let (hi, lo_is_a3) = if a3 >= a4 { (a3, false) } else { (a4, true) };
                let e = (-(a3 - a4).abs()).exp();
                let l = hi + e.ln_1p();
                let w_small = e / (1.0 + e);
                let (w3, w4) = if lo_is_a3 {
                    (w_small, 1.0 - w_small)
                } else {
                    (1.0 - w_small, w_small)
                };
                let wt = grp.weight;
                ll += wt * l;
                g[0] -= wt * (w3 * lt + w4 * ltx);
                g[1] -= wt * rx * (w3 * sc.inv_t[grp.t as usize] + w4 * sc.inv_tx[grp.tx as usize]);
                g[2] += wt * w4 / a;
                g[3] -= wt * w4 * sc.inv_bx[k];
            } else {
                let wt = grp.weight;
                ll += wt * a3;
                g[0] -= wt * lt;
                g[1] -= wt * rx * sc.inv_t[grp.t as usize];
            }
        }
        *grad = g;
        ll
    }
}

/// Fit BG/NBD by maximum likelihood.
///
/// The mean negative log-likelihood is minimised over the log-parameters with BFGS and an
/// analytic gradient, in time rescaled so the largest T is 10 (as lifetimes does), from several
/// fixed starting points. The reported α and log-likelihood are in the summaries' time unit.
///
/// # Errors
/// [`ClvError::NoTransactions`] for no customers, [`ClvError::TooFewCustomers`] for fewer than 3,
/// [`ClvError::NoRepeatBuyers`] when every frequency is 0, [`ClvError::InvalidOption`] for
/// non-finite or inconsistent summaries, [`ClvError::NotIdentifiable`] when the likelihood has
/// its supremum at a boundary (a parameter runs off to 0 or ∞), [`ClvError::DidNotConverge`]
/// when no start reaches a stationary point.
pub fn fit_bgnbd(s: &[CustomerSummary]) -> Result<BgNbdParams, ClvError> {
    fit(s, 0.0)
}

/// [`fit_bgnbd`] with a ridge penalty `penalizer · Σ θᵢ²` on the log-parameters θ (time rescaled
/// so the largest T is 10) added to the mean negative log-likelihood. This keeps the estimates
/// finite on data where the plain fit runs off to a boundary (for example when every customer
/// seems to drop out with the same probability, so a and b grow without bound), at the price of
/// a small bias; lifetimes offers the same remedy as `penalizer_coef`. The reported
/// log-likelihood is the unpenalised one.
///
/// # Errors
/// As [`fit_bgnbd`]; [`ClvError::InvalidOption`] when `penalizer` is negative or not finite.
pub fn fit_bgnbd_penalized(s: &[CustomerSummary], penalizer: f64) -> Result<BgNbdParams, ClvError> {
    if !(penalizer.is_finite() && penalizer >= 0.0) {
        return Err(ClvError::InvalidOption {
            option: "penalizer",
            reason: format!("{penalizer} must be a number ≥ 0"),
        });
    }
    fit(s, penalizer)
}

fn fit(s: &[CustomerSummary], penalizer: f64) -> Result<BgNbdParams, ClvError> {
    if s.is_empty() {
        return Err(ClvError::NoTransactions);
    }
    check_summary_values(s)?;
    if s.len() < MIN_CUSTOMERS {
        return Err(ClvError::TooFewCustomers {
            model: MODEL,
            customers: s.len(),
            required: MIN_CUSTOMERS,
        });
    }
    if !s.iter().any(|c| c.frequency > 0.0) {
        return Err(ClvError::NoRepeatBuyers);
    }
    let data = prepare(s);
    let mut scratch = data.scratch();
    let n = data.customers;
    let mut objective = |theta: &[f64; 4], grad: &mut [f64; 4]| {
        let p = theta.map(f64::exp);
        let mut g = [0.0; 4];
        let ll = data.log_likelihood(p, &mut scratch, &mut g);
        let mut penalty = 0.0;
        for i in 0..4 {
            grad[i] = -g[i] * p[i] / n + 2.0 * penalizer * theta[i];
            penalty += penalizer * theta[i] * theta[i];
        }
        -ll / n + penalty
    };
    let starts: [[f64; 4]; 4] = [
        [0.1; 4],
        [0.25_f64.ln(), 1.0_f64.ln(), 0.8_f64.ln(), 2.5_f64.ln()],
        [1.0_f64.ln(), 5.0_f64.ln(), 2.0_f64.ln(), 8.0_f64.ln()],
        [0.05_f64.ln(), 0.2_f64.ln(), 0.3_f64.ln(), 0.5_f64.ln()],
    ];
    let best = best_of_starts(&mut objective, &starts, LOG_PARAM_LIMIT).map_err(|e| match e {
        Failure::RunOff { ran_off } => run_off(&ran_off),
        Failure::NoConvergence { iterations } => ClvError::DidNotConverge {
            model: MODEL,
            iterations,
        },
    })?;
    let p = best.x.map(f64::exp);
    // Undo the time rescaling: α scales with time, and every customer's density picks up
    // a factor scale^x.
    let penalty: f64 = best.x.iter().map(|t| penalizer * t * t).sum();
    let log_likelihood = -(best.f - penalty) * n + data.total_x * data.scale.ln();
    let params = BgNbdParams {
        r: p[0],
        alpha: p[1] / data.scale,
        a: p[2],
        b: p[3],
        log_likelihood,
    };
    if [params.r, params.alpha, params.a, params.b, log_likelihood]
        .iter()
        .all(|v| v.is_finite())
    {
        Ok(params)
    } else {
        Err(ClvError::DidNotConverge {
            model: MODEL,
            iterations: best.iterations,
        })
    }
}

fn run_off(ran_off: &[(usize, bool)]) -> ClvError {
    const NAMES: [&str; 4] = ["r", "alpha", "a", "b"];
    let has = |i: usize, inf: bool| ran_off.contains(&(i, inf));
    let hint = if has(2, true) && has(3, true) {
        " (the drop-out probability looks the same for every customer, so its spread across customers cannot be estimated)"
    } else if has(2, false) || (has(3, true) && !has(2, true)) {
        " (no customer appears to drop out, so the drop-out distribution cannot be estimated)"
    } else if has(2, true) {
        " (customers appear to drop out right after each purchase)"
    } else {
        ""
    };
    let what: Vec<String> = ran_off
        .iter()
        .map(|&(i, inf)| {
            format!(
                "{} runs off to {}",
                NAMES[i],
                if inf { "infinity" } else { "zero" }
            )
        })
        .collect();
    ClvError::NotIdentifiable {
        model: MODEL,
        reason: format!(
            "the best-fitting {}{hint}; more customers, more repeat purchases or a longer calibration period are needed",
            what.join(" and ")
        ),
    }
}

impl BgNbdParams {
    /// The BG/NBD log-likelihood of `s` at these parameters, with time in the summaries' unit.
    pub fn log_likelihood_of(&self, s: &[CustomerSummary]) -> f64 {
        let mut data = prepare(s);
        // Evaluate in the original unit.
        data.ts = data.ts.iter().map(|t| t / data.scale).collect();
        data.txs = data.txs.iter().map(|t| t / data.scale).collect();
        let mut sc = data.scratch();
        let mut g = [0.0; 4];
        data.log_likelihood([self.r, self.alpha, self.a, self.b], &mut sc, &mut g)
    }

    /// Probability that a customer with `x` repeat purchases, the last at `t_x`, observed for
    /// `t` time units since the first purchase, is still active (lifetimes'
    /// `conditional_probability_alive`). Customers with no repeat purchase are alive with
    /// probability 1 in this model.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        let log_div = (self.r + x) * ((self.alpha + t) / (self.alpha + t_x)).ln()
            + (self.a / (self.b + x.max(1.0) - 1.0)).ln();
        // expit(-log_div), written to saturate instead of overflowing.
        if log_div >= 0.0 {
            let e = (-log_div).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + log_div.exp())
        }
    }

    /// Expected purchases in the next `t` time units of a customer with `x` repeat purchases, the
    /// last at `t_x`, observed for `big_t` time units (lifetimes'
    /// `conditional_expected_number_of_purchases_up_to_time`, equation 10 of the paper).
    pub fn expected_purchases(&self, t: f64, x: f64, t_x: f64, big_t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        self.alive_weight(x, t_x, big_t)
            .apply(self.expected_purchases_if_alive(t, x, big_t))
    }

    /// The part of [`Self::expected_purchases`] that does not depend on `t_x` (shared by every
    /// customer with the same `x` and `T`), for `t > 0`.
    pub(crate) fn expected_purchases_if_alive(&self, t: f64, x: f64, big_t: f64) -> f64 {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let z = t / (alpha + big_t + t);
        // Euler's transformation of 2F1(r+x, b+x; a+b+x−1; z) turns its large upper parameters
        // into small ones, so the series neither overflows nor cancels:
        //   1 − 2F1(·)·(1−z)^(r+x) = 1 − F(a+b−1−r, a−1; c; z)·(1−z)^(a−1),  c = a+b+x−1.
        // With B = a−1, F = 1 + (B/c)·S and e = (1−z)^B, the numerator (c/B)·(1 − F·e) is
        //   c·(−expm1(B ln(1−z))/B) − S·e,
        // free of lifetimes' 1/(a−1) singularity at a = 1 and of 2F1's pole at c = 0.
        let big_a = a + b - 1.0 - r;
        let big_b = a - 1.0;
        let c = a + b + x - 1.0;
        let (s, _) = hyp2f1_tail_scaled(big_a, big_b, c, z);
        let ln_1mz = (-z).ln_1p();
        let bl = big_b * ln_1mz;
        let expm1_over_b = if big_b == 0.0 {
            ln_1mz
        } else {
            bl.exp_m1() / big_b
        };
        -c * expm1_over_b - s * bl.exp()
    }

    /// The factor of [`Self::expected_purchases`] that depends on `t_x`: the expectation for a
    /// customer known to be alive, weighted by the probability of being alive.
    pub(crate) fn alive_weight(&self, x: f64, t_x: f64, big_t: f64) -> AliveWeight {
        if x <= 0.0 {
            return AliveWeight { mul: 1.0, div: 1.0 };
        }
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let d = (a / (b + x - 1.0)).ln() + (r + x) * ((alpha + big_t) / (alpha + t_x)).ln();
        if d > 0.0 {
            let e = (-d).exp();
            AliveWeight {
                mul: e,
                div: 1.0 + e,
            }
        } else {
            AliveWeight {
                mul: 1.0,
                div: 1.0 + d.exp(),
            }
        }
    }
}

/// `v ↦ v · mul / div`: the P(alive) weighting of an expectation, in the exact operations of
/// `v · e/(1+e)` or `v/(1+e^d)` (multiplying by 1 and dividing by 1 are exact).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AliveWeight {
    mul: f64,
    div: f64,
}

impl AliveWeight {
    pub(crate) fn apply(self, v: f64) -> f64 {
        v * self.mul / self.div
    }
}
