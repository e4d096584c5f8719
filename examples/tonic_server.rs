//! A tonic gRPC server protected by `JwtAuthLayer`.
//!
//! ```text
//! cargo run --example tonic_server --features tonic
//! PORT=50052 cargo run --example tonic_server --features tonic
//! ```
//!
//! It prints a token valid for ten minutes; send it as `authorization: Bearer <token>` metadata
//! to `helloworld.Greeter/SayHello`. Calls without a valid token get `UNAUTHENTICATED`.
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
use tower_jwt_auth::jsonwebtoken::{self, Algorithm, EncodingKey, Header};
use tower_jwt_auth::{Claims, JwtAuthLayer, StaticKeys};

use greeter::{GreeterServer, HelloReply, HelloRequest};

/// In real life the secret comes from configuration; HS256 needs at least 32 bytes.
const SECRET: &[u8] = b"an example secret, at least 32 bytes long";
const ISSUER: &str = "https://idp.example";
const AUDIENCE: &str = "greeter";

/// The claims this service expects. `exp`, `iss` and `aud` are checked by the layer.
#[derive(Clone, Serialize, Deserialize)]
struct MyClaims {
    sub: String,
    exp: u64,
    iss: String,
    aud: String,
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
    // (With both crate backends enabled, also choose one with `.crypto_provider(...)`.)
    let keys = StaticKeys::new().secret(SECRET, Algorithm::HS256)?;
    let auth = JwtAuthLayer::<MyClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()?;

    let claims = MyClaims {
        sub: "ann".into(),
        exp: jsonwebtoken::get_current_timestamp() + 600,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
    };
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )?;
    println!("try: authorization: Bearer {token}");

    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(50051);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    println!("listening on {addr}");

    // `layer` protects every service added below; gRPC refusals come back as
    // `grpc-status` 16 (UNAUTHENTICATED), 7 (PERMISSION_DENIED) or 14 (UNAVAILABLE).
    // To protect one service only: `.add_service(auth.layer(GreeterServer::new(say_hello)))`.
    Server::builder()
        .layer(auth)
        .add_service(GreeterServer::new(say_hello))
        .serve(addr)
        .await?;
    Ok(())
}
