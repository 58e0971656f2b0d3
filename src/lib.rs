//! The Kehu app.
