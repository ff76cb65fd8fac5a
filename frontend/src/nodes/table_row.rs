//! The nodes table's rows: `<tr data-node="name">`.

use crate::dataset::Dataset;
use crate::store::History;
use crate::table::column::{Column, cell_at};
use crate::table::table_row::{AnyRow, RowSpec, row_cell};

use super::column::NodeColumn;
use super::row::NodeView;

/// How the nodes table draws a row.
pub const NODE_ROWS: RowSpec = RowSpec {
    key_attr: "data-node",
    columns: NodeColumn::INFO,
    key_at: |d: &Dataset, at| Some(d.nodes.get(at as usize)?.name.clone()),
    cell_at: |d, at, column| cell_at::<NodeColumn>(&d.nodes, at, column),
    lookup: |d, name| d.node(name).map(AnyRow::of),
    cell: row_cell::<NodeColumn>,
    levels: |r| {
        r.get::<NodeView>()
            .map_or([None; 2], |n| [n.cpu_pct(), n.mem_pct()])
    },
    find: History::node,
    find_io: Some(History::node_io),
};
