//! The dashboard: who the customers are, what they bought lately, and what needs doing, with
//! revenue by month, the RFM segments, the lifecycle funnel, the Pareto curve and the R×F heatmap
//! drawn as charts (the last three by their method pages' code, each linking to its page).

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;

use super::chart::{Bar, ChartFrame, ChartLink, ColumnChart, RowChart};
use super::kpi::{customer_kpis, revenue_by_month, revenue_by_period, tasks_due};
use super::{abc, lifecycle, percent, rfm, with_analysis, ExportBar, InsightNav};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::customers::view::{segment_key, stage_key};
use crate::pages::sales::money_in;
use crate::routing::Route;
use crate::state::{use_app, AppState};

/// Months drawn in the revenue chart.
const MONTHS: u32 = 12;

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let rows = Callback::new(move |()| {
        crate::analysis::use_analysis()
            .get_untracked()
            .and_then(|c| c.0.ok())
            .map(|a| export_rows(i18n, app, &a))
            .unwrap_or_default()
    });
    view! {
        <section class="insight-page dashboard">
            <div class="page-head">
                <h1 data-autofocus tabindex="-1">{move || i18n.t(Key::InsightDashboard)}</h1>
                <ExportBar name="dashboard" rows=rows/>
            </div>
            <InsightNav/>
            {with_analysis(move |a| view! { <Dashboard a=a/> })}
        </section>
    }
}

/// The figures as rows for CSV: one row per KPI and one per month.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let mut out = vec![vec![
        i18n.t(Key::InsightColFigure).to_string(),
        i18n.t(Key::InsightColValue).to_string(),
        i18n.t(Key::InsightColChange).to_string(),
    ]];
    for (label, value, change) in kpi_list(i18n, app, a) {
        out.push(vec![label, value, change.unwrap_or_default()]);
    }
    let months = app
        .data
        .orders
        .with_untracked(|o| revenue_by_month(o, a.as_of, MONTHS));
    for (m, rev) in months {
        out.push(vec![
            i18n.tf(
                Key::InsightRevenueIn,
                &[("month", &m.format("%Y-%m").to_string())],
            ),
            money_in(app, rev),
            String::new(),
        ]);
    }
    out.extend(chart_rows(i18n, a));
    out
}

/// The other charts' numbers as (chart — item, value) rows: customers per RFM segment and per
/// lifecycle stage, the Pareto curve at each tenth of the customers, customers per R×F cell.
fn chart_rows(i18n: I18n, a: &Analysis) -> Vec<Vec<String>> {
    let row = |title: Key, item: String, value: String| {
        vec![format!("{} — {item}", i18n.t(title)), value, String::new()]
    };
    let mut out = Vec::new();
    for s in a.rfm.segments.iter().filter(|s| s.customers > 0) {
        out.push(row(
            Key::InsightSegmentsTitle,
            i18n.t(segment_key(s.segment.id())).to_string(),
            s.customers.to_string(),
        ));
    }
    for (stage, customers, _, _) in lifecycle::stage_rows(a) {
        out.push(row(
            Key::MethodsFunnelTitle,
            i18n.t(stage_key(stage.id())).to_string(),
            customers.to_string(),
        ));
    }
    for (customers, revenue) in abc::deciles(&a.abc.curve) {
        out.push(row(
            Key::InsightParetoTitle,
            percent(customers),
            percent(revenue),
        ));
    }
    for (r, cells) in rfm::heat_cells(a).iter().enumerate() {
        for (f, (customers, _)) in cells.iter().enumerate() {
            out.push(row(
                Key::InsightHeatTitle,
                format!("R={} F={}", r + 1, f + 1),
                customers.to_string(),
            ));
        }
    }
    out
}

/// Each KPI as (label, value text, comparison with the period before).
fn kpi_list(i18n: I18n, app: AppState, a: &Analysis) -> Vec<(String, String, Option<String>)> {
    let k = customer_kpis(a);
    let periods = app
        .data
        .orders
        .with(|o| revenue_by_period(o, a.as_of, &[30, 90, 365]));
    let due = app.data.tasks.with(|t| tasks_due(t, a.as_of));
    let none = || "—".to_string();
    let plain = |key: Key, value: String| (i18n.t(key).to_string(), value, None);
    let mut out = vec![
        plain(Key::InsightKpiCustomers, k.customers.to_string()),
        (
            i18n.tf(
                Key::InsightKpiActive,
                &[("days", &a.lifecycle.options.lost_after_days.to_string())],
            ),
            k.active.to_string(),
            None,
        ),
        plain(Key::InsightKpiNewThisMonth, k.new_this_month.to_string()),
    ];
    for p in periods {
        let change = match p.change_percent() {
            Some(c) => format!("{c:+.1}%"),
            None => i18n.t(Key::InsightNoPrevious).to_string(),
        };
        out.push((
            i18n.tf(Key::InsightKpiRevenue, &[("days", &p.days.to_string())]),
            money_in(app, p.current),
            Some(i18n.tf(
                Key::InsightRevenueChange,
                &[
                    ("change", &change),
                    ("previous", &money_in(app, p.previous)),
                ],
            )),
        ));
    }
    out.extend([
        plain(
            Key::InsightKpiRepeatRate,
            k.repeat_rate.map(percent).unwrap_or_else(none),
        ),
        plain(
            Key::InsightKpiAov,
            k.average_order_value
                .map(|v| money_in(app, v.round() as i64))
                .unwrap_or_else(none),
        ),
        plain(
            Key::InsightKpiNps,
            k.nps.map(|n| format!("{n:.1}")).unwrap_or_else(none),
        ),
        plain(Key::InsightKpiChurn, k.churn_warnings.to_string()),
        plain(Key::InsightKpiTasksDue, due.to_string()),
    ]);
    out
}

/// The dashboard's body for one analysis.
#[component]
fn Dashboard(a: Arc<Analysis>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let as_of = a.as_of;
    let kpis = {
        let a = a.clone();
        move || {
            kpi_list(i18n, app, &a)
                .into_iter()
                .map(|(label, value, change)| {
                    view! {
                        <div class="kpi">
                            <dt>{label}</dt>
                            <dd>
                                <span class="value">{value}</span>
                                {change.map(|c| view! { <span class="change">{c}</span> })}
                            </dd>
                        </div>
                    }
                })
                .collect_view()
        }
    };
    let months = {
        let a = a.clone();
        move || {
            let months = app
                .data
                .orders
                .with(|o| revenue_by_month(o, a.as_of, MONTHS));
            let range = match (months.first(), months.last()) {
                (Some(f), Some(l)) => format!("{} – {}", f.0.format("%Y-%m"), l.0.format("%Y-%m")),
                _ => String::new(),
            };
            let bars: Vec<Bar> = months
                .iter()
                .map(|(m, rev)| Bar {
                    label: m.format("%m").to_string(),
                    value: *rev as f64,
                    text: money_in(app, *rev),
                })
                .collect();
            let rows = months
                .iter()
                .zip(&bars)
                .map(|((m, _), b)| vec![m.format("%Y-%m").to_string(), b.text.clone()])
                .collect();
            let desc = {
                let best = months.iter().max_by_key(|(_, r)| *r);
                let total: i64 = months.iter().map(|(_, r)| *r).sum();
                i18n.tf(
                    Key::InsightMonthsDesc,
                    &[
                        ("range", &range),
                        ("total", &money_in(app, total)),
                        (
                            "best",
                            &best
                                .map(|b| b.0.format("%Y-%m").to_string())
                                .unwrap_or_default(),
                        ),
                        (
                            "best_amount",
                            &best.map(|b| money_in(app, b.1)).unwrap_or_default(),
                        ),
                    ],
                )
            };
            let title = i18n.t(Key::InsightMonthsTitle).to_string();
            view! {
                <ChartFrame
                    id="chart-months"
                    title=title.clone()
                    headers=vec![i18n.t(Key::InsightColMonth).to_string(), i18n.t(Key::InsightColRevenue).to_string()]
                    rows=rows
                >
                    <ColumnChart
                        id="chart-months"
                        title=title
                        desc=desc
                        x_label=i18n.tf(Key::InsightAxisMonth, &[("range", &range)])
                        y_label=i18n.t(Key::InsightColRevenue).to_string()
                        bars=bars
                    />
                </ChartFrame>
            }
        }
    };
    let segments = {
        let a = a.clone();
        move || {
            let segs: Vec<_> = a.rfm.segments.iter().filter(|s| s.customers > 0).collect();
            let bars: Vec<Bar> = segs
                .iter()
                .map(|s| Bar {
                    label: i18n.t(segment_key(s.segment.id())).to_string(),
                    value: f64::from(s.customers),
                    text: s.customers.to_string(),
                })
                .collect();
            let rows = segs
                .iter()
                .zip(&bars)
                .map(|(s, b)| {
                    vec![
                        b.label.clone(),
                        b.text.clone(),
                        percent(s.customer_share),
                        money_in(app, s.revenue),
                    ]
                })
                .collect();
            let buyers: u32 = segs.iter().map(|s| s.customers).sum();
            let largest = segs.iter().max_by_key(|s| s.customers);
            let desc = i18n.tf(
                Key::InsightSegmentsDesc,
                &[
                    ("buyers", &buyers.to_string()),
                    ("segments", &segs.len().to_string()),
                    (
                        "largest",
                        largest
                            .map(|s| i18n.t(segment_key(s.segment.id())))
                            .unwrap_or("—"),
                    ),
                    (
                        "count",
                        &largest.map(|s| s.customers.to_string()).unwrap_or_default(),
                    ),
                ],
            );
            let title = i18n.t(Key::InsightSegmentsTitle).to_string();
            view! {
                <ChartFrame
                    id="chart-segments"
                    title=title.clone()
                    headers=vec![
                        i18n.t(Key::InsightColSegment).to_string(),
                        i18n.t(Key::InsightColCustomers).to_string(),
                        i18n.t(Key::InsightColCustomerShare).to_string(),
                        i18n.t(Key::InsightColRevenue).to_string(),
                    ]
                    rows=rows
                >
                    <RowChart
                        id="chart-segments"
                        title=title
                        desc=desc
                        y_label=i18n.t(Key::InsightColSegment).to_string()
                        x_label=i18n.t(Key::InsightColCustomers).to_string()
                        bars=bars
                    />
                </ChartFrame>
            }
        }
    };
    let funnel = {
        let a = a.clone();
        move || {
            lifecycle::funnel_chart(
                &a,
                lifecycle::stage_rows(&a),
                Some(link(i18n, Route::Lifecycle, Key::MethodsLifecycleNav)),
            )
        }
    };
    let pareto = {
        let a = a.clone();
        move || abc::pareto_chart(&a, Some(link(i18n, Route::Abc, Key::InsightAbc)))
    };
    let heat = move || rfm::heat_chart(&a, Some(link(i18n, Route::Rfm, Key::InsightRfm)));
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of.to_string())])}</p>
        <dl class="kpis">{kpis}</dl>
        <div class="charts">
            {months}
            {segments}
            {funnel}
            {pareto}
            {heat}
        </div>
    }
}

/// The link from a dashboard chart to the method page that explains it.
fn link(i18n: I18n, to: Route, page: Key) -> ChartLink {
    ChartLink {
        href: to.href(),
        text: i18n.tf(Key::InsightChartMore, &[("page", i18n.t(page))]),
    }
}
