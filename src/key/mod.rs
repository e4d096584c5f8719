//! The key source: the trait that finds the key for a token, what it is told about the token,
//! and the key sources the crate brings.
//!
//! A [`VerifyingKey`] is a public key (or HMAC secret) bound at build time to the algorithms it
//! may verify. A [`KeySource`] finds the key for a token's header: [`StaticKeys`] holds keys you
//! give it; implement the trait (or pass a closure) for anything else.

use std::future::Future;
use std::sync::Arc;

use jsonwebtoken::Algorithm;

use crate::error::{AuthError, ConfigError};

mod curve;
pub(crate) mod der;
mod issuers;
mod jwk;
#[cfg(feature = "remote")]
pub(crate) mod remote;
mod static_keys;
mod verifying_key;

pub use issuers::{Issuers, IssuersFuture};
pub use static_keys::StaticKeys;
pub use verifying_key::VerifyingKey;

/// What a key source is told about a token when asked for its key.
///
/// Everything here comes from the token and is attacker-controlled: the `kid` is only
/// ever an exact-match lookup key.
#[derive(Debug, Clone, Copy)]
pub struct TokenHeader<'a> {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<&'a str>,
    pub(crate) typ: Option<&'a str>,
    pub(crate) iss: Option<&'a str>,
}

impl<'a> TokenHeader<'a> {
    /// Creates a header view, for tests of your own key source.
    pub fn new(alg: Algorithm, kid: Option<&'a str>) -> Self {
        Self {
            alg,
            kid,
            typ: None,
            iss: None,
        }
    }

    /// The same header, with the token's `iss`, for tests of a source that
    /// [routes by issuer](KeySource::routes_by_issuer).
    pub fn with_issuer(mut self, iss: Option<&'a str>) -> Self {
        self.iss = iss;
        self
    }

    /// The token's algorithm, already known to be one this service accepts.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The token's `kid`, if any.
    pub fn kid(&self) -> Option<&'a str> {
        self.kid
    }

    /// The token's `typ`, if any.
    pub fn typ(&self) -> Option<&'a str> {
        self.typ
    }

    /// The token's `iss`, read before verification, and only for sources that
    /// [route by issuer](KeySource::routes_by_issuer): use it to choose keys, never to trust.
    pub fn issuer(&self) -> Option<&'a str> {
        self.iss
    }
}

/// Finds the key that verifies a token.
///
/// [`StaticKeys`] implements it for keys known at build time; implement it yourself for keys
/// kept elsewhere, or pass a closure `Fn(&TokenHeader<'_>) -> impl Future<Output = Result<Arc<VerifyingKey>, AuthError>>`.
/// The middleware checks that the returned key allows the token's algorithm, so a source
/// cannot widen what a key verifies.
///
/// Return [`AuthErrorKind::UnknownKey`](crate::AuthErrorKind::UnknownKey) when no key fits and
/// [`AuthErrorKind::KeysUnavailable`](crate::AuthErrorKind::KeysUnavailable) when keys cannot be
/// had right now (the client then gets 503, not 401).
///
/// ```
/// use std::sync::Arc;
/// use jsonwebtoken::Algorithm;
/// use tower_jwt_auth::{AuthError, AuthErrorKind, KeySource, TokenHeader, VerifyingKey};
///
/// let key = Arc::new(VerifyingKey::from_secret(&[7; 32], Algorithm::HS256).unwrap());
/// let source = move |header: &TokenHeader<'_>| {
///     let found = match header.kid() {
///         Some("current") => Ok(key.clone()),
///         _ => Err(AuthError::new(AuthErrorKind::UnknownKey)),
///     };
///     std::future::ready(found)
/// };
/// fn assert_source<K: KeySource>(_: &K) {}
/// assert_source(&source);
/// ```
pub trait KeySource: Send + Sync + 'static {
    /// The future the lookup returns; [`std::future::Ready`] for keys held in memory.
    type Future: Future<Output = Result<Arc<VerifyingKey>, AuthError>> + Send + 'static;

    /// Finds the key for a token with this header.
    fn key_for(&self, header: &TokenHeader<'_>) -> Self::Future;

    /// The issuers whose keys these are, if the source knows them (OIDC discovery,
    /// [`Issuers`]). The layer then requires `iss` to be one of them unless issuers are
    /// configured on the builder.
    fn issuers(&self) -> &[String] {
        &[]
    }

    /// Whether the source picks keys by the token's `iss`: the middleware then reads `iss`
    /// from the (not yet verified) payload and passes it in [`TokenHeader::issuer`]. The
    /// signature and every claim are still verified afterwards.
    fn routes_by_issuer(&self) -> bool {
        false
    }

    /// The audiences accepted for tokens of this issuer, when the source sets them per issuer
    /// (see [`Issuers`]); `None` leaves the layer's audiences in force.
    fn audiences_for(&self, issuer: &str) -> Option<&[String]> {
        let _ = issuer;
        None
    }

    /// Called once by [`JwtAuthBuilder::build`](crate::JwtAuthBuilder::build): refuse a
    /// configuration that can never verify a token. The default accepts.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] that says why the source can never verify a token (for example, it holds
    /// no key).
    fn check_config(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

impl<F, Fut> KeySource for F
where
    F: Fn(&TokenHeader<'_>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Arc<VerifyingKey>, AuthError>> + Send + 'static,
{
    type Future = Fut;

    fn key_for(&self, header: &TokenHeader<'_>) -> Self::Future {
        self(header)
    }
}
