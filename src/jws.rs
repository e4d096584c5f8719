//! The compact JWS: its shape (three base64url segments), decoding a segment, bounded JSON
//! nesting, and the one place JOSE header rules live.

use std::borrow::Cow;
use std::fmt;
use std::mem::MaybeUninit;

use base64_simd::Out;
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Deserializer};

use crate::algorithms::AlgorithmSet;
use crate::error::{AuthError, AuthErrorKind};

/// Where the two dots of a compact JWS are: the token's shape, checked once.
#[derive(Clone, Copy)]
pub(crate) struct Dots(usize, usize);

/// The three segments of a compact JWS, checked to be unpadded base64url.
pub(crate) struct Segments<'a> {
    pub(crate) header: &'a [u8],
    pub(crate) payload: &'a [u8],
    /// `header.payload`, the signing input.
    pub(crate) message: &'a [u8],
    pub(crate) signature: &'a [u8],
}

impl Dots {
    /// The segments of the token these dots were found in.
    pub(crate) fn segments(self, token: &[u8]) -> Segments<'_> {
        let Dots(first, second) = self;
        Segments {
            header: &token[..first],
            payload: &token[first + 1..second],
            message: &token[..second],
            signature: &token[second + 1..],
        }
    }
}

fn malformed(why: &'static str) -> AuthError {
    AuthErrorKind::Malformed(why).into()
}

/// Whether a byte may appear in a compact JWS: base64url or a dot.
///
/// Comparisons only, no table and no early exit, so a pass over a token compiles to wide
/// vector instructions.
#[inline(always)]
fn jws_byte(b: u8) -> bool {
    let lower = b | 0x20; // ASCII letters to lower case; no other byte lands on a-z
    (lower.wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
        | (b == b'.')
}

/// Where the first two dots are, checking nothing else: for the verified-token cache, whose
/// hit compares the segments byte for byte with a token that passed [`split`], which proves
/// the shape. Anything else must use [`split`].
pub(crate) fn find_dots(token: &[u8]) -> Option<Dots> {
    let first = memchr::memchr(b'.', token)?;
    let second = first + 1 + memchr::memchr(b'.', &token[first + 1..])?;
    Some(Dots(first, second))
}

/// Checks the shape of a compact JWS before anything is decoded: base64url segments, exactly
/// two dots, none of the three segments empty.
pub(crate) fn split(token: &[u8]) -> Result<Dots, AuthError> {
    // Whole chunks, each folded without branches; the verdict is read once per chunk.
    let valid = token
        .chunks(64)
        .all(|chunk| chunk.iter().fold(true, |ok, &b| ok & jws_byte(b)));
    if !valid {
        return Err(malformed("segments must be base64url without padding"));
    }
    let mut dots = memchr::memchr_iter(b'.', token);
    let (Some(first), Some(second)) = (dots.next(), dots.next()) else {
        return Err(malformed("expected 3 dot-separated segments"));
    };
    if dots.next().is_some() {
        return Err(malformed(
            "expected 3 dot-separated segments (JWE and others are refused)",
        ));
    }
    let dots = Dots(first, second);
    let segments = dots.segments(token);
    if segments.header.is_empty() || segments.payload.is_empty() {
        return Err(malformed("empty header or payload segment"));
    }
    if segments.signature.is_empty() {
        return Err(malformed("the token is not signed"));
    }
    Ok(dots)
}

/// Room on the stack for a decoded segment; never zeroed, only written by the decoder.
pub(crate) type SegmentBuffer = [MaybeUninit<u8>; 2048];

/// A fresh [`SegmentBuffer`]: fits an RSA-8192 signature, a typical header or payload.
/// Inlined, so that the caller's frame holds it and nothing is copied.
#[inline(always)]
pub(crate) fn segment_buffer() -> SegmentBuffer {
    [MaybeUninit::uninit(); 2048]
}

/// Decodes a segment (unpadded base64url, canonical: unused bits zero) into `buffer` when it
/// fits, without allocating, or onto the heap.
pub(crate) fn b64<'b>(
    segment: &[u8],
    buffer: &'b mut [MaybeUninit<u8>],
) -> Result<Cow<'b, [u8]>, AuthError> {
    let b64 = base64_simd::URL_SAFE_NO_PAD;
    let invalid = |_| malformed("a segment is not canonical base64url");
    let len = b64.decoded_length(segment).map_err(invalid)?;
    match buffer.get_mut(..len) {
        Some(room) => {
            let decoded = b64
                .decode(segment, Out::from_uninit_slice(room))
                .map_err(invalid)?;
            Ok(Cow::Borrowed(decoded))
        }
        None => b64.decode_to_vec(segment).map(Cow::Owned).map_err(invalid),
    }
}

/// Refuses JSON nested deeper than `max` arrays and objects, before it is parsed.
///
/// Counts like a byte-by-byte walk that skips strings (with their `\"` and `\\` escapes) and
/// never lets the depth fall below zero, but 64 bytes at a time: each block becomes bit masks
/// (one bit a byte) of its backslashes, quotes and brackets, which locate the escaped bytes and
/// the strings with a few word operations, whatever the number of containers.
pub(crate) fn check_depth(json: &[u8], max: usize) -> Result<(), AuthError> {
    // Fewer openers than the limit cannot nest deeper than it: the common case, counted
    // without branches.
    // `[` is `{` without bit 5. Counted per chunk in bytes, which vectorizes well.
    let openers: usize = json
        .chunks(128)
        .map(|chunk| {
            usize::from(
                chunk
                    .iter()
                    .fold(0u8, |n, b| n + u8::from((b | 0x20) == b'{')),
            )
        })
        .sum();
    if openers <= max {
        return Ok(());
    }
    let mut scan = DepthScan::default();
    let mut blocks = json.chunks_exact(64);
    for block in &mut blocks {
        scan.block(block.try_into().expect("64 bytes"), max)?;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // Spaces change nothing: the last block, padded.
        let mut last = [b' '; 64];
        last[..rest.len()].copy_from_slice(rest);
        scan.block(&last, max)?;
    }
    Ok(())
}

fn too_deep() -> AuthError {
    malformed("the JSON is nested too deeply")
}

/// The bit masks of a 64-byte block, bit `i` for byte `i`: backslashes, quotes, openers (`{`
/// and `[`), closers (`}` and `]`).
///
/// Each byte is classified in lanes (vectorized), then each 8 bytes of a class are gathered
/// into a byte of its mask with one multiplication: for bytes that are 0 or 1, byte `i` of the
/// product's top byte is bit `i`, and no two partial products overlap.
#[inline(always)]
fn block_masks(block: &[u8; 64]) -> [u64; 4] {
    let mut class = [0u8; 64];
    for (c, &b) in class.iter_mut().zip(block) {
        let folded = b | 0x20; // `[` to `{`, `]` to `}`; no other byte lands on them
        *c = u8::from(b == b'\\')
            | u8::from(b == b'"') << 1
            | u8::from(folded == b'{') << 2
            | u8::from(folded == b'}') << 3;
    }
    let mut masks = [0u64; 4];
    for (i, group) in class.chunks_exact(8).enumerate() {
        let lanes = u64::from_le_bytes(group.try_into().expect("8 bytes"));
        for (bit, mask) in masks.iter_mut().enumerate() {
            let ones = (lanes >> bit) & 0x0101_0101_0101_0101;
            *mask |= (ones.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * i);
        }
    }
    masks
}

/// Bit `i` is the parity of bits `0..=i`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// What [`check_depth`] carries from one block to the next.
#[derive(Default)]
struct DepthScan {
    depth: usize,
    /// All ones inside a string, zero outside.
    in_string: u64,
    /// 1 when the block's first byte is escaped (an odd run of backslashes ended the last one).
    escaped: u64,
}

impl DepthScan {
    #[inline(always)]
    fn block(&mut self, block: &[u8; 64], max: usize) -> Result<(), AuthError> {
        const ODD: u64 = 0xAAAA_AAAA_AAAA_AAAA;
        let [backslash, quote, opener, closer] = block_masks(block);
        // The bytes escaped by a backslash (simdjson's method): a run of backslashes escapes
        // its every other byte and, when its length is odd, the byte after it. The subtraction
        // tells runs that start on an even bit from runs that start on an odd one.
        let starts = backslash & !self.escaped;
        let codes = ((starts << 1 | ODD).wrapping_sub(starts)) ^ ODD;
        let escaped = codes ^ (backslash | self.escaped);
        let escapes = codes & backslash;
        // Inside a string: after an odd number of unescaped quotes (the opening quote in, the
        // closing one out).
        let in_string = prefix_xor(quote & !escaped) ^ self.in_string;
        if backslash & !in_string != 0 {
            // A backslash outside a string, where it escapes nothing: never in JSON. The
            // masks took it for an escape; this block is walked byte by byte instead.
            return self.walk(block, max);
        }
        self.escaped = escapes >> 63;
        self.in_string = ((in_string as i64) >> 63) as u64;
        let (open, close) = (opener & !in_string, closer & !in_string);
        let (opens, closes) = (open.count_ones() as usize, close.count_ones() as usize);
        if self.depth + opens <= max && closes <= self.depth {
            // Neither above the limit nor below zero anywhere in the block.
            self.depth = self.depth + opens - closes;
            return Ok(());
        }
        // Bracket by bracket, in order: a few instructions each.
        let mut brackets = open | close;
        while brackets != 0 {
            let bracket = brackets & brackets.wrapping_neg();
            if open & bracket != 0 {
                self.depth += 1;
                if self.depth > max {
                    return Err(too_deep());
                }
            } else {
                self.depth = self.depth.saturating_sub(1);
            }
            brackets ^= bracket;
        }
        Ok(())
    }

    /// The block byte by byte, for what the masks cannot read.
    #[cold]
    fn walk(&mut self, block: &[u8; 64], max: usize) -> Result<(), AuthError> {
        let (mut in_string, mut escaped) = (self.in_string != 0, self.escaped != 0);
        for &b in block {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth > max {
                        return Err(too_deep());
                    }
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.in_string = 0u64.wrapping_sub(u64::from(in_string));
        self.escaped = u64::from(escaped);
        Ok(())
    }
}

/// A string that borrows from the input when it has no escapes.
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// A member that, when present, must be a string: `null` is not the same as absent.
fn some_string<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Text<'a>>, D::Error> {
    Text::deserialize(d).map(Some)
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

fn any_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// The JOSE header members this crate acts on. Others (`jwk`, `jku`, `x5u`, `x5c`, ...) are
/// ignored: a key is never taken from, nor fetched for, a token.
#[derive(Deserialize)]
pub(crate) struct RawHeader<'a> {
    #[serde(borrow)]
    alg: Text<'a>,
    #[serde(borrow, default, deserialize_with = "some_string")]
    kid: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "some_string")]
    typ: Option<Text<'a>>,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
    #[serde(default, deserialize_with = "any_value")]
    b64: Option<serde_json::Value>,
}

/// A checked header: a supported algorithm, a bounded `kid`, no `crit`, no `b64: false`.
pub(crate) struct Header<'a> {
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<Cow<'a, str>>,
    pub(crate) typ: Option<Cow<'a, str>>,
}

/// Lower-cases a media type and drops an `application/` prefix, as RFC 7515 §4.1.9 allows.
pub(crate) fn normalize_type(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

/// What a JOSE header must be to be accepted: the one place header rules live.
pub(crate) struct HeaderRules {
    /// The algorithms the layer accepts (what a key allows is checked with the key).
    pub(crate) algorithms: AlgorithmSet,
    pub(crate) max_kid_len: usize,
    pub(crate) max_json_depth: usize,
    /// Expected `typ` values, lower case, without `application/`; empty accepts any.
    pub(crate) types: Vec<String>,
}

impl fmt::Debug for HeaderRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderRules")
            .field("algorithms", &self.algorithms)
            .field("max_kid_len", &self.max_kid_len)
            .field("max_json_depth", &self.max_json_depth)
            .field("types", &self.types)
            .finish()
    }
}

impl HeaderRules {
    /// Accepts a decoded header or says why not: its nesting, that it is a JSON object with a
    /// string `alg` this layer accepts, no `crit`, no `b64: false`, a bounded `kid`, and the
    /// expected `typ`.
    pub(crate) fn accept<'a>(&self, json: &'a [u8]) -> Result<Header<'a>, AuthError> {
        check_depth(json, self.max_json_depth)?;
        let header = RawHeader::parse(json)?.check(self.max_kid_len)?;
        if !self.algorithms.contains(header.alg) {
            return Err(AuthErrorKind::UnsupportedAlgorithm.into());
        }
        self.check_type(header.typ.as_deref())?;
        Ok(header)
    }

    fn check_type(&self, typ: Option<&str>) -> Result<(), AuthError> {
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
}

impl<'a> RawHeader<'a> {
    pub(crate) fn parse(json: &'a [u8]) -> Result<Self, AuthError> {
        if !crate::json::is_object(json) {
            return Err(malformed("the header is not a JSON object"));
        }
        serde_json::from_slice(json).map_err(|_| malformed("the header is not a valid JOSE header"))
    }

    pub(crate) fn check(self, max_kid_len: usize) -> Result<Header<'a>, AuthError> {
        if self.crit {
            return Err(AuthErrorKind::CriticalHeader.into());
        }
        if self.b64.is_some_and(|v| v != serde_json::Value::Bool(true)) {
            return Err(AuthErrorKind::UnencodedPayload.into());
        }
        // Names are compared exactly: `none`, `None`, `hs256` are all refused here.
        let alg = self
            .alg
            .0
            .parse::<Algorithm>()
            .map_err(|_| AuthError::new(AuthErrorKind::UnsupportedAlgorithm))?;
        if self.kid.as_ref().is_some_and(|k| k.0.len() > max_kid_len) {
            return Err(malformed("the kid is too long"));
        }
        Ok(Header {
            alg,
            kid: self.kid.map(|k| k.0),
            typ: self.typ.map(|t| t.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// base64-simd decodes exactly what the strict `base64` engine decodes, on the stack
        /// and on the heap, and refuses what it refuses.
        #[test]
        fn segments_decode_like_the_strict_reference(
            text in proptest::collection::vec(
                proptest::sample::select(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_QwAg=+/. "
                        .to_vec(),
                ),
                0..3000,
            ),
            clean in proptest::bool::weighted(0.7),
        ) {
            use base64::Engine as _;
            let text: Vec<u8> = if clean {
                text.into_iter().filter(|b| b.is_ascii_alphanumeric() || b"-_".contains(b)).collect()
            } else {
                text
            };
            let reference = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&text).ok();
            let mut room = segment_buffer();
            let ours = b64(&text, &mut room).ok().map(|d| d.into_owned());
            proptest::prop_assert_eq!(ours, reference);
        }
    }

    #[test]
    fn segments_decode_canonical_base64url_only() {
        let mut room = segment_buffer();
        let decoded = b64(b"aGVsbG8_d29ybGQ-", &mut room).unwrap();
        assert!(matches!(decoded, Cow::Borrowed(_)), "fits on the stack");
        assert_eq!(&*decoded, b"hello?world>");
        let big = vec![b'A'; 4000];
        let decoded = b64(&big, &mut room).unwrap();
        assert!(matches!(decoded, Cow::Owned(_)), "too big for the stack");
        assert_eq!(*decoded, [0u8; 3000]);
        assert_eq!(&*b64(b"QQ", &mut room).unwrap(), b"A");
        for bad in [
            &b"QR"[..],  // unused bits set: another spelling of "QQ"
            b"QUI",      // fine
            b"QUJ",      // unused bits set
            b"QQ==",     // padding
            b"QUJDR",    // a length no encoding has
            b"aGVsbG8/", // standard alphabet
            b"aGVs bG8", // a space
        ] {
            let got = b64(bad, &mut room);
            if bad == b"QUI" {
                assert_eq!(&*got.unwrap(), b"AB");
            } else {
                assert!(got.is_err(), "{:?}", String::from_utf8_lossy(bad));
            }
        }
    }

    #[test]
    fn split_refuses_everything_but_compact_jws() {
        assert!(split(b"aGk.aGk.aGk").is_ok());
        for bad in [
            "aGk.aGk",
            "a.b.c.d",
            "a.b.c.d.e",
            "aGk=.aGk.aGk",
            "a+b.c.d",
            "a/b.c.d",
            "a b.c.d",
            "{\"payload\":1}",
            ".b.c",
            "a..c",
            "a.b.",
        ] {
            assert!(split(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    /// The depth a byte-by-byte walk finds: the reference for [`check_depth`].
    fn walked_depth_ok(json: &[u8], max: usize) -> bool {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for &b in json {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > max {
                        return false;
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        true
    }

    /// JSON-ish text: brackets, commas and strings whose escapes (`\"`, `\\`, runs of
    /// backslashes) are well formed, so that the bit masks read it without help.
    fn jsonish() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let string = proptest::collection::vec(
            prop_oneof![
                Just(&b"a"[..]),
                Just(&b"{"[..]),
                Just(&b"]"[..]),
                Just(&b"\\\""[..]),
                Just(&b"\\\\"[..]),
                Just(&b"\\\\\\\""[..]),
                Just(&b"\\\\\\\\"[..]),
                Just(&b"\\n"[..]),
            ],
            0..12,
        )
        .prop_map(|parts| {
            let mut s = vec![b'"'];
            parts.iter().for_each(|p| s.extend_from_slice(p));
            s.push(b'"');
            s
        });
        let piece = prop_oneof![
            3 => proptest::sample::select(vec![b'{', b'[', b'}', b']', b',', b':', b'1', b' '])
                .prop_map(|b| vec![b]),
            1 => string,
        ];
        proptest::collection::vec(piece, 0..200).prop_map(|pieces| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// The masks count exactly like the byte-by-byte walk: on JSON-ish text, on any bytes
        /// made of quotes, backslashes and brackets (backslashes outside strings included), at
        /// every limit.
        #[test]
        fn depth_is_checked_like_a_byte_walk(
            text in proptest::prop_oneof![
                jsonish(),
                proptest::collection::vec(
                    proptest::sample::select(b"{}[]\"\\\\\"\"a ,".to_vec()),
                    0..700,
                ),
            ],
            max in 0usize..10,
        ) {
            proptest::prop_assert_eq!(check_depth(&text, max).is_ok(), walked_depth_ok(&text, max));
        }
    }

    #[test]
    fn escapes_across_block_boundaries() {
        // Every alignment with the 64-byte blocks of an escaped quote, an escaped backslash,
        // and runs of both, each followed by brackets that are still inside the string.
        for escape in [r#"\""#, r#"\\"#, r#"\\\""#, r#"\\\\"#] {
            for pad in 0..140 {
                let json = format!(r#"{{"a":"{}{escape}[[[{{","b":[[[1]]]}}"#, "x".repeat(pad));
                for max in 0..6 {
                    assert_eq!(
                        check_depth(json.as_bytes(), max).is_ok(),
                        walked_depth_ok(json.as_bytes(), max),
                        "{json} at most {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn nesting_is_bounded() {
        assert!(check_depth(br#"{"a":[{"b":1}]}"#, 3).is_ok());
        assert!(check_depth(br#"{"a":[{"b":[1]}]}"#, 3).is_err());
        assert!(
            check_depth(br#"{"a":"[[[[[[\"[[[["}"#, 1).is_ok(),
            "brackets in strings do not count"
        );
    }

    #[test]
    fn header_rules() {
        let check = |json: &str| {
            RawHeader::parse(json.as_bytes())
                .and_then(|h| h.check(8))
                .map(|h| h.alg)
        };
        assert_eq!(check(r#"{"alg":"HS256"}"#).unwrap(), Algorithm::HS256);
        for alg in ["none", "None", "nOnE", "hs256", "HS256 "] {
            let json = format!(r#"{{"alg":"{alg}"}}"#);
            assert_eq!(
                check(&json).unwrap_err().kind(),
                &AuthErrorKind::UnsupportedAlgorithm,
                "{alg}"
            );
        }
        assert_eq!(
            check(r#"{"alg":"HS256","crit":[]}"#).unwrap_err().kind(),
            &AuthErrorKind::CriticalHeader
        );
        assert_eq!(
            check(r#"{"alg":"HS256","crit":null}"#).unwrap_err().kind(),
            &AuthErrorKind::CriticalHeader
        );
        assert_eq!(
            check(r#"{"alg":"HS256","b64":false}"#).unwrap_err().kind(),
            &AuthErrorKind::UnencodedPayload
        );
        assert!(check(r#"{"alg":"HS256","b64":true}"#).is_ok());
        assert!(check(r#"{"alg":"HS256","kid":12}"#).is_err());
        assert!(check(r#"{"alg":"HS256","kid":null}"#).is_err());
        assert!(check(r#"{"alg":"HS256","typ":null}"#).is_err());
        assert!(check(r#"{"alg":"HS256","kid":"123456789"}"#).is_err());
        assert!(check(r#"{"alg":"HS256","alg":"none"}"#).is_err());
        assert!(check(r#"{"alg":"HS256","jwk":{"kty":"oct"}}"#).is_ok());
    }

    #[test]
    fn type_rules() {
        let rules = |types: Vec<String>| HeaderRules {
            algorithms: AlgorithmSet::all(),
            max_kid_len: 8,
            max_json_depth: 8,
            types,
        };
        let r = rules(vec![normalize_type("application/at+jwt")]);
        assert!(r.check_type(Some("at+jwt")).is_ok());
        assert!(r.check_type(Some("application/AT+JWT")).is_ok());
        assert!(r.check_type(Some("JWT")).is_err());
        assert!(r.check_type(None).is_err());
        assert!(rules(vec![]).check_type(None).is_ok());
        assert!(
            r.check_type(Some("aaaaaaaaaaa\u{e9}b")).is_err(),
            "no panic on a char boundary"
        );
    }
}
