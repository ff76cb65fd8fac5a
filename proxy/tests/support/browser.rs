//! Headless Debian Chromium driven over WebDriver (chromedriver + fantoccini).

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

use super::ktop::free_port;

/// Where screenshots go.
pub fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// A browser session; chromedriver and every Chromium process die with it.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium profile.
    pub async fn start() -> Browser {
        Self::start_with(&[]).await
    }

    /// Like [`Browser::start`], with extra Chromium flags.
    pub async fn start_with(extra_flags: &[&str]) -> Browser {
        Self::start_with_prefs(extra_flags, serde_json::json!({})).await
    }

    /// Like [`Browser::start_with`], with Chromium profile preferences too (for example
    /// `{"profile.cookie_controls_mode": 1}` to block third-party cookies).
    pub async fn start_with_prefs(extra_flags: &[&str], prefs: serde_json::Value) -> Browser {
        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own process group, so Drop can end Chromium's helpers too.
                .process_group(0)
                .spawn()
                .expect("chromedriver starts (apt-get install chromium-driver)");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1400,1000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(extra_flags.iter().map(|s| s.to_string()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": args,
                "prefs": prefs,
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start a Chromium session: {e}"),
            }
        };
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Navigates and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        self.client
            .wait()
            .at_most(timeout)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css:?} within {timeout:?}: {e}"))
    }

    /// Waits for `css` and clicks it.
    pub async fn click(&self, css: &str, timeout: Duration) {
        self.wait_for(css, timeout)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
    }

    /// Polls until `check` returns `Some`, or panics with `what` after `timeout`.
    pub async fn eventually<T, F, Fut>(&self, what: &str, timeout: Duration, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = check().await {
                return v;
            }
            if Instant::now() > deadline {
                let name: String = what
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                self.screenshot(&format!("timeout-{name}")).await;
                panic!("timed out after {timeout:?} waiting for {what}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Runs `js` inside the page's first frame and returns its value; `None` when the frame
    /// has no readable document (a refused frame, say).
    pub async fn run_in_frame(&self, js: &str) -> Option<serde_json::Value> {
        let frame = self
            .client
            .find(fantoccini::Locator::Css("iframe"))
            .await
            .ok()?;
        frame.enter_frame().await.ok()?;
        let shown = self.client.execute(js, vec![]).await.ok();
        self.client.enter_parent_frame().await.ok()?;
        shown
    }

    /// Text of the first element matching `css`, if any.
    pub async fn text(&self, css: &str) -> Option<String> {
        let el = self.client.find(Locator::Css(css)).await.ok()?;
        el.text().await.ok()
    }

    /// An attribute of the first element matching `css`, if any.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        let el = self.client.find(Locator::Css(css)).await.ok()?;
        el.attr(name).await.ok().flatten()
    }

    /// Every element matching `css`.
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
    }

    /// Makes the page hand over the text of the next file it offers for download (a Blob
    /// link), for [`Browser::downloaded`].
    pub async fn capture_download(&self) {
        let js = r#"
            window.__download = null;
            const create = URL.createObjectURL;
            URL.createObjectURL = blob => {
                blob.text().then(t => { window.__download = t; });
                return create(blob);
            };
        "#;
        self.client
            .execute(js, vec![])
            .await
            .expect("capture downloads");
    }

    /// Waits for the text of the download captured since [`Browser::capture_download`].
    pub async fn downloaded(&self, timeout: Duration) -> String {
        self.eventually("the download", timeout, || async {
            match self
                .client
                .execute("return window.__download", vec![])
                .await
            {
                Ok(serde_json::Value::String(s)) => Some(s),
                _ => None,
            }
        })
        .await
    }

    /// Saves a PNG under test-artifacts/ and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = artifacts_dir().join(format!("{name}.png"));
        match self.client.screenshot().await {
            Ok(png) => std::fs::write(&path, png).expect("write screenshot"),
            Err(e) => eprintln!("screenshot {name} failed: {e}"),
        }
        path
    }

    /// Ends the session cleanly.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium it started.
        let pgid = self.driver.id();
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .status();
        let _ = self.driver.wait();
    }
}
