//! One spelling per signature.
//!
//! An ECDSA signature `(r, s)` has a twin `(r, n - s)` that verifies just as well, so one
//! signed message has two valid tokens. Issuers do not normalize `s`, so both spellings are
//! accepted; anything that remembers tokens (the verified-token cache) compares signatures in
//! the form below, where both spellings are the same bytes.

use jsonwebtoken::Algorithm;

/// Room for the longest ECDSA signature the crate verifies (ES384: two 48-byte integers).
pub(crate) const ROOM: usize = 96;

/// The order of the P-256 group (SEC 2, secp256r1 `n`).
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// The order of the P-384 group (SEC 2, secp384r1 `n`).
const P384_N: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

/// Whether signatures of `alg` have a second valid spelling (ECDSA).
pub(crate) fn is_malleable(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::ES256 | Algorithm::ES384)
}

/// `signature` in its one spelling for `alg`: for ECDSA, `s` is replaced by `n - s` when that
/// is smaller ("low S"); other signatures, and ECDSA signatures of the wrong length or with
/// `s >= n` (which never verify), are returned as they are.
pub(crate) fn signature<'a>(
    alg: Algorithm,
    signature: &'a [u8],
    room: &'a mut [u8; ROOM],
) -> &'a [u8] {
    let n: &[u8] = match alg {
        Algorithm::ES256 => &P256_N,
        Algorithm::ES384 => &P384_N,
        _ => return signature,
    };
    let len = n.len();
    if signature.len() != 2 * len {
        return signature;
    }
    let (r, s) = signature.split_at(len);
    let out = &mut room[..2 * len];
    out[..len].copy_from_slice(r);
    if !subtract(n, s, &mut out[len..]) {
        return signature;
    }
    // Big-endian integers of one width compare like their bytes.
    if out[len..] < *s {
        out
    } else {
        signature
    }
}

/// `out = a - b` for big-endian integers of one width; `false` if `b > a`.
fn subtract(a: &[u8], b: &[u8], out: &mut [u8]) -> bool {
    let mut borrow = 0u16;
    for ((x, y), o) in a.iter().zip(b).zip(out.iter_mut()).rev() {
        let difference = u16::from(*x)
            .wrapping_sub(u16::from(*y))
            .wrapping_sub(borrow);
        *o = difference as u8;
        borrow = (difference >> 8) & 1;
    }
    borrow == 0
}

/// Whether two byte strings are equal, in time that depends only on their lengths.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtraction_borrows_across_bytes() {
        let mut out = [0u8; 3];
        assert!(subtract(&[1, 0, 0], &[0, 0, 1], &mut out));
        assert_eq!(out, [0, 0xff, 0xff]);
        assert!(!subtract(&[0, 0, 1], &[0, 0, 2], &mut out));
    }

    #[test]
    fn both_spellings_of_an_ecdsa_signature_are_one() {
        let mut low = [0u8; 64];
        low[..32].copy_from_slice(&[7; 32]);
        low[63] = 5;
        let mut high = low;
        assert!(subtract(&P256_N, &low[32..], &mut high[32..]));
        let (mut a, mut b) = ([0u8; ROOM], [0u8; ROOM]);
        let from_low = signature(Algorithm::ES256, &low, &mut a).to_vec();
        let from_high = signature(Algorithm::ES256, &high, &mut b).to_vec();
        assert_eq!(from_low, low);
        assert_eq!(from_high, low);
    }

    #[test]
    fn other_signatures_keep_their_bytes() {
        let mut room = [0u8; ROOM];
        let hs512 = [0xee; 64];
        assert_eq!(signature(Algorithm::HS512, &hs512, &mut room), hs512);
        let too_big = [0xff; 64];
        assert_eq!(signature(Algorithm::ES256, &too_big, &mut room), too_big);
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
