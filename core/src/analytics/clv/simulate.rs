//! Synthetic purchase logs drawn from the BG/NBD and Gamma-Gamma models, for tests, benchmarks
//! and teaching datasets. Deterministic: the same spec and seed give the same log.

use chrono::{Days, NaiveDate};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{BgNbdParams, GammaGammaParams};
use crate::analytics::Transaction;

/// What to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationSpec {
    /// Number of customers.
    pub customers: usize,
    /// First day on which a customer can make a first purchase.
    pub start: NaiveDate,
    /// First purchases are spread uniformly over this many days from `start`.
    pub cohort_days: u32,
    /// Purchases are generated up to this many days after `start`.
    pub observation_days: u32,
    /// Purchase process, α in days (`log_likelihood` is ignored).
    pub purchases: BgNbdParams,
    /// Spend per purchase in major units.
    pub spend: GammaGammaParams,
    /// Random seed.
    pub seed: u64,
}

impl SimulationSpec {
    /// A shop of `customers` customers over two years (first purchases in the first year),
    /// about ten purchases per customer on average.
    pub fn shop(customers: usize, start: NaiveDate, seed: u64) -> Self {
        Self {
            customers,
            start,
            cohort_days: 365,
            observation_days: 730,
            purchases: BgNbdParams {
                r: 0.9,
                alpha: 25.0,
                a: 0.6,
                b: 5.0,
                log_likelihood: 0.0,
            },
            spend: GammaGammaParams {
                p: 6.0,
                q: 4.0,
                v: 15.0,
            },
            seed,
        }
    }
}

/// Uniform on (0, 1): never exactly 0, so logarithms stay finite.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v) = (uniform(rng), uniform(rng));
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Gamma(shape, scale 1), by Marsaglia & Tsang (2000); shapes below 1 boosted by U^(1/shape).
fn gamma(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
    if shape < 1.0 {
        let u = uniform(rng);
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = uniform(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Draw a purchase log. Each customer gets a purchase rate λ ~ Gamma(r, α) (per day) and a
/// drop-out probability p ~ Beta(a, b); after the first purchase, purchases follow a Poisson
/// process of rate λ, and after each repeat purchase the customer drops out with probability p.
/// Spend per purchase is Gamma(p, ν) with ν ~ Gamma(q, v), rounded to minor units. The log is in
/// customer then date order; ids are `c000001`, `c000002`, ….
pub fn simulate_transactions(spec: &SimulationSpec) -> Vec<Transaction> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let bg = spec.purchases;
    let gg = spec.spend;
    let horizon = f64::from(spec.observation_days);
    let mut out = Vec::new();
    for i in 0..spec.customers {
        let id = format!("c{:06}", i + 1);
        let lambda = gamma(&mut rng, bg.r) / bg.alpha;
        let ga = gamma(&mut rng, bg.a);
        let gb = gamma(&mut rng, bg.b);
        let drop = ga / (ga + gb);
        let nu = gamma(&mut rng, gg.q) / gg.v;
        let first = (uniform(&mut rng) * f64::from(spec.cohort_days)).floor();
        let mut t = first;
        loop {
            let dollars = gamma(&mut rng, gg.p) / nu;
            let cents = (dollars * 100.0).round().clamp(0.0, 1e15) as i64;
            if let Some(date) = spec.start.checked_add_days(Days::new(t as u64)) {
                out.push(Transaction {
                    customer_id: id.clone(),
                    date,
                    amount: cents,
                });
            }
            if t > first && uniform(&mut rng) < drop {
                break;
            }
            if lambda <= 0.0 {
                break;
            }
            t += -uniform(&mut rng).ln() / lambda;
            if t >= horizon {
                break;
            }
        }
    }
    out
}
