//! What a refused request gets back.

use std::time::Duration;

use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::error::{AuthError, AuthErrorKind};

/// The protocol of a request, which decides the shape of its rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protocol {
    /// Plain HTTP: RFC 6750 status codes and `WWW-Authenticate`.
    Http,
    /// gRPC (`content-type: application/grpc` or `application/grpc+<codec>`): HTTP 200,
    /// trailers-only, `grpc-status`.
    Grpc,
}

impl Protocol {
    /// The protocol of a request, from its `content-type`: gRPC for `application/grpc` and
    /// `application/grpc+<codec>` (any case), plain HTTP for anything else, including
    /// look-alikes such as `application/grpc-web` or `application/grpcx`.
    pub fn of(headers: &HeaderMap) -> Self {
        const GRPC: &[u8] = b"application/grpc";
        let Some(value) = headers.get(CONTENT_TYPE).map(HeaderValue::as_bytes) else {
            return Self::Http;
        };
        let is_grpc = value
            .get(..GRPC.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(GRPC))
            && match &value[GRPC.len()..] {
                [] => true,
                [b'+', codec @ ..] => {
                    !codec.is_empty()
                        && codec
                            .iter()
                            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(b))
                }
                _ => false,
            };
        if is_grpc {
            Self::Grpc
        } else {
            Self::Http
        }
    }
}

/// Builds the response for a refused request.
///
/// [`DefaultRejection`] answers in the request's protocol and needs only `ResBody: Default`.
/// Any `Fn(&AuthError, Protocol) -> Response<ResBody>` can replace it, for example to send a
/// JSON body under axum. Whatever it returns, the middleware adds the [`AuthError`] to the
/// response's extensions.
pub trait OnRejection<ResBody>: Send + Sync + 'static {
    /// The response for a request refused for `error`.
    fn on_rejection(&self, error: &AuthError, protocol: Protocol) -> Response<ResBody>;
}

impl<F, ResBody> OnRejection<ResBody> for F
where
    F: Fn(&AuthError, Protocol) -> Response<ResBody> + Send + Sync + 'static,
{
    fn on_rejection(&self, error: &AuthError, protocol: Protocol) -> Response<ResBody> {
        self(error, protocol)
    }
}

/// The standard answers: RFC 6750 for HTTP, `grpc-status` for gRPC, with an empty body.
///
/// | refusal | HTTP | gRPC |
/// | --- | --- | --- |
/// | no token | 401, bare `WWW-Authenticate: Bearer` | 16 `UNAUTHENTICATED` |
/// | two tokens, malformed credentials | 400 `invalid_request` | 16 `UNAUTHENTICATED` |
/// | bad, expired, unverifiable token | 401 `invalid_token` | 16 `UNAUTHENTICATED` |
/// | a check wants a scope | 403 `insufficient_scope` | 7 `PERMISSION_DENIED` |
/// | keys unavailable | 503 with `Retry-After` | 14 `UNAVAILABLE` |
///
/// Reasons, scopes and the realm are cut to 256 characters (marked `...`), whoever wrote
/// them, and only characters a quoted header value may hold are kept.
///
/// With [`resource_metadata`](Self::resource_metadata), every challenge (400, 401 and 403)
/// also names the URL of the resource's RFC 9728 metadata, where a client learns which
/// authorization server to ask for a token.
#[derive(Debug, Clone, Default)]
pub struct DefaultRejection {
    realm: Option<String>,
    resource_metadata: Option<String>,
}

const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// Bytes gRPC wants percent-encoded in `grpc-message`: controls, non-ASCII and `%`.
const GRPC_MESSAGE: &AsciiSet = &CONTROLS.add(b'%');

/// The most characters of a reason, scope or realm a rejection carries, whoever wrote it.
const MAX_REASON_CHARS: usize = 256;

/// `text` cut to [`MAX_REASON_CHARS`], marked with `...` when cut.
fn capped(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_REASON_CHARS) {
        None => text.into(),
        Some((end, _)) => format!("{}...", &text[..end]).into(),
    }
}

/// Keeps only what an RFC 6750 quoted value may hold (no `"` or `\`, visible ASCII and space),
/// at most [`MAX_REASON_CHARS`].
pub(crate) fn quotable(text: &str) -> String {
    capped(text)
        .chars()
        .map(|c| if c == '"' { '\'' } else { c })
        .filter(|c| matches!(c, ' ' | '!' | '#'..='[' | ']'..='~'))
        .collect()
}

impl DefaultRejection {
    /// The default answers, without a realm.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the protection space in `WWW-Authenticate` (`realm="..."`).
    #[must_use]
    pub fn realm(mut self, realm: &str) -> Self {
        self.realm = Some(quotable(realm));
        self
    }

    /// Names the URL of the resource's protected resource metadata in `WWW-Authenticate`
    /// (`resource_metadata="..."`, RFC 9728 §5.1), usually
    /// [`ResourceMetadata::metadata_url`](crate::ResourceMetadata::metadata_url).
    ///
    /// It goes on every challenge: 401 (no token, a refused token), where clients such as MCP
    /// clients look for it to start authorization, and also 400 `invalid_request` and 403
    /// `insufficient_scope`, where it tells a client where to ask for a better token. A 503
    /// has no challenge, so no URL. The URL is quoted as the realm is (cut to 256 characters,
    /// `"` and `\` dropped); `ResourceMetadata` refuses a URL that would not survive that.
    #[must_use]
    pub fn resource_metadata(mut self, url: &str) -> Self {
        self.resource_metadata = Some(quotable(url));
        self
    }

    /// The `WWW-Authenticate` value for an HTTP refusal.
    pub fn challenge(&self, error: &AuthError) -> String {
        let mut params = Vec::new();
        if let Some(realm) = &self.realm {
            params.push(format!("realm=\"{realm}\""));
        }
        if let Some(url) = &self.resource_metadata {
            params.push(format!("resource_metadata=\"{url}\""));
        }
        if let Some(code) = error.error_code() {
            params.push(format!("error=\"{code}\""));
            params.push(format!(
                "error_description=\"{}\"",
                quotable(&error.to_string())
            ));
        }
        if let AuthErrorKind::InsufficientScope { scope: Some(scope) } = error.kind() {
            params.push(format!("scope=\"{}\"", quotable(scope)));
        }
        if params.is_empty() {
            "Bearer".to_owned()
        } else {
            format!("Bearer {}", params.join(", "))
        }
    }
}

impl<ResBody: Default> OnRejection<ResBody> for DefaultRejection {
    fn on_rejection(&self, error: &AuthError, protocol: Protocol) -> Response<ResBody> {
        let mut response = Response::new(ResBody::default());
        if protocol == Protocol::Http {
            *response.status_mut() = error.status();
        }
        let headers = response.headers_mut();
        match protocol {
            Protocol::Grpc => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
                headers.insert(
                    "grpc-status",
                    HeaderValue::from(u16::from(error.grpc_code())),
                );
                let reason = error.to_string();
                let message = utf8_percent_encode(&capped(&reason), GRPC_MESSAGE).to_string();
                if let Ok(value) = HeaderValue::try_from(message) {
                    headers.insert("grpc-message", value);
                }
            }
            Protocol::Http => {
                if let AuthErrorKind::KeysUnavailable { retry_after } = error.kind() {
                    let secs = retry_after.unwrap_or(DEFAULT_RETRY_AFTER).as_secs().max(1);
                    headers.insert(RETRY_AFTER, HeaderValue::from(secs));
                } else if let Ok(value) = HeaderValue::try_from(self.challenge(error)) {
                    headers.insert(WWW_AUTHENTICATE, value);
                }
            }
        }
        debug_assert!(protocol == Protocol::Grpc || response.status() != StatusCode::OK);
        response
    }
}

/// A refusal as an axum response, for handlers that authorize on their own: RFC 6750 (status,
/// `WWW-Authenticate`), with the [`AuthError`] in the response's extensions.
///
/// ```
/// use tower_jwt_auth::{AuthError, Grants, Require};
///
/// async fn cancel(grants: Grants) -> Result<&'static str, AuthError> {
///     Require::scope("orders:write").check(&grants)?;
///     Ok("cancelled")
/// }
/// # let _: axum::routing::MethodRouter = axum::routing::post(cancel);
/// ```
#[cfg(feature = "axum")]
impl axum_core::response::IntoResponse for AuthError {
    fn into_response(self) -> axum_core::response::Response {
        let mut response: axum_core::response::Response =
            DefaultRejection::new().on_rejection(&self, Protocol::Http);
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(error: AuthError, rejection: &DefaultRejection) -> Response<()> {
        rejection.on_rejection(&error, Protocol::Http)
    }

    #[test]
    fn missing_token_gets_a_bare_challenge() {
        let r = http(AuthErrorKind::MissingToken.into(), &DefaultRejection::new());
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer");
        let r = http(
            AuthErrorKind::MissingToken.into(),
            &DefaultRejection::new().realm("my \"api\""),
        );
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer realm=\"my 'api'\"");
    }

    #[test]
    fn invalid_token_and_scope() {
        let r = http(
            AuthErrorKind::InvalidSignature.into(),
            &DefaultRejection::new(),
        );
        assert_eq!(
            r.headers()[WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\", error_description=\"token signature is invalid\""
        );
        let r = http(
            AuthError::insufficient_scope("admin"),
            &DefaultRejection::new(),
        );
        assert_eq!(r.status(), 403);
        assert!(r.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .ends_with("scope=\"admin\""));
        let r = http(
            AuthErrorKind::KeysUnavailable { retry_after: None }.into(),
            &DefaultRejection::new(),
        );
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()[RETRY_AFTER], "30");
    }

    #[test]
    fn resource_metadata_on_every_challenge() {
        const URL: &str = "https://api.example/.well-known/oauth-protected-resource/mcp";
        let rejection = DefaultRejection::new().resource_metadata(URL);
        let r = http(AuthErrorKind::MissingToken.into(), &rejection);
        assert_eq!(
            r.headers()[WWW_AUTHENTICATE],
            format!("Bearer resource_metadata=\"{URL}\"")
        );
        let r = http(AuthErrorKind::InvalidSignature.into(), &rejection);
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()[WWW_AUTHENTICATE],
            format!(
                "Bearer resource_metadata=\"{URL}\", error=\"invalid_token\", \
                 error_description=\"token signature is invalid\""
            )
        );
        let r = http(AuthError::insufficient_scope("admin"), &rejection);
        assert_eq!(r.status(), 403);
        assert!(r.headers()[WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .contains(&format!("resource_metadata=\"{URL}\"")));
        let r = http(
            AuthErrorKind::KeysUnavailable { retry_after: None }.into(),
            &rejection,
        );
        assert!(r.headers().get(WWW_AUTHENTICATE).is_none());
        let r = http(
            AuthErrorKind::MissingToken.into(),
            &DefaultRejection::new()
                .realm("api")
                .resource_metadata("https://a.example/\"x\""),
        );
        assert_eq!(
            r.headers()[WWW_AUTHENTICATE],
            "Bearer realm=\"api\", resource_metadata=\"https://a.example/'x'\""
        );
    }

    #[test]
    fn grpc_form() {
        let r: Response<()> = DefaultRejection::new()
            .on_rejection(&AuthError::rejected("100% \"no\""), Protocol::Grpc);
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["grpc-status"], "16");
        assert_eq!(r.headers()["grpc-message"], "token refused: 100%25 \"no\"");
    }

    #[test]
    fn protocol_from_content_type() {
        let mut h = HeaderMap::new();
        assert_eq!(Protocol::of(&h), Protocol::Http);
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/grpc+proto"),
        );
        assert_eq!(Protocol::of(&h), Protocol::Grpc);
    }
}
