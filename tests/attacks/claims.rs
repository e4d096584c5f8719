//! Attacks through the claims: duplicates, wrong types, time, issuer, audience and type.

use super::*;

// ---------------------------------------------------------------------------------------------
// claims

fn twice() -> AuthErrorKind {
    AuthErrorKind::InvalidClaim("a registered claim appears twice")
}

#[tokio::test]
async fn duplicate_claims() {
    let layer = hs_layer();
    let header = r#"{"alg":"HS256"}"#;
    let base = r#""sub":"ann","iss":"https://idp.test","aud":"api""#;
    let cases = [
        (
            "expired exp then valid exp",
            format!(r#"{{{base},"exp":{},"exp":{}}}"#, NOW - 3600, NOW + 600),
            twice(),
        ),
        (
            "valid exp then expired exp",
            format!(r#"{{{base},"exp":{},"exp":{}}}"#, NOW + 600, NOW - 3600),
            twice(),
        ),
        (
            "same exp twice",
            format!(r#"{{{base},"exp":{0},"exp":{0}}}"#, NOW + 600),
            twice(),
        ),
        (
            "exp and an escaped exp",
            format!(
                r#"{{{base},"exp":{},"e\u0078p":{}}}"#,
                NOW + 600,
                NOW - 3600
            ),
            twice(),
        ),
        (
            "iss twice",
            format!(
                r#"{{"sub":"ann","aud":"api","exp":{},"iss":"https://evil","iss":"https://idp.test"}}"#,
                NOW + 600
            ),
            twice(),
        ),
        (
            "aud twice",
            format!(
                r#"{{"sub":"ann","iss":"https://idp.test","exp":{},"aud":"api","aud":"api"}}"#,
                NOW + 600
            ),
            twice(),
        ),
        (
            "sub twice",
            format!(r#"{{{base},"exp":{},"sub":"admin"}}"#, NOW + 600),
            AuthErrorKind::InvalidClaims,
        ),
    ];
    for (what, payload, kind) in cases {
        refused(&layer, &hs_token(header, &payload), kind, what).await;
    }
}

#[tokio::test]
async fn non_numeric_exp() {
    let layer = hs_layer();
    let not_a_number = AuthErrorKind::InvalidClaim("exp is not a number");
    for exp in [
        json!((NOW + 600).to_string()),
        json!(null),
        json!(true),
        json!([NOW + 600]),
        json!({ "at": NOW + 600 }),
    ] {
        let payload = payload_with(|p| p["exp"] = exp.clone());
        refused(
            &layer,
            &hs_token(r#"{"alg":"HS256"}"#, &payload),
            not_a_number.clone(),
            &format!("exp {exp}"),
        )
        .await;
    }
    let payload = payload_with(|p| p["nbf"] = json!("0"));
    refused(
        &layer,
        &hs_token(r#"{"alg":"HS256"}"#, &payload),
        AuthErrorKind::InvalidClaim("nbf is not a number"),
        "nbf string",
    )
    .await;
}

#[tokio::test]
async fn missing_exp() {
    let payload = payload_with(|p| {
        p.as_object_mut().unwrap().remove("exp");
    });
    refused(
        &hs_layer(),
        &hs_token(r#"{"alg":"HS256"}"#, &payload),
        AuthErrorKind::MissingClaim("exp".into()),
        "no exp",
    )
    .await;
}

#[tokio::test]
async fn payload_not_a_json_object() {
    let layer = hs_layer();
    for payload in [
        format!(r#"[{}]"#, valid_payload()),
        r#""ann""#.to_owned(),
        "1767226200".to_owned(),
        "null".to_owned(),
        "true".to_owned(),
        format!("{} {{}}", valid_payload()),
        "not json".to_owned(),
    ] {
        refused(
            &layer,
            &hs_token(r#"{"alg":"HS256"}"#, &payload),
            malformed(NOT_CLAIMS),
            &payload,
        )
        .await;
    }
}

#[tokio::test]
async fn expired() {
    let layer = hs_layer();
    let at = |exp| {
        hs_claims(&TestClaims {
            exp: Some(exp),
            ..TestClaims::valid()
        })
    };
    accepted(&layer, bearer(&at(NOW - 60)), "inside the 60 s leeway").await;
    refused(
        &layer,
        &at(NOW - 3600),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(3600),
        },
        "an hour ago",
    )
    .await;
    refused(
        &layer,
        &at(NOW - 61),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(61),
        },
        "just past the leeway",
    )
    .await;
    refused(
        &layer,
        &at(0),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(NOW),
        },
        "epoch",
    )
    .await;
    // The leeway is configurable but bounded.
    let none = support::builder(hs_keys())
        .leeway(Duration::ZERO)
        .build()
        .unwrap();
    refused(
        &none,
        &at(NOW - 1),
        AuthErrorKind::Expired {
            ago: Duration::from_secs(1),
        },
        "no leeway",
    )
    .await;
    let unbounded = support::builder::<TestClaims, _>(hs_keys())
        .leeway(Duration::from_secs(601))
        .build();
    assert_eq!(
        unbounded.unwrap_err().kind(),
        ConfigErrorKind::InvalidSetting
    );
}

#[tokio::test]
async fn not_yet_valid() {
    let layer = hs_layer();
    let nbf = |nbf: u64| {
        hs_token(
            r#"{"alg":"HS256"}"#,
            payload_with(|p| p["nbf"] = json!(nbf)),
        )
    };
    accepted(&layer, bearer(&nbf(NOW + 60)), "inside the leeway").await;
    refused(
        &layer,
        &nbf(NOW + 3600),
        AuthErrorKind::NotYetValid {
            remaining: Duration::from_secs(3600),
        },
        "in an hour",
    )
    .await;
}

#[tokio::test]
async fn wrong_issuer() {
    let layer = hs_layer();
    for iss in [
        Some("https://evil.test"),
        Some("https://idp.test/"),
        Some("HTTPS://IDP.TEST"),
        Some(""),
        None,
    ] {
        let token = hs_claims(&TestClaims {
            iss: iss.map(String::from),
            ..TestClaims::valid()
        });
        refused(
            &layer,
            &token,
            AuthErrorKind::InvalidIssuer,
            &format!("iss {iss:?}"),
        )
        .await;
    }
    let payload = payload_with(|p| p["iss"] = json!(["https://idp.test"]));
    refused(
        &layer,
        &hs_token(r#"{"alg":"HS256"}"#, &payload),
        AuthErrorKind::InvalidClaim("iss is not a string"),
        "iss array",
    )
    .await;
}

#[tokio::test]
async fn missing_audience() {
    let token = hs_claims(&TestClaims {
        aud: None,
        ..TestClaims::valid()
    });
    refused(
        &hs_layer(),
        &token,
        AuthErrorKind::InvalidAudience,
        "no aud",
    )
    .await;
}

#[tokio::test]
async fn audience_not_ours() {
    let layer = hs_layer();
    for aud in [
        json!("web"),
        json!("API"),
        json!(["web", "admin"]),
        json!([]),
    ] {
        let payload = payload_with(|p| p["aud"] = aud.clone());
        refused(
            &layer,
            &hs_token(r#"{"alg":"HS256"}"#, &payload),
            AuthErrorKind::InvalidAudience,
            &format!("aud {aud}"),
        )
        .await;
    }
}

#[tokio::test]
async fn wrong_type() {
    let layer = support::builder(hs_keys())
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .expected_type("at+jwt")
        .build()
        .unwrap();
    let payload = valid_payload().to_string();
    accepted(
        &layer,
        bearer(&hs_token(r#"{"alg":"HS256","typ":"at+jwt"}"#, &payload)),
        "at+jwt",
    )
    .await;
    accepted(
        &layer,
        bearer(&hs_token(
            r#"{"alg":"HS256","typ":"application/at+jwt"}"#,
            &payload,
        )),
        "application/at+jwt",
    )
    .await;
    for header in [
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"alg":"HS256"}"#,
        r#"{"alg":"HS256","typ":"at+jwt+x"}"#,
        r#"{"alg":"HS256","typ":"application/jwt"}"#,
    ] {
        refused(
            &layer,
            &hs_token(header, &payload),
            AuthErrorKind::InvalidType,
            header,
        )
        .await;
    }
    // A JWT-typed token minted by a real library, too.
    refused(
        &layer,
        &support::mint(Algorithm::HS256, &TestClaims::valid()),
        AuthErrorKind::InvalidType,
        "jsonwebtoken's default typ",
    )
    .await;
}
