//! The overview page.

pub mod page;
pub mod resource;
pub mod resource_panel;
pub mod stat;
