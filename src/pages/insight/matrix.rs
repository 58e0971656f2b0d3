//! Customer value matrix (客户价值矩阵): average order value × purchase frequency as a scatter with
//! the quadrant lines at the medians or at set values, the customers and revenue per quadrant, the
//! course's strategy for each, the splits (applied at once and saved) and the teaching panel.

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::Method;
use kehu_core::analytics::figures::{cell_revenue, scatter};
use kehu_core::analytics::value_matrix::ValueCell;

use super::chart::{ChartFrame, WIDTH};
use super::teach::{Teach, TeachState};
use super::{method_page, percent, save_analysis};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::money_in;
use crate::state::{use_app, AppState};

/// Columns and rows of the scatter's grid: customers closer than one grid step share one mark.
const GRID: (u16, u16) = (170, 100);

/// The name of a cell (with the course's term in the other language).
pub fn cell_key(c: ValueCell) -> Key {
    match c {
        ValueCell::Best => Key::MethodsCellBest,
        ValueCell::Spenders => Key::MethodsCellSpenders,
        ValueCell::Frequent => Key::MethodsCellFrequent,
        ValueCell::Uncertain => Key::MethodsCellUncertain,
    }
}

/// A cell's short name, for the chart.
fn quad_key(c: ValueCell) -> Key {
    match c {
        ValueCell::Best => Key::MethodsQuadBest,
        ValueCell::Spenders => Key::MethodsQuadSpenders,
        ValueCell::Frequent => Key::MethodsQuadFrequent,
        ValueCell::Uncertain => Key::MethodsQuadUncertain,
    }
}

/// The course's strategy for a cell, in a sentence.
fn strategy_key(c: ValueCell) -> Key {
    match c {
        ValueCell::Best => Key::MethodsStrategyBest,
        ValueCell::Spenders => Key::MethodsStrategySpenders,
        ValueCell::Frequent => Key::MethodsStrategyFrequent,
        ValueCell::Uncertain => Key::MethodsStrategyUncertain,
    }
}

/// The label of a quantity of the value matrix's worked example, if it is one.
pub fn term_key(name: &str) -> Option<Key> {
    Some(match name {
        "aov" => Key::MethodsTermAov,
        "aov_split" => Key::MethodsTermAovSplit,
        "aov_split_is_median" => Key::MethodsTermAovSplitIsMedian,
        "frequency_split" => Key::MethodsTermFrequencySplit,
        "frequency_split_is_median" => Key::MethodsTermFrequencySplitIsMedian,
        "high_aov" => Key::MethodsTermHighAov,
        "high_frequency" => Key::MethodsTermHighFrequency,
        "cell" => Key::MethodsTermCell,
        "strategy" => Key::MethodsTermStrategy,
        _ => return None,
    })
}

/// The label of a cell or strategy id of the value matrix's worked example, if it is one.
pub fn id_key(id: &str) -> Option<Key> {
    Some(match id {
        "best" => Key::MethodsCellBest,
        "spenders" => Key::MethodsCellSpenders,
        "frequent" => Key::MethodsCellFrequent,
        "uncertain" => Key::MethodsCellUncertain,
        "retain_and_reward" => Key::MethodsStrategyRetainAndReward,
        "increase_frequency" => Key::MethodsStrategyIncreaseFrequency,
        "upsell" => Key::MethodsStrategyUpsell,
        "maintain_low_cost" => Key::MethodsStrategyMaintainLowCost,
        _ => return None,
    })
}

/// A number with at most two decimals, without trailing zeros.
fn short(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The value matrix page.
#[component]
pub fn MatrixPage() -> impl IntoView {
    let teach = TeachState::new();
    method_page(
        "matrix-page",
        Key::MethodsMatrixTitle,
        "value-matrix",
        export_rows,
        view! { <MatrixParams/> },
        move |a| view! { <MatrixBody a=a teach=teach/> },
    )
}

/// One row per buying customer: AOV, orders, cell and strategy.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let names = super::customer_names(app);
    let mut out = vec![super::heading(
        i18n,
        &[
            Key::InsightColCustomer,
            Key::InsightColId,
            Key::MethodsTermAov,
            Key::SalesTermOrders,
            Key::MethodsTermCell,
            Key::MethodsTermStrategy,
        ],
    )];
    for c in &a.value_matrix.customers {
        out.push(vec![
            names.get(&c.customer_id).cloned().unwrap_or_default(),
            c.customer_id.to_string(),
            format!("{:.2}", c.aov / 100.0),
            c.frequency.to_string(),
            i18n.t(cell_key(c.cell)).to_string(),
            i18n.t(strategy_key(c.cell)).to_string(),
        ]);
    }
    out
}

/// The splits: empty = at the median. Each change is checked, saved and applied at once.
#[component]
fn MatrixParams() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let initial = app
        .data
        .settings
        .with_untracked(|s| s.analysis.value_matrix);
    let aov = RwSignal::new(
        initial
            .aov_split
            .map(|x| short(x / 100.0))
            .unwrap_or_default(),
    );
    let freq = RwSignal::new(initial.frequency_split.map(short).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let apply = move || {
        // Empty: the median; else a number ≥ 0.
        let parse = |s: String| -> Result<Option<f64>, ()> {
            let t = s.trim().replace(',', ".");
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(()),
            }
        };
        match (parse(aov.get_untracked()), parse(freq.get_untracked())) {
            (Ok(a), Ok(f)) => {
                error.set(None);
                save_analysis(move |s| {
                    s.value_matrix.aov_split = a.map(|x| (x * 100.0).round());
                    s.value_matrix.frequency_split = f;
                });
            }
            (Err(()), _) => error.set(Some(i18n.tf(
                Key::MethodsSplitBad,
                &[("value", aov.get_untracked().trim())],
            ))),
            (_, Err(())) => error.set(Some(i18n.tf(
                Key::MethodsSplitBad,
                &[("value", freq.get_untracked().trim())],
            ))),
        }
    };
    let medians = move |_| {
        aov.set(String::new());
        freq.set(String::new());
        apply();
    };
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                <div class="field">
                    <label for="matrix-aov">{move || i18n.t(Key::MethodsAovSplitLabel)}</label>
                    <input id="matrix-aov" type="number" min="0" step="any" inputmode="decimal"
                        aria-describedby="matrix-help matrix-err"
                        placeholder=move || i18n.t(Key::MethodsMedian)
                        prop:value=move || aov.get()
                        on:change=move |ev| { aov.set(event_target_value(&ev)); apply(); }/>
                </div>
                <div class="field">
                    <label for="matrix-freq">{move || i18n.t(Key::MethodsFrequencySplitLabel)}</label>
                    <input id="matrix-freq" type="number" min="0" step="any" inputmode="decimal"
                        aria-describedby="matrix-help matrix-err"
                        placeholder=move || i18n.t(Key::MethodsMedian)
                        prop:value=move || freq.get()
                        on:change=move |ev| { freq.set(event_target_value(&ev)); apply(); }/>
                </div>
                <div class="field">
                    <button type="button" on:click=medians>{move || i18n.t(Key::MethodsUseMedians)}</button>
                </div>
            </div>
            <p class="help" id="matrix-help">{move || i18n.t(Key::MethodsMatrixHelp)}</p>
            <p class="error" id="matrix-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Scatter, quadrant cards and teaching panel for one analysis.
#[component]
fn MatrixBody(a: Arc<Analysis>, teach: TeachState) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let vm = &a.value_matrix;
    let revenue = cell_revenue(vm, &a.histories);
    // Biggest spenders first in the teaching panel's list.
    let mut ids: Vec<(f64, String)> = vm
        .customers
        .iter()
        .map(|c| (c.aov * f64::from(c.frequency), c.customer_id.to_string()))
        .collect();
    ids.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let ids = ids.into_iter().map(|(_, id)| id).collect::<Vec<_>>();
    let aov_split = money_in(app, vm.aov_split.round() as i64);
    let how = |median: bool| {
        i18n.t(if median {
            Key::MethodsAtMedian
        } else {
            Key::MethodsSetValue
        })
    };
    let splits = i18n.tf(
        Key::MethodsSplitsInForce,
        &[
            ("aov", &aov_split),
            ("aov_how", how(vm.aov_is_median)),
            ("freq", &short(vm.frequency_split)),
            ("freq_how", how(vm.frequency_is_median)),
        ],
    );
    let title = i18n.t(Key::MethodsMatrixChart).to_string();
    let rows = vm
        .cells
        .iter()
        .zip(&revenue)
        .map(|(c, r)| {
            vec![
                i18n.t(cell_key(c.cell)).to_string(),
                c.customers.to_string(),
                percent(c.customer_share),
                money_in(app, *r),
            ]
        })
        .collect();
    let layout = scatter(vm, GRID.0, GRID.1);
    let desc = i18n.tf(
        Key::MethodsMatrixDesc,
        &[
            ("buyers", &vm.customers.len().to_string()),
            ("aov", &aov_split),
            ("freq", &short(vm.frequency_split)),
            ("clipped", &layout.clipped.to_string()),
        ],
    );
    let counts: Vec<u32> = vm.cells.iter().map(|c| c.customers).collect();
    let cards = vm
        .cells
        .iter()
        .zip(revenue)
        .map(|(c, r)| {
            view! {
                <section class=format!("quadrant card q-{}", c.cell.id())>
                    <h3>{i18n.t(cell_key(c.cell))}</h3>
                    <p class="figures">
                        {i18n.tf(
                            Key::MethodsQuadrantFigures,
                            &[
                                ("n", &c.customers.to_string()),
                                ("share", &percent(c.customer_share)),
                                ("revenue", &money_in(app, r)),
                            ],
                        )}
                    </p>
                    <p class="strategy">
                        <strong>{i18n.t(Key::MethodsTermStrategy)}": "</strong>
                        {i18n.t(strategy_key(c.cell))}
                    </p>
                </section>
            }
        })
        .collect_view();
    let split_values = (vm.aov_split, vm.frequency_split);
    let as_of = a.as_of.to_string();
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}</p>
        <p class="help splits">{splits}</p>
        <div class="charts">
            <ChartFrame
                id="chart-matrix"
                title=title.clone()
                headers=vec![
                    i18n.t(Key::MethodsTermCell).to_string(),
                    i18n.t(Key::InsightColCustomers).to_string(),
                    i18n.t(Key::InsightColCustomerShare).to_string(),
                    i18n.t(Key::InsightColRevenue).to_string(),
                ]
                rows=rows
            >
                <Scatter
                    title=title
                    desc=desc
                    layout=layout
                    aov_split=split_values.0
                    freq_split=split_values.1
                    counts=counts
                />
            </ChartFrame>
        </div>
        <div class="quadrants">{cards}</div>
        <Teach method=Method::ValueMatrix formula=Key::MethodsMatrixFormula a=a ids=ids state=teach/>
    }
}

/// The scatter: one round mark per occupied grid position, all in one path, the quadrant lines
/// dashed, and each quadrant's name and customer count in its corner.
#[component]
fn Scatter(
    title: String,
    desc: String,
    layout: kehu_core::analytics::figures::Scatter,
    aov_split: f64,
    freq_split: f64,
    /// Customers per cell, in `ValueCell::ALL` order.
    counts: Vec<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let (left, top, w, h) = (62.0, 24.0, WIDTH - 62.0 - 10.0, 200.0);
    let height = top + h + 40.0;
    let (cols, rows) = (f64::from(GRID.0 - 1), f64::from(GRID.1 - 1));
    let mut marks = String::with_capacity(layout.points.len() * 14);
    for (x, y) in &layout.points {
        let px = left + w * f64::from(*x) / cols;
        let py = top + h - h * f64::from(*y) / rows;
        marks.push_str(&format!("M{px:.1} {py:.1}h0"));
    }
    let fx = move |f: f64| left + w * (f / layout.frequency_max).clamp(0.0, 1.0);
    let ay = move |v: f64| top + h - h * (v / layout.aov_max).clamp(0.0, 1.0);
    let (sx, sy) = (fx(freq_split), ay(aov_split));
    let count = |c: ValueCell| counts.get(c as usize).copied().unwrap_or(0).to_string();
    // Each quadrant's label: (cell, x, y, anchor).
    let labels = [
        (ValueCell::Spenders, left + 4.0, top + 12.0, "start"),
        (ValueCell::Best, left + w - 4.0, top + 12.0, "end"),
        (ValueCell::Uncertain, left + 4.0, top + h - 18.0, "start"),
        (ValueCell::Frequent, left + w - 4.0, top + h - 18.0, "end"),
    ]
    .into_iter()
    .map(|(cell, x, y, anchor)| {
        view! {
            <g class=format!("quad q-{}", cell.id())>
                <text class="quad-name" x=x y=y text-anchor=anchor>{i18n.t(quad_key(cell))}</text>
                <text class="quad-count" x=x y=y + 13.0 text-anchor=anchor>{count(cell)}</text>
            </g>
        }
    })
    .collect_view();
    let whole = move |m: f64| {
        let text = money_in(app, ((m / 100.0).round() as i64) * 100);
        text.strip_suffix(".00").map(str::to_string).unwrap_or(text)
    };
    let aov_max = whole(layout.aov_max);
    view! {
        <svg
            class="chart-drawing scatter"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby="chart-matrix-title chart-matrix-desc"
        >
            <title id="chart-matrix-title">{title}</title>
            <desc id="chart-matrix-desc">{desc}</desc>
            <line class="axis" x1=left y1=top + h x2=left + w y2=top + h/>
            <line class="axis" x1=left y1=top x2=left y2=top + h/>
            <path class="marks" d=marks/>
            <line class="split" x1=sx y1=top x2=sx y2=top + h/>
            <line class="split" x1=left y1=sy x2=left + w y2=sy/>
            {labels}
            <text class="tick" x=left - 4.0 y=top + h + 4.0 text-anchor="end">"0"</text>
            <text class="tick" x=left - 4.0 y=sy + 4.0 text-anchor="end">{whole(aov_split)}</text>
            <text class="tick" x=left - 4.0 y=top + 8.0 text-anchor="end">{aov_max}</text>
            <text class="tick" x=sx y=top + h + 14.0 text-anchor="middle">{short(freq_split)}</text>
            <text class="tick" x=left + w y=top + h + 14.0 text-anchor="end">{short(layout.frequency_max)}</text>
            <text class="axis-label" x=left + w / 2.0 y=height - 4.0 text-anchor="middle">{i18n.t(Key::MethodsAxisFrequency)}</text>
            <text class="axis-label" x="0" y="10">{i18n.t(Key::MethodsAxisAov)}</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_numbers_lose_trailing_zeros() {
        assert_eq!(short(3.0), "3");
        assert_eq!(short(2.5), "2.5");
        assert_eq!(short(123.456), "123.46");
    }
}
