//! Just enough DER to read public keys: SubjectPublicKeyInfo and PKCS#1 `RSAPublicKey`.
//!
//! Every key is read here, at build time, so that a bad key file is an error from the
//! builder and never a failure on a request. Whether what was read can be a key (an RSA
//! exponent, a point on its curve) is checked by the constructors in `key/mod.rs` and by
//! `key/curve.rs`, the same for every encoding.

/// What a public key document holds, once read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PublicKey<'a> {
    /// RSA modulus and exponent, big-endian, without leading zeros.
    Rsa { n: &'a [u8], e: &'a [u8] },
    /// An uncompressed EC point (`04 || x || y`) on the named curve.
    Ec { curve: Curve, point: &'a [u8] },
    /// A raw Ed25519 public key.
    Ed25519(&'a [u8]),
}

/// The elliptic curves JWS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
}

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
const NULL: u8 = 0x05;

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// Reads one TLV with the given tag and returns its contents.
    fn read(&mut self, tag: u8) -> Result<&'a [u8], &'static str> {
        let (&t, rest) = self.0.split_first().ok_or("truncated DER")?;
        if t != tag {
            return Err("unexpected DER element");
        }
        let (&first, mut rest) = rest.split_first().ok_or("truncated DER")?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return Err("unsupported DER length");
            }
            let mut len = 0usize;
            for &b in &rest[..count] {
                len = (len << 8) | usize::from(b);
            }
            rest = &rest[count..];
            if len < 0x80 {
                return Err("non-minimal DER length");
            }
            len
        };
        if rest.len() < len {
            return Err("truncated DER");
        }
        let (value, rest) = rest.split_at(len);
        self.0 = rest;
        Ok(value)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn finish(self) -> Result<(), &'static str> {
        if self.is_empty() {
            Ok(())
        } else {
            Err("trailing bytes after DER structure")
        }
    }
}

/// Strips the sign byte of a positive DER INTEGER and refuses negative ones.
fn unsigned(int: &[u8]) -> Result<&[u8], &'static str> {
    match int {
        [] => Err("empty INTEGER"),
        [b, ..] if b & 0x80 != 0 => Err("negative INTEGER"),
        [0, rest @ ..] if !rest.is_empty() => Ok(rest),
        _ => Ok(int),
    }
}

/// Reads a PKCS#1 `RSAPublicKey`.
pub(crate) fn rsa_public_key(der: &[u8]) -> Result<PublicKey<'_>, &'static str> {
    let mut outer = Reader(der);
    let mut seq = Reader(outer.read(SEQUENCE)?);
    outer.finish()?;
    let n = unsigned(seq.read(INTEGER)?)?;
    let e = unsigned(seq.read(INTEGER)?)?;
    seq.finish()?;
    Ok(PublicKey::Rsa { n, e })
}

/// The private key a PKCS#8 `PrivateKeyInfo` wraps (for RSA, a PKCS#1 `RSAPrivateKey`): the
/// test kit turns aws-lc-rs's PKCS#8 into what jsonwebtoken signs with.
#[cfg(all(feature = "testing", feature = "aws-lc-rs"))]
pub(crate) fn pkcs8_private_key(der: &[u8]) -> Result<&[u8], &'static str> {
    const OCTET_STRING: u8 = 0x04;
    let mut outer = Reader(der);
    let mut seq = Reader(outer.read(SEQUENCE)?);
    outer.finish()?;
    seq.read(INTEGER)?; // version
    seq.read(SEQUENCE)?; // algorithm
    seq.read(OCTET_STRING)
}

/// Reads a `SubjectPublicKeyInfo` holding an RSA, EC (P-256, P-384) or Ed25519 key.
pub(crate) fn spki(der: &[u8]) -> Result<PublicKey<'_>, &'static str> {
    let mut outer = Reader(der);
    let mut seq = Reader(outer.read(SEQUENCE)?);
    outer.finish()?;
    let mut alg = Reader(seq.read(SEQUENCE)?);
    let bits = seq.read(BIT_STRING)?;
    seq.finish()?;
    let key = match bits.split_first() {
        Some((0, key)) => key,
        _ => return Err("public key BIT STRING has unused bits"),
    };
    let oid = alg.read(OID)?;
    if oid == OID_RSA {
        if !alg.is_empty() {
            alg.read(NULL)?;
        }
        alg.finish()?;
        rsa_public_key(key)
    } else if oid == OID_EC {
        let curve_oid = alg.read(OID)?;
        alg.finish()?;
        let (curve, len) = if curve_oid == OID_P256 {
            (Curve::P256, 65)
        } else if curve_oid == OID_P384 {
            (Curve::P384, 97)
        } else {
            return Err("unsupported elliptic curve (only P-256 and P-384 are used by JWS)");
        };
        if key.len() != len || key[0] != 0x04 {
            return Err("EC public key is not an uncompressed point of its curve");
        }
        Ok(PublicKey::Ec { curve, point: key })
    } else if oid == OID_ED25519 {
        alg.finish()?;
        if key.len() != 32 {
            return Err("Ed25519 public key is not 32 bytes");
        }
        Ok(PublicKey::Ed25519(key))
    } else {
        Err("unsupported public key algorithm")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_trailing_and_truncated() {
        assert!(rsa_public_key(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]).is_ok());
        assert!(rsa_public_key(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03, 0]).is_err());
        assert!(rsa_public_key(&[0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01]).is_err());
        assert!(rsa_public_key(&[0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x03]).is_err());
        assert!(spki(b"").is_err());
    }
}
