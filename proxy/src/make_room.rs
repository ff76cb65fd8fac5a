//! Keeping a map of per-viewer things within a bound: the least recently used entry goes.

use std::collections::HashMap;
use std::hash::Hash;

use tokio::time::Instant;

/// Removes the entry `used` says was used least recently while `map` holds `max` or more, so
/// one more fits.
pub fn make_room<K: Clone + Eq + Hash, V>(
    map: &mut HashMap<K, V>,
    max: usize,
    used: impl Fn(&V) -> Instant,
) {
    while map.len() >= max.max(1) {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| used(v))
            .map(|(k, _)| k.clone())
        else {
            return;
        };
        map.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_least_recently_used_goes() {
        let t = Instant::now();
        let mut map: HashMap<&str, Instant> = [
            ("new", t + Duration::from_secs(2)),
            ("old", t),
            ("mid", t + Duration::from_secs(1)),
        ]
        .into();
        make_room(&mut map, 3, |at| *at);
        assert_eq!(map.len(), 2);
        assert!(!map.contains_key("old"));
        make_room(&mut map, 3, |at| *at);
        assert_eq!(map.len(), 2, "room already");
    }
}
