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
//!   bookmarked Pods URL to its first rows, and memory over a blank page. These are the
//!   page's, which reads frames.
//!
//! - With `--profile N`: the page's N busiest functions by self time over the refreshes,
//!   sampled by the DevTools `Profiler` (wasm functions are named only when the wasm kept its
//!   name section). With `KTOP_BENCH_PROFILES=DIR` each profile is also written there, as a
//!   `.cpuprofile` that Chromium's DevTools opens.
//!
//! - Memory with throughput: the Pods page of a second server reading the prometheus source
//!   (CPU, memory and the four I/O directions per pod; every series' ring buffer is
//!   allocated whole, 120 points, at its first sample).
//! - With `--scale-down P`: the cluster is scaled to `P` pods with the Pods page open, and
//!   the page's and the server's memory are read before and after. This changes the
//!   cluster; `scripts/test-cluster scale` brings it back.
//!
//! `cargo bench -p ktop-web --bench wire -- [--refreshes 12] [--tabs 10] [--profile 25]
//! [--scale-down 5000]`

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
    /// Functions to list from a profile of each page; none when 0.
    profile: usize,
    /// Pods to scale down to at the end; no scaling when 0.
    scale_down: usize,
}

fn args() -> Args {
    let mut a = Args {
        refreshes: 12,
        tabs: 10,
        profile: 0,
        scale_down: 0,
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
            "--profile" => a.profile = value(),
            "--scale-down" => a.scale_down = value(),
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
        let before = ktop.cpu_ms();
        let all = (0..viewers).map(|_| viewer(ktop, path, refreshes));
        futures::future::join_all(all).await;
        ktop.cpu_ms() - before
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

/// A DevTools command's answer; the bench cannot go on without it.
async fn cdp(b: &Browser, command: &'static str, params: serde_json::Value) -> serde_json::Value {
    b.client
        .issue_cmd(Cdp(command, params))
        .await
        .unwrap_or_else(|e| panic!("{command}: {e}"))
}

/// Opens `url` and waits for its first data and one refresh more: what a page does once
/// after it opens (reading its saved history, first rows) is not a refresh's work.
async fn open(b: &Browser, url: &str) -> i64 {
    b.goto(url).await;
    b.wait_for(".app[data-taken-at]", Duration::from_secs(120))
        .await;
    let mut seen = taken_at(b).await;
    next_refresh(b, &mut seen).await;
    seen
}

/// Waits for the page to show a snapshot newer than `seen`, and for its rendering to end.
/// One script waits in the page: polling from here would add its own work to the page's
/// main thread, which is what is measured.
async fn next_refresh(b: &Browser, seen: &mut i64) {
    const WAIT: &str = r#"
        const [seen, settle, done] = arguments;
        const check = () => {
            const app = document.querySelector('.app');
            const taken = app ? Number(app.dataset.takenAt || 0) : 0;
            if (taken === seen) return;
            observer.disconnect();
            setTimeout(() => done(taken), settle);
        };
        const observer = new MutationObserver(check);
        observer.observe(document.documentElement,
            { attributes: true, subtree: true, attributeFilter: ['data-taken-at'] });
        check();
    "#;
    let answer = b
        .client
        .execute_async(WAIT, vec![(*seen).into(), SETTLE_MS.into()])
        .await
        .expect("the page refreshes");
    *seen = answer.as_i64().unwrap_or(*seen);
}

/// Time left after a refresh for its rendering to finish before the counters are read.
const SETTLE_MS: u64 = 1500;

/// Main-thread task time of each of `refreshes` refreshes of the page at `url`, in ms.
async fn main_thread_per_refresh(b: &Browser, url: &str, refreshes: usize) -> Vec<f64> {
    let mut seen = open(b, url).await;
    cdp(b, "Performance.enable", serde_json::json!({})).await;
    let mut before = metrics(b).await["TaskDuration"];
    let mut each = Vec::new();
    while each.len() < refreshes {
        next_refresh(b, &mut seen).await;
        let total = metrics(b).await["TaskDuration"];
        each.push((total - before) * 1000.0);
        before = total;
    }
    each
}

/// One function's sampled time over a profile, in ms: in itself, and with what it called.
struct Busy {
    name: String,
    own: f64,
    total: f64,
}

/// The `top` busiest functions while the page at `url` (called `name`) takes `refreshes`
/// refreshes.
async fn profile(b: &Browser, name: &str, url: &str, refreshes: usize, top: usize) -> Vec<Busy> {
    let mut seen = open(b, url).await;
    cdp(b, "Profiler.enable", serde_json::json!({})).await;
    cdp(
        b,
        "Profiler.setSamplingInterval",
        serde_json::json!({ "interval": 250 }),
    )
    .await;
    cdp(b, "Profiler.start", serde_json::json!({})).await;
    for _ in 0..refreshes {
        next_refresh(b, &mut seen).await;
    }
    let answer = cdp(b, "Profiler.stop", serde_json::json!({})).await;
    if let Ok(dir) = std::env::var("KTOP_BENCH_PROFILES") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).expect("the profile directory");
        let file = dir.join(format!("{name}.cpuprofile"));
        std::fs::write(&file, answer["profile"].to_string()).expect("the profile is written");
    }
    busiest(&answer["profile"], top)
}

/// Sums a DevTools CPU profile by function name.
fn busiest(profile: &serde_json::Value, top: usize) -> Vec<Busy> {
    use std::collections::{HashMap, HashSet};
    let empty = Vec::new();
    let list = |v: &serde_json::Value| v.as_array().unwrap_or(&empty).clone();
    let mut names: HashMap<u64, String> = HashMap::new();
    let mut parents: HashMap<u64, u64> = HashMap::new();
    for node in list(&profile["nodes"]) {
        let id = node["id"].as_u64().unwrap_or(0);
        let frame = &node["callFrame"];
        let name = match frame["functionName"].as_str() {
            Some(n) if !n.is_empty() => n.to_owned(),
            _ => format!("(anonymous) {}", frame["url"].as_str().unwrap_or("")),
        };
        names.insert(id, name);
        for child in list(&node["children"]) {
            parents.insert(child.as_u64().unwrap_or(0), id);
        }
    }
    let mut own: HashMap<&str, f64> = HashMap::new();
    let mut total: HashMap<&str, f64> = HashMap::new();
    let samples = list(&profile["samples"]);
    let deltas = list(&profile["timeDeltas"]);
    // Each delta is the time before its sample: the time of a sample is the next delta.
    for (i, sample) in samples.iter().enumerate() {
        let ms = deltas.get(i + 1).and_then(|d| d.as_f64()).unwrap_or(0.0) / 1000.0;
        let mut id = sample.as_u64().unwrap_or(0);
        let Some(name) = names.get(&id) else { continue };
        if name == "(idle)" {
            continue;
        }
        *own.entry(name).or_default() += ms;
        let mut counted = HashSet::new();
        loop {
            if let Some(name) = names.get(&id)
                && counted.insert(name.as_str())
            {
                *total.entry(name).or_default() += ms;
            }
            match parents.get(&id) {
                Some(&parent) => id = parent,
                None => break,
            }
        }
    }
    let mut all: Vec<Busy> = own
        .into_iter()
        .map(|(name, own)| Busy {
            name: name.to_owned(),
            own,
            total: total.get(name).copied().unwrap_or(own),
        })
        .collect();
    all.sort_by(|a, b| b.own.total_cmp(&a.own));
    all.truncate(top);
    all
}

fn print_profile(page: &str, refreshes: usize, busy: &[Busy]) {
    println!("\n{page}: busiest functions, ms per refresh (own / with callees)\n");
    println!("| function | own | total |\n| --- | --- | --- |");
    let per = refreshes.max(1) as f64;
    for b in busy {
        let name: String = b.name.chars().take(90).collect();
        println!("| `{name}` | {:.1} | {:.1} |", b.own / per, b.total / per);
    }
}

/// Milliseconds from opening `url` to its first table row.
async fn first_rows(b: &Browser, url: &str) -> f64 {
    b.goto("about:blank").await;
    let start = Instant::now();
    b.goto(url).await;
    b.wait_for("tbody tr", Duration::from_secs(120)).await;
    start.elapsed().as_secs_f64() * 1000.0
}

/// The page's JavaScript heap in use, in MB.
async fn js_heap_mb(b: &Browser) -> f64 {
    // The counters are empty until the domain is on in this browser (turning it on twice is
    // harmless).
    cdp(b, "Performance.enable", serde_json::json!({})).await;
    metrics(b)
        .await
        .get("JSHeapUsedSize")
        .copied()
        .unwrap_or(0.0)
        / 1e6
}

/// A fresh browser on a blank page, and its renderers' memory then: pages opened before in
/// another browser (kept for going back, or not yet collected) must not count.
async fn fresh_browser() -> (Browser, f64) {
    let b = Browser::start().await;
    b.goto("about:blank").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let blank = renderers_mb();
    (b, blank)
}

/// Renderer memory over a blank page and JS heap, in MB, once the Pods page of a server
/// reading the prometheus source shows throughput; `None` when the source never measured
/// any within five minutes.
async fn memory_with_io(refreshes: usize) -> Option<(f64, f64)> {
    let prom = Ktop::start(&["--refresh", "5s", "--metrics-source", "prometheus"], &[]);
    let path = format!("api/v1/contexts/{}/snapshot", prom.context());
    let start = Instant::now();
    loop {
        let (status, body) = fetch(&prom, &path).await;
        let io = status == 200
            && serde_json::from_slice::<serde_json::Value>(&gunzip(&body))
                .is_ok_and(|s| s["source"]["io"] == true);
        if io {
            break;
        }
        if start.elapsed() > Duration::from_secs(300) {
            return None;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let (b, blank) = fresh_browser().await;
    let mut seen = open(&b, &prom.signed("pods?sort=cpu&dir=desc")).await;
    for _ in 0..refreshes {
        next_refresh(&b, &mut seen).await;
    }
    let memory = (renderers_mb() - blank, js_heap_mb(&b).await);
    b.close().await;
    Some(memory)
}

/// Rows in the table on screen.
async fn table_rows(b: &Browser) -> usize {
    let script = "const t = document.querySelector('table[data-rows]'); \
                  return t ? Number(t.dataset.rows) : -1;";
    let rows = b.client.execute(script, vec![]).await.ok();
    rows.and_then(|v| v.as_u64()).unwrap_or(u64::MAX) as usize
}

/// Memory before and after scaling the cluster to `pods` with the Pods page open: renderer
/// over a blank page, JS heap and the server's RSS, in MB.
async fn scale_down(ktop: &Ktop, nodes: usize, pods: usize) -> ([f64; 3], [f64; 3]) {
    let (browser, blank) = fresh_browser().await;
    let b = &browser;
    let mut seen = open(b, &ktop.signed("pods?sort=cpu&dir=desc")).await;
    let read = |b| async move { [renderers_mb() - blank, js_heap_mb(b).await, ktop.rss_mb()] };
    let before = read(b).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/test-cluster");
    let status = std::process::Command::new(script)
        .args([
            "scale",
            "--nodes",
            &nodes.to_string(),
            "--pods",
            &pods.to_string(),
        ])
        .status()
        .expect("scripts/test-cluster runs");
    assert!(status.success(), "scaling to {pods} pods failed");
    while table_rows(b).await > pods {
        next_refresh(b, &mut seen).await;
    }
    // The page and the server settle: relists done, old rows dropped.
    for _ in 0..6 {
        next_refresh(b, &mut seen).await;
    }
    let after = read(b).await;
    browser.close().await;
    (before, after)
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
    let heap = js_heap_mb(&b).await;
    let loaded = renderers_mb();
    let overview_main = main_thread_per_refresh(&b, &ktop.signed(""), a.refreshes).await;
    let workloads_url = ktop.signed("workloads?sort=cpu&dir=desc");
    let workloads_main = main_thread_per_refresh(&b, &workloads_url, a.refreshes).await;
    let namespaces_url = ktop.signed("namespaces?sort=cpu&dir=desc");
    let namespaces_main = main_thread_per_refresh(&b, &namespaces_url, a.refreshes).await;
    let first = first_rows(&b, &pods_url).await;
    let profiles = if a.profile > 0 {
        eprintln!("bench: profiling");
        vec![
            (
                "Pods sorted by CPU",
                profile(&b, "pods", &pods_url, a.refreshes, a.profile).await,
            ),
            (
                "Overview",
                profile(&b, "overview", &ktop.signed(""), a.refreshes, a.profile).await,
            ),
        ]
    } else {
        Vec::new()
    };
    b.close().await;
    eprintln!("bench: memory with throughput");
    let with_io = memory_with_io(a.refreshes).await;
    let scaled = if a.scale_down > 0 {
        eprintln!("bench: scaling down to {} pods", a.scale_down);
        let nodes = c
            .kubectl_ok(&["get", "nodes", "--no-headers"])
            .lines()
            .count();
        Some(scale_down(&ktop, nodes, a.scale_down).await)
    } else {
        None
    };

    // The page reads frames; its JSON figures are those of the release before it did.
    let page = "— (the page reads frames)";
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
        "| browser main thread per refresh, Pods sorted by CPU (mean / p95) | {page} | {} |",
        mean_p95(&pods_main)
    );
    println!(
        "| same, Overview (mean / p95) | {page} | {} |",
        mean_p95(&overview_main)
    );
    println!(
        "| same, Workloads sorted by CPU (mean / p95) | {page} | {} |",
        mean_p95(&workloads_main)
    );
    println!(
        "| same, Namespaces sorted by CPU (mean / p95) | {page} | {} |",
        mean_p95(&namespaces_main)
    );
    println!("| bookmarked Pods URL opened → first rows (proxy warm) | {page} | {first:.0} ms |");
    println!(
        "| renderer memory over a blank page after {} refreshes (JS heap) | {page} | {:.0} MB ({heap:.0} MB) |",
        a.refreshes,
        loaded - blank
    );
    match with_io {
        Some((renderer, heap)) => println!(
            "| same, prometheus source: CPU, memory and I/O, 120-point buffers (JS heap) | {page} | {renderer:.0} MB ({heap:.0} MB) |"
        ),
        None => println!(
            "| same, prometheus source | {page} | not measured: no throughput within 5 min |"
        ),
    }
    if let Some((before, after)) = scaled {
        println!(
            "\nScaled from {pods} to {} pods, Pods page open\n",
            a.scale_down
        );
        println!("| memory (MB) | before | after |\n| --- | --- | --- |");
        let names = ["renderer over a blank page", "JS heap", "proxy RSS"];
        for ((name, b), a) in names.iter().zip(before).zip(after) {
            println!("| {name} | {b:.0} | {a:.0} |");
        }
    }
    for (page, busy) in &profiles {
        print_profile(page, a.refreshes, busy);
    }
}
