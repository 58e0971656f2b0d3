//! The development pipeline (客户开发流程): the board of deals, a new deal, one deal's page; and the
//! pieces the contact, survey and task pages share with it (labels, money, picking a customer).

pub mod board;
pub mod deal;
pub mod new_deal;

use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::pipeline::DealError;
use kehu_core::transactions_csv::format_amount;
use kehu_core::{Customer, Deal, DealStage};

use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::routing::Route;
use crate::state::{now, use_app};
use crate::storage::{Change, Record};

/// The text of `key` in the current language, as a reactive view. Every key gives the same closure
/// type, so each use shares one piece of rendering code instead of adding its own (this keeps the
/// Wasm bundle small).
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

/// A date and time as `YYYY-MM-DD HH:MM`, without chrono's format-string machinery.
pub fn date_time(t: chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The customer's page, where this module's pages lead back to. (Until the Customer 360 page
/// exists this is the customer form; after it, change this one line to the 360 page's route.)
pub fn customer_page(id: Uuid) -> Route {
    Route::Customer(id)
}

/// The label of a stage.
pub fn stage_label(s: DealStage) -> Key {
    match s {
        DealStage::Prospecting => Key::PipelineStageProspecting,
        DealStage::Qualifying => Key::PipelineStageQualifying,
        DealStage::Approaching => Key::PipelineStageApproaching,
        DealStage::Negotiating => Key::PipelineStageNegotiating,
        DealStage::HandlingObjections => Key::PipelineStageHandlingObjections,
        DealStage::Won => Key::PipelineStageWon,
        DealStage::AfterSales => Key::PipelineStageAfterSales,
        DealStage::Lost => Key::PipelineStageLost,
    }
}

/// An amount in minor units with the workspace's currency, e.g. `CNY 1,250.00`.
pub fn money(amount: i64, currency: &str) -> String {
    let plain = format_amount(amount);
    let (sign, digits) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if frac.is_empty() {
        format!("{currency} {sign}{grouped}")
    } else {
        format!("{currency} {sign}{grouped}.{frac}")
    }
}

/// The workspace's currency code (reactive).
pub fn currency() -> String {
    use_app().data.settings.with(|s| s.currency.clone())
}

/// A customer's name by id (reactive), or an empty string when there is no such customer.
pub fn customer_name(id: Uuid) -> String {
    use_app()
        .data
        .customers
        .with(|l| l.iter().find(|c| c.id == id).map(|c| c.name.clone()))
        .unwrap_or_default()
}

/// How a customer is offered when picking one by typing.
pub fn customer_option(c: &Customer) -> String {
    if c.phone.is_empty() {
        c.name.clone()
    } else {
        format!("{} ({})", c.name, c.phone)
    }
}

/// A text field that picks a customer by typing their name or phone: the choice is `picked`.
#[component]
pub fn CustomerPicker(
    /// The chosen customer, `None` until the text names exactly one.
    picked: RwSignal<Option<Uuid>>,
    /// Show the "pick a customer" error.
    show_error: Signal<bool>,
    /// The id of the input, for a label elsewhere.
    #[prop(into)]
    input_id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let text = RwSignal::new(
        picked
            .get_untracked()
            .map(|id| {
                app.data.customers.with_untracked(|l| {
                    l.iter()
                        .find(|c| c.id == id)
                        .map(customer_option)
                        .unwrap_or_default()
                })
            })
            .unwrap_or_default(),
    );
    let options = Memo::new(move |_| {
        let q = text.get().to_lowercase();
        app.data.customers.with(|all| {
            all.iter()
                .filter(|c| !c.archived)
                .filter(|c| q.is_empty() || customer_option(c).to_lowercase().contains(&q))
                .take(20)
                .map(customer_option)
                .collect::<Vec<_>>()
        })
    });
    let on_input = move |ev| {
        let value = event_target_value(&ev);
        let found = app.data.customers.with_untracked(|all| {
            let exact: Vec<Uuid> = all
                .iter()
                .filter(|c| customer_option(c) == value || c.name == value)
                .map(|c| c.id)
                .collect();
            (exact.len() == 1).then(|| exact[0])
        });
        picked.set(found);
        text.set(value);
    };
    let list_id = format!("{input_id}-list");
    let err_id = format!("{input_id}-err");
    view! {
        <input
            id=input_id
            type="text"
            list=list_id.clone()
            autocomplete="off"
            data-autofocus=""
            aria-describedby=err_id.clone()
            aria-invalid=move || (show_error.get() && picked.get().is_none()).then_some("true")
            prop:value=move || text.get()
            on:input=on_input
        />
        <datalist id=list_id>
            {move || options.get().into_iter().map(|label| view! { <option value=label/> }).collect_view()}
        </datalist>
        <p class="error" id=err_id>
            {move || (show_error.get() && picked.get().is_none()).then(|| i18n.t(Key::PipelinePickCustomer))}
        </p>
    }
}

/// The message for a deal error, in the current language.
pub fn deal_error_text(e: &DealError) -> Key {
    match e {
        DealError::SameStage(_) => Key::PipelineErrSameStage,
        DealError::NotWon(_) => Key::PipelineErrNotWon,
        DealError::SaleExists(_) => Key::PipelineErrSaleExists,
        _ => Key::PipelineErrNoValue,
    }
}

/// Moves a deal to `to`, recording the move in its history, and says so. On success, focus goes
/// to the element with id `focus_after` (if any) once the page shows the move.
pub fn move_deal_to(deal_id: Uuid, to: DealStage, focus_after: Option<String>) {
    let app = use_app();
    let toasts = use_toasts();
    let i18n = use_i18n();
    let Some(deal) = app
        .data
        .deals
        .with_untracked(|l| l.iter().find(|d| d.id == deal_id).cloned())
    else {
        return;
    };
    let moved: Deal = match kehu_core::pipeline::move_deal(&deal, to, now()) {
        Ok(d) => d,
        Err(e) => {
            toasts.error(deal_error_text(&e), &[]);
            return;
        }
    };
    leptos::task::spawn_local(async move {
        let title = moved.title.clone();
        match app.apply(vec![Change::Put(Record::Deal(moved))]).await {
            Ok(()) => {
                let stage = i18n.t(stage_label(to));
                toasts.info(Key::PipelineMoved, &[("title", &title), ("stage", stage)]);
                if let Some(id) = focus_after {
                    request_animation_frame(move || {
                        if !focus_by_id(&id) {
                            focus_by_id(&format!("deal-{deal_id}"));
                        }
                    });
                }
            }
            Err(e) => toasts.storage_error(&e),
        }
    });
}

/// Focuses the element with `id`; false when it is not on the page.
pub fn focus_by_id(id: &str) -> bool {
    match document()
        .get_element_by_id(id)
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        Some(el) => el.focus().is_ok(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(123_456_789, "CNY"), "CNY 1,234,567.89");
        assert_eq!(money(-5, "USD"), "USD -0.05");
        assert_eq!(money(100_000, "JPY"), "JPY 1,000.00");
    }
}
