//! The layer inside a real axum `Router`: `layer` and `route_layer`, the `Claims` extractor,
//! optional mode, custom rejections, checks, token sources and refused tokens.

mod support;

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, WWW_AUTHENTICATE};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde::Deserialize;
use support::*;
use tower_jwt_auth::{
    AuthError, AuthErrorKind, Claims, ClaimsRejection, JwtAuthLayer, Protocol, StaticKeys,
    TokenSource,
};

/// A valid RS256 token for `TestClaims::valid()`.
fn valid_token() -> String {
    mint(Algorithm::RS256, &TestClaims::valid())
}

/// A handler that greets the token's subject.
async fn me(Claims(claims): Claims<TestClaims>) -> String {
    format!("hello {}", claims.sub)
}

async fn body_text(response: Response) -> String {
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Asserts a 401 `invalid_token` refusal, with its description and reason.
fn assert_invalid_token(response: &Response, description: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(response),
        format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
    );
}

// --- Router::layer and Router::route_layer ---

#[tokio::test]
async fn router_layer_protects_routes_and_fallback() {
    let app = Router::new().route("/me", get(me)).layer(rs256_layer());

    let response = send(&app, get_with::<Body>("/me", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "hello ann");

    let response = send(&app, get_with::<Body>("/me", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), "Bearer");

    // `Router::layer` wraps the fallback too: an unknown path is refused before routing.
    let response = send(&app, get_with::<Body>("/nowhere", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn route_layer_leaves_unknown_paths_404() {
    let app = Router::new()
        .route("/me", get(me))
        .route_layer(rs256_layer());

    let response = send(&app, get_with::<Body>("/nowhere", None)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());

    let response = send(&app, get_with::<Body>("/me", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), "Bearer");

    let response = send(&app, get_with::<Body>("/me", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "hello ann");
}

// --- the Claims extractor ---

#[tokio::test]
async fn claims_extractor_gives_the_tokens_claims() {
    let claims = TestClaims {
        sub: "bob".into(),
        scope: Some("read write".into()),
        ..TestClaims::valid()
    };
    let token = mint(Algorithm::RS256, &claims);
    let app = Router::new()
        .route(
            "/claims",
            get(|Claims(c): Claims<TestClaims>| async move { Json(c.as_ref().clone()) }),
        )
        .layer(rs256_layer());

    let response = send(&app, get_with::<Body>("/claims", Some(&token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let got: TestClaims = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(got, claims);
}

/// A claims type the layer does not produce.
#[derive(Debug, Clone, Deserialize)]
struct OtherClaims {
    sub: String,
}

#[tokio::test]
async fn extractor_of_another_claims_type_is_500() {
    let app = Router::new()
        .route(
            "/other",
            get(|Claims(c): Claims<OtherClaims>| async move { c.sub.clone() }),
        )
        .layer(rs256_layer());

    let response = send(&app, get_with::<Body>("/other", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body_text(response).await,
        ClaimsRejection::MissingClaims.to_string()
    );
}

// --- optional mode ---

async fn maybe(claims: Option<Claims<TestClaims>>) -> String {
    match claims {
        Some(Claims(c)) => format!("user {}", c.sub),
        None => "anonymous".to_owned(),
    }
}

fn optional_app() -> Router {
    Router::new()
        .route("/maybe", get(maybe))
        .layer(strict_builder(rs256_keys()).optional().build().unwrap())
}

#[tokio::test]
async fn optional_without_token_runs_handler_with_none() {
    let response = send(&optional_app(), get_with::<Body>("/maybe", None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert_eq!(body_text(response).await, "anonymous");
}

#[tokio::test]
async fn optional_with_valid_token_runs_handler_with_some() {
    let response = send(
        &optional_app(),
        get_with::<Body>("/maybe", Some(&valid_token())),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "user ann");
}

#[tokio::test]
async fn optional_with_invalid_token_is_401() {
    let expired = mint(
        Algorithm::RS256,
        &TestClaims {
            exp: Some(NOW - 600),
            ..TestClaims::valid()
        },
    );
    let response = send(&optional_app(), get_with::<Body>("/maybe", Some(&expired))).await;
    assert_invalid_token(&response, "token expired 10m0s ago");
    assert_eq!(body_text(response).await, "");
}

// --- custom rejection ---

fn json_rejection(err: &AuthError, _proto: Protocol) -> Response {
    (
        err.status(),
        Json(serde_json::json!({ "error": err.to_string() })),
    )
        .into_response()
}

#[tokio::test]
async fn custom_rejection_gives_json_and_keeps_the_error() {
    let layer = strict_builder(rs256_keys())
        .on_rejection(json_rejection)
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);

    let expired = mint(
        Algorithm::RS256,
        &TestClaims {
            exp: Some(NOW - 200),
            ..TestClaims::valid()
        },
    );
    let response = send(&app, get_with::<Body>("/me", Some(&expired))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert_eq!(
        error_kind(&response),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(200)
        }
    );
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "error": "token expired 3m20s ago" })
    );

    let response = send(&app, get_with::<Body>("/me", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_kind(&response), AuthErrorKind::MissingToken);
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "error": "no bearer token in the request" })
    );
}

#[tokio::test]
async fn custom_rejection_closure_is_accepted() {
    let layer = strict_builder(rs256_keys())
        .on_rejection(|err: &AuthError, _proto: Protocol| -> Response {
            (
                StatusCode::IM_A_TEAPOT,
                Json(serde_json::json!({ "error": err.to_string() })),
            )
                .into_response()
        })
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);

    let response = send(&app, get_with::<Body>("/me", Some("not-a-jwt"))).await;
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert!(matches!(error_kind(&response), AuthErrorKind::Malformed(_)));
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "error": "malformed token: expected 3 dot-separated segments" })
    );
}

// --- application checks ---

#[tokio::test]
async fn sync_check_wanting_a_scope_is_403() {
    let layer = strict_builder(rs256_keys())
        .check(require_admin)
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);

    let response = send(&app, get_with::<Body>("/me", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let value = challenge(&response);
    assert!(value.starts_with("Bearer "), "{value}");
    assert!(value.contains("error=\"insufficient_scope\""), "{value}");
    assert!(value.contains("scope=\"admin\""), "{value}");
    assert_eq!(
        error_kind(&response),
        AuthErrorKind::InsufficientScope {
            scope: Some("admin".into())
        }
    );

    let admin = mint(
        Algorithm::RS256,
        &TestClaims {
            scope: Some("read admin".into()),
            ..TestClaims::valid()
        },
    );
    let response = send(&app, get_with::<Body>("/me", Some(&admin))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "hello ann");
}

#[tokio::test]
async fn async_check_rejecting_is_401() {
    let layer = strict_builder(rs256_keys())
        .check_async(|c: &TestClaims, _| {
            let banned = c.sub == "mallory";
            async move {
                if banned {
                    Err(AuthError::rejected("account is suspended"))
                } else {
                    Ok(())
                }
            }
        })
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);

    let mallory = mint(
        Algorithm::RS256,
        &TestClaims {
            sub: "mallory".into(),
            ..TestClaims::valid()
        },
    );
    let response = send(&app, get_with::<Body>("/me", Some(&mallory))).await;
    assert_invalid_token(&response, "token refused: account is suspended");
    assert_eq!(
        error_kind(&response),
        AuthErrorKind::Rejected("account is suspended".into())
    );

    let response = send(&app, get_with::<Body>("/me", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "hello ann");
}

// --- RFC 6750 challenges and token sources ---

#[tokio::test]
async fn missing_token_is_401_with_a_bare_challenge() {
    let app = Router::new().route("/me", get(me)).layer(rs256_layer());
    let response = send(&app, get_with::<Body>("/me", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers().get_all(WWW_AUTHENTICATE).iter().count(),
        1
    );
    assert_eq!(challenge(&response), "Bearer");
    assert_eq!(error_kind(&response), AuthErrorKind::MissingToken);
    assert_eq!(body_text(response).await, "");
}

#[tokio::test]
async fn realm_is_named_in_the_challenge() {
    let layer = strict_builder(rs256_keys()).realm("x").build().unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);

    let response = send(&app, get_with::<Body>("/me", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), "Bearer realm=\"x\"");

    install_signing_provider();
    let forged = encode(
        &Header::new(Algorithm::RS256),
        &TestClaims::valid(),
        &EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap();
    let response = send(&app, get_with::<Body>("/me", Some(&forged))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&response),
        "Bearer realm=\"x\", error=\"invalid_token\", error_description=\"token signature is invalid\""
    );
}

#[tokio::test]
async fn two_authorization_headers_are_400() {
    let app = Router::new().route("/me", get(me)).layer(rs256_layer());
    let token = valid_token();
    let request = Request::get("/me")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();

    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let value = challenge(&response);
    assert!(
        value.starts_with("Bearer error=\"invalid_request\""),
        "{value}"
    );
    assert_eq!(error_kind(&response), AuthErrorKind::MultipleTokens);
}

#[tokio::test]
async fn cookie_source_reads_the_cookie_instead_of_the_header() {
    let layer = strict_builder(rs256_keys())
        .token_source(TokenSource::cookie("session"))
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);
    let token = valid_token();

    let request = Request::get("/me")
        .header(COOKIE, format!("theme=dark; session={token}"))
        .body(Body::empty())
        .unwrap();
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "hello ann");

    // The cookie source replaces the default: a bearer header alone is no token.
    let response = send(&app, get_with::<Body>("/me", Some(&token))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&response), "Bearer");
}

#[tokio::test]
async fn header_and_cookie_together_are_400() {
    let layer = strict_builder(rs256_keys())
        .token_sources([TokenSource::Bearer, TokenSource::cookie("session")])
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);
    let token = valid_token();

    let request = Request::get("/me")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(COOKIE, format!("session={token}"))
        .body(Body::empty())
        .unwrap();
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(challenge(&response).starts_with("Bearer error=\"invalid_request\""));
    assert_eq!(error_kind(&response), AuthErrorKind::MultipleTokens);

    // Either one alone is accepted.
    let request = Request::get("/me")
        .header(COOKIE, format!("session={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, request).await.status(), StatusCode::OK);
    assert_eq!(
        send(&app, get_with::<Body>("/me", Some(&token)))
            .await
            .status(),
        StatusCode::OK
    );
}

// --- refused tokens ---

fn app() -> Router {
    Router::new().route("/me", get(me)).layer(rs256_layer())
}

#[tokio::test]
async fn token_signed_by_another_key_is_401() {
    install_signing_provider();
    let forged = encode(
        &Header::new(Algorithm::RS256),
        &TestClaims::valid(),
        &EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap();
    let response = send(&app(), get_with::<Body>("/me", Some(&forged))).await;
    assert_invalid_token(&response, "token signature is invalid");
    assert_eq!(error_kind(&response), AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn expired_token_is_401() {
    // Expired 2 minutes ago: beyond the 60 s leeway.
    let token = mint(
        Algorithm::RS256,
        &TestClaims {
            exp: Some(NOW - 120),
            ..TestClaims::valid()
        },
    );
    let response = send(&app(), get_with::<Body>("/me", Some(&token))).await;
    assert_invalid_token(&response, "token expired 2m0s ago");
    assert_eq!(
        error_kind(&response),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(120)
        }
    );
}

#[tokio::test]
async fn wrong_issuer_is_401() {
    let token = mint(
        Algorithm::RS256,
        &TestClaims {
            iss: Some("https://evil.test".into()),
            ..TestClaims::valid()
        },
    );
    let response = send(&app(), get_with::<Body>("/me", Some(&token))).await;
    assert_invalid_token(&response, "token issuer is not trusted");
    assert_eq!(error_kind(&response), AuthErrorKind::InvalidIssuer);
}

#[tokio::test]
async fn wrong_audience_is_401() {
    let token = mint(
        Algorithm::RS256,
        &TestClaims {
            aud: Some("other-api".into()),
            ..TestClaims::valid()
        },
    );
    let response = send(&app(), get_with::<Body>("/me", Some(&token))).await;
    assert_invalid_token(&response, "token is not meant for this audience");
    assert_eq!(error_kind(&response), AuthErrorKind::InvalidAudience);
}

#[tokio::test]
async fn alg_none_token_is_401() {
    let header = b64(serde_json::json!({ "alg": "none", "typ": "JWT" }).to_string());
    let payload = b64(serde_json::to_value(TestClaims::valid())
        .unwrap()
        .to_string());

    // Unsigned, as RFC 7519 §6 writes it: an empty signature.
    let unsigned = format!("{header}.{payload}.");
    let response = send(&app(), get_with::<Body>("/me", Some(&unsigned))).await;
    assert_invalid_token(&response, "malformed token: the token is not signed");
    assert_eq!(
        error_kind(&response),
        AuthErrorKind::Malformed("the token is not signed")
    );

    // With a signature copied from a valid token: still refused on `alg`.
    let signature = valid_token().rsplit('.').next().unwrap().to_owned();
    let resigned = format!("{header}.{payload}.{signature}");
    let response = send(&app(), get_with::<Body>("/me", Some(&resigned))).await;
    assert_invalid_token(&response, "token algorithm is not accepted by this service");
    assert_eq!(error_kind(&response), AuthErrorKind::UnsupportedAlgorithm);
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_401() {
    install_signing_provider();
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &TestClaims::valid(),
        &EncodingKey::from_secret(RSA_PUBLIC.as_bytes()),
    )
    .unwrap();
    let response = send(&app(), get_with::<Body>("/me", Some(&confused))).await;
    // The only key is bound to RS256: no key verifies HS256, whatever its bytes. Refused
    // before any HMAC is computed.
    let kind = error_kind(&response);
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);
    assert_invalid_token(&response, &AuthError::new(kind).to_string());
}

/// Claims that cannot be cloned: handlers share them.
#[derive(Deserialize)]
struct Uncloneable {
    sub: String,
}

#[tokio::test]
async fn claims_need_not_be_clone() {
    let keys = StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap();
    let layer: JwtAuthLayer<Uncloneable> = builder(keys).build().unwrap();
    let app = Router::new()
        .route(
            "/me",
            get(|claims: Claims<Uncloneable>| async move { format!("hi {}", claims.sub) }),
        )
        .layer(layer);
    let response = send(&app, get_with::<Body>("/me", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "hi ann");
}

// --- settings that compose ---

#[tokio::test]
async fn chained_token_sources_keep_bearer_so_two_tokens_are_400() {
    let layer = strict_builder(rs256_keys())
        .token_source(TokenSource::Bearer)
        .token_source(TokenSource::cookie("jwt"))
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);
    let token = valid_token();
    let both = Request::get("/me")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(COOKIE, format!("jwt={token}"))
        .body(Body::empty())
        .unwrap();
    let response = send(&app, both).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_kind(&response), AuthErrorKind::MultipleTokens);
    let response = send(&app, get_with::<Body>("/me", Some(&token))).await;
    assert_eq!(response.status(), StatusCode::OK, "Bearer is still read");
}

/// A token from the fixture key with these scopes.
fn token_with_scope(scope: &str) -> String {
    mint(
        Algorithm::RS256,
        &TestClaims {
            scope: Some(scope.to_owned()),
            ..TestClaims::valid()
        },
    )
}

fn require(scope: &'static str) -> impl Fn(&TestClaims) -> Result<(), AuthError> {
    move |claims: &TestClaims| {
        let scopes = claims.scope.as_deref().unwrap_or("");
        if scopes.split(' ').any(|s| s == scope) {
            Ok(())
        } else {
            Err(AuthError::insufficient_scope(scope))
        }
    }
}

#[tokio::test]
async fn chained_checks_must_all_pass_in_order() {
    let ran = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (first, second, third) = (ran.clone(), ran.clone(), ran.clone());
    let layer = strict_builder(rs256_keys())
        .check(move |claims: &TestClaims, _| {
            first.lock().unwrap().push("read");
            require("read")(claims)
        })
        .check_async(move |claims: &TestClaims, _| {
            second.lock().unwrap().push("write");
            let verdict = require("write")(claims);
            async move {
                tokio::task::yield_now().await;
                verdict
            }
        })
        .check(move |claims: &TestClaims, _| {
            third.lock().unwrap().push("admin");
            require("admin")(claims)
        })
        .build()
        .unwrap();
    let app = Router::new().route("/me", get(me)).layer(layer);
    for (scopes, refused_for, ran_checks) in [
        ("write admin", Some("read"), vec!["read"]),
        ("read admin", Some("write"), vec!["read", "write"]),
        ("read write", Some("admin"), vec!["read", "write", "admin"]),
        ("read write admin", None, vec!["read", "write", "admin"]),
    ] {
        ran.lock().unwrap().clear();
        let response = send(
            &app,
            get_with::<Body>("/me", Some(&token_with_scope(scopes))),
        )
        .await;
        match refused_for {
            Some(scope) => {
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{scopes}");
                assert_eq!(
                    error_kind(&response),
                    AuthErrorKind::InsufficientScope {
                        scope: Some(scope.into())
                    },
                    "{scopes}"
                );
            }
            None => assert_eq!(response.status(), StatusCode::OK, "{scopes}"),
        }
        assert_eq!(*ran.lock().unwrap(), ran_checks, "{scopes}");
    }
}

#[tokio::test]
async fn an_optional_layer_removes_claims_an_outer_layer_left() {
    // The outer layer reads its token from `x-outer`; the inner, optional one wants Bearer
    // tokens for another audience. A request with only the outer token is anonymous inside.
    let outer = strict_builder(rs256_keys())
        .token_source(TokenSource::header(http::HeaderName::from_static(
            "x-outer",
        )))
        .build()
        .unwrap();
    let keys = StaticKeys::new()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap();
    let inner = builder::<TestClaims, _>(keys)
        .audience("admin-api")
        .optional()
        .build()
        .unwrap();
    let app = Router::new()
        .route("/maybe", get(maybe))
        .layer(inner)
        .layer(outer);
    let request = Request::get("/maybe")
        .header("x-outer", valid_token())
        .body(Body::empty())
        .unwrap();
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "anonymous");
}

#[tokio::test]
async fn a_requirement_on_nested_routes_guards_them_wherever_they_are_mounted() {
    // What the demo teaches: the requirement sits on the routes it guards, so `nest`
    // stripping the prefix cannot make it miss.
    let admin = Router::new().route("/users", get(me)).route_layer(
        strict_builder(rs256_keys())
            .check(require_admin)
            .build()
            .unwrap(),
    );
    let app = Router::new()
        .route("/me", get(me))
        .nest("/admin", admin)
        .layer(rs256_layer());
    let response = send(&app, get_with::<Body>("/admin/users", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let admin_token = token_with_scope("admin");
    let response = send(&app, get_with::<Body>("/admin/users", Some(&admin_token))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = send(&app, get_with::<Body>("/me", Some(&valid_token()))).await;
    assert_eq!(response.status(), StatusCode::OK);
}
