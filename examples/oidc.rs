//! An OpenID Connect issuer and an API that trusts it through discovery, both on loopback.
//!
//! ```text
//! cargo run --example oidc
//! ```
//!
//! The issuer (the crate's test kit, `tower_jwt_auth::testing::TestServer`) serves
//! `/.well-known/openid-configuration` and its key set, and signs tokens. The API finds the issuer's keys with
//! `RemoteJwks::discovery(issuer)`, which also makes the layer require `iss` to be that
//! issuer. The example then sends requests: a valid token, a token naming another issuer, a
//! token signed with a key the issuer adds while the API runs (a rotation), and a token signed
//! with a key the issuer withdrew. It exits with 0 only if every answer is the expected one.
//! Nothing leaves the machine.

#[cfg(all(feature = "reqwest", feature = "axum"))]
mod demo {
    use std::process::ExitCode;
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use reqwest::header::{AUTHORIZATION, WWW_AUTHENTICATE};
    use reqwest::StatusCode;
    use tower_jwt_auth::testing::{Defect, TestIssuer};
    use tower_jwt_auth::{Claims, JwtAuthLayer, RemoteJwks, StandardClaims};

    type Error = Box<dyn std::error::Error>;

    const AUDIENCE: &str = "api";

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
        // The issuer, publishing its first generation of keys.
        let idp = TestIssuer::builder().audience(AUDIENCE).serve().await?;
        let issuer = idp.issuer().to_owned();
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
        let builder = builder
            .crypto_provider(&tower_jwt_auth::jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
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
            .check(
                "valid token",
                &idp.token().subject("ann").sign(),
                StatusCode::OK,
            )
            .await?;
        let other = idp.token().defect(Defect::WrongIssuer).sign();
        all_ok &= client
            .check(
                "token naming another issuer",
                &other,
                StatusCode::UNAUTHORIZED,
            )
            .await?;

        // Rotation: the issuer publishes a second key next to the first and signs with it. The
        // first token of the new key names an unknown kid, which makes the API fetch the set.
        let old = idp.token().subject("ann").sign();
        idp.rotate();
        all_ok &= client
            .check(
                "token signed with the new key",
                &idp.token().subject("ann").sign(),
                StatusCode::OK,
            )
            .await?;
        all_ok &= client
            .check(
                "token signed with the old key, still published",
                &old,
                StatusCode::OK,
            )
            .await?;

        // The issuer withdraws the old key. Once the API refreshes (here at once; on its own
        // when the cache age runs out), tokens signed with it are refused.
        idp.retire_old_keys();
        keys.refresh().await?;
        all_ok &= client
            .check(
                "token signed with the withdrawn key",
                &old,
                StatusCode::UNAUTHORIZED,
            )
            .await?;
        all_ok &= client
            .check(
                "token signed with the new key",
                &idp.token().subject("ann").sign(),
                StatusCode::OK,
            )
            .await?;

        let state = keys.state();
        println!(
            "\nkey set: {} key(s), {} fetch(es), {} failure(s); issuer got {} discovery and {} key set request(s)",
            state.key_count,
            state.fetch_count,
            state.failure_count,
            idp.discovery_fetches(),
            idp.jwks_fetches(),
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
