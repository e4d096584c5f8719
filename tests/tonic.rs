//! A real tonic server and client around the layer: claims reach the handler, refusals come
//! back as gRPC statuses the tonic client understands, with their reason in the message.
#![cfg(feature = "tonic")]

mod support;

use std::future::ready;
use std::net::SocketAddr;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use tokio::net::TcpListener;
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tonic::{Code, Request, Response, Status};
use tower::Layer;
use tower_jwt_auth::{
    AuthError, AuthErrorKind, Claims, JwtAuth, JwtAuthLayer, KeySource, Require, RequireMethods,
    StaticKeys, TokenHeader, VerifyingKey,
};

use support::greeter::{GreeterClient, GreeterServer, HelloReply, HelloRequest, SAY_HELLO};
use support::{builder, mint, require_admin, rs256_layer, TestClaims, RSA2_PRIVATE, RSA_PUBLIC};

/// The handler: greets the `sub` of the verified claims, and fails loudly without them.
fn hello(request: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
    let Some(Claims(claims)) = request.extensions().get::<Claims<TestClaims>>() else {
        return Err(Status::internal("handler reached without claims"));
    };
    let message = format!("hello {} from {}", request.get_ref().name, claims.sub);
    Ok(Response::new(HelloReply { message }))
}

type Handler = fn(Request<HelloRequest>) -> Result<Response<HelloReply>, Status>;

fn greeter_server() -> GreeterServer<Handler> {
    GreeterServer::new(hello as Handler)
}

/// Binds 127.0.0.1:0 before spawning, so the server is ready for the client once this returns.
async fn listen() -> (SocketAddr, TcpIncoming) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (addr, TcpIncoming::from(listener))
}

/// A server with the layer around every service: `Server::builder().layer(auth)`.
async fn serve<K: KeySource>(auth: JwtAuthLayer<TestClaims, K>) -> SocketAddr {
    let (addr, incoming) = listen().await;
    let server = Server::builder()
        .layer(auth)
        .add_service(greeter_server())
        .serve_with_incoming(incoming);
    tokio::spawn(server);
    addr
}

/// Calls `SayHello` with `authorization: Bearer <token>` when a token is given.
async fn call(addr: SocketAddr, token: Option<&str>) -> Result<String, Status> {
    let mut client = GreeterClient::connect(addr).await.unwrap();
    let mut request = Request::new(HelloRequest {
        name: "grpc".into(),
    });
    if let Some(token) = token {
        let value = format!("Bearer {token}").parse().unwrap();
        request.metadata_mut().insert("authorization", value);
    }
    client
        .say_hello(request)
        .await
        .map(|r| r.into_inner().message)
}

/// Calls with `token` and returns the refusal, failing the test if the call went through.
async fn refused(addr: SocketAddr, token: Option<&str>) -> Status {
    match call(addr, token).await {
        Ok(reply) => panic!("the call went through: {reply:?}"),
        Err(status) => status,
    }
}

#[track_caller]
fn assert_status(status: &Status, code: Code, message: &str) {
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status.message().contains(message),
        "expected {message:?} in {status:?}"
    );
}

#[tokio::test]
async fn valid_token_reaches_the_handler_with_its_claims() {
    let addr = serve(rs256_layer()).await;
    let token = mint(Algorithm::RS256, &TestClaims::valid());
    assert_eq!(
        call(addr, Some(&token)).await.unwrap(),
        "hello grpc from ann"
    );

    let other = TestClaims {
        sub: "bob".into(),
        ..TestClaims::valid()
    };
    let token = mint(Algorithm::RS256, &other);
    assert_eq!(
        call(addr, Some(&token)).await.unwrap(),
        "hello grpc from bob"
    );
}

#[tokio::test]
async fn layer_around_one_service_with_add_service_works() {
    // `add_service` routes by `NamedService::NAME`, which the middleware must forward.
    type Wrapped = JwtAuth<GreeterServer<Handler>, TestClaims>;
    assert_eq!(<Wrapped as NamedService>::NAME, support::greeter::SERVICE);

    let (addr, incoming) = listen().await;
    let server = Server::builder()
        .add_service(rs256_layer().layer(greeter_server()))
        .serve_with_incoming(incoming);
    tokio::spawn(server);

    let token = mint(Algorithm::RS256, &TestClaims::valid());
    assert_eq!(
        call(addr, Some(&token)).await.unwrap(),
        "hello grpc from ann"
    );
    let status = refused(addr, None).await;
    assert_status(&status, Code::Unauthenticated, "no bearer token");
}

#[tokio::test]
async fn missing_token_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    let status = refused(addr, None).await;
    assert_status(
        &status,
        Code::Unauthenticated,
        "no bearer token in the request",
    );
}

#[tokio::test]
async fn forged_signature_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    // Same header and claims, signed with another RSA key.
    support::install_signing_provider();
    let key = EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap();
    let forged = encode(&Header::new(Algorithm::RS256), &TestClaims::valid(), &key).unwrap();
    let status = refused(addr, Some(&forged)).await;
    assert_status(&status, Code::Unauthenticated, "signature is invalid");
}

#[tokio::test]
async fn expired_token_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    let claims = TestClaims {
        exp: Some(support::NOW - 600),
        ..TestClaims::valid()
    };
    let status = refused(addr, Some(&mint(Algorithm::RS256, &claims))).await;
    assert_status(&status, Code::Unauthenticated, "token expired 10m0s ago");
}

#[tokio::test]
async fn wrong_issuer_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    let claims = TestClaims {
        iss: Some("https://evil.test".into()),
        ..TestClaims::valid()
    };
    let status = refused(addr, Some(&mint(Algorithm::RS256, &claims))).await;
    assert_status(&status, Code::Unauthenticated, "issuer is not trusted");
}

#[tokio::test]
async fn wrong_audience_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    let claims = TestClaims {
        aud: Some("another-api".into()),
        ..TestClaims::valid()
    };
    let status = refused(addr, Some(&mint(Algorithm::RS256, &claims))).await;
    assert_status(
        &status,
        Code::Unauthenticated,
        "not meant for this audience",
    );
}

#[tokio::test]
async fn alg_none_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&TestClaims::valid()).unwrap());
    // The textbook form, with an empty signature.
    let status = refused(addr, Some(&format!("{header}.{payload}."))).await;
    assert_status(&status, Code::Unauthenticated, "the token is not signed");
    // With a signature borrowed from a genuine token, it fails on the algorithm itself.
    let genuine = mint(Algorithm::RS256, &TestClaims::valid());
    let signature = genuine.rsplit('.').next().unwrap();
    let status = refused(addr, Some(&format!("{header}.{payload}.{signature}"))).await;
    assert_status(&status, Code::Unauthenticated, "algorithm is not accepted");
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_unauthenticated() {
    let addr = serve(rs256_layer()).await;
    // The classic key-confusion attack: the public PEM used as an HMAC secret.
    support::install_signing_provider();
    let key = EncodingKey::from_secret(RSA_PUBLIC.as_bytes());
    let token = encode(&Header::new(Algorithm::HS256), &TestClaims::valid(), &key).unwrap();
    let status = refused(addr, Some(&token)).await;
    assert_status(&status, Code::Unauthenticated, "algorithm is not accepted");
}

#[tokio::test]
async fn check_demanding_a_scope_is_permission_denied() {
    let keys = StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap();
    let auth = builder(keys).check(require_admin).build().unwrap();
    let addr = serve(auth).await;

    let status = refused(addr, Some(&mint(Algorithm::RS256, &TestClaims::valid()))).await;
    assert_status(&status, Code::PermissionDenied, "lacks the scope `admin`");

    let admin = TestClaims {
        scope: Some("read admin".into()),
        ..TestClaims::valid()
    };
    assert_eq!(
        call(addr, Some(&mint(Algorithm::RS256, &admin)))
            .await
            .unwrap(),
        "hello grpc from ann"
    );
}

#[tokio::test]
async fn rejection_message_survives_percent_encoding() {
    // `%` and non-ASCII are percent-encoded in `grpc-message`; the client must get them back
    // exactly (unencoded, the client would decode `%41` to `A`).
    let keys = StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap();
    let auth = builder(keys)
        .check(|_: &TestClaims, _| Err(AuthError::rejected("100% sûr, %41 is not A")))
        .build()
        .unwrap();
    let addr = serve(auth).await;
    let status = refused(addr, Some(&mint(Algorithm::RS256, &TestClaims::valid()))).await;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    assert_eq!(status.message(), "token refused: 100% sûr, %41 is not A");
}

#[tokio::test]
async fn unavailable_keys_are_unavailable() {
    let keys = |_: &TokenHeader<'_>| {
        ready(Err::<Arc<VerifyingKey>, _>(AuthError::new(
            AuthErrorKind::KeysUnavailable { retry_after: None },
        )))
    };
    let addr = serve(builder::<TestClaims, _>(keys).build().unwrap()).await;
    let status = refused(addr, Some(&mint(Algorithm::RS256, &TestClaims::valid()))).await;
    assert_status(&status, Code::Unavailable, "keys are unavailable");
}

// --- authorization per method: RequireMethods ---

/// A server with the layer, then `RequireMethods` asking `SayHello` for the scope `greet`.
async fn serve_requiring_greet() -> SocketAddr {
    let (addr, incoming) = listen().await;
    let server = Server::builder()
        .layer(
            support::strict_builder(support::rs256_keys())
                .grants(tower_jwt_auth::GrantSource::scope())
                .build()
                .unwrap(),
        )
        .layer(RequireMethods::new().method(SAY_HELLO, Require::scope("greet")))
        .add_service(greeter_server())
        .serve_with_incoming(incoming);
    tokio::spawn(server);
    addr
}

/// A valid token whose `scope` claim is `scope`.
fn token_with_scope(scope: Option<&str>) -> String {
    let claims = TestClaims {
        scope: scope.map(String::from),
        ..TestClaims::valid()
    };
    mint(Algorithm::RS256, &claims)
}

#[tokio::test]
async fn require_methods_lets_say_hello_through_with_the_greet_scope() {
    let addr = serve_requiring_greet().await;
    for scope in ["greet", "profile greet"] {
        let token = token_with_scope(Some(scope));
        assert_eq!(
            call(addr, Some(&token)).await.unwrap(),
            "hello grpc from ann",
            "{scope}"
        );
    }
}

#[tokio::test]
async fn require_methods_without_the_greet_scope_is_permission_denied() {
    let addr = serve_requiring_greet().await;
    for scope in [None, Some("greeting"), Some("Greet"), Some("profile")] {
        let status = refused(addr, Some(&token_with_scope(scope))).await;
        assert_eq!(
            status.code(),
            Code::PermissionDenied,
            "{scope:?}: {status:?}"
        );
        assert_eq!(
            status.message(),
            "token lacks the scope `greet`",
            "{scope:?}"
        );
    }
}

#[tokio::test]
async fn require_methods_without_a_token_is_unauthenticated() {
    let addr = serve_requiring_greet().await;
    let status = refused(addr, None).await;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    assert_eq!(status.message(), "no bearer token in the request");
}

#[tokio::test]
async fn require_methods_leaves_methods_it_does_not_name_to_authentication() {
    let addr = serve_requiring_greet().await;
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = tonic::client::Grpc::new(channel);
    let mut request = Request::new(HelloRequest { name: "x".into() });
    let value = format!("Bearer {}", token_with_scope(Some("profile")))
        .parse()
        .unwrap();
    request.metadata_mut().insert("authorization", value);
    client.ready().await.unwrap();
    let path = http::uri::PathAndQuery::from_static("/helloworld.Greeter/SayGoodbye");
    let codec = tonic_prost::ProstCodec::<HelloRequest, HelloReply>::default();
    let status = client.unary(request, path, codec).await.unwrap_err();
    // Authenticated, not asked for a scope: the service itself answers.
    assert_eq!(status.code(), Code::Unimplemented, "{status:?}");
}
