//! The demo generator gives byte-identical data in the browser (wasm32) and natively, so the app
//! and `kehu demo` agree for the same seed. The constant is the one `core/tests/demo_small.rs`
//! asserts natively.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // tests: a failure should panic

use chrono::NaiveDate;
use kehu_core::demo::{generate, DemoSize};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// FNV-1a of `generate(Small, 42, 2026-11-22)` as serde_json, asserted natively as well.
const SMALL_42_FNV1A: u64 = 0x8e58_2d21_2fda_7eca;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[wasm_bindgen_test]
fn small_demo_is_byte_identical_to_native() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let json = serde_json::to_string(&generate(DemoSize::Small, 42, today)).unwrap();
    assert_eq!(fnv1a(json.as_bytes()), SMALL_42_FNV1A);
}
