//! Adding and editing a customer: every field of the data model, checked as the user types once
//! they have tried to save, with a warning when another customer has the same phone or e-mail.
//! Editing also offers archive and delete (with undo).

use chrono::NaiveDate;
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::validate::{
    parse_tags, possible_duplicates, validate_customer, CustomerError, CustomerField, SharedContact,
};
use kehu_core::{CustomValue, Customer, CustomerKind, Gender, SourceChannel};

use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, I18n, Key};
use crate::routing::{navigate, Route};
use crate::state::{new_id, now, today, use_app, LoadState};

/// Seconds the "Undo" of a delete stays on screen.
const UNDO_SECONDS: u64 = 15;
/// Suggestions shown for "referred by".
const REFERRER_SUGGESTIONS: usize = 20;

/// The type of a custom field's value, as the form offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CustomType {
    Text,
    Number,
    Date,
}

/// One custom field as typed: its name, type and value text.
#[derive(Clone, Debug, PartialEq)]
struct CustomRow {
    id: u32,
    name: String,
    kind: CustomType,
    value: String,
}

/// The form for a new customer (`id` = None) or an existing one.
#[component]
pub fn CustomerForm(
    /// The customer to edit, or None for a new one.
    id: Option<Uuid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let existing = id.and_then(|id| {
        app.data
            .customers
            .with_untracked(|l| l.iter().find(|c| c.id == id).cloned())
    });
    if id.is_some() && existing.is_none() {
        return view! {
            <section class="form-page">
                <h1>{move || i18n.t(Key::CustomerNotFound)}</h1>
                <a href=Route::Customers.href()>{move || i18n.t(Key::BackToList)}</a>
            </section>
        }
        .into_any();
    }
    let is_new = existing.is_none();
    let original = existing.unwrap_or_else(|| Customer::new(new_id(), "", now()));
    let draft = RwSignal::new(original.clone());
    let original_at = original.updated_at;
    let tags_text = RwSignal::new(original.tags.join(", "));
    let custom_rows = RwSignal::new(
        original
            .custom_fields
            .iter()
            .enumerate()
            .map(|(i, (name, value))| {
                let (kind, value) = match value {
                    CustomValue::Text(t) => (CustomType::Text, t.clone()),
                    CustomValue::Number(n) => (CustomType::Number, n.to_string()),
                    CustomValue::Date(d) => (CustomType::Date, d.to_string()),
                };
                CustomRow {
                    id: i as u32,
                    name: name.clone(),
                    kind,
                    value,
                }
            })
            .collect::<Vec<_>>(),
    );
    let next_row = StoredValue::new(custom_rows.with_untracked(Vec::len) as u32);
    let tried = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let birthday_text = RwSignal::new(original.birthday.map(|d| d.to_string()).unwrap_or_default());
    let referrer_text = RwSignal::new(
        original
            .referred_by
            .and_then(|rid| {
                app.data
                    .customers
                    .with_untracked(|l| l.iter().find(|c| c.id == rid).map(referrer_label))
            })
            .unwrap_or_default(),
    );

    // The customer as it would be saved, and what is wrong with it.
    let assembled = Memo::new(move |_| {
        let mut c = draft.get();
        c.tags = parse_tags(&tags_text.get());
        c.birthday = NaiveDate::parse_from_str(&birthday_text.get(), "%Y-%m-%d").ok();
        c
    });
    let custom_errors = Memo::new(move |_| custom_rows.with(|rows| custom_field_errors(rows)));
    let errors = Memo::new(move |_| assembled.with(|c| validate_customer(c, today())));
    let duplicates = Memo::new(move |_| {
        assembled.with(|c| {
            app.data
                .customers
                .with(|all| possible_duplicates(c, all.iter()))
        })
    });
    let field_errors = move |field: CustomerField| {
        move || {
            if !tried.get() {
                return Vec::new();
            }
            errors.with(|errs| {
                errs.iter()
                    .filter(|e| e.field() == field)
                    .map(|e| error_text(i18n, e))
                    .collect::<Vec<_>>()
            })
        }
    };

    let save = move || {
        tried.set(true);
        if !errors.with(Vec::is_empty)
            || !custom_errors.with(Vec::is_empty)
            || saving.get_untracked()
        {
            focus_first_invalid();
            return;
        }
        let mut customer = assembled.get_untracked();
        customer.name = customer.name.trim().to_string();
        customer.phone = customer.phone.trim().to_string();
        customer.email = customer.email.trim().to_string();
        customer.custom_fields = custom_rows.with_untracked(|rows| collect_custom_fields(rows));
        // The version the edit started from: refused if another tab saved a newer one meanwhile.
        let base = (!is_new).then_some(original_at);
        customer.updated_at = now();
        if is_new {
            customer.created_at = customer.updated_at;
        }
        saving.set(true);
        let toasts = use_toasts();
        leptos::task::spawn_local(async move {
            let name = customer.name.clone();
            let id = customer.id;
            match app.save_customer_from(customer, base).await {
                Ok(()) => {
                    toasts.info(Key::CustomerSaved, &[("name", &name)]);
                    navigate(Route::Customers);
                }
                Err(e) => {
                    toasts.storage_error(&e);
                    // Changed in another tab: show the newer version instead of the stale form.
                    if e.is_stale() && !is_new {
                        navigate(Route::Customer(id));
                    }
                }
            }
            saving.set(false);
        });
    };

    let text_field = move |key: Key,
                           field: Option<CustomerField>,
                           input_type: &'static str,
                           get: fn(&Customer) -> String,
                           set: fn(&mut Customer, String)| {
        let id = format!("f-{}", key.name());
        let err_id = format!("{id}-err");
        let errs = field.map(field_errors);
        let has_err = move || errs.map(|f| !f().is_empty()).unwrap_or(false);
        let required = field == Some(CustomerField::Name);
        view! {
            <div class="field" class:invalid=has_err>
                <label for=id.clone()>
                    {move || i18n.t(key)}
                    {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
                </label>
                <input
                    id=id
                    type=input_type
                    required=required
                    data-autofocus=(required && is_new).then_some("")
                    aria-invalid=move || has_err().then_some("true")
                    aria-describedby=err_id.clone()
                    prop:value=move || draft.with(get)
                    on:input=move |ev| draft.update(|c| set(c, event_target_value(&ev)))
                />
                <p class="error" id=err_id>{move || errs.map(|f| f().join(" ")).unwrap_or_default()}</p>
            </div>
        }
    };

    let select_field = move |key: Key,
                             options: Vec<(String, Key)>,
                             get: fn(&Customer) -> String,
                             set: fn(&mut Customer, &str)| {
        view! {
            <div class="field">
                <label>
                    {move || i18n.t(key)}
                    <select on:change=move |ev| draft.update(|c| set(c, &event_target_value(&ev)))>
                        {options
                            .into_iter()
                            .map(|(value, label)| {
                                let v = value.clone();
                                view! {
                                    <option value=value selected=move || draft.with(get) == v>
                                        {move || i18n.t(label)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        }
    };

    let delete = move |_| {
        let toasts = use_toasts();
        let id = draft.with_untracked(|c| c.id);
        leptos::task::spawn_local(async move {
            match app.delete_customer(id).await {
                Ok(removed) => {
                    let name = removed.customer.name.clone();
                    let undo = Callback::new(move |()| {
                        let removed = removed.clone();
                        leptos::task::spawn_local(async move {
                            let name = removed.customer.name.clone();
                            match app.restore_customer(removed).await {
                                Ok(()) => toasts.info(Key::CustomerRestored, &[("name", &name)]),
                                Err(e) => toasts.storage_error(&e),
                            }
                        });
                    });
                    toasts.show(
                        ToastKind::Info,
                        Key::CustomerDeleted,
                        &[("name", &name)],
                        Some((Key::Undo, undo)),
                        UNDO_SECONDS,
                    );
                    navigate(Route::Customers);
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };

    let toggle_archive = move |_| {
        let toasts = use_toasts();
        let mut c = original.clone();
        c.archived = !c.archived;
        c.updated_at = now();
        let archived = c.archived;
        leptos::task::spawn_local(async move {
            let name = c.name.clone();
            match app.save_customer(c).await {
                Ok(()) => {
                    toasts.info(
                        if archived {
                            Key::CustomerArchived
                        } else {
                            Key::CustomerUnarchived
                        },
                        &[("name", &name)],
                    );
                    navigate(Route::Customers);
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };
    let was_archived = draft.with_untracked(|c| c.archived);

    let referrer_options = Memo::new(move |_| {
        let q = referrer_text.get().to_lowercase();
        let self_id = draft.with_untracked(|c| c.id);
        app.data.customers.with(|all| {
            all.iter()
                .filter(|c| {
                    c.id != self_id
                        && (q.is_empty() || referrer_label(c).to_lowercase().contains(&q))
                })
                .take(REFERRER_SUGGESTIONS)
                .map(|c| (c.id, referrer_label(c)))
                .collect::<Vec<_>>()
        })
    });
    let on_referrer = move |ev| {
        let text = event_target_value(&ev);
        let found = app
            .data
            .customers
            .with_untracked(|all| all.iter().find(|c| referrer_label(c) == text).map(|c| c.id));
        referrer_text.set(text.clone());
        draft.update(|c| {
            c.referred_by = if text.trim().is_empty() {
                None
            } else {
                found.or(c.referred_by)
            }
        });
    };
    let referrer_unknown = move || {
        let text = referrer_text.get();
        !text.trim().is_empty()
            && !app
                .data
                .customers
                .with(|all| all.iter().any(|c| referrer_label(c) == text))
    };

    view! {
        <section class="form-page">
            <div class="page-head">
                <h1>{move || if is_new { i18n.t(Key::NewCustomer) } else { i18n.t(Key::EditCustomer) }}</h1>
                <a href=Route::Customers.href()>{move || i18n.t(Key::BackToList)}</a>
            </div>
            <form
                novalidate=true
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <div class="duplicates" role="status" aria-live="polite">
                    {move || duplicates.get().into_iter().map(|d| {
                        let key = match d.contact {
                            SharedContact::Phone => Key::DuplicatePhone,
                            SharedContact::Email => Key::DuplicateEmail,
                        };
                        let name = d.other_name.clone();
                        view! {
                            <p class="warning">
                                {move || i18n.tf(key, &[("name", &name)])}
                                " "
                                <a href=Route::Customer(d.other_id).href()>{move || i18n.t(Key::OpenCustomer)}</a>
                            </p>
                        }
                    }).collect_view()}
                </div>
                <fieldset>
                    <legend>{move || i18n.t(Key::SectionContact)}</legend>
                    {text_field(Key::FieldName, Some(CustomerField::Name), "text", |c| c.name.clone(), |c, v| c.name = v)}
                    {text_field(Key::FieldPhone, Some(CustomerField::Phone), "tel", |c| c.phone.clone(), |c, v| c.phone = v)}
                    {text_field(Key::FieldEmail, Some(CustomerField::Email), "email", |c| c.email.clone(), |c, v| c.email = v)}
                    {text_field(Key::FieldOtherContact, None, "text", |c| c.other_contact.clone(), |c, v| c.other_contact = v)}
                    {text_field(Key::FieldCompany, None, "text", |c| c.company.clone(), |c, v| c.company = v)}
                    {select_field(
                        Key::FieldKind,
                        vec![("individual".into(), Key::KindIndividual), ("business".into(), Key::KindBusiness)],
                        |c| match c.kind { CustomerKind::Individual => "individual".into(), CustomerKind::Business => "business".into() },
                        |c, v| c.kind = if v == "business" { CustomerKind::Business } else { CustomerKind::Individual },
                    )}
                </fieldset>
                <fieldset>
                    <legend>{move || i18n.t(Key::SectionProfile)}</legend>
                    {select_field(
                        Key::FieldGender,
                        vec![("".into(), Key::NotGiven), ("female".into(), Key::GenderFemale), ("male".into(), Key::GenderMale), ("other".into(), Key::GenderOther)],
                        |c| match c.gender { None => String::new(), Some(Gender::Female) => "female".into(), Some(Gender::Male) => "male".into(), Some(Gender::Other) => "other".into() },
                        |c, v| c.gender = match v { "female" => Some(Gender::Female), "male" => Some(Gender::Male), "other" => Some(Gender::Other), _ => None },
                    )}
                    <div class="field" class:invalid=move || !field_errors(CustomerField::Birthday)().is_empty()>
                        <label>
                            {move || i18n.t(Key::FieldBirthday)}
                            <input
                                type="date"
                                aria-describedby="f-birthday-err"
                                prop:value=move || birthday_text.get()
                                on:input=move |ev| birthday_text.set(event_target_value(&ev))
                            />
                        </label>
                        <p class="error" id="f-birthday-err">{move || field_errors(CustomerField::Birthday)().join(" ")}</p>
                    </div>
                    {text_field(Key::FieldRegion, None, "text", |c| c.region.clone(), |c, v| c.region = v)}
                    {text_field(Key::FieldIndustry, None, "text", |c| c.industry.clone(), |c, v| c.industry = v)}
                    {select_field(
                        Key::FieldSource,
                        SourceChannel::ALL.iter().map(|s| (source_value(*s).to_string(), source_label(*s))).collect(),
                        |c| source_value(c.source).to_string(),
                        |c, v| c.source = SourceChannel::ALL.into_iter().find(|s| source_value(*s) == v).unwrap_or_default(),
                    )}
                    <div class="field" class:invalid=move || !field_errors(CustomerField::ReferredBy)().is_empty()>
                        <label>
                            {move || i18n.t(Key::FieldReferredBy)}
                            <input
                                type="text"
                                list="referrer-options"
                                autocomplete="off"
                                aria-describedby="f-ref-err"
                                prop:value=move || referrer_text.get()
                                on:input=on_referrer
                            />
                        </label>
                        <datalist id="referrer-options">
                            {move || referrer_options.get().into_iter().map(|(_, label)| view! { <option value=label/> }).collect_view()}
                        </datalist>
                        <p class="error" id="f-ref-err">
                            {move || field_errors(CustomerField::ReferredBy)().join(" ")}
                            {move || referrer_unknown().then(|| i18n.t(Key::ReferrerPick))}
                        </p>
                    </div>
                    <div class="field" class:invalid=move || !field_errors(CustomerField::Tags)().is_empty()>
                        <label>
                            {move || i18n.t(Key::FieldTags)}
                            <input
                                type="text"
                                aria-describedby="f-tags-help"
                                prop:value=move || tags_text.get()
                                on:input=move |ev| tags_text.set(event_target_value(&ev))
                            />
                        </label>
                        <p class="help" id="f-tags-help">{move || i18n.t(Key::TagsHelp)}</p>
                    </div>
                    <div class="field wide">
                        <label>
                            {move || i18n.t(Key::FieldNotes)}
                            <textarea
                                rows="3"
                                prop:value=move || draft.with(|c| c.notes.clone())
                                on:input=move |ev| draft.update(|c| c.notes = event_target_value(&ev))
                            ></textarea>
                        </label>
                    </div>
                    <div class="field check">
                        <label>
                            <input
                                type="checkbox"
                                prop:checked=move || draft.with(|c| c.marketing_consent)
                                on:change=move |ev| draft.update(|c| c.marketing_consent = event_target_checked(&ev))
                            />
                            {move || i18n.t(Key::FieldMarketingConsent)}
                        </label>
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{move || i18n.t(Key::SectionCustomFields)}</legend>
                    <For
                        each=move || custom_rows.get()
                        key=|r| r.id
                        children=move |row: CustomRow| {
                            let rid = row.id;
                            let update = move |f: &dyn Fn(&mut CustomRow)| {
                                custom_rows.update(|rows| {
                                    if let Some(r) = rows.iter_mut().find(|r| r.id == rid) {
                                        f(r);
                                    }
                                })
                            };
                            let err = move || custom_errors.with(|e| e.iter().find(|(id, _)| *id == rid).map(|(_, k)| *k));
                            view! {
                                <div class="custom-row" class:invalid=move || tried.get() && err().is_some()>
                                    <input
                                        type="text"
                                        aria-label=move || i18n.t(Key::CustomFieldName)
                                        placeholder=move || i18n.t(Key::CustomFieldName)
                                        value=row.name.clone()
                                        on:input=move |ev| { let v = event_target_value(&ev); update(&|r| r.name = v.clone()) }
                                    />
                                    <select
                                        aria-label=move || i18n.t(Key::CustomFieldType)
                                        on:change=move |ev| {
                                            let kind = match event_target_value(&ev).as_str() {
                                                "number" => CustomType::Number,
                                                "date" => CustomType::Date,
                                                _ => CustomType::Text,
                                            };
                                            update(&|r| r.kind = kind)
                                        }
                                    >
                                        <option value="text" selected=row.kind == CustomType::Text>{move || i18n.t(Key::TypeText)}</option>
                                        <option value="number" selected=row.kind == CustomType::Number>{move || i18n.t(Key::TypeNumber)}</option>
                                        <option value="date" selected=row.kind == CustomType::Date>{move || i18n.t(Key::TypeDate)}</option>
                                    </select>
                                    <input
                                        type="text"
                                        aria-label=move || i18n.t(Key::CustomFieldValue)
                                        placeholder=move || i18n.t(Key::CustomFieldValue)
                                        value=row.value.clone()
                                        on:input=move |ev| { let v = event_target_value(&ev); update(&|r| r.value = v.clone()) }
                                    />
                                    <button type="button" class="link" on:click=move |_| custom_rows.update(|rows| rows.retain(|r| r.id != rid))>
                                        {move || i18n.t(Key::Remove)}
                                    </button>
                                    <p class="error">{move || if tried.get() { err().map(|k| i18n.t(k)).unwrap_or("") } else { "" }}</p>
                                </div>
                            }
                        }
                    />
                    <button
                        type="button"
                        on:click=move |_| {
                            let id = next_row.get_value();
                            next_row.set_value(id + 1);
                            custom_rows.update(|rows| rows.push(CustomRow { id, name: String::new(), kind: CustomType::Text, value: String::new() }));
                        }
                    >
                        {move || i18n.t(Key::AddCustomField)}
                    </button>
                </fieldset>
                <p class="form-errors" role="alert">
                    {move || (tried.get() && (!errors.with(Vec::is_empty) || !custom_errors.with(Vec::is_empty))).then(|| i18n.t(Key::FixErrors))}
                </p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || saving.get()>{move || i18n.t(Key::Save)}</button>
                    <a class="button" href=Route::Customers.href()>{move || i18n.t(Key::Cancel)}</a>
                    {(!is_new).then(|| view! {
                        <span class="spacer"></span>
                        <button type="button" on:click=toggle_archive>
                            {move || if was_archived { i18n.t(Key::Unarchive) } else { i18n.t(Key::Archive) }}
                        </button>
                        <button type="button" class="danger" on:click=delete
                            disabled=move || app.load.get() != LoadState::Ready>{move || i18n.t(Key::Delete)}</button>
                    })}
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// How a customer appears among "referred by" suggestions.
fn referrer_label(c: &Customer) -> String {
    if c.phone.is_empty() {
        c.name.clone()
    } else {
        format!("{} ({})", c.name, c.phone)
    }
}

fn source_value(s: SourceChannel) -> &'static str {
    match s {
        SourceChannel::WalkIn => "walk_in",
        SourceChannel::Referral => "referral",
        SourceChannel::Phone => "phone",
        SourceChannel::Online => "online",
        SourceChannel::Exhibition => "exhibition",
        SourceChannel::SocialMedia => "social_media",
        SourceChannel::Other => "other",
    }
}

fn source_label(s: SourceChannel) -> Key {
    match s {
        SourceChannel::WalkIn => Key::SourceWalkIn,
        SourceChannel::Referral => Key::SourceReferral,
        SourceChannel::Phone => Key::SourcePhone,
        SourceChannel::Online => Key::SourceOnline,
        SourceChannel::Exhibition => Key::SourceExhibition,
        SourceChannel::SocialMedia => Key::SourceSocialMedia,
        SourceChannel::Other => Key::SourceOther,
    }
}

/// The message for a validation error, in the current language.
fn error_text(i18n: I18n, e: &CustomerError) -> String {
    match e {
        CustomerError::NameRequired => i18n.t(Key::ErrNameRequired).to_string(),
        CustomerError::NameTooLong => i18n.t(Key::ErrNameTooLong).to_string(),
        CustomerError::PhoneInvalid(v) => i18n.tf(Key::ErrPhoneInvalid, &[("value", v)]),
        CustomerError::EmailInvalid(v) => i18n.tf(Key::ErrEmailInvalid, &[("value", v)]),
        CustomerError::BirthdayInFuture(d) => {
            i18n.tf(Key::ErrBirthdayFuture, &[("value", &d.to_string())])
        }
        CustomerError::ReferredBySelf => i18n.t(Key::ErrReferredBySelf).to_string(),
        _ => i18n.t(Key::ErrTagEmpty).to_string(),
    }
}

/// Problems with the custom field rows: (row id, message).
fn custom_field_errors(rows: &[CustomRow]) -> Vec<(u32, Key)> {
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let name = row.name.trim();
        if name.is_empty() {
            if !row.value.trim().is_empty() {
                errors.push((row.id, Key::ErrCustomNameRequired));
            }
            continue;
        }
        if rows[..i].iter().any(|r| r.name.trim() == name) {
            errors.push((row.id, Key::ErrCustomNameRepeated));
            continue;
        }
        let value = row.value.trim();
        let bad = match row.kind {
            CustomType::Text => false,
            CustomType::Number => {
                !value.is_empty() && value.parse::<f64>().map(|n| !n.is_finite()).unwrap_or(true)
            }
            CustomType::Date => {
                !value.is_empty() && NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err()
            }
        };
        if bad {
            errors.push((
                row.id,
                if row.kind == CustomType::Number {
                    Key::ErrCustomNumber
                } else {
                    Key::ErrCustomDate
                },
            ));
        }
    }
    errors
}

/// The custom fields to store: named rows with a value.
fn collect_custom_fields(rows: &[CustomRow]) -> std::collections::BTreeMap<String, CustomValue> {
    rows.iter()
        .filter(|r| !r.name.trim().is_empty() && !r.value.trim().is_empty())
        .filter_map(|r| {
            let v = r.value.trim();
            let value = match r.kind {
                CustomType::Text => CustomValue::Text(v.to_string()),
                CustomType::Number => CustomValue::Number(v.parse().ok()?),
                CustomType::Date => {
                    CustomValue::Date(NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()?)
                }
            };
            Some((r.name.trim().to_string(), value))
        })
        .collect()
}

/// Moves keyboard focus to the first field marked invalid, so keyboard users land on the problem.
fn focus_first_invalid() {
    request_animation_frame(|| {
        if let Ok(Some(el)) =
            document().query_selector(".field.invalid input, .custom-row.invalid input")
        {
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    });
}
