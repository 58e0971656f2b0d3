//! Customer lifetime value: the BG/NBD purchase model, the Gamma-Gamma spend model and the CLV
//! they give, computed the way the Python `lifetimes` library (0.11.3) computes them, plus the
//! simple textbook formula for small data.
//!
//! - BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
//!   the Pareto/NBD model", *Marketing Science* 24(2).
//! - Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer
//!   base analysis", *Journal of Marketing Research* 42(4).
//!
//! Everything here is pure and deterministic: the calibration date and every parameter are
//! arguments, the fits start from fixed points, and no clock or random source is read.

mod bgnbd;
mod gamma_gamma;
mod lifetime_value;
mod optimise;
mod report;
mod simulate;
mod special;
mod summary;
mod textbook;
mod workspace;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use bgnbd::{fit_bgnbd, fit_bgnbd_penalized};
pub use gamma_gamma::fit_gamma_gamma;
pub use lifetime_value::{customer_lifetime_value, periods_per_month, MonthStep};
pub use report::{clv_report, explain_customer, ClvExplanation, WorkedExample, FALLBACK_PENALIZER};
pub use simulate::{simulate_transactions, SimulationSpec};
pub use summary::summarize;
pub use textbook::{textbook_clv, TextbookClv, TextbookClvInput};
pub use workspace::{
    explain_workspace_customer, textbook_basis, transactions_of_orders, workspace_clv, ClvSettings,
    TextbookBasis, TopCustomer, WorkspaceClv,
};

/// The unit time is measured in for the models (recency, T, the prediction horizon, α).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Days.
    Day,
    /// Weeks of 7 days (the daily figures divided by 7, as in the BG/NBD paper).
    Week,
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }
}

/// Parameters of a CLV analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClvOptions {
    /// Last day of the calibration period; later transactions are ignored.
    pub calibration_end: NaiveDate,
    /// Unit of time of the models.
    pub time_unit: TimeUnit,
    /// Length of the period, in time units, for which expected purchases are reported.
    pub predict_periods: f64,
    /// CLV horizon in months (lifetimes' `time`; the usual value is 12).
    pub horizon_months: u32,
    /// Monthly discount rate for CLV (the usual value is 0.01).
    pub discount_rate: f64,
}

impl ClvOptions {
    /// Options with the usual defaults: 12 months, 1 % a month, expected purchases over 39 units.
    pub fn new(calibration_end: NaiveDate, time_unit: TimeUnit) -> Self {
        Self {
            calibration_end,
            time_unit,
            predict_periods: 39.0,
            horizon_months: 12,
            discount_rate: 0.01,
        }
    }
}

/// Fitted BG/NBD parameters: purchase rates are Gamma(r, α) across customers, the drop-out
/// probability after each purchase is Beta(a, b).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgNbdParams {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale (in time units) of the Gamma distribution of purchase rates.
    pub alpha: f64,
    /// First shape of the Beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the Beta distribution of drop-out probabilities.
    pub b: f64,
    /// Log-likelihood of the data at these parameters (time in the fitted unit).
    pub log_likelihood: f64,
}

/// Fitted Gamma-Gamma parameters: a customer's spend per transaction is Gamma(p, ν) with
/// ν ~ Gamma(q, v) across customers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaParams {
    /// Shape of the per-transaction spend.
    pub p: f64,
    /// Shape of the distribution of ν across customers.
    pub q: f64,
    /// Scale of the distribution of ν across customers (in major currency units).
    pub v: f64,
}

/// A customer's calibration-period summary, as lifetimes' `summary_data_from_transaction_data`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// The customer's id.
    pub customer_id: String,
    /// Repeat purchases: distinct purchase days − 1 (the paper's x).
    pub frequency: f64,
    /// Time from the first to the last purchase day, in time units (the paper's t_x).
    pub recency: f64,
    /// Time from the first purchase day to the end of calibration, in time units (the paper's T).
    pub t: f64,
    /// Mean spend of the repeat purchase days, in major units; 0 when frequency is 0.
    pub monetary_value: f64,
}

/// A customer's CLV figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerClv {
    /// The customer's id.
    pub customer_id: String,
    /// Repeat purchases in the calibration period (x).
    pub frequency: f64,
    /// Time from first to last purchase (t_x), in time units.
    pub recency: f64,
    /// Time from first purchase to the end of calibration (T), in time units.
    pub t: f64,
    /// Probability that the customer is still active at the end of calibration.
    pub p_alive: f64,
    /// Expected purchases in the next `predict_periods` time units.
    pub expected_purchases: f64,
    /// Discounted value over the horizon, in major units; `None` when Gamma-Gamma could not be
    /// fitted.
    pub clv: Option<f64>,
}

/// The full CLV analysis of a transaction log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClvReport {
    /// Fitted BG/NBD parameters.
    pub bgnbd: BgNbdParams,
    /// Fitted Gamma-Gamma parameters, or `None` when spend could not be modelled (the reason is in
    /// `explanation.gamma_gamma_error`).
    pub gamma_gamma: Option<GammaGammaParams>,
    /// One row per customer with a purchase in the calibration period, sorted by id.
    pub customers: Vec<CustomerClv>,
    /// Formulas, inputs and parameter values, with a worked example, for display.
    pub explanation: ClvExplanation,
}

/// Why a CLV computation could not be done.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClvError {
    /// No transaction on or before the calibration end.
    #[error("there are no purchases on or before the calibration end date, so there is nothing to model")]
    NoTransactions,
    /// Too few customers to fit a model.
    #[error("the {model} model needs at least {required} customers to fit, but the data have {customers}")]
    TooFewCustomers {
        /// Which model.
        model: &'static str,
        /// Customers available.
        customers: usize,
        /// Customers needed.
        required: usize,
    },
    /// Nobody bought twice (on different days) in the calibration period.
    #[error("no customer bought again on a later day during the calibration period, so repeat buying and drop-out cannot be estimated; use the textbook formula or a longer calibration period")]
    NoRepeatBuyers,
    /// The likelihood has no finite maximum on these data.
    #[error("the data cannot identify the {model} model: {reason}")]
    NotIdentifiable {
        /// Which model.
        model: &'static str,
        /// What went wrong, in words.
        reason: String,
    },
    /// The optimiser did not reach a maximum of the likelihood.
    #[error("fitting the {model} model did not converge after {iterations} iterations")]
    DidNotConverge {
        /// Which model.
        model: &'static str,
        /// Iterations used.
        iterations: usize,
    },
    /// A computed figure was not a finite number (a bug or an extreme input; never silently
    /// passed on).
    #[error("the {quantity} of customer {customer_id} could not be computed as a finite number")]
    NonFinite {
        /// Which figure.
        quantity: &'static str,
        /// Whose.
        customer_id: String,
    },
    /// An option or input value is out of range.
    #[error("invalid {option}: {reason}")]
    InvalidOption {
        /// Which option or input.
        option: &'static str,
        /// Why it is invalid.
        reason: String,
    },
}

/// Counts of the customers and repeat buyers a fit uses, shared by the fitting code.
pub(crate) fn check_summary_values(s: &[CustomerSummary]) -> Result<(), ClvError> {
    for c in s {
        let ok = c.frequency.is_finite()
            && c.frequency >= 0.0
            && c.recency.is_finite()
            && c.t.is_finite()
            && c.recency >= 0.0
            && c.t >= c.recency
            && c.monetary_value.is_finite();
        if !ok {
            return Err(ClvError::InvalidOption {
                option: "customer summary",
                reason: format!(
                    "customer {} has frequency {}, recency {}, T {}, monetary value {}; they must be finite with 0 ≤ recency ≤ T",
                    c.customer_id, c.frequency, c.recency, c.t, c.monetary_value
                ),
            });
        }
    }
    Ok(())
}
