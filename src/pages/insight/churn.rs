//! Churn warnings (流失预警): the customers with a warning ranked by value at risk, a chart of the
//! largest, checkboxes and "Create tasks" (one churn follow-up task per chosen customer, never a
//! second open one, in one transaction, with Undo), the thresholds (applied at once and saved) and
//! the teaching panel.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::customer_id::CustomerId;
use kehu_core::analytics::explain::Method;
use kehu_core::tasks::churn_tasks;
use kehu_core::TaskOrigin;

use super::chart::{Bar, ChartFrame, RowChart};
use super::teach::{Teach, TeachState};
use super::{method_page, save_analysis};
use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::sales::{customer_label, money_in};
use crate::routing::Route;
use crate::state::{new_id, now, today, use_app, AppState};
use crate::storage::{Change, Record, StoreName};

/// Warnings listed at first, and added by each "Show more".
const PAGE: usize = 50;
/// Customers in the value-at-risk chart.
const CHART_TOP: usize = 10;
/// Room for a customer's name in the chart, in narrow characters.
const LABEL_WIDTH: usize = 20;
/// Seconds the Undo of "Create tasks" stays on screen.
const UNDO_SECONDS: u64 = 10;

/// What the churn page remembers across recomputes: the ticked customers and how many are listed.
#[derive(Clone, Copy)]
struct ListState {
    selected: RwSignal<HashSet<String>>,
    shown: RwSignal<usize>,
}

/// `name` cut to fit the chart's label column: wide (CJK) characters count twice, and at most
/// [`LABEL_WIDTH`] narrow characters' worth is kept, the cut marked with an ellipsis.
fn chart_label(name: &str) -> String {
    let width = |c: char| if c.len_utf8() > 2 { 2 } else { 1 };
    if name.chars().map(width).sum::<usize>() <= LABEL_WIDTH {
        return name.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in name.chars() {
        if used + width(c) > LABEL_WIDTH - 1 {
            break;
        }
        used += width(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// The churn warnings page.
#[component]
pub fn ChurnPage() -> impl IntoView {
    let teach = TeachState::new();
    let list = ListState {
        selected: RwSignal::new(HashSet::new()),
        shown: RwSignal::new(PAGE),
    };
    method_page(
        "churn-page",
        Key::MethodsChurnTitle,
        "churn-warnings",
        export_rows,
        view! { <ChurnParams/> },
        move |a| view! { <ChurnBody a=a teach=teach list=list/> },
    )
}

/// One row per warning, by value at risk.
fn export_rows(i18n: I18n, app: AppState, a: &Analysis) -> Vec<Vec<String>> {
    let names = super::customer_names(app);
    let mut out = vec![super::heading(
        i18n,
        &[
            Key::InsightColCustomer,
            Key::InsightColId,
            Key::SalesTermDaysSinceLast,
            Key::SalesTermIntervalDays,
            Key::SalesTermThresholdDays,
            Key::SalesTermPAlive,
            Key::SalesTermValueAtRisk,
        ],
    )];
    for id in &a.churn.warnings {
        let Some(c) = a.churn.customer(id) else {
            continue;
        };
        out.push(vec![
            names.get(id).cloned().unwrap_or_default(),
            id.to_string(),
            c.days_since_last.to_string(),
            format!("{:.1}", c.interval_days),
            format!("{:.1}", c.threshold_days),
            c.p_alive.map(|p| format!("{p:.3}")).unwrap_or_default(),
            kehu_core::transactions_csv::format_amount(c.value_at_risk),
        ]);
    }
    out
}

/// k and the P(alive) threshold: each change is checked, saved and applied at once.
#[component]
fn ChurnParams() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let (k0, p0) = app
        .data
        .settings
        .with_untracked(|s| (s.analysis.churn_k, s.analysis.churn_p_alive_below));
    let k_text = RwSignal::new(k0.to_string());
    let p_text = RwSignal::new(p0.to_string());
    let error = RwSignal::new(None::<String>);
    let apply = move || {
        let parse = |s: String| super::parse_number(&s);
        let (k, p) = (k_text.get_untracked(), p_text.get_untracked());
        match (parse(k.clone()), parse(p.clone())) {
            (Some(k), Some(p)) if k > 0.0 && k <= 100.0 && (0.0..=1.0).contains(&p) => {
                error.set(None);
                save_analysis(move |s| {
                    s.churn_k = k;
                    s.churn_p_alive_below = p;
                });
            }
            (Some(k), _) if k > 0.0 && k <= 100.0 => {
                error.set(Some(i18n.tf(Key::MethodsPAliveBad, &[("value", p.trim())])))
            }
            _ => error.set(Some(i18n.tf(Key::MethodsKBad, &[("value", k.trim())]))),
        }
    };
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                <div class="field">
                    <label for="churn-k">{move || i18n.t(Key::MethodsKLabel)}</label>
                    <input id="churn-k" type="number" min="0.1" max="100" step="any" inputmode="decimal"
                        aria-describedby="churn-err"
                        prop:value=move || k_text.get()
                        on:change=move |ev| { k_text.set(event_target_value(&ev)); apply(); }/>
                </div>
                <div class="field">
                    <label for="churn-p">{move || i18n.t(Key::MethodsPAliveLabel)}</label>
                    <input id="churn-p" type="number" min="0" max="1" step="any" inputmode="decimal"
                        aria-describedby="churn-err"
                        prop:value=move || p_text.get()
                        on:change=move |ev| { p_text.set(event_target_value(&ev)); apply(); }/>
                </div>
            </div>
            <p class="help">{move || i18n.t(Key::MethodsChurnHelp)}</p>
            <p class="error" id="churn-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Creates one churn task per chosen customer (see [`churn_tasks`]) in one transaction, then
/// offers to undo it.
fn create_tasks(chosen: Vec<Uuid>, list: ListState) {
    let i18n = use_i18n();
    let app = use_app();
    let toasts = use_toasts();
    if chosen.is_empty() {
        toasts.info(Key::MethodsNoneSelected, &[]);
        return;
    }
    // Task titles name the customer as the tasks page does: by name.
    let names: HashMap<Uuid, String> = app
        .data
        .customers
        .with_untracked(|cs| cs.iter().map(|c| (c.id, c.name.clone())).collect());
    let (created, skipped) = app.data.tasks.with_untracked(|ts| {
        churn_tasks(&chosen, ts, today(), now(), |cid| {
            let name = names.get(&cid).cloned().unwrap_or_default();
            (
                new_id(),
                i18n.tf(Key::PipelineTaskChurnTitle, &[("name", &name)]),
            )
        })
    });
    if created.is_empty() {
        toasts.info(
            Key::MethodsTasksAllOpen,
            &[("n", &skipped.len().to_string())],
        );
        return;
    }
    let ids: Vec<Uuid> = created.iter().map(|t| t.id).collect();
    let changes = created
        .into_iter()
        .map(|t| Change::Put(Record::Task(t)))
        .collect();
    leptos::task::spawn_local(async move {
        match app.apply(changes).await {
            Ok(()) => {
                list.selected.set(HashSet::new());
                let n = ids.len().to_string();
                let undo = Callback::new(move |()| {
                    let deletes = ids
                        .iter()
                        .map(|id| Change::Delete(StoreName::Tasks, *id))
                        .collect();
                    leptos::task::spawn_local(async move {
                        if let Err(e) = app.apply(deletes).await {
                            toasts.storage_error(&e);
                        }
                    });
                });
                let (key, skipped) = if skipped.is_empty() {
                    (Key::MethodsTasksCreated, String::new())
                } else {
                    (Key::MethodsTasksCreatedSkipped, skipped.len().to_string())
                };
                toasts.show(
                    ToastKind::Info,
                    key,
                    &[("n", &n), ("skipped", &skipped)],
                    Some((Key::Undo, undo)),
                    UNDO_SECONDS,
                );
            }
            Err(e) => toasts.storage_error(&e),
        }
    });
}

/// Summary, chart, the list with its actions, and the teaching panel for one analysis.
#[component]
fn ChurnBody(a: Arc<Analysis>, teach: TeachState, list: ListState) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let names: Arc<HashMap<String, String>> = Arc::new(app.data.customers.with_untracked(|cs| {
        cs.iter()
            .map(|c| (c.id.to_string(), customer_label(c)))
            .collect()
    }));
    let warned: Arc<Vec<String>> =
        Arc::new(a.churn.warnings.iter().map(|id| id.to_string()).collect());
    // Warnings first (by value at risk), then every other buyer, in the teaching panel's list.
    let mut ids: Vec<String> = warned.to_vec();
    ids.extend(
        a.churn
            .customers
            .iter()
            .filter(|c| !c.warning)
            .map(|c| c.customer_id.to_string()),
    );
    let total: i64 = a
        .churn
        .warnings
        .iter()
        .filter_map(|id| a.churn.customer(id))
        .fold(0i64, |s, c| s.saturating_add(c.value_at_risk));
    let summary = i18n.tf(
        Key::MethodsChurnSummary,
        &[
            ("n", &warned.len().to_string()),
            ("buyers", &a.churn.customers.len().to_string()),
            ("total", &money_in(app, total)),
        ],
    );
    // The chart names customers by name only: it has little room.
    let plain_names: HashMap<CustomerId, String> = app
        .data
        .customers
        .with_untracked(|cs| cs.iter().map(|c| (c.id.into(), c.name.clone())).collect());
    let plain = move |id: &CustomerId| {
        plain_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let bars: Vec<Bar> = a
        .churn
        .warnings
        .iter()
        .take(CHART_TOP)
        .filter_map(|id| a.churn.customer(id))
        .map(|c| {
            let short = chart_label(&plain(&c.customer_id));
            Bar {
                label: short,
                value: c.value_at_risk as f64,
                text: money_in(app, c.value_at_risk),
            }
        })
        .collect();
    let title = i18n.t(Key::MethodsVarChart).to_string();
    let rows = bars
        .iter()
        .map(|b| vec![b.label.clone(), b.text.clone()])
        .collect();
    let desc = i18n.tf(
        Key::MethodsVarChartDesc,
        &[
            ("n", &bars.len().to_string()),
            ("total", &money_in(app, total)),
        ],
    );
    // Customers who already have an open churn task.
    let open = Memo::new(move |_| {
        app.data.tasks.with(|ts| {
            ts.iter()
                .filter(|t| t.origin == TaskOrigin::ChurnWarning && !t.done && !t.dismissed)
                .filter_map(|t| t.customer_id.map(|c| c.to_string()))
                .collect::<HashSet<_>>()
        })
    });
    let a2 = a.clone();
    let names2 = names.clone();
    let warned2 = warned.clone();
    let table_rows = move || {
        let n = list.shown.get();
        warned2
            .iter()
            .take(n)
            .filter_map(|id| a2.churn.customer(id).map(|c| (id.clone(), c.clone())))
            .map(|(id, c)| {
                let name = names2.get(&id).cloned().unwrap_or_else(|| id.clone());
                let href = Uuid::parse_str(&id)
                    .map(|u| Route::Customer(u).href())
                    .unwrap_or_default();
                let id_check = id.clone();
                let id_toggle = id.clone();
                let id_open = id.clone();
                let aria = i18n.tf(Key::MethodsSelectCustomer, &[("name", &name)]);
                view! {
                    <tr>
                        <td class="pick">
                            <input type="checkbox" aria-label=aria
                                prop:checked=move || list.selected.with(|s| s.contains(&id_check))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let id = id_toggle.clone();
                                    list.selected.update(|s| {
                                        if on { s.insert(id); } else { s.remove(&id); }
                                    });
                                }/>
                        </td>
                        <th scope="row"><a href=href>{name}</a></th>
                        <td>{c.days_since_last}</td>
                        <td>{format!("{:.0}", c.threshold_days)}</td>
                        <td>{money_in(app, c.value_at_risk)}</td>
                        <td>
                            {move || open.with(|o| o.contains(&id_open)).then(|| view! {
                                <span class="badge">{i18n.t(Key::MethodsTaskOpen)}</span>
                            })}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    let more = {
        let count = warned.len();
        move || {
            let shown = list.shown.get();
            (shown < count).then(|| {
                view! {
                    <button type="button" class="no-print" on:click=move |_| list.shown.update(|n| *n += PAGE)>
                        {i18n.tf(Key::MethodsShowMore, &[("shown", &shown.to_string()), ("count", &count.to_string())])}
                    </button>
                }
            })
        }
    };
    let select_shown = {
        let warned = warned.clone();
        move |_| {
            let n = list.shown.get_untracked();
            list.selected
                .update(|s| s.extend(warned.iter().take(n).cloned()));
        }
    };
    let create = {
        let warned = warned.clone();
        move |_| {
            // In rank order, only customers still warned about.
            let chosen: Vec<Uuid> = list.selected.with_untracked(|s| {
                warned
                    .iter()
                    .filter(|id| s.contains(*id))
                    .filter_map(|id| Uuid::parse_str(id).ok())
                    .collect()
            });
            create_tasks(chosen, list);
        }
    };
    let count_selected = {
        let warned = warned.clone();
        move || {
            list.selected
                .with(|s| warned.iter().filter(|id| s.contains(*id)).count())
        }
    };
    let as_of = a.as_of.to_string();
    view! {
        <p class="help">{i18n.tf(Key::InsightAsOf, &[("date", &as_of)])}</p>
        <p class="summary">{summary}</p>
        <p class="help var-definition">{i18n.t(Key::MethodsVarDefinition)}</p>
        <div class="charts">
            <ChartFrame
                id="chart-var"
                title=title.clone()
                headers=vec![
                    i18n.t(Key::InsightColCustomer).to_string(),
                    i18n.t(Key::SalesTermValueAtRisk).to_string(),
                ]
                rows=rows
            >
                <RowChart
                    id="chart-var"
                    title=title
                    desc=desc
                    y_label=i18n.t(Key::InsightColCustomer).to_string()
                    x_label=i18n.t(Key::SalesTermValueAtRisk).to_string()
                    bars=bars
                />
            </ChartFrame>
        </div>
        <section class="card warnings">
            <div class="actions no-print">
                <button type="button" on:click=select_shown>{i18n.t(Key::MethodsSelectShown)}</button>
                <button type="button" on:click=move |_| list.selected.set(HashSet::new())>
                    {i18n.t(Key::MethodsClearSelection)}
                </button>
                <button type="button" class="primary" on:click=create>
                    {move || i18n.tf(Key::MethodsCreateTasks, &[("n", &count_selected().to_string())])}
                </button>
            </div>
            <div class="table-scroll">
                <table class="warning-table">
                    <caption>{i18n.t(Key::MethodsWarningTable)}</caption>
                    <thead>
                        <tr>
                            <th scope="col"><span class="visually-hidden">{i18n.t(Key::MethodsColSelect)}</span></th>
                            <th scope="col">{i18n.t(Key::InsightColCustomer)}</th>
                            <th scope="col">{i18n.t(Key::SalesTermDaysSinceLast)}</th>
                            <th scope="col">{i18n.t(Key::SalesTermThresholdDays)}</th>
                            <th scope="col">{i18n.t(Key::SalesTermValueAtRisk)}</th>
                            <th scope="col">{i18n.t(Key::MethodsColTask)}</th>
                        </tr>
                    </thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </div>
            {more}
        </section>
        <Teach method=Method::Churn formula=Key::MethodsChurnFormula a=a ids=ids state=teach/>
    }
}

#[cfg(test)]
mod tests {
    use super::chart_label;

    #[test]
    fn chart_labels_fit_their_column() {
        assert_eq!(chart_label("Iris Clarke"), "Iris Clarke");
        assert_eq!(chart_label("王芳"), "王芳");
        assert_eq!(
            chart_label("某某教育咨询有限公司上海分公司"),
            "某某教育咨询有限公…"
        );
        assert_eq!(
            chart_label("Alexandra Montgomery-Smith"),
            "Alexandra Montgomer…"
        );
    }
}
