//! kehu-core: the pure, deterministic heart of Kehu (客户).
//!
//! Domain types, validation, search, analytics and demo data. No web dependencies, no clock, no
//! random source: time, ids and seeds are arguments, so the app (in WebAssembly) and the `kehu`
//! command-line tool compute the same answers from the same data.

pub mod analytics;
pub mod csv_io;
pub mod datafile;
pub mod demo;
pub mod duplicates;
pub mod fast_time;
pub mod ids;
pub mod model;
pub mod pipeline;
pub mod points;
pub mod search;
pub mod segment_explorer;
pub mod tasks;
pub mod transactions_csv;
pub mod validate;

pub use model::*;
