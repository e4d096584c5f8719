//! Keys from a remote JWKS, found directly or through OIDC discovery, cached and refreshed.
//!
//! The policy, and why:
//! - Known keys are read from an `ArcSwap` snapshot: no lock, no wait, on every request.
//! - A snapshot is refreshed in a background task once 80 % of its age has passed (age: the
//!   response's `Cache-Control: max-age` within bounds, else 10 minutes); requests keep using
//!   the old snapshot meanwhile.
//! - An unknown `kid` triggers one fetch for any number of concurrent requests, then a cooldown
//!   (30 s) that counts failed fetches too; kids found unknown are remembered for the cooldown.
//! - A `kid` still missing after a good fetch is the token's fault: 401 `UnknownKey`. After a
//!   failed fetch, and during the cooldown it started, the key may be in the set we cannot
//!   get: 503 `KeysUnavailable` with `Retry-After`, never 401.
//! - A failing endpoint leaves the last good snapshot serving for `max_stale` (1 h) past its
//!   age; after that, or before any fetch succeeded, requests get 503 `KeysUnavailable`.
//! - A new snapshot replaces the old one whole: a removed key stops verifying.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, Shared};
use futures_util::FutureExt as _;
use serde::Deserialize;

use super::jwk::{jwks_to_keys, JwkPolicy};
use super::{KeySource, StaticKeys, TokenHeader, VerifyingKey};
use crate::error::{AuthError, AuthErrorKind};
use crate::escape;

mod builder;
mod fetch;

use builder::{check_url, has_scheme, RemoteSettings, Source};
pub use builder::{
    RemoteJwksBuilder, DEFAULT_CACHE_AGE, DEFAULT_COOLDOWN, DEFAULT_MAX_BODY, DEFAULT_MAX_KEYS,
    DEFAULT_MAX_STALE, DEFAULT_TIMEOUT,
};

const MAX_REMEMBERED_KIDS: usize = 1024;
type SharedFetch = Shared<BoxFuture<'static, Result<(), RemoteError>>>;

#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
pub use fetch::ReqwestFetcher;
pub use fetch::{parse_max_age, Fetched, JwksFetcher, RemoteError, RemoteErrorKind};

/// Keys from a remote JWKS (or an OpenID Connect issuer's), cached and refreshed.
///
/// Cheap to clone: clones share one cache. The policy: known keys are served from an atomically
/// swapped snapshot, with no lock; the set is refreshed on its own task at 80 % of its age
/// (10 minutes, or `Cache-Control: max-age` within bounds); an unknown `kid` causes one fetch
/// for any number of concurrent requests, then a cooldown that counts failed fetches too; a
/// failing endpoint leaves the last good set serving for `max_stale`, then requests get 503.
/// A `kid` missing from a freshly fetched set is refused as unknown (401); while the last
/// fetch failed, it gets 503 with `Retry-After` instead, since its key may be in the set that
/// could not be had.
/// A new set replaces the old one whole. Fetches need a Tokio runtime with time enabled (what
/// axum and tonic run on).
///
/// ```no_run
/// use tower_jwt_auth::{JwtAuthLayer, RemoteJwks, StandardClaims};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let keys = RemoteJwks::from_issuer("https://idp.example/realms/main").await?;
/// let auth = JwtAuthLayer::<StandardClaims>::builder(keys.clone()).audience("api").build()?;
/// assert!(keys.state().ready);
/// # drop(auth); Ok(()) }
/// ```
#[derive(Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

struct Inner {
    source: Source,
    jwks_url: OnceLock<String>,
    fetcher: Arc<dyn JwksFetcher>,
    settings: RemoteSettings,
    snapshot: ArcSwapOption<Snapshot>,
    control: Mutex<Control>,
}

struct Snapshot {
    keys: StaticKeys,
    fetched_at: Instant,
    age: Duration,
}

#[derive(Default)]
struct Control {
    in_flight: Option<SharedFetch>,
    last_attempt: Option<Instant>,
    unknown_kids: HashMap<Box<str>, Instant>,
    fetches: u64,
    failures: u64,
    last_error: Option<RemoteError>,
}

/// What a [`RemoteJwks`] holds now, for health checks and metrics.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CacheState {
    /// Whether a key set was ever fetched.
    pub ready: bool,
    /// How many keys the current set holds.
    pub key_count: usize,
    /// How long ago the current set was fetched.
    pub age: Option<Duration>,
    /// Fetches started, good or failed (discovery included in the same fetch).
    pub fetch_count: u64,
    /// Fetches that failed.
    pub failure_count: u64,
    /// The error of the last fetch, if it failed.
    pub last_error: Option<RemoteError>,
    /// The URL keys are fetched from, once known (after discovery), with any user name,
    /// password, query and fragment replaced by `***`: fit for a health page or a log.
    pub jwks_url: Option<String>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

impl RemoteJwks {
    /// Configures keys fetched from this JWKS URL.
    pub fn builder(jwks_url: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder::new(Source::Jwks(jwks_url.into()))
    }

    /// Configures keys found through OpenID Connect discovery: the JWKS URL is read from
    /// `{issuer}/.well-known/openid-configuration`, whose `issuer` must equal this one
    /// exactly. The layer then also requires `iss` to be this issuer, unless you configure
    /// issuers yourself.
    pub fn discovery(issuer: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder::new(Source::Issuer(issuer.into()))
    }

    /// Discovers an issuer's keys with the default settings and fetches them once, reporting
    /// failure. The issuer must be `https://`; for plain `http://` (loopback tests, trusted
    /// networks) use `RemoteJwks::discovery(issuer).allow_http(true).build()?` and then
    /// [`refresh`](Self::refresh).
    ///
    /// # Errors
    ///
    /// [`RemoteErrorKind::InvalidUrl`] for an issuer that is not `https://`;
    /// [`RemoteErrorKind::Config`] when the key source cannot be built (the [`ConfigError`](crate::ConfigError) is
    /// the source); otherwise the first fetch's error, as [`refresh`](Self::refresh) gives it.
    pub async fn from_issuer(issuer: impl Into<String>) -> Result<Self, RemoteError> {
        let issuer = issuer.into();
        if has_scheme(&issuer, "http://") {
            return Err(RemoteError::new(
                RemoteErrorKind::InvalidUrl,
                format!(
                    "the issuer `{}` is plain http://, which `from_issuer` never fetches: use \
                     https://, or (loopback tests and trusted networks only) \
                     `RemoteJwks::discovery(issuer).allow_http(true).build()?` and then \
                     `.refresh().await`",
                    escape::redact_url(&issuer)
                ),
            ));
        }
        check_url("issuer", &issuer, false)?;
        let keys = Self::discovery(issuer)
            .build()
            .map_err(|e| RemoteError::new(RemoteErrorKind::Config, e.to_string()).with_source(e))?;
        keys.refresh().await?;
        Ok(keys)
    }

    /// Fetches the key set now (joining a fetch already under way), whatever the cooldown.
    /// Use it for an eager start-up that fails loudly.
    ///
    /// # Errors
    ///
    /// The fetch's [`RemoteError`]: the endpoint unreachable, too slow, answering with another
    /// status or too much, a document that is no JWKS or holds no usable key, a discovery
    /// document naming another issuer, a refused URL, or a panic in the fetcher. The last
    /// good key set keeps serving meanwhile.
    pub async fn refresh(&self) -> Result<(), RemoteError> {
        let fetch = {
            let mut control = lock(&self.inner.control);
            match &control.in_flight {
                Some(fetch) => fetch.clone(),
                None => self.inner.start(&mut control),
            }
        };
        fetch.await
    }

    /// The cache's state now.
    pub fn state(&self) -> CacheState {
        let snapshot = self.inner.snapshot.load();
        let control = lock(&self.inner.control);
        CacheState {
            ready: snapshot.is_some(),
            key_count: snapshot.as_ref().map_or(0, |s| s.keys.len()),
            age: snapshot
                .as_ref()
                .map(|s| (self.inner.settings.now)().saturating_duration_since(s.fetched_at)),
            fetch_count: control.fetches,
            failure_count: control.failures,
            last_error: control.last_error.clone(),
            jwks_url: match &self.inner.source {
                Source::Jwks(url) => Some(url),
                Source::Issuer(_) => self.inner.jwks_url.get(),
            }
            .map(|url| escape::redact_url(url)),
        }
    }
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("source", &self.inner.source)
            .field("state", &self.state())
            .finish()
    }
}

/// The error for a discovery document whose `issuer` is not the configured one. Issuers are
/// printed as URLs (up to 200 characters), so that the end where they differ is not cut off.
fn issuer_mismatch(configured: &str, discovered: &str) -> RemoteError {
    let one_slash = |a: &str, b: &str| a.strip_suffix('/') == Some(b);
    let hint = if one_slash(configured, discovered) || one_slash(discovered, configured) {
        "; they differ only by a trailing slash: configure the issuer exactly as the document \
         spells it, since tokens carry it that way in `iss`"
    } else {
        ""
    };
    RemoteError::new(
        RemoteErrorKind::IssuerMismatch,
        format!(
            "the discovery document names the issuer `{}`, not the configured `{}`{hint}",
            escape::redact_url(discovered),
            escape::redact_url(configured),
        ),
    )
}

/// The error for a fetch that panicked, with the panic's message when it has one.
fn panicked(payload: &(dyn Any + Send)) -> RemoteError {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    RemoteError::new(
        RemoteErrorKind::Panicked,
        format!(
            "fetching the key set panicked: {}",
            escape::for_log(message)
        ),
    )
}

fn lock(control: &Mutex<Control>) -> std::sync::MutexGuard<'_, Control> {
    // A panic while holding this lock leaves consistent data: recover it.
    control
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn unavailable(retry_after: Duration) -> AuthError {
    AuthErrorKind::KeysUnavailable {
        retry_after: Some(retry_after),
    }
    .into()
}

impl Inner {
    /// Starts a fetch, single-flight: the caller holds the control lock and saw none running.
    fn start(self: &Arc<Self>, control: &mut Control) -> SharedFetch {
        control.last_attempt = Some((self.settings.now)());
        control.fetches += 1;
        let inner = Arc::clone(self);
        let fetch = async move {
            // A panic anywhere in the fetch (a `JwksFetcher` called or polled, parsing) fails
            // this fetch only: it must still clear `in_flight` and be recorded, or every later
            // fetch would join a future that can never complete.
            let result = AssertUnwindSafe(inner.fetch_snapshot())
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| Err(panicked(&*panic)));
            inner.finish(result)
        }
        .boxed()
        .shared();
        control.in_flight = Some(fetch.clone());
        // Drive it to the end even if every waiting request goes away.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(fetch.clone());
        }
        fetch
    }

    fn finish(&self, result: Result<Snapshot, RemoteError>) -> Result<(), RemoteError> {
        let mut control = lock(&self.control);
        control.in_flight = None;
        match result {
            Ok(snapshot) => {
                tracing::debug!(keys = snapshot.keys.len(), age = ?snapshot.age, "fetched the remote key set");
                self.snapshot.store(Some(Arc::new(snapshot)));
                control.unknown_kids.clear();
                control.last_error = None;
                Ok(())
            }
            Err(error) => {
                tracing::warn!(kind = ?error.kind(), "fetching the remote key set failed: {error}");
                control.failures += 1;
                control.last_error = Some(error.clone());
                Err(error)
            }
        }
    }

    async fn get(&self, url: &str) -> Result<Fetched, RemoteError> {
        let fetched = tokio::time::timeout(
            self.settings.timeout,
            self.fetcher.fetch(url, self.settings.max_body),
        )
        .await
        .map_err(|_| {
            RemoteError::new(
                RemoteErrorKind::Timeout,
                format!(
                    "no answer from `{}` within {:?}",
                    escape::redact_url(url),
                    self.settings.timeout
                ),
            )
        })??;
        if fetched.body.len() > self.settings.max_body {
            return Err(RemoteError::new(
                RemoteErrorKind::TooLarge,
                format!(
                    "the document at `{}` is larger than {} bytes",
                    escape::redact_url(url),
                    self.settings.max_body
                ),
            ));
        }
        Ok(fetched)
    }

    async fn jwks_url(&self) -> Result<String, RemoteError> {
        let issuer = match &self.source {
            Source::Jwks(url) => return Ok(url.clone()),
            Source::Issuer(issuer) => issuer,
        };
        if let Some(url) = self.jwks_url.get() {
            return Ok(url.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let fetched = self.get(&url).await?;
        let invalid = || {
            RemoteError::new(
                RemoteErrorKind::InvalidDocument,
                "the discovery document is not a JSON object with `issuer` and `jwks_uri`",
            )
        };
        if !crate::json::is_object(&fetched.body) {
            return Err(invalid());
        }
        let doc: Discovery = serde_json::from_slice(&fetched.body).map_err(|_| invalid())?;
        if doc.issuer != *issuer {
            return Err(issuer_mismatch(issuer, &doc.issuer));
        }
        check_url(
            "discovery document's `jwks_uri`",
            &doc.jwks_uri,
            self.settings.allow_http,
        )?;
        Ok(self.jwks_url.get_or_init(|| doc.jwks_uri).clone())
    }

    async fn fetch_snapshot(&self) -> Result<Snapshot, RemoteError> {
        let url = self.jwks_url().await?;
        let fetched = self.get(&url).await?;
        let policy = JwkPolicy {
            allow_hmac: false,
            max_keys: self.settings.max_keys,
        };
        let keys = jwks_to_keys(&fetched.body, policy)
            .map_err(|e| RemoteError::new(RemoteErrorKind::InvalidDocument, e.to_string()))?;
        let previous = self.snapshot.load();
        let keys = StaticKeys::from_remote(keys, previous.as_ref().map(|s| &s.keys));
        if keys.is_empty() {
            return Err(RemoteError::new(
                RemoteErrorKind::NoUsableKeys,
                "the key set holds no usable key",
            ));
        }
        let age = fetched.max_age.map_or(self.settings.cache_age, |age| {
            age.clamp(self.settings.age_bounds.0, self.settings.age_bounds.1)
        });
        Ok(Snapshot {
            keys,
            fetched_at: (self.settings.now)(),
            age,
        })
    }

    /// Whether a snapshot is past its age plus `max_stale`: no longer served.
    fn too_stale(&self, snapshot: &Snapshot, now: Instant) -> bool {
        now.saturating_duration_since(snapshot.fetched_at)
            > snapshot.age.saturating_add(self.settings.max_stale)
    }

    fn cooled_down(&self, control: &Control, now: Instant) -> bool {
        control
            .last_attempt
            .is_none_or(|at| now.saturating_duration_since(at) >= self.settings.cooldown)
    }

    fn retry_after(&self, control: &Control, now: Instant) -> Duration {
        let since = control.last_attempt.map_or(self.settings.cooldown, |at| {
            now.saturating_duration_since(at)
        });
        self.settings
            .cooldown
            .saturating_sub(since)
            .max(Duration::from_secs(1))
    }

    /// Refreshes in the background if none is under way and the cooldown allows.
    fn refresh_soon(self: &Arc<Self>, now: Instant) {
        if let Ok(mut control) = self.control.try_lock() {
            if control.in_flight.is_none() && self.cooled_down(&control, now) {
                // The fetch runs on its own task; nobody waits for it.
                drop(self.start(&mut control));
            }
        }
    }
}

/// The future [`RemoteJwks`] returns: ready at once for a cached key, waiting only when a
/// fetch is needed.
pub struct RemoteKeyFuture(Lookup);

enum Lookup {
    Ready(Option<Result<Arc<VerifyingKey>, AuthError>>),
    Wait(Pin<Box<dyn Future<Output = Result<Arc<VerifyingKey>, AuthError>> + Send>>),
}

impl Future for RemoteKeyFuture {
    type Output = Result<Arc<VerifyingKey>, AuthError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.0 {
            Lookup::Ready(result) => Poll::Ready(
                result
                    .take()
                    .expect("RemoteKeyFuture polled after completion"),
            ),
            Lookup::Wait(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for RemoteKeyFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RemoteKeyFuture")
    }
}

fn ready(result: Result<Arc<VerifyingKey>, AuthError>) -> RemoteKeyFuture {
    RemoteKeyFuture(Lookup::Ready(Some(result)))
}

impl RemoteJwks {
    /// Looks a key up in the current snapshot only; `None` when there is no snapshot, or it
    /// is past its age plus `max_stale`.
    fn lookup(
        &self,
        kid: Option<&str>,
        alg: jsonwebtoken::Algorithm,
        now: Instant,
    ) -> Option<Result<Arc<VerifyingKey>, AuthError>> {
        let snapshot = self.inner.snapshot.load();
        let snapshot = snapshot
            .as_ref()
            .filter(|s| !self.inner.too_stale(s, now))?;
        Some(snapshot.keys.find(&TokenHeader::new(alg, kid)).cloned())
    }

    /// The slow path: the `kid` is not in the snapshot, or there is no snapshot yet.
    fn fetch_then_lookup(&self, header: &TokenHeader<'_>, now: Instant) -> RemoteKeyFuture {
        let inner = &self.inner;
        let kid = header.kid.unwrap_or("");
        let fetch = {
            let mut control = lock(&inner.control);
            // A fetch may have finished since the caller looked: look again under the lock
            // that `finish` stores snapshots under.
            let had_keys = match self.lookup(header.kid, header.alg, now) {
                Some(Ok(key)) => return ready(Ok(key)),
                Some(Err(error)) if *error.kind() != AuthErrorKind::UnknownKey => {
                    return ready(Err(error))
                }
                Some(Err(_)) => true,
                None => false,
            };
            // Whether the last fetch brought a key set: only then is a missing kid the token's
            // fault (401); after a failed one the keys cannot be had (503).
            let last_fetch_good = control.last_error.is_none();
            if had_keys && last_fetch_good {
                if let Some(seen) = control.unknown_kids.get(kid) {
                    if now.saturating_duration_since(*seen) < inner.settings.cooldown {
                        return ready(Err(AuthErrorKind::UnknownKey.into()));
                    }
                }
            }
            match &control.in_flight {
                Some(fetch) => fetch.clone(),
                None if inner.cooled_down(&control, now) => inner.start(&mut control),
                None if had_keys && last_fetch_good => {
                    remember(&mut control, kid, now);
                    return ready(Err(AuthErrorKind::UnknownKey.into()));
                }
                None => return ready(Err(unavailable(inner.retry_after(&control, now)))),
            }
        };
        let this = self.clone();
        let (alg, kid) = (header.alg, header.kid.map(String::from));
        RemoteKeyFuture(Lookup::Wait(Box::pin(async move {
            let fetched = fetch.await;
            let now = (this.inner.settings.now)();
            match this.lookup(kid.as_deref(), alg, now) {
                Some(Ok(key)) => Ok(key),
                Some(Err(error)) if *error.kind() == AuthErrorKind::UnknownKey => {
                    let mut control = lock(&this.inner.control);
                    if fetched.is_ok() {
                        remember(&mut control, kid.as_deref().unwrap_or(""), now);
                        Err(error)
                    } else {
                        // The refetch failed: the kid may well be in the set we cannot get.
                        Err(unavailable(this.inner.retry_after(&control, now)))
                    }
                }
                Some(Err(error)) => Err(error),
                None => Err(unavailable(
                    this.inner.retry_after(&lock(&this.inner.control), now),
                )),
            }
        })))
    }
}

fn remember(control: &mut Control, kid: &str, now: Instant) {
    if control.unknown_kids.len() >= MAX_REMEMBERED_KIDS {
        control.unknown_kids.clear();
    }
    control.unknown_kids.insert(kid.into(), now);
}

impl KeySource for RemoteJwks {
    type Future = RemoteKeyFuture;

    fn key_for(&self, header: &TokenHeader<'_>) -> Self::Future {
        let inner = &self.inner;
        let now = (inner.settings.now)();
        let snapshot = inner.snapshot.load();
        let Some(current) = snapshot.as_ref() else {
            return self.fetch_then_lookup(header, now);
        };
        let age = now.saturating_duration_since(current.fetched_at);
        if inner.too_stale(current, now) {
            // Too old to trust: as if nothing had been fetched, wait for a fetch.
            return self.fetch_then_lookup(header, now);
        }
        // 80 % of the age, in integers: no float that could round past `Duration::MAX`.
        if age >= current.age - current.age / 5 {
            inner.refresh_soon(now);
        }
        match current.keys.find(header) {
            Ok(key) => ready(Ok(Arc::clone(key))),
            Err(e) if *e.kind() == AuthErrorKind::UnknownKey => self.fetch_then_lookup(header, now),
            Err(e) => ready(Err(e)),
        }
    }

    fn issuers(&self) -> &[String] {
        match &self.inner.source {
            Source::Issuer(issuer) => std::slice::from_ref(issuer),
            Source::Jwks(_) => &[],
        }
    }
}
