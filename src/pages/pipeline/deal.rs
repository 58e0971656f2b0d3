//! One deal: its stage (moved by buttons or a select), the history of its moves, the objections
//! noted, and, once won, creating its sale.

use leptos::prelude::*;
use uuid::Uuid;

use chrono::NaiveDate;
use kehu_core::pipeline::{reopen_stage, sale_from_deal};
use kehu_core::transactions_csv::{format_amount, parse_amount};
use kehu_core::{Deal, DealStage};

use super::{currency, customer_name, deal_error_text, money, move_deal_to, stage_label, tr};
use crate::components::toast::use_toasts;
use crate::components::toast::ToastKind;
use crate::i18n::{use_i18n, Key};
use crate::routing::{navigate, Route};
use crate::state::{new_id, now, use_app};
use crate::storage::{Change, Record};

/// Longest objection accepted.
const MAX_OBJECTION: usize = 500;

/// The points a won deal's sale earns, as any sale does (earned at the customer's tier, birthday
/// and referral bonuses, expiries due): the ledger entries to write with the order. None when the
/// customer is gone or the plan cannot be made (a sale from a deal redeems nothing, so it cannot
/// take a balance below zero).
fn sale_points(
    app: crate::state::AppState,
    order: &kehu_core::Order,
    at: kehu_core::Timestamp,
) -> Vec<Change> {
    let d = app.data;
    let Some(customer) = d
        .customers
        .with_untracked(|l| l.iter().find(|c| c.id == order.customer_id).cloned())
    else {
        return Vec::new();
    };
    let referrer_exists = customer
        .referred_by
        .is_some_and(|r| d.customers.with_untracked(|l| l.iter().any(|c| c.id == r)));
    let orders: Vec<kehu_core::Order> = d.orders.with_untracked(|l| {
        l.iter()
            .filter(|o| o.customer_id == customer.id)
            .cloned()
            .collect()
    });
    let ledger: Vec<kehu_core::LedgerEntry> = d.ledger.with_untracked(|l| {
        l.iter()
            .filter(|e| e.customer_id == customer.id)
            .cloned()
            .collect()
    });
    let programme = d.loyalty.get_untracked();
    let ctx = kehu_core::points::SaleContext {
        programme: &programme,
        customer: &customer,
        other_orders: &orders,
        ledger: &ledger,
        referrer_exists,
    };
    match kehu_core::points::plan_sale(ctx, order.date, order.amount, 0) {
        Ok(plan) => plan
            .entries(order.id, customer.id, order.date, at, new_id)
            .into_iter()
            .map(|e| Change::Put(Record::Ledger(e)))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The deal page.
#[component]
pub fn DealPage(
    /// The deal shown.
    id: Uuid,
) -> impl IntoView {
    let app = use_app();
    let deal = Memo::new(move |_| {
        app.data
            .deals
            .with(|l| l.iter().find(|d| d.id == id).cloned())
    });
    move || match deal.get() {
        None => view! {
            <section class="form-page">
                <h1>{tr(Key::PipelineDealNotFound)}</h1>
                <a href=Route::Pipeline.href()>{tr(Key::PipelineBackToBoard)}</a>
            </section>
        }
        .into_any(),
        Some(d) => view! { <DealView deal=d/> }.into_any(),
    }
}

/// Stores a changed deal and says `message`.
fn save_deal(deal: Deal, extra: Vec<Change>, message: Key) {
    let app = use_app();
    let toasts = use_toasts();
    leptos::task::spawn_local(async move {
        let title = deal.title.clone();
        let mut changes = vec![Change::Put(Record::Deal(deal))];
        changes.extend(extra);
        match app.apply(changes).await {
            Ok(()) => toasts.info(message, &[("title", &title)]),
            Err(e) => toasts.storage_error(&e),
        }
    });
}

#[component]
fn DealView(deal: Deal) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let id = deal.id;
    let stage = deal.stage;
    let customer = deal.customer_id;
    let objection = RwSignal::new(String::new());
    let objection_error = RwSignal::new(None::<Key>);

    let add_objection = {
        let deal = deal.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = objection.get_untracked().trim().to_string();
            if text.is_empty() {
                objection_error.set(Some(Key::PipelineErrObjectionEmpty));
                return;
            }
            if text.chars().count() > MAX_OBJECTION {
                objection_error.set(Some(Key::PipelineErrObjectionTooLong));
                return;
            }
            objection_error.set(None);
            let mut d = deal.clone();
            d.objections.push(text);
            d.updated_at = now();
            objection.set(String::new());
            save_deal(d, Vec::new(), Key::PipelineObjectionAdded);
        }
    };

    let create_sale = {
        let deal = deal.clone();
        move |_| {
            let toasts = use_toasts();
            let at = now();
            let local = chrono::Local::now().naive_local();
            match sale_from_deal(&deal, new_id(), local, at) {
                Ok((order, updated)) => {
                    let mut changes = sale_points(app, &order, at);
                    changes.insert(0, Change::Put(Record::Order(order)));
                    save_deal(updated, changes, Key::PipelineSaleCreated);
                }
                Err(e) => toasts.error(deal_error_text(&e), &[]),
            }
        }
    };
    let sale = deal.sale_id.and_then(|sid| {
        app.data
            .orders
            .with_untracked(|l| l.iter().find(|o| o.id == sid).cloned())
    });

    let history = deal.history.clone();
    let objections = deal.objections.clone();
    let value = deal.value;
    let next = stage.next();
    let previous = stage.previous();
    let reopen = reopen_stage(&deal);
    let can_sell = stage.is_won() && deal.sale_id.is_none();
    let close = deal.expected_close;
    let title = deal.title.clone();

    view! {
        <section class="deal-page">
            <div class="page-head">
                <h1>{title.clone()}</h1>
                <a href=Route::Pipeline.href()>{tr(Key::PipelineBackToBoard)}</a>
            </div>
            <dl class="facts">
                <div>
                    <dt>{tr(Key::PipelineCustomer)}</dt>
                    <dd><a href=crate::pages::pipeline::customer_page(customer).href()>{move || customer_name(customer)}</a></dd>
                </div>
                <div>
                    <dt>{tr(Key::PipelineDealValue)}</dt>
                    <dd>{move || money(value, &currency())}</dd>
                </div>
                <div>
                    <dt>{tr(Key::PipelineCurrentStage)}</dt>
                    <dd class="current-stage">{tr(stage_label(stage))}</dd>
                </div>
                {close.map(|c| view! {
                    <div>
                        <dt>{tr(Key::PipelineExpectedClose)}</dt>
                        <dd>{c.to_string()}</dd>
                    </div>
                })}
            </dl>

            <section aria-labelledby="move-title">
                <h2 id="move-title">{tr(Key::PipelineMoveTitle)}</h2>
                <div class="actions">
                    {previous.map(|p| view! {
                        <button type="button" id="deal-back" on:click=move |_| move_deal_to(id, p, Some("deal-back".into()))>
                            {move || i18n.tf(Key::PipelineMoveBackButton, &[("stage", i18n.t(stage_label(p)))])}
                        </button>
                    })}
                    {next.map(|n| view! {
                        <button type="button" class="primary" id="deal-next" on:click=move |_| move_deal_to(id, n, Some("deal-next".into()))>
                            {move || i18n.tf(Key::PipelineMoveNextButton, &[("stage", i18n.t(stage_label(n)))])}
                        </button>
                    })}
                    {(stage != DealStage::Lost && !stage.is_won()).then(|| view! {
                        <button type="button" class="danger" on:click=move |_| move_deal_to(id, DealStage::Lost, Some("deal-stage".into()))>
                            {tr(Key::PipelineMarkLost)}
                        </button>
                    })}
                    {reopen.map(|r| view! {
                        <button type="button" on:click=move |_| move_deal_to(id, r, Some("deal-stage".into()))>
                            {move || i18n.tf(Key::PipelineReopenButton, &[("stage", i18n.t(stage_label(r)))])}
                        </button>
                    })}
                    <label class="inline">
                        {tr(Key::PipelineStageSelect)}
                        <select id="deal-stage" on:change=move |ev| {
                            if let Some(to) = DealStage::parse(&event_target_value(&ev)) {
                                if to != stage {
                                    move_deal_to(id, to, Some("deal-stage".into()));
                                }
                            }
                        }>
                            {DealStage::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=s == stage>{tr(stage_label(s))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
            </section>

            {stage.is_won().then(|| view! {
                <section aria-labelledby="sale-title">
                    <h2 id="sale-title">{tr(Key::PipelineSaleTitle)}</h2>
                    {if can_sell {
                        view! {
                            <p class="help">{tr(Key::PipelineSaleHelp)}</p>
                            <button type="button" class="primary" on:click=create_sale.clone()>{tr(Key::PipelineCreateSale)}</button>
                        }.into_any()
                    } else {
                        let text = sale.clone().map(|o| (super::date_time(o.date), o.amount));
                        view! {
                            <p class="sale-done">
                                {move || match text.clone() {
                                    Some((date, amount)) => i18n.tf(Key::PipelineSaleDone, &[("date", &date), ("amount", &money(amount, &currency()))]),
                                    None => i18n.t(Key::PipelineSaleGone).to_string(),
                                }}
                            </p>
                        }.into_any()
                    }}
                </section>
            })}

            <section aria-labelledby="obj-title">
                <h2 id="obj-title">{tr(Key::PipelineObjections)}</h2>
                {objections.is_empty().then(|| view! { <p class="help">{tr(Key::PipelineNoObjections)}</p> })}
                <ul class="objections">
                    {objections.iter().enumerate().map(|(i, o)| {
                        let deal = deal.clone();
                        let text = o.clone();
                        let label = o.clone();
                        view! {
                            <li>
                                <span>{text}</span>
                                <button type="button" class="link"
                                    aria-label=move || i18n.tf(Key::PipelineRemoveObjection, &[("text", &label)])
                                    on:click=move |_| {
                                        let mut d = deal.clone();
                                        if i < d.objections.len() {
                                            d.objections.remove(i);
                                            d.updated_at = now();
                                            save_deal(d, Vec::new(), Key::PipelineObjectionRemoved);
                                        }
                                    }
                                >{tr(Key::Remove)}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form class="objection-form" novalidate=true on:submit=add_objection>
                    <div class="field wide" class:invalid=move || objection_error.get().is_some()>
                        <label for="objection">{tr(Key::PipelineNewObjection)}</label>
                        <textarea id="objection" rows="2" aria-describedby="objection-err"
                            aria-invalid=move || objection_error.get().is_some().then_some("true")
                            prop:value=move || objection.get()
                            on:input=move |ev| objection.set(event_target_value(&ev))></textarea>
                        <p class="error" id="objection-err" role="alert">{move || objection_error.get().map(|k| i18n.t(k))}</p>
                    </div>
                    <div class="actions">
                        <button type="submit">{tr(Key::PipelineAddObjection)}</button>
                    </div>
                </form>
            </section>

            <DealDetails deal=deal.clone()/>

            <section aria-labelledby="hist-title">
                <h2 id="hist-title">{tr(Key::PipelineHistory)}</h2>
                <ol class="history">
                    {history.into_iter().map(|h| {
                        let when = super::date_time(h.at.with_timezone(&chrono::Local).naive_local());
                        view! {
                            <li>
                                <time>{when}</time>
                                " "
                                {move || match h.from {
                                    None => i18n.tf(Key::PipelineHistoryCreated, &[("stage", i18n.t(stage_label(h.to)))]),
                                    Some(f) => i18n.tf(Key::PipelineHistoryMoved, &[("from", i18n.t(stage_label(f))), ("to", i18n.t(stage_label(h.to)))]),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        </section>
    }
}

/// Seconds the "Undo" of a deletion stays on screen.
const UNDO_SECONDS: u64 = 15;
/// Longest deal title accepted.
const MAX_TITLE: usize = 200;

/// Editing a deal's title, value and expected close date, and deleting it (with undo).
#[component]
fn DealDetails(deal: Deal) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let title = RwSignal::new(deal.title.clone());
    let value = RwSignal::new(format_amount(deal.value));
    let close = RwSignal::new(
        deal.expected_close
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<Key>);
    let original = deal.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = title.get_untracked().trim().to_string();
        let problem = if t.is_empty() {
            Some(Key::PipelineErrTitleRequired)
        } else if t.chars().count() > MAX_TITLE {
            Some(Key::PipelineErrTitleTooLong)
        } else {
            None
        };
        let v = match parse_amount(value.get_untracked().trim()) {
            Ok(v) if v >= 0 => Some(v),
            Ok(_) => {
                error.set(problem.or(Some(Key::PipelineErrValueNegative)));
                return;
            }
            Err(_) => {
                error.set(problem.or(Some(Key::PipelineErrValueInvalid)));
                return;
            }
        };
        let c = close.get_untracked();
        let expected = if c.trim().is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(c.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    error.set(problem.or(Some(Key::PipelineErrDate)));
                    return;
                }
            }
        };
        if problem.is_some() {
            error.set(problem);
            return;
        }
        error.set(None);
        let mut d = original.clone();
        d.title = t;
        d.value = v.unwrap_or(d.value);
        d.expected_close = expected;
        d.updated_at = now();
        save_deal(d, Vec::new(), Key::PipelineDealSaved);
    };
    let delete = move |_| {
        let toasts = use_toasts();
        let removed = deal.clone();
        leptos::task::spawn_local(async move {
            let id = removed.id;
            match app
                .apply(vec![Change::Delete(crate::storage::StoreName::Deals, id)])
                .await
            {
                Ok(()) => {
                    let title = removed.title.clone();
                    let undo = Callback::new(move |()| {
                        let removed = removed.clone();
                        leptos::task::spawn_local(async move {
                            let title = removed.title.clone();
                            match app.apply(vec![Change::Put(Record::Deal(removed))]).await {
                                Ok(()) => {
                                    toasts.info(Key::PipelineDealRestored, &[("title", &title)])
                                }
                                Err(e) => toasts.storage_error(&e),
                            }
                        });
                    });
                    toasts.show(
                        ToastKind::Info,
                        Key::PipelineDealDeleted,
                        &[("title", &title)],
                        Some((Key::Undo, undo)),
                        UNDO_SECONDS,
                    );
                    navigate(Route::Pipeline);
                }
                Err(e) => toasts.storage_error(&e),
            }
        });
    };
    view! {
        <section aria-labelledby="details-title">
            <h2 id="details-title">{tr(Key::PipelineDetails)}</h2>
            <form class="deal-details" novalidate=true on:submit=save>
                <div class="field">
                    <label for="d-title">{tr(Key::PipelineDealTitle)}</label>
                    <input id="d-title" type="text" aria-describedby="d-err"
                        prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="d-value">{tr(Key::PipelineDealValue)}</label>
                    <input id="d-value" type="text" inputmode="decimal" aria-describedby="d-err"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="d-close">{tr(Key::PipelineExpectedClose)}</label>
                    <input id="d-close" type="date" aria-describedby="d-err"
                        prop:value=move || close.get() on:input=move |ev| close.set(event_target_value(&ev))/>
                </div>
                <p class="error" id="d-err" role="alert">{move || error.get().map(|k| i18n.t(k))}</p>
                <div class="actions">
                    <button type="submit">{tr(Key::PipelineSaveDetails)}</button>
                    <span class="spacer"></span>
                    <button type="button" class="danger" on:click=delete>{tr(Key::PipelineDeleteDeal)}</button>
                </div>
            </form>
        </section>
    }
}
