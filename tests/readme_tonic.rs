//! The README's "Testing your app" example for tonic, verbatim but for the first lines
//! (tests/readme.rs checks that the README still shows it). `support::greeter` stands in for
//! the code `tonic-build` generates from a `Greeter` proto.
#![cfg(feature = "tonic")]
mod support;
use support::greeter::{GreeterClient, GreeterServer, HelloReply, HelloRequest};
// README starts here
use tokio::net::TcpListener;
use tonic::transport::{server::TcpIncoming, Server};
use tonic::{Code, Request, Response, Status};
#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))] // (CI only)
use tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER as AWS; // (CI only)
use tower_jwt_auth::testing::{TestIssuer, TonicBearerExt};
use tower_jwt_auth::{Claims, JwtAuthLayer, StandardClaims};

fn say_hello(request: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
    let claims = request
        .extensions()
        .get::<Claims<StandardClaims>>()
        .unwrap();
    Ok(Response::new(HelloReply {
        message: format!("hello {}", claims.sub.clone().unwrap_or_default()),
    }))
}

#[tokio::test]
async fn say_hello_needs_a_token_from_our_issuer() {
    let idp = TestIssuer::builder().audience("api").serve().await.unwrap();
    let auth =
        JwtAuthLayer::<StandardClaims>::builder(idp.remote_keys().build().unwrap()).audience("api");
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))] // (CI only)
    let auth = auth.crypto_provider(&AWS); // (CI only)
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::builder()
        .layer(auth.build().unwrap())
        .add_service(GreeterServer::new(say_hello));
    tokio::spawn(server.serve_with_incoming(TcpIncoming::from(listener)));

    let mut client = GreeterClient::connect(format!("http://{addr}"))
        .await
        .unwrap();
    let hello =
        |token: String| Request::new(HelloRequest { name: "ann".into() }).with_bearer(token);
    let reply = client
        .say_hello(hello(idp.token().subject("ann").sign()))
        .await
        .unwrap();
    assert_eq!(reply.into_inner().message, "hello ann");
    let refused = client
        .say_hello(hello(idp.token().expired().sign()))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
}
