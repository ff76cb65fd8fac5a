//! The demo's ResourceQuotas: `shop` and `ml`, with what their pods use counted the way the
//! quota controller counts it and written in the API server's quantity forms.

use ktop_web_shared::api::{PodPhase, PodRow};
use ktop_web_shared::quota::{Quota, QuotaResource};

const GI: u64 = 1 << 30;
const MI: u64 = 1 << 20;
const NANOS_PER_MILLI: u64 = 1_000_000;

/// A quota's hard amounts, as written in its spec.
struct Hard {
    namespace: &'static str,
    name: &'static str,
    resources: &'static [(&'static str, &'static str)],
}

const QUOTAS: [Hard; 2] = [
    Hard {
        namespace: "ml",
        name: "ml-quota",
        resources: &[
            ("limits.memory", "96Gi"),
            ("pods", "10"),
            ("requests.cpu", "24"),
            ("requests.memory", "64Gi"),
            ("requests.nvidia.com/gpu", "4"),
        ],
    },
    Hard {
        namespace: "shop",
        name: "shop-quota",
        resources: &[
            ("limits.memory", "16Gi"),
            ("pods", "40"),
            ("requests.cpu", "8"),
            ("requests.memory", "12Gi"),
        ],
    },
];

/// The quotas with `used` counted from `pods`: pods that have not finished, their requests
/// and limits (a pod without a memory limit adds nothing to `limits.memory` here; the real
/// admission would refuse it).
pub fn quotas(pods: &[PodRow]) -> Vec<Quota> {
    QUOTAS
        .iter()
        .map(|q| {
            let counted: Vec<&PodRow> = pods
                .iter()
                .filter(|p| p.ns == q.namespace)
                .filter(|p| !matches!(p.phase, PodPhase::Succeeded | PodPhase::Failed))
                .collect();
            let sum = |f: &dyn Fn(&PodRow) -> u64| counted.iter().map(|p| f(p)).sum::<u64>();
            let used = |resource: &str| -> String {
                match resource {
                    "pods" => counted.len().to_string(),
                    "requests.cpu" => cpu(sum(&|p| p.requests.cpu.unwrap_or(0))),
                    "requests.memory" => memory(sum(&|p| p.requests.mem.unwrap_or(0))),
                    "limits.memory" => memory(sum(&|p| p.limits.mem.unwrap_or(0))),
                    other => {
                        let name = other.trim_start_matches("requests.");
                        sum(&|p| {
                            p.extended
                                .iter()
                                .filter(|e| e.name == name)
                                .map(|e| e.amount)
                                .sum()
                        })
                        .to_string()
                    }
                }
            };
            Quota {
                namespace: q.namespace.into(),
                name: q.name.into(),
                resources: q
                    .resources
                    .iter()
                    .map(|&(resource, hard)| QuotaResource {
                        resource: resource.into(),
                        used: Some(used(resource)),
                        hard: hard.into(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// CPU as the API server writes it: whole cores, else millicores.
fn cpu(nanos: u64) -> String {
    let millis = nanos.div_ceil(NANOS_PER_MILLI);
    if millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

/// Memory as the API server writes it: the largest binary unit that divides it.
fn memory(bytes: u64) -> String {
    match bytes {
        0 => "0".into(),
        b if b.is_multiple_of(GI) => format!("{}Gi", b / GI),
        b if b.is_multiple_of(MI) => format!("{}Mi", b / MI),
        b if b.is_multiple_of(1024) => format!("{}Ki", b / 1024),
        b => b.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::DemoCluster;

    #[test]
    fn quantities_read_back_as_what_was_counted() {
        use ktop_web_shared::quantity;
        for nanos in [0, 250 * NANOS_PER_MILLI, 3_000 * NANOS_PER_MILLI] {
            assert_eq!(quantity::cpu_nanos(&cpu(nanos)), Ok(nanos));
        }
        for bytes in [0, 3 * GI, 1536 * MI, 4096, 1000] {
            assert_eq!(quantity::units(&memory(bytes)), Ok(bytes));
        }
    }

    #[test]
    fn the_gpu_quota_counts_the_trainers_gpus() {
        let quotas = DemoCluster::new(1_800_000_000).object_cache();
        let quotas = quotas.quotas();
        let ml = &quotas.rows["ml/ml-quota"];
        let gpu = ml
            .resources
            .iter()
            .find(|r| r.resource == "requests.nvidia.com/gpu")
            .expect("a GPU line");
        assert_eq!((gpu.used.as_deref(), gpu.hard.as_str()), (Some("3"), "4"));
        assert!(quotas.rows.contains_key("shop/shop-quota"));
    }
}
