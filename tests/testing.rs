//! The test kit (`tower_jwt_auth::testing`), tried as a user's tests would use it: tokens of
//! every algorithm through a real layer, the defects refused for the reason they stand for,
//! the served issuer's discovery, JWKS, token endpoint and controls on loopback.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use http::{Request, StatusCode};
use jsonwebtoken::Algorithm;
use tower::ServiceExt as _;
use tower_jwt_auth::testing::{BearerExt, Defect, TestIssuer, TestServer};
use tower_jwt_auth::{
    AlgorithmSet, AuthErrorKind, Claims, JwtAuthLayer, KeySource, RemoteErrorKind, StandardClaims,
};

use support::{auth_error, with_backend};

/// Every algorithm the crate verifies.
fn all() -> impl Iterator<Item = Algorithm> {
    AlgorithmSet::all().iter()
}

/// An axum app answering `/me` with the token's subject, behind a layer over `keys`.
fn app<K: KeySource>(keys: K, issuer: &str) -> Router {
    let auth = with_backend(JwtAuthLayer::<StandardClaims>::builder(keys))
        .issuer(issuer)
        .audience("api")
        .build()
        .unwrap();
    Router::new()
        .route(
            "/me",
            get(|claims: Claims<StandardClaims>| async move { claims.sub.clone().unwrap() }),
        )
        .layer(auth)
}

async fn call(app: &Router, token: &str) -> (StatusCode, Option<AuthErrorKind>, String) {
    let request = Request::get("/me")
        .bearer(token)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let kind = auth_error(&response).map(|e| e.kind().clone());
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, kind, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_token_of_every_algorithm_verifies_with_the_issuers_static_keys() {
    let issuer = TestIssuer::builder()
        .audience("api")
        .build("https://idp.test");
    let app = app(issuer.static_keys(), issuer.issuer());
    for alg in all() {
        let token = issuer.token().algorithm(alg).subject("ann").sign();
        let (status, kind, body) = call(&app, &token).await;
        assert_eq!(
            (status, kind, body.as_str()),
            (StatusCode::OK, None, "ann"),
            "{alg:?}"
        );
    }
}

#[tokio::test]
async fn a_token_of_every_public_key_algorithm_verifies_through_discovery() {
    let idp = TestIssuer::builder().audience("api").serve().await.unwrap();
    let app = app(idp.remote_keys().build().unwrap(), idp.issuer());
    for alg in all().filter(|alg| !format!("{alg:?}").starts_with("HS")) {
        let (status, kind, _) = call(&app, &idp.token().algorithm(alg).sign()).await;
        assert_eq!((status, kind), (StatusCode::OK, None), "{alg:?}");
    }
    assert_eq!(idp.discovery_fetches(), 1);
    assert_eq!(idp.jwks_fetches(), 1);
}

#[tokio::test]
async fn the_published_key_set_holds_no_secret_and_names_every_key() {
    let issuer = TestIssuer::new("https://idp.test");
    let jwks: serde_json::Value = serde_json::from_str(&issuer.jwks()).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 9, "one key per public-key algorithm");
    for key in keys {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(key.get(private).is_none(), "{private} published in {key}");
        }
        assert_eq!(key["use"], "sig");
        let kid = key["kid"].as_str().unwrap();
        assert_eq!(
            kid,
            issuer.kid(key["alg"].as_str().unwrap().parse().unwrap())
        );
    }
    assert_eq!(
        issuer.static_keys().len(),
        12,
        "and the HMAC secrets stay local"
    );
}

#[tokio::test]
async fn each_defect_is_refused_for_the_reason_it_stands_for() {
    let issuer = TestIssuer::builder()
        .audience("api")
        .build("https://idp.test");
    let app = app(issuer.static_keys(), issuer.issuer());
    let cases = [
        (Defect::BadSignature, AuthErrorKind::InvalidSignature),
        (Defect::ForeignKey, AuthErrorKind::InvalidSignature),
        (Defect::UnknownKid, AuthErrorKind::UnknownKey),
        (Defect::WrongIssuer, AuthErrorKind::InvalidIssuer),
        (Defect::WrongAudience, AuthErrorKind::InvalidAudience),
    ];
    for alg in [
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::HS256,
    ] {
        for (defect, kind) in cases.clone() {
            let token = issuer.token().algorithm(alg).defect(defect).sign();
            let (status, got, _) = call(&app, &token).await;
            assert_eq!(
                (status, got),
                (StatusCode::UNAUTHORIZED, Some(kind)),
                "{alg:?} {defect:?}"
            );
        }
    }
    let (status, kind, _) = call(&app, &issuer.token().defect(Defect::AlgNone).sign()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        kind.is_some(),
        "alg none is refused by the layer, not elsewhere"
    );
    let none = issuer.token().defect(Defect::AlgNone).sign();
    let header = none.split('.').next().unwrap();
    let header =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap();
    assert!(String::from_utf8(header)
        .unwrap()
        .contains(r#""alg":"none""#));
    assert!(none.ends_with('.'), "alg none carries an empty signature");
}

#[tokio::test]
async fn lifetimes_are_relative_to_now_or_to_a_given_time() {
    let issuer = TestIssuer::builder()
        .audience("api")
        .build("https://idp.test");
    let app = app(issuer.static_keys(), issuer.issuer());
    let (status, kind, _) = call(&app, &issuer.token().expired().sign()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        matches!(kind, Some(AuthErrorKind::Expired { .. })),
        "{kind:?}"
    );
    let (status, kind, _) = call(&app, &issuer.token().not_yet_valid().sign()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        matches!(kind, Some(AuthErrorKind::NotYetValid { .. })),
        "{kind:?}"
    );
    let (status, kind, _) = call(&app, &issuer.token().without("exp").sign()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{kind:?}");
    let short = issuer.token().valid_for(Duration::from_secs(30)).sign();
    assert_eq!(call(&app, &short).await.0, StatusCode::OK);

    let claims = issuer
        .token()
        .issued_at(1_000)
        .valid_for(Duration::from_secs(60))
        .claims();
    assert_eq!(
        (claims["iat"].as_u64(), claims["exp"].as_u64()),
        (Some(1_000), Some(1_060))
    );
    let claims = issuer.token().issued_at(10_000).expired().claims();
    assert_eq!(claims["exp"].as_u64(), Some(10_000 - 600));
    let claims = issuer.token().issued_at(10_000).expires_at(12_345).claims();
    assert_eq!(claims["exp"].as_u64(), Some(12_345));
}

#[tokio::test]
async fn the_builder_writes_the_claims_and_header_it_is_given() {
    let issuer = TestIssuer::new("https://idp.test");
    let claims = issuer
        .token()
        .subject("ann")
        .audiences(["a", "b"])
        .scopes(["read", "write"])
        .roles(["admin"])
        .claim("realm_access", serde_json::json!({"roles": ["x"]}))
        .without("jti")
        .claims();
    assert_eq!(claims["sub"], "ann");
    assert_eq!(claims["iss"], "https://idp.test");
    assert_eq!(claims["aud"], serde_json::json!(["a", "b"]));
    assert_eq!(claims["scope"], "read write");
    assert_eq!(claims["roles"], serde_json::json!(["admin"]));
    assert_eq!(claims["realm_access"]["roles"][0], "x");
    assert!(claims.get("jti").is_none());

    let token = issuer
        .token()
        .algorithm(Algorithm::ES384)
        .kid("chosen")
        .typ("at+jwt")
        .sign();
    let header = token.split('.').next().unwrap();
    let header: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header).unwrap(),
    )
    .unwrap();
    assert_eq!(
        header,
        serde_json::json!({"alg": "ES384", "kid": "chosen", "typ": "at+jwt"})
    );
}

#[tokio::test]
async fn two_issuers_never_share_a_kid_so_one_cannot_vouch_for_the_other() {
    let ours = TestIssuer::builder()
        .audience("api")
        .build("https://idp.test");
    let theirs = TestIssuer::builder()
        .audience("api")
        .build("https://idp.test");
    for alg in all() {
        assert_ne!(ours.kid(alg), theirs.kid(alg));
    }
    let app = app(ours.static_keys(), ours.issuer());
    let (status, kind, _) = call(&app, &theirs.token().sign()).await;
    assert_eq!(
        (status, kind),
        (StatusCode::UNAUTHORIZED, Some(AuthErrorKind::UnknownKey))
    );
}

#[tokio::test]
async fn a_rotated_key_is_fetched_and_a_retired_one_is_refused() {
    let idp = TestIssuer::builder().audience("api").serve().await.unwrap();
    let keys = idp.remote_keys().cooldown(Duration::ZERO).build().unwrap();
    let app = app(keys.clone(), idp.issuer());
    let before = idp.token().sign();
    assert_eq!(call(&app, &before).await.0, StatusCode::OK);

    idp.rotate();
    let after = idp.token().sign();
    assert_ne!(
        before.split('.').next(),
        after.split('.').next(),
        "a new kid"
    );
    assert_eq!(call(&app, &after).await.0, StatusCode::OK);
    assert_eq!(
        idp.jwks_fetches(),
        2,
        "the unknown kid made the source fetch again"
    );
    assert_eq!(
        call(&app, &before).await.0,
        StatusCode::OK,
        "the old key is still published"
    );

    idp.retire_old_keys();
    keys.refresh().await.unwrap();
    let (status, kind, _) = call(&app, &before).await;
    assert_eq!(
        (status, kind),
        (StatusCode::UNAUTHORIZED, Some(AuthErrorKind::UnknownKey))
    );
    assert_eq!(call(&app, &after).await.0, StatusCode::OK);
}

#[tokio::test]
async fn failing_slow_and_stopped_key_endpoints_are_what_the_key_source_sees() {
    let idp = TestIssuer::builder().audience("api").serve().await.unwrap();
    let keys = idp
        .remote_keys()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    idp.fail_jwks(2);
    for _ in 0..2 {
        let error = keys.refresh().await.unwrap_err();
        assert_eq!(error.kind(), RemoteErrorKind::Status(503), "{error}");
    }
    keys.refresh().await.unwrap();
    assert_eq!(idp.jwks_fetches(), 3);

    idp.set_jwks_delay(Duration::from_secs(5));
    let error = keys.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Timeout, "{error}");
    idp.set_jwks_delay(Duration::ZERO);

    idp.stop().await;
    let error = keys.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Network, "{error}");
    idp.start_again().await.unwrap();
    keys.refresh().await.unwrap();
    let state = keys.state();
    assert!(state.ready && state.last_error.is_none(), "{state:?}");
    assert_eq!(state.key_count, 9);

    idp.set_jwks_document(Some("<html>no keys here".into()));
    let error = keys.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::InvalidDocument, "{error}");
}

/// Posts a form to the token endpoint, with HTTP Basic client authentication if given.
async fn post_form(
    url: &str,
    basic: Option<(&str, &str)>,
    form: &str,
) -> (u16, Option<String>, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap();
    (status, cache, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn the_token_endpoint_grants_client_credentials_to_known_clients_only() {
    let idp = TestIssuer::builder().audience("api").serve().await.unwrap();
    idp.add_client("svc", "s3cret");
    let app = app(idp.remote_keys().build().unwrap(), idp.issuer());
    let url = idp.token_url();

    let (status, cache, body) = post_form(
        &url,
        Some(("svc", "s3cret")),
        "grant_type=client_credentials&scope=read+write",
    )
    .await;
    assert_eq!((status, cache.as_deref()), (200, Some("no-store")));
    assert_eq!(
        (body["token_type"].as_str(), body["scope"].as_str()),
        (Some("Bearer"), Some("read write"))
    );
    assert_eq!(body["expires_in"], 300);
    let token = body["access_token"].as_str().unwrap();
    let (status, _, subject) = call(&app, token).await;
    assert_eq!((status, subject.as_str()), (StatusCode::OK, "svc"));

    let form = "grant_type=client_credentials&client_id=svc&client_secret=s3cret&audience=other";
    let (status, _, body) = post_form(&url, None, form).await;
    assert_eq!(status, 200);
    let (status, kind, _) = call(&app, body["access_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, kind),
        (
            StatusCode::UNAUTHORIZED,
            Some(AuthErrorKind::InvalidAudience)
        )
    );

    for (id, secret) in [("svc", "wrong"), ("nobody", "s3cret")] {
        let form = "grant_type=client_credentials";
        let (status, _, body) = post_form(&url, Some((id, secret)), form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("invalid_client"))
        );
    }
    let (status, _, body) = post_form(&url, Some(("svc", "s3cret")), "grant_type=password").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    assert_eq!(idp.token_requests(), 5);
}

#[tokio::test]
async fn the_server_stops_when_dropped_while_the_runtime_runs() {
    let idp: TestServer = TestIssuer::serve().await.unwrap();
    let addr = idp.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(idp);
    // The serving task ends at the runtime's next turn; a bounded wait for it.
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{addr} still accepts connections after the server was dropped");
}

#[test]
fn tokens_are_signed_without_a_process_default_provider() {
    // With both backends enabled, jsonwebtoken::encode panics unless a default is installed;
    // this test binary never installs one, and the kit signs all the same.
    let issuer = TestIssuer::new("https://idp.test");
    for alg in all() {
        let token = issuer.token().algorithm(alg).sign();
        assert_eq!(token.split('.').count(), 3);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_client_finds_discovery_jwks_and_token_endpoint_as_specified() {
    let idp = TestIssuer::serve().await.unwrap();
    idp.add_client("svc", "s3cret");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/kit/check_issuer.sh");
    let issuer = idp.issuer().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args([script, &issuer, "svc", "s3cret"])
            .output()
            .expect("bash runs (the script needs curl and jq; .ci/run installs them)")
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "ok",
        "{stderr}"
    );
    assert_eq!(idp.token_requests(), 2);
}

#[test]
fn lists_add_up_and_a_second_value_is_refused() {
    let issuer = TestIssuer::builder()
        .audience("api")
        .build("https://idp.test");
    let claims = issuer
        .token()
        .scope("read")
        .scopes(["write", "admin"])
        .audience("a")
        .audience("b")
        .roles(["x"])
        .roles(["y"])
        .claims();
    assert_eq!(claims["scope"], "read write admin");
    assert_eq!(
        claims["aud"],
        serde_json::json!(["a", "b"]),
        "the default `api` is replaced"
    );
    assert_eq!(claims["roles"], serde_json::json!(["x", "y"]));

    type Call = fn(&TestIssuer);
    let twice: [(&str, Call); 6] = [
        ("sub", |i| drop(i.token().subject("a").subject("b"))),
        ("sub", |i| drop(i.token().claim("sub", "a").subject("b"))),
        ("expiry", |i| {
            drop(i.token().expired().valid_for(Duration::from_secs(60)))
        }),
        ("algorithm", |i| {
            drop(
                i.token()
                    .algorithm(Algorithm::ES256)
                    .algorithm(Algorithm::RS256),
            )
        }),
        ("header typ", |i| {
            drop(i.token().typ("at+jwt").header("typ", "JWT"))
        }),
        ("exp", |i| drop(i.token().claim("exp", 1).without("exp"))),
    ];
    for (what, call) in twice {
        let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(&issuer)));
        let message = refused.expect_err(what);
        let message = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains(&format!("`{what}` is set twice")),
            "{message}"
        );
    }
}
