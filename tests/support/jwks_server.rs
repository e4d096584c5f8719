//! The JWKS endpoint of the key-source tests: the test kit's served issuer
//! (`tower_jwt_auth::testing::TestServer`) publishing the tests' own fixture key sets, with
//! the failure modes those tests name mapped onto the kit's controls.
//!
//! - `/.well-known/openid-configuration`: the kit's discovery document, or one set by a test;
//! - `/jwks`: the published key set, or whatever failure [`Mode`] asks for;
//! - `/jwks/moved`: the published key set, always (the target of a same-host redirect).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use tower_jwt_auth::testing::{JwksReply, TestIssuer, TestServer};

/// The size of the body [`Mode::Huge`] and [`Mode::HugeChunked`] send: 2 MiB.
pub const HUGE_LEN: usize = 2 * 1024 * 1024;

/// What `/jwks` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Serves the published key set, with this `Cache-Control` if any.
    Serve { cache_control: Option<String> },
    /// Answers 500.
    Fail,
    /// Never answers (within any test's patience: an hour).
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

/// The running endpoint; stops when dropped.
pub struct JwksServer {
    kit: TestServer,
    published: Mutex<(String, Mode)>,
}

impl JwksServer {
    /// Starts serving `jwks` on `127.0.0.1` with a port of the system's choosing.
    pub async fn start(jwks: impl Into<String>) -> Self {
        let server = Self {
            kit: TestIssuer::serve().await.expect("bind loopback"),
            published: Mutex::new((jwks.into(), Mode::serve())),
        };
        server.apply();
        server
    }

    /// Sets the kit's controls from the published set and the mode.
    fn apply(&self) {
        let (jwks, mode) = self.published.lock().unwrap().clone();
        let huge = || Some(huge());
        let (document, reply, delay, cache_control) = match mode {
            Mode::Serve { cache_control } => (Some(jwks), JwksReply::Keys, 0, cache_control),
            Mode::Fail => (Some(jwks), JwksReply::Status(500), 0, None),
            Mode::Hang => (Some(jwks), JwksReply::Keys, 3600, None),
            Mode::Garbage => (
                Some("<html>this is not a key set".into()),
                JwksReply::Keys,
                0,
                None,
            ),
            Mode::Huge => (huge(), JwksReply::Keys, 0, None),
            Mode::HugeChunked => (huge(), JwksReply::Chunked, 0, None),
            Mode::Redirect(location) => (Some(jwks), JwksReply::Redirect(location), 0, None),
        };
        self.kit.set_jwks_document(document);
        self.kit.set_jwks_reply(reply);
        self.kit.set_jwks_delay(Duration::from_secs(delay));
        self.kit.set_cache_control(cache_control.as_deref());
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.kit.addr()
    }

    /// `http://<addr>`: the issuer the default discovery document names.
    pub fn issuer(&self) -> String {
        self.kit.issuer().to_owned()
    }

    /// `http://<addr>/jwks`.
    pub fn jwks_url(&self) -> String {
        self.kit.jwks_url()
    }

    /// `http://<addr>/jwks/moved`: the published set, whatever the mode.
    pub fn moved_url(&self) -> String {
        format!("{}/moved", self.kit.jwks_url())
    }

    /// Switches what `/jwks` does.
    pub fn set_mode(&self, mode: Mode) {
        self.published.lock().unwrap().1 = mode;
        self.apply();
    }

    /// Publishes a new key set (served by [`Mode::Serve`] and `/jwks/moved`).
    pub fn publish(&self, jwks: impl Into<String>) {
        self.published.lock().unwrap().0 = jwks.into();
        self.apply();
    }

    /// Replaces the discovery document (`None`: the kit's own).
    pub fn set_discovery(&self, document: Option<String>) {
        self.kit.set_discovery(document);
    }

    /// Requests the key set got, at `/jwks` and `/jwks/moved` together.
    pub fn jwks_hits(&self) -> usize {
        self.kit.jwks_fetches()
    }

    /// Requests the discovery document got.
    pub fn discovery_hits(&self) -> usize {
        self.kit.discovery_fetches()
    }
}

/// A well-formed key set padded with white space to [`HUGE_LEN`] bytes.
fn huge() -> String {
    let mut body = String::with_capacity(HUGE_LEN);
    body.push_str("{\"keys\":[");
    body.extend(std::iter::repeat_n(' ', HUGE_LEN - 11));
    body.push_str("]}");
    body
}
