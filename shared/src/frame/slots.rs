//! Row slots: each object gets the lowest free small integer, so the tables and the columns
//! indexed by slot stay as long as the cluster is big, and shrink after a scale-down.

use std::collections::{BTreeSet, HashMap};

/// Slot numbers by object key (`namespace/name` for pods, the name for nodes).
#[derive(Debug, Default, Clone)]
pub struct Slots {
    by_key: HashMap<String, u32>,
    /// By slot: the key holding it.
    keys: Vec<Option<String>>,
    free: BTreeSet<u32>,
    len: u32,
}

impl Slots {
    /// The slot of `key`, if it has one.
    pub fn get(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    /// A slot for a new `key`: the lowest free one.
    pub fn insert(&mut self, key: String) -> u32 {
        let slot = self.free.pop_first().unwrap_or_else(|| {
            self.len += 1;
            self.len - 1
        });
        if self.keys.len() <= slot as usize {
            self.keys.resize(slot as usize + 1, None);
        }
        self.keys[slot as usize] = Some(key.clone());
        self.by_key.insert(key, slot);
        slot
    }

    /// Frees `key`'s slot; the table's length drops when its last slots are free.
    pub fn remove(&mut self, key: &str) -> Option<u32> {
        let slot = self.by_key.remove(key)?;
        self.keys[slot as usize] = None;
        self.free.insert(slot);
        while self.len > 0 && self.free.last() == Some(&(self.len - 1)) {
            self.free.pop_last();
            self.len -= 1;
        }
        self.keys.truncate(self.len as usize);
        Some(slot)
    }

    /// Moves the key in the last slot to the lowest free one: `(from, to)`, or `None` when
    /// no slot below the last is free.
    pub fn compact_one(&mut self) -> Option<(u32, u32)> {
        let to = *self.free.first()?;
        let from = self.len.checked_sub(1)?;
        let key = self.keys.get(from as usize)?.clone()?;
        self.remove(&key);
        let to_now = self.insert(key);
        debug_assert_eq!(to, to_now);
        Some((from, to_now))
    }

    /// Keys held, not counting free slots.
    pub fn live(&self) -> usize {
        self.by_key.len()
    }

    /// One past the highest slot in use.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Every key with its slot.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.by_key.iter().map(|(k, s)| (k.as_str(), *s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_free_slot_first_and_the_length_shrinks() {
        let mut s = Slots::default();
        for k in ["a", "b", "c", "d"] {
            s.insert(k.into());
        }
        assert_eq!(s.len(), 4);
        s.remove("b");
        assert_eq!(s.insert("e".into()), 1, "the hole is reused");
        s.remove("d");
        s.remove("c");
        assert_eq!(s.len(), 2, "free slots at the end are given back");
        s.remove("a");
        assert_eq!(s.len(), 2, "a hole below a used slot stays");
        assert_eq!(s.insert("f".into()), 0);
        assert_eq!(s.get("e"), Some(1));
        assert_eq!(s.remove("missing"), None);
    }

    #[test]
    fn compacting_moves_the_last_row_into_the_lowest_hole() {
        let mut s = Slots::default();
        for k in ["a", "b", "c", "d"] {
            s.insert(k.into());
        }
        s.remove("a");
        s.remove("b");
        assert_eq!(s.compact_one(), Some((3, 0)));
        assert_eq!((s.get("d"), s.len()), (Some(0), 3));
        assert_eq!(s.compact_one(), Some((2, 1)));
        assert_eq!((s.get("c"), s.len(), s.live()), (Some(1), 2, 2));
        assert_eq!(s.compact_one(), None, "no hole left");
    }
}
