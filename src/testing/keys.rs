//! Signing keys for the test kit: made fresh at run time with the crate's own signature
//! backend, never read from files, and signed with through that backend's jsonwebtoken
//! provider (so the user's jsonwebtoken features and process default play no part).
//!
//! What a key costs to make is in the module documentation (`cargo bench --bench testing`):
//! microseconds for HMAC, EC and Ed25519, about 0.1 s for RSA-2048, so the first generation of
//! every issuer in a process shares one RSA key, made on first use (each issuer still names it
//! with its own `kid`s). A rotation makes a new one.

#![cfg_attr(
    not(any(feature = "rust-crypto", feature = "aws-lc-rs")),
    allow(dead_code)
)]
use std::sync::{Arc, OnceLock};

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};

/// Fills `bytes` from the operating system's random source.
pub(crate) fn random(bytes: &mut [u8]) {
    getrandom::getrandom(bytes).unwrap_or_else(|e| panic!("the test kit needs randomness: {e}"));
}

/// A short random text, for `kid`s, `jti`s and client secrets.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 9];
    random(&mut bytes);
    b64(&bytes)
}

/// Base64url without padding.
pub(crate) fn b64(bytes: &[u8]) -> String {
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(bytes)
}

/// The jsonwebtoken provider the kit signs with: the crate's own backend (aws-lc-rs when it
/// is enabled, RustCrypto otherwise).
pub(crate) fn provider() -> &'static CryptoProvider {
    #[cfg(feature = "aws-lc-rs")]
    {
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
    }
    #[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
    {
        &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
    }
    #[cfg(not(any(feature = "rust-crypto", feature = "aws-lc-rs")))]
    {
        panic!(
            "the test kit signs with the crate's backend: enable the `aws-lc-rs` or \
             `rust-crypto` feature of tower-jwt-auth"
        )
    }
}

/// Signs `message` as `alg` with `key`, returning the raw signature.
pub(crate) fn sign(alg: Algorithm, key: &EncodingKey, message: &[u8]) -> Vec<u8> {
    let signer = (provider().signer_factory)(&alg, key)
        .unwrap_or_else(|e| panic!("the test kit cannot sign {alg:?}: {e}"));
    signer
        .try_sign(message)
        .unwrap_or_else(|e| panic!("the test kit cannot sign {alg:?}: {e}"))
}

/// The key families the kit holds one key of per generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Hmac,
    Rsa,
    P256,
    P384,
    Ed25519,
}

impl Family {
    /// The family's place in a per-family array.
    pub(crate) fn slot(self) -> usize {
        match self {
            Self::Hmac => 0,
            Self::Rsa => 1,
            Self::P256 => 2,
            Self::P384 => 3,
            Self::Ed25519 => 4,
        }
    }

    pub(crate) fn of(alg: Algorithm) -> Self {
        match alg {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Self::Hmac,
            Algorithm::ES256 => Self::P256,
            Algorithm::ES384 => Self::P384,
            Algorithm::EdDSA => Self::Ed25519,
            _ => Self::Rsa,
        }
    }
}

/// One key pair (or secret): what signs, and the JWK members that publish it.
pub(crate) struct KeyMaterial {
    pub(crate) signing: EncodingKey,
    /// The public JWK members (`kty`, `n`/`e`, `crv`/`x`/`y`), or `kty: oct` with `k` for an
    /// HMAC secret.
    pub(crate) jwk: Value,
}

impl KeyMaterial {
    pub(crate) fn generate(family: Family) -> Self {
        match family {
            Family::Hmac => {
                // 64 bytes: long enough for HS512.
                let mut secret = [0u8; 64];
                random(&mut secret);
                Self {
                    signing: EncodingKey::from_secret(&secret),
                    jwk: json!({"kty": "oct", "k": b64(&secret)}),
                }
            }
            Family::Rsa => backend::rsa(),
            Family::P256 => backend::ec(Family::P256),
            Family::P384 => backend::ec(Family::P384),
            Family::Ed25519 => backend::ed25519(),
        }
    }

    /// A key of `family` that no issuer publishes, made once per process: what
    /// [`Defect::ForeignKey`](super::Defect::ForeignKey) signs with.
    pub(crate) fn foreign(family: Family) -> Arc<Self> {
        static FOREIGN: [OnceLock<Arc<KeyMaterial>>; 5] = [const { OnceLock::new() }; 5];
        let slot = &FOREIGN[family.slot()];
        Arc::clone(slot.get_or_init(|| Arc::new(Self::generate(family))))
    }

    /// The process's shared first RSA key (see the module's documentation).
    pub(crate) fn shared_rsa() -> Arc<Self> {
        static SHARED: OnceLock<Arc<KeyMaterial>> = OnceLock::new();
        Arc::clone(SHARED.get_or_init(|| Arc::new(Self::generate(Family::Rsa))))
    }
}

/// The PKCS#8 v1 document of an Ed25519 seed (RFC 8410).
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der
}

fn ed25519_jwk(public: &[u8]) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": b64(public)})
}

fn ec_jwk(family: Family, point: &[u8]) -> Value {
    let crv = if family == Family::P256 {
        "P-256"
    } else {
        "P-384"
    };
    let half = (point.len() - 1) / 2;
    json!({
        "kty": "EC",
        "crv": crv,
        "x": b64(&point[1..=half]),
        "y": b64(&point[1 + half..]),
    })
}

fn rsa_jwk(n: &[u8], e: &[u8]) -> Value {
    json!({"kty": "RSA", "n": b64(n), "e": b64(e)})
}

#[cfg(feature = "aws-lc-rs")]
mod backend {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
    use aws_lc_rs::signature::{
        EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING,
        ECDSA_P384_SHA384_FIXED_SIGNING,
    };
    use jsonwebtoken::EncodingKey;

    use super::{ec_jwk, ed25519_jwk, ed25519_pkcs8, random, rsa_jwk, Family, KeyMaterial};

    pub(super) fn rsa() -> KeyMaterial {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("aws-lc-rs makes an RSA key");
        let pkcs8 = pair.as_der().expect("aws-lc-rs encodes an RSA key");
        let pkcs1 =
            crate::key::der::pkcs8_private_key(pkcs8.as_ref()).expect("aws-lc-rs writes PKCS#8");
        let public = pair.public_key();
        KeyMaterial {
            signing: EncodingKey::from_rsa_der(pkcs1),
            jwk: rsa_jwk(
                public.modulus().big_endian_without_leading_zero(),
                public.exponent().big_endian_without_leading_zero(),
            ),
        }
    }

    pub(super) fn ec(family: Family) -> KeyMaterial {
        let alg = if family == Family::P256 {
            &ECDSA_P256_SHA256_FIXED_SIGNING
        } else {
            &ECDSA_P384_SHA384_FIXED_SIGNING
        };
        let pair = EcdsaKeyPair::generate(alg).expect("aws-lc-rs makes an EC key");
        let pkcs8 = pair.to_pkcs8v1().expect("aws-lc-rs encodes an EC key");
        KeyMaterial {
            signing: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk: ec_jwk(family, pair.public_key().as_ref()),
        }
    }

    pub(super) fn ed25519() -> KeyMaterial {
        let mut seed = [0u8; 32];
        random(&mut seed);
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed).expect("32 bytes are a seed");
        KeyMaterial {
            signing: EncodingKey::from_ed_der(&ed25519_pkcs8(&seed)),
            jwk: ed25519_jwk(pair.public_key().as_ref()),
        }
    }
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
mod backend {
    use jsonwebtoken::EncodingKey;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;

    use super::{ec_jwk, ed25519_jwk, ed25519_pkcs8, random, rsa_jwk, Family, KeyMaterial};

    /// The operating system's random source, as the RustCrypto crates take it.
    struct OsRandom;

    impl rsa::rand_core::RngCore for OsRandom {
        fn next_u32(&mut self) -> u32 {
            let mut bytes = [0u8; 4];
            random(&mut bytes);
            u32::from_le_bytes(bytes)
        }
        fn next_u64(&mut self) -> u64 {
            let mut bytes = [0u8; 8];
            random(&mut bytes);
            u64::from_le_bytes(bytes)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            random(dest);
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
            random(dest);
            Ok(())
        }
    }

    impl rsa::rand_core::CryptoRng for OsRandom {}

    pub(super) fn rsa() -> KeyMaterial {
        let key = rsa::RsaPrivateKey::new(&mut OsRandom, 2048).expect("rsa makes an RSA key");
        let pkcs1 = key.to_pkcs1_der().expect("rsa encodes an RSA key");
        KeyMaterial {
            signing: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
            jwk: rsa_jwk(&key.n().to_bytes_be(), &key.e().to_bytes_be()),
        }
    }

    pub(super) fn ec(family: Family) -> KeyMaterial {
        use p256::pkcs8::EncodePrivateKey;
        let (pkcs8, point) = if family == Family::P256 {
            let key = p256::SecretKey::random(&mut OsRandom);
            let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &key.public_key(),
                false,
            );
            (key.to_pkcs8_der(), point.as_bytes().to_vec())
        } else {
            let key = p384::SecretKey::random(&mut OsRandom);
            let point = p384::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &key.public_key(),
                false,
            );
            (key.to_pkcs8_der(), point.as_bytes().to_vec())
        };
        let pkcs8 = pkcs8.expect("the EC crates encode a key");
        KeyMaterial {
            signing: EncodingKey::from_ec_der(pkcs8.as_bytes()),
            jwk: ec_jwk(family, &point),
        }
    }

    pub(super) fn ed25519() -> KeyMaterial {
        let mut seed = [0u8; 32];
        random(&mut seed);
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        KeyMaterial {
            signing: EncodingKey::from_ed_der(&ed25519_pkcs8(&seed)),
            jwk: ed25519_jwk(public.as_bytes()),
        }
    }
}

#[cfg(not(any(feature = "rust-crypto", feature = "aws-lc-rs")))]
mod backend {
    use super::{provider, Family, KeyMaterial};

    pub(super) fn rsa() -> KeyMaterial {
        let _ = provider();
        unreachable!("provider() panics without a backend")
    }

    pub(super) fn ec(_: Family) -> KeyMaterial {
        rsa()
    }

    pub(super) fn ed25519() -> KeyMaterial {
        rsa()
    }
}
