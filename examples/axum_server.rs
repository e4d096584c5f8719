//! An axum server that protects `/me` with a JWT.
//!
//! ```text
//! cargo run --example axum_server
//! curl -H "Authorization: Bearer <token>" http://127.0.0.1:3000/me
//! ```
//!
//! Tokens are EdDSA (Ed25519), issued by `https://idp.example` for `api`. The public key is
//! read, as PEM, from the file named by `JWT_PUBLIC_KEY_FILE`; without it the server uses the
//! test fixture key and prints a token signed with the fixture private key, to try it out.
//! The port is `PORT`, 3000 by default.

use axum::routing::get;
use axum::{Json, Router};
use tower_jwt_auth::jsonwebtoken::{self, Algorithm, EncodingKey, Header};
use tower_jwt_auth::{Claims, JwtAuthLayer, StandardClaims, StaticKeys};

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "api";
const FIXTURE_PUBLIC: &str = include_str!("../tests/keys/ed25519_public.pem");
const FIXTURE_PRIVATE: &str = include_str!("../tests/keys/ed25519_private.pem");

/// Reached only with a valid token: the middleware has put the claims in the request.
async fn me(claims: Claims<StandardClaims>) -> Json<Claims<StandardClaims>> {
    Json(claims)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // With both signature backends compiled in, pick one (for the layer and for signing).
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );

    let public_pem = match std::env::var("JWT_PUBLIC_KEY_FILE") {
        Ok(path) => std::fs::read_to_string(path)?,
        Err(_) => {
            print_sample_token()?;
            FIXTURE_PUBLIC.to_owned()
        }
    };

    // Keys are parsed once, here; a bad key stops the server before it listens.
    let keys = StaticKeys::new().ed_pem(public_pem)?;
    let builder = JwtAuthLayer::<StandardClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE);
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let auth = builder.build()?;

    // `route_layer`: only matched routes need a token, unknown paths still get 404.
    let app = Router::new().route("/me", get(me)).route_layer(auth);

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}/me", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Prints a one-hour token signed with the fixture private key.
fn print_sample_token() -> Result<(), Box<dyn std::error::Error>> {
    let claims = serde_json::json!({
        "sub": "ann",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": jsonwebtoken::get_current_timestamp() + 3600,
    });
    let key = EncodingKey::from_ed_pem(FIXTURE_PRIVATE.as_bytes())?;
    let token = jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &claims, &key)?;
    println!("using the fixture key; try:\n  curl -H 'Authorization: Bearer {token}' http://127.0.0.1:<port>/me");
    Ok(())
}
