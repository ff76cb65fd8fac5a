//! One `<tr>` of any table. Its cells are made in a loop over the table's columns, so their
//! markup exists once in the wasm whatever the table: a table gives a [`RowSpec`], not a
//! component of its own (one per table cost some 3–4 KB of wasm each).

use std::any::Any;
use std::sync::Arc;

use leptos::attr::custom::custom_attribute;
use leptos::prelude::*;

use crate::dataset::Dataset;
use crate::markup::escape;
use crate::state::use_app_state;
use crate::store::{CpuMemSeries, History, IoSeries};
use crate::threshold::Level;

use super::cell::CellValue;
use super::column::{Column, ColumnInfo};
use super::spark_cells::SparkCells;

/// A row's view model of any table, compared by value. Boxed behind a trait object so that
/// every table's rows share one memo type in the wasm.
pub struct AnyRow(Box<dyn RowModel>);

/// What a view model must do to be held in an [`AnyRow`].
trait RowModel: Any + Send + Sync {
    /// True when `other` is a view model of the same type and equal to this one.
    fn same_as(&self, other: &dyn Any) -> bool;

    /// The view model, to be read back as its type.
    fn as_any(&self) -> &dyn Any;
}

impl<V: PartialEq + Send + Sync + 'static> RowModel for V {
    fn same_as(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<V>() == Some(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl PartialEq for AnyRow {
    fn eq(&self, other: &AnyRow) -> bool {
        self.0.same_as(other.0.as_any())
    }
}

impl AnyRow {
    /// Holds a copy of `row` (cheap: the parts of a row that change only with its object
    /// are shared).
    pub fn of<V: PartialEq + Clone + Send + Sync + 'static>(row: &V) -> AnyRow {
        AnyRow(Box::new(row.clone()))
    }

    /// The view model, if it is a `V`.
    pub fn get<V: 'static>(&self) -> Option<&V> {
        self.0.as_any().downcast_ref()
    }
}

/// A written cell as a row shows it.
#[derive(Debug, Default, PartialEq)]
pub struct RowCell {
    /// Value and text.
    pub value: CellValue,
    /// Extra class of a text cell.
    pub class: &'static str,
    /// Tooltip where it is not the text.
    pub title: Option<String>,
    /// Where the text leads.
    pub href: Option<String>,
}

/// The written cell of `row` in column `index` of `C`, with links in `context`; `None` for
/// a row of another type or a drawn column. Generic but small: one per table.
pub fn row_cell<C: Column>(row: &AnyRow, index: usize, context: Option<&str>) -> Option<RowCell>
where
    C::Row: 'static,
{
    let row = row.get::<C::Row>()?;
    let column = *C::ALL.get(index)?;
    Some(RowCell {
        value: column.cell(row)?,
        class: column.class(row),
        title: column.title(row),
        href: column.href(row, context),
    })
}

/// What the shared row needs of one table.
pub struct RowSpec {
    /// The attribute that carries the row's key, such as `data-pod`.
    pub key_attr: &'static str,
    /// The table's columns.
    pub columns: &'static [ColumnInfo],
    /// The key of the row at a position in the data.
    pub key_at: fn(&Dataset, u32) -> Option<Arc<str>>,
    /// The cell of the row at a position in the data in a column, for exports:
    /// [`cell_at`](super::column::cell_at) of the table's rows.
    pub cell_at: fn(&Dataset, u32, usize) -> Option<CellValue>,
    /// The row's view model in the data, by key.
    pub lookup: fn(&Dataset, &str) -> Option<AnyRow>,
    /// A written cell: [`row_cell`] of the table's column type.
    pub cell: fn(&AnyRow, usize, Option<&str>) -> Option<RowCell>,
    /// Usage as a percentage of the limits (CPU, memory), colouring the trends; `None`
    /// leaves them uncoloured.
    pub levels: fn(&AnyRow) -> [Option<f64>; 2],
    /// The row's usage series in the history.
    pub find: for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h CpuMemSeries>,
    /// The row's throughput series in the history, for tables with network and disk trends.
    pub find_io: Option<for<'h, 'k> fn(&'h History, &'k str) -> Option<&'h IoSeries>>,
}

impl RowSpec {
    /// How many columns are written: all but the trends every table ends with (CPU and
    /// memory, then network and disk where it has them), which [`SparkCells`] draws.
    pub fn written(&self) -> usize {
        let trends = if self.find_io.is_some() { 4 } else { 2 };
        self.columns.len().saturating_sub(trends)
    }
}

/// The inner markup of a written cell: its text, as a link where it leads somewhere.
fn cell_html(cell: &RowCell) -> String {
    let text = escape(&cell.value.text);
    match &cell.href {
        Some(href) => format!(r#"<a href="{}">{text}</a>"#, escape(href)),
        None => text,
    }
}

/// The row with key `row_key`: it looks its view model up on every refresh, so it is built
/// once and updated in place for as long as it stays in view; a cell's markup is set again
/// only when it changed.
#[component]
pub fn TableRow(
    /// The row's key: a node name, `namespace/name`, a workload or namespace key.
    row_key: Arc<str>,
    /// The table.
    spec: &'static RowSpec,
) -> impl IntoView {
    let state = use_app_state();
    let lookup_key = row_key.clone();
    // The row and the context its links are in, as one memo: cells then follow only it. A
    // cell that read the context itself made thousands of subscribers of one signal, and
    // each refresh paid to unsubscribe every rerun cell from it, one at a time (27 ms of a
    // 30,000-pod refresh).
    let row = Memo::new(move |_| {
        let found = state
            .data
            .with(|d| d.as_deref().and_then(|d| (spec.lookup)(d, &lookup_key)));
        found.map(|r| (r, state.context.get()))
    });
    let cells = spec.columns[..spec.written()]
        .iter()
        .enumerate()
        .map(|(index, info)| {
            // Not a memo: three reads of a cell cost less than a memo type in the wasm (a
            // number has no title, a text no raw value, so neither is worked out for them).
            let cell = move || {
                row.with(|r| {
                    r.as_ref()
                        .and_then(|(r, context)| (spec.cell)(r, index, context.as_deref()))
                        .unwrap_or_default()
                })
            };
            let numeric = info.numeric;
            view! {
                <td
                    data-col=info.key
                    data-value=move || numeric.then(|| cell().value.raw).flatten()
                    class=move || {
                        let c = cell();
                        if numeric { format!("num {}", c.value.level.class()) } else { c.class.to_owned() }
                    }
                    title=move || {
                        (!numeric).then(|| {
                            let c = cell();
                            c.title.unwrap_or(c.value.text)
                        })
                    }
                    inner_html=move || cell_html(&cell())
                ></td>
            }
        })
        .collect_view();
    let level = move |i: usize| {
        Signal::derive(move || {
            Level::of_percent(row.with(|r| r.as_ref().and_then(|(r, _)| (spec.levels)(r)[i])))
        })
    };

    view! {
        <tr class="row">
            {cells}
            <SparkCells
                key=row_key.clone()
                find=spec.find
                find_io=spec.find_io
                cpu_level=level(0)
                mem_level=level(1)
            />
        </tr>
    }
    .add_any_attr(custom_attribute(spec.key_attr, row_key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::column::PodColumn;
    use crate::pods::row::PodView;
    use crate::pods::row::tests::pod;

    #[test]
    fn cells_carry_their_links_and_classes_and_escape_text() {
        let mut row = pod("shop", "cart<1>", Some((250_000_000, 64 << 20)));
        row.node = Some("node-a".into());
        let view = PodView::from_row(&row, 0);
        let any = AnyRow::of(&view);
        let at = |column: PodColumn| {
            PodColumn::ALL
                .iter()
                .position(|&c| c == column)
                .expect("a column")
        };
        let name = row_cell::<PodColumn>(&any, at(PodColumn::Name), Some("dev")).expect("a cell");
        assert_eq!(name.href.as_deref(), Some("/c/dev/pods/shop/cart%3C1%3E"));
        assert_eq!(
            cell_html(&name),
            r#"<a href="/c/dev/pods/shop/cart%3C1%3E">cart&lt;1&gt;</a>"#
        );
        let status = row_cell::<PodColumn>(&any, at(PodColumn::Status), None).expect("a cell");
        assert_eq!((status.class, status.href), ("status-ok", None));
        let cpu = row_cell::<PodColumn>(&any, at(PodColumn::Cpu), None).expect("a cell");
        assert_eq!(cpu.value.raw.as_deref(), Some("250000000"));
        assert_eq!(cell_html(&cpu), "250m");
        // The trends are drawn, not written; another table's row reads as nothing.
        assert_eq!(
            row_cell::<PodColumn>(&any, at(PodColumn::CpuSpark), None),
            None
        );
        let other = AnyRow::of(&1_u8);
        assert_eq!(row_cell::<PodColumn>(&other, 0, None), None);
        assert!(any == AnyRow::of(&view) && any != other);
    }
}
