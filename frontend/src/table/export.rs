//! The rows a table shows, as CSV (the cells' text, as on screen) or JSON (exact numbers
//! where a cell has one), for download.

use super::cell::CellValue;
use super::column::Column;

/// What an export writes, whatever the table: its written columns and a way to read each
/// cell. Only [`Sheet::new`] is compiled once per table; the writers exist once in the wasm.
pub struct Sheet<'a> {
    /// Each written column's key and title.
    columns: Vec<(&'static str, &'static str)>,
    rows: usize,
    /// The cell of a row in a written column, by their indices.
    cell: Box<dyn Fn(usize, usize) -> Option<CellValue> + 'a>,
}

impl<'a> Sheet<'a> {
    /// `rows` in `columns`, leaving out columns that are drawn, not written (sparklines).
    pub fn new<C: Column>(columns: &[C], rows: &'a [C::Row]) -> Sheet<'a> {
        let written: Vec<C> = columns
            .iter()
            .copied()
            .filter(|c| rows.first().is_none_or(|row| c.cell(row).is_some()))
            .collect();
        Sheet {
            columns: written.iter().map(|c| (c.key(), c.title())).collect(),
            rows: rows.len(),
            cell: Box::new(move |r, c| written[c].cell(&rows[r])),
        }
    }

    /// CSV with a header line of column titles.
    pub fn to_csv(&self) -> String {
        let mut out = line(self.columns.iter().map(|(_, title)| csv_field(title)));
        for r in 0..self.rows {
            out.push_str(&line((0..self.columns.len()).map(|c| {
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
                    .enumerate()
                    .map(|(c, (key, _))| {
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

    #[test]
    fn csv_has_the_cells_text_and_escapes() {
        let rows = rows();
        let csv = Sheet::new(
            &[PodColumn::Name, PodColumn::Cpu, PodColumn::CpuSpark],
            &rows,
        )
        .to_csv();
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
        let json = Sheet::new(
            &[PodColumn::Name, PodColumn::Restarts, PodColumn::Cpu],
            &rows,
        )
        .to_json();
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
        let sheet = Sheet::new(&columns, &rows);
        let csv = sheet.to_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "Name,Net rx,Net tx", "trends are left out");
        assert_eq!(lines[1], "cart-1,12.3 KiB/s,—");
        let json = sheet.to_json();
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
