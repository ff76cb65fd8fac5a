//! The browser harness itself: headless Chromium renders a page from a local test server, and
//! screenshots land in test-artifacts/. Needs `KTOP_E2E=1`.

mod support;

use std::time::Duration;

use support::browser::Browser;
use support::cluster::e2e_enabled;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Serves one HTML page, whose text is filled in by script, to every connection.
async fn serve_page() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let page = "<!doctype html><title>smoke</title><h1 id=greeting>…</h1>\
            <script>document.getElementById('greeting').textContent = 'rendered by ' + 'script';</script>";
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    url
}

#[tokio::test]
async fn chromium_renders_a_local_page_and_saves_a_screenshot() {
    if !e2e_enabled() {
        return;
    }
    let url = serve_page().await;
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
