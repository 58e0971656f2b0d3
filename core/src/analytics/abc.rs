//! ABC (Pareto) classification of customers by revenue.
//!
//! Customers are sorted by revenue descending, ties by ascending `customer_id`. Let P be the sum of
//! the *positive* revenues. Walking down the list, a customer is in class A while the revenue share
//! before it, `cum_before / P`, is under `a` %, in B while it is under `b` %, else in C. The
//! comparison is exact (integers, thresholds honoured to 0.01 %). Customers whose revenue is zero or
//! negative add nothing and are always C; when P = 0 every customer is C and every share is 0.
//! Defaults: a = 80, b = 95. The Pareto curve has a point (0, 0) and then one point per customer:
//! (cumulative share of customers, cumulative share of P), in percent.

use serde::{Deserialize, Serialize};

use super::explain::{ratio, Explanation, Method, Step, Term, Value};
use super::history::{clamp_money, ordered_key, sort_by_key_then_index, CustomerId, Histories};
use crate::model::Money;

/// An ABC class.
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
pub enum AbcClass {
    /// The few customers who bring most of the revenue.
    A,
    /// The middle.
    B,
    /// The many who bring little.
    C,
}

impl AbcClass {
    /// The three classes in order.
    pub const ALL: [AbcClass; 3] = [AbcClass::A, AbcClass::B, AbcClass::C];

    /// `"A"`, `"B"` or `"C"`.
    pub fn id(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
        }
    }
}

/// ABC thresholds in percent of revenue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AbcOptions {
    /// Upper bound of the share before a class-A customer (default 80).
    pub a: f64,
    /// Upper bound of the share before a class-B customer (default 95).
    pub b: f64,
}

impl Default for AbcOptions {
    fn default() -> Self {
        AbcOptions { a: 80.0, b: 95.0 }
    }
}

/// Why ABC could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AbcError {
    /// Thresholds not finite or not `0 ≤ a ≤ b ≤ 100`.
    #[error("ABC thresholds must satisfy 0 ≤ A ≤ B ≤ 100 (got A = {a}, B = {b})")]
    InvalidThresholds {
        /// A threshold.
        a: f64,
        /// B threshold.
        b: f64,
    },
}

/// One customer's class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcCustomer {
    /// The customer's id.
    pub customer_id: CustomerId,
    /// Revenue, minor units.
    pub revenue: Money,
    /// Position in the sorted list, 1-based.
    pub position: u32,
    /// Percent of positive revenue before this customer.
    pub share_before: f64,
    /// The class.
    pub class: AbcClass,
}

/// Totals of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// The class.
    pub class: AbcClass,
    /// Customers in it.
    pub customers: u32,
    /// Their revenue, minor units.
    pub revenue: Money,
    /// Percent of customers.
    pub customer_share: f64,
    /// Percent of positive revenue.
    pub revenue_share: f64,
}

/// A point of the Pareto curve, both coordinates in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoPoint {
    /// Cumulative share of customers.
    pub customers: f64,
    /// Cumulative share of positive revenue.
    pub revenue: f64,
}

/// The result of an ABC run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Abc {
    /// Thresholds used.
    pub options: AbcOptions,
    /// Sum of positive revenues, minor units.
    pub positive_total: Money,
    /// Customers with at least one order, by revenue descending (ties by id).
    pub customers: Vec<AbcCustomer>,
    /// A, B, C.
    pub classes: Vec<ClassSummary>,
    /// (0, 0) then one point per customer.
    pub curve: Vec<ParetoPoint>,
}

/// ABC over the customers with at least one order.
///
/// # Errors
/// [`AbcError::InvalidThresholds`] unless `0 ≤ a ≤ b ≤ 100`.
pub fn abc(histories: &Histories, options: &AbcOptions) -> Result<Abc, AbcError> {
    abc_ordered(histories, options, None)
}

/// [`abc`], with `by_revenue` (when given) the purchasers' `(ordered_key(revenue), position)`
/// ascending, as [`revenue_order`] gives it, so the revenue order sorted once serves RFM and ABC.
pub(crate) fn abc_ordered(
    histories: &Histories,
    options: &AbcOptions,
    by_revenue: Option<&[(u64, u32)]>,
) -> Result<Abc, AbcError> {
    let buyers = || histories.purchasers();
    let revenue: Vec<Money> = buyers().map(|h| h.revenue).collect();
    // The ids are copied here in id order (memory order) into a compact list and moved from it
    // in revenue order: reading them from the histories in revenue order would miss the cache at
    // every customer. Histories are in id order by construction, so no tie-break by text is needed.
    let mut ids: Vec<Option<CustomerId>> = buyers().map(|h| Some(h.customer_id.clone())).collect();
    abc_rows(&revenue, options, None, by_revenue, |i| {
        ids.get_mut(i).and_then(Option::take).unwrap_or_default()
    })
}

/// ABC over `(customer_id, revenue)` pairs (ids need not be sorted, but must be unique).
///
/// # Errors
/// [`AbcError::InvalidThresholds`] unless `0 ≤ a ≤ b ≤ 100`.
pub fn abc_of(rows: &[(CustomerId, Money)], options: &AbcOptions) -> Result<Abc, AbcError> {
    let sorted_ids = rows.windows(2).all(|w| w[0].0 <= w[1].0);
    let revenue: Vec<Money> = rows.iter().map(|r| r.1).collect();
    let ties = (!sorted_ids).then_some(rows);
    abc_rows(&revenue, options, ties, None, |i| rows[i].0.clone())
}

/// The purchasers of `histories` as `(ordered_key(revenue), position among the purchasers)`,
/// ascending by revenue, ties by position (i.e. by id).
pub(crate) fn revenue_order(histories: &Histories) -> Vec<(u64, u32)> {
    let mut keys: Vec<(u64, u32)> = histories
        .purchasers()
        .enumerate()
        .map(|(i, h)| (ordered_key(h.revenue), i as u32))
        .collect();
    sort_by_key_then_index(&mut keys);
    keys
}

/// [`abc_of`] over revenues by row, with `ties` the rows to break revenue ties by id when the rows
/// are not in ascending id order, and `id_at(i)` giving row `i`'s id (called once per row).
fn abc_rows(
    revenue: &[Money],
    options: &AbcOptions,
    ties: Option<&[(CustomerId, Money)]>,
    ascending: Option<&[(u64, u32)]>,
    mut id_at: impl FnMut(usize) -> CustomerId,
) -> Result<Abc, AbcError> {
    let (a, b) = (options.a, options.b);
    if !(a.is_finite() && b.is_finite() && 0.0 <= a && a <= b && b <= 100.0) {
        return Err(AbcError::InvalidThresholds { a, b });
    }
    let a_bp = (a * 100.0).round() as i128;
    let b_bp = (b * 100.0).round() as i128;
    // Revenue descending, ties by id ascending. When the rows are already in id order (no `ties`)
    // the index is the tie-break and the sort works on plain integer keys.
    let order: Vec<usize> = if let Some(rows) = ties {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_unstable_by(|&x, &y| rows[y].1.cmp(&rows[x].1).then(rows[x].0.cmp(&rows[y].0)));
        order
    } else if let Some(asc) = ascending.filter(|a| a.len() == revenue.len()) {
        // Revenue ascending (ties by position) reversed is revenue descending with ties by
        // position descending; each run of equal revenue is then put back in position order.
        let mut order: Vec<usize> = Vec::with_capacity(asc.len());
        for run in asc.chunk_by(|x, y| x.0 == y.0).rev() {
            order.extend(run.iter().map(|&(_, i)| i as usize));
        }
        order
    } else {
        let mut keys: Vec<(u64, u32)> = revenue
            .iter()
            .enumerate()
            .map(|(i, r)| (ordered_key(!r), i as u32))
            .collect();
        sort_by_key_then_index(&mut keys);
        keys.into_iter().map(|(_, i)| i as usize).collect()
    };
    let p: i128 = revenue.iter().map(|r| i128::from((*r).max(0))).sum();
    let n = revenue.len();
    let mut customers = Vec::with_capacity(n);
    let mut curve = Vec::with_capacity(n + 1);
    curve.push(ParetoPoint {
        customers: 0.0,
        revenue: 0.0,
    });
    let mut cum: i128 = 0;
    let p_float = to_f64(p);
    let mut counts = [0u32; 3];
    let rev = revenue;
    let mut revenue = [0i128; 3];
    for (pos, &i) in order.iter().enumerate() {
        let r = rev[i];
        let class = if r <= 0 || p == 0 {
            AbcClass::C
        } else if cum * 10_000 < a_bp * p {
            AbcClass::A
        } else if cum * 10_000 < b_bp * p {
            AbcClass::B
        } else {
            AbcClass::C
        };
        let share_before = ratio(to_f64(cum) * 100.0, p_float);
        cum += i128::from(r.max(0));
        let k = class as usize;
        counts[k] += 1;
        revenue[k] += i128::from(r);
        customers.push(AbcCustomer {
            customer_id: id_at(i),
            revenue: r,
            position: pos as u32 + 1,
            share_before,
            class,
        });
        curve.push(ParetoPoint {
            customers: ratio((pos + 1) as f64 * 100.0, n as f64),
            revenue: ratio(to_f64(cum) * 100.0, p_float),
        });
    }
    let classes = AbcClass::ALL
        .iter()
        .map(|&class| {
            let k = class as usize;
            ClassSummary {
                class,
                customers: counts[k],
                revenue: clamp_money(revenue[k]),
                customer_share: ratio(f64::from(counts[k]) * 100.0, n as f64),
                revenue_share: ratio(revenue[k].max(0) as f64 * 100.0, p as f64),
            }
        })
        .collect();
    Ok(Abc {
        options: *options,
        positive_total: clamp_money(p),
        customers,
        classes,
        curve,
    })
}

/// `x as f64`, with one machine instruction when `x` fits in 64 bits (the same correctly rounded
/// value; the 128-bit conversion is a library call).
fn to_f64(x: i128) -> f64 {
    match i64::try_from(x) {
        Ok(v) => v as f64,
        Err(_) => x as f64,
    }
}

impl Abc {
    /// The class of one customer.
    pub fn customer(&self, customer_id: impl Into<CustomerId>) -> Option<&AbcCustomer> {
        let key: CustomerId = customer_id.into();
        self.customers.iter().find(|c| c.customer_id == key)
    }

    /// The worked example for one customer.
    pub fn explain(&self, customer_id: impl Into<CustomerId>) -> Option<Explanation> {
        let c = self.customer(customer_id)?;
        let cum_before = self.customers[..c.position as usize - 1]
            .iter()
            .map(|x| i128::from(x.revenue.max(0)))
            .sum::<i128>();
        Some(Explanation {
            method: Method::Abc,
            customer_id: Some(c.customer_id.to_string()),
            parameters: vec![
                Term::new("threshold_a", Value::Percent(self.options.a)),
                Term::new("threshold_b", Value::Percent(self.options.b)),
                Term::new("positive_total", Value::Money(self.positive_total)),
            ],
            steps: vec![
                Step::new(
                    "abc.position",
                    "position = rank of revenue descending; ties by customer_id",
                    vec![Term::new("revenue", Value::Money(c.revenue))],
                    Term::new("position", Value::Int(i64::from(c.position))),
                ),
                Step::new(
                    "abc.share_before",
                    "share_before = Σ revenue of customers ranked before / P × 100",
                    vec![
                        Term::new("cumulative_before", Value::Money(clamp_money(cum_before))),
                        Term::new("positive_total", Value::Money(self.positive_total)),
                    ],
                    Term::new("share_before", Value::Percent(c.share_before)),
                ),
                Step::new(
                    "abc.class",
                    "A if revenue > 0 and share_before < a; else B if share_before < b; else C",
                    vec![
                        Term::new("share_before", Value::Percent(c.share_before)),
                        Term::new("threshold_a", Value::Percent(self.options.a)),
                        Term::new("threshold_b", Value::Percent(self.options.b)),
                    ],
                    Term::new("class", Value::Id(c.class.id().to_owned())),
                ),
            ],
        })
    }
}
