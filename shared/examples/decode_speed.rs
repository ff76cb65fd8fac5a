//! Prints how fast the browser's decoder reads a 30 000-pod snapshot next to serde_json.
//! Native figures; the ratio is what carries over to wasm. `cargo run --release -p
//! ktop-web-shared --example decode_speed`

use ktop_web_shared::api::{
    ClusterInfo, ContainerRow, CpuMem, Io, NodeRow, PodPhase, PodRow, Readiness, Resources,
    SampleTime, Snapshot, SourceKind, SourceMode, SourceStatus, Usage,
};
use ktop_web_shared::decode::from_json;
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
            })
            .collect(),
        freshness: Default::default(),
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

/// Best of `runs` timings of `f`, in milliseconds.
fn best_ms(runs: u32, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let expected = snapshot();
    let json = serde_json::to_vec(&expected).expect("serializes");
    let ours = from_json::<Snapshot>(&json).expect("decodes");
    assert_eq!(
        ours, expected,
        "the decoder must read back what serde wrote"
    );
    let mb = json.len() as f64 / 1e6;
    let decoder = best_ms(10, || {
        std::hint::black_box(from_json::<Snapshot>(&json).expect("decodes"));
    });
    let serde = best_ms(10, || {
        std::hint::black_box(serde_json::from_slice::<Snapshot>(&json).expect("decodes"));
    });
    println!("snapshot: {NODES} nodes, {PODS} pods, {mb:.1} MB of JSON");
    println!(
        "decode (ours):  {decoder:7.1} ms  {:6.0} MB/s",
        mb / decoder * 1e3
    );
    println!(
        "serde_json:     {serde:7.1} ms  {:6.0} MB/s",
        mb / serde * 1e3
    );
    println!("ours / serde:   {:.2}x the time", decoder / serde);
}
