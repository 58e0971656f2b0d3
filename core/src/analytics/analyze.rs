//! Every segmentation method at once over a workspace: what the app's analytics pages show.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::abc::{abc, Abc, AbcError, AbcOptions};
use super::churn::{churn, Churn, ChurnError, ChurnOptions};
use super::explain::{Explanation, Method};
use super::history::FastMap;
use super::history::{Histories, HistoryError};
use super::lifecycle::{lifecycle, Lifecycle, LifecycleOptions};
use super::loyalty::{attitudes_from_surveys, loyalty, referral_counts, Loyalty, LoyaltyError};
use super::rfm::{rfm, Rfm, RfmError, RfmOptions, RfmScoring, Segment};
use super::satisfaction::{satisfaction, Satisfaction};
use super::value_matrix::{value_matrix, ValueMatrix, ValueMatrixError};
use crate::model::{AnalysisSettings, Dataset, SurveyResponse};
use uuid::Uuid;

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
    let histories = Histories::from_dataset(data, as_of, settings.window)?;
    let rfm = rfm(&histories, &rfm_options(settings))?;
    let abc = abc(
        &histories,
        &AbcOptions {
            a: settings.abc_a,
            b: settings.abc_b,
        },
    )?;
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
    let attitudes = attitudes_from_surveys(&data.surveys, as_of);
    let referrals = referral_counts(&data.customers);
    let loyalty = loyalty(
        &histories,
        &settings.loyalty_weights,
        &attitudes,
        &referrals,
    )?;
    let segments = survey_segments(&data.surveys, &rfm);
    let satisfaction = satisfaction(&data.surveys, as_of, |s| {
        segments
            .get(&s.customer_id.as_u128())
            .map_or("none", |seg| seg.id())
            .to_owned()
    });
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

/// The RFM segment of every surveyed customer who has one. The surveyed ids, as text in id order,
/// are looked up in RFM's customers (also in id order) moving forward only, which reads a few RFM
/// ids near the previous match instead of searching the whole list with a newly formatted id per
/// survey.
fn survey_segments(surveys: &[SurveyResponse], rfm: &Rfm) -> FastMap<u128, Segment> {
    let mut ids: Vec<u128> = surveys.iter().map(|s| s.customer_id.as_u128()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = FastMap::with_capacity_and_hasher(ids.len(), Default::default());
    let mut buf = Uuid::encode_buffer();
    let mut rest = rfm.customers.as_slice();
    for id in ids {
        let text = Uuid::from_u128(id).hyphenated().encode_lower(&mut buf);
        // Galloping: the next surveyed id is usually a few places on, so double the step until it
        // is passed, then search only that stretch.
        let mut end = 1;
        while end < rest.len() && rest[end - 1].customer_id.as_ref() < &*text {
            end *= 2;
        }
        let end = end.min(rest.len());
        let skip = rest[..end].partition_point(|c| c.customer_id.as_ref() < &*text);
        rest = &rest[skip..];
        if let Some(c) = rest.first().filter(|c| c.customer_id.as_ref() == &*text) {
            out.insert(id, c.segment);
        }
    }
    out
}

impl Analysis {
    /// The worked example of `method` for one customer (for [`Method::Satisfaction`], the shop-wide
    /// figures; `customer_id` is then ignored). `None` when the customer has no result for it (e.g.
    /// RFM for a customer without orders).
    pub fn explain(&self, method: Method, customer_id: &str) -> Option<Explanation> {
        let h = &self.histories;
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
