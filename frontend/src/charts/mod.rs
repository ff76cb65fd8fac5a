//! Hand-drawn SVG charts.

pub mod geometry;
pub mod line_chart;
pub mod sparkline;
