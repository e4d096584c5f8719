//! Requests through the layer: an inner service that counts its calls, the requests tests
//! send, and what a response says about a refusal.

use std::convert::Infallible;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http::header::AUTHORIZATION;
use http::{Request, Response};
use serde::de::DeserializeOwned;
use tower::{service_fn, Layer as _, Service, ServiceExt as _};
use tower_jwt_auth::{
    AuthError, AuthErrorKind, Claims, ConfigError, ConfigErrorKind, JwtAuthLayer, KeySource,
};

use super::TestClaims;

/// How many times an inner service ran.
pub type Calls = Arc<AtomicUsize>;

/// What an inner service answers, from the claims it was given (`None`: it got none).
pub type Answer<C> = fn(Option<&C>) -> String;

/// The usual answer: `inner`, or `inner without claims` when the request reached the inner
/// service without claims.
pub fn inner_answer<C>(claims: Option<&C>) -> String {
    match claims {
        Some(_) => "inner",
        None => "inner without claims",
    }
    .to_owned()
}

/// An answer that is the token's subject; the claims must reach the handler.
pub fn subject(claims: Option<&TestClaims>) -> String {
    claims.expect("the claims reach the handler").sub.clone()
}

/// An inner service that counts its calls in `calls`, answers 200 with `answer`, and puts the
/// claims it was given (if any) in the response's extensions.
pub fn inner_service<C>(
    calls: Calls,
    answer: Answer<C>,
) -> impl Service<Request<String>, Response = Response<String>, Error = Infallible, Future: Send>
       + Clone
       + Send
       + Sync
where
    C: Send + Sync + 'static,
{
    service_fn(move |request: Request<String>| {
        calls.fetch_add(1, Ordering::SeqCst);
        let claims = request.extensions().get::<Claims<C>>().cloned();
        let mut response = Response::new(answer(claims.as_deref()));
        if let Some(claims) = claims {
            response.extensions_mut().insert(claims);
        }
        std::future::ready(Ok::<_, Infallible>(response))
    })
}

/// Sends one request through a clone of `service` (a layered service, an axum `Router`).
pub async fn send<S, B>(service: &S, request: Request<B>) -> S::Response
where
    S: Service<Request<B>> + Clone,
    S::Error: Debug,
{
    service.clone().oneshot(request).await.unwrap()
}

/// Sends `request` through `layer` around an [`inner_service`] with the usual answer; returns
/// the response and how many times the inner service ran.
pub async fn through<C, K>(
    layer: &JwtAuthLayer<C, K>,
    request: Request<String>,
) -> (Response<String>, usize)
where
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
{
    through_answering(layer, request, inner_answer::<C>).await
}

/// [`through`], with an inner service that answers with `answer`.
pub async fn through_answering<C, K>(
    layer: &JwtAuthLayer<C, K>,
    request: Request<String>,
    answer: Answer<C>,
) -> (Response<String>, usize)
where
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
{
    let calls = Calls::default();
    let service = layer.layer(inner_service(calls.clone(), answer));
    let response = send(&service, request).await;
    (response, calls.load(Ordering::SeqCst))
}

/// `GET path`, with `Authorization: Bearer token` when a token is given.
pub fn get_with<B: Default>(path: &str, token: Option<&str>) -> Request<B> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(B::default()).unwrap()
}

/// `GET /` with `Authorization: Bearer token`.
pub fn bearer<B: Default>(token: &str) -> Request<B> {
    get_with("/", Some(token))
}

/// The reason of a refusal, from the response's extensions.
pub fn auth_error<B>(response: &Response<B>) -> Option<&AuthError> {
    response.extensions().get::<AuthError>()
}

/// The kind of the reason of a refusal; panics when the response carries none.
pub fn error_kind<B>(response: &Response<B>) -> AuthErrorKind {
    auth_error(response)
        .expect("a rejection carries its AuthError")
        .kind()
        .clone()
}

/// The kind of a configuration that must be refused.
pub fn config_error<T>(result: Result<T, ConfigError>) -> ConfigErrorKind {
    match result {
        Ok(_) => panic!("the configuration must be refused"),
        Err(e) => e.kind(),
    }
}

/// The `WWW-Authenticate` challenge of a refusal; panics when there is none.
pub fn challenge<B>(response: &Response<B>) -> &str {
    response.headers()[http::header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
}

/// An answer that insists on claims: the layer must never pass a request on without them.
pub fn claims_required<C>(claims: Option<&C>) -> String {
    assert!(claims.is_some(), "the inner service gets the claims");
    String::from("inner")
}

/// The request reached an inner service with the usual answer, with claims: 200 `inner`.
#[track_caller]
pub fn assert_reached_inner(response: &Response<String>, what: &str) {
    assert_eq!(
        response.status(),
        http::StatusCode::OK,
        "{what}: refused with {:?}",
        auth_error(response)
    );
    assert_eq!(response.body(), "inner", "{what}");
}
