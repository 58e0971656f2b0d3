//! Loyalty score (0–100) and loyalty quadrant.
//!
//! Each component is a number in [0, 1]:
//!
//! | component | formula |
//! |---|---|
//! | repeat | (orders − 1) / orders; 0 without orders |
//! | regularity | 1 / (1 + CV of the gaps between purchase days); 0.5 with one gap; 0 with none |
//! | tenure | min(1, days since first purchase / `tenure_full_days`) |
//! | recency | max(0, 1 − days since last purchase / `recency_full_days`); 0 without orders |
//! | categories | min(1, (categories − 1) / (`categories_full` − 1)) |
//! | referrals | min(1, customers referred / `referrals_full`) |
//! | nps | latest NPS answer / 10 |
//! | satisfaction | (mean of the latest survey's valid 1–5 scores − 1) / 4 |
//!
//! behaviour = 100 · Σ wᵢcᵢ / Σ wᵢ over the six behaviour components; attitude the same over nps and
//! satisfaction, `None` without a survey answer. score = 100 · Σ wᵢcᵢ / Σ wᵢ over every component that
//! is available (so without a survey the score is the behaviour score). The quadrant compares
//! behaviour with `behaviour_high_at` and attitude with `attitude_high_at` (high ⇔ ≥): `true`
//! (high, high), `latent` (low behaviour, high attitude), `spurious` (high behaviour, low attitude:
//! inertia), `none` (low, low); no quadrant without a survey answer.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::customer_id::{find_by_id, row_and_history};
use super::explain::{finite, ratio, Explanation, Method, Step, Term, Value};
use super::history::{CustomerHistory, CustomerId, FastMap, Histories};
use crate::model::{Customer, SurveyResponse};

/// Weights and scales of the loyalty score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct LoyaltyWeights {
    /// Weight of the repeat rate.
    pub repeat: f64,
    /// Weight of purchase regularity.
    pub regularity: f64,
    /// Weight of tenure.
    pub tenure: f64,
    /// Weight of recency.
    pub recency: f64,
    /// Weight of categories bought.
    pub categories: f64,
    /// Weight of referrals.
    pub referrals: f64,
    /// Weight of the NPS answer.
    pub nps: f64,
    /// Weight of satisfaction.
    pub satisfaction: f64,
    /// Tenure in days that scores 1.
    pub tenure_full_days: u32,
    /// Days since last purchase at which recency scores 0.
    pub recency_full_days: u32,
    /// Categories that score 1 (at least 2).
    pub categories_full: u32,
    /// Referrals that score 1 (at least 1).
    pub referrals_full: u32,
    /// Behaviour score (0–100) from which behaviour is high.
    pub behaviour_high_at: f64,
    /// Attitude score (0–100) from which attitude is high.
    pub attitude_high_at: f64,
}

impl Default for LoyaltyWeights {
    fn default() -> Self {
        LoyaltyWeights {
            repeat: 0.20,
            regularity: 0.10,
            tenure: 0.10,
            recency: 0.15,
            categories: 0.05,
            referrals: 0.05,
            nps: 0.20,
            satisfaction: 0.15,
            tenure_full_days: 730,
            recency_full_days: 365,
            categories_full: 3,
            referrals_full: 3,
            behaviour_high_at: 50.0,
            attitude_high_at: 60.0,
        }
    }
}

/// Why loyalty could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LoyaltyError {
    /// A weight negative or not finite, or all weights zero.
    #[error("loyalty weights must be finite, not negative, and not all zero")]
    InvalidWeights,
    /// A scale of zero (or categories_full below 2).
    #[error("loyalty scales must be positive (and categories_full at least 2)")]
    InvalidScale,
}

/// The loyalty quadrant (behavioural × attitudinal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyQuadrant {
    /// High behaviour, high attitude.
    True,
    /// Low behaviour, high attitude.
    Latent,
    /// High behaviour, low attitude (inertia).
    Spurious,
    /// Low, low.
    None,
}

impl LoyaltyQuadrant {
    /// The four quadrants.
    pub const ALL: [LoyaltyQuadrant; 4] = [
        LoyaltyQuadrant::True,
        LoyaltyQuadrant::Latent,
        LoyaltyQuadrant::Spurious,
        LoyaltyQuadrant::None,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            LoyaltyQuadrant::True => "true",
            LoyaltyQuadrant::Latent => "latent",
            LoyaltyQuadrant::Spurious => "spurious",
            LoyaltyQuadrant::None => "none",
        }
    }
}

/// A customer's latest survey answer, the attitude input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Attitude {
    /// NPS answer 0–10.
    pub nps: Option<u8>,
    /// Mean of the valid 1–5 satisfaction scores.
    pub satisfaction: Option<f64>,
}

/// Each customer's latest survey answer on or before `as_of` (ties on the date: the later
/// `created_at`, then the larger id). NPS answers above 10 and scores outside 1–5 are ignored.
pub fn attitudes_from_surveys(
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
) -> HashMap<CustomerId, Attitude> {
    latest_attitudes(surveys, as_of)
        .into_iter()
        .map(|(id, a)| (id.into(), a))
        .collect()
}

/// [`attitudes_from_surveys`] keyed by the customer's id itself.
pub(crate) fn latest_attitudes(
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
) -> FastMap<Uuid, Attitude> {
    let mut latest: FastMap<Uuid, &SurveyResponse> = FastMap::default();
    for s in surveys.iter().filter(|s| s.date <= as_of) {
        let e = latest.entry(s.customer_id).or_insert(s);
        if (s.date, s.created_at, s.id) > (e.date, e.created_at, e.id) {
            *e = s;
        }
    }
    latest
        .into_iter()
        .map(|(id, s)| {
            let valid: Vec<f64> = s
                .scores
                .as_array()
                .iter()
                .filter(|x| (1..=5).contains(*x))
                .map(|&x| f64::from(x))
                .collect();
            let satisfaction =
                (!valid.is_empty()).then(|| valid.iter().sum::<f64>() / valid.len() as f64);
            (
                id,
                Attitude {
                    nps: (s.nps <= 10).then_some(s.nps),
                    satisfaction,
                },
            )
        })
        .collect()
}

/// Number of customers each customer referred (`referred_by`).
pub fn referral_counts(customers: &[Customer]) -> HashMap<CustomerId, u32> {
    referrals_by_id(customers)
        .into_iter()
        .map(|(k, v)| (k.into(), v))
        .collect()
}

/// [`referral_counts`] keyed by the referrer's id itself.
pub(crate) fn referrals_by_id(customers: &[Customer]) -> FastMap<Uuid, u32> {
    let mut m: FastMap<Uuid, u32> = FastMap::default();
    for c in customers {
        if let Some(r) = c.referred_by {
            *m.entry(r).or_default() += 1;
        }
    }
    m
}

/// The components of one customer's score, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoyaltyComponents {
    /// Repeat rate.
    pub repeat: f64,
    /// Regularity.
    pub regularity: f64,
    /// Tenure.
    pub tenure: f64,
    /// Recency.
    pub recency: f64,
    /// Categories.
    pub categories: f64,
    /// Referrals.
    pub referrals: f64,
    /// NPS, when answered.
    pub nps: Option<f64>,
    /// Satisfaction, when answered.
    pub satisfaction: Option<f64>,
}

/// One customer's loyalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoyaltyCustomer {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// The components.
    pub components: LoyaltyComponents,
    /// Behaviour score 0–100.
    pub behaviour: f64,
    /// Attitude score 0–100, `None` without a survey answer.
    pub attitude: Option<f64>,
    /// Loyalty score 0–100.
    pub score: f64,
    /// The quadrant, `None` without a survey answer.
    pub quadrant: Option<LoyaltyQuadrant>,
}

/// Counts of one quadrant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuadrantSummary {
    /// The quadrant.
    pub quadrant: LoyaltyQuadrant,
    /// Customers in it.
    pub customers: u32,
}

/// Every customer's loyalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loyalty {
    /// Weights used.
    pub weights: LoyaltyWeights,
    /// All customers, ascending by id.
    pub customers: Vec<LoyaltyCustomer>,
    /// The four quadrants.
    pub quadrants: Vec<QuadrantSummary>,
    /// Customers without a survey answer (no quadrant).
    pub without_survey: u32,
    /// Mean score over all customers (0 with none).
    pub mean_score: f64,
}

fn check(w: &LoyaltyWeights) -> Result<(), LoyaltyError> {
    let ws = [
        w.repeat,
        w.regularity,
        w.tenure,
        w.recency,
        w.categories,
        w.referrals,
        w.nps,
        w.satisfaction,
    ];
    if ws.iter().any(|x| !x.is_finite() || *x < 0.0) || ws.iter().sum::<f64>() <= 0.0 {
        return Err(LoyaltyError::InvalidWeights);
    }
    if w.tenure_full_days == 0
        || w.recency_full_days == 0
        || w.categories_full < 2
        || w.referrals_full == 0
        || !w.behaviour_high_at.is_finite()
        || !w.attitude_high_at.is_finite()
    {
        return Err(LoyaltyError::InvalidScale);
    }
    Ok(())
}

fn components(
    h: &CustomerHistory,
    as_of: NaiveDate,
    w: &LoyaltyWeights,
    referred: u32,
    att: Option<&Attitude>,
) -> LoyaltyComponents {
    let orders = f64::from(h.orders);
    let repeat = if h.orders == 0 {
        0.0
    } else {
        (orders - 1.0) / orders
    };
    let regularity = match (h.purchase_days, h.interval_cv) {
        (0 | 1, _) => 0.0,
        (2, _) => 0.5,
        (_, Some(cv)) => finite(1.0 / (1.0 + cv)),
        (_, None) => 0.5,
    };
    let tenure = h.tenure_days(as_of).map_or(0.0, |t| {
        ratio(t.max(0) as f64, f64::from(w.tenure_full_days)).min(1.0)
    });
    let recency = h.recency_days(as_of).map_or(0.0, |r| {
        (1.0 - ratio(r.max(0) as f64, f64::from(w.recency_full_days))).max(0.0)
    });
    let categories = ratio(
        f64::from(h.categories.saturating_sub(1)),
        f64::from(w.categories_full - 1),
    )
    .min(1.0);
    let referrals = ratio(f64::from(referred), f64::from(w.referrals_full)).min(1.0);
    LoyaltyComponents {
        repeat,
        regularity,
        tenure,
        recency,
        categories,
        referrals,
        nps: att.and_then(|a| a.nps).map(|n| f64::from(n) / 10.0),
        satisfaction: att
            .and_then(|a| a.satisfaction)
            .map(|s| ((s - 1.0) / 4.0).clamp(0.0, 1.0)),
    }
}

fn weighted<'a>(parts: impl IntoIterator<Item = &'a (f64, Option<f64>)>) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for &(w, c) in parts {
        if let Some(c) = c {
            num += w * c;
            den += w;
        }
    }
    (den > 0.0).then(|| finite(100.0 * num / den))
}

impl LoyaltyComponents {
    fn scores(&self, w: &LoyaltyWeights) -> (f64, Option<f64>, f64) {
        let behaviour = [
            (w.repeat, Some(self.repeat)),
            (w.regularity, Some(self.regularity)),
            (w.tenure, Some(self.tenure)),
            (w.recency, Some(self.recency)),
            (w.categories, Some(self.categories)),
            (w.referrals, Some(self.referrals)),
        ];
        let attitude = [(w.nps, self.nps), (w.satisfaction, self.satisfaction)];
        (
            weighted(&behaviour).unwrap_or(0.0),
            weighted(&attitude),
            weighted(behaviour.iter().chain(attitude.iter())).unwrap_or(0.0),
        )
    }
}

/// Loyalty of every customer in `histories`.
///
/// # Errors
/// [`LoyaltyError`] for negative, non-finite or all-zero weights, or a zero scale.
pub fn loyalty(
    histories: &Histories,
    weights: &LoyaltyWeights,
    attitudes: &HashMap<CustomerId, Attitude>,
    referrals: &HashMap<CustomerId, u32>,
) -> Result<Loyalty, LoyaltyError> {
    loyalty_with(histories, weights, |h| {
        (
            attitudes.get(&h.customer_id),
            referrals.get(&h.customer_id).copied().unwrap_or(0),
        )
    })
}

/// [`loyalty`] with each customer's attitude and referral count from `inputs`, called once per
/// customer in order, so a caller holding them by position avoids a lookup by id text.
pub(crate) fn loyalty_with<'a>(
    histories: &Histories,
    weights: &LoyaltyWeights,
    mut inputs: impl FnMut(&CustomerHistory) -> (Option<&'a Attitude>, u32),
) -> Result<Loyalty, LoyaltyError> {
    check(weights)?;
    let mut counts = [0u32; 4];
    let mut without_survey = 0;
    let mut total = 0.0;
    let customers: Vec<_> = histories
        .customers
        .iter()
        .map(|h| {
            let (att, referred) = inputs(h);
            let components = components(h, histories.as_of, weights, referred, att);
            let (behaviour, attitude, score) = components.scores(weights);
            let quadrant = attitude.map(|a| {
                match (
                    behaviour >= weights.behaviour_high_at,
                    a >= weights.attitude_high_at,
                ) {
                    (true, true) => LoyaltyQuadrant::True,
                    (false, true) => LoyaltyQuadrant::Latent,
                    (true, false) => LoyaltyQuadrant::Spurious,
                    (false, false) => LoyaltyQuadrant::None,
                }
            });
            match quadrant {
                Some(q) => counts[q as usize] += 1,
                None => without_survey += 1,
            }
            total += score;
            LoyaltyCustomer {
                customer_id: h.customer_id.clone(),
                components,
                behaviour,
                attitude,
                score,
                quadrant,
            }
        })
        .collect();
    let mean_score = ratio(total, customers.len() as f64);
    Ok(Loyalty {
        weights: *weights,
        quadrants: LoyaltyQuadrant::ALL
            .iter()
            .map(|&q| QuadrantSummary {
                quadrant: q,
                customers: counts[q as usize],
            })
            .collect(),
        customers,
        without_survey,
        mean_score,
    })
}

impl Loyalty {
    /// One customer's loyalty.
    pub fn customer(&self, customer_id: impl Into<CustomerId>) -> Option<&LoyaltyCustomer> {
        find_by_id(&self.customers, &customer_id.into(), |c| &c.customer_id)
    }

    /// The worked example for one customer: each component with its weight, then the scores.
    pub fn explain(
        &self,
        customer_id: impl Into<CustomerId>,
        histories: &Histories,
    ) -> Option<Explanation> {
        let (c, h) = row_and_history(&self.customers, |c| &c.customer_id, customer_id, histories)?;
        let w = &self.weights;
        let k = &c.components;
        let as_of = histories.as_of;
        let num = |x: f64| Value::Number(x);
        let opt = |x: Option<f64>| x.map_or(Value::Missing, Value::Number);
        let days = |d: Option<i64>| d.map_or(Value::Missing, Value::Days);
        let steps = vec![
            Step::new(
                "loyalty.repeat",
                "repeat = (orders − 1) / orders",
                vec![Term::new("orders", Value::Int(i64::from(h.orders)))],
                Term::new("repeat", num(k.repeat)),
            ),
            Step::new(
                "loyalty.regularity",
                "regularity = 1 / (1 + CV of gaps)",
                vec![
                    Term::new("purchase_days", Value::Int(i64::from(h.purchase_days))),
                    Term::new("interval_cv", opt(h.interval_cv)),
                ],
                Term::new("regularity", num(k.regularity)),
            ),
            Step::new(
                "loyalty.tenure",
                "tenure = min(1, days since first / tenure_full_days)",
                vec![
                    Term::new("days_since_first", days(h.tenure_days(as_of))),
                    Term::new(
                        "tenure_full_days",
                        Value::Days(i64::from(w.tenure_full_days)),
                    ),
                ],
                Term::new("tenure", num(k.tenure)),
            ),
            Step::new(
                "loyalty.recency",
                "recency = max(0, 1 − days since last / recency_full_days)",
                vec![
                    Term::new("days_since_last", days(h.recency_days(as_of))),
                    Term::new(
                        "recency_full_days",
                        Value::Days(i64::from(w.recency_full_days)),
                    ),
                ],
                Term::new("recency", num(k.recency)),
            ),
            Step::new(
                "loyalty.categories",
                "categories = min(1, (categories − 1) / (categories_full − 1))",
                vec![
                    Term::new("categories", Value::Int(i64::from(h.categories))),
                    Term::new("categories_full", Value::Int(i64::from(w.categories_full))),
                ],
                Term::new("categories", num(k.categories)),
            ),
            Step::new(
                "loyalty.referrals",
                "referrals = min(1, referred / referrals_full)",
                vec![Term::new(
                    "referrals_full",
                    Value::Int(i64::from(w.referrals_full)),
                )],
                Term::new("referrals", num(k.referrals)),
            ),
            Step::new(
                "loyalty.nps",
                "nps = answer / 10",
                vec![],
                Term::new("nps", opt(k.nps)),
            ),
            Step::new(
                "loyalty.satisfaction",
                "satisfaction = (mean score − 1) / 4",
                vec![],
                Term::new("satisfaction", opt(k.satisfaction)),
            ),
            Step::new(
                "loyalty.behaviour",
                "behaviour = 100 · Σ wᵢcᵢ / Σ wᵢ (behaviour components)",
                vec![],
                Term::new("behaviour", num(c.behaviour)),
            ),
            Step::new(
                "loyalty.attitude",
                "attitude = 100 · Σ wᵢcᵢ / Σ wᵢ (nps, satisfaction)",
                vec![],
                Term::new("attitude", opt(c.attitude)),
            ),
            Step::new(
                "loyalty.score",
                "score = 100 · Σ wᵢcᵢ / Σ wᵢ (available components)",
                vec![],
                Term::new("score", num(c.score)),
            ),
            Step::new(
                "loyalty.quadrant",
                "quadrant = (behaviour ≥ behaviour_high_at, attitude ≥ attitude_high_at)",
                vec![
                    Term::new("behaviour", num(c.behaviour)),
                    Term::new("behaviour_high_at", num(w.behaviour_high_at)),
                    Term::new("attitude", opt(c.attitude)),
                    Term::new("attitude_high_at", num(w.attitude_high_at)),
                ],
                Term::new(
                    "quadrant",
                    c.quadrant
                        .map_or(Value::Missing, |q| Value::Id(q.id().to_owned())),
                ),
            ),
        ];
        let parameters = [
            ("w_repeat", w.repeat),
            ("w_regularity", w.regularity),
            ("w_tenure", w.tenure),
            ("w_recency", w.recency),
            ("w_categories", w.categories),
            ("w_referrals", w.referrals),
            ("w_nps", w.nps),
            ("w_satisfaction", w.satisfaction),
        ]
        .iter()
        .map(|&(n, x)| Term::new(n, Value::Number(x)))
        .collect();
        Some(Explanation {
            method: Method::Loyalty,
            customer_id: Some(c.customer_id.to_string()),
            parameters,
            steps,
        })
    }
}
