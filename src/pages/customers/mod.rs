//! Customer pages: the list and the add/edit form.
pub mod form;
pub mod list;
pub mod view;
