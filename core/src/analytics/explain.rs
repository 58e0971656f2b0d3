//! One explanation shape shared by every method, so the UI can show any result as a worked example.
//!
//! An [`Explanation`] is a list of [`Step`]s. Each step names a formula by a stable key (the UI looks
//! the key up in its zh / en strings), shows the formula symbolically, lists the named input values
//! and the result. Values are structured ([`Value`]), never prose, so the UI formats numbers, money,
//! dates and ids in the user's language.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::Money;

/// Which analysis an explanation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// RFM scores and segments.
    Rfm,
    /// ABC / Pareto classes.
    Abc,
    /// Customer value matrix (average order value × frequency).
    ValueMatrix,
    /// Customer lifecycle stage.
    Lifecycle,
    /// Churn warning (流失预警).
    Churn,
    /// Loyalty score and quadrant.
    Loyalty,
    /// NPS and CSI.
    Satisfaction,
}

/// A typed value in an explanation; the UI formats it for the current language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A whole number (a count, a rank, a number of bins).
    Int(i64),
    /// An amount in minor units (fen, cents).
    Money(Money),
    /// An amount in minor units that need not be whole (an average order value).
    MoneyF(f64),
    /// A real number (a ratio, a mean).
    Number(f64),
    /// A percentage, 0–100 (may be negative for NPS).
    Percent(f64),
    /// A number of days.
    Days(i64),
    /// A real number of days (a mean interval).
    DaysF(f64),
    /// A calendar date.
    Date(NaiveDate),
    /// A score on a small integer scale (RFM 1–5).
    Score(u8),
    /// A translatable id (a segment, class, stage or strategy id); the UI looks it up.
    Id(String),
    /// Free text shown as is (a customer id).
    Text(String),
    /// Yes or no.
    Bool(bool),
    /// No value (e.g. no survey answer yet).
    Missing,
}

/// A named value: `name` is a translatable key of the quantity (e.g. `recency_days`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// Translatable key of the quantity.
    pub name: String,
    /// Its value.
    pub value: Value,
}

impl Term {
    /// A term from a key and a value.
    pub fn new(name: &str, value: Value) -> Self {
        Term {
            name: name.to_owned(),
            value,
        }
    }
}

/// One step of a worked example: `result = formula(inputs)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Translatable key of the step, e.g. `rfm.r_score`.
    pub key: String,
    /// The formula in symbols, language-neutral, e.g. `R = bins + 1 − min{s : k ≤ 1 + s·(n−1)/bins}`.
    pub formula: String,
    /// The input values, in the order the formula uses them.
    pub inputs: Vec<Term>,
    /// The value this step produced.
    pub result: Term,
}

impl Step {
    /// A step from its parts.
    pub fn new(key: &str, formula: &str, inputs: Vec<Term>, result: Term) -> Self {
        Step {
            key: key.to_owned(),
            formula: formula.to_owned(),
            inputs,
            result,
        }
    }
}

/// How one result (for one customer, or for the whole shop) was computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The method.
    pub method: Method,
    /// The customer explained, or `None` for a shop-wide figure.
    pub customer_id: Option<String>,
    /// Parameter values in force (bins, thresholds, k, …).
    pub parameters: Vec<Term>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// `x` if finite, else 0: no NaN or infinity ever reaches an output.
pub(crate) fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// `num / den` as a finite number; 0 when `den` is 0.
pub(crate) fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        finite(num / den)
    }
}
