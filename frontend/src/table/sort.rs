//! Sorting table rows by a column: numbers by their raw base-unit values with absent values
//! always last, text in natural order (`node-2` before `node-10`).

use std::cmp::Ordering;

use crate::route::url_codec::ParamUpdate;

use super::column::{Column, ColumnInfo};

/// Sort direction, as written in `?dir=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl SortDir {
    /// `asc` or `desc`.
    pub fn key(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }

    /// Parses `asc` or `desc`.
    pub fn from_key(key: &str) -> Option<SortDir> {
        match key {
            "asc" => Some(SortDir::Asc),
            "desc" => Some(SortDir::Desc),
            _ => None,
        }
    }

    /// The other direction.
    pub fn toggled(self) -> SortDir {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }

    /// Value for the header's `aria-sort`.
    pub fn aria(self) -> &'static str {
        match self {
            SortDir::Asc => "ascending",
            SortDir::Desc => "descending",
        }
    }

    fn apply(self, ordering: Ordering) -> Ordering {
        match self {
            SortDir::Asc => ordering,
            SortDir::Desc => ordering.reverse(),
        }
    }
}

/// The column a table is sorted by (an index into its [`ColumnInfo`]s), and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    /// Sorted column.
    pub column: usize,
    /// Direction.
    pub dir: SortDir,
}

impl SortSpec {
    /// Reads `sort` and `dir` query values; an unknown column means unsorted, an unknown
    /// direction means the column's default.
    pub fn from_params(
        columns: &[ColumnInfo],
        sort: Option<&str>,
        dir: Option<&str>,
    ) -> Option<SortSpec> {
        let sort = sort?;
        let column = columns.iter().position(|c| c.key == sort)?;
        let dir = dir
            .and_then(SortDir::from_key)
            .unwrap_or_else(|| default_dir(&columns[column]));
        Some(SortSpec { column, dir })
    }

    /// The sort after clicking `column`'s header: the same column flips, another starts at its
    /// default direction.
    pub fn after_click(columns: &[ColumnInfo], current: Option<SortSpec>, column: usize) -> Self {
        match current {
            Some(spec) if spec.column == column => SortSpec {
                column,
                dir: spec.dir.toggled(),
            },
            _ => SortSpec {
                column,
                dir: columns.get(column).map_or(SortDir::Asc, default_dir),
            },
        }
    }

    /// The `sort` and `dir` query values of `spec` (both absent when unsorted).
    pub fn to_params(spec: Option<SortSpec>, columns: &[ColumnInfo]) -> [ParamUpdate; 2] {
        let column = spec.and_then(|s| columns.get(s.column));
        [
            ("sort", column.map(|c| c.key.to_owned())),
            (
                "dir",
                spec.filter(|_| column.is_some())
                    .map(|s| s.dir.key().to_owned()),
            ),
        ]
    }
}

/// Numbers start largest first, as in `top`; text starts A to Z.
fn default_dir(column: &ColumnInfo) -> SortDir {
    if column.numeric {
        SortDir::Desc
    } else {
        SortDir::Asc
    }
}

/// A cell's value for ordering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SortValue<'a> {
    /// Text, compared naturally.
    Text(&'a str),
    /// A number in base units; `None` (shown as "—") sorts last in both directions.
    Num(Option<f64>),
}

impl SortValue<'_> {
    /// A whole number in base units (bytes, nanocores, a count); `None` sorts last.
    pub fn whole(value: Option<u64>) -> SortValue<'static> {
        SortValue::Num(value.map(|v| v as f64))
    }
}

/// Orders two values for `dir`, keeping absent numbers last.
pub fn compare(a: &SortValue<'_>, b: &SortValue<'_>, dir: SortDir) -> Ordering {
    match (a, b) {
        (SortValue::Num(None), SortValue::Num(None)) => Ordering::Equal,
        (SortValue::Num(None), _) => Ordering::Greater,
        (_, SortValue::Num(None)) => Ordering::Less,
        (SortValue::Num(Some(x)), SortValue::Num(Some(y))) => dir.apply(x.total_cmp(y)),
        (SortValue::Text(x), SortValue::Text(y)) => dir.apply(natural_cmp(x, y)),
        // Columns never mix kinds; numbers first keeps the order total anyway.
        (SortValue::Num(_), SortValue::Text(_)) => Ordering::Less,
        (SortValue::Text(_), SortValue::Num(_)) => Ordering::Greater,
    }
}

/// Orders `indices` into `rows` by `spec`; ties keep their incoming order. Only this shim
/// is compiled per table: the sort reads the column through `&dyn`.
pub fn sort_indices<C: Column>(rows: &[C::Row], indices: &mut Vec<u32>, spec: SortSpec) {
    if let Some(&column) = C::ALL.get(spec.column) {
        sort_by(indices, spec.dir, &|i| {
            rows.get(i as usize).map(|row| column.sort_value(row))
        });
    }
}

/// Orders `indices` by the value `key` gives each (dropping those it gives none), for `dir`;
/// ties keep their incoming order.
fn sort_by<'a>(indices: &mut Vec<u32>, dir: SortDir, key: &dyn Fn(u32) -> Option<SortValue<'a>>) {
    // Extracting the keys once keeps the comparisons to plain field reads.
    let keyed = indices
        .iter()
        .filter_map(|&i| key(i).map(|v| (v, i)))
        .collect();
    sort_keyed(indices, keyed, dir);
}

/// Orders `indices` by the text `key` gives each, naturally (`pod-2` before `pod-10`); ties
/// keep their incoming order.
pub fn sort_by_text<'a>(indices: &mut Vec<u32>, key: &dyn Fn(u32) -> &'a str) {
    sort_by(indices, SortDir::Asc, &|i| Some(SortValue::Text(key(i))));
}

/// The sort itself, one copy in the binary.
fn sort_keyed(indices: &mut Vec<u32>, mut keyed: Vec<(SortValue<'_>, u32)>, dir: SortDir) {
    keyed.sort_by(|a, b| compare(&a.0, &b.0, dir));
    indices.clear();
    indices.extend(keyed.into_iter().map(|(_, i)| i));
}

/// Compares text with digit runs as numbers, so `node-2` sorts before `node-10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let by_value = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                match by_value.then_with(|| da.len().cmp(&db.len())) {
                    Ordering::Equal => (a, b) = (ra, rb),
                    other => return other,
                }
            }
            (Some(x), Some(y)) => match x.cmp(y) {
                Ordering::Equal => (a, b) = (&a[1..], &b[1..]),
                other => return other,
            },
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Col {
        Name,
        Cpu,
    }

    struct Row {
        name: &'static str,
        cpu: Option<u64>,
    }

    const INFO: &[ColumnInfo] = &[
        ColumnInfo::text("name", "name"),
        ColumnInfo::num("cpu", "cpu"),
    ];

    impl Column for Col {
        type Row = Row;
        const ALL: &'static [Col] = &[Col::Name, Col::Cpu];
        const INFO: &'static [ColumnInfo] = INFO;
        fn cell(self, row: &Row) -> Option<crate::table::cell::CellValue> {
            Some(match self {
                Col::Name => crate::table::cell::CellValue::text(row.name.to_owned()),
                Col::Cpu => crate::table::cell::CellValue::cpu(row.cpu),
            })
        }
        fn sort_value(self, row: &Row) -> SortValue<'_> {
            match self {
                Col::Name => SortValue::Text(row.name),
                Col::Cpu => SortValue::Num(row.cpu.map(|v| v as f64)),
            }
        }
    }

    fn rows() -> Vec<Row> {
        [
            ("node-10", Some(5)),
            ("node-2", None),
            ("node-1", Some(250_000_000)),
            ("node-3", Some(5)),
        ]
        .into_iter()
        .map(|(name, cpu)| Row { name, cpu })
        .collect()
    }

    fn sorted(column: Col, dir: SortDir) -> Vec<&'static str> {
        let rows = rows();
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        let column = column as usize;
        sort_indices::<Col>(&rows, &mut order, SortSpec { column, dir });
        order.iter().map(|&i| rows[i as usize].name).collect()
    }

    #[test]
    fn numbers_sort_by_value_with_absent_last_both_ways() {
        assert_eq!(
            sorted(Col::Cpu, SortDir::Desc),
            ["node-1", "node-10", "node-3", "node-2"],
            "ties keep incoming order"
        );
        assert_eq!(
            sorted(Col::Cpu, SortDir::Asc),
            ["node-10", "node-3", "node-1", "node-2"]
        );
    }

    #[test]
    fn text_sorts_naturally() {
        assert_eq!(
            sorted(Col::Name, SortDir::Asc),
            ["node-1", "node-2", "node-3", "node-10"]
        );
        assert_eq!(
            sorted(Col::Name, SortDir::Desc),
            ["node-10", "node-3", "node-2", "node-1"]
        );
        assert_eq!(natural_cmp("a01", "a1"), Ordering::Greater);
        assert_eq!(natural_cmp("a1b", "a1c"), Ordering::Less);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("x9", "x10"), Ordering::Less);
        assert_eq!(natural_cmp("abc", "abc"), Ordering::Equal);
    }

    #[test]
    fn params_and_clicks() {
        let spec = SortSpec::from_params(INFO, Some("cpu"), None).expect("known column");
        assert_eq!(spec.dir, SortDir::Desc, "numbers default to largest first");
        let spec = SortSpec::from_params(INFO, Some("name"), Some("bogus")).expect("known");
        assert_eq!(spec.dir, SortDir::Asc);
        assert_eq!(SortSpec::from_params(INFO, Some("nope"), Some("asc")), None);
        assert_eq!(SortSpec::from_params(INFO, None, Some("asc")), None);

        let (name, cpu) = (Col::Name as usize, Col::Cpu as usize);
        let first = SortSpec::after_click(INFO, None, cpu);
        assert_eq!(first.dir, SortDir::Desc);
        let second = SortSpec::after_click(INFO, Some(first), cpu);
        assert_eq!(second.dir, SortDir::Asc);
        let other = SortSpec::after_click(INFO, Some(second), name);
        assert_eq!((other.column, other.dir), (name, SortDir::Asc));
        assert_eq!(
            SortSpec::to_params(Some(other), INFO),
            [
                ("sort", Some("name".to_owned())),
                ("dir", Some("asc".to_owned()))
            ]
        );
        assert_eq!(
            SortSpec::to_params(None, INFO),
            [("sort", None), ("dir", None)]
        );
    }
}
