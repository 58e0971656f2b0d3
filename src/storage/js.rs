//! Small bridges between IndexedDB's event callbacks and Rust futures, and error mapping.
//!
//! Requests and transactions get the JS promise's own `resolve`/`reject` as their event handlers, so no
//! Rust closure has to outlive a call. A transaction's outcome is read after its `complete` or `abort`
//! event, when `transaction.error` holds the real `DOMException` (e.g. `QuotaExceededError`).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, IdbFactory, IdbRequest, IdbRequestReadyState, IdbTransaction};

use super::StorageError;

/// A readable description of a JS error value (`DOMException`, `Error` or anything else).
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return format!("{}: {}", String::from(e.name()), String::from(e.message()));
    }
    if let Some(s) = value.as_string() {
        return s;
    }
    format!("{value:?}")
}

/// The name of a `DOMException`, if the value is one.
pub(crate) fn dom_name(value: &JsValue) -> Option<String> {
    value.dyn_ref::<DomException>().map(DomException::name)
}

/// Maps a failure of a write to the error the UI sees.
pub(crate) fn write_error(value: &JsValue) -> StorageError {
    match dom_name(value).as_deref() {
        Some("QuotaExceededError") => StorageError::QuotaExceeded,
        _ => StorageError::Write(describe(value)),
    }
}

/// Maps a failure of a read to the error the UI sees.
pub(crate) fn read_error(value: &JsValue) -> StorageError {
    StorageError::Read(describe(value))
}

/// The browser's `indexedDB` factory, or `Unavailable`.
pub(crate) fn factory() -> Result<IdbFactory, StorageError> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
        .map_err(|e| StorageError::Unavailable(describe(&e)))?;
    if value.is_undefined() || value.is_null() {
        return Err(StorageError::Unavailable(
            "this browser provides no indexedDB".into(),
        ));
    }
    value
        .dyn_into::<IdbFactory>()
        .map_err(|_| StorageError::Unavailable("indexedDB is not an IDBFactory".into()))
}

/// Waits for a request's `success` (→ its result) or `error` (→ its `DOMException`).
pub(crate) async fn request(req: &IdbRequest) -> Result<JsValue, JsValue> {
    // A request that has already finished fires no more events: answer at once.
    if req.ready_state() == IdbRequestReadyState::Done {
        return match req.error() {
            Ok(Some(error)) => Err(error.into()),
            _ => req.result(),
        };
    }
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(promise).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    match outcome {
        Ok(_) => req.result(),
        Err(event) => Err(req
            .error()
            .ok()
            .flatten()
            .map(JsValue::from)
            .unwrap_or(event)),
    }
}

/// A transaction whose end is being watched: `complete` resolves, `abort` rejects.
pub(crate) struct Watched {
    pub(crate) tx: IdbTransaction,
    done: JsFuture,
}

impl Watched {
    /// Starts watching a transaction; call right after creating it, before any `await`.
    pub(crate) fn new(tx: IdbTransaction) -> Self {
        let promise = Promise::new(&mut |resolve: Function, reject: Function| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onabort(Some(&reject));
        });
        Watched {
            tx,
            done: JsFuture::from(promise),
        }
    }

    /// Waits for the end: `Ok` after `complete`, else the `DOMException` that aborted it (or
    /// `fallback` when the transaction was aborted on purpose and has no error of its own).
    pub(crate) async fn finish(self) -> Result<(), JsValue> {
        let outcome = self.done.await;
        self.tx.set_oncomplete(None);
        self.tx.set_onabort(None);
        match outcome {
            Ok(_) => Ok(()),
            Err(_) => Err(self
                .tx
                .error()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("the transaction was aborted"))),
        }
    }

    /// Aborts the transaction (after a failure of our own) and waits for it to end, so nothing of it
    /// remains when the caller sees the error.
    pub(crate) async fn abort(self) {
        // Aborting an already finished transaction throws InvalidStateError: nothing to undo then.
        let _ = self.tx.abort();
        let _ = self.finish().await;
    }
}
