//! Getting a JWKS or discovery document over HTTP.

use std::error::Error;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;

#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
use crate::escape;

/// A document fetched from a key set or discovery endpoint.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Fetched {
    /// The response body.
    pub body: Vec<u8>,
    /// The `max-age` of the response's `Cache-Control`, if it had one.
    pub max_age: Option<Duration>,
}

impl Fetched {
    /// A fetched document and how long it may be cached.
    pub fn new(body: Vec<u8>, max_age: Option<Duration>) -> Self {
        Self { body, max_age }
    }
}

/// The HTTP client [`RemoteJwks`](crate::RemoteJwks) fetches with.
///
/// The `reqwest` feature provides [`ReqwestFetcher`], the default. Implement this trait to
/// fetch with anything else (hyper, a tower `Service`, a client with your proxy or mTLS
/// settings). It is a trait object with a boxed future because it is only called on the
/// refresh path, never per request. The caller applies the timeout and checks the size again;
/// the fetcher should stop reading once the body exceeds `max_len` bytes, set
/// `Accept: application/json, application/jwk-set+json`, and refuse redirects to another host.
///
/// The errors it returns are logged and kept in [`CacheState::last_error`](crate::CacheState::last_error)
/// as they are: leave a URL's password and query out of their messages. A panic, in `fetch`
/// or in its future, fails that fetch with [`RemoteErrorKind::Panicked`]; the next fetch
/// calls the fetcher again.
pub trait JwksFetcher: Send + Sync + 'static {
    /// Fetches `url`, reading at most `max_len` bytes of body.
    fn fetch(&self, url: &str, max_len: usize) -> BoxFuture<'static, Result<Fetched, RemoteError>>;
}

/// Why fetching or reading a remote key set failed.
///
/// Its message never holds a URL's user name, password or query. Two errors are equal when
/// their kind and message are; the [`source`](Error::source) is not compared.
#[derive(Clone)]
pub struct RemoteError {
    kind: RemoteErrorKind,
    message: Arc<str>,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

impl PartialEq for RemoteError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.message == other.message
    }
}

impl Eq for RemoteError {}

/// The reason behind a [`RemoteError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteErrorKind {
    /// The endpoint could not be reached, or the connection failed.
    Network,
    /// The endpoint did not answer in time.
    Timeout,
    /// The endpoint answered with a status other than 2xx.
    Status(u16),
    /// The body is larger than allowed.
    TooLarge,
    /// The endpoint redirected to another host, or too often.
    Redirect,
    /// The body is not a JWKS (or discovery) document.
    InvalidDocument,
    /// The document holds no key this crate can use.
    NoUsableKeys,
    /// The discovery document's `issuer` is not the configured issuer.
    IssuerMismatch,
    /// A URL is not `https` and plain `http` was not allowed, or is not a URL at all.
    InvalidUrl,
    /// A setting of the key source was refused when it was built (by
    /// [`RemoteJwks::from_issuer`](crate::RemoteJwks::from_issuer)); the
    /// [`ConfigError`](crate::ConfigError) is the source.
    Config,
    /// The fetcher, or reading what it fetched, panicked. The panic was caught: this fetch
    /// failed, and the next one starts afresh.
    Panicked,
}

impl RemoteError {
    /// An error of this kind with a message for people.
    pub fn new(kind: RemoteErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into().into(),
            source: None,
        }
    }

    /// The same error, caused by `source` (an I/O or HTTP client error), which
    /// [`Error::source`] then returns. Its text should not hold a URL with secrets in it.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// The reason.
    pub fn kind(&self) -> RemoteErrorKind {
        self.kind
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl Error for RemoteError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn Error + 'static))
    }
}

/// An error's message followed by its sources' (`a: b: c`), each escaped and shortened.
#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
pub(crate) fn causes(error: &dyn Error) -> String {
    const MAX_DEPTH: usize = 8;
    let mut text = escape::for_log(&error.to_string());
    let mut next = error.source();
    for _ in 0..MAX_DEPTH {
        let Some(cause) = next else { break };
        text.push_str(": ");
        text.push_str(&escape::for_log(&cause.to_string()));
        next = cause.source();
    }
    text
}

/// Reads `max-age` from a `Cache-Control` value; `no-store` and `no-cache` count as zero, and a
/// number of seconds too large for a `u64` counts as `u64::MAX` (the caller clamps it).
pub fn parse_max_age(cache_control: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in cache_control.split(',') {
        let directive = directive.trim();
        if directive.eq_ignore_ascii_case("no-store") || directive.eq_ignore_ascii_case("no-cache")
        {
            return Some(Duration::ZERO);
        }
        let mut parts = directive.splitn(2, '=');
        if let (Some(name), Some(value)) = (parts.next(), parts.next()) {
            if name.trim().eq_ignore_ascii_case("max-age") {
                let digits = value.trim().trim_matches('"');
                max_age = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| Duration::from_secs(digits.parse().unwrap_or(u64::MAX)));
            }
        }
    }
    max_age
}

#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
mod reqwest_fetcher {
    use futures_util::future::BoxFuture;
    use futures_util::FutureExt as _;
    use reqwest::header::{ACCEPT, CACHE_CONTROL};

    use super::{causes, parse_max_age, Fetched, JwksFetcher, RemoteError, RemoteErrorKind};
    use crate::error::{ConfigError, ConfigErrorKind};
    use crate::escape::redact_url;

    const MAX_REDIRECTS: usize = 3;

    /// The default fetcher: a `reqwest` client with rustls that follows at most three
    /// redirects, all to the same scheme, host and port.
    #[derive(Debug, Clone)]
    pub struct ReqwestFetcher {
        client: reqwest::Client,
    }

    impl ReqwestFetcher {
        /// A fetcher with its own client.
        ///
        /// # Errors
        ///
        /// [`ConfigErrorKind::InvalidSetting`](crate::ConfigErrorKind::InvalidSetting) when reqwest
        /// cannot build its client (its error is the source).
        pub fn new() -> Result<Self, ConfigError> {
            let policy = reqwest::redirect::Policy::custom(|attempt| {
                let first = &attempt.previous()[0];
                let same_origin = attempt.url().scheme() == first.scheme()
                    && attempt.url().host_str() == first.host_str()
                    && attempt.url().port_or_known_default() == first.port_or_known_default();
                if attempt.previous().len() > MAX_REDIRECTS {
                    attempt.error("too many redirects")
                } else if same_origin {
                    attempt.follow()
                } else {
                    attempt.error("redirect to another host refused")
                }
            });
            // With `reqwest-ring` alone, rustls has no provider of its own: give it ring, unless
            // the process installed one already (then that one serves).
            #[cfg(all(feature = "reqwest-ring", not(feature = "reqwest")))]
            let _ = rustls::crypto::ring::default_provider().install_default();
            let client = reqwest::Client::builder()
                .redirect(policy)
                .user_agent(concat!("tower-jwt-auth/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| {
                    ConfigError::new(
                        ConfigErrorKind::InvalidSetting,
                        format!("cannot build the HTTP client: {e}"),
                    )
                    .with_source(e)
                })?;
            Ok(Self { client })
        }

        /// A fetcher using your configured client (proxy, roots, mTLS). Its redirect policy
        /// is yours to make safe.
        pub fn with_client(client: reqwest::Client) -> Self {
            Self { client }
        }
    }

    /// A client error as a [`RemoteError`]: the URL (redacted) is ours to print, the client's
    /// own copy is dropped; the causes are kept, in the message and as the source.
    fn network(e: reqwest::Error, url: &str) -> RemoteError {
        let e = e.without_url();
        let (kind, what) = if e.is_redirect() {
            (
                RemoteErrorKind::Redirect,
                "redirected to another host, or too often",
            )
        } else if e.is_timeout() {
            (RemoteErrorKind::Timeout, "did not answer in time")
        } else {
            (RemoteErrorKind::Network, "cannot be reached")
        };
        let message = format!("`{url}` {what}: {}", causes(&e));
        RemoteError::new(kind, message).with_source(e)
    }

    impl JwksFetcher for ReqwestFetcher {
        fn fetch(
            &self,
            url: &str,
            max_len: usize,
        ) -> BoxFuture<'static, Result<Fetched, RemoteError>> {
            let request = self
                .client
                .get(url)
                .header(ACCEPT, "application/json, application/jwk-set+json");
            let url = redact_url(url);
            async move {
                let network = |e| network(e, &url);
                let mut response = request.send().await.map_err(network)?;
                let status = response.status();
                if !status.is_success() {
                    return Err(RemoteError::new(
                        RemoteErrorKind::Status(status.as_u16()),
                        format!("`{url}` answered {status}"),
                    ));
                }
                let too_large = || {
                    RemoteError::new(
                        RemoteErrorKind::TooLarge,
                        format!("the document at `{url}` is larger than {max_len} bytes"),
                    )
                };
                if response
                    .content_length()
                    .is_some_and(|len| len > max_len as u64)
                {
                    return Err(too_large());
                }
                let max_age = response
                    .headers()
                    .get(CACHE_CONTROL)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_max_age);
                let mut body = Vec::new();
                while let Some(chunk) = response.chunk().await.map_err(network)? {
                    if body.len().saturating_add(chunk.len()) > max_len {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(Fetched { body, max_age })
            }
            .boxed()
        }
    }
}

#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
pub use reqwest_fetcher::ReqwestFetcher;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age() {
        assert_eq!(
            parse_max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(
            parse_max_age("Max-Age=\"60\""),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(parse_max_age("public"), None);
        assert_eq!(parse_max_age("max-age=abc"), None);
        assert_eq!(parse_max_age("max-age=-1"), None);
        assert_eq!(parse_max_age("max-age="), None);
        let max = Some(Duration::from_secs(u64::MAX));
        assert_eq!(parse_max_age("max-age=18446744073709551615"), max);
        assert_eq!(parse_max_age("max-age=99999999999999999999999"), max);
    }
}
