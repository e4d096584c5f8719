//! Putting a token on a request, for tests.

/// Adds `Authorization: Bearer <token>` to a request being built.
///
/// ```
/// use tower_jwt_auth::testing::BearerExt;
///
/// let request = http::Request::get("/me").bearer("a.b.c").body(()).unwrap();
/// assert_eq!(request.headers()["authorization"], "Bearer a.b.c");
/// ```
pub trait BearerExt {
    /// Adds the header.
    #[must_use]
    fn bearer(self, token: impl std::fmt::Display) -> Self;
}

impl BearerExt for http::request::Builder {
    fn bearer(self, token: impl std::fmt::Display) -> Self {
        self.header(http::header::AUTHORIZATION, format!("Bearer {token}"))
    }
}

/// Adds `authorization: Bearer <token>` to a tonic request's metadata (feature `tonic`).
///
/// ```
/// use tower_jwt_auth::testing::TonicBearerExt;
///
/// let request = tonic::Request::new(()).with_bearer("a.b.c");
/// assert_eq!(request.metadata().get("authorization").unwrap(), "Bearer a.b.c");
/// ```
#[cfg(feature = "tonic")]
#[cfg_attr(docsrs, doc(cfg(feature = "tonic")))]
pub trait TonicBearerExt {
    /// Adds the metadata entry.
    ///
    /// # Panics
    ///
    /// When the token holds characters a metadata value cannot (a JWT never does).
    #[must_use]
    fn with_bearer(self, token: impl std::fmt::Display) -> Self;
}

#[cfg(feature = "tonic")]
impl<T> TonicBearerExt for tonic::Request<T> {
    fn with_bearer(mut self, token: impl std::fmt::Display) -> Self {
        let value = format!("Bearer {token}")
            .parse()
            .unwrap_or_else(|e| panic!("a token a gRPC metadata value cannot carry: {e}"));
        self.metadata_mut().insert("authorization", value);
        self
    }
}
