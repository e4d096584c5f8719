//! Every attack and malformed input of the project's security reference (`SECURITY.md` and the
//! attack list it was drawn from), through the layer, one module a theme: `algorithms`,
//! `keys`, `malformed`, `claims` and `transport`.
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

// The shared helpers of every test binary, one folder up from this one's.
#[path = "../support/mod.rs"]
mod support;

mod algorithms;
mod claims;
mod keys;
mod malformed;
mod transport;

use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, WWW_AUTHENTICATE};
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use tower_jwt_auth::{
    AlgorithmSet, AuthError, AuthErrorKind, ConfigErrorKind, JwtAuthLayer, KeySource, StaticKeys,
    TokenHeader, TokenSource, VerifyingKey, DEFAULT_MAX_TOKEN_LEN,
};

use support::*;

// ---------------------------------------------------------------------------------------------
// harness

fn as_grpc(mut request: Request<String>) -> Request<String> {
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    request
}

fn error_of<B>(response: &Response<B>, what: &str) -> AuthError {
    auth_error(response)
        .unwrap_or_else(|| panic!("{what}: no AuthError in the response"))
        .clone()
}

/// The RFC 6750 error code of a status (what `SECURITY.md` promises).
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
        challenge(&self.http)
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
    let (http, calls) = through(layer, make()).await;
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

    let (grpc, calls) = through(layer, as_grpc(make())).await;
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
    let (response, calls) = through(layer, request).await;
    assert_reached_inner(&response, what);
    assert_eq!(calls, 1, "{what}");
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

fn strict<K: KeySource>(keys: K) -> JwtAuthLayer<TestClaims, K> {
    strict_builder(keys).build().expect("layer builds")
}

fn hs_layer() -> JwtAuthLayer<TestClaims> {
    strict(hs_keys())
}

/// An HS256 token for `claims`.
fn hs_claims(claims: &TestClaims) -> String {
    support::mint(Algorithm::HS256, claims)
}

/// The HS256 fixture secret under the `kid` `k1`.
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

fn valid_payload() -> Value {
    serde_json::to_value(TestClaims::valid()).unwrap()
}

fn payload_with(edit: impl FnOnce(&mut Value)) -> String {
    let mut payload = valid_payload();
    edit(&mut payload);
    payload.to_string()
}

/// A token over hand-made JSON with this signature.
fn with_signature(header: &str, payload: &str, signature: &[u8]) -> String {
    format!("{}.{}", message(header, payload), b64(signature))
}

fn valid_hs() -> String {
    hs_token(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        valid_payload().to_string(),
    )
}
