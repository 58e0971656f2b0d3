//! ABC (Pareto): the cumulative revenue curve with the A and B thresholds, the class table, the
//! thresholds (applied at once and saved) and the teaching panel.

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::abc::ParetoPoint;
use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::Method;
use kehu_core::Money;

use super::chart::{ChartFrame, ChartLink, WIDTH};
use super::teach::{Teach, TeachState};
use super::{method_page, percent, save_analysis};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::money_in;
use crate::state::{use_app, AppState};

/// The curve read at every tenth of the customers: (customers %, revenue %). The first point at
/// or past each tenth is taken, so every value is one the chart draws.
pub fn deciles(curve: &[ParetoPoint]) -> Vec<(f64, f64)> {
    decile_indices(curve)
        .into_iter()
        .map(|k| (curve[k].customers, curve[k].revenue))
        .collect()
}

/// Where [`deciles`] reads the curve: the index of each point, which is also the number of
/// customers it covers (the curve starts at (0, 0)).
fn decile_indices(curve: &[ParetoPoint]) -> Vec<usize> {
    (1..=10)
        .filter_map(|i| {
            let at = f64::from(i) * 10.0;
            curve.iter().position(|p| p.customers >= at - 1e-9)
        })
        .collect()
}

/// The ABC page.
#[component]
pub fn AbcPage() -> impl IntoView {
    let teach = TeachState::new();
    method_page(
        "abc-page",
        Key::InsightAbcTitle,
        "abc",
        export_rows,
        view! { <AbcParams/> },
        move |a| view! { <AbcBody a=a teach=teach/> },
    )
}

/// One row per buying customer: revenue, position, share before and class.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let names = super::customer_names(app);
    let mut out = vec![super::heading(
        i18n,
        &[
            Key::InsightColCustomer,
            Key::InsightColId,
            Key::InsightColRevenue,
            Key::InsightTermPosition,
            Key::InsightTermShareBefore,
            Key::InsightTermClass,
        ],
    )];
    for c in &a.abc.customers {
        out.push(vec![
            names.get(&c.customer_id).cloned().unwrap_or_default(),
            c.customer_id.to_string(),
            kehu_core::transactions_csv::format_amount(c.revenue),
            c.position.to_string(),
            format!("{:.2}", c.share_before),
            c.class.id().to_string(),
        ]);
    }
    out
}

/// The A and B thresholds, in percent of revenue.
#[component]
fn AbcParams() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let (a0, b0) = app
        .data
        .settings
        .with_untracked(|s| (s.analysis.abc_a, s.analysis.abc_b));
    let a_text = RwSignal::new(a0.to_string());
    let b_text = RwSignal::new(b0.to_string());
    let error = RwSignal::new(None::<String>);
    let apply = move || {
        let parse = |s: String| super::parse_number(&s);
        match (parse(a_text.get_untracked()), parse(b_text.get_untracked())) {
            (Some(a), Some(b)) if 0.0 < a && a <= b && b <= 100.0 => {
                error.set(None);
                save_analysis(move |s| {
                    s.abc_a = a;
                    s.abc_b = b;
                });
            }
            (Some(a), Some(b)) => error.set(Some(i18n.tf(
                Key::InsightAbcOrder,
                &[("a", &a.to_string()), ("b", &b.to_string())],
            ))),
            _ => error.set(Some(i18n.t(Key::InsightAbcNumber).to_string())),
        }
    };
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                <div class="field">
                    <label for="abc-a">{move || i18n.t(Key::InsightTermThresholdA)}</label>
                    <input id="abc-a" type="number" min="1" max="100" step="any" inputmode="decimal"
                        aria-describedby="abc-err"
                        prop:value=move || a_text.get()
                        on:change=move |ev| { a_text.set(event_target_value(&ev)); apply(); }/>
                </div>
                <div class="field">
                    <label for="abc-b">{move || i18n.t(Key::InsightTermThresholdB)}</label>
                    <input id="abc-b" type="number" min="1" max="100" step="any" inputmode="decimal"
                        aria-describedby="abc-err"
                        prop:value=move || b_text.get()
                        on:change=move |ev| { b_text.set(event_target_value(&ev)); apply(); }/>
                </div>
            </div>
            <p class="help">{move || i18n.t(Key::InsightAbcHelp)}</p>
            <p class="error" id="abc-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Pareto chart, class table and teaching panel for one analysis.
#[component]
fn AbcBody(a: Arc<Analysis>, teach: TeachState) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let ids: Vec<String> = a
        .abc
        .customers
        .iter()
        .map(|c| c.customer_id.to_string())
        .collect();
    let classes = a.abc.classes.clone();
    let as_of = a.as_of.to_string();
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}</p>
        <div class="charts">{pareto_chart(&a, None)}</div>
        <section class="card">
            <div class="table-scroll">
                <table class="class-table">
                    <caption>{i18n.t(Key::InsightClassTable)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t(Key::InsightTermClass)}</th>
                            <th scope="col">{i18n.t(Key::InsightColCustomers)}</th>
                            <th scope="col">{i18n.t(Key::InsightColCustomerShare)}</th>
                            <th scope="col">{i18n.t(Key::InsightColRevenue)}</th>
                            <th scope="col">{i18n.t(Key::InsightColRevenueShare)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {classes
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <tr>
                                        <th scope="row">{c.class.id()}</th>
                                        <td>{c.customers}</td>
                                        <td>{percent(c.customer_share)}</td>
                                        <td>{money_in(app, c.revenue)}</td>
                                        <td>{percent(c.revenue_share)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <Teach method=Method::Abc formula=Key::InsightAbcFormula a=a ids=ids state=teach/>
    }
}

/// The Pareto curve in its frame; its table reads the curve at every tenth of the customers, with
/// the customers and the revenue (positive, as the curve counts it) up to that point. On the ABC
/// page and the dashboard.
pub fn pareto_chart(a: &Analysis, link: Option<ChartLink>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let curve = &a.abc.curve;
    let at = decile_indices(curve);
    // Revenue of the first k customers, as the curve adds it up.
    let mut cumulative = Vec::with_capacity(at.len());
    let (mut sum, mut k) = (0 as Money, 0usize);
    for &i in &at {
        for c in a.abc.customers.iter().take(i).skip(k) {
            sum = sum.saturating_add(c.revenue.max(0));
        }
        k = k.max(i);
        cumulative.push(sum);
    }
    let title = i18n.t(Key::InsightParetoTitle).to_string();
    let rows = at
        .iter()
        .zip(&cumulative)
        .map(|(&i, r)| {
            vec![
                percent(curve[i].customers),
                percent(curve[i].revenue),
                i.to_string(),
                money_in(app, *r),
            ]
        })
        .collect();
    let top20 = curve
        .iter()
        .find(|p| p.customers >= 20.0 - 1e-9)
        .map(|p| p.revenue)
        .unwrap_or(0.0);
    let desc = i18n.tf(
        Key::InsightParetoDesc,
        &[
            ("buyers", &a.abc.customers.len().to_string()),
            ("top20", &percent(top20)),
            ("a", &percent(a.abc.options.a)),
            ("b", &percent(a.abc.options.b)),
        ],
    );
    let points = deciles(curve);
    let curve = curve.clone();
    let (ta, tb) = (a.abc.options.a, a.abc.options.b);
    view! {
        <ChartFrame
            id="chart-pareto"
            title=title.clone()
            headers=vec![
                i18n.t(Key::InsightAxisCustomersPct).to_string(),
                i18n.t(Key::InsightAxisRevenuePct).to_string(),
                i18n.t(Key::InsightColCustomers).to_string(),
                i18n.t(Key::InsightColCumulativeRevenue).to_string(),
            ]
            rows=rows
            link=link
        >
            <Pareto
                title=title
                desc=desc
                curve=curve
                points=points
                a=ta
                b=tb
            />
        </ChartFrame>
    }
}

/// The Pareto curve: cumulative % of revenue against cumulative % of customers (best first), with
/// the A and B thresholds as dashed lines and a dot at every tenth of the customers.
#[component]
fn Pareto(
    title: String,
    desc: String,
    curve: Vec<ParetoPoint>,
    points: Vec<(f64, f64)>,
    a: f64,
    b: f64,
) -> impl IntoView {
    let i18n = use_i18n();
    let (left, top, w, h) = (36.0, 30.0, WIDTH - 36.0 - 12.0, 200.0);
    let height = top + h + 40.0;
    let x = move |c: f64| left + w * c / 100.0;
    let y = move |r: f64| top + h - h * r / 100.0;
    // At most ~400 vertices: a curve of 100,000 customers needs no more on a 400-unit drawing.
    let step = (curve.len() / 400).max(1);
    let mut line: String = curve
        .iter()
        .step_by(step)
        .map(|p| format!("{:.1},{:.1} ", x(p.customers), y(p.revenue)))
        .collect();
    if let Some(p) = curve.last() {
        line.push_str(&format!("{:.1},{:.1}", x(p.customers), y(p.revenue)));
    }
    let grid = [0.0, 50.0, 100.0]
        .into_iter()
        .map(|v| {
            view! {
                <text class="tick" x=left - 4.0 y=y(v) + 4.0 text-anchor="end">{format!("{v:.0}%")}</text>
                <text class="tick" x=x(v) y=top + h + 14.0 text-anchor="middle">{format!("{v:.0}%")}</text>
            }
        })
        .collect_view();
    let dots = points
        .into_iter()
        .map(|(c, r)| view! { <circle class="dot" cx=x(c) cy=y(r) r="3"/> })
        .collect_view();
    view! {
        <svg
            class="chart-drawing pareto"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby="chart-pareto-title chart-pareto-desc"
        >
            <title id="chart-pareto-title">{title}</title>
            <desc id="chart-pareto-desc">{desc}</desc>
            <line class="axis" x1=left y1=top + h x2=left + w y2=top + h/>
            <line class="axis" x1=left y1=top x2=left y2=top + h/>
            <line class="threshold" x1=left y1=y(a) x2=left + w y2=y(a)/>
            <text class="tick" x=left + w y=y(a) - 3.0 text-anchor="end">{format!("A {a}%")}</text>
            <line class="threshold" x1=left y1=y(b) x2=left + w y2=y(b)/>
            <text class="tick" x=left + w y=y(b) + 11.0 text-anchor="end">{format!("B {b}%")}</text>
            <polyline class="curve" points=line/>
            {dots}
            {grid}
            <text class="axis-label" x=left + w / 2.0 y=height - 4.0 text-anchor="middle">{i18n.t(Key::InsightAxisCustomersPct)}</text>
            <text class="axis-label" x="0" y="10">{i18n.t(Key::InsightAxisRevenuePct)}</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_are_points_of_the_curve() {
        let curve: Vec<ParetoPoint> = (0..=20)
            .map(|i| ParetoPoint {
                customers: f64::from(i) * 5.0,
                revenue: (f64::from(i) * 5.0).sqrt() * 10.0,
            })
            .collect();
        let d = deciles(&curve);
        assert_eq!(d.len(), 10);
        assert_eq!(d[0], (10.0, 10.0f64.sqrt() * 10.0));
        assert_eq!(d[9], (100.0, 100.0));
        assert!(d
            .iter()
            .all(|p| curve.iter().any(|c| (c.customers, c.revenue) == *p)));
    }
}
