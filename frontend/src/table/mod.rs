//! Sortable, filterable, virtually scrolled tables and their URL-held state.

pub mod caps;
pub mod cell;
pub mod column;
pub mod column_picker;
pub mod export;
pub mod export_buttons;
pub mod gpus;
pub mod io_column;
pub mod sort;
pub mod sort_header;
pub mod spark_cells;
pub mod stall_column;
pub mod table_page;
pub mod table_row;
pub mod viewport;
pub mod virtual_table;
pub mod visible_columns;
