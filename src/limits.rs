//! Per-client rate limits: token buckets by key (a client address, a customer), one set per
//! node, in memory.
//!
//! In memory rather than in the database: a check is a hash-map lookup under a short lock, with
//! no database write per chat frame or request, and a flood costs the attacker more than us.
//! Each node counts on its own, so with N nodes behind a balancer without sticky sessions a
//! client gets at most N times a limit; a restart forgets the counts. The database keeps what
//! must hold across nodes (the per-email login throttle of [`crate::agents::password`]).
//!
//! Memory stays bounded: a bucket that has refilled is the same as no bucket, so idle full
//! buckets are dropped (every [`PRUNE_EVERY`], and when the table is full), and a table never
//! holds more than its cap of keys. When it is full of active keys a new key goes unlimited (and
//! untracked) rather than refused: reaching the cap takes [`MAX_KEYS`] addresses at once, which
//! a per-address limit cannot stop anyway, and refusing would lock out every new client.
//!
//! Addresses are keyed by [`address_key`]: an IPv4 address as is, an IPv6 address by its /64
//! network (one subscriber usually holds a whole /64, so single IPv6 addresses cost nothing to
//! rotate).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Most keys one limiter tracks (some 10 MB at most per limiter).
pub const MAX_KEYS: usize = 100_000;
/// How often idle full buckets are dropped even when the table is not full.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// A full table is pruned at most this often (a flood of new keys must not make every check
/// walk the whole table).
const PRUNE_FULL_EVERY: Duration = Duration::from_secs(1);

/// A token bucket's rule: `burst` at once, then one more every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Tokens a full bucket holds.
    pub burst: u32,
    /// Time to earn one token back.
    pub every: Duration,
}

impl Rate {
    /// `burst` at once, then one every `every`.
    pub const fn new(burst: u32, every: Duration) -> Self {
        Rate { burst, every }
    }

    /// Tokens earned per second.
    fn per_sec(self) -> f64 {
        1.0 / self.every.as_secs_f64().max(1e-9)
    }

    /// How many a steady client gets in `period` after its burst (for documentation and tests).
    pub fn sustained(self, period: Duration) -> u64 {
        (period.as_secs_f64() / self.every.as_secs_f64()).floor() as u64
    }
}

/// Chat messages (and other customer actions) per customer: 30 a minute, bursts of 10.
pub const MESSAGES: Rate = Rate::new(10, Duration::from_secs(2));
/// New customers (a `hello` without a known token) per client address: 20 per 10 minutes.
pub const NEW_CUSTOMERS: Rate = Rate::new(20, Duration::from_secs(30));
/// Escalations to people (a conversation entering the queue) per client address: bursts of 10,
/// then one a minute.
pub const ESCALATIONS: Rate = Rate::new(10, Duration::from_secs(60));
/// Customer `typing` frames per socket: 2 a second; the rest are dropped silently.
pub const TYPING: Rate = Rate::new(2, Duration::from_millis(500));
/// Article feedback votes per client address, whatever the `User-Agent`: 30 an hour.
pub const VOTES: Rate = Rate::new(30, Duration::from_secs(120));
/// Article views counted per client address, whatever the `User-Agent`: 60 an hour (the page is
/// still shown; the view is just not counted).
pub const VIEWS: Rate = Rate::new(60, Duration::from_secs(60));
/// Agent sign-in attempts per client address, whatever the email: 30 per 15 minutes (a
/// successful sign-in gives its token back).
pub const LOGINS: Rate = Rate::new(30, Duration::from_secs(30));

/// One token bucket. It does not hold its [`Rate`], so a table of them stays small.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn full(rate: Rate, now: Instant) -> Self {
        Bucket {
            tokens: f64::from(rate.burst),
            last: now,
        }
    }

    fn refill(&mut self, rate: Rate, now: Instant) {
        let earned = now.saturating_duration_since(self.last).as_secs_f64() * rate.per_sec();
        self.tokens = (self.tokens + earned).min(f64::from(rate.burst));
        self.last = now;
    }

    /// Takes a token, or says how long until there is one.
    pub fn take(&mut self, rate: Rate, now: Instant) -> Result<(), Duration> {
        self.refill(rate, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let secs = (1.0 - self.tokens) / rate.per_sec();
            // Whole milliseconds, rounded up: a client that waits this long gets its token.
            Err(Duration::from_millis((secs * 1000.0).ceil() as u64))
        }
    }

    /// Gives a token back (up to the burst).
    pub fn refund(&mut self, rate: Rate, now: Instant) {
        self.refill(rate, now);
        self.tokens = (self.tokens + 1.0).min(f64::from(rate.burst));
    }

    /// Whether the bucket has refilled by `now` (then it is as good as a new one).
    fn is_full(&self, rate: Rate, now: Instant) -> bool {
        let earned = now.saturating_duration_since(self.last).as_secs_f64() * rate.per_sec();
        self.tokens + earned >= f64::from(rate.burst)
    }
}

/// Token buckets by key, bounded in memory (see the module documentation).
pub struct Limiter<K> {
    rate: Rate,
    max_keys: usize,
    inner: Mutex<Table<K>>,
}

struct Table<K> {
    buckets: HashMap<K, Bucket>,
    pruned: Instant,
}

impl<K: Hash + Eq> Limiter<K> {
    /// A limiter applying `rate` to each key, tracking at most `max_keys` keys.
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        Limiter {
            rate,
            max_keys,
            inner: Mutex::new(Table {
                buckets: HashMap::new(),
                pruned: Instant::now(),
            }),
        }
    }

    /// The rule this limiter applies.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Takes a token of `key`, or says how long until there is one.
    pub fn take<Q>(&self, key: &Q) -> Result<(), Duration>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.take_at(key, Instant::now())
    }

    /// [`Limiter::take`] at a given time.
    pub fn take_at<Q>(&self, key: &Q, now: Instant) -> Result<(), Duration>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let rate = self.rate;
        // A poisoned lock only means another thread panicked between two plain assignments.
        let mut t = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if now.saturating_duration_since(t.pruned) >= PRUNE_EVERY {
            t.prune(rate, now);
        }
        if let Some(b) = t.buckets.get_mut(key) {
            return b.take(rate, now);
        }
        if t.buckets.len() >= self.max_keys {
            if now.saturating_duration_since(t.pruned) >= PRUNE_FULL_EVERY {
                t.prune(rate, now);
            }
            if t.buckets.len() >= self.max_keys {
                tracing::warn!(
                    keys = t.buckets.len(),
                    "rate limiter full of active keys; a new key goes unlimited"
                );
                return Ok(());
            }
        }
        let mut b = Bucket::full(rate, now);
        let taken = b.take(rate, now);
        t.buckets.insert(key.to_owned(), b);
        taken
    }

    /// Gives a token back to `key` (e.g. a successful sign-in should not count).
    pub fn refund<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut t = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(b) = t.buckets.get_mut(key) {
            b.refund(self.rate, Instant::now());
        }
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .buckets
            .len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K: Hash + Eq> Table<K> {
    fn prune(&mut self, rate: Rate, now: Instant) {
        self.buckets.retain(|_, b| !b.is_full(rate, now));
        self.pruned = now;
    }
}

/// What a client address is limited by: an IPv4 address as is, an IPv6 address by its /64
/// network; unknown (empty or not an address) is one key, `0.0.0.0`.
pub fn address_key(ip: &str) -> IpAddr {
    match ip.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
        Ok(IpAddr::V6(v6)) => {
            let net = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(Ipv6Addr::from(net))
        }
        Ok(v4) => v4,
        Err(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    }
}

/// The limits of one node, shared by every handler (they are part of the application state).
pub struct Limits {
    /// Chat messages and actions, by customer id (a reconnect does not reset it).
    pub messages: Limiter<i64>,
    /// New customers, by client address.
    pub new_customers: Limiter<IpAddr>,
    /// Escalations, by client address.
    pub escalations: Limiter<IpAddr>,
    /// Article feedback votes, by client address.
    pub votes: Limiter<IpAddr>,
    /// Article views counted, by client address.
    pub views: Limiter<IpAddr>,
    /// Agent sign-in attempts, by client address.
    pub logins: Limiter<IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            messages: Limiter::new(MESSAGES, MAX_KEYS),
            new_customers: Limiter::new(NEW_CUSTOMERS, MAX_KEYS),
            escalations: Limiter::new(ESCALATIONS, MAX_KEYS),
            votes: Limiter::new(VOTES, MAX_KEYS),
            views: Limiter::new(VIEWS, MAX_KEYS),
            logins: Limiter::new(LOGINS, MAX_KEYS),
        }
    }
}

/// Whole seconds to tell in `Retry-After` (at least 1).
pub fn retry_after_secs(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[test]
    fn documented_rates() {
        let minute = 60 * SEC;
        assert_eq!((MESSAGES.burst, MESSAGES.sustained(minute)), (10, 30));
        assert_eq!(NEW_CUSTOMERS.sustained(10 * minute), 20);
        assert_eq!(ESCALATIONS.sustained(minute), 1);
        assert_eq!((TYPING.burst, TYPING.sustained(SEC)), (2, 2));
        assert_eq!((VOTES.burst, VOTES.sustained(60 * minute)), (30, 30));
        assert_eq!((VIEWS.burst, VIEWS.sustained(60 * minute)), (60, 60));
        assert_eq!((LOGINS.burst, LOGINS.sustained(15 * minute)), (30, 30));
    }

    #[test]
    fn buckets_allow_bursts_then_refill() {
        let t0 = Instant::now();
        let mut b = Bucket::full(MESSAGES, t0);
        for _ in 0..10 {
            assert!(b.take(MESSAGES, t0).is_ok());
        }
        assert_eq!(b.take(MESSAGES, t0), Err(2 * SEC));
        // Half a token earned: the wait halves.
        assert_eq!(b.take(MESSAGES, t0 + SEC), Err(SEC));
        assert!(b.take(MESSAGES, t0 + 2 * SEC).is_ok());
        assert!(b.take(MESSAGES, t0 + 2 * SEC).is_err());
        // Never more than the burst, however long it rested.
        let later = t0 + 3600 * SEC;
        for _ in 0..10 {
            assert!(b.take(MESSAGES, later).is_ok());
        }
        assert!(b.take(MESSAGES, later).is_err());
        b.refund(MESSAGES, later);
        assert!(b.take(MESSAGES, later).is_ok());
    }

    #[test]
    fn keys_have_their_own_buckets() {
        let l: Limiter<String> = Limiter::new(Rate::new(2, SEC), 100);
        let t0 = Instant::now();
        assert!(l.take_at("a", t0).is_ok());
        assert!(l.take_at("a", t0).is_ok());
        assert!(l.take_at("a", t0).is_err());
        assert!(l.take_at("b", t0).is_ok());
        l.refund("a");
        assert!(l.take_at("a", t0).is_ok());
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn idle_full_buckets_are_pruned() {
        let l: Limiter<u32> = Limiter::new(Rate::new(1, SEC), 100);
        let t0 = Instant::now();
        for k in 0..50 {
            let _ = l.take_at(&k, t0);
        }
        assert_eq!(l.len(), 50);
        // Long after: everything refilled, so the periodic pass drops it all but the new key.
        let _ = l.take_at(&1000, t0 + PRUNE_EVERY + SEC);
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn the_table_is_capped() {
        let l: Limiter<u32> = Limiter::new(Rate::new(1, 3600 * SEC), 10);
        let t0 = Instant::now();
        for k in 0..10 {
            assert!(l.take_at(&k, t0).is_ok());
        }
        // Full of active keys: a new key is let through untracked, the known ones stay limited.
        for k in 10..1000 {
            assert!(l.take_at(&k, t0 + SEC).is_ok());
        }
        assert_eq!(l.len(), 10);
        assert!(l.take_at(&3, t0 + SEC).is_err());
        // Once the buckets refilled, a full table makes room.
        let later = t0 + 3600 * SEC;
        assert!(l.take_at(&500, later).is_ok());
        assert!(l.take_at(&500, later).is_err());
        assert!(l.len() <= 10);
    }

    #[test]
    fn addresses_key_by_ipv4_or_ipv6_network() {
        assert_eq!(address_key("203.0.113.9").to_string(), "203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9").to_string(), "203.0.113.9");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::2")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
        assert_eq!(address_key("2001:db8:1:2::1").to_string(), "2001:db8:1:2::");
        assert_eq!(address_key(""), address_key("not an address"));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(SEC), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(120 * SEC), 120);
    }
}
