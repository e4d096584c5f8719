//! The response future of [`JwtAuth`](crate::JwtAuth).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use serde::de::DeserializeOwned;
use tower_service::Service;

use crate::cache::Entry;
use crate::check::{self, CheckFuture, Outcome};
use crate::claims::Claims;
use crate::config::Config;
use crate::error::{AuthError, AuthErrorKind};
use crate::extract::Token;
use crate::jws;
use crate::key::KeySource;
use crate::rejection::{OnRejection, Protocol};
use crate::verify::Pending;

pin_project! {
    #[project = StateProj]
    enum State<F, KF, C> {
        // Waiting for the key source.
        Key { #[pin] lookup: KF },
        // Waiting for an asynchronous application check; the checks go on from `next`.
        Check { check: CheckFuture, next: usize, claims: Arc<C> },
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
        // The cache entry of the token, accepted if the key source answers with its key.
        hit: Option<Arc<Entry<C>>>,
        protocol: Protocol,
        config: Arc<Config<C, K, R>>,
    }
}

const POLLED: &str = "ResponseFuture polled after completion";

type Started<C, KF> = (Pending, KF, Option<Arc<Entry<C>>>);

/// Asks the key source for the token's key: from what the cache remembers of the token when
/// it has it, else from the token's header.
fn start<C, K: KeySource, R>(
    config: &Config<C, K, R>,
    token: Token,
) -> Result<Started<C, K::Future>, AuthError> {
    let verifier = &config.verifier;
    let hit = config.cache.as_ref().and_then(|cache| {
        // Positions only: a hit compares every byte with a token that passed `split`.
        let dots = jws::find_dots(token.as_bytes())?;
        let rules = &verifier.rules;
        let segments = dots.segments(token.as_bytes());
        let entry = cache.get(&segments, rules.now(), rules.leeway.as_secs_f64())?;
        Some((dots, entry))
    });
    match hit {
        Some((dots, entry)) => {
            let lookup = config.keys.key_for(&entry.header());
            let pending = Pending {
                token,
                dots,
                alg: entry.alg,
                iss: entry.iss.clone(),
            };
            Ok((pending, lookup, Some(entry)))
        }
        None => verifier
            .begin(token, &config.keys)
            .map(|(pending, lookup)| (pending, lookup, None)),
    }
}

impl<S, B, C, K, R> ResponseFuture<S, B, C, K, R>
where
    S: Service<Request<B>>,
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
{
    pub(crate) fn new(mut inner: S, mut request: Request<B>, config: Arc<Config<C, K, R>>) -> Self {
        let protocol = Protocol::of(request.headers());
        let started = config
            .verifier
            .extract(request.headers())
            .and_then(|token| start(&config, token));
        let (state, inner, request, pending, hit) = match started {
            Ok((pending, lookup, hit)) => (
                State::Key { lookup },
                Some(inner),
                Some(request),
                Some(pending),
                hit,
            ),
            Err(e) if config.optional && *e.kind() == AuthErrorKind::MissingToken => {
                // Claims an outer layer left were not checked by this layer's policy.
                request.extensions_mut().remove::<Claims<C>>();
                (
                    State::Inner {
                        future: inner.call(request),
                    },
                    None,
                    None,
                    None,
                    None,
                )
            }
            Err(error) => (
                State::Rejected { error: Some(error) },
                None,
                None,
                None,
                None,
            ),
        };
        Self {
            state,
            inner,
            request,
            pending,
            hit,
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
            // The verdict so far, and the first check still to run.
            let (verdict, from) = match this.state.as_mut().project() {
                StateProj::Key { lookup } => {
                    let found = ready!(lookup.poll(cx));
                    let pending = this.pending.take().expect(POLLED);
                    let hit = this.hit.take();
                    let verified = found.and_then(|key| match hit {
                        Some(entry) if entry.verified_by(&key) => Ok(Arc::clone(&entry.claims)),
                        _ => {
                            let (claims, times) = config.verifier.finish::<C, K>(
                                &pending,
                                &key,
                                &config.keys,
                                config.provider,
                            )?;
                            let claims = Arc::new(claims);
                            if let Some(cache) = &config.cache {
                                let segments = pending.dots.segments(pending.token.as_bytes());
                                let iss = pending.iss.as_deref();
                                cache.insert(&segments, iss, &key, Arc::clone(&claims), &times);
                            }
                            Ok(claims)
                        }
                    });
                    if let Ok(claims) = &verified {
                        let request = this.request.as_mut().expect(POLLED);
                        request.extensions_mut().insert(Claims(Arc::clone(claims)));
                    }
                    (verified, 0)
                }
                StateProj::Check {
                    check,
                    next,
                    claims,
                } => {
                    let passed = ready!(check.as_mut().poll(cx));
                    (passed.map(|()| Arc::clone(claims)), *next)
                }
                StateProj::Inner { future } => return future.poll(cx),
                StateProj::Rejected { error } => {
                    let error = error.take().expect(POLLED);
                    return Poll::Ready(Ok(reject(&config.rejection, error, *this.protocol)));
                }
            };
            let next = match verdict {
                Err(error) => State::Rejected { error: Some(error) },
                Ok(claims) => {
                    let mut request = this.request.take().expect(POLLED);
                    let outcome = if from < config.checks.len() {
                        let (parts, body) = request.into_parts();
                        let outcome = check::run(&config.checks, from, &*claims, &parts);
                        request = Request::from_parts(parts, body);
                        outcome
                    } else {
                        Outcome::Passed
                    };
                    match outcome {
                        Outcome::Passed => State::Inner {
                            future: this.inner.take().expect(POLLED).call(request),
                        },
                        Outcome::Wait(check, next) => {
                            *this.request = Some(request);
                            State::Check {
                                check,
                                next,
                                claims,
                            }
                        }
                        Outcome::Failed(error) => State::Rejected { error: Some(error) },
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
