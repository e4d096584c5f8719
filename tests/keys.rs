//! Every key type and algorithm, through the layer: HMAC secrets, RSA, EC and Ed25519 public
//! keys in every encoding the crate reads, a local JWKS document, the errors refused at build
//! time, and the HMAC/public-key confusion attack in every encoding of the public key.

mod support;

use base64::Engine as _;
use http::{Response, StatusCode};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tower_jwt_auth::{
    AlgorithmSet, AuthError, AuthErrorKind, Claims, ConfigError, ConfigErrorKind, StaticKeys,
    VerifyingKey,
};

use support::*;

const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// The token reached the inner service, with its claims.
fn assert_accepted(response: &Response<String>, what: &str) {
    assert_reached_inner(response, what);
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
    support::mint(alg, &TestClaims::valid())
}

fn rsa_components(private_pem: &str) -> (String, String) {
    match public_jwk(private_pem, Algorithm::RS256).algorithm {
        AlgorithmParameters::RSA(rsa) => (rsa.n, rsa.e),
        other => panic!("not an RSA JWK: {other:?}"),
    }
}

fn ec_components() -> (String, String) {
    match public_jwk(support::EC256_PRIVATE, Algorithm::ES256).algorithm {
        AlgorithmParameters::EllipticCurve(ec) => (ec.x, ec.y),
        other => panic!("not an EC JWK: {other:?}"),
    }
}

fn ed_component() -> String {
    match public_jwk(support::ED_PRIVATE, Algorithm::EdDSA).algorithm {
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
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
}

#[tokio::test]
async fn hmac_base64_secret_for_each_algorithm() {
    let encoded = base64::engine::general_purpose::STANDARD.encode(HS_SECRET);
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let keys = StaticKeys::new().base64_secret(&encoded, alg).unwrap();
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
}

#[tokio::test]
async fn hmac_secret_verifies_only_its_own_token() {
    let keys = StaticKeys::new()
        .secret(&[7; 64], Algorithm::HS256)
        .unwrap();
    let kind = assert_refused(
        &through(&layer_over(keys), bearer(&token(Algorithm::HS256)))
            .await
            .0,
        "other secret",
    );
    assert_eq!(kind, AuthErrorKind::InvalidSignature);
}

// ---------------------------------------------------------------------------------------------
// RSA

#[tokio::test]
async fn rsa_spki_pem_for_each_algorithm() {
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new().rsa_pem(support::RSA_PUBLIC, alg).unwrap();
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
}

#[tokio::test]
async fn rsa_pkcs1_pem_for_each_algorithm() {
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new()
            .rsa_pem(support::RSA_PUBLIC_PKCS1, alg)
            .unwrap();
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
}

#[tokio::test]
async fn rsa_der_for_each_algorithm() {
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new()
            .rsa_der(support::RSA_PUBLIC_DER, alg)
            .unwrap();
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
}

#[tokio::test]
async fn rsa_pkcs1_der_is_read_too() {
    let pkcs1 = pem::parse(support::RSA_PUBLIC_PKCS1).unwrap();
    assert_eq!(pkcs1.tag(), "RSA PUBLIC KEY");
    let keys = StaticKeys::new()
        .rsa_der(pkcs1.contents(), Algorithm::RS256)
        .unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::RS256)))
            .await
            .0,
        "PKCS#1 DER",
    );
}

#[tokio::test]
async fn rsa_jwk_components_for_each_algorithm() {
    let (n, e) = rsa_components(support::RSA_PRIVATE);
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new()
            .key(VerifyingKey::from_rsa_components(&n, &e, alg).unwrap())
            .unwrap();
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
}

#[tokio::test]
async fn rsa_key_of_another_pair_is_an_invalid_signature() {
    let keys = StaticKeys::new()
        .rsa_pem(support::RSA2_PUBLIC, Algorithm::RS256)
        .unwrap();
    let kind = assert_refused(
        &through(&layer_over(keys), bearer(&token(Algorithm::RS256)))
            .await
            .0,
        "other RSA key",
    );
    assert_eq!(kind, AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn key_bound_to_rs256_refuses_ps256() {
    let key = VerifyingKey::from_rsa_pem(support::RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    assert_eq!(key.algorithms(), AlgorithmSet::one(Algorithm::RS256));

    // Named by its kid, the key is found and refuses the algorithm.
    let keys = StaticKeys::new().key(key.clone().with_kid("rsa")).unwrap();
    let kind = assert_refused(
        &through(
            &layer_over(keys),
            bearer(&token_with_kid(Algorithm::PS256, "rsa")),
        )
        .await
        .0,
        "PS256 by kid",
    );
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);

    // Without a kid no key fits PS256 at all.
    let keys = StaticKeys::new().key(key.clone()).unwrap();
    let kind = assert_refused(
        &through(&layer_over(keys), bearer(&token(Algorithm::PS256)))
            .await
            .0,
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
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::RS256)))
            .await
            .0,
        "RS256",
    );
}

#[tokio::test]
async fn with_algorithms_rsa_widens_the_key_to_the_family() {
    let key = VerifyingKey::from_rsa_pem(support::RSA_PUBLIC.as_bytes(), Algorithm::RS256)
        .unwrap()
        .with_algorithms(AlgorithmSet::rsa())
        .unwrap();
    assert_eq!(key.algorithms(), AlgorithmSet::rsa());
    for alg in RSA_ALGORITHMS {
        let keys = StaticKeys::new().key(key.clone()).unwrap();
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
    }
    // Widening stays within the family: an HMAC token is still refused.
    let keys = StaticKeys::new().key(key).unwrap();
    assert_refused(
        &through(&layer_over(keys), bearer(&token(Algorithm::HS256)))
            .await
            .0,
        "HS256 on an RSA key",
    );
}

#[test]
fn with_algorithms_cannot_leave_the_family() {
    let key = VerifyingKey::from_rsa_pem(support::RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
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
        .ec_pem(support::EC256_PUBLIC, Algorithm::ES256)
        .unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::ES256)))
            .await
            .0,
        "ES256 PEM",
    );
}

#[tokio::test]
async fn es256_der() {
    let keys = StaticKeys::new()
        .ec_der(support::EC256_PUBLIC_DER, Algorithm::ES256)
        .unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::ES256)))
            .await
            .0,
        "ES256 DER",
    );
}

#[tokio::test]
async fn es256_jwk_components() {
    let (x, y) = ec_components();
    let key = VerifyingKey::from_ec_components("P-256", &x, &y, Algorithm::ES256).unwrap();
    let keys = StaticKeys::new().key(key).unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::ES256)))
            .await
            .0,
        "ES256 JWK",
    );
}

#[tokio::test]
async fn es384_pem() {
    let keys = StaticKeys::new()
        .ec_pem(support::EC384_PUBLIC, Algorithm::ES384)
        .unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::ES384)))
            .await
            .0,
        "ES384 PEM",
    );
}

#[tokio::test]
async fn eddsa_pem() {
    let keys = StaticKeys::new().ed_pem(support::ED_PUBLIC).unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::EdDSA)))
            .await
            .0,
        "EdDSA PEM",
    );
}

#[tokio::test]
async fn eddsa_der() {
    let keys = StaticKeys::new().ed_der(support::ED_PUBLIC_DER).unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::EdDSA)))
            .await
            .0,
        "EdDSA DER",
    );
}

#[tokio::test]
async fn eddsa_jwk_component() {
    let key = VerifyingKey::from_ed_components(&ed_component()).unwrap();
    let keys = StaticKeys::new().key(key).unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::EdDSA)))
            .await
            .0,
        "EdDSA JWK",
    );
}

#[tokio::test]
async fn one_set_holds_every_kind_of_key() {
    let keys = || {
        StaticKeys::new()
            .secret(HS_SECRET, Algorithm::HS256)
            .unwrap()
            .rsa_pem(support::RSA_PUBLIC, Algorithm::RS256)
            .unwrap()
            .ec_pem(support::EC256_PUBLIC, Algorithm::ES256)
            .unwrap()
            .ec_pem(support::EC384_PUBLIC, Algorithm::ES384)
            .unwrap()
            .ed_pem(support::ED_PUBLIC)
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
        assert_accepted(
            &through(&layer_over(keys()), bearer(&token(alg))).await.0,
            &format!("{alg:?}"),
        );
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
            with_kid(public_jwk(support::RSA_PRIVATE, Algorithm::RS256), "rsa-1"),
            with_kid(public_jwk(support::RSA2_PRIVATE, Algorithm::RS256), "rsa-2"),
            with_kid(public_jwk(support::EC256_PRIVATE, Algorithm::ES256), "ec-1"),
            with_kid(public_jwk(support::ED_PRIVATE, Algorithm::EdDSA), "ed-1"),
        ],
    };
    serde_json::to_string(&set).unwrap()
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

    let first = mint_by(
        &support::encoding_key(Algorithm::RS256),
        &header(Algorithm::RS256, Some("rsa-1")),
        &TestClaims::valid(),
    );
    assert_accepted(
        &through(&layer_over(keys()), bearer(&first)).await.0,
        "rsa-1",
    );
    let second = mint_by(
        &rsa2_key(),
        &header(Algorithm::RS256, Some("rsa-2")),
        &TestClaims::valid(),
    );
    assert_accepted(
        &through(&layer_over(keys()), bearer(&second)).await.0,
        "rsa-2",
    );
    assert_accepted(
        &through(
            &layer_over(keys()),
            bearer(&token_with_kid(Algorithm::ES256, "ec-1")),
        )
        .await
        .0,
        "ec-1",
    );
    assert_accepted(
        &through(
            &layer_over(keys()),
            bearer(&token_with_kid(Algorithm::EdDSA, "ed-1")),
        )
        .await
        .0,
        "ed-1",
    );

    // The kid decides: the first key's token under the second key's kid does not verify.
    let swapped = mint_by(
        &support::encoding_key(Algorithm::RS256),
        &header(Algorithm::RS256, Some("rsa-2")),
        &TestClaims::valid(),
    );
    let kind = assert_refused(
        &through(&layer_over(keys()), bearer(&swapped)).await.0,
        "rsa-1 token named rsa-2",
    );
    assert_eq!(kind, AuthErrorKind::InvalidSignature);
}

#[tokio::test]
async fn jwks_unknown_kid_is_refused() {
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let unknown = mint_by(
        &support::encoding_key(Algorithm::RS256),
        &header(Algorithm::RS256, Some("rsa-3")),
        &TestClaims::valid(),
    );
    let kind = assert_refused(
        &through(&layer_over(keys), bearer(&unknown)).await.0,
        "unknown kid",
    );
    assert_eq!(kind, AuthErrorKind::UnknownKey);
}

#[tokio::test]
async fn jwks_token_without_kid_and_two_fitting_keys_is_ambiguous() {
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let kind = assert_refused(
        &through(&layer_over(keys), bearer(&token(Algorithm::RS256)))
            .await
            .0,
        "RS256 without kid",
    );
    assert_eq!(kind, AuthErrorKind::AmbiguousKey);

    // With exactly one key for the algorithm, no kid is needed.
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    assert_accepted(
        &through(&layer_over(keys), bearer(&token(Algorithm::ES256)))
            .await
            .0,
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
            .rsa_pem(support::RSA_PRIVATE, alg)
            .unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
        assert!(err.to_string().contains("private"), "{err}");
    }
    let err = StaticKeys::new()
        .ec_pem(support::EC256_PRIVATE, Algorithm::ES256)
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
    assert!(err.to_string().contains("private"), "{err}");
    let err = StaticKeys::new().ed_pem(support::ED_PRIVATE).unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
    assert!(err.to_string().contains("private"), "{err}");
}

#[test]
fn p384_key_for_es256_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(support::EC384_PUBLIC, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(support::EC256_PUBLIC, Algorithm::ES384)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn rsa_key_for_es256_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().ec_pem(support::RSA_PUBLIC, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_der(support::RSA_PUBLIC_DER, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem(support::RSA_PUBLIC, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    // And the other way round: an EC or Ed25519 key is not an RSA key.
    assert_eq!(
        config_error(StaticKeys::new().rsa_pem(support::EC256_PUBLIC, Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ed_pem(support::EC256_PUBLIC)),
        ConfigErrorKind::InvalidKey
    );
}

#[test]
fn truncated_der_is_refused() {
    let cut = |der: &'static [u8]| &der[..der.len() - 1];
    assert_eq!(
        config_error(StaticKeys::new().rsa_der(cut(support::RSA_PUBLIC_DER), Algorithm::RS256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ec_der(cut(support::EC256_PUBLIC_DER), Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_eq!(
        config_error(StaticKeys::new().ed_der(cut(support::ED_PUBLIC_DER))),
        ConfigErrorKind::InvalidKey
    );
    let half = &support::RSA_PUBLIC_DER[..support::RSA_PUBLIC_DER.len() / 2];
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
        config_error(StaticKeys::new().jwks(support::RSA_PUBLIC)),
        ConfigErrorKind::InvalidJwks
    );
}

#[test]
fn jwks_without_a_usable_key_is_refused() {
    assert_eq!(
        config_error(StaticKeys::new().jwks(r#"{"keys": []}"#)),
        ConfigErrorKind::NoKeys
    );
    let (n, e) = rsa_components(support::RSA_PRIVATE);
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
    let result = support::builder::<TestClaims, _>(StaticKeys::new()).build();
    assert_eq!(config_error(result), ConfigErrorKind::NoKeys);
}

// ---------------------------------------------------------------------------------------------
// Keys that can never verify, or are weak, are refused when they are added, in every encoding

/// PKCS#1 `RSAPublicKey` DER.
fn rsa_pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    der(0x30, &[der_integer(n), der_integer(e)].concat())
}

/// SubjectPublicKeyInfo DER around a key of the algorithm `alg_id` (its DER contents).
fn spki_der(alg_id: &[u8], key: &[u8]) -> Vec<u8> {
    let bits = [&[0u8][..], key].concat();
    der(0x30, &[der(0x30, alg_id), der(0x03, &bits)].concat())
}

/// SubjectPublicKeyInfo DER of an RSA key.
fn rsa_spki_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let oid = der(
        0x06,
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
    );
    spki_der(&[oid, der(0x05, &[])].concat(), &rsa_pkcs1_der(n, e))
}

fn to_pem(tag: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(tag, der.to_vec()))
}

/// A JWKS document holding one JWK of these members.
fn jwks_of(members: &str) -> String {
    format!(r#"{{"keys": [{{{members}}}]}}"#)
}

/// The fixture's RSA modulus and exponent, big-endian.
fn rsa_fixture_parts() -> (Vec<u8>, Vec<u8>) {
    let (n, e) = rsa_components(support::RSA_PRIVATE);
    (unb64(&n), unb64(&e))
}

/// What adding the RSA key `(n, e)` gives, through every way an RSA key enters.
fn add_rsa_every_way(n: &[u8], e: &[u8]) -> Vec<(&'static str, Result<StaticKeys, ConfigError>)> {
    let alg = Algorithm::RS256;
    let (pkcs1, spki) = (rsa_pkcs1_der(n, e), rsa_spki_der(n, e));
    let (n64, e64) = (b64(n), b64(e));
    vec![
        (
            "JWK components",
            VerifyingKey::from_rsa_components(&n64, &e64, alg)
                .and_then(|k| StaticKeys::new().key(k)),
        ),
        (
            "JWKS",
            StaticKeys::new().jwks(jwks_of(&format!(
                r#""kty": "RSA", "n": "{n64}", "e": "{e64}""#
            ))),
        ),
        ("PKCS#1 DER", StaticKeys::new().rsa_der(&pkcs1, alg)),
        ("SPKI DER", StaticKeys::new().rsa_der(&spki, alg)),
        (
            "PKCS#1 PEM",
            StaticKeys::new().rsa_pem(to_pem("RSA PUBLIC KEY", &pkcs1), alg),
        ),
        (
            "SPKI PEM",
            StaticKeys::new().rsa_pem(to_pem("PUBLIC KEY", &spki), alg),
        ),
    ]
}

/// The RSA key `(n, e)` is refused however it is given; a JWKS skips it and is left empty.
fn assert_rsa_refused(n: &[u8], e: &[u8], what: &str) {
    for (how, result) in add_rsa_every_way(n, e) {
        let expected = if how == "JWKS" {
            ConfigErrorKind::NoKeys
        } else {
            ConfigErrorKind::InvalidKey
        };
        match result {
            Ok(_) => panic!("{what} through {how}: the key must be refused"),
            Err(error) => assert_eq!(error.kind(), expected, "{what} through {how}: {error}"),
        }
    }
}

fn assert_rsa_accepted(n: &[u8], e: &[u8], what: &str) {
    for (how, result) in add_rsa_every_way(n, e) {
        if let Err(error) = result {
            panic!("{what} through {how}: refused: {error}");
        }
    }
}

#[test]
fn hmac_secret_too_short_for_hs512_is_refused_by_with_algorithms() {
    let set = |algs: &[Algorithm]| algs.iter().copied().collect::<AlgorithmSet>();
    let short = VerifyingKey::from_secret(&[1; 32], Algorithm::HS256).unwrap();
    for algs in [
        &[Algorithm::HS256, Algorithm::HS512][..],
        &[Algorithm::HS512],
        &[Algorithm::HS384],
    ] {
        let error = short.clone().with_algorithms(set(algs)).unwrap_err();
        assert_eq!(error.kind(), ConfigErrorKind::WeakSecret, "{algs:?}");
        assert!(error.to_string().contains("32 bytes"), "{error}");
    }
    let medium = VerifyingKey::from_secret(&[1; 48], Algorithm::HS384).unwrap();
    assert!(medium
        .clone()
        .with_algorithms(set(&[Algorithm::HS256, Algorithm::HS384]))
        .is_ok());
    assert_eq!(
        config_error(medium.with_algorithms(set(&[Algorithm::HS384, Algorithm::HS512]))),
        ConfigErrorKind::WeakSecret
    );
    let long = VerifyingKey::from_secret(&[1; 64], Algorithm::HS512).unwrap();
    let all = set(&[Algorithm::HS256, Algorithm::HS384, Algorithm::HS512]);
    assert_eq!(long.with_algorithms(all).unwrap().algorithms(), all);
}

#[test]
fn rsa_exponent_one_is_refused() {
    let (n, _) = rsa_fixture_parts();
    assert_rsa_refused(&n, &[1], "e = 1");
    assert_rsa_refused(&n, &[0, 0, 1], "e = 1 with leading zeros");
    assert_rsa_refused(&n, &[], "e = 0");
}

#[test]
fn rsa_even_exponent_is_refused() {
    let (n, _) = rsa_fixture_parts();
    assert_rsa_refused(&n, &[2], "e = 2");
    assert_rsa_refused(&n, &[1, 0, 0], "e = 65536");
}

#[test]
fn rsa_exponent_above_33_bits_is_refused() {
    let (n, _) = rsa_fixture_parts();
    // 2^33 + 1: odd, but above what either backend takes.
    assert_rsa_refused(&n, &[2, 0, 0, 0, 1], "e = 2^33 + 1");
    assert_rsa_refused(&n, &[0xff; 9], "a 72-bit exponent");
    // 2^33 - 1 is the largest taken, 3 the smallest; 65537 is the usual one.
    assert_rsa_accepted(&n, &[1, 0xff, 0xff, 0xff, 0xff], "e = 2^33 - 1");
    assert_rsa_accepted(&n, &[3], "e = 3");
    assert_rsa_accepted(&n, &[0, 1, 0, 1], "e = 65537 with a leading zero");
}

#[test]
fn rsa_modulus_above_8192_bits_is_refused() {
    let e = [1, 0, 1];
    // 8193 bits, odd.
    let n = [&[0x01][..], &[0xc5; 1024]].concat();
    assert_rsa_refused(&n, &e, "an 8193-bit modulus");
    // 8192 bits still loads, even behind leading zero bytes.
    let n = [&[0, 0][..], &[0xc5; 1024]].concat();
    assert_rsa_accepted(&n, &e, "an 8192-bit modulus");
}

#[test]
fn rsa_modulus_above_16384_bits_is_refused() {
    let n = [&[0x01][..], &[0xc5; 2048]].concat();
    assert_rsa_refused(&n, &[1, 0, 1], "a 16385-bit modulus");
    let n = [0xc5; 4096];
    assert_rsa_refused(&n, &[1, 0, 1], "a 32768-bit modulus");
}

#[test]
fn rsa_even_modulus_is_refused() {
    let (mut n, e) = rsa_fixture_parts();
    *n.last_mut().unwrap() &= 0xfe;
    assert_rsa_refused(&n, &e, "an even modulus");
}

/// An EC fixture: its JWK `x` and `y`, big-endian, and its SPKI DER.
fn ec_fixture(alg: Algorithm) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let private = match alg {
        Algorithm::ES256 => support::EC256_PRIVATE,
        _ => support::EC384_PRIVATE,
    };
    let public = match alg {
        Algorithm::ES256 => support::EC256_PUBLIC,
        _ => support::EC384_PUBLIC,
    };
    let (x, y) = match public_jwk(private, alg).algorithm {
        AlgorithmParameters::EllipticCurve(ec) => (unb64(&ec.x), unb64(&ec.y)),
        other => panic!("not an EC JWK: {other:?}"),
    };
    (x, y, pem::parse(public).unwrap().into_contents())
}

/// What adding the EC point `(x, y)` of `alg`'s curve gives, as JWK components, in a JWKS,
/// and in SPKI DER and PEM (built from the fixture's DER, whose point is its tail).
fn add_ec_every_way(
    alg: Algorithm,
    x: &[u8],
    y: &[u8],
) -> Vec<(&'static str, Result<StaticKeys, ConfigError>)> {
    let crv = if alg == Algorithm::ES256 {
        "P-256"
    } else {
        "P-384"
    };
    let (_, _, fixture) = ec_fixture(alg);
    let point = [&[0x04][..], x, y].concat();
    let mut spki = fixture.clone();
    let start = spki.len() - point.len();
    spki[start..].copy_from_slice(&point);
    let (x64, y64) = (b64(x), b64(y));
    vec![
        (
            "JWK components",
            VerifyingKey::from_ec_components(crv, &x64, &y64, alg)
                .and_then(|k| StaticKeys::new().key(k)),
        ),
        (
            "JWKS",
            StaticKeys::new().jwks(jwks_of(&format!(
                r#""kty": "EC", "crv": "{crv}", "x": "{x64}", "y": "{y64}""#
            ))),
        ),
        ("SPKI DER", StaticKeys::new().ec_der(&spki, alg)),
        (
            "SPKI PEM",
            StaticKeys::new().ec_pem(to_pem("PUBLIC KEY", &spki), alg),
        ),
    ]
}

fn assert_all_refused(results: Vec<(&'static str, Result<StaticKeys, ConfigError>)>, what: &str) {
    for (how, result) in results {
        let expected = if how == "JWKS" {
            ConfigErrorKind::NoKeys
        } else {
            ConfigErrorKind::InvalidKey
        };
        match result {
            Ok(_) => panic!("{what} through {how}: the key must be refused"),
            Err(error) => assert_eq!(error.kind(), expected, "{what} through {how}: {error}"),
        }
    }
}

#[test]
fn ec_point_off_curve_is_refused() {
    for alg in [Algorithm::ES256, Algorithm::ES384] {
        let (x, mut y, _) = ec_fixture(alg);
        // Sanity: the genuine point goes in every way.
        for (how, result) in add_ec_every_way(alg, &x, &y) {
            assert!(result.is_ok(), "{alg:?} fixture through {how}: {result:?}");
        }
        *y.last_mut().unwrap() ^= 1;
        assert_all_refused(add_ec_every_way(alg, &x, &y), &format!("{alg:?} y ± 1"));
    }
}

#[test]
fn ec_coordinate_not_below_the_field_prime_is_refused() {
    let (x, y, _) = ec_fixture(Algorithm::ES256);
    // p = 2^256 − 2^224 + 2^192 + 2^96 − 1.
    let p256 = [&[0xff; 4][..], &[0, 0, 0, 1], &[0; 12], &[0xff; 12]].concat();
    assert_all_refused(add_ec_every_way(Algorithm::ES256, &p256, &y), "x = p");
    assert_all_refused(
        add_ec_every_way(Algorithm::ES256, &x, &[0xff; 32]),
        "y = 2^256 - 1",
    );
}

#[test]
fn ec_point_at_infinity_and_compressed_points_are_refused() {
    let (x, _, fixture) = ec_fixture(Algorithm::ES256);
    // The SPKI's BIT STRING holds a compressed point (02 ‖ x) instead of 04 ‖ x ‖ y.
    let alg_id = &fixture[4..4 + usize::from(fixture[3])];
    let compressed = spki_der(alg_id, &[&[0x02][..], &x].concat());
    assert_eq!(
        config_error(StaticKeys::new().ec_der(&compressed, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    let infinity = spki_der(alg_id, &[0x00]);
    assert_eq!(
        config_error(StaticKeys::new().ec_der(&infinity, Algorithm::ES256)),
        ConfigErrorKind::InvalidKey
    );
    assert_all_refused(
        add_ec_every_way(Algorithm::ES256, &[0; 32], &[0; 32]),
        "(0, 0)",
    );
}

/// What adding the 32-byte Ed25519 key `raw` gives, as a JWK `x`, in a JWKS, and in SPKI DER
/// and PEM.
fn add_ed_every_way(raw: &[u8; 32]) -> Vec<(&'static str, Result<StaticKeys, ConfigError>)> {
    let mut spki = support::ED_PUBLIC_DER.to_vec();
    let start = spki.len() - 32;
    spki[start..].copy_from_slice(raw);
    let x = b64(raw);
    vec![
        (
            "JWK component",
            VerifyingKey::from_ed_components(&x).and_then(|k| StaticKeys::new().key(k)),
        ),
        (
            "JWKS",
            StaticKeys::new().jwks(jwks_of(&format!(
                r#""kty": "OKP", "crv": "Ed25519", "x": "{x}""#
            ))),
        ),
        ("SPKI DER", StaticKeys::new().ed_der(&spki)),
        (
            "SPKI PEM",
            StaticKeys::new().ed_pem(to_pem("PUBLIC KEY", &spki)),
        ),
    ]
}

#[test]
fn ed25519_x_not_a_point_is_refused() {
    let genuine: [u8; 32] = unb64(&ed_component()).try_into().unwrap();
    for (how, result) in add_ed_every_way(&genuine) {
        assert!(result.is_ok(), "Ed25519 fixture through {how}: {result:?}");
    }
    // y = 2: (y² − 1)/(d·y² + 1) has no square root mod p.
    let mut no_root = [0u8; 32];
    no_root[0] = 2;
    assert_all_refused(add_ed_every_way(&no_root), "y = 2");
    // y = p = 2^255 − 19: not below p.
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    assert_all_refused(add_ed_every_way(&p), "y = p");
    // y = 1 with the sign bit set: x would be 0, which has no negative.
    let mut signed_zero = [0u8; 32];
    signed_zero[0] = 1;
    signed_zero[31] = 0x80;
    assert_all_refused(add_ed_every_way(&signed_zero), "x = 0 with sign bit");
}

#[test]
fn ed25519_small_order_point_is_refused() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_all_refused(add_ed_every_way(&identity), "the neutral point");
    let order_8: [u8; 32] = unb64("JuiVj8KyJ7BFw_SJ8u-Y8NXfrAXTxjM5sTgCiG1T_AU")
        .try_into()
        .unwrap();
    assert_all_refused(add_ed_every_way(&order_8), "a point of order 8");
}

#[tokio::test]
async fn real_keys_still_load_and_verify_in_every_encoding() {
    // RSA, rebuilt from its parts in each encoding.
    let (n, e) = rsa_fixture_parts();
    assert_eq!(rsa_spki_der(&n, &e), support::RSA_PUBLIC_DER);
    for (how, keys) in add_rsa_every_way(&n, &e) {
        let keys = keys.unwrap_or_else(|error| panic!("RSA through {how}: {error}"));
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(Algorithm::RS256)))
                .await
                .0,
            &format!("RSA {how}"),
        );
    }
    for alg in [Algorithm::ES256, Algorithm::ES384] {
        let (x, y, _) = ec_fixture(alg);
        for (how, keys) in add_ec_every_way(alg, &x, &y) {
            let keys = keys.unwrap_or_else(|error| panic!("{alg:?} through {how}: {error}"));
            assert_accepted(
                &through(&layer_over(keys), bearer(&token(alg))).await.0,
                &format!("{alg:?} {how}"),
            );
        }
    }
    let raw: [u8; 32] = unb64(&ed_component()).try_into().unwrap();
    for (how, keys) in add_ed_every_way(&raw) {
        let keys = keys.unwrap_or_else(|error| panic!("Ed25519 through {how}: {error}"));
        assert_accepted(
            &through(&layer_over(keys), bearer(&token(Algorithm::EdDSA)))
                .await
                .0,
            &format!("EdDSA {how}"),
        );
    }
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
        &through(&layer_over(keys()), bearer(&token(genuine)))
            .await
            .0,
        &format!("genuine {genuine:?}"),
    );
    let mut kinds = Vec::new();
    for (what, secret) in secrets {
        let forged = mint_by(
            &EncodingKey::from_secret(secret),
            &Header::new(Algorithm::HS256),
            &TestClaims::valid(),
        );
        // Refused, whatever the reason, for every encoding...
        let kind = assert_refused(&through(&layer_over(keys()), bearer(&forged)).await.0, what);
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
    let (n, _) = rsa_components(support::RSA_PRIVATE);
    let secrets = [
        ("SPKI PEM", support::RSA_PUBLIC.as_bytes().to_vec()),
        (
            "SPKI PEM without newline",
            support::RSA_PUBLIC.trim_end().as_bytes().to_vec(),
        ),
        ("PKCS#1 PEM", support::RSA_PUBLIC_PKCS1.as_bytes().to_vec()),
        (
            "PKCS#1 PEM without newline",
            support::RSA_PUBLIC_PKCS1.trim_end().as_bytes().to_vec(),
        ),
        ("DER", support::RSA_PUBLIC_DER.to_vec()),
        ("JWK n", n.into_bytes()),
    ];
    let keys = || {
        StaticKeys::new()
            .rsa_pem(support::RSA_PUBLIC, Algorithm::RS256)
            .unwrap()
    };
    assert_confusion_refused(keys, Algorithm::RS256, &secrets).await;
    let keys = || {
        StaticKeys::new()
            .rsa_der(support::RSA_PUBLIC_DER, Algorithm::RS256)
            .unwrap()
    };
    assert_confusion_refused(keys, Algorithm::RS256, &secrets).await;
}

#[tokio::test]
async fn hs256_signed_with_the_ec_public_key_is_refused() {
    let (x, y) = ec_components();
    let secrets = [
        ("PEM", support::EC256_PUBLIC.as_bytes().to_vec()),
        (
            "PEM without newline",
            support::EC256_PUBLIC.trim_end().as_bytes().to_vec(),
        ),
        ("DER", support::EC256_PUBLIC_DER.to_vec()),
        ("JWK x", x.into_bytes()),
        ("JWK y", y.into_bytes()),
    ];
    let keys = || {
        StaticKeys::new()
            .ec_pem(support::EC256_PUBLIC, Algorithm::ES256)
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
        ("PEM", support::ED_PUBLIC.as_bytes().to_vec()),
        (
            "PEM without newline",
            support::ED_PUBLIC.trim_end().as_bytes().to_vec(),
        ),
        ("DER", support::ED_PUBLIC_DER.to_vec()),
        ("raw 32 bytes", raw),
        ("JWK x", x.into_bytes()),
    ];
    let keys = || StaticKeys::new().ed_pem(support::ED_PUBLIC).unwrap();
    assert_confusion_refused(keys, Algorithm::EdDSA, &secrets).await;
}

#[tokio::test]
async fn hs256_confusion_naming_the_public_key_by_kid_is_refused() {
    let keys = || {
        StaticKeys::new()
            .key(
                VerifyingKey::from_rsa_pem(support::RSA_PUBLIC.as_bytes(), Algorithm::RS256)
                    .unwrap()
                    .with_kid("rsa"),
            )
            .unwrap()
    };
    assert_accepted(
        &through(
            &layer_over(keys()),
            bearer(&token_with_kid(Algorithm::RS256, "rsa")),
        )
        .await
        .0,
        "genuine RS256",
    );
    let forged = mint_by(
        &EncodingKey::from_secret(support::RSA_PUBLIC.as_bytes()),
        &header(Algorithm::HS256, Some("rsa")),
        &TestClaims::valid(),
    );
    let kind = assert_refused(
        &through(&layer_over(keys()), bearer(&forged)).await.0,
        "HS256 naming the RSA kid",
    );
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);
}

#[tokio::test]
async fn hs256_signed_with_a_jwks_public_key_is_refused() {
    let (n, _) = rsa_components(support::RSA_PRIVATE);
    let keys = StaticKeys::new().jwks(jwks_document()).unwrap();
    let forged = mint_by(
        &EncodingKey::from_secret(n.as_bytes()),
        &header(Algorithm::HS256, Some("rsa-1")),
        &TestClaims::valid(),
    );
    let kind = assert_refused(
        &through(&layer_over(keys), bearer(&forged)).await.0,
        "HS256 with kid rsa-1",
    );
    assert_eq!(kind, AuthErrorKind::UnsupportedAlgorithm);
}

#[test]
fn a_jwks_document_or_key_that_is_a_json_array_is_refused() {
    let x = ed_component();
    // A derived parser would read `[[key]]` as `{"keys": [key]}`.
    let document = format!(r#"[[{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}]]"#);
    let error = StaticKeys::new().jwks(&document).unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidJwks, "{error}");
    assert!(error.to_string().contains("JSON object"), "{error}");
    // A key spelled as an array of its members is skipped, like any unusable key.
    let document = format!(
        r#"{{"keys":[["OKP",null,null,"EdDSA","k","Ed25519",null,null,"{x}",null,null]]}}"#
    );
    assert_eq!(
        config_error(StaticKeys::new().jwks(&document)),
        ConfigErrorKind::NoKeys
    );
    let object = format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}]}}"#);
    assert_eq!(StaticKeys::new().jwks(&object).unwrap().len(), 1);
}

#[test]
fn a_pem_parse_error_keeps_its_cause_as_source() {
    use std::error::Error as _;
    let error = StaticKeys::new()
        .rsa_pem(
            "-----BEGIN PUBLIC KEY-----\nnot base64!\n",
            Algorithm::RS256,
        )
        .unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidKey);
    assert!(error.source().is_some(), "{error:?}");
}
