//! A key that verifies tokens, bound when it is built to the algorithms it may verify.

use std::fmt;

use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};

use super::{curve, der};
use crate::algorithms::AlgorithmSet;
use crate::error::{ConfigError, ConfigErrorKind};

/// A key that verifies tokens, bound to the algorithms it may verify.
///
/// The binding is made when the key is built, from the caller's word and the key's own type,
/// never from a token: an RSA public key can never be used as an HMAC secret.
/// `Debug` shows the `kid` and the algorithms, never the key material.
#[derive(Clone)]
pub struct VerifyingKey {
    kid: Option<Box<str>>,
    algorithms: AlgorithmSet,
    key: DecodingKey,
    prepared: crate::crypto::Prepared,
}

fn invalid_key(why: impl Into<std::borrow::Cow<'static, str>>) -> ConfigError {
    ConfigError::new(ConfigErrorKind::InvalidKey, why)
}

fn require(alg: Algorithm, allowed: AlgorithmSet, what: &str) -> Result<(), ConfigError> {
    if allowed.contains(alg) {
        Ok(())
    } else {
        Err(invalid_key(format!("a {what} cannot verify {alg:?}")))
    }
}

const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus taken, in bits: neither backend verifies with a larger one
/// (aws-lc-rs stops at 8192 bits), and each bit costs CPU on every verification.
const MAX_RSA_BITS: usize = 8192;

/// The largest RSA public exponent taken, `2³³ − 1`: the bound of both backends.
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

/// Refuses an HMAC secret shorter than the hash output of `alg` (32, 48 or 64 bytes,
/// RFC 8725 §3.5), and an `alg` that is not HMAC. The one rule for every way a secret is bound.
fn check_secret(secret: &[u8], alg: Algorithm) -> Result<(), ConfigError> {
    let min = match alg {
        Algorithm::HS256 => 32,
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => return Err(invalid_key(format!("an HMAC secret cannot verify {alg:?}"))),
    };
    if secret.len() < min {
        return Err(ConfigError::new(
            ConfigErrorKind::WeakSecret,
            format!(
                "HMAC secret for {alg:?} is {} bytes; at least {min} are required",
                secret.len()
            ),
        ));
    }
    Ok(())
}

/// A big-endian number without its leading zero bytes.
fn strip_zeros(v: &[u8]) -> &[u8] {
    &v[v.iter().take_while(|b| **b == 0).count()..]
}

impl VerifyingKey {
    fn new(key: DecodingKey, algorithms: AlgorithmSet) -> Self {
        let prepared = crate::crypto::Prepared::new(&key, algorithms);
        Self {
            kid: None,
            algorithms,
            key,
            prepared,
        }
    }

    /// An HMAC secret for `HS256`, `HS384` or `HS512`.
    ///
    /// Secrets shorter than the hash output (32, 48 or 64 bytes) are refused (RFC 8725 §3.5).
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::WeakSecret`] when the secret is shorter than the hash of `alg` (32,
    /// 48 or 64 bytes); [`ConfigErrorKind::InvalidKey`] when `alg` is not HMAC.
    pub fn from_secret(secret: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        check_secret(secret, alg)?;
        Ok(Self::new(
            DecodingKey::from_secret(secret),
            AlgorithmSet::one(alg),
        ))
    }

    /// An HMAC secret given in standard base64 (with padding), as many identity providers
    /// show it.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the text is not base64; otherwise as
    /// [`from_secret`](Self::from_secret).
    pub fn from_base64_secret(secret: &str, alg: Algorithm) -> Result<Self, ConfigError> {
        let bytes = base64_simd::STANDARD
            .decode_to_vec(secret.trim())
            .map_err(|_| invalid_key("HMAC secret is not valid base64"))?;
        Self::from_secret(&bytes, alg)
    }

    /// An RSA public key in PEM: `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    ///
    /// Every RSA constructor refuses a key that can never verify or is too weak: a modulus
    /// that is even or outside 2048–8192 bits, or a public exponent that is not odd or not
    /// between 3 and 2³³ − 1 (65537 is the usual one).
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the PEM does not parse (the parser's error is the
    /// source), holds a private key or another key type, `alg` is not RSA, or the key can never
    /// verify (see [`from_rsa_der`](Self::from_rsa_der)).
    pub fn from_rsa_pem(pem: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        let doc = parse_pem(pem)?;
        match doc.tag() {
            "PUBLIC KEY" => Self::from_rsa_der(doc.contents(), alg),
            "RSA PUBLIC KEY" => Self::from_rsa_pkcs1_der(doc.contents(), alg),
            other => Err(invalid_key(format!(
                "expected a PEM `PUBLIC KEY` or `RSA PUBLIC KEY`, found `{other}`"
            ))),
        }
    }

    /// An RSA public key in DER: SubjectPublicKeyInfo, or PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the DER is not an RSA public key, `alg` is not RSA,
    /// the modulus is under 2048 or over 8192 bits or even, or the exponent is even, under 3 or
    /// over 2^33 - 1.
    pub fn from_rsa_der(der: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        match der::spki(der) {
            Ok(der::PublicKey::Rsa { n, e }) => Self::from_rsa_parts(n, e, alg),
            Ok(_) => Err(invalid_key("the key is not an RSA key")),
            Err(_) => Self::from_rsa_pkcs1_der(der, alg),
        }
    }

    fn from_rsa_pkcs1_der(der: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        match der::rsa_public_key(der) {
            Ok(der::PublicKey::Rsa { n, e }) => Self::from_rsa_parts(n, e, alg),
            Ok(_) => Err(invalid_key("the key is not an RSA key")),
            Err(why) => Err(invalid_key(format!(
                "RSA public key is not valid DER: {why}"
            ))),
        }
    }

    /// An RSA public key from its JWK components `n` and `e` (base64url, no padding).
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when `n` or `e` is not base64url, and as
    /// [`from_rsa_der`](Self::from_rsa_der).
    pub fn from_rsa_components(n: &str, e: &str, alg: Algorithm) -> Result<Self, ConfigError> {
        let decode = |v: &str| {
            base64_simd::URL_SAFE_NO_PAD
                .decode_to_vec(v)
                .map_err(|_| invalid_key("RSA component is not base64url"))
        };
        let (n, e) = (decode(n)?, decode(e)?);
        Self::from_rsa_parts(&n, &e, alg)
    }

    /// Every RSA key comes through here: PEM, DER and JWK alike.
    fn from_rsa_parts(n: &[u8], e: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        require(alg, AlgorithmSet::rsa(), "RSA key")?;
        let (n, e) = (strip_zeros(n), strip_zeros(e));
        let Some(first) = n.first() else {
            return Err(invalid_key("RSA modulus is zero"));
        };
        let bits = n.len() * 8 - first.leading_zeros() as usize;
        if bits < MIN_RSA_BITS {
            return Err(invalid_key(format!(
                "RSA modulus is {bits} bits; at least {MIN_RSA_BITS} are required"
            )));
        }
        if bits > MAX_RSA_BITS {
            return Err(invalid_key(format!(
                "RSA modulus is {bits} bits; at most {MAX_RSA_BITS} are supported"
            )));
        }
        if n.last().is_some_and(|b| b & 1 == 0) {
            return Err(invalid_key(
                "RSA modulus is even, so it is not an RSA modulus",
            ));
        }
        let exponent = (e.len() <= 8)
            .then(|| e.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
            .filter(|e| *e >= 3 && *e <= MAX_RSA_EXPONENT && e & 1 == 1);
        if exponent.is_none() {
            return Err(invalid_key(
                "RSA public exponent must be odd and between 3 and 2^33 - 1 (usually 65537)",
            ));
        }
        Ok(Self::new(
            DecodingKey::from_rsa_raw_components(n, e),
            AlgorithmSet::one(alg),
        ))
    }

    /// An EC public key (P-256 for `ES256`, P-384 for `ES384`) in PEM `PUBLIC KEY` form.
    ///
    /// Every EC constructor takes only an uncompressed point, and refuses one that is not on
    /// its curve (coordinates must be below the field prime and satisfy the curve equation).
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the PEM does not parse (the parser's error is the
    /// source), and as [`from_ec_der`](Self::from_ec_der).
    pub fn from_ec_pem(pem: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        let doc = parse_pem_tagged(pem, "PUBLIC KEY")?;
        Self::from_ec_der(doc.contents(), alg)
    }

    /// An EC public key in SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the DER is not an EC public key, its curve does not
    /// match `alg` (P-256 for ES256, P-384 for ES384), or its point is not on the curve.
    pub fn from_ec_der(der: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        match der::spki(der) {
            Ok(der::PublicKey::Ec { curve, point }) => Self::from_ec_point(curve, point, alg),
            Ok(_) => Err(invalid_key("the key is not an EC key")),
            Err(why) => Err(invalid_key(format!(
                "EC public key is not valid DER: {why}"
            ))),
        }
    }

    /// An EC public key from its JWK components: `crv` (`P-256` or `P-384`), `x` and `y`
    /// (base64url, no padding).
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when a coordinate is not base64url of the curve's size,
    /// the curve does not match `alg`, or the point is not on the curve.
    pub fn from_ec_components(
        crv: &str,
        x: &str,
        y: &str,
        alg: Algorithm,
    ) -> Result<Self, ConfigError> {
        let (curve, size) = match crv {
            "P-256" => (der::Curve::P256, 32),
            "P-384" => (der::Curve::P384, 48),
            _ => return Err(invalid_key("EC curve must be P-256 or P-384")),
        };
        let decode = |v: &str| {
            base64_simd::URL_SAFE_NO_PAD
                .decode_to_vec(v)
                .ok()
                .filter(|v| v.len() == size)
                .ok_or_else(|| invalid_key("EC coordinate is not base64url of the curve's size"))
        };
        let mut point = Vec::with_capacity(1 + 2 * size);
        point.push(0x04);
        point.extend_from_slice(&decode(x)?);
        point.extend_from_slice(&decode(y)?);
        Self::from_ec_point(curve, &point, alg)
    }

    /// Every EC key comes through here: PEM, DER and JWK alike.
    fn from_ec_point(curve: der::Curve, point: &[u8], alg: Algorithm) -> Result<Self, ConfigError> {
        let expected = match curve {
            der::Curve::P256 => Algorithm::ES256,
            der::Curve::P384 => Algorithm::ES384,
        };
        if alg != expected {
            return Err(invalid_key(format!(
                "a {curve:?} key can only verify {expected:?}, not {alg:?}"
            )));
        }
        curve::check_ec_point(curve, point).map_err(invalid_key)?;
        // jsonwebtoken's `from_ec_der` takes the raw uncompressed point.
        Ok(Self::new(
            DecodingKey::from_ec_der(point),
            AlgorithmSet::one(alg),
        ))
    }

    /// An Ed25519 public key (for `EdDSA`) in PEM `PUBLIC KEY` form.
    ///
    /// Every Ed25519 constructor refuses 32 bytes that do not decode to a curve point
    /// (RFC 8032 §5.1.3), and the eight points of small order, which no signing key yields.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the PEM does not parse (the parser's error is the
    /// source), and as [`from_ed_der`](Self::from_ed_der).
    pub fn from_ed_pem(pem: &[u8]) -> Result<Self, ConfigError> {
        let doc = parse_pem_tagged(pem, "PUBLIC KEY")?;
        Self::from_ed_der(doc.contents())
    }

    /// An Ed25519 public key in SubjectPublicKeyInfo DER.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when the DER is not an Ed25519 public key, or its key
    /// does not decode to a curve point or is a small-order point.
    pub fn from_ed_der(der: &[u8]) -> Result<Self, ConfigError> {
        match der::spki(der) {
            Ok(der::PublicKey::Ed25519(raw)) => Self::from_ed_raw(raw),
            Ok(_) => Err(invalid_key("the key is not an Ed25519 key")),
            Err(why) => Err(invalid_key(format!(
                "Ed25519 public key is not valid DER: {why}"
            ))),
        }
    }

    /// An Ed25519 public key from its JWK component `x` (base64url, no padding).
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when `x` is not 32 bytes of base64url, and as
    /// [`from_ed_der`](Self::from_ed_der).
    pub fn from_ed_components(x: &str) -> Result<Self, ConfigError> {
        let raw = base64_simd::URL_SAFE_NO_PAD
            .decode_to_vec(x)
            .ok()
            .filter(|v| v.len() == 32)
            .ok_or_else(|| invalid_key("Ed25519 key `x` is not 32 bytes of base64url"))?;
        Self::from_ed_raw(&raw)
    }

    /// Every Ed25519 key comes through here: PEM, DER and JWK alike.
    fn from_ed_raw(raw: &[u8]) -> Result<Self, ConfigError> {
        curve::check_ed25519(raw).map_err(invalid_key)?;
        Ok(Self::new(
            DecodingKey::from_ed_der(raw),
            AlgorithmSet::one(Algorithm::EdDSA),
        ))
    }

    /// Names the key: a token whose header carries this `kid` is verified with this key only.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into().into_boxed_str());
        self
    }

    /// Widens or narrows the algorithms the key may verify, within its family: for example
    /// `AlgorithmSet::rsa()` for an RSA key used with both `RS256` and `PS256`.
    ///
    /// An HMAC secret must be long enough for every algorithm in the set, as in
    /// [`from_secret`](Self::from_secret): a 32-byte secret cannot be widened to `HS512`.
    ///
    /// # Errors
    ///
    /// [`ConfigErrorKind::InvalidKey`] when a new algorithm is outside the key's family;
    /// [`ConfigErrorKind::WeakSecret`] when an HMAC secret is too short for one of them.
    pub fn with_algorithms(mut self, algorithms: AlgorithmSet) -> Result<Self, ConfigError> {
        let family = AlgorithmSet::all()
            .iter()
            .filter(|a| a.family() == self.key.family())
            .collect::<AlgorithmSet>();
        if algorithms.is_empty() || algorithms.intersection(family) != algorithms {
            return Err(invalid_key(format!(
                "algorithms {algorithms:?} do not belong to this key's family {family:?}"
            )));
        }
        if let (AlgorithmFamily::Hmac, DecodingKeyKind::SecretOrDer(secret)) =
            (self.key.family(), self.key.kind())
        {
            algorithms
                .iter()
                .try_for_each(|alg| check_secret(secret, alg))?;
        }
        self.algorithms = algorithms;
        self.prepared = crate::crypto::Prepared::new(&self.key, algorithms);
        Ok(self)
    }

    /// The key's `kid`, if it has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithms this key may verify.
    pub fn algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// The key in jsonwebtoken's form.
    pub fn decoding_key(&self) -> &DecodingKey {
        &self.key
    }

    /// Whether two keys are the same key, bound to the same algorithms, under the same `kid`.
    #[cfg(feature = "remote")]
    pub(crate) fn same_as(&self, other: &Self) -> bool {
        use jsonwebtoken::DecodingKeyKind::{RsaModulusExponent, SecretOrDer};
        let same_material = match (self.key.kind(), other.key.kind()) {
            (SecretOrDer(a), SecretOrDer(b)) => a == b,
            (RsaModulusExponent { n, e }, RsaModulusExponent { n: n2, e: e2 }) => {
                n == n2 && e == e2
            }
            _ => false,
        };
        self.kid == other.kid
            && self.algorithms == other.algorithms
            && self.key.family() == other.key.family()
            && same_material
    }

    /// The key parsed for the backend, once.
    pub(crate) fn prepared(&self) -> &crate::crypto::Prepared {
        &self.prepared
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("algorithms", &self.algorithms)
            .field("key", &"[redacted]")
            .finish()
    }
}

fn parse_pem(pem: &[u8]) -> Result<pem::Pem, ConfigError> {
    let doc = pem::parse(pem)
        .map_err(|e| invalid_key(format!("not a PEM document: {e}")).with_source(e))?;
    if doc.tag().contains("PRIVATE") {
        return Err(invalid_key(
            "a private key was given where a public key is expected",
        ));
    }
    Ok(doc)
}

fn parse_pem_tagged(pem: &[u8], tag: &str) -> Result<pem::Pem, ConfigError> {
    let doc = parse_pem(pem)?;
    if doc.tag() != tag {
        return Err(invalid_key(format!(
            "expected a PEM `{tag}`, found `{}`",
            doc.tag()
        )));
    }
    Ok(doc)
}
