//! A new deal: customer, title, value, starting stage, expected close date.

use chrono::NaiveDate;
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::transactions_csv::parse_amount;
use kehu_core::{Deal, DealStage, StageChange};

use super::{stage_label, tr, CustomerPicker};
use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::routing::{navigate, Route};
use crate::state::{new_id, now, use_app};
use crate::storage::{Change, Record};

/// Longest deal title accepted.
const MAX_TITLE: usize = 200;

/// What is wrong with the form, field by field.
#[derive(Clone, Debug, Default, PartialEq)]
struct Problems {
    customer: bool,
    title: Option<Key>,
    value: Option<Key>,
    close: bool,
}

impl Problems {
    fn any(&self) -> bool {
        self.customer || self.title.is_some() || self.value.is_some() || self.close
    }
}

/// The new deal form; `customer` preselects the customer.
#[component]
pub fn NewDeal(
    /// The customer the deal is for, when known.
    customer: Option<Uuid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let picked = RwSignal::new(customer.filter(|id| {
        app.data
            .customers
            .with_untracked(|l| l.iter().any(|c| c.id == *id))
    }));
    let title = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let stage = RwSignal::new(DealStage::Prospecting);
    let close = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let saving = RwSignal::new(false);

    let problems = Memo::new(move |_| {
        let t = title.get();
        let v = value.get();
        Problems {
            customer: picked.get().is_none(),
            title: if t.trim().is_empty() {
                Some(Key::PipelineErrTitleRequired)
            } else if t.trim().chars().count() > MAX_TITLE {
                Some(Key::PipelineErrTitleTooLong)
            } else {
                None
            },
            value: match parse_amount(v.trim()) {
                _ if v.trim().is_empty() => Some(Key::PipelineErrValueRequired),
                Ok(m) if m < 0 => Some(Key::PipelineErrValueNegative),
                Ok(_) => None,
                Err(_) => Some(Key::PipelineErrValueInvalid),
            },
            close: {
                let c = close.get();
                !c.trim().is_empty() && NaiveDate::parse_from_str(c.trim(), "%Y-%m-%d").is_err()
            },
        }
    });
    let show = Signal::derive(move || tried.get());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if problems.with_untracked(Problems::any) || saving.get_untracked() {
            request_animation_frame(|| {
                if let Ok(Some(el)) = document().query_selector("form [aria-invalid=\"true\"]") {
                    if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                        let _ = el.focus();
                    }
                }
            });
            return;
        }
        let Some(customer_id) = picked.get_untracked() else {
            return;
        };
        let at = now();
        let start = stage.get_untracked();
        let deal = Deal {
            id: new_id(),
            customer_id,
            title: title.get_untracked().trim().to_string(),
            value: parse_amount(value.get_untracked().trim()).unwrap_or(0),
            stage: start,
            expected_close: NaiveDate::parse_from_str(close.get_untracked().trim(), "%Y-%m-%d")
                .ok(),
            objections: Vec::new(),
            history: vec![StageChange {
                from: None,
                to: start,
                at,
            }],
            sale_id: None,
            created_at: at,
            updated_at: at,
        };
        saving.set(true);
        let toasts = use_toasts();
        leptos::task::spawn_local(async move {
            let name = deal.title.clone();
            match app.apply(vec![Change::Put(Record::Deal(deal))]).await {
                Ok(()) => {
                    toasts.info(Key::PipelineDealSaved, &[("title", &name)]);
                    navigate(Route::Pipeline);
                }
                Err(e) => toasts.storage_error(&e),
            }
            saving.set(false);
        });
    };

    let invalid =
        move |f: fn(&Problems) -> bool| move || (tried.get() && problems.with(f)).then_some("true");
    let message = move |f: fn(&Problems) -> Option<Key>| {
        move || {
            if tried.get() {
                problems.with(f).map(|k| i18n.t(k)).unwrap_or("")
            } else {
                ""
            }
        }
    };

    view! {
        <section class="form-page">
            <div class="page-head">
                <h1>{tr(Key::PipelineNewDeal)}</h1>
                <a href=Route::Pipeline.href()>{tr(Key::PipelineBackToBoard)}</a>
            </div>
            <form novalidate=true on:submit=save>
                <fieldset>
                    <legend>{tr(Key::PipelineDealSection)}</legend>
                    <div class="field wide">
                        <label for="deal-customer">{tr(Key::PipelineCustomer)}<span class="req" aria-hidden="true">" *"</span></label>
                        <CustomerPicker picked=picked show_error=show input_id="deal-customer"/>
                    </div>
                    <div class="field">
                        <label for="deal-title">{tr(Key::PipelineDealTitle)}<span class="req" aria-hidden="true">" *"</span></label>
                        <input id="deal-title" type="text" aria-describedby="deal-title-err"
                            aria-invalid=invalid(|p| p.title.is_some())
                            prop:value=move || title.get()
                            on:input=move |ev| title.set(event_target_value(&ev))/>
                        <p class="error" id="deal-title-err">{message(|p| p.title)}</p>
                    </div>
                    <div class="field">
                        <label for="deal-value">{tr(Key::PipelineDealValue)}<span class="req" aria-hidden="true">" *"</span></label>
                        <input id="deal-value" type="text" inputmode="decimal" aria-describedby="deal-value-err"
                            aria-invalid=invalid(|p| p.value.is_some())
                            prop:value=move || value.get()
                            on:input=move |ev| value.set(event_target_value(&ev))/>
                        <p class="error" id="deal-value-err">{message(|p| p.value)}</p>
                    </div>
                    <div class="field">
                        <label>
                            {tr(Key::PipelineStartStage)}
                            <select on:change=move |ev| stage.set(DealStage::parse(&event_target_value(&ev)).unwrap_or(DealStage::Prospecting))>
                                {DealStage::ALL.into_iter().filter(|s| *s != DealStage::Lost).map(|s| view! {
                                    <option value=s.as_str() selected=move || stage.get() == s>{tr(stage_label(s))}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <div class="field">
                        <label for="deal-close">{tr(Key::PipelineExpectedClose)}</label>
                        <input id="deal-close" type="date" aria-describedby="deal-close-err"
                            aria-invalid=invalid(|p| p.close)
                            prop:value=move || close.get()
                            on:input=move |ev| close.set(event_target_value(&ev))/>
                        <p class="error" id="deal-close-err">{move || (tried.get() && problems.with(|p| p.close)).then(|| i18n.t(Key::PipelineErrDate))}</p>
                    </div>
                </fieldset>
                <p class="form-errors" role="alert">{move || (tried.get() && problems.with(Problems::any)).then(|| i18n.t(Key::FixErrors))}</p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || saving.get()>{tr(Key::Save)}</button>
                    <a class="button" href=Route::Pipeline.href()>{tr(Key::Cancel)}</a>
                </div>
            </form>
        </section>
    }
}
