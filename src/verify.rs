//! The verification pipeline that does not depend on the service: from request headers to
//! typed claims.

use std::borrow::Cow;
use std::fmt;

use http::HeaderMap;
use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::Algorithm;
use serde::de::DeserializeOwned;

use crate::crypto;
use crate::error::{AuthError, AuthErrorKind};
use crate::extract::{self, Token, TokenSource};
use crate::grants::Grants;
use crate::json::{self, Member};
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
    /// The payload, when `begin` had to decode it to read `iss`: decoded once.
    pub(crate) payload: Option<Box<[u8]>>,
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
        let (iss, payload) = if keys.routes_by_issuer() {
            // Decoded once, kept for the claims.
            let mut buffer = jws::segment_buffer();
            let payload: Box<[u8]> = jws::b64(segments.payload, &mut buffer)?.into();
            let iss = self.routing_issuer(&payload)?.map(Box::<str>::from);
            (iss, Some(payload))
        } else {
            (None, None)
        };
        let view = TokenHeader {
            alg: header.alg,
            kid: header.kid.as_deref(),
            typ: header.typ.as_deref(),
            iss: iss.as_deref(),
        };
        let lookup = keys.key_for(&view);
        Ok((
            Pending {
                alg: header.alg,
                token,
                dots,
                iss,
                payload,
            },
            lookup,
        ))
    }

    /// The unverified `iss` of a decoded payload, for a key source that routes by issuer: its
    /// nesting checked, read as a JSON object, and refused at once when the layer names its
    /// issuers and this is not one of them.
    fn routing_issuer<'p>(&self, payload: &'p [u8]) -> Result<Option<Cow<'p, str>>, AuthError> {
        let not_claims = || AuthErrorKind::Malformed("the payload is not a JSON object of claims");
        jws::check_depth(payload, self.header.max_json_depth)?;
        if !json::is_object(payload) {
            return Err(not_claims().into());
        }
        // A quick scan finds `iss` in most payloads; the claims pass later requires `iss` to be
        // exactly the issuer it chose, so a scan that got it wrong refuses, never admits.
        let iss = match json::top_level_text(payload, "iss") {
            Member::Text(iss) => Some(Cow::Borrowed(iss)),
            Member::Absent => None,
            Member::Unsure => serde_json::from_slice::<IssuerOnly<'_>>(payload)
                .map_err(|_| not_claims())?
                .iss
                .map(|iss| iss.0),
        };
        if let Some(iss) = &iss {
            let issuers = &self.rules.issuers;
            if !issuers.is_empty() && !issuers.contains(&**iss) {
                return Err(AuthErrorKind::InvalidIssuer.into());
            }
        }
        Ok(iss)
    }

    /// Verifies the signature with the key found, then the claims, and reads the grants.
    pub(crate) fn finish<C: DeserializeOwned, K: KeySource>(
        &self,
        pending: &Pending,
        key: &VerifyingKey,
        keys: &K,
        provider: &'static CryptoProvider,
    ) -> Result<(C, Times, Option<Grants>), AuthError> {
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
        let payload = match &pending.payload {
            Some(payload) => Cow::Borrowed(&payload[..]),
            None => {
                let payload = jws::b64(segments.payload, &mut buffer)?;
                jws::check_depth(&payload, self.header.max_json_depth)?;
                payload
            }
        };
        let routed = pending.iss.as_deref();
        let audiences = routed
            .and_then(|iss| keys.audiences_for(iss))
            .unwrap_or(&self.rules.audiences);
        let wanted = self.rules.wanted(audiences, routed);
        let (claims, times) = self.rules.decode_claims(&payload, wanted)?;
        let grants = match &self.rules.grants {
            Some(source) => Some(source.read(&self.rules.captures, &times.captured)?),
            None => None,
        };
        Ok((claims, times, grants))
    }
}
