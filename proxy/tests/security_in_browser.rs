//! The security layer as a browser meets it, in headless Chromium: the startup link becomes
//! a cookie, bookmarks without it explain how to get in, other local origins cannot read the
//! API, and only `--embed-origin` pages can frame ktop-web.

mod support;

use std::time::Duration;

use support::browser::Browser;
use support::ktop::Ktop;
use support::page::serve_html;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn the_startup_link_signs_in_once_and_leaves_the_address_bar() {
    let ktop = Ktop::start(&["--demo", "--refresh", "1s"], &[]);
    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes?sort=cpu")).await;
    b.wait_for("#nodes-table tr.row[data-node]", WAIT).await;
    let url = b.client.current_url().await.expect("url").to_string();
    assert!(
        !url.contains("token"),
        "token left in the address bar: {url}"
    );
    assert!(url.ends_with("/nodes?sort=cpu"), "the view is kept: {url}");
    let cookies = b.client.get_all_cookies().await.expect("cookies");
    let name = format!("ktop_web_token_{}", ktop.port);
    let cookie = cookies
        .iter()
        .find(|c| c.name() == name)
        .unwrap_or_else(|| panic!("cookie {name} in {cookies:?}"));
    assert_eq!(cookie.value(), ktop.token);
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(
        cookie.same_site().map(|s| s.to_string()).as_deref(),
        Some("Strict")
    );
    let script_sees: String = b
        .client
        .execute("return document.cookie", vec![])
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !script_sees.contains(&ktop.token),
        "HttpOnly: scripts cannot read it"
    );
    // Bookmarks work from now on, without the token.
    b.goto(&format!("{}pods", ktop.url)).await;
    b.wait_for("#pods-table tr.row[data-pod]", WAIT).await;
    b.close().await;
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_bookmark_without_the_cookie_explains_how_to_get_in() {
    let ktop = Ktop::start(&["--demo"], &[]);
    let b = Browser::start().await;
    b.goto(&format!("{}pods?ns=shop", ktop.url)).await;
    let text = b
        .eventually("the explanation", WAIT, || async {
            b.text("#token-needed").await
        })
        .await;
    assert!(text.contains("access token"), "{text}");
    assert!(text.contains("--print-url"), "{text}");
    assert!(
        b.all("#pods-table").await.is_empty(),
        "no data without the token"
    );
    b.screenshot("token-needed").await;
    b.close().await;
}

/// A page that reads `target` with the browser's cookies and writes what happened.
fn reader_page(target: &str) -> String {
    format!(
        "<!doctype html><title>reader</title><p id=result>pending</p><script>\
         fetch('{target}', {{credentials: 'include'}})\
           .then(r => r.text()).then(t => document.getElementById('result').textContent = 'read: ' + t)\
           .catch(e => document.getElementById('result').textContent = 'blocked: ' + e);\
         </script>"
    )
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_page_on_another_port_cannot_read_the_api() {
    let ktop = Ktop::start(&["--demo"], &[]);
    let b = Browser::start().await;
    // Signed in: the browser holds the cookie, and "site" ignores ports, so it would be sent.
    b.goto(&ktop.signed("nodes")).await;
    b.wait_for("#nodes-table tr.row[data-node]", WAIT).await;
    let api = format!("{}api/v1/contexts", ktop.url);
    let evil = serve_html(reader_page(&api)).await;
    b.goto(&evil).await;
    let result = b
        .eventually("the cross-origin read to settle", WAIT, || async {
            b.text("#result").await.filter(|t| t != "pending")
        })
        .await;
    assert!(
        result.starts_with("blocked"),
        "another port read the API: {result}"
    );
    // The same read from ktop-web's own page works, so the block is about the origin.
    b.goto(&format!("{}nodes", ktop.url)).await;
    let own: String = b
        .client
        .execute_async(
            "const done = arguments[0]; fetch('/api/v1/contexts').then(r => r.text()).then(done, e => done('error ' + e));",
            vec![],
        )
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        own.contains("\"contexts\""),
        "own page reads the API: {own}"
    );
    b.close().await;
}

/// What the first frame of the current page shows: its URL and whether ktop-web rendered.
async fn framed(b: &Browser) -> (String, bool) {
    let frame = b
        .client
        .find(fantoccini::Locator::Css("iframe"))
        .await
        .expect("iframe");
    frame.enter_frame().await.expect("enter frame");
    let href: String = b
        .client
        .execute("return location.href", vec![])
        .await
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let rendered = !b.all("#nodes-table tr.row[data-node]").await.is_empty();
    b.client.enter_parent_frame().await.expect("leave frame");
    (href, rendered)
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn only_embed_origins_can_frame_ktop_web() {
    // The portal is reachable as 127.0.0.1 (allowed) and as localhost (another origin).
    let portal = support::page::PageServer::start(String::new()).await;
    let allowed = format!("http://127.0.0.1:{}", portal.port());
    let ktop = Ktop::start(&["--demo", "--embed-origin", &allowed], &[]);
    portal.set(format!(
        "<!doctype html><title>portal</title><h1>Portal</h1><iframe width=900 height=500 src=\"{}\"></iframe>",
        ktop.signed("nodes")
    ));

    let b = Browser::start().await;
    b.goto(&format!("{allowed}/")).await;
    let (href, rendered) = b
        .eventually("the embedded nodes table", WAIT, || async {
            let f = framed(&b).await;
            f.1.then_some(f)
        })
        .await;
    assert!(rendered && href.starts_with(&ktop.url), "{href}");
    assert!(!href.contains("token"), "{href}");
    b.screenshot("embedded-allowed").await;

    b.goto(&format!("http://localhost:{}/", portal.port()))
        .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (href, rendered) = framed(&b).await;
    assert!(
        !rendered,
        "a page on another origin framed ktop-web ({href})"
    );
    assert!(
        !href.starts_with(&ktop.url),
        "the frame was refused, got {href}"
    );
    b.screenshot("embedded-refused").await;
    b.close().await;
}
