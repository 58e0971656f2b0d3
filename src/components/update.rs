//! The offline copy of the app (a service worker) and the "A new version is ready" prompt.
//!
//! The page registers the worker named by `<meta name="kehu-service-worker">`: index.html has one,
//! relative, so it follows the page to any sub-path; the one-file edition (opened from `file://`)
//! has none. The worker keeps every built file in a cache, so the app starts with the network off.
//!
//! Updates are explicit. A new version's worker installs beside the running one and waits; the
//! prompt then shows, and only the user's click lets the new worker take over and reloads this
//! page. Records stay in IndexedDB, which the worker never touches, and every write is one
//! transaction, so a reload never leaves anything half-written.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

use crate::i18n::{use_i18n, Key};

/// The message that tells a waiting worker to take over (see `assets/sw.js`).
const SKIP_WAITING: &str = "kehu-skip-waiting";

/// The browser's service worker container, when it has one (not in every context).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = window().navigator();
    js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker"))
        .unwrap_or(false)
        .then(|| navigator.service_worker())
}

/// The worker script this page asks for, if any, and only over http(s).
fn worker_script() -> Option<String> {
    let protocol = window().location().protocol().ok()?;
    if protocol != "http:" && protocol != "https:" {
        return None;
    }
    document()
        .query_selector("meta[name='kehu-service-worker']")
        .ok()??
        .get_attribute("content")
        .filter(|s| !s.trim().is_empty())
}

/// Sets `ready` once `worker` has installed while this page runs an older version.
fn watch(worker: ServiceWorker, container: ServiceWorkerContainer, ready: RwSignal<bool>) {
    let check = {
        let worker = worker.clone();
        move || {
            if worker.state() == ServiceWorkerState::Installed && container.controller().is_some() {
                ready.set(true);
            }
        }
    };
    check();
    let on_change = Closure::<dyn FnMut()>::new(check);
    worker.set_onstatechange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
}

/// Registers the worker and watches for a new version.
async fn register(ready: RwSignal<bool>) {
    let (Some(script), Some(container)) = (worker_script(), container()) else {
        return;
    };
    let registration = match JsFuture::from(container.register(&script)).await {
        Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
        Err(e) => {
            // Not an error the user can act on: the app works, only not offline.
            web_sys::console::warn_2(&JsValue::from_str("Kehu: no offline copy:"), &e);
            return;
        }
    };
    if registration.waiting().is_some() && container.controller().is_some() {
        ready.set(true);
    }
    if let Some(worker) = registration.installing() {
        watch(worker, container.clone(), ready);
    }
    let on_found = {
        let registration = registration.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(worker) = registration.installing() {
                watch(worker, container.clone(), ready);
            }
        })
    };
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

/// Lets the waiting worker take over, then reloads this page once it controls it.
async fn switch_to_new_version() {
    let reload = || {
        let _ = window().location().reload();
    };
    let Some(container) = container() else {
        return reload();
    };
    let waiting = JsFuture::from(container.get_registration())
        .await
        .ok()
        .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
        .and_then(|r| r.waiting());
    // Another tab may have switched already: then a reload alone gets the new version.
    let Some(worker) = waiting else {
        return reload();
    };
    let on_switch = Closure::once_into_js(reload);
    container.set_oncontrollerchange(Some(on_switch.unchecked_ref()));
    if worker
        .post_message(&JsValue::from_str(SKIP_WAITING))
        .is_err()
    {
        reload();
    }
}

/// Registers the offline copy and shows "A new version is ready — Reload" when there is one.
#[component]
pub fn UpdatePrompt() -> impl IntoView {
    let i18n = use_i18n();
    let ready = RwSignal::new(false);
    let switching = RwSignal::new(false);
    leptos::task::spawn_local(register(ready));
    let prompt = move || {
        ready.get().then(|| {
            view! {
                <div class="offline-update">
                    <p>
                        <strong>{move || i18n.t(Key::OfflineUpdateReady)}</strong>
                        " — "
                        <span class="offline-update-hint">{move || i18n.t(Key::OfflineUpdateHint)}</span>
                    </p>
                    <button
                        type="button"
                        class="primary"
                        disabled=move || switching.get()
                        on:click=move |_| {
                            switching.set(true);
                            leptos::task::spawn_local(switch_to_new_version());
                        }
                    >
                        {move || i18n.t(Key::OfflineUpdateReload)}
                    </button>
                </div>
            }
        })
    };
    view! { <div class="offline-update-region" role="status">{prompt}</div> }
}
