//! Customer lifecycle stage (客户生命周期).
//!
//! Every customer gets exactly one stage; the first rule that holds wins:
//! 1. `potential` — no purchase up to the analysis date;
//! 2. `lost` — days since the last purchase > `lost_after_days` (default 365);
//! 3. `at_risk` — the churn warning ([`super::churn`]) holds for the customer;
//! 4. `new` — the first purchase was at most `new_within_days` (default 90) days ago;
//! 5. `expanding` — the course's fourth stage, the loyal customer who takes up a new line of
//!    business: at least `loyal_min_orders` orders (default 5) and at least two distinct non-empty
//!    order categories;
//! 6. `loyal` — at least `loyal_min_orders` orders;
//! 7. `active` — otherwise (a customer who bought, is neither new nor loyal, and is not slipping).

use serde::{Deserialize, Serialize};

use super::churn::Churn;
use super::customer_id::{find_by_id, row_and_history};
use super::explain::{ratio, Explanation, Method, Step, Term, Value};
use super::history::{CustomerId, Histories};

/// A lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// No purchase yet.
    Potential,
    /// First purchase recently.
    New,
    /// Buying, neither new nor loyal.
    Active,
    /// Many orders.
    Loyal,
    /// Loyal and buying from a second line of business.
    Expanding,
    /// Churn warning.
    AtRisk,
    /// No purchase for a long time.
    Lost,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 7] = [
        Stage::Potential,
        Stage::New,
        Stage::Active,
        Stage::Loyal,
        Stage::Expanding,
        Stage::AtRisk,
        Stage::Lost,
    ];

    /// The stage's stable id.
    pub fn id(self) -> &'static str {
        match self {
            Stage::Potential => "potential",
            Stage::New => "new",
            Stage::Active => "active",
            Stage::Loyal => "loyal",
            Stage::Expanding => "expanding",
            Stage::AtRisk => "at_risk",
            Stage::Lost => "lost",
        }
    }
}

/// Lifecycle thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleOptions {
    /// Days a first-time customer counts as new.
    pub new_within_days: u32,
    /// Orders that make a customer loyal.
    pub loyal_min_orders: u32,
    /// Days without purchase after which a customer is lost.
    pub lost_after_days: u32,
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        LifecycleOptions {
            new_within_days: 90,
            loyal_min_orders: 5,
            lost_after_days: 365,
        }
    }
}

/// One customer's stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleCustomer {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// The stage.
    pub stage: Stage,
}

/// Totals of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageSummary {
    /// The stage.
    pub stage: Stage,
    /// Customers in it.
    pub customers: u32,
    /// Percent of all customers.
    pub customer_share: f64,
}

/// Every customer's stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// Thresholds used.
    pub options: LifecycleOptions,
    /// All customers, ascending by id.
    pub customers: Vec<LifecycleCustomer>,
    /// Every stage in [`Stage::ALL`] order.
    pub stages: Vec<StageSummary>,
}

/// Stages of every customer in `histories`; `churn` must come from the same histories.
pub fn lifecycle(histories: &Histories, options: &LifecycleOptions, churn: &Churn) -> Lifecycle {
    let as_of = histories.as_of;
    let mut counts = [0u32; 7];
    let mut warn = churn.customers.iter().peekable();
    let customers: Vec<_> = histories
        .customers
        .iter()
        .map(|h| {
            let mut warned = false;
            while let Some(c) = warn.peek() {
                match c.customer_id.cmp(&h.customer_id) {
                    std::cmp::Ordering::Less => {
                        warn.next();
                    }
                    std::cmp::Ordering::Equal => {
                        warned = c.warning;
                        warn.next();
                        break;
                    }
                    std::cmp::Ordering::Greater => break,
                }
            }
            let stage = stage_of(h, as_of, options, warned);
            counts[Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0)] += 1;
            LifecycleCustomer {
                customer_id: h.customer_id.clone(),
                stage,
            }
        })
        .collect();
    let n = customers.len() as f64;
    let stages = Stage::ALL
        .iter()
        .enumerate()
        .map(|(i, &stage)| StageSummary {
            stage,
            customers: counts[i],
            customer_share: ratio(f64::from(counts[i]) * 100.0, n),
        })
        .collect();
    Lifecycle {
        options: *options,
        customers,
        stages,
    }
}

fn stage_of(
    h: &super::history::CustomerHistory,
    as_of: chrono::NaiveDate,
    o: &LifecycleOptions,
    warned: bool,
) -> Stage {
    let (Some(recency), Some(tenure)) = (h.recency_days(as_of), h.tenure_days(as_of)) else {
        return Stage::Potential;
    };
    if recency > i64::from(o.lost_after_days) {
        Stage::Lost
    } else if warned {
        Stage::AtRisk
    } else if tenure <= i64::from(o.new_within_days) {
        Stage::New
    } else if h.orders >= o.loyal_min_orders && h.categories >= 2 {
        Stage::Expanding
    } else if h.orders >= o.loyal_min_orders {
        Stage::Loyal
    } else {
        Stage::Active
    }
}

impl Lifecycle {
    /// One customer's stage.
    pub fn customer(&self, customer_id: impl Into<CustomerId>) -> Option<&LifecycleCustomer> {
        find_by_id(&self.customers, &customer_id.into(), |c| &c.customer_id)
    }

    /// The worked example for one customer: each rule in order with its inputs and outcome.
    pub fn explain(
        &self,
        customer_id: impl Into<CustomerId>,
        histories: &Histories,
        churn: &Churn,
    ) -> Option<Explanation> {
        let (c, h) = row_and_history(&self.customers, |c| &c.customer_id, customer_id, histories)?;
        let o = &self.options;
        let as_of = histories.as_of;
        let recency = h.recency_days(as_of);
        let tenure = h.tenure_days(as_of);
        let warned = churn.customer(&c.customer_id).is_some_and(|c| c.warning);
        let days = |d: Option<i64>| d.map_or(Value::Missing, Value::Days);
        let steps = vec![
            Step::new(
                "lifecycle.potential",
                "potential ⇔ no purchase",
                vec![Term::new("orders", Value::Int(i64::from(h.orders)))],
                Term::new("holds", Value::Bool(h.orders == 0)),
            ),
            Step::new(
                "lifecycle.lost",
                "lost ⇔ days since last purchase > lost_after_days",
                vec![
                    Term::new("days_since_last", days(recency)),
                    Term::new("lost_after_days", Value::Days(i64::from(o.lost_after_days))),
                ],
                Term::new(
                    "holds",
                    Value::Bool(recency.is_some_and(|r| r > i64::from(o.lost_after_days))),
                ),
            ),
            Step::new(
                "lifecycle.at_risk",
                "at risk ⇔ churn warning",
                vec![],
                Term::new("holds", Value::Bool(warned)),
            ),
            Step::new(
                "lifecycle.new",
                "new ⇔ days since first purchase ≤ new_within_days",
                vec![
                    Term::new("days_since_first", days(tenure)),
                    Term::new("new_within_days", Value::Days(i64::from(o.new_within_days))),
                ],
                Term::new(
                    "holds",
                    Value::Bool(tenure.is_some_and(|t| t <= i64::from(o.new_within_days))),
                ),
            ),
            Step::new(
                "lifecycle.expanding",
                "expanding ⇔ orders ≥ loyal_min_orders and categories ≥ 2",
                vec![
                    Term::new("orders", Value::Int(i64::from(h.orders))),
                    Term::new(
                        "loyal_min_orders",
                        Value::Int(i64::from(o.loyal_min_orders)),
                    ),
                    Term::new("categories", Value::Int(i64::from(h.categories))),
                ],
                Term::new(
                    "holds",
                    Value::Bool(h.orders >= o.loyal_min_orders && h.categories >= 2),
                ),
            ),
            Step::new(
                "lifecycle.loyal",
                "loyal ⇔ orders ≥ loyal_min_orders",
                vec![
                    Term::new("orders", Value::Int(i64::from(h.orders))),
                    Term::new(
                        "loyal_min_orders",
                        Value::Int(i64::from(o.loyal_min_orders)),
                    ),
                ],
                Term::new("holds", Value::Bool(h.orders >= o.loyal_min_orders)),
            ),
            Step::new(
                "lifecycle.stage",
                "stage = first rule that holds, else active",
                vec![],
                Term::new("stage", Value::Id(c.stage.id().to_owned())),
            ),
        ];
        Some(Explanation {
            method: Method::Lifecycle,
            customer_id: Some(c.customer_id.to_string()),
            parameters: vec![
                Term::new("new_within_days", Value::Days(i64::from(o.new_within_days))),
                Term::new(
                    "loyal_min_orders",
                    Value::Int(i64::from(o.loyal_min_orders)),
                ),
                Term::new("lost_after_days", Value::Days(i64::from(o.lost_after_days))),
            ],
            steps,
        })
    }
}
