//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client which
//! authorization servers issue tokens for this resource, and the service that serves it.

use std::convert::Infallible;
use std::fmt;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::{ALLOW, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE};
use http::uri::Authority;
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri};
use serde::Serialize;
use tower_service::Service;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::once::SetOnce;
use crate::rejection::quotable;

/// The well-known path suffix of RFC 9728 §3.
pub const METADATA_WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// How long clients may cache the document by default: one hour.
pub const DEFAULT_METADATA_MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The bearer methods of RFC 6750 a document may name.
const BEARER_METHODS: [&str; 3] = ["header", "body", "query"];

/// The protected resource metadata of RFC 9728: what a client reads to learn where to get a
/// token for this resource.
///
/// Made by [`ResourceMetadata::builder`], which checks every URL; once built, the JSON
/// document, its well-known path and its URL are fixed. It serializes (serde) to the RFC 9728
/// document, absent members left out. [`service`](Self::service) serves it, and
/// [`JwtAuthBuilder::resource_metadata`](crate::JwtAuthBuilder::resource_metadata) points the
/// layer's 401 challenges at it (`resource_metadata="..."`), which is how MCP clients find it.
///
/// ```
/// use axum::Router;
/// use tower_jwt_auth::ResourceMetadata;
///
/// # fn main() -> Result<(), tower_jwt_auth::ConfigError> {
/// let metadata = ResourceMetadata::builder("https://api.example/mcp")
///     .authorization_server("https://idp.example")
///     .scope("tools:read")
///     .resource_name("Example MCP server")
///     .build()?;
/// assert_eq!(metadata.well_known_path(), "/.well-known/oauth-protected-resource/mcp");
/// assert_eq!(
///     metadata.metadata_url(),
///     "https://api.example/.well-known/oauth-protected-resource/mcp"
/// );
/// let app: Router = Router::new().route_service(metadata.well_known_path(), metadata.service());
/// # Ok(()) }
/// ```
#[derive(Clone, Serialize)]
pub struct ResourceMetadata {
    resource: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authorization_servers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scopes_supported: Vec<String>,
    bearer_methods_supported: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_documentation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_policy_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_tos_uri: Option<String>,
    #[serde(skip)]
    well_known_path: String,
    #[serde(skip)]
    metadata_url: String,
    /// The JSON document, written once by `build`.
    #[serde(skip)]
    document: Arc<str>,
}

impl fmt::Debug for ResourceMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceMetadata")
            .field("metadata_url", &self.metadata_url)
            .field("document", &self.document)
            .finish()
    }
}

/// Configures a [`ResourceMetadata`]; [`build`](Self::build) checks it.
///
/// List members add up (`authorization_server`, `scope`, `bearer_method`, a repeat is kept
/// once); a member that holds one value (`resource_name`, `jwks_uri`, ...) makes `build` fail
/// when it is set twice.
#[must_use]
#[derive(Debug)]
pub struct ResourceMetadataBuilder {
    resource: String,
    authorization_servers: Vec<String>,
    jwks_uri: Option<String>,
    scopes: Vec<String>,
    /// `None` until a method is named: the default is `["header"]`.
    bearer_methods: Option<Vec<String>>,
    resource_name: Option<String>,
    resource_documentation: Option<String>,
    resource_policy_uri: Option<String>,
    resource_tos_uri: Option<String>,
    once: SetOnce,
}

fn push_new(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

impl ResourceMetadata {
    /// Starts describing the protected resource identified by `resource`: an `https` URL
    /// without fragment, the URL clients use for the resource (and the audience its tokens
    /// should carry). Plain `http` is accepted for loopback hosts only (`127.0.0.1`,
    /// `localhost`, `[::1]`), for tests.
    pub fn builder(resource: impl Into<String>) -> ResourceMetadataBuilder {
        ResourceMetadataBuilder {
            resource: resource.into(),
            authorization_servers: Vec::new(),
            jwks_uri: None,
            scopes: Vec::new(),
            bearer_methods: None,
            resource_name: None,
            resource_documentation: None,
            resource_policy_uri: None,
            resource_tos_uri: None,
            once: SetOnce::default(),
        }
    }

    /// The resource identifier (`resource`), as given to [`builder`](Self::builder).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The issuers of the authorization servers (`authorization_servers`), in the order added.
    pub fn authorization_servers(&self) -> &[String] {
        &self.authorization_servers
    }

    /// The scopes named in the document (`scopes_supported`), in the order added.
    pub fn scopes_supported(&self) -> &[String] {
        &self.scopes_supported
    }

    /// The path to serve the document at (RFC 9728 §3.1): `/.well-known/oauth-protected-resource`
    /// followed by the resource's path, if it has one (`https://api.example/mcp` gives
    /// `/.well-known/oauth-protected-resource/mcp`).
    pub fn well_known_path(&self) -> &str {
        &self.well_known_path
    }

    /// The URL of the document: the resource's scheme and authority, the
    /// [`well_known_path`](Self::well_known_path), and the resource's query if it has one. This
    /// is the `resource_metadata` of the `WWW-Authenticate` challenges.
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The JSON document, as served.
    pub fn to_json(&self) -> &str {
        &self.document
    }

    /// A Tower service that serves the document: `GET` and `HEAD` get `200 application/json`
    /// with `Cache-Control: max-age=3600`, other methods `405`. It answers whatever the path;
    /// mount it at [`well_known_path`](Self::well_known_path).
    pub fn service(&self) -> MetadataService {
        MetadataService {
            document: self.document.clone(),
            cache_control: cache_control(DEFAULT_METADATA_MAX_AGE),
        }
    }
}

impl ResourceMetadataBuilder {
    /// Adds an authorization server, by its issuer URL (`authorization_servers`): `https`,
    /// without query or fragment (`http` for loopback hosts only). Call again to add more.
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        push_new(&mut self.authorization_servers, issuer.into());
        self
    }

    /// Adds a scope clients may request for this resource (`scopes_supported`). Call again to
    /// add more.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        push_new(&mut self.scopes, scope.into());
        self
    }

    /// Adds these scopes, in order: the same as calling [`scope`](Self::scope) for each.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        for scope in scopes {
            self = self.scope(scope);
        }
        self
    }

    /// Names a way this resource accepts a bearer token (`bearer_methods_supported`):
    /// `"header"`, `"body"` or `"query"` (RFC 6750). Without a call the document says
    /// `["header"]`, what the layer reads by default; the first call replaces that default,
    /// further calls add.
    pub fn bearer_method(mut self, method: impl Into<String>) -> Self {
        push_new(
            self.bearer_methods.get_or_insert_with(Vec::new),
            method.into(),
        );
        self
    }

    /// A human-readable name of the resource (`resource_name`).
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.once.set("resource_name");
        self.resource_name = Some(name.into());
        self
    }

    /// The URL of documentation for developers (`resource_documentation`).
    pub fn resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.once.set("resource_documentation");
        self.resource_documentation = Some(url.into());
        self
    }

    /// The URL of the resource's policy on how clients may use its data
    /// (`resource_policy_uri`).
    pub fn resource_policy_uri(mut self, url: impl Into<String>) -> Self {
        self.once.set("resource_policy_uri");
        self.resource_policy_uri = Some(url.into());
        self
    }

    /// The URL of the resource's terms of service (`resource_tos_uri`).
    pub fn resource_tos_uri(mut self, url: impl Into<String>) -> Self {
        self.once.set("resource_tos_uri");
        self.resource_tos_uri = Some(url.into());
        self
    }

    /// The URL of the resource's own JWK Set (`jwks_uri`), for resources that sign responses:
    /// `https` (`http` for loopback hosts only).
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.once.set("jwks_uri");
        self.jwks_uri = Some(url.into());
        self
    }

    /// Checks every member and writes the document.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] of kind [`InvalidSetting`](ConfigErrorKind::InvalidSetting) when: the
    /// resource is not an absolute `https` URL (plain `http` only for `127.0.0.1`,
    /// `localhost` and `[::1]`), has a fragment or user information, or makes a metadata URL
    /// that cannot be quoted whole in a `WWW-Authenticate` challenge (more than 256
    /// characters, or a `"` or `\`); an authorization server or `jwks_uri` fails the same
    /// rules, or an authorization server has a query; a documentation, policy or terms URL is
    /// not an absolute `http(s)` URL; a scope is empty or holds a space, `"` or `\`; a bearer
    /// method is not `header`, `body` or `query`; or a single-value member is set twice.
    pub fn build(self) -> Result<ResourceMetadata, ConfigError> {
        self.once.check()?;
        let resource = parse_url("the resource", &self.resource, Secure::Required)?;
        for issuer in &self.authorization_servers {
            let uri = parse_url("the authorization server", issuer, Secure::Required)?;
            if uri.query().is_some() {
                return Err(invalid(format!(
                    "the authorization server `{}` has a query: an issuer URL has none",
                    quotable(issuer)
                )));
            }
        }
        if let Some(url) = &self.jwks_uri {
            parse_url("the jwks_uri", url, Secure::Required)?;
        }
        for (what, url) in [
            ("the resource_documentation", &self.resource_documentation),
            ("the resource_policy_uri", &self.resource_policy_uri),
            ("the resource_tos_uri", &self.resource_tos_uri),
        ] {
            if let Some(url) = url {
                parse_url(what, url, Secure::Optional)?;
            }
        }
        for scope in &self.scopes {
            // RFC 6749 §3.3: a scope token is visible ASCII but `"` and `\`.
            let fine = |c: char| c == '!' || matches!(c, '#'..='[' | ']'..='~');
            if scope.is_empty() || !scope.chars().all(fine) {
                return Err(invalid(format!(
                    "the scope `{}` is empty or holds a space, `\"`, `\\` or a character \
                     that is not visible ASCII",
                    quotable(scope)
                )));
            }
        }
        let bearer_methods = self
            .bearer_methods
            .unwrap_or_else(|| vec!["header".to_owned()]);
        if let Some(method) = bearer_methods
            .iter()
            .find(|m| !BEARER_METHODS.contains(&m.as_str()))
        {
            return Err(invalid(format!(
                "the bearer method `{}` is none of `header`, `body`, `query`",
                quotable(method)
            )));
        }

        let path = match resource.path() {
            "" | "/" => "",
            path => path,
        };
        let well_known_path = format!("{METADATA_WELL_KNOWN_PATH}{path}");
        let authority = resource.authority().map_or("", Authority::as_str);
        let scheme = if resource.scheme() == Some(&http::uri::Scheme::HTTPS) {
            "https"
        } else {
            "http"
        };
        let metadata_url = match resource.query() {
            Some(query) => format!("{scheme}://{authority}{well_known_path}?{query}"),
            None => format!("{scheme}://{authority}{well_known_path}"),
        };
        if quotable(&metadata_url) != metadata_url {
            return Err(invalid(format!(
                "the metadata URL `{}` cannot be quoted whole in a WWW-Authenticate challenge: \
                 keep it under 256 characters, without `\"` or `\\`",
                quotable(&metadata_url)
            )));
        }

        let mut metadata = ResourceMetadata {
            resource: self.resource,
            authorization_servers: self.authorization_servers,
            jwks_uri: self.jwks_uri,
            scopes_supported: self.scopes,
            bearer_methods_supported: bearer_methods,
            resource_name: self.resource_name,
            resource_documentation: self.resource_documentation,
            resource_policy_uri: self.resource_policy_uri,
            resource_tos_uri: self.resource_tos_uri,
            well_known_path,
            metadata_url,
            document: Arc::from(""),
        };
        let document = serde_json::to_string(&metadata)
            .map_err(|e| invalid(format!("the metadata cannot be written as JSON: {e}")))?;
        metadata.document = Arc::from(document);
        Ok(metadata)
    }
}

fn invalid(message: String) -> ConfigError {
    ConfigError::new(ConfigErrorKind::InvalidSetting, message)
}

/// Whether a URL must be `https`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Secure {
    /// `https`, or `http` on a loopback host.
    Required,
    /// `https` or `http`.
    Optional,
}

/// `url` as an absolute `http(s)` URL with a host, no user information and no fragment.
fn parse_url(what: &str, url: &str, secure: Secure) -> Result<Uri, ConfigError> {
    let shown = quotable(url);
    let refuse = |why: &str| Err(invalid(format!("{what} `{shown}` {why}")));
    if url.contains('#') {
        return refuse("has a fragment");
    }
    let Ok(uri) = url.parse::<Uri>() else {
        return refuse("is not a URL");
    };
    let (Some(_), Some(authority)) = (uri.scheme(), uri.authority()) else {
        return refuse("is not an absolute URL");
    };
    if authority.as_str().contains('@') {
        return refuse("has user information");
    }
    if authority.host().is_empty() {
        return refuse("has no host");
    }
    let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
    let http = uri.scheme() == Some(&http::uri::Scheme::HTTP);
    match secure {
        _ if https => Ok(uri),
        Secure::Optional if http => Ok(uri),
        Secure::Required if http && is_loopback(authority.host()) => Ok(uri),
        Secure::Required => refuse("is not https (plain http is for 127.0.0.1, localhost, [::1])"),
        Secure::Optional => refuse("is not an http or https URL"),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host == "[::1]" || host.eq_ignore_ascii_case("localhost")
}

fn cache_control(max_age: Duration) -> HeaderValue {
    // Digits after `max-age=`: always a valid header value.
    HeaderValue::try_from(format!("max-age={}", max_age.as_secs()))
        .unwrap_or(HeaderValue::from_static("max-age=3600"))
}

/// Serves a [`ResourceMetadata`] document; made by [`ResourceMetadata::service`].
///
/// `GET` and `HEAD` get `200` with `Content-Type: application/json` and `Cache-Control:
/// max-age=3600` ([`max_age`](Self::max_age) changes it; `HEAD` without the body); any other
/// method gets `405` with `Allow: GET, HEAD`. The path is not looked at. The response body is a
/// `String`, which axum's `Router::route_service` takes as it is; for another body type, map
/// the response (`tower::ServiceExt::map_response`).
///
/// Browser clients on another origin need CORS headers on this route (tower-http's
/// `CorsLayer`, for example); the service adds none.
#[derive(Clone)]
pub struct MetadataService {
    document: Arc<str>,
    cache_control: HeaderValue,
}

impl fmt::Debug for MetadataService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataService")
            .field("cache_control", &self.cache_control)
            .finish_non_exhaustive()
    }
}

impl MetadataService {
    /// How long clients may cache the document (`Cache-Control: max-age`, in whole seconds;
    /// one hour by default).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.cache_control = cache_control(max_age);
        self
    }
}

impl<B> Service<Request<B>> for MetadataService {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let method = request.method();
        let response = if method == Method::GET || method == Method::HEAD {
            let body = if method == Method::GET {
                self.document.to_string()
            } else {
                String::new()
            };
            let mut response = Response::new(body);
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(CONTENT_LENGTH, HeaderValue::from(self.document.len()));
            headers.insert(CACHE_CONTROL, self.cache_control.clone());
            response
        } else {
            let mut response = Response::new(String::new());
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            response
        };
        ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(resource: &str) -> ResourceMetadata {
        ResourceMetadata::builder(resource).build().unwrap()
    }

    fn refused(builder: ResourceMetadataBuilder) -> String {
        let error = builder.build().unwrap_err();
        assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting);
        error.to_string()
    }

    #[test]
    fn well_known_path_goes_before_the_resource_path() {
        for root in ["https://api.example", "https://api.example/"] {
            let m = built(root);
            assert_eq!(m.well_known_path(), "/.well-known/oauth-protected-resource");
            assert_eq!(
                m.metadata_url(),
                "https://api.example/.well-known/oauth-protected-resource"
            );
        }
        let m = built("https://api.example:8443/tenant/mcp");
        assert_eq!(
            m.well_known_path(),
            "/.well-known/oauth-protected-resource/tenant/mcp"
        );
        assert_eq!(
            m.metadata_url(),
            "https://api.example:8443/.well-known/oauth-protected-resource/tenant/mcp"
        );
        let m = built("https://api.example/v1?tenant=a");
        assert_eq!(
            m.well_known_path(),
            "/.well-known/oauth-protected-resource/v1"
        );
        assert_eq!(
            m.metadata_url(),
            "https://api.example/.well-known/oauth-protected-resource/v1?tenant=a"
        );
        // The resource stays as given, the URL takes the scheme in lower case.
        let m = built("HTTPS://api.example/x");
        assert_eq!(m.resource(), "HTTPS://api.example/x");
        assert_eq!(
            m.metadata_url(),
            "https://api.example/.well-known/oauth-protected-resource/x"
        );
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for resource in [
            "http://127.0.0.1:8080",
            "http://localhost/mcp",
            "http://LOCALHOST:1",
            "http://[::1]:3000/mcp",
        ] {
            assert!(
                ResourceMetadata::builder(resource).build().is_ok(),
                "{resource}"
            );
        }
        let m = built("http://[::1]:3000/mcp");
        assert_eq!(
            m.metadata_url(),
            "http://[::1]:3000/.well-known/oauth-protected-resource/mcp"
        );
        for resource in [
            "http://api.example",
            "http://127.0.0.2",
            "http://localhost.evil",
        ] {
            let why = refused(ResourceMetadata::builder(resource));
            assert!(why.contains("is not https"), "{why}");
        }
    }

    #[test]
    fn bad_resources_are_refused() {
        let cases = [
            ("https://api.example/mcp#top", "has a fragment"),
            ("https://api.example/#", "has a fragment"),
            ("https://ann@api.example/mcp", "has user information"),
            ("/mcp", "is not an absolute URL"),
            ("api.example", "is not an absolute URL"),
            ("", "is not a URL"),
            ("ftp://api.example/x", "is not https"),
            ("https://api.example/a b", "is not a URL"),
        ];
        for (resource, why) in cases {
            let message = refused(ResourceMetadata::builder(resource));
            assert!(message.starts_with("the resource"), "{message}");
            assert!(message.contains(why), "{resource}: {message}");
        }
        let long = format!("https://api.example/{}", "a".repeat(300));
        let message = refused(ResourceMetadata::builder(long));
        assert!(message.contains("cannot be quoted whole"), "{message}");
        let message = refused(ResourceMetadata::builder("https://api.example/\"x\""));
        assert!(
            message.contains("cannot be quoted whole") || message.contains("is not a URL"),
            "{message}"
        );
    }

    #[test]
    fn bad_members_are_refused() {
        let builder = || ResourceMetadata::builder("https://api.example/mcp");
        let cases = [
            (
                builder().authorization_server("http://idp.example"),
                "the authorization server `http://idp.example` is not https",
            ),
            (
                builder().authorization_server("https://idp.example?x=1"),
                "has a query",
            ),
            (
                builder().authorization_server("https://idp.example/#f"),
                "has a fragment",
            ),
            (
                builder().jwks_uri("http://api.example/jwks"),
                "is not https",
            ),
            (
                builder().resource_documentation("docs.html"),
                "the resource_documentation `docs.html` is not an absolute URL",
            ),
            (builder().resource_tos_uri("ftp://a.example"), "not an http"),
            (builder().scope("read write"), "the scope `read write`"),
            (builder().scope(""), "the scope ``"),
            (builder().scope("a\"b"), "the scope"),
            (
                builder().bearer_method("cookie"),
                "the bearer method `cookie`",
            ),
            (
                builder().resource_name("a").resource_name("b"),
                "`resource_name` is set twice",
            ),
        ];
        for (builder, why) in cases {
            let message = refused(builder);
            assert!(message.contains(why), "{why}: {message}");
        }
        // Documentation may be plain http anywhere; it is not a security boundary.
        assert!(builder()
            .resource_documentation("http://docs.example/api")
            .build()
            .is_ok());
    }

    #[test]
    fn the_document_has_the_members_set_and_no_others() {
        let m = built("https://api.example/mcp");
        assert_eq!(
            m.to_json(),
            r#"{"resource":"https://api.example/mcp","bearer_methods_supported":["header"]}"#
        );
        let m = ResourceMetadata::builder("https://api.example/mcp")
            .authorization_server("https://idp.example")
            .authorization_server("https://other.example/realms/x")
            .authorization_server("https://idp.example")
            .scopes(["tools:read", "tools:call"])
            .scope("tools:read")
            .bearer_method("header")
            .bearer_method("body")
            .resource_name("Example \"MCP\"")
            .resource_documentation("https://api.example/docs")
            .resource_policy_uri("https://api.example/policy")
            .resource_tos_uri("https://api.example/tos")
            .jwks_uri("https://api.example/jwks.json")
            .build()
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(m.to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "resource": "https://api.example/mcp",
                "authorization_servers": ["https://idp.example", "https://other.example/realms/x"],
                "jwks_uri": "https://api.example/jwks.json",
                "scopes_supported": ["tools:read", "tools:call"],
                "bearer_methods_supported": ["header", "body"],
                "resource_name": "Example \"MCP\"",
                "resource_documentation": "https://api.example/docs",
                "resource_policy_uri": "https://api.example/policy",
                "resource_tos_uri": "https://api.example/tos",
            })
        );
        assert_eq!(serde_json::to_string(&m).unwrap(), m.to_json());
        assert_eq!(m.authorization_servers().len(), 2);
        assert_eq!(m.scopes_supported(), ["tools:read", "tools:call"]);
    }

    fn call(service: &mut MetadataService, method: Method) -> Response<String> {
        let request = Request::builder().method(method).body(()).unwrap();
        match service.call(request).into_inner() {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    #[test]
    fn the_service_answers_get_and_head_only() {
        let m = built("https://api.example/mcp");
        let mut service = m.service();
        let get = call(&mut service, Method::GET);
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(get.headers()[CACHE_CONTROL], "max-age=3600");
        assert_eq!(get.headers()[CONTENT_LENGTH], m.to_json().len().to_string());
        assert_eq!(get.body(), m.to_json());

        let head = call(
            &mut service.clone().max_age(Duration::from_secs(60)),
            Method::HEAD,
        );
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(head.headers()[CACHE_CONTROL], "max-age=60");
        assert_eq!(
            head.headers()[CONTENT_LENGTH],
            m.to_json().len().to_string()
        );
        assert!(head.body().is_empty());

        for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
            let response = call(&mut service, method);
            assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(response.headers()[ALLOW], "GET, HEAD");
            assert!(response.body().is_empty());
        }
    }
}
