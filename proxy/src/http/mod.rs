//! The HTTP server: the JSON API under `/api/v1` and the embedded single-page app.

mod api;
mod assets;
pub mod listener;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

pub use api::error;

use crate::clusters::Clusters;
use crate::security::{Policy, is_api, protect};

/// Requests handled at once; more wait. Snapshots are cached, so this only bounds bursts.
const MAX_CONCURRENT_REQUESTS: usize = 64;
/// Nothing here takes a body; a small limit keeps a client from streaming one forever.
const MAX_BODY_BYTES: usize = 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The served contexts and their clusters.
    pub clusters: Arc<Clusters>,
}

/// All routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .nest("/api/v1", api::routes())
        .fallback(fallback)
        .with_state(state)
        // Snapshots of large clusters are megabytes of repetitive JSON; gzip takes ~10x off.
        .layer(CompressionLayer::new())
}

/// Ready once the current context's nodes and pods are listed: a readiness probe keeps
/// viewers away until there is something to show (and while those lists keep failing).
async fn readyz(State(state): State<AppState>) -> Response {
    let current = state.clusters.current().to_owned();
    let ready = match state.clusters.get(&current).await {
        Ok(view) => view.synced().map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match ready {
        Ok(()) => "ready".into_response(),
        // Probes answer anyone: the reason (which may name the API server or an RBAC
        // denial) goes to the log only.
        Err(why) => {
            tracing::info!(reason = %why, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
        }
    }
}

/// Paths no route takes: under `/api` a JSON 404 (a typo in an API path must not get the app
/// shell with a 200), anywhere else a file of the web app or its page.
async fn fallback(uri: Uri) -> Response {
    if is_api(uri.path()) {
        api::not_found()
    } else {
        assets::serve(uri).await
    }
}

/// The served application: routes inside the security layer, with request limits.
pub fn app(state: AppState, policy: Policy) -> Router {
    protect(router(state), policy)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(GlobalConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
}

/// A response's body as text, for tests.
#[cfg(test)]
pub(crate) async fn body_text(response: axum::response::Response) -> String {
    use http_body_util::BodyExt;
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster_view::ClusterView;
    use crate::source::{DemoCluster, MetricsSource, SourceSelector, Sources};
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use ktop_web_shared::api::{
        ApiError, ClusterInfo, ContextList, FRAME_CONTENT_TYPE, FRAME_TAKEN_HEADER, Snapshot,
        SourceMode,
    };
    use std::time::Duration;
    use tower::ServiceExt;

    fn app() -> Router {
        router(demo_state())
    }

    fn demo_state() -> AppState {
        let demo = DemoCluster::new(1_800_000_000);
        let objects = demo.object_cache();
        let source: Arc<dyn MetricsSource> = Arc::new(demo);
        let info = ClusterInfo {
            context: "demo".into(),
            server: "simulated".into(),
            user: "demo".into(),
            namespace: None,
            refresh_ms: 5000,
            history: 120,
            demo: true,
        };
        let selector = SourceSelector::new(
            SourceMode::Demo,
            Sources::demo(source),
            Duration::from_secs(5),
        );
        let view = ClusterView::new(info, objects, selector, Default::default());
        AppState {
            clusters: Arc::new(Clusters::single(view)),
        }
    }

    async fn get(
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        get_from(app(), path, headers).await
    }

    /// A GET through `app`: status, headers and the body as sent.
    async fn get_from(
        app: Router,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let headers: Vec<(&str, String)> =
            headers.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let (parts, body) = send(app, "GET", path, &headers).await.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes().to_vec();
        (parts.status, parts.headers, bytes)
    }

    #[tokio::test]
    async fn lists_contexts() {
        let (status, headers, body) = get("/api/v1/contexts", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        let list: ContextList = serde_json::from_slice(&body).expect("json");
        assert_eq!(list.current, "demo");
        assert_eq!(list.contexts, vec!["demo"]);
    }

    #[tokio::test]
    async fn serves_snapshots_gzipped_on_request() {
        let (status, headers, body) = get("/api/v1/contexts/demo/snapshot", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let snap: Snapshot = serde_json::from_slice(&body).expect("json");
        assert_eq!(snap.nodes.len(), 5);
        let (_, headers, zipped) = get(
            "/api/v1/contexts/demo/snapshot",
            &[("accept-encoding", "gzip")],
        )
        .await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert!(
            zipped.len() * 4 < body.len(),
            "{} vs {}",
            zipped.len(),
            body.len()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn serves_frames_gzipped_as_made_and_refuses_bad_positions() {
        use ktop_web_shared::frame::{FrameKind, Live};
        use std::io::Read;
        let app = app();
        let send = |path: String, gzip: bool| {
            let app = app.clone();
            async move {
                let accept: &[(&str, &str)] = if gzip {
                    &[("accept-encoding", "br;q=1, gzip;q=0.8")]
                } else {
                    &[]
                };
                get_from(app, &path, accept).await
            }
        };
        let (status, headers, zipped) = send("/api/v1/contexts/demo/frames".into(), true).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], FRAME_CONTENT_TYPE);
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        let taken_after_request = |headers: &axum::http::HeaderMap| -> i64 {
            headers[FRAME_TAKEN_HEADER]
                .to_str()
                .ok()
                .and_then(|v| v.parse().ok())
                .expect("a whole number of milliseconds")
        };
        assert!(
            taken_after_request(&headers) >= 0,
            "the first snapshot is built for this request"
        );
        let mut frame = Vec::new();
        flate2::read::GzDecoder::new(&zipped[..])
            .read_to_end(&mut frame)
            .expect("gzip");
        let mut live = Live::default();
        assert_eq!(live.apply(&frame), Ok(FrameKind::Full));
        let (status, headers, raw) = send("/api/v1/contexts/demo/frames".into(), false).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(raw, frame, "the same frame, not compressed");

        let (epoch, seq) = live.position().expect("a position");
        let (status, headers, delta) = send(
            format!("/api/v1/contexts/demo/frames?after={epoch}.{seq}"),
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            taken_after_request(&headers) > 0,
            "a long poll is answered with a snapshot built while it waited"
        );
        assert_eq!(live.apply(&delta), Ok(FrameKind::Delta));

        for bad in [
            "after=x",
            "after=1",
            "after=1.2.3",
            "after=-1.2",
            "after=1.2&after=1.3",
            "since=1.2",
        ] {
            let (status, _, body) =
                send(format!("/api/v1/contexts/demo/frames?{bad}"), false).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            let err: ApiError = serde_json::from_slice(&body).expect("a JSON error");
            assert!(!err.message.is_empty());
        }
    }

    #[tokio::test]
    async fn an_unknown_context_is_a_json_404() {
        let (status, _, body) = get("/api/v1/contexts/prod/snapshot", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let err: ApiError = serde_json::from_slice(&body).expect("json error body");
        assert!(err.message.contains("prod"), "{}", err.message);
    }

    #[tokio::test]
    async fn unknown_api_paths_are_json_404s_not_the_app() {
        for path in [
            "/api/v1/secrets",
            "/api",
            "/api/",
            "/api/v2/contexts",
            "/api//v1/contexts",
            "/api/v1/nope",
            "/api/v1/",
            "/api/pods.js",
        ] {
            let (status, headers, body) = get(path, &[]).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{path}");
            let err: ApiError = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&body)));
            assert_eq!(err.message, "No such API route.", "{path}");
        }
    }

    #[tokio::test]
    async fn app_routes_get_the_page_and_missing_files_404() {
        let (status, headers, body) = get("/pods", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let page = String::from_utf8_lossy(&body);
        // Trunk's build of frontend/index.html names its hashed wasm in this tag (Trunk.toml);
        // without a build, build.rs embeds a placeholder page instead.
        match page
            .split_once(r#"<meta name="ktop-web-app" "#)
            .and_then(|(_, tag)| tag.split_once(r#"data-wasm=""#))
            .and_then(|(_, rest)| rest.split_once('"'))
        {
            Some((wasm, _)) => {
                let (status, headers, module) = get(wasm, &[]).await;
                assert_eq!(status, StatusCode::OK, "{wasm}");
                assert_eq!(headers[header::CONTENT_TYPE], "application/wasm", "{wasm}");
                assert!(module.starts_with(b"\0asm"), "{wasm} is a wasm module");
            }
            None => assert!(
                page.contains("This ktop-web binary was built without its web UI."),
                "neither the app shell nor the placeholder: {page}"
            ),
        }
        let (status, _, _) = get("/missing.wasm", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, body) = get("/healthz", &[]).await;
        assert_eq!(
            (status, body.as_slice()),
            (StatusCode::OK, b"ok".as_slice())
        );
        let (status, _, body) = get("/readyz", &[]).await;
        assert_eq!(
            (status, body.as_slice()),
            (StatusCode::OK, b"ready".as_slice())
        );
    }

    #[tokio::test]
    async fn not_ready_until_nodes_and_pods_are_listed() {
        let selector =
            SourceSelector::new(SourceMode::None, Sources::default(), Duration::from_secs(5));
        let info = ClusterInfo {
            context: "loading".into(),
            ..ClusterInfo::default()
        };
        let view = ClusterView::new(info, Default::default(), selector, Default::default());
        let state = AppState {
            clusters: Arc::new(Clusters::single(view)),
        };
        let request = Request::get("/readyz")
            .body(Body::empty())
            .expect("request");
        let response = router(state).oneshot(request).await.expect("answer");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = body_text(response).await;
        assert_eq!(body, "not ready", "the reason goes to the log only");
    }

    /// The served app (security layer included) with a known token, on port 7301.
    fn secured() -> (Router, String) {
        secured_embedded_in(vec![])
    }

    /// [`secured`], with `--embed-origin`s.
    fn secured_embedded_in(embed_origins: Vec<String>) -> (Router, String) {
        let token = crate::security::AccessToken::generate();
        let secret = token.reveal().to_owned();
        let policy = Policy::new(
            "127.0.0.1".parse().expect("ip"),
            7301,
            &[],
            embed_origins,
            token,
        );
        (super::app(demo_state(), policy), secret)
    }

    async fn send(
        app: Router,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
    ) -> axum::response::Response {
        let mut request = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            request = request.header(*k, v);
        }
        app.oneshot(request.body(Body::empty()).expect("request"))
            .await
            .expect("infallible")
    }

    #[tokio::test]
    async fn the_security_layer_decides_before_any_handler() {
        let (app, token) = secured();
        let host = || ("host", "127.0.0.1:7301".to_owned());
        let bearer = || ("authorization", format!("Bearer {token}"));
        let snapshot = "/api/v1/contexts/demo/snapshot";
        type Case<'a> = (&'a str, &'a str, Vec<(&'a str, String)>, StatusCode);
        let cases: Vec<Case> = vec![
            ("GET", snapshot, vec![host(), bearer()], StatusCode::OK),
            (
                "GET",
                snapshot,
                vec![
                    host(),
                    ("cookie", format!("a=b; ktop_web_token_7301={token}")),
                ],
                StatusCode::OK,
            ),
            ("GET", snapshot, vec![host()], StatusCode::UNAUTHORIZED),
            (
                "GET",
                snapshot,
                vec![host(), ("cookie", format!("ktop_web_token_7302={token}"))],
                StatusCode::UNAUTHORIZED,
            ),
            (
                "GET",
                snapshot,
                vec![host(), ("authorization", "Bearer nope".into())],
                StatusCode::UNAUTHORIZED,
            ),
            (
                "GET",
                snapshot,
                vec![("host", "evil.example:7301".into()), bearer()],
                StatusCode::FORBIDDEN,
            ),
            ("GET", snapshot, vec![bearer()], StatusCode::FORBIDDEN),
            (
                "GET",
                snapshot,
                vec![host(), bearer(), ("origin", "http://localhost:9999".into())],
                StatusCode::FORBIDDEN,
            ),
            (
                "POST",
                snapshot,
                vec![host(), bearer()],
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            (
                "GET",
                "/api/v1/contexts/demo/namespaces/%2e%2e/pods/x/log",
                vec![host(), bearer()],
                StatusCode::BAD_REQUEST,
            ),
            (
                "GET",
                "/api/v1/contexts?watch=true",
                vec![host(), bearer()],
                StatusCode::BAD_REQUEST,
            ),
            (
                "GET",
                "/api/v1/contexts/demo/namespaces/Bad_NS/pods/x/log",
                vec![host(), bearer()],
                StatusCode::BAD_REQUEST,
            ),
            ("GET", "/pods", vec![host()], StatusCode::UNAUTHORIZED),
            ("GET", "/healthz", vec![host()], StatusCode::OK),
            // Probes answer any Host: the kubelet names a pod by its IP address. They tell
            // nothing but "ok" or "ready".
            (
                "GET",
                "/healthz",
                vec![("host", "localhost:80".into())],
                StatusCode::OK,
            ),
            (
                "GET",
                "/pods",
                vec![("host", "localhost:80".into())],
                StatusCode::FORBIDDEN,
            ),
        ];
        for (method, path, headers, want) in cases {
            let response = send(app.clone(), method, path, &headers).await;
            assert_eq!(response.status(), want, "{method} {path} {headers:?}");
            let h = response.headers();
            assert!(
                h[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .unwrap_or_default()
                    .contains("frame-ancestors 'none'")
            );
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
            assert!(h.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
            if path.starts_with("/api/") {
                assert_eq!(h[header::CACHE_CONTROL], "no-store", "{path}");
            }
        }
    }

    #[tokio::test]
    async fn an_embed_origin_may_frame_the_app_but_not_read_the_api() {
        let portal = "https://portal.example.com";
        let (app, token) = secured_embedded_in(vec![portal.to_owned()]);
        let host = || ("host", "127.0.0.1:7301".to_owned());
        let bearer = || ("authorization", format!("Bearer {token}"));
        let snapshot = "/api/v1/contexts/demo/snapshot";
        // The framed page's own fetches: same-origin, no Origin header on a GET.
        let framed = [host(), bearer(), ("sec-fetch-site", "same-origin".into())];
        let response = send(app.clone(), "GET", snapshot, &framed).await;
        assert_eq!(response.status(), StatusCode::OK);
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(csp.ends_with(&format!("frame-ancestors {portal}")), "{csp}");
        for portal_fetch in [
            vec![host(), bearer(), ("origin", portal.to_owned())],
            vec![
                host(),
                bearer(),
                ("origin", portal.to_owned()),
                ("sec-fetch-site", "cross-site".into()),
            ],
        ] {
            let response = send(app.clone(), "GET", snapshot, &portal_fetch).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{portal_fetch:?}");
        }
    }

    #[tokio::test]
    async fn a_frame_signs_in_through_a_page_only_ktop_web_itself_can_open() {
        let (app, token) = secured_embedded_in(vec!["https://portal.example.com".to_owned()]);
        let host = || ("host", "127.0.0.1:7301".to_owned());
        let cookie = || ("cookie", format!("ktop_web_token_7301={token}"));
        let own = || ("sec-fetch-site", "same-origin".to_owned());
        let snapshot = "/api/v1/contexts/demo/snapshot";
        let read = |credential: &str| {
            let headers = vec![
                host(),
                own(),
                ("authorization", format!("Bearer {credential}")),
            ];
            let app = app.clone();
            async move { send(app, "GET", snapshot, &headers).await.status() }
        };

        let response = send(app.clone(), "GET", "/signin", &[host(), cookie(), own()]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        let page = body_text(response).await;
        let credential = page
            .split_once(r#"name="ktop-web-credential" content=""#)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(c, _)| c.to_owned())
            .expect("a credential in the page");
        assert_ne!(credential, token);
        assert_eq!(read(&credential).await, StatusCode::OK);
        assert_eq!(read("0123abcd").await, StatusCode::UNAUTHORIZED);

        // A credential is a Bearer header only: not a cookie, not a startup link, and it
        // cannot mint another.
        let as_cookie = vec![
            host(),
            own(),
            ("cookie", format!("ktop_web_token_7301={credential}")),
        ];
        let response = send(app.clone(), "GET", snapshot, &as_cookie).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let response = send(app.clone(), "GET", "/signin", &as_cookie).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(body_text(response).await.contains("--print-url"));
        let link = format!("/pods?token={credential}");
        let response = send(app.clone(), "GET", &link, &[host()]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get(header::SET_COOKIE).is_none());

        // Signed out: the page on how to get in. Opened by another site or another port of
        // this host (same-site): nothing to hand on.
        let response = send(app.clone(), "GET", "/signin", &[host(), own()]).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(body_text(response).await.contains("--print-url"));
        for site in ["same-site", "cross-site", "none"] {
            let headers = [host(), cookie(), ("sec-fetch-site", site.to_owned())];
            let response = send(app.clone(), "GET", "/signin", &headers).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{site}");
            assert!(
                !body_text(response).await.contains("ktop-web-credential"),
                "{site}"
            );
        }
        let response = send(app.clone(), "GET", "/signin", &[host(), cookie()]).await;
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "no Sec-Fetch-Site"
        );
        for method in ["POST", "PUT"] {
            let headers = [host(), cookie(), own()];
            let response = send(app.clone(), method, "/signin", &headers).await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method}"
            );
        }

        // The script holds nothing secret and is served to anyone.
        let response = send(app, "GET", "/signin.js", &[host()]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(body_text(response).await.contains("location.origin"));
    }

    #[tokio::test]
    async fn the_startup_token_becomes_a_cookie_and_leaves_the_url() {
        let (app, token) = secured();
        let host = ("host", "localhost:7301".to_owned());
        let response = send(
            app.clone(),
            "GET",
            &format!("/pods?ns=shop&token={token}&sort=cpu"),
            std::slice::from_ref(&host),
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "/pods?ns=shop&sort=cpu"
        );
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(
            cookie.starts_with(&format!("ktop_web_token_7301={token};")),
            "{cookie}"
        );
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attr), "{cookie}");
        }
        let response = send(
            app.clone(),
            "GET",
            "/pods?token=wrong",
            std::slice::from_ref(&host),
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(body_text(response).await.contains("--print-url"));
        // The token is never accepted in an API URL (it would end up in histories and logs).
        let response = send(
            app,
            "GET",
            &format!("/api/v1/contexts?token={token}"),
            &[host],
        )
        .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
}
