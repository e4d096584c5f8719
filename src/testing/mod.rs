//! A test kit for apps behind the layer (feature `testing`, meant for `[dev-dependencies]`).
//!
//! - [`TestIssuer`] owns a signing key for every algorithm the crate verifies, mints tokens
//!   ([`TokenBuilder`]: subject, audience, scopes, roles, any claim, lifetime, `kid`, `alg`,
//!   `typ`, and [`Defect`]s for negative tests), and hands a layer the matching keys
//!   ([`TestIssuer::static_keys`], [`TestIssuer::jwks`]).
//! - [`TestServer`] serves it on `127.0.0.1:0`: OIDC discovery, the JWKS, an OAuth 2.0 token
//!   endpoint (client credentials), and controls for rotation and a slow, failing or stopped
//!   key endpoint, with counters.
//! - [`BearerExt`] (and `TonicBearerExt` with the `tonic` feature) put a token on a request.
//!
//! Tokens are signed with this crate's own signature backend through its jsonwebtoken
//! provider, not `jsonwebtoken::encode`, so whichever jsonwebtoken features your other
//! dependencies enable, minting never panics over an ambiguous default provider.
//!
//! # What keys cost
//! Keys are made at run time, when first used, never read from files (so no key of the kit
//! can verify anything outside the process). Measured with `cargo bench --bench testing`
//! (release build, one run, two shared cores), a new issuer and its first token take 5 µs with
//! HS256, 32 µs with EdDSA, 47 µs with ES256 and 224 µs with ES384; an RSA-2048 key takes
//! about 90 ms with aws-lc-rs and 140 ms with the `rust-crypto` backend (much longer in an
//! unoptimized build of the RustCrypto crates: give `rsa` and `num-bigint-dig`
//! `opt-level = 3` in your dev profile if your tests use many). So the first generation of
//! every issuer in a process shares one RSA key, made once, each issuer naming it with its own
//! `kid`s; [`TestIssuer::rotate`] makes a new RSA key only when that generation's RSA key is
//! first used. Once keys exist, a token takes 4 µs (HS256) to 0.9 ms (RS256).
//!
//! # A whole test
//! Valid token: 200; expired: 401; missing scope: 403; after a key rotation: 200, in about twenty lines:
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use axum::{body::Body, routing::get, Router};
//! use http::{Request, StatusCode};
//! use tower::ServiceExt;
//! use tower_jwt_auth::testing::{BearerExt, TestIssuer};
//! use tower_jwt_auth::{GrantSource, JwtAuthLayer, Require, StandardClaims};
//!
//! let idp = TestIssuer::builder().audience("api").serve().await?;
//! let keys = idp.remote_keys().cooldown(std::time::Duration::ZERO).build()?; // tests: refetch at once
//! let auth = JwtAuthLayer::<StandardClaims>::builder(keys).audience("api").grants(GrantSource::scope());
//! # let auth = auth.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
//! let app = Router::new()
//!     .route("/orders", get(|| async { "orders" }).route_layer(Require::scope("orders:read")))
//!     .layer(auth.build()?);
//! let status = |token: String| {
//!     let request = Request::get("/orders").bearer(token).body(Body::empty()).unwrap();
//!     let app = app.clone();
//!     async move { app.oneshot(request).await.unwrap().status() }
//! };
//! assert_eq!(status(idp.token().scope("orders:read").sign()).await, StatusCode::OK);
//! assert_eq!(status(idp.token().scope("orders:read").expired().sign()).await, StatusCode::UNAUTHORIZED);
//! assert_eq!(status(idp.token().scope("profile").sign()).await, StatusCode::FORBIDDEN);
//! idp.rotate(); // new tokens are signed with a new key, fetched on first sight
//! assert_eq!(status(idp.token().scope("orders:read").sign()).await, StatusCode::OK);
//! # Ok(()) }
//! ```

mod issuer;
mod keys;
mod request;
mod server;
mod token;

pub use issuer::{TestIssuer, TestIssuerBuilder, DEFAULT_TOKEN_LIFETIME};
pub use request::BearerExt;
#[cfg(feature = "tonic")]
pub use request::TonicBearerExt;
pub use server::{JwksReply, TestServer, AUTHORIZE_PATH, JWKS_PATH, TOKEN_PATH};
pub use token::{Defect, TokenBuilder, OUT_OF_VALIDITY, WRONG_AUDIENCE, WRONG_ISSUER};
