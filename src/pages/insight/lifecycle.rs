//! Customer lifecycle (客户生命周期): a funnel of the stages with customers and revenue per stage,
//! each stage's rule with the thresholds in force, the thresholds (applied at once and saved) and
//! the teaching panel.

use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::Method;
use kehu_core::analytics::figures::stage_revenue;
use kehu_core::analytics::lifecycle::{LifecycleOptions, Stage};
use kehu_core::Money;

use super::chart::{ChartFrame, ChartLink, WIDTH};
use super::teach::{Teach, TeachState};
use super::{method_page, percent, save_analysis};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::customers::view::stage_key;
use crate::pages::sales::money_in;
use crate::state::{use_app, AppState};

/// Largest threshold accepted, in days or orders (a hundred years of days).
const MAX_THRESHOLD: u32 = 36_500;

/// The rule that puts a customer in `stage`, with the thresholds in force.
fn rule(i18n: I18n, stage: Stage, o: &LifecycleOptions) -> String {
    let orders = o.loyal_min_orders.to_string();
    match stage {
        Stage::Potential => i18n.t(Key::MethodsRulePotential).to_string(),
        Stage::New => i18n.tf(
            Key::MethodsRuleNew,
            &[("days", &o.new_within_days.to_string())],
        ),
        Stage::Active => i18n.t(Key::MethodsRuleActive).to_string(),
        Stage::Loyal => i18n.tf(Key::MethodsRuleLoyal, &[("orders", &orders)]),
        Stage::Expanding => i18n.tf(Key::MethodsRuleExpanding, &[("orders", &orders)]),
        Stage::AtRisk => i18n.t(Key::MethodsRuleAtRisk).to_string(),
        Stage::Lost => i18n.tf(
            Key::MethodsRuleLost,
            &[("days", &o.lost_after_days.to_string())],
        ),
    }
}

/// The lifecycle page.
#[component]
pub fn LifecyclePage() -> impl IntoView {
    let teach = TeachState::new();
    method_page(
        "lifecycle-page",
        Key::MethodsLifecycleTitle,
        "lifecycle",
        export_rows,
        view! { <LifecycleParams/> },
        move |a| view! { <LifecycleBody a=a teach=teach/> },
    )
}

/// One row per customer: orders, revenue and stage.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let names = super::customer_names(app);
    let mut out = vec![super::heading(
        i18n,
        &[
            Key::InsightColCustomer,
            Key::InsightColId,
            Key::SalesTermOrders,
            Key::InsightColRevenue,
            Key::MethodsColStage,
        ],
    )];
    for (c, h) in a.lifecycle.customers.iter().zip(&a.histories.customers) {
        out.push(vec![
            names.get(&c.customer_id).cloned().unwrap_or_default(),
            c.customer_id.to_string(),
            h.orders.to_string(),
            kehu_core::transactions_csv::format_amount(h.revenue),
            i18n.t(stage_key(c.stage.id())).to_string(),
        ]);
    }
    out
}

/// One whole-number threshold field.
fn threshold_field(
    id: &'static str,
    label: Key,
    text: RwSignal<String>,
    apply: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{move || i18n.t(label)}</label>
            <input id=id type="number" min="1" max=MAX_THRESHOLD step="1" inputmode="numeric"
                aria-describedby="lifecycle-err"
                prop:value=move || text.get()
                on:change=move |ev| { text.set(event_target_value(&ev)); apply(); }/>
        </div>
    }
}

/// New within, loyal from and lost after: each change is checked, saved and applied at once.
#[component]
fn LifecycleParams() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let s0 = app.data.settings.with_untracked(|s| s.analysis.clone());
    let new_days = RwSignal::new(s0.new_within_days.to_string());
    let loyal = RwSignal::new(s0.loyal_min_orders.to_string());
    let lost = RwSignal::new(s0.lost_after_days.to_string());
    let error = RwSignal::new(None::<String>);
    let apply = move || {
        let fields = [
            (new_days, Key::MethodsNewWithinLabel),
            (loyal, Key::MethodsLoyalMinLabel),
            (lost, Key::MethodsLostAfterLabel),
        ];
        let mut values = [0u32; 3];
        for (i, (text, label)) in fields.iter().enumerate() {
            let t = text.get_untracked();
            match t.trim().parse::<u32>() {
                Ok(v) if (1..=MAX_THRESHOLD).contains(&v) => values[i] = v,
                _ => {
                    error.set(Some(i18n.tf(
                        Key::MethodsThresholdBad,
                        &[
                            ("field", i18n.t(*label)),
                            ("value", t.trim()),
                            ("max", &MAX_THRESHOLD.to_string()),
                        ],
                    )));
                    return;
                }
            }
        }
        if values[0] >= values[2] {
            error.set(Some(i18n.tf(
                Key::MethodsNewAfterLost,
                &[
                    ("new", &values[0].to_string()),
                    ("lost", &values[2].to_string()),
                ],
            )));
            return;
        }
        error.set(None);
        save_analysis(move |s| {
            s.new_within_days = values[0];
            s.loyal_min_orders = values[1];
            s.lost_after_days = values[2];
        });
    };
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                {threshold_field("lifecycle-new", Key::MethodsNewWithinLabel, new_days, apply)}
                {threshold_field("lifecycle-loyal", Key::MethodsLoyalMinLabel, loyal, apply)}
                {threshold_field("lifecycle-lost", Key::MethodsLostAfterLabel, lost, apply)}
            </div>
            <p class="help">{move || i18n.t(Key::MethodsLifecycleHelp)}</p>
            <p class="error" id="lifecycle-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Funnel, stage table and teaching panel for one analysis.
#[component]
fn LifecycleBody(a: Arc<Analysis>, teach: TeachState) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let options = a.lifecycle.options;
    // Biggest spenders first in the teaching panel's list.
    let mut ids: Vec<(Money, String)> = a
        .histories
        .customers
        .iter()
        .map(|h| (h.revenue, h.customer_id.to_string()))
        .collect();
    ids.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let ids = ids.into_iter().map(|(_, id)| id).collect::<Vec<_>>();
    let stages = stage_rows(&a);
    let table = stages
        .iter()
        .map(|(s, n, share, r)| {
            view! {
                <tr>
                    <th scope="row">{i18n.t(stage_key(s.id()))}</th>
                    <td>{*n}</td>
                    <td>{percent(*share)}</td>
                    <td>{money_in(app, *r)}</td>
                    <td class="rule">{rule(i18n, *s, &options)}</td>
                </tr>
            }
        })
        .collect_view();
    let as_of = a.as_of.to_string();
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}</p>
        <div class="charts">{funnel_chart(&a, stages.clone(), None)}</div>
        <section class="card">
            <div class="table-scroll">
                <table class="stage-table">
                    <caption>{i18n.t(Key::MethodsStageTable)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{i18n.t(Key::MethodsColStage)}</th>
                            <th scope="col">{i18n.t(Key::InsightColCustomers)}</th>
                            <th scope="col">{i18n.t(Key::InsightColCustomerShare)}</th>
                            <th scope="col">{i18n.t(Key::InsightColRevenue)}</th>
                            <th scope="col">{i18n.t(Key::MethodsColRule)}</th>
                        </tr>
                    </thead>
                    <tbody>{table}</tbody>
                </table>
            </div>
        </section>
        <Teach method=Method::Lifecycle formula=Key::MethodsLifecycleFormula a=a ids=ids state=teach/>
    }
}

/// Each stage in lifecycle order with its customers, share of customers and revenue.
pub fn stage_rows(a: &Analysis) -> Vec<(Stage, u32, f64, Money)> {
    let revenue = stage_revenue(&a.lifecycle, &a.histories);
    a.lifecycle
        .stages
        .iter()
        .zip(&revenue)
        .map(|(s, r)| (s.stage, s.customers, s.customer_share, *r))
        .collect()
}

/// The lifecycle funnel in its frame, with its table: on the lifecycle page and the dashboard.
pub fn funnel_chart(
    a: &Analysis,
    stages: Vec<(Stage, u32, f64, Money)>,
    link: Option<ChartLink>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let title = i18n.t(Key::MethodsFunnelTitle).to_string();
    let rows = stages
        .iter()
        .map(|(s, n, share, r)| {
            vec![
                i18n.t(stage_key(s.id())).to_string(),
                n.to_string(),
                percent(*share),
                money_in(app, *r),
            ]
        })
        .collect();
    let biggest = stages.iter().max_by_key(|s| s.1).map(|s| s.0);
    let desc = i18n.tf(
        Key::MethodsFunnelDesc,
        &[
            ("customers", &a.lifecycle.customers.len().to_string()),
            (
                "stage",
                biggest.map(|s| i18n.t(stage_key(s.id()))).unwrap_or(""),
            ),
        ],
    );
    view! {
        <ChartFrame
            id="chart-funnel"
            title=title.clone()
            headers=vec![
                i18n.t(Key::MethodsColStage).to_string(),
                i18n.t(Key::InsightColCustomers).to_string(),
                i18n.t(Key::InsightColCustomerShare).to_string(),
                i18n.t(Key::InsightColRevenue).to_string(),
            ]
            rows=rows
            link=link
        >
            <Funnel title=title desc=desc stages=stages/>
        </ChartFrame>
    }
}

/// The funnel: one centred bar per stage in lifecycle order, as wide as its share of the
/// customers, with the stage's name on the left and its customers and revenue on the right.
#[component]
fn Funnel(title: String, desc: String, stages: Vec<(Stage, u32, f64, Money)>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let (label_w, value_w, top, row_h) = (172.0, 80.0, 8.0, 26.0);
    let plot_w = WIDTH - label_w - value_w;
    let centre = label_w + plot_w / 2.0;
    let height = top + row_h * stages.len() as f64 + 8.0;
    let max = stages.iter().map(|s| s.1).max().unwrap_or(0).max(1);
    let bars = stages
        .into_iter()
        .enumerate()
        .map(|(i, (stage, n, _, revenue))| {
            let y = top + row_h * i as f64;
            let w = (plot_w * f64::from(n) / f64::from(max)).max(1.0);
            view! {
                <g class=format!("stage s-{}", stage.id())>
                    <text class="tick" x=label_w - 6.0 y=y + row_h * 0.62 text-anchor="end">{i18n.t(stage_key(stage.id()))}</text>
                    <rect x=centre - w / 2.0 y=y + 2.0 width=w height=row_h - 4.0 rx="3"/>
                    <text class="count" x=label_w + plot_w + 6.0 y=y + row_h * 0.45>{n.to_string()}</text>
                    <text class="money" x=label_w + plot_w + 6.0 y=y + row_h * 0.9>{money_in(app, revenue)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart-drawing funnel"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby="chart-funnel-title chart-funnel-desc"
        >
            <title id="chart-funnel-title">{title}</title>
            <desc id="chart-funnel-desc">{desc}</desc>
            {bars}
        </svg>
    }
}
