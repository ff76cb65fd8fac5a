//! A fast hash for the maps keyed by pod and node names, rebuilt or probed 30 000 times per
//! refresh. The keys come from our own server, so the DoS resistance of the default
//! (and slower) SipHash buys nothing here.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` using FNV-1a.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv1a>>;

/// A `HashSet` using FNV-1a.
pub type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv1a>>;

/// The 64-bit FNV-1a hash.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_values() {
        let hash = |bytes: &[u8]| {
            let mut h = Fnv1a::default();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        let mut map = FastMap::default();
        map.insert("shop/cart-1".to_owned(), 1);
        assert_eq!(map.get("shop/cart-1"), Some(&1));
    }
}
