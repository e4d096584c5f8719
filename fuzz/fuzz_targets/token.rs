//! Arbitrary bytes as a token, through a layer over every kind of key.
//!
//! Each input is sent four ways: as `Authorization: Bearer <input>`, as the raw `Authorization`
//! value, as the value of the cookie `s`, and, split at `0xFF` bytes into segments that are
//! each base64url-encoded and joined with dots, as a bearer token (so that the fuzzer reaches
//! the JSON header and claims without having to learn base64). Every response must be 200,
//! 400 or 401, a refusal must carry its `AuthError`, and nothing may panic. Seeds include
//! headers and payloads that are JSON arrays, which must be refused as not objects.
#![no_main]

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::LazyLock;
use std::task::{Context, Poll};

use base64::Engine as _;
use futures_util::FutureExt as _;
use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderValue, Request, Response, StatusCode};
use libfuzzer_sys::fuzz_target;
use tower_jwt_auth::jsonwebtoken::Algorithm;
use tower_jwt_auth::{
    AuthError, JwtAuthBuilder, JwtAuthLayer, KeySource, StaticKeys, TokenSource, VerifyingKey,
};

const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RSA_PUBLIC: &str = include_str!("../../tests/keys/rsa_public.pem");
const EC256_PUBLIC: &str = include_str!("../../tests/keys/ec256_public.pem");
const ED_PUBLIC: &str = include_str!("../../tests/keys/ed25519_public.pem");

type Claims = serde_json::Value;

/// The inner service: answers 200 to whatever reaches it.
#[derive(Clone)]
struct Inner;

impl tower_service::Service<Request<()>> for Inner {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(Response::new(())))
    }
}

fn keys() -> StaticKeys {
    StaticKeys::new()
        .secret(HS_SECRET, Algorithm::HS256)
        .and_then(|k| {
            k.key(
                VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256)?
                    .with_kid("rsa"),
            )
        })
        .and_then(|k| k.ec_pem(EC256_PUBLIC, Algorithm::ES256))
        .and_then(|k| k.ed_pem(ED_PUBLIC))
        .expect("the fixture keys load")
}

fn backend<C, K: KeySource>(builder: JwtAuthBuilder<C, K>) -> JwtAuthBuilder<C, K> {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder =
        builder.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    builder
}

fn layer(source: TokenSource) -> JwtAuthLayer<Claims> {
    backend(JwtAuthLayer::<Claims>::builder(keys()))
        .token_source(source)
        .issuer("https://idp.test")
        .audience("api")
        .build()
        .expect("the layer builds")
}

static BEARER: LazyLock<JwtAuthLayer<Claims>> = LazyLock::new(|| layer(TokenSource::Bearer));
static COOKIE_S: LazyLock<JwtAuthLayer<Claims>> = LazyLock::new(|| layer(TokenSource::cookie("s")));

fn send(layer: &JwtAuthLayer<Claims>, name: http::HeaderName, value: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(value) else {
        return;
    };
    let mut request = Request::new(());
    request.headers_mut().insert(name, value);
    let mut service = tower_layer::Layer::layer(layer, Inner);
    let response = tower_service::Service::call(&mut service, request)
        .now_or_never()
        .expect("static keys and a ready inner service never make the future wait")
        .unwrap_or_else(|never| match never {});
    let status = response.status();
    assert!(
        matches!(
            status,
            StatusCode::OK | StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED
        ),
        "unexpected status {status}"
    );
    if status != StatusCode::OK {
        let error = response
            .extensions()
            .get::<AuthError>()
            .expect("a refusal carries its AuthError");
        assert_eq!(error.status(), status, "{error:?}");
    }
}

fn prefixed(prefix: &[u8], data: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(prefix.len() + data.len());
    value.extend_from_slice(prefix);
    value.extend_from_slice(data);
    value
}

fn encoded(data: &[u8]) -> Vec<u8> {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let segments: Vec<String> = data
        .split(|b| *b == 0xFF)
        .map(|s| engine.encode(s))
        .collect();
    prefixed(b"Bearer ", segments.join(".").as_bytes())
}

fuzz_target!(|data: &[u8]| {
    send(&BEARER, AUTHORIZATION, &prefixed(b"Bearer ", data));
    send(&BEARER, AUTHORIZATION, data);
    send(&COOKIE_S, COOKIE, &prefixed(b"s=", data));
    send(&BEARER, AUTHORIZATION, &encoded(data));
});
