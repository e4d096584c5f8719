//! Reading the claims type and the registered claims in one pass: a deserializer that sits
//! between serde_json and the application's claims type and looks at `exp`, `nbf`, `iss`,
//! `aud` and the required claims as the type's visitor goes past them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{AuthError, AuthErrorKind};
use crate::jws::Text;

/// What a pass learned about the registered claims.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
    /// `iss` is one of the wanted issuers.
    pub(crate) iss_ok: bool,
    /// `aud` holds one of the wanted audiences.
    pub(crate) aud_ok: bool,
    /// A bit per wanted required claim that is present.
    pub(crate) required: u64,
    /// The JSON text of each wanted capture, when present.
    pub(crate) captured: Vec<Option<String>>,
}

/// A set of issuers, hashed with a fast seeded hasher.
pub(crate) type IssuerSet = HashSet<String, quick_cache::DefaultHashBuilder>;

/// Which `iss` a pass accepts.
#[derive(Clone, Copy)]
pub(crate) enum IssuerRule<'r> {
    /// Any, or none: `iss` is not looked at.
    Any,
    /// One of these.
    OneOf(&'r IssuerSet),
    /// Exactly this one: the issuer whose keys were chosen by the token's `iss`.
    Is(&'r str),
}

/// What a pass looks for.
#[derive(Clone, Copy)]
pub(crate) struct Wanted<'r> {
    pub(crate) issuers: IssuerRule<'r>,
    /// Accepted audiences; empty: `aud` is not looked at.
    pub(crate) audiences: &'r [String],
    /// Claims that must be present.
    pub(crate) required: &'r [String],
    /// Top-level claims whose JSON text is kept (for grants).
    pub(crate) captures: &'r [Box<str>],
    /// The claim that plays `aud`, when a provider names another one than `aud`.
    pub(crate) audience_claim: Option<&'r str>,
}

/// Deserializes `C` from a payload, watching its top-level members as `C` reads them; the
/// watch says what was found, whether a registered claim broke a rule, and whether the
/// members were visited one by one (else the caller needs a pass of its own).
pub(crate) fn read<'r, C: DeserializeOwned>(
    payload: &[u8],
    wanted: Wanted<'r>,
) -> (Result<C, ()>, Watch<'r>) {
    let mut watch = Watch {
        wanted,
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

/// A registered claim whose value is checked, announced by its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Exp,
    Nbf,
    Iss,
    Aud,
    /// A claim whose text is kept, by its index in the wanted captures.
    Capture(usize),
    /// Anything else, or a registered claim no rule looks at: passed through untouched.
    Other,
}

/// What one pass over the payload learns about the registered claims.
pub(crate) struct Watch<'r> {
    wanted: Wanted<'r>,
    pub(crate) found: Found,
    /// `exp`, `nbf`, `iss`, `aud` already seen: a second one is refused.
    seen: [bool; 4],
    /// The claim whose value comes next.
    next: Slot,
    /// A registered claim that breaks a rule; it stops the pass.
    pub(crate) problem: Option<AuthError>,
    /// Whether the payload's members went through [`Members`] one by one.
    pub(crate) visited: bool,
}

impl Watch<'_> {
    fn refuse<E: serde::de::Error>(&mut self, why: &'static str) -> E {
        self.problem = Some(AuthErrorKind::InvalidClaim(why).into());
        E::custom(why)
    }

    /// Notes a member's name: duplicates, required claims, and whose value to look at.
    #[inline(always)]
    fn name<E: serde::de::Error>(&mut self, name: &str) -> Result<(), E> {
        let wanted = &self.wanted;
        if !wanted.required.is_empty() {
            if let Some(i) = wanted.required.iter().position(|r| r == name) {
                self.found.required |= 1 << i;
            }
        }
        let (index, slot) = match name {
            "exp" => (0, Slot::Exp),
            "nbf" => (1, Slot::Nbf),
            "iss" => (2, Slot::Iss),
            "aud" if wanted.audience_claim.is_none() => (3, Slot::Aud),
            name if wanted.audience_claim == Some(name) => (3, Slot::Aud),
            _ => {
                self.next = match wanted.captures.iter().position(|c| **c == *name) {
                    Some(i) => {
                        let captured = &mut self.found.captured;
                        if captured.is_empty() {
                            captured.resize(wanted.captures.len(), None);
                        }
                        if captured[i].is_some() {
                            return Err(self.refuse("a claim appears twice"));
                        }
                        Slot::Capture(i)
                    }
                    None => Slot::Other,
                };
                return Ok(());
            }
        };
        if std::mem::replace(&mut self.seen[index], true) {
            return Err(self.refuse("a registered claim appears twice"));
        }
        self.next = match slot {
            Slot::Iss if matches!(wanted.issuers, IssuerRule::Any) => Slot::Other,
            Slot::Aud if wanted.audiences.is_empty() => Slot::Other,
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
                self.found.iss_ok = match self.wanted.issuers {
                    IssuerRule::Any => true,
                    IssuerRule::OneOf(issuers) => issuers.contains(&*iss),
                    IssuerRule::Is(issuer) => issuer == iss,
                };
            }
            Slot::Aud => {
                let mut de = serde_json::Deserializer::from_str(json);
                let Ok(ok) = Audience(self.wanted.audiences).deserialize(&mut de) else {
                    return Err(self.refuse("aud is not a string or an array of strings"));
                };
                self.found.aud_ok = ok;
            }
            Slot::Capture(i) => {
                if let Some(slot) = self.found.captured.get_mut(i) {
                    *slot = Some(json.to_owned());
                }
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
