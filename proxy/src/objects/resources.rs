//! Reading resource lists (`{"cpu": "250m", "memory": "1Gi"}`) into base units.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use ktop_web_shared::api::{ExtendedResource, Resources, add_extended};
use ktop_web_shared::quantity;

type ResourceList = BTreeMap<String, Quantity>;

fn read(
    list: Option<&ResourceList>,
    key: &str,
    parse: fn(&str) -> Result<u64, quantity::QuantityError>,
) -> Option<u64> {
    let raw = list?.get(key)?;
    match parse(&raw.0) {
        Ok(v) => Some(v),
        Err(e) => {
            // The API server validates quantities, so this is unexpected; count it as unset.
            tracing::debug!(%e, key, "ignoring unparsable quantity");
            None
        }
    }
}

/// CPU in nanocores, zero when unset.
pub fn cpu_of(list: Option<&ResourceList>) -> u64 {
    read(list, "cpu", quantity::cpu_nanos).unwrap_or(0)
}

/// Memory in bytes, zero when unset.
pub fn mem_of(list: Option<&ResourceList>) -> u64 {
    read(list, "memory", quantity::units).unwrap_or(0)
}

/// Pod slots, zero when unset.
pub fn pods_of(list: Option<&ResourceList>) -> u64 {
    read(list, "pods", quantity::units).unwrap_or(0)
}

/// CPU and memory, each `None` when unset.
pub fn resources_of(list: Option<&ResourceList>) -> Resources {
    Resources {
        cpu: read(list, "cpu", quantity::cpu_nanos),
        mem: read(list, "memory", quantity::units),
    }
}

/// True for an extended resource (`nvidia.com/gpu`, `example.com/dongle`): a name with a
/// domain outside `kubernetes.io`, as the API server's own test for one reads it.
pub fn is_extended(name: &str) -> bool {
    name.split_once('/')
        .is_some_and(|(domain, _)| domain != "kubernetes.io" && !domain.ends_with(".kubernetes.io"))
}

/// The extended resources of a list, sorted by name; amounts are whole units.
pub fn extended_of(list: Option<&ResourceList>) -> Vec<ExtendedResource> {
    let mut out = Vec::new();
    for name in list.into_iter().flatten().map(|(k, _)| k) {
        if is_extended(name)
            && let Some(amount) = read(list, name, quantity::units)
        {
            add_extended(&mut out, name, amount);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> ResourceList {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Quantity((*v).to_owned())))
            .collect()
    }

    #[test]
    fn only_names_outside_kubernetes_io_are_extended() {
        let l = list(&[
            ("cpu", "4"),
            ("memory", "1Gi"),
            ("hugepages-2Mi", "0"),
            ("ephemeral-storage", "10Gi"),
            ("nvidia.com/gpu", "8"),
            ("amd.com/gpu", "2"),
            ("kubernetes.io/something", "1"),
            ("node.kubernetes.io/other", "1"),
        ]);
        let extended = extended_of(Some(&l));
        let got: Vec<(&str, u64)> = extended
            .iter()
            .map(|e| (e.name.as_str(), e.amount))
            .collect();
        assert_eq!(got, [("amd.com/gpu", 2), ("nvidia.com/gpu", 8)]);
        assert!(extended_of(None).is_empty());
    }
}
