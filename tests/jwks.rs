//! `RemoteJwks` against a real HTTP endpoint on loopback: one fetch for many requests, the
//! cooldown, rotation, outages, `Cache-Control`, limits, redirects, key selection, OIDC
//! discovery and the cache state. Time is moved by hand through the builder's clock.
#![cfg(feature = "reqwest")]

mod support;

use std::error::Error as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::{join_all, BoxFuture};
use futures_util::FutureExt as _;
use http::StatusCode;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey};
use tower_jwt_auth::{
    AuthErrorKind, ConfigErrorKind, Fetched, JwksFetcher, JwtAuthLayer, KeySource, RemoteError,
    RemoteErrorKind, RemoteJwks, RemoteJwksBuilder, StaticKeys, DEFAULT_CACHE_AGE,
    DEFAULT_COOLDOWN, DEFAULT_MAX_STALE,
};

use support::jwks_server::{JwksServer, Mode};
use support::{
    b64, bearer, builder, capture_logs_at, encoding_key, header, jwk_of, message, mint_by,
    rsa2_key, subject, through_answering, Outcome, TestClaims, HS_SECRET, NOW,
};

const SECOND: Duration = Duration::from_secs(1);

/// Monotonic time that only moves when the test says so.
#[derive(Clone)]
struct TestClock {
    base: Instant,
    elapsed_ms: Arc<AtomicU64>,
}

impl TestClock {
    fn new() -> Self {
        Self {
            base: Instant::now(),
            elapsed_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn now(&self) -> Instant {
        self.base + Duration::from_millis(self.elapsed_ms.load(Ordering::SeqCst))
    }

    fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap();
        self.elapsed_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

/// A loopback port nothing listens on: bound by the system, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An error's message followed by the messages of its sources.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    for _ in 0..16 {
        let Some(cause) = next else { break };
        text = format!("{text}: {cause}");
        next = cause.source();
    }
    text
}

// ---- keys, key sets and tokens -------------------------------------------------------------

/// The public JWK of a signing key, with its `alg` and this `kid`.
fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Jwk {
    let mut jwk = jwk_of(key, alg);
    jwk.common.key_id = Some(kid.into());
    jwk
}

fn k1() -> Jwk {
    jwk(&encoding_key(Algorithm::RS256), Algorithm::RS256, "k1")
}

fn k2() -> Jwk {
    jwk(&rsa2_key(), Algorithm::RS256, "k2")
}

/// A JWKS document holding these keys.
fn jwks(keys: impl IntoIterator<Item = Jwk>) -> String {
    serde_json::to_string(&JwkSet {
        keys: keys.into_iter().collect(),
    })
    .unwrap()
}

fn k1_token() -> String {
    mint_by(
        &encoding_key(Algorithm::RS256),
        &header(Algorithm::RS256, Some("k1")),
        &TestClaims::valid(),
    )
}

fn k2_token() -> String {
    mint_by(
        &rsa2_key(),
        &header(Algorithm::RS256, Some("k2")),
        &TestClaims::valid(),
    )
}

/// A well-formed RS256 token with this `kid` and a signature nobody made: what an attacker
/// sends to make the service fetch.
fn forged(kid: &str) -> String {
    let message = message(
        serde_json::json!({ "alg": "RS256", "kid": kid }).to_string(),
        serde_json::json!({ "sub": "mallory", "exp": NOW + 600 }).to_string(),
    );
    format!("{message}.{}", b64([7u8; 256]))
}

/// `count` distinct pseudo-random kids.
fn random_kids(seed: u64, count: usize) -> Vec<String> {
    let mut x = seed | 1;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!("{x:016x}")
        })
        .collect()
}

// ---- the service under test ----------------------------------------------------------------

/// Sends one request with this bearer token through the layer to a handler that answers with
/// the token's `sub`.
async fn outcome_of<K: KeySource>(layer: &JwtAuthLayer<TestClaims, K>, token: &str) -> Outcome {
    Outcome::of(through_answering(layer, bearer(token), subject).await)
}

/// An endpoint, a remote key source on it with a hand-moved clock, and a layer using it.
struct Env {
    server: JwksServer,
    clock: TestClock,
    remote: RemoteJwks,
    layer: JwtAuthLayer<TestClaims, RemoteJwks>,
}

impl Env {
    async fn start(jwks: String) -> Self {
        Self::start_with(jwks, |b| b).await
    }

    async fn start_with(
        jwks: String,
        configure: impl FnOnce(RemoteJwksBuilder) -> RemoteJwksBuilder,
    ) -> Self {
        let server = JwksServer::start(jwks).await;
        let clock = TestClock::new();
        let now = clock.clone();
        let remote_builder = RemoteJwks::builder(server.jwks_url())
            .allow_http(true)
            .clock(move || now.now());
        let remote = configure(remote_builder).build().unwrap();
        let layer = builder::<TestClaims, _>(remote.clone()).build().unwrap();
        Self {
            server,
            clock,
            remote,
            layer,
        }
    }

    async fn send(&self, token: &str) -> Outcome {
        outcome_of(&self.layer, token).await
    }

    /// Sends every token at once and returns the outcomes in order.
    async fn send_all(&self, tokens: &[String]) -> Vec<Outcome> {
        join_all(tokens.iter().map(|token| self.send(token))).await
    }

    /// Requests the endpoint got for the key set.
    fn hits(&self) -> usize {
        self.server.jwks_hits()
    }

    /// Fetches the key source started (it counts them before they reach the endpoint).
    fn started(&self) -> u64 {
        self.remote.state().fetch_count
    }
}

// ---- from memory, single flight, cooldown --------------------------------------------------

#[tokio::test]
async fn known_kid_is_served_from_memory() {
    let env = Env::start(jwks([k1()])).await;
    let token = k1_token();
    for _ in 0..100 {
        env.send(&token).await.assert_ok();
    }
    assert_eq!(env.hits(), 1);
    assert_eq!(env.started(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_for_a_new_kid_share_one_fetch() {
    let env = Env::start(jwks([k1()])).await;
    env.remote.refresh().await.unwrap();
    assert_eq!(env.hits(), 1);
    env.server.publish(jwks([k1(), k2()]));
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);

    let tokens = vec![k2_token(); 1000];
    let outcomes = env.send_all(&tokens).await;

    for outcome in &outcomes {
        outcome.assert_ok();
    }
    assert_eq!(
        env.hits(),
        2,
        "1000 requests for one new kid make one fetch"
    );
    assert_eq!(env.started(), 2);
}

/// Many rounds of the single-flight case, with requests on their own tasks so that some are
/// between their cache lookup and the fetch check when the fetch completes: those must find the
/// new key too, not be refused under the cooldown.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn new_kid_is_never_refused_while_its_fetch_completes() {
    const ROUNDS: usize = 40;
    const PER_ROUND: usize = 250;
    // Ed25519 keys under new kids: cheap to verify, and the set already verifies EdDSA.
    let env = Env::start(jwks([
        k1(),
        jwk(&encoding_key(Algorithm::EdDSA), Algorithm::EdDSA, "d0"),
    ]))
    .await;
    env.remote.refresh().await.unwrap();
    let mut refused = Vec::new();
    for round in 0..ROUNDS {
        let kid = format!("r{round}");
        env.server.publish(jwks([
            k1(),
            jwk(&encoding_key(Algorithm::EdDSA), Algorithm::EdDSA, "d0"),
            jwk(&encoding_key(Algorithm::EdDSA), Algorithm::EdDSA, &kid),
        ]));
        env.clock.advance(DEFAULT_COOLDOWN + SECOND);
        let token = mint_by(
            &encoding_key(Algorithm::EdDSA),
            &header(Algorithm::EdDSA, Some(&kid)),
            &TestClaims::valid(),
        );
        let tasks = (0..PER_ROUND).map(|_| {
            let (layer, token) = (env.layer.clone(), token.clone());
            tokio::spawn(async move { outcome_of(&layer, &token).await })
        });
        for outcome in join_all(tasks).await {
            let outcome = outcome.unwrap();
            if outcome.status != StatusCode::OK {
                refused.push((round, outcome.kind));
            }
        }
        assert_eq!(env.hits(), round + 2);
    }
    assert!(
        refused.is_empty(),
        "requests for a new, published kid were refused (round, reason): {refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_unknown_kids_fetch_at_most_once_per_cooldown() {
    let env = Env::start(jwks([k1()])).await;
    env.remote.refresh().await.unwrap();
    // A real new key is published while the flood goes on.
    env.server.publish(jwks([k1(), k2()]));
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);

    let flood: Vec<String> = random_kids(1, 1000).iter().map(|k| forged(k)).collect();
    for outcome in env.send_all(&flood).await {
        outcome.assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    }
    assert!(env.hits() <= 2, "{} fetches", env.hits());

    // Within the cooldown, new random kids cause no fetch at all.
    let hits = env.hits();
    let flood: Vec<String> = random_kids(2, 1000).iter().map(|k| forged(k)).collect();
    for outcome in env.send_all(&flood).await {
        outcome.assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    }
    assert_eq!(env.hits(), hits);

    // The flood did not starve the real new key: the fetch it caused brought it in.
    env.send(&k2_token()).await.assert_ok();
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.hits(), hits);

    // After the cooldown, one more fetch at most.
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    let flood: Vec<String> = random_kids(3, 1000).iter().map(|k| forged(k)).collect();
    for outcome in env.send_all(&flood).await {
        outcome.assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    }
    assert!(env.hits() <= hits + 1, "{} fetches", env.hits());
}

#[tokio::test]
async fn cooldown_counts_failed_fetches() {
    let env = Env::start(jwks([k1()])).await;
    env.remote.refresh().await.unwrap();
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.server.set_mode(Mode::Fail);
    let unknown = |kid: &str| {
        mint_by(
            &encoding_key(Algorithm::RS256),
            &header(Algorithm::RS256, Some(kid)),
            &TestClaims::valid(),
        )
    };

    env.send(&unknown("x1")).await.assert_unavailable();
    assert_eq!(env.hits(), 2, "an unknown kid after the cooldown fetches");
    assert_eq!(env.remote.state().failure_count, 1);

    env.send(&unknown("x2")).await.assert_unavailable();
    env.send(&unknown("x1")).await.assert_unavailable();
    assert_eq!(env.hits(), 2, "the failed fetch started the cooldown");
    // The known key keeps working meanwhile.
    env.send(&k1_token()).await.assert_ok();

    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.send(&unknown("x3")).await.assert_unavailable();
    assert_eq!(
        env.hits(),
        3,
        "after the cooldown an unknown kid fetches again"
    );
}

/// SECURITY.md: a client never hears its token is invalid while the key set cannot be had.
#[tokio::test]
async fn unknown_kid_after_failed_refetch_is_503_with_retry_after() {
    let env = Env::start(jwks([k1()])).await;
    env.remote.refresh().await.unwrap();
    let unknown = |kid: &str| {
        mint_by(
            &encoding_key(Algorithm::RS256),
            &header(Algorithm::RS256, Some(kid)),
            &TestClaims::valid(),
        )
    };

    // A successful refetch that does not bring the kid: 401, now and during its cooldown.
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.send(&unknown("x1"))
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    assert_eq!(env.hits(), 2);
    for kid in ["x1", "x2"] {
        env.send(&unknown(kid))
            .await
            .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    }
    assert_eq!(env.hits(), 2);

    // The refetch fails: 503 with Retry-After, now and during the cooldown it started, even
    // for a kid remembered as unknown after the earlier good fetch.
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.server.set_mode(Mode::Fail);
    env.send(&unknown("x3")).await.assert_unavailable();
    assert_eq!(env.hits(), 3);
    for kid in ["x1", "x3", "x4"] {
        env.send(&unknown(kid)).await.assert_unavailable();
    }
    assert_eq!(env.hits(), 3, "no fetch during the cooldown");
    env.send(&k1_token()).await.assert_ok();

    // A failed background refresh starts a cooldown that answers 503 too.
    env.server.set_mode(Mode::serve());
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.remote.refresh().await.unwrap();
    env.server.set_mode(Mode::Fail);
    env.remote.refresh().await.unwrap_err();
    env.send(&unknown("x5")).await.assert_unavailable();

    // The endpoint recovers: after the cooldown a good refetch makes the kid 401 again.
    env.server.set_mode(Mode::serve());
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.send(&unknown("x5"))
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    env.send(&unknown("x6"))
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
}

// ---- rotation and outages ------------------------------------------------------------------

#[tokio::test]
async fn rotation_with_overlapping_keys_loses_no_request() {
    let env = Env::start(jwks([k1()])).await;
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.hits(), 1);

    // The issuer adds k2 next to k1, then starts signing with k2.
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.server.publish(jwks([k1(), k2()]));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.hits(), 1, "k1 is still served from memory");
    env.send(&k2_token()).await.assert_ok();
    assert_eq!(env.hits(), 2, "the new kid fetched the new set");
    env.send(&k1_token()).await.assert_ok();

    // k1 is withdrawn. Until the set is refreshed, k1 tokens still pass.
    env.server.publish(jwks([k2()]));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.hits(), 2);

    // Past 80 % of the cache age a request starts a background refresh and is not held up.
    env.clock.advance(DEFAULT_CACHE_AGE.mul_f32(0.8) + SECOND);
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 3, "the request started a background refresh");
    env.remote.refresh().await.unwrap();
    assert_eq!(env.hits(), 3, "refresh() joined the background fetch");

    env.send(&k1_token())
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    env.send(&k2_token()).await.assert_ok();
    assert_eq!(env.remote.state().key_count, 1);
}

#[tokio::test]
async fn outage_keeps_valid_tokens_accepted_until_max_stale_then_recovers() {
    let env = Env::start_with(jwks([k1()]), |b| b.timeout(Duration::from_millis(200))).await;
    env.send(&k1_token()).await.assert_ok();

    // The endpoint fails (500) when the set is due for refresh.
    env.server.set_mode(Mode::Fail);
    env.clock.advance(DEFAULT_CACHE_AGE.mul_f32(0.8) + SECOND);
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 2);
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Status(500));
    env.send(&k1_token()).await.assert_ok();

    // The endpoint hangs: the refresh times out, a known kid never waits for it.
    env.server.set_mode(Mode::Hang);
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.send(&k1_token()).await.assert_ok();
    let state = env.remote.state();
    assert_eq!(
        (state.fetch_count, state.failure_count),
        (3, 1),
        "a refresh is under way and the request did not wait for it"
    );
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Timeout);
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.remote.state().failure_count, 2);

    // Past the cache age plus max_stale: 503 with Retry-After, not 401.
    env.server.set_mode(Mode::Fail);
    let age = env.remote.state().age.unwrap();
    env.clock
        .advance(DEFAULT_CACHE_AGE + DEFAULT_MAX_STALE - age + SECOND);
    env.send(&k1_token()).await.assert_unavailable();
    let _ = env.remote.refresh().await;
    env.send(&k1_token()).await.assert_unavailable();

    // The endpoint comes back: the next request starts a fetch, and the service recovers
    // without a restart.
    env.server.set_mode(Mode::serve());
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    let before = env.started();
    let _ = env.send(&k1_token()).await;
    assert_eq!(env.started(), before + 1, "a request started a fetch");
    env.remote.refresh().await.unwrap();
    env.send(&k1_token()).await.assert_ok();
    assert!(env.remote.state().last_error.is_none());
}

/// A layer over `remote` with the verified-token cache on.
fn cached_layer(remote: &RemoteJwks) -> JwtAuthLayer<TestClaims, RemoteJwks> {
    builder::<TestClaims, _>(remote.clone())
        .cache(100, Duration::from_secs(24 * 3600))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_cached_token_gets_503_once_the_key_set_is_too_stale() {
    let env = Env::start(jwks([k1()])).await;
    let cached = cached_layer(&env.remote);
    let token = k1_token();
    outcome_of(&cached, &token).await.assert_ok();
    outcome_of(&cached, &token).await.assert_ok();

    // The endpoint fails past the cache age plus max_stale: a fresh verification gets 503,
    // and so does the token the cache remembers.
    env.server.set_mode(Mode::Fail);
    env.clock
        .advance(DEFAULT_CACHE_AGE + DEFAULT_MAX_STALE + SECOND);
    let _ = env.remote.refresh().await;
    env.send(&token).await.assert_unavailable();
    outcome_of(&cached, &token).await.assert_unavailable();

    // Back up with the same key: the cached verdict stands again.
    env.server.set_mode(Mode::serve());
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.remote.refresh().await.unwrap();
    outcome_of(&cached, &token).await.assert_ok();
}

#[tokio::test]
async fn a_cached_token_stops_when_the_provider_removes_its_key() {
    let env = Env::start(jwks([k1(), k2()])).await;
    let cached = cached_layer(&env.remote);
    let token = k1_token();
    outcome_of(&cached, &token).await.assert_ok();
    env.server.publish(jwks([k2()]));
    env.clock.advance(DEFAULT_CACHE_AGE + SECOND);
    env.remote.refresh().await.unwrap();
    outcome_of(&cached, &token)
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    outcome_of(&cached, &k2_token()).await.assert_ok();
}

#[test]
fn a_remote_setting_set_twice_is_refused_at_build() {
    let url = "https://idp.example/jwks.json";
    let error = RemoteJwks::builder(url)
        .timeout(SECOND)
        .timeout(2 * SECOND)
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting);
    assert!(
        error.to_string().contains("`timeout` is set twice"),
        "{error}"
    );
    let error = RemoteJwks::builder(url)
        .max_stale(SECOND)
        .cooldown(SECOND)
        .max_stale(SECOND)
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("`max_stale` is set twice"),
        "{error}"
    );
    assert!(RemoteJwks::builder(url).timeout(SECOND).build().is_ok());
}

#[tokio::test]
async fn nothing_fetched_and_endpoint_down_is_503_not_401() {
    let env = Env::start(jwks([k1()])).await;
    env.server.set_mode(Mode::Fail);
    env.send(&k1_token()).await.assert_unavailable();
    assert_eq!(env.hits(), 1);
    // Within the cooldown the next request does not fetch, and is still 503.
    env.send(&k1_token()).await.assert_unavailable();
    env.send(&forged("zz")).await.assert_unavailable();
    assert_eq!(env.hits(), 1);
    let state = env.remote.state();
    assert!(!state.ready);
    assert_eq!(
        state.last_error.map(|e| e.kind()),
        Some(RemoteErrorKind::Status(500))
    );

    // Same when the endpoint hangs.
    let env = Env::start_with(jwks([k1()]), |b| b.timeout(Duration::from_millis(200))).await;
    env.server.set_mode(Mode::Hang);
    env.send(&k1_token()).await.assert_unavailable();
    assert_eq!(
        env.remote.state().last_error.map(|e| e.kind()),
        Some(RemoteErrorKind::Timeout)
    );
}

// ---- Cache-Control -------------------------------------------------------------------------

#[tokio::test]
async fn cache_control_max_age_sets_the_refresh_time() {
    let env = Env::start(jwks([k1()])).await;
    env.server
        .set_mode(Mode::serve_with_cache_control("public, max-age=120"));
    env.remote.refresh().await.unwrap();

    env.clock.advance(Duration::from_secs(50));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 1, "50 s is less than 80 % of 120 s");

    env.clock.advance(Duration::from_secs(50));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 2, "100 s is past 80 % of 120 s");
    env.remote.refresh().await.unwrap();
    assert_eq!(env.hits(), 2);
    assert_eq!(env.remote.state().age, Some(Duration::ZERO));
}

#[tokio::test]
async fn cache_control_max_age_is_clamped_to_the_bounds() {
    // Below the lower bound (default 60 s): refreshed at 80 % of 60 s, not of 5 s.
    let env = Env::start(jwks([k1()])).await;
    env.server
        .set_mode(Mode::serve_with_cache_control("max-age=5"));
    env.remote.refresh().await.unwrap();
    env.clock.advance(Duration::from_secs(40));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 1, "40 s: a 5 s max-age was raised to 60 s");
    env.clock.advance(Duration::from_secs(9));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 2, "49 s is past 80 % of 60 s");

    // Above configured bounds: clamped down to the upper bound.
    let env = Env::start_with(jwks([k1()]), |b| {
        b.cache_age_bounds(Duration::from_secs(60), Duration::from_secs(300))
    })
    .await;
    env.server
        .set_mode(Mode::serve_with_cache_control("max-age=86400"));
    env.remote.refresh().await.unwrap();
    env.clock.advance(Duration::from_secs(241));
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(
        env.started(),
        2,
        "241 s is past 80 % of the 300 s upper bound"
    );
}

/// The widest settings `build` accepts.
const MONTH: Duration = Duration::from_secs(30 * 24 * 3600);
const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

#[tokio::test]
async fn server_max_age_of_u64_max_with_widest_bounds_is_clamped_without_panic() {
    let env = Env::start_with(jwks([k1()]), |b| {
        b.cache_age(MONTH)
            .cache_age_bounds(Duration::ZERO, MONTH)
            .max_stale(YEAR)
    })
    .await;
    env.server.set_mode(Mode::serve_with_cache_control(
        "max-age=18446744073709551615",
    ));
    env.remote.refresh().await.unwrap();
    env.send(&k1_token()).await.assert_ok();

    // Clamped to the 30-day upper bound: refreshed at 80 % of it, not never.
    env.clock.advance(MONTH.mul_f64(0.8) - SECOND);
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 1);
    env.clock.advance(2 * SECOND);
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(env.started(), 2, "past 80 % of the upper bound");

    // Beyond u64 seconds: as long as it can be, then clamped.
    env.server.set_mode(Mode::serve_with_cache_control(
        "max-age=99999999999999999999999",
    ));
    env.remote.refresh().await.unwrap();
    let started = env.started();
    env.clock.advance(MONTH.mul_f64(0.8) - SECOND);
    env.send(&k1_token()).await.assert_ok();
    assert_eq!(
        env.started(),
        started,
        "no refresh before 80 % of the upper bound"
    );

    // Served past its age for up to a year of outage, then 503; no overflow on the way.
    env.server.set_mode(Mode::Fail);
    let age = env.remote.state().age.unwrap();
    env.clock.advance(MONTH + YEAR - age - SECOND);
    env.send(&k1_token()).await.assert_ok();
    env.clock.advance(2 * SECOND);
    env.send(&k1_token()).await.assert_unavailable();
}

#[test]
fn extreme_settings_are_refused_at_build_naming_the_setting() {
    let base = || RemoteJwks::builder("https://idp.test/jwks.json");
    let cases: Vec<(&str, RemoteJwksBuilder)> = vec![
        ("cache_age", base().cache_age(Duration::MAX)),
        ("cache_age", base().cache_age(MONTH + SECOND)),
        (
            "cache_age_bounds",
            base().cache_age_bounds(Duration::ZERO, Duration::MAX),
        ),
        (
            "cache_age_bounds",
            base().cache_age_bounds(2 * SECOND, SECOND),
        ),
        ("cooldown", base().cooldown(Duration::MAX)),
        ("max_stale", base().max_stale(Duration::MAX)),
        ("max_stale", base().max_stale(YEAR + SECOND)),
        ("timeout", base().timeout(Duration::ZERO)),
        ("timeout", base().timeout(Duration::MAX)),
        ("max_body", base().max_body(0)),
        ("max_body", base().max_body(usize::MAX)),
        ("max_keys", base().max_keys(0)),
        ("max_keys", base().max_keys(usize::MAX)),
    ];
    for (setting, builder) in cases {
        let error = builder.build().unwrap_err();
        assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting, "{error}");
        assert!(
            error.to_string().contains(&format!("`{setting}`")),
            "{setting}: {error}"
        );
    }

    // The widest accepted values build.
    base()
        .cache_age(MONTH)
        .cache_age_bounds(Duration::ZERO, MONTH)
        .cooldown(Duration::from_secs(24 * 3600))
        .max_stale(YEAR)
        .timeout(Duration::from_secs(600))
        .max_body(64 << 20)
        .max_keys(10_000)
        .build()
        .unwrap();
}

// ---- limits and bad documents --------------------------------------------------------------

#[tokio::test]
async fn huge_body_is_refused_as_too_large() {
    let env = Env::start(jwks([k1()])).await;
    env.server.set_mode(Mode::Huge);
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::TooLarge);

    env.server.set_mode(Mode::HugeChunked);
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(
        error.kind(),
        RemoteErrorKind::TooLarge,
        "without Content-Length too"
    );
    assert!(!env.remote.state().ready);

    // The same body is fine under a larger limit: the refusal was the size, not the content.
    let env = Env::start_with(jwks([k1()]), |b| b.max_body(4 << 20)).await;
    env.server.set_mode(Mode::Huge);
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::NoUsableKeys);
}

#[tokio::test]
async fn garbage_or_unusable_document_is_refused() {
    let env = Env::start(jwks([k1()])).await;
    env.server.set_mode(Mode::Garbage);
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::InvalidDocument);
    env.send(&k1_token()).await.assert_unavailable();

    let mut enc = k1();
    enc.common.public_key_use = Some(PublicKeyUse::Encryption);
    env.server.publish(jwks([enc]));
    env.server.set_mode(Mode::serve());
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::NoUsableKeys);
}

#[tokio::test]
async fn max_keys_caps_the_key_set() {
    let five = jwks([
        k1(),
        k2(),
        jwk(&encoding_key(Algorithm::ES256), Algorithm::ES256, "e1"),
        jwk(&encoding_key(Algorithm::EdDSA), Algorithm::EdDSA, "d1"),
        jwk(&encoding_key(Algorithm::RS256), Algorithm::RS256, "k5"),
    ]);
    let env = Env::start_with(five.clone(), |b| b.max_keys(2)).await;
    env.remote.refresh().await.unwrap();
    assert_eq!(env.remote.state().key_count, 2);

    let env = Env::start(five).await;
    env.remote.refresh().await.unwrap();
    assert_eq!(env.remote.state().key_count, 5);
}

// ---- redirects and URLs --------------------------------------------------------------------

#[tokio::test]
async fn redirect_to_another_host_is_refused() {
    let env = Env::start(jwks([k1()])).await;
    let port = env.server.addr().port();
    env.server.set_mode(Mode::Redirect(format!(
        "http://127.0.0.2:{port}/jwks/moved"
    )));
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Redirect);

    // Another port on the same address is another origin too.
    env.server
        .set_mode(Mode::Redirect("http://127.0.0.1:9/jwks/moved".into()));
    let error = env.remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Redirect);
    assert_eq!(env.server.jwks_hits(), 2, "the redirects were not followed");
}

#[tokio::test]
async fn same_host_redirect_is_followed() {
    let env = Env::start(jwks([k1()])).await;
    env.server.set_mode(Mode::Redirect("/jwks/moved".into()));
    env.remote.refresh().await.unwrap();
    assert_eq!(env.server.jwks_hits(), 2, "the redirect and its target");
    env.send(&k1_token()).await.assert_ok();

    env.server.set_mode(Mode::Redirect(env.server.moved_url()));
    env.remote.refresh().await.unwrap();
    assert_eq!(env.server.jwks_hits(), 4);
}

#[test]
fn plain_http_is_refused_at_build_without_allow_http() {
    let error = RemoteJwks::builder("http://127.0.0.1:9/jwks.json")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting);
    let error = RemoteJwks::discovery("http://127.0.0.1:9")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting);
    let error = RemoteJwks::builder("ftp://127.0.0.1:9/jwks.json")
        .allow_http(true)
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting);

    assert!(RemoteJwks::builder("http://127.0.0.1:9/jwks.json")
        .allow_http(true)
        .build()
        .is_ok());
    assert!(RemoteJwks::builder("https://127.0.0.1:9/jwks.json")
        .build()
        .is_ok());
}

#[tokio::test]
async fn url_secrets_never_reach_debug_errors_state_or_logs() {
    let (logs, _guard) = capture_logs_at(tracing::Level::DEBUG);
    let url = format!(
        "http://user:secret@127.0.0.1:{}/jwks?token=abc",
        closed_port()
    );
    let clean = |what: &str, text: &str| {
        assert!(
            !text.contains("secret") && !text.contains("token=abc"),
            "{what}: {text}"
        );
    };

    let error = RemoteJwks::builder(url.as_str()).build().unwrap_err();
    clean("build error", &error.to_string());
    clean("build error", &format!("{error:?}"));
    let error = RemoteJwks::discovery(url.as_str()).build().unwrap_err();
    clean("build error", &error.to_string());

    let builder = RemoteJwks::builder(url.as_str()).allow_http(true);
    clean("builder", &format!("{builder:?}"));
    let remote = builder.build().unwrap();
    clean("source", &format!("{remote:?}"));

    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Network);
    clean("error", &chain(&error));
    clean("error", &format!("{error:?}"));
    assert!(
        error.to_string().contains("http://***@127.0.0.1:"),
        "{error}"
    );
    let state = remote.state();
    clean("state", &format!("{state:?}"));
    clean("last error", &state.last_error.unwrap().to_string());
    clean("source after failure", &format!("{remote:?}"));
    let log = logs.text();
    assert!(
        log.contains("***@127.0.0.1"),
        "the failure is logged: {log}"
    );
    clean("log", &log);

    // Through discovery too: the issuer and the discovered URL.
    let server = JwksServer::start(jwks([k1()])).await;
    let secret_jwks = format!("{}?token=abc", server.jwks_url());
    server.set_discovery(Some(
        serde_json::json!({ "issuer": server.issuer(), "jwks_uri": secret_jwks }).to_string(),
    ));
    let remote = RemoteJwks::discovery(server.issuer())
        .allow_http(true)
        .build()
        .unwrap();
    remote.refresh().await.unwrap();
    clean("discovered", &format!("{remote:?}"));
    clean("discovered", &format!("{:?}", remote.state().jwks_url));
}

#[tokio::test]
async fn connection_refused_keeps_its_cause() {
    let url = format!("http://127.0.0.1:{}/jwks.json", closed_port());
    let remote = RemoteJwks::builder(url).allow_http(true).build().unwrap();
    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Network);
    assert!(
        error.to_string().to_lowercase().contains("refused"),
        "the OS cause is in the message: {error}"
    );
    let source = error.source().expect("the cause is kept as the source");
    assert!(
        chain(source).to_lowercase().contains("refused"),
        "{}",
        chain(source)
    );
    assert_eq!(
        remote
            .state()
            .last_error
            .and_then(|e| e.source().map(|s| s.to_string())),
        Some(source.to_string()),
        "the recorded error keeps its source"
    );
}

/// What a hostile key set puts in a member to forge a log line of its own.
const FORGED: &str = "\n2026-01-01T00:00:00Z  INFO FORGED: admin logged in";

#[track_caller]
fn assert_no_forged_line(what: &str, text: &str) {
    assert!(
        !text
            .lines()
            .any(|line| line.contains("FORGED") && !line.contains("\\n")),
        "{what} has a forged line: {text}"
    );
    assert!(
        text.lines().all(|line| line.len() < 600),
        "{what} has an unbounded line: {text}"
    );
}

#[tokio::test]
async fn remote_strings_cannot_forge_or_flood_log_lines_or_errors() {
    let (logs, _guard) = capture_logs_at(tracing::Level::DEBUG);
    let kid = format!("dup{FORGED}{}", "x".repeat(5000));
    let long = |value: &str| format!("{value}{FORGED}{}", "y".repeat(5000));
    let mut keys = vec![
        jwk(&encoding_key(Algorithm::RS256), Algorithm::RS256, &kid),
        jwk(&rsa2_key(), Algorithm::RS256, &kid),
    ];
    let mut json: serde_json::Value = serde_json::from_str(&jwks(keys.drain(..))).unwrap();
    let hostile = json["keys"].as_array_mut().unwrap();
    let base = hostile[0].clone();
    for (member, value) in [
        ("kty", long("RSA")),
        ("use", long("sig")),
        ("alg", long("RS256")),
    ] {
        let mut key = base.clone();
        key[member] = value.into();
        hostile.push(key);
    }
    hostile.push(serde_json::json!({ "kty": "EC", "crv": long("P-256"), "x": "AA", "y": "AA" }));
    hostile.push(serde_json::json!({ "kty": "OKP", "crv": long("Ed25519"), "x": "AA" }));
    let document = json.to_string();

    // A local set: the duplicate kid is an error whose message is one bounded line.
    let error = StaticKeys::new().jwks(&document).unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::DuplicateKeyId);
    assert!(!error.to_string().contains('\n'), "{error}");
    assert!(error.to_string().len() < 200, "{error}");
    assert_no_forged_line("local set error", &format!("{error:?}"));

    // A document that is not a JWKS: its text is not echoed at length either.
    let not_a_set = serde_json::json!({ "keys": long("") }).to_string();
    let error = StaticKeys::new().jwks(&not_a_set).unwrap_err();
    assert!(!error.to_string().contains('\n'), "{error}");
    assert!(error.to_string().len() < 300, "{error}");

    // A remote set: the first key of the kid is kept, the rest logged on one line each.
    let env = Env::start(document).await;
    env.remote.refresh().await.unwrap();
    assert_eq!(env.remote.state().key_count, 1);
    let log = logs.text();
    assert!(
        log.contains("dup\\n"),
        "the duplicate is logged, escaped: {log}"
    );
    assert_no_forged_line("log", &log);

    env.server.set_mode(Mode::Garbage);
    env.remote.refresh().await.unwrap_err();
    assert_no_forged_line("log", &logs.text());
}

// ---- key selection -------------------------------------------------------------------------

#[tokio::test]
async fn key_with_use_enc_is_skipped() {
    let mut enc = k1();
    enc.common.public_key_use = Some(PublicKeyUse::Encryption);
    let env = Env::start(jwks([enc, k2()])).await;
    env.remote.refresh().await.unwrap();
    assert_eq!(env.remote.state().key_count, 1);
    env.send(&k1_token())
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::UnknownKey);
    env.send(&k2_token()).await.assert_ok();
}

#[tokio::test]
async fn oct_key_in_a_remote_set_is_never_used() {
    let secret = jwk(&EncodingKey::from_secret(HS_SECRET), Algorithm::HS256, "hs");
    let env = Env::start(jwks([secret, k1()])).await;
    env.remote.refresh().await.unwrap();
    assert_eq!(env.remote.state().key_count, 1, "the oct key was dropped");

    let hs = mint_by(
        &EncodingKey::from_secret(HS_SECRET),
        &header(Algorithm::HS256, Some("hs")),
        &TestClaims::valid(),
    );
    let outcome = env.send(&hs).await;
    assert_eq!(outcome.status, StatusCode::UNAUTHORIZED, "{outcome:?}");
    env.send(&k1_token()).await.assert_ok();
}

#[tokio::test]
async fn key_alg_must_equal_the_token_alg() {
    let env = Env::start(jwks([k1()])).await;
    let ps256 = mint_by(
        &encoding_key(Algorithm::RS256),
        &header(Algorithm::PS256, Some("k1")),
        &TestClaims::valid(),
    );
    env.send(&ps256).await.assert_refused(
        StatusCode::UNAUTHORIZED,
        AuthErrorKind::UnsupportedAlgorithm,
    );
    env.send(&k1_token()).await.assert_ok();
}

#[tokio::test]
async fn key_without_alg_verifies_the_rsa_family() {
    // Entra ID publishes RSA keys without `alg`.
    let mut entra = k1();
    entra.common.key_algorithm = None;
    let json = jwks([entra]);
    assert!(!json.contains("\"alg\""), "{json}");
    let env = Env::start(json).await;
    env.send(&k1_token()).await.assert_ok();
    for alg in [Algorithm::PS256, Algorithm::RS512] {
        let token = mint_by(
            &encoding_key(Algorithm::RS256),
            &header(alg, Some("k1")),
            &TestClaims::valid(),
        );
        env.send(&token).await.assert_ok();
    }
    let es256 = mint_by(
        &encoding_key(Algorithm::ES256),
        &header(Algorithm::ES256, Some("k1")),
        &TestClaims::valid(),
    );
    let outcome = env.send(&es256).await;
    assert_eq!(outcome.status, StatusCode::UNAUTHORIZED, "{outcome:?}");
}

#[tokio::test]
async fn token_without_kid_needs_exactly_one_fitting_key() {
    let no_kid = mint_by(
        &encoding_key(Algorithm::RS256),
        &header(Algorithm::RS256, None),
        &TestClaims::valid(),
    );

    // One RSA key next to an EC key: it is the one.
    let env = Env::start(jwks([
        k1(),
        jwk(&encoding_key(Algorithm::ES256), Algorithm::ES256, "e1"),
    ]))
    .await;
    env.send(&no_kid).await.assert_ok();

    // Two RSA keys: ambiguous, refused.
    let env = Env::start(jwks([k1(), k2()])).await;
    env.send(&no_kid)
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::AmbiguousKey);
}

#[tokio::test]
async fn new_key_of_another_type_is_fetched_like_any_new_kid() {
    // The issuer moves from RSA to EC: the first ES256 token names a kid not in the cache.
    let env = Env::start(jwks([k1()])).await;
    env.remote.refresh().await.unwrap();
    env.clock.advance(DEFAULT_COOLDOWN + SECOND);
    env.server.publish(jwks([
        k1(),
        jwk(&encoding_key(Algorithm::ES256), Algorithm::ES256, "e1"),
    ]));

    let es256 = mint_by(
        &encoding_key(Algorithm::ES256),
        &header(Algorithm::ES256, Some("e1")),
        &TestClaims::valid(),
    );
    let outcome = env.send(&es256).await;
    assert_eq!(
        env.hits(),
        2,
        "an unknown kid fetches, whatever its algorithm"
    );
    outcome.assert_ok();
}

// ---- OIDC discovery ------------------------------------------------------------------------

fn claims_from(iss: Option<&str>) -> TestClaims {
    TestClaims {
        iss: iss.map(String::from),
        ..TestClaims::valid()
    }
}

#[tokio::test]
async fn discovery_finds_the_keys_and_enforces_the_issuer() {
    let server = JwksServer::start(jwks([k1()])).await;
    let issuer = server.issuer();
    let remote = RemoteJwks::discovery(issuer.clone())
        .allow_http(true)
        .build()
        .unwrap();
    remote.refresh().await.unwrap();
    assert_eq!((server.discovery_hits(), server.jwks_hits()), (1, 1));
    assert_eq!(remote.state().jwks_url, Some(server.jwks_url()));

    // No `.issuer(..)` on the builder: the discovered issuer is required.
    let layer = builder::<TestClaims, _>(remote.clone()).build().unwrap();
    let token = |iss| {
        mint_by(
            &encoding_key(Algorithm::RS256),
            &header(Algorithm::RS256, Some("k1")),
            &claims_from(iss),
        )
    };
    outcome_of(&layer, &token(Some(&issuer))).await.assert_ok();
    outcome_of(&layer, &token(Some("https://idp.test")))
        .await
        .assert_refused(StatusCode::UNAUTHORIZED, AuthErrorKind::InvalidIssuer);
    let outcome = outcome_of(&layer, &token(None)).await;
    assert_eq!(outcome.status, StatusCode::UNAUTHORIZED, "{outcome:?}");

    // Issuers configured on the builder take its place.
    let layer = builder::<TestClaims, _>(remote.clone())
        .issuer("https://idp.test")
        .build()
        .unwrap();
    outcome_of(&layer, &token(Some("https://idp.test")))
        .await
        .assert_ok();

    // The discovery document is read once.
    remote.refresh().await.unwrap();
    assert_eq!((server.discovery_hits(), server.jwks_hits()), (1, 2));
}

#[tokio::test]
async fn discovery_document_naming_another_issuer_is_refused() {
    let server = JwksServer::start(jwks([k1()])).await;
    server.set_discovery(Some(
        serde_json::json!({
            "issuer": "http://127.0.0.1:9",
            "jwks_uri": server.jwks_url(),
        })
        .to_string(),
    ));
    let remote = RemoteJwks::discovery(server.issuer())
        .allow_http(true)
        .build()
        .unwrap();
    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::IssuerMismatch);
    assert_eq!(
        server.jwks_hits(),
        0,
        "keys of a mismatched issuer are not fetched"
    );

    let layer = builder::<TestClaims, _>(remote.clone()).build().unwrap();
    let token = mint_by(
        &encoding_key(Algorithm::RS256),
        &header(Algorithm::RS256, Some("k1")),
        &claims_from(Some(&server.issuer())),
    );
    outcome_of(&layer, &token).await.assert_unavailable();
}

#[tokio::test]
async fn non_ascii_jwks_uri_in_discovery_is_a_remote_error_not_a_panic() {
    let server = JwksServer::start(jwks([k1()])).await;
    let remote = RemoteJwks::discovery(server.issuer())
        .allow_http(true)
        .build()
        .unwrap();
    // A two-byte character across byte 7 or 8, where the scheme check used to slice.
    for jwks_uri in [
        "https:/\u{e9}/jwks.json",
        "http:/\u{e9}/jwks.json",
        "https://\u{e9}.example/jwks.json",
        "http\u{e9}://x/jwks.json",
        "https:\u{e9}",
        "\u{e9}",
    ] {
        server.set_discovery(Some(
            serde_json::json!({ "issuer": server.issuer(), "jwks_uri": jwks_uri }).to_string(),
        ));
        let error = remote.refresh().await.unwrap_err();
        assert_eq!(
            error.kind(),
            RemoteErrorKind::InvalidUrl,
            "{jwks_uri}: {error}"
        );
        assert_eq!(
            remote.state().last_error.map(|e| e.kind()),
            Some(RemoteErrorKind::InvalidUrl)
        );
    }
    assert_eq!(server.jwks_hits(), 0);

    // The failed fetches left nothing behind: a good document is read at once.
    server.set_discovery(None);
    remote.refresh().await.unwrap();
    assert!(remote.state().last_error.is_none());
    assert_eq!(remote.state().key_count, 1);
}

/// Panics on its first call, panics while its future is polled on the second, then serves
/// `body`.
struct PanickyFetcher {
    calls: AtomicUsize,
    body: String,
}

impl JwksFetcher for PanickyFetcher {
    fn fetch(
        &self,
        _url: &str,
        _max_len: usize,
    ) -> BoxFuture<'static, Result<Fetched, RemoteError>> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if call == 0 {
            panic!("the fetcher broke");
        }
        let body = self.body.clone().into_bytes();
        async move {
            if call == 1 {
                panic!("the fetch future broke");
            }
            Ok(Fetched::new(body, None))
        }
        .boxed()
    }
}

#[tokio::test]
async fn panicking_fetcher_fails_that_fetch_and_the_next_one_recovers() {
    let remote = RemoteJwks::builder("https://idp.test/jwks.json")
        .fetcher(PanickyFetcher {
            calls: AtomicUsize::new(0),
            body: jwks([k1()]),
        })
        .build()
        .unwrap();
    let layer = builder::<TestClaims, _>(remote.clone()).build().unwrap();

    // The call panics: the request gets 503, the state shows the failure.
    outcome_of(&layer, &k1_token()).await.assert_unavailable();
    let state = remote.state();
    assert_eq!((state.fetch_count, state.failure_count), (1, 1));
    let error = state.last_error.expect("the panic is recorded");
    assert_eq!(error.kind(), RemoteErrorKind::Panicked);
    assert!(error.to_string().contains("the fetcher broke"), "{error}");

    // Its future panics: the same, and nothing is left in flight.
    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::Panicked);
    assert!(error.to_string().contains("future broke"), "{error}");

    remote.refresh().await.unwrap();
    assert!(remote.state().last_error.is_none());
    outcome_of(&layer, &k1_token()).await.assert_ok();
}

#[tokio::test]
async fn from_issuer_with_plain_http_names_discovery_allow_http() {
    let server = JwksServer::start(jwks([k1()])).await;
    let error = RemoteJwks::from_issuer(server.issuer()).await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::InvalidUrl);
    assert_eq!(server.discovery_hits(), 0);
    // The way that works, spelled as the API spells it.
    let message = error.to_string();
    assert!(
        message.contains("RemoteJwks::discovery(") && message.contains(".allow_http(true)"),
        "{message}"
    );
    assert!(message.contains(&server.issuer()), "{message}");
}

#[tokio::test]
async fn issuer_mismatch_names_both_issuers_and_a_trailing_slash() {
    let server = JwksServer::start(jwks([k1()])).await;
    server.set_discovery(Some(
        serde_json::json!({
            "issuer": "http://127.0.0.1:9/other",
            "jwks_uri": server.jwks_url(),
        })
        .to_string(),
    ));
    let remote = RemoteJwks::discovery(server.issuer())
        .allow_http(true)
        .build()
        .unwrap();
    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::IssuerMismatch);
    let message = error.to_string();
    assert!(message.contains("http://127.0.0.1:9/other"), "{message}");
    assert!(message.contains(&server.issuer()), "{message}");
    assert!(!message.contains("slash"), "{message}");

    // The usual cause: the same issuer but for one trailing slash.
    server.set_discovery(None);
    let configured = format!("{}/", server.issuer());
    let remote = RemoteJwks::discovery(configured.clone())
        .allow_http(true)
        .build()
        .unwrap();
    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::IssuerMismatch);
    let message = error.to_string();
    assert!(message.contains(&format!("`{configured}`")), "{message}");
    assert!(
        message.contains(&format!("`{}`", server.issuer())),
        "{message}"
    );
    assert!(message.contains("trailing slash"), "{message}");
}

// ---- state ---------------------------------------------------------------------------------

#[tokio::test]
async fn state_reports_readiness_counts_and_last_error() {
    let env = Env::start(jwks([k1(), k2()])).await;
    let state = env.remote.state();
    assert!(!state.ready);
    assert_eq!(
        (state.key_count, state.fetch_count, state.failure_count),
        (0, 0, 0)
    );
    assert!(state.last_error.is_none() && state.age.is_none());
    assert_eq!(state.jwks_url, Some(env.server.jwks_url()));

    env.remote.refresh().await.unwrap();
    env.clock.advance(Duration::from_secs(5));
    let state = env.remote.state();
    assert!(state.ready);
    assert_eq!(
        (state.key_count, state.fetch_count, state.failure_count),
        (2, 1, 0)
    );
    assert_eq!(state.age, Some(Duration::from_secs(5)));
    assert!(state.last_error.is_none());

    env.server.set_mode(Mode::Fail);
    env.remote.refresh().await.unwrap_err();
    let state = env.remote.state();
    assert!(state.ready, "the last good set is kept");
    assert_eq!(
        (state.key_count, state.fetch_count, state.failure_count),
        (2, 2, 1)
    );
    assert_eq!(
        state.last_error.map(|e| e.kind()),
        Some(RemoteErrorKind::Status(500))
    );

    env.server.set_mode(Mode::serve());
    env.remote.refresh().await.unwrap();
    let state = env.remote.state();
    assert_eq!((state.fetch_count, state.failure_count), (3, 1));
    assert!(state.last_error.is_none());
    assert_eq!(state.age, Some(Duration::ZERO));
}

#[tokio::test]
async fn a_discovery_document_that_is_a_json_array_is_refused() {
    let server = JwksServer::start(jwks([k1()])).await;
    // A derived parser would read this as `{"issuer": .., "jwks_uri": ..}`.
    server.set_discovery(Some(
        serde_json::json!([server.issuer(), server.jwks_url()]).to_string(),
    ));
    let remote = RemoteJwks::discovery(server.issuer())
        .allow_http(true)
        .build()
        .unwrap();
    let error = remote.refresh().await.unwrap_err();
    assert_eq!(error.kind(), RemoteErrorKind::InvalidDocument);
    assert!(error.to_string().contains("JSON object"), "{error}");
    assert_eq!(server.jwks_hits(), 0);
}

#[test]
fn a_refused_url_is_the_source_of_the_build_error() {
    use std::error::Error as _;
    let error = RemoteJwks::builder("ftp://idp.example/jwks.json")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ConfigErrorKind::InvalidSetting);
    let source = error.source().expect("the URL check's error");
    let remote = source.downcast_ref::<RemoteError>().expect("a RemoteError");
    assert_eq!(remote.kind(), RemoteErrorKind::InvalidUrl);
}
