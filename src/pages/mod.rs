//! The app's pages, one module per route.
pub mod customers;
pub mod data;
pub mod insight;
pub mod loyalty;
pub mod sales;
pub mod settings;
