//! Arbitrary bytes as what an identity provider serves: the first 8 bytes are the
//! `Cache-Control: max-age` in seconds (any `u64`, the extremes included), the next 8 how far
//! the clock jumps between requests, and the rest, split at the first `0xFF`, the discovery
//! document and the key set. `RemoteJwks` with the widest settings `build()` accepts must
//! answer every request (200, 401 or 503) and every `refresh()` without panicking, and a
//! failed fetch must leave the next one free to run.
#![no_main]

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use http::header::AUTHORIZATION;
use http::{Request, Response, StatusCode};
use libfuzzer_sys::fuzz_target;
use tower_jwt_auth::{Fetched, JwksFetcher, JwtAuthLayer, RemoteError, RemoteJwks};

const DAY: Duration = Duration::from_secs(24 * 3600);
/// An RS256 token with `kid: "k"` whose signature nobody made: it reaches the key lookup.
const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl";

/// Serves the current input: the discovery document at `.well-known` URLs, the key set
/// anywhere else.
#[derive(Clone, Default)]
struct Provider {
    served: Arc<Mutex<(Vec<u8>, Vec<u8>, Option<Duration>)>>,
}

impl JwksFetcher for Provider {
    fn fetch(&self, url: &str, max_len: usize) -> BoxFuture<'static, Result<Fetched, RemoteError>> {
        let (discovery, jwks, max_age) = self.served.lock().unwrap().clone();
        let mut body = if url.contains("/.well-known/") { discovery } else { jwks };
        body.truncate(max_len);
        Box::pin(ready(Ok(Fetched::new(body, max_age))))
    }
}

#[derive(Clone)]
struct Inner;

impl tower_service::Service<Request<()>> for Inner {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(Response::new(())))
    }
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
});

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0; 8];
    for (i, b) in data.iter().skip(at).take(8).enumerate() {
        bytes[i] = *b;
    }
    u64::from_le_bytes(bytes)
}

fuzz_target!(|data: &[u8]| {
    let max_age = Duration::from_secs(u64_at(data, 0));
    let jump = Duration::from_secs(u64_at(data, 8));
    let rest = data.get(16..).unwrap_or_default();
    let (discovery, jwks) = match rest.iter().position(|b| *b == 0xFF) {
        Some(at) => (rest[..at].to_vec(), rest[at + 1..].to_vec()),
        None => (rest.to_vec(), rest.to_vec()),
    };
    let provider = Provider::default();
    *provider.served.lock().unwrap() = (discovery, jwks, Some(max_age));

    let base = Instant::now();
    let elapsed = Arc::new(AtomicU64::new(0));
    let clock = Arc::clone(&elapsed);
    let remote = RemoteJwks::discovery("https://idp.test")
        .fetcher(provider)
        .cache_age(30 * DAY)
        .cache_age_bounds(Duration::ZERO, 30 * DAY)
        .max_stale(365 * DAY)
        .cooldown(DAY)
        .clock(move || {
            let secs = clock.load(Ordering::SeqCst);
            base.checked_add(Duration::from_secs(secs)).unwrap_or(base)
        })
        .build()
        .expect("the widest documented settings build");
    let builder = JwtAuthLayer::<serde_json::Value>::builder(remote.clone());
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder =
        builder.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let layer = builder
        .build()
        .expect("the layer builds");

    RUNTIME.block_on(async {
        for _ in 0..3 {
            let _ = remote.refresh().await;
            let mut service = tower_layer::Layer::layer(&layer, Inner);
            let request = Request::get("/")
                .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(())
                .unwrap();
            let response = tower_service::Service::call(&mut service, request)
                .await
                .unwrap_or_else(|never| match never {});
            assert!(
                matches!(
                    response.status(),
                    StatusCode::OK | StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE
                ),
                "unexpected status {}",
                response.status()
            );
            let _ = remote.state();
            let secs = jump.as_secs();
            let _ = elapsed.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |e| {
                Some(e.saturating_add(secs))
            });
        }
    });
});
