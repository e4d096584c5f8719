//! The verified-token cache: a token seen before skips the signature check while it is still
//! valid, and only while the key that verified it is the one a fresh lookup would find.

use std::fmt;
use std::hash::BuildHasher as _;
use std::sync::{Arc, Weak};
use std::time::Duration;

use jsonwebtoken::Algorithm;

use crate::canonical;
use crate::grants::Grants;
use crate::jws::{self, RawHeader, Segments};
use crate::key::{TokenHeader, VerifyingKey};
use crate::validation::Times;

/// What the cache remembers of a verified token.
pub(crate) struct Entry<C> {
    pub(crate) claims: Arc<C>,
    pub(crate) grants: Option<Grants>,
    exp: Option<f64>,
    nbf: Option<f64>,
    /// Cached no later than this (Unix seconds): the configured maximum lifetime.
    until: f64,
    /// The signature segment that verified, as the token spelled it (base64url).
    signature_text: Box<[u8]>,
    /// For ECDSA, the signature in its one spelling (see [`canonical`]), so that the other
    /// spelling finds the entry too; empty for other algorithms.
    canonical: Box<[u8]>,
    /// The key that verified the token: a hit stands only if the key source still answers
    /// with this very key.
    key: Weak<VerifyingKey>,
    /// What the key source was asked, to ask it again on a hit.
    pub(crate) alg: Algorithm,
    kid: Option<Box<str>>,
    typ: Option<Box<str>>,
    pub(crate) iss: Option<Box<str>>,
}

impl<C> Entry<C> {
    /// The header view the key source was given when the token verified.
    pub(crate) fn header(&self) -> TokenHeader<'_> {
        TokenHeader {
            alg: self.alg,
            kid: self.kid.as_deref(),
            typ: self.typ.as_deref(),
            iss: self.iss.as_deref(),
        }
    }

    /// Whether `key` is the key that verified the token. The entry's weak reference keeps the
    /// key's allocation, so no other key can take its address.
    pub(crate) fn verified_by(&self, key: &Arc<VerifyingKey>) -> bool {
        std::ptr::eq(self.key.as_ptr(), Arc::as_ptr(key))
    }
}

/// A bounded, sharded map from a digest of a token's signing input to what verified it.
///
/// Keyed by a 64-bit digest (seeded at random per cache) rather than the signing input itself,
/// so a full cache holds and compares small keys. A hit needs the same signature, compared
/// byte for byte (up to ECDSA's second spelling): two signing inputs that share a digest can
/// only ever be served the verdict of a token whose exact signature the client already holds.
/// Only successful verifications are stored.
pub(crate) struct TokenCache<C> {
    entries: quick_cache::sync::Cache<u64, Arc<Entry<C>>>,
    digest: quick_cache::DefaultHashBuilder,
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
            digest: quick_cache::DefaultHashBuilder::default(),
            max_lifetime,
        }
    }

    /// The entry of a token that verified before and whose `exp`, `nbf` and cache lifetime
    /// still hold at `now` (Unix seconds, `leeway` allowed). The caller must still ask the key
    /// source and accept the hit only if it answers with the same key.
    pub(crate) fn get(
        &self,
        segments: &Segments<'_>,
        now: f64,
        leeway: f64,
    ) -> Option<Arc<Entry<C>>> {
        let key = self.digest.hash_one(segments.message);
        let entry = self.entries.get(&key)?;
        let fresh = now <= entry.until
            && entry.exp.is_none_or(|exp| now <= exp + leeway)
            && entry.nbf.is_none_or(|nbf| nbf <= now + leeway)
            && entry.key.strong_count() > 0;
        if !fresh {
            self.entries.remove(&key);
            return None;
        }
        // The same spelling: compared as text, nothing to decode.
        if canonical::same(segments.signature, &entry.signature_text) {
            return Some(entry);
        }
        if entry.canonical.is_empty() {
            return None;
        }
        let mut buffer = jws::segment_buffer();
        let presented = jws::b64(segments.signature, &mut buffer).ok()?;
        let mut room = [0; canonical::ROOM];
        let presented = canonical::signature(entry.alg, &presented, &mut room);
        canonical::same(presented, &entry.canonical).then_some(entry)
    }

    /// Remembers a token that just verified with `key`.
    pub(crate) fn insert(
        &self,
        segments: &Segments<'_>,
        iss: Option<&str>,
        key: &Arc<VerifyingKey>,
        claims: Arc<C>,
        grants: Option<Grants>,
        times: &Times,
    ) {
        let mut header_buffer = jws::segment_buffer();
        let mut signature_buffer = jws::segment_buffer();
        let (Ok(header), Ok(signature)) = (
            jws::b64(segments.header, &mut header_buffer),
            jws::b64(segments.signature, &mut signature_buffer),
        ) else {
            return;
        };
        // The header passed these checks before the signature was verified.
        let Ok(header) = RawHeader::parse(&header).and_then(|h| h.check(usize::MAX)) else {
            return;
        };
        let mut room = [0; canonical::ROOM];
        let spelled = canonical::signature(header.alg, &signature, &mut room);
        let canonical = if canonical::is_malleable(header.alg) {
            spelled.into()
        } else {
            Box::default()
        };
        let mut until = times.now + self.max_lifetime.as_secs_f64();
        if let Some(exp) = times.exp {
            until = until.min(exp);
        }
        let entry = Entry {
            claims,
            grants,
            exp: times.exp,
            nbf: times.nbf,
            until,
            signature_text: segments.signature.into(),
            canonical,
            key: Arc::downgrade(key),
            alg: header.alg,
            kid: header.kid.map(|kid| kid.into()),
            typ: header.typ.map(|typ| typ.into()),
            iss: iss.map(Into::into),
        };
        let key = self.digest.hash_one(segments.message);
        self.entries.insert(key, Arc::new(entry));
    }
}
