//! What a verified token grants: its scopes and roles, read from the claims while the layer
//! verifies them, with presets for the identity providers people use.

use std::sync::Arc;

use crate::error::{AuthError, AuthErrorKind};

/// The scopes and roles a verified token grants, as the layer's [`GrantSource`] reads them.
///
/// The layer puts an `Arc<Grants>`-backed `Grants` in the request's extensions next to the
/// claims (cheap to clone); [`Require`](crate::Require) reads it, and so can a handler (it is
/// an axum extractor). Values are compared exactly: never by substring, never trimmed or
/// case-folded, so `orders:readonly` is not `orders:read`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(Arc<Inner>);

#[derive(Debug, Default, PartialEq, Eq)]
struct Inner {
    scopes: Vec<Value>,
    roles: Vec<Value>,
}

/// A granted value with its digest: a lookup compares digests, and text only when they match.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Value {
    digest: u64,
    text: Box<str>,
}

impl Value {
    pub(crate) fn new(text: impl Into<Box<str>>) -> Self {
        let text = text.into();
        Self {
            digest: digest(&text),
            text,
        }
    }

    /// Whether this is `other`, byte for byte.
    pub(crate) fn is(&self, other: &Value) -> bool {
        self.digest == other.digest && self.text == other.text
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

/// FNV-1a: a fixed, cheap digest. Collisions only cost a text comparison.
fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Grants {
    /// Grants of these scopes and roles, for tests and requests built by hand.
    pub fn new<S: Into<Box<str>>, R: Into<Box<str>>>(
        scopes: impl IntoIterator<Item = S>,
        roles: impl IntoIterator<Item = R>,
    ) -> Self {
        Self(Arc::new(Inner {
            scopes: scopes.into_iter().map(Value::new).collect(),
            roles: roles.into_iter().map(Value::new).collect(),
        }))
    }

    /// Whether the token grants this scope (compared exactly).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.grants_scope(&Value::new(scope))
    }

    /// Whether the token grants this role (compared exactly).
    pub fn has_role(&self, role: &str) -> bool {
        self.grants_role(&Value::new(role))
    }

    pub(crate) fn grants_scope(&self, scope: &Value) -> bool {
        self.0.scopes.iter().any(|s| s.is(scope))
    }

    pub(crate) fn grants_role(&self, role: &Value) -> bool {
        self.0.roles.iter().any(|r| r.is(role))
    }

    /// The scopes, in the order the token lists them.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.0.scopes.iter().map(Value::as_str)
    }

    /// The roles, in the order the token lists them.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.0.roles.iter().map(Value::as_str)
    }
}

/// A path to a claim: its top-level member, then members of nested objects.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClaimPath {
    top: Box<str>,
    rest: Vec<Box<str>>,
}

impl ClaimPath {
    /// A JSON pointer (`/realm_access/roles`, with `~1` for `/` and `~0` for `~`) or a dotted
    /// path (`realm_access.roles`); a name with neither is one top-level claim
    /// (`cognito:groups`), and so is a URL (`https://example.com/roles`, the namespaced claims
    /// of Auth0), whose dots are its own.
    fn parse(path: &str) -> Self {
        let segments: Vec<Box<str>> = match path.strip_prefix('/') {
            Some(pointer) => pointer
                .split('/')
                .map(|s| s.replace("~1", "/").replace("~0", "~").into())
                .collect(),
            None if path.contains("://") => vec![path.into()],
            None => path.split('.').map(Into::into).collect(),
        };
        let mut segments = segments.into_iter();
        let top = segments.next().unwrap_or_default();
        Self {
            top,
            rest: segments.collect(),
        }
    }
}

/// How values of a claim are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A space-delimited string (RFC 6749 `scope`), or an array of strings.
    Delimited,
    /// A string is one value; an array of strings, one value each.
    List,
}

/// What a source reads into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Into_ {
    Scopes,
    Roles,
}

/// Where a layer reads scopes and roles, and how it tells an access token from an ID token.
///
/// Pass it to [`JwtAuthBuilder::grants`](crate::JwtAuthBuilder::grants): the layer then reads
/// the named claims while it verifies the token (nothing is parsed twice) and puts [`Grants`]
/// in the request's extensions. [`GrantSource::scope`] reads just the standard `scope` claim.
///
/// | preset | scopes from | roles from | access tokens only |
/// | --- | --- | --- | --- |
/// | [`scope`](Self::scope) | `scope` | | |
/// | [`rfc9068`](Self::rfc9068) | `scope` | | header `typ: at+jwt` |
/// | [`okta`](Self::okta) | `scp` (string or array) | | by audience |
/// | [`entra_id`](Self::entra_id) | `scp` (delegated) | `roles` (application roles) | by audience |
/// | [`auth0`](Self::auth0) | `scope`, `permissions` | | by audience |
/// | [`keycloak`](Self::keycloak) | `scope` | `realm_access.roles`, `resource_access.<client>.roles` | claim `typ: "Bearer"` |
/// | [`cognito`](Self::cognito) | `scope` | `cognito:groups` | claim `token_use: "access"`; `client_id` is the audience |
///
/// "By audience": the provider marks nothing else; its ID tokens are meant for the client
/// (`aud` is the client id), so configure your API's audience and they are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantSource {
    sources: Vec<(ClaimPath, Shape, Into_)>,
    /// Claims that must hold exactly this string.
    claim_equals: Vec<(Box<str>, Box<str>)>,
    /// The header `typ` an access token carries, when the provider sets one.
    pub(crate) header_type: Option<&'static str>,
    /// The claim that plays `aud`, when it is not `aud`.
    pub(crate) audience_claim: Option<&'static str>,
}

impl GrantSource {
    /// No scopes and no roles; add sources with the methods below.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scopes from the RFC 8693 / RFC 6749 `scope` claim (a space-delimited string), and no
    /// roles; no access-token rule.
    pub fn scope() -> Self {
        Self::new().scopes_from("scope")
    }

    /// RFC 9068 access tokens: scopes from `scope`; only tokens whose header says
    /// `typ: at+jwt`.
    pub fn rfc9068() -> Self {
        let mut source = Self::new().scopes_from("scope");
        source.header_type = Some("at+jwt");
        source
    }

    /// Okta: scopes from `scp` (an array, or a space-delimited string).
    pub fn okta() -> Self {
        Self::new().scopes_from("scp")
    }

    /// Microsoft Entra ID: delegated scopes from `scp`, application roles from `roles`.
    pub fn entra_id() -> Self {
        Self::new().scopes_from("scp").roles_from("roles")
    }

    /// Auth0: scopes from `scope`, and RBAC permissions from `permissions` (read as scopes).
    pub fn auth0() -> Self {
        Self::new().scopes_from("scope").scopes_from("permissions")
    }

    /// Keycloak: scopes from `scope`; realm roles from `realm_access.roles` and this client's
    /// roles from `resource_access.<client>.roles`; only tokens whose `typ` claim is `Bearer`
    /// (Keycloak's ID tokens say `ID`).
    pub fn keycloak(client: &str) -> Self {
        let escaped = client.replace('~', "~0").replace('/', "~1");
        Self::new()
            .scopes_from("scope")
            .roles_from("/realm_access/roles")
            .roles_from(&format!("/resource_access/{escaped}/roles"))
            .claim_equals("typ", "Bearer")
    }

    /// Amazon Cognito: scopes from `scope`, groups from `cognito:groups` (read as roles); only
    /// access tokens (`token_use: "access"`), whose audience is `client_id` (they carry no
    /// `aud`).
    pub fn cognito() -> Self {
        let mut source = Self::new()
            .scopes_from("scope")
            .roles_from("cognito:groups")
            .claim_equals("token_use", "access");
        source.audience_claim = Some("client_id");
        source
    }

    /// Reads scopes from this claim: a JSON pointer (`/a/b`), a dotted path (`a.b`), or a
    /// top-level name (a URL is one name); a space-delimited string or an array of strings. Adds to the sources
    /// named before.
    pub fn scopes_from(mut self, path: &str) -> Self {
        self.sources
            .push((ClaimPath::parse(path), Shape::Delimited, Into_::Scopes));
        self
    }

    /// Reads roles from this claim (a path as in [`scopes_from`](Self::scopes_from)): a string
    /// is one role, an array of strings one role each. Adds to the sources named before.
    pub fn roles_from(mut self, path: &str) -> Self {
        self.sources
            .push((ClaimPath::parse(path), Shape::List, Into_::Roles));
        self
    }

    /// Reads groups from `groups` as roles.
    pub fn groups(self) -> Self {
        self.roles_from("groups")
    }

    /// Accepts only tokens whose top-level claim `name` is exactly the string `value`.
    pub fn claim_equals(mut self, name: &str, value: &str) -> Self {
        self.claim_equals.push((name.into(), value.into()));
        self
    }

    /// Both sources: every claim of each is read, and every rule of each must hold.
    pub(crate) fn merge(mut self, other: Self) -> Self {
        for source in other.sources {
            if !self.sources.contains(&source) {
                self.sources.push(source);
            }
        }
        self.claim_equals.extend(other.claim_equals);
        self.header_type = self.header_type.or(other.header_type);
        self.audience_claim = self.audience_claim.or(other.audience_claim);
        self
    }

    /// The top-level claims to capture while the claims are read, each once.
    pub(crate) fn captures(&self) -> Vec<Box<str>> {
        let mut names: Vec<Box<str>> = Vec::new();
        let wanted = self
            .sources
            .iter()
            .map(|(path, ..)| &path.top)
            .chain(self.claim_equals.iter().map(|(name, _)| name));
        for name in wanted {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// The grants of a token from its captured claims (`captured[i]` is the JSON text of
    /// `captures()[i]`, if present), or why it is not an access token this source accepts.
    pub(crate) fn read(
        &self,
        captures: &[Box<str>],
        captured: &[Option<String>],
    ) -> Result<Grants, AuthError> {
        let text_of = |name: &str| {
            captures
                .iter()
                .position(|c| **c == *name)
                .and_then(|i| captured.get(i))
                .and_then(Option::as_deref)
        };
        for (name, value) in &self.claim_equals {
            let holds = text_of(name)
                .and_then(|json| serde_json::from_str::<String>(json).ok())
                .is_some_and(|found| *found == **value);
            if !holds {
                return Err(AuthErrorKind::InvalidType.into());
            }
        }
        let mut inner = Inner::default();
        for (path, shape, into) in &self.sources {
            let Some(json) = text_of(&path.top) else {
                continue;
            };
            let Ok(mut value) = serde_json::from_str::<serde_json::Value>(json) else {
                continue;
            };
            for segment in &path.rest {
                value = match value {
                    serde_json::Value::Object(mut members) => {
                        members.remove(&**segment).unwrap_or_default()
                    }
                    _ => serde_json::Value::Null,
                };
            }
            let out = match into {
                Into_::Scopes => &mut inner.scopes,
                Into_::Roles => &mut inner.roles,
            };
            match value {
                serde_json::Value::String(text) => match shape {
                    Shape::Delimited => {
                        out.extend(text.split(' ').filter(|s| !s.is_empty()).map(Value::new))
                    }
                    Shape::List => out.push(Value::new(text)),
                },
                serde_json::Value::Array(items) => {
                    out.extend(items.into_iter().filter_map(|item| match item {
                        serde_json::Value::String(text) => Some(Value::new(text)),
                        _ => None,
                    }))
                }
                _ => {}
            }
        }
        Ok(Grants(Arc::new(inner)))
    }
}

#[cfg(feature = "axum")]
mod extract {
    use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
    use http::request::Parts;

    use super::Grants;
    use crate::claims::{verified, ClaimsRejection};

    /// Needs the layer to read grants ([`JwtAuthBuilder::grants`](crate::JwtAuthBuilder::grants));
    /// without them the extractor fails like a missing `Claims` (500). Behind an
    /// [`optional`](crate::JwtAuthBuilder::optional) layer, take `Option<Grants>`.
    impl<S: Send + Sync> FromRequestParts<S> for Grants {
        type Rejection = ClaimsRejection;

        async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
            verified(parts)
        }
    }

    impl<S: Send + Sync> OptionalFromRequestParts<S> for Grants {
        type Rejection = std::convert::Infallible;

        async fn from_request_parts(
            parts: &mut Parts,
            _: &S,
        ) -> Result<Option<Self>, Self::Rejection> {
            Ok(verified(parts).ok())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(source: &GrantSource, payload: serde_json::Value) -> Result<Grants, AuthError> {
        let captures = source.captures();
        let captured: Vec<Option<String>> = captures
            .iter()
            .map(|name| payload.get(&**name).map(|v| v.to_string()))
            .collect();
        source.read(&captures, &captured)
    }

    #[test]
    fn paths_are_pointers_dots_or_names() {
        let path = ClaimPath::parse("/resource_access/a~1b~0c/roles");
        assert_eq!(&*path.top, "resource_access");
        assert_eq!(path.rest, vec!["a/b~c".into(), Box::<str>::from("roles")]);
        let path = ClaimPath::parse("realm_access.roles");
        assert_eq!((&*path.top, path.rest.len()), ("realm_access", 1));
        assert_eq!(&*ClaimPath::parse("cognito:groups").top, "cognito:groups");
        let url = ClaimPath::parse("https://example.com/roles");
        assert_eq!(
            (&*url.top, url.rest.len()),
            ("https://example.com/roles", 0)
        );
    }

    #[test]
    fn scopes_are_split_on_spaces_and_compared_exactly() {
        let grants = read(
            &GrantSource::new().scopes_from("scope"),
            serde_json::json!({"scope": "orders:readonly  profile"}),
        )
        .unwrap();
        assert!(grants.has_scope("orders:readonly"));
        assert!(grants.has_scope("profile"));
        assert!(!grants.has_scope("orders:read"));
        assert!(!grants.has_scope("Profile"));
        assert!(!grants.has_scope(""));
    }

    #[test]
    fn keycloak_reads_realm_and_client_roles_and_wants_bearer() {
        let token = serde_json::json!({
            "typ": "Bearer",
            "scope": "openid email",
            "realm_access": {"roles": ["offline_access", "user"]},
            "resource_access": {"shop": {"roles": ["admin"]}, "other": {"roles": ["root"]}},
        });
        let grants = read(&GrantSource::keycloak("shop"), token.clone()).unwrap();
        assert!(grants.has_role("user") && grants.has_role("admin"));
        assert!(!grants.has_role("root"));
        assert!(grants.has_scope("email"));
        let mut id_token = token;
        id_token["typ"] = "ID".into();
        assert_eq!(
            read(&GrantSource::keycloak("shop"), id_token)
                .unwrap_err()
                .kind(),
            &AuthErrorKind::InvalidType
        );
    }
}
