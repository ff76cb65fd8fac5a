//! History across reloads, in headless Chromium against the real test cluster: the
//! sparklines keep their points when the page is reloaded.

mod support;

use std::time::Duration;

use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const WAIT: Duration = Duration::from_secs(60);

async fn points(b: &Browser, node: &str) -> Option<usize> {
    let css = format!("tr.row[data-node='{node}'] td[data-col='cpu-spark'] svg");
    b.attr(&css, "data-points").await?.parse().ok()
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn sparklines_keep_their_points_after_a_reload() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let ktop = Ktop::start(&["--refresh", "1s"], &[("KUBECONFIG", kubeconfig.as_str())]);
    let node = c.kubectl_ok(&["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"]);

    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    let before = b
        .eventually("a few points", WAIT, || async {
            points(&b, &node).await.filter(|&n| n >= 6)
        })
        .await;
    b.client.refresh().await.expect("reload");
    // The first value after the reload counts: a fresh start would show one point.
    let after = b
        .eventually("the sparkline after the reload", WAIT, || async {
            points(&b, &node).await
        })
        .await;
    assert!(
        after >= before,
        "{before} points before the reload, {after} after"
    );
    eprintln!("{before} points before the reload, {after} right after");
    b.close().await;
}
