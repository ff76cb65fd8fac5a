//! [`History`] as compact text for browser storage, so a reload or a reopened bookmark shows
//! recent history at once. Values keep three significant digits (plenty for a chart) and
//! are written as integers (`123e6`), which keeps float formatting and parsing, large in
//! wasm, out of the app. The text stops growing at a budget: the cluster first, then nodes,
//! then nodes' throughput, then pods, then pods' throughput.

use ktop_web_shared::RingBuffer;

use super::History;
use super::objects::Objects;
use super::series::{MISSING, Point, Series};

/// First line of the format; anything else is ignored rather than misread.
const HEADER: &str = "ktop-web-history 1";

impl History {
    /// The history as text of at most about `budget` bytes (series that would go past it
    /// are left out whole).
    pub fn to_saved_text<'a>(&'a self, budget: usize) -> String {
        let mut out = format!(
            "{HEADER}\n{}\n",
            self.context.as_deref().unwrap_or_default()
        );
        let times: Vec<String> = self.times.iter().map(i64::to_string).collect();
        out.push_str(&times.join(","));
        out.push('\n');
        for series in [
            &self.cluster_usage,
            &self.cluster_requests,
            &self.cluster_allocatable,
        ] {
            out.push_str(&series_line("c", "", series));
        }
        let usage = |kind, objects: &'a Objects| {
            let all = objects.iter();
            all.filter_map(move |(k, t)| Some(series_line(kind, k, t.usage.as_ref()?)))
        };
        let io = |kind, objects: &'a Objects| {
            let all = objects.iter();
            all.filter_map(move |(k, t)| Some(series_line(kind, k, t.io.as_ref()?)))
        };
        let lines = usage("n", &self.nodes)
            .chain(io("ni", &self.nodes))
            .chain(usage("p", &self.pods))
            .chain(io("pi", &self.pods));
        for line in lines {
            if out.len() + line.len() > budget {
                break;
            }
            out.push_str(&line);
        }
        out
    }

    /// Reads text written by [`History::to_saved_text`]; `None` if it is not that.
    pub fn from_saved_text(text: &str, capacity: usize) -> Option<History> {
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let mut history = History::new(capacity);
        history.context = Some(lines.next()?.to_owned());
        for t in lines.next()?.split(',').filter(|t| !t.is_empty()) {
            history.times.push(t.parse().ok()?);
        }
        history.refresh = history.times.len() as u64;
        let mut cluster = 0;
        let capacity = history.capacity;
        for line in lines {
            let fields = &mut line.split('\t');
            let (kind, key) = (fields.next()?, fields.next()?);
            match kind {
                "c" => {
                    let slot = match cluster {
                        0 => &mut history.cluster_usage,
                        1 => &mut history.cluster_requests,
                        _ => &mut history.cluster_allocatable,
                    };
                    *slot = read(fields, capacity)?;
                    cluster += 1;
                }
                "n" | "p" => {
                    let usage = read(fields, capacity)?;
                    objects(&mut history, kind).park(key, |t| t.usage = Some(usage));
                }
                "ni" | "pi" => {
                    let io = read(fields, capacity)?;
                    objects(&mut history, kind).park(key, |t| t.io = Some(io));
                }
                _ => return None,
            }
        }
        Some(history)
    }
}

/// The nodes' histories for kinds `n…`, else the pods'.
fn objects<'h>(history: &'h mut History, kind: &str) -> &'h mut Objects {
    if kind.starts_with('n') {
        &mut history.nodes
    } else {
        &mut history.pods
    }
}

/// `kind`, `key`, then each line's values, tab-separated.
fn series_line<const N: usize>(kind: &str, key: &str, series: &Series<N>) -> String {
    let mut out = format!("{kind}\t{key}");
    for line in &series.lines {
        out.push('\t');
        out.push_str(&values(line));
    }
    out.push('\n');
    out
}

/// One series from the value fields that follow a line's kind and key.
fn read<'t, const N: usize>(
    fields: &mut impl Iterator<Item = &'t str>,
    capacity: usize,
) -> Option<Series<N>> {
    let mut series = Series::new(capacity);
    for line in &mut series.lines {
        fill(line, fields.next()?)?;
    }
    Some(series)
}

/// `123e6,,450`: an empty value is a missing sample.
fn values(buffer: &RingBuffer<Point>) -> String {
    let parts: Vec<String> = buffer.iter().map(|&v| encode_point(v)).collect();
    parts.join(",")
}

/// A non-negative value rounded to three significant digits, as `mantissa[e exponent]`.
fn encode_point(v: Point) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let mut mantissa = v.max(0.0).round() as u64;
    let mut exponent = 0u32;
    while mantissa >= 1000 {
        mantissa = (mantissa + 5) / 10;
        exponent += 1;
    }
    if exponent == 0 {
        mantissa.to_string()
    } else {
        format!("{mantissa}e{exponent}")
    }
}

fn decode_point(s: &str) -> Option<Point> {
    if s.is_empty() {
        return Some(MISSING);
    }
    let (mantissa, exponent) = s.split_once('e').unwrap_or((s, "0"));
    let exponent: i32 = exponent.parse().ok().filter(|e| (0..=38).contains(e))?;
    Some(mantissa.parse::<u32>().ok()? as Point * (10.0 as Point).powi(exponent))
}

fn fill(buffer: &mut RingBuffer<Point>, text: &str) -> Option<()> {
    if text.is_empty() {
        return Some(());
    }
    for v in text.split(',') {
        buffer.push(decode_point(v)?);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ClusterPoint, key};
    use ktop_web_shared::api::{CpuMem, Io};

    /// Throughput with an unknown disk, none for odd `x`.
    fn io(x: i64) -> Option<Io> {
        (x % 2 == 0).then_some(Io {
            rx: Some(x as u64 * 1000),
            tx: Some(7),
            ..Io::default()
        })
    }

    fn recorded(samples: i64) -> History {
        let mut h = History::new(120);
        h.reset("kind-dev");
        for i in 0..samples {
            let u = |x: i64| {
                Some(CpuMem {
                    cpu: (x * 1_234_567) as u64,
                    mem: (x * 7_654_321) as u64,
                })
            };
            h.record(
                1_700_000_000_000 + i * 2000,
                ClusterPoint {
                    usage: u(i + 10),
                    requests: CpuMem { cpu: 5, mem: 6 },
                    allocatable: CpuMem { cpu: 7, mem: 8 },
                },
                [
                    (0, key("node-1"), u(i + 1), io(i)),
                    (
                        1,
                        key("node-2"),
                        (i % 3 != 0).then_some(CpuMem { cpu: 1, mem: 2 }),
                        None,
                    ),
                ],
                (0..50).map(|p| (p as u32, key(&format!("shop/pod-{p}")), u(i + p), io(p))),
            );
        }
        h
    }

    fn close(a: &RingBuffer<Point>, b: &RingBuffer<Point>) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b.iter())
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() <= x.abs() * 0.01)
    }

    #[test]
    fn round_trips_within_three_digits() {
        let h = recorded(30);
        let back = History::from_saved_text(&h.to_saved_text(usize::MAX), 120).expect("parses");
        assert_eq!(back.context(), Some("kind-dev"));
        assert_eq!(back.times().to_vec(), h.times().to_vec());
        assert!(close(back.cluster_usage().cpu(), h.cluster_usage().cpu()));
        assert!(close(
            back.cluster_allocatable().mem(),
            h.cluster_allocatable().mem()
        ));
        for node in ["node-1", "node-2"] {
            let (a, b) = (h.node(node).expect("live"), back.node(node).expect("saved"));
            assert!(close(a.cpu(), b.cpu()) && close(a.mem(), b.mem()), "{node}");
        }
        assert_eq!(back.pod_count(), 50);
        let (a, b) = (
            h.pod("shop/pod-7").expect("live"),
            back.pod("shop/pod-7").expect("saved"),
        );
        assert!(close(a.cpu(), b.cpu()));
        let (a, b) = (
            h.node_io("node-1").expect("live"),
            back.node_io("node-1").expect("saved"),
        );
        assert!(a.lines.iter().zip(&b.lines).all(|(a, b)| close(a, b)));
        assert!(back.pod_io("shop/pod-4").is_some());
        assert!(back.pod_io("shop/pod-7").is_none(), "never measured");
    }

    #[test]
    fn restored_history_keeps_recording() {
        let h = recorded(10);
        let mut back = History::from_saved_text(&h.to_saved_text(usize::MAX), 120).expect("parses");
        let one = Some(CpuMem { cpu: 1, mem: 1 });
        back.record(
            9,
            ClusterPoint {
                usage: one,
                requests: CpuMem::default(),
                allocatable: CpuMem::default(),
            },
            [(0, key("node-1"), one, None)],
            [(7, key("shop/pod-1"), one, None)],
        );
        assert_eq!(back.samples(), 11);
        assert_eq!(back.node("node-1").map(|s| s.cpu().len()), Some(11));
        assert!(
            back.node("node-2").is_none(),
            "objects gone from the snapshot are dropped"
        );
        assert_eq!(back.pod_count(), 1);
    }

    #[test]
    fn the_budget_leaves_out_whole_series() {
        let h = recorded(40);
        let full = h.to_saved_text(usize::MAX);
        let half = h.to_saved_text(full.len() / 2);
        assert!(
            half.len() <= full.len() / 2,
            "{} > {}",
            half.len(),
            full.len() / 2
        );
        let back = History::from_saved_text(&half, 120).expect("parses");
        assert_eq!(back.node_count(), 2, "nodes come before pods");
        assert!(
            back.pod_count() > 0 && back.pod_count() < 50,
            "{}",
            back.pod_count()
        );
    }

    #[test]
    fn points_keep_three_digits() {
        for (v, text) in [
            (0.0, "0"),
            (999.0, "999"),
            (1234.0, "123e1"),
            (1_999_999.0, "200e4"),
        ] {
            assert_eq!(encode_point(v), text);
        }
        assert_eq!(encode_point(MISSING), "");
        assert_eq!(decode_point("123e1"), Some(1230.0));
        assert!(decode_point("").is_some_and(Point::is_nan));
        for bad in ["x", "1e", "1e99", "-1", "1.5"] {
            assert_eq!(decode_point(bad), None, "{bad}");
        }
    }

    #[test]
    fn other_text_is_refused() {
        for bad in [
            "",
            "something else",
            "ktop-web-history 1\nctx\n1,x\n",
            "ktop-web-history 1\nctx\n1\nq\tk\t1\t1\n",
        ] {
            assert!(History::from_saved_text(bad, 120).is_none(), "{bad:?}");
        }
    }
}
