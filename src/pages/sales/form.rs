//! Recording a sale (or changing one): pick the customer by typing a name or phone (or create
//! them on the spot), then amount, category, quantity, points to redeem and a note. The points the
//! sale earns and redeems, bonuses and the balance after are shown before saving. Everything works
//! from the keyboard: arrows and Enter pick the customer, Enter in any field saves.

use chrono::NaiveDateTime;
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::points::{plan_sale, PointsError, SaleContext, SalePlan, MINOR_PER_POINT};
use kehu_core::transactions_csv::{format_amount, parse_amount};
use kehu_core::validate::{validate_customer, CustomerError};
use kehu_core::{Customer, LedgerEntry, Order};

use super::{
    customer_label, local_now, money_in, negative_balance_after, points_error_text, UNDO_SECONDS,
};
use crate::components::toast::{use_toasts, ToastKind};
use crate::i18n::{use_i18n, Key};
use crate::routing::{navigate, Route};
use crate::state::{new_id, now, today, use_app, LoadState};
use crate::storage::{Change, Record, StoreName};

/// Customers offered while typing.
const SUGGESTIONS: usize = 8;
/// The `datetime-local` format.
const DATETIME: &str = "%Y-%m-%dT%H:%M";

/// The sale page: waits until every record is read (points need the ledger), then shows the form.
#[component]
pub fn SalePage(
    /// The sale to change, or None for a new one.
    order: Option<Uuid>,
    /// The customer a new sale is for, when known.
    customer: Option<Uuid>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let ready = Memo::new(move |_| app.load.get() == LoadState::Ready);
    move || {
        if ready.get() {
            view! { <SaleForm order=order customer=customer/> }.into_any()
        } else {
            view! { <p class="loading" role="status">{move || i18n.t(Key::Loading)}</p> }.into_any()
        }
    }
}

/// One entry of the customer suggestions.
#[derive(Clone, Debug, PartialEq)]
enum Suggestion {
    Existing(Uuid, String),
    Create(String),
}

/// The form itself.
#[component]
fn SaleForm(order: Option<Uuid>, customer: Option<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let d = app.data;
    let existing: Option<Order> = order.and_then(|id| {
        d.orders
            .with_untracked(|l| l.iter().find(|o| o.id == id).cloned())
    });
    if order.is_some() && existing.is_none() {
        return view! {
            <section class="form-page">
                <h1>{move || i18n.t(Key::SalesNotFound)}</h1>
                <a href=Route::Sales.href()>{move || i18n.t(Key::SalesBackToList)}</a>
            </section>
        }
        .into_any();
    }
    let is_new = existing.is_none();
    let order_id = existing.as_ref().map_or_else(new_id, |o| o.id);
    let find_customer = move |id: Uuid| {
        d.customers
            .with_untracked(|l| l.iter().find(|c| c.id == id).cloned())
    };
    let preset = existing
        .as_ref()
        .map(|o| o.customer_id)
        .or(customer)
        .and_then(find_customer);

    let customer_id = RwSignal::new(preset.as_ref().map(|c| c.id));
    let query = RwSignal::new(preset.as_ref().map(customer_label).unwrap_or_default());
    let open = RwSignal::new(false);
    let active = RwSignal::new(0_usize);
    // A customer created with this sale: name and phone as typed; the id is fixed once.
    let creating = RwSignal::new(false);
    let new_name = RwSignal::new(String::new());
    let new_phone = RwSignal::new(String::new());
    let new_customer_id = StoredValue::new(new_id());

    let date_text = RwSignal::new(
        existing
            .as_ref()
            .map_or_else(local_now, |o| o.date)
            .format(DATETIME)
            .to_string(),
    );
    let amount_text = RwSignal::new(
        existing
            .as_ref()
            .map(|o| format_amount(o.amount + o.points_redeemed * MINOR_PER_POINT))
            .unwrap_or_default(),
    );
    let category = RwSignal::new(
        existing
            .as_ref()
            .map(|o| o.category.clone())
            .unwrap_or_default(),
    );
    let quantity_text = RwSignal::new(existing.as_ref().map_or(1, |o| o.quantity).to_string());
    let redeem_text = RwSignal::new(
        existing
            .as_ref()
            .map_or(0, |o| o.points_redeemed)
            .to_string(),
    );
    let note = RwSignal::new(
        existing
            .as_ref()
            .map(|o| o.note.clone())
            .unwrap_or_default(),
    );
    let tried = RwSignal::new(false);
    let saving = RwSignal::new(false);
    // Opened directly (not by following a link) or once records arrived: focus the first field.
    let first_field = if preset.is_some() {
        "sale-amount"
    } else {
        "sale-customer"
    };
    Effect::new(move |_| focus_later(first_field));

    let suggestions = Memo::new(move |_| {
        let q = query.get();
        let q = q.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let mut found: Vec<(bool, Suggestion)> = d.customers.with(|all| {
            all.iter()
                .filter(|c| !c.archived)
                .filter_map(|c| {
                    let name = c.name.to_lowercase();
                    let phone: String = c.phone.chars().filter(char::is_ascii_digit).collect();
                    let by_name = name.contains(&q) || customer_label(c).to_lowercase() == q;
                    let by_phone = digits.len() >= 3 && phone.contains(&digits);
                    (by_name || by_phone).then(|| {
                        (
                            !name.starts_with(&q),
                            Suggestion::Existing(c.id, customer_label(c)),
                        )
                    })
                })
                .take(SUGGESTIONS * 4)
                .collect()
        });
        crate::sort::sort_by(&mut found, &|a, b| a.0.cmp(&b.0));
        let mut out: Vec<Suggestion> = found
            .into_iter()
            .map(|(_, s)| s)
            .take(SUGGESTIONS)
            .collect();
        out.push(Suggestion::Create(query.get().trim().to_string()));
        out
    });

    let pick = move |s: Suggestion| {
        match s {
            Suggestion::Existing(id, label) => {
                customer_id.set(Some(id));
                creating.set(false);
                query.set(label);
                focus_later("sale-amount");
            }
            Suggestion::Create(name) => {
                customer_id.set(None);
                creating.set(true);
                let digits: String = name.chars().filter(char::is_ascii_digit).collect();
                if digits.len() >= 5 && digits.len() + 3 >= name.chars().count() {
                    new_phone.set(name);
                    new_name.set(String::new());
                } else {
                    new_name.set(name);
                }
                focus_later("sale-new-name");
            }
        }
        open.set(false);
    };

    // The customer the sale is for, existing or about to be created.
    let target = Memo::new(move |_| -> Option<Customer> {
        if creating.get() {
            let mut c = Customer::new(new_customer_id.get_value(), new_name.get().trim(), now());
            c.phone = new_phone.get().trim().to_string();
            Some(c)
        } else {
            customer_id
                .get()
                .and_then(|id| d.customers.with(|l| l.iter().find(|c| c.id == id).cloned()))
        }
    });
    // What the points depend on: the customer's other orders and their ledger without this sale.
    let context = Memo::new(move |_| {
        let c = target.get()?;
        let orders: Vec<Order> = d.orders.with(|l| {
            l.iter()
                .filter(|o| o.customer_id == c.id && o.id != order_id)
                .cloned()
                .collect()
        });
        let ledger: Vec<LedgerEntry> = d.ledger.with(|l| {
            l.iter()
                .filter(|e| e.customer_id == c.id && e.order_id != Some(order_id))
                .cloned()
                .collect()
        });
        let referrer = c.referred_by.and_then(find_customer_tracked(app));
        Some((c, orders, ledger, referrer))
    });

    let parsed_date =
        Memo::new(move |_| NaiveDateTime::parse_from_str(&date_text.get(), DATETIME).ok());
    let parsed_amount = Memo::new(move |_| {
        let t = amount_text.get();
        if t.trim().is_empty() {
            return Err(Key::SalesErrAmountRequired);
        }
        parse_amount(&t).map_err(|_| Key::SalesErrAmountInvalid)
    });
    let parsed_quantity = Memo::new(move |_| {
        quantity_text
            .get()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|q| *q >= 1)
    });
    let parsed_redeem = Memo::new(move |_| {
        let t = redeem_text.get();
        if t.trim().is_empty() {
            Some(0)
        } else {
            t.trim().parse::<i64>().ok()
        }
    });
    let plan = Memo::new(move |_| -> Option<Result<SalePlan, PointsError>> {
        let programme = d.loyalty.get();
        let at = parsed_date.get()?;
        let gross = parsed_amount.get().ok()?;
        let redeem = parsed_redeem.get()?;
        context.with(|ctx| {
            let (c, orders, ledger, referrer) = ctx.as_ref()?;
            Some(plan_sale(
                SaleContext {
                    programme: &programme,
                    customer: c,
                    other_orders: orders,
                    ledger,
                    referrer_exists: referrer.is_some(),
                },
                at,
                gross,
                redeem,
            ))
        })
    });

    let customer_error = move || {
        if creating.get() {
            new_name
                .with(|n| n.trim().is_empty())
                .then_some(Key::SalesErrNewName)
        } else {
            customer_id
                .get()
                .is_none()
                .then_some(Key::SalesErrCustomerRequired)
        }
    };
    // The phone of a customer created here is checked as the customer form checks it.
    let phone_error = move || -> Option<String> {
        if !creating.get() {
            return None;
        }
        let c = target.get()?;
        validate_customer(&c, today())
            .into_iter()
            .find_map(|e| match e {
                CustomerError::PhoneInvalid(v) => {
                    Some(i18n.tf(Key::ErrPhoneInvalid, &[("value", &v)]))
                }
                _ => None,
            })
    };
    let amount_error = move || parsed_amount.get().err();
    let date_error = move || parsed_date.get().is_none().then_some(Key::SalesErrDate);
    let quantity_error = move || {
        parsed_quantity
            .get()
            .is_none()
            .then_some(Key::SalesErrQuantity)
    };
    let redeem_error = move || -> Option<String> {
        if parsed_redeem.get().is_none() {
            return Some(i18n.t(Key::SalesErrRedeemNumber).to_string());
        }
        match plan.get() {
            Some(Err(e)) => Some(points_error_text(i18n, &e)),
            _ => None,
        }
    };
    let has_errors = move || {
        customer_error().is_some()
            || phone_error().is_some()
            || amount_error().is_some()
            || date_error().is_some()
            || quantity_error().is_some()
            || redeem_error().is_some()
            || !matches!(plan.get(), Some(Ok(_)))
    };

    let save = move || {
        tried.set(true);
        if has_errors() || saving.get_untracked() {
            focus_first_invalid();
            return;
        }
        let (Some(Ok(plan)), Some(customer), Some(at), Some(quantity)) = (
            plan.get_untracked(),
            target.get_untracked(),
            parsed_date.get_untracked(),
            parsed_quantity.get_untracked(),
        ) else {
            return;
        };
        let stamp = now();
        let mut changes = Vec::new();
        if creating.get_untracked() {
            changes.push(Change::Put(Record::Customer(customer.clone())));
        }
        let order = Order {
            id: order_id,
            customer_id: customer.id,
            date: at,
            amount: plan.paid,
            category: category.get_untracked().trim().to_string(),
            quantity,
            note: note.get_untracked().trim().to_string(),
            points_redeemed: plan.redeemed,
            created_at: existing.as_ref().map_or(stamp, |o| o.created_at),
            updated_at: stamp,
        };
        changes.push(Change::Put(Record::Order(order)));
        // An edited sale's entries are written anew from its new figures.
        d.ledger.with_untracked(|l| {
            changes.extend(
                l.iter()
                    .filter(|e| e.order_id == Some(order_id))
                    .map(|e| Change::Delete(StoreName::Ledger, e.id)),
            )
        });
        changes.extend(
            plan.entries(order_id, customer.id, at, stamp, new_id)
                .into_iter()
                .map(|e| Change::Put(Record::Ledger(e))),
        );
        let toasts = use_toasts();
        if let Some((who, balance)) = negative_balance_after(app, &changes, at.max(local_now())) {
            let name = find_customer(who).map(|c| c.name).unwrap_or_default();
            toasts.error(
                Key::SalesErrBalanceOf,
                &[("name", &name), ("balance", &balance.to_string())],
            );
            return;
        }
        saving.set(true);
        let paid = money_in(app, plan.paid);
        let balance = plan.balance_after.to_string();
        // An edit is checked against the version the form was opened with.
        let base = existing.as_ref().map(|o| crate::storage::Base {
            store: StoreName::Orders,
            id: o.id,
            updated_at: o.updated_at,
        });
        leptos::task::spawn_local(async move {
            let saved = match base {
                Some(base) => app.apply_from(changes, base).await,
                None => app.apply(changes).await,
            };
            match saved {
                Ok(()) => {
                    toasts.info(
                        Key::SalesSaved,
                        &[
                            ("amount", &paid),
                            ("name", &customer.name),
                            ("balance", &balance),
                        ],
                    );
                    navigate(Route::Sales);
                }
                Err(e) => toasts.storage_error(&e),
            }
            saving.set(false);
        });
    };

    let delete = move |_| {
        let toasts = use_toasts();
        let Some(order) = d
            .orders
            .with_untracked(|l| l.iter().find(|o| o.id == order_id).cloned())
        else {
            return;
        };
        let entries: Vec<LedgerEntry> = d.ledger.with_untracked(|l| {
            l.iter()
                .filter(|e| e.order_id == Some(order_id))
                .cloned()
                .collect()
        });
        let mut changes = vec![Change::Delete(StoreName::Orders, order_id)];
        changes.extend(
            entries
                .iter()
                .map(|e| Change::Delete(StoreName::Ledger, e.id)),
        );
        if let Some((who, balance)) = negative_balance_after(app, &changes, local_now()) {
            let name = find_customer(who).map(|c| c.name).unwrap_or_default();
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
                    navigate(Route::Sales);
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };

    let categories = Memo::new(move |_| {
        let mut all: Vec<String> = d.orders.with(|l| {
            l.iter()
                .map(|o| o.category.clone())
                .filter(|c| !c.is_empty())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        });
        all.truncate(200);
        all
    });

    let on_customer_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = suggestions.with(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                if open.get_untracked() {
                    active.update(|a| *a = (*a + 1) % n);
                } else {
                    open.set(true);
                    active.set(0);
                }
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = (*a + n - 1) % n);
            }
            "Enter" if open.get_untracked() && n > 0 => {
                ev.prevent_default();
                if let Some(s) =
                    suggestions.with_untracked(|l| l.get(active.get_untracked()).cloned())
                {
                    pick(s);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
            }
            _ => {}
        }
    };

    let show_err = move |e: Option<Key>| {
        move || {
            if tried.get() {
                e.map(|k| i18n.t(k)).unwrap_or("")
            } else {
                ""
            }
        }
    };
    let currency_of = move |amount| money_in(app, amount);

    view! {
        <section class="form-page sale-page">
            <div class="page-head">
                <h1>{move || if is_new { i18n.t(Key::SalesNewTitle) } else { i18n.t(Key::SalesEditTitle) }}</h1>
                <a href=Route::Sales.href()>{move || i18n.t(Key::SalesBackToList)}</a>
            </div>
            <form
                novalidate=true
                on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }
            >
                <fieldset>
                    <legend>{move || i18n.t(Key::SalesSectionCustomer)}</legend>
                    <div class="field wide combo" class:invalid=move || tried.get() && customer_error().is_some() && !creating.get()>
                        <label for="sale-customer">
                            {move || i18n.t(Key::SalesFieldCustomer)}
                            <span class="req" aria-hidden="true">" *"</span>
                        </label>
                        <input
                            id="sale-customer"
                            type="text"
                            role="combobox"
                            autocomplete="off"
                            aria-autocomplete="list"
                            aria-controls="sale-customer-list"
                            aria-expanded=move || if open.get() && suggestions.with(|s| !s.is_empty()) { "true" } else { "false" }
                            aria-activedescendant=move || open.get().then(|| format!("sale-opt-{}", active.get()))
                            aria-describedby="sale-customer-help sale-customer-err"
                            data-autofocus=preset.is_none().then_some("")
                            placeholder=move || i18n.t(Key::SalesCustomerPlaceholder)
                            prop:value=move || query.get()
                            on:input=move |ev| {
                                query.set(event_target_value(&ev));
                                customer_id.set(None);
                                creating.set(false);
                                active.set(0);
                                open.set(true);
                            }
                            on:keydown=on_customer_key
                            on:blur=move |_| open.set(false)
                        />
                        <ul
                            id="sale-customer-list"
                            class="suggestions"
                            role="listbox"
                            aria-label=move || i18n.t(Key::SalesFieldCustomer)
                            hidden=move || !open.get() || suggestions.with(Vec::is_empty)
                        >
                            {move || suggestions.get().into_iter().enumerate().map(|(i, s)| {
                                let label = match &s {
                                    Suggestion::Existing(_, label) => label.clone(),
                                    Suggestion::Create(name) => i18n.tf(Key::SalesCreateCustomer, &[("name", name)]),
                                };
                                let chosen = s.clone();
                                view! {
                                    <li
                                        id=format!("sale-opt-{i}")
                                        role="option"
                                        class:active=move || active.get() == i
                                        class:create=matches!(s, Suggestion::Create(_))
                                        aria-selected=move || if active.get() == i { "true" } else { "false" }
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            pick(chosen.clone());
                                        }
                                    >{label}</li>
                                }
                            }).collect_view()}
                        </ul>
                        <p class="help" id="sale-customer-help">{move || i18n.t(Key::SalesCustomerHelp)}</p>
                        <p class="error" id="sale-customer-err">{move || if creating.get() { "" } else { show_err(customer_error())() }}</p>
                        <CustomerSummary target=target/>
                    </div>
                    <Show when=move || creating.get()>
                        <div class="field" class:invalid=move || tried.get() && customer_error().is_some()>
                            <label for="sale-new-name">
                                {move || i18n.t(Key::SalesNewCustomerName)}
                                <span class="req" aria-hidden="true">" *"</span>
                            </label>
                            <input id="sale-new-name" type="text" aria-describedby="sale-new-name-err"
                                prop:value=move || new_name.get()
                                on:input=move |ev| new_name.set(event_target_value(&ev))/>
                            <p class="error" id="sale-new-name-err">{move || show_err(customer_error())()}</p>
                        </div>
                        <div class="field" class:invalid=move || tried.get() && phone_error().is_some()>
                            <label for="sale-new-phone">{move || i18n.t(Key::SalesNewCustomerPhone)}</label>
                            <input id="sale-new-phone" type="tel" aria-describedby="sale-new-phone-err"
                                prop:value=move || new_phone.get()
                                on:input=move |ev| new_phone.set(event_target_value(&ev))/>
                            <p class="error" id="sale-new-phone-err">{move || if tried.get() { phone_error() } else { None }}</p>
                        </div>
                    </Show>
                </fieldset>
                <fieldset>
                    <legend>{move || i18n.t(Key::SalesSectionSale)}</legend>
                    <div class="field" class:invalid=move || tried.get() && amount_error().is_some()>
                        <label for="sale-amount">
                            {move || i18n.t(Key::SalesFieldAmount)}
                            <span class="req" aria-hidden="true">" *"</span>
                        </label>
                        <input id="sale-amount" type="text" inputmode="decimal" autocomplete="off"
                            aria-describedby="sale-amount-help sale-amount-err"
                            data-autofocus=preset.is_some().then_some("")
                            prop:value=move || amount_text.get()
                            on:input=move |ev| amount_text.set(event_target_value(&ev))/>
                        <p class="help" id="sale-amount-help">{move || i18n.t(Key::SalesAmountHelp)}</p>
                        <p class="error" id="sale-amount-err">{move || show_err(amount_error())()}</p>
                    </div>
                    <div class="field">
                        <label for="sale-category">{move || i18n.t(Key::SalesFieldCategory)}</label>
                        <input id="sale-category" type="text" list="sale-categories" autocomplete="off"
                            prop:value=move || category.get()
                            on:input=move |ev| category.set(event_target_value(&ev))/>
                        <datalist id="sale-categories">
                            {move || categories.get().into_iter().map(|c| view! { <option value=c/> }).collect_view()}
                        </datalist>
                    </div>
                    <div class="field" class:invalid=move || tried.get() && quantity_error().is_some()>
                        <label for="sale-quantity">{move || i18n.t(Key::SalesFieldQuantity)}</label>
                        <input id="sale-quantity" type="number" min="1" step="1" aria-describedby="sale-quantity-err"
                            prop:value=move || quantity_text.get()
                            on:input=move |ev| quantity_text.set(event_target_value(&ev))/>
                        <p class="error" id="sale-quantity-err">{move || show_err(quantity_error())()}</p>
                    </div>
                    <div class="field" class:invalid=move || redeem_error().is_some()>
                        <label for="sale-redeem">{move || i18n.t(Key::SalesFieldRedeem)}</label>
                        <input id="sale-redeem" type="number" min="0" step="1" aria-describedby="sale-redeem-help sale-redeem-err"
                            prop:value=move || redeem_text.get()
                            on:input=move |ev| redeem_text.set(event_target_value(&ev))/>
                        <p class="help" id="sale-redeem-help">{move || i18n.tf(Key::SalesRedeemHelp, &[("value", &currency_of(100 * MINOR_PER_POINT))])}</p>
                        <p class="error" id="sale-redeem-err">{move || redeem_error().unwrap_or_default()}</p>
                    </div>
                    <div class="field" class:invalid=move || tried.get() && date_error().is_some()>
                        <label for="sale-date">{move || i18n.t(Key::SalesFieldDate)}</label>
                        <input id="sale-date" type="datetime-local" aria-describedby="sale-date-err"
                            prop:value=move || date_text.get()
                            on:input=move |ev| date_text.set(event_target_value(&ev))/>
                        <p class="error" id="sale-date-err">{move || show_err(date_error())()}</p>
                    </div>
                    <div class="field wide">
                        <label for="sale-note">{move || i18n.t(Key::SalesFieldNote)}</label>
                        <input id="sale-note" type="text"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))/>
                    </div>
                </fieldset>
                <section class="points-preview" aria-labelledby="sale-points-title">
                    <h2 id="sale-points-title">{move || i18n.t(Key::SalesPointsTitle)}</h2>
                    <div role="status" aria-live="polite">
                        {move || match plan.get() {
                            Some(Ok(p)) => {
                                let tier = d.loyalty.with(|l| l.tiers.get(p.tier).map(|t| t.name.clone()).unwrap_or_default());
                                let referrer = p.referral_bonus.and_then(|(id, n)| find_customer(id).map(|c| (c.name, n)));
                                view! {
                                    <ul class="plan">
                                        <li>{i18n.tf(Key::SalesPlanTier, &[("tier", &tier), ("multiplier", &p.multiplier.to_string()), ("spend", &currency_of(p.spend_12m))])}</li>
                                        <li>{i18n.tf(Key::SalesPlanRedeemed, &[("points", &p.redeemed.to_string()), ("discount", &currency_of(p.discount))])}</li>
                                        <li class="pay">{i18n.tf(Key::SalesPlanPay, &[("amount", &currency_of(p.paid))])}</li>
                                        <li>{i18n.tf(Key::SalesPlanEarned, &[("points", &p.earned.to_string())])}</li>
                                        {(p.taken_back > 0).then(|| view! { <li>{i18n.tf(Key::SalesPlanRefund, &[("points", &p.taken_back.to_string())])}</li> })}
                                        {(p.birthday_bonus > 0).then(|| view! { <li>{i18n.tf(Key::SalesPlanBirthday, &[("points", &p.birthday_bonus.to_string())])}</li> })}
                                        {referrer.map(|(name, n)| view! { <li>{i18n.tf(Key::SalesPlanReferral, &[("name", &name), ("points", &n.to_string())])}</li> })}
                                        {(!p.expiries.is_empty()).then(|| {
                                            let n: i64 = p.expiries.iter().map(|x| x.points).sum();
                                            view! { <li>{i18n.tf(Key::SalesPlanExpired, &[("points", &n.to_string())])}</li> }
                                        })}
                                        <li class="balance">{i18n.tf(Key::SalesPlanBalance, &[("before", &p.balance_before.to_string()), ("after", &p.balance_after.to_string())])}</li>
                                    </ul>
                                }.into_any()
                            }
                            Some(Err(e)) => view! { <p class="error">{points_error_text(i18n, &e)}</p> }.into_any(),
                            None => view! { <p class="help">{i18n.t(Key::SalesPlanWaiting)}</p> }.into_any(),
                        }}
                    </div>
                </section>
                <p class="form-errors" role="alert">
                    {move || (tried.get() && has_errors()).then(|| i18n.t(Key::FixErrors))}
                </p>
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || saving.get()>{move || i18n.t(Key::SalesSave)}</button>
                    <a class="button" href=Route::Sales.href()>{move || i18n.t(Key::Cancel)}</a>
                    {(!is_new).then(|| view! {
                        <span class="spacer"></span>
                        <button type="button" class="danger" on:click=delete>{move || i18n.t(Key::SalesDelete)}</button>
                    })}
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// The chosen customer's tier and points, under the picker.
#[component]
fn CustomerSummary(target: Memo<Option<Customer>>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    move || {
        target.get().filter(|c| !c.name.is_empty()).map(|c| {
            let facts = crate::pages::customers::view::loyalty_facts(app, c.id);
            view! {
                <p class="chosen">
                    <a href=Route::Customer(c.id).href()>{c.name.clone()}</a>
                    " · "
                    {i18n.tf(Key::SalesChosenFacts, &[("tier", &facts.tier_name), ("points", &facts.balance.to_string())])}
                </p>
            }
        })
    }
}

/// Looks a customer up, tracking the list (for memos).
fn find_customer_tracked(app: crate::state::AppState) -> impl Fn(Uuid) -> Option<Customer> {
    move |id| {
        app.data
            .customers
            .with(|l| l.iter().find(|c| c.id == id).cloned())
    }
}

/// Focuses the element with `id` once it is on screen.
fn focus_later(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document()
            .get_element_by_id(id)
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = el.focus();
        }
    });
}

/// Moves keyboard focus to the first field marked invalid.
fn focus_first_invalid() {
    request_animation_frame(|| {
        if let Ok(Some(el)) = document().query_selector(".sale-page .field.invalid input") {
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    });
}
