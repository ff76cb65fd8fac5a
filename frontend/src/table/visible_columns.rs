//! Which columns a table shows, held in the URL as `?cols=name,cpu,mem` (absent: all).
//! Hiding is done by the stylesheet from the table's `data-hide` list, so rows never
//! re-render when the choice changes.

use super::column::Column;

/// The columns `param` lists, in display order; all of them when it is absent or names
/// none that exist.
pub fn visible<C: Column>(param: Option<&str>) -> Vec<C> {
    let listed: Vec<&str> = param.unwrap_or_default().split(',').collect();
    let shown: Vec<C> = C::ALL
        .iter()
        .copied()
        .filter(|c| listed.contains(&c.key()))
        .collect();
    if shown.is_empty() {
        C::ALL.to_vec()
    } else {
        shown
    }
}

/// `data-hide` of the table: the keys of the columns `param` leaves out.
pub fn hidden_keys<C: Column>(param: Option<&str>) -> String {
    let shown = visible::<C>(param);
    C::ALL
        .iter()
        .filter(|c| !shown.contains(c))
        .map(|c| c.key())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `cols` value after showing or hiding `column`: `None` when every column is shown
/// again. The last visible column stays.
pub fn toggled<C: Column>(param: Option<&str>, column: C) -> Option<String> {
    let mut shown = visible::<C>(param);
    if shown.contains(&column) {
        if shown.len() > 1 {
            shown.retain(|c| *c != column);
        }
    } else {
        shown.push(column);
    }
    (shown.len() < C::ALL.len()).then(|| {
        C::ALL
            .iter()
            .filter(|c| shown.contains(c))
            .map(|c| c.key())
            .collect::<Vec<_>>()
            .join(",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::column::NodeColumn;
    use crate::pods::column::PodColumn;

    #[test]
    fn absent_or_unknown_shows_everything() {
        assert_eq!(visible::<PodColumn>(None).len(), PodColumn::ALL.len());
        assert_eq!(
            visible::<PodColumn>(Some("bogus,")).len(),
            PodColumn::ALL.len()
        );
        assert_eq!(hidden_keys::<PodColumn>(None), "");
    }

    #[test]
    fn lists_keep_display_order() {
        let shown = visible::<PodColumn>(Some("mem,name,bogus"));
        assert_eq!(shown, [PodColumn::Name, PodColumn::Mem]);
        let hidden = hidden_keys::<PodColumn>(Some("mem,name"));
        assert!(
            hidden.starts_with("ns status restarts node cpu "),
            "{hidden}"
        );
        assert!(!hidden.contains("name") && !hidden.split(' ').any(|k| k == "mem"));
    }

    #[test]
    fn toggling_round_trips_to_all() {
        let one_less = toggled::<NodeColumn>(None, NodeColumn::Roles).expect("a list");
        assert!(!one_less.contains("roles") && one_less.starts_with("name,status,cpu"));
        assert_eq!(
            toggled::<NodeColumn>(Some(&one_less), NodeColumn::Roles),
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
