//! The orders list: newest first, filtered by date range, customer and category, with the total
//! of what is shown. Only the first rows are drawn; the count says how many match.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::Order;

use super::{money_in, UNDO_SECONDS};
use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, Key};
use crate::routing::Route;
use crate::state::{use_app, LoadState};
use crate::storage::{Change, Record, StoreName};

/// Rows drawn at most; narrowing the filters shows the others.
const MAX_ROWS: usize = 200;

/// The filters, kept while the user visits other pages.
#[derive(Clone, Copy)]
pub struct SalesFilters {
    from: RwSignal<String>,
    to: RwSignal<String>,
    customer: RwSignal<String>,
    category: RwSignal<String>,
}

impl SalesFilters {
    /// Provides the filters for the app's lifetime.
    pub fn provide() {
        provide_context(SalesFilters {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            customer: RwSignal::new(String::new()),
            category: RwSignal::new(String::new()),
        });
    }
}

/// The list page.
#[component]
pub fn SalesList() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let d = app.data;
    let SalesFilters {
        from,
        to,
        customer,
        category,
    } = expect_context::<SalesFilters>();

    let names = Memo::new(move |_| {
        d.customers.with(|l| {
            l.iter()
                .map(|c| (c.id, (c.name.clone(), c.phone.clone())))
                .collect::<HashMap<Uuid, (String, String)>>()
        })
    });
    let categories = Memo::new(move |_| {
        d.orders.with(|l| {
            l.iter()
                .map(|o| o.category.clone())
                .filter(|c| !c.is_empty())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
        })
    });
    let date = |s: String| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
    // (orders shown, number matching, total of the matching)
    let shown = Memo::new(move |_| {
        let lo = date(from.get());
        let hi = date(to.get());
        let q = customer.get().trim().to_lowercase();
        let cat = category.get();
        let ids: Option<std::collections::HashSet<Uuid>> = (!q.is_empty()).then(|| {
            names.with(|n| {
                n.iter()
                    .filter(|(_, (name, phone))| {
                        name.to_lowercase().contains(&q) || phone.contains(&q)
                    })
                    .map(|(id, _)| *id)
                    .collect()
            })
        });
        d.orders.with(|l| {
            let mut matching: Vec<&Order> = l
                .iter()
                .filter(|o| {
                    let day = o.date.date();
                    lo.is_none_or(|lo| day >= lo)
                        && hi.is_none_or(|hi| day <= hi)
                        && (cat.is_empty() || o.category == cat)
                        && ids.as_ref().is_none_or(|ids| ids.contains(&o.customer_id))
                })
                .collect();
            let total: i64 = matching.iter().map(|o| o.amount).sum();
            let count = matching.len();
            // Newest first; only the rows drawn are put in order, not every match.
            let newest_first = |a: &&Order, b: &&Order| {
                b.date
                    .cmp(&a.date)
                    .then(b.created_at.cmp(&a.created_at))
                    .then(a.id.cmp(&b.id))
            };
            if matching.len() > MAX_ROWS {
                matching.select_nth_unstable_by(MAX_ROWS, newest_first);
                matching.truncate(MAX_ROWS);
            }
            matching.sort_by(newest_first);
            (
                matching.into_iter().cloned().collect::<Vec<_>>(),
                count,
                total,
            )
        })
    });

    let remove = move |order: Order| {
        let toasts = use_toasts();
        let entries: Vec<_> = d.ledger.with_untracked(|l| {
            l.iter()
                .filter(|e| e.order_id == Some(order.id))
                .cloned()
                .collect()
        });
        let mut changes = vec![Change::Delete(StoreName::Orders, order.id)];
        changes.extend(
            entries
                .iter()
                .map(|e: &kehu_core::LedgerEntry| Change::Delete(StoreName::Ledger, e.id)),
        );
        if let Some((who, balance)) =
            super::negative_balance_after(app, &changes, super::local_now())
        {
            let name =
                names.with_untracked(|n| n.get(&who).map(|c| c.0.clone()).unwrap_or_default());
            toasts.error(
                Key::SalesErrBalanceOf,
                &[("name", &name), ("balance", &balance.to_string())],
            );
            return;
        }
        let amount = money_in(app, order.amount);
        leptos::task::spawn_local(async move {
            match app.apply(changes).await {
                Ok(()) => {
                    let undo = Callback::new(move |()| {
                        let mut back = vec![Change::Put(Record::Order(order.clone()))];
                        back.extend(
                            entries
                                .iter()
                                .cloned()
                                .map(|e| Change::Put(Record::Ledger(e))),
                        );
                        leptos::task::spawn_local(async move {
                            match app.apply(back).await {
                                Ok(()) => toasts.info(Key::SalesRestored, &[]),
                                Err(e) => toasts.storage_error(&e),
                            }
                        });
                    });
                    toasts.show(
                        ToastKind::Info,
                        Key::SalesDeleted,
                        &[("amount", &amount)],
                        Some((Key::Undo, undo)),
                        UNDO_SECONDS,
                    );
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };

    let ready = move || app.load.get() == LoadState::Ready;
    view! {
        <section class="sales">
            <div class="page-head">
                <h1>{move || i18n.t(Key::SalesTitle)}</h1>
                <a class="button primary" href=Route::NewSale(None).href() aria-keyshortcuts="N">
                    {move || i18n.t(Key::SalesNew)}
                </a>
            </div>
            <div class="toolbar filters">
                <div class="filter">
                    <label for="sales-from">{move || i18n.t(Key::SalesFilterFrom)}</label>
                    <input id="sales-from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="filter">
                    <label for="sales-to">{move || i18n.t(Key::SalesFilterTo)}</label>
                    <input id="sales-to" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <div class="filter">
                    <label for="sales-customer">{move || i18n.t(Key::SalesFilterCustomer)}</label>
                    <input id="sales-customer" type="search" prop:value=move || customer.get() on:input=move |ev| customer.set(event_target_value(&ev))/>
                </div>
                <div class="filter">
                    <label for="sales-category">{move || i18n.t(Key::SalesFilterCategory)}</label>
                    <select id="sales-category" on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="" selected=move || category.get().is_empty()>{move || i18n.t(Key::SalesAllCategories)}</option>
                        {move || categories.get().into_iter().map(|c| {
                            let v = c.clone();
                            let value = c.clone();
                            view! { <option value=value selected=move || category.get() == v>{c}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <Show when=ready fallback=move || view! { <p class="loading" role="status">{move || i18n.t(Key::Loading)}</p> }>
                <p class="count" aria-live="polite">
                    {move || shown.with(|(rows, count, total)| i18n.tf(Key::SalesShown, &[
                        ("shown", &rows.len().to_string()),
                        ("count", &count.to_string()),
                        ("total", &money_in(app, *total)),
                    ]))}
                </p>
                <table class="orders">
                    <thead>
                        <tr>
                            <th scope="col">{move || i18n.t(Key::SalesFieldDate)}</th>
                            <th scope="col">{move || i18n.t(Key::SalesFieldCustomer)}</th>
                            <th scope="col">{move || i18n.t(Key::SalesFieldCategory)}</th>
                            <th scope="col" class="num">{move || i18n.t(Key::SalesFieldQuantity)}</th>
                            <th scope="col" class="num">{move || i18n.t(Key::SalesColAmount)}</th>
                            <th scope="col" class="num">{move || i18n.t(Key::SalesColRedeemed)}</th>
                            <th scope="col"><span class="visually-hidden">{move || i18n.t(Key::SalesColActions)}</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || shown.get().0
                            key=|o| (o.id, o.updated_at)
                            children=move |o: Order| {
                                let name = names.with_untracked(|n| n.get(&o.customer_id).map(|c| c.0.clone()).unwrap_or_default());
                                let when = o.date.format("%Y-%m-%d %H:%M").to_string();
                                let amount = o.amount;
                                let row = o.clone();
                                let edit_label = {
                                    let when = when.clone();
                                    move || i18n.tf(Key::SalesEditOf, &[("date", &when)])
                                };
                                let delete_label = {
                                    let when = when.clone();
                                    move || i18n.tf(Key::SalesDeleteOf, &[("date", &when)])
                                };
                                view! {
                                    <tr>
                                        <td>{when.clone()}</td>
                                        <td><a href=Route::Customer(o.customer_id).href()>{name}</a></td>
                                        <td>{o.category.clone()}</td>
                                        <td class="num">{o.quantity}</td>
                                        <td class="num">{move || money_in(app, amount)}</td>
                                        <td class="num">{(o.points_redeemed > 0).then(|| o.points_redeemed.to_string())}</td>
                                        <td class="row-actions">
                                            <a href=Route::EditSale(o.id).href() aria-label=edit_label>{move || i18n.t(Key::SalesEdit)}</a>
                                            <button type="button" class="link" aria-label=delete_label
                                                on:click=move |_| remove(row.clone())>{move || i18n.t(Key::SalesDelete)}</button>
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
                <Show when=move || shown.with(|s| s.1 == 0)>
                    <p class="no-match">{move || i18n.t(Key::SalesNone)}</p>
                </Show>
            </Show>
        </section>
    }
}
