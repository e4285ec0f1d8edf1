//! A short-lived in-process cache of bearer-token lookups (token hash → session, user).
//!
//! Every authenticated request resolves its token; the cache answers repeats without a
//! database round trip. Correctness rules:
//! - a committed transaction that revokes a session, changes a password or updates a
//!   user clears the cache before `commit` returns, so within one process logout,
//!   deactivation and role changes take effect at once;
//! - a lookup that raced such a commit does not store its (possibly stale) result: a
//!   generation counter, bumped by every clear, must be unchanged;
//! - other server instances sharing a PostgreSQL database see such changes after at most
//!   the TTL (`USCPIS_SESSION_CACHE_MS`, default 2000; 0 turns the cache off);
//! - expiry is still checked on every request by the use case (the cached session
//!   carries its `expires_at`).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use application::identity::Session;
use domain::identity::User;

/// At most this many tokens are cached; beyond it the cache starts over.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Default)]
pub(crate) struct SessionCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: RwLock<HashMap<String, (Instant, Session, User)>>,
}

impl SessionCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            ..Self::default()
        }
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The generation to pass to [`Self::put`] for a lookup starting now.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn get(&self, token_hash: &str) -> Option<(Session, User)> {
        if !self.enabled() {
            return None;
        }
        let entries = self.entries.read().ok()?;
        let (at, session, user) = entries.get(token_hash)?;
        (at.elapsed() < self.ttl).then(|| (session.clone(), user.clone()))
    }

    pub(crate) fn put(&self, generation: u64, token_hash: &str, value: &(Session, User)) {
        if !self.enabled() {
            return;
        }
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        // Checked under the write lock: a clear() in between bumped it first.
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            token_hash.to_owned(),
            (Instant::now(), value.0.clone(), value.1.clone()),
        );
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.clear();
        } else {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }
}
