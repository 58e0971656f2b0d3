//! Loyalty: the distribution of the 0–100 loyalty score, the loyalty quadrant (behaviour ×
//! attitude: the course's four loyalty types with the strategy for each), the customers per tier
//! of the points programme, the weights (applied at once and saved) and the teaching panel.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::Method;
use kehu_core::analytics::loyalty::LoyaltyQuadrant;
use kehu_core::points::{tier_index, window_start};
use kehu_core::Money;

use super::super::chart::{Bar, ChartFrame, RowChart, WIDTH};
use super::super::method_page;
use super::super::teach::{Teach, TeachState};
use super::{histogram, number_field};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::money_in;
use crate::state::{use_app, AppState};

/// Most points the quadrant chart draws; with more customers every k-th is drawn.
const MAX_POINTS: usize = 1500;

/// The name of a loyalty type.
pub fn quadrant_key(q: LoyaltyQuadrant) -> Key {
    match q {
        LoyaltyQuadrant::True => Key::SalesQuadrantTrue,
        LoyaltyQuadrant::Latent => Key::SalesQuadrantLatent,
        LoyaltyQuadrant::Spurious => Key::SalesQuadrantSpurious,
        LoyaltyQuadrant::None => Key::SalesQuadrantNone,
    }
}

/// The course's strategy for a loyalty type.
fn strategy_key(q: LoyaltyQuadrant) -> Key {
    match q {
        LoyaltyQuadrant::True => Key::ValueStrategyTrue,
        LoyaltyQuadrant::Latent => Key::ValueStrategyLatent,
        LoyaltyQuadrant::Spurious => Key::ValueStrategySpurious,
        LoyaltyQuadrant::None => Key::ValueStrategyNone,
    }
}

/// The loyalty page.
#[component]
pub fn LoyaltyAnalyticsPage() -> impl IntoView {
    let teach = TeachState::new();
    method_page(
        "loyalty-analytics-page",
        Key::ValueLoyaltyTitle,
        "loyalty",
        export_rows,
        view! { <LoyaltyParams/> },
        move |a| view! { <LoyaltyBody a=a teach=teach/> },
    )
}

/// One row per customer: the scores, the quadrant and the tier.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let names = crate::pages::insight::customer_names(app);
    let mut out = vec![[
        Key::InsightColCustomer,
        Key::InsightColId,
        Key::ValueColScore,
        Key::SalesTermBehaviour,
        Key::SalesTermAttitude,
        Key::SalesTermQuadrant,
    ]
    .iter()
    .map(|k| i18n.t(*k).to_string())
    .collect::<Vec<_>>()];
    for c in &a.loyalty.customers {
        out.push(vec![
            names.get(&c.customer_id).cloned().unwrap_or_default(),
            c.customer_id.to_string(),
            format!("{:.1}", c.score),
            format!("{:.1}", c.behaviour),
            c.attitude.map(|x| format!("{x:.1}")).unwrap_or_default(),
            c.quadrant
                .map(|q| i18n.t(quadrant_key(q)).to_string())
                .unwrap_or_default(),
        ]);
    }
    out
}

/// The weights of the score's components and the lines that split the quadrant.
#[component]
fn LoyaltyParams() -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    fn weight(i18n: I18n, x: f64) -> Result<f64, String> {
        if x >= 0.0 {
            Ok(x)
        } else {
            Err(i18n.tf(Key::ValueWeightNegative, &[("value", &x.to_string())]))
        }
    }
    fn line(i18n: I18n, x: f64) -> Result<f64, String> {
        if (0.0..=100.0).contains(&x) {
            Ok(x)
        } else {
            Err(i18n.tf(Key::ValueLineRange, &[("value", &x.to_string())]))
        }
    }
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                {number_field("loy-w-repeat", "loy-err", Key::SalesTermWRepeat, |s| s.loyalty_weights.repeat, weight, |s, x| s.loyalty_weights.repeat = x, error)}
                {number_field("loy-w-regularity", "loy-err", Key::SalesTermWRegularity, |s| s.loyalty_weights.regularity, weight, |s, x| s.loyalty_weights.regularity = x, error)}
                {number_field("loy-w-tenure", "loy-err", Key::SalesTermWTenure, |s| s.loyalty_weights.tenure, weight, |s, x| s.loyalty_weights.tenure = x, error)}
                {number_field("loy-w-recency", "loy-err", Key::SalesTermWRecency, |s| s.loyalty_weights.recency, weight, |s, x| s.loyalty_weights.recency = x, error)}
                {number_field("loy-w-categories", "loy-err", Key::SalesTermWCategories, |s| s.loyalty_weights.categories, weight, |s, x| s.loyalty_weights.categories = x, error)}
                {number_field("loy-w-referrals", "loy-err", Key::SalesTermWReferrals, |s| s.loyalty_weights.referrals, weight, |s, x| s.loyalty_weights.referrals = x, error)}
                {number_field("loy-w-nps", "loy-err", Key::SalesTermWNps, |s| s.loyalty_weights.nps, weight, |s, x| s.loyalty_weights.nps = x, error)}
                {number_field("loy-w-satisfaction", "loy-err", Key::SalesTermWSatisfaction, |s| s.loyalty_weights.satisfaction, weight, |s, x| s.loyalty_weights.satisfaction = x, error)}
                {number_field("loy-behaviour-high", "loy-err", Key::SalesTermBehaviourHighAt, |s| s.loyalty_weights.behaviour_high_at, line, |s, x| s.loyalty_weights.behaviour_high_at = x, error)}
                {number_field("loy-attitude-high", "loy-err", Key::SalesTermAttitudeHighAt, |s| s.loyalty_weights.attitude_high_at, line, |s, x| s.loyalty_weights.attitude_high_at = x, error)}
            </div>
            <p class="help">{move || i18n.t(Key::ValueLoyaltyParamsHelp)}</p>
            <p class="error" id="loy-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Customers per tier of the programme, by rolling 12-month spend up to the end of `as_of`:
/// (tier name, threshold, customers), lowest tier first. Archived customers are left out.
fn tier_counts(app: AppState, as_of: chrono::NaiveDate) -> Vec<(String, Money, u32)> {
    let at = as_of
        .succ_opt()
        .unwrap_or(as_of)
        .and_time(chrono::NaiveTime::MIN);
    let start = window_start(at);
    let mut spend: HashMap<Uuid, Money> = HashMap::new();
    app.data.orders.with_untracked(|os| {
        for o in os.iter().filter(|o| o.date >= start && o.date < at) {
            let e = spend.entry(o.customer_id).or_default();
            *e = e.saturating_add(o.amount);
        }
    });
    let programme = app.data.loyalty.get_untracked();
    let mut counts = vec![0u32; programme.tiers.len()];
    app.data.customers.with_untracked(|cs| {
        for c in cs.iter().filter(|c| !c.archived) {
            let i = tier_index(&programme, spend.get(&c.id).copied().unwrap_or(0));
            if let Some(n) = counts.get_mut(i) {
                *n += 1;
            }
        }
    });
    let mut out: Vec<(String, Money, u32)> = programme
        .tiers
        .iter()
        .zip(counts)
        .map(|(t, n)| (t.name.clone(), t.threshold, n))
        .collect();
    out.sort_by_key(|t| t.1);
    out
}

/// Score histogram, quadrant, tiers and the teaching panel for one analysis.
#[component]
fn LoyaltyBody(a: Arc<Analysis>, teach: TeachState) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let l = &a.loyalty;
    let w = l.weights;
    // Score distribution in ten bins.
    let h = histogram(l.customers.iter().map(|c| c.score), 10, 0.0, 100.0);
    let bars: Vec<Bar> = h
        .iter()
        .enumerate()
        .map(|(i, n)| Bar {
            label: format!("{}–{}", i * 10, (i + 1) * 10),
            value: f64::from(*n),
            text: n.to_string(),
        })
        .collect();
    let score_title = i18n.t(Key::ValueScoreTitle).to_string();
    let score_desc = i18n.tf(
        Key::ValueScoreDesc,
        &[
            ("customers", &l.customers.len().to_string()),
            ("mean", &format!("{:.1}", l.mean_score)),
        ],
    );
    let score_rows = bars
        .iter()
        .map(|b| vec![b.label.clone(), b.text.clone()])
        .collect();
    // Quadrants.
    let count = |q: LoyaltyQuadrant| {
        l.quadrants
            .iter()
            .find(|s| s.quadrant == q)
            .map_or(0, |s| s.customers)
    };
    let quad_title = i18n.t(Key::ValueQuadrantTitle).to_string();
    let quad_rows: Vec<Vec<String>> = LoyaltyQuadrant::ALL
        .iter()
        .map(|&q| {
            vec![
                i18n.t(quadrant_key(q)).to_string(),
                count(q).to_string(),
                i18n.t(strategy_key(q)).to_string(),
            ]
        })
        .collect();
    let surveyed: Vec<(f64, f64)> = l
        .customers
        .iter()
        .filter_map(|c| c.attitude.map(|at| (c.behaviour, at)))
        .collect();
    let quad_desc = i18n.tf(
        Key::ValueQuadrantDesc,
        &[
            ("surveyed", &surveyed.len().to_string()),
            ("without", &l.without_survey.to_string()),
            ("true", &count(LoyaltyQuadrant::True).to_string()),
            ("latent", &count(LoyaltyQuadrant::Latent).to_string()),
            ("spurious", &count(LoyaltyQuadrant::Spurious).to_string()),
            ("none", &count(LoyaltyQuadrant::None).to_string()),
        ],
    );
    let counts: Vec<u32> = LoyaltyQuadrant::ALL.iter().map(|&q| count(q)).collect();
    // Tiers.
    let tiers = tier_counts(app, a.as_of);
    let tier_title = i18n.t(Key::ValueTierTitle).to_string();
    let tier_bars: Vec<Bar> = tiers
        .iter()
        .map(|(name, _, n)| Bar {
            label: name.clone(),
            value: f64::from(*n),
            text: n.to_string(),
        })
        .collect();
    let tier_rows = tiers
        .iter()
        .map(|(name, threshold, n)| vec![name.clone(), money_in(app, *threshold), n.to_string()])
        .collect();
    let tier_desc = i18n.tf(
        Key::ValueTierDesc,
        &[
            ("tiers", &tiers.len().to_string()),
            (
                "customers",
                &tiers.iter().map(|t| t.2).sum::<u32>().to_string(),
            ),
        ],
    );
    // The teaching panel offers the most loyal first.
    let mut ids: Vec<(f64, String)> = l
        .customers
        .iter()
        .filter(|c| c.score > 0.0)
        .map(|c| (c.score, c.customer_id.to_string()))
        .collect();
    ids.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let ids: Vec<String> = ids.into_iter().map(|(_, id)| id).collect();
    let as_of = a.as_of.to_string();
    view! {
        <p class="help">
            {i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}" · "
            {i18n.tf(Key::ValueMeanScore, &[("mean", &format!("{:.1}", l.mean_score))])}
        </p>
        <div class="charts">
            <ChartFrame
                id="chart-score"
                title=score_title.clone()
                headers=vec![i18n.t(Key::ValueColScore).to_string(), i18n.t(Key::InsightColCustomers).to_string()]
                rows=score_rows
            >
                <RowChart
                    id="chart-score"
                    title=score_title
                    desc=score_desc
                    y_label=i18n.t(Key::ValueColScore).to_string()
                    x_label=i18n.t(Key::InsightColCustomers).to_string()
                    bars=bars
                />
            </ChartFrame>
            <ChartFrame
                id="chart-quadrant"
                title=quad_title.clone()
                headers=vec![
                    i18n.t(Key::SalesTermQuadrant).to_string(),
                    i18n.t(Key::InsightColCustomers).to_string(),
                    i18n.t(Key::ValueColStrategy).to_string(),
                ]
                rows=quad_rows
            >
                <Quadrant
                    title=quad_title
                    desc=quad_desc
                    points=surveyed
                    counts=counts
                    behaviour_high=w.behaviour_high_at
                    attitude_high=w.attitude_high_at
                />
            </ChartFrame>
        </div>
        <section class="card quadrant-types">
            <h2>{i18n.t(Key::ValueTypesTitle)}</h2>
            <ul class="types">
                {LoyaltyQuadrant::ALL
                    .iter()
                    .map(|&q| view! {
                        <li class=format!("type-{}", q.id())>
                            <strong>{i18n.t(quadrant_key(q))}</strong>
                            " · "{i18n.tf(Key::ValueNCustomers, &[("n", &count(q).to_string())])}
                            <p>{i18n.t(strategy_key(q))}</p>
                        </li>
                    })
                    .collect_view()}
            </ul>
            <p class="help">{i18n.tf(Key::ValueWithoutSurvey, &[("n", &l.without_survey.to_string())])}</p>
        </section>
        <div class="charts">
            <ChartFrame
                id="chart-tiers"
                title=tier_title.clone()
                headers=vec![
                    i18n.t(Key::ValueColTier).to_string(),
                    i18n.t(Key::ValueColThreshold).to_string(),
                    i18n.t(Key::InsightColCustomers).to_string(),
                ]
                rows=tier_rows
            >
                <RowChart
                    id="chart-tiers"
                    title=tier_title
                    desc=tier_desc
                    y_label=i18n.t(Key::ValueColTier).to_string()
                    x_label=i18n.t(Key::InsightColCustomers).to_string()
                    bars=tier_bars
                />
            </ChartFrame>
        </div>
        <Teach method=Method::Loyalty formula=Key::ValueLoyaltyFormula a=a.clone() ids=ids state=teach/>
    }
}

/// The loyalty quadrant: behaviour score across, attitude score up, the two split lines, each
/// surveyed customer as a dot, and each quadrant's name and count.
#[component]
fn Quadrant(
    title: String,
    desc: String,
    points: Vec<(f64, f64)>,
    counts: Vec<u32>,
    behaviour_high: f64,
    attitude_high: f64,
) -> impl IntoView {
    let i18n = use_i18n();
    let (left, top, w, h) = (36.0, 16.0, WIDTH - 36.0 - 8.0, 240.0);
    let height = top + h + 36.0;
    let x = move |b: f64| left + w * b.clamp(0.0, 100.0) / 100.0;
    let y = move |a: f64| top + h - h * a.clamp(0.0, 100.0) / 100.0;
    let step = points.len().div_ceil(MAX_POINTS).max(1);
    let dots = points
        .iter()
        .step_by(step)
        .map(|(b, a)| view! { <circle class="dot" cx=format!("{:.1}", x(*b)) cy=format!("{:.1}", y(*a)) r="2.5"/> })
        .collect_view();
    let n = |i: usize| counts.get(i).copied().unwrap_or(0);
    // Labels in the corners: true top right, latent top left, spurious bottom right, none bottom left.
    let label = move |q: LoyaltyQuadrant, i: usize, right: bool, upper: bool| {
        let lx = if right { left + w - 4.0 } else { left + 4.0 };
        let ly = if upper { top + 12.0 } else { top + h - 6.0 };
        let anchor = if right { "end" } else { "start" };
        view! {
            <text class="quadrant-label" x=lx y=ly text-anchor=anchor>
                {format!("{} ({})", i18n.t(quadrant_key(q)), n(i))}
            </text>
        }
    };
    view! {
        <svg
            class="chart-drawing quadrant"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby="chart-quadrant-title chart-quadrant-desc"
        >
            <title id="chart-quadrant-title">{title}</title>
            <desc id="chart-quadrant-desc">{desc}</desc>
            <rect class="plot" x=left y=top width=w height=h/>
            <line class="threshold" x1=x(behaviour_high) y1=top x2=x(behaviour_high) y2=top + h/>
            <line class="threshold" x1=left y1=y(attitude_high) x2=left + w y2=y(attitude_high)/>
            {dots}
            {label(LoyaltyQuadrant::True, 0, true, true)}
            {label(LoyaltyQuadrant::Latent, 1, false, true)}
            {label(LoyaltyQuadrant::Spurious, 2, true, false)}
            {label(LoyaltyQuadrant::None, 3, false, false)}
            <text class="tick" x=left - 4.0 y=top + h text-anchor="end">"0"</text>
            <text class="tick" x=left - 4.0 y=top + 8.0 text-anchor="end">"100"</text>
            <text class="tick" x=left + w y=top + h + 12.0 text-anchor="end">"100"</text>
            <text class="axis-label" x=left + w / 2.0 y=height - 4.0 text-anchor="middle">{i18n.t(Key::ValueAxisBehaviour)}</text>
            <text class="axis-label" x="0" y="10">{i18n.t(Key::ValueAxisAttitude)}</text>
        </svg>
    }
}
