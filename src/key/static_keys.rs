//! Keys known when the service starts.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::{jwk, KeySource, TokenHeader, VerifyingKey};
use crate::algorithms::AlgorithmSet;
use crate::error::{AuthError, AuthErrorKind, ConfigError, ConfigErrorKind};
use crate::escape;

/// Keys held in memory for the life of the service: HMAC secrets, PEM or DER public keys, or a
/// local JWKS document.
///
/// Each key is bound to its algorithm when it is added. A token with a `kid` is verified by
/// the key with that `kid` (or, when none has it, by the one key without a `kid` that fits the
/// algorithm); a token without a `kid` is accepted only when exactly one key fits its
/// algorithm.
///
/// ```
/// use jsonwebtoken::Algorithm;
/// use tower_jwt_auth::{StaticKeys, VerifyingKey};
///
/// # fn main() -> Result<(), tower_jwt_auth::ConfigError> {
/// let keys = StaticKeys::new()
///     .secret(b"an HMAC secret of at least 32 bytes!", Algorithm::HS256)?
///     .key(VerifyingKey::from_secret(&[42; 64], Algorithm::HS512)?.with_kid("backup"))?;
/// assert_eq!(keys.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct StaticKeys {
    keys: Vec<Arc<VerifyingKey>>,
    algorithms: AlgorithmSet,
    by_kid: HashMap<Box<str>, usize>,
    /// A token's `kid` must name a key: no falling back to keys without one (remote sets).
    strict_kids: bool,
}

impl StaticKeys {
    /// An empty set; add keys with the other methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key. Two keys with the same `kid` are refused.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::DuplicateKeyId`](crate::ConfigErrorKind::DuplicateKeyId) when a key
    /// with the same `kid` is already held.
    pub fn key(mut self, key: VerifyingKey) -> Result<Self, ConfigError> {
        self.push(key)?;
        Ok(self)
    }

    fn push(&mut self, key: VerifyingKey) -> Result<(), ConfigError> {
        self.push_shared(Arc::new(key))
    }

    fn push_shared(&mut self, key: Arc<VerifyingKey>) -> Result<(), ConfigError> {
        if let Some(kid) = key.kid() {
            if self.by_kid.contains_key(kid) {
                return Err(ConfigError::new(
                    ConfigErrorKind::DuplicateKeyId,
                    format!("two keys have the kid `{}`", escape::for_log(kid)),
                ));
            }
            self.by_kid.insert(kid.into(), self.keys.len());
        }
        self.algorithms = self.algorithms.union(key.algorithms());
        self.keys.push(key);
        Ok(())
    }

    /// Adds an HMAC secret (see [`VerifyingKey::from_secret`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_secret`], and as [`key`](Self::key).
    pub fn secret(self, secret: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_secret(secret, alg)?)
    }

    /// Adds an HMAC secret given in base64 (see [`VerifyingKey::from_base64_secret`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_base64_secret`], and as [`key`](Self::key).
    pub fn base64_secret(self, secret: &str, alg: Algorithm) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_base64_secret(secret, alg)?)
    }

    /// Adds an RSA public key in PEM (see [`VerifyingKey::from_rsa_pem`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_rsa_pem`], and as [`key`](Self::key).
    pub fn rsa_pem(self, pem: impl AsRef<[u8]>, alg: Algorithm) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_rsa_pem(pem.as_ref(), alg)?)
    }

    /// Adds an RSA public key in DER (see [`VerifyingKey::from_rsa_der`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_rsa_der`], and as [`key`](Self::key).
    pub fn rsa_der(self, der: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_rsa_der(der, alg)?)
    }

    /// Adds an EC public key in PEM (see [`VerifyingKey::from_ec_pem`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_ec_pem`], and as [`key`](Self::key).
    pub fn ec_pem(self, pem: impl AsRef<[u8]>, alg: Algorithm) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_ec_pem(pem.as_ref(), alg)?)
    }

    /// Adds an EC public key in DER (see [`VerifyingKey::from_ec_der`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_ec_der`], and as [`key`](Self::key).
    pub fn ec_der(self, der: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_ec_der(der, alg)?)
    }

    /// Adds an Ed25519 public key in PEM (see [`VerifyingKey::from_ed_pem`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_ed_pem`], and as [`key`](Self::key).
    pub fn ed_pem(self, pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_ed_pem(pem.as_ref())?)
    }

    /// Adds an Ed25519 public key in DER (see [`VerifyingKey::from_ed_der`]).
    ///
    /// # Errors
    ///
    /// As [`VerifyingKey::from_ed_der`], and as [`key`](Self::key).
    pub fn ed_der(self, der: &[u8]) -> Result<Self, ConfigError> {
        self.key(VerifyingKey::from_ed_der(der)?)
    }

    /// Adds every usable key of a JWKS document (JSON text).
    ///
    /// Keys that cannot be used (`use: enc`, an unknown `kty`, bad parameters) are skipped with
    /// a `tracing` warning; `oct` keys are taken only with an `alg`. A document that is not a
    /// JWKS, or that yields no usable key, is an error.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidJwks`](crate::ConfigErrorKind::InvalidJwks) when the document
    /// is not a JSON object with `keys`; [`NoKeys`](crate::ConfigErrorKind::NoKeys) when no key
    /// in it can be used (unusable keys are skipped with a warning); and as [`key`](Self::key).
    pub fn jwks(mut self, json: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let policy = jwk::JwkPolicy {
            allow_hmac: true,
            max_keys: usize::MAX,
        };
        let keys = jwk::jwks_to_keys(json.as_ref(), policy)?;
        if keys.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::NoKeys,
                "the JWKS document holds no usable key",
            ));
        }
        for key in keys {
            self.push(key)?;
        }
        Ok(self)
    }

    #[cfg(feature = "remote")]
    /// A set for keys from a remote JWKS: a duplicate `kid` is skipped with a warning, and a
    /// token's `kid` must name a key. A key that `previous` already holds, unchanged, is shared
    /// with it, so what refers to it (the verified-token cache) outlives the refresh.
    pub(crate) fn from_remote(keys: Vec<VerifyingKey>, previous: Option<&Self>) -> Self {
        let mut set = Self {
            strict_kids: true,
            ..Self::default()
        };
        for key in keys {
            let kept = previous.and_then(|old| {
                let index = old.by_kid.get(key.kid()?)?;
                Some(&old.keys[*index])
                    .filter(|old| old.same_as(&key))
                    .cloned()
            });
            if let Err(e) = set.push_shared(kept.unwrap_or_else(|| Arc::new(key))) {
                tracing::warn!("skipping JWKS key: {e}");
            }
        }
        set
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &VerifyingKey> {
        self.keys.iter().map(|k| &**k)
    }

    /// The key for a token header, by the rules in the type's documentation.
    ///
    /// # Errors
    ///
    /// [`AuthErrorKind::UnknownKey`](crate::AuthErrorKind::UnknownKey) when no key fits: the
    /// `kid` names none, or a token without `kid` fits none or more than one.
    pub fn find(&self, header: &TokenHeader<'_>) -> Result<&Arc<VerifyingKey>, AuthError> {
        if self.strict_kids && header.kid.is_some_and(|kid| !self.by_kid.contains_key(kid)) {
            // A remote set learns new kids by fetching: say "unknown", whatever the algorithm.
            return Err(AuthErrorKind::UnknownKey.into());
        }
        if !self.algorithms.contains(header.alg) {
            // No key here verifies this algorithm: HS256 against RSA keys, for one.
            return Err(AuthErrorKind::UnsupportedAlgorithm.into());
        }
        if let Some(index) = header.kid.and_then(|kid| self.by_kid.get(kid)) {
            let key = &self.keys[*index];
            return if key.algorithms().contains(header.alg) {
                Ok(key)
            } else {
                Err(AuthErrorKind::UnsupportedAlgorithm.into())
            };
        }
        // With a `kid` nobody has, only keys without a `kid` may answer.
        let anonymous_only = header.kid.is_some();
        let mut fitting = self
            .keys
            .iter()
            .filter(|k| !(anonymous_only && k.kid().is_some()))
            .filter(|k| k.algorithms().contains(header.alg));
        match (fitting.next(), fitting.next()) {
            (Some(key), None) => Ok(key),
            (Some(_), Some(_)) if !anonymous_only => Err(AuthErrorKind::AmbiguousKey.into()),
            (Some(_), Some(_)) => Err(AuthErrorKind::UnknownKey.into()),
            (None, _) => Err(AuthErrorKind::UnknownKey.into()),
        }
    }
}

impl KeySource for StaticKeys {
    type Future = Ready<Result<Arc<VerifyingKey>, AuthError>>;

    fn key_for(&self, header: &TokenHeader<'_>) -> Self::Future {
        ready(self.find(header).cloned())
    }

    fn check_config(&self) -> Result<(), ConfigError> {
        if self.keys.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::NoKeys,
                "StaticKeys holds no key",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(kid: Option<&str>, byte: u8) -> VerifyingKey {
        let key = VerifyingKey::from_secret(&[byte; 32], Algorithm::HS256).unwrap();
        match kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        }
    }

    #[test]
    fn selection_by_kid_then_by_algorithm() {
        let keys = StaticKeys::new()
            .key(hs(Some("a"), 1))
            .unwrap()
            .key(hs(Some("b"), 2))
            .unwrap();
        let err = keys
            .find(&TokenHeader::new(Algorithm::RS256, None))
            .unwrap_err();
        assert_eq!(err.kind(), &AuthErrorKind::UnsupportedAlgorithm);
        let pick = |kid| {
            keys.find(&TokenHeader::new(Algorithm::HS256, kid))
                .map(|k| k.kid().map(String::from))
        };
        assert_eq!(pick(Some("b")).unwrap().as_deref(), Some("b"));
        assert_eq!(pick(None).unwrap_err().kind(), &AuthErrorKind::AmbiguousKey);
        assert_eq!(
            pick(Some("zz")).unwrap_err().kind(),
            &AuthErrorKind::UnknownKey
        );
        let err = keys
            .find(&TokenHeader::new(Algorithm::HS384, Some("a")))
            .unwrap_err();
        assert_eq!(err.kind(), &AuthErrorKind::UnsupportedAlgorithm);
    }

    #[test]
    fn a_single_key_answers_any_kid_only_without_its_own() {
        let anonymous = StaticKeys::new().key(hs(None, 1)).unwrap();
        assert!(anonymous
            .find(&TokenHeader::new(Algorithm::HS256, Some("x")))
            .is_ok());
        assert!(anonymous
            .find(&TokenHeader::new(Algorithm::HS256, None))
            .is_ok());
        let named = StaticKeys::new().key(hs(Some("a"), 1)).unwrap();
        assert!(named
            .find(&TokenHeader::new(Algorithm::HS256, None))
            .is_ok());
        assert!(named
            .find(&TokenHeader::new(Algorithm::HS256, Some("x")))
            .is_err());
    }

    #[cfg(feature = "remote")]
    #[test]
    fn a_refreshed_set_shares_unchanged_keys_only() {
        let old = StaticKeys::from_remote(vec![hs(Some("a"), 1), hs(Some("b"), 2)], None);
        let new = StaticKeys::from_remote(
            vec![hs(Some("a"), 1), hs(Some("b"), 3), hs(None, 1)],
            Some(&old),
        );
        let key = |set: &StaticKeys, kid| {
            set.find(&TokenHeader::new(Algorithm::HS256, Some(kid)))
                .unwrap()
                .clone()
        };
        assert!(
            Arc::ptr_eq(&key(&old, "a"), &key(&new, "a")),
            "unchanged key shared"
        );
        assert!(
            !Arc::ptr_eq(&key(&old, "b"), &key(&new, "b")),
            "changed key is new"
        );
        assert_eq!(new.len(), 3);
    }

    #[test]
    fn duplicate_kid_is_refused() {
        let err = StaticKeys::new()
            .key(hs(Some("a"), 1))
            .unwrap()
            .key(hs(Some("a"), 2))
            .unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::DuplicateKeyId);
    }
}
