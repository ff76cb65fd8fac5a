//! A fixed-capacity ring buffer: the history of one metric series.

/// Keeps the newest `capacity` values; pushing is O(1) and never reallocates once full.
#[derive(Debug, Clone, PartialEq)]
pub struct RingBuffer<T> {
    items: Vec<T>,
    /// Index of the oldest item once the buffer is full.
    head: usize,
    capacity: usize,
}

impl<T> RingBuffer<T> {
    /// An empty buffer holding at most `capacity` values (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            items: Vec::with_capacity(capacity),
            head: 0,
            capacity,
        }
    }

    /// How many values the buffer keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many values it holds now.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True before the first push.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends a value, dropping the oldest when full.
    pub fn push(&mut self, value: T) {
        if self.items.len() < self.capacity {
            self.items.push(value);
        } else {
            self.items[self.head] = value;
            self.head = (self.head + 1) % self.capacity;
        }
    }

    /// The newest value.
    pub fn last(&self) -> Option<&T> {
        if self.items.len() < self.capacity || self.head == 0 {
            self.items.last()
        } else {
            self.items.get(self.head - 1)
        }
    }

    /// Values from oldest to newest.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let (newer, older) = self.items.split_at(self.head);
        older.iter().chain(newer.iter())
    }

    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.items.clear();
        self.head = 0;
    }

    /// Changes the capacity, keeping the newest values that still fit.
    pub fn resize(&mut self, capacity: usize) {
        let capacity = capacity.max(1);
        if capacity == self.capacity {
            return;
        }
        let mut items = std::mem::take(&mut self.items);
        items.rotate_left(self.head);
        let excess = items.len().saturating_sub(capacity);
        items.drain(..excess);
        items.reserve_exact(capacity - items.len());
        self.items = items;
        self.head = 0;
        self.capacity = capacity;
    }
}

impl<T: Clone> RingBuffer<T> {
    /// Values from oldest to newest, copied out.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fills_then_wraps_around() {
        let mut r = RingBuffer::new(3);
        assert!(r.is_empty());
        assert_eq!(r.last(), None);
        for v in 1..=5 {
            r.push(v);
        }
        assert_eq!(r.to_vec(), vec![3, 4, 5]);
        assert_eq!(r.last(), Some(&5));
        assert_eq!(r.len(), 3);
        r.push(6);
        assert_eq!(r.to_vec(), vec![4, 5, 6]);
        assert_eq!(r.iter().rev().copied().collect::<Vec<_>>(), vec![6, 5, 4]);
    }

    #[test]
    fn resize_keeps_newest() {
        let mut r = RingBuffer::new(4);
        for v in 1..=6 {
            r.push(v);
        }
        r.resize(2);
        assert_eq!(r.to_vec(), vec![5, 6]);
        r.resize(5);
        assert_eq!(r.to_vec(), vec![5, 6]);
        for v in 7..=10 {
            r.push(v);
        }
        assert_eq!(r.to_vec(), vec![6, 7, 8, 9, 10]);
        assert_eq!(r.capacity(), 5);
    }

    #[test]
    fn zero_capacity_means_one() {
        let mut r = RingBuffer::new(0);
        r.push(1);
        r.push(2);
        assert_eq!(r.to_vec(), vec![2]);
        r.clear();
        assert!(r.is_empty());
    }

    proptest! {
        #[test]
        fn behaves_like_the_tail_of_a_vec(cap in 1usize..20, values in prop::collection::vec(0i32..100, 0..60), new_cap in 1usize..20) {
            let mut r = RingBuffer::new(cap);
            for &v in &values {
                r.push(v);
            }
            let tail = |n: usize| values[values.len().saturating_sub(n)..].to_vec();
            prop_assert_eq!(r.to_vec(), tail(cap));
            prop_assert_eq!(r.last(), values.last());
            r.resize(new_cap);
            prop_assert_eq!(r.to_vec(), tail(cap.min(new_cap)));
        }
    }
}
