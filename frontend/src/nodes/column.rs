//! The nodes table's columns.

use crate::route::page_route::node_href;
use crate::table::cell::CellValue;
use crate::table::column::{Column, ColumnInfo, describe};
use crate::table::gpus::GPU_COLUMN;
use crate::table::io_column::IoColumn;
use crate::table::sort::SortValue;
use crate::table::stall_column::StallColumn;

use super::row::NodeView;

/// A column of the nodes table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeColumn {
    /// Node name.
    Name,
    /// Ready status.
    Status,
    /// Resources the node is short of.
    Pressure,
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
    /// GPUs requested / allocatable.
    Gpu,
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
    /// Pressure stalls.
    Stall(StallColumn),
}

fn pct(part: u64, whole: u64) -> SortValue<'static> {
    SortValue::Num(ktop_web_shared::format::percent(part, whole))
}

/// Every column, in display order.
const ALL: [NodeColumn; 28] = [
    NodeColumn::Name,
    NodeColumn::Status,
    NodeColumn::Pressure,
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
    NodeColumn::Gpu,
    NodeColumn::Pods,
    NodeColumn::Age,
    NodeColumn::Io(IoColumn::NetRx),
    NodeColumn::Io(IoColumn::NetTx),
    NodeColumn::Io(IoColumn::DiskRead),
    NodeColumn::Io(IoColumn::DiskWrite),
    NodeColumn::Stall(StallColumn::Cpu),
    NodeColumn::Stall(StallColumn::Memory),
    NodeColumn::Stall(StallColumn::Io),
    NodeColumn::CpuSpark,
    NodeColumn::MemSpark,
    NodeColumn::Io(IoColumn::NetTrend),
    NodeColumn::Io(IoColumn::DiskTrend),
];

/// [`ALL`] described, worked out at compile time so no code in the wasm holds it.
const INFO: [ColumnInfo; ALL.len()] = describe!(ALL, NodeColumn::info);

impl NodeColumn {
    const fn info(self) -> ColumnInfo {
        match self {
            NodeColumn::Name => ColumnInfo::text("name", "Name"),
            NodeColumn::Status => ColumnInfo::text("status", "Status"),
            NodeColumn::Pressure => ColumnInfo::text("pressure", "Pressure"),
            NodeColumn::Roles => ColumnInfo::text("roles", "Roles"),
            NodeColumn::Cpu => ColumnInfo::num("cpu", "CPU"),
            NodeColumn::CpuAlloc => ColumnInfo::num("cpu-alloc", "CPU alloc"),
            NodeColumn::CpuPct => ColumnInfo::num("cpu-pct", "CPU%"),
            NodeColumn::Mem => ColumnInfo::num("mem", "Memory"),
            NodeColumn::MemAlloc => ColumnInfo::num("mem-alloc", "Mem alloc"),
            NodeColumn::MemPct => ColumnInfo::num("mem-pct", "Mem%"),
            NodeColumn::ReqCpuPct => ColumnInfo::num("req-cpu-pct", "Req CPU%"),
            NodeColumn::ReqMemPct => ColumnInfo::num("req-mem-pct", "Req Mem%"),
            NodeColumn::LimCpuPct => ColumnInfo::num("lim-cpu-pct", "Lim CPU%"),
            NodeColumn::LimMemPct => ColumnInfo::num("lim-mem-pct", "Lim Mem%"),
            NodeColumn::Gpu => GPU_COLUMN,
            NodeColumn::Pods => ColumnInfo::num("pods", "Pods"),
            NodeColumn::Age => ColumnInfo::num("age", "Age"),
            NodeColumn::CpuSpark => ColumnInfo::num("cpu-spark", "CPU trend"),
            NodeColumn::MemSpark => ColumnInfo::num("mem-spark", "Mem trend"),
            NodeColumn::Io(c) => c.info(),
            NodeColumn::Stall(c) => c.info(),
        }
    }
}

impl Column for NodeColumn {
    type Row = NodeView;
    const ALL: &'static [NodeColumn] = &ALL;
    const INFO: &'static [ColumnInfo] = &INFO;

    fn cell(self, n: &NodeView) -> Option<CellValue> {
        let alloc = n.allocatable;
        Some(match self {
            NodeColumn::Name => CellValue::text(n.name.to_string()),
            NodeColumn::Status => CellValue::text(n.status.clone()),
            NodeColumn::Pressure => CellValue::text(n.pressure.clone()),
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
            NodeColumn::Gpu => match n.gpus {
                Some((requested, alloc)) => {
                    CellValue::count(requested, format!("{requested}/{alloc}"))
                }
                None => CellValue::default(),
            },
            NodeColumn::Pods => {
                CellValue::count(u64::from(n.pods), format!("{}/{}", n.pods, n.pod_capacity))
            }
            NodeColumn::Age => CellValue::age(n.age_s),
            NodeColumn::CpuSpark | NodeColumn::MemSpark => return None,
            NodeColumn::Io(c) => return c.cell(n.io),
            NodeColumn::Stall(c) => c.cell(n.stall),
        })
    }

    fn sort_value(self, n: &NodeView) -> SortValue<'_> {
        match self {
            NodeColumn::Name => SortValue::Text(&n.name),
            NodeColumn::Status => SortValue::Text(&n.status),
            NodeColumn::Pressure => SortValue::Text(&n.pressure),
            NodeColumn::Roles => SortValue::Text(&n.roles),
            // The history columns sort by their newest point, which is the current usage.
            NodeColumn::Cpu | NodeColumn::CpuSpark => SortValue::whole(n.cpu()),
            NodeColumn::CpuAlloc => SortValue::whole(Some(n.allocatable.cpu)),
            NodeColumn::CpuPct => SortValue::Num(n.cpu_pct()),
            NodeColumn::Mem | NodeColumn::MemSpark => SortValue::whole(n.mem()),
            NodeColumn::MemAlloc => SortValue::whole(Some(n.allocatable.mem)),
            NodeColumn::MemPct => SortValue::Num(n.mem_pct()),
            NodeColumn::ReqCpuPct => pct(n.requests.cpu, n.allocatable.cpu),
            NodeColumn::ReqMemPct => pct(n.requests.mem, n.allocatable.mem),
            NodeColumn::LimCpuPct => pct(n.limits.cpu, n.allocatable.cpu),
            NodeColumn::LimMemPct => pct(n.limits.mem, n.allocatable.mem),
            NodeColumn::Gpu => SortValue::whole(n.gpus.map(|(requested, _)| requested)),
            NodeColumn::Pods => SortValue::whole(Some(u64::from(n.pods))),
            NodeColumn::Age => SortValue::Num(Some(n.age_s as f64)),
            NodeColumn::Io(c) => c.sort_value(n.io),
            NodeColumn::Stall(c) => c.sort_value(n.stall),
        }
    }

    fn href(self, n: &NodeView, context: Option<&str>) -> Option<String> {
        (self == NodeColumn::Name).then(|| node_href(context, &n.name))
    }

    fn class(self, n: &NodeView) -> &'static str {
        match self {
            NodeColumn::Status => n.status_class(),
            _ => "",
        }
    }

    /// A status's tooltip is what is wrong, if anything.
    fn title(self, n: &NodeView) -> Option<String> {
        (self == NodeColumn::Status).then(|| n.problems.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = NodeColumn::INFO.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), NodeColumn::ALL.len());
    }

    #[test]
    fn gpus_show_requested_of_allocatable_and_sort_by_requested() {
        let mut n = NodeView::from_row(&ktop_web_shared::api::NodeRow::default(), 0);
        assert_eq!(NodeColumn::Gpu.cell(&n), Some(CellValue::default()));
        assert_eq!(NodeColumn::Gpu.sort_value(&n), SortValue::Num(None));
        n.gpus = Some((3, 8));
        let cell = NodeColumn::Gpu.cell(&n).expect("a cell");
        assert_eq!(
            (cell.raw.as_deref(), cell.text.as_str()),
            (Some("3"), "3/8")
        );
        assert_eq!(NodeColumn::Gpu.sort_value(&n), SortValue::Num(Some(3.0)));
        n.stall = Some(ktop_web_shared::api::Stall {
            io: Some(1234),
            ..Default::default()
        });
        let io = NodeColumn::Stall(StallColumn::Io).cell(&n).expect("a cell");
        assert_eq!(
            (io.raw.as_deref(), io.text.as_str()),
            (Some("1234"), "12.3%")
        );
    }
}
