//! The builder never silently drops a setting: calls that add up add up, a single-value
//! setting set twice is refused by `build()`, and out-of-range values are refused there too.

mod support;

use std::time::{Duration, SystemTime};

use http::{Response, StatusCode};
use jsonwebtoken::Algorithm;
use support::*;
use tower_jwt_auth::{
    AlgorithmSet, AuthError, AuthErrorKind, ConfigErrorKind, DefaultRejection, Issuers,
    JwtAuthBuilder, JwtAuthLayer, OnRejection, Protocol, StaticKeys,
};

fn keys() -> StaticKeys {
    StaticKeys::new()
        .secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .rsa_pem(RSA_PUBLIC, Algorithm::RS256)
        .unwrap()
}

fn fresh() -> JwtAuthBuilder<TestClaims, StaticKeys> {
    with_backend(JwtAuthLayer::<TestClaims>::builder(keys()))
}

/// The message of the error `build()` gives, which must be an `InvalidSetting`.
fn refusal<R>(builder: JwtAuthBuilder<TestClaims, StaticKeys, R>) -> String {
    let Err(error) = builder.build() else {
        panic!("build() must refuse");
    };
    assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting, "{error}");
    error.to_string()
}

type Edit = fn(JwtAuthBuilder<TestClaims, StaticKeys>) -> JwtAuthBuilder<TestClaims, StaticKeys>;

#[test]
fn a_single_value_setting_set_twice_is_refused() {
    let cases: [(&str, Edit); 9] = [
        ("leeway", |b| {
            b.leeway(Duration::from_secs(1))
                .leeway(Duration::from_secs(2))
        }),
        ("require_exp", |b| b.require_exp(false).require_exp(true)),
        ("max_token_len", |b| b.max_token_len(100).max_token_len(200)),
        ("max_kid_len", |b| b.max_kid_len(10).max_kid_len(20)),
        ("max_json_depth", |b| b.max_json_depth(4).max_json_depth(8)),
        ("clock", |b| b.clock(SystemTime::now).clock(clock)),
        ("cache", |b| {
            b.cache(10, Duration::from_secs(1))
                .cache(20, Duration::from_secs(2))
        }),
        ("realm", |b| b.realm("a").realm("b")),
        ("crypto_provider", |b| {
            b.crypto_provider(test_backend())
                .crypto_provider(test_backend())
        }),
    ];
    for (name, edit) in cases {
        let builder = match name {
            // `with_backend` may already have named a provider.
            "crypto_provider" => JwtAuthLayer::<TestClaims>::builder(keys()),
            _ => fresh(),
        };
        let message = refusal(edit(builder));
        assert!(
            message.contains(&format!("`{name}` is set twice")),
            "{name}: {message}"
        );
        // Once is fine.
        let once = match name {
            "crypto_provider" => {
                JwtAuthLayer::<TestClaims>::builder(keys()).crypto_provider(test_backend())
            }
            _ => fresh(),
        };
        assert!(once.build().is_ok(), "{name}");
    }
}

#[test]
fn on_rejection_after_realm_is_refused_rather_than_dropping_the_realm() {
    let custom = |error: &AuthError, protocol: Protocol| -> Response<String> {
        DefaultRejection::new().on_rejection(error, protocol)
    };
    let message = refusal(fresh().realm("api").on_rejection(custom));
    assert!(message.contains("realm"), "{message}");
    assert!(fresh().on_rejection(custom).build().is_ok());
}

#[tokio::test]
async fn algorithms_called_twice_narrow_to_the_intersection() {
    let hs_or_rs = AlgorithmSet::one(Algorithm::HS256).union(AlgorithmSet::one(Algorithm::RS256));
    let layer = fresh()
        .clock(clock)
        .algorithms(hs_or_rs)
        .algorithms(AlgorithmSet::one(Algorithm::RS256))
        .build()
        .unwrap();
    let r = through(
        &layer,
        bearer(&mint(Algorithm::RS256, &TestClaims::valid())),
    )
    .await
    .0;
    assert_eq!(r.status(), StatusCode::OK);
    let r = through(
        &layer,
        bearer(&mint(Algorithm::HS256, &TestClaims::valid())),
    )
    .await
    .0;
    assert_eq!(
        r.extensions().get::<AuthError>().map(AuthError::kind),
        Some(&AuthErrorKind::UnsupportedAlgorithm)
    );
    // Disjoint sets leave nothing: refused at build.
    let message = refusal(
        fresh()
            .algorithms(AlgorithmSet::one(Algorithm::HS256))
            .algorithms(AlgorithmSet::one(Algorithm::RS256)),
    );
    assert!(message.contains("no algorithm"), "{message}");
}

#[test]
fn out_of_range_limits_are_refused_at_build() {
    for (what, builder) in [
        (
            "cache capacity",
            fresh().cache(usize::MAX, Duration::from_secs(60)),
        ),
        ("cache lifetime", fresh().cache(10, Duration::MAX)),
        ("token length", fresh().max_token_len(usize::MAX)),
        ("kid length", fresh().max_kid_len(usize::MAX)),
        ("leeway", fresh().leeway(Duration::MAX)),
    ] {
        let message = refusal(builder);
        assert!(!message.is_empty(), "{what}");
    }
    assert!(fresh()
        .cache(10_000_000, Duration::from_secs(86_400))
        .build()
        .is_ok());
    assert!(fresh().max_token_len(1024 * 1024).build().is_ok());
}

#[test]
fn an_issuer_named_twice_is_refused() {
    let issuers = Issuers::new()
        .issuer("https://a.example", keys(), ["api"])
        .issuer("https://b.example", keys(), ["api"])
        .issuer("https://a.example", keys(), ["admin"]);
    let error = with_backend(JwtAuthLayer::<TestClaims>::builder(issuers))
        .build()
        .expect_err("a duplicate issuer would lose its first keys or audiences");
    assert!(error.to_string().contains("https://a.example"), "{error}");
    assert!(error.to_string().contains("twice"), "{error}");
}

#[test]
fn a_grant_source_wanting_at_jwt_refuses_an_expected_type_that_would_widen_it() {
    use tower_jwt_auth::GrantSource;
    let message = refusal(fresh().expected_type("JWT").grants(GrantSource::rfc9068()));
    assert!(message.contains("at+jwt"), "{message}");
    // The same type, or none, is fine.
    assert!(fresh()
        .expected_type("application/at+jwt")
        .grants(GrantSource::rfc9068())
        .build()
        .is_ok());
    assert!(fresh().grants(GrantSource::rfc9068()).build().is_ok());
}
