//! Finding customers kept twice and merging two into one, with Undo.

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::duplicates::{
    find, merge_customers, suggested_choices, CustomerMerge, DuplicatePair, MergeField, Reason,
};
use kehu_core::Customer;

use super::files::snapshot;
use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, Key};
use crate::state::{now, use_app, AppState};
use crate::storage::{Change, Record, StoreName};

fn merge_field_key(f: MergeField) -> Key {
    match f {
        MergeField::Name => Key::FieldName,
        MergeField::Phone => Key::FieldPhone,
        MergeField::Email => Key::FieldEmail,
        MergeField::OtherContact => Key::FieldOtherContact,
        MergeField::Company => Key::FieldCompany,
        MergeField::Kind => Key::FieldKind,
        MergeField::Gender => Key::FieldGender,
        MergeField::Birthday => Key::FieldBirthday,
        MergeField::Region => Key::FieldRegion,
        MergeField::Industry => Key::FieldIndustry,
        MergeField::Source => Key::FieldSource,
        MergeField::ReferredBy => Key::FieldReferredBy,
        MergeField::Tags => Key::FieldTags,
        MergeField::Notes => Key::FieldNotes,
        MergeField::MarketingConsent => Key::FieldMarketingConsent,
        MergeField::CustomFields => Key::ShareFieldCustomFields,
        MergeField::Archived => Key::ShareFieldArchived,
    }
}

fn reason_key(r: Reason) -> Key {
    match r {
        Reason::Phone => Key::ShareDupPhone,
        Reason::Email => Key::ShareDupEmail,
        Reason::Name => Key::ShareDupName,
        Reason::SimilarName => Key::ShareDupSimilarName,
    }
}

/// Puts of every record in `records` (customers first).
fn puts(r: kehu_core::duplicates::Records) -> Vec<Change> {
    let mut changes: Vec<Change> = r
        .customers
        .into_iter()
        .map(|c| Change::Put(Record::Customer(c)))
        .collect();
    changes.extend(r.orders.into_iter().map(|x| Change::Put(Record::Order(x))));
    changes.extend(
        r.interactions
            .into_iter()
            .map(|x| Change::Put(Record::Interaction(x))),
    );
    changes.extend(r.deals.into_iter().map(|x| Change::Put(Record::Deal(x))));
    changes.extend(r.tasks.into_iter().map(|x| Change::Put(Record::Task(x))));
    changes.extend(
        r.surveys
            .into_iter()
            .map(|x| Change::Put(Record::Survey(x))),
    );
    changes.extend(r.ledger.into_iter().map(|x| Change::Put(Record::Ledger(x))));
    changes
}

/// Writes a merge in one transaction and offers Undo.
fn write_merge(app: AppState, m: CustomerMerge) {
    let toasts = use_toasts();
    let CustomerMerge {
        after,
        before,
        removed,
    } = m;
    let name = after
        .customers
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let mut changes = puts(after);
    changes.push(Change::Delete(StoreName::Customers, removed.id));
    let mut undo = puts(before);
    undo.push(Change::Put(Record::Customer(removed)));
    leptos::task::spawn_local(async move {
        match app.apply(changes).await {
            Ok(()) => {
                let undo_action = Callback::new(move |()| {
                    let undo = undo.clone();
                    leptos::task::spawn_local(async move {
                        match app.apply(undo).await {
                            Ok(()) => toasts.info(Key::ShareMergeUndone, &[]),
                            Err(e) => toasts.storage_error(&e),
                        }
                    });
                });
                toasts.show(
                    ToastKind::Info,
                    Key::ShareCustomersMerged,
                    &[("name", &name)],
                    Some((Key::Undo, undo_action)),
                    15,
                );
            }
            Err(e) => toasts.storage_error(&e),
        }
    });
}

/// The duplicates part of the data page.
#[component]
pub fn DuplicatesSection() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let pairs = RwSignal::new(None::<Vec<DuplicatePair>>);
    let selected = RwSignal::new(None::<(Uuid, Uuid)>);
    // Fields whose value comes from the second customer.
    let take_other = RwSignal::new(Vec::<MergeField>::new());

    let search = move |_| {
        pairs.set(Some(app.data.customers.with_untracked(|c| find(c))));
        selected.set(None);
    };
    // Keep the list current after a merge or an undo.
    Effect::new(move |_| {
        app.data.customers.track();
        if pairs.with_untracked(Option::is_some) {
            pairs.set(Some(app.data.customers.with_untracked(|c| find(c))));
        }
    });
    let customer = move |id: Uuid| -> Option<Customer> {
        app.data
            .customers
            .with_untracked(|l| l.iter().find(|c| c.id == id).cloned())
    };
    let open = move |a: Uuid, b: Uuid| {
        if let (Some(x), Some(y)) = (customer(a), customer(b)) {
            take_other.set(
                suggested_choices(&x, &y)
                    .into_iter()
                    .filter_map(|(f, other)| other.then_some(f))
                    .collect(),
            );
            selected.set(Some((a, b)));
        }
    };
    let do_merge = move |_| {
        let Some((a, b)) = selected.get_untracked() else {
            return;
        };
        match merge_customers(&snapshot(app), a, b, &take_other.get_untracked(), now()) {
            Ok(m) => {
                selected.set(None);
                write_merge(app, m);
            }
            Err(e) => use_toasts().error(Key::ShareExportFailed, &[("detail", &e.to_string())]),
        }
    };

    let list = move || {
        pairs.get().map(|ps| {
            if ps.is_empty() {
                return view! { <p role="status">{i18n.t(Key::ShareNoDuplicates)}</p> }.into_any();
            }
            let count = ps.len();
            let items = ps
                .into_iter()
                .filter_map(|p| {
                    let (a, b) = (customer(p.a)?, customer(p.b)?);
                    let reasons = p
                        .reasons
                        .iter()
                        .map(|r| i18n.t(reason_key(*r)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let label = format!("{} / {}", a.name, b.name);
                    let (ia, ib) = (p.a, p.b);
                    Some(view! {
                        <li>
                            <span class="pair-names">{label.clone()}</span>
                            " — " <span class="pair-reasons">{reasons}</span> " "
                            <button type="button" aria-label=i18n.tf(Key::ShareCompareLabel, &[("names", &label)])
                                on:click=move |_| open(ia, ib)>
                                {i18n.t(Key::ShareCompare)}
                            </button>
                        </li>
                    })
                })
                .collect_view();
            view! {
                <p role="status">{i18n.tf(Key::ShareDuplicatesFound, &[("count", &count.to_string())])}</p>
                <ul class="duplicates">{items}</ul>
            }
            .into_any()
        })
    };

    let compare = move || {
        let (a, b) = selected.get()?;
        let (x, y) = (customer(a)?, customer(b)?);
        let fields = kehu_core::duplicates::differing_fields(&x, &y);
        let rows = fields
            .into_iter()
            .map(|f| {
                let (vx, vy) = (f.value(&x), f.value(&y));
                let name = format!("merge-{f:?}");
                let label = i18n.t(merge_field_key(f));
                let empty = i18n.t(Key::ShareEmptyValue);
                view! {
                    <fieldset class="merge-field">
                        <legend>{label}</legend>
                        <label class="choice">
                            <input type="radio" name=name.clone()
                                prop:checked=move || !take_other.with(|t| t.contains(&f))
                                on:change=move |_| take_other.update(|t| t.retain(|g| *g != f))/>
                            <span>{if vx.is_empty() { empty.to_string() } else { vx.clone() }}</span>
                        </label>
                        <label class="choice">
                            <input type="radio" name=name
                                prop:checked=move || take_other.with(|t| t.contains(&f))
                                on:change=move |_| take_other.update(|t| if !t.contains(&f) { t.push(f) })/>
                            <span>{if vy.is_empty() { empty.to_string() } else { vy.clone() }}</span>
                        </label>
                    </fieldset>
                }
            })
            .collect_view();
        let moved = {
            let of = |id: Uuid| {
                app.data
                    .orders
                    .with_untracked(|o| o.iter().filter(|r| r.customer_id == id).count())
            };
            of(b)
        };
        Some(view! {
            <section class="merge-form" aria-labelledby="merge-title">
                <h3 id="merge-title">{i18n.tf(Key::ShareMergeTitle, &[("a", &x.name), ("b", &y.name)])}</h3>
                <p class="help">{i18n.tf(Key::ShareMergeSides, &[
                    ("a", &x.name),
                    ("a_added", &x.created_at.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string()),
                    ("b", &y.name),
                    ("b_added", &y.created_at.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string()),
                ])}</p>
                <p class="help">{i18n.tf(Key::ShareMergeHelp, &[("b", &y.name), ("orders", &moved.to_string())])}</p>
                {rows}
                <button type="button" class="primary" on:click=do_merge>{i18n.t(Key::ShareMergeCustomers)}</button>
                " "
                <button type="button" on:click=move |_| selected.set(None)>{i18n.t(Key::Cancel)}</button>
            </section>
        })
    };

    view! {
        <h2 id="duplicates-heading">{move || i18n.t(Key::ShareDuplicatesHeading)}</h2>
        <p class="help">{move || i18n.t(Key::ShareDuplicatesHelp)}</p>
        <button type="button" on:click=search>{move || i18n.t(Key::ShareFindDuplicates)}</button>
        {compare}
        {list}
    }
}
