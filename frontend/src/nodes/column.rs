//! The nodes table's columns.

use crate::table::cell::CellValue;
use crate::table::column::Column;
use crate::table::io_column::IoColumn;
use crate::table::sort::SortValue;

use super::row::NodeView;

/// A column of the nodes table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeColumn {
    /// Node name.
    Name,
    /// Ready status.
    Status,
    /// Roles.
    Roles,
    /// CPU usage.
    Cpu,
    /// CPU allocatable.
    CpuAlloc,
    /// CPU usage % of allocatable.
    CpuPct,
    /// Memory usage.
    Mem,
    /// Memory allocatable.
    MemAlloc,
    /// Memory usage % of allocatable.
    MemPct,
    /// CPU requests % of allocatable.
    ReqCpuPct,
    /// Memory requests % of allocatable.
    ReqMemPct,
    /// CPU limits % of allocatable.
    LimCpuPct,
    /// Memory limits % of allocatable.
    LimMemPct,
    /// Pod count / capacity.
    Pods,
    /// Age.
    Age,
    /// CPU history.
    CpuSpark,
    /// Memory history.
    MemSpark,
    /// Network or disk throughput.
    Io(IoColumn),
}

fn num(value: Option<u64>) -> SortValue<'static> {
    SortValue::Num(value.map(|v| v as f64))
}

fn pct(part: u64, whole: u64) -> SortValue<'static> {
    SortValue::Num(ktop_web_shared::format::percent(part, whole))
}

impl Column for NodeColumn {
    type Row = NodeView;

    const ALL: &'static [NodeColumn] = &[
        NodeColumn::Name,
        NodeColumn::Status,
        NodeColumn::Roles,
        NodeColumn::Cpu,
        NodeColumn::CpuAlloc,
        NodeColumn::CpuPct,
        NodeColumn::Mem,
        NodeColumn::MemAlloc,
        NodeColumn::MemPct,
        NodeColumn::ReqCpuPct,
        NodeColumn::ReqMemPct,
        NodeColumn::LimCpuPct,
        NodeColumn::LimMemPct,
        NodeColumn::Pods,
        NodeColumn::Age,
        NodeColumn::Io(IoColumn::NetRx),
        NodeColumn::Io(IoColumn::NetTx),
        NodeColumn::Io(IoColumn::DiskRead),
        NodeColumn::Io(IoColumn::DiskWrite),
        NodeColumn::CpuSpark,
        NodeColumn::MemSpark,
        NodeColumn::Io(IoColumn::NetTrend),
        NodeColumn::Io(IoColumn::DiskTrend),
    ];

    fn key(self) -> &'static str {
        match self {
            NodeColumn::Name => "name",
            NodeColumn::Status => "status",
            NodeColumn::Roles => "roles",
            NodeColumn::Cpu => "cpu",
            NodeColumn::CpuAlloc => "cpu-alloc",
            NodeColumn::CpuPct => "cpu-pct",
            NodeColumn::Mem => "mem",
            NodeColumn::MemAlloc => "mem-alloc",
            NodeColumn::MemPct => "mem-pct",
            NodeColumn::ReqCpuPct => "req-cpu-pct",
            NodeColumn::ReqMemPct => "req-mem-pct",
            NodeColumn::LimCpuPct => "lim-cpu-pct",
            NodeColumn::LimMemPct => "lim-mem-pct",
            NodeColumn::Pods => "pods",
            NodeColumn::Age => "age",
            NodeColumn::CpuSpark => "cpu-spark",
            NodeColumn::MemSpark => "mem-spark",
            NodeColumn::Io(c) => c.key(),
        }
    }

    fn title(self) -> &'static str {
        match self {
            NodeColumn::Name => "Name",
            NodeColumn::Status => "Status",
            NodeColumn::Roles => "Roles",
            NodeColumn::Cpu => "CPU",
            NodeColumn::CpuAlloc => "CPU alloc",
            NodeColumn::CpuPct => "CPU%",
            NodeColumn::Mem => "Memory",
            NodeColumn::MemAlloc => "Mem alloc",
            NodeColumn::MemPct => "Mem%",
            NodeColumn::ReqCpuPct => "Req CPU%",
            NodeColumn::ReqMemPct => "Req Mem%",
            NodeColumn::LimCpuPct => "Lim CPU%",
            NodeColumn::LimMemPct => "Lim Mem%",
            NodeColumn::Pods => "Pods",
            NodeColumn::Age => "Age",
            NodeColumn::CpuSpark => "CPU trend",
            NodeColumn::MemSpark => "Mem trend",
            NodeColumn::Io(c) => c.title(),
        }
    }

    fn numeric(self) -> bool {
        !matches!(
            self,
            NodeColumn::Name | NodeColumn::Status | NodeColumn::Roles
        )
    }

    fn cell(self, n: &NodeView) -> Option<CellValue> {
        let alloc = n.allocatable;
        Some(match self {
            NodeColumn::Name => CellValue::text(n.name.to_string()),
            NodeColumn::Status => CellValue::text(n.status.clone()),
            NodeColumn::Roles => CellValue::text(n.roles.clone()),
            NodeColumn::Cpu => CellValue::cpu(n.cpu()),
            NodeColumn::CpuAlloc => CellValue::cpu(Some(alloc.cpu)),
            NodeColumn::CpuPct => CellValue::usage_percent(n.cpu(), Some(alloc.cpu)),
            NodeColumn::Mem => CellValue::bytes(n.mem()),
            NodeColumn::MemAlloc => CellValue::bytes(Some(alloc.mem)),
            NodeColumn::MemPct => CellValue::usage_percent(n.mem(), Some(alloc.mem)),
            NodeColumn::ReqCpuPct => CellValue::percent_of(Some(n.requests.cpu), Some(alloc.cpu)),
            NodeColumn::ReqMemPct => CellValue::percent_of(Some(n.requests.mem), Some(alloc.mem)),
            NodeColumn::LimCpuPct => CellValue::percent_of(Some(n.limits.cpu), Some(alloc.cpu)),
            NodeColumn::LimMemPct => CellValue::percent_of(Some(n.limits.mem), Some(alloc.mem)),
            NodeColumn::Pods => {
                CellValue::count(u64::from(n.pods), format!("{}/{}", n.pods, n.pod_capacity))
            }
            NodeColumn::Age => CellValue::age(n.age_s),
            NodeColumn::CpuSpark | NodeColumn::MemSpark => return None,
            NodeColumn::Io(c) => return c.cell(n.io),
        })
    }

    fn sort_value(self, n: &NodeView) -> SortValue<'_> {
        match self {
            NodeColumn::Name => SortValue::Text(&n.name),
            NodeColumn::Status => SortValue::Text(&n.status),
            NodeColumn::Roles => SortValue::Text(&n.roles),
            // The history columns sort by their newest point, which is the current usage.
            NodeColumn::Cpu | NodeColumn::CpuSpark => num(n.cpu()),
            NodeColumn::CpuAlloc => num(Some(n.allocatable.cpu)),
            NodeColumn::CpuPct => SortValue::Num(n.cpu_pct()),
            NodeColumn::Mem | NodeColumn::MemSpark => num(n.mem()),
            NodeColumn::MemAlloc => num(Some(n.allocatable.mem)),
            NodeColumn::MemPct => SortValue::Num(n.mem_pct()),
            NodeColumn::ReqCpuPct => pct(n.requests.cpu, n.allocatable.cpu),
            NodeColumn::ReqMemPct => pct(n.requests.mem, n.allocatable.mem),
            NodeColumn::LimCpuPct => pct(n.limits.cpu, n.allocatable.cpu),
            NodeColumn::LimMemPct => pct(n.limits.mem, n.allocatable.mem),
            NodeColumn::Pods => num(Some(u64::from(n.pods))),
            NodeColumn::Age => SortValue::Num(Some(n.age_s as f64)),
            NodeColumn::Io(c) => c.sort_value(n.io),
        }
    }

    fn io(self) -> Option<IoColumn> {
        match self {
            NodeColumn::Io(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        for &c in NodeColumn::ALL {
            assert_eq!(NodeColumn::from_key(c.key()), Some(c));
        }
        let mut keys: Vec<_> = NodeColumn::ALL.iter().map(|c| c.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), NodeColumn::ALL.len());
    }
}
