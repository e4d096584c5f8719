//! Every validation rule, accepted and refused, driven through the layer.

mod support;

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tower_jwt_auth::{
    AlgorithmSet, AuthErrorKind, JwtAuthBuilder, KeySource, StandardClaims, StaticKeys,
    VerifyingKey,
};

use support::{
    b64, builder, claims_required, get_with, hs_keys, hs_signature, hs_token, mint, mint_with,
    through_answering, token_with_kid, Outcome, TestClaims, NOW, RSA_PUBLIC,
};

/// Builds the layer and sends `request` through it to an inner service that counts its calls
/// and must get the claims.
async fn outcome_of<C, K>(builder: JwtAuthBuilder<C, K>, request: Request<String>) -> Outcome
where
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
{
    let layer = builder.build().expect("a valid configuration");
    Outcome::of(through_answering(&layer, request, claims_required).await)
}

async fn check<C, K>(builder: JwtAuthBuilder<C, K>, token: &str) -> Outcome
where
    C: DeserializeOwned + Clone + Send + Sync + 'static,
    K: KeySource,
{
    outcome_of(builder, get_with("/resource", Some(token))).await
}

/// The HS256 layer builder with the fixed clock, for `TestClaims`.
fn hs() -> JwtAuthBuilder<TestClaims, StaticKeys> {
    builder(hs_keys())
}

/// The same, for `StandardClaims` (whose `aud` may be an array).
fn hs_standard() -> JwtAuthBuilder<StandardClaims, StaticKeys> {
    builder(hs_keys())
}

/// An HS256 token for any JSON payload.
fn signed(payload: &Value) -> String {
    mint(Algorithm::HS256, payload)
}

/// A token with a header jsonwebtoken would not write, validly signed with the HS256 secret.
fn hand_made(header: &Value, payload: &Value) -> String {
    hs_token(header.to_string(), payload.to_string())
}

fn valid_payload() -> Value {
    json!({ "sub": "ann", "exp": NOW + 600 })
}

fn parts(token: &str) -> (&str, &str, &str) {
    let mut it = token.split('.');
    let parts = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    assert!(it.next().is_none());
    parts
}

fn claims_with_exp(exp: Option<u64>) -> TestClaims {
    TestClaims {
        exp,
        ..TestClaims::valid()
    }
}

// ---------------------------------------------------------------------------------------------
// exp

#[tokio::test]
async fn a_valid_token_is_accepted() {
    check(hs(), &mint(Algorithm::HS256, &TestClaims::valid()))
        .await
        .accepted();
}

#[tokio::test]
async fn exp_is_required_by_default() {
    let token = mint(Algorithm::HS256, &claims_with_exp(None));
    let outcome = check(hs(), &token).await;
    outcome.refused(AuthErrorKind::MissingClaim("exp".into()));
    assert_eq!(
        outcome.challenge.as_deref(),
        Some("Bearer error=\"invalid_token\", error_description=\"token lacks the required claim `exp`\"")
    );
}

#[tokio::test]
async fn require_exp_false_accepts_a_token_without_exp() {
    let token = mint(Algorithm::HS256, &claims_with_exp(None));
    check(hs().require_exp(false), &token).await.accepted();
}

#[tokio::test]
async fn require_exp_false_still_checks_an_exp_that_is_present() {
    let token = mint(Algorithm::HS256, &claims_with_exp(Some(NOW - 1000)));
    check(hs().require_exp(false), &token)
        .await
        .refused(AuthErrorKind::Expired {
            ago: Duration::from_secs(1000),
        });
}

#[tokio::test]
async fn expired_beyond_the_leeway_is_refused_with_how_long_ago() {
    let token = mint(Algorithm::HS256, &claims_with_exp(Some(NOW - 1000)));
    let outcome = check(hs(), &token).await;
    outcome.refused(AuthErrorKind::Expired {
        ago: Duration::from_secs(1000),
    });
    assert_eq!(
        outcome.challenge.as_deref(),
        Some("Bearer error=\"invalid_token\", error_description=\"token expired 16m40s ago\"")
    );
}

#[tokio::test]
async fn expired_within_the_default_leeway_is_accepted() {
    for ago in [1, 30, 60] {
        let token = mint(Algorithm::HS256, &claims_with_exp(Some(NOW - ago)));
        check(hs(), &token).await.accepted();
    }
    // One second past the 60 s leeway; `ago` does not count the leeway.
    let token = mint(Algorithm::HS256, &claims_with_exp(Some(NOW - 61)));
    check(hs(), &token).await.refused(AuthErrorKind::Expired {
        ago: Duration::from_secs(61),
    });
}

#[tokio::test]
async fn zero_leeway_refuses_a_token_expired_seconds_ago() {
    let token = mint(Algorithm::HS256, &claims_with_exp(Some(NOW - 30)));
    check(hs(), &token).await.accepted();
    check(hs().leeway(Duration::ZERO), &token)
        .await
        .refused(AuthErrorKind::Expired {
            ago: Duration::from_secs(30),
        });
    let later = mint(Algorithm::HS256, &claims_with_exp(Some(NOW + 1)));
    check(hs().leeway(Duration::ZERO), &later).await.accepted();
}

#[tokio::test]
async fn exp_as_a_string_is_an_invalid_claim() {
    let token = signed(&json!({ "sub": "ann", "exp": (NOW + 600).to_string() }));
    check(hs(), &token)
        .await
        .refused(AuthErrorKind::InvalidClaim("exp is not a number"));
    // Even when exp is not required, a present exp must be a number.
    check(hs().require_exp(false), &token)
        .await
        .refused(AuthErrorKind::InvalidClaim("exp is not a number"));
}

#[tokio::test]
async fn a_registered_claim_given_twice_is_refused() {
    let later = NOW + 600;
    let payload = format!(r#"{{"sub":"ann","exp":{},"exp":{later}}}"#, NOW - 1000);
    let token = hs_token(br#"{"alg":"HS256","typ":"JWT"}"#, payload.as_bytes());
    check(hs(), &token)
        .await
        .refused(AuthErrorKind::InvalidClaim(
            "a registered claim appears twice",
        ));
}

// ---------------------------------------------------------------------------------------------
// nbf

#[tokio::test]
async fn nbf_in_the_future_beyond_the_leeway_is_refused() {
    let token = signed(&json!({ "sub": "ann", "exp": NOW + 3600, "nbf": NOW + 300 }));
    let outcome = check(hs(), &token).await;
    outcome.refused(AuthErrorKind::NotYetValid {
        remaining: Duration::from_secs(300),
    });
    assert_eq!(
        outcome.challenge.as_deref(),
        Some("Bearer error=\"invalid_token\", error_description=\"token is not valid for another 5m0s\"")
    );
}

#[tokio::test]
async fn nbf_within_the_leeway_or_past_is_accepted() {
    for nbf in [NOW - 3600, NOW, NOW + 30, NOW + 60] {
        let token = signed(&json!({ "sub": "ann", "exp": NOW + 3600, "nbf": nbf }));
        check(hs(), &token).await.accepted();
    }
    let token = signed(&json!({ "sub": "ann", "exp": NOW + 3600, "nbf": NOW + 30 }));
    check(hs().leeway(Duration::ZERO), &token)
        .await
        .refused(AuthErrorKind::NotYetValid {
            remaining: Duration::from_secs(30),
        });
}

#[tokio::test]
async fn nbf_as_a_string_is_an_invalid_claim() {
    let token = signed(&json!({ "sub": "ann", "exp": NOW + 600, "nbf": NOW.to_string() }));
    check(hs(), &token)
        .await
        .refused(AuthErrorKind::InvalidClaim("nbf is not a number"));
}

// ---------------------------------------------------------------------------------------------
// iss

fn with_iss(iss: Option<&str>) -> String {
    mint(
        Algorithm::HS256,
        &TestClaims {
            iss: iss.map(String::from),
            ..TestClaims::valid()
        },
    )
}

#[tokio::test]
async fn issuer_is_one_of_the_configured_set() {
    let issuers = || hs().issuer("https://idp.test").issuer("https://other.test");
    check(issuers(), &with_iss(Some("https://idp.test")))
        .await
        .accepted();
    check(issuers(), &with_iss(Some("https://other.test")))
        .await
        .accepted();
    check(issuers(), &with_iss(Some("https://evil.test")))
        .await
        .refused(AuthErrorKind::InvalidIssuer);
    // Compared exactly: no prefix, suffix or case folding.
    check(issuers(), &with_iss(Some("https://idp.test/")))
        .await
        .refused(AuthErrorKind::InvalidIssuer);
    check(issuers(), &with_iss(Some("HTTPS://IDP.TEST")))
        .await
        .refused(AuthErrorKind::InvalidIssuer);
    check(issuers(), &with_iss(None))
        .await
        .refused(AuthErrorKind::InvalidIssuer);
}

#[tokio::test]
async fn issuer_that_is_not_a_string_is_refused() {
    let token = signed(&json!({ "sub": "ann", "exp": NOW + 600, "iss": ["https://idp.test"] }));
    check(hs().issuer("https://idp.test"), &token)
        .await
        .refused(AuthErrorKind::InvalidClaim("iss is not a string"));
}

#[tokio::test]
async fn without_a_configured_issuer_any_issuer_is_accepted() {
    check(hs(), &with_iss(Some("https://anyone.test")))
        .await
        .accepted();
    check(hs(), &with_iss(None)).await.accepted();
}

// ---------------------------------------------------------------------------------------------
// aud

fn with_aud(aud: Option<Value>) -> String {
    let mut payload = valid_payload();
    if let Some(aud) = aud {
        payload["aud"] = aud;
    }
    signed(&payload)
}

#[tokio::test]
async fn audience_is_one_of_the_configured_set() {
    let audiences = || hs_standard().audience("api").audience("web");
    check(audiences(), &with_aud(Some(json!("api"))))
        .await
        .accepted();
    check(audiences(), &with_aud(Some(json!("web"))))
        .await
        .accepted();
    check(audiences(), &with_aud(Some(json!("admin"))))
        .await
        .refused(AuthErrorKind::InvalidAudience);
    check(audiences(), &with_aud(Some(json!("API"))))
        .await
        .refused(AuthErrorKind::InvalidAudience);
}

#[tokio::test]
async fn audience_as_an_array_needs_one_of_ours() {
    let audiences = || hs_standard().audience("api").audience("web");
    check(audiences(), &with_aud(Some(json!(["other", "web"]))))
        .await
        .accepted();
    check(audiences(), &with_aud(Some(json!(["api"]))))
        .await
        .accepted();
    check(audiences(), &with_aud(Some(json!(["other", "admin"]))))
        .await
        .refused(AuthErrorKind::InvalidAudience);
    check(audiences(), &with_aud(Some(json!([]))))
        .await
        .refused(AuthErrorKind::InvalidAudience);
}

#[tokio::test]
async fn missing_audience_is_refused_when_one_is_configured() {
    check(hs_standard().audience("api"), &with_aud(None))
        .await
        .refused(AuthErrorKind::InvalidAudience);
}

#[tokio::test]
async fn audience_of_the_wrong_type_is_refused() {
    check(hs_standard().audience("api"), &with_aud(Some(json!(7))))
        .await
        .refused(AuthErrorKind::InvalidClaim(
            "aud is not a string or an array of strings",
        ));
}

#[tokio::test]
async fn without_a_configured_audience_any_aud_is_accepted() {
    check(hs_standard(), &with_aud(Some(json!("anything"))))
        .await
        .accepted();
    check(hs_standard(), &with_aud(Some(json!(["a", "b"]))))
        .await
        .accepted();
    check(hs_standard(), &with_aud(None)).await.accepted();
    // The layer ignores `aud` entirely; only the claims type could object.
    let odd = builder::<Value, _>(hs_keys());
    check(odd, &with_aud(Some(json!({ "not": "an audience" }))))
        .await
        .accepted();
}

// ---------------------------------------------------------------------------------------------
// required claims

#[tokio::test]
async fn a_required_claim_must_be_present() {
    let with_scope = mint(
        Algorithm::HS256,
        &TestClaims {
            scope: Some("read".into()),
            ..TestClaims::valid()
        },
    );
    let without = mint(Algorithm::HS256, &TestClaims::valid());
    check(hs().required_claim("scope"), &with_scope)
        .await
        .accepted();
    check(hs().required_claim("scope"), &without)
        .await
        .refused(AuthErrorKind::MissingClaim("scope".into()));
    check(hs(), &without).await.accepted();
}

#[tokio::test]
async fn every_required_claim_must_be_present() {
    let token = signed(&json!({ "sub": "ann", "exp": NOW + 600, "scope": "read" }));
    check(hs().required_claim("scope").required_claim("sub"), &token)
        .await
        .accepted();
    check(hs().required_claim("scope").required_claim("jti"), &token)
        .await
        .refused(AuthErrorKind::MissingClaim("jti".into()));
}

// ---------------------------------------------------------------------------------------------
// typ

fn with_typ(typ: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = typ.map(String::from);
    mint_with(header, &TestClaims::valid())
}

#[tokio::test]
async fn expected_type_accepts_its_spellings() {
    for typ in [
        "at+jwt",
        "application/at+jwt",
        "AT+JWT",
        "Application/At+Jwt",
    ] {
        let outcome = check(hs().expected_type("at+jwt"), &with_typ(Some(typ))).await;
        assert_eq!(outcome.status, StatusCode::OK, "typ {typ}: {outcome:?}");
        outcome.accepted();
    }
    // Configured with the long form, the short form is accepted too.
    check(
        hs().expected_type("application/at+jwt"),
        &with_typ(Some("at+jwt")),
    )
    .await
    .accepted();
}

#[tokio::test]
async fn expected_type_refuses_other_and_missing_types() {
    for typ in [
        Some("JWT"),
        Some("application/jwt"),
        Some("at+jwt2"),
        Some("application/"),
        None,
    ] {
        let outcome = check(hs().expected_type("at+jwt"), &with_typ(typ)).await;
        outcome.refused(AuthErrorKind::InvalidType);
    }
    // Without an expected type, any typ (or none) is fine.
    check(hs(), &with_typ(None)).await.accepted();
    check(hs(), &with_typ(Some("whatever"))).await.accepted();
}

#[tokio::test]
async fn a_non_ascii_typ_is_refused_without_panicking() {
    // 11 ASCII bytes then a two-byte character: byte 12 is inside the character.
    for typ in [
        "applicatio\u{e9}/at+jwt",
        "aaaaaaaaaaa\u{e9}",
        "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
    ] {
        let outcome = check(hs().expected_type("at+jwt"), &with_typ(Some(typ))).await;
        outcome.refused(AuthErrorKind::InvalidType);
    }
}

// ---------------------------------------------------------------------------------------------
// header parameters: crit, b64, alg, kid

#[tokio::test]
async fn a_hand_made_token_with_a_plain_header_is_accepted() {
    // The control for the header tests below: the hand-made signature is valid.
    check(
        hs(),
        &hand_made(&json!({ "alg": "HS256", "typ": "JWT" }), &valid_payload()),
    )
    .await
    .accepted();
    check(
        hs(),
        &hand_made(&json!({ "alg": "HS256" }), &valid_payload()),
    )
    .await
    .accepted();
    check(
        hs(),
        &hand_made(&json!({ "alg": "HS256", "b64": true }), &valid_payload()),
    )
    .await
    .accepted();
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    for crit in [
        json!(["exp"]),
        json!(["b64"]),
        json!(["urn:example:ext"]),
        json!([]),
    ] {
        let header = json!({ "alg": "HS256", "typ": "JWT", "crit": crit, "urn:example:ext": true });
        let outcome = check(hs(), &hand_made(&header, &valid_payload())).await;
        outcome.refused(AuthErrorKind::CriticalHeader);
    }
}

#[tokio::test]
async fn an_unencoded_payload_is_refused() {
    let header = json!({ "alg": "HS256", "typ": "JWT", "b64": false });
    check(hs(), &hand_made(&header, &valid_payload()))
        .await
        .refused(AuthErrorKind::UnencodedPayload);
    let header = json!({ "alg": "HS256", "b64": "false" });
    check(hs(), &hand_made(&header, &valid_payload()))
        .await
        .refused(AuthErrorKind::UnencodedPayload);
    // As RFC 7797 has it, with `crit`: refused too.
    let header = json!({ "alg": "HS256", "b64": false, "crit": ["b64"] });
    check(hs(), &hand_made(&header, &valid_payload()))
        .await
        .refused_any();
}

#[tokio::test]
async fn alg_none_in_any_spelling_is_refused() {
    for alg in ["none", "None", "nOnE", "NONE"] {
        let header = b64(json!({ "alg": alg, "typ": "JWT" }).to_string().as_bytes());
        let payload = b64(valid_payload().to_string().as_bytes());
        let message = format!("{header}.{payload}");

        // Unsigned, as `none` tokens are.
        check(hs(), &format!("{message}.")).await.refused_any();
        // With a signature that would be valid for HS256.
        let signed = format!("{message}.{}", hs_signature(&message));
        check(hs(), &signed)
            .await
            .refused(AuthErrorKind::UnsupportedAlgorithm);
        // With some other signature.
        check(hs(), &format!("{message}.{}", b64(b"signature")))
            .await
            .refused(AuthErrorKind::UnsupportedAlgorithm);
    }
}

#[tokio::test]
async fn an_algorithm_spelled_in_another_case_is_refused() {
    for alg in ["hs256", "Hs256", "HS256 "] {
        let token = hand_made(&json!({ "alg": alg }), &valid_payload());
        check(hs(), &token)
            .await
            .refused(AuthErrorKind::UnsupportedAlgorithm);
    }
}

#[tokio::test]
async fn the_configured_algorithms_bound_what_the_keys_allow() {
    let key = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256)
        .unwrap()
        .with_algorithms(AlgorithmSet::rsa())
        .unwrap();
    let keys = || StaticKeys::new().key(key.clone()).unwrap();
    let ps256 = mint(Algorithm::PS256, &TestClaims::valid());
    let rs256 = mint(Algorithm::RS256, &TestClaims::valid());

    // The key allows PS256 ...
    check(builder::<TestClaims, _>(keys()), &ps256)
        .await
        .accepted();
    // ... but the layer does not.
    let only_rs256 =
        || builder::<TestClaims, _>(keys()).algorithms(AlgorithmSet::one(Algorithm::RS256));
    check(only_rs256(), &ps256)
        .await
        .refused(AuthErrorKind::UnsupportedAlgorithm);
    check(only_rs256(), &rs256).await.accepted();
}

#[tokio::test]
async fn a_kid_longer_than_max_kid_len_is_refused() {
    // The one key has no kid, so it answers any kid that fits the limit.
    check(
        hs().max_kid_len(8),
        &token_with_kid(Algorithm::HS256, "12345678"),
    )
    .await
    .accepted();
    check(
        hs().max_kid_len(8),
        &token_with_kid(Algorithm::HS256, "123456789"),
    )
    .await
    .refused_malformed();
    // The default limit is 256 bytes.
    check(hs(), &token_with_kid(Algorithm::HS256, &"k".repeat(256)))
        .await
        .accepted();
    check(hs(), &token_with_kid(Algorithm::HS256, &"k".repeat(257)))
        .await
        .refused_malformed();
}

#[tokio::test]
async fn a_kid_that_is_not_a_string_is_refused() {
    for kid in [
        json!(12),
        json!(["a"]),
        json!({ "path": "../../dev/null" }),
        json!(true),
    ] {
        let token = hand_made(&json!({ "alg": "HS256", "kid": kid }), &valid_payload());
        check(hs(), &token).await.refused_malformed();
    }
    check(
        hs(),
        &hand_made(&json!({ "alg": "HS256", "kid": "a" }), &valid_payload()),
    )
    .await
    .accepted();
}

// ---------------------------------------------------------------------------------------------
// size

#[tokio::test]
async fn a_token_longer_than_max_token_len_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let len = token.len();
    check(hs().max_token_len(len), &token).await.accepted();
    check(hs().max_token_len(len - 1), &token)
        .await
        .refused(AuthErrorKind::TokenTooLarge { len, max: len - 1 });
}

#[tokio::test]
async fn by_default_a_9_kib_token_is_refused() {
    let claims = TestClaims {
        scope: Some("x".repeat(9 * 1024)),
        ..TestClaims::valid()
    };
    let token = mint(Algorithm::HS256, &claims);
    assert!(token.len() > 9 * 1024);
    check(hs(), &token)
        .await
        .refused(AuthErrorKind::TokenTooLarge {
            len: token.len(),
            max: 8 * 1024,
        });
    // The same token passes once the limit allows it: only the size was wrong.
    check(hs().max_token_len(16 * 1024), &token)
        .await
        .accepted();
}

#[tokio::test]
async fn a_huge_token_of_dots_is_refused_by_size() {
    let token = ".".repeat(100_000);
    check(hs(), &token)
        .await
        .refused(AuthErrorKind::TokenTooLarge {
            len: 100_000,
            max: 8 * 1024,
        });
}

// ---------------------------------------------------------------------------------------------
// shape: only compact JWS

#[tokio::test]
async fn a_jwe_shaped_token_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    check(hs(), &format!("{h}.{p}.{s}.{p}.{s}"))
        .await
        .refused_malformed();
    let jwe_header = b64(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
    check(hs(), &format!("{jwe_header}.{p}.{s}.{p}.{s}"))
        .await
        .refused_malformed();
    // 2 and 4 segments too.
    check(hs(), &format!("{h}.{p}")).await.refused_malformed();
    check(hs(), &format!("{h}.{p}.{s}.{s}"))
        .await
        .refused_malformed();
}

#[tokio::test]
async fn the_json_serialization_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    let general =
        json!({ "payload": p, "signatures": [{ "protected": h, "signature": s }] }).to_string();
    let flattened = json!({ "payload": p, "protected": h, "signature": s }).to_string();
    for serialized in [general, flattened] {
        assert!(!serialized.contains(' '));
        check(hs(), &serialized).await.refused_malformed();
    }
}

#[tokio::test]
async fn padding_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    for padded in [
        format!("{h}=.{p}.{s}"),
        format!("{h}.{p}=.{s}"),
        format!("{h}.{p}.{s}="),
        format!("{token}=="),
    ] {
        check(hs(), &padded).await.refused_malformed();
    }
    // The header in standard base64 with padding, re-signed: still refused.
    let header = STANDARD.encode(br#"{"alg":"HS256","typ":"JWT"}x"#);
    assert!(header.ends_with('='));
    let message = format!("{header}.{p}");
    check(hs(), &format!("{message}.{}", hs_signature(&message)))
        .await
        .refused_malformed();
}

#[tokio::test]
async fn standard_base64_characters_are_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    for c in ['+', '/'] {
        check(hs(), &format!("{h}.{p}.{c}{}", &s[1..]))
            .await
            .refused_malformed();
        check(hs(), &format!("{c}{}.{p}.{s}", &h[1..]))
            .await
            .refused_malformed();
    }
    // The token's own bytes written in standard base64, wherever that differs.
    let standard = token.replace('-', "+").replace('_', "/");
    if standard != token {
        check(hs(), &standard).await.refused_malformed();
    }
}

#[tokio::test]
async fn whitespace_inside_the_token_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    for spaced in [
        format!("{h}. {p}.{s}"),
        format!("{h}.{p}.{} {}", &s[..10], &s[10..]),
        format!("{h}.{p}\t.{s}"),
    ] {
        let request = Request::get("/")
            .header(
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {spaced}")).unwrap(),
            )
            .body(String::new())
            .unwrap();
        let outcome = outcome_of(hs(), request).await;
        // Not a bearer token at the HTTP level: 400 invalid_request (RFC 6750 §3.1).
        assert_eq!(outcome.status, StatusCode::BAD_REQUEST, "{outcome:?}");
        assert!(
            matches!(outcome.kind, Some(AuthErrorKind::InvalidRequest(_))),
            "{outcome:?}"
        );
        assert!(outcome
            .challenge
            .as_deref()
            .unwrap()
            .starts_with("Bearer error=\"invalid_request\""));
        assert_eq!(outcome.calls, 0);
    }
}

#[tokio::test]
async fn a_truncated_token_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, _) = parts(&token);
    for cut in [1, 2, 3, 10] {
        check(hs(), &token[..token.len() - cut]).await.refused_any();
    }
    check(hs(), &format!("{h}.{p}.")).await.refused_malformed();
    check(hs(), &format!("{h}.{p}")).await.refused_malformed();
    check(hs(), &format!("{h}.{}", &p[..p.len() / 2]))
        .await
        .refused_malformed();
    check(hs(), h).await.refused_malformed();
}

/// Another character of the base64url alphabet in place of the one at `index`, keeping the
/// encoding canonical (the first character of a segment carries six full bits).
fn flip_first(segment: &str) -> String {
    let first = segment.as_bytes()[0];
    let other = if first == b'A' { 'B' } else { 'A' };
    format!("{other}{}", &segment[1..])
}

#[tokio::test]
async fn a_tampered_header_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    let header = b64(br#"{"typ":"jwt","alg":"HS256"}"#);
    assert_ne!(header, h);
    check(hs(), &format!("{header}.{p}.{s}"))
        .await
        .refused(AuthErrorKind::InvalidSignature);
    let header = b64(br#"{"alg":"HS256","typ":"JWT","kid":"x"}"#);
    check(hs(), &format!("{header}.{p}.{s}"))
        .await
        .refused(AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, _, s) = parts(&token);
    let forged = TestClaims {
        sub: "admin".into(),
        ..TestClaims::valid()
    };
    let payload = b64(serde_json::to_string(&forged).unwrap().as_bytes());
    check(hs(), &format!("{h}.{payload}.{s}"))
        .await
        .refused(AuthErrorKind::InvalidSignature);
    let longer = TestClaims {
        exp: Some(NOW + 999_999),
        ..TestClaims::valid()
    };
    let payload = b64(serde_json::to_string(&longer).unwrap().as_bytes());
    check(hs(), &format!("{h}.{payload}.{s}"))
        .await
        .refused(AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    let (h, p, s) = parts(&token);
    check(hs(), &format!("{h}.{p}.{}", flip_first(s)))
        .await
        .refused(AuthErrorKind::InvalidSignature);
    // The signature of another token.
    let other = mint(
        Algorithm::HS256,
        &TestClaims {
            sub: "bob".into(),
            ..TestClaims::valid()
        },
    );
    check(hs(), &format!("{h}.{p}.{}", parts(&other).2))
        .await
        .refused(AuthErrorKind::InvalidSignature);
    // Signed with another secret.
    let message = format!("{h}.{p}");
    let wrong = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(&[7; 64]),
        Algorithm::HS256,
    )
    .unwrap();
    check(hs(), &format!("{message}.{wrong}"))
        .await
        .refused(AuthErrorKind::InvalidSignature);
    // Any changed last character: either not canonical base64url or not the signature.
    let last = s.as_bytes()[s.len() - 1];
    let changed = if last == b'A' { 'Q' } else { 'A' };
    check(hs(), &format!("{h}.{p}.{}{changed}", &s[..s.len() - 1]))
        .await
        .refused_any();
}

// ---------------------------------------------------------------------------------------------
// payload

#[tokio::test]
async fn a_payload_that_is_a_json_array_is_refused() {
    let header = json!({ "alg": "HS256", "typ": "JWT" });
    check(
        hs(),
        &hand_made(&header, &json!([{ "sub": "ann", "exp": NOW + 600 }])),
    )
    .await
    .refused_malformed();
    check(hs(), &hand_made(&header, &json!("ann")))
        .await
        .refused_malformed();
    check(hs().require_exp(false), &hand_made(&header, &json!(null)))
        .await
        .refused_malformed();
    let header = br#"{"alg":"HS256"}"#;
    check(hs(), &hs_token(header, b"not json"))
        .await
        .refused_malformed();
    let trailing = format!(r#"{{"sub":"ann","exp":{}}} trailing"#, NOW + 600);
    check(hs(), &hs_token(header, trailing.as_bytes()))
        .await
        .refused_malformed();
}

#[tokio::test]
async fn claims_that_do_not_fit_the_claims_type_are_refused() {
    // `TestClaims` needs a string `sub`.
    check(hs(), &signed(&json!({ "exp": NOW + 600 })))
        .await
        .refused(AuthErrorKind::InvalidClaims);
    check(hs(), &signed(&json!({ "sub": 42, "exp": NOW + 600 })))
        .await
        .refused(AuthErrorKind::InvalidClaims);
    check(
        hs(),
        &signed(&json!({ "sub": "ann", "exp": NOW + 600, "scope": ["a"] })),
    )
    .await
    .refused(AuthErrorKind::InvalidClaims);
    // A fractional exp passes the time check but not `Option<u64>`.
    check(
        hs(),
        &signed(&json!({ "sub": "ann", "exp": NOW as f64 + 600.5 })),
    )
    .await
    .refused(AuthErrorKind::InvalidClaims);
}

// ---------------------------------------------------------------------------------------------
// clock

#[tokio::test]
async fn the_custom_clock_is_honoured() {
    let day = Duration::from_secs(24 * 3600);
    let token = mint(Algorithm::HS256, &TestClaims::valid());
    check(hs(), &token).await.accepted();
    let unclocked = || {
        support::with_backend(tower_jwt_auth::JwtAuthLayer::<TestClaims>::builder(
            hs_keys(),
        ))
    };
    let tomorrow = unclocked().clock(move || support::clock() + day);
    check(tomorrow, &token)
        .await
        .refused(AuthErrorKind::Expired {
            ago: day - Duration::from_secs(600),
        });

    // And the other way round: valid only from tomorrow.
    let future = token_nbf(NOW + day.as_secs());
    check(hs(), &future)
        .await
        .refused(AuthErrorKind::NotYetValid { remaining: day });
    check(unclocked().clock(move || support::clock() + day), &future)
        .await
        .accepted();
}

fn token_nbf(nbf: u64) -> String {
    signed(&json!({ "sub": "ann", "exp": nbf + 600, "nbf": nbf }))
}
