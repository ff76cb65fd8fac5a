//! Pods rolled up by workload and by namespace: their tables, the namespaces' quotas, and a
//! workload's sums on its page.

pub mod column;
pub mod page;
pub mod query;
pub mod quotas;
pub mod row;
pub mod table_row;
pub mod workload_page;
