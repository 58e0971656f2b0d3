//! Shop settings: the name shown in the header and the workspace's currency.

use leptos::prelude::*;

use crate::components::toast::use_toasts;
use crate::i18n::{use_i18n, Key};
use crate::state::use_app;

/// Currencies offered; money is kept in minor units of the one chosen.
const CURRENCIES: [&str; 8] = ["CNY", "HKD", "TWD", "USD", "EUR", "GBP", "JPY", "SGD"];

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let shop_name = RwSignal::new(app.data.settings.with_untracked(|s| s.shop_name.clone()));
    let currency = RwSignal::new(app.data.settings.with_untracked(|s| s.currency.clone()));
    // Another tab's change (or loaded data) replaces what the form shows, as on the loyalty page,
    // so a save here never writes stale values over a newer version.
    Effect::new(move |prev: Option<(String, String)>| {
        let stored = app
            .data
            .settings
            .with(|s| (s.shop_name.clone(), s.currency.clone()));
        if prev.as_ref().is_some_and(|p| *p != stored) {
            shop_name.set(stored.0.clone());
            currency.set(stored.1.clone());
        }
        stored
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let toasts = use_toasts();
        let mut settings = app.data.settings.get_untracked();
        settings.shop_name = shop_name.get_untracked().trim().to_string();
        settings.currency = currency.get_untracked();
        leptos::task::spawn_local(async move {
            match app.save_settings(settings).await {
                Ok(()) => toasts.info(Key::SettingsSaved, &[]),
                Err(e) => toasts.storage_error(&e),
            }
        });
    };
    view! {
        <section class="form-page">
            <h1>{move || i18n.t(Key::NavSettings)}</h1>
            <form on:submit=save>
                <div class="field">
                    <label>
                        {move || i18n.t(Key::ShopName)}
                        <input
                            type="text"
                            maxlength="100"
                            prop:value=move || shop_name.get()
                            on:input=move |ev| shop_name.set(event_target_value(&ev))
                        />
                    </label>
                </div>
                <div class="field">
                    <label>
                        {move || i18n.t(Key::Currency)}
                        <select on:change=move |ev| currency.set(event_target_value(&ev))>
                            {CURRENCIES
                                .into_iter()
                                .map(|c| view! { <option value=c selected=move || currency.get() == c>{c}</option> })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <div class="actions">
                    <button type="submit" class="primary">{move || i18n.t(Key::Save)}</button>
                </div>
            </form>
        </section>
    }
}
