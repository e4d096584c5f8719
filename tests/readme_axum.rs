//! The README's "Testing your app" example for axum, verbatim (tests/readme.rs checks that
//! the README still shows this file).
use std::time::Duration;

use axum::{body::Body, routing::get, Router};
use http::{Request, StatusCode};
use tower::ServiceExt;
#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))] // (CI only)
use tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER as AWS; // (CI only)
use tower_jwt_auth::testing::{BearerExt, TestIssuer};
use tower_jwt_auth::{
    Claims, ConfigError, GrantSource, JwtAuthLayer, KeySource, Require, StandardClaims,
};

/// Your app, built from the keys it trusts (in production: `RemoteJwks::discovery(..)`).
fn app(keys: impl KeySource) -> Result<Router, ConfigError> {
    let auth = JwtAuthLayer::<StandardClaims>::builder(keys)
        .audience("api")
        .grants(GrantSource::scope());
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))] // (CI only)
    let auth = auth.crypto_provider(&AWS); // (CI only)
    let orders = |claims: Claims<StandardClaims>| async move {
        format!("orders of {}", claims.sub.clone().unwrap_or_default())
    };
    Ok(Router::new()
        .route(
            "/orders",
            get(orders).route_layer(Require::scope("orders:read")),
        )
        .layer(auth.build()?))
}

async fn status(app: &Router, token: String) -> StatusCode {
    let request = Request::get("/orders")
        .bearer(token)
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn orders_need_a_valid_token_with_the_scope() {
    let idp = TestIssuer::builder().audience("api").serve().await.unwrap();
    // Refetch at once on a new `kid` (keep the 30 s default cooldown in production).
    let app = app(idp.remote_keys().cooldown(Duration::ZERO).build().unwrap()).unwrap();

    assert_eq!(
        status(&app, idp.token().scope("orders:read").sign()).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&app, idp.token().scope("orders:read").expired().sign()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(&app, idp.token().scope("profile").sign()).await,
        StatusCode::FORBIDDEN
    );
    idp.rotate(); // the provider signs with a new key from now on
    assert_eq!(
        status(&app, idp.token().scope("orders:read").sign()).await,
        StatusCode::OK
    );
    idp.set_jwks_delay(Duration::from_secs(60)); // and when it hangs, known keys still work
    assert_eq!(
        status(&app, idp.token().scope("orders:read").sign()).await,
        StatusCode::OK
    );
}
