//! The signature backend of the tests, the fixed clock, and a backend that counts what it checks.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::Algorithm;
use tower_jwt_auth::{JwtAuthBuilder, JwtAuthLayer, KeySource};

use super::{rs256_keys, TestClaims};

/// The issuer of [`TestClaims::valid`](super::TestClaims::valid).
pub const ISSUER: &str = "https://idp.test";
/// The audience of [`TestClaims::valid`](super::TestClaims::valid).
pub const AUDIENCE: &str = "api";

/// The fixed "now" of every test: 2026-01-01T00:00:00Z.
pub const NOW: u64 = 1_767_225_600;

pub fn clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
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
    let _ = CryptoProvider::install_default(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
}

/// The backend the tests verify with when they name one explicitly.
pub fn test_backend() -> &'static CryptoProvider {
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
pub fn counting_backend() -> &'static CryptoProvider {
    static COUNTING: std::sync::LazyLock<CryptoProvider> =
        std::sync::LazyLock::new(|| CryptoProvider {
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

/// The layer [`builder`] makes over `keys`, with nothing else set.
pub fn layer_over<K: KeySource>(keys: K) -> JwtAuthLayer<TestClaims, K> {
    builder(keys).build().expect("layer builds")
}

/// A builder (see [`builder`]) that wants the [`ISSUER`] and [`AUDIENCE`] of
/// [`TestClaims::valid`].
pub fn strict_builder<K: KeySource>(keys: K) -> JwtAuthBuilder<TestClaims, K> {
    builder(keys).issuer(ISSUER).audience(AUDIENCE)
}

/// The layer most tests use: the RS256 fixture key, the [`ISSUER`] and [`AUDIENCE`] of
/// [`TestClaims::valid`].
pub fn rs256_layer() -> JwtAuthLayer<TestClaims> {
    strict_builder(rs256_keys()).build().expect("layer builds")
}
