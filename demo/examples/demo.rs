//! A self-contained tour of the middleware: `cargo run --example demo`.
//!
//! Starts an identity provider (the crate's test kit, serving OIDC discovery and a JWKS) and
//! an axum app behind `JwtAuthLayer` that finds its keys through that discovery document,
//! both on free ports of 127.0.0.1; then sends the app requests with good and bad tokens over
//! real HTTP and prints what came back. Each status is compared with the expected one; the
//! process exits with 1 if any differs.

use std::net::SocketAddr;

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tower_jwt_auth::testing::{Defect, TestIssuer, TestServer};
use tower_jwt_auth::{Claims, GrantSource, JwtAuthLayer, Require, StandardClaims};

const AUDIENCE: &str = "api";

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
    // The identity provider: discovery at /.well-known/openid-configuration, keys at /jwks.
    let idp = TestIssuer::builder().audience(AUDIENCE).serve().await?;
    println!("identity provider at {}", idp.issuer());
    let addr = serve(&idp).await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let valid = || idp.token().subject("ann").scope("read");

    let cases = [
        Case {
            what: "a valid token",
            path: "/me",
            tokens: vec![valid().sign()],
            expected: StatusCode::OK,
        },
        Case {
            what: "no token",
            path: "/me",
            tokens: vec![],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "a token expired ten minutes ago",
            path: "/me",
            tokens: vec![valid().expired().sign()],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "a token signed by another key",
            path: "/me",
            tokens: vec![valid().defect(Defect::ForeignKey).sign()],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "a token for another audience",
            path: "/me",
            tokens: vec![valid().audience("billing").sign()],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "an alg:none token",
            path: "/me",
            tokens: vec![valid().defect(Defect::AlgNone).sign()],
            expected: StatusCode::UNAUTHORIZED,
        },
        Case {
            what: "two tokens at once",
            path: "/me",
            tokens: vec![valid().sign(), valid().sign()],
            expected: StatusCode::BAD_REQUEST,
        },
        Case {
            what: "no admin scope, on /admin/users",
            path: "/admin/users",
            tokens: vec![valid().sign()],
            expected: StatusCode::FORBIDDEN,
        },
        Case {
            what: "the admin scope, on /admin/users",
            path: "/admin/users",
            tokens: vec![valid().scope("admin").sign()],
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
            "{mark} {:<33} -> {status} (expected {}) {detail}",
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
async fn serve(idp: &TestServer) -> Result<SocketAddr, Error> {
    // Keys come from the provider's JWKS, found through its discovery document (plain http is
    // allowed for this loopback provider only); the layer then also requires `iss` to be it.
    let keys = idp.remote_keys().build()?;
    keys.refresh().await?; // fail now, loudly, if the provider cannot be reached
    let builder = JwtAuthLayer::<StandardClaims>::builder(keys)
        .audience(AUDIENCE)
        // Read the token's scopes (the `scope` claim) for `Require`.
        .grants(GrantSource::scope());
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder =
        builder.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
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
