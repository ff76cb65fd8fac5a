//! Hand-drawn SVG charts.

pub mod chart_heading;
pub mod chart_panel;
pub mod geometry;
pub mod history_csv;
pub mod line_chart;
pub mod sparkline;
