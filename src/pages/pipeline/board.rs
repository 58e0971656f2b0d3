//! The pipeline board: one column per stage with its count and value, deal cards that move by drag
//! and drop or by their buttons (keyboard), and the conversion rate between stages.

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::pipeline::{column_totals, conversion_rates, reopen_stage};
use kehu_core::{Deal, DealStage};

use super::{currency, customer_name, money, move_deal_to, stage_label, tr};
use crate::i18n::{use_i18n, Key};
use crate::routing::Route;
use crate::state::use_app;

/// Cards a column shows before "Show all".
const CARDS_SHOWN: usize = 30;

/// The board page.
#[component]
pub fn PipelineBoard() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let totals = Memo::new(move |_| app.data.deals.with(|d| column_totals(d.iter())));
    let conversions = Memo::new(move |_| app.data.deals.with(|d| conversion_rates(d.iter())));
    // The deal being dragged, so a drop needs nothing from the browser's drag data.
    let dragging = RwSignal::new(None::<Uuid>);
    let empty = move || app.data.deals.with(Vec::is_empty);

    view! {
        <section class="pipeline">
            <div class="page-head">
                <h1>{tr(Key::PipelineTitle)}</h1>
                <a class="button primary" href=Route::NewDeal(None).href()>{tr(Key::PipelineNewDeal)}</a>
            </div>
            <p class="help">{tr(Key::PipelineBoardHelp)}</p>
            <Show when=empty>
                <p class="empty">{tr(Key::PipelineNoDeals)}</p>
            </Show>
            <div class="board">
                {DealStage::ALL
                    .into_iter()
                    .map(|stage| {
                        let total = move || totals.with(|t| t.iter().find(|t| t.stage == stage).copied());
                        let count = move || total().map_or(0, |t| t.count);
                        let value = move || total().map_or(0, |t| t.value);
                        let expanded = RwSignal::new(false);
                        let deals = Memo::new(move |_| {
                            app.data.deals.with(|all| {
                                let mut v: Vec<Deal> =
                                    all.iter().filter(|d| d.stage == stage).cloned().collect();
                                crate::sort::sort_by(&mut v, &|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
                                if !expanded.get() {
                                    v.truncate(CARDS_SHOWN);
                                }
                                v
                            })
                        });
                        let hidden = move || {
                            let n = count();
                            (!expanded.get() && n > CARDS_SHOWN).then_some(n)
                        };
                        let over = RwSignal::new(false);
                        let heading_id = format!("col-{}", stage.as_str());
                        let labelled_by = heading_id.clone();
                        view! {
                            <section
                                class="column"
                                class:lost=stage == DealStage::Lost
                                class:drop-target=move || over.get()
                                aria-labelledby=labelled_by
                                data-stage=stage.as_str()
                                on:dragover=move |ev| {
                                    ev.prevent_default();
                                    over.set(true);
                                }
                                on:dragleave=move |_| over.set(false)
                                on:drop=move |ev| {
                                    ev.prevent_default();
                                    over.set(false);
                                    if let Some(id) = dragging.get_untracked() {
                                        dragging.set(None);
                                        let current = app.data.deals.with_untracked(|l| l.iter().find(|d| d.id == id).map(|d| d.stage));
                                        if current.is_some_and(|s| s != stage) {
                                            move_deal_to(id, stage, None);
                                        }
                                    }
                                }
                            >
                                <header class="column-head">
                                    <h2 id=heading_id>{tr(stage_label(stage))}</h2>
                                    <p class="column-total">
                                        {move || i18n.tf(Key::PipelineColumnTotal, &[("count", &count().to_string()), ("value", &money(value(), &currency()))])}
                                    </p>
                                </header>
                                <ul class="cards">
                                    <For
                                        each=move || deals.get()
                                        key=|d| (d.id, d.updated_at)
                                        children=move |deal: Deal| view! { <DealCard deal=deal dragging=dragging/> }
                                    />
                                </ul>
                                {move || hidden().map(|n| view! {
                                    <button type="button" class="link show-all" on:click=move |_| expanded.set(true)>
                                        {move || i18n.tf(Key::PipelineShowAll, &[("count", &n.to_string())])}
                                    </button>
                                })}
                            </section>
                        }
                    })
                    .collect_view()}
            </div>
            <section class="conversions" aria-labelledby="conv-title">
                <h2 id="conv-title">{tr(Key::PipelineConversionTitle)}</h2>
                <p class="help">{tr(Key::PipelineConversionHelp)}</p>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{tr(Key::PipelineConversionStep)}</th>
                            <th scope="col">{tr(Key::PipelineConversionReached)}</th>
                            <th scope="col">{tr(Key::PipelineConversionConverted)}</th>
                            <th scope="col">{tr(Key::PipelineConversionRate)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            conversions
                                .get()
                                .into_iter()
                                .map(|c| {
                                    let rate = c.rate.map_or_else(|| "—".to_string(), |r| format!("{:.0} %", r * 100.0));
                                    view! {
                                        <tr>
                                            <th scope="row">{move || format!("{} → {}", i18n.t(stage_label(c.from)), i18n.t(stage_label(c.to)))}</th>
                                            <td>{c.reached}</td>
                                            <td>{c.converted}</td>
                                            <td>{rate}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </section>
        </section>
    }
}

/// One deal on the board, with buttons to move it.
#[component]
fn DealCard(deal: Deal, dragging: RwSignal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    let id = deal.id;
    let stage = deal.stage;
    let title = deal.title.clone();
    let next = stage.next();
    let previous = stage.previous();
    let reopen = reopen_stage(&deal);
    let value = deal.value;
    let customer = deal.customer_id;
    let next_id = format!("next-{id}");
    let t_next = title.clone();
    let t_back = title.clone();
    let t_lost = title.clone();
    let t_reopen = title.clone();
    view! {
        <li
            class="card"
            id=format!("deal-{id}")
            tabindex="-1"
            draggable="true"
            on:dragstart=move |ev| {
                dragging.set(Some(id));
                start_drag(&ev, id);
            }
            on:dragend=move |_| dragging.set(None)
        >
            <a class="card-title" href=Route::Deal(id).href()>{title.clone()}</a>
            <span class="card-customer">{move || customer_name(customer)}</span>
            <span class="card-value">{move || money(value, &currency())}</span>
            <div class="card-moves">
                {previous.map(|p| view! {
                    <button type="button" class="small" id=format!("back-{id}")
                        aria-label=move || i18n.tf(Key::PipelineMoveBackTo, &[("title", &t_back), ("stage", i18n.t(stage_label(p)))])
                        title=move || i18n.t(stage_label(p))
                        on:click=move |_| move_deal_to(id, p, Some(format!("back-{id}")))
                    >"←"</button>
                })}
                {next.map(|n| {
                    let nid = next_id.clone();
                    view! {
                        <button type="button" class="small" id=nid.clone()
                            aria-label=move || i18n.tf(Key::PipelineMoveTo, &[("title", &t_next), ("stage", i18n.t(stage_label(n)))])
                            title=move || i18n.t(stage_label(n))
                            on:click=move |_| move_deal_to(id, n, Some(format!("next-{id}")))
                        >"→"</button>
                    }
                })}
                {(stage != DealStage::Lost && !stage.is_won()).then(|| view! {
                    <button type="button" class="small danger"
                        aria-label=move || i18n.tf(Key::PipelineMarkLostOf, &[("title", &t_lost)])
                        on:click=move |_| move_deal_to(id, DealStage::Lost, Some(format!("deal-{id}")))
                    >{tr(Key::PipelineMarkLost)}</button>
                })}
                {reopen.map(|r| view! {
                    <button type="button" class="small"
                        aria-label=move || i18n.tf(Key::PipelineReopenOf, &[("title", &t_reopen), ("stage", i18n.t(stage_label(r)))])
                        on:click=move |_| move_deal_to(id, r, Some(format!("deal-{id}")))
                    >{tr(Key::PipelineReopen)}</button>
                })}
            </div>
        </li>
    }
}

/// Marks a drag as a move carrying the deal's id (some browsers start a drag only with data set).
/// Through `Reflect` so the app needs no extra web-sys features for the DataTransfer object.
fn start_drag(ev: &web_sys::DragEvent, id: Uuid) {
    use wasm_bindgen::JsCast;
    let Ok(dt) = js_sys::Reflect::get(ev, &"dataTransfer".into()) else {
        return;
    };
    if !dt.is_object() {
        return;
    }
    if let Ok(set_data) =
        js_sys::Reflect::get(&dt, &"setData".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = set_data.call2(&dt, &"text/plain".into(), &id.to_string().into());
    }
    let _ = js_sys::Reflect::set(&dt, &"effectAllowed".into(), &"move".into());
}
