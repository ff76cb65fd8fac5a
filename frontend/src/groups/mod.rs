//! Pods rolled up by workload and by namespace, and a workload's sums on its page.

pub mod row;
pub mod workload_page;
