//! Embedding in a portal, in headless Chromium against the real test cluster: a portal on
//! an `--embed-origin` frames the pods table with the token in the URL fragment while
//! third-party cookies are blocked (the portal is another site, and the profile never held
//! ktop-web's cookie), and the same page on another origin is refused.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;
use support::page::{PageServer, portal_with_frame};

const WAIT: Duration = Duration::from_secs(60);

/// What the portal's frame shows, read from inside it.
async fn in_frame(b: &Browser) -> Option<Value> {
    let js = r#"
        return {
            href: location.href,
            rows: document.querySelectorAll('#pods-table tr.row[data-pod]').length,
            total: Number(document.querySelector('#pods-table')?.dataset.rows ?? 0),
            chrome: document.querySelectorAll('header.top-bar, nav').length,
            error: document.querySelector('.banner-error')?.textContent ?? null,
        };
    "#;
    b.run_in_frame(js).await
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_portal_embeds_the_pods_table_without_cookies() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    // ktop-web listens on 127.0.0.1; the portal is served as `localhost`, another site.
    let server = PageServer::start(String::new()).await;
    let allowed = format!("http://localhost:{}", server.port());
    let ktop = Ktop::start(
        &["--refresh", "2s", "--embed-origin", &allowed],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    assert!(ktop.url.starts_with("http://127.0.0.1:"), "{}", ktop.url);
    let embed = format!("{}pods?embed=1&ns=shop", ktop.url);
    let b = Browser::start_with(&["--test-third-party-cookie-phaseout"]).await;

    // Without the token the embed page loads but gets no data: the rows below come from
    // the fragment's token alone.
    server.set(portal_with_frame(&embed));
    b.goto(&format!("{allowed}/")).await;
    let refused = b
        .eventually("the embed without a token", WAIT, || async {
            in_frame(&b).await.filter(|v| v["error"].is_string())
        })
        .await;
    assert_eq!(refused["rows"], 0, "{refused}");

    server.set(portal_with_frame(&format!("{embed}#token={}", ktop.token)));
    b.goto(&format!("{allowed}/")).await;
    let shown = b
        .eventually("the embedded pods table", WAIT, || async {
            in_frame(&b)
                .await
                .filter(|v| v["rows"].as_u64().is_some_and(|n| n > 0))
        })
        .await;
    let want = c
        .kubectl_ok(&["get", "pods", "-n", "shop", "--no-headers"])
        .lines()
        .count();
    assert_eq!(shown["total"].as_u64(), Some(want as u64), "{shown}");
    assert_eq!(shown["chrome"], 0, "an embed has no navigation: {shown}");
    let href = shown["href"].as_str().unwrap_or_default();
    assert!(href.contains("embed=1"), "{href}");
    assert!(
        !href.contains("token"),
        "the token left the address: {href}"
    );
    let cookies = b.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies
            .iter()
            .all(|c| !c.name().starts_with("ktop_web_token")),
        "no ktop-web cookie was set: {cookies:?}"
    );
    b.screenshot("embed").await;

    // The same portal on an origin that is not allowed gets a refused frame.
    b.goto(&format!("http://127.0.0.1:{}/", server.port()))
        .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let other = in_frame(&b).await;
    let rows = other.as_ref().and_then(|v| v["rows"].as_u64()).unwrap_or(0);
    assert_eq!(rows, 0, "another origin framed ktop-web: {other:?}");
    b.screenshot("embed-refused").await;
    b.close().await;
}
