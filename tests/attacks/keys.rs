//! Attacks on key selection: keys named by the token (`jwk`, `jku`, `x5u`), `kid` injection,
//! and weak keys refused at build time.

use super::*;

// ---------------------------------------------------------------------------------------------
// keys named by the token: jwk, jku, x5u

fn attacker_signed(header: &Value) -> String {
    sign(
        header.to_string(),
        valid_payload().to_string(),
        &EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap(),
        Algorithm::RS256,
    )
}

#[tokio::test]
async fn embedded_jwk_header_is_never_used() {
    let jwk = serde_json::to_value(public_jwk(RSA2_PRIVATE, Algorithm::RS256)).unwrap();
    let embedded = attacker_signed(&json!({ "alg": "RS256", "typ": "JWT", "jwk": jwk }));
    // The signature itself is sound: the attacker's own key accepts it.
    let attacker_layer = strict(
        StaticKeys::new()
            .rsa_pem(RSA2_PUBLIC, Algorithm::RS256)
            .unwrap(),
    );
    accepted(&attacker_layer, bearer(&embedded), "control").await;

    refused(
        &rs256_layer(),
        &embedded,
        AuthErrorKind::InvalidSignature,
        "jwk header",
    )
    .await;
    let named = strict(
        StaticKeys::new()
            .key(
                VerifyingKey::from_rsa_pem(RSA_PUBLIC.as_bytes(), Algorithm::RS256)
                    .unwrap()
                    .with_kid("ours"),
            )
            .unwrap(),
    );
    let with_kid =
        attacker_signed(&json!({ "alg": "RS256", "kid": "attacker", "jwk": jwk.clone() }));
    refused(
        &named,
        &with_kid,
        AuthErrorKind::UnknownKey,
        "jwk header with its own kid",
    )
    .await;
    let with_our_kid = attacker_signed(&json!({ "alg": "RS256", "kid": "ours", "jwk": jwk }));
    refused(
        &named,
        &with_our_kid,
        AuthErrorKind::InvalidSignature,
        "jwk header with our kid",
    )
    .await;

    // An embedded symmetric key, against an HMAC layer.
    let attacker_secret = [0x5au8; 32];
    let header = json!({
        "alg": "HS256",
        "jwk": { "kty": "oct", "k": b64(attacker_secret), "alg": "HS256" },
    });
    let token = sign(
        header.to_string(),
        valid_payload().to_string(),
        &EncodingKey::from_secret(&attacker_secret),
        Algorithm::HS256,
    );
    refused(
        &hs_layer(),
        &token,
        AuthErrorKind::InvalidSignature,
        "oct jwk header",
    )
    .await;
}

#[tokio::test]
async fn jku_header_is_refused() {
    let token = attacker_signed(&json!({
        "alg": "RS256", "kid": "attacker", "jku": "http://127.0.0.1:1/",
    }));
    refused(
        &rs256_layer(),
        &token,
        AuthErrorKind::InvalidSignature,
        "jku",
    )
    .await;
}

#[tokio::test]
async fn x5u_header_is_refused() {
    let token = attacker_signed(&json!({
        "alg": "RS256", "kid": "attacker", "x5u": "http://127.0.0.1:1/",
    }));
    refused(
        &rs256_layer(),
        &token,
        AuthErrorKind::InvalidSignature,
        "x5u",
    )
    .await;
}

#[tokio::test]
async fn jku_and_x5u_urls_are_never_contacted() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "http://{}/.well-known/jwks.json",
        listener.local_addr().unwrap()
    );

    let layer = rs256_layer();
    for member in ["jku", "x5u"] {
        let mut header = json!({ "alg": "RS256", "kid": "attacker" });
        header[member] = json!(url);
        refused(
            &layer,
            &attacker_signed(&header),
            AuthErrorKind::InvalidSignature,
            member,
        )
        .await;
    }
    // Even a token our key signed, which goes the whole way, fetches nothing.
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.jku = Some(url.clone());
    header.x5u = Some(url.clone());
    let ours = support::mint_with(header, &TestClaims::valid());
    accepted(&layer, bearer(&ours), "our token with jku and x5u").await;

    match listener.accept() {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("the middleware connected to {url} from {peer}"),
        Err(e) => panic!("accept failed: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// kid injection

/// A `kid` is an exact-match lookup key: an injected value names no key, and with one
/// anonymous key the token is still verified with that key, not with what the kid points at.
async fn kid_is_opaque(kid: &str) {
    let payload = valid_payload().to_string();
    let header = json!({ "alg": "HS256", "kid": kid }).to_string();
    // What /dev/null or an empty SQL result would give: an empty secret.
    let empty = sign(
        &header,
        &payload,
        &EncodingKey::from_secret(b""),
        Algorithm::HS256,
    );
    let ours = hs_token(&header, &payload);
    let named = named_hs_layer();
    accepted(
        &named,
        bearer(&hs_token(r#"{"alg":"HS256","kid":"k1"}"#, &payload)),
        "control",
    )
    .await;
    for (what, token) in [("empty secret", &empty), ("our secret", &ours)] {
        let refusal = refused(
            &named,
            token,
            AuthErrorKind::UnknownKey,
            &format!("kid {kid:?}, {what}"),
        )
        .await;
        assert!(!refusal.challenge().contains(kid), "kid echoed");
    }
    refused(
        &hs_layer(),
        &empty,
        AuthErrorKind::InvalidSignature,
        &format!("kid {kid:?}, anonymous key"),
    )
    .await;
}

#[tokio::test]
async fn kid_path_traversal() {
    kid_is_opaque("../../dev/null").await;
    kid_is_opaque("/dev/null").await;
    kid_is_opaque("k1/../k1").await;
}

#[tokio::test]
async fn kid_sql_injection() {
    kid_is_opaque("' OR 1=1 --").await;
    kid_is_opaque("k1' OR '1'='1").await;
    kid_is_opaque("K1").await;
    kid_is_opaque("k1 ").await;
}

#[tokio::test]
async fn kid_of_10_kib() {
    let payload = valid_payload().to_string();
    let kid = "k".repeat(10 * 1024);
    let token = hs_token(json!({ "alg": "HS256", "kid": kid }).to_string(), &payload);
    // With the default limits the whole token is too large already.
    refused(
        &named_hs_layer(),
        &token,
        AuthErrorKind::TokenTooLarge {
            len: token.len(),
            max: DEFAULT_MAX_TOKEN_LEN,
        },
        "10 KiB kid, default limits",
    )
    .await;
    // With room for the token, the kid limit itself refuses it.
    let roomy = support::builder(hs_keys())
        .max_token_len(64 * 1024)
        .build()
        .unwrap();
    refused(
        &roomy,
        &token,
        malformed("the kid is too long"),
        "10 KiB kid, 64 KiB token limit",
    )
    .await;
    // The default kid limit is 256 bytes, and it can be lowered.
    let at = hs_token(
        json!({ "alg": "HS256", "kid": "k".repeat(256) }).to_string(),
        &payload,
    );
    let over = hs_token(
        json!({ "alg": "HS256", "kid": "k".repeat(257) }).to_string(),
        &payload,
    );
    accepted(&roomy, bearer(&at), "256-byte kid, anonymous key").await;
    refused(
        &roomy,
        &over,
        malformed("the kid is too long"),
        "257-byte kid",
    )
    .await;
    let tight = support::builder(hs_keys()).max_kid_len(8).build().unwrap();
    let nine = hs_token(r#"{"alg":"HS256","kid":"123456789"}"#, &payload);
    refused(
        &tight,
        &nine,
        malformed("the kid is too long"),
        "max_kid_len(8)",
    )
    .await;
}

async fn non_string_kid_is_refused(kid: &str) {
    let payload = valid_payload().to_string();
    let token = hs_token(format!(r#"{{"alg":"HS256","kid":{kid}}}"#), &payload);
    // The token is otherwise valid and signed by the only key, which has no kid of its own.
    refused(
        &hs_layer(),
        &token,
        malformed(BAD_HEADER),
        &format!("kid {kid}"),
    )
    .await;
}

#[tokio::test]
async fn numeric_kid() {
    non_string_kid_is_refused("1").await;
    non_string_kid_is_refused("-1.5e3").await;
}

#[tokio::test]
async fn object_kid() {
    non_string_kid_is_refused(r#"{"$ne":""}"#).await;
    non_string_kid_is_refused(r#"["k1"]"#).await;
    non_string_kid_is_refused("true").await;
}

#[tokio::test]
async fn null_kid() {
    non_string_kid_is_refused("null").await;
}

// ---------------------------------------------------------------------------------------------
// configuration

#[test]
fn weak_hmac_secret_is_refused_at_build_time() {
    for (alg, min) in [
        (Algorithm::HS256, 32),
        (Algorithm::HS384, 48),
        (Algorithm::HS512, 64),
    ] {
        for len in [0, 1, min / 2, min - 1] {
            let secret = vec![0x42u8; len];
            assert_eq!(
                config_error(StaticKeys::new().secret(&secret, alg)),
                ConfigErrorKind::WeakSecret,
                "{alg:?} with {len} bytes"
            );
            assert_eq!(
                config_error(VerifyingKey::from_secret(&secret, alg)),
                ConfigErrorKind::WeakSecret
            );
            assert_eq!(
                config_error(StaticKeys::new().base64_secret(&STANDARD.encode(&secret), alg)),
                ConfigErrorKind::WeakSecret
            );
        }
        assert!(StaticKeys::new().secret(&vec![0x42; min], alg).is_ok());
    }
    // A short `oct` key in a local JWKS is skipped, leaving no key.
    let jwks = json!({ "keys": [{ "kty": "oct", "alg": "HS256", "k": b64([1u8; 16]) }] });
    assert_eq!(
        config_error(StaticKeys::new().jwks(jwks.to_string())),
        ConfigErrorKind::NoKeys
    );
}
