//! What the middleware costs on top of `jsonwebtoken::decode`.
//!
//! For each algorithm, one criterion group with two benchmarks over the same token, key and
//! checks (issuer, audience, `exp` required, 60 s leeway):
//! - `jsonwebtoken::decode`: the library call alone, key parsed once outside the loop;
//! - `layer`: one request through `JwtAuthLayer` (with `StaticKeys`) around a trivial service;
//! - `layer, cache hit`: the same with the verified-token cache on, the token already in it.
//!
//! A `remote` group compares one RS256 request with the key from a `RemoteJwks` (fetched once,
//! from memory) against the same key from `StaticKeys`.
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

    // The same key and checks (issuer, audience, `exp` required, 60 s leeway: the layer's
    // defaults), through the layer, without and with the token cache.
    let svc = layer_for(static_keys, false);
    let cached = layer_for(keys(alg).2, true);

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

    assert_eq!(
        drive(&svc, request()),
        StatusCode::OK,
        "the static-key path is ready at once"
    );

    assert_eq!(drive(&cached, request()), StatusCode::OK, "fills the cache");

    let mut group = c.benchmark_group(format!("{alg:?}"));
    group.bench_function("jsonwebtoken::decode", |b| {
        b.iter(|| decode::<BenchClaims>(black_box(&token), &decoding_key, &validation).unwrap())
    });
    group.bench_function("layer", |b| b.iter(|| drive(&svc, request())));
    group.bench_function("layer, cache hit", |b| b.iter(|| drive(&cached, request())));
    group.finish();
}

/// The trivial inner service.
type Inner = fn(Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>>;

fn inner(request: Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>> {
    black_box(request.extensions().get::<Claims<BenchClaims>>());
    std::future::ready(Ok(Response::new(())))
}

/// The layer as benchmarked, around a trivial service, optionally with the token cache.
fn layer_for<K: tower_jwt_auth::KeySource>(
    keys: K,
    cache: bool,
) -> tower_jwt_auth::JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    let builder = JwtAuthLayer::<BenchClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE);
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let builder = if cache {
        builder.cache(10_000, std::time::Duration::from_secs(300))
    } else {
        builder
    };
    let f: Inner = inner;
    builder.build().unwrap().layer(service_fn(f))
}

/// One request through a service whose key lookup is ready at once.
fn drive<S>(svc: &S, request: Request<()>) -> StatusCode
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

/// A remote key set served from memory: what a fetch would return.
#[cfg(feature = "remote")]
struct InMemory(Vec<u8>);

#[cfg(feature = "remote")]
impl tower_jwt_auth::JwksFetcher for InMemory {
    fn fetch(
        &self,
        _url: &str,
        _max_len: usize,
    ) -> futures_util::future::BoxFuture<
        'static,
        Result<tower_jwt_auth::Fetched, tower_jwt_auth::RemoteError>,
    > {
        let body = self.0.clone();
        Box::pin(async move { Ok(tower_jwt_auth::Fetched::new(body, None)) })
    }
}

/// The per-request cost of a cached remote key against a static key of the same algorithm.
#[cfg(feature = "remote")]
fn bench_remote(c: &mut Criterion) {
    let (encoding_key, _, static_keys) = keys(Algorithm::RS256);
    let mut jwk =
        jsonwebtoken::jwk::Jwk::from_encoding_key(&encoding_key, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("k1".into());
    let jwks = serde_json::to_vec(&jsonwebtoken::jwk::JwkSet { keys: vec![jwk] }).unwrap();
    let remote = tower_jwt_auth::RemoteJwks::builder("https://idp.example.com/jwks.json")
        .fetcher(InMemory(jwks))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(remote.refresh()).unwrap();

    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    let token = encode(&header, &BenchClaims::new(), &encoding_key).unwrap();
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    let request = || {
        Request::get("/orders")
            .header(AUTHORIZATION, bearer.clone())
            .body(())
            .unwrap()
    };

    let remote_svc = layer_for(remote, false);
    let static_svc = layer_for(static_keys, false);
    assert_eq!(drive(&remote_svc, request()), StatusCode::OK);
    assert_eq!(drive(&static_svc, request()), StatusCode::OK);

    let mut group = c.benchmark_group("remote");
    group.bench_function("RS256, StaticKeys", |b| {
        b.iter(|| drive(&static_svc, request()))
    });
    group.bench_function("RS256, RemoteJwks", |b| {
        b.iter(|| drive(&remote_svc, request()))
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
    #[cfg(feature = "remote")]
    bench_remote(c);
}

criterion_group!(layer_benches, benches);
criterion_main!(layer_benches);
