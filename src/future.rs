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
    enum State<F, KF, C> {
        // Waiting for the key source.
        Key { #[pin] lookup: KF },
        // Verified from the cache: the claims go on at the next poll.
        Cached { claims: Option<Arc<C>> },
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
        state: State<S::Future, K::Future, C>,
        inner: Option<S>,
        request: Option<Request<B>>,
        pending: Option<Pending>,
        protocol: Protocol,
        config: Arc<Config<C, K, R>>,
    }
}

const POLLED: &str = "ResponseFuture polled after completion";

impl<S, B, C, K, R> ResponseFuture<S, B, C, K, R>
where
    S: Service<Request<B>>,
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
{
    pub(crate) fn new(mut inner: S, request: Request<B>, config: Arc<Config<C, K, R>>) -> Self {
        let protocol = Protocol::of(request.headers());
        let verifier = &config.verifier;
        let started = verifier.extract(request.headers()).and_then(|token| {
            if let Some(cache) = &config.cache {
                let rules = &verifier.rules;
                if let Some(claims) =
                    cache.get(token.as_bytes(), rules.now(), rules.leeway.as_secs_f64())
                {
                    return Ok(Err(claims));
                }
            }
            verifier.begin(token, &config.keys).map(Ok)
        });
        let (state, inner, request, pending) = match started {
            Ok(Ok((pending, lookup))) => (
                State::Key { lookup },
                Some(inner),
                Some(request),
                Some(pending),
            ),
            Ok(Err(claims)) => (
                State::Cached {
                    claims: Some(claims),
                },
                Some(inner),
                Some(request),
                None,
            ),
            Err(e) if config.optional && *e.kind() == AuthErrorKind::MissingToken => (
                State::Inner {
                    future: inner.call(request),
                },
                None,
                None,
                None,
            ),
            Err(error) => (State::Rejected { error: Some(error) }, None, None, None),
        };
        Self {
            state,
            inner,
            request,
            pending,
            protocol,
            config,
        }
    }
}

impl<S, B, ResBody, C, K, R> Future for ResponseFuture<S, B, C, K, R>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
    R: OnRejection<ResBody>,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let config = &**this.config;
            let verified = match this.state.as_mut().project() {
                StateProj::Key { lookup } => {
                    let found = ready!(lookup.poll(cx));
                    let pending = this.pending.take().expect(POLLED);
                    found.and_then(|key| {
                        let (claims, times) =
                            config
                                .verifier
                                .finish::<C, K>(&pending, &key, &config.keys)?;
                        let claims = Arc::new(claims);
                        if let Some(cache) = &config.cache {
                            let token = pending.token.as_bytes();
                            cache.insert(
                                token,
                                &key,
                                Arc::clone(&claims),
                                times.exp,
                                times.nbf,
                                times.now,
                            );
                        }
                        Ok(claims)
                    })
                }
                StateProj::Cached { claims } => Ok(claims.take().expect(POLLED)),
                StateProj::Check { check } => {
                    let next = match ready!(check.as_mut().poll(cx)) {
                        Ok(()) => {
                            let request = this.request.take().expect(POLLED);
                            State::Inner {
                                future: this.inner.take().expect(POLLED).call(request),
                            }
                        }
                        Err(error) => State::Rejected { error: Some(error) },
                    };
                    this.state.set(next);
                    continue;
                }
                StateProj::Inner { future } => return future.poll(cx),
                StateProj::Rejected { error } => {
                    let error = error.take().expect(POLLED);
                    return Poll::Ready(Ok(reject(&config.rejection, error, *this.protocol)));
                }
            };
            let next = match verified {
                Err(error) => State::Rejected { error: Some(error) },
                Ok(claims) => {
                    let mut request = this.request.take().expect(POLLED);
                    match &config.check {
                        None => {
                            request.extensions_mut().insert(Claims(claims));
                            State::Inner {
                                future: this.inner.take().expect(POLLED).call(request),
                            }
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
                                Err(Ok(())) => State::Inner {
                                    future: this.inner.take().expect(POLLED).call(request),
                                },
                                Err(Err(error)) => State::Rejected { error: Some(error) },
                            }
                        }
                    }
                }
            };
            this.state.set(next);
        }
    }
}

fn reject<R: OnRejection<ResBody>, ResBody>(
    rejection: &R,
    error: AuthError,
    protocol: Protocol,
) -> Response<ResBody> {
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
