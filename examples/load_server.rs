//! The server of the end-to-end load test (`scripts/load.sh`): one axum app on loopback, on
//! one thread, unprotected or behind the layer.
//!
//! `cargo run --release --example load_server -- MODE PORT` where MODE is `none`, `hs256`,
//! `rs256` or `rs256-cache` (this crate's layer), or `hs256-decode` / `rs256-decode`: the
//! baseline most JWT middleware amounts to, a `from_fn` middleware calling
//! `jsonwebtoken::decode` with the same checks and a handler taking `Extension<AppClaims>`.
//! `spinN` (for example `spin4.5`) is the unprotected app with N µs of busy work in the handler:
//! what any middleware adding N µs of CPU per request can at best achieve on this machine.
//! Prints one line, a token valid for an hour, then serves `GET /`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, Request};
use axum::http::{header::AUTHORIZATION, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{routing::get, Router};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tower_jwt_auth::{Claims, JwtAuthLayer, StaticKeys};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &str = include_str!("../tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../tests/keys/rsa_public.pem");

/// About 300 bytes of claims, like a typical access token.
#[derive(Clone, Serialize, Deserialize)]
struct AppClaims {
    sub: String,
    iss: String,
    aud: String,
    exp: u64,
    scope: String,
    email: String,
    roles: Vec<String>,
}

async fn protected(claims: Claims<AppClaims>) -> String {
    claims.sub.clone()
}

async fn protected_by_decode(Extension(claims): Extension<AppClaims>) -> String {
    claims.sub
}

/// The baseline: `jsonwebtoken::decode` in a hand-written middleware.
async fn decode_middleware(
    keys: Arc<(DecodingKey, Validation)>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.map(|t| decode::<AppClaims>(t, &keys.0, &keys.1)) {
        Some(Ok(data)) => {
            request.extensions_mut().insert(data.claims);
            next.run(request).await
        }
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "none".into());
    let port: u16 = args.next().map_or(Ok(8080), |p| p.parse())?;
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );

    let (alg, signing, keys) = match mode.as_str() {
        m if m == "hs256" || m == "hs256-decode" || m == "none" || m.starts_with("spin") => (
            Algorithm::HS256,
            EncodingKey::from_secret(SECRET),
            StaticKeys::new().secret(SECRET, Algorithm::HS256)?,
        ),
        "rs256" | "rs256-cache" | "rs256-decode" => (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes())?,
            StaticKeys::new().rsa_pem(RSA_PUBLIC, Algorithm::RS256)?,
        ),
        other => return Err(format!("unknown mode {other}").into()),
    };
    let claims = AppClaims {
        sub: "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f".into(),
        iss: "https://idp.example.com".into(),
        aud: "api".into(),
        exp: jsonwebtoken::get_current_timestamp() + 3600,
        scope: "openid profile email orders:read orders:write".into(),
        email: "ann.example@example.com".into(),
        roles: vec!["user".into(), "billing-admin".into()],
    };
    println!("{}", encode(&Header::new(alg), &claims, &signing)?);

    let app = if let Some(alg_name) = mode.strip_suffix("-decode") {
        let key = if alg_name == "hs256" {
            DecodingKey::from_secret(SECRET)
        } else {
            DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes())?
        };
        let mut validation = Validation::new(alg);
        validation.set_issuer(&["https://idp.example.com"]);
        validation.set_audience(&["api"]);
        let keys = Arc::new((key, validation));
        Router::new()
            .route("/", get(protected_by_decode))
            .layer(middleware::from_fn(move |request, next| {
                decode_middleware(keys.clone(), request, next)
            }))
    } else if let Some(us) = mode.strip_prefix("spin") {
        let spin = Duration::from_nanos((us.parse::<f64>()? * 1000.0) as u64);
        Router::new().route(
            "/",
            get(move || async move {
                let start = std::time::Instant::now();
                while start.elapsed() < spin {
                    std::hint::spin_loop();
                }
                "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f"
            }),
        )
    } else if mode == "none" {
        Router::new().route(
            "/",
            get(|| async { "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f" }),
        )
    } else {
        let builder = JwtAuthLayer::<AppClaims>::builder(keys)
            .issuer("https://idp.example.com")
            .audience("api");
        #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
        let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
        let builder = if mode == "rs256-cache" {
            builder.cache(10_000, Duration::from_secs(300))
        } else {
            builder
        };
        Router::new()
            .route("/", get(protected))
            .layer(builder.build()?)
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
