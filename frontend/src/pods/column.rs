//! The pods table's columns.

use crate::table::cell::CellValue;
use crate::table::column::Column;
use crate::table::io_column::IoColumn;
use crate::table::sort::SortValue;

use super::row::PodView;

/// A column of the pods table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodColumn {
    /// Namespace.
    Ns,
    /// Pod name.
    Name,
    /// Status.
    Status,
    /// Restarts.
    Restarts,
    /// Node.
    Node,
    /// CPU usage.
    Cpu,
    /// Memory usage.
    Mem,
    /// CPU usage % of request.
    CpuReqPct,
    /// Memory usage % of request.
    MemReqPct,
    /// CPU usage % of limit.
    CpuLimPct,
    /// Memory usage % of limit.
    MemLimPct,
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

impl Column for PodColumn {
    type Row = PodView;

    const ALL: &'static [PodColumn] = &[
        PodColumn::Ns,
        PodColumn::Name,
        PodColumn::Status,
        PodColumn::Restarts,
        PodColumn::Node,
        PodColumn::Cpu,
        PodColumn::Mem,
        PodColumn::CpuReqPct,
        PodColumn::MemReqPct,
        PodColumn::CpuLimPct,
        PodColumn::MemLimPct,
        PodColumn::Io(IoColumn::NetRx),
        PodColumn::Io(IoColumn::NetTx),
        PodColumn::Io(IoColumn::DiskRead),
        PodColumn::Io(IoColumn::DiskWrite),
        PodColumn::CpuSpark,
        PodColumn::MemSpark,
        PodColumn::Io(IoColumn::NetTrend),
        PodColumn::Io(IoColumn::DiskTrend),
    ];

    fn key(self) -> &'static str {
        match self {
            PodColumn::Ns => "ns",
            PodColumn::Name => "name",
            PodColumn::Status => "status",
            PodColumn::Restarts => "restarts",
            PodColumn::Node => "node",
            PodColumn::Cpu => "cpu",
            PodColumn::Mem => "mem",
            PodColumn::CpuReqPct => "cpu-req-pct",
            PodColumn::MemReqPct => "mem-req-pct",
            PodColumn::CpuLimPct => "cpu-lim-pct",
            PodColumn::MemLimPct => "mem-lim-pct",
            PodColumn::CpuSpark => "cpu-spark",
            PodColumn::MemSpark => "mem-spark",
            PodColumn::Io(c) => c.key(),
        }
    }

    fn title(self) -> &'static str {
        match self {
            PodColumn::Ns => "Namespace",
            PodColumn::Name => "Name",
            PodColumn::Status => "Status",
            PodColumn::Restarts => "Restarts",
            PodColumn::Node => "Node",
            PodColumn::Cpu => "CPU",
            PodColumn::Mem => "Memory",
            PodColumn::CpuReqPct => "CPU/req",
            PodColumn::MemReqPct => "Mem/req",
            PodColumn::CpuLimPct => "CPU/lim",
            PodColumn::MemLimPct => "Mem/lim",
            PodColumn::CpuSpark => "CPU trend",
            PodColumn::MemSpark => "Mem trend",
            PodColumn::Io(c) => c.title(),
        }
    }

    fn numeric(self) -> bool {
        !matches!(
            self,
            PodColumn::Ns | PodColumn::Name | PodColumn::Status | PodColumn::Node
        )
    }

    fn cell(self, p: &PodView) -> Option<CellValue> {
        Some(match self {
            PodColumn::Ns => CellValue::text(p.ns.clone()),
            PodColumn::Name => CellValue::text(p.name.clone()),
            PodColumn::Status => CellValue::text(p.status.clone()),
            PodColumn::Restarts => CellValue::count(u64::from(p.restarts), p.restarts.to_string()),
            PodColumn::Node => CellValue::text(p.node.clone().unwrap_or_default()),
            PodColumn::Cpu => CellValue::cpu(p.cpu()),
            PodColumn::Mem => CellValue::bytes(p.mem()),
            PodColumn::CpuReqPct => CellValue::percent_of(p.cpu(), p.requests.cpu),
            PodColumn::MemReqPct => CellValue::percent_of(p.mem(), p.requests.mem),
            PodColumn::CpuLimPct => CellValue::usage_percent(p.cpu(), p.limits.cpu),
            PodColumn::MemLimPct => CellValue::usage_percent(p.mem(), p.limits.mem),
            PodColumn::CpuSpark | PodColumn::MemSpark => return None,
            PodColumn::Io(c) => return c.cell(p.io),
        })
    }

    fn sort_value(self, p: &PodView) -> SortValue<'_> {
        match self {
            PodColumn::Ns => SortValue::Text(&p.ns),
            PodColumn::Name => SortValue::Text(&p.name),
            PodColumn::Status => SortValue::Text(&p.status),
            PodColumn::Restarts => num(Some(u64::from(p.restarts))),
            PodColumn::Node => SortValue::Text(p.node.as_deref().unwrap_or("")),
            // The history columns sort by their newest point, which is the current usage.
            PodColumn::Cpu | PodColumn::CpuSpark => num(p.cpu()),
            PodColumn::Mem | PodColumn::MemSpark => num(p.mem()),
            PodColumn::CpuReqPct => SortValue::Num(p.cpu_req_pct()),
            PodColumn::MemReqPct => SortValue::Num(p.mem_req_pct()),
            PodColumn::CpuLimPct => SortValue::Num(p.cpu_lim_pct()),
            PodColumn::MemLimPct => SortValue::Num(p.mem_lim_pct()),
            PodColumn::Io(c) => c.sort_value(p.io),
        }
    }

    fn io(self) -> Option<IoColumn> {
        match self {
            PodColumn::Io(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        for &c in PodColumn::ALL {
            assert_eq!(PodColumn::from_key(c.key()), Some(c));
        }
        let mut keys: Vec<_> = PodColumn::ALL.iter().map(|c| c.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PodColumn::ALL.len());
    }
}
