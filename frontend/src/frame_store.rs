//! The page's side of frames (`ktop_web_shared::frame`): each frame is applied to the
//! decoder's tables, and the next [`Dataset`] is derived from them. A pod's [`PodInfo`] is
//! derived only when a frame brings its object, and the pod order and index only when pods
//! come or go, so a refresh of a steady cluster costs one small row per pod.

use std::cmp::Ordering;
use std::sync::Arc;

use ktop_web_shared::api::FrameMeta;
use ktop_web_shared::decode::from_json;
use ktop_web_shared::frame::Live;

use crate::api_client::FetchError;
use crate::dataset::{Dataset, PodIndex};
use crate::nodes::row::NodeView;
use crate::pods::row::{PodInfo, PodView};

/// The tables the frames applied so far describe, and what the views derive from them.
#[derive(Debug, Default)]
pub struct FrameStore {
    live: Live,
    /// Each pod slot's derived part.
    infos: Vec<Option<Arc<PodInfo>>>,
    /// Occupied pod slots by namespace, then name.
    order: Vec<u32>,
    /// Where each pod is in that order.
    index: Arc<PodIndex>,
}

impl FrameStore {
    /// Where the last frame applied left the store: what to ask the next one to follow.
    pub fn position(&self) -> Option<(u64, u64)> {
        self.live.position()
    }

    /// Applies one frame and derives the rows it leaves. A frame that cannot be applied
    /// empties the store, so the next request asks for a full frame.
    pub fn apply(&mut self, frame: &[u8]) -> Result<Dataset, FetchError> {
        let applied = self.try_apply(frame);
        if applied.is_err() {
            *self = FrameStore::default();
        }
        applied
    }

    fn try_apply(&mut self, frame: &[u8]) -> Result<Dataset, FetchError> {
        let refused = |what: String| FetchError::BadResponse(format!("a frame refused: {what}"));
        self.live.apply(frame).map_err(|e| refused(e.to_string()))?;
        let meta: FrameMeta =
            from_json(self.live.meta()).map_err(|e| refused(format!("its meta: {e}")))?;
        if self.derive_changed_pods() {
            self.reorder();
        }
        let now_s = meta.taken_at_ms.div_euclid(1000);
        let live = &self.live;
        let pods = self
            .order
            .iter()
            .filter_map(|&slot| {
                let slot = slot as usize;
                let info = self.infos.get(slot)?.clone()?;
                let usage = live.pod_usage(slot);
                let each = || live.container_usage(slot).collect();
                Some(Arc::new(PodView::new(
                    info,
                    usage,
                    live.pod_io(slot),
                    each,
                    now_s,
                )))
            })
            .collect();
        let nodes: Vec<Arc<NodeView>> = (0..live.node_slots())
            .filter_map(|slot| live.node(slot))
            .map(|n| Arc::new(NodeView::new(n, now_s)))
            .collect();
        let mut by_name: Vec<u32> = (0..nodes.len() as u32).collect();
        sort_slots(&mut by_name, &|a, b| nodes[a].name.cmp(&nodes[b].name));
        let nodes = by_name.iter().map(|&i| nodes[i as usize].clone()).collect();
        Ok(Dataset::new(meta, nodes, pods, self.index.clone()))
    }

    /// Derives the pods the last frame brought; true when pods came or went, so the order
    /// must be made again.
    fn derive_changed_pods(&mut self) -> bool {
        let live = &self.live;
        let derive = |slot: usize| live.pod_object(slot).map(|p| Arc::new(PodInfo::new(p)));
        let slots = live.pod_slots();
        let Some(changed) = live.changed_pods() else {
            self.infos = (0..slots).map(derive).collect();
            return true;
        };
        // Removed slots may lie past the table's new end: grow first, cut after.
        self.infos.resize(self.infos.len().max(slots), None);
        let mut reorder = false;
        for &slot in changed {
            let info = derive(slot);
            let old = self.infos[slot].as_ref().map(|i| &i.key);
            reorder |= old != info.as_ref().map(|i| &i.key);
            self.infos[slot] = info;
        }
        self.infos.truncate(slots);
        reorder
    }

    /// Sorts the pods by namespace, then name (the server's order), and indexes them.
    fn reorder(&mut self) {
        let infos = &self.infos;
        let mut order: Vec<u32> = (0..infos.len())
            .filter(|&s| infos[s].is_some())
            .map(|s| s as u32)
            .collect();
        let key = |slot: usize| {
            infos[slot]
                .as_deref()
                .map(|i| (i.ns.as_str(), i.name.as_str()))
        };
        sort_slots(&mut order, &|a, b| key(a).cmp(&key(b)));
        self.index = Arc::new(PodIndex::new(
            order.iter().filter_map(|&s| infos[s as usize].as_deref()),
        ));
        self.order = order;
    }
}

/// Sorts slot numbers by `cmp`. One sort for every table keeps one copy of the sort's code
/// in the wasm.
fn sort_slots(slots: &mut [u32], cmp: &dyn Fn(usize, usize) -> Ordering) {
    slots.sort_unstable_by(|&a, &b| cmp(a as usize, b as usize));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pods::row::tests::pod;
    use ktop_web_shared::api::Snapshot;
    use ktop_web_shared::frame::Encoder;

    fn snapshot(taken_at_ms: i64, pods: Vec<ktop_web_shared::api::PodRow>) -> Snapshot {
        Snapshot {
            taken_at_ms,
            pods,
            ..Snapshot::default()
        }
    }

    fn meta(s: &Snapshot) -> Vec<u8> {
        serde_json::to_vec(&FrameMeta::of(s)).expect("meta")
    }

    fn keys(d: &Dataset) -> Vec<&str> {
        d.pods.iter().map(|p| &*p.key).collect()
    }

    #[test]
    fn follows_deltas_and_shares_what_did_not_change() {
        let mut encoder = Encoder::new(3);
        let mut store = FrameStore::default();
        let first = snapshot(
            1_000,
            vec![
                pod("b", "p1", Some((1_000_000, 1024))),
                pod("a", "p2", None),
            ],
        );
        let (_, frame) = encoder.encode(&meta(&first), &first);
        let d1 = store.apply(&frame).expect("full");
        assert_eq!(keys(&d1), ["a/p2", "b/p1"]);
        assert_eq!(store.position(), Some((3, 1)));

        // Usage changes only: every pod keeps its derived part, and the index is shared.
        let second = snapshot(
            2_000,
            vec![
                pod("b", "p1", Some((2_000_000, 2048))),
                pod("a", "p2", None),
            ],
        );
        let (_, frame) = encoder.encode(&meta(&second), &second);
        let d2 = store.apply(&frame).expect("delta");
        assert_eq!(d2.pod("b/p1").and_then(|p| p.cpu()), Some(2_000_000));
        assert_eq!(d2.taken_at_ms, 2_000);
        for (a, b) in d1.pods.iter().zip(&d2.pods) {
            assert!(
                Arc::ptr_eq(a.info(), b.info()),
                "{} was derived again",
                a.key
            );
        }
        assert_eq!(d1.namespaces().as_ptr(), d2.namespaces().as_ptr());

        // A pod goes, one comes, one changes: the order and index follow.
        let mut changed = pod("b", "p1", Some((2_000_000, 2048)));
        changed.restarts = 4;
        let third = snapshot(3_000, vec![changed, pod("c", "p0", None)]);
        let (_, frame) = encoder.encode(&meta(&third), &third);
        let d3 = store.apply(&frame).expect("delta");
        assert_eq!(keys(&d3), ["b/p1", "c/p0"]);
        assert_eq!(d3.namespaces(), ["b", "c"]);
        assert_eq!(d3.pod("b/p1").map(|p| p.restarts), Some(4));
        assert!(d3.pod("a/p2").is_none());
    }

    #[test]
    fn a_frame_it_cannot_apply_empties_it_so_a_full_frame_is_asked_for() {
        let mut encoder = Encoder::new(5);
        let mut store = FrameStore::default();
        let s = snapshot(1_000, vec![pod("a", "p", None)]);
        let (_, full) = encoder.encode(&meta(&s), &s);
        store.apply(&full).expect("full");
        let (_, delta) = encoder.encode(&meta(&s), &s);
        let (_, skipped) = encoder.encode(&meta(&s), &s);
        assert!(matches!(
            store.apply(&skipped),
            Err(FetchError::BadResponse(_))
        ));
        assert_eq!(store.position(), None, "starts over");
        assert!(store.apply(&delta).is_err(), "a delta needs its base");
        store.apply(&encoder.full(&meta(&s))).expect("full again");
        assert_eq!(store.position(), Some((5, 3)));

        // A frame whose meta this page cannot read is refused as well.
        let (_, bad_meta) = Encoder::new(6).encode(b"{}", &s);
        assert!(store.apply(&bad_meta).is_err());
        assert_eq!(store.position(), None);
    }
}
