//! Satisfaction surveys: recording a customer's answer (NPS 0–10, the five dimensions 1–5, a
//! comment) and a printable paper form in either language.

use chrono::NaiveDate;
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::{SatisfactionScores, SurveyResponse};

use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key, Locale};
use crate::pages::pipeline::{customer_name, tr};
use crate::routing::{navigate, Route};
use crate::state::{new_id, now, today, use_app};
use crate::storage::{Change, Record};

/// Longest comment accepted.
const MAX_COMMENT: usize = 2000;

/// The five dimensions in the course's order: (short name, question).
pub const DIMENSIONS: [(Key, Key); 5] = [
    (Key::PipelineDimReliability, Key::PipelineDimReliabilityQ),
    (
        Key::PipelineDimProfessionalism,
        Key::PipelineDimProfessionalismQ,
    ),
    (Key::PipelineDimTangibles, Key::PipelineDimTangiblesQ),
    (Key::PipelineDimEmpathy, Key::PipelineDimEmpathyQ),
    (
        Key::PipelineDimResponsiveness,
        Key::PipelineDimResponsivenessQ,
    ),
];

/// A group of radio buttons `lo..=hi` answering one question.
#[component]
fn Scale(
    /// Group name (unique on the page).
    name: &'static str,
    /// The question, as the group's legend.
    legend: Key,
    /// Help under the legend (e.g. what the ends mean).
    help: Key,
    lo: u8,
    hi: u8,
    value: RwSignal<Option<u8>>,
    show_error: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let missing = move || show_error.get() && value.get().is_none();
    view! {
        <fieldset class="scale" class:invalid=missing aria-describedby=format!("{name}-err")>
            <legend>{tr(legend)}</legend>
            <p class="help">{tr(help)}</p>
            <div class="scale-options">
                {(lo..=hi).map(|n| view! {
                    <label class="scale-option">
                        <input type="radio" name=name value=n.to_string()
                            prop:checked=move || value.get() == Some(n)
                            on:change=move |_| value.set(Some(n))/>
                        <span>{n}</span>
                    </label>
                }).collect_view()}
            </div>
            <p class="error" id=format!("{name}-err")>{move || missing().then(|| i18n.t(Key::PipelineErrAnswerRequired))}</p>
        </fieldset>
    }
}

/// The survey response form for one customer.
#[component]
pub fn SurveyForm(
    /// The customer answering.
    customer_id: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let exists = move || {
        app.data
            .customers
            .with(|l| l.iter().any(|c| c.id == customer_id))
    };
    let date = RwSignal::new(today().to_string());
    let nps = RwSignal::new(None::<u8>);
    let dims: [RwSignal<Option<u8>>; 5] = std::array::from_fn(|_| RwSignal::new(None));
    let comment = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let show = Signal::derive(move || tried.get());
    let date_problem = move || match NaiveDate::parse_from_str(date.get().trim(), "%Y-%m-%d") {
        Err(_) => Some(Key::PipelineErrDate),
        Ok(d) if d > today() => Some(Key::PipelineErrDateFuture),
        Ok(_) => None,
    };
    let comment_too_long = move || comment.get().chars().count() > MAX_COMMENT;
    let any_problem = move || {
        date_problem().is_some()
            || nps.get().is_none()
            || dims.iter().any(|d| d.get().is_none())
            || comment_too_long()
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if any_problem() || saving.get_untracked() {
            request_animation_frame(|| {
                if let Ok(Some(el)) = document()
                    .query_selector("form [aria-invalid=\"true\"], form fieldset.invalid input")
                {
                    if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                        let _ = el.focus();
                    }
                }
            });
            return;
        }
        let (Ok(day), Some(n)) = (
            NaiveDate::parse_from_str(date.get_untracked().trim(), "%Y-%m-%d"),
            nps.get_untracked(),
        ) else {
            return;
        };
        let s = |i: usize| dims[i].get_untracked().unwrap_or(1);
        let at = now();
        let response = SurveyResponse {
            id: new_id(),
            customer_id,
            date: day,
            nps: n,
            scores: SatisfactionScores {
                reliability: s(0),
                professionalism: s(1),
                tangibles: s(2),
                empathy: s(3),
                responsiveness: s(4),
            },
            comment: comment.get_untracked().trim().to_string(),
            created_at: at,
            updated_at: at,
        };
        saving.set(true);
        let toasts = use_toasts();
        let name = app.data.customers.with_untracked(|l| {
            l.iter()
                .find(|c| c.id == customer_id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        });
        leptos::task::spawn_local(async move {
            match app.apply(vec![Change::Put(Record::Survey(response))]).await {
                Ok(()) => {
                    toasts.info(Key::PipelineSurveySaved, &[("name", &name)]);
                    navigate(crate::pages::pipeline::customer_page(customer_id));
                }
                Err(e) => toasts.storage_error(&e),
            }
            saving.set(false);
        });
    };

    let previous = Memo::new(move |_| {
        app.data.surveys.with(|l| {
            let mut v: Vec<SurveyResponse> = l
                .iter()
                .filter(|s| s.customer_id == customer_id)
                .cloned()
                .collect();
            crate::sort::sort_by(&mut v, &|a, b| {
                b.date.cmp(&a.date).then(b.created_at.cmp(&a.created_at))
            });
            v
        })
    });

    view! {
        <Show
            when=exists
            fallback=move || view! {
                <section class="form-page">
                    <h1>{tr(Key::CustomerNotFound)}</h1>
                    <a href=Route::Customers.href()>{tr(Key::BackToList)}</a>
                </section>
            }
        >
            <section class="form-page">
                <div class="page-head">
                    <h1>{move || i18n.tf(Key::PipelineSurveyTitle, &[("name", &customer_name(customer_id))])}</h1>
                    <span class="actions">
                        <a href=Route::SurveyPrint.href()>{tr(Key::PipelinePrintForm)}</a>
                        <a href=crate::pages::pipeline::customer_page(customer_id).href()>{tr(Key::PipelineBackToCustomer)}</a>
                    </span>
                </div>
                <form novalidate=true on:submit=save class="survey-form">
                    <div class="field">
                        <label for="s-date">{tr(Key::PipelineSurveyDate)}</label>
                        <input id="s-date" type="date" data-autofocus="" aria-describedby="s-date-err"
                            aria-invalid=move || (tried.get() && date_problem().is_some()).then_some("true")
                            prop:value=move || date.get()
                            on:input=move |ev| date.set(event_target_value(&ev))/>
                        <p class="error" id="s-date-err">{move || if tried.get() { date_problem().map(|k| i18n.t(k)) } else { None }}</p>
                    </div>
                    <Scale name="nps" legend=Key::PipelineNpsQuestion help=Key::PipelineNpsHelp lo=0 hi=10 value=nps show_error=show/>
                    {DIMENSIONS.into_iter().zip(dims).enumerate().map(|(i, ((_, question), value))| {
                        let name = ["dim-reliability", "dim-professionalism", "dim-tangibles", "dim-empathy", "dim-responsiveness"][i];
                        view! { <Scale name=name legend=question help=Key::PipelineScoreHelp lo=1 hi=5 value=value show_error=show/> }
                    }).collect_view()}
                    <div class="field wide">
                        <label for="s-comment">{tr(Key::PipelineComment)}</label>
                        <textarea id="s-comment" rows="3" aria-describedby="s-comment-err"
                            aria-invalid=move || (tried.get() && comment_too_long()).then_some("true")
                            prop:value=move || comment.get()
                            on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        <p class="error" id="s-comment-err">{move || (tried.get() && comment_too_long()).then(|| i18n.t(Key::PipelineErrTextTooLong))}</p>
                    </div>
                    <p class="form-errors" role="alert">{move || (tried.get() && any_problem()).then(|| i18n.t(Key::FixErrors))}</p>
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || saving.get()>{tr(Key::Save)}</button>
                        <a class="button" href=crate::pages::pipeline::customer_page(customer_id).href()>{tr(Key::Cancel)}</a>
                    </div>
                </form>
                <section aria-labelledby="prev-surveys">
                    <h2 id="prev-surveys">{tr(Key::PipelinePreviousSurveys)}</h2>
                    <Show when=move || previous.with(Vec::is_empty)>
                        <p class="help">{tr(Key::PipelineNoSurveys)}</p>
                    </Show>
                    <ul class="contact-list">
                        <For
                            each=move || previous.get()
                            key=|s| s.id
                            children=move |s: SurveyResponse| {
                                let scores = s.scores.as_array();
                                view! {
                                    <li>
                                        <span class="meta">{s.date.to_string()}" · NPS "{s.nps}</span>
                                        <span>
                                            {move || DIMENSIONS.iter().zip(scores).map(|((short, _), v)| format!("{} {v}", i18n.t(*short))).collect::<Vec<_>>().join(" · ")}
                                        </span>
                                        {(!s.comment.is_empty()).then(|| view! { <span class="muted">{s.comment.clone()}</span> })}
                                    </li>
                                }
                            }
                        />
                    </ul>
                </section>
            </section>
        </Show>
    }
}

/// The paper survey form: the same questions with boxes to tick, in the language chosen here
/// (independent of the app's), printed with the browser's print command.
#[component]
pub fn SurveyPrint() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let lang = RwSignal::new(i18n.locale.get_untracked());
    let t = move |k: Key| lang.get().text(k);
    let shop = move || app.data.settings.with(|s| s.shop_name.trim().to_string());
    let boxes = |lo: u8, hi: u8| {
        view! {
            <div class="print-boxes">
                {(lo..=hi).map(|n| view! { <span class="print-box"><span class="box" aria-hidden="true"></span>{n}</span> }).collect_view()}
            </div>
        }
    };
    view! {
        <section class="survey-print">
            <div class="no-print page-head">
                <h1>{tr(Key::PipelinePrintTitle)}</h1>
                <div class="actions">
                    <label class="inline">
                        {tr(Key::PipelinePrintLanguage)}
                        <select on:change=move |ev| lang.set(Locale::from_tag(&event_target_value(&ev)))>
                            {Locale::ALL.into_iter().map(|l| view! {
                                <option value=l.tag() selected=move || lang.get() == l>{l.native_name()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="primary" on:click=move |_| { let _ = window().print(); }>{tr(Key::PipelinePrint)}</button>
                </div>
            </div>
            <p class="no-print help">{tr(Key::PipelinePrintHelp)}</p>
            <article class="paper" lang=move || lang.get().tag()>
                <h2 class="paper-title">{move || t(Key::PipelinePaperTitle)}</h2>
                <p class="paper-shop">{shop}</p>
                <p>{move || t(Key::PipelinePaperIntro)}</p>
                <p class="paper-line">{move || t(Key::PipelinePaperName)}<span class="blank"></span></p>
                <p class="paper-line">{move || t(Key::PipelinePaperDate)}<span class="blank"></span></p>
                <div class="paper-q">
                    <p class="q">"1. "{move || t(Key::PipelineNpsQuestion)}</p>
                    <p class="help">{move || t(Key::PipelineNpsHelp)}</p>
                    {boxes(0, 10)}
                </div>
                {DIMENSIONS.into_iter().enumerate().map(|(i, (_, q))| view! {
                    <div class="paper-q">
                        <p class="q">{format!("{}. ", i + 2)}{move || t(q)}</p>
                        <p class="help">{move || t(Key::PipelineScoreHelp)}</p>
                        {boxes(1, 5)}
                    </div>
                }).collect_view()}
                <div class="paper-q">
                    <p class="q">"7. "{move || t(Key::PipelineComment)}</p>
                    <div class="paper-lines"><span></span><span></span><span></span></div>
                </div>
                <p class="paper-thanks">{move || t(Key::PipelinePaperThanks)}</p>
            </article>
        </section>
    }
}
