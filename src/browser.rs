//! Small helpers over browser APIs that are not storage: performance marks and yielding a frame.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Records a named moment on the page's performance timeline (read by the benchmarks).
pub fn mark(name: &str) {
    if let Some(perf) = window().performance() {
        let _ = perf.mark(name);
    }
}

/// Resolves after the browser has had a chance to paint, so a progress message shows before long
/// work starts.
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let cb = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let _ =
            window().set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Decodes GBK/GB18030 bytes with the browser's own `TextDecoder` (`None` when they are not valid
/// GB18030), so the Wasm carries no decoder tables of its own (kehu-core is built without
/// encoding_rs here; both follow the WHATWG Encoding Standard).
pub fn decode_gb18030(bytes: &[u8]) -> Option<String> {
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(true);
    web_sys::TextDecoder::new_with_label_and_options("gb18030", &options)
        .ok()?
        .decode_with_u8_array(bytes)
        .ok()
}
