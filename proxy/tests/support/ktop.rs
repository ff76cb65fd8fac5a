//! Runs the real `ktop-web` binary on a free port and talks HTTP to it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running ktop-web, killed on drop. Each has its own config directory (and so its own
/// access token) unless the caller passes `XDG_CONFIG_HOME`.
pub struct Ktop {
    child: Child,
    /// Base URL, ending in `/`, without the token.
    pub url: String,
    /// The access token from the startup URL.
    pub token: String,
    /// The port it listens on.
    pub port: u16,
    /// The startup line it printed.
    pub startup_line: String,
    _config: Option<tempfile::TempDir>,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Ktop {
    /// Starts `ktop-web <args> --port <free>` and waits for its startup line.
    pub fn start(args: &[&str], envs: &[(&str, &str)]) -> Ktop {
        let port = free_port();
        let (mut command, config) = command(args, envs, port);
        let mut child = command
            .stderr(Stdio::inherit())
            .spawn()
            .expect("ktop-web starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let startup_line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "ktop-web printed no startup line within 60 s (exit: {:?})",
                    child.try_wait()
                );
            }
        };
        let startup_url = startup_line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {startup_line:?}"));
        // No token with `--auth proxy`: viewers come through the proxy.
        let (url, token) = startup_url
            .split_once("?token=")
            .unwrap_or((startup_url, ""));
        Ktop {
            child,
            url: url.to_owned(),
            token: token.to_owned(),
            port,
            startup_line,
            _config: config,
        }
    }

    /// The process id, for reading its memory.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory, in MB.
    pub fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()));
        status
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }

    /// The server's CPU time so far (user and system), in milliseconds.
    pub fn cpu_ms(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // Fields after the command (which may hold spaces): utime is the 14th, stime the 15th.
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<f64> = after
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let ticks = fields.get(11).copied().unwrap_or(0.0) + fields.get(12).copied().unwrap_or(0.0);
        let per_second = std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or(100.0);
        ticks * 1000.0 / per_second
    }

    /// The kube context it serves, from its startup line.
    pub fn context(&self) -> String {
        self.startup_line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("context="))
            .unwrap_or_else(|| panic!("no context in {:?}", self.startup_line))
            .to_owned()
    }

    /// The page at `path` with the token, as the startup link carries it: the first visit
    /// in a browser swaps it for a cookie.
    pub fn signed(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!(
            "{}{}{sep}token={}",
            self.url,
            path.trim_start_matches('/'),
            self.token
        )
    }

    /// GETs a path (e.g. `api/v1/contexts`) with the token and returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let url = format!("{}{}", self.url, path.trim_start_matches('/'));
        http_get_with(
            &url,
            &[("authorization", &format!("Bearer {}", self.token))],
        )
        .await
    }

    /// GETs a path with the token and `headers`; status, response headers and body bytes.
    pub async fn get_bytes(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, hyper::HeaderMap, Vec<u8>) {
        let url = format!("{}{}", self.url, path.trim_start_matches('/'));
        let auth = format!("Bearer {}", self.token);
        let mut all = vec![("authorization", auth.as_str())];
        all.extend_from_slice(headers);
        http_get_bytes(&url, &all).await
    }

    /// GETs a path that must answer 200 with JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }
}

/// `ktop-web <args> --port <port>` with stdout piped and, unless `envs` sets
/// `XDG_CONFIG_HOME`, a fresh config directory (returned, so it lives as long as needed).
fn command(
    args: &[&str],
    envs: &[(&str, &str)],
    port: u16,
) -> (Command, Option<tempfile::TempDir>) {
    let config = (!envs.iter().any(|(k, _)| *k == "XDG_CONFIG_HOME"))
        .then(|| tempfile::tempdir().expect("config dir"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_ktop-web"));
    if let Some(dir) = &config {
        command.env("XDG_CONFIG_HOME", dir.path());
    }
    command
        .args(args)
        .args(["--port", &port.to_string()])
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    (command, config)
}

/// Runs `ktop-web <args>` (with a fresh config directory) that must exit on its own within
/// `timeout`, e.g. a startup failure; returns its output.
pub fn run_to_exit(
    args: &[&str],
    envs: &[(&str, &str)],
    timeout: Duration,
) -> std::process::Output {
    let (mut command, _config) = command(args, envs, free_port());
    let mut child = command
        .stderr(Stdio::piped())
        .spawn()
        .expect("ktop-web starts");
    let deadline = std::time::Instant::now() + timeout;
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("ktop-web {args:?} did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

impl Drop for Ktop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET.
pub async fn http_get(url: &str) -> (u16, String) {
    http_get_with(url, &[]).await
}

/// An HTTP/1.1 GET with extra headers.
pub async fn http_get_with(url: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let (status, _, body) = http_get_bytes(url, headers).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// An HTTP/1.1 GET with extra headers; status, response headers and the body as sent.
pub async fn http_get_bytes(
    url: &str,
    headers: &[(&str, &str)],
) -> (u16, hyper::HeaderMap, Vec<u8>) {
    http_get_bytes_from(None, url, headers).await
}

/// The same from the local address `from` (Linux routes all of 127.0.0.0/8 to the loopback
/// interface, so a client bound to 127.0.0.2 can play a trusted proxy).
pub async fn http_get_bytes_from(
    from: Option<std::net::IpAddr>,
    url: &str,
    headers: &[(&str, &str)],
) -> (u16, hyper::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_local_address(from);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, http_body_util::Empty<bytes::Bytes>>(connector);
    let mut request = hyper::Request::get(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(http_body_util::Empty::new())
        .expect("valid request");
    let response = client
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, headers, body.to_vec())
}
