//! Heap allocations per verified request, counted with a counting global allocator.
//!
//! Run: `cargo bench --bench allocations`. Prints, per algorithm, the allocations of one
//! request through the layer (token cache off, and a cache hit) next to one
//! `jsonwebtoken::decode` of the same token. Counts, not times: the same on every machine.

use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::FutureExt;
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tower::{service_fn, Layer, ServiceExt};
use tower_jwt_auth::{JwtAuthLayer, StaticKeys};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[derive(Clone, Serialize, Deserialize)]
struct BenchClaims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    scope: String,
    roles: Vec<String>,
}

const ISSUER: &str = "https://idp.example.com";
const AUDIENCE: &str = "api";
const ROUNDS: usize = 1000;

/// Allocations per call of `f`, averaged over `ROUNDS` calls.
fn per_call(mut f: impl FnMut()) -> f64 {
    f();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..ROUNDS {
        f();
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / ROUNDS as f64
}

fn main() {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
    let secret = [7u8; 64];
    let rsa_private = include_str!("../tests/keys/rsa_private.pem").as_bytes();
    let rsa_public = include_str!("../tests/keys/rsa_public.pem");
    let ec_private = include_str!("../tests/keys/ec256_private.pem").as_bytes();
    let ec_public = include_str!("../tests/keys/ec256_public.pem");
    let ed_private = include_str!("../tests/keys/ed25519_private.pem").as_bytes();
    let ed_public = include_str!("../tests/keys/ed25519_public.pem");
    let cases = [
        (
            Algorithm::HS256,
            EncodingKey::from_secret(&secret),
            DecodingKey::from_secret(&secret),
            StaticKeys::new().secret(&secret, Algorithm::HS256).unwrap(),
        ),
        (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(rsa_private).unwrap(),
            DecodingKey::from_rsa_pem(rsa_public.as_bytes()).unwrap(),
            StaticKeys::new()
                .rsa_pem(rsa_public, Algorithm::RS256)
                .unwrap(),
        ),
        (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(ec_private).unwrap(),
            DecodingKey::from_ec_pem(ec_public.as_bytes()).unwrap(),
            StaticKeys::new()
                .ec_pem(ec_public, Algorithm::ES256)
                .unwrap(),
        ),
        (
            Algorithm::EdDSA,
            EncodingKey::from_ed_pem(ed_private).unwrap(),
            DecodingKey::from_ed_pem(ed_public.as_bytes()).unwrap(),
            StaticKeys::new().ed_pem(ed_public).unwrap(),
        ),
    ];
    let claims = BenchClaims {
        sub: "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f".into(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        exp: 4_000_000_000,
        scope: "openid profile email".into(),
        roles: vec!["user".into(), "admin".into()],
    };

    println!("| algorithm | layer | layer, cache hit | jsonwebtoken::decode |");
    println!("| --- | --- | --- | --- |");
    for (alg, encoding, decoding, keys) in cases {
        let token = encode(&Header::new(alg), &claims, &encoding).unwrap();
        let bearer = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        let mut counts = Vec::new();
        for cache in [false, true] {
            let builder = JwtAuthLayer::<BenchClaims>::builder(keys.clone())
                .issuer(ISSUER)
                .audience(AUDIENCE);
            #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
            let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
            let builder = if cache {
                builder.cache(100, std::time::Duration::from_secs(60))
            } else {
                builder
            };
            let svc = builder
                .build()
                .unwrap()
                .layer(service_fn(|_: Request<()>| async {
                    Ok::<_, Infallible>(Response::new(()))
                }));
            counts.push(per_call(|| {
                let request = Request::get("/")
                    .header("authorization", bearer.clone())
                    .body(())
                    .unwrap();
                let response = svc
                    .clone()
                    .oneshot(request)
                    .now_or_never()
                    .unwrap()
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }));
        }
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        counts.push(per_call(|| {
            decode::<BenchClaims>(&token, &decoding, &validation).unwrap();
        }));
        println!(
            "| {alg:?} | {:.1} | {:.1} | {:.1} |",
            counts[0], counts[1], counts[2]
        );
    }
}
