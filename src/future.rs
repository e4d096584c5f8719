//! The response future of [`JwtAuth`](crate::JwtAuth).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use serde::de::DeserializeOwned;
use tower_service::Service;

use crate::check::{Check, CheckFuture};
use crate::claims::Claims;
use crate::error::{AuthError, AuthErrorKind};
use crate::key::KeySource;
use crate::layer::Config;
use crate::rejection::{OnRejection, Protocol};
use crate::verify::Pending;

pin_project! {
    #[project = StateProj]
    enum State<F, KF> {
        // Waiting for the key source.
        Key { #[pin] lookup: KF },
        // Waiting for an asynchronous application check.
        Check { check: CheckFuture },
        // The inner service has the request.
        Inner { #[pin] future: F },
        // The request is refused; the response is built on the next poll.
        Rejected { error: Option<AuthError> },
    }
}

pin_project! {
    /// The future [`JwtAuth`](crate::JwtAuth) returns: verification, then the inner service.
    pub struct ResponseFuture<S, B, C, K, R>
    where
        S: Service<Request<B>>,
        K: KeySource,
    {
        #[pin]
        state: State<S::Future, K::Future>,
        inner: Option<S>,
        request: Option<Request<B>>,
        pending: Option<Pending>,
        protocol: Protocol,
        config: Arc<Config<C, K, R>>,
    }
}

impl<S, B, C, K, R> ResponseFuture<S, B, C, K, R>
where
    S: Service<Request<B>>,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
    K: KeySource,
{
    pub(crate) fn new(mut inner: S, request: Request<B>, config: Arc<Config<C, K, R>>) -> Self {
        let protocol = Protocol::of(request.headers());
        let (state, inner, request, pending) = match config.verifier.begin(request.headers(), &config.keys) {
            Ok((pending, lookup)) => (State::Key { lookup }, Some(inner), Some(request), Some(pending)),
            Err(e) if config.optional && *e.kind() == AuthErrorKind::MissingToken => {
                (State::Inner { future: inner.call(request) }, None, None, None)
            }
            Err(error) => (State::Rejected { error: Some(error) }, None, None, None),
        };
        Self { state, inner, request, pending, protocol, config }
    }
}

impl<S, B, ResBody, C, K, R> Future for ResponseFuture<S, B, C, K, R>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    C: DeserializeOwned + Clone + Send + Sync + 'static,
    K: KeySource,
    R: OnRejection<ResBody>,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        const POLLED: &str = "ResponseFuture polled after completion";
        let mut this = self.project();
        loop {
            let next = match this.state.as_mut().project() {
                StateProj::Key { lookup } => {
                    let found = ready!(lookup.poll(cx));
                    let pending = this.pending.take().expect(POLLED);
                    let verified = found.and_then(|key| this.config.verifier.finish::<C, K>(&pending, &key, &this.config.keys));
                    match verified {
                        Err(error) => State::Rejected { error: Some(error) },
                        Ok(claims) => {
                            let mut request = this.request.take().expect(POLLED);
                            match &this.config.check {
                                None => {
                                    request.extensions_mut().insert(Claims(claims));
                                    let future = this.inner.take().expect(POLLED).call(request);
                                    State::Inner { future }
                                }
                                Some(check) => {
                                    let (mut parts, body) = request.into_parts();
                                    let outcome = match check {
                                        Check::Sync(f) => Err(f(&claims, &parts)),
                                        Check::Async(f) => Ok(f(&claims, &parts)),
                                    };
                                    parts.extensions.insert(Claims(claims));
                                    let request = Request::from_parts(parts, body);
                                    match outcome {
                                        Ok(check) => {
                                            *this.request = Some(request);
                                            State::Check { check }
                                        }
                                        Err(Ok(())) => {
                                            let future = this.inner.take().expect(POLLED).call(request);
                                            State::Inner { future }
                                        }
                                        Err(Err(error)) => State::Rejected { error: Some(error) },
                                    }
                                }
                            }
                        }
                    }
                }
                StateProj::Check { check } => match ready!(check.as_mut().poll(cx)) {
                    Ok(()) => {
                        let request = this.request.take().expect(POLLED);
                        let future = this.inner.take().expect(POLLED).call(request);
                        State::Inner { future }
                    }
                    Err(error) => State::Rejected { error: Some(error) },
                },
                StateProj::Inner { future } => return future.poll(cx),
                StateProj::Rejected { error } => {
                    let error = error.take().expect(POLLED);
                    return Poll::Ready(Ok(reject(&this.config.rejection, error, *this.protocol)));
                }
            };
            this.state.set(next);
        }
    }
}

fn reject<R: OnRejection<ResBody>, ResBody>(rejection: &R, error: AuthError, protocol: Protocol) -> Response<ResBody> {
    match error.kind() {
        AuthErrorKind::KeysUnavailable { .. } => {
            tracing::warn!(kind = ?error.kind(), ?protocol, "JWT rejected: {error}");
        }
        _ => tracing::debug!(kind = ?error.kind(), ?protocol, "JWT rejected: {error}"),
    }
    let mut response = rejection.on_rejection(&error, protocol);
    response.extensions_mut().insert(error);
    response
}
