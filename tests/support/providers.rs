//! Tokens shaped exactly as the identity providers issue them, header and claims, each after
//! the provider's public documentation (named above each fixture). Only the values are ours:
//! the times are around [`NOW`], and every token is signed RS256 with the RSA fixture key
//! (all six providers sign RS256 by default), so [`rs256_keys`](super::rs256_keys) verifies it.

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};

use super::{encoding_key, sign, NOW};

/// A provider's token before signing: its JOSE header and its claims.
#[derive(Debug, Clone)]
pub struct ProviderToken {
    pub header: Value,
    pub claims: Value,
}

impl ProviderToken {
    /// The compact JWS, signed RS256 with the RSA fixture key whatever the header says.
    pub fn sign(&self) -> String {
        sign(
            self.header.to_string(),
            self.claims.to_string(),
            &encoding_key(Algorithm::RS256),
            Algorithm::RS256,
        )
    }

    /// The same token with the claim `name` set to `value`.
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.claims[name] = value;
        self
    }

    /// The same token without the claim `name`.
    pub fn without(mut self, name: &str) -> Self {
        self.claims
            .as_object_mut()
            .expect("claims are an object")
            .remove(name);
        self
    }

    /// The same token with the header parameter `name` set to `value`.
    pub fn with_header(mut self, name: &str, value: Value) -> Self {
        self.header[name] = value;
        self
    }
}

// --- RFC 9068, "JWT Profile for OAuth 2.0 Access Tokens" ---

/// The issuer of [`rfc9068_access_token`].
pub const RFC9068_ISSUER: &str = "https://authorization-server.example.com/";
/// The resource server [`rfc9068_access_token`] is for.
pub const RFC9068_AUDIENCE: &str = "https://rs.example.com/";

/// An access token after RFC 9068 §2.1 (header `typ: at+jwt`), §2.2 (the required claims
/// `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti`) and §2.2.3 (`scope`, space-delimited
/// as in RFC 6749 §3.3); `s6BhdRkqt3` is RFC 6749's example client id.
pub fn rfc9068_access_token() -> ProviderToken {
    ProviderToken {
        header: json!({"typ": "at+jwt", "alg": "RS256", "kid": "RjEwOwOA"}),
        claims: json!({
            "iss": RFC9068_ISSUER,
            "sub": "5ba552d67",
            "aud": RFC9068_AUDIENCE,
            "exp": NOW + 3600,
            "iat": NOW - 60,
            "jti": "dbe39bf3a3ba4238a513f51d6e1691c4",
            "client_id": "s6BhdRkqt3",
            "scope": "openid profile reademail",
        }),
    }
}

// --- Okta ---

/// The issuer of the Okta org's `default` custom authorization server.
pub const OKTA_ISSUER: &str = "https://dev-133337.okta.com/oauth2/default";
/// The audience of the `default` authorization server.
pub const OKTA_AUDIENCE: &str = "api://default";

/// Okta's access token, after developer.okta.com "OpenID Connect & OAuth 2.0 API", section
/// "Access token" (payload claims `ver`, `jti`, `iss`, `aud`, `iat`, `exp`, `cid`, `uid`,
/// `scp` as a JSON array, `auth_time`, `sub`), issued by the `default` custom authorization
/// server (`aud: "api://default"`, "Authorization servers" guide).
pub fn okta_access_token() -> ProviderToken {
    ProviderToken {
        header: json!({"kid": "45js03w0djwedsw", "alg": "RS256"}),
        claims: json!({
            "ver": 1,
            "jti": "AT.0mP4JKAZX1iACIT4vbEDF7LpvDVjxypPMf0D7uX39RE",
            "iss": OKTA_ISSUER,
            "aud": OKTA_AUDIENCE,
            "iat": NOW - 60,
            "exp": NOW + 3600,
            "cid": "nmdP1fcyvdVO11AL7ECm",
            "uid": "00ujmkLgOxLwgzGGJ0g3",
            "scp": ["openid", "email", "orders:readonly"],
            "auth_time": NOW - 120,
            "sub": "jane.doe@example.com",
        }),
    }
}

// --- Microsoft Entra ID ---

/// The directory (tenant) of the Entra ID tokens.
pub const ENTRA_TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The issuer of Entra ID v2.0 tokens of [`ENTRA_TENANT`].
pub const ENTRA_ISSUER: &str =
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0";
/// The API's application (client) id: the `aud` of its v2.0 access tokens.
pub const ENTRA_API_CLIENT_ID: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
/// The API's application ID URI, the other `aud` an API may be given.
pub const ENTRA_API_URI: &str = "api://orders-api";

/// An Entra ID v2.0 access token for a signed-in user (delegated permissions), after
/// learn.microsoft.com "Access token claims reference" (Microsoft identity platform): header
/// `typ: JWT`, `kid`; claims `aud` (the API's client id in v2.0), `iss`, `iat`, `nbf`, `exp`,
/// `aio`, `azp`, `azpacr`, `name`, `oid`, `preferred_username`, `rh`, `scp` (space-delimited),
/// `sub`, `tid`, `uti`, `ver: "2.0"`.
pub fn entra_delegated_token() -> ProviderToken {
    ProviderToken {
        header: json!({"typ": "JWT", "alg": "RS256", "kid": "i6lGk3FZzxRcUb2C3nEQ7syHJlY"}),
        claims: json!({
            "aud": ENTRA_API_CLIENT_ID,
            "iss": ENTRA_ISSUER,
            "iat": NOW - 60,
            "nbf": NOW - 60,
            "exp": NOW + 3600,
            "aio": "AXQAi/8TAAAAk0qmvAvM+Q9b7QcUuF+xx1+/8kbTuXrm0fN5LWCl4AM=",
            "azp": "b0a9f7c1-5c1a-4f44-9d8b-4b1c4d2a7e10",
            "azpacr": "0",
            "name": "Abe Lincoln",
            "oid": "690222be-ff1a-4d56-abd1-7e4f7d38e474",
            "preferred_username": "abeli@microsoft.com",
            "rh": "I",
            "scp": "Orders.Read User.Read",
            "sub": "HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ",
            "tid": ENTRA_TENANT,
            "uti": "fqiBqXLPj0eQa82S-IYFAA",
            "ver": "2.0",
        }),
    }
}

/// An Entra ID v2.0 access token an application got for itself (client credentials): no `scp`,
/// its application permissions in `roles` (a JSON array), `oid` and `sub` the service
/// principal's, `idtyp: "app"` (the optional claim); same reference as
/// [`entra_delegated_token`], and "Protect an API: app-only tokens" (`roles` instead of `scp`).
/// Its `aud` is the API's application ID URI.
pub fn entra_app_token() -> ProviderToken {
    ProviderToken {
        header: json!({"typ": "JWT", "alg": "RS256", "kid": "i6lGk3FZzxRcUb2C3nEQ7syHJlY"}),
        claims: json!({
            "aud": ENTRA_API_URI,
            "iss": ENTRA_ISSUER,
            "iat": NOW - 60,
            "nbf": NOW - 60,
            "exp": NOW + 3600,
            "aio": "E2ZgYJj8d7Ty1X2rmb3KPSAHAA==",
            "azp": "b0a9f7c1-5c1a-4f44-9d8b-4b1c4d2a7e10",
            "azpacr": "1",
            "idtyp": "app",
            "oid": "2c3f6fa4-a3d1-4f6e-8b2f-0d4a2b1c9e7f",
            "rh": "I",
            "roles": ["Orders.ReadWrite.All"],
            "sub": "2c3f6fa4-a3d1-4f6e-8b2f-0d4a2b1c9e7f",
            "tid": ENTRA_TENANT,
            "uti": "2GmwZsFnG0GQWP0mAv0RAA",
            "ver": "2.0",
        }),
    }
}

// --- Auth0 ---

/// The Auth0 tenant's issuer (with its trailing slash).
pub const AUTH0_ISSUER: &str = "https://example-tenant.us.auth0.com/";
/// The API identifier, the audience the client asked for.
pub const AUTH0_API: &str = "https://orders.example.com/api";
/// The userinfo endpoint Auth0 adds to `aud` when `openid` was asked for.
pub const AUTH0_USERINFO: &str = "https://example-tenant.us.auth0.com/userinfo";

/// An Auth0 access token for a custom API, after auth0.com/docs "Access Token Profiles"
/// (the `auth0` profile: header `typ: JWT`; `iss`, `sub`, `aud` an array of the API identifier
/// and the `/userinfo` URL, `iat`, `exp`, `azp`, `scope` space-delimited) and "Enable
/// Role-Based Access Control for APIs" ("Add Permissions in the Access Token": the
/// `permissions` array).
pub fn auth0_access_token() -> ProviderToken {
    ProviderToken {
        header: json!({"alg": "RS256", "typ": "JWT", "kid": "NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg"}),
        claims: json!({
            "iss": AUTH0_ISSUER,
            "sub": "auth0|5f7c8ec7c33c6c004bbafe82",
            "aud": [AUTH0_API, AUTH0_USERINFO],
            "iat": NOW - 60,
            "exp": NOW + 86_400,
            "azp": "YJbV7Ac8yQ1xH5dLr2sT9pUw3zK6nM4e",
            "scope": "openid profile email",
            "permissions": ["read:orders", "create:orders"],
        }),
    }
}

// --- Keycloak ---

/// The issuer of the Keycloak realm `shop`.
pub const KEYCLOAK_ISSUER: &str = "https://keycloak.example.com/realms/shop";
/// The client the API is, whose client roles the preset reads.
pub const KEYCLOAK_CLIENT: &str = "orders-api";
/// Another client of the realm, with roles of its own in the same token.
pub const KEYCLOAK_OTHER_CLIENT: &str = "billing-api";
/// The `aud` Keycloak gives its access tokens by default.
pub const KEYCLOAK_AUDIENCE: &str = "account";

/// A Keycloak access token, after keycloak.org "Server Administration Guide" (sections "Realm
/// roles", "Client roles", "Client scopes" and "Audience support": `aud: "account"` by
/// default) and the access token Keycloak's `AccessToken` representation serializes: `exp`,
/// `iat`, `auth_time`, `jti`, `iss`, `aud`, `sub`, `typ: "Bearer"`, `azp`, `sid`, `acr`,
/// `allowed-origins`, `realm_access.roles`, `resource_access.<client>.roles` (two clients
/// here), `scope`, `email_verified`, `preferred_username`.
pub fn keycloak_access_token() -> ProviderToken {
    ProviderToken {
        header: json!({"alg": "RS256", "typ": "JWT", "kid": "FJ86GcF3jTbNLOco4NvZkUCIUmfYCqoqtOQeMfbhNlE"}),
        claims: json!({
            "exp": NOW + 300,
            "iat": NOW - 60,
            "auth_time": NOW - 120,
            "jti": "onrtac:2e5c3c7a-8f31-4a09-9d1c-6c7ee2d2f1a4",
            "iss": KEYCLOAK_ISSUER,
            "aud": KEYCLOAK_AUDIENCE,
            "sub": "f1e9d5a2-6a0c-4f47-8d5b-3c1d2e4f5a6b",
            "typ": "Bearer",
            "azp": "shop-web",
            "sid": "7b5e2c1d-9a3f-4e8b-b6d4-2f1a0c9e8d7b",
            "acr": "1",
            "allowed-origins": ["https://shop.example.com"],
            "realm_access": {"roles": ["default-roles-shop", "offline_access", "uma_authorization", "customer"]},
            "resource_access": {
                KEYCLOAK_OTHER_CLIENT: {"roles": ["invoices-admin"]},
                KEYCLOAK_CLIENT: {"roles": ["orders-viewer"]},
                "account": {"roles": ["manage-account", "view-profile"]},
            },
            "scope": "openid email profile",
            "email_verified": true,
            "preferred_username": "jane",
        }),
    }
}

/// A Keycloak ID token of the same login: `typ: "ID"`, `aud` the client that logged in, `azp`,
/// `at_hash`, no `realm_access` (same guide, "OpenID Connect ID token"; Keycloak's `IDToken`).
/// Its `aud` is also given `account` here, so only its `typ` can refuse it.
pub fn keycloak_id_token() -> ProviderToken {
    ProviderToken {
        header: json!({"alg": "RS256", "typ": "JWT", "kid": "FJ86GcF3jTbNLOco4NvZkUCIUmfYCqoqtOQeMfbhNlE"}),
        claims: json!({
            "exp": NOW + 300,
            "iat": NOW - 60,
            "auth_time": NOW - 120,
            "jti": "3d2c1b0a-9f8e-4d7c-b6a5-4e3d2c1b0a9f",
            "iss": KEYCLOAK_ISSUER,
            "aud": ["shop-web", KEYCLOAK_AUDIENCE],
            "sub": "f1e9d5a2-6a0c-4f47-8d5b-3c1d2e4f5a6b",
            "typ": "ID",
            "azp": "shop-web",
            "sid": "7b5e2c1d-9a3f-4e8b-b6d4-2f1a0c9e8d7b",
            "at_hash": "5V7pQ9dY6kX2sJ3fH8gL1w",
            "acr": "1",
            "resource_access": {KEYCLOAK_CLIENT: {"roles": ["orders-viewer"]}},
            "email_verified": true,
            "preferred_username": "jane",
        }),
    }
}

// --- Amazon Cognito ---

/// The issuer of the Cognito user pool.
pub const COGNITO_ISSUER: &str = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_aaaaaaaaa";
/// The app client id: `client_id` of the access tokens, `aud` of the ID tokens.
pub const COGNITO_CLIENT_ID: &str = "1example23456789";

/// A Cognito user pool access token, after docs.aws.amazon.com "Understanding the access
/// token" (Amazon Cognito Developer Guide): header `kid`, `alg`; claims `sub`, `device_key`,
/// `cognito:groups`, `iss`, `version`, `client_id`, `origin_jti`, `event_id`, `token_use:
/// "access"`, `scope` (space-delimited), `auth_time`, `exp`, `iat`, `jti`, `username`. There is
/// no `aud`: `client_id` plays it.
pub fn cognito_access_token() -> ProviderToken {
    ProviderToken {
        header: json!({"kid": "abcdefghijklmnopqrsexample=", "alg": "RS256"}),
        claims: json!({
            "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "device_key": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "cognito:groups": ["admin"],
            "iss": COGNITO_ISSUER,
            "version": 2,
            "client_id": COGNITO_CLIENT_ID,
            "origin_jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "event_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "token_use": "access",
            "scope": "phone openid profile resourceserver.1/appointments email",
            "auth_time": NOW - 120,
            "exp": NOW + 3600,
            "iat": NOW - 60,
            "jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "username": "my-test-user",
        }),
    }
}

/// A Cognito ID token of the same sign-in, after "Understanding the identity (ID) token":
/// `aud` is the app client id, `token_use: "id"`, `cognito:username`, `at_hash`, `email`, no
/// `scope` and no `client_id`.
pub fn cognito_id_token() -> ProviderToken {
    ProviderToken {
        header: json!({"kid": "abcdefghijklmnopqrsexample=", "alg": "RS256"}),
        claims: json!({
            "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "cognito:groups": ["admin"],
            "email_verified": true,
            "iss": COGNITO_ISSUER,
            "cognito:username": "my-test-user",
            "origin_jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "aud": COGNITO_CLIENT_ID,
            "event_id": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "token_use": "id",
            "auth_time": NOW - 120,
            "exp": NOW + 3600,
            "iat": NOW - 60,
            "jti": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            "at_hash": "5V7pQ9dY6kX2sJ3fH8gL1w",
            "email": "my-test-user@example.com",
        }),
    }
}

// --- Claims of your own ---

/// The issuer and audience of [`custom_claims_token`].
pub const CUSTOM_ISSUER: &str = "https://login.example.com/";
/// See [`CUSTOM_ISSUER`].
pub const CUSTOM_AUDIENCE: &str = "https://orders.example.com/api";

/// A token whose grants sit where an issuer of your own (or an Auth0 Action) puts them: a
/// namespaced top-level claim whose name holds `/` (Auth0 "Create Custom Claims": namespaced
/// claims are URLs), read with a JSON pointer; a nested object read with a dotted path, once
/// as a space-delimited string and once as an array; a single role as a string; and `groups`
/// (the claim of Okta's and Entra ID's group claims).
pub fn custom_claims_token() -> ProviderToken {
    ProviderToken {
        header: json!({"alg": "RS256", "typ": "JWT"}),
        claims: json!({
            "iss": CUSTOM_ISSUER,
            "sub": "user-42",
            "aud": CUSTOM_AUDIENCE,
            "iat": NOW - 60,
            "exp": NOW + 600,
            "https://example.com/roles": ["auditor", "support"],
            "authz": {
                "scopes": "orders:read invoices:read",
                "permissions": ["orders:export"],
                "tier": "gold",
            },
            "groups": ["ops", "on-call"],
        }),
    }
}
