//! How a token travels: more than one token in a request, and what is never shown (logs,
//! `Debug`, `Display`).

use super::*;

// ---------------------------------------------------------------------------------------------
// more than one token

#[tokio::test]
async fn two_authorization_headers() {
    let layer = hs_layer();
    let token = valid_hs();
    let other = hs_claims(&TestClaims {
        sub: "bob".into(),
        ..TestClaims::valid()
    });
    let request = || {
        Request::get("/")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(AUTHORIZATION, format!("Bearer {other}"))
            .body(String::new())
            .unwrap()
    };
    accepted(&layer, bearer(&token), "one header").await;
    refused_request(
        &layer,
        request,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "two Authorization headers",
    )
    .await;
    let same = || {
        Request::get("/")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .body(String::new())
            .unwrap()
    };
    refused_request(
        &layer,
        same,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "the same token twice",
    )
    .await;
}

#[tokio::test]
async fn header_plus_cookie() {
    let layer = support::builder(hs_keys())
        .token_sources([TokenSource::Bearer, TokenSource::cookie("jwt")])
        .build()
        .unwrap();
    let token = valid_hs();
    let cookie = |value: String| {
        Request::get("/")
            .header(COOKIE, value)
            .body(String::new())
            .unwrap()
    };
    accepted(&layer, bearer(&token), "header alone").await;
    accepted(&layer, cookie(format!("a=1; jwt={token}")), "cookie alone").await;
    let both = || {
        Request::get("/")
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(COOKIE, format!("jwt={token}"))
            .body(String::new())
            .unwrap()
    };
    refused_request(
        &layer,
        both,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "header and cookie",
    )
    .await;
    let two_cookies = || cookie(format!("jwt={token}; jwt={token}"));
    refused_request(
        &layer,
        two_cookies,
        StatusCode::BAD_REQUEST,
        &AuthErrorKind::MultipleTokens,
        "two cookies",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// what is never shown

#[test]
fn the_leak_detector_sees_leaks() {
    assert!(!leaked_forms(&format!("{HS_SECRET:?}"), HS_SECRET).is_empty());
    assert!(!leaked_forms(std::str::from_utf8(HS_SECRET).unwrap(), HS_SECRET).is_empty());
    assert!(leaked_forms("nothing here", HS_SECRET).is_empty());
}

#[tokio::test]
async fn tokens_and_secrets_never_reach_the_logs() {
    let (captured, _guard) = support::capture_logs();

    let layer = hs_layer();
    let forged = sign(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        payload_with(|p| p["sub"] = json!("admin")),
        &EncodingKey::from_secret(&[0x77; 32]),
        Algorithm::HS256,
    );
    let expired = hs_claims(&TestClaims {
        exp: Some(NOW - 3600),
        ..TestClaims::valid()
    });
    refused(&layer, &forged, AuthErrorKind::InvalidSignature, "forged").await;
    refused(
        &layer,
        &expired,
        AuthErrorKind::Expired {
            ago: Duration::from_secs(3600),
        },
        "expired",
    )
    .await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!text.is_empty(), "nothing was logged");
    assert!(text.contains("token signature is invalid"), "{text}");
    assert!(text.contains("token expired 1h0m0s ago"), "{text}");
    for token in [&forged, &expired] {
        let signature = token.rsplit('.').next().unwrap();
        assert!(!text.contains(token.as_str()), "token logged: {text}");
        assert!(!text.contains(signature), "signature logged: {text}");
        let payload = token.split('.').nth(1).unwrap();
        assert!(!text.contains(payload), "payload segment logged: {text}");
    }
    assert_eq!(
        leaked_forms(&text, HS_SECRET),
        Vec::<String>::new(),
        "{text}"
    );
}

#[tokio::test]
async fn debug_and_display_never_show_secrets_or_tokens() {
    let keys = hs_keys().rsa_pem(RSA_PUBLIC, Algorithm::RS256).unwrap();
    let layer = strict(keys.clone());
    let key = VerifyingKey::from_secret(HS_SECRET, Algorithm::HS256)
        .unwrap()
        .with_kid("hmac-1");

    // Errors from real refusals, one of them carrying a hostile kid.
    let forged = sign(
        r#"{"alg":"HS256","kid":"' OR 1=1 --"}"#,
        valid_payload().to_string(),
        &EncodingKey::from_secret(&[0x77; 32]),
        Algorithm::HS256,
    );
    let expired = hs_claims(&TestClaims {
        exp: Some(NOW - 3600),
        ..TestClaims::valid()
    });
    let mut tokens = vec![forged, expired, "A".repeat(DEFAULT_MAX_TOKEN_LEN + 1)];
    tokens.push(hs_token(
        r#"{"alg":"HS256"}"#,
        payload_with(|p| p["exp"] = json!("soon")),
    ));
    let mut errors = Vec::new();
    for token in &tokens {
        let (response, _) = through(&named_hs_layer(), bearer(token)).await;
        errors.push((token.clone(), error_of(&response, token)));
    }
    assert_eq!(errors.len(), 4);

    let mut texts = vec![
        format!("{layer:?}"),
        format!("{layer:#?}"),
        format!("{keys:?}"),
        format!("{keys:#?}"),
        format!("{key:?}"),
        format!("{key:#?}"),
    ];
    assert!(texts[4].contains("hmac-1"), "Debug still names the kid");
    for (token, error) in &errors {
        let shown = [
            error.to_string(),
            format!("{error:?}"),
            format!("{error:#?}"),
        ];
        for text in &shown {
            for part in token.split('.').filter(|p| p.len() >= 8) {
                assert!(!text.contains(&part[..part.len().min(64)]), "{text}");
            }
            assert!(!text.contains("OR 1=1"), "the kid in {text}");
        }
        texts.extend(shown);
    }
    for text in &texts {
        assert_eq!(
            leaked_forms(text, HS_SECRET),
            Vec::<String>::new(),
            "{text}"
        );
        for line in RSA_PUBLIC.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "the PEM body in {text}");
        }
    }
}
