//! The Kehu app.

pub mod storage;
