//! History read from the cluster's Prometheus-compatible store (`--history-source`): the
//! ranges a page may show, what a page asks about, and the series it gets back.
//!
//! Values are in the live wire's units (CPU in nanocores, memory in bytes, throughput in
//! bytes per second, as integers), so a chart of a range and a chart of the ring buffers
//! read the same way and the browser needs no float parser.

use serde::{Deserialize, Serialize};

/// Most points per series a range is read at: Prometheus refuses `query_range` beyond
/// 11,000 points, and no chart is that wide.
pub const MAX_POINTS: u32 = 11_000;

/// Fewest points per series: a line needs two.
pub const MIN_POINTS: u32 = 2;

/// Most pods one request may name (`pods=`): the rows a table shows at once, with room.
pub const MAX_PODS: usize = 200;

/// How far back a page's charts reach: the browser's own ring buffers, or a window read from
/// the history source. The URL holds it as `?range=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HistoryRange {
    /// The ring buffers (about ten minutes), refreshed with every sample.
    #[default]
    #[serde(rename = "live")]
    Live,
    /// The last hour.
    #[serde(rename = "1h")]
    Hour,
    /// The last six hours.
    #[serde(rename = "6h")]
    SixHours,
    /// The last day.
    #[serde(rename = "24h")]
    Day,
    /// The last week.
    #[serde(rename = "7d")]
    Week,
}

impl HistoryRange {
    /// Every range, in the order a picker shows them.
    pub const ALL: [HistoryRange; 5] = [
        HistoryRange::Live,
        HistoryRange::Hour,
        HistoryRange::SixHours,
        HistoryRange::Day,
        HistoryRange::Week,
    ];

    /// The range a URL's `range=` names, if any.
    pub fn parse(text: &str) -> Option<HistoryRange> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The text of `range=`.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryRange::Live => "live",
            HistoryRange::Hour => "1h",
            HistoryRange::SixHours => "6h",
            HistoryRange::Day => "24h",
            HistoryRange::Week => "7d",
        }
    }

    /// The window's length in seconds; `None` for the live ring buffers.
    pub fn seconds(self) -> Option<i64> {
        match self {
            HistoryRange::Live => None,
            HistoryRange::Hour => Some(3_600),
            HistoryRange::SixHours => Some(6 * 3_600),
            HistoryRange::Day => Some(24 * 3_600),
            HistoryRange::Week => Some(7 * 24 * 3_600),
        }
    }
}

/// Which measurement a series holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HistoryMetric {
    /// CPU usage, nanocores.
    #[default]
    Cpu,
    /// Memory working set, bytes.
    Memory,
    /// Network received, bytes per second.
    Rx,
    /// Network sent, bytes per second.
    Tx,
    /// Disk read, bytes per second.
    Read,
    /// Disk written, bytes per second.
    Write,
}

impl HistoryMetric {
    /// Every metric, in the order a response lists them.
    pub const ALL: [HistoryMetric; 6] = [
        HistoryMetric::Cpu,
        HistoryMetric::Memory,
        HistoryMetric::Rx,
        HistoryMetric::Tx,
        HistoryMetric::Read,
        HistoryMetric::Write,
    ];
}

/// `GET /api/v1/contexts/{context}/history`: the query. What it is about follows from which
/// names are set:
///
/// | set | subject | series |
/// | --- | --- | --- |
/// | nothing | the cluster | its totals |
/// | `node` | a node | its totals |
/// | `node`, `per_pod` | a node's pods | CPU and memory of each |
/// | `namespace`, `pod` | a pod | its totals |
/// | `namespace`, `pod`, `container` | a container | its own |
/// | `pods`, `per_pod` | listed pods (`ns/name,…`) | CPU and memory of each |
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// The window; never `live`.
    pub range: HistoryRange,
    /// Points per series wanted (the chart's width), within [`MIN_POINTS`]..=[`MAX_POINTS`].
    pub points: u32,
    /// A node's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// A pod's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// A pod's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// A container's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Pods as `namespace/name`, comma separated, at most [`MAX_PODS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<String>,
    /// One series per pod instead of the subject's totals.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_pod: bool,
}

impl HistoryQuery {
    /// The query string (no leading `?`), names percent-encoded.
    pub fn to_query_string(&self) -> String {
        let mut out = format!("range={}&points={}", self.range.as_str(), self.points);
        let names = [
            ("node", &self.node),
            ("namespace", &self.namespace),
            ("pod", &self.pod),
            ("container", &self.container),
            ("pods", &self.pods),
        ];
        for (key, value) in names {
            if let Some(value) = value {
                out.push('&');
                out.push_str(key);
                out.push('=');
                percent_encode(value, &mut out);
            }
        }
        if self.per_pod {
            out.push_str("&per_pod=true");
        }
        out
    }
}

/// Encodes everything but unreserved characters (RFC 3986), so names and the `/` and `,`
/// of `pods=` survive any query parser.
fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// The answer to a [`HistoryQuery`]: series on one grid of `points` instants, the first at
/// `start_ms`, then every `step_ms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Where the history came from, as a person would name it ("Prometheus at …").
    pub source: String,
    /// Set when the source was found by looking, not named by `--history-source`: how to pin
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_hint: Option<String>,
    /// The first instant, Unix milliseconds.
    pub start_ms: i64,
    /// Between instants, milliseconds.
    pub step_ms: i64,
    /// Instants on the grid.
    pub points: u32,
    /// Every series the source had, in [`HistoryMetric::ALL`] order (per pod: by pod).
    pub series: Vec<HistorySeries>,
}

/// One measurement over the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistorySeries {
    /// What it measures.
    pub metric: HistoryMetric,
    /// The pod (`namespace/name`) of a per-pod series; absent for the subject's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// One value per instant of the grid; `null` where the source has no sample.
    pub values: Vec<Option<u64>>,
}

impl History {
    /// The instant of point `index`, Unix milliseconds.
    pub fn time_ms(&self, index: usize) -> i64 {
        self.start_ms + self.step_ms * index as i64
    }

    /// The subject's own series of `metric`, if the source had it.
    pub fn series(&self, metric: HistoryMetric) -> Option<&HistorySeries> {
        self.series
            .iter()
            .find(|s| s.metric == metric && s.pod.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_through_their_text() {
        for range in HistoryRange::ALL {
            assert_eq!(HistoryRange::parse(range.as_str()), Some(range));
            let json = serde_json::to_string(&range).expect("serializes");
            assert_eq!(json, format!("\"{}\"", range.as_str()));
        }
        assert_eq!(HistoryRange::parse("2h"), None);
        assert_eq!(HistoryRange::Live.seconds(), None);
        assert_eq!(HistoryRange::Week.seconds(), Some(604_800));
    }

    #[test]
    fn a_query_string_is_what_the_server_parses() {
        let query = HistoryQuery {
            range: HistoryRange::Day,
            points: 600,
            pods: Some("shop/web-1,kube-system/a b".into()),
            per_pod: true,
            ..HistoryQuery::default()
        };
        let text = query.to_query_string();
        assert_eq!(
            text,
            "range=24h&points=600&pods=shop%2Fweb-1%2Ckube-system%2Fa%20b&per_pod=true"
        );
        let parsed: HistoryQuery = serde_urlencoded::from_str(&text).expect("parses");
        assert_eq!(parsed, query);
    }

    #[test]
    fn instants_follow_the_grid() {
        let history = History {
            start_ms: 1_000,
            step_ms: 60_000,
            points: 3,
            ..History::default()
        };
        assert_eq!(history.time_ms(2), 121_000);
    }
}
