//! The Tower contract: readiness, `Clone + Send + Sync`, error types, key sources, what a
//! rejection carries, and what is never shown (Debug, logs).

mod support;

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use jsonwebtoken::{Algorithm, Header};
use tower::buffer::Buffer;
use tower::{Layer, Service, ServiceExt};
use tower_jwt_auth::{
    AuthError, AuthErrorKind, Claims, JwtAuth, JwtAuthLayer, KeySource, Protocol, StaticKeys,
    TokenHeader, VerifyingKey,
};

use support::{
    bearer, builder, hs_keys, inner_service, layer_over, leaked_window, mint, mint_with, subject,
    token_with_kid, TestClaims, EC256_PUBLIC, EC256_PUBLIC_DER, HS_SECRET, NOW, RSA_PUBLIC,
    RSA_PUBLIC_DER,
};

fn valid_token() -> String {
    mint(Algorithm::HS256, &TestClaims::valid())
}

fn expired_token() -> String {
    mint(
        Algorithm::HS256,
        &TestClaims {
            exp: Some(NOW - 1000),
            ..TestClaims::valid()
        },
    )
}

// ---------------------------------------------------------------------------------------------
// readiness

/// A service that must be driven to readiness before each call, like tower's examples: a clone
/// starts out not ready, and `call` panics on a service that was not made ready.
#[derive(Debug)]
struct MustBeReady {
    ready: bool,
    calls: Arc<AtomicUsize>,
}

impl Clone for MustBeReady {
    fn clone(&self) -> Self {
        Self {
            ready: false,
            calls: self.calls.clone(),
        }
    }
}

impl Service<Request<String>> for MustBeReady {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.ready = true;
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<String>) -> Self::Future {
        assert!(self.ready, "call without poll_ready");
        self.ready = false;
        self.calls.fetch_add(1, Ordering::SeqCst);
        let Claims(claims) = request
            .extensions()
            .get::<Claims<TestClaims>>()
            .cloned()
            .unwrap();
        ready(Ok(Response::new(claims.sub.clone())))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ready_inner_service_is_called_under_buffer() {
    let calls = Arc::new(AtomicUsize::new(0));
    let service = layer_over(hs_keys()).layer(MustBeReady {
        ready: false,
        calls: calls.clone(),
    });
    let buffer = Buffer::new(service, 4);

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let buffer = buffer.clone();
        // Every other request is refused: a refusal must not use up the readiness of the next.
        let token = if i % 2 == 0 {
            valid_token()
        } else {
            expired_token()
        };
        tasks.spawn(async move { (i, buffer.oneshot(bearer(&token)).await) });
    }
    let mut seen = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.expect("no request panicked");
        let response = result.expect("the buffered service answers");
        if i % 2 == 0 {
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.into_body(), "ann");
        } else {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        seen += 1;
    }
    assert_eq!(seen, 16);
    assert_eq!(calls.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn valid_requests_under_buffer_all_succeed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let service = layer_over(hs_keys()).layer(MustBeReady {
        ready: false,
        calls: calls.clone(),
    });
    let buffer = Buffer::new(service, 4);
    let token = valid_token();
    let responses =
        futures_util::future::join_all((0..8).map(|_| buffer.clone().oneshot(bearer(&token))))
            .await;
    for response in responses {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.into_body(), "ann");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 8);
}

/// Not ready until `poll_ready` has been called `pending` times; then fails if `fail`.
#[derive(Clone)]
struct SlowToReady {
    pending: usize,
    fail: bool,
}

impl Service<Request<String>> for SlowToReady {
    type Response = Response<String>;
    type Error = &'static str;
    type Future = Ready<Result<Response<String>, &'static str>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), &'static str>> {
        if self.pending > 0 {
            self.pending -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(if self.fail {
            Err("inner not ready")
        } else {
            Ok(())
        })
    }

    fn call(&mut self, _: Request<String>) -> Self::Future {
        ready(Ok(Response::new(String::new())))
    }
}

#[test]
fn poll_ready_forwards_to_the_inner_service() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut service = layer_over(hs_keys()).layer(SlowToReady {
        pending: 2,
        fail: false,
    });
    assert!(service.poll_ready(&mut cx).is_pending());
    assert!(service.poll_ready(&mut cx).is_pending());
    assert_eq!(service.poll_ready(&mut cx), Poll::Ready(Ok(())));

    let mut failing = layer_over(hs_keys()).layer(SlowToReady {
        pending: 0,
        fail: true,
    });
    assert_eq!(
        failing.poll_ready(&mut cx),
        Poll::Ready(Err("inner not ready"))
    );
}

// ---------------------------------------------------------------------------------------------
// compile-time properties

fn assert_clone_send_sync<T: Clone + Send + Sync>(_: &T) {}

fn assert_infallible<S>(_: &S)
where
    S: Service<Request<String>, Response = Response<String>, Error = Infallible>,
    S::Future: Send + 'static,
{
}

fn closure_source() -> impl KeySource<Future = Ready<Result<Arc<VerifyingKey>, AuthError>>> {
    let key = Arc::new(VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256).unwrap());
    move |_: &TokenHeader<'_>| ready(Ok::<_, AuthError>(key.clone()))
}

#[test]
fn layer_and_service_are_clone_send_sync() {
    let calls = Arc::new(AtomicUsize::new(0));

    let layer: JwtAuthLayer<TestClaims, StaticKeys> = layer_over(hs_keys());
    assert_clone_send_sync(&layer);
    let service: JwtAuth<_, TestClaims, StaticKeys> =
        layer.layer(inner_service(calls.clone(), subject));
    assert_clone_send_sync(&service);

    let layer = builder::<TestClaims, _>(closure_source()).build().unwrap();
    assert_clone_send_sync(&layer);
    let service = layer.layer(inner_service(calls, subject));
    assert_clone_send_sync(&service);
}

#[test]
fn the_error_type_stays_infallible() {
    let calls = Arc::new(AtomicUsize::new(0));
    assert_infallible(&layer_over(hs_keys()).layer(inner_service(calls.clone(), subject)));
    assert_infallible(
        &builder::<TestClaims, _>(closure_source())
            .build()
            .unwrap()
            .layer(inner_service(calls.clone(), subject)),
    );
    // With a custom rejection too.
    let custom = builder::<TestClaims, _>(hs_keys())
        .on_rejection(|error: &AuthError, _: Protocol| Response::new(error.to_string()))
        .build()
        .unwrap();
    assert_infallible(&custom.layer(inner_service(calls, subject)));
}

// ---------------------------------------------------------------------------------------------
// key sources

#[tokio::test]
async fn an_asynchronous_key_source_works() {
    let key = Arc::new(
        VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
            .unwrap()
            .with_kid("current"),
    );
    let lookups = Arc::new(AtomicUsize::new(0));
    let counter = lookups.clone();
    let source = move |header: &TokenHeader<'_>| {
        let key = key.clone();
        let kid = header.kid().map(str::to_owned);
        let alg = header.alg();
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::task::yield_now().await;
            assert_eq!(alg, Algorithm::HS256);
            match kid.as_deref() {
                Some("current") => Ok(key),
                _ => Err(AuthError::new(AuthErrorKind::UnknownKey)),
            }
        }
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let service = builder::<TestClaims, _>(source)
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));

    let response = service
        .clone()
        .oneshot(bearer(&token_with_kid(Algorithm::HS256, "current")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.into_body(), "ann");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let response = service
        .oneshot(bearer(&token_with_kid(Algorithm::HS256, "retired")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::UnknownKey
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(lookups.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn keys_unavailable_gives_503_with_retry_after() {
    let source = |_: &TokenHeader<'_>| async {
        tokio::task::yield_now().await;
        Err::<Arc<VerifyingKey>, _>(AuthError::new(AuthErrorKind::KeysUnavailable {
            retry_after: Some(Duration::from_secs(7)),
        }))
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let service = builder::<TestClaims, _>(source)
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    let response = service.oneshot(bearer(&valid_token())).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[RETRY_AFTER], "7");
    assert!(
        response.headers().get(WWW_AUTHENTICATE).is_none(),
        "a 503 does not call the token invalid"
    );
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::KeysUnavailable {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_key_source_cannot_widen_a_key() {
    // The source hands back an HS256 key for every token; the HS384 token is signed with the
    // same secret bytes, so only the key's algorithm binding stands in the way.
    let hs256 = Arc::new(VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256).unwrap());
    let source = move |_: &TokenHeader<'_>| ready(Ok::<_, AuthError>(hs256.clone()));
    let calls = Arc::new(AtomicUsize::new(0));
    let service = builder::<TestClaims, _>(source)
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    let hs384 = mint(Algorithm::HS384, &TestClaims::valid());
    let response = service.clone().oneshot(bearer(&hs384)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::UnsupportedAlgorithm
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // The control: the HS256 token passes with the same source.
    let response = service.oneshot(bearer(&valid_token())).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // And a key bound to HS384 accepts the HS384 token: the secret was never the problem.
    let hs384_key = Arc::new(VerifyingKey::from_secret(HS_SECRET, Algorithm::HS384).unwrap());
    let source = move |_: &TokenHeader<'_>| ready(Ok::<_, AuthError>(hs384_key.clone()));
    let service = builder::<TestClaims, _>(source)
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    assert_eq!(
        service.oneshot(bearer(&hs384)).await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_rsa_key_from_a_source_never_verifies_hmac() {
    // HS256 "signed" with the RSA public key PEM as the secret: the classic confusion.
    let rsa =
        Arc::new(VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap());
    let source = move |_: &TokenHeader<'_>| ready(Ok::<_, AuthError>(rsa.clone()));
    let calls = Arc::new(AtomicUsize::new(0));
    let service = builder::<TestClaims, _>(source)
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    support::install_signing_provider();
    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &TestClaims::valid(),
        &jsonwebtoken::EncodingKey::from_secret(RSA_PUBLIC.as_bytes()),
    )
    .unwrap();
    let response = service.oneshot(bearer(&forged)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::UnsupportedAlgorithm
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

// ---------------------------------------------------------------------------------------------
// rejections

#[tokio::test]
async fn every_rejection_carries_its_auth_error() {
    let kid_key = VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .with_kid("k1");
    let keyed = || StaticKeys::new().key(kid_key.clone()).unwrap();
    let mut unknown_kid = Header::new(Algorithm::HS256);
    unknown_kid.kid = Some("k2".into());
    let unknown_kid = mint_with(unknown_kid, &TestClaims::valid());
    let tampered = {
        let token = valid_token();
        let (message, _) = token.rsplit_once('.').unwrap();
        format!("{message}.{}", expired_token().rsplit_once('.').unwrap().1)
    };

    let none = Request::get("/").body(String::new()).unwrap();
    let twice = Request::get("/")
        .header(AUTHORIZATION, format!("Bearer {}", valid_token()))
        .header(AUTHORIZATION, format!("Bearer {}", valid_token()))
        .body(String::new())
        .unwrap();
    let empty = Request::get("/")
        .header(AUTHORIZATION, "Bearer ")
        .body(String::new())
        .unwrap();
    let grpc = Request::post("/pkg.Service/Method")
        .header(CONTENT_TYPE, "application/grpc")
        .header(AUTHORIZATION, format!("Bearer {}", expired_token()))
        .body(String::new())
        .unwrap();

    type Case = (
        &'static str,
        Request<String>,
        StatusCode,
        fn(&AuthErrorKind) -> bool,
    );
    let cases: Vec<(Case, bool)> = vec![
        (
            ("no token", none, StatusCode::UNAUTHORIZED, |k| {
                *k == AuthErrorKind::MissingToken
            }),
            false,
        ),
        (
            ("two tokens", twice, StatusCode::BAD_REQUEST, |k| {
                *k == AuthErrorKind::MultipleTokens
            }),
            false,
        ),
        (
            ("empty", empty, StatusCode::BAD_REQUEST, |k| {
                matches!(k, AuthErrorKind::InvalidRequest(_))
            }),
            false,
        ),
        (
            ("malformed", bearer("a.b"), StatusCode::UNAUTHORIZED, |k| {
                matches!(k, AuthErrorKind::Malformed(_))
            }),
            false,
        ),
        (
            (
                "tampered",
                bearer(&tampered),
                StatusCode::UNAUTHORIZED,
                |k| *k == AuthErrorKind::InvalidSignature,
            ),
            false,
        ),
        (
            (
                "expired",
                bearer(&expired_token()),
                StatusCode::UNAUTHORIZED,
                |k| matches!(k, AuthErrorKind::Expired { .. }),
            ),
            false,
        ),
        (
            (
                "unknown kid",
                bearer(&unknown_kid),
                StatusCode::UNAUTHORIZED,
                |k| *k == AuthErrorKind::UnknownKey,
            ),
            true,
        ),
        (
            ("grpc", grpc, StatusCode::OK, |k| {
                matches!(k, AuthErrorKind::Expired { .. })
            }),
            false,
        ),
    ];
    for ((name, request, status, expected), keyed_layer) in cases {
        let calls = Arc::new(AtomicUsize::new(0));
        let layer = if keyed_layer {
            builder::<TestClaims, _>(keyed()).build().unwrap()
        } else {
            layer_over(hs_keys())
        };
        let response = layer
            .layer(inner_service(calls.clone(), subject))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{name}");
        let error = response
            .extensions()
            .get::<AuthError>()
            .unwrap_or_else(|| panic!("{name}: no AuthError"));
        assert!(expected(error.kind()), "{name}: {error:?}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "{name}: the inner service was called"
        );
        if name == "grpc" {
            assert_eq!(response.headers()["grpc-status"], "16");
        }
    }
}

#[tokio::test]
async fn check_rejections_carry_their_auth_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let scoped = builder::<TestClaims, _>(hs_keys())
        .check(|claims: &TestClaims, _| match claims.scope.as_deref() {
            Some("admin") => Ok(()),
            _ => Err(AuthError::insufficient_scope("admin")),
        })
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    let response = scoped
        .clone()
        .oneshot(bearer(&valid_token()))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::InsufficientScope {
            scope: Some("admin".into())
        }
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let admin = mint(
        Algorithm::HS256,
        &TestClaims {
            scope: Some("admin".into()),
            ..TestClaims::valid()
        },
    );
    assert_eq!(
        scoped.oneshot(bearer(&admin)).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    let calls = Arc::new(AtomicUsize::new(0));
    let refused = builder::<TestClaims, _>(hs_keys())
        .check_async(|claims: &TestClaims, _| {
            let sub = claims.sub.clone();
            async move {
                tokio::task::yield_now().await;
                if sub == "ann" {
                    Err(AuthError::rejected("ann is banned"))
                } else {
                    Ok(())
                }
            }
        })
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    let response = refused.oneshot(bearer(&valid_token())).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::Rejected("ann is banned".into())
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_custom_rejection_still_carries_the_auth_error() {
    let calls = Arc::new(AtomicUsize::new(0));
    let service = builder::<TestClaims, _>(hs_keys())
        .on_rejection(|error: &AuthError, _: Protocol| {
            let mut response = Response::new(format!("{{\"error\":\"{error}\"}}"));
            *response.status_mut() = error.status();
            response
        })
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    let response = service.oneshot(bearer(&expired_token())).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.extensions().get::<AuthError>().unwrap().kind(),
        &AuthErrorKind::Expired {
            ago: Duration::from_secs(1000)
        }
    );
    assert_eq!(
        response.into_body(),
        "{\"error\":\"token expired 16m40s ago\"}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_inner_service_is_not_called_on_rejection() {
    let calls = Arc::new(AtomicUsize::new(0));
    let service = layer_over(hs_keys()).layer(inner_service(calls.clone(), subject));
    for request in [
        Request::get("/").body(String::new()).unwrap(),
        bearer(&expired_token()),
        bearer("not-a-token"),
        bearer(&format!("{}x", valid_token())),
    ] {
        let response = service.clone().oneshot(request).await.unwrap();
        assert_ne!(response.status(), StatusCode::OK);
        assert!(response.extensions().get::<AuthError>().is_some());
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // The control: a valid token reaches it, with its claims.
    let response = service.oneshot(bearer(&valid_token())).await.unwrap();
    assert_eq!(response.into_body(), "ann");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------------
// what is never shown

fn pem_body(pem: &str) -> Vec<&str> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .collect()
}

#[test]
fn debug_never_shows_key_material() {
    let keys = StaticKeys::new()
        .secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap()
        .ec_pem(EC256_PUBLIC, Algorithm::ES256)
        .unwrap();
    let secret_key = VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .with_kid("hmac-1");
    let rsa_key = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    let layer = builder::<TestClaims, _>(keys.clone()).build().unwrap();
    let service = layer.layer(MustBeReady {
        ready: false,
        calls: Arc::default(),
    });
    let builder_debug = format!("{:?}", builder::<TestClaims, _>(keys.clone()));

    let texts = [
        format!("{keys:?}"),
        format!("{keys:#?}"),
        format!("{secret_key:?}"),
        format!("{secret_key:#?}"),
        format!("{rsa_key:?}"),
        format!("{layer:?}"),
        format!("{layer:#?}"),
        format!("{:?}", layer_over(hs_keys())),
        builder_debug,
        format!("{service:?}"),
    ];
    let secret = std::str::from_utf8(HS_SECRET).unwrap();
    for text in &texts {
        assert!(!text.contains(secret), "the HMAC secret in {text}");
        assert!(
            !text.contains(&secret[..16]),
            "part of the HMAC secret in {text}"
        );
        assert_eq!(
            leaked_window(text, HS_SECRET),
            None,
            "the HMAC secret bytes in {text}"
        );
        for line in pem_body(RSA_PUBLIC)
            .into_iter()
            .chain(pem_body(EC256_PUBLIC))
        {
            assert!(!text.contains(line), "the PEM body in {text}");
        }
        assert_eq!(
            leaked_window(text, RSA_PUBLIC_DER),
            None,
            "the RSA key bytes in {text}"
        );
        assert_eq!(
            leaked_window(text, EC256_PUBLIC_DER),
            None,
            "the EC key bytes in {text}"
        );
    }
    // Debug still says what it can: the kid and the algorithms.
    assert!(
        texts[2].contains("hmac-1") && texts[2].contains("HS256"),
        "{}",
        texts[2]
    );
}

#[test]
fn the_pem_body_check_would_see_a_leak() {
    // The leak detectors above are not vacuous.
    let key = pem::parse(RSA_PUBLIC).unwrap();
    assert!(leaked_window(&format!("{:?}", key.contents()), RSA_PUBLIC_DER).is_some());
    assert!(leaked_window(&format!("{HS_SECRET:?}"), HS_SECRET).is_some());
    assert!(!pem_body(RSA_PUBLIC).is_empty() && !pem_body(EC256_PUBLIC).is_empty());
}

// ---------------------------------------------------------------------------------------------
// logs

#[tokio::test]
async fn rejections_are_logged_with_the_reason_and_without_the_token() {
    let (captured, _guard) = support::capture_logs();

    let calls = Arc::new(AtomicUsize::new(0));
    let service = layer_over(hs_keys()).layer(inner_service(calls.clone(), subject));
    let expired = expired_token();
    let response = service.clone().oneshot(bearer(&expired)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let forged = format!("{}.{}", expired.rsplit_once('.').unwrap().0, "A".repeat(43));
    let response = service.oneshot(bearer(&forged)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let source = |_: &TokenHeader<'_>| {
        ready(Err::<Arc<VerifyingKey>, _>(AuthError::new(
            AuthErrorKind::KeysUnavailable { retry_after: None },
        )))
    };
    let unavailable = builder::<TestClaims, _>(source)
        .build()
        .unwrap()
        .layer(inner_service(calls.clone(), subject));
    let valid = valid_token();
    assert_eq!(
        unavailable.oneshot(bearer(&valid)).await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    let logs = captured.text();
    assert!(logs.contains("expired"), "{logs}");
    assert!(logs.contains("16m40s"), "{logs}");
    assert!(logs.contains("signature is invalid"), "{logs}");
    assert!(
        logs.contains("WARN") && logs.contains("unavailable"),
        "{logs}"
    );
    for token in [&expired, &forged, &valid] {
        let (header, rest) = token.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        assert!(
            !logs.contains(token.as_str()),
            "the token is in the logs: {logs}"
        );
        assert!(
            !logs.contains(payload),
            "the payload is in the logs: {logs}"
        );
        assert!(
            !logs.contains(signature),
            "the signature is in the logs: {logs}"
        );
        assert!(!logs.contains(header), "the header is in the logs: {logs}");
    }
    assert!(
        !logs.contains(std::str::from_utf8(&HS_SECRET[..16]).unwrap()),
        "{logs}"
    );
}

// ---------------------------------------------------------------------------------------------
// the shape of rejections

#[test]
fn the_grpc_content_type_is_matched_exactly_and_in_any_case() {
    let protocol = |content_type: &str| {
        let mut headers = http::HeaderMap::new();
        headers.insert(CONTENT_TYPE, content_type.parse().unwrap());
        Protocol::of(&headers)
    };
    for grpc in [
        "application/grpc",
        "application/grpc+proto",
        "application/grpc+json",
        "Application/GRPC",
        "APPLICATION/GRPC+PROTO",
    ] {
        assert_eq!(protocol(grpc), Protocol::Grpc, "{grpc}");
    }
    for http in [
        "application/grpc-web",
        "application/grpc-web+proto",
        "application/grpcx",
        "application/grpc+",
        "application/grpc+a b",
        "application/grp",
        "text/plain; application/grpc",
        "application/json",
    ] {
        assert_eq!(protocol(http), Protocol::Http, "{http}");
    }
    assert_eq!(Protocol::of(&http::HeaderMap::new()), Protocol::Http);
}

#[tokio::test]
async fn an_application_reason_is_capped_in_both_protocols() {
    let reason = "x".repeat(10_000);
    let layer = builder::<TestClaims, _>(hs_keys())
        .check(move |_: &TestClaims, _| Err(AuthError::rejected(reason.clone())))
        .build()
        .unwrap();
    let svc = layer.layer(inner_service(Arc::default(), subject));
    let response = svc.clone().oneshot(bearer(&valid_token())).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(challenge.len() < 400, "{} bytes", challenge.len());
    assert!(
        challenge.contains(&format!("{}...\"", "x".repeat(200))),
        "{challenge}"
    );

    let mut request = bearer(&valid_token());
    request
        .headers_mut()
        .insert(CONTENT_TYPE, "application/grpc".parse().unwrap());
    let response = svc.oneshot(request).await.unwrap();
    let message = response.headers()["grpc-message"].to_str().unwrap();
    assert!(message.len() < 400, "{} bytes", message.len());
    assert!(message.ends_with("xxx..."), "{message}");

    let scope = "s".repeat(5_000);
    let challenge = tower_jwt_auth::DefaultRejection::new()
        .realm(&"r".repeat(5_000))
        .challenge(&AuthError::insufficient_scope(scope));
    assert!(challenge.len() < 1_200, "{} bytes", challenge.len());
}
