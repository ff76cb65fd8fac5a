//! The rows a table shows, as CSV (the cells' text, as on screen) or JSON (exact numbers
//! where a cell has one), for download.

use super::cell::CellValue;
use super::column::ColumnInfo;

/// What an export writes, whatever the table: its written columns and a way to read each
/// cell.
pub struct Sheet<'a> {
    /// Each written column's key and title, and its index in the table.
    columns: Vec<(&'static str, &'static str, usize)>,
    rows: usize,
    /// The cell of a row (in display order) in a column (by its index in the table).
    cell: &'a dyn Fn(usize, usize) -> Option<CellValue>,
}

impl<'a> Sheet<'a> {
    /// `rows` rows in the `shown` columns of `columns`, leaving out columns that are drawn,
    /// not written (sparklines).
    pub fn new(
        columns: &[ColumnInfo],
        shown: &[usize],
        rows: usize,
        cell: &'a dyn Fn(usize, usize) -> Option<CellValue>,
    ) -> Sheet<'a> {
        let columns = shown
            .iter()
            .filter(|&&c| rows == 0 || cell(0, c).is_some())
            .filter_map(|&c| columns.get(c).map(|info| (info.key, info.title, c)))
            .collect();
        Sheet {
            columns,
            rows,
            cell,
        }
    }

    /// CSV with a header line of column titles.
    pub fn to_csv(&self) -> String {
        let mut out = line(self.columns.iter().map(|(_, title, _)| csv_field(title)));
        for r in 0..self.rows {
            out.push_str(&line(self.columns.iter().map(|&(_, _, c)| {
                csv_field(&(self.cell)(r, c).map(|v| v.text).unwrap_or_default())
            })));
        }
        out
    }

    /// A JSON array with one object per row, keyed by column key: numbers where the cell has
    /// an exact value (nanocores, bytes, percent, count, seconds), text otherwise.
    pub fn to_json(&self) -> String {
        let objects: Vec<String> = (0..self.rows)
            .map(|r| {
                let fields: Vec<String> = self
                    .columns
                    .iter()
                    .map(|&(key, _, c)| {
                        let value = match (self.cell)(r, c) {
                            Some(CellValue { raw: Some(raw), .. }) => raw,
                            Some(v) => json_string(&v.text),
                            None => "null".to_owned(),
                        };
                        format!("{}:{value}", json_string(key))
                    })
                    .collect();
                format!("{{{}}}", fields.join(","))
            })
            .collect();
        format!("[{}]\n", objects.join(",\n"))
    }
}

fn line(fields: impl Iterator<Item = String>) -> String {
    let mut line = fields.collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// RFC 4180: quoted when it holds a comma, quote or line break, quotes doubled. A leading
/// `=`, `+`, `-` or `@` gets a `'` so spreadsheets do not run it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) && text != "—" {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::column::PodColumn;
    use crate::pods::row::PodView;
    use crate::pods::row::tests::pod;
    use crate::table::column::Column;
    use crate::table::io_column::IoColumn;
    use ktop_web_shared::api::Io;

    fn rows() -> Vec<PodView> {
        let mut cart = pod("shop", "cart-1", Some((250, 3)));
        cart.io = Some(Io {
            rx: Some(12_595),
            ..Io::default()
        });
        vec![
            PodView::from_row(&cart, 0),
            PodView::from_row(&pod("shop", "web,\"x\"", None), 0),
        ]
    }

    /// What a table exports of `rows` in `columns`.
    fn export(columns: &[PodColumn], rows: &[PodView], json: bool) -> String {
        let shown: Vec<usize> = columns
            .iter()
            .filter_map(|c| PodColumn::ALL.iter().position(|a| a == c))
            .collect();
        let cell = |r: usize, c: usize| PodColumn::ALL[c].cell(&rows[r]);
        let sheet = Sheet::new(PodColumn::INFO, &shown, rows.len(), &cell);
        if json {
            sheet.to_json()
        } else {
            sheet.to_csv()
        }
    }

    #[test]
    fn csv_has_the_cells_text_and_escapes() {
        let rows = rows();
        let csv = export(
            &[PodColumn::Name, PodColumn::Cpu, PodColumn::CpuSpark],
            &rows,
            false,
        );
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Name,CPU", "sparklines are left out");
        assert_eq!(
            lines[1],
            format!(
                "cart-1,{}",
                PodColumn::Cpu.cell(&rows[0]).expect("cpu").text
            )
        );
        assert!(lines[2].starts_with("\"web,\"\"x\"\"\","), "{}", lines[2]);
        assert_eq!(lines.len(), 4, "a line per row and a final line break");
    }

    #[test]
    fn json_has_exact_numbers() {
        let rows = rows();
        let json = export(
            &[PodColumn::Name, PodColumn::Restarts, PodColumn::Cpu],
            &rows,
            true,
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed[0]["name"], "cart-1");
        assert_eq!(parsed[0]["restarts"], rows[0].restarts);
        assert!(parsed[0]["cpu"].is_u64(), "{json}");
        assert_eq!(parsed[1]["name"], "web,\"x\"");
        assert_eq!(parsed[1]["cpu"], "—", "no usage is text, as on screen");
    }

    #[test]
    fn throughput_is_text_in_csv_and_bytes_per_second_in_json() {
        let rows = rows();
        let columns = [
            PodColumn::Name,
            PodColumn::Io(IoColumn::NetRx),
            PodColumn::Io(IoColumn::NetTx),
            PodColumn::Io(IoColumn::NetTrend),
        ];
        let csv = export(&columns, &rows, false);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Name,Net rx,Net tx", "trends are left out");
        assert_eq!(lines[1], "cart-1,12.3 KiB/s,—");
        let json = export(&columns, &rows, true);
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(parsed[0]["net-rx"], 12_595);
        assert_eq!(parsed[0]["net-tx"], "—", "unknown, not zero");
    }

    #[test]
    fn fields_cannot_become_formulas_or_break_lines() {
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("—"), "—");
        assert_eq!(csv_field("a\nb"), "\"a\nb\"");
        assert_eq!(json_string("a\"\\\n"), "\"a\\\"\\\\\\u000a\"");
    }
}
