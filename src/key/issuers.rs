//! Several issuers behind one layer, each with its own keys and audiences.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::{KeySource, TokenHeader, VerifyingKey};
use crate::error::{AuthError, AuthErrorKind, ConfigError, ConfigErrorKind};

/// Trusts several issuers, each with its own key source and audiences; a token's `iss`
/// chooses which.
///
/// A token whose `iss` names none of them is refused before any key is looked up, so an
/// unknown issuer never causes a network call. The chosen issuer's keys verify the
/// signature, and the claims are checked afterwards as usual, so a token cannot borrow
/// another issuer's keys by lying about its `iss`.
///
/// ```
/// use jsonwebtoken::Algorithm;
/// use tower_jwt_auth::{Issuers, StaticKeys};
///
/// # fn main() -> Result<(), tower_jwt_auth::ConfigError> {
/// let issuers = Issuers::new()
///     .issuer("https://a.example", StaticKeys::new().secret(&[1; 32], Algorithm::HS256)?, ["api"])
///     .issuer("https://b.example", StaticKeys::new().secret(&[2; 32], Algorithm::HS256)?, ["api", "admin"]);
/// assert_eq!(issuers.len(), 2);
/// # Ok(()) }
/// ```
pub struct Issuers<K> {
    names: Vec<String>,
    by_name: HashMap<String, (K, Vec<String>), quick_cache::DefaultHashBuilder>,
    /// The first issuer named twice, refused by `check_config`.
    duplicate: Option<String>,
}

impl<K> Default for Issuers<K> {
    fn default() -> Self {
        Self {
            names: Vec::new(),
            by_name: HashMap::default(),
            duplicate: None,
        }
    }
}

impl<K: fmt::Debug> fmt::Debug for Issuers<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.by_name.iter()).finish()
    }
}

impl<K> Issuers<K> {
    /// No issuer yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `issuer` (compared exactly with `iss`) with `keys`, for tokens meant for one of
    /// `audiences`. With no audiences, the layer's audiences apply.
    ///
    /// Naming an issuer twice is a mistake that would lose the first keys or audiences:
    /// [`JwtAuthBuilder::build`](crate::JwtAuthBuilder::build) refuses it.
    #[must_use]
    pub fn issuer<A: Into<String>>(
        mut self,
        issuer: impl Into<String>,
        keys: K,
        audiences: impl IntoIterator<Item = A>,
    ) -> Self {
        let issuer = issuer.into();
        if self.by_name.contains_key(&issuer) {
            self.duplicate.get_or_insert_with(|| issuer.clone());
            return self;
        }
        self.names.push(issuer.clone());
        self.by_name.insert(
            issuer,
            (keys, audiences.into_iter().map(Into::into).collect()),
        );
        self
    }

    /// How many issuers are trusted.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no issuer is trusted.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The key source of an issuer.
    pub fn get(&self, issuer: &str) -> Option<&K> {
        self.by_name.get(issuer).map(|(keys, _)| keys)
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Lookup { #[pin] future: F },
        Refused { error: Option<AuthError> },
    }
}

pin_project! {
    /// The future [`Issuers`] returns: the chosen issuer's lookup, or an immediate refusal.
    pub struct IssuersFuture<F> {
        #[pin]
        state: State<F>,
    }
}

impl<F> Future for IssuersFuture<F>
where
    F: Future<Output = Result<Arc<VerifyingKey>, AuthError>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Lookup { future } => future.poll(cx),
            StateProj::Refused { error } => Poll::Ready(Err(error
                .take()
                .expect("IssuersFuture polled after completion"))),
        }
    }
}

impl<F> fmt::Debug for IssuersFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IssuersFuture")
    }
}

impl<K: KeySource> KeySource for Issuers<K> {
    type Future = IssuersFuture<K::Future>;

    fn key_for(&self, header: &TokenHeader<'_>) -> Self::Future {
        match header.iss.and_then(|iss| self.by_name.get(iss)) {
            Some((keys, _)) => IssuersFuture {
                state: State::Lookup {
                    future: keys.key_for(header),
                },
            },
            None => IssuersFuture {
                state: State::Refused {
                    error: Some(AuthErrorKind::InvalidIssuer.into()),
                },
            },
        }
    }

    fn issuers(&self) -> &[String] {
        &self.names
    }

    fn routes_by_issuer(&self) -> bool {
        true
    }

    fn audiences_for(&self, issuer: &str) -> Option<&[String]> {
        self.by_name
            .get(issuer)
            .map(|(_, audiences)| audiences.as_slice())
            .filter(|a| !a.is_empty())
    }

    fn check_config(&self) -> Result<(), ConfigError> {
        if self.names.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::NoKeys,
                "Issuers trusts no issuer",
            ));
        }
        if let Some(issuer) = &self.duplicate {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidSetting,
                format!(
                    "Issuers names the issuer {} twice: name each issuer once, with all its \
                     audiences",
                    crate::escape::for_log(issuer)
                ),
            ));
        }
        self.by_name
            .values()
            .try_for_each(|(keys, _)| keys.check_config())
    }
}
