//! The layer and its builder.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;
use jsonwebtoken::crypto::CryptoProvider;
use tower_layer::Layer;

use crate::algorithms::AlgorithmSet;
use crate::cache::TokenCache;
use crate::check::Check;
use crate::config::Config;
use crate::crypto;
use crate::error::{AuthError, ConfigError, ConfigErrorKind};
use crate::extract::TokenSource;
use crate::grants::GrantSource;
use crate::jws::{normalize_type, HeaderRules};
use crate::key::{KeySource, StaticKeys};
use crate::metadata::ResourceMetadata;
use crate::once::SetOnce;
use crate::rejection::DefaultRejection;
use crate::service::JwtAuth;
use crate::validation::{Clock, IssuerSet, Rules, SystemClock};
use crate::verify::Verifier;

/// The default largest token accepted, in bytes, checked before any decoding.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;
/// The default largest `kid` accepted, in bytes.
pub const DEFAULT_MAX_KID_LEN: usize = 256;
/// The default deepest nesting of JSON arrays and objects in a token's header or payload.
pub const DEFAULT_MAX_JSON_DEPTH: usize = 16;
/// The default clock skew allowed on `exp` and `nbf`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// The largest leeway the builder accepts.
pub const MAX_LEEWAY: Duration = Duration::from_secs(600);
const MAX_REQUIRED_CLAIMS: usize = 64;
/// The largest token limit the builder accepts: 1 MiB, far above any header a server takes.
const MAX_TOKEN_LIMIT: usize = 1024 * 1024;
/// The most tokens the verified-token cache may hold.
const MAX_CACHE_CAPACITY: usize = 10_000_000;
/// The longest a verified token may stay cached.
const MAX_CACHE_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// A [`Layer`] that authenticates every request with a JWT before it reaches the inner service.
///
/// Made by [`JwtAuthLayer::builder`]. On success the inner service sees the request with
/// [`Claims<C>`](crate::Claims) in its extensions; on failure the client gets the rejection
/// (RFC 6750 for HTTP, `grpc-status` for gRPC) and the inner service is not called.
///
/// Cloning is cheap: the configuration sits behind one `Arc`.
pub struct JwtAuthLayer<C, K = StaticKeys, R = DefaultRejection> {
    config: Arc<Config<C, K, R>>,
}

impl<C, K, R> Clone for JwtAuthLayer<C, K, R> {
    fn clone(&self) -> Self {
        Self {
            config: self.config.clone(),
        }
    }
}

impl<C, K: fmt::Debug, R: fmt::Debug> fmt::Debug for JwtAuthLayer<C, K, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuthLayer")
            .field("keys", &self.config.keys)
            .field("rejection", &self.config.rejection)
            .field("verifier", &self.config.verifier)
            .field("optional", &self.config.optional)
            .field("checks", &self.config.checks)
            .field("cache", &self.config.cache)
            .finish()
    }
}

impl<C> JwtAuthLayer<C> {
    /// Starts configuring a layer that verifies tokens with `keys` and hands handlers claims of
    /// type `C`.
    pub fn builder<K: KeySource>(keys: K) -> JwtAuthBuilder<C, K> {
        JwtAuthBuilder {
            keys,
            rejection: DefaultRejection::default(),
            settings: Settings::default(),
        }
    }
}

impl<S, C, K, R> Layer<S> for JwtAuthLayer<C, K, R> {
    type Service = JwtAuth<S, C, K, R>;

    fn layer(&self, inner: S) -> Self::Service {
        JwtAuth::new(inner, self.config.clone())
    }
}

/// Configures a [`JwtAuthLayer`]; every setting has a safe default.
///
/// Defaults: token from `Authorization: Bearer`, at most 8 KiB; every algorithm the keys
/// allow; `exp` required; `nbf` checked when present; 60 s leeway; no issuer, audience or
/// `typ` check until configured; the system clock; RFC 6750 / gRPC rejections.
///
/// Calling a setter twice never silently drops the first call: requirements (`issuer`,
/// `audience`, `required_claim`, `expected_type`, `token_source`, `check`) add up,
/// `algorithms` narrows further, and a setting that holds one value (`leeway`, the limits,
/// `cache`, `clock`, ...) makes [`build`](Self::build) fail when it is set twice.
#[must_use]
pub struct JwtAuthBuilder<C, K, R = DefaultRejection> {
    keys: K,
    rejection: R,
    settings: Settings<C>,
}

/// Every setting of a layer but its keys and its rejection: what the builder's setters write
/// and `build` checks and moves into the layer. A setting of the verification itself is a
/// field of [`Verifier`] (or of the header or claim rules it holds) and a setter.
struct Settings<C> {
    /// How tokens are found and judged; no token source named means `Authorization: Bearer`,
    /// no issuer named means the key source's issuers.
    verifier: Verifier,
    optional: bool,
    checks: Vec<Check<C>>,
    cache: Option<(usize, Duration)>,
    provider: Option<&'static CryptoProvider>,
    /// The single-value settings called so far; a repeat is refused by `build`.
    once: SetOnce,
}

impl<C> Default for Settings<C> {
    fn default() -> Self {
        Self {
            verifier: Verifier {
                sources: Vec::new(),
                max_token_len: DEFAULT_MAX_TOKEN_LEN,
                header: HeaderRules {
                    algorithms: AlgorithmSet::all(),
                    max_kid_len: DEFAULT_MAX_KID_LEN,
                    max_json_depth: DEFAULT_MAX_JSON_DEPTH,
                    types: Vec::new(),
                },
                rules: Rules {
                    require_exp: true,
                    leeway: DEFAULT_LEEWAY,
                    issuers: IssuerSet::default(),
                    audiences: Vec::new(),
                    required: Vec::new(),
                    clock: Arc::new(SystemClock),
                    grants: None,
                    captures: Vec::new(),
                },
            },
            optional: false,
            checks: Vec::new(),
            cache: None,
            provider: None,
            once: SetOnce::default(),
        }
    }
}

impl<C, K: fmt::Debug, R: fmt::Debug> fmt::Debug for JwtAuthBuilder<C, K, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuthBuilder")
            .field("keys", &self.keys)
            .field("rejection", &self.rejection)
            .field("verifier", &self.settings.verifier)
            .field("optional", &self.settings.optional)
            .field("checks", &self.settings.checks)
            .field("cache", &self.settings.cache)
            .finish_non_exhaustive()
    }
}

impl<C, K> JwtAuthBuilder<C, K, DefaultRejection> {
    /// Names the protection space in `WWW-Authenticate` (`realm="..."`).
    pub fn realm(mut self, realm: &str) -> Self {
        self.settings.once.set("realm");
        self.rejection = self.rejection.realm(realm);
        self
    }

    /// Points clients at the resource's protected resource metadata (RFC 9728): the 400, 401
    /// and 403 challenges carry `resource_metadata="<metadata URL>"` (see
    /// [`DefaultRejection::resource_metadata`]). Serve the document itself with
    /// [`ResourceMetadata::service`].
    pub fn resource_metadata(mut self, metadata: &ResourceMetadata) -> Self {
        self.settings.once.set("resource_metadata");
        self.rejection = self.rejection.resource_metadata(metadata.metadata_url());
        self
    }
}

impl<C, K, R> JwtAuthBuilder<C, K, R> {
    /// Accepts tokens issued by `issuer` (`iss`, compared exactly). Call again to trust more
    /// than one; with none configured, `iss` is not checked.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.settings.verifier.rules.issuers.insert(issuer.into());
        self
    }

    /// Accepts tokens meant for `audience` (one of the token's `aud`). Call again to accept
    /// more than one; with none configured, `aud` is not checked.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.settings.verifier.rules.audiences.push(audience.into());
        self
    }

    /// Requires a claim to be present (any value).
    pub fn required_claim(mut self, name: impl Into<String>) -> Self {
        self.settings.verifier.rules.required.push(name.into());
        self
    }

    /// Whether `exp` must be present (default `true`). An `exp` that is present is always
    /// checked.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.settings.once.set("require_exp");
        self.settings.verifier.rules.require_exp = required;
        self
    }

    /// The clock skew allowed on `exp` and `nbf` (default 60 s, at most 10 minutes).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.settings.once.set("leeway");
        self.settings.verifier.rules.leeway = leeway;
        self
    }

    /// Requires the header's `typ` to be this type, for example `at+jwt` for RFC 9068 access
    /// tokens. Compared case-insensitively, with or without `application/`. Call again to
    /// accept more than one type.
    pub fn expected_type(mut self, typ: &str) -> Self {
        self.settings
            .verifier
            .header
            .types
            .push(normalize_type(typ));
        self
    }

    /// Where scopes and roles are read, for [`Require`](crate::Require) and the
    /// [`Grants`](crate::Grants) handlers see: a provider preset
    /// ([`GrantSource::rfc9068`] for the standard `scope` claim, [`GrantSource::keycloak`],
    /// [`GrantSource::entra_id`], ...) or claims you name. The layer reads them while it
    /// verifies the claims and puts [`Grants`](crate::Grants) in the request's extensions.
    /// Without it, no grants are read (and cost nothing), and a [`Require`](crate::Require)
    /// behind this layer answers 401. Call again to read more claims: the sources add up, and
    /// every access-token rule of each must hold (a preset may also require the header
    /// `typ: at+jwt`, or take `client_id` as the audience).
    ///
    /// ```
    /// use tower_jwt_auth::{GrantSource, JwtAuthLayer, StandardClaims, StaticKeys};
    /// # let keys = StaticKeys::new().secret(&[7; 32], tower_jwt_auth::jsonwebtoken::Algorithm::HS256).unwrap();
    /// let builder = JwtAuthLayer::<StandardClaims>::builder(keys)
    ///     .audience("account")
    ///     .grants(GrantSource::keycloak("shop"));
    /// # drop(builder);
    /// ```
    pub fn grants(mut self, source: GrantSource) -> Self {
        let rules = &mut self.settings.verifier.rules;
        rules.grants = Some(match rules.grants.take() {
            Some(first) => first.merge(source),
            None => source,
        });
        self
    }

    /// Restricts the algorithms accepted, whatever the keys allow. Calling it again narrows
    /// further: only algorithms in every set given are accepted.
    pub fn algorithms(mut self, algorithms: AlgorithmSet) -> Self {
        let header = &mut self.settings.verifier.header;
        header.algorithms = header.algorithms.intersection(algorithms);
        self
    }

    /// Where to read the token, replacing the default `Authorization: Bearer`. Call again to
    /// read from several places (name `TokenSource::Bearer` too to keep it); a request with a
    /// token in more than one of them is refused with 400.
    ///
    /// # Examples
    ///
    /// ```
    /// # use tower_jwt_auth::jsonwebtoken::Algorithm;
    /// # let keys = tower_jwt_auth::StaticKeys::new().secret(&[7; 32], Algorithm::HS256)?;
    /// use tower_jwt_auth::{JwtAuthLayer, StandardClaims, TokenSource};
    ///
    /// // The `session` cookie (browsers), or the bearer header (API clients); never both at once.
    /// let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
    ///     .token_source(TokenSource::cookie("session"))
    ///     .token_source(TokenSource::Bearer)
    /// #   .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    ///     .build()?;
    /// # Ok::<(), tower_jwt_auth::ConfigError>(())
    /// ```
    pub fn token_source(mut self, source: TokenSource) -> Self {
        let sources = &mut self.settings.verifier.sources;
        if !sources.contains(&source) {
            sources.push(source);
        }
        self
    }

    /// Adds these places to read the token from, in this order: the same as calling
    /// [`token_source`](Self::token_source) for each.
    pub fn token_sources(mut self, sources: impl IntoIterator<Item = TokenSource>) -> Self {
        for source in sources {
            self = self.token_source(source);
        }
        self
    }

    /// The largest token accepted, in bytes (default 8 KiB), checked before any decoding.
    pub fn max_token_len(mut self, len: usize) -> Self {
        self.settings.once.set("max_token_len");
        self.settings.verifier.max_token_len = len;
        self
    }

    /// The largest `kid` accepted, in bytes (default 256).
    pub fn max_kid_len(mut self, len: usize) -> Self {
        self.settings.once.set("max_kid_len");
        self.settings.verifier.header.max_kid_len = len;
        self
    }

    /// The deepest nesting of JSON arrays and objects accepted in a token's header or payload
    /// (default 16), checked before the JSON is parsed.
    pub fn max_json_depth(mut self, depth: usize) -> Self {
        self.settings.once.set("max_json_depth");
        self.settings.verifier.header.max_json_depth = depth;
        self
    }

    /// Lets requests without any token through, without claims (handlers take
    /// `Option<Claims<C>>`). A token that is present must still be valid.
    ///
    /// # Examples
    ///
    /// ```
    /// # use tower_jwt_auth::jsonwebtoken::Algorithm;
    /// # let keys = tower_jwt_auth::StaticKeys::new().secret(&[7; 32], Algorithm::HS256)?;
    /// use tower_jwt_auth::{JwtAuthLayer, StandardClaims};
    ///
    /// // Anonymous requests reach the handler without claims (take `Option<Claims<C>>`);
    /// // a bad token is still refused.
    /// let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
    ///     .optional()
    /// #   .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    ///     .build()?;
    /// # Ok::<(), tower_jwt_auth::ConfigError>(())
    /// ```
    pub fn optional(mut self) -> Self {
        self.settings.optional = true;
        self
    }

    /// Reads the time from `clock` instead of the system clock (for tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.settings.once.set("clock");
        self.settings.verifier.rules.clock = Arc::new(clock);
        self
    }

    /// Runs `check` on every verified token before the request goes on. Return
    /// [`AuthError::insufficient_scope`] for a 403 or [`AuthError::rejected`] for a 401.
    ///
    /// Checks compose: every check added with `check` or [`check_async`](Self::check_async)
    /// must pass, and they run in the order they were added; the first failure answers.
    ///
    /// The request a check sees is the one this layer sees. Under axum's `Router::nest` its
    /// path is relative to the nesting prefix, so do not authorize by testing the path here:
    /// put the requirement on the routes it guards instead (`route_layer` with a layer of its
    /// own).
    ///
    /// # Examples
    ///
    /// ```
    /// # use tower_jwt_auth::jsonwebtoken::Algorithm;
    /// # let keys = tower_jwt_auth::StaticKeys::new().secret(&[7; 32], Algorithm::HS256)?;
    /// use tower_jwt_auth::{AuthError, JwtAuthLayer, StandardClaims};
    ///
    /// let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
    ///     // 403 insufficient_scope unless the token has `admin`.
    ///     .check(|claims: &StandardClaims, _request| {
    ///         if claims.has_scope("admin") {
    ///             Ok(())
    ///         } else {
    ///             Err(AuthError::insufficient_scope("admin"))
    ///         }
    ///     })
    ///     // 401 for a token whose subject is a service account.
    ///     .check(|claims: &StandardClaims, _request| match claims.sub.as_deref() {
    ///         Some(sub) if sub.starts_with("svc-") => Err(AuthError::rejected("no service accounts")),
    ///         _ => Ok(()),
    ///     })
    /// #   .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    ///     .build()?;
    /// # Ok::<(), tower_jwt_auth::ConfigError>(())
    /// ```
    pub fn check<F>(mut self, check: F) -> Self
    where
        F: Fn(&C, &Parts) -> Result<(), AuthError> + Send + Sync + 'static,
    {
        self.settings.checks.push(Check::Sync(Arc::new(check)));
        self
    }

    /// Like [`check`](Self::check), for checks that must wait (a database, a policy service).
    /// The closure reads what it needs from the claims and the request, then returns a
    /// `'static` future. It composes with the other checks: all must pass, in order.
    pub fn check_async<F, Fut>(mut self, check: F) -> Self
    where
        F: Fn(&C, &Parts) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), AuthError>> + Send + 'static,
    {
        self.settings
            .checks
            .push(Check::Async(Arc::new(move |claims: &C, parts: &Parts| {
                Box::pin(check(claims, parts)) as crate::check::CheckFuture
            })));
        self
    }

    /// Remembers up to `capacity` verified tokens for at most `max_lifetime` each (and never
    /// past their `exp`): a token seen before is accepted without a new signature check.
    ///
    /// Off by default; at most 10,000,000 tokens for at most a day. A hit gives the verdict a
    /// fresh verification would: `exp` and `nbf` are checked again with the leeway, the
    /// [`check`](Self::check)s run as usual, and the key source is asked for the token's key
    /// as for a new token, the hit standing only if it answers with the key that verified the
    /// token (so a key set too stale gets 503, and a removed or replaced key ends the entry).
    /// Failures are never remembered. Entries are keyed by the signed bytes, and a hit needs
    /// the same signature (both spellings of an ECDSA signature count as one). Costs about
    /// 1 KiB per entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # use tower_jwt_auth::jsonwebtoken::Algorithm;
    /// # let keys = tower_jwt_auth::StaticKeys::new().secret(&[7; 32], Algorithm::HS256)?;
    /// use std::time::Duration;
    /// use tower_jwt_auth::{JwtAuthLayer, StandardClaims};
    ///
    /// // Up to 100,000 tokens, each remembered five minutes at most (never past its `exp`).
    /// let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
    ///     .cache(100_000, Duration::from_secs(300))
    /// #   .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    ///     .build()?;
    /// # Ok::<(), tower_jwt_auth::ConfigError>(())
    /// ```
    pub fn cache(mut self, capacity: usize, max_lifetime: Duration) -> Self {
        self.settings.once.set("cache");
        self.settings.cache = Some((capacity, max_lifetime));
        self
    }

    /// Verifies signatures with this jsonwebtoken provider. Needed when both or neither of the
    /// crate's `aws-lc-rs` and `rust-crypto` features are enabled.
    pub fn crypto_provider(mut self, provider: &'static CryptoProvider) -> Self {
        self.settings.once.set("crypto_provider");
        self.settings.provider = Some(provider);
        self
    }

    /// Replaces the rejection responses, for example with a JSON body.
    ///
    /// Any `Fn(&AuthError, Protocol) -> http::Response<ResBody>` will do; the middleware adds the
    /// [`AuthError`] to the response's extensions. It replaces what [`realm`](Self::realm)
    /// and [`resource_metadata`](Self::resource_metadata) configured, so combining it with
    /// either (or calling it twice) makes `build` fail.
    ///
    /// # Examples
    ///
    /// ```
    /// # use tower_jwt_auth::jsonwebtoken::Algorithm;
    /// # let keys = tower_jwt_auth::StaticKeys::new().secret(&[7; 32], Algorithm::HS256)?;
    /// use http::Response;
    /// use tower_jwt_auth::{AuthError, DefaultRejection, JwtAuthLayer, OnRejection, Protocol, StandardClaims};
    ///
    /// // The standard answer (status, `WWW-Authenticate`, gRPC status), with a text body on HTTP.
    /// let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
    ///     .on_rejection(|error: &AuthError, protocol: Protocol| -> Response<String> {
    ///         let mut response: Response<String> = DefaultRejection::new().on_rejection(error, protocol);
    ///         if protocol == Protocol::Http {
    ///             *response.body_mut() = format!("{error}\n");
    ///         }
    ///         response
    ///     })
    /// #   .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    ///     .build()?;
    /// # Ok::<(), tower_jwt_auth::ConfigError>(())
    /// ```
    pub fn on_rejection<R2>(mut self, rejection: R2) -> JwtAuthBuilder<C, K, R2> {
        if self.settings.once.was_set("realm") {
            self.settings.once.refuse(
                "`on_rejection` replaces the rejection `realm` configured: put the realm in \
                 your own rejection",
            );
        }
        if self.settings.once.was_set("resource_metadata") {
            self.settings.once.refuse(
                "`on_rejection` replaces the rejection `resource_metadata` configured: put \
                 `resource_metadata=\"...\"` in your own rejection's challenges (see \
                 `DefaultRejection::resource_metadata`)",
            );
        }
        self.settings.once.set("on_rejection");
        JwtAuthBuilder {
            keys: self.keys,
            rejection,
            settings: self.settings,
        }
    }

    /// Checks the configuration and makes the layer.
    ///
    /// Everything that could fail is checked here, so that nothing fails on a request: the
    /// signature backend, the key source, the limits, the leeway, and settings set twice.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`]: [`CryptoBackend`](ConfigErrorKind::CryptoBackend) when no signature
    /// backend can be used; what the key source's
    /// [`check_config`](crate::KeySource::check_config) refuses; and
    /// [`InvalidSetting`](ConfigErrorKind::InvalidSetting) for a limit out of range, no
    /// algorithm left, or a single-value setting set twice.
    pub fn build(self) -> Result<JwtAuthLayer<C, K, R>, ConfigError>
    where
        K: KeySource,
    {
        let Settings {
            mut verifier,
            optional,
            checks,
            cache,
            provider,
            once,
        } = self.settings;
        once.check()?;
        let provider = crypto::resolve(provider)?;
        self.keys.check_config()?;
        check_limits(&verifier, cache)?;
        if verifier.sources.is_empty() {
            verifier.sources.push(TokenSource::Bearer);
        }
        let rules = &mut verifier.rules;
        rules.captures = rules
            .grants
            .as_ref()
            .map(GrantSource::captures)
            .unwrap_or_default();
        if let Some(typ) = rules.grants.as_ref().and_then(|g| g.header_type) {
            let typ = normalize_type(typ);
            let types = &mut verifier.header.types;
            if types.iter().any(|t| *t != typ) {
                // `expected_type` accepts any of its types: adding this one would let the others
                // through, which the grant source exists to refuse.
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidSetting,
                    format!(
                        "the grant source accepts only `typ: {typ}` tokens, but `expected_type` \
                         accepts others: drop `expected_type`"
                    ),
                ));
            }
            if types.is_empty() {
                types.push(typ);
            }
        }
        if verifier.rules.issuers.is_empty() {
            verifier
                .rules
                .issuers
                .extend(self.keys.issuers().iter().cloned());
        }
        Ok(JwtAuthLayer {
            config: Arc::new(Config {
                keys: self.keys,
                rejection: self.rejection,
                verifier,
                provider,
                optional,
                checks,
                cache: cache.map(|(capacity, lifetime)| TokenCache::new(capacity, lifetime)),
            }),
        })
    }
}

/// Refuses limits out of their documented range.
fn check_limits(verifier: &Verifier, cache: Option<(usize, Duration)>) -> Result<(), ConfigError> {
    let setting = |msg: &'static str| Err(ConfigError::new(ConfigErrorKind::InvalidSetting, msg));
    let header = &verifier.header;
    if header.algorithms.is_empty() {
        return setting("no algorithm is allowed");
    }
    if verifier.rules.leeway > MAX_LEEWAY {
        return setting("leeway is more than 10 minutes");
    }
    if verifier.max_token_len == 0 || header.max_kid_len == 0 || header.max_json_depth == 0 {
        return setting("token, kid and JSON depth limits must be positive");
    }
    if verifier.max_token_len > MAX_TOKEN_LIMIT || header.max_kid_len > MAX_TOKEN_LIMIT {
        return setting("max_token_len and max_kid_len must be at most 1 MiB");
    }
    if let Some((capacity, lifetime)) = cache {
        if capacity == 0 || lifetime.is_zero() {
            return setting("the token cache needs a positive capacity and lifetime");
        }
        if capacity > MAX_CACHE_CAPACITY || lifetime > MAX_CACHE_LIFETIME {
            return setting("the token cache holds at most 10,000,000 tokens for at most a day");
        }
    }
    if verifier.rules.required.len() > MAX_REQUIRED_CLAIMS {
        return setting("more than 64 required claims");
    }
    Ok(())
}
