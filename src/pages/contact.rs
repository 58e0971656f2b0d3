//! Logging a contact (interaction) with a customer: channel, direction, purpose, summary, outcome
//! and a follow-up date, which also creates a follow-up task in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::{Channel, Direction, Interaction, Purpose, Task, TaskOrigin};

use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::pages::pipeline::{customer_name, tr};
use crate::routing::{navigate, Route};
use crate::state::{new_id, now, use_app};
use crate::storage::{Change, Record};

/// Longest summary or outcome accepted.
const MAX_TEXT: usize = 2000;
/// Recent contacts listed under the form.
const RECENT: usize = 10;

/// Every channel, in the order the form lists them.
pub const CHANNELS: [Channel; 9] = [
    Channel::Phone,
    Channel::Email,
    Channel::FaceToFace,
    Channel::InstantMessaging,
    Channel::SocialMedia,
    Channel::ServiceCentre,
    Channel::FeedbackForm,
    Channel::Survey,
    Channel::Event,
];

/// Every purpose, in the order the form lists them.
pub const PURPOSES: [Purpose; 6] = [
    Purpose::Inquiry,
    Purpose::Complaint,
    Purpose::FollowUp,
    Purpose::Visit,
    Purpose::AfterSales,
    Purpose::Other,
];

/// The label of a channel.
pub fn channel_label(c: Channel) -> Key {
    match c {
        Channel::Phone => Key::PipelineChannelPhone,
        Channel::Email => Key::PipelineChannelEmail,
        Channel::FaceToFace => Key::PipelineChannelFaceToFace,
        Channel::InstantMessaging => Key::PipelineChannelIm,
        Channel::SocialMedia => Key::PipelineChannelSocialMedia,
        Channel::ServiceCentre => Key::PipelineChannelServiceCentre,
        Channel::FeedbackForm => Key::PipelineChannelFeedbackForm,
        Channel::Survey => Key::PipelineChannelSurvey,
        Channel::Event => Key::PipelineChannelEvent,
    }
}

/// The label of a purpose.
pub fn purpose_label(p: Purpose) -> Key {
    match p {
        Purpose::Inquiry => Key::PipelinePurposeInquiry,
        Purpose::Complaint => Key::PipelinePurposeComplaint,
        Purpose::FollowUp => Key::PipelinePurposeFollowUp,
        Purpose::Visit => Key::PipelinePurposeVisit,
        Purpose::AfterSales => Key::PipelinePurposeAfterSales,
        Purpose::Other => Key::PipelinePurposeOther,
    }
}

/// What is wrong with the form.
#[derive(Clone, Debug, Default, PartialEq)]
struct Problems {
    date: bool,
    summary: Option<Key>,
    outcome: bool,
    follow_up: Option<Key>,
}

impl Problems {
    fn any(&self) -> bool {
        self.date || self.summary.is_some() || self.outcome || self.follow_up.is_some()
    }
}

/// `datetime-local` input text for a moment.
fn local_input(t: NaiveDateTime) -> String {
    crate::pages::pipeline::date_time(t).replacen(' ', "T", 1)
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// The contact form for one customer.
#[component]
pub fn ContactForm(
    /// The customer contacted.
    customer_id: Uuid,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let exists = move || {
        app.data
            .customers
            .with(|l| l.iter().any(|c| c.id == customer_id))
    };
    let date = RwSignal::new(local_input(chrono::Local::now().naive_local()));
    let channel = RwSignal::new(Channel::Phone);
    let direction = RwSignal::new(Direction::Outbound);
    let purpose = RwSignal::new(Purpose::FollowUp);
    let summary = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let follow_up = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let saving = RwSignal::new(false);

    let problems = Memo::new(move |_| {
        let when = parse_local(&date.get());
        let s = summary.get();
        let f = follow_up.get();
        Problems {
            date: when.is_none(),
            summary: if s.trim().is_empty() {
                Some(Key::PipelineErrSummaryRequired)
            } else if s.chars().count() > MAX_TEXT {
                Some(Key::PipelineErrTextTooLong)
            } else {
                None
            },
            outcome: outcome.get().chars().count() > MAX_TEXT,
            follow_up: if f.trim().is_empty() {
                None
            } else {
                match NaiveDate::parse_from_str(f.trim(), "%Y-%m-%d") {
                    Err(_) => Some(Key::PipelineErrDate),
                    Ok(d) if when.is_some_and(|w| d < w.date()) => {
                        Some(Key::PipelineErrFollowUpBefore)
                    }
                    Ok(_) => None,
                }
            },
        }
    });

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
        let Some(when) = parse_local(&date.get_untracked()) else {
            return;
        };
        let at = now();
        let summary_text = summary.get_untracked().trim().to_string();
        let follow = NaiveDate::parse_from_str(follow_up.get_untracked().trim(), "%Y-%m-%d").ok();
        let interaction = Interaction {
            id: new_id(),
            customer_id,
            date: when,
            channel: channel.get_untracked(),
            direction: direction.get_untracked(),
            purpose: purpose.get_untracked(),
            summary: summary_text.clone(),
            outcome: outcome.get_untracked().trim().to_string(),
            follow_up: follow,
            created_at: at,
            updated_at: at,
        };
        let name = app.data.customers.with_untracked(|l| {
            l.iter()
                .find(|c| c.id == customer_id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        });
        let mut changes = vec![Change::Put(Record::Interaction(interaction))];
        if let Some(due) = follow {
            changes.push(Change::Put(Record::Task(Task {
                id: new_id(),
                customer_id: Some(customer_id),
                title: i18n.tf(
                    Key::PipelineFollowUpTaskTitle,
                    &[("name", &name), ("summary", &summary_text)],
                ),
                due: Some(due),
                done: false,
                origin: TaskOrigin::FollowUp,
                dismissed: false,
                created_at: at,
                updated_at: at,
            })));
        }
        saving.set(true);
        let toasts = use_toasts();
        leptos::task::spawn_local(async move {
            match app.apply(changes).await {
                Ok(()) => {
                    let key = if follow.is_some() {
                        Key::PipelineContactSavedWithTask
                    } else {
                        Key::PipelineContactSaved
                    };
                    toasts.info(key, &[("name", &name)]);
                    navigate(crate::pages::pipeline::customer_page(customer_id));
                }
                Err(e) => toasts.storage_error(&e),
            }
            saving.set(false);
        });
    };

    let recent = Memo::new(move |_| {
        app.data.interactions.with(|l| {
            let mut v: Vec<Interaction> = l
                .iter()
                .filter(|x| x.customer_id == customer_id)
                .cloned()
                .collect();
            crate::sort::sort_by(&mut v, &|a, b| b.date.cmp(&a.date));
            v.truncate(RECENT);
            v
        })
    });
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
                    <h1>{move || i18n.tf(Key::PipelineContactTitle, &[("name", &customer_name(customer_id))])}</h1>
                    <a href=crate::pages::pipeline::customer_page(customer_id).href()>{tr(Key::PipelineBackToCustomer)}</a>
                </div>
                <form novalidate=true on:submit=save>
                    <fieldset>
                        <legend>{tr(Key::PipelineContactSection)}</legend>
                        <div class="field">
                            <label for="c-date">{tr(Key::PipelineContactDate)}</label>
                            <input id="c-date" type="datetime-local" aria-describedby="c-date-err"
                                aria-invalid=invalid(|p| p.date)
                                prop:value=move || date.get()
                                on:input=move |ev| date.set(event_target_value(&ev))/>
                            <p class="error" id="c-date-err">{move || (tried.get() && problems.with(|p| p.date)).then(|| i18n.t(Key::PipelineErrDateTime))}</p>
                        </div>
                        <div class="field">
                            <label>
                                {tr(Key::PipelineChannel)}
                                <select data-autofocus="" on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if let Some(c) = CHANNELS.into_iter().find(|c| format!("{c:?}") == v) { channel.set(c) }
                                }>
                                    {CHANNELS.into_iter().map(|c| view! {
                                        <option value=format!("{c:?}") selected=move || channel.get() == c>{tr(channel_label(c))}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <div class="field">
                            <label>
                                {tr(Key::PipelineDirection)}
                                <select on:change=move |ev| direction.set(if event_target_value(&ev) == "inbound" { Direction::Inbound } else { Direction::Outbound })>
                                    <option value="outbound" selected=move || direction.get() == Direction::Outbound>{tr(Key::PipelineDirectionOutbound)}</option>
                                    <option value="inbound" selected=move || direction.get() == Direction::Inbound>{tr(Key::PipelineDirectionInbound)}</option>
                                </select>
                            </label>
                        </div>
                        <div class="field">
                            <label>
                                {tr(Key::PipelinePurpose)}
                                <select on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if let Some(p) = PURPOSES.into_iter().find(|p| format!("{p:?}") == v) { purpose.set(p) }
                                }>
                                    {PURPOSES.into_iter().map(|p| view! {
                                        <option value=format!("{p:?}") selected=move || purpose.get() == p>{tr(purpose_label(p))}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <div class="field wide">
                            <label for="c-summary">{tr(Key::PipelineSummary)}<span class="req" aria-hidden="true">" *"</span></label>
                            <textarea id="c-summary" rows="3" aria-describedby="c-summary-err"
                                aria-invalid=invalid(|p| p.summary.is_some())
                                prop:value=move || summary.get()
                                on:input=move |ev| summary.set(event_target_value(&ev))></textarea>
                            <p class="error" id="c-summary-err">{message(|p| p.summary)}</p>
                        </div>
                        <div class="field wide">
                            <label for="c-outcome">{tr(Key::PipelineOutcome)}</label>
                            <textarea id="c-outcome" rows="2" aria-describedby="c-outcome-err"
                                aria-invalid=invalid(|p| p.outcome)
                                prop:value=move || outcome.get()
                                on:input=move |ev| outcome.set(event_target_value(&ev))></textarea>
                            <p class="error" id="c-outcome-err">{move || (tried.get() && problems.with(|p| p.outcome)).then(|| i18n.t(Key::PipelineErrTextTooLong))}</p>
                        </div>
                        <div class="field">
                            <label for="c-follow">{tr(Key::PipelineFollowUpDate)}</label>
                            <input id="c-follow" type="date" aria-describedby="c-follow-help c-follow-err"
                                aria-invalid=invalid(|p| p.follow_up.is_some())
                                prop:value=move || follow_up.get()
                                on:input=move |ev| follow_up.set(event_target_value(&ev))/>
                            <p class="help" id="c-follow-help">{tr(Key::PipelineFollowUpHelp)}</p>
                            <p class="error" id="c-follow-err">{message(|p| p.follow_up)}</p>
                        </div>
                    </fieldset>
                    <p class="form-errors" role="alert">{move || (tried.get() && problems.with(Problems::any)).then(|| i18n.t(Key::FixErrors))}</p>
                    <div class="actions">
                        <button type="submit" class="primary" disabled=move || saving.get()>{tr(Key::Save)}</button>
                        <a class="button" href=crate::pages::pipeline::customer_page(customer_id).href()>{tr(Key::Cancel)}</a>
                    </div>
                </form>
                <section aria-labelledby="recent-title">
                    <h2 id="recent-title">{tr(Key::PipelineRecentContacts)}</h2>
                    <Show when=move || recent.with(Vec::is_empty)>
                        <p class="help">{tr(Key::PipelineNoContacts)}</p>
                    </Show>
                    <ul class="contact-list">
                        <For
                            each=move || recent.get()
                            key=|x| x.id
                            children=move |x: Interaction| {
                                let when = crate::pages::pipeline::date_time(x.date);
                                let dir = if x.direction == Direction::Inbound { Key::PipelineDirectionInbound } else { Key::PipelineDirectionOutbound };
                                view! {
                                    <li>
                                        <span class="meta">
                                            {when}" · "{move || i18n.t(channel_label(x.channel))}" · "{tr(dir)}" · "{tr(purpose_label(x.purpose))}
                                        </span>
                                        <span>{x.summary.clone()}</span>
                                        {(!x.outcome.is_empty()).then(|| view! { <span class="muted">{x.outcome.clone()}</span> })}
                                        {x.follow_up.map(|f| view! { <span class="muted">{move || i18n.tf(Key::PipelineFollowUpOn, &[("date", &f.to_string())])}</span> })}
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
