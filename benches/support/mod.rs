//! Shared by the benches: the keys, the claims, the checks and the layer they all measure, so
//! that every bench compares the same thing.
#![allow(dead_code)]

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use futures_util::FutureExt;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tower::{service_fn, Layer, ServiceExt};
use tower_jwt_auth::{
    Claims, Issuers, JwtAuth, JwtAuthBuilder, JwtAuthLayer, KeySource, StaticKeys,
};

const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &str = include_str!("../../tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../../tests/keys/rsa_public.pem");
const EC256_PRIVATE: &str = include_str!("../../tests/keys/ec256_private.pem");
const EC256_PUBLIC: &str = include_str!("../../tests/keys/ec256_public.pem");
const EC384_PRIVATE: &str = include_str!("../../tests/keys/ec384_private.pem");
const EC384_PUBLIC: &str = include_str!("../../tests/keys/ec384_public.pem");
const ED_PRIVATE: &str = include_str!("../../tests/keys/ed25519_private.pem");
const ED_PUBLIC: &str = include_str!("../../tests/keys/ed25519_public.pem");

pub const ISSUER: &str = "https://idp.example.com/realms/production";
pub const AUDIENCE: &str = "https://api.example.com";

/// Every algorithm the benches measure.
pub const ALGORITHMS: [Algorithm; 6] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// A typical access token's claims (about 300 bytes of JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchClaims {
    pub sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
    scope: String,
    email: String,
    name: String,
    roles: Vec<String>,
}

impl BenchClaims {
    pub fn new() -> Self {
        Self {
            sub: "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: 4_000_000_000,
            iat: 1_767_225_600,
            scope: "openid profile email orders:read orders:write".into(),
            email: "ann.example@example.com".into(),
            name: "Ann Example".into(),
            roles: vec!["user".into(), "billing-admin".into(), "support".into()],
        }
    }

    /// The same claims with `iat` moved `n` seconds later: a token as long as the others (for
    /// `n` below 2,000,000,000), yet distinct, so it is never in a token cache.
    pub fn numbered(n: u32) -> Self {
        Self {
            iat: 1_767_225_600 + u64::from(n),
            ..Self::new()
        }
    }
}

/// Installs jsonwebtoken's process default provider, which it needs to sign (and for `decode`)
/// when both backends are enabled.
pub fn install_provider() {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
}

/// The signing key, the same public key for jsonwebtoken, and the same key for the layer.
pub fn keys(alg: Algorithm) -> (EncodingKey, DecodingKey, StaticKeys) {
    let (encoding_key, decoding_key) = match alg {
        Algorithm::HS256 => (
            EncodingKey::from_secret(HS_SECRET),
            DecodingKey::from_secret(HS_SECRET),
        ),
        Algorithm::RS256 | Algorithm::PS256 => (
            EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap(),
        ),
        Algorithm::ES256 => (
            EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC256_PUBLIC.as_bytes()).unwrap(),
        ),
        Algorithm::ES384 => (
            EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC384_PUBLIC.as_bytes()).unwrap(),
        ),
        Algorithm::EdDSA => (
            EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap(),
        ),
        other => unreachable!("not benchmarked: {other:?}"),
    };
    (encoding_key, decoding_key, static_keys(alg))
}

/// The layer's key for `alg`'s bench tokens, parsed anew on each call.
pub fn static_keys(alg: Algorithm) -> StaticKeys {
    match alg {
        Algorithm::HS256 => StaticKeys::new().secret(HS_SECRET, alg),
        Algorithm::RS256 | Algorithm::PS256 => StaticKeys::new().rsa_pem(RSA_PUBLIC, alg),
        Algorithm::ES256 => StaticKeys::new().ec_pem(EC256_PUBLIC, alg),
        Algorithm::ES384 => StaticKeys::new().ec_pem(EC384_PUBLIC, alg),
        Algorithm::EdDSA => StaticKeys::new().ed_pem(ED_PUBLIC),
        other => unreachable!("not benchmarked: {other:?}"),
    }
    .unwrap()
}

/// `count` trusted issuers (at least one, at most 1,000), each with its own `StaticKeys` for
/// `alg` (the same key material) and the audience [`AUDIENCE`]. The tokens' issuer [`ISSUER`]
/// comes last, so that a scan of the list in order goes through all of them; the others are
/// realms of the same server, as long as it and differing only in their last bytes
/// (`.../realms/tenant-001`), so that comparing one with `iss` is never cut short by the length.
pub fn issuers(alg: Algorithm, count: usize) -> Issuers<StaticKeys> {
    assert!((1..=1000).contains(&count), "1 to 1,000 issuers");
    (1..count)
        .fold(Issuers::new(), |issuers, i| {
            let issuer = format!("https://idp.example.com/realms/tenant-{i:03}");
            assert_eq!(issuer.len(), ISSUER.len());
            issuers.issuer(issuer, static_keys(alg), [AUDIENCE])
        })
        .issuer(ISSUER, static_keys(alg), [AUDIENCE])
}

/// A token with `BenchClaims`, signed with `alg`'s bench key.
pub fn sign(alg: Algorithm, encoding_key: &EncodingKey) -> String {
    sign_claims(alg, encoding_key, &BenchClaims::new())
}

/// A token with these claims, signed with `alg`'s bench key.
pub fn sign_claims(alg: Algorithm, encoding_key: &EncodingKey, claims: &BenchClaims) -> String {
    encode(&Header::new(alg), claims, encoding_key).unwrap()
}

/// jsonwebtoken's checks, set to what the layer checks: issuer, audience, `exp` required,
/// 60 s leeway.
pub fn validation(alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_exp = true;
    validation.leeway = 60;
    validation
}

/// The trivial inner service.
pub type Inner = fn(Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>>;

fn inner(request: Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>> {
    black_box(request.extensions().get::<Claims<BenchClaims>>());
    std::future::ready(Ok(Response::new(())))
}

/// The layer as measured (the same checks as [`validation`], which are its defaults plus the
/// issuer and audience), around a trivial service, optionally with the token cache.
pub fn layer_for<K: KeySource>(
    keys: K,
    cache: bool,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    layer_with_cache(keys, cache.then_some(10_000))
}

/// The same layer with a token cache of `capacity` tokens (5 minutes each), or none.
pub fn layer_with_cache<K: KeySource>(
    keys: K,
    capacity: Option<usize>,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    let builder = JwtAuthLayer::<BenchClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let builder = match capacity {
        Some(capacity) => builder.cache(capacity, Duration::from_secs(300)),
        None => builder,
    };
    finish(builder)
}

/// The same checks over [`Issuers`], which supplies both the trusted issuers (the layer
/// requires `iss` to be one of [`KeySource::issuers`] when the builder names none) and each
/// issuer's audience: the builder sets neither, so nothing is checked twice.
pub fn layer_over_issuers(
    issuers: Issuers<StaticKeys>,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, Issuers<StaticKeys>> {
    finish(JwtAuthLayer::<BenchClaims>::builder(issuers))
}

/// Builds the layer around the trivial service, with the provider both backends need.
fn finish<K: KeySource>(
    builder: JwtAuthBuilder<BenchClaims, K>,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let f: Inner = inner;
    builder.build().unwrap().layer(service_fn(f))
}

/// `Authorization: Bearer <token>`, prepared once: cloning it is a reference-count increment.
pub fn bearer(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {token}")).unwrap()
}

/// The request as a server builds one per incoming request (a `Request` with its `HeaderMap`).
pub fn request(bearer: &HeaderValue) -> Request<()> {
    Request::get("/orders")
        .header(AUTHORIZATION, bearer.clone())
        .body(())
        .unwrap()
}

/// One request through a service whose key lookup is ready at once (no runtime needed).
pub fn drive<S>(svc: &S, request: Request<()>) -> StatusCode
where
    S: tower::Service<Request<()>, Response = Response<()>, Error = Infallible> + Clone,
{
    svc.clone()
        .oneshot(request)
        .now_or_never()
        .expect("ready at once")
        .unwrap()
        .status()
}
