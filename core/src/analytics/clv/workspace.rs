//! CLV of a whole workspace with the parameters saved in its settings: what the app's CLV page
//! shows and what `kehu analyze` prints, from the same code so both agree.
//!
//! The model part is [`clv_report`] on every order up to the calibration end (by default the
//! analysis date). Expected purchases are over the CLV horizon (horizon months × time units per
//! month), so the two columns of a customer cover the same future. Beside the model sits the
//! textbook formula, with its inputs read from the data: the spend per buying customer over the
//! last 12 months, the share of last year's buyers who bought again this year, and the monthly
//! discount rate.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::report::report_of_summaries;
use super::summary::summarize_each;
use super::{
    explain_customer, periods_per_month, summarize, textbook_clv, ClvError, ClvOptions, ClvReport,
    CustomerSummary, TextbookClv, TextbookClvInput, TimeUnit, WorkedExample,
};
use crate::analytics::Transaction;
use crate::model::Order;

/// The CLV parameters of a workspace, saved in its analysis settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct ClvSettings {
    /// Last day of the calibration period; `None` = the analysis date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration_end: Option<NaiveDate>,
    /// Unit of time of the models (recency, T, α).
    pub time_unit: TimeUnit,
    /// CLV horizon in months.
    pub horizon_months: u32,
    /// Monthly discount rate (0.01 = 1 % a month).
    pub discount_rate: f64,
}

impl Default for ClvSettings {
    fn default() -> Self {
        ClvSettings {
            calibration_end: None,
            time_unit: TimeUnit::Week,
            horizon_months: 12,
            discount_rate: 0.01,
        }
    }
}

impl ClvSettings {
    /// The model options these settings give as of `as_of`: expected purchases over the horizon.
    pub fn options(&self, as_of: NaiveDate) -> ClvOptions {
        ClvOptions {
            calibration_end: self.calibration_end.unwrap_or(as_of),
            time_unit: self.time_unit,
            predict_periods: f64::from(self.horizon_months) * periods_per_month(self.time_unit),
            horizon_months: self.horizon_months,
            discount_rate: self.discount_rate,
        }
    }
}

/// The data behind the textbook formula, read from the 24 months before the calibration end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextbookBasis {
    /// Customers who bought in the 12 months up to the calibration end.
    pub buyers_last_year: u32,
    /// Their spend in those 12 months, in major units.
    pub revenue_last_year: f64,
    /// Customers who bought in the 12 months before that.
    pub buyers_year_before: u32,
    /// Of those, the ones who bought again in the last 12 months.
    pub retained: u32,
    /// Spend per buying customer per month: revenue_last_year / buyers_last_year / 12.
    pub margin_per_month: f64,
    /// Yearly retention: retained / buyers_year_before.
    pub retention_yearly: f64,
    /// Monthly retention: retention_yearly^(1/12).
    pub retention_monthly: f64,
    /// The formula's result over the horizon, in monthly periods; `None` when there is no
    /// buyer in one of the two years, so spend or retention cannot be read from the data.
    pub clv: Option<TextbookClv>,
}

/// A customer among the most valuable ones, with the figures behind the CLV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopCustomer {
    /// The customer's id.
    pub customer_id: String,
    /// Repeat purchases (x).
    pub frequency: f64,
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases over the horizon.
    pub expected_purchases: f64,
    /// Gamma-Gamma expected spend per purchase, in major units, when fitted.
    pub expected_spend: Option<f64>,
    /// Predicted CLV over the horizon, major units, when Gamma-Gamma is fitted.
    pub clv: Option<f64>,
}

/// Everything the CLV page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceClv {
    /// The options the model ran with.
    pub options: ClvOptions,
    /// The model, or why it could not be fitted.
    pub model: Result<ClvReport, ClvError>,
    /// The most valuable customers, best first (by CLV, else by expected purchases).
    pub top: Vec<TopCustomer>,
    /// Mean predicted CLV over every customer of the model, when it has CLVs.
    pub mean_clv: Option<f64>,
    /// The textbook formula beside the model.
    pub textbook: TextbookBasis,
}

/// One transaction per order, as the model reads them.
pub fn transactions_of_orders(orders: &[Order]) -> Vec<Transaction> {
    orders
        .iter()
        .map(|o| Transaction {
            customer_id: o.customer_id.to_string(),
            date: o.date.date(),
            amount: o.amount,
        })
        .collect()
}

/// The CLV analysis of a workspace's transactions as of `as_of` with `settings`; `top` is how
/// many of the most valuable customers to detail. One pass groups the transactions by customer:
/// the model's summaries, the top customers' spend and the textbook inputs all come from it.
pub fn workspace_clv(
    tx: &[Transaction],
    as_of: NaiveDate,
    settings: &ClvSettings,
    top: usize,
) -> WorkspaceClv {
    let options = settings.options(as_of);
    let mut tally = TextbookTally::new(&options);
    let summaries = summarize_each(tx, options.calibration_end, options.time_unit, |rows| {
        tally.add(rows)
    });
    let model = report_of_summaries(&summaries, &options);
    let (top, mean_clv) = match &model {
        Ok(report) => top_customers(&summaries, report, top),
        Err(_) => (Vec::new(), None),
    };
    WorkspaceClv {
        textbook: tally.finish(&options),
        options,
        model,
        top,
        mean_clv,
    }
}

/// The `n` customers with the highest CLV (else expected purchases), and the mean CLV.
/// `summaries` are the ones `report` was made from (same customers, same order).
fn top_customers(
    summaries: &[CustomerSummary],
    report: &ClvReport,
    n: usize,
) -> (Vec<TopCustomer>, Option<f64>) {
    let mut order: Vec<usize> = (0..report.customers.len()).collect();
    let key = |i: usize| {
        let c = &report.customers[i];
        c.clv.unwrap_or(c.expected_purchases)
    };
    order.sort_by(|&x, &y| {
        key(y).total_cmp(&key(x)).then_with(|| {
            report.customers[x]
                .customer_id
                .cmp(&report.customers[y].customer_id)
        })
    });
    order.truncate(n);
    let top = order
        .iter()
        .map(|&i| {
            let c = &report.customers[i];
            let monetary = summaries
                .get(i)
                .filter(|s| s.customer_id == c.customer_id)
                .map_or(0.0, |s| s.monetary_value);
            TopCustomer {
                customer_id: c.customer_id.clone(),
                frequency: c.frequency,
                p_alive: c.p_alive,
                expected_purchases: c.expected_purchases,
                expected_spend: report
                    .gamma_gamma
                    .map(|g| g.expected_average_value(c.frequency, monetary)),
                clv: c.clv,
            }
        })
        .collect();
    let clvs: Vec<f64> = report.customers.iter().filter_map(|c| c.clv).collect();
    let mean = (!clvs.is_empty()).then(|| clvs.iter().sum::<f64>() / clvs.len() as f64);
    (top, mean)
}

/// The textbook formula's inputs and result, in monthly periods over the horizon.
pub fn textbook_basis(tx: &[Transaction], options: &ClvOptions) -> TextbookBasis {
    let mut tally = TextbookTally::new(options);
    summarize_each(tx, options.calibration_end, options.time_unit, |rows| {
        tally.add(rows)
    });
    tally.finish(options)
}

/// The counts behind the textbook inputs, added up one customer at a time.
struct TextbookTally {
    year_ago: NaiveDate,
    two_years_ago: NaiveDate,
    buyers_last_year: u32,
    buyers_year_before: u32,
    retained: u32,
    revenue: i128,
}

impl TextbookTally {
    fn new(options: &ClvOptions) -> Self {
        let end = options.calibration_end;
        let year_ago = end.checked_sub_months(Months::new(12)).unwrap_or(end);
        let two_years_ago = end.checked_sub_months(Months::new(24)).unwrap_or(year_ago);
        TextbookTally {
            year_ago,
            two_years_ago,
            buyers_last_year: 0,
            buyers_year_before: 0,
            retained: 0,
            revenue: 0,
        }
    }

    /// One customer's purchases up to the calibration end, as (day, amount).
    fn add(&mut self, rows: &[(NaiveDate, i64)]) {
        let (mut last, mut before) = (false, false);
        for &(date, amount) in rows {
            if date > self.year_ago {
                last = true;
                self.revenue += i128::from(amount);
            } else if date > self.two_years_ago {
                before = true;
            }
        }
        self.buyers_last_year += u32::from(last);
        self.buyers_year_before += u32::from(before);
        self.retained += u32::from(last && before);
    }

    fn finish(self, options: &ClvOptions) -> TextbookBasis {
        let TextbookTally {
            buyers_last_year,
            buyers_year_before,
            retained,
            revenue,
            ..
        } = self;
        let revenue_last_year = revenue as f64 / 100.0;
        let margin_per_month = if buyers_last_year == 0 {
            0.0
        } else {
            revenue_last_year / f64::from(buyers_last_year) / 12.0
        };
        let retention_yearly = if buyers_year_before == 0 {
            0.0
        } else {
            f64::from(retained) / f64::from(buyers_year_before)
        };
        let retention_monthly = retention_yearly.powf(1.0 / 12.0);
        let clv = (buyers_last_year > 0 && buyers_year_before > 0)
            .then(|| {
                textbook_clv(&TextbookClvInput {
                    margin_per_period: margin_per_month,
                    retention_rate: retention_monthly.clamp(0.0, 1.0),
                    discount_rate: options.discount_rate,
                    periods: Some(options.horizon_months),
                })
                .ok()
            })
            .flatten();
        TextbookBasis {
            buyers_last_year,
            revenue_last_year,
            buyers_year_before,
            retained,
            margin_per_month,
            retention_yearly,
            retention_monthly,
            clv,
        }
    }
}

/// Every figure of one customer's CLV (for the teaching panel): `None` when the customer has no
/// purchase in the calibration period or the model could not be fitted.
pub fn explain_workspace_customer(
    tx: &[Transaction],
    clv: &WorkspaceClv,
    customer_id: &str,
) -> Option<(CustomerSummary, WorkedExample)> {
    let report = clv.model.as_ref().ok()?;
    let theirs: Vec<Transaction> = tx
        .iter()
        .filter(|t| t.customer_id == customer_id)
        .cloned()
        .collect();
    let s = summarize(&theirs, clv.options.calibration_end, clv.options.time_unit).pop()?;
    let e = explain_customer(&report.bgnbd, report.gamma_gamma.as_ref(), &s, &clv.options);
    Some((s, e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analytics::clv::clv_report;
    use crate::analytics::transactions_of;
    use crate::demo::{generate, DemoSize};
    use std::collections::HashSet;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn tx(id: &str, date: NaiveDate, amount: i64) -> Transaction {
        Transaction {
            customer_id: id.into(),
            date,
            amount,
        }
    }

    #[test]
    fn the_small_demo_fits_and_agrees_with_the_report() {
        let as_of = day(2026, 11, 22);
        let data = generate(DemoSize::Small, 42, as_of);
        let t = transactions_of(&data);
        let settings = ClvSettings::default();
        let w = workspace_clv(&t, as_of, &settings, 10);
        let report = w.model.as_ref().unwrap();
        assert_eq!(*report, clv_report(&t, &settings.options(as_of)).unwrap());
        assert_eq!(w.options.predict_periods, 12.0 * 4.345);
        assert_eq!(w.top.len(), 10);
        let clvs: Vec<f64> = w.top.iter().map(|c| c.clv.unwrap()).collect();
        assert!(clvs.windows(2).all(|p| p[0] >= p[1]));
        let best = report
            .customers
            .iter()
            .filter_map(|c| c.clv)
            .fold(f64::MIN, f64::max);
        assert_eq!(clvs[0], best);
        assert!(w.mean_clv.unwrap() > 0.0);
        // The worked example of the best customer gives the same CLV as the table.
        let (s, e) = explain_workspace_customer(&t, &w, &w.top[0].customer_id).unwrap();
        assert_eq!(s.customer_id, w.top[0].customer_id);
        assert!((e.clv.unwrap() - clvs[0]).abs() < 1e-9 * clvs[0].abs().max(1.0));
        assert!((e.expected_spend.unwrap() - w.top[0].expected_spend.unwrap()).abs() < 1e-9);
        assert!(w.textbook.clv.is_some());
    }

    /// The textbook inputs read the plain way: one pass over the log with two sets of ids.
    fn textbook_counts_directly(tx: &[Transaction], o: &ClvOptions) -> (u32, u32, u32, f64) {
        let end = o.calibration_end;
        let year_ago = end.checked_sub_months(Months::new(12)).unwrap();
        let two_years_ago = end.checked_sub_months(Months::new(24)).unwrap();
        let (mut last, mut before) = (HashSet::new(), HashSet::new());
        let mut revenue = 0i128;
        for t in tx {
            if t.date > year_ago && t.date <= end {
                last.insert(t.customer_id.as_str());
                revenue += i128::from(t.amount);
            } else if t.date > two_years_ago && t.date <= year_ago {
                before.insert(t.customer_id.as_str());
            }
        }
        let retained = before.iter().filter(|id| last.contains(*id)).count() as u32;
        (
            last.len() as u32,
            before.len() as u32,
            retained,
            revenue as f64 / 100.0,
        )
    }

    #[test]
    fn one_pass_gives_what_separate_passes_give() {
        let as_of = day(2026, 11, 22);
        let data = generate(DemoSize::Small, 7, as_of);
        let t = transactions_of(&data);
        for settings in [
            ClvSettings::default(),
            ClvSettings {
                calibration_end: Some(day(2026, 3, 31)),
                time_unit: TimeUnit::Day,
                ..ClvSettings::default()
            },
        ] {
            let o = settings.options(as_of);
            let w = workspace_clv(&t, as_of, &settings, 15);
            // The model is the report of the whole log.
            assert_eq!(*w.model.as_ref().unwrap(), clv_report(&t, &o).unwrap());
            // Each top customer's spend is read from their own transactions.
            let report = w.model.as_ref().unwrap();
            for c in &w.top {
                let theirs: Vec<Transaction> = t
                    .iter()
                    .filter(|x| x.customer_id == c.customer_id)
                    .cloned()
                    .collect();
                let s = summarize(&theirs, o.calibration_end, o.time_unit)
                    .pop()
                    .unwrap();
                let want = report
                    .gamma_gamma
                    .map(|g| g.expected_average_value(s.frequency, s.monetary_value));
                assert_eq!(c.expected_spend, want);
            }
            let b = &w.textbook;
            assert_eq!(
                (
                    b.buyers_last_year,
                    b.buyers_year_before,
                    b.retained,
                    b.revenue_last_year
                ),
                textbook_counts_directly(&t, &o)
            );
            assert_eq!(*b, textbook_basis(&t, &o));
        }
    }

    #[test]
    fn two_customers_are_too_few_to_fit() {
        let t = vec![
            tx("a", day(2026, 1, 1), 1000),
            tx("a", day(2026, 2, 1), 1000),
            tx("b", day(2026, 3, 1), 500),
        ];
        let w = workspace_clv(&t, day(2026, 6, 1), &ClvSettings::default(), 10);
        assert!(matches!(
            w.model,
            Err(ClvError::TooFewCustomers {
                customers: 2,
                required: 3,
                ..
            })
        ));
        assert!(w.top.is_empty());
        assert_eq!(w.mean_clv, None);
    }

    #[test]
    fn the_textbook_inputs_come_from_the_last_two_years() {
        let end = day(2026, 6, 30);
        let t = vec![
            // Bought in both years: retained.
            tx("a", day(2025, 3, 1), 5000),
            tx("a", day(2026, 3, 1), 6000),
            // Only the year before: lost.
            tx("b", day(2025, 1, 1), 2000),
            // Only this year: new.
            tx("c", day(2026, 5, 1), 6000),
            // Older than two years and after the end: ignored.
            tx("d", day(2023, 1, 1), 9999),
            tx("a", day(2026, 7, 1), 9999),
        ];
        let settings = ClvSettings {
            horizon_months: 24,
            discount_rate: 0.0,
            ..ClvSettings::default()
        };
        let b = textbook_basis(&t, &settings.options(end));
        assert_eq!(
            (b.buyers_last_year, b.buyers_year_before, b.retained),
            (2, 2, 1)
        );
        assert_eq!(b.revenue_last_year, 120.0);
        assert_eq!(b.margin_per_month, 5.0);
        assert_eq!(b.retention_yearly, 0.5);
        assert!((b.retention_monthly.powi(12) - 0.5).abs() < 1e-12);
        let clv = b.clv.unwrap();
        assert_eq!(clv.terms.len(), 24);
        let want: f64 = (1..=24).map(|i| 5.0 * b.retention_monthly.powi(i)).sum();
        assert!((clv.clv - want).abs() < 1e-9);
        // No buyer the year before: no retention to read, no textbook value.
        let b = textbook_basis(&t[2..3], &settings.options(end));
        assert_eq!(b.clv, None);
    }

    #[test]
    fn settings_read_and_write_as_json_with_defaults() {
        let s: ClvSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, ClvSettings::default());
        let s: ClvSettings =
            serde_json::from_str(r#"{"time_unit":"day","calibration_end":"2026-01-31"}"#).unwrap();
        assert_eq!(s.time_unit, TimeUnit::Day);
        assert_eq!(s.calibration_end, Some(day(2026, 1, 31)));
        assert_eq!(s.options(day(2026, 6, 1)).calibration_end, day(2026, 1, 31));
        assert_eq!(s.options(day(2026, 6, 1)).predict_periods, 360.0);
    }
}
