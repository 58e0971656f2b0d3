//! Files in and out of the page: a download made from text, the bytes of a chosen file, and the
//! workspace as one [`Dataset`] to write or compare.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use kehu_core::Dataset;

use crate::state::AppState;

/// Bytes per part of a download's blob: a large export is handed over in pieces (one JS string
/// of it could exceed the engine's string length limit, about 512 M characters in V8).
const PART: usize = 16 * 1024 * 1024;

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::new();
    for chunk in text.as_bytes().chunks(PART) {
        parts.push(&js_sys::Uint8Array::from(chunk));
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let anchor: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has started from the object URL; it may be released after this turn.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// The first file chosen in a file input, with its name and bytes.
pub async fn read_chosen(input: &web_sys::HtmlInputElement) -> Option<(String, Vec<u8>)> {
    let file = input.files()?.get(0)?;
    let name = file.name();
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some((name, js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// Everything the app holds now, as one dataset (read without subscribing).
pub fn snapshot(app: AppState) -> Dataset {
    let d = app.data;
    Dataset {
        customers: d.customers.get_untracked(),
        orders: d.orders.get_untracked(),
        interactions: d.interactions.get_untracked(),
        deals: d.deals.get_untracked(),
        tasks: d.tasks.get_untracked(),
        surveys: d.surveys.get_untracked(),
        loyalty: d.loyalty.get_untracked(),
        ledger: d.ledger.get_untracked(),
        settings: d.settings.get_untracked(),
    }
}

/// A file name with the shop's date, e.g. `kehu-2026-11-22.json`.
pub fn file_name(stem: &str, ext: &str) -> String {
    format!("{stem}-{}.{ext}", crate::state::today().format("%Y-%m-%d"))
}
