//! Frames against the snapshots they encode: every viewer, whether it followed every delta
//! or joined with a full frame, holds exactly the snapshot's rows at the wire's precision.

use proptest::prelude::*;

use super::*;
use super::{bytes, decoder};
use crate::api::{
    ClusterInfo, ContainerRow, CpuMem, ExtendedResource, Fallback, FallbackReason, FrameMeta,
    Freshness, Io, NodeRow, PodPhase, PodRow, Resources, SampleTime, Snapshot, SourceKind,
    SourceMode, SourceStatus, StalePart, Staleness, Stall, Usage, ViewerAccess, Workload,
    add_extended,
};

fn quantized(u: CpuMem) -> CpuMem {
    CpuMem {
        cpu: cpu_from_wire(cpu_to_wire(u.cpu)),
        mem: mem_from_wire(mem_to_wire(u.mem)),
    }
}

fn shown_io(io: Option<Io>, live: bool) -> Option<Io> {
    io.filter(|i| live && *i != Io::default())
}

fn shown_stall(stall: Option<Stall>, live: bool) -> Option<Stall> {
    stall.filter(|s| live && *s != Stall::default())
}

/// What a viewer should hold for `p`: usage at the wire's precision (a lone container's is
/// the pod's total), I/O and stalls only while the source measures them.
fn expected_pod(p: &PodRow, (io, psi): (bool, bool)) -> PodRow {
    let total = p.usage().map(quantized);
    let multi = p.containers.len() > 1;
    let mut e = p.clone();
    for c in &mut e.containers {
        c.usage = if multi { c.usage.map(quantized) } else { total };
    }
    e.io = shown_io(p.io, io);
    e.stall = shown_stall(p.stall, psi);
    e
}

fn expected_node(n: &NodeRow, (io, psi): (bool, bool)) -> NodeRow {
    NodeRow {
        io: shown_io(n.io, io),
        stall: shown_stall(n.stall, psi),
        ..n.clone()
    }
}

/// Every row `live` holds, sorted as a snapshot is.
fn held(live: &Live) -> (Vec<NodeRow>, Vec<PodRow>) {
    let nodes = (0..live.node_slots())
        .filter_map(|s| live.node(s))
        .collect();
    let mut pods: Vec<PodRow> = (0..live.pod_slots()).filter_map(|s| live.pod(s)).collect();
    pods.sort_by_key(PodRow::key);
    let mut nodes: Vec<NodeRow> = nodes;
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    (nodes, pods)
}

fn assert_holds(live: &Live, snap: &Snapshot) {
    let io = (snap.source.io, snap.source.psi);
    let (nodes, pods) = held(live);
    let want_nodes: Vec<NodeRow> = snap.nodes.iter().map(|n| expected_node(n, io)).collect();
    let want_pods: Vec<PodRow> = snap.pods.iter().map(|p| expected_pod(p, io)).collect();
    assert_eq!(nodes, want_nodes);
    assert_eq!(pods, want_pods);
    assert_eq!(live.meta(), &FrameMeta::of(snap));
    for slot in 0..live.node_slots() {
        if let Some(n) = live.node(slot) {
            let object = live.node_object(slot).expect("the object");
            assert_eq!(
                (&object.name, object.usage, object.io),
                (&n.name, None, None)
            );
            assert_eq!((live.node_usage(slot), live.node_io(slot)), (n.usage, n.io));
            assert_eq!(live.node_stall(slot), n.stall);
        }
    }
    for slot in 0..live.pod_slots() {
        if let Some(p) = live.pod(slot) {
            let original = snap
                .pods
                .iter()
                .find(|o| o.key() == p.key())
                .expect("a pod");
            assert_eq!(live.pod_usage(slot), original.usage().map(quantized));
            assert_eq!((live.pod_io(slot), live.pod_stall(slot)), (p.io, p.stall));
            if p.containers.len() > 1 {
                let each: Vec<_> = p.containers.iter().map(|c| c.usage).collect();
                assert_eq!(live.container_usage(slot).collect::<Vec<_>>(), each);
            }
        }
    }
}

/// What a viewer that rebuilds only the pods [`Live::changed_pods`] names holds: it must
/// stay equal to the pods themselves.
fn follow_changes(mirror: &mut Vec<Option<PodRow>>, live: &Live) {
    mirror.resize(live.pod_slots(), None);
    match live.changed_pods() {
        None => (0..live.pod_slots())
            .for_each(|s| mirror[s] = live.pod_object(s).map(|p| PodRow::clone(p))),
        Some(slots) => {
            for &s in slots {
                if let Some(m) = mirror.get_mut(s) {
                    *m = live.pod_object(s).map(|p| PodRow::clone(p));
                }
            }
        }
    }
    let objects: Vec<Option<PodRow>> = (0..live.pod_slots())
        .map(|s| live.pod_object(s).map(|p| PodRow::clone(p)))
        .collect();
    assert_eq!(*mirror, objects, "a changed pod the viewer was not told of");
}

fn resources() -> impl Strategy<Value = Resources> {
    (
        proptest::option::of(0u64..8_000_000_000),
        proptest::option::of(0u64..1 << 36),
    )
        .prop_map(|(cpu, mem)| Resources { cpu, mem })
}

fn cpu_mem() -> impl Strategy<Value = CpuMem> {
    (0u64..8_000_000_000, 0u64..1 << 36).prop_map(|(cpu, mem)| CpuMem { cpu, mem })
}

fn stall() -> impl Strategy<Value = Option<Stall>> {
    proptest::option::of(
        (
            proptest::option::of(0u64..=10_000),
            proptest::option::of(0u64..=10_000),
            proptest::option::of(0u64..=10_000),
        )
            .prop_map(|(cpu, memory, io)| Stall { cpu, memory, io }),
    )
}

fn io() -> impl Strategy<Value = Option<Io>> {
    proptest::option::of(
        (
            proptest::option::of(0u64..1 << 30),
            proptest::option::of(0u64..1 << 30),
            proptest::option::of(0u64..1 << 30),
            proptest::option::of(0u64..1 << 30),
        )
            .prop_map(|(rx, tx, read, write)| Io {
                rx,
                tx,
                read,
                write,
            }),
    )
}

/// A pod from a small universe of names, so that steps share pods.
fn pod() -> impl Strategy<Value = PodRow> {
    (
        (0usize..3, 0usize..30, proptest::option::of(0usize..6)),
        (0usize..3, any::<bool>(), 0u32..4, -5i64..5),
        proptest::collection::vec(
            (resources(), resources(), proptest::option::of(cpu_mem())),
            1..4,
        ),
        (resources(), resources()),
        (
            proptest::option::of((1_700_000_000_000i64..1_700_000_100_000, 0u64..60_000)),
            io(),
        ),
        (
            proptest::option::of((0usize..3, 0usize..4, proptest::option::of(0u32..20))),
            any::<bool>(),
            extended(),
            stall(),
        ),
    )
        .prop_map(
            |(
                (ns, name, node),
                (phase, reason, restarts, created),
                containers,
                (rq, lim),
                (sample, io),
                (owner, ready, extended, stall),
            )| {
                PodRow {
                    ns: ["default", "kube-system", "shop"][ns].to_owned(),
                    name: format!("pod-{name}"),
                    node: node.map(|n| format!("node-{n}")),
                    phase: [PodPhase::Running, PodPhase::Pending, PodPhase::Failed][phase],
                    reason: reason.then(|| "CrashLoopBackOff".to_owned()),
                    restarts,
                    created_s: 1_700_000_000 + created,
                    containers: containers
                        .into_iter()
                        .enumerate()
                        .map(|(i, (requests, limits, usage))| ContainerRow {
                            name: format!("c{i}"),
                            requests,
                            limits,
                            usage,
                        })
                        .collect(),
                    requests: rq,
                    limits: lim,
                    sample: sample.map(|(ts_ms, window_ms)| SampleTime { ts_ms, window_ms }),
                    io,
                    owner: owner.map(|(kind, name, desired)| Workload {
                        kind: ["Deployment", "StatefulSet", "Job"][kind].to_owned(),
                        name: format!("app-{name}"),
                        desired,
                    }),
                    ready,
                    extended,
                    stall,
                }
            },
        )
}

/// Zero to two extended resources.
fn extended() -> impl Strategy<Value = Vec<ExtendedResource>> {
    proptest::collection::vec((0usize..2, 0u64..9), 0..3).prop_map(|list| {
        let mut out = Vec::new();
        for (name, amount) in list {
            add_extended(
                &mut out,
                ["nvidia.com/gpu", "example.com/foo"][name],
                amount,
            );
        }
        out
    })
}

fn node() -> impl Strategy<Value = NodeRow> {
    (
        0usize..6,
        any::<bool>(),
        (cpu_mem(), cpu_mem(), cpu_mem(), cpu_mem()),
        proptest::option::of((cpu_mem(), -1_000i64..1_000, 0u64..60_000)),
        io(),
        0u32..40,
        (extended(), extended()),
    )
        .prop_map(
            |(name, cordoned, (cap, alloc, req, lim), usage, io, pods, (ext_alloc, ext_req))| {
                NodeRow {
                    name: format!("node-{name}"),
                    roles: if cordoned {
                        vec!["control-plane".into()]
                    } else {
                        vec![]
                    },
                    unschedulable: cordoned,
                    kubelet_version: "v1.35.4".into(),
                    created_s: 1_700_000_000,
                    capacity: cap,
                    allocatable: alloc,
                    pod_capacity: 110,
                    pods,
                    requests: req,
                    limits: lim,
                    usage: usage.map(|(value, ts, window_ms)| Usage {
                        value,
                        ts_ms: 1_700_000_000_000 + ts,
                        window_ms,
                    }),
                    io,
                    extended_allocatable: ext_alloc,
                    extended_requests: ext_req,
                    ..NodeRow::default()
                }
            },
        )
}

fn optional_int() -> impl Strategy<Value = Option<i64>> {
    proptest::option::of(any::<i64>())
}

/// Every field of a frame's meta, with every source, mode, reason and stale part.
fn meta() -> impl Strategy<Value = FrameMeta> {
    let kind = prop_oneof![
        Just(SourceKind::MetricsServer),
        Just(SourceKind::Prometheus),
        Just(SourceKind::None),
        Just(SourceKind::Demo),
    ];
    let mode = prop_oneof![
        Just(SourceMode::Auto),
        Just(SourceMode::MetricsServer),
        Just(SourceMode::Prometheus),
        Just(SourceMode::None),
        Just(SourceMode::Demo),
    ];
    let reason = prop_oneof![
        Just(FallbackReason::NotInstalled),
        Just(FallbackReason::Unavailable),
        Just(FallbackReason::Forbidden),
        Just(FallbackReason::Timeout),
        Just(FallbackReason::Starting),
        Just(FallbackReason::Error),
    ];
    let fallback = (kind.clone(), reason, ".*", ".*", optional_int()).prop_map(
        |(source, reason, message, hint, retry_at_ms)| Fallback {
            source,
            reason,
            message,
            hint,
            retry_at_ms,
        },
    );
    let stale = (0usize..3, any::<i64>(), ".*").prop_map(|(part, since_ms, reason)| Staleness {
        part: [StalePart::Objects, StalePart::Usage, StalePart::Owners][part],
        since_ms,
        reason,
    });
    let cluster = (
        (".*", ".*", ".*", proptest::option::of(".*")),
        (any::<u64>(), any::<u32>(), any::<bool>()),
    )
        .prop_map(
            |((context, server, user, namespace), (refresh_ms, history, demo))| ClusterInfo {
                context,
                server,
                user,
                namespace,
                refresh_ms,
                history,
                demo,
            },
        );
    let source = (
        mode,
        kind,
        proptest::collection::vec(fallback, 0..3),
        optional_int(),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(mode, live, fallbacks, last_sample_ms, (io, psi))| SourceStatus {
                mode,
                live,
                fallbacks,
                last_sample_ms,
                io,
                psi,
            },
        );
    let freshness = (
        any::<i64>(),
        optional_int(),
        proptest::collection::vec(stale, 0..3),
    )
        .prop_map(|(objects_ms, usage_ms, stale)| Freshness {
            objects_ms,
            usage_ms,
            stale,
        });
    let viewer = proptest::option::of(
        (
            any::<bool>(),
            proptest::option::of(proptest::collection::vec(".*", 0..3)),
        )
            .prop_map(|(nodes, namespaces)| ViewerAccess { nodes, namespaces }),
    );
    (cluster, source, any::<i64>(), freshness, viewer).prop_map(
        |(cluster, source, taken_at_ms, freshness, viewer)| FrameMeta {
            cluster,
            source,
            taken_at_ms,
            freshness,
            viewer,
        },
    )
}

/// A snapshot with unique keys, sorted as the proxy sorts them.
fn snapshot() -> impl Strategy<Value = Snapshot> {
    (
        proptest::collection::vec(node(), 0..6),
        proptest::collection::vec(pod(), 0..40),
        meta(),
    )
        .prop_map(|(mut nodes, mut pods, meta)| {
            nodes.sort_by(|a, b| a.name.cmp(&b.name));
            nodes.dedup_by(|a, b| a.name == b.name);
            pods.sort_by_key(PodRow::key);
            pods.dedup_by(|a, b| a.key() == b.key());
            Snapshot {
                nodes,
                pods,
                cluster: meta.cluster,
                source: meta.source,
                taken_at_ms: meta.taken_at_ms,
                freshness: meta.freshness,
                viewer: meta.viewer,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_viewer_holds_the_snapshot(steps in proptest::collection::vec(snapshot(), 1..8)) {
        let mut encoder = Encoder::new(7);
        let mut follower = Live::default();
        let mut mirror = Vec::new();
        for (i, snap) in steps.iter().enumerate() {
            let (kind, frame) = encoder.encode(snap);
            prop_assert_eq!(kind, if i == 0 { FrameKind::Full } else { FrameKind::Delta });
            prop_assert_eq!(follower.apply(&frame), Ok(kind));
            assert_holds(&follower, snap);
            follow_changes(&mut mirror, &follower);
            // A viewer joining now gets a full frame and holds the same.
            let mut joiner = Live::default();
            prop_assert_eq!(joiner.apply(&encoder.full()), Ok(FrameKind::Full));
            assert_holds(&joiner, snap);
            prop_assert_eq!(joiner.position(), Some((7, i as u64 + 1)));
        }
    }

    #[test]
    fn a_viewer_holds_only_what_their_access_shows(
        steps in proptest::collection::vec(snapshot(), 1..6),
        nodes in any::<bool>(),
        every_namespace in any::<bool>(),
        picks in proptest::collection::vec(any::<bool>(), 8),
    ) {
        // Namespaces the first snapshot has, some picked, plus one no pod is in.
        let mut seen: Vec<String> = steps[0].pods.iter().map(|p| p.ns.clone()).collect();
        seen.dedup();
        let mut picked: Vec<String> = seen
            .into_iter()
            .zip(picks.iter().cycle())
            .filter(|(_, keep)| **keep)
            .map(|(ns, _)| ns)
            .chain(["no-such-namespace".to_owned()])
            .collect();
        picked.sort();
        let access = ViewerAccess {
            nodes,
            namespaces: (!every_namespace).then_some(picked),
        };
        let mut encoder = Encoder::new(3);
        let mut follower = Live::default();
        for snap in &steps {
            let (kind, frame) = encoder.encode_scoped(snap, &access);
            prop_assert_eq!(follower.apply(&frame), Ok(kind));
            let seen = Snapshot {
                nodes: access.nodes_of(&snap.nodes).to_vec(),
                pods: access.pods_of(&snap.pods).into_iter().cloned().collect(),
                viewer: Some(access.clone()),
                ..snap.clone()
            };
            assert_holds(&follower, &seen);
        }
    }

    #[test]
    fn no_frame_prefix_or_corruption_panics(snap in snapshot(), cut in 0usize..4096, flip in any::<(usize, u8)>()) {
        let mut encoder = Encoder::new(1);
        let (_, frame) = encoder.encode(&snap);
        let mut live = Live::default();
        let cut = cut.min(frame.len());
        if cut < frame.len() {
            prop_assert!(live.apply(&frame[..cut]).is_err());
            prop_assert_eq!(live.position(), None, "a refused frame changes nothing");
        }
        let mut bent = frame.clone();
        let at = flip.0 % bent.len();
        bent[at] ^= flip.1.max(1);
        let _ = live.apply(&bent);
    }
}

#[test]
fn a_viewer_that_missed_a_frame_is_refused_and_keeps_its_view() {
    let snap = |cpu: u64| Snapshot {
        nodes: vec![NodeRow {
            name: "n".into(),
            usage: Some(Usage {
                value: CpuMem { cpu, mem: 1 },
                ..Usage::default()
            }),
            ..NodeRow::default()
        }],
        ..Snapshot::default()
    };
    let mut encoder = Encoder::new(3);
    let mut live = Live::default();
    live.apply(&encoder.encode(&snap(1)).1)
        .expect("the first frame");
    let _missed = encoder.encode(&snap(2));
    let (_, third) = encoder.encode(&snap(3));
    let err = live.apply(&third).expect_err("out of sequence");
    assert!(
        matches!(&err, FrameError::OutOfSequence(o) if o.base == 2 && o.held == Some((3, 1))),
        "{err}"
    );
    assert_eq!(live.position(), Some((3, 1)));
    assert_eq!(
        live.node(0).and_then(|n| n.usage).map(|u| u.value.cpu),
        Some(1)
    );
    // Another epoch's delta is refused the same way.
    let mut other = Encoder::new(4);
    other.encode(&snap(1));
    assert!(live.apply(&other.encode(&snap(5)).1).is_err());
}

#[test]
fn a_steady_cluster_costs_about_a_byte_per_unchanged_value() {
    let pods: Vec<PodRow> = (0..1000)
        .map(|i| PodRow {
            ns: "shop".into(),
            name: format!("web-{i}"),
            containers: vec![ContainerRow {
                name: "web".into(),
                usage: Some(CpuMem {
                    cpu: 1_000_000 * i,
                    mem: 1 << 20,
                }),
                ..ContainerRow::default()
            }],
            sample: Some(SampleTime::default()),
            ..PodRow::default()
        })
        .collect();
    let snap = Snapshot {
        pods,
        ..Snapshot::default()
    };
    let mut encoder = Encoder::new(1);
    let (_, full) = encoder.encode(&snap);
    let (_, delta) = encoder.encode(&snap);
    // Four columns of one zero byte per pod, and the frame's few fixed bytes.
    assert!(delta.len() < 4 * 1000 + 64, "{} bytes", delta.len());
    assert!(
        full.len() > 10 * delta.len() / 4,
        "{} vs {}",
        full.len(),
        delta.len()
    );
}

#[test]
fn slots_are_reused_so_the_tables_shrink_after_a_scale_down() {
    let pods = |n: usize| Snapshot {
        pods: (0..n)
            .map(|i| PodRow {
                ns: "a".into(),
                name: format!("p{i:05}"),
                containers: vec![ContainerRow::default()],
                ..PodRow::default()
            })
            .collect(),
        ..Snapshot::default()
    };
    let mut encoder = Encoder::new(1);
    let mut live = Live::default();
    live.apply(&encoder.encode(&pods(3000)).1).expect("frame");
    assert_eq!(live.pod_slots(), 3000);
    // Every sixth pod stays: scattered over the slots until rows are moved down.
    let mut left = pods(3000);
    left.pods = left.pods.into_iter().step_by(6).collect();
    live.apply(&encoder.encode(&left).1).expect("frame");
    assert!(
        live.pod_slots() <= 2 * 500 + 64,
        "{} slots",
        live.pod_slots()
    );
    assert_holds(&live, &left);
    live.apply(&encoder.encode(&pods(100)).1).expect("frame");
    assert!(
        live.pod_slots() <= 2 * 100 + 64,
        "{} slots",
        live.pod_slots()
    );
    assert_holds(&live, &pods(100));
}

/// A frame's header and META, STRINGS and NODES sections as given, for hand-made frames.
fn hand_made(strings: &[&str], pods: impl FnOnce(&mut bytes::Writer), usage: &[u8]) -> Vec<u8> {
    let mut w = bytes::Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.byte(VERSION);
    w.byte(FrameKind::Full as u8);
    w.uint(1);
    w.uint(1);
    w.section(tag::META, |w| {
        super::meta::write_meta(w, &FrameMeta::default())
    });
    w.section(tag::STRINGS, |w| {
        w.uint(0);
        w.uint(strings.len() as u64);
        for s in strings {
            w.bytes(s.as_bytes());
        }
    });
    w.section(tag::NODES, |w| {
        w.uint(0);
        w.uint(0);
        w.uint(0);
    });
    w.section(tag::PODS, pods);
    w.section(tag::USAGE, |w| w.buf.extend_from_slice(usage));
    w.buf
}

#[test]
fn a_short_frame_cannot_claim_millions_of_slots() {
    let frame = hand_made(
        &[],
        |w| {
            w.uint(1 << 22);
            w.uint(0);
            w.uint(0);
        },
        &[0, 0],
    );
    assert!(frame.len() < 64);
    let mut live = Live::default();
    // Refused by the length check, before the usage columns are read (which would have
    // allocated four million cells first).
    assert_eq!(live.apply(&frame), Err(decoder::TOO_MANY_SLOTS));
    assert_eq!(live.pod_slots(), 0);
}

#[test]
fn a_long_string_named_many_times_is_refused() {
    let long = "x".repeat(100_000);
    let frame = hand_made(
        &[&long],
        |w| {
            w.uint(1);
            w.uint(0);
            w.uint(1);
            w.uint(0);
            // ns, name, no node, phase, no reason, restarts, created, 1000 containers.
            w.uint(0);
            w.uint(0);
            w.uint(0);
            w.byte(1);
            w.uint(0);
            w.uint(0);
            w.int(0);
            w.uint(1000);
            for _ in 0..1000 {
                w.uint(0);
                w.byte(0);
                w.byte(0);
            }
            w.byte(0);
            w.byte(0);
        },
        &[0, 0, 0, 0, 0, 0],
    );
    let mut live = Live::default();
    assert!(matches!(live.apply(&frame), Err(FrameError::Malformed(_))));
    assert_eq!(live.position(), None);
}

#[test]
fn churn_rebuilds_the_strings_and_compacts_the_slots_without_losing_a_viewer() {
    let mut encoder = Encoder::new(9);
    let mut follower = Live::default();
    let mut fulls = 0;
    for step in 0..40usize {
        // Every step a new set of names; the size swings so slots get compacted too.
        let count = if step % 5 == 4 { 40 } else { 400 };
        let snap = Snapshot {
            pods: (0..count)
                .map(|i| PodRow {
                    ns: format!("ns-{}", i % 7),
                    name: format!("job-{step}-{i}"),
                    containers: (0..1 + i % 3)
                        .map(|c| ContainerRow {
                            name: format!("c{c}"),
                            usage: Some(CpuMem {
                                cpu: (step * 1000 + i) as u64 * 1_000_000,
                                mem: 1 << 20,
                            }),
                            ..ContainerRow::default()
                        })
                        .collect(),
                    sample: Some(SampleTime::default()),
                    io: (step % 2 == 0).then(|| Io {
                        rx: Some(i as u64),
                        ..Io::default()
                    }),
                    ..PodRow::default()
                })
                .collect::<Vec<_>>(),
            source: SourceStatus {
                io: step % 3 != 0,
                ..SourceStatus::default()
            },
            ..Snapshot::default()
        };
        let mut snap = snap;
        snap.pods.sort_by_key(PodRow::key);
        let (kind, frame) = encoder.encode(&snap);
        fulls += usize::from(kind == FrameKind::Full);
        assert_eq!(follower.apply(&frame), Ok(kind), "step {step}");
        assert_holds(&follower, &snap);
        let mut joiner = Live::default();
        joiner.apply(&encoder.full()).expect("full");
        assert_holds(&joiner, &snap);
        assert!(
            follower.pod_slots() <= 2 * count + 64,
            "step {step}: {} slots",
            follower.pod_slots()
        );
    }
    assert!(
        fulls >= 2,
        "the string table was never rebuilt ({fulls} full frames)"
    );
    assert!(fulls <= 6, "{fulls} full frames in 40 steps");
}

#[test]
fn objects_with_many_strings_each_do_not_rebuild_the_table_every_frame() {
    // Seven strings per pod (name and six container names), 2,000 pods: far past any
    // fixed number of strings per object.
    let snap = Snapshot {
        pods: (0..2000)
            .map(|i| PodRow {
                ns: "batch".into(),
                name: format!("p{i:04}"),
                containers: (0..6)
                    .map(|c| ContainerRow {
                        name: format!("p{i:04}-step{c}"),
                        ..ContainerRow::default()
                    })
                    .collect(),
                ..PodRow::default()
            })
            .collect(),
        ..Snapshot::default()
    };
    let mut encoder = Encoder::new(1);
    let kinds: Vec<FrameKind> = (0..5).map(|_| encoder.encode(&snap).0).collect();
    assert_eq!(kinds[0], FrameKind::Full);
    assert!(
        kinds[1..].iter().all(|k| *k == FrameKind::Delta),
        "{kinds:?}"
    );
}
