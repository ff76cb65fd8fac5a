//! Prints what a 30 000-pod refresh costs as frames: bytes of a full frame and of a delta
//! where every pod's usage changed, and the time to encode and to apply each, next to the
//! JSON snapshot's size. Native figures. `cargo run --release -p ktop-web-shared --example
//! frame_speed`

use ktop_web_shared::api::{
    ClusterInfo, ContainerRow, CpuMem, Io, NodeRow, PodPhase, PodRow, Readiness, Resources,
    SampleTime, Snapshot, SourceKind, SourceMode, SourceStatus, Usage, Workload,
};
use ktop_web_shared::frame::{Encoder, FrameKind, Live};
use std::time::Instant;

const NODES: usize = 1_000;
const PODS: usize = 30_000;

fn snapshot() -> Snapshot {
    let usage = |i: usize| CpuMem {
        cpu: 1_000_000 * i as u64,
        mem: 1 << 20 | i as u64,
    };
    let set = Resources {
        cpu: Some(100_000_000),
        mem: Some(128 << 20),
    };
    Snapshot {
        cluster: ClusterInfo {
            context: "bench".into(),
            server: "https://127.0.0.1:6443".into(),
            user: "admin".into(),
            namespace: None,
            refresh_ms: 2_000,
            history: 120,
            demo: false,
        },
        source: SourceStatus {
            mode: SourceMode::Auto,
            live: SourceKind::MetricsServer,
            fallbacks: vec![],
            last_sample_ms: Some(1_700_000_000_000),
            io: true,
            psi: false,
        },
        taken_at_ms: 1_700_000_000_000,
        nodes: (0..NODES)
            .map(|i| NodeRow {
                name: format!("node-{i:04}"),
                roles: vec!["worker".into()],
                ready: Readiness::Ready,
                unschedulable: false,
                conditions: vec![],
                kubelet_version: "v1.35.0".into(),
                created_s: 1_600_000_000,
                capacity: usage(64),
                allocatable: usage(60),
                pod_capacity: 110,
                pods: 30,
                requests: usage(20),
                limits: usage(40),
                usage: Some(Usage {
                    value: usage(i),
                    ts_ms: 1_700_000_000_000,
                    window_ms: 15_000,
                }),
                io: Some(io(i)),
                ..NodeRow::default()
            })
            .collect(),
        pods: (0..PODS)
            .map(|i| PodRow {
                ns: format!("team-{:02}", i % 40),
                name: format!("app-{i}-7d4f9c8b6-x2x9z"),
                node: Some(format!("node-{:04}", i % NODES)),
                phase: PodPhase::Running,
                reason: None,
                restarts: (i % 3) as u32,
                created_s: 1_700_000_000,
                containers: vec![
                    ContainerRow {
                        name: "app".into(),
                        requests: set,
                        limits: set,
                        usage: Some(usage(i % 500)),
                    },
                    ContainerRow {
                        name: "sidecar".into(),
                        requests: set,
                        limits: Resources::default(),
                        usage: Some(usage(3)),
                    },
                ],
                requests: set,
                limits: Resources::default(),
                sample: Some(SampleTime {
                    ts_ms: 1_700_000_000_000,
                    window_ms: 15_000,
                }),
                io: Some(io(i)),
                // Ten pods per Deployment, as in a cluster of many small services.
                owner: Some(Workload {
                    kind: "Deployment".into(),
                    name: format!("app-{}", i / 10),
                    desired: Some(10),
                }),
                ready: true,
                extended: Vec::new(),
                stall: None,
            })
            .collect(),
        freshness: Default::default(),
        viewer: None,
    }
}

/// Throughput as the prometheus source reports it: every direction known.
fn io(i: usize) -> Io {
    let i = i as u64;
    Io {
        rx: Some(1_000 + i * 37),
        tx: Some(2_000 + i * 11),
        read: Some(i * 4_096),
        write: Some(i * 512),
    }
}

/// Best of `runs` timings, in milliseconds, of what `f` times after its own setup.
fn best_ms(runs: u32, mut f: impl FnMut(&mut dyn FnMut(&mut dyn FnMut()))) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        f(&mut |work| {
            let start = Instant::now();
            work();
            best = best.min(start.elapsed().as_secs_f64() * 1e3);
        });
    }
    best
}

fn main() {
    let first = snapshot();
    let mut next = first.clone();
    next.taken_at_ms += 5_000;
    for p in &mut next.pods {
        for c in &mut p.containers {
            c.usage = c.usage.map(|u| CpuMem {
                cpu: u.cpu + 7_000_000,
                mem: u.mem + (64 << 10),
            });
        }
    }
    let json = serde_json::to_vec(&first).expect("serializes").len();

    let mut encoder = Encoder::new(1);
    let (kind, full) = encoder.encode(&first);
    assert_eq!(kind, FrameKind::Full);
    let (kind, delta) = encoder.encode(&next);
    assert_eq!(kind, FrameKind::Delta);
    let encode_delta = best_ms(10, |time| {
        let mut e = Encoder::new(1);
        e.encode(&first);
        time(&mut || _ = std::hint::black_box(e.encode(&next)));
    });
    let apply_full = best_ms(10, |time| {
        time(&mut || _ = std::hint::black_box(Live::default().apply(&full)));
    });
    let mut held = Live::default();
    held.apply(&full).expect("applies");
    let apply_delta = best_ms(10, |time| {
        let mut live = held.clone();
        time(&mut || _ = std::hint::black_box(live.apply(&delta)));
    });

    println!(
        "{NODES} nodes, {PODS} pods; JSON snapshot {:.1} MB",
        json as f64 / 1e6
    );
    println!(
        "full frame:  {:7.0} KB, applied in {apply_full:6.1} ms",
        full.len() as f64 / 1e3
    );
    println!(
        "delta frame: {:7.0} KB, encoded in {encode_delta:6.1} ms, applied in {apply_delta:6.1} ms",
        delta.len() as f64 / 1e3
    );
}
