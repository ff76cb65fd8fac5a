//! A portal page shared by a team holds no token: in headless Chromium with third-party
//! cookies blocked, a browser signed in to a local ktop-web (it opened the startup link)
//! views a portal page on an `--embed-origin` whose frame has no token. The frame is refused
//! (401) and offers "Sign in to your ktop-web"; one click opens `/signin` in a popup, which
//! hands the frame a short-lived credential, and the frame shows the pods. A page on another
//! origin can neither complete that handshake nor frame ktop-web.

mod support;

use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::Ktop;
use support::page::{PageServer, portal_with_frame};

const WAIT: Duration = Duration::from_secs(60);

/// What the page's first frame shows, read from inside it (`None` when it has no readable
/// document, e.g. a refused frame).
async fn in_frame(b: &Browser) -> Option<Value> {
    // `hasStorageAccess` is false in a third-party frame exactly when its cookies are
    // blocked. WebDriver waits for the promise.
    let js = r#"
        return (async () => ({
            href: location.href,
            rows: document.querySelectorAll('#pods-table tr.row[data-pod]').length,
            total: Number(document.querySelector('#pods-table')?.dataset.rows ?? 0),
            error: document.querySelector('.banner-error .message')?.textContent ?? null,
            signin: document.querySelectorAll('#signin').length,
            storage_access: document.hasStorageAccess ? await document.hasStorageAccess() : null,
        }))();
    "#;
    b.run_in_frame(js).await
}

/// Clicks `css` inside the page's frame.
async fn click_in_frame(b: &Browser, css: &str) {
    let frame = b
        .client
        .find(Locator::Css("iframe"))
        .await
        .expect("the frame");
    frame.enter_frame().await.expect("enter the frame");
    b.click(css, WAIT).await;
    b.client
        .enter_parent_frame()
        .await
        .expect("leave the frame");
}

/// A page that opens ktop-web's `/signin` itself and records every message it receives,
/// plus a frame of ktop-web's embed page.
fn thief(signin: &str, embed: &str) -> String {
    format!(
        "<!doctype html><title>other</title>\
         <button id=steal>steal</button>\
         <iframe width=600 height=200 src=\"{embed}\"></iframe>\
         <script>\
           window.got = [];\
           addEventListener('message', e => window.got.push({{origin: e.origin, data: JSON.stringify(e.data)}}));\
           document.getElementById('steal').onclick = () => {{ window.popup = window.open('{signin}', 'steal', 'popup'); }};\
         </script>"
    )
}

/// Profile preferences that block third-party cookies, or allow them.
fn cookie_prefs(block_third_party: bool) -> Value {
    serde_json::json!({
        "profile": {
            "cookie_controls_mode": if block_third_party { 1 } else { 0 },
            "block_third_party_cookies": block_third_party,
        }
    })
}

async fn window_count(b: &Browser) -> usize {
    b.client.windows().await.map(|w| w.len()).unwrap_or(0)
}

#[tokio::test]
#[ignore = "end-to-end (test cluster): scripts/test runs it"]
async fn a_portal_page_without_a_token_signs_its_frame_in_with_one_click() {
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
    let b = Browser::start_with_prefs(&["--test-third-party-cookie-phaseout"], cookie_prefs(true))
        .await;

    // Signed in top-level: the startup link leaves ktop-web's cookie in this browser.
    b.goto(&ktop.signed("pods")).await;
    b.wait_for("#pods-table tr.row[data-pod]", WAIT).await;
    let cookies = b.client.get_all_cookies().await.expect("cookies");
    assert!(
        cookies
            .iter()
            .any(|c| c.name() == format!("ktop_web_token_{}", ktop.port)),
        "the startup link set the cookie: {cookies:?}"
    );

    // The portal's page holds no token: the frame is refused even though the browser holds
    // the cookie, as third-party cookies are blocked, and offers to sign in.
    server.set(portal_with_frame(&embed));
    b.goto(&format!("{allowed}/")).await;
    let refused = b
        .eventually("the sign-in button in the frame", WAIT, || async {
            in_frame(&b)
                .await
                .filter(|v| v["signin"].as_u64() == Some(1))
        })
        .await;
    assert_eq!(refused["rows"], 0, "{refused}");
    assert_eq!(
        refused["error"], "Missing or invalid ktop-web access token.",
        "the frame's API requests were refused (401): {refused}"
    );
    assert_eq!(
        refused["storage_access"], false,
        "third-party cookies are blocked in the frame: {refused}"
    );
    b.screenshot("portal-signin-button").await;

    // One click: a popup on ktop-web's origin hands over a credential and closes.
    assert_eq!(window_count(&b).await, 1);
    click_in_frame(&b, "#signin").await;
    let shown = b
        .eventually("the signed-in frame's pods", WAIT, || async {
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
    assert_eq!(shown["signin"], 0, "signed in, no button: {shown}");
    assert_eq!(shown["error"], Value::Null, "{shown}");
    let href = shown["href"].as_str().unwrap_or_default();
    assert!(!href.contains("token"), "{href}");
    b.eventually("the sign-in popup to close itself", WAIT, || async {
        (window_count(&b).await == 1).then_some(())
    })
    .await;
    b.screenshot("portal-signed-in").await;

    // Another origin of the same host (same-site, so the cookie goes along) opens /signin
    // in a popup itself and listens: nothing arrives, and the popup holds no credential.
    let other = format!("http://127.0.0.1:{}/", server.port());
    server.set(thief(&format!("{}signin", ktop.url), &embed));
    b.goto(&other).await;
    b.client
        .execute("window.postMessage('control', '*')", vec![])
        .await
        .expect("control message");
    b.click("#steal", WAIT).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let got = b
        .client
        .execute("return window.got", vec![])
        .await
        .expect("messages");
    let got = got.as_array().cloned().unwrap_or_default();
    assert!(
        got.iter().any(|m| m["data"] == "\"control\""),
        "the listener works: {got:?}"
    );
    assert!(
        got.iter().all(|m| m["data"] == "\"control\""),
        "another origin received something from /signin: {got:?}"
    );
    let main = b.client.window().await.expect("this window");
    let popup = b
        .client
        .windows()
        .await
        .expect("windows")
        .into_iter()
        .find(|w| *w != main)
        .expect("the popup stays open: nothing to hand on");
    b.client.switch_to_window(popup).await.expect("popup");
    let html = b.client.source().await.expect("popup source");
    assert!(
        html.contains("handed only to ktop-web's own frames"),
        "the popup was refused, with the cookie: {html}"
    );
    assert!(!html.contains("ktop-web-credential"), "{html}");
    b.client.close_window().await.expect("close the popup");
    b.client.switch_to_window(main).await.expect("back");

    // Nor can that origin frame ktop-web: the frame has no sign-in button, nor anything.
    let framed = in_frame(&b).await;
    assert!(
        framed
            .as_ref()
            .is_none_or(|v| v["signin"] == 0 && v["rows"] == 0),
        "another origin framed ktop-web: {framed:?}"
    );
    b.screenshot("portal-signin-other-origin").await;
    b.close().await;

    // The probe of blocked cookies tells: with third-party cookies allowed, the same frame
    // has storage access.
    let open = Browser::start_with_prefs(&[], cookie_prefs(false)).await;
    server.set(portal_with_frame(&embed));
    open.goto(&format!("{allowed}/")).await;
    let framed = open
        .eventually("the frame with cookies allowed", WAIT, || async {
            in_frame(&open)
                .await
                .filter(|v| v["signin"].as_u64() == Some(1))
        })
        .await;
    assert_eq!(framed["storage_access"], true, "{framed}");
    open.close().await;
}
