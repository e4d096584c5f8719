//! An OpenID Connect issuer and an API that trusts it through discovery, both on loopback.
//!
//! ```text
//! cargo run --example oidc
//! ```
//!
//! The issuer serves `/.well-known/openid-configuration` and its key set (the test fixture RSA
//! keys) and signs tokens. The API finds the issuer's keys with
//! `RemoteJwks::discovery(issuer)`, which also makes the layer require `iss` to be that
//! issuer. The example then sends requests: a valid token, a token naming another issuer, a
//! token signed with a key the issuer adds while the API runs (a rotation), and a token signed
//! with a key the issuer withdrew. It exits with 0 only if every answer is the expected one.
//! Nothing leaves the machine.

#[cfg(all(feature = "reqwest", feature = "axum"))]
#[path = "../tests/support/jwks_server.rs"]
mod jwks_server;

#[cfg(all(feature = "reqwest", feature = "axum"))]
mod demo {
    use std::process::ExitCode;
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
    use reqwest::StatusCode;
    use tower_jwt_auth::jsonwebtoken::jwk::{Jwk, JwkSet};
    use tower_jwt_auth::jsonwebtoken::{self, Algorithm, EncodingKey, Header};
    use tower_jwt_auth::{Claims, JwtAuthLayer, RemoteJwks, StandardClaims};

    use crate::jwks_server::JwksServer;

    type Error = Box<dyn std::error::Error>;

    const AUDIENCE: &str = "api";
    const KEY_1: &str = include_str!("../tests/keys/rsa_private.pem");
    const KEY_2: &str = include_str!("../tests/keys/rsa2_private.pem");

    /// One of the issuer's signing keys.
    struct SigningKey {
        kid: &'static str,
        key: EncodingKey,
    }

    impl SigningKey {
        fn new(kid: &'static str, pem: &str) -> Result<Self, Error> {
            Ok(Self {
                kid,
                key: EncodingKey::from_rsa_pem(pem.as_bytes())?,
            })
        }

        /// The public half, as the issuer publishes it.
        fn jwk(&self) -> Result<Jwk, Error> {
            let mut jwk = Jwk::from_encoding_key(&self.key, Algorithm::RS256)?;
            jwk.common.key_id = Some(self.kid.into());
            Ok(jwk)
        }

        /// A ten-minute token for `ann`, naming `issuer`.
        fn token(&self, issuer: &str) -> Result<String, Error> {
            let claims = serde_json::json!({
                "sub": "ann",
                "iss": issuer,
                "aud": AUDIENCE,
                "exp": jsonwebtoken::get_current_timestamp() + 600,
            });
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(self.kid.into());
            Ok(jsonwebtoken::encode(&header, &claims, &self.key)?)
        }
    }

    fn key_set(keys: &[&SigningKey]) -> Result<String, Error> {
        let keys = keys.iter().map(|k| k.jwk()).collect::<Result<_, _>>()?;
        Ok(serde_json::to_string(&JwkSet { keys })?)
    }

    /// Reached only with a valid token.
    async fn me(claims: Claims<StandardClaims>) -> String {
        format!("hello {}", claims.sub.as_deref().unwrap_or_default())
    }

    /// The API's side: sends a token, prints the answer, says whether it was `expected`.
    struct Client {
        http: reqwest::Client,
        url: String,
    }

    impl Client {
        async fn check(
            &self,
            what: &str,
            token: &str,
            expected: StatusCode,
        ) -> Result<bool, Error> {
            let response = self
                .http
                .get(&self.url)
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .send()
                .await?;
            let status = response.status();
            let detail = match response.headers().get(WWW_AUTHENTICATE) {
                Some(challenge) => format!("WWW-Authenticate: {}", challenge.to_str()?),
                None => format!("{:?}", response.text().await?),
            };
            let verdict = if status == expected { "ok  " } else { "FAIL" };
            println!("[{verdict}] {what}: {status} (expected {expected}) {detail}");
            Ok(status == expected)
        }
    }

    pub async fn main() -> Result<ExitCode, Error> {
        // With both signature backends compiled in, pick one (for the layer and for signing).
        #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
        let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
            &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
        );

        // The issuer, publishing one key.
        let k1 = SigningKey::new("k1", KEY_1)?;
        let k2 = SigningKey::new("k2", KEY_2)?;
        let idp = JwksServer::start(key_set(&[&k1])?).await;
        let issuer = idp.issuer();
        println!("issuer     {issuer}");

        // The API: keys found through discovery, fetched once before it starts listening.
        // `allow_http` only because the issuer is on loopback. No cooldown, so that the
        // rotation below is seen at once; keep the default 30 s in production.
        let keys = RemoteJwks::discovery(issuer.as_str())
            .allow_http(true)
            .cooldown(Duration::ZERO)
            .build()?;
        keys.refresh().await?;
        let state = keys.state();
        println!(
            "discovered {} ({} key)",
            state.jwks_url.unwrap_or_default(),
            state.key_count
        );
        // No `.issuer(..)`: the discovered issuer is required.
        let builder = JwtAuthLayer::<StandardClaims>::builder(keys.clone()).audience(AUDIENCE);
        #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
        let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
        let app = Router::new()
            .route("/me", get(me))
            .route_layer(builder.build()?);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/me", listener.local_addr()?);
        println!("api        {url}\n");
        let api = tokio::spawn(async move { axum::serve(listener, app).await });

        let client = Client {
            http: reqwest::Client::builder().build()?,
            url,
        };
        let mut all_ok = true;
        all_ok &= client
            .check("valid token", &k1.token(&issuer)?, StatusCode::OK)
            .await?;
        let other = k1.token("https://idp.elsewhere.example")?;
        all_ok &= client
            .check(
                "token naming another issuer",
                &other,
                StatusCode::UNAUTHORIZED,
            )
            .await?;

        // Rotation: the issuer publishes k2 next to k1 and signs with k2. The first k2 token
        // names an unknown kid, which makes the API fetch the new set.
        idp.publish(key_set(&[&k1, &k2])?);
        all_ok &= client
            .check(
                "token signed with the new key k2",
                &k2.token(&issuer)?,
                StatusCode::OK,
            )
            .await?;
        all_ok &= client
            .check(
                "token signed with k1, still published",
                &k1.token(&issuer)?,
                StatusCode::OK,
            )
            .await?;

        // The issuer withdraws k1. Once the API refreshes (here at once; on its own when the
        // cache age runs out), k1 tokens are refused.
        idp.publish(key_set(&[&k2])?);
        keys.refresh().await?;
        all_ok &= client
            .check(
                "token signed with the withdrawn key k1",
                &k1.token(&issuer)?,
                StatusCode::UNAUTHORIZED,
            )
            .await?;
        all_ok &= client
            .check("token signed with k2", &k2.token(&issuer)?, StatusCode::OK)
            .await?;

        let state = keys.state();
        println!(
            "\nkey set: {} key(s), {} fetch(es), {} failure(s); issuer got {} discovery and {} key set request(s)",
            state.key_count,
            state.fetch_count,
            state.failure_count,
            idp.discovery_hits(),
            idp.jwks_hits(),
        );
        api.abort();
        Ok(if all_ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}

#[cfg(all(feature = "reqwest", feature = "axum"))]
#[tokio::main]
async fn main() -> Result<std::process::ExitCode, Box<dyn std::error::Error>> {
    demo::main().await
}

#[cfg(not(all(feature = "reqwest", feature = "axum")))]
fn main() -> std::process::ExitCode {
    eprintln!("this example needs the `reqwest` and `axum` features (both on by default)");
    std::process::ExitCode::FAILURE
}
