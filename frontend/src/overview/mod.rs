//! The overview page.

pub mod board;
pub mod page;
pub mod resource;
pub mod resource_panel;
pub mod stat;
pub mod top;
pub mod top_list;
