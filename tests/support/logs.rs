//! What `tracing` writes, captured for tests that check what is (and is never) logged.

/// Collects what a `tracing_subscriber::fmt` subscriber writes (`.with_writer(captured.clone())`),
/// for tests that check what is logged.
#[derive(Clone, Default)]
pub struct Captured(pub std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Captures every `tracing` event of this thread, at TRACE level, until the guard drops.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    capture_logs_at(tracing::Level::TRACE)
}

/// Captures the `tracing` events of this thread up to `level` until the guard drops: enough
/// for a current-thread test runtime, where spawned tasks run on the test's thread.
pub fn capture_logs_at(level: tracing::Level) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // A callsite first hit on another thread, with no subscriber there, may have cached
    // "never": ask every callsite again now that this thread has one.
    tracing::callsite::rebuild_interest_cache();
    (captured, guard)
}
