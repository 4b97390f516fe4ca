//! Backoff of password guessing over HTTP Basic.
//!
//! Enforces: after [`USER_FREE`] wrong passwords in a row for one username, or [`CLIENT_FREE`]
//! from one client address (which may be a NAT or a proxy of many people), further attempts for it are answered 429 without checking the password
//! until a delay has passed; each further failure doubles the delay. A username is backed off
//! for at most [`USER_MAX`] (an attacker cannot keep its owner out for long: a known-good
//! login the server verified recently is never delayed, see `auth.rs`); a client address for at
//! most [`CLIENT_MAX`]. A correct password clears its username's record; a record is forgotten
//! [`FORGET_AFTER`] after its last failure.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Wrong passwords for one username allowed in a row before any delay.
pub const USER_FREE: u32 = 5;
/// Wrong passwords from one client address allowed in a row before any delay.
pub const CLIENT_FREE: u32 = 20;
/// Longest delay of a username.
pub const USER_MAX: Duration = Duration::from_secs(15);
/// Longest delay of a client address (short: behind a reverse proxy every client has the
/// proxy's address).
pub const CLIENT_MAX: Duration = Duration::from_secs(60);
/// A record without failures for this long is dropped.
pub const FORGET_AFTER: Duration = Duration::from_secs(900);
/// Records kept per kind before the oldest are dropped (bounds memory under a flood of names).
const MAX_RECORDS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last: Instant,
    until: Instant,
}

struct Records<K> {
    free: u32,
    max: Duration,
    map: HashMap<K, Record>,
}

impl<K: Hash + Eq + Clone> Records<K> {
    fn new(free: u32, max: Duration) -> Self {
        Records {
            free,
            max,
            map: HashMap::new(),
        }
    }

    fn wait(&self, key: &K, now: Instant) -> Option<Duration> {
        let r = self.map.get(key)?;
        (r.until > now).then(|| r.until - now)
    }

    fn fail(&mut self, key: &K, now: Instant) {
        if self.map.len() >= MAX_RECORDS && !self.map.contains_key(key) {
            self.map
                .retain(|_, r| now.duration_since(r.last) < FORGET_AFTER);
            if self.map.len() >= MAX_RECORDS {
                self.map.clear();
            }
        }
        let r = self.map.entry(key.clone()).or_insert(Record {
            failures: 0,
            last: now,
            until: now,
        });
        if now.duration_since(r.last) >= FORGET_AFTER {
            r.failures = 0;
        }
        r.failures = r.failures.saturating_add(1);
        r.last = now;
        if r.failures > self.free {
            let doublings = (r.failures - self.free - 1).min(20);
            r.until = now + Duration::from_secs(1u64 << doublings).min(self.max);
        }
    }

    fn clear(&mut self, key: &K) {
        self.map.remove(key);
    }
}

/// What is backed off, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    User,
    Client,
}

impl Scope {
    pub fn label(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Client => "client",
        }
    }
}

/// Failure records of usernames and client addresses.
pub struct LoginThrottle {
    inner: Mutex<(Records<String>, Records<IpAddr>)>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            inner: Mutex::new((
                Records::new(USER_FREE, USER_MAX),
                Records::new(CLIENT_FREE, CLIENT_MAX),
            )),
        }
    }
}

impl LoginThrottle {
    /// How long this attempt must still wait (the longer of the two), and why.
    pub fn wait(&self, username: &str, client: Option<IpAddr>) -> Option<(Duration, Scope)> {
        let now = Instant::now();
        let inner = self.inner.lock();
        let user = inner
            .0
            .wait(&username.to_owned(), now)
            .map(|d| (d, Scope::User));
        let client = client
            .and_then(|ip| inner.1.wait(&ip, now))
            .map(|d| (d, Scope::Client));
        match (user, client) {
            (Some(u), Some(c)) => Some(if c.0 > u.0 { c } else { u }),
            (u, c) => u.or(c),
        }
    }

    pub fn failed(&self, username: &str, client: Option<IpAddr>) {
        let now = Instant::now();
        let mut inner = self.inner.lock();
        inner.0.fail(&username.to_owned(), now);
        if let Some(ip) = client {
            inner.1.fail(&ip, now);
        }
    }

    /// A correct password: its username starts afresh (the client's record stays, so one good
    /// account does not reset a client's guessing at others).
    pub fn succeeded(&self, username: &str) {
        self.inner.lock().0.clear(&username.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_after_the_free_failures_and_double_up_to_the_cap() {
        let mut r = Records::<u8>::new(5, Duration::from_secs(8));
        let now = Instant::now();
        for _ in 0..5 {
            r.fail(&1, now);
        }
        assert_eq!(r.wait(&1, now), None, "the first failures cost nothing");
        let mut delays = vec![];
        for _ in 0..6 {
            r.fail(&1, now);
            delays.push(r.wait(&1, now).map(|d| d.as_secs()));
        }
        assert_eq!(
            delays,
            [Some(1), Some(2), Some(4), Some(8), Some(8), Some(8)]
        );
        assert_eq!(r.wait(&2, now), None, "other keys are not affected");
        r.clear(&1);
        assert_eq!(r.wait(&1, now), None);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let mut r = Records::<u8>::new(5, Duration::from_secs(8));
        let then = Instant::now();
        for _ in 0..5 {
            r.fail(&1, then);
        }
        r.fail(&1, then + FORGET_AFTER);
        assert_eq!(r.wait(&1, then + FORGET_AFTER), None);
    }

    #[test]
    fn a_correct_password_clears_the_username_but_not_the_client() {
        let t = LoginThrottle::default();
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..=USER_FREE {
            t.failed("alice", Some(ip));
        }
        assert_eq!(t.wait("alice", None).map(|w| w.1), Some(Scope::User));
        assert_eq!(
            t.wait("bob", Some(ip)),
            None,
            "an address has more free failures"
        );
        for i in 0..CLIENT_FREE {
            t.failed(&format!("user{i}"), Some(ip));
        }
        assert_eq!(t.wait("bob", Some(ip)).map(|w| w.1), Some(Scope::Client));
        t.succeeded("alice");
        assert_eq!(t.wait("alice", None), None);
        assert!(t.wait("alice", Some(ip)).is_some());
    }
}
