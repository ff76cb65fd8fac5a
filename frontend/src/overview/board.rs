//! The overview's "who is heavy" lists: which rows each ranks, by what, and how its entries
//! read and link.

use ktop_web_shared::format::fixed;

use crate::dataset::Dataset;
use crate::groups::row::GroupView;
use crate::route::page_route::{PageRoute, node_href, pod_href, workload_href};
use crate::route::url_codec::encode;

use super::resource::Resource;
use super::top::{LIMIT, share_bp, top};
use super::top_list::entry;

/// One list of the overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    /// Pods by usage.
    Pods(Resource),
    /// Workloads by their pods' usage.
    Workloads(Resource),
    /// Nodes by usage.
    Nodes(Resource),
    /// Namespaces by their share of all pods' usage.
    Share(Resource),
    /// Nodes with a pressure condition, by name.
    Pressure,
}

impl Board {
    /// `id` of the list, for tests.
    pub fn id(self) -> &'static str {
        use Resource::{Cpu, Memory};
        match self {
            Board::Pods(Cpu) => "top-pods-cpu",
            Board::Pods(Memory) => "top-pods-mem",
            Board::Workloads(Cpu) => "top-workloads-cpu",
            Board::Workloads(Memory) => "top-workloads-mem",
            Board::Nodes(Cpu) => "top-nodes-cpu",
            Board::Nodes(Memory) => "top-nodes-mem",
            Board::Share(Cpu) => "top-namespaces",
            Board::Share(Memory) => "top-namespaces-mem",
            Board::Pressure => "pressure-nodes",
        }
    }

    /// Heading.
    pub fn title(self) -> &'static str {
        use Resource::{Cpu, Memory};
        match self {
            Board::Pods(Cpu) => "Pods by CPU",
            Board::Pods(Memory) => "Pods by memory",
            Board::Workloads(Cpu) => "Workloads by CPU",
            Board::Workloads(Memory) => "Workloads by memory",
            Board::Nodes(Cpu) => "Nodes by CPU",
            Board::Nodes(Memory) => "Nodes by memory",
            Board::Share(Cpu) => "Namespaces' share of CPU",
            Board::Share(Memory) => "Namespaces' share of memory",
            Board::Pressure => "Nodes under pressure",
        }
    }

    /// Writes the list's entries for one refresh, links in `context`; `none` when there are
    /// none.
    pub fn write_items(self, html: &mut String, d: &Dataset, context: Option<&str>) {
        let start = html.len();
        let node = |html: &mut String, i: usize, raw: Option<u64>, text: &str| {
            if let Some(n) = d.nodes.get(i) {
                entry(html, &node_href(context, &n.name), &n.name, "", raw, text);
            }
        };
        match self {
            Board::Pods(r) => {
                let usage = &mut d.pods.iter().map(|p| p.usage.map(|u| r.pick(u)));
                for (i, v) in top(usage, LIMIT) {
                    if let Some(p) = d.pods.get(i) {
                        let href = pod_href(context, &p.ns, &p.name);
                        entry(html, &href, &p.name, &p.ns, Some(v), &r.cell(Some(v)).text);
                    }
                }
            }
            Board::Workloads(r) => {
                let usage = &mut d
                    .groups()
                    .workloads
                    .iter()
                    .map(|g| g.usage.map(|u| r.pick(u)));
                for (i, v) in top(usage, LIMIT) {
                    if let Some(g) = d.groups().workloads.get(i) {
                        let href = workload_href(context, &g.key);
                        let label = format!("{}/{}", g.kind, g.name);
                        entry(html, &href, &label, &g.ns, Some(v), &r.cell(Some(v)).text);
                    }
                }
            }
            Board::Nodes(r) => {
                let usage = &mut d.nodes.iter().map(|n| n.usage.map(|u| r.pick(u)));
                for (i, v) in top(usage, LIMIT) {
                    node(html, i, Some(v), &r.cell(Some(v)).text);
                }
            }
            Board::Share(r) => {
                let usage = |g: &GroupView| g.usage.map(|u| r.pick(u));
                let total = d.groups().namespaces.iter().filter_map(usage).sum();
                // Ranked by usage, not by the rounded share, so near-equal namespaces keep
                // their true order.
                for (i, v) in top(&mut d.groups().namespaces.iter().map(usage), LIMIT) {
                    if let (Some(g), Some(bp)) = (d.groups().namespaces.get(i), share_bp(v, total))
                    {
                        let href =
                            format!("{}?ns={}", PageRoute::Pods.href_in(context), encode(&g.ns));
                        let share = format!("{}%", fixed(bp as f64 / 100.0, 1));
                        entry(
                            html,
                            &href,
                            &g.name,
                            &r.cell(Some(v)).text,
                            Some(bp),
                            &share,
                        );
                    }
                }
            }
            Board::Pressure => {
                let pressed = &mut d
                    .nodes
                    .iter()
                    .map(|n| (!n.pressure.is_empty()).then_some(0));
                let shown = top(pressed, LIMIT);
                for &(i, _) in &shown {
                    node(html, i, None, d.nodes.get(i).map_or("", |n| &n.pressure));
                }
                // The rest behind one link rather than a long list on the overview.
                let more = d.nodes.iter().filter(|n| !n.pressure.is_empty()).count() - shown.len();
                if more > 0 {
                    let href = PageRoute::Nodes.href_in(context);
                    entry(html, &href, &format!("{more} more"), "", None, "");
                }
            }
        }
        if html.len() == start {
            html.push_str(r#"<li class="none">none</li>"#);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::row::tests::pod;
    use ktop_web_shared::api::{Condition, CpuMem, NodeRow, Snapshot, Usage, Workload};

    const MI: u64 = 1 << 20;
    const MILLI: u64 = 1_000_000;

    /// An entry as the page shows it.
    #[derive(Debug, PartialEq)]
    struct Entry {
        value: Option<String>,
        href: String,
        label: String,
        note: String,
        text: String,
    }

    /// The text of `s` between `from` and the next `to`.
    fn between(s: &str, from: &str, to: &str) -> String {
        let after = &s[s.find(from).expect(from) + from.len()..];
        after[..after.find(to).expect(to)].to_owned()
    }

    fn entries(board: Board, d: &Dataset, context: Option<&str>) -> Vec<Entry> {
        let mut html = String::new();
        board.write_items(&mut html, d, context);
        html.split("<li")
            .skip(1)
            .filter(|li| li.contains("<a "))
            .map(|li| Entry {
                value: li
                    .contains("data-value")
                    .then(|| between(li, "data-value=\"", "\"")),
                href: between(li, "href=\"", "\""),
                label: between(&li[li.find("title=").expect("a title")..], "\">", "</a>"),
                note: between(li, "class=\"note\">", "<"),
                text: between(li, "class=\"num\">", "<"),
            })
            .collect()
    }

    fn node(name: &str, cpu: Option<u64>, pressure: &[&str]) -> NodeRow {
        NodeRow {
            name: name.into(),
            usage: cpu.map(|cpu| Usage {
                value: CpuMem {
                    cpu,
                    mem: cpu / 1000,
                },
                ..Usage::default()
            }),
            conditions: pressure
                .iter()
                .map(|kind| Condition {
                    kind: format!("{kind}Pressure"),
                    status: "True".into(),
                    reason: None,
                })
                .collect(),
            ..NodeRow::default()
        }
    }

    fn dataset() -> Dataset {
        let mut pods: Vec<_> = (0..15u64)
            .map(|i| pod("a", &format!("p{i}"), Some((i * MILLI, (15 - i) * MI))))
            .collect();
        pods.push(pod("b", "idle", None));
        pods.push(pod("b", "busy", Some((100 * MILLI, MI))));
        pods.push(pod("c", "tie", Some((100 * MILLI, MI))));
        for p in &mut pods {
            p.owner = Some(Workload {
                kind: "Deployment".into(),
                name: p.ns.clone(),
                desired: None,
            });
        }
        let mut nodes = vec![
            node("n1", Some(2 * MILLI), &[]),
            node("n2", None, &["Memory"]),
            node("n3", Some(3 * MILLI), &["Memory", "PID"]),
        ];
        nodes.extend((4..16).map(|i| node(&format!("n{i}"), Some(MILLI), &["Disk"])));
        Dataset::of_snapshot(&Snapshot {
            pods,
            nodes,
            ..Snapshot::default()
        })
    }

    #[test]
    fn pods_are_ranked_by_usage_with_ties_in_display_order() {
        let d = dataset();
        let cpu = entries(Board::Pods(Resource::Cpu), &d, Some("dev"));
        assert_eq!(cpu.len(), LIMIT);
        let names: Vec<String> = cpu[..4]
            .iter()
            .map(|e| format!("{}/{}", e.note, e.label))
            .collect();
        assert_eq!(names, ["b/busy", "c/tie", "a/p14", "a/p13"]);
        assert_eq!(
            cpu[0],
            Entry {
                value: Some("100000000".into()),
                href: "/c/dev/pods/b/busy".into(),
                label: "busy".into(),
                note: "b".into(),
                text: "100m".into(),
            }
        );
        assert!(cpu.iter().all(|e| e.label != "idle"), "no usage, no rank");
        let mem = entries(Board::Pods(Resource::Memory), &d, None);
        assert_eq!(mem[0].label, "p0");
        assert_eq!(mem[0].value, Some((15 * MI).to_string()));
        assert_eq!(mem[0].text, "15Mi");
    }

    #[test]
    fn workloads_show_kind_and_namespace() {
        let d = dataset();
        let cpu = entries(Board::Workloads(Resource::Cpu), &d, Some("dev"));
        let shown: Vec<String> = cpu
            .iter()
            .map(|e| format!("{} in {}", e.label, e.note))
            .collect();
        assert_eq!(
            shown,
            [
                "Deployment/a in a",
                "Deployment/b in b",
                "Deployment/c in c"
            ]
        );
        assert_eq!(cpu[0].value, Some((105 * MILLI).to_string()));
        assert_eq!(cpu[0].href, "/c/dev/workloads/a/Deployment/a");
    }

    #[test]
    fn namespaces_show_their_share_of_pod_usage() {
        let d = dataset();
        // a: 0+1+…+14 = 105m, b: 100m, c: 100m, of 305m.
        let cpu = entries(Board::Share(Resource::Cpu), &d, Some("dev"));
        let shares: Vec<(&str, Option<&str>, &str)> = cpu
            .iter()
            .map(|e| (&*e.label, e.value.as_deref(), &*e.text))
            .collect();
        assert_eq!(
            shares,
            [
                ("a", Some("3443"), "34.4%"),
                ("b", Some("3279"), "32.8%"),
                ("c", Some("3279"), "32.8%")
            ]
        );
        assert_eq!(cpu[0].note, "105m");
        assert_eq!(cpu[1].href, "/c/dev/pods?ns=b");
        let mem = entries(Board::Share(Resource::Memory), &d, None);
        assert_eq!(mem[0].label, "a");
        assert_eq!(mem[0].href, "/pods?ns=a");
    }

    #[test]
    fn nodes_rank_by_usage_and_pressure_lists_by_name() {
        let d = dataset();
        let cpu = entries(Board::Nodes(Resource::Cpu), &d, Some("dev"));
        let names: Vec<&str> = cpu[..3].iter().map(|e| &*e.label).collect();
        assert_eq!(names, ["n3", "n1", "n4"]);
        assert_eq!(cpu.len(), LIMIT);
        assert_eq!(cpu[0].href, "/c/dev/nodes/n3");
        let pressed = entries(Board::Pressure, &d, Some("dev"));
        let shown: Vec<String> = pressed[..3]
            .iter()
            .map(|e| format!("{} {}", e.label, e.text))
            .collect();
        assert_eq!(shown, ["n2 Memory", "n3 Memory,PID", "n4 Disk"]);
        assert!(pressed.iter().all(|e| e.value.is_none()));
        assert_eq!(pressed.len(), LIMIT + 1);
        assert_eq!(pressed[LIMIT].label, "4 more");
        assert_eq!(pressed[LIMIT].href, "/c/dev/nodes");
    }

    #[test]
    fn empty_lists_say_none() {
        let calm = Dataset::of_snapshot(&Snapshot {
            nodes: vec![node("n1", Some(MILLI), &[])],
            pods: vec![pod("a", "idle", None)],
            ..Snapshot::default()
        });
        for board in [
            Board::Pressure,
            Board::Pods(Resource::Cpu),
            Board::Share(Resource::Memory),
        ] {
            let mut html = String::new();
            board.write_items(&mut html, &calm, None);
            assert_eq!(html, r#"<li class="none">none</li>"#, "{board:?}");
        }
    }
}
