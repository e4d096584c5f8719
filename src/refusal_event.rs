//! The `tracing` event a refusal writes: why, and which token, named by its header's `kid` and
//! `alg` and, when its issuer is one the layer trusts, its `iss`; never by the token, its
//! claims or its signature. A key rotation gone wrong then shows in the log as `kid`s the
//! layer does not know, without a debugger.
//!
//! The token is read again for the event only when the event's level is enabled: a refusal
//! with logging off costs nothing more.

use http::HeaderMap;
use serde_json::Value;
use tracing::Level;

use crate::error::{AuthError, AuthErrorKind};
use crate::escape::for_log;
use crate::json::{self, Member};
use crate::jws;
use crate::rejection::Protocol;
use crate::verify::Verifier;

/// What the event tells of the token; `-` for what it does not carry (or may not tell).
struct Named {
    kid: String,
    alg: String,
    iss: String,
}

/// Writes the refusal event: a warning when keys are unavailable (an operator must act), else
/// at debug level. `verified`: the token passed verification (a check refused it), so its
/// issuer is trusted whatever the configuration. Everything the event says, the protocol
/// included, is read from the headers here, once the level is known to be on, so that the
/// request path carries nothing for a refusal that may never come.
#[cold]
#[inline(never)]
pub(crate) fn write(verifier: &Verifier, error: &AuthError, headers: &HeaderMap, verified: bool) {
    let unavailable = matches!(error.kind(), AuthErrorKind::KeysUnavailable { .. });
    let enabled = if unavailable {
        tracing::enabled!(Level::WARN)
    } else {
        tracing::enabled!(Level::DEBUG)
    };
    if !enabled {
        return;
    }
    let protocol = Protocol::of(headers);
    let named = name(verifier, headers, verified);
    let (kid, alg, iss) = (named.kid.as_str(), named.alg.as_str(), named.iss.as_str());
    if unavailable {
        tracing::warn!(kind = ?error.kind(), ?protocol, kid, alg, iss, "JWT rejected: {error}");
    } else {
        tracing::debug!(kind = ?error.kind(), ?protocol, kid, alg, iss, "JWT rejected: {error}");
    }
}

fn name(verifier: &Verifier, headers: &HeaderMap, verified: bool) -> Named {
    let mut named = Named {
        kid: "-".into(),
        alg: "-".into(),
        iss: "-".into(),
    };
    let Ok(token) = verifier.extract(headers) else {
        return named;
    };
    let mut segments = token.as_bytes().split(|&b| b == b'.');
    let mut buffer = jws::segment_buffer();
    let header = segments
        .next()
        .and_then(|segment| jws::b64(segment, &mut buffer).ok())
        .and_then(|json| serde_json::from_slice::<Value>(&json).ok());
    if let Some(header) = header {
        named.kid = text(header.get("kid"));
        named.alg = text(header.get("alg"));
    }
    let mut buffer = jws::segment_buffer();
    let Some(payload) = segments
        .next()
        .and_then(|segment| jws::b64(segment, &mut buffer).ok())
    else {
        return named;
    };
    let iss = match json::top_level_text(&payload, "iss") {
        Member::Text(iss) => Some(iss.to_owned()),
        Member::Absent => None,
        Member::Unsure => serde_json::from_slice::<Value>(&payload)
            .ok()
            .and_then(|claims| claims.get("iss")?.as_str().map(str::to_owned)),
    };
    if let Some(iss) = iss {
        let issuers = &verifier.rules.issuers;
        named.iss = if verified || (!issuers.is_empty() && issuers.contains(&iss)) {
            for_log(&iss)
        } else {
            "(not a trusted issuer)".into()
        };
    }
    named
}

/// A header member fit for the log: escaped and cut, or `-` when absent or not a string.
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) => for_log(text),
        Some(_) => "(not a string)".into(),
        None => "-".into(),
    }
}
