//! The verified-token cache: a token seen before is accepted without a new signature check
//! while it is still valid.

use std::fmt;
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::key::VerifyingKey;

/// What the cache remembers of a verified token.
pub(crate) struct Entry<C> {
    pub(crate) claims: Arc<C>,
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
    /// Cached no later than this (Unix seconds): the configured maximum lifetime.
    pub(crate) until: f64,
    /// The key that verified the token: once the key set drops it, the entry is dead.
    pub(crate) key: Weak<VerifyingKey>,
}

/// A bounded, sharded map from the full token text to its verified claims.
///
/// Keyed by the whole token, so two tokens can never share an entry; only successful
/// verifications are stored.
pub(crate) struct TokenCache<C> {
    entries: quick_cache::sync::Cache<Box<[u8]>, Arc<Entry<C>>>,
    max_lifetime: Duration,
}

impl<C> fmt::Debug for TokenCache<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("capacity", &self.entries.capacity())
            .field("len", &self.entries.len())
            .field("max_lifetime", &self.max_lifetime)
            .finish()
    }
}

impl<C> TokenCache<C> {
    pub(crate) fn new(capacity: usize, max_lifetime: Duration) -> Self {
        Self {
            entries: quick_cache::sync::Cache::new(capacity),
            max_lifetime,
        }
    }
}

impl<C> TokenCache<C> {
    /// The claims of `token` if it verified before and is still valid at `now` (Unix seconds),
    /// `exp` and `nbf` checked again with `leeway`.
    pub(crate) fn get(&self, token: &[u8], now: f64, leeway: f64) -> Option<Arc<C>> {
        let entry = self.entries.get(token)?;
        let fresh = now <= entry.until
            && entry.exp.is_none_or(|exp| now <= exp + leeway)
            && entry.nbf.is_none_or(|nbf| nbf <= now + leeway)
            && entry.key.strong_count() > 0;
        if fresh {
            Some(Arc::clone(&entry.claims))
        } else {
            self.entries.remove(token);
            None
        }
    }

    /// Remembers a token that just verified.
    pub(crate) fn insert(
        &self,
        token: &[u8],
        key: &Arc<VerifyingKey>,
        claims: Arc<C>,
        exp: Option<f64>,
        nbf: Option<f64>,
        now: f64,
    ) {
        let mut until = now + self.max_lifetime.as_secs_f64();
        if let Some(exp) = exp {
            until = until.min(exp);
        }
        let entry = Entry {
            claims,
            exp,
            nbf,
            until,
            key: Arc::downgrade(key),
        };
        self.entries.insert(token.into(), Arc::new(entry));
    }
}
