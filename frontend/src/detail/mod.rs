//! The drill-down pages: a node, a pod, a container with its logs.

pub mod conditions;
pub mod container_page;
pub mod events_table;
pub mod facts;
pub mod fetched;
pub mod logs_view;
pub mod node_page;
pub mod pod_page;
pub mod throughput_charts;
pub mod usage_chart;
