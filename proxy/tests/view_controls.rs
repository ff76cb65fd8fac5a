//! The view's remaining controls, in headless Chromium against the real test cluster:
//! threshold colours (`?warn=&crit=`, set from the View fold-out), the history length, the
//! label selector (matched by ktop-web like the API server does), the chart metric (`?metric=`) and a chart's
//! history as CSV. Each is read back from the URL after a reload.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const WAIT: Duration = Duration::from_secs(60);

/// Every usage-percentage cell of the nodes table: its value and its threshold class.
async fn node_levels(b: &Browser) -> Option<Vec<(f64, String)>> {
    let js = r##"
        return [...document.querySelectorAll(
            "#nodes-table td[data-col='cpu-pct'][data-value], #nodes-table td[data-col='mem-pct'][data-value]")]
            .map(td => [Number(td.dataset.value),
                td.classList.contains('crit') ? 'crit' : td.classList.contains('warn') ? 'warn' : '']);
    "##;
    let v = b.client.execute(js, vec![]).await.ok()?;
    let cells: Vec<(f64, String)> = v
        .as_array()?
        .iter()
        .filter_map(|pair| Some((pair[0].as_f64()?, pair[1].as_str()?.to_owned())))
        .collect();
    (!cells.is_empty()).then_some(cells)
}

fn expected(value: f64, warn: f64, crit: f64) -> &'static str {
    if value >= crit {
        "crit"
    } else if value >= warn {
        "warn"
    } else {
        ""
    }
}

/// Waits until every cell is coloured by `warn` and `crit`.
async fn coloured_by(b: &Browser, warn: f64, crit: f64) -> Vec<(f64, String)> {
    b.eventually(&format!("colours at {warn}/{crit}"), WAIT, || async {
        node_levels(b)
            .await
            .filter(|cells| cells.iter().all(|(v, c)| c == expected(*v, warn, crit)))
    })
    .await
}

async fn run_js(b: &Browser, js: &str) -> Value {
    b.client
        .execute(js, vec![])
        .await
        .unwrap_or_else(|e| panic!("{js}: {e}"))
}

async fn address(b: &Browser) -> String {
    let v = run_js(b, "return location.pathname + location.search").await;
    v.as_str().unwrap_or_default().to_owned()
}

/// Replaces an input's text and leaves it, which commits it (`change`).
async fn enter(b: &Browser, css: &str, text: &str) {
    let input = b.wait_for(css, WAIT).await;
    input.clear().await.expect("clear");
    input
        .send_keys(&format!("{text}\u{e004}"))
        .await
        .expect("type, then Tab");
}

/// Pod keys of the rows shown, sorted.
async fn pod_rows(b: &Browser) -> Vec<String> {
    let v = run_js(
        b,
        "return [...document.querySelectorAll('#pods-table tr.row')].map(r => r.dataset.pod)",
    )
    .await;
    let mut rows: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    rows.sort();
    rows
}

/// True when `css` matches an element the stylesheet does not hide.
async fn displayed(b: &Browser, css: &str) -> bool {
    let js = format!(
        "const e = document.querySelector({css:?}); return !!e && getComputedStyle(e).display !== 'none'"
    );
    run_js(b, &js).await.as_bool().unwrap_or(false)
}

/// `namespace/name` of the pods kubectl lists for `selector`, sorted.
fn kubectl_keys(c: &TestCluster, selector: &str) -> Vec<String> {
    let out = c.kubectl_ok(&[
        "get",
        "pods",
        "-A",
        "-l",
        selector,
        "-o",
        "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}",
    ]);
    let mut keys: Vec<String> = out.lines().map(str::to_owned).collect();
    keys.sort();
    keys
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn thresholds_history_labels_and_metric_live_in_the_url() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&["--refresh", "2s"], &[("KUBECONFIG", kubeconfig.as_str())]);
    let b = Browser::start().await;

    // Thresholds: the defaults colour the nodes' usage; lowering them in the View fold-out
    // recolours the same cells and lands in the URL; back restores the defaults.
    b.goto(&ktop.signed("/nodes")).await;
    let defaults = coloured_by(&b, 70.0, 90.0).await;
    b.click("#view-settings summary", WAIT).await;
    enter(&b, "#warn-percent", "1").await;
    enter(&b, "#crit-percent", "2").await;
    let lowered = coloured_by(&b, 1.0, 2.0).await;
    let url = address(&b).await;
    assert!(
        url.contains("warn=1") && url.contains("crit=2"),
        "the thresholds are in the URL: {url}"
    );
    let recoloured = lowered
        .iter()
        .filter(|(v, _)| expected(*v, 1.0, 2.0) != expected(*v, 70.0, 90.0))
        .count();
    assert!(
        recoloured > 0,
        "some usage lies between the two settings, so colours changed: {defaults:?} -> {lowered:?}"
    );
    // A crossing pair is not taken.
    enter(&b, "#warn-percent", "50").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(address(&b).await, url, "warning above critical is refused");
    let shown = run_js(&b, "return document.querySelector('#warn-percent').value").await;
    assert_eq!(
        shown.as_str(),
        Some("1"),
        "the field shows the threshold in use again"
    );
    b.client.back().await.expect("back");
    b.client.back().await.expect("back");
    coloured_by(&b, 70.0, 90.0).await;
    b.client.forward().await.expect("forward");
    b.client.forward().await.expect("forward");
    coloured_by(&b, 1.0, 2.0).await;

    // History length: picked in the fold-out, kept in the URL, shown again after a reload.
    run_js(&b, "document.querySelector('#view-settings').open = true").await;
    b.wait_for("#history-samples", WAIT)
        .await
        .select_by_value("60")
        .await
        .expect("pick 60 samples");
    b.eventually("history=60 in the URL", WAIT, || async {
        address(&b).await.contains("history=60").then_some(())
    })
    .await;
    b.client.refresh().await.expect("reload");
    b.eventually("60 samples after the reload", WAIT, || async {
        let v = run_js(
            &b,
            "return document.querySelector('#history-samples')?.value",
        )
        .await;
        (v.as_str() == Some("60")).then_some(())
    })
    .await;
    coloured_by(&b, 1.0, 2.0).await;

    // Label selector: the rows are exactly the pods kubectl lists for it.
    let carts = kubectl_keys(c, "app=cart");
    assert!(!carts.is_empty(), "the test cluster labels its cart pods");
    b.click("nav a[href*='/pods']", WAIT).await;
    b.eventually("every pod", WAIT, || async {
        (pod_rows(&b).await.len() > carts.len()).then_some(())
    })
    .await;
    enter(&b, "#labels", "app=cart").await;
    let selected = b
        .eventually("the cart pods only", WAIT, || async {
            let rows = pod_rows(&b).await;
            (rows == carts).then_some(rows)
        })
        .await;
    assert_eq!(selected, carts);
    let url = address(&b).await;
    assert!(url.contains("labels=app%3Dcart"), "{url}");
    b.screenshot("labels-selected").await;
    let fresh = Browser::start().await;
    fresh.goto(&ktop.signed(&url)).await;
    fresh
        .eventually("the selection in a fresh profile", WAIT, || async {
            (pod_rows(&fresh).await == carts).then_some(())
        })
        .await;
    fresh.close().await;
    // A malformed selector: the reason, and no rows.
    enter(&b, "#labels", "app===cart").await;
    let message = b
        .eventually("the selector error", WAIT, || async {
            b.text("#labels-error").await.filter(|t| !t.is_empty())
        })
        .await;
    assert!(pod_rows(&b).await.is_empty(), "no rows for a bad selector");
    eprintln!("bad selector: {message}");
    enter(&b, "#labels", "").await;
    b.eventually("every pod again", WAIT, || async {
        (pod_rows(&b).await.len() > carts.len()).then_some(())
    })
    .await;

    // ktop-web matches selectors itself; it agrees with the API server on every operator.
    let context = ktop.context();
    for selector in [
        "app in (cart,web)",
        "app notin (cart,web)",
        "app!=cart",
        "!app",
        "app",
        "app=cart,app.kubernetes.io/name=cart",
        "app.kubernetes.io/name in (cart),app!=web",
    ] {
        let path = format!(
            "api/v1/contexts/{context}/pods?selector={}",
            selector
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
        );
        let ours: Value = ktop.get_json(&path).await;
        let ours: Vec<String> = ours["pods"]
            .as_array()
            .expect("pods")
            .iter()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect();
        assert_eq!(ours, kubectl_keys(c, selector), "{selector}");
    }

    // Chart metric: a chart's heading shows only that metric; back shows both again.
    b.click("nav a:first-child", WAIT).await;
    b.wait_for("#cpu-panel", WAIT).await;
    assert!(displayed(&b, "#cpu-panel").await && displayed(&b, "#mem-panel").await);
    b.click("#cpu-panel .chart-focus", WAIT).await;
    b.eventually("the CPU chart alone", WAIT, || async {
        (displayed(&b, "#cpu-panel").await && !displayed(&b, "#mem-panel").await).then_some(())
    })
    .await;
    let url = address(&b).await;
    assert!(url.contains("metric=cpu"), "{url}");
    b.screenshot("metric-cpu").await;

    // The chart's history as CSV: a row per sample, the lines as columns, in nanocores; its
    // newest allocatable is the cluster's.
    b.capture_download().await;
    b.click("#cpu-panel .chart-csv", WAIT).await;
    let csv = b.downloaded(WAIT).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time,usage,requests,allocatable");
    assert!(lines.len() >= 3, "a few samples by now: {csv}");
    for line in &lines[1..] {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 4, "{line}");
        assert!(
            fields[0].ends_with('Z') && fields[0].contains('T'),
            "ISO time: {line}"
        );
    }
    let newest: f64 = lines[lines.len() - 1]
        .rsplit(',')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("allocatable in the newest row");
    let allocatable: f64 = b
        .attr("#cpu-allocatable", "data-value")
        .await
        .and_then(|v| v.parse().ok())
        .expect("the allocatable figure");
    assert!(
        (newest - allocatable).abs() <= allocatable * 1e-6,
        "{newest} vs {allocatable}"
    );

    b.client.back().await.expect("back");
    b.eventually("both charts again", WAIT, || async {
        (displayed(&b, "#cpu-panel").await && displayed(&b, "#mem-panel").await).then_some(())
    })
    .await;
    b.close().await;
}
