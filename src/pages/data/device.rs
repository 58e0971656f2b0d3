//! The storage card of the data page: whether the browser keeps the data permanently (with a
//! button to ask), and how much space is used and available.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};
use crate::storage::device::{self, format_bytes, Estimate, Persistence};

/// The storage card.
#[component]
pub fn StorageCard() -> impl IntoView {
    let i18n = use_i18n();
    let persistence = RwSignal::new(None::<Persistence>);
    let estimate = RwSignal::new(None::<Result<Estimate, String>>);
    let refused = RwSignal::new(false);
    let asking = RwSignal::new(false);

    let refresh = move || {
        leptos::task::spawn_local(async move {
            persistence.set(Some(device::persisted().await));
            estimate.set(Some(device::estimate().await));
        });
    };
    refresh();

    let ask = move |_| {
        asking.set(true);
        leptos::task::spawn_local(async move {
            let answer = device::persist().await;
            refused.set(answer != Persistence::Granted);
            persistence.set(Some(answer));
            estimate.set(Some(device::estimate().await));
            asking.set(false);
        });
    };

    let status = move || match persistence.get() {
        None => i18n.t(Key::DurablePersistChecking),
        Some(Persistence::Granted) => i18n.t(Key::DurablePersistGranted),
        Some(Persistence::NotGranted) => i18n.t(Key::DurablePersistNotGranted),
        Some(Persistence::Unsupported) => i18n.t(Key::DurablePersistUnsupported),
    };
    let usage = move || {
        estimate.get().map(|e| match e {
            Ok(e) => i18n.tf(
                Key::DurableUsage,
                &[
                    ("used", &format_bytes(e.usage)),
                    ("quota", &format_bytes(e.quota)),
                    ("free", &format_bytes(e.available())),
                ],
            ),
            Err(detail) => i18n.tf(Key::DurableUsageUnknown, &[("detail", &detail)]),
        })
    };
    let can_ask = move || persistence.get() == Some(Persistence::NotGranted);
    let granted = move || persistence.get() == Some(Persistence::Granted);

    view! {
        <section class="durable storage-card" aria-labelledby="storage-card-heading">
            <h2 id="storage-card-heading">{move || i18n.t(Key::DurableStorageHeading)}</h2>
            <p class="persistence" class:ok=granted data-testid="persistence">{status}</p>
            <p class="usage" data-testid="storage-usage">{usage}</p>
            <Show when=can_ask>
                <button type="button" on:click=ask disabled=move || asking.get()>
                    {move || i18n.t(Key::DurablePersistButton)}
                </button>
            </Show>
            <Show when=move || refused.get() && !granted()>
                <p class="warning" role="status">{move || i18n.t(Key::DurablePersistRefused)}</p>
            </Show>
        </section>
    }
}
