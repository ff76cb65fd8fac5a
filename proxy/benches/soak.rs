//! Soak benchmark: ktop-web left running on the test cluster (scaled by `scripts/soak`) with
//! browser tabs open and a fault every few minutes. Prints a table: the proxy's memory after
//! warm-up and at the end, its watch and metrics requests per minute, how soon each fault was
//! flagged and cleared, and the longest time any tab showed data older than two refresh
//! intervals without saying so (the goal is zero).
//!
//! "Older" is judged three ways, each against the tab's own banner and marks: the snapshot
//! the tab holds (no new data reached it), the usage measurement that snapshot carries, and
//! an independent reading of the metrics API with the cluster's admin credentials every few
//! seconds: while that reading fails, no tab may show usage as live.
//!
//! `cargo bench -p ktop-web --bench soak -- [--minutes 60] [--fault-every 10] [--tabs 2]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use support::audit::{is_metrics_nodes_read, ktop_requests};
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const REFRESH: Duration = Duration::from_secs(5);
/// How often every tab is asked what it shows.
const PROBE: Duration = Duration::from_secs(1);
/// Time for the proxy to list the cluster and the page to draw it before memory is measured.
const WARM_UP: Duration = Duration::from_secs(120);
/// How long a fault that needs repairing lasts.
const OUTAGE: Duration = Duration::from_secs(40);

struct Args {
    minutes: u64,
    fault_every: u64,
    tabs: usize,
}

fn args() -> Args {
    let mut a = Args {
        minutes: 60,
        fault_every: 10,
        tabs: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = |it: &mut dyn Iterator<Item = String>| -> u64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} takes a whole number"))
        };
        match flag.as_str() {
            "--minutes" => a.minutes = value(&mut it),
            "--fault-every" => a.fault_every = value(&mut it).max(1),
            "--tabs" => a.tabs = value(&mut it).max(1) as usize,
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => panic!("unknown argument {other}; see the file's header"),
        }
    }
    a
}

/// `scripts/test-cluster` arguments.
type Script = &'static [&'static str];

/// The faults, in turn: a name, what starts it, and what repairs it after [`OUTAGE`] (the
/// others end by themselves).
const FAULTS: [(&str, Script, Option<Script>); 5] = [
    ("API server restart", &["apiserver", "restart"], None),
    (
        "metrics-server down",
        &["metrics-server", "stop"],
        Some(&["metrics-server", "start"]),
    ),
    ("etcd compacted", &["etcd", "compact"], None),
    (
        "exec login expired",
        &["exec-login", "break"],
        Some(&["exec-login", "fix"]),
    ),
    (
        "RBAC revoked",
        &["rbac", "revoke"],
        Some(&["rbac", "restore"]),
    ),
];

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Reads the audit log's new lines since `offset` (from the start when it was rotated) and
/// counts ktop-web's watch starts and metrics reads into per-minute buckets.
struct AuditCounter {
    path: std::path::PathBuf,
    offset: u64,
    watches: BTreeMap<String, usize>,
    metrics_reads: BTreeMap<String, usize>,
}

impl AuditCounter {
    fn new(path: &Path) -> Self {
        let offset = std::fs::metadata(path).map_or(0, |m| m.len());
        Self {
            path: path.to_owned(),
            offset,
            watches: BTreeMap::new(),
            metrics_reads: BTreeMap::new(),
        }
    }

    fn read_new(&mut self) {
        let Ok(mut f) = std::fs::File::open(&self.path) else {
            return;
        };
        let len = f.metadata().map_or(0, |m| m.len());
        if len < self.offset {
            self.offset = 0;
        }
        let mut text = Vec::new();
        if f.seek(SeekFrom::Start(self.offset)).is_err() || f.read_to_end(&mut text).is_err() {
            return;
        }
        // Only whole lines; the rest is read next time.
        let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        self.offset += whole as u64;
        let events: Vec<serde_json::Value> = String::from_utf8_lossy(&text[..whole])
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        for e in ktop_requests(&events) {
            let minute = e["requestReceivedTimestamp"]
                .as_str()
                .unwrap_or_default()
                .get(..16)
                .unwrap_or_default()
                .to_owned();
            if e["verb"] == "watch" && e["stage"] == "ResponseStarted" {
                *self.watches.entry(minute).or_default() += 1;
            } else if is_metrics_nodes_read(e) {
                *self.metrics_reads.entry(minute).or_default() += 1;
            }
        }
    }
}

/// `min / median / max` of per-minute counts over `minutes` (minutes without any count as 0).
fn per_minute(counts: &BTreeMap<String, usize>, minutes: usize) -> String {
    let mut all: Vec<usize> = counts.values().copied().collect();
    all.resize(minutes.max(all.len()), 0);
    all.sort_unstable();
    if all.is_empty() {
        return "none".into();
    }
    format!(
        "{} / {} / {}",
        all[0],
        all[all.len() / 2],
        all[all.len() - 1]
    )
}

/// What one tab shows.
struct Shown {
    /// When its snapshot was taken (Unix ms; 0 before the first).
    taken_at: i64,
    /// When the usage in it was measured (Unix ms; 0 when it has none).
    usage_at: i64,
    /// The stale banner is up.
    banner: bool,
    /// Usage cells are marked stale.
    usage_marked: bool,
}

async fn probe(b: &Browser) -> Option<Shown> {
    let v = b
        .client
        .execute(
            "const a = document.querySelector('.app');
             return [a ? Number(a.dataset.takenAt || 0) : 0,
                     a ? Number(a.dataset.usageAt || 0) : 0,
                     !!document.querySelector('#stale'),
                     !!(a && a.classList.contains('usage-stale'))];",
            vec![],
        )
        .await
        .ok()?;
    Some(Shown {
        taken_at: v[0].as_i64()?,
        usage_at: v[1].as_i64()?,
        banner: v[2].as_bool()?,
        usage_marked: v[3].as_bool()?,
    })
}

/// Which rule finds `shown` older than `limit_ms` at `now` without saying so, if any.
/// `truth_down_since`: since when the independent metrics reading has been failing.
fn unflagged(
    shown: &Shown,
    now: i64,
    limit_ms: i64,
    truth_down_since: Option<i64>,
) -> Option<&'static str> {
    let usage_flagged = shown.banner || shown.usage_marked;
    if shown.taken_at > 0 && now - shown.taken_at > limit_ms && !shown.banner {
        Some("no new snapshot")
    } else if shown.usage_at > 0 && now - shown.usage_at > limit_ms && !usage_flagged {
        Some("old usage")
    } else if shown.usage_at > 0
        && truth_down_since.is_some_and(|since| now - since > limit_ms)
        && !usage_flagged
    {
        Some("usage shown as live while the metrics API fails")
    } else {
        None
    }
}

/// Reads the metrics API with the admin credentials every [`REFRESH`], independently of
/// ktop-web; returns since when it has been failing (Unix ms), shared with the prober, and
/// counts the failed readings.
fn spawn_truth(c: &'static TestCluster) -> std::sync::Arc<std::sync::Mutex<(Option<i64>, usize)>> {
    let state = std::sync::Arc::new(std::sync::Mutex::new((None, 0)));
    let shared = state.clone();
    std::thread::spawn(move || {
        loop {
            let tick = Instant::now();
            let ok = c
                .kubectl(&[
                    "get",
                    "--raw",
                    "/apis/metrics.k8s.io/v1beta1/nodes",
                    "--request-timeout=4s",
                ])
                .status
                .success();
            {
                let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
                if ok {
                    s.0 = None;
                } else {
                    s.0.get_or_insert(unix_ms());
                    s.1 += 1;
                }
            }
            std::thread::sleep(REFRESH.saturating_sub(tick.elapsed()));
        }
    });
    state
}

#[tokio::main]
async fn main() {
    let a = args();
    let c = TestCluster::shared();
    let kubeconfig = c.script(&["kubeconfig", "exec", "--ttl", "60"]);
    let ktop = Ktop::start(
        &["--refresh", "5s", "--metrics-source", "metrics-server"],
        &[("KUBECONFIG", kubeconfig.trim())],
    );
    let b = Browser::start().await;
    let mut tabs = Vec::new();
    for i in 0..a.tabs {
        if i > 0 {
            let w = b.client.new_window(true).await.expect("new tab");
            b.client.switch_to_window(w.handle).await.expect("switch");
        }
        let path = if i % 2 == 0 {
            "pods?sort=cpu&dir=desc"
        } else {
            ""
        };
        b.goto(&ktop.signed(path)).await;
        tabs.push(b.client.window().await.expect("tab handle"));
    }
    for tab in &tabs {
        b.client
            .switch_to_window(tab.clone())
            .await
            .expect("switch");
        b.wait_for(".app[data-taken-at]", Duration::from_secs(600))
            .await;
    }
    tokio::time::sleep(WARM_UP).await;
    let rss_start = ktop.rss_mb();
    let mut audit = AuditCounter::new(&c.audit_log);
    let truth = spawn_truth(c);

    let total = Duration::from_secs(a.minutes * 60);
    let every = Duration::from_secs(a.fault_every * 60);
    let limit_ms = 2 * REFRESH.as_millis() as i64;
    let start = Instant::now();
    let mut next_fault = every;
    let mut fault_index = 0;
    let mut repair: Option<(Instant, Script)> = None;
    // (fault, when it started, when a tab first flagged it, when every tab cleared)
    let mut faults: Vec<(&str, Instant, Option<Duration>, Option<Duration>)> = Vec::new();
    let mut unflagged_since: Vec<Option<i64>> = vec![None; tabs.len()];
    let mut longest_unflagged_ms = 0i64;
    let mut longest_rule = "none";
    let mut rss_peak = rss_start;
    // Every probe's reading: one reading lands anywhere between two refreshes' buffers, so
    // drift is judged on the means of the first and the last stretch.
    let mut rss_samples: Vec<(Duration, f64)> = Vec::new();
    let mut last_minute = 0;
    while start.elapsed() < total {
        let tick = Instant::now();
        if start.elapsed() >= next_fault && repair.is_none() {
            let (name, begin, end) = FAULTS[fault_index % FAULTS.len()];
            fault_index += 1;
            next_fault += every;
            eprintln!("soak: {:?} in, {name}", start.elapsed());
            let args: Vec<String> = begin.iter().map(|s| (*s).to_owned()).collect();
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                c.script(&args)
            });
            faults.push((name, Instant::now(), None, None));
            repair = end.map(|e| (Instant::now() + OUTAGE, e));
        }
        if let Some((at, end)) = repair
            && Instant::now() >= at
        {
            c.script(end);
            repair = None;
        }
        let truth_down_since = truth.lock().unwrap_or_else(|p| p.into_inner()).0;
        let mut any_stale = false;
        for (i, tab) in tabs.iter().enumerate() {
            if b.client.switch_to_window(tab.clone()).await.is_err() {
                continue;
            }
            let Some(shown) = probe(&b).await else {
                continue;
            };
            let now = unix_ms();
            any_stale |= shown.banner;
            if let Some(rule) = unflagged(&shown, now, limit_ms, truth_down_since) {
                let since = *unflagged_since[i].get_or_insert(now);
                if now - since > longest_unflagged_ms {
                    longest_unflagged_ms = now - since;
                    longest_rule = rule;
                }
            } else {
                unflagged_since[i] = None;
            }
        }
        if let Some(last) = faults.last_mut() {
            let since = last.1.elapsed();
            if any_stale && last.2.is_none() {
                last.2 = Some(since);
            } else if !any_stale && last.2.is_some() && last.3.is_none() && repair.is_none() {
                last.3 = Some(since);
            }
        }
        let rss = ktop.rss_mb();
        rss_peak = rss_peak.max(rss);
        rss_samples.push((start.elapsed(), rss));
        let minute = start.elapsed().as_secs() / 60;
        if minute != last_minute {
            last_minute = minute;
            audit.read_new();
            eprintln!("soak: minute {minute}, proxy RSS {:.0} MB", ktop.rss_mb());
        }
        tokio::time::sleep(PROBE.saturating_sub(tick.elapsed())).await;
    }
    audit.read_new();
    let rss_end = ktop.rss_mb();
    let minutes = a.minutes as usize;

    println!("\n| figure | value |\n| --- | --- |");
    println!(
        "| duration, tabs, fault every | {} min, {} tabs, {} min |",
        a.minutes,
        tabs.len(),
        a.fault_every
    );
    let stretch = Duration::from_secs(a.fault_every * 60).min(total / 2);
    let mean = |keep: &dyn Fn(Duration) -> bool| {
        let v: Vec<f64> = rss_samples
            .iter()
            .filter(|(t, _)| keep(*t))
            .map(|(_, r)| *r)
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let first = mean(&|t| t < stretch);
    let last = mean(&|t| t + stretch >= total);
    println!(
        "| proxy RSS after warm-up, at the end (single readings) | {rss_start:.0} MB, {rss_end:.0} MB |"
    );
    println!(
        "| proxy RSS, mean of the first and of the last {} min | {first:.0} MB, {last:.0} MB |",
        stretch.as_secs() / 60
    );
    println!(
        "| drift over the run (those means) | {:+.1} % (peak {rss_peak:.0} MB) |",
        (last - first) / first.max(1.0) * 100.0
    );
    println!(
        "| ktop-web watch requests per minute (min / median / max) | {} |",
        per_minute(&audit.watches, minutes)
    );
    println!(
        "| metrics reads per minute (min / median / max) | {} |",
        per_minute(&audit.metrics_reads, minutes)
    );
    println!(
        "| longest time a tab showed data older than {} s without saying so | {:.1} s ({longest_rule}) |",
        limit_ms / 1000,
        longest_unflagged_ms as f64 / 1000.0
    );
    println!(
        "| independent metrics readings that failed | {} |",
        truth.lock().unwrap_or_else(|p| p.into_inner()).1
    );
    for (name, _, flagged, cleared) in faults {
        let show = |d: Option<Duration>| {
            d.map_or("never".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()))
        };
        println!(
            "| {name}: flagged after, clear after | {}, {} |",
            show(flagged),
            show(cleared)
        );
    }
    b.close().await;
}
