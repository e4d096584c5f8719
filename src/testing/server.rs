//! The test issuer served on loopback: discovery, JWKS and a token endpoint, with controls
//! for the hard cases (rotation, a slow, failing or absent key endpoint).

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::issuer::{alg_name, TestIssuer, TestIssuerBuilder};
use crate::algorithms::ALL_ALGORITHMS as ALGORITHMS;

/// Where the served issuer publishes its keys.
pub const JWKS_PATH: &str = "/jwks";
/// Where the served issuer takes OAuth 2.0 token requests.
pub const TOKEN_PATH: &str = "/token";
/// The authorization endpoint discovery must name; it refuses every request (the kit grants
/// client credentials only).
pub const AUTHORIZE_PATH: &str = "/authorize";

/// How the JWKS endpoint answers (see [`TestServer::set_jwks_reply`]); what it serves is the
/// issuer's key set, or the document given to [`TestServer::set_jwks_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksReply {
    /// `200 OK`, `application/json`, with `Content-Length` (the default).
    Keys,
    /// `200 OK` in 64 KiB chunks, without `Content-Length`.
    Chunked,
    /// This status and a short text body.
    Status(u16),
    /// `302 Found` to this location. Any path under `/jwks/` always serves the key set,
    /// whatever the reply, so `/jwks/moved` is a same-host target.
    Redirect(String),
}

struct Shared {
    issuer: TestIssuer,
    jwks_fetches: AtomicUsize,
    discovery_fetches: AtomicUsize,
    token_requests: AtomicUsize,
    failures_left: AtomicUsize,
    delay: Mutex<Duration>,
    reply: Mutex<JwksReply>,
    document: Mutex<Option<String>>,
    cache_control: Mutex<Option<String>>,
    discovery: Mutex<Option<String>>,
    clients: Mutex<HashMap<String, String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A [`TestIssuer`] served on `127.0.0.1` with a port of the system's choosing, its issuer
/// identifier `http://127.0.0.1:<port>`. It answers:
///
/// - `GET /.well-known/openid-configuration` and `GET /.well-known/oauth-authorization-server`:
///   the discovery document (`issuer`, `jwks_uri`, `token_endpoint`, supported algorithms);
/// - `GET /jwks`: the published public keys ([`TestIssuer::jwks`]), or what the controls ask;
///   any path under `/jwks/` serves the same key set whatever the controls (a redirect target);
/// - `GET /authorize`: named because discovery requires it; always `400
///   unsupported_response_type`;
/// - `POST /token`: the client credentials grant (RFC 6749 section 4.4) for clients added with
///   [`add_client`](Self::add_client), authenticated with HTTP Basic or in the form; the
///   access token is an RFC 9068 JWT (`typ: at+jwt`) for the requested `scope` and for the
///   `audience` or `resource` asked, or else the issuer's default audiences.
///
/// It dereferences to its [`TestIssuer`], so `server.token()` mints. It runs on the Tokio
/// runtime it was started on (a `#[tokio::test]` one is fine) and stops when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use tower_jwt_auth::testing::TestIssuer;
///
/// let idp = TestIssuer::builder().audience("api").serve().await?;
/// assert!(idp.issuer().starts_with("http://127.0.0.1:"));
/// let keys = idp.remote_keys().build(); // a RemoteJwks on the served discovery document
/// # let _ = keys;
/// idp.fail_jwks(2); // the next two key set fetches get 503
/// idp.rotate(); // new tokens are signed with a new key
/// # Ok(()) }
/// ```
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    running: Mutex<Option<Running>>,
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("issuer", &self.shared.issuer)
            .finish_non_exhaustive()
    }
}

impl TestIssuerBuilder {
    /// Builds the issuer and serves it on `127.0.0.1:0`; see [`TestServer`].
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn serve(self) -> io::Result<TestServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let issuer = self.build(format!("http://{addr}"));
        let shared = Arc::new(Shared {
            issuer,
            jwks_fetches: AtomicUsize::new(0),
            discovery_fetches: AtomicUsize::new(0),
            token_requests: AtomicUsize::new(0),
            failures_left: AtomicUsize::new(0),
            delay: Mutex::new(Duration::ZERO),
            reply: Mutex::new(JwksReply::Keys),
            document: Mutex::new(None),
            cache_control: Mutex::new(None),
            discovery: Mutex::new(None),
            clients: Mutex::new(HashMap::new()),
        });
        let running = run(listener, Arc::clone(&shared));
        Ok(TestServer {
            addr,
            shared,
            running: Mutex::new(Some(running)),
        })
    }
}

impl TestIssuer {
    /// A served issuer with the default settings: `TestIssuer::builder().serve()`.
    ///
    /// # Errors
    ///
    /// When no loopback port can be bound.
    pub async fn serve() -> io::Result<TestServer> {
        Self::builder().serve().await
    }
}

fn run(listener: TcpListener, shared: Arc<Shared>) -> Running {
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/oauth-authorization-server", get(discovery))
        .route(JWKS_PATH, get(jwks))
        .route("/jwks/{*rest}", get(moved_jwks))
        .route(TOKEN_PATH, post(token))
        .route(AUTHORIZE_PATH, get(authorize))
        .with_state(shared);
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        // An error here ends the server; the test sees its requests fail.
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
    });
    Running { stop, task }
}

impl Deref for TestServer {
    type Target = TestIssuer;

    fn deref(&self) -> &TestIssuer {
        &self.shared.issuer
    }
}

impl TestServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The served issuer (also reached through `Deref`).
    pub fn test_issuer(&self) -> &TestIssuer {
        &self.shared.issuer
    }

    /// `http://127.0.0.1:<port>/jwks`.
    pub fn jwks_url(&self) -> String {
        format!("http://{}{JWKS_PATH}", self.addr)
    }

    /// `http://127.0.0.1:<port>/token`.
    pub fn token_url(&self) -> String {
        format!("http://{}{TOKEN_PATH}", self.addr)
    }

    /// A [`RemoteJwks`](crate::RemoteJwks) builder on this issuer's discovery document, plain
    /// `http://` allowed (the server is on loopback). Add settings, then `build()`; building
    /// needs an HTTP client: the `reqwest` (default) or `reqwest-ring` feature, or
    /// `.fetcher(..)` with your own.
    pub fn remote_keys(&self) -> crate::RemoteJwksBuilder {
        crate::RemoteJwks::discovery(self.issuer()).allow_http(true)
    }

    /// Registers an OAuth client for the token endpoint. A client added twice keeps the
    /// newest secret.
    pub fn add_client(&self, client_id: impl Into<String>, client_secret: impl Into<String>) {
        lock(&self.shared.clients).insert(client_id.into(), client_secret.into());
    }

    /// Makes the next `n` requests to the JWKS endpoint answer `503 Service Unavailable`.
    pub fn fail_jwks(&self, n: usize) {
        self.shared.failures_left.store(n, Ordering::SeqCst);
    }

    /// Makes every JWKS answer wait this long first (`Duration::ZERO`: answer at once). A
    /// delay longer than the key source's timeout makes the endpoint look hung.
    pub fn set_jwks_delay(&self, delay: Duration) {
        *lock(&self.shared.delay) = delay;
    }

    /// How the JWKS endpoint answers (see [`JwksReply`]).
    pub fn set_jwks_reply(&self, reply: JwksReply) {
        *lock(&self.shared.reply) = reply;
    }

    /// Serves this text as the key set instead of the issuer's keys (`None`: the issuer's
    /// keys again): a hand-made, malformed, hostile or huge document.
    pub fn set_jwks_document(&self, document: Option<String>) {
        *lock(&self.shared.document) = document;
    }

    /// The `Cache-Control` header of JWKS answers (`None`: no header).
    pub fn set_cache_control(&self, value: Option<&str>) {
        *lock(&self.shared.cache_control) = value.map(str::to_owned);
    }

    /// Serves this text as the discovery document (`None`: the issuer's own).
    pub fn set_discovery(&self, document: Option<String>) {
        *lock(&self.shared.discovery) = document;
    }

    /// Requests the JWKS endpoint has had (any path under `/jwks` counts).
    pub fn jwks_fetches(&self) -> usize {
        self.shared.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Requests the discovery documents have had.
    pub fn discovery_fetches(&self) -> usize {
        self.shared.discovery_fetches.load(Ordering::SeqCst)
    }

    /// Requests the token endpoint has had.
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// Takes the server down: it stops listening, so connections are refused, and closes the
    /// connections it has once their request in flight (if any) is answered, waiting at most
    /// a second for them. [`start_again`](Self::start_again) brings it back on the same port.
    pub async fn stop(&self) {
        let running = lock(&self.running).take();
        if let Some(Running { stop, mut task }) = running {
            let _ = stop.send(true);
            if tokio::time::timeout(Duration::from_secs(1), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }

    /// Brings a stopped server back on the same address, with the same keys and controls.
    /// Does nothing while it runs.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound again (something else took it meanwhile).
    pub async fn start_again(&self) -> io::Result<()> {
        if lock(&self.running).is_some() {
            return Ok(());
        }
        let listener = TcpListener::bind(self.addr).await?;
        let running = run(listener, Arc::clone(&self.shared));
        *lock(&self.running) = Some(running);
        Ok(())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(Running { stop, task }) = lock(&self.running).take() {
            let _ = stop.send(true);
            task.abort();
        }
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    shared.discovery_fetches.fetch_add(1, Ordering::SeqCst);
    let document = lock(&shared.discovery).clone().unwrap_or_else(|| {
        let issuer = shared.issuer.issuer();
        let algorithms: Vec<&str> = ALGORITHMS.iter().map(|&alg| alg_name(alg)).collect();
        json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}{JWKS_PATH}"),
            "token_endpoint": format!("{issuer}{TOKEN_PATH}"),
            "authorization_endpoint": format!("{issuer}{AUTHORIZE_PATH}"),
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": algorithms,
            "scopes_supported": ["openid"],
        })
        .to_string()
    });
    json_response(StatusCode::OK, document)
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    shared.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let delay = *lock(&shared.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let failing = shared
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return (StatusCode::SERVICE_UNAVAILABLE, "the key store is down").into_response();
    }
    let reply = lock(&shared.reply).clone();
    let response = match reply {
        JwksReply::Keys => json_response(StatusCode::OK, document(&shared)),
        JwksReply::Chunked => {
            let chunks: Vec<Result<Vec<u8>, Infallible>> = document(&shared)
                .into_bytes()
                .chunks(64 * 1024)
                .map(|chunk| Ok(chunk.to_vec()))
                .collect();
            let stream = futures_util::stream::iter(chunks);
            (
                [(CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        JwksReply::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, "the test issuer was told to answer this").into_response()
        }
        JwksReply::Redirect(location) => {
            (StatusCode::FOUND, [(LOCATION, location)]).into_response()
        }
    };
    with_cache_control(&shared, response)
}

/// The key set at another address: always served, whatever the reply control.
async fn moved_jwks(State(shared): State<Arc<Shared>>) -> Response {
    shared.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let response = json_response(StatusCode::OK, document(&shared));
    with_cache_control(&shared, response)
}

/// What the key endpoint serves: the document set by the test, or the issuer's keys.
fn document(shared: &Shared) -> String {
    lock(&shared.document)
        .clone()
        .unwrap_or_else(|| shared.issuer.jwks())
}

fn with_cache_control(shared: &Shared, mut response: Response) -> Response {
    if let Some(value) = lock(&shared.cache_control).as_deref() {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(CACHE_CONTROL, value);
        }
    }
    response
}

async fn authorize() -> Response {
    oauth_error(
        StatusCode::BAD_REQUEST,
        "unsupported_response_type",
        "the test issuer grants client_credentials only, at its token endpoint",
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = json_response(
        status,
        json!({"error": error, "error_description": description}).to_string(),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"test issuer\""),
        );
    }
    response
}

/// The client id and secret of HTTP Basic authentication (RFC 6749 section 2.3.1: each
/// form-urlencoded before joining).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64_simd::STANDARD
        .decode_to_vec(encoded.trim().as_bytes())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |text: &str| {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|text| text.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    shared.token_requests.fetch_add(1, Ordering::SeqCst);
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if field("grant_type") != Some("client_credentials") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "the test issuer grants client_credentials only",
        );
    }
    let credentials = basic_credentials(&headers).or_else(|| {
        Some((
            field("client_id")?.to_owned(),
            field("client_secret")?.to_owned(),
        ))
    });
    let Some((client_id, secret)) = credentials else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "no client authentication",
        );
    };
    let known = lock(&shared.clients).get(&client_id) == Some(&secret);
    if !known {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let issuer = &shared.issuer;
    let lifetime = issuer.lifetime().as_secs();
    let mut minted = issuer
        .token()
        .typ("at+jwt")
        .subject(client_id.as_str())
        .claim("client_id", client_id.as_str());
    let audiences: Vec<&str> = form
        .iter()
        .filter(|(key, _)| key == "audience" || key == "resource")
        .map(|(_, value)| value.as_str())
        .collect();
    match audiences.as_slice() {
        [] => {}
        [one] => minted = minted.audience(*one),
        many => minted = minted.audiences(many.iter().copied()),
    }
    let scope = field("scope").unwrap_or("");
    if !scope.is_empty() {
        minted = minted.scope(scope);
    }
    let mut body = json!({
        "access_token": minted.sign(),
        "token_type": "Bearer",
        "expires_in": lifetime,
    });
    if !scope.is_empty() {
        body["scope"] = scope.into();
    }
    let mut response = json_response(StatusCode::OK, body.to_string());
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
