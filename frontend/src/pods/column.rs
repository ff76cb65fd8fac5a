//! The pods table's columns.

use crate::table::cell::CellValue;
use crate::table::column::{Column, ColumnInfo};
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

/// Every column, in display order.
const ALL: [PodColumn; 19] = [
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

/// [`ALL`] described, worked out at compile time so no code in the wasm holds it.
const INFO: [ColumnInfo; ALL.len()] = {
    let mut info = [ColumnInfo::text("", ""); ALL.len()];
    let mut i = 0;
    while i < ALL.len() {
        info[i] = ALL[i].info();
        i += 1;
    }
    info
};

impl PodColumn {
    const fn info(self) -> ColumnInfo {
        match self {
            PodColumn::Ns => ColumnInfo::text("ns", "Namespace"),
            PodColumn::Name => ColumnInfo::text("name", "Name"),
            PodColumn::Status => ColumnInfo::text("status", "Status"),
            PodColumn::Restarts => ColumnInfo::num("restarts", "Restarts"),
            PodColumn::Node => ColumnInfo::text("node", "Node"),
            PodColumn::Cpu => ColumnInfo::num("cpu", "CPU"),
            PodColumn::Mem => ColumnInfo::num("mem", "Memory"),
            PodColumn::CpuReqPct => ColumnInfo::num("cpu-req-pct", "CPU/req"),
            PodColumn::MemReqPct => ColumnInfo::num("mem-req-pct", "Mem/req"),
            PodColumn::CpuLimPct => ColumnInfo::num("cpu-lim-pct", "CPU/lim"),
            PodColumn::MemLimPct => ColumnInfo::num("mem-lim-pct", "Mem/lim"),
            PodColumn::CpuSpark => ColumnInfo::num("cpu-spark", "CPU trend"),
            PodColumn::MemSpark => ColumnInfo::num("mem-spark", "Mem trend"),
            PodColumn::Io(c) => c.info(),
        }
    }
}

impl Column for PodColumn {
    type Row = PodView;
    const ALL: &'static [PodColumn] = &ALL;
    const INFO: &'static [ColumnInfo] = &INFO;

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = PodColumn::INFO.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PodColumn::ALL.len());
    }
}
