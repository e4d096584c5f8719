//! What came back from one request through the layer, with the assertions tests make on it.

use http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use tower_jwt_auth::{AuthError, AuthErrorKind};

use super::auth_error;

/// What came back from one request through the layer.
#[derive(Debug)]
pub struct Outcome {
    pub status: StatusCode,
    /// The kind of the reason of a refusal.
    pub kind: Option<AuthErrorKind>,
    /// `WWW-Authenticate`.
    pub challenge: Option<String>,
    /// `Retry-After`.
    pub retry_after: Option<String>,
    pub body: String,
    /// How many times the inner service ran.
    pub calls: usize,
}

impl Outcome {
    /// The outcome of a response and the count of inner calls, as
    /// [`through`](super::through) returns them.
    pub fn of((response, calls): (Response<String>, usize)) -> Self {
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        Self {
            status: response.status(),
            kind: auth_error(&response).map(|e| e.kind().clone()),
            challenge: header(WWW_AUTHENTICATE),
            retry_after: header(RETRY_AFTER),
            calls,
            body: response.into_body(),
        }
    }

    /// Accepted: 200, no reason, and the inner service ran once.
    #[track_caller]
    pub fn accepted(&self) {
        assert_eq!(self.status, StatusCode::OK, "{self:?}");
        assert_eq!(self.kind, None, "{self:?}");
        assert_eq!(self.calls, 1, "the inner service is called once: {self:?}");
    }

    /// Accepted, and the handler answered with the subject of [`TestClaims::valid`](super::TestClaims::valid).
    #[track_caller]
    pub fn assert_ok(&self) {
        assert_eq!(self.status, StatusCode::OK, "{self:?}");
        assert_eq!(self.body, "ann", "{self:?}");
    }

    /// Refused with 401 `invalid_token`, for any reason; the inner service is not called.
    #[track_caller]
    pub fn refused_any(&self) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{self:?}");
        assert!(
            self.kind.is_some(),
            "the AuthError is in the extensions: {self:?}"
        );
        assert_eq!(
            self.calls, 0,
            "the inner service must not be called: {self:?}"
        );
        let challenge = self.challenge.as_deref().unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{self:?}"
        );
    }

    /// Refused with 401 `invalid_token` for exactly this reason, which the challenge describes.
    #[track_caller]
    pub fn refused(&self, kind: AuthErrorKind) {
        self.refused_any();
        assert_eq!(self.kind.as_ref(), Some(&kind), "{self:?}");
        let expected = format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            AuthError::new(kind).to_string().replace('"', "'")
        );
        assert_eq!(
            self.challenge.as_deref(),
            Some(expected.as_str()),
            "{self:?}"
        );
    }

    /// Refused with 401 `invalid_token` as malformed.
    #[track_caller]
    pub fn refused_malformed(&self) {
        self.refused_any();
        assert!(
            matches!(self.kind, Some(AuthErrorKind::Malformed(_))),
            "{self:?}"
        );
    }

    /// Refused with this status for this reason.
    #[track_caller]
    pub fn assert_refused(&self, status: StatusCode, kind: AuthErrorKind) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.kind, Some(kind), "{self:?}");
    }

    /// Refused with 503 because no key could be had, with a `Retry-After` of a second or more.
    #[track_caller]
    pub fn assert_unavailable(&self) {
        assert_eq!(self.status, StatusCode::SERVICE_UNAVAILABLE, "{self:?}");
        assert!(
            matches!(self.kind, Some(AuthErrorKind::KeysUnavailable { .. })),
            "{self:?}"
        );
        let secs: u64 = self
            .retry_after
            .as_deref()
            .expect("Retry-After")
            .parse()
            .unwrap();
        assert!(secs >= 1, "{self:?}");
    }
}
