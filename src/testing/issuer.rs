//! The test issuer: keys for every algorithm, published as a JWKS or as [`StaticKeys`], and
//! rotated on demand.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};

use super::keys::{random_id, Family, KeyMaterial};
use crate::algorithms::ALL_ALGORITHMS as ALGORITHMS;
use crate::key::StaticKeys;

/// How long a token minted by the kit is valid unless told otherwise: five minutes.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(300);

/// An issuer for tests: it owns a signing key for every algorithm the crate verifies (HMAC,
/// RSA PKCS#1 v1.5 and PSS, ECDSA P-256 and P-384, Ed25519), each named by a `kid`, mints
/// tokens with them ([`token`](Self::token)), and gives the matching keys to a layer
/// ([`static_keys`](Self::static_keys), [`jwks`](Self::jwks)), or serves them on loopback
/// ([`TestIssuerBuilder::serve`]).
///
/// Keys are made when first needed, never read from a file; see the module documentation
/// for what that costs. Clones share keys and rotations.
///
/// ```
/// use tower_jwt_auth::testing::TestIssuer;
///
/// let issuer = TestIssuer::builder().audience("api").build("https://idp.test");
/// let keys = issuer.static_keys(); // give these to JwtAuthLayer::builder
/// let token = issuer.token().subject("ann").scope("read").sign();
/// assert_eq!(token.split('.').count(), 3);
/// # let _ = keys;
/// ```
#[derive(Clone)]
pub struct TestIssuer {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    audiences: Vec<String>,
    algorithm: Algorithm,
    lifetime: Duration,
    /// Part of every `kid`, so two issuers never name a key alike.
    id: String,
    generations: Mutex<Vec<Arc<Generation>>>,
}

/// One generation of keys: made together, retired together.
pub(crate) struct Generation {
    number: u32,
    id: String,
    keys: [OnceLock<Arc<KeyMaterial>>; 5],
}

impl fmt::Debug for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generation")
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

impl Generation {
    fn new(number: u32, id: &str) -> Self {
        Self {
            number,
            id: id.to_owned(),
            keys: Default::default(),
        }
    }

    /// The key of `family`, made on first use.
    pub(crate) fn key(&self, family: Family) -> Arc<KeyMaterial> {
        Arc::clone(self.keys[family.slot()].get_or_init(|| {
            if family == Family::Rsa && self.number == 1 {
                KeyMaterial::shared_rsa()
            } else {
                Arc::new(KeyMaterial::generate(family))
            }
        }))
    }

    /// The `kid` of this generation's key for `alg`.
    pub(crate) fn kid(&self, alg: Algorithm) -> String {
        format!(
            "{}-{}-{}",
            alg_name(alg).to_ascii_lowercase(),
            self.number,
            self.id
        )
    }

    /// The JWK of this generation's key for `alg`, with `kid`, `alg` and `use`.
    fn jwk(&self, alg: Algorithm) -> Value {
        let mut jwk = self.key(Family::of(alg)).jwk.clone();
        if let Value::Object(members) = &mut jwk {
            members.insert("kid".into(), self.kid(alg).into());
            members.insert("alg".into(), alg_name(alg).into());
            members.insert("use".into(), "sig".into());
        }
        jwk
    }
}

/// The JOSE name of an algorithm (`RS256`, `EdDSA`, ...).
pub(crate) fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::EdDSA => "EdDSA",
        other => panic!("the test kit does not sign {other:?}"),
    }
}

impl fmt::Debug for TestIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestIssuer")
            .field("issuer", &self.inner.issuer)
            .field("audiences", &self.inner.audiences)
            .field("algorithm", &self.inner.algorithm)
            .finish_non_exhaustive()
    }
}

impl TestIssuer {
    /// An issuer named `issuer` (the `iss` of its tokens), signing RS256 by default, with
    /// tokens valid for five minutes and no default audience.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self::builder().build(issuer)
    }

    /// Settings for an issuer: default audience, algorithm and token lifetime; then
    /// [`build`](TestIssuerBuilder::build) it, or [`serve`](TestIssuerBuilder::serve) it.
    pub fn builder() -> TestIssuerBuilder {
        TestIssuerBuilder::default()
    }

    /// The issuer identifier: the `iss` of every token it mints.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The audiences every token names unless the token builder says otherwise.
    pub fn audiences(&self) -> &[String] {
        &self.inner.audiences
    }

    /// The algorithm tokens are signed with unless the token builder says otherwise.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.algorithm
    }

    /// The lifetime of a token unless the token builder says otherwise.
    pub fn lifetime(&self) -> Duration {
        self.inner.lifetime
    }

    /// The `kid` of the current key for `alg`.
    pub fn kid(&self, alg: Algorithm) -> String {
        self.current().kid(alg)
    }

    /// The published public keys, as a JWKS document: one key per asymmetric algorithm and
    /// generation, each with `kid`, `alg` and `use: sig`. HMAC secrets are never in it (a
    /// remote key set never carries them); [`static_keys`](Self::static_keys) has them.
    pub fn jwks(&self) -> String {
        self.key_set(false).to_string()
    }

    /// Every published key, HMAC secrets included, ready for
    /// [`JwtAuthLayer::builder`](crate::JwtAuthLayer::builder).
    ///
    /// # Panics
    ///
    /// Never for keys the kit made; a panic here is a bug in the kit.
    pub fn static_keys(&self) -> StaticKeys {
        StaticKeys::new()
            .jwks(self.key_set(true).to_string())
            .unwrap_or_else(|e| panic!("the test kit's own key set was refused: {e}"))
    }

    /// Makes a new generation of keys the current one: new tokens are signed (and named)
    /// with it. Earlier generations stay published, as an identity provider keeps its old
    /// key for a while, until [`retire_old_keys`](Self::retire_old_keys).
    pub fn rotate(&self) {
        let mut generations = self.generations();
        let number = generations.last().map_or(1, |g| g.number.saturating_add(1));
        generations.push(Arc::new(Generation::new(number, &self.inner.id)));
    }

    /// Stops publishing every generation but the current one: tokens signed with an older
    /// key no longer verify once a key source has fetched the set again.
    pub fn retire_old_keys(&self) {
        let mut generations = self.generations();
        let keep = generations.len().saturating_sub(1);
        generations.drain(..keep);
    }

    pub(crate) fn current(&self) -> Arc<Generation> {
        let generations = self.generations();
        Arc::clone(
            generations
                .last()
                .expect("an issuer always has a generation"),
        )
    }

    fn generations(&self) -> MutexGuard<'_, Vec<Arc<Generation>>> {
        self.inner
            .generations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn key_set(&self, with_secrets: bool) -> Value {
        let generations: Vec<_> = self.generations().iter().rev().cloned().collect();
        let keys: Vec<Value> = generations
            .iter()
            .flat_map(|generation| {
                ALGORITHMS
                    .iter()
                    .filter(|&&alg| with_secrets || Family::of(alg) != Family::Hmac)
                    .map(|&alg| generation.jwk(alg))
            })
            .collect();
        json!({ "keys": keys })
    }
}

/// Settings of a [`TestIssuer`]. Each setting is set once; [`audience`](Self::audience)
/// adds.
#[derive(Debug, Clone, Default)]
pub struct TestIssuerBuilder {
    audiences: Vec<String>,
    algorithm: Option<Algorithm>,
    lifetime: Option<Duration>,
}

impl TestIssuerBuilder {
    /// Adds an audience every token names (one: a string `aud`; several: an array).
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// The algorithm tokens are signed with by default (RS256 unless set).
    ///
    /// # Panics
    ///
    /// When called twice: the second call would silently replace the first.
    #[must_use]
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        assert!(
            self.algorithm.replace(alg).is_none(),
            "TestIssuerBuilder::algorithm called twice"
        );
        self
    }

    /// How long tokens are valid by default (five minutes unless set).
    ///
    /// # Panics
    ///
    /// When called twice.
    #[must_use]
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        assert!(
            self.lifetime.replace(lifetime).is_none(),
            "TestIssuerBuilder::lifetime called twice"
        );
        self
    }

    /// The issuer, named `issuer`.
    pub fn build(self, issuer: impl Into<String>) -> TestIssuer {
        let id = random_id();
        let first = Arc::new(Generation::new(1, &id));
        TestIssuer {
            inner: Arc::new(Inner {
                issuer: issuer.into(),
                audiences: self.audiences,
                algorithm: self.algorithm.unwrap_or(Algorithm::RS256),
                lifetime: self.lifetime.unwrap_or(DEFAULT_TOKEN_LIFETIME),
                id,
                generations: Mutex::new(vec![first]),
            }),
        }
    }
}
