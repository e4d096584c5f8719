//! What a refusal writes to the log: the token's `kid` and `alg`, its `iss` only when the layer
//! trusts that issuer, escaped; never the token, its claims or its signature.

mod support;

use http::Request;
use tower_jwt_auth::testing::{BearerExt, Defect, TestIssuer};
use tower_jwt_auth::{AuthError, StandardClaims};

use support::{capture_logs_at, inner_service, send, with_backend, Calls};

const ISSUER: &str = "https://idp.test";

/// Sends `token` through a layer over `issuer`'s keys that trusts `ISSUER` for `api` and wants
/// the scope `admin`; returns the log lines written meanwhile.
async fn logged(issuer: &TestIssuer, token: &str) -> String {
    let (captured, _guard) = capture_logs_at(tracing::Level::DEBUG);
    let layer = with_backend(tower_jwt_auth::JwtAuthLayer::<StandardClaims>::builder(
        issuer.static_keys(),
    ))
    .issuer(ISSUER)
    .audience("api")
    .check(|claims: &StandardClaims, _| {
        if claims.has_scope("admin") {
            Ok(())
        } else {
            Err(AuthError::insufficient_scope("admin"))
        }
    })
    .build()
    .unwrap();
    let service = tower::Layer::layer(
        &layer,
        inner_service::<StandardClaims>(Calls::default(), support::inner_answer),
    );
    let request = Request::get("/").bearer(token).body(String::new()).unwrap();
    let response = send(&service, request).await;
    assert_ne!(response.status(), 200, "{token} was meant to be refused");
    captured.text()
}

#[tokio::test]
async fn an_unknown_kid_is_named_with_its_alg_and_trusted_issuer() {
    let issuer = TestIssuer::builder().audience("api").build(ISSUER);
    let token = issuer.token().defect(Defect::UnknownKid).sign();
    let line = logged(&issuer, &token).await;
    let kid = token_header(&token)["kid"].as_str().unwrap().to_owned();
    assert!(line.contains("JWT rejected"), "{line}");
    assert!(line.contains(&kid), "the kid is named: {line}");
    assert!(line.contains("RS256"), "the alg is named: {line}");
    assert!(line.contains(ISSUER), "a trusted issuer is named: {line}");
    assert!(!line.contains(&token), "never the token: {line}");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!line.contains(signature), "never its signature: {line}");
}

#[tokio::test]
async fn an_untrusted_issuer_is_not_written_out() {
    let issuer = TestIssuer::builder().audience("api").build(ISSUER);
    let token = issuer
        .token()
        .claim("iss", "https://evil.example/phish")
        .sign();
    let line = logged(&issuer, &token).await;
    assert!(line.contains("(not a trusted issuer)"), "{line}");
    assert!(!line.contains("evil.example"), "{line}");
    assert!(line.contains(&issuer.kid(issuer.algorithm())), "{line}");
}

#[tokio::test]
async fn a_check_refusal_names_the_verified_token() {
    let issuer = TestIssuer::builder()
        .audience("api")
        .algorithm(tower_jwt_auth::jsonwebtoken::Algorithm::ES256)
        .build(ISSUER);
    let token = issuer.token().scope("read").sign();
    let line = logged(&issuer, &token).await;
    assert!(line.contains("InsufficientScope"), "{line}");
    assert!(line.contains(&issuer.kid(issuer.algorithm())), "{line}");
    assert!(line.contains("ES256") && line.contains(ISSUER), "{line}");
}

#[tokio::test]
async fn a_hostile_kid_is_escaped_and_cut() {
    let issuer = TestIssuer::builder().audience("api").build(ISSUER);
    let hostile = format!("k\nforged log line\u{202e}{}", "x".repeat(500));
    let token = issuer.token().kid(hostile).sign();
    let line = logged(&issuer, &token).await;
    assert!(!line.contains("\nforged log line"), "{line}");
    assert!(line.contains("forged log line"), "{line}");
    assert!(!line.contains(&"x".repeat(100)), "cut: {line}");
}

fn token_header(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
