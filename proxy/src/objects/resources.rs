//! Reading resource lists (`{"cpu": "250m", "memory": "1Gi"}`) into base units.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use ktop_web_shared::api::Resources;
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
