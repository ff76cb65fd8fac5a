//! Which columns a table shows, held in the URL as `?cols=name,cpu,mem` (absent: the
//! default ones). Columns that need a capability (throughput, stalls, GPUs) show only while it
//! holds, whatever the URL says. Hiding is done by the stylesheet from the table's
//! `data-hide` list, so rows never re-render when the choice changes. Columns are indices
//! into the table's [`ColumnInfo`]s.

use super::caps::Caps;
use super::column::ColumnInfo;

/// The columns shown when the URL picks none.
fn defaults(columns: &[ColumnInfo]) -> Vec<usize> {
    (0..columns.len()).filter(|&c| columns[c].default).collect()
}

/// The columns `param` lists, in display order; the defaults when it is absent or names
/// none that exist.
fn chosen(columns: &[ColumnInfo], param: Option<&str>) -> Vec<usize> {
    let listed: Vec<&str> = param.unwrap_or_default().split(',').collect();
    let shown: Vec<usize> = (0..columns.len())
        .filter(|&c| listed.contains(&columns[c].key))
        .collect();
    if shown.is_empty() {
        defaults(columns)
    } else {
        shown
    }
}

/// The columns a table shows: those chosen that the source can fill (it has `caps`); the
/// defaults it can fill when that leaves none.
pub fn visible(columns: &[ColumnInfo], param: Option<&str>, caps: Caps) -> Vec<usize> {
    let fits = |c: &usize| caps.fill(columns[*c].needs);
    let shown: Vec<usize> = chosen(columns, param).into_iter().filter(fits).collect();
    if shown.is_empty() {
        defaults(columns).into_iter().filter(fits).collect()
    } else {
        shown
    }
}

/// `data-hide` of the table: the keys of the columns it does not show.
pub fn hidden_keys(columns: &[ColumnInfo], param: Option<&str>, caps: Caps) -> String {
    let shown = visible(columns, param, caps);
    (0..columns.len())
        .filter(|c| !shown.contains(c))
        .map(|c| columns[c].key)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `cols` value after showing or hiding `column`: `None` when that is the default
/// choice again. The last chosen column stays.
pub fn toggled(columns: &[ColumnInfo], param: Option<&str>, column: usize) -> Option<String> {
    let mut shown = chosen(columns, param);
    if shown.contains(&column) {
        if shown.len() > 1 {
            shown.retain(|&c| c != column);
        }
    } else if column < columns.len() {
        shown.push(column);
    }
    shown.sort_unstable();
    (shown != defaults(columns)).then(|| {
        shown
            .iter()
            .map(|&c| columns[c].key)
            .collect::<Vec<_>>()
            .join(",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::column::NodeColumn;
    use crate::pods::column::PodColumn;
    use crate::table::column::Column;

    /// Disk rates and the throughput trends, which are offered but not shown by default.
    const ON_REQUEST: &str = "disk-read disk-write net-spark disk-spark";

    const PODS: &[ColumnInfo] = PodColumn::INFO;
    const NODES: &[ColumnInfo] = NodeColumn::INFO;

    const NONE: Caps = Caps {
        io: false,
        psi: false,
        ext: false,
    };
    const IO: Caps = Caps {
        io: true,
        psi: true,
        ext: true,
    };

    fn keys(columns: &[ColumnInfo], shown: Vec<usize>) -> Vec<&'static str> {
        shown.into_iter().map(|c| columns[c].key).collect()
    }

    fn index(columns: &[ColumnInfo], key: &str) -> usize {
        columns.iter().position(|c| c.key == key).expect("a column")
    }

    #[test]
    fn absent_or_unknown_shows_the_defaults() {
        let all = PODS.len();
        assert_eq!(visible(PODS, None, IO).len(), all - 4);
        assert_eq!(visible(PODS, Some("bogus,"), IO).len(), all - 4);
        assert_eq!(hidden_keys(PODS, None, IO), ON_REQUEST);
        assert_eq!(hidden_keys(NODES, None, IO), ON_REQUEST);
    }

    #[test]
    fn throughput_shows_only_when_measured() {
        let io_keys = "gpu net-rx net-tx disk-read disk-write cpu-stall mem-stall io-stall net-spark disk-spark";
        assert_eq!(hidden_keys(PODS, None, NONE), io_keys);
        assert_eq!(
            keys(NODES, visible(NODES, Some("name,net-rx,disk-spark"), IO)),
            ["name", "net-rx", "disk-spark"]
        );
        assert_eq!(
            keys(NODES, visible(NODES, Some("name,net-rx"), NONE)),
            ["name"]
        );
        assert_eq!(
            visible(NODES, Some("net-rx"), NONE).len(),
            NODES.len() - 10,
            "a list of throughput columns alone falls back to the defaults"
        );
    }

    #[test]
    fn stalls_and_gpus_show_only_with_their_capability() {
        let psi = Caps { psi: true, ..NONE };
        assert_eq!(
            hidden_keys(NODES, None, psi),
            "gpu net-rx net-tx disk-read disk-write net-spark disk-spark"
        );
        let ext = Caps { ext: true, ..NONE };
        assert_eq!(
            keys(PODS, visible(PODS, Some("name,gpu,workload,io-stall"), ext)),
            ["name", "workload", "gpu"]
        );
    }

    #[test]
    fn lists_keep_display_order() {
        let shown = visible(PODS, Some("mem,name,bogus"), IO);
        assert_eq!(keys(PODS, shown), ["name", "mem"]);
        let hidden = hidden_keys(PODS, Some("mem,name"), IO);
        assert!(
            hidden.starts_with("ns status restarts node workload cpu "),
            "{hidden}"
        );
        assert!(!hidden.contains("name") && !hidden.split(' ').any(|k| k == "mem"));
    }

    #[test]
    fn toggling_round_trips_to_the_defaults() {
        let roles = index(NODES, "roles");
        let one_less = toggled(NODES, None, roles).expect("a list");
        assert!(!one_less.contains("roles") && one_less.starts_with("name,status,pressure,cpu"));
        assert!(one_less.contains("net-rx") && !one_less.contains("disk-read"));
        assert_eq!(toggled(NODES, Some(&one_less), roles), None);
        let disk_read = index(NODES, "disk-read");
        let disk = toggled(NODES, None, disk_read);
        assert!(disk.as_deref().is_some_and(|d| d.contains("disk-read")));
        assert_eq!(toggled(NODES, disk.as_deref(), disk_read), None);
        assert_eq!(
            toggled(NODES, Some("name"), index(NODES, "name")),
            Some("name".to_owned()),
            "the last column stays"
        );
    }

    /// Every column of every table has its hiding rule in the stylesheet.
    #[test]
    fn stylesheet_can_hide_every_column() {
        let css = include_str!("../../style.css");
        for key in PODS.iter().chain(NODES).map(|c| c.key) {
            let rule = format!("table[data-hide~=\"{key}\"] [data-col=\"{key}\"]");
            assert!(css.contains(&rule), "style.css lacks {rule}");
        }
    }
}
