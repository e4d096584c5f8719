//! Declarative authorization: what a route or a gRPC method requires of a token's grants.

use std::collections::HashMap;
use std::fmt;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::Either;
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::error::{AuthError, AuthErrorKind};
use crate::grants::{Grants, Value};
use crate::rejection::{DefaultRejection, OnRejection, Protocol};

/// A requirement on a token's [`Grants`]: scopes, roles, your own predicate, composed with
/// [`and`](Self::and) / [`or`](Self::or).
///
/// It is a [`Layer`]: put it on the routes it guards, after (inside) the authentication layer,
/// which puts the grants in the request's extensions when it is told where to read them
/// ([`JwtAuthBuilder::grants`](crate::JwtAuthBuilder::grants); without it there are no grants
/// and every request is answered 401). A request whose grants fall short gets
/// 403 `insufficient_scope` (RFC 6750 §3.1, naming the scopes that would do) or gRPC 7
/// `PERMISSION_DENIED`; a request without verified grants (no token behind an
/// [`optional`](crate::JwtAuthBuilder::optional) layer) gets 401 / 16, never 403.
///
/// ```
/// use axum::{routing::get, Router};
/// use tower_jwt_auth::Require;
///
/// let orders: Router = Router::new()
///     .route("/orders", get(|| async { "orders" }))
///     .route_layer(Require::scope("orders:read"));
/// let admin: Router = Router::new()
///     .route("/users", get(|| async { "users" }))
///     .route_layer(Require::role("admin").or(Require::all_scopes(["users:read", "users:write"])));
/// let app: Router = Router::new().merge(orders).nest("/admin", admin);
/// // ... .layer(auth), the JwtAuthLayer, outermost.
/// # drop(app);
/// ```
#[derive(Clone)]
pub struct Require {
    rule: Rule,
}

#[derive(Clone)]
enum Rule {
    Scope(Arc<Value>),
    Role(Arc<Value>),
    All(Vec<Require>),
    Any(Vec<Require>),
    Predicate(Arc<dyn Fn(&Grants) -> bool + Send + Sync>),
}

impl fmt::Debug for Require {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Rule::Scope(scope) => write!(f, "scope({:?})", scope.as_str()),
            Rule::Role(role) => write!(f, "role({:?})", role.as_str()),
            Rule::All(all) => f.debug_tuple("all").field(all).finish(),
            Rule::Any(any) => f.debug_tuple("any").field(any).finish(),
            Rule::Predicate(_) => f.write_str("predicate"),
        }
    }
}

impl Require {
    /// Needs this scope.
    pub fn scope(scope: impl Into<Box<str>>) -> Self {
        Self {
            rule: Rule::Scope(Arc::new(Value::new(scope))),
        }
    }

    /// Needs this role.
    pub fn role(role: impl Into<Box<str>>) -> Self {
        Self {
            rule: Rule::Role(Arc::new(Value::new(role))),
        }
    }

    /// Needs every one of these scopes.
    pub fn all_scopes<S: Into<Box<str>>>(scopes: impl IntoIterator<Item = S>) -> Self {
        Self::all(scopes.into_iter().map(Self::scope))
    }

    /// Needs at least one of these scopes.
    pub fn any_scope<S: Into<Box<str>>>(scopes: impl IntoIterator<Item = S>) -> Self {
        Self::any(scopes.into_iter().map(Self::scope))
    }

    /// Needs at least one of these roles.
    pub fn any_role<S: Into<Box<str>>>(roles: impl IntoIterator<Item = S>) -> Self {
        Self::any(roles.into_iter().map(Self::role))
    }

    /// Needs every one of these requirements (none: always met).
    pub fn all(requirements: impl IntoIterator<Item = Require>) -> Self {
        Self {
            rule: Rule::All(requirements.into_iter().collect()),
        }
    }

    /// Needs at least one of these requirements (none: never met).
    pub fn any(requirements: impl IntoIterator<Item = Require>) -> Self {
        Self {
            rule: Rule::Any(requirements.into_iter().collect()),
        }
    }

    /// Needs your own predicate to hold.
    pub fn predicate(predicate: impl Fn(&Grants) -> bool + Send + Sync + 'static) -> Self {
        Self {
            rule: Rule::Predicate(Arc::new(predicate)),
        }
    }

    /// Needs this and `other`.
    pub fn and(self, other: Require) -> Self {
        Self::all([self, other])
    }

    /// Needs this or `other`.
    pub fn or(self, other: Require) -> Self {
        Self::any([self, other])
    }

    /// Whether `grants` meet the requirement.
    pub fn is_met(&self, grants: &Grants) -> bool {
        match &self.rule {
            Rule::Scope(scope) => grants.grants_scope(scope),
            Rule::Role(role) => grants.grants_role(role),
            Rule::All(all) => all.iter().all(|r| r.is_met(grants)),
            Rule::Any(any) => any.iter().any(|r| r.is_met(grants)),
            Rule::Predicate(predicate) => predicate(grants),
        }
    }

    /// `Ok` when `grants` meet the requirement, else the 403 refusal, naming in its `scope` the
    /// scopes that would do (when scopes would).
    ///
    /// # Errors
    ///
    /// [`AuthErrorKind::InsufficientScope`] when the requirement is not met.
    pub fn check(&self, grants: &Grants) -> Result<(), AuthError> {
        if self.is_met(grants) {
            return Ok(());
        }
        let mut scopes = Vec::new();
        self.needed(grants, &mut scopes);
        let scope = (!scopes.is_empty()).then(|| scopes.join(" ").into());
        Err(AuthErrorKind::InsufficientScope { scope }.into())
    }

    /// The scopes that would meet this unmet requirement.
    fn needed<'a>(&'a self, grants: &Grants, out: &mut Vec<&'a str>) {
        match &self.rule {
            Rule::Scope(scope) => {
                if !out.contains(&scope.as_str()) {
                    out.push(scope.as_str());
                }
            }
            Rule::All(all) => all
                .iter()
                .filter(|r| !r.is_met(grants))
                .for_each(|r| r.needed(grants, out)),
            Rule::Any(any) => any.iter().for_each(|r| r.needed(grants, out)),
            Rule::Role(_) | Rule::Predicate(_) => {}
        }
    }
}

/// Requirements per gRPC method (`/package.Service/Method`), from one layer: a tonic server
/// has one layer for all of a service's methods.
///
/// A method not named here gets [`otherwise`](Self::otherwise) if set, else only the
/// authentication. The path is the gRPC method's own, never nested, so this is safe for tonic;
/// in axum, put a [`Require`] on the routes instead.
///
/// ```
/// use tower_jwt_auth::{Require, RequireMethods};
///
/// let authorize = RequireMethods::new()
///     .method("/shop.Orders/List", Require::scope("orders:read"))
///     .method("/shop.Orders/Cancel", Require::scope("orders:write"));
/// // Server::builder().layer(auth).layer(authorize).add_service(...)
/// # drop(authorize);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequireMethods {
    methods: HashMap<Box<str>, Require>,
    otherwise: Option<Require>,
}

impl RequireMethods {
    /// No requirement yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// What `path` (`/package.Service/Method`) requires. Naming a method again adds the new
    /// requirement to the first: both must be met.
    pub fn method(mut self, path: &str, requirement: Require) -> Self {
        let requirement = match self.methods.remove(path) {
            Some(first) => first.and(requirement),
            None => requirement,
        };
        self.methods.insert(path.into(), requirement);
        self
    }

    /// What every method not named requires. Calling it again adds to the first.
    pub fn otherwise(mut self, requirement: Require) -> Self {
        self.otherwise = Some(match self.otherwise.take() {
            Some(first) => first.and(requirement),
            None => requirement,
        });
        self
    }

    fn for_path(&self, path: &str) -> Option<&Require> {
        self.methods.get(path).or(self.otherwise.as_ref())
    }
}

/// Which requirement a request must meet.
#[derive(Debug, Clone)]
enum Policy {
    One(Require),
    ByMethod(Arc<RequireMethods>),
}

impl Policy {
    fn for_request<B>(&self, request: &Request<B>) -> Option<&Require> {
        match self {
            Policy::One(requirement) => Some(requirement),
            Policy::ByMethod(methods) => methods.for_path(request.uri().path()),
        }
    }
}

impl<S> Layer<S> for Require {
    type Service = RequireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService {
            inner,
            policy: Policy::One(self.clone()),
        }
    }
}

impl<S> Layer<S> for RequireMethods {
    type Service = RequireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService {
            inner,
            policy: Policy::ByMethod(Arc::new(self.clone())),
        }
    }
}

/// The service a [`Require`] or [`RequireMethods`] layer wraps around an inner service.
#[derive(Debug, Clone)]
pub struct RequireService<S> {
    inner: S,
    policy: Policy,
}

impl<S, B, ResBody> Service<Request<B>> for RequireService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<Response<ResBody>, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let verdict = match self.policy.for_request(&request) {
            None => Ok(()),
            Some(requirement) => match request.extensions().get::<Grants>() {
                Some(grants) => requirement.check(grants),
                // No verified token: authentication's answer, not authorization's.
                None => Err(AuthErrorKind::MissingToken.into()),
            },
        };
        match verdict {
            Ok(()) => Either::Left(self.inner.call(request)),
            Err(error) => {
                let protocol = Protocol::of(request.headers());
                tracing::debug!(kind = ?error.kind(), ?protocol, "request refused: {error}");
                let mut response = DefaultRejection::new().on_rejection(&error, protocol);
                response.extensions_mut().insert(error);
                Either::Right(ready(Ok(response)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(scopes: &[&str], roles: &[&str]) -> Grants {
        Grants::new(scopes.iter().copied(), roles.iter().copied())
    }

    #[test]
    fn requirements_compose() {
        let g = grants(&["orders:read", "profile"], &["staff"]);
        assert!(Require::scope("orders:read").is_met(&g));
        assert!(!Require::scope("orders:re").is_met(&g));
        assert!(Require::all_scopes(["orders:read", "profile"]).is_met(&g));
        assert!(!Require::all_scopes(["orders:read", "orders:write"]).is_met(&g));
        assert!(Require::any_scope(["orders:write", "profile"]).is_met(&g));
        assert!(Require::role("staff")
            .and(Require::scope("profile"))
            .is_met(&g));
        assert!(Require::role("admin")
            .or(Require::scope("profile"))
            .is_met(&g));
        assert!(!Require::role("admin").or(Require::scope("x")).is_met(&g));
        assert!(Require::predicate(|g| g.scopes().count() == 2).is_met(&g));
        assert!(Require::all([]).is_met(&g));
        assert!(!Require::any([]).is_met(&g));
    }

    #[test]
    fn a_refusal_names_the_scopes_that_would_do() {
        let g = grants(&["a"], &[]);
        let scope_of = |r: Require| match r.check(&g).unwrap_err().kind().clone() {
            AuthErrorKind::InsufficientScope { scope } => scope.map(|s| s.into_owned()),
            other => panic!("{other:?}"),
        };
        assert_eq!(scope_of(Require::scope("b")).as_deref(), Some("b"));
        assert_eq!(
            scope_of(Require::all_scopes(["a", "b", "c"])).as_deref(),
            Some("b c")
        );
        assert_eq!(
            scope_of(Require::any_scope(["b", "c"])).as_deref(),
            Some("b c")
        );
        assert_eq!(scope_of(Require::role("admin")), None);
        let several = Require::any_scope(["b", "c"]).check(&g).unwrap_err();
        assert_eq!(several.to_string(), "token lacks scopes this needs (`b c`)");
        let one = Require::scope("b").check(&g).unwrap_err();
        assert_eq!(one.to_string(), "token lacks the scope `b`");
        assert!(Require::scope("a").check(&g).is_ok());
    }

    #[test]
    fn methods_add_up_and_fall_back() {
        let methods = RequireMethods::new()
            .method("/s.S/A", Require::scope("a"))
            .method("/s.S/A", Require::scope("b"))
            .otherwise(Require::scope("c"));
        let a = methods.for_path("/s.S/A").unwrap();
        assert!(!a.is_met(&grants(&["a"], &[])));
        assert!(a.is_met(&grants(&["a", "b"], &[])));
        assert!(methods
            .for_path("/s.S/Other")
            .unwrap()
            .is_met(&grants(&["c"], &[])));
        assert!(RequireMethods::new().for_path("/s.S/A").is_none());
    }
}
