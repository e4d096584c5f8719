//! Malformed tokens: unknown `crit` extensions and `b64`, what is not a compact JWS, sizes and
//! nesting beyond the caps, and JSON that is not an object.

use super::*;

// ---------------------------------------------------------------------------------------------
// crit and b64

#[tokio::test]
async fn crit_naming_an_unknown_extension() {
    let payload = valid_payload().to_string();
    for header in [
        r#"{"alg":"HS256","crit":["urn:example:unknown"],"urn:example:unknown":true}"#,
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","crit":["b64"],"b64":true}"#,
    ] {
        refused(
            &hs_layer(),
            &hs_token(header, &payload),
            AuthErrorKind::CriticalHeader,
            header,
        )
        .await;
    }
}

#[tokio::test]
async fn empty_crit() {
    let payload = valid_payload().to_string();
    for header in [
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":null}"#,
        r#"{"alg":"HS256","crit":""}"#,
    ] {
        refused(
            &hs_layer(),
            &hs_token(header, &payload),
            AuthErrorKind::CriticalHeader,
            header,
        )
        .await;
    }
}

#[tokio::test]
async fn b64_false() {
    let layer = hs_layer();
    let payload = valid_payload().to_string();
    accepted(
        &layer,
        bearer(&hs_token(r#"{"alg":"HS256","b64":true}"#, &payload)),
        "b64: true is the default",
    )
    .await;
    for header in [
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","b64":"false"}"#,
        r#"{"alg":"HS256","b64":0}"#,
    ] {
        refused(
            &layer,
            &hs_token(header, &payload),
            AuthErrorKind::UnencodedPayload,
            header,
        )
        .await;
    }
    // RFC 7797's own form: the payload in the clear, signed as such.
    let clear = payload.clone();
    let header = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let mut signing_input = b64(header).into_bytes();
    signing_input.push(b'.');
    signing_input.extend_from_slice(clear.as_bytes());
    support::install_signing_provider();
    let signature = jsonwebtoken::crypto::sign(
        &signing_input,
        &EncodingKey::from_secret(HS_SECRET),
        Algorithm::HS256,
    )
    .unwrap();
    let detached = format!("{}..{signature}", b64(header));
    refused(
        &layer,
        &detached,
        malformed("empty header or payload segment"),
        "detached unencoded payload",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// not compact JWS

#[tokio::test]
async fn json_serialization() {
    let token = valid_hs();
    let parts: Vec<&str> = token.split('.').collect();
    let flattened = json!({ "payload": parts[1], "protected": parts[0], "signature": parts[2] });
    let general = json!({
        "payload": parts[1],
        "signatures": [{ "protected": parts[0], "signature": parts[2] }],
    });
    for (what, doc) in [("flattened", flattened), ("general", general)] {
        refused(&hs_layer(), &doc.to_string(), malformed(NOT_B64URL), what).await;
    }
}

#[tokio::test]
async fn jwe_with_five_parts() {
    let header = b64(r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","typ":"JWT"}"#);
    let token = format!(
        "{header}.{}.{}.{}.{}",
        b64([1u8; 256]),
        b64([2u8; 12]),
        b64(valid_payload().to_string()),
        b64([3u8; 16])
    );
    refused(&hs_layer(), &token, malformed(NOT_3_JWE), "JWE").await;
    let dir = format!(
        "{}..{}.{}.{}",
        b64(r#"{"alg":"dir","enc":"A128GCM"}"#),
        b64([2u8; 12]),
        b64("x"),
        b64([3u8; 16])
    );
    refused(&hs_layer(), &dir, malformed(NOT_3_JWE), "JWE dir").await;
}

#[tokio::test]
async fn two_segments() {
    let token = valid_hs();
    let (message, _) = token.rsplit_once('.').unwrap();
    refused(&hs_layer(), message, malformed(NOT_3), "header.payload").await;
}

#[tokio::test]
async fn four_segments() {
    let token = valid_hs();
    let sig = token.rsplit('.').next().unwrap();
    refused(
        &hs_layer(),
        &format!("{token}.{sig}"),
        malformed(NOT_3_JWE),
        "four segments",
    )
    .await;
    refused(
        &hs_layer(),
        &format!("{token}."),
        malformed(NOT_3_JWE),
        "trailing dot",
    )
    .await;
}

#[tokio::test]
async fn base64_padding() {
    // A header whose base64url needs padding, a payload too.
    let header = r#"{"alg":"HS256","x":12}"#;
    let payload = (0..3)
        .map(|n| payload_with(|p| p["pad"] = json!("a".repeat(n))))
        .find(|p| p.len() % 3 != 0)
        .unwrap();
    let token = hs_token(header, &payload);
    accepted(&hs_layer(), bearer(&token), "unpadded control").await;
    let parts: Vec<&str> = token.split('.').collect();
    let pad = |s: &str| format!("{s}{}", "=".repeat((4 - s.len() % 4) % 4));
    let padded_header = format!("{}.{}.{}", pad(parts[0]), parts[1], parts[2]);
    let padded_payload = format!("{}.{}.{}", parts[0], pad(parts[1]), parts[2]);
    let padded_sig = format!("{}.{}.{}", parts[0], parts[1], pad(parts[2]));
    for (what, token) in [
        ("header", padded_header),
        ("payload", padded_payload),
        ("signature", padded_sig),
    ] {
        assert!(token.contains('='), "{what}: the fixture needs padding");
        refused(&hs_layer(), &token, malformed(NOT_B64URL), what).await;
    }
}

#[tokio::test]
async fn standard_base64_alphabet() {
    // `???` and `~~~` encode to `/` and `+` in standard base64.
    let header = r#"{"alg":"HS256","x":"???~~~>>>"}"#;
    let payload = payload_with(|p| p["x"] = json!("???~~~>>>"));
    let token = hs_token(header, &payload);
    accepted(&hs_layer(), bearer(&token), "base64url control").await;
    let standard = |s: &str| STANDARD_NO_PAD.encode(s);
    let signature = token.rsplit('.').next().unwrap();
    let cases = [
        (
            "standard header",
            format!("{}.{}.{signature}", standard(header), b64(&payload)),
        ),
        (
            "standard payload",
            format!("{}.{}.{signature}", b64(header), standard(&payload)),
        ),
        (
            "standard everything, padded",
            format!(
                "{}.{}.{}",
                STANDARD.encode(header),
                STANDARD.encode(&payload),
                STANDARD.encode(unb64(signature))
            ),
        ),
    ];
    for (what, token) in cases {
        assert!(
            token.contains('+') || token.contains('/'),
            "{what}: the fixture needs + or /"
        );
        refused(&hs_layer(), &token, malformed(NOT_B64URL), what).await;
    }
}

/// Whitespace inside the token is refused as a malformed request (400 `invalid_request`)
/// before any decoding; spaces around it inside the header value are trimmed (the
/// `Authorization` header is `Bearer` + spaces + token + optional spaces), tabs are not.
#[tokio::test]
async fn whitespace() {
    let layer = hs_layer();
    let token = valid_hs();
    let (head, rest) = token.split_once('.').unwrap();
    let chars = AuthErrorKind::InvalidRequest("the token has characters a token cannot have");
    let inside = [
        ("space after the first dot", format!("{head}. {rest}")),
        (
            "space inside a segment",
            format!("{} {}", &token[..5], &token[5..]),
        ),
        ("tab inside", format!("{head}.\t{rest}")),
        ("trailing tab", format!("{token}\t")),
        ("leading tab", format!("\t{token}")),
    ];
    for (what, value) in inside {
        let request = || {
            Request::get("/")
                .header(AUTHORIZATION, format!("Bearer {value}"))
                .body(String::new())
                .unwrap()
        };
        refused_request(&layer, request, StatusCode::BAD_REQUEST, &chars, what).await;
    }
    for value in [
        format!("Bearer    {token}"),
        format!("Bearer {token}   "),
        format!("bearer   {token}  "),
    ] {
        let request = Request::get("/")
            .header(AUTHORIZATION, value.as_str())
            .body(String::new())
            .unwrap();
        accepted(&layer, request, &format!("{value:?}")).await;
    }
}

#[tokio::test]
async fn tampered_header() {
    let token = valid_hs();
    let rest = token.split_once('.').unwrap().1;
    for header in [
        r#"{"alg":"HS256","typ":"JWT","kid":"x"}"#,
        r#"{"alg":"HS256","typ":"at+jwt"}"#,
        r#"{"typ":"JWT","alg":"HS256"}"#,
    ] {
        let tampered = format!("{}.{rest}", b64(header));
        refused(
            &hs_layer(),
            &tampered,
            AuthErrorKind::InvalidSignature,
            header,
        )
        .await;
    }
}

#[tokio::test]
async fn tampered_payload() {
    let token = valid_hs();
    let parts: Vec<&str> = token.split('.').collect();
    for payload in [
        payload_with(|p| p["sub"] = json!("admin")),
        payload_with(|p| p["exp"] = json!(NOW + 10 * 365 * 86_400)),
        payload_with(|p| p["scope"] = json!("admin")),
    ] {
        let tampered = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
        refused(
            &hs_layer(),
            &tampered,
            AuthErrorKind::InvalidSignature,
            &payload,
        )
        .await;
    }
}

#[tokio::test]
async fn tampered_signature() {
    let token = valid_hs();
    let (message, signature) = token.rsplit_once('.').unwrap();
    let valid = unb64(signature);
    let mut flipped = valid.clone();
    flipped[0] ^= 1;
    let mut last = valid.clone();
    *last.last_mut().unwrap() ^= 0x80;
    for (what, signature) in [
        ("first bit flipped", flipped),
        ("last byte changed", last),
        ("all zero", vec![0; 32]),
        ("doubled", [valid.clone(), valid.clone()].concat()),
    ] {
        refused(
            &hs_layer(),
            &format!("{message}.{}", b64(signature)),
            AuthErrorKind::InvalidSignature,
            what,
        )
        .await;
    }
}

#[tokio::test]
async fn signature_with_unused_bits_set() {
    // A 32-byte MAC is 43 characters: the last one carries 2 unused bits. Setting one gives a
    // second spelling of the same signature bytes, which a lax decoder would accept.
    let token = valid_hs();
    let (message, signature) = token.rsplit_once('.').unwrap();
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = signature.as_bytes()[42];
    let index = ALPHABET.iter().position(|&c| c == last).unwrap();
    assert_eq!(
        index % 4,
        0,
        "a canonical encoder leaves the unused bits zero"
    );
    let respelled = format!(
        "{message}.{}{}",
        &signature[..42],
        char::from(ALPHABET[index | 1])
    );
    let lax = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
    );
    assert_eq!(
        lax.decode(respelled.rsplit_once('.').unwrap().1).unwrap(),
        lax.decode(signature).unwrap(),
        "a lax decoder reads the same MAC"
    );
    refused(
        &hs_layer(),
        &respelled,
        malformed("a segment is not canonical base64url"),
        "unused bits set in the signature's last character",
    )
    .await;
}

#[tokio::test]
async fn truncated_token() {
    let token = valid_hs();
    let (message, signature) = token.rsplit_once('.').unwrap();
    assert_eq!(signature.len(), 43, "an HS256 signature is 43 characters");
    let layer = hs_layer();
    // 40 characters: 30 bytes of canonical base64url, a short MAC.
    refused(
        &layer,
        &token[..token.len() - 3],
        AuthErrorKind::InvalidSignature,
        "signature cut to 30 bytes",
    )
    .await;
    // 41 characters can be no base64 at all.
    refused(
        &layer,
        &token[..token.len() - 2],
        malformed("a segment is not canonical base64url"),
        "signature cut to 41 characters",
    )
    .await;
    refused(
        &layer,
        &format!("{message}."),
        malformed("the token is not signed"),
        "signature removed",
    )
    .await;
    refused(
        &layer,
        message,
        malformed(NOT_3),
        "signature and dot removed",
    )
    .await;
    let cut = &message[..message.len() - 10];
    refused(&layer, cut, malformed(NOT_3), "cut inside the payload").await;
}

// ---------------------------------------------------------------------------------------------
// size and nesting

#[tokio::test]
async fn token_above_the_size_cap() {
    let layer = hs_layer();
    let too_large = |len| AuthErrorKind::TokenTooLarge {
        len,
        max: DEFAULT_MAX_TOKEN_LEN,
    };
    // A well-formed, validly signed token that is simply too big.
    let big = hs_token(
        r#"{"alg":"HS256"}"#,
        payload_with(|p| p["pad"] = json!("x".repeat(9 * 1024))),
    );
    refused(&layer, &big, too_large(big.len()), "validly signed").await;
    // Checked before splitting or decoding: garbage of 8 KiB + 1 is "too large", not
    // "malformed", and 8 KiB exactly gets as far as splitting.
    let garbage = "A".repeat(DEFAULT_MAX_TOKEN_LEN + 1);
    refused(&layer, &garbage, too_large(garbage.len()), "8 KiB + 1").await;
    let at_cap = "A".repeat(DEFAULT_MAX_TOKEN_LEN);
    refused(&layer, &at_cap, malformed(NOT_3), "8 KiB exactly").await;
    let plus = "+".repeat(DEFAULT_MAX_TOKEN_LEN + 1);
    refused(
        &layer,
        &plus,
        too_large(plus.len()),
        "bad base64 over the cap",
    )
    .await;

    // Configurable.
    let small = support::builder(hs_keys())
        .max_token_len(64)
        .build()
        .unwrap();
    let token = valid_hs();
    refused(
        &small,
        &token,
        AuthErrorKind::TokenTooLarge {
            len: token.len(),
            max: 64,
        },
        "max_token_len(64)",
    )
    .await;
}

#[tokio::test]
async fn one_mebibyte_of_dots() {
    let dots = ".".repeat(1024 * 1024);
    refused(
        &hs_layer(),
        &dots,
        AuthErrorKind::TokenTooLarge {
            len: dots.len(),
            max: DEFAULT_MAX_TOKEN_LEN,
        },
        "1 MiB of dots",
    )
    .await;
}

#[tokio::test]
async fn many_dots() {
    let layer = hs_layer();
    let token = valid_hs();
    for (what, text) in [
        ("4000 dots", ".".repeat(4000)),
        ("a. repeated", format!("{}a", "a.".repeat(3000))),
        (
            "valid token then dots",
            format!("{token}{}", ".".repeat(100)),
        ),
    ] {
        refused(&layer, &text, malformed(NOT_3_JWE), what).await;
    }
    refused(
        &layer,
        "..",
        malformed("empty header or payload segment"),
        "two dots",
    )
    .await;
}

/// A claims payload nested `depth` levels deep (the outer object counts as one).
fn nested_payload(depth: usize) -> String {
    let mut payload = valid_payload().to_string();
    payload.pop();
    format!(
        r#"{payload},"nest":{}{}}}"#,
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    )
}

#[tokio::test]
async fn deeply_nested_payload() {
    let token = hs_token(r#"{"alg":"HS256"}"#, nested_payload(1000));
    refused(&hs_layer(), &token, malformed(TOO_DEEP), "depth 1000").await;
    // The configured limit is what decides, at any depth.
    let at = support::builder(hs_keys())
        .max_json_depth(1000)
        .build()
        .unwrap();
    accepted(&at, bearer(&token), "depth 1000, max 1000").await;
    let under = support::builder(hs_keys())
        .max_json_depth(999)
        .build()
        .unwrap();
    refused(&under, &token, malformed(TOO_DEEP), "depth 1000, max 999").await;
}

#[tokio::test]
async fn deeply_nested_header() {
    // Refused before any crypto: the signature is junk.
    let header = format!(
        r#"{{"alg":"HS256","x":{}{}}}"#,
        "[".repeat(999),
        "]".repeat(999)
    );
    let token = with_signature(&header, &valid_payload().to_string(), &[0; 32]);
    refused(
        &hs_layer(),
        &token,
        malformed(TOO_DEEP),
        "header depth 1000",
    )
    .await;
}

#[tokio::test]
async fn json_depth_is_configurable() {
    let token = |depth| hs_token(r#"{"alg":"HS256"}"#, nested_payload(depth));
    let default = hs_layer();
    accepted(&default, bearer(&token(16)), "depth 16, default limit").await;
    refused(
        &default,
        &token(17),
        malformed(TOO_DEEP),
        "depth 17, default",
    )
    .await;
    let deeper = support::builder(hs_keys())
        .max_json_depth(32)
        .build()
        .unwrap();
    accepted(&deeper, bearer(&token(20)), "depth 20, max 32").await;
    let shallow = support::builder(hs_keys())
        .max_json_depth(4)
        .build()
        .unwrap();
    accepted(&shallow, bearer(&token(4)), "depth 4, max 4").await;
    refused(&shallow, &token(5), malformed(TOO_DEEP), "depth 5, max 4").await;
    let zero = support::builder::<TestClaims, _>(hs_keys())
        .max_json_depth(0)
        .build();
    assert_eq!(zero.unwrap_err().kind(), ConfigErrorKind::InvalidSetting);
}

// ---------------------------------------------------------------------------------------------
// JSON shapes: RFC 7515 §4 and RFC 7519 §7.2 want objects, not arrays

#[tokio::test]
async fn a_json_array_header_is_refused() {
    // A derived struct would read `["HS256"]` as its first field, `alg`.
    let token = hs_token(r#"["HS256"]"#, valid_payload().to_string());
    refused(
        &hs_layer(),
        &token,
        malformed("the header is not a JSON object"),
        "array header",
    )
    .await;
    let token = hs_token(" \n[\"HS256\", null, \"JWT\"]", valid_payload().to_string());
    refused(
        &hs_layer(),
        &token,
        malformed("the header is not a JSON object"),
        "array header after whitespace",
    )
    .await;
}

#[tokio::test]
async fn a_json_array_payload_is_refused() {
    let claims = TestClaims::valid();
    let payload = json!([claims.sub, claims.exp, claims.iss, claims.aud, null]).to_string();
    let token = hs_token(r#"{"alg":"HS256","typ":"JWT"}"#, &payload);
    refused(&hs_layer(), &token, malformed(NOT_CLAIMS), "array payload").await;
}
