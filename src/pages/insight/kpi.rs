//! The dashboard's figures that are not per-customer analysis results: revenue by period and by
//! month, straight from the orders. Pure functions of their inputs, so they are tested natively.

use chrono::{Datelike, Months, NaiveDate};

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::lifecycle::Stage;
use kehu_core::{Money, Order, Task};

/// Revenue of the `days` days up to and including `as_of`, and of the `days` before those.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodRevenue {
    /// Length of each period in days.
    pub days: i64,
    /// Orders dated in (`as_of − days`, `as_of`].
    pub current: Money,
    /// Orders dated in (`as_of − 2·days`, `as_of − days`].
    pub previous: Money,
}

impl PeriodRevenue {
    /// Change from the previous period in percent; `None` when the previous period had no revenue.
    pub fn change_percent(&self) -> Option<f64> {
        (self.previous != 0)
            .then(|| (self.current - self.previous) as f64 / (self.previous as f64).abs() * 100.0)
    }
}

/// Revenue over each of `periods` (in days) up to `as_of`, with the period before for comparison.
pub fn revenue_by_period(
    orders: &[Order],
    as_of: NaiveDate,
    periods: &[i64],
) -> Vec<PeriodRevenue> {
    let mut out: Vec<PeriodRevenue> = periods
        .iter()
        .map(|&days| PeriodRevenue {
            days,
            current: 0,
            previous: 0,
        })
        .collect();
    for o in orders {
        let age = (as_of - o.date.date()).num_days();
        if age < 0 {
            continue;
        }
        for p in &mut out {
            if age < p.days {
                p.current = p.current.saturating_add(o.amount);
            } else if age < 2 * p.days {
                p.previous = p.previous.saturating_add(o.amount);
            }
        }
    }
    out
}

/// Revenue per calendar month for the `months` months ending with `as_of`'s month, oldest first,
/// as (first day of the month, revenue).
pub fn revenue_by_month(
    orders: &[Order],
    as_of: NaiveDate,
    months: u32,
) -> Vec<(NaiveDate, Money)> {
    let Some(this_month) = as_of.with_day(1) else {
        return Vec::new();
    };
    let first = this_month
        .checked_sub_months(Months::new(months.saturating_sub(1)))
        .unwrap_or(this_month);
    let index = |d: NaiveDate| -> i64 {
        i64::from(d.year() - first.year()) * 12 + i64::from(d.month()) - i64::from(first.month())
    };
    let mut out: Vec<(NaiveDate, Money)> = (0..months)
        .filter_map(|i| first.checked_add_months(Months::new(i)).map(|d| (d, 0)))
        .collect();
    for o in orders {
        let d = o.date.date();
        if d > as_of {
            continue;
        }
        let i = index(d);
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            slot.1 = slot.1.saturating_add(o.amount);
        }
    }
    out
}

/// The customer-level figures of the dashboard, all read from one analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerKpis {
    /// Customers analysed (every customer, buyers or not).
    pub customers: usize,
    /// Buying customers not lost: lifecycle stages new, active, loyal, expanding and at risk.
    pub active: usize,
    /// Customers whose first purchase falls in `as_of`'s calendar month.
    pub new_this_month: usize,
    /// Buyers with purchases on two or more days, in percent of buyers; `None` without buyers.
    pub repeat_rate: Option<f64>,
    /// Revenue per order over the analysed orders, minor units; `None` without orders.
    pub average_order_value: Option<f64>,
    /// Net promoter score; `None` without answers.
    pub nps: Option<f64>,
    /// Customers with a churn warning.
    pub churn_warnings: usize,
}

/// The customer-level figures of `a`.
pub fn customer_kpis(a: &Analysis) -> CustomerKpis {
    let as_of = a.as_of;
    let month = (as_of.year(), as_of.month());
    let hs = &a.histories.customers;
    let buyers = hs.iter().filter(|h| h.is_purchaser()).count();
    let repeaters = hs.iter().filter(|h| h.purchase_days >= 2).count();
    let orders: u64 = hs.iter().map(|h| u64::from(h.orders)).sum();
    let revenue: f64 = hs.iter().map(|h| h.revenue as f64).sum();
    CustomerKpis {
        customers: hs.len(),
        active: a
            .lifecycle
            .customers
            .iter()
            .filter(|c| !matches!(c.stage, Stage::Potential | Stage::Lost))
            .count(),
        new_this_month: hs
            .iter()
            .filter(|h| {
                h.first_purchase
                    .is_some_and(|d| (d.year(), d.month()) == month)
            })
            .count(),
        repeat_rate: (buyers > 0).then(|| repeaters as f64 / buyers as f64 * 100.0),
        average_order_value: (orders > 0).then(|| revenue / orders as f64),
        nps: a.satisfaction.nps.nps,
        churn_warnings: a.churn.warnings.len(),
    }
}

/// Open tasks due on or before `as_of` (overdue included).
pub fn tasks_due(tasks: &[Task], as_of: NaiveDate) -> usize {
    tasks
        .iter()
        .filter(|t| !t.done && t.due.is_some_and(|d| d <= as_of))
        .count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use uuid::Uuid;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn order(date: NaiveDate, amount: Money) -> Order {
        let now = chrono::DateTime::UNIX_EPOCH;
        Order {
            id: Uuid::from_u128(amount as u128),
            customer_id: Uuid::from_u128(1),
            date: date.and_hms_opt(12, 0, 0).unwrap(),
            amount,
            category: String::new(),
            quantity: 1,
            note: String::new(),
            points_redeemed: 0,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn periods_compare_with_the_period_before() {
        let as_of = day(2026, 11, 22);
        let orders = [
            order(as_of, 1000),
            order(day(2026, 10, 24), 300), // 29 days ago: in the last 30
            order(day(2026, 10, 23), 500), // 30 days ago: the 30 days before
            order(day(2026, 9, 23), 700),  // 60 days ago: outside both 30-day periods
            order(day(2026, 11, 23), 9999), // after the analysis date
        ];
        let p = revenue_by_period(&orders, as_of, &[30, 90]);
        assert_eq!(
            p[0],
            PeriodRevenue {
                days: 30,
                current: 1300,
                previous: 500
            }
        );
        assert_eq!(p[0].change_percent(), Some(160.0));
        assert_eq!(p[1].current, 2500);
        assert_eq!(p[1].previous, 0);
        assert_eq!(p[1].change_percent(), None);
    }

    #[test]
    fn months_end_with_the_analysis_month() {
        let as_of = day(2026, 2, 10);
        let orders = [
            order(day(2026, 2, 1), 100),
            order(day(2026, 2, 11), 5), // after as_of
            order(day(2025, 12, 31), 40),
            order(day(2025, 12, 1), -10),
            order(day(2025, 11, 30), 7), // before the first month
        ];
        let m = revenue_by_month(&orders, as_of, 3);
        assert_eq!(
            m,
            vec![
                (day(2025, 12, 1), 30),
                (day(2026, 1, 1), 0),
                (day(2026, 2, 1), 100)
            ]
        );
    }
}
