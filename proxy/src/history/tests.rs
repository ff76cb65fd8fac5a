//! The history reader's request checks, access narrowing and error paths. The answers of a
//! real Prometheus are tested end to end (`proxy/tests/history.rs`).

use std::net::SocketAddr;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use ktop_web_shared::history::HistoryRange;

use super::*;

fn query(edit: impl FnOnce(&mut HistoryQuery)) -> HistoryQuery {
    let mut q = HistoryQuery {
        range: HistoryRange::Day,
        points: 601,
        ..HistoryQuery::default()
    };
    edit(&mut q);
    q
}

#[test]
fn each_combination_of_names_is_one_subject() {
    assert_eq!(subject(&query(|_| {})).ok(), Some(Subject::Cluster));
    let node = subject(&query(|q| q.node = Some("n1".into()))).ok();
    assert_eq!(node, Some(Subject::Node("n1".into())));
    let pods = subject(&query(|q| {
        q.pods = Some("shop/a,ops/b.c".into());
        q.per_pod = true;
    }))
    .ok();
    assert_eq!(
        pods,
        Some(Subject::Pods(vec![
            ("shop".into(), "a".into()),
            ("ops".into(), "b.c".into())
        ]))
    );
    for bad in [
        query(|q| q.pod = Some("a".into())),
        query(|q| q.per_pod = true),
        query(|q| {
            q.node = Some("n1".into());
            q.namespace = Some("shop".into());
        }),
        query(|q| q.node = Some("N1".into())),
        query(|q| {
            q.namespace = Some("shop".into());
            q.pod = Some("a\"} or vector(1)".into());
        }),
        query(|q| {
            q.pods = Some("shop/a,shop".into());
            q.per_pod = true;
        }),
        query(|q| {
            q.pods = Some(vec!["shop/a"; MAX_PODS + 1].join(","));
            q.per_pod = true;
        }),
    ] {
        assert!(
            matches!(subject(&bad), Err(HistoryError::BadRequest(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn a_viewer_gets_history_only_of_what_they_may_list() {
    let alice = ViewerAccess {
        nodes: false,
        namespaces: Some(vec!["shop".into()]),
    };
    let pod = |ns: &str| Subject::Pod {
        namespace: ns.into(),
        pod: "a".into(),
    };
    assert!(visible(pod("shop"), Some(&alice)).is_ok());
    assert!(matches!(
        visible(pod("kube-system"), Some(&alice)),
        Err(HistoryError::Forbidden(_))
    ));
    assert!(matches!(
        visible(Subject::Node("n1".into()), Some(&alice)),
        Err(HistoryError::Forbidden(_))
    ));
    assert!(matches!(
        visible(Subject::Cluster, Some(&alice)),
        Err(HistoryError::Forbidden(_))
    ));
    let listed = Subject::Pods(vec![
        ("shop".into(), "a".into()),
        ("kube-system".into(), "b".into()),
    ]);
    assert_eq!(
        visible(listed, Some(&alice)).ok(),
        Some(Subject::Pods(vec![("shop".into(), "a".into())]))
    );
    assert_eq!(visible(Subject::Cluster, None).ok(), Some(Subject::Cluster));
}

#[test]
fn per_pod_answers_keep_listed_and_visible_pods_once() {
    let grid = Grid::new(HistoryRange::Hour, 3, 7_200).expect("not live");
    let series = |labels: &[(&str, &str)]| Series {
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        samples: vec![(grid.start_s as f64, 0.5)],
    };
    let found = vec![
        series(&[("namespace", "shop"), ("pod", "a")]),
        series(&[("namespace", "shop"), ("pod_name", "a")]),
        // The regex pairs each namespace with each name: not listed.
        series(&[("namespace", "ops"), ("pod", "a")]),
        series(&[("namespace", "ops"), ("pod", "b")]),
    ];
    let subject = Subject::Pods(vec![
        ("shop".into(), "a".into()),
        ("ops".into(), "b".into()),
    ]);
    let kept = place(&subject, None, HistoryMetric::Cpu, &grid, found.clone());
    let pods: Vec<_> = kept.iter().filter_map(|s| s.pod.as_deref()).collect();
    assert_eq!(pods, ["ops/b", "shop/a"]);
    assert_eq!(kept[1].values[0], Some(500_000_000));
    let shop_only = ViewerAccess {
        nodes: true,
        namespaces: Some(vec!["shop".into()]),
    };
    let node_pods = Subject::NodePods("n1".into());
    let kept = place(
        &node_pods,
        Some(&shop_only),
        HistoryMetric::Cpu,
        &grid,
        found,
    );
    let pods: Vec<_> = kept.iter().filter_map(|s| s.pod.as_deref()).collect();
    assert_eq!(pods, ["shop/a"]);
}

#[test]
fn the_demo_answers_from_its_model() {
    let cluster = Arc::new(DemoCluster::new(1_700_000_000));
    let grid = Grid::new(HistoryRange::Hour, 61, 1_700_000_000).expect("not live");
    let history = demo::history(&cluster, &Subject::Cluster, &grid);
    let cpu = history.series(HistoryMetric::Cpu).expect("cpu");
    assert_eq!(cpu.values.len(), 61);
    let first = cluster.usage_at(grid.start_s * 1000);
    let total: u64 = first.nodes.values().map(|u| u.value.cpu).sum();
    assert_eq!(cpu.values[0], Some(total));
    let node_pods = demo::history(&cluster, &Subject::NodePods("demo-worker-1".into()), &grid);
    assert!(!node_pods.series.is_empty());
    assert!(node_pods.series.iter().all(|s| s.pod.is_some()));
}

/// A source at a local address answering every query with `status` and `body`.
async fn source(status: StatusCode, body: &'static str) -> HistoryReader {
    let app = Router::new().route(
        "/prefix/api/v1/query_range",
        get(move || async move { (status, body) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    reader_at(addr, "/prefix")
}

/// A source at a local address that answers only after `delay`.
async fn slow_source(delay: std::time::Duration) -> SocketAddr {
    let app = Router::new().route(
        "/api/v1/query_range",
        get(move || async move {
            tokio::time::sleep(delay).await;
            (StatusCode::OK, "{}")
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn reader_at(addr: SocketAddr, path: &str) -> HistoryReader {
    let url = format!("http://{addr}{path}");
    HistoryReader::new(Some(parse_history_source(&url).expect("a URL")))
}

async fn read(reader: &HistoryReader) -> Result<History, HistoryError> {
    let q = query(|q| {
        q.namespace = Some("shop".into());
        q.pod = Some("a".into());
    });
    reader.read(&q, None, None, None, 1_700_000_000).await
}

#[tokio::test]
async fn a_source_by_url_answers_on_the_grid() {
    let reader = source(
        StatusCode::OK,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1699913520,"0.25"]]}]}}"#,
    )
    .await;
    let history = read(&reader).await.expect("an answer");
    assert_eq!(history.start_ms, 1_699_913_520_000);
    assert_eq!(history.points, 601);
    let cpu = history.series(HistoryMetric::Cpu).expect("cpu");
    assert_eq!(cpu.values[0], Some(250_000_000));
    assert!(history.source.contains("/prefix"), "{}", history.source);
    assert_eq!(history.pin_hint, None);
}

#[tokio::test]
async fn a_sources_failures_are_said_in_its_terms() {
    let refused = source(
        StatusCode::BAD_REQUEST,
        r#"{"status":"error","errorType":"bad_data","error":"1:2: parse error"}"#,
    )
    .await;
    let err = read(&refused).await.expect_err("refused");
    assert!(
        matches!(err, HistoryError::Answer(AnswerError::Refused { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("parse error"), "{err}");

    let forbidden = source(StatusCode::FORBIDDEN, "no").await;
    let err = read(&forbidden).await.expect_err("forbidden");
    assert!(matches!(err, HistoryError::Forbidden(_)), "{err}");

    let login_page = source(StatusCode::OK, "<html>sign in</html>").await;
    let err = read(&login_page).await.expect_err("not Prometheus");
    assert!(
        matches!(err, HistoryError::Answer(AnswerError::NotPrometheus(_))),
        "{err}"
    );

    // Nothing listens there once the listener is dropped.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let err = read(&reader_at(addr, "")).await.expect_err("unreachable");
    assert!(matches!(err, HistoryError::Unreachable(_)), "{err}");
    assert!(!err.to_string().contains("query="), "{err}");
}

#[tokio::test]
async fn a_slow_source_is_given_up_on_at_the_deadline() {
    let addr = slow_source(std::time::Duration::from_secs(30)).await;
    let reader = HistoryReader {
        deadline: std::time::Duration::from_secs(1),
        ..reader_at(addr, "")
    };
    // The source would answer after 30 s with a body that is not Prometheus's: only the
    // deadline gives Slow.
    let err = read(&reader).await.expect_err("too slow");
    assert!(
        matches!(err, HistoryError::Slow { within_s: 1, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("did not answer within 1s"),
        "{err}"
    );
}
