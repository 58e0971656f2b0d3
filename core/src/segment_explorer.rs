//! The segment explorer: a filter over customers by their analysis results (RFM segment, lifecycle
//! stage, loyalty tier, ABC class) and their own data (tags, spend, last purchase), and the named
//! segments a user saves.
//!
//! The per-customer facts are gathered once per analysis ([`profiles`]); a filter is then one pass
//! over them ([`select`]), cheap enough to run on every change at 100,000 customers.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::analytics::abc::AbcClass;
use crate::analytics::analyze::Analysis;
use crate::analytics::customer_id::CustomerId;
use crate::analytics::lifecycle::Stage;
use crate::analytics::rfm::Segment;
use crate::model::{Customer, LoyaltyProgramme, Money, Timestamp};
use crate::points::tier_index;

/// What a segment selects. Every part is optional; parts combine with AND, and several values
/// within one part with OR. An empty filter selects every customer (archived ones only when
/// `include_archived`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SegmentFilter {
    /// RFM segments (customers without a purchase have none and never match).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rfm_segments: Vec<Segment>,
    /// Lifecycle stages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// Loyalty tiers, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// ABC classes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub abc_classes: Vec<AbcClass>,
    /// Tags (a customer with any of them matches).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Least total spend, minor units, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_min: Option<Money>,
    /// Most total spend, minor units, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_max: Option<Money>,
    /// Last purchase on or after this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_purchase_from: Option<NaiveDate>,
    /// Last purchase on or before this day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_purchase_to: Option<NaiveDate>,
    /// Archived customers are left out unless this is set.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub include_archived: bool,
}

/// A filter that cannot select anything because a range is backwards.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum FilterError {
    /// Least spend above most spend.
    #[error("the least spend ({min}) is more than the most spend ({max})")]
    SpendBackwards { min: Money, max: Money },
    /// Date range ends before it starts.
    #[error("the last-purchase range starts on {from} but ends earlier, on {to}")]
    DatesBackwards { from: NaiveDate, to: NaiveDate },
}

impl SegmentFilter {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`FilterError`] naming the backwards range.
    pub fn check(&self) -> Result<(), FilterError> {
        if let (Some(min), Some(max)) = (self.spend_min, self.spend_max) {
            if min > max {
                return Err(FilterError::SpendBackwards { min, max });
            }
        }
        if let (Some(from), Some(to)) = (self.last_purchase_from, self.last_purchase_to) {
            if from > to {
                return Err(FilterError::DatesBackwards { from, to });
            }
        }
        Ok(())
    }

    /// True when no part is set (every active customer matches).
    pub fn is_empty(&self) -> bool {
        *self == SegmentFilter::default()
    }
}

/// A segment the user named and saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SavedSegment {
    pub id: Uuid,
    pub name: String,
    pub filter: SegmentFilter,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Why a segment name is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Only spaces.
    #[error("a segment needs a name")]
    Empty,
    /// Another saved segment has it.
    #[error("a segment named \"{0}\" already exists")]
    Taken(String),
}

/// Checks a name for segment `id` (`None` for a new one) against the saved segments; returns it
/// trimmed. Names are compared without regard to case.
///
/// # Errors
/// [`NameError`] when empty or used by another segment.
pub fn check_name(
    saved: &[SavedSegment],
    id: Option<Uuid>,
    name: &str,
) -> Result<String, NameError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    let lower = name.to_lowercase();
    match saved
        .iter()
        .find(|s| Some(s.id) != id && s.name.trim().to_lowercase() == lower)
    {
        Some(other) => Err(NameError::Taken(other.name.clone())),
        None => Ok(name.to_string()),
    }
}

/// What the analysis says about one customer, in the order of the customer list it was made from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    /// R, F and M scores, `None` without a purchase.
    pub scores: Option<(u8, u8, u8)>,
    pub segment: Option<Segment>,
    pub class: Option<AbcClass>,
    pub stage: Option<Stage>,
    /// Index of the loyalty tier reached by the spend of the 12 months up to the analysis date.
    pub tier: Option<usize>,
    /// Total spend in the analysed period (refunds subtract).
    pub spend: Money,
    pub last_purchase: Option<NaiveDate>,
}

/// The profile of every customer of `customers`, position for position.
///
/// Every per-customer result of the analysis is in ascending id text, which for UUIDs is their
/// numeric order: the customers are visited in that order and each result list is walked forward
/// once, instead of searched per customer.
pub fn profiles(
    customers: &[Customer],
    analysis: &Analysis,
    programme: &LoyaltyProgramme,
) -> Vec<Profile> {
    let mut order: Vec<(u128, u32)> = customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_u128(), i as u32))
        .collect();
    order.sort_unstable();
    // ABC lists customers by revenue: put its classes in id order.
    let mut classes: Vec<(u128, AbcClass)> = analysis
        .abc
        .customers
        .iter()
        .filter_map(|c| c.customer_id.as_uuid().map(|u| (u.as_u128(), c.class)))
        .collect();
    classes.sort_unstable_by_key(|e| e.0);
    let (h, r, l) = (
        &analysis.histories.customers,
        &analysis.rfm.customers,
        &analysis.lifecycle.customers,
    );
    let (mut hi, mut ri, mut li, mut ai) = (0, 0, 0, 0);
    let mut out = vec![Profile::default(); customers.len()];
    for (u, i) in order {
        let id = CustomerId::from_uuid(Uuid::from_u128(u));
        let h = advance(h, &mut hi, &id, |x| &x.customer_id);
        let rfm = advance(r, &mut ri, &id, |x| &x.customer_id);
        let stage = advance(l, &mut li, &id, |x| &x.customer_id).map(|x| x.stage);
        while classes.get(ai).is_some_and(|e| e.0 < u) {
            ai += 1;
        }
        let class = classes.get(ai).filter(|e| e.0 == u).map(|e| e.1);
        if let Some(p) = out.get_mut(i as usize) {
            *p = Profile {
                scores: rfm.map(|r| (r.r, r.f, r.m)),
                segment: rfm.map(|r| r.segment),
                class,
                stage,
                tier: (!programme.tiers.is_empty())
                    .then(|| tier_index(programme, h.map_or(0, |h| h.revenue_12m))),
                spend: h.map_or(0, |h| h.revenue),
                last_purchase: h.and_then(|h| h.last_purchase),
            };
        }
    }
    out
}

/// The entry of `list` (ascending by id) with id `id`, moving `at` forward past smaller ids.
fn advance<'a, T>(
    list: &'a [T],
    at: &mut usize,
    id: &CustomerId,
    key: impl Fn(&T) -> &CustomerId,
) -> Option<&'a T> {
    while list.get(*at).is_some_and(|x| key(x) < id) {
        *at += 1;
    }
    list.get(*at).filter(|x| key(x) == id)
}

/// The positions in `customers` (and `profiles`, which follow it) that `filter` selects, by spend
/// descending, then position in `customers`.
pub fn select(
    customers: &[Customer],
    profiles: &[Profile],
    filter: &SegmentFilter,
    programme: &LoyaltyProgramme,
) -> Vec<u32> {
    let tiers: Vec<usize> = programme
        .tiers
        .iter()
        .enumerate()
        .filter(|(_, t)| filter.tiers.contains(&t.name))
        .map(|(i, _)| i)
        .collect();
    let any = |list_empty: bool, hit: bool| list_empty || hit;
    let mut out: Vec<u32> = customers
        .iter()
        .zip(profiles)
        .enumerate()
        .filter(|(_, (c, p))| {
            (filter.include_archived || !c.archived)
                && any(
                    filter.rfm_segments.is_empty(),
                    p.segment.is_some_and(|s| filter.rfm_segments.contains(&s)),
                )
                && any(
                    filter.stages.is_empty(),
                    p.stage.is_some_and(|s| filter.stages.contains(&s)),
                )
                && any(
                    filter.tiers.is_empty(),
                    p.tier.is_some_and(|t| tiers.contains(&t)),
                )
                && any(
                    filter.abc_classes.is_empty(),
                    p.class.is_some_and(|k| filter.abc_classes.contains(&k)),
                )
                && any(
                    filter.tags.is_empty(),
                    c.tags.iter().any(|t| filter.tags.contains(t)),
                )
                && filter.spend_min.is_none_or(|m| p.spend >= m)
                && filter.spend_max.is_none_or(|m| p.spend <= m)
                && filter
                    .last_purchase_from
                    .is_none_or(|d| p.last_purchase.is_some_and(|l| l >= d))
                && filter
                    .last_purchase_to
                    .is_none_or(|d| p.last_purchase.is_some_and(|l| l <= d))
        })
        .map(|(i, _)| i as u32)
        .collect();
    out.sort_unstable_by_key(|&i| {
        (
            std::cmp::Reverse(profiles.get(i as usize).map_or(0, |p| p.spend)),
            i,
        )
    });
    out
}

/// Total spend of the selected positions.
pub fn revenue(profiles: &[Profile], selected: &[u32]) -> Money {
    selected
        .iter()
        .filter_map(|&i| profiles.get(i as usize))
        .fold(0, |s: Money, p| s.saturating_add(p.spend))
}

/// The customers of `selected` with `tag` added, `updated_at` set to `now`; those who already have
/// it are left out.
pub fn with_tag(
    customers: &[Customer],
    selected: &[u32],
    tag: &str,
    now: Timestamp,
) -> Vec<Customer> {
    selected
        .iter()
        .filter_map(|&i| customers.get(i as usize))
        .filter(|c| !c.tags.iter().any(|t| t == tag))
        .map(|c| {
            let mut c = c.clone();
            c.tags.push(tag.to_string());
            c.updated_at = now;
            c
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analytics::analyze::analyze;
    use crate::demo::{generate, DemoSize};
    use crate::model::AnalysisSettings;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn setup() -> (crate::Dataset, Analysis, Vec<Profile>) {
        let as_of = day("2026-11-22");
        let data = generate(DemoSize::Small, 7, as_of);
        let a = analyze(&data, as_of, &AnalysisSettings::default()).unwrap();
        let p = profiles(&data.customers, &a, &data.loyalty);
        (data, a, p)
    }

    #[test]
    fn profiles_hold_each_customers_own_results() {
        let (data, a, p) = setup();
        // Shuffled customer order: profiles still follow the list position for position.
        let mut customers = data.customers.clone();
        customers.reverse();
        let p2 = profiles(&customers, &a, &data.loyalty);
        assert_eq!(p2.len(), customers.len());
        for (c, got) in customers.iter().zip(&p2) {
            let id = c.id.to_string();
            let h = a.histories.get(&id).unwrap();
            let r = a.rfm.customer(&id);
            assert_eq!(got.spend, h.revenue);
            assert_eq!(got.last_purchase, h.last_purchase);
            assert_eq!(got.scores, r.map(|r| (r.r, r.f, r.m)));
            assert_eq!(got.segment, r.map(|r| r.segment));
            assert_eq!(got.stage, a.lifecycle.customer(&id).map(|l| l.stage));
            assert_eq!(got.class, a.abc.customer(&id).map(|x| x.class));
            assert_eq!(got.tier, Some(tier_index(&data.loyalty, h.revenue_12m)));
        }
        assert!(p.iter().any(|x| x.class == Some(AbcClass::A)));
        assert!(p.iter().any(|x| x.segment.is_none()) && p.iter().any(|x| x.segment.is_some()));
    }

    #[test]
    fn an_empty_filter_selects_every_active_customer_best_first() {
        let (data, _, p) = setup();
        let all = select(
            &data.customers,
            &p,
            &SegmentFilter::default(),
            &data.loyalty,
        );
        let active = data.customers.iter().filter(|c| !c.archived).count();
        assert_eq!(all.len(), active);
        assert!(all
            .windows(2)
            .all(|w| p[w[0] as usize].spend >= p[w[1] as usize].spend));
        let with_archived = SegmentFilter {
            include_archived: true,
            ..SegmentFilter::default()
        };
        assert_eq!(
            select(&data.customers, &p, &with_archived, &data.loyalty).len(),
            data.customers.len()
        );
    }

    #[test]
    fn segment_counts_agree_with_the_rfm_summary() {
        let (data, a, p) = setup();
        for s in &a.rfm.segments {
            let f = SegmentFilter {
                rfm_segments: vec![s.segment],
                include_archived: true,
                ..SegmentFilter::default()
            };
            let got = select(&data.customers, &p, &f, &data.loyalty);
            assert_eq!(got.len() as u32, s.customers, "{:?}", s.segment);
            assert_eq!(revenue(&p, &got), s.revenue, "{:?}", s.segment);
        }
    }

    #[test]
    fn parts_combine_with_and_values_with_or() {
        let (data, _, p) = setup();
        let sel = |f: &SegmentFilter| select(&data.customers, &p, f, &data.loyalty);
        let a = SegmentFilter {
            abc_classes: vec![AbcClass::A],
            ..SegmentFilter::default()
        };
        let b = SegmentFilter {
            abc_classes: vec![AbcClass::B],
            ..SegmentFilter::default()
        };
        let ab = SegmentFilter {
            abc_classes: vec![AbcClass::A, AbcClass::B],
            ..SegmentFilter::default()
        };
        assert!(!sel(&a).is_empty() && !sel(&b).is_empty());
        assert_eq!(sel(&ab).len(), sel(&a).len() + sel(&b).len());
        // AND: class A and a spend floor is a subset of both.
        let floor = p[sel(&a)[0] as usize].spend / 2;
        let a_rich = SegmentFilter {
            spend_min: Some(floor),
            ..a.clone()
        };
        let rich = SegmentFilter {
            spend_min: Some(floor),
            ..SegmentFilter::default()
        };
        let both = sel(&a_rich);
        assert!(both
            .iter()
            .all(|i| sel(&a).contains(i) && sel(&rich).contains(i)));
        for i in sel(&a) {
            if sel(&rich).contains(&i) {
                assert!(both.contains(&i));
            }
        }
    }

    #[test]
    fn tags_tiers_stages_and_ranges_filter_as_stated() {
        let (data, _, p) = setup();
        let sel = |f: &SegmentFilter| select(&data.customers, &p, f, &data.loyalty);
        let tag = data
            .customers
            .iter()
            .find_map(|c| c.tags.first().cloned())
            .unwrap();
        let tagged = sel(&SegmentFilter {
            tags: vec![tag.clone()],
            ..SegmentFilter::default()
        });
        assert!(!tagged.is_empty());
        assert!(tagged
            .iter()
            .all(|&i| data.customers[i as usize].tags.contains(&tag)));

        let top = data.loyalty.tiers[0].name.clone();
        let lowest = sel(&SegmentFilter {
            tiers: vec![top],
            ..SegmentFilter::default()
        });
        assert!(lowest.iter().all(|&i| p[i as usize].tier == Some(0)));
        assert!(!lowest.is_empty());

        let potential = sel(&SegmentFilter {
            stages: vec![Stage::Potential],
            ..SegmentFilter::default()
        });
        assert!(potential
            .iter()
            .all(|&i| p[i as usize].last_purchase.is_none() && p[i as usize].segment.is_none()));

        let (from, to) = (day("2026-10-01"), day("2026-10-31"));
        let october = sel(&SegmentFilter {
            last_purchase_from: Some(from),
            last_purchase_to: Some(to),
            ..SegmentFilter::default()
        });
        assert!(!october.is_empty());
        assert!(october.iter().all(|&i| p[i as usize]
            .last_purchase
            .is_some_and(|d| (from..=to).contains(&d))));

        let spend = sel(&SegmentFilter {
            spend_min: Some(10_000),
            spend_max: Some(50_000),
            ..SegmentFilter::default()
        });
        assert!(spend
            .iter()
            .all(|&i| (10_000..=50_000).contains(&p[i as usize].spend)));
    }

    #[test]
    fn backwards_ranges_and_bad_names_are_refused() {
        let f = SegmentFilter {
            spend_min: Some(5),
            spend_max: Some(4),
            ..SegmentFilter::default()
        };
        assert_eq!(
            f.check(),
            Err(FilterError::SpendBackwards { min: 5, max: 4 })
        );
        let f = SegmentFilter {
            last_purchase_from: Some(day("2026-02-01")),
            last_purchase_to: Some(day("2026-01-01")),
            ..SegmentFilter::default()
        };
        assert!(f.check().unwrap_err().to_string().contains("2026-02-01"));
        assert!(SegmentFilter::default().check().is_ok());

        let at: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let saved = vec![SavedSegment {
            id: Uuid::from_u128(1),
            name: "VIP 大客户".into(),
            filter: SegmentFilter::default(),
            created_at: at,
            updated_at: at,
        }];
        assert_eq!(check_name(&saved, None, "  "), Err(NameError::Empty));
        assert_eq!(
            check_name(&saved, None, "vip 大客户"),
            Err(NameError::Taken("VIP 大客户".into()))
        );
        assert_eq!(
            check_name(&saved, Some(Uuid::from_u128(1)), " vip 大客户 ").as_deref(),
            Ok("vip 大客户")
        );
        assert_eq!(check_name(&saved, None, "Lapsed").as_deref(), Ok("Lapsed"));
    }

    #[test]
    fn a_filter_round_trips_and_an_empty_one_is_written_small() {
        assert_eq!(
            serde_json::to_string(&SegmentFilter::default()).unwrap(),
            "{}"
        );
        let f = SegmentFilter {
            rfm_segments: vec![Segment::AtRisk, Segment::CantLoseThem],
            stages: vec![Stage::AtRisk],
            tiers: vec!["金卡 Gold".into()],
            abc_classes: vec![AbcClass::A],
            tags: vec!["VIP".into()],
            spend_min: Some(100),
            spend_max: None,
            last_purchase_from: None,
            last_purchase_to: Some(day("2026-06-30")),
            include_archived: true,
        };
        let json = serde_json::to_string(&f).unwrap();
        assert!(
            json.contains(r#""rfm_segments":["at_risk","cant_lose_them"]"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<SegmentFilter>(&json).unwrap(), f);
    }

    #[test]
    fn tagging_skips_those_who_have_the_tag() {
        let (data, _, p) = setup();
        let all = select(
            &data.customers,
            &p,
            &SegmentFilter::default(),
            &data.loyalty,
        );
        let at: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let tagged = with_tag(&data.customers, &all, "回访", at);
        assert_eq!(tagged.len(), all.len());
        assert!(tagged
            .iter()
            .all(|c| c.tags.last().map(String::as_str) == Some("回访") && c.updated_at == at));
        let mut after = data.customers.clone();
        for c in tagged {
            if let Some(x) = after.iter_mut().find(|x| x.id == c.id) {
                *x = c;
            }
        }
        assert!(with_tag(&after, &all, "回访", at).is_empty());
    }
}
