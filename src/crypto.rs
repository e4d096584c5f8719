//! The signature backend: which jsonwebtoken `CryptoProvider` verifies signatures, and keys
//! prepared once for it.

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::algorithms::AlgorithmSet;
use crate::error::{AuthError, AuthErrorKind, ConfigError};

/// The provider named by the crate's features, decided at build time.
///
/// With exactly one of `aws-lc-rs` and `rust-crypto` enabled, that backend; with both or
/// neither, the caller must name one (`JwtAuthBuilder::crypto_provider`), or `build()` fails.
/// jsonwebtoken's own process-wide default is never consulted, so a dependency that enables
/// another jsonwebtoken backend cannot make a request panic.
pub(crate) fn resolve(
    explicit: Option<&'static CryptoProvider>,
) -> Result<&'static CryptoProvider, ConfigError> {
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

/// A key parsed once, when it is built, for the backend that will verify with it.
///
/// With the `aws-lc-rs` feature, every algorithm the key allows gets an aws-lc-rs key ready to
/// verify (a parsed `EVP_PKEY`, or an HMAC key), so a request does no key parsing and no
/// allocation for the key. They are used only when the layer's provider is jsonwebtoken's
/// aws-lc-rs provider, the one they match; any other provider goes through its own factory.
#[derive(Clone, Default)]
pub(crate) struct Prepared {
    #[cfg(feature = "aws-lc-rs")]
    entries: Vec<(Algorithm, aws::Ready)>,
}

impl Prepared {
    pub(crate) fn new(key: &DecodingKey, algorithms: AlgorithmSet) -> Self {
        #[cfg(feature = "aws-lc-rs")]
        {
            let entries = algorithms
                .iter()
                .filter_map(|alg| aws::prepare(alg, key).map(|ready| (alg, ready)))
                .collect();
            Self { entries }
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            let _ = (key, algorithms);
            Self {}
        }
    }
}

/// Verifies `signature` over `message` with `key` for `alg`.
pub(crate) fn verify(
    provider: &'static CryptoProvider,
    alg: Algorithm,
    key: &DecodingKey,
    prepared: &Prepared,
    message: &[u8],
    signature: &[u8],
) -> Result<(), AuthError> {
    #[cfg(feature = "aws-lc-rs")]
    if std::ptr::eq(provider, &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER) {
        if let Some((_, ready)) = prepared.entries.iter().find(|(a, _)| *a == alg) {
            return ready
                .verify(message, signature)
                .map_err(|()| AuthErrorKind::InvalidSignature.into());
        }
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    let _ = prepared;
    let verifier = (provider.verifier_factory)(&alg, key)
        .map_err(|_| AuthError::new(AuthErrorKind::UnsupportedAlgorithm))?;
    verifier
        .verify(message, &signature.to_vec())
        .map_err(|_| AuthErrorKind::InvalidSignature.into())
}

#[cfg(feature = "aws-lc-rs")]
mod aws {
    use aws_lc_rs::{hmac, signature as sig};
    use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind};

    /// An aws-lc-rs key ready to verify one algorithm.
    #[derive(Clone)]
    pub(super) enum Ready {
        Hmac(Box<hmac::Key>),
        Public(sig::ParsedPublicKey),
    }

    impl Ready {
        pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), ()> {
            match self {
                Self::Hmac(key) => hmac::verify(key, message, signature).map_err(|_| ()),
                Self::Public(key) => key.verify_sig(message, signature).map_err(|_| ()),
            }
        }
    }

    /// The DER `RSAPublicKey` (PKCS#1) of a modulus and an exponent.
    fn pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
        fn integer(out: &mut Vec<u8>, value: &[u8]) {
            let value = match value.iter().position(|b| *b != 0) {
                Some(start) => &value[start..],
                None => &[0],
            };
            let pad = value[0] & 0x80 != 0;
            out.push(0x02);
            length(out, value.len() + usize::from(pad));
            if pad {
                out.push(0);
            }
            out.extend_from_slice(value);
        }
        fn length(out: &mut Vec<u8>, len: usize) {
            if len < 0x80 {
                out.push(len as u8);
            } else {
                let bytes = len.to_be_bytes();
                let skip = bytes.iter().take_while(|b| **b == 0).count();
                out.push(0x80 | (bytes.len() - skip) as u8);
                out.extend_from_slice(&bytes[skip..]);
            }
        }
        let mut body = Vec::with_capacity(n.len() + e.len() + 16);
        integer(&mut body, n);
        integer(&mut body, e);
        let mut der = Vec::with_capacity(body.len() + 8);
        der.push(0x30);
        length(&mut der, body.len());
        der.extend_from_slice(&body);
        der
    }

    pub(super) fn prepare(alg: Algorithm, key: &DecodingKey) -> Option<Ready> {
        let hmac = |algorithm, secret: &[u8]| {
            Some(Ready::Hmac(Box::new(hmac::Key::new(algorithm, secret))))
        };
        let public = |algorithm: &'static dyn sig::VerificationAlgorithm, bytes: &[u8]| {
            sig::ParsedPublicKey::new(algorithm, bytes)
                .ok()
                .map(Ready::Public)
        };
        match (alg, key.kind()) {
            (Algorithm::HS256, DecodingKeyKind::SecretOrDer(s)) => hmac(hmac::HMAC_SHA256, s),
            (Algorithm::HS384, DecodingKeyKind::SecretOrDer(s)) => hmac(hmac::HMAC_SHA384, s),
            (Algorithm::HS512, DecodingKeyKind::SecretOrDer(s)) => hmac(hmac::HMAC_SHA512, s),
            (Algorithm::ES256, DecodingKeyKind::SecretOrDer(point)) => {
                public(&sig::ECDSA_P256_SHA256_FIXED, point)
            }
            (Algorithm::ES384, DecodingKeyKind::SecretOrDer(point)) => {
                public(&sig::ECDSA_P384_SHA384_FIXED, point)
            }
            (Algorithm::EdDSA, DecodingKeyKind::SecretOrDer(raw)) => public(&sig::ED25519, raw),
            (rsa, DecodingKeyKind::RsaModulusExponent { n, e }) => {
                let params: &'static sig::RsaParameters = match rsa {
                    Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
                    Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
                    Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
                    Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
                    Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
                    Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
                    _ => return None,
                };
                public(params, &pkcs1(n, e))
            }
            _ => None,
        }
    }
}
