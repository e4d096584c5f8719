//! Authorization on the wire: for every `GrantSource` preset, a token of that provider's exact
//! shape (`tests/support/providers.rs`) sent by a real HTTP client to a real axum server whose
//! routes are guarded with `route_layer(Require::...)` under the `JwtAuthLayer`. 200 when the
//! grant is there; 403 `insufficient_scope` naming the scope when it is not; 401, never 403,
//! without a token or with a token that is not an access token.

mod support;

use std::net::SocketAddr;

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::json;
use tokio::net::TcpListener;
use tower_jwt_auth::{GrantSource, Grants, JwtAuthLayer, Require, StandardClaims};

use support::providers::*;
use support::{builder, rs256_keys};

/// What a guarded route answers: the grants the layer read, scopes then roles.
async fn show_grants(grants: Grants) -> String {
    let scopes: Vec<&str> = grants.scopes().collect();
    let roles: Vec<&str> = grants.roles().collect();
    format!("scopes=[{}] roles=[{}]", scopes.join(" "), roles.join(" "))
}

/// One `GET` route per `(path, requirement)`, each guarded with `route_layer(requirement)`.
fn guarded(routes: impl IntoIterator<Item = (&'static str, Require)>) -> Router {
    routes
        .into_iter()
        .fold(Router::new(), |app, (path, requirement)| {
            app.merge(
                Router::new()
                    .route(path, get(show_grants))
                    .route_layer(requirement),
            )
        })
}

/// The layer for a provider: the RSA fixture key, its issuer and audience, its grant source.
fn auth(issuer: &str, audience: &str, source: GrantSource) -> JwtAuthLayer<StandardClaims> {
    builder(rs256_keys())
        .issuer(issuer)
        .audience(audience)
        .grants(source)
        .build()
        .expect("layer builds")
}

/// A real server on 127.0.0.1:0 and a real HTTP/1 client for it.
struct Server {
    addr: SocketAddr,
    client: Client<HttpConnector, Empty<Bytes>>,
}

/// What came back over the wire.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    challenge: Option<String>,
    body: String,
}

impl Server {
    /// Binds before spawning, so the server accepts as soon as this returns.
    async fn start(app: Router) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = Client::builder(TokioExecutor::new()).build_http();
        Self { addr, client }
    }

    /// `GET path`, with `Authorization: Bearer <token>` when a token is given.
    async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = Request::get(format!("http://{}{path}", self.addr));
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = self
            .client
            .request(request.body(Empty::new()).unwrap())
            .await
            .expect("the server answers");
        let status = response.status();
        let challenge = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            challenge,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }
}

impl Reply {
    /// 200 from the handler; returns what it saw.
    #[track_caller]
    fn granted(&self) -> &str {
        assert_eq!(self.status, StatusCode::OK, "{self:?}");
        assert_eq!(self.challenge, None, "{self:?}");
        &self.body
    }

    /// 403 `insufficient_scope`, naming exactly `scope` as the scope that would do.
    #[track_caller]
    fn assert_insufficient_scope(&self, scope: &str) {
        assert_eq!(self.status, StatusCode::FORBIDDEN, "{self:?}");
        let description = if scope.contains(' ') {
            format!("token lacks scopes this needs (`{scope}`)")
        } else {
            format!("token lacks the scope `{scope}`")
        };
        assert_eq!(
            self.challenge.as_deref(),
            Some(
                format!(
                    "Bearer error=\"insufficient_scope\", \
                     error_description=\"{description}\", scope=\"{scope}\""
                )
                .as_str()
            ),
            "{self:?}"
        );
    }

    /// 403 `insufficient_scope` for a requirement no scope would meet (a role, a predicate).
    #[track_caller]
    fn assert_insufficient_grants(&self) {
        assert_eq!(self.status, StatusCode::FORBIDDEN, "{self:?}");
        assert_eq!(
            self.challenge.as_deref(),
            Some(
                "Bearer error=\"insufficient_scope\", \
                 error_description=\"token does not grant access to this resource\""
            ),
            "{self:?}"
        );
    }

    /// 401 with the bare challenge of a request without credentials.
    #[track_caller]
    fn assert_no_token(&self) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{self:?}");
        assert_eq!(self.challenge.as_deref(), Some("Bearer"), "{self:?}");
    }

    /// 401 `invalid_token` with this description.
    #[track_caller]
    fn assert_invalid_token(&self, description: &str) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{self:?}");
        assert_eq!(
            self.challenge.as_deref(),
            Some(
                format!("Bearer error=\"invalid_token\", error_description=\"{description}\"")
                    .as_str()
            ),
            "{self:?}"
        );
    }
}

const WRONG_TYPE: &str = "token type (typ) is not the expected one";
const WRONG_AUDIENCE: &str = "token is not meant for this audience";

// --- RFC 9068 ---

#[tokio::test]
async fn rfc9068_at_jwt_token_grants_its_scope_claim() {
    let app = guarded([
        ("/mail", Require::scope("reademail")),
        ("/send", Require::scope("sendmail")),
    ])
    .layer(auth(
        RFC9068_ISSUER,
        RFC9068_AUDIENCE,
        GrantSource::rfc9068(),
    ));
    let server = Server::start(app).await;
    let token = rfc9068_access_token().sign();

    let reply = server.get("/mail", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[openid profile reademail] roles=[]"
    );
    server
        .get("/send", Some(&token))
        .await
        .assert_insufficient_scope("sendmail");
    server.get("/mail", None).await.assert_no_token();

    // RFC 9068 §4: `typ` is `at+jwt` or `application/at+jwt`, a media type (any case).
    for typ in ["application/at+jwt", "at+JWT"] {
        let token = rfc9068_access_token().with_header("typ", json!(typ)).sign();
        server.get("/mail", Some(&token)).await.granted();
    }
}

#[tokio::test]
async fn rfc9068_refuses_the_same_token_typed_jwt_with_401() {
    let app = guarded([("/mail", Require::scope("reademail"))]).layer(auth(
        RFC9068_ISSUER,
        RFC9068_AUDIENCE,
        GrantSource::rfc9068(),
    ));
    let server = Server::start(app).await;

    let typed_jwt = rfc9068_access_token()
        .with_header("typ", json!("JWT"))
        .sign();
    server
        .get("/mail", Some(&typed_jwt))
        .await
        .assert_invalid_token(WRONG_TYPE);

    let mut untyped = rfc9068_access_token();
    untyped.header.as_object_mut().unwrap().remove("typ");
    server
        .get("/mail", Some(&untyped.sign()))
        .await
        .assert_invalid_token(WRONG_TYPE);
}

// --- Okta ---

fn okta_app() -> Router {
    guarded([
        ("/orders", Require::scope("orders:readonly")),
        ("/orders/all", Require::scope("orders:read")),
        ("/Orders", Require::scope("Orders:readonly")),
        ("/email", Require::scope("email")),
    ])
    .layer(auth(OKTA_ISSUER, OKTA_AUDIENCE, GrantSource::okta()))
}

#[tokio::test]
async fn okta_scp_array_grants_each_scope_compared_exactly() {
    let server = Server::start(okta_app()).await;
    let token = okta_access_token().sign();

    let reply = server.get("/orders", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[openid email orders:readonly] roles=[]"
    );
    server.get("/email", Some(&token)).await.granted();
    // `orders:readonly` is not `orders:read`, and case matters.
    server
        .get("/orders/all", Some(&token))
        .await
        .assert_insufficient_scope("orders:read");
    server
        .get("/Orders", Some(&token))
        .await
        .assert_insufficient_scope("Orders:readonly");
    server.get("/orders", None).await.assert_no_token();
}

#[tokio::test]
async fn okta_scp_space_delimited_string_grants_each_scope() {
    let server = Server::start(okta_app()).await;
    let token = okta_access_token()
        .with("scp", json!("openid email orders:readonly"))
        .sign();

    let reply = server.get("/orders", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[openid email orders:readonly] roles=[]"
    );
    server
        .get("/orders/all", Some(&token))
        .await
        .assert_insufficient_scope("orders:read");
}

#[tokio::test]
async fn okta_token_for_another_audience_is_401() {
    // Okta marks ID tokens by nothing but their audience (the client id): the API's audience
    // refuses them, before any scope is looked at.
    let server = Server::start(okta_app()).await;
    let id_token_shape = okta_access_token()
        .with("aud", json!("nmdP1fcyvdVO11AL7ECm"))
        .sign();
    server
        .get("/orders", Some(&id_token_shape))
        .await
        .assert_invalid_token(WRONG_AUDIENCE);
}

// --- Microsoft Entra ID ---

fn entra_app() -> Router {
    let source = GrantSource::entra_id();
    let auth = builder::<StandardClaims, _>(rs256_keys())
        .issuer(ENTRA_ISSUER)
        .audience(ENTRA_API_CLIENT_ID)
        .audience(ENTRA_API_URI)
        .grants(source)
        .build()
        .unwrap();
    guarded([
        ("/orders", Require::scope("Orders.Read")),
        ("/orders/write", Require::scope("Orders.ReadWrite")),
        ("/orders/all", Require::role("Orders.ReadWrite.All")),
        (
            "/orders/either",
            Require::scope("Orders.Read").or(Require::role("Orders.ReadWrite.All")),
        ),
    ])
    .layer(auth)
}

#[tokio::test]
async fn entra_id_delegated_token_grants_its_scp() {
    let server = Server::start(entra_app()).await;
    let token = entra_delegated_token().sign();

    let reply = server.get("/orders", Some(&token)).await;
    assert_eq!(reply.granted(), "scopes=[Orders.Read User.Read] roles=[]");
    server.get("/orders/either", Some(&token)).await.granted();
    server
        .get("/orders/write", Some(&token))
        .await
        .assert_insufficient_scope("Orders.ReadWrite");
    server
        .get("/orders/all", Some(&token))
        .await
        .assert_insufficient_grants();
}

#[tokio::test]
async fn entra_id_app_only_token_grants_its_roles() {
    let server = Server::start(entra_app()).await;
    let token = entra_app_token().sign();

    let reply = server.get("/orders/all", Some(&token)).await;
    assert_eq!(reply.granted(), "scopes=[] roles=[Orders.ReadWrite.All]");
    server.get("/orders/either", Some(&token)).await.granted();
    // Application roles are not scopes.
    server
        .get("/orders", Some(&token))
        .await
        .assert_insufficient_scope("Orders.Read");
    server.get("/orders/all", None).await.assert_no_token();
}

// --- Auth0 ---

#[tokio::test]
async fn auth0_grants_scope_and_permissions_with_an_audience_array() {
    let app = guarded([
        ("/orders", Require::scope("read:orders")),
        ("/orders/new", Require::scope("create:orders")),
        ("/orders/delete", Require::scope("delete:orders")),
        ("/me", Require::scope("profile")),
    ])
    .layer(auth(AUTH0_ISSUER, AUTH0_API, GrantSource::auth0()));
    let server = Server::start(app).await;
    let token = auth0_access_token().sign();

    let reply = server.get("/orders", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[openid profile email read:orders create:orders] roles=[]"
    );
    server.get("/orders/new", Some(&token)).await.granted();
    server.get("/me", Some(&token)).await.granted();
    server
        .get("/orders/delete", Some(&token))
        .await
        .assert_insufficient_scope("delete:orders");
    server.get("/orders", None).await.assert_no_token();
}

// --- Keycloak ---

fn keycloak_app() -> Router {
    guarded([
        ("/shop", Require::role("customer")),
        ("/orders", Require::role("orders-viewer")),
        ("/invoices", Require::role("invoices-admin")),
        ("/email", Require::scope("email")),
        ("/phone", Require::scope("phone")),
    ])
    .layer(auth(
        KEYCLOAK_ISSUER,
        KEYCLOAK_AUDIENCE,
        GrantSource::keycloak(KEYCLOAK_CLIENT),
    ))
}

#[tokio::test]
async fn keycloak_grants_realm_roles_its_client_roles_and_scope() {
    let server = Server::start(keycloak_app()).await;
    let token = keycloak_access_token().sign();

    let reply = server.get("/shop", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[openid email profile] \
         roles=[default-roles-shop offline_access uma_authorization customer orders-viewer]"
    );
    server.get("/orders", Some(&token)).await.granted();
    server.get("/email", Some(&token)).await.granted();
    server
        .get("/phone", Some(&token))
        .await
        .assert_insufficient_scope("phone");
    server.get("/shop", None).await.assert_no_token();
}

#[tokio::test]
async fn keycloak_role_of_another_client_is_not_granted() {
    let server = Server::start(keycloak_app()).await;
    let token = keycloak_access_token().sign();
    server
        .get("/invoices", Some(&token))
        .await
        .assert_insufficient_grants();
}

#[tokio::test]
async fn keycloak_id_token_is_refused_with_401() {
    let server = Server::start(keycloak_app()).await;
    let token = keycloak_id_token().sign();
    server
        .get("/orders", Some(&token))
        .await
        .assert_invalid_token(WRONG_TYPE);
}

// --- Amazon Cognito ---

fn cognito_app() -> Router {
    guarded([
        (
            "/appointments",
            Require::scope("resourceserver.1/appointments"),
        ),
        (
            "/appointments/new",
            Require::scope("resourceserver.1/appointments.write"),
        ),
        ("/admin", Require::role("admin")),
        ("/billing", Require::role("billing")),
    ])
    .layer(auth(
        COGNITO_ISSUER,
        COGNITO_CLIENT_ID,
        GrantSource::cognito(),
    ))
}

#[tokio::test]
async fn cognito_access_token_without_aud_is_accepted_by_its_client_id() {
    let server = Server::start(cognito_app()).await;
    let token = cognito_access_token().sign();

    let reply = server.get("/appointments", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[phone openid profile resourceserver.1/appointments email] roles=[admin]"
    );
    server.get("/admin", Some(&token)).await.granted();
    server
        .get("/appointments/new", Some(&token))
        .await
        .assert_insufficient_scope("resourceserver.1/appointments.write");
    server
        .get("/billing", Some(&token))
        .await
        .assert_insufficient_grants();
    server.get("/appointments", None).await.assert_no_token();
}

#[tokio::test]
async fn cognito_access_token_of_another_app_client_is_401() {
    let server = Server::start(cognito_app()).await;
    let token = cognito_access_token()
        .with("client_id", json!("9another87654321"))
        .sign();
    server
        .get("/appointments", Some(&token))
        .await
        .assert_invalid_token(WRONG_AUDIENCE);
}

#[tokio::test]
async fn cognito_id_token_is_refused_with_401() {
    let server = Server::start(cognito_app()).await;
    let reply = server.get("/admin", Some(&cognito_id_token().sign())).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert!(
        reply
            .challenge
            .as_deref()
            .is_some_and(|c| c.starts_with("Bearer error=\"invalid_token\"")),
        "{reply:?}"
    );
    // Even with the access token's `client_id`, `token_use: "id"` refuses it.
    let token = cognito_id_token()
        .with("client_id", json!(COGNITO_CLIENT_ID))
        .sign();
    server
        .get("/admin", Some(&token))
        .await
        .assert_invalid_token(WRONG_TYPE);
}

// --- claims of your own ---

#[tokio::test]
async fn custom_claim_paths_and_groups_grant_scopes_and_roles() {
    let source = GrantSource::new()
        .scopes_from("authz.scopes")
        .scopes_from("/authz/permissions")
        .roles_from("/https:~1~1example.com~1roles")
        .roles_from("authz.tier")
        .groups();
    let auth = builder::<serde_json::Value, _>(rs256_keys())
        .issuer(CUSTOM_ISSUER)
        .audience(CUSTOM_AUDIENCE)
        .grants(source)
        .build()
        .unwrap();
    let app = guarded([
        ("/orders", Require::scope("orders:read")),
        ("/invoices", Require::scope("invoices:read")),
        ("/export", Require::scope("orders:export")),
        ("/refunds", Require::scope("orders:refund")),
        ("/audit", Require::role("auditor")),
        ("/gold", Require::role("gold")),
        ("/pager", Require::role("on-call")),
        ("/root", Require::role("admin")),
    ])
    .layer(auth);
    let server = Server::start(app).await;
    let token = custom_claims_token().sign();

    let reply = server.get("/orders", Some(&token)).await;
    assert_eq!(
        reply.granted(),
        "scopes=[orders:read invoices:read orders:export] \
         roles=[auditor support gold ops on-call]"
    );
    for path in ["/invoices", "/export", "/audit", "/gold", "/pager"] {
        server.get(path, Some(&token)).await.granted();
    }
    server
        .get("/refunds", Some(&token))
        .await
        .assert_insufficient_scope("orders:refund");
    server
        .get("/root", Some(&token))
        .await
        .assert_insufficient_grants();
}

// --- composition, nesting, and 401 before 403 ---

/// A token granting the scopes `orders:read profile` and the role `staff`.
fn staff_token() -> String {
    custom_claims_token()
        .with("authz", json!({"scopes": "orders:read profile"}))
        .with("groups", json!(["staff"]))
        .without("https://example.com/roles")
        .sign()
}

fn staff_auth() -> JwtAuthLayer<StandardClaims> {
    auth(
        CUSTOM_ISSUER,
        CUSTOM_AUDIENCE,
        GrantSource::new().scopes_from("authz.scopes").groups(),
    )
}

#[tokio::test]
async fn require_compositions_answer_on_the_wire() {
    let app = guarded([
        ("/any", Require::any_scope(["orders:write", "orders:read"])),
        ("/any/none", Require::any_scope(["orders:write", "admin"])),
        ("/all", Require::all_scopes(["orders:read", "profile"])),
        (
            "/all/missing",
            Require::all_scopes(["orders:read", "orders:write", "orders:delete"]),
        ),
        (
            "/role-or",
            Require::role("admin").or(Require::scope("profile")),
        ),
        (
            "/role-or/none",
            Require::role("admin").or(Require::scope("orders:write")),
        ),
        ("/any-role", Require::any_role(["admin", "staff"])),
        (
            "/and",
            Require::role("staff").and(Require::scope("orders:write")),
        ),
        (
            "/predicate",
            Require::predicate(|g| g.scopes().count() == 2),
        ),
        (
            "/predicate/none",
            Require::predicate(|g| g.roles().any(|r| r.starts_with("admin"))),
        ),
    ])
    .layer(staff_auth());
    let server = Server::start(app).await;
    let token = staff_token();

    for path in ["/any", "/all", "/role-or", "/any-role", "/predicate"] {
        let reply = server.get(path, Some(&token)).await;
        assert_eq!(
            reply.granted(),
            "scopes=[orders:read profile] roles=[staff]",
            "{path}"
        );
    }
    server
        .get("/any/none", Some(&token))
        .await
        .assert_insufficient_scope("orders:write admin");
    // Only the scopes still missing are named.
    server
        .get("/all/missing", Some(&token))
        .await
        .assert_insufficient_scope("orders:write orders:delete");
    server
        .get("/role-or/none", Some(&token))
        .await
        .assert_insufficient_scope("orders:write");
    server
        .get("/and", Some(&token))
        .await
        .assert_insufficient_scope("orders:write");
    server
        .get("/predicate/none", Some(&token))
        .await
        .assert_insufficient_grants();
}

#[tokio::test]
async fn require_under_nest_guards_admin_users_whatever_the_prefix() {
    let admin = || {
        Router::new()
            .route("/users", get(show_grants))
            .route_layer(Require::role("admin"))
    };
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .nest("/admin", admin())
        .nest("/api/v2/admin", admin())
        .layer(staff_auth());
    let server = Server::start(app).await;

    let staff = staff_token();
    let admin_token = custom_claims_token()
        .with("groups", json!(["admin"]))
        .sign();
    for path in ["/admin/users", "/api/v2/admin/users"] {
        server
            .get(path, Some(&staff))
            .await
            .assert_insufficient_grants();
        server.get(path, Some(&admin_token)).await.granted();
        server.get(path, None).await.assert_no_token();
    }
    // Outside the nested router, the requirement does not apply.
    assert_eq!(server.get("/health", Some(&staff)).await.granted(), "ok");
}

#[tokio::test]
async fn no_token_behind_an_optional_layer_is_401_not_403() {
    let auth = builder::<StandardClaims, _>(rs256_keys())
        .issuer(CUSTOM_ISSUER)
        .audience(CUSTOM_AUDIENCE)
        .grants(GrantSource::new().scopes_from("authz.scopes").groups())
        .optional()
        .build()
        .unwrap();
    let app = guarded([
        ("/orders", Require::scope("orders:read")),
        ("/staff", Require::role("staff")),
    ])
    .route("/public", get(|| async { "public" }))
    .layer(auth);
    let server = Server::start(app).await;

    server.get("/orders", None).await.assert_no_token();
    server.get("/staff", None).await.assert_no_token();
    assert_eq!(server.get("/public", None).await.granted(), "public");
    server.get("/orders", Some(&staff_token())).await.granted();
}
