//! Which columns a table shows, held in the URL as `?cols=name,cpu,mem` (absent: the
//! default ones). Throughput columns show only while the live source measures throughput,
//! whatever the URL says. Hiding is done by the stylesheet from the table's `data-hide`
//! list, so rows never re-render when the choice changes.

use super::column::Column;
use super::io_column::IoColumn;

/// The columns shown when the URL picks none.
fn defaults<C: Column>() -> Vec<C> {
    C::ALL
        .iter()
        .copied()
        .filter(|c| c.io().is_none_or(IoColumn::default_shown))
        .collect()
}

/// The columns `param` lists, in display order; the defaults when it is absent or names
/// none that exist.
fn chosen<C: Column>(param: Option<&str>) -> Vec<C> {
    let listed: Vec<&str> = param.unwrap_or_default().split(',').collect();
    let shown: Vec<C> = C::ALL
        .iter()
        .copied()
        .filter(|c| listed.contains(&c.key()))
        .collect();
    if shown.is_empty() { defaults() } else { shown }
}

/// The columns a table shows: those chosen that the source can fill (`io`: it measures
/// throughput); the defaults it can fill when that leaves none.
pub fn visible<C: Column>(param: Option<&str>, io: bool) -> Vec<C> {
    let fits = |c: &C| io || c.io().is_none();
    let shown: Vec<C> = chosen(param).into_iter().filter(fits).collect();
    if shown.is_empty() {
        defaults().into_iter().filter(fits).collect()
    } else {
        shown
    }
}

/// `data-hide` of the table: the keys of the columns it does not show.
pub fn hidden_keys<C: Column>(param: Option<&str>, io: bool) -> String {
    let shown = visible::<C>(param, io);
    C::ALL
        .iter()
        .filter(|c| !shown.contains(c))
        .map(|c| c.key())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `cols` value after showing or hiding `column`: `None` when that is the default
/// choice again. The last chosen column stays.
pub fn toggled<C: Column>(param: Option<&str>, column: C) -> Option<String> {
    let mut shown = chosen::<C>(param);
    if shown.contains(&column) {
        if shown.len() > 1 {
            shown.retain(|c| *c != column);
        }
    } else {
        shown.push(column);
    }
    let shown: Vec<C> = C::ALL
        .iter()
        .copied()
        .filter(|c| shown.contains(c))
        .collect();
    (shown != defaults::<C>()).then(|| shown.iter().map(|c| c.key()).collect::<Vec<_>>().join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::column::NodeColumn;
    use crate::pods::column::PodColumn;

    /// Disk rates and the throughput trends, which are offered but not shown by default.
    const ON_REQUEST: &str = "disk-read disk-write net-spark disk-spark";

    #[test]
    fn absent_or_unknown_shows_the_defaults() {
        let all = PodColumn::ALL.len();
        assert_eq!(visible::<PodColumn>(None, true).len(), all - 4);
        assert_eq!(visible::<PodColumn>(Some("bogus,"), true).len(), all - 4);
        assert_eq!(hidden_keys::<PodColumn>(None, true), ON_REQUEST);
        assert_eq!(hidden_keys::<NodeColumn>(None, true), ON_REQUEST);
    }

    #[test]
    fn throughput_shows_only_when_measured() {
        let io_keys = "net-rx net-tx disk-read disk-write net-spark disk-spark";
        assert_eq!(hidden_keys::<PodColumn>(None, false), io_keys);
        assert_eq!(
            visible::<NodeColumn>(Some("name,net-rx,disk-spark"), true),
            [
                NodeColumn::Name,
                NodeColumn::Io(IoColumn::NetRx),
                NodeColumn::Io(IoColumn::DiskTrend)
            ]
        );
        assert_eq!(
            visible::<NodeColumn>(Some("name,net-rx"), false),
            [NodeColumn::Name]
        );
        assert_eq!(
            visible::<NodeColumn>(Some("net-rx"), false).len(),
            NodeColumn::ALL.len() - 6,
            "a list of throughput columns alone falls back to the defaults"
        );
    }

    #[test]
    fn lists_keep_display_order() {
        let shown = visible::<PodColumn>(Some("mem,name,bogus"), true);
        assert_eq!(shown, [PodColumn::Name, PodColumn::Mem]);
        let hidden = hidden_keys::<PodColumn>(Some("mem,name"), true);
        assert!(
            hidden.starts_with("ns status restarts node cpu "),
            "{hidden}"
        );
        assert!(!hidden.contains("name") && !hidden.split(' ').any(|k| k == "mem"));
    }

    #[test]
    fn toggling_round_trips_to_the_defaults() {
        let one_less = toggled::<NodeColumn>(None, NodeColumn::Roles).expect("a list");
        assert!(!one_less.contains("roles") && one_less.starts_with("name,status,cpu"));
        assert!(one_less.contains("net-rx") && !one_less.contains("disk-read"));
        assert_eq!(
            toggled::<NodeColumn>(Some(&one_less), NodeColumn::Roles),
            None
        );
        let disk = toggled::<NodeColumn>(None, NodeColumn::Io(IoColumn::DiskRead));
        assert!(disk.as_deref().is_some_and(|d| d.contains("disk-read")));
        assert_eq!(
            toggled::<NodeColumn>(disk.as_deref(), NodeColumn::Io(IoColumn::DiskRead)),
            None
        );
        assert_eq!(
            toggled::<NodeColumn>(Some("name"), NodeColumn::Name),
            Some("name".to_owned()),
            "the last column stays"
        );
    }

    /// Every column of every table has its hiding rule in the stylesheet.
    #[test]
    fn stylesheet_can_hide_every_column() {
        let css = include_str!("../../style.css");
        let keys = PodColumn::ALL
            .iter()
            .map(|c| c.key())
            .chain(NodeColumn::ALL.iter().map(|c| c.key()));
        for key in keys {
            let rule = format!("table[data-hide~=\"{key}\"] [data-col=\"{key}\"]");
            assert!(css.contains(&rule), "style.css lacks {rule}");
        }
    }
}
