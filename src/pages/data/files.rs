//! Files in and out of the page: a download made from text, the bytes of a chosen file, and the
//! workspace as one [`Dataset`] to write or compare.

use std::io::Write;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use kehu_core::Dataset;

use crate::state::AppState;

/// Bytes per part of a download's blob: a large export is handed over in pieces (one JS string
/// of it could exceed the engine's string length limit, about 512 M characters in V8).
const PART: usize = 16 * 1024 * 1024;

/// How long a download's object URL is kept at least, and how much longer per megabyte: the browser
/// reads the blob while it writes the file, and revoking the URL before it has finished cancels
/// the download (a large export takes a while to be written on a slow or busy machine).
const KEEP_URL: Duration = Duration::from_secs(120);
const KEEP_URL_PER_MB: Duration = Duration::from_millis(500);

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let mut parts = BlobParts::new();
    let _ = parts.write_all(text.as_bytes());
    parts.download(name, mime)
}

/// Offers the blob made of `parts` as a file download named `name`. Its object URL is revoked
/// only once the browser has surely read it ([`KEEP_URL`] plus [`KEEP_URL_PER_MB`]), not right
/// after the click.
fn offer(name: &str, mime: &str, parts: &js_sys::Array, bytes: usize) -> Result<(), String> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let anchor: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let keep = KEEP_URL + KEEP_URL_PER_MB * u32::try_from(bytes / 1_000_000).unwrap_or(u32::MAX);
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        keep,
    );
    Ok(())
}

/// Text written straight into a download's blob parts, [`PART`] bytes each: a large export is
/// never one string (a JS string has a length limit, about 512 M characters in V8) nor one Rust
/// buffer that has to grow (and be copied) to the file's size.
pub struct BlobParts {
    parts: js_sys::Array,
    buf: Vec<u8>,
    bytes: usize,
}

impl BlobParts {
    /// Empty.
    pub fn new() -> Self {
        BlobParts {
            parts: js_sys::Array::new(),
            buf: Vec::with_capacity(PART),
            bytes: 0,
        }
    }

    fn hand_over(&mut self) {
        if !self.buf.is_empty() {
            self.bytes += self.buf.len();
            self.parts
                .push(&js_sys::Uint8Array::from(self.buf.as_slice()));
            self.buf.clear();
        }
    }

    /// Offers what was written as a file download named `name`.
    pub fn download(mut self, name: &str, mime: &str) -> Result<(), String> {
        self.hand_over();
        offer(name, mime, &self.parts, self.bytes)
    }
}

impl Default for BlobParts {
    fn default() -> Self {
        Self::new()
    }
}

impl std::io::Write for BlobParts {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for piece in bytes.chunks(PART) {
            if self.buf.len() + piece.len() > PART {
                self.hand_over();
            }
            self.buf.extend_from_slice(piece);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The name and size in bytes of the first file chosen in a file input (nothing is read).
pub fn chosen_size(input: &web_sys::HtmlInputElement) -> Option<(String, f64)> {
    let file = input.files()?.get(0)?;
    Some((file.name(), file.size()))
}

/// Bytes read from a chosen file at a time.
const READ_PART: f64 = 8.0 * 1024.0 * 1024.0;

/// The first file chosen in a file input, with its name and bytes.
///
/// Read in parts of [`READ_PART`] bytes straight into one buffer of the file's size: the browser
/// reads the next part while this one is copied into Wasm memory, and the whole file is never
/// also held as one JS `ArrayBuffer`.
pub async fn read_chosen(input: &web_sys::HtmlInputElement) -> Option<(String, Vec<u8>)> {
    let file = input.files()?.get(0)?;
    let name = file.name();
    let size = file.size();
    let part = |start: f64| {
        file.slice_with_f64_and_f64(start, (start + READ_PART).min(size))
            .ok()
            .map(|blob| wasm_bindgen_futures::JsFuture::from(blob.array_buffer()))
    };
    // A file too large for Wasm memory is not read (as one too large for an `ArrayBuffer` was not).
    let mut bytes: Vec<u8> = Vec::new();
    bytes.try_reserve_exact(size as usize).ok()?;
    let mut start = 0.0;
    let mut next = (size > 0.0).then(|| part(0.0)).flatten();
    while let Some(pending) = next.take() {
        let buffer = pending.await.ok()?;
        start += READ_PART;
        if start < size {
            next = Some(part(start)?);
        }
        let array = js_sys::Uint8Array::new(&buffer);
        let at = bytes.len();
        bytes.resize(at + array.length() as usize, 0);
        array.copy_to(&mut bytes[at..]);
    }
    Some((name, bytes))
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
