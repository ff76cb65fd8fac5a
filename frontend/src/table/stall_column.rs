//! The pressure stall columns the nodes and pods tables share: the share of time tasks
//! waited for CPU, memory or I/O, read from a row's [`Stall`].

use ktop_web_shared::api::Stall;

use super::caps::Cap;
use super::cell::CellValue;
use super::column::ColumnInfo;
use super::sort::SortValue;

/// A pressure stall column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StallColumn {
    /// Waiting for CPU.
    Cpu,
    /// Waiting for memory.
    Memory,
    /// Waiting for block I/O.
    Io,
}

impl StallColumn {
    /// How the table machinery sees the column: shown while the source measures stalls.
    pub const fn info(self) -> ColumnInfo {
        let (key, title) = match self {
            StallColumn::Cpu => ("cpu-stall", "CPU stall"),
            StallColumn::Memory => ("mem-stall", "Mem stall"),
            StallColumn::Io => ("io-stall", "I/O stall"),
        };
        ColumnInfo {
            needs: Some(Cap::Psi),
            ..ColumnInfo::num(key, title)
        }
    }

    /// Basis points of the time stalled.
    fn value(self, stall: Option<Stall>) -> Option<u64> {
        let stall = stall?;
        match self {
            StallColumn::Cpu => stall.cpu,
            StallColumn::Memory => stall.memory,
            StallColumn::Io => stall.io,
        }
    }

    /// What a row shows: a percentage with one decimal; the raw value in basis points.
    pub fn cell(self, stall: Option<Stall>) -> CellValue {
        self.value(stall).map_or_else(CellValue::default, |bp| {
            // Integer tenths of a percent, rounded: no float formatting in the wasm.
            let tenths = (bp + 5) / 10;
            CellValue::count(bp, format!("{}.{}%", tenths / 10, tenths % 10))
        })
    }

    /// What rows are ordered by.
    pub fn sort_value(self, stall: Option<Stall>) -> SortValue<'static> {
        SortValue::Num(self.value(stall).map(|v| v as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stalls_show_as_percentages_of_basis_points() {
        let stall = Some(Stall {
            cpu: Some(2500),
            memory: Some(7),
            io: None,
        });
        let cpu = StallColumn::Cpu.cell(stall);
        assert_eq!(
            (cpu.raw.as_deref(), cpu.text.as_str()),
            (Some("2500"), "25.0%")
        );
        assert_eq!(StallColumn::Memory.cell(stall).text, "0.1%", "rounded");
        assert_eq!(
            StallColumn::Cpu
                .cell(Some(Stall {
                    cpu: Some(10_000),
                    ..Stall::default()
                }))
                .text,
            "100.0%"
        );
        assert_eq!(StallColumn::Io.cell(stall), CellValue::default(), "unknown");
        assert_eq!(StallColumn::Cpu.cell(None), CellValue::default());
        assert_eq!(
            StallColumn::Memory.sort_value(stall),
            SortValue::Num(Some(7.0))
        );
        assert_eq!(StallColumn::Io.sort_value(stall), SortValue::Num(None));
    }
}
