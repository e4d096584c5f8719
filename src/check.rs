//! Application checks on verified claims.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;

use crate::error::AuthError;

/// A boxed check future.
pub(crate) type CheckFuture = Pin<Box<dyn Future<Output = Result<(), AuthError>> + Send>>;

type SyncCheck<C> = dyn Fn(&C, &Parts) -> Result<(), AuthError> + Send + Sync;
type AsyncCheck<C> = dyn Fn(&C, &Parts) -> CheckFuture + Send + Sync;

/// A check configured with [`JwtAuthBuilder::check`](crate::JwtAuthBuilder::check) or
/// [`check_async`](crate::JwtAuthBuilder::check_async). Synchronous checks are not boxed
/// into futures.
pub(crate) enum Check<C> {
    Sync(Arc<SyncCheck<C>>),
    Async(Arc<AsyncCheck<C>>),
}

impl<C> Clone for Check<C> {
    fn clone(&self) -> Self {
        match self {
            Self::Sync(f) => Self::Sync(f.clone()),
            Self::Async(f) => Self::Async(f.clone()),
        }
    }
}

impl<C> std::fmt::Debug for Check<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sync(_) => "Check::Sync",
            Self::Async(_) => "Check::Async",
        })
    }
}
