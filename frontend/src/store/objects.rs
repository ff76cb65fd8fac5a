//! The series of one kind of object (nodes or pods), kept by the slot its frames give each
//! object. A refresh reaches every object's series by index and a key comparison, with no
//! hashing: at 30,000 pods, two map lookups per pod and a sweep of the maps were the biggest
//! part of a refresh's work in the page. The key map is touched only when objects come, go
//! or move to another slot.

use std::sync::Arc;

use ktop_web_shared::api::{CpuMem, Io};

use super::series::{CpuMemSeries, IoSeries};
use crate::fast_hash::FastMap;

/// One node's or pod's measurements in a refresh: the slot its frame gave it (a hint: any
/// stable number per object works, a changing one only costs lookups), its key, usage and
/// throughput. The key is shared with the view's rows: a refresh compares pointers, as
/// comparing 30,000 keys' text cost more than all the rest of recording (the keys are
/// scattered through memory).
pub type ObjectPoint<'a> = (u32, &'a Arc<str>, Option<CpuMem>, Option<Io>);

/// One object's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    key: Arc<str>,
    /// Starts with the object's first sample, so a cluster without metrics keeps none.
    pub(super) usage: Option<CpuMemSeries>,
    /// Apart from usage, so objects of a source without throughput pay nothing for it.
    pub(super) io: Option<IoSeries>,
    /// The refresh that last recorded this object, for dropping objects that are gone.
    seen: u64,
}

impl Tracked {
    fn new(key: Arc<str>) -> Tracked {
        Tracked {
            key,
            usage: None,
            io: None,
            seen: 0,
        }
    }

    /// Appends one refresh's samples, starting a series at its first sample.
    fn push(&mut self, capacity: usize, usage: Option<CpuMem>, io: Option<Io>) {
        if self.usage.is_some() || usage.is_some() {
            let series = self
                .usage
                .get_or_insert_with(|| CpuMemSeries::new(capacity));
            series.push(usage);
        }
        if self.io.is_some() || io.is_some() {
            let series = self.io.get_or_insert_with(|| IoSeries::new(capacity));
            series.push(io);
        }
    }

    /// Changes how many points each series keeps, keeping the newest.
    fn resize(&mut self, capacity: usize) {
        if let Some(s) = &mut self.usage {
            s.resize(capacity);
        }
        if let Some(s) = &mut self.io {
            s.resize(capacity);
        }
    }
}

/// Histories in numbered places, also found by key.
#[derive(Debug, Clone, Default, PartialEq)]
struct Places {
    at: Vec<Option<Tracked>>,
    /// `index[k] == i` exactly when `at[i]` holds `k`. The same map type as the pod index's,
    /// so the wasm carries one copy of the map's code.
    index: FastMap<Arc<str>, usize>,
}

impl Places {
    fn get(&self, key: &str) -> Option<&Tracked> {
        self.at.get(*self.index.get(key)?)?.as_ref()
    }

    /// Takes what is at `i`.
    fn take(&mut self, i: usize) -> Option<Tracked> {
        let tracked = self.at.get_mut(i)?.take()?;
        self.index.remove(&tracked.key);
        Some(tracked)
    }

    /// Takes `key`'s history.
    fn take_key(&mut self, key: &str) -> Option<Tracked> {
        let i = *self.index.get(key)?;
        self.take(i)
    }

    /// Puts `tracked` at `i`, which must be free.
    fn put(&mut self, i: usize, tracked: Tracked) {
        if self.at.len() <= i {
            self.at.resize_with(i + 1, || None);
        }
        self.index.insert(tracked.key.clone(), i);
        self.at[i] = Some(tracked);
    }

    /// Puts `tracked` after everything else.
    fn push(&mut self, tracked: Tracked) {
        self.put(self.at.len(), tracked);
    }

    fn iter(&self) -> impl Iterator<Item = &Tracked> {
        self.at.iter().flatten()
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut Tracked> {
        self.at.iter_mut().flatten()
    }

    /// Drops what `keep` refuses, and gives memory back after a large scale-down rather
    /// than keeping the peak forever.
    fn retain(&mut self, keep: impl Fn(&Tracked) -> bool) {
        for entry in &mut self.at {
            if entry.as_ref().is_some_and(|t| !keep(t))
                && let Some(gone) = entry.take()
            {
                self.index.remove(&gone.key);
            }
        }
        while let Some(None) = self.at.last() {
            self.at.pop();
        }
        if self.at.len() < self.at.capacity() / 4 {
            self.at.shrink_to_fit();
            self.index.shrink_to_fit();
        }
    }
}

/// The history of every object of one kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Objects {
    /// By the slot the frames give each object.
    slots: Places,
    /// Histories without a slot: read back from storage, or left by an object whose slot
    /// another took. The next refresh picks them up or drops them.
    parked: Places,
}

impl Objects {
    /// An object's history by key.
    pub fn get(&self, key: &str) -> Option<&Tracked> {
        self.slots.get(key).or_else(|| self.parked.get(key))
    }

    /// How many objects have a history.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots.index.len() + self.parked.index.len()
    }

    /// Every history with its key, in slot order, then those without a slot.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tracked)> {
        let all = self.slots.iter().chain(self.parked.iter());
        all.map(|t| (&*t.key, t))
    }

    /// Keeps a history read back from storage until its object's first refresh.
    pub fn park(&mut self, key: &str, fill: impl FnOnce(&mut Tracked)) {
        let mut tracked = self
            .parked
            .take_key(key)
            .unwrap_or_else(|| Tracked::new(Arc::from(key)));
        fill(&mut tracked);
        self.parked.push(tracked);
    }

    /// Changes how many points each series keeps, keeping the newest.
    pub fn resize(&mut self, capacity: usize) {
        let all = self.slots.iter_mut().chain(self.parked.iter_mut());
        for tracked in all {
            tracked.resize(capacity);
        }
    }

    /// Appends one refresh: a point to the series of every object in `objects`, dropping the
    /// histories of objects not in it.
    pub fn record<'a>(
        &mut self,
        capacity: usize,
        refresh: u64,
        objects: impl IntoIterator<Item = ObjectPoint<'a>>,
    ) {
        for (slot, key, usage, io) in objects {
            let slot = slot as usize;
            match self.slots.at.get_mut(slot) {
                Some(Some(t)) if Arc::ptr_eq(&t.key, key) => {}
                // The same object with a key made anew (its row was derived again): share
                // the new key, so the next refresh compares pointers again.
                Some(Some(t)) if t.key == *key => t.key = key.clone(),
                _ => self.place(slot, key),
            }
            if let Some(Some(tracked)) = self.slots.at.get_mut(slot) {
                tracked.push(capacity, usage, io);
                tracked.seen = refresh;
            }
        }
        self.slots.retain(|t| t.seen == refresh);
        self.parked = Places::default();
    }

    /// Puts `key`'s history in `slot`, parking what was there: the history it had in
    /// another slot or parked, else a new one. Objects without samples are tracked too, so
    /// each refresh finds them in their slot instead of looking for them by key.
    fn place(&mut self, slot: usize, key: &Arc<str>) {
        if let Some(old) = self.slots.take(slot) {
            self.parked.push(old);
        }
        let found = self
            .slots
            .take_key(key)
            .or_else(|| self.parked.take_key(key));
        let mut tracked = found.unwrap_or_else(|| Tracked::new(key.clone()));
        tracked.key = key.clone();
        self.slots.put(slot, tracked);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::key;

    fn cm(cpu: u64) -> Option<CpuMem> {
        Some(CpuMem { cpu, mem: 1 })
    }

    fn cpu(o: &Objects, key: &str) -> Option<Vec<f32>> {
        let usage = o.get(key)?.usage.as_ref()?;
        Some(
            usage
                .cpu()
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .collect(),
        )
    }

    #[test]
    fn histories_follow_their_keys_when_slots_change_hands() {
        let mut o = Objects::default();
        o.record(
            10,
            1,
            [(0, key("a"), cm(1), None), (1, key("b"), cm(2), None)],
        );
        // a and b swap slots; c takes a new one.
        o.record(
            10,
            2,
            [
                (1, key("a"), cm(3), None),
                (0, key("b"), cm(4), None),
                (2, key("c"), cm(5), None),
            ],
        );
        assert_eq!(cpu(&o, "a"), Some(vec![1.0, 3.0]));
        assert_eq!(cpu(&o, "b"), Some(vec![2.0, 4.0]));
        assert_eq!(cpu(&o, "c"), Some(vec![5.0]));
        // b leaves; a moves into its slot, down from a higher one (as after compaction).
        o.record(
            10,
            3,
            [(0, key("a"), cm(6), None), (2, key("c"), cm(7), None)],
        );
        assert_eq!(cpu(&o, "a"), Some(vec![1.0, 3.0, 6.0]));
        assert_eq!(cpu(&o, "b"), None, "gone objects are dropped");
        assert_eq!(o.len(), 2);
        // Everything but c leaves: the slots shrink to what is used.
        o.record(10, 4, [(2, key("c"), cm(8), None)]);
        o.record(10, 5, [(0, key("c"), cm(9), None)]);
        assert_eq!(cpu(&o, "c"), Some(vec![5.0, 7.0, 8.0, 9.0]));
        assert_eq!(o.slots.at.len(), 1);
        assert_eq!(o.slots.index.len(), 1);
    }

    /// Random rounds of objects coming, going and changing slots (worst case: every round a
    /// new arrangement) keep each key's history exactly as a plain map by key would.
    #[test]
    fn histories_by_slot_equal_histories_by_key() {
        use std::collections::HashMap;
        const CAPACITY: usize = 8;
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let keys: Vec<&'static Arc<str>> = (0..24).map(|i| key(&format!("ns/pod-{i}"))).collect();
        let mut o = Objects::default();
        // The model: a key's points, from its first sample on, while it stays.
        let mut model: HashMap<&str, Vec<Option<u64>>> = HashMap::new();
        for refresh in 1..=300u64 {
            let mut slots: Vec<u32> = (0..40).collect();
            let mut round = Vec::new();
            for k in &keys {
                if next(4) == 0 {
                    continue; // not in this refresh: gone
                }
                let slot = slots.swap_remove(next(slots.len() as u64) as usize);
                let sample = (next(3) != 0).then(|| next(1000));
                round.push((slot, *k, sample.map(|cpu| CpuMem { cpu, mem: 1 }), None));
            }
            model.retain(|k, _| round.iter().any(|(_, r, _, _)| &***r == *k));
            for (_, k, usage, _) in &round {
                let cpu = usage.map(|u| u.cpu);
                match model.get_mut(&***k) {
                    Some(points) => points.push(cpu),
                    None if cpu.is_some() => _ = model.insert(k, vec![cpu]),
                    None => {}
                }
            }
            o.record(CAPACITY, refresh, round);
            for k in &keys {
                let ours: Option<Vec<Option<u64>>> = o.get(k).and_then(|t| {
                    let line = t.usage.as_ref()?.cpu();
                    Some(
                        line.iter()
                            .map(|v| v.is_finite().then_some(*v as u64))
                            .collect(),
                    )
                });
                let theirs = model
                    .get(&***k)
                    .map(|p| p[p.len().saturating_sub(CAPACITY)..].to_vec());
                assert_eq!(ours, theirs, "{k} after refresh {refresh}");
            }
        }
    }

    #[test]
    fn series_start_with_the_first_sample() {
        let mut o = Objects::default();
        o.record(10, 1, [(0, key("a"), None, None)]);
        assert!(
            o.get("a")
                .is_some_and(|t| t.usage.is_none() && t.io.is_none())
        );
        o.record(10, 2, [(0, key("a"), cm(1), None)]);
        assert_eq!(cpu(&o, "a"), Some(vec![1.0]));
        assert_eq!(
            o.get("a")
                .and_then(|t| t.usage.as_ref())
                .map(|u| u.cpu().len()),
            Some(1)
        );
    }

    #[test]
    fn parked_histories_are_picked_up_or_dropped() {
        let mut o = Objects::default();
        o.park("a", |t| {
            let mut s = CpuMemSeries::new(10);
            s.push(cm(1));
            t.usage = Some(s);
        });
        o.park("gone", |t| t.usage = Some(CpuMemSeries::new(10)));
        assert_eq!(cpu(&o, "a"), Some(vec![1.0]), "readable before a refresh");
        o.record(10, 1, [(3, key("a"), cm(2), None)]);
        assert_eq!(cpu(&o, "a"), Some(vec![1.0, 2.0]));
        assert!(o.get("gone").is_none());
    }
}
