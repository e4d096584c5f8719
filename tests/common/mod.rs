//! Shared by the integration tests: key fixtures, a fixed clock, token minting.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tower_jwt_auth::{JwtAuthBuilder, JwtAuthLayer, KeySource};

/// The fixed "now" of every test: 2026-01-01T00:00:00Z.
pub const NOW: u64 = 1_767_225_600;

pub fn clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

pub const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub const RSA_PRIVATE: &str = include_str!("../keys/rsa_private.pem");
pub const RSA_PUBLIC: &str = include_str!("../keys/rsa_public.pem");
pub const RSA_PUBLIC_PKCS1: &str = include_str!("../keys/rsa_public_pkcs1.pem");
pub const RSA_PUBLIC_DER: &[u8] = include_bytes!("../keys/rsa_public.der");
pub const RSA2_PRIVATE: &str = include_str!("../keys/rsa2_private.pem");
pub const RSA2_PUBLIC: &str = include_str!("../keys/rsa2_public.pem");
pub const EC256_PRIVATE: &str = include_str!("../keys/ec256_private.pem");
pub const EC256_PUBLIC: &str = include_str!("../keys/ec256_public.pem");
pub const EC256_PUBLIC_DER: &[u8] = include_bytes!("../keys/ec256_public.der");
pub const EC384_PRIVATE: &str = include_str!("../keys/ec384_private.pem");
pub const EC384_PUBLIC: &str = include_str!("../keys/ec384_public.pem");
pub const ED_PRIVATE: &str = include_str!("../keys/ed25519_private.pem");
pub const ED_PUBLIC: &str = include_str!("../keys/ed25519_public.pem");
pub const ED_PUBLIC_DER: &[u8] = include_bytes!("../keys/ed25519_public.der");

/// The claims type most tests use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestClaims {
    pub sub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl TestClaims {
    /// Valid for ten minutes from `NOW`, issued by `https://idp.test` for `api`.
    pub fn valid() -> Self {
        Self {
            sub: "ann".into(),
            exp: Some(NOW + 600),
            iss: Some("https://idp.test".into()),
            aud: Some("api".into()),
            scope: None,
        }
    }
}

/// The signing key for an algorithm, from the fixtures.
pub fn encoding_key(alg: Algorithm) -> EncodingKey {
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            EncodingKey::from_secret(HS_SECRET)
        }
        Algorithm::ES256 => EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
        Algorithm::ES384 => EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
    }
}

/// A token for `claims` signed with the fixture key of `alg`.
pub fn mint<T: Serialize>(alg: Algorithm, claims: &T) -> String {
    mint_with(Header::new(alg), claims)
}

/// A token with a header of your own, signed with the fixture key of its `alg`.
pub fn mint_with<T: Serialize>(header: Header, claims: &T) -> String {
    install_signing_provider();
    let key = encoding_key(header.alg);
    encode(&header, claims, &key).unwrap()
}

/// The signature backend for tests: the one the features pick, or aws-lc-rs when both are on.
pub fn with_backend<C, K: KeySource, R>(
    builder: JwtAuthBuilder<C, K, R>,
) -> JwtAuthBuilder<C, K, R> {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    builder
}

/// A builder with the test backend and the fixed clock.
pub fn builder<C, K: KeySource>(keys: K) -> JwtAuthBuilder<C, K> {
    with_backend(JwtAuthLayer::<C>::builder(keys)).clock(clock)
}

/// jsonwebtoken needs a process default provider to *sign* when both backends are enabled.
pub fn install_signing_provider() {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
}

/// Collects what a `tracing_subscriber::fmt` subscriber writes (`.with_writer(captured.clone())`),
/// for tests that check what is logged.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Captures every `tracing` event of this thread, at TRACE level, until the guard drops.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // A callsite first hit on another thread, with no subscriber there, may have cached
    // "never": ask every callsite again now that this thread has one.
    tracing::callsite::rebuild_interest_cache();
    (captured, guard)
}

/// A check that wants the `admin` scope: 403 `insufficient_scope` without it.
pub fn require_admin(
    claims: &TestClaims,
    _: &http::request::Parts,
) -> Result<(), tower_jwt_auth::AuthError> {
    let scopes = claims.scope.as_deref().unwrap_or("");
    if scopes.split(' ').any(|s| s == "admin") {
        Ok(())
    } else {
        Err(tower_jwt_auth::AuthError::insufficient_scope("admin"))
    }
}

/// The public JWK of a fixture private key, with `alg` set.
pub fn public_jwk(private_pem: &str, alg: Algorithm) -> jsonwebtoken::jwk::Jwk {
    install_signing_provider();
    let key = match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(private_pem.as_bytes()),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(private_pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(private_pem.as_bytes()),
    }
    .unwrap();
    jsonwebtoken::jwk::Jwk::from_encoding_key(&key, alg).unwrap()
}

/// The backend the tests verify with when they name one explicitly.
pub fn test_backend() -> &'static jsonwebtoken::crypto::CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    return &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER;
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    return &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
}

thread_local! {
    static SIGNATURE_CHECKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn counting_verifier(
    alg: &Algorithm,
    key: &jsonwebtoken::DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn jsonwebtoken::crypto::JwtVerifier>> {
    SIGNATURE_CHECKS.with(|n| n.set(n.get() + 1));
    (test_backend().verifier_factory)(alg, key)
}

/// A provider that verifies with [`test_backend`] and counts, per thread, the signatures it
/// checks (tokio tests run on one thread): see [`signature_checks`].
pub fn counting_backend() -> &'static jsonwebtoken::crypto::CryptoProvider {
    static COUNTING: std::sync::LazyLock<jsonwebtoken::crypto::CryptoProvider> =
        std::sync::LazyLock::new(|| jsonwebtoken::crypto::CryptoProvider {
            signer_factory: test_backend().signer_factory,
            verifier_factory: counting_verifier,
            key_utils: test_backend().key_utils.clone(),
        });
    &COUNTING
}

/// How many signatures [`counting_backend`] checked on this thread.
pub fn signature_checks() -> usize {
    SIGNATURE_CHECKS.with(std::cell::Cell::get)
}
