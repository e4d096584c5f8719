//! A hand-written `helloworld.Greeter` gRPC service, shaped like tonic-generated code, so that
//! the tests and the example need neither `protoc` nor a build script.
//!
//! The server dispatches on the method path and runs the unary call through
//! [`tonic::server::Grpc`] with the prost codec; the handler is a plain closure so each user
//! decides what it does with the request (for example, read the claims from its extensions).

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use http::uri::PathAndQuery;
use tonic::body::Body;
use tonic::codegen::BoxFuture;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

/// The service's full name, as routed by tonic.
pub const SERVICE: &str = "helloworld.Greeter";
/// The path of the one method.
pub const SAY_HELLO: &str = "/helloworld.Greeter/SayHello";

/// `message HelloRequest { string name = 1; }`
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `message HelloReply { string message = 1; }`
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloReply {
    #[prost(string, tag = "1")]
    pub message: String,
}

/// The server side: answers `SayHello` with `handler`, anything else with `UNIMPLEMENTED`.
#[derive(Clone)]
pub struct GreeterServer<F> {
    handler: F,
}

impl<F> GreeterServer<F>
where
    F: Fn(Request<HelloRequest>) -> Result<Response<HelloReply>, Status>
        + Clone
        + Send
        + Sync
        + 'static,
{
    pub fn new(handler: F) -> Self {
        Self { handler }
    }
}

/// One unary call, as tonic's `UnaryService` sees it.
struct SayHello<F>(F);

impl<F> tonic::server::UnaryService<HelloRequest> for SayHello<F>
where
    F: Fn(Request<HelloRequest>) -> Result<Response<HelloReply>, Status>,
{
    type Response = HelloReply;
    type Future = Ready<Result<Response<HelloReply>, Status>>;

    fn call(&mut self, request: Request<HelloRequest>) -> Self::Future {
        ready((self.0)(request))
    }
}

impl<F> tower::Service<http::Request<Body>> for GreeterServer<F>
where
    F: Fn(Request<HelloRequest>) -> Result<Response<HelloReply>, Status>
        + Clone
        + Send
        + Sync
        + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        match request.uri().path() {
            SAY_HELLO => {
                let method = SayHello(self.handler.clone());
                Box::pin(async move {
                    let mut grpc = tonic::server::Grpc::new(ProstCodec::default());
                    Ok(grpc.unary(method, request).await)
                })
            }
            _ => Box::pin(async { Ok(Status::unimplemented("no such method").into_http()) }),
        }
    }
}

impl<F> tonic::server::NamedService for GreeterServer<F> {
    const NAME: &'static str = SERVICE;
}

/// The client side, over a tonic channel.
#[derive(Clone)]
pub struct GreeterClient {
    inner: tonic::client::Grpc<Channel>,
}

impl GreeterClient {
    /// Connects to `addr`: a socket address, or a URL as generated clients take it.
    pub async fn connect(addr: impl std::fmt::Display) -> Result<Self, tonic::transport::Error> {
        let addr = addr.to_string();
        let url = if addr.starts_with("http") {
            addr
        } else {
            format!("http://{addr}")
        };
        let channel = Channel::from_shared(url)
            .expect("a socket address makes a valid URI")
            .connect()
            .await?;
        Ok(Self {
            inner: tonic::client::Grpc::new(channel),
        })
    }

    /// Calls `SayHello`.
    pub async fn say_hello(
        &mut self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        self.inner
            .ready()
            .await
            .map_err(|e| Status::unknown(format!("service was not ready: {e}")))?;
        let path = PathAndQuery::from_static(SAY_HELLO);
        self.inner.unary(request, path, ProstCodec::default()).await
    }
}
