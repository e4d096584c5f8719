//! The verification pipeline that does not depend on the service: from request headers to
//! typed claims.

use std::fmt;

use http::HeaderMap;
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::Algorithm;
use serde::de::DeserializeOwned;

use crate::crypto;
use crate::error::{AuthError, AuthErrorKind};
use crate::extract::{self, Token, TokenSource};
use crate::jws::{self, HeaderRules};
use crate::key::{KeySource, TokenHeader, VerifyingKey};
use crate::validation::{Rules, Times};

/// Everything needed to verify a token, fixed at build time.
pub(crate) struct Verifier {
    pub(crate) sources: Vec<TokenSource>,
    pub(crate) header: HeaderRules,
    pub(crate) max_token_len: usize,
    pub(crate) rules: Rules,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("sources", &self.sources)
            .field("header", &self.header)
            .field("max_token_len", &self.max_token_len)
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

/// A token whose header passed, waiting for its key.
pub(crate) struct Pending {
    pub(crate) token: Token,
    /// The token's shape, checked in `begin`.
    pub(crate) dots: jws::Dots,
    pub(crate) alg: Algorithm,
    /// The unverified `iss`, kept only for key sources that route by issuer.
    pub(crate) iss: Option<Box<str>>,
}

/// The one claim read before verification, for key sources that route by issuer.
#[derive(serde::Deserialize)]
struct IssuerOnly<'a> {
    #[serde(borrow, default)]
    iss: Option<jws::Text<'a>>,
}

impl Verifier {
    /// Finds the token of a request and checks its size, before anything is decoded.
    pub(crate) fn extract(&self, headers: &HeaderMap) -> Result<Token, AuthError> {
        let token = extract::extract(&self.sources, headers)?;
        let len = token.as_bytes().len();
        if len > self.max_token_len {
            return Err(AuthErrorKind::TokenTooLarge {
                len,
                max: self.max_token_len,
            }
            .into());
        }
        Ok(token)
    }

    /// Checks the token's shape and header, and asks the key source for its key.
    pub(crate) fn begin<K: KeySource>(
        &self,
        token: Token,
        keys: &K,
    ) -> Result<(Pending, K::Future), AuthError> {
        let dots = jws::split(token.as_bytes())?;
        let segments = dots.segments(token.as_bytes());
        let mut header_buffer = jws::segment_buffer();
        let header_json = jws::b64(segments.header, &mut header_buffer)?;
        let header = self.header.accept(&header_json)?;
        let mut payload_buffer = jws::segment_buffer();
        let payload;
        let iss = if keys.routes_by_issuer() {
            payload = jws::b64(segments.payload, &mut payload_buffer)?;
            jws::check_depth(&payload, self.header.max_json_depth)?;
            if !crate::json::is_object(&payload) {
                return Err(
                    AuthErrorKind::Malformed("the payload is not a JSON object of claims").into(),
                );
            }
            serde_json::from_slice::<IssuerOnly<'_>>(&payload)
                .map_err(|_| {
                    AuthErrorKind::Malformed("the payload is not a JSON object of claims")
                })?
                .iss
        } else {
            None
        };
        let view = TokenHeader {
            alg: header.alg,
            kid: header.kid.as_deref(),
            typ: header.typ.as_deref(),
            iss: iss.as_ref().map(|i| &*i.0),
        };
        let lookup = keys.key_for(&view);
        let iss = iss.map(|i| i.0.into());
        Ok((
            Pending {
                alg: header.alg,
                token,
                dots,
                iss,
            },
            lookup,
        ))
    }

    /// Verifies the signature with the key found, then the claims.
    pub(crate) fn finish<C: DeserializeOwned, K: KeySource>(
        &self,
        pending: &Pending,
        key: &VerifyingKey,
        keys: &K,
        provider: &'static CryptoProvider,
    ) -> Result<(C, Times), AuthError> {
        // The key source cannot widen what a key verifies.
        if !key.algorithms().contains(pending.alg) {
            return Err(AuthErrorKind::UnsupportedAlgorithm.into());
        }
        let segments = pending.dots.segments(pending.token.as_bytes());
        let mut buffer = jws::segment_buffer();
        let signature = jws::b64(segments.signature, &mut buffer)?;
        crypto::verify(
            provider,
            pending.alg,
            key.decoding_key(),
            key.prepared(),
            segments.message,
            &signature,
        )?;
        let payload = jws::b64(segments.payload, &mut buffer)?;
        jws::check_depth(&payload, self.header.max_json_depth)?;
        let audiences = pending
            .iss
            .as_deref()
            .and_then(|iss| keys.audiences_for(iss))
            .unwrap_or(&self.rules.audiences);
        self.rules.decode_claims(&payload, audiences)
    }
}
