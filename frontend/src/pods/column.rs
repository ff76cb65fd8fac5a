//! The pods table's columns.

use crate::route::page_route::{node_href, pod_href, workload_href};
use crate::table::cell::CellValue;
use crate::table::column::{Column, ColumnInfo, describe};
use crate::table::gpus::{GPU_COLUMN, gpus};
use crate::table::io_column::IoColumn;
use crate::table::sort::SortValue;
use crate::table::stall_column::StallColumn;

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
    /// The workload the pod belongs to, `Kind/name`.
    Workload,
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
    /// GPUs requested.
    Gpu,
    /// CPU history.
    CpuSpark,
    /// Memory history.
    MemSpark,
    /// Network or disk throughput.
    Io(IoColumn),
    /// Pressure stalls.
    Stall(StallColumn),
}

/// The pod's workload as `Kind/name`; empty for a bare pod.
fn workload(p: &PodView) -> &str {
    match p.owner {
        // The key is `namespace/Kind/name`.
        Some(_) => p.workload.split_once('/').map_or("", |(_, w)| w),
        None => "",
    }
}

/// The GPUs the pod requests; absent when none.
fn gpu(p: &PodView) -> Option<u64> {
    Some(gpus(&p.extended)).filter(|&n| n > 0)
}

/// Every column, in display order.
const ALL: [PodColumn; 24] = [
    PodColumn::Ns,
    PodColumn::Name,
    PodColumn::Status,
    PodColumn::Restarts,
    PodColumn::Node,
    PodColumn::Workload,
    PodColumn::Cpu,
    PodColumn::Mem,
    PodColumn::CpuReqPct,
    PodColumn::MemReqPct,
    PodColumn::CpuLimPct,
    PodColumn::MemLimPct,
    PodColumn::Gpu,
    PodColumn::Io(IoColumn::NetRx),
    PodColumn::Io(IoColumn::NetTx),
    PodColumn::Io(IoColumn::DiskRead),
    PodColumn::Io(IoColumn::DiskWrite),
    PodColumn::Stall(StallColumn::Cpu),
    PodColumn::Stall(StallColumn::Memory),
    PodColumn::Stall(StallColumn::Io),
    PodColumn::CpuSpark,
    PodColumn::MemSpark,
    PodColumn::Io(IoColumn::NetTrend),
    PodColumn::Io(IoColumn::DiskTrend),
];

/// [`ALL`] described, worked out at compile time so no code in the wasm holds it.
const INFO: [ColumnInfo; ALL.len()] = describe!(ALL, PodColumn::info);

impl PodColumn {
    const fn info(self) -> ColumnInfo {
        match self {
            PodColumn::Ns => ColumnInfo::text("ns", "Namespace"),
            PodColumn::Name => ColumnInfo::text("name", "Name"),
            PodColumn::Status => ColumnInfo::text("status", "Status"),
            PodColumn::Restarts => ColumnInfo::num("restarts", "Restarts"),
            PodColumn::Node => ColumnInfo::text("node", "Node"),
            PodColumn::Workload => ColumnInfo::text("workload", "Workload"),
            PodColumn::Cpu => ColumnInfo::num("cpu", "CPU"),
            PodColumn::Mem => ColumnInfo::num("mem", "Memory"),
            PodColumn::CpuReqPct => ColumnInfo::num("cpu-req-pct", "CPU/req"),
            PodColumn::MemReqPct => ColumnInfo::num("mem-req-pct", "Mem/req"),
            PodColumn::CpuLimPct => ColumnInfo::num("cpu-lim-pct", "CPU/lim"),
            PodColumn::MemLimPct => ColumnInfo::num("mem-lim-pct", "Mem/lim"),
            PodColumn::Gpu => GPU_COLUMN,
            PodColumn::CpuSpark => ColumnInfo::num("cpu-spark", "CPU trend"),
            PodColumn::MemSpark => ColumnInfo::num("mem-spark", "Mem trend"),
            PodColumn::Io(c) => c.info(),
            PodColumn::Stall(c) => c.info(),
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
            PodColumn::Workload => CellValue::text(workload(p).to_owned()),
            PodColumn::Cpu => CellValue::cpu(p.cpu()),
            PodColumn::Mem => CellValue::bytes(p.mem()),
            PodColumn::CpuReqPct => CellValue::percent_of(p.cpu(), p.requests.cpu),
            PodColumn::MemReqPct => CellValue::percent_of(p.mem(), p.requests.mem),
            PodColumn::CpuLimPct => CellValue::usage_percent(p.cpu(), p.limits.cpu),
            PodColumn::MemLimPct => CellValue::usage_percent(p.mem(), p.limits.mem),
            PodColumn::Gpu => {
                gpu(p).map_or_else(CellValue::default, |n| CellValue::count(n, n.to_string()))
            }
            PodColumn::CpuSpark | PodColumn::MemSpark => return None,
            PodColumn::Io(c) => return c.cell(p.io),
            PodColumn::Stall(c) => c.cell(p.stall),
        })
    }

    fn sort_value(self, p: &PodView) -> SortValue<'_> {
        match self {
            PodColumn::Ns => SortValue::Text(&p.ns),
            PodColumn::Name => SortValue::Text(&p.name),
            PodColumn::Status => SortValue::Text(&p.status),
            PodColumn::Restarts => SortValue::whole(Some(u64::from(p.restarts))),
            PodColumn::Node => SortValue::Text(p.node.as_deref().unwrap_or("")),
            PodColumn::Workload => SortValue::Text(workload(p)),
            // The history columns sort by their newest point, which is the current usage.
            PodColumn::Cpu | PodColumn::CpuSpark => SortValue::whole(p.cpu()),
            PodColumn::Mem | PodColumn::MemSpark => SortValue::whole(p.mem()),
            PodColumn::CpuReqPct => SortValue::Num(p.cpu_req_pct()),
            PodColumn::MemReqPct => SortValue::Num(p.mem_req_pct()),
            PodColumn::CpuLimPct => SortValue::Num(p.cpu_lim_pct()),
            PodColumn::MemLimPct => SortValue::Num(p.mem_lim_pct()),
            PodColumn::Gpu => SortValue::whole(gpu(p)),
            PodColumn::Io(c) => c.sort_value(p.io),
            PodColumn::Stall(c) => c.sort_value(p.stall),
        }
    }

    fn href(self, p: &PodView, context: Option<&str>) -> Option<String> {
        match self {
            PodColumn::Name => Some(pod_href(context, &p.ns, &p.name)),
            PodColumn::Node => p.node.as_deref().map(|n| node_href(context, n)),
            PodColumn::Workload => p
                .owner
                .is_some()
                .then(|| workload_href(context, &p.workload)),
            _ => None,
        }
    }

    fn class(self, p: &PodView) -> &'static str {
        match self {
            PodColumn::Status => p.status_class(),
            _ => "",
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

    #[test]
    fn workload_gpus_and_stalls() {
        use crate::pods::row::tests::pod;
        use ktop_web_shared::api::{ExtendedResource, Stall, Workload};

        let mut row = pod("ml", "trainer-0", None);
        let bare = PodView::from_row(&row, 0);
        assert_eq!(
            PodColumn::Workload.cell(&bare),
            Some(CellValue::text(String::new()))
        );
        assert_eq!(PodColumn::Workload.sort_value(&bare), SortValue::Text(""));
        assert_eq!(PodColumn::Gpu.cell(&bare), Some(CellValue::default()));
        assert_eq!(PodColumn::Gpu.sort_value(&bare), SortValue::Num(None));
        row.owner = Some(Workload {
            kind: "StatefulSet".into(),
            name: "trainer".into(),
            desired: None,
        });
        row.extended = vec![ExtendedResource {
            name: "nvidia.com/gpu".into(),
            amount: 2,
        }];
        row.stall = Some(Stall {
            memory: Some(2500),
            ..Stall::default()
        });
        let p = PodView::from_row(&row, 0);
        let text = |c: PodColumn| c.cell(&p).map(|c| c.text);
        assert_eq!(
            text(PodColumn::Workload).as_deref(),
            Some("StatefulSet/trainer")
        );
        assert_eq!(
            PodColumn::Workload.sort_value(&p),
            SortValue::Text("StatefulSet/trainer")
        );
        let gpu = PodColumn::Gpu.cell(&p).expect("a cell");
        assert_eq!((gpu.raw.as_deref(), gpu.text.as_str()), (Some("2"), "2"));
        assert_eq!(PodColumn::Gpu.sort_value(&p), SortValue::Num(Some(2.0)));
        assert_eq!(
            text(PodColumn::Stall(StallColumn::Memory)).as_deref(),
            Some("25.0%")
        );
        assert_eq!(
            PodColumn::Stall(StallColumn::Memory).sort_value(&p),
            SortValue::Num(Some(2500.0))
        );
    }
}
