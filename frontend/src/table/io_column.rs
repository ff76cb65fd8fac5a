//! The throughput columns the nodes and pods tables share: a rate per direction and a trend
//! per kind, read from a row's [`Io`].

use ktop_web_shared::api::Io;

use crate::throughput::Throughput;

use super::caps::Cap;
use super::cell::CellValue;
use super::column::ColumnInfo;
use super::sort::SortValue;

/// A network or disk column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoColumn {
    /// Network bytes received per second.
    NetRx,
    /// Network bytes transmitted per second.
    NetTx,
    /// Disk bytes read per second.
    DiskRead,
    /// Disk bytes written per second.
    DiskWrite,
    /// Network history.
    NetTrend,
    /// Disk history.
    DiskTrend,
}

impl IoColumn {
    /// The columns that show a rate as a number.
    pub const RATES: [IoColumn; 4] = [
        IoColumn::NetRx,
        IoColumn::NetTx,
        IoColumn::DiskRead,
        IoColumn::DiskWrite,
    ];

    /// How the table machinery sees the column. Network rates are shown unless the URL
    /// picks columns; disk and the trends are offered in the column picker, keeping the
    /// default table narrow.
    pub const fn info(self) -> ColumnInfo {
        let (key, title) = match self {
            IoColumn::NetRx => ("net-rx", "Net rx"),
            IoColumn::NetTx => ("net-tx", "Net tx"),
            IoColumn::DiskRead => ("disk-read", "Disk read"),
            IoColumn::DiskWrite => ("disk-write", "Disk write"),
            IoColumn::NetTrend => ("net-spark", "Net trend"),
            IoColumn::DiskTrend => ("disk-spark", "Disk trend"),
        };
        ColumnInfo {
            needs: Some(Cap::Io),
            default: matches!(self, IoColumn::NetRx | IoColumn::NetTx),
            ..ColumnInfo::num(key, title)
        }
    }

    /// Bytes per second now: a direction's rate, or a trend's total (its newest point).
    fn value(self, io: Option<Io>) -> Option<u64> {
        let io = io?;
        match self {
            IoColumn::NetRx => io.rx,
            IoColumn::NetTx => io.tx,
            IoColumn::DiskRead => io.read,
            IoColumn::DiskWrite => io.write,
            IoColumn::NetTrend => Throughput::Network.total(io),
            IoColumn::DiskTrend => Throughput::Disk.total(io),
        }
    }

    /// The rate a row shows; `None` for the trends, which are drawn.
    pub fn cell(self, io: Option<Io>) -> Option<CellValue> {
        Self::RATES
            .contains(&self)
            .then(|| CellValue::rate(self.value(io)))
    }

    /// What rows are ordered by.
    pub fn sort_value(self, io: Option<Io>) -> SortValue<'static> {
        SortValue::Num(self.value(io).map(|v| v as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_written_and_trends_sort_by_their_total() {
        let io = Some(Io {
            rx: Some(2048),
            tx: None,
            read: Some(1),
            write: Some(2),
        });
        let rx = IoColumn::NetRx.cell(io).expect("a rate");
        assert_eq!(
            (rx.raw.as_deref(), rx.text.as_str()),
            (Some("2048"), "2.0 KiB/s")
        );
        assert_eq!(
            IoColumn::NetTx.cell(io),
            Some(CellValue::default()),
            "unknown"
        );
        assert_eq!(IoColumn::DiskRead.cell(None), Some(CellValue::default()));
        assert_eq!(IoColumn::NetTrend.cell(io), None);
        assert_eq!(
            IoColumn::DiskTrend.sort_value(io),
            SortValue::Num(Some(3.0))
        );
        assert_eq!(IoColumn::NetTx.sort_value(io), SortValue::Num(None));
    }
}
