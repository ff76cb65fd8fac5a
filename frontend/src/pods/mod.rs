//! The pods view.

pub mod column;
pub mod page;
pub mod query;
pub mod row;
pub mod table_row;
