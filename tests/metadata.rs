//! RFC 9728 protected resource metadata: a real axum server whose 401 challenges name the
//! metadata URL, which serves the document a client reads before it asks for a token; and the
//! builder's rules for the setting.

mod support;

use std::net::SocketAddr;

use axum::body::Body;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use axum::http::{Method, Request, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};
use support::*;
use tower::ServiceExt as _;
use tower_jwt_auth::{
    AuthError, Claims, DefaultRejection, OnRejection, Protocol, ResourceMetadata,
};

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

async fn me(Claims(claims): Claims<TestClaims>) -> String {
    format!("hello {}", claims.sub)
}

/// Sends `method url` with an optional bearer token; returns the head and the body as text.
async fn fetch(
    client: &HttpClient,
    method: Method,
    url: &str,
    token: Option<&str>,
) -> (Response<()>, String) {
    let mut request = Request::builder().method(method).uri(url);
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = client
        .request(request.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        Response::from_parts(parts, ()),
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

/// Starts, on a free loopback port, `/mcp` behind a layer whose audience is the resource
/// `http://<addr>` and whose challenges name its metadata, next to the metadata route.
async fn serve() -> (SocketAddr, ResourceMetadata) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let resource = format!("http://{addr}");
    let metadata = ResourceMetadata::builder(&resource)
        .authorization_server(ISSUER)
        .scopes(["tools:read", "tools:call"])
        .resource_name("test MCP server")
        .build()
        .unwrap();
    let auth = builder::<TestClaims, _>(rs256_keys())
        .issuer(ISSUER)
        .audience(&resource)
        .resource_metadata(&metadata)
        .build()
        .unwrap();
    let app = Router::new()
        .route("/mcp", get(me))
        .route_layer(auth)
        .route_service(metadata.well_known_path(), metadata.service());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, metadata)
}

#[tokio::test]
async fn a_client_finds_the_metadata_from_the_401_and_gets_in_with_the_right_audience() {
    let (addr, metadata) = serve().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let metadata_url = format!("http://{addr}/.well-known/oauth-protected-resource");
    assert_eq!(metadata.metadata_url(), metadata_url);

    // 1. No token: 401, and the challenge says where the metadata is.
    let (head, _) = fetch(&client, Method::GET, &format!("http://{addr}/mcp"), None).await;
    assert_eq!(head.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        head.headers()[WWW_AUTHENTICATE],
        format!("Bearer resource_metadata=\"{metadata_url}\"")
    );

    // 2. The metadata: the resource, its authorization server, its scopes.
    let (head, body) = fetch(&client, Method::GET, &metadata_url, None).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(head.headers()[CACHE_CONTROL], "max-age=3600");
    let document: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        document,
        json!({
            "resource": format!("http://{addr}"),
            "authorization_servers": [ISSUER],
            "scopes_supported": ["tools:read", "tools:call"],
            "bearer_methods_supported": ["header"],
            "resource_name": "test MCP server",
        })
    );
    let (head, body) = fetch(&client, Method::HEAD, &metadata_url, None).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        head.headers()[CONTENT_LENGTH],
        metadata.to_json().len().to_string()
    );
    assert!(body.is_empty());
    let (head, _) = fetch(&client, Method::POST, &metadata_url, None).await;
    assert_eq!(head.status(), StatusCode::METHOD_NOT_ALLOWED);

    // 3. A token for another audience: still 401, still pointing at the metadata.
    let (head, _) = fetch(
        &client,
        Method::GET,
        &format!("http://{addr}/mcp"),
        Some(&mint(Algorithm::RS256, &TestClaims::valid())),
    )
    .await;
    assert_eq!(head.status(), StatusCode::UNAUTHORIZED);
    let challenge = head.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(
        challenge.contains(&format!("resource_metadata=\"{metadata_url}\"")),
        "{challenge}"
    );

    // 4. A token for the resource, from the authorization server the metadata names.
    let claims = TestClaims {
        aud: Some(document["resource"].as_str().unwrap().to_owned()),
        iss: Some(
            document["authorization_servers"][0]
                .as_str()
                .unwrap()
                .into(),
        ),
        ..TestClaims::valid()
    };
    let token = mint(Algorithm::RS256, &claims);
    let (head, body) = fetch(
        &client,
        Method::GET,
        &format!("http://{addr}/mcp"),
        Some(&token),
    )
    .await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(body, "hello ann");
}

#[tokio::test]
async fn a_resource_with_a_path_is_served_under_the_well_known_prefix() {
    let metadata = ResourceMetadata::builder("https://api.example/tenant/mcp")
        .authorization_server("https://idp.example")
        .build()
        .unwrap();
    let app: Router = Router::new().route_service(metadata.well_known_path(), metadata.service());
    let request = Request::get("/.well-known/oauth-protected-resource/tenant/mcp")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let document: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(document["resource"], "https://api.example/tenant/mcp");
    let request = Request::get("/.well-known/oauth-protected-resource")
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn insufficient_scope_names_the_metadata_too() {
    let metadata = ResourceMetadata::builder("https://api.example")
        .build()
        .unwrap();
    let layer = strict_builder(rs256_keys())
        .realm("api")
        .resource_metadata(&metadata)
        .check(require_admin)
        .build()
        .unwrap();
    let (response, calls) = through(
        &layer,
        bearer(&mint(Algorithm::RS256, &TestClaims::valid())),
    )
    .await;
    assert_eq!((response.status(), calls), (StatusCode::FORBIDDEN, 0));
    assert_eq!(
        challenge(&response),
        "Bearer realm=\"api\", \
         resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\", \
         error=\"insufficient_scope\", error_description=\"token lacks the scope `admin`\", \
         scope=\"admin\""
    );
}

#[test]
fn resource_metadata_set_twice_is_refused() {
    let a = ResourceMetadata::builder("https://a.example")
        .build()
        .unwrap();
    let b = ResourceMetadata::builder("https://b.example")
        .build()
        .unwrap();
    let result = strict_builder(rs256_keys())
        .resource_metadata(&a)
        .resource_metadata(&b)
        .build();
    let error = result.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`resource_metadata` is set twice"),
        "{error}"
    );
    assert!(strict_builder(rs256_keys())
        .resource_metadata(&a)
        .build()
        .is_ok());
}

#[test]
fn on_rejection_after_resource_metadata_is_refused_rather_than_dropping_it() {
    let metadata = ResourceMetadata::builder("https://api.example")
        .build()
        .unwrap();
    let custom = |error: &AuthError, protocol: Protocol| -> Response<String> {
        DefaultRejection::new().on_rejection(error, protocol)
    };
    let result = strict_builder(rs256_keys())
        .resource_metadata(&metadata)
        .on_rejection(custom)
        .build();
    let Err(error) = result else {
        panic!("build() must refuse");
    };
    assert!(
        error.to_string().contains("`resource_metadata` configured"),
        "{error}"
    );
}
