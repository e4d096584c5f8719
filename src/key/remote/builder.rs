//! Configuring a [`RemoteJwks`]: its settings, their limits, and the URL check every key set
//! and issuer URL goes through.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;

#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
use super::fetch::ReqwestFetcher;
use super::fetch::{JwksFetcher, RemoteError, RemoteErrorKind};
use super::{Control, Inner, RemoteJwks};
use crate::error::{ConfigError, ConfigErrorKind};
use crate::escape;
use crate::once::SetOnce;

/// The default age of a key set whose response has no `Cache-Control: max-age`.
pub const DEFAULT_CACHE_AGE: Duration = Duration::from_secs(600);
/// The default pause after any fetch before an unknown `kid` may cause another.
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);
/// The default time a key set keeps serving past its age while the endpoint fails.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(3600);
/// The default time a fetch may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The default largest key set or discovery document, in bytes.
pub const DEFAULT_MAX_BODY: usize = 256 * 1024;
/// The default most keys taken from one key set.
pub const DEFAULT_MAX_KEYS: usize = 64;

const DAY: Duration = Duration::from_secs(24 * 3600);
/// The longest `cache_age`, and the highest upper age bound.
const MAX_CACHE_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
const MAX_COOLDOWN: Duration = DAY;
const MAX_MAX_STALE: Duration = Duration::from_secs(365 * 24 * 3600);
const MAX_TIMEOUT: Duration = Duration::from_secs(600);
const MAX_MAX_BODY: usize = 64 << 20;
const MAX_MAX_KEYS: usize = 10_000;

pub(super) type Now = Arc<dyn Fn() -> Instant + Send + Sync>;

#[derive(Clone)]
pub(super) enum Source {
    Jwks(String),
    Issuer(String),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, url) = match self {
            Source::Jwks(url) => ("Jwks", url),
            Source::Issuer(url) => ("Issuer", url),
        };
        f.debug_tuple(name)
            .field(&format_args!("{}", escape::redact_url(url)))
            .finish()
    }
}

/// Configures a [`RemoteJwks`].
///
/// Every setting holds one value: setting one twice makes [`build`](Self::build) fail rather
/// than silently keep only the second.
#[must_use]
pub struct RemoteJwksBuilder {
    source: Source,
    fetcher: Option<Arc<dyn JwksFetcher>>,
    settings: RemoteSettings,
    /// The settings called so far; a repeat is refused by `build`.
    once: SetOnce,
}

/// How a [`RemoteJwks`] fetches and keeps its key set: written by the builder's setters,
/// checked by `build`, then read by the key source as it is. A new setting is a field here
/// and a setter.
pub(super) struct RemoteSettings {
    pub(super) cache_age: Duration,
    pub(super) age_bounds: (Duration, Duration),
    pub(super) cooldown: Duration,
    pub(super) max_stale: Duration,
    pub(super) timeout: Duration,
    pub(super) max_body: usize,
    pub(super) max_keys: usize,
    pub(super) allow_http: bool,
    pub(super) now: Now,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        Self {
            cache_age: DEFAULT_CACHE_AGE,
            age_bounds: (Duration::from_secs(60), Duration::from_secs(24 * 3600)),
            cooldown: DEFAULT_COOLDOWN,
            max_stale: DEFAULT_MAX_STALE,
            timeout: DEFAULT_TIMEOUT,
            max_body: DEFAULT_MAX_BODY,
            max_keys: DEFAULT_MAX_KEYS,
            allow_http: false,
            now: Arc::new(Instant::now),
        }
    }
}

impl fmt::Debug for RemoteJwksBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwksBuilder")
            .field("source", &self.source)
            .field("cache_age", &self.settings.cache_age)
            .field("cooldown", &self.settings.cooldown)
            .field("max_stale", &self.settings.max_stale)
            .finish_non_exhaustive()
    }
}

impl RemoteJwksBuilder {
    pub(super) fn new(source: Source) -> Self {
        Self {
            source,
            fetcher: None,
            settings: RemoteSettings::default(),
            once: SetOnce::default(),
        }
    }

    /// How long a key set is used when its response has no `Cache-Control: max-age`
    /// (default 10 minutes, at most 30 days).
    pub fn cache_age(mut self, age: Duration) -> Self {
        self.once.set("cache_age");
        self.settings.cache_age = age;
        self
    }

    /// The bounds a `Cache-Control: max-age` is clamped to (default 1 minute to 1 day; `min`
    /// at most `max`, `max` at most 30 days).
    pub fn cache_age_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.once.set("cache_age_bounds");
        self.settings.age_bounds = (min, max);
        self
    }

    /// The pause after any fetch, good or failed, before an unknown `kid` may cause another
    /// (default 30 s, at most 1 day).
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.once.set("cooldown");
        self.settings.cooldown = cooldown;
        self
    }

    /// How long past its age a key set keeps serving while the endpoint fails (default 1 h, at
    /// most 365 days).
    pub fn max_stale(mut self, max_stale: Duration) -> Self {
        self.once.set("max_stale");
        self.settings.max_stale = max_stale;
        self
    }

    /// How long one fetch may take (default 5 s; more than zero, at most 10 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.once.set("timeout");
        self.settings.timeout = timeout;
        self
    }

    /// The largest document accepted, in bytes (default 256 KiB; at least 1, at most 64 MiB).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.once.set("max_body");
        self.settings.max_body = bytes;
        self
    }

    /// The most keys taken from one key set (default 64; at least 1, at most 10 000); the rest
    /// are ignored.
    pub fn max_keys(mut self, keys: usize) -> Self {
        self.once.set("max_keys");
        self.settings.max_keys = keys;
        self
    }

    /// Allows plain `http://` URLs: for loopback tests and trusted internal networks only.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.once.set("allow_http");
        self.settings.allow_http = allow;
        self
    }

    /// Fetches with this client instead of the default one.
    pub fn fetcher(mut self, fetcher: impl JwksFetcher) -> Self {
        self.once.set("fetcher");
        self.fetcher = Some(Arc::new(fetcher));
        self
    }

    /// Reads monotonic time from `now` instead of `Instant::now` (for tests).
    pub fn clock(mut self, now: impl Fn() -> Instant + Send + Sync + 'static) -> Self {
        self.once.set("clock");
        self.settings.now = Arc::new(now);
        self
    }

    /// Refuses a setting out of its documented range, naming it: past these bounds time
    /// arithmetic would overflow, or the setting makes no sense.
    fn check_limits(&self) -> Result<(), String> {
        let too_long = |name: &str, value: Duration, max: &str| {
            format!("`{name}` is {value:?}; it must be at most {max}")
        };
        let (min_age, max_age) = self.settings.age_bounds;
        if self.settings.cache_age > MAX_CACHE_AGE {
            return Err(too_long("cache_age", self.settings.cache_age, "30 days"));
        }
        if max_age > MAX_CACHE_AGE {
            return Err(too_long("cache_age_bounds", max_age, "30 days"));
        }
        if min_age > max_age {
            return Err(format!(
                "`cache_age_bounds` has its minimum {min_age:?} above its maximum {max_age:?}"
            ));
        }
        if self.settings.cooldown > MAX_COOLDOWN {
            return Err(too_long("cooldown", self.settings.cooldown, "1 day"));
        }
        if self.settings.max_stale > MAX_MAX_STALE {
            return Err(too_long("max_stale", self.settings.max_stale, "365 days"));
        }
        if self.settings.timeout.is_zero() || self.settings.timeout > MAX_TIMEOUT {
            return Err(format!(
                "`timeout` is {:?}; it must be more than zero and at most 10 minutes",
                self.settings.timeout
            ));
        }
        if self.settings.max_body == 0 || self.settings.max_body > MAX_MAX_BODY {
            return Err(format!(
                "`max_body` is {} bytes; it must be at least 1 and at most 64 MiB",
                self.settings.max_body
            ));
        }
        if self.settings.max_keys == 0 || self.settings.max_keys > MAX_MAX_KEYS {
            return Err(format!(
                "`max_keys` is {}; it must be at least 1 and at most {MAX_MAX_KEYS}",
                self.settings.max_keys
            ));
        }
        Ok(())
    }

    /// Checks the settings and makes the key source. Nothing is fetched yet: call
    /// [`RemoteJwks::refresh`] to fetch eagerly, or let the first request do it.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidSetting`](crate::ConfigErrorKind::InvalidSetting) when the URL
    /// is refused (not `https://` without `allow_http`, not ASCII, spaces or controls; the
    /// URL check's [`RemoteError`] is the source), a setting is out of its documented range or
    /// set twice, or no HTTP client can be made (no `reqwest` feature and no fetcher).
    pub fn build(self) -> Result<RemoteJwks, ConfigError> {
        let setting = |msg: String| ConfigError::new(ConfigErrorKind::InvalidSetting, msg);
        let url = match &self.source {
            Source::Jwks(url) | Source::Issuer(url) => url,
        };
        let what = match &self.source {
            Source::Jwks(_) => "key set URL",
            Source::Issuer(_) => "issuer",
        };
        self.once.check()?;
        check_url(what, url, self.settings.allow_http)
            .map_err(|e| setting(e.to_string()).with_source(e))?;
        self.check_limits().map_err(setting)?;
        let fetcher = match self.fetcher {
            Some(fetcher) => fetcher,
            #[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
            None => Arc::new(ReqwestFetcher::new()?),
            #[cfg(not(any(feature = "reqwest", feature = "reqwest-ring")))]
            None => {
                return Err(setting(
                    "no HTTP client: enable the `reqwest` feature or pass a fetcher".into(),
                ))
            }
        };
        Ok(RemoteJwks {
            inner: Arc::new(Inner {
                source: self.source,
                jwks_url: OnceLock::new(),
                fetcher,
                settings: self.settings,
                snapshot: ArcSwapOption::empty(),
                control: Mutex::new(Control::default()),
            }),
        })
    }
}

/// Whether `url` starts with `scheme` (ASCII, any case) and has something after it.
pub(super) fn has_scheme(url: &str, scheme: &str) -> bool {
    url.len() > scheme.len()
        && url.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
}

/// Checks a URL taken from the configuration or a discovery document (`what` names it) before
/// anything is fetched from it.
pub(super) fn check_url(what: &str, url: &str, allow_http: bool) -> Result<(), RemoteError> {
    let invalid = |why: &str| {
        RemoteError::new(
            RemoteErrorKind::InvalidUrl,
            format!("the {what} `{}` {why}", escape::redact_url(url)),
        )
    };
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "holds spaces, control or non-ASCII characters: percent-encode them, and write \
             an international host name in punycode",
        ));
    }
    if has_scheme(url, "https://") || (allow_http && has_scheme(url, "http://")) {
        Ok(())
    } else if has_scheme(url, "http://") {
        Err(invalid(
            "is plain http://: use https://, or allow http (loopback tests and trusted \
             networks only) with `.allow_http(true)` on the builder",
        ))
    } else {
        Err(invalid("is not an https:// URL"))
    }
}
