//! Per-customer purchase histories: the one pass over the orders that every segmentation method reads.
//!
//! Orders dated after the analysis date are ignored (they are not yet known on that date), and so are
//! orders outside the optional [`DateWindow`]. Customers are kept in ascending `customer_id` order
//! (byte order of the id text; for UUIDs that is also numeric order). That order is the stable key
//! every method uses to break ties, e.g. RFM's `rank(method="first")`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Transaction;
use crate::model::{Dataset, Money};

/// An inclusive date range `[from, to]`: only orders on those days are analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateWindow {
    /// First day included.
    pub from: NaiveDate,
    /// Last day included.
    pub to: NaiveDate,
}

/// A customer id shared between results without copying the text.
pub type CustomerId = Arc<str>;

/// Why histories could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// The window ends before it starts.
    #[error("the analysis window starts on {from} but ends earlier, on {to}")]
    EmptyWindow {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
}

/// Most distinct categories counted per customer; more count as this many.
pub const MAX_CATEGORIES_COUNTED: u32 = 16;

/// What one customer bought up to the analysis date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerHistory {
    /// The customer's id as text.
    pub customer_id: CustomerId,
    /// Number of orders (rows), refunds included.
    pub orders: u32,
    /// Sum of the amounts in minor units (refunds subtract); saturates at the `i64` bounds.
    pub revenue: Money,
    /// Day of the first purchase, `None` when the customer has no order.
    pub first_purchase: Option<NaiveDate>,
    /// Day of the last purchase.
    pub last_purchase: Option<NaiveDate>,
    /// Number of distinct days with a purchase.
    pub purchase_days: u32,
    /// Mean gap in days between consecutive distinct purchase days, `(last − first) / (purchase_days − 1)`;
    /// `None` with fewer than two purchase days.
    pub mean_interval_days: Option<f64>,
    /// Coefficient of variation (population standard deviation / mean) of those gaps; `None` with
    /// fewer than two gaps.
    pub interval_cv: Option<f64>,
    /// Distinct non-empty categories bought (at most [`MAX_CATEGORIES_COUNTED`]).
    pub categories: u32,
    /// Amount spent in the 12 months up to the analysis date: orders dated after
    /// `as_of − 12 months` and on or before `as_of`.
    pub revenue_12m: Money,
}

impl CustomerHistory {
    /// Days from the last purchase to `as_of`, `None` without a purchase.
    pub fn recency_days(&self, as_of: NaiveDate) -> Option<i64> {
        self.last_purchase.map(|d| (as_of - d).num_days())
    }

    /// Days from the first purchase to `as_of`, `None` without a purchase.
    pub fn tenure_days(&self, as_of: NaiveDate) -> Option<i64> {
        self.first_purchase.map(|d| (as_of - d).num_days())
    }

    /// True when the customer has at least one order.
    pub fn is_purchaser(&self) -> bool {
        self.orders > 0
    }

    fn empty(customer_id: CustomerId) -> Self {
        CustomerHistory {
            customer_id,
            orders: 0,
            revenue: 0,
            first_purchase: None,
            last_purchase: None,
            purchase_days: 0,
            mean_interval_days: None,
            interval_cv: None,
            categories: 0,
            revenue_12m: 0,
        }
    }
}

/// The histories of every customer, as of one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histories {
    /// The analysis date.
    pub as_of: NaiveDate,
    /// The window in force, if any.
    pub window: Option<DateWindow>,
    /// One entry per customer, ascending by `customer_id`.
    pub customers: Vec<CustomerHistory>,
}

impl Histories {
    /// Histories from plain transactions (a CSV file): every customer who has a transaction.
    ///
    /// # Errors
    /// [`HistoryError::EmptyWindow`] when the window ends before it starts.
    pub fn from_transactions(
        tx: &[Transaction],
        as_of: NaiveDate,
        window: Option<DateWindow>,
    ) -> Result<Self, HistoryError> {
        check_window(window)?;
        let (lo, hi) = bounds(as_of, window);
        let mut index: FastMap<&str, u32> = FastMap::default();
        let mut ids: Vec<&str> = Vec::new();
        let mut kept: Vec<(u32, Slot)> = Vec::with_capacity(tx.len());
        for t in tx {
            let next = ids.len() as u32;
            let c = *index.entry(t.customer_id.as_str()).or_insert_with(|| {
                ids.push(t.customer_id.as_str());
                next
            });
            let day = day_number(t.date);
            if (lo..=hi).contains(&day) {
                kept.push((
                    c,
                    Slot {
                        day,
                        category: NO_CATEGORY,
                        amount: t.amount,
                    },
                ));
            }
        }
        let mut order: Vec<u32> = (0..ids.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(ids[b as usize]));
        let customers = build(&order, |c| Arc::from(ids[c]), kept, as_of);
        Ok(Histories {
            as_of,
            window,
            customers,
        })
    }

    /// Histories of a workspace: every customer record (with or without orders) and every customer an
    /// order names, so a customer with no purchase appears with `orders == 0`.
    ///
    /// # Errors
    /// [`HistoryError::EmptyWindow`] when the window ends before it starts.
    pub fn from_dataset(
        data: &Dataset,
        as_of: NaiveDate,
        window: Option<DateWindow>,
    ) -> Result<Self, HistoryError> {
        check_window(window)?;
        let (lo, hi) = bounds(as_of, window);
        let since_12m = day_number(as_of.checked_sub_months(Months::new(12)).unwrap_or(as_of));
        // The orders are split by the first byte of the customer's id. A partition is a contiguous
        // range of ids, so each one is resolved, grouped and summarised with a working set that
        // stays in cache, and the partitions come out already in id order.
        const PARTS: usize = 256;
        let part = |u: &Uuid| usize::from(u.as_bytes()[0]);
        let mut interned: FastMap<&str, u32> = FastMap::default();
        let mut last_cat: (&str, u32) = ("", NO_CATEGORY);
        let mut kept: Vec<(Uuid, Slot)> = Vec::with_capacity(data.orders.len());
        let mut ostart = vec![0usize; PARTS + 1];
        for o in &data.orders {
            let day = day_number(o.date.date());
            if !(lo..=hi).contains(&day) {
                continue;
            }
            let cat = o.category.as_str();
            let category = if cat.is_empty() {
                NO_CATEGORY
            } else if cat == last_cat.0 {
                last_cat.1
            } else {
                let next = interned.len() as u32;
                let id = *interned.entry(cat).or_insert(next);
                last_cat = (cat, id);
                id
            };
            ostart[part(&o.customer_id) + 1] += 1;
            kept.push((
                o.customer_id,
                Slot {
                    day,
                    category,
                    amount: o.amount,
                },
            ));
        }
        let mut cstart = vec![0usize; PARTS + 1];
        for c in &data.customers {
            cstart[part(&c.id) + 1] += 1;
        }
        for i in 1..=PARTS {
            ostart[i] += ostart[i - 1];
            cstart[i] += cstart[i - 1];
        }
        let mut by_part: Vec<(Uuid, Slot)> = vec![(Uuid::nil(), Slot::default()); kept.len()];
        let mut fill = ostart.clone();
        for &(u, slot) in &kept {
            let f = &mut fill[part(&u)];
            by_part[*f] = (u, slot);
            *f += 1;
        }
        drop(kept);
        let mut cust_part: Vec<Uuid> = vec![Uuid::nil(); data.customers.len()];
        let mut fill = cstart.clone();
        for c in &data.customers {
            let f = &mut fill[part(&c.id)];
            cust_part[*f] = c.id;
            *f += 1;
        }

        let mut customers = Vec::with_capacity(data.customers.len());
        let mut local: FastMap<Uuid, u32> = FastMap::default();
        let mut ids: Vec<Uuid> = Vec::new();
        let mut local_of: Vec<u32> = Vec::new();
        let mut rank: Vec<u32> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut cats: Vec<u32> = Vec::with_capacity(MAX_CATEGORIES_COUNTED as usize);
        let mut buf = Uuid::encode_buffer();
        for p in 0..PARTS {
            local.clear();
            ids.clear();
            local_of.clear();
            for &u in &cust_part[cstart[p]..cstart[p + 1]] {
                let next = ids.len() as u32;
                local.entry(u).or_insert_with(|| {
                    ids.push(u);
                    next
                });
            }
            let orders = &by_part[ostart[p]..ostart[p + 1]];
            for (u, _) in orders {
                let next = ids.len() as u32;
                let l = *local.entry(*u).or_insert_with(|| {
                    ids.push(*u);
                    next
                });
                local_of.push(l);
            }
            // Ranks of the partition's ids in id order.
            let mut sorted: Vec<u32> = (0..ids.len() as u32).collect();
            sorted.sort_unstable_by_key(|&i| ids[i as usize]);
            rank.clear();
            rank.resize(ids.len(), 0);
            for (r, &i) in sorted.iter().enumerate() {
                rank[i as usize] = r as u32;
            }
            counts.clear();
            counts.resize(ids.len() + 1, 0);
            for &l in &local_of {
                counts[rank[l as usize] as usize + 1] += 1;
            }
            for i in 1..counts.len() {
                counts[i] += counts[i - 1];
            }
            slots.clear();
            slots.resize(orders.len(), Slot::default());
            let mut fill = counts.clone();
            for (&l, (_, slot)) in local_of.iter().zip(orders) {
                let f = &mut fill[rank[l as usize] as usize];
                slots[*f as usize] = *slot;
                *f += 1;
            }
            for (r, &i) in sorted.iter().enumerate() {
                let text = ids[i as usize].hyphenated().encode_lower(&mut buf);
                let mut h = CustomerHistory::empty(Arc::from(&*text));
                let slice = &mut slots[counts[r] as usize..counts[r + 1] as usize];
                summarise(&mut h, slice, since_12m, &mut cats);
                customers.push(h);
            }
        }
        Ok(Histories {
            as_of,
            window,
            customers,
        })
    }

    /// The customers with at least one order.
    pub fn purchasers(&self) -> impl Iterator<Item = &CustomerHistory> {
        self.customers.iter().filter(|c| c.is_purchaser())
    }

    /// The history of one customer.
    pub fn get(&self, customer_id: &str) -> Option<&CustomerHistory> {
        self.customers
            .binary_search_by(|c| c.customer_id.as_ref().cmp(customer_id))
            .ok()
            .and_then(|i| self.customers.get(i))
    }
}

fn check_window(window: Option<DateWindow>) -> Result<(), HistoryError> {
    match window {
        Some(w) if w.to < w.from => Err(HistoryError::EmptyWindow {
            from: w.from,
            to: w.to,
        }),
        _ => Ok(()),
    }
}

fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// One order, compacted for the per-customer pass.
#[derive(Clone, Copy, Default)]
struct Slot {
    day: i32,
    category: u32,
    amount: Money,
}

/// No category.
const NO_CATEGORY: u32 = u32::MAX;

/// The first and last day number analysed.
fn bounds(as_of: NaiveDate, window: Option<DateWindow>) -> (i32, i32) {
    let as_of_day = day_number(as_of);
    match window {
        Some(w) => (day_number(w.from), day_number(w.to).min(as_of_day)),
        None => (i32::MIN, as_of_day),
    }
}

/// The shared pass. `order` lists the first-seen customer indices in id order; `kept` holds each
/// analysed order as (first-seen customer index, compact slot). The slots are grouped by customer
/// with a counting sort, so the per-customer pass reads one small contiguous array, and ids are
/// made in id order so later passes over the customers touch memory in order.
fn build(
    order: &[u32],
    make_id: impl Fn(usize) -> CustomerId,
    kept: Vec<(u32, Slot)>,
    as_of: NaiveDate,
) -> Vec<CustomerHistory> {
    let n = order.len();
    let mut pos = vec![0u32; n];
    for (p, &c) in order.iter().enumerate() {
        pos[c as usize] = p as u32;
    }
    let since_12m = day_number(as_of.checked_sub_months(Months::new(12)).unwrap_or(as_of));
    let mut counts = vec![0u32; n + 1];
    for &(c, _) in &kept {
        counts[pos[c as usize] as usize + 1] += 1;
    }
    for i in 1..=n {
        counts[i] += counts[i - 1];
    }
    let starts = counts.clone();
    let mut fill = counts;
    let mut slots: Vec<Slot> = vec![Slot::default(); kept.len()];
    for &(c, slot) in &kept {
        let f = &mut fill[pos[c as usize] as usize];
        slots[*f as usize] = slot;
        *f += 1;
    }
    drop(kept);

    let mut out = Vec::with_capacity(n);
    let mut cats: Vec<u32> = Vec::with_capacity(MAX_CATEGORIES_COUNTED as usize);
    for (p, &c) in order.iter().enumerate() {
        let mut h = CustomerHistory::empty(make_id(c as usize));
        let slice = &mut slots[starts[p] as usize..starts[p + 1] as usize];
        summarise(&mut h, slice, since_12m, &mut cats);
        out.push(h);
    }
    out
}

/// Fills `h` from the customer's orders (in any order; sorted here by day).
fn summarise(h: &mut CustomerHistory, slice: &mut [Slot], since_12m: i32, cats: &mut Vec<u32>) {
    if slice.is_empty() {
        return;
    }
    slice.sort_unstable_by_key(|s| s.day);
    let mut revenue: i128 = 0;
    let mut revenue_12m: i128 = 0;
    let mut prev_day: Option<i32> = None;
    let mut purchase_days = 0u32;
    let mut gap_sum = 0f64;
    let mut gap_sq = 0f64;
    cats.clear();
    for s in slice.iter() {
        let d = s.day;
        let a = i128::from(s.amount);
        revenue += a;
        if d > since_12m {
            revenue_12m += a;
        }
        match prev_day {
            Some(pd) if pd == d => {}
            Some(pd) => {
                let g = f64::from(d - pd);
                gap_sum += g;
                gap_sq += g * g;
                purchase_days += 1;
            }
            None => purchase_days += 1,
        }
        prev_day = Some(d);
        if s.category != NO_CATEGORY
            && cats.len() < MAX_CATEGORIES_COUNTED as usize
            && !cats.contains(&s.category)
        {
            cats.push(s.category);
        }
    }
    let first = slice[0].day;
    let last = slice[slice.len() - 1].day;
    h.orders = slice.len() as u32;
    h.revenue = clamp_money(revenue);
    h.revenue_12m = clamp_money(revenue_12m);
    h.first_purchase = Some(date_of(first));
    h.last_purchase = Some(date_of(last));
    h.purchase_days = purchase_days;
    if purchase_days >= 2 {
        let gaps = f64::from(purchase_days - 1);
        let mean = gap_sum / gaps;
        h.mean_interval_days = Some(mean);
        if purchase_days >= 3 && mean > 0.0 {
            let var = (gap_sq / gaps - mean * mean).max(0.0);
            let cv = var.sqrt() / mean;
            h.interval_cv = cv.is_finite().then_some(cv);
        }
    }
    h.categories = cats.len() as u32;
}

/// An `i128` sum clamped into the `i64` range of [`Money`].
pub(crate) fn clamp_money(x: i128) -> Money {
    x.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as Money
}

/// A small, fast, non-cryptographic hasher for ids (a multiply–rotate mix).
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for ch in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(ch);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b) ^ (rest.len() as u64) << 59);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(MIX) ^ (h >> 32)
    }
}

impl IdHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(23) ^ x).wrapping_mul(MIX);
    }
}

/// A hash map keyed by ids with [`IdHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
