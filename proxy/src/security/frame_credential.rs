//! Short-lived credentials for embedded frames: a portal page shared by a whole team holds
//! no token, so a frame signs in through `/signin` (see `signin.rs`) and gets one of these
//! instead. Random like the access token, valid for an hour, at most a few at a time,
//! compared in constant time, and never logged.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::RngCore;
use subtle::ConstantTimeEq;

/// How long a frame stays signed in before it has to sign in again.
pub const LIFETIME: Duration = Duration::from_secs(60 * 60);
/// Credentials kept at once; minting one more forgets the oldest, so nothing can grow the
/// store without bound.
const CAPACITY: usize = 64;
const CREDENTIAL_BYTES: usize = 32;

struct Issued {
    secret: String,
    expires: Instant,
}

/// The frame credentials issued and not yet expired.
#[derive(Default)]
pub struct FrameCredentials {
    issued: Mutex<Vec<Issued>>,
}

impl fmt::Debug for FrameCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FrameCredentials(<redacted>)")
    }
}

impl FrameCredentials {
    /// A new credential, valid for [`LIFETIME`] from now.
    pub fn mint(&self) -> String {
        self.mint_at(Instant::now())
    }

    /// Whether `presented` is a credential issued and not yet expired.
    pub fn matches(&self, presented: &str) -> bool {
        self.matches_at(presented, Instant::now())
    }

    fn mint_at(&self, now: Instant) -> String {
        let mut bytes = [0u8; CREDENTIAL_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut issued = self.issued.lock().unwrap_or_else(PoisonError::into_inner);
        issued.retain(|c| c.expires > now);
        if issued.len() >= CAPACITY {
            // Issued in order, so the first one expires first.
            issued.remove(0);
        }
        issued.push(Issued {
            secret: secret.clone(),
            expires: now + LIFETIME,
        });
        secret
    }

    fn matches_at(&self, presented: &str, now: Instant) -> bool {
        let issued = self.issued.lock().unwrap_or_else(PoisonError::into_inner);
        // Every live credential is compared, in constant time each, so the answer's timing
        // says nothing about which one came close.
        issued.iter().fold(false, |found, c| {
            let same: bool = c.secret.as_bytes().ct_eq(presented.as_bytes()).into();
            found | (same && c.expires > now)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_works_until_it_expires() {
        let store = FrameCredentials::default();
        let now = Instant::now();
        let c = store.mint_at(now);
        assert_eq!(c.len(), 64);
        assert!(c.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(store.matches_at(&c, now));
        assert!(store.matches_at(&c, now + LIFETIME - Duration::from_secs(1)));
        assert!(!store.matches_at(&c, now + LIFETIME));
        assert!(!store.matches_at("", now));
        assert!(!store.matches_at(&c[..63], now));
    }

    #[test]
    fn each_credential_is_new_and_only_issued_ones_count() {
        let store = FrameCredentials::default();
        let now = Instant::now();
        assert!(
            !store.matches_at(&"0".repeat(64), now),
            "an empty store opens nothing"
        );
        let a = store.mint_at(now);
        let b = store.mint_at(now);
        assert_ne!(a, b);
        assert!(store.matches_at(&a, now) && store.matches_at(&b, now));
        assert!(!FrameCredentials::default().matches_at(&a, now));
        assert_eq!(format!("{store:?}"), "FrameCredentials(<redacted>)");
    }

    #[test]
    fn the_store_is_bounded_and_forgets_the_oldest_first() {
        let store = FrameCredentials::default();
        let now = Instant::now();
        let first = store.mint_at(now);
        let second = store.mint_at(now + Duration::from_secs(1));
        for i in 0..CAPACITY - 1 {
            store.mint_at(now + Duration::from_secs(2 + i as u64));
        }
        let later = now + Duration::from_secs(100);
        assert!(!store.matches_at(&first, later), "the oldest was forgotten");
        assert!(store.matches_at(&second, later));
        let len = store
            .issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(len, CAPACITY);
        // Expired ones are dropped when the next is minted.
        store.mint_at(now + LIFETIME * 2);
        let len = store
            .issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(len, 1);
    }
}
