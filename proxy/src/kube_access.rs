//! Connecting to the cluster the way kubectl does: kubeconfig (KUBECONFIG, `--kubeconfig`,
//! `--context`) with every auth kind kube-rs supports, else the in-cluster service account.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kube::Config;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::exec_guard::guard_exec_plugins;
use crate::kube_clients::Clients;

/// How long the startup reachability check may take.
const REACH_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the cluster could not be reached, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The kubeconfig file is missing or not valid YAML.
    #[error(
        "cannot read kubeconfig {path}: {source}\n  → check the path, or pass another with --kubeconfig; `ktop-web --demo` runs without a cluster"
    )]
    Kubeconfig {
        /// The file that failed.
        path: String,
        /// The underlying error.
        source: kube::config::KubeconfigError,
    },
    /// `--context` names a context the kubeconfig does not have.
    #[error(
        "context {name:?} is not in the kubeconfig (known: {known})\n  → see `kubectl config get-contexts`"
    )]
    UnknownContext {
        /// The requested context.
        name: String,
        /// The contexts that exist.
        known: String,
    },
    /// No kubeconfig and not running in a pod.
    #[error(
        "no kubeconfig found and not running inside a cluster: {0}\n  → set KUBECONFIG or pass --kubeconfig; `ktop-web --demo` runs without a cluster"
    )]
    NoConfig(String),
    /// The kubeconfig was read but could not be turned into a client.
    #[error("cannot use the kubeconfig: {0}\n  → check the context's cluster and user entries")]
    InvalidConfig(String),
    /// The API server did not answer.
    #[error(
        "cannot reach the API server at {server}: {reason}\n  → check VPN/network and that `kubectl --context {context} get --raw /version` works"
    )]
    Unreachable {
        /// Server URL.
        server: String,
        /// Context name.
        context: String,
        /// What failed.
        reason: String,
    },
}

/// Which cluster, as whom: shown at startup and in the UI.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Context name (`in-cluster` without a kubeconfig).
    pub context: String,
    /// API server URL.
    pub server: String,
    /// Kubeconfig user name.
    pub user: String,
}

/// Ready clients plus what they point at.
pub struct Connection {
    /// The kube clients, rebuilt after a 401.
    pub clients: Arc<Clients>,
    /// Its identity.
    pub identity: Identity,
    /// Every context of the kubeconfig (none in-cluster), for the context switcher.
    pub contexts: Vec<String>,
    /// The configuration the clients were made from, for clients acting as viewers.
    pub config: Config,
}

/// Loads the kubeconfig (or in-cluster config) and builds a client.
pub async fn connect(
    kubeconfig: Option<&PathBuf>,
    context: Option<&str>,
) -> Result<Connection, ConnectError> {
    let explicit = kubeconfig.is_some();
    let loaded =
        match kubeconfig {
            Some(path) => Kubeconfig::read_from(path).map(Some).map_err(|source| {
                ConnectError::Kubeconfig {
                    path: path.display().to_string(),
                    source,
                }
            })?,
            None => read_default_kubeconfig()?,
        };
    let Some(mut kubeconfig) = loaded else {
        if explicit || context.is_some() {
            return Err(ConnectError::NoConfig(
                "no kubeconfig to take --context from".into(),
            ));
        }
        let config = Config::incluster().map_err(|e| ConnectError::NoConfig(e.to_string()))?;
        let identity = Identity {
            context: "in-cluster".into(),
            server: config.cluster_url.to_string(),
            user: "service-account".into(),
        };
        return clients(config, identity).await;
    };
    guard_exec_plugins(&mut kubeconfig);

    let context_name = match context {
        Some(name) => name.to_owned(),
        None => kubeconfig.current_context.clone().ok_or_else(|| {
            ConnectError::InvalidConfig(
                "the kubeconfig has no current-context; pass --context".into(),
            )
        })?,
    };
    let named = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .ok_or_else(|| ConnectError::UnknownContext {
            name: context_name.clone(),
            known: kubeconfig
                .contexts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let ctx = named.context.clone().unwrap_or_default();
    let contexts = kubeconfig.contexts.iter().map(|c| c.name.clone()).collect();
    let options = KubeConfigOptions {
        context: Some(context_name.clone()),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| ConnectError::InvalidConfig(e.to_string()))?;
    let identity = Identity {
        context: context_name,
        server: config.cluster_url.to_string(),
        user: ctx.user.unwrap_or_default(),
    };
    let mut connection = clients(config, identity).await?;
    connection.contexts = contexts;
    Ok(connection)
}

async fn clients(mut config: Config, identity: Identity) -> Result<Connection, ConnectError> {
    // Named in the API server's audit log, so cluster admins can tell what made a request.
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("ktop-web/", env!("CARGO_PKG_VERSION"))),
    ));
    let clients = Clients::new(Clients::from_config(config.clone()))
        .await
        .map_err(ConnectError::InvalidConfig)?;
    Ok(Connection {
        clients: Arc::new(clients),
        identity,
        contexts: Vec::new(),
        config,
    })
}

/// `$KUBECONFIG` (merged) or `~/.kube/config`; `None` when neither exists.
fn read_default_kubeconfig() -> Result<Option<Kubeconfig>, ConnectError> {
    if let Some(paths) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let shown = paths.to_string_lossy().into_owned();
        return Kubeconfig::from_env().map_err(|source| ConnectError::Kubeconfig {
            path: shown,
            source,
        });
    }
    let Some(home) = std::env::var_os("HOME") else {
        return Ok(None);
    };
    let path = PathBuf::from(home).join(".kube").join("config");
    if !path.exists() {
        return Ok(None);
    }
    Kubeconfig::read_from(&path)
        .map(Some)
        .map_err(|source| ConnectError::Kubeconfig {
            path: path.display().to_string(),
            source,
        })
}

/// Fails fast with a clear message when the API server does not answer; runs exec plugins
/// once so their errors surface at startup rather than in the browser.
pub async fn check_reachable(conn: &Connection) -> Result<String, ConnectError> {
    let unreachable = |reason: String| ConnectError::Unreachable {
        server: conn.identity.server.clone(),
        context: conn.identity.context.clone(),
        reason,
    };
    let client = conn.clients.watch().client;
    match tokio::time::timeout(REACH_TIMEOUT, client.apiserver_version()).await {
        Ok(Ok(info)) => Ok(info.git_version),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(unreachable(format!(
            "no answer within {}s",
            REACH_TIMEOUT.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const CONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: { server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true }
contexts:
- name: dev
  context: { cluster: c1, user: alice, namespace: shop }
- name: prod
  context: { cluster: c1, user: bob }
users:
- name: alice
  user: { token: abc }
- name: bob
  user: { token: def }
"#;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(text.as_bytes()).expect("write");
        f
    }

    #[tokio::test]
    async fn reads_context_user_and_namespace() {
        let f = file(CONFIG);
        let path = f.path().to_path_buf();
        let conn = connect(Some(&path), None).await.expect("connects");
        assert_eq!(conn.identity.context, "dev");
        assert_eq!(conn.identity.user, "alice");
        assert_eq!(conn.identity.server, "https://127.0.0.1:6443/");
        let conn = connect(Some(&path), Some("prod")).await.expect("connects");
        assert_eq!(conn.identity.user, "bob");
    }

    #[tokio::test]
    async fn unknown_context_lists_the_known_ones() {
        let f = file(CONFIG);
        let Err(err) = connect(Some(&f.path().to_path_buf()), Some("staging")).await else {
            panic!("must fail")
        };
        let text = err.to_string();
        assert!(text.contains("\"staging\""), "{text}");
        assert!(text.contains("dev, prod"), "{text}");
    }

    #[tokio::test]
    async fn unreadable_kubeconfig_names_the_file() {
        let missing = PathBuf::from("/nonexistent/kubeconfig");
        let Err(err) = connect(Some(&missing), None).await else {
            panic!("must fail")
        };
        assert!(err.to_string().contains("/nonexistent/kubeconfig"), "{err}");
        let f = file("this: [is not a kubeconfig");
        let Err(err) = connect(Some(&f.path().to_path_buf()), None).await else {
            panic!("must fail")
        };
        assert!(matches!(err, ConnectError::Kubeconfig { .. }), "{err}");
    }

    #[tokio::test]
    async fn unreachable_server_is_reported() {
        // Port 9 (discard) on loopback is closed: connection refused at once.
        let f = file(&CONFIG.replace("127.0.0.1:6443", "127.0.0.1:9"));
        let conn = connect(Some(&f.path().to_path_buf()), None)
            .await
            .expect("config loads");
        let Err(err) = check_reachable(&conn).await else {
            panic!("must fail")
        };
        let text = err.to_string();
        assert!(
            text.contains("cannot reach the API server at https://127.0.0.1:9/"),
            "{text}"
        );
    }
}
