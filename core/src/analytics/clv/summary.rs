//! The per-customer (x, t_x, T, m) summary the models are fitted on.

use chrono::NaiveDate;

use super::{CustomerSummary, TimeUnit};
use crate::analytics::history::FastMap;
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
    // Number the customers in order of appearance (a fast hash of the id instead of comparing
    // ids in a sort of every row), gather each customer's rows with a counting sort, and order
    // the customers by id afterwards: the same grouping as sorting the rows by (id, day), with
    // string comparisons only for the customers, not for every row.
    let mut index: FastMap<&str, u32> = FastMap::default();
    let mut ids: Vec<&str> = Vec::new();
    let mut keyed: Vec<(u32, NaiveDate, i64)> = Vec::with_capacity(tx.len());
    for t in tx.iter().filter(|t| t.date <= calibration_end) {
        let id = t.customer_id.as_str();
        let k = *index.entry(id).or_insert_with(|| {
            ids.push(id);
            ids.len() as u32 - 1
        });
        keyed.push((k, t.date, t.amount));
    }
    drop(index);
    let mut start = vec![0_usize; ids.len() + 1];
    for &(k, _, _) in &keyed {
        start[k as usize + 1] += 1;
    }
    for k in 0..ids.len() {
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
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_unstable_by(|&x, &y| ids[x as usize].cmp(ids[y as usize]));
    let mut rows: Vec<(&str, NaiveDate, i64)> = Vec::with_capacity(grouped.len());
    for &k in &order {
        let k = k as usize;
        let slice = &mut grouped[start[k]..start[k + 1]];
        slice.sort_unstable_by_key(|r| r.0);
        rows.extend(slice.iter().map(|&(date, amount)| (ids[k], date, amount)));
    }

    let days_per_unit = unit.days();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let id = rows[i].0;
        let first_day = rows[i].1;
        let mut last_day = first_day;
        let mut day = first_day;
        let mut distinct_days = 1_u64;
        // i128 so that even a log of maximal i64 amounts cannot overflow.
        let mut repeat_total: i128 = 0;
        while i < rows.len() && rows[i].0 == id {
            let (_, date, amount) = rows[i];
            if date != day {
                distinct_days += 1;
                day = date;
                last_day = date;
            }
            if date != first_day {
                repeat_total += i128::from(amount);
            }
            i += 1;
        }
        let frequency = (distinct_days - 1) as f64;
        let monetary_value = if distinct_days > 1 {
            repeat_total as f64 / 100.0 / frequency
        } else {
            0.0
        };
        out.push(CustomerSummary {
            customer_id: id.to_string(),
            frequency,
            recency: (last_day - first_day).num_days() as f64 / days_per_unit,
            t: (calibration_end - first_day).num_days() as f64 / days_per_unit,
            monetary_value,
        });
    }
    out
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
