//! The claim checks: time, issuer, audience, type, required claims.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{AuthError, AuthErrorKind};
use crate::token::Text;

/// Where the middleware reads the current time.
///
/// [`SystemClock`] by default; tests pass a fixed time (any `Fn() -> SystemTime` is a clock).
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync + 'static,
{
    fn now(&self) -> SystemTime {
        self()
    }
}

/// The claim rules, fixed at build time.
pub(crate) struct Rules {
    pub(crate) require_exp: bool,
    pub(crate) leeway: Duration,
    pub(crate) issuers: Vec<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) required: Vec<String>,
    /// Expected `typ` values, lower case, without `application/`.
    pub(crate) types: Vec<String>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("require_exp", &self.require_exp)
            .field("leeway", &self.leeway)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("required", &self.required)
            .field("types", &self.types)
            .finish_non_exhaustive()
    }
}

/// Lower-cases a media type and drops an `application/` prefix, as RFC 7515 §4.1.9 allows.
pub(crate) fn normalize_type(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

impl Rules {
    pub(crate) fn check_type(&self, typ: Option<&str>) -> Result<(), AuthError> {
        if self.types.is_empty() {
            return Ok(());
        }
        let typ = typ.ok_or(AuthErrorKind::InvalidType)?;
        // The token's text: compare bytes, never slice it at an index that may split a char.
        const PREFIX: &[u8] = b"application/";
        let bytes = typ.as_bytes();
        let bare =
            if bytes.len() > PREFIX.len() && bytes[..PREFIX.len()].eq_ignore_ascii_case(PREFIX) {
                &bytes[PREFIX.len()..]
            } else {
                bytes
            };
        if self
            .types
            .iter()
            .any(|t| t.as_bytes().eq_ignore_ascii_case(bare))
        {
            Ok(())
        } else {
            Err(AuthErrorKind::InvalidType.into())
        }
    }

    /// Checks the registered claims of a decoded payload in one pass.
    ///
    /// `audiences` replaces the configured audiences (per-issuer audiences).
    pub(crate) fn check_claims(
        &self,
        payload: &[u8],
        audiences: &[String],
    ) -> Result<Times, AuthError> {
        let now = self.now();
        let mut problem = None;
        let mut de = serde_json::Deserializer::from_slice(payload);
        let seed = Pass {
            rules: self,
            audiences,
            problem: &mut problem,
        };
        let result = seed
            .deserialize(&mut de)
            .and_then(|found| de.end().map(|_| found));
        if let Some(problem) = problem {
            return Err(problem);
        }
        let found = result
            .map_err(|_| AuthErrorKind::Malformed("the payload is not a JSON object of claims"))?;
        self.judge(&found, now, audiences)?;
        Ok(Times {
            exp: found.exp,
            nbf: found.nbf,
            now,
        })
    }

    /// The clock's time, in Unix seconds.
    pub(crate) fn now(&self) -> f64 {
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64()
    }

    fn judge(&self, found: &Found, now: f64, audiences: &[String]) -> Result<(), AuthError> {
        let leeway = self.leeway.as_secs_f64();
        match found.exp {
            Some(exp) if now > exp + leeway => {
                return Err(AuthErrorKind::Expired {
                    ago: secs(now - exp),
                }
                .into());
            }
            None if self.require_exp => {
                return Err(AuthErrorKind::MissingClaim("exp".into()).into())
            }
            _ => {}
        }
        if let Some(nbf) = found.nbf {
            if nbf > now + leeway {
                return Err(AuthErrorKind::NotYetValid {
                    remaining: secs(nbf - now),
                }
                .into());
            }
        }
        if !self.issuers.is_empty() && !found.iss_ok {
            return Err(AuthErrorKind::InvalidIssuer.into());
        }
        if !audiences.is_empty() && !found.aud_ok {
            return Err(AuthErrorKind::InvalidAudience.into());
        }
        if let Some(missing) = (0..self.required.len()).find(|i| found.required & (1 << i) == 0) {
            return Err(AuthErrorKind::MissingClaim(self.required[missing].clone().into()).into());
        }
        Ok(())
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::MAX)
}

/// The times of a token whose claims passed, for the verified-token cache.
pub(crate) struct Times {
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
    pub(crate) now: f64,
}

#[derive(Default)]
struct Found {
    exp: Option<f64>,
    nbf: Option<f64>,
    iss_ok: bool,
    aud_ok: bool,
    required: u64,
}

struct Pass<'r> {
    rules: &'r Rules,
    audiences: &'r [String],
    problem: &'r mut Option<AuthError>,
}

impl<'de> DeserializeSeed<'de> for Pass<'_> {
    type Value = Found;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Found, D::Error> {
        d.deserialize_map(self)
    }
}

fn fail<E: serde::de::Error>(slot: &mut Option<AuthError>, why: &'static str) -> E {
    *slot = Some(AuthErrorKind::InvalidClaim(why).into());
    E::custom(why)
}

impl<'de> Visitor<'de> for Pass<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let rules = self.rules;
        let mut found = Found::default();
        let mut seen = [false; 4];
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let slot = match &*key {
                "exp" => 0,
                "nbf" => 1,
                "iss" => 2,
                "aud" => 3,
                other => {
                    if let Some(i) = rules.required.iter().position(|r| r == other) {
                        found.required |= 1 << i;
                    }
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(fail(self.problem, "a registered claim appears twice"));
            }
            if let Some(i) = rules.required.iter().position(|r| *r == *key) {
                found.required |= 1 << i;
            }
            match slot {
                0 | 1 => {
                    let value = map.next_value::<serde_json::Value>()?;
                    let Some(n) = value.as_f64() else {
                        return Err(fail(
                            self.problem,
                            if slot == 0 {
                                "exp is not a number"
                            } else {
                                "nbf is not a number"
                            },
                        ));
                    };
                    if slot == 0 {
                        found.exp = Some(n)
                    } else {
                        found.nbf = Some(n)
                    }
                }
                2 if !rules.issuers.is_empty() => {
                    let Ok(Text(iss)) = map.next_value::<Text<'de>>() else {
                        return Err(fail(self.problem, "iss is not a string"));
                    };
                    found.iss_ok = rules.issuers.iter().any(|i| *i == *iss);
                }
                3 if !self.audiences.is_empty() => {
                    let Ok(ok) = map.next_value_seed(Audience(self.audiences)) else {
                        return Err(fail(
                            self.problem,
                            "aud is not a string or an array of strings",
                        ));
                    };
                    found.aud_ok = ok;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Whether an `aud` (a string or an array of strings) names one of ours.
struct Audience<'r>(&'r [String]);

impl<'de> DeserializeSeed<'de> for Audience<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Audience<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of strings")
    }

    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(self.0.iter().any(|a| a == v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut ok = false;
        while let Some(Text(aud)) = seq.next_element::<Text<'de>>()? {
            ok |= self.0.iter().any(|a| *a == *aud);
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(f: impl FnOnce(&mut Rules)) -> Rules {
        let mut r = Rules {
            require_exp: true,
            leeway: Duration::from_secs(60),
            issuers: vec![],
            audiences: vec![],
            required: vec![],
            types: vec![],
            clock: Arc::new(|| UNIX_EPOCH + Duration::from_secs(1_000_000)),
        };
        f(&mut r);
        r
    }

    fn kind(r: &Rules, payload: &str) -> Option<AuthErrorKind> {
        r.check_claims(payload.as_bytes(), &r.audiences)
            .err()
            .map(|e| e.kind().clone())
    }

    #[test]
    fn time_rules_with_leeway() {
        let r = rules(|_| {});
        assert_eq!(kind(&r, r#"{"exp":1000050}"#), None);
        assert_eq!(kind(&r, r#"{"exp":999950}"#), None, "inside the leeway");
        assert_eq!(
            kind(&r, r#"{"exp":999000}"#),
            Some(AuthErrorKind::Expired {
                ago: Duration::from_secs(1000)
            })
        );
        assert_eq!(
            kind(&r, r#"{}"#),
            Some(AuthErrorKind::MissingClaim("exp".into()))
        );
        assert_eq!(
            kind(&r, r#"{"exp":"1000050"}"#),
            Some(AuthErrorKind::InvalidClaim("exp is not a number"))
        );
        assert_eq!(
            kind(&r, r#"{"exp":1000050,"exp":1000050}"#),
            Some(AuthErrorKind::InvalidClaim(
                "a registered claim appears twice"
            ))
        );
        assert_eq!(kind(&r, r#"{"exp":1000050,"nbf":1000030}"#), None);
        assert_eq!(
            kind(&r, r#"{"exp":1000500,"nbf":1000300}"#),
            Some(AuthErrorKind::NotYetValid {
                remaining: Duration::from_secs(300)
            })
        );
        let lax = rules(|r| r.require_exp = false);
        assert_eq!(kind(&lax, r#"{}"#), None);
        assert!(matches!(
            kind(&r, r#"[1]"#),
            Some(AuthErrorKind::Malformed(_))
        ));
        assert!(matches!(
            kind(&r, r#"{"exp":1000050} x"#),
            Some(AuthErrorKind::Malformed(_))
        ));
    }

    #[test]
    fn escaped_names_are_the_same_claim() {
        let r = rules(|_| {});
        assert!(matches!(
            kind(&r, r#"{"e\u0078p":999000}"#),
            Some(AuthErrorKind::Expired { .. })
        ));
    }

    #[test]
    fn issuer_audience_and_required() {
        let r = rules(|r| {
            r.require_exp = false;
            r.issuers = vec!["a".into(), "b".into()];
            r.audiences = vec!["api".into()];
            r.required = vec!["sub".into()];
        });
        assert_eq!(kind(&r, r#"{"iss":"b","aud":"api","sub":"x"}"#), None);
        assert_eq!(
            kind(&r, r#"{"iss":"b","aud":["web","api"],"sub":"x"}"#),
            None
        );
        assert_eq!(
            kind(&r, r#"{"iss":"c","aud":"api","sub":"x"}"#),
            Some(AuthErrorKind::InvalidIssuer)
        );
        assert_eq!(
            kind(&r, r#"{"aud":"api","sub":"x"}"#),
            Some(AuthErrorKind::InvalidIssuer)
        );
        assert_eq!(
            kind(&r, r#"{"iss":"a","aud":["web"],"sub":"x"}"#),
            Some(AuthErrorKind::InvalidAudience)
        );
        assert_eq!(
            kind(&r, r#"{"iss":"a","sub":"x"}"#),
            Some(AuthErrorKind::InvalidAudience)
        );
        assert_eq!(
            kind(&r, r#"{"iss":"a","aud":"api"}"#),
            Some(AuthErrorKind::MissingClaim("sub".into()))
        );
        let open = rules(|r| r.require_exp = false);
        assert_eq!(
            kind(&open, r#"{"aud":{"odd":true}}"#),
            None,
            "aud is ignored when none is configured"
        );
    }

    #[test]
    fn type_rules() {
        let r = rules(|r| r.types = vec![normalize_type("application/at+jwt")]);
        assert!(r.check_type(Some("at+jwt")).is_ok());
        assert!(r.check_type(Some("application/AT+JWT")).is_ok());
        assert!(r.check_type(Some("JWT")).is_err());
        assert!(r.check_type(None).is_err());
        assert!(rules(|_| {}).check_type(None).is_ok());
        assert!(
            r.check_type(Some("aaaaaaaaaaa\u{e9}b")).is_err(),
            "no panic on a char boundary"
        );
    }
}
