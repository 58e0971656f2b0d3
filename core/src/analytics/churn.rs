//! Churn warning (流失预警).
//!
//! For each customer with at least one order:
//! * a **repeat customer** (two or more distinct purchase days) is compared with its own mean
//!   interval between purchase days; a **one-purchase customer** (one purchase day) with the shop's
//!   median interval, the median of the repeat customers' mean intervals (no repeat customers → no
//!   reference, so no overdue warning);
//! * it is **overdue** when days since the last purchase > k × that interval (k default 2);
//! * when a P(alive) is given for the customer (from the BG/NBD model), it is **unlikely alive**
//!   when P(alive) < the threshold (default 0.5);
//! * a **warning** is raised when overdue or unlikely alive.
//!
//! Warnings are ranked by **value at risk** descending (ties by id): the customer's average annual
//! spend over its active span, `revenue × 365 / max(365, last − first in days)`, in whole minor
//! units (rounded down; negative totals count as 0).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::customer_id::{find_by_id, row_and_history};
use super::explain::{Explanation, Method, Step, Term, Value};
use super::history::{
    clamp_money, days_between, ordered_key, sort_by_key_then_index, CustomerId, Histories,
};
use super::value_matrix::median;
use crate::model::Money;

/// Churn parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChurnOptions {
    /// Overdue when days since last purchase > k × interval.
    pub k: f64,
    /// Unlikely alive when P(alive) < this.
    pub p_alive_below: f64,
}

impl Default for ChurnOptions {
    fn default() -> Self {
        ChurnOptions {
            k: 2.0,
            p_alive_below: 0.5,
        }
    }
}

/// Why churn warnings could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ChurnError {
    /// k not a positive finite number.
    #[error("the churn factor k must be a positive number, not {0}")]
    InvalidK(f64),
    /// Threshold outside 0–1.
    #[error("the P(alive) threshold must be between 0 and 1, not {0}")]
    InvalidThreshold(f64),
}

/// Which interval a customer is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalBasis {
    /// The customer's own mean interval.
    Own,
    /// The shop's median interval (one-purchase customer).
    ShopMedian,
    /// No interval to compare with.
    None,
}

/// One customer's churn check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnCustomer {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// Days since the last purchase.
    pub days_since_last: i64,
    /// The interval compared with, days (0 when there is none).
    pub interval_days: f64,
    /// Where the interval comes from.
    pub basis: IntervalBasis,
    /// k × interval, days (0 when there is no interval).
    pub threshold_days: f64,
    /// Days since last purchase > threshold (and an interval exists).
    pub overdue: bool,
    /// P(alive) when given.
    pub p_alive: Option<f64>,
    /// P(alive) given and below the threshold.
    pub unlikely_alive: bool,
    /// Overdue or unlikely alive.
    pub warning: bool,
    /// Average annual spend over the active span, minor units.
    pub value_at_risk: Money,
}

/// The churn check of every purchaser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Churn {
    /// Parameters used.
    pub options: ChurnOptions,
    /// Median of the repeat customers' mean intervals, days.
    pub shop_median_interval: Option<f64>,
    /// Customers with at least one order, ascending by id.
    pub customers: Vec<ChurnCustomer>,
    /// Ids of the customers with a warning, by value at risk descending (ties by id).
    pub warnings: Vec<CustomerId>,
}

/// Churn warnings; `p_alive` maps customer ids to P(alive) from a fitted model, when there is one.
///
/// # Errors
/// [`ChurnError`] for k ≤ 0 or not finite, or a threshold outside 0–1.
pub fn churn(
    histories: &Histories,
    options: &ChurnOptions,
    p_alive: Option<&HashMap<String, f64>>,
) -> Result<Churn, ChurnError> {
    if !(options.k.is_finite() && options.k > 0.0) {
        return Err(ChurnError::InvalidK(options.k));
    }
    if !(0.0..=1.0).contains(&options.p_alive_below) {
        return Err(ChurnError::InvalidThreshold(options.p_alive_below));
    }
    let as_of = histories.as_of;
    let mut intervals: Vec<f64> = histories
        .purchasers()
        .filter_map(|h| h.mean_interval_days)
        .collect();
    let shop_median_interval = (!intervals.is_empty()).then(|| median(&mut intervals));
    let mut customers = Vec::with_capacity(histories.customers.len());
    for h in histories.purchasers() {
        let days_since_last = h.recency_days(as_of).unwrap_or(0);
        let (interval_days, basis) = match (h.mean_interval_days, shop_median_interval) {
            (Some(own), _) => (own, IntervalBasis::Own),
            (None, Some(shop)) => (shop, IntervalBasis::ShopMedian),
            (None, None) => (0.0, IntervalBasis::None),
        };
        let threshold_days = options.k * interval_days;
        let overdue = basis != IntervalBasis::None && days_since_last as f64 > threshold_days;
        let p = p_alive
            .and_then(|m| h.customer_id.with_str(|id| m.get(id)))
            .copied()
            .filter(|p| p.is_finite());
        let unlikely_alive = p.is_some_and(|p| p < options.p_alive_below);
        let span = match (h.first_purchase, h.last_purchase) {
            (Some(f), Some(l)) => days_between(f, l).max(365),
            _ => 365,
        };
        // In 64 bits unless the revenue is beyond ~25 trillion major units.
        let value_at_risk = match h.revenue.max(0).checked_mul(365) {
            Some(x) => x / span,
            None => clamp_money(i128::from(h.revenue.max(0)) * 365 / i128::from(span)),
        };
        customers.push(ChurnCustomer {
            customer_id: h.customer_id.clone(),
            days_since_last,
            interval_days,
            basis,
            threshold_days,
            overdue,
            p_alive: p,
            unlikely_alive,
            warning: overdue || unlikely_alive,
            value_at_risk,
        });
    }
    // Value at risk descending, ties by id: the customers are in id order, so by position. The
    // warned ids are copied in id order into a compact list and moved from it in ranked order.
    let mut warned: Vec<Option<CustomerId>> = Vec::new();
    let mut ranked: Vec<(u64, u32)> = Vec::new();
    for c in customers.iter().filter(|c| c.warning) {
        ranked.push((ordered_key(!c.value_at_risk), warned.len() as u32));
        warned.push(Some(c.customer_id.clone()));
    }
    sort_by_key_then_index(&mut ranked);
    let warnings = ranked
        .iter()
        .filter_map(|&(_, i)| warned.get_mut(i as usize).and_then(Option::take))
        .collect();
    Ok(Churn {
        options: *options,
        shop_median_interval,
        customers,
        warnings,
    })
}

impl Churn {
    /// One customer's check.
    pub fn customer(&self, customer_id: impl Into<CustomerId>) -> Option<&ChurnCustomer> {
        find_by_id(&self.customers, &customer_id.into(), |c| &c.customer_id)
    }

    /// The worked example for one customer.
    pub fn explain(
        &self,
        customer_id: impl Into<CustomerId>,
        histories: &Histories,
    ) -> Option<Explanation> {
        let (c, h) = row_and_history(&self.customers, |c| &c.customer_id, customer_id, histories)?;
        let mut steps = vec![Step::new(
            "churn.days_since_last",
            "days = as_of − last_purchase",
            vec![
                Term::new("as_of", Value::Date(histories.as_of)),
                Term::new(
                    "last_purchase",
                    h.last_purchase.map_or(Value::Missing, Value::Date),
                ),
            ],
            Term::new("days_since_last", Value::Days(c.days_since_last)),
        )];
        match c.basis {
            IntervalBasis::Own => steps.push(Step::new(
                "churn.own_interval",
                "interval = (last − first) / (purchase days − 1)",
                vec![
                    Term::new(
                        "first_purchase",
                        h.first_purchase.map_or(Value::Missing, Value::Date),
                    ),
                    Term::new(
                        "last_purchase",
                        h.last_purchase.map_or(Value::Missing, Value::Date),
                    ),
                    Term::new("purchase_days", Value::Int(i64::from(h.purchase_days))),
                ],
                Term::new("interval_days", Value::DaysF(c.interval_days)),
            )),
            IntervalBasis::ShopMedian => steps.push(Step::new(
                "churn.shop_interval",
                "interval = median of repeat customers' mean intervals",
                vec![],
                Term::new("interval_days", Value::DaysF(c.interval_days)),
            )),
            IntervalBasis::None => steps.push(Step::new(
                "churn.no_interval",
                "no repeat customers → no interval",
                vec![],
                Term::new("interval_days", Value::Missing),
            )),
        }
        steps.push(Step::new(
            "churn.overdue",
            "overdue ⇔ days > k × interval",
            vec![
                Term::new("days_since_last", Value::Days(c.days_since_last)),
                Term::new("k", Value::Number(self.options.k)),
                Term::new("threshold_days", Value::DaysF(c.threshold_days)),
            ],
            Term::new("overdue", Value::Bool(c.overdue)),
        ));
        steps.push(Step::new(
            "churn.p_alive",
            "unlikely alive ⇔ P(alive) < threshold",
            vec![
                Term::new("p_alive", c.p_alive.map_or(Value::Missing, Value::Number)),
                Term::new("p_alive_below", Value::Number(self.options.p_alive_below)),
            ],
            Term::new("unlikely_alive", Value::Bool(c.unlikely_alive)),
        ));
        steps.push(Step::new(
            "churn.value_at_risk",
            "value at risk = revenue × 365 / max(365, last − first)",
            vec![
                Term::new("revenue", Value::Money(h.revenue)),
                Term::new(
                    "active_span_days",
                    Value::Days(match (h.first_purchase, h.last_purchase) {
                        (Some(f), Some(l)) => (l - f).num_days(),
                        _ => 0,
                    }),
                ),
            ],
            Term::new("value_at_risk", Value::Money(c.value_at_risk)),
        ));
        Some(Explanation {
            method: Method::Churn,
            customer_id: Some(c.customer_id.to_string()),
            parameters: vec![
                Term::new("k", Value::Number(self.options.k)),
                Term::new("p_alive_below", Value::Number(self.options.p_alive_below)),
                Term::new(
                    "shop_median_interval",
                    self.shop_median_interval
                        .map_or(Value::Missing, Value::DaysF),
                ),
            ],
            steps,
        })
    }
}
