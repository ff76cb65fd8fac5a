//! Whether what the page shows is current: the server's verdict (a failing watch, a usage
//! sample older than its source's rhythm) and the page's own (no snapshot has arrived for
//! two refresh intervals, so even the server's verdict may be old).

use ktop_web_shared::api::StalePart;

use crate::dataset::Dataset;
use crate::poller::refresh_interval;

/// What a stale part is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Nodes and pods: a watch is failing.
    Objects,
    /// Usage: the source has not measured for too long.
    Usage,
    /// Workloads: the ReplicaSets and Jobs that lead pods to them cannot be read.
    Owners,
    /// Everything: no snapshot reaches this page.
    Connection,
}

impl Part {
    /// The key in `data-part`.
    pub fn key(self) -> &'static str {
        match self {
            Part::Objects => "objects",
            Part::Usage => "usage",
            Part::Owners => "owners",
            Part::Connection => "connection",
        }
    }

    /// What it is called in the banner.
    pub fn label(self) -> &'static str {
        match self {
            Part::Objects => "Nodes and pods",
            Part::Usage => "Usage",
            Part::Owners => "Workloads",
            Part::Connection => "Everything",
        }
    }
}

/// One stale part, as the banner words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleNote {
    /// Which part.
    pub part: Part,
    /// How old it is now, in milliseconds.
    pub age_ms: i64,
    /// Why.
    pub reason: String,
}

/// What is stale at `now_ms`, given the snapshot on screen and when it was taken (both
/// times on this page's clock, so a server clock that is off does not change the ages).
pub fn stale_notes(data: Option<&Dataset>, taken_ms: Option<i64>, now_ms: i64) -> Vec<StaleNote> {
    let (Some(data), Some(taken_ms)) = (data, taken_ms) else {
        return Vec::new();
    };
    // Time since the snapshot was taken, added to the server's own ages at that moment.
    let waited = now_ms.saturating_sub(taken_ms).max(0);
    let mut notes: Vec<StaleNote> = data
        .freshness
        .stale
        .iter()
        .map(|s| StaleNote {
            part: match s.part {
                StalePart::Objects => Part::Objects,
                StalePart::Usage => Part::Usage,
                StalePart::Owners => Part::Owners,
            },
            age_ms: data.taken_at_ms.saturating_sub(s.since_ms).max(0) + waited,
            reason: s.reason.clone(),
        })
        .collect();
    let limit = 2 * refresh_interval(data.cluster.refresh_ms) as i64;
    if waited > limit {
        notes.push(StaleNote {
            part: Part::Connection,
            age_ms: waited,
            reason: "no new data has reached this page".into(),
        });
    }
    notes
}

/// True when the usage numbers on screen are not current.
pub fn usage_is_stale(notes: &[StaleNote]) -> bool {
    notes
        .iter()
        .any(|n| matches!(n.part, Part::Usage | Part::Connection))
}

/// True when the server says this snapshot's usage is old: it is then not charted.
pub fn snapshot_usage_is_stale(data: &Dataset) -> bool {
    data.freshness
        .stale
        .iter()
        .any(|s| s.part == StalePart::Usage)
}

/// Where a chart needs a gap before a point at `taken_at_ms`: refreshes that never arrived
/// (more than two and a half intervals since the `last` point; a late one is not a gap) get
/// one missing point between the two, so no line is drawn across the time nobody measured.
pub fn gap_before(last: Option<i64>, taken_at_ms: i64, refresh_ms: u64) -> Option<i64> {
    let interval = refresh_interval(refresh_ms) as i64;
    last.filter(|&t| 2 * (taken_at_ms - t) > 5 * interval)
        .map(|t| t + interval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ktop_web_shared::api::{ClusterInfo, Freshness, Snapshot, Staleness};

    fn dataset(stale: Vec<Staleness>) -> Dataset {
        Dataset::of_snapshot(&Snapshot {
            cluster: ClusterInfo {
                refresh_ms: 5_000,
                ..ClusterInfo::default()
            },
            taken_at_ms: 100_000,
            freshness: Freshness {
                objects_ms: 100_000,
                usage_ms: None,
                stale,
            },
            ..Snapshot::default()
        })
    }

    #[test]
    fn missed_refreshes_leave_one_gap() {
        assert_eq!(gap_before(None, 50_000, 5_000), None, "the first point");
        assert_eq!(gap_before(Some(40_000), 50_000, 5_000), None, "one late");
        assert_eq!(
            gap_before(Some(40_000), 52_500, 5_000),
            None,
            "2.5 intervals"
        );
        assert_eq!(gap_before(Some(40_000), 52_501, 5_000), Some(45_000));
        assert_eq!(gap_before(Some(0), 600_000, 5_000), Some(5_000));
    }

    #[test]
    fn current_data_has_no_notes() {
        let d = dataset(vec![]);
        assert!(stale_notes(Some(&d), Some(1_000), 11_000).is_empty());
        assert!(stale_notes(None, None, 11_000).is_empty());
    }

    #[test]
    fn no_new_snapshot_for_two_intervals_is_stale() {
        let d = dataset(vec![]);
        let notes = stale_notes(Some(&d), Some(1_000), 11_001);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].part, Part::Connection);
        assert_eq!(notes[0].age_ms, 10_001);
        assert!(usage_is_stale(&notes));
    }

    #[test]
    fn the_servers_verdict_ages_on_this_pages_clock() {
        let d = dataset(vec![
            Staleness {
                part: StalePart::Usage,
                since_ms: 60_000,
                reason: "metrics-server has not measured for 40 s".into(),
            },
            Staleness {
                part: StalePart::Objects,
                since_ms: 90_000,
                reason: "cannot watch Pods".into(),
            },
        ]);
        // The page's clock is far from the server's; only differences count.
        let notes = stale_notes(Some(&d), Some(5_000_000), 5_003_000);
        assert_eq!(notes.len(), 2);
        assert_eq!((notes[0].part, notes[0].age_ms), (Part::Usage, 43_000));
        assert_eq!((notes[1].part, notes[1].age_ms), (Part::Objects, 13_000));
        assert!(usage_is_stale(&notes));
        assert!(
            !usage_is_stale(&notes[1..]),
            "objects alone leave usage current"
        );
        assert!(snapshot_usage_is_stale(&d));
        assert!(!snapshot_usage_is_stale(&dataset(vec![])));
    }
}
