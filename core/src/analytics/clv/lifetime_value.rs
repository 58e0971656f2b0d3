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
