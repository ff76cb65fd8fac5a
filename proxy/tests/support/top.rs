//! Usage as `kubectl top` prints it, and the same figures read from a snapshot or from the
//! page, so the three can be compared exactly.

use std::collections::BTreeMap;

use ktop_web_shared::api::Snapshot;
use ktop_web_shared::format::{cpu_millis, mem_mebibytes};

use super::browser::Browser;
use super::cluster::TestCluster;

/// (millicores, MiB) by node name or `namespace/name`, as kubectl top prints them.
pub type Top = BTreeMap<String, (u64, u64)>;

/// `key_columns` name the row; the memory column follows CPU (pods) or CPU% (nodes).
fn parse_top(text: &str, key_columns: usize, mem_column: usize) -> Top {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let key = cols[..key_columns].join("/");
            let cpu = cols[key_columns]
                .trim_end_matches('m')
                .parse()
                .unwrap_or_else(|_| panic!("cpu in {l:?}"));
            let mem = cols[mem_column]
                .trim_end_matches("Mi")
                .parse()
                .unwrap_or_else(|_| panic!("memory in {l:?}"));
            (key, (cpu, mem))
        })
        .collect()
}

/// `kubectl top nodes` and `kubectl top pods -A`.
pub fn kubectl_top(c: &TestCluster) -> (Top, Top) {
    let nodes = parse_top(&c.kubectl_ok(&["top", "nodes", "--no-headers"]), 1, 3);
    let pods = parse_top(&c.kubectl_ok(&["top", "pods", "-A", "--no-headers"]), 2, 3);
    (nodes, pods)
}

/// The snapshot's usage after kubectl's rounding.
pub fn api_top(s: &Snapshot) -> (Top, Top) {
    let nodes = s
        .nodes
        .iter()
        .filter_map(|n| Some((n.name.clone(), n.usage?.value)))
        .map(|(k, v)| (k, (cpu_millis(v.cpu), mem_mebibytes(v.mem))))
        .collect();
    let pods = s
        .pods
        .iter()
        .filter_map(|p| Some((p.key(), p.usage()?)))
        .map(|(k, v)| (k, (cpu_millis(v.cpu), mem_mebibytes(v.mem))))
        .collect();
    (nodes, pods)
}

/// Reads `data-value` of a column for every rendered row keyed by `row_attr`.
async fn dom_values(b: &Browser, row_attr: &str, col: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for row in b.all(&format!("tr[{row_attr}]")).await {
        let Ok(Some(key)) = row.attr(row_attr).await else {
            continue;
        };
        let Ok(cell) = row
            .find(fantoccini::Locator::Css(&format!("td[data-col='{col}']")))
            .await
        else {
            continue;
        };
        if let Ok(Some(v)) = cell.attr("data-value").await
            && let Ok(v) = v.parse::<u64>()
        {
            out.insert(key, v);
        }
    }
    out
}

/// The page's CPU and memory cells, by row, after kubectl's rounding.
pub async fn dom_top(b: &Browser, row_attr: &str) -> Top {
    let cpu = dom_values(b, row_attr, "cpu").await;
    let mem = dom_values(b, row_attr, "mem").await;
    cpu.into_iter()
        .filter_map(|(k, c)| Some((k.clone(), (cpu_millis(c), mem_mebibytes(*mem.get(&k)?)))))
        .collect()
}
