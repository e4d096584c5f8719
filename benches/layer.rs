//! What the middleware costs on top of `jsonwebtoken::decode`.
//!
//! For each algorithm, one criterion group with two benchmarks over the same token, key and
//! checks (issuer, audience, `exp` required, 60 s leeway):
//! - `jsonwebtoken::decode`: the library call alone, key parsed once outside the loop;
//! - `layer`: one request through `JwtAuthLayer` (with `StaticKeys`) around a trivial service;
//! - `layer, cache hit`: the same with the verified-token cache on, the token already in it;
//! - `issuers_1`, `issuers_100` (HS256, RS256): the same token through the layer over `Issuers`
//!   with 1 and 100 issuers, the token's last (the builder names no issuer: the layer takes
//!   `Issuers`' list), each issuer with its own `StaticKeys` and the audience;
//! - `layer, fresh token` and `cache_miss_full_100k` (HS256): a token never seen before on
//!   every iteration (signed in the untimed setup), through the layer without a cache and with
//!   a cache of 100,000 filled with 110,000 distinct tokens first, so that every timed request
//!   is a miss, a verification and an insert that evicts.
//!
//! A `remote` group compares one RS256 request with the key from a `RemoteJwks` (fetched once,
//! from memory) against the same key from `StaticKeys`.
//!
//! The static-key path completes on the first poll, so the layer future is driven with
//! `now_or_never`, without any async runtime.
//!
//! Run: `cargo bench --bench layer -- --warm-up-time 1 --measurement-time 4`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use http::StatusCode;
use jsonwebtoken::{decode, encode, Algorithm, Header};

#[path = "support/mod.rs"]
mod support;
use support::*;

fn bench_algorithm(c: &mut Criterion, alg: Algorithm) {
    let (encoding_key, decoding_key, static_keys) = keys(alg);
    let token = sign(alg, &encoding_key);

    // jsonwebtoken on its own, with the checks the layer is configured with.
    let validation = validation(alg);
    let decoded = decode::<BenchClaims>(&token, &decoding_key, &validation).unwrap();
    assert_eq!(decoded.claims.sub, BenchClaims::new().sub);

    // The same key and checks through the layer, without and with the token cache. The
    // request is built inside each iteration, as a server builds one per incoming request.
    let svc = layer_for(static_keys, false);
    let cached = layer_for(keys(alg).2, true);
    let bearer = bearer(&token);
    assert_eq!(
        drive(&svc, request(&bearer)),
        StatusCode::OK,
        "the static-key path is ready at once"
    );
    assert_eq!(
        drive(&cached, request(&bearer)),
        StatusCode::OK,
        "fills the cache"
    );

    let mut group = c.benchmark_group(format!("{alg:?}"));
    group.bench_function("jsonwebtoken::decode", |b| {
        b.iter(|| decode::<BenchClaims>(black_box(&token), &decoding_key, &validation).unwrap())
    });
    group.bench_function("layer", |b| b.iter(|| drive(&svc, request(&bearer))));
    group.bench_function("layer, cache hit", |b| {
        b.iter(|| drive(&cached, request(&bearer)))
    });
    if matches!(alg, Algorithm::HS256 | Algorithm::RS256) {
        for count in [1, 100] {
            let svc = layer_over_issuers(issuers(alg, count));
            assert_eq!(drive(&svc, request(&bearer)), StatusCode::OK);
            group.bench_function(format!("issuers_{count}"), |b| {
                b.iter(|| drive(&svc, request(&bearer)))
            });
        }
    }
    if alg == Algorithm::HS256 {
        bench_cache_miss(&mut group, alg, &encoding_key);
    }
    group.finish();
}

/// The capacity of the full cache that `cache_miss_full_100k` misses.
const MISS_CAPACITY: usize = 100_000;

/// A token never seen before on every iteration, without a cache and with a full cache.
fn bench_cache_miss(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    alg: Algorithm,
    encoding_key: &jsonwebtoken::EncodingKey,
) {
    // 10 % more distinct tokens than the capacity, so that every shard of the cache is full.
    let svc = layer_with_cache(static_keys(alg), None);
    let full = layer_with_cache(static_keys(alg), Some(MISS_CAPACITY));
    let mut numbered = 0;
    let mut fresh = || {
        numbered += 1;
        bearer(&sign_claims(
            alg,
            encoding_key,
            &BenchClaims::numbered(numbered),
        ))
    };
    for _ in 0..MISS_CAPACITY + MISS_CAPACITY / 10 {
        assert_eq!(drive(&full, request(&fresh())), StatusCode::OK);
    }
    // Signed in the setup, which is not timed; dropped after the timing too.
    group.bench_function("layer, fresh token", |b| {
        b.iter_batched_ref(
            &mut fresh,
            |bearer| drive(&svc, request(bearer)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("cache_miss_full_100k", |b| {
        b.iter_batched_ref(
            &mut fresh,
            |bearer| drive(&full, request(bearer)),
            BatchSize::SmallInput,
        )
    });
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
    let bearer = bearer(&token);

    let remote_svc = layer_for(remote, false);
    let static_svc = layer_for(static_keys, false);
    assert_eq!(drive(&remote_svc, request(&bearer)), StatusCode::OK);
    assert_eq!(drive(&static_svc, request(&bearer)), StatusCode::OK);

    let mut group = c.benchmark_group("remote");
    group.bench_function("RS256, StaticKeys", |b| {
        b.iter(|| drive(&static_svc, request(&bearer)))
    });
    group.bench_function("RS256, RemoteJwks", |b| {
        b.iter(|| drive(&remote_svc, request(&bearer)))
    });
    group.finish();
}

/// A requirement check against the grants of a token with 20 scopes and 5 roles, the needed
/// scope last (the worst case of the linear scan).
fn bench_requirement(c: &mut Criterion) {
    use tower_jwt_auth::{Grants, Require};
    let scopes: Vec<String> = (0..20).map(|i| format!("service{i:02}:read")).collect();
    let roles = ["viewer", "editor", "billing", "support", "admin"];
    let grants = Grants::new(scopes.iter().map(String::as_str), roles);
    let one = Require::scope("service19:read");
    let composed = Require::all_scopes(["service05:read", "service19:read"])
        .and(Require::role("admin").or(Require::scope("service00:read")));
    let unmet = Require::scope("service19:write");
    let mut group = c.benchmark_group("authorization");
    group.bench_function("one scope, 20 granted", |b| {
        b.iter(|| std::hint::black_box(&one).check(std::hint::black_box(&grants)))
    });
    group.bench_function("composed, 20 granted", |b| {
        b.iter(|| std::hint::black_box(&composed).check(std::hint::black_box(&grants)))
    });
    group.bench_function("unmet, 20 granted", |b| {
        b.iter(|| std::hint::black_box(&unmet).check(std::hint::black_box(&grants)))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    install_provider();
    for alg in ALGORITHMS {
        bench_algorithm(c, alg);
    }
    #[cfg(feature = "remote")]
    bench_remote(c);
}

criterion_group!(layer_benches, benches, bench_requirement);
criterion_main!(layer_benches);
