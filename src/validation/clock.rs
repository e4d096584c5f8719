//! Where the middleware reads the current time: the system clock, or one a test controls.

use std::time::SystemTime;

/// Where the middleware reads the current time.
///
/// [`SystemClock`] by default; tests pass a fixed time (any `Fn() -> SystemTime` is a clock).
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync + 'static,
{
    fn now(&self) -> SystemTime {
        self()
    }
}
