//! Startup: connect, build the cluster view, bind, print where to look, serve until Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::ValueEnum;
use ktop_web_shared::api::{ClusterInfo, SourceMode};
use tokio::net::TcpListener;

use crate::cli::{AuthArg, Cli};
use crate::cluster_view::ClusterView;
use crate::clusters::{Clusters, Connector};
use crate::history::{HistoryReader, HistorySource};
use crate::http::{AppState, app, listener};
use crate::kube_access;
use crate::objects::{ObjectCache, spawn_watches};
use crate::reads::Reads;
use crate::security::{AccessToken, Policy, token};
use crate::source::{
    DemoCluster, MetricsServer, MetricsSource, Prometheus, SourceError, SourceSelector, Sources,
    explain_prometheus, prometheus_probe,
};
use crate::viewer_clients::ViewerClients;

/// Longest a metrics read may take, kube's own retries included.
const SAMPLE_DEADLINE: Duration = Duration::from_secs(10);

/// Runs the server until interrupted.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let token_dir = token::default_dir()?;
    let access = token::load_or_create(&token_dir, cli.rotate_token)?;
    let url = startup_url(&cli, &access);
    if cli.print_url {
        println!("{url}");
        return Ok(());
    }
    let (clusters, line) = if cli.demo {
        let (view, line) = demo_view(&cli);
        (Clusters::single(view), line)
    } else {
        let (view, line, others) = cluster_view(&cli, cli.context.as_deref()).await?;
        (Clusters::lazy(view, others, connector(&cli)), line)
    };

    let addr = SocketAddr::new(cli.address, cli.port);
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "port {} on {} is already in use (another ktop-web?) — stop it or pick another with --port",
            cli.port,
            cli.address
        ),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot listen on {addr} (see --address/--port)"));
        }
    };
    if let Some(auth) = cli.proxy_auth() {
        let trusted: Vec<String> = auth.trusted.iter().map(ToString::to_string).collect();
        tracing::info!(trusted = %trusted.join(","), user_header = %auth.user, "viewers are named by the authenticating proxy; requests from other addresses are refused");
    } else if !cli.address.is_loopback() {
        tracing::warn!(%addr, "listening on a non-loopback address: anyone who can reach it and has the access token sees this cluster's metrics");
    }
    // The one startup line; stdout (not the log), so scripts can read the URL and the token
    // stays out of log files.
    println!("ktop-web: {line} → open {url}");
    if cli.open {
        open_browser(&url, &token_dir, cli.port);
    }

    let clusters = Arc::new(clusters);
    crate::clusters::spawn_idle_sweeper(&clusters);
    let state = AppState { clusters };
    let mut policy = Policy::new(
        cli.address,
        cli.port,
        &cli.allowed_host,
        cli.embed_origin.clone(),
        access,
    );
    if let Some(auth) = cli.proxy_auth() {
        policy = policy.with_proxy(auth);
    }
    listener::serve(listener, app(state, policy), shutdown_signal()).await;
    Ok(())
}

/// `http://127.0.0.1:PORT/?token=…` (or the bound address when it is a specific one); no
/// token with `--auth proxy`, where viewers come through the proxy instead.
fn startup_url(cli: &Cli, access: &AccessToken) -> String {
    let host = match cli.address {
        std::net::IpAddr::V4(a) if a.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(a) if a.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V6(a) => format!("[{a}]"),
        a => a.to_string(),
    };
    match cli.auth {
        AuthArg::Token => format!("http://{host}:{}/?token={}", cli.port, access.reveal()),
        AuthArg::Proxy => format!("http://{host}:{}/", cli.port),
    }
}

fn info(
    cli: &Cli,
    context: String,
    server: String,
    user: String,
    namespace: Option<String>,
) -> ClusterInfo {
    ClusterInfo {
        context,
        server,
        user,
        namespace,
        refresh_ms: u64::try_from(cli.refresh.as_millis()).unwrap_or(u64::MAX),
        history: cli.history,
        demo: cli.demo,
    }
}

fn demo_view(cli: &Cli) -> (ClusterView, String) {
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let demo = Arc::new(DemoCluster::new(now_s));
    let objects = demo.object_cache();
    let source: Arc<dyn MetricsSource> = demo.clone();
    let selector = SourceSelector::new(SourceMode::Demo, Sources::demo(source), SAMPLE_DEADLINE);
    let info = info(cli, "demo".into(), "simulated".into(), "demo".into(), None);
    let line = "DEMO (simulated cluster, 5 nodes) source=demo".to_owned();
    (
        ClusterView::new(info, objects, selector, Default::default())
            .with_reads(Reads::demo(demo.clone()))
            .with_history(HistoryReader::demo(demo)),
        line,
    )
}

/// Connects the kubeconfig's other contexts when the browser first asks for one, with the
/// same flags as the startup context.
fn connector(cli: &Cli) -> Connector {
    let mut cli = cli.clone();
    // A URL is one cluster's store; other contexts look for their own.
    if matches!(cli.history_source, Some(HistorySource::Url(_))) {
        cli.history_source = None;
    }
    let cli = Arc::new(cli);
    Arc::new(move |context: String| {
        let cli = cli.clone();
        Box::pin(async move {
            cluster_view(&cli, Some(&context))
                .await
                .map(|(view, _, _)| view)
                .map_err(|e| format!("{e:#}"))
        })
    })
}

/// Connects `context` (the current one when `None`): its view, its startup line, and the
/// kubeconfig's contexts.
async fn cluster_view(
    cli: &Cli,
    context: Option<&str>,
) -> anyhow::Result<(ClusterView, String, Vec<String>)> {
    let mode = cli.source_mode();
    let conn = kube_access::connect(cli.kubeconfig.as_ref(), context).await?;
    let version = kube_access::check_reachable(&conn).await?;
    let namespace = if cli.all_namespaces {
        None
    } else {
        cli.namespace.clone()
    };
    let settings = cli.prometheus_settings();
    if mode == SourceMode::Prometheus {
        // An explicit choice is checked now, so a missing permission is an error at startup
        // rather than a quiet requests/limits view.
        if let Err(e) = prometheus_probe(&conn.clients, settings.components).await {
            let (message, hint) = explain_prometheus(&e);
            // A missing permission or endpoint is for the user to fix; one slow or down node
            // is not a reason to refuse.
            if matches!(e, SourceError::Forbidden(_) | SourceError::NotInstalled(_)) {
                bail!("--metrics-source prometheus: {message}\n  {hint}");
            }
            tracing::warn!(%message, "could not read one node's kubelet metrics at startup; starting anyway");
        }
    }
    // Started only once nothing can refuse the context any more; `Watches` stops them with
    // the view either way.
    let objects = ObjectCache::default();
    let watches = spawn_watches(&conn.clients, namespace.as_deref(), &objects);
    let sources = Sources {
        prometheus: Some(Arc::new(Prometheus::new(
            conn.clients.clone(),
            objects.clone(),
            namespace.clone(),
            settings,
        ))),
        metrics_server: Some(Arc::new(MetricsServer::new(
            conn.clients.clone(),
            namespace.clone(),
        ))),
        demo: None,
    };
    let selector = SourceSelector::new(mode, sources, SAMPLE_DEADLINE);
    let id = &conn.identity;
    let line = format!(
        "context={} server={} ({version}) user={} namespace={} source={}",
        id.context,
        id.server,
        id.user,
        namespace.as_deref().unwrap_or("all"),
        cli.metrics_source
            .to_possible_value()
            .map_or("auto".into(), |v| v.get_name().to_owned()),
    );
    let info = info(
        cli,
        id.context.clone(),
        id.server.clone(),
        id.user.clone(),
        namespace,
    );
    match &cli.history_source {
        Some(source) => {
            tracing::info!(context = %id.context, %source, "history ranges are read from --history-source")
        }
        None => {
            tracing::info!(context = %id.context, "no --history-source: well-known services are looked for when a range is first asked for")
        }
    }
    let mut reads = Reads::new(conn.clients.clone(), info.namespace.clone());
    if cli.auth == AuthArg::Proxy {
        reads = reads.acting_as_viewers(ViewerClients::new(conn.config.clone()));
    }
    Ok((
        ClusterView::new(info, objects, selector, watches)
            .with_reads(reads)
            .with_history(HistoryReader::new(cli.history_source.clone())),
        line,
        conn.contexts,
    ))
}

/// Opens the default browser on a private redirect file, so the token never appears on a
/// command line other users can read (`/proc/*/cmdline`).
fn open_browser(url: &str, token_dir: &std::path::Path, port: u16) {
    let page = format!(
        "<!DOCTYPE html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={url}\"><title>ktop-web</title><a href=\"{url}\">Open ktop-web</a>\n"
    );
    let file = match token::write_private(token_dir, &format!("open-{port}.html"), &page) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(%e, "cannot open a browser; open the printed link yourself");
            return;
        }
    };
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener)
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(_) => {}
        Err(e) => tracing::warn!(%e, "cannot open a browser; open the printed link yourself"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(%e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
