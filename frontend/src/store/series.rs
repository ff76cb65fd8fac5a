//! The CPU and memory history of one node or pod, stored compactly.

use ktop_web_shared::RingBuffer;
use ktop_web_shared::api::CpuMem;

/// One point of a series: `f32` halves the memory of `u64` and is exact enough for charts;
/// `NaN` marks a refresh without a sample.
pub type Point = f32;

/// The value stored for a refresh without a sample.
pub const MISSING: Point = Point::NAN;

/// Converts a sample to a point, `MISSING` when absent.
pub fn point(value: Option<u64>) -> Point {
    value.map_or(MISSING, |v| v as Point)
}

/// CPU (nanocores) and memory (bytes) history of one object.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuMemSeries {
    /// CPU usage in nanocores, oldest first.
    pub cpu: RingBuffer<Point>,
    /// Memory usage in bytes, oldest first.
    pub mem: RingBuffer<Point>,
    /// The refresh that last pushed to this series, for pruning objects that disappeared.
    pub(super) seen: u64,
}

impl CpuMemSeries {
    /// An empty series keeping `capacity` points.
    pub fn new(capacity: usize) -> Self {
        Self {
            cpu: RingBuffer::new(capacity),
            mem: RingBuffer::new(capacity),
            seen: 0,
        }
    }

    /// Appends one refresh's sample.
    pub fn push(&mut self, usage: Option<CpuMem>) {
        self.cpu.push(point(usage.map(|u| u.cpu)));
        self.mem.push(point(usage.map(|u| u.mem)));
    }

    /// Changes how many points are kept, keeping the newest.
    pub fn resize(&mut self, capacity: usize) {
        self.cpu.resize(capacity);
        self.mem.resize(capacity);
    }
}
