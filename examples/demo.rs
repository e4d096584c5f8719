//! A self-contained tour of the middleware: `cargo run --example demo`.
//!
//! Starts an axum app behind `JwtAuthLayer` on a free port of 127.0.0.1, then sends it
//! requests with good and bad tokens over real HTTP and prints what came back. Each status is
//! compared with the expected one; the process exits with 1 if any differs.
//!
//! Tokens are EdDSA, signed with the test fixture key, and use the real clock.

use std::net::SocketAddr;

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tower_jwt_auth::jsonwebtoken::{self, Algorithm, EncodingKey, Header};
use tower_jwt_auth::{Claims, GrantSource, JwtAuthLayer, Require, StandardClaims, StaticKeys};

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "api";
const ED_PRIVATE: &str = include_str!("../tests/keys/ed25519_private.pem");
const ED_PUBLIC: &str = include_str!("../tests/keys/ed25519_public.pem");

type Error = Box<dyn std::error::Error + Send + Sync>;

/// One request of the tour.
struct Case {
    what: &'static str,
    path: &'static str,
    /// One `Authorization: Bearer` header per token.
    tokens: Vec<String>,
    expected: StatusCode,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // With both signature backends compiled in, pick one for signing and for the layer.
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );

    let addr = serve().await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let now = jsonwebtoken::get_current_timestamp();

    let valid = claims(now + 300, AUDIENCE, "read");
    let our_key = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes())?;
    let ours = |claims: &Value| sign(claims, &our_key);

    let cases = [
        Case {
            what: "a valid token",
            path: "/me",
            tokens: vec![ours(&valid)?],
            expected: StatusCode::OK,
        },
        Case {
            what: "no token",
            path: "/me",
            tokens: vec![],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "a token expired an hour ago",
            path: "/me",
            tokens: vec![ours(&claims(now - 3600, AUDIENCE, "read"))?],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "a token signed by another key",
            path: "/me",
            tokens: vec![sign(&valid, &other_key())?],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "a token for another audience",
            path: "/me",
            tokens: vec![ours(&claims(now + 300, "billing", "read"))?],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "an alg:none token",
            path: "/me",
            tokens: vec![unsigned(&valid)],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "two tokens at once",
            path: "/me",
            tokens: vec![ours(&valid)?, ours(&valid)?],
            expected: StatusCode::BAD_REQUEST,
        },
        Case {
            what: "no admin scope, on /admin/users",
            path: "/admin/users",
            tokens: vec![ours(&valid)?],
            expected: StatusCode::FORBIDDEN,
        },
        Case {
            what: "the admin scope, on /admin/users",
            path: "/admin/users",
            tokens: vec![ours(&claims(now + 300, AUDIENCE, "read admin"))?],
            expected: StatusCode::OK,
        },
    ];

    let mut failures = 0;
    for case in &cases {
        let (status, detail) = send(&client, addr, case).await?;
        let mark = if status == case.expected {
            "ok  "
        } else {
            "FAIL"
        };
        if status != case.expected {
            failures += 1;
        }
        println!(
            "{mark} {:<30} -> {status} (expected {}) {detail}",
            case.what,
            case.expected.as_u16()
        );
    }

    if failures > 0 {
        println!(
            "{failures} of {} requests got an unexpected status",
            cases.len()
        );
        std::process::exit(1);
    }
    println!("all {} requests got the expected status", cases.len());
    Ok(())
}

/// Starts the protected app on a free port and returns its address.
async fn serve() -> Result<SocketAddr, Error> {
    // The public key is parsed once, here. Tokens must come from ISSUER, for AUDIENCE.
    let keys = StaticKeys::new().ed_pem(ED_PUBLIC)?;
    let builder = JwtAuthLayer::<StandardClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        // Read the token's scopes (the `scope` claim) for `Require`.
        .grants(GrantSource::scope());
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let auth = builder.build()?;

    let app = Router::new()
        .route(
            "/me",
            get(|claims: Claims<StandardClaims>| async move {
                format!("hello {}", claims.sub.as_deref().unwrap_or_default())
            }),
        )
        // The admin routes carry their own requirement: it guards exactly these routes, wherever
        // the router is nested. (Do not test `uri.path()` in a global check: under `nest` the
        // prefix is stripped from the path the check sees.)
        .nest(
            "/admin",
            Router::new()
                .route("/users", get(|| async { "welcome, admin" }))
                .route_layer(Require::scope("admin")),
        )
        .layer(auth);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// Sends one case; returns the status and the challenge (or the body).
async fn send(
    client: &Client<HttpConnector, Empty<Bytes>>,
    addr: SocketAddr,
    case: &Case,
) -> Result<(StatusCode, String), Error> {
    let mut request = Request::get(format!("http://{addr}{}", case.path));
    for token in &case.tokens {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = client.request(request.body(Empty::new())?).await?;
    let status = response.status();
    let detail = match response.headers().get(WWW_AUTHENTICATE) {
        Some(challenge) => format!("WWW-Authenticate: {}", challenge.to_str()?),
        None => {
            let body = response.into_body().collect().await?.to_bytes();
            format!("body: {}", String::from_utf8_lossy(&body))
        }
    };
    Ok((status, detail))
}

fn claims(exp: u64, aud: &str, scope: &str) -> Value {
    json!({ "sub": "ann", "iss": ISSUER, "aud": aud, "exp": exp, "scope": scope })
}

fn sign(claims: &Value, key: &EncodingKey) -> Result<String, Error> {
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::EdDSA),
        claims,
        key,
    )?)
}

/// An Ed25519 key the server does not know: PKCS#8 DER around a fixed 32-byte seed.
fn other_key() -> EncodingKey {
    const PKCS8_PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let mut der = PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&[7; 32]);
    EncodingKey::from_ed_der(&der)
}

/// The same claims with `alg: none` and no signature.
fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}
