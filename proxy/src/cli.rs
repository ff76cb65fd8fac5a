//! Command-line flags, kubectl-like. clap rejects bad values with exit code 2 before anything
//! starts.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use http::HeaderName;
use ipnet::IpNet;
use ktop_web_shared::api::{MAX_HISTORY, SourceMode};

use crate::history::HistorySource;
use crate::security::ProxyAuth;
use crate::source::{Components, PrometheusSettings, prometheus::MIN_INTERVAL};

/// The port bookmarks point at; fixed so a bookmarked view keeps working across restarts.
pub const DEFAULT_PORT: u16 = 7301;

/// A browser-based top for Kubernetes: live node and pod usage from your kubeconfig.
#[derive(Debug, Clone, Parser)]
#[command(name = "ktop-web", version, about)]
pub struct Cli {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Show only pods in this namespace.
    #[arg(short = 'n', long, value_name = "NAME", value_parser = parse_namespace)]
    pub namespace: Option<String>,

    /// Show pods in all namespaces (the default).
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// Where usage numbers come from.
    #[arg(long, value_enum, default_value_t = SourceArg::Auto)]
    pub metrics_source: SourceArg,

    /// Time between kubelet scrapes in prometheus mode, e.g. 15s, 1m (minimum 5s).
    #[arg(long, default_value = "15s", value_parser = parse_scrape_interval)]
    pub prometheus_scrape_interval: Duration,
    /// Kubelet endpoints read in prometheus mode, comma-separated: kubelet
    /// (/metrics/resource: CPU, memory) and cadvisor (/metrics/cadvisor: network, disk).
    #[arg(long, value_enum, value_delimiter = ',', num_args = 1.., default_values_t = [ComponentArg::Kubelet, ComponentArg::Cadvisor])]
    pub prometheus_components: Vec<ComponentArg>,
    /// Where ranges of history (1 h to 7 d) are read: a Prometheus-compatible query API by URL
    /// (Prometheus, Thanos Querier, Mimir's /prometheus, VictoriaMetrics), or
    /// service:NAMESPACE/NAME:PORT[/PATH] reached through the API server as each viewer.
    /// Without it, well-known services are looked for. A URL applies to the startup context
    /// only; a service is looked up in every context.
    #[arg(long, value_name = "URL|SERVICE", value_parser = crate::history::parse_history_source)]
    pub history_source: Option<HistorySource>,

    /// How often to sample, e.g. 5s, 1500ms, 1m (minimum 1s).
    #[arg(long, default_value = "5s", value_parser = parse_refresh)]
    pub refresh: Duration,

    /// Samples kept per series in the browser (2 to 3600).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(2..=i64::from(MAX_HISTORY)))]
    pub history: u32,

    /// Address to listen on. Anything but loopback exposes the UI to the network (the access
    /// token still guards it); add --allowed-host for the name people will use.
    #[arg(long, default_value = "127.0.0.1")]
    pub address: IpAddr,

    /// Another Host name (name or name:port) the server answers to, e.g. behind a reverse
    /// proxy. Repeatable. Only localhost, 127.0.0.1 and [::1] are accepted otherwise.
    #[arg(long, value_name = "HOST", value_parser = crate::security::parse_allowed_host)]
    pub allowed_host: Vec<String>,

    /// An origin (https://portal.example.com) allowed to embed ktop-web in an iframe.
    /// Repeatable; by default no page may frame it.
    #[arg(long, value_name = "ORIGIN", value_parser = crate::security::parse_embed_origin)]
    pub embed_origin: Vec<String>,

    /// Replace the stored access token: old links, bookmarks' cookies and embeds stop working.
    #[arg(long)]
    pub rotate_token: bool,

    /// Print the URL with the access token and exit (for a lost startup line).
    #[arg(long)]
    pub print_url: bool,

    /// Who may see data: `token` (the access token in the startup URL) or `proxy` (viewers
    /// named by an authenticating reverse proxy, e.g. oauth2-proxy; needs --trusted-proxy).
    #[arg(long, value_enum, default_value_t = AuthArg::Token)]
    pub auth: AuthArg,

    /// With --auth proxy: an address or CIDR (10.0.0.0/8, ::1) the authenticating proxy
    /// connects from; its identity headers are believed, anyone else is refused. Repeatable.
    #[arg(long, value_name = "CIDR", value_parser = parse_trusted_proxy, required_if_eq("auth", "proxy"))]
    pub trusted_proxy: Vec<IpNet>,

    /// With --auth proxy: the header naming the viewer.
    #[arg(long, value_name = "NAME", default_value = "X-Forwarded-User")]
    pub user_header: HeaderName,

    /// With --auth proxy: the header listing the viewer's groups, comma-separated.
    #[arg(long, value_name = "NAME", default_value = "X-Forwarded-Groups")]
    pub groups_header: HeaderName,

    /// With --auth proxy: the header carrying the viewer's e-mail address.
    #[arg(long, value_name = "NAME", default_value = "X-Forwarded-Email")]
    pub email_header: HeaderName,

    /// Port to listen on; bookmarks include it, so keep it stable.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,

    /// Open the UI in the default browser once the server is up.
    #[arg(long)]
    pub open: bool,

    /// Serve a simulated cluster instead of a real one (no kubeconfig needed).
    #[arg(long, conflicts_with_all = ["kubeconfig", "context", "metrics_source", "history_source"])]
    pub demo: bool,

    /// Log filter, e.g. info, debug, ktop_web=debug.
    #[arg(long, default_value = "info", env = "KTOP_WEB_LOG")]
    pub log_level: String,
}

/// `--metrics-source` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    /// prometheus, then metrics-server, then requests/limits.
    Auto,
    /// metrics.k8s.io (falls back to requests/limits while unavailable).
    MetricsServer,
    /// Kubelet and cAdvisor through the API server's node proxy.
    Prometheus,
    /// Requests and limits only.
    None,
}

/// `--auth` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// The access token in the startup URL (a cookie or a Bearer header afterwards).
    Token,
    /// Viewers named by an authenticating reverse proxy's headers.
    Proxy,
}

/// `--prometheus-components` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComponentArg {
    /// The kubelet's /metrics/resource.
    Kubelet,
    /// cAdvisor's /metrics/cadvisor.
    Cadvisor,
}

impl Cli {
    /// How the prometheus source scrapes.
    pub fn prometheus_settings(&self) -> PrometheusSettings {
        PrometheusSettings {
            interval: self.prometheus_scrape_interval,
            components: Components {
                kubelet: self.prometheus_components.contains(&ComponentArg::Kubelet),
                cadvisor: self.prometheus_components.contains(&ComponentArg::Cadvisor),
            },
        }
    }

    /// Where viewers' identities come from with `--auth proxy`; `None` with a token.
    pub fn proxy_auth(&self) -> Option<ProxyAuth> {
        (self.auth == AuthArg::Proxy).then(|| ProxyAuth {
            trusted: self.trusted_proxy.clone(),
            user: self.user_header.clone(),
            groups: self.groups_header.clone(),
            email: self.email_header.clone(),
        })
    }

    /// The source mode the server runs with.
    pub fn source_mode(&self) -> SourceMode {
        if self.demo {
            return SourceMode::Demo;
        }
        match self.metrics_source {
            SourceArg::Auto => SourceMode::Auto,
            SourceArg::MetricsServer => SourceMode::MetricsServer,
            SourceArg::Prometheus => SourceMode::Prometheus,
            SourceArg::None => SourceMode::None,
        }
    }
}

fn parse_refresh(s: &str) -> Result<Duration, String> {
    parse_duration_within(s, Duration::from_secs(1), "1s")
}

fn parse_scrape_interval(s: &str) -> Result<Duration, String> {
    parse_duration_within(s, MIN_INTERVAL, "5s")
}

/// A Go-style duration between `min` (spelled `min_text`) and an hour.
fn parse_duration_within(s: &str, min: Duration, min_text: &str) -> Result<Duration, String> {
    let d = ktop_web_shared::duration::parse_go_duration(s).map_err(|e| e.to_string())?;
    if d < min {
        return Err(format!("{s} is below the minimum of {min_text}"));
    }
    if d > Duration::from_secs(3600) {
        return Err(format!("{s} is above the maximum of 1h"));
    }
    Ok(d)
}

/// A CIDR, or a single address (a /32 or /128).
fn parse_trusted_proxy(s: &str) -> Result<IpNet, String> {
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is not an address or a CIDR such as 10.0.0.0/8"))
}

/// Namespaces are RFC 1123 labels; checking here turns a typo into a clear error.
fn parse_namespace(s: &str) -> Result<String, String> {
    let valid = !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if valid {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a valid namespace name (lowercase letters, digits and '-', at most 63)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("ktop-web").chain(args.iter().copied()))
    }

    #[test]
    fn defaults() {
        let cli = parse(&[]).expect("defaults parse");
        assert_eq!(cli.port, DEFAULT_PORT);
        assert_eq!(cli.refresh, Duration::from_secs(5));
        assert_eq!(cli.history, 120);
        assert_eq!(cli.address.to_string(), "127.0.0.1");
        assert_eq!(cli.source_mode(), SourceMode::Auto);
        let prom = cli.prometheus_settings();
        assert_eq!(prom.interval, Duration::from_secs(15));
        assert_eq!(
            prom.components,
            Components {
                kubelet: true,
                cadvisor: true
            }
        );
    }

    #[test]
    fn prometheus_flags() {
        let cli = parse(&[
            "--prometheus-scrape-interval",
            "1m",
            "--prometheus-components",
            "kubelet",
        ])
        .expect("parses");
        let prom = cli.prometheus_settings();
        assert_eq!(prom.interval, Duration::from_secs(60));
        assert!(prom.components.kubelet && !prom.components.cadvisor);
    }

    #[test]
    fn proxy_auth_needs_its_trusted_proxies() {
        assert!(parse(&[]).expect("defaults").proxy_auth().is_none());
        let err = parse(&["--auth", "proxy"]).expect_err("no trusted proxy");
        assert!(err.to_string().contains("--trusted-proxy"), "{err}");
        let cli = parse(&[
            "--auth",
            "proxy",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy",
            "::1",
            "--groups-header",
            "X-Auth-Request-Groups",
        ])
        .expect("parses");
        let auth = cli.proxy_auth().expect("proxy mode");
        assert!(auth.trusts("10.1.2.3".parse().expect("ip")));
        assert!(auth.trusts("::1".parse().expect("ip")));
        assert!(!auth.trusts("192.168.0.1".parse().expect("ip")));
        assert_eq!(auth.user.as_str(), "x-forwarded-user");
        assert_eq!(auth.groups.as_str(), "x-auth-request-groups");
        assert_eq!(auth.email.as_str(), "x-forwarded-email");
    }

    #[test]
    fn bad_values_exit_with_2() {
        for args in [
            &["--refresh", "500ms"][..],
            &["--refresh", "fast"],
            &["--history", "1"],
            &["--port", "70000"],
            &["--address", "localhost:1"],
            &["--metrics-source", "heapster"],
            &["--prometheus-scrape-interval", "2s"],
            &["--prometheus-components", "kubelet,node-exporter"],
            &["--prometheus-components", ""],
            &["-n", "Bad_NS"],
            &["-n", "shop", "-A"],
            &["--demo", "--context", "prod"],
            &["--no-such-flag"],
            &["--embed-origin", "*"],
            &["--embed-origin", "https:"],
            &["--allowed-host", "*.example.com"],
            &["--auth", "proxy"],
            &["--auth", "proxy", "--trusted-proxy", "10.0.0.0/33"],
            &["--auth", "proxy", "--trusted-proxy", "proxy.example.com"],
            &[
                "--auth",
                "proxy",
                "--trusted-proxy",
                "::1",
                "--user-header",
                "bad header",
            ],
            &["--auth", "cookie"],
            &["--history-source", "prometheus:9090"],
            &[
                "--history-source",
                "service:monitoring/prometheus:9090/../x",
            ],
        ] {
            let err = parse(args).expect_err(&format!("{args:?} must be rejected"));
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }

    #[test]
    fn history_is_bounded_by_what_the_browser_keeps() {
        let most = MAX_HISTORY.to_string();
        let cli = parse(&["--history", &most]).expect("the largest history parses");
        assert_eq!(cli.history, MAX_HISTORY);
        let err = parse(&["--history", &(MAX_HISTORY + 1).to_string()])
            .expect_err("more than the browser keeps is refused");
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains(&most), "{err}");
    }

    #[test]
    fn modes() {
        let cli = parse(&["--demo"]).expect("parses");
        assert_eq!(cli.source_mode(), SourceMode::Demo);
        let cli = parse(&["--metrics-source", "none", "-n", "shop"]).expect("parses");
        assert_eq!(cli.source_mode(), SourceMode::None);
        assert_eq!(cli.namespace.as_deref(), Some("shop"));
        let cli = parse(&[
            "--embed-origin",
            "https://portal.example.com/",
            "--embed-origin",
            "http://127.0.0.1:8080",
            "--allowed-host",
            "ktop.internal:443",
        ])
        .expect("parses");
        assert_eq!(
            cli.embed_origin,
            ["https://portal.example.com", "http://127.0.0.1:8080"]
        );
        assert_eq!(cli.allowed_host, ["ktop.internal:443"]);
        let cli = parse(&["--refresh", "1m"]).expect("parses");
        assert_eq!(cli.refresh, Duration::from_secs(60));
    }
}
