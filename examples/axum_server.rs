//! An axum server that protects its routes with a JWT, and guards some of them by scope and
//! role.
//!
//! ```text
//! cargo run --example axum_server
//! curl -H "Authorization: Bearer <token>" http://127.0.0.1:3000/me
//! ```
//!
//! Tokens are EdDSA (Ed25519), issued by `https://idp.example` for `api`. The public key is
//! read, as PEM, from the file named by `JWT_PUBLIC_KEY_FILE`; without it the server trusts a
//! test issuer made at start-up (the crate's test kit, feature `testing`) and prints a token
//! it signed, to try it out.
//! The port is `PORT`, 3000 by default.
//!
//! Every route needs a valid token. Scopes are read from the token's `scope` claim (space
//! delimited), roles from its `roles` claim (an array); then, per route:
//!
//! | route | needs |
//! | --- | --- |
//! | `GET /me` | a valid token |
//! | `GET /orders` | the scope `orders:read` |
//! | `POST /orders/cancel` | the scope `orders:write` |
//! | `GET /admin/users` | the role `admin`, or both scopes `users:read` and `users:write` |
//!
//! A token short of what a route needs gets `403` with
//! `WWW-Authenticate: Bearer error="insufficient_scope", ..., scope="<the scopes that would do>"`;
//! no token or a bad one gets `401`. The sample token grants the scope `orders:read` and the
//! role `staff`: `/me` and `/orders` answer, `/orders/cancel` and `/admin/users` refuse it.

use axum::routing::{get, post};
use axum::{Json, Router};
use tower_jwt_auth::jsonwebtoken::Algorithm;
use tower_jwt_auth::testing::TestIssuer;
use tower_jwt_auth::{
    Claims, GrantSource, Grants, JwtAuthLayer, Require, StandardClaims, StaticKeys,
};

const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "api";

/// Reached only with a valid token: the middleware has put the claims in the request.
async fn me(claims: Claims<StandardClaims>) -> Json<Claims<StandardClaims>> {
    Json(claims)
}

/// Reached only with the scope `orders:read`.
async fn list_orders() -> &'static str {
    "no orders yet\n"
}

/// Reached only with the scope `orders:write`.
async fn cancel_order() -> &'static str {
    "cancelled\n"
}

/// Reached only by an `admin`, or with `users:read` and `users:write`; a handler can read the
/// grants too.
async fn list_users(grants: Grants) -> String {
    let roles: Vec<&str> = grants.roles().collect();
    format!("users (you have the roles [{}])\n", roles.join(", "))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;

    // Keys are parsed once, here; a bad key stops the server before it serves.
    let keys = match std::env::var("JWT_PUBLIC_KEY_FILE") {
        Ok(path) => StaticKeys::new().ed_pem(std::fs::read_to_string(path)?)?,
        Err(_) => {
            let issuer = TestIssuer::builder()
                .audience(AUDIENCE)
                .algorithm(Algorithm::EdDSA)
                .build(ISSUER);
            print_sample_token(addr, &issuer);
            issuer.static_keys()
        }
    };
    let builder = JwtAuthLayer::<StandardClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        // Where scopes and roles are read. Presets exist for the usual providers:
        // `GrantSource::keycloak("my-client")`, `entra_id()`, `okta()`, `auth0()`, ...
        .grants(GrantSource::new().scopes_from("scope").roles_from("roles"));
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder =
        builder.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let auth = builder.build()?;

    // Each `Require` guards the routes added before its `route_layer`, under the JWT layer.
    let orders = Router::new()
        .route("/orders", get(list_orders))
        .route_layer(Require::scope("orders:read"))
        .merge(
            Router::new()
                .route("/orders/cancel", post(cancel_order))
                .route_layer(Require::scope("orders:write")),
        );
    // Nested under `/admin`: the requirement goes with the router and guards `/admin/users`.
    let admin = Router::new()
        .route("/users", get(list_users))
        .route_layer(Require::role("admin").or(Require::all_scopes(["users:read", "users:write"])));

    // `route_layer`: only matched routes need a token, unknown paths still get 404.
    let app = Router::new()
        .route("/me", get(me))
        .merge(orders)
        .nest("/admin", admin)
        .route_layer(auth);

    println!("listening on http://{addr}/me");
    axum::serve(listener, app).await?;
    Ok(())
}

/// Prints a one-hour token from the test issuer, granting the scope `orders:read` and the
/// role `staff`, and what each route answers to it.
fn print_sample_token(addr: std::net::SocketAddr, issuer: &TestIssuer) {
    let token = issuer
        .token()
        .subject("ann")
        .scope("orders:read")
        .roles(["staff"])
        .valid_for(std::time::Duration::from_secs(3600))
        .sign();
    println!("using a test issuer; try (the token grants the scope orders:read, the role staff):");
    let auth = format!("-H 'Authorization: Bearer {token}'");
    println!("  curl {auth} http://{addr}/me                         # 200");
    println!("  curl {auth} http://{addr}/orders                     # 200");
    println!("  curl {auth} -X POST http://{addr}/orders/cancel      # 403: needs the scope orders:write");
    println!("  curl {auth} http://{addr}/admin/users                # 403: needs the role admin (or users:read and users:write)");
    println!("  curl http://{addr}/orders                            # 401: no token");
}
