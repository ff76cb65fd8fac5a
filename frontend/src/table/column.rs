//! What a table column is: a URL key, a header title and how its rows sort. The table
//! machinery (headers, picker, visibility, export, sorting) reads columns only as
//! [`ColumnInfo`] by index, so it exists once in the wasm whatever the table; a table's own
//! code is its column enum's match arms.

use super::caps::Cap;
use super::cell::CellValue;
use super::sort::SortValue;

/// A column as the table machinery sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Key used in `data-col`, `?sort=` and `?cols=`.
    pub key: &'static str,
    /// Header text.
    pub title: &'static str,
    /// Numeric columns are right-aligned and sort largest first on the first click.
    pub numeric: bool,
    /// What the live source must have for the column to be offered and shown.
    pub needs: Option<Cap>,
    /// Shown when the URL picks no columns.
    pub default: bool,
}

impl ColumnInfo {
    /// A text column, shown by default.
    pub const fn text(key: &'static str, title: &'static str) -> ColumnInfo {
        ColumnInfo {
            key,
            title,
            numeric: false,
            needs: None,
            default: true,
        }
    }

    /// A numeric column, shown by default.
    pub const fn num(key: &'static str, title: &'static str) -> ColumnInfo {
        ColumnInfo {
            numeric: true,
            ..ColumnInfo::text(key, title)
        }
    }
}

/// A column of a sortable table over rows of type `Row`.
pub trait Column: Copy + Send + Sync + 'static {
    /// The row type the column reads.
    type Row;

    /// Every column, in display order.
    const ALL: &'static [Self];

    /// Each column of [`Column::ALL`] described, in the same order: indices into one are
    /// indices into the other.
    const INFO: &'static [ColumnInfo];

    /// What a row shows in this column, as the table and its exports have it; `None` for
    /// columns that are drawn (sparklines), not written.
    fn cell(self, row: &Self::Row) -> Option<CellValue>;

    /// The raw value rows are ordered by.
    fn sort_value(self, row: &Self::Row) -> SortValue<'_>;

    /// Where the cell leads (a node, a pod, a workload) with links in `context`; `None` for
    /// a cell that is no link.
    fn href(self, _row: &Self::Row, _context: Option<&str>) -> Option<String> {
        None
    }

    /// A CSS class of a text cell, such as a status's colour.
    fn class(self, _row: &Self::Row) -> &'static str {
        ""
    }

    /// A text cell's tooltip where it is not the text itself.
    fn title(self, _row: &Self::Row) -> Option<String> {
        None
    }
}

/// Describes every column of `all` with `info`, at compile time, so no code in the wasm
/// holds the table: `describe!(ALL, PodColumn::info)`.
macro_rules! describe {
    ($all:expr, $info:path) => {{
        let mut info = [$crate::table::column::ColumnInfo::text("", ""); $all.len()];
        let mut i = 0;
        while i < $all.len() {
            info[i] = $info($all[i]);
            i += 1;
        }
        info
    }};
}
pub(crate) use describe;

/// The cell of the row at `position` in column `column` (an index into [`Column::INFO`]),
/// for exports.
pub fn cell_at<C: Column>(rows: &[C::Row], position: u32, column: usize) -> Option<CellValue> {
    C::ALL.get(column)?.cell(rows.get(position as usize)?)
}
