//! The per-customer (x, t_x, T, m) summary the models are fitted on.

use chrono::NaiveDate;

use super::{CustomerSummary, TimeUnit};
use std::hash::{BuildHasher, BuildHasherDefault};

use crate::analytics::history::IdHasher;
use crate::analytics::Transaction;

/// Summarise a transaction log as lifetimes' `summary_data_from_transaction_data` does.
///
/// Transactions after `calibration_end` are dropped; purchases of one customer on one day count
/// as one purchase whose amount is their sum (every row counts as a purchase, whatever its
/// amount, as in lifetimes); frequency = distinct purchase days − 1; recency and T are measured
/// from the first purchase day in `unit`s; monetary value is the mean of the repeat days' sums
/// (the first day excluded) in major units (minor units / 100). The result is sorted by customer
/// id; customers with no purchase in the calibration period do not appear.
pub fn summarize(
    tx: &[Transaction],
    calibration_end: NaiveDate,
    unit: TimeUnit,
) -> Vec<CustomerSummary> {
    summarize_each(tx, calibration_end, unit, |_| {})
}

/// [`summarize`], also handing `each` every customer's purchases up to `calibration_end` as
/// (day, amount), sorted by day, in the order of the result: what else needs the log grouped by
/// customer reads it from the same pass.
pub(crate) fn summarize_each(
    tx: &[Transaction],
    calibration_end: NaiveDate,
    unit: TimeUnit,
    mut each: impl FnMut(&[(NaiveDate, i64)]),
) -> Vec<CustomerSummary> {
    // Number the customers in order of appearance, gather each customer's rows with a counting
    // sort, and order the customers by id afterwards: the same grouping as sorting the rows by
    // (id, day), with string comparisons for the customers only, not for every row.
    let mut ids = IdTable::default();
    let mut keyed: Vec<(u32, NaiveDate, i64)> = Vec::with_capacity(tx.len());
    for t in tx.iter().filter(|t| t.date <= calibration_end) {
        keyed.push((ids.number(&t.customer_id), t.date, t.amount));
    }
    let customers = ids.len();
    let mut start = vec![0_usize; customers + 1];
    for &(k, _, _) in &keyed {
        start[k as usize + 1] += 1;
    }
    for k in 0..customers {
        start[k + 1] += start[k];
    }
    let mut next = start.clone();
    let mut grouped: Vec<(NaiveDate, i64)> = vec![(calibration_end, 0); keyed.len()];
    for &(k, date, amount) in &keyed {
        let slot = &mut next[k as usize];
        grouped[*slot] = (date, amount);
        *slot += 1;
    }
    drop(keyed);
    let mut order: Vec<u32> = (0..customers as u32).collect();
    order.sort_unstable_by(|&x, &y| ids.get(x).cmp(ids.get(y)));

    let days_per_unit = unit.days();
    let mut out = Vec::with_capacity(customers);
    for &k in &order {
        let rows = &mut grouped[start[k as usize]..start[k as usize + 1]];
        rows.sort_unstable_by_key(|r| r.0);
        let Some(&(first_day, _)) = rows.first() else {
            continue;
        };
        each(rows);
        let mut last_day = first_day;
        let mut distinct_days = 1_u64;
        // i128 so that even a log of maximal i64 amounts cannot overflow.
        let mut repeat_total: i128 = 0;
        for &(date, amount) in rows.iter() {
            if date != last_day {
                distinct_days += 1;
                last_day = date;
            }
            if date != first_day {
                repeat_total += i128::from(amount);
            }
        }
        let frequency = (distinct_days - 1) as f64;
        let monetary_value = if distinct_days > 1 {
            repeat_total as f64 / 100.0 / frequency
        } else {
            0.0
        };
        out.push(CustomerSummary {
            customer_id: ids.get(k).to_string(),
            frequency,
            recency: (last_day - first_day).num_days() as f64 / days_per_unit,
            t: (calibration_end - first_day).num_days() as f64 / days_per_unit,
            monetary_value,
        });
    }
    out
}

/// Distinct ids numbered in order of first appearance. The ids are copied into one buffer, so a
/// lookup compares against nearby memory rather than against the string of whichever
/// transaction first had the id.
#[derive(Default)]
struct IdTable {
    text: String,
    /// End of each id in `text` (its start is the previous end).
    ends: Vec<usize>,
    hashes: Vec<u64>,
    /// Open addressing, linear probing: an id number + 1, or 0 for an empty slot.
    slots: Vec<u32>,
}

impl IdTable {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, k: u32) -> &str {
        let k = k as usize;
        let begin = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[begin..self.ends[k]]
    }

    fn number(&mut self, id: &str) -> u32 {
        if 2 * (self.len() + 1) > self.slots.len() {
            self.grow();
        }
        let h = BuildHasherDefault::<IdHasher>::default().hash_one(id);
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            match self.slots[i] {
                0 => break,
                n => {
                    let k = n - 1;
                    if self.hashes[k as usize] == h && self.get(k) == id {
                        return k;
                    }
                }
            }
            i = (i + 1) & mask;
        }
        let k = self.len() as u32;
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.hashes.push(h);
        self.slots[i] = k + 1;
        k
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        let mask = size - 1;
        let mut slots = vec![0_u32; size];
        for (k, &h) in self.hashes.iter().enumerate() {
            let mut i = h as usize & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = k as u32 + 1;
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(id: &str, d: &str, amount: i64) -> Transaction {
        Transaction {
            customer_id: id.into(),
            date: d.parse().unwrap(),
            amount,
        }
    }

    #[test]
    fn collapses_days_and_drops_late_purchases() {
        let log = vec![
            tx("b", "2024-01-10", 500),
            tx("a", "2024-01-01", 1000),
            tx("a", "2024-01-08", 300),
            tx("a", "2024-01-08", 200),
            tx("a", "2024-01-15", 1500),
            tx("a", "2024-02-01", 9999),
        ];
        let s = summarize(&log, "2024-01-29".parse().unwrap(), TimeUnit::Week);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].customer_id, "a");
        assert_eq!(s[0].frequency, 2.0);
        assert_eq!(s[0].recency, 2.0);
        assert_eq!(s[0].t, 4.0);
        assert_eq!(s[0].monetary_value, 10.0);
        assert_eq!(s[1].frequency, 0.0);
        assert_eq!(s[1].monetary_value, 0.0);
        assert_eq!(s[1].t, 19.0 / 7.0);
    }

    #[test]
    fn empty_and_all_late() {
        assert!(summarize(&[], "2024-01-01".parse().unwrap(), TimeUnit::Day).is_empty());
        let log = vec![tx("a", "2024-02-01", 1)];
        assert!(summarize(&log, "2024-01-01".parse().unwrap(), TimeUnit::Day).is_empty());
    }

    #[test]
    fn huge_amounts_do_not_overflow() {
        let log = vec![
            tx("a", "2024-01-01", i64::MAX),
            tx("a", "2024-01-02", i64::MAX),
            tx("a", "2024-01-03", i64::MAX),
        ];
        let s = summarize(&log, "2024-01-03".parse().unwrap(), TimeUnit::Day);
        assert!(s[0].monetary_value.is_finite());
        assert!((s[0].monetary_value - i64::MAX as f64 / 100.0).abs() < 1e3);
    }
}
