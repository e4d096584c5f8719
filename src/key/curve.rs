//! Whether a public key is a point of its curve, checked when the key is added.
//!
//! The signature backends check points when they verify, each in its own way; a key that is
//! not a point would then fail every token, quietly. These checks run once per key, with our
//! own arithmetic, so a key is refused the same way whichever backend verifies.
//!
//! The arithmetic is Montgomery multiplication over fixed-size little-endian `u64` limbs. It
//! is not constant time, and need not be: it only ever sees public keys.

/// A prime field of `N` 64-bit limbs, with what Montgomery multiplication needs.
struct Field<const N: usize> {
    /// The prime.
    p: [u64; N],
    /// `-p⁻¹ mod 2⁶⁴`.
    p_inv: u64,
    /// `R² mod p`, with `R = 2^(64·N)`: multiplying by it enters the Montgomery domain.
    r2: [u64; N],
}

impl<const N: usize> Field<N> {
    fn new(p: [u64; N]) -> Self {
        // Newton's iteration doubles the correct low bits of p⁻¹ each round: 1, 2, 4, …, 64.
        let mut inv = 1u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(p[0].wrapping_mul(inv)));
        }
        let mut field = Self {
            p,
            p_inv: inv.wrapping_neg(),
            r2: [0; N],
        };
        // 1 doubled 2·64·N times is R² (mod p).
        let mut r2 = [0; N];
        r2[0] = 1;
        for _ in 0..2 * 64 * N {
            r2 = field.add(&r2, &r2);
        }
        field.r2 = r2;
        field
    }

    /// `a + b mod p`, for `a, b < p`.
    fn add(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut sum = [0; N];
        let mut carry = false;
        for i in 0..N {
            let (s, c1) = a[i].overflowing_add(b[i]);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            sum[i] = s;
            carry = c1 || c2;
        }
        if carry || !less(&sum, &self.p) {
            sub_in_place(&mut sum, &self.p);
        }
        sum
    }

    /// `a - b mod p`, for `a, b < p`.
    fn sub(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut diff = *a;
        if sub_in_place(&mut diff, b) {
            add_in_place(&mut diff, &self.p);
        }
        diff
    }

    /// `a · b · R⁻¹ mod p`, for `a, b < p` (coarsely integrated operand scanning).
    fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let mut top = 0u64;
        for &bi in b {
            // t += a · bᵢ
            let mut carry = 0u64;
            for j in 0..N {
                let v = u128::from(t[j]) + u128::from(a[j]) * u128::from(bi) + u128::from(carry);
                t[j] = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(top) + u128::from(carry);
            top = v as u64;
            let over = (v >> 64) as u64;
            // t = (t + m · p) / 2⁶⁴, with m chosen so the division is exact.
            let m = t[0].wrapping_mul(self.p_inv);
            let v = u128::from(t[0]) + u128::from(m) * u128::from(self.p[0]);
            let mut carry = (v >> 64) as u64;
            for j in 1..N {
                let v =
                    u128::from(t[j]) + u128::from(m) * u128::from(self.p[j]) + u128::from(carry);
                t[j - 1] = v as u64;
                carry = (v >> 64) as u64;
            }
            let v = u128::from(top) + u128::from(carry);
            t[N - 1] = v as u64;
            top = over + (v >> 64) as u64;
        }
        if top != 0 || !less(&t, &self.p) {
            sub_in_place(&mut t, &self.p);
        }
        t
    }

    /// `a` in the Montgomery domain, for `a < p`.
    fn enter(&self, a: &[u64; N]) -> [u64; N] {
        self.mul(a, &self.r2)
    }

    /// One, in the Montgomery domain.
    fn one(&self) -> [u64; N] {
        let mut one = [0; N];
        one[0] = 1;
        self.enter(&one)
    }

    /// `base^exp`, both the base and the result in the Montgomery domain.
    fn pow(&self, base: &[u64; N], exp: &[u64; N]) -> [u64; N] {
        let mut acc = self.one();
        for limb in exp.iter().rev() {
            for bit in (0..64).rev() {
                acc = self.mul(&acc, &acc);
                if limb >> bit & 1 == 1 {
                    acc = self.mul(&acc, base);
                }
            }
        }
        acc
    }

    /// Reads a big-endian number, refusing one that is not below `p`.
    fn element(&self, be: &[u8]) -> Option<[u64; N]> {
        let n = from_be(be)?;
        less(&n, &self.p).then_some(n)
    }
}

/// `a < b`.
fn less<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}

/// `a -= b`, returning whether it borrowed.
fn sub_in_place<const N: usize>(a: &mut [u64; N], b: &[u64; N]) -> bool {
    let mut borrow = false;
    for i in 0..N {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        a[i] = d;
        borrow = b1 || b2;
    }
    borrow
}

/// `a += b`, dropping the carry out of the top limb.
fn add_in_place<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
    let mut carry = false;
    for i in 0..N {
        let (s, c1) = a[i].overflowing_add(b[i]);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        a[i] = s;
        carry = c1 || c2;
    }
}

/// A big-endian number of at most `8·N` bytes, as limbs.
fn from_be<const N: usize>(be: &[u8]) -> Option<[u64; N]> {
    if be.len() > 8 * N {
        return None;
    }
    let mut limbs = [0u64; N];
    for (i, byte) in be.iter().rev().enumerate() {
        limbs[i / 8] |= u64::from(*byte) << (8 * (i % 8));
    }
    Some(limbs)
}

/// A hexadecimal constant (most significant digit first) as limbs, at compile time.
const fn hex<const N: usize>(digits: &str) -> [u64; N] {
    let digits = digits.as_bytes();
    assert!(digits.len() == 16 * N, "constant of the wrong length");
    let mut limbs = [0u64; N];
    let mut i = 0;
    while i < digits.len() {
        let value = match digits[i] {
            b @ b'0'..=b'9' => b - b'0',
            b @ b'a'..=b'f' => b - b'a' + 10,
            _ => panic!("not a hexadecimal digit"),
        };
        let from_right = digits.len() - 1 - i;
        limbs[from_right / 16] |= (value as u64) << (4 * (from_right % 16));
        i += 1;
    }
    limbs
}

/// A curve `y² = x³ − 3x + b` over the prime field of `p` (the NIST prime curves).
struct Weierstrass<const N: usize> {
    p: [u64; N],
    b: [u64; N],
}

/// P-256 (SEC 2 `secp256r1`, FIPS 186-4 D.1.2.3).
const P256: Weierstrass<4> = Weierstrass {
    p: hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
    b: hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
};

/// P-384 (SEC 2 `secp384r1`, FIPS 186-4 D.1.2.4).
const P384: Weierstrass<6> = Weierstrass {
    p: hex(concat!(
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe",
        "ffffffff0000000000000000ffffffff"
    )),
    b: hex(concat!(
        "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a",
        "c656398d8a2ed19d2a85c8edd3ec2aef"
    )),
};

impl<const N: usize> Weierstrass<N> {
    /// Whether `(x, y)`, big-endian coordinates of the curve's size, is a point of the curve.
    /// The point at infinity has no such coordinates, so it is never one.
    fn contains(&self, x: &[u8], y: &[u8]) -> bool {
        if x.len() != 8 * N || y.len() != 8 * N {
            return false;
        }
        let field = Field::new(self.p);
        let (Some(x), Some(y)) = (field.element(x), field.element(y)) else {
            return false;
        };
        let (x, y, b) = (field.enter(&x), field.enter(&y), field.enter(&self.b));
        let y2 = field.mul(&y, &y);
        let x3 = field.mul(&field.mul(&x, &x), &x);
        let three_x = field.add(&field.add(&x, &x), &x);
        let rhs = field.add(&field.sub(&x3, &three_x), &b);
        y2 == rhs
    }
}

/// Checks an uncompressed SEC 1 point (`04 ‖ x ‖ y`) of P-256 or P-384.
pub(crate) fn check_ec_point(curve: super::der::Curve, point: &[u8]) -> Result<(), &'static str> {
    let size = match curve {
        super::der::Curve::P256 => 32,
        super::der::Curve::P384 => 48,
    };
    let coordinates = match point.split_first() {
        Some((0x04, rest)) if rest.len() == 2 * size => rest,
        _ => return Err("EC public key is not an uncompressed point of its curve"),
    };
    let (x, y) = coordinates.split_at(size);
    let on_curve = match curve {
        super::der::Curve::P256 => P256.contains(x, y),
        super::der::Curve::P384 => P384.contains(x, y),
    };
    if on_curve {
        Ok(())
    } else {
        Err("EC public key is not a point on its curve")
    }
}

/// `p = 2²⁵⁵ − 19`, the field of edwards25519 (RFC 8032 §5.1).
const ED25519_P: [u64; 4] = hex("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed");

/// `d = −121665/121666 mod p` (RFC 8032 §5.1).
const ED25519_D: [u64; 4] = hex("52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3");

/// `(p − 1) / 2`, the exponent of Euler's criterion.
const ED25519_HALF: [u64; 4] =
    hex("3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff6");

/// Checks a 32-byte Ed25519 public key: it must decode to a point (RFC 8032 §5.1.3), and that
/// point must not be one of the eight of small order, which a signing key never yields and
/// with which a signature can hold for more than one message.
pub(crate) fn check_ed25519(raw: &[u8]) -> Result<(), &'static str> {
    let Ok(raw) = <[u8; 32]>::try_from(raw) else {
        return Err("Ed25519 public key is not 32 bytes");
    };
    let sign = raw[31] >> 7;
    let mut be = raw;
    be[31] &= 0x7f;
    be.reverse();
    let field = Field::new(ED25519_P);
    let Some(y) = field.element(&be) else {
        return Err("Ed25519 public key is not a point: y is not below p");
    };
    let one = field.one();
    let d = field.enter(&ED25519_D);
    let y = field.enter(&y);
    let y2 = field.mul(&y, &y);
    // x² = u / v, with u = y² − 1 and v = d·y² + 1; v is never zero, since −1/d is no square.
    let u = field.sub(&y2, &one);
    let v = field.add(&field.mul(&d, &y2), &one);
    if u == [0; 4] {
        // x = 0: y is 1 or −1, the points of order 1 and 2.
        if sign == 1 {
            return Err("Ed25519 public key is not a point: x is 0 but its sign bit is set");
        }
        return Err("Ed25519 public key is a point of small order");
    }
    // u/v is a square exactly when u·v is (v and 1/v are both squares or both not), and a
    // nonzero square to the power (p − 1)/2 is one (Euler's criterion).
    if field.pow(&field.mul(&u, &v), &ED25519_HALF) != one {
        return Err("Ed25519 public key is not a point: x² = (y² − 1)/(d·y² + 1) has no root");
    }
    // The other small-order points: y = 0 (order 4), and the four of order 8, for which 2P has
    // y = 0, that is x² = −y², which with the curve equation gives d·y⁴ + 2y² − 1 = 0.
    let two_y2 = field.add(&y2, &y2);
    let order_8 = field.sub(
        &field.add(&field.mul(&d, &field.mul(&y2, &y2)), &two_y2),
        &one,
    );
    if y == [0; 4] || order_8 == [0; 4] {
        return Err("Ed25519 public key is a point of small order");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::der::Curve;
    use super::*;

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    fn point(x: &str, y: &str) -> Vec<u8> {
        let mut point = vec![0x04];
        point.extend(bytes(x));
        point.extend(bytes(y));
        point
    }

    /// `(x, y + 1)`, as an uncompressed point.
    fn point_y_plus_one(x: &str, y: &str) -> Vec<u8> {
        let mut point = point(x, y);
        for byte in point.iter_mut().rev() {
            let (sum, carry) = byte.overflowing_add(1);
            *byte = sum;
            if !carry {
                break;
            }
        }
        point
    }

    const P256_GX: &str = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    const P256_GY: &str = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    const P256_P: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
    const P384_GX: &str = concat!(
        "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38",
        "5502f25dbf55296c3a545e3872760ab7"
    );
    const P384_GY: &str = concat!(
        "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0",
        "0a60b1ce1d7e819d7a431d7c90ea0e5f"
    );

    #[test]
    fn montgomery_constants_are_consistent() {
        for p in [P256.p, ED25519_P] {
            let field = Field::new(p);
            assert_eq!(p[0].wrapping_mul(field.p_inv), u64::MAX, "p · (−p⁻¹) = −1");
            // R² · R⁻¹ · R⁻¹ = 1, so leaving the domain twice from R² gives 1.
            let mut one = [0; 4];
            one[0] = 1;
            assert_eq!(field.mul(&field.mul(&field.r2, &one), &one), one);
        }
        // d · 121666 = −121665 (mod p).
        let field = Field::new(ED25519_P);
        let small = |v: u64| field.enter(&[v, 0, 0, 0]);
        let lhs = field.mul(&field.enter(&ED25519_D), &small(121666));
        assert_eq!(field.add(&lhs, &small(121665)), [0; 4]);
    }

    #[test]
    fn generators_are_on_their_curves() {
        assert_eq!(
            check_ec_point(Curve::P256, &point(P256_GX, P256_GY)),
            Ok(())
        );
        assert_eq!(
            check_ec_point(Curve::P384, &point(P384_GX, P384_GY)),
            Ok(())
        );
    }

    #[test]
    fn generator_with_y_plus_one_is_off_the_curve() {
        assert!(check_ec_point(Curve::P256, &point_y_plus_one(P256_GX, P256_GY)).is_err());
        assert!(check_ec_point(Curve::P384, &point_y_plus_one(P384_GX, P384_GY)).is_err());
    }

    #[test]
    fn coordinates_not_below_p_are_refused() {
        // (5, y) is on P-256; (5 + p, y) is the same point modulo p, but not a canonical
        // encoding, and must be refused.
        let x = "0000000000000000000000000000000000000000000000000000000000000005";
        let x_plus_p = "ffffffff00000001000000000000000000000001000000000000000000000004";
        let y = "459243b9aa581806fe913bce99817ade11ca503c64d9a3c533415c083248fbcc";
        assert_eq!(check_ec_point(Curve::P256, &point(x, y)), Ok(()));
        assert!(check_ec_point(Curve::P256, &point(x_plus_p, y)).is_err());
        assert!(check_ec_point(Curve::P256, &point(P256_P, P256_GY)).is_err());
        assert!(check_ec_point(Curve::P256, &point(P256_GX, P256_P)).is_err());
        let all_ones = "ff".repeat(48);
        assert!(check_ec_point(Curve::P384, &point(&all_ones, P384_GY)).is_err());
    }

    #[test]
    fn wrong_lengths_and_encodings_are_refused() {
        let mut compressed = vec![0x02];
        compressed.extend(bytes(P256_GX));
        assert!(check_ec_point(Curve::P256, &compressed).is_err());
        assert!(
            check_ec_point(Curve::P256, &[0x00]).is_err(),
            "point at infinity"
        );
        assert!(check_ec_point(Curve::P384, &point(P256_GX, P256_GY)).is_err());
        let mut hybrid = point(P256_GX, P256_GY);
        hybrid[0] = 0x06;
        assert!(check_ec_point(Curve::P256, &hybrid).is_err());
    }

    #[test]
    fn ed25519_base_point_and_rfc8032_keys_are_points() {
        for key in [
            // The base point, y = 4/5.
            "5866666666666666666666666666666666666666666666666666666666666666",
            // RFC 8032 §7.1, tests 1, 2, 3 and SHA(abc).
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        ] {
            assert_eq!(check_ed25519(&bytes(key)), Ok(()), "{key}");
        }
    }

    #[test]
    fn ed25519_y_without_a_root_is_refused() {
        // y = 2: (4 − 1)/(4d + 1) is not a square mod p.
        let mut y2 = [0u8; 32];
        y2[0] = 2;
        assert_eq!(
            check_ed25519(&y2),
            Err("Ed25519 public key is not a point: x² = (y² − 1)/(d·y² + 1) has no root")
        );
    }

    #[test]
    fn ed25519_y_not_below_p_is_refused() {
        // p itself (≡ 0) and p + 1 (≡ 1) are non-canonical encodings.
        let mut p = bytes("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
        assert!(check_ed25519(&p).is_err());
        p[0] += 1;
        assert!(check_ed25519(&p).is_err());
        assert!(check_ed25519(&[0xff; 32]).is_err());
    }

    #[test]
    fn ed25519_zero_x_with_sign_bit_is_refused() {
        let mut one = [0u8; 32];
        one[0] = 1;
        one[31] = 0x80;
        assert_eq!(
            check_ed25519(&one),
            Err("Ed25519 public key is not a point: x is 0 but its sign bit is set")
        );
    }

    #[test]
    fn ed25519_small_order_points_are_refused() {
        for y in [
            // Order 1, 2, 4 and 8 (the last two with either sign of x).
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        ] {
            assert_eq!(
                check_ed25519(&bytes(y)),
                Err("Ed25519 public key is a point of small order"),
                "{y}"
            );
        }
    }
}
