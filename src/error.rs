//! Why a request was refused, and why a configuration was refused.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

/// Why a request was refused.
///
/// Every rejection the middleware produces carries one of these, both to the
/// [`OnRejection`](crate::OnRejection) handler and in the response's extensions.
/// Its [`Display`](fmt::Display) is a sentence a person can act on; it never contains the
/// token, a secret or attacker-controlled text.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthError {
    kind: AuthErrorKind,
}

/// The reason behind an [`AuthError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The request carries no token where one is expected.
    MissingToken,
    /// The request carries more than one token (two `Authorization` headers, a header and a
    /// cookie, ...).
    MultipleTokens,
    /// The credentials are present but not well formed at the HTTP level (an empty bearer
    /// token, a header value that is not visible ASCII, ...).
    InvalidRequest(&'static str),
    /// The token is longer than the configured maximum.
    TokenTooLarge {
        /// The token's length in bytes.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// The token is not a compact JWS or its header or payload cannot be decoded.
    Malformed(&'static str),
    /// The token's `alg` is not one this service accepts (this includes `none`).
    UnsupportedAlgorithm,
    /// No configured key can verify a token with this header.
    UnknownKey,
    /// The token has no `kid` and more than one key could verify it.
    AmbiguousKey,
    /// The signature does not match.
    InvalidSignature,
    /// The token's `exp` is in the past (beyond the leeway).
    Expired {
        /// How long ago the token expired, leeway not counted.
        ago: Duration,
    },
    /// The token's `nbf` is in the future (beyond the leeway).
    NotYetValid {
        /// How long until the token becomes valid, leeway not counted.
        remaining: Duration,
    },
    /// A claim the configuration requires is absent.
    MissingClaim(Cow<'static, str>),
    /// A registered claim has the wrong type (for example a string `exp`) or appears twice.
    InvalidClaim(&'static str),
    /// The token's `iss` is not one of the configured issuers.
    InvalidIssuer,
    /// The token's `aud` names none of the configured audiences.
    InvalidAudience,
    /// The token's `typ` header is not the expected one.
    InvalidType,
    /// The token's header has a `crit` parameter; no extension is understood.
    CriticalHeader,
    /// The token's header asks for an unencoded payload (`b64: false`).
    UnencodedPayload,
    /// The payload does not match the application's claims type.
    InvalidClaims,
    /// An application check refused the token: it is valid but lacks what is needed.
    InsufficientScope {
        /// The scope that would have been needed, if the check named one.
        scope: Option<Cow<'static, str>>,
    },
    /// An application check refused the token outright.
    Rejected(Cow<'static, str>),
    /// The keys needed to verify the token cannot be had right now.
    KeysUnavailable {
        /// When to try again, if known.
        retry_after: Option<Duration>,
    },
}

impl AuthError {
    /// Creates an error of the given kind.
    pub fn new(kind: AuthErrorKind) -> Self {
        Self { kind }
    }

    /// A refusal for a valid token that lacks the given scope (HTTP 403 `insufficient_scope`,
    /// gRPC `PERMISSION_DENIED`). Meant for custom checks.
    pub fn insufficient_scope(scope: impl Into<Cow<'static, str>>) -> Self {
        Self::new(AuthErrorKind::InsufficientScope {
            scope: Some(scope.into()),
        })
    }

    /// A refusal of the token itself (HTTP 401 `invalid_token`, gRPC `UNAUTHENTICATED`) with a
    /// short reason. Meant for custom checks.
    pub fn rejected(reason: impl Into<Cow<'static, str>>) -> Self {
        Self::new(AuthErrorKind::Rejected(reason.into()))
    }

    /// The reason for the refusal.
    pub fn kind(&self) -> &AuthErrorKind {
        &self.kind
    }

    /// The HTTP status RFC 6750 gives this refusal.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            AuthErrorKind::MultipleTokens | AuthErrorKind::InvalidRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            AuthErrorKind::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            AuthErrorKind::KeysUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The RFC 6750 `error` code (`invalid_request`, `invalid_token`, `insufficient_scope`),
    /// or `None` where the RFC wants none (no credentials, keys unavailable).
    pub fn error_code(&self) -> Option<&'static str> {
        match self.kind {
            AuthErrorKind::MissingToken | AuthErrorKind::KeysUnavailable { .. } => None,
            AuthErrorKind::MultipleTokens | AuthErrorKind::InvalidRequest(_) => {
                Some("invalid_request")
            }
            AuthErrorKind::InsufficientScope { .. } => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        }
    }

    /// The gRPC status code for this refusal: 16 `UNAUTHENTICATED`, 7 `PERMISSION_DENIED` or
    /// 14 `UNAVAILABLE`.
    pub fn grpc_code(&self) -> u8 {
        match self.status() {
            StatusCode::FORBIDDEN => 7,
            StatusCode::SERVICE_UNAVAILABLE => 14,
            _ => 16,
        }
    }
}

/// Writes a duration as `3m12s`, `2h0m5s` or `45s`.
pub(crate) struct HumanDuration(pub(crate) Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        if h > 0 {
            write!(f, "{h}h{m}m{s}s")
        } else if m > 0 {
            write!(f, "{m}m{s}s")
        } else {
            write!(f, "{s}s")
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            AuthErrorKind::MissingToken => f.write_str("no bearer token in the request"),
            AuthErrorKind::MultipleTokens => {
                f.write_str("the request carries more than one token; send exactly one")
            }
            AuthErrorKind::InvalidRequest(why) => write!(f, "malformed credentials: {why}"),
            AuthErrorKind::TokenTooLarge { len, max } => {
                write!(f, "token is {len} bytes, more than the {max} allowed")
            }
            AuthErrorKind::Malformed(why) => write!(f, "malformed token: {why}"),
            AuthErrorKind::UnsupportedAlgorithm => {
                f.write_str("token algorithm is not accepted by this service")
            }
            AuthErrorKind::UnknownKey => {
                f.write_str("no key known to this service signed the token")
            }
            AuthErrorKind::AmbiguousKey => {
                f.write_str("token has no kid and several keys could have signed it")
            }
            AuthErrorKind::InvalidSignature => f.write_str("token signature is invalid"),
            AuthErrorKind::Expired { ago } => {
                write!(f, "token expired {} ago", HumanDuration(*ago))
            }
            AuthErrorKind::NotYetValid { remaining } => {
                write!(
                    f,
                    "token is not valid for another {}",
                    HumanDuration(*remaining)
                )
            }
            AuthErrorKind::MissingClaim(name) => {
                write!(f, "token lacks the required claim `{name}`")
            }
            AuthErrorKind::InvalidClaim(why) => write!(f, "invalid claim: {why}"),
            AuthErrorKind::InvalidIssuer => f.write_str("token issuer is not trusted"),
            AuthErrorKind::InvalidAudience => f.write_str("token is not meant for this audience"),
            AuthErrorKind::InvalidType => f.write_str("token type (typ) is not the expected one"),
            AuthErrorKind::CriticalHeader => {
                f.write_str("token header has a crit parameter this service does not understand")
            }
            AuthErrorKind::UnencodedPayload => {
                f.write_str("unencoded payloads (b64: false) are refused")
            }
            AuthErrorKind::InvalidClaims => {
                f.write_str("token claims do not have the shape this service expects")
            }
            AuthErrorKind::InsufficientScope { scope: Some(scope) } if scope.contains(' ') => {
                write!(f, "token lacks scopes this needs (`{scope}`)")
            }
            AuthErrorKind::InsufficientScope { scope: Some(scope) } => {
                write!(f, "token lacks the scope `{scope}`")
            }
            AuthErrorKind::InsufficientScope { scope: None } => {
                f.write_str("token does not grant access to this resource")
            }
            AuthErrorKind::Rejected(why) => write!(f, "token refused: {why}"),
            AuthErrorKind::KeysUnavailable { .. } => {
                f.write_str("verification keys are unavailable; try again later")
            }
        }
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("message", &format_args!("{self}"))
            .finish()
    }
}

impl std::error::Error for AuthError {}

impl From<AuthErrorKind> for AuthError {
    fn from(kind: AuthErrorKind) -> Self {
        Self::new(kind)
    }
}

/// Why a configuration (a key, a key set, a layer) was refused at build time.
///
/// When the refusal has a cause of its own (a PEM parser's error, the HTTP client's, a URL
/// check's), it is kept as the [`source`](std::error::Error::source). Two errors are equal
/// when their kind and message are; the source is not compared.
#[derive(Clone)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    message: Cow<'static, str>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl PartialEq for ConfigError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.message == other.message
    }
}

impl Eq for ConfigError {}

/// The reason behind a [`ConfigError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// A key could not be parsed or does not fit its algorithm.
    InvalidKey,
    /// An HMAC secret is shorter than the hash output of its algorithm.
    WeakSecret,
    /// A JWKS document could not be read.
    InvalidJwks,
    /// Two keys share a `kid`.
    DuplicateKeyId,
    /// The key source holds no key.
    NoKeys,
    /// No signature backend can be used: neither or both of the crate's backend features are
    /// enabled and none was chosen.
    CryptoBackend,
    /// Any other inconsistent setting.
    InvalidSetting,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// The same error, caused by `source`. Only for causes whose text is ours or the
    /// configuration's: text from a remote document stays escaped in the message instead.
    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ConfigErrorKind {
        self.kind
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_message_is_human() {
        let err = AuthError::new(AuthErrorKind::Expired {
            ago: Duration::from_secs(192),
        });
        assert_eq!(err.to_string(), "token expired 3m12s ago");
        let err = AuthError::new(AuthErrorKind::Expired {
            ago: Duration::from_secs(7205),
        });
        assert_eq!(err.to_string(), "token expired 2h0m5s ago");
    }

    #[test]
    fn statuses_follow_rfc6750() {
        let status = |k| AuthError::new(k).status().as_u16();
        assert_eq!(status(AuthErrorKind::MissingToken), 401);
        assert_eq!(status(AuthErrorKind::MultipleTokens), 400);
        assert_eq!(status(AuthErrorKind::InvalidSignature), 401);
        assert_eq!(
            status(AuthErrorKind::InsufficientScope { scope: None }),
            403
        );
        assert_eq!(
            status(AuthErrorKind::KeysUnavailable { retry_after: None }),
            503
        );
        assert_eq!(
            AuthError::new(AuthErrorKind::MissingToken).error_code(),
            None
        );
        assert_eq!(AuthError::insufficient_scope("a").grpc_code(), 7);
        assert_eq!(
            AuthError::new(AuthErrorKind::KeysUnavailable { retry_after: None }).grpc_code(),
            14
        );
        assert_eq!(AuthError::new(AuthErrorKind::UnknownKey).grpc_code(), 16);
    }
}
