//! Parts used by several pages.
pub mod toast;
