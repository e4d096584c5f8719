//! Shared by the benches: the keys, the claims, the checks and the layer they all measure, so
//! that every bench compares the same thing.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use futures_util::FutureExt;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Request, Response, StatusCode};
use jsonwebtoken::{encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tower::{service_fn, Layer, ServiceExt};
use tower_jwt_auth::{
    Claims, Issuers, JwtAuth, JwtAuthBuilder, JwtAuthLayer, KeySource, StaticKeys,
};

const HS_SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RSA_PRIVATE: &str = include_str!("../../tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../../tests/keys/rsa_public.pem");
const EC256_PRIVATE: &str = include_str!("../../tests/keys/ec256_private.pem");
const EC256_PUBLIC: &str = include_str!("../../tests/keys/ec256_public.pem");
const EC384_PRIVATE: &str = include_str!("../../tests/keys/ec384_private.pem");
const EC384_PUBLIC: &str = include_str!("../../tests/keys/ec384_public.pem");
const ED_PRIVATE: &str = include_str!("../../tests/keys/ed25519_private.pem");
const ED_PUBLIC: &str = include_str!("../../tests/keys/ed25519_public.pem");

pub const ISSUER: &str = "https://idp.example.com/realms/production";
pub const AUDIENCE: &str = "https://api.example.com";

/// Every algorithm the benches measure.
pub const ALGORITHMS: [Algorithm; 6] = [
    Algorithm::HS256,
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// A typical access token's claims (about 300 bytes of JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchClaims {
    pub sub: String,
    iss: String,
    aud: String,
    exp: u64,
    iat: u64,
    scope: String,
    email: String,
    name: String,
    roles: Vec<String>,
}

impl BenchClaims {
    pub fn new() -> Self {
        Self {
            sub: "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f".into(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: 4_000_000_000,
            iat: 1_767_225_600,
            scope: "openid profile email orders:read orders:write".into(),
            email: "ann.example@example.com".into(),
            name: "Ann Example".into(),
            roles: vec!["user".into(), "billing-admin".into(), "support".into()],
        }
    }

    /// The same claims with `iat` moved `n` seconds later: a token as long as the others (for
    /// `n` below 2,000,000,000), yet distinct, so it is never in a token cache.
    pub fn numbered(n: u32) -> Self {
        Self {
            iat: 1_767_225_600 + u64::from(n),
            ..Self::new()
        }
    }
}

/// The issuer of the Keycloak tokens.
pub const KEYCLOAK_ISSUER: &str = "https://keycloak.example/realms/main";
/// The audience the Keycloak tokens are checked for (one of their `aud`).
pub const KEYCLOAK_AUDIENCE: &str = "orders-api";

/// A Keycloak access token's claims: the registered claims, the session, the realm's roles and
/// ten clients' roles in `resource_access` (25 objects and arrays, about 1.6 KB of JSON).
pub fn keycloak_claims() -> serde_json::Value {
    let clients = [
        (
            "account",
            &["manage-account", "manage-account-links", "view-profile"][..],
        ),
        (
            "orders-api",
            &[
                "orders:read",
                "orders:write",
                "orders:cancel",
                "refunds:read",
            ],
        ),
        (
            "billing-api",
            &[
                "invoices:read",
                "invoices:write",
                "payments:read",
                "payments:refund",
                "billing-admin",
            ],
        ),
        (
            "inventory-api",
            &["stock:read", "stock:write", "warehouses:read"],
        ),
        (
            "shipping-api",
            &[
                "shipments:read",
                "shipments:create",
                "labels:print",
                "carriers:read",
            ],
        ),
        (
            "catalog-api",
            &[
                "products:read",
                "products:write",
                "prices:read",
                "prices:write",
                "categories:read",
                "catalog-admin",
            ],
        ),
        (
            "customers-api",
            &["customers:read", "customers:write", "gdpr:export"],
        ),
        (
            "reporting",
            &[
                "reports:view",
                "reports:export",
                "dashboards:edit",
                "datasets:read",
            ],
        ),
        (
            "support-desk",
            &[
                "tickets:read",
                "tickets:write",
                "tickets:assign",
                "macros:edit",
                "agent",
            ],
        ),
        (
            "realm-management",
            &[
                "view-users",
                "query-users",
                "view-clients",
                "query-groups",
                "view-realm",
                "view-events",
            ],
        ),
    ];
    let resource_access: serde_json::Map<String, serde_json::Value> = clients
        .iter()
        .map(|(client, roles)| ((*client).to_owned(), serde_json::json!({ "roles": roles })))
        .collect();
    serde_json::json!({
        "exp": 4_000_000_000u64,
        "iat": 1_767_225_600u64,
        "jti": "onrtac:4f6b2a7e-91c3-4d8e-b5a0-3c2f7e9d1a64",
        "iss": KEYCLOAK_ISSUER,
        "aud": [KEYCLOAK_AUDIENCE, "billing-api", "inventory-api", "account"],
        "sub": "8f14e45f-ceea-467f-a0e6-2b9a1c3d4e5f",
        "typ": "Bearer",
        "azp": "web-shop",
        "session_state": "b2d3c4e5-f607-4819-a2b3-c4d5e6f70819",
        "acr": "1",
        "allowed-origins": ["https://shop.example", "https://admin.shop.example"],
        "realm_access": {
            "roles": ["offline_access", "uma_authorization", "default-roles-main", "customer", "staff"]
        },
        "resource_access": resource_access,
        "scope": "openid profile email roles web-origins acr basic orders",
        "sid": "b2d3c4e5-f607-4819-a2b3-c4d5e6f70819",
        "email_verified": true,
        "name": "Ann Example",
        "preferred_username": "ann.example",
        "given_name": "Ann",
        "family_name": "Example",
        "email": "ann.example@example.com"
    })
}

/// The roles of the realm or of one client, in a Keycloak token.
#[derive(Debug, Clone, Deserialize)]
pub struct Roles {
    pub roles: Vec<String>,
}

/// What both `decode` and the layer read a Keycloak token into: every member, typed.
#[derive(Debug, Clone, Deserialize)]
pub struct KeycloakClaims {
    pub exp: u64,
    pub iat: u64,
    pub jti: String,
    pub iss: String,
    pub aud: Vec<String>,
    pub sub: String,
    pub typ: String,
    pub azp: String,
    pub session_state: String,
    pub acr: String,
    #[serde(rename = "allowed-origins")]
    pub allowed_origins: Vec<String>,
    pub realm_access: Roles,
    pub resource_access: BTreeMap<String, Roles>,
    pub scope: String,
    pub sid: String,
    pub email_verified: bool,
    pub name: String,
    pub preferred_username: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
}

/// A Keycloak token ([`keycloak_claims`]), signed with `alg`'s bench key.
pub fn sign_keycloak(alg: Algorithm, encoding_key: &EncodingKey) -> String {
    encode(&Header::new(alg), &keycloak_claims(), encoding_key).unwrap()
}

/// Installs jsonwebtoken's process default provider, which it needs to sign (and for `decode`)
/// when both backends are enabled.
pub fn install_provider() {
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
        &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
    );
}

/// The signing key, the same public key for jsonwebtoken, and the same key for the layer.
pub fn keys(alg: Algorithm) -> (EncodingKey, DecodingKey, StaticKeys) {
    let (encoding_key, decoding_key) = match alg {
        Algorithm::HS256 => (
            EncodingKey::from_secret(HS_SECRET),
            DecodingKey::from_secret(HS_SECRET),
        ),
        Algorithm::RS256 | Algorithm::PS256 => (
            EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap(),
        ),
        Algorithm::ES256 => (
            EncodingKey::from_ec_pem(EC256_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC256_PUBLIC.as_bytes()).unwrap(),
        ),
        Algorithm::ES384 => (
            EncodingKey::from_ec_pem(EC384_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(EC384_PUBLIC.as_bytes()).unwrap(),
        ),
        Algorithm::EdDSA => (
            EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap(),
            DecodingKey::from_ed_pem(ED_PUBLIC.as_bytes()).unwrap(),
        ),
        other => unreachable!("not benchmarked: {other:?}"),
    };
    (encoding_key, decoding_key, static_keys(alg))
}

/// The layer's key for `alg`'s bench tokens, parsed anew on each call.
pub fn static_keys(alg: Algorithm) -> StaticKeys {
    match alg {
        Algorithm::HS256 => StaticKeys::new().secret(HS_SECRET, alg),
        Algorithm::RS256 | Algorithm::PS256 => StaticKeys::new().rsa_pem(RSA_PUBLIC, alg),
        Algorithm::ES256 => StaticKeys::new().ec_pem(EC256_PUBLIC, alg),
        Algorithm::ES384 => StaticKeys::new().ec_pem(EC384_PUBLIC, alg),
        Algorithm::EdDSA => StaticKeys::new().ed_pem(ED_PUBLIC),
        other => unreachable!("not benchmarked: {other:?}"),
    }
    .unwrap()
}

/// `count` trusted issuers (at least one, at most 1,000), each with its own `StaticKeys` for
/// `alg` (the same key material) and the audience [`AUDIENCE`]. The tokens' issuer [`ISSUER`]
/// comes last, so that a scan of the list in order goes through all of them; the others are
/// realms of the same server, as long as it and differing only in their last bytes
/// (`.../realms/tenant-001`), so that comparing one with `iss` is never cut short by the length.
pub fn issuers(alg: Algorithm, count: usize) -> Issuers<StaticKeys> {
    assert!((1..=1000).contains(&count), "1 to 1,000 issuers");
    (1..count)
        .fold(Issuers::new(), |issuers, i| {
            let issuer = format!("https://idp.example.com/realms/tenant-{i:03}");
            assert_eq!(issuer.len(), ISSUER.len());
            issuers.issuer(issuer, static_keys(alg), [AUDIENCE])
        })
        .issuer(ISSUER, static_keys(alg), [AUDIENCE])
}

/// A token with `BenchClaims`, signed with `alg`'s bench key.
pub fn sign(alg: Algorithm, encoding_key: &EncodingKey) -> String {
    sign_claims(alg, encoding_key, &BenchClaims::new())
}

/// A token with these claims, signed with `alg`'s bench key.
pub fn sign_claims(alg: Algorithm, encoding_key: &EncodingKey, claims: &BenchClaims) -> String {
    encode(&Header::new(alg), claims, encoding_key).unwrap()
}

/// jsonwebtoken's checks, set to what the layer checks: issuer, audience, `exp` required,
/// 60 s leeway.
pub fn validation(alg: Algorithm) -> Validation {
    validation_for(alg, ISSUER, AUDIENCE)
}

/// The same checks for another issuer and audience.
pub fn validation_for(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp"]);
    validation.validate_exp = true;
    validation.leeway = 60;
    validation
}

/// The trivial inner service.
pub type Inner = fn(Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>>;

fn inner<C: Send + Sync + 'static>(
    request: Request<()>,
) -> std::future::Ready<Result<Response<()>, Infallible>> {
    black_box(request.extensions().get::<Claims<C>>());
    std::future::ready(Ok(Response::new(())))
}

/// The layer as measured (the same checks as [`validation`], which are its defaults plus the
/// issuer and audience), around a trivial service, optionally with the token cache.
pub fn layer_for<K: KeySource>(
    keys: K,
    cache: bool,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    layer_with_cache(keys, cache.then_some(10_000))
}

/// The same layer with a token cache of `capacity` tokens (5 minutes each), or none.
pub fn layer_with_cache<K: KeySource>(
    keys: K,
    capacity: Option<usize>,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, K> {
    let builder = JwtAuthLayer::<BenchClaims>::builder(keys)
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let builder = match capacity {
        Some(capacity) => builder.cache(capacity, Duration::from_secs(300)),
        None => builder,
    };
    finish(builder)
}

/// The same checks over [`Issuers`], which supplies both the trusted issuers (the layer
/// requires `iss` to be one of [`KeySource::issuers`] when the builder names none) and each
/// issuer's audience: the builder sets neither, so nothing is checked twice.
pub fn layer_over_issuers(
    issuers: Issuers<StaticKeys>,
) -> JwtAuth<tower::util::ServiceFn<Inner>, BenchClaims, Issuers<StaticKeys>> {
    finish(JwtAuthLayer::<BenchClaims>::builder(issuers))
}

/// The layer as measured for the Keycloak token: the same checks, for its issuer and audience,
/// reading [`KeycloakClaims`]; no cache.
pub fn keycloak_layer<K: KeySource>(
    keys: K,
) -> JwtAuth<tower::util::ServiceFn<Inner>, KeycloakClaims, K> {
    finish(
        JwtAuthLayer::<KeycloakClaims>::builder(keys)
            .issuer(KEYCLOAK_ISSUER)
            .audience(KEYCLOAK_AUDIENCE),
    )
}

/// Builds the layer around the trivial service, with the provider both backends need.
fn finish<C, K>(builder: JwtAuthBuilder<C, K>) -> JwtAuth<tower::util::ServiceFn<Inner>, C, K>
where
    C: DeserializeOwned + Send + Sync + 'static,
    K: KeySource,
{
    #[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
    let builder = builder.crypto_provider(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    let f: Inner = inner::<C>;
    builder.build().unwrap().layer(service_fn(f))
}

/// `Authorization: Bearer <token>`, prepared once: cloning it is a reference-count increment.
pub fn bearer(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {token}")).unwrap()
}

/// The request as a server builds one per incoming request (a `Request` with its `HeaderMap`).
pub fn request(bearer: &HeaderValue) -> Request<()> {
    Request::get("/orders")
        .header(AUTHORIZATION, bearer.clone())
        .body(())
        .unwrap()
}

/// One request through a service whose key lookup is ready at once (no runtime needed).
pub fn drive<S>(svc: &S, request: Request<()>) -> StatusCode
where
    S: tower::Service<Request<()>, Response = Response<()>, Error = Infallible> + Clone,
{
    svc.clone()
        .oneshot(request)
        .now_or_never()
        .expect("ready at once")
        .unwrap()
        .status()
}
