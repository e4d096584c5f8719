//! Where the token comes from: `Authorization: Bearer`, a cookie or a named header, and the
//! rule that a request carries exactly one token.

use std::borrow::Cow;

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{AuthError, AuthErrorKind};

/// Where the middleware looks for the token.
///
/// The default is [`TokenSource::Bearer`]. With several sources, every one is read: a request
/// that carries a token in more than one place (or twice in one place) is refused with 400
/// `invalid_request`, as RFC 6750 §2 requires.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// `Authorization: Bearer <token>`; the scheme is matched case-insensitively.
    Bearer,
    /// A cookie with this name.
    Cookie(Cow<'static, str>),
    /// The whole value of this header.
    Header(HeaderName),
}

impl TokenSource {
    /// A cookie with this name.
    pub fn cookie(name: impl Into<Cow<'static, str>>) -> Self {
        Self::Cookie(name.into())
    }

    /// The whole value of this header.
    pub fn header(name: HeaderName) -> Self {
        Self::Header(name)
    }
}

/// A token found in a request: the header value that holds it, and where in that value.
pub(crate) struct Token {
    value: HeaderValue,
    start: usize,
    end: usize,
}

impl Token {
    /// The token's bytes, checked to be visible ASCII when it was found.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.value
            .as_bytes()
            .get(self.start..self.end)
            .unwrap_or_default()
    }
}

fn found(value: &HeaderValue, start: usize, end: usize) -> Result<Option<Token>, AuthError> {
    let bytes = &value.as_bytes()[start..end];
    if bytes.is_empty() {
        return Err(AuthErrorKind::InvalidRequest("the token is empty").into());
    }
    // Branch-free over the whole token, so that it vectorises: visible ASCII is 0x21..=0x7e.
    if !bytes
        .iter()
        .fold(true, |ok, b| ok & (b.wrapping_sub(0x21) < 0x5e))
    {
        return Err(
            AuthErrorKind::InvalidRequest("the token has characters a token cannot have").into(),
        );
    }
    Ok(Some(Token {
        value: value.clone(),
        start,
        end,
    }))
}

fn single<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'h HeaderValue>, AuthError> {
    let mut all = headers.get_all(name).iter();
    match (all.next(), all.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => Ok(Some(value)),
        (Some(_), Some(_)) => Err(AuthErrorKind::MultipleTokens.into()),
    }
}

fn bearer(headers: &HeaderMap) -> Result<Option<Token>, AuthError> {
    let Some(value) = single(headers, &AUTHORIZATION)? else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    const SCHEME: &[u8] = b"bearer";
    if bytes.len() < SCHEME.len() || !bytes[..SCHEME.len()].eq_ignore_ascii_case(SCHEME) {
        // Another scheme (Basic, ...): not a bearer token.
        return Ok(None);
    }
    let rest = &bytes[SCHEME.len()..];
    if !rest.is_empty() && rest[0] != b' ' {
        // `BearerX...` is another scheme's name.
        return Ok(None);
    }
    let spaces = rest.iter().take_while(|b| **b == b' ').count();
    let end = bytes.len() - bytes.iter().rev().take_while(|b| **b == b' ').count();
    let start = (SCHEME.len() + spaces).min(end);
    found(value, start, end)
}

fn cookie(headers: &HeaderMap, name: &str) -> Result<Option<Token>, AuthError> {
    let mut token = None;
    for value in headers.get_all(COOKIE) {
        let bytes = value.as_bytes();
        let mut offset = 0;
        for pair in bytes.split(|b| *b == b';') {
            let pair_start = offset;
            offset += pair.len() + 1;
            let Some(eq) = pair.iter().position(|b| *b == b'=') else {
                continue;
            };
            if pair[..eq].trim_ascii() != name.as_bytes() {
                continue;
            }
            let raw = &pair[eq + 1..];
            let lead = raw.len() - raw.trim_ascii_start().len();
            let trimmed = raw.trim_ascii();
            if trimmed.is_empty() {
                // An emptied cookie is no token.
                continue;
            }
            if token.is_some() {
                return Err(AuthErrorKind::MultipleTokens.into());
            }
            let start = pair_start + eq + 1 + lead;
            token = found(value, start, start + trimmed.len())?;
        }
    }
    Ok(token)
}

fn header(headers: &HeaderMap, name: &HeaderName) -> Result<Option<Token>, AuthError> {
    let Some(value) = single(headers, name)? else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    let end = bytes.len() - (bytes.len() - bytes.trim_ascii_end().len());
    let start = bytes.len() - bytes.trim_ascii_start().len();
    found(value, start.min(end), end)
}

/// Finds the one token of a request.
pub(crate) fn extract(sources: &[TokenSource], headers: &HeaderMap) -> Result<Token, AuthError> {
    let mut token = None;
    for source in sources {
        let here = match source {
            TokenSource::Bearer => bearer(headers)?,
            TokenSource::Cookie(name) => cookie(headers, name)?,
            TokenSource::Header(name) => header(headers, name)?,
        };
        if here.is_some() {
            if token.is_some() {
                return Err(AuthErrorKind::MultipleTokens.into());
            }
            token = here;
        }
    }
    token.ok_or_else(|| AuthErrorKind::MissingToken.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn kind(r: Result<Token, AuthError>) -> AuthErrorKind {
        r.err().unwrap().kind().clone()
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let srcs = [TokenSource::Bearer];
        for v in ["Bearer a.b.c", "bearer a.b.c", "BEARER   a.b.c  "] {
            assert_eq!(
                extract(&srcs, &headers(&[("authorization", v)]))
                    .unwrap()
                    .as_bytes(),
                b"a.b.c"
            );
        }
        assert_eq!(
            kind(extract(&srcs, &headers(&[("authorization", "Basic abc")]))),
            AuthErrorKind::MissingToken
        );
        assert_eq!(
            kind(extract(&srcs, &headers(&[("authorization", "Bearerx a")]))),
            AuthErrorKind::MissingToken
        );
        assert!(matches!(
            kind(extract(&srcs, &headers(&[("authorization", "Bearer ")]))),
            AuthErrorKind::InvalidRequest(_)
        ));
        assert!(matches!(
            kind(extract(&srcs, &headers(&[("authorization", "Bearer")]))),
            AuthErrorKind::InvalidRequest(_)
        ));
    }

    #[test]
    fn two_tokens_are_refused() {
        let both = [TokenSource::Bearer, TokenSource::cookie("jwt")];
        let twice = headers(&[("authorization", "Bearer a"), ("authorization", "Bearer b")]);
        assert_eq!(kind(extract(&both, &twice)), AuthErrorKind::MultipleTokens);
        let mixed = headers(&[("authorization", "Bearer a"), ("cookie", "jwt=b")]);
        assert_eq!(kind(extract(&both, &mixed)), AuthErrorKind::MultipleTokens);
        let two_cookies = headers(&[("cookie", "jwt=a; x=1"), ("cookie", "jwt=b")]);
        assert_eq!(
            kind(extract(&both, &two_cookies)),
            AuthErrorKind::MultipleTokens
        );
    }

    #[test]
    fn cookie_and_header_sources() {
        let srcs = [
            TokenSource::cookie("jwt"),
            TokenSource::header(HeaderName::from_static("x-token")),
        ];
        let h = headers(&[("cookie", "a=1; jwt = t.o.k ;b=2")]);
        assert_eq!(extract(&srcs, &h).unwrap().as_bytes(), b"t.o.k");
        let h = headers(&[("cookie", "jwt=; other=1"), ("x-token", " h.d.r ")]);
        assert_eq!(extract(&srcs, &h).unwrap().as_bytes(), b"h.d.r");
        let h = headers(&[("cookie", "notjwt=1")]);
        assert_eq!(kind(extract(&srcs, &h)), AuthErrorKind::MissingToken);
    }
}
