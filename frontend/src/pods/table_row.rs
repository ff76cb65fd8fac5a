//! The pods table's rows: `<tr data-pod="ns/name">`.

use crate::dataset::Dataset;
use crate::store::History;
use crate::table::column::{Column, cell_at};
use crate::table::table_row::{AnyRow, RowSpec, row_cell};

use super::column::PodColumn;
use super::row::PodView;

/// How the pods table draws a row.
pub const POD_ROWS: RowSpec = RowSpec {
    key_attr: "data-pod",
    columns: PodColumn::INFO,
    key_at: |d: &Dataset, at| Some(d.pods.get(at as usize)?.key.clone()),
    cell_at: |d, at, column| cell_at::<PodColumn>(&d.pods, at, column),
    lookup: |d, key| d.pod(key).map(AnyRow::of),
    cell: row_cell::<PodColumn>,
    levels: |r| {
        r.get::<PodView>()
            .map_or([None; 2], |p| [p.cpu_lim_pct(), p.mem_lim_pct()])
    },
    find: History::pod,
    find_io: Some(History::pod_io),
};
