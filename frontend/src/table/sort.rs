//! Sorting table rows by a column: numbers by their raw base-unit values with absent values
//! always last, text in natural order (`node-2` before `node-10`).

use std::cmp::Ordering;

use super::column::Column;

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

/// The column a table is sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec<C> {
    /// Sorted column.
    pub column: C,
    /// Direction.
    pub dir: SortDir,
}

impl<C: Column> SortSpec<C> {
    /// Reads `sort` and `dir` query values; an unknown column means unsorted, an unknown
    /// direction means the column's default.
    pub fn from_params(sort: Option<&str>, dir: Option<&str>) -> Option<Self> {
        let column = C::from_key(sort?)?;
        let dir = dir
            .and_then(SortDir::from_key)
            .unwrap_or_else(|| default_dir(column));
        Some(SortSpec { column, dir })
    }

    /// The sort after clicking `column`'s header: the same column flips, another starts at its
    /// default direction.
    pub fn after_click(current: Option<Self>, column: C) -> Self {
        match current {
            Some(spec) if spec.column == column => SortSpec {
                column,
                dir: spec.dir.toggled(),
            },
            _ => SortSpec {
                column,
                dir: default_dir(column),
            },
        }
    }
}

/// Numbers start largest first, as in `top`; text starts A to Z.
fn default_dir<C: Column>(column: C) -> SortDir {
    if column.numeric() {
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

/// Orders `indices` into `rows` by `spec`; ties keep their incoming order.
pub fn sort_indices<C: Column>(rows: &[C::Row], indices: &mut Vec<u32>, spec: SortSpec<C>) {
    // Extracting the keys once keeps the comparisons to plain field reads.
    let keyed: Vec<(SortValue<'_>, u32)> = indices
        .iter()
        .filter_map(|&i| {
            rows.get(i as usize)
                .map(|row| (spec.column.sort_value(row), i))
        })
        .collect();
    sort_keyed(indices, keyed, spec.dir);
}

/// Orders `indices` by the text `key` gives each, naturally (`pod-2` before `pod-10`); ties
/// keep their incoming order.
pub fn sort_by_text<'a>(indices: &mut Vec<u32>, key: &dyn Fn(u32) -> &'a str) {
    let keyed = indices
        .iter()
        .map(|&i| (SortValue::Text(key(i)), i))
        .collect();
    sort_keyed(indices, keyed, SortDir::Asc);
}

/// The sort itself, kept out of the generic functions so there is one copy in the binary.
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

    impl Column for Col {
        type Row = Row;
        const ALL: &'static [Col] = &[Col::Name, Col::Cpu];
        fn key(self) -> &'static str {
            match self {
                Col::Name => "name",
                Col::Cpu => "cpu",
            }
        }
        fn title(self) -> &'static str {
            self.key()
        }
        fn numeric(self) -> bool {
            self == Col::Cpu
        }
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
        sort_indices(&rows, &mut order, SortSpec { column, dir });
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
        let spec = SortSpec::<Col>::from_params(Some("cpu"), None).expect("known column");
        assert_eq!(spec.dir, SortDir::Desc, "numbers default to largest first");
        let spec = SortSpec::<Col>::from_params(Some("name"), Some("bogus")).expect("known");
        assert_eq!(spec.dir, SortDir::Asc);
        assert_eq!(
            SortSpec::<Col>::from_params(Some("nope"), Some("asc")),
            None
        );
        assert_eq!(SortSpec::<Col>::from_params(None, Some("asc")), None);

        let first = SortSpec::after_click(None, Col::Cpu);
        assert_eq!(first.dir, SortDir::Desc);
        let second = SortSpec::after_click(Some(first), Col::Cpu);
        assert_eq!(second.dir, SortDir::Asc);
        let other = SortSpec::after_click(Some(second), Col::Name);
        assert_eq!((other.column, other.dir), (Col::Name, SortDir::Asc));
    }
}
