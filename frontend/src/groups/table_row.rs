//! The workloads and namespaces tables' rows: `<tr data-group="key">`, a workload's key
//! being `namespace/Kind/name` and a namespace's its name.

use crate::dataset::Dataset;
use crate::store::History;
use crate::table::column::{Column, cell_at};
use crate::table::table_row::{AnyRow, RowSpec, row_cell};

use super::column::{GroupColumn, NAMESPACE_INFO};

/// How the workloads table draws a row.
pub const WORKLOAD_ROWS: RowSpec = RowSpec {
    columns: GroupColumn::INFO,
    key_at: |d: &Dataset, at| Some(d.groups().workloads.get(at as usize)?.key.clone()),
    cell_at: |d, at, column| cell_at::<GroupColumn>(&d.groups().workloads, at, column),
    ..NAMESPACE_ROWS
};

/// How the namespaces table draws a row.
pub const NAMESPACE_ROWS: RowSpec = RowSpec {
    key_attr: "data-group",
    columns: &NAMESPACE_INFO,
    key_at: |d: &Dataset, at| Some(d.groups().namespaces.get(at as usize)?.key.clone()),
    cell_at: |d, at, column| cell_at::<GroupColumn>(&d.groups().namespaces, at, column),
    lookup: |d, key| d.group(key).map(AnyRow::of),
    cell: row_cell::<GroupColumn>,
    // Sums have no limit to be a share of where a pod sets none, so trends stay uncoloured.
    levels: |_| [None; 2],
    find: History::group,
    find_io: None,
};
