//! RFM analysis: recency, frequency and monetary value scored 1–`bins`, and the R×F segment map.
//!
//! * recency = days from the customer's last purchase to the analysis date; frequency = number of
//!   orders (rows, refunds included); monetary = total spent (refunds subtract).
//! * **Quantile scores** reproduce pandas `qcut(x.rank(method="first"), bins, labels=False) + 1`:
//!   customers are ranked 1..n by the value ascending, ties broken by ascending `customer_id` (the
//!   order in which a `groupby("customer_id")` lists them, i.e. "order of appearance"); the customer
//!   of rank k gets the smallest score s in 1..=bins with `k ≤ 1 + s·(n−1)/bins`, computed exactly in
//!   integers (`bins·(k−1) ≤ s·(n−1)`). For recency the score is reversed, `R = bins + 1 − s`, so
//!   the most recent customers get R = bins (pandas: `bins − qcut(recency.rank("first"), bins,
//!   labels=False)`).
//! * n < bins works as in pandas (the rank edges stay distinct; some scores are simply unused).
//!   n = 1, where pandas fails with duplicate bin edges, gives the single customer the middle score
//!   ⌈bins/2⌉ on all three dimensions.
//! * **Fixed thresholds** (a teacher's cut points, ascending, 1–4 per dimension, so 2–5 scores):
//!   `R = (cuts+1) − #{c : recency > c}` (recency ≤ first cut is the best score);
//!   `F = 1 + #{c : frequency ≥ c}`, `M = 1 + #{c : monetary ≥ c}` ("at least c" reaches the next score).
//! * **Segments** come from R and F on the 5×5 grid of DESIGN.md ([`SegmentMap`]). With b ≠ 5 scores,
//!   a score s is placed on the grid at `1 + round((s−1)·4/(b−1))` (halves up): 3 bins → 1, 3, 5;
//!   4 bins → 1, 2, 4, 5.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::customer_id::{find_by_id, row_and_history};
use super::explain::{ratio, Explanation, Method, Step, Term, Value};
use super::history::{
    clamp_money, ordered_key, sort_by_key_then_index, CustomerId, DateWindow, Histories,
    HistoryError,
};
use super::Transaction;
use crate::model::Money;

/// An RFM segment id (serialised in snake_case, e.g. `cant_lose_them`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// High recency, high frequency.
    Champions,
    /// Fairly recent, frequent.
    LoyalCustomers,
    /// Recent, a few purchases.
    PotentialLoyalists,
    /// Very recent, one-off so far.
    NewCustomers,
    /// Recent, rare.
    Promising,
    /// Middle recency and frequency.
    NeedAttention,
    /// Middle recency, rare.
    AboutToSleep,
    /// Long ago, used to buy fairly often.
    AtRisk,
    /// Long ago, used to buy very often.
    CantLoseThem,
    /// Long ago, rare.
    Hibernating,
}

impl Segment {
    /// Every segment, in the order reports list them.
    pub const ALL: [Segment; 10] = [
        Segment::Champions,
        Segment::LoyalCustomers,
        Segment::PotentialLoyalists,
        Segment::NewCustomers,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CantLoseThem,
        Segment::Hibernating,
    ];

    /// The stable id, e.g. `champions`.
    pub fn id(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::LoyalCustomers => "loyal_customers",
            Segment::PotentialLoyalists => "potential_loyalists",
            Segment::NewCustomers => "new_customers",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CantLoseThem => "cant_lose_them",
            Segment::Hibernating => "hibernating",
        }
    }

    fn index(self) -> usize {
        Segment::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The R×F segment grid: `rows[r − 1][f − 1]` for grid scores 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SegmentMap {
    /// Rows by R = 1..5, columns by F = 1..5.
    pub rows: [[Segment; 5]; 5],
}

impl Default for SegmentMap {
    fn default() -> Self {
        use Segment::*;
        SegmentMap {
            rows: [
                [Hibernating, Hibernating, AtRisk, AtRisk, CantLoseThem],
                [Hibernating, Hibernating, AtRisk, AtRisk, CantLoseThem],
                [
                    AboutToSleep,
                    AboutToSleep,
                    NeedAttention,
                    LoyalCustomers,
                    LoyalCustomers,
                ],
                [
                    Promising,
                    PotentialLoyalists,
                    PotentialLoyalists,
                    LoyalCustomers,
                    LoyalCustomers,
                ],
                [
                    NewCustomers,
                    PotentialLoyalists,
                    PotentialLoyalists,
                    Champions,
                    Champions,
                ],
            ],
        }
    }
}

impl SegmentMap {
    /// The segment at grid scores `r`, `f` (each clamped to 1–5).
    pub fn get(&self, r: u8, f: u8) -> Segment {
        let r = usize::from(r.clamp(1, 5)) - 1;
        let f = usize::from(f.clamp(1, 5)) - 1;
        self.rows[r][f]
    }
}

/// A teacher's fixed cut points, ascending, 1–4 per dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default)]
pub struct RfmThresholds {
    /// Recency cut points in days: recency ≤ cuts[0] scores best.
    pub recency_days: Vec<i64>,
    /// Frequency cut points in orders: frequency ≥ cuts[i] scores at least i + 2.
    pub frequency: Vec<u64>,
    /// Monetary cut points in minor units: monetary ≥ cuts[i] scores at least i + 2.
    pub monetary: Vec<Money>,
}

/// How scores are given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RfmScoring {
    /// Quantiles of rank, 2–10 bins (the course uses 5, sometimes 3 or 4).
    Quantiles {
        /// Number of scores.
        bins: u8,
    },
    /// Fixed cut points.
    Thresholds(RfmThresholds),
}

impl Default for RfmScoring {
    fn default() -> Self {
        RfmScoring::Quantiles { bins: 5 }
    }
}

/// Parameters of an RFM run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RfmOptions {
    /// Quantiles or thresholds.
    pub scoring: RfmScoring,
    /// The R×F segment grid.
    pub segment_map: SegmentMap,
}

/// Why RFM could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RfmError {
    /// Bins outside 2–10.
    #[error("RFM needs between 2 and 10 score bins, not {0}")]
    InvalidBins(u8),
    /// Cut points missing, too many or not ascending.
    #[error("the {dimension} cut points must be 1 to 4 strictly ascending values")]
    InvalidThresholds {
        /// `recency`, `frequency` or `monetary`.
        dimension: &'static str,
    },
    /// The histories could not be built.
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// One customer's RFM values, ranks and scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmCustomer {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// Days from the last purchase to the analysis date.
    pub recency: i64,
    /// Number of orders.
    pub frequency: u32,
    /// Total spent, minor units.
    pub monetary: Money,
    /// Recency score (recent = high).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
    /// Rank of recency ascending, ties by id (1-based); 0 with fixed thresholds.
    pub r_rank: u32,
    /// Rank of frequency ascending, ties by id; 0 with fixed thresholds.
    pub f_rank: u32,
    /// Rank of monetary ascending, ties by id; 0 with fixed thresholds.
    pub m_rank: u32,
    /// The segment from R and F.
    pub segment: Segment,
}

/// Totals of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// The segment.
    pub segment: Segment,
    /// Customers in it.
    pub customers: u32,
    /// Their revenue, minor units.
    pub revenue: Money,
    /// Percent of all scored customers (0 when there are none).
    pub customer_share: f64,
    /// Percent of total revenue (0 when the total is not positive).
    pub revenue_share: f64,
}

/// The result of an RFM run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rfm {
    /// Analysis date.
    pub as_of: NaiveDate,
    /// The options used.
    pub options: RfmOptions,
    /// Customers with at least one order, ascending by id.
    pub customers: Vec<RfmCustomer>,
    /// Every segment in [`Segment::ALL`] order, empty ones included.
    pub segments: Vec<SegmentSummary>,
}

/// Validates options and returns the number of bins per dimension (r, f, m).
fn check(options: &RfmOptions) -> Result<[u8; 3], RfmError> {
    match &options.scoring {
        RfmScoring::Quantiles { bins } => {
            if !(2..=10).contains(bins) {
                return Err(RfmError::InvalidBins(*bins));
            }
            Ok([*bins; 3])
        }
        RfmScoring::Thresholds(t) => {
            fn ok<T: PartialOrd>(v: &[T]) -> bool {
                (1..=4).contains(&v.len()) && v.windows(2).all(|w| w[0] < w[1])
            }
            if !ok(&t.recency_days) {
                return Err(RfmError::InvalidThresholds {
                    dimension: "recency",
                });
            }
            if !ok(&t.frequency) {
                return Err(RfmError::InvalidThresholds {
                    dimension: "frequency",
                });
            }
            if !ok(&t.monetary) {
                return Err(RfmError::InvalidThresholds {
                    dimension: "monetary",
                });
            }
            Ok([
                t.recency_days.len() as u8 + 1,
                t.frequency.len() as u8 + 1,
                t.monetary.len() as u8 + 1,
            ])
        }
    }
}

/// The pandas `qcut(rank, bins)` score (1-based) of rank `k` of `n`.
pub fn quantile_score(k: u32, n: u32, bins: u8) -> u8 {
    let bins_u = u64::from(bins);
    if n <= 1 {
        return bins.div_ceil(2).max(1);
    }
    let num = bins_u * u64::from(k.saturating_sub(1));
    let den = u64::from(n - 1);
    num.div_ceil(den).clamp(1, bins_u) as u8
}

/// [`quantile_score`] for every rank of one `n` and `bins`, without a division per call: the score
/// of rank k is the smallest s with `k − 1 ≤ ⌊s·(n−1)/bins⌋` (clamped to 1..=bins), so the bin
/// edges `⌊s·(n−1)/bins⌋` are computed once.
struct QuantileScorer {
    edges: [u64; 10],
    bins: u8,
    single: Option<u8>,
}

impl QuantileScorer {
    fn new(n: u32, bins: u8) -> Self {
        let mut edges = [u64::MAX; 10];
        let b = u64::from(bins.max(1));
        for (s, e) in edges.iter_mut().enumerate().take(usize::from(bins)) {
            *e = (s as u64 + 1) * u64::from(n.saturating_sub(1)) / b;
        }
        QuantileScorer {
            edges,
            bins,
            single: (n <= 1).then(|| quantile_score(1, n, bins)),
        }
    }

    fn score(&self, k: u32) -> u8 {
        if let Some(s) = self.single {
            return s;
        }
        let k1 = u64::from(k.saturating_sub(1));
        let above = self.edges[..usize::from(self.bins.saturating_sub(1))]
            .iter()
            .filter(|&&e| k1 > e)
            .count();
        (1 + above as u8).min(self.bins.max(1))
    }
}

/// Where a score `s` of `bins` scores sits on the 5-step segment grid.
pub fn grid_position(s: u8, bins: u8) -> u8 {
    if bins <= 1 {
        return 3;
    }
    let b = u32::from(bins) - 1;
    let s = u32::from(s.clamp(1, bins)) - 1;
    (1 + (s * 8 + b) / (2 * b)).clamp(1, 5) as u8
}

/// Ranks 1..n of `values` ascending, ties by index (ids are already ascending).
fn ranks<T: Ord + Copy + Into<i128>>(values: &[T]) -> Vec<u32> {
    // Ranks are by (value, position). Recency (days) and frequency (orders) span a small range, so
    // a counting sort over the values gives the same ranks without comparing.
    let n = values.len();
    let wide = |v: &T| -> i128 { (*v).into() };
    if let (Some(lo), Some(hi)) = (values.iter().map(wide).min(), values.iter().map(wide).max()) {
        let span = hi - lo;
        if span < (4 * n as i128).max(1024) {
            let mut counts = vec![0u32; span as usize + 2];
            for v in values {
                counts[(wide(v) - lo) as usize + 1] += 1;
            }
            for i in 1..counts.len() {
                counts[i] += counts[i - 1];
            }
            return values
                .iter()
                .map(|v| {
                    let c = &mut counts[(wide(v) - lo) as usize];
                    *c += 1;
                    *c
                })
                .collect();
        }
    }
    let mut rank = vec![0u32; n];
    // Otherwise by a radix sort on the value's bits (every caller's values fit in an `i64`).
    let radix: Option<Vec<(u64, u32)>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| Some((ordered_key(i64::try_from(wide(v)).ok()?), i as u32)))
        .collect();
    if let Some(mut keys) = radix {
        sort_by_key_then_index(&mut keys);
        for (k, &(_, i)) in keys.iter().enumerate() {
            rank[i as usize] = k as u32 + 1;
        }
        return rank;
    }
    let mut keys: Vec<(T, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, i as u32))
        .collect();
    keys.sort_unstable();
    for (k, &(_, i)) in keys.iter().enumerate() {
        rank[i as usize] = k as u32 + 1;
    }
    rank
}

/// RFM of every customer with at least one order in `histories`.
///
/// # Errors
/// [`RfmError::InvalidBins`] or [`RfmError::InvalidThresholds`] for bad options.
pub fn rfm(histories: &Histories, options: &RfmOptions) -> Result<Rfm, RfmError> {
    rfm_ordered(histories, options, None)
}

/// [`rfm`], with `by_revenue` (when given) the purchasers' `(ordered_key(revenue), position)`
/// ascending (`abc::revenue_order`), from which the monetary ranks are read instead of sorted.
pub(crate) fn rfm_ordered(
    histories: &Histories,
    options: &RfmOptions,
    by_revenue: Option<&[(u64, u32)]>,
) -> Result<Rfm, RfmError> {
    let bins = check(options)?;
    let as_of = histories.as_of;
    let buyers: Vec<_> = histories.purchasers().collect();
    let n = buyers.len() as u32;
    let rec: Vec<i64> = buyers
        .iter()
        .map(|h| h.recency_days(as_of).unwrap_or(0))
        .collect();
    let freq: Vec<u32> = buyers.iter().map(|h| h.orders).collect();
    let mon: Vec<Money> = buyers.iter().map(|h| h.revenue).collect();
    let mut customers = Vec::with_capacity(buyers.len());
    let quant = matches!(options.scoring, RfmScoring::Quantiles { .. });
    let (rr, fr, mr) = if quant {
        let mr = match by_revenue.filter(|o| o.len() == mon.len()) {
            Some(order) => {
                let mut rank = vec![0u32; order.len()];
                for (k, &(_, i)) in order.iter().enumerate() {
                    if let Some(r) = rank.get_mut(i as usize) {
                        *r = k as u32 + 1;
                    }
                }
                rank
            }
            None => ranks(&mon),
        };
        (ranks(&rec), ranks(&freq), mr)
    } else {
        (
            vec![0; buyers.len()],
            vec![0; buyers.len()],
            vec![0; buyers.len()],
        )
    };
    let scorer = match &options.scoring {
        RfmScoring::Quantiles { bins } => QuantileScorer::new(n, *bins),
        RfmScoring::Thresholds(_) => QuantileScorer::new(n, 5),
    };
    for (i, h) in buyers.iter().enumerate() {
        let (r, f, m) = match &options.scoring {
            RfmScoring::Quantiles { bins } => {
                let b = *bins;
                let r = if n == 1 {
                    quantile_score(1, 1, b)
                } else {
                    b + 1 - scorer.score(rr[i])
                };
                (r, scorer.score(fr[i]), scorer.score(mr[i]))
            }
            RfmScoring::Thresholds(t) => (
                threshold_r(rec[i], &t.recency_days),
                threshold_up(u64::from(freq[i]), &t.frequency),
                threshold_up(mon[i], &t.monetary),
            ),
        };
        let segment = options
            .segment_map
            .get(grid_position(r, bins[0]), grid_position(f, bins[1]));
        customers.push(RfmCustomer {
            customer_id: h.customer_id.clone(),
            recency: rec[i],
            frequency: freq[i],
            monetary: mon[i],
            r,
            f,
            m,
            r_rank: rr[i],
            f_rank: fr[i],
            m_rank: mr[i],
            segment,
        });
    }
    let segments = summarise(&customers);
    Ok(Rfm {
        as_of,
        options: options.clone(),
        customers,
        segments,
    })
}

/// RFM straight from transactions (the CLI's path).
///
/// # Errors
/// As [`rfm`], plus [`RfmError::History`] for a window that ends before it starts.
pub fn rfm_of_transactions(
    tx: &[Transaction],
    as_of: NaiveDate,
    window: Option<DateWindow>,
    options: &RfmOptions,
) -> Result<Rfm, RfmError> {
    check(options)?;
    let h = Histories::from_transactions(tx, as_of, window)?;
    rfm(&h, options)
}

fn threshold_r(recency: i64, cuts: &[i64]) -> u8 {
    let above = cuts.iter().filter(|&&c| recency > c).count() as u8;
    cuts.len() as u8 + 1 - above
}

fn threshold_up<T: PartialOrd>(x: T, cuts: &[T]) -> u8 {
    1 + cuts.iter().filter(|&c| x >= *c).count() as u8
}

fn summarise(customers: &[RfmCustomer]) -> Vec<SegmentSummary> {
    let mut counts = [0u32; 10];
    let mut revenue = [0i128; 10];
    let mut total: i128 = 0;
    for c in customers {
        let i = c.segment.index();
        counts[i] += 1;
        revenue[i] += i128::from(c.monetary);
        total += i128::from(c.monetary);
    }
    let n = customers.len() as f64;
    Segment::ALL
        .iter()
        .enumerate()
        .map(|(i, &segment)| SegmentSummary {
            segment,
            customers: counts[i],
            revenue: clamp_money(revenue[i]),
            customer_share: ratio(f64::from(counts[i]) * 100.0, n),
            revenue_share: if total > 0 {
                ratio(revenue[i] as f64 * 100.0, total as f64)
            } else {
                0.0
            },
        })
        .collect()
}

impl Rfm {
    /// The row of one customer.
    pub fn customer(&self, customer_id: impl Into<CustomerId>) -> Option<&RfmCustomer> {
        find_by_id(&self.customers, &customer_id.into(), |c| &c.customer_id)
    }

    /// The worked example for one customer: values, ranks, bins, reversal, grid and segment.
    pub fn explain(
        &self,
        customer_id: impl Into<CustomerId>,
        histories: &Histories,
    ) -> Option<Explanation> {
        let (c, h) = row_and_history(&self.customers, |c| &c.customer_id, customer_id, histories)?;
        let n = self.customers.len() as u32;
        let mut parameters = vec![
            Term::new("as_of", Value::Date(self.as_of)),
            Term::new("customers", Value::Int(i64::from(n))),
        ];
        let mut steps = vec![
            Step::new(
                "rfm.recency",
                "recency = as_of − last_purchase",
                vec![
                    Term::new("as_of", Value::Date(self.as_of)),
                    Term::new(
                        "last_purchase",
                        h.last_purchase.map_or(Value::Missing, Value::Date),
                    ),
                ],
                Term::new("recency_days", Value::Days(c.recency)),
            ),
            Step::new(
                "rfm.frequency",
                "frequency = number of orders",
                vec![],
                Term::new("frequency", Value::Int(i64::from(c.frequency))),
            ),
            Step::new(
                "rfm.monetary",
                "monetary = Σ amount",
                vec![],
                Term::new("monetary", Value::Money(c.monetary)),
            ),
        ];
        let bins_all = check(&self.options).ok()?;
        match &self.options.scoring {
            RfmScoring::Quantiles { bins } => {
                let b = *bins;
                parameters.push(Term::new("bins", Value::Int(i64::from(b))));
                let dims: [(&str, Value, u32, &str); 3] = [
                    ("recency", Value::Days(c.recency), c.r_rank, "r"),
                    (
                        "frequency",
                        Value::Int(i64::from(c.frequency)),
                        c.f_rank,
                        "f",
                    ),
                    ("monetary", Value::Money(c.monetary), c.m_rank, "m"),
                ];
                for (dim, value, k, letter) in dims {
                    steps.push(Step::new(
                        &format!("rfm.{letter}_rank"),
                        "k = rank of x ascending among n customers; ties by customer_id (pandas rank method=\"first\")",
                        vec![
                            Term::new(dim, value),
                            Term::new("customers", Value::Int(i64::from(n))),
                        ],
                        Term::new("rank", Value::Int(i64::from(k))),
                    ));
                    if n <= 1 {
                        steps.push(Step::new(
                            &format!("rfm.{letter}_single"),
                            "n = 1 → score = ⌈bins/2⌉",
                            vec![Term::new("bins", Value::Int(i64::from(b)))],
                            Term::new(letter, Value::Score(quantile_score(1, 1, b))),
                        ));
                        continue;
                    }
                    let s = quantile_score(k, n, b);
                    let edge = |s: u8| 1.0 + f64::from(s) * f64::from(n - 1) / f64::from(b);
                    steps.push(Step::new(
                        &format!("rfm.{letter}_bin"),
                        "s = min{s : k ≤ 1 + s·(n−1)/bins}",
                        vec![
                            Term::new("rank", Value::Int(i64::from(k))),
                            Term::new("customers", Value::Int(i64::from(n))),
                            Term::new("bins", Value::Int(i64::from(b))),
                            Term::new("lower_edge", Value::Number(edge(s - 1))),
                            Term::new("upper_edge", Value::Number(edge(s))),
                        ],
                        Term::new("quantile", Value::Score(s)),
                    ));
                    if letter == "r" {
                        steps.push(Step::new(
                            "rfm.r_reverse",
                            "R = bins + 1 − s",
                            vec![
                                Term::new("bins", Value::Int(i64::from(b))),
                                Term::new("quantile", Value::Score(s)),
                            ],
                            Term::new("r", Value::Score(c.r)),
                        ));
                    }
                }
            }
            RfmScoring::Thresholds(t) => {
                let mut rin = vec![Term::new("recency_days", Value::Days(c.recency))];
                rin.extend(
                    t.recency_days
                        .iter()
                        .map(|&x| Term::new("cut", Value::Days(x))),
                );
                steps.push(Step::new(
                    "rfm.r_threshold",
                    "R = (cuts + 1) − #{c : recency > c}",
                    rin,
                    Term::new("r", Value::Score(c.r)),
                ));
                let mut fin = vec![Term::new("frequency", Value::Int(i64::from(c.frequency)))];
                fin.extend(
                    t.frequency
                        .iter()
                        .map(|&x| Term::new("cut", Value::Int(x.min(i64::MAX as u64) as i64))),
                );
                steps.push(Step::new(
                    "rfm.f_threshold",
                    "F = 1 + #{c : frequency ≥ c}",
                    fin,
                    Term::new("f", Value::Score(c.f)),
                ));
                let mut min = vec![Term::new("monetary", Value::Money(c.monetary))];
                min.extend(
                    t.monetary
                        .iter()
                        .map(|&x| Term::new("cut", Value::Money(x))),
                );
                steps.push(Step::new(
                    "rfm.m_threshold",
                    "M = 1 + #{c : monetary ≥ c}",
                    min,
                    Term::new("m", Value::Score(c.m)),
                ));
            }
        }
        let (gr, gf) = (
            grid_position(c.r, bins_all[0]),
            grid_position(c.f, bins_all[1]),
        );
        if bins_all[0] != 5 || bins_all[1] != 5 {
            steps.push(Step::new(
                "rfm.grid",
                "g = 1 + round((score − 1)·4/(bins − 1))",
                vec![
                    Term::new("r", Value::Score(c.r)),
                    Term::new("f", Value::Score(c.f)),
                ],
                Term::new("grid", Value::Text(format!("{gr},{gf}"))),
            ));
        }
        steps.push(Step::new(
            "rfm.segment",
            "segment = map[R][F]",
            vec![
                Term::new("r", Value::Score(gr)),
                Term::new("f", Value::Score(gf)),
            ],
            Term::new("segment", Value::Id(c.segment.id().to_owned())),
        ));
        Some(Explanation {
            method: Method::Rfm,
            customer_id: Some(c.customer_id.to_string()),
            parameters,
            steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scorer_matches_quantile_score() {
        for bins in 2..=10u8 {
            for n in (0..60u32).chain([99, 100, 101, 997, 100_000]) {
                let s = QuantileScorer::new(n, bins);
                for k in (0..=n.min(300)).chain(n.saturating_sub(300)..=n) {
                    assert_eq!(s.score(k), quantile_score(k, n, bins), "{k} of {n}, {bins}");
                }
            }
        }
    }

    #[test]
    fn ranks_by_radix_match_a_comparison_sort() {
        let values: Vec<i64> = (0..5000i64)
            .map(|i| (i * 7919 % 3001 - 1500) * 1_000_003 + i % 3)
            .collect();
        let mut keys: Vec<(i64, u32)> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (v, i as u32))
            .collect();
        keys.sort_unstable();
        let mut want = vec![0u32; values.len()];
        for (k, &(_, i)) in keys.iter().enumerate() {
            want[i as usize] = k as u32 + 1;
        }
        assert_eq!(ranks(&values), want);
        let extreme = [i64::MAX, i64::MIN, 0, -1, i64::MAX, 1];
        assert_eq!(ranks(&extreme), vec![5, 1, 3, 2, 6, 4]);
    }
}
