//! A JWKS and OpenID Connect discovery endpoint on loopback, whose behaviour a test switches
//! at run time, and which counts the requests it gets per path.
//!
//! - `/.well-known/openid-configuration`: the discovery document, by default
//!   `{"issuer": "http://<addr>", "jwks_uri": "http://<addr>/jwks.json"}`;
//! - `/jwks.json`: the published key set, or whatever failure [`Mode`] asks for;
//! - `/moved/jwks.json`: the published key set, always (the target of a same-host redirect).
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The size of the body [`Mode::Huge`] and [`Mode::HugeChunked`] send: 2 MiB.
pub const HUGE_LEN: usize = 2 * 1024 * 1024;

/// What `/jwks.json` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Serves the published key set, with this `Cache-Control` if any.
    Serve { cache_control: Option<String> },
    /// Answers 500.
    Fail,
    /// Never answers.
    Hang,
    /// Answers 200 with a body that is not JSON.
    Garbage,
    /// Answers 200 with a 2 MiB body, announced by `Content-Length`.
    Huge,
    /// Answers 200 with a 2 MiB body in chunks, without `Content-Length`.
    HugeChunked,
    /// Answers 302 to this location.
    Redirect(String),
}

impl Mode {
    /// Serves the published key set without `Cache-Control`.
    pub fn serve() -> Self {
        Mode::Serve {
            cache_control: None,
        }
    }

    /// Serves the published key set with this `Cache-Control`.
    pub fn serve_with_cache_control(value: &str) -> Self {
        Mode::Serve {
            cache_control: Some(value.into()),
        }
    }
}

struct Shared {
    addr: SocketAddr,
    mode: Mutex<Mode>,
    jwks: Mutex<String>,
    discovery: Mutex<Option<String>>,
    jwks_hits: AtomicUsize,
    moved_hits: AtomicUsize,
    discovery_hits: AtomicUsize,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The running endpoint; stops when dropped.
pub struct JwksServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl JwksServer {
    /// Starts serving `jwks` on `127.0.0.1` with a port of the system's choosing.
    pub async fn start(jwks: impl Into<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            addr,
            mode: Mutex::new(Mode::serve()),
            jwks: Mutex::new(jwks.into()),
            discovery: Mutex::new(None),
            jwks_hits: AtomicUsize::new(0),
            moved_hits: AtomicUsize::new(0),
            discovery_hits: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks.json", get(jwks_endpoint))
            .route("/moved/jwks.json", get(moved))
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the JWKS server stopped");
        });
        Self { addr, shared, task }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: the issuer the default discovery document names.
    pub fn issuer(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://<addr>/jwks.json`.
    pub fn jwks_url(&self) -> String {
        format!("http://{}/jwks.json", self.addr)
    }

    /// Switches what `/jwks.json` does.
    pub fn set_mode(&self, mode: Mode) {
        *lock(&self.shared.mode) = mode;
    }

    /// Publishes a new key set (served by [`Mode::Serve`] and `/moved/jwks.json`).
    pub fn publish(&self, jwks: impl Into<String>) {
        *lock(&self.shared.jwks) = jwks.into();
    }

    /// Replaces the discovery document (`None`: the default one).
    pub fn set_discovery(&self, document: Option<String>) {
        *lock(&self.shared.discovery) = document;
    }

    /// Requests `/jwks.json` got.
    pub fn jwks_hits(&self) -> usize {
        self.shared.jwks_hits.load(Ordering::SeqCst)
    }

    /// Requests `/moved/jwks.json` got.
    pub fn moved_hits(&self) -> usize {
        self.shared.moved_hits.load(Ordering::SeqCst)
    }

    /// Requests the discovery document got.
    pub fn discovery_hits(&self) -> usize {
        self.shared.discovery_hits.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn json(body: String, cache_control: Option<String>) -> Response {
    let mut response = ([(CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(value) = cache_control {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, value.parse().expect("a header value"));
    }
    response
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    shared.discovery_hits.fetch_add(1, Ordering::SeqCst);
    let document = lock(&shared.discovery).clone().unwrap_or_else(|| {
        serde_json::json!({
            "issuer": format!("http://{}", shared.addr),
            "jwks_uri": format!("http://{}/jwks.json", shared.addr),
        })
        .to_string()
    });
    json(document, None)
}

async fn jwks_endpoint(State(shared): State<Arc<Shared>>) -> Response {
    shared.jwks_hits.fetch_add(1, Ordering::SeqCst);
    let mode = lock(&shared.mode).clone();
    match mode {
        Mode::Serve { cache_control } => json(lock(&shared.jwks).clone(), cache_control),
        Mode::Fail => (StatusCode::INTERNAL_SERVER_ERROR, "the key store is down").into_response(),
        Mode::Hang => std::future::pending().await,
        Mode::Garbage => json("<html>this is not a key set".into(), None),
        Mode::Huge => json(huge(), None),
        Mode::HugeChunked => {
            let chunks = huge()
                .into_bytes()
                .chunks(64 * 1024)
                .map(bytes::Bytes::copy_from_slice)
                .collect::<Vec<_>>();
            let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
            (
                [(CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Mode::Redirect(location) => (StatusCode::FOUND, [(LOCATION, location)]).into_response(),
    }
}

async fn moved(State(shared): State<Arc<Shared>>) -> Response {
    shared.moved_hits.fetch_add(1, Ordering::SeqCst);
    json(lock(&shared.jwks).clone(), None)
}

/// A well-formed key set padded with white space to [`HUGE_LEN`] bytes.
fn huge() -> String {
    let mut body = String::with_capacity(HUGE_LEN);
    body.push_str("{\"keys\":[");
    body.extend(std::iter::repeat_n(' ', HUGE_LEN - 11));
    body.push_str("]}");
    body
}
