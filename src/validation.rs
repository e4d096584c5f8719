//! The claim checks: time, issuer, audience, type, required claims.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::borrow::Cow;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{AuthError, AuthErrorKind};
use crate::jws::Text;

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
            .finish_non_exhaustive()
    }
}

impl Rules {
    /// Checks the registered claims of a decoded payload, without building any claims type.
    ///
    /// `audiences` replaces the configured audiences (per-issuer audiences).
    pub(crate) fn check_claims(
        &self,
        payload: &[u8],
        audiences: &[String],
    ) -> Result<Times, AuthError> {
        let now = self.now();
        let (result, watch) = self.one_pass::<IgnoredAny>(payload, audiences);
        if let Some(problem) = watch.problem {
            return Err(problem);
        }
        if result.is_err() || !watch.visited {
            return Err(
                AuthErrorKind::Malformed("the payload is not a JSON object of claims").into(),
            );
        }
        self.judge(&watch.found, now, audiences)?;
        Ok(watch.found.times(now))
    }

    /// Deserializes the claims type `C` from a decoded payload and checks the registered
    /// claims in the same pass over the JSON.
    ///
    /// The outcome is the same as checking the registered claims first and then parsing `C`:
    /// when `C` fails, or reads the payload without visiting its members one by one, the
    /// registered claims are checked in a pass of their own, so their errors come first.
    pub(crate) fn decode_claims<C: DeserializeOwned>(
        &self,
        payload: &[u8],
        audiences: &[String],
    ) -> Result<(C, Times), AuthError> {
        let (claims, times, _) = self.decode_claims_counted::<C>(payload, audiences)?;
        Ok((claims, times))
    }

    /// [`Self::decode_claims`], also saying whether it took a second pass.
    fn decode_claims_counted<C: DeserializeOwned>(
        &self,
        payload: &[u8],
        audiences: &[String],
    ) -> Result<(C, Times, bool), AuthError> {
        let now = self.now();
        let (result, watch) = self.one_pass::<C>(payload, audiences);
        if let Some(problem) = watch.problem {
            return Err(problem);
        }
        match result {
            Ok(claims) if watch.visited => {
                self.judge(&watch.found, now, audiences)?;
                Ok((claims, watch.found.times(now), false))
            }
            Ok(claims) => Ok((claims, self.check_claims(payload, audiences)?, true)),
            Err(()) => {
                self.check_claims(payload, audiences)?;
                Err(AuthErrorKind::InvalidClaims.into())
            }
        }
    }

    /// Deserializes `C`, watching the payload's top-level members as `C` reads them.
    fn one_pass<'r, C: DeserializeOwned>(
        &'r self,
        payload: &[u8],
        audiences: &'r [String],
    ) -> (Result<C, ()>, Watch<'r>) {
        let mut watch = Watch {
            rules: self,
            audiences,
            found: Found::default(),
            seen: [false; 4],
            next: Slot::Other,
            problem: None,
            visited: false,
        };
        let mut de = serde_json::Deserializer::from_slice(payload);
        let result = C::deserialize(Top {
            de: &mut de,
            watch: &mut watch,
        })
        .and_then(|claims| de.end().map(|()| claims))
        .map_err(|_| ());
        (result, watch)
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

impl Found {
    fn times(&self, now: f64) -> Times {
        Times {
            exp: self.exp,
            nbf: self.nbf,
            now,
        }
    }
}

/// A registered claim whose value is checked, announced by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Exp,
    Nbf,
    Iss,
    Aud,
    /// Anything else, or a registered claim no rule looks at: passed through untouched.
    Other,
}

/// What one pass over the payload learns about the registered claims.
struct Watch<'r> {
    rules: &'r Rules,
    audiences: &'r [String],
    found: Found,
    /// `exp`, `nbf`, `iss`, `aud` already seen: a second one is refused.
    seen: [bool; 4],
    /// The claim whose value comes next.
    next: Slot,
    /// A registered claim that breaks a rule; it stops the pass.
    problem: Option<AuthError>,
    /// Whether the payload's members went through [`Members`] one by one.
    visited: bool,
}

impl Watch<'_> {
    fn refuse<E: serde::de::Error>(&mut self, why: &'static str) -> E {
        self.problem = Some(AuthErrorKind::InvalidClaim(why).into());
        E::custom(why)
    }

    /// Notes a member's name: duplicates, required claims, and whose value to look at.
    fn name<E: serde::de::Error>(&mut self, name: &str) -> Result<(), E> {
        let rules = self.rules;
        if !rules.required.is_empty() {
            if let Some(i) = rules.required.iter().position(|r| r == name) {
                self.found.required |= 1 << i;
            }
        }
        let (index, slot) = match name {
            "exp" => (0, Slot::Exp),
            "nbf" => (1, Slot::Nbf),
            "iss" => (2, Slot::Iss),
            "aud" => (3, Slot::Aud),
            _ => {
                self.next = Slot::Other;
                return Ok(());
            }
        };
        if std::mem::replace(&mut self.seen[index], true) {
            return Err(self.refuse("a registered claim appears twice"));
        }
        self.next = match slot {
            Slot::Iss if rules.issuers.is_empty() => Slot::Other,
            Slot::Aud if self.audiences.is_empty() => Slot::Other,
            slot => slot,
        };
        Ok(())
    }

    /// Checks a registered claim's value, given as its JSON text.
    fn value<E: serde::de::Error>(&mut self, slot: Slot, json: &str) -> Result<(), E> {
        match slot {
            Slot::Exp | Slot::Nbf => {
                // A value that is not even JSON we can read is the payload's fault, not a rule's.
                let value = serde_json::from_str::<serde_json::Value>(json).map_err(E::custom)?;
                let Some(n) = value.as_f64() else {
                    return Err(self.refuse(if slot == Slot::Exp {
                        "exp is not a number"
                    } else {
                        "nbf is not a number"
                    }));
                };
                if slot == Slot::Exp {
                    self.found.exp = Some(n);
                } else {
                    self.found.nbf = Some(n);
                }
            }
            Slot::Iss => {
                let Ok(Text(iss)) = serde_json::from_str::<Text<'_>>(json) else {
                    return Err(self.refuse("iss is not a string"));
                };
                self.found.iss_ok = self.rules.issuers.iter().any(|i| *i == *iss);
            }
            Slot::Aud => {
                let mut de = serde_json::Deserializer::from_str(json);
                let Ok(ok) = Audience(self.audiences).deserialize(&mut de) else {
                    return Err(self.refuse("aud is not a string or an array of strings"));
                };
                self.found.aud_ok = ok;
            }
            Slot::Other => {}
        }
        Ok(())
    }
}

/// The payload's deserializer as the claims type sees it: the top-level object's members go
/// through [`Members`]; anything else reaches `C` as it is.
struct Top<'w, 'r, D> {
    de: D,
    watch: &'w mut Watch<'r>,
}

/// Wraps the claims type's visitor, to catch the top-level object.
struct Observed<'w, 'r, V> {
    inner: V,
    watch: &'w mut Watch<'r>,
}

impl<'w, 'r, D> Top<'w, 'r, D> {
    fn observe<V>(self, inner: V) -> (D, Observed<'w, 'r, V>) {
        (
            self.de,
            Observed {
                inner,
                watch: self.watch,
            },
        )
    }
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Top<'_, '_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let (de, visitor) = self.observe(visitor);
        de.deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let (de, visitor) = self.observe(visitor);
        de.deserialize_map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let (de, visitor) = self.observe(visitor);
        de.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let (de, visitor) = self.observe(visitor);
        de.deserialize_option(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        // No Rust type is named `$...`: such names are a deserializer's private signals (the
        // payload as a `RawValue`, whose text serde_json sends as a one-member map).
        if name.starts_with('$') {
            return self.de.deserialize_newtype_struct(name, visitor);
        }
        let (de, visitor) = self.observe(visitor);
        de.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        // An enum reads the payload its own way; the claims get a pass of their own.
        self.de.deserialize_enum(name, variants, visitor)
    }

    // A payload is an object: every other shape fails in `C`, or is read as a whole.
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct identifier ignored_any
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Observed<'_, '_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.watch.visited = true;
        self.inner.visit_map(Members {
            map,
            watch: self.watch,
        })
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Top {
            de,
            watch: self.watch,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Top {
            de,
            watch: self.watch,
        })
    }

    // Everything else reaches `C` unchanged (a payload taken whole, as a `RawValue`, arrives
    // as a string), and then gets its own pass for the claims.
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<V::Value, E> {
        self.inner.visit_bool(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<V::Value, E> {
        self.inner.visit_i64(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.inner.visit_u64(v)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<V::Value, E> {
        self.inner.visit_f64(v)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.inner.visit_str(v)
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.inner.visit_borrowed_str(v)
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<V::Value, E> {
        self.inner.visit_string(v)
    }
    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.inner.visit_bytes(v)
    }
    fn visit_borrowed_bytes<E: serde::de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.inner.visit_borrowed_bytes(v)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(seq)
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(data)
    }
}

/// The top-level object's members, watched on their way to the claims type.
struct Members<'w, 'r, A> {
    map: A,
    watch: &'w mut Watch<'r>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Members<'_, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(Name {
            inner: seed,
            watch: self.watch,
        })
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let slot = std::mem::replace(&mut self.watch.next, Slot::Other);
        if slot == Slot::Other {
            return self.map.next_value_seed(seed);
        }
        // A registered claim: read its text once, check it, then hand the same text to `C`.
        let raw = self.map.next_value::<&'de RawValue>()?;
        self.watch.value::<A::Error>(slot, raw.get())?;
        let mut de = serde_json::Deserializer::from_str(raw.get());
        seed.deserialize(&mut de).map_err(A::Error::custom)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A member's name: noted, then handed to the claims type as a string.
struct Name<'w, 'r, K> {
    inner: K,
    watch: &'w mut Watch<'r>,
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for Name<'_, '_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<K::Value, D::Error> {
        let Text(name) = Text::deserialize(de)?;
        self.watch.name::<D::Error>(&name)?;
        match name {
            Cow::Borrowed(name) => self.inner.deserialize(BorrowedStrDeserializer::new(name)),
            Cow::Owned(name) => self.inner.deserialize(StringDeserializer::new(name)),
        }
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

    /// Payloads for comparing the one pass against checking first and parsing `C` after.
    const PAYLOADS: &[&str] = &[
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1000050,"nbf":999000,"n":[1,{"x":2}]}"#,
        r#"{"sub":"ann","iss":"a","aud":["web","api"],"exp":1000050.5}"#,
        r#"{"s\u0075b":"ann","\u0069ss":"a","aud":"api","e\u0078p":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":999000}"#,
        r#"{"sub":"ann","iss":"z","aud":"api","exp":1000050}"#,
        r#"{"sub":"ann","iss":"b","aud":"api","exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"web","exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"api"}"#,
        r#"{"iss":"a","aud":"api","exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":"1000050"}"#,
        r#"{"sub":"ann","iss":7,"aud":"api","exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":[1],"exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1000050,"exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","iss":"a","aud":"api","exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1000050,"nbf":1000300}"#,
        r#"{"sub":1,"iss":"a","aud":"api","exp":1000050}"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1e400}"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1000050} "#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1000050} x"#,
        r#"{"sub":"ann","iss":"a","aud":"api","exp":1000050"#,
        r#"[{"sub":"ann","iss":"a","aud":"api","exp":1000050}]"#,
        r#""claims""#,
        r#"null"#,
        r#"{}"#,
    ];

    fn strict() -> Rules {
        rules(|r| {
            r.issuers = vec!["a".into(), "b".into()];
            r.audiences = vec!["api".into()];
            r.required = vec!["sub".into()];
        })
    }

    /// What one payload gives: the claims and times, or the error's kind; and whether the
    /// one pass needed a second one.
    type Outcome<C> = (Result<(C, Option<f64>, Option<f64>), AuthErrorKind>, bool);

    fn one<C: DeserializeOwned>(r: &Rules, payload: &str) -> Outcome<C> {
        match r.decode_claims_counted::<C>(payload.as_bytes(), &r.audiences) {
            Ok((c, t, second)) => (Ok((c, t.exp, t.nbf)), second),
            Err(e) => (Err(e.kind().clone()), false),
        }
    }

    /// The reference: the registered claims checked first, then `C` parsed on its own.
    fn two<C: DeserializeOwned>(
        r: &Rules,
        payload: &str,
    ) -> Result<(C, Option<f64>, Option<f64>), AuthErrorKind> {
        let times = r
            .check_claims(payload.as_bytes(), &r.audiences)
            .map_err(|e| e.kind().clone())?;
        let c = serde_json::from_str(payload).map_err(|_| AuthErrorKind::InvalidClaims)?;
        Ok((c, times.exp, times.nbf))
    }

    fn same_as_two_passes<C>(one_pass_expected: bool)
    where
        C: DeserializeOwned + PartialEq + fmt::Debug,
    {
        for rules in [strict(), rules(|_| {})] {
            for payload in PAYLOADS {
                let (got, second) = one::<C>(&rules, payload);
                let want = two::<C>(&rules, payload);
                assert_eq!(got, want, "{} on {payload}", std::any::type_name::<C>());
                if got.is_ok() {
                    assert_eq!(
                        second,
                        !one_pass_expected,
                        "{} on {payload}: passes",
                        std::any::type_name::<C>()
                    );
                }
            }
        }
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Typed {
        sub: String,
        iss: Option<String>,
        aud: crate::Audience,
        exp: Option<u64>,
        #[serde(default)]
        nbf: f64,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Newtype(crate::StandardClaims);

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Typed(Typed),
        Other(std::collections::BTreeMap<String, serde_json::Value>),
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Tagged {
        Claims(serde_json::Value),
    }

    /// `IgnoredAny` carries no value to compare.
    #[derive(Debug, PartialEq)]
    struct Ignored;

    impl<'de> serde::Deserialize<'de> for Ignored {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            IgnoredAny::deserialize(d).map(|_| Ignored)
        }
    }

    /// A claims type that takes the payload as text, never visiting its members.
    #[derive(Debug, PartialEq)]
    struct Whole(String);

    impl<'de> serde::Deserialize<'de> for Whole {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Box::<RawValue>::deserialize(d).map(|raw| Whole(raw.get().to_owned()))
        }
    }

    #[test]
    fn one_pass_reads_claims_and_checks_them_together() {
        same_as_two_passes::<crate::StandardClaims>(true);
        same_as_two_passes::<serde_json::Value>(true);
        same_as_two_passes::<std::collections::HashMap<String, serde_json::Value>>(true);
        same_as_two_passes::<Typed>(true);
        same_as_two_passes::<Option<Typed>>(true);
        same_as_two_passes::<Newtype>(true);
        same_as_two_passes::<Either>(true);
        same_as_two_passes::<Ignored>(true);
    }

    #[test]
    fn claims_read_whole_get_a_second_pass() {
        same_as_two_passes::<Whole>(false);
        same_as_two_passes::<Tagged>(false);
    }

    /// A JSON object built from claim names and values that matter to the rules, with
    /// duplicates, escapes, and sometimes cut short.
    fn payload() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let name = prop::sample::select(vec![
            "exp",
            "nbf",
            "iss",
            "aud",
            "sub",
            "x",
            "e\\u0078p",
            "\\u0069ss",
        ]);
        let value = prop::sample::select(vec![
            "1000050",
            "999000",
            "1000300.5",
            "1e400",
            "-1",
            "\"1000050\"",
            "\"a\"",
            "\"b\"",
            "\"z\"",
            "\"api\"",
            "[\"web\",\"api\"]",
            "[1]",
            "[]",
            "null",
            "true",
            "{\"k\":[1,{}]}",
            "\"\\u0061\"",
        ]);
        (
            prop::collection::vec((name, value), 0..7),
            any::<bool>(),
            0usize..8,
        )
            .prop_map(|(members, array, cut)| {
                let body: Vec<String> = members
                    .iter()
                    .map(|(n, v)| format!("\"{n}\":{v}"))
                    .collect();
                let mut json = format!("{{{}}}", body.join(","));
                if array {
                    json = format!("[{json}]");
                }
                json.truncate(json.len().saturating_sub(cut.saturating_sub(5)));
                json
            })
    }

    proptest::proptest! {
        #[test]
        fn one_pass_matches_two_passes_on_any_payload(json in payload()) {
            for rules in [strict(), rules(|_| {})] {
                proptest::prop_assert_eq!(
                    one::<crate::StandardClaims>(&rules, &json).0,
                    two::<crate::StandardClaims>(&rules, &json)
                );
                proptest::prop_assert_eq!(
                    one::<serde_json::Value>(&rules, &json).0,
                    two::<serde_json::Value>(&rules, &json)
                );
                proptest::prop_assert_eq!(one::<Typed>(&rules, &json).0, two::<Typed>(&rules, &json));
                proptest::prop_assert_eq!(one::<Whole>(&rules, &json).0, two::<Whole>(&rules, &json));
            }
        }
    }

    #[test]
    fn one_pass_hands_registered_claims_on() {
        let r = strict();
        let payload =
            r#"{"sub":"ann","i\u0073s":"a","aud":["web","api"],"exp":1000050,"nbf":999000.5}"#;
        let (got, second) = one::<Typed>(&r, payload);
        assert!(!second);
        let (typed, exp, nbf) = got.unwrap();
        assert_eq!(
            typed,
            Typed {
                sub: "ann".into(),
                iss: Some("a".into()),
                aud: crate::Audience::Many(vec!["web".into(), "api".into()]),
                exp: Some(1000050),
                nbf: 999000.5,
            }
        );
        assert_eq!((exp, nbf), (Some(1000050.0), Some(999000.5)));
    }
}
