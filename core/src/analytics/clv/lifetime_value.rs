//! CLV as lifetimes' `GammaGammaFitter.customer_lifetime_value` computes it.

use serde::{Deserialize, Serialize};

use super::{BgNbdParams, CustomerSummary, GammaGammaParams, TimeUnit};

/// Time units per month in lifetimes' CLV (`factor = {"W": 4.345, "D": 30, ...}`).
pub fn periods_per_month(unit: TimeUnit) -> f64 {
    match unit {
        TimeUnit::Day => 30.0,
        TimeUnit::Week => 4.345,
    }
}

/// One month of a CLV sum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthStep {
    /// Month number, from 1.
    pub month: u32,
    /// Expected purchases in this month (difference of the cumulative expectation).
    pub expected_purchases: f64,
    /// 1 / (1 + discount rate)^month.
    pub discount_factor: f64,
    /// expected purchases × expected spend × discount factor, in major units.
    pub value: f64,
}

/// Discounted expected spend over `horizon_months` months, in major units: for month i, the
/// expected purchases between (i−1)·k and i·k time units (k = [`periods_per_month`]) times the
/// Gamma-Gamma expected spend per purchase, divided by (1 + discount_rate)^i, summed.
pub fn customer_lifetime_value(
    bg: &BgNbdParams,
    gg: &GammaGammaParams,
    s: &CustomerSummary,
    unit: TimeUnit,
    horizon_months: u32,
    discount_rate: f64,
) -> f64 {
    clv_by_month(bg, gg, s, unit, horizon_months, discount_rate, |_| {})
}

/// [`customer_lifetime_value`], handing each month's step to `each` (for worked examples).
pub(crate) fn clv_by_month(
    bg: &BgNbdParams,
    gg: &GammaGammaParams,
    s: &CustomerSummary,
    unit: TimeUnit,
    horizon_months: u32,
    discount_rate: f64,
    mut each: impl FnMut(MonthStep),
) -> f64 {
    let factor = periods_per_month(unit);
    let spend = gg.expected_average_value(s.frequency, s.monetary_value);
    let mut total = 0.0;
    let mut before = 0.0;
    let mut discount = 1.0;
    for month in 1..=horizon_months {
        let cumulative =
            bg.expected_purchases(f64::from(month) * factor, s.frequency, s.recency, s.t);
        let expected = cumulative - before;
        before = cumulative;
        discount /= 1.0 + discount_rate;
        let value = spend * expected * discount;
        total += value;
        each(MonthStep {
            month,
            expected_purchases: expected,
            discount_factor: discount,
            value,
        });
    }
    total
}

/// Expected purchases over `predict_periods` and, when `gg` is given, the CLV of every customer of
/// `s` (in `s`'s order), with the same floating-point operations as
/// [`super::BgNbdParams::expected_purchases`] and [`customer_lifetime_value`] per customer.
///
/// The hypergeometric part of the expectation depends only on (x, T), so it is evaluated once
/// per distinct (x, T) and month and shared by every customer with those values; only the P(alive)
/// weighting, which depends on t_x, is computed per customer.
pub(crate) fn expected_purchases_and_clv(
    bg: &BgNbdParams,
    gg: Option<&GammaGammaParams>,
    s: &[CustomerSummary],
    unit: TimeUnit,
    predict_periods: f64,
    horizon_months: u32,
    discount_rate: f64,
) -> (Vec<f64>, Option<Vec<f64>>) {
    let factor = periods_per_month(unit);
    let months = if gg.is_some() { horizon_months } else { 0 };
    let mut discounts = Vec::with_capacity(months as usize);
    let mut discount = 1.0;
    for _ in 0..months {
        discount /= 1.0 + discount_rate;
        discounts.push(discount);
    }
    let mut order: Vec<usize> = (0..s.len()).collect();
    order.sort_unstable_by(|&i, &j| {
        (s[i].frequency.total_cmp(&s[j].frequency)).then(s[i].t.total_cmp(&s[j].t))
    });
    let mut expected = vec![0.0; s.len()];
    let mut clv = gg.map(|_| vec![0.0; s.len()]);
    let mut if_alive = vec![0.0; months as usize];
    let mut run_start = 0;
    while run_start < order.len() {
        let first = &s[order[run_start]];
        let (x, big_t) = (first.frequency, first.t);
        let mut run_end = run_start + 1;
        while run_end < order.len()
            && s[order[run_end]].frequency.to_bits() == x.to_bits()
            && s[order[run_end]].t.to_bits() == big_t.to_bits()
        {
            run_end += 1;
        }
        for (m, v) in if_alive.iter_mut().enumerate() {
            *v = bg.expected_purchases_if_alive(f64::from(m as u32 + 1) * factor, x, big_t);
        }
        let predicted = (predict_periods > 0.0)
            .then(|| bg.expected_purchases_if_alive(predict_periods, x, big_t));
        for &i in &order[run_start..run_end] {
            let c = &s[i];
            let w = bg.alive_weight(c.frequency, c.recency, c.t);
            expected[i] = predicted.map_or(0.0, |p| w.apply(p));
            if let (Some(gg), Some(clv)) = (gg, clv.as_mut()) {
                let spend = gg.expected_average_value(c.frequency, c.monetary_value);
                let mut total = 0.0;
                let mut before = 0.0;
                for (&a, &discount) in if_alive.iter().zip(&discounts) {
                    let cumulative = w.apply(a);
                    let expected = cumulative - before;
                    before = cumulative;
                    total += spend * expected * discount;
                }
                clv[i] = total;
            }
        }
        run_start = run_end;
    }
    (expected, clv)
}
