//! The verified-token cache: hits skip the signature check, but never the time checks, the
//! application check, or a key that is gone.

mod common;

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use http::{Request, Response, StatusCode};
use jsonwebtoken::Algorithm;
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_jwt_auth::{AuthError, AuthErrorKind, Claims, JwtAuthLayer, TokenHeader, VerifyingKey};

/// A key source over a swappable key that counts its lookups, and a clock that can move.
struct Rig {
    key: Arc<Mutex<Arc<VerifyingKey>>>,
    lookups: Arc<AtomicUsize>,
    checks: Arc<AtomicUsize>,
    now: Arc<AtomicU64>,
}

fn rsa_key() -> Arc<VerifyingKey> {
    Arc::new(VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap())
}

impl Rig {
    fn new() -> Self {
        Self {
            key: Arc::new(Mutex::new(rsa_key())),
            lookups: Arc::default(),
            checks: Arc::default(),
            now: Arc::new(AtomicU64::new(NOW)),
        }
    }

    fn service(
        &self,
        capacity: usize,
        lifetime: Duration,
    ) -> impl Service<Request<()>, Response = Response<String>, Error = Infallible> + Clone {
        let (key, lookups) = (self.key.clone(), self.lookups.clone());
        let source = move |_: &TokenHeader<'_>| {
            lookups.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(key.lock().unwrap().clone()))
        };
        let (now, checks) = (self.now.clone(), self.checks.clone());
        let layer: JwtAuthLayer<TestClaims, _> =
            with_backend(JwtAuthLayer::<TestClaims>::builder(source))
                .clock(move || UNIX_EPOCH + Duration::from_secs(now.load(Ordering::SeqCst)))
                .cache(capacity, lifetime)
                .check(move |_, _| {
                    checks.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
                .build()
                .unwrap();
        layer.layer(service_fn(|req: Request<()>| async move {
            let Claims(c) = req
                .extensions()
                .get::<Claims<TestClaims>>()
                .cloned()
                .unwrap();
            Ok::<_, Infallible>(Response::new(c.sub.clone()))
        }))
    }

    fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }
}

async fn send<S>(svc: &S, token: &str) -> Response<String>
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible> + Clone,
{
    let req = Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap();
    svc.clone().oneshot(req).await.unwrap()
}

fn kind(response: &Response<String>) -> AuthErrorKind {
    response
        .extensions()
        .get::<AuthError>()
        .expect("rejections carry their error")
        .kind()
        .clone()
}

#[tokio::test]
async fn a_token_seen_before_skips_the_key_and_signature() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(300));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    for _ in 0..5 {
        let r = send(&svc, &token).await;
        assert_eq!((r.status(), r.body().as_str()), (StatusCode::OK, "ann"));
    }
    assert_eq!(
        rig.lookups(),
        1,
        "only the first request verified the signature"
    );
    assert_eq!(
        rig.checks.load(Ordering::SeqCst),
        5,
        "the application check runs on every hit"
    );
}

#[tokio::test]
async fn each_token_has_its_own_entry() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(300));
    let ann = mint(Algorithm::RS256, &TestClaims::valid());
    let bob = mint(
        Algorithm::RS256,
        &TestClaims {
            sub: "bob".into(),
            ..TestClaims::valid()
        },
    );
    for _ in 0..2 {
        assert_eq!(send(&svc, &ann).await.body(), "ann");
        assert_eq!(send(&svc, &bob).await.body(), "bob");
    }
    assert_eq!(rig.lookups(), 2);
}

#[tokio::test]
async fn expiry_is_checked_again_on_every_hit() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(3600));
    let token = mint(Algorithm::RS256, &TestClaims::valid()); // exp = NOW + 600
    assert_eq!(send(&svc, &token).await.status(), StatusCode::OK);
    rig.now.store(NOW + 599, Ordering::SeqCst);
    assert_eq!(send(&svc, &token).await.status(), StatusCode::OK);
    assert_eq!(rig.lookups(), 1);
    rig.now.store(NOW + 600 + 59, Ordering::SeqCst);
    assert_eq!(
        send(&svc, &token).await.status(),
        StatusCode::OK,
        "inside the leeway"
    );
    assert_eq!(
        rig.lookups(),
        2,
        "an entry lives no longer than the token's exp"
    );
    rig.now.store(NOW + 600 + 61, Ordering::SeqCst);
    let r = send(&svc, &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(matches!(kind(&r), AuthErrorKind::Expired { .. }));
}

#[tokio::test]
async fn entries_live_no_longer_than_the_maximum_lifetime() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(30));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    send(&svc, &token).await;
    rig.now.store(NOW + 29, Ordering::SeqCst);
    send(&svc, &token).await;
    assert_eq!(rig.lookups(), 1);
    rig.now.store(NOW + 31, Ordering::SeqCst);
    assert_eq!(send(&svc, &token).await.status(), StatusCode::OK);
    assert_eq!(rig.lookups(), 2, "verified again after the lifetime");
}

#[tokio::test]
async fn an_entry_dies_with_the_key_that_verified_it() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(300));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    send(&svc, &token).await;
    // The key set is replaced by one without that key (another RSA key).
    *rig.key.lock().unwrap() =
        Arc::new(VerifyingKey::from_rsa_pem(RSA2_PUBLIC.as_bytes(), Algorithm::RS256).unwrap());
    let r = send(&svc, &token).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(kind(&r), AuthErrorKind::InvalidSignature);
    assert_eq!(rig.lookups(), 2);
}

#[tokio::test]
async fn failures_are_never_cached() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(300));
    let forged = {
        let good = mint(Algorithm::RS256, &TestClaims::valid());
        let other = mint(
            Algorithm::RS256,
            &TestClaims {
                sub: "eve".into(),
                ..TestClaims::valid()
            },
        );
        let (head, _) = good.rsplit_once('.').unwrap();
        let (_, sig) = other.rsplit_once('.').unwrap();
        format!("{head}.{sig}")
    };
    for _ in 0..3 {
        assert_eq!(
            kind(&send(&svc, &forged).await),
            AuthErrorKind::InvalidSignature
        );
    }
    assert_eq!(rig.lookups(), 3);
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let rig = Rig::new();
    let svc = rig.service(4, Duration::from_secs(300));
    let tokens: Vec<String> = (0..50)
        .map(|i| {
            mint(
                Algorithm::RS256,
                &TestClaims {
                    sub: format!("u{i}"),
                    ..TestClaims::valid()
                },
            )
        })
        .collect();
    for token in &tokens {
        assert_eq!(send(&svc, token).await.status(), StatusCode::OK);
    }
    let before = rig.lookups();
    for token in &tokens {
        send(&svc, token).await;
    }
    // With room for 4 entries, most of the 50 tokens had to be verified again.
    assert!(
        rig.lookups() - before >= 40,
        "{} new lookups",
        rig.lookups() - before
    );
}

#[test]
fn a_cache_without_room_is_a_build_error() {
    let keys = tower_jwt_auth::StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap();
    assert!(builder::<TestClaims, _>(keys)
        .cache(0, Duration::from_secs(1))
        .build()
        .is_err());
}

#[tokio::test]
async fn a_hit_shares_the_verified_claims_instead_of_copying_them() {
    let seen: Arc<Mutex<Vec<Arc<TestClaims>>>> = Arc::default();
    let keys = tower_jwt_auth::StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap();
    let layer: JwtAuthLayer<TestClaims, _> = builder(keys)
        .cache(100, Duration::from_secs(300))
        .build()
        .unwrap();
    let record = seen.clone();
    let svc = layer.layer(service_fn(move |req: Request<()>| {
        let Claims(claims) = req.extensions().get::<Claims<TestClaims>>().unwrap();
        record.lock().unwrap().push(claims.clone());
        std::future::ready(Ok::<_, Infallible>(Response::new(String::new())))
    }));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    for _ in 0..3 {
        assert_eq!(send(&svc, &token).await.status(), StatusCode::OK);
    }
    let seen = seen.lock().unwrap();
    assert_eq!(*seen[0], TestClaims::valid());
    assert!(
        Arc::ptr_eq(&seen[0], &seen[1]) && Arc::ptr_eq(&seen[1], &seen[2]),
        "every hit hands on the claims verified the first time"
    );
}
