//! Mapping a series of points into an SVG box. Every series is laid out over the same
//! number of slots (the samples taken so far, up to the history capacity) with the newest
//! point at the right edge, so series of objects that appeared later start further right and
//! all series line up in time.

use ktop_web_shared::format::fixed;
use std::fmt::Write;

/// A drawing area and the value range shown in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    /// Width in SVG units.
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// Positions across the width; the newest point takes the last.
    pub slots: usize,
    /// Value drawn at the top edge; zero is at the bottom.
    pub y_max: f64,
}

/// Polylines for one series.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// `points` attribute of one polyline per unbroken run of samples.
    pub runs: Vec<String>,
    /// Number of points drawn.
    pub points: usize,
}

impl Trace {
    /// The same lines as one `<path d>`: a move to the start of each run, then (implicit)
    /// line-tos through its points.
    pub fn path_data(&self) -> String {
        self.runs
            .iter()
            .map(|run| format!("M{run}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Plot {
    /// Horizontal position of a slot.
    pub fn x(&self, slot: usize) -> f64 {
        if self.slots <= 1 {
            self.width
        } else {
            slot as f64 * self.width / (self.slots - 1) as f64
        }
    }

    /// Vertical position of a value, clamped into the box.
    pub fn y(&self, value: f64) -> f64 {
        let share = if self.y_max > 0.0 {
            (value / self.y_max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.height - share * self.height
    }

    /// The slot of the first of `len` values.
    fn offset(&self, len: usize) -> usize {
        self.slots.saturating_sub(len)
    }

    /// Draws `values` (oldest first, non-finite values are gaps).
    pub fn trace(&self, values: &[f32]) -> Trace {
        let plot = Plot {
            slots: self.slots.max(values.len()),
            ..*self
        };
        let offset = plot.offset(values.len());
        let mut trace = Trace::default();
        let mut run = String::new();
        for (i, &value) in values.iter().enumerate() {
            if !value.is_finite() {
                if !run.is_empty() {
                    trace.runs.push(std::mem::take(&mut run));
                }
                continue;
            }
            let (x, y) = (plot.x(offset + i), plot.y(f64::from(value)));
            if !run.is_empty() {
                run.push(' ');
            }
            let _ = write!(run, "{},{}", fixed(x, 1), fixed(y, 1));
            trace.points += 1;
        }
        if !run.is_empty() {
            trace.runs.push(run);
        }
        trace
    }

    /// Index into `len` values of the point nearest to a horizontal fraction (0 = left edge).
    pub fn index_at(&self, fraction: f64, len: usize) -> Option<usize> {
        let slots = self.slots.max(len);
        if len == 0 || !fraction.is_finite() {
            return None;
        }
        let slot = (fraction.clamp(0.0, 1.0) * slots.saturating_sub(1) as f64).round() as usize;
        let offset = slots - len;
        Some(slot.saturating_sub(offset).min(len - 1))
    }
}

/// The top of the value axis: the largest finite value with some headroom; 1 when all are
/// zero or missing, so flat lines sit on the bottom.
pub fn y_max<'a>(series: impl IntoIterator<Item = &'a [f32]>) -> f64 {
    let max = series
        .into_iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(f64::from(v)));
    if max > 0.0 { max * 1.08 } else { 1.0 }
}

/// The smallest "round" multiple of `unit` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power
/// of ten) that is at least `value`, for an axis top that reads well (`60` cores, `250Gi`).
pub fn nice_ceiling(value: f64, unit: f64) -> f64 {
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(value) || !positive(unit) {
        return if positive(unit) { unit } else { 1.0 };
    }
    let mantissa = value / unit;
    // The power of ten at or below the mantissa; a loop rather than log10/powf, which
    // WebAssembly lacks and would be compiled in.
    let mut magnitude = 1.0;
    while magnitude * 10.0 <= mantissa {
        magnitude *= 10.0;
    }
    while magnitude > mantissa {
        magnitude /= 10.0;
    }
    let step = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|s| s * magnitude)
        .find(|&s| s >= mantissa * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude);
    step * unit
}

/// [`nice_ceiling`] in the largest binary unit `value` reaches, as byte amounts and rates
/// are shown (`250Gi`, `12.3 KiB/s`).
pub fn binary_ceiling(value: f64) -> f64 {
    let mut unit = 1.0;
    while value >= unit * 1024.0 && unit < 1024f64.powi(6) {
        unit *= 1024.0;
    }
    nice_ceiling(value, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot(slots: usize) -> Plot {
        Plot {
            width: 100.0,
            height: 10.0,
            slots,
            y_max: 10.0,
        }
    }

    #[test]
    fn newest_point_at_the_right_edge() {
        let t = plot(5).trace(&[0.0, 10.0]);
        assert_eq!(t.runs, vec!["75.0,10.0 100.0,0.0".to_owned()]);
        assert_eq!(t.points, 2);
    }

    #[test]
    fn gaps_split_runs_and_are_not_counted() {
        let t = plot(4).trace(&[1.0, f32::NAN, 5.0, 20.0]);
        assert_eq!(t.runs.len(), 2);
        assert_eq!(t.points, 3);
        assert_eq!(
            t.runs[1], "66.7,5.0 100.0,0.0",
            "values above the top are clamped"
        );
        assert_eq!(t.path_data(), "M0.0,9.0 M66.7,5.0 100.0,0.0");
        assert_eq!(plot(4).trace(&[]), Trace::default());
    }

    #[test]
    fn single_slot_and_overfull_series() {
        assert_eq!(plot(1).trace(&[5.0]).runs, vec!["100.0,5.0".to_owned()]);
        assert_eq!(plot(2).trace(&[1.0, 2.0, 3.0]).points, 3);
    }

    #[test]
    fn pointer_maps_back_to_points() {
        let p = plot(5);
        assert_eq!(p.index_at(1.0, 2), Some(1));
        assert_eq!(p.index_at(0.74, 2), Some(0));
        assert_eq!(
            p.index_at(0.0, 2),
            Some(0),
            "left of the data picks the oldest"
        );
        assert_eq!(p.index_at(0.5, 0), None);
        assert_eq!(p.index_at(f64::NAN, 3), None);
    }

    #[test]
    fn nice_axis_tops() {
        assert_eq!(nice_ceiling(17.7, 1.0), 20.0);
        assert_eq!(nice_ceiling(55.6, 1.0), 60.0);
        assert_eq!(nice_ceiling(87.5, 1.0), 100.0);
        assert_eq!(nice_ceiling(2.1, 1.0), 2.5);
        assert_eq!(nice_ceiling(0.33, 1.0), 0.4);
        assert_eq!(nice_ceiling(5.0, 1.0), 5.0);
        assert_eq!(nice_ceiling(3.3 * 1024.0, 1024.0), 4.0 * 1024.0);
        assert_eq!(nice_ceiling(0.0, 1e6), 1e6);
        assert_eq!(nice_ceiling(f64::NAN, 1.0), 1.0);
        assert_eq!(nice_ceiling(f64::INFINITY, 1e9), 1e9);
        assert_eq!(binary_ceiling(3.3 * 1024.0), 4.0 * 1024.0);
        assert_eq!(binary_ceiling(700.0), 800.0);
    }

    #[test]
    fn axis_headroom() {
        assert_eq!(y_max([&[0.0f32][..], &[f32::NAN][..]]), 1.0);
        assert!((y_max([&[50.0f32, 100.0][..]]) - 108.0).abs() < 1e-9);
    }
}
