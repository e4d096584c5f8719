//! A tonic gRPC server protected by `JwtAuthLayer`.
//!
//! ```text
//! cargo run --example tonic_server --features tonic
//! PORT=50052 cargo run --example tonic_server --features tonic
//! ```
//!
//! It trusts a test issuer made at start-up (the crate's test kit, feature `testing`; in
//! production, your identity provider's keys) and prints two tokens it signed, valid for ten
//! minutes; send one as `authorization: Bearer <token>`
//! metadata to `helloworld.Greeter/SayHello`. `SayHello` needs the scope `greet` (from the
//! token's `scope` claim), named per method with `RequireMethods`: the first token has it and
//! is greeted, the second lacks it and gets `PERMISSION_DENIED`. Calls without a valid token get
//! `UNAUTHENTICATED`.
//!
//! The `Greeter` service is written by hand (no `protoc`, no build script) in
//! `tests/support/greeter.rs`, shared with the integration tests.

#[allow(dead_code)] // The example only needs the server half.
#[path = "../tests/support/greeter.rs"]
mod greeter;

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use tonic::transport::Server;
use tonic::{Request, Response, Status};
use tower_jwt_auth::testing::TestIssuer;
use tower_jwt_auth::{Claims, GrantSource, JwtAuthLayer, Require, RequireMethods};

use greeter::{GreeterServer, HelloReply, HelloRequest, SAY_HELLO};

/// In real life the secret comes from configuration; HS256 needs at least 32 bytes.
const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "greeter";

/// The claims this service expects. `exp`, `iss` and `aud` are checked by the layer, which
/// also reads the scopes of `scope` (space-delimited) for `RequireMethods`.
#[derive(Clone, Serialize, Deserialize)]
struct MyClaims {
    sub: String,
    exp: u64,
    iss: String,
    aud: String,
    #[serde(default)]
    scope: String,
}

/// The handler only runs for verified tokens, and finds their claims in the extensions.
fn say_hello(request: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
    let Some(Claims(claims)) = request.extensions().get::<Claims<MyClaims>>() else {
        return Err(Status::internal("the auth layer is missing"));
    };
    let message = format!(
        "hello {}, signed in as {}",
        request.get_ref().name,
        claims.sub
    );
    Ok(Response::new(HelloReply { message }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keys are parsed and checked once, here; a bad key fails at start-up, not on a request.
    // In production: `RemoteJwks::discovery(issuer)` or `StaticKeys::new().rsa_pem(..)`.
    let issuer = TestIssuer::builder().audience(AUDIENCE).build(ISSUER);
    let keys = issuer.static_keys();
    let builder = JwtAuthLayer::<MyClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        // Where `RequireMethods` finds the token's scopes: the standard `scope` claim.
        .grants(GrantSource::scope());
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder =
        builder.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let auth = builder.build()?;

    // What each method needs beyond a valid token; methods not named need only the token.
    let authorize = RequireMethods::new().method(SAY_HELLO, Require::scope("greet"));

    let token = |scope: &str| {
        let ten_minutes = std::time::Duration::from_secs(600);
        issuer
            .token()
            .subject("ann")
            .scope(scope)
            .valid_for(ten_minutes)
            .sign()
    };
    println!("try: authorization: Bearer {}", token("greet profile"));
    println!(
        "without the scope greet (PERMISSION_DENIED): authorization: Bearer {}",
        token("profile")
    );

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(50051);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    println!("listening on {addr}");

    // `layer` protects every service added below; gRPC refusals come back as
    // `grpc-status` 16 (UNAUTHENTICATED), 7 (PERMISSION_DENIED) or 14 (UNAVAILABLE).
    // To protect one service only: `.add_service(auth.layer(GreeterServer::new(say_hello)))`.
    // The authentication layer goes first (outermost), then the requirements per method.
    Server::builder()
        .layer(auth)
        .layer(authorize)
        .add_service(GreeterServer::new(say_hello))
        .serve(addr)
        .await?;
    Ok(())
}
