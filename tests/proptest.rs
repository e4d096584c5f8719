//! Property tests: whatever a client sends, the middleware refuses it cleanly.
//!
//! Arbitrary bytes in the `Authorization` header, in a cookie, arbitrary JSON-ish segments
//! shaped like a compact JWS, and arbitrary JWKS documents: never a panic, never a 200, always
//! a 400 or 401 carrying its `AuthError` (or an `Err` from `StaticKeys::jwks`). Tokens really
//! signed with the HS256 secret but with arbitrary header and claims may pass, and then only
//! with claims that pass the configured checks. The fuzz targets in `fuzz/` cover the same
//! ground with coverage guidance.

mod support;

use std::sync::LazyLock;

use futures_util::FutureExt as _;
use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Value};
use tower_jwt_auth::{AuthError, Claims, JwtAuthLayer, StaticKeys, TokenSource, VerifyingKey};

use support::{b64, through, TestClaims, EC256_PUBLIC, ED_PUBLIC, HS_SECRET, NOW, RSA_PUBLIC};

const CASES: u32 = 256;

/// Every kind of key: an HS256 secret, an RSA key with a `kid`, an EC and an Ed25519 key.
fn keys() -> StaticKeys {
    let rsa = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256)
        .unwrap()
        .with_kid("rsa");
    StaticKeys::new()
        .secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .key(rsa)
        .unwrap()
        .ec_pem(EC256_PUBLIC, Algorithm::ES256)
        .unwrap()
        .ed_pem(ED_PUBLIC)
        .unwrap()
}

fn layer(source: TokenSource) -> JwtAuthLayer<TestClaims> {
    support::strict_builder(keys())
        .token_source(source)
        .build()
        .expect("layer builds")
}

static BEARER: LazyLock<JwtAuthLayer<TestClaims>> = LazyLock::new(|| layer(TokenSource::Bearer));
static COOKIE_S: LazyLock<JwtAuthLayer<TestClaims>> =
    LazyLock::new(|| layer(TokenSource::cookie("s")));

/// Sends one request with `name: value` through `layer`; the inner service answers 200 with
/// the claims it was given in the response's extensions.
fn send_header(
    layer: &JwtAuthLayer<TestClaims>,
    name: HeaderName,
    value: HeaderValue,
) -> Response<String> {
    let mut request = Request::new(String::new());
    request.headers_mut().insert(name, value);
    through(layer, request)
        .now_or_never()
        .expect("static keys never make the request wait")
        .0
}

/// The response is a clean refusal: 400 or 401, with the `AuthError` that says why.
fn refused(response: &Response<String>) -> Result<(), TestCaseError> {
    let status = response.status();
    prop_assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNAUTHORIZED,
        "status {status}"
    );
    let error = response.extensions().get::<AuthError>();
    prop_assert!(error.is_some(), "a refusal carries its AuthError");
    prop_assert_eq!(error.unwrap().status(), status);
    prop_assert!(response.extensions().get::<Claims<TestClaims>>().is_none());
    Ok(())
}

/// Sends `bytes` as the value of `name` when they make a header value at all.
fn refuses(
    layer: &JwtAuthLayer<TestClaims>,
    name: HeaderName,
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    match HeaderValue::from_bytes(bytes) {
        Ok(value) => refused(&send_header(layer, name, value)),
        Err(_) => Ok(()),
    }
}

fn header_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(b"ABCxyz019-_.".to_vec()),
        1 => prop::sample::select(b" \t=;,\"+/".to_vec()),
        2 => 0x20u8..=0x7e,
        1 => 0x80u8..=0xff,
    ]
}

/// Any byte, mostly one that a header value may hold (so that most values are sent).
fn any_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        1 => Just(b'\t'),
        40 => 0x20u8..=0x7e,
        40 => 0x80u8..=0xff,
        2 => any::<u8>(),
    ]
}

fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(header_byte(), 0..200)
}

/// A short string, often one the middleware compares against.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "HS256",
            "RS256",
            "ES256",
            "EdDSA",
            "PS256",
            "HS512",
            "ES384",
            "none",
            "None",
            "rsa",
            "JWT",
            "at+jwt",
            "https://idp.test",
            "api",
            "ann",
            "",
        ])
        .prop_map(String::from),
        ".{0,12}",
    ]
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(Value::from(NOW + 600)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            btree_map(text(), inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with some of `members` (each with a likely or an arbitrary value) and some
/// arbitrary members.
fn object(members: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let likely = members.iter().map(|name| {
        let value = prop_oneof![3 => text().prop_map(Value::String), 1 => json()];
        (Just(*name), prop::option::weighted(0.7, value))
    });
    (likely.collect::<Vec<_>>(), btree_map(text(), json(), 0..3)).prop_map(|(likely, extra)| {
        let mut object: Map<String, Value> = extra.into_iter().collect();
        for (name, value) in likely {
            if let Some(value) = value {
                object.insert(name.into(), value);
            }
        }
        Value::Object(object)
    })
}

/// JSON-ish bytes: a JOSE-like object, any JSON, JSON with bytes overwritten, deep nesting,
/// or plain bytes.
fn json_ish(members: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => object(members).prop_map(|v| v.to_string().into_bytes()),
        2 => json().prop_map(|v| v.to_string().into_bytes()),
        1 => (object(members), vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)).prop_map(|(v, edits)| {
            let mut bytes = v.to_string().into_bytes();
            for (at, byte) in edits {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            bytes
        }),
        1 => (1usize..40, prop::bool::ANY).prop_map(|(depth, arrays)| {
            let (open, close) = if arrays { ("[", "]") } else { ("{\"a\":", "}") };
            format!("{}1{}", open.repeat(depth), close.repeat(depth)).into_bytes()
        }),
        1 => vec(any::<u8>(), 0..64),
    ]
}

/// One of `names` (as a JSON string) most of the time, any JSON value otherwise.
fn name(names: &[&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(names.to_vec()).prop_map(Value::from),
        1 => json(),
    ]
}

/// A JWK with members of the right names, often of the right kinds, with arbitrary values.
fn jwk() -> impl Strategy<Value = Value> {
    let bytes = || {
        prop::option::weighted(
            0.7,
            prop_oneof![
                4 => vec(any::<u8>(), 0..300).prop_map(|b| Value::String(b64(&b))),
                1 => Just(Value::from("AQAB")),
                1 => json(),
            ],
        )
    };
    let ops = prop_oneof![
        Just(serde_json::json!(["verify"])),
        Just(serde_json::json!(["sign"])),
        json()
    ];
    (
        name(&["RSA", "EC", "OKP", "oct", "AKP"]),
        prop::option::weighted(
            0.6,
            name(&[
                "RS256", "PS384", "ES256", "ES384", "EdDSA", "HS256", "HS512", "none",
            ]),
        ),
        prop::option::weighted(0.6, name(&["P-256", "P-384", "P-521", "Ed25519", "X25519"])),
        prop::option::weighted(0.3, name(&["sig", "enc"])),
        prop::option::weighted(0.2, ops),
        prop::option::weighted(0.5, text().prop_map(Value::String)),
        (bytes(), bytes(), bytes(), bytes(), bytes()),
    )
        .prop_map(|(kty, alg, crv, use_, key_ops, kid, (n, e, x, y, k))| {
            let mut key = serde_json::json!({ "kty": kty });
            let members = [
                ("alg", alg),
                ("crv", crv),
                ("use", use_),
                ("key_ops", key_ops),
                ("kid", kid),
                ("n", n),
                ("e", e),
                ("x", x),
                ("y", y),
                ("k", k),
            ];
            for (member, value) in members {
                maybe_set(&mut key, member, value);
            }
            key
        })
}

/// A JWK that is right but for its key material, which is random: sometimes usable (an `oct`
/// key, an Ed25519 point), mostly not (an RSA modulus, an EC point off the curve).
fn near_jwk() -> impl Strategy<Value = Value> {
    let material = |len: std::ops::Range<usize>| vec(any::<u8>(), len).prop_map(|b| b64(&b));
    let key = prop_oneof![
        (material(16..80), name(&["HS256", "HS384", "HS512"]))
            .prop_map(|(k, alg)| serde_json::json!({ "kty": "oct", "alg": alg, "k": k })),
        (
            prop_oneof![4 => material(120..300), 1 => vec(Just(0u8), 0..3).prop_map(|b| b64(&b))],
            material(1..4)
        )
            .prop_map(|(n, e)| serde_json::json!({ "kty": "RSA", "n": n, "e": e })),
        (
            material(31..34),
            material(31..34),
            name(&["P-256", "P-384"])
        )
            .prop_map(|(x, y, crv)| serde_json::json!({ "kty": "EC", "crv": crv, "x": x, "y": y })),
        material(31..34)
            .prop_map(|x| serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": x })),
    ];
    let extra = (
        prop::option::weighted(0.2, name(&["sig", "enc"])),
        prop::option::weighted(0.5, text().prop_map(Value::String)),
    );
    (key, extra).prop_map(|(mut key, (use_, kid))| {
        maybe_set(&mut key, "use", use_);
        maybe_set(&mut key, "kid", kid);
        key
    })
}

const HEADER: &[&str] = &["alg", "kid", "typ", "crit", "b64", "jwk"];
const CLAIMS: &[&str] = &["sub", "exp", "nbf", "iss", "aud", "scope"];

/// Sets `name` to `value` in a JSON object, when there is a value.
fn maybe_set(object: &mut Value, name: &str, value: Option<Value>) {
    if let (Value::Object(map), Some(value)) = (object, value) {
        map.insert(name.into(), value);
    }
}

/// Usually `likely`, sometimes any JSON value, sometimes absent.
fn member(likely: Value) -> impl Strategy<Value = Option<Value>> {
    prop::option::weighted(0.85, prop_oneof![4 => Just(likely), 1 => json()])
}

/// JSON-ish header bytes, mostly an object whose `alg` is `HS256`, seldom with `crit` or
/// `b64`.
fn hs256_header() -> impl Strategy<Value = Vec<u8>> {
    let object = (
        prop::option::weighted(0.3, text().prop_map(Value::String)),
        prop::option::weighted(0.3, text().prop_map(Value::String)),
        prop::option::weighted(0.05, json()),
        prop::option::weighted(0.1, prop_oneof![Just(Value::Bool(true)), json()]),
        btree_map(text(), json(), 0..3),
    )
        .prop_map(|(kid, typ, crit, b64, extra)| {
            let mut header = Value::Object(extra.into_iter().collect());
            for (name, value) in [("kid", kid), ("typ", typ), ("crit", crit), ("b64", b64)] {
                maybe_set(&mut header, name, value);
            }
            maybe_set(&mut header, "alg", Some(Value::from("HS256")));
            header.to_string().into_bytes()
        });
    prop_oneof![4 => object, 1 => json_ish(HEADER)]
}

/// JSON-ish claims, mostly an object whose `iss`, `aud`, `exp` and `nbf` are often valid.
fn likely_claims() -> impl Strategy<Value = Vec<u8>> {
    let object = (
        object(&["sub", "scope", "iat"]),
        member(Value::from("https://idp.test")),
        member(Value::from("api")),
        member(Value::from(NOW + 600)),
        prop::option::weighted(0.3, prop_oneof![Just(Value::from(NOW - 10)), json()]),
    )
        .prop_map(|(mut claims, iss, aud, exp, nbf)| {
            for (name, value) in [("iss", iss), ("aud", aud), ("exp", exp), ("nbf", nbf)] {
                maybe_set(&mut claims, name, value);
            }
            claims.to_string().into_bytes()
        });
    prop_oneof![4 => object, 1 => json_ish(CLAIMS)]
}

proptest! {
    // Failures found here or by the fuzz targets are pinned below as plain tests, not in a
    // regressions file.
    #![proptest_config(ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_authorization_bytes_are_refused(bytes in vec(any_byte(), 0..100)) {
        refuses(&BEARER, AUTHORIZATION, &bytes)?;
    }

    #[test]
    fn any_bearer_value_is_refused(
        scheme in prop::sample::select(vec!["", "Bearer ", "bearer", "BEARER   ", "Bearer\t", "Basic "]),
        bytes in header_bytes(),
    ) {
        refuses(&BEARER, AUTHORIZATION, &[scheme.as_bytes(), &bytes].concat())?;
    }

    #[test]
    fn any_cookie_value_is_refused(bytes in header_bytes(), raw in vec(any::<u8>(), 0..100)) {
        refuses(&COOKIE_S, COOKIE, &[b"s=", &bytes[..]].concat())?;
        refuses(&COOKIE_S, COOKIE, &[b"s=", &raw[..]].concat())?;
        refuses(&COOKIE_S, COOKIE, &bytes)?;
    }

    #[test]
    fn any_jws_shaped_token_is_refused(
        header in json_ish(HEADER),
        payload in json_ish(CLAIMS),
        signature in vec(any::<u8>(), 0..300),
    ) {
        let token = format!("{}.{}.{}", b64(&header), b64(&payload), b64(&signature));
        let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
        refused(&send_header(&BEARER, AUTHORIZATION, value))?;
        let cookie = HeaderValue::try_from(format!("s={token}")).unwrap();
        refused(&send_header(&COOKIE_S, COOKIE, cookie))?;
    }

    /// Correctly signed with the HS256 secret, with arbitrary header and claims: never a
    /// panic; a 200 only with claims that deserialize and pass the configured checks.
    #[test]
    fn any_signed_token_is_verified_or_refused(header in hs256_header(), payload in likely_claims()) {
        support::install_signing_provider();
        let message = format!("{}.{}", b64(&header), b64(&payload));
        let signature = jsonwebtoken::crypto::sign(
            message.as_bytes(),
            &EncodingKey::from_secret(HS_SECRET),
            Algorithm::HS256,
        )
        .unwrap();
        let value = HeaderValue::try_from(format!("Bearer {message}.{signature}")).unwrap();
        let response = send_header(&BEARER, AUTHORIZATION, value);
        if response.status() == StatusCode::OK {
            let claims = response.extensions().get::<Claims<TestClaims>>();
            prop_assert!(claims.is_some());
            let Claims(claims) = claims.unwrap();
            prop_assert_eq!(claims.iss.as_deref(), Some("https://idp.test"));
            prop_assert_eq!(claims.aud.as_deref(), Some("api"));
            prop_assert!(claims.exp.is_some_and(|exp| exp.saturating_add(60) >= NOW));
        } else {
            refused(&response)?;
        }
    }

    #[test]
    fn any_bytes_are_not_a_jwks(bytes in vec(any::<u8>(), 0..300)) {
        prop_assert!(StaticKeys::new().jwks(&bytes).is_err());
    }

    /// A JWKS-shaped document with arbitrary members may hold a usable key (an `oct` key, for
    /// one); whatever it holds, reading it never panics and an Ok set is never empty.
    #[test]
    fn any_jwks_shaped_document_is_read_or_refused(
        keys in vec(prop_oneof![jwk(), near_jwk()], 0..4),
        mangle in json_ish(&["keys"]),
        which in 0..3u8,
    ) {
        let document = match which {
            0 => serde_json::json!({ "keys": keys }).to_string().into_bytes(),
            1 => serde_json::json!({ "keys": keys, "extra": Value::Null }).to_string().into_bytes(),
            _ => mangle,
        };
        if let Ok(set) = StaticKeys::new().jwks(&document) {
            prop_assert!(!set.is_empty());
        }
    }
}

/// The shapes that come closest to passing, pinned as plain cases.
#[test]
fn near_misses_are_refused() {
    let claims = br#"{"sub":"ann","exp":1767226200,"iss":"https://idp.test","aud":"api"}"#;
    for header in [
        &br#"{"alg":"none"}"#[..],
        br#"{"alg":"HS256","crit":["exp"]}"#,
        br#"{"alg":"HS256","b64":false}"#,
        br#"{"alg":"RS256","kid":"rsa"}"#,
        br#"{"alg":"HS256","kid":"rsa"}"#,
        br#"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]"#,
    ] {
        let token = format!("{}.{}.{}", b64(header), b64(claims), b64([0; 32]));
        let value = HeaderValue::try_from(format!("Bearer {token}")).unwrap();
        refused(&send_header(&BEARER, AUTHORIZATION, value)).unwrap();
    }
    for value in [
        "Bearer",
        "Bearer ",
        "Bearer a.b.c",
        "Bearer a..c",
        "Bearer ~.~.~",
    ] {
        refused(&send_header(
            &BEARER,
            AUTHORIZATION,
            HeaderValue::from_static(value),
        ))
        .unwrap();
    }
    refused(&send_header(
        &COOKIE_S,
        COOKIE,
        HeaderValue::from_static("s=a.b.c; s=d.e.f"),
    ))
    .unwrap();
}

/// Found by `cargo fuzz run jwks`: an RSA JWK whose modulus is empty, or only zero bytes,
/// made `VerifyingKey::from_rsa_components` subtract with overflow while counting the
/// modulus's bits (a panic with overflow checks on; without them the count wraps and the
/// empty modulus passes the size check).
#[test]
fn rsa_jwk_with_an_empty_modulus_is_refused() {
    for n in ["", "AA", "AAAA"] {
        let document = format!(r#"{{"keys":[{{"kty":"RSA","n":"{n}","e":"AQAB"}}]}}"#);
        let result =
            std::panic::catch_unwind(|| StaticKeys::new().jwks(&document).map(|k| k.len()));
        assert!(matches!(result, Ok(Err(_))), "n = {n:?}: {result:?}");
        let result = std::panic::catch_unwind(|| {
            VerifyingKey::from_rsa_components(n, "AQAB", Algorithm::RS256).map(|_| ())
        });
        assert!(matches!(result, Ok(Err(_))), "n = {n:?}: {result:?}");
    }
}
