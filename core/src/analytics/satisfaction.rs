//! Satisfaction: NPS and CSI.
//!
//! * **NPS** = % promoters (answers 9–10) − % detractors (0–6) over the responses, −100…100;
//!   passives (7–8) count in the total only. Every response counts (a customer who answered twice
//!   counts twice); answers above 10 are invalid and skipped. `None` with no valid answer.
//! * **CSI** per dimension (reliability 可信度, professionalism 专业度, tangibles 有形度, empathy 同理度,
//!   responsiveness 反应度) = (mean score − 1) / 4 × 100, mapping the 1–5 scale onto 0–100; scores
//!   outside 1–5 are skipped. Overall CSI = the mean of the dimension CSIs that have answers.
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
}

/// NPS and CSI of `surveys` up to `as_of`; `group_of` names each response's group.
pub fn satisfaction(
    surveys: &[SurveyResponse],
    as_of: NaiveDate,
    group_of: impl Fn(&SurveyResponse) -> String,
) -> Satisfaction {
    let mut nps = Nps::default();
    let mut csi = CsiAcc::default();
    let mut invalid_nps = 0;
    let mut groups: BTreeMap<String, (Nps, CsiAcc)> = BTreeMap::new();
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
        by_group: groups.into_iter().map(|(k, v)| done(k, v)).collect(),
        by_month: months
            .into_iter()
            .map(|((y, m), v)| done(format!("{y:04}-{m:02}"), v))
            .collect(),
    }
}

impl Satisfaction {
    /// The worked example of the shop-wide NPS and CSI.
    pub fn explain(&self) -> Explanation {
        let pct = |x: u32| {
            Value::Percent(if self.nps.responses == 0 {
                0.0
            } else {
                f64::from(x) * 100.0 / f64::from(self.nps.responses)
            })
        };
        let mut steps = vec![
            Step::new(
                "satisfaction.nps_counts",
                "promoters: 9–10, passives: 7–8, detractors: 0–6",
                vec![
                    Term::new("promoters", Value::Int(i64::from(self.nps.promoters))),
                    Term::new("passives", Value::Int(i64::from(self.nps.passives))),
                    Term::new("detractors", Value::Int(i64::from(self.nps.detractors))),
                ],
                Term::new("responses", Value::Int(i64::from(self.nps.responses))),
            ),
            Step::new(
                "satisfaction.nps",
                "NPS = % promoters − % detractors",
                vec![
                    Term::new("promoters_share", pct(self.nps.promoters)),
                    Term::new("detractors_share", pct(self.nps.detractors)),
                ],
                Term::new("nps", self.nps.nps.map_or(Value::Missing, Value::Number)),
            ),
        ];
        for d in &self.csi.dimensions {
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
        steps.push(Step::new(
            "satisfaction.csi_overall",
            "CSI overall = mean of the dimension CSIs",
            vec![],
            Term::new(
                "csi",
                self.csi.overall.map_or(Value::Missing, Value::Number),
            ),
        ));
        Explanation {
            method: Method::Satisfaction,
            customer_id: None,
            parameters: vec![],
            steps,
        }
    }
}
