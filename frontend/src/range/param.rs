//! `?range=` and the points a range is read at.

use ktop_web_shared::history::{HistoryRange, MAX_POINTS, MIN_POINTS};

use crate::route::url_codec::Query;

/// The range `?range=` names; live when absent or not a range.
pub fn range_param(query: &Query) -> HistoryRange {
    query
        .get("range")
        .and_then(HistoryRange::parse)
        .unwrap_or_default()
}

/// The `range=` value that shows `range`: none for live, the default.
pub fn range_value(range: HistoryRange) -> Option<String> {
    (range != HistoryRange::Live).then(|| range.as_str().to_owned())
}

/// Points of a table's trend line over a range: one per unit of the sparkline's width.
pub const TREND_POINTS: u32 = 64;

/// Points to ask for when the window is `window_px` wide: about one per pixel of a chart,
/// as two to four charts share a row.
pub fn points_for(window_px: f64) -> u32 {
    ((window_px / 3.0) as u32).clamp(MIN_POINTS, MAX_POINTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_range_from_the_query() {
        assert_eq!(range_param(&Query::parse("?range=24h")), HistoryRange::Day);
        assert_eq!(
            range_param(&Query::parse("?q=a&range=7d")),
            HistoryRange::Week
        );
        assert_eq!(
            range_param(&Query::parse("?range=live")),
            HistoryRange::Live
        );
        assert_eq!(range_param(&Query::parse("?range=2h")), HistoryRange::Live);
        assert_eq!(range_param(&Query::parse("")), HistoryRange::Live);
    }

    #[test]
    fn live_leaves_the_url() {
        assert_eq!(range_value(HistoryRange::Live), None);
        assert_eq!(range_value(HistoryRange::SixHours).as_deref(), Some("6h"));
        let q = Query::parse("?range=1h").with(&[("range", range_value(HistoryRange::Live))]);
        assert_eq!(q.to_search(), "");
    }

    #[test]
    fn points_stay_within_what_the_server_accepts() {
        assert_eq!(points_for(1400.0), 466);
        assert_eq!(points_for(0.0), MIN_POINTS);
        assert_eq!(points_for(f64::NAN), MIN_POINTS);
        assert_eq!(points_for(1e9), MAX_POINTS);
    }
}
