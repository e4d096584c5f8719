//! Every key type and algorithm, through the layer: HMAC secrets, RSA, EC and Ed25519 public
//! keys in every encoding the crate reads, a local JWKS document, the errors refused at build
//! time, and the HMAC/public-key confusion attack in every encoding of the public key.

mod common;

use std::convert::Infallible;

use base64::Engine as _;
use http::{Request, Response, StatusCode};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use tower::{service_fn, Layer as _, ServiceExt};
use tower_jwt_auth::{
    AlgorithmSet, AuthError, AuthErrorKind, Claims, ConfigError, ConfigErrorKind, JwtAuthLayer,
    StaticKeys, VerifyingKey,
};

use common::{public_jwk, TestClaims, HS_SECRET};

const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// Builds a layer over `keys` and sends one request bearing `token` through it. The inner
/// service copies the claims it was given into the response's extensions.
async fn send(keys: StaticKeys, token: &str) -> Response<String> {
    let layer: JwtAuthLayer<TestClaims> = common::builder(keys).build().expect("layer builds");
    let service = layer.layer(service_fn(|request: Request<String>| async move {
        let mut response = Response::new(String::from("inner"));
        if let Some(claims) = request.extensions().get::<Claims<TestClaims>>() {
            response.extensions_mut().insert(claims.clone());
        }
        Ok::<_, Infallible>(response)
    }));
    let request = Request::get("/")
        .header("authorization", format!("Bearer {token}"))
        .body(String::new())
        .unwrap();
    service.oneshot(request).await.unwrap()
}

/// The token reached the inner service, with its claims.
fn assert_accepted(response: &Response<String>, what: &str) {
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{what}: refused with {:?}",
        response.extensions().get::<AuthError>()
    );
    assert_eq!(response.body(), "inner", "{what}");
    assert_eq!(
        response.extensions().get::<Claims<TestClaims>>(),
        Some(&Claims::new(TestClaims::valid())),
        "{what}"
    );
}

/// The token was refused with 401 and the inner service never ran; returns the reason.
fn assert_refused(response: &Response<String>, what: &str) -> AuthErrorKind {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
    assert!(
        response.extensions().get::<Claims<TestClaims>>().is_none(),
        "{what}"
    );
    assert_ne!(response.body(), "inner", "{what}");
    response
        .extensions()
        .get::<AuthError>()
        .unwrap_or_else(|| panic!("{what}: no AuthError in the rejection"))
        .kind()
        .clone()
}

fn token(alg: Algorithm) -> String {
    common::mint(alg, &TestClaims::valid())
}

fn token_with_kid(alg: Algorithm, kid: &str) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    common::mint_with(header, &TestClaims::valid())
}

/// A token signed with a key of our choosing (not the fixture of its algorithm).
fn sign(header: &Header, key: &EncodingKey) -> String {
    common::install_signing_provider();
    encode(header, &TestClaims::valid(), key).unwrap()
}

fn config_error<T: std::fmt::Debug>(result: Result<T, ConfigError>) -> ConfigErrorKind {
    result
        .expect_err("the configuration must be refused")
        .kind()
}

fn rsa_components(private_pem: &str) -> (String, String) {
    match public_jwk(private_pem, Algorithm::RS256).algorithm {
        AlgorithmParameters::RSA(rsa) => (rsa.n, rsa.e),
        other => panic!("not an RSA JWK: {other:?}"),
    }
}

fn ec_components() -> (String, String) {
    match public_jwk(common::EC256_PRIVATE, Algorithm::ES256).algorithm {
        AlgorithmParameters::EllipticCurve(ec) => (ec.x, ec.y),
        other => panic!("not an EC JWK: {other:?}"),
    }
}

fn ed_component() -> String {
    match public_jwk(common::ED_PRIVATE, Algorithm::EdDSA).algorithm {
        AlgorithmParameters::OctetKeyPair(okp) => okp.x,
        other => panic!("not an OKP JWK: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// HMAC

#[tokio::test]
async fn hmac_raw_secret_for_each_algorithm() {
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let keys = StaticKeys::new().secret(HS_SECRET, alg).unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
}

#[tokio::test]
async fn hmac_base64_secret_for_each_algorithm() {
    let encoded = base64::engine::general_purpose::STANDARD.encode(HS_SECRET);
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let keys = StaticKeys::new().base64_secret(&encoded, alg).unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
}

#[tokio::test]
async fn hmac_secret_verifies_only_its_own_token() {
    let keys = StaticKeys::new()
        .secret(&[7; 64], Algorithm::HS256)
        .unwrap();
    let kind = assert_refused(&send(keys, &token(Algorithm::HS256)).await, "other secret");
    assert_eq!(kind, AuthErrorKind::InvalidSignature);
}

// ---------------------------------------------------------------------------------------------
// RSA

#[tokio::test]
async fn rsa_spki_pem_for_each_algorithm() {
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new().rsa_pem(common::RSA_PUBLIC, alg).unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
}

#[tokio::test]
async fn rsa_pkcs1_pem_for_each_algorithm() {
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new()
            .rsa_pem(common::RSA_PUBLIC_PKCS1, alg)
            .unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
}

#[tokio::test]
async fn rsa_der_for_each_algorithm() {
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new()
            .rsa_der(common::RSA_PUBLIC_DER, alg)
            .unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
}

#[tokio::test]
async fn rsa_pkcs1_der_is_read_too() {
    let pkcs1 = pem::parse(common::RSA_PUBLIC_PKCS1).unwrap();
    assert_eq!(pkcs1.tag(), "RSA PUBLIC KEY");
    let keys = StaticKeys::new()
        .rsa_der(pkcs1.contents(), Algorithm::RS256)
        .unwrap();
    assert_accepted(&send(keys, &token(Algorithm::RS256)).await, "PKCS#1 DER");
}

#[tokio::test]
async fn rsa_jwk_components_for_each_algorithm() {
    let (n, e) = rsa_components(common::RSA_PRIVATE);
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new()
            .key(VerifyingKey::from_rsa_components(&n, &e, alg).unwrap())
            .unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
}

#[tokio::test]
async fn rsa_key_of_another_pair_is_an_invalid_signature() {
    let keys = StaticKeys::new()
        .rsa_pem(common::RSA2_PUBLIC, Algorithm::RS256)
        .unwrap();
    let kind = assert_refused(&send(keys, &token(Algorithm::RS256)).await, "other RSA key");
    assert_eq!(kind, AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn key_bound_to_rs256_refuses_ps256() {
    let key = VerifyingKey::from_rsa_pem(common::RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    assert_eq!(key.algorithms(), AlgorithmSet::one(Algorithm::RS256));

    // Named by its kid, the key is found and refuses the algorithm.
    let keys = StaticKeys::new().key(key.clone().with_kid("rsa")).unwrap();
    let kind = assert_refused(
        &send(keys, &token_with_kid(Algorithm::PS256, "rsa")).await,
        "PS256 by kid",
    );
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);

    // Without a kid no key fits PS256 at all.
    let keys = StaticKeys::new().key(key.clone()).unwrap();
    let kind = assert_refused(
        &send(keys, &token(Algorithm::PS256)).await,
        "PS256 without kid",
    );
    assert!(
        matches!(
            kind,
            AuthErrorKind::UnsupportedAlgorithm | AuthErrorKind::UnknownKey
        ),
        "{kind:?}"
    );

    // The same key still verifies what it is bound to.
    let keys = StaticKeys::new().key(key).unwrap();
    assert_accepted(&send(keys, &token(Algorithm::RS256)).await, "RS256");
}

#[tokio::test]
async fn with_algorithms_rsa_widens_the_key_to_the_family() {
    let key = VerifyingKey::from_rsa_pem(common::RSA_PUBLIC.as_bytes(), Algorithm::RS256)
        .unwrap()
        .with_algorithms(AlgorithmSet::rsa())
        .unwrap();
    assert_eq!(key.algorithms(), AlgorithmSet::rsa());
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new().key(key.clone()).unwrap();
        assert_accepted(&send(keys, &token(alg)).await, &format!("{alg:?}"));
    }
    // Widening stays within the family: an HMAC token is still refused.
    let keys = StaticKeys::new().key(key).unwrap();
    assert_refused(
        &send(keys, &token(Algorithm::HS256)).await,
        "HS256 on an RSA key",
    );
}

#[test]
fn with_algorithms_cannot_leave_the_family() {
    let key = VerifyingKey::from_rsa_pem(common::RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    let hs = [Algorithm::RS256, Algorithm::HS256].into_iter().collect();
    assert_eq!(
        config_error(key.clone().with_algorithms(hs)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(key.with_algorithms(AlgorithmSet::empty())),
        ConfigErrorKind::InvalidKey
    );
    let secret = VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256).unwrap();
    assert_eq!(
        config_error(secret.with_algorithms(AlgorithmSet::rsa())),
        ConfigErrorKind::InvalidKey
    );
}

// ---------------------------------------------------------------------------------------------
// EC and Ed25519

#[tokio::test]
async fn es256_pem() {
    let keys = StaticKeys::new()
        .ec_pem(common::EC256_PUBLIC, Algorithm::ES256)
        .unwrap();
    assert_accepted(&send(keys, &token(Algorithm::ES256)).await, "ES256 PEM");
}

#[tokio::test]
async fn es256_der() {
    let keys = StaticKeys::new()
        .ec_der(common::EC256_PUBLIC_DER, Algorithm::ES256)
        .unwrap();
    assert_accepted(&send(keys, &token(Algorithm::ES256)).await, "ES256 DER");
}

#[tokio::test]
async fn es256_jwk_components() {
    let (x, y) = ec_components();
    let key = VerifyingKey::from_ec_components("P-256", &x, &y, Algorithm::ES256).unwrap();
    let keys = StaticKeys::new().key(key).unwrap();
    assert_accepted(&send(keys, &token(Algorithm::ES256)).await, "ES256 JWK");
}

#[tokio::test]
async fn es384_pem() {
    let keys = StaticKeys::new()
        .ec_pem(common::EC384_PUBLIC, Algorithm::ES384)
        .unwrap();
    assert_accepted(&send(keys, &token(Algorithm::ES384)).await, "ES384 PEM");
}

#[tokio::test]
async fn eddsa_pem() {
    let keys = StaticKeys::new().ed_pem(common::ED_PUBLIC).unwrap();
    assert_accepted(&send(keys, &token(Algorithm::EdDSA)).await, "EdDSA PEM");
}

#[tokio::test]
async fn eddsa_der() {
    let keys = StaticKeys::new().ed_der(common::ED_PUBLIC_DER).unwrap();
    assert_accepted(&send(keys, &token(Algorithm::EdDSA)).await, "EdDSA DER");
}

#[tokio::test]
async fn eddsa_jwk_component() {
    let key = VerifyingKey::from_ed_components(&ed_component()).unwrap();
    let keys = StaticKeys::new().key(key).unwrap();
    assert_accepted(&send(keys, &token(Algorithm::EdDSA)).await, "EdDSA JWK");
}

#[tokio::test]
async fn one_set_holds_every_kind_of_key() {
    let keys = || {
        StaticKeys::new()
            .secret(HS_SECRET, Algorithm::HS256)
            .unwrap()
            .rsa_pem(common::RSA_PUBLIC, Algorithm::RS256)
            .unwrap()
            .ec_pem(common::EC256_PUBLIC, Algorithm::ES256)
            .unwrap()
            .ec_pem(common::EC384_PUBLIC, Algorithm::ES384)
            .unwrap()
            .ed_pem(common::ED_PUBLIC)
            .unwrap()
    };
    assert_eq!(keys().len(), 5);
    for alg in [
        Algorithm::HS256,
        Algorithm::RS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ] {
        assert_accepted(&send(keys(), &token(alg)).await, &format!("{alg:?}"));
    }
}

// ---------------------------------------------------------------------------------------------
// Local JWKS

/// A JWKS with two RSA keys for RS256, an EC key and an Ed25519 key, each with its own kid.
fn jwks_document() -> String {
    let with_kid = |mut jwk: Jwk, kid: &str| {
        jwk.common.key_id = Some(kid.into());
        jwk
    };
    let set = JwkSet {
        keys: vec![
            with_kid(public_jwk(common::RSA_PRIVATE, Algorithm::RS256), "rsa-1"),
            with_kid(public_jwk(common::RSA2_PRIVATE, Algorithm::RS256), "rsa-2"),
            with_kid(public_jwk(common::EC256_PRIVATE, Algorithm::ES256), "ec-1"),
            with_kid(public_jwk(common::ED_PRIVATE, Algorithm::EdDSA), "ed-1"),
        ],
    };
    serde_json::to_string(&set).unwrap()
}

fn rsa2_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(common::RSA2_PRIVATE.as_bytes()).unwrap()
}

fn header(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut header = Header::new(alg);
    header.kid = kid.map(String::from);
    header
}

#[test]
fn jwks_document_yields_every_key_with_its_kid() {
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let kids: Vec<_> = keys.iter().map(|k| k.kid().map(String::from)).collect();
    assert_eq!(
        kids,
        ["rsa-1", "rsa-2", "ec-1", "ed-1"]
            .map(|k| Some(String::from(k)))
            .to_vec()
    );
    let algs: Vec<_> = keys.iter().map(|k| k.algorithms()).collect();
    assert_eq!(
        algs,
        [
            Algorithm::RS256,
            Algorithm::RS256,
            Algorithm::ES256,
            Algorithm::EdDSA
        ]
        .map(AlgorithmSet::one)
        .to_vec()
    );
}

#[tokio::test]
async fn jwks_picks_the_key_by_kid() {
    let jwks = jwks_document();
    let keys = || StaticKeys::new().jwks(&jwks).unwrap();

    let first = sign(
        &header(Algorithm::RS256, Some("rsa-1")),
        &common::encoding_key(Algorithm::RS256),
    );
    assert_accepted(&send(keys(), &first).await, "rsa-1");
    let second = sign(&header(Algorithm::RS256, Some("rsa-2")), &rsa2_key());
    assert_accepted(&send(keys(), &second).await, "rsa-2");
    assert_accepted(
        &send(keys(), &token_with_kid(Algorithm::ES256, "ec-1")).await,
        "ec-1",
    );
    assert_accepted(
        &send(keys(), &token_with_kid(Algorithm::EdDSA, "ed-1")).await,
        "ed-1",
    );

    // The kid decides: the first key's token under the second key's kid does not verify.
    let swapped = sign(
        &header(Algorithm::RS256, Some("rsa-2")),
        &common::encoding_key(Algorithm::RS256),
    );
    let kind = assert_refused(&send(keys(), &swapped).await, "rsa-1 token named rsa-2");
    assert_eq!(kind, AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn jwks_unknown_kid_is_refused() {
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let unknown = sign(
        &header(Algorithm::RS256, Some("rsa-3")),
        &common::encoding_key(Algorithm::RS256),
    );
    let kind = assert_refused(&send(keys, &unknown).await, "unknown kid");
    assert_eq!(kind, AuthErrorKind::UnknownKey);
}

#[tokio::test]
async fn jwks_token_without_kid_and_two_fitting_keys_is_ambiguous() {
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let kind = assert_refused(
        &send(keys, &token(Algorithm::RS256)).await,
        "RS256 without kid",
    );
    assert_eq!(kind, AuthErrorKind::AmbiguousKey);

    // With exactly one key for the algorithm, no kid is needed.
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    assert_accepted(
        &send(keys, &token(Algorithm::ES256)).await,
        "ES256 without kid",
    );
}

// ---------------------------------------------------------------------------------------------
// Refused at build time

#[test]
fn malformed_pem_is_refused() {
    let garbage = "-----BEGIN PUBLIC KEY-----\nnot base64 at all!\n-----END PUBLIC KEY-----\n";
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem(garbage, Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(garbage, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ed_pem(garbage)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem("not a pem", Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    // Well-formed PEM whose contents are not a key.
    let junk = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem(junk, Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn private_key_pem_given_as_public_is_refused() {
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let err = StaticKeys::new()
            .rsa_pem(common::RSA_PRIVATE, alg)
            .unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
        assert!(err.to_string().contains("private"), "{err}");
    }
    let err = StaticKeys::new()
        .ec_pem(common::EC256_PRIVATE, Algorithm::ES256)
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
    assert!(err.to_string().contains("private"), "{err}");
    let err = StaticKeys::new().ed_pem(common::ED_PRIVATE).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
    assert!(err.to_string().contains("private"), "{err}");
}

#[test]
fn p384_key_for_es256_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(common::EC384_PUBLIC, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(common::EC256_PUBLIC, Algorithm::ES384)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn rsa_key_for_es256_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(common::RSA_PUBLIC, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_der(common::RSA_PUBLIC_DER, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem(common::RSA_PUBLIC, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    // And the other way round: an EC or Ed25519 key is not an RSA key.
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem(common::EC256_PUBLIC, Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ed_pem(common::EC256_PUBLIC)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn truncated_der_is_refused() {
    let cut = |der: &'static [u8]| &der[..der.len() - 1];
    assert_eq!(
        config_error(StaticKeys::new().rsa_der(cut(common::RSA_PUBLIC_DER), Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_der(cut(common::EC256_PUBLIC_DER), Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ed_der(cut(common::ED_PUBLIC_DER))),
        ConfigErrorKind::InvalidKey
    );
    let half = &common::RSA_PUBLIC_DER[..common::RSA_PUBLIC_DER.len() / 2];
    assert_eq!(
        config_error(StaticKeys::new().rsa_der(half, Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().rsa_der(&[], Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn short_hmac_secrets_are_weak() {
    assert_eq!(
        config_error(StaticKeys::new().secret(&[1; 31], Algorithm::HS256)),
        ConfigErrorKind::WeakSecret
    );
    assert!(StaticKeys::new().secret(&[1; 32], Algorithm::HS256).is_ok());
    assert_eq!(
        config_error(StaticKeys::new().secret(&[1; 47], Algorithm::HS384)),
        ConfigErrorKind::WeakSecret
    );
    assert!(StaticKeys::new().secret(&[1; 48], Algorithm::HS384).is_ok());
    assert_eq!(
        config_error(StaticKeys::new().secret(&[1; 63], Algorithm::HS512)),
        ConfigErrorKind::WeakSecret
    );
    assert!(StaticKeys::new().secret(&[1; 64], Algorithm::HS512).is_ok());
    // The length counted is the decoded one.
    let encoded = base64::engine::general_purpose::STANDARD.encode([1; 31]);
    assert_eq!(encoded.len(), 44);
    assert_eq!(
        config_error(StaticKeys::new().base64_secret(&encoded, Algorithm::HS256)),
        ConfigErrorKind::WeakSecret
    );
    // An HMAC secret cannot be bound to an asymmetric algorithm.
    assert_eq!(
        config_error(StaticKeys::new().secret(HS_SECRET, Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn jwks_that_is_not_json_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().jwks("not json")),
        ConfigErrorKind::InvalidJwks
    );
    assert_eq!(
        config_error(StaticKeys::new().jwks(r#"{"keys": 3}"#)),
        ConfigErrorKind::InvalidJwks
    );
    assert_eq!(
        config_error(StaticKeys::new().jwks(common::RSA_PUBLIC)),
        ConfigErrorKind::InvalidJwks
    );
}

#[test]
fn jwks_without_a_usable_key_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().jwks(r#"{"keys": []}"#)),
        ConfigErrorKind::NoKeys
    );
    let (n, e) = rsa_components(common::RSA_PRIVATE);
    let unusable = format!(
        r#"{{"keys": [
            {{"kty": "RSA", "use": "enc", "n": "{n}", "e": "{e}"}},
            {{"kty": "RSA", "alg": "RS256", "n": "AQAB", "e": "AQAB"}},
            {{"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"}},
            {{"kty": "oct", "k": "c2hvcnQ", "alg": "HS256"}}
        ]}}"#
    );
    assert_eq!(
        config_error(StaticKeys::new().jwks(&unusable)),
        ConfigErrorKind::NoKeys
    );
}

#[test]
fn duplicate_kid_is_refused() {
    let document = jwks_document().replace("\"rsa-2\"", "\"rsa-1\"");
    assert_eq!(
        config_error(StaticKeys::new().jwks(&document)),
        ConfigErrorKind::DuplicateKeyId
    );

    let named = |kid: &str| {
        VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
            .unwrap()
            .with_kid(kid)
    };
    let keys = StaticKeys::new().key(named("a")).unwrap();
    assert_eq!(
        config_error(keys.clone().key(named("a"))),
        ConfigErrorKind::DuplicateKeyId
    );
    assert!(keys.key(named("b")).is_ok());
}

#[test]
fn empty_static_keys_cannot_build_a_layer() {
    let result = common::builder::<TestClaims, _>(StaticKeys::new()).build();
    assert_eq!(config_error(result), ConfigErrorKind::NoKeys);
}

// ---------------------------------------------------------------------------------------------
// HMAC / public-key confusion: an HS256 token whose secret is the public key, in any encoding

/// Sends HS256 tokens signed with each of `secrets` to a layer holding the public key, and
/// checks that each is refused as an algorithm the key does not allow.
async fn assert_confusion_refused(
    keys: impl Fn() -> StaticKeys,
    genuine: Algorithm,
    secrets: &[(&str, Vec<u8>)],
) {
    // The layer does verify its own algorithm, so the refusals below are not an accident.
    assert_accepted(
        &send(keys(), &token(genuine)).await,
        &format!("genuine {genuine:?}"),
    );
    let mut kinds = Vec::new();
    for (what, secret) in secrets {
        let forged = sign(
            &Header::new(Algorithm::HS256),
            &EncodingKey::from_secret(secret),
        );
        // Refused, whatever the reason, for every encoding...
        let kind = assert_refused(&send(keys(), &forged).await, what);
        kinds.push((*what, kind));
    }
    // ...and refused because the key does not allow HS256, before any HMAC is computed.
    let expected: Vec<_> = secrets
        .iter()
        .map(|(what, _)| (*what, AuthErrorKind::UnsupportedAlgorithm))
        .collect();
    assert_eq!(kinds, expected);
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let (n, _) = rsa_components(common::RSA_PRIVATE);
    let secrets = [
        ("SPKI PEM", common::RSA_PUBLIC.as_bytes().to_vec()),
        (
            "SPKI PEM without newline",
            common::RSA_PUBLIC.trim_end().as_bytes().to_vec(),
        ),
        ("PKCS#1 PEM", common::RSA_PUBLIC_PKCS1.as_bytes().to_vec()),
        (
            "PKCS#1 PEM without newline",
            common::RSA_PUBLIC_PKCS1.trim_end().as_bytes().to_vec(),
        ),
        ("DER", common::RSA_PUBLIC_DER.to_vec()),
        ("JWK n", n.into_bytes()),
    ];
    let keys = || {
        StaticKeys::new()
            .rsa_pem(common::RSA_PUBLIC, Algorithm::RS256)
            .unwrap()
    };
    assert_confusion_refused(keys, Algorithm::RS256, &secrets).await;
    let keys = || {
        StaticKeys::new()
            .rsa_der(common::RSA_PUBLIC_DER, Algorithm::RS256)
            .unwrap()
    };
    assert_confusion_refused(keys, Algorithm::RS256, &secrets).await;
}

#[tokio::test]
async fn hs256_signed_with_the_ec_public_key_is_refused() {
    let (x, y) = ec_components();
    let secrets = [
        ("PEM", common::EC256_PUBLIC.as_bytes().to_vec()),
        (
            "PEM without newline",
            common::EC256_PUBLIC.trim_end().as_bytes().to_vec(),
        ),
        ("DER", common::EC256_PUBLIC_DER.to_vec()),
        ("JWK x", x.into_bytes()),
        ("JWK y", y.into_bytes()),
    ];
    let keys = || {
        StaticKeys::new()
            .ec_pem(common::EC256_PUBLIC, Algorithm::ES256)
            .unwrap()
    };
    assert_confusion_refused(keys, Algorithm::ES256, &secrets).await;
}

#[tokio::test]
async fn hs256_signed_with_the_ed25519_public_key_is_refused() {
    let x = ed_component();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&x)
        .unwrap();
    let secrets = [
        ("PEM", common::ED_PUBLIC.as_bytes().to_vec()),
        (
            "PEM without newline",
            common::ED_PUBLIC.trim_end().as_bytes().to_vec(),
        ),
        ("DER", common::ED_PUBLIC_DER.to_vec()),
        ("raw 32 bytes", raw),
        ("JWK x", x.into_bytes()),
    ];
    let keys = || StaticKeys::new().ed_pem(common::ED_PUBLIC).unwrap();
    assert_confusion_refused(keys, Algorithm::EdDSA, &secrets).await;
}

#[tokio::test]
async fn hs256_confusion_naming_the_public_key_by_kid_is_refused() {
    let keys = || {
        StaticKeys::new()
            .key(
                VerifyingKey::from_rsa_pem(common::RSA_PUBLIC.as_bytes(), Algorithm::RS256)
                    .unwrap()
                    .with_kid("rsa"),
            )
            .unwrap()
    };
    assert_accepted(
        &send(keys(), &token_with_kid(Algorithm::RS256, "rsa")).await,
        "genuine RS256",
    );
    let forged = sign(
        &header(Algorithm::HS256, Some("rsa")),
        &EncodingKey::from_secret(common::RSA_PUBLIC.as_bytes()),
    );
    let kind = assert_refused(&send(keys(), &forged).await, "HS256 naming the RSA kid");
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);
}

#[tokio::test]
async fn hs256_signed_with_a_jwks_public_key_is_refused() {
    let (n, _) = rsa_components(common::RSA_PRIVATE);
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let forged = sign(
        &header(Algorithm::HS256, Some("rsa-1")),
        &EncodingKey::from_secret(n.as_bytes()),
    );
    let kind = assert_refused(&send(keys, &forged).await, "HS256 with kid rsa-1");
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);
}
