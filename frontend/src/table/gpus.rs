//! GPUs, the extended resources the tables count: those whose name ends in `/gpu`
//! (`nvidia.com/gpu`, `amd.com/gpu`, …). The nodes and pods tables share the column's
//! description.

use ktop_web_shared::api::ExtendedResource;

use super::caps::Cap;
use super::column::ColumnInfo;

/// The GPU column: shown while the cluster has extended resources.
pub const GPU_COLUMN: ColumnInfo = ColumnInfo {
    needs: Some(Cap::Ext),
    ..ColumnInfo::num("gpu", "GPU")
};

/// How many GPUs `resources` holds, of any vendor.
pub fn gpus(resources: &[ExtendedResource]) -> u64 {
    resources
        .iter()
        .filter(|r| r.name.ends_with("/gpu"))
        .fold(0, |sum, r| sum.saturating_add(r.amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_gpus_of_every_vendor_only() {
        let resource = |name: &str, amount| ExtendedResource {
            name: name.into(),
            amount,
        };
        let list = [
            resource("amd.com/gpu", 2),
            resource("example.com/dongle", 5),
            resource("nvidia.com/gpu", 8),
            resource("nvidia.com/gpu-memory", 3),
        ];
        assert_eq!(gpus(&list), 10);
        assert_eq!(gpus(&[]), 0);
    }
}
