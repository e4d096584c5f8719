//! The response future of [`JwtAuth`](crate::JwtAuth): the phases a request goes through,
//! each state owning exactly what its phase needs.
//!
//! ```text
//! FindKey ──> (checks) ──> Inner
//!    │           │
//!    └───────────┴──────> Refuse ──> Done
//! ```

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
use crate::grants::Grants;
use crate::jws;
use crate::key::KeySource;
use crate::refusal_event;
use crate::rejection::{OnRejection, Protocol};
use crate::verify::Pending;

/// What a request carries until the inner service takes it.
struct Carried<S, B> {
    inner: S,
    request: Request<B>,
}

pin_project! {
    #[project = PhaseProj]
    #[project_replace = PhaseOwned]
    enum Phase<S, B, F, KF, C> {
        // Finding the token's key; `hit` is what the cache remembers of the token, which
        // stands if the key source answers with the key that verified it.
        FindKey {
            #[pin]
            lookup: KF,
            pending: Pending,
            hit: Option<Arc<Entry<C>>>,
            carried: Carried<S, B>,
        },
        // Waiting for an asynchronous application check; the checks go on from `next`.
        Check {
            check: CheckFuture,
            next: usize,
            claims: Arc<C>,
            carried: Carried<S, B>,
        },
        // The inner service has the request.
        Inner { #[pin] future: F },
        // Refused: the response is made at the next poll.
        Refuse { error: AuthError },
        // The response was handed out.
        Done,
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
        phase: Phase<S, B, S::Future, K::Future, C>,
        protocol: Protocol,
        config: Arc<Config<C, K, R>>,
    }
}

/// A key lookup under way.
struct Lookup<C, KF> {
    pending: Pending,
    future: KF,
    hit: Option<Arc<Entry<C>>>,
}

/// Asks the key source for the token's key: from what the cache remembers of the token when
/// it has it, else from the token's header.
#[inline(always)]
fn find_key<C, K: KeySource, R>(
    config: &Config<C, K, R>,
    token: Token,
) -> Result<Lookup<C, K::Future>, AuthError> {
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
            let future = config.keys.key_for(&entry.header());
            let pending = Pending {
                token,
                dots,
                alg: entry.alg,
                iss: entry.iss.clone(),
                payload: None,
            };
            Ok(Lookup {
                pending,
                future,
                hit: Some(entry),
            })
        }
        None => {
            let (pending, future) = verifier.begin(token, &config.keys)?;
            Ok(Lookup {
                pending,
                future,
                hit: None,
            })
        }
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
            .and_then(|token| find_key(&config, token));
        let phase = match started {
            Ok(lookup) => Phase::FindKey {
                lookup: lookup.future,
                pending: lookup.pending,
                hit: lookup.hit,
                carried: Carried { inner, request },
            },
            Err(e) if config.optional && *e.kind() == AuthErrorKind::MissingToken => {
                // Claims and grants an outer layer left were not checked by this layer's policy.
                request.extensions_mut().remove::<Claims<C>>();
                request.extensions_mut().remove::<Grants>();
                Phase::Inner {
                    future: inner.call(request),
                }
            }
            Err(error) => refuse(&config, error, request.headers(), false),
        };
        Self {
            phase,
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
        let config = &**this.config;
        loop {
            // Each phase either waits, answers, or ends and names the next phase. Ending takes
            // the phase's data out of the state (`project_replace`), which leaves `Done`.
            let next = match this.phase.as_mut().project() {
                PhaseProj::FindKey { lookup, .. } => {
                    let found = ready!(lookup.poll(cx));
                    match this.phase.as_mut().project_replace(Phase::Done) {
                        PhaseOwned::FindKey {
                            pending,
                            hit,
                            carried,
                            ..
                        } => match verify(config, found, &pending, hit) {
                            Ok((claims, grants)) => start_checks(config, claims, grants, carried),
                            Err(error) => refuse(config, error, carried.request.headers(), false),
                        },
                        _ => Phase::Done,
                    }
                }
                PhaseProj::Check { check, .. } => {
                    let passed = ready!(check.as_mut().poll(cx));
                    match this.phase.as_mut().project_replace(Phase::Done) {
                        PhaseOwned::Check {
                            next,
                            claims,
                            carried,
                            ..
                        } => match passed {
                            Ok(()) => run_checks(config, claims, next, carried),
                            Err(error) => refuse(config, error, carried.request.headers(), true),
                        },
                        _ => Phase::Done,
                    }
                }
                PhaseProj::Inner { future } => return future.poll(cx),
                PhaseProj::Refuse { .. } => {
                    if let PhaseOwned::Refuse { error } =
                        this.phase.as_mut().project_replace(Phase::Done)
                    {
                        let response = reject(&config.rejection, error, *this.protocol);
                        return Poll::Ready(Ok(response));
                    }
                    Phase::Done
                }
                PhaseProj::Done => panic!("ResponseFuture polled after completion"),
            };
            this.phase.set(next);
        }
    }
}

/// The claims of a token whose key was found: from the cache entry if the key source answered
/// with the key that verified it, else by verifying the signature and the claims (and
/// remembering them, when the cache is on).
#[inline(always)]
fn verify<C, K, R>(
    config: &Config<C, K, R>,
    found: Result<Arc<crate::key::VerifyingKey>, AuthError>,
    pending: &Pending,
    hit: Option<Arc<Entry<C>>>,
) -> Result<(Arc<C>, Option<Grants>), AuthError>
where
    C: DeserializeOwned,
    K: KeySource,
{
    let key = found?;
    if let Some(entry) = hit.filter(|entry| entry.verified_by(&key)) {
        return Ok((Arc::clone(&entry.claims), entry.grants.clone()));
    }
    let verifier = &config.verifier;
    let (claims, times, grants) =
        verifier.finish::<C, K>(pending, &key, &config.keys, config.provider)?;
    let claims = Arc::new(claims);
    if let Some(cache) = &config.cache {
        let segments = pending.dots.segments(pending.token.as_bytes());
        let iss = pending.iss.as_deref();
        cache.insert(
            &segments,
            iss,
            &key,
            Arc::clone(&claims),
            grants.clone(),
            &times,
        );
    }
    Ok((claims, grants))
}

/// Puts verified claims and grants on the request, then runs the application checks.
#[inline(always)]
fn start_checks<S, B, F, KF, C, K, R>(
    config: &Config<C, K, R>,
    claims: Arc<C>,
    grants: Option<Grants>,
    mut carried: Carried<S, B>,
) -> Phase<S, B, F, KF, C>
where
    S: Service<Request<B>, Future = F>,
    C: Send + Sync + 'static,
{
    let extensions = carried.request.extensions_mut();
    extensions.insert(Claims(Arc::clone(&claims)));
    if let Some(grants) = grants {
        extensions.insert(grants);
    }
    run_checks(config, claims, 0, carried)
}

/// Runs the checks from `from` on: the request goes on when they pass, waits for an
/// asynchronous one, or is refused.
#[inline(always)]
fn run_checks<S, B, F, KF, C, K, R>(
    config: &Config<C, K, R>,
    claims: Arc<C>,
    from: usize,
    carried: Carried<S, B>,
) -> Phase<S, B, F, KF, C>
where
    S: Service<Request<B>, Future = F>,
{
    let Carried { mut inner, request } = carried;
    if from >= config.checks.len() {
        return Phase::Inner {
            future: inner.call(request),
        };
    }
    let (parts, body) = request.into_parts();
    let outcome = check::run(&config.checks, from, &*claims, &parts);
    let request = Request::from_parts(parts, body);
    match outcome {
        Outcome::Passed => Phase::Inner {
            future: inner.call(request),
        },
        Outcome::Wait(check, next) => Phase::Check {
            check,
            next,
            claims,
            carried: Carried { inner, request },
        },
        Outcome::Failed(error) => refuse(config, error, request.headers(), true),
    }
}

/// Refuses the request: writes the refusal event (see `refusal_event`), and leaves the
/// response to the next poll. `verified`: the token passed verification and a check refused it.
#[inline(always)]
fn refuse<S, B, F, KF, C, K, R>(
    config: &Config<C, K, R>,
    error: AuthError,
    headers: &http::HeaderMap,
    verified: bool,
) -> Phase<S, B, F, KF, C> {
    refusal_event::write(&config.verifier, &error, headers, verified);
    Phase::Refuse { error }
}

fn reject<R: OnRejection<ResBody>, ResBody>(
    rejection: &R,
    error: AuthError,
    protocol: Protocol,
) -> Response<ResBody> {
    let mut response = rejection.on_rejection(&error, protocol);
    response.extensions_mut().insert(error);
    response
}
