//! Customer value matrix: average order value (AOV) × purchase frequency.
//!
//! For each customer with at least one order: AOV = revenue / orders (minor units, not rounded),
//! frequency = number of orders. Each axis is split at the median over those customers (for an even
//! count the mean of the two middle values) or at a value the teacher sets. A customer is *high* on
//! an axis when its value is strictly above the split. Cells and the course's strategy for each:
//!
//! | AOV \ frequency | high | low |
//! |---|---|---|
//! | high | `best` → `retain_and_reward` | `spenders` → `increase_frequency` |
//! | low | `frequent` → `upsell` | `uncertain` → `maintain_low_cost` |

use serde::{Deserialize, Serialize};

use super::customer_id::{find_by_id, row_and_history};
use super::explain::{finite, ratio, Explanation, Method, Step, Term, Value};
use super::history::{CustomerId, Histories};

/// A cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueCell {
    /// High AOV, high frequency.
    Best,
    /// High AOV, low frequency.
    Spenders,
    /// Low AOV, high frequency.
    Frequent,
    /// Low AOV, low frequency.
    Uncertain,
}

/// The course's strategy for a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Keep them: reward and retain (best customers).
    RetainAndReward,
    /// Make them buy more often (spenders).
    IncreaseFrequency,
    /// Make each purchase bigger: up-sell and cross-sell (frequent customers).
    Upsell,
    /// Low-cost maintenance, or let go (uncertain customers).
    MaintainLowCost,
}

impl ValueCell {
    /// The four cells.
    pub const ALL: [ValueCell; 4] = [
        ValueCell::Best,
        ValueCell::Spenders,
        ValueCell::Frequent,
        ValueCell::Uncertain,
    ];

    /// The cell's stable id.
    pub fn id(self) -> &'static str {
        match self {
            ValueCell::Best => "best",
            ValueCell::Spenders => "spenders",
            ValueCell::Frequent => "frequent",
            ValueCell::Uncertain => "uncertain",
        }
    }

    /// The strategy the course gives for this cell.
    pub fn strategy(self) -> Strategy {
        match self {
            ValueCell::Best => Strategy::RetainAndReward,
            ValueCell::Spenders => Strategy::IncreaseFrequency,
            ValueCell::Frequent => Strategy::Upsell,
            ValueCell::Uncertain => Strategy::MaintainLowCost,
        }
    }

    fn of(high_aov: bool, high_freq: bool) -> Self {
        match (high_aov, high_freq) {
            (true, true) => ValueCell::Best,
            (true, false) => ValueCell::Spenders,
            (false, true) => ValueCell::Frequent,
            (false, false) => ValueCell::Uncertain,
        }
    }
}

impl Strategy {
    /// The strategy's stable id.
    pub fn id(self) -> &'static str {
        match self {
            Strategy::RetainAndReward => "retain_and_reward",
            Strategy::IncreaseFrequency => "increase_frequency",
            Strategy::Upsell => "upsell",
            Strategy::MaintainLowCost => "maintain_low_cost",
        }
    }
}

/// Where to split the axes; `None` = at the median.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema, Default)]
pub struct ValueMatrixOptions {
    /// AOV split in minor units.
    pub aov_split: Option<f64>,
    /// Frequency split in orders.
    pub frequency_split: Option<f64>,
}

/// Why the matrix could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueMatrixError {
    /// A set split value is NaN or infinite.
    #[error("the value matrix split values must be finite numbers")]
    InvalidSplit,
}

/// One customer's place in the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueMatrixCustomer {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// Average order value, minor units.
    pub aov: f64,
    /// Number of orders.
    pub frequency: u32,
    /// The cell.
    pub cell: ValueCell,
}

/// Totals of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    /// The cell.
    pub cell: ValueCell,
    /// Its strategy.
    pub strategy: Strategy,
    /// Customers in it.
    pub customers: u32,
    /// Percent of customers.
    pub customer_share: f64,
}

/// The result of the value matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueMatrix {
    /// The AOV split used (median or set), minor units.
    pub aov_split: f64,
    /// The frequency split used.
    pub frequency_split: f64,
    /// True when the AOV split is the median.
    pub aov_is_median: bool,
    /// True when the frequency split is the median.
    pub frequency_is_median: bool,
    /// Customers with at least one order, ascending by id.
    pub customers: Vec<ValueMatrixCustomer>,
    /// The four cells.
    pub cells: Vec<CellSummary>,
}

/// Median of `v` (sorted in place); 0 for an empty slice.
pub(crate) fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len();
    let mid = n / 2;
    let (_, hi, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    let hi = *hi;
    if n % 2 == 1 {
        return hi;
    }
    let lo = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    finite((lo + hi) / 2.0)
}

/// The value matrix over the customers with at least one order.
///
/// # Errors
/// [`ValueMatrixError::InvalidSplit`] when a set split is not finite.
pub fn value_matrix(
    histories: &Histories,
    options: &ValueMatrixOptions,
) -> Result<ValueMatrix, ValueMatrixError> {
    if options.aov_split.is_some_and(|x| !x.is_finite())
        || options.frequency_split.is_some_and(|x| !x.is_finite())
    {
        return Err(ValueMatrixError::InvalidSplit);
    }
    let buyers: Vec<_> = histories.purchasers().collect();
    let aovs: Vec<f64> = buyers
        .iter()
        .map(|h| ratio(h.revenue as f64, f64::from(h.orders)))
        .collect();
    let aov_split = match options.aov_split {
        Some(x) => x,
        None => median(&mut aovs.clone()),
    };
    let frequency_split = match options.frequency_split {
        Some(x) => x,
        None => median(
            &mut buyers
                .iter()
                .map(|h| f64::from(h.orders))
                .collect::<Vec<_>>(),
        ),
    };
    let mut counts = [0u32; 4];
    let customers: Vec<_> = buyers
        .iter()
        .zip(&aovs)
        .map(|(h, &aov)| {
            let cell = ValueCell::of(aov > aov_split, f64::from(h.orders) > frequency_split);
            counts[cell as usize] += 1;
            ValueMatrixCustomer {
                customer_id: h.customer_id.clone(),
                aov,
                frequency: h.orders,
                cell,
            }
        })
        .collect();
    let n = customers.len() as f64;
    let cells = ValueCell::ALL
        .iter()
        .map(|&cell| CellSummary {
            cell,
            strategy: cell.strategy(),
            customers: counts[cell as usize],
            customer_share: ratio(f64::from(counts[cell as usize]) * 100.0, n),
        })
        .collect();
    Ok(ValueMatrix {
        aov_split,
        frequency_split,
        aov_is_median: options.aov_split.is_none(),
        frequency_is_median: options.frequency_split.is_none(),
        customers,
        cells,
    })
}

impl ValueMatrix {
    /// One customer's row.
    pub fn customer(&self, customer_id: impl Into<CustomerId>) -> Option<&ValueMatrixCustomer> {
        find_by_id(&self.customers, &customer_id.into(), |c| &c.customer_id)
    }

    /// The worked example for one customer.
    pub fn explain(
        &self,
        customer_id: impl Into<CustomerId>,
        histories: &Histories,
    ) -> Option<Explanation> {
        let (c, h) = row_and_history(&self.customers, |c| &c.customer_id, customer_id, histories)?;
        Some(Explanation {
            method: Method::ValueMatrix,
            customer_id: Some(c.customer_id.to_string()),
            parameters: vec![
                Term::new("aov_split", Value::MoneyF(self.aov_split)),
                Term::new("aov_split_is_median", Value::Bool(self.aov_is_median)),
                Term::new("frequency_split", Value::Number(self.frequency_split)),
                Term::new(
                    "frequency_split_is_median",
                    Value::Bool(self.frequency_is_median),
                ),
            ],
            steps: vec![
                Step::new(
                    "value_matrix.aov",
                    "AOV = revenue / orders",
                    vec![
                        Term::new("revenue", Value::Money(h.revenue)),
                        Term::new("orders", Value::Int(i64::from(h.orders))),
                    ],
                    Term::new("aov", Value::MoneyF(c.aov)),
                ),
                Step::new(
                    "value_matrix.high_aov",
                    "high AOV ⇔ AOV > split",
                    vec![
                        Term::new("aov", Value::MoneyF(c.aov)),
                        Term::new("aov_split", Value::MoneyF(self.aov_split)),
                    ],
                    Term::new("high_aov", Value::Bool(c.aov > self.aov_split)),
                ),
                Step::new(
                    "value_matrix.high_frequency",
                    "high frequency ⇔ orders > split",
                    vec![
                        Term::new("orders", Value::Int(i64::from(c.frequency))),
                        Term::new("frequency_split", Value::Number(self.frequency_split)),
                    ],
                    Term::new(
                        "high_frequency",
                        Value::Bool(f64::from(c.frequency) > self.frequency_split),
                    ),
                ),
                Step::new(
                    "value_matrix.cell",
                    "cell = matrix[high AOV][high frequency]; strategy = strategy(cell)",
                    vec![Term::new("cell", Value::Id(c.cell.id().to_owned()))],
                    Term::new("strategy", Value::Id(c.cell.strategy().id().to_owned())),
                ),
            ],
        })
    }
}
