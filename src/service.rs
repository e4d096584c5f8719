//! The middleware service.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use serde::de::DeserializeOwned;
use tower_service::Service;

use crate::config::Config;
use crate::future::ResponseFuture;
use crate::key::{KeySource, StaticKeys};
use crate::rejection::{DefaultRejection, OnRejection};

/// The service [`JwtAuthLayer`](crate::JwtAuthLayer) wraps around an inner service.
pub struct JwtAuth<S, C, K = StaticKeys, R = DefaultRejection> {
    inner: S,
    config: Arc<Config<C, K, R>>,
}

impl<S, C, K, R> JwtAuth<S, C, K, R> {
    pub(crate) fn new(inner: S, config: Arc<Config<C, K, R>>) -> Self {
        Self { inner, config }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Drops the middleware and returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Clone, C, K, R> Clone for JwtAuth<S, C, K, R> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            config: self.config.clone(),
        }
    }
}

impl<S: fmt::Debug, C, K: fmt::Debug, R: fmt::Debug> fmt::Debug for JwtAuth<S, C, K, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuth")
            .field("inner", &self.inner)
            .field("keys", &self.config.keys)
            .field("verifier", &self.config.verifier)
            .finish_non_exhaustive()
    }
}

impl<S, B, ResBody, C, K, R> Service<Request<B>> for JwtAuth<S, C, K, R>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone,
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
    R: OnRejection<ResBody>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B, C, K, R>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Request<B>) -> Self::Future {
        // Take the service that was driven to readiness, leave a clone in its place.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(inner, request, self.config.clone())
    }
}

#[cfg(feature = "tonic")]
impl<S, C, K, R> tonic::server::NamedService for JwtAuth<S, C, K, R>
where
    S: tonic::server::NamedService,
{
    const NAME: &'static str = S::NAME;
}
