//! Every attack and malformed input of `/work/shared/reference/security.md`, through the layer.
//!
//! Each test sends the hostile request and asserts the exact HTTP status, the RFC 6750
//! `error` code in `WWW-Authenticate`, the `AuthErrorKind` in the response's extensions and
//! that the inner service never ran; then sends the same request as gRPC and asserts the
//! trailers-only form (HTTP 200, `grpc-status`, a percent-encoded `grpc-message`).
//!
//! Rows covered elsewhere, not here:
//! - unknown `kid` flood against a remote JWKS (single-flight refetch, cooldown counting
//!   failed fetches), huge / slow / redirecting / malformed JWKS responses (timeout, size cap,
//!   key-count cap, no cross-host redirect, a bad key skipped, last good set kept), and a key
//!   removed from the JWKS: `tests/jwks.rs`;
//! - "an HMAC algorithm is never allowed for a key from a remote JWKS", key-count cap and
//!   skipping of unusable keys: unit tests in `src/key/jwk.rs` (`hmac_only_when_allowed`,
//!   `key_count_is_capped`, `unusable_keys_are_skipped_not_fatal`) and `tests/jwks.rs`.

mod support;

use std::convert::Infallible;
use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use tower::{service_fn, Layer as _, ServiceExt};
use tower_jwt_auth::{
    AlgorithmSet, AuthError, AuthErrorKind, Claims, ConfigError, ConfigErrorKind, JwtAuthLayer,
    KeySource, StaticKeys, TokenHeader, TokenSource, VerifyingKey, DEFAULT_MAX_TOKEN_LEN,
};

use support::{
    public_jwk, TestClaims, EC256_PRIVATE, EC256_PUBLIC, EC256_PUBLIC_DER, EC384_PRIVATE,
    EC384_PUBLIC, ED_PRIVATE, ED_PUBLIC, ED_PUBLIC_DER, HS_SECRET, NOW, RSA2_PRIVATE, RSA2_PUBLIC,
    RSA_PRIVATE, RSA_PUBLIC, RSA_PUBLIC_DER, RSA_PUBLIC_PKCS1,
};

const ISS: &str = "https://idp.test";
const AUD: &str = "api";

// ---------------------------------------------------------------------------------------------
// harness

/// Sends one request through `layer` around an inner service that counts its calls.
async fn run<K: KeySource>(
    layer: &JwtAuthLayer<TestClaims, K>,
    request: Request<String>,
) -> (Response<String>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let service = layer.layer(service_fn(move |request: Request<String>| {
        counter.fetch_add(1, Ordering::SeqCst);
        let body = match request.extensions().get::<Claims<TestClaims>>() {
            Some(_) => "inner",
            None => "inner without claims",
        };
        async move { Ok::<_, Infallible>(Response::new(body.to_owned())) }
    }));
    let response = service.oneshot(request).await.unwrap();
    (response, calls.load(Ordering::SeqCst))
}

fn bearer(token: &str) -> Request<String> {
    Request::get("/")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(String::new())
        .unwrap()
}

fn as_grpc(mut request: Request<String>) -> Request<String> {
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    request
}

fn error_of<B>(response: &Response<B>, what: &str) -> AuthError {
    response
        .extensions()
        .get::<AuthError>()
        .unwrap_or_else(|| panic!("{what}: no AuthError in the response"))
        .clone()
}

/// The RFC 6750 error code of a status (what security.md asks for).
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "invalid_request",
        StatusCode::FORBIDDEN => "insufficient_scope",
        _ => "invalid_token",
    }
}

/// The gRPC status of an HTTP refusal: 16 UNAUTHENTICATED, 7 PERMISSION_DENIED, 14 UNAVAILABLE.
fn grpc_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::FORBIDDEN => "7",
        StatusCode::SERVICE_UNAVAILABLE => "14",
        _ => "16",
    }
}

fn is_percent_encoded(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().all(|b| (0x20..0x7f).contains(b))
        && bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'%')
            .all(|(i, _)| {
                bytes
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            })
}

/// Both refusals of one request.
struct Refusal {
    http: Response<String>,
    grpc: Response<String>,
}

impl Refusal {
    fn challenge(&self) -> &str {
        self.http.headers()[WWW_AUTHENTICATE].to_str().unwrap()
    }

    fn grpc_message(&self) -> &str {
        self.grpc.headers()["grpc-message"].to_str().unwrap()
    }
}

/// Sends the request made by `make` as plain HTTP and as gRPC: both must be refused for `kind`
/// with `status` (and its gRPC counterpart), and the inner service must never run.
async fn refused_request<K: KeySource>(
    layer: &JwtAuthLayer<TestClaims, K>,
    make: impl Fn() -> Request<String>,
    status: StatusCode,
    kind: &AuthErrorKind,
    what: &str,
) -> Refusal {
    let (http, calls) = run(layer, make()).await;
    assert_eq!(
        calls,
        0,
        "{what}: the inner service ran (HTTP, status {})",
        http.status()
    );
    assert_eq!(
        http.status(),
        status,
        "{what}: refused with {:?}",
        http.extensions().get::<AuthError>()
    );
    assert!(!http.body().starts_with("inner"), "{what}");
    assert_eq!(error_of(&http, what).kind(), kind, "{what} (HTTP)");
    let challenge = http
        .headers()
        .get(WWW_AUTHENTICATE)
        .unwrap_or_else(|| panic!("{what}: no WWW-Authenticate"))
        .to_str()
        .unwrap();
    let code = code_of(status);
    assert!(
        challenge.starts_with(&format!("Bearer error=\"{code}\", error_description=\"")),
        "{what}: challenge {challenge:?}, expected error=\"{code}\""
    );
    assert!(http.headers().get("grpc-status").is_none(), "{what}");

    let (grpc, calls) = run(layer, as_grpc(make())).await;
    assert_eq!(calls, 0, "{what}: the inner service ran (gRPC)");
    assert_eq!(grpc.status(), StatusCode::OK, "{what}: gRPC HTTP status");
    assert_eq!(
        grpc.headers()["grpc-status"],
        grpc_of(status),
        "{what}: grpc-status"
    );
    assert!(grpc.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/grpc"));
    assert!(grpc.headers().get(WWW_AUTHENTICATE).is_none(), "{what}");
    let error = error_of(&grpc, what);
    assert_eq!(error.kind(), kind, "{what} (gRPC)");
    let message = grpc
        .headers()
        .get("grpc-message")
        .unwrap_or_else(|| panic!("{what}: no grpc-message"))
        .to_str()
        .unwrap();
    assert!(!message.is_empty(), "{what}: empty grpc-message");
    assert!(
        is_percent_encoded(message),
        "{what}: grpc-message {message:?}"
    );
    assert_eq!(
        percent_encoding::percent_decode_str(message)
            .decode_utf8()
            .unwrap(),
        error.to_string(),
        "{what}: grpc-message is the percent-encoded reason"
    );
    Refusal { http, grpc }
}

/// `token` in `Authorization: Bearer` is refused with 401 `invalid_token` for `kind`, and the
/// refusal echoes no part of the token.
async fn refused<K: KeySource>(
    layer: &JwtAuthLayer<TestClaims, K>,
    token: &str,
    kind: AuthErrorKind,
    what: &str,
) -> Refusal {
    let refusal = refused_request(
        layer,
        || bearer(token),
        StatusCode::UNAUTHORIZED,
        &kind,
        what,
    )
    .await;
    for part in token.split('.').filter(|p| p.len() >= 8) {
        let part = &part[..part.len().min(64)];
        assert!(!refusal.challenge().contains(part), "{what}: echoed");
        assert!(!refusal.grpc_message().contains(part), "{what}: echoed");
    }
    refusal
}

/// The request reached the inner service with claims.
async fn accepted<K: KeySource>(
    layer: &JwtAuthLayer<TestClaims, K>,
    request: Request<String>,
    what: &str,
) {
    let (response, calls) = run(layer, request).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{what}: refused with {:?}",
        response.extensions().get::<AuthError>()
    );
    assert_eq!(calls, 1, "{what}");
    assert_eq!(response.body(), "inner", "{what}");
}

fn malformed(why: &'static str) -> AuthErrorKind {
    AuthErrorKind::Malformed(why)
}

const NOT_B64URL: &str = "segments must be base64url without padding";
const NOT_3: &str = "expected 3 dot-separated segments";
const NOT_3_JWE: &str = "expected 3 dot-separated segments (JWE and others are refused)";
const BAD_HEADER: &str = "the header is not a valid JOSE header";
const NOT_CLAIMS: &str = "the payload is not a JSON object of claims";
const TOO_DEEP: &str = "the JSON is nested too deeply";

// ---------------------------------------------------------------------------------------------
// layers and tokens

fn hs_keys() -> StaticKeys {
    StaticKeys::new()
        .secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
}

fn strict<K: KeySource>(keys: K) -> JwtAuthLayer<TestClaims, K> {
    support::builder(keys)
        .issuer(ISS)
        .audience(AUD)
        .build()
        .expect("layer builds")
}

fn hs_layer() -> JwtAuthLayer<TestClaims> {
    strict(hs_keys())
}

fn rsa_layer() -> JwtAuthLayer<TestClaims> {
    strict(
        StaticKeys::new()
            .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
            .unwrap(),
    )
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(segment: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(segment).unwrap()
}

fn valid_payload() -> Value {
    serde_json::to_value(TestClaims::valid()).unwrap()
}

fn payload_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut payload = valid_payload();
    edit(&mut payload);
    payload.to_string()
}

/// `header.payload` of two JSON texts, taken as given (duplicates and all).
fn message(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header), b64(payload))
}

/// A token over hand-made JSON with this signature.
fn with_signature(header: &str, payload: &str, signature: &[u8]) -> String {
    format!("{}.{}", message(header, payload), b64(signature))
}

/// A token over hand-made JSON signed with `key` as `alg`, whatever the header says.
fn sign(header: &str, payload: &str, key: &EncodingKey, alg: Algorithm) -> String {
    support::install_signing_provider();
    let message = message(header, payload);
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

/// A token over hand-made JSON with a valid HS256 signature by the fixture secret.
fn hs(header: &str, payload: &str) -> String {
    sign(
        header,
        payload,
        &EncodingKey::from_secret(HS_SECRET),
        Algorithm::HS256,
    )
}

fn valid_hs() -> String {
    hs(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &valid_payload().to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// alg: none, and exact algorithm names

/// `alg` spelled `spelling`: refused without a signature segment, with an empty one, and with
/// a signature (even a valid HMAC of the message), by an HMAC and an RSA layer alike.
async fn alg_none_is_refused(spelling: &str) {
    let header = format!(r#"{{"alg":"{spelling}","typ":"JWT"}}"#);
    let payload = valid_payload().to_string();
    let message = message(&header, &payload);
    for (name, layer) in [("hmac", hs_layer()), ("rsa", rsa_layer())] {
        let what = format!("alg {spelling}, {name} layer");
        // The classic form: an empty signature.
        refused(
            &layer,
            &format!("{message}."),
            malformed("the token is not signed"),
            &format!("{what}, empty signature"),
        )
        .await;
        refused(
            &layer,
            &message,
            malformed(NOT_3),
            &format!("{what}, no signature segment"),
        )
        .await;
        // With a signature: the HMAC of the message under our own secret, and junk.
        let mac = hs(&header, &payload);
        refused(
            &layer,
            &mac,
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("{what}, HMAC signature"),
        )
        .await;
        refused(
            &layer,
            &format!("{message}.{}", b64([0u8; 32])),
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("{what}, junk signature"),
        )
        .await;
    }
}

#[tokio::test]
async fn alg_none_lower_case() {
    alg_none_is_refused("none").await;
}

#[tokio::test]
async fn alg_none_capitalized() {
    alg_none_is_refused("None").await;
}

#[tokio::test]
async fn alg_none_mixed_case() {
    alg_none_is_refused("nOnE").await;
}

#[tokio::test]
async fn alg_none_upper_case() {
    alg_none_is_refused("NONE").await;
}

#[tokio::test]
async fn algorithm_names_are_compared_exactly() {
    let layer = hs_layer();
    let payload = valid_payload().to_string();
    accepted(&layer, bearer(&hs(r#"{"alg":"HS256"}"#, &payload)), "HS256").await;
    for alg in [
        "hs256",
        "Hs256",
        "HS256 ",
        " HS256",
        "HS256\u{0000}",
        "HMAC256",
    ] {
        let header = json!({ "alg": alg }).to_string();
        refused(
            &layer,
            &hs(&header, &payload),
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("alg {alg:?}"),
        )
        .await;
    }
    // A non-string or absent alg is no JOSE header at all.
    for header in [
        r#"{"alg":null}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"typ":"JWT"}"#,
    ] {
        refused(&layer, &hs(header, &payload), malformed(BAD_HEADER), header).await;
    }
}

// ---------------------------------------------------------------------------------------------
// HMAC / public-key confusion

/// A public key in every encoding an attacker might feed to HMAC as the secret.
fn secrets_from(
    pem_text: &str,
    der: &[u8],
    jwk: &Jwk,
    extra: Vec<(&'static str, Vec<u8>)>,
) -> Vec<(&'static str, Vec<u8>)> {
    let trimmed = pem_text.trim_end();
    let mut all = vec![
        ("PEM as stored", pem_text.as_bytes().to_vec()),
        ("PEM without trailing newline", trimmed.as_bytes().to_vec()),
        (
            "PEM with trailing newline",
            format!("{trimmed}\n").into_bytes(),
        ),
        ("PEM with CRLF", trimmed.replace('\n', "\r\n").into_bytes()),
        ("DER", der.to_vec()),
        ("JWK JSON", serde_json::to_vec(jwk).unwrap()),
    ];
    all.extend(extra);
    all
}

fn rsa_secrets() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = public_jwk(RSA_PRIVATE, Algorithm::RS256);
    let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
        panic!("not an RSA JWK")
    };
    let pkcs1 = RSA_PUBLIC_PKCS1.trim_end();
    let extra = vec![
        ("PKCS#1 PEM as stored", RSA_PUBLIC_PKCS1.as_bytes().to_vec()),
        (
            "PKCS#1 PEM without trailing newline",
            pkcs1.as_bytes().to_vec(),
        ),
        (
            "PKCS#1 PEM with trailing newline",
            format!("{pkcs1}\n").into_bytes(),
        ),
        (
            "PKCS#1 DER",
            pem::parse(RSA_PUBLIC_PKCS1).unwrap().contents().to_vec(),
        ),
        ("JWK n", rsa.n.as_bytes().to_vec()),
        ("JWK n decoded", unb64(&rsa.n)),
    ];
    secrets_from(RSA_PUBLIC, RSA_PUBLIC_DER, &jwk, extra)
}

fn ec_secrets() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = public_jwk(EC256_PRIVATE, Algorithm::ES256);
    let AlgorithmParameters::EllipticCurve(ec) = &jwk.algorithm else {
        panic!("not an EC JWK")
    };
    let point = [vec![4u8], unb64(&ec.x), unb64(&ec.y)].concat();
    let extra = vec![
        ("JWK x", ec.x.as_bytes().to_vec()),
        ("JWK x decoded", unb64(&ec.x)),
        ("uncompressed point", point),
    ];
    secrets_from(EC256_PUBLIC, EC256_PUBLIC_DER, &jwk, extra)
}

fn ed_secrets() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = public_jwk(ED_PRIVATE, Algorithm::EdDSA);
    let AlgorithmParameters::OctetKeyPair(okp) = &jwk.algorithm else {
        panic!("not an OKP JWK")
    };
    let extra = vec![
        ("JWK x", okp.x.as_bytes().to_vec()),
        ("JWK x decoded", unb64(&okp.x)),
    ];
    secrets_from(ED_PUBLIC, ED_PUBLIC_DER, &jwk, extra)
}

const HMAC: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Tokens HMAC-signed with each encoding of a public key as the secret, with `kid` in the
/// header when given.
fn confused_tokens(
    secrets: &[(&'static str, Vec<u8>)],
    kid: Option<&str>,
) -> Vec<(String, Algorithm, String)> {
    let payload = valid_payload().to_string();
    let mut tokens = Vec::new();
    for (encoding, secret) in secrets {
        for alg in HMAC {
            let mut header = json!({ "alg": format!("{alg:?}"), "typ": "JWT" });
            if let Some(kid) = kid {
                header["kid"] = json!(kid);
            }
            let token = sign(
                &header.to_string(),
                &payload,
                &EncodingKey::from_secret(secret),
                alg,
            );
            tokens.push((format!("{alg:?} with the {encoding}"), alg, token));
        }
    }
    tokens
}

/// The layer holding only `key` refuses every HMAC token made with the key's public bytes;
/// so does the layer holding it under a `kid` the tokens name, even with every algorithm
/// allowed in the configuration.
async fn public_key_as_hmac_secret_is_refused(
    key: VerifyingKey,
    secrets: Vec<(&'static str, Vec<u8>)>,
) {
    let anonymous = strict(StaticKeys::new().key(key.clone()).unwrap());
    for (what, _, token) in confused_tokens(&secrets, None) {
        refused(
            &anonymous,
            &token,
            AuthErrorKind::UnsupportedAlgorithm,
            &what,
        )
        .await;
    }
    let named = support::builder(StaticKeys::new().key(key.with_kid("pub-1")).unwrap())
        .algorithms(AlgorithmSet::all())
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap();
    for (what, _, token) in confused_tokens(&secrets, Some("pub-1")) {
        let what = format!("{what}, kid naming the public key");
        refused(&named, &token, AuthErrorKind::UnsupportedAlgorithm, &what).await;
    }
}

#[tokio::test]
async fn hmac_signed_with_the_rsa_public_key() {
    let key = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    public_key_as_hmac_secret_is_refused(key, rsa_secrets()).await;
}

#[tokio::test]
async fn hmac_signed_with_the_ec_public_key() {
    let key = VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap();
    public_key_as_hmac_secret_is_refused(key, ec_secrets()).await;
}

#[tokio::test]
async fn hmac_signed_with_the_ed25519_public_key() {
    let key = VerifyingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap();
    public_key_as_hmac_secret_is_refused(key, ed_secrets()).await;
}

/// A layer that does verify HS256 (with its own secret) next to a public key: a token naming
/// the public key by `kid` is refused, one without `kid` goes to the real secret and fails.
#[tokio::test]
async fn hmac_confusion_next_to_a_real_hmac_secret() {
    let cases = [
        (
            "RSA",
            VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap(),
            rsa_secrets(),
        ),
        (
            "EC",
            VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap(),
            ec_secrets(),
        ),
        (
            "Ed25519",
            VerifyingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap(),
            ed_secrets(),
        ),
    ];
    for (family, key, secrets) in cases {
        let keys = StaticKeys::new()
            .key(
                VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
                    .unwrap()
                    .with_kid("hmac-1"),
            )
            .unwrap()
            .key(key.with_kid("pub-1"))
            .unwrap();
        let layer = strict(keys);
        let control = hs(
            r#"{"alg":"HS256","kid":"hmac-1"}"#,
            &valid_payload().to_string(),
        );
        accepted(&layer, bearer(&control), "the real HMAC key").await;
        for (what, _, token) in confused_tokens(&secrets, Some("pub-1")) {
            let what = format!("{family}: {what}, kid naming the public key");
            refused(&layer, &token, AuthErrorKind::UnsupportedAlgorithm, &what).await;
        }
        for (what, alg, token) in confused_tokens(&secrets, None) {
            let what = format!("{family}: {what}, no kid");
            let kind = if alg == Algorithm::HS256 {
                AuthErrorKind::InvalidSignature
            } else {
                AuthErrorKind::UnsupportedAlgorithm
            };
            refused(&layer, &token, kind, &what).await;
        }
    }
}

/// Keys are bound to their family at build time, and a key source cannot hand a public key
/// to an HMAC token.
#[tokio::test]
async fn public_keys_are_bound_to_their_family_at_build_time() {
    let rsa = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    let ec = VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap();
    let ed = VerifyingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap();
    for alg in HMAC {
        let set = AlgorithmSet::one(alg);
        for (what, key) in [("RSA", &rsa), ("EC", &ec), ("Ed25519", &ed)] {
            let err = key.clone().with_algorithms(set).unwrap_err();
            assert_eq!(err.kind(), ConfigErrorKind::InvalidKey, "{what} as {alg:?}");
        }
        let err = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), alg).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
        let err = VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), alg).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
        let err = VerifyingKey::from_rsa_der(RSA_PUBLIC_DER, alg).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
    }

    // A source that answers every header with the RSA key: the token's alg decides nothing.
    let key = Arc::new(rsa);
    let source = move |_: &TokenHeader<'_>| std::future::ready(Ok::<_, AuthError>(key.clone()));
    let layer = strict(source);
    for (what, _, token) in confused_tokens(&rsa_secrets(), None) {
        refused(
            &layer,
            &token,
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("key source: {what}"),
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// keys named by the token: jwk, jku, x5u

fn attacker_signed(header: &Value) -> String {
    sign(
        &header.to_string(),
        &valid_payload().to_string(),
        &EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap(),
        Algorithm::RS256,
    )
}

#[tokio::test]
async fn embedded_jwk_header_is_never_used() {
    let jwk = serde_json::to_value(public_jwk(RSA2_PRIVATE, Algorithm::RS256)).unwrap();
    let embedded = attacker_signed(&json!({ "alg": "RS256", "typ": "JWT", "jwk": jwk }));
    // The signature itself is sound: the attacker's own key accepts it.
    let attacker_layer = strict(
        StaticKeys::new()
            .rsa_pem(RSA2_PUBLIC, Algorithm::RS256)
            .unwrap(),
    );
    accepted(&attacker_layer, bearer(&embedded), "control").await;

    refused(
        &rsa_layer(),
        &embedded,
        AuthErrorKind::InvalidSignature,
        "jwk header",
    )
    .await;
    let named = strict(
        StaticKeys::new()
            .key(
                VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256)
                    .unwrap()
                    .with_kid("ours"),
            )
            .unwrap(),
    );
    let with_kid =
        attacker_signed(&json!({ "alg": "RS256", "kid": "attacker", "jwk": jwk.clone() }));
    refused(
        &named,
        &with_kid,
        AuthErrorKind::UnknownKey,
        "jwk header with its own kid",
    )
    .await;
    let with_our_kid = attacker_signed(&json!({ "alg": "RS256", "kid": "ours", "jwk": jwk }));
    refused(
        &named,
        &with_our_kid,
        AuthErrorKind::InvalidSignature,
        "jwk header with our kid",
    )
    .await;

    // An embedded symmetric key, against an HMAC layer.
    let attacker_secret = [0x5au8; 32];
    let header = json!({
        "alg": "HS256",
        "jwk": { "kty": "oct", "k": b64(attacker_secret), "alg": "HS256" },
    });
    let token = sign(
        &header.to_string(),
        &valid_payload().to_string(),
        &EncodingKey::from_secret(&attacker_secret),
        Algorithm::HS256,
    );
    refused(
        &hs_layer(),
        &token,
        AuthErrorKind::InvalidSignature,
        "oct jwk header",
    )
    .await;
}

#[tokio::test]
async fn jku_header_is_refused() {
    let token = attacker_signed(&json!({
        "alg": "RS256", "kid": "attacker", "jku": "http://127.0.0.1:1/",
    }));
    refused(&rsa_layer(), &token, AuthErrorKind::InvalidSignature, "jku").await;
}

#[tokio::test]
async fn x5u_header_is_refused() {
    let token = attacker_signed(&json!({
        "alg": "RS256", "kid": "attacker", "x5u": "http://127.0.0.1:1/",
    }));
    refused(&rsa_layer(), &token, AuthErrorKind::InvalidSignature, "x5u").await;
}

#[tokio::test]
async fn jku_and_x5u_urls_are_never_contacted() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "http://{}/.well-known/jwks.json",
        listener.local_addr().unwrap()
    );

    let layer = rsa_layer();
    for member in ["jku", "x5u"] {
        let mut header = json!({ "alg": "RS256", "kid": "attacker" });
        header[member] = json!(url);
        refused(
            &layer,
            &attacker_signed(&header),
            AuthErrorKind::InvalidSignature,
            member,
        )
        .await;
    }
    // Even a token our key signed, which goes the whole way, fetches nothing.
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.jku = Some(url.clone());
    header.x5u = Some(url.clone());
    let ours = support::mint_with(header, &TestClaims::valid());
    accepted(&layer, bearer(&ours), "our token with jku and x5u").await;

    match listener.accept() {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("the middleware connected to {url} from {peer}"),
        Err(e) => panic!("accept failed: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// kid injection

fn named_hs_layer() -> JwtAuthLayer<TestClaims> {
    strict(
        StaticKeys::new()
            .key(
                VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
                    .unwrap()
                    .with_kid("k1"),
            )
            .unwrap(),
    )
}

/// A `kid` is an exact-match lookup key: an injected value names no key, and with one
/// anonymous key the token is still verified with that key, not with what the kid points at.
async fn kid_is_opaque(kid: &str) {
    let payload = valid_payload().to_string();
    let header = json!({ "alg": "HS256", "kid": kid }).to_string();
    // What /dev/null or an empty SQL result would give: an empty secret.
    let empty = sign(
        &header,
        &payload,
        &EncodingKey::from_secret(b""),
        Algorithm::HS256,
    );
    let ours = hs(&header, &payload);
    let named = named_hs_layer();
    accepted(
        &named,
        bearer(&hs(r#"{"alg":"HS256","kid":"k1"}"#, &payload)),
        "control",
    )
    .await;
    for (what, token) in [("empty secret", &empty), ("our secret", &ours)] {
        let refusal = refused(
            &named,
            token,
            AuthErrorKind::UnknownKey,
            &format!("kid {kid:?}, {what}"),
        )
        .await;
        assert!(!refusal.challenge().contains(kid), "kid echoed");
    }
    refused(
        &hs_layer(),
        &empty,
        AuthErrorKind::InvalidSignature,
        &format!("kid {kid:?}, anonymous key"),
    )
    .await;
}

#[tokio::test]
async fn kid_path_traversal() {
    kid_is_opaque("../../dev/null").await;
    kid_is_opaque("/dev/null").await;
    kid_is_opaque("k1/../k1").await;
}

#[tokio::test]
async fn kid_sql_injection() {
    kid_is_opaque("' OR 1=1 --").await;
    kid_is_opaque("k1' OR '1'='1").await;
    kid_is_opaque("K1").await;
    kid_is_opaque("k1 ").await;
}

#[tokio::test]
async fn kid_of_10_kib() {
    let payload = valid_payload().to_string();
    let kid = "k".repeat(10 * 1024);
    let token = hs(&json!({ "alg": "HS256", "kid": kid }).to_string(), &payload);
    // With the default limits the whole token is too large already.
    refused(
        &named_hs_layer(),
        &token,
        AuthErrorKind::TokenTooLarge {
            len: token.len(),
            max: DEFAULT_MAX_TOKEN_LEN,
        },
        "10 KiB kid, default limits",
    )
    .await;
    // With room for the token, the kid limit itself refuses it.
    let roomy = support::builder(hs_keys())
        .max_token_len(64 * 1024)
        .build()
        .unwrap();
    refused(
        &roomy,
        &token,
        malformed("the kid is too long"),
        "10 KiB kid, 64 KiB token limit",
    )
    .await;
    // The default kid limit is 256 bytes, and it can be lowered.
    let at = hs(
        &json!({ "alg": "HS256", "kid": "k".repeat(256) }).to_string(),
        &payload,
    );
    let over = hs(
        &json!({ "alg": "HS256", "kid": "k".repeat(257) }).to_string(),
        &payload,
    );
    accepted(&roomy, bearer(&at), "256-byte kid, anonymous key").await;
    refused(
        &roomy,
        &over,
        malformed("the kid is too long"),
        "257-byte kid",
    )
    .await;
    let tight = support::builder(hs_keys()).max_kid_len(8).build().unwrap();
    let nine = hs(r#"{"alg":"HS256","kid":"123456789"}"#, &payload);
    refused(
        &tight,
        &nine,
        malformed("the kid is too long"),
        "max_kid_len(8)",
    )
    .await;
}

async fn non_string_kid_is_refused(kid: &str) {
    let payload = valid_payload().to_string();
    let token = hs(&format!(r#"{{"alg":"HS256","kid":{kid}}}"#), &payload);
    // The token is otherwise valid and signed by the only key, which has no kid of its own.
    refused(
        &hs_layer(),
        &token,
        malformed(BAD_HEADER),
        &format!("kid {kid}"),
    )
    .await;
}

#[tokio::test]
async fn numeric_kid() {
    non_string_kid_is_refused("1").await;
    non_string_kid_is_refused("-1.5e3").await;
}

#[tokio::test]
async fn object_kid() {
    non_string_kid_is_refused(r#"{"$ne":""}"#).await;
    non_string_kid_is_refused(r#"["k1"]"#).await;
    non_string_kid_is_refused("true").await;
}

#[tokio::test]
async fn null_kid() {
    non_string_kid_is_refused("null").await;
}

// ---------------------------------------------------------------------------------------------
// ECDSA signatures

/// Every signature backend compiled in.
fn providers() -> Vec<(&'static str, &'static CryptoProvider)> {
    vec![
        #[cfg(feature = "aws-lc-rs")]
        ("aws-lc-rs", &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER),
        #[cfg(feature = "rust-crypto")]
        (
            "rust-crypto",
            &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        ),
    ]
}

fn ec_layers(pem: &str, alg: Algorithm) -> Vec<(&'static str, JwtAuthLayer<TestClaims>)> {
    providers()
        .into_iter()
        .map(|(name, provider)| {
            let keys = StaticKeys::new().ec_pem(pem, alg).unwrap();
            let layer = JwtAuthLayer::<TestClaims>::builder(keys)
                .crypto_provider(provider)
                .clock(support::clock)
                .issuer(ISS)
                .audience(AUD)
                .build()
                .unwrap();
            (name, layer)
        })
        .collect()
}

/// `header.payload` of an ES256 token and its valid fixed-length signature (r || s).
fn es256_parts() -> (String, Vec<u8>) {
    let token = sign(
        r#"{"alg":"ES256","typ":"JWT"}"#,
        &valid_payload().to_string(),
        &EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
        Algorithm::ES256,
    );
    let (message, signature) = token.rsplit_once('.').unwrap();
    let raw = unb64(signature);
    assert_eq!(raw.len(), 64, "ES256 signatures are r || s");
    (message.to_owned(), raw)
}

/// Each forged ES256 signature is refused by every backend; the genuine one is accepted.
async fn es256_signatures_are_refused(forged: &[(&str, Vec<u8>)]) {
    let (message, valid) = es256_parts();
    for (backend, layer) in ec_layers(EC256_PUBLIC, Algorithm::ES256) {
        accepted(
            &layer,
            bearer(&format!("{message}.{}", b64(&valid))),
            &format!("{backend}: genuine signature"),
        )
        .await;
        for (what, signature) in forged {
            refused(
                &layer,
                &format!("{message}.{}", b64(signature)),
                AuthErrorKind::InvalidSignature,
                &format!("{backend}: {what}"),
            )
            .await;
        }
    }
}

/// The order of P-256: r or s equal to it is zero modulo the order.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[tokio::test]
async fn ecdsa_psychic_signature_r_and_s_zero() {
    es256_signatures_are_refused(&[
        ("r = s = 0 (64 zero bytes)", vec![0u8; 64]),
        ("r = s = n", [P256_ORDER, P256_ORDER].concat()),
    ])
    .await;
    // ES384: 96 zero bytes.
    let token = with_signature(
        r#"{"alg":"ES384"}"#,
        &valid_payload().to_string(),
        &[0u8; 96],
    );
    for (backend, layer) in ec_layers(EC384_PUBLIC, Algorithm::ES384) {
        let genuine = sign(
            r#"{"alg":"ES384"}"#,
            &valid_payload().to_string(),
            &EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
            Algorithm::ES384,
        );
        accepted(&layer, bearer(&genuine), backend).await;
        refused(
            &layer,
            &token,
            AuthErrorKind::InvalidSignature,
            &format!("{backend}: ES384 zeros"),
        )
        .await;
    }
}

#[tokio::test]
async fn ecdsa_r_zero() {
    let (_, valid) = es256_parts();
    let forged = [vec![0u8; 32], valid[32..].to_vec()].concat();
    es256_signatures_are_refused(&[("r = 0", forged)]).await;
}

#[tokio::test]
async fn ecdsa_s_zero() {
    let (_, valid) = es256_parts();
    let forged = [valid[..32].to_vec(), vec![0u8; 32]].concat();
    es256_signatures_are_refused(&[("s = 0", forged)]).await;
}

#[tokio::test]
async fn ecdsa_signature_of_63_bytes() {
    let (_, valid) = es256_parts();
    es256_signatures_are_refused(&[
        ("last byte dropped", valid[..63].to_vec()),
        ("first byte dropped", valid[1..].to_vec()),
    ])
    .await;
}

#[tokio::test]
async fn ecdsa_signature_of_65_bytes() {
    let (_, valid) = es256_parts();
    es256_signatures_are_refused(&[
        ("zero appended", [valid.clone(), vec![0]].concat()),
        ("zero prepended", [vec![0], valid.clone()].concat()),
    ])
    .await;
}

fn der_integer(bytes: &[u8]) -> Vec<u8> {
    let mut value: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if value.first().is_none_or(|b| b & 0x80 != 0) {
        value.insert(0, 0);
    }
    [vec![0x02, value.len() as u8], value].concat()
}

/// The ASN.1 DER `Ecdsa-Sig-Value` of a fixed-length signature.
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let body = [der_integer(r), der_integer(s)].concat();
    [vec![0x30, body.len() as u8], body].concat()
}

#[tokio::test]
async fn ecdsa_der_encoded_signature() {
    let (_, valid) = es256_parts();
    let der = ecdsa_der(&valid);
    assert_eq!(der[0], 0x30);
    assert!((68..=72).contains(&der.len()), "DER length {}", der.len());
    es256_signatures_are_refused(&[("DER of the genuine signature", der)]).await;
}

// ---------------------------------------------------------------------------------------------
// crit and b64

#[tokio::test]
async fn crit_naming_an_unknown_extension() {
    let payload = valid_payload().to_string();
    for header in [
        r#"{"alg":"HS256","crit":["urn:example:unknown"],"urn:example:unknown":true}"#,
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":true}"#,
    ] {
        refused(
            &hs_layer(),
            &hs(header, &payload),
            AuthErrorKind::CriticalHeader,
            header,
        )
        .await;
    }
}

#[tokio::test]
async fn empty_crit() {
    let payload = valid_payload().to_string();
    for header in [
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":null}"#,
        r#"{"alg":"HS256","crit":""}"#,
    ] {
        refused(
            &hs_layer(),
            &hs(header, &payload),
            AuthErrorKind::CriticalHeader,
            header,
        )
        .await;
    }
}

#[tokio::test]
async fn b64_false() {
    let layer = hs_layer();
    let payload = valid_payload().to_string();
    accepted(
        &layer,
        bearer(&hs(r#"{"alg":"HS256","b64":true}"#, &payload)),
        "b64: true is the default",
    )
    .await;
    for header in [
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","b64":"false"}"#,
        r#"{"alg":"HS256","b64":0}"#,
    ] {
        refused(
            &layer,
            &hs(header, &payload),
            AuthErrorKind::UnencodedPayload,
            header,
        )
        .await;
    }
    // RFC 7797's own form: the payload in the clear, signed as such.
    let clear = payload.clone();
    let header = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let mut signing_input = b64(header).into_bytes();
    signing_input.push(b'.');
    signing_input.extend_from_slice(clear.as_bytes());
    support::install_signing_provider();
    let signature = jsonwebtoken::crypto::sign(
        &signing_input,
        &EncodingKey::from_secret(HS_SECRET),
        Algorithm::HS256,
    )
    .unwrap();
    let detached = format!("{}..{signature}", b64(header));
    refused(
        &layer,
        &detached,
        malformed("empty header or payload segment"),
        "detached unencoded payload",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// not compact JWS

#[tokio::test]
async fn json_serialization() {
    let token = valid_hs();
    let parts: Vec<&str> = token.split('.').collect();
    let flattened = json!({ "payload": parts[1], "protected": parts[0], "signature": parts[2] });
    let general = json!({
        "payload": parts[1],
        "signatures": [{ "protected": parts[0], "signature": parts[2] }],
    });
    for (what, doc) in [("flattened", flattened), ("general", general)] {
        refused(&hs_layer(), &doc.to_string(), malformed(NOT_B64URL), what).await;
    }
}

#[tokio::test]
async fn jwe_with_five_parts() {
    let header = b64(r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","typ":"JWT"}"#);
    let token = format!(
        "{header}.{}.{}.{}.{}",
        b64([1u8; 256]),
        b64([2u8; 12]),
        b64(valid_payload().to_string()),
        b64([3u8; 16])
    );
    refused(&hs_layer(), &token, malformed(NOT_3_JWE), "JWE").await;
    let dir = format!(
        "{}..{}.{}.{}",
        b64(r#"{"alg":"dir","enc":"A128GCM"}"#),
        b64([2u8; 12]),
        b64("x"),
        b64([3u8; 16])
    );
    refused(&hs_layer(), &dir, malformed(NOT_3_JWE), "JWE dir").await;
}

#[tokio::test]
async fn two_segments() {
    let token = valid_hs();
    let (message, _) = token.rsplit_once('.').unwrap();
    refused(&hs_layer(), message, malformed(NOT_3), "header.payload").await;
}

#[tokio::test]
async fn four_segments() {
    let token = valid_hs();
    let sig = token.rsplit('.').next().unwrap();
    refused(
        &hs_layer(),
        &format!("{token}.{sig}"),
        malformed(NOT_3_JWE),
        "four segments",
    )
    .await;
    refused(
        &hs_layer(),
        &format!("{token}."),
        malformed(NOT_3_JWE),
        "trailing dot",
    )
    .await;
}

#[tokio::test]
async fn base64_padding() {
    // A header whose base64url needs padding, a payload too.
    let header = r#"{"alg":"HS256","x":12}"#;
    let payload = (0..3)
        .map(|n| payload_with(|p| p["pad"] = json!("a".repeat(n))))
        .find(|p| p.len() % 3 != 0)
        .unwrap();
    let token = hs(header, &payload);
    accepted(&hs_layer(), bearer(&token), "unpadded control").await;
    let parts: Vec<&str> = token.split('.').collect();
    let pad = |s: &str| format!("{s}{}", "=".repeat((4 - s.len() % 4) % 4));
    let padded_header = format!("{}.{}.{}", pad(parts[0]), parts[1], parts[2]);
    let padded_payload = format!("{}.{}.{}", parts[0], pad(parts[1]), parts[2]);
    let padded_sig = format!("{}.{}.{}", parts[0], parts[1], pad(parts[2]));
    for (what, token) in [
        ("header", padded_header),
        ("payload", padded_payload),
        ("signature", padded_sig),
    ] {
        assert!(token.contains('='), "{what}: the fixture needs padding");
        refused(&hs_layer(), &token, malformed(NOT_B64URL), what).await;
    }
}

#[tokio::test]
async fn standard_base64_alphabet() {
    // `???` and `~~~` encode to `/` and `+` in standard base64.
    let header = r#"{"alg":"HS256","x":"???~~~>>>"}"#;
    let payload = payload_with(|p| p["x"] = json!("???~~~>>>"));
    let token = hs(header, &payload);
    accepted(&hs_layer(), bearer(&token), "base64url control").await;
    let standard = |s: &str| STANDARD_NO_PAD.encode(s);
    let signature = token.rsplit('.').next().unwrap();
    let cases = [
        (
            "standard header",
            format!("{}.{}.{signature}", standard(header), b64(&payload)),
        ),
        (
            "standard payload",
            format!("{}.{}.{signature}", b64(header), standard(&payload)),
        ),
        (
            "standard everything, padded",
            format!(
                "{}.{}.{}",
                STANDARD.encode(header),
                STANDARD.encode(&payload),
                STANDARD.encode(unb64(signature))
            ),
        ),
    ];
    for (what, token) in cases {
        assert!(
            token.contains('+') || token.contains('/'),
            "{what}: the fixture needs + or /"
        );
        refused(&hs_layer(), &token, malformed(NOT_B64URL), what).await;
    }
}

/// Whitespace inside the token is refused as a malformed request (400 `invalid_request`)
/// before any decoding; spaces around it inside the header value are trimmed (the
/// `Authorization` header is `Bearer` + spaces + token + optional spaces), tabs are not.
#[tokio::test]
async fn whitespace() {
    let layer = hs_layer();
    let token = valid_hs();
    let (head, rest) = token.split_once('.').unwrap();
    let chars = AuthErrorKind::InvalidRequest("the token has characters a token cannot have");
    let inside = [
        ("space after the first dot", format!("{head}. {rest}")),
        (
            "space inside a segment",
            format!("{} {}", &token[..5], &token[5..]),
        ),
        ("tab inside", format!("{head}.\t{rest}")),
        ("trailing tab", format!("{token}\t")),
        ("leading tab", format!("\t{token}")),
    ];
    for (what, value) in inside {
        let request = || {
            Request::get("/")
                .header(AUTHORIZATION, format!("Bearer {value}"))
                .body(String::new())
                .unwrap()
        };
        refused_request(&layer, request, StatusCode::BAD_REQUEST, &chars, what).await;
    }
    for value in [
        format!("Bearer    {token}"),
        format!("Bearer {token}   "),
        format!("bearer   {token}  "),
    ] {
        let request = Request::get("/")
            .header(AUTHORIZATION, value.as_str())
            .body(String::new())
            .unwrap();
        accepted(&layer, request, &format!("{value:?}")).await;
    }
}

#[tokio::test]
async fn tampered_header() {
    let token = valid_hs();
    let rest = token.split_once('.').unwrap().1;
    for header in [
        r#"{"alg":"HS256","typ":"JWT","kid":"x"}"#,
        r#"{"alg":"HS256","typ":"at+jwt"}"#,
        r#"{"typ":"JWT","alg":"HS256"}"#,
    ] {
        let tampered = format!("{}.{rest}", b64(header));
        refused(
            &hs_layer(),
            &tampered,
            AuthErrorKind::InvalidSignature,
            header,
        )
        .await;
    }
}

#[tokio::test]
async fn tampered_payload() {
    let token = valid_hs();
    let parts: Vec<&str> = token.split('.').collect();
    for payload in [
        payload_with(|p| p["sub"] = json!("admin")),
        payload_with(|p| p["exp"] = json!(NOW + 10 * 365 * 86_400)),
        payload_with(|p| p["scope"] = json!("admin")),
    ] {
        let tampered = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
        refused(
            &hs_layer(),
            &tampered,
            AuthErrorKind::InvalidSignature,
            &payload,
        )
        .await;
    }
}

#[tokio::test]
async fn tampered_signature() {
    let token = valid_hs();
    let (message, signature) = token.rsplit_once('.').unwrap();
    let valid = unb64(signature);
    let mut flipped = valid.clone();
    flipped[0] ^= 1;
    let mut last = valid.clone();
    *last.last_mut().unwrap() ^= 0x80;
    for (what, signature) in [
        ("first bit flipped", flipped),
        ("last byte changed", last),
        ("all zero", vec![0; 32]),
        ("doubled", [valid.clone(), valid.clone()].concat()),
    ] {
        refused(
            &hs_layer(),
            &format!("{message}.{}", b64(signature)),
            AuthErrorKind::InvalidSignature,
            what,
        )
        .await;
    }
}

#[tokio::test]
async fn signature_with_unused_bits_set() {
    // A 32-byte MAC is 43 characters: the last one carries 2 unused bits. Setting one gives a
    // second spelling of the same signature bytes, which a lax decoder would accept.
    let token = valid_hs();
    let (message, signature) = token.rsplit_once('.').unwrap();
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = signature.as_bytes()[42];
    let index = ALPHABET.iter().position(|&c| c == last).unwrap();
    assert_eq!(
        index % 4,
        0,
        "a canonical encoder leaves the unused bits zero"
    );
    let respelled = format!(
        "{message}.{}{}",
        &signature[..42],
        char::from(ALPHABET[index | 1])
    );
    let lax = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    );
    assert_eq!(
        lax.decode(respelled.rsplit_once('.').unwrap().1).unwrap(),
        lax.decode(signature).unwrap(),
        "a lax decoder reads the same MAC"
    );
    refused(
        &hs_layer(),
        &respelled,
        malformed("a segment is not canonical base64url"),
        "unused bits set in the signature's last character",
    )
    .await;
}

#[tokio::test]
async fn truncated_token() {
    let token = valid_hs();
    let (message, signature) = token.rsplit_once('.').unwrap();
    assert_eq!(signature.len(), 43, "an HS256 signature is 43 characters");
    let layer = hs_layer();
    // 40 characters: 30 bytes of canonical base64url, a short MAC.
    refused(
        &layer,
        &token[..token.len() - 3],
        AuthErrorKind::InvalidSignature,
        "signature cut to 30 bytes",
    )
    .await;
    // 41 characters can be no base64 at all.
    refused(
        &layer,
        &token[..token.len() - 2],
        malformed("a segment is not canonical base64url"),
        "signature cut to 41 characters",
    )
    .await;
    refused(
        &layer,
        &format!("{message}."),
        malformed("the token is not signed"),
        "signature removed",
    )
    .await;
    refused(
        &layer,
        message,
        malformed(NOT_3),
        "signature and dot removed",
    )
    .await;
    let cut = &message[..message.len() - 10];
    refused(&layer, cut, malformed(NOT_3), "cut inside the payload").await;
}

// ---------------------------------------------------------------------------------------------
// size and nesting

#[tokio::test]
async fn token_above_the_size_cap() {
    let layer = hs_layer();
    let too_large = |len| AuthErrorKind::TokenTooLarge {
        len,
        max: DEFAULT_MAX_TOKEN_LEN,
    };
    // A well-formed, validly signed token that is simply too big.
    let big = hs(
        r#"{"alg":"HS256"}"#,
        &payload_with(|p| p["pad"] = json!("x".repeat(9 * 1024))),
    );
    refused(&layer, &big, too_large(big.len()), "validly signed").await;
    // Checked before splitting or decoding: garbage of 8 KiB + 1 is "too large", not
    // "malformed", and 8 KiB exactly gets as far as splitting.
    let garbage = "A".repeat(DEFAULT_MAX_TOKEN_LEN + 1);
    refused(&layer, &garbage, too_large(garbage.len()), "8 KiB + 1").await;
    let at_cap = "A".repeat(DEFAULT_MAX_TOKEN_LEN);
    refused(&layer, &at_cap, malformed(NOT_3), "8 KiB exactly").await;
    let plus = "+".repeat(DEFAULT_MAX_TOKEN_LEN + 1);
    refused(
        &layer,
        &plus,
        too_large(plus.len()),
        "bad base64 over the cap",
    )
    .await;

    // Configurable.
    let small = support::builder(hs_keys())
        .max_token_len(64)
        .build()
        .unwrap();
    let token = valid_hs();
    refused(
        &small,
        &token,
        AuthErrorKind::TokenTooLarge {
            len: token.len(),
            max: 64,
        },
        "max_token_len(64)",
    )
    .await;
}

#[tokio::test]
async fn one_mebibyte_of_dots() {
    let dots = ".".repeat(1024 * 1024);
    refused(
        &hs_layer(),
        &dots,
        AuthErrorKind::TokenTooLarge {
            len: dots.len(),
            max: DEFAULT_MAX_TOKEN_LEN,
        },
        "1 MiB of dots",
    )
    .await;
}

#[tokio::test]
async fn many_dots() {
    let layer = hs_layer();
    let token = valid_hs();
    for (what, text) in [
        ("4000 dots", ".".repeat(4000)),
        ("a. repeated", format!("{}a", "a.".repeat(3000))),
        (
            "valid token then dots",
            format!("{token}{}", ".".repeat(100)),
        ),
    ] {
        refused(&layer, &text, malformed(NOT_3_JWE), what).await;
    }
    refused(
        &layer,
        "..",
        malformed("empty header or payload segment"),
        "two dots",
    )
    .await;
}

/// A claims payload nested `depth` levels deep (the outer object counts as one).
fn nested_payload(depth: usize) -> String {
    let mut payload = valid_payload().to_string();
    payload.pop();
    format!(
        r#"{payload},"nest":{}{}}}"#,
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    )
}

#[tokio::test]
async fn deeply_nested_payload() {
    let token = hs(r#"{"alg":"HS256"}"#, &nested_payload(1000));
    refused(&hs_layer(), &token, malformed(TOO_DEEP), "depth 1000").await;
    // The configured limit is what decides, at any depth.
    let at = support::builder(hs_keys())
        .max_json_depth(1000)
        .build()
        .unwrap();
    accepted(&at, bearer(&token), "depth 1000, max 1000").await;
    let under = support::builder(hs_keys())
        .max_json_depth(999)
        .build()
        .unwrap();
    refused(&under, &token, malformed(TOO_DEEP), "depth 1000, max 999").await;
}

#[tokio::test]
async fn deeply_nested_header() {
    // Refused before any crypto: the signature is junk.
    let header = format!(
        r#"{{"alg":"HS256","x":{}{}}}"#,
        "[".repeat(999),
        "]".repeat(999)
    );
    let token = with_signature(&header, &valid_payload().to_string(), &[0; 32]);
    refused(
        &hs_layer(),
        &token,
        malformed(TOO_DEEP),
        "header depth 1000",
    )
    .await;
}

#[tokio::test]
async fn json_depth_is_configurable() {
    let token = |depth| hs(r#"{"alg":"HS256"}"#, &nested_payload(depth));
    let default = hs_layer();
    accepted(&default, bearer(&token(16)), "depth 16, default limit").await;
    refused(
        &default,
        &token(17),
        malformed(TOO_DEEP),
        "depth 17, default",
    )
    .await;
    let deeper = support::builder(hs_keys())
        .max_json_depth(32)
        .build()
        .unwrap();
    accepted(&deeper, bearer(&token(20)), "depth 20, max 32").await;
    let shallow = support::builder(hs_keys())
        .max_json_depth(4)
        .build()
        .unwrap();
    accepted(&shallow, bearer(&token(4)), "depth 4, max 4").await;
    refused(&shallow, &token(5), malformed(TOO_DEEP), "depth 5, max 4").await;
    let zero = support::builder::<TestClaims, _>(hs_keys())
        .max_json_depth(0)
        .build();
    assert_eq!(zero.unwrap_err().kind(), ConfigErrorKind::InvalidSetting);
}

// ---------------------------------------------------------------------------------------------
// claims

fn twice() -> AuthErrorKind {
    AuthErrorKind::InvalidClaim("a registered claim appears twice")
}

#[tokio::test]
async fn duplicate_claims() {
    let layer = hs_layer();
    let header = r#"{"alg":"HS256"}"#;
    let base = r#""sub":"ann","iss":"https://idp.test","aud":"api""#;
    let cases = [
        (
            "expired exp then valid exp",
            format!(r#"{{{base},"exp":{},"exp":{}}}"#, NOW - 3600, NOW + 600),
            twice(),
        ),
        (
            "valid exp then expired exp",
            format!(r#"{{{base},"exp":{},"exp":{}}}"#, NOW + 600, NOW - 3600),
            twice(),
        ),
        (
            "same exp twice",
            format!(r#"{{{base},"exp":{0},"exp":{0}}}"#, NOW + 600),
            twice(),
        ),
        (
            "exp and an escaped exp",
            format!(
                r#"{{{base},"exp":{},"e\u0078p":{}}}"#,
                NOW + 600,
                NOW - 3600
            ),
            twice(),
        ),
        (
            "iss twice",
            format!(
                r#"{{"sub":"ann","aud":"api","exp":{},"iss":"https://evil","iss":"https://idp.test"}}"#,
                NOW + 600
            ),
            twice(),
        ),
        (
            "aud twice",
            format!(
                r#"{{"sub":"ann","iss":"https://idp.test","exp":{},"aud":"api","aud":"api"}}"#,
                NOW + 600
            ),
            twice(),
        ),
        (
            "sub twice",
            format!(r#"{{{base},"exp":{},"sub":"admin"}}"#, NOW + 600),
            AuthErrorKind::InvalidClaims,
        ),
    ];
    for (what, payload, kind) in cases {
        refused(&layer, &hs(header, &payload), kind, what).await;
    }
}

#[tokio::test]
async fn non_numeric_exp() {
    let layer = hs_layer();
    let not_a_number = AuthErrorKind::InvalidClaim("exp is not a number");
    for exp in [
        json!((NOW + 600).to_string()),
        json!(null),
        json!(true),
        json!([NOW + 600]),
        json!({ "at": NOW + 600 }),
    ] {
        let payload = payload_with(|p| p["exp"] = exp.clone());
        refused(
            &layer,
            &hs(r#"{"alg":"HS256"}"#, &payload),
            not_a_number.clone(),
            &format!("exp {exp}"),
        )
        .await;
    }
    let payload = payload_with(|p| p["nbf"] = json!("0"));
    refused(
        &layer,
        &hs(r#"{"alg":"HS256"}"#, &payload),
        AuthErrorKind::InvalidClaim("nbf is not a number"),
        "nbf string",
    )
    .await;
}

#[tokio::test]
async fn missing_exp() {
    let payload = payload_with(|p| {
        p.as_object_mut().unwrap().remove("exp");
    });
    refused(
        &hs_layer(),
        &hs(r#"{"alg":"HS256"}"#, &payload),
        AuthErrorKind::MissingClaim("exp".into()),
        "no exp",
    )
    .await;
}

#[tokio::test]
async fn payload_not_a_json_object() {
    let layer = hs_layer();
    for payload in [
        format!(r#"[{}]"#, valid_payload()),
        r#""ann""#.to_owned(),
        "1767226200".to_owned(),
        "null".to_owned(),
        "true".to_owned(),
        format!("{} {{}}", valid_payload()),
        "not json".to_owned(),
    ] {
        refused(
            &layer,
            &hs(r#"{"alg":"HS256"}"#, &payload),
            malformed(NOT_CLAIMS),
            &payload,
        )
        .await;
    }
}

fn hs_claims(claims: &TestClaims) -> String {
    support::mint(Algorithm::HS256, claims)
}

#[tokio::test]
async fn expired() {
    let layer = hs_layer();
    let at = |exp| {
        hs_claims(&TestClaims {
            exp: Some(exp),
            ..TestClaims::valid()
        })
    };
    accepted(&layer, bearer(&at(NOW - 60)), "inside the 60 s leeway").await;
    refused(
        &layer,
        &at(NOW - 3600),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(3600),
        },
        "an hour ago",
    )
    .await;
    refused(
        &layer,
        &at(NOW - 61),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(61),
        },
        "just past the leeway",
    )
    .await;
    refused(
        &layer,
        &at(0),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(NOW),
        },
        "epoch",
    )
    .await;
    // The leeway is configurable but bounded.
    let none = support::builder(hs_keys())
        .leeway(Duration::ZERO)
        .build()
        .unwrap();
    refused(
        &none,
        &at(NOW - 1),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(1),
        },
        "no leeway",
    )
    .await;
    let unbounded = support::builder::<TestClaims, _>(hs_keys())
        .leeway(Duration::from_secs(601))
        .build();
    assert_eq!(
        unbounded.unwrap_err().kind(),
        ConfigErrorKind::InvalidSetting
    );
}

#[tokio::test]
async fn not_yet_valid() {
    let layer = hs_layer();
    let nbf = |nbf: u64| {
        hs(
            r#"{"alg":"HS256"}"#,
            &payload_with(|p| p["nbf"] = json!(nbf)),
        )
    };
    accepted(&layer, bearer(&nbf(NOW + 60)), "inside the leeway").await;
    refused(
        &layer,
        &nbf(NOW + 3600),
        AuthErrorKind::NotYetValid {
            remaining: Duration::from_secs(3600),
        },
        "in an hour",
    )
    .await;
}

#[tokio::test]
async fn wrong_issuer() {
    let layer = hs_layer();
    for iss in [
        Some("https://evil.test"),
        Some("https://idp.test/"),
        Some("HTTPS://IDP.TEST"),
        Some(""),
        None,
    ] {
        let token = hs_claims(&TestClaims {
            iss: iss.map(String::from),
            ..TestClaims::valid()
        });
        refused(
            &layer,
            &token,
            AuthErrorKind::InvalidIssuer,
            &format!("iss {iss:?}"),
        )
        .await;
    }
    let payload = payload_with(|p| p["iss"] = json!(["https://idp.test"]));
    refused(
        &layer,
        &hs(r#"{"alg":"HS256"}"#, &payload),
        AuthErrorKind::InvalidClaim("iss is not a string"),
        "iss array",
    )
    .await;
}

#[tokio::test]
async fn missing_audience() {
    let token = hs_claims(&TestClaims {
        aud: None,
        ..TestClaims::valid()
    });
    refused(
        &hs_layer(),
        &token,
        AuthErrorKind::InvalidAudience,
        "no aud",
    )
    .await;
}

#[tokio::test]
async fn audience_not_ours() {
    let layer = hs_layer();
    for aud in [
        json!("web"),
        json!("API"),
        json!(["web", "admin"]),
        json!([]),
    ] {
        let payload = payload_with(|p| p["aud"] = aud.clone());
        refused(
            &layer,
            &hs(r#"{"alg":"HS256"}"#, &payload),
            AuthErrorKind::InvalidAudience,
            &format!("aud {aud}"),
        )
        .await;
    }
}

#[tokio::test]
async fn wrong_type() {
    let layer = support::builder(hs_keys())
        .issuer(ISS)
        .audience(AUD)
        .expected_type("at+jwt")
        .build()
        .unwrap();
    let payload = valid_payload().to_string();
    accepted(
        &layer,
        bearer(&hs(r#"{"alg":"HS256","typ":"at+jwt"}"#, &payload)),
        "at+jwt",
    )
    .await;
    accepted(
        &layer,
        bearer(&hs(
            r#"{"alg":"HS256","typ":"application/at+jwt"}"#,
            &payload,
        )),
        "application/at+jwt",
    )
    .await;
    for header in [
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"at+jwt+x"}"#,
        r#"{"alg":"HS256","typ":"application/jwt"}"#,
    ] {
        refused(
            &layer,
            &hs(header, &payload),
            AuthErrorKind::InvalidType,
            header,
        )
        .await;
    }
    // A JWT-typed token minted by a real library, too.
    refused(
        &layer,
        &support::mint(Algorithm::HS256, &TestClaims::valid()),
        AuthErrorKind::InvalidType,
        "jsonwebtoken's default typ",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// configuration

fn config_error<T>(result: Result<T, ConfigError>) -> ConfigErrorKind {
    match result {
        Ok(_) => panic!("the configuration must be refused"),
        Err(e) => e.kind(),
    }
}

#[test]
fn weak_hmac_secret_is_refused_at_build_time() {
    for (alg, min) in [
        (Algorithm::HS256, 32),
        (Algorithm::HS384, 48),
        (Algorithm::HS512, 64),
    ] {
        for len in [0, 1, min / 2, min - 1] {
            let secret = vec![0x42u8; len];
            assert_eq!(
                config_error(StaticKeys::new().secret(&secret, alg)),
                ConfigErrorKind::WeakSecret,
                "{alg:?} with {len} bytes"
            );
            assert_eq!(
                config_error(VerifyingKey::from_secret(&secret, alg)),
                ConfigErrorKind::WeakSecret
            );
            assert_eq!(
                config_error(StaticKeys::new().base64_secret(&STANDARD.encode(&secret), alg)),
                ConfigErrorKind::WeakSecret
            );
        }
        assert!(StaticKeys::new().secret(&vec![0x42; min], alg).is_ok());
    }
    // A short `oct` key in a local JWKS is skipped, leaving no key.
    let jwks = json!({ "keys": [{ "kty": "oct", "alg": "HS256", "k": b64([1u8; 16]) }] });
    assert_eq!(
        config_error(StaticKeys::new().jwks(jwks.to_string())),
        ConfigErrorKind::NoKeys
    );
}

// ---------------------------------------------------------------------------------------------
// more than one token

#[tokio::test]
async fn two_authorization_headers() {
    let layer = hs_layer();
    let token = valid_hs();
    let other = hs_claims(&TestClaims {
        sub: "bob".into(),
        ..TestClaims::valid()
    });
    let request = || {
        Request::get("/")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(AUTHORIZATION, format!("Bearer {other}"))
            .body(String::new())
            .unwrap()
    };
    accepted(&layer, bearer(&token), "one header").await;
    refused_request(
        &layer,
        request,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "two Authorization headers",
    )
    .await;
    let same = || {
        Request::get("/")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .body(String::new())
            .unwrap()
    };
    refused_request(
        &layer,
        same,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "the same token twice",
    )
    .await;
}

#[tokio::test]
async fn header_plus_cookie() {
    let layer = support::builder(hs_keys())
        .token_sources([TokenSource::Bearer, TokenSource::cookie("jwt")])
        .build()
        .unwrap();
    let token = valid_hs();
    let cookie = |value: String| {
        Request::get("/")
            .header(COOKIE, value)
            .body(String::new())
            .unwrap()
    };
    accepted(&layer, bearer(&token), "header alone").await;
    accepted(&layer, cookie(format!("a=1; jwt={token}")), "cookie alone").await;
    let both = || {
        Request::get("/")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(COOKIE, format!("jwt={token}"))
            .body(String::new())
            .unwrap()
    };
    refused_request(
        &layer,
        both,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "header and cookie",
    )
    .await;
    let two_cookies = || cookie(format!("jwt={token}; jwt={token}"));
    refused_request(
        &layer,
        two_cookies,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "two cookies",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// what is never shown

/// Every way `secret` could show in text: as is, halves, base64, hex, a decimal byte list.
fn leaks(text: &str, secret: &[u8]) -> Vec<String> {
    let mut forms = vec![
        STANDARD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        secret.iter().map(|b| format!("{b:02x}")).collect(),
        format!("{:?}", &secret[..secret.len().min(8)])
            .trim_matches(['[', ']'])
            .to_owned(),
    ];
    if let Ok(s) = std::str::from_utf8(secret) {
        forms.push(s.to_owned());
        forms.push(s[..s.len() / 2].to_owned());
        forms.push(s[s.len() / 2..].to_owned());
    }
    forms
        .into_iter()
        .filter(|f| f.len() >= 8 && text.contains(f.as_str()))
        .collect()
}

#[test]
fn the_leak_detector_sees_leaks() {
    assert!(!leaks(&format!("{HS_SECRET:?}"), HS_SECRET).is_empty());
    assert!(!leaks(std::str::from_utf8(HS_SECRET).unwrap(), HS_SECRET).is_empty());
    assert!(leaks("nothing here", HS_SECRET).is_empty());
}

#[tokio::test]
async fn tokens_and_secrets_never_reach_the_logs() {
    let (captured, _guard) = support::capture_logs();

    let layer = hs_layer();
    let forged = sign(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &payload_with(|p| p["sub"] = json!("admin")),
        &EncodingKey::from_secret(&[0x77; 32]),
        Algorithm::HS256,
    );
    let expired = hs_claims(&TestClaims {
        exp: Some(NOW - 3600),
        ..TestClaims::valid()
    });
    refused(&layer, &forged, AuthErrorKind::InvalidSignature, "forged").await;
    refused(
        &layer,
        &expired,
        AuthErrorKind::Expired {
            ago: Duration::from_secs(3600),
        },
        "expired",
    )
    .await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!text.is_empty(), "nothing was logged");
    assert!(text.contains("token signature is invalid"), "{text}");
    assert!(text.contains("token expired 1h0m0s ago"), "{text}");
    for token in [&forged, &expired] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!text.contains(token.as_str()), "token logged: {text}");
        assert!(!text.contains(signature), "signature logged: {text}");
        let payload = token.split('.').nth(1).unwrap();
        assert!(!text.contains(payload), "payload segment logged: {text}");
    }
    assert_eq!(leaks(&text, HS_SECRET), Vec::<String>::new(), "{text}");
}

#[tokio::test]
async fn debug_and_display_never_show_secrets_or_tokens() {
    let keys = hs_keys().rsa_pem(RSA_PUBLIC, Algorithm::RS256).unwrap();
    let layer = strict(keys.clone());
    let key = VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .with_kid("hmac-1");

    // Errors from real refusals, one of them carrying a hostile kid.
    let forged = sign(
        r#"{"alg":"HS256","kid":"' OR 1=1 --"}"#,
        &valid_payload().to_string(),
        &EncodingKey::from_secret(&[0x77; 32]),
        Algorithm::HS256,
    );
    let expired = hs_claims(&TestClaims {
        exp: Some(NOW - 3600),
        ..TestClaims::valid()
    });
    let mut tokens = vec![forged, expired, "A".repeat(DEFAULT_MAX_TOKEN_LEN + 1)];
    tokens.push(hs(
        r#"{"alg":"HS256"}"#,
        &payload_with(|p| p["exp"] = json!("soon")),
    ));
    let mut errors = Vec::new();
    for token in &tokens {
        let (response, _) = run(&named_hs_layer(), bearer(token)).await;
        errors.push((token.clone(), error_of(&response, token)));
    }
    assert_eq!(errors.len(), 4);

    let mut texts = vec![
        format!("{layer:?}"),
        format!("{layer:#?}"),
        format!("{keys:?}"),
        format!("{keys:#?}"),
        format!("{key:?}"),
        format!("{key:#?}"),
    ];
    assert!(texts[4].contains("hmac-1"), "Debug still names the kid");
    for (token, error) in &errors {
        let shown = [
            error.to_string(),
            format!("{error:?}"),
            format!("{error:#?}"),
        ];
        for text in &shown {
            for part in token.split('.').filter(|p| p.len() >= 8) {
                assert!(!text.contains(&part[..part.len().min(64)]), "{text}");
            }
            assert!(!text.contains("OR 1=1"), "the kid in {text}");
        }
        texts.extend(shown);
    }
    for text in &texts {
        assert_eq!(leaks(text, HS_SECRET), Vec::<String>::new(), "{text}");
        for line in RSA_PUBLIC.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "the PEM body in {text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON shapes: RFC 7515 §4 and RFC 7519 §7.2 want objects, not arrays

#[tokio::test]
async fn a_json_array_header_is_refused() {
    // A derived struct would read `["HS256"]` as its first field, `alg`.
    let token = hs(r#"["HS256"]"#, &valid_payload().to_string());
    refused(
        &hs_layer(),
        &token,
        malformed("the header is not a JSON object"),
        "array header",
    )
    .await;
    let token = hs(
        " \n[\"HS256\", null, \"JWT\"]",
        &valid_payload().to_string(),
    );
    refused(
        &hs_layer(),
        &token,
        malformed("the header is not a JSON object"),
        "array header after whitespace",
    )
    .await;
}

#[tokio::test]
async fn a_json_array_payload_is_refused() {
    let claims = TestClaims::valid();
    let payload = json!([claims.sub, claims.exp, claims.iss, claims.aud, null]).to_string();
    let token = hs(r#"{"alg":"HS256","typ":"JWT"}"#, &payload);
    refused(&hs_layer(), &token, malformed(NOT_CLAIMS), "array payload").await;
}
