//! A small inline chart of one series, for table rows.

use super::geometry::{Plot, y_max};
use crate::threshold::Level;

const WIDTH: f64 = 64.0;
const HEIGHT: f64 = 16.0;

/// `<svg class="sparkline" data-points="N">` as markup: the series scaled to its own maximum,
/// newest point at the right; `N` is the number of points drawn. One `<path>`, not a
/// polyline per run. Markup rather than a component: a row's trends change with every
/// refresh anyway, and a reactive view per trend cost the wasm more.
pub fn sparkline_html(values: &[f32], slots: usize, level: Level, label: &str) -> String {
    let trace = Plot {
        width: WIDTH,
        height: HEIGHT,
        slots,
        y_max: y_max([values]),
    }
    .trace(values);
    format!(
        r#"<svg class="sparkline {}" viewBox="0 0 64 16" preserveAspectRatio="none" role="img" aria-label="{label}" data-points="{}"><path d="{}"></path></svg>"#,
        level.class(),
        trace.points,
        trace.path_data(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_the_points_it_has_at_the_right() {
        let html = sparkline_html(
            &[1.0, f32::NAN, 2.0, 4.0],
            8,
            Level::Critical,
            "CPU history",
        );
        assert!(html.starts_with(r#"<svg class="sparkline crit" viewBox="0 0 64 16""#));
        assert!(html.contains(r#"aria-label="CPU history" data-points="3""#));
        // A gap splits the line: two runs, each a move then its points.
        assert_eq!(html.matches('M').count(), 2, "{html}");
        assert!(
            sparkline_html(&[], 8, Level::Normal, "x")
                .contains(r#"data-points="0"><path d=""></path>"#)
        );
    }
}
