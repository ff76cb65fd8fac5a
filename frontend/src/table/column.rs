//! What a table column is: a URL key, a header title and how its rows sort.

use super::cell::CellValue;
use super::io_column::IoColumn;
use super::sort::SortValue;

/// A column of a sortable table over rows of type `Row`.
pub trait Column: Copy + Eq + Send + Sync + 'static {
    /// The row type the column reads.
    type Row;

    /// Every column, in display order.
    const ALL: &'static [Self];

    /// Key used in `data-col` and in `?sort=`.
    fn key(self) -> &'static str;

    /// Header text.
    fn title(self) -> &'static str;

    /// Numeric columns are right-aligned and sort largest first on the first click.
    fn numeric(self) -> bool;

    /// What a row shows in this column, as the table and its exports have it; `None` for
    /// columns that are drawn (sparklines), not written.
    fn cell(self, row: &Self::Row) -> Option<CellValue>;

    /// The raw value rows are ordered by.
    fn sort_value(self, row: &Self::Row) -> SortValue<'_>;

    /// The throughput column this is, if it is one: those are shown only while the live
    /// source measures throughput.
    fn io(self) -> Option<IoColumn> {
        None
    }

    /// The column with this key.
    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }
}
