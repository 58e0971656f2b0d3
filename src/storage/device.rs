//! The browser's storage for this site as a whole: whether it is kept permanently
//! (`navigator.storage.persist()` / `persisted()`) and how much space is used and available
//! (`navigator.storage.estimate()`).
//!
//! Without persistence a browser may clear the site's data when the disk runs low (Chromium and
//! Firefox call this "best-effort" storage); with it, only the user can. Browsers decide
//! differently: Chromium grants it silently to sites a person uses (or has installed), Firefox asks
//! the user, Safari grants it to installed web apps.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};

use super::js;

/// The storage manager, if this browser has one (not in old browsers or some insecure contexts).
fn manager() -> Option<StorageManager> {
    let navigator =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("navigator")).ok()?;
    let storage = js_sys::Reflect::get(&navigator, &JsValue::from_str("storage")).ok()?;
    storage.dyn_into::<StorageManager>().ok()
}

/// Whether the site's data is kept permanently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// The browser will not clear the data on its own.
    Granted,
    /// The browser may clear the data under storage pressure.
    NotGranted,
    /// This browser cannot tell (no `navigator.storage`).
    Unsupported,
}

async fn ask(promise: Result<js_sys::Promise, JsValue>) -> Persistence {
    let Ok(promise) = promise else {
        return Persistence::Unsupported;
    };
    match JsFuture::from(promise).await {
        Ok(v) if v.as_bool() == Some(true) => Persistence::Granted,
        Ok(_) => Persistence::NotGranted,
        Err(_) => Persistence::Unsupported,
    }
}

/// Whether persistence is granted now (asks nothing).
pub async fn persisted() -> Persistence {
    match manager() {
        Some(m) => ask(m.persisted()).await,
        None => Persistence::Unsupported,
    }
}

/// Asks the browser to keep the data permanently; the answer (Firefox may show a prompt).
pub async fn persist() -> Persistence {
    match manager() {
        Some(m) => ask(m.persist()).await,
        None => Persistence::Unsupported,
    }
}

thread_local! {
    static ASKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Asks for persistence once per page load, unless already granted (after the first write of
/// data, so a visitor who only looks is never asked).
pub async fn persist_once() {
    if ASKED.with(|a| a.replace(true)) {
        return;
    }
    if persisted().await == Persistence::NotGranted {
        let _ = persist().await;
    }
}

/// Space used by this site and the space the browser allows it, in bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Bytes used (all of the site's storage: IndexedDB, caches, …).
    pub usage: f64,
    /// Bytes the site may use in total.
    pub quota: f64,
}

impl Estimate {
    /// Bytes still available.
    pub fn available(&self) -> f64 {
        (self.quota - self.usage).max(0.0)
    }
}

/// The browser's estimate of used and available space, or a description of why there is none.
pub async fn estimate() -> Result<Estimate, String> {
    let m = manager().ok_or_else(|| "navigator.storage is not available".to_string())?;
    let value = JsFuture::from(m.estimate().map_err(|e| js::describe(&e))?)
        .await
        .map_err(|e| js::describe(&e))?;
    let est: StorageEstimate = value.unchecked_into();
    match (est.get_usage(), est.get_quota()) {
        (Some(usage), Some(quota)) => Ok(Estimate { usage, quota }),
        _ => Err("the browser gave no usage or quota".into()),
    }
}

/// Bytes as a short text with binary units (e.g. `1.5 MB`, `230 KB`, `12 B`).
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes.max(0.0);
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}
