//! An MCP server's authorization, end to end: `cargo run --example mcp`.
//!
//! The Model Context Protocol's authorization spec asks an MCP server reached over HTTP to be
//! an OAuth 2.0 protected resource that publishes RFC 9728 metadata: a client that gets a 401
//! reads `resource_metadata` from the challenge, fetches the metadata, learns which
//! authorization server issues tokens for the server, and comes back with a token whose
//! audience is the server's URL.
//!
//! This example starts such a server on a free port of 127.0.0.1 (`POST /mcp`, behind
//! `JwtAuthLayer`, next to its metadata) and plays the client: each step is printed and
//! compared with what is expected, and the process exits with 1 if any differs. The
//! authorization server is the crate's test kit (`tower_jwt_auth::testing::TestServer`), also
//! on loopback: the MCP server finds its keys through its discovery document, and the client
//! gets its tokens from its token endpoint (client credentials, with the RFC 8707 `resource`).

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{Method, Request, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tower_jwt_auth::testing::{TestIssuer, TestServer};
use tower_jwt_auth::{AuthError, Claims, JwtAuthLayer, ResourceMetadata, StandardClaims};

/// The OAuth client the MCP client is registered as at the authorization server.
const CLIENT: (&str, &str) = ("mcp-client", "mcp-client-secret");
/// The scope the MCP tools need.
const SCOPE: &str = "mcp:tools";

type Error = Box<dyn std::error::Error + Send + Sync>;
type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// What the client saw of one response.
struct Seen {
    status: StatusCode,
    challenge: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// Counts the steps that did not go as expected.
#[derive(Default)]
struct Steps {
    failures: usize,
}

impl Steps {
    /// Prints one step, marked `ok` or `FAIL`.
    fn check(&mut self, what: &str, ok: bool, detail: &str) {
        if !ok {
            self.failures += 1;
        }
        let mark = if ok { "ok  " } else { "FAIL" };
        println!("{mark} {what}\n       {detail}");
    }
}

#[tokio::main]
async fn main() -> Result<ExitCode, Error> {
    let authorization_server = TestIssuer::serve().await?;
    authorization_server.add_client(CLIENT.0, CLIENT.1);
    let addr = serve(&authorization_server).await?;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let server_url = format!("http://{addr}/mcp");
    let list_tools = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let mut steps = Steps::default();

    // 1. The client calls the server without a token.
    let seen = send(&client, Method::POST, &server_url, None, list_tools).await?;
    let challenge = seen.challenge.clone().unwrap_or_default();
    let metadata_url = param(&challenge, "resource_metadata");
    steps.check(
        "1. no token: 401, the challenge names the resource metadata",
        seen.status == StatusCode::UNAUTHORIZED && metadata_url.is_some(),
        &format!("{} WWW-Authenticate: {challenge}", seen.status),
    );
    let Some(metadata_url) = metadata_url else {
        println!("cannot go on without the metadata URL");
        return Ok(ExitCode::FAILURE);
    };

    // 2. It reads the metadata, and checks that it describes the server it called.
    let seen = send(&client, Method::GET, &metadata_url, None, "").await?;
    let document: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
    let issuer = document["authorization_servers"][0].as_str().unwrap_or("");
    let scopes: Vec<&str> = document["scopes_supported"]
        .as_array()
        .map(|scopes| scopes.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    steps.check(
        "2. GET the metadata: 200 JSON for this resource, naming its authorization server",
        seen.status == StatusCode::OK
            && seen.content_type.as_deref() == Some("application/json")
            && document["resource"] == server_url.as_str()
            && issuer == authorization_server.issuer()
            && scopes == [SCOPE],
        &format!("{} {metadata_url}\n       {}", seen.status, seen.body),
    );

    // 3. The authorization server issues a token for the resource (its token endpoint, client
    //    credentials), first without the scope the tools need: 403, and the challenge says
    //    which scope.
    let resource = document["resource"].as_str().unwrap_or_default();
    let token = fetch_token(&client, &authorization_server, resource, "profile").await?;
    let seen = send(&client, Method::POST, &server_url, Some(&token), list_tools).await?;
    let challenge = seen.challenge.unwrap_or_default();
    steps.check(
        "3. a token without the tools scope: 403 insufficient_scope, naming the scope",
        seen.status == StatusCode::FORBIDDEN
            && param(&challenge, "error").as_deref() == Some("insufficient_scope")
            && param(&challenge, "scope").as_deref() == Some(SCOPE),
        &format!("{} WWW-Authenticate: {challenge}", seen.status),
    );

    // 4. A token for another audience is refused: the token must name this server.
    let other = "https://other.example/mcp";
    let token = fetch_token(&client, &authorization_server, other, &scopes.join(" ")).await?;
    let seen = send(&client, Method::POST, &server_url, Some(&token), list_tools).await?;
    let challenge = seen.challenge.unwrap_or_default();
    steps.check(
        "4. a token for another audience: 401 invalid_token",
        seen.status == StatusCode::UNAUTHORIZED
            && param(&challenge, "error").as_deref() == Some("invalid_token"),
        &format!("{} WWW-Authenticate: {challenge}", seen.status),
    );

    // 5. With the right audience and the scopes the metadata lists, the call goes through.
    let token = fetch_token(&client, &authorization_server, resource, &scopes.join(" ")).await?;
    let seen = send(&client, Method::POST, &server_url, Some(&token), list_tools).await?;
    steps.check(
        "5. a token for this resource with its scopes: 200",
        seen.status == StatusCode::OK && seen.body.contains("\"tools\""),
        &format!("{} {}", seen.status, seen.body),
    );

    if steps.failures > 0 {
        println!("{} of 5 steps did not go as expected", steps.failures);
        return Ok(ExitCode::FAILURE);
    }
    println!("all 5 steps went as expected");
    Ok(ExitCode::SUCCESS)
}

/// Starts the MCP server on a free port and returns its address.
async fn serve(authorization_server: &TestServer) -> Result<SocketAddr, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // The resource identifier is the URL clients call; tokens must name it as their audience.
    let resource = format!("http://{addr}/mcp");

    let metadata = ResourceMetadata::builder(&resource)
        .authorization_server(authorization_server.issuer())
        .scope(SCOPE)
        .resource_name("Example MCP server")
        .build()?;

    // Keys through the authorization server's discovery document (plain http: loopback only);
    // the layer then also requires `iss` to be that server.
    let keys = authorization_server.remote_keys().build()?;
    keys.refresh().await?;
    let builder = JwtAuthLayer::<StandardClaims>::builder(keys)
        .audience(&resource)
        .resource_metadata(&metadata)
        .check(|claims: &StandardClaims, _| {
            if claims.has_scope(SCOPE) {
                Ok(())
            } else {
                Err(AuthError::insufficient_scope(SCOPE))
            }
        });
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder =
        builder.crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let auth = builder.build()?;

    let app = Router::new()
        .route("/mcp", post(mcp))
        .route_layer(auth)
        // Public: a client reads it before it has a token.
        .route_service(metadata.well_known_path(), metadata.service());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// A stand-in for an MCP endpoint: answers `tools/list` with one tool.
async fn mcp(claims: Claims<StandardClaims>, Json(request): Json<Value>) -> Json<Value> {
    Json(json!({
        "jsonrpc": "2.0",
        "id": request["id"],
        "result": {
            "tools": [{ "name": "whoami", "description": "who the token says you are" }],
            "_meta": { "subject": claims.sub },
        },
    }))
}

/// Sends one request; returns what the client needs of the response.
async fn send(
    client: &HttpClient,
    method: Method,
    url: &str,
    token: Option<&str>,
    body: &'static str,
) -> Result<Seen, Error> {
    let mut request = Request::builder().method(method).uri(url);
    if !body.is_empty() {
        request = request.header(CONTENT_TYPE, "application/json");
    }
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = client
        .request(request.body(Full::new(Bytes::from_static(body.as_bytes())))?)
        .await?;
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, challenge, content_type) = (
        response.status(),
        header(WWW_AUTHENTICATE),
        header(CONTENT_TYPE),
    );
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Seen {
        status,
        challenge,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// The value of `name="..."` in a `WWW-Authenticate: Bearer` challenge (values written by
/// this crate hold no `"`).
fn param(challenge: &str, name: &str) -> Option<String> {
    let params = challenge.strip_prefix("Bearer")?;
    params.split(", ").find_map(|param| {
        let (key, value) = param.trim().split_once('=')?;
        let value = value.strip_prefix('"')?.strip_suffix('"')?;
        (key == name).then(|| value.to_owned())
    })
}

/// An access token from the authorization server's token endpoint for `resource` with
/// `scope`, as an OAuth client gets it: client credentials, HTTP Basic, RFC 8707 `resource`.
async fn fetch_token(
    client: &HttpClient,
    authorization_server: &TestServer,
    resource: &str,
    scope: &str,
) -> Result<String, Error> {
    let form = format!(
        "grant_type=client_credentials&scope={}&resource={}",
        scope.replace(' ', "+"),
        resource.replace(':', "%3A").replace('/', "%2F"),
    );
    let basic = base64_simd::STANDARD.encode_to_string(format!("{}:{}", CLIENT.0, CLIENT.1));
    let request = Request::post(authorization_server.token_url())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(AUTHORIZATION, format!("Basic {basic}"))
        .body(Full::new(Bytes::from(form)))?;
    let response = client.request(request).await?;
    let body = response.into_body().collect().await?.to_bytes();
    let answer: Value = serde_json::from_slice(&body)?;
    match answer["access_token"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => Err(format!("the token endpoint answered {answer}").into()),
    }
}
