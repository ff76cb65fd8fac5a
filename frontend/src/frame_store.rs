//! The page's side of frames (`ktop_web_shared::frame`): each frame is applied to the
//! decoder's tables, and the next [`Dataset`] is derived from them. A pod's [`PodInfo`] is
//! derived only when a frame brings its object, and the pod order and index only when pods
//! come or go, so a refresh of a steady cluster costs one small row per pod.

use std::sync::Arc;

use ktop_web_shared::frame::Live;

use crate::api_client::FetchError;
use crate::dataset::{Dataset, PodIndex};
use crate::nodes::row::NodeView;
use crate::pods::row::{PodInfo, PodView};
use crate::table::sort::sort_by_text;

/// The tables the frames applied so far describe, and what the views derive from them.
#[derive(Debug, Default)]
pub struct FrameStore {
    live: Live,
    /// Each pod slot's derived part.
    infos: Vec<Option<Arc<PodInfo>>>,
    /// Occupied pod slots by namespace, then name (naturally: `pod-2` before `pod-10`).
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
        self.live
            .apply(frame)
            .map_err(|e| FetchError::BadResponse(format!("a frame refused: {e}")))?;
        let meta = self.live.meta().clone();
        if self.derive_changed_pods() {
            self.reorder();
        }
        let now_s = meta.taken_at_ms.div_euclid(1000);
        let live = &self.live;
        let mut pods = Vec::with_capacity(self.order.len());
        for &slot in &self.order {
            let slot = slot as usize;
            if let Some(Some(info)) = self.infos.get(slot) {
                let each = || live.container_usage(slot).collect();
                let measured = (
                    live.pod_usage(slot),
                    live.pod_io(slot),
                    live.pod_stall(slot),
                );
                pods.push(PodView::new(info.clone(), measured, each, now_s));
            }
        }
        let name = |slot: u32| live.node_object(slot as usize).map_or("", |n| &n.name);
        let mut by_name: Vec<u32> = Vec::with_capacity(live.node_slots());
        for slot in 0..live.node_slots() {
            if live.node_object(slot).is_some() {
                by_name.push(slot as u32);
            }
        }
        sort_by_text(&mut by_name, &name);
        let mut nodes = Vec::with_capacity(by_name.len());
        for slot in by_name {
            let at = slot as usize;
            if let Some(n) = live.node_object(at) {
                let usage = live.node_usage(at).map(|u| u.value);
                let measured = (usage, live.node_io(at), live.node_stall(at));
                nodes.push(NodeView::new(n, slot, measured, now_s));
            }
        }
        Ok(Dataset::new(meta, nodes, pods, self.index.clone()))
    }

    /// Derives the pods the last frame brought; true when pods came or went, so the order
    /// must be made again.
    fn derive_changed_pods(&mut self) -> bool {
        let live = &self.live;
        let derive = |slot: usize| {
            live.pod_object(slot)
                .map(|p| Arc::new(PodInfo::new(p.clone(), slot as u32)))
        };
        let slots = live.pod_slots();
        let Some(changed) = live.changed_pods() else {
            self.infos.clear();
            for slot in 0..slots {
                self.infos.push(derive(slot));
            }
            return true;
        };
        // Removed slots may lie past the table's new end: grow first, cut after.
        self.infos.resize(self.infos.len().max(slots), None);
        let mut reorder = false;
        for &slot in changed {
            let info = derive(slot);
            // A new key changes the order; a new workload, the grouping the index holds.
            let ids = |i: Option<&Arc<PodInfo>>| i.map(|i| (i.key.clone(), i.workload.clone()));
            reorder |= ids(self.infos[slot].as_ref()) != ids(info.as_ref());
            self.infos[slot] = info;
        }
        self.infos.truncate(slots);
        reorder
    }

    /// Sorts the pods by namespace, then name, and indexes them.
    fn reorder(&mut self) {
        let infos = &self.infos;
        let mut order: Vec<u32> = Vec::with_capacity(infos.len());
        for (slot, info) in infos.iter().enumerate() {
            if info.is_some() {
                order.push(slot as u32);
            }
        }
        let info = |slot: u32| infos[slot as usize].as_deref();
        // Stable sorts: by name, then by namespace, keeping names in order within each.
        sort_by_text(&mut order, &|s| info(s).map_or("", |i| &i.name));
        sort_by_text(&mut order, &|s| info(s).map_or("", |i| &i.ns));
        self.index = Arc::new(PodIndex::new(
            order.iter().filter_map(|&s| infos[s as usize].as_deref()),
        ));
        self.order = order;
    }
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
        let (_, frame) = encoder.encode(&first);
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
        let (_, frame) = encoder.encode(&second);
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
        let (_, frame) = encoder.encode(&third);
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
        let (_, full) = encoder.encode(&s);
        store.apply(&full).expect("full");
        let (_, delta) = encoder.encode(&s);
        let (_, skipped) = encoder.encode(&s);
        assert!(matches!(
            store.apply(&skipped),
            Err(FetchError::BadResponse(_))
        ));
        assert_eq!(store.position(), None, "starts over");
        assert!(store.apply(&delta).is_err(), "a delta needs its base");
        store.apply(&encoder.full()).expect("full again");
        assert_eq!(store.position(), Some((5, 3)));
    }
}
