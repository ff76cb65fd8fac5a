//! The history of one node or pod, stored compactly: parallel lines of points, one per
//! measured quantity (CPU and memory, or the four throughput directions).

use ktop_web_shared::RingBuffer;
use ktop_web_shared::api::{CpuMem, Io};

/// One point of a series: `f32` halves the memory of `u64` and is exact enough for charts;
/// `NaN` marks a refresh without a sample.
pub type Point = f32;

/// The value stored for a refresh without a sample.
pub const MISSING: Point = Point::NAN;

/// Converts a sample to a point, `MISSING` when absent.
pub fn point(value: Option<u64>) -> Point {
    value.map_or(MISSING, |v| v as Point)
}

/// A measurement that a [`Series`] keeps as `N` lines.
pub trait Sample<const N: usize>: Copy {
    /// One point per line.
    fn points(self) -> [Point; N];
}

impl Sample<2> for CpuMem {
    fn points(self) -> [Point; 2] {
        [point(Some(self.cpu)), point(Some(self.mem))]
    }
}

impl Sample<4> for Io {
    fn points(self) -> [Point; 4] {
        [
            point(self.rx),
            point(self.tx),
            point(self.read),
            point(self.write),
        ]
    }
}

/// `N` lines of one object's history, oldest point first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series<const N: usize> {
    /// The lines, in the order of [`Sample::points`].
    pub lines: [RingBuffer<Point>; N],
}

/// CPU usage in nanocores and memory usage in bytes.
pub type CpuMemSeries = Series<2>;

/// Network received and transmitted, disk read and written, in bytes per second.
pub type IoSeries = Series<4>;

impl<const N: usize> Series<N> {
    /// An empty series keeping `capacity` points.
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: std::array::from_fn(|_| RingBuffer::new(capacity)),
        }
    }

    /// Appends one refresh's sample.
    pub fn push(&mut self, sample: Option<impl Sample<N>>) {
        let points = sample.map_or([MISSING; N], Sample::points);
        for (line, point) in self.lines.iter_mut().zip(points) {
            line.push(point);
        }
    }

    /// Changes how many points are kept, keeping the newest.
    pub fn resize(&mut self, capacity: usize) {
        for line in &mut self.lines {
            line.resize(capacity);
        }
    }
}

impl CpuMemSeries {
    /// CPU usage in nanocores.
    pub fn cpu(&self) -> &RingBuffer<Point> {
        &self.lines[0]
    }

    /// Memory usage in bytes.
    pub fn mem(&self) -> &RingBuffer<Point> {
        &self.lines[1]
    }
}
