//! ktop-web against a misbehaving upstream, on the real test cluster: an API server restart,
//! a credential plugin that hangs, and HTTPS_PROXY/NO_PROXY.

// The cluster lock is held across awaits on purpose: tests in one binary run one at a time.
#![allow(clippy::await_holding_lock)]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ktop_web_shared::api::{FallbackReason, Snapshot, SourceKind};
use support::browser::Browser;
use support::cluster::TestCluster;
use support::ktop::{Ktop, run_to_exit};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WAIT: Duration = Duration::from_secs(60);

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

async fn snapshot(ktop: &Ktop) -> (u16, Option<Snapshot>, String) {
    let context = ktop.context();
    let (status, body) = ktop
        .get(&format!("api/v1/contexts/{context}/snapshot"))
        .await;
    (status, serde_json::from_str(&body).ok(), body)
}

async fn wait_live(ktop: &Ktop, source: SourceKind, timeout: Duration) -> Snapshot {
    let start = Instant::now();
    loop {
        if let (200, Some(s), _) = snapshot(ktop).await
            && s.source.live == source
        {
            return s;
        }
        assert!(
            start.elapsed() < timeout,
            "{source:?} not live within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn the_ui_keeps_showing_data_across_an_api_server_restart() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let kubeconfig = c.kubeconfig.display().to_string();
    let refresh = Duration::from_secs(5);
    let ktop = Ktop::start(
        &["--refresh", "5s", "--metrics-source", "metrics-server"],
        &[("KUBECONFIG", kubeconfig.as_str())],
    );
    wait_live(&ktop, SourceKind::MetricsServer, WAIT).await;
    let b = Browser::start().await;
    b.goto(&ktop.signed("nodes")).await;
    b.wait_for("#source-badge[data-live-source='metrics-server']", WAIT)
        .await;

    c.script(&["apiserver", "restart"]);
    let back = Instant::now();
    let back_ms = now_ms();
    // Within two refreshes the page has a snapshot taken after the restart, and no error.
    let fresh = b
        .eventually(
            "a fresh snapshot after the restart",
            2 * refresh,
            || async {
                let (status, snap, _) = snapshot(&ktop).await;
                snap.filter(|s| status == 200 && s.taken_at_ms > back_ms)
            },
        )
        .await;
    assert!(!fresh.nodes.is_empty());
    assert!(
        b.all("#error").await.is_empty(),
        "an error banner after the restart"
    );
    assert!(!b.all("#nodes-table tr.row[data-node]").await.is_empty());
    eprintln!(
        "fresh snapshot {:?} after the API server was back",
        back.elapsed()
    );
    // Usage comes back once the aggregated metrics API is available again.
    wait_live(&ktop, SourceKind::MetricsServer, Duration::from_secs(120)).await;
    b.wait_for("#source-badge[data-live-source='metrics-server']", WAIT)
        .await;
    eprintln!(
        "metrics-server live again {:?} after the restart",
        back.elapsed()
    );
    b.close().await;
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_hanging_credential_plugin_never_blocks_the_server() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let dir = tempfile::tempdir().expect("temp dir");
    let hang = dir.path().join("hang");
    let marker = format!(
        "hung-plugin-{}",
        dir.path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    // Tokens live 61 s, so kube-rs (which refreshes 60 s early) runs the plugin again on the
    // next request; while `hang` exists, the plugin never finishes.
    let body = format!(
        "if [[ -e {hang} ]]; then exec -a {marker} sleep 3600; fi\nKTOP_EXEC_TTL=61 exec {real}",
        hang = hang.display(),
        real = c.exec_plugin().display()
    );
    let kubeconfig = c.kubeconfig_with_plugin(dir.path(), "plugin", &body);
    let ktop = Ktop::start(
        &[
            "--kubeconfig",
            &kubeconfig.display().to_string(),
            "--refresh",
            "2s",
            "--metrics-source",
            "metrics-server",
        ],
        &[],
    );
    wait_live(&ktop, SourceKind::MetricsServer, WAIT).await;

    std::fs::write(&hang, "").expect("hang from now on");
    let started = Instant::now();
    let timeout_seen = loop {
        let asked = Instant::now();
        let (status, snap, body) = snapshot(&ktop).await;
        let took = asked.elapsed();
        assert!(
            took < Duration::from_secs(13),
            "snapshot took {took:?} (deadline 10 s)"
        );
        assert_eq!(status, 200, "{body}");
        let snap = snap.expect("snapshot");
        if let Some(f) = snap
            .source
            .fallbacks
            .iter()
            .find(|f| f.source == SourceKind::MetricsServer)
        {
            break f.clone();
        }
        assert!(started.elapsed() < WAIT, "the hang never showed");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        timeout_seen.reason,
        FallbackReason::Timeout,
        "{timeout_seen:?}"
    );
    assert!(
        timeout_seen.hint.contains("credential plugin"),
        "{}",
        timeout_seen.hint
    );

    // The server itself answers at once while the plugin hangs.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let asked = Instant::now();
        let (status, body) = support::ktop::http_get(&format!("{}healthz", ktop.url)).await;
        slowest = slowest.max(asked.elapsed());
        assert_eq!((status, body.as_str()), (200, "ok"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        slowest < Duration::from_millis(100),
        "/healthz took {slowest:?}"
    );
    eprintln!("while the plugin hangs: slowest of 5 /healthz answers {slowest:?}");
    let asked = Instant::now();
    let (status, _) = ktop.get("").await;
    assert_eq!(status, 200, "the app page");
    assert!(
        asked.elapsed() < Duration::from_millis(100),
        "page took {:?}",
        asked.elapsed()
    );

    // An upstream read answers with a clear error within its deadline.
    let context = snapshot(&ktop).await.1.expect("snapshot").cluster.context;
    let asked = Instant::now();
    let (status, body) = ktop
        .get(&format!(
            "api/v1/contexts/{context}/namespaces/shop/pods/none/log"
        ))
        .await;
    assert!(
        asked.elapsed() < Duration::from_secs(13),
        "log read took {:?}",
        asked.elapsed()
    );
    assert_eq!(status, 504, "{body}");
    assert!(
        body.contains("did not answer within 10s") && body.contains("credential plugin"),
        "{body}"
    );

    // The plugin hangs (it shows up as a process), and is stopped after its 20 s limit, which
    // releases kube's credential lock for the next attempt. Followed by its pid: the watch
    // and read clients each run the plugin, so another hung one may start meanwhile.
    let (hung, hung_at) = loop {
        if let Some(pid) = running(&marker).first() {
            break (*pid, Instant::now());
        }
        assert!(started.elapsed() < WAIT, "the plugin never ran");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    while running(&marker).contains(&hung) {
        assert!(
            hung_at.elapsed() < Duration::from_secs(30),
            "the hung plugin was never stopped"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("hung plugin stopped after {:?}", hung_at.elapsed());

    std::fs::remove_file(&hang).expect("stop hanging");
    wait_live(&ktop, SourceKind::MetricsServer, Duration::from_secs(120)).await;
}

/// The processes whose command line contains `marker`.
fn running(marker: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(marker)
                .then_some(pid)
        })
        .collect()
}

/// A minimal HTTP CONNECT proxy that counts the tunnels it opened.
async fn connect_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let tunnels = Arc::new(AtomicUsize::new(0));
    let count = tunnels.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head);
                let Some(target) = head
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split_whitespace().next())
                else {
                    return;
                };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (url, tunnels)
}

// Multi-threaded: the proxy must keep running while `Ktop::start` blocks this thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn https_proxy_and_no_proxy_are_honoured() {
    let c = TestCluster::shared();
    let kubeconfig = c.kubeconfig.display().to_string();
    let kubeconfig = kubeconfig.as_str();

    // Through a proxy: every connection to the API server is a tunnel through it.
    let (proxy, tunnels) = connect_proxy().await;
    let ktop = Ktop::start(
        &["--metrics-source", "metrics-server"],
        &[
            ("KUBECONFIG", kubeconfig),
            ("HTTPS_PROXY", &proxy),
            ("NO_PROXY", ""),
        ],
    );
    wait_live(&ktop, SourceKind::MetricsServer, WAIT).await;
    assert!(
        tunnels.load(Ordering::SeqCst) >= 1,
        "HTTPS_PROXY was not used"
    );
    drop(ktop);

    // A dead proxy: startup fails with a message that names the server.
    let dead = format!("http://127.0.0.1:{}", support::ktop::free_port());
    let out = run_to_exit(
        &[],
        &[
            ("KUBECONFIG", kubeconfig),
            ("HTTPS_PROXY", &dead),
            ("NO_PROXY", ""),
        ],
        Duration::from_secs(60),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("cannot reach the API server"), "{err}");

    // NO_PROXY exempts the API server from the same dead proxy.
    let ktop = Ktop::start(
        &["--metrics-source", "metrics-server"],
        &[
            ("KUBECONFIG", kubeconfig),
            ("HTTPS_PROXY", &dead),
            ("NO_PROXY", "127.0.0.1"),
        ],
    );
    wait_live(&ktop, SourceKind::MetricsServer, WAIT).await;
}
