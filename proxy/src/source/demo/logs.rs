//! The simulated containers' logs: line *n* of a run is written `n·2 s` after the run started,
//! so a running container's log grows with time, and each line's text follows from its pod,
//! container and number, so a log reads the same every time. A log is read as the API server
//! and the kubelet read one: the pod and container are checked, the run is chosen from the
//! container's status (`previous` asks for the one before), and then `tailLines`,
//! `sinceSeconds`, `timestamps` and `limitBytes` apply, in the kubelet's order.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::api::LogParams;

use super::details::Refusal;
use super::{DemoCluster, hash};

/// Time between two lines of a log.
pub const LINE_EVERY_MS: i64 = 2_000;
/// Lines per log file: the kubelet rotates a container's log (at 10 MiB) and reads only the
/// current file, so a long-running container's log starts at its last rotation. Below the
/// 10,000 lines a read may ask for, so every log can be seen growing.
const ROTATE_LINES: i64 = 4_096;

/// One run of a container: when it started and, once it has ended, when and with what code.
#[derive(Debug, Clone, Copy)]
struct Run {
    started_ms: i64,
    ended: Option<(i64, i32)>,
}

impl DemoCluster {
    /// The log of a container of pod `namespace/name` at `now_ms`, as `params` ask for it:
    /// its bytes, or the API server's refusal.
    pub fn log(
        &self,
        namespace: &str,
        name: &str,
        params: &LogParams,
        now_ms: i64,
    ) -> Result<Vec<u8>, Refusal> {
        let pod = self.pod(namespace, name)?;
        let container = container_of(pod, name, params.container.as_deref())?;
        if pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_ref())
            .is_none()
        {
            // Not on a node yet: no kubelet to ask, and the API server answers with nothing.
            return Ok(Vec::new());
        }
        let status = pod.status.as_ref().and_then(|s| {
            s.init_container_statuses
                .iter()
                .chain(s.container_statuses.iter())
                .flatten()
                .find(|c| c.name == container)
        });
        let run = run_of(status, container, name, params.previous)?;
        Ok(read(
            run,
            &format!("{namespace}/{name}/{container}"),
            params,
            now_ms,
        ))
    }
}

/// The container a log read is about: the one named, or the pod's only one.
fn container_of<'a>(pod: &'a Pod, name: &str, asked: Option<&str>) -> Result<&'a str, Refusal> {
    let Some(spec) = pod.spec.as_ref() else {
        return Err(Refusal::NotFound(format!("pods {name:?} not found")));
    };
    let init = spec.init_containers.as_deref().unwrap_or_default();
    let names = |list: &[k8s_openapi::api::core::v1::Container]| {
        list.iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match asked {
        Some(asked) => spec
            .containers
            .iter()
            .chain(init)
            .find(|c| c.name == asked)
            .map(|c| c.name.as_str())
            .ok_or_else(|| {
                Refusal::BadRequest(format!("container {asked} is not valid for pod {name}"))
            }),
        None => match spec.containers.as_slice() {
            [only] => Ok(only.name.as_str()),
            all => {
                let mut message = format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names(all)
                );
                if !init.is_empty() {
                    message += &format!(" or one of the init containers: [{}]", names(init));
                }
                Err(Refusal::BadRequest(message))
            }
        },
    }
}

/// The run whose log is read, chosen as the kubelet chooses it: the previous run when asked
/// for; else the running one, or the one that ended; and for a container waiting to be
/// restarted, the run that ended last.
fn run_of(
    status: Option<&ContainerStatus>,
    container: &str,
    pod: &str,
    previous: bool,
) -> Result<Run, Refusal> {
    let ms = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.map(|t| t.0.as_millisecond())
    };
    let state = status.and_then(|s| s.state.as_ref());
    let last = status
        .and_then(|s| s.last_state.as_ref())
        .and_then(|s| s.terminated.as_ref());
    let ended = |t: &k8s_openapi::api::core::v1::ContainerStateTerminated| {
        ms(t.started_at.as_ref()).map(|started_ms| Run {
            started_ms,
            ended: Some((
                ms(t.finished_at.as_ref()).unwrap_or(started_ms),
                t.exit_code,
            )),
        })
    };
    let run = if previous {
        last.and_then(ended).ok_or_else(|| {
            Refusal::BadRequest(format!(
                "previous terminated container {container:?} in pod {pod:?} not found"
            ))
        })?
    } else if let Some(started_ms) = ms(state.and_then(|s| s.running.as_ref()?.started_at.as_ref()))
    {
        Run {
            started_ms,
            ended: None,
        }
    } else if let Some(run) = state.and_then(|s| s.terminated.as_ref()).and_then(ended) {
        run
    } else if let Some(run) = last.and_then(ended) {
        run
    } else {
        let reason = state
            .and_then(|s| s.waiting.as_ref()?.reason.clone())
            .unwrap_or_else(|| "ContainerCreating".into());
        return Err(Refusal::BadRequest(format!(
            "container {container:?} in pod {pod:?} is waiting to start: {reason}"
        )));
    };
    Ok(run)
}

/// The lines of `run` that `params` pick at `now_ms`, in the kubelet's order: the last
/// `tailLines` of the current file, then those newer than `sinceSeconds`, each stamped when
/// `timestamps` asks, and the whole cut at `limitBytes` (mid-line, even mid-character, as the
/// kubelet cuts it).
fn read(run: Run, seed: &str, params: &LogParams, now_ms: i64) -> Vec<u8> {
    let until_ms = run.ended.map_or(now_ms, |(at, _)| at.min(now_ms));
    if until_ms < run.started_ms {
        return Vec::new();
    }
    let last = (until_ms - run.started_ms) / LINE_EVERY_MS;
    let mut first = last - last % ROTATE_LINES;
    if let Some(tail) = params.tail_lines {
        first = first.max(last + 1 - tail.max(0));
    }
    if let Some(since) = params.since_seconds {
        let since_ms = now_ms - since * 1000;
        let from = (since_ms - run.started_ms + LINE_EVERY_MS - 1).div_euclid(LINE_EVERY_MS);
        first = first.max(from);
    }
    let limit = params
        .limit_bytes
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for n in first..=last {
        if out.len() >= limit {
            break;
        }
        let at_ms = run.started_ms + n * LINE_EVERY_MS;
        if params.timestamps {
            let stamp = jiff::Timestamp::from_millisecond(at_ms).unwrap_or_default();
            out.extend_from_slice(format!("{stamp} ").as_bytes());
        }
        let ending = run.ended.filter(|_| n == last).map(|(_, code)| code);
        out.extend_from_slice(line(seed, n, ending).as_bytes());
        out.push(b'\n');
    }
    out.truncate(limit);
    out
}

/// Line `n` of a container's run; `ending` holds the exit code when it is the run's last.
fn line(seed: &str, n: i64, ending: Option<i32>) -> String {
    let h = hash(&format!("{seed}:{n}"));
    let container = seed.rsplit('/').next().unwrap_or(seed);
    match ending {
        Some(0) => return "level=info msg=\"done\" exit=0".into(),
        Some(code) => {
            return format!(
                "level=fatal msg=\"cannot connect to the database, giving up\" err=\"dial tcp 10.96.41.7:5432: connect: connection refused\" exit={code}"
            );
        }
        None => {}
    }
    if n == 0 {
        return format!("level=info msg=\"starting\" container={container}");
    }
    const PATHS: [&str; 6] = [
        "/api/cart",
        "/api/products",
        "/api/checkout",
        "/healthz",
        "/api/search",
        "/api/orders",
    ];
    let path = PATHS[(h % PATHS.len() as u64) as usize];
    let took = 2 + (h >> 8) % 40;
    match container {
        "postgres" => format!(
            "LOG:  duration: {took}.{:03} ms  statement: SELECT * FROM orders WHERE id = {}",
            (h >> 16) % 1000,
            (h >> 24) % 100_000
        ),
        "kafka" => format!(
            "INFO [ReplicaFetcher replicaId=0, leaderId={}, fetcherId=0] Truncating partition orders-{} to offset {}",
            1 + (h >> 4) % 2,
            (h >> 8) % 12,
            n * 97
        ),
        "trainer" => format!(
            "step={n} loss={:.4} lr=3e-4 samples_per_s={} gpu_mem_gib=71.{}",
            2.0 / (1.0 + n as f64 / 500.0) + (h % 100) as f64 / 10_000.0,
            900 + (h >> 8) % 80,
            (h >> 16) % 10
        ),
        _ if h.is_multiple_of(53) => format!(
            "level=error msg=\"upstream error\" path={path} status=503 err=\"context deadline exceeded\""
        ),
        _ if h.is_multiple_of(17) => format!(
            "level=warn msg=\"slow request\" path={path} duration_ms={}",
            800 + took * 20
        ),
        _ if h.is_multiple_of(11) => format!(
            "level=debug msg=\"cache hit\" key={path}:{}",
            (h >> 12) % 1000
        ),
        _ => format!(
            "level=info msg=\"request handled\" method={} path={path} status=200 duration_ms={took}",
            if h & 0x100 == 0 { "GET" } else { "POST" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_S: i64 = 1_800_000_000;

    fn text(demo: &DemoCluster, pod: &(String, String), params: &LogParams, now_ms: i64) -> String {
        let bytes = demo.log(&pod.0, &pod.1, params, now_ms).expect("a log");
        String::from_utf8(bytes).expect("whole lines are UTF-8")
    }

    fn all() -> LogParams {
        LogParams {
            tail_lines: Some(10_000),
            ..LogParams::default()
        }
    }

    #[test]
    fn a_running_log_grows_a_line_every_two_seconds() {
        let demo = DemoCluster::new(NOW_S);
        let pod = demo.pod_named("frontend-");
        let now_ms = NOW_S * 1000;
        let before = text(&demo, &pod, &all(), now_ms);
        let after = text(&demo, &pod, &all(), now_ms + 6_000);
        let (b, a) = (before.lines().count(), after.lines().count());
        // Unless a rotation fell in between, which these times avoid.
        assert_eq!(a, b + 3, "three more lines six seconds later");
        assert!(after.starts_with(&before), "old lines stay as they were");
        assert!(b <= ROTATE_LINES as usize);
        assert_eq!(
            text(&demo, &pod, &all(), now_ms),
            before,
            "the same log every time"
        );
    }

    #[test]
    fn tail_since_timestamps_and_limit_bytes_apply_as_the_kubelet_applies_them() {
        let demo = DemoCluster::new(NOW_S);
        let pod = demo.pod_named("frontend-");
        let now_ms = NOW_S * 1000;
        let whole = text(&demo, &pod, &all(), now_ms);
        let lines: Vec<&str> = whole.lines().collect();
        let tail = LogParams {
            tail_lines: Some(5),
            ..LogParams::default()
        };
        let last5 = text(&demo, &pod, &tail, now_ms);
        assert_eq!(last5.lines().collect::<Vec<_>>(), lines[lines.len() - 5..]);
        // The last minute holds 30 or 31 lines, whatever the tail allows beyond.
        let since = LogParams {
            since_seconds: Some(60),
            ..all()
        };
        let recent = text(&demo, &pod, &since, now_ms).lines().count();
        assert!(
            (30..=31).contains(&recent),
            "{recent} lines in the last minute"
        );
        let both = LogParams {
            since_seconds: Some(60),
            tail_lines: Some(3),
            ..LogParams::default()
        };
        assert_eq!(text(&demo, &pod, &both, now_ms).lines().count(), 3);
        // Stamps are RFC 3339, two seconds apart, the newest no later than now.
        let stamped = LogParams {
            timestamps: true,
            tail_lines: Some(2),
            ..LogParams::default()
        };
        let stamped = text(&demo, &pod, &stamped, now_ms);
        let times: Vec<jiff::Timestamp> = stamped
            .lines()
            .map(|l| {
                l.split_once(' ')
                    .expect("stamp and text")
                    .0
                    .parse()
                    .expect("RFC 3339")
            })
            .collect();
        assert_eq!((times[1] - times[0]).get_seconds(), 2);
        assert!(times[1].as_millisecond() <= now_ms && times[1].as_millisecond() > now_ms - 2_000);
        assert!(
            stamped
                .lines()
                .zip(&lines[lines.len() - 2..])
                .all(|(s, l)| s.ends_with(l))
        );
        // limitBytes cuts the bytes, mid-line if need be.
        let limited = LogParams {
            limit_bytes: Some(100),
            ..all()
        };
        let cut = demo.log(&pod.0, &pod.1, &limited, now_ms).expect("a log");
        assert_eq!(cut.len(), 100);
        assert!(whole.as_bytes().starts_with(&cut));
    }

    #[test]
    fn previous_runs_and_bad_containers_are_refused_as_the_api_server_refuses_them() {
        let demo = DemoCluster::new(NOW_S);
        let now_ms = NOW_S * 1000;
        let previous = LogParams {
            previous: true,
            ..all()
        };
        // A container that never restarted has no previous run.
        let frontend = demo.pod_named("frontend-");
        let err = demo
            .log(&frontend.0, &frontend.1, &previous, now_ms)
            .expect_err("none");
        assert!(
            matches!(&err, Refusal::BadRequest(m) if m.starts_with("previous terminated container \"web\"")),
            "{err:?}"
        );
        // The crash-looping one: its last run, ended by a fatal line, both ways.
        let payments = demo.pod_named("payments-");
        let app = LogParams {
            container: Some("app".into()),
            ..all()
        };
        let current = text(&demo, &payments, &app, now_ms);
        let before = text(
            &demo,
            &payments,
            &LogParams {
                previous: true,
                ..app.clone()
            },
            now_ms,
        );
        assert_eq!(current, before);
        assert!(
            current
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("level=fatal")),
            "{current}"
        );
        assert_eq!(current.lines().count(), 13, "a line every 2 s for 24 s");
        assert_eq!(
            text(&demo, &payments, &app, now_ms + 60_000),
            current,
            "it does not grow"
        );
        // Two containers: one must be named, and only those.
        let err = demo
            .log(&payments.0, &payments.1, &all(), now_ms)
            .expect_err("which one");
        assert!(
            matches!(&err, Refusal::BadRequest(m) if m.contains("choose one of: [app envoy]")),
            "{err:?}"
        );
        let nope = LogParams {
            container: Some("nope".into()),
            ..all()
        };
        assert!(matches!(
            demo.log(&payments.0, &payments.1, &nope, now_ms),
            Err(Refusal::BadRequest(_))
        ));
        assert!(matches!(
            demo.log("shop", "nope", &all(), now_ms),
            Err(Refusal::NotFound(_))
        ));
        // A pod on no node has an empty log.
        let report = demo.pod_named("report-");
        assert_eq!(text(&demo, &report, &all(), now_ms), "");
        // An init container's finished run reads too.
        let postgres = demo.pod_named("postgres-0");
        let init = LogParams {
            container: Some("init-permissions".into()),
            ..all()
        };
        assert!(
            text(&demo, &postgres, &init, now_ms).ends_with("level=info msg=\"done\" exit=0\n")
        );
    }
}
