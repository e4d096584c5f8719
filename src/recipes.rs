//! Recipes: the usual set-ups, each complete and compiled (documentation only; this module
//! has no items).
//!
//! - [axum, OIDC discovery, a scope per route](#axum-oidc-discovery-a-scope-per-route)
//! - [Optional authentication](#optional-authentication)
//! - [A JSON error body](#a-json-error-body)
//! - [The token in a cookie](#the-token-in-a-cookie)
//! - [tonic, a scope per method](#tonic-a-scope-per-method)
//! - [Several issuers](#several-issuers)
//! - [A rule of your own, and a cache](#a-rule-of-your-own-and-a-cache)
//! - [Testing with the test kit](#testing-with-the-test-kit)
//!
//! # axum, OIDC discovery, a scope per route
//! The keys come from the provider's discovery document, fetched once at start-up (a
//! provider that cannot be reached stops the app before it serves); the layer then also
//! requires `iss` to be that provider. Tell the layer where the provider puts scopes, then
//! put a requirement on each route.
//! ```no_run
//! use axum::routing::{get, post};
//! use axum::Router;
//! use tower_jwt_auth::{Claims, GrantSource, JwtAuthLayer, RemoteJwks, Require, StandardClaims};
//!
//! async fn me(claims: Claims<StandardClaims>) -> String {
//!     claims.sub.clone().unwrap_or_default()
//! }
//! async fn orders() -> &'static str { "[]" }
//! async fn new_order() -> &'static str { "created" }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let keys = RemoteJwks::from_issuer("https://idp.example/realms/shop").await?;
//!     let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
//!         .audience("shop-api")
//!         .grants(GrantSource::scope()) // or okta(), entra_id(), auth0(), keycloak("shop"), ...
//!         .build()?;
//!     let app = Router::new()
//!         .route("/me", get(me))
//!         .route("/orders", get(orders).route_layer(Require::scope("orders:read")))
//!         .route("/orders", post(new_order).route_layer(Require::scope("orders:write")))
//!         .layer(auth);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Optional authentication
//! With [`optional`](crate::JwtAuthBuilder::optional), a request without a token goes through
//! without claims; a token that is present must still be valid (a bad one is still a 401).
//! Handlers take `Option<Claims<C>>`.
//! ```
//! use axum::{routing::get, Router};
//! use tower_jwt_auth::{Claims, ConfigError, JwtAuthLayer, StandardClaims, StaticKeys};
//!
//! async fn greet(claims: Option<Claims<StandardClaims>>) -> String {
//!     match claims {
//!         Some(claims) => format!("hello {}", claims.sub.clone().unwrap_or_default()),
//!         None => "hello, stranger".into(),
//!     }
//! }
//!
//! fn app(keys: StaticKeys) -> Result<Router, ConfigError> {
//!     let auth = JwtAuthLayer::<StandardClaims>::builder(keys).audience("api").optional();
//! #   let auth = auth.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
//!     Ok(Router::new().route("/", get(greet)).layer(auth.build()?))
//! }
//! ```
//!
//! # A JSON error body
//! [`on_rejection`](crate::JwtAuthBuilder::on_rejection) replaces the responses. Start from
//! [`DefaultRejection`](crate::DefaultRejection) to keep what clients rely on: the RFC 6750
//! status and `WWW-Authenticate` challenge on HTTP, and the gRPC answer (HTTP 200,
//! `grpc-status`) untouched for gRPC, where a body would break the protocol.
//! ```
//! use axum::body::Body;
//! use http::header::{HeaderValue, CONTENT_TYPE};
//! use http::Response;
//! use tower_jwt_auth::{AuthError, DefaultRejection, JwtAuthLayer, OnRejection, Protocol};
//! use tower_jwt_auth::{ConfigError, StandardClaims, StaticKeys};
//!
//! fn json_rejection(error: &AuthError, protocol: Protocol) -> Response<Body> {
//!     let standard: Response<Body> = DefaultRejection::new().on_rejection(error, protocol);
//!     if protocol == Protocol::Grpc {
//!         return standard;
//!     }
//!     let (mut parts, _) = standard.into_parts();
//!     parts.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
//!     let body = serde_json::json!({
//!         "error": error.error_code().unwrap_or("unauthorized"),
//!         "message": error.to_string(),
//!     });
//!     Response::from_parts(parts, Body::from(body.to_string()))
//! }
//!
//! fn app(keys: StaticKeys) -> Result<axum::Router, ConfigError> {
//!     let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
//!         .audience("api")
//! #       .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
//!         .on_rejection(json_rejection)
//!         .build()?;
//!     Ok(axum::Router::new().route("/", axum::routing::get(|| async { "hi" })).layer(auth))
//! }
//! # let keys = StaticKeys::new().secret(&[7; 32], tower_jwt_auth::jsonwebtoken::Algorithm::HS256)?;
//! # let error = AuthError::new(tower_jwt_auth::AuthErrorKind::MissingToken);
//! # let response = json_rejection(&error, Protocol::Http);
//! # assert_eq!(response.status(), 401);
//! # assert_eq!(response.headers()["www-authenticate"], "Bearer");
//! # assert_eq!(response.headers()["content-type"], "application/json");
//! # assert!(json_rejection(&error, Protocol::Grpc).headers().contains_key("grpc-status"));
//! # app(keys)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The token in a cookie
//! [`token_source`](crate::JwtAuthBuilder::token_source) names where the token is read; the
//! first call replaces the default `Authorization: Bearer`, each further call adds a place.
//! A request carrying a token in two of them is refused with 400.
//! ```
//! use tower_jwt_auth::{ConfigError, JwtAuthLayer, StandardClaims, StaticKeys, TokenSource};
//!
//! fn layer(keys: StaticKeys) -> Result<JwtAuthLayer<StandardClaims, StaticKeys>, ConfigError> {
//!     JwtAuthLayer::<StandardClaims>::builder(keys)
//!         .audience("web")
//!         .token_source(TokenSource::cookie("session")) // browsers
//!         .token_source(TokenSource::Bearer) // and API clients
//! #       .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
//!         .build()
//! }
//! ```
//!
//! # tonic, a scope per method
//! One layer verifies every call; [`RequireMethods`](crate::RequireMethods) adds what each
//! method needs. Refusals reach a tonic client as `Unauthenticated` (16) or
//! `PermissionDenied` (7).
//! ```no_run
//! use tonic::service::Routes;
//! use tonic::transport::Server;
//! use tower_jwt_auth::{GrantSource, JwtAuthLayer, RemoteJwks, Require, RequireMethods, StandardClaims};
//!
//! /// `routes`: your services, as tonic-build generates them
//! /// (`Routes::new(OrdersServer::new(MyOrders))`).
//! async fn serve(routes: Routes) -> Result<(), Box<dyn std::error::Error>> {
//!     let keys = RemoteJwks::from_issuer("https://idp.example").await?;
//!     let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
//!         .audience("orders")
//!         .grants(GrantSource::scope())
//!         .build()?;
//!     let methods = RequireMethods::new()
//!         .method("/shop.Orders/List", Require::scope("orders:read"))
//!         .method("/shop.Orders/Cancel", Require::scope("orders:write"));
//!     Server::builder()
//!         .layer(auth)
//!         .layer(methods)
//!         .add_routes(routes)
//!         .serve("127.0.0.1:50051".parse()?)
//!         .await?;
//!     Ok(())
//! }
//! ```
//!
//! # Several issuers
//! [`Issuers`](crate::Issuers) picks the keys by the token's `iss`: an issuer not named is
//! refused before any key is fetched, and each issuer has its own audiences.
//! ```
//! use tower_jwt_auth::{ConfigError, Issuers, JwtAuthLayer, RemoteJwks, StandardClaims};
//!
//! fn layer() -> Result<JwtAuthLayer<StandardClaims, Issuers<RemoteJwks>>, ConfigError> {
//!     let keys = Issuers::new()
//!         .issuer("https://login.partner.example", RemoteJwks::discovery("https://login.partner.example").build()?, ["partner-api"])
//!         .issuer("https://idp.example", RemoteJwks::discovery("https://idp.example").build()?, ["api"]);
//!     JwtAuthLayer::<StandardClaims>::builder(keys)
//! #       .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
//!         .build()
//! }
//! # layer()?;
//! # Ok::<(), ConfigError>(())
//! ```
//!
//! # A rule of your own, and a cache
//! [`check`](crate::JwtAuthBuilder::check) runs after verification, on every token;
//! [`cache`](crate::JwtAuthBuilder::cache) skips the signature of a token already verified
//! (the claims' times and the checks are still applied to every request).
//! ```
//! use std::time::Duration;
//! use serde::Deserialize;
//! use tower_jwt_auth::{AuthError, ConfigError, JwtAuthLayer, StaticKeys};
//!
//! #[derive(Deserialize)]
//! struct MyClaims {
//!     sub: String,
//!     tenant: String,
//! }
//!
//! fn layer(keys: StaticKeys) -> Result<JwtAuthLayer<MyClaims, StaticKeys>, ConfigError> {
//!     JwtAuthLayer::<MyClaims>::builder(keys)
//!         .audience("api")
//!         .check(|claims: &MyClaims, request| {
//!             // The tenant in the token must be the one the request is for.
//!             match request.headers.get("x-tenant") {
//!                 Some(tenant) if tenant == claims.tenant.as_str() => Ok(()),
//!                 _ => Err(AuthError::rejected("token is for another tenant")),
//!             }
//!         })
//!         .cache(100_000, Duration::from_secs(300))
//! #       .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER)
//!         .build()
//! }
//! ```
//!
//! # Testing with the test kit
//! The `testing` feature's `TestIssuer` mints tokens and serves discovery, a JWKS and a token
//! endpoint on loopback; the `testing` module has a whole test (valid 200, expired 401,
//! missing scope 403, rotated key 200) in about twenty lines, and the README's "Testing your
//! app" a test for an axum handler and one for a tonic method.
