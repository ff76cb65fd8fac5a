//! CPU or memory: how the overview picks, formats and names each.

use ktop_web_shared::api::{CpuMem, Resources};
use ktop_web_shared::format::{format_bytes, format_cpu};
use ktop_web_shared::history::HistoryMetric;

use crate::charts::geometry::{binary_ceiling, nice_ceiling};
use crate::store::CpuMemSeries;
use crate::table::cell::CellValue;

/// A resource the overview charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// CPU in nanocores.
    Cpu,
    /// Memory in bytes.
    Memory,
}

impl Resource {
    /// Prefix of the panel's element ids (`cpu-usage`, `mem-usage`, …).
    pub fn id(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "mem",
        }
    }

    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Resource::Cpu => "CPU",
            Resource::Memory => "Memory",
        }
    }

    /// This resource's part of a pair.
    pub fn pick(self, value: CpuMem) -> u64 {
        match self {
            Resource::Cpu => value.cpu,
            Resource::Memory => value.mem,
        }
    }

    /// This resource's part of requests or limits, when set.
    pub fn pick_set(self, value: Resources) -> Option<u64> {
        match self {
            Resource::Cpu => value.cpu,
            Resource::Memory => value.mem,
        }
    }

    /// This resource's history in a pair of series.
    pub fn series(self, series: &CpuMemSeries) -> Vec<f32> {
        match self {
            Resource::Cpu => series.cpu().to_vec(),
            Resource::Memory => series.mem().to_vec(),
        }
    }

    /// The history source's series of this resource.
    pub fn metric(self) -> &'static [HistoryMetric] {
        match self {
            Resource::Cpu => &[HistoryMetric::Cpu],
            Resource::Memory => &[HistoryMetric::Memory],
        }
    }

    /// A cell showing an amount of this resource.
    pub fn cell(self, value: Option<u64>) -> CellValue {
        match self {
            Resource::Cpu => CellValue::cpu(value),
            Resource::Memory => CellValue::bytes(value),
        }
    }

    /// Rounds a chart's top up to a value that reads well in this resource's units.
    pub fn axis_ceiling(self) -> fn(f64) -> f64 {
        match self {
            // Millicores below one core, cores above, as format_cpu shows them.
            Resource::Cpu => |v| nice_ceiling(v, if v >= 1e9 { 1e9 } else { 1e6 }),
            Resource::Memory => binary_ceiling,
        }
    }

    /// Formats a chart value given in base units.
    pub fn format_axis(self) -> fn(f64) -> String {
        match self {
            Resource::Cpu => |v| format_cpu(v.max(0.0) as u64),
            Resource::Memory => |v| format_bytes(v.max(0.0) as u64),
        }
    }
}
