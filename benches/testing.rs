//! What the test kit's keys cost: making an issuer and its first token of each key family,
//! and a token once the keys exist. RSA is timed through a rotation, which makes a new key
//! (the first generation's RSA key is made once per process and shared).
//!
//! Run: `cargo bench --bench testing -- --warm-up-time 1 --measurement-time 4`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use jsonwebtoken::Algorithm;
use tower_jwt_auth::testing::TestIssuer;

fn first_token(c: &mut Criterion) {
    let mut group = c.benchmark_group("new issuer, first token");
    for alg in [
        Algorithm::HS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ] {
        group.bench_function(format!("{alg:?}"), |b| {
            b.iter(|| {
                let issuer = TestIssuer::new("https://idp.test");
                black_box(issuer.token().algorithm(alg).sign())
            });
        });
    }
    group.sample_size(10);
    let issuer = TestIssuer::new("https://idp.test");
    group.bench_function("RS256 (a new RSA-2048 key)", |b| {
        b.iter(|| {
            issuer.rotate();
            issuer.retire_old_keys();
            black_box(issuer.token().algorithm(Algorithm::RS256).sign())
        });
    });
    group.finish();
}

fn next_token(c: &mut Criterion) {
    let mut group = c.benchmark_group("token, keys made");
    let issuer = TestIssuer::new("https://idp.test");
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
    ] {
        black_box(issuer.token().algorithm(alg).sign());
        group.bench_function(format!("{alg:?}"), |b| {
            b.iter(|| black_box(issuer.token().algorithm(alg).subject("ann").sign()));
        });
    }
    group.finish();
}

criterion_group!(testing_benches, first_token, next_token);
criterion_main!(testing_benches);
