//! The claim rules: time, issuer, audience and required claims, checked while the claims type
//! is read (see [`one_pass`]).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::{AuthError, AuthErrorKind};
use crate::grants::GrantSource;

mod clock;
mod one_pass;

pub use clock::{Clock, SystemClock};
use one_pass::Found;
pub(crate) use one_pass::{IssuerRule, IssuerSet, Wanted};

/// The claim rules, fixed at build time.
pub(crate) struct Rules {
    pub(crate) require_exp: bool,
    pub(crate) leeway: Duration,
    /// Accepted issuers; empty: any.
    pub(crate) issuers: IssuerSet,
    pub(crate) audiences: Vec<String>,
    pub(crate) required: Vec<String>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Where scopes and roles are read, when the layer reads them.
    pub(crate) grants: Option<GrantSource>,
    /// `grants.captures()`, computed once.
    pub(crate) captures: Vec<Box<str>>,
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rules")
            .field("require_exp", &self.require_exp)
            .field("leeway", &self.leeway)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("required", &self.required)
            .field("grants", &self.grants)
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
        wanted: Wanted<'_>,
    ) -> Result<Times, AuthError> {
        let now = self.now();
        let (result, watch) = one_pass::read::<IgnoredAny>(payload, wanted);
        if let Some(problem) = watch.problem {
            return Err(problem);
        }
        if result.is_err() || !watch.visited {
            return Err(
                AuthErrorKind::Malformed("the payload is not a JSON object of claims").into(),
            );
        }
        self.judge(&watch.found, now, wanted)?;
        Ok(times(watch.found, now))
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
        wanted: Wanted<'_>,
    ) -> Result<(C, Times), AuthError> {
        let (claims, times, _) = self.decode_claims_counted::<C>(payload, wanted)?;
        Ok((claims, times))
    }

    /// [`Self::decode_claims`], also saying whether it took a second pass.
    fn decode_claims_counted<C: DeserializeOwned>(
        &self,
        payload: &[u8],
        wanted: Wanted<'_>,
    ) -> Result<(C, Times, bool), AuthError> {
        let now = self.now();
        let (result, watch) = one_pass::read::<C>(payload, wanted);
        if let Some(problem) = watch.problem {
            return Err(problem);
        }
        match result {
            Ok(claims) if watch.visited => {
                self.judge(&watch.found, now, wanted)?;
                Ok((claims, times(watch.found, now), false))
            }
            Ok(claims) => Ok((claims, self.check_claims(payload, wanted)?, true)),
            Err(()) => {
                self.check_claims(payload, wanted)?;
                Err(AuthErrorKind::InvalidClaims.into())
            }
        }
    }

    /// What a pass over a payload must look for: `audiences` (the layer's, or an issuer's own),
    /// and `routed`, the issuer whose keys the token's `iss` chose, if any (`iss` must then be
    /// exactly it).
    pub(crate) fn wanted<'r>(
        &'r self,
        audiences: &'r [String],
        routed: Option<&'r str>,
    ) -> Wanted<'r> {
        let issuers = match routed {
            Some(issuer) => IssuerRule::Is(issuer),
            None if self.issuers.is_empty() => IssuerRule::Any,
            None => IssuerRule::OneOf(&self.issuers),
        };
        Wanted {
            issuers,
            audiences,
            required: &self.required,
            captures: &self.captures,
            audience_claim: self.grants.as_ref().and_then(|g| g.audience_claim),
        }
    }

    /// The clock's time, in Unix seconds.
    pub(crate) fn now(&self) -> f64 {
        self.clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64()
    }

    fn judge(&self, found: &Found, now: f64, wanted: Wanted<'_>) -> Result<(), AuthError> {
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
        if !matches!(wanted.issuers, IssuerRule::Any) && !found.iss_ok {
            return Err(AuthErrorKind::InvalidIssuer.into());
        }
        if !wanted.audiences.is_empty() && !found.aud_ok {
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
    /// The JSON text of the claims the grants are read from (see [`Rules::captures`]).
    pub(crate) captured: Vec<Option<String>>,
}

/// What a pass found that outlives it, at `now`.
fn times(found: Found, now: f64) -> Times {
    Times {
        exp: found.exp,
        nbf: found.nbf,
        now,
        captured: found.captured,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserializer;
    use serde_json::value::RawValue;

    fn rules(f: impl FnOnce(&mut Rules)) -> Rules {
        let mut r = Rules {
            require_exp: true,
            leeway: Duration::from_secs(60),
            issuers: IssuerSet::default(),
            audiences: vec![],
            required: vec![],
            clock: Arc::new(|| UNIX_EPOCH + Duration::from_secs(1_000_000)),
            grants: None,
            captures: Vec::new(),
        };
        f(&mut r);
        r
    }

    fn kind(r: &Rules, payload: &str) -> Option<AuthErrorKind> {
        r.check_claims(payload.as_bytes(), r.wanted(&r.audiences, None))
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
            r.issuers = ["a".to_owned(), "b".to_owned()].into_iter().collect();
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
            r.issuers = ["a".to_owned(), "b".to_owned()].into_iter().collect();
            r.audiences = vec!["api".into()];
            r.required = vec!["sub".into()];
        })
    }

    /// What one payload gives: the claims and times, or the error's kind; and whether the
    /// one pass needed a second one.
    type Outcome<C> = (Result<(C, Option<f64>, Option<f64>), AuthErrorKind>, bool);

    fn one<C: DeserializeOwned>(r: &Rules, payload: &str) -> Outcome<C> {
        match r.decode_claims_counted::<C>(payload.as_bytes(), r.wanted(&r.audiences, None)) {
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
            .check_claims(payload.as_bytes(), r.wanted(&r.audiences, None))
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
