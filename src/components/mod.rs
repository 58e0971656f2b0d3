//! Parts used by several pages.
pub mod storage_notice;
pub mod toast;
pub mod update;
