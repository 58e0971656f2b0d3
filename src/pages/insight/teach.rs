//! "How is this computed?": the method's formula in words (with the course's terms in Chinese and
//! English), the parameters in force, and a worked example on a customer the user picks, with that
//! customer's own numbers step by step, from [`Analysis::explain`].

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use kehu_core::analytics::analyze::Analysis;
use kehu_core::analytics::explain::{Method, Value};
use kehu_core::search::{Query, SearchIndex};

use crate::i18n::{use_i18n, I18n, Key};
use crate::pages::customers::view::{term_name, value_text};
use crate::pages::sales::customer_label;
use crate::state::use_app;

/// Most customers listed in the picker at once; typing narrows the list.
const MAX_OPTIONS: usize = 50;

/// What the teaching panel remembers across recomputes: the search text and the chosen customer.
#[derive(Clone, Copy)]
pub struct TeachState {
    /// Text typed in the customer search.
    pub search: RwSignal<String>,
    /// The chosen customer's id (`None`: the first one the list offers).
    pub chosen: RwSignal<Option<String>>,
}

impl TeachState {
    /// A fresh state.
    pub fn new() -> Self {
        TeachState {
            search: RwSignal::new(String::new()),
            chosen: RwSignal::new(None),
        }
    }
}

impl Default for TeachState {
    fn default() -> Self {
        Self::new()
    }
}

/// The label of a quantity, with names the customer page has no words for.
pub fn term(i18n: I18n, name: &str) -> String {
    let key = match name {
        "threshold_a" => Key::InsightTermThresholdA,
        "threshold_b" => Key::InsightTermThresholdB,
        "positive_total" => Key::InsightTermPositiveTotal,
        "cumulative_before" => Key::InsightTermCumulativeBefore,
        "share_before" => Key::InsightTermShareBefore,
        "position" => Key::InsightTermPosition,
        "class" => Key::InsightTermClass,
        _ => {
            return super::matrix::term_key(name)
                .map_or_else(|| term_name(i18n, name), |k| i18n.t(k).to_string())
        }
    };
    i18n.t(key).to_string()
}

/// A value as text; ABC classes read as capitals.
pub fn value(i18n: I18n, v: &Value) -> String {
    match v {
        Value::Id(id) if matches!(id.as_str(), "a" | "b" | "c") => id.to_uppercase(),
        Value::Id(id) if super::matrix::id_key(id).is_some() => super::matrix::id_key(id)
            .map(|k| i18n.t(k).to_string())
            .unwrap_or_default(),
        // Loyalty quadrants (the course's loyalty types).
        Value::Id(id) if id == "true" => i18n.t(Key::SalesQuadrantTrue).to_string(),
        Value::Id(id) if id == "latent" => i18n.t(Key::SalesQuadrantLatent).to_string(),
        Value::Id(id) if id == "spurious" => i18n.t(Key::SalesQuadrantSpurious).to_string(),
        other => value_text(i18n, other),
    }
}

/// The teaching panel of `method`; `ids` are the customers that have a result, in the order the
/// picker offers them when nothing is typed.
#[component]
pub fn Teach(
    /// The method explained.
    method: Method,
    /// The formula in words.
    formula: Key,
    /// The analysis.
    a: Arc<Analysis>,
    /// Customers with a result, best first.
    ids: Vec<String>,
    /// The remembered search and choice.
    state: TeachState,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let ids = Arc::new(ids);
    // Labels and search text of every customer, by id.
    let people = Memo::new(move |_| {
        app.data.customers.with(|cs| {
            let index = SearchIndex::build(cs);
            let pos: HashMap<String, usize> = cs
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.to_string(), i))
                .collect();
            let labels: Vec<String> = cs.iter().map(customer_label).collect();
            Arc::new((index, pos, labels))
        })
    });
    let options = {
        let ids = ids.clone();
        Memo::new(move |_| {
            let q = Query::new(&state.search.get());
            let p = people.get();
            let (index, pos, labels) = &*p;
            ids.iter()
                .filter_map(|id| {
                    let i = *pos.get(id)?;
                    (q.is_empty() || index.matches(i, &q)).then(|| (id.clone(), labels[i].clone()))
                })
                .take(MAX_OPTIONS)
                .collect::<Vec<_>>()
        })
    };
    let current = move || {
        let chosen = state.chosen.get();
        options.with(|o| match &chosen {
            Some(id) if o.iter().any(|(x, _)| x == id) => Some(id.clone()),
            _ => o.first().map(|(id, _)| id.clone()),
        })
    };
    let example = move || {
        let Some(id) = current() else {
            return view! { <p class="help">{i18n.t(Key::InsightNoMatch)}</p> }.into_any();
        };
        let name = options.with(|o| o.iter().find(|(x, _)| *x == id).map(|(_, l)| l.clone()));
        let Some(e) = a.explain(method, &id) else {
            return view! { <p class="help">{i18n.t(Key::InsightNoResult)}</p> }.into_any();
        };
        let params = e
            .parameters
            .iter()
            .map(|t| format!("{} = {}", term(i18n, &t.name), value(i18n, &t.value)))
            .collect::<Vec<_>>()
            .join(" · ");
        view! {
            <h3>{i18n.tf(Key::InsightExampleFor, &[("name", &name.unwrap_or_default())])}</h3>
            <p class="params">
                <strong>{i18n.t(Key::InsightParamsInForce)}</strong>" "{params}
            </p>
            <ol class="steps">
                {e.steps
                    .into_iter()
                    .map(|s| {
                        let inputs = s
                            .inputs
                            .iter()
                            .map(|t| format!("{} = {}", term(i18n, &t.name), value(i18n, &t.value)))
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <li>
                                <code>{s.formula}</code>
                                {(!inputs.is_empty()).then(|| view! { <span class="inputs">{inputs}</span> })}
                                <span class="result">
                                    {format!("→ {} = {}", term(i18n, &s.result.name), value(i18n, &s.result.value))}
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };
    let select_id = format!("teach-{}-customer", method_id(method));
    let search_id = format!("teach-{}-search", method_id(method));
    view! {
        <details class="teach card" open>
            <summary>{move || i18n.t(Key::SalesHowComputed)}</summary>
            <p class="formula">{move || i18n.t(formula)}</p>
            <div class="teach-pick no-print">
                <div class="field">
                    <label for=search_id.clone()>{move || i18n.t(Key::InsightFindCustomer)}</label>
                    <input
                        id=search_id
                        type="search"
                        autocomplete="off"
                        prop:value=move || state.search.get()
                        on:input=move |ev| state.search.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for=select_id.clone()>{move || i18n.t(Key::InsightExampleCustomer)}</label>
                    <select
                        id=select_id
                        on:change=move |ev| state.chosen.set(Some(event_target_value(&ev)))
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

fn method_id(m: Method) -> &'static str {
    match m {
        Method::Rfm => "rfm",
        Method::Abc => "abc",
        _ => "other",
    }
}
