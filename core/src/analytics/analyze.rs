//! Every segmentation method at once over a workspace: what the app's analytics pages show.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::abc::{abc_ordered, revenue_order, Abc, AbcError, AbcOptions};
use super::churn::{churn, Churn, ChurnError, ChurnOptions};
use super::explain::{Explanation, Method};
use super::history::{
    positions, CustomerId, CustomerIndex, FastMap, Histories, HistoryError, OrderTable,
};
use super::lifecycle::{lifecycle, Lifecycle, LifecycleOptions};
use super::loyalty::{latest_attitudes, loyalty_with, Attitude, Loyalty, LoyaltyError};
use super::rfm::{rfm_ordered, Rfm, RfmError, RfmOptions, RfmScoring, Segment};
use super::satisfaction::{satisfaction_by, Satisfaction};
use super::value_matrix::{value_matrix, ValueMatrix, ValueMatrixError};
use crate::model::{AnalysisSettings, Customer, Dataset, Order, SurveyResponse};

/// Why the analysis could not run: always a bad setting, never the data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalysisError {
    /// Bad window.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// Bad RFM settings.
    #[error(transparent)]
    Rfm(#[from] RfmError),
    /// Bad ABC thresholds.
    #[error(transparent)]
    Abc(#[from] AbcError),
    /// Bad value matrix splits.
    #[error(transparent)]
    ValueMatrix(#[from] ValueMatrixError),
    /// Bad churn settings.
    #[error(transparent)]
    Churn(#[from] ChurnError),
    /// Bad loyalty weights.
    #[error(transparent)]
    Loyalty(#[from] LoyaltyError),
    /// Bad CSI weights.
    #[error(transparent)]
    CsiWeights(#[from] super::satisfaction::CsiWeightsError),
}

/// The results of every method, as of one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The analysis date.
    pub as_of: NaiveDate,
    /// Per-customer purchase histories (the inputs).
    pub histories: Histories,
    /// RFM.
    pub rfm: Rfm,
    /// ABC / Pareto.
    pub abc: Abc,
    /// Customer value matrix.
    pub value_matrix: ValueMatrix,
    /// Churn warnings.
    pub churn: Churn,
    /// Lifecycle stages.
    pub lifecycle: Lifecycle,
    /// Loyalty scores and quadrants.
    pub loyalty: Loyalty,
    /// NPS and CSI (grouped by RFM segment; `none` for respondents without a purchase).
    pub satisfaction: Satisfaction,
}

/// The RFM options the settings describe.
pub fn rfm_options(settings: &AnalysisSettings) -> RfmOptions {
    RfmOptions {
        scoring: match &settings.rfm_thresholds {
            Some(t) => RfmScoring::Thresholds(t.clone()),
            None => RfmScoring::Quantiles {
                bins: settings.rfm_bins,
            },
        },
        segment_map: settings.rfm_segment_map,
    }
}

/// Runs every method on a workspace as of `as_of` with the workspace's settings.
///
/// # Errors
/// [`AnalysisError`] when a setting is invalid (bins, thresholds, k, weights, window).
pub fn analyze(
    data: &Dataset,
    as_of: NaiveDate,
    settings: &AnalysisSettings,
) -> Result<Analysis, AnalysisError> {
    analyze_with_p_alive(data, as_of, settings, None)
}

/// As [`analyze`], with P(alive) per customer id from a fitted BG/NBD model for the churn warning.
///
/// # Errors
/// As [`analyze`].
pub fn analyze_with_p_alive(
    data: &Dataset,
    as_of: NaiveDate,
    settings: &AnalysisSettings,
    p_alive: Option<&HashMap<String, f64>>,
) -> Result<Analysis, AnalysisError> {
    analyze_records_with_p_alive(
        &data.customers,
        &data.orders,
        &data.surveys,
        as_of,
        settings,
        p_alive,
    )
}

/// As [`analyze`], over the records it reads given apart (customers for referrals, orders,
/// surveys), so a caller holding them elsewhere (the app's signals) need not build a [`Dataset`].
///
/// # Errors
/// As [`analyze`].
pub fn analyze_records(
    customers: &[Customer],
    orders: &[Order],
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    settings: &AnalysisSettings,
) -> Result<Analysis, AnalysisError> {
    analyze_records_with_p_alive(customers, orders, surveys, as_of, settings, None)
}

/// As [`analyze_records`], with P(alive) per customer id as [`analyze_with_p_alive`] takes it.
///
/// # Errors
/// As [`analyze`].
pub fn analyze_records_with_p_alive(
    customers: &[Customer],
    orders: &[Order],
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    settings: &AnalysisSettings,
    p_alive: Option<&HashMap<String, f64>>,
) -> Result<Analysis, AnalysisError> {
    let customers = CustomerIndex::new(customers);
    let orders = OrderTable::new(orders);
    analyze_tables_with_p_alive(&customers, &orders, surveys, as_of, settings, p_alive)
}

/// As [`analyze_records`], over the records prepared once ([`CustomerIndex::new`] of the
/// customers, [`OrderTable::new`] of the orders): what the app recomputes when only the date or
/// the settings change, without reading the order records again.
///
/// # Errors
/// As [`analyze`].
pub fn analyze_tables(
    customers: &CustomerIndex,
    orders: &OrderTable,
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    settings: &AnalysisSettings,
) -> Result<Analysis, AnalysisError> {
    analyze_tables_with_p_alive(customers, orders, surveys, as_of, settings, None)
}

/// As [`analyze_tables`], with P(alive) per customer id as [`analyze_with_p_alive`] takes it.
///
/// # Errors
/// As [`analyze`].
pub fn analyze_tables_with_p_alive(
    customers: &CustomerIndex,
    orders: &OrderTable,
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    settings: &AnalysisSettings,
    p_alive: Option<&HashMap<String, f64>>,
) -> Result<Analysis, AnalysisError> {
    let (histories, ids) = Histories::from_tables(customers, orders, as_of, settings.window)?;
    // One sort by revenue serves RFM's monetary ranks and ABC's order.
    let by_revenue = revenue_order(&histories);
    let rfm = rfm_ordered(&histories, &rfm_options(settings), Some(&by_revenue))?;
    let abc = abc_ordered(
        &histories,
        &AbcOptions {
            a: settings.abc_a,
            b: settings.abc_b,
        },
        Some(&by_revenue),
    )?;
    drop(by_revenue);
    let value_matrix = value_matrix(&histories, &settings.value_matrix)?;
    let churn = churn(
        &histories,
        &ChurnOptions {
            k: settings.churn_k,
            p_alive_below: settings.churn_p_alive_below,
        },
        p_alive,
    )?;
    let lifecycle = lifecycle(
        &histories,
        &LifecycleOptions {
            new_within_days: settings.new_within_days,
            loyal_min_orders: settings.loyal_min_orders,
            lost_after_days: settings.lost_after_days,
        },
        &churn,
    );
    // As `loyalty(&histories, weights, &attitudes_from_surveys(..), &referral_counts(..))`, with
    // the inputs placed by customer position instead of looked up by id text per customer.
    let n = histories.customers.len();
    let mut attitudes: Vec<Option<Attitude>> = vec![None; n];
    let latest: Vec<(u128, Attitude)> = latest_attitudes(surveys, as_of)
        .into_iter()
        .map(|(id, a)| (id.as_u128(), a))
        .collect();
    for (i, a) in positions(&ids, latest) {
        attitudes[i] = Some(a);
    }
    let mut referrals: Vec<u32> = vec![0; n];
    for (i, k) in positions(&ids, customers.referrals().to_vec()) {
        referrals[i] = k;
    }
    let mut next = 0usize;
    let loyalty = loyalty_with(&histories, &settings.loyalty_weights, |_| {
        let i = next;
        next += 1;
        (
            attitudes.get(i).and_then(Option::as_ref),
            referrals.get(i).copied().unwrap_or(0),
        )
    })?;
    let buyers: Vec<u128> = ids
        .iter()
        .zip(&histories.customers)
        .filter(|(_, h)| h.is_purchaser())
        .map(|(&u, _)| u)
        .collect();
    let segments = survey_segments(surveys, &rfm, &buyers);
    settings.csi_weights.check()?;
    let mut satisfaction = satisfaction_by(surveys, as_of, |s| {
        segments
            .get(&s.customer_id.as_u128())
            .map_or("none", |seg| seg.id())
    });
    satisfaction.apply_csi_weights(&settings.csi_weights);
    Ok(Analysis {
        as_of,
        histories,
        rfm,
        abc,
        value_matrix,
        churn,
        lifecycle,
        loyalty,
        satisfaction,
    })
}

/// The RFM segment of every surveyed customer who has one; `buyers` are the id numbers of the RFM
/// rows (the purchasers, in the histories' order).
fn survey_segments(
    surveys: &[SurveyResponse],
    rfm: &Rfm,
    buyers: &[u128],
) -> FastMap<u128, Segment> {
    let items: Vec<(u128, ())> = surveys
        .iter()
        .map(|s| (s.customer_id.as_u128(), ()))
        .collect();
    let found = positions(buyers, items);
    let mut out = FastMap::default();
    out.reserve(found.len());
    for (i, ()) in found {
        if let (Some(c), Some(&id)) = (rfm.customers.get(i), buyers.get(i)) {
            out.insert(id, c.segment);
        }
    }
    out
}

impl Analysis {
    /// The worked example of `method` for one customer (for [`Method::Satisfaction`], the shop-wide
    /// figures; `customer_id` is then ignored). `None` when the customer has no result for it (e.g.
    /// RFM for a customer without orders).
    pub fn explain(
        &self,
        method: Method,
        customer_id: impl Into<CustomerId>,
    ) -> Option<Explanation> {
        let h = &self.histories;
        let customer_id: CustomerId = customer_id.into();
        let customer_id = &customer_id;
        match method {
            Method::Rfm => self.rfm.explain(customer_id, h),
            Method::Abc => self.abc.explain(customer_id),
            Method::ValueMatrix => self.value_matrix.explain(customer_id, h),
            Method::Lifecycle => self.lifecycle.explain(customer_id, h, &self.churn),
            Method::Churn => self.churn.explain(customer_id, h),
            Method::Loyalty => self.loyalty.explain(customer_id, h),
            Method::Satisfaction => Some(self.satisfaction.explain()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analytics::loyalty::{attitudes_from_surveys, loyalty, referral_counts};
    use crate::analytics::satisfaction::satisfaction;
    use crate::demo::{generate, DemoSize};

    /// The positional shortcuts of `analyze` give what the public, id-keyed functions give.
    #[test]
    fn analyze_matches_the_methods_called_one_by_one() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let data = generate(DemoSize::Classroom, 7, as_of);
        let settings = AnalysisSettings::default();
        let a = analyze(&data, as_of, &settings).unwrap();
        let want = loyalty(
            &a.histories,
            &settings.loyalty_weights,
            &attitudes_from_surveys(&data.surveys, as_of),
            &referral_counts(&data.customers),
        )
        .unwrap();
        assert_eq!(a.loyalty, want);
        assert!(a.loyalty.without_survey < a.loyalty.customers.len() as u32);
        let want = satisfaction(&data.surveys, as_of, |s| {
            a.rfm
                .customer(s.customer_id)
                .map_or("none", |c| c.segment.id())
                .to_owned()
        });
        assert_eq!(a.satisfaction, want);
        assert!(a.satisfaction.by_group.len() > 2);
    }

    /// Tables built once give, for any date, window and settings, what analysing the records
    /// from scratch gives (the app's memo keeps the tables between recomputes).
    #[test]
    fn tables_built_once_serve_every_date_and_setting() {
        use crate::analytics::history::DateWindow;
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut data = generate(DemoSize::Classroom, 11, as_of);
        // Not in date order, and a customer only an order names.
        data.orders.reverse();
        let mut extra = data.orders[0].clone();
        extra.customer_id = uuid::Uuid::from_u128(5);
        extra.date = NaiveDate::from_ymd_opt(2024, 1, 5)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        data.orders.push(extra);
        let customers = CustomerIndex::new(&data.customers);
        let orders = OrderTable::new(&data.orders);
        let mut settings = AnalysisSettings::default();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        for (day, window, bins) in [
            (as_of, None, 5),
            (d(2025, 6, 30), None, 3),
            (
                as_of,
                Some(DateWindow {
                    from: d(2025, 1, 1),
                    to: d(2026, 6, 30),
                }),
                4,
            ),
            (d(2023, 12, 31), None, 5),
        ] {
            settings.window = window;
            settings.rfm_bins = bins;
            let want = analyze(&data, day, &settings).unwrap();
            let got = analyze_tables(&customers, &orders, &data.surveys, day, &settings).unwrap();
            assert_eq!(got, want, "{day} {window:?}");
            let only_order = want
                .histories
                .get("00000000-0000-0000-0000-000000000005")
                .is_some();
            // The customer only an order names is there when that order is in the window.
            assert_eq!(only_order, day >= d(2024, 1, 5) && window.is_none());
        }
        settings.window = Some(DateWindow {
            from: as_of,
            to: d(2020, 1, 1),
        });
        assert!(analyze_tables(&customers, &orders, &data.surveys, as_of, &settings).is_err());
    }
}
