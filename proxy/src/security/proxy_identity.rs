//! `--auth proxy`: who the viewer is comes from the headers of an authenticating reverse
//! proxy (oauth2-proxy's `X-Forwarded-User`, `-Groups`, `-Email` by default), believed only
//! when the connection comes from a `--trusted-proxy` address. Anyone else could set those
//! headers, so a request from another address is refused whatever it carries.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use super::{is_probe, reject};

/// Where identities come from in proxy mode.
#[derive(Debug, Clone)]
pub struct ProxyAuth {
    /// Addresses allowed to speak for a viewer.
    pub trusted: Vec<IpNet>,
    /// The header naming the viewer.
    pub user: HeaderName,
    /// The header listing the viewer's groups, comma-separated.
    pub groups: HeaderName,
    /// The header carrying the viewer's e-mail address.
    pub email: HeaderName,
}

/// The person a request is for, as the authenticating proxy named them. Per-object reads
/// are made on their behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// User name, as the API server's RBAC knows it.
    pub user: String,
    /// Groups, as the API server's RBAC knows them.
    pub groups: Vec<String>,
    /// E-mail address, when the proxy sends one.
    pub email: Option<String>,
}

const NOT_FROM_PROXY: &str = "ktop-web takes requests only through its authenticating proxy.";
const NO_IDENTITY: &str = "The authenticating proxy sent no single user: sign in through it again.";
const SYSTEM_IDENTITY: &str = "ktop-web does not act as a system: user or group.";

/// The prefix Kubernetes reserves for its own users and groups (`system:masters`,
/// `system:serviceaccount:…`): a name from an identity provider that starts with it is
/// refused rather than impersonated.
const RESERVED_PREFIX: &str = "system:";

/// Lets a request through with its [`Viewer`] when it comes from a trusted proxy that names
/// a user; health probes (from the kubelet, not the proxy) need neither. Refusals are logged
/// with the peer and the path, never with the headers' values.
pub async fn require_viewer(
    State(auth): State<Arc<ProxyAuth>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_probe(&path) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer.filter(|&ip| auth.trusts(ip)) else {
        let peer = peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        tracing::warn!(%peer, %path, "refused: not from a trusted proxy");
        return reject(&path, StatusCode::FORBIDDEN, NOT_FROM_PROXY);
    };
    match auth.viewer(request.headers()) {
        Some(viewer) if viewer.is_reserved() => {
            tracing::warn!(%peer, %path, "refused: a system: user or group from the proxy");
            reject(&path, StatusCode::FORBIDDEN, SYSTEM_IDENTITY)
        }
        Some(viewer) => {
            request.extensions_mut().insert(viewer);
            next.run(request).await
        }
        None => {
            tracing::warn!(%peer, %path, header = %auth.user, "refused: no single user from the proxy");
            reject(&path, StatusCode::UNAUTHORIZED, NO_IDENTITY)
        }
    }
}

impl Viewer {
    /// True when the user or a group is one Kubernetes reserves for itself.
    fn is_reserved(&self) -> bool {
        let reserved = |name: &String| name.starts_with(RESERVED_PREFIX);
        reserved(&self.user) || self.groups.iter().any(reserved)
    }
}

impl ProxyAuth {
    /// True when `ip` is one of the trusted proxies (an IPv4 peer on an IPv6 socket counts
    /// as its IPv4 address).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The viewer the headers name; `None` without exactly one readable user. A second one,
    /// as another header or joined with a comma, could be a client's, passed on by a proxy
    /// that appends instead of replacing.
    pub fn viewer(&self, headers: &HeaderMap) -> Option<Viewer> {
        let single = |name: &HeaderName| {
            let mut values = headers.get_all(name).iter();
            let value = values.next()?.to_str().ok()?.trim();
            let one = values.next().is_none() && !value.is_empty() && !value.contains(',');
            one.then(|| value.to_owned())
        };
        // Groups may come as one comma-separated value or as several.
        let mut groups = Vec::new();
        for value in headers.get_all(&self.groups) {
            let Ok(value) = value.to_str() else { continue };
            let names = value.split(',').map(str::trim).filter(|g| !g.is_empty());
            groups.extend(names.map(str::to_owned));
        }
        Some(Viewer {
            user: single(&self.user)?,
            groups,
            email: single(&self.email),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::{AccessToken, Policy, protect};
    use axum::Router;
    use axum::body::Body;
    use axum::extract::Extension;
    use axum::routing::get;
    use tower::ServiceExt;

    fn auth() -> ProxyAuth {
        ProxyAuth {
            trusted: vec![
                "10.0.0.0/24".parse().expect("cidr"),
                "::1/128".parse().expect("cidr"),
            ],
            user: HeaderName::from_static("x-forwarded-user"),
            groups: HeaderName::from_static("x-forwarded-groups"),
            email: HeaderName::from_static("x-forwarded-email"),
        }
    }

    fn app() -> Router {
        let policy = Policy::new(
            "127.0.0.1".parse().expect("ip"),
            7301,
            &[],
            vec![],
            AccessToken::generate(),
        )
        .with_proxy(auth());
        let router = Router::new()
            .route(
                "/api/v1/whoami",
                get(|Extension(v): Extension<Viewer>| async move {
                    format!("{}|{}|{:?}", v.user, v.groups.join(";"), v.email)
                }),
            )
            .route("/healthz", get(|| async { "ok" }));
        protect(router, policy)
    }

    async fn send(peer: &str, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
        let mut request = Request::builder()
            .uri(path)
            .header("sec-fetch-site", "same-origin");
        if !headers.iter().any(|(k, _)| *k == "host") {
            request = request.header("host", "localhost:7301");
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let mut request = request.body(Body::empty()).expect("request");
        let peer: SocketAddr = peer.parse().expect("peer");
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = app().oneshot(request).await.expect("answer");
        let status = response.status();
        (status, crate::http::body_text(response).await)
    }

    #[tokio::test]
    async fn a_trusted_proxy_names_the_viewer() {
        let (status, body) = send(
            "10.0.0.7:40000",
            "/api/v1/whoami",
            &[
                ("x-forwarded-user", "alice"),
                ("x-forwarded-groups", "shop-devs, oncall,"),
                ("x-forwarded-email", "alice@example.com"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, "alice|shop-devs;oncall|Some(\"alice@example.com\")");
        let (status, body) =
            send("[::1]:1", "/api/v1/whoami", &[("x-forwarded-user", "bob")]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "bob||None"));
    }

    #[tokio::test]
    async fn anyone_else_is_refused_whatever_they_send() {
        let forged = [("x-forwarded-user", "cluster-admin")];
        let (status, body) = send("10.0.1.7:40000", "/api/v1/whoami", &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("authenticating proxy"), "{body}");
        assert!(!body.contains("cluster-admin"));
        let (status, _) = send("10.0.1.7:40000", "/pods", &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "pages too, not only the API");
    }

    #[tokio::test]
    async fn system_names_are_not_impersonated() {
        for headers in [
            &[("x-forwarded-user", "system:admin")][..],
            &[
                ("x-forwarded-user", "mallory"),
                ("x-forwarded-groups", "devs,system:masters"),
            ],
            &[
                ("x-forwarded-user", "mallory"),
                ("x-forwarded-groups", "devs"),
                ("x-forwarded-groups", "system:masters"),
            ],
        ] {
            let (status, body) = send("10.0.0.7:40000", "/api/v1/whoami", headers).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
            assert!(body.contains("system:"), "{body}");
        }
    }

    #[tokio::test]
    async fn groups_may_come_in_several_values() {
        let headers = [
            ("x-forwarded-user", "alice"),
            ("x-forwarded-groups", "a, b"),
            ("x-forwarded-groups", "c"),
        ];
        let (status, body) = send("10.0.0.7:40000", "/api/v1/whoami", &headers).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "alice|a;b;c|None")
        );
    }

    #[tokio::test]
    async fn a_trusted_proxy_without_a_user_is_refused() {
        let two = [("x-forwarded-user", "alice"), ("x-forwarded-user", "admin")];
        let joined = [("x-forwarded-user", "mallory,alice")];
        for headers in [
            &[][..],
            &[("x-forwarded-user", "  ")][..],
            &two[..],
            &joined[..],
        ] {
            let (status, body) = send("10.0.0.7:40000", "/api/v1/whoami", headers).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{headers:?}");
            assert!(body.contains("sign in"), "{body}");
        }
    }

    #[tokio::test]
    async fn probes_need_no_identity() {
        let (status, body) = send("192.0.2.9:1", "/healthz", &[]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
        // The kubelet names the pod by its address, which no allowlist holds.
        let (status, body) = send("192.0.2.9:1", "/healthz", &[("host", "10.244.1.7:7301")]).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
        let (status, _) = send("192.0.2.9:1", "/pods", &[("host", "10.244.1.7:7301")]).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "only probes pass an unknown Host"
        );
    }

    #[test]
    fn ipv4_peers_on_ipv6_sockets_are_matched() {
        assert!(auth().trusts("::ffff:10.0.0.9".parse().expect("ip")));
        assert!(!auth().trusts("::ffff:10.0.1.9".parse().expect("ip")));
    }
}
