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

/// Where a run of checks stopped.
pub(crate) enum Outcome {
    /// Every check passed.
    Passed,
    /// An asynchronous check must be awaited; the checks go on from the index given.
    Wait(CheckFuture, usize),
    /// A check refused the request.
    Failed(AuthError),
}

/// Runs `checks[from..]` in order: synchronous ones inline, until one fails or one must be
/// awaited.
pub(crate) fn run<C>(checks: &[Check<C>], from: usize, claims: &C, parts: &Parts) -> Outcome {
    for (index, check) in checks.iter().enumerate().skip(from) {
        match check {
            Check::Sync(f) => {
                if let Err(error) = f(claims, parts) {
                    return Outcome::Failed(error);
                }
            }
            Check::Async(f) => return Outcome::Wait(f(claims, parts), index + 1),
        }
    }
    Outcome::Passed
}

impl<C> std::fmt::Debug for Check<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sync(_) => "Check::Sync",
            Self::Async(_) => "Check::Async",
        })
    }
}
