//! Customer lifetime value: the fitted BG/NBD and Gamma-Gamma parameters, the P(alive)
//! distribution, the customers with the highest predicted CLV, the textbook formula beside the
//! model, and a worked example. The fit is its own memo, made when this page opens and dropped when
//! it closes, so no other page pays for it.

use std::cell::RefCell;
use std::sync::Arc;

use chrono::NaiveDate;
use leptos::prelude::*;

use kehu_core::analytics::clv::{
    explain_workspace_customer, transactions_of_orders, workspace_clv, ClvError, ClvReport,
    TimeUnit, WorkspaceClv,
};
use kehu_core::analytics::explain::{Step, Term, Value};
use kehu_core::analytics::Transaction;

use super::super::chart::{Bar, ChartFrame, RowChart};
use super::super::{method_page, save_analysis};
use super::{histogram, major, names, number_field, sig, steps_view};
use crate::i18n::{use_i18n, I18n, Key};
use crate::routing::Route;
use crate::state::{today, use_app, AppState, LoadState};

/// How many of the most valuable customers the page lists.
const TOP: usize = 20;
/// Most customers the worked-example picker lists at once.
const MAX_OPTIONS: usize = 50;

/// One CLV computation; equal only to itself, so a recompute always redraws.
#[derive(Clone)]
struct Fit(Arc<(Arc<Vec<Transaction>>, WorkspaceClv)>);

/// The transactions of the orders; equal only to itself (comparing a million rows would cost
/// more than it saves).
#[derive(Clone)]
struct Log(Arc<Vec<Transaction>>);

impl PartialEq for Log {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for Fit {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

thread_local! {
    /// The fit on screen, for the CSV export.
    static SHOWN: RefCell<Option<Fit>> = const { RefCell::new(None) };
}

/// The CLV page.
#[component]
pub fn ClvPage() -> impl IntoView {
    let app = use_app();
    // Only what the fit reads: the CLV settings and the analysis date.
    let inputs = Memo::new(move |_| {
        app.data
            .settings
            .with(|s| (s.analysis.clv, s.analysis.as_of.unwrap_or_else(today)))
    });
    // The orders as the model reads them: made again when the orders change, not when a
    // parameter does.
    let log = Memo::new(move |_| {
        (app.load.get() == LoadState::Ready).then(|| {
            Log(Arc::new(
                app.data.orders.with(|o| transactions_of_orders(o)),
            ))
        })
    });
    let fit = Memo::new(move |_| {
        let tx = log.get()?.0;
        let (settings, as_of) = inputs.get();
        let w = workspace_clv(&tx, as_of, &settings, TOP);
        let fit = Fit(Arc::new((tx, w)));
        SHOWN.with(|s| *s.borrow_mut() = Some(fit.clone()));
        Some(fit)
    });
    on_cleanup(|| SHOWN.with(|s| *s.borrow_mut() = None));
    let chosen = RwSignal::new(None::<String>);
    let search = RwSignal::new(String::new());
    method_page(
        "clv-page",
        Key::ValueClvTitle,
        "clv",
        |i18n, app, _| export_rows(i18n, app),
        view! { <ClvParams/> },
        move |_| {
            move || match fit.get() {
                None => view! { <p class="loading" role="status">{use_i18n().t(Key::Loading)}</p> }
                    .into_any(),
                Some(f) => view! { <ClvBody fit=f chosen=chosen search=search/> }.into_any(),
            }
        },
    )
}

/// One row per customer of the model.
fn export_rows(i18n: I18n, app: AppState) -> Vec<Vec<String>> {
    let names = names(app);
    let mut out = vec![[
        Key::InsightColCustomer,
        Key::InsightColId,
        Key::ValueTermX,
        Key::ValueTermTx,
        Key::ValueTermT,
        Key::SalesTermPAlive,
        Key::ValueColExpectedPurchases,
        Key::ValueColClv,
    ]
    .iter()
    .map(|k| i18n.t(*k).to_string())
    .collect::<Vec<_>>()];
    let shown = SHOWN.with(|s| s.borrow().clone());
    if let Some(Ok(r)) = shown.as_ref().map(|f| &f.0 .1.model) {
        for c in &r.customers {
            out.push(vec![
                names.get(&c.customer_id).cloned().unwrap_or_default(),
                c.customer_id.clone(),
                c.frequency.to_string(),
                format!("{:.4}", c.recency),
                format!("{:.4}", c.t),
                format!("{:.6}", c.p_alive),
                format!("{:.6}", c.expected_purchases),
                c.clv.map(|v| format!("{v:.2}")).unwrap_or_default(),
            ]);
        }
    }
    out
}

/// Calibration end, time unit, horizon and discount rate: each change is checked, saved and
/// applied at once.
#[component]
fn ClvParams() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let clv = move || app.data.settings.with(|s| s.analysis.clv);
    let error = RwSignal::new(None::<String>);
    view! {
        <form class="params card no-print" on:submit=|ev| ev.prevent_default()>
            <h2>{move || i18n.t(Key::InsightParams)}</h2>
            <div class="param-grid">
                <div class="field">
                    <label for="clv-cal-end">{move || i18n.t(Key::ValueCalibrationEnd)}</label>
                    <input
                        id="clv-cal-end"
                        type="date"
                        aria-describedby="clv-cal-end-help"
                        prop:value=move || clv().calibration_end.map(|d| d.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let d = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
                            save_analysis(move |s| s.clv.calibration_end = d);
                        }
                    />
                    <p class="help" id="clv-cal-end-help">{move || i18n.t(Key::ValueCalibrationEndHelp)}</p>
                </div>
                <div class="field">
                    <label for="clv-unit">{move || i18n.t(Key::ValueTimeUnit)}</label>
                    <select
                        id="clv-unit"
                        on:change=move |ev| {
                            let unit = if event_target_value(&ev) == "day" { TimeUnit::Day } else { TimeUnit::Week };
                            save_analysis(move |s| s.clv.time_unit = unit);
                        }
                    >
                        <option value="week" selected=move || clv().time_unit == TimeUnit::Week>
                            {move || i18n.t(Key::ValueUnitWeek)}
                        </option>
                        <option value="day" selected=move || clv().time_unit == TimeUnit::Day>
                            {move || i18n.t(Key::ValueUnitDay)}
                        </option>
                    </select>
                </div>
                {number_field(
                    "clv-horizon",
                    "clv-err",
                    Key::ValueHorizonMonths,
                    |s| f64::from(s.clv.horizon_months),
                    |i18n, x| {
                        if x.fract() == 0.0 && (1.0..=1200.0).contains(&x) {
                            Ok(x)
                        } else {
                            Err(i18n.tf(Key::ValueHorizonRange, &[("value", &x.to_string())]))
                        }
                    },
                    |s, x| s.clv.horizon_months = x as u32,
                    error,
                )}
                {number_field(
                    "clv-discount",
                    "clv-err",
                    Key::ValueDiscountRate,
                    |s| s.clv.discount_rate * 100.0,
                    |i18n, x| {
                        if (0.0..100.0).contains(&x) {
                            Ok(x)
                        } else {
                            Err(i18n.tf(Key::ValueDiscountRange, &[("value", &x.to_string())]))
                        }
                    },
                    |s, x| s.clv.discount_rate = x / 100.0,
                    error,
                )}
            </div>
            <p class="help">{move || i18n.t(Key::ValueClvParamsHelp)}</p>
            <p class="error" id="clv-err" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// The message shown when the model cannot be fitted.
fn thin_message(i18n: I18n, e: &ClvError, calibration_end: NaiveDate) -> String {
    match e {
        ClvError::NoTransactions => i18n.tf(
            Key::ValueThinNoPurchases,
            &[("date", &calibration_end.to_string())],
        ),
        ClvError::TooFewCustomers {
            model,
            customers,
            required,
        } => i18n.tf(
            Key::ValueThinTooFew,
            &[
                ("model", model),
                ("customers", &customers.to_string()),
                ("required", &required.to_string()),
            ],
        ),
        ClvError::NoRepeatBuyers => i18n.t(Key::ValueThinNoRepeat).to_string(),
        ClvError::NotIdentifiable { model, reason } => i18n.tf(
            Key::ValueThinNotIdentifiable,
            &[("model", model), ("reason", reason)],
        ),
        ClvError::DidNotConverge { model, .. } => {
            i18n.tf(Key::ValueThinNoConvergence, &[("model", model)])
        }
        other => i18n.tf(Key::ValueClvFailed, &[("detail", &other.to_string())]),
    }
}

/// The page's figures for one fit.
#[component]
fn ClvBody(fit: Fit, chosen: RwSignal<Option<String>>, search: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let w = &fit.0 .1;
    let o = &w.options;
    let unit = match o.time_unit {
        TimeUnit::Week => i18n.t(Key::ValueUnitWeeks),
        TimeUnit::Day => i18n.t(Key::ValueUnitDays),
    };
    let head = i18n.tf(
        Key::ValueClvBasis,
        &[
            ("date", &o.calibration_end.to_string()),
            ("unit", unit),
            ("months", &o.horizon_months.to_string()),
            ("rate", &format!("{}%", sig_short(o.discount_rate * 100.0))),
        ],
    );
    let model = match &w.model {
        Err(e) => view! {
            <p class="error thin-data" role="alert">{thin_message(i18n, e, o.calibration_end)}</p>
        }
        .into_any(),
        Ok(r) => {
            let r = r.clone();
            view! {
                <ModelView report=r.clone() fit=fit.clone()/>
                <ClvTeach report=r fit=fit.clone() chosen=chosen search=search/>
            }
            .into_any()
        }
    };
    view! {
        <p class="help">{head}</p>
        {model}
        <Textbook fit=fit.clone()/>
    }
}

/// A short number for running text: up to four decimals, no trailing zeros.
fn sig_short(x: f64) -> String {
    let s = format!("{x:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Fitted parameters, P(alive) distribution and the top customers.
#[component]
fn ModelView(report: ClvReport, fit: Fit) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let e = &report.explanation;
    let bg = report.bgnbd;
    let mut rows: Vec<(&'static str, f64, Key)> = vec![
        ("r", bg.r, Key::ValueParamR),
        ("α", bg.alpha, Key::ValueParamAlpha),
        ("a", bg.a, Key::ValueParamA),
        ("b", bg.b, Key::ValueParamB),
    ];
    if let Some(g) = report.gamma_gamma {
        rows.extend([
            ("p", g.p, Key::ValueParamP),
            ("q", g.q, Key::ValueParamQ),
            ("v", g.v, Key::ValueParamV),
        ]);
    }
    let counts = i18n.tf(
        Key::ValueClvCounts,
        &[
            ("customers", &e.customers.to_string()),
            ("repeat", &e.repeat_buyers.to_string()),
            ("gg", &e.gamma_gamma_customers.to_string()),
        ],
    );
    let notes = view! {
        {e.bgnbd_note.as_ref().map(|_| view! { <p class="warning">{i18n.t(Key::ValuePenalisedNote)}</p> })}
        {e.gamma_gamma_error.clone().map(|d| view! {
            <p class="warning" role="status">{i18n.tf(Key::ValueNoGammaGamma, &[("detail", &d)])}</p>
        })}
    };
    // P(alive) in ten bins.
    let h = histogram(report.customers.iter().map(|c| c.p_alive), 10, 0.0, 1.0);
    let bars: Vec<Bar> = h
        .iter()
        .enumerate()
        .map(|(i, n)| Bar {
            label: format!("{:.1}–{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0),
            value: f64::from(*n),
            text: n.to_string(),
        })
        .collect();
    let title = i18n.t(Key::ValuePAliveTitle).to_string();
    let likely = report.customers.iter().filter(|c| c.p_alive >= 0.5).count();
    let desc = i18n.tf(
        Key::ValuePAliveDesc,
        &[
            ("customers", &report.customers.len().to_string()),
            ("alive", &likely.to_string()),
        ],
    );
    let table_rows = bars
        .iter()
        .map(|b| vec![b.label.clone(), b.text.clone()])
        .collect();
    let names = names(app);
    let months = fit.0 .1.options.horizon_months.to_string();
    let top = fit.0 .1.top.clone();
    view! {
        <div class="clv-model">
            <section class="card">
                <div class="table-scroll">
                    <table class="params-table">
                        <caption>{i18n.t(Key::ValueFittedParams)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{i18n.t(Key::ValueColSymbol)}</th>
                                <th scope="col">{i18n.t(Key::InsightColValue)}</th>
                                <th scope="col">{i18n.t(Key::ValueColMeaning)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows
                                .into_iter()
                                .map(|(sym, v, k)| view! {
                                    <tr>
                                        <th scope="row">{sym}</th>
                                        <td>{sig(v)}</td>
                                        <td>{i18n.t(k)}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="help ll">{i18n.tf(Key::ValueLogLikelihood, &[("ll", &sig(bg.log_likelihood))])}</p>
                <p class="help">{counts}</p>
                {notes}
            </section>
            <div class="charts">
                <ChartFrame
                    id="chart-palive"
                    title=title.clone()
                    headers=vec![
                        i18n.t(Key::SalesTermPAlive).to_string(),
                        i18n.t(Key::InsightColCustomers).to_string(),
                    ]
                    rows=table_rows
                >
                    <RowChart
                        id="chart-palive"
                        title=title
                        desc=desc
                        y_label=i18n.t(Key::SalesTermPAlive).to_string()
                        x_label=i18n.t(Key::InsightColCustomers).to_string()
                        bars=bars
                    />
                </ChartFrame>
            </div>
            <section class="card">
                <div class="table-scroll">
                    <table class="top-table">
                        <caption>{i18n.tf(Key::ValueTopTitle, &[("n", &top.len().to_string())])}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{i18n.t(Key::InsightColCustomer)}</th>
                                <th scope="col">{i18n.t(Key::SalesTermPAlive)}</th>
                                <th scope="col">{i18n.tf(Key::ValueColExpectedPurchasesIn, &[("months", &months)])}</th>
                                <th scope="col">{i18n.t(Key::ValueColExpectedSpend)}</th>
                                <th scope="col">{i18n.t(Key::ValueColClv)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {top
                                .into_iter()
                                .map(|c| {
                                    let name = names.get(&c.customer_id).cloned().unwrap_or_else(|| c.customer_id.clone());
                                    let link = uuid::Uuid::parse_str(&c.customer_id).ok().map(|id| Route::Customer(id).href());
                                    view! {
                                        <tr>
                                            <th scope="row">
                                                {match link {
                                                    Some(href) => view! { <a href=href>{name}</a> }.into_any(),
                                                    None => name.into_any(),
                                                }}
                                            </th>
                                            <td>{format!("{:.3}", c.p_alive)}</td>
                                            <td>{format!("{:.2}", c.expected_purchases)}</td>
                                            <td>{c.expected_spend.map(|s| major(app, s)).unwrap_or_else(|| "—".into())}</td>
                                            <td>{c.clv.map(|s| major(app, s)).unwrap_or_else(|| "—".into())}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        </div>
    }
}

/// The textbook formula beside the model.
#[component]
fn Textbook(fit: Fit) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let w = &fit.0 .1;
    let t = &w.textbook;
    let o = &w.options;
    let model = w
        .mean_clv
        .map(|m| major(app, m))
        .unwrap_or_else(|| "—".into());
    let model_n = w.model.as_ref().map(|r| r.customers.len()).unwrap_or(0);
    let textbook = t.clv.as_ref().map(|c| major(app, c.clv));
    let inputs = i18n.tf(
        Key::ValueTextbookInputs,
        &[
            ("m", &major(app, t.margin_per_month)),
            ("buyers", &t.buyers_last_year.to_string()),
            ("revenue", &major(app, t.revenue_last_year)),
            ("retained", &t.retained.to_string()),
            ("before", &t.buyers_year_before.to_string()),
            ("r12", &format!("{:.3}", t.retention_yearly)),
            ("r", &format!("{:.4}", t.retention_monthly)),
            ("d", &sig_short(o.discount_rate)),
            ("n", &o.horizon_months.to_string()),
        ],
    );
    view! {
        <section class="card textbook">
            <div class="table-scroll">
                <table>
                    <caption>{i18n.t(Key::ValueCompareTitle)}</caption>
                    <tbody>
                        <tr>
                            <th scope="row">{i18n.tf(Key::ValueModelMean, &[("n", &model_n.to_string())])}</th>
                            <td>{model}</td>
                        </tr>
                        <tr>
                            <th scope="row">{i18n.t(Key::ValueTextbookClv)}</th>
                            <td>{textbook.clone().unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    </tbody>
                </table>
            </div>
            <p class="formula"><code>"CLV = Σ_{t=1..n} m·rᵗ / (1 + d)ᵗ"</code></p>
            <p class="help">{inputs}</p>
            {textbook.is_none().then(|| view! { <p class="warning">{i18n.t(Key::ValueTextbookNoHistory)}</p> })}
        </section>
    }
}

/// "How is this computed?" for the model: formulas, then one customer's figures step by step.
#[component]
fn ClvTeach(
    report: ClvReport,
    fit: Fit,
    chosen: RwSignal<Option<String>>,
    search: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let names = Arc::new(names(app));
    // Customers best first: by CLV, else by expected purchases.
    let mut ids: Vec<(f64, String)> = report
        .customers
        .iter()
        .map(|c| (c.clv.unwrap_or(c.expected_purchases), c.customer_id.clone()))
        .collect();
    ids.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
    let ids: Arc<Vec<String>> = Arc::new(ids.into_iter().map(|(_, id)| id).collect());
    let options = {
        let names = names.clone();
        Memo::new(move |_| {
            let q = search.get().trim().to_lowercase();
            ids.iter()
                .map(|id| {
                    (
                        id.clone(),
                        names.get(id).cloned().unwrap_or_else(|| id.clone()),
                    )
                })
                .filter(|(_, label)| q.is_empty() || label.to_lowercase().contains(&q))
                .take(MAX_OPTIONS)
                .collect::<Vec<_>>()
        })
    };
    let current = move || {
        let c = chosen.get();
        options.with(|o| match &c {
            Some(id) if o.iter().any(|(x, _)| x == id) => Some(id.clone()),
            _ => o.first().map(|(id, _)| id.clone()),
        })
    };
    let e = report.explanation.clone();
    let bg = report.bgnbd;
    let gg = report.gamma_gamma;
    let example = move || {
        let Some(id) = current() else {
            return view! { <p class="help">{i18n.t(Key::InsightNoMatch)}</p> }.into_any();
        };
        let Some((s, x)) = explain_workspace_customer(&fit.0 .0, &fit.0 .1, &id) else {
            return view! { <p class="help">{i18n.t(Key::InsightNoResult)}</p> }.into_any();
        };
        let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
        let n = Value::Number;
        let mut steps = vec![
            Step::new(
                "clv.summary",
                "x = purchase days − 1 · t_x = last − first · T = end − first · m = mean repeat-day spend",
                vec![
                    Term::new("t_x", n(s.recency)),
                    Term::new("big_t", n(s.t)),
                    Term::new("m", n(s.monetary_value)),
                ],
                Term::new("x", n(s.frequency)),
            ),
            Step::new(
                "clv.p_alive",
                &e.p_alive_formula,
                vec![
                    Term::new("r", n(bg.r)),
                    Term::new("alpha", n(bg.alpha)),
                    Term::new("a", n(bg.a)),
                    Term::new("b", n(bg.b)),
                ],
                Term::new("p_alive", n(x.p_alive)),
            ),
            Step::new(
                "clv.expected_purchases",
                &e.expected_purchases_formula,
                vec![Term::new("t", n(e.predict_periods))],
                Term::new("expected_purchases", n(x.expected_purchases)),
            ),
        ];
        if let (Some(g), Some(spend)) = (gg, x.expected_spend) {
            steps.push(Step::new(
                "clv.expected_spend",
                &e.expected_spend_formula,
                vec![
                    Term::new("p", n(g.p)),
                    Term::new("q", n(g.q)),
                    Term::new("v", n(g.v)),
                    Term::new("x", n(s.frequency)),
                    Term::new("m", n(s.monetary_value)),
                ],
                Term::new("expected_spend", n(spend)),
            ));
        }
        if let Some(clv) = x.clv {
            steps.push(Step::new(
                "clv.clv",
                &e.clv_formula,
                vec![
                    Term::new("months", Value::Int(i64::from(e.horizon_months))),
                    Term::new("d", n(e.discount_rate)),
                    Term::new("k", n(e.periods_per_month)),
                ],
                Term::new("clv", n(clv)),
            ));
        }
        let months = x.months.clone();
        view! {
            <h3>{i18n.tf(Key::InsightExampleFor, &[("name", &name)])}</h3>
            {steps_view(i18n, steps)}
            {(!months.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="months-table">
                        <caption>{i18n.t(Key::ValueMonthsTitle)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{i18n.t(Key::InsightColMonth)}</th>
                                <th scope="col">{i18n.t(Key::ValueColExpectedPurchases)}</th>
                                <th scope="col">{i18n.t(Key::ValueColDiscountFactor)}</th>
                                <th scope="col">{i18n.t(Key::ValueColValue)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {months.into_iter().map(|m| view! {
                                <tr>
                                    <th scope="row">{m.month}</th>
                                    <td>{format!("{:.4}", m.expected_purchases)}</td>
                                    <td>{format!("{:.4}", m.discount_factor)}</td>
                                    <td>{format!("{:.2}", m.value)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        }
        .into_any()
    };
    view! {
        <details class="teach card" open>
            <summary>{move || i18n.t(Key::SalesHowComputed)}</summary>
            <p class="formula">{move || i18n.t(Key::ValueClvFormula)}</p>
            <p class="formula"><code>{report.explanation.bgnbd_likelihood.clone()}</code></p>
            <div class="teach-pick no-print">
                <div class="field">
                    <label for="clv-teach-search">{move || i18n.t(Key::InsightFindCustomer)}</label>
                    <input
                        id="clv-teach-search"
                        type="search"
                        autocomplete="off"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="clv-teach-customer">{move || i18n.t(Key::InsightExampleCustomer)}</label>
                    <select
                        id="clv-teach-customer"
                        on:change=move |ev| chosen.set(Some(event_target_value(&ev)))
                    >
                        {move || {
                            let now = current();
                            options
                                .get()
                                .into_iter()
                                .map(|(id, label)| {
                                    let selected = now.as_deref() == Some(id.as_str());
                                    view! { <option value=id selected=selected>{label}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
            </div>
            <div class="example" aria-live="polite">{example}</div>
        </details>
    }
}
