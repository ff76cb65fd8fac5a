//! The columns of the workloads and namespaces tables: one row type, one set of columns;
//! the namespaces table leaves out the workload's kind and name.

use crate::route::page_route::{PageRoute, workload_href};
use crate::route::url_codec::encode;
use crate::table::cell::CellValue;
use crate::table::column::{Column, ColumnInfo, describe};
use crate::table::gpus::GPU_COLUMN;
use crate::table::sort::SortValue;

use super::row::{GroupView, NAMESPACE};

/// A column of a group table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupColumn {
    /// Namespace.
    Ns,
    /// Workload kind.
    Kind,
    /// Workload name.
    Name,
    /// Ready pods of those wanted (or of those there are).
    Ready,
    /// Pods.
    Pods,
    /// Restarts, summed.
    Restarts,
    /// CPU usage, summed.
    Cpu,
    /// Memory usage, summed.
    Mem,
    /// CPU requests, summed.
    CpuReq,
    /// Memory requests, summed.
    MemReq,
    /// CPU usage % of requests.
    CpuReqPct,
    /// Memory usage % of requests.
    MemReqPct,
    /// CPU limits, summed.
    CpuLim,
    /// Memory limits, summed.
    MemLim,
    /// CPU history of the sum.
    CpuSpark,
    /// Memory history of the sum.
    MemSpark,
    /// GPUs the pods request, summed.
    Gpu,
}

/// Every column, in display order.
const ALL: [GroupColumn; 17] = [
    GroupColumn::Ns,
    GroupColumn::Kind,
    GroupColumn::Name,
    GroupColumn::Ready,
    GroupColumn::Pods,
    GroupColumn::Restarts,
    GroupColumn::Cpu,
    GroupColumn::Mem,
    GroupColumn::CpuReq,
    GroupColumn::MemReq,
    GroupColumn::CpuReqPct,
    GroupColumn::MemReqPct,
    GroupColumn::CpuLim,
    GroupColumn::MemLim,
    GroupColumn::Gpu,
    GroupColumn::CpuSpark,
    GroupColumn::MemSpark,
];

/// [`ALL`] described for the workloads table.
const INFO: [ColumnInfo; ALL.len()] = describe!(ALL, GroupColumn::info);

/// [`ALL`] described for the namespaces table: a namespace has no kind, no name of its own
/// and no readiness target, so those are left out unless the URL asks for them.
pub const NAMESPACE_INFO: [ColumnInfo; ALL.len()] = {
    let mut info = INFO;
    let mut i = 0;
    while i < ALL.len() {
        if matches!(
            ALL[i],
            GroupColumn::Kind | GroupColumn::Name | GroupColumn::Ready
        ) {
            info[i].default = false;
        }
        i += 1;
    }
    info
};

impl GroupColumn {
    const fn info(self) -> ColumnInfo {
        match self {
            GroupColumn::Ns => ColumnInfo::text("ns", "Namespace"),
            GroupColumn::Kind => ColumnInfo::text("kind", "Kind"),
            GroupColumn::Name => ColumnInfo::text("name", "Name"),
            GroupColumn::Ready => ColumnInfo::num("ready", "Ready"),
            GroupColumn::Pods => ColumnInfo::num("pods", "Pods"),
            GroupColumn::Restarts => ColumnInfo::num("restarts", "Restarts"),
            GroupColumn::Cpu => ColumnInfo::num("cpu", "CPU"),
            GroupColumn::Mem => ColumnInfo::num("mem", "Memory"),
            GroupColumn::CpuReq => ColumnInfo::num("cpu-req", "CPU req"),
            GroupColumn::MemReq => ColumnInfo::num("mem-req", "Mem req"),
            GroupColumn::CpuReqPct => ColumnInfo::num("cpu-req-pct", "CPU/req"),
            GroupColumn::MemReqPct => ColumnInfo::num("mem-req-pct", "Mem/req"),
            GroupColumn::CpuLim => ColumnInfo::num("cpu-lim", "CPU lim"),
            GroupColumn::MemLim => ColumnInfo::num("mem-lim", "Mem lim"),
            GroupColumn::CpuSpark => ColumnInfo::num("cpu-spark", "CPU trend"),
            GroupColumn::MemSpark => ColumnInfo::num("mem-spark", "Mem trend"),
            GroupColumn::Gpu => GPU_COLUMN,
        }
    }
}

fn pct(part: Option<u64>, whole: u64) -> SortValue<'static> {
    SortValue::Num(part.and_then(|p| ktop_web_shared::format::percent(p, whole)))
}

impl Column for GroupColumn {
    type Row = GroupView;
    const ALL: &'static [GroupColumn] = &ALL;
    const INFO: &'static [ColumnInfo] = &INFO;

    fn cell(self, g: &GroupView) -> Option<CellValue> {
        let some = |v: u64| Some(v).filter(|&v| v > 0);
        Some(match self {
            GroupColumn::Ns => CellValue::text(g.ns.clone()),
            GroupColumn::Kind => CellValue::text(g.kind.clone()),
            GroupColumn::Name => CellValue::text(g.name.clone()),
            GroupColumn::Ready => CellValue::count(u64::from(g.ready), g.ready_text()),
            GroupColumn::Pods => CellValue::count(u64::from(g.pods), g.pods.to_string()),
            GroupColumn::Restarts => {
                CellValue::count(u64::from(g.restarts), g.restarts.to_string())
            }
            GroupColumn::Cpu => CellValue::cpu(g.cpu()),
            GroupColumn::Mem => CellValue::bytes(g.mem()),
            GroupColumn::CpuReq => CellValue::cpu(some(g.requests.cpu)),
            GroupColumn::MemReq => CellValue::bytes(some(g.requests.mem)),
            GroupColumn::CpuReqPct => CellValue::percent_of(g.cpu(), some(g.requests.cpu)),
            GroupColumn::MemReqPct => CellValue::percent_of(g.mem(), some(g.requests.mem)),
            GroupColumn::CpuLim => CellValue::cpu(some(g.limits.cpu)),
            GroupColumn::MemLim => CellValue::bytes(some(g.limits.mem)),
            GroupColumn::Gpu => match some(g.gpus) {
                Some(n) => CellValue::count(n, n.to_string()),
                None => CellValue::default(),
            },
            GroupColumn::CpuSpark | GroupColumn::MemSpark => return None,
        })
    }

    fn sort_value(self, g: &GroupView) -> SortValue<'_> {
        match self {
            GroupColumn::Ns => SortValue::Text(&g.ns),
            GroupColumn::Kind => SortValue::Text(&g.kind),
            GroupColumn::Name => SortValue::Text(&g.name),
            GroupColumn::Ready => SortValue::whole(Some(u64::from(g.ready))),
            GroupColumn::Pods => SortValue::whole(Some(u64::from(g.pods))),
            GroupColumn::Restarts => SortValue::whole(Some(u64::from(g.restarts))),
            // The trend columns sort by their newest point, the current usage.
            GroupColumn::Cpu | GroupColumn::CpuSpark => SortValue::whole(g.cpu()),
            GroupColumn::Mem | GroupColumn::MemSpark => SortValue::whole(g.mem()),
            GroupColumn::CpuReq => SortValue::whole(Some(g.requests.cpu)),
            GroupColumn::MemReq => SortValue::whole(Some(g.requests.mem)),
            GroupColumn::CpuReqPct => pct(g.cpu(), g.requests.cpu),
            GroupColumn::MemReqPct => pct(g.mem(), g.requests.mem),
            GroupColumn::CpuLim => SortValue::whole(Some(g.limits.cpu)),
            GroupColumn::MemLim => SortValue::whole(Some(g.limits.mem)),
            GroupColumn::Gpu => SortValue::whole(Some(g.gpus)),
        }
    }

    /// A namespace leads to its pods, a workload to its page.
    fn href(self, g: &GroupView, context: Option<&str>) -> Option<String> {
        match self {
            GroupColumn::Ns => Some(format!(
                "{}?ns={}",
                PageRoute::Pods.href_in(context),
                encode(&g.ns)
            )),
            GroupColumn::Name if g.kind != NAMESPACE => Some(workload_href(context, &g.key)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_namespaces_hide_what_they_lack() {
        let mut keys: Vec<_> = GroupColumn::INFO.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), GroupColumn::ALL.len());
        let hidden = |info: &[ColumnInfo]| -> Vec<&str> {
            info.iter().filter(|c| !c.default).map(|c| c.key).collect()
        };
        let mut more = hidden(&NAMESPACE_INFO);
        more.retain(|k| !hidden(GroupColumn::INFO).contains(k));
        assert_eq!(more, ["kind", "name", "ready"]);
        let css = include_str!("../../style.css");
        for key in keys {
            let rule = format!("table[data-hide~=\"{key}\"] [data-col=\"{key}\"]");
            assert!(css.contains(&rule), "style.css lacks {rule}");
        }
    }

    #[test]
    fn a_namespace_leads_to_its_pods_and_a_workload_to_its_page() {
        let workload = GroupView {
            key: "shop/Deployment/cart".into(),
            ns: "shop".into(),
            kind: "Deployment".into(),
            name: "cart".into(),
            gpus: 2,
            ..GroupView::default()
        };
        let namespace = GroupView {
            key: "shop".into(),
            ns: "shop".into(),
            kind: NAMESPACE.into(),
            name: "shop".into(),
            ..GroupView::default()
        };
        let href = |c: GroupColumn, g: &GroupView| c.href(g, Some("dev"));
        assert_eq!(
            href(GroupColumn::Name, &workload).as_deref(),
            Some("/c/dev/workloads/shop/Deployment/cart")
        );
        assert_eq!(
            href(GroupColumn::Ns, &workload).as_deref(),
            Some("/c/dev/pods?ns=shop")
        );
        assert_eq!(href(GroupColumn::Name, &namespace), None);
        assert_eq!(href(GroupColumn::Cpu, &workload), None);
        let gpu = GroupColumn::Gpu.cell(&workload).expect("a cell");
        assert_eq!(gpu.raw.as_deref(), Some("2"));
        assert_eq!(
            GroupColumn::Gpu.cell(&namespace),
            Some(CellValue::default())
        );
    }
}
