//! What the middleware costs on top of `jsonwebtoken::decode`.
//!
//! For each algorithm, one criterion group with two benchmarks over the same token, key and
//! checks (issuer, audience, `exp` required, 60 s leeway):
//! - `jsonwebtoken::decode`: the library call alone, key parsed once outside the loop;
//! - `layer`: one request through `JwtAuthLayer` (with `StaticKeys`) around a trivial service.
//!
//! The static-key path completes on the first poll, so the layer future is driven with
//! `now_or_never`, without any async runtime.
//!
//! Run: `cargo bench --bench layer -- --warm-up-time 1 --measurement-time 4`

use std::convert::Infallible;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use futures_util::FutureExt;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tower::{service_fn, Layer, ServiceExt};
use tower_jwt_auth::{Claims, JwtAuthLayer, StaticKeys};

const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &str = include_str!("../tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../tests/keys/rsa_public.pem");
const EC256_PRIVATE: &str = include_str!("../tests/keys/ec256_private.pem");
const EC256_PUBLIC: &str = include_str!("../tests/keys/ec256_public.pem");
const EC384_PRIVATE: &str = include_str!("../tests/keys/ec384_private.pem");
const EC384_PUBLIC: &str = include_str!("../tests/keys/ec384_public.pem");
const ED_PRIVATE: &str = include_str!("../tests/keys/ed25519_private.pem");
const ED_PUBLIC: &str = include_str!("../tests/keys/ed25519_public.pem");

const ISSUER: &str = "https://idp.example.com/realms/production";
const AUDIENCE: &str = "https://api.example.com";

/// A typical access token's claims (about 300 bytes of JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BenchClaims {
    sub: String,
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
    fn new() -> Self {
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
}

/// The signing key, the same public key for jsonwebtoken, and the same key for the layer.
fn keys(alg: Algorithm) -> (EncodingKey, DecodingKey, StaticKeys) {
    match alg {
        Algorithm::HS256 => (
            EncodingKey::from_secret(HS_SECRET),
            DecodingKey::from_secret(HS_SECRET),
            StaticKeys::new().secret(HS_SECRET, alg).unwrap(),
        ),
        Algorithm::RS256 | Algorithm::PS256 => (
            EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().rsa_pem(RSA_PUBLIC, alg).unwrap(),
        ),
        Algorithm::ES256 => (
            EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC256_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().ec_pem(EC256_PUBLIC, alg).unwrap(),
        ),
        Algorithm::ES384 => (
            EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC384_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().ec_pem(EC384_PUBLIC, alg).unwrap(),
        ),
        Algorithm::EdDSA => (
            EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap(),
            StaticKeys::new().ed_pem(ED_PUBLIC).unwrap(),
        ),
        other => unreachable!("not benchmarked: {other:?}"),
    }
}

fn bench_algorithm(c: &mut Criterion, alg: Algorithm) {
    let (encoding_key, decoding_key, static_keys) = keys(alg);
    let claims = BenchClaims::new();
    let token = encode(&Header::new(alg), &claims, &encoding_key).unwrap();

    // jsonwebtoken on its own, with the checks the layer is configured with.
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_exp = true;
    validation.leeway = 60;
    let decoded = decode::<BenchClaims>(&token, &decoding_key, &validation).unwrap();
    assert_eq!(decoded.claims.sub, claims.sub);

    // The same key and checks, through the layer.
    let builder = JwtAuthLayer::<BenchClaims>::builder(static_keys)
        .issuer(ISSUER)
        .audience(AUDIENCE);
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let layer = builder
        .leeway(std::time::Duration::from_secs(60))
        .require_exp(true)
        .build()
        .unwrap();
    let svc = layer.layer(service_fn(|request: Request<()>| async move {
        black_box(request.extensions().get::<Claims<BenchClaims>>());
        Ok::<_, Infallible>(Response::new(()))
    }));

    // The request is built inside each iteration, as a server builds one per incoming request
    // (a `Request` with its `HeaderMap`); only the header value is prepared once, and cloning it
    // is a reference-count increment, so no `iter_batched` is needed.
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    let request = || {
        Request::get("/orders")
            .header(AUTHORIZATION, bearer.clone())
            .body(())
            .unwrap()
    };

    let response = svc
        .clone()
        .oneshot(request())
        .now_or_never()
        .expect("the static-key path is ready at once");
    assert_eq!(response.unwrap().status(), StatusCode::OK);

    let mut group = c.benchmark_group(format!("{alg:?}"));
    group.bench_function("jsonwebtoken::decode", |b| {
        b.iter(|| decode::<BenchClaims>(black_box(&token), &decoding_key, &validation).unwrap())
    });
    group.bench_function("layer", |b| {
        b.iter(|| {
            svc.clone()
                .oneshot(request())
                .now_or_never()
                .unwrap()
                .unwrap()
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    // jsonwebtoken needs a process default provider to sign (and for `decode`) when both
    // backends are enabled.
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ] {
        bench_algorithm(c, alg);
    }
}

criterion_group!(layer_benches, benches);
criterion_main!(layer_benches);
