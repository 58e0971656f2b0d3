//! The app's pages, one module per route.
pub mod contact;
pub mod customers;
pub mod data;
pub mod insight;
pub mod loyalty;
pub mod pipeline;
pub mod sales;
pub mod segments;
pub mod settings;
pub mod survey;
pub mod tasks;
