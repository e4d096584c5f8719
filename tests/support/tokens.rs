//! The claims most tests use, and tokens: minted by jsonwebtoken or made by hand.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::{encoding_key, install_signing_provider, AUDIENCE, HS_SECRET, ISSUER, NOW};

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
            iss: Some(ISSUER.into()),
            aud: Some(AUDIENCE.into()),
            scope: None,
        }
    }
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

/// A token for `claims` signed with the fixture key of `alg`.
pub fn mint<T: Serialize>(alg: Algorithm, claims: &T) -> String {
    mint_with(Header::new(alg), claims)
}

/// A token with a header of your own, signed with the fixture key of its `alg`.
pub fn mint_with<T: Serialize>(header: Header, claims: &T) -> String {
    mint_by(&encoding_key(header.alg), &header, claims)
}

/// A token with a header of your own, signed with a key of your own (not the fixture of its
/// algorithm).
pub fn mint_by<T: Serialize>(key: &EncodingKey, header: &Header, claims: &T) -> String {
    install_signing_provider();
    encode(header, claims, key).unwrap()
}

/// Base64url without padding, as in a compact JWS.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes of a base64url segment without padding.
pub fn unb64(segment: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(segment).unwrap()
}

/// `header.payload` of two JSON texts, taken as given (duplicates and all).
pub fn message(header: impl AsRef<[u8]>, payload: impl AsRef<[u8]>) -> String {
    format!("{}.{}", b64(header), b64(payload))
}

/// The base64url signature of `message` by `key` as `alg`.
pub fn signature(message: &str, key: &EncodingKey, alg: Algorithm) -> String {
    install_signing_provider();
    jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap()
}

/// The base64url HS256 signature of `message` by the fixture secret.
pub fn hs_signature(message: &str) -> String {
    signature(
        message,
        &EncodingKey::from_secret(HS_SECRET),
        Algorithm::HS256,
    )
}

/// A token over hand-made JSON signed with `key` as `alg`, whatever the header says.
pub fn sign(
    header: impl AsRef<[u8]>,
    payload: impl AsRef<[u8]>,
    key: &EncodingKey,
    alg: Algorithm,
) -> String {
    let message = message(header, payload);
    let signature = signature(&message, key, alg);
    format!("{message}.{signature}")
}

/// A token over hand-made JSON with a valid HS256 signature by the fixture secret.
pub fn hs_token(header: impl AsRef<[u8]>, payload: impl AsRef<[u8]>) -> String {
    let message = message(header, payload);
    format!("{message}.{}", hs_signature(&message))
}

/// A header for `alg`, naming `kid` when given.
pub fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut header = Header::new(alg);
    header.kid = kid.map(String::from);
    header
}

/// A token for [`TestClaims::valid`] whose header names `kid`, signed with the fixture key of
/// `alg`.
pub fn token_with_kid(alg: Algorithm, kid: &str) -> String {
    mint_with(header(alg, Some(kid)), &TestClaims::valid())
}
