//! Satisfaction: NPS and CSI.
//!
//! * **NPS** = % promoters (answers 9–10) − % detractors (0–6) over the responses, −100…100;
//!   passives (7–8) count in the total only. Every response counts (a customer who answered twice
//!   counts twice); answers above 10 are invalid and skipped. `None` with no valid answer.
//! * **CSI** per dimension (reliability 可信度, professionalism 专业度, tangibles 有形度, empathy 同理度,
//!   responsiveness 反应度) = (mean score − 1) / 4 × 100, mapping the 1–5 scale onto 0–100; scores
//!   outside 1–5 are skipped. Overall CSI = the weighted mean Σ wᵢ·CSIᵢ / Σ wᵢ of the dimension
//!   CSIs that have answers, with the weights of [`CsiWeights`] (equal weights by default: the plain
//!   mean).
//! * Responses dated after the analysis date are ignored. Breakdowns: by a group the caller gives
//!   (the app uses the RFM segment) and by calendar month (`YYYY-MM`).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::explain::{Explanation, Method, Step, Term, Value};
use crate::model::SurveyResponse;

/// The five dimensions' ids, in the course's order.
pub const DIMENSIONS: [&str; 5] = [
    "reliability",
    "professionalism",
    "tangibles",
    "empathy",
    "responsiveness",
];

/// Relative weights of the five dimensions in the overall CSI (any scale: 0.3/0.2/… or 3/2/…;
/// only their ratios matter).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct CsiWeights {
    /// Reliability 可信度.
    pub reliability: f64,
    /// Professionalism 专业度.
    pub professionalism: f64,
    /// Tangibles 有形度.
    pub tangibles: f64,
    /// Empathy 同理度.
    pub empathy: f64,
    /// Responsiveness 反应度.
    pub responsiveness: f64,
}

impl Default for CsiWeights {
    fn default() -> Self {
        CsiWeights {
            reliability: 0.2,
            professionalism: 0.2,
            tangibles: 0.2,
            empathy: 0.2,
            responsiveness: 0.2,
        }
    }
}

/// Why CSI weights cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CsiWeightsError {
    /// A weight negative or not a number, or every weight zero.
    #[error("CSI weights must be numbers ≥ 0 and not all zero; got {weights:?}")]
    Invalid {
        /// The weights given, in the course's order.
        weights: [f64; 5],
    },
}

impl CsiWeights {
    /// The weights in the course's order (see [`DIMENSIONS`]).
    pub fn as_array(&self) -> [f64; 5] {
        [
            self.reliability,
            self.professionalism,
            self.tangibles,
            self.empathy,
            self.responsiveness,
        ]
    }

    /// Weights from an array in the course's order.
    pub fn from_array(w: [f64; 5]) -> Self {
        CsiWeights {
            reliability: w[0],
            professionalism: w[1],
            tangibles: w[2],
            empathy: w[3],
            responsiveness: w[4],
        }
    }

    /// Checks the weights.
    ///
    /// # Errors
    /// [`CsiWeightsError::Invalid`] for a negative or non-finite weight, or all zero.
    pub fn check(&self) -> Result<(), CsiWeightsError> {
        let w = self.as_array();
        if w.iter().any(|x| !x.is_finite() || *x < 0.0) || w.iter().sum::<f64>() <= 0.0 {
            return Err(CsiWeightsError::Invalid { weights: w });
        }
        Ok(())
    }

    /// True when every weight is the same (the overall CSI is then the plain mean).
    pub fn all_equal(&self) -> bool {
        let w = self.as_array();
        w.iter().all(|x| *x == w[0])
    }
}

/// NPS counts and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Nps {
    /// Valid answers.
    pub responses: u32,
    /// Answers 9–10.
    pub promoters: u32,
    /// Answers 7–8.
    pub passives: u32,
    /// Answers 0–6.
    pub detractors: u32,
    /// % promoters − % detractors; `None` without answers.
    pub nps: Option<f64>,
}

impl Nps {
    fn add(&mut self, answer: u8) {
        match answer {
            9..=10 => self.promoters += 1,
            7..=8 => self.passives += 1,
            0..=6 => self.detractors += 1,
            _ => return,
        }
        self.responses += 1;
    }

    fn finish(&mut self) {
        self.nps = (self.responses > 0).then(|| {
            (f64::from(self.promoters) - f64::from(self.detractors)) * 100.0
                / f64::from(self.responses)
        });
    }
}

/// CSI of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionCsi {
    /// Dimension id (see [`DIMENSIONS`]).
    pub dimension: String,
    /// Valid scores.
    pub responses: u32,
    /// Mean score 1–5, `None` without scores.
    pub mean: Option<f64>,
    /// (mean − 1) / 4 × 100.
    pub csi: Option<f64>,
}

/// CSI per dimension and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Csi {
    /// The five dimensions.
    pub dimensions: Vec<DimensionCsi>,
    /// Mean of the dimension CSIs that have scores.
    pub overall: Option<f64>,
}

#[derive(Default, Clone, Copy)]
struct CsiAcc {
    n: [u32; 5],
    sum: [u64; 5],
}

impl CsiAcc {
    fn add(&mut self, s: &SurveyResponse) {
        for (i, x) in s.scores.as_array().iter().enumerate() {
            if (1..=5).contains(x) {
                self.n[i] += 1;
                self.sum[i] += u64::from(*x);
            }
        }
    }

    fn finish(&self) -> Csi {
        let dimensions: Vec<DimensionCsi> = DIMENSIONS
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mean = (self.n[i] > 0).then(|| self.sum[i] as f64 / f64::from(self.n[i]));
                DimensionCsi {
                    dimension: (*d).to_owned(),
                    responses: self.n[i],
                    mean,
                    csi: mean.map(|m| (m - 1.0) / 4.0 * 100.0),
                }
            })
            .collect();
        let have: Vec<f64> = dimensions.iter().filter_map(|d| d.csi).collect();
        let overall = (!have.is_empty()).then(|| have.iter().sum::<f64>() / have.len() as f64);
        Csi {
            dimensions,
            overall,
        }
    }
}

impl Csi {
    /// The overall CSI with `weights`: Σ wᵢ·CSIᵢ / Σ wᵢ over the dimensions that have answers;
    /// `None` when no weighted dimension has answers. Equal weights give the plain mean exactly.
    pub fn weighted_overall(&self, weights: &CsiWeights) -> Option<f64> {
        if weights.all_equal() {
            let have: Vec<f64> = self.dimensions.iter().filter_map(|d| d.csi).collect();
            return (!have.is_empty()).then(|| have.iter().sum::<f64>() / have.len() as f64);
        }
        let (mut num, mut den) = (0.0, 0.0);
        for (d, w) in self.dimensions.iter().zip(weights.as_array()) {
            if let Some(c) = d.csi {
                num += w * c;
                den += w;
            }
        }
        (den > 0.0).then(|| num / den)
    }
}

/// NPS and CSI of one group or month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSatisfaction {
    /// Group id (e.g. an RFM segment id, or `none`) or month `YYYY-MM`.
    pub key: String,
    /// NPS.
    pub nps: Nps,
    /// CSI.
    pub csi: Csi,
}

/// NPS and CSI overall, by group and by month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// All responses up to the analysis date.
    pub nps: Nps,
    /// CSI of all responses.
    pub csi: Csi,
    /// Responses with an NPS answer above 10.
    pub invalid_nps: u32,
    /// By group, ascending by key.
    pub by_group: Vec<GroupSatisfaction>,
    /// By month, ascending.
    pub by_month: Vec<GroupSatisfaction>,
    /// The dimension weights of every overall CSI here.
    #[serde(default)]
    pub csi_weights: CsiWeights,
}

/// NPS and CSI of `surveys` up to `as_of`; `group_of` names each response's group.
pub fn satisfaction(
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    group_of: impl Fn(&SurveyResponse) -> String,
) -> Satisfaction {
    satisfaction_by(surveys, as_of, group_of)
}

/// [`satisfaction`] with group keys of any type that orders as its text does (e.g. `&'static str`,
/// so a survey's group is found without allocating its name).
pub(crate) fn satisfaction_by<K: Ord + Into<String>>(
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    group_of: impl Fn(&SurveyResponse) -> K,
) -> Satisfaction {
    let mut nps = Nps::default();
    let mut csi = CsiAcc::default();
    let mut invalid_nps = 0;
    let mut groups: BTreeMap<K, (Nps, CsiAcc)> = BTreeMap::new();
    let mut months: BTreeMap<(i32, u32), (Nps, CsiAcc)> = BTreeMap::new();
    for s in surveys.iter().filter(|s| s.date <= as_of) {
        if s.nps > 10 {
            invalid_nps += 1;
        }
        nps.add(s.nps);
        csi.add(s);
        let g = groups.entry(group_of(s)).or_default();
        g.0.add(s.nps);
        g.1.add(s);
        let m = months.entry((s.date.year(), s.date.month())).or_default();
        m.0.add(s.nps);
        m.1.add(s);
    }
    nps.finish();
    let done = |key: String, (mut n, c): (Nps, CsiAcc)| {
        n.finish();
        GroupSatisfaction {
            key,
            nps: n,
            csi: c.finish(),
        }
    };
    Satisfaction {
        nps,
        csi: csi.finish(),
        invalid_nps,
        by_group: groups.into_iter().map(|(k, v)| done(k.into(), v)).collect(),
        by_month: months
            .into_iter()
            .map(|((y, m), v)| done(format!("{y:04}-{m:02}"), v))
            .collect(),
        csi_weights: CsiWeights::default(),
    }
}

impl Satisfaction {
    /// Uses `weights` for every overall CSI (shop-wide, by group and by month).
    pub fn apply_csi_weights(&mut self, weights: &CsiWeights) {
        self.csi_weights = *weights;
        self.csi.overall = self.csi.weighted_overall(weights);
        for g in self.by_group.iter_mut().chain(self.by_month.iter_mut()) {
            g.csi.overall = g.csi.weighted_overall(weights);
        }
    }

    /// The worked example of the shop-wide NPS and CSI.
    pub fn explain(&self) -> Explanation {
        explain_figures(&self.nps, &self.csi, &self.csi_weights)
    }
}

/// The worked example of one set of NPS and CSI figures (the shop's, a group's or a month's):
/// the answers counted by kind, the NPS, each dimension's CSI and the weighted overall CSI.
pub fn explain_figures(nps: &Nps, csi: &Csi, weights: &CsiWeights) -> Explanation {
    let pct = |x: u32| {
        Value::Percent(if nps.responses == 0 {
            0.0
        } else {
            f64::from(x) * 100.0 / f64::from(nps.responses)
        })
    };
    let mut steps = vec![
        Step::new(
            "satisfaction.nps_counts",
            "promoters: 9–10, passives: 7–8, detractors: 0–6",
            vec![
                Term::new("promoters", Value::Int(i64::from(nps.promoters))),
                Term::new("passives", Value::Int(i64::from(nps.passives))),
                Term::new("detractors", Value::Int(i64::from(nps.detractors))),
            ],
            Term::new("responses", Value::Int(i64::from(nps.responses))),
        ),
        Step::new(
            "satisfaction.nps",
            "NPS = % promoters − % detractors",
            vec![
                Term::new("promoters_share", pct(nps.promoters)),
                Term::new("detractors_share", pct(nps.detractors)),
            ],
            Term::new("nps", nps.nps.map_or(Value::Missing, Value::Number)),
        ),
    ];
    for d in &csi.dimensions {
        steps.push(Step::new(
            &format!("satisfaction.csi_{}", d.dimension),
            "CSI = (mean − 1) / 4 × 100",
            vec![
                Term::new("responses", Value::Int(i64::from(d.responses))),
                Term::new("mean", d.mean.map_or(Value::Missing, Value::Number)),
            ],
            Term::new("csi", d.csi.map_or(Value::Missing, Value::Number)),
        ));
    }
    let weights: Vec<Term> = DIMENSIONS
        .iter()
        .zip(weights.as_array())
        .map(|(d, w)| Term::new(&format!("w_{d}"), Value::Number(w)))
        .collect();
    steps.push(Step::new(
        "satisfaction.csi_overall",
        "CSI overall = Σ wᵢ·CSIᵢ / Σ wᵢ (dimensions with answers)",
        weights.clone(),
        Term::new("csi", csi.overall.map_or(Value::Missing, Value::Number)),
    ));
    Explanation {
        method: Method::Satisfaction,
        customer_id: None,
        parameters: weights,
        steps,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn csi(values: [Option<f64>; 5]) -> Csi {
        Csi {
            dimensions: DIMENSIONS
                .iter()
                .zip(values)
                .map(|(d, c)| DimensionCsi {
                    dimension: (*d).to_owned(),
                    responses: u32::from(c.is_some()),
                    mean: c.map(|c| c / 25.0 + 1.0),
                    csi: c,
                })
                .collect(),
            overall: None,
        }
    }

    #[test]
    fn the_overall_csi_weighs_the_dimensions_that_have_answers() {
        let c = csi([Some(100.0), Some(50.0), None, Some(0.0), Some(50.0)]);
        assert_eq!(c.weighted_overall(&CsiWeights::default()), Some(50.0));
        let w = CsiWeights::from_array([3.0, 1.0, 5.0, 0.0, 1.0]);
        // (3·100 + 1·50 + 0·0 + 1·50) / (3 + 1 + 0 + 1); tangibles has no answers.
        assert_eq!(c.weighted_overall(&w), Some(80.0));
        let only_tangibles = CsiWeights::from_array([0.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(c.weighted_overall(&only_tangibles), None);
    }

    #[test]
    fn weights_are_checked() {
        assert!(CsiWeights::default().check().is_ok());
        for bad in [
            [0.0; 5],
            [-1.0, 1.0, 1.0, 1.0, 1.0],
            [f64::NAN, 1.0, 1.0, 1.0, 1.0],
        ] {
            assert!(CsiWeights::from_array(bad).check().is_err());
        }
    }
}
