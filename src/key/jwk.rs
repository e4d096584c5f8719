//! Turning a JWKS document into verifying keys, one key at a time.
//!
//! A key that cannot be used (wrong `use`, unknown `kty`, bad parameters, an algorithm we do
//! not verify) is skipped with a warning; it never spoils the rest of the set.

use std::str::FromStr;

use jsonwebtoken::Algorithm;
use serde::Deserialize;

use super::VerifyingKey;
use crate::algorithms::AlgorithmSet;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::escape::for_log;

/// What a key set may contain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JwkPolicy {
    /// Whether `oct` (HMAC) keys are accepted. Never for a remote set.
    pub(crate) allow_hmac: bool,
    /// The most keys taken from one document.
    pub(crate) max_keys: usize,
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    #[serde(rename = "use")]
    use_: Option<String>,
    key_ops: Option<Vec<String>>,
    alg: Option<String>,
    kid: Option<String>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
    k: Option<String>,
}

/// Reads a JWKS document. The document itself must be well formed; keys in it that cannot be
/// used are skipped and reported through `tracing`.
pub(crate) fn jwks_to_keys(
    json: &[u8],
    policy: JwkPolicy,
) -> Result<Vec<VerifyingKey>, ConfigError> {
    if !crate::json::is_object(json) {
        return Err(ConfigError::new(
            ConfigErrorKind::InvalidJwks,
            "not a JWKS document: it must be a JSON object with `keys`",
        ));
    }
    let set: RawSet = serde_json::from_slice(json).map_err(|e| {
        ConfigError::new(
            ConfigErrorKind::InvalidJwks,
            format!("not a JWKS document: {}", json_error(&e)),
        )
    })?;
    let mut keys = Vec::new();
    for (index, value) in set.keys.into_iter().enumerate() {
        if keys.len() == policy.max_keys {
            tracing::warn!(
                max = policy.max_keys,
                "JWKS holds more keys than allowed; the rest are ignored"
            );
            break;
        }
        if !value.is_object() {
            tracing::warn!(index, "skipping JWKS key: it is not a JSON object");
            continue;
        }
        match serde_json::from_value::<RawJwk>(value)
            .map_err(|_| String::from("its members do not have the types a JWK needs"))
            .and_then(|raw| to_key(raw, policy))
        {
            Ok(key) => keys.push(key),
            Err(why) => tracing::warn!(index, "skipping JWKS key: {why}"),
        }
    }
    Ok(keys)
}

fn to_key(raw: RawJwk, policy: JwkPolicy) -> Result<VerifyingKey, String> {
    if let Some(use_) = raw.use_.as_deref().filter(|u| *u != "sig") {
        return Err(format!("`use` is `{}`, not `sig`", for_log(use_)));
    }
    if let Some(ops) = &raw.key_ops {
        if !ops.iter().any(|op| op == "verify") {
            return Err("`key_ops` does not include `verify`".into());
        }
    }
    let alg = match raw.alg.as_deref() {
        Some(name) => Some(
            Algorithm::from_str(name)
                .map_err(|_| format!("algorithm `{}` is not supported", for_log(name)))?,
        ),
        None => None,
    };
    let missing = |member: &str| format!("`{}` key lacks `{member}`", for_log(&raw.kty));
    let key = match raw.kty.as_str() {
        "RSA" => {
            let (n, e) = (
                raw.n.as_deref().ok_or_else(|| missing("n"))?,
                raw.e.as_deref().ok_or_else(|| missing("e"))?,
            );
            match alg {
                Some(alg) => VerifyingKey::from_rsa_components(n, e, alg),
                // Without `alg` (Entra ID does this) an RSA key verifies the RSA family.
                None => VerifyingKey::from_rsa_components(n, e, Algorithm::RS256)
                    .and_then(|k| k.with_algorithms(AlgorithmSet::rsa())),
            }
        }
        "EC" => {
            let crv = raw.crv.as_deref().ok_or_else(|| missing("crv"))?;
            let alg = match (alg, crv) {
                (Some(alg), _) => alg,
                (None, "P-256") => Algorithm::ES256,
                (None, "P-384") => Algorithm::ES384,
                (None, _) => {
                    return Err(format!("EC curve `{}` is not P-256 or P-384", for_log(crv)))
                }
            };
            let (x, y) = (
                raw.x.as_deref().ok_or_else(|| missing("x"))?,
                raw.y.as_deref().ok_or_else(|| missing("y"))?,
            );
            VerifyingKey::from_ec_components(crv, x, y, alg)
        }
        "OKP" => {
            match raw.crv.as_deref() {
                Some("Ed25519") => {}
                Some(crv) => return Err(format!("OKP curve `{}` is not Ed25519", for_log(crv))),
                None => return Err(missing("crv")),
            }
            if alg.is_some_and(|a| a != Algorithm::EdDSA) {
                return Err("an Ed25519 key can only verify EdDSA".into());
            }
            VerifyingKey::from_ed_components(raw.x.as_deref().ok_or_else(|| missing("x"))?)
        }
        "oct" if policy.allow_hmac => {
            let alg = alg.ok_or("an `oct` key needs an `alg`")?;
            let k = raw.k.as_deref().ok_or_else(|| missing("k"))?;
            let secret = base64_simd::URL_SAFE_NO_PAD
                .decode_to_vec(k)
                .map_err(|_| String::from("`k` is not base64url"))?;
            VerifyingKey::from_secret(&secret, alg)
        }
        "oct" => return Err("symmetric (`oct`) keys are never taken from a remote key set".into()),
        other => return Err(format!("key type `{}` is not supported", for_log(other))),
    }
    .map_err(|e| e.to_string())?;
    Ok(match raw.kid {
        Some(kid) => key.with_kid(kid),
        None => key,
    })
}

/// A JSON error fit to print: serde's text quotes parts of the document, so it is escaped and
/// shortened, and the place is kept.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let place = match e.line() {
        0 => String::new(),
        line => format!(" at line {line} column {}", e.column()),
    };
    let what = text.strip_suffix(&place).unwrap_or(&text);
    format!("{}{place}", for_log(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: JwkPolicy = JwkPolicy {
        allow_hmac: false,
        max_keys: 10,
    };

    #[test]
    fn unusable_keys_are_skipped_not_fatal() {
        let doc = br#"{"keys":[
            {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"},
            {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","use":"enc"},
            {"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA"},
            {"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","alg":"HS256"},
            {"kty":"EC","crv":"P-256","x":"short","y":"short"},
            {"kty":7}
        ]}"#;
        let keys = jwks_to_keys(doc, POLICY).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid(), Some("ed"));
    }

    #[test]
    fn hmac_only_when_allowed() {
        let doc = br#"{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","alg":"HS256"}]}"#;
        assert_eq!(jwks_to_keys(doc, POLICY).unwrap().len(), 0);
        let local = JwkPolicy {
            allow_hmac: true,
            ..POLICY
        };
        assert_eq!(jwks_to_keys(doc, local).unwrap().len(), 1);
    }

    #[test]
    fn key_count_is_capped() {
        let one =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let doc = format!(r#"{{"keys":[{}]}}"#, [one; 5].join(","));
        let policy = JwkPolicy {
            max_keys: 3,
            ..POLICY
        };
        assert_eq!(jwks_to_keys(doc.as_bytes(), policy).unwrap().len(), 3);
    }

    #[test]
    fn malformed_document_is_an_error() {
        assert!(jwks_to_keys(b"{\"keys\": 3}", POLICY).is_err());
        assert!(jwks_to_keys(b"not json", POLICY).is_err());
    }
}
