//! Which signature backend verifies tokens, by crate features:
//!
//! - both `aws-lc-rs` and `rust-crypto`: the caller must choose one, `build()` fails otherwise;
//! - exactly one: that one, without being asked;
//! - neither: `build()` fails, nothing panics.
//!
//! Run with `--all-features`, `--no-default-features --features rust-crypto,axum` and
//! `--no-default-features`; every configuration has its own tests.

#[cfg(any(feature = "aws-lc-rs", feature = "rust-crypto"))]
mod support;

use jsonwebtoken::Algorithm;
use tower_jwt_auth::{ConfigErrorKind, JwtAuthLayer, StaticKeys};

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct NoClaims {}

fn hmac_keys() -> StaticKeys {
    StaticKeys::new().secret(SECRET, Algorithm::HS256).unwrap()
}

#[cfg(any(feature = "aws-lc-rs", feature = "rust-crypto"))]
mod verify {

    use http::StatusCode;
    use jsonwebtoken::Algorithm;

    use tower_jwt_auth::{AuthError, Claims, JwtAuthBuilder, JwtAuthLayer, StaticKeys};

    use super::support::{self, bearer, claims_required, through_answering, TestClaims};

    /// Every key family: the same fixture keys as the other tests.
    pub fn keys() -> StaticKeys {
        StaticKeys::new()
            .secret(support::HS_SECRET, Algorithm::HS256)
            .unwrap()
            .rsa_pem(support::RSA_PUBLIC, Algorithm::RS256)
            .unwrap()
            .key(
                tower_jwt_auth::VerifyingKey::from_rsa_pem(
                    support::RSA_PUBLIC.as_bytes(),
                    Algorithm::PS256,
                )
                .unwrap()
                .with_kid("ps"),
            )
            .unwrap()
            .ec_pem(support::EC256_PUBLIC, Algorithm::ES256)
            .unwrap()
            .ec_pem(support::EC384_PUBLIC, Algorithm::ES384)
            .unwrap()
            .ed_pem(support::ED_PUBLIC)
            .unwrap()
    }

    /// Builds the layer from `builder` (which has no backend chosen by the test helpers) and
    /// checks that it verifies a token of each family and refuses a tampered one.
    pub async fn assert_verifies(builder: JwtAuthBuilder<TestClaims, StaticKeys>) {
        let layer: JwtAuthLayer<TestClaims> =
            builder.clock(support::clock).build().expect("layer builds");
        let send = |token: String| {
            let layer = layer.clone();
            async move {
                through_answering(&layer, bearer(&token), claims_required)
                    .await
                    .0
            }
        };
        for alg in [
            Algorithm::HS256,
            Algorithm::RS256,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ] {
            let response = send(support::mint(alg, &TestClaims::valid())).await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{alg:?}: {:?}",
                response.extensions().get::<AuthError>()
            );
            assert_eq!(
                response.extensions().get::<Claims<TestClaims>>(),
                Some(&Claims::new(TestClaims::valid())),
                "{alg:?}"
            );
        }
        let response = send(support::token_with_kid(Algorithm::PS256, "ps")).await;
        assert_eq!(response.status(), StatusCode::OK, "PS256");

        // A signature from another key is refused, so the backend really checks.
        let mut token = support::mint(Algorithm::ES256, &TestClaims::valid());
        let other = support::mint(
            Algorithm::ES256,
            &TestClaims {
                sub: "bob".into(),
                ..TestClaims::valid()
            },
        );
        let signature = other.rsplit('.').next().unwrap().to_owned();
        let cut = token.rfind('.').unwrap() + 1;
        token.replace_range(cut.., &signature);
        let response = send(token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response
                .extensions()
                .get::<AuthError>()
                .map(|e| e.kind().clone()),
            Some(tower_jwt_auth::AuthErrorKind::InvalidSignature)
        );
    }
}

// --- Both backends: the caller must choose ---------------------------------------------------

#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
#[test]
fn both_backends_without_a_provider_is_a_config_error() {
    // Even with a jsonwebtoken process default installed, the layer does not guess.
    support::install_signing_provider();
    let result =
        std::panic::catch_unwind(|| JwtAuthLayer::<NoClaims>::builder(hmac_keys()).build());
    let err = result
        .expect("build() must not panic")
        .expect_err("build() must fail");
    assert_eq!(err.kind(), ConfigErrorKind::CryptoBackend);
    assert!(err.to_string().contains("crypto_provider"), "{err}");
}

#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
#[tokio::test]
async fn both_backends_with_rust_crypto_chosen_verifies() {
    let builder = JwtAuthLayer::<support::TestClaims>::builder(verify::keys())
        .crypto_provider(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER);
    verify::assert_verifies(builder).await;
}

#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
#[tokio::test]
async fn both_backends_with_aws_lc_chosen_verifies() {
    let builder = JwtAuthLayer::<support::TestClaims>::builder(verify::keys())
        .crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    verify::assert_verifies(builder).await;
}

// --- Exactly one backend: used without being named --------------------------------------------

#[cfg(any(
    all(feature = "aws-lc-rs", not(feature = "rust-crypto")),
    all(feature = "rust-crypto", not(feature = "aws-lc-rs"))
))]
#[test]
fn one_backend_builds_without_a_provider() {
    assert!(JwtAuthLayer::<NoClaims>::builder(hmac_keys())
        .build()
        .is_ok());
    // The backend is settled, so what is left to refuse is the configuration itself.
    let err = JwtAuthLayer::<NoClaims>::builder(StaticKeys::new())
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::NoKeys);
}

#[cfg(any(
    all(feature = "aws-lc-rs", not(feature = "rust-crypto")),
    all(feature = "rust-crypto", not(feature = "aws-lc-rs"))
))]
#[tokio::test]
async fn one_backend_verifies_without_a_provider() {
    verify::assert_verifies(JwtAuthLayer::<support::TestClaims>::builder(verify::keys())).await;
}

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
#[tokio::test]
async fn rust_crypto_alone_also_accepts_its_provider_by_name() {
    let builder = JwtAuthLayer::<support::TestClaims>::builder(verify::keys())
        .crypto_provider(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER);
    verify::assert_verifies(builder).await;
}

#[cfg(all(feature = "aws-lc-rs", not(feature = "rust-crypto")))]
#[tokio::test]
async fn aws_lc_alone_also_accepts_its_provider_by_name() {
    let builder = JwtAuthLayer::<support::TestClaims>::builder(verify::keys())
        .crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    verify::assert_verifies(builder).await;
}

// --- No backend: nothing can verify, so nothing builds -----------------------------------------

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
#[test]
fn no_backend_is_a_config_error() {
    let result =
        std::panic::catch_unwind(|| JwtAuthLayer::<NoClaims>::builder(hmac_keys()).build());
    let err = result
        .expect("build() must not panic")
        .expect_err("build() must fail");
    assert_eq!(err.kind(), ConfigErrorKind::CryptoBackend);
    assert!(err.to_string().contains("aws-lc-rs"), "{err}");
}

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
#[test]
fn no_backend_still_reads_keys() {
    // Keys are parsed by the crate itself, without a backend.
    let err = StaticKeys::new()
        .secret(&SECRET[..31], Algorithm::HS256)
        .unwrap_err();
    assert_eq!(err.kind(), ConfigErrorKind::WeakSecret);
    let keys = StaticKeys::new().secret(SECRET, Algorithm::HS256).unwrap();
    assert_eq!(keys.len(), 1);
}
