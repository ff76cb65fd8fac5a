//! Virtual scrolling: which rows of a long table are inside (or near) the visible area.

/// Height of every table body row in CSS pixels; `--row-height` in style.css must match.
pub const ROW_HEIGHT_PX: f64 = 24.0;

/// Rows rendered beyond each edge of the visible area, so fast scrolling shows no gaps.
pub const OVERSCAN_ROWS: usize = 12;

/// The slice of rows to render and the empty space standing in for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowWindow {
    /// First rendered row.
    pub start: usize,
    /// One past the last rendered row.
    pub end: usize,
    /// Rows in the whole table.
    pub total: usize,
}

impl RowWindow {
    /// Rows to render for a scroll position and viewport height, both in pixels.
    pub fn at(scroll_top: f64, viewport_height: f64, total: usize) -> RowWindow {
        let first_visible = (scroll_top.max(0.0) / ROW_HEIGHT_PX).floor() as usize;
        let visible = (viewport_height.max(0.0) / ROW_HEIGHT_PX).ceil() as usize + 1;
        let start = first_visible.saturating_sub(OVERSCAN_ROWS).min(total);
        let end = first_visible
            .saturating_add(visible)
            .saturating_add(OVERSCAN_ROWS)
            .min(total);
        RowWindow {
            start,
            end: end.max(start),
            total,
        }
    }

    /// Height of the spacer above the rendered rows.
    pub fn space_above_px(&self) -> f64 {
        self.start as f64 * ROW_HEIGHT_PX
    }

    /// Height of the spacer below the rendered rows.
    pub fn space_below_px(&self) -> f64 {
        (self.total - self.end) as f64 * ROW_HEIGHT_PX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_visible_rows_plus_overscan() {
        let w = RowWindow::at(0.0, 240.0, 30_000);
        assert_eq!((w.start, w.end), (0, 11 + OVERSCAN_ROWS));
        assert_eq!(w.space_above_px(), 0.0);

        let w = RowWindow::at(ROW_HEIGHT_PX * 1000.0, 240.0, 30_000);
        assert_eq!(w.start, 1000 - OVERSCAN_ROWS);
        assert_eq!(w.end, 1000 + 11 + OVERSCAN_ROWS);
        let rendered = (w.end - w.start) as f64 * ROW_HEIGHT_PX;
        let total = w.space_above_px() + rendered + w.space_below_px();
        assert_eq!(
            total,
            30_000.0 * ROW_HEIGHT_PX,
            "scroll height is preserved"
        );
    }

    #[test]
    fn clamps_to_the_table() {
        let w = RowWindow::at(1e9, 500.0, 10);
        assert_eq!((w.start, w.end), (10, 10));
        assert_eq!(w.space_below_px(), 0.0);
        let w = RowWindow::at(-50.0, 500.0, 3);
        assert_eq!((w.start, w.end), (0, 3));
        assert_eq!(
            RowWindow::at(0.0, 0.0, 0),
            RowWindow {
                start: 0,
                end: 0,
                total: 0
            }
        );
    }
}
