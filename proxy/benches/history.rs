//! History benchmark: what a range from Prometheus costs at the scale `scripts/bench` sets
//! up (1,000 nodes, 30,000 pods), with a day of backfilled samples for every pod on one node
//! (`KTOP_HISTORY_NODE_PODS=1`, set by `scripts/bench --history`). Prints, as median and
//! range over several runs: the API's answer for one pod's day (six series) and for a node's
//! pods (two series each), and in headless Chromium the time from choosing 24h to the drawn
//! chart on a pod page, and to the drawn trend lines of a node page's pods.
//!
//! `cargo bench -p ktop-web --bench history -- [--runs 7]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use ktop_web_shared::history::History;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;
use support::prometheus::Prometheus;

const WAIT: Duration = Duration::from_secs(60);

fn runs() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
}

/// Median, fastest and slowest of `samples`, in milliseconds.
fn summary(mut samples: Vec<f64>) -> String {
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    format!(
        "{median:.0} ms ({:.0}–{:.0})",
        samples[0],
        samples[samples.len() - 1]
    )
}

/// Milliseconds from clicking the range `range` to `drawn` (a script returning true once
/// the page shows it), measured in the page, which checks at every animation frame; Live is
/// chosen first so each run starts from the live view.
async fn click_to_drawn(b: &Browser, range: &str, drawn: &str) -> f64 {
    b.click("#range-picker [data-range=\"live\"]", WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let script = format!(
        "window.__drawn = null;
         const drawn = () => {{ {drawn} }};
         const t0 = performance.now();
         document.querySelector('#range-picker [data-range=\"{range}\"]').click();
         const poll = () => drawn() ? (window.__drawn = performance.now() - t0) : requestAnimationFrame(poll);
         requestAnimationFrame(poll);"
    );
    b.client
        .execute(&script, vec![])
        .await
        .expect("the page takes the click");
    b.eventually("the drawn range", WAIT, || async {
        b.client
            .execute("return window.__drawn", vec![])
            .await
            .ok()
            .and_then(|v| v.as_f64())
    })
    .await
}

#[tokio::main]
async fn main() {
    let runs = runs();
    let c = TestCluster::shared();
    let prometheus = Prometheus::up();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(
        &["--history-source", &prometheus.url],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    let context = ktop.context();
    let pods = c
        .kubectl_ok(&["get", "pods", "-A", "--no-headers"])
        .lines()
        .count();
    let on_node = c
        .kubectl_ok(&[
            "get",
            "pods",
            "-A",
            "--no-headers",
            "--field-selector",
            &format!("spec.nodeName={}", prometheus.node),
        ])
        .lines()
        .count();
    eprintln!(
        "history bench: {pods} pods, {on_node} on {}",
        prometheus.node
    );

    let pod_path = format!(
        "api/v1/contexts/{context}/history?range=24h&points=1000&namespace=history&pod=steady-new"
    );
    let node_pods_path = format!(
        "api/v1/contexts/{context}/history?range=24h&points=100&node={}&per_pod=true",
        prometheus.node
    );
    let mut api = Vec::new();
    for path in [&pod_path, &node_pods_path] {
        let mut times = Vec::new();
        let mut series = 0;
        for _ in 0..runs {
            let t0 = Instant::now();
            let history: History = ktop.get_json(path).await;
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
            series = history.series.len();
        }
        api.push((series, summary(times)));
    }

    let b = Browser::start().await;
    b.goto(&ktop.signed(&format!("/c/{context}/pods/history/steady-new")))
        .await;
    b.wait_for("#range-picker", WAIT).await;
    let mut pod_page = Vec::new();
    for _ in 0..runs {
        pod_page.push(
            click_to_drawn(
                &b,
                "24h",
                "const c = document.querySelector('[data-range-points]'); return !!c && !!c.querySelector('path[d]');",
            )
            .await,
        );
    }
    b.goto(&ktop.signed(&format!("/c/{context}/nodes/{}", prometheus.node)))
        .await;
    b.wait_for("#range-picker", WAIT).await;
    let mut node_page = Vec::new();
    for _ in 0..runs {
        node_page.push(
            click_to_drawn(
                &b,
                "24h",
                // The node's chart, and nine in ten of the rows' CPU trend lines (a pod
                // started after the backfill has none).
                "const c = document.querySelector('[data-range-points]');
                 const sparks = [...document.querySelectorAll('td[data-col=\"cpu-spark\"][data-range-spark] svg')];
                 const drawn = sparks.filter(s => s.getAttribute('data-points') !== '0').length;
                 return !!c && !!c.querySelector('path[d]') && sparks.length > 0 && drawn >= 0.9 * sparks.length;",
            )
            .await,
        );
    }
    b.close().await;

    println!(
        "\n{pods} pods; a day of history at 1-minute samples for {on_node} pods on {}; {runs} runs, median (fastest–slowest)\n",
        prometheus.node
    );
    println!("| what | series | time |");
    println!("| --- | --- | --- |");
    println!(
        "| API: one pod's day, 1,000 points | {} | {} |",
        api[0].0, api[0].1
    );
    println!(
        "| API: a node's pods' day, 100 points each | {} | {} |",
        api[1].0, api[1].1
    );
    println!(
        "| browser: pod page, click 24h → chart drawn | 6 | {} |",
        summary(pod_page)
    );
    println!(
        "| browser: node page, click 24h → node chart and its pods' trend lines drawn | {} | {} |",
        api[1].0,
        summary(node_page)
    );
}
