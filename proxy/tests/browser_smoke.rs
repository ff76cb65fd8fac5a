//! The browser harness itself: headless Chromium renders a page from a local test server, and
//! screenshots land in test-artifacts/.

mod support;

use std::time::Duration;

use support::browser::Browser;
use support::page::serve_html;

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn chromium_renders_a_local_page_and_saves_a_screenshot() {
    let page = "<!doctype html><title>smoke</title><h1 id=greeting>…</h1>\
        <script>document.getElementById('greeting').textContent = 'rendered by ' + 'script';</script>";
    let url = serve_html(page.to_owned()).await;
    let b = Browser::start().await;
    b.goto(&url).await;
    let text = b
        .eventually("the script to run", Duration::from_secs(10), || async {
            b.text("#greeting")
                .await
                .filter(|t| t.starts_with("rendered"))
        })
        .await;
    assert_eq!(text, "rendered by script");
    let path = b.screenshot("smoke").await;
    let png = std::fs::read(&path).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(png.len() > 1000, "screenshot is {} bytes", png.len());
    b.close().await;
}
