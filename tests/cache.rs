//! The verified-token cache: hits skip the signature check, but never the time checks, the
//! application check, or a key that is gone.

mod support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use http::{Request, Response, StatusCode};
use jsonwebtoken::Algorithm;
use support::*;
use tower::{service_fn, Layer, Service};
use tower_jwt_auth::{AuthError, AuthErrorKind, Claims, JwtAuthLayer, TokenHeader, VerifyingKey};

/// A key source over a swappable key that counts its lookups, and a clock that can move.
struct Rig {
    key: Arc<Mutex<Arc<VerifyingKey>>>,
    lookups: Arc<AtomicUsize>,
    checks: Arc<AtomicUsize>,
    now: Arc<AtomicU64>,
    /// Signatures checked on this thread before the rig was made.
    baseline: usize,
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
            baseline: signature_checks(),
        }
    }

    fn service(
        &self,
        capacity: usize,
        lifetime: Duration,
    ) -> impl Service<Request<String>, Response = Response<String>, Error = Infallible> + Clone
    {
        let (key, lookups) = (self.key.clone(), self.lookups.clone());
        let source = move |_: &TokenHeader<'_>| {
            lookups.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok(key.lock().unwrap().clone()))
        };
        let (now, checks) = (self.now.clone(), self.checks.clone());
        let layer: JwtAuthLayer<TestClaims, _> = JwtAuthLayer::<TestClaims>::builder(source)
            .crypto_provider(counting_backend())
            .clock(move || UNIX_EPOCH + Duration::from_secs(now.load(Ordering::SeqCst)))
            .cache(capacity, lifetime)
            .check(move |_, _| {
                checks.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .build()
            .unwrap();
        layer.layer(inner_service(Calls::default(), subject))
    }

    /// Signatures the layer checked since the rig was made.
    fn verified(&self) -> usize {
        signature_checks() - self.baseline
    }

    /// Times the layer asked the key source.
    fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_token_seen_before_skips_the_key_and_signature() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(300));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    for _ in 0..5 {
        let r = send(&svc, bearer(&token)).await;
        assert_eq!((r.status(), r.body().as_str()), (StatusCode::OK, "ann"));
    }
    assert_eq!(
        rig.verified(),
        1,
        "only the first request verified the signature"
    );
    assert_eq!(
        rig.lookups(),
        5,
        "every hit asks the key source, as a fresh verification would"
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
        assert_eq!(send(&svc, bearer(&ann)).await.body(), "ann");
        assert_eq!(send(&svc, bearer(&bob)).await.body(), "bob");
    }
    assert_eq!(rig.verified(), 2);
}

#[tokio::test]
async fn expiry_is_checked_again_on_every_hit() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(3600));
    let token = mint(Algorithm::RS256, &TestClaims::valid()); // exp = NOW + 600
    assert_eq!(send(&svc, bearer(&token)).await.status(), StatusCode::OK);
    rig.now.store(NOW + 599, Ordering::SeqCst);
    assert_eq!(send(&svc, bearer(&token)).await.status(), StatusCode::OK);
    assert_eq!(rig.verified(), 1);
    rig.now.store(NOW + 600 + 59, Ordering::SeqCst);
    assert_eq!(
        send(&svc, bearer(&token)).await.status(),
        StatusCode::OK,
        "inside the leeway"
    );
    assert_eq!(
        rig.verified(),
        2,
        "an entry lives no longer than the token's exp"
    );
    rig.now.store(NOW + 600 + 61, Ordering::SeqCst);
    let r = send(&svc, bearer(&token)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(matches!(error_kind(&r), AuthErrorKind::Expired { .. }));
}

#[tokio::test]
async fn entries_live_no_longer_than_the_maximum_lifetime() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(30));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    send(&svc, bearer(&token)).await;
    rig.now.store(NOW + 29, Ordering::SeqCst);
    send(&svc, bearer(&token)).await;
    assert_eq!(rig.verified(), 1);
    rig.now.store(NOW + 31, Ordering::SeqCst);
    assert_eq!(send(&svc, bearer(&token)).await.status(), StatusCode::OK);
    assert_eq!(rig.verified(), 2, "verified again after the lifetime");
}

#[tokio::test]
async fn an_entry_dies_with_the_key_that_verified_it() {
    let rig = Rig::new();
    let svc = rig.service(100, Duration::from_secs(300));
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    send(&svc, bearer(&token)).await;
    // The key set is replaced by one without that key (another RSA key).
    *rig.key.lock().unwrap() =
        Arc::new(VerifyingKey::from_rsa_pem(RSA2_PUBLIC.as_bytes(), Algorithm::RS256).unwrap());
    let r = send(&svc, bearer(&token)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_kind(&r), AuthErrorKind::InvalidSignature);
    assert_eq!(rig.verified(), 2);
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
            error_kind(&send(&svc, bearer(&forged)).await),
            AuthErrorKind::InvalidSignature
        );
    }
    assert_eq!(rig.verified(), 3);
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
        assert_eq!(send(&svc, bearer(token)).await.status(), StatusCode::OK);
    }
    let before = rig.verified();
    for token in &tokens {
        send(&svc, bearer(token)).await;
    }
    // With room for 4 entries, most of the 50 tokens had to be verified again.
    assert!(
        rig.verified() - before >= 40,
        "{} new lookups",
        rig.verified() - before
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
        assert_eq!(send(&svc, bearer(&token)).await.status(), StatusCode::OK);
    }
    let seen = seen.lock().unwrap();
    assert_eq!(*seen[0], TestClaims::valid());
    assert!(
        Arc::ptr_eq(&seen[0], &seen[1]) && Arc::ptr_eq(&seen[1], &seen[2]),
        "every hit hands on the claims verified the first time"
    );
}

/// A key source whose answer the test sets: a key, or an error.
type KeyAnswer = Arc<Mutex<Result<Arc<VerifyingKey>, AuthErrorKind>>>;

fn layer_asking(answer: &KeyAnswer) -> JwtAuthLayer<TestClaims, impl tower_jwt_auth::KeySource> {
    let answer = answer.clone();
    let source = move |_: &TokenHeader<'_>| {
        let answer = answer.lock().unwrap().clone();
        std::future::ready(answer.map_err(AuthError::new))
    };
    JwtAuthLayer::<TestClaims>::builder(source)
        .crypto_provider(counting_backend())
        .clock(clock)
        .cache(100, Duration::from_secs(3600))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_cached_token_gets_503_when_the_key_source_cannot_vouch_for_its_key() {
    let answer: KeyAnswer = Arc::new(Mutex::new(Ok(rsa_key())));
    let layer = layer_asking(&answer);
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    assert_eq!(
        through(&layer, bearer(&token)).await.0.status(),
        StatusCode::OK
    );
    // The key set went too stale: a fresh verification would get 503, so must a hit.
    *answer.lock().unwrap() = Err(AuthErrorKind::KeysUnavailable {
        retry_after: Some(Duration::from_secs(7)),
    });
    let r = through(&layer, bearer(&token)).await.0;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "7");
    // The key was removed from the set: 401, as for a token never seen.
    *answer.lock().unwrap() = Err(AuthErrorKind::UnknownKey);
    let r = through(&layer, bearer(&token)).await.0;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_kind(&r), AuthErrorKind::UnknownKey);
}

#[tokio::test]
async fn a_hit_stands_only_for_the_key_that_verified_the_token() {
    let key = rsa_key();
    let answer: KeyAnswer = Arc::new(Mutex::new(Ok(key.clone())));
    let layer = layer_asking(&answer);
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    let before = signature_checks();
    assert_eq!(
        through(&layer, bearer(&token)).await.0.status(),
        StatusCode::OK
    );
    assert_eq!(
        through(&layer, bearer(&token)).await.0.status(),
        StatusCode::OK
    );
    assert_eq!(
        signature_checks() - before,
        1,
        "the second request was a hit"
    );
    // A refresh parsed the same key again: a new key object, so the token is verified again.
    *answer.lock().unwrap() = Ok(rsa_key());
    assert_eq!(
        through(&layer, bearer(&token)).await.0.status(),
        StatusCode::OK
    );
    assert_eq!(signature_checks() - before, 2);
    // While the entry's key is still alive but no longer the answer, a hit is refused.
    *answer.lock().unwrap() = Ok(Arc::new(
        VerifyingKey::from_rsa_pem(RSA2_PUBLIC.as_bytes(), Algorithm::RS256).unwrap(),
    ));
    let r = through(&layer, bearer(&token)).await.0;
    assert_eq!(error_kind(&r), AuthErrorKind::InvalidSignature);
    drop(key);
}

#[tokio::test]
async fn a_hit_needs_the_signature_that_verified() {
    let answer: KeyAnswer = Arc::new(Mutex::new(Ok(rsa_key())));
    let layer = layer_asking(&answer);
    let good = mint(Algorithm::RS256, &TestClaims::valid());
    assert_eq!(
        through(&layer, bearer(&good)).await.0.status(),
        StatusCode::OK
    );
    // Same signed bytes, another token's signature: not the cached token.
    let other = mint(
        Algorithm::RS256,
        &TestClaims {
            sub: "eve".into(),
            ..TestClaims::valid()
        },
    );
    let (message, _) = good.rsplit_once('.').unwrap();
    let (_, signature) = other.rsplit_once('.').unwrap();
    let forged = format!("{message}.{signature}");
    let r = through(&layer, bearer(&forged)).await.0;
    assert_eq!(error_kind(&r), AuthErrorKind::InvalidSignature);
    assert_eq!(
        through(&layer, bearer(&good)).await.0.status(),
        StatusCode::OK
    );
}

/// The order of the P-256 group.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The other valid spelling of an ES256 token: `s` replaced by `n - s`.
fn twin(token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let (message, signature) = token.rsplit_once('.').unwrap();
    let mut signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(P256_N[i]) - i16::from(signature[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        signature[32 + i] = d.rem_euclid(256) as u8;
    }
    assert_eq!(borrow, 0);
    format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[tokio::test]
async fn both_spellings_of_an_ecdsa_token_share_one_cache_entry() {
    let key =
        Arc::new(VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap());
    let token = mint(Algorithm::ES256, &TestClaims::valid());
    let other = twin(&token);
    assert_ne!(token, other);

    // Malleability is real: without a cache, both spellings verify.
    let uncached: JwtAuthLayer<TestClaims, _> = builder(
        tower_jwt_auth::StaticKeys::new()
            .ec_pem(EC256_PUBLIC, Algorithm::ES256)
            .unwrap(),
    )
    .build()
    .unwrap();
    assert_eq!(
        through(&uncached, bearer(&other)).await.0.status(),
        StatusCode::OK
    );

    let answer: KeyAnswer = Arc::new(Mutex::new(Ok(key)));
    let layer = layer_asking(&answer);
    let before = signature_checks();
    assert_eq!(
        through(&layer, bearer(&token)).await.0.status(),
        StatusCode::OK
    );
    assert_eq!(
        through(&layer, bearer(&other)).await.0.status(),
        StatusCode::OK
    );
    assert_eq!(
        signature_checks() - before,
        1,
        "the second spelling is the same signed token: one entry, one check"
    );
    assert_eq!(
        through(&layer, bearer(&twin(&other))).await.0.status(),
        StatusCode::OK
    );
    assert_eq!(signature_checks() - before, 1);
}
