//! JWT authentication for any [Tower](https://docs.rs/tower) service: axum routers, tonic
//! servers, anything that takes an `http::Request`.
//!
//! [`JwtAuthLayer`] reads the token (`Authorization: Bearer`, a cookie or a header), verifies
//! its signature with a key from a [`KeySource`], checks its claims, and hands the inner
//! service the request with [`Claims<C>`] in its extensions. A refused request gets a response
//! in its protocol's own words: RFC 6750 status codes and `WWW-Authenticate` for HTTP,
//! `grpc-status` for gRPC. The typed reason, an [`AuthError`], rides in that response's
//! extensions.
//!
//! ```
//! use std::convert::Infallible;
//! use http::{Request, Response, StatusCode};
//! // jsonwebtoken through the re-export: the very version (and `Algorithm` type) the layer uses.
//! use tower_jwt_auth::jsonwebtoken::{self, encode, Algorithm, EncodingKey, Header};
//! use serde::{Deserialize, Serialize};
//! use tower::{service_fn, Layer, ServiceExt}; // `Layer` for `auth.layer(..)`
//! use tower_jwt_auth::{Claims, JwtAuthLayer, StaticKeys};
//!
//! #[derive(Serialize, Deserialize)]
//! struct MyClaims { sub: String, exp: u64, iss: String, aud: String }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let _ = jsonwebtoken::crypto::CryptoProvider::install_default(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
//! const SECRET: &[u8] = b"a secret of at least thirty-two bytes";
//! let keys = StaticKeys::new().secret(SECRET, Algorithm::HS256)?;
//! let auth = JwtAuthLayer::<MyClaims>::builder(keys)
//!     .issuer("https://idp.example")
//!     .audience("api")
//!     # .crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
//!     .build()?;
//!
//! let app = auth.layer(service_fn(|req: Request<String>| async move {
//!     let claims = req.extensions().get::<Claims<MyClaims>>().unwrap();
//!     Ok::<_, Infallible>(Response::new(format!("hello {}", claims.sub)))
//! }));
//!
//! let claims = MyClaims {
//!     sub: "ann".into(),
//!     exp: jsonwebtoken::get_current_timestamp() + 300,
//!     iss: "https://idp.example".into(),
//!     aud: "api".into(),
//! };
//! let token = encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(SECRET))?;
//! let request = Request::get("/me").header("authorization", format!("Bearer {token}")).body(String::new())?;
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.into_body(), "hello ann");
//!
//! let response = app.oneshot(Request::get("/me").body(String::new())?).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(response.headers()["www-authenticate"], "Bearer");
//! # Ok(()) }
//! ```
//!
//! With axum, add the layer with `Router::layer` or `Router::route_layer` and take
//! `Claims<MyClaims>` as a handler argument (feature `axum`, on by default). With tonic, add it
//! with `Server::builder().layer(auth)` and read `request.extensions().get::<Claims<MyClaims>>()`
//! in the handler (feature `tonic` forwards `NamedService`).
//!
//! [`recipes`] has the usual set-ups, each complete: axum with OIDC discovery and a scope per
//! route, optional authentication, a JSON error body, a token in a cookie, tonic with a scope
//! per method, several issuers, a rule of your own with a cache, and testing.
//!
//! # Where keys come from
//! [`StaticKeys`] holds keys known at start-up (HMAC secrets, PEM or DER public keys, a local
//! JWKS). `RemoteJwks` (feature `remote`) fetches a JWKS, directly or through OpenID Connect
//! discovery, and keeps it fresh. [`Issuers`] puts several issuers behind one layer. Any
//! [`KeySource`] of your own works too.
//!
//! # Protected resource metadata
//! [`ResourceMetadata`] is the RFC 9728 document that tells OAuth clients (MCP clients among
//! them) which authorization servers issue tokens for this resource. Serve it with
//! [`ResourceMetadata::service`] and name it in the layer's challenges with
//! [`JwtAuthBuilder::resource_metadata`].
//!
//! # Testing your app
//! The `testing` feature's `testing::TestIssuer` mints tokens (valid, expired, out of scope,
//! forged) and serves discovery, a JWKS and a token endpoint on loopback, with controls for key
//! rotation and outages; the `testing` module shows a whole test in about twenty lines.
//!
//! # Repeated tokens
//! [`JwtAuthBuilder::cache`] turns on a bounded verified-token cache: a token seen before is
//! accepted without a new signature check while it is still valid.
//!
//! # Features
//! - `aws-lc-rs` (default): verify signatures with aws-lc-rs.
//! - `rust-crypto`: verify signatures with the RustCrypto crates. With both backends enabled,
//!   choose one with [`JwtAuthBuilder::crypto_provider`].
//! - `axum` (default): `Claims<C>` is an axum extractor.
//! - `tonic`: the service forwards `tonic::server::NamedService`.
//! - `reqwest` (default): `RemoteJwks` with its default HTTP client (reqwest, rustls). rustls
//!   then uses aws-lc-rs, a C build, even when signatures use `rust-crypto`.
//! - `reqwest-ring`: the same client with rustls over *ring*: with `rust-crypto`, nothing in
//!   the build needs aws-lc.
//! - `remote`: `RemoteJwks` with an HTTP client of your own (`JwksFetcher`).
//! - `testing`: the test kit (module `testing`): a test issuer with keys for every algorithm, a
//!   token builder, and that issuer served on loopback. For `[dev-dependencies]`.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs builds with `--cfg docsrs` on nightly: every item behind a feature shows its badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod algorithms;
mod cache;
mod canonical;
mod check;
mod claims;
mod config;
mod crypto;
mod error;
mod escape;
mod extract;
mod future;
mod grants;
mod json;
mod jws;
mod key;
mod layer;
mod metadata;
mod once;
#[cfg(any(doc, doctest))]
pub mod recipes;
mod refusal_event;
mod rejection;
mod require;
mod service;
#[cfg(feature = "testing")]
pub mod testing;
mod validation;
mod verify;

pub use algorithms::AlgorithmSet;
#[cfg(feature = "axum")]
pub use claims::ClaimsRejection;
pub use claims::{Audience, Claims, StandardClaims};
pub use error::{AuthError, AuthErrorKind, ConfigError, ConfigErrorKind};
pub use extract::TokenSource;
pub use future::ResponseFuture;
pub use grants::{GrantSource, Grants};
#[cfg(any(feature = "reqwest", feature = "reqwest-ring"))]
pub use key::remote::ReqwestFetcher;
#[cfg(feature = "remote")]
pub use key::remote::{
    parse_max_age, CacheState, Fetched, JwksFetcher, RemoteError, RemoteErrorKind, RemoteJwks,
    RemoteJwksBuilder, RemoteKeyFuture, DEFAULT_CACHE_AGE, DEFAULT_COOLDOWN, DEFAULT_MAX_BODY,
    DEFAULT_MAX_KEYS, DEFAULT_MAX_STALE, DEFAULT_TIMEOUT,
};
pub use key::{Issuers, IssuersFuture, KeySource, StaticKeys, TokenHeader, VerifyingKey};
pub use layer::{
    JwtAuthBuilder, JwtAuthLayer, DEFAULT_LEEWAY, DEFAULT_MAX_JSON_DEPTH, DEFAULT_MAX_KID_LEN,
    DEFAULT_MAX_TOKEN_LEN, MAX_LEEWAY,
};
pub use metadata::{
    MetadataService, ResourceMetadata, ResourceMetadataBuilder, DEFAULT_METADATA_MAX_AGE,
    METADATA_WELL_KNOWN_PATH,
};
pub use rejection::{DefaultRejection, OnRejection, Protocol};
pub use require::{Require, RequireMethods, RequireService};
pub use service::JwtAuth;
pub use validation::{Clock, SystemClock};

/// The README's examples, compiled as doc tests (`cargo test --doc --all-features`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Re-exported so that users name algorithms and providers from the same version we use.
pub use jsonwebtoken;
