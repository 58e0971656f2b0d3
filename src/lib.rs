//! Kehu (客户): a customer-relationship manager that runs entirely in the browser.
//!
//! `main.rs` only calls [`start`]; everything else is here so tests can use it.

pub mod analysis;
pub mod app;
pub mod browser;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod routing;
pub mod sort;
pub mod state;
pub mod storage;

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
