//! Satisfaction: NPS over time (promoters, passives and detractors by month), the CSI of each of
//! the five dimensions with the weights in force (applied at once and saved), the overall CSI, and
//! a teaching panel that computes NPS and CSI from the responses of the whole shop or of a month.

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::Method;
use kehu_core::analytics::satisfaction::{explain_figures, Nps, DIMENSIONS};

use super::super::chart::{Bar, ChartFrame, RowChart};
use super::super::method_page;
use super::{dimension_key, number_field, steps_view};
use crate::i18n::{use_i18n, I18n, Key};
use crate::state::AppState;

/// Months the NPS chart shows at most (the latest with answers).
const MONTHS: usize = 12;

/// The satisfaction page.
#[component]
pub fn SatisfactionPage() -> impl IntoView {
    let month = RwSignal::new(String::new());
    method_page(
        "satisfaction-page",
        Key::ValueSatisfactionTitle,
        "satisfaction",
        export_rows,
        view! { <SatisfactionParams/> },
        move |a| view! { <SatisfactionBody a=a month=month/> },
    )
}

fn nps_text(n: &Nps) -> String {
    n.nps
        .map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "—".into())
}

fn opt1(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into())
}

/// One row per month: the NPS counts, NPS, each dimension's CSI and the overall CSI.
fn export_rows(i18n: I18n, _app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let mut head: Vec<String> = [
        Key::InsightColMonth,
        Key::ValueTermResponses,
        Key::ValueTermPromoters,
        Key::ValueTermPassives,
        Key::ValueTermDetractors,
        Key::ValueColNps,
    ]
    .iter()
    .map(|k| i18n.t(*k).to_string())
    .collect();
    for d in DIMENSIONS {
        head.push(format!("CSI {}", i18n.t(dimension_key(d))));
    }
    head.push(i18n.t(Key::ValueCsiOverall).to_string());
    let mut out = vec![head];
    for m in &a.satisfaction.by_month {
        let mut row = vec![
            m.key.clone(),
            m.nps.responses.to_string(),
            m.nps.promoters.to_string(),
            m.nps.passives.to_string(),
            m.nps.detractors.to_string(),
            m.nps.nps.map(|x| format!("{x:.2}")).unwrap_or_default(),
        ];
        for d in &m.csi.dimensions {
            row.push(d.csi.map(|x| format!("{x:.2}")).unwrap_or_default());
        }
        row.push(m.csi.overall.map(|x| format!("{x:.2}")).unwrap_or_default());
        out.push(row);
    }
    out
}

/// The five CSI weights.
#[component]
fn SatisfactionParams() -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    fn weight(i18n: I18n, x: f64) -> Result<f64, String> {
        if x >= 0.0 {
            Ok(x)
        } else {
            Err(i18n.tf(Key::ValueWeightNegative, &[("value", &x.to_string())]))
        }
    }
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::ValueCsiWeights)}</h2>
            <div class="param-grid">
                {number_field("csi-w-reliability", "csi-err", Key::ValueWReliability, |s| s.csi_weights.reliability, weight, |s, x| s.csi_weights.reliability = x, error)}
                {number_field("csi-w-professionalism", "csi-err", Key::ValueWProfessionalism, |s| s.csi_weights.professionalism, weight, |s, x| s.csi_weights.professionalism = x, error)}
                {number_field("csi-w-tangibles", "csi-err", Key::ValueWTangibles, |s| s.csi_weights.tangibles, weight, |s, x| s.csi_weights.tangibles = x, error)}
                {number_field("csi-w-empathy", "csi-err", Key::ValueWEmpathy, |s| s.csi_weights.empathy, weight, |s, x| s.csi_weights.empathy = x, error)}
                {number_field("csi-w-responsiveness", "csi-err", Key::ValueWResponsiveness, |s| s.csi_weights.responsiveness, weight, |s, x| s.csi_weights.responsiveness = x, error)}
            </div>
            <p class="help">{move || i18n.t(Key::ValueCsiWeightsHelp)}</p>
            <p class="error" id="csi-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Figures, charts and the teaching panel for one analysis.
#[component]
fn SatisfactionBody(a: Arc<Analysis>, month: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let s = &a.satisfaction;
    let weights = s.csi_weights;
    let total: f64 = weights.as_array().iter().sum();
    // NPS by month: the latest months with answers.
    let months: Vec<_> = s
        .by_month
        .iter()
        .filter(|m| m.nps.responses > 0)
        .cloned()
        .collect();
    let recent = &months[months.len().saturating_sub(MONTHS)..];
    let nps_bars: Vec<Bar> = recent
        .iter()
        .map(|m| Bar {
            label: m.key.clone(),
            value: m.nps.nps.unwrap_or(0.0),
            text: nps_text(&m.nps),
        })
        .collect();
    let nps_rows = recent
        .iter()
        .map(|m| {
            vec![
                m.key.clone(),
                m.nps.promoters.to_string(),
                m.nps.passives.to_string(),
                m.nps.detractors.to_string(),
                m.nps.responses.to_string(),
                nps_text(&m.nps),
            ]
        })
        .collect();
    let nps_title = i18n.t(Key::ValueNpsTitle).to_string();
    let nps_desc = i18n.tf(
        Key::ValueNpsDesc,
        &[
            ("months", &recent.len().to_string()),
            (
                "first",
                &recent.first().map(|m| m.key.clone()).unwrap_or_default(),
            ),
            (
                "last",
                &recent.last().map(|m| m.key.clone()).unwrap_or_default(),
            ),
            ("nps", &nps_text(&s.nps)),
        ],
    );
    // CSI per dimension.
    let csi_bars: Vec<Bar> = s
        .csi
        .dimensions
        .iter()
        .map(|d| Bar {
            label: i18n.t(dimension_key(&d.dimension)).to_string(),
            value: d.csi.unwrap_or(0.0),
            text: opt1(d.csi),
        })
        .collect();
    let csi_rows = s
        .csi
        .dimensions
        .iter()
        .zip(weights.as_array())
        .map(|(d, w)| {
            vec![
                i18n.t(dimension_key(&d.dimension)).to_string(),
                format!("{w}"),
                if total > 0.0 {
                    format!("{:.1}%", w / total * 100.0)
                } else {
                    "—".into()
                },
                d.responses.to_string(),
                d.mean
                    .map(|m| format!("{m:.2}"))
                    .unwrap_or_else(|| "—".into()),
                opt1(d.csi),
            ]
        })
        .collect();
    let csi_title = i18n.t(Key::ValueCsiTitle).to_string();
    let csi_desc = i18n.tf(Key::ValueCsiDesc, &[("overall", &opt1(s.csi.overall))]);
    let as_of = a.as_of.to_string();
    let month_keys: Vec<String> = months.iter().rev().map(|m| m.key.clone()).collect();
    let all = a.clone();
    let example = move || {
        let chosen = month.get();
        let (title, e) = match all
            .satisfaction
            .by_month
            .iter()
            .find(|m| !chosen.is_empty() && m.key == chosen)
        {
            Some(m) => (
                i18n.tf(Key::ValueExampleMonth, &[("month", &m.key)]),
                explain_figures(&m.nps, &m.csi, &all.satisfaction.csi_weights),
            ),
            None => match all.explain(Method::Satisfaction, "") {
                Some(e) => (i18n.t(Key::ValueExampleAll).to_string(), e),
                None => {
                    return view! { <p class="help">{i18n.t(Key::InsightNoResult)}</p> }.into_any()
                }
            },
        };
        // Name each dimension's CSI after its dimension.
        let steps = e
            .steps
            .into_iter()
            .map(|mut st| {
                if let Some(d) = st.key.strip_prefix("satisfaction.csi_") {
                    if d != "overall" {
                        st.result.name = format!("csi_{d}");
                    }
                }
                st
            })
            .collect();
        view! {
            <h3>{title}</h3>
            {steps_view(i18n, steps)}
        }
        .into_any()
    };
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}</p>
        <dl class="sat-kpis">
            <div class="kpi">
                <dt>"NPS"</dt>
                <dd class="value" data-figure="nps">{nps_text(&s.nps)}</dd>
            </div>
            <div class="kpi">
                <dt>{i18n.t(Key::ValueTermResponses)}</dt>
                <dd class="value" data-figure="responses">{s.nps.responses}</dd>
            </div>
            <div class="kpi">
                <dt>{i18n.t(Key::ValueCsiOverall)}</dt>
                <dd class="value" data-figure="csi">{opt1(s.csi.overall)}</dd>
            </div>
        </dl>
        <div class="charts">
            <ChartFrame
                id="chart-nps"
                title=nps_title.clone()
                headers=vec![
                    i18n.t(Key::InsightColMonth).to_string(),
                    i18n.t(Key::ValueTermPromoters).to_string(),
                    i18n.t(Key::ValueTermPassives).to_string(),
                    i18n.t(Key::ValueTermDetractors).to_string(),
                    i18n.t(Key::ValueTermResponses).to_string(),
                    i18n.t(Key::ValueColNps).to_string(),
                ]
                rows=nps_rows
            >
                <RowChart
                    id="chart-nps"
                    title=nps_title
                    desc=nps_desc
                    y_label=i18n.t(Key::InsightColMonth).to_string()
                    x_label=i18n.t(Key::ValueColNps).to_string()
                    bars=nps_bars
                />
            </ChartFrame>
            <ChartFrame
                id="chart-csi"
                title=csi_title.clone()
                headers=vec![
                    i18n.t(Key::ValueColDimension).to_string(),
                    i18n.t(Key::ValueColWeight).to_string(),
                    i18n.t(Key::ValueColWeightShare).to_string(),
                    i18n.t(Key::ValueTermResponses).to_string(),
                    i18n.t(Key::ValueTermMean).to_string(),
                    "CSI".to_string(),
                ]
                rows=csi_rows
            >
                <RowChart
                    id="chart-csi"
                    title=csi_title
                    desc=csi_desc
                    y_label=i18n.t(Key::ValueColDimension).to_string()
                    x_label="CSI (0–100)".to_string()
                    bars=csi_bars
                />
            </ChartFrame>
        </div>
        <details class="teach card" open>
            <summary>{i18n.t(Key::SalesHowComputed)}</summary>
            <p class="formula">{i18n.t(Key::ValueSatisfactionFormula)}</p>
            <div class="teach-pick no-print">
                <div class="field">
                    <label for="sat-teach-month">{i18n.t(Key::ValueExampleResponses)}</label>
                    <select id="sat-teach-month" on:change=move |ev| month.set(event_target_value(&ev))>
                        <option value="" selected=move || month.get().is_empty()>{i18n.t(Key::ValueAllResponses)}</option>
                        {month_keys
                            .into_iter()
                            .map(|k| {
                                let (value, label) = (k.clone(), k.clone());
                                view! { <option value=value selected=move || month.get() == k>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <div class="example" aria-live="polite">{example}</div>
        </details>
    }
}
