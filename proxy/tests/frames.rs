//! Frames on the real test cluster: a viewer that follows them holds what the JSON snapshot
//! of the same refresh says (usage at `kubectl top`'s precision), every viewer gets the same
//! gzipped bytes, and serving frames asks the API server for nothing outside the allowlist.

// The cluster lock is held across awaits on purpose: tests in one binary run one at a time.
#![allow(clippy::await_holding_lock)]

mod support;

use std::collections::HashMap;
use std::io::Read;
use std::time::{Duration, Instant};

use ktop_web_shared::api::{CpuMem, Snapshot};
use ktop_web_shared::frame::{
    FrameKind, Live, cpu_from_wire, cpu_to_wire, mem_from_wire, mem_to_wire,
};
use support::audit::outside_allowlist;
use support::cluster::TestCluster;
use support::ktop::Ktop;

const REFRESH: Duration = Duration::from_secs(2);

/// GETs frames; `None` while ktop-web has no snapshot yet (503). Returns the gzipped body
/// and the frame.
async fn frames(ktop: &Ktop, after: Option<(u64, u64)>) -> Option<(Vec<u8>, Vec<u8>)> {
    let query = after.map_or(String::new(), |(e, s)| format!("?after={e}.{s}"));
    let path = format!("api/v1/contexts/{}/frames{query}", ktop.context());
    let (status, headers, body) = ktop.get_bytes(&path, &[("accept-encoding", "gzip")]).await;
    if status == 503 {
        return None;
    }
    assert_eq!(status, 200, "GET {path}");
    assert_eq!(headers["content-type"], "application/vnd.ktop-web.frame");
    assert_eq!(headers["content-encoding"], "gzip");
    let mut frame = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut frame)
        .expect("a gzipped frame");
    Some((body, frame))
}

async fn snapshot(ktop: &Ktop) -> Snapshot {
    ktop.get_json(&format!("api/v1/contexts/{}/snapshot", ktop.context()))
        .await
}

/// The snapshot of the refresh `live` holds: asked for right after its frame, it is the
/// same refresh unless a new one was due meanwhile (then `None`).
async fn same_refresh(ktop: &Ktop, live: &Live) -> Option<Snapshot> {
    let snap = snapshot(ktop).await;
    (snap.taken_at_ms == live.meta().taken_at_ms).then_some(snap)
}

fn assert_holds(live: &Live, snap: &Snapshot) {
    let pods: HashMap<String, Option<CpuMem>> = (0..live.pod_slots())
        .filter_map(|s| Some((live.pod(s)?.key(), live.pod_usage(s))))
        .collect();
    assert_eq!(pods.len(), snap.pods.len(), "pods held");
    let mut with_usage = 0;
    for p in &snap.pods {
        let want = p.usage().map(|u| CpuMem {
            cpu: cpu_from_wire(cpu_to_wire(u.cpu)),
            mem: mem_from_wire(mem_to_wire(u.mem)),
        });
        with_usage += usize::from(want.is_some());
        assert_eq!(pods.get(&p.key()), Some(&want), "{}", p.key());
    }
    assert!(with_usage > 0, "no pod had usage: nothing was compared");
    let nodes: Vec<_> = (0..live.node_slots())
        .filter_map(|s| live.node(s))
        .collect();
    assert_eq!(nodes.len(), snap.nodes.len(), "nodes held");
    for n in &snap.nodes {
        assert!(nodes.contains(n), "node {} differs", n.name);
    }
}

#[tokio::test]
#[ignore = "end-to-end (test cluster, Chromium): scripts/test runs it"]
async fn a_viewer_following_frames_holds_the_snapshots_of_a_real_cluster() {
    let c = TestCluster::shared();
    let _lock = c.exclusive();
    let offset = c.audit_offset();
    let ktop = Ktop::start(
        &["--refresh", "2s", "--metrics-source", "metrics-server"],
        &[],
    );
    let start = Instant::now();
    let (gzipped, first) = loop {
        if let Some(f) = frames(&ktop, None).await {
            break f;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no frame within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut live = Live::default();
    assert_eq!(live.apply(&first), Ok(FrameKind::Full));
    // A second viewer of the same refresh gets the very same bytes.
    if let Some((again, _)) = frames(&ktop, None).await
        && live.position() == frame_position(&again)
    {
        assert_eq!(again, gzipped, "the full frame was made once");
    }

    // Follow a few refreshes; each delta is checked against the JSON of its refresh.
    let mut compared = 0;
    let mut deltas = 0;
    for _ in 0..6 {
        let asked = Instant::now();
        let (_, frame) = frames(&ktop, live.position()).await.expect("a frame");
        assert!(
            asked.elapsed() <= REFRESH + Duration::from_secs(5),
            "{:?}",
            asked.elapsed()
        );
        if live.apply(&frame) == Ok(FrameKind::Delta) {
            deltas += 1;
        }
        if let Some(snap) = same_refresh(&ktop, &live).await {
            assert_holds(&live, &snap);
            compared += 1;
        }
    }
    assert!(deltas >= 5, "only {deltas} of 6 frames were deltas");
    assert!(compared >= 3, "only {compared} refreshes could be compared");
    let outside = outside_allowlist(&c.audit_since(offset));
    assert!(
        outside.is_empty(),
        "requests outside the allowlist: {outside:#?}"
    );
}

/// The position of a gzipped frame, read by applying it to an empty view.
fn frame_position(gzipped: &[u8]) -> Option<(u64, u64)> {
    let mut frame = Vec::new();
    flate2::read::GzDecoder::new(gzipped)
        .read_to_end(&mut frame)
        .ok()?;
    let mut live = Live::default();
    live.apply(&frame).ok()?;
    live.position()
}
