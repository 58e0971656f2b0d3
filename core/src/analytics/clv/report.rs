//! The whole CLV analysis of a transaction log, with its explanation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::lifetime_value::{clv_by_month, expected_purchases_and_clv};
use super::{
    fit_bgnbd, fit_bgnbd_penalized, fit_gamma_gamma, periods_per_month, summarize, BgNbdParams,
    ClvError, ClvOptions, ClvReport, CustomerClv, CustomerSummary, GammaGammaParams, MonthStep,
    TimeUnit,
};
use crate::analytics::Transaction;

/// Ridge penalty of the fallback BG/NBD fit when the plain fit is not identified.
pub const FALLBACK_PENALIZER: f64 = 0.001;

/// What a UI needs to show how the CLV figures were obtained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClvExplanation {
    /// Last day of the calibration period.
    pub calibration_end: NaiveDate,
    /// Unit of time of the models.
    pub time_unit: TimeUnit,
    /// Horizon of the expected purchases, in time units.
    pub predict_periods: f64,
    /// CLV horizon in months.
    pub horizon_months: u32,
    /// Monthly discount rate.
    pub discount_rate: f64,
    /// Time units per month used by the CLV sum.
    pub periods_per_month: f64,
    /// Customers with a purchase in the calibration period.
    pub customers: usize,
    /// Customers with at least one repeat purchase (x > 0).
    pub repeat_buyers: usize,
    /// Customers Gamma-Gamma is fitted on (x > 0 and mean spend > 0).
    pub gamma_gamma_customers: usize,
    /// How x, t_x, T and m are read from the transactions.
    pub summary_definition: String,
    /// The BG/NBD likelihood of one customer.
    pub bgnbd_likelihood: String,
    /// The P(alive) formula.
    pub p_alive_formula: String,
    /// The expected-purchases formula.
    pub expected_purchases_formula: String,
    /// The Gamma-Gamma expected-spend formula.
    pub expected_spend_formula: String,
    /// The CLV sum.
    pub clv_formula: String,
    /// Set when the plain BG/NBD fit was not identified and a penalised fit was used instead.
    pub bgnbd_note: Option<String>,
    /// Why Gamma-Gamma could not be fitted, when it could not.
    pub gamma_gamma_error: Option<String>,
    /// Every step for one customer (the first repeat buyer by id, else the first customer).
    pub example: Option<WorkedExample>,
}

/// Every intermediate figure of one customer's CLV.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkedExample {
    /// The customer.
    pub customer_id: String,
    /// x.
    pub frequency: f64,
    /// t_x.
    pub recency: f64,
    /// T.
    pub t: f64,
    /// Mean repeat-day spend, major units.
    pub monetary_value: f64,
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases in the next `predict_periods` time units.
    pub expected_purchases: f64,
    /// Gamma-Gamma expected spend per purchase, when fitted.
    pub expected_spend: Option<f64>,
    /// The months of the CLV sum, when Gamma-Gamma is fitted.
    pub months: Vec<MonthStep>,
    /// The CLV, when Gamma-Gamma is fitted.
    pub clv: Option<f64>,
}

/// All figures of one customer, month by month.
pub fn explain_customer(
    bg: &BgNbdParams,
    gg: Option<&GammaGammaParams>,
    s: &CustomerSummary,
    opts: &ClvOptions,
) -> WorkedExample {
    let mut months = Vec::new();
    let clv = gg.map(|gg| {
        clv_by_month(
            bg,
            gg,
            s,
            opts.time_unit,
            opts.horizon_months,
            opts.discount_rate,
            |m| months.push(m),
        )
    });
    WorkedExample {
        customer_id: s.customer_id.clone(),
        frequency: s.frequency,
        recency: s.recency,
        t: s.t,
        monetary_value: s.monetary_value,
        p_alive: bg.p_alive(s.frequency, s.recency, s.t),
        expected_purchases: bg.expected_purchases(
            opts.predict_periods,
            s.frequency,
            s.recency,
            s.t,
        ),
        expected_spend: gg.map(|g| g.expected_average_value(s.frequency, s.monetary_value)),
        months,
        clv,
    }
}

fn validate(opts: &ClvOptions) -> Result<(), ClvError> {
    if !(opts.predict_periods.is_finite() && opts.predict_periods >= 0.0) {
        return Err(ClvError::InvalidOption {
            option: "prediction period",
            reason: format!(
                "{} must be a number of time units ≥ 0",
                opts.predict_periods
            ),
        });
    }
    if !(opts.discount_rate.is_finite() && opts.discount_rate > -1.0) {
        return Err(ClvError::InvalidOption {
            option: "discount rate",
            reason: format!(
                "{} must be a monthly rate above −1 (e.g. 0.01 for 1 % a month)",
                opts.discount_rate
            ),
        });
    }
    const MAX_MONTHS: u32 = 1200;
    if opts.horizon_months > MAX_MONTHS {
        return Err(ClvError::InvalidOption {
            option: "horizon",
            reason: format!(
                "{} months is more than the {MAX_MONTHS} months (100 years) supported",
                opts.horizon_months
            ),
        });
    }
    Ok(())
}

fn finite(v: f64, quantity: &'static str, id: &str) -> Result<f64, ClvError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(ClvError::NonFinite {
            quantity,
            customer_id: id.to_string(),
        })
    }
}

/// Summarise, fit BG/NBD and Gamma-Gamma, and compute P(alive), expected purchases and CLV for
/// every customer. When Gamma-Gamma cannot be fitted the report still has the BG/NBD figures,
/// with `clv: None` and the reason in `explanation.gamma_gamma_error`.
///
/// # Errors
/// [`ClvError::InvalidOption`] for out-of-range options; every error of [`fit_bgnbd`];
/// [`ClvError::NonFinite`] if any figure would not be a finite number.
pub fn clv_report(tx: &[Transaction], opts: &ClvOptions) -> Result<ClvReport, ClvError> {
    validate(opts)?;
    let summaries = summarize(tx, opts.calibration_end, opts.time_unit);
    report_of_summaries(&summaries, opts)
}

/// [`clv_report`] from the summaries of the transactions (as [`summarize`] gives them with
/// `opts`' calibration end and time unit), for a caller that has them already.
///
/// # Errors
/// As [`clv_report`].
pub(crate) fn report_of_summaries(
    summaries: &[CustomerSummary],
    opts: &ClvOptions,
) -> Result<ClvReport, ClvError> {
    validate(opts)?;
    if summaries.is_empty() {
        return Err(ClvError::NoTransactions);
    }
    let (bgnbd, bgnbd_note) = match fit_bgnbd(summaries) {
        Ok(p) => (p, None),
        Err(ClvError::NotIdentifiable { reason, .. }) => {
            // Small shops often have too little data to separate every parameter; a mildly
            // penalised fit still gives usable, clearly labelled figures.
            let p = fit_bgnbd_penalized(summaries, FALLBACK_PENALIZER)?;
            let note = format!(
                "The plain maximum-likelihood fit is not identified on these data: {reason}. The figures use a fit with a small penalty ({FALLBACK_PENALIZER} × the sum of squared log-parameters); treat them as rough."
            );
            (p, Some(note))
        }
        Err(e) => return Err(e),
    };
    let (gamma_gamma, gamma_gamma_error) = match fit_gamma_gamma(summaries) {
        Ok(g) => (Some(g), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let (expected, clvs) = expected_purchases_and_clv(
        &bgnbd,
        gamma_gamma.as_ref(),
        summaries,
        opts.time_unit,
        opts.predict_periods,
        opts.horizon_months,
        opts.discount_rate,
    );
    let mut customers = Vec::with_capacity(summaries.len());
    for (i, s) in summaries.iter().enumerate() {
        let id = s.customer_id.as_str();
        let clv = match &clvs {
            Some(v) => Some(finite(v[i], "lifetime value", id)?),
            None => None,
        };
        customers.push(CustomerClv {
            customer_id: s.customer_id.clone(),
            frequency: s.frequency,
            recency: s.recency,
            t: s.t,
            p_alive: finite(bgnbd.p_alive(s.frequency, s.recency, s.t), "P(alive)", id)?,
            expected_purchases: finite(expected[i], "expected purchases", id)?,
            clv,
        });
    }
    let example = summaries
        .iter()
        .find(|s| s.frequency > 0.0)
        .or(summaries.first())
        .map(|s| explain_customer(&bgnbd, gamma_gamma.as_ref(), s, opts));
    let explanation = ClvExplanation {
        calibration_end: opts.calibration_end,
        time_unit: opts.time_unit,
        predict_periods: opts.predict_periods,
        horizon_months: opts.horizon_months,
        discount_rate: opts.discount_rate,
        periods_per_month: periods_per_month(opts.time_unit),
        customers: summaries.len(),
        repeat_buyers: summaries.iter().filter(|s| s.frequency > 0.0).count(),
        gamma_gamma_customers: summaries
            .iter()
            .filter(|s| s.frequency > 0.0 && s.monetary_value > 0.0)
            .count(),
        summary_definition: "Purchases on one day count as one. x = distinct purchase days − 1; \
            t_x = last purchase day − first purchase day; T = calibration end − first purchase \
            day (in time units); m = mean spend of the repeat days (the first day excluded)."
            .into(),
        bgnbd_likelihood: "L(r, α, a, b | x, t_x, T) = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) \
            (α+T)^(r+x)) + [x > 0] · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))"
            .into(),
        p_alive_formula: "P(alive | x, t_x, T) = 1 / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))"
            .into(),
        expected_purchases_formula: "E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) \
            · ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] / (1 + [x > 0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))"
            .into(),
        expected_spend_formula: "E[M | x, m] = (1 − w) · p·v/(q−1) + w · m, with w = p·x/(p·x+q−1)"
            .into(),
        clv_formula: "CLV = Σ_{i=1..months} E[M] · (E[Y(i·k)] − E[Y((i−1)·k)]) / (1+d)^i, \
            k = time units per month"
            .into(),
        bgnbd_note,
        gamma_gamma_error,
        example,
    };
    Ok(ClvReport {
        bgnbd,
        gamma_gamma,
        customers,
        explanation,
    })
}
