//! Sales: the orders list, the new-sale / edit-sale form, and what both share (money as text, a
//! customer's label, the points checks a change must pass).

pub mod form;
pub mod list;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use leptos::prelude::*;
use uuid::Uuid;

use kehu_core::points::{points_state, PointsError};
use kehu_core::transactions_csv::format_amount;
use kehu_core::{Customer, LedgerKind, Money};

use crate::i18n::{I18n, Key};
use crate::routing::{navigate, use_route, Route};
use crate::state::AppState;
use crate::storage::{Change, Record, StoreName};

/// Seconds the "Undo" of a deleted sale stays on screen.
pub const UNDO_SECONDS: u64 = 15;

/// `amount` (minor units) as the workspace's currency: `¥12.30`, or `12.30 USD` for codes without a
/// sign we know.
pub fn money(amount: Money, currency: &str) -> String {
    let sign = match currency {
        "CNY" | "JPY" => "¥",
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "HKD" => "HK$",
        "TWD" => "NT$",
        "SGD" => "S$",
        _ => "",
    };
    let text = format_amount(amount);
    if sign.is_empty() {
        format!("{text} {currency}")
    } else if let Some(abs) = text.strip_prefix('-') {
        format!("-{sign}{abs}")
    } else {
        format!("{sign}{text}")
    }
}

/// Money in the workspace currency, read reactively from settings.
pub fn money_in(app: AppState, amount: Money) -> String {
    app.data.settings.with(|s| money(amount, &s.currency))
}

/// How a customer is shown when picking one: name, and phone when there is one.
pub fn customer_label(c: &Customer) -> String {
    if c.phone.is_empty() {
        c.name.clone()
    } else {
        format!("{} ({})", c.name, c.phone)
    }
}

/// The local date and time now, to the minute.
pub fn local_now() -> NaiveDateTime {
    let now = chrono::Local::now().naive_local();
    now.date()
        .and_hms_opt(
            chrono::Timelike::hour(&now),
            chrono::Timelike::minute(&now),
            0,
        )
        .unwrap_or(now)
}

/// The message for a points problem, in the current language.
pub fn points_error_text(i18n: I18n, e: &PointsError) -> String {
    match e {
        PointsError::NegativeRedeem(_) => i18n.t(Key::SalesErrRedeemNegative).to_string(),
        PointsError::NotEnoughPoints { available, asked } => i18n.tf(
            Key::SalesErrNotEnoughPoints,
            &[
                ("available", &available.to_string()),
                ("asked", &asked.to_string()),
            ],
        ),
        PointsError::MoreThanPrice { asked, .. } => {
            i18n.tf(Key::SalesErrMoreThanPrice, &[("asked", &asked.to_string())])
        }
        PointsError::BalanceBelowZero(b) => {
            i18n.tf(Key::SalesErrBelowZero, &[("balance", &b.to_string())])
        }
    }
}

/// The label of a kind of ledger entry.
pub fn ledger_kind_key(kind: LedgerKind) -> Key {
    match kind {
        LedgerKind::Earned => Key::SalesLedgerEarned,
        LedgerKind::Redeemed => Key::SalesLedgerRedeemed,
        LedgerKind::Bonus => Key::SalesLedgerBonus,
        LedgerKind::Adjustment => Key::SalesLedgerAdjustment,
        LedgerKind::Expired => Key::SalesLedgerExpired,
    }
}

/// The first customer whose points balance `changes` would take below zero, with that balance:
/// removing a sale whose points were already used must not leave a negative balance.
pub fn negative_balance_after(
    app: AppState,
    changes: &[Change],
    at: NaiveDateTime,
) -> Option<(Uuid, i64)> {
    let mut deleted = HashSet::new();
    let mut added = Vec::new();
    for c in changes {
        match c {
            Change::Delete(StoreName::Ledger, id) => {
                deleted.insert(*id);
            }
            Change::Put(Record::Ledger(e)) => added.push(e.clone()),
            _ => {}
        }
    }
    let programme = app.data.loyalty.get_untracked();
    app.data.ledger.with_untracked(|ledger| {
        let mut affected: HashSet<Uuid> = added.iter().map(|e| e.customer_id).collect();
        affected.extend(
            ledger
                .iter()
                .filter(|e| deleted.contains(&e.id))
                .map(|e| e.customer_id),
        );
        let mut by_customer: HashMap<Uuid, Vec<&kehu_core::LedgerEntry>> = HashMap::new();
        let added_ids: HashSet<Uuid> = added.iter().map(|e| e.id).collect();
        let kept = ledger
            .iter()
            .filter(|e| !deleted.contains(&e.id) && !added_ids.contains(&e.id));
        for e in kept.chain(added.iter()) {
            if affected.contains(&e.customer_id) {
                by_customer.entry(e.customer_id).or_default().push(e);
            }
        }
        let mut ids: Vec<Uuid> = affected.into_iter().collect();
        crate::sort::sort_by(&mut ids, &Uuid::cmp);
        ids.into_iter().find_map(|id| {
            let entries = by_customer.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let latest = entries.iter().map(|e| e.date).max().unwrap_or(at).max(at);
            let balance = points_state(&programme, entries.iter().copied(), latest).balance;
            (balance < 0).then_some((id, balance))
        })
    })
}

/// Starts the "N" shortcut for a new sale (for the customer on screen, on a customer's page);
/// ignored while typing in a field or with a modifier key held.
pub fn provide_new_sale_shortcut() {
    let route = use_route();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() != "n" && ev.key() != "N" {
            return;
        }
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.default_prevented() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| {
                let tag = el.tag_name().to_ascii_lowercase();
                matches!(tag.as_str(), "input" | "textarea" | "select")
                    || el.has_attribute("contenteditable")
            });
        if typing {
            return;
        }
        ev.prevent_default();
        let customer = match route.get_untracked() {
            Route::Customer(id) => Some(id),
            _ => None,
        };
        navigate(Route::NewSale(customer));
    });
    on_cleanup(move || handle.remove());
}
