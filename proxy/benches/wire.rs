//! Wire benchmark: what one refresh of a big cluster costs, on the wire, in the proxy and in
//! the browser, for the JSON snapshot and for frames. Run on the test cluster as
//! `scripts/bench` scales it; prints one table.
//!
//! - Bytes: gzipped, as a browser receives them; per refresh on a steady cluster, and for a
//!   first load.
//! - Proxy CPU per additional tab: the proxy's CPU time (from `/proc`) with one viewer and
//!   with one plus `--tabs` viewers polling the same view, the difference per tab and
//!   refresh (the median of three such pairs).
//! - Browser: headless Chromium through the DevTools protocol (`Performance.getMetrics`):
//!   main-thread task time per refresh (mean and 95th percentile), the time from opening a
//!   bookmarked Pods URL to its first rows, and memory over a blank page.
//!
//! `cargo bench -p ktop-web --bench wire -- [--refreshes 12] [--tabs 10]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use ktop_web_shared::frame::Live;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const REFRESH: Duration = Duration::from_secs(5);

struct Args {
    refreshes: usize,
    tabs: usize,
}

fn args() -> Args {
    let mut a = Args {
        refreshes: 12,
        tabs: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} takes a whole number"))
        };
        match flag.as_str() {
            "--refreshes" => a.refreshes = value().max(2),
            "--tabs" => a.tabs = value().max(1),
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => panic!("unknown argument {other}; see the file's header"),
        }
    }
    a
}

/// One GET with the token, asking for gzip; the status and the body's bytes as sent.
async fn fetch(ktop: &Ktop, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = ktop.get_bytes(path, &[("accept-encoding", "gzip")]).await;
    (status, body)
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .expect("a gzipped body");
    out
}

/// The proxy's CPU time so far, in milliseconds.
fn cpu_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command (which may hold spaces): utime is the 14th, stime the 15th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<f64> = after
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let ticks = fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0);
    let per_second = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0);
    ticks * 1000.0 / per_second
}

/// How a viewer reads the cluster.
#[derive(Clone, Copy, PartialEq)]
enum Path {
    Json,
    Frames,
}

/// One viewer polling like the page: JSON every refresh, frames by following its position.
/// Returns the gzipped bytes of each answer.
async fn viewer(ktop: &Ktop, path: Path, refreshes: usize) -> Vec<usize> {
    let context = ktop.context();
    let mut sizes = Vec::new();
    let mut live = Live::default();
    while sizes.len() < refreshes {
        let started = Instant::now();
        match path {
            Path::Json => {
                let (status, body) =
                    fetch(ktop, &format!("api/v1/contexts/{context}/snapshot")).await;
                if status == 200 {
                    sizes.push(body.len());
                }
                tokio::time::sleep(REFRESH.saturating_sub(started.elapsed())).await;
            }
            Path::Frames => {
                let after = live
                    .position()
                    .map_or(String::new(), |(e, s)| format!("?after={e}.{s}"));
                let (status, body) =
                    fetch(ktop, &format!("api/v1/contexts/{context}/frames{after}")).await;
                if status == 200 {
                    sizes.push(body.len());
                    if live.apply(&gunzip(&body)).is_err() {
                        live = Live::default();
                    }
                } else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    sizes
}

/// Bytes per refresh after the first answer, and the first answer's bytes.
struct Wire {
    first: usize,
    per_refresh: f64,
}

async fn wire(ktop: &Ktop, path: Path, refreshes: usize) -> Wire {
    let sizes = viewer(ktop, path, refreshes + 1).await;
    let rest = &sizes[1..];
    Wire {
        first: sizes[0],
        per_refresh: rest.iter().sum::<usize>() as f64 / rest.len().max(1) as f64,
    }
}

/// Proxy CPU per refresh for each viewer beyond the first, in milliseconds.
async fn cpu_per_extra_viewer(ktop: &Ktop, path: Path, refreshes: usize, extra: usize) -> f64 {
    let run = |viewers: usize| async move {
        let before = cpu_ms(ktop.pid());
        let all = (0..viewers).map(|_| viewer(ktop, path, refreshes));
        futures::future::join_all(all).await;
        cpu_ms(ktop.pid()) - before
    };
    // Warm the view (and, for frames, the full frame) first.
    viewer(ktop, path, 2).await;
    // The shared work of a refresh (reading metrics, building the snapshot) varies more than
    // a viewer costs: the median of a few pairs of runs.
    let mut per_viewer = Vec::new();
    for _ in 0..CPU_PAIRS {
        let one = run(1).await;
        let many = run(1 + extra).await;
        per_viewer.push((many - one) / (extra * refreshes) as f64);
    }
    per_viewer.sort_by(f64::total_cmp);
    per_viewer[per_viewer.len() / 2]
}

/// Pairs of runs (one viewer, then many) behind the proxy CPU figure.
const CPU_PAIRS: usize = 3;

/// A DevTools command through chromedriver.
#[derive(Debug)]
struct Cdp(&'static str, serde_json::Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `Performance.getMetrics` by name.
async fn metrics(b: &Browser) -> std::collections::HashMap<String, f64> {
    let answer = b
        .client
        .issue_cmd(Cdp("Performance.getMetrics", serde_json::json!({})))
        .await
        .expect("Performance.getMetrics");
    answer["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m["name"].as_str()?.to_owned(), m["value"].as_f64()?)))
        .collect()
}

/// The snapshot time the page shows.
async fn taken_at(b: &Browser) -> i64 {
    b.client
        .execute(
            "const a = document.querySelector('.app'); return a ? Number(a.dataset.takenAt || 0) : 0;",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| v.as_i64())
        .unwrap_or(0)
}

/// Main-thread task time of each of `refreshes` refreshes of the page at `url`, in ms.
async fn main_thread_per_refresh(b: &Browser, url: &str, refreshes: usize) -> Vec<f64> {
    b.goto(url).await;
    b.wait_for(".app[data-taken-at]", Duration::from_secs(120))
        .await;
    b.client
        .issue_cmd(Cdp("Performance.enable", serde_json::json!({})))
        .await
        .expect("Performance.enable");
    let mut seen = taken_at(b).await;
    let mut before = metrics(b).await["TaskDuration"];
    let mut each = Vec::new();
    while each.len() < refreshes {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = taken_at(b).await;
        if now == seen {
            continue;
        }
        // Let the refresh's rendering finish before reading the counter.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        seen = now;
        let total = metrics(b).await["TaskDuration"];
        each.push((total - before) * 1000.0);
        before = total;
    }
    each
}

/// Milliseconds from opening `url` to its first table row.
async fn first_rows(b: &Browser, url: &str) -> f64 {
    b.goto("about:blank").await;
    let start = Instant::now();
    b.goto(url).await;
    b.wait_for("tbody tr", Duration::from_secs(120)).await;
    start.elapsed().as_secs_f64() * 1000.0
}

/// The browser's renderer processes' resident memory, in MB.
fn renderers_mb() -> f64 {
    let mut kb = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains("--type=renderer") {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
        kb += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0);
    }
    kb / 1024.0
}

fn mean_p95(v: &[f64]) -> String {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
    let p95 = s
        .get(((s.len() as f64 * 0.95).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    format!("{mean:.0} ms / {p95:.0} ms")
}

fn kb(bytes: f64) -> String {
    format!("{:.0} KB", bytes / 1000.0)
}

#[tokio::main]
async fn main() {
    let a = args();
    let c = TestCluster::shared();
    let ktop = Ktop::start(
        &["--refresh", "5s", "--metrics-source", "metrics-server"],
        &[],
    );
    let start = Instant::now();
    while fetch(
        &ktop,
        &format!("api/v1/contexts/{}/snapshot", ktop.context()),
    )
    .await
    .0 != 200
    {
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "no snapshot in 10 min"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let pods = c
        .kubectl_ok(&["get", "pods", "-A", "--no-headers"])
        .lines()
        .count();
    eprintln!("bench: {pods} pods; measuring the wire");

    let json = wire(&ktop, Path::Json, a.refreshes).await;
    let frames = wire(&ktop, Path::Frames, a.refreshes).await;
    eprintln!(
        "bench: proxy CPU per additional viewer ({} viewers)",
        a.tabs
    );
    let json_cpu = cpu_per_extra_viewer(&ktop, Path::Json, a.refreshes / 2, a.tabs).await;
    let frames_cpu = cpu_per_extra_viewer(&ktop, Path::Frames, a.refreshes / 2, a.tabs).await;

    eprintln!("bench: the browser");
    let b = Browser::start().await;
    b.goto("about:blank").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let blank = renderers_mb();
    let pods_url = ktop.signed("pods?sort=cpu&dir=desc");
    let pods_main = main_thread_per_refresh(&b, &pods_url, a.refreshes).await;
    let heap = metrics(&b)
        .await
        .get("JSHeapUsedSize")
        .copied()
        .unwrap_or(0.0)
        / 1e6;
    let loaded = renderers_mb();
    let overview_main = main_thread_per_refresh(&b, &ktop.signed(""), a.refreshes).await;
    let first = first_rows(&b, &pods_url).await;
    b.close().await;

    let not_yet = "— (the page reads JSON until its frame store lands)";
    println!(
        "\n{pods} pods, refresh 5 s, {} refreshes per figure\n",
        a.refreshes
    );
    println!("| figure | JSON snapshot | frames |\n| --- | --- | --- |");
    println!(
        "| bytes per tab per refresh, steady cluster (gzipped) | {} | {} |",
        kb(json.per_refresh),
        kb(frames.per_refresh)
    );
    println!(
        "| bytes for a first load or a resync (gzipped) | {} | {} |",
        kb(json.first as f64),
        kb(frames.first as f64)
    );
    println!(
        "| proxy CPU per refresh for each additional tab | {json_cpu:.1} ms | {frames_cpu:.1} ms |"
    );
    println!(
        "| browser main thread per refresh, Pods sorted by CPU (mean / p95) | {} | {not_yet} |",
        mean_p95(&pods_main)
    );
    println!(
        "| same, Overview (mean / p95) | {} | {not_yet} |",
        mean_p95(&overview_main)
    );
    println!(
        "| bookmarked Pods URL opened → first rows (proxy warm) | {first:.0} ms | {not_yet} |"
    );
    println!(
        "| renderer memory over a blank page after {} refreshes (JS heap) | {:.0} MB ({heap:.0} MB) | {not_yet} |",
        a.refreshes,
        loaded - blank
    );
}
