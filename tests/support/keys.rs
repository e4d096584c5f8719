//! The key fixtures of `tests/keys/`, and keys made from them.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use tower_jwt_auth::StaticKeys;

use super::install_signing_provider;

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

/// The HS256 fixture secret, alone.
pub fn hs_keys() -> StaticKeys {
    StaticKeys::new()
        .secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
}

/// The RS256 fixture public key, alone.
pub fn rs256_keys() -> StaticKeys {
    StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap()
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

/// The public JWK of a fixture private key, with `alg` set.
pub fn public_jwk(private_pem: &str, alg: Algorithm) -> Jwk {
    let key = match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(private_pem.as_bytes()),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(private_pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(private_pem.as_bytes()),
    }
    .unwrap();
    jwk_of(&key, alg)
}

/// The public JWK of a signing key, with `alg` set.
pub fn jwk_of(key: &EncodingKey, alg: Algorithm) -> Jwk {
    install_signing_provider();
    Jwk::from_encoding_key(key, alg).unwrap()
}

/// The signing key of the second RSA fixture (`rsa2_private.pem`).
pub fn rsa2_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap()
}
