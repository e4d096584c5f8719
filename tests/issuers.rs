//! Several issuers behind one layer: the token's `iss` picks the keys and the audiences.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http::StatusCode;
use jsonwebtoken::Algorithm;
use support::*;
use tower::Layer;
use tower_jwt_auth::{AuthErrorKind, Issuers, KeySource, StaticKeys, TokenHeader, VerifyingKey};

const A: &str = "https://a.test";
const B: &str = "https://b.test";

fn claims(iss: &str, aud: &str) -> TestClaims {
    TestClaims {
        iss: Some(iss.into()),
        aud: Some(aud.into()),
        ..TestClaims::valid()
    }
}

/// The token's issuer: what the handler of these tests answers.
fn issuer(claims: Option<&TestClaims>) -> String {
    claims.unwrap().iss.clone().unwrap_or_default()
}

fn two_issuers() -> Issuers<StaticKeys> {
    Issuers::new()
        .issuer(
            A,
            StaticKeys::new()
                .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
                .unwrap(),
            ["api-a"],
        )
        .issuer(
            B,
            StaticKeys::new()
                .ec_pem(EC256_PUBLIC, Algorithm::ES256)
                .unwrap(),
            ["api-b"],
        )
}

#[tokio::test]
async fn each_issuer_verifies_with_its_own_keys_and_audiences() {
    let r = through_answering(
        &layer_over(two_issuers()),
        bearer(&mint(Algorithm::RS256, &claims(A, "api-a"))),
        issuer,
    )
    .await
    .0;
    assert_eq!((r.status(), r.body().as_str()), (StatusCode::OK, A));
    let r = through_answering(
        &layer_over(two_issuers()),
        bearer(&mint(Algorithm::ES256, &claims(B, "api-b"))),
        issuer,
    )
    .await
    .0;
    assert_eq!((r.status(), r.body().as_str()), (StatusCode::OK, B));
}

#[tokio::test]
async fn audiences_are_per_issuer() {
    let r = through_answering(
        &layer_over(two_issuers()),
        bearer(&mint(Algorithm::RS256, &claims(A, "api-b"))),
        issuer,
    )
    .await
    .0;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_kind(&r), AuthErrorKind::InvalidAudience);
}

#[tokio::test]
async fn a_token_cannot_borrow_another_issuers_keys() {
    // Signed with A's key, claiming to come from B: B's keys are consulted, and refuse.
    let r = through_answering(
        &layer_over(two_issuers()),
        bearer(&mint(Algorithm::RS256, &claims(B, "api-b"))),
        issuer,
    )
    .await
    .0;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_kind(&r), AuthErrorKind::UnsupportedAlgorithm);
}

/// A key source trusting issuer A that counts its lookups.
fn counted_issuer_a() -> (Issuers<impl KeySource>, Arc<AtomicUsize>) {
    let lookups = Arc::new(AtomicUsize::new(0));
    let counted = lookups.clone();
    let key =
        Arc::new(VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap());
    let source = move |_: &TokenHeader<'_>| {
        counted.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok(key.clone()))
    };
    (
        Issuers::new().issuer(A, source, Vec::<String>::new()),
        lookups,
    )
}

#[tokio::test]
async fn an_unknown_issuer_is_refused_before_any_key_lookup() {
    let (issuers, lookups) = counted_issuer_a();
    let token = mint(Algorithm::RS256, &claims("https://evil.test", "api"));
    let r = through_answering(&layer_over(issuers), bearer(&token), issuer)
        .await
        .0;
    assert_eq!(error_kind(&r), AuthErrorKind::InvalidIssuer);
    assert_eq!(lookups.load(Ordering::SeqCst), 0);

    let mut no_iss = TestClaims::valid();
    no_iss.iss = None;
    let (issuers, lookups) = counted_issuer_a();
    let r = through_answering(
        &layer_over(issuers),
        bearer(&mint(Algorithm::RS256, &no_iss)),
        issuer,
    )
    .await
    .0;
    assert_eq!(error_kind(&r), AuthErrorKind::InvalidIssuer);
    assert_eq!(lookups.load(Ordering::SeqCst), 0);

    let (issuers, lookups) = counted_issuer_a();
    let r = through_answering(
        &layer_over(issuers),
        bearer(&mint(Algorithm::RS256, &claims(A, "api"))),
        issuer,
    )
    .await
    .0;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(lookups.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn without_per_issuer_audiences_the_layers_apply() {
    let issuers = Issuers::new().issuer(
        A,
        StaticKeys::new()
            .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
            .unwrap(),
        Vec::<String>::new(),
    );
    let layer = builder::<TestClaims, _>(issuers)
        .audience("api")
        .build()
        .unwrap();
    let svc = layer.layer(inner_service(Calls::default(), inner_answer::<TestClaims>));
    for (aud, status) in [("api", StatusCode::OK), ("other", StatusCode::UNAUTHORIZED)] {
        let token = mint(Algorithm::RS256, &claims(A, aud));
        assert_eq!(send(&svc, bearer(&token)).await.status(), status, "{aud}");
    }
}

#[tokio::test]
async fn no_issuer_is_a_build_error() {
    let err = builder::<TestClaims, _>(Issuers::<StaticKeys>::new())
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), tower_jwt_auth::ConfigErrorKind::NoKeys);
}

/// What the two-issuer layer answers to a hand-written payload signed by A's RSA key: the
/// status and the issuer the handler saw.
async fn answer_to_payload_signed_by_a(payload: &str) -> (StatusCode, String) {
    let token = sign(
        r#"{"alg":"RS256"}"#,
        payload,
        &encoding_key(Algorithm::RS256),
        Algorithm::RS256,
    );
    let (r, _) = through_answering(&layer_over(two_issuers()), bearer(&token), issuer).await;
    (r.status(), r.body().clone())
}

#[tokio::test]
async fn the_issuer_that_picked_the_keys_is_the_one_the_claims_must_name() {
    let exp = NOW + 600;
    // The payload names A first (which picks A's keys) and B again later: whatever reads `iss`
    // first, the claims are refused, never accepted as B's.
    let twice = format!(r#"{{"sub":"ann","exp":{exp},"iss":"{A}","aud":"api-b","iss":"{B}"}}"#);
    let (status, body) = answer_to_payload_signed_by_a(&twice).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // An escaped spelling of `iss` that only a full parse reads as `iss`.
    let escaped = format!(r#"{{"sub":"ann","exp":{exp},"\u0069ss":"{A}","aud":"api-a"}}"#);
    let (status, body) = answer_to_payload_signed_by_a(&escaped).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, A));
}
