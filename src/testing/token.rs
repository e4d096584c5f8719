//! Minting tokens: valid ones, and ones broken on purpose for negative tests.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::Algorithm;
use serde::Serialize;
use serde_json::{Map, Value};

use super::issuer::{alg_name, Generation, TestIssuer};
use super::keys::{b64, random_id, sign, Family, KeyMaterial};

/// How far outside its validity [`TokenBuilder::expired`] and
/// [`TokenBuilder::not_yet_valid`] put a token: ten minutes, well past the layer's default
/// leeway of one minute.
pub const OUT_OF_VALIDITY: Duration = Duration::from_secs(600);

/// A deliberate defect, for tests that a token is refused. Several can be combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Defect {
    /// The signature is the right one with one bit flipped.
    BadSignature,
    /// The header names a `kid` the issuer never published (the signature is the real key's).
    UnknownKid,
    /// Signed by a key the issuer never published, under the `kid` of its real key.
    ForeignKey,
    /// `alg: none` and an empty signature.
    AlgNone,
    /// `iss` names another issuer.
    WrongIssuer,
    /// `aud` names an audience nobody configures.
    WrongAudience,
}

/// The `iss` a [`Defect::WrongIssuer`] token carries.
pub const WRONG_ISSUER: &str = "https://wrong-issuer.invalid";
/// The `aud` a [`Defect::WrongAudience`] token carries.
pub const WRONG_AUDIENCE: &str = "https://wrong-audience.invalid";

#[derive(Debug, Clone, Copy)]
enum Expiry {
    After(Duration),
    At(u64),
    Expired,
}

/// A token being made by [`TestIssuer::token`]; [`sign`](Self::sign) finishes it.
///
/// By default it carries `iss`, `sub` (`test-user`), `aud` (the issuer's default audiences,
/// if any), `iat` (now), `exp` (now plus the issuer's lifetime) and a random `jti`, and its
/// header `alg`, `typ: JWT` and the current `kid` of its algorithm.
///
/// Calls add or are refused, never silently replace: [`audience`](Self::audience),
/// [`audiences`](Self::audiences), [`scope`](Self::scope), [`scopes`](Self::scopes),
/// [`roles`](Self::roles), [`without`](Self::without) and [`defect`](Self::defect) add to what
/// earlier calls gave; every other setting (a claim, a header parameter, the algorithm, the
/// `kid`, the expiry, `nbf`, the issue time) panics when set a second time, since the second
/// value would hide the first. Overriding a default (the subject `test-user`, the issuer's
/// audiences, ...) is no second time.
///
/// ```
/// use std::time::Duration;
/// use tower_jwt_auth::testing::{Defect, TestIssuer};
///
/// let issuer = TestIssuer::new("https://idp.test");
/// let valid = issuer.token().audience("api").scopes(["read", "write"]).sign();
/// let expired = issuer.token().audience("api").expired().sign();
/// let forged = issuer.token().audience("api").defect(Defect::BadSignature).sign();
/// let short = issuer.token().valid_for(Duration::from_secs(5)).claim("tenant", "acme").sign();
/// # let _ = (valid, expired, forged, short);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a token builder does nothing until `sign`"]
pub struct TokenBuilder {
    issuer: TestIssuer,
    generation: Arc<Generation>,
    alg: Algorithm,
    kid: Option<String>,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    removed: Vec<String>,
    now: Option<u64>,
    expiry: Expiry,
    not_before: Option<Duration>,
    defects: Vec<Defect>,
    /// What calls have set (claim names, `header <name>`, and the other settings' names).
    set: Vec<String>,
}

impl TestIssuer {
    /// Starts a token: issued by this issuer now, for its default audiences, subject
    /// `test-user`, signed with the current key of its default algorithm. See
    /// [`TokenBuilder`] for what can be changed.
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(self.clone(), self.current())
    }
}

impl TokenBuilder {
    fn new(issuer: TestIssuer, generation: Arc<Generation>) -> Self {
        let mut claims = Map::new();
        claims.insert("iss".into(), issuer.issuer().into());
        claims.insert("sub".into(), "test-user".into());
        match issuer.audiences() {
            [] => {}
            [one] => {
                claims.insert("aud".into(), one.as_str().into());
            }
            many => {
                claims.insert("aud".into(), many.into());
            }
        }
        claims.insert("jti".into(), random_id().into());
        let mut header = Map::new();
        header.insert("typ".into(), "JWT".into());
        Self {
            alg: issuer.algorithm(),
            expiry: Expiry::After(issuer.lifetime()),
            issuer,
            generation,
            kid: None,
            header,
            claims,
            removed: Vec::new(),
            now: None,
            not_before: None,
            defects: Vec::new(),
            set: Vec::new(),
        }
    }

    /// Records that a call set `what`.
    ///
    /// # Panics
    ///
    /// When an earlier call set it: the second value would silently replace the first.
    fn once(&mut self, what: &str) {
        assert!(
            !self.set.iter().any(|done| done == what),
            "TokenBuilder: `{what}` is set twice; the second call would silently replace the first"
        );
        self.set.push(what.to_owned());
    }

    fn was_set(&self, what: &str) -> bool {
        self.set.iter().any(|done| done == what)
    }

    /// Appends `values` to the claim `name` when a call set it before (as an array, or as
    /// space-separated text when `joined`), else sets it.
    fn add(mut self, name: &str, values: Vec<String>, joined: bool) -> Self {
        let earlier = if self.was_set(name) {
            self.claims.remove(name)
        } else {
            self.once(name);
            None
        };
        let value = match (earlier, joined) {
            (Some(Value::String(text)), true) => {
                let mut all = vec![text];
                all.extend(values);
                Value::String(all.join(" "))
            }
            (None, true) => Value::String(values.join(" ")),
            (Some(Value::String(one)), false) => Value::from([vec![one], values].concat()),
            (Some(Value::Array(mut items)), false) => {
                items.extend(values.into_iter().map(Value::String));
                Value::Array(items)
            }
            (_, false) => Value::from(values),
            (Some(other), true) => other,
        };
        self.claims.insert(name.to_owned(), value);
        self
    }

    /// The `sub` claim.
    ///
    /// # Panics
    ///
    /// When a call set the subject (`sub`) before.
    pub fn subject(self, subject: impl Into<String>) -> Self {
        self.claim("sub", subject.into())
    }

    /// Adds an audience to `aud`: the first call replaces the issuer's default audiences with
    /// this one (a string), further calls make it an array.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        if self.was_set("aud") {
            self.add("aud", vec![audience.into()], false)
        } else {
            self.claim("aud", audience.into())
        }
    }

    /// Adds audiences to `aud`, as an array (replacing the issuer's default audiences).
    pub fn audiences<I, S>(self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list: Vec<String> = audiences.into_iter().map(Into::into).collect();
        self.add("aud", list, false)
    }

    /// Adds to the `scope` claim, space-separated as RFC 8693 and RFC 9068 write it:
    /// `.scope("read write")`, or `.scope("read").scope("write")`.
    pub fn scope(self, scope: impl Into<String>) -> Self {
        self.add("scope", vec![scope.into()], true)
    }

    /// Adds scopes to the `scope` claim, joined with spaces.
    pub fn scopes<I, S>(self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        self.add("scope", list, true)
    }

    /// Adds to the `roles` claim, an array of strings (RFC 9068 section 2.2.3.1).
    pub fn roles<I, S>(self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list: Vec<String> = roles.into_iter().map(Into::into).collect();
        self.add("roles", list, false)
    }

    /// Any claim, with any JSON value (a provider's nested roles, a tenant, ...). Standard
    /// claims can be overridden this way too, `exp` and `iat` included.
    ///
    /// # Panics
    ///
    /// When `value` cannot be written as JSON (a map with non-string keys), or when a call
    /// set or left out this claim before.
    pub fn claim(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value)
            .unwrap_or_else(|e| panic!("a claim the test kit cannot write as JSON: {e}"));
        let name = name.into();
        self.once(&name);
        self.claims.insert(name, value);
        self
    }

    /// Leaves a claim out, default claims included: `.without("exp")` for a token that never
    /// expires, `.without("iss")` for one without an issuer.
    ///
    /// # Panics
    ///
    /// When a call set this claim (or left it out) before.
    pub fn without(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.once(&name);
        self.claims.remove(&name);
        self.removed.push(name);
        self
    }

    /// Valid for `lifetime` from its issue time.
    ///
    /// # Panics
    ///
    /// When a call set the expiry before.
    pub fn valid_for(mut self, lifetime: Duration) -> Self {
        self.once("expiry");
        self.expiry = Expiry::After(lifetime);
        self
    }

    /// Expired: `exp` ten minutes ([`OUT_OF_VALIDITY`]) before now.
    ///
    /// # Panics
    ///
    /// When a call set the expiry before.
    pub fn expired(mut self) -> Self {
        self.once("expiry");
        self.expiry = Expiry::Expired;
        self
    }

    /// Not yet valid: `nbf` ten minutes ([`OUT_OF_VALIDITY`]) after now.
    ///
    /// # Panics
    ///
    /// When a call set `nbf` before.
    pub fn not_yet_valid(self) -> Self {
        self.not_before(OUT_OF_VALIDITY)
    }

    /// `nbf` this long after now.
    ///
    /// # Panics
    ///
    /// When a call set `nbf` before.
    pub fn not_before(mut self, after: Duration) -> Self {
        self.once("nbf");
        self.not_before = Some(after);
        self
    }

    /// `exp` at this Unix time, whatever the lifetime.
    ///
    /// # Panics
    ///
    /// When a call set the expiry before.
    pub fn expires_at(mut self, unix_seconds: u64) -> Self {
        self.once("expiry");
        self.expiry = Expiry::At(unix_seconds);
        self
    }

    /// Takes this Unix time as now (`iat`, and what `exp` and `nbf` count from), for tests
    /// that give the layer a fixed clock.
    ///
    /// # Panics
    ///
    /// When a call set the issue time before.
    pub fn issued_at(mut self, unix_seconds: u64) -> Self {
        self.once("issued_at");
        self.now = Some(unix_seconds);
        self
    }

    /// Signs with the issuer's current key for `alg` (and names it in `kid`).
    ///
    /// # Panics
    ///
    /// When a call set the algorithm before.
    pub fn algorithm(mut self, alg: Algorithm) -> Self {
        self.once("algorithm");
        self.alg = alg;
        self
    }

    /// Names this `kid` in the header instead of the signing key's own.
    ///
    /// # Panics
    ///
    /// When a call set the `kid` before.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.once("kid");
        self.kid = Some(kid.into());
        self
    }

    /// The header's `typ` (`JWT` unless set; `at+jwt` for an RFC 9068 access token).
    ///
    /// # Panics
    ///
    /// When a call set `typ` before.
    pub fn typ(self, typ: impl Into<String>) -> Self {
        self.header("typ", typ.into())
    }

    /// Any header parameter. `alg` and `kid` are written from the signing key, unless a
    /// [`Defect`] or [`kid`](Self::kid) says otherwise; naming them here overrides that.
    ///
    /// # Panics
    ///
    /// When `value` cannot be written as JSON, or when a call set this parameter before.
    pub fn header(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value)
            .unwrap_or_else(|e| panic!("a header the test kit cannot write as JSON: {e}"));
        let name = name.into();
        self.once(&format!("header {name}"));
        self.header.insert(name, value);
        self
    }

    /// Breaks the token on purpose; see [`Defect`]. Defects add up.
    pub fn defect(mut self, defect: Defect) -> Self {
        self.defects.push(defect);
        self
    }

    /// The claims the token will carry, as JSON.
    pub fn claims(&self) -> Value {
        Value::Object(self.final_claims())
    }

    /// Signs the token and returns it in compact form.
    pub fn sign(self) -> String {
        let claims = self.final_claims();
        let has = |defect| self.defects.contains(&defect);
        let mut header = Map::new();
        let alg = if has(Defect::AlgNone) {
            "none"
        } else {
            alg_name(self.alg)
        };
        header.insert("alg".into(), alg.into());
        let kid = if has(Defect::UnknownKid) {
            format!("unknown-{}", random_id())
        } else {
            self.kid
                .clone()
                .unwrap_or_else(|| self.generation.kid(self.alg))
        };
        header.insert("kid".into(), kid.into());
        for (name, value) in &self.header {
            header.insert(name.clone(), value.clone());
        }
        let message = format!(
            "{}.{}",
            b64(Value::Object(header).to_string().as_bytes()),
            b64(Value::Object(claims).to_string().as_bytes())
        );
        if has(Defect::AlgNone) {
            return format!("{message}.");
        }
        let family = Family::of(self.alg);
        let key = if has(Defect::ForeignKey) {
            KeyMaterial::foreign(family)
        } else {
            self.generation.key(family)
        };
        let mut signature = sign(self.alg, &key.signing, message.as_bytes());
        if has(Defect::BadSignature) {
            let middle = signature.len() / 2;
            if let Some(byte) = signature.get_mut(middle) {
                *byte ^= 0x01;
            }
        }
        format!("{message}.{}", b64(&signature))
    }

    fn final_claims(&self) -> Map<String, Value> {
        let now = self.now.unwrap_or_else(unix_now);
        let mut claims = Map::new();
        let lifetime = match self.expiry {
            Expiry::After(lifetime) => lifetime.as_secs(),
            _ => self.issuer.lifetime().as_secs(),
        };
        let (iat, exp) = match self.expiry {
            Expiry::After(lifetime) => (now, now.saturating_add(lifetime.as_secs())),
            Expiry::At(exp) => (now, exp),
            Expiry::Expired => {
                let exp = now.saturating_sub(OUT_OF_VALIDITY.as_secs());
                (exp.saturating_sub(lifetime), exp)
            }
        };
        claims.insert("iat".into(), iat.into());
        claims.insert("exp".into(), exp.into());
        if let Some(after) = self.not_before {
            claims.insert("nbf".into(), now.saturating_add(after.as_secs()).into());
        }
        for (name, value) in &self.claims {
            claims.insert(name.clone(), value.clone());
        }
        if self.defects.contains(&Defect::WrongIssuer) {
            claims.insert("iss".into(), WRONG_ISSUER.into());
        }
        if self.defects.contains(&Defect::WrongAudience) {
            claims.insert("aud".into(), WRONG_AUDIENCE.into());
        }
        for name in &self.removed {
            claims.remove(name);
        }
        claims
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}
