//! The nodes view.

pub mod column;
pub mod page;
pub mod row;
pub mod table_row;
