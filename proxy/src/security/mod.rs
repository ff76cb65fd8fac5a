//! The security layer around every route: one module per concern, stacked in [`protect`].
//!
//! Order, outermost first: response headers (so rejections carry them too), read-only
//! methods, Host allowlist, path guard, identity headers, cross-origin check, then who the
//! viewer is: the access token (or a frame's short-lived credential from `/signin`), or with
//! `--auth proxy` the authenticating proxy's headers.

mod frame_credential;
mod headers;
mod host;
mod identity_headers;
mod method;
pub mod names;
mod origin;
mod path_guard;
mod proxy_identity;
mod session;
mod signin;
pub mod token;

use std::net::IpAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};

use frame_credential::FrameCredentials;
pub use headers::parse_embed_origin;
pub use host::parse_allowed_host;
pub use proxy_identity::{ProxyAuth, Viewer};
pub use token::AccessToken;

use crate::http::error;
use host::HostAllowlist;

/// Everything the layer needs to decide.
pub struct Policy {
    hosts: HostAllowlist,
    token: AccessToken,
    /// Credentials handed to embedded frames by `/signin`, accepted like the token.
    frame_credentials: FrameCredentials,
    port: u16,
    embed_origins: Vec<String>,
    csp: String,
    /// Set with `--auth proxy`: viewers are named by the proxy, not by the token.
    proxy: Option<Arc<ProxyAuth>>,
}

impl Policy {
    /// The policy for a server on `bound:port`.
    pub fn new(
        bound: IpAddr,
        port: u16,
        allowed_hosts: &[String],
        embed_origins: Vec<String>,
        token: AccessToken,
    ) -> Self {
        Self {
            hosts: HostAllowlist::new(port, bound, allowed_hosts),
            token,
            frame_credentials: FrameCredentials::default(),
            port,
            csp: headers::content_security_policy(&embed_origins),
            embed_origins,
            proxy: None,
        }
    }

    /// The same policy for `--auth proxy`: viewers are named by `auth`'s headers.
    pub fn with_proxy(self, auth: ProxyAuth) -> Self {
        Self {
            proxy: Some(Arc::new(auth)),
            ..self
        }
    }
}

/// Wraps `router` in the whole stack.
pub fn protect(router: Router, policy: Policy) -> Router {
    let policy = Arc::new(policy);
    let router = match policy.proxy.clone() {
        Some(auth) => router.layer(from_fn_with_state(auth, proxy_identity::require_viewer)),
        None => router.layer(from_fn_with_state(policy.clone(), session::require_token)),
    };
    router
        .layer(from_fn(origin::same_origin_api))
        .layer(from_fn(identity_headers::refuse_identity_headers))
        .layer(from_fn(guard_path))
        .layer(from_fn_with_state(policy.clone(), check_host))
        .layer(from_fn(method::read_only))
        .layer(from_fn_with_state(policy, headers::add))
}

/// Whether a path is a health probe: answered to anyone, as the kubelet probing it holds no
/// credentials (and tells nothing about the cluster).
pub fn is_probe(path: &str) -> bool {
    path == "/healthz" || path == "/readyz"
}

/// Whether a path is the JSON API (and gets JSON errors).
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// A refusal in the form the path's clients read: JSON for the API, text otherwise.
fn reject(path: &str, status: StatusCode, message: &str) -> Response {
    if is_api(path) {
        error(status, message, None)
    } else {
        (status, message.to_owned()).into_response()
    }
}

async fn check_host(State(policy): State<Arc<Policy>>, request: Request, next: Next) -> Response {
    // The kubelet probes a pod by its IP address, which no allowlist names.
    if is_probe(request.uri().path()) || policy.hosts.permits(request.headers(), request.uri()) {
        return next.run(request).await;
    }
    reject(
        request.uri().path(),
        StatusCode::FORBIDDEN,
        "Unknown Host header: ktop-web answers only to localhost, 127.0.0.1, [::1] and --allowed-host names.",
    )
}

async fn guard_path(request: Request, next: Next) -> Response {
    match path_guard::check_path(request.uri().path()) {
        Ok(()) => next.run(request).await,
        Err(e) => reject(
            request.uri().path(),
            StatusCode::BAD_REQUEST,
            &e.to_string(),
        ),
    }
}
