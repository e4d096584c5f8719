//! Algorithm attacks: `alg: none` in every spelling, algorithm names compared exactly, the
//! HMAC/public-key confusion, and forged ECDSA signatures.

use super::*;

// ---------------------------------------------------------------------------------------------
// alg: none, and exact algorithm names

/// `alg` spelled `spelling`: refused without a signature segment, with an empty one, and with
/// a signature (even a valid HMAC of the message), by an HMAC and an RSA layer alike.
async fn alg_none_is_refused(spelling: &str) {
    let header = format!(r#"{{"alg":"{spelling}","typ":"JWT"}}"#);
    let payload = valid_payload().to_string();
    let message = message(&header, &payload);
    for (name, layer) in [("hmac", hs_layer()), ("rsa", rs256_layer())] {
        let what = format!("alg {spelling}, {name} layer");
        // The classic form: an empty signature.
        refused(
            &layer,
            &format!("{message}."),
            malformed("the token is not signed"),
            &format!("{what}, empty signature"),
        )
        .await;
        refused(
            &layer,
            &message,
            malformed(NOT_3),
            &format!("{what}, no signature segment"),
        )
        .await;
        // With a signature: the HMAC of the message under our own secret, and junk.
        let mac = hs_token(&header, &payload);
        refused(
            &layer,
            &mac,
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("{what}, HMAC signature"),
        )
        .await;
        refused(
            &layer,
            &format!("{message}.{}", b64([0u8; 32])),
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("{what}, junk signature"),
        )
        .await;
    }
}

#[tokio::test]
async fn alg_none_lower_case() {
    alg_none_is_refused("none").await;
}

#[tokio::test]
async fn alg_none_capitalized() {
    alg_none_is_refused("None").await;
}

#[tokio::test]
async fn alg_none_mixed_case() {
    alg_none_is_refused("nOnE").await;
}

#[tokio::test]
async fn alg_none_upper_case() {
    alg_none_is_refused("NONE").await;
}

#[tokio::test]
async fn algorithm_names_are_compared_exactly() {
    let layer = hs_layer();
    let payload = valid_payload().to_string();
    accepted(
        &layer,
        bearer(&hs_token(r#"{"alg":"HS256"}"#, &payload)),
        "HS256",
    )
    .await;
    for alg in [
        "hs256",
        "Hs256",
        "HS256 ",
        " HS256",
        "HS256\u{0000}",
        "HMAC256",
    ] {
        let header = json!({ "alg": alg }).to_string();
        refused(
            &layer,
            &hs_token(&header, &payload),
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("alg {alg:?}"),
        )
        .await;
    }
    // A non-string or absent alg is no JOSE header at all.
    for header in [
        r#"{"alg":null}"#,
        r#"{"alg":["HS256"]}"#,
        r#"{"typ":"JWT"}"#,
    ] {
        refused(
            &layer,
            &hs_token(header, &payload),
            malformed(BAD_HEADER),
            header,
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// HMAC / public-key confusion

/// A public key in every encoding an attacker might feed to HMAC as the secret.
fn secrets_from(
    pem_text: &str,
    der: &[u8],
    jwk: &Jwk,
    extra: Vec<(&'static str, Vec<u8>)>,
) -> Vec<(&'static str, Vec<u8>)> {
    let trimmed = pem_text.trim_end();
    let mut all = vec![
        ("PEM as stored", pem_text.as_bytes().to_vec()),
        ("PEM without trailing newline", trimmed.as_bytes().to_vec()),
        (
            "PEM with trailing newline",
            format!("{trimmed}\n").into_bytes(),
        ),
        ("PEM with CRLF", trimmed.replace('\n', "\r\n").into_bytes()),
        ("DER", der.to_vec()),
        ("JWK JSON", serde_json::to_vec(jwk).unwrap()),
    ];
    all.extend(extra);
    all
}

fn rsa_secrets() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = public_jwk(RSA_PRIVATE, Algorithm::RS256);
    let AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
        panic!("not an RSA JWK")
    };
    let pkcs1 = RSA_PUBLIC_PKCS1.trim_end();
    let extra = vec![
        ("PKCS#1 PEM as stored", RSA_PUBLIC_PKCS1.as_bytes().to_vec()),
        (
            "PKCS#1 PEM without trailing newline",
            pkcs1.as_bytes().to_vec(),
        ),
        (
            "PKCS#1 PEM with trailing newline",
            format!("{pkcs1}\n").into_bytes(),
        ),
        (
            "PKCS#1 DER",
            pem::parse(RSA_PUBLIC_PKCS1).unwrap().contents().to_vec(),
        ),
        ("JWK n", rsa.n.as_bytes().to_vec()),
        ("JWK n decoded", unb64(&rsa.n)),
    ];
    secrets_from(RSA_PUBLIC, RSA_PUBLIC_DER, &jwk, extra)
}

fn ec_secrets() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = public_jwk(EC256_PRIVATE, Algorithm::ES256);
    let AlgorithmParameters::EllipticCurve(ec) = &jwk.algorithm else {
        panic!("not an EC JWK")
    };
    let point = [vec![4u8], unb64(&ec.x), unb64(&ec.y)].concat();
    let extra = vec![
        ("JWK x", ec.x.as_bytes().to_vec()),
        ("JWK x decoded", unb64(&ec.x)),
        ("uncompressed point", point),
    ];
    secrets_from(EC256_PUBLIC, EC256_PUBLIC_DER, &jwk, extra)
}

fn ed_secrets() -> Vec<(&'static str, Vec<u8>)> {
    let jwk = public_jwk(ED_PRIVATE, Algorithm::EdDSA);
    let AlgorithmParameters::OctetKeyPair(okp) = &jwk.algorithm else {
        panic!("not an OKP JWK")
    };
    let extra = vec![
        ("JWK x", okp.x.as_bytes().to_vec()),
        ("JWK x decoded", unb64(&okp.x)),
    ];
    secrets_from(ED_PUBLIC, ED_PUBLIC_DER, &jwk, extra)
}

const HMAC: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Tokens HMAC-signed with each encoding of a public key as the secret, with `kid` in the
/// header when given.
fn confused_tokens(
    secrets: &[(&'static str, Vec<u8>)],
    kid: Option<&str>,
) -> Vec<(String, Algorithm, String)> {
    let payload = valid_payload().to_string();
    let mut tokens = Vec::new();
    for (encoding, secret) in secrets {
        for alg in HMAC {
            let mut header = json!({ "alg": format!("{alg:?}"), "typ": "JWT" });
            if let Some(kid) = kid {
                header["kid"] = json!(kid);
            }
            let token = sign(
                header.to_string(),
                &payload,
                &EncodingKey::from_secret(secret),
                alg,
            );
            tokens.push((format!("{alg:?} with the {encoding}"), alg, token));
        }
    }
    tokens
}

/// The layer holding only `key` refuses every HMAC token made with the key's public bytes;
/// so does the layer holding it under a `kid` the tokens name, even with every algorithm
/// allowed in the configuration.
async fn public_key_as_hmac_secret_is_refused(
    key: VerifyingKey,
    secrets: Vec<(&'static str, Vec<u8>)>,
) {
    let anonymous = strict(StaticKeys::new().key(key.clone()).unwrap());
    for (what, _, token) in confused_tokens(&secrets, None) {
        refused(
            &anonymous,
            &token,
            AuthErrorKind::UnsupportedAlgorithm,
            &what,
        )
        .await;
    }
    let named = support::builder(StaticKeys::new().key(key.with_kid("pub-1")).unwrap())
        .algorithms(AlgorithmSet::all())
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
        .unwrap();
    for (what, _, token) in confused_tokens(&secrets, Some("pub-1")) {
        let what = format!("{what}, kid naming the public key");
        refused(&named, &token, AuthErrorKind::UnsupportedAlgorithm, &what).await;
    }
}

#[tokio::test]
async fn hmac_signed_with_the_rsa_public_key() {
    let key = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    public_key_as_hmac_secret_is_refused(key, rsa_secrets()).await;
}

#[tokio::test]
async fn hmac_signed_with_the_ec_public_key() {
    let key = VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap();
    public_key_as_hmac_secret_is_refused(key, ec_secrets()).await;
}

#[tokio::test]
async fn hmac_signed_with_the_ed25519_public_key() {
    let key = VerifyingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap();
    public_key_as_hmac_secret_is_refused(key, ed_secrets()).await;
}

/// A layer that does verify HS256 (with its own secret) next to a public key: a token naming
/// the public key by `kid` is refused, one without `kid` goes to the real secret and fails.
#[tokio::test]
async fn hmac_confusion_next_to_a_real_hmac_secret() {
    let cases = [
        (
            "RSA",
            VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap(),
            rsa_secrets(),
        ),
        (
            "EC",
            VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap(),
            ec_secrets(),
        ),
        (
            "Ed25519",
            VerifyingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap(),
            ed_secrets(),
        ),
    ];
    for (family, key, secrets) in cases {
        let keys = StaticKeys::new()
            .key(
                VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
                    .unwrap()
                    .with_kid("hmac-1"),
            )
            .unwrap()
            .key(key.with_kid("pub-1"))
            .unwrap();
        let layer = strict(keys);
        let control = hs_token(
            r#"{"alg":"HS256","kid":"hmac-1"}"#,
            valid_payload().to_string(),
        );
        accepted(&layer, bearer(&control), "the real HMAC key").await;
        for (what, _, token) in confused_tokens(&secrets, Some("pub-1")) {
            let what = format!("{family}: {what}, kid naming the public key");
            refused(&layer, &token, AuthErrorKind::UnsupportedAlgorithm, &what).await;
        }
        for (what, alg, token) in confused_tokens(&secrets, None) {
            let what = format!("{family}: {what}, no kid");
            let kind = if alg == Algorithm::HS256 {
                AuthErrorKind::InvalidSignature
            } else {
                AuthErrorKind::UnsupportedAlgorithm
            };
            refused(&layer, &token, kind, &what).await;
        }
    }
}

/// Keys are bound to their family at build time, and a key source cannot hand a public key
/// to an HMAC token.
#[tokio::test]
async fn public_keys_are_bound_to_their_family_at_build_time() {
    let rsa = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256).unwrap();
    let ec = VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), Algorithm::ES256).unwrap();
    let ed = VerifyingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap();
    for alg in HMAC {
        let set = AlgorithmSet::one(alg);
        for (what, key) in [("RSA", &rsa), ("EC", &ec), ("Ed25519", &ed)] {
            let err = key.clone().with_algorithms(set).unwrap_err();
            assert_eq!(err.kind(), ConfigErrorKind::InvalidKey, "{what} as {alg:?}");
        }
        let err = VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), alg).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
        let err = VerifyingKey::from_ec_pem(EC256_PUBLIC.as_bytes(), alg).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
        let err = VerifyingKey::from_rsa_der(RSA_PUBLIC_DER, alg).unwrap_err();
        assert_eq!(err.kind(), ConfigErrorKind::InvalidKey);
    }

    // A source that answers every header with the RSA key: the token's alg decides nothing.
    let key = Arc::new(rsa);
    let source = move |_: &TokenHeader<'_>| std::future::ready(Ok::<_, AuthError>(key.clone()));
    let layer = strict(source);
    for (what, _, token) in confused_tokens(&rsa_secrets(), None) {
        refused(
            &layer,
            &token,
            AuthErrorKind::UnsupportedAlgorithm,
            &format!("key source: {what}"),
        )
        .await;
    }
}

// ---------------------------------------------------------------------------------------------
// ECDSA signatures

/// Every signature backend compiled in.
fn providers() -> Vec<(&'static str, &'static CryptoProvider)> {
    vec![
        #[cfg(feature = "aws-lc-rs")]
        ("aws-lc-rs", &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER),
        #[cfg(feature = "rust-crypto")]
        (
            "rust-crypto",
            &jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER,
        ),
    ]
}

fn ec_layers(pem: &str, alg: Algorithm) -> Vec<(&'static str, JwtAuthLayer<TestClaims>)> {
    providers()
        .into_iter()
        .map(|(name, provider)| {
            let keys = StaticKeys::new().ec_pem(pem, alg).unwrap();
            let layer = JwtAuthLayer::<TestClaims>::builder(keys)
                .crypto_provider(provider)
                .clock(support::clock)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .build()
                .unwrap();
            (name, layer)
        })
        .collect()
}

/// `header.payload` of an ES256 token and its valid fixed-length signature (r || s).
fn es256_parts() -> (String, Vec<u8>) {
    let token = sign(
        r#"{"alg":"ES256","typ":"JWT"}"#,
        valid_payload().to_string(),
        &EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
        Algorithm::ES256,
    );
    let (message, signature) = token.rsplit_once('.').unwrap();
    let raw = unb64(signature);
    assert_eq!(raw.len(), 64, "ES256 signatures are r || s");
    (message.to_owned(), raw)
}

/// Each forged ES256 signature is refused by every backend; the genuine one is accepted.
async fn es256_signatures_are_refused(forged: &[(&str, Vec<u8>)]) {
    let (message, valid) = es256_parts();
    for (backend, layer) in ec_layers(EC256_PUBLIC, Algorithm::ES256) {
        accepted(
            &layer,
            bearer(&format!("{message}.{}", b64(&valid))),
            &format!("{backend}: genuine signature"),
        )
        .await;
        for (what, signature) in forged {
            refused(
                &layer,
                &format!("{message}.{}", b64(signature)),
                AuthErrorKind::InvalidSignature,
                &format!("{backend}: {what}"),
            )
            .await;
        }
    }
}

/// The order of P-256: r or s equal to it is zero modulo the order.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[tokio::test]
async fn ecdsa_psychic_signature_r_and_s_zero() {
    es256_signatures_are_refused(&[
        ("r = s = 0 (64 zero bytes)", vec![0u8; 64]),
        ("r = s = n", [P256_ORDER, P256_ORDER].concat()),
    ])
    .await;
    // ES384: 96 zero bytes.
    let token = with_signature(
        r#"{"alg":"ES384"}"#,
        &valid_payload().to_string(),
        &[0u8; 96],
    );
    for (backend, layer) in ec_layers(EC384_PUBLIC, Algorithm::ES384) {
        let genuine = sign(
            r#"{"alg":"ES384"}"#,
            valid_payload().to_string(),
            &EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
            Algorithm::ES384,
        );
        accepted(&layer, bearer(&genuine), backend).await;
        refused(
            &layer,
            &token,
            AuthErrorKind::InvalidSignature,
            &format!("{backend}: ES384 zeros"),
        )
        .await;
    }
}

#[tokio::test]
async fn ecdsa_r_zero() {
    let (_, valid) = es256_parts();
    let forged = [vec![0u8; 32], valid[32..].to_vec()].concat();
    es256_signatures_are_refused(&[("r = 0", forged)]).await;
}

#[tokio::test]
async fn ecdsa_s_zero() {
    let (_, valid) = es256_parts();
    let forged = [valid[..32].to_vec(), vec![0u8; 32]].concat();
    es256_signatures_are_refused(&[("s = 0", forged)]).await;
}

#[tokio::test]
async fn ecdsa_signature_of_63_bytes() {
    let (_, valid) = es256_parts();
    es256_signatures_are_refused(&[
        ("last byte dropped", valid[..63].to_vec()),
        ("first byte dropped", valid[1..].to_vec()),
    ])
    .await;
}

#[tokio::test]
async fn ecdsa_signature_of_65_bytes() {
    let (_, valid) = es256_parts();
    es256_signatures_are_refused(&[
        ("zero appended", [valid.clone(), vec![0]].concat()),
        ("zero prepended", [vec![0], valid.clone()].concat()),
    ])
    .await;
}

/// The ASN.1 DER `Ecdsa-Sig-Value` of a fixed-length signature: `r` and `s` as minimal
/// INTEGERs.
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    let minimal = |n: &[u8]| {
        n.iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect::<Vec<u8>>()
    };
    let (r, s) = raw.split_at(raw.len() / 2);
    der(
        0x30,
        &[der_integer(&minimal(r)), der_integer(&minimal(s))].concat(),
    )
}

#[tokio::test]
async fn ecdsa_der_encoded_signature() {
    let (_, valid) = es256_parts();
    let der = ecdsa_der(&valid);
    assert_eq!(der[0], 0x30);
    assert!((68..=72).contains(&der.len()), "DER length {}", der.len());
    es256_signatures_are_refused(&[("DER of the genuine signature", der)]).await;
}
