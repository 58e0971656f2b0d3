//! RFM: the R×F heatmap (customers and revenue per cell), the segment table, the parameters (bins,
//! analysis date, window) that apply at once and are saved, and the teaching panel.

use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::Method;
use kehu_core::analytics::history::DateWindow;
use kehu_core::analytics::rfm::RfmScoring;
use kehu_core::Money;

use super::chart::{ChartFrame, ChartLink, WIDTH};
use super::teach::{Teach, TeachState};
use super::{method_page, percent, save_analysis};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::customers::view::segment_key;
use crate::pages::sales::money_in;
use crate::state::{use_app, AppState};

/// The number of score bins in force.
fn bins_of(a: &Analysis) -> u8 {
    match &a.rfm.options.scoring {
        RfmScoring::Quantiles { bins } => *bins,
        RfmScoring::Thresholds(t) => t.recency_days.len() as u8 + 1,
    }
}

/// Customers and revenue per (R, F) cell; index `[r-1][f-1]`.
pub fn heat_cells(a: &Analysis) -> Vec<Vec<(u32, Money)>> {
    let bins = usize::from(bins_of(a).max(1));
    let mut cells = vec![vec![(0u32, 0 as Money); bins]; bins];
    for c in &a.rfm.customers {
        let (r, f) = (usize::from(c.r), usize::from(c.f));
        if let Some(cell) = cells
            .get_mut(r.wrapping_sub(1))
            .and_then(|row| row.get_mut(f.wrapping_sub(1)))
        {
            cell.0 += 1;
            cell.1 = cell.1.saturating_add(c.monetary);
        }
    }
    cells
}

/// Money rounded to whole units, short enough for a heatmap cell.
fn whole_money(app: AppState, m: Money) -> String {
    let rounded = (m as f64 / 100.0).round() as i64 * 100;
    let text = money_in(app, rounded);
    text.strip_suffix(".00").map(str::to_string).unwrap_or(text)
}

/// The RFM page.
#[component]
pub fn RfmPage() -> impl IntoView {
    let teach = TeachState::new();
    method_page(
        "rfm-page",
        Key::InsightRfmTitle,
        "rfm",
        export_rows,
        view! { <RfmParams/> },
        move |a| view! { <RfmBody a=a teach=teach/> },
    )
}

/// One row per customer with a purchase: the inputs, the scores and the segment.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let names = super::customer_names(app);
    let mut out = vec![super::heading(
        i18n,
        &[
            Key::InsightColCustomer,
            Key::InsightColId,
            Key::SalesTermRecencyDays,
            Key::SalesTermFrequency,
            Key::SalesTermMonetary,
            Key::SalesTermR,
            Key::SalesTermF,
            Key::SalesTermM,
            Key::InsightColSegment,
        ],
    )];
    for c in &a.rfm.customers {
        out.push(vec![
            names.get(&c.customer_id).cloned().unwrap_or_default(),
            c.customer_id.to_string(),
            c.recency.to_string(),
            c.frequency.to_string(),
            kehu_core::transactions_csv::format_amount(c.monetary),
            c.r.to_string(),
            c.f.to_string(),
            c.m.to_string(),
            i18n.t(segment_key(c.segment.id())).to_string(),
        ]);
    }
    out
}

/// Bins, analysis date and window: each change is checked, saved and applied at once.
#[component]
fn RfmParams() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let settings = move || app.data.settings.with(|s| s.analysis.clone());
    let initial = app.data.settings.with_untracked(|s| s.analysis.window);
    let from = RwSignal::new(initial.map(|w| w.from.to_string()).unwrap_or_default());
    let to = RwSignal::new(initial.map(|w| w.to.to_string()).unwrap_or_default());
    let window_error = RwSignal::new(None::<String>);
    let apply_window = move || {
        let (f, t) = (from.get_untracked(), to.get_untracked());
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let result = match (f.trim().is_empty(), t.trim().is_empty()) {
            (true, true) => Ok(None),
            (false, false) => match (parse(&f), parse(&t)) {
                (Some(from), Some(to)) if from <= to => Ok(Some(DateWindow { from, to })),
                (Some(from), Some(to)) => Err(i18n.tf(
                    Key::InsightWindowBackwards,
                    &[("from", &from.to_string()), ("to", &to.to_string())],
                )),
                _ => Err(i18n.t(Key::InsightWindowBadDate).to_string()),
            },
            _ => Err(i18n.t(Key::InsightWindowBoth).to_string()),
        };
        match result {
            Ok(w) => {
                window_error.set(None);
                save_analysis(move |s| s.window = w);
            }
            Err(e) => window_error.set(Some(e)),
        }
    };
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                <div class="field">
                    <label for="rfm-bins">{move || i18n.t(Key::InsightBins)}</label>
                    <select
                        id="rfm-bins"
                        on:change=move |ev| {
                            if let Ok(b) = event_target_value(&ev).parse::<u8>() {
                                save_analysis(move |s| s.rfm_bins = b);
                            }
                        }
                    >
                        {[3u8, 4, 5]
                            .into_iter()
                            .map(|b| {
                                view! {
                                    <option value=b.to_string() selected=move || settings().rfm_bins == b>
                                        {b.to_string()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="rfm-as-of">{move || i18n.t(Key::InsightAsOfDate)}</label>
                    <input
                        id="rfm-as-of"
                        type="date"
                        aria-describedby="rfm-as-of-help"
                        prop:value=move || settings().as_of.map(|d| d.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
                            save_analysis(move |s| s.as_of = d);
                        }
                    />
                    <p class="help" id="rfm-as-of-help">{move || i18n.t(Key::InsightAsOfHelp)}</p>
                </div>
                <fieldset class="field window">
                    <legend>{move || i18n.t(Key::InsightWindow)}</legend>
                    <label>
                        {move || i18n.t(Key::InsightWindowFrom)}
                        <input
                            type="date"
                            aria-describedby="rfm-window-err"
                            prop:value=move || from.get()
                            on:change=move |ev| {
                                from.set(event_target_value(&ev));
                                apply_window();
                            }
                        />
                    </label>
                    <label>
                        {move || i18n.t(Key::InsightWindowTo)}
                        <input
                            type="date"
                            aria-describedby="rfm-window-err"
                            prop:value=move || to.get()
                            on:change=move |ev| {
                                to.set(event_target_value(&ev));
                                apply_window();
                            }
                        />
                    </label>
                    <p class="help">{move || i18n.t(Key::InsightWindowHelp)}</p>
                    <p class="error" id="rfm-window-err" role="alert">{move || window_error.get()}</p>
                </fieldset>
            </div>
            {move || {
                settings()
                    .rfm_thresholds
                    .is_some()
                    .then(|| view! { <p class="warning">{i18n.t(Key::InsightThresholdsInForce)}</p> })
            }}
        </form>
    }
}

/// Heatmap, segment table and teaching panel for one analysis.
#[component]
fn RfmBody(a: Arc<Analysis>, teach: TeachState) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    // Best customers first in the teaching panel's list: highest monetary.
    let mut ids: Vec<(Money, String)> = a
        .rfm
        .customers
        .iter()
        .map(|c| (c.monetary, c.customer_id.to_string()))
        .collect();
    ids.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let ids = ids.into_iter().map(|(_, id)| id).collect::<Vec<_>>();
    let segments = a.rfm.segments.clone();
    let as_of = a.as_of.to_string();
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}</p>
        <div class="charts">{heat_chart(&a, None)}</div>
        <section class="card">
            <div class="table-scroll">
                <table class="segment-table">
                    <caption>{i18n.t(Key::InsightSegmentTable)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t(Key::InsightColSegment)}</th>
                            <th scope="col">{i18n.t(Key::InsightColCustomers)}</th>
                            <th scope="col">{i18n.t(Key::InsightColCustomerShare)}</th>
                            <th scope="col">{i18n.t(Key::InsightColRevenue)}</th>
                            <th scope="col">{i18n.t(Key::InsightColRevenueShare)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {segments
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <tr>
                                        <th scope="row">{i18n.t(segment_key(s.segment.id()))}</th>
                                        <td>{s.customers}</td>
                                        <td>{percent(s.customer_share)}</td>
                                        <td>{money_in(app, s.revenue)}</td>
                                        <td>{percent(s.revenue_share)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <Teach method=Method::Rfm formula=Key::InsightRfmFormula a=a ids=ids state=teach/>
    }
}

/// The R×F heatmap in its frame, with a table of every cell's customers and revenue: on the RFM
/// page and the dashboard.
pub fn heat_chart(a: &Analysis, link: Option<ChartLink>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let bins = bins_of(a);
    let cells = heat_cells(a);
    let buyers = a.rfm.customers.len();
    let title = i18n.t(Key::InsightHeatTitle).to_string();
    let mut rows = Vec::new();
    for r in (1..=bins).rev() {
        for f in 1..=bins {
            let (n, rev) = cells[usize::from(r - 1)][usize::from(f - 1)];
            rows.push(vec![
                format!("R{r} F{f}"),
                n.to_string(),
                whole_money(app, rev),
            ]);
        }
    }
    let busiest = cells
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(move |(f, c)| (r + 1, f + 1, c.0))
        })
        .max_by_key(|c| c.2);
    let desc = i18n.tf(
        Key::InsightHeatDesc,
        &[
            ("bins", &bins.to_string()),
            ("buyers", &buyers.to_string()),
            (
                "cell",
                &busiest
                    .map(|(r, f, _)| format!("R{r} F{f}"))
                    .unwrap_or_default(),
            ),
            (
                "count",
                &busiest.map(|c| c.2.to_string()).unwrap_or_default(),
            ),
        ],
    );
    view! {
        <ChartFrame
            id="chart-heat"
            title=title.clone()
            headers=vec![
                i18n.t(Key::InsightColCell).to_string(),
                i18n.t(Key::InsightColCustomers).to_string(),
                i18n.t(Key::InsightColRevenue).to_string(),
            ]
            rows=rows
            link=link
        >
            <Heatmap
                title=title
                desc=desc
                cells=cells
                x_label=i18n.t(Key::InsightAxisF).to_string()
                y_label=i18n.t(Key::InsightAxisR).to_string()
            />
        </ChartFrame>
    }
}

/// The R×F grid drawn as SVG: one square per (R, F) with its customers and revenue; the darker,
/// the more customers. Recent buyers (high R) are at the top, frequent ones (high F) on the right.
#[component]
fn Heatmap(
    title: String,
    desc: String,
    cells: Vec<Vec<(u32, Money)>>,
    x_label: String,
    y_label: String,
) -> impl IntoView {
    let app = use_app();
    let bins = cells.len().max(1);
    let (left, top) = (40.0, 20.0);
    let size = ((WIDTH - left - 8.0) / bins as f64).floor();
    let height = top + size * bins as f64 + 36.0;
    let max = cells
        .iter()
        .flatten()
        .map(|c| c.0)
        .max()
        .unwrap_or(0)
        .max(1);
    let squares = cells
        .iter()
        .enumerate()
        .flat_map(|(ri, row)| {
            row.iter().enumerate().map(move |(fi, c)| (ri, fi, *c))
        })
        .map(|(ri, fi, (n, rev))| {
            // R = bins is the top row.
            let x = left + size * fi as f64;
            let y = top + size * (bins - 1 - ri) as f64;
            let opacity = 0.06 + 0.6 * f64::from(n) / f64::from(max);
            view! {
                <g class="cell">
                    <rect x=x y=y width=size - 2.0 height=size - 2.0 style=format!("fill-opacity:{opacity:.2}")/>
                    <text class="count" x=x + size / 2.0 - 1.0 y=y + size / 2.0 - 2.0 text-anchor="middle">{n.to_string()}</text>
                    <text class="money" x=x + size / 2.0 - 1.0 y=y + size / 2.0 + 12.0 text-anchor="middle">{whole_money(app, rev)}</text>
                </g>
            }
        })
        .collect_view();
    let ticks = (0..bins)
        .map(|i| {
            let s = (i + 1).to_string();
            view! {
                <text class="tick" x=left + size * i as f64 + size / 2.0 y=top + size * bins as f64 + 12.0 text-anchor="middle">{s.clone()}</text>
                <text class="tick" x=left - 6.0 y=top + size * (bins - 1 - i) as f64 + size / 2.0 + 4.0 text-anchor="end">{s}</text>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart-drawing heatmap"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby="chart-heat-title chart-heat-desc"
        >
            <title id="chart-heat-title">{title}</title>
            <desc id="chart-heat-desc">{desc}</desc>
            <text class="axis-label" x="0" y="12">{y_label}</text>
            {squares}
            {ticks}
            <text class="axis-label" x=left + size * bins as f64 / 2.0 y=height - 4.0 text-anchor="middle">{x_label}</text>
        </svg>
    }
}
