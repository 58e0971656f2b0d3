//! Parts used by several pages.
pub mod toast;
pub mod update;
