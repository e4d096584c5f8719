//! Claims handed to handlers, and a ready-made claims type.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize};

/// The verified claims of a request's token, placed in the request's extensions by the
/// middleware.
///
/// Read them with `request.extensions().get::<Claims<C>>()` (tonic, plain tower), or, with the
/// `axum` feature, as an extractor: `Claims<C>` in a handler's arguments, or
/// `Option<Claims<C>>` behind an [optional](crate::JwtAuthBuilder::optional) layer.
///
/// The claims are shared, not copied: taking `Claims<C>` in a handler, or out of the
/// verified-token cache, costs a reference count, and `C` need not be `Clone`. Read the fields
/// through `Deref` (`claims.sub`); clone what you keep.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Claims<C>(pub Arc<C>);

impl<C> Claims<C> {
    /// Wraps claims, for tests and for requests built by hand.
    pub fn new(claims: C) -> Self {
        Self(Arc::new(claims))
    }
}

impl<C> Clone for Claims<C> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

/// Serializes as the claims themselves, so a handler can answer `Json(claims)`.
impl<C: Serialize> Serialize for Claims<C> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<C> std::ops::Deref for Claims<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

/// A token's `aud`: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "api"`
    One(String),
    /// `"aud": ["api", "web"]`
    Many(Vec<String>),
}

impl Audience {
    /// Whether `aud` names this audience.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Self::One(a) => a == audience,
            Self::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

/// The registered claims of RFC 7519 plus everything else in the payload, for applications
/// that do not define their own claims type.
///
/// Times are seconds since the Unix epoch; fractional times are rounded down.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StandardClaims {
    /// `iss`: who issued the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// `sub`: whom the token is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud`: whom the token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// `exp`: when the token expires.
    #[serde(
        default,
        deserialize_with = "numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub exp: Option<u64>,
    /// `nbf`: when the token starts being valid.
    #[serde(
        default,
        deserialize_with = "numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub nbf: Option<u64>,
    /// `iat`: when the token was issued.
    #[serde(
        default,
        deserialize_with = "numeric_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub iat: Option<u64>,
    /// `jti`: the token's unique identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Every other claim (`scope`, `email`, `roles`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn numeric_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<f64>::deserialize(d)?;
    Ok(value.map(|v| if v <= 0.0 { 0 } else { v as u64 }))
}

impl StandardClaims {
    /// The space-separated `scope` claim (RFC 8693 §4.2), split into its scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.extra
            .get("scope")
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .split_ascii_whitespace()
    }

    /// Whether the `scope` claim holds this scope.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }
}

#[cfg(feature = "axum")]
mod extract {
    use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
    use axum_core::response::{IntoResponse, Response};
    use http::request::Parts;
    use http::StatusCode;

    use super::Claims;

    /// Why the `Claims` extractor failed: the handler is not behind the JWT layer (a server
    /// configuration error, answered with 500).
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum ClaimsRejection {
        /// The request's extensions hold no `Claims<C>` of the handler's type.
        MissingClaims,
    }

    impl std::fmt::Display for ClaimsRejection {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("no verified claims on this request: is the route behind JwtAuthLayer, with the same claims type?")
        }
    }

    impl std::error::Error for ClaimsRejection {}

    impl IntoResponse for ClaimsRejection {
        fn into_response(self) -> Response {
            (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
        }
    }

    /// What the layer put in the request's extensions, for the extractors of what it verified
    /// (`Claims<C>`, `Grants`).
    pub(crate) fn verified<T: Clone + Send + Sync + 'static>(
        parts: &Parts,
    ) -> Result<T, ClaimsRejection> {
        parts
            .extensions
            .get::<T>()
            .cloned()
            .ok_or(ClaimsRejection::MissingClaims)
    }

    impl<S, C> FromRequestParts<S> for Claims<C>
    where
        S: Send + Sync,
        C: Send + Sync + 'static,
    {
        type Rejection = ClaimsRejection;

        async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
            verified(parts)
        }
    }

    impl<S, C> OptionalFromRequestParts<S> for Claims<C>
    where
        S: Send + Sync,
        C: Send + Sync + 'static,
    {
        type Rejection = std::convert::Infallible;

        async fn from_request_parts(
            parts: &mut Parts,
            _: &S,
        ) -> Result<Option<Self>, Self::Rejection> {
            Ok(verified(parts).ok())
        }
    }
}

#[cfg(feature = "axum")]
pub(crate) use extract::verified;
#[cfg(feature = "axum")]
pub use extract::ClaimsRejection;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_serialize_as_what_they_hold_and_clones_share_it() {
        let claims = Claims::new(StandardClaims {
            sub: Some("ann".into()),
            ..StandardClaims::default()
        });
        assert_eq!(serde_json::to_string(&claims).unwrap(), r#"{"sub":"ann"}"#);
        assert!(std::sync::Arc::ptr_eq(&claims.0, &claims.clone().0));
        assert_eq!(claims.sub.as_deref(), Some("ann"), "derefs to the claims");
    }

    #[test]
    fn standard_claims_keep_the_rest() {
        let c: StandardClaims = serde_json::from_str(
            r#"{"sub":"ann","exp":1.5e9,"aud":["a","b"],"scope":"read write","n":1}"#,
        )
        .unwrap();
        assert_eq!(c.sub.as_deref(), Some("ann"));
        assert_eq!(c.exp, Some(1_500_000_000));
        assert!(c.aud.as_ref().unwrap().contains("b"));
        assert!(c.has_scope("write") && !c.has_scope("admin"));
        assert_eq!(c.extra["n"], 1);
    }
}
