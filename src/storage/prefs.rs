//! Small preferences in localStorage (through `gloo-storage`), keys prefixed `kehu.`.
//!
//! Never panics: when localStorage is missing or refuses (private mode, quota, blocked by policy) a
//! `set_*` is silently ignored and a getter returns `None`. Language and theme are stored as plain
//! strings (so a script in `index.html` can read `kehu.theme` before the Wasm loads); other prefs as
//! JSON.

use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The prefix of every key Kehu writes to localStorage.
pub const PREFIX: &str = "kehu.";

const LANGUAGE: &str = "language";
const THEME: &str = "theme";

/// The themes [`set_theme`] accepts.
pub const THEMES: [&str; 3] = ["light", "dark", "system"];

/// localStorage, if this page may use it (gloo-storage would panic otherwise).
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn full_key(key: &str) -> String {
    format!("{PREFIX}{key}")
}

fn get_raw(key: &str) -> Option<String> {
    storage()?.get_item(&full_key(key)).ok().flatten()
}

fn set_raw(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&full_key(key), value);
    }
}

/// The chosen UI language tag (e.g. `zh-CN`, `en`), if any.
pub fn language() -> Option<String> {
    get_raw(LANGUAGE).filter(|tag| valid_language(tag))
}

/// Remembers the UI language tag.
pub fn set_language(tag: &str) {
    if valid_language(tag) {
        set_raw(LANGUAGE, tag);
    }
}

fn valid_language(tag: &str) -> bool {
    !tag.is_empty() && tag.len() <= 35 && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The chosen theme: `"light"`, `"dark"` or `"system"`, if any.
pub fn theme() -> Option<String> {
    get_raw(THEME).filter(|t| THEMES.contains(&t.as_str()))
}

/// Remembers the theme (`"light"`, `"dark"` or `"system"`; anything else is ignored).
pub fn set_theme(theme: &str) {
    if THEMES.contains(&theme) {
        set_raw(THEME, theme);
    }
}

/// A small preference stored as JSON under `kehu.{key}`; `None` when missing or unreadable.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Option<T> {
    storage()?;
    LocalStorage::get(full_key(key)).ok()
}

/// Stores a small preference as JSON under `kehu.{key}` (ignored if localStorage refuses).
pub fn set_json<T: Serialize>(key: &str, value: &T) {
    if storage().is_some() {
        let _ = LocalStorage::set(full_key(key), value);
    }
}

/// Forgets the preference `kehu.{key}`.
pub fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&full_key(key));
    }
}
