//! `GET /api/v1/contexts/{context}/quotas`: the ResourceQuotas of the namespaces a viewer may
//! see, with each resource's used and hard amounts as `kubectl describe quota` prints them.

use serde::{Deserialize, Serialize};

/// Every quota in view, sorted by namespace and name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuotaList {
    /// The quotas.
    pub quotas: Vec<Quota>,
}

/// One ResourceQuota.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Each resource it limits, sorted by resource name.
    pub resources: Vec<QuotaResource>,
}

/// One resource of a quota.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaResource {
    /// e.g. `requests.cpu`, `pods`, `requests.nvidia.com/gpu`.
    pub resource: String,
    /// `status.used`, as the API server wrote it; absent before the quota controller counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<String>,
    /// `status.hard` (or `spec.hard` before the status is written).
    pub hard: String,
}
