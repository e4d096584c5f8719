//! The signature backend: which jsonwebtoken `CryptoProvider` verifies signatures.

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::error::{AuthError, AuthErrorKind, ConfigError};

/// The provider named by the crate's features, decided at build time.
///
/// With exactly one of `aws-lc-rs` and `rust-crypto` enabled, that backend; with both or
/// neither, the caller must name one (`JwtAuthBuilder::crypto_provider`), or `build()` fails.
/// jsonwebtoken's own process-wide default is never consulted, so a dependency that enables
/// another jsonwebtoken backend cannot make a request panic.
pub(crate) fn resolve(explicit: Option<&'static CryptoProvider>) -> Result<&'static CryptoProvider, ConfigError> {
    if let Some(provider) = explicit {
        return Ok(provider);
    }
    #[cfg(all(feature = "aws-lc-rs", not(feature = "rust-crypto")))]
    {
        Ok(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
    }
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    {
        Ok(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER)
    }
    #[cfg(all(feature = "rust-crypto", feature = "aws-lc-rs"))]
    {
        Err(ConfigError::new(
            crate::error::ConfigErrorKind::CryptoBackend,
            "both the `aws-lc-rs` and `rust-crypto` features are enabled: choose a backend with \
             JwtAuthBuilder::crypto_provider, or enable only one of the features",
        ))
    }
    #[cfg(not(any(feature = "rust-crypto", feature = "aws-lc-rs")))]
    {
        Err(ConfigError::new(
            crate::error::ConfigErrorKind::CryptoBackend,
            "no signature backend: enable the `aws-lc-rs` or `rust-crypto` feature, or pass a \
             provider to JwtAuthBuilder::crypto_provider",
        ))
    }
}

/// Verifies `signature` over `message` with `key` for `alg`.
pub(crate) fn verify(
    provider: &CryptoProvider,
    alg: Algorithm,
    key: &DecodingKey,
    message: &[u8],
    signature: &Vec<u8>,
) -> Result<(), AuthError> {
    let verifier = (provider.verifier_factory)(&alg, key)
        .map_err(|_| AuthError::new(AuthErrorKind::UnsupportedAlgorithm))?;
    verifier.verify(message, signature).map_err(|_| AuthErrorKind::InvalidSignature.into())
}
