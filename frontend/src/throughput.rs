//! Network and disk throughput: how a rate reads, and the two kinds the charts and trend
//! columns show, each with an incoming and an outgoing direction.

use ktop_web_shared::api::Io;
use ktop_web_shared::format::fixed;
use ktop_web_shared::history::HistoryMetric;

use crate::charts::line_chart::SeriesStyle;
use crate::store::IoSeries;

/// Bytes per second in binary units, with one decimal below 100 (`512 B/s`, `12.3 KiB/s`,
/// `340 MiB/s`).
pub fn format_rate(bytes_per_s: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes_per_s as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let decimals = u32::from(unit > 0 && value < 100.0);
    format!("{} {}/s", fixed(value, decimals), UNITS[unit])
}

/// Network or disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throughput {
    /// Bytes received and transmitted.
    Network,
    /// Bytes read and written.
    Disk,
}

const RX: SeriesStyle = SeriesStyle {
    name: "rx",
    class: "series-in",
};
const TX: SeriesStyle = SeriesStyle {
    name: "tx",
    class: "series-out",
};
const READ: SeriesStyle = SeriesStyle {
    name: "read",
    class: "series-in",
};
const WRITE: SeriesStyle = SeriesStyle {
    name: "write",
    class: "series-out",
};

impl Throughput {
    /// The chart's `data-chart` and `?metric=` name.
    pub fn id(self) -> &'static str {
        match self {
            Throughput::Network => "net",
            Throughput::Disk => "disk",
        }
    }

    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Throughput::Network => "Network",
            Throughput::Disk => "Disk",
        }
    }

    /// The chart's lines: incoming, then outgoing.
    pub fn styles(self) -> &'static [SeriesStyle] {
        match self {
            Throughput::Network => &[RX, TX],
            Throughput::Disk => &[READ, WRITE],
        }
    }

    /// The history source's series of the chart's lines, in [`Self::styles`] order.
    pub fn metrics(self) -> &'static [HistoryMetric] {
        match self {
            Throughput::Network => &[HistoryMetric::Rx, HistoryMetric::Tx],
            Throughput::Disk => &[HistoryMetric::Read, HistoryMetric::Write],
        }
    }

    /// Where this kind's two lines start in an [`IoSeries`] (rx, tx, read, write).
    fn first_line(self) -> usize {
        match self {
            Throughput::Network => 0,
            Throughput::Disk => 2,
        }
    }

    /// Both directions together; unknown only when both are.
    pub fn total(self, io: Io) -> Option<u64> {
        let (a, b) = match self {
            Throughput::Network => (io.rx, io.tx),
            Throughput::Disk => (io.read, io.write),
        };
        match (a, b) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            _ => a.or(b),
        }
    }

    /// The history of the two directions, for a chart.
    pub fn series(self, series: &IoSeries) -> Vec<Vec<f32>> {
        let first = self.first_line();
        series.lines[first..first + 2]
            .iter()
            .map(|line| line.to_vec())
            .collect()
    }

    /// The history of both directions together, for a trend column.
    pub fn total_series(self, series: &IoSeries) -> Vec<f32> {
        let first = self.first_line();
        let (a, b) = (&series.lines[first], &series.lines[first + 1]);
        a.iter()
            .zip(b.iter())
            .map(|(&a, &b)| match (a.is_nan(), b.is_nan()) {
                (true, _) => b,
                (_, true) => a,
                _ => a + b,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_in_binary_units() {
        assert_eq!(format_rate(0), "0 B/s");
        assert_eq!(format_rate(512), "512 B/s");
        assert_eq!(format_rate(1023), "1023 B/s");
        assert_eq!(format_rate(1024), "1.0 KiB/s");
        assert_eq!(format_rate(12_595), "12.3 KiB/s");
        assert_eq!(format_rate(340 << 20), "340 MiB/s");
        assert_eq!(format_rate((15 << 30) / 10), "1.5 GiB/s");
        assert_eq!(format_rate(u64::MAX), "16.0 EiB/s");
    }

    #[test]
    fn totals_know_what_either_direction_knows() {
        let io = Io {
            rx: Some(3),
            tx: Some(4),
            read: None,
            write: Some(5),
        };
        assert_eq!(Throughput::Network.total(io), Some(7));
        assert_eq!(Throughput::Disk.total(io), Some(5));
        assert_eq!(Throughput::Disk.total(Io::default()), None);

        let mut series = IoSeries::new(3);
        series.push(Some(io));
        series.push(None::<Io>);
        let disk = Throughput::Disk.series(&series);
        assert_eq!(disk.len(), 2, "read and write");
        assert!(disk[0][0].is_nan() && disk[1][0] == 5.0);
        let net = Throughput::Network.total_series(&series);
        assert_eq!(net[0], 7.0);
        assert!(net[1].is_nan(), "a refresh without a sample stays a gap");
        assert_eq!(Throughput::Disk.total_series(&series)[0], 5.0);
    }
}
