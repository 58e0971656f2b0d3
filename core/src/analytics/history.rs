//! Per-customer purchase histories: the one pass over the orders that every segmentation method reads.
//!
//! Orders dated after the analysis date are ignored (they are not yet known on that date), and so are
//! orders outside the optional [`DateWindow`]. Customers are kept in ascending `customer_id` order
//! (byte order of the id text; for UUIDs that is also numeric order). That order is the stable key
//! every method uses to break ties, e.g. RFM's `rank(method="first")`.
//!
//! A workspace's records are first prepared into an [`OrderTable`] (the orders column-wise, grouped
//! by customer, in day order) and a [`CustomerIndex`]; [`Histories::from_tables`] folds each
//! customer's rows for one analysis date and window. The app keeps the tables between recomputes,
//! so a change of date or settings does not read the order records again.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Transaction;
use crate::model::{Customer, Dataset, Money, Order};

/// An inclusive date range `[from, to]`: only orders on those days are analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DateWindow {
    /// First day included.
    pub from: NaiveDate,
    /// Last day included.
    pub to: NaiveDate,
}

use super::customer_id::find_by_id;
pub use super::customer_id::CustomerId;

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
    #[inline]
    pub fn recency_days(&self, as_of: NaiveDate) -> Option<i64> {
        self.last_purchase.map(|d| days_between(d, as_of))
    }

    /// Days from the first purchase to `as_of`, `None` without a purchase.
    #[inline]
    pub fn tenure_days(&self, as_of: NaiveDate) -> Option<i64> {
        self.first_purchase.map(|d| days_between(d, as_of))
    }

    /// True when the customer has at least one order.
    #[inline]
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

/// The customer records of a workspace prepared for analysis ([`Histories::from_tables`]): their
/// ids as numbers, ascending and without repeats, and how many records name each customer as
/// their referrer. Built once per change of the customer records; analyses with other dates or
/// settings reuse it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerIndex {
    ids: Vec<u128>,
    /// (referrer's id, number of records naming it), ascending by id.
    referrals: Vec<(u128, u32)>,
}

impl CustomerIndex {
    /// The index of `customers` (in any order).
    pub fn new(customers: &[Customer]) -> Self {
        let mut ids: Vec<u128> = Vec::with_capacity(customers.len());
        let mut referrers: Vec<u128> = Vec::new();
        for c in customers {
            ids.push(c.id.as_u128());
            if let Some(r) = c.referred_by {
                referrers.push(r.as_u128());
            }
        }
        ids.sort_unstable();
        ids.dedup();
        referrers.sort_unstable();
        let referrals = referrers
            .chunk_by(|a, b| a == b)
            .map(|run| (run[0], run.len() as u32))
            .collect();
        CustomerIndex { ids, referrals }
    }

    /// Number of distinct customer ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True without customers.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// (referrer's id, number of records naming it), ascending by id.
    pub(crate) fn referrals(&self) -> &[(u128, u32)] {
        &self.referrals
    }
}

/// The orders of a workspace prepared for analysis ([`Histories::from_tables`]): column-wise,
/// grouped by customer (customers ascending by id) and in day order within a customer, with the
/// category names numbered. Everything an analysis reads of an order is here (day, amount,
/// category number), so an analysis with another date, window or settings runs over a few compact
/// arrays instead of the order records. Built once per change of the orders.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderTable {
    /// The customers the orders name, ascending.
    ids: Vec<u128>,
    /// Customer `c`'s rows are `starts[c]..starts[c + 1]`.
    starts: Vec<u32>,
    days: Vec<i32>,
    amounts: Vec<Money>,
    categories: Vec<u32>,
    /// Number of distinct non-empty category names.
    category_names: u32,
    /// The earliest and the latest order day (`(0, 0)` without orders).
    day_range: (i32, i32),
}

impl OrderTable {
    /// The table of `orders` (in any order; the app's and the demo's are in date order).
    pub fn new(orders: &[Order]) -> Self {
        // The orders are split by the first byte of the customer's id. A partition is a contiguous
        // range of ids, so each one is resolved and grouped with a working set that stays in the
        // core's cache, and the partitions come out already in id order.
        const PARTS: usize = 256;
        let part = |u: &Uuid| usize::from(u.as_bytes()[0]);
        let per_part = orders.len() / PARTS + orders.len() / (PARTS * 4) + 16;
        let mut parts: Vec<Vec<Entry>> = (0..PARTS).map(|_| Vec::with_capacity(per_part)).collect();
        let mut categories = Categories::default();
        // Orders usually come in date order, many on the same day: the day number of the previous
        // order's date is reused instead of converted again.
        let mut last_date = NaiveDate::MIN;
        let mut last_day = day_number(last_date);
        let mut day_range = (i32::MAX, i32::MIN);
        for o in orders {
            let date = o.date.date();
            if date != last_date {
                last_date = date;
                last_day = day_number(date);
                day_range = (day_range.0.min(last_day), day_range.1.max(last_day));
            }
            let category = categories.intern(o.category.as_str());
            if let Some(v) = parts.get_mut(part(&o.customer_id)) {
                v.push(Entry {
                    customer: o.customer_id.as_u128(),
                    amount: o.amount,
                    day: last_day,
                    category,
                });
            }
        }
        let category_names = categories.count();
        drop(categories);
        let mut t = OrderTable {
            ids: Vec::new(),
            starts: vec![0],
            days: vec![0; orders.len()],
            amounts: vec![0; orders.len()],
            categories: vec![NO_CATEGORY; orders.len()],
            category_names,
            day_range: if orders.is_empty() { (0, 0) } else { day_range },
        };
        let mut local = IdTable::default();
        let mut ids: Vec<u128> = Vec::new();
        let mut of: Vec<u32> = Vec::new();
        let mut at: Vec<usize> = Vec::new();
        let mut by_id: Vec<(u128, u32)> = Vec::new();
        let mut next = 0usize;
        for entries in &parts {
            local.reset(entries.len() / 4 + 16);
            ids.clear();
            of.clear();
            of.extend(entries.iter().map(|e| local.index(e.customer, &mut ids)));
            at.clear();
            at.resize(ids.len(), 0);
            for &c in &of {
                if let Some(k) = at.get_mut(c as usize) {
                    *k += 1;
                }
            }
            by_id.clear();
            by_id.extend(ids.iter().enumerate().map(|(i, &u)| (u, i as u32)));
            by_id.sort_unstable_by_key(|e| e.0);
            let first = t.ids.len();
            for &(u, c) in &by_id {
                let Some(k) = at.get_mut(c as usize) else {
                    continue;
                };
                let count = *k;
                *k = next;
                next += count;
                t.ids.push(u);
                t.starts.push(next as u32);
            }
            for (e, &c) in entries.iter().zip(&of) {
                let Some(k) = at.get_mut(c as usize) else {
                    continue;
                };
                if let (Some(d), Some(a), Some(g)) = (
                    t.days.get_mut(*k),
                    t.amounts.get_mut(*k),
                    t.categories.get_mut(*k),
                ) {
                    *d = e.day;
                    *a = e.amount;
                    *g = e.category;
                }
                *k += 1;
            }
            // Rows out of day order (orders not in date order) are put in day order.
            for c in first..t.ids.len() {
                let rows = t.rows(c);
                if t.days.get(rows.clone()).is_none_or(|d| d.is_sorted()) {
                    continue;
                }
                let mut row: Vec<(i32, Money, u32)> = rows
                    .clone()
                    .map(|k| (t.days[k], t.amounts[k], t.categories[k]))
                    .collect();
                row.sort_by_key(|r| r.0);
                for (k, (d, a, g)) in rows.zip(row) {
                    t.days[k] = d;
                    t.amounts[k] = a;
                    t.categories[k] = g;
                }
            }
        }
        t
    }

    /// Number of orders.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// True without orders.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Number of customers the orders name.
    pub fn customers(&self) -> usize {
        self.ids.len()
    }

    /// The rows of customer `c`.
    fn rows(&self, c: usize) -> std::ops::Range<usize> {
        let at = |i: usize| self.starts.get(i).map_or(0, |&x| x as usize);
        at(c)..at(c + 1)
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
        let customers = build(&order, |c| CustomerId::new(ids[c]), kept, as_of);
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
        let customers = CustomerIndex::new(&data.customers);
        let orders = OrderTable::new(&data.orders);
        Ok(Self::from_tables(&customers, &orders, as_of, window)?.0)
    }

    /// Histories from the prepared tables of a workspace ([`CustomerIndex`] of the customer
    /// records, [`OrderTable`] of the orders), with every customer's id as a number in the same
    /// order (so other records are placed by position without formatting or comparing id text).
    ///
    /// The same histories as [`Histories::from_dataset`] over the records the tables were built
    /// from: every customer record, and every customer an order in the window names.
    ///
    /// # Errors
    /// [`HistoryError::EmptyWindow`] when the window ends before it starts.
    pub fn from_tables(
        customers_in: &CustomerIndex,
        orders: &OrderTable,
        as_of: NaiveDate,
        window: Option<DateWindow>,
    ) -> Result<(Self, Vec<u128>), HistoryError> {
        check_window(window)?;
        let (lo, hi) = bounds(as_of, window);
        let since_12m = day_number(as_of.checked_sub_months(Months::new(12)).unwrap_or(as_of));
        let wide = orders.category_names > 64;
        let dates = DayDates::new(orders.day_range.0.max(lo), orders.day_range.1.min(hi));
        let n = customers_in.ids.len().max(orders.ids.len());
        let mut customers = Vec::with_capacity(n);
        let mut numbers: Vec<u128> = Vec::with_capacity(n);
        let mut cats: Vec<u32> = Vec::with_capacity(MAX_CATEGORIES_COUNTED as usize);
        let (a, b) = (&customers_in.ids, &orders.ids);
        let (mut i, mut j) = (0usize, 0usize);
        loop {
            // The next id of either list (both ascending), and whether each list has it.
            let (u, in_a, in_b) = match (a.get(i), b.get(j)) {
                (Some(&x), Some(&y)) => (x.min(y), x <= y, y <= x),
                (Some(&x), None) => (x, true, false),
                (None, Some(&y)) => (y, false, true),
                (None, None) => break,
            };
            i += usize::from(in_a);
            if !in_b {
                customers.push(CustomerHistory::empty(uuid_id(u)));
                numbers.push(u);
                continue;
            }
            let c = j;
            j += 1;
            let range = orders.rows(c);
            let days = orders.days.get(range.clone()).unwrap_or_default();
            // A customer's rows are in day order: the window is one run of them.
            let from = days.partition_point(|&d| d < lo);
            let to = days.partition_point(|&d| d <= hi);
            if from >= to && !in_a {
                continue;
            }
            let mut h = CustomerHistory::empty(uuid_id(u));
            if from < to {
                let rows = range.start + from..range.start + to;
                let acc = Acc::fold(
                    orders.days.get(rows.clone()).unwrap_or_default(),
                    orders.amounts.get(rows.clone()).unwrap_or_default(),
                    orders.categories.get(rows).unwrap_or_default(),
                    since_12m,
                    wide.then_some(&mut cats),
                );
                acc.fill(&mut h, &dates);
            }
            customers.push(h);
            numbers.push(u);
        }
        let histories = Histories {
            as_of,
            window,
            customers,
        };
        Ok((histories, numbers))
    }

    /// The customers with at least one order.
    pub fn purchasers(&self) -> impl Iterator<Item = &CustomerHistory> {
        self.customers.iter().filter(|c| c.is_purchaser())
    }

    /// The history of one customer.
    pub fn get(&self, customer_id: impl Into<CustomerId>) -> Option<&CustomerHistory> {
        self.by_id(&customer_id.into())
    }

    /// The history of one customer, by the id a result row holds.
    pub fn by_id(&self, customer_id: &CustomerId) -> Option<&CustomerHistory> {
        find_by_id(&self.customers, customer_id, |c| &c.customer_id)
    }
}

/// Where each id of `items` is among `sorted` (ascending ids, as [`Histories::from_tables`] gives them), as
/// (position, value); ids not there are left out, and of repeated ids the first is kept. The
/// ids are put in order and looked up moving forward only, galloping from the previous match.
pub(crate) fn positions<V>(sorted: &[u128], mut items: Vec<(u128, V)>) -> Vec<(usize, V)> {
    items.sort_by_key(|e| e.0);
    items.dedup_by_key(|e| e.0);
    let mut out = Vec::with_capacity(items.len());
    let mut at = 0usize;
    for (id, v) in items {
        let rest = sorted.get(at..).unwrap_or_default();
        let mut end = 1;
        while end < rest.len() && rest[end - 1] < id {
            end *= 2;
        }
        let end = end.min(rest.len());
        at += rest[..end].partition_point(|&c| c < id);
        if sorted.get(at) == Some(&id) {
            out.push((at, v));
        }
    }
    out
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

/// The id of the record with UUID `u`.
fn uuid_id(u: u128) -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(u))
}

/// Whole days from `from` to `to` (negative when `to` is earlier): `(to − from).num_days()` without
/// going through a duration.
#[inline]
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(day_number(to)) - i64::from(day_number(from))
}

/// `d.num_days_from_ce()` (1 January of year 1 is day 1), computed from the year and the day of
/// the year with a few multiplications for years 1 and later (every date a shop records); earlier
/// years go through chrono.
#[inline]
fn day_number(d: NaiveDate) -> i32 {
    let y = d.year();
    if y < 1 {
        return d.num_days_from_ce();
    }
    let p = y - 1;
    p * 365 + p / 4 - p / 100 + p / 400 + d.ordinal() as i32
}

/// The dates of a range of day numbers, made once per analysis: the customers' first and last
/// purchase dates are read from it instead of converted one by one.
struct DayDates {
    first: i32,
    dates: Vec<NaiveDate>,
}

impl DayDates {
    /// Ranges up to about 30 years are tabled; a day outside the table is converted.
    fn new(from: i32, to: i32) -> Self {
        let days = i64::from(to) - i64::from(from) + 1;
        let dates = if (1..=11_000).contains(&days) {
            date_of(from).iter_days().take(days as usize).collect()
        } else {
            Vec::new()
        };
        DayDates { first: from, dates }
    }

    fn get(&self, day: i32) -> NaiveDate {
        day.checked_sub(self.first)
            .and_then(|k| usize::try_from(k).ok())
            .and_then(|k| self.dates.get(k))
            .copied()
            .unwrap_or_else(|| date_of(day))
    }
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

/// Category names to small numbers. Shops have a handful of categories, so a short list compared
/// in order beats hashing the name of every order; the map takes over past that. Each listed name
/// keeps its length and first eight bytes beside it, so a name is compared in full (inline, eight
/// bytes at a time, rather than through a `memcmp` call) only with the entry that already matches
/// on those.
///
/// In front of that sits a small direct-mapped cache for names of 1 to 32 bytes: such a name is
/// fully covered by at most four words at fixed offsets ([`Categories::words`]), so equal length
/// and equal words mean equal names, and a hit costs a few loads and compares with no
/// data-dependent branch (a search through the list mispredicts on nearly every order when the
/// categories come in random order).
#[derive(Default)]
struct Categories<'a> {
    few: Vec<(u64, &'a str)>,
    more: FastMap<&'a str, u32>,
    cache: Vec<CachedName>,
}

/// One entry of the category cache (`len` 0 = empty).
#[derive(Clone, Copy, Default)]
struct CachedName {
    len: usize,
    words: [u64; 4],
    id: u32,
}

impl<'a> Categories<'a> {
    const FEW: usize = 16;
    const CACHE: usize = 64;

    /// Words that cover a name of 1 to 32 bytes: for 8 to 32 bytes, eight-byte words at offsets
    /// 0, min(8, n−8), max(n−16, 0) and n−8; for 4 to 7 bytes, four-byte words at 0 and n−4; for
    /// 1 to 3 bytes, the bytes at 0, n/2 and n−1. Two names of the same length are equal exactly
    /// when their words are.
    fn words(b: &[u8]) -> Option<[u64; 4]> {
        let n = b.len();
        if (8..=32).contains(&n) {
            let at = |o: usize| {
                b.get(o..)
                    .and_then(|s| s.first_chunk::<8>())
                    .map_or(0, |w| u64::from_le_bytes(*w))
            };
            return Some([at(0), at(8.min(n - 8)), at(n.saturating_sub(16)), at(n - 8)]);
        }
        if (4..8).contains(&n) {
            let at = |o: usize| {
                b.get(o..)
                    .and_then(|s| s.first_chunk::<4>())
                    .map_or(0, |w| u64::from(u32::from_le_bytes(*w)))
            };
            return Some([at(0), at(n - 4), 0, 0]);
        }
        if (1..4).contains(&n) {
            let at = |o: usize| b.get(o).copied().map_or(0, u64::from);
            return Some([at(0), at(n / 2), at(n - 1), 0]);
        }
        None
    }

    /// Two candidate slots (from different bits of one hash of every word), so a handful of
    /// names rarely evict each other.
    fn cache_slots(n: usize, w: &[u64; 4]) -> [usize; 2] {
        let h = (w[0].wrapping_mul(MIX) ^ w[1].rotate_left(17) ^ w[2].rotate_left(31))
            .wrapping_add(w[3].rotate_left(47) ^ n as u64)
            .wrapping_mul(MIX);
        [
            (h >> 58) as usize % Self::CACHE,
            (h >> 52) as usize % Self::CACHE,
        ]
    }

    fn intern(&mut self, name: &'a str) -> u32 {
        let b = name.as_bytes();
        let Some(w) = Self::words(b) else {
            return self.intern_listed(name);
        };
        if self.cache.is_empty() {
            self.cache = vec![CachedName::default(); Self::CACHE];
        }
        let slots = Self::cache_slots(b.len(), &w);
        for slot in slots {
            if let Some(c) = self.cache.get(slot) {
                // Word by word, not `==` on the arrays (which may become a `memcmp` call).
                let differ = (c.words[0] ^ w[0])
                    | (c.words[1] ^ w[1])
                    | (c.words[2] ^ w[2])
                    | (c.words[3] ^ w[3]);
                if c.len == b.len() && differ == 0 {
                    return c.id;
                }
            }
        }
        let id = self.intern_listed(name);
        // The first candidate if it is empty, else the second.
        let slot = if self.cache.get(slots[0]).is_some_and(|c| c.len != 0) {
            slots[1]
        } else {
            slots[0]
        };
        if let Some(c) = self.cache.get_mut(slot) {
            *c = CachedName {
                len: b.len(),
                words: w,
                id,
            };
        }
        id
    }

    /// Length in the top byte (names of 256 bytes or more share one value) and the first seven
    /// bytes below it: equal names have equal keys.
    fn key(b: &[u8]) -> u64 {
        let head = match b.first_chunk::<8>() {
            Some(w) => u64::from_le_bytes(*w) & 0x00ff_ffff_ffff_ffff,
            None => b
                .iter()
                .enumerate()
                .fold(0u64, |k, (i, &x)| k | u64::from(x) << (8 * i)),
        };
        head | (b.len().min(255) as u64) << 56
    }

    /// Byte equality of two names, eight bytes at a time (fixed-size loads, no library call).
    fn same(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let (Some(p), Some(q)) = (a.last_chunk::<8>(), b.last_chunk::<8>()) else {
            return a.iter().zip(b).all(|(p, q)| p == q);
        };
        // Whole words from the start, then the last eight bytes (overlapping the last word).
        let (mut x, mut y) = (a, b);
        while let (Some((u, xs)), Some((v, ys))) =
            (x.split_first_chunk::<8>(), y.split_first_chunk::<8>())
        {
            if u64::from_le_bytes(*u) != u64::from_le_bytes(*v) {
                return false;
            }
            x = xs;
            y = ys;
        }
        u64::from_le_bytes(*p) == u64::from_le_bytes(*q)
    }

    /// Number of distinct non-empty names seen.
    fn count(&self) -> u32 {
        (self.few.len() + self.more.len()) as u32
    }

    fn intern_listed(&mut self, name: &'a str) -> u32 {
        if name.is_empty() {
            return NO_CATEGORY;
        }
        let b = name.as_bytes();
        let key = Self::key(b);
        if let Some(i) = self
            .few
            .iter()
            .position(|&(k, f)| k == key && Self::same(f.as_bytes(), b))
        {
            return i as u32;
        }
        if self.few.len() < Self::FEW {
            self.few.push((key, name));
            return (self.few.len() - 1) as u32;
        }
        let next = (Self::FEW + self.more.len()) as u32;
        *self.more.entry(name).or_insert(next)
    }
}

/// Ids of one partition to dense indices: open addressing with linear probing over a table at most
/// half full, small enough to stay in cache and simple enough to inline into the per-order loop.
#[derive(Default)]
struct IdTable {
    keys: Vec<u128>,
    slots: Vec<u32>,
    shift: u32,
}

impl IdTable {
    const EMPTY: u32 = u32::MAX;

    /// Empties the table, sized for about `expected` ids.
    fn reset(&mut self, expected: usize) {
        let size = (expected.max(8) * 2).next_power_of_two();
        self.keys.clear();
        self.keys.resize(size, 0);
        self.slots.clear();
        self.slots.resize(size, Self::EMPTY);
        self.shift = 64 - size.trailing_zeros();
    }

    fn slot_of(&self, id: u128) -> usize {
        let h = ((id as u64) ^ ((id >> 64) as u64).rotate_left(32)).wrapping_mul(MIX);
        (h >> self.shift) as usize
    }

    /// The index of `id`, numbering a new id `ids.len()` and appending it to `ids`.
    fn index(&mut self, id: u128, ids: &mut Vec<u128>) -> u32 {
        let mask = self.keys.len() - 1;
        let mut s = self.slot_of(id);
        loop {
            match self.slots[s] {
                Self::EMPTY => break,
                v if self.keys[s] == id => return v,
                _ => s = (s + 1) & mask,
            }
        }
        let v = ids.len() as u32;
        ids.push(id);
        self.keys[s] = id;
        self.slots[s] = v;
        if ids.len() * 2 > self.keys.len() {
            self.grow(ids);
        }
        v
    }

    fn grow(&mut self, ids: &[u128]) {
        self.reset(ids.len() * 2);
        let mask = self.keys.len() - 1;
        for (v, &id) in ids.iter().enumerate() {
            let mut s = self.slot_of(id);
            while self.slots[s] != Self::EMPTY {
                s = (s + 1) & mask;
            }
            self.keys[s] = id;
            self.slots[s] = v as u32;
        }
    }
}

/// One order, compacted for the per-partition pass of [`OrderTable::new`].
#[derive(Clone, Copy)]
struct Entry {
    customer: u128,
    amount: Money,
    day: i32,
    category: u32,
}

/// Totals of one customer's orders in the window, folded from its run of rows in the order table.
#[derive(Clone, Copy, Default)]
struct Acc {
    revenue: i128,
    revenue_12m: i128,
    /// Bit `k` set when category `k` (< 64) was bought.
    categories: u64,
    /// Sum of squared gaps between consecutive distinct purchase days, in ascending day order
    /// (the order in which the per-customer pass adds them, so the float sum is the same).
    gap_sq: f64,
    orders: u32,
    first: i32,
    last: i32,
    purchase_days: u32,
}

impl Acc {
    /// The totals of one customer's orders given as columns in ascending day order. With
    /// `list`, categories are counted in it (category numbers of 64 and more); otherwise as bits.
    fn fold(
        days: &[i32],
        amounts: &[Money],
        categories: &[u32],
        since_12m: i32,
        list: Option<&mut Vec<u32>>,
    ) -> Acc {
        let mut a = Acc::default();
        let Some(&first) = days.first() else {
            return a;
        };
        a.orders = days.len() as u32;
        a.first = first;
        a.last = first;
        a.purchase_days = 1;
        for (&d, &m) in days.iter().zip(amounts) {
            let m = i128::from(m);
            a.revenue += m;
            if d > since_12m {
                a.revenue_12m += m;
            }
            if d != a.last {
                let g = f64::from(d - a.last);
                a.gap_sq += g * g;
                a.purchase_days += 1;
                a.last = d;
            }
        }
        match list {
            None => {
                for &k in categories {
                    if k != NO_CATEGORY {
                        a.categories |= 1u64.checked_shl(k).unwrap_or(0);
                    }
                }
            }
            Some(cats) => {
                cats.clear();
                for &k in categories {
                    if k != NO_CATEGORY
                        && cats.len() < MAX_CATEGORIES_COUNTED as usize
                        && !cats.contains(&k)
                    {
                        cats.push(k);
                    }
                }
                // Stored as a count in the low bits: `fill` only reads the number of bits set.
                a.categories = (1u64 << cats.len()).wrapping_sub(1);
            }
        }
        a
    }

    fn fill(&self, h: &mut CustomerHistory, dates: &DayDates) {
        if self.orders == 0 {
            return;
        }
        h.orders = self.orders;
        h.revenue = clamp_money(self.revenue);
        h.revenue_12m = clamp_money(self.revenue_12m);
        h.first_purchase = Some(dates.get(self.first));
        h.last_purchase = Some(dates.get(self.last));
        h.purchase_days = self.purchase_days;
        if self.purchase_days >= 2 {
            let gaps = f64::from(self.purchase_days - 1);
            // The gaps are whole days, so their float sum is exact and equals last − first.
            let mean = f64::from(self.last - self.first) / gaps;
            h.mean_interval_days = Some(mean);
            if self.purchase_days >= 3 && mean > 0.0 {
                let var = (self.gap_sq / gaps - mean * mean).max(0.0);
                let cv = var.sqrt() / mean;
                h.interval_cv = cv.is_finite().then_some(cv);
            }
        }
        h.categories = self.categories.count_ones().min(MAX_CATEGORIES_COUNTED);
    }
}

/// Sorts `(key, index)` pairs ascending by key, ties by index: the same order as `sort_unstable`
/// when the indices are distinct and given ascending (as every caller builds them). A least
/// significant digit radix sort (eight passes of one byte, passes where every key has the same byte
/// skipped), which is stable and does not compare: for 100,000 customers a few linear passes
/// instead of ~1.7 million comparisons.
pub(crate) fn sort_by_key_then_index(items: &mut Vec<(u64, u32)>) {
    let n = items.len();
    if n < 512 || !items.is_sorted_by_key(|e| e.1) {
        items.sort_unstable();
        return;
    }
    let mut counts = [[0u32; 256]; 8];
    for &(k, _) in items.iter() {
        for (d, c) in counts.iter_mut().enumerate() {
            c[((k >> (8 * d)) & 0xff) as usize] += 1;
        }
    }
    let mut buf: Vec<(u64, u32)> = vec![(0, 0); n];
    for (d, c) in counts.iter_mut().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue;
        }
        let mut at = 0u32;
        for x in c.iter_mut() {
            let k = *x;
            *x = at;
            at += k;
        }
        for &e in items.iter() {
            let slot = &mut c[((e.0 >> (8 * d)) & 0xff) as usize];
            if let Some(b) = buf.get_mut(*slot as usize) {
                *b = e;
            }
            *slot += 1;
        }
        std::mem::swap(items, &mut buf);
    }
}

/// `x` as an unsigned key with the same order (the sign bit flipped).
pub(crate) fn ordered_key(x: i64) -> u64 {
    (x as u64) ^ (1 << 63)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Customer, Order};
    use chrono::{TimeZone, Utc};

    /// The straightforward definition: each customer's orders gathered, sorted by day, summarised.
    fn reference(data: &Dataset, as_of: NaiveDate, window: Option<DateWindow>) -> Histories {
        let (lo, hi) = bounds(as_of, window);
        let since_12m = day_number(as_of.checked_sub_months(Months::new(12)).unwrap());
        let mut names: Vec<&str> = Vec::new();
        let mut by: std::collections::BTreeMap<Uuid, Vec<Slot>> = Default::default();
        for c in &data.customers {
            by.entry(c.id).or_default();
        }
        for o in &data.orders {
            let day = day_number(o.date.date());
            let slots = by.entry(o.customer_id).or_default();
            if !(lo..=hi).contains(&day) {
                continue;
            }
            let category = if o.category.is_empty() {
                NO_CATEGORY
            } else if let Some(i) = names.iter().position(|n| *n == o.category) {
                i as u32
            } else {
                names.push(&o.category);
                names.len() as u32 - 1
            };
            slots.push(Slot {
                day,
                category,
                amount: o.amount,
            });
        }
        let mut cats = Vec::new();
        let customers = by
            .into_iter()
            .map(|(u, mut slots)| {
                let mut h = CustomerHistory::empty(CustomerId::from_uuid(u));
                summarise(&mut h, &mut slots, since_12m, &mut cats);
                h
            })
            .collect();
        Histories {
            as_of,
            window,
            customers,
        }
    }

    fn dataset(date_order: bool, categories: u64, seed: u64) -> Dataset {
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut data = Dataset::default();
        for i in 0..400u128 {
            // Spread over every first byte, with a few ids sharing one.
            let id = Uuid::from_u128(((i % 300) << 120) | (i * 7919));
            data.customers.push(Customer::new(id, format!("c{i}"), now));
        }
        for k in 0..20_000u128 {
            let r = next();
            let customer = if r % 101 == 0 {
                // Customers that only orders name.
                Uuid::from_u128((u128::from(r % 5) << 120) | 0xdead)
            } else {
                data.customers[(r % 400) as usize].id
            };
            let cat = next() % (categories + 1);
            data.orders.push(Order {
                id: Uuid::from_u128(k),
                customer_id: customer,
                date: (start + chrono::Days::new(next() % 800))
                    .and_hms_opt(9, 0, 0)
                    .unwrap(),
                amount: (next() % 40_000) as i64 - 2_000,
                category: if cat == 0 {
                    String::new()
                } else {
                    format!("cat{cat}")
                },
                quantity: 1,
                note: String::new(),
                points_redeemed: 0,
                created_at: now,
                updated_at: now,
            });
        }
        if date_order {
            data.orders.sort_by_key(|o| o.date);
        }
        data
    }

    #[test]
    fn day_numbers_are_chronos() {
        let mut d = NaiveDate::from_ymd_opt(-3, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2500, 12, 31).unwrap();
        while d <= end {
            assert_eq!(day_number(d), d.num_days_from_ce(), "{d}");
            d = d.succ_opt().unwrap();
        }
        for d in [NaiveDate::MIN, NaiveDate::MAX] {
            assert_eq!(day_number(d), d.num_days_from_ce(), "{d}");
        }
    }

    #[test]
    fn day_table_gives_the_converted_dates() {
        let from = day_number(NaiveDate::from_ymd_opt(2023, 2, 27).unwrap());
        let table = DayDates::new(from, from + 800);
        assert_eq!(table.dates.len(), 801);
        for day in from - 5..from + 806 {
            assert_eq!(table.get(day), date_of(day), "{day}");
        }
        // Too long a range (or none) is not tabled, and every day is still converted.
        for t in [
            DayDates::new(from, from + 20_000),
            DayDates::new(from, from - 1),
        ] {
            assert!(t.dates.is_empty());
            assert_eq!(t.get(from + 3), date_of(from + 3));
        }
    }

    #[test]
    fn radix_sort_matches_sort_unstable() {
        let mut x = 12345u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for (n, spread) in [
            (0usize, 1u64),
            (10, 5),
            (600, 3),
            (5000, 1 << 20),
            (5000, u64::MAX),
            (70_000, 1 << 40),
        ] {
            let keys: Vec<u64> = (0..n).map(|_| next() % spread.max(1)).collect();
            let mut items: Vec<(u64, u32)> = keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect();
            let mut want = items.clone();
            want.sort_unstable();
            sort_by_key_then_index(&mut items);
            assert_eq!(items, want, "{n} {spread}");
        }
        let signed = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        assert!(signed
            .windows(2)
            .all(|w| ordered_key(w[0]) < ordered_key(w[1])));
    }

    #[test]
    fn category_names_compare_by_content() {
        let names = [
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "abcdefghj",
            "bbcdefghi",
            "咖啡 Coffee",
            "咖啡豆 Coffee beans",
            "咖啡豆 Coffee beanz",
            "x".repeat(300).leak(),
            "x".repeat(301).leak(),
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    Categories::same(a.as_bytes(), b.as_bytes()),
                    a == b,
                    "{a} {b}"
                );
                if a == b {
                    assert_eq!(Categories::key(a.as_bytes()), Categories::key(b.as_bytes()));
                }
            }
        }
        // Many names of 8 to 32 bytes that differ in one byte only, so cache slots collide and
        // the list overflows into the map: ids must still be first-seen order, every time.
        let mut many: Vec<String> = Vec::new();
        for len in [1usize, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33] {
            for k in 0..len {
                let mut b = vec![b'a'; len];
                b[k] = b'b';
                many.push(String::from_utf8(b).unwrap());
            }
        }
        let mut c = Categories::default();
        let mut want: Vec<&str> = Vec::new();
        for round in 0..3 {
            for (i, n) in many.iter().enumerate() {
                let n = if (i + round) % 2 == 0 {
                    n.as_str()
                } else {
                    many[many.len() - 1 - i].as_str()
                };
                let id = c.intern(n) as usize;
                match want.iter().position(|w| *w == n) {
                    Some(p) => assert_eq!(id, p, "{n}"),
                    None => {
                        assert_eq!(id, want.len(), "{n}");
                        want.push(n);
                    }
                }
            }
        }
        assert_eq!(c.intern(""), NO_CATEGORY);
        let copies: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut c = Categories::default();
        let ids: Vec<u32> = names.iter().map(|n| c.intern(n)).collect();
        let again: Vec<u32> = copies.iter().map(|n| c.intern(n)).collect();
        assert_eq!(ids, again);
        assert_eq!(ids, (0..names.len() as u32).collect::<Vec<_>>());
    }

    #[test]
    fn dataset_histories_match_the_definition() {
        let as_of = NaiveDate::from_ymd_opt(2024, 10, 1).unwrap();
        let window = Some(DateWindow {
            from: NaiveDate::from_ymd_opt(2023, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
        });
        for date_order in [true, false] {
            for categories in [0, 5, 90] {
                for w in [None, window] {
                    let data = dataset(date_order, categories, 7 + categories);
                    let got = Histories::from_dataset(&data, as_of, w).unwrap();
                    let want = reference(&data, as_of, w);
                    assert_eq!(got.customers.len(), want.customers.len());
                    for (g, w) in got.customers.iter().zip(&want.customers) {
                        assert_eq!(g, w, "date order {date_order}, {categories} categories");
                    }
                }
            }
        }
    }
}
